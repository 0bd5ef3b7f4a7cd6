import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { RangeSpan, type Span } from "./text";

/** A value read from YAML with the ranges of the value and of the key that holds it. */
export interface F<T> {
  readonly value: T;
  readonly span: Span;
  /** the key's range; for a sequence item, the item's own range */
  readonly keySpan: Span;
}

export interface Entry {
  readonly key: string;
  readonly keySpan: Span;
  readonly node: Node | null;
  /** the value's range, or the end of the key for `key:` with nothing after it */
  readonly span: Span;
}

export function spanOf(node: Node | null | undefined, fallback: Span = { start: 0, end: 0 }): Span {
  const r = node?.range;
  if (!r) return fallback;
  // a block collection ends with its content (see contentEnd)
  const c = node as { items?: unknown[]; flow?: boolean };
  if (c.items && !c.flow) return new ContentSpan(node!);
  // range[1] is where the value ends, before any trailing comment; live, see RangeSpan
  return new RangeSpan(r, 0, 1);
}

/** Each document's aliases and the nodes they name (see resolveAlias). */
const aliasTargets = new WeakMap<Document, Map<Alias, Node | undefined>>();

/**
 * The node `alias` names in `doc`: the last node before it, in yaml's order, that carries its
 * anchor (as `Alias.resolve` finds it), undefined when none does. `Alias.resolve` walks the whole
 * document for each alias, so a file with thousands of aliases took minutes; here one walk maps
 * every alias of the document, again only for an alias it has not seen (an edit re-parses an item
 * only when neither its old nor its new text holds an anchor or an alias, so the targets mapped
 * stay right).
 */
