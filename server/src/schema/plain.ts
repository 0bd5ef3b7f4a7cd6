// The schema validates plain JavaScript data. yaml's toJS builds it through a general machinery
// (anchors, merge keys, custom tags, collection keys) that costs about a tenth of a large file's
// first analysis; a topology's items are plain trees of scalars, maps with scalar keys and
// sequences, which this converts directly. Anything else is handed to yaml's toJS, so the result
// is always what toJS gives (a property test compares them).
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";
import { resolveAlias } from "../model/yamlnodes";

const NOT_PLAIN = Symbol("not plain");

/** One conversion's aliases: each anchored node they name, its value and how often it was used. */
interface Aliases {
  readonly doc: Document;
  readonly maxAliasCount: number;
  readonly used: Map<Node, { uses: number; res: unknown }>;
}

/**
 * yaml's getAliasCount of a node that holds no alias (the most nested entries under it: 1 for a
 * scalar, 0 for an empty collection); -1 when it holds one (toJS's to handle).
 */
function aliasCount(node: unknown): number {
  if (isAlias(node)) return -1;
  if (isPair(node)) {
    const k = aliasCount(node.key);
    const v = aliasCount(node.value);
    return k < 0 || v < 0 ? -1 : Math.max(k, v);
  }
  if (isCollection(node)) {
    let n = 0;
    for (const item of node.items) {
      const c = aliasCount(item);
      if (c < 0) return -1;
      if (c > n) n = c;
    }
    return n;
  }
  return 1;
}

/**
 * An alias to a node that holds no alias, as toJS gives it: the anchored node's value (the same
 * object on every use), and toJS's ReferenceError once its uses times its count pass the limit.
 * Found with resolveAlias: toJS's own lookup walks the whole document on every call.
 */
function viaAlias(node: Node, a: Aliases | undefined): unknown {
  const target = a && resolveAlias(a.doc, node as never);
  if (!a || !target) throw NOT_PLAIN;
  let entry = a.used.get(target);
  if (!entry) {
    if (aliasCount(target) < 0) throw NOT_PLAIN;
    entry = { uses: 0, res: convert(target, a) };
    a.used.set(target, entry);
  }
  entry.uses++;
  // toJS counts the anchored node's own conversion as its first use
  if (a.maxAliasCount >= 0 && (entry.uses + 1) * aliasCount(target) > a.maxAliasCount)
    throw new ReferenceError("Excessive alias count indicates a resource exhaustion attack");
  return entry.res;
}

function convert(node: unknown, a?: Aliases): unknown {
  if (node === null || node === undefined) return node;
  if (isAlias(node)) return viaAlias(node, a);
  if (isScalar(node)) {
    const v = node.value;
    if (v !== null && typeof v === "object") throw NOT_PLAIN;
    return v;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const { key, value } of node.items as Pair[]) {
      let jsKey: unknown = null;
      if (key !== null && key !== undefined) {
        if (!isScalar(key) || isAlias(key)) throw NOT_PLAIN;
        jsKey = key.value;
        // a merge key (a symbol, YAML 1.1) and other unusual keys are toJS's to handle
        if (jsKey !== null && typeof jsKey !== "string" && typeof jsKey !== "number" && typeof jsKey !== "boolean") throw NOT_PLAIN;
      }
      const k = jsKey === null ? "" : String(jsKey);
      const v = convert(value, a);
      // as toJS does: a key already present (or `__proto__`) is defined, never assigned
      if (k in out) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
  if (isSeq(node)) return (node.items as unknown[]).map((item) => convert(item, a));
  throw NOT_PLAIN;
}

/** `node.toJS(doc, { maxAliasCount })`, directly for plain trees. */
export function plainJS(doc: Document, node: Node, maxAliasCount: number): unknown {
  try {
    return convert(node, { doc, maxAliasCount, used: new Map() });
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return node.toJS(doc, { maxAliasCount });
  }
}
