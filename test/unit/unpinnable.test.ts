// A consensus store whose engine cannot keep its leader where it is put (review M98): etcd and
// Consul elect whoever campaigns first, so the write budget is judged where an election may leave
// the leader, never at a pin — while CockroachDB's lease preferences keep the pin advice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { budgetOf, budgetText } from "../../server/src/availability/budget";
import { leaderUnpinnable } from "../../server/src/derive/engines";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { decisionRecord } from "../../server/src/whatif/record";

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
const withEngine = (engine: string) => {
  const text = REVIEWED.replace("engine: cockroachdb", `engine: ${engine}`);
  if (engine !== "cockroachdb") assert.notEqual(text, REVIEWED);
  return analyzeFile("t.topology.yaml", text).contexts[0];
};

test("leaderUnpinnable: etcd and Consul cannot keep a leader; CockroachDB, YugabyteDB, TiDB and MongoDB can", () => {
  assert.match(leaderUnpinnable("etcd")!, /`etcdctl move-leader` holds only until the next election/);
  assert.match(leaderUnpinnable("etcd-3.5")!, /^etcd cannot pin it/);
  assert.match(leaderUnpinnable("HashiCorp Consul")!, /^Consul cannot pin it/);
  for (const e of ["cockroachdb", "yugabytedb", "tidb", "mongodb", "etcdish-db", undefined])
    assert.equal(leaderUnpinnable(e), undefined, String(e));
});

test("an etcd-engined store is judged where an election may put its leader: all up is degraded, no pin is advised", () => {
  const etcd = run(withEngine("etcd"), ALL_UP);
  assert.equal(etcd.verdict, "degraded");
  const ledger = etcd.quorums.find((q) => q.name === "store ledger")!;
  assert.equal(ledger.leader, "ams");
  assert.equal(ledger.judgedLeader, "fra");
  assert.ok(
    etcd.breaks.some((b) =>
      /^traffic checkout: writes from lon-prod \(lon\) to store ledger go to its leader in fra \(where an election may put it — etcd cannot pin it: .*\): 14 ms there and back plus the 9 ms commit = 23 ms, above the 20 ms budget; with the leader in ams every writer is within it, but nothing keeps it there$/.test(
        b,
      ),
    ),
    etcd.breaks.join("\n"),
  );
  assert.ok(!etcd.notes.some((n) => /keep its leader in/.test(n)), etcd.notes.join("\n"));
  // the same design on CockroachDB: judged at the pin, with the advice to set it
  const crdb = run(withEngine("cockroachdb"), ALL_UP);
  assert.equal(crdb.verdict, "ok");
  assert.ok(
    crdb.notes.some((n) =>
      /^store ledger: keep its leader in ams \(CockroachDB lease preferences\), the best pin for write latency:/.test(n),
    ),
  );
});

test("availability and the record offer no pin for an etcd- or Consul-engined store", () => {
  for (const engine of ["etcd", "consul"]) {
    const ctx = withEngine(engine);
    const b = budgetOf(ctx, ctx.topology.storeByName.get("ledger")!)!;
    assert.equal(b.pin, null, engine);
    assert.match(b.noPin!, engine === "etcd" ? /^etcd cannot pin it/ : /^Consul cannot pin it/);
    // over whenever the leader sits where an election may leave it: the best end is that figure too
    assert.equal(b.overBestProbability, b.overProbability);
    assert.ok(b.overProbability > 0.99, String(b.overProbability));
    assert.match(
      budgetText(b),
      /at the leader placement the what-if engine judges \(the worst for the writers where placement decides; (etcd|Consul) cannot pin it/,
    );
    assert.doesNotMatch(budgetText(b), /pinned at/);
    const { analysis, findings } = analyzeAlone("t.topology.yaml", REVIEWED.replace("engine: cockroachdb", `engine: ${engine}`));
    const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
    assert.match(
      md,
      /With the leader in ams, every writing site's writes are within the 20 ms budget, but nothing keeps it there \((etcd|Consul) cannot pin it/,
    );
    assert.doesNotMatch(md, /pin it there/);
  }
  const crdb = withEngine("cockroachdb");
  const b = budgetOf(crdb, crdb.topology.storeByName.get("ledger")!)!;
  assert.equal(b.pin, "ams");
  assert.equal(b.noPin, undefined);
});
