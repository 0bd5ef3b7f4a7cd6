import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyzeFile, analyzeRun } from "../../server/src/analysis";
import { type DeploymentSource, drift } from "../../server/src/drift/compare";
import { asNumber, cidrTexts, DocReader, recognise } from "../../server/src/drift/deployed";
import { parseFile } from "../../server/src/model/parse";
import { pemFingerprints } from "../../server/src/deployments";
import { HEADER, rng, seedFromEnv } from "../helpers";

/** One cluster `c` (site a) with `extra` design lines, bound to `d.yaml` holding `deployed`; its comparisons. */
function compare(cluster: string, deployed: string) {
  const topo = `${HEADER}sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 5 }\nclusters:\n${cluster}    deployment: [d.yaml]\n  - { name: peer, site: b, mesh: clustermesh, id: 9 }\n`;
  const a = analyzeFile("t.topology.yaml", topo);
  const ctx = a.contexts[0];
  const source: DeploymentSource = {
    match: (_t, p) => ({ paths: p === "d.yaml" ? ["d.yaml"] : [] }),
    read: (p) => (p === "d.yaml" ? deployed : undefined),
  };
  const doc = a.parsed.docs[0].doc;
  return drift({ path: "t.topology.yaml", label: "t.topology.yaml", ctx, lines: a.parsed.lines, doc }, source, pemFingerprints);
}

const CM = "  - name: c\n    site: a\n    mesh: clustermesh\n    id: 1\n";
const PLAIN = "  - name: c\n    site: a\n";

/**
 * Every row of drift.md's table with a default, on both sides of it: the key absent, written
 * with the default, and another value — against a design at the default and one away from it.
 * [kind's file prefix, design cluster block, deployed key path, default, other, field]
 */
