// What the language server reaches on Node beyond the documents it is sent: the disk (the
// workspace index, files changed on disk, drift's deployment files), git (compare with a
// revision) and a background thread. The web extension's server (browser.ts) has none of these.
import { dirname } from "node:path";
import { Background } from "../background/host";
import { boundFileSource, pemFingerprints } from "../deployments";
import { DEFAULT_MAX_TOTAL_MB, findFilesAsync, ReadRun, readWorkspaceFile } from "../discovery";
import { show, type ShowOptions } from "../git";
import type { ServerHost } from "../lsp";
import { QuorateService } from "../service/service";
import { URI } from "../service/uri";

/**
 * A service whose drift reads bound deployment files (the editor's open text first, then the
 * disk, inside the workspace folder — `roots`, absolute paths — that holds the topology) and
 * whose compare reads git.
 */
export function createService(roots: () => readonly string[] = () => [], git: Omit<ShowOptions, "signal"> = {}): QuorateService {
  const service = new QuorateService();
  service.setDeployments((openText) => ({
    source: boundFileSource({
      roots,
      overlay: (path) => openText(URI.fromPath(path)),
      maxBytes: service.getSettings().maxFileSizeKb * 1024,
    }),
    fingerprints: pemFingerprints,
  }));
  service.setRevisions(async (uri, revision, token) => {
    if (!uri.startsWith("file:"))
      throw new Error(
        "Only a file saved on disk can be compared with git: save it inside a git repository, commit it, then compare again.",
      );
    const path = URI.pathOf(uri);
    const name = path.split(/[\\/]/).pop() ?? path;
    // git runs beside the server (hardened, with a timeout); a cancelled request stops it
    const abort = new AbortController();
    const sub = token?.onCancellationRequested(() => abort.abort());
    try {
      return await show(revision, name, dirname(path), { ...git, signal: abort.signal });
    } catch (e) {
      throw new Error(gitAdvice((e as Error).message, name, revision, dirname(path)));
    } finally {
      sub?.dispose();
    }
  });
  return service;
}

/** git's failure to read `name` at `revision`, as what happened and what to do about it. */
export function gitAdvice(raw: string, name: string, revision: string, dir: string): string {
  const commit = `git add ${name} && git commit -m "…"`;
  if (/is not inside a git repository/.test(raw))
    return `${dir} is not in a git repository, so there is no ${revision} to compare with. Make it one and commit the file (git init, then ${commit}), then compare again.`;
  if (/invalid object name|unknown revision|bad revision|ambiguous argument/i.test(raw))
    return `The repository has no commit ${revision} yet. Commit ${name} once (${commit}), then compare again: you will see what changed since that commit.`;
  if (/exists on disk, but not in/.test(raw))
    return `${name} is not in ${revision} yet (never committed). Commit it once (${commit}), then compare again: you will see what changed since that commit.`;
  if (/the folder .* does not exist/.test(raw))
    return `${dir} does not exist on disk. Save ${name} inside a git repository and commit it, then compare again.`;
  if (/git is not available/.test(raw))
    return `git is not installed or not on the PATH of VS Code. Install git, or compare two files with quorate diff OLD NEW in a terminal.`;
  return `git could not read ${name} at ${revision}: ${raw.replace(/^cannot read [^:]+:[^:]+: /, "")}`;
}

/** The Node server's host: `script` is this server's own file, run again as its background thread. */
export function nodeHost(script?: string): ServerHost {
  return {
    createService,
    // asynchronous, bounded reads: a slow disk or a FIFO in the workspace never holds up a request
    readFile: (path, within) => readWorkspaceFile(path, within.roots, within.maxBytes),
    findFiles: async (roots, maxBytes, log) => {
      // one run for every folder: a file is read once, and all of them within the budget (audit A20)
      const run = new ReadRun(DEFAULT_MAX_TOTAL_MB * 1024 * 1024);
      const found: { root: string; path: string; text: string }[] = [];
      // paths come back relative to the folder ("." as written), so each file's uri is the folder's plus that
      for (const root of roots)
        for (const f of await findFilesAsync(".", root, {
          onError: (p, e) => log(`cannot read ${p}: ${e.message}`),
          onSkip: (p, why) => log(`not indexed: ${p}: ${why}`),
          maxBytes,
          run,
        }))
          found.push({ root, ...f });
      return found;
    },
    background: script ? (handlers) => new Background(script, handlers) : undefined,
  };
}
