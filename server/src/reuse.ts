// Keystrokes into one list item, one after another, without re-running the rule families the
// edit cannot change. Each incremental analysis runs its families with the re-read item tracked
// (derive/track): which of its top-level fields each family read, directly or through a fact, is
// recorded. The next edit of the same item compares the item's fields before and after (the
// positions the edit moved, moved): a family that read none of the fields that changed runs as it
// did, read for read, and finds what it found — its findings are taken, moved with the edit.
import type { Document, Node } from "yaml";
import { guarded, rulesToRun } from "./analysis";
import { type AnalysisOptions, TopologyContext } from "./derive/context";
import { listRead, listTracked, looseReads, recording, tracked } from "./derive/track";
import type { Finding, FixHint } from "./model/finding";
import { type ListKey, type Topology, withEveryItem, withItem } from "./model/topology";
import type { Span } from "./model/text";

/** What one incremental analysis's families read of the item its edit re-read, and what they found. */
export interface FamilyRecord {
  readonly key: ListKey;
  readonly index: number;
  /** the item as read from the document (untracked) */
  readonly item: object;
  /** the options the families ran with */
  readonly options: string;
  /** the fields read while the context was built (every family depends on them) */
  readonly base: ReadonlySet<string>;
  /**
   * by family: the fields it read, and its findings with plain offsets (undefined: more than
   * KEPT_MAX_FINDINGS, not kept — the family runs again on the next edit)
   */
  readonly families: ReadonlyMap<string, { readonly reads: ReadonlySet<string>; readonly findings: readonly Finding[] | undefined }>;
  /** the families this analysis took from the last one instead of running them */
  readonly kept: readonly string[];
}

/** Where an offset of the text before an edit is after it: NaN inside what the edit replaced. */
export type OffsetMap = (offset: number) => number;

export const unmoved: OffsetMap = (p) => p;

/** The offset map of one edit: before it, unmoved; at or past its end, moved by its length change. */
export function offsetMap(change: { start: number; end: number; text: string }): OffsetMap {
  const delta = change.text.length - (change.end - change.start);
  return (p) => (p < change.start ? p : p >= change.end ? p + delta : Number.NaN);
}

const UNDEFINED = "\u0000undefined";
let unknowns = 0;

/**
 * A value of the model as plain data to compare, offsets mapped by `at`: spans (live or plain)
 * become their mapped offsets; anything else that is not plain data (a map, a syntax node)
 * becomes a value equal to nothing, so a field holding one always counts as changed.
 */
function snapshot(x: unknown, at: OffsetMap, depth: number): unknown {
  if (x === undefined) return UNDEFINED;
  if (typeof x === "function" || typeof x === "symbol" || typeof x === "bigint") return `\u0000unknown${unknowns++}`;
  if (x === null || typeof x !== "object") return typeof x === "number" && !Number.isFinite(x) ? String(x) : x;
  if (depth > 16) return `\u0000unknown${unknowns++}`;
  if (Array.isArray(x)) return x.map((v) => snapshot(v, at, depth + 1));
  // in iteration order, as a family reading one sees it
  if (x instanceof Set) return ["\u0000set", ...[...x].map((v) => snapshot(v, at, depth + 1))];
  if (x instanceof Map) return ["\u0000map", ...[...x].map((e) => snapshot(e, at, depth + 1))];
  const o = x as Record<string, unknown>;
  const proto = Object.getPrototypeOf(o);
  const spanLike = typeof o.start === "number" && typeof o.end === "number";
  if (proto !== Object.prototype && proto !== null && !spanLike) return `\u0000unknown${unknowns++}`;
  const out: Record<string, unknown> = {};
  // a live span (model/yamlnodes) is its offsets; the node it reads them from is not compared
  if (proto === Object.prototype || proto === null) for (const k of Object.keys(o)) out[k] = snapshot(o[k], at, depth + 1);
  if (spanLike) {
    // NaN (an offset the edit replaced) equals nothing
    out.start = String(at(o.start as number));
    out.end = String(at(o.end as number));
  }
  return out;
}

/** Each top-level field of an item as a string to compare, offsets mapped by `at`. */
export function fieldsOf(item: object, at: OffsetMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of Object.keys(item)) out.set(k, JSON.stringify(snapshot((item as Record<string, unknown>)[k], at, 0)));
  return out;
}

