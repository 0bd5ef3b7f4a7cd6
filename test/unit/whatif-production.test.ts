// What-if answers as production behaves (issue 20, whatif.md revised): each case at its
// boundary, through the engine and through `quorate simulate --format json`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { decisionRecord } from "../../server/src/whatif/record";
import { hoverAt } from "../../server/src/hover/hover";
import { completeAt } from "../../server/src/nav/completion";
import { sanitizeScenario } from "../../server/src/service/whatif";
import { ALL_UP, run, runIsolate, type Scenario, sweep } from "../../server/src/whatif/engine";
import { FRA_LON, FRA_LON_AMS, HEADER, inTempDir, only, sitesAndLinks } from "../helpers";

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const sc = (s: Partial<Scenario>): Scenario => ({ ...ALL_UP, ...s });
const cli = (argv: string[], body: string) => inTempDir({ "t.topology.yaml": HEADER + body }, (_dir, run) => run(argv));
const simJson = (argv: string[], body: string) => {
  const r = cli(["simulate", ...argv, "--format", "json", "t.topology.yaml"], body);
  assert.notEqual(r.code, 2, r.stderr);
  return { code: r.code, json: JSON.parse(r.stdout) };
};

// a single-writer async store at fra behind GSLB over fra, lon and ams
const SINGLE_WRITER = `${FRA_LON_AMS}clusters:
  - { name: fra-prod, site: fra }
  - { name: lon-prod, site: lon }
  - { name: ams-prod, site: ams }
stores:
  - name: carts
    replication: async
    writers: [fra]
    replicas: [lon]
    maxLagSeconds: 10
    writeRatePerSecond: 1000
    writeBytes: 1024
    lagBufferBytes: BUFFER
traffic:
  - name: checkout
    steering: gslb
    peakRps: 30000
    dependsOn: [carts]
    backends:
      - { cluster: fra-prod, capacityRps: 30000 }
      - { cluster: lon-prod, capacityRps: 30000 }
      - { cluster: ams-prod, capacityRps: 30000 }
`;
const TAIL = 10 * 1000 * 1024; // 10,240,000 bytes

test("502s after a site loss: every remaining backend erroring makes the scenario down, one erroring of two degraded", () => {
  const ctx = ctxOf(SINGLE_WRITER.replace("BUFFER", String(TAIL)));
  const lose = run(ctx, sc({ lose: ["fra"] }));
  const tr = lose.traffic[0];
  assert.equal(tr.outcome, "errors");
  assert.deepEqual(
    tr.backends.map((b) => [b.cluster, b.loadRps, b.errors, b.errorRps]),
    [
      ["fra-prod", null, false, 0],
      ["lon-prod", 15000, true, 15000],
      ["ams-prod", 15000, true, 15000],
    ],
  );
  assert.equal(tr.errorRps, 30000);
  assert.equal(lose.verdict, "down", "no client's write succeeds");
  assert.ok(
    lose.breaks.some((b) =>
      /lon-prod \(lon\) still gets 15,000 rps from gslb, but store carts has no writer lon reaches \(fra lost\)/.test(b),
    ),
    lose.breaks.join("\n"),
  );
  // one backend cut off, the others still reach the writer: errors on one, degraded
  const split = run(ctx, sc({ partition: [["lon"]] }));
  assert.equal(split.name, "partition lon / (fra,ams)");
  assert.deepEqual(
    split.traffic[0].backends.map((b) => [b.cluster, b.errors, b.errorRps]),
    [
      ["fra-prod", false, 0],
      ["lon-prod", true, 10000],
      ["ams-prod", false, 0],
    ],
  );
  assert.equal(split.traffic[0].errorRps, 10000);
  assert.equal(split.verdict, "degraded");
  // all up: no errors anywhere
  const all = run(ctx, ALL_UP);
  assert.equal(all.traffic[0].outcome, "served");
  assert.equal(all.traffic[0].errorRps, 0);
  // through the CLI's JSON
  const { code, json } = simJson(["--lose", "fra"], SINGLE_WRITER.replace("BUFFER", String(TAIL)));
  assert.equal(code, 1);
  assert.equal(json.verdict, "down");
  assert.equal(json.traffic[0].errorRps, 30000);
  assert.deepEqual(json.traffic[0].backends[1], {
    cluster: "lon-prod",
    site: "lon",
    loadRps: 15000,
    capacityRps: 30000,
    headroomRps: 15000,
    overloaded: false,
    errors: true,
    errorRps: 15000,
    errorsFrom: ["carts"],
    writeLatencyMs: null,
    overBudget: false,
    writes: [],
  });
});

test("RPO: at risk exactly at the lag buffer; one byte less and the bound does not hold (rpoUnbounded, seconds the buffer holds)", () => {
  const at = run(ctxOf(SINGLE_WRITER.replace("BUFFER", String(TAIL))), sc({ lose: ["fra"] }));
  assert.deepEqual(at.stores[0], {
    name: "carts",
    replication: "async",
    outcome: "writes-stop",
    atRiskBytes: TAIL,
    rpoUnbounded: false,
    everyCopyLost: false,
    rpoUnknown: false,
  });
  assert.ok(at.breaks.some((b) => /up to 10,240,000 bytes \(9\.8 MiB\) of acknowledged writes in fra may be lost/.test(b)));
  const over = run(ctxOf(SINGLE_WRITER.replace("BUFFER", String(TAIL - 1))), sc({ lose: ["fra"] }));
  assert.deepEqual(over.stores[0], {
    name: "carts",
    replication: "async",
    outcome: "writes-stop",
    atRiskBytes: null,
    rpoUnbounded: true,
    everyCopyLost: false,
    rpoUnknown: false,
  });
  assert.ok(
    over.breaks.some((b) => /does not fit the lag buffer of 10,239,999 bytes \(9\.8 MiB\), which holds 10 s of writes/.test(b)),
    over.breaks.join("\n"),
  );
  // nothing lost: no tail at risk
  assert.equal(run(ctxOf(SINGLE_WRITER.replace("BUFFER", String(TAIL))), sc({ lose: ["lon"] })).stores[0].atRiskBytes, null);
  const { json } = simJson(["--lose", "fra"], SINGLE_WRITER.replace("BUFFER", String(TAIL - 1)));
  assert.equal(json.stores[0].rpoUnbounded, true);
  assert.equal(json.stores[0].atRiskBytes, null);
});

test("a multi-writer store losing a writer site continues but its tail is at risk; an overflowing buffer alone makes it degraded", () => {
  const body = `${FRA_LON}stores:\n  - name: carts\n    replication: crdt\n    writers: [fra, lon]\n    maxLagSeconds: 2\n    writeRatePerSecond: 500\n    writeBytes: 100\n    lagBufferBytes: BUF\n`;
  const ok = run(ctxOf(body.replace("BUF", "100000")), sc({ lose: ["lon"] }));
  assert.equal(ok.stores[0].outcome, "continues");
  assert.equal(ok.stores[0].atRiskBytes, 100000, "2 s × 500/s × 100 bytes");
  assert.equal(ok.verdict, "ok");
  assert.ok(
    ok.notes.some((n) => /writes continue on fra, but up to 100,000 bytes \(97\.7 KiB\) of acknowledged writes in lon may be lost/.test(n)),
  );
  const overflow = run(ctxOf(body.replace("BUF", "99999")), sc({ lose: ["lon"] }));
  assert.equal(overflow.stores[0].rpoUnbounded, true);
  assert.equal(overflow.verdict, "degraded");
  assert.equal(simJson(["--lose", "lon"], body.replace("BUF", "100000")).json.stores[0].atRiskBytes, 100000);
});

