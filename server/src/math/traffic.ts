import { cmp, div, fromNumber, mul, rat, type Rational } from "./rational";

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
  /** which backends are up */
  readonly up: readonly boolean[];
  /** Σ surviving weights, exact */
  readonly total: Rational;
  /** no surviving weight: the traffic has nowhere to go */
  readonly stranded: boolean;
  readonly peak: number;
  readonly backends: readonly LoadBackend[];
}

const safe = (x: number) => Number.isSafeInteger(x);

/**
 * Every site up, or `lost` down (one site, or a predicate over backend sites for several):
 * who is up and the surviving weight.
 */
export function scenario(
  peak: number,
  backends: readonly LoadBackend[],
  lost?: string | ((site: string | undefined) => boolean),
): Scenario {
  const down = typeof lost === "function" ? lost : (site: string | undefined) => lost !== undefined && site === lost;
  const up = backends.map((b) => !down(b.site));
  let intSum = 0;
  let integers = true;
  for (let i = 0; i < backends.length; i++) {
    if (!up[i]) continue;
    if (safe(backends[i].weight)) intSum += backends[i].weight;
    else integers = false;
  }
  let total: Rational;
  if (integers && safe(intSum)) total = { n: BigInt(intSum), d: 1n };
  else
    total = backends.reduce(
      (acc, b, i) => (up[i] ? rat(acc.n * fromNumber(b.weight).d + fromNumber(b.weight).n * acc.d, acc.d * fromNumber(b.weight).d) : acc),
      rat(0n),
    );
  return { lost: typeof lost === "string" ? lost : undefined, up, total, stranded: total.n === 0n, peak, backends };
}

/** load_i = peak × w_i / Σ surviving w, exactly; undefined for a backend that is down. */
export function loadOf(s: Scenario, i: number): Rational | undefined {
  if (!s.up[i]) return undefined;
  if (s.stranded) return rat(0n);
  // integers (the usual case): one exact fraction, no decimal parsing
  const w = s.backends[i].weight;
  if (s.total.d === 1n && safe(s.peak) && safe(w) && safe(s.peak * w)) return rat(BigInt(s.peak * w), s.total.n);
  return div(mul(fromNumber(s.peak), fromNumber(s.backends[i].weight)), s.total);
}

/**
 * Whether backend i's load exceeds its capacity, compared exactly without building the load:
 * peak × w_i > capacity × Σw (plain numbers while every product stays a safe integer).
 */
export function overCapacity(s: Scenario, i: number, capacity: number | undefined = s.backends[i].capacity): boolean {
  if (capacity === undefined || !s.up[i] || s.stranded) return false;
  const w = s.backends[i].weight;
  if (safe(s.peak) && safe(w) && safe(capacity) && s.total.d === 1n) {
    const sum = Number(s.total.n);
    const left = s.peak * w;
    const right = capacity * sum;
    if (safe(left) && safe(right)) return left > right;
  }
  return cmp(loadOf(s, i)!, fromNumber(capacity)) > 0;
}

/** Every site that hosts a backend, in first-seen order. */
export function backendSites(backends: readonly LoadBackend[]): string[] {
  const seen = new Set<string>();
  for (const b of backends) if (b.site !== undefined) seen.add(b.site);
  return [...seen];
}

/** All-up first, then one scenario per single-site loss. */
export function scenarios(peak: number, backends: readonly LoadBackend[]): Scenario[] {
  return [scenario(peak, backends), ...backendSites(backends).map((s) => scenario(peak, backends, s))];
}
