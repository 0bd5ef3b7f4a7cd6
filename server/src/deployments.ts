// The deployment files bound to a topology, as the CLI and the language server read them — one
// reader for both (contract: drift.md, last paragraph) — and the bound of everything the CLI
// reads (audit A4). A cloned repository is untrusted input: a `deployment` entry is read only
// inside the root (the tighter of the editor's workspace folder and the topology's repository,
// else its folder; in the CLI the tighter of its bound and that repository, or `--root`), as a regular file after
// resolving symbolic links, and never past a real size bound (a /proc file says size 0 and never
// ends). A glob is expanded inside the root only, with bounds on its brace alternatives, the
// folders it visits, its matches and its time, and the expansion is kept for a few seconds so
// typing does not walk the disk again. PEM bundles are parsed with node:crypto. The drift
// engine itself (drift/) is pure and receives these functions.
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import { closeSync, constants, type Dirent, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import fg from "fast-glob";
import { hiddenPart } from "./discovery";
import type { DeploymentSource, Fingerprints, Match, Refusal } from "./drift/compare";
import { reasonOf } from "./output";

/** How many patterns one entry's braces may expand to (`{a,b}{c,d}` is 4). */
export const MAX_PATTERNS = 64;
/** How many folders one glob may visit. */
export const MAX_FOLDERS = 2000;
/** How many files one deployment entry may bind. */
export const MAX_MATCHES = 200;
/** How long one glob may walk. */
export const MAX_WALK_MS = 2000;
/** How deep a glob descends below its fixed part. */
const MAX_DEPTH = 8;
/** How many `*` one path segment of a glob may hold (a `**` segment is one). */
export const MAX_SEGMENT_WILDCARDS = 2;
/** How long a glob may be, in characters. */
export const MAX_GLOB_LENGTH = 256;
/** How long an expansion (and a root) is reused: typing re-analyses often, the disk rarely changes. */
const CACHE_MS = 5000;

export interface BoundFileOptions {
  /** the CLI's working folder: paths come back relative to it when inside it (as a user names them), else absolute */
  readonly cwd?: string;
  /** the editor's workspace folders (absolute paths): the root of a topology inside one of them */
  readonly roots?: () => readonly string[];
  /** the CLI's bound (cliBound): a deployment file stays inside it (see boundOf) */
  readonly bound?: Bound;
  /** an editor's unsaved text, by absolute path: answers first (still only inside the root) */
  readonly overlay?: (path: string) => string | undefined;
  readonly maxBytes?: number;
  /** the glob bounds (tests lower them) */
  readonly limits?: { readonly patterns?: number; readonly folders?: number; readonly matches?: number; readonly ms?: number };
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
};

/** An error that means "no file there" (nothing to say); any other (EACCES, ELOOP, ENAMETOOLONG, EIO…) is said (audit A14). */
const noFile = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
};

/** A file or folder that is there but cannot be read: said where and why, never skipped in silence (audit A14). */
const unreadable = (entry: string, shown: string, e: unknown, what: "file" | "link" | "folder" = "file"): Refusal => {
  const link = what === "link" ? ", a symbolic link," : "";
  const subject =
    shown === entry ? `\`${entry}\`${link}` : `\`${entry}\` reaches ${what === "folder" ? "the folder " : ""}${shown}${link || ","} which`;
  return { code: "drift/missing-file", message: `${subject} cannot be read (${reasonOf(e)}): nothing there is compared` };
};

const realOrSelf = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

const timed = new Map<string, { at: number; value: unknown }>();
function cached<T>(key: string, make: () => T): T {
  const hit = timed.get(key);
  const now = Date.now();
  if (hit && now - hit.at < CACHE_MS) return hit.value as T;
  if (timed.size > 512) timed.clear();
  const value = make();
  timed.set(key, { at: now, value });
  return value;
}

/** Forget every kept expansion and root (a file was created or deleted). */
export function forgetBoundFiles(): void {
  timed.clear();
}

