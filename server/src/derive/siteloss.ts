/**
 * Site-loss survival of a membership: the one implementation behind quorum/site-loss, the
 * quorum fixes, the hover and the decision record's checklist. Pure.
 */
import type { Cluster, Store } from "../model/topology";
import { majority, memberSites, siteLosses, total, type MemberMap, type SiteLoss } from "../math/quorum";
import { cutOffReplicaSites, votingCounts } from "./reach";
import { listText } from "../util/strings";
import type { Quorum, TopologyContext } from "./context";

/**
 * The site a cluster's etcd lives for: its cluster's site (availability/lean's `home` is the same).
 * A cluster runs at one site, so losing that site loses the cluster itself, whatever its etcd
 * does: that loss is not a failure of the etcd (a federated etcd dies with it too), only the
 * losses of other sites are. Undefined for stores and for a cluster with no declared site.
 */
export function homeSite(ctx: TopologyContext, q: Quorum): string | undefined {
  if (q.kind !== "etcd") return undefined;
  const name = (q.owner as Cluster).name?.value;
  return name !== undefined ? ctx.siteOfCluster(name) : undefined;
}

/**
 * Whether an etcd that no member site can lead is lost with its cluster rather than stopped: the
 * cluster's own site is lost (the cluster goes with it, whatever its etcd does), or, for a cluster
 * with no declared site, every member is. A cluster that is still up while its whole etcd sat at
 * lost sites (a control plane hosted at another site) has lost its API: that etcd stops.
 * The one decision behind the what-if engine and the availability enumeration.
 */
export function etcdLostWithCluster(homeLost: boolean | undefined, everyMemberLost: boolean): boolean {
  return homeLost ?? everyMemberLost;
}

/**
 * Why an etcd is `lost` with its cluster's site (whatif.md), in the words the what-if engine's
 * sentences and the hovers share (review M150), from its member sites and which are lost. Every
 * member at one site: a federated, per-cluster control plane, gone with its site by design — it
 * serves that cluster alone, so no other cluster's control plane depends on it (a federated design
 * is never "down" as a whole). A stretched one with members left elsewhere is short of a majority,
 * which harms nothing while the cluster it serves is gone; with none left, every member site is lost.
 */
export function lostEtcdWhy(memberSites: readonly string[], lost: (site: string) => boolean): string {
  if (memberSites.length === 1)
    return "a federated (per-cluster) control plane goes with its site by design; it serves that cluster alone, so no other cluster's control plane depends on it";
  return memberSites.every(lost)
    ? `every member site (${listText([...memberSites])}) is lost with it`
    : "the members left elsewhere are short of a majority, which harms nothing while the cluster they serve is gone";
}

/** What a single-site loss does to a quorum, in the what-if engine's outcome words (whatif.md). */
export type SiteLossOutcome = "continues" | "stops" | "lost";

/**
 * The outcome of losing `l.site` for quorum `q` (its voters as designed: votingLosses), as the
 * what-if engine and the availability enumeration decide it (etcdLostWithCluster): a majority left
 * `continues`; none, for an etcd whose cluster runs at the lost site (or, without a site, with
 * every member there), `lost` with the cluster; otherwise `stops`. The hovers read this (review
 * M150), so they never call a federated etcd that goes with its site "stopped".
 */
export function siteLossOutcome(ctx: TopologyContext, q: Quorum, l: SiteLoss): SiteLossOutcome {
  if (l.survives) return "continues";
  if (q.kind !== "etcd") return "stops";
  const home = homeSite(ctx, q);
  const everyMember = memberSites(q.counts).every((x) => x === l.site);
  return etcdLostWithCluster(home === undefined ? undefined : home === l.site, everyMember) ? "lost" : "stops";
}

/**
 * The site hover's verdict on losing `l.site` (siteLossOutcome, in the engine's words): a
 * majority left continues — with its cluster gone when that runs there; no majority stops
 * writes; an etcd lost with its cluster says why (lostEtcdWhy). Plain text, starting with the outcome word.
 */
export function siteLossVerdict(ctx: TopologyContext, q: Quorum, l: SiteLoss): string {
  const outcome = siteLossOutcome(ctx, q, l);
  const cluster = q.kind === "etcd" ? ((q.owner as Cluster).name?.value ?? "its cluster") : undefined;
  const here = homeSite(ctx, q) === l.site;
  if (outcome === "continues")
    return here ? `continues (a majority is left), but ${cluster} runs here and is lost with it: nothing runs under it` : "continues";
  if (outcome === "stops")
    return `stops: no majority is left${cluster ? ` — ${cluster}'s API takes no writes (no scaling, rollouts or rescheduling) while its pods keep serving` : ", writes stop"}`;
  return `lost with ${cluster}${here ? ", which runs here" : ""}: ${lostEtcdWhy(memberSites(q.counts), (x) => x === l.site)}`;
}

/** The single-site losses that stop a quorum while what it serves still runs: every fatal one but its home site's (see homeSite). */
export function harmfulSiteLosses(counts: MemberMap, home?: string, n?: number): SiteLoss[] {
  return siteLosses(counts, n).filter((l) => !l.survives && l.site !== home);
}

/**
 * harmfulSiteLosses of the quorum as designed: its voters (derive/reach votingCounts — members
 * that can dial none of the others never vote) against the majority of its configured size.
 */
export function votingSiteLosses(ctx: TopologyContext, q: Quorum, home?: string): SiteLoss[] {
  return harmfulSiteLosses(votingCounts(ctx, q), home, total(q.counts));
}

