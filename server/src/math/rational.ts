/** Exact non-negative-or-negative rationals over BigInt, for comparisons that must not round. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint; // always > 0
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError("division by zero");
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** The exact value of a number as written in decimal (JS's shortest round-trip form). */
export function fromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`cannot read ${x}`);
  const [, sign, int, frac = "", exp = "0"] = m;
  let n = BigInt(int + frac);
  let d = 10n ** BigInt(frac.length);
  const e = Number(exp);
  if (e >= 0) n *= 10n ** BigInt(e);
  else d *= 10n ** BigInt(-e);
  return rat(sign ? -n : n, d);
}

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => rat(a.n * b.d, a.d * b.n);
export const cmp = (a: Rational, b: Rational): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const toNumber = (a: Rational): number => Number(a.n) / Number(a.d);

/** Smallest integer ≥ a. */
export function ceil(a: Rational): bigint {
  const q = a.n / a.d;
  return a.n % a.d === 0n || a.n < 0n ? q : q + 1n;
}

/** For messages: an integer when exact, else up to `digits` decimals. */
export function format(a: Rational, digits = 1): string {
  if (a.n % a.d === 0n) return (a.n / a.d).toString();
  return toNumber(a)
    .toFixed(digits)
    .replace(/\.?0+$/, "");
}
