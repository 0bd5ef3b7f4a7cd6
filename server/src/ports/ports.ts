/**
 * The port matrix: what the firewalls between sites must let through, derived from what the
 * design uses (shared design/record.md, "The port matrix"). Pure: a topology (and, where drift
 * read them, the deployed values that move a port) in, rows out. `quorate ports`, the decision
 * record, the game day's probes and the hover on a cluster's `mesh:` all read these rows.
 *
 * Every port below was checked against the project's own documentation (session of
 * 2026-12-05); the page is cited beside each constant.
 */
import { canonical, parseCidr } from "../math/cidr";
import type { Cluster, Store } from "../model/topology";
import type { TopologyContext } from "../derive/context";
import { controlPlaneOf } from "../derive/controlplane";
import { memberGaps, overlapRemedy, podRouting, type MemberGap, type PodRouting } from "../derive/reach";

// Cilium, "System Requirements → Firewall Rules"
// (https://docs.cilium.io/en/stable/operations/system_requirements/#firewall-rules):
// ICMP 8/0 and TCP 4240 among all nodes for cilium-health; UDP 8472 for VXLAN, UDP 6081 for
// Geneve; UDP 51871 for WireGuard; ESP for IPsec; TCP 4250 for mutual authentication.
const CILIUM_DOC = "https://docs.cilium.io/en/stable/operations/system_requirements/#firewall-rules";
export const CILIUM_HEALTH_TCP = 4240;
export const CILIUM_VXLAN_UDP = 8472;
export const CILIUM_GENEVE_UDP = 6081;
export const CILIUM_WIREGUARD_UDP = 51871;
export const CILIUM_MUTUAL_AUTH_TCP = 4250;
// Cilium, "Setting up Cluster Mesh" (https://docs.cilium.io/en/stable/network/clustermesh/clustermesh/)
// and the chart's values (install/kubernetes/cilium/values.yaml: clustermesh.apiserver.service.type
// NodePort, nodePort 32379): every node's agent connects to every remote clustermesh-apiserver
// (etcd protocol, port 2379 behind the Service).
const CLUSTERMESH_DOC = "https://docs.cilium.io/en/stable/network/clustermesh/clustermesh/";
export const CLUSTERMESH_APISERVER_TCP = 2379;
export const CLUSTERMESH_NODEPORT_TCP = 32379;
// Submariner, "Getting Started → Prerequisites" (https://submariner.io/getting-started/) and
// "NAT Traversal" (https://submariner.io/operations/nat-traversal/): gateways tunnel over UDP
// 4500 (IPsec NAT-T, the default encapsulation port) and discover NAT on UDP 4490; without
// NAT-T, IPsec uses UDP 500 (IKE) and ESP; non-gateway nodes reach their gateway over VXLAN UDP
// 4800; every cluster reaches the Broker's Kubernetes API.
const SUBMARINER_DOC = "https://submariner.io/getting-started/";
export const SUBMARINER_NATT_UDP = 4500;
export const SUBMARINER_NAT_DISCOVERY_UDP = 4490;
export const SUBMARINER_IKE_UDP = 500;
export const SUBMARINER_VXLAN_UDP = 4800;
// Istio, "Install Multi-Primary on different networks" / "Primary-Remote on different networks"
// (https://istio.io/latest/docs/setup/install/multicluster/) and samples/multicluster/
// gen-eastwest-gateway.sh: the east-west gateway exposes 15443 (tls, AUTO_PASSTHROUGH), 15012
// (tls-istiod: xDS and CA) and 15017 (tls-webhook); ambient's HBONE is 15008.
const ISTIO_DOC = "https://istio.io/latest/docs/setup/install/multicluster/";
export const ISTIO_EASTWEST_TCP = 15443;
export const ISTIO_XDS_TCP = 15012;
export const ISTIO_WEBHOOK_TCP = 15017;
export const ISTIO_HBONE_TCP = 15008;
// Linkerd, "Multi-cluster communication" (https://linkerd.io/2/features/multicluster/) and the
// linkerd-multicluster chart (gateway.port 4143, gateway.probe.port 4191): the service mirror
// probes the target's gateway on 4191 and traffic enters it on 4143; flat (pod-to-pod) mode sends
// straight to the target pods' proxies, inbound port 4143.
const LINKERD_DOC = "https://linkerd.io/2/features/multicluster/";
export const LINKERD_GATEWAY_TCP = 4143;
export const LINKERD_PROBE_TCP = 4191;
// etcd, "Configuration options" (https://etcd.io/docs/v3.6/op-guide/configuration/): clients on
// 2379, peers on 2380 (the IANA-assigned ports).
const ETCD_DOC = "https://etcd.io/docs/v3.6/op-guide/configuration/";
export const ETCD_CLIENT_TCP = 2379;
// etcdctl's README (https://github.com/etcd-io/etcd/blob/main/etcdctl/README.md): `endpoint health`
// and `endpoint status` take `--cluster`, "use all endpoints from the cluster member list" — each
// member's advertised client URL (2379 by default); kubeadm's etcd client for join --control-plane
// and upgrade is built from every member's endpoint too.
export const ETCD_PEER_TCP = 2380;
// Galera, "Firewall Settings" (https://galeracluster.com/library/documentation/firewall-settings.html):
// 4567 group communication (UDP too only with multicast), 4568 IST, 4444 SST, 3306 for clients
// and mysqldump SST.
const GALERA_DOC = "https://galeracluster.com/library/documentation/firewall-settings.html";
export const GALERA_GCOMM_TCP = 4567;
export const GALERA_IST_TCP = 4568;
export const GALERA_SST_TCP = 4444;
// CockroachDB, "cockroach start → Networking" (https://www.cockroachlabs.com/docs/stable/cockroach-start#networking):
// one port, 26257, for inter-node RPC (Raft, leases) and SQL clients (--listen-addr); the DB
// Console is 8080. YugabyteDB, "Default ports reference"
// (https://docs.yugabyte.com/preview/reference/configuration/default-ports/): yb-master RPC 7100,
// yb-tserver RPC 9100. TiDB, "Network requirements"
// (https://docs.pingcap.com/tidb/stable/hardware-and-software-requirements#network-requirements):
// TiKV 20160, PD 2379 (clients) and 2380 (peers).
const COCKROACH_DOC = "https://www.cockroachlabs.com/docs/stable/cockroach-start#networking";
const YUGABYTE_DOC = "https://docs.yugabyte.com/preview/reference/configuration/default-ports/";
const TIDB_DOC = "https://docs.pingcap.com/tidb/stable/hardware-and-software-requirements#network-requirements";
export const COCKROACH_TCP = 26257;
export const YB_MASTER_TCP = 7100;
export const YB_TSERVER_TCP = 9100;
export const TIKV_TCP = 20160;
// MongoDB, "Default MongoDB Port" (https://www.mongodb.com/docs/manual/reference/default-mongodb-port/):
// mongod listens on 27017 (27018 with --shardsvr, 27019 with --configsvr); replica set members
// replicate (a secondary pulls the oplog from its sync source), send each other heartbeats every
// 2 s and hold elections on that one port (review M145).
const MONGODB_DOC = "https://www.mongodb.com/docs/manual/reference/default-mongodb-port/";
export const MONGODB_TCP = 27017;
// Apache Cassandra, cassandra.yaml (https://cassandra.apache.org/doc/stable/cassandra/managing/configuration/cass_yaml_file.html)
// and DataStax "Configuring firewall port access" (https://docs.datastax.com/en/cassandra-oss/3.x/cassandra/configuration/secureFireWall.html):
// storage_port 7000 for inter-node traffic (gossip and the coordinators' writes to replicas in
// every datacenter; since 4.0 TLS runs there too), ssl_storage_port 7001 for TLS on its own port
// (before 4.0, deprecated since), native_transport_port 9042 for CQL clients.
const CASSANDRA_DOC = "https://cassandra.apache.org/doc/stable/cassandra/managing/configuration/cass_yaml_file.html";
export const CASSANDRA_STORAGE_TCP = 7000;
export const CASSANDRA_SSL_STORAGE_TCP = 7001;
export const CASSANDRA_CQL_TCP = 9042;
// HashiCorp Consul, "Consul ports reference" (https://developer.hashicorp.com/consul/docs/install/ports):
// server RPC TCP 8300 (Raft and requests forwarded to the leader), Serf LAN TCP and UDP 8301
// (gossip among a datacenter's agents), Serf WAN TCP and UDP 8302 ("only required when using WAN
// federation": servers of several datacenters).
const CONSUL_DOC = "https://developer.hashicorp.com/consul/docs/install/ports";
export const CONSUL_SERVER_RPC_TCP = 8300;
export const CONSUL_SERF_LAN = 8301;
export const CONSUL_SERF_WAN = 8302;
// PostgreSQL, "Connections and Authentication" (https://www.postgresql.org/docs/current/runtime-config-connection.html):
// port 5432; a streaming standby (and a logical-replication subscriber) connects to its upstream
// there. MySQL/MariaDB replicas connect to their source on 3306
// (https://dev.mysql.com/doc/refman/8.4/en/replication-howto.html).
const POSTGRES_DOC = "https://www.postgresql.org/docs/current/runtime-config-connection.html";
const MYSQL_DOC = "https://dev.mysql.com/doc/refman/8.4/en/replication-howto.html";
export const POSTGRES_TCP = 5432;
export const MYSQL_TCP = 3306;
// Kubernetes, "Ports and Protocols" (https://kubernetes.io/docs/reference/networking/ports-and-protocols/):
// kube-apiserver on 6443 (kubeadm); managed and other distributions often serve 443.
const K8S_DOC = "https://kubernetes.io/docs/reference/networking/ports-and-protocols/";
export const KUBE_APISERVER_TCP = 6443;
// Same page: the kubelet API on every node, TCP 10250, used by the control plane (logs, exec,
// port-forward, metrics). kubeadm, "Options for Highly Available topology"
// (https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/ha-topology/): in the
// stacked layout every control-plane node runs kube-apiserver, kube-scheduler and
// kube-controller-manager, and "creates a local etcd member and this etcd member communicates only
// with the kube-apiserver of this node"; the API servers are exposed to the nodes through a load
// balancer. Only with external etcd do the API servers reach members elsewhere on 2379.
const KUBEADM_HA_DOC = "https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/ha-topology/";
export const KUBELET_TCP = 10250;