/** The fields that differ (undefined: the item's set of fields itself changed, so every family runs). */
export function changedFields(before: Map<string, string>, after: Map<string, string>): Set<string> | undefined {
  if (before.size !== after.size) return undefined;
  const out = new Set<string>();
  for (const [k, v] of after) {
    if (!before.has(k)) return undefined;
    if (before.get(k) !== v || v.includes("NaN")) out.add(k);
  }
  return out;
}

/** A finding with plain offsets mapped by `at`; undefined when one of them lay in what the edit replaced. */
export function movedFinding(f: Finding, at: OffsetMap): Finding | undefined {
  const move = (s: Span): Span | undefined => {
    const start = at(s.start);
    const end = at(s.end);
    return Number.isNaN(start) || Number.isNaN(end) ? undefined : { start, end };
  };
  const span = move(f.span);
  if (!span) return undefined;
  let ok = true;
  const related = f.related?.map((r) => {
    // another file's span is not this edit's
    const s = r.path ? { start: r.span.start, end: r.span.end } : move(r.span);
    if (!s) ok = false;
    return { ...r, span: s ?? r.span };
  });
  const fixes = f.fixes?.map((h): FixHint => {
    if (h.kind === "replace") {
      const s = move(h.span);
      if (!s) ok = false;
      return { ...h, span: s ?? h.span };
    }
    if (h.kind === "replace-all") {
      const edits = h.args.edits.map((e) => {
        const s = move(e);
        if (!s) ok = false;
        return { ...e, ...s };
      });
      return { ...h, args: { ...h.args, edits } };
    }
    return h;
  });
  if (!ok) return undefined;
  return { ...f, span, ...(related ? { related } : {}), ...(fixes ? { fixes } : {}) };
}

function movedAll(findings: readonly Finding[], at: OffsetMap): Finding[] | undefined {
  const out: Finding[] = [];
  for (const f of findings) {
    const m = movedFinding(f, at);
    if (!m) return undefined;
    out.push(m);
  }
  return out;
}

/** What the last analysis of the same item left, and how this edit changed the item. */
export interface Reusable {
  readonly record: FamilyRecord;
  /** the item's fields the edit changed */
  readonly changed: ReadonlySet<string>;
  readonly at: OffsetMap;
}

/** Whether any of `reads` is among the `changed` fields. */
function meets(reads: ReadonlySet<string>, changed: ReadonlySet<string>): boolean {
  for (const r of reads) if (changed.has(r)) return true;
  return false;
}

/** A family as the last analysis left it, its findings moved by the edit: when it read none of the changed fields. */
function keptFamily(reuse: Reusable, name: string): { reads: ReadonlySet<string>; findings: readonly Finding[] } | undefined {
  const last = reuse.record.families.get(name);
  if (!last?.findings || meets(last.reads, reuse.changed)) return undefined;
  const findings = movedAll(last.findings, reuse.at);
  return findings && { reads: last.reads, findings };
}

/**
 * The most findings of one family kept for the next edit: copying them with plain offsets costs
 * more than running the family again when it found thousands (a `/2` typed into a prefix:
 * every range it overlaps is flagged, and that family runs again on the next CIDR keystroke anyway).
 */
export const KEPT_MAX_FINDINGS = 256;

/**
 * Thrown between the stages and families of a rehearsed keystroke (incremental.ts
 * rehearseKeystroke) whose `giveWay` says real work arrived: the rehearsal is abandoned, so a
 * keystroke waits for one family at most, not the rest of the rehearsal.
 */
export class GaveWay extends Error {
  constructor() {
    super("a rehearsal gave way to real work");
  }
}

/** Throws GaveWay when `giveWay` says so (a rehearsal's check between its stages). */
export function yieldTo(giveWay: (() => boolean) | undefined): void {
  if (giveWay?.()) throw new GaveWay();
}

/**
 * runRules (analysis.ts) with the item tracked: each family in the same order, taken from
 * `reuse` when it read none of the changed fields (nor did the context's construction), else
 * run and its reads recorded. Returns the findings and the record for the next edit. `giveWay`
 * (a rehearsal's) is asked before each family that runs.
 */
