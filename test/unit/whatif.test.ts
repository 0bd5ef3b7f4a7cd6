import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { ALL_UP, run, type Scenario, sweep } from "../../server/src/whatif/engine";
import { HEADER, LEDGER_221, check, inTempDir, rng, seedFromEnv } from "../helpers";

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const sc = (s: Partial<Scenario>): Scenario => ({ ...ALL_UP, ...s });

const FIVE = LEDGER_221;

test("2+2+1: one site lost continues; two sites lost stop; a three-way partition stops", () => {
  const ctx = ctxOf(FIVE);
  const one = run(ctx, sc({ lose: ["fra"] }));
  assert.equal(one.quorums[0].outcome, "continues");
  assert.equal(one.verdict, "ok");
  const two = run(ctx, sc({ lose: ["fra", "ams"] }));
  assert.equal(two.quorums[0].outcome, "stops");
  assert.equal(two.verdict, "down");
  assert.match(two.breaks[0], /losing fra and ams leaves 2 of 5 members; majority is 3/);
  const three = run(ctx, sc({ partition: [["fra"], ["lon"], ["ams"]] }));
  assert.equal(three.quorums[0].outcome, "stops");
  const minority = run(ctx, sc({ partition: [["fra"], ["lon", "ams"]] }));
  assert.equal(minority.quorums[0].outcome, "minority-stops", "lon+ams hold exactly the majority, 3 of 5");
  assert.deepEqual(
    minority.quorums[0].groups.map((g) => [g.sites, g.members, g.writes]),
    [
      [["fra"], 2, false],
      [["lon", "ams"], 3, true],
    ],
  );
  // member losses: 2+2+1 losing one member in lon and one in ams leaves exactly the majority (3): writes go on,
  // but every commit now waits for both fra and lon (14 ms), so a write from lon to a leader in fra takes 28 ms —
  // over the 20 ms budget (no traffic entry writes to it: its member sites' writes are judged, as rtt/write-budget judges them)
  const members = run(ctx, sc({ loseMembers: { lon: 1, ams: 1 } }));
  assert.equal(members.quorums[0].outcome, "over-budget");
  assert.match(
    members.breaks[0],
    /best is fra: from fra 14 ms \(at the leader\), from lon 28 ms .*judged from its member sites fra, lon and ams\)/,
  );
  assert.equal(run(ctx, sc({ loseMembers: { lon: 2, ams: 1 } })).quorums[0].outcome, "stops");
});

