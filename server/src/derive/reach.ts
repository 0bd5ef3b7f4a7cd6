/**
 * Whether hosts outside a cluster reach its pods at their pod addresses, and which store members
 * must but cannot: one fact for the port matrix (its conditional rows and notes), the rule
 * quorum/member-unreachable, the decision record's checklist and the what-if's notes. Pure.
 *
 * A store with a `namespace` runs as pods of the clusters at each member site (at their nodes'
 * addresses with `hostNetwork: true`, which hosts reach wherever node ranges are routed); at a member site
 * with no cluster it runs on the site's hosts (`sites[].addresses`). Pods reach such hosts
 * (masqueraded as their node), but the hosts reach the pods only where the pod ranges are routed
 * beyond the clusters: in tunnel mode (Cilium's default VXLAN, Geneve, Submariner's gateways, most
 * CNIs' overlays) they are not, and a member that cannot dial its peers cannot vote or replicate.
 */
import { canonical, contains, overlaps, parseCidr } from "../math/cidr";
import { freeRangeFor } from "./cidr";
import type { Cluster, Store } from "../model/topology";
import type { Quorum, TopologyContext } from "./context";
import { listText } from "../util/strings";

/** The deployed values that decide pod routing (drift's readers: Cilium's routingMode and tunnelProtocol). */
export interface DeployedRouting {
  readonly routingMode?: { readonly value: string };
  readonly tunnelProtocol?: { readonly value: string };
}

/** How a cluster's pod range reaches beyond it. */
export interface PodRouting {
  /** the network between the sites routes the pod range */
  readonly routed: boolean;
  /** where that is said: a deployment file (wins), the design's `network.routing`, or nothing (the default: tunnel) */
  readonly said: "deployed" | "design" | "default";
  /** the overlay that carries pod traffic to other clusters, where one does */
  readonly tunnel?: "vxlan" | "geneve" | "submariner";
}

/**
 * A cluster's pod routing: a bound deployment's `routingMode` wins over the design's
 * `network.routing`; neither said, tunnel mode (Cilium's default, and no CNI routes pod ranges
 * beyond the cluster unless told to).
 */
export function podRouting(c: Cluster, deployed?: DeployedRouting): PodRouting {
  const dep = deployed?.routingMode?.value;
  const said = dep !== undefined ? "deployed" : c.routing ? "design" : "default";
  const routed = (dep ?? c.routing?.value) === "native";
  const tunnel =
    c.mesh === "clustermesh"
      ? routed
        ? undefined
        : deployed?.tunnelProtocol?.value === "geneve"
          ? "geneve"
          : "vxlan"
      : c.mesh === "submariner"
        ? "submariner"
        : undefined;
  return { routed, said, ...(tunnel ? { tunnel } : {}) };
}

/** One member site that must dial another's pods and, as designed, cannot. */
export interface MemberGap {
  readonly store: Store;
  /** the member site with no cluster: its members run on the site's hosts */
  readonly hostSite: string;
  /** the hosts' declared ranges (`sites[].addresses`), canonical; empty when none is declared */
  readonly hostRanges: string[];
  /** members there (a quorum's count; 1 for an async writer or replica) */
  readonly hostMembers: number;
  /** the member site whose members are pods */
  readonly podSite: string;
  /** its clusters whose pod ranges are not routed beyond them */
  readonly clusters: Cluster[];
  /** their pod ranges, canonical */
  readonly podRanges: string[];
  /** the overlay keeping them in, where one is known (else the CNI's: not said) */
  readonly tunnel?: PodRouting["tunnel"];
  /** what the host members are: "member" (a quorum's voter), "writer", "replica" */
  readonly role: "member" | "writer" | "replica";
}

/** Named clusters at a declared site. */
function clustersAt(ctx: TopologyContext, site: string): Cluster[] {
  return ctx.topology.clusters.filter((c) => c.name && ctx.siteOfCluster(c.name.value) === site);
}

const ranges = (xs: readonly { value: string }[]): string[] =>
  xs
    .map((x) => parseCidr(x.value))
    .filter((x) => x !== undefined)
    .map(canonical);

/**
 * Every pair of member sites of a store in a namespace where the members at a site without a
 * cluster must dial the pods at a site whose clusters' pod ranges are not routed beyond them:
 * a quorum store's members (consensus, galera: every member dials every other), an async
 * store's writers (each subscribes to the other) and replicas (each dials its writers).
 * `deployed` by cluster name (the port matrix's deployment files); without it, the design alone.
 */