/** "any": every IP protocol and port (pod ranges routed between the sites carry TCP, UDP — DNS, QUIC — and ICMP alike) */
export type Protocol = "TCP" | "UDP" | "ICMP" | "ESP" | "any";

/** One end of a flow: a site, what runs there, and its declared ranges (empty when the design gives none). */
export interface End {
  readonly site: string;
  /** "nodes of fra-prod", "etcd members at ams", "east-west gateway of lon-prod" */
  readonly what: string;
  readonly ranges: string[];
  /** the cluster this end belongs to, when it is one */
  readonly cluster?: string;
  /** the note to print when `ranges` is empty because the design has no field for the address (a gateway's LoadBalancer) */
  readonly unranged?: string;
  /** a store's pods in this namespace (their ranges: the pod range, or the node range they leave masqueraded as) */
  readonly namespace?: string;
  /** the cluster's control-plane nodes only (etcd members, kube-apiserver): a probe starts from one of them */
  readonly controlPlane?: true;
}

export interface PortRow {
  /** "clustermesh-apiserver", "etcd peer", … */
  readonly component: string;
  /** the mesh or store the row comes from: "clustermesh", "submariner", "istio mesh-eu", "etcd of cluster core" */
  readonly source: string;
  readonly protocol: Protocol;
  /** null for ICMP and ESP */
  readonly port: number | null;
  /** "echo (type 8, code 0)", "IP protocol 50", "or 2379 behind a LoadBalancer" */
  readonly detail?: string;
  /** `both`: each side opens the other; `one-way`: from → to only */
  readonly direction: "both" | "one-way";
  readonly from: End;
  readonly to: End;
  readonly why: string;
  /** where the port comes from: the upstream default, or the deployment file that sets it */
  readonly value: { readonly kind: "default" } | { readonly kind: "deployed"; readonly file: string; readonly key: string };
  /** the upstream page the port is documented on */
  readonly reference: string;
  /** only under a condition the design does not say (encryption, NAT-T off, multicast) */
  readonly when?: string;
  /**
   * Carried inside a tunnel between the nodes ("the ClusterMesh VXLAN tunnel (UDP 8472)"): the
   * WAN sees only that tunnel's row, so this one is a NetworkPolicy rule, not a firewall rule.
   */
  readonly inside?: string;
}

/** Port-moving values read from a cluster's deployment files (drift's readers); each with where it was read. */
export interface DeployedPorts {
  readonly clustermeshServiceType?: Valued<string>;
  readonly clustermeshNodePort?: Valued<number>;
  /** vxlan | geneve */
  readonly tunnelProtocol?: Valued<string>;
  /** tunnel | native */
  readonly routingMode?: Valued<string>;
  /** wireguard | ipsec, when encryption.enabled */
  readonly encryption?: Valued<string>;
  readonly mutualAuth?: Valued<boolean>;
  readonly submarinerNattPort?: Valued<number>;
  readonly linkerdGatewayPort?: Valued<number>;
  readonly linkerdProbePort?: Valued<number>;
}
export interface Valued<T> {
  readonly value: T;
  readonly file: string;
  readonly key: string;
}

export interface PortMatrix {
  readonly rows: PortRow[];
  /** what the matrix leaves out and why */
  readonly notes: string[];
}

/** A cluster's declared ranges of one kind, canonical; parsed once per cluster (a Submariner mesh of 200 clusters asked 40,000 times). */
const rangesOf = (c: Cluster, field: "pods" | "services" | "nodes"): string[] => {
  let byField = rangesMemo.get(c);
  if (!byField) {
    byField = new Map();
    rangesMemo.set(c, byField);
  }
  let r = byField.get(field);
  if (!r) {
    r = c.cidrs
      .filter((v) => v.field === field)
      .map((v) => parseCidr(v.value))
      .filter((x) => x !== undefined)
      .map(canonical);
    byField.set(field, r);
  }
  return r;
};
const rangesMemo = new WeakMap<Cluster, Map<string, string[]>>();

const DEFAULT = { kind: "default" } as const;
const sourceOf = (v: Valued<unknown> | undefined): PortRow["value"] => (v ? { kind: "deployed", file: v.file, key: v.key } : DEFAULT);

/** The port matrix of the design's first topology; `deployed` by cluster name. */
export function portMatrix(ctx: TopologyContext, deployed: ReadonlyMap<string, DeployedPorts> = NOTHING_DEPLOYED): PortMatrix {
  // one matrix per analysis and deployed values: the record reads it twice (checklist, Ports),
  // and on 200 Submariner sites it is 80,000 rows (seconds, most of a report's time)
  const known = MATRICES.get(ctx)?.get(deployed);
  if (known) return known;
  const m = buildMatrix(ctx, deployed);
  const byDeployed = MATRICES.get(ctx) ?? new WeakMap<ReadonlyMap<string, DeployedPorts>, PortMatrix>();
  byDeployed.set(deployed, m);
  MATRICES.set(ctx, byDeployed);
  return m;
}

const NOTHING_DEPLOYED: ReadonlyMap<string, DeployedPorts> = new Map();
const MATRICES = new WeakMap<TopologyContext, WeakMap<ReadonlyMap<string, DeployedPorts>, PortMatrix>>();

function buildMatrix(ctx: TopologyContext, deployed: ReadonlyMap<string, DeployedPorts>): PortMatrix {
  const b = builder(ctx, deployed);
  clustermeshRows(b);
  submarinerRows(b);
  istioRows(b);
  linkerdRows(b);
  quorumRows(b);
  asyncStoreRows(b);
  gapNotes(b);
  unrangedNotes(b);
  return { rows: sortRows(b.rows), notes: b.notes };
}

/** What every step of the matrix shares: the rows and notes so far, and how ends are named. */
interface Build {
  readonly ctx: TopologyContext;
  readonly deployed: ReadonlyMap<string, DeployedPorts>;
  readonly rows: PortRow[];
  readonly notes: string[];
  readonly named: Cluster[];
  readonly siteOf: (c: Cluster) => string | undefined;
  readonly nodesEnd: (c: Cluster, what?: string) => End;
  readonly podsEnd: (c: Cluster, what?: string) => End;
  /** members at a site: a cluster's nodes (etcd), its pods (a store with a namespace), elsewhere the site's declared hosts */
  readonly memberEnd: (site: string, what: string, inCluster?: Cluster, store?: Store) => End;
  readonly pairs: <T>(xs: readonly T[]) => (readonly [T, T])[];
}

