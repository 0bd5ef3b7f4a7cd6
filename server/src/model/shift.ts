// Moving the ranges of a parsed YAML tree in place: an edit shifts what follows it (incremental.ts),
// and a list item parsed on its own is moved to where it sits in the file (model/chunks.ts).

/** A YAML node as the shifts walk it: a range, and items (collections) or a key and value (pairs). */
interface Shiftable {
  range?: number[];
  items?: unknown[];
  key?: unknown;
  value?: unknown;
}

const isObject = (x: unknown): x is Shiftable => x !== null && typeof x === "object";

/**
 * The range arrays below a node moved whole, in walk order, kept once it has moved twice: a
 * keystroke in the middle of a large file moves half of its nodes, and walking them (yaml's node
 * classes in many shapes: every property read megamorphic) cost about 30 ms at 1 MB where one
 * loop over the arrays costs 0.3 ms (measured on the rings shape). A node's first move walks it
 * (as costly as before, no list made: a keystroke typed once somewhere pays nothing more); its
 * second makes the list, and every later one uses it. Moving ranges keeps a list
 * right; replacing a node below it does not: the one place that replaces a node of a parsed tree
 * (incremental.ts's splice of a re-parsed item) calls `forgetAround` first.
 */
const rangesBelow = new WeakMap<object, number[][] | "moved once">();
// (a tree being assembled — model/chunks.ts puts items into a parsed skeleton — moves without lists: `keep` false)

/**
 * Moves every range value at or past `from` by `delta`, in place (model spans read them live).
 * A node that ends before `from` has nothing to move below it; one that starts at or past it
 * moves whole, without comparing (its children lie inside it). A keystroke in the middle of a
 * large file moves half of its nodes, so this is written for speed.
 */
export function shiftNode(node: unknown, from: number, delta: number, keep = false): void {
  if (!isObject(node)) return;
  const r = node.range;
  if (r) {
    if (r[2] < from && r[1] < from) return;
    if (r[0] >= from) {
      if (keep) moveWhole(node, delta);
      else walkWhole(node, delta);
      return;
    }
    if (r[1] >= from) r[1] += delta;
    if (r[2] >= from) r[2] += delta;
  }
  const items = node.items;
  if (items) {
    for (let i = 0; i < items.length; i++) shiftNode(items[i], from, delta, keep);
    return;
  }
  // a Pair has no range of its own
  shiftNode(node.key, from, delta, keep);
  shiftNode(node.value, from, delta, keep);
}

/**
 * Every node around offset `at` forgets its list of ranges: a node there is about to be replaced.
 * (A node outside it is left at once, by its range, with nothing allocated — this runs every
 * keystroke over the top-level lists' items; a pair has no range and no list, only its key and value.)
 */
export function forgetAround(node: unknown, at: number): void {
  if (!isObject(node)) return;
  const r = node.range;
  if (r && (at < r[0] || at > r[2])) return;
  rangesBelow.delete(node);
  const items = node.items;
  if (items) {
    for (let i = 0; i < items.length; i++) forgetAround(items[i], at);
    return;
  }
  forgetAround(node.key, at);
  forgetAround(node.value, at);
}

/** Moves a node and everything below it by `delta`, walking it (a tree moved once, as it is put together). */
function walkWhole(node: Shiftable, delta: number): void {
  const r = node.range;
  if (r) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  const items = node.items;
  if (items) {
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (isObject(it)) walkWhole(it, delta);
    }
    return;
  }
  if (isObject(node.key)) walkWhole(node.key, delta);
  if (isObject(node.value)) walkWhole(node.value, delta);
}

/** Moves a node and everything below it by `delta`: walked the first time, then through its list of range arrays (a keystroke's shift). */
function moveWhole(node: Shiftable, delta: number): void {
  let ranges = rangesBelow.get(node);
  if (!ranges) {
    rangesBelow.set(node, "moved once");
    walkWhole(node, delta);
    return;
  }
  if (ranges === "moved once") {
    ranges = [];
    collectRanges(node, ranges);
    rangesBelow.set(node, ranges);
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
}

/** Every range array at and below a node, in the order a walk meets them. */
function collectRanges(node: Shiftable, out: number[][]): void {
  if (node.range) out.push(node.range);
  const items = node.items;
  if (items) {
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (isObject(it)) collectRanges(it, out);
    }
    return;
  }
  if (isObject(node.key)) collectRanges(node.key, out);
  if (isObject(node.value)) collectRanges(node.value, out);
}

export function shiftAll(node: unknown, delta: number): void {
  shiftNode(node, 0, delta);
}