export function memberGaps(ctx: TopologyContext, deployed?: ReadonlyMap<string, DeployedRouting>): MemberGap[] {
  if (!deployed) return ctx.fact(designGaps);
  return gapsOf(ctx, deployed);
}
const designGaps = (ctx: TopologyContext) => gapsOf(ctx, undefined);

function gapsOf(ctx: TopologyContext, deployed: ReadonlyMap<string, DeployedRouting> | undefined): MemberGap[] {
  const out: MemberGap[] = [];
  for (const st of ctx.topology.stores) {
    // a store on the host network is at its nodes' addresses: hosts reach those wherever nodes are routed
    if (!st.namespace || !st.name || st.hostNetwork?.value === true) continue;
    for (const [host, pods, role, members] of dialers(ctx, st)) {
      const unrouted = unroutedFrom(ctx, host, pods, deployed);
      if (!unrouted.length) continue;
      const tunnels = new Set(unrouted.map((c) => podRouting(c, deployed?.get(c.name!.value)).tunnel));
      const tunnel = tunnels.size === 1 ? [...tunnels][0] : undefined;
      out.push({
        store: st,
        hostSite: host,
        hostRanges: ranges(ctx.topology.siteByName.get(host)?.addresses?.items ?? []),
        hostMembers: members,
        podSite: pods,
        clusters: unrouted,
        podRanges: ranges(unrouted.flatMap((c) => c.cidrs.filter((v) => v.field === "pods"))),
        role,
        ...(tunnel ? { tunnel } : {}),
      });
    }
  }
  return out;
}

/**
 * The clusters at `pods` whose pod ranges members at `host` must dial and, as designed, cannot:
 * none when `host` has a cluster (its members are pods themselves) or those ranges are routed.
 */
function unroutedFrom(ctx: TopologyContext, host: string, pods: string, deployed?: ReadonlyMap<string, DeployedRouting>): Cluster[] {
  if (clustersAt(ctx, host).length) return [];
  return clustersAt(ctx, pods).filter((c) => !podRouting(c, deployed?.get(c.name!.value)).routed);
}

/** [dialling site, dialled site, role at the dialling site, members there] of one store, each pair once. */
function dialers(ctx: TopologyContext, st: Store): [string, string, MemberGap["role"], number][] {
  const declared = (xs: readonly { value: string }[]) => [...new Set(xs.map((x) => x.value))].filter((s) => ctx.topology.siteByName.has(s));
  const rep = st.replication?.value;
  if (rep === "consensus" || rep === "galera") {
    const q = ctx.quorums.find((x) => x.owner === st);
    if (!q?.resolved) return [];
    const sites = [...q.counts.keys()];
    return sites.flatMap((a) =>
      sites.filter((b) => b !== a).map((b) => [a, b, "member", q.counts.get(a)!] as [string, string, "member", number]),
    );
  }
  if (rep !== "async") return [];
  const writers = declared(st.writers?.items ?? []);
  const replicas = declared(st.replicas?.items ?? []).filter((x) => !writers.includes(x));
  return [
    ...writers.flatMap((a) => writers.filter((b) => b !== a).map((b) => [a, b, "writer", 1] as [string, string, "writer", number])),
    ...replicas.flatMap((a) => writers.map((b) => [a, b, "replica", 1] as [string, string, "replica", number])),
  ];
}

/**
 * The voters each quorum store has as designed (review M78): its members by site, with the members
 * at a site without a cluster that can dial no other member site's pods (quorum/member-unreachable)
 * at 0 — they never vote — while the majority stays the configured membership's (`total(q.counts)`:
 * the engine still counts them in its size). The one fact simulate, availability, the objectives,
 * the Tiers and the record read; a member that reaches some of the others keeps its count.
 */
export function votingCounts(ctx: TopologyContext, q: Quorum): ReadonlyMap<string, number> {
  return ctx.fact(cutOffVoters).get(q.owner)?.counts ?? q.counts;
}

/**
 * The voters of another layout of `q`'s members (a fix's target, an option the decision record
 * weighs) as designed, as votingCounts judges the design's own: the members at a site without a
 * cluster that can dial no other member site's pods never vote — another layout gives them no
 * path. The layout itself when every member votes; the design's own facts for its own counts.
 */
