import { memberCounts, type Cluster, type Link, type Members, type Store, type Topology } from "../model/topology";
import type { RttLookup } from "../math/quorum";
import { noteAll, recording, recordingApart } from "./track";

export interface AnalysisOptions {
  /** rtt/galera-wan threshold (setting quorate.galeraMaxRttMs) */
  readonly galeraMaxRttMs: number;
  /** the editor: leave out the families that need the availability figures (rules/index LATE_RULES); they run afterwards */
  readonly deferFigures?: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { galeraMaxRttMs: 5 };

export interface Quorum {
  readonly kind: "etcd" | "consensus" | "galera";
  /** "etcd of cluster core", "store orders-db" */
  readonly label: string;
  readonly owner: Cluster | Store;
  readonly members: Members;
  /** positive counts of declared sites, in declaration order */
  readonly counts: ReadonlyMap<string, number>;
  /** every `members` key names a declared site (else ref/unknown alone reports it) and every count is exact (else value/too-large) */
  readonly resolved: boolean;
}

/**
 * One analysed topology: links by site pair, quorums, names — and every fact derived from it
 * (derive/*), computed on first use and kept for the life of this analysis.
 */
export class TopologyContext {
  /**
   * derived facts by the function that computes them (see `fact`), each with the tracked item's
   * fields it read while it was computed (derive/track)
   */
  private readonly facts = new Map<(ctx: TopologyContext) => unknown, { value: unknown; reads: ReadonlySet<string> }>();
  /** derived facts of one key (see `factOf`), by the function that computes them, then the key */
  private readonly keyed = new Map<
    (ctx: TopologyContext, key: never) => unknown,
    Map<object, { value: unknown; reads: ReadonlySet<string> }>
  >();
  /** links by one end, then the other (both orders): lookups build no key strings */
  private readonly links = new Map<string, Map<string, Link>>();

  constructor(
    readonly topology: Topology,
    readonly options: AnalysisOptions = DEFAULT_OPTIONS,
  ) {
    for (const link of topology.links) {
      const b = link.between?.items;
      if (b?.length !== 2 || b[0].value === b[1].value) continue;
      if (this.link(b[0].value, b[1].value)) continue;
      for (const [x, y] of [
        [b[0].value, b[1].value],
        [b[1].value, b[0].value],
      ]) {
        const ends = this.links.get(x) ?? new Map<string, Link>();
        this.links.set(x, ends);
        ends.set(y, link);
      }
    }
    // the quorums now, as a fact whose reads are its readers' only, not every family's: computed
    // on first use instead, only the keystrokes whose families read them ran that code, and it
    // ran unoptimised there (callgrind, rings 1 MB: a link's first keystroke +14 % instructions)
    this.facts.set(
      quorumsOf,
      recordingApart(() => quorumsOf(this)),
    );
  }

  /**
   * Every quorum: each cluster's etcd, then each consensus or Galera store. A fact (computed with
   * the context, its reads kept apart): only the families that read quorums depend on what they
   * read (`members`, reuse.ts), so a keystroke into a member count re-runs those, not all.
   */
  get quorums(): Quorum[] {
    return this.fact(quorumsOf).list;
  }

  /** The quorum a cluster's etcd or a store forms, if any. */
  quorumOf(owner: Cluster | Store): Quorum | undefined {
    return this.fact(quorumsOf).byOwner.get(owner);
  }

  link(a: string, b: string): Link | undefined {
    return this.links.get(a)?.get(b);
  }

  /** Declared RTT between two sites; 0 within a site; undefined without a link. */
  readonly rtt: RttLookup = (a, b) => (a === b ? 0 : this.link(a, b)?.rttMs?.value);
  readonly rttP99: RttLookup = (a, b) => (a === b ? 0 : this.link(a, b)?.rttP99Ms?.value);

  /**
   * A derived fact of this topology: `compute(this)` on the first call, the same value after.
   * The function is the key, so each fact has exactly one implementation (derive/*).
   */
  fact<T>(compute: (ctx: TopologyContext) => T): T {
    const known = this.facts.get(compute);
    if (known) {
      // whoever reads a fact depends on what computing it read (derive/track)
      if (known.reads.size) noteAll(known.reads);
      return known.value as T;
    }
    const computed = recording(() => compute(this));
    this.facts.set(compute, computed);
    return computed.value;
  }

  /**
   * A derived fact of one key of this topology (a traffic entry's loads, a quorum's write
   * judgement): `compute(this, key)` on the first call for `key`, the same value after. Like
   * `fact`, whoever reads it depends on what computing it read — a cache filled by one family and
   * read by another would otherwise leave the second family's reads short, and a keystroke would
   * keep its findings when they changed (reuse.ts).
   */
  factOf<K extends object, T>(compute: (ctx: TopologyContext, key: K) => T, key: K): T {
    let byKey = this.keyed.get(compute) as Map<K, { value: T; reads: ReadonlySet<string> }> | undefined;
    if (!byKey) {
      byKey = new Map();
      this.keyed.set(compute, byKey);
    }
    const known = byKey.get(key);
    if (known) {
      if (known.reads.size) noteAll(known.reads);
      return known.value;
    }
    const computed = recording(() => compute(this, key));
    byKey.set(key, computed);
    return computed.value;
  }

  siteOfCluster(name: string): string | undefined {
    const site = this.topology.clusterByName.get(name)?.site?.value;
    return site !== undefined && this.topology.siteByName.has(site) ? site : undefined;
  }
}

/** The quorums of a topology in declaration order (clusters' etcd first), and by owner. */
function quorumsOf(ctx: TopologyContext): { list: Quorum[]; byOwner: Map<Cluster | Store, Quorum> } {
  const t = ctx.topology;
  const list: Quorum[] = [];
  const byOwner = new Map<Cluster | Store, Quorum>();
  const add = (kind: Quorum["kind"], label: string, owner: Cluster | Store, members: Members) => {
    const resolved = members.exact && members.entries.every((e) => t.siteByName.has(e.site.value));
    const q = { kind, label, owner, members, counts: memberCounts(t, members), resolved };
    byOwner.set(owner, q);
    list.push(q);
  };
  for (const c of t.clusters) {
    if (c.etcd?.members) add("etcd", `etcd of cluster ${c.name?.value ?? `#${c.index + 1}`}`, c, c.etcd.members);
  }
  for (const s of t.stores) {
    const rep = s.replication?.value;
    if ((rep === "consensus" || rep === "galera") && s.members) add(rep, `store ${s.name?.value ?? `#${s.index + 1}`}`, s, s.members);
  }
  return { list, byOwner };
}

/** Every pair of member sites with its RTT (undefined where no link is declared). */
export function memberPairs(ctx: TopologyContext, q: Quorum): { a: string; b: string; rtt?: number; p99?: number }[] {
  const sites = [...q.counts.keys()];
  const out: { a: string; b: string; rtt?: number; p99?: number }[] = [];
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      out.push({ a: sites[i], b: sites[j], rtt: ctx.rtt(sites[i], sites[j]), p99: ctx.rttP99(sites[i], sites[j]) });
    }
  }
  return out;
}