test("M147: a crdt writer site lost with no maxLagSeconds is an unknown RPO, never 'nothing breaks'; maxLagSeconds bounds it in seconds", () => {
  const body = (lag: string) =>
    `${FRA_LON}clusters:\n  - { name: fra-prod, site: fra }\n  - { name: lon-prod, site: lon }\nstores:\n  - name: carts\n    replication: crdt\n    writers: [fra, lon]\n${lag}`;
  const none = run(ctxOf(body("")), sc({ lose: ["fra"] }));
  assert.equal(none.verdict, "ok", "the contract's verdict: the other writer keeps taking writes");
  assert.deepEqual([none.stores[0].outcome, none.stores[0].atRiskBytes, none.stores[0].rpoUnknown], ["continues", null, true]);
  const note = none.notes.find((n) => n.startsWith("store carts:")) ?? "";
  assert.match(
    note,
    /^store carts: writes continue on lon, but the writes fra acknowledged and had not yet replicated are lost — how many is unknown: no maxLagSeconds bounds the lag, so the RPO is unknown \(declare maxLagSeconds, the lag the store is kept under, to bound it; .*\); if fra comes back with its disks, those writes reach lon then — where both changed one row, the store's CRDTs merge both sides' writes$/,
  );
  // simulate (text and md) and the record say it in the headline, never "nothing breaks"
  const text = cli(["simulate", "--lose", "fra", "t.topology.yaml"], body("")).stdout;
  assert.match(text, /store carts +continues · RPO unknown: no maxLagSeconds\n/);
  assert.match(text, /\n {10}nothing stops, but the RPO of store carts is unknown\n/);
  assert.doesNotMatch(text, /nothing breaks/);
  assert.match(
    cli(["simulate", "--lose", "fra", "--format", "md", "t.topology.yaml"], body("")).stdout,
    /\nNothing stops, but the RPO of store carts is unknown\.\n/,
  );
  const { analysis, findings } = analyzeAlone("t.topology.yaml", HEADER + body(""));
  const record = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(record, /\n- \*\*lose fra\*\*: nothing stops, .*but the RPO of store carts is unknown:\n/);
  assert.doesNotMatch(record, /\*\*lose fra\*\*: nothing breaks/);
  // the boundary: maxLagSeconds alone bounds the RPO in seconds (bytes unknown) — "nothing breaks", as a known tail reads
  const lag = run(ctxOf(body("    maxLagSeconds: 30\n")), sc({ lose: ["fra"] }));
  assert.deepEqual([lag.stores[0].atRiskBytes, lag.stores[0].rpoUnknown], [null, false]);
  assert.ok(
    lag.notes.some((n) =>
      /^store carts: writes continue on lon, but up to the last 30 s of acknowledged writes in fra may be lost \(maxLagSeconds; how many bytes is unknown: declare writeRatePerSecond and writeBytes to size them\); if fra comes back/.test(
        n,
      ),
    ),
    lag.notes.join("\n"),
  );
  assert.match(cli(["simulate", "--lose", "fra", "t.topology.yaml"], body("    maxLagSeconds: 30\n")).stdout, /\n {10}nothing breaks\n/);
  // nothing lost, nothing unknown: all up
  assert.equal(run(ctxOf(body("")), ALL_UP).stores[0].rpoUnknown, false);
  // the diff names the unknown side, never a bare "none"
  const files = {
    "old.topology.yaml": HEADER + body(""),
    "new.topology.yaml": HEADER + body("    maxLagSeconds: 30\n    writeRatePerSecond: 100\n    writeBytes: 10\n"),
  };
  const d = inTempDir(files, (_dir, run) => run(["diff", "--format", "json", "old.topology.yaml", "new.topology.yaml"]));
  const c = JSON.parse(d.stdout).changes.find(
    (x: { scenario: string; measure: string }) => x.scenario === "lose fra" && x.measure === "atRiskBytes",
  );
  assert.deepEqual(c && [c.before, c.beforeNote, c.after], [null, "unknown: no maxLagSeconds bounds the lag", 30000]);
});

// 1+1+1 over fra/lon/nyc: fra–lon 14, fra–nyc 70, lon–nyc 75 ms
const THREE = (budget: number) => `${sitesAndLinks(
  ["fra", "lon", "nyc"],
  [
    ["fra", "lon", 14],
    ["fra", "nyc", 70],
    ["lon", "nyc", 75],
  ],
)}stores:
  - name: ledger
    replication: consensus
    members: { fra: 1, lon: 1, nyc: 1 }
    writeLatencyBudgetMs: ${budget}
`;

test("commit latency after a loss: over the members that still vote, judged against the budget exactly", () => {
  const all = run(ctxOf(THREE(20)), ALL_UP).quorums[0];
  assert.equal(all.commitLatencyMs, 14);
  assert.equal(all.leader, "fra");
  const lose = run(ctxOf(THREE(20)), sc({ lose: ["fra"] }));
  assert.equal(lose.quorums[0].outcome, "over-budget");
  assert.equal(lose.quorums[0].commitLatencyMs, 75);
  assert.equal(lose.quorums[0].leader, "lon");
  assert.equal(lose.quorums[0].overBudget, true);
  assert.equal(lose.verdict, "degraded");
  assert.match(lose.breaks[0], /best commit latency is 75 ms \(leader in lon, 2 of 3 members voting\) — above the 20 ms budget/);
  // with nyc a witness, lon alone writes (no traffic entry: the non-witness member sites stand in): its write is the commit
  const witness = (budget: number) => THREE(budget).replace("  - name: nyc\n", "  - name: nyc\n    role: witness\n");
  const exactly = run(ctxOf(witness(75)), sc({ lose: ["fra"] }));
  assert.equal(exactly.quorums[0].outcome, "continues", "75 ms against a 75 ms budget is within it");
  assert.equal(exactly.verdict, "ok");
  assert.equal(run(ctxOf(witness(74)), sc({ lose: ["fra"] })).quorums[0].outcome, "over-budget");
  // nyc's own application would write to the leader in lon: 75 ms there + the 75 ms commit
  const nyc = run(ctxOf(THREE(75)), sc({ lose: ["fra"] }));
  assert.equal(nyc.quorums[0].outcome, "over-budget");
  assert.match(nyc.breaks[0], /from nyc 150 ms/);
  const { json } = simJson(["--lose", "fra"], THREE(20));
  assert.deepEqual(
    [json.quorums[0].outcome, json.quorums[0].commitLatencyMs, json.quorums[0].leader, json.quorums[0].overBudget],
    ["over-budget", 75, "lon", true],
  );
});

const FEDERATED = `${FRA_LON}clusters:
  - name: fra-prod
    site: fra
    etcd: { members: { fra: 3 } }
  - name: lon-prod
    site: lon
    etcd: { members: { lon: 3 } }
`;

test("federated control planes: a per-site etcd is lost with its site (ok); a stretched 3+2 is lost with its cluster's site, and stops (down) when it loses its 3 elsewhere", () => {
  const ctx = ctxOf(FEDERATED);
  const lose = run(ctx, sc({ lose: ["fra"] }));
  assert.deepEqual(
    lose.quorums.map((q) => [q.name, q.outcome]),
    [
      ["etcd of cluster fra-prod", "lost"],
      ["etcd of cluster lon-prod", "continues"],
    ],
  );
  assert.deepEqual(lose.clusters, [
    { name: "fra-prod", site: "fra", outcome: "lost", apiStops: false, controlPlaneAt: [], evictionAfterSeconds: null },
    { name: "lon-prod", site: "lon", outcome: "up", apiStops: false, controlPlaneAt: [], evictionAfterSeconds: null },
  ]);
  assert.equal(lose.verdict, "ok");
  assert.ok(lose.notes.some((n) => /^cluster fra-prod is lost with fra; its control plane \(etcd, 3 in fra\) is lost with it/.test(n)));
  for (const r of sweep(ctx, "single").map((s) => run(ctx, s))) assert.equal(r.verdict, "ok", r.name);
  // fra-prod runs at fra: its etcd stopping with fra (2 of 5 left) harms nobody, the cluster is lost with the site
  const stretched = ctxOf(FEDERATED.replace("{ fra: 3 }", "{ fra: 3, lon: 2 }"));
  const s = run(stretched, sc({ lose: ["fra"] }));
  assert.equal(s.quorums[0].outcome, "lost", "2 of 5 left, majority 3, but fra-prod is lost with fra");
  assert.equal(s.verdict, "ok");
  assert.ok(
    s.notes.some((n) =>
      /its control plane \(etcd, 3 in fra, 2 in lon\) is lost with it: the members left elsewhere are short of a majority/.test(n),
    ),
  );
  assert.equal(run(stretched, sc({ lose: ["lon"] })).quorums[0].outcome, "continues");
  // lon-prod's etcd with 3 members at fra: losing fra stops the API of a cluster still running at lon
  const away = ctxOf(FEDERATED.replace("{ lon: 3 }", "{ fra: 3, lon: 2 }"));
  const a = run(away, sc({ lose: ["fra"] }));
  assert.deepEqual(
    a.quorums.map((q) => [q.name, q.outcome]),
    [
      ["etcd of cluster fra-prod", "lost"],
      ["etcd of cluster lon-prod", "stops"],
    ],
  );
  assert.equal(a.verdict, "down");
  assert.equal(simJson(["--lose", "fra"], FEDERATED).json.quorums[0].outcome, "lost");
});

