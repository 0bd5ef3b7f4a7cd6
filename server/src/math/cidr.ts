/** IPv4/IPv6 prefix arithmetic on BigInt addresses. */
export type Family = 4 | 6;

export interface Cidr {
  readonly family: Family;
  /** the address as written (host bits possibly set) */
  readonly address: bigint;
  readonly prefix: number;
  /** the masked network */
  readonly first: bigint;
  readonly last: bigint;
}

export const bitsOf = (f: Family): number => (f === 4 ? 32 : 128);

/** An IPv4 address in `s[0, end)` as a number (it fits exactly), or -1. */
function v4Number(s: string, end: number): number {
  // hand-rolled: this runs for every range of every cluster when a file is opened
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || parts === 4) return -1;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // leading zeros are ambiguous (octal in some parsers): Go and Kubernetes reject them
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (i === pieces.length - 1 && p.includes(".")) {
        const v4 = v4Number(p, p.length);
        if (v4 < 0) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else all = head;
  if (all.length !== 8) return undefined;
  // four 32-bit words: seven BigInt operations rather than sixteen
  const word = (k: number) => BigInt(all[k] * 65536 + all[k + 1]);
  return (word(0) << 96n) | (word(2) << 64n) | (word(4) << 32n) | word(6);
}

const hostMasks = new Map<number, bigint>();
/** The host-bit mask of a prefix, cached: 129 + 33 values in all. */
function hostMask(family: Family, prefix: number): bigint {
  const key = family * 256 + prefix;
  let m = hostMasks.get(key);
  if (m === undefined) {
    m = (1n << BigInt(bitsOf(family) - prefix)) - 1n;
    hostMasks.set(key, m);
  }
  return m;
}

export function makeCidr(family: Family, address: bigint, prefix: number): Cidr {
  const host = hostMask(family, prefix);
  const first = address & ~host;
  return { family, address, prefix, first, last: first | host };
}

const memo = new Map<string, Cidr | null>();
/**
 * Parses `a.b.c.d/n` or an IPv6 prefix; undefined when it is not one. Memoized: the same
 * strings are parsed on every keystroke (the cache is dropped when it grows past 200k).
 */
export function parseCidr(text: string): Cidr | undefined {
  const hit = memo.get(text);
  if (hit !== undefined) return hit ?? undefined;
  if (memo.size > 200_000) memo.clear();
  const c = parseCidrUncached(text);
  memo.set(text, c ?? null);
  return c;
}

/** `address/prefix`: the prefix 1–3 digits without a leading zero, the address without spaces. */
function parseCidrUncached(raw: string): Cidr | undefined {
  const text = raw.trim();
  const slash = text.indexOf("/");
  const digits = text.length - slash - 1;
  if (slash <= 0 || digits < 1 || digits > 3) return undefined;
  if (digits > 1 && text.charCodeAt(slash + 1) === 48) return undefined;
  let prefix = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    prefix = prefix * 10 + (c - 48);
  }
  if (text.lastIndexOf(":", slash) < 0) {
    // IPv4: exact in plain numbers, three BigInts made at the end
    const v = v4Number(text, slash);
    if (v < 0 || prefix > 32) return undefined;
    const block = 2 ** (32 - prefix);
    const first = v - (v % block);
    return { family: 4, address: BigInt(v), prefix, first: BigInt(first), last: BigInt(first + block - 1) };
  }
  const address = parseV6(text.slice(0, slash));
  if (address === undefined || prefix > 128) return undefined;
  return makeCidr(6, address, prefix);
}

