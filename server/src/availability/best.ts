/**
 * A traffic entry's served fraction at the best leader placement (the upper end of its range):
 * one placement per quorum, shared by every backend, the one losing the fewest requests in each
 * state. The figures' served fraction is the lower end — each backend at the placement worst
 * for it — for leadership stays wherever it was when the links went and nobody chooses it.
 * The minimum is taken state by state over every site and link the entry reads (it does not
 * commute with the closed-form sums of `factor`), so the states are enumerated whole, within a
 * budget of their own. Pure: no editor, no connection, no Node APIs.
 */
import { componentsOf, enumerateStates } from "./enumerate";
import { type BestJudgement, entityLinks, entitySites, judgeTrafficBest, type LeanDesign, type LeanTraffic } from "./lean";

/** States judged for one entry's best placement at most (each tries every placement): the rest is bounded. */
export const BEST_STATE_BUDGET = 100_000;

export interface BestServed {
  /** the expected fraction served at the best placement, lower end: every unjudged state counted at the worst placement's loss, or all of it */
  readonly fraction: number;
  /** the upper end: the unjudged states counted as losing nothing (equal to `fraction` when exact); 1 when some state had too many placements to try them all */
  readonly upper: number;
  /** exact: every state judged and every placement tried in each */
  readonly method: "exact" | "bounded";
  readonly states: number;
  /** some state had more placements than were tried (MAX_PLACEMENTS): its loss is a placement found, not the least */
  readonly placementsBounded: boolean;
}

/**
 * The served fraction at the best placement, given the figures' own (`worst`, exact or a lower
 * end), which it never falls below: in every state the best placement loses at most what each
 * backend at its worst placement does. Entries that write to no quorum have nothing to place:
 * the two are one figure.
 */
export function bestServed(d: LeanDesign, e: LeanTraffic, worst: number, worstExact: boolean, budget = BEST_STATE_BUDGET): BestServed {
  if (!e.deps.some((x) => x.type === "quorum"))
    return { fraction: worst, upper: worst, method: worstExact ? "exact" : "bounded", states: 0, placementsBounded: false };
  const comps = componentsOf(d, entitySites(e), entityLinks(d, e));
  const j: BestJudgement = { lostRps: 0, exact: true };
  let lost = 0;
  let placementsBounded = false;
  const r = enumerateStates(d, comps, budget, (s, p) => {
    judgeTrafficBest(d, s, e, j);
    lost += p * j.lostRps;
    if (!j.exact) placementsBounded = true;
  });
  const served = e.peak > 0 ? 1 - lost / e.peak : 1;
  const fraction = Math.min(1, Math.max(worst, served - r.unjudged));
  return {
    fraction,
    upper: placementsBounded ? 1 : Math.max(fraction, Math.min(1, served)),
    method: r.method === "exact" && !placementsBounded ? "exact" : "bounded",
    states: r.states,
    placementsBounded,
  };
}
