import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { analyzeFile, type FileAnalysis } from "./analysis";
import type { Finding } from "./model/finding";
import { firstRepeatedKey, YAML_OPTIONS, type ParsedDoc, type ParsedFile } from "./model/parse";
import { columnOf, LineIndex, lineStartOf } from "./model/text";
import { MAX_NESTING, nestingBeyond } from "./model/nesting";
import { flattenScalars } from "./model/yamlnodes";
import { forgetAround, shiftAll, shiftNode } from "./model/shift";
import { LIST_KEYS, type ListKey } from "./model/topology";
import type { AnalysisOptions } from "./derive/context";
import { validateItem } from "./schema/validate";
import { keepingLastSweep } from "./math/cidr";
import { carryListRecord, fieldsOf, GaveWay, itemRecord, listRecordFor, offsetMap, recordLists, withItemRules, yieldTo } from "./reuse";

/** One text change: replace [start, end) of the old text with `text`. */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Characters whose meaning reaches outside one list item (anchors, aliases, tags, directives, documents). */
const NON_LOCAL = /[&*!%]|^(---|\.\.\.)|\r/m;

interface Target {
  key: ListKey;
  seq: YAMLSeq;
  index: number;
  /** the item's region: from the start of its `-` line to the start of what follows it */
  start: number;
  end: number;
}

/** The item of a block sequence whose lines hold the change: from its `-` line to what follows it (`after`, else `last`). */
function itemAround(
  seq: YAMLSeq,
  text: string,
  change: TextChange,
  after: Node | undefined,
  last: number,
): { index: number; start: number; end: number } | undefined {
  const items = seq.items as Node[];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!it?.range || isPair(it)) return undefined;
    const start = lineStartOf(text, it.range[0]);
    const next = items[i + 1] as Node | undefined;
    const end = next?.range ? lineStartOf(text, next.range[0]) : after?.range ? lineStartOf(text, after.range[0]) : last;
    if (change.start > start && change.end < end) return { index: i, start, end };
    if (change.start < start) return undefined;
  }
  return undefined;
}

function findTarget(doc: Document, text: string, change: TextChange): Target | undefined {
  const root = doc.contents;
  if (!root || !isMap(root) || (root as YAMLMap).flow) return undefined;
  const pairs = (root as YAMLMap).items as Pair[];
  for (let p = 0; p < pairs.length; p++) {
    const key = pairs[p].key;
    const value = pairs[p].value as Node | null;
    if (!isScalar(key) || !value || !isSeq(value) || (value as YAMLSeq).flow) continue;
    const name = String(key.value) as ListKey;
    if (!LIST_KEYS.includes(name)) continue;
    const hit = itemAround(value as YAMLSeq, text, change, pairs[p + 1]?.key as Node | undefined, doc.range?.[2] ?? text.length);
    if (hit) return { key: name, seq: value as YAMLSeq, ...hit };
    if (change.start < lineStartOf(text, (value as YAMLSeq).range?.[0] ?? 0)) return undefined;
  }
  return undefined;
}

/**
 * Within a top-level item, the item of one of its own block lists (a traffic entry's
 * `backends`) that holds the change: a long list inside one item is re-parsed one entry at a time.
 */
function nestedTarget(
  item: Node,
  text: string,
  change: TextChange,
  end: number,
): { seq: YAMLSeq; index: number; start: number; end: number } | undefined {
  if (!isMap(item) || (item as YAMLMap).flow) return undefined;
  const pairs = (item as YAMLMap).items as Pair[];
  for (let p = 0; p < pairs.length; p++) {
    const value = pairs[p].value as Node | null;
    if (!value || !isSeq(value) || (value as YAMLSeq).flow || (value as YAMLSeq).items.length < NESTED_MIN_ITEMS) continue;
    const hit = itemAround(value as YAMLSeq, text, change, pairs[p + 1]?.key as Node | undefined, end);
    if (hit) return { seq: value as YAMLSeq, ...hit };
  }
  return undefined;
}

/** Below this many entries a nested list is re-parsed with its item: not worth a second splice. */
const NESTED_MIN_ITEMS = 32;

/**
 * The largest item (in characters) whose families a keystroke may reuse (reuse.ts): comparing an
 * item's fields walks all of it, and a traffic entry with thousands of backends (the 12-site
 * bench's) took longer to compare than its families take to run.
 */
const REUSE_MAX_CHARS = 16_384;

/**
 * Re-analyses after one change by re-parsing only the top-level list item it falls in and
 * splicing it into the document and the model; undefined when that cannot be exact (the caller
 * then analyses from scratch). The result equals a from-scratch analysis, finding for finding.
 * A rehearsal's `giveWay` is asked between its stages and families (reuse.ts GaveWay).
 */