function builder(ctx: TopologyContext, deployed: ReadonlyMap<string, DeployedPorts>): Build {
  const t = ctx.topology;
  const siteOf = (c: Cluster) => (c.name ? ctx.siteOfCluster(c.name.value) : undefined);
  const named = t.clusters.filter((c) => c.name && siteOf(c));
  const nodesEnd = (c: Cluster, what = `nodes of ${c.name!.value}`): End => ({
    site: siteOf(c)!,
    cluster: c.name!.value,
    what,
    ranges: rangesOf(c, "nodes"),
  });
  const podsEnd = (c: Cluster, what = `pods of ${c.name!.value}`): End => ({
    site: siteOf(c)!,
    cluster: c.name!.value,
    what,
    ranges: rangesOf(c, "pods"),
  });
  const memberEnd = (site: string, what: string, inCluster?: Cluster, store?: Store): End => {
    // members at a cluster's own site run on its nodes (etcd) or pods (a store in a namespace); elsewhere on declared hosts
    const here = named.filter((c) => siteOf(c) === site);
    const own = inCluster && siteOf(inCluster) === site ? [inCluster] : store?.namespace ? here : [];
    // a store's pods are at pod addresses, or at their nodes' with hostNetwork (then cut with the host rules, like etcd)
    const inPods = !!store?.namespace && store.hostNetwork?.value !== true;
    const ranges = own.length
      ? own.flatMap((c) => rangesOf(c, inPods ? "pods" : "nodes"))
      : (t.siteByName.get(site)?.addresses?.items ?? [])
          .map((x) => parseCidr(x.value))
          .filter((x) => x !== undefined)
          .map(canonical);
    return {
      site,
      what,
      ranges,
      ...(own.length === 1 ? { cluster: own[0].name!.value } : {}),
      ...(own.length && inPods ? { namespace: store!.namespace!.value } : {}),
      ...(own.length && !store ? { controlPlane: true as const } : {}),
    };
  };
  const pairs = <T>(xs: readonly T[]) => xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as const));
  return { ctx, deployed, rows: [], notes: [], named, siteOf, nodesEnd, podsEnd, memberEnd, pairs };
}

/**
 * Pods reach another network's gateway SNATed to their node's address (Istio's multi-network
 * model and Linkerd's gateway mode exist because pod ranges are not routed between the networks).
 */
const SNAT_DETAIL =
  "source: the node addresses (pod traffic leaves SNATed); the pod range only where pod CIDRs are routed between the sites";

/**
 * A mesh gateway: a LoadBalancer Service whose address the design does not declare (with a
 * NodePort gateway the destination is the cluster's node range instead).
 */
function gatewayEnd(c: Cluster, site: string, what: string): End {
  const nodes = rangesOf(c, "nodes");
  return {
    site,
    cluster: c.name!.value,
    what: `${what} (its LoadBalancer address${nodes.length ? `; a NodePort gateway: ${nodes.join(", ")}` : ""})`,
    ranges: [],
    unranged: `The ${what}'s LoadBalancer address is not in the design (it has no field for it): put it in the firewall rule yourself — with a NodePort gateway, the node range${nodes.length ? ` ${nodes.join(", ")}` : ""}. A game day cannot cut it (no host rule drops an address it is not given).`,
  };
}

/** Cilium ClusterMesh: between all nodes of all meshed clusters. */
function clustermeshRows(b: Build): void {
  const { rows, notes, named, siteOf, nodesEnd, podsEnd, deployed, pairs } = b;
  const meshed = named.filter((c) => c.mesh === "clustermesh");
  for (const [a, c] of pairs(meshed)) {
    if (siteOf(a) === siteOf(c)) continue;
    clustermeshApiserverRows(b, a, c);
    const da = deployed.get(a.name!.value) ?? {};
    const db = deployed.get(c.name!.value) ?? {};
    const both = (r: Omit<PortRow, "direction" | "from" | "to" | "source">) =>
      rows.push({ ...r, source: "clustermesh", direction: "both", from: nodesEnd(a), to: nodesEnd(c) });
    both({
      component: "cilium-health",
      protocol: "TCP",
      port: CILIUM_HEALTH_TCP,
      why: "node-to-node health probes (optional: without them cilium-health reports nothing, the datapath still works)",
      value: DEFAULT,
      reference: CILIUM_DOC,
    });
    both({
      component: "cilium-health",
      protocol: "ICMP",
      port: null,
      detail: "echo (type 8, code 0) and reply (type 0)",
      why: "node-to-node reachability probes",
      value: DEFAULT,
      reference: CILIUM_DOC,
    });
    // a deployment file's routingMode wins over the design's network.routing, either cluster's
    const ra = podRouting(a, da);
    const rc = podRouting(c, db);
    const said = [ra, rc].find((x) => x.said === "deployed") ?? [ra, rc].find((x) => x.said === "design") ?? ra;
    if (said.routed)
      rows.push({
        component: "pod traffic (native routing)",
        source: "clustermesh",
        // every protocol, not TCP: UDP (DNS to a remote CoreDNS, QUIC) and ICMP (PMTU's "fragmentation
        // needed") between the pod ranges too — a firewall fed TCP only would drop them (review M148.3)
        protocol: "any",
        port: null,
        detail: "every IP protocol and port (TCP, UDP, ICMP): pod ranges routed between the sites",
        direction: "both",
        from: podsEnd(a),
        to: podsEnd(c),
        why: `native routing (${said.said === "deployed" ? "routingMode" : "network.routing"}): pods reach remote pods unencapsulated, so the WAN must route and admit the pod ranges`,
        value: sourceOf(da.routingMode ?? db.routingMode),
        reference: CILIUM_DOC,
      });
    else {
      const tp = da.tunnelProtocol ?? db.tunnelProtocol;
      const geneve = tp?.value === "geneve";
      both({
        component: geneve ? "Geneve tunnel" : "VXLAN tunnel",
        protocol: "UDP",
        port: geneve ? CILIUM_GENEVE_UDP : CILIUM_VXLAN_UDP,
        why: "pod-to-pod traffic between the clusters, encapsulated node to node",
        value: sourceOf(tp),
        reference: CILIUM_DOC,
      });
    }
    clustermeshEncryptionRows(both, da, db);
  }
  if (meshed.length > 1 && !meshed.some((c) => deployed.get(c.name!.value)?.encryption))
    notes.push(
      `ClusterMesh encryption is not declared: with WireGuard also open UDP ${CILIUM_WIREGUARD_UDP}, with IPsec ESP (IP protocol 50), between the same nodes; with mutual authentication TCP ${CILIUM_MUTUAL_AUTH_TCP} (bind the clusters' Cilium values in the cluster's deployment list and Quorate reads them).`,
    );
}

/** ClusterMesh encryption and mutual authentication, where the deployed values turn them on. */
function clustermeshEncryptionRows(
  both: (r: Omit<PortRow, "direction" | "from" | "to" | "source">) => void,
  da: DeployedPorts,
  db: DeployedPorts,
): void {
  const enc = da.encryption ?? db.encryption;
  if (enc?.value === "wireguard")
    both({
      component: "WireGuard",
      protocol: "UDP",
      port: CILIUM_WIREGUARD_UDP,
      why: "transparent encryption between nodes",
      value: sourceOf(enc),
      reference: CILIUM_DOC,
    });
  else if (enc?.value === "ipsec")
    both({
      component: "IPsec",
      protocol: "ESP",
      port: null,
      detail: "IP protocol 50",
      why: "transparent encryption between nodes",
      value: sourceOf(enc),
      reference: CILIUM_DOC,
    });
  const auth = da.mutualAuth ?? db.mutualAuth;
  if (auth?.value)
    both({
      component: "mutual authentication",
      protocol: "TCP",
      port: CILIUM_MUTUAL_AUTH_TCP,
      why: "the agents' mutual-authentication handshake",
      value: sourceOf(auth),
      reference: CILIUM_DOC,
    });
}

/** ClusterMesh: each cluster of a pair reads the other's clustermesh-apiserver (NodePort or LoadBalancer as deployed). */
function clustermeshApiserverRows(b: Build, a: Cluster, c: Cluster): void {
  const { rows, nodesEnd, deployed } = b;
  for (const [x, y] of [
    [a, c],
    [c, a],
  ] as const) {
    const d = deployed.get(y.name!.value) ?? {};
    const lb = d.clustermeshServiceType?.value === "LoadBalancer";
    const port = lb ? CLUSTERMESH_APISERVER_TCP : (d.clustermeshNodePort?.value ?? CLUSTERMESH_NODEPORT_TCP);
    rows.push({
      component: "clustermesh-apiserver",
      source: "clustermesh",
      protocol: "TCP",
      port,
      detail: lb
        ? "the clustermesh-apiserver LoadBalancer address"
        : d.clustermeshNodePort
          ? "NodePort as deployed"
          : `NodePort (the chart's default; ${CLUSTERMESH_APISERVER_TCP} when exposed by a LoadBalancer)`,
      direction: "one-way",
      from: nodesEnd(x),
      to: nodesEnd(y),
      why: `${x.name!.value} reads ${y.name!.value}'s identities, endpoints and services from its clustermesh-apiserver: with KVStoreMesh (the default since Cilium 1.16) only ${x.name!.value}'s clustermesh-apiserver pods connect and cache them for the local agents (which keep serving that cache, stale, while the link is cut); before 1.16 every Cilium agent connects`,
      value: sourceOf(lb ? d.clustermeshServiceType : d.clustermeshNodePort),
      reference: CLUSTERMESH_DOC,
    });
  }
}

