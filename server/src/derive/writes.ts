/**
 * What an application's write to a consensus or Galera store waits for: the round trip from the
 * client's site to the leader (or through a relay) plus the leader's commit. The one
 * implementation the what-if engine (QuorumResult.writesFrom, BackendResult.writeLatencyMs), the
 * rules (rtt/write-budget), the record and the fixes read. Pure.
 */
import { memberSites } from "../math/quorum";
import type { Cluster, Store, Traffic } from "../model/topology";
import type { Quorum, TopologyContext } from "./context";
import {
  bestCommit,
  designedVoters,
  galeraCommit,
  leaderCommit,
  type LatencyOptions,
  relaysThroughFollowers,
  writeBudget,
} from "./latency";
import { controlPlaneOf } from "./controlplane";
import { loadBackends } from "./loads";
import { ms } from "../util/format";
import { listText } from "../util/strings";

/** A placement of a quorum's leader as the write path sees it (the what-if engine's Placement). */
export interface LeaderAt {
  /** the leader's site (Galera: the site whose writes commit fastest) */
  readonly site: string;
  /** the member sites that keep voting (Galera: the primary component) */
  readonly voting: readonly string[];
  /** the commit with the leader there (Galera: writing from `site`); undefined when an RTT is missing */
  readonly commit: number | undefined;
}

/** How a client site's writes reach a quorum at one placement. */
export interface WriteRoute {
  readonly fails: boolean;
  /** the client's write latency (RTT to the leader, or through a relay, plus the commit); undefined when it fails or an RTT is missing */
  readonly ms: number | undefined;
  /** the voting member the writes go through (CockroachDB's follower proxy; Galera: the node a site without one writes to), else null */
  readonly via: string | null;
}

export interface WriteOptions extends LatencyOptions {
  /** who reaches whom (default: every site and link up — a site reaches itself and every site it has a declared link to) */
  readonly reaches?: (a: string, b: string) => boolean;
}

const FAILS: WriteRoute = { fails: true, ms: undefined, via: null };
const plus = (...xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? xs.reduce<number>((a, x) => a + x!, 0) : undefined);

/**
 * How writes from `client` reach quorum `q` at placement `p`: at the leader's site the commit
 * alone; elsewhere the round trip to the leader plus its commit; a client that does not reach the
 * leader fails, unless CockroachDB relays it through the nearest voting follower that does. Galera:
 * a site with a node of the primary component commits there (its farthest round trip); a site with
 * a node left out refuses writes; a site without a node writes through the nearest node.
 */
export function clientWrite(ctx: TopologyContext, q: Quorum, p: LeaderAt, client: string, o: WriteOptions = {}): WriteRoute {
  const counts = o.counts ?? q.counts;
  const rtt = o.rtt ?? ctx.rtt;
  const reaches = o.reaches ?? ((a: string, b: string) => a === b || ctx.link(a, b) !== undefined);
  const nearest = (through: readonly string[], cost: (m: string) => number | undefined): WriteRoute => {
    let best: WriteRoute | undefined;
    for (const m of through) {
      if (m === client || !reaches(client, m)) continue;
      const ms = plus(rtt(client, m), cost(m));
      if (!best || (ms !== undefined && (best.ms === undefined || ms < best.ms))) best = { fails: false, ms, via: m };
    }
    return best ?? FAILS;
  };
  if (q.kind === "galera") {
    const voting = new Map(p.voting.map((x) => [x, counts.get(x) ?? 0]));
    const commitFrom = (m: string) => galeraCommit(ctx, q, m, { counts: voting, rtt });
    if (p.voting.includes(client)) return { fails: false, ms: commitFrom(client), via: null };
    // a backend writes to its own site's node (as deployments do): left out of the primary component, that node refuses writes
    if ((counts.get(client) ?? 0) > 0) return FAILS;
    return nearest(p.voting, commitFrom);
  }
  if (q.kind === "etcd" && client === homeOf(ctx, q)) return apiWrite(ctx, q, p, client, { rtt, reaches });
  if (client === p.site) return { fails: false, ms: p.commit, via: null };
  if (reaches(client, p.site)) return { fails: false, ms: plus(rtt(client, p.site), p.commit), via: null };
  if (!relaysThroughFollowers(q)) return FAILS;
  return nearest(
    p.voting.filter((m) => m !== p.site),
    (m) => plus(rtt(m, p.site), p.commit),
  );
}