export function reanalyze(
  prev: FileAnalysis,
  change: TextChange,
  newText: string,
  options: AnalysisOptions = prev.options,
  rehearsal = false,
  giveWay?: () => boolean,
): FileAnalysis | undefined {
  const old = prev.parsed;
  if (options.galeraMaxRttMs !== prev.options.galeraMaxRttMs || old.docs.length !== 1 || !prev.schemaGroups || prev.contexts.length !== 1)
    return undefined;
  const d = old.docs[0];
  if (d.broken || d.kind !== "topology" || d.yamlFindings.length || !d.topology) return undefined;
  const target = findTarget(d.doc, old.text, change);
  if (!target) return undefined;
  const delta = change.text.length - (change.end - change.start);
  const topItem = target.seq.items[target.index] as Node;
  // the smallest region to re-parse: one entry of a long nested list, else the whole item
  const nested = nestedTarget(topItem, old.text, change, target.end);
  const region = nested ?? target;
  const depth = nested ? 3 : 1;
  const oldRegion = old.text.slice(region.start, region.end);
  const newRegion = newText.slice(region.start, region.end + delta);
  if (NON_LOCAL.test(oldRegion) || NON_LOCAL.test(newRegion)) return undefined;
  if (oldRegion.endsWith("\n") !== newRegion.endsWith("\n")) return undefined;
  // the region sits `depth` levels below the document's top: past the limit minus that, analyse it all
  if (nestingBeyond(newRegion, MAX_NESTING - depth) >= 0) return undefined;

  // the item alone, parsed in place: one block item at the same column, no errors at all
  const part = parseDocument(newRegion, YAML_OPTIONS);
  if (part.errors.length || part.warnings.length || firstRepeatedKey(part.contents)) return undefined; // a repeated key: the file's parse finds it
  const seq = part.contents;
  if (!seq || !isSeq(seq) || (seq as YAMLSeq).flow || (seq as YAMLSeq).items.length !== 1) return undefined;
  const parsedItem = (seq as YAMLSeq).items[0] as Node;
  if (!parsedItem?.range || isPair(parsedItem)) return undefined;
  flattenScalars(parsedItem);
  const oldItem = region.seq.items[region.index] as Node;
  if (columnOf(newRegion, parsedItem.range[0]) !== columnOf(old.text, oldItem.range![0])) return undefined;
  if (newRegion.slice(0, lineStartOf(newRegion, parsedItem.range[0])).trim()) return undefined;
  yieldTo(giveWay);

  // the fields of the item as the last analysis of this same item read them, offsets moved by this edit
  // (not for an item past REUSE_MAX_CHARS: comparing its fields would cost more than its families)
  // (else, for the first edit of an item, what the families read of its list: the record taken on this same text, or what edits kept of one)
  const same = prev.families?.key === target.key && prev.families.index === target.index;
  const small = !rehearsal && target.end - target.start <= REUSE_MAX_CHARS;
  const valid = rehearsal ? undefined : listRecordFor(d.topology, old.text);
  const listed = small ? valid : undefined;
  const last =
    (same && small ? prev.families : undefined) ??
    (listed && itemRecord(listed, target.key, target.index, d.topology[target.key][target.index]));
  const at = offsetMap(change);
  const reuse = last ? { record: last, before: fieldsOf(last.item, at), at } : undefined;

  const doc = d.doc;
  splice(doc, region, oldItem, parsedItem, delta, rehearsal);
  yieldTo(giveWay);
  // the top-level item the model and the schema re-read: the new one, or the old one holding the new entry
  const item = nested ? topItem : parsedItem;

  const lines = LineIndex.afterChange(old.lines, change, newText);
  const group = `${target.key}/${target.index}`;
  const schemaGroups = new Map(prev.schemaGroups);
  const itemFindings = validateItem(doc, d.span, target.key, target.index, item);
  if (itemFindings.length) schemaGroups.set(group, itemFindings);
  else schemaGroups.delete(group);
  yieldTo(giveWay);
  const rules = withItemRules(d.topology, doc, target, item, options, d.span.start, reuse, giveWay);
  const { topology, ctx } = rules;
  if (!rehearsal) carryListRecord(valid, d.topology, topology, rules.record);
  const local: Finding[] = [...[...schemaGroups.values()].flat(), ...rules.findings];
  const doc2: ParsedDoc = { ...d, topology };
  const parsed: ParsedFile = { ...old, text: newText, lines, docs: [doc2] };
  return { parsed, local, contexts: [ctx], schemaGroups, options, families: rules.record };
}

