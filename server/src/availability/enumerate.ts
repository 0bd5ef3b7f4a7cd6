/**
 * States of the components an entity depends on, enumerated in increasing number of failures
 * (availability.md): every state with 0 failures, then every state with 1, … until the
 * probability of the states not yet judged is below 10⁻⁹ (or every state was judged: `exact`),
 * or the next level does not fit in the state budget (`bounded`). Never sampled.
 * Pure: no editor, no connection, no Node APIs.
 */
import { finish, type Steps } from "../util/steps";
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

/** States judged between two yields of enumerateStatesSteps: about a millisecond of the editor's thread at twenty sites. */
export const STATES_PER_STEP = 128;

/**
 * Judges every state of `comps` level by level. `judge(state, p, failed)` is called once per
 * state with its probability and the indexes (into `comps`, ascending) of the components down
 * in it. The state arrays and `failed` are shared and restored after each call: the judge must
 * not keep them.
 */
export function enumerateStates(
  d: LeanDesign,
  comps: readonly Component[],
  budget: number,
  judge: (s: LeanState, p: number, failed: readonly number[]) => void,
): EnumerationResult {
  return finish(enumerateStatesSteps(d, comps, budget, judge));
}

/**
 * enumerateStates step-wise: it yields every `per` states, so the editor's thread (service.ts,
 * stepThrough) takes keystrokes and hovers between them — one entity of twenty sites was one
 * 1.6 s step. Each level's subsets in lexicographic order, each state's probability the product
 * of p0 and the ratios of its failed components in that order (prefix products): the states, and
 * every sum over them, in the order and to the bit of the recursion it replaces.
 */
export function* enumerateStatesSteps(
  d: LeanDesign,
  comps: readonly Component[],
  budget: number,
  judge: (s: LeanState, p: number, failed: readonly number[]) => void,
  per = STATES_PER_STEP,
): Steps<EnumerationResult> {
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
  // chosen: the failed components of the state judged; pre[j]: p0 times the ratios of chosen[0..j)
  const chosen: number[] = [];
  const pre = new Float64Array(m + 1);
  pre[0] = p0;
  // chosen[j..k) from `first` on, consecutive, each down
  const fill = (j: number, k: number, first: number) => {
    for (let t = j, c = first; t < k; t++, c++) {
      chosen[t] = c;
      set(comps[c], 0);
      pre[t + 1] = pre[t] * ratio[c];
    }
  };
  let states = 0;
  let k = 0;
  for (; k <= m; k++) {
    // a small entity is judged whole (exact) even once the rest weighs less than the target
    if (k > 0 && tail[k - 1] < UNJUDGED_TARGET && m > EXACT_COMPONENTS) break;
    const count = binomial(m, k);
    if (states + count > budget && k > 0) break;
    chosen.length = k;
    fill(0, k, 0);
    for (;;) {
      states++;
      judge(state, pre[k], chosen);
      if (states % per === 0) yield;
      // the next subset: the rightmost component that can move moves one on, those after it follow it
      let j = k - 1;
      while (j >= 0 && chosen[j] === m - k + j) j--;
      for (let t = Math.max(j, 0); t < k; t++) set(comps[chosen[t]], 1);
      if (j < 0) break;
      fill(j, k, chosen[j] + 1);
    }
  }
  const maxFailures = k - 1;
  const exact = maxFailures >= m;
  return { method: exact ? "exact" : "bounded", unjudged: exact ? 0 : tail[maxFailures], states, maxFailures };
}

/**
 * The minimal cut sets: sets of at most MAX_CUT_ORDER components which, down together with
 * everything else up, break the entity, and no proper subset of which does. Every such broken
 * set (or one of its broken subsets) is offered with `add`; `minimal` keeps those with no
 * offered proper subset — which is minimality, since whatever breaks a subset was offered too.
 */
export class CutSets {
  private readonly keys = new Set<string>();
  private readonly sets: number[][] = [];
  /** the entity is broken with every component up: no cut set explains it */
  brokenAllUp = false;

  /** `set`: component indexes, ascending */
  add(set: readonly number[]): void {
    if (!set.length) {
      this.brokenAllUp = true;
      return;
    }
    if (set.length > MAX_CUT_ORDER) return;
    const key = set.join(",");
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.sets.push([...set]);
  }

  /** The minimal sets (none when broken with everything up). */
  minimal(): number[][] {
    if (this.brokenAllUp) return [];
    return this.sets.filter((set) => {
      const k = set.length;
      for (let mask = 1; mask < (1 << k) - 1; mask++) {
        const sub: number[] = [];
        for (let i = 0; i < k; i++) if (mask & (1 << i)) sub.push(set[i]);
        if (this.keys.has(sub.join(","))) return false;
      }
      return true;
    });
  }
}
