import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile, analyzeRun } from "../../server/src/analysis";
import { DEFAULT_OPTIONS } from "../../server/src/derive/context";
import { fixesFor } from "../../server/src/fixes/fixes";
import { check, codes, HEADER, only } from "../helpers";

function clusters(...specs: { name: string; extra?: string; pods?: string; services?: string; nodes?: string }[]): string {
  return (
    "sites:\n  - name: fra\nclusters:\n" +
    specs
      .map(
        (c) =>
          `  - name: ${c.name}\n    site: fra\n${c.extra ?? ""}` +
          (c.pods || c.services || c.nodes
            ? `    network:\n${c.pods ? `      pods: ${c.pods}\n` : ""}${c.services ? `      services: ${c.services}\n` : ""}${c.nodes ? `      nodes: ${c.nodes}\n` : ""}`
            : ""),
      )
      .join("")
  );
}

test("invalid CIDRs are one precise finding each, not a schema finding", () => {
  const f = check(clusters({ name: "a", pods: "10.0.0.0", services: "10.96.0.0/33", nodes: "banana" }));
  assert.deepEqual(
    f.map((x) => [x.code, x.text]),
    [
      ["cidr/invalid", "10.0.0.0"],
      ["cidr/invalid", "10.96.0.0/33"],
      ["cidr/invalid", "banana"],
    ],
  );
});

test("host bits set: warning with a normalize fix", () => {
  const f = only(clusters({ name: "a", services: "10.96.0.1/16" }), "cidr/host-bits");
  assert.equal(f[0].text, "10.96.0.1/16");
  assert.deepEqual(
    f[0].fixes.map((x) => x.text),
    ["10.96.0.0/16"],
  );
});

test("service range size: /12 is accepted, /11 is not; IPv6 /108 vs /107", () => {
  assert.deepEqual(codes(clusters({ name: "a", services: "10.96.0.0/12" })), []);
  assert.deepEqual(codes(clusters({ name: "a", services: "10.96.0.0/11" })), ["cidr/service-range-too-large"]);
  assert.deepEqual(codes(clusters({ name: "a", services: "fd00:96::/108" })), []);
  assert.deepEqual(codes(clusters({ name: "a", services: "fd00:96::/107" })), ["cidr/service-range-too-large"]);
  assert.deepEqual(codes(clusters({ name: "a", pods: "10.0.0.0/8" })), [], "only services are limited");
  // review M76: the limit holds before 1.34 only (the ServiceCIDR allocator skips it): a warning that says so
  const f = only(clusters({ name: "a", services: "10.96.0.0/11" }), "cidr/service-range-too-large");
  assert.equal(f[0].severity, "warning");
  assert.equal(
    f[0].message,
    "service range 10.96.0.0/11 is a /11: kube-apiserver before 1.34 refuses to start with an IPv4 --service-cluster-ip-range larger than /12; from 1.34 the ServiceCIDR allocator (MultiCIDRServiceAllocator and DisableAllocatorDualWrite, on by default) takes any size — keep it at /12 or smaller unless every cluster runs 1.34 or later with those gates on",
  );
  assert.match(
    only(clusters({ name: "a", services: "fd00:96::/107" }), "cidr/service-range-too-large")[0].message,
    /an IPv6 --service-cluster-ip-range larger than \/108/,
  );
});

test("overlap within one cluster and across clusters reports both sides, naming each other", () => {
  const f = only(clusters({ name: "a", pods: "10.0.0.0/16", services: "10.0.128.0/20" }), "cidr/overlap");
  assert.deepEqual(
    f.map((x) => x.text),
    ["10.0.0.0/16", "10.0.128.0/20"],
  );
  assert.match(f[0].message, /10.0.0.0\/16 \(a.network.pods\) overlaps 10.0.128.0\/20 \(a.network.services\) in the same cluster/);
  const g = only(clusters({ name: "a", pods: "10.0.0.0/16" }, { name: "b", pods: "10.0.255.0/24" }), "cidr/overlap");
  assert.equal(g.length, 2);
  assert.match(g[1].message, /in cluster a/);
  assert.deepEqual(codes(clusters({ name: "a", pods: "10.0.0.0/16" }, { name: "b", pods: "10.1.0.0/16" })), []);
});