/** Shifts what follows the region, then puts the new item's nodes in place of the old one's. */
function splice(
  doc: Document,
  region: { seq: YAMLSeq; index: number; start: number; end: number },
  oldItem: Node,
  parsedItem: Node,
  delta: number,
  rehearsal: boolean,
): void {
  // (moving nothing when the edit keeps the length — a digit replaced — but in a rehearsal, which
  // runs the shift's code once before real keystrokes need it)
  if (delta !== 0 || rehearsal) shiftNode(doc.contents, region.end, delta, true);
  if (doc.range) for (let i = 0; i < doc.range.length; i++) if (doc.range[i] >= region.end) doc.range[i] += delta;
  shiftAll(parsedItem, region.start);
  // (a rehearsal leaves the document as it was: its change is empty, so the shifts above moved nothing)
  if (!rehearsal) {
    forgetAround(doc.contents, oldItem.range![0]);
    region.seq.items[region.index] = parsedItem;
  }
}

/**
 * A keystroke's incremental analysis run on `prev` and thrown away, `prev` left as it was: an
 * empty change at the middle item of the document's longest list, re-parsed and re-analysed with
 * every rule family as a keystroke there is (nothing spliced into the document, no family taken
 * from the last keystroke, the last sweep order of the ranges kept). A large file's first
 * keystroke otherwise runs code its open never ran (the item re-read and tracked, the shifts,
 * the context and the families over thousands of items with one of them tracked) unoptimised
 * (measured: about three times a warm keystroke's CPU); the background thread rehearses one
 * once a large file's open has been analysed (background/worker.ts). Whether it ran, or "gave
 * way": `giveWay`, asked between its stages and families, said real work arrived (it stopped there).
 */
export function rehearseKeystroke(prev: FileAnalysis, giveWay?: () => boolean): boolean | "gave way" {
  const at = rehearsalOffset(prev);
  if (at === undefined) return false;
  try {
    return !!keepingLastSweep(() => reanalyze(prev, { start: at, end: at, text: "" }, prev.parsed.text, prev.options, true, giveWay));
  } catch (e) {
    return e instanceof GaveWay ? "gave way" : false;
  }
}

/**
 * Records what each rule family of `a` reads of each list (reuse.ts ListRecord), so that the
 * first keystroke into any item keeps the families that read none of the fields it changed: the
 * context and every family run once more on a throwaway copy of the model whose every item is
 * tracked. Whether it ran, or "gave way" (`giveWay`, asked before each family, said real work
 * arrived: nothing recorded).
 */
export function recordFamilies(a: FileAnalysis, giveWay?: () => boolean): boolean | "gave way" {
  const d = a.parsed.docs.length === 1 ? a.parsed.docs[0] : undefined;
  if (!d?.topology || d.broken || d.kind !== "topology" || a.contexts.length !== 1 || !a.schemaGroups) return false;
  const topology = d.topology;
  try {
    keepingLastSweep(() => recordLists(topology, a.options, d.span.start, giveWay, a.parsed.text));
    return true;
  } catch (e) {
    return e instanceof GaveWay ? "gave way" : false;
  }
}

/** Where a rehearsed keystroke goes: the first character of the middle item of the longest top-level block list. */
function rehearsalOffset(a: FileAnalysis): number | undefined {
  const d = a.parsed.docs.length === 1 ? a.parsed.docs[0] : undefined;
  const root = d?.doc.contents;
  if (!root || !isMap(root)) return undefined;
  let longest: YAMLSeq | undefined;
  for (const p of (root as YAMLMap).items as Pair[]) {
    const v = p.value as Node | null;
    if (isScalar(p.key) && LIST_KEYS.includes(String(p.key.value) as ListKey) && v && isSeq(v) && !(v as YAMLSeq).flow)
      if (!longest || (v as YAMLSeq).items.length > longest.items.length) longest = v as YAMLSeq;
  }
  const item = longest?.items[longest.items.length >> 1] as Node | undefined;
  return item?.range?.[0];
}

/**
 * The incremental analysis when it can be exact; undefined when the caller must analyse from
 * scratch (a failure here included: a from-scratch analysis is always right).
 */
export function reanalyzeChange(
  prev: FileAnalysis,
  change: TextChange,
  newText: string,
  options: AnalysisOptions,
): FileAnalysis | undefined {
  try {
    return reanalyze(prev, change, newText, options);
  } catch {
    return undefined;
  }
}

/** Incremental when it can be exact, else from scratch. */
export function analyzeChange(
  prev: FileAnalysis | undefined,
  path: string,
  change: TextChange | undefined,
  newText: string,
  options: AnalysisOptions,
): FileAnalysis {
  return (prev && change && reanalyzeChange(prev, change, newText, options)) || analyzeFile(path, newText, options);
}

/**
 * The one change that turns `before` into `after`: what lies between their common prefix and
 * common suffix. Several edits received together become one this way (re-analysed at once).
 */
export function changeBetween(before: string, after: string): TextChange {
  const most = Math.min(before.length, after.length);
  let start = 0;
  while (start < most && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < most - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}
