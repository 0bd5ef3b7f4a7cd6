import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../server/src/analysis";
import { controlPlaneOf } from "../../server/src/derive/controlplane";
import { cidrOverlaps, parsedRanges, rangeWhere } from "../../server/src/derive/cidr";
import { singlePrimaryEngine } from "../../server/src/derive/engines";
import type { TopologyContext } from "../../server/src/derive/context";
import { bestCommit, commitLatencies } from "../../server/src/derive/latency";
import { trafficLoads } from "../../server/src/derive/loads";
import { etcdTimers, largestMemberRtt, timerAdvice } from "../../server/src/derive/timers";
import { bytes, mdText, ms, prose } from "../../server/src/util/format";
import { HEADER, LEDGER_221, yaml } from "../helpers";

const ctxOf = (text: string): TopologyContext => analyzeFile("t.topology.yaml", text).contexts[0];

test("a derived fact is computed once per analysis and the same value is handed to every reader", () => {
  const ctx = ctxOf(HEADER + LEDGER_221);
  let calls = 0;
  const fact = (c: TopologyContext) => {
    calls++;
    return { sites: c.topology.siteByName.size };
  };
  const first = ctx.fact(fact);
  assert.equal(ctx.fact(fact), first);
  assert.equal(calls, 1);
  // a fresh analysis of the same text computes its own
  assert.notEqual(ctxOf(HEADER + LEDGER_221).fact(fact), first);
  assert.equal(calls, 2);
});

test("largest member RTT, timers and commit latency of the seed's 2+2+1 ledger", () => {
  const ctx = ctxOf(HEADER + LEDGER_221);
  const q = ctx.quorums[0];
  assert.deepEqual(largestMemberRtt(ctx, q), { ms: 14, pair: ["fra", "lon"] });
  assert.deepEqual(largestMemberRtt(ctx, q, ctx.rttP99), { ms: 30, pair: ["fra", "lon"] });
  const a = timerAdvice(ctx, q);
  assert.equal(a.maxP99, 30);
  assert.deepEqual([a.heartbeat, a.election], [100, 1000]);
  assert.deepEqual(
    commitLatencies(ctx, q).map((l) => [l.leader, l.ms]),
    [
      ["fra", 9],
      ["lon", 8],
      ["ams", 8],
    ],
  );
  assert.deepEqual(bestCommit(ctx, q), { site: "lon", latency: 8 });
  // over the survivors of a lost ams: fra and lon must reach each other
  assert.deepEqual(
    bestCommit(ctx, q, {
      counts: new Map([
        ["fra", 2],
        ["lon", 2],
      ]),
    }),
    { site: "fra", latency: 14 },
  );
});

test("etcd timers: declared values, else etcd's defaults, and which is which", () => {
  assert.deepEqual(etcdTimers(undefined), { heartbeat: 100, election: 1000, heartbeatDeclared: false, electionDeclared: false });
  const ctx = ctxOf(
    HEADER +
      yaml`
      sites: [{ name: a }]
      clusters:
        - name: c
          site: a
          etcd: { members: { a: 3 }, heartbeatMs: 150 }
    `,
  );
  assert.deepEqual(etcdTimers(ctx.topology.clusters[0]), {
    heartbeat: 150,
    election: 1000,
    heartbeatDeclared: true,
    electionDeclared: false,
  });
});

test("CIDR overlaps: Globalnet clusters may share ranges with each other, never with a non-Globalnet cluster or within themselves; a site's hosts may sit in the node range of a cluster at that site", () => {
  const ctx = ctxOf(
    HEADER +
      yaml`
      sites: [{ name: a, addresses: [192.168.0.10/32] }, { name: b, addresses: [192.168.0.20/32] }]
      clusters:
        - { name: g1, site: a, mesh: submariner, globalnet: true, network: { pods: 10.0.0.0/16, services: 10.0.1.0/24, nodes: 192.168.0.0/24 } }
        - { name: g2, site: b, mesh: submariner, globalnet: true, network: { pods: 10.0.0.0/16 } }
        - { name: plain, site: b, network: { pods: 10.0.128.0/17 } }
    `,
  );
  const r = parsedRanges(ctx);
  const pairs = cidrOverlaps(ctx).map(([i, j]) => [rangeWhere(r[i]), rangeWhere(r[j])].sort().join(" ~ "));
  assert.deepEqual(
    pairs.sort(),
    [
      "b.addresses ~ g1.network.nodes",
      "g1.network.pods ~ g1.network.services",
      "g1.network.pods ~ plain.network.pods",
      "g2.network.pods ~ plain.network.pods",
    ]
      .map((p) => p.split(" ~ ").sort().join(" ~ "))
      .sort(),
  );
});