/** The git top level above `dir` (the nearest folder holding `.git`), found without running git. */
function gitTopLevel(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    try {
      lstatSync(join(d, ".git"));
      return d;
    } catch {
      // not here
    }
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The repository above `dir` that may bound what is read: its git top level, unless that is the
 * file system's root, the user's home folder (a home kept in git would open ~/.kube, ~/.ssh and
 * ~/.aws to a design's `deployment` entries) or a folder another user owns (a `.git` planted above
 * a shared folder such as /tmp, which git itself distrusts: safe.directory). Undefined then.
 */
export function repositoryOf(dir: string): string | undefined {
  const top = gitTopLevel(dir);
  if (!top || dirname(top) === top || top === realOrSelf(homedir())) return undefined;
  const uid = process.getuid?.();
  try {
    if (uid !== undefined && statSync(top).uid !== uid) return undefined;
  } catch {
    return undefined;
  }
  return top;
}

/** The folder reads must stay inside (a real path), and what it is. */
export interface Bound {
  readonly path: string;
  /** `root`: the CLI's --root; `cwd`: the CLI's working folder, outside any repository that may bound */
  readonly kind: "workspace" | "repository" | "folder" | "root" | "cwd";
}

/**
 * How messages name a bound: by what it is, never by its path — they go into SARIF, the job
 * summary and the decision record, which are shared; the author's disk layout is not (audit A11).
 */
const BOUND_NAMES: Record<Bound["kind"], string> = {
  workspace: "the workspace folder",
  repository: "the repository",
  folder: "the topology's folder",
  root: "the --root folder",
  cwd: "the working folder",
};

/** A bound that cannot be taken: `--root` names no folder. */
export class BoundError extends Error {}

/**
 * The bound of every file the CLI reads (audit A4): `root` (--root, as given, resolved from
 * `cwd`; a folder, itself no symbolic link) when given, else the repository holding `cwd`
 * (repositoryOf), else `cwd` itself.
 */
export function cliBound(cwd: string, root?: string): Bound {
  if (root === undefined) {
    const here = realOrSelf(cwd);
    const repo = repositoryOf(here);
    return repo ? { path: repo, kind: "repository" } : { path: here, kind: "cwd" };
  }
  let st: fs.Stats;
  try {
    st = lstatSync(resolve(cwd, root));
  } catch (e) {
    throw new BoundError(`--root ${root}: ${reasonOf(e)}`);
  }
  // a file a commit holds can reach the pre-commit hook as `--root=x.topology.yaml`: a link there
  // (to /, to ~) must not widen what is read
  if (st.isSymbolicLink())
    throw new BoundError(`--root ${root} is a symbolic link: name the folder it leads to (a link in a repository never sets the bound)`);
  if (!st.isDirectory()) throw new BoundError(`--root takes a folder, and ${root} is not one`);
  return { path: realpathSync(resolve(cwd, root)), kind: "root" };
}

/**
 * Why `abs`, a path the user named (resolved from the real working folder), is not read: what
 * it reads lies outside `bound` through a symbolic link — `abs` itself (said by its text, never
 * where it lands) or a folder on its way inside the bound. A path outside as written is the
 * user's word and is read (the CLI contract: \`check PATH\`), unless `strict` (--root: read
 * only inside DIR). Undefined when it is read.
 */
export function outsideBound(bound: Bound, abs: string, strict: boolean): string | undefined {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    real = join(realOrSelf(dirname(abs)), basename(abs)); // not there (yet): where its folder leads
  }
  if (inside(bound.path, real)) return undefined;
  const name = `${BOUND_NAMES[bound.kind]} (${bound.path})`;
  let link = false;
  try {
    link = lstatSync(abs).isSymbolicLink();
  } catch {
    // not there: a folder on the way leads out, or the path is outside as written
  }
  if (link) return `is a symbolic link to ${linkText(abs)}, which leads outside ${name}`;
  const via = linkOut(bound, abs);
  if (via) return `goes through ${via.at}, a symbolic link to ${via.to}, which leads outside ${name}`;
  return strict ? `is outside ${name}` : undefined;
}

/**
 * The folder a topology's deployment files must stay inside (real paths): the tighter of the
 * innermost workspace folder holding it and its repository (repositoryOf), else its own folder.
 * With the CLI's `cli` bound: `--root` as given (the user's word, which may widen), else the
 * tighter of that bound and the topology's repository.
 */
