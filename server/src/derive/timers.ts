/**
 * etcd's timers and the member RTTs they are sized from: the one implementation of etcd's
 * defaults, the largest member RTT (typical and p99) and "Set heartbeat and election timeout
 * from RTT". Pure.
 */
import type { RttLookup } from "../math/quorum";
import { count } from "../util/format";
import type { Cluster, HealthCheck } from "../model/topology";
import { memberPairs, type Quorum, type TopologyContext } from "./context";

/** etcd's defaults (--heartbeat-interval, --election-timeout) and its upper limit on the election timeout. */
export const DEFAULT_HEARTBEAT_MS = 100;
export const DEFAULT_ELECTION_TIMEOUT_MS = 1000;
export const MAX_ELECTION_TIMEOUT_MS = 50000;

/**
 * Kubernetes' node lifecycle defaults, for nodes cut off from a control plane that keeps running
 * elsewhere: after --node-monitor-grace-period (40 s; 50 s from Kubernetes 1.32) without a status
 * from its kubelet a node is NotReady and gets the NoExecute `node.kubernetes.io/unreachable`
 * taint; a pod without its own toleration carries the 300 s one the DefaultTolerationSeconds
 * admission plugin adds; --node-eviction-rate 0.1 taints one node every 10 s (a zone that is only
 * partly NotReady — at least 55 % — gets --secondary-node-eviction-rate 0.01, or none at all in a
 * zone of 50 nodes or fewer).
 */
export const NODE_MONITOR_GRACE_SECONDS = 40;
export const UNREACHABLE_TOLERATION_SECONDS = 300;
export const SECONDS_PER_EVICTED_NODE = 10;
/** When the first pods of such nodes are evicted, by those defaults. */
export const EVICTION_AFTER_SECONDS = NODE_MONITOR_GRACE_SECONDS + UNREACHABLE_TOLERATION_SECONDS;

export interface EtcdTimers {
  readonly heartbeat: number;
  readonly election: number;
  /** whether the topology writes each value (else etcd's default applies) */
  readonly heartbeatDeclared: boolean;
  readonly electionDeclared: boolean;
}

/** The timers a cluster's etcd runs with: the declared values, else etcd's defaults. */
export function etcdTimers(cluster: Pick<Cluster, "etcd"> | undefined): EtcdTimers {
  const e = cluster?.etcd;
  return {
    heartbeat: e?.heartbeatMs?.value ?? DEFAULT_HEARTBEAT_MS,
    election: e?.electionTimeoutMs?.value ?? DEFAULT_ELECTION_TIMEOUT_MS,
    heartbeatDeclared: e?.heartbeatMs !== undefined,
    electionDeclared: e?.electionTimeoutMs !== undefined,
  };
}

export interface LargestRtt {
  /** largest RTT between linked member sites (0 for a single site or no link) */
  readonly ms: number;
  readonly pair?: [string, string];
}

/**
 * The largest RTT between linked member sites of a quorum. `rtt` defaults to the declared
 * typical RTT; the what-if engine passes its scaled lookup, fixes the declared one.
 */
export function largestMemberRtt(ctx: TopologyContext, q: Quorum, rtt: RttLookup = ctx.rtt): LargestRtt {
  let ms = 0;
  let pair: [string, string] | undefined;
  const sites = [...q.counts.keys()];
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const r = rtt(sites[i], sites[j]);
      if (r !== undefined && r > ms) {
        ms = r;
        pair = [sites[i], sites[j]];
      }
    }
  }
  return { ms, pair };
}

export interface TimerAdvice {
  /** largest RTT between linked member sites (0 for a single site) */
  readonly maxRtt: number;
  readonly maxRttPair?: [string, string];
  readonly maxP99?: number;
  readonly maxP99Pair?: [string, string];
  readonly heartbeat: number;
  readonly election: number;
  /** the timers fit within etcd's limits (10 × the largest RTT, p99 and heartbeat ≤ 50000 ms) */
  readonly feasible: boolean;
}

const roundUp10 = (x: number) => Math.ceil(x / 10) * 10;

/**
 * What "Set heartbeat and election timeout from RTT" would set:
 * heartbeat = max(100, largest RTT rounded up to 10 ms);
 * election = max(10 × heartbeat, 10 × largest RTT, 10 × largest p99 RTT).
 */
