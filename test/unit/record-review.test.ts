// The decision record of the shipped examples, read as the reviewer who signs it: the federated
// option is the quorum's own cluster with a local etcd (no second etcd invented), every leader
// is the one `simulate` names, tables render their marks, one number format, one ranking for the
// tightest loss, and no withdrawal promised where no backend is left to take the clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone } from "../../server/src/analysis";
import { decisionRecord } from "../../server/src/whatif/record";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { runCli } from "../helpers";

const EXAMPLES = join(__dirname, "..", "..", "..", "examples");
const read = (name: string) => readFileSync(join(EXAMPLES, name), "utf8");

function recordOf(text: string): string {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  return decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!;
}

const section = (md: string, from: string, to: string) => md.slice(md.indexOf(from), md.indexOf(to));

/** Rows of the Markdown table right after `heading`, cells split on unescaped pipes. */
function rowsAfter(md: string, heading: string): string[][] {
  const lines = md.split("\n");
  let i = lines.indexOf(heading) + 1;
  assert.ok(i > 0, heading);
  while (!lines[i].startsWith("|")) i++;
  const rows: string[][] = [];
  for (; lines[i]?.startsWith("|"); i++) if (!/^\|(---\|)+$/.test(lines[i])) rows.push(lines[i].slice(2, -2).split(/ (?<!\\)\| /));
  return rows;
}

