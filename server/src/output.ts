// Everything the product writes to the disk goes through here (the CLI's -o, the editor's game
// day export): inside the chosen folder only, never through a symbolic link that is already
// there, never over an existing file unless asked (--force, as git and helm refuse), and every
// failure as one precise message. Names from a design are checked again here, whatever
// produced the path. The working folder is untrusted (in CI, a checkout: it decides its own
// links), so a path named inside it is never written through a link that leads out of it.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { relativePathProblem } from "./util/paths";

/** A write that cannot or must not happen; the message is complete ("cannot write x: no space left on device"). */
export class OutputError extends Error {
  /** true when the only problem is a file already there: `force` (or the user's consent) writes it */
  readonly exists: boolean;
  constructor(message: string, exists = false) {
    super(message);
    this.exists = exists;
  }
}

export interface OutputFile {
  /** relative to the chosen folder, `/`-separated */
  readonly path: string;
  readonly content: string;
}

export interface WriteOptions {
  /** replace existing regular files (and symbolic links: the link itself, never its target) */
  readonly force?: boolean;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "name too long",
  EEXIST: "it already exists",
  EINVAL: "invalid argument",
};

/** The short reason of a file-system error, as `cp` or `git` would say it. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? (e as Error).message;
}

function lstatOrUndefined(p: string, shown: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new OutputError(`cannot write ${shown}: ${reasonOf(e)}`);
  }
}

const kindOf = (st: Stats) =>
  st.isDirectory()
    ? "a folder"
    : st.isSymbolicLink()
      ? "a symbolic link"
      : st.isFIFO()
        ? "a FIFO"
        : st.isCharacterDevice() || st.isBlockDevice()
          ? "a device"
          : st.isSocket()
            ? "a socket"
            : "not a regular file";

/** `p` relative to `root` when it is `root` or inside it (lexically), else undefined. */
function within(root: string, p: string): string | undefined {
  const rel = relative(root, p);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) ? rel : undefined;
}

/**
 * The refusal of a folder named for writing (`dir`, absolute; `shown` names the path written)
 * whose way goes through a symbolic link out of the working folder `cwd`, or undefined (audit
 * A25). The working folder is untrusted — in CI it is a checkout, and a repository decides its
 * own links (`out -> /etc`, then `-o out/report.md`) — so a path named inside it must stay inside
 * once its folders' links are resolved; a link that stays inside is followed. A path named
 * outside the working folder (`-o /tmp/report.md`) is the user's own choice, and its links
 * (macOS's /tmp -> /private/tmp) the system's: followed. The GitHub Action's SARIF path follows
 * the same rule.
 */
function linkedOutside(dir: string, shown: string, cwd: string): OutputError | undefined {
  let root: string;
  try {
    root = realpathSync(cwd);
  } catch {
    return undefined; // no working folder to stay inside
  }
  const named = resolve(cwd);
  const base = within(named, dir) !== undefined ? named : within(root, dir) !== undefined ? root : undefined;
  if (base === undefined) return undefined;
  let p = base;
  for (const part of relative(base, dir).split(sep).filter(Boolean)) {
    p = join(p, part);
    let real: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) continue;
      real = realpathSync(p);
    } catch {
      return undefined; // missing or dangling: creating or opening it says why
    }
    if (within(root, real) === undefined)
      return new OutputError(
        `cannot write ${shown}: ${relative(base, p)} is a symbolic link to ${real}, outside the working folder: not followed (name a folder outside the working folder by its own path if that is where it belongs)`,
      );
  }
  return undefined;
}

/**
 * The folder a user chose (`-o DIR`, a folder picked in the editor), created with its missing
 * parents when absent. A symbolic link the user named is followed (it is their choice) unless
 * it leads out of the working folder `cwd` (see linkedOutside); `followLink: false` (a default
 * folder the product named) refuses one. Returns the absolute path.
 */
export function prepareFolder(folder: string, cwd: string, o: { followLink?: boolean } = {}): string {
  if (!folder) throw new OutputError("the output folder name is empty");
  const abs = resolve(cwd, folder);
  const own = lstatOrUndefined(abs, folder);
  if (own?.isSymbolicLink() && o.followLink === false)
    throw new OutputError(`${folder} is a symbolic link: not followed (choose the folder with -o)`);
  const outside = linkedOutside(abs, folder, cwd);
  if (outside) throw outside;
  let st: Stats | undefined;
  try {
    st = statSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new OutputError(`cannot use ${folder}: ${reasonOf(e)}`);
  }
  if (st && !st.isDirectory()) throw new OutputError(`${folder} is ${kindOf(st)}, not a folder`);
  if (!st) {
    // one level at a time: mkdir -p loops forever under /proc, a plain mkdir answers at once
    const missing: string[] = [];
    for (let p = abs; !lstatOrUndefined(p, folder); p = dirname(p)) {
      missing.unshift(p);
      if (dirname(p) === p) break;
    }
    for (const p of missing) {
      try {
        mkdirSync(p);
      } catch (e) {
        throw new OutputError(`cannot create ${p === abs ? folder : p}: ${reasonOf(e)}`);
      }
    }
  }
  return abs;
}

