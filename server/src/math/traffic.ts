import { add, cmp, div, fromNumber, mul, rat, type Rational } from "./rational";

/** One backend as the load arithmetic sees it. */
export interface LoadBackend {
  /** the site of the backend's cluster; undefined = unknown (never lost) */
  readonly site?: string;
  readonly weight: number;
  readonly capacity?: number;
}

export interface Scenario {
  /** undefined = every site up */
  readonly lost?: string;
  /** load per backend (undefined for a backend that is down), exact */
  readonly loads: (Rational | undefined)[];
  /** no surviving weight: the traffic has nowhere to go */
  readonly stranded: boolean;
}

/** load_i = peak × w_i / Σ surviving w, exactly. */
export function shareLoads(peak: number, backends: readonly LoadBackend[], lost?: string): Scenario {
  const up = backends.map((b) => lost === undefined || b.site !== lost);
  let sum = rat(0n);
  backends.forEach((b, i) => {
    if (up[i]) sum = add(sum, fromNumber(b.weight));
  });
  const stranded = sum.n === 0n;
  const p = fromNumber(peak);
  const loads = backends.map((b, i) => (!up[i] ? undefined : stranded ? rat(0n) : div(mul(p, fromNumber(b.weight)), sum)));
  return { lost, loads, stranded };
}

/** Every site that hosts a backend, in first-seen order. */
export function backendSites(backends: readonly LoadBackend[]): string[] {
  const seen: string[] = [];
  for (const b of backends) if (b.site !== undefined && !seen.includes(b.site)) seen.push(b.site);
  return seen;
}

/** All-up first, then one scenario per single-site loss. */
export function scenarios(peak: number, backends: readonly LoadBackend[]): Scenario[] {
  return [shareLoads(peak, backends), ...backendSites(backends).map((s) => shareLoads(peak, backends, s))];
}

/** Strictly more than capacity, compared exactly. */
export function exceeds(load: Rational | undefined, capacity: number | undefined): boolean {
  return load !== undefined && capacity !== undefined && cmp(load, fromNumber(capacity)) > 0;
}