test("record: the federated option is the quorum's own cluster with its etcd at its site — no etcd invented for another cluster", () => {
  const md = recordOf(read("payments-eu-reviewed.topology.yaml"));
  const rows = rowsAfter(section(md, "## Considered options", "## Consequences"), "### etcd of cluster fra-prod");
  const fed = rows.find((r) => r[0].startsWith("federated"))!;
  assert.deepEqual(fed.slice(0, 5), [
    "federated: fra-prod's etcd local to fra, where fra-prod runs",
    "3 fra = 3 (majority 2)",
    "2 of 3 (not fra, which takes fra-prod with it as designed too)",
    "0 (no member across a site link)",
    "< 1 ms (members in one site)",
  ]);
  assert.match(
    fed[5],
    /^fra: lost, as fra-prod is either way<br>lon: continues<br>ams: continues<br>fra cut off: fra-prod's API keeps serving \(as designed it stops: 2 of 5 members at fra, the minority\)$/,
  );
  // as designed: fra's loss leaves a majority for a cluster that is gone; cutting fra off stops fra-prod's API
  const designed = rows.find((r) => r[0] === "as designed")!;
  assert.match(
    designed[5],
    /^fra: continues, for no cluster \(fra-prod is lost with fra\)<br>.*<br>fra cut off: fra-prod's API stops \(2 of 5 members at fra, the minority\); its pods there are evicted after about 340 s \(one node every 10 s with per-site zone labels; without them, none in a cluster of 50 nodes or fewer\)$/,
  );
  assert.doesNotMatch(md, /3 lon|lon's 2 rounded up|one control plane per site/);
  assert.match(md, /lon-prod's control plane is not part of this decision and stays as declared/);

  // the edge example: ams-1's etcd (1 ams + 1 par + 1 lon) → 3 at ams; par-1 is not given one
  const edge = recordOf(read("drift/edge.topology.yaml"));
  const erows = rowsAfter(section(edge, "## Considered options", "## Consequences"), "### etcd of cluster ams-1");
  assert.equal(erows.find((r) => r[0].startsWith("federated"))![1], "3 ams = 3 (majority 2)");
  assert.doesNotMatch(edge, /3 par|\| 3 ams \\\|/);
  assert.match(edge, /when ams is cut off \(1 of 3 members at ams, the minority\) ams-1's own API stops/);
});

test("record: a 2 + 2 etcd — losing the other site stops the cluster's API, and cutting its site off leaves no majority anywhere", () => {
  const md = recordOf(read("payments-eu.topology.yaml"));
  const options = section(md, "## Considered options", "## Consequences");
  assert.match(options, /fra cut off: fra-prod's API stops \(2 of 4 members at fra, short of the majority of 3\)/);
  assert.match(
    options,
    /buys it nothing: fra's loss takes fra-prod with it either way, while losing lon — where fra-prod does not run — stops its API \(2 of 4 left, majority 3\)\./,
  );
  assert.doesNotMatch(options, /keep a majority for a cluster with no nodes/, "after fra's loss 2 of 4 is no majority");
});

test("record: a stretched etcd's members at lon are control-plane nodes of fra-prod there — the federated option retires them, not 'only the members move' (review M124)", () => {
  const options = section(recordOf(read("payments-eu-reviewed.topology.yaml")), "## Considered options", "## Consequences");
  assert.match(
    options,
    /fra-prod keeps its API, its workload nodes and its kubectl context; its control-plane nodes at lon are retired with their members, and fra runs 3 control-plane nodes \(2 today\)\./,
  );
  assert.match(
    options,
    /\*\*Recommended for fra-prod: the federated layout\.\*\* fra-prod's workload nodes are all at fra \(a cluster lives at one site; its control-plane nodes at lon, tainted as kubeadm does, run none of its workloads\), so stretching its etcd to lon and ams buys it nothing: after fra's loss the members elsewhere keep a majority for a cluster with no workload nodes\./,
  );
  assert.doesNotMatch(options, /only the members move|fra-prod's nodes are all at fra/);
});

test("record: every leader the record names is the one simulate's engine places, not a second derivation", () => {
  for (const file of ["payments-eu-reviewed.topology.yaml", "payments-eu.topology.yaml", "drift/edge.topology.yaml"]) {
    const text = read(file);
    const { analysis } = analyzeAlone("t.topology.yaml", text);
    const allUp = run(analysis.contexts[0], ALL_UP);
    const md = recordOf(text);
    const options = section(md, "## Considered options", "## Consequences");
    for (const q of allUp.quorums) {
      const designed = rowsAfter(options, `### ${q.name}`).find((r) => r[0] === "as designed")!;
      const where =
        q.kind === "galera"
          ? `writes from ${q.writer}, the fastest; no leader`
          : `leader in ${q.leader}, as simulate places it with every site up`;
      assert.equal(designed[4], `${q.commitLatencyMs} ms (${where})`, `${file}: ${q.name}`);
      if (q.kind === "etcd") {
        const rec = /It costs every API write a WAN commit \((\d+) ms with the leader in (\w+)\)/.exec(options);
        if (rec) assert.deepEqual([Number(rec[1]), rec[2]], [q.commitLatencyMs, q.leader], `${file}: the recommendation`);
      }
    }
  }
  // the reviewed example: simulate puts etcd's leader in fra (9 ms) and the ledger's in ams (8 ms)
  const md = recordOf(read("payments-eu-reviewed.topology.yaml"));
  assert.match(md, /It costs every API write a WAN commit \(9 ms with the leader in fra\)/);
  assert.doesNotMatch(md, /ms \(leader in lon, as simulate places it/);
  // after a loss, the leader simulate --lose places (expert read: the row gave the all-up "ams, as simulate
  // places it" beside "fra: continues", while simulate --lose fra says lon): one derivation, the engine's
  const ctx = analyzeAlone("t.topology.yaml", read("payments-eu-reviewed.topology.yaml")).analysis.contexts[0];
  const ledger = rowsAfter(section(md, "## Considered options", "## Consequences"), "### store ledger").find(
    (r) => r[0] === "as designed",
  )!;
  const cells = ["fra", "lon", "ams"].map((site) => {
    const q = run(ctx, { ...ALL_UP, lose: [site] }).quorums.find((x) => x.name === "store ledger")!;
    return `${site}: continues, leader in ${q.leader}, commit ${q.commitLatencyMs} ms`;
  });
  assert.equal(ledger[5], cells.join("<br>"));
  assert.match(ledger[5], /^fra: continues, leader in lon, commit 8 ms<br>/);
  assert.match(ledger[4], /^8 ms \(leader in ams, as simulate places it with every site up\)$/);
});

test("record: the reader has no seed — the record says it in its own words; tables render their marks; one seconds format", () => {
  for (const file of ["payments-eu-reviewed.topology.yaml", "payments-eu.topology.yaml", "drift/edge.topology.yaml"]) {
    const md = recordOf(read(file));
    assert.doesNotMatch(md, /seed/i, file);
    assert.doesNotMatch(md, /\\\*\\\*/, `${file}: no escaped bold in a table`);
  }
  const draft = recordOf(read("payments-eu.topology.yaml"));
  const timers = rowsAfter(
    draft,
    "Timers (etcd's tuning guide: the heartbeat covers the round trip between members, the election timeout ten times it):",
  );
  assert.deepEqual(
    timers.slice(1).map((r) => r[4]),
    ["met", "met", "**not met**", "**not met**", "**not met**", "met"],
  );
  // the lag buffer's seconds: 536,870,912 / (1,500 × 2,048) = 174.76 s, printed as everywhere else
  assert.match(draft, /buffer holds 174\.8 s of writes, less than the 300 s/);
  assert.doesNotMatch(draft, /174\.76/);
});

test("record: the checklist's N+1 item and the N+1 line rank single-site losses the same way (worst first)", () => {
  const draft = recordOf(read("payments-eu.topology.yaml"));
  const n1 = /the tightest single-site loss is (lose \w+): (\S+) carries/.exec(draft)!;
  const item8 = draft.split("\n").find((l) => l.startsWith("8. "))!;
  // losing fra leaves lon-prod unable to write (review M151: not served, whatever its headroom), worst first;
  // both losses overload the survivor (40,000 of 30,000): both are named, the N+1 line's first
  assert.match(
    item8,
    /not met\*\*: checkout: losing fra, lon-prod \(lon\) cannot write to store carts \(its one writer site, fra, is lost\): all 40,000 rps are errors \(502s\) until that store takes writes again — capacity that cannot write serves nothing; checkout when lose fra: lon-prod 40,000 rps of 30,000 rps; checkout when lose lon: fra-prod 40,000 rps of 30,000 rps;/,
  );
  assert.equal(/checkout when (lose \w+): (\S+)/.exec(item8)!.slice(1).join(" "), `${n1[1]} ${n1[2]}`);
  // the reviewed example is met, at exactly 0 headroom: the same tightest loss is named
  const reviewed = recordOf(read("payments-eu-reviewed.topology.yaml"));
  // the failover drill is a site loss steering must move clients away from, the likeliest by the declared
  // availabilities (fra and lon 0.999, ams 0.995 but serving nobody; links 0.9995): review M67 — it named a
  // link cut "the likeliest failure", which the availabilities contradict and which withdraws nothing from GSLB
  const drill = reviewed.split("\n").find((l) => l.startsWith("4. "))!;
  assert.match(
    drill,
    /; drill first the likeliest loss of a site that serves clients by the declared availabilities \(fra 0\.999, as likely as lon\), with quorate gameday --isolate fra \(fra cut off from the other sites, its machines running\) — until steering withdraws fra: fra-prod answers up to 20,000 rps of checkout with errors or hung requests \(5xx, or the application's own timeout — it is up and answers, but a store it writes to takes no writes from fra\); traffic checkout: with a deep health check \(one that writes through carts and ledger\), gslb stops sending clients to fra within 90 s \(10 s × 3 checks \+ 60 s TTL; [^)]*\); a shallow check keeps passing on an isolated site that is still up, so the window lasts until someone withdraws fra \(then the 60 s TTL\); after the withdrawal lon-prod 40,000 rps of 40,000 rps; the link cuts \(fra–lon, fra–ams, lon–ams\) make steering withdraw no site: they drill the quorums and write latency, not failover; the errors the engine predicts for it to see: partition /,
  );
  // the drill is the isolation its command enacts (review M93): the cut-off site answers with 5xx, never the loss's timeouts
  assert.doesNotMatch(drill, /get no answer|connection timeouts/);
  // a backend that writes to nothing across the cut keeps serving while isolated: the drill says so
  const free = recordOf(read("payments-eu-reviewed.topology.yaml").replace("    dependsOn: [carts, ledger]\n", ""));
  assert.match(
    free.split("\n").find((l) => l.startsWith("4. "))!,
    /— until steering withdraws fra: fra-prod keeps serving its 20,000 rps of checkout \(nothing it writes to is across the cut\): clients see no errors, and the drill measures the withdrawal itself; traffic checkout: with a health check that fails when the site is cut off, gslb stops sending clients to fra within 90 s/,
  );
  assert.doesNotMatch(drill, /likeliest failure, one WAN link down/);
  // lon made the less available: it is drilled first; an overloaded survivor is said so
  const lon = recordOf(
    read("payments-eu-reviewed.topology.yaml").replace(/(- name: lon\n(?: {4}.*\n)*? {4}availability: )0\.999/, "$10.99"),
  );
  assert.match(
    lon,
    /drill first the likeliest loss of a site that serves clients by the declared availabilities \(lon 0\.99\), with quorate gameday --isolate lon \(lon cut off/,
  );
  // review M142 (variant 2): the draft's carts declares no namespace and fra and lon no sites[].addresses, so its hosts are
  // undeclared and the drill cannot cut its replication (the game day's Not enacted): lon-prod keeps writing to it, no
  // deep check fails anywhere, and the drill withdraws fra by hand — lon-prod then carries it all, overloaded
  const draft4 = recordOf(read("payments-eu.topology.yaml"))
    .split("\n")
    .find((l) => l.startsWith("4. "))!;
  assert.match(
    draft4,
    /— until steering withdraws fra: fra-prod keeps serving its 20,000 rps of checkout \(what it writes to is not cut by the drill: the game day's Not enacted\): clients see no errors, and the drill measures the withdrawal itself; checkout: no error to see and no deep check that fails — the engine's errors there come from stores the drill does not cut \(the game day's Not enacted\); steering keeps fra until withdrawn by hand; after the withdrawal lon-prod 40,000 rps of 30,000 rps \(overloaded\);/,
  );
  assert.doesNotMatch(draft4, /a deep health check withdraws lon/);
  // review M116, with carts' hosts declared (its namespace): its only writer is at fra — a deep check withdraws lon-prod,
  // not fra, and fra-prod then carries it all, writing
  assert.match(
    recordOf(read("payments-eu.topology.yaml").replace("    replicas: [lon]\n", "    replicas: [lon]\n    namespace: carts\n"))
      .split("\n")
      .find((l) => l.startsWith("4. "))!,
    /until a deep health check withdraws lon, not fra: lon-prod answers up to 20,000 rps of checkout with errors or hung requests \(5xx, or the application's own timeout: a store it writes to takes no writes from lon\), fra-prod keeps serving its 20,000 rps of checkout \(nothing it writes to is across the cut\); traffic checkout: a deep health check withdraws lon-prod, not fra: carts' writer is at fra — .*after the withdrawal of lon: fra-prod 40,000 rps of 30,000 rps \(overloaded\);/,
  );
  // the draft's drill as it would run (reviewer's style note): `gameday --isolate fra` refuses there — the pod ranges
  // overlap across the cut, and the drill is predicted down — so the overlap is named to fix first and --accept-down asked
  const draftDrill = recordOf(read("payments-eu.topology.yaml"))
    .split("\n")
    .find((l) => l.startsWith("4. "))!;
  assert.match(
    draftDrill,
    /\(fra 0\.999, as likely as lon\), once fra-prod\.network\.pods 10\.10\.0\.0\/16 and lon-prod\.network\.pods 10\.10\.128\.0\/17 no longer overlap across the cut \(cidr\/overlap, Open findings: until then quorate gameday refuses the drill, which would cut a cluster off from itself\), with quorate gameday --isolate fra --accept-down — predicted to take the design down, so it is written only with --accept-down: a go\/no-go for the owners, or fix what takes it down first \(Consequences\) \(fra cut off from the other sites/,
  );
  assert.doesNotMatch(draftDrill, /, with quorate gameday --isolate fra \(/);
  // the reviewed example's runs as recommended: no overlap, not predicted down
  assert.doesNotMatch(drill, /--accept-down|no longer overlap/);
  // checklist 3 counts WAN firewall rules apart from conditional rows (and NetworkPolicy rows inside a tunnel);
  // etcd's client port between member sites is for maintenance, the witness's included (review M111)
  assert.match(
    reviewed.split("\n").find((l) => l.startsWith("3. "))!,
    /\d+ firewall rules \(\+ 3 only under a condition the design does not state\) to test are listed under Ports/,
  );
  assert.match(reviewed, /\| site \| role \| clusters \| declared hosts \(sites\\\[\\\]\.addresses\) \|/);
  // in tunnel mode the store flows ride the VXLAN tunnel: NetworkPolicy rows, counted apart
  const tunnel = recordOf(read("payments-eu-reviewed.topology.yaml").replace(/^ +routing: native\n/gm, ""));
  assert.match(
    tunnel.split("\n").find((l) => l.startsWith("3. "))!,
    /\d+ firewall rules \(\+ 2 NetworkPolicy rows, \d+ only under a condition the design does not state\) to test/,
  );
  assert.match(reviewed, /the tightest single-site loss is lose fra: lon-prod carries 40,000 rps of 40,000 rps, headroom 0 rps \(0%\)/);
  assert.match(
    reviewed.split("\n").find((l) => l.startsWith("8. "))!,
    /met: every entry point is served within capacity after any single-site loss \(tightest: checkout when lose fra, lon-prod 40,000 rps of 40,000 rps, headroom 0 rps \(0%\)\)/,
  );
});

test("record: an erroring backend with nowhere to send its clients is not promised a withdrawal; one with somewhere says what it costs", () => {
  const draft = recordOf(read("payments-eu.topology.yaml"));
  const bad = section(draft, "### Bad", "### RPO per store");
  // lose fra: lon-prod is the last backend, and it errors (carts' only writer is gone)
  assert.match(
    bad,
    /- \*\*lose fra\*\* — down, and before gslb withdraws fra, 20,000 rps of checkout also time out \(how long is unknown\):\n(.*\n)* {2}- clients of checkout at lon-prod: up to 40,000 rps answered with errors \(every request assumed to need a write\); no other backend of checkout can take them, so withdrawing lon-prod does not help/,
  );
  // partition fra / lon: withdrawing lon-prod sends its 20,000 rps to fra-prod, which cannot carry 40,000
  assert.match(
    bad,
    /- clients of checkout at lon-prod: up to 20,000 rps answered with errors until steering withdraws it \(every request assumed to need a write\), which only a deep health check \(one that writes through the stores\) makes it do — with a shallow one, until an operator withdraws it by hand; then fra-prod carries 40,000 rps of 30,000 rps \(overloaded by 10,000 rps, headroom −33\.3%\)/,
  );
  // the checklist's drill item lists the errors to measure without promising their end
  const item4 = draft.split("\n").find((l) => l.startsWith("4. "))!;
  assert.match(item4, /the errors the engine predicts for it to see: lose fra: checkout at lon-prod 40,000 rps of errors/);
  assert.doesNotMatch(item4, /until withdrawal/);
  const reviewed = recordOf(read("payments-eu-reviewed.topology.yaml"));
  assert.match(
    reviewed,
    /clients of checkout at fra-prod: up to 20,000 rps answered with errors until steering withdraws it \(every request assumed to need a write\), which only a deep health check \(one that writes through the stores\) makes it do — with a shallow one, until an operator withdraws it by hand; then lon-prod carries 40,000 rps of 40,000 rps \(at capacity: no headroom\)/,
  );
});

test("record: every single link cut is judged — the most frequent WAN failure, listed in the failure matrix and, when it hurts, under Bad", () => {
  const md = recordOf(read("payments-eu-reviewed.topology.yaml"));
  const matrix = section(md, "### Failure matrix", "Every loss of two sites:");
  const cuts = matrix.slice(matrix.indexOf("Every single link cut, the other links up:"));
  assert.ok(cuts.length < matrix.length, "the block is there");
  // the same judgement simulate gives for each cut, at the leader placement worst for each writer
  for (const [a, b] of [
    ["fra", "lon"],
    ["fra", "ams"],
    ["lon", "ams"],
  ]) {
    const r = run(analyzeAlone("t.topology.yaml", read("payments-eu-reviewed.topology.yaml")).analysis.contexts[0], {
      ...ALL_UP,
      cut: [[a, b]],
    });
    assert.match(cuts, new RegExp(`^- \\*\\*cut ${a}–${b}\\*\\* — \\*\\*${r.verdict}\\*\\*:$`, "m"));
    assert.equal(r.verdict, "degraded");
  }
  assert.match(
    cuts,
    /cut fra–lon[\s\S]*lon-prod \(lon\) does not reach it: CockroachDB ≥ 24\.1 proxies its writes through a follower in ams — 8 ms \+ 9 ms \+ the 9 ms commit = 26 ms/,
  );
  assert.match(section(md, "### Bad", "## Tiers"), /^- \*\*cut fra–lon\*\* — degraded:$/m);
  // the two-site example: the one link's cut is the partition, listed once
  const two = recordOf(read("payments-eu.topology.yaml"));
  assert.doesNotMatch(two, /Every single link cut/);
  assert.match(two, /Every two-group partition:/);
});

test("record Capacity table: loads and headroom as simulate prints them (review M83), whole requests per second since review M121b", () => {
  const frac = `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata: { name: frac }
sites:
  - { name: fra }
  - { name: lon }
  - { name: par }
clusters:
  - { name: fra-1, site: fra }
  - { name: lon-1, site: lon }
  - { name: par-1, site: par }
traffic:
  - name: web
    steering: gslb
    peakRps: 10000
    backends:
      - { cluster: fra-1, capacityRps: 5000 }
      - { cluster: lon-1, capacityRps: 5000 }
      - { cluster: par-1, capacityRps: 5000 }
`;
  const md = recordOf(frac);
  assert.match(md, /\| all up \| fra-1 \| fra \| 3,333 \| 5,000 \| 1,667 \(33\.3%\) \|/);
  assert.doesNotMatch(md, /3,333\.33|1,666\.67/);
});

test("report on a design bound to its deployment files: their drift errors block it and are open findings, file:line with both values (review M75)", () => {
  const r = runCli(["report", join(EXAMPLES, "drift", "edge.topology.yaml")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /## Status\n\n\*\*Proposed — blocked by 1 error\*\*\.\n\n- Blocking: 1 error finding \(see Open findings\)/);
  const open = section(r.stdout, "## Open findings", "## Appendix");
  assert.match(
    open,
    /\| error \| drift\/etcd-timers \| deploy\/ams-1-kubeadm\.yaml:11 \| `etcd\.local\.extraArgs\.election-timeout` is 5000 here, but edge\.topology\.yaml:25 gives ams-1 etcd\.electionTimeoutMs 1000 \|/,
  );
  // the file's own finding stays, by its line
  assert.match(open, /\| information \| submariner\/broker-undeclared \| 20 \|/);
  // check says the same: one error, in the bound file
  const check = runCli(["check", join(EXAMPLES, "drift")]);
  assert.match(check.stdout, /ams-1-kubeadm\.yaml:11:25: error drift\/etcd-timers/);
  // without bound files (the pure record): the design alone, as before
  assert.match(recordOf(read("drift/edge.topology.yaml")), /## Status\n\n\*\*Proposed\*\*\./);
});

test("Considered options: one basis per column — each option's commit where simulate would place the leader, losses counted over the sites listed (review M77)", () => {
  // the reviewer's variant: fra-prod's etcd and the ledger at 2+2, ams declared but memberless
  const md = recordOf(
    read("payments-eu-reviewed.topology.yaml").replaceAll("members: { fra: 2, lon: 2, ams: 1 }", "members: { fra: 2, lon: 2 }"),
  );
  const options = section(md, "## Considered options", "## Consequences");
  const etcd = rowsAfter(options, "### etcd of cluster fra-prod");
  assert.equal(etcd[1][4], "14 ms (leader in fra, as simulate places it with every site up)");
  // with the witness, fra-prod's nodes (its only writers) write in 9 ms with the leader at fra; the fastest commit (lon, 8 ms) would cost them 22
  const witness = etcd.find((r) => r[0].startsWith("a witness at ams"))!;
  assert.equal(witness[4], "9 ms (leader in fra, where simulate would place it)");
  const ledger = rowsAfter(options, "### store ledger");
  assert.equal(ledger[1][2], "1 of 3 (not fra, lon)");
  assert.equal(ledger.find((r) => r[0].startsWith("a witness at ams"))![4], "8 ms (leader in ams, where simulate would place it)");
  assert.doesNotMatch(options, /the fastest\)/);
});