export function timerAdvice(ctx: TopologyContext, q: Quorum): TimerAdvice {
  const typical = largestMemberRtt(ctx, q);
  let maxP99: number | undefined;
  let maxP99Pair: [string, string] | undefined;
  for (const p of memberPairs(ctx, q)) {
    if (p.p99 !== undefined && (maxP99 === undefined || p.p99 > maxP99)) {
      maxP99 = p.p99;
      maxP99Pair = [p.a, p.b];
    }
  }
  const heartbeat = Math.max(DEFAULT_HEARTBEAT_MS, roundUp10(typical.ms));
  const needed = Math.max(10 * heartbeat, 10 * typical.ms, 10 * (maxP99 ?? 0));
  const election = Math.min(MAX_ELECTION_TIMEOUT_MS, needed);
  return {
    maxRtt: typical.ms,
    maxRttPair: typical.pair,
    maxP99,
    maxP99Pair,
    heartbeat,
    election,
    feasible: needed <= MAX_ELECTION_TIMEOUT_MS,
  };
}

/**
 * CockroachDB's epoch-based range leases hang on the leaseholder's node-liveness record, renewed
 * every 4.5 s and valid for 9 s (Architecture › Replication Layer › "Epoch-based leases"; the
 * troubleshooting guide's "Impact of node failure": a leaseholder's ranges are unavailable until
 * its liveness expires and another replica takes the lease — "typically a few seconds"). A range
 * whose leaseholder is cut off takes writes again only after that, plus a Raft election there.
 */
export const COCKROACH_LIVENESS_EXPIRY_SECONDS = 9;

/**
 * Galera keeps a cut-off node in the primary component, and every write waits for it, until the
 * others suspect it: evs.suspect_timeout, PT5S by default (Galera "Parameters"), then a view change.
 */
export const GALERA_SUSPECT_TIMEOUT_SECONDS = 5;

/**
 * How long a quorum's first writes may wait after a cut before leadership has moved to the
 * majority side, when its leader (or leaseholder) was on the side cut off. etcd: a follower
 * campaigns after its election timeout, randomised by etcd between once and twice the configured
 * value ("Tuning": --election-timeout), then one vote round — about twice the timeout, rounded up
 * to a whole second. YugabyteDB: about 3 s, TiDB (TiKV): up to 20 s, MongoDB about 12 s, Consul about 10 s (below).
 * CockroachDB (and, as a stated assumption, any other consensus store): the liveness expiry above. Galera: its suspect timeout.
 */
export function leadershipMoveSeconds(
  kind: "etcd" | "consensus" | "galera",
  electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS,
  engine?: string,
): number {
  if (kind === "etcd") return Math.ceil((2 * electionTimeoutMs) / 1000);
  if (kind === "consensus" && isYugabyte(engine)) return YUGABYTE_LEADER_FAILOVER_SECONDS;
  if (kind === "consensus" && isTidb(engine)) return TIKV_LEADER_FAILOVER_SECONDS;
  if (kind === "consensus" && isMongo(engine)) return MONGODB_FAILOVER_SECONDS;
  if (kind === "consensus" && isConsul(engine)) return CONSUL_FAILOVER_SECONDS;
  // a store on etcd: its default timers, as a cluster's etcd with none declared (review M98)
  if (kind === "consensus" && isEtcdEngine(engine)) return Math.ceil((2 * DEFAULT_ELECTION_TIMEOUT_MS) / 1000);
  return kind === "galera" ? GALERA_SUSPECT_TIMEOUT_SECONDS : COCKROACH_LIVENESS_EXPIRY_SECONDS;
}

/**
 * A MongoDB replica set calls an election once a secondary has not heard from the primary for
 * electionTimeoutMillis (10,000 ms by default); "the median time before a cluster elects a new
 * primary should not typically exceed 12 seconds" (MongoDB manual, Replica Set Elections).
 */
export const MONGODB_FAILOVER_SECONDS = 12;
export const MONGODB_ELECTION_TIMEOUT_SECONDS = 10;
export const isMongo = (engine: string | undefined) => engine !== undefined && /mongo/i.test(engine);
export const isEtcdEngine = (engine: string | undefined) => engine !== undefined && /\betcd\b/i.test(engine);
export const isConsul = (engine: string | undefined) => engine !== undefined && /consul/i.test(engine);

/**
 * Consul's servers run HashiCorp Raft with its timers scaled by performance.raft_multiplier (5 by
 * default): a follower campaigns when it has not heard from the leader for a random time between
 * the 1 s heartbeat timeout × 5 and twice that — about 10 s before a new leader (review M98a nit).
 */
export const CONSUL_FAILOVER_SECONDS = 10;
export const CONSUL_RAFT_MULTIPLIER = 5;

