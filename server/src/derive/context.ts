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
  private readonly links: Map<string, Map<string, Link>>;

  constructor(
    readonly topology: Topology,
    readonly options: AnalysisOptions = DEFAULT_OPTIONS,
  ) {
    this.links = linksByEnds(topology.links);
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

/**
 * The links of a list by one end, then the other. Kept per list: a keystroke outside `links`
 * leaves the list the same array (model/topology withItem), and its map is taken as it is
 * instead of built again. An edited link makes a new list, so a tracked link's reads are
 * recorded as ever (derive/track: no item of a kept list is tracked now).
 */
function linksByEnds(list: readonly Link[]): Map<string, Map<string, Link>> {
  const known = LINKS_BY_LIST.get(list);
  if (known) return known;
  const links = new Map<string, Map<string, Link>>();
  for (const link of list) {
    const b = link.between?.items;
    if (b?.length !== 2 || b[0].value === b[1].value) continue;
    if (links.get(b[0].value)?.get(b[1].value)) continue;
    for (const [x, y] of [
      [b[0].value, b[1].value],
      [b[1].value, b[0].value],
    ]) {
      const ends = links.get(x) ?? new Map<string, Link>();
      links.set(x, ends);
      ends.set(y, link);
    }
  }
  LINKS_BY_LIST.set(list, links);
  return links;
}
const LINKS_BY_LIST = new WeakMap<readonly Link[], Map<string, Map<string, Link>>>();

/** The quorums of a topology in declaration order (clusters' etcd first), and by owner. */
function quorumsOf(ctx: TopologyContext): { list: Quorum[]; byOwner: Map<Cluster | Store, Quorum> } {
  const t = ctx.topology;
  const list: Quorum[] = [];
  const byOwner = new Map<Cluster | Store, Quorum>();
  const add = (owner: Cluster | Store, make: () => Quorum) => {
    // (a quorum is kept per owner while the sites' index is the same: see QUORUM_OF)
    const known = QUORUM_OF.get(owner);
    const q = known?.sites === t.siteByName ? known.q : make();
    if (q !== known?.q) QUORUM_OF.set(owner, { sites: t.siteByName, q });
    byOwner.set(owner, q);
    list.push(q);
  };
  const quorum = (kind: Quorum["kind"], label: string, owner: Cluster | Store, members: Members): Quorum => {
    const resolved = members.exact && members.entries.every((e) => t.siteByName.has(e.site.value));
    return { kind, label, owner, members, counts: memberCounts(t, members), resolved };
  };
  for (const c of t.clusters) {
    if (c.etcd?.members) add(c, () => quorum("etcd", `etcd of cluster ${c.name?.value ?? `#${c.index + 1}`}`, c, c.etcd!.members!));
  }
  for (const s of t.stores) {
    const rep = s.replication?.value;
    if ((rep === "consensus" || rep === "galera") && s.members)
      add(s, () => quorum(rep, `store ${s.name?.value ?? `#${s.index + 1}`}`, s, s.members!));
  }
  return { list, byOwner };
}

/**
 * The quorum each owner (a cluster, a store) formed, with the sites' index it was read against:
 * a quorum reads only its owner and that index (memberCounts, `resolved`), and a keystroke
 * re-reads one item, so every other owner is the same object and its quorum is taken as it is.
 * A re-read owner is a new object (tracked: its reads are recorded as ever); an edit of `sites`
 * makes a new index, and every quorum is formed again.
 */
const QUORUM_OF = new WeakMap<Cluster | Store, { sites: ReadonlyMap<string, unknown>; q: Quorum }>();

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
