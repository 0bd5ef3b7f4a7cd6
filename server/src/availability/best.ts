/**
 * A traffic entry's served fraction at the best leader placement (the upper end of its range):
 * each quorum's leader pinned at one member site for the whole year (lease preferences), the
 * pins losing the fewest requests over every state, and named. While a pinned site cannot lead
 * (down, or on a minority's side) leadership is wherever the election put it, judged at the
 * placement losing the most as the lower end is (lean judgeTrafficPinned). The figures'
 * served fraction is the lower end — in every state the one placement losing the most requests
 * (review M95: the leader is in one place, not at each backend's worst at once), for without a
 * pin leadership stays wherever it was when the links went and nobody chooses it.
 * A per-state best would be no placement at all: no pin moves the leader to the ideal site for
 * each failure. The pins' losses do not commute with the closed-form sums of `factor`, so the
 * states are enumerated whole, within a budget of their own. Pure: no editor, no connection,
 * no Node APIs.
 */
import { leaderUnpinnable } from "../derive/engines";
import { finish, type Steps } from "../util/steps";
import { componentsOf, enumerateStatesSteps } from "./enumerate";
import { entityLinks, entitySites, judgeTrafficPinned, type LeanDesign, type LeanQuorum, type LeanTraffic, MAX_PLACEMENTS } from "./lean";

/** How an engine pins a leader, in its own words; undefined for an engine Quorate does not know (review style: YugabyteDB's are not CockroachDB's). */
export function pinWords(engine: string | undefined): string | undefined {
  // by name, whatever version follows it ("cockroachdb 24.1", review M74)
  const e = engine?.toLowerCase() ?? "";
  if (/^cockroach/.test(e)) return "lease preferences";
  if (/^yugabyte/.test(e)) return "preferred zones, yb-admin set_preferred_zones";
  if (/^tidb/.test(e)) return "a placement policy's PRIMARY_REGION";
  // the primary is the electable member of highest priority that is up to date (review M98 nit: its mechanism named, as the others')
  if (/^mongo/.test(e)) return "member priority, set by rs.reconfig";
  return undefined;
}

/** States judged for one entry's best placement at most (each judges every pin): the rest is bounded. */
export const BEST_STATE_BUDGET = 100_000;

/** Where one quorum's leader is pinned. */
export interface Pin {
  /** the quorum, as the figures name it ("store ledger") */
  readonly quorum: string;
  readonly site: string;
  /** how its engine pins a leader ("lease preferences"), when Quorate knows its word */
  readonly by?: string;
}

export interface BestServed {
  /** the expected fraction served at the best pins, lower end: every unjudged state counted at the worst placement's loss, or all of it */
  readonly fraction: number;
  /** the upper end: the unjudged states counted as losing nothing (equal to `fraction` when exact); 1 when some pins were not tried */
  readonly upper: number;
  /** exact: every state judged and every pin tried */
  readonly method: "exact" | "bounded";
  readonly states: number;
  /** the entry's quorums have more pin combinations than MAX_PLACEMENTS: the best of those tried, not necessarily the best */
  readonly placementsBounded: boolean;
  /** the pins giving `fraction`, one per quorum the entry writes (the first in site order on a tie) */
  readonly pins: readonly Pin[];
  /**
   * Review M117: every pin combination tried, with the entry's availability there (the share of
   * the year in which it loses no request, lower end: the unjudged states counted as losses) —
   * what a pin costs the entry point, which the pin best for write latency may not say.
   */
  readonly byPin?: readonly PinAvailability[];
}

/** One pin combination's figure: the member site of each quorum (in `pins`' order), and how often the entry then loses no request. */
export interface PinAvailability {
  readonly sites: readonly string[];
  readonly availability: number;
  /** the share of the entry's requests served there (unjudged states not counted) */
  readonly served: number;
}

/**
 * The served fraction at the best pins, given the figures' own (`worst`, exact or a lower end),
 * which it never falls below: in every state a pinned leader loses at most what the placement
 * losing the most does. Entries that write to no quorum have nothing to place: the two are
 * one figure.
 */
export function bestServed(d: LeanDesign, e: LeanTraffic, worst: number, worstExact: boolean, budget = BEST_STATE_BUDGET): BestServed {
  return finish(bestServedSteps(d, e, worst, worstExact, budget));
}

/** bestServed step-wise (its states judged STATES_PER_STEP at a time, enumerate.ts): the editor computes it between keystrokes. */
export function* bestServedSteps(
  d: LeanDesign,
  e: LeanTraffic,
  worst: number,
  worstExact: boolean,
  budget = BEST_STATE_BUDGET,
): Steps<BestServed> {
  const quorums = e.deps.filter((x): x is LeanQuorum => x.type === "quorum");
  // a store whose engine cannot keep a pinned leader (etcd, Consul) has no best end: the worst placement is what it gets (review M98)
  const unpinnable = quorums.some((q) => leaderUnpinnable((q.owner as { engine?: { value: string } }).engine?.value) !== undefined);
  if (!quorums.length || unpinnable)
    return { fraction: worst, upper: worst, method: worstExact ? "exact" : "bounded", states: 0, placementsBounded: false, pins: [] };
  const combos = quorums.reduce((a, q) => a * q.sites.length, 1);
  const pins = Array.from({ length: Math.min(combos, MAX_PLACEMENTS) }, (_, c) => pinsOf(quorums, c));
  const lost = new Float64Array(pins.length);
  const any = new Float64Array(pins.length);
  const here = new Float64Array(pins.length);
  const comps = componentsOf(d, entitySites(e), entityLinks(d, e));
  const r = yield* enumerateStatesSteps(d, comps, budget, (s, p) => {
    judgeTrafficPinned(d, s, e, pins, here);
    for (let c = 0; c < pins.length; c++) {
      lost[c] += p * here[c];
      if (here[c] > e.peak * 1e-12) any[c] += p;
    }
  });
  let best = 0;
  for (let c = 1; c < pins.length; c++) if (lost[c] < lost[best] - 1e-15) best = c;
  const served = e.peak > 0 ? 1 - lost[best] / e.peak : 1;
  const fraction = Math.min(1, Math.max(worst, served - r.unjudged));
  const placementsBounded = combos > pins.length;
  return {
    fraction,
    upper: placementsBounded ? 1 : Math.max(fraction, Math.min(1, served)),
    method: r.method === "exact" && !placementsBounded ? "exact" : "bounded",
    states: r.states,
    placementsBounded,
    pins: quorums.map((q, k) => {
      const by = pinWords((q.owner as { engine?: { value: string } }).engine?.value);
      return { quorum: q.name, site: d.sites[q.sites[pins[best][k]]], ...(by ? { by } : {}) };
    }),
    byPin: pins.map((at, c) => ({
      sites: quorums.map((q, k) => d.sites[q.sites[at[k]]]),
      availability: 1 - Math.min(1, any[c] + r.unjudged),
      served: e.peak > 0 ? 1 - lost[c] / e.peak : 1,
    })),
  };
}

/** The c-th pin combination, a mixed-radix number over the quorums' member sites (the first quorum's digit fastest). */
function pinsOf(quorums: readonly LeanQuorum[], c: number): Int32Array {
  const at = new Int32Array(quorums.length);
  for (let k = 0; k < quorums.length; k++) {
    at[k] = c % quorums[k].sites.length;
    c = Math.floor(c / quorums[k].sites.length);
  }
  return at;
}