export function layoutVotingCounts(ctx: TopologyContext, q: Quorum, layout: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  if (layout === q.counts) return votingCounts(ctx, q);
  const st = q.owner as Store;
  if (q.kind === "etcd" || !q.resolved || !st.namespace || !st.name || st.hostNetwork?.value === true) return layout;
  const sites = [...layout].filter(([, c]) => c > 0).map(([x]) => x);
  const silent = sites.filter((h) => sites.length > 1 && sites.every((x) => x === h || unroutedFrom(ctx, h, x).length > 0));
  return silent.length ? new Map([...layout].map(([x, c]) => [x, silent.includes(x) ? 0 : c])) : layout;
}

/** The member sites of quorum `q` whose voters never count as designed (see votingCounts), in member order. */
export function cutOffVoterSites(ctx: TopologyContext, q: Quorum): string[] {
  return ctx.fact(cutOffVoters).get(q.owner)?.sites ?? [];
}

/**
 * The voters of `q` at `sites` (of cutOffVoterSites) in one clause — "fra's 1 never votes", "fra's 2
 * and ams's 1 never vote" — as simulate and the record's options say it.
 */
export function neverVoteText(q: Quorum, sites: readonly string[]): string {
  return `${listText(sites.map((x) => `${x}'s ${q.counts.get(x)}`))} never vote${sites.length === 1 && q.counts.get(sites[0]) === 1 ? "s" : ""}`;
}

/** Per store, per host site of its `role`: the sites whose pods those hosts cannot dial as designed (memberGaps). */
function undialled(ctx: TopologyContext, role: MemberGap["role"]): Map<Store, Map<string, Set<string>>> {
  const dialled = new Map<Store, Map<string, Set<string>>>();
  for (const g of memberGaps(ctx)) {
    if (g.role !== role) continue;
    const byHost = dialled.get(g.store) ?? new Map<string, Set<string>>();
    dialled.set(g.store, byHost);
    byHost.set(g.hostSite, (byHost.get(g.hostSite) ?? new Set<string>()).add(g.podSite));
  }
  return dialled;
}

function cutOffVoters(ctx: TopologyContext): Map<Quorum["owner"], { counts: Map<string, number>; sites: string[] }> {
  const dialled = undialled(ctx, "member");
  const out = new Map<Quorum["owner"], { counts: Map<string, number>; sites: string[] }>();
  for (const [owner, byHost] of dialled) {
    const q = ctx.quorums.find((x) => x.owner === owner);
    if (!q) continue;
    const others = (host: string) => [...q.counts.keys()].filter((x) => x !== host);
    const sites = [...q.counts.keys()].filter((h) => byHost.has(h) && others(h).every((x) => byHost.get(h)!.has(x)));
    if (!sites.length) continue;
    out.set(owner, { counts: new Map([...q.counts].map(([x, c]) => [x, sites.includes(x) ? 0 : c])), sites });
  }
  return out;
}

/**
 * The replica sites of an async store that cannot dial any of its writers' pods as designed
 * (data/replication-unreachable): they never catch up, so they hold no copy (review M78).
 */
export function cutOffReplicaSites(ctx: TopologyContext, st: Store): string[] {
  return ctx.fact(cutOffReplicas).get(st) ?? [];
}
function cutOffReplicas(ctx: TopologyContext): Map<Store, string[]> {
  const dialled = undialled(ctx, "replica");
  const out = new Map<Store, string[]>();
  for (const [st, byHost] of dialled) {
    const writers = (st.writers?.items ?? []).map((x) => x.value).filter((x) => ctx.topology.siteByName.has(x));
    const sites = [...byHost].filter(([, pods]) => writers.every((w) => pods.has(w))).map(([h]) => h);
    if (sites.length) out.set(st, sites);
  }
  return out;
}

/**
 * One sentence per quorum store whose voters at a site without a cluster cannot dial the others'
 * pods as designed: what every availability and what-if figure that counts their votes assumes,
 * or, where they reach none of the others (votingCounts), that the figures count them out.
 */