/** Submariner: gateways between sites; nodes to their own gateway; everyone to the Broker. */
function submarinerRows(b: Build): void {
  const { rows, named, siteOf, deployed, pairs } = b;
  const subs = named.filter((c) => c.mesh === "submariner");
  // each cluster's gateway end once, shared by its rows (a pair each: 19,900 pairs on 200 clusters)
  const gws = new Map<Cluster, End>();
  const gw = (c: Cluster): End => {
    let e = gws.get(c);
    if (!e) {
      e = { site: siteOf(c)!, cluster: c.name!.value, what: `gateway nodes of ${c.name!.value}`, ranges: rangesOf(c, "nodes") };
      gws.set(c, e);
    }
    return e;
  };
  for (const [a, b] of pairs(subs)) {
    if (siteOf(a) === siteOf(b)) continue;
    const natt = deployed.get(a.name!.value)?.submarinerNattPort ?? deployed.get(b.name!.value)?.submarinerNattPort;
    const base = { source: "submariner", direction: "both" as const, from: gw(a), to: gw(b), reference: SUBMARINER_DOC };
    rows.push(
      {
        ...base,
        component: "IPsec tunnel (NAT-T)",
        protocol: "UDP",
        port: natt?.value ?? SUBMARINER_NATT_UDP,
        why: "the gateways' tunnel (IPsec NAT traversal; also the VXLAN and WireGuard cable drivers' port)",
        value: sourceOf(natt),
      },
      {
        ...base,
        component: "NAT discovery",
        protocol: "UDP",
        port: SUBMARINER_NAT_DISCOVERY_UDP,
        why: "the gateways find out whether NAT sits between them",
        value: DEFAULT,
      },
      {
        ...base,
        component: "IKE",
        protocol: "UDP",
        port: SUBMARINER_IKE_UDP,
        why: "IPsec key exchange when NAT traversal is off",
        value: DEFAULT,
        when: "IPsec without NAT-T",
      },
      {
        ...base,
        component: "IPsec",
        protocol: "ESP",
        port: null,
        detail: "IP protocol 50",
        why: "IPsec payload when NAT traversal is off",
        value: DEFAULT,
        when: "IPsec without NAT-T",
      },
    );
  }
  if (subs.length > 1) submarinerClusterRows(b, subs);
}

/** Submariner inside each cluster (nodes to their gateway) and every cluster to the Broker's API server. */
function submarinerClusterRows(b: Build, subs: readonly Cluster[]): void {
  const { rows, notes, named, siteOf, nodesEnd } = b;
  for (const c of subs)
    rows.push({
      component: "VXLAN to the gateway",
      source: "submariner",
      protocol: "UDP",
      port: SUBMARINER_VXLAN_UDP,
      direction: "both",
      from: nodesEnd(c),
      to: { site: siteOf(c)!, cluster: c.name!.value, what: `gateway nodes of ${c.name!.value}`, ranges: rangesOf(c, "nodes") },
      why: "inside the cluster: every node sends cross-cluster traffic to the active gateway (route agent, kube-proxy iptables CNIs)",
      value: DEFAULT,
      reference: SUBMARINER_DOC,
    });
  // the Broker: the cluster the design names with `broker: true` (its nodes answer for its API
  // server, as the NodePort/LoadBalancer of a kubeadm control plane does)
  const brokers = named.filter((c) => c.broker?.value === true);
  for (const broker of brokers)
    for (const c of subs) {
      if (c === broker || siteOf(c) === siteOf(broker)) continue;
      rows.push({
        component: "Broker API",
        source: "submariner",
        protocol: "TCP",
        port: KUBE_APISERVER_TCP,
        detail: "the Broker cluster's kube-apiserver: 6443 on kubeadm, often 443 elsewhere (broker-info.subm says)",
        direction: "one-way",
        from: nodesEnd(c),
        to: {
          site: siteOf(broker)!,
          cluster: broker.name!.value,
          what: `API server of ${broker.name!.value} (the Broker)`,
          ranges: rangesOf(broker, "nodes"),
        },
        why: "Submariner exchanges Cluster and Endpoint objects (and Lighthouse its ServiceImports) through the Broker",
        value: DEFAULT,
        reference: SUBMARINER_DOC,
      });
    }
  if (!brokers.length)
    notes.push(
      `The Submariner Broker's cluster is not declared: every joined cluster (${subs.map((c) => c.name!.value).join(", ")}) must reach its kube-apiserver (TCP ${KUBE_APISERVER_TCP} on kubeadm, often 443 elsewhere). Mark the cluster that runs it with \`broker: true\` (a management cluster with \`mesh: none\` is declared like any other) and Quorate writes those rows.`,
    );
  else if (brokers.length > 1)
    notes.push(
      `${brokers.map((c) => c.name!.value).join(", ")} are all marked \`broker: true\`: one Submariner cluster set has one Broker — rows are written to each, keep only the one your clusters joined.`,
    );
}

/** An Istio remote reaches its primary's istiod (xDS, CA, webhooks) through the primary's east-west gateway. */
function istioRemoteRows(b: Build, source: string, members: readonly Cluster[], ew: (c: Cluster) => End): void {
  const { rows, siteOf, nodesEnd } = b;
  for (const r of members.filter((c) => c.istio?.role?.value === "remote")) {
    const p = members.find((c) => c.name!.value === r.istio?.primary?.value);
    if (!p) continue;
    rows.push(
      {
        component: "istiod xDS and CA",
        source,
        protocol: "TCP",
        port: ISTIO_XDS_TCP,
        detail: SNAT_DETAIL,
        direction: "one-way",
        from: nodesEnd(r, `sidecars and gateways of ${r.name!.value} (leaving through its nodes)`),
        to: ew(p),
        why: `the remote ${r.name!.value} gets its configuration and certificates from ${p.name!.value}'s istiod, through the east-west gateway`,
        value: DEFAULT,
        reference: ISTIO_DOC,
      },
      {
        component: "istiod webhooks",
        source,
        protocol: "TCP",
        port: ISTIO_WEBHOOK_TCP,
        direction: "one-way",
        from: {
          site: siteOf(r)!,
          cluster: r.name!.value,
          what: `kube-apiserver of ${r.name!.value}`,
          ranges: rangesOf(r, "nodes"),
          controlPlane: true,
        },
        to: ew(p),
        why: `${r.name!.value}'s API server calls the sidecar injector and validation webhooks of ${p.name!.value}'s istiod (they fail closed)`,
        value: DEFAULT,
        reference: ISTIO_DOC,
      },
    );
  }
}

/** Istio multicluster: east-west gateways between networks, a remote to its primary, every primary to the API servers it discovers. */
function istioRows(b: Build): void {
  const { rows, named, siteOf, nodesEnd, pairs } = b;
  const meshes = new Map<string, Cluster[]>();
  for (const c of named) if (c.istio?.meshId) meshes.set(c.istio.meshId.value, [...(meshes.get(c.istio.meshId.value) ?? []), c]);
  for (const [meshId, members] of meshes) {
    const source = `istio ${meshId}`;
    const ew = (c: Cluster): End => gatewayEnd(c, siteOf(c)!, `east-west gateway of ${c.name!.value}`);
    const net = (c: Cluster) => c.istio?.network?.value ?? c.name!.value;
    for (const [a, b] of pairs(members)) {
      if (net(a) === net(b)) continue;
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const)
        rows.push({
          component: "east-west gateway",
          source,
          protocol: "TCP",
          port: ISTIO_EASTWEST_TCP,
          detail: `AUTO_PASSTHROUGH mTLS; ${ISTIO_HBONE_TCP} (HBONE) too in ambient mode; ${SNAT_DETAIL}`,
          direction: "one-way",
          from: nodesEnd(x, `sidecars of ${x.name!.value} (leaving through its nodes)`),
          to: ew(y),
          why: `${x.name!.value} (network ${net(x)}) reaches ${y.name!.value}'s services (network ${net(y)}) only through its east-west gateway`,
          value: DEFAULT,
          reference: ISTIO_DOC,
        });
    }
    const primaries = members.filter((c) => c.istio?.role?.value !== "remote");
    istioRemoteRows(b, source, members, ew);
    // each primary's istiod watches the API server of every cluster it serves or discovers
    for (const p of primaries)
      for (const c of members)
        if (c !== p && siteOf(c) !== siteOf(p))
          rows.push({
            component: "remote API server",
            source,
            protocol: "TCP",
            port: KUBE_APISERVER_TCP,
            detail: "kube-apiserver: 6443 on kubeadm, often 443 elsewhere",
            direction: "one-way",
            from: nodesEnd(p, `istiod of ${p.name!.value} (leaving through its nodes)`),
            to: {
              site: siteOf(c)!,
              cluster: c.name!.value,
              what: `kube-apiserver of ${c.name!.value}`,
              ranges: rangesOf(c, "nodes"),
              controlPlane: true,
            },
            why: `${p.name!.value}'s istiod discovers ${c.name!.value}'s endpoints through its remote secret`,
            value: DEFAULT,
            reference: ISTIO_DOC,
          });
  }
}

