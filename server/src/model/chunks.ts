// A large file parsed a list at a time. yaml builds a document's whole syntax tree (its CST)
// before it composes the nodes, so one parse of a 1 MB topology held both at once: 41 MB of
// CST beside 21 MB of nodes (measured on the benchmark's rings shape), a peak several times what
// stays, and the background thread's resident memory never came down from it. Here the long
// top-level lists are parsed a chunk of items at a time — each chunk's tree is garbage before
// the next is built — and the items are moved to where they sit in the file; the rest (the file
// without those lists' inner items) is parsed once. It gives the nodes one parse gives, and
// where anything could make them differ it gives up (undefined) and the caller parses the whole.
import { type Document, isPair, isSeq, type Node, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { shiftAll, shiftNode } from "./shift";

export interface ChunkOptions {
  /** files shorter than this are parsed whole (their tree is small) */
  readonly minChars: number;
  /** about this much text a chunk (a list shorter than this is parsed with the rest) */
  readonly chunkChars: number;
}

export const CHUNKS: ChunkOptions = { minChars: 256 * 1024, chunkChars: 32 * 1024 };

/**
 * Characters whose meaning reaches outside one list item: anchors, aliases, tags, directives,
 * document markers; and carriage returns and tabs, which yaml reads in ways a line scan does not.
 */
const NON_LOCAL = /[&*!%\t\r]|^(---|\.\.\.)/m;

/** A top-level block list: where each item's line starts, the column of its `-`, and where the list ends. */
interface List {
  readonly starts: number[];
  readonly indent: number;
  readonly end: number;
}

/** A top-level key with nothing after it on its line: its value may be a block list on the lines below. */
const LIST_KEY = /^[A-Za-z_][\w-]*:[ ]*$/;

/**
 * The top-level block lists of at least `chunkChars`, found line by line: a `key:` line at column
 * 0, then items at one column, each line of an item indented deeper. A list holding a blank or
 * comment line, or any line that is neither, is left to the whole parse (where such lines
 * belong depends on what follows them).
 */
function longLists(text: string, chunkChars: number): List[] {
  const lists: List[] = [];
  let cur: { starts: number[]; indent: number; ok: boolean } | undefined;
  let afterKey = false;
  const close = (end: number) => {
    if (cur?.ok && cur.starts.length >= 2 && end - cur.starts[0] >= chunkChars) lists.push({ starts: cur.starts, indent: cur.indent, end });
    cur = undefined;
  };
  for (let pos = 0; pos < text.length; ) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = text.length;
    let indent = 0;
    while (pos + indent < eol && text.charCodeAt(pos + indent) === 32) indent++;
    const first = pos + indent < eol ? text[pos + indent] : "";
    const dash = first === "-" && (pos + indent + 1 === eol || text[pos + indent + 1] === " ");
    if (first === "" || first === "#") {
      if (cur) cur.ok = false;
    } else if (indent === 0 && !dash) {
      close(pos);
      afterKey = LIST_KEY.test(text.slice(pos, eol));
    } else if (cur) {
      if (dash && indent === cur.indent) cur.starts.push(pos);
      else if (indent <= cur.indent) cur.ok = false;
    } else if (afterKey && dash) cur = { starts: [pos], indent, ok: true };
    if (first !== "" && first !== "#" && !(indent === 0 && !dash)) afterKey = false;
    pos = eol + 1;
  }
  close(text.length);
  return lists;
}

/** Items [from, to) of `list` parsed alone, moved to their place in the file; undefined unless exactly what the list holds there. */
function parseItems(text: string, list: List, from: number, to: number, options: object): Node[] | undefined {
  const start = list.starts[from];
  // up to the next item's `-`, its indentation included: an item that ends in an empty value
  // ends where the next token starts, as in one parse of the whole
  const end = to < list.starts.length ? list.starts[to] + list.indent : list.end;
  const part = parseDocument(text.slice(start, end), options);
  if (part.errors.length || part.warnings.length) return undefined;
  const seq = part.contents;
  if (!seq || !isSeq(seq) || (seq as YAMLSeq).flow || (seq as YAMLSeq).items.length !== to - from) return undefined;
  const items = (seq as YAMLSeq).items as Node[];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!it?.range || isPair(it) || it.range[0] < list.starts[from + i] - start + list.indent) return undefined;
    shiftAll(it, start);
  }
  return items;
}

/** The file's one document, parsed as described above; undefined when the caller must parse it whole. */
export function parseInChunks(text: string, options: object, chunks: ChunkOptions = CHUNKS): Document | undefined {
  if (text.length < chunks.minChars || NON_LOCAL.test(text)) return undefined;
  const lists = longLists(text, chunks.chunkChars);
  if (!lists.length) return undefined;
  // the skeleton: each long list keeps its first and last item, the ones between are cut out;
  // once parsed, what followed each cut moves back by its length (as an edit's shift does)
  const pieces: string[] = [];
  const cuts: { at: number; length: number }[] = [];
  let at = 0;
  let removed = 0;
  for (const l of lists) {
    const from = l.starts[1];
    const to = l.starts[l.starts.length - 1];
    pieces.push(text.slice(at, from));
    cuts.push({ at: from - removed, length: to - from });
    removed += to - from;
    at = to;
  }
  pieces.push(text.slice(at));
  const doc = parseDocument(pieces.join(""), options);
  if (doc.errors.length || doc.warnings.length) return undefined;
  // the last cut first: an earlier cut's place is not moved by a later one's
  for (let k = cuts.length - 1; k >= 0; k--) {
    const { at: cut, length } = cuts[k];
    shiftNode(doc.contents, cut, length);
    if (doc.range) for (let i = 0; i < doc.range.length; i++) if (doc.range[i] >= cut) doc.range[i] += length;
  }
  const root = doc.contents;
  if (!root || !(root as YAMLMap).items || (root as YAMLMap).flow) return undefined;
  for (const l of lists) {
    const pair = ((root as YAMLMap).items as { value?: unknown }[]).find((p) => {
      const v = p.value as YAMLSeq | null;
      return !!v && isSeq(v) && v.range?.[0] === l.starts[0] + l.indent;
    });
    const seq = pair?.value as YAMLSeq | undefined;
    if (!seq || seq.flow || seq.items.length !== 2) return undefined;
    const items: Node[] = [];
    for (let i = 0; i < l.starts.length; ) {
      let j = i + 1;
      while (j < l.starts.length && l.starts[j] - l.starts[i] < chunks.chunkChars) j++;
      const part = parseItems(text, l, i, j, options);
      if (!part) return undefined;
      for (const it of part) items.push(it);
      i = j;
    }
    seq.items = items;
  }
  return doc;
}
