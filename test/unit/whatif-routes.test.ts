// The what-if engine works out each write route once per quorum judgement: choosing the
// placement to pin, the one judged, the writes and each leader's routes all read the same
// (placement, writing site) routes, and a Simulate click on a large design allocated most of its
// memory recomputing them (README, Performance). Same answers, each route computed once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import * as writes from "../../server/src/derive/writes";
import { ALL_UP, run, type Scenario } from "../../server/src/whatif/engine";
import { FRA_LON_AMS, HEADER } from "../helpers";

// 2+2+1 over fra, lon and ams and no traffic entry: its member sites stand in as its writers, so
// three placements and three writing sites, and nothing after the quorum's judgement (a traffic
// entry's writes) asks for a route again
const DESIGN = `${FRA_LON_AMS}clusters:
  - { name: fra-prod, site: fra }
  - { name: lon-prod, site: lon }
stores:
  - name: ledger
    engine: cockroachdb
    replication: consensus
    members: { fra: 2, lon: 2, ams: 1 }
    writeLatencyBudgetMs: 20
`;

/** run() with derive/writes' clientWrite counted: the calls, and the (leader, client) pairs asked for. */
function counted(s: Scenario) {
  const ctx = analyzeFile("t.topology.yaml", HEADER + DESIGN).contexts[0];
  const module = writes as { clientWrite: typeof writes.clientWrite };
  const original = module.clientWrite;
  const pairs: string[] = [];
  module.clientWrite = (c, q, p, client, o) => {
    if (q.label.includes("ledger")) pairs.push(`${p.site}→${client}`);
    return original(c, q, p, client, o);
  };
  try {
    return { result: run(ctx, s), pairs };
  } finally {
    module.clientWrite = original;
  }
}

test("each write route of a quorum is worked out once per judgement, whatever reads it", () => {
  for (const s of [ALL_UP, { ...ALL_UP, cut: [["fra", "lon"]] }] as Scenario[]) {
    const { result, pairs } = counted(s);
    const ledger = result.quorums.find((q) => q.name.includes("ledger"));
    assert.ok(ledger, "the ledger is judged");
    // every placement's routes are reported, so each pair is asked for at least once ...
    const reported = Object.entries(ledger.writesByLeader).flatMap(([at, routes]) => Object.keys(routes).map((c) => `${at}→${c}`));
    assert.ok(reported.length >= 6, `routes reported: ${reported.join(", ")}`);
    for (const r of reported) assert.ok(pairs.includes(r), `${r} was computed`);
    // ... and none twice
    assert.deepEqual(
      pairs.filter((p, i) => pairs.indexOf(p) !== i),
      [],
      `computed more than once: ${pairs.join(", ")}`,
    );
  }
});
