// quorum/member-unreachable and data/replication-unreachable (review M45): a store's members on the
// hosts of a site without a cluster must dial its pods elsewhere; in tunnel mode nothing outside a
// cluster reaches a pod address. Both sides of every boundary: tunnel vs routed (design or
// deployed), a member site with and without a cluster, hostNetwork, the mesh kinds, async roles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { memberGaps, podRouting } from "../../server/src/derive/reach";
import { availabilityText } from "../../server/src/availability/render";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { decisionRecord } from "../../server/src/whatif/record";
import { hoverAt } from "../../server/src/hover/hover";
import { check, HEADER } from "../helpers";
import { fixesFor } from "../../server/src/fixes/fixes";
import { portMatrix } from "../../server/src/ports/ports";

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
/** The reviewed example before it declared its pod ranges routed: tunnel mode. */
const TUNNEL = REVIEWED.replace(/^ +routing: native\n/gm, "");
const reach = (body: string) =>
  check(body).filter((f) => f.code === "quorum/member-unreachable" || f.code === "data/replication-unreachable");

/** fra and lon run clusters (`fraNet`/`lonNet` appended to each cluster's network), ams hosts only; a 2+2+1 ledger in a namespace. */
function design({ fraNet = "", lonNet = "", mesh = "clustermesh", ams = "", store = "namespace: ledger" } = {}): string {
  return `sites:
  - name: fra
  - name: lon
  - name: ams
    addresses: [192.0.2.0/28]
links:
  - { between: [fra, lon], rttMs: 14 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
clusters:
  - { name: a, site: fra, id: 1, mesh: ${mesh}, network: { pods: 10.1.0.0/16, nodes: 192.168.1.0/24${fraNet} } }
  - { name: b, site: lon, id: 2, mesh: ${mesh}, network: { pods: 10.2.0.0/16, nodes: 192.168.2.0/24${lonNet} } }
${ams}stores:
  - name: ledger
    engine: cockroachdb
    replication: consensus
    members: { fra: 2, lon: 2, ams: 1 }
    ${store}
`;
}

