import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { diff, entityOf, gotWorse } from "../../server/src/whatif/diff";
import { diffJson, diffMarkdown, diffText, scenarioJson, simulateMarkdown, simulateText } from "../../server/src/whatif/render";
import { decisionRecord, displayPath, RECORD_SECTIONS, recordStatus } from "../../server/src/whatif/record";
import {
  ALL_UP,
  deepCheckFailsElsewhere,
  deepWithdrawn,
  judgedOnce,
  type Result,
  run,
  runIsolate,
  sweep,
  withdrawnFrom,
} from "../../server/src/whatif/engine";
import { simulate } from "../../server/src/service/whatif";
import { conflictMerge } from "../../server/src/derive/engines";
import { HEADER, inTempDir } from "../helpers";

/** Two primaries and a witness, a 2+2+1 etcd, an even consensus store, overlapping ranges, and 40k rps over 2 × 25k. */
const DESIGN = `${HEADER.replace("  name: t\n", "  name: t\n  description: fra + lon, ams witness\n")}sites:
  - name: fra
  - name: lon
  - name: ams
    role: witness
links:
  - { between: [fra, lon], rttMs: 14, rttP99Ms: 30 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
clusters:
  - name: fra-prod
    site: fra
    network: { pods: 10.10.0.0/16, services: 10.96.0.0/16 }
    etcd:
      members: { fra: 2, lon: 2, ams: 1 }
      heartbeatMs: 100
      electionTimeoutMs: 1000
  - name: lon-prod
    site: lon
    network: { pods: 10.10.128.0/17, services: 10.97.0.0/16 }
stores:
  - name: ledger
    replication: consensus
    members: { fra: 2, lon: 2 }
    writeLatencyBudgetMs: 30
  - name: carts
    replication: async
    writers: [fra, lon]
traffic:
  - name: checkout
    steering: gslb
    ttlSeconds: 60
    peakRps: 40000
    backends:
      - { cluster: fra-prod, weight: 1, capacityRps: 25000 }
      - { cluster: lon-prod, weight: 1, capacityRps: 25000 }
`;

