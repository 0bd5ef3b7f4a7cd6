import type { Finding, FixHint } from "../model/finding";
import type { F } from "../model/yamlnodes";
import { cidrOverlaps, declaredRanges, parsedRanges, rangeWhere as where } from "../derive/cidr";
import { canonical, compareFirst, hasHostBits, lowestFree, privateParentOf, type Cidr } from "../math/cidr";
import { finding, type TopologyContext } from "./context";

/** kube-apiserver refuses service CIDRs shorter than these prefixes. */
export const MIN_SERVICE_PREFIX = { 4: 12, 6: 108 } as const;

/** cidr/*: syntax, host bits, service range size, and overlaps by sort-and-sweep. */
export function cidrRules(ctx: TopologyContext): Finding[] {
  const out: Finding[] = [];
  for (const r of declaredRanges(ctx)) {
    const { value, cidr } = r;
    if (r.cluster) {
      if (!cidr) {
        out.push(
          finding(
            "cidr/invalid",
            value.span,
            `\`${value.value}\` is not an IPv4 or IPv6 prefix (expected the form 10.0.0.0/16 or fd00::/64)`,
          ),
        );
        continue;
      }
      out.push(...hostBits(value, cidr));
      if (r.value.field === "services" && cidr.prefix < MIN_SERVICE_PREFIX[cidr.family]) {
        const min = MIN_SERVICE_PREFIX[cidr.family];
        out.push(
          finding(
            "cidr/service-range-too-large",
            value.span,
            `service range ${canonical(cidr)} is a /${cidr.prefix}; kube-apiserver refuses ${cidr.family === 4 ? "IPv4" : "IPv6"} service ranges larger than /${min}`,
          ),
        );
      }
    } else {
      if (!cidr) {
        out.push(
          finding(
            "cidr/invalid",
            value.span,
            `\`${value.value}\` is not an IPv4 or IPv6 prefix (expected the form 192.0.2.0/28 or 2001:db8::/64; a single host is /32 or /128)`,
          ),
        );
        continue;
      }
      out.push(...hostBits(value, cidr));
    }
  }

  const ranges = parsedRanges(ctx);
  const all = ranges.map((r) => r.cidr);
  // sorted once for the free-range search, which skips the range being replaced by position;
  // only when some ranges overlap (a large design without overlaps never pays for the sort)
  let sorted: Cidr[] = [];
  const position: number[] = [];
  const sortOnce = () => {
    if (sorted.length || !all.length) return;
    const order = all.map((_, k) => k).sort((x, y) => compareFirst(all[x], all[y]));
    sorted = order.map((k) => all[k]);
    order.forEach((k, p) => {
      position[k] = p;
    });
  };
  for (const [i, j] of cidrOverlaps(ctx)) {
    sortOnce();
    const a = ranges[i];
    const b = ranges[j];
    for (const [self, other, selfIndex] of [
      [a, b, i],
      [b, a, j],
    ] as const) {
      const fixes: FixHint[] = [];
      // a host's address is what it is: only a cluster's range is offered a free block
      const parent = self.cluster ? privateParentOf(self.cidr) : undefined;
      if (parent) {
        const free = lowestFree(parent, self.cidr.prefix, sorted, position[selfIndex]);
        if (free)
          fixes.push({
            kind: "replace",
            title: `Use free range \`${canonical(free)}\``,
            span: self.value.span,
            text: canonical(free),
            preferred: true,
          });
      }
      const scope =
        self.cluster && self.cluster === other.cluster
          ? "in the same cluster"
          : self.site && self.site === other.site
            ? "at the same site"
            : other.cluster
              ? `in cluster ${other.cluster.name?.value ?? "?"}`
              : `at site ${other.site.name?.value ?? "?"}`;
      out.push(
        finding(
          "cidr/overlap",
          self.value.span,
          `${canonical(self.cidr)} (${where(self)}) overlaps ${canonical(other.cidr)} (${where(other)}) ${scope}`,
          { fixes, related: [{ span: other.value.span, message: `overlapping range ${where(other)}` }] },
        ),
      );
    }
  }
  return out;
}

function hostBits(value: F<string>, cidr: Cidr): Finding[] {
  if (!hasHostBits(cidr)) return [];
  const fixed = canonical(cidr);
  return [
    finding("cidr/host-bits", value.span, `\`${value.value}\` has host bits set past /${cidr.prefix}; the range is ${fixed}`, {
      fixes: [{ kind: "replace", title: `Normalize to \`${fixed}\``, span: value.span, text: fixed, preferred: true }],
    }),
  ];
}