export function boundOf(topologyAbs: string, roots: readonly string[] = [], cli?: Bound): Bound {
  if (cli?.kind === "root") return cli;
  const dir = realOrSelf(dirname(topologyAbs));
  const folder = roots
    .map(realOrSelf)
    .filter((r) => inside(r, dir))
    .sort((a, b) => b.length - a.length)[0];
  const repo = cached(`root\0${dir}`, () => repositoryOf(dir));
  // each holds the topology's folder, so the longest is inside the others; on a tie the first
  const holding = [
    ...(folder ? [{ path: folder, kind: "workspace" } as const] : []),
    ...(repo ? [{ path: repo, kind: "repository" } as const] : []),
    ...(cli ? [cli] : []),
  ].filter((b) => inside(b.path, dir));
  return holding.sort((a, b) => b.path.length - a.path.length)[0] ?? { path: dir, kind: "folder" };
}

/** The path of `boundOf`. */
export function rootOf(topologyAbs: string, roots: readonly string[] = []): string {
  return boundOf(topologyAbs, roots).path;
}

/** `p` as messages print it: relative to the bound, with `/` (the bound itself is `.`). */
const inBound = (root: Bound, p: string) => relative(root.path, p).split(sep).join("/") || ".";

/**
 * A link's text as a refusal prints it: relative as the repository holds it, never an absolute
 * path (the author's disk, or this one's) nor the real path it resolves to here.
 */
function linkText(link: string): string {
  const to = readlinkSync(link);
  return isAbsolute(to) || /^[A-Za-z]:[\\/]/.test(to) ? "an absolute path" : `\`${to}\``;
}

/**
 * The first symbolic link on the way from the bound down to `abs` (a folder of it, or `abs`
 * itself) whose target is outside the bound: its path in the bound and its text.
 */