/** The rows of the first Markdown table after `heading` (a line that starts the section or precedes the table). */
function tableAfter(md: string, heading: string | RegExp): string[][] {
  const lines = md.split("\n");
  const at = lines.findIndex((l) => (typeof heading === "string" ? l === heading : heading.test(l)));
  assert.ok(at >= 0, `no line ${heading}`);
  let i = at + 1;
  while (i < lines.length && !lines[i].startsWith("|")) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i].startsWith("|"); i++) {
    if (/^\|(---\|)+$/.test(lines[i])) continue;
    rows.push(
      lines[i]
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

function record(text = DESIGN): string {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  return decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9.9.9" })!;
}

test("decision record: the sections reviewers know, in order; the title names the decision, not the file", () => {
  const md = record();
  assert.match(md, /^# Quorum placement, steering and failure behaviour of t\n/);
  const headings = md.split("\n").filter((l) => /^## /.test(l));
  assert.deepEqual(headings, [
    "## Status",
    "## Context",
    "## Decision",
    "## Considered options",
    "## Consequences",
    "## Tiers",
    "## Ports",
    "## Day-two checklist",
    "## Open findings",
    "## Appendix: the arithmetic",
  ]);
  assert.deepEqual(
    RECORD_SECTIONS.map((x) => x.id),
    ["status", "context", "decision", "options", "consequences", "tiers", "ports", "checklist", "findings", "arithmetic"],
  );
});

test("decision record: Status honours metadata.decision, and any error finding blocks it whatever is declared", () => {
  const { findings } = analyzeAlone("t.topology.yaml", DESIGN);
  const errors = findings.filter((f) => f.severity === "error").length;
  assert.ok(errors > 0);
  const accepted = DESIGN.replace(
    "  name: t\n",
    "  name: t\n  decision: { status: accepted, date: 2026-11-30, deciders: [platform-architecture], supersedes: t-v1 }\n",
  );
  const blocked = record(accepted);
  const status = blocked.slice(blocked.indexOf("## Status"), blocked.indexOf("## Context"));
  assert.match(
    status,
    new RegExp(
      `\\*\\*Proposed — blocked by ${errors} errors\\*\\* \\(declared \`accepted\`; a design with error findings cannot be accepted\\)\\.`,
    ),
  );
  assert.match(status, /- Date: 2026-11-30\n- Deciders: platform-architecture\n- Supersedes: t-v1\n/);
  assert.equal(recordStatus("accepted", 0), "accepted");
  assert.equal(recordStatus(undefined, 0), "proposed");
  assert.equal(recordStatus("deprecated", 1), "proposed — blocked by 1 error");
  // a clean design keeps its declared status
  const clean = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const md = record(clean.replace(/status: \w+/, "status: superseded"));
  assert.match(md.slice(md.indexOf("## Status")), /^## Status\n\n\*\*Superseded\*\*\./);
});

test("decision record: Context (sites, RTT matrix, what it must survive) and Decision (per quorum, store, entry point)", () => {
  const md = record();
  const context = md.slice(md.indexOf("## Context"), md.indexOf("## Decision"));
  assert.deepEqual(tableAfter(context, /^Round-trip times/), [
    ["", "fra", "lon", "ams"],
    ["**fra**", "0", "14 ms (p99 30)", "9 ms"],
    ["**lon**", "14 ms (p99 30)", "0", "8 ms"],
    ["**ams**", "9 ms", "8 ms", "0"],
  ]);
  assert.match(context, /- checkout: serve 40,000 rps at peak/);
  assert.match(context, /No objectives are declared \(`objectives` on stores and traffic entries\)/);
  assert.match(context, /%%\{init: \{"flowchart": \{"useMaxWidth": false\}\}\}%%\nflowchart TB\n/);
  const decision = md.slice(md.indexOf("## Decision"), md.indexOf("## Considered options"));
  assert.match(
    decision,
    /- \*\*etcd of cluster fra-prod\*\* \(etcd\): 2 in fra, 2 in lon, 1 in ams — 5 members, majority 3; heartbeat 100 ms, election timeout 1000 ms\./,
  );
  assert.match(
    decision,
    /- \*\*store carts\*\* \(async\): writers fra, lon; conflicts resolved by nothing \(none declared\); owner not named\./,
  );
  assert.match(
    decision,
    /- \*\*traffic checkout\*\*: gslb steering \(TTL 60 s\); weights fra-prod 1, lon-prod 1; no store dependency declared\./,
  );
  assert.match(md, /what it should measure: checkout \(gslb, TTL 60 s\)/);
  // anycast fails over by routes, not DNS: a TTL plays no part in it and is not named beside it (review style)
  const anycast = record(DESIGN.replace("steering: gslb", "steering: anycast"));
  assert.match(anycast, /- \*\*traffic checkout\*\*: anycast steering; weights fra-prod 1, lon-prod 1;/);
  assert.match(anycast, /what it should measure: checkout \(anycast\)/);
  assert.doesNotMatch(anycast, /TTL 60 s/);
});

test('decision record: `conflictResolution: none` reads as no policy, never "resolved by none" (review M138)', () => {
  const none = DESIGN.replace("    writers: [fra, lon]\n", "    writers: [fra, lon]\n    conflictResolution: none\n");
  const md = record(none);
  assert.match(
    md,
    /- \*\*store carts\*\* \(async\): writers fra, lon; conflicts resolved by nothing \(conflictResolution: none\); owner not named\./,
  );
  assert.ok(!/by none/.test(md), 'no "by none" anywhere in the record');
  // a declared policy still names itself and what it does
  const lww = record(DESIGN.replace("    writers: [fra, lon]\n", "    writers: [fra, lon]\n    conflictResolution: last-writer-wins\n"));
  assert.match(lww, /conflicts resolved by last-writer-wins: the later update wins per row/);
  assert.equal(
    conflictMerge("async", "none"),
    "nothing reconciles them (no conflict policy): each site keeps the write it applied last, so the row can differ between sites",
  );
  assert.equal(conflictMerge("async", undefined), conflictMerge("async", "none"));
});

test("decision record: the declared objectives are named in Context, and Tiers counts every row without one", () => {
  const text = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const md = record(text);
  const context = md.slice(md.indexOf("## Context"), md.indexOf("## Decision"));
  assert.doesNotMatch(context, /no objectives are declared/i, "the file declares seven");
  assert.match(
    context,
    /- store ledger: availability ≥ 99\.99% \(52\.6 minutes unavailable a year\); RPO ≤ 0 s; survive any one site lost; survive any partition into two groups/,
  );
  assert.match(context, /- traffic checkout: availability ≥ 99\.95% .*; RTO ≤ 120 s/);
  const tiers = tableAfter(md, "## Tiers").slice(1);
  const without = tiers.filter((r) => r[4] === "no objective").length;
  assert.equal(
    without,
    4,
    "carts' writes availability, etcd's control-plane writes and the two datastore RTOs (no store objective holds one)",
  );
  assert.match(md, /- 4 tiers have no objective/);
  // the stretched etcd of a one-site cluster: the record recommends the federated layout, and why
  assert.match(
    md,
    /\*\*Recommended for fra-prod: the federated layout\.\*\* .* buys it nothing: .* when fra is cut off \(2 of 5 members at fra, the minority\) fra-prod's own API stops/,
  );
  // an "ok" scenario's good line carries what the engine notes: data at risk, no headroom
  assert.match(
    md,
    /- \*\*lose fra\*\*: nothing breaks \(.*\), once gslb has withdrawn fra — for about 90 s \(longer for clients that ignore the TTL\), 20,000 rps of checkout time out, but:\n( {2}- .*\n)* {2}- store carts: writes continue on lon, but up to 921,600,000 bytes \(878\.9 MiB\)/,
  );
  assert.match(md, / {2}- traffic checkout: lon-prod is at capacity \(40,000 rps of 40,000 rps\)/);
  assert.doesNotMatch(md, /\*\*lose fra\*\*: everything keeps working/);
});

test("decision record: considered options carry the engine's numbers (losses survived, frozen splits, commit latency, per-site matrix)", () => {
  const md = record();
  const { analysis } = analyzeAlone("t.topology.yaml", DESIGN);
  const ctx = analysis.contexts[0];
  const singles = sweep(ctx, "single").map((x) => run(ctx, x));
  const options = md.slice(md.indexOf("## Considered options"), md.indexOf("## Consequences"));
  const ledger = tableAfter(options, "### store ledger");
  assert.deepEqual(ledger[0], [
    "option",
    "members",
    "single-site losses survived",
    "frozen partitions",
    "commit latency",
    "after losing each site",
  ]);
  // as designed: the engine stops ledger on losing fra and on losing lon
  const stops = singles.filter((x) => x.quorums.find((q) => q.name === "store ledger")!.outcome === "stops").map((x) => x.scenario.lose[0]);
  assert.deepEqual(stops, ["fra", "lon"]);
  assert.deepEqual(ledger[1], [
    "as designed",
    "2 fra + 2 lon = 4 (majority 3)",
    // counted over the three sites the last column lists (review M77: not "0 of 2")
    "1 of 3 (not fra, lon)",
    "1",
    "14 ms (leader in fra, as simulate places it with every site up)",
    // after ams's loss, the leader and commit simulate --lose ams gives
    "fra: **stops**<br>lon: **stops**<br>ams: continues, leader in fra, commit 14 ms",
  ]);
  // the rules' fix puts the witness at ams (declared, linked, nearest): 2 + 2 + 1, every loss survived;
  // its commit on the designed row's basis (review M77): where simulate would place the leader for
  // the writers (fra and lon: at ams their slowest write is 17 ms; at lon fra's would be 22 ms)
  assert.deepEqual(ledger[2], [
    'a witness at ams — the rules\' fix "Add witness site"',
    "2 fra + 2 lon + 1 ams = 5 (majority 3)",
    "all 3",
    "0",
    "8 ms (leader in ams, where simulate would place it)",
    "fra: continues<br>lon: continues<br>ams: continues",
  ]);
  const etcd = tableAfter(options, "### etcd of cluster fra-prod");
  assert.equal(etcd[1][2], "all 3");
  const etcdStops = singles.filter((x) => x.quorums.find((q) => q.name === "etcd of cluster fra-prod")!.outcome === "stops");
  assert.equal(etcdStops.length, 0, "the engine agrees: no single-site loss stops the etcd");
  assert.equal(etcd[etcd.length - 1][0], "federated: fra-prod's etcd local to fra, where fra-prod runs");
  assert.equal(etcd.length, 3, "a design that survives every loss gets no fix option");
});

test("decision record: a one-site cluster's 3+1+1 etcd is not offered the 2+2+1 that stops its API when its site is cut off", () => {
  const md = record(DESIGN.replace("members: { fra: 2, lon: 2, ams: 1 }", "members: { fra: 3, lon: 1, ams: 1 }"));
  const options = md.slice(md.indexOf("## Considered options"), md.indexOf("## Consequences"));
  const etcd = tableAfter(options, "### etcd of cluster fra-prod");
  assert.deepEqual(
    etcd.slice(1).map((r) => r[0]),
    ["as designed", "federated: fra-prod's etcd local to fra, where fra-prod runs"],
    "no witness or rebalanced option: fra's loss is fra-prod's own",
  );
  assert.equal(etcd[1][2], "all 3 — fra's loss takes fra-prod with it");
  assert.match(
    etcd[1][5],
    /^fra: lost with fra-prod<br>lon: continues, leader in fra, commit < 1 ms \(members in one site\)<br>ams: continues, leader in fra, commit < 1 ms \(members in one site\)<br>fra cut off: fra-prod's API keeps serving$/,
  );
  // its commits are local: no "WAN commit (< 1 ms (members in one site))"
  assert.doesNotMatch(md, /WAN commit \(< 1 ms/);
  assert.match(
    md,
    /Its commits stay at fra, where 3 of its 5 members sit, but with one of them down every API write waits for a member at lon or ams\./,
  );
});

test("decision record: Consequences — good and bad scenarios, errors in rps, RPO per store, N+1 cost", () => {
  // DESIGN's 30 ms budget: after losing ams, lon's writes to the leader in fra take 14 + 14 = 28 ms (20 would make lose ams degraded)
  const withDeps = DESIGN.replace("    ttlSeconds: 60\n", "    ttlSeconds: 60\n    dependsOn: [ledger]\n").replace(
    "writers: [fra, lon]",
    "writers: [fra]\n    replicas: [lon]\n    maxLagSeconds: 60\n    writeRatePerSecond: 100\n    writeBytes: 1024\n    lagBufferBytes: 1048576",
  );
  const md = record(withDeps);
  const cons = md.slice(md.indexOf("## Consequences"), md.indexOf("## Ports"));
  assert.match(
    cons,
    /### Good\n\n- \*\*lose ams\*\*: everything keeps working \(etcd of cluster fra-prod writes with 4 of 5; store ledger writes with 4 of 4\)\./,
  );
  assert.match(
    cons,
    /- \*\*lose fra\*\* — down, and before gslb withdraws fra, .* also time out \(.*\):\n {2}- store ledger: losing fra leaves 2 of 4 members; majority is 3 — writes stop\n/,
  );
  // 60 s × 100/s × 1024 B = 6,144,000 bytes > the 1 MiB buffer: unbounded, 10.24 s of writes held
  assert.deepEqual(tableAfter(cons, "### RPO per store (a writer site lost)")[1], [
    "carts",
    "**unbounded**: the 1,048,576 bytes (1 MiB) buffer holds 10.2 s of writes, less than the 60 s of lag to ride out — the replica must resync (or the primary blocks)",
    "60 s → unbounded",
  ]);
  assert.match(
    cons,
    /- \*\*checkout\*\*: 50,000 rps of backend capacity for a 40,000 rps peak — \*\*1\.3× the peak is provisioned\*\*; the tightest single-site loss is lose fra: lon-prod carries 40,000 rps of 25,000 rps, headroom −15,000 rps \(−60%\)\./,
  );
  // a partition that leaves a backend's side without the store it writes to: the clients there get errors, in rps
  // here the ledger (2 + 2) stops on both sides: no backend is left to take them, so no withdrawal is promised
  assert.match(
    cons,
    /clients of checkout at lon-prod: up to 20,000 rps answered with errors \(every request assumed to need a write\); no other backend of checkout can take them, so withdrawing lon-prod does not help/,
  );
  assert.doesNotMatch(cons, /until steering withdraws/);
});

test("decision record: all eight checklist items, each met, not met (with numbers) or not assessed — none dropped", () => {
  const md = record();
  const items = md
    .slice(md.indexOf("## Day-two checklist"), md.indexOf("## Open findings"))
    .split("\n")
    .filter((l) => /^\d\. /.test(l));
  assert.equal(items.length, 8);
  const state = (i: number) => /— (\*\*not met\*\*|met|not assessed):/.exec(items[i])![1].replace(/\*/g, "");
  assert.deepEqual(
    items.map((_, i) => state(i)),
    ["not met", "not met", "not assessed", "not assessed", "not met", "not assessed", "not assessed", "not met"],
  );
  assert.match(items[0], /1 overlapping pair/);
  assert.match(items[1], /store ledger stops without fra \(2 of 4 left, majority 3\)/);
  assert.match(items[4], /ledger names no owner; carts has several writers and no conflict policy; carts names no owner/);
  assert.match(items[7], /checkout when lose fra: lon-prod 40,000 rps of 25,000 rps/);
  // the other side of each computed item
  const fixed = DESIGN.replace("members: { fra: 2, lon: 2 }", "members: { fra: 2, lon: 2, ams: 1 }\n    owner: team-ledger")
    .replace("writers: [fra, lon]", "writers: [fra, lon]\n    conflictResolution: last-writer-wins\n    owner: team-carts")
    .replace(/capacityRps: 25000/g, "capacityRps: 40000")
    .replace("10.10.128.0/17", "10.11.0.0/16")
    .replace(/services: (10\.9\d\.0\.0\/16) \}/g, "services: $1, nodes: 192.168.0.0/24 }")
    .replace("nodes: 192.168.0.0/24 }\n    etcd", "nodes: 192.168.0.0/24 }\n    etcd");
  const good = record(
    fixed.replace(
      /(lon-prod\n {4}site: lon\n {4}network: \{ pods: 10\.11\.0\.0\/16, services: 10\.97\.0\.0\/16, nodes: )192\.168\.0\.0/,
      "$1192.168.1.0",
    ),
  );
  const goodItems = good
    .slice(good.indexOf("## Day-two checklist"), good.indexOf("## Open findings"))
    .split("\n")
    .filter((l) => /^\d\. /.test(l));
  assert.deepEqual(
    goodItems.map((l) => /^\d\. \[(x| )\]/.exec(l)![1]),
    ["x", "x", " ", " ", "x", " ", " ", "x"],
    goodItems.join("\n"),
  );
  assert.match(goodItems[1], /tie-breaker at ams \(role witness\)/);
  assert.match(goodItems[7], /provisioned: checkout 2\.0× its peak/);
});

test("decision record: no absolute path of the machine that wrote it; the arithmetic appendix cell by cell", () => {
  for (const p of ["/home/someone/infra/t.topology.yaml", "C:\\Users\\x\\t.topology.yaml", "../../t.topology.yaml"]) {
    const { analysis, findings } = analyzeAlone(p, DESIGN);
    const md = decisionRecord({ path: p, analysis, findings, version: "1" })!;
    assert.match(md, /from `t\.topology\.yaml`\./);
    assert.ok(!md.includes("/home") && !md.includes("Users") && !md.includes(".."), p);
  }
  assert.equal(displayPath("infra/eu/t.topology.yaml"), "infra/eu/t.topology.yaml");
  assert.equal(displayPath("./t.topology.yaml"), "t.topology.yaml");
  const md = record();
  assert.deepEqual(tableAfter(md, "#### etcd of cluster fra-prod (etcd)"), [
    ["site", "role", "members"],
    ["fra", "primary", "2"],
    ["lon", "primary", "2"],
    ["ams", "witness", "1"],
    ["**total**", "", "5"],
  ]);
  // commit latency from fra: fra's 2 + ams's 1 = 3 at 9 ms; from lon: lon 2 + ams 1 at 8 ms
  const etcd = md.slice(md.indexOf("#### etcd of cluster fra-prod"), md.indexOf("#### store ledger"));
  assert.deepEqual(tableAfter(etcd, /^Commit latency by leader site/).slice(1), [
    ["fra", "9 ms"],
    ["lon", "8 ms"],
    ["ams", "8 ms"],
  ]);
  assert.deepEqual(tableAfter(md, "#### checkout: 40,000 rps at peak").slice(1, 4), [
    ["all up", "fra-prod", "fra", "20,000", "25,000", "5,000 (20%)"],
    ["all up", "lon-prod", "lon", "20,000", "25,000", "5,000 (20%)"],
    ["lose fra", "fra-prod", "fra", "lost", "25,000", "—"],
  ]);
  // failure-matrix sentences are list items, never table cells of hundreds of characters
  const matrix = md.slice(md.indexOf("### Failure matrix"));
  assert.match(matrix, /- \*\*lose fra\*\* — \*\*down\*\*, and before gslb withdraws fra, .* also time out \(.*\):\n {2}- /);
  // the engine's notes follow what breaks, marked as notes: a lost cluster, and whether its control plane survives
  assert.match(
    matrix,
    /\n {2}- _note:_ cluster fra-prod is lost with fra; its stretched etcd keeps a majority on lon and ams, but the cluster it serves is gone — nothing runs under it\n/,
  );
  // an ok scenario with a note ends in a colon; one with nothing to say does not
  assert.match(
    matrix,
    /- \*\*partition fra,lon \/ ams\*\* — ok:\n {2}- _note:_ etcd of cluster fra-prod: the members in ams \(1 of 5\) cannot reach a majority and stop/,
  );
  assert.match(matrix, /- \*\*lose ams\*\* — ok\n/);
  assert.ok(
    md.split("\n").every((l) => !l.startsWith("|") || l.split("|").every((c) => c.length < 400)),
    "no cell of hundreds of characters",
  );
});

test("decision record: hostile names stay text; no topology gives none", () => {
  const hostile = DESIGN.replace("- name: checkout", '- name: "x|<img src=x onerror=alert(1)>`"');
  const md = record(hostile);
  assert.ok(!md.includes("<img"), "HTML is escaped");
  assert.ok(md.includes("#### x\\|&lt;img src=x onerror=alert(1)&gt;&#96;: 40,000 rps at peak"));
  const none = analyzeAlone("k.yaml", "kind: ConfigMap\napiVersion: v1\n");
  assert.equal(decisionRecord({ path: "k.yaml", ...none, version: "0" }), undefined);
});

test("quorate report: stdout, -o FILE, usage errors, deterministic", () => {
  inTempDir({ "t.topology.yaml": DESIGN, "b.topology.yaml": `${HEADER}sites: [a\n` }, (dir, cli) => {
    const out = cli(["report", "t.topology.yaml"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^# Quorum placement, steering and failure behaviour of t\n\nWritten by quorate 0 from `t\.topology\.yaml`/);
    assert.equal(cli(["report", "t.topology.yaml"]).stdout, out.stdout);
    const written = cli(["report", "-o", "ADR.md", "t.topology.yaml"]);
    assert.equal(written.code, 0);
    assert.equal(written.stdout, "");
    assert.equal(readFileSync(join(dir, "ADR.md"), "utf8"), out.stdout);
    assert.equal(cli(["report"]).code, 2);
    assert.equal(cli(["report", "--format", "md", "t.topology.yaml"]).code, 2);
    const broken = cli(["report", "b.topology.yaml"]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^quorate: b\.topology\.yaml:\d+:\d+: .*fix it first/);
  });
});

test("diff: scenarios over the union of sites, findings matched by code and entity, regressions", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const base = DESIGN.replace("members: { fra: 2, lon: 2 }", "members: { fra: 2, lon: 2, ams: 1 }").replace(
    "writers: [fra, lon]",
    "writers: [fra, lon]\n    conflictResolution: last-writer-wins",
  );
  // lines move (a comment block on top) but nothing else changes: no finding added or removed, no verdict changes
  const moved = base.replace("sites:\n", "# a\n# b\n# c\nsites:\n");
  const same = diff(side("a", base), side("b", moved));
  assert.deepEqual(same.findings, { added: [], removed: [] });
  assert.equal(same.regressions, 0);
  assert.ok(same.scenarios.every((s) => s.before === s.after));
  // 3 sites, 3 links: all up + 3 losses + 3 single-link cuts + 3 partitions
  assert.deepEqual(
    same.scenarios.map((s) => s.scenario),
    [
      "all up",
      "lose fra",
      "lose lon",
      "lose ams",
      "cut fra–lon",
      "cut fra–ams",
      "cut lon–ams",
      "partition fra,ams / lon",
      "partition fra,lon / ams",
      "partition fra / lon,ams",
    ],
  );

  // the witness's member moves to fra: losing fra now stops the ledger — a regression, and a new error finding
  const worse = base.replace(
    "members: { fra: 2, lon: 2, ams: 1 }\n    writeLatencyBudgetMs",
    "members: { fra: 3, lon: 2 }\n    writeLatencyBudgetMs",
  );
  const d = diff(side("old", base), side("new", worse));
  const lf = d.scenarios.find((s) => s.scenario === "lose fra")!;
  assert.deepEqual([lf.before, lf.after], ["degraded", "down"], "degraded before: the capacity shortfall");
  assert.match(lf.why, /store ledger: losing fra leaves 2 of 5 members; majority is 3/);
  assert.deepEqual(
    d.findings.added.map((f) => [f.code, f.entity]),
    [["quorum/two-site-split", "store ledger"]],
  );
  // and partition fra / lon,ams: lon's writes, which the 2+2+1 kept on lon's side, now fail (review M146: an outcome
  // worse under the same verdict) — fra's, which failed, now succeed
  const failing = d.changes.filter((c) => c.regression);
  assert.deepEqual(
    failing.map((c) => [c.scenario, c.entity, c.from, c.before === null, c.after, c.crosses]),
    [["partition fra / lon,ams", "store ledger", "lon", false, null, "writes fail"]],
  );
  assert.equal(d.regressions, d.scenarios.filter((s) => s.before !== s.after).length + 1 + failing.length);
  assert.ok(d.scenarios.filter((s) => s.before !== s.after).length >= 1);
  // and back: the verdicts that move all get better, none is counted — but the witness's member costs writes the
  // 3+2 kept: with the leader at ams (where it may be when the links go), a cut of fra–ams fails fra's writes and one
  // of lon–ams lon's, under the same verdict. Outcomes that got worse: counted (review M146)
  const back = diff(side("new", worse), side("old", base));
  assert.ok(back.scenarios.every((s) => !gotWorse(s)));
  assert.deepEqual(
    back.changes.filter((c) => c.regression).map((c) => [c.scenario, c.from, c.after, c.crosses]),
    [
      ["cut fra–ams", "fra", null, "writes fail"],
      ["cut lon–ams", "lon", null, "writes fail"],
      ["partition fra / lon,ams", "fra", null, "writes fail"],
    ],
  );
  assert.equal(back.regressions, 3);
  assert.deepEqual(
    back.findings.removed.map((f) => f.code),
    ["quorum/two-site-split"],
  );

  // a site added in NEW: the union has four sites, and losing it changes nothing in OLD
  const four = base.replace("  - name: ams\n    role: witness\n", "  - name: ams\n    role: witness\n  - name: par\n");
  const u = diff(side("old", base), side("new", four));
  assert.equal(u.scenarios.length, 1 + 4 + 3 + 7, "par has no link: the three links' cuts");
  // "lose par" is new with par: compared with OLD's reading of it, all up (M103)
  assert.deepEqual(
    u.scenarios.filter((s) => s.scenario === "lose par").map((s) => [s.before, s.after, s.only, s.sitesOnly, s.beforeScenario]),
    [["ok", "ok", "after", ["par"], "all up"]],
  );
  // a partition naming par cuts only fra / lon,ams in OLD: named on each side by what it cuts there
  const p = u.scenarios.find((s) => s.scenario === "partition fra,par / lon,ams")!;
  assert.deepEqual([p.only, p.beforeScenario, p.afterScenario], [undefined, "partition fra / lon,ams", undefined]);
  // and back: par is gone in the newer version — compared with its all up, here the same verdict
  const gone = diff(side("new", four), side("old", base));
  assert.deepEqual(
    gone.scenarios.filter((s) => s.scenario === "lose par").map((s) => [s.before, s.after, s.only, s.afterScenario]),
    [["ok", "ok", "before", "all up"]],
  );
  assert.equal(
    entityOf(analyzeFile("x", base).contexts[0].topology, { start: base.indexOf("10.97"), end: base.indexOf("10.97") + 4 }),
    "cluster lon-prod",
  );
});

test("M37/M38/M103: a site only the new version declares: its scenarios compared with the old all up; client writes compared per writing site", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  // the draft has no witness; the review adds ams with one ledger member and a 20 ms budget
  const draft = DESIGN.replace("  - name: ams\n    role: witness\n", "")
    .replace("  - { between: [fra, ams], rttMs: 9 }\n  - { between: [lon, ams], rttMs: 8 }\n", "")
    .replace("members: { fra: 2, lon: 2, ams: 1 }", "members: { fra: 3, lon: 2 }")
    .replace("members: { fra: 2, lon: 2 }\n    writeLatencyBudgetMs: 30", "members: { fra: 2, lon: 1 }")
    .replace("    peakRps: 40000\n", "    peakRps: 40000\n    dependsOn: [ledger]\n");
  const reviewed = DESIGN.replace("members: { fra: 2, lon: 2 }", "members: { fra: 2, lon: 2, ams: 1 }")
    .replace("writeLatencyBudgetMs: 30", "writeLatencyBudgetMs: 20")
    .replace("    peakRps: 40000\n", "    peakRps: 40000\n    dependsOn: [ledger]\n");
  const d = diff(side("draft", draft), side("reviewed", reviewed));
  // M103 (reversing M37): a scenario only the new version has is compared with the draft's reading
  // of it, all up. Losing the witness the change adds puts lon's writes at 28 ms, over the 20 ms
  // budget the same change sets: worse than the draft's all up — but no worse than the draft's worst single-site loss
  // (down: losing fra leaves 2 of 5), so new, shown and not counted (review M164)
  const lam = d.scenarios.find((s) => s.scenario === "lose ams")!;
  assert.deepEqual([lam.before, lam.after, lam.only, lam.sitesOnly, lam.beforeScenario], ["ok", "degraded", "after", ["ams"], "all up"]);
  assert.deepEqual([lam.worstBefore, lam.counted, gotWorse(lam)], ["down", false, false]);
  const pam = d.scenarios.find((s) => s.scenario === "partition fra,lon / ams")!;
  assert.deepEqual([pam.before, pam.after, pam.only], ["ok", "degraded", "after"]);
  const pfa = d.scenarios.find((s) => s.scenario === "partition fra,ams / lon")!;
  assert.deepEqual([pfa.only, pfa.beforeScenario], [undefined, "partition fra / lon"]);
  assert.deepEqual(
    d.scenarios.filter((s) => s.only && s.counted === false).map((s) => s.scenario),
    ["lose ams", "cut fra–ams", "cut lon–ams", "partition fra,lon / ams"],
  );
  // what a client waits for, per writing site — not the leader's commit against a draft's
  const writes = d.changes.filter((c) => c.scenario === "all up" && c.measure === "writeLatencyMs" && c.entity === "store ledger");
  assert.deepEqual(
    writes.map((c) => [c.from, c.before, c.after]),
    [
      ["fra", 0, 17],
      ["lon", 14, 16],
    ],
  );
  const text = diffText(d, false);
  assert.match(
    text,
    /\n {2}new {5}lose ams — the same as partition fra,lon \/ ams \(ams is new in this version; before: all up; the old design's worst single-site loss was down: not counted\): ok → degraded\n/,
  );
  assert.match(text, /all up: store ledger writes from fra < 1 ms → 17 ms\n/);
  // the leader's commit is listed after the client writes, as a secondary figure
  const order = d.changes.map((c) => c.measure);
  assert.ok(order.lastIndexOf("writeLatencyMs") < order.indexOf("commitLatencyMs"), order.join());
  assert.match(
    diffMarkdown(d),
    /\| 🆕 new \| lose ams — the same as partition fra,lon \/ ams \(ams is new in this version; before: all up; the old design's worst single-site loss was down: not counted\) \| ok \| degraded \|/,
  );
  assert.doesNotMatch(diffMarkdown(d), /\| regression \|/);
  assert.equal(JSON.parse(diffJson(d)).scenarios.find((s: { scenario: string }) => s.scenario === "lose ams").only, "after");
  // a partition that is the same event as a loss is counted with the loss, once
  const twin = new Set(d.scenarios.filter((s) => s.reportedWith).map((s) => s.scenario));
  assert.equal(
    d.regressions,
    d.scenarios.filter((s) => (gotWorse(s) || s.apiStopsNew) && !twin.has(s.scenario)).length +
      d.changes.filter((c) => c.regression && !twin.has(c.scenario)).length +
      d.findings.added.filter((f) => f.severity === "error").length +
      d.availability.filter((c) => c.regression).length,
  );
});

test("M103: a site a change adds as a single point of failure is a regression: its loss is compared with the old all up; removing it is better", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const draft = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu.topology.yaml"), "utf8");
  // mad joins with the only writer of a store checkout now depends on
  const mad = draft
    .replace("\nlinks:\n", "  - name: mad\n    availability: 0.999\n\nlinks:\n")
    .replace("\nlinks:\n", "\nlinks:\n  - { between: [fra, mad], rttMs: 25 }\n  - { between: [lon, mad], rttMs: 24 }\n")
    .replace(
      "\nstores:\n",
      "\nstores:\n  - name: sessions\n    engine: postgres\n    replication: async\n    writers: [mad]\n    replicas: [fra]\n    maxLagSeconds: 30\n",
    )
    .replace("dependsOn: [carts]", "dependsOn: [carts, sessions]");
  assert.equal(mad.split("mad").length - 1, 4, "site, two links, writer");
  const d = diff(side("draft", draft), side("mad", mad));
  const at = (name: string) => d.scenarios.find((s) => s.scenario === name)!;
  assert.deepEqual(
    ["lose mad", "cut fra–mad", "partition fra,lon / mad"].map((n) => [n, at(n).before, at(n).after, at(n).only, at(n).beforeScenario]),
    [
      ["lose mad", "ok", "down", "after", "all up"],
      ["cut fra–mad", "ok", "degraded", "after", "all up"],
      ["partition fra,lon / mad", "ok", "down", "after", "all up"],
    ],
  );
  assert.ok(gotWorse(at("lose mad")));
  // a new way to go down is counted though the draft's worst single-site loss was down too (M103); the cut of mad's link
  // (degraded) is no worse than the draft's worst single-link cut (cut fra–lon: down), so it is new, not counted (M164)
  assert.deepEqual([at("lose mad").worstBefore, at("lose mad").counted], ["down", undefined]);
  assert.deepEqual([at("cut fra–mad").worstBefore, at("cut fra–mad").counted, gotWorse(at("cut fra–mad"))], ["down", false, false]);
  assert.deepEqual(
    d.scenarios.filter(gotWorse).map((s) => s.scenario),
    ["lose mad", "partition fra,lon / mad"],
  );
  assert.equal(d.regressions, 2);
  const text = diffText(d, false);
  assert.match(
    text,
    /\n {2}worse {3}lose mad \(mad is new in this version; before: all up\): ok → down\n {10}now: store sessions: every writer site \(mad\) is lost/,
  );
  assert.doesNotMatch(text, /\nno regressions\n$/);
  assert.equal(JSON.parse(diffJson(d)).scenarios.find((s: { scenario: string }) => s.scenario === "lose mad").before, "ok");
  // the measures of a worse scenario are counted there, once: the verdict table says so
  assert.match(diffMarkdown(d), /\| 🔴 worse \| lose mad \(mad is new in this version; before: all up\) \| ok \| down \|/);
  assert.match(
    diffMarkdown(d),
    /lose mad and partition fra,lon \/ mad \| checkout errors 0 → 40,000 rps \(errors appear\) \| in the verdict above \|/,
  );
  // and back: removing mad is better in each of them (now: all up), never a regression
  const back = diff(side("mad", mad), side("draft", draft));
  const lm = back.scenarios.find((s) => s.scenario === "lose mad")!;
  assert.deepEqual([lm.before, lm.after, lm.only, lm.afterScenario], ["down", "ok", "before", "all up"]);
  assert.equal(back.regressions, 0);
  assert.match(diffText(back, false), /\n {2}better {2}lose mad \(mad is not in this version; now: all up\): down → ok\n {10}before: /);
});

test("diff: writes that failed before and now succeed over the budget say so, uncounted; a site's null write is one word (review M115)", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const d = diff(side("draft", read("payments-eu.topology.yaml")), side("reviewed", read("payments-eu-reviewed.topology.yaml")));
  const text = diffText(d, false);
  assert.match(text, /\n {4}cut fra–lon: store ledger writes from lon failed → 26 ms \(over the 20 ms budget\)\n/);
  // the same null whether ledger stops (lose fra) or only lon's writes fail (the partition): one line
  assert.match(text, /\n {4}lose fra and partition fra \/ lon,ams: store ledger writes from lon failed → 8 ms\n/);
  assert.doesNotMatch(text, /writes from \w+ writes stop/);
  // said, not counted: failing writes that now succeed got better
  const c = d.changes.find((x) => x.scenario === "cut fra–lon" && x.measure === "writeLatencyMs" && x.from === "lon")!;
  assert.deepEqual([c.crosses, c.over, c.regression], [undefined, "over the 20 ms budget", false]);
  // and the other way: fra's writes, which the draft's 3 of 5 at fra kept when fra is cut off, now fail — the majority
  // moved to lon and ams, and the verdict improved (down → degraded): shown, not counted (review M164, narrowing M146)
  assert.match(text, /\n {4}partition fra \/ lon,ams: store ledger writes from fra < 1 ms → writes fail\n/);
  assert.equal(d.regressions, 0);
});

test("diff: a witness's loss and the partition that cuts it off alone are one event — said once, naming both, counted once; a site with clients keeps both", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const d = diff(side("draft", read("payments-eu.topology.yaml")), side("reviewed", read("payments-eu-reviewed.topology.yaml")));
  const at = (name: string) => d.scenarios.find((s) => s.scenario === name)!;
  // ams: no clients, no writer — losing it and cutting it off differ for nobody, in either version
  assert.deepEqual([at("lose ams").sameAs, at("lose ams").reportedWith], ["partition fra,lon / ams", undefined]);
  assert.deepEqual([at("partition fra,lon / ams").sameAs, at("partition fra,lon / ams").reportedWith], ["lose ams", "lose ams"]);
  // new with ams (the 28 ms over the budget the review sets), said once: no worse than the draft's worst single-site
  // loss (down), so not counted (review M164)
  assert.equal(d.regressions, 0);
  const text = diffText(d, false);
  assert.match(
    text,
    /\n {2}new {5}lose ams — the same as partition fra,lon \/ ams \(ams is new in this version; before: all up; the old design's worst single-site loss was down: not counted\): ok → degraded\n/,
  );
  assert.doesNotMatch(text, /\n {2}(worse|new) {3,5}partition fra,lon \/ ams/);
  assert.match(text, /\nno regressions\n$/);
  assert.doesNotMatch(diffMarkdown(d), /\| 🔴 worse \| partition fra,lon \/ ams/);
  // JSON keeps every scenario compared, the partition included, with the fields it had
  const json = JSON.parse(diffJson(d));
  assert.equal(json.regressions, 0);
  assert.deepEqual(
    json.scenarios
      .filter((s: { scenario: string }) => s.scenario === "partition fra,lon / ams")
      .map((s: Record<string, unknown>) => [s.before, s.after, s.reportedWith]),
    [["ok", "degraded", "lose ams"]],
  );
  // fra and lon serve clients: cutting one off is not losing it (its clients still reach it), so both stay on their own
  for (const name of ["lose fra", "lose lon", "partition fra / lon,ams", "partition fra,ams / lon"])
    assert.equal(at(name).sameAs, undefined, name);
});

test("M110: the diff's verdict line carries each version's failover window, and the window is a measure that moves (unknown → 90 s)", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const d = diff(side("draft", read("payments-eu.topology.yaml")), side("reviewed", read("payments-eu-reviewed.topology.yaml")));
  const fra = d.scenarios.find((s) => s.scenario === "lose fra")!;
  // the draft is down whatever the withdrawal does (M114); the review's healthCheck and TTL 60 buy a known window (M113: for clients that honour it)
  assert.equal(fra.judgedBefore, "and before gslb withdraws fra, 20,000 rps of checkout also time out (how long is unknown)");
  assert.equal(
    fra.judgedAfter,
    "once gslb has withdrawn fra — for about 90 s (longer for clients that ignore the TTL), 20,000 rps of checkout time out",
  );
  const text = diffText(d, false);
  assert.match(
    text,
    /\n {2}better {2}lose fra: down → ok, once gslb has withdrawn fra — for about 90 s \(longer for clients that ignore the TTL\), 20,000 rps of checkout time out\n {10}before: down, and before gslb withdraws fra, 20,000 rps of checkout also time out \(how long is unknown\)\n {10}broken before: /,
  );
  // the reviewer's note: never two consecutive lines both starting "before:"
  assert.doesNotMatch(text, /\n {10}before: [^\n]*\n {10}before: /);
  assert.match(text, /\n {4}lose fra and lose lon: checkout failover window unknown → 90 s\n/);
  assert.match(
    diffMarkdown(d),
    /\| 🟢 better \| lose fra \| down, and before gslb withdraws fra, 20,000 rps of checkout also time out \(how long is unknown\) \| ok, once gslb has withdrawn fra — for about 90 s/,
  );
  const moves = JSON.parse(diffJson(d)).changes.filter((c: { measure: string }) => c.measure === "failoverSeconds");
  assert.deepEqual(moves, [
    { scenario: "lose fra", entity: "checkout", measure: "failoverSeconds", before: null, after: 90, beforeNote: "unknown" },
    { scenario: "lose lon", entity: "checkout", measure: "failoverSeconds", before: null, after: 90, beforeNote: "unknown" },
  ]);
  // not a regression: a window that became known is no limit crossed (nor is anything else: review M164)
  assert.equal(d.regressions, 0);
});

test("a failover window over the declared RTO objective says so — simulate's verdict line, the diff's move — and is one regression, the new objective/rto error", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const reviewed = read("payments-eu-reviewed.topology.yaml");
  // the review's TTL 60 back at the draft's 300: detection 30 s + 300 s = 330 s, over checkout's rtoSeconds 120
  const slow = reviewed.replace("ttlSeconds: 60", "ttlSeconds: 300");
  assert.notEqual(slow, reviewed);
  const lose = run(analyzeAlone("t.topology.yaml", slow).analysis.contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.equal(
    judgedOnce(lose),
    "once gslb has withdrawn fra — for about 330 s (longer for clients that ignore the TTL; over the RTO of 120 s), 20,000 rps of checkout time out",
  );
  // within it, nothing more is said
  const within = run(analyzeAlone("t.topology.yaml", reviewed).analysis.contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.doesNotMatch(judgedOnce(within) ?? "", /RTO/);
  // a down verdict carries it in its own brackets
  assert.match(
    judgedOnce({ ...lose, verdict: "down" }) ?? "",
    /also time out \(for about 330 s, longer for clients that ignore the TTL; over the RTO of 120 s\)$/,
  );
  const d = diff(side("reviewed", reviewed), side("slow", slow));
  const moves = d.changes.filter((c) => c.measure === "failoverSeconds");
  assert.deepEqual(
    moves.map((c) => [c.scenario, c.before, c.after, c.crosses, c.regression, c.countedAs]),
    [
      ["lose fra", 90, 330, "over the RTO of 120 s", false, "objective/rto"],
      ["lose lon", 90, 330, "over the RTO of 120 s", false, "objective/rto"],
    ],
  );
  // counted once: as the error objective/rto the slower version adds, not again as the move
  assert.deepEqual(
    d.findings.added.map((f) => f.code),
    ["traffic/ttl", "objective/rto"],
  );
  assert.equal(d.regressions, 1);
  assert.match(diffText(d, false), /\n {4}lose fra and lose lon: checkout failover window 90 → 330 s \(over the RTO of 120 s\)\n/);
  assert.match(
    diffMarkdown(d),
    /\| lose fra and lose lon \| checkout failover window 90 → 330 s \(over the RTO of 120 s\) \| 🔴 yes, as the new objective\/rto finding \|/,
  );
  assert.equal(
    JSON.parse(diffJson(d)).changes.find((c: { measure: string }) => c.measure === "failoverSeconds").crosses,
    "over the RTO of 120 s",
  );
  // back within it: a window that shrinks below the RTO crosses nothing
  const back = diff(side("slow", slow), side("reviewed", reviewed));
  assert.ok(back.changes.filter((c) => c.measure === "failoverSeconds").every((c) => c.crosses === undefined && !c.regression));
  assert.equal(back.regressions, 0);
});

test("a failover window that goes unknown under a declared RTO says why and that the RTO can no longer be shown to hold — diff, check, simulate (w58)", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const reviewed = read("payments-eu-reviewed.topology.yaml");
  const blind = reviewed.replace("    healthCheck: { intervalSeconds: 10, failureThreshold: 3 }\n", "");
  assert.notEqual(blind, reviewed);
  const d = diff(side("reviewed", reviewed), side("blind", blind));
  const moves = d.changes.filter((c) => c.measure === "failoverSeconds");
  assert.deepEqual(
    moves.map((c) => [c.scenario, c.before, c.after, c.afterNote, c.unproven, c.regression]),
    [
      ["lose fra", 90, null, "unknown", "no healthCheck is declared: the RTO of 120 s can no longer be shown to hold", false],
      ["lose lon", 90, null, "unknown", "no healthCheck is declared: the RTO of 120 s can no longer be shown to hold", false],
    ],
  );
  assert.match(
    diffText(d, false),
    /\n {4}lose fra and lose lon: checkout failover window 90 s → unknown \(no healthCheck is declared: the RTO of 120 s can no longer be shown to hold\)\n/,
  );
  assert.match(
    diffMarkdown(d),
    /\| checkout failover window 90 s → unknown \(no healthCheck is declared: the RTO of 120 s can no longer be shown to hold\) \| no \|/,
  );
  assert.equal(
    JSON.parse(diffJson(d)).changes.find((c: { measure: string }) => c.measure === "failoverSeconds").unproven,
    "no healthCheck is declared: the RTO of 120 s can no longer be shown to hold",
  );
  // the finding check gives (and the diff lists as new) says the same, and what to add
  const [f] = d.findings.added.filter((x) => x.code === "objective/unmeasurable");
  assert.match(
    f.message,
    /^traffic checkout: the RTO of 120 s \(rtoSeconds\) cannot be shown to hold — no healthCheck is declared, so nothing says when gslb stops sending clients to a lost site and the failover window is unknown: add healthCheck: /,
  );
  // simulate: the verdict line and the note
  const lose = run(analyzeAlone("t.topology.yaml", blind).analysis.contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.equal(
    judgedOnce(lose),
    "once gslb has withdrawn fra — until then (how long is unknown: no healthCheck is declared, so the RTO of 120 s cannot be shown to hold), 20,000 rps of checkout time out",
  );
  assert.ok(
    lose.notes.some((n) => n.includes("how long is unknown (no healthCheck is declared; the RTO of 120 s cannot be shown to hold)")),
  );
  // no RTO declared: unknown, as before, with nothing about an RTO
  const none = blind.replace("      rtoSeconds: 120\n", "");
  assert.notEqual(none, blind);
  const n = run(analyzeAlone("t.topology.yaml", none).analysis.contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.equal(judgedOnce(n), "once gslb has withdrawn fra — until then (how long is unknown), 20,000 rps of checkout time out");
  assert.ok(
    diff(side("reviewed", reviewed.replace("      rtoSeconds: 120\n", "")), side("none", none)).changes.every(
      (c) => c.unproven === undefined,
    ),
  );
});

test("simulate's failover note names the RTO a window over it is judged against (w58)", () => {
  const reviewed = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const slow = reviewed.replace("ttlSeconds: 60", "ttlSeconds: 300");
  const notes = (text: string) => run(analyzeAlone("t.topology.yaml", text).analysis.contexts[0], { ...ALL_UP, lose: ["fra"] }).notes;
  assert.ok(
    notes(slow).includes(
      "traffic checkout: until gslb stops sending clients to fra — within 330 s (10 s × 3 checks + 300 s TTL; worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer; over the RTO of 120 s) — the 20,000 rps gslb sends there get no answer (connection timeouts); the loads are judged once it has stopped",
    ),
  );
  // within it: the note is as it was
  assert.ok(
    notes(reviewed).some(
      (x) => x.startsWith("traffic checkout: until gslb stops sending clients to fra — within 90 s (") && !x.includes("RTO"),
    ),
  );
});

test("M48: every single-link cut is compared; errors appearing under one are a regression, writes that failed and now succeed are not", () => {
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const read = (name: string) => readFileSync(join(__dirname, "..", "..", "..", "examples", name), "utf8");
  const reviewed = read("payments-eu-reviewed.topology.yaml");
  // YugabyteDB relays no write through a follower: a cut between a writer and the leader's site is 502s
  const yb = reviewed.replace("engine: cockroachdb", "engine: yugabytedb");
  assert.notEqual(yb, reviewed);
  const d = diff(side("reviewed", reviewed), side("yb", yb));
  assert.deepEqual(
    d.scenarios.filter((s) => s.scenario.startsWith("cut ")).map((s) => s.scenario),
    ["cut fra–lon", "cut fra–ams", "cut lon–ams"],
  );
  const errors = d.changes.filter((c) => c.measure === "errorRps" && c.scenario.startsWith("cut "));
  assert.deepEqual(
    errors.map((c) => [c.scenario, c.before, c.after, c.crosses, c.regression]),
    [
      ["cut fra–lon", 0, 20000, "errors appear", true],
      ["cut fra–ams", 0, 20000, "errors appear", true],
      ["cut lon–ams", 0, 20000, "errors appear", true],
    ],
  );
  assert.ok(d.regressions >= 3);
  const text = diffText(d, false);
  assert.match(text, /\n {2}! every single-link cut: checkout errors 0 → 20,000 rps \(errors appear\)\n/);
  assert.doesNotMatch(text, /No load, headroom, latency, data at risk or error rate moved/);
  // the grouped line counts once per cut in regressions (the exit status); the sentence says how many lines the reader sees
  const marked = text.split("\n").filter((l) => /^ {2}! /.test(l) || /^ {2}\+ error /.test(l) || /^ {2}worse /.test(l)).length;
  assert.ok(marked < d.regressions, `${marked} lines, ${d.regressions} regressions`);
  assert.match(text, new RegExp(`\n${d.regressions} regressions in ${marked} lines\n$`));
  assert.match(diffMarkdown(d), new RegExp(`\\*\\*${d.regressions} regressions in ${marked} lines\\.\\*\\*`));
  // and back: errors gone is not a regression
  assert.equal(diff(side("yb", yb), side("reviewed", reviewed)).changes.filter((c) => c.regression).length, 0);

  // draft → reviewed: fra–lon's cut goes from failing writes to 26 ms through ams — over the budget, but better, not a regression
  const up = diff(side("draft", read("payments-eu.topology.yaml")), side("reviewed", reviewed));
  const relay = up.changes.find((c) => c.scenario === "cut fra–lon" && c.measure === "writeLatencyMs" && c.from === "lon")!;
  assert.deepEqual(
    [relay.before, relay.beforeNote, relay.after, relay.crosses, relay.regression],
    [null, "writes fail", 26, undefined, false],
  );
  const reviewedCtx = analyzeAlone("r.topology.yaml", reviewed).analysis.contexts[0];
  // one leader placement per scenario (expert read): the 26 ms are with the leader in fra, so the commit beside
  // them is fra's 9 ms (2 fra + 1 ams), not the 8 ms of the leader to pin in ams
  const cutRun = run(reviewedCtx, { lose: [], partition: [], cut: [["fra", "lon"]], loseMembers: {}, rttFactor: null, slow: [] });
  const ledgerCut = cutRun.quorums.find((q) => q.name === "store ledger")!;
  assert.deepEqual(
    [ledgerCut.judgedLeader, ledgerCut.judgedCommitLatencyMs, ledgerCut.writesFrom.lon, ledgerCut.leader, ledgerCut.commitLatencyMs],
    ["fra", 9, 26, "ams", 8],
  );
  const commit = up.changes.find((c) => c.scenario === "cut fra–lon" && c.measure === "commitLatencyMs" && c.entity === "store ledger")!;
  assert.equal(commit.after, ledgerCut.judgedCommitLatencyMs);
  assert.match(
    [...simulateText([cutRun], false)].join(""),
    /store ledger +minority-stops · commit 8 ms \(budget 20 ms\) with the leader in ams · .* · judged with the leader in fra \(the worst placement, commit 9 ms\)\n/,
  );
  // what is counted: none of the witness's scenarios the review adds — worse than the draft's all up (M103), but no worse
  // than the draft's worst loss, cut and partition (down; review M164) — nor fra's writes failing when fra is cut off,
  // where the verdict improved (down → degraded): the review exits 0
  assert.deepEqual(up.scenarios.filter(gotWorse), []);
  assert.deepEqual(
    up.scenarios.filter((s) => s.counted === false).map((s) => s.scenario),
    ["lose ams", "cut fra–ams", "cut lon–ams", "partition fra,lon / ams"],
  );
  assert.equal(up.regressions, 0);
  // M52: fra losing its ledger writes in fra's partition sorts with the largest moves, above a 2 ms one
  const at = (f: (c: (typeof up.changes)[number]) => boolean) => up.changes.findIndex(f);
  const fails = at((c) => c.scenario === "partition fra / lon,ams" && c.from === "fra" && c.after === null);
  const small = at((c) => c.scenario === "all up" && c.from === "lon" && c.measure === "writeLatencyMs");
  assert.ok(fails >= 0 && small > fails, `${fails} ${small}`);
  // a cut of ams's links is new with ams
  assert.deepEqual(
    up.scenarios.filter((s) => s.scenario === "cut fra–ams").map((s) => [s.only, s.sitesOnly, s.before, s.beforeScenario]),
    [["after", ["ams"], "ok", "all up"]],
  );

  // a link only one version declares between sites both have: its cut is new there, compared with the other's all up
  // (degraded: without the link, writes from lon to a leader in ams do not reach it)
  const noLink = reviewed.replace(/ {2}- between: \[lon, ams\]\n(?: {4}\w+: .*\n)+/, "");
  assert.notEqual(noLink, reviewed);
  const l = diff(side("before", noLink), side("after", reviewed));
  const cut = l.scenarios.find((s) => s.scenario === "cut lon–ams")!;
  assert.deepEqual(
    [cut.only, cut.linksOnly, cut.sitesOnly, cut.before, cut.beforeScenario],
    ["after", ["lon–ams"], undefined, "degraded", "all up"],
  );
  assert.match(diffText(l, false), /cut lon–ams \(the link lon–ams is new in this version; before: all up\)/);
  assert.equal(diff(side("after", reviewed), side("before", noLink)).scenarios.find((s) => s.scenario === "cut lon–ams")!.only, "before");
  // a link whose cut splits the sites in two is that partition, compared once: two sites, or a chain lon–fra–ams
  const cuts = (x: string) => diff(side("a", x), side("b", x)).scenarios.filter((s) => s.scenario.startsWith("cut "));
  assert.deepEqual(cuts(read("payments-eu.topology.yaml")), []);
  assert.deepEqual(cuts(noLink), []);
});

test("quorate diff: paths, REV:path in a temporary git repository, formats, exit codes", () => {
  const better = DESIGN.replace("members: { fra: 2, lon: 2 }", "members: { fra: 2, lon: 2, ams: 1 }");
  inTempDir({ "d.topology.yaml": DESIGN, "e.topology.yaml": better }, (dir, cli) => {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
    const outside = cli(["diff", "HEAD:d.topology.yaml", "d.topology.yaml"]);
    assert.equal(outside.code, 2);
    assert.match(
      outside.stderr,
      /^quorate: cannot read HEAD:d\.topology\.yaml: .* is not inside a git repository \(REV:path reads from git\)\n$/,
    );
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "one");
    const unchanged = cli(["diff", "HEAD:d.topology.yaml", "d.topology.yaml"]);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stdout, /\nno regressions\n$/);
    writeFileSync(join(dir, "d.topology.yaml"), better);

    // better verdicts, but the witness's member lets the ledger's leader sit at ams: a cut of its link to fra (or lon)
    // then fails that site's writes, which the 2+2 kept — outcomes that got worse, counted (review M146): exit 1
    const improved = cli(["diff", "HEAD:d.topology.yaml", "d.topology.yaml"]);
    assert.equal(improved.code, 1, improved.stderr);
    assert.match(
      improved.stdout,
      /\n {2}! cut fra–ams: store ledger writes from fra 14 ms → writes fail\n {2}! cut lon–ams: store ledger writes from lon 28 ms → writes fail\n/,
    );
    assert.match(improved.stdout, /^quorate diff HEAD:d\.topology\.yaml → d\.topology\.yaml\n/);
    assert.match(
      improved.stdout,
      /better {2}lose fra: down → degraded, once gslb has withdrawn fra — until then \(how long is unknown\), 20,000 rps of checkout time out\n {10}before: store ledger: losing fra leaves 2 of 4 members; majority is 3 — writes stop; traffic checkout: lon-prod carries 40,000 rps; capacity 25,000 rps — overloaded by 15,000 rps \(headroom −60%\)\n {10}still: traffic checkout: lon-prod carries 40,000 rps; capacity 25,000 rps — overloaded by 15,000 rps \(headroom −60%\)\n/,
    );
    assert.match(
      improved.stdout,
      /Resolved findings:\n {2}- warning quorum\/even-members \(store ledger\): .*\n {2}- error quorum\/two-site-split \(store ledger\)/,
    );
    assert.match(improved.stdout, /\n2 regressions\n$/);

    const regressed = cli(["diff", "--format", "json", "d.topology.yaml", "HEAD:d.topology.yaml"]);
    assert.equal(regressed.code, 1);
    const j = JSON.parse(regressed.stdout);
    assert.deepEqual(Object.keys(j), ["before", "after", "scenarios", "changes", "findings", "availability", "regressions"]);
    assert.deepEqual(
      j.scenarios.find((s: { scenario: string }) => s.scenario === "lose fra"),
      {
        scenario: "lose fra",
        before: "degraded",
        after: "down",
        why: j.scenarios.find((s: { scenario: string }) => s.scenario === "lose fra").why,
        // review M114: a down verdict's window is a cost on top of it, not its condition
        judgedBefore: "once gslb has withdrawn fra — until then (how long is unknown), 20,000 rps of checkout time out",
        judgedAfter: "and before gslb withdraws fra, 20,000 rps of checkout also time out (how long is unknown)",
      },
    );
    assert.ok(j.regressions >= 2);

    const md = cli(["diff", "-f", "md", "e.topology.yaml", "HEAD:d.topology.yaml"]);
    assert.equal(md.code, 1);
    assert.match(
      md.stdout,
      /^### Quorate: `e\.topology\.yaml` → `HEAD:d\.topology\.yaml`\n\n\*\*\d+ regressions(?: in \d+ lines)?\.\*\*\n/,
    );
    assert.match(
      md.stdout,
      /\| 🔴 worse \| lose fra \| degraded, once gslb has withdrawn fra — [^|]* \| down, and before gslb withdraws fra, [^|]* \| now: store ledger: losing fra/,
    );
    assert.match(md.stdout, /\| added \| error \| `quorum\/two-site-split` \| store ledger, line \d+ \|/);

    assert.equal(cli(["diff", "HEAD~1:d.topology.yaml", "d.topology.yaml"]).code, 2);
    assert.match(cli(["diff", "HEAD:nope.yaml", "d.topology.yaml"]).stderr, /^quorate: cannot read HEAD:nope\.yaml: .*nope\.yaml/);
    assert.equal(cli(["diff", "d.topology.yaml"]).code, 2);
    assert.equal(cli(["diff", "--format", "sarif", "d.topology.yaml", "e.topology.yaml"]).code, 2);
    assert.equal(cli(["diff", "d.topology.yaml", "missing.yaml"]).code, 2);
  });
});

test("a loss's verdict judged after its failover window says so in its own line, with what the window costs — one sentence for simulate, the editor, the record", async () => {
  const text = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const { analysis, findings } = analyzeAlone("payments-eu-reviewed.topology.yaml", text);
  const ctx = analysis.contexts[0];
  const r = run(ctx, { lose: ["fra"], partition: [], cut: [], loseMembers: {}, rttFactor: null, slow: [] });
  // ok, as the contract judges it (the loads once steering has withdrawn fra) — but not "ok, nothing breaks" alone
  assert.equal(r.verdict, "ok");
  // review M113: 90 s is the worst case only for clients that honour the TTL
  const once = "once gslb has withdrawn fra — for about 90 s (longer for clients that ignore the TTL), 20,000 rps of checkout time out";
  const onceRe = once.replace(/[()]/g, "\\$&");
  assert.equal(judgedOnce(r), once);
  assert.deepEqual(r.failover, [
    { entry: "checkout", steering: "gslb", sites: ["fra"], rps: 20000, seconds: 90, rtoObjectiveSeconds: 120 },
  ]);
  const out = [...simulateText([r], false)].join("");
  assert.match(out, new RegExp(`^ok {8}lose fra, ${onceRe}\n`));
  assert.match(out, /\n {10}nothing breaks once gslb has withdrawn fra\n/);
  assert.match(
    [...simulateMarkdown([r])].join(""),
    new RegExp(`\n### ok — lose fra, ${onceRe}\n[^]*\nNothing breaks once gslb has withdrawn fra.\n`),
  );
  assert.deepEqual((scenarioJson(r) as { failover: unknown }).failover, r.failover);
  // the editor's Simulate panel and its single-site strip carry the same sentence
  const v = (await simulate(analysis, findings, { lose: ["fra"] }))!;
  assert.equal(v.judged, once);
  assert.equal(v.singles.find((x) => x.site === "fra")?.judged, once);
  assert.equal(v.singles.find((x) => x.site === "ams")?.judged, undefined, "ams has no clients: no window");
  // the record says it beside the verdict too
  const md = decisionRecord({ path: "payments-eu-reviewed.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(md, new RegExp(`- \\*\\*lose fra\\*\\* — ok, ${onceRe}:\n`));
  // no loss, no window: all up's line is unchanged
  const up = run(ctx, { lose: [], partition: [], cut: [], loseMembers: {}, rttFactor: null, slow: [] });
  assert.equal(judgedOnce(up), undefined);
  assert.match([...simulateText([up], false)].join(""), /^ok {8}all up\n/);
});

test("the Simulate strip lists every single-site loss up to 32 sites, none past that", async () => {
  const sites = (n: number) =>
    `${HEADER}sites:\n${Array.from({ length: n }, (_, i) => `  - name: s${i}`).join("\n")}\nlinks:\n  - { between: [s0, s1], rttMs: 1 }\n  - { between: [s0, s2], rttMs: 1 }\n  - { between: [s1, s2], rttMs: 1 }\nclusters:\n  - name: c\n    site: s0\n    etcd: { members: { s0: 1, s1: 1, s2: 1 } }\n`;
  for (const [n, strip] of [
    [32, 32],
    [33, 0],
  ] as const) {
    const { analysis, findings } = analyzeAlone("t.topology.yaml", sites(n));
    const r = (await simulate(analysis, findings, { lose: ["s1"] }))!;
    assert.equal(r.singles.length, strip, `${n} sites`);
    assert.equal(r.sites.length, n);
    assert.equal(r.verdict, "ok", "one member of three lost: the etcd continues");
  }
});

test("decision record (S18): the commit appendix judges each writing site's write against the budget; a budget no placement meets blocks the record", () => {
  const reviewed = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const at = (budget: number) => {
    const md = record(reviewed.replace("writeLatencyBudgetMs: 20", `writeLatencyBudgetMs: ${budget}`));
    return { md, ledger: md.slice(md.indexOf("#### store ledger"), md.indexOf("### Address plan")) };
  };
  // 17 ms: with the leader in ams fra waits 9 + 8 and lon 8 + 8 — within; the record stays accepted
  const fits = at(17);
  assert.deepEqual(tableAfter(fits.ledger, /^Commit latency by leader site/), [
    ["leader site", "commit latency", "commit alone vs budget", "writes from fra", "writes from lon"],
    ["fra", "9 ms", "met", "9 ms, met", "23 ms, **not met**"],
    ["lon", "8 ms", "met", "22 ms, **not met**", "8 ms, met"],
    ["ams", "8 ms", "met", "17 ms, met", "16 ms, met"],
  ]);
  assert.match(fits.ledger, /\nWith the leader in ams, every writing site's writes are within the 17 ms budget: pin it there\.\n/);
  assert.match(fits.md, /^## Status\n\n\*\*Accepted\*\*/m);
  // 16 ms: the commit is still within it (the commit column says met), but no placement keeps fra's writes within it
  const over = at(16);
  assert.deepEqual(tableAfter(over.ledger, /^Commit latency by leader site/)[3], [
    "ams",
    "8 ms",
    "met",
    "17 ms, **not met**",
    "16 ms, met",
  ]);
  assert.match(
    over.ledger,
    /\nNo leader placement keeps every writing site's writes within the 16 ms budget — the best, ams, makes the slowest wait 17 ms \(`rtt\/write-budget`\)\.\n/,
  );
  assert.match(over.md, /\*\*Proposed — blocked by 1 error\*\*/);
  const findings = over.md.slice(over.md.indexOf("## Open findings"), over.md.indexOf("## Appendix"));
  assert.match(findings, /rtt\/write-budget/);
  assert.match(findings, /no leader placement keeps writes within the 16 ms budget — best is ams: from fra 17 ms/);
});

test("checklist 2 names no cluster's etcd for the loss of its own site: the cluster goes with it (S19)", () => {
  // the draft example: fra-prod runs at fra, its etcd 2 fra + 2 lon
  const md = record(readFileSync("examples/payments-eu.topology.yaml", "utf8"));
  const item = md
    .slice(md.indexOf("## Day-two checklist"))
    .split("\n")
    .find((l) => l.startsWith("2. "))!;
  assert.match(
    item,
    /\*\*not met\*\*: etcd of cluster fra-prod stops without lon \(2 of 4 left, majority 3\); store ledger stops without fra/,
  );
  assert.doesNotMatch(item, /etcd of cluster fra-prod stops without fra/);
});

test("the record shows the engine's and the rules' code as code, not as escaped backticks; hostile text stays text", () => {
  // the draft example: its ClusterMesh export keeps no affinity, so Bad and Open findings both name the annotation
  const md = record(readFileSync("examples/payments-eu.topology.yaml", "utf8"));
  assert.doesNotMatch(md, /&#96;/);
  const bad = md.slice(md.indexOf("### Bad"), md.indexOf("## ", md.indexOf("### Bad") + 4));
  assert.match(bad, /annotate the Service `service\.cilium\.io\/affinity: local` \(`affinity: local` on the export\)/);
  const open = md.slice(md.indexOf("## Open findings"));
  assert.match(open, /\| warning \| export\/remote-endpoints-kept \| \d+ \| .*Set `affinity: local`/);
  // a value the user typed with a backtick and a tag in it, quoted by a rule's message in backticks
  const hostile = record(DESIGN.replace("pods: 10.10.0.0/16,", 'pods: "10.10.0.0/16`<img src=x>`|",'));
  const row = hostile.split("\n").find((l) => l.includes("cidr/invalid"))!;
  assert.ok(row, "the finding is listed");
  assert.doesNotMatch(row.replace(/`[^`]*`/g, ""), /<img/, "outside code spans the tag is escaped");
  assert.equal(row.split(/(?<!\\)\|/).length, 6, "no cell is split by the value's bar");
});

test("the record explains pod eviction once and each scenario refers to it (S16, said short)", () => {
  const md = record(readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8"));
  const refs = md.match(/see "Pod eviction"/g) ?? [];
  assert.ok(refs.length >= 2, `${refs.length} scenarios refer to it`);
  assert.equal((md.match(/node-monitor-grace-period/g) ?? []).length, 1, "the long explanation once");
  const note = md.indexOf("**Pod eviction**, wherever a cluster's API stops");
  assert.ok(note > md.indexOf("### Bad") && note < md.indexOf("### Failure matrix"), "under Consequences, before the failure matrix");
  for (const line of md.split("\n").filter((l) => l.includes('see "Pod eviction"'))) assert.ok(line.length < 750, line);
});

test("isolate: 'after' withdraws the backends a deep health check fails — lon-prod, not fra, where carts' only writer is at fra (review M116)", () => {
  const examples = join(__dirname, "..", "..", "..", "examples");
  // the draft with its CIDR overlap fixed: in the cut fra-prod writes, lon-prod errs
  const draft = readFileSync(join(examples, "payments-eu.topology.yaml"), "utf8").replace("pods: 10.10.128.0/17", "pods: 10.11.0.0/16");
  const iso = runIsolate(analyzeFile("d.topology.yaml", draft).contexts[0], "fra");
  assert.deepEqual(iso.withdrawn, ["lon"]);
  assert.deepEqual(iso.after.scenario.withdraw, ["lon"]);
  const checkout = iso.after.traffic.find((t) => t.name === "checkout")!;
  assert.deepEqual(
    checkout.backends.map((b) => [b.cluster, b.loadRps, b.errors]),
    [
      ["fra-prod", 40000, false],
      ["lon-prod", null, false],
    ],
  );
  assert.equal(checkout.errorRps, 0, "no errors once lon-prod is withdrawn: fra-prod writes, overloaded");
  assert.equal(checkout.outcome, "overloaded");
  assert.ok(
    iso.notes.includes(
      "traffic checkout: a deep health check withdraws lon-prod, not fra: carts' writer is at fra — fra-prod's writes through carts work in the cut and lon-prod's fail, so the check passes at fra-prod and fails at lon-prod; with a shallow check lon-prod keeps answering its 20,000 rps with errors until an operator withdraws it by hand",
    ),
    iso.notes.join("\n"),
  );
  // the better response is no longer a note beside a wrong "after": it is the "after"
  assert.ok(!iso.notes.some((n) => /instead is the better response/.test(n)), iso.notes.join("\n"));
  const json = scenarioJson(iso) as unknown as { windowSeconds: unknown; after: { scenario: { withdraw: string[] }; name: string } };
  assert.deepEqual(json.after.scenario.withdraw, ["lon"]);
  assert.equal(json.after.name, "partition fra / (lon); lon withdrawn from steering");
  assert.equal(json.windowSeconds, null, "windowSeconds keeps its meaning: no health check, unknown");
  const text = [...simulateText([iso], false)].join("");
  assert.match(text, /\n {10}window, until a deep health check withdraws lon, not fra \(unknown: no health check\): down\n/);
  assert.match(text, /\n {10}after a deep health check withdraws lon, not fra: down\n/);
  assert.match(
    text,
    /traffic checkout +overloaded · fra-prod 40,000 rps of 30,000 rps \(headroom −10,000 rps, −33\.3%\) · lon-prod withdrawn\n/,
  );
  assert.doesNotMatch(text, /40,000 rps of errors/);
  assert.match(
    [...simulateMarkdown([iso])].join(""),
    /\nWindow until a deep health check withdraws lon, not fra: unknown: no health check\.\n/,
  );
  // the reviewed example: fra-prod cannot reach ledger's majority, its deep check fails — fra is withdrawn, as before
  const reviewed = runIsolate(
    analyzeFile("r.topology.yaml", readFileSync(join(examples, "payments-eu-reviewed.topology.yaml"), "utf8")).contexts[0],
    "fra",
  );
  assert.deepEqual(reviewed.withdrawn, ["fra"]);
  assert.deepEqual(reviewed.after.scenario.withdraw, ["fra"]);
  assert.match([...simulateText([reviewed], false)].join(""), /\n {10}after steering withdraws fra: /);
  assert.ok(!reviewed.notes.some((n) => /a deep health check withdraws/.test(n)));
});

test("deepWithdrawn: the isolated sites unless none of their backends errs and others do; one entry erring there withdraws them for all (review M116)", () => {
  const b = (cluster: string, site: string, errors: boolean, loadRps: number | null = 20000) => ({ cluster, site, errors, loadRps });
  const w = (...traffic: { name: string; backends: ReturnType<typeof b>[] }[]) => ({ traffic }) as unknown as Result;
  // carts' only writer at fra: fra-prod writes, lon-prod errs — lon is withdrawn
  const cartsAtFra = { name: "checkout", backends: [b("fra-prod", "fra", false), b("lon-prod", "lon", true)] };
  assert.deepEqual(deepWithdrawn(w(cartsAtFra), ["fra"]), ["lon"]);
  assert.deepEqual(
    deepCheckFailsElsewhere(w(cartsAtFra), "checkout", ["fra"]).map((x) => x.cluster),
    ["lon-prod"],
  );
  // the usual case: the isolated site errs
  const usual = { name: "checkout", backends: [b("fra-prod", "fra", true), b("lon-prod", "lon", false)] };
  assert.deepEqual(deepWithdrawn(w(usual), ["fra"]), ["fra"]);
  assert.deepEqual(deepCheckFailsElsewhere(w(usual), "checkout", ["fra"]), []);
  // nothing errs: the contract's X withdrawn (a check that fails when the site is cut off)
  assert.deepEqual(deepWithdrawn(w({ name: "c", backends: [b("fra-prod", "fra", false), b("lon-prod", "lon", false)] }), ["fra"]), ["fra"]);
  // one entry errs at fra, another only at lon: steering is judged per site — fra
  assert.deepEqual(deepWithdrawn(w(cartsAtFra, { ...usual, name: "api" }), ["fra"]), ["fra"]);
  // an isolated backend that carries nothing (a standby) proves nothing: fra withdrawn
  assert.deepEqual(deepWithdrawn(w({ name: "c", backends: [b("fra-prod", "fra", false, null), b("lon-prod", "lon", true)] }), ["fra"]), [
    "fra",
  ]);
});

// review M143: a, b, c each 1 member of kv (tikv, pinnable), web over c1 (a, 40%, 1,400 rps), c2 (b), c3 (c) (30% each, 2,000 rps)
const TRI = `${HEADER}sites:
  - name: a
  - name: b
  - name: c
links:
  - { between: [a, b], rttMs: 5 }
  - { between: [a, c], rttMs: 6 }
  - { between: [b, c], rttMs: 7 }
clusters:
  - { name: c1, site: a }
  - { name: c2, site: b }
  - { name: c3, site: c }
stores:
  - name: kv
    engine: tikv
    replication: consensus
    members: { a: 1, b: 1, c: 1 }
traffic:
  - name: web
    steering: gslb
    peakRps: PEAK
    dependsOn: [kv]
    backends:
      - { cluster: c1, weight: 40, capacityRps: CAP }
      - { cluster: c2, weight: 30, capacityRps: 2000 }
      - { cluster: c3, weight: 30, capacityRps: 2000 }
`;

test("M143: withdrawing an erring backend keeps the leader where the cut was judged, and the record words each survivor's load as simulate does", () => {
  const ctx = analyzeFile("t.topology.yaml", TRI.replace("CAP", "1400").replace("PEAK", "3000")).contexts[0];
  const cut = run(ctx, { ...ALL_UP, cut: [["a", "b"]] });
  assert.equal(cut.quorums[0].judgedLeader, "a", "the worst placement: b's clients cannot write");
  assert.deepEqual(
    cut.traffic[0].backends.map((b) => [b.cluster, b.errors]),
    [
      ["c1", false],
      ["c2", true],
      ["c3", false],
    ],
  );
  // re-judged from scratch with b withdrawn, the worst placement for the clients left is b — c1 would err
  const fresh = run(ctx, { ...cut.scenario, withdraw: ["b"] });
  assert.equal(fresh.quorums[0].judgedLeader, "b");
  // the leader stays in a: a withdrawal moves clients, not a Raft leader
  const after = withdrawnFrom(ctx, cut, ["b"]);
  assert.equal(after.quorums[0].judgedLeader, "a");
  assert.deepEqual(
    after.traffic[0].backends.map((b) => [b.cluster, b.loadRps === null ? null : Math.round(b.loadRps), b.errors, b.overloaded]),
    [
      ["c1", 1714, false, true],
      ["c2", null, false, false],
      ["c3", 1286, false, false],
    ],
  );
  const record = (cap: string, peak = "3000") => {
    const { analysis, findings } = analyzeAlone("t.topology.yaml", TRI.replace("CAP", cap).replace("PEAK", peak));
    return decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  };
  const line = (text: string) =>
    text.split("\n").find((l) => l.startsWith("  - clients of web at c2:") && text.indexOf(l) > text.indexOf("**cut a–b**"))!;
  const over = line(record("1400"));
  assert.match(
    over,
    /; then c1 carries 1,714 rps of 1,400 rps \(overloaded by 314 rps, headroom −22\.4%\) and c3 carries 1,286 rps of 2,000 rps \(headroom 714 rps, 35\.7%\)$/,
  );
  assert.doesNotMatch(over, /within capacity/);
  // the boundary, with loadWords' decimals: 1,714.29 rps over 1,714 and under 1,715; 2,000 of 2,000 (a 3,500 rps peak) at capacity
  assert.match(
    line(record("2000", "3500")),
    /then c1 carries 2,000 rps of 2,000 rps \(at capacity: no headroom\) and c3 carries 1,500 rps of 2,000 rps/,
  );
  assert.match(line(record("1714")), /then c1 carries 1,714\.29 rps of 1,714 rps \(overloaded by 0\.29 rps, headroom −0\.02%\)/);
  assert.match(line(record("1715")), /then c1 carries 1,714 rps of 1,715 rps \(headroom 1 rps, 0\.04%\)/);
});
