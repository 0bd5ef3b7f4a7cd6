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
export const ETCD_PEER_TCP = 2380;
// Galera, "Firewall Settings" (https://galeracluster.com/library/documentation/firewall-settings.html):
// 4567 group communication (UDP too only with multicast), 4568 IST, 4444 SST, 3306 for clients
// and mysqldump SST.
const GALERA_DOC = "https://galeracluster.com/library/documentation/firewall-settings.html";
export const GALERA_GCOMM_TCP = 4567;
export const GALERA_IST_TCP = 4568;
export const GALERA_SST_TCP = 4444;
// Kubernetes, "Ports and Protocols" (https://kubernetes.io/docs/reference/networking/ports-and-protocols/):
// kube-apiserver on 6443 (kubeadm); managed and other distributions often serve 443.
const K8S_DOC = "https://kubernetes.io/docs/reference/networking/ports-and-protocols/";
export const KUBE_APISERVER_TCP = 6443;

export type Protocol = "TCP" | "UDP" | "ICMP" | "ESP";

/** One end of a flow: a site, what runs there, and its declared ranges (empty when the design gives none). */
export interface End {
  readonly site: string;
  /** "nodes of fra-prod", "etcd members at ams", "east-west gateway of lon-prod" */
  readonly what: string;
  readonly ranges: string[];
  /** the cluster this end belongs to, when it is one */
  readonly cluster?: string;
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

const rangesOf = (c: Cluster, field: "pods" | "services" | "nodes"): string[] =>
  c.cidrs
    .filter((v) => v.field === field)
    .map((v) => parseCidr(v.value))
    .filter((x) => x !== undefined)
    .map(canonical);

const DEFAULT = { kind: "default" } as const;
const sourceOf = (v: Valued<unknown> | undefined): PortRow["value"] => (v ? { kind: "deployed", file: v.file, key: v.key } : DEFAULT);

/** The port matrix of the design's first topology; `deployed` by cluster name. */
export function portMatrix(ctx: TopologyContext, deployed: ReadonlyMap<string, DeployedPorts> = new Map()): PortMatrix {
  const t = ctx.topology;
  const rows: PortRow[] = [];
  const notes: string[] = [];
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
  const pairs = <T>(xs: readonly T[]) => xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as const));

  // ---- Cilium ClusterMesh: between all nodes of all meshed clusters
  const meshed = named.filter((c) => c.mesh === "clustermesh");
  for (const [a, b] of pairs(meshed)) {
    if (siteOf(a) === siteOf(b)) continue;
    for (const [x, y] of [
      [a, b],
      [b, a],
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
        why: `every Cilium agent of ${x.name!.value} watches ${y.name!.value}'s clustermesh-apiserver (identities, endpoints, services)`,
        value: sourceOf(lb ? d.clustermeshServiceType : d.clustermeshNodePort),
        reference: CLUSTERMESH_DOC,
      });
    }
    const da = deployed.get(a.name!.value) ?? {};
    const db = deployed.get(b.name!.value) ?? {};
    const both = (r: Omit<PortRow, "direction" | "from" | "to" | "source">) =>
      rows.push({ ...r, source: "clustermesh", direction: "both", from: nodesEnd(a), to: nodesEnd(b) });
    both({
      component: "cilium-health",
      protocol: "TCP",
      port: CILIUM_HEALTH_TCP,
      why: "node-to-node health probes (optional: without them `cilium-health` reports nothing, the datapath still works)",
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
    const native = (da.routingMode ?? db.routingMode)?.value === "native";
    if (native)
      rows.push({
        component: "pod traffic (native routing)",
        source: "clustermesh",
        protocol: "TCP",
        port: null,
        detail: "any port and protocol: pod ranges routed between the sites",
        direction: "both",
        from: podsEnd(a),
        to: podsEnd(b),
        why: "routingMode native: pods reach remote pods unencapsulated, so the WAN must route and admit the pod ranges",
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
  if (meshed.length > 1 && !meshed.some((c) => deployed.get(c.name!.value)?.encryption))
    notes.push(
      `ClusterMesh encryption is not declared: with WireGuard also open UDP ${CILIUM_WIREGUARD_UDP}, with IPsec ESP (IP protocol 50), between the same nodes; with mutual authentication TCP ${CILIUM_MUTUAL_AUTH_TCP} (bind the clusters' Cilium values with \`deployment\` and Quorate reads them).`,
    );

  // ---- Submariner: gateways between sites; nodes to their own gateway; everyone to the Broker
  const subs = named.filter((c) => c.mesh === "submariner");
  for (const [a, b] of pairs(subs)) {
    if (siteOf(a) === siteOf(b)) continue;
    const gw = (c: Cluster): End => ({
      site: siteOf(c)!,
      cluster: c.name!.value,
      what: `gateway nodes of ${c.name!.value}`,
      ranges: rangesOf(c, "nodes"),
    });
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
  if (subs.length > 1) {
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

  // ---- Istio multicluster
  const meshes = new Map<string, Cluster[]>();
  for (const c of named) if (c.istio?.meshId) meshes.set(c.istio.meshId.value, [...(meshes.get(c.istio.meshId.value) ?? []), c]);
  for (const [meshId, members] of meshes) {
    const source = `istio ${meshId}`;
    const ew = (c: Cluster): End => ({
      site: siteOf(c)!,
      cluster: c.name!.value,
      what: `east-west gateway of ${c.name!.value}`,
      ranges: rangesOf(c, "nodes"),
    });
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
          detail: `AUTO_PASSTHROUGH mTLS; ${ISTIO_HBONE_TCP} (HBONE) too in ambient mode`,
          direction: "one-way",
          from: podsEnd(x, `sidecars of ${x.name!.value}`),
          to: ew(y),
          why: `${x.name!.value} (network ${net(x)}) reaches ${y.name!.value}'s services (network ${net(y)}) only through its east-west gateway`,
          value: DEFAULT,
          reference: ISTIO_DOC,
        });
    }
    const primaries = members.filter((c) => c.istio?.role?.value !== "remote");
    for (const r of members.filter((c) => c.istio?.role?.value === "remote")) {
      const p = members.find((c) => c.name!.value === r.istio?.primary?.value);
      if (!p) continue;
      rows.push(
        {
          component: "istiod xDS and CA",
          source,
          protocol: "TCP",
          port: ISTIO_XDS_TCP,
          direction: "one-way",
          from: podsEnd(r, `sidecars and gateways of ${r.name!.value}`),
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
          from: { site: siteOf(r)!, cluster: r.name!.value, what: `kube-apiserver of ${r.name!.value}`, ranges: rangesOf(r, "nodes") },
          to: ew(p),
          why: `${r.name!.value}'s API server calls the sidecar injector and validation webhooks of ${p.name!.value}'s istiod (they fail closed)`,
          value: DEFAULT,
          reference: ISTIO_DOC,
        },
      );
    }
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
            from: podsEnd(p, `istiod of ${p.name!.value}`),
            to: { site: siteOf(c)!, cluster: c.name!.value, what: `kube-apiserver of ${c.name!.value}`, ranges: rangesOf(c, "nodes") },
            why: `${p.name!.value}'s istiod discovers ${c.name!.value}'s endpoints through its remote secret`,
            value: DEFAULT,
            reference: ISTIO_DOC,
          });
  }

  // ---- Linkerd multicluster: A links to B = A mirrors B
  for (const a of named) {
    for (const l of a.linkerd?.links ?? []) {
      const b = named.find((c) => c.name!.value === l.cluster?.value);
      if (!b || siteOf(a) === siteOf(b)) continue;
      const d = deployed.get(b.name!.value) ?? {};
      if (l.mode === "gateway") {
        const gw: End = {
          site: siteOf(b)!,
          cluster: b.name!.value,
          what: `multicluster gateway of ${b.name!.value}`,
          ranges: rangesOf(b, "nodes"),
        };
        rows.push(
          {
            component: "linkerd gateway",
            source: "linkerd",
            protocol: "TCP",
            port: d.linkerdGatewayPort?.value ?? LINKERD_GATEWAY_TCP,
            direction: "one-way",
            from: podsEnd(a, `meshed pods of ${a.name!.value}`),
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
            direction: "one-way",
            from: podsEnd(a, `service mirror of ${a.name!.value}`),
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
        from: podsEnd(a, `service mirror of ${a.name!.value}`),
        to: { site: siteOf(b)!, cluster: b.name!.value, what: `kube-apiserver of ${b.name!.value}`, ranges: rangesOf(b, "nodes") },
        why: `the service mirror watches ${b.name!.value}'s exported Services with the Link's kubeconfig`,
        value: DEFAULT,
        reference: K8S_DOC,
      });
    }
  }

  // ---- quorums whose members sit in several sites
  const memberEnd = (site: string, what: string, inCluster?: Cluster, store?: Store): End => {
    // members at a cluster's own site run on its nodes (etcd) or pods (a store in a namespace); elsewhere on declared hosts
    const here = named.filter((c) => siteOf(c) === site);
    const own = inCluster && siteOf(inCluster) === site ? [inCluster] : store?.namespace ? here : [];
    const ranges = own.length
      ? own.flatMap((c) => rangesOf(c, store?.namespace ? "pods" : "nodes"))
      : (ctx.topology.siteByName.get(site)?.addresses?.items ?? [])
          .map((x) => parseCidr(x.value))
          .filter((x) => x !== undefined)
          .map(canonical);
    return { site, what, ranges, ...(own.length === 1 ? { cluster: own[0].name!.value } : {}) };
  };
  for (const q of ctx.quorums) {
    if (!q.resolved || q.counts.size < 2) continue;
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
      if (home)
        for (const s of sites)
          if (s !== home)
            rows.push({
              component: "etcd client",
              source: q.label,
              protocol: "TCP",
              port: ETCD_CLIENT_TCP,
              direction: "one-way",
              from: { site: home, cluster: c.name!.value, what: `kube-apiserver of ${c.name!.value}`, ranges: rangesOf(c, "nodes") },
              to: memberEnd(s, `etcd members at ${s}`, c),
              why: "the API servers read and write through any member",
              value: DEFAULT,
              reference: ETCD_DOC,
            });
    } else if (q.kind === "galera") {
      const st = q.owner as Store;
      for (const [a, b] of pairs(sites))
        for (const [port, component, why] of [
          [GALERA_GCOMM_TCP, "Galera group communication", "replication and certification of every write"],
          [GALERA_IST_TCP, "Galera IST", "incremental state transfer when a member rejoins"],
          [GALERA_SST_TCP, "Galera SST", "full state transfer (rsync, mariabackup) to a new or far-behind member"],
        ] as const)
          rows.push({
            component,
            source: q.label,
            protocol: "TCP",
            port,
            direction: "both",
            from: memberEnd(a, `${st.name?.value} members at ${a}`, undefined, st),
            to: memberEnd(b, `${st.name?.value} members at ${b}`, undefined, st),
            why,
            value: DEFAULT,
            reference: GALERA_DOC,
          });
      notes.push(`${q.label}: UDP ${GALERA_GCOMM_TCP} only with multicast replication; TCP 3306 between members only for mysqldump SST.`);
    } else
      notes.push(
        `${q.label} (${(q.owner as Store).engine?.value ?? "consensus"}): its replication ports are the engine's (CockroachDB 26257, YugabyteDB 7100/9100, TiKV 20160…); open them between ${sites.join(", ")}.`,
      );
  }
  // each end is looked up once: a note that names it stays (rows × notes took seconds on 200 sites)
  const looked = new Set<string>();
  for (const r of rows)
    for (const e of [r.from, r.to])
      if (!e.ranges.length && !looked.has(e.what) && looked.add(e.what) && !notes.some((n) => n.includes(`${e.what}`)))
        notes.push(
          `No range is declared for ${e.what} (${e.site}): add network.nodes/pods to the cluster, or sites[].addresses for hosts outside clusters, for a rule a firewall can take.`,
        );
  return { rows: sortRows(rows), notes };
}

const PROTO_ORDER: Record<Protocol, number> = { TCP: 0, UDP: 1, ICMP: 2, ESP: 3 };
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
  if (r.port === null) return `${r.protocol}${r.detail ? ` ${r.detail}` : ""}`;
  return `${r.protocol} ${r.port}`;
}

/** The rows a cluster takes part in (its nodes, pods, gateways or API server at either end). */
export function rowsOfCluster(m: PortMatrix, cluster: string): PortRow[] {
  const mine = (e: End) => e.cluster === cluster;
  return m.rows.filter((r) => mine(r.from) || mine(r.to));
}