test("a range overlapping more than 10 others gets one finding that counts them; each of the others keeps its own", () => {
  // one wide range over n /24s: up to 10 it is named pair by pair, past 10 counted once
  const spread = (n: number) =>
    clusters({ name: "wide", pods: "10.0.0.0/16" }, ...Array.from({ length: n }, (_, k) => ({ name: `c${k}`, pods: `10.0.${k}.0/24` })));
  const ten = only(spread(10), "cidr/overlap");
  assert.equal(ten.filter((x) => x.text === "10.0.0.0/16").length, 10, "10 overlaps: one finding per pair");
  assert.equal(ten.length, 20);
  const eleven = only(spread(11), "cidr/overlap");
  const wide = eleven.filter((x) => x.text === "10.0.0.0/16");
  assert.equal(wide.length, 1, "11 overlaps: one finding");
  assert.match(
    wide[0].message,
    /^10\.0\.0\.0\/16 \(wide\.network\.pods\) overlaps 11 declared ranges: 10\.0\.0\.0\/24 \(c0\.network\.pods\) in cluster c0, 10\.0\.1\.0\/24 \(c1\.network\.pods\) in cluster c1, 10\.0\.2\.0\/24 \(c2\.network\.pods\) in cluster c2 and 8 more \(each flagged where it is declared; the first 10 are linked\)$/,
  );
  assert.deepEqual(
    wide[0].related,
    Array.from({ length: 10 }, (_, k) => `10.0.${k}.0/24`),
  );
  assert.equal(wide[0].fixes[0]?.text, "10.1.0.0/16", "the wide range keeps its free-range fix");
  // every narrow range is still flagged, naming the wide one, with its own fix
  const narrow = eleven.filter((x) => x.text !== "10.0.0.0/16");
  assert.deepEqual(
    narrow.map((x) => x.text),
    Array.from({ length: 11 }, (_, k) => `10.0.${k}.0/24`),
  );
  for (const x of narrow) assert.match(x.message, /overlaps 10\.0\.0\.0\/16 \(wide\.network\.pods\) in cluster wide$/);
  assert.ok(narrow.every((x) => x.fixes[0]?.text === "10.1.0.0/24"));
});

test("adjacent ranges do not overlap; a host-bits range counts as its masked network", () => {
  assert.deepEqual(codes(clusters({ name: "a", pods: "10.0.0.0/17" }, { name: "b", pods: "10.0.128.0/17" })), []);
  const f = check(clusters({ name: "a", pods: "10.0.0.0/24" }, { name: "b", pods: "10.0.0.200/24" }));
  assert.deepEqual(f.map((x) => x.code).sort(), ["cidr/host-bits", "cidr/overlap", "cidr/overlap"]);
});

test("globalnet exempts cross-cluster overlap only when both clusters set it", () => {
  const g = "    mesh: submariner\n    globalnet: true\n";
  // (cluster a runs the Submariner Broker: an undeclared one is submariner/broker-undeclared)
  assert.deepEqual(
    codes(clusters({ name: "a", extra: `${g}    broker: true\n`, pods: "10.244.0.0/16" }, { name: "b", extra: g, pods: "10.244.0.0/16" })),
    [],
  );
  assert.equal(
    only(clusters({ name: "a", extra: g, pods: "10.244.0.0/16" }, { name: "b", pods: "10.244.0.0/16" }), "cidr/overlap").length,
    2,
  );
  // within one globalnet cluster, overlap still counts
  assert.equal(only(clusters({ name: "a", extra: g, pods: "10.244.0.0/16", services: "10.244.0.0/20" }), "cidr/overlap").length, 2);
});