test("loads: every scenario and the worst load of each backend, undefined without peakRps", () => {
  const ctx = ctxOf(
    HEADER +
      yaml`
      sites: [{ name: a }, { name: b }]
      clusters: [{ name: ca, site: a }, { name: cb, site: b }]
      traffic:
        - name: web
          peakRps: 900
          backends: [{ cluster: ca, weight: 2, capacityRps: 1000 }, { cluster: cb, capacityRps: 500 }]
        - name: idle
          backends: [{ cluster: ca }]
    `,
  );
  const web = trafficLoads(ctx, ctx.topology.traffic[0])!;
  assert.deepEqual(
    web.scenarios.map((s) => s.lost ?? "all up"),
    ["all up", "a", "b"],
  );
  assert.deepEqual(
    web.worst.map((w) => w && Number(w.n) / Number(w.d)),
    [900, 900],
  );
  assert.equal(trafficLoads(ctx, ctx.topology.traffic[1]), undefined);
});

test("formatting: milliseconds to three decimals, bytes with their binary size, user text stays text in Markdown", () => {
  assert.equal(ms(62.03), "62.03 ms");
  assert.equal(ms(10.00754), "10.008 ms");
  assert.equal(bytes(1048576), "1,048,576 bytes (1 MiB)");
  assert.equal(bytes(12), "12 bytes");
  assert.equal(mdText("a|<img src=x>`*b*`_c_[d](e)"), "a\\|&lt;img src=x&gt;&#96;\\*b\\*&#96;\\_c\\_\\[d\\](e)");
  assert.equal(mdText("two\nlines"), "two lines");
  // a sentence's backticked runs are code; the rest, and a lone backtick, stay escaped text
  assert.equal(prose("annotate `a: b` on x|<y>*z*"), "annotate `a: b` on x\\|&lt;y&gt;\\*z\\*");
  assert.equal(prose("one ` alone"), "one &#96; alone");
  assert.equal(prose("`a|b` and `<i>`", true), "`a\\|b` and `<i>`");
  assert.equal(prose("`a|b`"), "`a|b`");
});

test("a store's engine text is single-primary only for plain PostgreSQL, MySQL or MariaDB, never with a multi-master layer named", () => {
  const cases: [string | undefined, string | undefined][] = [
    ["postgres", "PostgreSQL"],
    ["PostgreSQL 16", "PostgreSQL"],
    ["aurora-postgresql", "PostgreSQL"],
    ["mysql", "MySQL"],
    ["MariaDB", "MariaDB"],
    ["postgres-bdr", undefined],
    ["EDB Postgres Distributed", undefined],
    ["pgEdge", undefined],
    ["postgres (spock)", undefined],
    ["mariadb-galera", undefined],
    ["percona-xtradb-cluster", undefined],
    ["mysql-group-replication", undefined],
    ["mysql innodb-cluster", undefined],
    ["mysql-ndb", undefined],
    ["postgres multi-master", undefined],
    ["cockroachdb", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [engine, want] of cases) assert.equal(singlePrimaryEngine(engine), want, String(engine));
});

// Review M111: where a cluster's control-plane nodes are — one fact for simulate, the record, the
// port matrix and the game day (the consumers' tests: witness-control-plane.test.ts)
const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
const AMS_FULL = REVIEWED.replace("    role: witness\n", "");
const cluster = (ctx: TopologyContext, name: string) => ctx.topology.clusterByName.get(name)!;

test("derive: a witness's etcd member is etcd only; a full site's is a control-plane node; the cluster's own site always is", () => {
  assert.notEqual(AMS_FULL, REVIEWED);
  const ctx = ctxOf(REVIEWED);
  assert.deepEqual(controlPlaneOf(ctx, cluster(ctx, "fra-prod")), { sites: ["fra", "lon"], etcdOnly: ["ams"] });
  // federated, no etcd declared: its own site
  assert.deepEqual(controlPlaneOf(ctx, cluster(ctx, "lon-prod")), { sites: ["lon"], etcdOnly: [] });
  // one answer per analysis
  assert.equal(controlPlaneOf(ctx, cluster(ctx, "fra-prod")), controlPlaneOf(ctx, cluster(ctx, "fra-prod")));
  const full = ctxOf(AMS_FULL);
  assert.deepEqual(controlPlaneOf(full, cluster(full, "fra-prod")), { sites: ["fra", "lon", "ams"], etcdOnly: [] });
  // every member at witness sites: the API servers stay at the cluster's own site (external etcd)
  const remote = ctxOf(`${HEADER}sites: [{ name: fra }, { name: ams, role: witness }, { name: bru, role: witness }]
clusters:
  - { name: core, site: fra, etcd: { members: { ams: 1, bru: 2 } } }
`);
  assert.deepEqual(controlPlaneOf(remote, cluster(remote, "core")), { sites: ["fra"], etcdOnly: ["ams", "bru"] });
});