/** `tail` ends the sentences of votes still counted (those of voters that reach some of the others). */
export function unreachableVoteNotes(ctx: TopologyContext, counts = "this outcome counts", tail = ""): string[] {
  return ctx.fact(unreachableVotes).map((v) =>
    v.cutOff
      ? `store ${v.name}: ${v.host}'s ${v.votes} ${v.members === 1 ? "is" : "are"} not counted, for as designed ${v.members === 1 ? "it" : "they"} cannot reach ${v.name}'s members' pod addresses at ${v.list} (quorum/member-unreachable): ${v.name} is the other ${v.n - v.members} of ${v.n}, still needing ${Math.floor(v.n / 2) + 1}; ${
          v.overlapping
            ? // pod ranges that overlap are routed nowhere (review M149): the finding says what gives a path
              `their pod ranges overlap, so routing them cannot restore ${v.members === 1 ? "it" : "them"} — \`hostNetwork: true\` on ${v.name}, or renumbered pod ranges, can (quorum/member-unreachable says how)`
            : `declaring \`network.routing: native\` on those clusters (or \`hostNetwork: true\` on ${v.name}) restores ${v.members === 1 ? "it" : "them"}`
        }`
      : `store ${v.name}: ${counts} ${v.host}'s ${v.votes}, which as designed cannot reach its members' pod addresses at ${v.list} (quorum/member-unreachable); without ${v.members === 1 ? "it" : "them"} ${v.name} is the other ${v.n - v.members} of ${v.n}, still needing ${Math.floor(v.n / 2) + 1}${tail}`,
  );
}
function unreachableVotes(ctx: TopologyContext) {
  const byVoters = new Map<string, { store: Store; host: string; members: number; sites: string[]; clusters: Cluster[] }>();
  for (const g of memberGaps(ctx)) {
    if (g.role !== "member") continue;
    const key = `${g.store.index}\u0000${g.hostSite}`;
    const at = byVoters.get(key) ?? { store: g.store, host: g.hostSite, members: g.hostMembers, sites: [], clusters: [] };
    at.sites.push(g.podSite);
    at.clusters.push(...g.clusters);
    byVoters.set(key, at);
  }
  return [...byVoters.values()].map(({ store, host, members, sites, clusters }) => {
    const q = ctx.quorums.find((x) => x.owner === store)!;
    const n = [...q.counts.values()].reduce((a, b) => a + b, 0);
    const votes = `${members} vote${members === 1 ? "" : "s"}`;
    const list = sites.length === 1 ? sites[0] : `${sites.slice(0, -1).join(", ")} and ${sites[sites.length - 1]}`;
    const cutOff = cutOffVoterSites(ctx, q).includes(host);
    const overlapping = podRangeClashes(clusters).length > 0;
    return { name: store.name?.value, host, members, votes, list, n, cutOff, overlapping };
  });
}

/** Two clusters' pod ranges that overlap: identical, or one inside the other (CIDRs never overlap otherwise). */
export interface PodRangeClash {
  readonly a: Cluster;
  readonly b: Cluster;
  /** a's range and b's, canonical */
  readonly ra: string;
  readonly rb: string;
}

const parsedPods = (c: Cluster) =>
  c.cidrs
    .filter((v) => v.field === "pods")
    .map((v) => parseCidr(v.value))
    .filter((x) => x !== undefined);

/**
 * The pod ranges of `clusters` that overlap one another (review M149): Submariner Globalnet lets
 * clusters reuse a range (cidr/overlap exempts them), and so does a design that ignores
 * cidr/overlap — but no network routes one address range to two clusters, so members outside
 * them cannot be given a path to both by routing the pod ranges.
 */
export function podRangeClashes(clusters: readonly Cluster[]): PodRangeClash[] {
  const out: PodRangeClash[] = [];
  for (let i = 0; i < clusters.length; i++)
    for (let j = i + 1; j < clusters.length; j++)
      for (const x of parsedPods(clusters[i]))
        for (const y of parsedPods(clusters[j]))
          if (overlaps(x, y)) out.push({ a: clusters[i], b: clusters[j], ra: canonical(x), rb: canonical(y) });
  return out;
}

/** "fra-prod and lon-prod both use 10.10.0.0/16"; "lon-prod's 10.10.128.0/17 lies inside fra-prod's 10.10.0.0/16" */
function clashText(k: PodRangeClash): string {
  const [a, b] = [k.a.name!.value, k.b.name!.value];
  if (k.ra === k.rb) return `${a} and ${b} both use ${k.ra}`;
  const [x, y] = [parseCidr(k.ra)!, parseCidr(k.rb)!];
  return contains(x, y) ? `${b}'s ${k.rb} lies inside ${a}'s ${k.ra}` : `${a}'s ${k.ra} lies inside ${b}'s ${k.rb}`;
}

/**
 * The remedy for members at `host` that must dial the pods of `clusters` whose pod ranges overlap
 * (podRangeClashes), else undefined (the callers' own "route the pod ranges" holds). Routing is
 * no path there: a route for an address range leads to one cluster, so with identical ranges
 * `host` reaches one cluster's pods only, and with one range inside the other the inner part goes
 * to one cluster — members of the other that draw an address there are never reached. What gives
 * a path: addresses that do not overlap — one cluster's pods renumbered to a range of their own
 * (then routed), the store on the host network (its nodes' ranges, when those do not overlap), or,
 * with Globalnet, the global CIDRs: Submariner's Globalnet gives each cluster a global CIDR of its
 * own and reaches a cluster's exported Services — a headless Service's pods each at a global IP —
 * there, through its gateway, from the pods of clusters that joined the cluster set
 * (https://submariner.io/getting-started/architecture/globalnet/): a member at `host` in such a
 * cluster, never a host outside the cluster set.
 */
export function overlapRemedy(ctx: TopologyContext, host: string, clusters: readonly Cluster[], store: string): string | undefined {
  const clashes = podRangeClashes(clusters);
  if (!clashes.length) return undefined;
  const partial = clashes.find((k) => k.ra !== k.rb);
  const names = [...new Set(clashes.flatMap((k) => [k.a, k.b]))];
  const nodes = names.flatMap((c) =>
    c.cidrs
      .filter((v) => v.field === "nodes")
      .map((v) => parseCidr(v.value))
      .filter((x) => x !== undefined),
  );
  const nodesClash = nodes.some((x, i) => nodes.slice(i + 1).some((y) => overlaps(x, y)));
  const nodeRanges = nodes.map(canonical);
  const hostNet = !nodeRanges.length
    ? `run the store's pods on the host network and declare \`hostNetwork: true\` on ${store} (at their nodes' addresses, once their node ranges are declared and do not overlap)`
    : nodesClash
      ? `run the store's pods on the host network (\`hostNetwork: true\` on ${store}) once the node ranges (${listText(nodeRanges)}), which overlap too, are renumbered`
      : `run the store's pods on the host network and declare \`hostNetwork: true\` on ${store} (at their nodes' addresses: ${listText(nodeRanges)} do not overlap)`;
  const last = names[names.length - 1];
  // the block cidr/overlap's quick fix would offer that range: the lowest of its size that overlaps nothing declared
  const pods = last.cidrs.find((v) => v.field === "pods");
  const free = pods && freeRangeFor(ctx, pods.span.start);
  const options = [
    `renumber ${last.name!.value}'s pods to a range that overlaps none (${free ? `${canonical(free)} is free` : "none of the same size is free in its private block"}; then route the pod ranges to ${host} and declare \`network.routing: native\`)`,
    hostNet,
  ];
  if (names.every((c) => c.globalnet)) {
    const globals = names.map((c) => `${c.name!.value} ${c.globalCidr?.value ?? "(no network.globalCidr declared)"}`);
    options.push(
      `keep the overlap and run ${host}'s members as pods of a cluster at ${host} joined to the Submariner cluster set with Globalnet: members then reach each other at their clusters' global CIDRs (${listText(globals)}), through exported headless Services, never at pod addresses`,
    );
  }
  // with one range inside the other, the longest prefix wins: the inner range's cluster gets those addresses
  const nested =
    partial &&
    (contains(parseCidr(partial.ra)!, parseCidr(partial.rb)!)
      ? { inner: partial.b, range: partial.rb, outer: partial.a }
      : { inner: partial.a, range: partial.ra, outer: partial.b });
  const why = nested
    ? `routed, ${nested.range} goes to ${nested.inner.name!.value} (the longer prefix), so ${nested.outer.name!.value}'s members that draw an address there are never reached`
    : "a route for that range leads to one of them only";
  return `Routing the pod ranges to ${host} is no path: ${listText(clashes.map(clashText))} (${names.every((c) => c.globalnet) ? "Submariner Globalnet lets them overlap" : "quorate check: cidr/overlap"}), and no network routes one address range to two clusters — ${why}. Reach them at addresses that do not overlap: ${options.slice(0, -1).join("; ")}; or ${options[options.length - 1]}.`;
}
