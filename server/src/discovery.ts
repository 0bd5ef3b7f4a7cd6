import { readdirSync, readFileSync, type Stats, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isInteresting, isYamlName } from "./model/parse";

export { isInteresting, isYamlName };

const SKIP_DIRS = new Set(["node_modules", ".git", "out", "dist"]);

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

/**
 * YAML files under `dir` (as written, resolved against `cwd`) worth analysing. Only regular
 * files are read; unreadable entries go to `onError`, skipped ones to `onSkip`.
 */
export function findFiles(dir: string, cwd: string, opts: FindOptions): FoundFile[] {
  const out: FoundFile[] = [];
  const limit = opts.limit ?? 20_000;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(resolve(cwd, d)).sort();
    } catch (e) {
      opts.onError(d, e as Error);
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
      const p = join(d, name);
      let st: Stats;
      try {
        st = statSync(resolve(cwd, p));
      } catch {
        continue; // a dangling link inside a folder
      }
      if (st.isDirectory()) walk(p);
      else if (isYamlName(name)) {
        const why = notReadable(st, opts.maxBytes);
        if (why) {
          opts.onSkip?.(p, why, st.isFile() ? st.size : undefined);
          continue;
        }
        try {
          const text = readFileSync(resolve(cwd, p), "utf8");
          if (isInteresting(p, text)) out.push({ path: p, text });
        } catch (e) {
          opts.onError(p, e as Error);
        }
      }
    }
  };
  walk(dir);
  return out;
}
