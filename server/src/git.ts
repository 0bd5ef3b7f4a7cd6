import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_MAX_FILE_KB, readOneFile, UsageError } from "./cli/files";

/** How long one git command may take before it is stopped. */
export const GIT_TIMEOUT_MS = 10_000;

/**
 * Options before every git command: a cloned repository's own configuration must not make it
 * run anything or reach the network. No pager, no fsmonitor hook, no replace refs, no signature
 * program, and no transport at all (a partial clone would otherwise fetch a missing blob
 * through the repository's `core.sshCommand` or a remote helper).
 */
export const GIT_HARDENED: readonly string[] = [
  "--no-pager",
  "--no-replace-objects",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.sshCommand=false",
  "-c",
  "core.gitProxy=",
  "-c",
  "protocol.allow=never",
  "-c",
  "credential.helper=",
  "-c",
  "log.showSignature=false",
  "-c",
  "gpg.program=false",
];

/**
 * The environment of every git command: GIT_ALLOW_PROTOCOL empty refuses every transport
 * whatever the repository's `protocol.*.allow` says (and -c settings reach the child processes a
 * fetch would start); GIT_NO_LAZY_FETCH (git 2.45 and later) does not even try; no prompt.
 */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_ALLOW_PROTOCOL: "",
  GIT_NO_LAZY_FETCH: "1",
  GIT_NO_REPLACE_OBJECTS: "1",
  GIT_TERMINAL_PROMPT: "0",
  GIT_SSH_COMMAND: "false",
  GIT_ASKPASS: "false",
  SSH_ASKPASS: "false",
  GIT_PAGER: "cat",
};

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
  const r = spawnSync("git", [...GIT_HARDENED, "show", "--no-textconv", `${rev}:${path}`], {
    cwd,
    encoding: "utf8",
    maxBuffer: DEFAULT_MAX_FILE_KB * 1024,
    env: { ...process.env, ...GIT_ENV },
    timeout: GIT_TIMEOUT_MS,
    killSignal: "SIGKILL",
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT")
    throw new UsageError(`cannot read ${spec}: git did not answer within ${GIT_TIMEOUT_MS / 1000} s`);
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOBUFS")
    throw new UsageError(`cannot read ${spec}: it is over the ${DEFAULT_MAX_FILE_KB} KB limit for one file`);
  if (r.error)
    throw new UsageError(`cannot read ${spec}: git is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
  if (r.status !== 0) {
    const lines = (r.stderr || "").trim().split("\n");
    // the first fatal line says what went wrong (warnings come before it)
    const err = (lines.find((l) => l.startsWith("fatal: ")) ?? lines[0]).replace(/^fatal: /, "");
    if (/promisor remote|lazy fetch/i.test(r.stderr || ""))
      throw new UsageError(
        `cannot read ${spec}: its content is not in this partial clone, and Quorate never fetches (fetch it with git yourself if you trust the remote)`,
      );
    if (/not a git repository/i.test(err))
      throw new UsageError(`cannot read ${spec}: ${cwd} is not inside a git repository (REV:path reads from git)`);
    throw new UsageError(`cannot read ${spec}: ${err || `git show exited with ${r.status}`}`);
  }
  return { label: spec, text: r.stdout };
}