/**
 * Each member site's loss of quorum `q` as designed: its configured members lost, the voters left
 * (derive/reach votingCounts: members that can dial none of the others never vote) against the
 * majority of its configured size — the one table quorum/site-loss, the record's arithmetic and
 * the hovers read. siteLosses(q.counts) when every member votes.
 */
export function votingLosses(ctx: TopologyContext, q: Quorum): SiteLoss[] {
  const voting = votingCounts(ctx, q);
  const maj = majority(total(q.counts));
  const voters = total(voting);
  return memberSites(q.counts).map((site) => {
    const left = voters - (voting.get(site) ?? 0);
    return { site, lost: q.counts.get(site) ?? 0, survivors: left, majority: maj, survives: left >= maj };
  });
}

/** Whether every single-site loss of this membership leaves a majority. */
export function survivesEverySiteLoss(counts: MemberMap): boolean {
  return counts.size >= 2 && siteLosses(counts).every((l) => l.survives);
}

/** The quorum error codes a membership would get (two-site-split, site-loss), `home` as in homeSite. */
export function quorumErrors(counts: MemberMap, home?: string): Set<string> {
  const out = new Set<string>();
  const sites = [...counts.values()].filter((c) => c > 0).length;
  if (sites === 2) out.add("quorum/two-site-split");
  if (sites >= 3 && harmfulSiteLosses(counts, home).length) out.add("quorum/site-loss");
  return out;
}

/** The quorums whose arithmetic is judged: every member site declared, every count exact, at least one member site. */
export function judgedQuorums(ctx: TopologyContext): Quorum[] {
  return ctx.fact(judged);
}
const judged = (ctx: TopologyContext) => ctx.quorums.filter((q) => q.resolved && q.counts.size);

/** Every single-site loss that stops a quorum's writes while what it serves still runs, quorum by quorum. */
export function fatalSiteLosses(ctx: TopologyContext): { quorum: Quorum; loss: SiteLoss }[] {
  return ctx.fact(fatal);
}
const fatal = (ctx: TopologyContext) =>
  judgedQuorums(ctx).flatMap((quorum) => harmfulSiteLosses(quorum.counts, homeSite(ctx, quorum)).map((loss) => ({ quorum, loss })));

/**
 * The declared sites holding a copy of an async or crdt store: its writers, then its replicas
 * (each once). Losing all of them loses the data itself, not only the unreplicated tail.
 */
export function copySites(ctx: TopologyContext, st: Store): string[] {
  const out: string[] = [];
  // a replica that can dial none of its writers as designed never catches up: no copy (data/replication-unreachable, review M78)
  const cut = cutOffReplicaSites(ctx, st);
  for (const x of [...(st.writers?.items ?? []), ...(st.replicas?.items ?? [])])
    if (ctx.topology.siteByName.has(x.value) && !out.includes(x.value) && !cut.includes(x.value)) out.push(x.value);
  return out;
}

/**
 * Whether losing `lost` takes every copy of the store (review M50): then what survives is the
 * last backup, so the RPO is that backup's age (the design declares no backups), not the
 * replication lag — the one fact simulate, the diff and the record read.
 */
export function everyCopyLost(ctx: TopologyContext, st: Store, lost: ReadonlySet<string>): boolean {
  const copies = copySites(ctx, st);
  return copies.length > 0 && copies.every((x) => lost.has(x));
}

/**
 * The one site that holds every copy of a store, if there is one: its async/crdt writers and
 * replicas, or its quorum's members, all at one site. Losing that site leaves only backups, so
 * no replication setting bounds the store's RPO against a site loss (review M50): availability's
 * RPO, the Tiers row and objective/rpo say so.
 */
export function soleCopySite(ctx: TopologyContext, st: Store): string | undefined {
  const rep = st.replication?.value;
  const sites =
    rep === "consensus" || rep === "galera"
      ? [...(ctx.quorumOf(st)?.counts.keys() ?? [])]
      : rep === "async" || rep === "crdt"
        ? copySites(ctx, st)
        : [];
  return sites.length === 1 ? sites[0] : undefined;
}

/**
 * The RPO of a store whose every copy is at `site`, in the words availability, the Tiers and
 * objective/rpo share — `cut`, the replicas declared elsewhere that never catch up as designed
 * (cutOffReplicaSites, review M78), named in each of them.
 */
export function soleCopyRpoText(site: string, cut: readonly string[]): string {
  const unreached = cut.length
    ? ` (the replica${cut.length === 1 ? "" : "s"} at ${listText(cut)} cannot dial ${site}'s pods as designed and never ${cut.length === 1 ? "catches" : "catch"} up: data/replication-unreachable)`
    : "";
  return `unbounded: every copy is at ${site}${unreached}, so losing ${site} leaves only backups — the RPO is the last restorable backup's age`;
}

/** What a loss of every copy loses, in the words simulate and the record share. */
export function everyCopyLostText(copies: readonly string[]): string {
  return `every copy is lost (${copies.length === 1 ? `all at ${copies[0]}` : `at ${listText(copies)}`}, none elsewhere): only backups remain, so everything written since the last restorable backup is lost — the RPO is that backup's age, not the replication lag`;
}

/** "2 of 5 members at fra, the minority" — or, at exactly half, short of the majority (record and hover, review M125). */
export function minorityText(here: number, n: number, site: string): string {
  return `${here} of ${n} members at ${site}, ${2 * here < n ? "the minority" : `short of the majority of ${majority(n)}`}`;
}
