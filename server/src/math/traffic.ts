import { add, cmp, div, fromNumber, mul, rat, toNumber, type Rational } from "./rational";

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
  /**
   * Catchment steering (anycast, geodns; review M69): the one site whose backends take the whole
   * share of the backends that are down — a BGP catchment moves to its next-best origin, a GeoDNS
   * region to its fallback, not pro rata — judged at the site it leaves the least headroom. Undefined: the
   * lost share is split by weight (gslb, weighted-dns), or nothing is lost.
   */
  readonly heir?: string;
  /** with `heir`: Σ every backend's weight, and Σ the up weights at the heir site */
  readonly allTotal?: Rational;
  readonly heirTotal?: Rational;
  /**
   * Every up backend has weight 0 (review M82): standbys — weighted DNS answers with its
   * zero-weight records once every weighted one is unhealthy (Route 53's documented failover), a
   * GSLB its backup pool — so they share the load equally (`total` is their count).
   */
  readonly standby?: boolean;
}

/** How a lost backend's share moves: by weight to every survivor, or whole to one site (`catchment`, or that `heir` site). */
export type Shift = "weight" | "catchment" | { readonly heir: string };

const safe = (x: number) => Number.isSafeInteger(x);

/**
 * Every site up, or `lost` down (one site, or a predicate over backend sites for several):
 * who is up and the surviving weight.
 */
export function scenario(
  peak: number,
  backends: readonly LoadBackend[],
  lost?: string | ((site: string | undefined) => boolean),
  shift: Shift = "weight",
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
  const base = { lost: typeof lost === "string" ? lost : undefined, up, total, stranded: total.n === 0n, peak, backends };
  // every remaining backend a standby (weight 0): they take the load, equally
  const count = base.stranded ? up.filter((u) => u).length : 0;
  if (count > 0) return { ...base, total: rat(BigInt(count)), stranded: false, standby: true };
  if (shift === "weight" || base.stranded || up.every((u) => u)) return base;
  return catchment(base, shift);
}

const weightSum = (bs: readonly LoadBackend[], pick: (i: number) => boolean): Rational =>
  bs.reduce((acc, b, i) => (pick(i) ? add(acc, fromNumber(b.weight)) : acc), rat(0n));

/** The scenario with the lost share moved whole to one up site: the given one, else the one where it leaves a backend the least headroom (the first on a tie). */
function catchment(s: Scenario, shift: Exclude<Shift, "weight">): Scenario {
  const allTotal = weightSum(s.backends, () => true);
  const at = (site: string) => ({
    ...s,
    heir: site,
    allTotal,
    heirTotal: weightSum(s.backends, (i) => s.up[i] && s.backends[i].site === site),
  });
  if (typeof shift === "object") return at(shift.heir);
  let best: { site: string; excess: number } | undefined;
  for (const site of backendSites(s.backends)) {
    // a site whose up backends are all standbys (weight 0) is no catchment's next origin
    if (!s.backends.some((b, i) => s.up[i] && b.site === site && b.weight > 0)) continue;
    const c = at(site);
    let excess = Number.NEGATIVE_INFINITY;
    s.backends.forEach((b, i) => {
      if (b.site === site && s.up[i] && b.capacity !== undefined) excess = Math.max(excess, toNumber(loadOf(c, i)!) - b.capacity);
    });
    if (!best || excess > best.excess) best = { site, excess };
  }
  return best ? at(best.site) : s;
}

/** load_i = peak × w_i / Σ surviving w, exactly; undefined for a backend that is down. */
/**
 * The lost sites' share of the peak, exactly: peak × (Σw of every backend − Σw of those up) / Σw of
 * every backend — what an heir site takes on top of its own (loadOf), and what simulate's note
 * says moved (one number, not a float beside the exact load).
 */
export function movedShare(s: Scenario, allTotal: Rational): Rational {
  return div(mul(fromNumber(s.peak), add(allTotal, rat(-s.total.n, s.total.d))), allTotal);
}

export function loadOf(s: Scenario, i: number): Rational | undefined {
  if (!s.up[i]) return undefined;
  if (s.stranded) return rat(0n);
  if (s.heir !== undefined && s.allTotal && s.heirTotal) {
    // its own share of every backend's weight, plus (at the heir site) the whole lost share by weight there
    const w = fromNumber(s.backends[i].weight);
    const own = div(mul(fromNumber(s.peak), w), s.allTotal);
    if (s.backends[i].site !== s.heir || s.heirTotal.n === 0n) return own;
    return add(own, div(mul(movedShare(s, s.allTotal), w), s.heirTotal));
  }
  // integers (the usual case): one exact fraction, no decimal parsing
  const w = s.standby ? 1 : s.backends[i].weight;
  if (s.total.d === 1n && safe(s.peak) && safe(w) && safe(s.peak * w)) return rat(BigInt(s.peak * w), s.total.n);
  return div(mul(fromNumber(s.peak), fromNumber(w)), s.total);
}

/**
 * Whether backend i's load exceeds its capacity, compared exactly without building the load:
 * peak × w_i > capacity × Σw (plain numbers while every product stays a safe integer).
 */
export function overCapacity(s: Scenario, i: number, capacity: number | undefined = s.backends[i].capacity): boolean {
  if (capacity === undefined || !s.up[i] || s.stranded) return false;
  if (s.heir !== undefined) return cmp(loadOf(s, i)!, fromNumber(capacity)) > 0;
  const w = s.standby ? 1 : s.backends[i].weight;
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
export function scenarios(peak: number, backends: readonly LoadBackend[], shift: Shift = "weight"): Scenario[] {
  return [scenario(peak, backends), ...backendSites(backends).map((s) => scenario(peak, backends, s, shift))];
}
