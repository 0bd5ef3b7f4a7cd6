/**
 * The load arithmetic of each traffic entry: backends as the arithmetic sees them, the load of
 * every backend with every site up and after each single-site loss, and the worst of them.
 * One implementation for traffic/capacity rules, hover, record and what-if. Pure; exact.
 */
import { cmp, type Rational } from "../math/rational";
import { loadOf, scenarios, type LoadBackend, type Scenario, type Shift } from "../math/traffic";
import type { Traffic } from "../model/topology";
import type { TopologyContext } from "./context";

/** Steering that answers by DNS: a failover waits for resolvers to drop the old answer (the TTL). */
export const DNS_STEERING: readonly string[] = ["gslb", "geodns", "weighted-dns"];
/**
 * How a lost site's share moves (review M69): anycast has no weights — BGP moves a lost site's
 * catchment to its next-best origin, typically one neighbour — and GeoDNS answers a failed
 * region with its configured or nearest fallback; only gslb and weighted-dns split it by weight.
 * So after a loss anycast and geodns are judged with the whole lost share at one surviving site
 * (math/traffic `catchment`): the one it overloads most in a scenario, and each in turn for a
 * backend's worst (capacity/site-loss: every survivor needs its share plus the whole lost share).
 */
export function shiftOf(tr: Traffic): Shift {
  const s = tr.steering?.value;
  return s === "anycast" || s === "geodns" ? "catchment" : "weight";
}

/** The DNS TTL range that fails over in time without resolvers overriding it (seconds). */
export const TTL_RANGE = [30, 120] as const;

/**
 * The backends of one entry point as the load arithmetic sees them, or undefined when a
 * backend's cluster or its site does not resolve (ref/unknown reports it; no guessing).
 */
export function loadBackends(ctx: TopologyContext, tr: Traffic): LoadBackend[] | undefined {
  return ctx.factOf(backendsOf, tr);
}

function backendsOf(ctx: TopologyContext, tr: Traffic): LoadBackend[] | undefined {
  const out: LoadBackend[] = [];
  for (const b of tr.backends) {
    if (!b.cluster || b.invalid.size) return undefined;
    const site = ctx.siteOfCluster(b.cluster.value);
    if (site === undefined) return undefined;
    out.push({ site, weight: b.weight?.value ?? 1, capacity: b.capacityRps?.value });
  }
  return out;
}

/**
 * The scenarios backend `i` is judged against — every site up, then each single-site loss: split
 * by weight (`all`, when the caller has them), or under catchment steering with the whole lost
 * share at `i`'s own site, its worst case. One rule for loadsOf's `worst` and capacity/site-loss.
 */
export function judgedScenarios(
  peak: number,
  backends: readonly LoadBackend[],
  shift: Shift,
  i: number,
  all: readonly Scenario[] = scenarios(peak, backends, shift),
): readonly Scenario[] {
  const site = backends[i].site;
  return shift === "weight" || site === undefined ? all : scenarios(peak, backends, { heir: site });
}

export interface TrafficLoads {
  readonly traffic: Traffic;
  readonly peak: number;
  readonly backends: readonly LoadBackend[];
  /** every site up first, then one per single-site loss (math/traffic `scenarios`) */
  readonly scenarios: readonly Scenario[];
  /** per backend: the largest load it carries in any of those scenarios (undefined if it never carries any) */
  readonly worst: readonly (Rational | undefined)[];
}

/** The loads of one traffic entry with peakRps and resolvable backends; undefined otherwise. */
export function trafficLoads(ctx: TopologyContext, tr: Traffic): TrafficLoads | undefined {
  return ctx.factOf(loadsOf, tr);
}

function loadsOf(ctx: TopologyContext, tr: Traffic): TrafficLoads | undefined {
  const backends = loadBackends(ctx, tr);
  const peak = tr.peakRps?.value;
  if (!backends || peak === undefined) return undefined;
  const shift = shiftOf(tr);
  const all = scenarios(peak, backends, shift);
  const worst = backends.map((_, i) => {
    let w: Rational | undefined;
    for (const s of judgedScenarios(peak, backends, shift, i, all)) {
      const l = loadOf(s, i);
      if (l && !s.stranded && (!w || cmp(l, w) > 0)) w = l;
    }
    return w;
  });
  return { traffic: tr, peak, backends, scenarios: all, worst };
}
