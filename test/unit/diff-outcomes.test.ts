/**
 * Review M146: `quorate diff` called a change "no regression" when the verdict word held while an
 * outcome got worse — a cluster's Kubernetes API newly stopping, or a site's writes that succeeded
 * now failing. A regression is any scenario outcome that gets worse (whatif.md, "The diff of two
 * designs"): both count, in text, Markdown and JSON; the same outcome in both versions, or one that
 * got better, does not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone } from "../../server/src/analysis";
import { API_STOP, diff, gotWorse, WRITES_FAIL } from "../../server/src/whatif/diff";
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

/** The product's own example of fixing a design: the draft and the reviewed version. */
const example = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");

test("a crossing in a scenario whose verdict improved is shown, not counted; a new site's scenario no worse than the old worst is new (review M164)", () => {
  const d = compare(example("payments-eu.topology.yaml"), example("payments-eu-reviewed.topology.yaml"));
  // fra's writes fail because the majority moved to lon and ams: the design working, the verdict down → degraded
  const p = d.scenarios.find((s) => s.scenario === PARTITION)!;
  assert.deepEqual([p.before, p.after], ["down", "degraded"]);
  const fra = d.changes.find((c) => c.scenario === PARTITION && c.measure === "writeLatencyMs" && c.from === "fra")!;
  assert.deepEqual([fra.crosses, fra.regression, fra.uncounted], [WRITES_FAIL, false, "its verdict improved"]);
  // the witness the review adds: its loss and cuts compared with all up and with the draft's worst of each kind (down)
  const ams = d.scenarios.find((s) => s.scenario === "lose ams")!;
  assert.deepEqual([ams.before, ams.after, ams.only, ams.worstBefore, ams.counted], ["ok", "degraded", "after", "down", false]);
  assert.equal(gotWorse(ams), false);
  assert.deepEqual(
    d.scenarios.filter((s) => s.counted === false).map((s) => s.scenario),
    ["lose ams", "cut fra–ams", "cut lon–ams", "partition fra,lon / ams"],
  );
  assert.equal(d.regressions, 0);
  const text = diffText(d, false);
  assert.match(text, /^ {4}partition fra \/ lon,ams: store ledger writes from fra < 1 ms → writes fail$/m);
  assert.match(
    text,
    /^ {2}new {5}lose ams — the same as partition fra,lon \/ ams \(ams is new in this version; before: all up; the old design's worst single-site loss was down: not counted\): ok → degraded$/m,
  );
  assert.match(text, /\nno regressions\n$/);
  const md = diffMarkdown(d);
  assert.match(md, /^\| partition fra \/ lon,ams \| store ledger writes from fra &lt; 1 ms → writes fail \| no: its verdict improved \|$/m);
  assert.match(md, /^\| 🆕 new \| lose ams — the same as partition fra,lon \/ ams \(ams is new/m);
  const json = JSON.parse(diffJson(d));
  assert.equal(json.regressions, 0);
  assert.equal(json.scenarios.find((s: { scenario: string }) => s.scenario === "lose ams").counted, false);
  assert.equal(
    json.changes.find(
      (c: { scenario: string; from?: string; measure: string }) =>
        c.scenario === PARTITION && c.from === "fra" && c.measure === "writeLatencyMs",
    ).uncounted,
    "its verdict improved",
  );
});

test("a new site's scenario worse than the old design's worst of its kind is counted (review M164)", () => {
  // par joins next to fra with two ledger members and the change sets a 28 ms budget: cutting fra–par is degraded,
  // where no single-link cut of the old design was worse than ok
  const after = design(`{ fra: 2, lon: 2, ams: 1, par: 2 }\n    writeLatencyBudgetMs: 28`)
    .replace("    role: witness\n", "    role: witness\n  - name: par\n")
    .replace(
      "links:\n",
      "links:\n  - between: [fra, par]\n    rttMs: 2\n  - between: [lon, par]\n    rttMs: 13\n  - between: [ams, par]\n    rttMs: 10\n",
    );
  const d = compare(design(BALANCED), after);
  const cut = d.scenarios.find((s) => s.scenario === "cut fra–par")!;
  assert.deepEqual([cut.before, cut.after, cut.only, cut.worstBefore, cut.counted], ["ok", "degraded", "after", "ok", undefined]);
  assert.equal(gotWorse(cut), true);
  assert.match(diffText(d, false), /^ {2}worse {3}cut fra–par \(par is new in this version; before: all up\): ok → degraded$/m);
  // cut lon–ams (ok → degraded, both versions' link) and cut fra–par, besides the moves under held verdicts
  assert.deepEqual(
    d.scenarios.filter(gotWorse).map((s) => s.scenario),
    ["cut fra–par", "cut lon–ams"],
  );
  assert.ok(d.regressions >= 2, String(d.regressions));
});