test("a control plane hosted at another site (review M87): losing it stops the API of the cluster still running (down); cut off, its nodes lose their whole control plane", () => {
  const hosted = ctxOf(FEDERATED.replace("{ lon: 3 }", "{ fra: 3 }"));
  const lose = run(hosted, sc({ lose: ["fra"] }));
  assert.deepEqual(
    lose.quorums.map((q) => [q.name, q.outcome]),
    [
      ["etcd of cluster fra-prod", "lost"],
      ["etcd of cluster lon-prod", "stops"],
    ],
  );
  assert.equal(lose.verdict, "down");
  assert.ok(
    lose.breaks.some((b) =>
      /^etcd of cluster lon-prod: losing fra leaves 0 of 3 members; majority is 2 — writes stop\. lon-prod's whole etcd was at fra, none at lon where its nodes run, so lon-prod has no API .* until fra returns or its etcd is restored from a snapshot/.test(
        b,
      ),
    ),
    lose.breaks.join("\n"),
  );
  // lost with its own site, as before: the cluster goes with it
  assert.equal(run(hosted, sc({ lose: ["lon"] })).quorums[1].outcome, "continues");
  const cut = run(hosted, sc({ partition: [["fra"], ["lon"]] }));
  assert.equal(cut.verdict, "degraded");
  assert.ok(
    cut.breaks.some((b) =>
      /^cluster lon-prod: its API stops at lon — its nodes at lon are cut off from its whole control plane \(etcd at fra\)\./.test(b),
    ),
    cut.breaks.join("\n"),
  );
  assert.ok(!cut.breaks.some((b) => /etcd members at lon/.test(b)));
  // every Node of lon-prod may be on the cut-off side: eviction only if its control-plane hosts are Nodes (review M92)
  const api = cut.breaks.find((b) => b.startsWith("cluster lon-prod:"))!;
  assert.match(
    api,
    /; if its control-plane hosts at fra are Nodes of lon-prod \(kubeadm stacked\), from about 340 s into the cut that control plane evicts them: .*; if none of its Nodes stays Ready \(a hosted control plane\), the node controller enters full-disruption mode and evicts nothing \(see "Pod eviction"\)$/,
  );
  // a stretched etcd's members elsewhere are Nodes that stay Ready: the eviction is said without a condition
  const stretched = run(ctxOf(FEDERATED.replace("{ lon: 3 }", "{ lon: 1, fra: 2 }")), sc({ partition: [["fra"], ["lon"]] }));
  const lonApi = stretched.breaks.find((b) => b.startsWith("cluster lon-prod:"));
  assert.ok(lonApi, stretched.breaks.join("\n"));
  assert.match(lonApi, /; from about 340 s into the cut that control plane evicts them: /);
  assert.doesNotMatch(lonApi, /evicts nothing/);
});

const ETCD3 = (p99: string) => `sites:
  - name: a
  - name: b
  - name: c
links:
  - { between: [a, b], rttMs: 10${p99} }
  - { between: [a, c], rttMs: 10 }
  - { between: [b, c], rttMs: 10 }
clusters:
  - name: k
    site: a
    etcd: { members: { a: 1, b: 1, c: 1 }, heartbeatMs: 100, electionTimeoutMs: 1000 }
`;

test("excursions scale typical and p99: flapping once heartbeat + RTT reaches the election timeout; below 10 × RTT a risk; at the heartbeat a note", () => {
  // p99 40 × 2.5 = 100: 10 × 100 = 1000, not above the timeout — a note at the heartbeat
  const at = run(ctxOf(ETCD3(", rttP99Ms: 40")), sc({ rttFactor: 2.5 }));
  assert.equal(at.quorums[0].outcome, "continues");
  assert.equal(at.quorums[0].flapping, false);
  assert.ok(
    at.notes.some((n) =>
      /p99 40 ms × 2\.5 = 100 ms \(a–b\), at or above the 100 ms heartbeat: heartbeats are sent faster than the RTT/.test(n),
    ),
    at.notes.join("\n"),
  );
  // past etcd's 10 × RTT margin (1040 > 1000) heartbeats still arrive in time: a risk, not flapping
  const margin = run(ctxOf(ETCD3(", rttP99Ms: 40")), sc({ rttFactor: 2.6 }));
  assert.equal(margin.quorums[0].outcome, "continues");
  assert.equal(margin.verdict, "ok");
  assert.ok(
    margin.notes.some((n) =>
      /p99 40 ms × 2\.6 = 104 ms \(a–b\): the 1000 ms election timeout is below etcd's 10 × RTT margin \(1040 ms\) — .*a risk of leader flapping, not flapping itself/.test(
        n,
      ),
    ),
    margin.notes.join("\n"),
  );
  // flapping once heartbeat + RTT reaches the election timeout: 100 + 40 × 22.5 = 1000; × 22.4 = 996 is still a risk
  assert.equal(run(ctxOf(ETCD3(", rttP99Ms: 40")), sc({ rttFactor: 22.4 })).quorums[0].outcome, "continues");
  const past = run(ctxOf(ETCD3(", rttP99Ms: 40")), sc({ rttFactor: 22.5 }));
  assert.equal(past.quorums[0].outcome, "flapping");
  assert.match(
    past.breaks[0],
    /p99 40 ms × 22\.5 = 900 ms \(a–b\); with the 100 ms heartbeat that is 1000 ms, at or above the 1000 ms election timeout/,
  );
  // without a p99 the typical is scaled; a named slow link only
  assert.equal(run(ctxOf(ETCD3("")), sc({ slow: [{ between: ["b", "a"], factor: 89 }] })).quorums[0].outcome, "continues");
  assert.equal(run(ctxOf(ETCD3("")), sc({ slow: [{ between: ["b", "a"], factor: 90 }] })).quorums[0].outcome, "flapping");
  // commit latency uses the scaled typical: 1+1+1 from a waits for the nearer of b and c
  assert.equal(run(ctxOf(ETCD3(", rttP99Ms: 40")), sc({ rttFactor: 3 })).quorums[0].commitLatencyMs, 30);
  // factors: > 1 and ≤ 1000 on the CLI
  assert.equal(cli(["simulate", "--rtt-factor", "1000", "t.topology.yaml"], ETCD3("")).code, 1, "1000 is allowed (and flaps)");
  for (const f of ["1", "0.5", "1e308", "1000.001", "NaN", ""]) {
    const r = cli(["simulate", "--rtt-factor", f, "t.topology.yaml"], ETCD3(""));
    assert.equal(r.code, 2, `--rtt-factor '${f}'`);
    assert.match(r.stderr, /takes a factor greater than 1 and at most 1000/);
  }
  const j = simJson(["--slow", "a-b=2"], ETCD3("")).json;
  assert.deepEqual(j.scenario.slow, [{ between: ["a", "b"], factor: 2 }]);
});

const HYPHENS = `sites:
  - name: eu-west
  - name: us-east
  - name: ap-south
links:
  - { between: [eu-west, us-east], rttMs: 70 }
  - { between: [eu-west, ap-south], rttMs: 120 }
  - { between: [us-east, ap-south], rttMs: 200 }
stores:
  - name: db
    replication: consensus
    members: { eu-west: 2, us-east: 2, ap-south: 1 }
`;