/** An etcd's cluster's site (its nodes: the API's only clients), or undefined. */
const homeOf = (ctx: TopologyContext, q: Quorum): string | undefined => {
  const name = (q.owner as Cluster).name?.value;
  return name ? ctx.siteOfCluster(name) : undefined;
};

/**
 * How an etcd's cluster writes to its API at placement `p`: its nodes at `client` write through an
 * API server (derive/controlplane) — the ones at their own site when it has control-plane nodes,
 * else any they reach — and the API server through an etcd member. A stacked API server's etcd is
 * its own site's member (kubeadm points it at the local member only): it takes writes while that
 * member reaches the leader. One with no member at its site (external etcd) writes through any
 * member it reaches that reaches the leader. A witness's etcd-only member can be the leader like
 * any other (Raft elects any member; etcd has no leader priority, and `etcdctl move-leader` moves
 * it only until the next election), but no API server runs there: the nodes' writes reach a leader
 * there through a control-plane site's member, never directly (README Decisions). `via` is the API
 * server's site when it is not the nodes' own (external etcd: the member written through, when not the leader).
 */
function apiWrite(
  ctx: TopologyContext,
  q: Quorum,
  p: LeaderAt,
  client: string,
  o: { readonly rtt: NonNullable<WriteOptions["rtt"]>; readonly reaches: NonNullable<WriteOptions["reaches"]> },
): WriteRoute {
  const cp = controlPlaneOf(ctx, q.owner as Cluster).sites;
  const hop = (a: string, b: string) => (a === b ? 0 : o.rtt(a, b));
  const viaLeader = (m: string) => (m === p.site ? p.commit : plus(hop(m, p.site), p.commit));
  let best: WriteRoute | undefined;
  for (const server of cp.includes(client) ? [client] : cp) {
    if (!o.reaches(client, server)) continue;
    // a stacked API server's own member; an external etcd's: every voting member it reaches
    const members = (q.counts.get(server) ?? 0) > 0 ? [server] : p.voting.filter((m) => o.reaches(server, m));
    for (const m of members) {
      if (!o.reaches(m, p.site)) continue;
      const ms = plus(hop(client, server), hop(server, m), viaLeader(m));
      const via = server !== client ? server : m !== p.site && m !== client ? m : null;
      if (!best || (ms !== undefined && (best.ms === undefined || ms < best.ms))) best = { fails: false, ms, via };
    }
  }
  return best ?? FAILS;
}

/** The traffic entries depending on each store, once per analysed topology. */
function dependents(ctx: TopologyContext): Map<Store, Traffic[]> {
  const m = new Map<Store, Traffic[]>();
  for (const tr of ctx.topology.traffic)
    for (const d of tr.dependsOn?.items ?? []) {
      const dep = ctx.topology.storeByName.get(d.value);
      if (dep && !m.get(dep)?.includes(tr)) m.set(dep, [...(m.get(dep) ?? []), tr]);
    }
  return m;
}

/** The traffic entries that depend on a store (`dependsOn`), in declaration order. */
export const dependentsOf = (ctx: TopologyContext, st: Store): readonly Traffic[] => ctx.fact(dependents).get(st) ?? [];

/**
 * The sites whose clients write to a quorum, as declared: an etcd's own cluster's site; for a
 * store, the backends' sites of every traffic entry depending on it (distinct, in declaration
 * order). The what-if engine keeps those up and not withdrawn.
 */
export function writerSites(ctx: TopologyContext, q: Quorum): readonly string[] {
  if (q.kind === "etcd") {
    const name = (q.owner as Cluster).name?.value;
    const site = name ? ctx.siteOfCluster(name) : undefined;
    return site ? [site] : [];
  }
  const out: string[] = [];
  for (const tr of dependentsOf(ctx, q.owner as Store))
    for (const b of loadBackends(ctx, tr) ?? []) if (b.site !== undefined && !out.includes(b.site)) out.push(b.site);
  return out;
}

/**
 * When a writer site of a store sends it nothing (review M82): a site all of whose backends, in
 * every entry depending on the store, carry 0 rps — the entry's peak is 0, or its backends there
 * are standbys (weight 0) and a weighted backend of the entry is up. `entries` lists, per entry
 * with a backend at the site, whether its peak is 0 and the sites of its weighted backends.
 */
export interface StandbyWriter {
  readonly site: string;
  readonly entries: readonly { readonly zero: boolean; readonly weighted: readonly string[] }[];
}

