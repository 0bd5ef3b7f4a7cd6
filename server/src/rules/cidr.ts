import type { Finding, FixHint, Related } from "../model/finding";
import type { F } from "../model/yamlnodes";
import { cidrOverlaps, declaredRanges, type DeclaredRange, type ParsedRange, parsedRanges, rangeWhere as where } from "../derive/cidr";
import { count } from "../util/format";
import { canonical, hasHostBits, type Cidr } from "../math/cidr";
import { defaultSeverity } from "./catalog";
import { finding, type TopologyContext } from "./context";

/** kube-apiserver refuses service CIDRs shorter than these prefixes. */
export const MIN_SERVICE_PREFIX = { 4: 12, 6: 108 } as const;

/** cidr/*: syntax, host bits, service range size, and overlaps by sort-and-sweep. */
export function cidrRules(ctx: TopologyContext): Finding[] {
  // (into one array, no array a range: a keystroke into a prefix runs this over every range of the file)
  const out: Finding[] = [];
  const ranges = declaredRanges(ctx);
  for (let i = 0; i < ranges.length; i++) rangeSyntax(ranges[i], out);
  const overlapping = overlaps(ctx);
  for (let i = 0; i < overlapping.length; i++) out.push(overlapping[i]);
  return out;
}

/** cidr/invalid, cidr/host-bits and (a cluster's service range) cidr/service-range-too-large, added to `out`. */
function rangeSyntax(r: DeclaredRange, out: Finding[]): void {
  const { value, cidr } = r;
  if (!cidr) {
    // a cluster's range, or a site's host addresses (where a single host is the usual entry)
    const form = r.cluster ? "10.0.0.0/16 or fd00::/64" : "192.0.2.0/28 or 2001:db8::/64; a single host is /32 or /128";
    out.push(finding("cidr/invalid", value.span, `\`${value.value}\` is not an IPv4 or IPv6 prefix (expected the form ${form})`));
    return;
  }
  hostBits(value, cidr, out);
  if (r.cluster && r.value.field === "services" && cidr.prefix < MIN_SERVICE_PREFIX[cidr.family]) {
    const min = MIN_SERVICE_PREFIX[cidr.family];
    out.push(
      finding(
        "cidr/service-range-too-large",
        value.span,
        // review M76: kube-apiserver skips the size check when MultiCIDRServiceAllocator (GA 1.33) and
        // DisableAllocatorDualWrite (GA, on by default, 1.34) are both on — a warning naming the versions
        `service range ${canonical(cidr)} is a /${cidr.prefix}: kube-apiserver before 1.34 refuses to start with an ${cidr.family === 4 ? "IPv4" : "IPv6"} --service-cluster-ip-range larger than /${min}; from 1.34 the ServiceCIDR allocator (MultiCIDRServiceAllocator and DisableAllocatorDualWrite, on by default) takes any size — keep it at /${min} or smaller unless every cluster runs 1.34 or later with those gates on`,
      ),
    );
  }
}

/** cidr/overlap: each range of an overlapping pair, one by one, or counted past OVERLAPS_ONE_BY_ONE. */
function overlaps(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  const ranges = parsedRanges(ctx);
  const pairs = cidrOverlaps(ctx);
  const partners = partnersOf(pairs, ranges.length);
  const counted = new Set<number>();
  const severity = defaultSeverity("cidr/overlap");
  /**
   * The lowest free block for a cluster's range (a host's address is what it is), found when the
   * editor asks for the quick fix (fixes.ts, derive/cidr freeRangeFor): while one types `/2`,
   * thousands of ranges overlap for a keystroke, and none of them needs its search until then.
   */
  const freeFix = (self: ParsedRange): readonly FixHint[] => (self.cluster ? FREE_RANGE_FIX : []);
  const { messageOf, linkOf } = overlapWords(ranges);
  // (each side of a pair in turn, without an array a side: a `/2` makes thousands of pairs)
  const side = (selfIndex: number, otherIndex: number) => {
    const self = ranges[selfIndex];
    const many = partners.many.get(selfIndex);
    if (many) {
      if (counted.has(selfIndex)) return;
      counted.add(selfIndex);
      out.push(
        overlapsMany(
          self,
          many.sort((a, b) => a - b).map((k) => ranges[k]),
          freeFix(self),
        ),
      );
      return;
    }
    // (the object `finding` makes, written out: no options object and copy per finding)
    out.push({
      code: "cidr/overlap",
      severity,
      span: self.value.span,
      message: messageOf(selfIndex, otherIndex),
      fixes: freeFix(self),
      related: linkOf(otherIndex),
    });
  };
  // (indexed loops: this runs once per keystroke, often before V8 optimises it, and destructuring
  // a pair there allocates an iterator and its results per pair)
  for (let p = 0; p < pairs.length; p++) {
    const pair = pairs[p];
    side(pair[0], pair[1]);
    side(pair[1], pair[0]);
  }
  return out;
}

/**
 * The words of one analysis's cidr/overlap findings, each built once: a range's name, the link to
 * it, and each finding's message.
 */