test("dual-stack lists: each family compared with its own kind only", () => {
  const f = codes(
    clusters(
      { name: "a", pods: "[10.0.0.0/16, 'fd00:10::/56']", services: "[10.96.0.0/16, 'fd00:96::/112']" },
      { name: "b", pods: "[10.1.0.0/16, 'fd00:10:0:80::/58']" },
    ),
  );
  assert.deepEqual(f, ["cidr/overlap", "cidr/overlap"]);
});

test("the free-range fix is the lowest same-size block in the private parent that overlaps nothing", () => {
  const f = only(clusters({ name: "a", pods: "10.0.0.0/16", services: "10.1.0.0/16" }, { name: "b", pods: "10.0.0.0/16" }), "cidr/overlap");
  assert.deepEqual(
    f.map((x) => x.fixes[0]?.text),
    ["10.2.0.0/16", "10.2.0.0/16"],
  );
  assert.deepEqual(
    only(clusters({ name: "a", pods: "8.0.0.0/16" }, { name: "b", pods: "8.0.0.0/16" }), "cidr/overlap")[0].fixes,
    [],
    "no private parent, no guess",
  );
});

test("ClusterMesh names: 32 characters pass, 33 fail; uppercase, underscores and 'default' fail", () => {
  const cm = "    mesh: clustermesh\n";
  const name32 = "a".repeat(32);
  const name33 = "a".repeat(33);
  assert.deepEqual(codes(clusters({ name: name32, extra: `${cm}    id: 1\n` })), []);
  const f = only(clusters({ name: name33, extra: `${cm}    id: 1\n` }), "mesh/cluster-name");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /33 characters; ClusterMesh allows at most 32/);
  assert.deepEqual(codes(clusters({ name: "Fra_Prod", extra: `${cm}    id: 1\n` })), ["mesh/cluster-name"], "no schema finding on top");
  assert.deepEqual(codes(clusters({ name: "default", extra: `${cm}    id: 1\n` })), ["mesh/cluster-name"]);
  assert.deepEqual(codes(clusters({ name: "-a", extra: `${cm}    id: 1\n` })), ["mesh/cluster-name"]);
  // without ClusterMesh, the name is only a DNS label (63 characters)
  assert.deepEqual(codes(clusters({ name: name33 })), []);
  assert.deepEqual(codes(clusters({ name: "Fra_Prod" })), ["schema"]);
});

test("ClusterMesh ids: 1 and 255 pass; 0 and 256 fail; 511 needs maxConnectedClusters 511; missing id anchors on the name", () => {
  const cm = (id: string, max = "") => `    mesh: clustermesh\n${id}${max}`;
  assert.deepEqual(codes(clusters({ name: "a", extra: cm("    id: 1\n") })), []);
  assert.deepEqual(codes(clusters({ name: "a", extra: cm("    id: 255\n") })), []);
  assert.deepEqual(codes(clusters({ name: "a", extra: cm("    id: 0\n") })), ["mesh/cluster-id-range"]);
  assert.deepEqual(
    only(clusters({ name: "a", extra: cm("    id: 256\n") }), "mesh/cluster-id-range").map((x) => x.text),
    ["256"],
  );
  assert.deepEqual(codes(clusters({ name: "a", extra: cm("    id: 511\n", "    maxConnectedClusters: 511\n") })), []);
  assert.deepEqual(codes(clusters({ name: "a", extra: cm("    id: 512\n", "    maxConnectedClusters: 511\n") })), [
    "mesh/cluster-id-range",
  ]);
  assert.deepEqual(
    only(clusters({ name: "a", extra: cm("") }), "mesh/cluster-id-range").map((x) => x.text),
    ["a"],
  );
  assert.deepEqual(codes(clusters({ name: "a", extra: "    id: 0\n" })), [], "ids matter only with ClusterMesh");
});

