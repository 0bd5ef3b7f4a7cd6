// Review M82: weight 0 is how active-passive steering is written — weighted DNS answers with its
// zero-weight records once every weighted one is unhealthy (Route 53's documented failover), a
// GSLB its backup pool. When every remaining backend has weight 0 they take the load, equally;
// before, Σw = 0 read as "unserved · no backend remains" beside the backend it said was gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityText } from "../../server/src/availability/render";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { loadOf, scenario } from "../../server/src/math/traffic";
import { toNumber } from "../../server/src/math/rational";
import { check, HEADER } from "../helpers";

const design = (standby: string) => `sites:
  - { name: fra, availability: 0.999 }
  - { name: lon, availability: 0.999 }
links:
  - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
clusters:
  - { name: fra-1, site: fra }
  - { name: lon-1, site: lon }
traffic:
  - name: api
    steering: gslb
    ttlSeconds: 60
    peakRps: 30000
    backends:
      - { cluster: fra-1, weight: 100, capacityRps: 30000 }
      - { cluster: lon-1, weight: ${standby}, capacityRps: 30000 }
`;
const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];

test("math/traffic: standbys (weight 0) take the load equally once every weighted backend is down; idle while one is up", () => {
  const bs = [
    { site: "fra", weight: 100, capacity: 30000 },
    { site: "lon", weight: 0, capacity: 30000 },
    { site: "par", weight: 0, capacity: 30000 },
  ];
  const up = scenario(30000, bs);
  assert.equal(up.standby, undefined);
  assert.deepEqual(
    [0, 1, 2].map((i) => toNumber(loadOf(up, i)!)),
    [30000, 0, 0],
  );
  const lost = scenario(30000, bs, "fra");
  assert.equal(lost.standby, true);
  assert.equal(lost.stranded, false);
  assert.deepEqual(
    [1, 2].map((i) => toNumber(loadOf(lost, i)!)),
    [15000, 15000],
  );
  // nothing left at all: still stranded
  assert.equal(scenario(30000, bs, () => true).stranded, true);
});

test("simulate --lose fra: the weight-0 standby serves, and the note says why; availability counts it", () => {
  const r = run(ctxOf(design("0")), { ...ALL_UP, lose: ["fra"] });
  const api = r.traffic.find((t) => t.name === "api")!;
  assert.equal(api.outcome, "served");
  assert.deepEqual(
    api.backends.map((b) => b.loadRps),
    [null, 30000],
  );
  assert.ok(
    r.notes.some((n) =>
      /^traffic api: standby backends take the load \(weight 0: served only when every weighted backend is lost\) — lon-1 takes all 30,000 rps/.test(
        n,
      ),
    ),
  );
  assert.ok(!r.breaks.some((b) => /no backend remains/.test(b)));
  // the same availability as a weighted standby that can carry it all: only losing both sites leaves it unserved
  const figure = (w: string) => /traffic api \(traffic\): ([\d.]+%)/.exec(availabilityText(ctxOf(design(w))))?.[1];
  assert.equal(figure("0"), figure("1"));
});

// The rest of M82: a backend carrying 0 rps in a scenario writes nothing there, so it is no writer
// of the stores its entry depends on — not judged against their write budget, never "erroring".
const ledger = (standby: string) => `sites:
  - { name: fra, availability: 0.999 }
  - { name: lon, availability: 0.999 }
  - { name: ams, role: witness, availability: 0.995 }
links:
  - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
  - { between: [fra, ams], rttMs: 9, availability: 0.9995 }
  - { between: [lon, ams], rttMs: 8, availability: 0.9995 }
clusters:
  - { name: fra-1, site: fra }
  - { name: lon-1, site: lon }
stores:
  - name: ledger
    engine: cockroachdb
    replication: consensus
    members: { fra: 2, lon: 2, ams: 1 }
    writeLatencyBudgetMs: 20
traffic:
  - name: api
    steering: gslb
    ttlSeconds: 60
    peakRps: 30000
    dependsOn: [ledger]
    backends:
      - { cluster: fra-1, weight: 100, capacityRps: 30000 }
      - { cluster: lon-1, weight: ${standby}, capacityRps: 30000 }
`;

test("a 0-rps standby is no writer: losing ams leaves fra writing within the budget (lon-1 idle), while an active lon-1 is over it", () => {
  const ams = (w: string) => run(ctxOf(ledger(w)), { ...ALL_UP, lose: ["ams"] });
  const idle = ams("0");
  const q = idle.quorums.find((x) => x.name === "store ledger")!;
  assert.deepEqual(q.clientSites, ["fra"]);
  assert.equal(q.outcome, "continues");
  const lon = idle.traffic[0].backends[1];
  assert.equal(lon.loadRps, 0);
  assert.deepEqual(lon.writes, []);
  assert.equal(lon.errors, false);
  assert.equal(lon.overBudget, false);
  assert.deepEqual(
    idle.breaks.filter((b) => /budget|errors/.test(b)),
    [],
  );
  // the same lon-1 carrying half the load writes from lon: over the budget (the test can fail)
  const active = ams("1");
  assert.ok(active.breaks.some((b) => /^traffic api: writes from lon-1 \(lon\) to store ledger .* above the 20 ms budget/.test(b)));
  // all up: the leader is advised where the writers are (fra), not at ams for a standby that writes nothing
  const up = run(ctxOf(ledger("0")), ALL_UP);
  assert.deepEqual(up.quorums.find((x) => x.name === "store ledger")!.clientSites, ["fra"]);
  assert.ok(!up.notes.some((n) => /keep its leader in ams/.test(n)));
  // once it takes the load (fra lost) the standby writes, and is judged
  const lost = run(ctxOf(ledger("0")), { ...ALL_UP, lose: ["fra"] });
  assert.deepEqual(lost.quorums.find((x) => x.name === "store ledger")!.clientSites, ["lon"]);
  assert.equal(lost.traffic[0].backends[1].writes.length, 1);
});

test("rtt/write-budget judges the writers simulate judges: a 0-rps standby's site is no writer with every site up (review M82)", () => {
  const tight = (w: string) => ledger(w).replace("writeLatencyBudgetMs: 20", "writeLatencyBudgetMs: 15");
  const budget = (w: string) => check(tight(w)).filter((f) => f.code === "rtt/write-budget");
  // lon-1 active: lon writes too, and every placement is over 15 ms (fra: lon 23 ms; lon: fra 22 ms; ams: fra 17 ms)
  const active = budget("1");
  assert.equal(active.length, 1);
  assert.match(
    active[0].message,
    /no leader placement keeps writes within the 15 ms budget — best is ams: from fra 17 ms .*, from lon 16 ms/,
  );
  // lon-1 a standby (weight 0, 0 rps while fra-1 is up): fra alone writes, 9 ms with the leader at fra
  assert.deepEqual(budget("0"), []);
  const up = run(ctxOf(tight("0")), ALL_UP);
  assert.equal(up.verdict, "ok");
  assert.ok(!up.breaks.some((b) => /budget/.test(b)), up.breaks.join("\n"));
  assert.ok(run(ctxOf(tight("1")), ALL_UP).breaks.some((b) => /15 ms budget/.test(b)));
});