/** A standby writer is idle while, for each of its entries, the peak is 0 or one of the weighted backends' sites is up. */
export const standbyIdle = (w: StandbyWriter, up: (site: string) => boolean): boolean =>
  w.entries.every((e) => e.zero || e.weighted.some(up));

/**
 * The writer sites of a store (`writerSites`) that can send it nothing in some scenario: every
 * entry with a backend there declares its peak, and its backends there all have weight 0 (or the
 * peak is 0). The usual design has none (an empty list, nothing computed per scenario). The one
 * rule the what-if engine (clientSites) and the lean evaluator (judgePlacement) read.
 */
export function standbyWriters(ctx: TopologyContext, st: Store): readonly StandbyWriter[] {
  return ctx.fact(standbys).get(st) ?? [];
}

function standbys(ctx: TopologyContext): Map<Store, StandbyWriter[]> {
  const out = new Map<Store, StandbyWriter[]>();
  for (const [st, trs] of ctx.fact(dependents)) {
    const at = new Map<string, { zero: boolean; weighted: string[] }[] | null>();
    for (const tr of trs) {
      const lb = loadBackends(ctx, tr);
      if (!lb) continue;
      const peak = tr.peakRps?.value;
      // the usual entry (no peak, or a peak and every backend weighted): each of its sites writes,
      // nothing to collect (this fact is built for every store on every keystroke that runs rtt)
      if (peak === undefined || (peak !== 0 && lb.every((b) => b.weight !== 0))) {
        for (const b of lb) at.set(b.site!, null);
        continue;
      }
      const weighted = [...new Set(lb.filter((b) => b.weight > 0).map((b) => b.site!))];
      for (const site of new Set(lb.map((b) => b.site!))) {
        if (at.get(site) === null) continue;
        // no peak: its load is unknown, so the site writes; a weighted backend there carries load whenever the peak does
        const idleHere = peak !== undefined && (peak === 0 || lb.every((b) => b.site !== site || b.weight === 0));
        if (!idleHere) at.set(site, null);
        else at.set(site, [...(at.get(site) ?? []), { zero: peak === 0, weighted }]);
      }
    }
    const list = [...at].filter((x): x is [string, { zero: boolean; weighted: string[] }[]] => x[1] !== null);
    if (list.length)
      out.set(
        st,
        list.map(([site, entries]) => ({ site, entries })),
      );
  }
  return out;
}

/** The sites a quorum's writes are judged from, and whether they stand in for undeclared writers. */
export interface ClientSites {
  readonly sites: readonly string[];
  /** true when no traffic entry writes to the store and its member sites stand in (the application runs beside its data) */
  readonly fromMembers: boolean;
}

/**
 * The sites whose clients write to a quorum — the one list the rule (rtt/write-budget), the
 * what-if engine (QuorumResult.clientSites), availability's lean evaluator and its write-budget
 * figure judge: `writerSites`; or, when no traffic entry writes to a store, its member sites that
 * are not witnesses (every member site when all are) — an application beside its data. An etcd's
 * only clients are its own cluster's nodes: never its other members. `counts` judges other member
 * counts (a fix's target).
 */
export function clientSitesOf(ctx: TopologyContext, q: Quorum, counts: ReadonlyMap<string, number> = q.counts): ClientSites {
  const declared = writerSites(ctx, q);
  if (declared.length || q.kind === "etcd") return { sites: declared, fromMembers: false };
  const sites = memberSites(counts);
  const members = sites.filter((x) => ctx.topology.siteByName.get(x)?.role !== "witness");
  return { sites: members.length ? members : sites, fromMembers: true };
}

/** One leader placement with every site and link up, and the writes from each writing site there. */
export interface PlacementWrites extends LeaderAt {
  readonly writes: readonly { readonly from: string; readonly route: WriteRoute }[];
  /** the slowest of those writes: undefined when an RTT or a link it needs is not declared */
  readonly slowest: number | undefined;
}

export interface WriteJudgement {
  /** the sites judged (`clientSitesOf`): `writerSites` but for the standbys that carry 0 rps with every site up (`standbyWriters`), or — when no traffic entry writes to the store — its member sites that are not witnesses */
  readonly writers: readonly string[];
  /** true when `writers` are the member sites (no traffic entry depends on the store) */
  readonly fromMembers: boolean;
  /** consensus: one per member site, in declaration order; Galera: the one primary component of every node */
  readonly placements: readonly PlacementWrites[];
  /** the placement whose slowest write is fastest (ties: the faster commit, then declaration order); undefined when none is known */
  readonly best: PlacementWrites | undefined;
}