test("ClusterMesh duplicate ids and maxConnectedClusters disagreement (implicit default anchors on the name)", () => {
  const f = check(
    clusters(
      { name: "a", extra: "    mesh: clustermesh\n    id: 7\n    maxConnectedClusters: 511\n" },
      { name: "b", extra: "    mesh: clustermesh\n    id: 7\n" },
      { name: "c", extra: "    mesh: clustermesh\n    id: 8\n    maxConnectedClusters: 255\n" },
    ),
  );
  assert.deepEqual(
    f.map((x) => [x.code, x.text]),
    [
      ["mesh/max-connected-mismatch", "b"],
      ["mesh/cluster-id-duplicate", "7"],
      ["mesh/max-connected-mismatch", "255"],
    ],
  );
  assert.match(f[0].message, /default maxConnectedClusters 255 but a uses 511/);
  assert.match(f[1].message, /already used by a/);
});

test("site addresses: checked against other sites and every cluster's pod and service ranges; a same-site node range is allowed", () => {
  const body = `sites:
  - name: fra
    addresses: [192.168.10.5/32, 10.10.1.0/24]
  - name: ams
    addresses: [198.51.100.0/28, "2001:db8:a::/64"]
  - name: lon
    addresses: [198.51.100.8/29]
clusters:
  - name: fra-prod
    site: fra
    network: { pods: 10.10.0.0/16, services: 10.96.0.0/16, nodes: 192.168.10.0/24 }
`;
  const f = only(body, "cidr/overlap");
  assert.deepEqual(
    f.map((x) => x.text),
    ["10.10.1.0/24", "198.51.100.0/28", "198.51.100.8/29", "10.10.0.0/16"],
  );
  // no free-range fix for a host's address; the cluster's pod range keeps its own
  assert.deepEqual(f[0].fixes, []);
  assert.equal(f[3].fixes.length, 1);
  assert.match(f[0].message, /fra\.addresses\) overlaps 10\.10\.0\.0\/16 \(fra-prod\.network\.pods\) in cluster fra-prod/);
  assert.match(f[1].message, /at site lon/);
});

test("site addresses: inside another site's cluster node range is an overlap; a bad one is cidr/invalid; host bits warn", () => {
  const body = `sites:
  - name: fra
  - name: ams
    addresses: [192.168.10.0/28, nope, 203.0.113.9/24]
clusters:
  - name: fra-prod
    site: fra
    network: { nodes: 192.168.10.0/24 }
`;
  assert.deepEqual(codes(body), ["cidr/overlap", "cidr/invalid", "cidr/host-bits", "cidr/overlap"]);
});

test("the free block is searched when the quick fix is asked for, not on every analysis", () => {
  const text = HEADER + clusters({ name: "a", pods: "10.0.0.0/16", services: "10.1.0.0/16" }, { name: "b", pods: "10.0.0.0/16" });
  const [r] = analyzeRun([{ path: "t.topology.yaml", text }], DEFAULT_OPTIONS);
  const overlap = r.findings.filter((f) => f.code === "cidr/overlap");
  // the analysis carries the hint only (a keystroke that makes thousands of ranges overlap does no search)
  assert.deepEqual(
    overlap.map((f) => f.fixes),
    [
      [{ kind: "free-range", title: "Use a free range", preferred: true }],
      [{ kind: "free-range", title: "Use a free range", preferred: true }],
    ],
  );
  // the code action searches: the block, its title and the edit of the finding's range
  const a = analyzeFile("t.topology.yaml", text);
  const fixes = fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, overlap[1]);
  assert.deepEqual(
    fixes.map((x) => [x.title, x.preferred, x.edits.map((e) => [text.slice(e.start, e.end), e.text])]),
    [["Use free range `10.2.0.0/16`", true, [["10.0.0.0/16", "10.2.0.0/16"]]]],
  );
});
