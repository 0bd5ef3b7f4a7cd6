/**
 * Commit latency of a consensus quorum: the one implementation every feature reads (rules,
 * hover, fixes, record, what-if). Pure.
 */
import { bestCommitLatency, commitLatency, memberSites, type MemberMap, type RttLookup } from "../math/quorum";
import type { Quorum, TopologyContext } from "./context";

export interface LatencyOptions {
  /** the members counted (default: the declared ones; the what-if engine passes the survivors) */
  readonly counts?: MemberMap;
  /** the RTT lookup (default: the declared typical RTT; the what-if engine passes its scaled one) */
  readonly rtt?: RttLookup;
  /** the majority to complete (default: that of `counts`; the what-if engine passes the configured size's over the members that can still vote) */
  readonly need?: number;
}

export interface LeaderLatency {
  readonly leader: string;
  /** undefined when the leader has no declared RTT to some member site */
  readonly ms: number | undefined;
}

/** Commit latency with the leader in each member site, in declaration order. */
export function commitLatencies(ctx: TopologyContext, q: Quorum, o: LatencyOptions = {}): LeaderLatency[] {
  const counts = o.counts ?? q.counts;
  const rtt = o.rtt ?? ctx.rtt;
  return memberSites(counts).map((leader) => ({ leader, ms: commitLatency(counts, rtt, leader) }));
}

/** Commit latency with the leader in `leader` (undefined when it has no declared RTT to some member site, or the members cannot complete `need`). */
export function leaderCommit(ctx: TopologyContext, q: Quorum, leader: string, o: LatencyOptions = {}): number | undefined {
  return commitLatency(o.counts ?? q.counts, o.rtt ?? ctx.rtt, leader, o.need);
}

/** The lowest commit latency over the member sites that can lead, and where (undefined when none is known). */
export function bestCommit(ctx: TopologyContext, q: Quorum, o: LatencyOptions = {}): { site: string; latency: number } | undefined {
  return bestCommitLatency(o.counts ?? q.counts, o.rtt ?? ctx.rtt);
}

/** A consensus store's write latency budget, if declared. */
export function writeBudget(q: Quorum): number | undefined {
  return q.kind === "consensus" ? (q.owner as { writeLatencyBudgetMs?: { value: number } }).writeLatencyBudgetMs?.value : undefined;
}