export function runFamilies(
  ctx: TopologyContext,
  at: number,
  item: { key: ListKey; index: number; item: object; base: ReadonlySet<string> },
  reuse: Reusable | undefined,
  giveWay?: () => boolean,
): { findings: Finding[]; record: FamilyRecord } {
  const options = JSON.stringify(ctx.options);
  const usable =
    reuse && reuse.record.options === options && !meets(reuse.record.base, reuse.changed) && !meets(item.base, reuse.changed)
      ? reuse
      : undefined;
  const families = new Map<string, { reads: ReadonlySet<string>; findings: readonly Finding[] | undefined }>();
  const out: Finding[] = [];
  const keptNames: string[] = [];
  for (const [name, rule] of rulesToRun(ctx.options)) {
    const kept = usable && keptFamily(usable, name);
    if (kept) {
      families.set(name, kept);
      keptNames.push(name);
      out.push(...kept.findings);
      continue;
    }
    yieldTo(giveWay);
    const { value, reads } = recording(() => guarded(name, at, () => rule(ctx)));
    // plain offsets: the next edit moves them (live spans would follow the syntax tree instead)
    // (kept only up to KEPT_MAX_FINDINGS; this analysis shows them as they are, as a from-scratch one does)
    families.set(name, { reads, findings: value.length <= KEPT_MAX_FINDINGS ? movedAll(value, unmoved)! : undefined });
    for (let i = 0; i < value.length; i++) out.push(value[i]);
  }
  return { findings: out, record: { ...item, options, families, kept: keptNames } };
}

/**
 * The model with the re-read item in place (tracked), its context, and its families run or
 * taken from `last` (the last analysis's record of the same item, and the item's fields as it
 * read them with this edit's offsets). `giveWay`: see runFamilies.
 */
export function withItemRules(
  was: Topology,
  doc: Document,
  target: { key: ListKey; index: number },
  item: Node,
  options: AnalysisOptions,
  at: number,
  last: { record: FamilyRecord; before: Map<string, string>; at: OffsetMap } | undefined,
  giveWay?: () => boolean,
): { topology: Topology; ctx: TopologyContext; findings: Finding[]; record: FamilyRecord } {
  // (withItem calls `wrap` once, with the item it read)
  let read: object = {};
  // the name indexes withItem rebuilds, and the context's own (links; the quorums are a fact),
  // read the item before any family runs: every family depends on what they read
  const indexed = looseReads(() =>
    withItem(was, doc, target.key, target.index, item, (x) => {
      read = x;
      return tracked(x);
    }),
  );
  const topology = indexed.value;
  yieldTo(giveWay);
  const { value: ctx, reads: base } = looseReads(() => new TopologyContext(topology, options));
  for (const r of indexed.reads) base.add(r);
  const changed = last && changedFields(last.before, fieldsOf(read, unmoved));
  const rules = runFamilies(
    ctx,
    at,
    { key: target.key, index: target.index, item: read, base },
    last && changed ? { record: last.record, changed, at: last.at } : undefined,
    giveWay,
  );
  return { topology, ctx, ...rules };
}

/**
 * What each family read of a whole analysis, list by list: the union over each list's items of
 * the fields it read (track.ts listRead), directly or through facts, and what it found. Taken on
 * a throwaway model of the analysis whose every item is tracked (recordLists). A family that read
 * field F of no item of list K runs read for read as it did when a keystroke changes only field F
 * of one item of K (the argument of runFamilies, over every item of the list at once): the first
 * keystroke into an item, which has no FamilyRecord of its own, keeps it.
 */
export interface ListRecord {
  /** the options the families ran with */
  readonly options: string;
  /** the reads made while the model's indexes and the context were built (every family depends on them) */
  readonly base: ReadonlySet<string>;
  /** by family: its reads, and its findings with plain offsets (undefined: more than KEPT_MAX_FINDINGS) */
  readonly families: ReadonlyMap<string, { readonly reads: ReadonlySet<string>; readonly findings: readonly Finding[] | undefined }>;
}

/**
 * The list-level record of the analysis whose model is the key: valid for that model only (an
 * edit makes a new one, which gets a record only as carryListRecord allows).
 */
const listRecords = new WeakMap<Topology, ListRecord>();

export const listRecordOf = (t: Topology): ListRecord | undefined => listRecords.get(t);

