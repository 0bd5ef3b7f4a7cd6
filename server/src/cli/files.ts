import { readFileSync, readSync, realpathSync, type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import { type Bound, BoundError, cliBound, outsideBound } from "../deployments";
import { DEFAULT_MAX_TOTAL_MB, findFiles, type FoundFile, notReadable, ReadRun, type TooLarge } from "../discovery";
import { isTopologyFileName, parseFile } from "../model/parse";

export class UsageError extends Error {}

/** A file of the run; `asTopology`: judged as a topology whatever its name (standard input, see `collectFiles`). */
export type InputFile = FoundFile & { readonly asTopology?: boolean };

const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file or folder" : (code ?? (e as Error).message);
};

/** `--root DIR` as every command that reads a topology takes it (audit A4). */
export const ROOT_OPTION = {
  flags: "--root DIR",
  text: "read only inside DIR: a PATH, a symbolic link or a deployment entry outside it is refused. Default: the working folder's git repository (the working folder outside one, or when that repository is your home folder, / or another user's), which symbolic links and deployment entries must stay inside; a PATH you name outside it is read as named",
};

/** The bound of what this run reads: `--root` when given, else the working folder's repository (deployments cliBound). */
export function readBound(cwd: string, root?: string): Bound {
  try {
    return cliBound(cwd, root);
  } catch (e) {
    throw e instanceof BoundError ? new UsageError(e.message) : e;
  }
}

/**
 * A path named on the command line that a symbolic link leads outside the bound (or, with
 * --root, any path outside it): a usage error saying how, never read.
 */
function refuseOutside(p: string, cwd: string, bound: Bound | undefined): void {
  if (!bound) return;
  let real: string;
  try {
    real = realpathSync(cwd);
  } catch {
    real = cwd;
  }
  const why = outsideBound(bound, resolve(real, p), bound.kind === "root");
  if (why) throw new UsageError(`${p} ${why}: not read (quorate reads only inside it; --root DIR sets another bound)`);
}

/** The default bound on one file's size (the editor's `quorate.maxFileSizeKb` default too). */
export const DEFAULT_MAX_FILE_KB = 8192;

export interface Collected {
  readonly files: InputFile[];
  /**
   * files not analysed because they pass the size limit: the run must not pass silently.
   * `size` undefined: standard input, read only up to the limit (its size is not known)
   */
  readonly tooLarge: { path: string; size?: number }[];
  /** files not analysed because the run had read its `maxTotalBytes` before them: the run must not pass silently either */
  readonly overBudget: { path: string; size: number }[];
}

/**
 * Reads file descriptor `fd` (standard input) to its end, or stops one byte past `maxBytes`:
 * `yes | quorate check -` or `quorate check - < /dev/zero` would otherwise fill the memory.
 */