/** Linkerd multicluster: A links to B = A mirrors B. */
function linkerdRows(b: Build): void {
  const { rows, named, siteOf, nodesEnd, podsEnd, deployed } = b;
  for (const a of named) {
    for (const l of a.linkerd?.links ?? []) {
      const b = named.find((c) => c.name!.value === l.cluster?.value);
      if (!b || siteOf(a) === siteOf(b)) continue;
      const d = deployed.get(b.name!.value) ?? {};
      if (l.mode === "gateway") {
        const gw = gatewayEnd(b, siteOf(b)!, `multicluster gateway of ${b.name!.value}`);
        rows.push(
          {
            component: "linkerd gateway",
            source: "linkerd",
            protocol: "TCP",
            port: d.linkerdGatewayPort?.value ?? LINKERD_GATEWAY_TCP,
            detail: SNAT_DETAIL,
            direction: "one-way",
            from: nodesEnd(a, `meshed pods of ${a.name!.value} (leaving through its nodes)`),
            to: gw,
            why: `${a.name!.value} reaches the Services it mirrors from ${b.name!.value} through ${b.name!.value}'s gateway (mTLS)`,
            value: sourceOf(d.linkerdGatewayPort),
            reference: LINKERD_DOC,
          },
          {
            component: "linkerd gateway probe",
            source: "linkerd",
            protocol: "TCP",
            port: d.linkerdProbePort?.value ?? LINKERD_PROBE_TCP,
            detail: SNAT_DETAIL,
            direction: "one-way",
            from: nodesEnd(a, `service mirror of ${a.name!.value} (leaving through its nodes)`),
            to: gw,
            why: `the service mirror marks ${b.name!.value}'s mirrored Services unhealthy when this probe fails`,
            value: sourceOf(d.linkerdProbePort),
            reference: LINKERD_DOC,
          },
        );
      } else
        rows.push({
          component: `linkerd ${l.mode} (pod-to-pod)`,
          source: "linkerd",
          protocol: "TCP",
          port: LINKERD_GATEWAY_TCP,
          detail: "the target pods' proxy inbound port",
          direction: "one-way",
          from: podsEnd(a, `meshed pods of ${a.name!.value}`),
          to: podsEnd(b),
          why: `${l.mode} mode: ${a.name!.value}'s proxies connect straight to ${b.name!.value}'s pods`,
          value: DEFAULT,
          reference: LINKERD_DOC,
        });
      rows.push({
        component: "target API server",
        source: "linkerd",
        protocol: "TCP",
        port: KUBE_APISERVER_TCP,
        detail: "kube-apiserver: 6443 on kubeadm, often 443 elsewhere",
        direction: "one-way",
        from: nodesEnd(a, `service mirror of ${a.name!.value} (leaving through its nodes)`),
        to: {
          site: siteOf(b)!,
          cluster: b.name!.value,
          what: `kube-apiserver of ${b.name!.value}`,
          ranges: rangesOf(b, "nodes"),
          controlPlane: true,
        },
        why: `the service mirror watches ${b.name!.value}'s exported Services with the Link's kubeconfig`,
        value: DEFAULT,
        reference: K8S_DOC,
      });
    }
  }
}

/** Quorums whose members sit in several sites: etcd, Galera, the consensus stores. */
function quorumRows(b: Build): void {
  const { rows, notes, siteOf, memberEnd, pairs, ctx } = b;
  for (const q of ctx.quorums) {
    if (!q.resolved) continue;
    if (q.counts.size < 2) {
      // a cluster whose etcd sits wholly at another site (a control plane hosted elsewhere, review M97):
      // no etcd peer crosses the WAN, but every flow between its nodes and its control plane does
      const c = q.kind === "etcd" ? (q.owner as Cluster) : undefined;
      const home = c && siteOf(c);
      const [at] = q.counts.keys();
      if (c && home && at !== undefined && at !== home) {
        const cp = controlPlaneOf(ctx, c);
        if (cp.etcdOnly.includes(at)) witnessEtcdRows(b, c, home, at, cp.sites, q.label);
        else stretchedControlPlaneRows(b, c, home, at, q.label, false);
      }
      continue;
    }
    const sites = [...q.counts.keys()];
    if (q.kind === "etcd") {
      const c = q.owner as Cluster;
      for (const [a, b] of pairs(sites))
        rows.push({
          component: "etcd peer",
          source: q.label,
          protocol: "TCP",
          port: ETCD_PEER_TCP,
          direction: "both",
          from: memberEnd(a, `etcd members at ${a}`, c),
          to: memberEnd(b, `etcd members at ${b}`, c),
          why: "Raft between the members: heartbeats, votes and log replication",
          value: DEFAULT,
          reference: ETCD_DOC,
        });
      const home = siteOf(c);
      if (home) {
        // a witness's etcd-only member gets etcd's rows only: no API server, kubelet or CNI runs there (review M111)
        const cp = controlPlaneOf(ctx, c);
        const remote = sites.filter((s) => s !== home && !cp.etcdOnly.includes(s));
        for (const s of remote) stretchedControlPlaneRows(b, c, home, s, q.label, true);
        remoteKubeletRows(b, c, remote, q.label);
        // members at witness sites only: the API servers at the cluster's site serve from them (external etcd)
        if (cp.sites.some((s) => sites.includes(s))) etcdClientRows(b, c, home, sites, cp.sites, q.label);
        else for (const s of cp.etcdOnly) witnessEtcdRows(b, c, home, s, cp.sites, q.label);
      }
    } else if (q.kind === "galera") {
      const st = q.owner as Store;
      for (const [x, y] of pairs(sites))
        for (const [port, component, why] of [
          [GALERA_GCOMM_TCP, "Galera group communication", "replication and certification of every write"],
          [GALERA_IST_TCP, "Galera IST", "incremental state transfer when a member rejoins"],
          [GALERA_SST_TCP, "Galera SST", "full state transfer (rsync, mariabackup) to a new or far-behind member"],
        ] as const)
          storeFlow(
            b,
            memberEnd(x, `${st.name?.value} members at ${x}`, undefined, st),
            memberEnd(y, `${st.name?.value} members at ${y}`, undefined, st),
            "both",
            { component, source: q.label, protocol: "TCP", port, why, value: DEFAULT, reference: GALERA_DOC },
          );
      notes.push(`${q.label}: UDP ${GALERA_GCOMM_TCP} only with multicast replication; TCP 3306 between members only for mysqldump SST.`);
    } else consensusRows(b, q.owner as Store, q.label, sites);
  }
}

/**
 * A stretched etcd's members at another site are control-plane nodes of its cluster (kubeadm's
 * stacked layout, which the engine assumes: an API server stands on every member) — unless that
 * site is a witness, whose members are etcd only (derive/controlplane, `witnessEtcdRows`). So besides
 * etcd's own rows they need what any control-plane node needs across the WAN: the cluster's nodes
 * reach those API servers (6443, through the control-plane endpoint), those API servers reach
 * every kubelet (10250), and they run the cluster's CNI like any node. etcd's client port across
 * the WAN is needed only with external etcd. `homeMembers` false: the whole etcd is at `s` (no
 * control-plane node at the cluster's own site), so no flow runs between control-plane nodes.
 */