/**
 * Every leader placement of a consensus or Galera store with every site and link up, judged by
 * the writes the application makes (rtt/write-budget, the record's commit appendix, fixes).
 * `counts` judges other member counts (a fix's target). The design's own counts are judged on
 * its voters as designed (derive/latency designedVoters, review M109): a member that never votes
 * leads nothing and acks nothing, as simulate judges it.
 */
export function writeJudgement(
  ctx: TopologyContext,
  q: Quorum,
  o: { counts?: ReadonlyMap<string, number>; layout?: ReadonlyMap<string, number> } = {},
): WriteJudgement {
  if (o.counts) return judge(ctx, q, o.counts);
  // another layout (a fix's target, a record's option): on its voters as designed too
  if (o.layout && o.layout !== q.counts) return judge(ctx, q, o.layout, designedVoters(ctx, q, { layout: o.layout }));
  return ctx.factOf(judgedAsDeclared, q);
}
const judgedAsDeclared = (ctx: TopologyContext, q: Quorum): WriteJudgement => judge(ctx, q, q.counts, designedVoters(ctx, q));

/**
 * The leader sites as good as `best` (the same slowest write and commit): the one rule for "best"
 * that every output marking a best leader site reads, so a tie is said as a tie (review M125, M135).
 */
export function bestSites(j: WriteJudgement): string[] {
  const b = j.best;
  if (!b) return [];
  return j.placements.filter((p) => p.slowest === b.slowest && p.commit === b.commit).map((p) => p.site);
}

/** What `judge` judges: the voters' options, the member sites (the placements), the writing sites and whether the members stand in for them. */
function judged(
  ctx: TopologyContext,
  q: Quorum,
  counts: ReadonlyMap<string, number>,
  voters: LatencyOptions,
): { o: LatencyOptions; sites: string[]; writers: readonly string[]; fromMembers: boolean } {
  const o = { counts: voters.counts ?? counts, need: voters.need };
  const sites = memberSites(o.counts);
  const { sites: declared, fromMembers } = clientSitesOf(ctx, q, counts);
  // every site up: a site whose backends carry 0 rps (standbys beside a weighted backend) writes nothing — no writer, as the what-if engine and availability judge it (review M82)
  const standby = fromMembers || q.kind === "etcd" ? [] : standbyWriters(ctx, q.owner as Store);
  const writers = standby.length ? declared.filter((x) => !standby.some((w) => w.site === x && standbyIdle(w, () => true))) : declared;
  return { o, sites, writers, fromMembers };
}

/** `counts` the configured members (whose sites write when no traffic entry does); `voters` those that vote and the majority they must complete (default: `counts`, all voting). */
function judge(ctx: TopologyContext, q: Quorum, counts: ReadonlyMap<string, number>, voters: LatencyOptions = { counts }): WriteJudgement {
  const { o, sites, writers, fromMembers } = judged(ctx, q, counts, voters);
  const at = (p: LeaderAt): PlacementWrites => {
    const writes = writers.map((from) => ({ from, route: clientWrite(ctx, q, p, from, o) }));
    // every site and link up, a write fails only where no link is declared: unknown, as a missing RTT is
    const slowest = writes.every((w) => w.route.ms !== undefined) ? Math.max(0, ...writes.map((w) => w.route.ms!)) : undefined;
    return { ...p, writes, slowest };
  };
  let placements: PlacementWrites[];
  if (q.kind === "galera") {
    const b = bestCommit(ctx, q, o);
    placements = sites.length ? [at({ site: b?.site ?? sites[0], voting: sites, commit: b?.latency })] : [];
  } else placements = sites.map((site) => at({ site, voting: sites, commit: leaderCommit(ctx, q, site, o) }));
  let best: PlacementWrites | undefined;
  for (const p of placements) {
    if (p.slowest === undefined) continue;
    if (!best || p.slowest < best.slowest! || (p.slowest === best.slowest && (p.commit ?? Infinity) < (best.commit ?? Infinity))) best = p;
  }
  return { writers, fromMembers, placements, best };
}

/**
 * Whether the store's budget is missed by the application's writes though its commit alone is
 * within it (rtt/write-budget; rtt/commit-budget covers the commit): every placement is known and
 * none keeps every writing site's write within `writeLatencyBudgetMs`.
 */
