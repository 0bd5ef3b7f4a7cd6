import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
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
  /** a YAML-named entry that is not read: not a regular file (a FIFO, a socket), or over `maxBytes` (then with its size) */
  readonly onSkip?: (path: string, why: string, tooLargeSize?: number) => void;
  /** files larger than this are not read (default: no limit) */
  readonly maxBytes?: number;
  readonly limit?: number;
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
  const walk = walkFiles(dir, cwd, opts);
  let step = walk.next();
  while (!step.done) {
    const op = step.value;
    let result: string[] | Stats | string;
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
      step = walk.throw(e);
      continue;
    }
    step = walk.next(result);
  }
  return step.value;
}

/**
 * The same walk with the disk read asynchronously (the language server's workspace index): the
 * thread serves requests between reads, and a read that takes longer than READ_TIMEOUT_MS is
 * given up (onError) instead of holding the index.
 */
export async function findFilesAsync(dir: string, cwd: string, opts: FindOptions): Promise<FoundFile[]> {
  const walk = walkFiles(dir, cwd, opts);
  let step = walk.next();
  while (!step.done) {
    const op = step.value;
    let result: string[] | Stats | string;
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
      step = walk.throw(e);
      continue;
    }
    step = walk.next(result);
  }
  return step.value;
}

/** One disk operation the walk asks of its driver (an absolute path). */
type DiskOp = { readonly t: "readdir" | "stat" | "lstat" | "realpath" | "read"; readonly path: string };

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
 * `node_modules` file is skipped too.
 */
function* walkFiles(dir: string, cwd: string, opts: FindOptions): Generator<DiskOp, FoundFile[], string[] | Stats | string> {
  const out: FoundFile[] = [];
  const limit = opts.limit ?? 20_000;
  let root: string | undefined;
  try {
    root = (yield { t: "realpath", path: resolve(cwd, dir) }) as string;
  } catch {
    root = undefined; // readdir below says why
  }
  function* walk(d: string): Generator<DiskOp, void, string[] | Stats | string> {
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
      let st: Stats;
      try {
        st = (yield { t: "lstat", path: resolve(cwd, p) }) as Stats;
        if (st.isSymbolicLink()) {
          if (!isYamlName(name)) continue;
          const target = (yield { t: "realpath", path: resolve(cwd, p) }) as string;
          if (!root || !isInside(root, target)) {
            opts.onSkip?.(p, `a symbolic link that leads outside ${dir}: not read`);
            continue;
          }
          if (target !== root && !walkWouldVisit(root, target)) {
            opts.onSkip?.(p, "a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read");
            continue;
          }
          st = (yield { t: "stat", path: target }) as Stats;
          if (st.isDirectory()) continue;
        }
      } catch {
        continue; // a dangling link inside a folder
      }
      if (st.isDirectory()) yield* walk(p);
      else if (isYamlName(name)) {
        const why = notReadable(st, opts.maxBytes);
        if (why) {
          opts.onSkip?.(p, why, st.isFile() ? st.size : undefined);
          continue;
        }
        try {
          const text = (yield { t: "read", path: resolve(cwd, p) }) as string;
          if (isInteresting(p, text)) out.push({ path: p, text });
        } catch (e) {
          opts.onError(p, e as Error);
        }
      }
    }
  }
  yield* walk(dir);
  return out;
}

/**
 * A file's text read asynchronously: only a regular file (a FIFO or a device would never end),
 * given up after READ_TIMEOUT_MS.
 */
export async function readTextFile(path: string): Promise<string> {
  const why = notReadable(await stat(path));
  if (why) throw new Error(`${path}: ${why}`);
  return readFile(path, { encoding: "utf8", signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
}