test("links with hyphenated site names: read against the declared names; an ambiguous reading is refused listing both", () => {
  const j = simJson(["--cut", "eu-west-us-east", "--slow", "us-east-ap-south=2"], HYPHENS).json;
  assert.deepEqual(j.scenario.cut, [["eu-west", "us-east"]]);
  assert.deepEqual(j.scenario.slow, [{ between: ["us-east", "ap-south"], factor: 2 }]);
  const ambiguous = `sites:\n  - name: a-b\n  - name: c\n  - name: a\n  - name: b-c\nlinks:\n  - { between: [a-b, c], rttMs: 1 }\n  - { between: [a, b-c], rttMs: 1 }\n`;
  const r = cli(["simulate", "--cut", "a-b-c", "t.topology.yaml"], ambiguous);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--cut 'a-b-c' names a link two ways: a and b-c, or a-b and c/);
  const unknown = cli(["simulate", "--cut", "eu-west-us-eats", "t.topology.yaml"], HYPHENS);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no site 'us-eats' in this topology — did you mean 'us-east'\?/);
  // the editor's request: links as { between }, hyphens intact, unknown names and bad factors dropped
  const s = sanitizeScenario(new Set(["eu-west", "us-east", "ap-south"]), {
    cut: [{ between: ["eu-west", "us-east"] }, { between: ["eu-west", "nowhere"] }],
    slow: [
      { between: ["us-east", "ap-south"], factor: 3 },
      { between: ["eu-west", "ap-south"], factor: 1 },
      { between: ["eu-west", "us-east"], factor: 1001 },
    ],
    rttFactor: 1e308,
  });
  assert.deepEqual(s.cut, [["eu-west", "us-east"]]);
  assert.deepEqual(s.slow, [{ between: ["us-east", "ap-south"], factor: 3 }]);
  assert.equal(s.rttFactor, null);
});

const FIVE = `${FRA_LON_AMS}clusters:
  - name: core
    site: fra
    etcd: { members: { fra: 2, lon: 2, ams: 1 } }
`;

test("a cut link is not a partition: fra and lon both reach ams, so who stops depends on where the leader is", () => {
  const r = run(ctxOf(FIVE), sc({ cut: [["fra", "lon"]] }));
  const q = r.quorums[0];
  assert.equal(q.outcome, "minority-stops");
  assert.deepEqual(q.byLeader, { fra: ["lon"], lon: ["fra"], ams: [] });
  // reported: the placement to pin (every member votes); judged: the worst, which strands core's own site
  assert.equal(q.leader, "ams");
  assert.equal(q.judgedLeader, "lon");
  assert.equal(r.clusters[0].apiStops, true);
  assert.equal(r.verdict, "degraded", "core's API at fra stops with the leader in lon");
  assert.ok(
    r.breaks.some((b) => /^cluster core: its API stops at fra — with its etcd leader in lon .* the members at fra stop/.test(b)),
    r.breaks.join("\n"),
  );
  assert.equal(r.name, "cut fra–lon");
  assert.ok(
    r.notes.some(
      (n) =>
        /where the leader is when the links go decides who stops/.test(n) &&
        /without them leadership may flap, so this is judged with the leader in lon/.test(n),
    ),
    r.notes.join("\n"),
  );
  // the same sites as a partition: fra alone stops, whoever leads
  const p = run(ctxOf(FIVE), sc({ partition: [["fra"], ["lon", "ams"]] })).quorums[0];
  assert.deepEqual(p.byLeader, { lon: ["fra"], ams: ["fra"] });
  // cutting both of ams's links as well leaves no site a majority
  const frozen = run(
    ctxOf(FIVE),
    sc({
      cut: [
        ["fra", "lon"],
        ["fra", "ams"],
        ["lon", "ams"],
      ],
    }),
  );
  assert.equal(frozen.quorums[0].outcome, "stops");
  assert.equal(frozen.verdict, "down");
  const { json } = simJson(["--cut", "lon-fra"], FIVE);
  assert.deepEqual(json.quorums[0].byLeader, { fra: ["lon"], lon: ["fra"], ams: [] });
});