export function readBoundedFd(fd: number, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  while (total <= maxBytes) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, Math.min(buf.length, maxBytes + 1 - total), null);
    } catch (e) {
      // a pipe's end on Windows
      if ((e as NodeJS.ErrnoException).code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads the files a run covers: explicit files always; inside folders, topology files by name
 * and YAML files that mention a Kubernetes kind Quorate reads. Only regular files are read
 * (a FIFO given by name is a usage error; one met in a folder is skipped with a note), and
 * none larger than `maxBytes`: those are listed in `tooLarge` instead. Each real file is read
 * once, however many names it has (links, a file named and inside a folder named), and no more
 * than `maxTotalBytes` in all: the files past it are listed in `overBudget` (audit A20). `-` is
 * standard input (`stdin` reads it), as linters take it: `cat design.yaml | quorate check -`. A path a
 * symbolic link leads outside `bound` (with --root, any path outside it) is a usage error (audit A4).
 */
export function collectFiles(
  paths: readonly string[],
  cwd: string,
  maxBytes: number,
  note: (line: string) => void,
  stdin?: (maxBytes: number) => string,
  maxTotalBytes = DEFAULT_MAX_TOTAL_MB * 1024 * 1024,
  bound?: Bound,
): Collected {
  const out: InputFile[] = [];
  const tooLarge: Collected["tooLarge"] = [];
  const overBudget: Collected["overBudget"] = [];
  const run = new ReadRun(maxTotalBytes);
  const skipped = (path: string, why: string, big?: TooLarge) =>
    big?.limit === "file"
      ? tooLarge.push({ path, size: big.size })
      : big
        ? overBudget.push({ path, size: big.size })
        : note(`skipped ${path}: ${why}`);
  const seen = new Set<string>();
  for (const p of paths) {
    // `-`: standard input, read once, judged as a file named `-` (a topology by its apiVersion and kind)
    if (p === "-") {
      if (seen.has(p)) continue;
      seen.add(p);
      const text = readStdin(stdin, maxBytes);
      if (Buffer.byteLength(text) > maxBytes) {
        tooLarge.push({ path: p });
        continue;
      }
      // what was piped in is what the user asked to check, as a file named on the command line is:
      // never skipped as "no topology found". Holding no kind Quorate reads, it is judged as a
      // topology, so a broken header or broken YAML gets the schema's or the parser's message at
      // its line and the run fails; empty, it is a usage error.
      const parsed = parseFile(p, text);
      if (parsed.docs.every((d) => d.kind === "empty"))
        throw new UsageError("- (standard input) is empty: nothing to check (was the command before the pipe successful?)");
      out.push({ path: p, text, asTopology: !parsed.relevant });
      continue;
    }
    refuseOutside(p, cwd, bound);
    let st: Stats;
    try {
      st = statSync(resolve(cwd, p));
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${reason(e)}`);
    }
    let found: InputFile[];
    if (st.isDirectory()) {
      found = findFiles(p, cwd, {
        onError: (path, e) => {
          throw new UsageError(`cannot read ${path}: ${reason(e)}`);
        },
        onSkip: skipped,
        maxBytes,
        run,
      });
    } else {
      const why = notReadable(st, maxBytes);
      if (why && !st.isFile()) throw new UsageError(`cannot read ${p}: ${why}`);
      if (why) {
        tooLarge.push({ path: p, size: st.size });
        continue;
      }
      const refused = run.admit(p, st);
      if (refused) {
        if (!refused.again) skipped(p, refused.why, refused.tooLarge);
        continue;
      }
      found = [{ path: p, text: readOrThrow(resolve(cwd, p), p) }];
    }
    for (const f of found) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push(f);
    }
  }
  return { files: out, tooLarge, overBudget };
}

/**
 * One file named on the command line, for commands that take exactly one (diagram, and the
 * what-if commands): a precise usage error for a folder, a FIFO, a missing file or one past
 * the size limit, or one outside `bound`. `-` is standard input (`stdin` reads it).
 */
export function readOneFile(
  p: string,
  cwd: string,
  maxBytes = DEFAULT_MAX_FILE_KB * 1024,
  stdin?: (maxBytes: number) => string,
  bound?: Bound,
): string {
  if (p === "-") {
    const text = readStdin(stdin, maxBytes);
    if (Buffer.byteLength(text) > maxBytes)
      throw new UsageError(`cannot read - (standard input): over the ${maxBytes / 1024} KB limit for one file`);
    return text;
  }
  refuseOutside(p, cwd, bound);
  let st: Stats;
  try {
    st = statSync(resolve(cwd, p));
  } catch (e) {
    throw new UsageError(`cannot read ${p}: ${reason(e)}`);
  }
  if (st.isDirectory()) {
    const inside = findFiles(p, cwd, { onError: () => undefined, limit: 3 }).filter((f) => isTopologyFileName(f.path));
    const hint = inside.length ? ` (for example ${inside[0].path})` : "";
    throw new UsageError(`${p} is a folder: this command takes one topology file${hint}`);
  }
  const why = notReadable(st, maxBytes);
  if (why) throw new UsageError(`cannot read ${p}: ${why}${st.isFile() ? " (raise it with --max-file-size-kb)" : ""}`);
  return readOrThrow(resolve(cwd, p), p);
}

/** Standard input, up to one byte past `maxBytes` (see readBoundedFd). */
function readStdin(stdin: ((maxBytes: number) => string) | undefined, maxBytes: number): string {
  if (!stdin) throw new UsageError("cannot read - (standard input) here");
  try {
    return stdin(maxBytes);
  } catch (e) {
    throw new UsageError(`cannot read - (standard input): ${reason(e)}`);
  }
}

function readOrThrow(abs: string, shown: string): string {
  try {
    return readFileSync(abs, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${shown}: ${reason(e)}`);
  }
}
