import type { Finding } from "../model/finding";
import type { Span } from "../model/text";
import type { Store } from "../model/topology";
import { cutOffVoterSites, memberGaps, type MemberGap, overlapRemedy } from "../derive/reach";
import { majority, total } from "../math/quorum";
import { listText } from "../util/strings";
import { finding, type TopologyContext } from "./context";

/**
 * quorum/member-unreachable and data/replication-unreachable: a store's members on the hosts of a
 * site without a cluster must dial its pods elsewhere, whose ranges are not routed beyond their
 * clusters (derive/reach memberGaps: the fact the port matrix's notes print too).
 */
export function reachRules(ctx: TopologyContext): Finding[] {
  const byHost = new Map<Store, Map<string, MemberGap[]>>();
  for (const g of memberGaps(ctx)) {
    const sites = byHost.get(g.store) ?? new Map<string, MemberGap[]>();
    byHost.set(g.store, sites);
    sites.set(g.hostSite, [...(sites.get(g.hostSite) ?? []), g]);
  }
  return [...byHost].flatMap(([st, sites]) =>
    [...sites].map(([host, gaps]) =>
      gaps[0].role === "member" ? memberUnreachable(ctx, st, host, gaps) : replicationUnreachable(ctx, st, host, gaps),
    ),
  );
}

/** "fra-prod 10.10.0.0/16 and lon-prod 10.11.0.0/16 at fra and lon, in tunnel mode (the ClusterMesh VXLAN overlay, Cilium's default)" */
function where(gaps: readonly MemberGap[]): string {
  const clusters = gaps.flatMap((g) => g.clusters.map((c) => `${c.name!.value} ${podRanges(c) || "(no pod range declared)"}`));
  const tunnels = new Set(gaps.map((g) => g.tunnel));
  const t = tunnels.size === 1 ? [...tunnels][0] : undefined;
  const mode =
    t === "vxlan"
      ? "in tunnel mode (the ClusterMesh VXLAN overlay, Cilium's default)"
      : t === "geneve"
        ? "in tunnel mode (the ClusterMesh Geneve overlay)"
        : t === "submariner"
          ? "behind Submariner's gateways, which carry pod traffic between clusters only"
          : "and nothing says the network routes their pod ranges beyond the clusters (most CNIs' default is an overlay)";
  return `${listText(clusters)}, ${mode}: nothing outside those clusters reaches a pod address`;
}

/** "fra (2 of 5 left) or lon (2 of 5 left)" */
const orText = (xs: readonly string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`);

const podRanges = (c: MemberGap["clusters"][number]) =>
  c.cidrs
    .filter((v) => v.field === "pods")
    .map((v) => v.value)
    .join(", ");

/** The remedy both codes share: say how the path exists (pod ranges that overlap are routed nowhere: derive/reach overlapRemedy, review M149). */
function remedy(ctx: TopologyContext, host: string, gaps: readonly MemberGap[]): string {
  const name = gaps[0].store.name!.value;
  const clusters = [...new Set(gaps.flatMap((g) => g.clusters))];
  const overlapping = overlapRemedy(ctx, host, clusters, name);
  if (overlapping) return overlapping;
  const names = clusters.map((c) => c.name!.value);
  return `Route the pod ranges to ${host} and declare it with \`network.routing: native\` on ${listText(names)} (Cilium native routing with the pod CIDRs advertised over BGP), or run the store's pods on the host network and declare \`hostNetwork: true\` on ${name} (its members then advertise their nodes' addresses, which ${host} reaches wherever the node ranges are routed).`;
}

function hostText(host: string, gaps: readonly MemberGap[]): string {
  const r = gaps[0].hostRanges;
  return `${host}'s hosts (${r.length ? r.join(", ") : "no sites[].addresses declared"}; no cluster there)`;
}

/** The member site's key in `members` (else the whole map). */
function memberKey(st: Store, host: string): Span {
  return st.members?.entries.find((e) => e.site.value === host)?.site.span ?? st.members?.keySpan ?? st.span;
}

/** quorum/member-unreachable: the voters at `host` cannot dial the pods of the other member sites. */
function memberUnreachable(ctx: TopologyContext, st: Store, host: string, gaps: readonly MemberGap[]): Finding {
  const q = ctx.quorums.find((x) => x.owner === st)!;
  const name = st.name!.value;
  const n = total(q.counts);
  const maj = majority(n);
  const mine = q.counts.get(host) ?? 0;
  const podSites = gaps.map((g) => g.podSite);
  // the host's voters are out only if they reach no other member (derive/reach: the fact the figures read)
  const cutOff = cutOffVoterSites(ctx, q).includes(host);
  const left = n - mine;
  const stops = podSites.filter((s) => left - (q.counts.get(s) ?? 0) < maj);
  const consequence = cutOff
    ? `As designed, ${host}'s ${mine} vote${mine === 1 ? "" : "s"} of ${n} never count${mine === 1 ? "s" : ""}: ${name} is the other ${left} with a majority of ${maj}${
        stops.length
          ? `, so losing ${orText(stops.map((s) => `${s} (${left - (q.counts.get(s) ?? 0)} of ${n} left)`))} stops its writes`
          : ""
      } — Quorate's availability and what-if figures count ${host}'s ${mine === 1 ? "vote" : "votes"} out until the path exists.`
    : `As designed, ${host}'s members reach only part of ${name}'s quorum: Quorate's availability and what-if figures assume they vote.`;
  return finding(
    "quorum/member-unreachable",
    memberKey(st, host),
    `store ${name}'s ${mine === 1 ? "member" : `${mine} members`} at ${host} run${mine === 1 ? "s" : ""} on ${hostText(host, gaps)} and must dial its members at ${listText(podSites)} at their pod addresses — ${where(gaps)}. ${consequence} ${remedy(ctx, host, gaps)}`,
    { related: relatedOf(gaps) },
  );
}

/** data/replication-unreachable: an async store's writer or replica at `host` cannot dial the writers' pods. */
function replicationUnreachable(ctx: TopologyContext, st: Store, host: string, gaps: readonly MemberGap[]): Finding {
  const name = st.name!.value;
  const role = gaps[0].role;
  const podSites = gaps.map((g) => g.podSite);
  const item = (role === "writer" ? st.writers : st.replicas)?.items.find((x) => x.value === host);
  return finding(
    "data/replication-unreachable",
    item?.span ?? st.span,
    `store ${name}'s ${role} at ${host} runs on ${hostText(host, gaps)} and must dial its writer${podSites.length === 1 ? "" : "s"} at ${listText(podSites)} at their pod addresses — ${where(gaps)}. As designed it cannot ${role === "writer" ? "subscribe to their changes: the sites diverge from the first write" : "stream their log: it never catches up"}, and the RPO and failover Quorate counts on it do not hold. ${remedy(ctx, host, gaps)}`,
    { related: relatedOf(gaps) },
  );
}

/** Each unrouted cluster's `pods` range (or its name), where the finding's other end is written. */
function relatedOf(gaps: readonly MemberGap[]): { span: Span; message: string }[] {
  return gaps.flatMap((g) =>
    g.clusters.map((c) => ({
      span: c.cidrs.find((v) => v.field === "pods")?.span ?? c.name!.span,
      message: `${c.name!.value}'s pod range, not routed beyond the cluster as designed`,
    })),
  );
}
