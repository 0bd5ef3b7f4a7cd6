import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { isInteresting, isYamlName } from "./model/parse";

export { isInteresting, isYamlName };

const SKIP_DIRS = new Set(["node_modules", ".git", "out", "dist"]);

/**
 * The first hidden part (a name starting with `.`: `.git`, `.env`, `.npmrc`, `.kube`) of `rel`, a
 * path relative to the folder walked, or undefined. Hidden files and folders hold a checkout's
 * credentials (actions/checkout persists its token in `.git/config`), and the parser's messages
 * quote what they stumble on: they are never read through a link or a binding.
 */
export function hiddenPart(rel: string): string | undefined {
  return rel.split(/[\\/]/).find((part) => part.startsWith(".") && part !== "." && part !== "..");
}

/** A name the folder walk never enters or reads: hidden (`.git`, `.env`) or a build/dependency folder. */
const walkSkips = (name: string): boolean => name.startsWith(".") || SKIP_DIRS.has(name);

/** Whether the folder walk would visit `target` (a resolved path inside `root`) itself: no skipped name on the way, a YAML name. */
function walkWouldVisit(root: string, target: string): boolean {
  return (
    !target
      .slice(root.length + 1)
      .split(sep)
      .some(walkSkips) && isYamlName(target)
  );
}

export interface FoundFile {
  readonly path: string;
  readonly text: string;
}

export interface FindOptions {
  /** an unreadable entry inside the folder; it is skipped */
  readonly onError: (path: string, err: Error) => void;
  /**
   * a YAML-named entry that is not read: not a regular file (a FIFO, a socket), a link or a second
   * name for a file read once, or over `maxBytes` or the run's budget (then `tooLarge` says which)
   */
  readonly onSkip?: (path: string, why: string, tooLarge?: TooLarge) => void;
  /** files larger than this are not read (default: no limit) */
  readonly maxBytes?: number;
  readonly limit?: number;
  /** the run this walk is part of: each real file read once, and the bytes of all bounded (default: a run of its own, unbounded) */
  readonly run?: ReadRun;
}

/** A file not read for its size: over the limit for one file, or past the budget of the whole run. */
export interface TooLarge {
  readonly size: number;
  readonly limit: "file" | "run";
}

/** The default budget of one run (a CLI run, the editor's workspace index) for all the files it reads, in MB. */
export const DEFAULT_MAX_TOTAL_MB = 256;

/**
 * What one run (a CLI run, the editor's workspace index) has read, shared by every folder and
 * file it covers. A cloned repository decides how many names its files have: a file with
 * 10,000 hard links, or named by the CLI and found again in a folder, is read once (the first
 * name met keeps it); and the bytes read in all are bounded by `maxBytes`, as each file is by
 * the limit for one (audit A20: one file under many names made the language server hold 5.8 GB).
 */
export class ReadRun {
  /** bytes read so far */
  used = 0;
  private readonly seen = new Map<string, string>();
  constructor(readonly maxBytes = Infinity) {}

  /**
   * Why `path` (a regular file, `st` its stats) is not read in this run; undefined: it is read,
   * and counted. `again`: read already under this very name (overlapping folders of one run).
   */
  admit(path: string, st: { dev: number; ino: number; size: number }): { why: string; tooLarge?: TooLarge; again?: true } | undefined {
    // ino 0: a file system that has no inode numbers (the name is the identity there)
    const key = st.ino ? `${st.dev}:${st.ino}` : `name:${path}`;
    const first = this.seen.get(key);
    if (first === path) return { why: "read already", again: true };
    if (first !== undefined) return { why: `the same file as ${first} (another name for it): read once, as ${first}` };
    if (this.used + st.size > this.maxBytes)
      return {
        why: `${sizeText(st.size)}, past the ${sizeText(this.maxBytes)} budget of this run for all files (${sizeText(this.used)} read already)`,
        tooLarge: { size: st.size, limit: "run" },
      };
    this.seen.set(key, path);
    this.used += st.size;
    return undefined;
  }
}

/** Why a path is not read as a file, or undefined when it is a regular file within the limit. */
export function notReadable(
  st: { isFile(): boolean; isFIFO(): boolean; isSocket(): boolean; size: number },
  maxBytes = Infinity,
): string | undefined {
  if (!st.isFile())
    return st.isFIFO()
      ? "not a regular file (a FIFO): reading it could wait forever"
      : st.isSocket()
        ? "not a regular file (a socket)"
        : "not a regular file";
  if (st.size > maxBytes) return `${sizeText(st.size)}, over the ${sizeText(maxBytes)} limit for one file`;
  return undefined;
}

