/**
 * Review M146: `quorate diff` called a change "no regression" when the verdict word held while an
 * outcome got worse — a cluster's Kubernetes API newly stopping, or a site's writes that succeeded
 * now failing. A regression is any scenario outcome that gets worse (whatif.md, "The diff of two
 * designs"): both count, in text, Markdown and JSON; the same outcome in both versions, or one that
 * got better, does not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone } from "../../server/src/analysis";
import { API_STOP, diff, WRITES_FAIL } from "../../server/src/whatif/diff";
import { diffJson, diffMarkdown, diffText } from "../../server/src/whatif/render";

/** fra and lon serve checkout from a ledger voting over fra, lon and the witness ams; `etcd` is fra-prod's. */
const design = (ledger: string, etcd = "{ fra: 3 }") => `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata:
  name: w
sites:
  - name: fra
  - name: lon
  - name: ams
    role: witness
links:
  - between: [fra, lon]
    rttMs: 14
  - between: [fra, ams]
    rttMs: 9
  - between: [lon, ams]
    rttMs: 8
clusters:
  - name: fra-prod
    site: fra
    network: { pods: 10.10.0.0/16, services: 10.96.0.0/16, nodes: 192.168.10.0/24 }
    etcd: { members: ${etcd} }
  - name: lon-prod
    site: lon
    network: { pods: 10.11.0.0/16, services: 10.97.0.0/16, nodes: 192.168.20.0/24 }
stores:
  - name: ledger
    engine: cockroachdb 24.1
    replication: consensus
    members: ${ledger}
traffic:
  - name: checkout
    steering: gslb
    ttlSeconds: 60
    peakRps: 1000
    dependsOn: [ledger]
    backends:
      - cluster: fra-prod
        capacityRps: 2000
      - cluster: lon-prod
        capacityRps: 2000
`;
const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
const compare = (before: string, after: string) => diff(side("before.topology.yaml", before), side("after.topology.yaml", after));
const PARTITION = "partition fra / lon,ams";
const BALANCED = "{ fra: 2, lon: 2, ams: 1 }";

test("writes from lon that succeeded now fail with the verdict unchanged: a regression (review M146)", () => {
  const d = compare(design(BALANCED), design("{ fra: 3, lon: 1, ams: 1 }"));
  const p = d.scenarios.find((s) => s.scenario === PARTITION)!;
  // the verdict word holds: degraded on both sides (one site's writes fail in each)
  assert.deepEqual([p.before, p.after], ["degraded", "degraded"]);
  const lon = d.changes.find((c) => c.scenario === PARTITION && c.measure === "writeLatencyMs" && c.from === "lon")!;
  assert.deepEqual([lon.before, lon.after, lon.crosses, lon.regression], [8, null, WRITES_FAIL, true]);
  // the other side of the boundary: fra's writes, which failed before and now succeed, got better — no regression
  const fra = d.changes.find((c) => c.scenario === PARTITION && c.measure === "writeLatencyMs" && c.from === "fra")!;
  assert.deepEqual([fra.before, fra.after, fra.crosses, fra.regression], [null, 0, undefined, false]);
  // lose fra: lon's writes fail too, but the verdict got worse (ok → down) and counts it, once
  const lose = d.changes.find((c) => c.scenario === "lose fra" && c.measure === "writeLatencyMs" && c.from === "lon")!;
  assert.deepEqual([lose.crosses, lose.regression], [WRITES_FAIL, false]);
  // lose fra's verdict, the new quorum/site-loss error and the partition's failing writes
  assert.equal(d.regressions, 3);
  const text = diffText(d, false);
  assert.match(text, /^ {2}! partition fra \/ lon,ams: store ledger writes from lon 8 ms → writes fail$/m);
  assert.match(text, /^3 regressions$/m);
  assert.match(diffMarkdown(d), /^\| partition fra \/ lon,ams \| store ledger writes from lon 8 ms → writes fail \| 🔴 yes \|$/m);
  const json = JSON.parse(diffJson(d));
  assert.equal(json.regressions, 3);
  assert.equal(
    json.changes.find((c: { scenario: string; from?: string }) => c.scenario === PARTITION && c.from === "lon").crosses,
    WRITES_FAIL,
  );
  // the same design on both sides: nothing moves, nothing counts
  assert.equal(compare(design(BALANCED), design(BALANCED)).regressions, 0);
});

test("a cluster's API that newly stops with the verdict unchanged: a regression, counted once with its etcd's failing writes (review M146)", () => {
  const d = compare(design(BALANCED), design(BALANCED, BALANCED));
  const p = d.scenarios.find((s) => s.scenario === PARTITION)!;
  assert.deepEqual([p.before, p.after], ["degraded", "degraded"]);
  assert.deepEqual([p.apiStopsBefore, p.apiStopsAfter, p.apiStopsNew], [[], ["fra-prod at fra"], ["fra-prod at fra"]]);
  // the etcd's writes from fra failing are that stop: not counted twice
  const etcd = d.changes.find((c) => c.scenario === PARTITION && c.entity === "etcd of cluster fra-prod")!;
  assert.deepEqual([etcd.after, etcd.regression, etcd.countedAs], [null, false, API_STOP]);
  // cut fra–lon and cut fra–ams (ok → degraded) and the partition's new API stop
  assert.equal(d.regressions, 3);
  const text = diffText(d, false);
  assert.match(text, /^ {2}! partition fra \/ lon,ams: API stops for none → fra-prod at fra$/m);
  assert.match(text, /^3 regressions$/m);
  const md = diffMarkdown(d);
  assert.match(md, /^\| partition fra \/ lon,ams \| API stops for none → fra-prod at fra \| 🔴 yes \|$/m);
  assert.match(
    md,
    /^\| partition fra \/ lon,ams \| etcd of cluster fra-prod writes from fra &lt; 1 ms → writes fail \| 🔴 yes, as the API stop above \|$/m,
  );
  const json = JSON.parse(diffJson(d));
  assert.deepEqual(json.scenarios.find((s: { scenario: string }) => s.scenario === PARTITION).apiStopsNew, ["fra-prod at fra"]);
  assert.equal(json.regressions, 3);
  // the other side of the boundary: the API that stopped before and no longer does got better — said, not counted
  const back = compare(design(BALANCED, BALANCED), design(BALANCED));
  const q = back.scenarios.find((s) => s.scenario === PARTITION)!;
  assert.deepEqual([q.apiStopsBefore, q.apiStopsAfter, q.apiStopsNew], [["fra-prod at fra"], [], undefined]);
  assert.equal(back.regressions, 0);
  assert.match(diffText(back, false), /^ {4}partition fra \/ lon,ams: API stops for fra-prod at fra → none$/m);
});