/**
 * What a store with one leader (or primary) for all its data waits for when that leader is cut
 * off: the engine's own failure detection and vote, in words — the one home of these words, said
 * alike by the record's Tiers (Datastore RTO) and the game day (review M130). An engine Quorate
 * does not know gets CockroachDB's liveness expiry as a stated assumption, never as its own.
 */
export function leaderElectionWords(engine: string | undefined): string {
  if (isMongo(engine))
    return `MongoDB's electionTimeoutMillis, ${MONGODB_ELECTION_TIMEOUT_SECONDS} s by default, then the vote; its median failover is under ${MONGODB_FAILOVER_SECONDS} s`;
  if (isEtcdEngine(engine))
    return `etcd's default ${count(DEFAULT_ELECTION_TIMEOUT_MS)} ms election timeout, randomised up to twice that, then the vote; the design declares no timers for it`;
  if (isConsul(engine))
    return `Consul's Raft heartbeat timeout, 1 s × performance.raft_multiplier (${CONSUL_RAFT_MULTIPLIER} by default), randomised up to twice that, then the vote`;
  return `assumed: ${engine ? `${engine}'s` : "the engine's (none is declared)"} failure detection and election are not known here, so CockroachDB's node-liveness expiry stands in`;
}

/**
 * YugabyteDB re-elects a tablet's leader after its followers miss 6 Raft heartbeats of 500 ms
 * (leader_failure_max_missed_heartbeat_periods, raft_heartbeat_interval_ms), within its 2 s leader
 * lease: "the entire process takes approximately 3 seconds" (docs, Fault tolerance › Handling node failures).
 */
export const YUGABYTE_LEADER_FAILOVER_SECONDS = 3;
export const isYugabyte = (engine: string | undefined) => engine !== undefined && /yugabyte/i.test(engine);

/**
 * TiDB's data lives in TiKV Regions, each a Raft group: a follower campaigns once it has heard
 * nothing from its leader for the election timeout, raft-election-timeout-ticks (10) ×
 * raft-base-tick-interval (1 s), randomised by raft-rs up to raft-max-election-timeout-ticks
 * (twice that) — so up to about 20 s before a Region led at a cut-off site takes writes again
 * (TiKV configuration file, raftstore; the leader's lease, raft-store-max-leader-lease 9 s, ends inside it).
 */
export const TIKV_LEADER_FAILOVER_SECONDS = 20;

/**
 * TiDB's placement driver (PD) hands out every transaction's timestamp (TSO) from its leader, which
 * holds a lease of 3 s by default (PD configuration file: lease); past it the PD members elect
 * another through their embedded etcd (election-interval, 3 s by default), and the TiDB servers
 * then find the new leader. The engine does not time that stall (review M130 addendum): only the words say it.
 */
export const PD_LEADER_LEASE_SECONDS = 3;
export const isTidb = (engine: string | undefined) => engine !== undefined && /tidb|tikv/i.test(engine);

/**
 * When a game day probes writes after a cut, and when writes still failing on the majority side
 * mean the drill has gone wrong: the first probe waits for the longest leadership move with half
 * again as margin, rounded up to 5 s and never under 15 s; the abort waits twice that. With
 * etcd's and CockroachDB's defaults: probe from 15 s, abort at 30 s.
 */
export const WRITE_PROBE_MIN_SECONDS = 15;
export function writeProbeTiming(moveSeconds: readonly number[]): { readonly from: number; readonly abortAfter: number } {
  const longest = moveSeconds.length ? Math.max(...moveSeconds) : 0;
  const from = Math.max(WRITE_PROBE_MIN_SECONDS, Math.ceil((longest * 1.5) / 5) * 5);
  return { from, abortAfter: 2 * from };
}

/**
 * How long a health check takes to fail a backend that stopped answering, at worst: failureThreshold
 * checks intervalSeconds apart, the last one waiting out its own timeoutSeconds — the detection term
 * of availability.md's RTO estimate and the moment the game day's steering timer rings (review style
 * e: one home for both). Undefined without an interval and a threshold.
 */
export function healthCheckDetection(hc: HealthCheck | undefined): { readonly seconds: number; readonly terms: string[] } | undefined {
  if (!hc?.intervalSeconds || !hc.failureThreshold) return undefined;
  const timeout = hc.timeoutSeconds?.value ?? 0;
  const terms = [`${hc.intervalSeconds.value} s × ${hc.failureThreshold.value} checks`];
  if (timeout) terms.push(`${timeout} s check timeout`);
  return { seconds: hc.intervalSeconds.value * hc.failureThreshold.value + timeout, terms };
}