export function writesOverBudget(
  ctx: TopologyContext,
  q: Quorum,
  o: { counts?: ReadonlyMap<string, number>; layout?: ReadonlyMap<string, number> } = {},
): boolean {
  const budget = writeBudget(q);
  if (budget === undefined) return false;
  const commit = bestCommit(ctx, q, { counts: o.counts, layout: o.layout });
  if (!commit || commit.latency > budget) return false;
  // writeJudgement's placements, judged without building them: the first placement whose slowest
  // write is unknown or within the budget decides (rtt/write-budget asks this of every store on
  // every keystroke that runs it; building every placement's writes was most of its time)
  const counts = o.counts ?? (o.layout && o.layout !== q.counts ? o.layout : q.counts);
  const voters = o.counts ? { counts } : designedVoters(ctx, q, o.layout && o.layout !== q.counts ? { layout: o.layout } : {});
  const { o: lo, sites, writers } = judged(ctx, q, counts, voters);
  if (!sites.length) return false;
  if (q.kind === "galera") {
    const b = bestCommit(ctx, q, lo);
    return slowestOver(ctx, q, { site: b?.site ?? sites[0], voting: sites, commit: b?.latency }, writers, lo, budget);
  }
  for (const site of sites)
    if (!slowestOver(ctx, q, { site, voting: sites, commit: leaderCommit(ctx, q, site, lo) }, writers, lo, budget)) return false;
  return true;
}

/** Whether the slowest write from `writers` at placement `p` is known and above `budget` (judge's `slowest`, without its writes). */
function slowestOver(ctx: TopologyContext, q: Quorum, p: LeaderAt, writers: readonly string[], o: LatencyOptions, budget: number): boolean {
  let slowest = 0;
  for (const from of writers) {
    const ms = clientWrite(ctx, q, p, from, o).ms;
    // (NaN: Math.max over the writes gives NaN, above no budget)
    if (ms === undefined || Number.isNaN(ms)) return false;
    if (ms > slowest) slowest = ms;
  }
  return slowest > budget;
}

/**
 * Why the application's writes miss a store's budget at a placement, in the words rtt/write-budget
 * and the what-if engine both use: the placement to pin and each writing site's write (consensus),
 * or each writing site's own commit (Galera, which has no leader to move); `fromMembers` says the
 * member sites stand in for undeclared writers.
 */
export function writesOverBudgetText(q: Quorum, p: PlacementWrites, budget: number, fromMembers: boolean): string {
  const what =
    q.kind === "galera"
      ? galeraWrites(p, budget)
      : `no leader placement keeps writes within the ${ms(budget)} budget — best is ${p.site}: ${writesText(p)}; the commit alone is ${ms(p.commit!)}`;
  const from = p.writes.map((w) => w.from);
  return fromMembers
    ? `${what} (no traffic entry depends on it: judged from its member site${from.length === 1 ? "" : "s"} ${listText(from)})`
    : what;
}

/** "from fra 17 ms (9 ms to the leader + 8 ms commit), from lon 16 ms": the first remote write spelled out. */
function writesText(p: PlacementWrites): string {
  let spelled = false;
  return p.writes
    .map(({ from, route }) => {
      const head = `from ${from} ${ms(route.ms!)}`;
      if (from === p.site) return `${head} (at the leader)`;
      if (route.via) return `${head} (through its follower in ${route.via})`;
      if (spelled) return head;
      spelled = true;
      return `${head} (${ms(route.ms! - p.commit!)} to the leader + ${ms(p.commit!)} commit)`;
    })
    .join(", ");
}

/** Galera has no leader to move: each writing site's node waits one round trip to its own farthest member. */
function galeraWrites(p: PlacementWrites, budget: number): string {
  const say = (w: PlacementWrites["writes"][number]) =>
    `${w.from} ${ms(w.route.ms!)}${w.route.via ? ` (through the node in ${w.route.via})` : ""}`;
  const over = p.writes.filter((w) => w.route.ms! > budget);
  const within = p.writes.filter((w) => !over.includes(w));
  return `writes from ${listText(over.map(say))} are above the ${ms(budget)} budget — a commit waits one round trip from the writing node to the farthest member site, and Galera has no leader to move${within.length ? `; within it from ${listText(within.map(say))}` : ""}`;
}
