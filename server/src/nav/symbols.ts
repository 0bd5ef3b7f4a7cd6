import type { Span } from "../model/text";
import type { Topology } from "../model/topology";
import type { F } from "../model/yamlnodes";

export type SymbolKind = "site" | "cluster" | "store";

export interface SymbolRef {
  readonly kind: SymbolKind;
  readonly name: string;
  readonly span: Span;
  /** true for the `name:` value that declares the entity */
  readonly declaration: boolean;
}

/** Every declaration of and reference to a site, cluster or store in one topology. */
export function symbolsOf(t: Topology): SymbolRef[] {
  const out: SymbolRef[] = [];
  const add = (kind: SymbolKind, f: F<string> | undefined, declaration = false) => {
    if (f) out.push({ kind, name: f.value, span: f.span, declaration });
  };
  for (const s of t.sites) add("site", s.name, true);
  for (const c of t.clusters) add("cluster", c.name, true);
  for (const s of t.stores) add("store", s.name, true);
  for (const l of t.links) for (const s of l.between?.items ?? []) add("site", s);
  for (const c of t.clusters) {
    add("site", c.site);
    for (const m of c.etcd?.members?.entries ?? []) add("site", m.site);
    add("cluster", c.istio?.primary);
    for (const l of c.linkerd?.links ?? []) add("cluster", l.cluster);
  }
  for (const s of t.stores) {
    for (const m of s.members?.entries ?? []) add("site", m.site);
    for (const w of s.writers?.items ?? []) add("site", w);
    for (const r of s.replicas?.items ?? []) add("site", r);
  }
  for (const tr of t.traffic) {
    for (const d of tr.dependsOn?.items ?? []) add("store", d);
    for (const b of tr.backends) add("cluster", b.cluster);
  }
  for (const e of t.exports) for (const c of e.clusters?.items ?? []) add("cluster", c);
  return out.sort((a, b) => a.span.start - b.span.start);
}

export const within = (span: Span, offset: number): boolean => span.start <= offset && offset <= span.end;

/** The symbol under the cursor, if any. */
export function symbolAt(symbols: readonly SymbolRef[], offset: number): SymbolRef | undefined {
  return symbols.find((s) => within(s.span, offset));
}
