// The schema validates plain JavaScript data. yaml's toJS builds it through a general machinery
// (anchors, merge keys, custom tags, collection keys) that costs about a tenth of a large file's
// first analysis; a topology's items are plain trees of scalars, maps with scalar keys and
// sequences, which this converts directly. Anything else is handed to yaml's toJS, so the result
// is always what toJS gives (a property test compares them).
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";

const NOT_PLAIN = Symbol("not plain");

function convert(node: unknown): unknown {
  if (node === null || node === undefined) return node;
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
      const v = convert(value);
      // as toJS does: a key already present (or `__proto__`) is defined, never assigned
      if (k in out) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
  if (isSeq(node)) return (node.items as unknown[]).map(convert);
  throw NOT_PLAIN;
}

/** `node.toJS(doc, { maxAliasCount })`, directly for plain trees. */
export function plainJS(doc: Document, node: Node, maxAliasCount: number): unknown {
  try {
    return convert(node);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return node.toJS(doc, { maxAliasCount });
  }
}
