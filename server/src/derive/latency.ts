/**
 * Commit latency of a consensus quorum: the one implementation every feature reads (rules,
 * hover, fixes, record, what-if). Pure.
 */
import { bestCommitLatency, commitLatency, majority, memberSites, total, type MemberMap, type RttLookup } from "../math/quorum";
import type { Quorum, TopologyContext } from "./context";
import { layoutVotingCounts, votingCounts } from "./reach";

export interface LatencyOptions {
  /** the members counted (default: the quorum's voters as designed, `designedVoters`; the what-if engine passes the survivors, a fix its target counts) */
  readonly counts?: MemberMap;
  /** the RTT lookup (default: the declared typical RTT; the what-if engine passes its scaled one) */
  readonly rtt?: RttLookup;
  /** the majority to complete (default: that of `counts` when given, else the configured size's; the what-if engine passes the configured size's over the members that can still vote) */
  readonly need?: number;
  /** another layout of the members (a fix's target, a record's option), judged on its voters as designed (`designedVoters`); `counts` wins */
  readonly layout?: MemberMap;
}

/**
 * The members a commit of `q` waits for, as designed (review M109): its voters (derive/reach
 * votingCounts — members that can dial none of the others never vote, so they never ack) against
 * the majority of its configured size (a member that never votes still counts in the denominator:
 * that is why it hurts), as quorum/site-loss, simulate and availability judge it. `o.counts`, when
 * given, is taken as it is (the what-if engine's survivors, a fix's target layout).
 */
export function designedVoters(ctx: TopologyContext, q: Quorum, o: LatencyOptions = {}): { counts: MemberMap; need: number | undefined } {
  if (o.counts) return { counts: o.counts, need: o.need };
  // another layout (a fix's target, a record's option): its voters as designed too, never every member (w48's note)
  const layout = o.layout ?? q.counts;
  const counts = o.layout ? layoutVotingCounts(ctx, q, o.layout) : votingCounts(ctx, q);
  // every member votes (the usual design): the majority of the counts themselves, as before
  return { counts, need: o.need ?? (counts === layout ? undefined : majority(total(layout))) };
}

export interface LeaderLatency {
  readonly leader: string;
  /** undefined when the leader has no declared RTT to some member site */
  readonly ms: number | undefined;
}

/** Commit latency with the leader in each member site, in declaration order. */
/** Commit latency with the leader in each member site that votes (`designedVoters`), in declaration order. */
export function commitLatencies(ctx: TopologyContext, q: Quorum, o: LatencyOptions = {}): LeaderLatency[] {
  const { counts, need } = designedVoters(ctx, q, o);
  const rtt = o.rtt ?? ctx.rtt;
  return memberSites(counts).map((leader) => ({ leader, ms: commitLatency(counts, rtt, leader, need) }));
}

/** Commit latency with the leader in `leader` (undefined when it has no declared RTT to some member site, or the members cannot complete `need`, or — as designed — it never votes). */
export function leaderCommit(ctx: TopologyContext, q: Quorum, leader: string, o: LatencyOptions = {}): number | undefined {
  const { counts, need } = designedVoters(ctx, q, o);
  // a member that never votes as designed is never elected (the engine places no leader there)
  if (!o.counts && !((counts.get(leader) ?? 0) > 0)) return undefined;
  return commitLatency(counts, o.rtt ?? ctx.rtt, leader, need);
}

/**
 * Galera: a commit from a node at `writer` waits until its write-set is delivered in total order
 * by every node of the primary component — one round trip to the farthest member site from the
 * writer — then certifies locally. There is no leader: every node takes writes, and each site's
 * writes pay its own farthest RTT. 0 when every member is at `writer`; undefined when an RTT is
 * missing or `writer` holds no member (its writes go to a node elsewhere first).
 */
export function galeraCommit(ctx: TopologyContext, q: Quorum, writer: string, o: LatencyOptions = {}): number | undefined {
  const { counts } = designedVoters(ctx, q, o);
  const rtt = o.rtt ?? ctx.rtt;
  if (!((counts.get(writer) ?? 0) > 0)) return undefined;
  let worst = 0;
  for (const site of memberSites(counts)) {
    if (site === writer) continue;
    const r = rtt(writer, site);
    if (r === undefined) return undefined;
    worst = Math.max(worst, r);
  }
  return worst;
}

/**
 * The lowest commit latency over the member sites that vote (`designedVoters`), and where: the
 * best leader site for a consensus quorum or etcd, the best site to write from for Galera
 * (undefined when none is known).
 */
export function bestCommit(ctx: TopologyContext, q: Quorum, o: LatencyOptions = {}): { site: string; latency: number } | undefined {
  const { counts, need } = designedVoters(ctx, q, o);
  if (q.kind !== "galera") return bestCommitLatency(counts, o.rtt ?? ctx.rtt, need);
  let best: { site: string; latency: number } | undefined;
  for (const site of memberSites(counts)) {
    const latency = galeraCommit(ctx, q, site, o);
    if (latency !== undefined && (!best || latency < best.latency)) best = { site, latency };
  }
  return best;
}

/** A consensus or Galera store's write latency budget, if declared (etcd has none). */
export function writeBudget(q: Quorum): number | undefined {
  return q.kind === "consensus" || q.kind === "galera"
    ? (q.owner as { writeLatencyBudgetMs?: { value: number } }).writeLatencyBudgetMs?.value
    : undefined;
}

/**
 * CockroachDB (≥ 24.1, cockroach #117340) proxies a request through a follower when the gateway
 * cannot reach the leaseholder under a partial partition; etcd, Raft stores in general and
 * older CockroachDB do not (their writes fail). Read from the store's free-text `engine`: a
 * version written there (`cockroachdb 23.2`) below 24.1 relays nothing (review M74).
 */
export const relaysThroughFollowers = (q: Quorum): boolean => relayOf(q) !== undefined;

/**
 * Whether a quorum store relays through followers, and on what: "declared" when its `engine`
 * names CockroachDB 24.1 or later, "assumed" when it names CockroachDB without a version (the
 * figures count the relay and say they hold only with it), undefined when it does not relay.
 */
export function relayOf(q: { readonly kind: string; readonly owner: object }): "declared" | "assumed" | undefined {
  if (q.kind !== "consensus") return undefined;
  const engine = (q.owner as { engine?: { value: string } }).engine?.value ?? "";
  if (!/cockroach/i.test(engine)) return undefined;
  const v = cockroachVersion(engine);
  if (!v) return "assumed";
  return v[0] > RELAY_SINCE[0] || (v[0] === RELAY_SINCE[0] && v[1] >= RELAY_SINCE[1]) ? "declared" : undefined;
}

/** The CockroachDB release that added the follower relay (cockroach #117340). */
export const RELAY_SINCE = [24, 1] as const;

/** "cockroachdb 23.2", "CockroachDB v24.1.3", "cockroachdb-24.1": the major and minor version written after the name, if any. */
export function cockroachVersion(engine: string): [number, number] | undefined {
  const m = /cockroach[a-z]*[\s:@_-]*v?(\d{1,3})\.(\d{1,2})\b/i.exec(engine);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
