// git, as Quorate runs it: one hardened `git show` of a file at a revision, synchronous for the
// CLI and asynchronous (with a timeout and cancellation) for the language server, where a slow
// repository must never hold up another request.
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** A git read that failed; the message says what and why, in one line. */
export class GitError extends Error {}

/** The largest file read from git (the CLI's one-file limit). */
export const GIT_MAX_BYTES = 8192 * 1024;

/** How long one git command may take before it is stopped. */
export const GIT_TIMEOUT_MS = 10_000;

/**
 * Options before every git command: a cloned repository's own configuration must not make it
 * run anything or reach the network. No pager, no fsmonitor hook, no replace refs, no signature
 * program, and no transport at all (a partial clone would otherwise fetch a missing blob
 * through the repository's `core.sshCommand` or a remote helper). Nor a bare repository found
 * by walking up from the file (git 2.38 and later): a cloned repository may carry one inside it,
 * with a configuration of its own, and it is never the user's working tree.
 */
export const GIT_HARDENED: readonly string[] = [
  "--no-pager",
  "--no-replace-objects",
  "-c",
  "safe.bareRepository=explicit",
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

export interface ShowOptions {
  /** the git executable (tests point it at a stand-in) */
  readonly git?: string;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** aborts a running read (a cancelled request) */
  readonly signal?: AbortSignal;
}

/** `git show` arguments for `rev:rel`, checked; `rel` is resolved from `cwd` as every other path is. */
function showArgs(rev: string, rel: string, cwd: string): string[] {
  const spec = `${rev}:${rel}`;
  if (rev.startsWith("-")) throw new GitError(`'${spec}': a revision cannot start with '-'`);
  if (!rel) throw new GitError(`'${spec}' names a revision but no path (write REV:path, e.g. HEAD:${"design.topology.yaml"})`);
  if (!existsSync(cwd)) throw new GitError(`cannot read ${spec}: the folder ${cwd} does not exist`);
  // `./` makes git resolve the path from the working directory, as every other path here is
  const path = rel.startsWith("/") || rel.startsWith("./") || rel.startsWith("../") ? rel : `./${rel}`;
  return [...GIT_HARDENED, "show", "--no-textconv", `${rev}:${path}`];
}

/** What a failed `git show` means, in one line (no pager, no textconv filter, no fsmonitor hook ran). */
function failure(spec: string, cwd: string, o: ShowOptions, code: string | undefined, status: number | null, stderr: string): GitError {
  const max = o.maxBytes ?? GIT_MAX_BYTES;
  const timeout = o.timeoutMs ?? GIT_TIMEOUT_MS;
  if (code === "ETIMEDOUT") return new GitError(`cannot read ${spec}: git did not answer within ${timeout / 1000} s`);
  if (code === "ABORT_ERR") return new GitError(`cannot read ${spec}: cancelled`);
  if (code === "ENOBUFS" || code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
    return new GitError(`cannot read ${spec}: it is over the ${max / 1024} KB limit for one file`);
  if (code && status === null) return new GitError(`cannot read ${spec}: git is not available (${code})`);
  const lines = stderr.trim().split("\n");
  // the first fatal line says what went wrong (warnings come before it)
  const err = (lines.find((l) => l.startsWith("fatal: ")) ?? lines[0]).replace(/^fatal: /, "");
  if (/promisor remote|lazy fetch/i.test(stderr))
    return new GitError(
      `cannot read ${spec}: its content is not in this partial clone, and Quorate never fetches (fetch it with git yourself if you trust the remote)`,
    );
  if (/cannot use bare repository/i.test(err))
    return new GitError(
      `cannot read ${spec}: ${cwd} is inside a bare repository (one a cloned repository may carry), which Quorate never reads`,
    );
  if (/not a git repository/i.test(err))
    return new GitError(`cannot read ${spec}: ${cwd} is not inside a git repository (REV:path reads from git)`);
  return new GitError(`cannot read ${spec}: ${err || `git show exited with ${status}`}`);
}

/** `git show rev:rel` from `cwd`, blocking (the CLI: one read, then done). */
export function showSync(rev: string, rel: string, cwd: string, o: ShowOptions = {}): string {
  const r = spawnSync(o.git ?? "git", showArgs(rev, rel, cwd), {
    cwd,
    encoding: "utf8",
    maxBuffer: o.maxBytes ?? GIT_MAX_BYTES,
    env: { ...process.env, ...GIT_ENV },
    timeout: o.timeoutMs ?? GIT_TIMEOUT_MS,
    killSignal: "SIGKILL",
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (r.error || r.status !== 0) throw failure(`${rev}:${rel}`, cwd, o, code, r.error ? null : r.status, r.stderr || "");
  return r.stdout;
}

/** `git show rev:rel` from `cwd` without blocking: the language server answers other requests meanwhile. */
export function show(rev: string, rel: string, cwd: string, o: ShowOptions = {}): Promise<string> {
  let args: string[];
  try {
    args = showArgs(rev, rel, cwd);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    const timeout = o.timeoutMs ?? GIT_TIMEOUT_MS;
    let timedOut = false;
    const child = execFile(
      o.git ?? "git",
      args,
      {
        cwd,
        encoding: "utf8",
        maxBuffer: o.maxBytes ?? GIT_MAX_BYTES,
        env: { ...process.env, ...GIT_ENV },
        signal: o.signal,
        killSignal: "SIGKILL",
      },
      (err, stdout, stderr) => {
        clearTimeout(timer);
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { code?: string | number };
        const code = timedOut ? "ETIMEDOUT" : typeof e.code === "string" ? e.code : undefined;
        reject(failure(`${rev}:${rel}`, cwd, o, code, typeof e.code === "number" ? e.code : null, String(stderr ?? "")));
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout);
  });
}
