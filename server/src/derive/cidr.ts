/**
 * The address plan of one topology: every declared range, the overlapping pairs as cidr/overlap
 * judges them (Globalnet clusters may reuse each other's ranges; a site's hosts may sit in the
 * node range of a cluster at that site) and a sorted index for "what overlaps this range".
 * One implementation for the cidr rules, hover and decision record. Pure.
 */
import { compareFirst, lowestFree, overlappingPairs, parseCidr, privateParentOf, type Cidr } from "../math/cidr";
import type { CidrValue, Cluster, Site } from "../model/topology";
import type { F } from "../model/yamlnodes";
import type { TopologyContext } from "./context";

/** A declared range: a cluster's pods, services or nodes, or a site's `addresses` (hosts outside any cluster). */
export type DeclaredRange =
  | { readonly cluster: Cluster; readonly site?: undefined; readonly value: CidrValue; readonly cidr?: Cidr }
  | { readonly cluster?: undefined; readonly site: Site; readonly value: F<string>; readonly cidr?: Cidr };

export type ParsedRange = DeclaredRange & { readonly cidr: Cidr };

/** A cluster's pods, services or nodes range. */
export type ClusterRange = Extract<DeclaredRange, { readonly cluster: Cluster }>;
export const isClusterRange = (r: DeclaredRange): r is ClusterRange => r.cluster !== undefined;

/** Every pod, service and node range of every cluster, then every site's addresses, in declaration order. */
export function declaredRanges(ctx: TopologyContext): readonly DeclaredRange[] {
  return ctx.fact(declared);
}
const declared = (ctx: TopologyContext): DeclaredRange[] => {
  const out: DeclaredRange[] = [];
  // (indexed loops, no spread: this runs on every keystroke that runs the cidr family, over every
  // item, the first time in code V8 has not optimised yet)
  const { clusters, sites } = ctx.topology;
  for (let i = 0; i < clusters.length; i++) {
    const r = rangesOf(clusters[i], clusterRanges);
    for (let k = 0; k < r.length; k++) out.push(r[k]);
  }
  for (let i = 0; i < sites.length; i++) {
    const r = rangesOf(sites[i], siteRanges);
    for (let k = 0; k < r.length; k++) out.push(r[k]);
  }
  return out;
};

/**
 * Each item's ranges, parsed once per model object: an edit re-reads only the item it touched
 * (model/topology.ts withItem), so a keystroke parses that item's ranges, not every range of
 * the file again.
 */
const parsedOf = new WeakMap<Cluster | Site, readonly DeclaredRange[]>();
function rangesOf<T extends Cluster | Site>(item: T, read: (item: T) => DeclaredRange[]): readonly DeclaredRange[] {
  let r = parsedOf.get(item);
  if (!r) {
    r = read(item);
    parsedOf.set(item, r);
  }
  return r;
}
const clusterRanges = (cluster: Cluster): DeclaredRange[] =>
  cluster.cidrs.map((value) => ({ cluster, value, cidr: parseCidr(value.value) }));
const siteRanges = (site: Site): DeclaredRange[] =>
  (site.addresses?.items ?? []).map((value) => ({ site, value, cidr: parseCidr(value.value) }));

/** Where a range is declared, as findings and hovers name it: `core.network.pods`, `fra.addresses`. */
export const rangeWhere = (r: DeclaredRange): string =>
  r.cluster
    ? `${r.cluster.name?.value ?? `clusters[${r.cluster.index}]`}.network.${r.value.field}`
    : `${r.site.name?.value ?? `sites[${r.site.index}]`}.addresses`;

/** The declared ranges that parse, in declaration order (indices of `cidrOverlaps` point here). */
export function parsedRanges(ctx: TopologyContext): readonly ParsedRange[] {
  return ctx.fact(parsed);
}
const parsed = (ctx: TopologyContext): ParsedRange[] => {
  const all = declaredRanges(ctx);
  const out: ParsedRange[] = [];
  for (let i = 0; i < all.length; i++) {
    const r = all[i];
    if (r.cidr !== undefined) out.push(r as ParsedRange);
  }
  return out;
};