const ROWS: {
  name: string;
  cluster: (v?: string) => string;
  doc: (v?: string) => string;
  def: string;
  /** the deployed default, where it is not the design's (k3s's etcd timers, Istio's cluster ID) */
  absent?: string;
  other: string;
  field: string;
}[] = [
  {
    name: "cilium cluster.name (default: default)",
    cluster: (v) => CM.replace("name: c", `name: ${v ?? "default"}`),
    doc: (v) => `cluster:\n  id: 1\n${v === undefined ? "" : `  name: ${v}\n`}`,
    def: "default",
    other: "edge",
    field: "name",
  },
  {
    name: "cilium cluster.id (default 0)",
    cluster: (v) => CM.replace("id: 1", `id: ${v ?? 0}`),
    doc: (v) => `cluster:\n  name: c\n${v === undefined ? "" : `  id: ${v}\n`}`,
    def: "0",
    other: "7",
    field: "id",
  },
  {
    name: "cilium clustermesh.maxConnectedClusters (default 255)",
    cluster: (v) => `${CM}${v === undefined ? "" : `    maxConnectedClusters: ${v}\n`}`,
    doc: (v) => `cluster:\n  name: c\n  id: 1\n${v === undefined ? "" : `clustermesh:\n  maxConnectedClusters: ${v}\n`}`,
    def: "255",
    other: "511",
    field: "maxConnectedClusters",
  },
  {
    name: "cilium pod pool (default 10.0.0.0/8)",
    cluster: (v) => `${CM}    network: { pods: ${v ?? "10.0.0.0/8"} }\n`,
    doc: (v) => `cluster:\n  name: c\n  id: 1\n${v === undefined ? "" : `ipam:\n  operator:\n    clusterPoolIPv4PodCIDRList: [${v}]\n`}`,
    def: "10.0.0.0/8",
    other: "10.9.0.0/16",
    field: "network.pods",
  },
  {
    name: "cilium routingMode (default tunnel): network.routing",
    cluster: (v) => `${CM}${v === undefined ? "" : `    network: { routing: ${v} }\n`}`,
    doc: (v) => `cluster:\n  name: c\n  id: 1\n${v === undefined ? "" : `routingMode: ${v}\n`}`,
    def: "tunnel",
    other: "native",
    field: "network.routing",
  },
  {
    name: "kubeadm serviceSubnet (default 10.96.0.0/12)",
    cluster: (v) => `${PLAIN}    network: { services: ${v ?? "10.96.0.0/12"} }\n`,
    doc: (v) =>
      `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  dnsDomain: cluster.local\n${v === undefined ? "" : `  serviceSubnet: ${v}\n`}`,
    def: "10.96.0.0/12",
    other: "10.112.0.0/12",
    field: "network.services",
  },
  {
    name: "kubeadm v1beta4 heartbeat-interval (default 100)",
    cluster: (v) => `${PLAIN}${v === undefined ? "" : `    etcd: { members: { a: 1 }, heartbeatMs: ${v} }\n`}`,
    doc: (v) =>
      `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      - { name: listen-metrics-urls, value: "http://0.0.0.0:2381" }\n${v === undefined ? "" : `      - { name: heartbeat-interval, value: "${v}" }\n`}`,
    def: "100",
    other: "250",
    field: "etcd.heartbeatMs",
  },
  {
    name: "kubeadm v1beta3 election-timeout (default 1000)",
    cluster: (v) => `${PLAIN}${v === undefined ? "" : `    etcd: { members: { a: 1 }, electionTimeoutMs: ${v} }\n`}`,
    doc: (v) =>
      `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      snapshot-count: "10000"\n${v === undefined ? "" : `      election-timeout: "${v}"\n`}`,
    def: "1000",
    other: "2500",
    field: "etcd.electionTimeoutMs",
  },
  {
    name: "k3s cluster-cidr (default 10.42.0.0/16)",
    cluster: (v) => `${PLAIN}    network: { pods: ${v ?? "10.42.0.0/16"} }\n`,
    // no cluster-init, no etcd-arg: SQLite through kine, no etcd timers to compare
    doc: (v) => `service-cidr: 10.43.0.0/16\n${v === undefined ? "" : `cluster-cidr: ${v}\n`}`,
    def: "10.42.0.0/16",
    other: "10.52.0.0/16",
    field: "network.pods",
  },
  {
    name: "k3s service-cidr (default 10.43.0.0/16)",
    cluster: (v) => `${PLAIN}    network: { services: ${v ?? "10.43.0.0/16"} }\n`,
    doc: (v) => `cluster-cidr: 10.42.0.0/16\n${v === undefined ? "" : `service-cidr: ${v}\n`}`,
    def: "10.43.0.0/16",
    other: "10.53.0.0/16",
    field: "network.services",
  },
  {
    // the design's default is etcd's 1000; k3s (and RKE2) run their etcd at 5000 when etcd-arg leaves it out (review M101)
    name: "k3s etcd-arg election-timeout (design default 1000, k3s's 5000)",
    cluster: (v) => `${PLAIN}${v === undefined ? "" : `    etcd: { members: { a: 1 }, electionTimeoutMs: ${v} }\n`}`,
    doc: (v) => `cluster-init: true\netcd-arg: ["heartbeat-interval=100"${v === undefined ? "" : `, "election-timeout=${v}"`}]\n`,
    def: "1000",
    absent: "5000",
    other: "2500",
    field: "etcd.electionTimeoutMs",
  },
  {
    name: "Submariner Broker globalnetEnabled (default false)",
    cluster: (v) => `${PLAIN}    mesh: submariner\n${v === undefined ? "" : `    globalnet: ${v}\n`}`,
    doc: (v) =>
      `apiVersion: submariner.io/v1alpha1\nkind: Broker\nspec:\n  defaultGlobalnetClusterSize: 8192\n${v === undefined ? "" : `  globalnetEnabled: ${v}\n`}`,
    def: "false",
    other: "true",
    field: "globalnet",
  },
  {
    // the design's default is the cluster's name; istiod's chart runs as "Kubernetes" without one (review M108)
    name: "Istio clusterName (design default: the cluster's name; Istio's: Kubernetes)",
    cluster: (v) => `${PLAIN}    istio: { meshId: m${v === undefined ? "" : `, clusterName: ${v}`} }\n`,
    doc: (v) => `global:\n  meshID: m\n  multiCluster:\n    enabled: true\n${v === undefined ? "" : `    clusterName: ${v}\n`}`,
    def: "c",
    absent: "Kubernetes",
    other: "west",
    field: "istio.clusterName",
  },
  {
    name: "Linkerd clusterDomain (default cluster.local)",
    cluster: (v) => `${PLAIN}${v === undefined ? "" : `    linkerd: { clusterDomain: ${v} }\n`}`,
    doc: (v) => `identityTrustDomain: cluster.local\n${v === undefined ? "" : `clusterDomain: ${v}\n`}`,
    def: "cluster.local",
    other: "corp.example",
    field: "linkerd.clusterDomain",
  },
  {
    name: "Linkerd multicluster gateway.enabled (default true)",
    cluster: (v) => `${PLAIN}    linkerd: { gateway: ${v ?? "true"} }\n`,
    doc: (v) => `localServiceMirror:\n  logLevel: info\ngateway:\n  name: linkerd-gateway\n${v === undefined ? "" : `  enabled: ${v}\n`}`,
    def: "true",
    other: "false",
    field: "linkerd.gateway",
  },
];

