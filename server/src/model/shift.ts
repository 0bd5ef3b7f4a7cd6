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
 * Moves every range value at or past `from` by `delta`, in place (model spans read them live).
 * A node that ends before `from` has nothing to move below it; one that starts at or past it
 * moves whole, without comparing (its children lie inside it). A keystroke in the middle of a
 * large file moves half of its nodes, so this is written for speed.
 */
export function shiftNode(node: unknown, from: number, delta: number): void {
  if (!isObject(node)) return;
  const r = node.range;
  if (r) {
    if (r[2] < from && r[1] < from) return;
    if (r[0] >= from) {
      shiftWhole(node, delta);
      return;
    }
    if (r[1] >= from) r[1] += delta;
    if (r[2] >= from) r[2] += delta;
  }
  const items = node.items;
  if (items) {
    for (let i = 0; i < items.length; i++) shiftNode(items[i], from, delta);
    return;
  }
  // a Pair has no range of its own
  shiftNode(node.key, from, delta);
  shiftNode(node.value, from, delta);
}

/** Moves a node and everything below it by `delta`. */
function shiftWhole(node: Shiftable, delta: number): void {
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
      if (isObject(it)) shiftWhole(it, delta);
    }
    return;
  }
  if (isObject(node.key)) shiftWhole(node.key, delta);
  if (isObject(node.value)) shiftWhole(node.value, delta);
}

export function shiftAll(node: unknown, delta: number): void {
  shiftNode(node, 0, delta);
}