export const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/** How long one file read of the asynchronous walk may take before it is given up (a stalled network mount). */
export const READ_TIMEOUT_MS = 10_000;

/**
 * YAML files under `dir` (as written, resolved against `cwd`) worth analysing. Only regular
 * files are read; unreadable entries go to `onError`, skipped ones to `onSkip`. Synchronous:
 * the CLI's walk.
 */
export function findFiles(dir: string, cwd: string, opts: FindOptions): FoundFile[] {
  return driveSync(walkFiles(dir, cwd, opts));
}

/**
 * The same walk with the disk read asynchronously (the language server's workspace index): the
 * thread serves requests between reads, and a read that takes longer than READ_TIMEOUT_MS is
 * given up (onError) instead of holding the index.
 */
export function findFilesAsync(dir: string, cwd: string, opts: FindOptions): Promise<FoundFile[]> {
  return drive(walkFiles(dir, cwd, opts));
}

/** Runs a generator of disk operations synchronously (the CLI). */
function driveSync<T>(gen: Generator<DiskOp, T, DiskResult>): T {
  let step = gen.next();
  while (!step.done) {
    const op = step.value;
    let result: DiskResult;
    try {
      result =
        op.t === "readdir"
          ? readdirSync(op.path)
          : op.t === "stat"
            ? statSync(op.path)
            : op.t === "lstat"
              ? lstatSync(op.path)
              : op.t === "realpath"
                ? realpathSync(op.path)
                : readFileSync(op.path, "utf8");
    } catch (e) {
      step = gen.throw(e);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

/** Runs a generator of disk operations asynchronously, each read given up after READ_TIMEOUT_MS (the language server). */
async function drive<T>(gen: Generator<DiskOp, T, DiskResult>): Promise<T> {
  let step = gen.next();
  while (!step.done) {
    const op = step.value;
    let result: DiskResult;
    try {
      result =
        op.t === "readdir"
          ? await readdir(op.path)
          : op.t === "stat"
            ? await stat(op.path)
            : op.t === "lstat"
              ? await lstat(op.path)
              : op.t === "realpath"
                ? await realpath(op.path)
                : await readFile(op.path, { encoding: "utf8", signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    } catch (e) {
      step = gen.throw(e);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

/** One disk operation the walk asks of its driver (an absolute path). */
type DiskOp = { readonly t: "readdir" | "stat" | "lstat" | "realpath" | "read"; readonly path: string };
type DiskResult = string[] | Stats | string;

/** Whether `target` (a resolved path) is `root` or inside it. */
export const isInside = (root: string, target: string): boolean =>
  target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The walk itself, once for both drivers: it yields each disk operation and is resumed with its
 * result (or has the operation's error thrown into it). A folder's content is untrusted (a
 * cloned repository): a symbolic link is never walked into as a folder (a link to `.` twice
 * would make the walk exponential), and is read as a file only when it resolves inside the
 * folder walked — a link to /proc/self/environ or ~/.kube/config is skipped, never read — and
 * to a file the walk would visit itself: a link to `.git/config` (a checkout's token) or to a
 * `node_modules` file is skipped too. That file is read under its own name, once: the link is
 * not read again (audit A20), nor is a second name of a file already read in the run (a hard link).
 */
function* walkFiles(dir: string, cwd: string, opts: FindOptions): Generator<DiskOp, FoundFile[], DiskResult> {
  const out: FoundFile[] = [];
  const limit = opts.limit ?? 20_000;
  const run = opts.run ?? new ReadRun();
  let root: string | undefined;
  try {
    root = (yield { t: "realpath", path: resolve(cwd, dir) }) as string;
  } catch {
    root = undefined; // readdir below says why
  }
  function* walk(d: string): Generator<DiskOp, void, DiskResult> {
    let names: string[];
    try {
      names = ((yield { t: "readdir", path: resolve(cwd, d) }) as string[]).sort();
    } catch (e) {
      opts.onError(d, e as Error);
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      if (walkSkips(name)) continue;
      const p = join(d, name);
      const st = yield* entry(root, dir, resolve(cwd, p), p, name, opts.onSkip);
      if (!st) continue;
      if (st.isDirectory()) yield* walk(p);
      else if (isYamlName(name)) {
        const text = yield* readOne(resolve(cwd, p), p, st, opts, run);
        if (text !== undefined && isInteresting(p, text)) out.push({ path: p, text });
      }
    }
  }
  yield* walk(dir);
  return out;
}

/**
 * One entry the walk meets (`abs`, shown as `p`): its own stats when the walk goes on with it (a
 * folder, a file), undefined when it is skipped: a symbolic link (one to a YAML name is said to
 * `onSkip`, see walkFiles), or gone. `root` is the folder walked, resolved, named `dir` in paths
 * and `outsideOf` in words.
 */
function* entry(
  root: string | undefined,
  dir: string,
  abs: string,
  p: string,
  name: string,
  onSkip: FindOptions["onSkip"],
  outsideOf = dir,
): Generator<DiskOp, Stats | undefined, DiskResult> {
  try {
    const st = (yield { t: "lstat", path: abs }) as Stats;
    if (!st.isSymbolicLink()) return st;
    if (!isYamlName(name)) return undefined;
    const target = (yield { t: "realpath", path: abs }) as string;
    if (!root || !isInside(root, target)) {
      onSkip?.(p, `a symbolic link that leads outside ${outsideOf}: not read`);
      return undefined;
    }
    if (target !== root && !walkWouldVisit(root, target)) {
      onSkip?.(p, "a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read");
      return undefined;
    }
    if (((yield { t: "stat", path: target }) as Stats).isDirectory()) return undefined;
    onSkip?.(p, `a symbolic link to ${join(dir, relative(root, target))}, which is read under its own name: not read twice`);
    return undefined;
  } catch {
    return undefined; // a dangling link inside a folder
  }
}

/** A regular file's text, if it is within the limit for one file and admitted by the run (else said to `onSkip`). */
function* readOne(abs: string, p: string, st: Stats, opts: FindOptions, run: ReadRun): Generator<DiskOp, string | undefined, DiskResult> {
  const why = notReadable(st, opts.maxBytes);
  if (why) {
    opts.onSkip?.(p, why, st.isFile() ? { size: st.size, limit: "file" } : undefined);
    return undefined;
  }
  const refused = run.admit(p, st);
  if (refused) {
    if (!refused.again) opts.onSkip?.(p, refused.why, refused.tooLarge);
    return undefined;
  }
  try {
    return (yield { t: "read", path: abs }) as string;
  } catch (e) {
    opts.onError(p, e as Error);
    return undefined;
  }
}

/** A file the language server does not read (a watched file, a closed document's disk text): the message says why. */
export class NotRead extends Error {
  override readonly name = "NotRead";
}

/**
 * A file changed on disk, for the language server (a watched file, a closed document's disk
 * text), read only when the walk of the workspace folder (`roots`) that holds it would read it
 * itself: under no hidden or skipped folder and no linked one, not a symbolic link (one inside
 * is read under its target's name, one outside never), a regular file within `maxBytes` — the
 * walk's own checks, run on the one path (audit A19: a link to .git/config or /etc was read,
 * whatever its size). Read asynchronously, given up after READ_TIMEOUT_MS. Rejects with NotRead
 * (the message names the file and why) or the disk's error.
 */
export function readWorkspaceFile(path: string, roots: readonly string[], maxBytes: number): Promise<string> {
  return drive(oneFile(path, roots, maxBytes));
}

function* oneFile(path: string, roots: readonly string[], maxBytes: number): Generator<DiskOp, string, DiskResult> {
  const folder = roots
    .map((r) => ({ r, rel: relative(r, path) }))
    .filter(({ rel }) => rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
    .sort((a, b) => a.rel.length - b.rel.length)[0];
  if (!folder) throw new NotRead(`${path}: outside every workspace folder: not read`);
  const refuse = (why: string) => new NotRead(`${folder.rel}: ${why}`);
  const parts = folder.rel.split(sep);
  const name = parts[parts.length - 1];
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts.slice(0, i + 1).join(sep);
    if (walkSkips(parts[i])) throw refuse(`inside ${p}, a folder the workspace index skips (hidden, node_modules, out, dist): not read`);
    if (((yield { t: "lstat", path: join(folder.r, p) }) as Stats).isSymbolicLink())
      throw refuse(`${p} is a symbolic link: the workspace index never enters a linked folder: not read`);
  }
  if (walkSkips(name) || !isYamlName(name)) throw refuse("a hidden or non-YAML name: not read");
  const root = (yield { t: "realpath", path: folder.r }) as string;
  let why: string | undefined;
  const opts: FindOptions = {
    maxBytes,
    onSkip: (_, w) => {
      why = w;
    },
    onError: (_, e) => {
      throw e;
    },
  };
  const st = yield* entry(root, "", path, folder.rel, name, opts.onSkip, "the workspace folder");
  if (!st || st.isDirectory()) throw refuse(why ?? "gone, a folder, or a symbolic link to one or to nothing: not read");
  const text = yield* readOne(path, folder.rel, st, opts, new ReadRun());
  if (text === undefined) throw refuse(`${why ?? "not read"}`);
  return text;
}