for (const row of ROWS) {
  test(`drift row: ${row.name}, both sides of the default`, () => {
    const verdict = (designValue: string | undefined, deployed: string | undefined) => {
      const r = compare(row.cluster(designValue), row.doc(deployed));
      const c = r.comparisons.filter((x) => x.field === row.field);
      assert.equal(c.length, 1, `${row.field} compared once: ${JSON.stringify(r.comparisons.map((x) => x.field))}`);
      const findings = [...r.files.values()].flatMap((f) => f.findings);
      assert.equal(findings.length, c[0].agree ? 0 : 1, JSON.stringify(findings.map((f) => f.message)));
      return c[0].agree;
    };
    // a design at the default: absent (where the deployed default is the design's) and explicit default agree, another value drifts
    assert.equal(verdict(undefined, undefined), row.absent === undefined, "design default, deployed absent");
    assert.equal(verdict(undefined, row.def), true, "design default, deployed explicit default");
    assert.equal(verdict(undefined, row.other), false, "design default, deployed other");
    // a design away from the default: only the same value agrees
    assert.equal(verdict(row.other, undefined), false, "design other, deployed absent");
    assert.equal(verdict(row.other, row.def), false, "design other, deployed explicit default");
    assert.equal(verdict(row.other, row.other), true, "design other, deployed the same");
    // a deployed default that is not the design's: a design that writes it agrees with the key left out
    if (row.absent !== undefined) {
      assert.equal(verdict(row.absent, undefined), true, "design at the deployed default, deployed absent");
      assert.equal(verdict(row.absent, row.def), false, "design at the deployed default, deployed the design's default");
    }
  });
}

