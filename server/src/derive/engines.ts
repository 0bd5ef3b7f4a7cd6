/**
 * What a store's free-text `engine` says about how it takes writes: the one place that reads it
 * for that (rules, and any output that needs the same answer). Pure.
 */
import { isTidb, isYugabyte } from "./timers";

/** A database whose own replication has one writable primary per stream. */
export type SinglePrimaryEngine = "PostgreSQL" | "MySQL" | "MariaDB";

/**
 * Names that declare a layer taking writes at several sites on top of PostgreSQL or MySQL:
 * EDB Postgres Distributed (BDR, PGD), pgEdge (Spock), Galera / Percona XtraDB Cluster, MySQL
 * Group Replication or InnoDB Cluster (which may run multi-primary), NDB Cluster, or a name that
 * says multi-master outright. A design naming one of them is not second-guessed.
 */
const MULTI_PRIMARY_LAYER =
  /bdr|pgd|postgres[- ]?distributed|pgedge|spock|galera|xtradb|pxc|group[- ]?replication|innodb[- ]?cluster|ndb|multi[- ]?(master|primary)/i;

/**
 * The single-primary engine `engine` names (PostgreSQL, MySQL, MariaDB — as free text:
 * `postgres`, `postgresql-16`, `mysql`, `mariadb`…), or undefined: another engine, no engine,
 * or one of them with a multi-primary layer named (`postgres-bdr`, `mariadb-galera`, `pgedge`).
 */
export function singlePrimaryEngine(engine: string | undefined): SinglePrimaryEngine | undefined {
  if (!engine || MULTI_PRIMARY_LAYER.test(engine)) return undefined;
  if (/postgres/i.test(engine)) return "PostgreSQL";
  if (/mariadb/i.test(engine)) return "MariaDB";
  if (/mysql/i.test(engine)) return "MySQL";
  return undefined;
}

/**
 * What becomes of two sites' concurrent writes to one row when a multi-writer store heals, by its
 * replication and `conflictResolution` (the simulate sentence and the record say it the same way).
 * `crdt` on an async (multi-master) store merges only the columns declared with CRDT types: the
 * layers that offer it (EDB PGD's CRDT types with column-level conflict detection, pgEdge's
 * delta-apply columns) resolve every other column by last update per row. A `replication: crdt`
 * store merges as its own data types do.
 */
export function conflictMerge(replication: string | undefined, policy: string | undefined): string {
  if (replication === "crdt") return "the store's CRDTs merge both sides' writes";
  switch (policy) {
    case "crdt":
      return "only columns declared with CRDT types merge; in every other column the later update wins per row and the other site's change is discarded";
    case "last-writer-wins":
      return "the later update wins per row and the other site's change is discarded";
    case "manual":
      return "conflicting rows wait for someone to resolve them by hand";
    case "event-sourcing":
      return "both sites' events are kept and the state is rebuilt from them";
    default:
      // `none` (or no policy): nothing reconciles them — never "resolved by none" (review M138)
      return "nothing reconciles them (no conflict policy): each site keeps the write it applied last, so the row can differ between sites";
  }
}

/**
 * Why a consensus store's leader cannot be pinned, for an engine with no leader preference, else
 * undefined (review M98). etcd and Consul elect whoever campaigns first: `etcdctl move-leader` and
 * `consul operator raft transfer-leader` move it once, and the next election (a restart, a missed
 * heartbeat) puts it anywhere — so the design is judged where an election may leave it, as a
 * cluster's etcd is. CockroachDB (lease preferences), YugabyteDB (preferred zones), TiDB (a
 * placement policy's PRIMARY_REGION) and MongoDB (member priority) keep it where they are told.
 */
export function leaderUnpinnable(engine: string | undefined): string | undefined {
  if (!engine) return undefined;
  if (/\betcd\b/i.test(engine)) return "etcd cannot pin it: `etcdctl move-leader` holds only until the next election";
  if (/consul/i.test(engine)) return "Consul cannot pin it: `consul operator raft transfer-leader` holds only until the next election";
  return undefined;
}

/**
 * A consensus store's dead-node timer: how long a member may stay unreachable before the store
 * declares it dead and re-replicates its data onto the members it still reaches. CockroachDB:
 * `server.time_until_store_dead`, 5 minutes by default ("Stop a node": "if the node then stays
 * offline for … 5 minutes by default, the cluster considers the node dead and starts to transfer
 * its range replicas to other nodes"; raise it for planned downtime and RESET it afterwards). Read
 * from the store's free-text `engine`; undefined for an engine without such a timer known here.
 */
export interface DeadStoreTimer {
  readonly engine: string;
  readonly setting: string;
  readonly seconds: number;
  /** the SQL that raises it for a run of `seconds` and the SQL that restores the default */
  readonly raise: (seconds: number) => string;
  readonly restore: string;
}

export function deadStoreTimer(engine: string | undefined): DeadStoreTimer | undefined {
  if (!engine || !/cockroach/i.test(engine)) return undefined;
  return {
    engine: "CockroachDB",
    setting: "server.time_until_store_dead",
    seconds: 300,
    raise: (s) => `SET CLUSTER SETTING server.time_until_store_dead = '${Math.ceil(s / 60)}m'`,
    restore: "RESET CLUSTER SETTING server.time_until_store_dead",
  };
}

/**
 * A consensus store's engine, as the runbook and the game day name its parts: CockroachDB splits
 * the data into ranges served by leaseholders, YugabyteDB into tablets with tablet leaders, TiDB
 * (TiKV) into Regions with Region leaders; another engine gets the generic words. Read from the
 * store's free-text `engine` (review style: YugabyteDB's words are not CockroachDB's).
 */
export type ConsensusEngine = "cockroachdb" | "yugabytedb" | "tidb" | "other";

export interface ConsensusWords {
  readonly engine: ConsensusEngine;
  /** what the data is split into: "ranges", "tablets", "Regions", "parts of the data" */
  readonly units: string;
  /** who takes each unit's writes: "leaders (leaseholders)", "tablet leaders", "Region leaders", "leaders" */
  readonly leaders: string;
}

export function consensusEngine(engine: string | undefined): ConsensusEngine {
  if (!engine) return "other";
  if (/cockroach/i.test(engine)) return "cockroachdb";
  if (isYugabyte(engine)) return "yugabytedb";
  if (isTidb(engine)) return "tidb";
  return "other";
}

export function consensusWords(engine: string | undefined): ConsensusWords {
  const e = consensusEngine(engine);
  switch (e) {
    case "cockroachdb":
      return { engine: e, units: "ranges", leaders: "leaders (leaseholders)" };
    case "yugabytedb":
      return { engine: e, units: "tablets", leaders: "tablet leaders" };
    case "tidb":
      return { engine: e, units: "Regions", leaders: "Region leaders" };
    default:
      return { engine: e, units: "parts of the data", leaders: "leaders" };
  }
}
