import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readOneFile, UsageError } from "./cli/files";

/**
 * `REV:path` (read with `git show`: no pager, no textconv filter, no fsmonitor hook — nothing the
 * repository configures is run) or a plain path. A name that exists as a file is always a
 * path, so a file called `a:b.yaml` is never taken for a revision.
 */
export function readVersion(spec: string, cwd: string): { label: string; text: string } {
  const colon = spec.indexOf(":");
  if (colon <= 0 || existsSync(resolve(cwd, spec)) || /^[A-Za-z]:[\\/]/.test(spec)) return { label: spec, text: readOneFile(spec, cwd) };
  const rev = spec.slice(0, colon);
  const rel = spec.slice(colon + 1);
  if (rev.startsWith("-")) throw new UsageError(`'${spec}': a revision cannot start with '-'`);
  if (!rel) throw new UsageError(`'${spec}' names a revision but no path (write REV:path, e.g. HEAD:${"design.topology.yaml"})`);
  // `./` makes git resolve the path from the working directory, as every other path here is
  const path = rel.startsWith("/") || rel.startsWith("./") || rel.startsWith("../") ? rel : `./${rel}`;
  if (!existsSync(cwd)) throw new UsageError(`cannot read ${spec}: the folder ${cwd} does not exist`);
  const r = spawnSync("git", ["--no-pager", "-c", "core.fsmonitor=false", "show", "--no-textconv", `${rev}:${path}`], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error)
    throw new UsageError(`cannot read ${spec}: git is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
  if (r.status !== 0) {
    const err = (r.stderr || "")
      .trim()
      .split("\n")[0]
      .replace(/^fatal: /, "");
    if (/not a git repository/i.test(err))
      throw new UsageError(`cannot read ${spec}: ${cwd} is not inside a git repository (REV:path reads from git)`);
    throw new UsageError(`cannot read ${spec}: ${err || `git show exited with ${r.status}`}`);
  }
  return { label: spec, text: r.stdout };
}