/**
 * The file's last complete list-level record (recordLists) with the text it was taken on, carried
 * from each incremental analysis to the next whatever the edit re-ran (carryListRecord). An
 * analysis is a function of its text and options: one whose text is that text again (a value
 * typed and taken back, an undo) has that record in full, the families the edits between re-ran
 * (which listRecords no longer holds for it) included. One per file: the text it holds alive
 * (the file's size, once) goes when a newer record is taken or the chain of analyses ends.
 */
const takenRecords = new WeakMap<Topology, { readonly text: string; readonly record: ListRecord }>();

/**
 * The list-level record that holds for the analysis of `text` whose model is `t`: the complete
 * one taken on that same text, else what the edits since kept of one (listRecords).
 */
export function listRecordFor(t: Topology, text: string): ListRecord | undefined {
  const taken = takenRecords.get(t);
  // (lengths first: a large text is compared character by character only when it may be equal)
  if (taken && taken.text.length === text.length && taken.text === text) return taken.record;
  return listRecords.get(t);
}

/**
 * Records, for the analysis of `topology` with `options`, what each family reads of each list
 * (ListRecord): the context and every family run once more on a copy of the model whose items all
 * note their reads, then dropped. `giveWay` is asked before each family (GaveWay: nothing kept).
 * `text`: the analysis's text, kept with the record for the analyses that come back to it (takenRecords).
 */
export function recordLists(topology: Topology, options: AnalysisOptions, at: number, giveWay?: () => boolean, text?: string): ListRecord {
  const { value: ctx, reads: base } = looseReads(
    () =>
      new TopologyContext(
        withEveryItem(topology, (key, item) => listTracked(key, item)),
        options,
      ),
  );
  const families = new Map<string, { reads: ReadonlySet<string>; findings: readonly Finding[] | undefined }>();
  for (const [name, rule] of rulesToRun(ctx.options)) {
    yieldTo(giveWay);
    const { value, reads } = recording(() => guarded(name, at, () => rule(ctx)));
    families.set(name, { reads, findings: value.length <= KEPT_MAX_FINDINGS ? movedAll(value, unmoved)! : undefined });
  }
  const record = { options: JSON.stringify(ctx.options), base, families };
  listRecords.set(topology, record);
  if (text !== undefined) takenRecords.set(topology, { text, record });
  return record;
}

/** What `record` says of the items of list `key`: a FamilyRecord of item `index` (its reads over-approximated by the list's). */
export function itemRecord(record: ListRecord, key: ListKey, index: number, item: object): FamilyRecord {
  const prefix = listRead(key, "");
  const ofList = (reads: ReadonlySet<string>): Set<string> => {
    const out = new Set<string>();
    for (const r of reads) if (r.startsWith(prefix)) out.add(r.slice(prefix.length));
    return out;
  };
  const families = new Map<string, { reads: ReadonlySet<string>; findings: readonly Finding[] | undefined }>();
  for (const [name, f] of record.families) families.set(name, { reads: ofList(f.reads), findings: f.findings });
  return { key, index, item, options: record.options, base: ofList(record.base), families, kept: [] };
}

/**
 * The list-level record of an incremental analysis (model `topology`), from its predecessor's
 * (model `was`, its record `record`: listRecordFor) and what it kept (`kept`, its FamilyRecord): a
 * family kept ran read for read as before, so its list-level reads hold as they were, its findings
 * those it kept; so do the context's (kept families imply none of its reads changed). The families
 * that ran again are left out (their reads of other items were not recorded), and nothing is
 * carried when none was kept. The file's last complete record goes on with it (takenRecords): it
 * holds again once the text is the one it was taken on.
 */
export function carryListRecord(record: ListRecord | undefined, was: Topology, topology: Topology, kept: FamilyRecord): void {
  const taken = takenRecords.get(was);
  if (taken) takenRecords.set(topology, taken);
  if (!record || !kept.kept.length || record.options !== kept.options) return;
  const families = new Map<string, { reads: ReadonlySet<string>; findings: readonly Finding[] | undefined }>();
  for (const name of kept.kept) {
    const f = record.families.get(name);
    const now = kept.families.get(name);
    if (f && now?.findings) families.set(name, { reads: f.reads, findings: now.findings });
  }
  if (families.size) listRecords.set(topology, { options: record.options, base: record.base, families });
}