function overlapWords(ranges: readonly ParsedRange[]): {
  messageOf: (selfIndex: number, otherIndex: number) => string;
  linkOf: (k: number) => readonly Related[];
} {
  /** Each range as findings name it, and as the findings of the ranges it overlaps link it: built once (a `/2` is named in thousands). */
  const named = new Map<number, string>();
  const nameOf = (k: number) => {
    let n = named.get(k);
    if (n === undefined) {
      const r = ranges[k];
      n = `${canonical(r.cidr)} (${where(r)})`;
      named.set(k, n);
    }
    return n;
  };
  const linked = new Map<number, readonly Related[]>();
  const linkOf = (k: number) => {
    let l = linked.get(k);
    if (!l) {
      const r = ranges[k];
      l = [{ span: r.value.span, message: `overlapping range ${where(r)}` }];
      linked.set(k, l);
    }
    return l;
  };
  /**
   * `self overlaps other, where`: past the two names, the same words for every range outside the
   * other's cluster and site, built once per other range (a `/2` is the other range of thousands).
   */
  const tails = new Map<number, string>();
  const messageOf = (selfIndex: number, otherIndex: number) => {
    const self = ranges[selfIndex];
    const other = ranges[otherIndex];
    if ((self.cluster && self.cluster === other.cluster) || (self.site && self.site === other.site))
      return `${nameOf(selfIndex)} overlaps ${nameOf(otherIndex)} ${scopeOf(self, other)}`;
    let tail = tails.get(otherIndex);
    if (tail === undefined) {
      tail = ` overlaps ${nameOf(otherIndex)} ${scopeOf(self, other)}`;
      tails.set(otherIndex, tail);
    }
    return nameOf(selfIndex) + tail;
  };
  return { messageOf, linkOf };
}

/**
 * The ranges that overlap more than OVERLAPS_ONE_BY_ONE others, with those others (by index):
 * each gets one finding that counts them. The others are only counted (a `/2` overlaps thousands,
 * and each of those overlaps only the `/2`).
 */
function partnersOf(pairs: readonly (readonly [number, number])[], n: number): { many: Map<number, number[]> } {
  const counts = new Uint32Array(n);
  for (let p = 0; p < pairs.length; p++) {
    counts[pairs[p][0]]++;
    counts[pairs[p][1]]++;
  }
  const many = new Map<number, number[]>();
  const add = (k: number, other: number) => {
    const list = many.get(k);
    if (list) list.push(other);
    else many.set(k, [other]);
  };
  for (let p = 0; p < pairs.length; p++) {
    const i = pairs[p][0];
    const j = pairs[p][1];
    if (counts[i] > OVERLAPS_ONE_BY_ONE) add(i, j);
    if (counts[j] > OVERLAPS_ONE_BY_ONE) add(j, i);
  }
  return { many };
}

/**
 * Up to this many overlapping ranges, a range gets one finding per range it overlaps (each
 * naming the other); past it, one finding that counts them and links the first of them — while
 * one types \`/2\` into a prefix, thousands of ranges overlap it for a keystroke. Each of those
 * ranges is still flagged where it is declared (with its own free-range fix), so no overlapping
 * range goes unreported.
 */
export const OVERLAPS_ONE_BY_ONE = 10;

/** cidr/overlap's quick fix on a cluster's range: the title and edit name the block found then. */
const FREE_RANGE_FIX: readonly FixHint[] = [{ kind: "free-range", title: "Use a free range", preferred: true }];

/** Where `other` is, seen from `self`: the same cluster, the same site, or another one named (then by `other` alone). */
function scopeOf(self: ParsedRange, other: ParsedRange): string {
  return self.cluster && self.cluster === other.cluster
    ? "in the same cluster"
    : self.site && self.site === other.site
      ? "at the same site"
      : other.cluster
        ? `in cluster ${other.cluster.name?.value ?? "?"}`
        : `at site ${other.site.name?.value ?? "?"}`;
}

/** The one cidr/overlap finding of a range that overlaps more than OVERLAPS_ONE_BY_ONE others. */
function overlapsMany(self: ParsedRange, others: readonly ParsedRange[], fixes: readonly FixHint[]): Finding {
  const named = others.slice(0, 3).map((o) => `${canonical(o.cidr)} (${where(o)}) ${scopeOf(self, o)}`);
  const linked = others.slice(0, OVERLAPS_ONE_BY_ONE);
  return finding(
    "cidr/overlap",
    self.value.span,
    `${canonical(self.cidr)} (${where(self)}) overlaps ${count(others.length)} declared ranges: ${named.join(", ")} and ${count(others.length - named.length)} more (each flagged where it is declared; the first ${linked.length} are linked)`,
    { fixes, related: linked.map((o) => ({ span: o.value.span, message: `overlapping range ${where(o)}` })) },
  );
}

function hostBits(value: F<string>, cidr: Cidr, out: Finding[]): void {
  if (!hasHostBits(cidr)) return;
  const fixed = canonical(cidr);
  out.push(
    finding("cidr/host-bits", value.span, `\`${value.value}\` has host bits set past /${cidr.prefix}; the range is ${fixed}`, {
      fixes: [{ kind: "replace", title: `Normalize to \`${fixed}\``, span: value.span, text: fixed, preferred: true }],
    }),
  );
}
