import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";
import schema from "../../../schemas/topology.schema.json";
import type { Span } from "../model/text";
import { deref, spanOf } from "../model/yamlnodes";

type SchemaNode = {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  const?: unknown;
  type?: string | string[];
  required?: string[];
};

const root = schema as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

/** Follows $ref, keeping sibling descriptions (they are more specific than the target's). */
export function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) return node;
  const target = root.definitions[node.$ref.replace("#/definitions/", "")];
  const resolved = resolve(target);
  return { ...resolved, ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== "$ref")) };
}

/** The schema of the value at a path of keys and indexes. */
export function schemaAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const seg of path) {
    node = resolve(node);
    if (!node) return undefined;
    if (typeof seg === "number") node = node.items;
    else node = node.properties?.[seg] ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
  }
  return resolve(node);
}

export interface KeyAt {
  readonly path: (string | number)[];
  readonly keySpan: Span;
}

/** The mapping key under the offset (on the key itself), with its path from the root. */
export function keyAt(doc: Document, offset: number): KeyAt | undefined {
  const visit = (node: Node | null, path: (string | number)[]): KeyAt | undefined => {
    const n = deref(doc, node);
    if (!n?.range || offset < n.range[0] || offset > n.range[2]) return undefined;
    if (isMap(n)) {
      for (const item of n.items) {
        const pair = item as Pair;
        const k = pair.key as Node | null;
        if (!k || !isScalar(k)) continue;
        const ks = spanOf(k);
        const p = [...path, String(k.value)];
        if (ks.start <= offset && offset <= ks.end) return { path: p, keySpan: ks };
        const hit = visit(pair.value as Node | null, p);
        if (hit) return hit;
      }
    } else if (isSeq(n)) {
      // items are in document order: binary search for the one holding the offset
      const items = n.items as Node[];
      let lo = 0;
      let hi = items.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = (items[mid] as Node).range;
        if (!r || isPair(items[mid])) break;
        if (offset < r[0]) hi = mid - 1;
        else if (offset > r[2]) lo = mid + 1;
        else return visit(items[mid], [...path, mid]);
      }
    }
    return undefined;
  };
  return visit(doc.contents as Node | null, []);
}

export function schemaKeys(path: readonly (string | number)[]): { key: string; doc: string; required: boolean }[] {
  const node = schemaAt(path);
  if (!node?.properties) return [];
  return Object.entries(node.properties).map(([key, v]) => {
    const r = resolve(v);
    return { key, doc: r?.markdownDescription ?? r?.description ?? "", required: node.required?.includes(key) ?? false };
  });
}