test("3+2 losing the larger site stops; a latency excursion is judged against the budget", () => {
  const ctx = ctxOf(FIVE.replace("{ fra: 2, lon: 2, ams: 1 }", "{ fra: 3, lon: 2 }"));
  assert.equal(run(ctx, sc({ lose: ["fra"] })).quorums[0].outcome, "stops");
  assert.equal(run(ctx, sc({ lose: ["lon"] })).quorums[0].outcome, "continues");
  // 2+2+1, no traffic entry: the writes are judged from its member sites (derive/writes clientSitesOf), as
  // rtt/write-budget judges them. Best leader ams: fra's write is 9 ms to it + its 8 ms commit = 17 ms;
  // ×1.15: 19.55 ms ≤ 20, ×1.2: 20.4 ms > 20; ×3 the commit alone (24 ms) is over
  const five = ctxOf(FIVE);
  assert.equal(run(five, sc({ rttFactor: 1.15 })).quorums[0].outcome, "continues");
  const slow = run(five, sc({ rttFactor: 1.2 }));
  assert.equal(slow.quorums[0].outcome, "over-budget");
  assert.equal(slow.verdict, "degraded");
  assert.match(slow.breaks[0], /no leader placement keeps writes within the 20 ms budget — best is ams: from fra 20\.4 ms/);
  const three = run(five, sc({ rttFactor: 3 }));
  assert.equal(three.quorums[0].outcome, "over-budget");
  assert.match(three.breaks[0], /the best commit latency is 24 ms \(leader in ams/);
});

test("etcd flaps exactly when heartbeat + the scaled largest RTT reaches the election timeout", () => {
  const body = `sites:\n  - name: a\n  - name: b\n  - name: c\nlinks:\n  - { between: [a, b], rttMs: 10 }\n  - { between: [a, c], rttMs: 10 }\n  - { between: [b, c], rttMs: 10 }\nclusters:\n  - name: k\n    site: a\n    etcd: { members: { a: 1, b: 1, c: 1 }, heartbeatMs: 100, electionTimeoutMs: 1000 }\n`;
  const ctx = ctxOf(body);
  // below etcd's 10 × RTT margin is a risk (a note), not flapping: a follower calls an election only after a whole timeout without a heartbeat
  const risk = run(ctx, sc({ rttFactor: 10.1 }));
  assert.equal(risk.quorums[0].outcome, "continues");
  assert.ok(
    risk.notes.some((n) => /below etcd's 10 × RTT margin \(1010 ms\)/.test(n)),
    risk.notes.join("\n"),
  );
  assert.equal(run(ctx, sc({ rttFactor: 89.9 })).quorums[0].outcome, "continues", "100 + 899 ms < 1000");
  assert.equal(run(ctx, sc({ rttFactor: 90 })).quorums[0].outcome, "flapping", "100 + 900 ms = the timeout");
  assert.equal(run(ctx, sc({ slow: [{ between: ["b", "a"], factor: 90 }] })).quorums[0].outcome, "flapping", "one named link");
});

const TRAFFIC = `sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - { name: f, site: fra }
  - { name: l, site: lon }
stores:
  - name: carts
    replication: async
    writers: [fra]
    replicas: [lon]
    maxLagSeconds: 240
    writeRatePerSecond: 250
    writeBytes: 1024
traffic:
  - name: checkout
    steering: gslb
    peakRps: 40000
    dependsOn: [carts]
    backends:
      - { cluster: f, weight: 1, capacityRps: CAP }
      - { cluster: l, weight: 1, capacityRps: 20000 }
`;

test("40k RPS split evenly, 20k capacity per site: losing one overloads the other; exactly at capacity is served", () => {
  const ctx = ctxOf(TRAFFIC.replace("CAP", "20000"));
  const all = run(ctx, ALL_UP);
  assert.equal(all.traffic[0].outcome, "served", "20000 of 20000 is at capacity, not over");
  const lose = run(ctx, sc({ lose: ["fra"] }));
  assert.equal(lose.traffic[0].backends[1].overloaded, true);
  assert.deepEqual(lose.traffic[0].backends[1], {
    cluster: "l",
    site: "lon",
    loadRps: 40000,
    capacityRps: 20000,
    headroomRps: -20000,
    overloaded: true,
    // its only store writer (fra) is lost: lon's clients get errors as well
    errors: true,
    errorRps: 40000,
    errorsFrom: ["carts"],
    writeLatencyMs: null,
    overBudget: false,
    writes: [],
  });
  assert.equal(lose.traffic[0].outcome, "errors", "errors outrank overloaded");
  // with 40000 each, losing one site is served exactly at capacity
  const roomy = ctxOf(TRAFFIC.replace("CAP", "40000").replace("capacityRps: 20000 }", "capacityRps: 40000 }"));
  assert.equal(run(roomy, sc({ lose: ["lon"] })).traffic[0].outcome, "served", "f carries 40000 of 40000 and reaches its writer");
});

test("async RPO bytes when the writer site is lost; a partition cuts the GSLB backend off its store: errors", () => {
  const ctx = ctxOf(TRAFFIC.replace("CAP", "40000").replace("capacityRps: 20000 }", "capacityRps: 40000 }"));
  const lose = run(ctx, sc({ lose: ["fra"] }));
  assert.deepEqual(lose.stores[0], {
    name: "carts",
    replication: "async",
    outcome: "writes-stop",
    atRiskBytes: 61440000,
    rpoUnbounded: false,
    everyCopyLost: false,
    rpoUnknown: false,
  });
  assert.equal(lose.verdict, "down");
  const split = run(ctx, sc({ partition: [["fra"], ["lon"]] }));
  assert.equal(split.traffic[0].outcome, "errors");
  assert.deepEqual(
    split.traffic[0].backends.map((b) => [b.cluster, b.errors]),
    [
      ["f", false],
      ["l", true],
    ],
  );
  assert.ok(split.notes.some((b) => /replica in lon is cut off from every writer and serves stale reads/.test(b)));
  assert.equal(split.verdict, "degraded");
});

test("multi-writer without a policy corrupts under a partition; with a policy it diverges", () => {
  const body = `sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 5 }\nstores:\n  - name: s\n    replication: async\n    writers: [a, b]\n`;
  assert.equal(run(ctxOf(body), sc({ partition: [["a"], ["b"]] })).stores[0].outcome, "corrupts");
  assert.equal(run(ctxOf(body), sc({ partition: [["a"], ["b"]] })).verdict, "down");
  const lww = `${body}    conflictResolution: last-writer-wins\n`;
  assert.equal(run(ctxOf(lww), sc({ partition: [["a"], ["b"]] })).stores[0].outcome, "diverges");
  assert.equal(run(ctxOf(lww), sc({ partition: [["a"], ["b"]] })).verdict, "ok");
});

test("sweeps: every single site, every pair, every two-group split", () => {
  const ctx = ctxOf(FIVE);
  assert.deepEqual(
    sweep(ctx, "single").map((s) => s.lose),
    [["fra"], ["lon"], ["ams"]],
  );
  assert.equal(sweep(ctx, "double").length, 3);
  assert.equal(sweep(ctx, "partitions").length, 3, "2^(3−1) − 1");
});

test("property: a single-site-loss sweep agrees with quorum/site-loss and capacity/site-loss", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let i = 0; i < 150; i++) {
    const k = 2 + Math.floor(r() * 3);
    const sites = Array.from({ length: k }, (_, j) => `s${j}`);
    const links = sites.flatMap((a, x) => sites.slice(x + 1).map((b) => `  - { between: [${a}, ${b}], rttMs: 2 }`));
    const members = sites.map((s) => `${s}: ${Math.floor(r() * 4)}`).join(", ");
    const backends = sites.map(
      (s) => `      - { cluster: c${s}, weight: ${1 + Math.floor(r() * 3)}, capacityRps: ${100 * (1 + Math.floor(r() * 10))} }`,
    );
    const body = `sites:\n${sites.map((s) => `  - name: ${s}`).join("\n")}\nlinks:\n${links.join("\n")}\nclusters:\n${sites.map((s) => `  - { name: c${s}, site: ${s} }`).join("\n")}\nstores:\n  - name: db\n    replication: consensus\n    members: { ${members} }\ntraffic:\n  - name: t\n    peakRps: ${100 * (1 + Math.floor(r() * 10))}\n    backends:\n${backends.join("\n")}\n`;
    const ctx = ctxOf(body);
    const found = check(body).map((f) => f.code);
    const results = sweep(ctx, "single").map((s) => run(ctx, s));
    const q = ctx.quorums[0];
    const memberSites = q?.resolved ? [...q.counts.keys()] : [];
    if (memberSites.length >= 3) {
      const stops = results.some((x) => x.quorums[0]?.outcome === "stops");
      assert.equal(found.includes("quorum/site-loss"), stops, `seed ${seed} #${i}: quorum/site-loss vs the sweep\n${body}`);
    }
    const over = results.some((x) => x.traffic[0]?.outcome === "overloaded");
    assert.equal(found.includes("capacity/site-loss"), over, `seed ${seed} #${i}: capacity/site-loss vs the sweep\n${body}`);
  }
});

