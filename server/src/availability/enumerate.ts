/**
 * States of the components an entity depends on, enumerated in increasing number of failures
 * (availability.md): every state with 0 failures, then every state with 1, … until the
 * probability of the states not yet judged is below 10⁻⁹ (or every state was judged: `exact`),
 * or the next level does not fit in the state budget (`bounded`). Never sampled.
 * Pure: no editor, no connection, no Node APIs.
 */
import type { LeanDesign, LeanState } from "./lean";

/** Enumeration stops once the states not yet judged weigh less than this. */
export const UNJUDGED_TARGET = 1e-9;
/** Entities with at most this many failing components (4,096 states) are always judged exactly. */
export const EXACT_COMPONENTS = 12;
/** Minimal cut sets are collected up to this many components (the likely ones; larger ones are far less probable). */
export const MAX_CUT_ORDER = 3;

/** One component that can fail: a site or a link, with its probability of being down. */
export interface Component {
  readonly type: "site" | "link";
  /** index into the design's sites or links */
  readonly index: number;
  readonly q: number;
  readonly name: string;
}

export interface EnumerationResult {
  readonly method: "exact" | "bounded";
  /** probability of the states not judged (0 when exact) */
  readonly unjudged: number;
  readonly states: number;
  /** every state with at most this many failed components was judged */
  readonly maxFailures: number;
  /** minimal sets of failed components that break the entity (up to MAX_CUT_ORDER), by index into the components */
  readonly cutSets: number[][];
  /** the entity is broken with every component up */
  readonly brokenAllUp: boolean;
}

/** The components (failure probability > 0) among the given sites and links of a design. */
export function componentsOf(d: LeanDesign, sites: readonly number[], links: readonly number[]): Component[] {
  const out: Component[] = [];
  for (const i of sites) if (d.siteQ[i] > 0) out.push({ type: "site", index: i, q: d.siteQ[i], name: d.sites[i] });
  for (const l of links) {
    const link = d.links[l];
    if (link.q > 0) out.push({ type: "link", index: l, q: link.q, name: `${d.sites[link.a]}–${d.sites[link.b]} link` });
  }
  return out;
}

/** P(exactly j components down) for j = 0..m (Poisson-binomial, by dynamic programming). */
export function failureCountDistribution(comps: readonly Component[]): Float64Array {
  let f = new Float64Array(comps.length + 1);
  f[0] = 1;
  comps.forEach((c, i) => {
    const g = new Float64Array(comps.length + 1);
    for (let j = 0; j <= i; j++) {
      g[j] += f[j] * (1 - c.q);
      g[j + 1] += f[j] * c.q;
    }
    f = g;
  });
  return f;
}

function binomial(m: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (m - k + i)) / i;
  return Math.round(r);
}

/**
 * Judges every state of `comps` level by level. `judge(state, p)` is called once per state
 * with its probability and returns whether the entity is broken in it (for cut sets). The
 * state arrays are shared and restored after each call: the judge must not keep them.
 */
export function enumerateStates(
  d: LeanDesign,
  comps: readonly Component[],
  budget: number,
  judge: (s: LeanState, p: number) => boolean,
): EnumerationResult {
  const m = comps.length;
  const state: LeanState = { siteUp: new Uint8Array(d.sites.length).fill(1), linkUp: new Uint8Array(d.links.length).fill(1) };
  const dist = failureCountDistribution(comps);
  // tail[k] = P(more than k failures), summed from the smallest terms up
  const tail = new Float64Array(m + 1);
  for (let k = m - 1; k >= 0; k--) tail[k] = tail[k + 1] + dist[k + 1];
  let p0 = 1;
  for (const c of comps) p0 *= 1 - c.q;
  const ratio = comps.map((c) => c.q / (1 - c.q));
  const set = (c: Component, v: number) => {
    if (c.type === "site") state.siteUp[c.index] = v;
    else state.linkUp[c.index] = v;
  };

  const brokenKeys = new Set<string>();
  const cutSets: number[][] = [];
  const chosen: number[] = [];
  let states = 0;
  let brokenAllUp = false;
  const isMinimal = (k: number): boolean => {
    // a proper non-empty subset already broken makes this set not minimal (k ≤ MAX_CUT_ORDER: at most 6 subsets)
    for (let mask = 1; mask < (1 << k) - 1; mask++) {
      const sub: number[] = [];
      for (let i = 0; i < k; i++) if (mask & (1 << i)) sub.push(chosen[i]);
      if (brokenKeys.has(sub.join(","))) return false;
    }
    return true;
  };
  const visit = (k: number, p: number) => {
    states++;
    const broken = judge(state, p);
    if (!broken || k === 0 || k > MAX_CUT_ORDER || brokenAllUp) {
      if (broken && k === 0) brokenAllUp = true;
      return;
    }
    if (k < MAX_CUT_ORDER) brokenKeys.add(chosen.join(","));
    if (isMinimal(k)) cutSets.push([...chosen]);
  };
  const level = (k: number, start: number, p: number) => {
    if (chosen.length === k) {
      visit(k, p);
      return;
    }
    for (let i = start; i <= m - (k - chosen.length); i++) {
      chosen.push(i);
      set(comps[i], 0);
      level(k, i + 1, p * ratio[i]);
      set(comps[i], 1);
      chosen.pop();
    }
  };

  let k = 0;
  for (; k <= m; k++) {
    // a small entity is judged whole (exact) even once the rest weighs less than the target
    if (k > 0 && tail[k - 1] < UNJUDGED_TARGET && m > EXACT_COMPONENTS) break;
    const count = binomial(m, k);
    if (states + count > budget && k > 0) break;
    level(k, 0, p0);
  }
  const maxFailures = k - 1;
  const exact = maxFailures >= m;
  return { method: exact ? "exact" : "bounded", unjudged: exact ? 0 : tail[maxFailures], states, maxFailures, cutSets, brokenAllUp };
}
