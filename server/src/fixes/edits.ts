import type { Node, Pair, YAMLMap, YAMLSeq } from "yaml";
import { columnOf, endOfLine, lineStartOf } from "../model/text";

/** A text edit in offsets: replace [start, end) with text. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export const replace = (start: number, end: number, text: string): Edit => ({ start, end, text });
export const insert = (at: number, text: string): Edit => ({ start: at, end: at, text });

/**
 * The end of the line holding the last non-blank character before `end`: block collections'
 * ranges run on to the start of the next line, and an insertion belongs after their content.
 */
export function afterContent(text: string, end: number): number {
  return endOfLine(text, Math.max(0, contentEndBefore(text, end) - 1));
}

/** `end` moved back over white space and line breaks: block ranges can run on to the next line's start. */
export function contentEndBefore(text: string, end: number): number {
  let e = Math.min(end, text.length);
  while (e > 0 && /\s/.test(text[e - 1])) e--;
  return e;
}

export const spaces = (n: number): string => " ".repeat(Math.max(0, n));
export const eol = (text: string): string => (text.includes("\r\n") ? "\r\n" : "\n");

/** Adds `key: value` to a mapping: inside the braces of a flow map, else on a new line after its last entry. */
export function insertMapEntry(text: string, map: YAMLMap, key: string, value: string): Edit {
  const nl = eol(text);
  if (map.flow) {
    const close = map.range![1] - 1; // the `}`
    const last = map.items[map.items.length - 1] as Pair | undefined;
    if (!last) return insert(close, ` ${key}: ${value} `);
    const lastEnd = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[1];
    return insert(lastEnd, `, ${key}: ${value}`);
  }
  const first = map.items[0] as Pair;
  const indent = columnOf(text, (first.key as Node).range![0]);
  const last = map.items[map.items.length - 1] as Pair;
  const lastEnd = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[1];
  return insert(afterContent(text, lastEnd), `${nl}${spaces(indent)}${key}: ${value}`);
}

/** The column of the `-` that introduces a block sequence's items. */
function dashColumn(text: string, seq: YAMLSeq): number {
  const first = seq.items[0] as Node;
  const start = first.range![0];
  const ls = lineStartOf(text, start);
  const before = text.slice(ls, start);
  const dash = before.lastIndexOf("-");
  return dash >= 0 ? dash : columnOf(text, start);
}

export interface NewItem {
  /** block form: first line after `- `, then the following lines (indented under the item) */
  readonly block: readonly string[];
  /** flow form, e.g. `{ name: witness, role: witness }` */
  readonly flow: string;
}

/** Block-style lines for new items, their `-` at column `col`. */
export function blockItems(items: readonly NewItem[], col: number, nl: string): string {
  return items.map((item) => item.block.map((l, i) => (i === 0 ? `${spaces(col)}- ${l}` : `${spaces(col + 2)}${l}`)).join(nl)).join(nl);
}

/** Appends items to a non-empty sequence, in the sequence's own style, as one edit. */
export function appendSeqItems(text: string, seq: YAMLSeq, items: readonly NewItem[]): Edit {
  const last = seq.items[seq.items.length - 1] as Node;
  if (seq.flow) return insert(last.range![1], items.map((i) => `, ${i.flow}`).join(""));
  const nl = eol(text);
  return insert(afterContent(text, last.range![1]), nl + blockItems(items, dashColumn(text, seq), nl));
}