function stretchedControlPlaneRows(b: Build, c: Cluster, home: string, s: string, label: string, homeMembers: boolean): void {
  const { rows, nodesEnd, memberEnd } = b;
  const name = c.name!.value;
  const cp = memberEnd(s, `control-plane nodes of ${name} at ${s}`, c);
  const members = memberEnd(s, `etcd members at ${s}`, c);
  const homeCp: End = {
    site: home,
    cluster: name,
    what: `control-plane nodes of ${name}`,
    ranges: rangesOf(c, "nodes"),
    controlPlane: true,
  };
  const row = (r: Omit<PortRow, "source" | "value"> & { value?: PortRow["value"] }) => rows.push({ value: DEFAULT, ...r, source: label });
  // between the member sites of a stretched etcd: etcdClientRows, one rule for every pair (review M111)
  if (!homeMembers)
    row({
      component: "etcd client",
      protocol: "TCP",
      port: ETCD_CLIENT_TCP,
      direction: "one-way",
      from: { ...homeCp, what: `kube-apiserver of ${name}` },
      to: members,
      why: "an API server reads and writes through members elsewhere only with external etcd (--etcd-servers listing every member); a kubeadm stacked API server talks only to its own node's member (127.0.0.1), so leave this closed there: it only widens who can reach etcd",
      reference: KUBEADM_HA_DOC,
      when: "with external etcd",
    });
  row({
    component: "kube-apiserver",
    protocol: "TCP",
    port: KUBE_APISERVER_TCP,
    detail: "6443 on kubeadm; through the control-plane endpoint's load balancer (its own address, if it proxies)",
    direction: "one-way",
    from: nodesEnd(c),
    to: cp,
    why: homeMembers
      ? `the kubelets, kube-proxy and agents of ${name} reach every API server behind the control-plane endpoint, ${s}'s included`
      : `the kubelets, kube-proxy and agents of ${name} reach its API servers, all of them at ${s} with its etcd (${remoteLayout(s)}): without this rule ${name} has no API`,
    reference: K8S_DOC,
  });
  if (homeMembers)
    row({
      component: "kube-apiserver",
      protocol: "TCP",
      port: KUBE_APISERVER_TCP,
      detail: "6443 on kubeadm; through the control-plane endpoint",
      direction: "one-way",
      from: cp,
      to: homeCp,
      why: `the kubelets of the control-plane nodes at ${s} reach the API servers at ${home} behind the control-plane endpoint`,
      reference: K8S_DOC,
    });
  row({
    component: "kubelet API",
    protocol: "TCP",
    port: KUBELET_TCP,
    direction: "one-way",
    from: cp,
    to: nodesEnd(c),
    why: `the API servers at ${s}${homeMembers ? "" : ` (${remoteLayout(s)})`} reach every kubelet of ${name}: logs, exec, attach, port-forward, metrics`,
    reference: K8S_DOC,
  });
  if (homeMembers)
    row({
      component: "kubelet API",
      protocol: "TCP",
      port: KUBELET_TCP,
      direction: "one-way",
      from: homeCp,
      to: cp,
      why: `the API servers at ${home} reach the kubelets of the control-plane nodes at ${s} too: logs and exec of the pods there (etcd's and the API server's static pods), metrics`,
      reference: K8S_DOC,
    });
  controlPlaneCniRows(b, c, home, s, cp, row);
}

/**
 * etcd's client port between the member sites of a stretched etcd (review M111, the lead's rule of
 * 12:53): one rule for every pair of member sites, witness or not. A kubeadm stacked API server
 * talks only to its own node's member (127.0.0.1), so serving needs no 2379 across the WAN;
 * maintenance does: kubeadm join --control-plane and kubeadm upgrade reach every member's client
 * URL (MemberAdd, cluster health), and so do etcdctl's `endpoint status|health --cluster` (the game
 * day's leader location and post-heal check). Conditional (`when`): probe.sh does not demand it.
 * Between two control-plane sites both ways; from the control-plane sites to a witness's etcd-only
 * member one way (nothing there dials out on 2379); none between two witnesses.
 */
function etcdClientRows(b: Build, c: Cluster, home: string, sites: readonly string[], cpSites: readonly string[], label: string): void {
  const name = c.name!.value;
  const cpEnd = (s: string) => b.memberEnd(s, s === home ? `control-plane nodes of ${name}` : `control-plane nodes of ${name} at ${s}`, c);
  for (const [x, y] of b.pairs(sites)) {
    const [from, to] = cpSites.includes(x) ? [x, y] : [y, x];
    if (!cpSites.includes(from)) continue;
    const both = cpSites.includes(to);
    b.rows.push({
      component: "etcd client",
      source: label,
      protocol: "TCP",
      port: ETCD_CLIENT_TCP,
      direction: both ? "both" : "one-way",
      from: cpEnd(from),
      to: both ? cpEnd(to) : b.memberEnd(to, `etcd members at ${to}`, c),
      why: `${both ? "" : `${to} is a witness, etcd only (no API server, kubelet or CNI of ${name}: nothing else of it runs there); `}${ETCD_CLIENT_WHY}`,
      value: DEFAULT,
      reference: KUBEADM_HA_DOC,
      when: ETCD_CLIENT_WHEN,
    });
  }
}

/** The condition of the etcd client rows between member sites (rendered "etcd client (only …)"). */
const ETCD_CLIENT_WHEN = "for maintenance, or with external etcd";

const ETCD_CLIENT_WHY =
  "serving needs none over the WAN (a kubeadm stacked API server talks only to its own node's member (127.0.0.1)); maintenance does: kubeadm join --control-plane and upgrade, and etcdctl endpoint status and health --cluster, dial every member. Open it from control-plane nodes only";

/**
 * An etcd wholly at a witness site `s` (derive/controlplane, review M111): etcd only there, so the
 * cluster's API servers stay at its own site and serve from it over the WAN (external etcd): its
 * client port from the control-plane nodes at each of `cpSites`, needed to serve at all.
 */
function witnessEtcdRows(b: Build, c: Cluster, home: string, s: string, cpSites: readonly string[], label: string): void {
  const name = c.name!.value;
  for (const at of cpSites)
    b.rows.push({
      component: "etcd client",
      source: label,
      protocol: "TCP",
      port: ETCD_CLIENT_TCP,
      direction: "one-way",
      from:
        at === home
          ? { site: home, cluster: name, what: `control-plane nodes of ${name}`, ranges: rangesOf(c, "nodes"), controlPlane: true }
          : b.memberEnd(at, `control-plane nodes of ${name} at ${at}`, c),
      to: b.memberEnd(s, `etcd members at ${s}`, c),
      why: `${s} is a witness: its etcd members run there alone (no API server, kubelet or CNI of ${name}), so ${name}'s API servers at ${at} read and write through them across the WAN (external etcd): without this rule ${name} has no API`,
      value: DEFAULT,
      reference: KUBEADM_HA_DOC,
    });
}

/**
 * The layout the 6443 and 10250 rows of an etcd wholly at `s` are for — API servers beside their
 * etcd there — as against the external-etcd row beside them (API servers at the cluster's own site,
 * 2379 across the WAN): review M97's nit, so the two alternatives do not read as one layout.
 */
const remoteLayout = (s: string) => `stacked, or a hosted control plane at ${s}`;

/** The API servers at one remote member site reach the kubelets of the control-plane nodes at another: 10250 both ways between them. */
function remoteKubeletRows(b: Build, c: Cluster, remote: readonly string[], label: string): void {
  const name = c.name!.value;
  for (let i = 0; i < remote.length; i++)
    for (let j = i + 1; j < remote.length; j++)
      b.rows.push({
        component: "kubelet API",
        protocol: "TCP",
        port: KUBELET_TCP,
        direction: "both",
        from: b.memberEnd(remote[i], `control-plane nodes of ${name} at ${remote[i]}`, c),
        to: b.memberEnd(remote[j], `control-plane nodes of ${name} at ${remote[j]}`, c),
        why: `each API server reaches every kubelet of ${name}, the other remote control-plane nodes' included: logs, exec, metrics`,
        value: DEFAULT,
        reference: K8S_DOC,
        source: label,
      });
}

/** A stretched control plane's remote nodes run the cluster's CNI: Cilium's node rows between them and the home nodes, or a note. */
function controlPlaneCniRows(
  b: Build,
  c: Cluster,
  home: string,
  s: string,
  cp: End,
  row: (r: Omit<PortRow, "source" | "value"> & { value?: PortRow["value"] }) => void,
): void {
  const { notes, nodesEnd, deployed } = b;
  const name = c.name!.value;
  if (c.mesh === "clustermesh") {
    const d = deployed.get(name) ?? {};
    const native = podRouting(c, d).routed;
    const geneve = d.tunnelProtocol?.value === "geneve";
    const both = (r: Omit<PortRow, "source" | "direction" | "from" | "to" | "reference" | "value"> & { value?: PortRow["value"] }) =>
      row({ ...r, direction: "both", from: nodesEnd(c), to: cp, reference: CILIUM_DOC });
    const why = `the control-plane nodes at ${s} are nodes of ${name}: Cilium runs on them as on every node`;
    both({ component: "cilium-health", protocol: "TCP", port: CILIUM_HEALTH_TCP, why: `${why} (health probes)` });
    both({
      component: "cilium-health",
      protocol: "ICMP",
      port: null,
      detail: "echo (type 8, code 0) and reply (type 0)",
      why: `${why} (reachability probes)`,
    });
    if (!native)
      both({
        component: geneve ? "Geneve tunnel" : "VXLAN tunnel",
        protocol: "UDP",
        port: geneve ? CILIUM_GENEVE_UDP : CILIUM_VXLAN_UDP,
        why: `${why}: pod traffic between them and ${home}'s nodes, encapsulated (admission webhooks the API servers there call in ${home}'s pods included)`,
        value: sourceOf(d.tunnelProtocol),
      });
    else
      notes.push(
        `${name}: native routing — its pod range must also be routed between ${home} and its control-plane nodes at ${s} (the API servers there call admission webhooks in ${home}'s pods).`,
      );
  } else
    notes.push(
      `${name}: its control-plane nodes at ${s} are nodes of the cluster — open its CNI's node-to-node ports between ${home}'s nodes and them (the design does not name the CNI), and let the API servers there reach admission webhooks in ${home}'s pods.`,
    );
}

