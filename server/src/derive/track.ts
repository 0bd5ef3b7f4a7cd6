// Which top-level fields of one list item the rule families read, recorded while they run: an
// edit that leaves every field a family read as it was (positions moved by the edit aside) leaves
// that family's findings as they were, moved with the edit (reuse.ts). The reads are recorded,
// never declared by hand: a family that starts reading a field is tracked by the same code.
import type { Steps } from "../util/steps";

/** The reads being recorded: the innermost frame (a family, or a fact it computes) first. */
const frames: Set<string>[] = [];
/** Reads made while no frame was open (the context's constructor: every family depends on them). */
let loose = new Set<string>();

/** The item tracked now: an item tracked before and still held (an older edit's) notes nothing. */
let current: object | undefined;

/** Notes that `field` of the tracked item was read. */
function note(field: string): void {
  (frames.length ? frames[frames.length - 1] : loose).add(field);
}

/** Notes every field of `reads` in the current frame (a fact computed earlier, read again). */
export function noteAll(reads: ReadonlySet<string>): void {
  const into = frames.length ? frames[frames.length - 1] : loose;
  for (const r of reads) into.add(r);
}

/**
 * The item, its fields read through a proxy that notes them: the one object every list, index
 * and fact holds (JSON, spreads and Object.keys see its fields as the item's). A proxy, not an
 * object of getters: those would give every tracked item a shape of its own, and the rules' hot
 * paths would go polymorphic on each new one.
 */
export function tracked<T extends object>(item: T): T {
  const self = {};
  current = self;
  return new Proxy(item, {
    get(target, key) {
      if (current === self && typeof key === "string") note(key);
      return (target as Record<string | symbol, unknown>)[key];
    },
  });
}

/** A read of `field` of some item of list `list`, as a list-level record notes it (listTracked). */
export const listRead = (list: string, field: string): string => `${list}\u0000${field}`;

/** By list: the proxy handler of listTracked, and the list's read names built so far. */
const listHandlers = new Map<string, ProxyHandler<object>>();

/**
 * The item, its fields read through a proxy that notes them as fields of list `list`
 * (listRead), whichever item is tracked: a model whose every item is one records, for each
 * family, the union over each list's items of the fields it read (reuse.ts ListRecord).
 */
export function listTracked<T extends object>(list: string, item: T): T {
  let handler = listHandlers.get(list);
  if (!handler) {
    const names = new Map<string, string>();
    handler = {
      get(target, key) {
        if (typeof key === "string") {
          let name = names.get(key);
          if (name === undefined) {
            name = listRead(list, key);
            names.set(key, name);
          }
          note(name);
        }
        return (target as Record<string | symbol, unknown>)[key];
      },
    };
    listHandlers.set(list, handler);
  }
  return new Proxy(item, handler) as T;
}

/** Runs `run` in a frame of its own; its reads are returned and also noted in the enclosing frame. */
export function recording<T>(run: () => T): { value: T; reads: Set<string> } {
  return inFrame(run, true);
}

/** Runs `run` in a frame of its own and returns its reads, noting them nowhere else (a fact computed ahead of its readers). */
export function recordingApart<T>(run: () => T): { value: T; reads: Set<string> } {
  return inFrame(run, false);
}

/** `run` in a frame of its own; with `passOn`, its reads are noted in the enclosing frame too. */
function inFrame<T>(run: () => T, passOn: boolean): { value: T; reads: Set<string> } {
  const reads = new Set<string>();
  frames.push(reads);
  try {
    return { value: run(), reads };
  } finally {
    frames.pop();
    if (passOn) noteAll(reads);
  }
}

/** The reads `run` makes outside any frame (a context's constructor), with what it returned. */
export function looseReads<T>(run: () => T): { value: T; reads: Set<string> } {
  const before = loose;
  loose = new Set<string>();
  try {
    return { value: run(), reads: loose };
  } finally {
    loose = before;
  }
}

/**
 * A fact computed at once or a step at a time (the availability report, the objectives'
 * judgements), kept with what computing it read: its value once complete, and those reads.
 */
export interface Cell<T> {
  value?: T;
  reads?: ReadonlySet<string>;
}

/** The cell's value, computed by `compute` when it has none; the reader depends on what computing it read, as with a fact. */
export function cellValue<T>(cell: Cell<T>, compute: () => T): T {
  if (cell.value !== undefined) {
    if (cell.reads) noteAll(cell.reads);
    return cell.value;
  }
  const { value, reads } = recording(compute);
  cell.value = value;
  cell.reads = reads;
  return value;
}

/** cellValue a step at a time: each step runs in a frame of its own; the value is kept, with every step's reads, once complete. */
export function* cellSteps<T>(cell: Cell<T>, steps: () => Steps<T>): Steps<T> {
  if (cell.value !== undefined) {
    if (cell.reads) noteAll(cell.reads);
    return cell.value;
  }
  const reads = new Set<string>();
  const run = steps();
  for (;;) {
    const step = recording(() => run.next());
    for (const r of step.reads) reads.add(r);
    if (step.value.done) {
      cell.value ??= step.value.value;
      cell.reads ??= reads;
      return step.value.value;
    }
    yield;
  }
}