const cli = (argv: string[], files: Record<string, string>) => inTempDir(files, (_dir, run) => run(argv));

test("quorate simulate: formats, exit codes, sweeps and usage errors", () => {
  const f = { "t.topology.yaml": HEADER + FIVE };
  const ok = cli(["simulate", "--lose", "fra", "t.topology.yaml"], f);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok {8}lose fra\n/);
  assert.match(ok.stdout, /\n {10}nothing breaks\n/);
  const down = cli(["simulate", "--lose", "fra,ams", "--format", "json", "t.topology.yaml"], f);
  assert.equal(down.code, 1);
  const j = JSON.parse(down.stdout);
  assert.equal(j.verdict, "down");
  assert.deepEqual(Object.keys(j), [
    "scenario",
    "name",
    "clusters",
    "verdict",
    "quorums",
    "stores",
    "traffic",
    "meshes",
    "exports",
    "breaks",
    "notes",
    "podEviction",
    "failover",
  ]);
  assert.deepEqual(j.scenario, { lose: ["fra", "ams"], partition: [], cut: [], loseMembers: {}, rttFactor: null, slow: [] });
  const sweepJson = JSON.parse(cli(["simulate", "--all-single-site", "--all-partitions", "-f", "json", "t.topology.yaml"], f).stdout);
  assert.equal(sweepJson.length, 6, "3 single-site losses and 3 partitions");
  const md = cli(["simulate", "--partition", "fra/lon/ams", "--format", "md", "t.topology.yaml"], f);
  assert.equal(md.code, 1);
  assert.match(
    md.stdout,
    /^\| verdict \| scenario \| what breaks \| notes \|\n\|---\|---\|---\|---\|\n\| \*\*down\*\* \| partition fra \/ lon \/ ams \|/,
  );
  assert.equal(cli(["simulate", "--rtt-factor", "3", "t.topology.yaml"], f).code, 1, "over budget is degraded");
  assert.equal(cli(["simulate", "--slow", "fra-lon=1.5", "--lose-members", "lon:1", "t.topology.yaml"], f).code, 0);

  const typo = cli(["simulate", "--lose", "frankfurt", "t.topology.yaml"], f);
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr, "quorate: no site 'frankfurt' in this topology — did you mean 'fra'? (sites: fra, lon, ams)\n");
  // a site in two groups is no partition (a trailing tab trims to the same name): a usage error, not a verdict
  for (const twice of ["fra/fra", "fra/lon,fra", "fra/fra\t", "fra,fra/lon"]) {
    const r = cli(["simulate", "--partition", twice, "t.topology.yaml"], f);
    assert.equal(r.code, 2, twice);
    assert.equal(r.stderr, "quorate: --partition names 'fra' twice: each site belongs to one group\n", twice);
  }
  assert.equal(cli(["simulate", "--partition", "fra/lon", "t.topology.yaml"], f).code === 2, false);
  for (const bad of [
    ["--rtt-factor", "0"],
    ["--rtt-factor", "1"],
    ["--rtt-factor", "0.5"],
    ["--rtt-factor", "1e308"],
    ["--rtt-factor", "1000.5"],
    ["--slow", "fra-lon=1"],
    ["--lose-members", "fra"],
    ["--slow", "fra"],
    ["--format", "sarif"],
  ]) {
    assert.equal(cli(["simulate", ...bad, "t.topology.yaml"], f).code, 2, bad.join(" "));
  }
  assert.equal(cli(["simulate", "t.topology.yaml", "u.topology.yaml"], f).code, 2);
  const broken = cli(["simulate", "b.topology.yaml"], { "b.topology.yaml": `${HEADER}sites: [a\n` });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^quorate: b\.topology\.yaml:\d+:\d+: .*fix it first/);
  const many = `sites:\n${Array.from({ length: 13 }, (_, i) => `  - name: s${i}`).join("\n")}\n`;
  const capped = cli(["simulate", "--all-partitions", "m.topology.yaml"], { "m.topology.yaml": HEADER + many });
  assert.equal(capped.code, 2);
  assert.match(capped.stderr, /13 sites: every two-group partition is listed for at most 12 sites/);
});
