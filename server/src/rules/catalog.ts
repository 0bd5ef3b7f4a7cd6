/**
 * Every rule code with its default severity and help text. Codes are public contract
 * (CLI output, SARIF, disable comments, settings): never rename or drop one.
 */
import type { Severity } from "../model/finding";

export type { Severity };

export interface RuleInfo extends RuleFlags {
  readonly code: string;
  readonly family: string;
  readonly severity: Severity;
  /** one line, shown as SARIF shortDescription */
  readonly title: string;
  /** why it matters, shown as SARIF help */
  readonly help: string;
}

/** Flags a code carries beyond its severity. */
interface RuleFlags {
  /** a finding of this code means "losing one site breaks this design" (the status bar's verdict) */
  readonly breaksSiteLoss?: true;
}

interface RuleEntry extends RuleFlags {
  readonly severity: Severity;
  readonly title: string;
  readonly help: string;
}

const SITE_LOSS: RuleFlags = { breaksSiteLoss: true };
const r = (severity: Severity, title: string, help: string, flags: RuleFlags = {}): RuleEntry => ({ severity, title, help, ...flags });

/** Every code, by name: `RuleCode` is its keys, so a finding of a code not listed here is a build error. */
const CATALOG = {
  "yaml/syntax": r("error", "The YAML does not parse", "A document with a syntax error gets no other finding until it parses."),
  "yaml/duplicate-key": r("error", "A mapping repeats a key", "YAML 1.2 forbids duplicate keys; tools disagree on which value wins."),
  "yaml/aliases": r(
    "error",
    "Too many alias expansions",
    "The document expands YAML aliases past the safety limit (a billion-laughs shape), or an alias sits inside the node its anchor names (a document that contains itself without end); it is not analysed.",
  ),
  "yaml/too-deep": r(
    "error",
    "YAML nested past the depth limit",
    "Nesting past 100 levels (indentation, compact `- ` and flow brackets) is refused before parsing with one finding, so the result never depends on the parser's stack; a topology needs about six.",
  ),
  "value/too-large": r(
    "error",
    "A number too large to hold exactly",
    "Numbers past 2^53 − 1 (9007199254740991) lose their exact value in JSON and YAML tools; Quorate reports them and computes nothing from them (a quorum with such a member count gets no quorum or RTT finding). YAML's `.nan` and `.inf` too, said as what they are (no design value is one), in place of the schema's bounds.",
  ),
  schema: r(
    "error",
    "The document breaks the topology schema",
    "Structure, types and enum values are checked against schemas/topology.schema.json.",
  ),
  "ref/unknown": r(
    "error",
    "A reference names an undeclared entity",
    "Every site, cluster and store reference must name a declared entity. A reference that does not resolve feeds no other rule.",
  ),
  "ref/duplicate-name": r(
    "error",
    "A name repeats within its list",
    "Names are unique within sites, clusters, stores and traffic; references resolve to the first.",
  ),

  "quorum/even-members": r(
    "warning",
    "Even number of quorum members",
    "An even member count tolerates no more failures than one member fewer, and adds a way to split evenly.",
  ),
  "quorum/too-many-members": r(
    "warning",
    "More than seven quorum members",
    "Write cost grows with every member while tolerance barely does (etcd FAQ recommends 3, 5 or 7).",
  ),
  "quorum/no-fault-tolerance": r("warning", "Fewer than three quorum members", "With one or two members, losing any member stops writes."),
  "quorum/two-site-split": r(
    "error",
    "Quorum members in exactly two sites",
    "Two sites cannot host a quorum that survives either site: 2+2 freezes on a partition, 3+2 dies with the larger site. Add a witness site.",
    SITE_LOSS,
  ),
  "quorum/site-loss": r(
    "error",
    "Losing one site loses the quorum",
    "Some single-site loss leaves fewer members than a majority.",
    SITE_LOSS,
  ),
  "quorum/member-unreachable": r(
    "warning",
    "A quorum member cannot dial the others' pods",
    "A store in a namespace runs as pods of the clusters at its member sites and on the hosts (`sites[].addresses`) of a member site without a cluster. Those hosts must dial the other members at their pod addresses, and in tunnel mode (Cilium's default VXLAN, Geneve, Submariner's gateways, most CNIs' overlays) nothing outside a cluster reaches a pod address: the member there cannot vote, so the quorum is the others alone (the majority still of the configured size): where it reaches none of the other member sites, every availability and what-if figure, objective and Tier leaves its vote out. Say how the path exists: `network.routing: native` on the clusters whose pod ranges the network routes to that site (Cilium native routing with BGP-advertised pod CIDRs), or `hostNetwork: true` on the store (its pods at their nodes' addresses, which the site reaches wherever node ranges are routed). Pod ranges that overlap (Submariner Globalnet lets clusters reuse one) cannot be routed to one site — a route leads to one cluster only: renumber one, use the host network, or, with Globalnet, run that site's member in a cluster joined with Globalnet, which reaches the others at their global CIDRs.",
  ),
  "quorum/partition": r(
    "warning",
    "A partition leaves no side with a majority",
    "Some split of the member sites into two groups leaves neither a majority, so writes stop on both sides.",
  ),

  "quorum/control-plane-elsewhere": r(
    "information",
    "A cluster's etcd sits wholly at other sites",
    "A cluster whose etcd has no member at its own site (a control plane hosted in another datacenter, edge workers whose servers run elsewhere) keeps its running pods when it loses that control plane, but has no API: nothing is scaled, rolled out or rescheduled. Its API lives with the etcd's sites and the links to them, and losing those sites loses the etcd's data with them. Quorate judges both in simulate and availability; this says it where the design is written.",
  ),

  "rtt/missing-link": r(
    "warning",
    "No RTT declared between two member sites",
    "Timers and commit latency are computed from declared links only; declare the link.",
  ),
  "rtt/below-fiber-floor": r(
    "error",
    "RTT faster than light in fiber",
    "Light in fiber covers about 200 km per ms, so a round trip costs at least 1 ms per 100 km of great-circle distance.",
  ),
  "rtt/p99-below-typical": r("error", "p99 RTT below the typical RTT", "A worst-case RTT cannot be smaller than the typical one."),
  "rtt/heartbeat-below-rtt": r(
    "warning",
    "etcd heartbeat below the WAN RTT",
    "A heartbeat interval shorter than the largest RTT between members sends heartbeats faster than a round trip returns them: more CPU and network use with no faster failure detection. etcd's tuning guide sets it around the RTT between members; elections follow the election timeout, not the heartbeat.",
  ),
  "rtt/election-timeout-low": r(
    "error",
    "etcd election timeout too low",
    "The election timeout must be at least 10x the largest member RTT and at least 5x the heartbeat (etcd refuses to start below 5x).",
  ),
  "rtt/election-heartbeat-ratio": r(
    "warning",
    "Election timeout below 10x heartbeat",
    "etcd recommends an election timeout of about 10x the heartbeat interval.",
  ),
  "rtt/election-timeout-max": r("error", "Election timeout above 50000 ms", "etcd rejects an election timeout above 50 s."),
  "rtt/excursion": r(
    "warning",
    "Latency excursions can trigger elections",
    "A member link's p99 RTT times 10 exceeds the election timeout: a latency excursion can cause leader elections.",
  ),
  "rtt/galera-wan": r(
    "warning",
    "Galera stretched over a WAN",
    "A Galera commit waits one round trip from the writing node to the farthest member; over a WAN, a member that falls behind applying write-sets triggers flow control, which pauses writes on every node. The limit is quorate.galeraMaxRttMs (default 5 ms), Quorate's setting, not Galera's.",
  ),
  "rtt/commit-budget": r(
    "error",
    "Commit latency above the write budget",
    "The best-case commit latency exceeds writeLatencyBudgetMs: for consensus the RTT to the member that completes the majority from the best leader site, for Galera the RTT to the farthest member from the best site to write from.",
  ),
  "rtt/write-budget": r(
    "error",
    "Writes above the write budget wherever the leader is",
    "The commit alone fits writeLatencyBudgetMs, but the application's writes do not: a write from a site without the leader pays the round trip to the leader plus its commit (as quorate simulate judges it), and no leader placement keeps the write from every writing site — the backends of the traffic entries that depend on the store, else its non-witness member sites — within the budget. Galera: a site's node waits one round trip to its farthest member. Not reported when rtt/commit-budget already is.",
  ),

  "cidr/invalid": r("error", "Not an IPv4/IPv6 prefix", "Address ranges are written in CIDR form: 10.0.0.0/16 or fd00::/64."),
  "cidr/host-bits": r(
    "warning",
    "Host bits set in a CIDR",
    "The address has bits set past the prefix length; the range is its masked network.",
  ),
  "cidr/service-range-too-large": r(
    "warning",
    "Service range larger than kube-apiserver before 1.34 accepts",
    "kube-apiserver before 1.34 refuses to start with a service CIDR shorter than /12 (IPv4) or /108 (IPv6). From 1.34 it skips that check when MultiCIDRServiceAllocator (GA in 1.33) and DisableAllocatorDualWrite (GA and on by default in 1.34, locked on in 1.35) are both enabled: the ServiceCIDR allocator takes any size. A warning, since the design does not say which version its clusters run.",
  ),
  "cidr/overlap": r(
    "error",
    "Address ranges overlap",
    "Pod, Service and Node ranges must not overlap within a cluster or between connected clusters (unless both use Submariner Globalnet).",
  ),

  "mesh/cluster-name": r(
    "error",
    "Invalid ClusterMesh cluster name",
    "Cilium ClusterMesh names must be at most 32 characters, lowercase alphanumerics and '-', and not 'default'.",
  ),
  "mesh/cluster-id-range": r(
    "error",
    "ClusterMesh cluster id out of range",
    "Each ClusterMesh cluster needs a unique id in 1..255 (1..511 with maxConnectedClusters 511).",
  ),
  "mesh/cluster-id-duplicate": r(
    "error",
    "Duplicate ClusterMesh cluster id",
    "Two clusters with the same id produce colliding security identities.",
  ),
  "mesh/max-connected-mismatch": r(
    "error",
    "ClusterMesh clusters disagree on maxConnectedClusters",
    "maxConnectedClusters (255 or 511) is set at install and must be the same on every cluster of the mesh.",
  ),

  "istio/root-mismatch": r(
    "error",
    "Istio clusters of one mesh use different root CAs",
    "mTLS between clusters with different roots fails with CERTIFICATE_VERIFY_FAILED.",
  ),
  "istio/cluster-name-duplicate": r(
    "error",
    "Two clusters of one Istio mesh share a cluster name",
    "Istio keys endpoints and secrets by cluster name; duplicates shadow each other.",
  ),
  "istio/remote-without-primary": r(
    "error",
    "Istio remote without a primary",
    "A remote cluster needs a primary of the same mesh whose istiod serves it.",
  ),
  "istio/network-without-gateway": r(
    "error",
    "Multi-network Istio cluster without an east-west gateway",
    "Calls from other networks to a cluster's pods enter only through its east-west gateway, and remotes on other networks reach their primary's istiod only through the primary's.",
  ),
  "istio/network-not-routable": r(
    "error",
    "One Istio network across unrouted sites",
    "Clusters on one Istio network must have directly routable pod IPs (ClusterMesh or Submariner on both).",
  ),
  "istio/remote-primary-site-loss": r(
    "warning",
    "Istio remote depends on a primary in another site",
    "Losing the primary's site stops config pushes, sidecar injection and certificate issuance for the remote.",
    SITE_LOSS,
  ),

  "linkerd/trust-anchor-mismatch": r(
    "error",
    "Linked Linkerd clusters trust different anchors",
    "Cross-cluster mTLS needs a shared trust anchor.",
  ),
  "linkerd/trust-domain": r(
    "information",
    "Linkerd trust domain differs from the cluster domain",
    "Linkerd issues workload identities under identityTrustDomain and DNS names under clusterDomain; they may differ. A Link from another cluster must then build this cluster's gateway identity from the trust domain, or mTLS to the gateway fails.",
  ),
  "linkerd/gateway-missing": r(
    "error",
    "Gateway-mode link to a cluster without a gateway",
    "A gateway-mode link sends traffic through the target's linkerd-multicluster gateway (4143).",
  ),
  "linkerd/flat-not-routable": r(
    "error",
    "Flat Linkerd link over unrouted pod networks",
    "Flat and federated modes need pod-to-pod reachability between the clusters.",
  ),
  "linkerd/mirror-name-too-long": r(
    "error",
    "Mirrored Service name longer than 63 characters",
    "Linkerd mirrors a Service as <service>-<target cluster>, which must fit a Kubernetes name.",
  ),

  "submariner/broker-undeclared": r(
    "information",
    "Submariner cluster set without a declared Broker",
    "Every Submariner cluster set has a Broker: a Kubernetes API (on a joined cluster or a separate management cluster) that every joined cluster reaches to exchange Cluster and Endpoint records, and Lighthouse the ServiceImports and EndpointSlices of exported Services. Losing it does not cut the tunnels already up, but nothing changes (gateway failover, endpoints, new exports, joins) until it returns. Mark its cluster with `broker: true` so the port matrix and the what-if can account for it.",
  ),

  "data/multi-writer-without-conflict-policy": r(
    "error",
    "Writers in several sites with no conflict policy",
    "Concurrent writes in two sites conflict; choose how conflicts resolve or keep one writer. A `replication: crdt` store merges them by construction: it is reported only with an explicit `conflictResolution: none`.",
  ),
  "data/single-primary-writers": r(
    "warning",
    "Several writers on a single-primary engine",
    "PostgreSQL, MySQL and MariaDB replication takes writes on one primary. Writers in several sites need a multi-master layer: for PostgreSQL EDB Postgres Distributed (BDR) or pgEdge, whose default keeps the last update of a row (a CRDT merge holds only for columns declared as CRDTs); for MySQL and MariaDB Galera (`replication: galera`) or Group Replication in multi-primary mode, which certify each commit across sites. An `engine` that names such a layer (postgres-bdr, pgedge, mariadb-galera) is not flagged.",
  ),
  "data/replication-unreachable": r(
    "warning",
    "An async writer or replica cannot dial the writers' pods",
    "An async store in a namespace runs as pods of the clusters at its writer and replica sites, and on the hosts (`sites[].addresses`) of such a site without a cluster. A replica dials its writers, and each writer subscribes to the others, at their pod addresses: in tunnel mode (Cilium's default VXLAN, Geneve, Submariner's gateways, most CNIs' overlays) nothing outside a cluster reaches them, so that host never replicates and the RPO counted on it does not hold: a replica that reaches none of its writers holds no copy in any figure. Say how the path exists: `network.routing: native` on the clusters whose pod ranges the network routes there, or `hostNetwork: true` on the store (its pods at their nodes' addresses, which the site reaches wherever node ranges are routed). Pod ranges that overlap (Submariner Globalnet lets clusters reuse one) cannot be routed to one site — a route leads to one cluster only: renumber one, use the host network, or, with Globalnet, run that site's member in a cluster joined with Globalnet, which reaches the others at their global CIDRs.",
  ),
  "data/lag-buffer": r(
    "error",
    "Replication lag does not fit the buffer",
    "maxLagSeconds x writeRatePerSecond x writeBytes must fit in lagBufferBytes.",
  ),
  "traffic/fake-active-active": r(
    "warning",
    "Active-active compute on single-site state",
    "Backends serve from several sites but a store they need takes writes in one site: global routing is not global consensus.",
  ),
  "traffic/ttl": r("information", "DNS TTL outside 30..120 s", "Short TTLs are often ignored by resolvers; long ones slow failover."),
  "traffic/anycast-long-lived": r(
    "warning",
    "Anycast with long-lived connections",
    "A routing change moves packets of open connections to another site, which resets them.",
  ),
  "traffic/ignored-field": r(
    "warning",
    "A healthCheck field this steering never reads",
    "bgpHoldSeconds, bfd and withdrawSeconds describe how a site's BGP route goes away: only anycast has one. A DNS-steered entry (gslb, geodns, weighted-dns) leaves a lost site when the health check fails it and cached answers expire (interval × failures + timeout + propagation + TTL), whatever they say. propagationSeconds is DNS's term, which anycast never uses, and so is ttlSeconds: every anycast site announces the same address, so no cached answer points at a lost site and no TTL bounds failover. Whoever wrote the field believes it shortens (or lengthens) failover; it changes no figure. The fix removes it.",
  ),
  "capacity/overload": r("error", "Backend overloaded with every site up", "The backend's share of peakRps exceeds its capacityRps."),
  "capacity/site-loss": r(
    "error",
    "Backend overloaded after a site loss",
    "After losing a site, the surviving backends' shares of peakRps exceed their capacity. Under gslb and weighted-dns the lost share is split by weight; under anycast (BGP moves a lost catchment to its next-best origin) and geodns (a failed region goes to its fallback) it may land whole on any one survivor, so each needs its own share plus the whole lost share.",
    SITE_LOSS,
  ),

  "objective/availability": r(
    "error",
    "Computed availability below the objective",
    "The availability computed from the declared site and link availabilities (independent failures: an upper bound) is below objectives.availability. The message gives both in nines and minutes a year, and the most likely cut set.",
  ),
  "objective/rpo": r(
    "error",
    "RPO above the objective",
    "An async or crdt store can lose up to maxLagSeconds of acknowledged writes with a site (unbounded when the lag buffer cannot hold that tail); that is above objectives.rpoSeconds.",
  ),
  "objective/rto": r(
    "error",
    "RTO estimate above the objective",
    "Health-check detection plus TTL (DNS steering) or BGP withdrawal (anycast) is longer than objectives.rtoSeconds; clients that ignore TTLs take longer still. Or, whatever the steering time, some single-site loss leaves the clients on backends that do not serve them — they cannot write to a store they depend on (every request a 502), are over their capacity, or none is left: a failover that lands there recovers nothing.",
  ),
  "objective/conflicts": r(
    "error",
    "Conflict probability above the objective",
    "Writer sites of a multi-writer store are unable to reach each other for more of the time than objectives.conflictProbability (a lower bound on conflict exposure).",
  ),
  "objective/survive": r(
    "error",
    "A declared survival goal fails",
    "Some scenario of a class in objectives.survive (site, two-sites, partition) stops writes, corrupts data or leaves the entry point down; the first failing scenario is named.",
  ),
  "objective/unmeasurable": r(
    "warning",
    "An objective the design cannot measure",
    "An objective needs data the design lacks: an availability on some site or link, a healthCheck (and a TTL for DNS steering) for an RTO, maxLagSeconds for an RPO. The message says what to add.",
  ),
  "objective/conditional": r(
    "information",
    "Objective met only on a condition the design can settle",
    "The objective is met on what the design declares, but only on a condition a field would settle: an anycast rtoSeconds holds for a site that withdraws its route, and on a whole-site loss only if the upstream's BGP hold time (or BFD) keeps it within the objective; declare healthCheck.bgpHoldSeconds or healthCheck.bfd to compute it; an availability holds only with CockroachDB's follower relay (24.1 and later) while the store's engine names no version — write it in engine (cockroachdb 24.1). Conditions inherent to a figure (an RPO while a majority survives) are stated in the outputs, not reported.",
  ),

  "export/system-namespace": r(
    "error",
    "Service exported from a system namespace",
    "Exporting kube-system, kube-public or kube-node-lease Services clusterset-wide exposes the control plane.",
  ),
  "export/default-namespace": r(
    "warning",
    "Service exported from the default namespace",
    "The MCS KEP asks admins to be especially careful with the default namespace.",
  ),
  "export/namespace-not-allowed": r(
    "error",
    "Export outside the allowed namespaces",
    "exportPolicy.allowedNamespaces does not list this namespace.",
  ),
  "export/cluster-without-mesh": r(
    "warning",
    "Export from a cluster with no cross-cluster network",
    "A cluster with mesh none cannot serve an exported Service to other clusters (a member of a multi-network Istio mesh with an east-west gateway is not warned: the gateway serves its Services to the mesh).",
  ),
  "export/remote-endpoints-kept": r(
    "warning",
    "Calls keep going to a lost site's endpoints",
    "A ClusterMesh global Service served from two or more sites without affinity: local: Cilium keeps a lost or cut-off cluster's endpoints (clustermesh-cache-ttl is 0 by default) and does not health-check them, so each single-site loss sends the other clusters' share of calls into a timeout.",
  ),
  "rbac/broad-exporter": r(
    "error",
    "Anyone may export Services",
    "A binding grants ServiceExport creation to a broad subject (all authenticated users, all service accounts, '*').",
  ),
  "rbac/unlisted-exporter": r(
    "warning",
    "Exporter not on the export policy",
    "A binding grants ServiceExport creation to a subject that exportPolicy.exporters does not list.",
  ),
  "rbac/cluster-wide-export": r(
    "warning",
    "Export allowed in every namespace",
    "A ClusterRoleBinding lets its subjects export Services from every namespace, kube-system included.",
  ),

  "drift/missing-file": r(
    "error",
    "A deployment entry matches no file",
    "A cluster's `deployment` names a path or glob relative to the topology; nothing there can be compared.",
  ),
  "drift/outside-repository": r(
    "error",
    "A deployment entry reaches outside the repository",
    "Bound files are read only inside the workspace folder (editor) or the repository (CLI: the git top level, else the topology's folder), as regular files after resolving symbolic links: an entry that resolves outside through `..`, an absolute path or a symbolic link, or to a FIFO, a device or a folder's link, is not read, and nothing from it is printed.",
  ),
  "drift/pattern-too-broad": r(
    "warning",
    "A deployment glob is past the expansion bounds",
    "A glob may expand its braces to at most 64 patterns, visit at most 2000 folders in 2 s and bind at most 200 files; past that it is not expanded (nothing is read from it), so one entry cannot walk the disk on every keystroke.",
  ),
  "drift/unrecognized": r(
    "warning",
    "A bound file is no deployment kind Quorate reads",
    "Cilium, Istio, Linkerd and Submariner Helm values, IstioOperator, Linkerd Link, kubeadm ClusterConfiguration and k3s/RKE2 configs are read; name the kind with `{ path, kind }` where the content does not say.",
  ),
  "drift/cluster-identity": r(
    "error",
    "The deployed cluster name, id or mesh peers differ from the design",
    "Two clusters with one ClusterMesh id, or a Submariner cluster id that is not the design's, break cross-cluster routing (cilium/cilium#32753).",
  ),
  "drift/cidr": r(
    "error",
    "Deployed pod or service ranges differ from the design",
    "The design's CIDR checks only hold for the ranges actually deployed (submariner-io/submariner#545).",
  ),
  "drift/routing": r(
    "error",
    "The deployed pod routing differs from the design's network.routing",
    "Cilium's routingMode (or the older tunnel: disabled) decides whether anything outside the cluster reaches a pod address: a design that routes its pod ranges to a witness's store member, deployed in tunnel mode (Cilium's default), leaves that member unable to vote (quorum/member-unreachable).",
  ),
  "drift/etcd-timers": r(
    "error",
    "Deployed etcd timers differ from the design",
    "Timers sized for the WAN in the design do nothing if the deployment leaves etcd at its defaults (etcd-io/etcd#846).",
  ),
  "drift/istio": r(
    "error",
    "Deployed Istio mesh, cluster name, network or role differ from the design",
    "Two clusters labelled with one network, or a wrong mesh id, break multicluster discovery and routing (istio/istio#39712).",
  ),
  "drift/linkerd": r(
    "error",
    "Deployed Linkerd domains, gateway or links differ from the design",
    "A cluster-domain mismatch breaks the gateway identity (linkerd/linkerd2#9044); a Link the design does not show mirrors Services nobody reviewed.",
  ),
  "drift/trust-anchor": r(
    "error",
    "Linked clusters' deployed trust anchors share no certificate",
    "Linked Linkerd clusters need one trust anchor in common; `linkerd multicluster check` does not compare them (linkerd/linkerd2#11668).",
  ),
  "drift/unreadable-anchor": r(
    "error",
    "A deployed trust-anchor bundle does not parse",
    "identityTrustAnchorsPEM must hold PEM X.509 certificates; one that does not parse cannot anchor any identity.",
  ),

  "quorate/internal-error": r(
    "error",
    "A rule failed",
    "A rule threw on this input; the other rules still report. Please file a bug with the file.",
  ),
  "quorate/too-large": r(
    "warning",
    "File too large for live analysis",
    "Past the configured size limit the file is not analysed while typing.",
  ),
  "quorate/more-findings": r(
    "information",
    "More findings than the editor is sent",
    "The editor is sent at most quorate.maxDiagnostics diagnostics a file (VS Code shows no more than 1,000): errors first, then warnings, information and hints. This one counts the rest by code; `quorate check` reports every finding.",
  ),
} as const satisfies Record<string, RuleEntry>;

/** A rule code the catalog lists (the only codes a finding can carry). */
export type RuleCode = keyof typeof CATALOG;

export const RULES: readonly RuleInfo[] = Object.entries(CATALOG).map(([code, e]) => ({ code, family: code.split("/")[0], ...e }));
const byCode = new Map(RULES.map((x) => [x.code, x]));

export function ruleInfo(code: string): RuleInfo | undefined {
  return byCode.get(code);
}

/** Whether `code` is one the catalog lists (settings and disable comments name codes as text). */
export function isRuleCode(code: string): code is RuleCode {
  return byCode.has(code);
}

/** A listed code's default severity. An unlisted one is a programming error: it throws, loudly, rather than guess. */
export function defaultSeverity(code: RuleCode): Severity {
  const info = byCode.get(code);
  if (!info) throw new Error(`rule code ${code} is not in rules/catalog.ts: add it there (severity, title, help)`);
  return info.severity;
}