/** Each end without a declared range, said once. */
function unrangedNotes(b: Build): void {
  const { rows, notes } = b;
  // each end is looked up once: a note that names it stays (rows × notes took seconds on 200 sites)
  const looked = new Set<string>();
  for (const r of rows)
    for (const e of [r.from, r.to])
      if (!e.ranges.length && !looked.has(e.what) && looked.add(e.what) && !notes.some((n) => n.includes(`${e.what}`)))
        notes.push(
          e.unranged
            ? e.unranged
            : `No range is declared for ${e.what} (${e.site}): add network.nodes/pods to the cluster, or sites[].addresses for hosts outside clusters, for a rule a firewall can take.`,
        );
}

/** A port of a store's engine between its member sites: TCP unless said, and a condition where one applies. */
interface EnginePort {
  readonly port: number;
  readonly component: string;
  readonly why: string;
  readonly reference: string;
  readonly protocol?: Protocol;
  readonly when?: string;
}

/**
 * The ports of an engine whose members all talk to each other whatever the design calls its
 * replication (review M145): a MongoDB replica set (members, or an async primary and its
 * secondaries), Cassandra's datacenters (multi-writer: async or crdt), a Consul datacenter's
 * servers. Free text, recognised by name; undefined for any other engine.
 */
function meshedEnginePorts(engine: string): EnginePort[] | undefined {
  const e = engine.toLowerCase();
  if (e.includes("mongo"))
    return [
      {
        port: MONGODB_TCP,
        component: "MongoDB replica set",
        why: "replication (each secondary pulls the oplog from its sync source), heartbeats every 2 s between every two members, elections; drivers reach every member on it too",
        reference: MONGODB_DOC,
      },
    ];
  if (e.includes("cassandra") || e.includes("scylla"))
    return [
      {
        port: CASSANDRA_STORAGE_TCP,
        component: "Cassandra inter-node",
        why: "gossip, and each coordinator's writes to the replicas in every other datacenter (storage_port; TLS there too since 4.0)",
        reference: CASSANDRA_DOC,
      },
      {
        port: CASSANDRA_SSL_STORAGE_TCP,
        component: "Cassandra inter-node TLS",
        why: "inter-node traffic encrypted on its own port (ssl_storage_port)",
        reference: CASSANDRA_DOC,
        when: "with ssl_storage_port (before Cassandra 4.0, deprecated since)",
      },
    ];
  if (e.includes("consul"))
    return [
      {
        port: CONSUL_SERVER_RPC_TCP,
        component: "Consul server RPC",
        why: "Raft between the servers, and requests forwarded to the leader",
        reference: CONSUL_DOC,
      },
      ...(["TCP", "UDP"] as const).map((protocol) => ({
        port: CONSUL_SERF_LAN,
        protocol,
        component: "Consul Serf LAN",
        why: "gossip among the datacenter's agents: membership and failure detection (UDP probes, TCP for state sync and fallback)",
        reference: CONSUL_DOC,
      })),
      ...(["TCP", "UDP"] as const).map((protocol) => ({
        port: CONSUL_SERF_WAN,
        protocol,
        component: "Consul Serf WAN",
        why: "gossip between the servers of federated datacenters",
        reference: CONSUL_DOC,
        when: "with WAN federation (a Consul datacenter per site)",
      })),
    ];
  return undefined;
}

/** The replication ports of a consensus store's engine (free text: recognised by name), or undefined. */
function consensusPorts(engine: string): EnginePort[] | undefined {
  const meshed = meshedEnginePorts(engine);
  if (meshed) return meshed;
  const e = engine.toLowerCase();
  if (e.includes("cockroach"))
    return [
      {
        port: COCKROACH_TCP,
        component: "CockroachDB RPC and SQL",
        why: "Raft replication, leases and SQL gateways forwarding to leaseholders (one port: --listen-addr)",
        reference: COCKROACH_DOC,
      },
    ];
  if (e.includes("yugabyte"))
    return [
      { port: YB_MASTER_TCP, component: "yb-master RPC", why: "the masters' Raft and catalog", reference: YUGABYTE_DOC },
      { port: YB_TSERVER_TCP, component: "yb-tserver RPC", why: "tablet Raft replication between the tservers", reference: YUGABYTE_DOC },
    ];
  if (e.includes("tikv") || e.includes("tidb"))
    return [
      { port: TIKV_TCP, component: "TiKV", why: "Raft replication between the TiKV stores", reference: TIDB_DOC },
      { port: ETCD_PEER_TCP, component: "PD peer", why: "the placement drivers' Raft", reference: TIDB_DOC },
      { port: ETCD_CLIENT_TCP, component: "PD client", why: "TiKV and TiDB reach the placement driver", reference: TIDB_DOC },
    ];
  return undefined;
}

/** A consensus store's replication between its member sites: the engine's port, or a note naming what to open. */
function consensusRows(b: Build, st: Store, label: string, sites: readonly string[]): void {
  const engine = st.engine?.value ?? "";
  const ports = consensusPorts(engine);
  if (!ports) {
    b.notes.push(
      `${label} (${engine || "consensus"}): Quorate does not know this engine's replication ports (it knows CockroachDB 26257, YugabyteDB 7100/9100, TiKV 20160 with PD 2379/2380, MongoDB 27017, Cassandra 7000, Consul 8300/8301); open them between ${sites.join(", ")}.`,
    );
    return;
  }
  for (const [x, y] of b.pairs(sites))
    for (const p of ports)
      storeFlow(
        b,
        b.memberEnd(x, `${st.name?.value} members at ${x}`, undefined, st),
        b.memberEnd(y, `${st.name?.value} members at ${y}`, undefined, st),
        "both",
        {
          component: p.component,
          source: label,
          protocol: p.protocol ?? "TCP",
          port: p.port,
          detail: "the engine's default: read the deployed value",
          why: p.why,
          value: DEFAULT,
          reference: p.reference,
          ...(p.when ? { when: p.when } : {}),
        },
      );
  clientNote(b, st, label);
}

/**
 * What an engine's clients need across sites, where the design cannot place them (it names no
 * client namespace): said as a note (review M145). MongoDB's drivers monitor every member and
 * send writes to the primary wherever it is elected; Cassandra's reach their local datacenter.
 */
function clientNote(b: Build, st: Store, label: string): void {
  const e = (st.engine?.value ?? "").toLowerCase();
  const note = e.includes("mongo")
    ? `${label}: MongoDB's drivers reach every member on TCP ${MONGODB_TCP} (they monitor the whole replica set and send writes to the primary wherever it is elected): open it from the clusters of the applications that use ${st.name?.value} at every site to every member site.`
    : e.includes("cassandra") || e.includes("scylla")
      ? `${label}: CQL clients (TCP ${CASSANDRA_CQL_TCP}) reach the nodes of their local datacenter; open ${CASSANDRA_CQL_TCP} across sites only for clients at a site without Cassandra nodes or drivers allowed to fail over to a remote datacenter.`
      : undefined;
  if (note && !b.notes.includes(note)) b.notes.push(note);
}

/** A row of a store's replication before the networks place it: everything but its ends and direction. */
type StoreRow = Omit<PortRow, "direction" | "from" | "to">;

/** The tunnel that carries `c`'s pod traffic to other clusters' pods, or undefined where pod ranges are routed (native routing) or no mesh joins them. */
function tunnelOf(b: Build, c: Cluster): string | undefined {
  const d = b.deployed.get(c.name!.value) ?? {};
  return tunnelText(podRouting(c, d).tunnel, d);
}

/** A tunnel's name with its port, as a row or note says it. */
function tunnelText(t: PodRouting["tunnel"], d: DeployedPorts | undefined): string | undefined {
  if (t === "geneve") return `the ClusterMesh Geneve tunnel (UDP ${CILIUM_GENEVE_UDP}) between the nodes`;
  if (t === "vxlan") return `the ClusterMesh VXLAN tunnel (UDP ${CILIUM_VXLAN_UDP}) between the nodes`;
  if (t === "submariner") return `the Submariner tunnel between the gateways (UDP ${d?.submarinerNattPort?.value ?? SUBMARINER_NATT_UDP})`;
  return undefined;
}