function linkOut(root: Bound, abs: string): { at: string; to: string } | undefined {
  if (!inside(root.path, abs)) return undefined;
  let d = root.path;
  for (const seg of relative(root.path, abs).split(sep).filter(Boolean)) {
    d = join(d, seg);
    try {
      if (lstatSync(d).isSymbolicLink() && !inside(root.path, realOrSelf(d))) return { at: inBound(root, d), to: linkText(d) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** How an entry leads out of its bound, as the refusal says it: through which link, never where it lands. */
function wayOut(root: Bound, abs: string, verb: string): string {
  const link = linkOut(root, abs);
  return link ? `${verb} ${link.at}, a symbolic link to ${link.to}, which leads` : "leads";
}

/**
 * How many patterns `pattern`'s braces expand to, as fast-glob expands them (`{a,b}` sums its
 * alternatives, a sequence multiplies, `{1..9}` is a range); counting stops past `cap`.
 */
export function braceExpansions(pattern: string, cap = MAX_PATTERNS): number {
  let i = 0;
  const sat = (n: number) => Math.min(n, cap + 1);
  const sequence = (inGroup: boolean): number => {
    let n = 1;
    while (i < pattern.length) {
      const c = pattern[i];
      if (c === "\\") i += 2;
      else if (inGroup && (c === "," || c === "}")) return n;
      else if (c === "{") {
        i++;
        n = sat(n * group());
      } else i++;
    }
    return n;
  };
  const group = (): number => {
    const start = i;
    let total = 0;
    let alternatives = 0;
    for (;;) {
      total = sat(total + sequence(true));
      alternatives++;
      if (i >= pattern.length) {
        i = start; // an unclosed brace is a literal character
        return 1;
      }
      if (pattern[i++] === "}") break;
    }
    if (alternatives > 1) return total;
    const range = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(pattern.slice(start, i - 1));
    if (!range) return 1;
    const at = (s: string) => (/^-?\d+$/.test(s) ? Number(s) : s.charCodeAt(0));
    const step = Math.max(1, Math.abs(Number(range[3] ?? 1)));
    return sat(Math.floor(Math.abs(at(range[2]) - at(range[1])) / step) + 1);
  };
  return sequence(false);
}

/** The fixed folder part of a glob and the rest (`deploy/*\/values.yaml` → `deploy`, `*\/values.yaml`). */
function splitGlob(pattern: string): { base: string; rest: string } {
  const segs = pattern.split("/");
  const k = segs.findIndex((s) => s !== "" && fg.isDynamicPattern(s));
  return { base: segs.slice(0, k).join("/") || (pattern.startsWith("/") ? "/" : "."), rest: segs.slice(k).join("/") };
}

const outside = (entry: string, root: Bound, how: string): Refusal => ({
  code: "drift/outside-repository",
  message: `\`${entry}\` ${how} outside ${BOUND_NAMES[root.kind]}: it is not read`,
});

/** A file system where each folder read counts against the walk's bounds; past them every folder reads as empty. */
function boundedFs(limits: { folders: number; ms: number }) {
  const state = { folders: 0, over: "", unreadable: [] as { path: string; error: unknown }[] };
  const until = Date.now() + limits.ms;
  const readdirSync = ((path: fs.PathLike, options?: unknown) => {
    if (!state.over && ++state.folders > limits.folders) state.over = `visits more than ${limits.folders} folders`;
    if (!state.over && Date.now() > until) state.over = `takes more than ${limits.ms / 1000} s to expand`;
    if (state.over) return [];
    try {
      return fs.readdirSync(path, options as { withFileTypes: true });
    } catch (e) {
      // fast-glob suppresses it (a folder that went away is no file); one it cannot read is said
      if (!noFile(e)) state.unreadable.push({ path: String(path), error: e });
      throw e;
    }
  }) as typeof fs.readdirSync;
  return { state, adapter: { readdirSync } };
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads at most `max` bytes of a regular file that is not a symbolic link; undefined when it is
 * not one, cannot be read, or holds more (however large it says it is: /proc files say 0).
 */
export function readBounded(abs: string, max: number): { text: string } | { error: string } {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: kindOf(st) };
    if (st.size > max) return { error: `larger than ${Math.round(max / 1024)} KB` };
    const buf = Buffer.allocUnsafe(Math.min(max + 1, Math.max(st.size + 1, 64 * 1024)));
    let len = 0;
    let chunk = buf;
    for (;;) {
      if (len === chunk.length) {
        if (chunk.length > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, len);
        chunk = bigger;
      }
      const n = readSync(fd, chunk, len, chunk.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > max) return { error: `larger than ${Math.round(max / 1024)} KB` };
    return { text: chunk.toString("utf8", 0, len) };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * The deployment files of topologies on the disk, for the CLI (`cwd`) and the language server
 * (`roots`, `overlay`). A path that comes back from `match` is inside the root and was a regular
 * file (or an open document) when matched; `read` opens its resolved path without following a link.
 */
export function boundFileSource(o: BoundFileOptions = {}): DeploymentSource {
  const maxBytes = o.maxBytes ?? 8 * 1024 * 1024;
  const limits = {
    patterns: o.limits?.patterns ?? MAX_PATTERNS,
    folders: o.limits?.folders ?? MAX_FOLDERS,
    matches: o.limits?.matches ?? MAX_MATCHES,
    ms: o.limits?.ms ?? MAX_WALK_MS,
  };
  const overlay = o.overlay ?? (() => undefined);
  const cwd = o.cwd;
  const shown = (abs: string) => {
    if (cwd === undefined) return abs;
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
  };
  /** shown path → why it could not be read (audit A14) */
  const unread = new Map<string, string>();
  /** shown path → the real path to open */
  const real = new Map<string, string>();
  const judge = judgeIn(overlay, (abs, realPath) => {
    const s = shown(abs);
    real.set(s, realPath);
    return s;
  });

  return {
    match(topologyPath, pattern) {
      const topologyAbs = resolve(cwd ?? "/", topologyPath);
      const root = boundOf(topologyAbs, o.roots?.() ?? [], o.bound);
      const dir = dirname(topologyAbs);
      if (!pattern.trim())
        return { paths: [], refused: [{ code: "drift/missing-file", message: "an empty deployment entry names no file" }] };
      if (pattern.includes("\0"))
        return { paths: [], refused: [{ code: "drift/missing-file", message: "a deployment entry cannot hold a NUL character" }] };
      if (!fg.isDynamicPattern(pattern)) {
        const abs = resolve(dir, pattern);
        // the folders on the way resolved: a symlinked folder that leads out is refused too
        const j = judge(abs, join(realOrSelf(dirname(abs)), basename(abs)), pattern, root);
        return j === undefined ? { paths: [] } : typeof j === "string" ? { paths: [j] } : { paths: [], refused: [j.refused] };
      }
      return globMatch(pattern, dir, root, limits, judge);
    },
    read(path) {
      const abs = resolve(cwd ?? "/", path);
      const open = overlay(abs);
      if (open !== undefined) return open;
      const r = readBounded(real.get(path) ?? abs, maxBytes);
      if ("text" in r) return r.text;
      unread.set(path, reasonOf({ code: r.error }));
      return undefined;
    },
    whyUnread: (path) => unread.get(path),
    forget: forgetBoundFiles,
  };
}

/** One candidate file judged: its shown path when it may be read, a refusal, or undefined (no file). */
type Judge = (abs: string, resolved: string, entry: string, root: Bound) => string | { refused: Refusal } | undefined;

/**
 * Judges one candidate file, `abs` as named (shown to the user), `resolved` with its folders'
 * links resolved: inside the root after resolving its own link too, and a regular file (or an
 * open document). `accept` records the real path to open and gives the shown one.
 */
function judgeIn(overlay: (abs: string) => string | undefined, accept: (abs: string, realPath: string) => string): Judge {
  return (abs, resolved, entry, root) => {
    // messages name paths inside the bound relative to it, and never where an outside one lands (audit A11)
    const shown = (p: string) => inBound(root, p);
    // a path entry is the file it names ("is"); a glob's match is one it reaches
    const named = !fg.isDynamicPattern(entry);
    const subject = (then: string, link = false) =>
      named && !link ? `\`${entry}\` ${then}` : `\`${entry}\` reaches ${shown(abs)}, which ${then}`;
    if (!inside(root.path, resolved)) return { refused: outside(entry, root, wayOut(root, abs, "goes through")) };
    let st: fs.Stats;
    try {
      st = lstatSync(resolved);
    } catch (e) {
      if (overlay(abs) !== undefined) return accept(abs, resolved);
      return noFile(e) ? undefined : { refused: unreadable(entry, named ? entry : shown(abs), e) };
    }
    const target = st.isSymbolicLink() ? realOrSelf(resolved) : resolved;
    if (!inside(root.path, target))
      return {
        refused: outside(entry, root, `${named ? "is" : `reaches ${shown(abs)},`} a symbolic link to ${linkText(resolved)}, which leads`),
      };
    // `.git/config` holds a checkout's token, and a parse error would quote it into SARIF
    const hidden = hiddenPart(relative(root.path, resolved)) ?? hiddenPart(relative(root.path, target));
    if (hidden)
      return {
        refused: {
          code: "drift/outside-repository",
          message: `${subject("is", st.isSymbolicLink())} a hidden path (\`${hidden}\`): hidden files and folders (.git, .env, .npmrc) hold credentials and are never read`,
        },
      };
    let t: fs.Stats;
    try {
      t = st.isSymbolicLink() ? statSync(target) : st;
    } catch (e) {
      if (noFile(e)) return undefined; // a dangling link: no file
      return { refused: unreadable(entry, named ? entry : shown(abs), e, "link") }; // a loop, a target it may not read
    }
    if (t.isDirectory()) return undefined;
    if (!t.isFile())
      return {
        refused: {
          code: "drift/outside-repository",
          message: `${subject("is")} ${kindOf(t)}, not a regular file: it is not read`,
        },
      };
    return accept(abs, target);
  };
}

/** A glob entry refused for its breadth. */
const tooBroad = (message: string): Match => ({ paths: [], refused: [{ code: "drift/pattern-too-broad", message }] });

/**
 * Why a glob is too costly to match, before any file is tested against it. fast-glob matches a
 * name with one regular expression per segment (picomatch), run synchronously: extglob groups
 * (`*(a|a*)`) backtrack exponentially, and plain wildcards polynomially in their count
 * (`*a*a*a*a*a*a*a*a*b.yaml` against a 40-character name takes seconds) — a time bound on the
 * walk never gets to run, and the language server stops answering. Extglob is off (its syntax
 * refused, so a pattern never means something else than it seems), a segment holds at most
 * MAX_SEGMENT_WILDCARDS stars (`?` matches one character and costs nothing), and the pattern at
 * most MAX_GLOB_LENGTH characters: the cost of one name is then at most the square of its length
 * (measured: 1,000 names of 200 characters, `*a*b.yaml` 0.16 s; with a third star 3.4 s).
 */
export function globCost(pattern: string): string | undefined {
  if (pattern.length > MAX_GLOB_LENGTH) return `is ${pattern.length} characters long, more than the ${MAX_GLOB_LENGTH} a pattern may be`;
  if (/[*?+@!]\(/.test(pattern))
    return "uses an extglob group (`*(…)`, `+(…)`, `?(…)`, `@(…)`, `!(…)`), which is not supported (name the files, or use braces: `{a,b}`)";
  const crowded = pattern.split("/").find((seg) => seg !== "**" && (seg.match(/\*/g)?.length ?? 0) > MAX_SEGMENT_WILDCARDS);
  if (crowded !== undefined)
    return `has more than ${MAX_SEGMENT_WILDCARDS} \`*\` in one path segment (\`${crowded}\`), which makes matching a long file name slow`;
  return undefined;
}

/** A glob entry's files: expanded within the bounds (patterns, folders, time, matches), each judged. */
function globMatch(
  entry: string,
  dir: string,
  root: Bound,
  limits: { patterns: number; folders: number; matches: number; ms: number },
  judge: Judge,
): Match {
  if (braceExpansions(entry, limits.patterns) > limits.patterns)
    return tooBroad(`\`${entry}\` expands to more than ${limits.patterns} patterns: it is not expanded (name fewer alternatives)`);
  const costly = globCost(entry);
  if (costly) return tooBroad(`\`${entry}\` ${costly}: it is not expanded (narrow the pattern)`);
  const { base, rest } = splitGlob(entry);
  const baseAbs = resolve(dir, base);
  const baseReal = realOrSelf(baseAbs);
  if (rest.split("/").includes(".."))
    return { paths: [], refused: [outside(entry, root, "climbs out of the folders it searches, which leads")] };
  if (!inside(root.path, baseReal))
    return { paths: [], refused: [outside(entry, root, `searches a folder that ${wayOut(root, baseAbs, "goes through")}`)] };
  const walked = cached(`glob\0${limits.folders}\0${limits.ms}\0${baseReal}\0${rest}`, () => {
    const bounded = boundedFs({ folders: limits.folders, ms: limits.ms });
    const entries = fg.sync(rest, {
      cwd: baseReal,
      onlyFiles: false,
      dot: false,
      followSymbolicLinks: false,
      suppressErrors: true,
      deep: MAX_DEPTH,
      extglob: false, // globCost refuses its syntax; off, so nothing else turns one on
      objectMode: true,
      fs: bounded.adapter,
    }) as unknown as { path: string; dirent: Dirent }[];
    return {
      over: bounded.state.over,
      unreadable: bounded.state.unreadable.map((u) => ({ path: relative(baseReal, resolve(baseReal, u.path)), error: u.error })),
      files: entries
        .filter((e) => !e.dirent.isDirectory())
        .map((e) => e.path)
        .sort(),
    };
  });
  if (walked.over) return tooBroad(`\`${entry}\` ${walked.over}: it is not expanded (narrow the pattern)`);
  if (walked.files.length > limits.matches)
    return tooBroad(
      `\`${entry}\` matches ${walked.files.length} files, more than the ${limits.matches} one entry may bind: none is read (narrow the pattern)`,
    );
  const paths: string[] = [];
  const refused: Refusal[] = walked.unreadable.map((u) => unreadable(entry, inBound(root, join(baseReal, u.path)), u.error, "folder"));
  for (const f of walked.files) {
    const j = judge(join(baseAbs, f), join(baseReal, f), entry, root);
    if (typeof j === "string") paths.push(j);
    else if (j) refused.push(j.refused);
  }
  return { paths: paths.sort(), refused };
}

const PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
const PEM_END = "-----END CERTIFICATE-----";

/**
 * The certificate blocks of a PEM bundle, BEGIN to the next END, in one pass: a lazy regular
 * expression scanned from every BEGIN to the end of the text when no END follows (600 KB of
 * BEGIN lines: quadratic, audit A13).
 */
function pemBlocks(pem: string): string[] {
  const out: string[] = [];
  for (let at = pem.indexOf(PEM_BEGIN); at >= 0; ) {
    const end = pem.indexOf(PEM_END, at + PEM_BEGIN.length);
    if (end < 0) break; // no END after this BEGIN: none after a later one either
    out.push(pem.slice(at, end + PEM_END.length));
    at = pem.indexOf(PEM_BEGIN, end + PEM_END.length);
  }
  return out;
}

/** SHA-256 fingerprints of every certificate of a PEM bundle; an error when one does not parse or there is none. */
export const pemFingerprints: Fingerprints = (pem) => {
  const blocks = pemBlocks(pem);
  if (!blocks.length) return { error: "no -----BEGIN CERTIFICATE----- block" };
  const out: string[] = [];
  for (const [i, b] of blocks.entries()) {
    try {
      out.push(new X509Certificate(b).fingerprint256);
    } catch (e) {
      return { error: `certificate ${i + 1} of ${blocks.length}: ${(e as Error).message}` };
    }
  }
  return { fingerprints: out };
};
