/**
 * Names from a design become file names only through here (pure; the writer in `output.ts`
 * checks every path again before it touches the disk).
 */

/** FNV-1a of a string, 8 hex digits: stable across runs and machines. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** A name that is already a portable file name: letters, digits, `.`, `_`, `-`, not starting with `.` or `-`. */
const PORTABLE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Names Windows reserves in every folder (a repository checked out there cannot hold them). */
const RESERVED = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?$/i;

/**
 * One folder or file name for a user-supplied name: a portable name stays as it is
 * (`fra-prod`); any other (`../x`, `/etc`, `a b`, `.git`, `con`, escapes) becomes a portable
 * slug plus a short hash of the original, so two different names never share a file and no
 * name can climb out of, or hide in, its folder.
 */
export function fileSegment(name: string): string {
  if (PORTABLE.test(name) && !name.endsWith(".") && !RESERVED.test(name)) return name;
  const slug = name
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `${slug || "name"}-${shortHash(name)}`;
}

/**
 * Why a relative output path (`/`-separated, as generators return them) cannot be written
 * inside the chosen folder, or undefined when it can: every segment must be a plain name —
 * no empty segment, `.`, `..`, absolute path, drive letter, backslash or control character.
 */
export function relativePathProblem(path: string): string | undefined {
  if (!path) return "the path is empty";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "it is an absolute path";
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return "it holds a backslash or a control character";
  for (const seg of path.split("/")) {
    if (!seg) return "it has an empty segment";
    if (seg === "." || seg === "..") return `it has a '${seg}' segment`;
  }
  return undefined;
}