export function formatAddress(family: Family, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
  const g = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups (the first on a tie)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/**
 * The masked network in canonical text: `10.0.0.0/16`, `fd00::/64`. Kept per range (parseCidr
 * returns one object per text): a range that overlaps thousands of others is named in each of
 * their findings.
 */
export function canonical(c: Cidr): string {
  let s = canonicalText.get(c);
  if (s === undefined) {
    s = `${formatAddress(c.family, c.first)}/${c.prefix}`;
    canonicalText.set(c, s);
  }
  return s;
}
const canonicalText = new WeakMap<Cidr, string>();

export const hasHostBits = (c: Cidr): boolean => c.address !== c.first;
export const size = (c: Cidr): bigint => c.last - c.first + 1n;
export const contains = (outer: Cidr, inner: Cidr): boolean =>
  outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
/** CIDRs are nested or disjoint: they overlap when one contains the other's first address. */
export const overlaps = (a: Cidr, b: Cidr): boolean => a.family === b.family && a.first <= b.last && b.first <= a.last;

/**
 * Every overlapping pair among `ranges`, in O(n log n + pairs): sort by first address (larger
 * blocks first on a tie) and sweep with a stack of the blocks that contain the current one —
 * prefixes never partly overlap, so the open blocks always form a chain.
 */
export function overlappingPairs(ranges: readonly Cidr[]): [number, number][] {
  const order = sweepOrder(ranges);
  const pairs: [number, number][] = [];
  const stack: number[] = [];
  // (indexed loops: this runs once per keystroke, often before V8 optimises it, and a for-of
  // there allocates an iterator result per step — a `/2` being typed opens thousands of pairs)
  for (let o = 0; o < order.length; o++) {
    const i = order[o];
    const r = ranges[i];
    while (stack.length) {
      const top = ranges[stack[stack.length - 1]];
      if (top.family === r.family && top.last >= r.first) break;
      stack.pop();
    }
    for (let k = 0; k < stack.length; k++) {
      const j = stack[k];
      pairs.push(j < i ? [j, i] : [i, j]);
    }
    stack.push(i);
  }
  return pairs;
}

/** The sweep's order of two of `ranges` (by index): family, first address, the larger block, then the index. */
function sweepCompare(ranges: readonly Cidr[], i: number, j: number): number {
  const a = ranges[i];
  const b = ranges[j];
  if (a.family !== b.family) return a.family - b.family;
  if (a.first !== b.first) return a.first < b.first ? -1 : 1;
  return a.prefix - b.prefix || i - j;
}

/**
 * The last sweep order computed, with the ranges it ordered. A keystroke re-reads one item, so
 * the next call's ranges are the same objects but for that item's few: their order stands, and
 * only the new ones are placed (sorting ~10k ranges by BigInt addresses took most of a cidr run).
 */
let lastSweep: { ranges: readonly Cidr[]; order: ArrayLike<number> } | undefined;

/**
 * Runs `f` and leaves the last sweep order as it was before: a rehearsed keystroke (incremental.ts
 * rehearseKeystroke) re-reads an item the next real one may not, and its ranges as the last order
 * would make that keystroke's two runs of new ranges too many to reorder (a sort anew instead).
 */
export function keepingLastSweep<T>(f: () => T): T {
  const kept = lastSweep;
  try {
    return f();
  } finally {
    lastSweep = kept;
  }
}

/** Most ranges that may differ from the last call's for its order to be reused. */
const REORDER_MAX = 64;

/** The indices of `ranges` in sweep order (sweepCompare): the last order with a few ranges replaced, else sorted anew. */
function sweepOrder(ranges: readonly Cidr[]): ArrayLike<number> {
  const order =
    (lastSweep && reorder(lastSweep.ranges, lastSweep.order, ranges)) ?? ranges.map((_, i) => i).sort((i, j) => sweepCompare(ranges, i, j));
  lastSweep = { ranges, order };
  return order;
}

/**
 * `order` (the sweep order of `before`) made the sweep order of `after`, when the two differ only
 * in a run of at most REORDER_MAX ranges (the same objects before and after it, by position):
 * the others keep their order (indices past the run move by its length change) and the run's
 * ranges are placed by binary search. Undefined otherwise.
 */
function reorder(before: readonly Cidr[], order: ArrayLike<number>, after: readonly Cidr[]): Uint32Array | undefined {
  const most = Math.min(before.length, after.length);
  let head = 0;
  while (head < most && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < most - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const removedEnd = before.length - tail;
  const addedEnd = after.length - tail;
  if (removedEnd - head + (addedEnd - head) > REORDER_MAX) return undefined;
  const shift = after.length - before.length;
  // the ranges outside the run, in their order, as indices into `after` (typed arrays: ~10k
  // indices a keystroke, and a growing array of them allocated several times that)
  const kept = new Uint32Array(after.length - (addedEnd - head));
  let n = 0;
  for (let o = 0; o < order.length; o++) {
    const i = order[o];
    if (i < head) kept[n++] = i;
    else if (i >= removedEnd) kept[n++] = i + shift;
  }
  const added: number[] = [];
  for (let i = head; i < addedEnd; i++) added.push(i);
  added.sort((i, j) => sweepCompare(after, i, j));
  // each new range after every kept one that sorts before it (the added are in order, so their places are too)
  const out = new Uint32Array(after.length);
  let o = 0;
  let from = 0;
  for (const a of added) {
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sweepCompare(after, kept[mid], a) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let k = from; k < lo; k++) out[o++] = kept[k];
    out[o++] = a;
    from = lo;
  }
  for (let k = from; k < kept.length; k++) out[o++] = kept[k];
  return out;
}

export const PRIVATE_PARENTS: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"].map((s) => parseCidr(s)!);

export function privateParentOf(c: Cidr): Cidr | undefined {
  return PRIVATE_PARENTS.find((p) => contains(p, c));
}

export function compareFirst(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.first < b.first ? -1 : a.first > b.first ? 1 : 0;
}

/**
 * The lowest block of `prefix` inside `parent` that overlaps none of `taken` (except
 * `taken[skip]`, the range being replaced), or undefined. `taken` must be sorted with
 * `compareFirst`; the scan starts at the parent by binary search and stops at the first gap.
 */
export function lowestFree(parent: Cidr, prefix: number, taken: readonly Cidr[], skip?: number): Cidr | undefined {
  if (prefix < parent.prefix || prefix > bitsOf(parent.family)) return undefined;
  const blockSize = 1n << BigInt(bitsOf(parent.family) - prefix);
  // blocks starting before the parent either contain all of it or end before it (prefixes
  // are nested or disjoint); the rest are scanned from the parent's first address
  let lo = 0;
  let hi = taken.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareFirst(taken[mid], parent) < 0) lo = mid + 1;
    else hi = mid;
  }
  let candidate = parent.first;
  for (let i = lo - 1; i >= 0 && taken[i].family === parent.family; i--) {
    if (i !== skip && taken[i].last >= parent.first) return undefined; // a block containing the whole parent
  }
  for (let i = lo; i < taken.length; i++) {
    const t = taken[i];
    if (t.family !== parent.family || t.first > parent.last) break;
    if (i === skip) continue;
    if (candidate + blockSize - 1n < t.first) break;
    if (t.last >= candidate) {
      const next = t.last + 1n;
      candidate = ((next + blockSize - 1n) / blockSize) * blockSize;
    }
  }
  if (candidate + blockSize - 1n > parent.last) return undefined;
  return makeCidr(parent.family, candidate, prefix);
}
