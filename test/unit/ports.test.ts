import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../server/src/analysis";
import type { DeploymentSource } from "../../server/src/drift/compare";
import { deployedPorts } from "../../server/src/drift/ports";
import { hoverAt } from "../../server/src/hover/hover";
import { portMatrix, type PortRow, portText } from "../../server/src/ports/ports";
import { MAX_PORT_PAIRS, portsCsv, portsJson, portsMarkdown } from "../../server/src/ports/render";
import { gameDay } from "../../server/src/whatif/gameday";
import { HEADER, inTempDir, recordOf } from "../helpers";

const ROOT = join(__dirname, "..", "..", "..");
const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text.includes("apiVersion") ? text : HEADER + text).contexts[0];
/** "component proto port from-site dir to-site" per row: the matrix as a set to compare. */
const facts = (rows: readonly PortRow[]) =>
  rows.map((r) => `${r.component} | ${portText(r)} | ${r.from.site} ${r.direction === "both" ? "<->" : "->"} ${r.to.site}`).sort();

const REVIEWED = readFileSync(join(ROOT, "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
/** The reviewed example as it was before it declared its pod ranges routed: tunnel mode, Cilium's default. */
const REVIEWED_TUNNEL = REVIEWED.replace(/^ +routing: native\n/gm, "");
/** The rows both modes share: everything but how pod traffic crosses between fra and lon. */
const REVIEWED_ROWS = [
  "CockroachDB RPC and SQL | TCP 26257 | ams -> fra",
  "CockroachDB RPC and SQL | TCP 26257 | ams -> lon",
  "CockroachDB RPC and SQL | TCP 26257 | fra -> ams",
  "CockroachDB RPC and SQL | TCP 26257 | fra <-> lon",
  "CockroachDB RPC and SQL | TCP 26257 | lon -> ams",
  "PostgreSQL replication | TCP 5432 | fra <-> lon",
  // fra-prod's own nodes and its control-plane nodes at lon (review M40): Cilium runs on them too — not
  // at ams, a witness: its etcd member runs alone there, no kubelet, no CNI (review M111)
  "cilium-health | ICMP echo (type 8, code 0) and reply (type 0) | fra <-> lon",
  "cilium-health | ICMP echo (type 8, code 0) and reply (type 0) | fra <-> lon",
  "cilium-health | TCP 4240 | fra <-> lon",
  "cilium-health | TCP 4240 | fra <-> lon",
  "clustermesh-apiserver | TCP 32379 | fra -> lon",
  "clustermesh-apiserver | TCP 32379 | lon -> fra",
  // the witness's etcd member takes etcd's two ports only: client from the control-plane nodes at
  // fra and lon, peer from the other members (review M111); the client port between every two
  // member sites alike, for maintenance (the lead's rule, 12:53)
  "etcd client | TCP 2379 | fra -> ams",
  "etcd client | TCP 2379 | fra <-> lon",
  "etcd client | TCP 2379 | lon -> ams",
  "etcd peer | TCP 2380 | fra <-> ams",
  "etcd peer | TCP 2380 | fra <-> lon",
  "etcd peer | TCP 2380 | lon <-> ams",
  "kube-apiserver | TCP 6443 | fra -> lon",
  "kube-apiserver | TCP 6443 | lon -> fra",
  // the API servers at fra reach the kubelets of the control-plane VMs too (review M40 residual)
  "kubelet API | TCP 10250 | fra -> lon",
  "kubelet API | TCP 10250 | lon -> fra",
];

test("ClusterMesh and stretched etcd (the reviewed example): every row, with both ends' ranges", () => {
  assert.notEqual(REVIEWED_TUNNEL, REVIEWED, "the reviewed example declares network.routing: native");
  const ctx = ctxOf(REVIEWED);
  const m = portMatrix(ctx);
  assert.deepEqual(
    facts(m.rows),
    [
      ...REVIEWED_ROWS,
      "pod traffic (native routing) | every IP protocol and port (TCP, UDP, ICMP): pod ranges routed between the sites | fra <-> lon",
    ].sort(),
  );
  // the design says its pod ranges are routed (network.routing: native): pod traffic crosses the WAN unencapsulated
  const routed = m.rows.find((r) => r.component === "pod traffic (native routing)")!;
  assert.deepEqual([routed.from.ranges, routed.to.ranges], [["10.10.0.0/16"], ["10.11.0.0/16"]]);
  assert.match(routed.why, /^native routing \(network\.routing\): /);
  // every protocol, never TCP alone: a firewall fed from CSV or JSON would drop UDP and ICMP (review M148.3)
  assert.equal(routed.protocol, "any");
  assert.equal(routed.port, null);
  assert.match(
    portsCsv(m),
    /^pod traffic \(native routing\),clustermesh,any,,"every IP protocol and port \(TCP, UDP, ICMP\): pod ranges routed between the sites",both,/m,
  );
  assert.match(routed.reference, /^https:\/\/docs\.cilium\.io\//);
  // a stretched etcd's members elsewhere are stacked control-plane nodes (kubeadm): etcd's client
  // port across the WAN only with external etcd; 6443 both ways through the control-plane endpoint,
  // 10250 from those API servers to every kubelet — each cited upstream
  const client = m.rows.filter((r) => r.component === "etcd client" && r.to.site === "lon");
  assert.deepEqual(
    client.map((r) => [r.when, r.direction, r.from.what, r.to.what]),
    [["for maintenance, or with external etcd", "both", "control-plane nodes of fra-prod", "control-plane nodes of fra-prod at lon"]],
  );
  assert.match(
    client[0].why,
    /maintenance does: kubeadm join --control-plane and upgrade, and etcdctl endpoint status and health --cluster, dial every member\. Open it from control-plane nodes only$/,
  );
  assert.match(client[0].why, /a kubeadm stacked API server talks only to its own node's member \(127\.0\.0\.1\)/);
  assert.match(client[0].reference, /kubeadm\/ha-topology\/$/);
  // the witness's member at ams (review M111): no API server, kubelet or CNI there, so nothing but
  // etcd's ports to it; its client port from the control-plane nodes at fra and lon, for
  // maintenance as between fra and lon (one rule for every pair of member sites)
  assert.deepEqual(
    [
      ...new Set(
        m.rows
          .filter((r) => r.from.site === "ams" || r.to.site === "ams")
          .filter((r) => !r.source.startsWith("store"))
          .map((r) => `${r.component} ${r.port}`),
      ),
    ].sort(),
    ["etcd client 2379", "etcd peer 2380"],
  );
  const witness = m.rows.filter((r) => r.component === "etcd client" && r.to.site === "ams");
  assert.deepEqual(
    witness.map((r) => [r.from.what, r.from.ranges, r.to.what, r.to.ranges, r.when]),
    [
      ["control-plane nodes of fra-prod", ["192.168.10.0/24"], "etcd members at ams", ["192.168.30.0/28"], client[0].when],
      ["control-plane nodes of fra-prod at lon", ["192.168.21.0/28"], "etcd members at ams", ["192.168.30.0/28"], client[0].when],
    ],
  );
  assert.match(
    witness[0].why,
    /^ams is a witness, etcd only \(no API server, kubelet or CNI of fra-prod: nothing else of it runs there\); /,
  );
  assert.equal(witness[0].why.replace(/^[^;]*; /, ""), client[0].why);
  assert.match(witness[0].reference, /kubeadm\/ha-topology\/$/);
  assert.ok(!m.rows.some((r) => /control-plane nodes of fra-prod at ams/.test(`${r.from.what} ${r.to.what}`)));
  assert.ok(!m.notes.some((n) => /control-plane nodes at ams/.test(n)), m.notes.join("\n"));
  const api = m.rows.find((r) => r.port === 6443 && r.from.site === "fra" && r.to.site === "lon")!;
  assert.deepEqual(
    [api.from.what, api.from.ranges, api.to.what, api.to.ranges],
    ["nodes of fra-prod", ["192.168.10.0/24"], "control-plane nodes of fra-prod at lon", ["192.168.21.0/28"]],
  );
  assert.match(api.reference, /ports-and-protocols/);
  const kubelet = m.rows.find((r) => r.port === 10250 && r.from.site === "lon" && r.to.site === "fra")!;
  assert.deepEqual([kubelet.from.ranges, kubelet.to.what, kubelet.direction], [["192.168.21.0/28"], "nodes of fra-prod", "one-way"]);
  // and back: fra's API servers reach the kubelets of the control-plane VMs at lon (logs, exec of their static pods)
  const kubeletBack = m.rows.find((r) => r.port === 10250 && r.from.site === "fra" && r.to.site === "lon")!;
  assert.deepEqual(
    [kubeletBack.from.what, kubeletBack.from.ranges, kubeletBack.to.what, kubeletBack.to.ranges, kubeletBack.direction],
    ["control-plane nodes of fra-prod", ["192.168.10.0/24"], "control-plane nodes of fra-prod at lon", ["192.168.21.0/28"], "one-way"],
  );
  assert.match(kubeletBack.why, /static pods/);
  const cni = m.rows.find(
    (r) => r.component === "cilium-health" && r.protocol === "TCP" && r.to.what === "control-plane nodes of fra-prod at lon",
  )!;
  assert.deepEqual(cni.to.ranges, ["192.168.21.0/28"]);
  // native routing: no tunnel to them, the pod range routed to them is said
  assert.ok(
    m.notes.some((n) =>
      /^fra-prod: native routing — its pod range must also be routed between fra and its control-plane nodes at lon/.test(n),
    ),
  );
  // lon-prod is federated: no control-plane row of it crosses a site
  assert.ok(!m.rows.some((r) => (r.port === 6443 || r.port === 10250) && (r.from.cluster === "lon-prod" || r.to.cluster === "lon-prod")));
  // the witness's hosts are its sites[].addresses; members at a site without declared hosts are said, never guessed
  assert.deepEqual(m.rows.find((r) => r.component === "etcd peer" && r.to.site === "ams")!.to.ranges, ["192.168.30.0/28"]);
  // fra-prod's members in London run on the hosts lon declares (sites[].addresses)
  assert.deepEqual(m.rows.find((r) => r.component === "etcd peer" && r.to.site === "lon")!.to.ranges, ["192.168.21.0/28"]);
  assert.ok(!m.notes.some((n) => /No range is declared/.test(n)));
  assert.ok(m.notes.some((n) => /encryption is not declared/.test(n)));
  // the stores' own replication: CockroachDB's one port between its member sites (the witness's
  // voter at ams's hosts), PostgreSQL between carts' two writers; both are the engine's default
  // towards the witness's VMs (outside both clusters) the pods leave masqueraded: the ams firewall
  // sees the node range, not the pod range
  const crdb = m.rows.find((r) => r.port === 26257 && r.from.site === "fra" && r.to.site === "ams")!;
  assert.deepEqual([crdb.from.ranges, crdb.to.ranges, crdb.direction], [["192.168.10.0/24"], ["192.168.30.0/28"], "one-way"]);
  assert.match(crdb.detail ?? "", /read the deployed value; source: the node addresses/);
  assert.equal(crdb.from.namespace, "ledger");
  assert.match(crdb.reference, /cockroachlabs\.com/);
  // ams's voter → the pods: the pod ranges are routed to ams, so the row holds without a condition and no gap is noted
  const back = m.rows.find((r) => r.port === 26257 && r.from.site === "ams" && r.to.site === "fra")!;
  assert.deepEqual([back.from.ranges, back.to.ranges, back.when], [["192.168.30.0/28"], ["10.10.0.0/16"], undefined]);
  assert.ok(!m.notes.some((n) => /cannot reach them/.test(n)), m.notes.join("\n"));
  // between the two clusters' pods the flows cross the WAN: firewall rows on the pod ranges, inside no tunnel
  const pg = m.rows.find((r) => r.port === 5432)!;
  assert.deepEqual([pg.from.what, pg.to.what, pg.direction, pg.inside], ["carts writer at fra", "carts writer at lon", "both", undefined]);
  assert.ok(!m.rows.some((r) => r.inside));
  const md = portsMarkdown(m, "##");
  assert.match(md, /^## fra ↔ lon$/m);
  assert.doesNotMatch(md, /^###/m);
  assert.doesNotMatch(md, /NetworkPolicy rule/);
  // KVStoreMesh (Cilium >= 1.16): the reason names the clustermesh-apiserver pods, and the agents before 1.16
  assert.match(m.rows.find((r) => r.component === "clustermesh-apiserver")!.why, /KVStoreMesh.*1\.16.*every Cilium agent/);
});

test("the reviewed example in tunnel mode (no network.routing): VXLAN between the nodes, pod flows inside it, ams cannot reach the pods", () => {
  const m = portMatrix(ctxOf(REVIEWED_TUNNEL));
  assert.deepEqual(
    facts(m.rows),
    [...REVIEWED_ROWS, "VXLAN tunnel | UDP 8472 | fra <-> lon", "VXLAN tunnel | UDP 8472 | fra <-> lon"].sort(),
  );
  const tunnel = m.rows.find((r) => r.component === "VXLAN tunnel" && r.source === "clustermesh")!;
  assert.deepEqual([tunnel.from.ranges, tunnel.to.ranges], [["192.168.10.0/24"], ["192.168.20.0/24"]]);
  assert.equal(tunnel.value.kind, "default");
  assert.match(tunnel.reference, /^https:\/\/docs\.cilium\.io\//);
  // ams's voter → the pods: only where pod ranges are routed to ams; in tunnel mode they are not —
  // the design gap is named, with the rule that reports it and the two ways to declare the path
  const back = m.rows.find((r) => r.port === 26257 && r.from.site === "ams" && r.to.site === "fra")!;
  assert.deepEqual(
    [back.from.ranges, back.to.ranges, back.when],
    [["192.168.30.0/28"], ["10.10.0.0/16"], "where the pod ranges are routed to ams"],
  );
  const gaps = m.notes.filter((n) => /cannot reach them/.test(n));
  assert.equal(gaps.length, 2, m.notes.join("\n"));
  assert.match(
    gaps[0],
    /^store ledger: its members at ams \(192\.168\.30\.0\/28\) must reach its members at fra at their pod addresses \(10\.10\.0\.0\/16\), but in tunnel mode \(the ClusterMesh VXLAN tunnel \(UDP 8472\).*as designed, ams cannot reach them \(quorate check: quorum\/member-unreachable\)\. .*`network\.routing: native` on fra-prod, or .*`hostNetwork: true` on the store/,
  );
  assert.match(gaps[1], /its members at lon at their pod addresses \(10\.11\.0\.0\/16\).*on lon-prod,/);
  // between the two clusters' pods the flows ride inside ClusterMesh's VXLAN: NetworkPolicy rows, not WAN ones
  const pg = m.rows.find((r) => r.port === 5432)!;
  assert.equal(pg.inside, "the ClusterMesh VXLAN tunnel (UDP 8472) between the nodes");
  assert.equal(m.rows.find((r) => r.port === 26257 && r.from.site === "fra" && r.to.site === "lon")!.inside, pg.inside);
  assert.ok(!m.rows.some((r) => r.inside && !r.from.namespace), "only pod flows ride inside the tunnel");
  assert.match(
    portsMarkdown(m, "##"),
    /\| PostgreSQL replication — inside the ClusterMesh VXLAN tunnel \(UDP 8472\) between the nodes: a NetworkPolicy rule, not a WAN firewall rule \|/,
  );
});

test("a store on the host network (hostNetwork: true) replicates between node ranges: no pod rows, no gap", () => {
  const m = portMatrix(ctxOf(REVIEWED_TUNNEL.replace("    namespace: ledger\n", "    namespace: ledger\n    hostNetwork: true\n")));
  const crdb = m.rows.filter((r) => r.port === 26257);
  assert.deepEqual(
    crdb
      .map(
        (r) =>
          `${r.from.site} ${r.from.ranges.join()} ${r.direction === "both" ? "<->" : "->"} ${r.to.site} ${r.to.ranges.join()} ${r.when ?? ""}`,
      )
      .sort(),
    [
      "fra 192.168.10.0/24 <-> ams 192.168.30.0/28 ",
      "fra 192.168.10.0/24 <-> lon 192.168.20.0/24 ",
      "lon 192.168.20.0/24 <-> ams 192.168.30.0/28 ",
    ],
  );
  assert.ok(crdb.every((r) => !r.inside && !r.from.namespace && !r.to.namespace));
  assert.ok(!m.notes.some((n) => /store ledger: .*cannot reach them/.test(n)), m.notes.join("\n"));
});

test("a store engine Quorate does not know gets a note naming what to open, never a made-up row; a replica dials its writer", () => {
  const m = portMatrix(
    ctxOf(`sites: [{ name: fra }, { name: lon }, { name: ams }]
clusters:
  - { name: a, site: fra, network: { pods: 10.1.0.0/16 } }
  - { name: b, site: lon, network: { pods: 10.2.0.0/16 } }
stores:
  - { name: raft, engine: foodb, replication: consensus, members: { fra: 1, lon: 1, ams: 1 } }
  - { name: pg, engine: postgres, replication: async, writers: [fra], replicas: [lon], namespace: db }
  - { name: other, engine: redis, replication: async, writers: [fra], replicas: [lon] }
`),
  );
  assert.ok(!m.rows.some((r) => r.source === "store raft"));
  assert.ok(m.notes.some((n) => /store raft \(foodb\): Quorate does not know/.test(n)));
  assert.ok(m.notes.some((n) => /store other \(redis\): Quorate does not know/.test(n)));
  assert.deepEqual(facts(m.rows), ["PostgreSQL replication | TCP 5432 | lon -> fra"]);
  assert.deepEqual(m.rows[0].from.ranges, ["10.2.0.0/16"]);
});

test("a witness host's addresses become the etcd member range at that site", () => {
  const m = portMatrix(
    ctxOf(`sites:
  - name: fra
  - name: ams
    addresses: [192.0.2.0/28, "2001:db8:a::/64"]
clusters:
  - name: core
    site: fra
    network: { nodes: 10.0.0.0/24 }
    etcd: { members: { fra: 2, ams: 1 } }
`),
  );
  const peer = m.rows.find((r) => r.component === "etcd peer")!;
  assert.deepEqual(peer.to.ranges, ["192.0.2.0/28", "2001:db8:a::/64"]);
  assert.deepEqual(peer.from.ranges, ["10.0.0.0/24"]);
  // a federated etcd (members at one site) needs no cross-site rule
  const fed = portMatrix(ctxOf(`sites:\n  - name: fra\nclusters:\n  - { name: core, site: fra, etcd: { members: { fra: 3 } } }\n`));
  assert.deepEqual(fed.rows, []);
  assert.match(portsMarkdown(fed), /No cross-site flow needs a firewall rule/);
});

test("a cluster whose etcd sits wholly at another site (a control plane hosted there): its nodes' API and kubelet flows cross the WAN (review M97)", () => {
  const remote = `sites: [ { name: fra, addresses: [192.0.2.0/28] }, { name: lon } ]
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - { name: lon-prod, site: lon, network: { nodes: 192.168.1.0/24 }, etcd: { members: { fra: 3 } } }
`;
  const m = portMatrix(ctxOf(remote));
  assert.deepEqual(facts(m.rows), [
    "etcd client | TCP 2379 | lon -> fra",
    "kube-apiserver | TCP 6443 | lon -> fra",
    "kubelet API | TCP 10250 | fra -> lon",
  ]);
  const api = m.rows.find((r) => r.port === 6443)!;
  assert.equal(api.from.what, "nodes of lon-prod");
  assert.equal(api.to.what, "control-plane nodes of lon-prod at fra");
  assert.deepEqual(api.to.ranges, ["192.0.2.0/28"]);
  assert.match(
    api.why,
    /all of them at fra with its etcd \(stacked, or a hosted control plane at fra\): without this rule lon-prod has no API/,
  );
  // the kubelet row says the same layout; the external-etcd row beside them is the other one (review M97 nit)
  assert.match(
    m.rows.find((r) => r.port === 10250)!.why,
    /^the API servers at fra \(stacked, or a hosted control plane at fra\) reach every kubelet of lon-prod/,
  );
  // etcd's client port only with external etcd (API servers at lon), as for a stretched etcd
  assert.equal(m.rows.find((r) => r.port === 2379)!.when, "with external etcd");
  assert.doesNotMatch(portsMarkdown(m), /No cross-site flow needs a firewall rule/);
  // the same cluster with its etcd at home needs nothing across the WAN
  assert.deepEqual(portMatrix(ctxOf(remote.replace("members: { fra: 3 }", "members: { lon: 3 }"))).rows, []);
});

test("Submariner: gateways (4500, 4490; 500 and ESP only without NAT-T), VXLAN 4800 inside each cluster, the Broker API", () => {
  const edge = readFileSync(join(ROOT, "examples", "drift", "edge.topology.yaml"), "utf8");
  // the Broker's cluster undeclared: no row to an unnamed place, a note that says how to name it
  const unnamed = portMatrix(ctxOf(edge));
  assert.ok(!unnamed.rows.some((r) => r.component === "Broker API"));
  assert.ok(
    unnamed.notes.some((n) =>
      /The Submariner Broker's cluster is not declared: every joined cluster \(ams-1, par-1\).*`broker: true`/.test(n),
    ),
  );
  // in Markdown (ports --format md, the record's Ports) the sentence's own code is code, not escaped backticks (review M70)
  const md = portsMarkdown(unnamed);
  assert.match(
    md,
    /Mark the cluster that runs it with `broker: true` \(a management cluster with `mesh: none` is declared like any other\)/,
  );
  assert.doesNotMatch(md, /&#96;/);
  // ams-1 runs the Broker: par-1 reaches its API server at its nodes; ams-1 itself needs no cross-site rule
  const ctx = ctxOf(
    edge
      .replace("  - name: ams-1\n    site: ams\n", "  - name: ams-1\n    site: ams\n    broker: true\n")
      .replace(
        "network: { pods: 10.30.0.0/16, services: 10.100.0.0/16 }",
        "network: { pods: 10.30.0.0/16, services: 10.100.0.0/16, nodes: 192.168.40.0/24 }",
      ),
  );
  const sub = portMatrix(ctx).rows.filter((r) => r.source === "submariner");
  const broker = sub.find((r) => r.component === "Broker API")!;
  assert.deepEqual(
    [broker.to.cluster, broker.to.what, broker.to.ranges],
    ["ams-1", "API server of ams-1 (the Broker)", ["192.168.40.0/24"]],
  );
  assert.ok(!portMatrix(ctx).notes.some((n) => /Broker's cluster is not declared/.test(n)));
  assert.deepEqual(facts(sub), [
    "Broker API | TCP 6443 | par -> ams",
    "IKE | UDP 500 | ams <-> par",
    "IPsec tunnel (NAT-T) | UDP 4500 | ams <-> par",
    "IPsec | ESP IP protocol 50 | ams <-> par",
    "NAT discovery | UDP 4490 | ams <-> par",
    "VXLAN to the gateway | UDP 4800 | ams <-> ams",
    "VXLAN to the gateway | UDP 4800 | par <-> par",
  ]);
  assert.deepEqual(
    sub.filter((r) => r.when).map((r) => r.component),
    ["IKE", "IPsec"],
  );
});

test("Submariner's VXLAN to the gateway (UDP 4800) is inside a site: the hover and the record never count it between sites (w85)", () => {
  const edge = readFileSync(join(ROOT, "examples", "drift", "edge.topology.yaml"), "utf8");
  const a = analyzeFile("edge.topology.yaml", edge);
  const h = hoverAt(a, edge.indexOf("mesh: submariner") + 7)?.markdown ?? "";
  const [between, inside = ""] = h.split("**Inside ams**");
  // between the sites: the gateways' tunnel (4500), NAT discovery (4490), IKE and ESP without NAT-T — never 4800
  assert.match(between, /- UDP 4500 ↔ gateway nodes of par-1 \(par\): IPsec tunnel \(NAT-T\)/);
  assert.match(between, /- UDP 4490 ↔ gateway nodes of par-1 \(par\): NAT discovery/);
  assert.doesNotMatch(between, /4800/);
  assert.match(
    inside,
    /^, not between sites \(the hosts' own firewalls, no WAN rule\):\n\n- UDP 4800 ↔ gateway nodes of ams-1 \(ams\): VXLAN to the gateway\n/,
  );
  // the record's checklist counts the WAN firewall rules apart from the rules inside a site
  const { md } = recordOf(edge);
  const item = md.split("\n").find((l) => l.includes("Firewall tests for ClusterMesh or Submariner ports"))!;
  assert.match(item, /\(\+ 2 rules inside a site, not between sites, /);
  const wan = portMatrix(ctxOf(edge)).rows.filter((r) => r.from.site !== r.to.site && !r.inside && !r.when).length;
  assert.ok(item.includes(`${wan} firewall rules`), item);
});

test("Istio across networks: 15443 both ways, a remote reaches its primary on 15012 and 15017, the primary watches the remote's API server", () => {
  const m = portMatrix(
    ctxOf(`sites: [{ name: fra }, { name: lon }]
clusters:
  - { name: a, site: fra, network: { pods: 10.1.0.0/16, nodes: 192.168.1.0/24 }, istio: { meshId: eu, network: n1, role: primary } }
  - { name: b, site: lon, network: { pods: 10.2.0.0/16, nodes: 192.168.2.0/24 }, istio: { meshId: eu, network: n2, role: remote, primary: a } }
`),
  );
  assert.deepEqual(facts(m.rows), [
    "east-west gateway | TCP 15443 | fra -> lon",
    "east-west gateway | TCP 15443 | lon -> fra",
    "istiod webhooks | TCP 15017 | lon -> fra",
    "istiod xDS and CA | TCP 15012 | lon -> fra",
    "remote API server | TCP 6443 | fra -> lon",
  ]);
  // pods reach the other network SNATed to their nodes; the gateway's LoadBalancer address is not
  // in the design: said, not replaced by the node range (a game day could not cut it either)
  const ew = m.rows.find((r) => r.component === "east-west gateway" && r.from.site === "fra")!;
  assert.deepEqual(ew.from.ranges, ["192.168.1.0/24"]);
  assert.deepEqual(ew.to.ranges, []);
  assert.match(ew.to.what, /LoadBalancer address; a NodePort gateway: 192\.168\.2\.0\/24/);
  assert.ok(m.notes.some((n) => /east-west gateway of b's LoadBalancer address is not in the design/.test(n)));
  // one network: no east-west gateway row
  const flat = portMatrix(
    ctxOf(`sites: [{ name: fra }, { name: lon }]
clusters:
  - { name: a, site: fra, istio: { meshId: eu, network: n1 } }
  - { name: b, site: lon, istio: { meshId: eu, network: n1 } }
`),
  );
  assert.deepEqual(facts(flat.rows), ["remote API server | TCP 6443 | fra -> lon", "remote API server | TCP 6443 | lon -> fra"]);
});

test("Linkerd: gateway mode to the target's gateway (4143, probe 4191); flat mode to its pods on 4143; the mirror watches its API server", () => {
  const text = `sites: [{ name: fra }, { name: lon }]
clusters:
  - name: a
    site: fra
    network: { pods: 10.1.0.0/16 }
    linkerd: { trustAnchor: x, links: [{ cluster: b, mode: gateway }] }
  - { name: b, site: lon, network: { pods: 10.2.0.0/16 }, linkerd: { trustAnchor: x, gateway: true } }
`;
  assert.deepEqual(facts(portMatrix(ctxOf(text)).rows), [
    "linkerd gateway probe | TCP 4191 | fra -> lon",
    "linkerd gateway | TCP 4143 | fra -> lon",
    "target API server | TCP 6443 | fra -> lon",
  ]);
  const flat = portMatrix(ctxOf(text.replace("mode: gateway", "mode: flat")));
  const row = flat.rows.find((r) => r.component.startsWith("linkerd flat"))!;
  assert.equal(portText(row), "TCP 4143");
  assert.deepEqual(row.to.ranges, ["10.2.0.0/16"]);
});

test("Galera across sites: 4567, 4568 and 4444 between member sites; a store's namespace puts its members on the pod ranges", () => {
  const m = portMatrix(
    ctxOf(`sites: [{ name: fra }, { name: lon }]
clusters:
  - { name: a, site: fra, network: { pods: 10.1.0.0/16 } }
  - { name: b, site: lon, network: { pods: 10.2.0.0/16 } }
stores:
  - { name: ledger, replication: galera, members: { fra: 2, lon: 1 }, namespace: ledger-system }
`),
  );
  assert.deepEqual(
    m.rows.map((r) => portText(r)),
    ["TCP 4567", "TCP 4568", "TCP 4444"],
  );
  assert.deepEqual([m.rows[0].from.ranges, m.rows[0].to.ranges], [["10.1.0.0/16"], ["10.2.0.0/16"]]);
  assert.ok(m.notes.some((n) => /UDP 4567 only with multicast/.test(n)));
});

const MESH = `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata: { name: t }
sites: [{ name: fra }, { name: lon }]
clusters:
  - { name: a, site: fra, mesh: clustermesh, id: 1, network: { nodes: 192.168.1.0/24 }, deployment: [a-cilium.yaml] }
  - { name: b, site: lon, mesh: clustermesh, id: 2, network: { nodes: 192.168.2.0/24 } }
`;
const CILIUM_VALUES = `cluster: { name: a, id: 1 }
tunnelProtocol: geneve
encryption: { enabled: true, type: wireguard }
clustermesh:
  apiserver:
    service: { type: NodePort, nodePort: 31379 }
`;

function memorySource(files: Record<string, string>): DeploymentSource {
  return {
    match: (_t, p) => ({ paths: Object.hasOwn(files, p) ? [p] : [] }),
    read: (p) => (Object.hasOwn(files, p) ? files[p] : undefined),
  };
}

test("deployed values win where a chart changes a port: the NodePort, Geneve, WireGuard — each row says which file set it", () => {
  const ctx = ctxOf(MESH);
  const dep = deployedPorts(ctx, "t.topology.yaml", memorySource({ "a-cilium.yaml": CILIUM_VALUES }));
  const m = portMatrix(ctx, dep);
  const toA = m.rows.find((r) => r.component === "clustermesh-apiserver" && r.to.cluster === "a")!;
  const toB = m.rows.find((r) => r.component === "clustermesh-apiserver" && r.to.cluster === "b")!;
  assert.equal(toA.port, 31379);
  assert.deepEqual(toA.value, { kind: "deployed", file: "a-cilium.yaml", key: "clustermesh.apiserver.service.nodePort" });
  assert.equal(toB.port, 32379, "b's own default: a's values say nothing about b's Service");
  assert.deepEqual(m.rows.filter((r) => r.source === "clustermesh" && r.direction === "both").map(portText), [
    "TCP 4240",
    "ICMP echo (type 8, code 0) and reply (type 0)",
    "UDP 6081",
    "UDP 51871",
  ]);
  assert.ok(!m.notes.some((n) => /encryption is not declared/.test(n)));
  // a LoadBalancer Service: 2379 at its address
  const lb = portMatrix(
    ctx,
    deployedPorts(
      ctx,
      "t.topology.yaml",
      memorySource({ "a-cilium.yaml": "cluster: { name: a }\nclustermesh: { apiserver: { service: { type: LoadBalancer } } }\n" }),
    ),
  );
  assert.equal(lb.rows.find((r) => r.component === "clustermesh-apiserver" && r.to.cluster === "a")!.port, 2379);
  // native routing replaces the tunnel with the pod ranges
  const native = portMatrix(
    ctx,
    deployedPorts(ctx, "t.topology.yaml", memorySource({ "a-cilium.yaml": "cluster: { name: a }\nroutingMode: native\n" })),
  );
  assert.ok(native.rows.some((r) => r.component === "pod traffic (native routing)"));
  assert.ok(!native.rows.some((r) => /tunnel/i.test(r.component)));
});

test("store flows with native routing: pod ranges on the WAN rule, no tunnel, and the witness reaches the pods (no gap note)", () => {
  const text = `${MESH.replace(
    "sites: [{ name: fra }, { name: lon }]",
    "sites: [{ name: fra }, { name: lon }, { name: ams, addresses: [192.168.9.0/28] }]",
  )
    .replace(
      "network: { nodes: 192.168.1.0/24 }, deployment: [a-cilium.yaml]",
      "network: { nodes: 192.168.1.0/24, pods: 10.1.0.0/16 }, deployment: [a-cilium.yaml]",
    )
    .replace(
      "network: { nodes: 192.168.2.0/24 }",
      "network: { nodes: 192.168.2.0/24, pods: 10.2.0.0/16 }, deployment: [b-cilium.yaml]",
    )}stores:
  - { name: ledger, engine: cockroachdb, replication: consensus, members: { fra: 2, lon: 2, ams: 1 }, namespace: ledger }
`;
  const ctx = ctxOf(text);
  const tunnel = portMatrix(ctx);
  assert.ok(tunnel.rows.some((r) => r.port === 26257 && r.inside));
  assert.ok(tunnel.notes.some((n) => /as designed, ams cannot reach them/.test(n)));
  const native = "cluster: { name: X }\nroutingMode: native\n";
  const m = portMatrix(
    ctx,
    deployedPorts(
      ctx,
      "t.topology.yaml",
      memorySource({ "a-cilium.yaml": native.replace("X", "a"), "b-cilium.yaml": native.replace("X", "b") }),
    ),
  );
  const crdb = m.rows.filter((r) => r.port === 26257);
  assert.ok(
    crdb.every((r) => !r.inside && !r.when),
    "routed pod ranges: every row is a WAN rule, unconditional",
  );
  assert.deepEqual(crdb.find((r) => r.from.site === "ams" && r.to.site === "fra")!.to.ranges, ["10.1.0.0/16"]);
  assert.deepEqual(crdb.find((r) => r.from.site === "fra" && r.to.site === "ams")!.from.ranges, ["192.168.1.0/24"], "still masqueraded");
  assert.ok(!m.notes.some((n) => /cannot reach them/.test(n)));
});

test("CSV: one line per row, RFC 4180 quoting, no cell a spreadsheet would run as a formula; JSON round-trips", () => {
  const ctx = ctxOf(MESH.replace("{ name: fra }", '{ name: "=fra,x" }').replace("site: fra,", 'site: "=fra,x",'));
  const m = portMatrix(ctx);
  const csv = portsCsv(m);
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines.length, m.rows.length + 1);
  assert.match(lines[0], /^component,source,protocol,port,/);
  assert.ok(!/,=/.test(csv), "a cell starting with = is neutralised");
  assert.ok(csv.includes(`"'=fra,x"`), "quoted (it holds a comma) after the apostrophe");
  assert.deepEqual(JSON.parse(portsJson(m)).rows.length, m.rows.length);
});

test("quorate ports: md, csv and json; exit 0; deterministic; a usage error for an unknown format", () => {
  inTempDir({ "t.topology.yaml": MESH, "a-cilium.yaml": CILIUM_VALUES }, (_dir, cli) => {
    const md = cli(["ports", "t.topology.yaml"]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# Ports: t\n\n## fra ↔ lon\n/);
    assert.match(md.stdout, /TCP 31379 .*deployed: a-cilium\.yaml clustermesh\.apiserver\.service\.nodePort/);
    assert.equal(cli(["ports", "t.topology.yaml"]).stdout, md.stdout);
    const json = JSON.parse(cli(["ports", "--format", "json", "t.topology.yaml"]).stdout);
    assert.ok(json.rows.some((r: PortRow) => r.port === 51871));
    assert.equal(cli(["ports", "--format", "csv", "t.topology.yaml"]).code, 0);
    assert.equal(cli(["ports", "--format", "xml", "t.topology.yaml"]).code, 2);
  });
});

test("hover on a cluster's mesh: lists the ports its cross-site flows need, with the direction from its side", () => {
  const text = MESH;
  const a = analyzeFile("t.topology.yaml", text);
  const at = text.indexOf("mesh: clustermesh") + 7;
  const h = hoverAt(a, at)?.markdown ?? "";
  assert.match(h, /\*\*Ports for a\*\*/);
  assert.match(h, /TCP 32379 → nodes of b \(lon\): clustermesh-apiserver/);
  assert.match(h, /TCP 32379 ← nodes of b \(lon\)/);
  assert.match(h, /UDP 8472 ↔ nodes of b/);
  const none = analyzeFile("t.topology.yaml", `${HEADER}sites: [{ name: fra }]\nclusters:\n  - { name: a, site: fra, mesh: none }\n`);
  assert.match(hoverAt(none, none.parsed.text.indexOf("mesh: none") + 7)?.markdown ?? "", /No cross-site flow involves this cluster/);
});

test("the Markdown lists MAX_PORT_PAIRS site pairs and says how many it leaves out (CSV and JSON list every rule)", () => {
  const row = (i: number): PortRow => ({
    component: "submariner-gateway",
    source: "submariner",
    protocol: "UDP",
    port: 4500,
    direction: "both",
    from: { site: `a${String(i).padStart(4, "0")}`, what: "gateway", ranges: ["10.0.0.0/24"] },
    to: { site: "z", what: "gateway", ranges: ["10.1.0.0/24"] },
    why: "IPsec NAT-T",
    value: { kind: "default" },
    reference: "https://submariner.io/",
  });
  const matrix = (pairs: number) => ({ rows: Array.from({ length: pairs * 2 }, (_, i) => row(Math.floor(i / 2))), notes: [] });
  const at = portsMarkdown(matrix(MAX_PORT_PAIRS));
  assert.equal(at.match(/^### /gm)?.length, MAX_PORT_PAIRS);
  assert.ok(!/not listed here/.test(at));
  const over = portsMarkdown(matrix(MAX_PORT_PAIRS + 3));
  assert.equal(over.match(/^### /gm)?.length, MAX_PORT_PAIRS);
  assert.match(
    over,
    /^3 more site pairs \(6 rules\) are not listed here, past the 200 this text lists: `quorate ports --format csv` \(or `json`\) gives every rule\.$/m,
  );
  assert.equal(
    portsCsv(matrix(MAX_PORT_PAIRS + 3))
      .trimEnd()
      .split("\n").length,
    1 + (MAX_PORT_PAIRS + 3) * 2,
  );
});

test("the matrix is computed once per analysis and deployed values (the record reads it twice), and is the same as computed afresh", () => {
  const text = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const ctx = analyzeFile("r.topology.yaml", text).contexts[0];
  const first = portMatrix(ctx);
  assert.equal(portMatrix(ctx), first, "the same analysis: the same matrix");
  const deployed = new Map([["fra-prod", { clustermeshNodePort: { value: 32000, file: "f.yaml", key: "k" } }]]);
  const moved = portMatrix(ctx, deployed);
  assert.notEqual(moved, first, "other deployed values: another matrix");
  assert.ok(moved.rows.some((r) => r.port === 32000) && !first.rows.some((r) => r.port === 32000));
  assert.equal(portMatrix(ctx, deployed), moved);
  // a fresh analysis of the same text gives equal rows
  assert.deepEqual(portMatrix(analyzeFile("r.topology.yaml", text).contexts[0]), first);
});

test("a Submariner mesh builds each cluster's gateway end once: every pair's rows share it (200 clusters made 40,000 copies)", () => {
  const sites = ["a", "b", "c", "d"];
  const m = portMatrix(
    ctxOf(
      `sites: [${sites.map((s) => `{ name: ${s} }`).join(", ")}]\nclusters:\n${sites
        .map((s, i) => `  - { name: ${s}-1, site: ${s}, mesh: submariner, network: { pods: 10.${i}.0.0/16, nodes: 192.168.${i}.0/24 } }`)
        .join("\n")}\n`,
    ),
  );
  const tunnel = m.rows.filter((r) => r.component === "IPsec tunnel (NAT-T)");
  assert.equal(tunnel.length, 6, "one per pair of the four clusters");
  const endsOf = (cluster: string) => new Set(tunnel.flatMap((r) => [r.from, r.to]).filter((e) => e.cluster === cluster));
  for (const s of sites) {
    const ends = [...endsOf(`${s}-1`)];
    assert.equal(ends.length, 1, `${s}-1: one gateway end object, shared by its three pairs`);
    assert.deepEqual(ends[0].ranges, [`192.168.${sites.indexOf(s)}.0/24`]);
  }
});

test("the markdown matrix has no escaped backticks: a cell or note names things in plain words (review style)", () => {
  const md = portsMarkdown(portMatrix(ctxOf(REVIEWED)), "##");
  assert.doesNotMatch(md, /&#96;/);
  assert.match(md, /without them cilium-health reports nothing/);
  assert.match(md, /bind the clusters' Cilium values in the cluster's deployment list/);
});

test("MongoDB, Cassandra and Consul get their ports between member sites, and the game day's probe proves their cut (review M145)", () => {
  // fra and lon run clusters with routed pod ranges; ams holds one voter on its hosts
  const design = (profiles: string, events: string, registry: string) => `sites:
  - { name: fra }
  - { name: lon }
  - { name: ams, role: witness, addresses: [192.168.30.0/28] }
links:
  - { between: [fra, lon], rttMs: 14 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
clusters:
  - { name: a, site: fra, id: 1, mesh: clustermesh, network: { pods: 10.1.0.0/16, nodes: 192.168.1.0/24, routing: native } }
  - { name: b, site: lon, id: 2, mesh: clustermesh, network: { pods: 10.2.0.0/16, nodes: 192.168.2.0/24, routing: native } }
stores:
  - { name: profiles, engine: ${profiles}, replication: consensus, namespace: profiles, members: { fra: 2, lon: 2, ams: 1 } }
  - { name: events, engine: ${events}, replication: async, namespace: events, writers: [fra, lon], conflictResolution: last-writer-wins }
  - { name: registry, engine: ${registry}, replication: consensus, namespace: consul, members: { fra: 2, lon: 2, ams: 1 } }
`;
  const text = design("mongodb 7.0", "cassandra 4.1", "consul 1.18");
  const m = portMatrix(ctxOf(text));
  const of = (source: string) => facts(m.rows.filter((r) => r.source === source));
  // a replica set's members all dial each other on 27017: pods to pods across the WAN, the witness's hosts both ways
  assert.deepEqual(of("store profiles"), [
    "MongoDB replica set | TCP 27017 | ams -> fra",
    "MongoDB replica set | TCP 27017 | ams -> lon",
    "MongoDB replica set | TCP 27017 | fra -> ams",
    "MongoDB replica set | TCP 27017 | fra <-> lon",
    "MongoDB replica set | TCP 27017 | lon -> ams",
  ]);
  // Cassandra's datacenters, written as async writers: inter-node 7000 both ways, 7001 only with the legacy TLS port
  assert.deepEqual(of("store events"), [
    "Cassandra inter-node TLS | TCP 7001 | fra <-> lon",
    "Cassandra inter-node | TCP 7000 | fra <-> lon",
  ]);
  assert.equal(m.rows.find((r) => r.port === 7001)!.when, "with ssl_storage_port (before Cassandra 4.0, deprecated since)");
  assert.equal(m.rows.find((r) => r.port === 7000)!.when, undefined);
  // Consul's servers: RPC 8300, Serf LAN 8301 on TCP and UDP; Serf WAN 8302 only between federated datacenters
  const consul = m.rows.filter((r) => r.source === "store registry" && r.from.site === "fra" && r.to.site === "lon");
  assert.deepEqual(
    consul.map((r) => [r.component, portText(r), r.when ?? ""]),
    [
      ["Consul server RPC", "TCP 8300", ""],
      ["Consul Serf LAN", "TCP 8301", ""],
      ["Consul Serf LAN", "UDP 8301", ""],
      ["Consul Serf WAN", "TCP 8302", "with WAN federation (a Consul datacenter per site)"],
      ["Consul Serf WAN", "UDP 8302", "with WAN federation (a Consul datacenter per site)"],
    ],
  );
  for (const r of m.rows.filter((x) => x.source.startsWith("store ")))
    assert.match(r.reference, /^https:\/\/(www\.mongodb\.com|cassandra\.apache\.org|developer\.hashicorp\.com)\//);
  // clients, whose namespace the design does not name: a note each, with the port
  assert.ok(m.notes.some((n) => /^store profiles: MongoDB's drivers reach every member on TCP 27017/.test(n)));
  assert.ok(m.notes.some((n) => /^store events: CQL clients \(TCP 9042\) reach the nodes of their local datacenter/.test(n)));
  assert.ok(!m.notes.some((n) => /Quorate does not know/.test(n)), m.notes.join("\n"));
  // the other side of the boundary: an engine Quorate does not know keeps its note and no made-up row
  const unknown = portMatrix(ctxOf(design("foodb", "bardb", "bazdb")));
  assert.ok(!unknown.rows.some((r) => r.source.startsWith("store ")));
  assert.ok(unknown.notes.some((n) => /store profiles \(foodb\): Quorate does not know/.test(n)));
  assert.ok(unknown.notes.some((n) => /store events \(bardb\): Quorate does not know/.test(n)));
  // a crdt Cassandra store is the same datacenters
  const crdt = portMatrix(ctxOf(text.replace("replication: async, namespace: events", "replication: crdt, namespace: events")));
  assert.deepEqual(facts(crdt.rows.filter((r) => r.source === "store events")), of("store events"));
  // the game day's probe proves each unconditional TCP row's cut, and never a conditional one
  const g = gameDay(ctxOf(text), { lose: ["fra"] }, { tool: "chaos-mesh", source: "t.topology.yaml" });
  const sh = g.files.find((f) => f.path === "probe.sh")!.content;
  assert.match(sh, /^pod a profiles 'a\/profiles → pods of b in profiles: TCP 27017 \(MongoDB replica set\)' 27017 /m);
  assert.match(sh, /^host h1 'a host at ams \(192\.168\.30\.0\/28\) → pods of a in profiles: TCP 27017 \(MongoDB replica set\)' 27017 /m);
  assert.match(sh, /^pod b events 'b\/events → pods of a in events: TCP 7000 \(Cassandra inter-node\)' 7000 /m);
  assert.match(sh, /^pod a consul 'a\/consul → pods of b in consul: TCP 8300 \(Consul server RPC\)' 8300 /m);
  assert.match(sh, /^pod a consul 'a\/consul → pods of b in consul: TCP 8301 \(Consul Serf LAN\)' 8301 /m);
  assert.doesNotMatch(sh, /TCP (7001|8302) /);
});