/**
 * A store's replication from its members at `from` to those at `to`, as the networks carry it.
 * Between two clusters' pods in tunnel mode the flow rides inside the mesh's tunnel: the WAN sees
 * only the tunnel's row, so this is a NetworkPolicy row. From pods to hosts outside the clusters
 * the source is the nodes' addresses (Cilium, like most CNIs, masquerades pod traffic leaving the
 * cluster: docs.cilium.io network/concepts/masquerading). From such hosts to pods: only where the
 * pod ranges are routed to them — in tunnel mode they are not, a design gap the notes name.
 */
function storeFlow(b: Build, from: End, to: End, direction: PortRow["direction"], tpl: StoreRow): void {
  const clustersAt = (e: End) => b.named.filter((c) => b.siteOf(c) === e.site);
  if (!!from.namespace === !!to.namespace) {
    const tunnels = new Set([...clustersAt(from), ...clustersAt(to)].map((c) => tunnelOf(b, c)));
    const inside = from.namespace && tunnels.size === 1 ? [...tunnels][0] : undefined;
    b.rows.push({ ...tpl, direction, from, to, ...(inside ? { inside } : {}) });
    return;
  }
  const [pods, host] = from.namespace ? [from, to] : [to, from];
  const clusters = clustersAt(pods);
  if (direction === "both" || pods === from)
    b.rows.push({
      ...tpl,
      detail: `${tpl.detail ? `${tpl.detail}; ` : ""}source: the node addresses (pods leave the cluster masqueraded as their node)`,
      direction: "one-way",
      from: {
        ...pods,
        what: `${pods.what} (leaving through the nodes, masqueraded)`,
        ranges: clusters.flatMap((c) => rangesOf(c, "nodes")),
      },
      to: host,
    });
  if (direction === "one-way" && pods === from) return;
  const routed = clusters.every((c) => podRouting(c, b.deployed.get(c.name!.value)).routed);
  b.rows.push({
    ...tpl,
    direction: "one-way",
    from: host,
    to: pods,
    ...(routed ? {} : { when: `where the pod ranges are routed to ${host.site}` }),
  });
}

/** The design gaps (derive/reach memberGaps): members on hosts that must dial pods they cannot reach, one note per store and pair of sites. */
function gapNotes(b: Build): void {
  const gaps = memberGaps(b.ctx, b.deployed);
  for (const g of gaps) {
    // every cluster the members at that host must dial: pod ranges that overlap among them are routed nowhere (review M149)
    const dialled = [...new Set(gaps.filter((x) => x.store === g.store && x.hostSite === g.hostSite).flatMap((x) => x.clusters))];
    const overlapping = overlapRemedy(b.ctx, g.hostSite, dialled, g.store.name?.value ?? "the store");
    const note = gapNote(g, b.deployed.get(g.clusters[0].name!.value), overlapping);
    if (!b.notes.includes(note)) b.notes.push(note);
  }
}

/** The rule that reports a gap (the same fact, in \`quorate check\`). */
export const gapCode = (g: MemberGap): "quorum/member-unreachable" | "data/replication-unreachable" =>
  g.role === "member" ? "quorum/member-unreachable" : "data/replication-unreachable";

function gapNote(g: MemberGap, d: DeployedPorts | undefined, overlapping: string | undefined): string {
  const tunnel = tunnelText(g.tunnel, d);
  const names = g.clusters.map((c) => c.name!.value).join(", ");
  return `store ${g.store.name?.value}: its members at ${g.hostSite} (${g.hostRanges.join(", ") || "no range declared"}) must reach its members at ${g.podSite} at their pod addresses (${g.podRanges.join(", ") || "no range declared"}), but ${
    tunnel
      ? `in tunnel mode (${tunnel}) pod ranges are not routable outside the clusters`
      : "pod ranges are not routable outside the clusters unless your network routes them"
  }: as designed, ${g.hostSite} cannot reach them (quorate check: ${gapCode(g)}). ${overlapping ?? `Route the pod CIDRs to ${g.hostSite} (native routing with BGP) and say so with \`network.routing: native\` on ${names}, or run the store's pods on the host network (\`hostNetwork: true\` on the store: they advertise their nodes' addresses).`}`;
}

/**
 * An async store's replication: each replica (and each other writer) connects to a writer's
 * site — a streaming standby or logical subscriber dials its upstream. Writers in several
 * sites replicate both ways.
 */
function asyncStoreRows(b: Build): void {
  for (const st of b.ctx.topology.stores) {
    const rep = st.replication?.value;
    if ((rep !== "async" && rep !== "crdt") || !st.name) continue;
    const writers = [...new Set((st.writers?.items ?? []).map((w) => w.value))];
    const replicas = [...new Set((st.replicas?.items ?? []).map((w) => w.value))].filter((x) => !writers.includes(x));
    if (!writers.length || writers.length + replicas.length < 2) continue;
    // an engine whose members all talk to each other: its ports between every two of its sites, both ways (review M145)
    if (meshedEnginePorts(st.engine?.value ?? "")) {
      consensusRows(
        b,
        st,
        `store ${st.name.value}`,
        [...writers, ...replicas].filter((x) => b.ctx.topology.siteByName.has(x)),
      );
      continue;
    }
    // a crdt store of another engine: its ports are not known (as before)
    if (rep !== "async") continue;
    const engine = (st.engine?.value ?? "").toLowerCase();
    const known = /postgres/.test(engine)
      ? { port: POSTGRES_TCP, component: "PostgreSQL replication", reference: POSTGRES_DOC }
      : /mysql|mariadb/.test(engine)
        ? { port: MYSQL_TCP, component: "MySQL replication", reference: MYSQL_DOC }
        : undefined;
    if (!known) {
      b.notes.push(
        `store ${st.name.value} (${st.engine?.value ?? "async"}): Quorate does not know this engine's replication port (it knows PostgreSQL 5432, MySQL/MariaDB 3306, MongoDB 27017, Cassandra 7000, Consul 8300/8301); open it from ${replicas.length ? replicas.join(", ") : "each writer"} to ${writers.join(", ")}.`,
      );
      continue;
    }
    const end = (site: string, role: string) => b.memberEnd(site, `${st.name!.value} ${role} at ${site}`, undefined, st);
    const row = (from: End, to: End, direction: PortRow["direction"], why: string) =>
      storeFlow(b, from, to, direction, {
        ...known,
        source: `store ${st.name!.value}`,
        protocol: "TCP",
        detail: "the engine's default: read the deployed value",
        why,
        value: DEFAULT,
      });
    for (const [x, y] of b.pairs(writers))
      row(
        end(x, "writer"),
        end(y, "writer"),
        "both",
        "each writer subscribes to the other's changes (logical or multi-writer replication)",
      );
    for (const r of replicas)
      for (const w of writers)
        row(end(r, "replica"), end(w, "writer"), "one-way", "the replica connects to its upstream and streams its log");
  }
}

const PROTO_ORDER: Record<Protocol, number> = { TCP: 0, UDP: 1, ICMP: 2, ESP: 3, any: 4 };
/** By site pair, then component, protocol and port: a stable order to review and diff. */
function sortRows(rows: PortRow[]): PortRow[] {
  const key = (r: PortRow) => [r.from.site, r.to.site].sort().join("\u0000");
  return rows
    .map((r, i) => ({ r, i, k: key(r) }))
    .sort((x, y) => {
      const a = x.r;
      const b = y.r;
      return (
        (x.k < y.k ? -1 : x.k > y.k ? 1 : 0) ||
        a.source.localeCompare(b.source) ||
        x.i - y.i ||
        PROTO_ORDER[a.protocol] - PROTO_ORDER[b.protocol]
      );
    })
    .map((x) => x.r);
}

/** "TCP 2380", "ICMP echo (type 8, code 0) …", "ESP (IP protocol 50)" */
export function portText(r: PortRow): string {
  if (r.protocol === "any") return r.detail ?? "every IP protocol and port";
  if (r.port === null) return `${r.protocol}${r.detail ? ` ${r.detail}` : ""}`;
  return `${r.protocol} ${r.port}`;
}

/** The rows a cluster takes part in (its nodes, pods, gateways or API server at either end). */
/**
 * Whether a row is a flow inside one site (Submariner's VXLAN from a cluster's nodes to its own
 * gateway, UDP 4800): a host or NetworkPolicy rule there, never a rule on the firewalls between
 * sites. The one test every reader of the matrix uses (the Markdown's pairs, the mesh hover).
 */
export const insideOneSite = (r: PortRow): boolean => r.from.site === r.to.site;

export function rowsOfCluster(m: PortMatrix, cluster: string): PortRow[] {
  const mine = (e: End) => e.cluster === cluster;
  return m.rows.filter((r) => mine(r.from) || mine(r.to));
}