/** Two Globalnet clusters may use the same ranges: Submariner translates between them. */
export function globalnetExempt(a: Cluster, b: Cluster): boolean {
  return a !== b && !!a.globalnet && !!b.globalnet;
}

/**
 * Two overlapping ranges that are allowed: two Globalnet clusters' ranges, and a site's host
 * addresses inside the node range of a cluster at that same site (hosts often share the
 * site's node subnet; record.md).
 */
export function allowedOverlap(a: DeclaredRange, b: DeclaredRange): boolean {
  if (a.cluster && b.cluster) return globalnetExempt(a.cluster, b.cluster);
  const [site, other] = a.site ? [a, b] : [b, a];
  return !!other.cluster && other.value.field === "nodes" && other.cluster.site?.value === site.site!.name?.value;
}

/** Every pair of parsed ranges that overlap and must not (within one cluster too), as indices into `parsedRanges`, in sweep order. */
export function cidrOverlaps(ctx: TopologyContext): readonly (readonly [number, number])[] {
  return ctx.fact(overlaps);
}
function overlaps(ctx: TopologyContext): [number, number][] {
  const ranges = parsedRanges(ctx);
  const all = overlappingPairs(ranges.map((r) => r.cidr));
  // (an indexed loop, not a destructuring filter: see overlappingPairs)
  const out: [number, number][] = [];
  for (let p = 0; p < all.length; p++) {
    const pair = all[p];
    if (!allowedOverlap(ranges[pair[0]], ranges[pair[1]])) out.push(pair);
  }
  return out;
}

interface RangeIndex {
  readonly list: readonly ParsedRange[];
  /** running max of last addresses within each family */
  readonly maxLast: readonly bigint[];
}

/** Every parsed range sorted by first address, with a running max of last addresses (built once per analysis). */
const rangeIndex = (ctx: TopologyContext): RangeIndex => {
  const list = [...parsedRanges(ctx)].sort((a, b) => compareFirst(a.cidr, b.cidr));
  const maxLast: bigint[] = [];
  list.forEach((e, i) => {
    maxLast.push(i && list[i - 1].cidr.family === e.cidr.family && maxLast[i - 1] > e.cidr.last ? maxLast[i - 1] : e.cidr.last);
  });
  return { list, maxLast };
};

/**
 * Declared ranges overlapping `c` (Globalnet pairs included: the caller says whether they are
 * exempt): those inside it follow it in sorted order, those containing it precede it.
 */
export function rangesOverlapping(ctx: TopologyContext, c: Cidr): ParsedRange[] {
  const { list, maxLast } = ctx.fact(rangeIndex);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareFirst(list[mid].cidr, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  const out: ParsedRange[] = [];
  for (let i = lo; i < list.length && list[i].cidr.family === c.family && list[i].cidr.first <= c.last; i++) out.push(list[i]);
  for (let i = lo - 1; i >= 0 && list[i].cidr.family === c.family && maxLast[i] >= c.first; i--)
    if (list[i].cidr.last >= c.first) out.push(list[i]);
  return out;
}

/** The sorted index's ranges as addresses only (lowestFree's input), once per analysis. */
const sortedCidrs = (ctx: TopologyContext): readonly Cidr[] => ctx.fact(rangeIndex).list.map((r) => r.cidr);

/**
 * The lowest block of the size of the cluster range declared at `at` (its value's start) inside
 * its private parent (10/8, 172.16/12, 192.168/16, fc00::/7) that overlaps no other declared
 * range: cidr/overlap's quick fix. Undefined for a site's addresses (a host's address is what it
 * is), a public range, or a parent with no free block.
 */
export function freeRangeFor(ctx: TopologyContext, at: number): Cidr | undefined {
  const range = parsedRanges(ctx).find((r) => r.value.span.start === at);
  const parent = range?.cluster && privateParentOf(range.cidr);
  if (!range || !parent) return undefined;
  // the range being replaced does not count against itself (lowestFree skips its sorted position)
  return lowestFree(parent, range.cidr.prefix, ctx.fact(sortedCidrs), ctx.fact(rangeIndex).list.indexOf(range));
}
