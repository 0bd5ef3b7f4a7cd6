import type { Finding, FixHint } from "../model/finding";
import type { F } from "../model/yamlnodes";
import type { Named, Topology } from "../model/topology";
import { closest, DNS_LABEL } from "../util/strings";
import { finding, type TopologyContext } from "./context";

type Kind = "site" | "cluster" | "store";

/** What the schema accepts as a site name. */

/** ref/unknown and ref/duplicate-name. */
export function referenceRules(ctx: TopologyContext): Finding[] {
  return [...unknownReferences(ctx.topology), ...duplicateNames(ctx.topology)];
}

/** ref/unknown: every reference in document order (links, clusters, stores, traffic, exports). */
function unknownReferences(t: Topology): Finding[] {
  const out: Finding[] = [];
  const check = referenceCheck(t, out);
  const each = (list: readonly F<string>[] | undefined, kind: Kind, where: string, whose = "") => {
    for (const ref of list ?? []) check(ref, kind, where, whose, list);
  };
  const linkerdClusters = new Set(t.clusters.filter((c) => c.linkerd && c.name).map((c) => c.name!.value));
  for (const l of t.links) each(l.between?.items, "site", `links[${l.index}].between`);
  for (const c of t.clusters) {
    const cn = c.name?.value ?? `clusters[${c.index}]`;
    check(c.site, "site", "cluster ", cn);
    each(
      c.etcd?.members?.entries.map((m) => m.site),
      "site",
      "etcd members of cluster ",
      cn,
    );
    check(c.istio?.primary, "cluster", "istio.primary of cluster ", cn);
    for (const link of c.linkerd?.links ?? []) {
      check(link.cluster, "cluster", "linkerd link of cluster ", cn, NONE, linkerdClusters, "cluster (with a `linkerd` block)");
    }
  }
  for (const s of t.stores) {
    const sn = s.name?.value ?? `stores[${s.index}]`;
    each(
      s.members?.entries.map((m) => m.site),
      "site",
      "members of store ",
      sn,
    );
    each(s.writers?.items, "site", "writers of store ", sn);
    each(s.replicas?.items, "site", "replicas of store ", sn);
  }
  for (const tr of t.traffic) {
    const tn = tr.name?.value ?? `traffic[${tr.index}]`;
    each(tr.dependsOn?.items, "store", "dependsOn of traffic ", tn);
    for (const b of tr.backends) check(b.cluster, "cluster", "backend of traffic ", tn);
  }
  for (const e of t.exports) each(e.clusters?.items, "cluster", `export ${e.service?.value ?? `exports[${e.index}]`}`);
  return out;
}

/** How many declared names one design's "did you mean" suggestions may score in all (each scores every candidate). */
export const SUGGESTION_BUDGET = 20_000;
/** How many declared names an unknown reference's message lists. */
const MAX_LISTED = 20;

/** No other names in the same mapping or list. */
const NONE: readonly F<string>[] = [];

/**
 * The check of one reference, pushing its ref/unknown (with "Change to" the closest declared
 * name and, for a site, "Declare site") to `out`. Where the reference sits is `where` followed
 * by `whose` (a cluster's, store's or entry's name), put together only for a reference that is
 * not declared: every reference of a large design is checked on every keystroke, and nearly
 * all are declared. `siblings`: the other names in the same
 * mapping or list; a fix never changes a reference into one of them (a duplicate key, or
 * `between: [a, a]`). `declared` and `what` narrow the names accepted (a Linkerd link needs a
 * cluster with a `linkerd` block).
 */
function referenceCheck(t: Topology, out: Finding[]) {
  const names: Record<Kind, ReadonlyMap<string, unknown>> = { site: t.siteByName, cluster: t.clusterByName, store: t.storeByName };
  // each suggestion scores every declared name: once SUGGESTION_BUDGET names have been scored in
  // one design (a design that broken is not mistyped) none is looked for, so 2,000 unknown
  // references among 2,000 clusters cost what 10 do (audit A8: over a minute of CPU before)
  let budget = SUGGESTION_BUDGET;
  return (
    ref: F<string> | undefined,
    kind: Kind,
    where: string,
    whose: string,
    siblings: readonly F<string>[] = NONE,
    declared: ReadonlySet<string> | ReadonlyMap<string, unknown> = names[kind],
    what: string = kind,
  ) => {
    if (!ref || declared.has(ref.value)) return;
    const candidates = [...declared.keys()];
    const taken = new Set(siblings.filter((x) => x !== ref).map((x) => x.value));
    budget -= candidates.length;
    const near =
      budget >= 0
        ? closest(
            ref.value,
            candidates.filter((c) => !taken.has(c)),
          )
        : undefined;
    const fixes: FixHint[] = [];
    if (near) fixes.push({ kind: "replace", title: `Change to \`${near}\``, span: ref.span, text: near, string: true, preferred: true });
    // the declared site takes the name as written: only where that is a valid site name
    if (kind === "site" && DNS_LABEL.test(ref.value))
      fixes.push({ kind: "declare-site", title: `Declare site \`${ref.value}\``, args: { name: ref.value } });
    const known = candidates.length
      ? `declared ${kind}s: ${candidates.slice(0, MAX_LISTED).join(", ")}${candidates.length > MAX_LISTED ? `, … (${candidates.length} in all)` : ""}`
      : `no ${kind}s are declared`;
    out.push(
      finding(
        "ref/unknown",
        ref.span,
        `${where}${whose} names ${what} \`${ref.value}\`, which is not declared${near ? ` — did you mean \`${near}\`?` : ""} (${known})`,
        { fixes },
      ),
    );
  };
}

/** ref/duplicate-name: a name declared again in sites, clusters, stores or traffic (references resolve to the first). */
function duplicateNames(t: Topology): Finding[] {
  const out: Finding[] = [];
  // `byName`: the list's own first-by-name index where the topology keeps one (model/topology
  // firstByName: the same first item per name), not built again on every keystroke that runs ref
  const dupes = (list: Named[], kind: string, listName: string, byName?: ReadonlyMap<string, Named>) => {
    const first = byName ? undefined : new Map<string, Named>();
    for (const item of list) {
      if (!item.name) continue;
      const prev = byName ? byName.get(item.name.value) : first!.get(item.name.value);
      if (byName ? prev === item : !prev) first?.set(item.name.value, item);
      else if (prev) {
        out.push(
          finding(
            "ref/duplicate-name",
            item.name.span,
            `${kind} \`${item.name.value}\` is declared twice (first as ${listName}[${prev.index}]); references resolve to the first`,
            {
              related: [{ span: prev.name!.span, message: `first declaration of ${kind} \`${item.name.value}\`` }],
            },
          ),
        );
      }
    }
  };
  dupes(t.sites, "site", "sites", t.siteByName);
  dupes(t.clusters, "cluster", "clusters", t.clusterByName);
  dupes(t.stores, "store", "stores", t.storeByName);
  dupes(t.traffic, "traffic entry", "traffic");
  return out;
}