test("tunnel mode: the witness's voter on hosts cannot dial the pods — one warning on ams's key in members, with the ranges, the quorum left and both remedies", () => {
  const fs = reach(design());
  assert.equal(fs.length, 1);
  const f = fs[0];
  assert.equal(f.code, "quorum/member-unreachable");
  assert.equal(f.severity, "warning");
  assert.equal(f.text, "ams");
  assert.match(
    f.message,
    /^store ledger's member at ams runs on ams's hosts \(192\.0\.2\.0\/28; no cluster there\) and must dial its members at fra and lon at their pod addresses — a 10\.1\.0\.0\/16 and b 10\.2\.0\.0\/16, in tunnel mode \(the ClusterMesh VXLAN overlay, Cilium's default\)/,
  );
  assert.match(
    f.message,
    /ams's 1 vote of 5 never counts: ledger is the other 4 with a majority of 3, so losing fra \(2 of 5 left\) or lon \(2 of 5 left\) stops its writes/,
  );
  assert.match(f.message, /`network\.routing: native` on a and b .*`hostNetwork: true` on ledger/);
});

test("routed pod ranges (network.routing: native on every cluster at the other member sites) clear it; tunnel written out, or one cluster left, does not", () => {
  const native = ", routing: native";
  assert.deepEqual(reach(design({ fraNet: native, lonNet: native })), []);
  assert.equal(reach(design({ fraNet: ", routing: tunnel", lonNet: ", routing: tunnel" })).length, 1);
  // only lon's pods out of reach: ams still reaches fra, so its vote is not simply void
  const half = reach(design({ fraNet: native }));
  assert.equal(half.length, 1);
  assert.match(half[0].message, /must dial its members at lon at their pod addresses — b 10\.2\.0\.0\/16/);
  assert.match(half[0].message, /reach only part of ledger's quorum/);
  assert.doesNotMatch(half[0].message, /never counts/);
});

test("a member site with a cluster runs the members as its pods: nothing to report; without a cluster, it is the hosts", () => {
  const withCluster = design({ ams: "  - { name: w, site: ams, id: 3, mesh: clustermesh, network: { pods: 10.3.0.0/16 } }\n" });
  assert.match(withCluster, /name: w, site: ams/);
  assert.deepEqual(reach(withCluster), []);
  assert.equal(reach(design()).length, 1);
});

test("hostNetwork: true on the store: its members are at node addresses, which the hosts reach — nothing to report; false keeps it", () => {
  assert.deepEqual(reach(design({ store: "namespace: ledger\n    hostNetwork: true" })), []);
  assert.equal(reach(design({ store: "namespace: ledger\n    hostNetwork: false" })).length, 1);
});

test("a store without a namespace runs on hosts everywhere: no pods to reach, no finding", () => {
  assert.deepEqual(reach(design({ store: "owner: dba" })), []);
});

test("the mesh decides the words: Submariner's gateways, and no mesh at all (nothing says the pods are routed)", () => {
  assert.match(
    reach(design({ mesh: "submariner" }))[0].message,
    /behind Submariner's gateways, which carry pod traffic between clusters only/,
  );
  assert.match(reach(design({ mesh: "none" }))[0].message, /nothing says the network routes their pod ranges beyond the clusters/);
});

test("async stores: a replica on hosts dialling the writer's pods is data/replication-unreachable; a writer on hosts dialled by pod replicas is fine", () => {
  const async = (writers: string, replicas: string) =>
    design({ store: "namespace: ledger" }).replace(
      /stores:[\s\S]*$/,
      `stores:\n  - { name: pg, engine: postgres, replication: async, writers: ${writers}, replicas: ${replicas}, namespace: db, maxLagSeconds: 5 }\n`,
    );
  const fs = reach(async("[fra]", "[ams]"));
  assert.deepEqual(
    fs.map((f) => [f.code, f.text]),
    [["data/replication-unreachable", "ams"]],
  );
  assert.match(
    fs[0].message,
    /^store pg's replica at ams runs on ams's hosts .* must dial its writer at fra at their pod addresses .*it never catches up/,
  );
  // the pods dial the host (masqueraded as their node): no gap
  assert.deepEqual(reach(async("[ams]", "[fra]")), []);
  // two writers: each subscribes to the other
  assert.equal(reach(async("[fra, ams]", "[]"))[0].code, "data/replication-unreachable");
});

test("derive/reach: a deployment's routingMode wins over the design's network.routing, both ways", () => {
  const ctx = analyzeFile("t.topology.yaml", HEADER + design({ fraNet: ", routing: native", lonNet: ", routing: native" })).contexts[0];
  const a = ctx.topology.clusters[0];
  assert.deepEqual(podRouting(a), { routed: true, said: "design" });
  assert.deepEqual(podRouting(a, { routingMode: { value: "tunnel" } }), { routed: false, said: "deployed", tunnel: "vxlan" });
  assert.deepEqual(memberGaps(ctx), []);
  const deployedTunnel = new Map([
    ["a", { routingMode: { value: "tunnel" } }],
    ["b", { routingMode: { value: "tunnel" }, tunnelProtocol: { value: "geneve" } }],
  ]);
  assert.deepEqual(
    memberGaps(ctx, deployedTunnel).map((g) => [g.hostSite, g.podSite, g.tunnel]),
    [
      ["ams", "fra", "vxlan"],
      ["ams", "lon", "geneve"],
    ],
  );
  const tunnelCtx = analyzeFile("t.topology.yaml", HEADER + design()).contexts[0];
  assert.equal(memberGaps(tunnelCtx).length, 2);
  assert.deepEqual(
    memberGaps(
      tunnelCtx,
      new Map([
        ["a", { routingMode: { value: "native" } }],
        ["b", { routingMode: { value: "native" } }],
      ]),
    ),
    [],
  );
});

test("the reviewed example declares its pod ranges routed and is clean; as it was (tunnel mode) it carries the warning", () => {
  assert.notEqual(TUNNEL, REVIEWED);
  assert.deepEqual(reach(REVIEWED), []);
  assert.deepEqual(
    reach(TUNNEL).map((f) => [f.code, f.text]),
    [["quorum/member-unreachable", "ams"]],
  );
});

test("the decision record: Open findings lists it and checklist 2 is not met while it stands; met once the path is declared", () => {
  const recordOf = (text: string) => {
    const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
    return { md: decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!, analysis };
  };
  const tunnel = recordOf(TUNNEL).md;
  const open = tunnel.slice(tunnel.indexOf("## Open findings"));
  assert.match(open, /\| warning \| quorum\/member-unreachable \| \d+ \| store ledger's member at ams/);
  assert.match(
    tunnel,
    /2\. \[ \] \*\*Quorum drawings with explicit witness placement\*\* — \*\*not met\*\*: ledger's voter at ams cannot dial its members' pod addresses at fra and lon as designed \(quorum\/member-unreachable\); store ledger stops without fra \(2 of 5 left, majority 3\); store ledger stops without lon \(2 of 5 left, majority 3\): until the design says how the path exists/,
  );
  const reviewed = recordOf(REVIEWED).md;
  assert.match(reviewed, /## Open findings\n\nNone/);
  assert.match(reviewed, /2\. \[x\] \*\*Quorum drawings with explicit witness placement\*\* — met/);
});

test("availability and simulate say their figures count the unreachable vote out; not once the path is declared", () => {
  const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
  const note =
    /store ledger: ams's 1 vote is not counted, for as designed it cannot reach ledger's members' pod addresses at fra and lon \(quorum\/member-unreachable\): ledger is the other 4 of 5, still needing 3; declaring `network\.routing: native` on those clusters \(or `hostNetwork: true` on ledger\) restores it/;
  assert.match(availabilityText(ctxOf(TUNNEL)), new RegExp(`- ${note.source}`));
  assert.doesNotMatch(availabilityText(ctxOf(TUNNEL)), /they hold only once the path exists/);
  assert.doesNotMatch(availabilityText(ctxOf(REVIEWED)), /quorum\/member-unreachable/);
  assert.ok(run(ctxOf(TUNNEL), { ...ALL_UP, lose: ["fra"] }).notes.some((n) => note.test(n)));
  assert.ok(!run(ctxOf(REVIEWED), { ...ALL_UP, lose: ["fra"] }).notes.some((n) => n.includes("member-unreachable")));
});

test("review M78: a voter that can dial none of the others is judged as designed — no vote in simulate, availability, the objectives, the Tiers or the leader advice", () => {
  const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
  const ledger = (r: ReturnType<typeof run>) => r.quorums.find((q) => q.name === "store ledger")!;
  // losing fra leaves lon's 2 of 5 voting (ams's never arrives): writes stop; with the path declared, lon + ams carry on
  const lost = run(ctxOf(TUNNEL), { ...ALL_UP, lose: ["fra"] });
  assert.equal(ledger(lost).outcome, "stops");
  assert.ok(
    lost.breaks.some((b) =>
      /losing fra leaves 2 of 5 members that can vote \(ams's 1 never votes as designed: quorum\/member-unreachable\); majority is 3/.test(
        b,
      ),
    ),
  );
  assert.equal(ledger(run(ctxOf(REVIEWED), { ...ALL_UP, lose: ["fra"] })).outcome, "continues");
  // all up: no leader (nor lease-preference advice) at the voter that cannot vote
  const up = run(ctxOf(TUNNEL), ALL_UP);
  assert.notEqual(ledger(up).leader, "ams");
  assert.ok(!up.notes.some((n) => /keep its leader in ams/.test(n)));
  // availability: fra · lon · their link, about 99.75%, not the 2+2+1's
  assert.match(availabilityText(ctxOf(TUNNEL)), /store ledger \(consensus\): 99\.75\d*%/);
  assert.doesNotMatch(availabilityText(ctxOf(REVIEWED)), /store ledger \(consensus\): 99\.7/);
  // check: the declared survival and availability objectives fail, with the reason
  const objectives = (text: string) => check(text).filter((f) => f.code.startsWith("objective/") && /store ledger/.test(f.message));
  const tunnel = objectives(TUNNEL);
  assert.ok(tunnel.some((f) => f.code === "objective/availability"));
  assert.ok(
    tunnel.some(
      (f) =>
        f.code === "objective/survive" &&
        /survive site fails: lose (fra|lon) — writes stop \(2 of 5 members left that can vote; majority is 3; ams's 1 never votes as designed/.test(
          f.message,
        ),
    ),
  );
  assert.deepEqual(objectives(REVIEWED), []);
  // the record's Tiers follow
  const { analysis, findings } = analyzeAlone("t.topology.yaml", TUNNEL);
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!;
  assert.match(md, /\| Datastore survival \| store ledger \| survives any one site lost \| lose fra — writes stop \| \*\*not met\*\* \|/);
  assert.match(
    md,
    /\| as designed \(ams's 1 never votes: quorum\/member-unreachable\) \| 2 fra \+ 2 lon \+ 1 ams = 5 \(majority 3\) \| 1 of 3 \(not fra, lon\) \|/,
  );
  assert.match(md, /\| Datastore RTO \(consensus\) \| store ledger \| [^|]* \| losing fra or lon stops its writes/);
});

test("quorum/site-loss and quorum/partition judge the voters as designed, as simulate does: ams's cut-off voter counts nothing, so losing fra or lon, or a cut between them, stops ledger", () => {
  const quorum = (text: string) =>
    check(text)
      .filter((f) => f.code === "quorum/site-loss" || f.code === "quorum/partition")
      .sort((a, b) => b.code.localeCompare(a.code));
  const silent = "(ams's 1 never votes as designed: quorum/member-unreachable)";
  const tunnel = quorum(design());
  assert.deepEqual(
    tunnel.map((f) => [f.code, f.message]),
    [
      [
        "quorum/site-loss",
        `store ledger: losing fra leaves 2 of 5 members that can vote; losing lon leaves 2 of 5 members that can vote ${silent}; majority is 3`,
      ],
      [
        "quorum/partition",
        `store ledger: a partition between fra (2) and lon (2) leaves neither side the majority of 3 ${silent}; writes stop on both sides`,
      ],
    ],
  );
  // the layout is not what fails: no witness or rebalance fix (quorum/member-unreachable carries the path's)
  assert.deepEqual(
    tunnel.map((f) => f.fixes ?? []),
    [[], []],
  );
  // simulate says the same of both
  const ctx = analyzeFile("t.topology.yaml", HEADER + design()).contexts[0];
  const ledger = (r: ReturnType<typeof run>) => r.quorums.find((q) => q.name === "store ledger")!.outcome;
  assert.equal(ledger(run(ctx, { ...ALL_UP, lose: ["lon"] })), "stops");
  assert.equal(ledger(run(ctx, { ...ALL_UP, partition: [["fra"], ["lon", "ams"]] })), "stops");
  // routed: ams votes, and 2+2+1 survives any one site and any split
  const routed = design({ fraNet: ", routing: native", lonNet: ", routing: native" });
  assert.deepEqual(quorum(routed), []);
  assert.equal(ledger(run(analyzeFile("t.topology.yaml", HEADER + routed).contexts[0], { ...ALL_UP, lose: ["lon"] })), "continues");
  // the record's arithmetic says what check says
  const { analysis, findings } = analyzeAlone("t.topology.yaml", HEADER + design());
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!;
  assert.match(
    md,
    /Each single-site loss, counting the members that can vote \(ams's 1 never votes as designed: quorum\/member-unreachable\):/,
  );
  assert.match(md, /\| fra +\| 2 +\| 2 +\| 3 +\| \*\*stop\*\* +\|/);
  assert.match(md, /\| ams +\| 1 +\| 4 +\| 3 +\| continue +\|/);
  assert.match(md, /Partitions that freeze writes \(neither side reaches 3, counting the members that can vote/);
  const plain = decisionRecord({ path: "t.topology.yaml", ...analyzeAlone("t.topology.yaml", HEADER + routed), version: "9" })!;
  assert.match(plain, /Each single-site loss:\n/);
  assert.match(plain, /\| fra +\| 2 +\| 3 +\| 3 +\| continue +\|/);
});

test("review M78: a voter that reaches some of the others keeps its vote (and the note says the figures count it)", () => {
  const ctx = analyzeFile("t.topology.yaml", HEADER + design({ fraNet: ", routing: native" })).contexts[0];
  assert.equal(run(ctx, { ...ALL_UP, lose: ["lon"] }).quorums.find((q) => q.name === "store ledger")!.outcome, "continues");
  assert.ok(
    run(ctx, ALL_UP).notes.some((n) =>
      /this outcome counts ams's 1 vote, which as designed cannot reach its members' pod addresses at lon/.test(n),
    ),
  );
});

test("review M78: an async replica that cannot dial its writer holds no copy — losing the writer loses everything, and objective/rpo says so", () => {
  const async = design().replace(
    /stores:[\s\S]*$/,
    "stores:\n  - { name: pg, engine: postgres, replication: async, writers: [fra], replicas: [ams], namespace: db, maxLagSeconds: 5, writeRatePerSecond: 100, writeBytes: 1000, objectives: { rpoSeconds: 10 } }\n",
  );
  const rpo = check(async).filter((f) => f.code === "objective/rpo");
  assert.equal(rpo.length, 1);
  assert.match(
    rpo[0].message,
    /RPO is unbounded: every copy is at fra \(the replica at ams cannot dial fra's pods as designed and never catches up: data\/replication-unreachable\)/,
  );
  const r = run(analyzeFile("t.topology.yaml", HEADER + async).contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.ok(r.breaks.some((b) => /every copy is lost/.test(b)));
  // the replica never held the log: nothing stale to serve (review M78 nit)
  assert.ok(
    r.notes.some((b) =>
      /the replica in ams is cut off from every writer, and as designed never received the log \(data\/replication-unreachable\): it holds no copy it could have streamed/.test(
        b,
      ),
    ),
  );
  assert.ok(!r.notes.some((b) => /serves stale reads/.test(b)));
  // availability names the replica as objective/rpo and the Tiers do (one sentence, soleCopyRpoText)
  assert.match(
    availabilityText(
      analyzeFile("t.topology.yaml", HEADER + async.replace("  - name: fra\n", "  - name: fra\n    availability: 0.999\n")).contexts[0],
    ),
    /RPO unbounded: every copy is at fra \(the replica at ams cannot dial fra's pods as designed and never catches up: data\/replication-unreachable\)/,
  );
  // routed: the replica holds a copy, the lag bounds the RPO
  const routed = async.replace("pods: 10.1.0.0/16, nodes: 192.168.1.0/24", "pods: 10.1.0.0/16, nodes: 192.168.1.0/24, routing: native");
  assert.deepEqual(
    check(routed).filter((f) => f.code === "objective/rpo"),
    [],
  );
});

test("checklist item 2 reads the deployed values the port matrix reads", () => {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", REVIEWED);
  const tunnelDeployed = new Map([
    ["fra-prod", { routingMode: { value: "tunnel", file: "fra.yaml", key: "routingMode" } }],
    ["lon-prod", { routingMode: { value: "tunnel", file: "lon.yaml", key: "routingMode" } }],
  ]);
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9", deployedPorts: tunnelDeployed })!;
  assert.match(md, /2\. \[ \] \*\*Quorum drawings with explicit witness placement\*\* — \*\*not met\*\*: ledger's voter at ams/);
});

test("the ledger's hover says which votes its table counts that cannot arrive; not once the path is declared", () => {
  const hover = (text: string) => {
    const a = analyzeFile("t.topology.yaml", text);
    return hoverAt(a, text.indexOf("members: { fra: 2, lon: 2, ams: 1 }", text.indexOf("name: ledger")) + 2)?.markdown ?? "";
  };
  assert.match(
    hover(TUNNEL),
    /\*\*As designed, ams's members cannot dial the pods at fra and lon\*\* \(`quorum\/member-unreachable`\): they never vote, and the table above does not count them\./,
  );
  // the verdict and the table count the voters, as check's quorum/site-loss does
  assert.match(hover(TUNNEL), /\*\*losing fra or lon stops writes\*\* \(2 of 5 left; majority 3\)/);
  assert.match(hover(REVIEWED), /survives every single-site loss/);
  const clean = hover(REVIEWED);
  assert.match(clean, /store ledger/);
  assert.doesNotMatch(clean, /member-unreachable/);
});

test("review M109: a voter that never votes acks nothing — rtt/write-budget and rtt/commit-budget judge the voters as designed, as simulate all up does", () => {
  const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
  const budget = (text: string) =>
    check(text)
      .filter((f) => f.code === "rtt/write-budget" || f.code === "rtt/commit-budget")
      .map((f) => [f.code, f.message]);
  const silent = "(ams's 1 never votes as designed: quorum/member-unreachable)";
  // fra's 2 and lon's 2 vote, 3 of the 5 needed: a commit waits 14 ms wherever the leader is, the other writer's write 28 ms
  assert.deepEqual(budget(TUNNEL), [
    [
      "rtt/write-budget",
      `store ledger: no leader placement keeps writes within the 20 ms budget — best is fra: from fra 14 ms (at the leader), from lon 28 ms (14 ms to the leader + 14 ms commit); the commit alone is 14 ms ${silent}`,
    ],
  ]);
  // simulate all up: the leader in fra, the 14 ms commit, lon's writes at 28 ms: degraded
  const up = run(ctxOf(TUNNEL), ALL_UP);
  const ledger = up.quorums.find((q) => q.name === "store ledger")!;
  assert.deepEqual(
    [up.verdict, ledger.leader, ledger.commitLatencyMs, ledger.writesFromBest],
    ["degraded", "fra", 14, { fra: 14, lon: 28 }],
  );
  // with the path declared ams votes: the leader in ams keeps both writers within the budget, in check and in simulate
  assert.deepEqual(budget(REVIEWED), []);
  assert.equal(run(ctxOf(REVIEWED), ALL_UP).verdict, "ok");
  // the commit alone: 14 ms with ams silent, 8 ms (lon's 2 + ams's 1) once it votes
  const tight = (net: string) =>
    budget(design({ fraNet: net, lonNet: net, store: "namespace: ledger\n    writeLatencyBudgetMs: 10" })).filter(
      ([c]) => c === "rtt/commit-budget",
    );
  assert.deepEqual(tight(""), [
    [
      "rtt/commit-budget",
      `store ledger: best-case commit latency is 14 ms (leader in fra, waiting for the member that completes the majority) — above the 10 ms budget ${silent}`,
    ],
  ]);
  assert.deepEqual(tight(", routing: native"), []);
  const tightUp = run(
    analyzeFile("t.topology.yaml", HEADER + design({ store: "namespace: ledger\n    writeLatencyBudgetMs: 10" })).contexts[0],
    ALL_UP,
  ).quorums.find((q) => q.name === "store ledger")!;
  assert.deepEqual([tightUp.commitLatencyMs, tightUp.overBudget], [14, true]);
  // the record's arithmetic and commit appendix count the same voters
  const { analysis, findings } = analyzeAlone("t.topology.yaml", TUNNEL);
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!;
  assert.match(md, /Majority: ⌊5\/2⌋ \+ 1 = \*\*3\*\*; the quorum tolerates 1 lost member \(ams's 1 never votes as designed\)\./);
  assert.match(md, /\| fra \| 14 ms \| met \| 14 ms, met \| 28 ms, \*\*not met\*\* \|/);
  assert.match(md, /\| ams \| none \(never votes as designed: quorum\/member-unreachable\) \| — \| — \| — \|/);
});

test("review M109: the ledger's hover counts the voters as designed in its latency columns and its tolerance, as quorum/site-loss and simulate all up do", () => {
  const hover = (text: string) => {
    const a = analyzeFile("t.topology.yaml", text);
    return hoverAt(a, text.indexOf("members: { fra: 2, lon: 2, ams: 1 }", text.indexOf("name: ledger")) + 2)?.markdown ?? "";
  };
  const tunnel = hover(TUNNEL);
  // ams's voter is a failure already: 4 voters, 3 needed
  assert.match(tunnel, /5 members \(4 that vote as designed\), majority \*\*3\*\*, tolerates \*\*1\*\* failure\./);
  // simulate all up places the leader in fra with a 14 ms commit and lon's writes at 28 ms: the hover's best row — tied
  // with lon's (14 ms, fra's writes at 28 ms), said as a tie by the one rule for "best" (review M125 nit, M135)
  const up = run(analyzeFile("t.topology.yaml", TUNNEL).contexts[0], ALL_UP).quorums.find((q) => q.name === "store ledger")!;
  assert.deepEqual([up.leader, up.commitLatencyMs, up.writesFromBest.lon], ["fra", 14, 28]);
  assert.match(tunnel, /\| fra \| 2 \| 2 of 5: \*\*quorum lost\*\* \| 14 ms \| 28 ms \(from lon\) \(best, tied with lon\) \|/);
  assert.match(tunnel, /\| lon \| 2 \| 2 of 5: \*\*quorum lost\*\* \| 14 ms \| 28 ms \(from fra\) \(best, tied with fra\) \|/);
  assert.match(tunnel, /\| ams \| 1 \| 4 of 5: survives \| — \(never votes as designed\) \| — \(never votes as designed\) \|/);
  // with the path declared every member votes: 2 failures, and ams leads best
  const reviewed = hover(REVIEWED);
  assert.match(reviewed, /5 members, majority \*\*3\*\*, tolerates \*\*2\*\* failures\./);
  assert.match(reviewed, /\| ams \| 1 \| 4 of 5: survives \| 8 ms \| 17 ms \(from fra\) \(best\) \|/);
});

test("review M109: when the voters as designed cannot complete the configured majority, no commit is given and no budget finding made — simulate all up stops it", () => {
  const body = design({ store: "namespace: ledger\n    writeLatencyBudgetMs: 10" }).replace(
    "members: { fra: 2, lon: 2, ams: 1 }",
    "members: { fra: 1, lon: 1, ams: 3 }",
  );
  assert.deepEqual(
    check(body).filter((f) => f.code.startsWith("rtt/")),
    [],
  );
  const text = HEADER + body;
  const a = analyzeFile("t.topology.yaml", text);
  const up = run(a.contexts[0], ALL_UP).quorums.find((q) => q.name === "store ledger")!;
  assert.deepEqual([up.outcome, up.commitLatencyMs], ["stops", null]);
  const md = hoverAt(a, text.indexOf("members: { fra: 1") + 2)?.markdown ?? "";
  // w58: one statement — stopped with every site up is not "tolerates 0 failures"
  assert.match(md, /\n\n5 members \(2 that vote as designed\), majority \*\*3\*\*: 1 vote short of it with every site up\.\n/);
  assert.doesNotMatch(md, /tolerates/);
  // w58 (w48's note): the verdict is that writes are stopped already, not that a loss would stop them
  assert.match(
    md,
    /^\*\*store ledger\*\*: \*\*writes are stopped with every site up\*\*: ams's 3 never vote as designed \(`quorum\/member-unreachable`\), so 2 of 5 members can vote; majority 3\.\n/,
  );
  assert.doesNotMatch(md, /losing .* stops writes|Partitions that leave neither side|Every split/);
  assert.match(md, /\| fra \| 1 \| 1 of 5: \*\*quorum lost\*\* \| — \(no majority can vote\) \| — \(no majority can vote\) \|/);
  assert.match(md, /\| ams \| 3 \| 2 of 5: \*\*quorum lost\*\* \| — \(never votes as designed\) \| — \(never votes as designed\) \|/);
});

test("w48's note: a fix's target layout and the record's options are judged on their voters as designed (derive/latency designedVoters), not every member voting", () => {
  // 3+1+1 with ams's voter cut off (tunnel mode): fra's 3 alone are the majority of 5, commits stay in fra, lon's writes 14 ms
  const text = TUNNEL.replace(
    /(- name: ledger[\s\S]*?)members: \{ fra: 2, lon: 2, ams: 1 \}/,
    (_, head: string) => `${head}members: { fra: 3, lon: 1, ams: 1 }`,
  );
  assert.notEqual(text, TUNNEL);
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  const loss = findings.find((f) => f.code === "quorum/site-loss" && /store ledger/.test(f.message))!;
  assert.ok(loss, "losing fra stops the ledger");
  // "Rebalance members" would make it 2+2+1: counted all voting, ams leads within the 20 ms budget (writes 18 ms); as designed
  // ams never votes, so fra and lon must both ack and lon's writes take 28 ms — the fix would trade site-loss for write-budget
  const offered = fixesFor({ text, doc: analysis.parsed.docs[0].doc, ctx: analysis.contexts[0] }, loss).map((x) => x.title);
  assert.ok(!offered.includes("Rebalance members"), offered.join(", "));
  // the record's rebalanced option, on the same voters: no leader in ams, and fra's or lon's loss still stops it
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  const row = md.split("\n").find((l) => l.startsWith('| rebalanced — the rules\' fix "Rebalance members" | 2 fra + 2 lon + 1 ams'))!;
  assert.ok(row, md.slice(md.indexOf("## Considered options"), md.indexOf("## Consequences")));
  assert.match(
    row,
    /\| 1 of 3 \(not fra, lon\) \| 1 \| 14 ms \(leader in fra, where simulate would place it\) \| fra: \*\*stops\*\*<br>lon: \*\*stops\*\*<br>ams: continues \|$/,
  );
});

test("w48's note: where the voters as designed can never make the majority, the record's options say it is stopped with every site up", () => {
  const text = TUNNEL.replace(
    /(- name: ledger[\s\S]*?)members: \{ fra: 2, lon: 2, ams: 1 \}/,
    (_, head: string) => `${head}members: { fra: 1, lon: 1, ams: 3 }`,
  );
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    md,
    /\n\| as designed \(ams's 3 never vote: quorum\/member-unreachable\) \| 1 fra \+ 1 lon \+ 3 ams = 5 \(majority 3\) \| none: stopped with every site up \(2 of 5 members vote as designed\) \| 1 \| none \(no majority can vote as designed\) \| every site: \*\*stops\*\* \(stopped with every site up\) \|\n/,
  );
});

test("pod ranges that overlap (Submariner Globalnet) are never to be routed to the witness: renumber, host network or the global CIDRs; disjoint ranges keep the route (review M149)", () => {
  const globalnet = (pods: string) =>
    design({ mesh: "submariner", fraNet: ", globalCidr: 242.0.0.0/16", lonNet: ", globalCidr: 242.1.0.0/16" })
      .replace(/mesh: submariner, network/g, "globalnet: true, mesh: submariner, network")
      .replace("pods: 10.2.0.0/16", `pods: ${pods}`);
  const message = (body: string) => {
    const fs = reach(body);
    assert.equal(fs.length, 1, fs.map((f) => f.message).join("\n"));
    return fs[0].message;
  };
  // identical: the route is no path, and the three that are
  const same = globalnet("10.1.0.0/16");
  assert.deepEqual(
    check(same).filter((f) => f.code === "cidr/overlap"),
    [],
    "Globalnet clusters may share a range",
  );
  const m = message(same);
  assert.doesNotMatch(m, /Route the pod ranges to ams/);
  assert.match(
    m,
    /Routing the pod ranges to ams is no path: a and b both use 10\.1\.0\.0\/16 \(Submariner Globalnet lets them overlap\), and no network routes one address range to two clusters — a route for that range leads to one of them only\./,
  );
  assert.match(
    m,
    /renumber b's pods to a range that overlaps none \(10\.0\.0\.0\/16 is free; then route the pod ranges to ams and declare `network\.routing: native`\)/,
  );
  assert.match(
    m,
    /declare `hostNetwork: true` on ledger \(at their nodes' addresses: 192\.168\.1\.0\/24 and 192\.168\.2\.0\/24 do not overlap\)/,
  );
  assert.match(
    m,
    /or keep the overlap and run ams's members as pods of a cluster at ams joined to the Submariner cluster set with Globalnet: members then reach each other at their clusters' global CIDRs \(a 242\.0\.0\.0\/16 and b 242\.1\.0\.0\/16\), through exported headless Services, never at pod addresses\.$/,
  );
  // one range inside the other: the longer prefix takes the shared part
  const part = message(globalnet("10.1.128.0/17"));
  assert.doesNotMatch(part, /Route the pod ranges to ams/);
  assert.match(
    part,
    /b's 10\.1\.128\.0\/17 lies inside a's 10\.1\.0\.0\/16 \(Submariner Globalnet lets them overlap\), and no network routes one address range to two clusters — routed, 10\.1\.128\.0\/17 goes to b \(the longer prefix\), so a's members that draw an address there are never reached/,
  );
  // the other side of the boundary: disjoint ranges can be routed, and the advice says so
  const apart = message(globalnet("10.2.0.0/16"));
  assert.match(apart, /Route the pod ranges to ams and declare it with `network\.routing: native` on a and b/);
  assert.doesNotMatch(apart, /no path|global CIDRs/);
  // without Globalnet an overlap is cidr/overlap's error, and Globalnet's global addresses are no option
  const plain = design({ mesh: "submariner" }).replace("pods: 10.2.0.0/16", "pods: 10.1.0.0/16");
  const p = message(plain);
  assert.match(p, /a and b both use 10\.1\.0\.0\/16 \(quorate check: cidr\/overlap\)/);
  assert.doesNotMatch(p, /Globalnet|Route the pod ranges/);
  // node ranges that overlap too: the host network is no path either until they are renumbered
  const nodes = message(same.replace("nodes: 192.168.2.0/24", "nodes: 192.168.1.0/24"));
  assert.match(
    nodes,
    /run the store's pods on the host network \(`hostNetwork: true` on ledger\) once the node ranges \(192\.168\.1\.0\/24 and 192\.168\.1\.0\/24\), which overlap too, are renumbered/,
  );
  // the port matrix's note and simulate's vote note say the same
  const ctx = analyzeFile("t.topology.yaml", `${HEADER}${same}`).contexts[0];
  const notes = portMatrix(ctx).notes.filter((n) => n.startsWith("store ledger"));
  assert.equal(notes.length, 2);
  for (const n of notes) {
    assert.doesNotMatch(n, /Route the pod CIDRs/);
    assert.match(n, /Routing the pod ranges to ams is no path: a and b both use 10\.1\.0\.0\/16/);
  }
  const sim = run(ctx, ALL_UP).notes.join("\n");
  assert.match(
    sim,
    /their pod ranges overlap, so routing them cannot restore it — `hostNetwork: true` on ledger, or renumbered pod ranges, can/,
  );
  assert.doesNotMatch(sim, /declaring `network\.routing: native` on those clusters/);
});