test('an absent key reads as what runs: Cilium\'s default `default` (never "default default"), its pod pool 10.0.0.0/8 a /24 to each node (review M136)', () => {
  const shown = (cluster: string, doc: string, field: string) => {
    const r = compare(cluster, doc);
    const c = r.comparisons.find((x) => x.field === field)!;
    const f = [...r.files.values()].flatMap((x) => x.findings).find((x) => x.message.startsWith(`\`${c.key}\``));
    return [c.deployed, f?.message ?? "agrees"];
  };
  const [name, nameMessage] = shown(CM, "cluster:\n  id: 1\n", "name");
  assert.equal(name, "absent (Cilium's default `default`)");
  assert.match(
    nameMessage,
    /^`cluster\.name` is absent \(Cilium's default `default`\) here, but t\.topology\.yaml:\d+ names the cluster c$/,
  );
  assert.ok(!/default default/.test(nameMessage));
  const pods = `${CM}    network: { pods: 10.9.0.0/16 }\n`;
  const [pool, poolMessage] = shown(pods, "cluster:\n  name: c\n  id: 1\n", "network.pods");
  assert.equal(pool, "absent (Cilium's default pool 10.0.0.0/8, a /24 of it to each node)");
  assert.match(
    poolMessage,
    /^`ipam\.operator\.clusterPoolIPv4PodCIDRList` is absent \(Cilium's default pool 10\.0\.0\.0\/8, a \/24 of it to each node\) here/,
  );
  // the node block follows the mask the file sets; dual stack names both pools and both blocks
  assert.equal(
    shown(pods, "cluster:\n  name: c\n  id: 1\nipam:\n  operator:\n    clusterPoolIPv4MaskSize: 26\n", "network.pods")[0],
    "absent (Cilium's default pool 10.0.0.0/8, a /26 of it to each node)",
  );
  assert.equal(
    shown(pods, "cluster:\n  name: c\n  id: 1\nipv6:\n  enabled: true\n", "network.pods")[0],
    "absent (Cilium's default pools 10.0.0.0/8, fd00::/104, a /24 and a /120 of them to each node)",
  );
  // written, the value is printed as it is, with no default
  assert.equal(
    shown(pods, "cluster:\n  name: c\n  id: 1\nipam:\n  operator:\n    clusterPoolIPv4PodCIDRList: [10.8.0.0/16]\n", "network.pods")[0],
    "10.8.0.0/16",
  );
  // a number's default stays bare
  assert.equal(shown(CM, "cluster:\n  name: c\n", "id")[0], "absent (default 0)");
});

test("drift/routing: the older tunnel: disabled is native routing, tunnel: vxlan is tunnel mode; the finding names the design's network.routing", () => {
  const routing = (design: string, deployed: string) => {
    const r = compare(`${CM}    network: { routing: ${design} }\n`, `cluster:\n  name: c\n  id: 1\n${deployed}`);
    return [...r.files.values()].flatMap((f) => f.findings).filter((f) => f.code === "drift/routing");
  };
  assert.deepEqual(routing("native", "tunnel: disabled\n"), []);
  assert.equal(routing("tunnel", "tunnel: disabled\n").length, 1);
  assert.deepEqual(routing("tunnel", "tunnel: vxlan\n"), []);
  const f = routing("native", "tunnel: geneve\n");
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, "error");
  assert.match(f[0].message, /network\.routing/);
  // routingMode, when written, wins over the older key
  assert.deepEqual(routing("native", "routingMode: native\ntunnel: vxlan\n"), []);
});

test("values normalised: numbers as strings, CIDR sets in any order and spelling, dual-stack strings", () => {
  assert.equal(asNumber("100"), 100);
  assert.equal(asNumber(" 2500 "), 2500);
  assert.equal(asNumber("fast"), undefined);
  assert.deepEqual(cidrTexts("10.0.0.0/16,fd00::/56"), ["10.0.0.0/16", "fd00::/56"]);
  assert.deepEqual(cidrTexts(["10.0.0.0/16", "fd00::/56, 10.1.0.0/16"]), ["10.0.0.0/16", "fd00::/56", "10.1.0.0/16"]);
  const dual = compare(
    `${PLAIN}    network: { pods: ["fd00:10::/56", 10.10.0.0/16] }\n`,
    "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.10.0.0/16,FD00:10:0:0::/56\n",
  );
  assert.equal(dual.comparisons.find((c) => c.field === "network.pods")!.agree, true);
  const third = compare(
    `${PLAIN}    network: { pods: 10.10.0.0/16 }\n`,
    "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.10.0.0/16,fd00:10::/56\n",
  );
  assert.equal(third.comparisons.find((c) => c.field === "network.pods")!.agree, false, "an extra family is drift");
});

test("kinds are recognised from content; other Kubernetes objects and plain YAML are not", () => {
  const kind = (text: string) => {
    const d = parseFile("x.yaml", text).docs[0];
    return recognise(new DocReader(d.doc, d.span));
  };
  assert.equal(kind("cluster:\n  name: a\n"), "cilium-values");
  assert.equal(kind("clustermesh:\n  useAPIServer: true\n"), "cilium-values");
  assert.equal(kind("global:\n  meshID: m\n"), "istio-values");
  assert.equal(kind("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {}\n"), "istio-values");
  assert.equal(kind("identityTrustDomain: cluster.local\n"), "linkerd-values");
  assert.equal(kind("gateway:\n  enabled: true\ncontrollers: []\n"), "linkerd-multicluster-values");
  assert.equal(kind("gateway:\n  enabled: true\n"), undefined, "a gateway alone is not the multicluster chart");
  for (const v of ["v1alpha1", "v1alpha2", "v1alpha3"])
    assert.equal(kind(`apiVersion: multicluster.linkerd.io/${v}\nkind: Link\nspec: {}\n`), "linkerd-link");
  assert.equal(kind("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"), "kubeadm");
  assert.equal(kind("apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n"), undefined, "v1beta2 is not read");
  assert.equal(kind("apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n"), undefined);
  assert.equal(kind("etcd-arg: [a=b]\n"), "k3s");
  assert.equal(kind("apiVersion: submariner.io/v1alpha1\nkind: Broker\nspec: {}\n"), "submariner");
  assert.equal(kind("submariner:\n  clusterId: a\n"), "submariner");
  assert.equal(kind("apiVersion: v1\nkind: ConfigMap\ndata: { cluster-cidr: x }\n"), undefined);
  assert.equal(kind("replicas: 3\n"), undefined);
});

test("PEM bundles: two certificates, one shared; garbage is an error, not a crash", () => {
  const cert = (seed: string) => {
    const f = pemFingerprints(seed);
    return f;
  };
  assert.deepEqual(cert("no certificate here"), { error: "no -----BEGIN CERTIFICATE----- block" });
  const bad = cert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  assert.ok("error" in bad && /certificate 1 of 1/.test(bad.error));
});

test("hostile deployment files: random damage to every case's files never throws, and every finding stays inside its file", () => {
  const root = resolve(__dirname, "..", "..", "..", "test", "conformance", "drift");
  const seed = seedFromEnv();
  const r = rng(seed);
  const JUNK = ["", ":", "- ", "[", "{", "*a", "&a ", "!!binary ", "\t", "\n  ", "-----BEGIN CERTIFICATE-----", "1e400", "~", '"'];
  let runs = 0;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const files: string[] = [];
    const walk = (p: string) => {
      for (const n of readdirSync(p)) {
        const q = join(p, n);
        if (statSync(q).isDirectory()) walk(q);
        else files.push(q);
      }
    };
    walk(dir);
    const topo = files.find((f) => f.endsWith(".topology.yaml"))!;
    const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));
    for (let k = 0; k < 25; k++) {
      const damaged = new Map(texts);
      for (const f of files.filter((x) => x !== topo)) {
        let t = damaged.get(f)!;
        const at = Math.floor(r() * (t.length + 1));
        t = t.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + t.slice(at + Math.floor(r() * 4));
        damaged.set(f, t);
      }
      const source: DeploymentSource = {
        match: (tp, p) => {
          const base = resolve(tp, "..");
          const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
          return { paths: files.filter((f) => f !== topo && re.test(f.slice(base.length + 1))).sort() };
        },
        read: (p) => damaged.get(p),
      };
      const results = analyzeRun([{ path: topo, text: texts.get(topo)! }], undefined, { source, fingerprints: pemFingerprints });
      for (const res of results)
        for (const f of res.findings)
          assert.ok(f.span.start >= 0 && f.span.end <= res.parsed.text.length, `${seed}: ${f.code} in ${res.parsed.path}`);
      runs++;
    }
  }
  assert.ok(runs >= 100, `${runs} damaged runs`);
});