test("isolate: the window while steering still sends the site its share, and after it is withdrawn", () => {
  const body = SINGLE_WRITER.replace("BUFFER", String(TAIL));
  const iso = runIsolate(ctxOf(body), "lon");
  assert.equal(iso.window.traffic[0].backends[1].errors, true, "lon-prod still gets clients and cannot reach the writer");
  assert.equal(iso.window.verdict, "degraded");
  assert.equal(iso.after.traffic[0].backends[1].loadRps, null, "withdrawn");
  assert.deepEqual(
    iso.after.traffic[0].backends.map((b) => b.loadRps),
    [15000, null, 15000],
  );
  assert.equal(iso.after.verdict, "ok");
  assert.equal(iso.verdict, "degraded");
  assert.equal(iso.windowSeconds, null, "no health check: unknown");
  assert.ok(iso.notes.some((n) => /no healthCheck is declared/.test(n)));
  const { code, json } = simJson(["--isolate", "lon"], body);
  assert.equal(code, 1);
  assert.deepEqual(Object.keys(json), ["scenario", "name", "windowSeconds", "window", "after", "verdict", "notes"]);
  assert.deepEqual(json.scenario, { isolate: "lon" });
  assert.deepEqual(json.after.scenario.withdraw, ["lon"]);
  // with a health check and a TTL the window is the RTO estimate: 10 s × 3 checks + 60 s TTL
  const timed = body.replace(
    "    steering: gslb\n",
    "    steering: gslb\n    ttlSeconds: 60\n    healthCheck: { intervalSeconds: 10, failureThreshold: 3 }\n",
  );
  const t = runIsolate(ctxOf(timed), "lon");
  assert.equal(t.windowSeconds, 90);
  // 90 s is the bound for a deep check only: an isolated site is still up, and a shallow check keeps passing (S9)
  assert.ok(
    t.notes.some((n) =>
      /with a deep health check \(one that writes through carts\), gslb stops sending clients to lon within 90 s \(10 s × 3 checks \+ 60 s TTL;.*a shallow check keeps passing on an isolated site that is still up, so the window lasts until someone withdraws lon \(then the 60 s TTL\)/.test(
        n,
      ),
    ),
    t.notes.join("\n"),
  );
  assert.equal(simJson(["--isolate", "lon"], timed).json.windowSeconds, 90);
  assert.match(
    cli(["simulate", "--isolate", "lon", "t.topology.yaml"], timed).stdout,
    /window, until steering withdraws lon \(about 90 s with a deep health check, longer for clients that ignore the TTL; with a shallow one, until an operator withdraws it\)/,
  );
  // a site no entry sends traffic to has no window to wait for: one judgement, said so (M9)
  const bare = timed.replace("      - { cluster: lon-prod, capacityRps: 30000 }\n", "");
  assert.equal(runIsolate(ctxOf(bare), "lon").windowSeconds, 0);
  assert.ok(runIsolate(ctxOf(bare), "lon").notes.includes("No traffic entry has a backend in lon: nothing to withdraw, one judgement"));
  const bareText = cli(["simulate", "--isolate", "lon", "t.topology.yaml"], bare).stdout;
  assert.doesNotMatch(bareText, /window|after steering withdraws/);
  const bad = cli(["simulate", "--isolate", "lon", "--partition", "fra/ams", "t.topology.yaml"], body);
  assert.equal(bad.code, 2);
});

test("M65: a site loss says the failover window — the share steering still sends the lost site goes unanswered until it stops", () => {
  const body = SINGLE_WRITER.replace("BUFFER", String(TAIL));
  const windowNotes = (r: { notes: readonly string[] }) => r.notes.filter((n) => /get no answer/.test(n));
  // no health check: how long is unknown, the share is said
  const unknown = windowNotes(run(ctxOf(body), sc({ lose: ["lon"] })));
  assert.deepEqual(unknown, [
    "traffic checkout: until gslb stops sending clients to lon — how long is unknown (no healthCheck is declared) — the 10,000 rps gslb sends there get no answer (connection timeouts); the loads are judged once it has stopped",
  ]);
  // DNS steering with a health check and a TTL: the RTO estimate, as --isolate's window
  const timed = body.replace(
    "    steering: gslb\n",
    "    steering: gslb\n    ttlSeconds: 60\n    healthCheck: { intervalSeconds: 10, failureThreshold: 3 }\n",
  );
  const [dns] = windowNotes(run(ctxOf(timed), sc({ lose: ["lon"] })));
  assert.match(
    dns,
    /^traffic checkout: until gslb stops sending clients to lon — within 90 s \(10 s × 3 checks \+ 60 s TTL; worst case for clients that honour the TTL/,
  );
  // two sites lost: their shares add up
  assert.match(
    windowNotes(run(ctxOf(timed), sc({ lose: ["lon", "ams"] })))[0],
    /to lon and ams — .* the 20,000 rps gslb sends them get no answer/,
  );
  // anycast: on a whole-site loss the upstream drops the route (hold time), not the site's own checker
  const anycast = timed.replace("steering: gslb", "steering: anycast").replace("    ttlSeconds: 60\n", "");
  assert.match(
    windowNotes(run(ctxOf(anycast), sc({ lose: ["lon"] })))[0],
    /nobody at lon withdraws it: .* declare healthCheck\.bgpHoldSeconds or bfd/,
  );
  const held = anycast.replace("failureThreshold: 3 }", "failureThreshold: 3, bgpHoldSeconds: 90, withdrawSeconds: 5 }");
  assert.match(
    windowNotes(run(ctxOf(held), sc({ lose: ["lon"] })))[0],
    /established connections are reset — .* within 95 s \(90 s BGP hold time \+ 5 s BGP withdrawal/,
  );
  // nothing to say where no backend sits at a lost site, where the site was withdrawn, or without a loss
  assert.deepEqual(windowNotes(run(ctxOf(timed), sc({ lose: ["ams"] }))).length, 1, "ams-prod is a backend");
  const noAms = timed.replace(/\n {6}- \{ cluster: ams-prod[^\n]*/, "");
  assert.deepEqual(windowNotes(run(ctxOf(noAms), sc({ lose: ["ams"] }))), []);
  assert.deepEqual(windowNotes(runIsolate(ctxOf(timed), "lon").after), []);
  assert.deepEqual(windowNotes(run(ctxOf(timed), sc({ partition: [["lon"]] }))), []);
  assert.deepEqual(windowNotes(run(ctxOf(timed), ALL_UP)), []);
  // every backend's site lost: no failover to wait for, the break says no backend remains
  const stranded = run(ctxOf(noAms), sc({ lose: ["fra", "lon"] }));
  assert.ok(
    stranded.breaks.some((b) => /no backend remains/.test(b)),
    stranded.breaks.join("\n"),
  );
  assert.deepEqual(windowNotes(stranded), []);
});

test("sweeps skip losing every site; partitions name the implicit group", () => {
  const two = ctxOf(`sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 1 }\n`);
  assert.equal(sweep(two, "double").length, 0, "a two-site design's double loss is losing everything");
  assert.equal(sweep(two, "single").length, 2);
  assert.equal(run(ctxOf(FIVE), sc({ partition: [["fra"], ["lon"]] })).name, "partition fra / lon / (ams)");
  assert.equal(run(ctxOf(FIVE), sc({ partition: [["fra"], ["lon", "ams"]] })).name, "partition fra / lon,ams");
});

test("an at-capacity backend says there is no headroom; headroomRps per backend", () => {
  const body = SINGLE_WRITER.replace("BUFFER", String(TAIL)).replace("peakRps: 30000", "peakRps: 60000");
  const r = run(ctxOf(body), sc({ lose: ["ams"] }));
  assert.deepEqual(
    r.traffic[0].backends.map((b) => b.headroomRps),
    [0, 0, null],
  );
  assert.equal(r.traffic[0].outcome, "served");
  assert.ok(
    r.notes.some(
      (n) => n === "traffic checkout: fra-prod is at capacity (30,000 rps of 30,000 rps): no headroom for retries or autoscaler lag",
    ),
  );
});

const WEIGHTS = (a: number, b: number) => `${FRA_LON}clusters:
  - { name: f, site: fra }
  - { name: l, site: lon }
traffic:
  - name: checkout
    steering: gslb
    peakRps: 40000
    backends:
      - { cluster: f, weight: ${a}, capacityRps: 25000 }
      - { cluster: l, weight: ${b}, capacityRps: 25000 }
  - name: search
    steering: gslb
    peakRps: 100
    backends:
      - { cluster: f, capacityRps: 50 }
`;

test("diff is quantitative: 50/50 → 30/70 moves load with no verdict change; headroom crossing 0 is a regression", () => {
  const files = { "old.topology.yaml": HEADER + WEIGHTS(50, 50), "new.topology.yaml": HEADER + WEIGHTS(30, 70) };
  const r = inTempDir(files, (_dir, run) => run(["diff", "--format", "json", "old.topology.yaml", "new.topology.yaml"]));
  const j = JSON.parse(r.stdout);
  // search is overloaded in both versions: "all up" is degraded before and after
  assert.deepEqual(
    j.scenarios.filter((s: { before: string; after: string }) => s.before !== s.after),
    [],
  );
  assert.deepEqual(
    j.changes.find(
      (c: { scenario: string; entity: string; measure: string }) =>
        c.scenario === "all up" && c.entity === "l" && c.measure === "headroomRps",
    ),
    { scenario: "all up", entity: "l", entry: "checkout", measure: "headroomRps", before: 5000, after: -3000, crosses: "headroom below 0" },
  );
  assert.deepEqual(
    j.changes.find(
      (c: { scenario: string; entity: string; measure: string }) => c.scenario === "all up" && c.entity === "f" && c.measure === "loadRps",
    ),
    { scenario: "all up", entity: "f", entry: "checkout", measure: "loadRps", before: 20000, after: 12000 },
  );
  assert.equal(j.regressions, 3, "two crossings (all up, the partition) and the new capacity/overload error finding");
  assert.equal(j.changes.filter((c: { measure: string; after: number }) => c.measure === "headroomRps" && c.after < 0).length, 2);
  assert.equal(r.code, 1);
  const text = inTempDir(files, (_dir, run) => run(["diff", "old.topology.yaml", "new.topology.yaml"])).stdout;
  assert.match(
    text,
    /Measures that moved \(largest first\):\n {2}! all up and partition fra \/ lon: l \(checkout\) load 20,000 → 28,000 rps, headroom 5,000 → −3,000 rps \(headroom below 0\)\n {4}all up and partition fra \/ lon: f \(checkout\) load 20,000 → 12,000 rps, headroom 5,000 → 13,000 rps\n\n/,
  );
  // the other way round nothing crosses a limit: no regression
  const back = inTempDir(files, (_dir, run) => run(["diff", "--format", "json", "new.topology.yaml", "old.topology.yaml"]));
  assert.equal(JSON.parse(back.stdout).regressions, 0);
  assert.equal(back.code, 0);
  // at exactly 0 headroom (25,000 of 25,000) nothing is crossed
  const exact = { ...files, "new.topology.yaml": HEADER + WEIGHTS(3, 5).replace("peakRps: 40000", "peakRps: 40000") };
  const e = JSON.parse(inTempDir(exact, (_dir, run) => run(["diff", "--format", "json", "old.topology.yaml", "new.topology.yaml"])).stdout);
  assert.equal(
    e.changes.find(
      (c: { entity: string; measure: string; scenario: string }) =>
        c.scenario === "all up" && c.entity === "l" && c.measure === "headroomRps",
    ).after,
    0,
  );
  assert.equal(e.regressions, 0);
});

test("a federated design and the same design without etcd: no regression in the diff", () => {
  const without = FEDERATED.replace("    etcd: { members: { fra: 3 } }\n", "").replace("    etcd: { members: { lon: 3 } }\n", "");
  const files = { "a.topology.yaml": HEADER + without, "b.topology.yaml": HEADER + FEDERATED };
  const r = inTempDir(files, (_dir, run) => run(["diff", "--format", "json", "a.topology.yaml", "b.topology.yaml"]));
  assert.equal(JSON.parse(r.stdout).regressions, 0, r.stdout);
  assert.equal(r.code, 0);
});

const EXPORTED = (by: string) => `${FRA_LON_AMS}clusters:
  - { name: fra-prod, site: fra }
  - { name: lon-prod, site: lon }
  - { name: ams-prod, site: ams }
exports:
  - { service: payments, namespace: finance, clusters: [${by}] }
`;

test("exports under a partition: servedBy per group, and clusters that reach no exporting cluster named", () => {
  const split = run(ctxOf(EXPORTED("fra-prod")), sc({ partition: [["fra"]] }));
  assert.deepEqual(split.exports, [
    {
      service: "payments",
      namespace: "finance",
      servedBy: ["fra-prod"],
      groups: [
        { sites: ["fra"], servedBy: ["fra-prod"] },
        { sites: ["lon", "ams"], servedBy: [] },
      ],
      affinity: "none",
      stale: [],
    },
  ]);
  assert.deepEqual(
    split.notes.filter((n) => n.startsWith("export ")),
    [
      "export finance/payments: lon-prod (lon) reaches no exporting cluster — calls from there have no reachable endpoint until the partition heals; fra-prod (fra) still serves it",
      "export finance/payments: ams-prod (ams) reaches no exporting cluster — calls from there have no reachable endpoint until the partition heals; fra-prod (fra) still serves it",
    ],
  );
  // all up: one group, nothing stranded
  const up = run(ctxOf(EXPORTED("fra-prod")), ALL_UP);
  assert.deepEqual(up.exports[0].groups, [{ sites: ["fra", "lon", "ams"], servedBy: ["fra-prod"] }]);
  assert.ok(!up.notes.some((n) => n.startsWith("export ")));
  // a cut link: lon no longer reaches fra, ams still does
  const cut = run(ctxOf(EXPORTED("fra-prod")), sc({ cut: [["fra", "lon"]] }));
  assert.deepEqual(
    cut.notes.filter((n) => n.startsWith("export ")),
    [
      "export finance/payments: lon-prod (lon) reaches no exporting cluster — calls from there have no reachable endpoint until the link heals; fra-prod (fra) still serves it",
    ],
  );
  // the other side of the boundary: an exporter lon reaches (ams) — no one is stranded
  const both = run(ctxOf(EXPORTED("fra-prod, ams-prod")), sc({ cut: [["fra", "lon"]] }));
  assert.ok(!both.notes.some((n) => n.startsWith("export ")), both.notes.join("\n"));
  // exports never change the verdict by themselves
  assert.equal(split.verdict, "ok");
  const { json } = simJson(["--partition", "fra/lon,ams"], EXPORTED("fra-prod, lon-prod"));
  assert.deepEqual(json.exports[0].groups, [
    { sites: ["fra"], servedBy: ["fra-prod"] },
    { sites: ["lon", "ams"], servedBy: ["lon-prod"] },
  ]);
  assert.deepEqual(json.exports[0].servedBy, ["fra-prod", "lon-prod"]);
});

// S15: a ClusterMesh global Service over fra-prod, lon-prod (and ams-prod) — Cilium keeps a lost or
// cut-off cluster's endpoints and does not health-check them
const MESHED = (by: string, affinity = "") => `${FRA_LON_AMS}clusters:
  - { name: fra-prod, site: fra, id: 1, mesh: clustermesh }
  - { name: lon-prod, site: lon, id: 2, mesh: clustermesh }
  - { name: ams-prod, site: ams, id: 3, mesh: clustermesh }
exports:
  - { service: payments, namespace: finance, clusters: [${by}]${affinity ? `, affinity: ${affinity}` : ""} }
`;

test("S15: a ClusterMesh export keeps a lost or cut-off cluster's endpoints — the share of calls that time out, degraded, and affinity local as the fix", () => {
  // lose lon: fra-prod still sends half its calls to lon-prod's endpoints (none, Cilium's default)
  const lost = run(ctxOf(MESHED("fra-prod, lon-prod")), sc({ lose: ["lon"] }));
  assert.deepEqual(lost.exports[0].servedBy, ["fra-prod"]);
  assert.equal(lost.exports[0].affinity, "none");
  assert.deepEqual(lost.exports[0].stale, [{ cluster: "fra-prod", site: "fra", unreachable: ["lon-prod"], share: 0.5 }]);
  assert.equal(lost.verdict, "degraded");
  assert.deepEqual(
    lost.breaks.filter((b) => b.startsWith("export ")),
    [
      "export finance/payments: fra-prod (fra) still sends about half of its calls (with equal replicas per cluster) to the endpoints of lon-prod (lost) — Cilium keeps a lost or cut-off cluster's endpoints in a global Service without health-checking them (its remote cache is never revoked unless clustermesh-cache-ttl, Cilium 1.19 and later, is set), so those calls time out until lon-prod is reachable again; annotate the Service `service.cilium.io/affinity: local` (`affinity: local` on the export) to keep fra-prod's calls on its own endpoints while it has any",
    ],
  );
  // a cut link: each side sends half its calls to the other's endpoints; ams-prod (not exporting) is not judged a caller
  const cut = run(ctxOf(MESHED("fra-prod, lon-prod")), sc({ cut: [["fra", "lon"]] }));
  assert.deepEqual(
    cut.exports[0].stale.map((x) => [x.cluster, x.unreachable, x.share]),
    [
      ["fra-prod", ["lon-prod"], 0.5],
      ["lon-prod", ["fra-prod"], 0.5],
    ],
  );
  assert.equal(cut.verdict, "degraded");
  assert.ok(cut.breaks.some((b) => /lon-prod \(lon\) still sends about half .* fra-prod \(cut off\)/.test(b)));
  // three exporters, one lost: 1 in 3 from each of the others
  const three = run(ctxOf(MESHED("fra-prod, lon-prod, ams-prod")), sc({ lose: ["ams"] }));
  assert.deepEqual(
    three.exports[0].stale.map((x) => [x.cluster, x.share]),
    [
      ["fra-prod", 1 / 3],
      ["lon-prod", 1 / 3],
    ],
  );
  assert.ok(three.breaks.some((b) => b.includes("still sends about 1 in 3 of its calls")));
  // affinity local: each side keeps its calls on its own endpoints — nothing breaks
  for (const scenario of [sc({ lose: ["lon"] }), sc({ cut: [["fra", "lon"]] }), sc({ partition: [["fra"]] })]) {
    const local = run(ctxOf(MESHED("fra-prod, lon-prod", "local")), scenario);
    assert.deepEqual(local.exports[0].stale, [], local.name);
    assert.equal(local.exports[0].affinity, "local");
    assert.equal(local.verdict, "ok", local.name);
  }
  // affinity remote: every call goes to the other side's endpoints while any is listed
  const remote = run(ctxOf(MESHED("fra-prod, lon-prod", "remote")), sc({ lose: ["lon"] }));
  assert.deepEqual(remote.exports[0].stale, [{ cluster: "fra-prod", site: "fra", unreachable: ["lon-prod"], share: 1 }]);
  assert.match(
    remote.breaks.join("\n"),
    /still sends every one of its calls to the endpoints of lon-prod \(lost\) .* its affinity is remote/,
  );
  // all up, or a loss that leaves every endpoint reachable: no stale calls
  assert.deepEqual(run(ctxOf(MESHED("fra-prod, lon-prod")), ALL_UP).exports[0].stale, []);
  assert.deepEqual(run(ctxOf(MESHED("fra-prod, lon-prod")), sc({ lose: ["ams"] })).exports[0].stale, []);
  // not a ClusterMesh (no mesh declared): not judged
  assert.deepEqual(run(ctxOf(EXPORTED("fra-prod, lon-prod")), sc({ lose: ["lon"] })).exports[0].stale, []);
  // through the CLI: the JSON carries affinity and stale; the text table says it
  const { json } = simJson(["--lose", "lon"], MESHED("fra-prod, lon-prod"));
  assert.equal(json.verdict, "degraded");
  assert.deepEqual(json.exports[0].stale, [{ cluster: "fra-prod", site: "fra", unreachable: ["lon-prod"], share: 0.5 }]);
  const text = cli(["simulate", "--lose", "lon", "t.topology.yaml"], MESHED("fra-prod, lon-prod")).stdout;
  assert.match(text, /export finance\/payments +served by fra-prod · fra-prod sends 50% of its calls to unreachable lon-prod/);
  // affinity remote: fra-prod is up but none of its calls are answered — the row does not say "served by" it
  const remoteRow = cli(["simulate", "--lose", "lon", "t.topology.yaml"], MESHED("fra-prod, lon-prod", "remote")).stdout;
  assert.match(
    remoteRow,
    /export finance\/payments +fra-prod up, its calls all time out \(affinity remote\) · fra-prod sends 100% of its calls/,
  );
  assert.doesNotMatch(remoteRow, /served by fra-prod/);
  const split = cli(["simulate", "--partition", "fra/lon,ams", "t.topology.yaml"], MESHED("fra-prod, lon-prod", "remote")).stdout;
  assert.match(
    split,
    /fra-prod up in fra, its calls all time out \(affinity remote\) · lon-prod up in lon and ams, its calls all time out/,
  );
  // a group with no exporting cluster: said so, not "served by no cluster" (review style)
  const alone = cli(["simulate", "--partition", "ams/fra,lon", "t.topology.yaml"], MESHED("fra-prod, lon-prod")).stdout;
  assert.match(alone, /export finance\/payments +no exporting cluster in ams · served by fra-prod, lon-prod in fra and lon$/m);
  // the field's hover and completion come from the schema
  const withLocal = HEADER + MESHED("fra-prod, lon-prod", "local");
  const hover = hoverAt(analyzeFile("t.topology.yaml", withLocal), withLocal.indexOf("affinity: local") + 2)?.markdown ?? "";
  assert.match(hover, /service\.cilium\.io\/affinity/);
  assert.match(hover, /clustermesh-cache-ttl/);
  const block = `${HEADER}exports:\n  - service: payments\n    namespace: finance\n    clusters: [fra-prod]\n    affinity: \n`;
  const at = block.split("\n").findIndex((l) => l.startsWith("    affinity:"));
  assert.deepEqual(
    completeAt(block, at, "    affinity: ".length, undefined).map((c) => c.label),
    ["local", "remote", "none"],
  );
  // a value that is not one of the three is the schema's finding
  const bad = analyzeAlone("t.topology.yaml", HEADER + MESHED("fra-prod, lon-prod", "nearest"));
  assert.ok(
    bad.findings.some((f) => f.code === "schema" && /affinity/.test(f.message + JSON.stringify(f))),
    JSON.stringify(bad.findings.map((f) => f.message)),
  );
});

// Galera over fra/lon/ams (fra–lon 14, fra–ams 4, lon–ams 4): no leader, every node takes writes
const GALERA = (budget: number) => `${sitesAndLinks(
  ["fra", "lon", "ams"],
  [
    ["fra", "lon", 14],
    ["fra", "ams", 4],
    ["lon", "ams", 4],
  ],
)}clusters:
  - { name: fra-prod, site: fra }
  - { name: lon-prod, site: lon }
stores:
  - name: ledger
    replication: galera
    members: { fra: 1, lon: 1, ams: 1 }
    writeLatencyBudgetMs: ${budget}
traffic:
  - name: pay
    steering: gslb
    peakRps: 1000
    dependsOn: [ledger]
    backends:
      - { cluster: fra-prod, capacityRps: 1000 }
      - { cluster: lon-prod, capacityRps: 1000 }
`;

test("Galera: a commit waits one round trip from its writer to the farthest node; no leader; the budget judged after a loss, exactly", () => {
  const up = run(ctxOf(GALERA(10)), ALL_UP).quorums[0];
  assert.deepEqual([up.outcome, up.commitLatencyMs, up.leader, up.writer], ["continues", 4, null, "ams"]);
  // the backends write to their own site's node: 14 ms from fra and lon — the clients' writes are over budget, so degraded
  const upRun = run(ctxOf(GALERA(10)), ALL_UP);
  assert.ok(
    upRun.breaks.includes(
      "traffic pay: writes from fra-prod (fra) to store ledger commit in 14 ms (the node in fra waits one round trip to the farthest node before certifying), above the 10 ms budget; the best site to write from commits in 4 ms",
    ),
    upRun.breaks.join("\n"),
  );
  assert.deepEqual(
    upRun.traffic[0].backends.map((b) => [b.cluster, b.writeLatencyMs, b.overBudget]),
    [
      ["fra-prod", 14, true],
      ["lon-prod", 14, true],
    ],
  );
  assert.equal(upRun.verdict, "degraded");
  assert.equal(run(ctxOf(GALERA(14)), ALL_UP).verdict, "ok", "14 ms against a 14 ms budget is within it");
  // losing ams leaves fra and lon 14 ms apart: over the budget, from whichever site writes
  const lose = run(ctxOf(GALERA(10)), sc({ lose: ["ams"] }));
  assert.deepEqual(
    [lose.quorums[0].outcome, lose.quorums[0].commitLatencyMs, lose.quorums[0].writer, lose.quorums[0].overBudget, lose.verdict],
    ["over-budget", 14, "fra", true, "degraded"],
  );
  assert.match(
    lose.breaks[0],
    /^store ledger: the best commit latency is 14 ms \(writes from fra: the write-set reaches every node of the primary component, 2 of 3 members, before certification\) — above the 10 ms budget$/,
  );
  // exactly at the budget is within it; one below is not
  assert.equal(run(ctxOf(GALERA(14)), sc({ lose: ["ams"] })).quorums[0].outcome, "continues");
  assert.equal(run(ctxOf(GALERA(13)), sc({ lose: ["ams"] })).quorums[0].outcome, "over-budget");
  // losing two of three: no primary component, writes stop
  assert.equal(run(ctxOf(GALERA(10)), sc({ lose: ["ams", "lon"] })).quorums[0].outcome, "stops");
  const { json } = simJson(["--lose", "ams"], GALERA(10));
  assert.deepEqual(
    [json.quorums[0].kind, json.quorums[0].commitLatencyMs, json.quorums[0].leader, json.quorums[0].writer, json.quorums[0].outcome],
    ["galera", 14, null, "fra", "over-budget"],
  );
  // rtt/commit-budget judges the same best commit: 4 ms against 3 is over, against 4 is not
  const over = only(GALERA(3), "rtt/commit-budget");
  assert.equal(over.length, 1);
  assert.match(
    over[0].message,
    /best-case commit latency is 4 ms \(writes from ams: the write-set reaches every node before certification\) — above the 3 ms budget/,
  );
  assert.deepEqual(only(GALERA(4), "rtt/commit-budget"), []);
  assert.equal(run(ctxOf(GALERA(3)), ALL_UP).quorums[0].overBudget, true);
  // the decision record reads the same derivation: per site that writes, against the budget
  const { analysis, findings } = analyzeAlone("g.topology.yaml", HEADER + GALERA(10));
  const md = decisionRecord({ path: "g.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    md,
    /Commit latency by the site that writes \(Galera has no leader[^\n]*\), against the 10 ms budget:\n\n\| writes from \| commit latency \| budget \|\n\|[-| ]+\|\n\| fra \| 14 ms \| [^|]+ \|\n\| lon \| 14 ms \| [^|]+ \|\n\| ams \| 4 ms \| [^|]+ \|/,
  );
});

test("diff: a side with no number says why (unbounded RPO, writes stop), never a bare none", () => {
  // the same store with a lag buffer one byte short of the tail, then exactly the tail
  const files = {
    "old.topology.yaml": HEADER + SINGLE_WRITER.replace("BUFFER", String(TAIL - 1)),
    "new.topology.yaml": HEADER + SINGLE_WRITER.replace("BUFFER", String(TAIL)),
  };
  const r = inTempDir(files, (_dir, run) => run(["diff", "--format", "json", "old.topology.yaml", "new.topology.yaml"]));
  const c = JSON.parse(r.stdout).changes.find(
    (x: { scenario: string; measure: string }) => x.scenario === "lose fra" && x.measure === "atRiskBytes",
  );
  assert.deepEqual(c && [c.before, c.beforeNote, c.after, c.afterNote], [null, "unbounded: the lag buffer overflows", TAIL, undefined]);
  const text = inTempDir(files, (_dir, run) => run(["diff", "old.topology.yaml", "new.topology.yaml"])).stdout;
  assert.match(text, /lose fra: store carts data at risk unbounded: the lag buffer overflows → 10,240,000 bytes \(9\.8 MiB\)\n/);
  // a quorum that stopped before and writes now
  const q = {
    "old.topology.yaml": HEADER + THREE(100).replace("{ fra: 1, lon: 1, nyc: 1 }", "{ fra: 2, lon: 1 }"),
    "new.topology.yaml": HEADER + THREE(100),
  };
  const qt = inTempDir(q, (_dir, run) => run(["diff", "old.topology.yaml", "new.topology.yaml"])).stdout;
  assert.match(qt, /lose fra: store ledger commit without the client's round trip writes stop → 75 ms\n/);
});

test("a scenario's null entries (slow, cut) are dropped, never read: the params fuzzer's seed 548883708 crashed here", () => {
  const s = sanitizeScenario(new Set(["fra", "lon"]), {
    slow: [1000.000001, null, { between: ["fra", "lon"], factor: 2 }],
    cut: [null],
  } as never);
  assert.deepEqual(s.slow, [{ between: ["fra", "lon"], factor: 2 }]);
  assert.deepEqual(s.cut, []);
});

// M30: what a heal does to a row both sides changed, by the store's conflict policy
test("M30: a multi-writer store's heal says crdt merges only CRDT-typed columns; elsewhere the later update wins per row", () => {
  const store = (rep: string, policy: string) => `${FRA_LON_AMS}clusters:
  - { name: fra-prod, site: fra }
  - { name: lon-prod, site: lon }
stores:
  - name: carts
    engine: postgres-bdr
    replication: ${rep}
    writers: [fra, lon]${policy ? `\n    conflictResolution: ${policy}` : ""}
`;
  const noteOf = (rep: string, policy: string) =>
    run(ctxOf(store(rep, policy)), sc({ cut: [["fra", "lon"]] })).notes.find((n) => n.startsWith("store carts:")) ?? "";
  const crdt = noteOf("async", "crdt");
  assert.doesNotMatch(crdt, /converge on heal \(crdt\)/);
  assert.match(
    crdt,
    /both keep accepting writes, exchanged on heal — where both changed one row \(conflictResolution: crdt\), only columns declared with CRDT types merge; in every other column the later update wins per row and the other site's change is discarded$/,
  );
  assert.match(
    noteOf("async", "last-writer-wins"),
    /\(conflictResolution: last-writer-wins\), the later update wins per row and the other site's change is discarded$/,
  );
  assert.match(noteOf("crdt", ""), /where both changed one row, the store's CRDTs merge both sides' writes$/);
  // the record's Decision says the same
  const { analysis, findings } = analyzeAlone("t.topology.yaml", HEADER + store("async", "crdt"));
  const text = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    text,
    /conflicts resolved by crdt: only columns declared with CRDT types merge; in every other column the later update wins per row/,
  );
});

test("M50: losing every site that holds a copy loses everything since the last backup, not the replication tail", () => {
  const two = `${FRA_LON_AMS}stores:\n  - name: carts\n    replication: async\n    writers: [fra, lon]\n    conflictResolution: crdt\n    maxLagSeconds: 10\n    writeRatePerSecond: 1000\n    writeBytes: 1024\n`;
  const both = run(ctxOf(two), sc({ lose: ["fra", "lon"] }));
  assert.deepEqual(both.stores[0], {
    name: "carts",
    replication: "async",
    outcome: "writes-stop",
    atRiskBytes: null,
    rpoUnbounded: false,
    everyCopyLost: true,
    rpoUnknown: false,
  });
  assert.ok(
    both.breaks.some((b) =>
      /^store carts: every writer site \(fra, lon\) is lost — writes stop; every copy is lost \(at fra and lon, none elsewhere\): only backups remain, so everything written since the last restorable backup is lost — the RPO is that backup's age, not the replication lag$/.test(
        b,
      ),
    ),
    both.breaks.join("\n"),
  );
  assert.ok(!both.breaks.some((b) => /may be lost/.test(b)));
  // one writer lost: the other still holds the data, its tail is what is at risk
  const one = run(ctxOf(two), sc({ lose: ["fra"] }));
  assert.deepEqual([one.stores[0].everyCopyLost, one.stores[0].atRiskBytes], [false, 10240000]);
  // a replica elsewhere is a copy: losing the writer and the replica's site together loses every copy, either alone does not
  const replica = two.replace("writers: [fra, lon]\n    conflictResolution: crdt", "writers: [fra]\n    replicas: [lon]");
  assert.equal(run(ctxOf(replica), sc({ lose: ["fra"] })).stores[0].everyCopyLost, false);
  assert.equal(run(ctxOf(replica), sc({ lose: ["fra", "lon"] })).stores[0].everyCopyLost, true);
  // simulate's row and JSON
  const text = cli(["simulate", "--lose", "fra,lon", "t.topology.yaml"], two).stdout;
  assert.match(text, /store carts +writes-stop · every copy lost: RPO is the last backup's age\n/);
  assert.equal(simJson(["--lose", "fra,lon"], two).json.stores[0].everyCopyLost, true);
  // every copy at one site: the record's RPO row says the backup, not the lag
  const alone = two.replace("writers: [fra, lon]\n    conflictResolution: crdt", "writers: [fra]");
  const { analysis, findings } = analyzeAlone("t.topology.yaml", HEADER + alone);
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    md,
    /\| carts \| everything written since the last restorable backup: every copy is at fra, none elsewhere \| the last backup's age \|/,
  );
  assert.match(
    run(ctxOf(alone), sc({ lose: ["fra"] })).breaks.join("\n"),
    /every copy is lost \(all at fra, none elsewhere\): only backups remain/,
  );
});

test("M38 (Galera): simulate's commit names the sites whose clients write, never the fastest node where nobody writes", () => {
  const text = cli(["simulate", "t.topology.yaml"], GALERA(20)).stdout;
  // ams's node commits in 4 ms, but pay writes from fra and lon: one round trip to the farthest node, 14 ms each
  assert.match(
    text,
    /store ledger +continues · commit 14 ms writing from fra, 14 ms from lon \(budget 20 ms\) \(no leader: every node takes writes\)/,
  );
  assert.doesNotMatch(text, /writing from ams/);
  // no traffic entry writes to it: its member sites stand in (as rtt/write-budget judges it), each said to be that
  const alone = GALERA(20).replace("    dependsOn: [ledger]\n", "");
  assert.match(
    cli(["simulate", "t.topology.yaml"], alone).stdout,
    /store ledger +continues · commit 14 ms writing from fra, 14 ms from lon, 4 ms from ams \(budget 20 ms\) \(no leader: every node takes writes; no traffic entry declares its writers, so its member sites stand in\)/,
  );
  // a client site left out of the primary component: the commits that happen, then whose writes fail — never
  // "commit writes fail from fra" (review M148.2)
  const cut = cli(["simulate", "--partition", "fra/lon,ams", "t.topology.yaml"], GALERA(20)).stdout;
  assert.match(
    cut,
    /store ledger +minority-stops · commit 4 ms writing from lon \(budget 20 ms\) \(no leader: every node takes writes\); writes from fra fail \(fra reaches no node of the primary component\)/,
  );
  assert.doesNotMatch(cut, /commit writes fail/);
});
