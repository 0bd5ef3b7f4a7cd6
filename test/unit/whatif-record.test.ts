import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { diff, entityOf } from "../../server/src/whatif/diff";
import { decisionRecord } from "../../server/src/whatif/record";
import { simulate } from "../../server/src/service/whatif";
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
    writeLatencyBudgetMs: 20
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

test("decision record: members, majority, every single-site loss and the frozen split, cell by cell", () => {
  const md = record();
  assert.match(md, /^# Decision record: t\n/);
  assert.deepEqual(tableAfter(md, "## Context").slice(1, 3), [
    ["Topology", "t"],
    ["Description", "fra + lon, ams witness"],
  ]);
  assert.deepEqual(tableAfter(md, "### etcd of cluster fra-prod (etcd)"), [
    ["site", "role", "members"],
    ["fra", "primary", "2"],
    ["lon", "primary", "2"],
    ["ams", "witness", "1"],
    ["**total**", "", "5"],
  ]);
  assert.match(md, /Majority: ⌊5\/2⌋ \+ 1 = \*\*3\*\*; the quorum tolerates 2 lost members\./);
  const etcdAt = md.indexOf("### etcd of cluster fra-prod");
  const etcd = md.slice(etcdAt, md.indexOf("### store ledger"));
  assert.deepEqual(tableAfter(etcd, "Each single-site loss:"), [
    ["site lost", "members lost", "members left", "majority", "writes"],
    ["fra", "2", "3", "3", "continue"],
    ["lon", "2", "3", "3", "continue"],
    ["ams", "1", "4", "3", "continue"],
  ]);
  assert.match(etcd, /No two-group partition freezes writes: in every split of the 3 member sites one side reaches 3\./);
  // timers: exactly at the boundary 10 × RTT (140) ≤ 1000 and 10 × p99 (300) ≤ 1000 are met
  assert.deepEqual(tableAfter(etcd, /^Timers/).slice(1, 3), [
    ["heartbeat", "100 ms", "≥ largest member RTT", "14 ms (fra–lon)", "met"],
    ["election timeout", "1000 ms", "≥ 10 × largest member RTT", "140 ms", "met"],
  ]);
  // commit latency from fra: fra's 2 + ams's 1 = 3 at 9 ms; from lon: lon 2 + ams 1 at 8 ms; from ams: ams + lon (2) at 8 ms
  assert.deepEqual(tableAfter(etcd, /^Commit latency by leader site/), [
    ["leader site", "commit latency"],
    ["fra", "9 ms"],
    ["lon", "8 ms"],
    ["ams", "8 ms"],
  ]);

  const ledger = md.slice(md.indexOf("### store ledger"), md.indexOf("## Address plan"));
  assert.deepEqual(tableAfter(ledger, "Each single-site loss:").slice(1), [
    ["fra", "2", "2", "3", "**stop**"],
    ["lon", "2", "2", "3", "**stop**"],
  ]);
  assert.deepEqual(tableAfter(ledger, /^Partitions that freeze writes/), [
    ["one side", "members", "other side", "members"],
    ["fra", "2", "lon", "2"],
  ]);
  assert.deepEqual(tableAfter(ledger, /^Commit latency by leader site/), [
    ["leader site", "commit latency", "budget"],
    ["fra", "14 ms", "met"],
    ["lon", "14 ms", "met"],
  ]);
});

test("decision record: address plan with overlaps, capacity after every loss, failure matrix, findings, checklist", () => {
  const md = record();
  assert.deepEqual(tableAfter(md, "## Address plan"), [
    ["cluster", "site", "network", "range", "overlaps"],
    ["fra-prod", "fra", "pods", "10.10.0.0/16", "**overlaps** 10.10.128.0/17 (lon-prod pods)"],
    ["fra-prod", "fra", "services", "10.96.0.0/16", "none"],
    ["lon-prod", "lon", "pods", "10.10.128.0/17", "**overlaps** 10.10.0.0/16 (fra-prod pods)"],
    ["lon-prod", "lon", "services", "10.97.0.0/16", "none"],
  ]);
  // 40000 × 1/2 = 20000 each with both up; after a loss the survivor takes 40000 against 25000
  assert.deepEqual(tableAfter(md, "### checkout: 40000 rps at peak"), [
    ["scenario", "backend", "site", "load rps", "capacity rps", "headroom rps"],
    ["all up", "fra-prod", "fra", "20000", "25000", "5000"],
    ["all up", "lon-prod", "lon", "20000", "25000", "5000"],
    ["lose fra", "fra-prod", "fra", "lost", "25000", "—"],
    ["lose fra", "lon-prod", "lon", "40000", "25000", "**-15000**"],
    ["lose lon", "fra-prod", "fra", "40000", "25000", "**-15000**"],
    ["lose lon", "lon-prod", "lon", "lost", "25000", "—"],
  ]);
  const single = tableAfter(md, "Every single-site loss:");
  assert.deepEqual(
    single.map((r) => [r[0], r[1]]),
    [
      ["verdict", "scenario"],
      ["ok", "all up"],
      ["**down**", "lose fra"],
      ["**down**", "lose lon"],
      ["ok", "lose ams"],
    ],
  );
  assert.match(single[2][2], /store ledger: losing fra leaves 2 of 4 members; majority is 3 — writes stop<br>/);
  assert.equal(tableAfter(md, "Every loss of two sites:").length, 1 + 3);
  const parts = tableAfter(md, "Every two-group partition:");
  assert.equal(parts.length, 1 + 3);
  assert.deepEqual(parts[1].slice(0, 2), ["**down**", "partition fra,ams / lon"], "carts: writers on both sides, no policy: corrupts");
  const findings = tableAfter(md, "## Open findings");
  assert.deepEqual(findings[0], ["severity", "code", "line", "finding"]);
  assert.ok(
    findings.some((r) => r[1] === "cidr/overlap" && r[2] === String(DESIGN.slice(0, DESIGN.indexOf("10.10.0.0/16")).split("\n").length)),
  );
  assert.ok(findings.some((r) => r[1] === "quorum/two-site-split"));
  const checklist = md.slice(md.indexOf("## Day-two checklist"));
  assert.match(
    checklist,
    /- \[ \] \*\*Witness placement\*\* — .*not met \(store ledger without fra; store ledger without lon\); witness site: ams\./,
  );
  assert.match(checklist, /- \[ \] \*\*Conflict policy per store\*\* — .*carts none \(not met\)\./);
  assert.match(checklist, /- \[ \] \*\*N\+1 headroom\*\* — .*not met \(checkout when lose fra; checkout when lose lon\)\./);
  assert.match(checklist, /- \[ \] \*\*Non-overlapping CIDR matrix\*\* — .*not met \(1 overlapping pair; see the address plan\)\./);

  // the other side of each item: every one met
  const fixed = DESIGN.replace("members: { fra: 2, lon: 2 }", "members: { fra: 2, lon: 2, ams: 1 }")
    .replace("writers: [fra, lon]", "writers: [fra, lon]\n    conflictResolution: last-writer-wins")
    .replace(/capacityRps: 25000/g, "capacityRps: 40000")
    .replace("10.10.128.0/17", "10.11.0.0/16");
  const good = record(fixed).slice(record(fixed).indexOf("## Day-two checklist"));
  assert.equal((good.match(/- \[x\]/g) ?? []).length, 4, good);
  assert.match(good, /carts `last-writer-wins` \(met\)/);
  // exactly at capacity: 40000 on 40000 is headroom 0, not overloaded
  assert.ok(record(fixed).includes("| lose fra | lon-prod | lon | 40000 | 40000 | 0 |"));
});

test("decision record: hostile names stay text; no topology gives none", () => {
  const hostile = DESIGN.replace("- name: checkout", '- name: "x|<img src=x onerror=alert(1)>`"');
  const md = record(hostile);
  assert.ok(!md.includes("<img"), "HTML is escaped");
  assert.ok(md.includes("### x\\|&lt;img src=x onerror=alert(1)&gt;&#96;: 40000 rps at peak"));
  const none = analyzeAlone("k.yaml", "kind: ConfigMap\napiVersion: v1\n");
  assert.equal(decisionRecord({ path: "k.yaml", ...none, version: "0" }), undefined);
});

test("quorate report: stdout, -o FILE, usage errors", () => {
  inTempDir({ "t.topology.yaml": DESIGN, "b.topology.yaml": `${HEADER}sites: [a\n` }, (dir, cli) => {
    const out = cli(["report", "t.topology.yaml"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^# Decision record: t\n\nWritten by quorate 0 from `t\.topology\.yaml`/);
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
  // 3 sites: all up + 3 losses + 3 partitions
  assert.deepEqual(
    same.scenarios.map((s) => s.scenario),
    ["all up", "lose fra", "lose lon", "lose ams", "partition fra,ams / lon", "partition fra,lon / ams", "partition fra / lon,ams"],
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
  assert.equal(d.regressions, d.scenarios.filter((s) => s.before !== s.after).length + 1);
  assert.ok(d.scenarios.filter((s) => s.before !== s.after).length >= 1);
  // and back: an improvement is not a regression
  const back = diff(side("new", worse), side("old", base));
  assert.equal(back.regressions, 0);
  assert.deepEqual(
    back.findings.removed.map((f) => f.code),
    ["quorum/two-site-split"],
  );

  // a site added in NEW: the union has four sites, and losing it changes nothing in OLD
  const four = base.replace("  - name: ams\n    role: witness\n", "  - name: ams\n    role: witness\n  - name: par\n");
  const u = diff(side("old", base), side("new", four));
  assert.equal(u.scenarios.length, 1 + 4 + 7);
  assert.deepEqual(
    u.scenarios.filter((s) => s.scenario === "lose par").map((s) => [s.before, s.after]),
    [["ok", "ok"]],
  );
  assert.equal(
    entityOf(analyzeFile("x", base).contexts[0].topology, { start: base.indexOf("10.97"), end: base.indexOf("10.97") + 4 }),
    "cluster lon-prod",
  );
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
    writeFileSync(join(dir, "d.topology.yaml"), better);

    const improved = cli(["diff", "HEAD:d.topology.yaml", "d.topology.yaml"]);
    assert.equal(improved.code, 0, improved.stderr);
    assert.match(improved.stdout, /^quorate diff HEAD:d\.topology\.yaml → d\.topology\.yaml\n/);
    assert.match(
      improved.stdout,
      /better {2}lose fra: down → degraded\n {10}store ledger: losing fra leaves 2 of 4 members; majority is 3 — writes stop; traffic checkout: lon-prod carries 40000 rps; capacity 25000 — overloaded\n/,
    );
    assert.match(
      improved.stdout,
      /Resolved findings:\n {2}- warning quorum\/even-members \(store ledger\): .*\n {2}- error quorum\/two-site-split \(store ledger\)/,
    );
    assert.match(improved.stdout, /\nno regressions\n$/);

    const regressed = cli(["diff", "--format", "json", "d.topology.yaml", "HEAD:d.topology.yaml"]);
    assert.equal(regressed.code, 1);
    const j = JSON.parse(regressed.stdout);
    assert.deepEqual(Object.keys(j), ["before", "after", "scenarios", "findings", "regressions"]);
    assert.deepEqual(
      j.scenarios.find((s: { scenario: string }) => s.scenario === "lose fra"),
      {
        scenario: "lose fra",
        before: "degraded",
        after: "down",
        why: j.scenarios.find((s: { scenario: string }) => s.scenario === "lose fra").why,
      },
    );
    assert.ok(j.regressions >= 2);

    const md = cli(["diff", "-f", "md", "e.topology.yaml", "HEAD:d.topology.yaml"]);
    assert.equal(md.code, 1);
    assert.match(md.stdout, /^### Quorate: `e\.topology\.yaml` → `HEAD:d\.topology\.yaml`\n\n\*\*\d+ regressions\.\*\*\n/);
    assert.match(md.stdout, /\| 🔴 worse \| lose fra \| degraded \| down \| store ledger: losing fra/);
    assert.match(md.stdout, /\| added \| error \| `quorum\/two-site-split` \| store ledger, line \d+ \|/);

    assert.equal(cli(["diff", "HEAD~1:d.topology.yaml", "d.topology.yaml"]).code, 2);
    assert.match(cli(["diff", "HEAD:nope.yaml", "d.topology.yaml"]).stderr, /^quorate: cannot read HEAD:nope\.yaml: .*nope\.yaml/);
    assert.equal(cli(["diff", "d.topology.yaml"]).code, 2);
    assert.equal(cli(["diff", "--format", "sarif", "d.topology.yaml", "e.topology.yaml"]).code, 2);
    assert.equal(cli(["diff", "d.topology.yaml", "missing.yaml"]).code, 2);
  });
});

test("the Simulate strip lists every single-site loss up to 32 sites, none past that", () => {
  const sites = (n: number) =>
    `${HEADER}sites:\n${Array.from({ length: n }, (_, i) => `  - name: s${i}`).join("\n")}\nclusters:\n  - name: c\n    site: s0\n    etcd: { members: { s0: 1, s1: 1, s2: 1 } }\n`;
  for (const [n, strip] of [
    [32, 32],
    [33, 0],
  ] as const) {
    const { analysis, findings } = analyzeAlone("t.topology.yaml", sites(n));
    const r = simulate(analysis, findings, { lose: ["s1"] })!;
    assert.equal(r.singles.length, strip, `${n} sites`);
    assert.equal(r.sites.length, n);
    assert.equal(r.verdict, "ok", "one member of three lost: the etcd continues");
  }
});