export function resolveAlias(doc: Document, alias: Alias): Node | undefined {
  let targets = aliasTargets.get(doc);
  if (!targets?.has(alias)) {
    const found = new Map<Alias, Node | undefined>();
    const anchors = new Map<string, Node>();
    visit(doc, {
      Node(_, node) {
        if (isAlias(node)) found.set(node, anchors.get(node.source));
        else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
    aliasTargets.set(doc, found);
    targets = found;
  }
  return targets.get(alias);
}

/** Follows an alias to its anchor without expanding anything. */
export function deref(doc: Document, node: unknown): Node | null {
  let n = node as Node | null;
  for (let i = 0; i < 32 && n && isAlias(n); i++) n = resolveAlias(doc, n) ?? null;
  return n && isAlias(n) ? null : n;
}

/** Within ±(2^53 − 1): beyond it JavaScript, JSON and most YAML tools no longer hold the value exactly. */
export const isExactNumber = (v: number): boolean => Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER;

/**
 * The end of a node's content: a block collection ends with its last entry, not with the
 * blank lines and comments yaml may or may not count into its range (which differs between a
 * whole-document parse and an item parsed alone).
 */
export function contentEnd(node: Node): number {
  let n: unknown = node;
  for (;;) {
    const c = n as { range?: number[]; items?: unknown[]; flow?: boolean; key?: unknown; value?: unknown };
    if (isPair(c)) {
      n = (c.value as Node | null)?.range ? c.value : c.key;
      continue;
    }
    if (c.items && !c.flow && c.items.length) {
      n = c.items[c.items.length - 1];
      continue;
    }
    return c.range?.[1] ?? 0;
  }
}

/** A sequence item's span (any node's): live, ending where its content ends. */
export function itemSpanOf(node: Node): Span {
  return node.range ? new ContentSpan(node) : spanOf(node);
}

class ContentSpan implements Span {
  constructor(private readonly node: Node) {}
  get start(): number {
    return this.node.range![0];
  }
  get end(): number {
    return Math.max(this.start, contentEnd(this.node));
  }
  toJSON(): Span {
    return { start: this.start, end: this.end };
  }
}

export class Reader {
  constructor(readonly doc: Document) {}

  /** Entries of a mapping in source order; the first of duplicated keys wins. */
  entries(node: unknown): Map<string, Entry> {
    const out = new Map<string, Entry>();
    const map = deref(this.doc, node);
    if (!map || !isMap(map)) return out;
    for (const item of (map as YAMLMap).items) {
      const pair = item as Pair;
      const keyNode = deref(this.doc, pair.key);
      if (!keyNode || !isScalar(keyNode)) continue;
      // an empty key (`{ a: 1, : 1 }`) is "", not the text "null" its null value would print as
      const empty = (keyNode as Scalar).value === null && keyNode.range && keyNode.range[0] === keyNode.range[1];
      const key = empty ? "" : String((keyNode as Scalar).value);
      if (out.has(key)) continue;
      const keySpan = spanOf(pair.key as Node);
      const valueNode = pair.value === null || pair.value === undefined ? null : (pair.value as Node);
      const span = valueNode?.range ? spanOf(valueNode) : new RangeSpan((pair.key as Node).range!, 1, 1);
      out.set(key, { key, keySpan, node: valueNode, span });
    }
    return out;
  }

  /** The JS value of a scalar (after aliases), or undefined for collections. */
  scalar(node: Node | null): unknown {
    const n = deref(this.doc, node);
    if (n && isScalar(n)) return (n as Scalar).value;
    return undefined;
  }

  str(e: Entry | undefined): F<string> | undefined {
    if (!e) return undefined;
    const v = this.scalar(e.node);
    return typeof v === "string" ? { value: v, span: e.span, keySpan: e.keySpan } : undefined;
  }

  /** A number the analysis can compute with exactly; one past 2^53 − 1 is `value/too-large`'s and reads as absent. */
  num(e: Entry | undefined): F<number> | undefined {
    if (!e) return undefined;
    const v = this.scalar(e.node);
    return typeof v === "number" && isExactNumber(v) ? { value: v, span: e.span, keySpan: e.keySpan } : undefined;
  }

  /** A whole number (the schema's `integer`): a fraction is the schema's finding and reaches no rule. */
  int(e: Entry | undefined): F<number> | undefined {
    const f = this.num(e);
    return f && Number.isInteger(f.value) ? f : undefined;
  }

  bool(e: Entry | undefined): F<boolean> | undefined {
    if (!e) return undefined;
    const v = this.scalar(e.node);
    return typeof v === "boolean" ? { value: v, span: e.span, keySpan: e.keySpan } : undefined;
  }

  /** Sequence items (aliases followed), each with its own range. */
  items(node: Node | null): { node: Node; span: Span }[] {
    const seq = deref(this.doc, node);
    if (!seq || !isSeq(seq)) return [];
    const out: { node: Node; span: Span }[] = [];
    for (const item of seq.items) {
      const n = item as Node;
      if (isPair(n)) continue;
      const target = deref(this.doc, n);
      if (target) out.push({ node: target, span: itemSpanOf(n) });
    }
    return out;
  }

  /** A list of strings (flow or block); non-string items are left out (the schema reports them). */
  strList(e: Entry | undefined): StrList | undefined {
    if (!e) return undefined;
    const seq = deref(this.doc, e.node);
    if (!seq || !isSeq(seq)) return undefined;
    const items: F<string>[] = [];
    for (const it of this.items(e.node)) {
      const v = this.scalar(it.node);
      if (typeof v === "string") items.push({ value: v, span: it.span, keySpan: it.span });
    }
    return { items, span: e.span, keySpan: e.keySpan };
  }

  /** An optional nested mapping (`etcd:`, `istio:` …) read by `build`, or undefined when absent or not a mapping. */
  block<T>(e: Entry | undefined, build: (entries: Map<string, Entry>, entry: Entry) => T): T | undefined {
    return e && this.isMapNode(e.node) ? build(this.entries(e.node), e) : undefined;
  }

  isMapNode(node: Node | null): boolean {
    const n = deref(this.doc, node);
    return !!n && isMap(n);
  }
}

export interface StrList {
  readonly items: F<string>[];
  readonly span: Span;
  readonly keySpan: Span;
}

/**
 * Makes every string scalar's value (and source) one flat string. yaml builds a quoted scalar
 * a piece at a time, and V8 keeps such a string as a chain of pieces (a "cons string": about
 * 30 bytes a piece) until something reads it whole; a 1 MB file kept over 100,000 of them
 * (3.6 MB, measured in a heap snapshot) for as long as the file stayed open.
 */
export function flattenScalars(node: unknown): void {
  if (node === null || typeof node !== "object") return;
  const n = node as { items?: unknown[]; key?: unknown; value?: unknown; source?: unknown };
  if (n.items) {
    for (let i = 0; i < n.items.length; i++) flattenScalars(n.items[i]);
    return;
  }
  if (isScalar(n)) {
    if (typeof n.value === "string") n.value = flat(n.value);
    if (typeof n.source === "string") n.source = flat(n.source);
    return;
  }
  flattenScalars(n.key);
  flattenScalars(n.value);
}

/** The same string, flat: converting it to a number makes V8 flatten it in place (its result is not needed). */
function flat(s: string): string {
  flatSink ^= Number(s) | 0;
  return s;
}
// biome-ignore lint/correctness/noUnusedVariables: written only, so the conversion in flat() is not optimised away
let flatSink = 0;