/** What is at one target now: nothing, a file to replace with --force, or a refusal. */
function checkTarget(abs: string, shown: string, force: boolean): "create" | "replace" {
  const st = lstatOrUndefined(abs, shown);
  if (!st) return "create";
  if (st.isDirectory()) throw new OutputError(`cannot write ${shown}: it is a folder`);
  if (!st.isFile() && !st.isSymbolicLink()) throw new OutputError(`cannot write ${shown}: it is ${kindOf(st)}, not a regular file`);
  if (!force)
    throw new OutputError(
      `${shown} already exists${st.isSymbolicLink() ? " (a symbolic link: it is not followed)" : ""}: not overwritten (pass --force to replace it)`,
      true,
    );
  return "replace";
}

function writeAll(fd: number, content: string): void {
  const buf = Buffer.from(content, "utf8");
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
}

/** Creates `abs` (never following a link), or with `replace` writes a sibling and renames it over the old entry. */
function writeOne(abs: string, shown: string, content: string, how: "create" | "replace"): void {
  const path = how === "create" ? abs : join(dirname(abs), `.${basename(abs)}.quorate-${randomBytes(4).toString("hex")}`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(
      code === "EEXIST" ? `${shown} already exists: not overwritten (pass --force to replace it)` : `cannot write ${shown}: ${reasonOf(e)}`,
      code === "EEXIST",
    );
  }
  try {
    writeAll(fd, content);
    closeSync(fd);
    if (how === "replace") renameSync(path, abs);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(path);
    } catch {
      // nothing left to remove
    }
    throw new OutputError(`cannot write ${shown}: ${reasonOf(e)}`);
  }
}

/**
 * Writes one file the user named (`report -o ADR.md`). Its folder must exist, and be reached
 * through no symbolic link out of the working folder `cwd` when named inside it (see
 * linkedOutside); the file must be new, or a regular file (or link) to replace with `force`.
 * Returns the absolute path.
 */
export function writeOutputFile(path: string, content: string, cwd: string, o: WriteOptions = {}): string {
  if (!path) throw new OutputError("the output file name is empty");
  const abs = resolve(cwd, path);
  const outside = linkedOutside(dirname(abs), path, cwd);
  if (outside) throw outside;
  let dir: Stats;
  try {
    dir = statSync(dirname(abs));
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${reasonOf(e)} (${dirname(path)})`);
  }
  if (!dir.isDirectory()) throw new OutputError(`cannot write ${path}: ${dirname(path)} is not a folder`);
  writeOne(abs, path, content, checkTarget(abs, path, !!o.force));
  return abs;
}

/**
 * Writes generated files inside `folder` (already prepared with `prepareFolder`): each path
 * is checked (plain segments only), every sub-folder on the way must be a real folder (a
 * symbolic link is never followed), and nothing is written unless every file can be — an
 * existing file stops the whole set unless `force`. Returns the absolute paths written.
 */
export function writeFilesInto(folder: string, files: readonly OutputFile[], o: WriteOptions = {}): string[] {
  const seen = new Map<string, string>();
  const plan: { abs: string; shown: string; content: string; how: "create" | "replace"; dirs: string[] }[] = [];
  for (const f of files) {
    const problem = relativePathProblem(f.path);
    if (problem) throw new OutputError(`refusing to write '${f.path}': ${problem}`);
    const key = f.path.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw new OutputError(
        first === f.path
          ? `refusing to write '${f.path}' twice: two files of this set have that name`
          : `refusing to write '${f.path}' and '${first}' (names differing only in case share a file on macOS and Windows)`,
      );
    seen.set(key, f.path);
    const segs = f.path.split("/");
    const dirs: string[] = [];
    for (let i = 1; i < segs.length; i++) {
      const d = join(folder, ...segs.slice(0, i));
      const st = lstatOrUndefined(d, d);
      if (st?.isSymbolicLink()) throw new OutputError(`refusing to write ${join(folder, f.path)}: ${d} is a symbolic link (not followed)`);
      if (st && !st.isDirectory()) throw new OutputError(`refusing to write ${join(folder, f.path)}: ${d} is ${kindOf(st)}, not a folder`);
      if (!st) dirs.push(d);
    }
    const abs = join(folder, ...segs);
    plan.push({ abs, shown: abs, content: f.content, how: checkTarget(abs, abs, !!o.force), dirs });
  }
  // a file that another file of the set needs as a folder (`probe.sh` and `probe.sh/x`): refused
  // before the first write, so a refused set leaves nothing behind (audit A6)
  const folders = new Set(
    files.flatMap((f) =>
      f.path
        .split("/")
        .slice(0, -1)
        .map((_, i, segs) =>
          segs
            .slice(0, i + 1)
            .join("/")
            .toLowerCase(),
        ),
    ),
  );
  const clash = files.find((f) => folders.has(f.path.toLowerCase()));
  if (clash) throw new OutputError(`refusing to write '${clash.path}': another file of this set needs it as a folder`);
  for (const p of plan) {
    for (const d of p.dirs) {
      try {
        mkdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || !lstatSync(d).isDirectory())
          throw new OutputError(`cannot create ${d}: ${reasonOf(e)}`);
      }
    }
    writeOne(p.abs, p.shown, p.content, p.how);
  }
  return plan.map((p) => p.abs);
}