test("etcd timers where the deployed etcd is elsewhere or a distribution's: k3s defaults 500/5000, kine and external etcd not compared (review M101, M102)", () => {
  const ETCD = (t = "") => `${PLAIN}    etcd: { members: { a: 1 }${t} }\n`;
  const timers = (cluster: string, doc: string) =>
    compare(cluster, doc)
      .comparisons.filter((x) => x.code === "drift/etcd-timers")
      .map((x) => [x.field, x.deployed, x.agree]);
  // k3s's embedded etcd at its own defaults: a design that says 500/5000 agrees with no etcd-arg
  assert.deepEqual(timers(ETCD(", heartbeatMs: 500, electionTimeoutMs: 5000"), "cluster-init: true\n"), [
    ["etcd.heartbeatMs", "absent (k3s default 500)", true],
    ["etcd.electionTimeoutMs", "absent (k3s default 5000)", true],
  ]);
  // …and a design at etcd's defaults does not: the what-if's failover figures would be 5 times too short
  assert.deepEqual(
    timers(ETCD(), "cluster-init: true\n").map((x) => x[2]),
    [false, false],
  );
  // `cluster-init: false` is the default written out: SQLite through kine, no etcd timers to compare
  assert.deepEqual(timers(PLAIN, "cluster-init: false\ncluster-cidr: 10.42.0.0/16\n"), []);
  assert.deepEqual(timers(PLAIN, 'cluster-init: "false"\n'), []);
  // …while `true` starts the embedded etcd, compared at k3s's defaults whether or not the design says etcd
  assert.deepEqual(
    timers(PLAIN, "cluster-init: true\n").map((x) => x[0]),
    ["etcd.heartbeatMs", "etcd.electionTimeoutMs"],
  );
  // an external datastore through kine (datastore-endpoint): k3s runs no etcd of its own
  assert.deepEqual(timers(ETCD(), "datastore-endpoint: postgres://k3s@db.corp.example:5432/k3s\ncluster-cidr: 10.42.0.0/16\n"), []);
  // kubeadm with external etcd: the timers are the etcd hosts' flags, not this file's
  const ext = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  external:\n    endpoints: [https://e1:2379]\n";
  assert.deepEqual(timers(ETCD(", heartbeatMs: 300, electionTimeoutMs: 3000"), ext), []);
  // the same file with local etcd is compared at etcd's defaults
  const local = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    dataDir: /var/lib/etcd\n";
  assert.deepEqual(timers(ETCD(", heartbeatMs: 300, electionTimeoutMs: 3000"), local), [
    ["etcd.heartbeatMs", "absent (default 100)", false],
    ["etcd.electionTimeoutMs", "absent (default 1000)", false],
  ]);
});

test("PEM blocks and etcd-arg values are read in one pass: many BEGIN lines and long runs of spaces are no quadratic (audit A13)", () => {
  const { etcdArg } = require("../../server/src/drift/deployed") as typeof import("../../server/src/drift/deployed");
  // BEGIN with no END after it: no block, the same message as no BEGIN at all
  assert.deepEqual(pemFingerprints("-----BEGIN CERTIFICATE-----\n".repeat(20_000)), { error: "no -----BEGIN CERTIFICATE----- block" });
  // a block runs from a BEGIN to the next END, a BEGIN inside it included (as the regular expression did)
  const nested = pemFingerprints("-----BEGIN CERTIFICATE-----\nA\n-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n");
  assert.ok("error" in nested && /^certificate 1 of 1:/.test(nested.error), JSON.stringify(nested));
  const reader = (text: string) => {
    const d = parseFile("k3s.yaml", text).docs[0];
    return new DocReader(d.doc, d.span);
  };
  const arg = (items: string[]) => etcdArg(reader(`etcd-arg: ${JSON.stringify(items)}\n`), "heartbeat-interval");
  assert.equal(arg(["heartbeat-interval=100"]).value, "100");
  assert.equal(arg(["  heartbeat-interval  =  100  "]).value, "100", "both sides trimmed");
  assert.equal(arg(["election-timeout=1000", "heartbeat-interval=250"]).value, "250");
  assert.equal(arg(["heartbeat-interval2=100"]).present, false, "another flag");
  assert.equal(arg(["heartbeat-interval"]).present, false, "no '='");
  assert.equal(arg(["heartbeat-interval=1\n2"]).present, false, "a value of two lines is not one etcd reads");
  const spaces = arg([`heartbeat-interval=100${" ".repeat(100_000)}x`]);
  assert.equal(spaces.value, `100${" ".repeat(100_000)}x`);
});

test("a bound file whose alias sits inside its own anchor gets its yaml/aliases finding, never silence (audit A30)", () => {
  const ETCD = `${PLAIN}    etcd: { members: { a: 1 } }\n`;
  const looped =
    'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\netcd:\n  local: &l\n    extraArgs:\n      election-timeout: "5000"\n      loop: *l\n';
  const r = compare(ETCD, looped);
  const all = [...r.files.values()].flatMap((f) => f.findings.map((x) => x.code));
  assert.deepEqual(all, ["yaml/aliases"], JSON.stringify([...r.files.values()].map((f) => f.findings)));
  // the other side: the same file without the loop is compared
  const plain = compare(ETCD, looped.replace("      loop: *l\n", ""));
  assert.ok(
    plain.comparisons.some((x) => x.code === "drift/etcd-timers" && x.deployed === "5000"),
    JSON.stringify(plain.comparisons),
  );
});
