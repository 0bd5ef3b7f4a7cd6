/**
 * What a leader pin costs the entry points that write to the store (review M117): one fact, read
 * by every line that advises a pin — simulate's note, the record's Write-latency table, the write
 * budget's figure — so the pin best for write latency is never advised without the requests it
 * loses. Where the engine relays a write through a follower (CockroachDB 24.1 and later) a client
 * cut off from the leader still writes, and no pin costs anything; where it relays nothing, a
 * leader at a site the writers reach only over one link each (a witness) makes each of those links
 * a cut that stops that side's writes. The figures are the availability engine's own (bestServed's
 * per-pin availability): nothing here judges a state. Pure: no editor, no connection, no Node APIs.
 */
import type { TopologyContext } from "../derive/context";
import { relayOf } from "../derive/latency";
import { majority, total } from "../math/quorum";
import type { Store, Traffic } from "../model/topology";
import { availabilityPercent } from "../util/format";
import { listText } from "../util/strings";
import { type PinAvailability, pinWords } from "./best";
import { reportOf } from "./figures";

/** One entry point's availability with the leader at the advised site and at its best pin. */
export interface EntryPinCost {
  /** "checkout" */
  readonly entry: string;
  /** the entry's availability (every request served) with the leader pinned at the advised site */
  readonly at: number;
  /** the highest over the store's member sites (the other stores' leaders at their own best pins) */
  readonly best: number;
  /** the member sites giving `best`, in site order */
  readonly bestSites: readonly string[];
  /** of `bestSites`, those losing the fewest requests (all of them when they tie on that too) */
  readonly fewestLost: readonly string[];
}

export interface PinCost {
  readonly store: string;
  /** the advised site (the pin best for write latency) */
  readonly site: string;
  /** the store's engine as written ("cockroachdb 23.2") */
  readonly engine: string;
  /** single links whose cut alone stops a writing site's writes with the leader at `site` ("fra–ams") */
  readonly links: readonly string[];
  /** the entry points that lose availability with the leader at `site` */
  readonly entries: readonly EntryPinCost[];
}

/** How much below counts as a cost: figures that agree to this share are the same figure. */
const SAME = 1e-9;

/**
 * What pinning `store`'s leader at `site` costs the entry points writing to it, or undefined when
 * it costs none (the engine relays, or every pin gives each entry the same figure, or the design
 * declares no availability).
 */
export function pinCost(ctx: TopologyContext, store: Store, site: string): PinCost | undefined {
  const q = ctx.quorumOf(store);
  const name = store.name?.value;
  // a relay the engine declares: a client cut off from the leader writes through a follower (an assumed one: the figures count it already)
  if (!q || !name || q.kind !== "consensus" || relayOf(q) === "declared") return undefined;
  const report = reportOf(ctx);
  if (!report.declared) return undefined;
  const entries: EntryPinCost[] = [];
  const writers = new Set<string>();
  for (const f of report.figures) {
    const b = f.servedBest;
    if (f.kind !== "traffic" || !b?.byPin) continue;
    const k = b.pins.findIndex((p) => p.quorum === q.label);
    if (k < 0) continue;
    // this store's leader at each member site, the others' at their best pins
    const rows = b.byPin.filter((r) => r.sites.every((s, j) => j === k || s === b.pins[j].site));
    const at = rows.find((r) => r.sites[k] === site);
    if (!at) continue;
    const best = Math.max(...rows.map((r) => r.availability));
    if (at.availability >= best - SAME) continue;
    entries.push({
      entry: f.entity,
      at: at.availability,
      best,
      ...bestOf(rows, k, best),
    });
    for (const be of (f.owner as Traffic).backends) {
      const s = be.cluster && ctx.siteOfCluster(be.cluster.value);
      if (s) writers.add(s);
    }
  }
  if (!entries.length) return undefined;
  return {
    store: name,
    site,
    engine: store.engine?.value ?? "an undeclared engine",
    links: cutLinks(ctx, q.counts, [...writers], site),
    entries,
  };
}

/**
 * The links between a writing site and `leader` whose cut alone stops that site's writes: the
 * leader keeps a majority on its side (it stays where it is), and the writer reaches it no other
 * way (Quorate routes over declared links only).
 */
function cutLinks(ctx: TopologyContext, counts: ReadonlyMap<string, number>, writers: readonly string[], leader: string): string[] {
  const maj = majority(total(counts));
  const out: string[] = [];
  for (const w of writers) {
    const l = ctx.link(w, leader);
    if (w === leader || !l || (l.availability?.value ?? 1) >= 1) continue;
    let votes = 0;
    for (const [m, c] of counts) if (m === leader || (m !== w && ctx.link(leader, m))) votes += c;
    if (votes >= maj) out.push(`${w}–${leader}`);
  }
  return out;
}

/** The member sites giving `best`, and of those the ones serving the most requests (within rounding: a tie is a tie). */
export function bestOf(rows: readonly PinAvailability[], k: number, best: number): { bestSites: string[]; fewestLost: string[] } {
  const top = rows.filter((r) => r.availability >= best - SAME);
  const most = Math.max(...top.map((r) => r.served));
  return { bestSites: top.map((r) => r.sites[k]), fewestLost: top.filter((r) => r.served >= most - SAME).map((r) => r.sites[k]) };
}

/** "fra or lon" */
const orList = (xs: readonly string[]) => listText([...xs]).replace(/ and (?=[^,]*$)/, " or ");

/**
 * "without a follower relay (cockroachdb 23.2 has none; CockroachDB 24.1 adds it) a cut of fra–ams
 * or lon–ams stops that side's writes: checkout serves every request 99.8993% of the time with the
 * leader pinned at ams, 99.9489% at fra or lon (fra loses the fewest requests)"
 */
export function pinCostText(c: PinCost): string {
  const cockroach = /cockroach/i.test(c.engine);
  // an engine Quorate does not know is judged without a relay: said as what is counted, not as a fact of the engine
  const known = pinWords(c.engine) !== undefined;
  const none = known ? `${c.engine} has none${cockroach ? "; CockroachDB 24.1 adds it" : ""}` : `none counted for ${c.engine}`;
  const relay = `without a follower relay (${none})`;
  const cut = c.links.length
    ? ` a cut of ${orList(c.links)} stops that side's writes`
    : ` the leader at ${c.site} loses writes the other pins keep`;
  const each = c.entries.map((e) => {
    // a tie on requests served too names no site (review: fra and lon both served 99.9737%)
    const fewest =
      e.fewestLost.length < e.bestSites.length
        ? ` (${orList(e.fewestLost)} ${e.fewestLost.length > 1 ? "lose" : "loses"} the fewest requests)`
        : "";
    return `${e.entry} serves every request ${availabilityPercent(e.at)} of the time with the leader pinned at ${c.site}, ${availabilityPercent(e.best)} at ${orList(e.bestSites)}${fewest}`;
  });
  return `${relay}${cut}: ${each.join("; ")}`;
}

/** pinCostText of `store` pinned at `site`, or undefined when the pin costs nothing. */
export function pinCostOf(ctx: TopologyContext, store: Store, site: string): string | undefined {
  const c = pinCost(ctx, store, site);
  return c && pinCostText(c);
}
