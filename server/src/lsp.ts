import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  RAL,
  ResponseError,
  type CancellationToken,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type Range,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Background, BackgroundEvents } from "./background/host";
import type { FromBackground, ToBackground } from "./background/messages";
import { isInteresting, isYamlName } from "./model/parse";
import { answer, DRIFT_AWARE, REQUEST_METHODS, uriOf } from "./requests";
import { ParamsError } from "./service/params";
import { RenameError, type QuorateService } from "./service/service";
import { parseSettings } from "./service/settings";
import { URI } from "./service/uri";
import { warmUp } from "./warmup";

/** How long the server waits for more edits before it publishes diagnostics. */
const PUBLISH_QUIET_MS = 4;

export interface ServerOptions {
  /** "push" always pushes, "pull" answers textDocument/diagnostic; default: pull when the client supports it */
  readonly diagnosticMode?: "push" | "pull";
  /** analyse a synthetic topology at start so the first real file is analysed by compiled code (default true) */
  readonly warmUp?: boolean;
  /**
   * Files of at least this many KB are analysed on a background thread, so a large file never
   * holds up requests about the others (default 64; 0 analyses everything on the main thread).
   */
  readonly backgroundMinKb?: number;
}

/**
 * What the server reaches beyond the documents it is sent. On Node (platform/node.ts): the disk,
 * git and a background thread. In a web worker (browser.ts): none of them — only open documents
 * are analysed, and the service says plainly what needs the disk or git.
 */
export interface ServerHost {
  /** the language service; `roots` are the workspace folders' paths (drift reads bound files inside them) */
  readonly createService: (roots: () => readonly string[]) => QuorateService;
  /** a file's text on disk (throws when unreadable); absent: there is no disk */
  readonly readFile?: (path: string) => string;
  /** topology and manifest files under a workspace folder (paths relative to it); absent: no workspace index */
  readonly findFiles?: (root: string, maxBytes: number, log: (message: string) => void) => readonly { path: string; text: string }[];
  /** a background thread for large files; absent: everything is analysed on this thread */
  readonly background?: (events: BackgroundEvents) => Background;
}

/** Files at least this large (KB) are analysed on the background thread unless the client says otherwise. */
export const DEFAULT_BACKGROUND_MIN_KB = 64;

/**
 * Wires the language service to a connection. Every handler is guarded: an exception becomes
 * an error response (or a log line for notifications) and the server keeps serving.
 */
export function startServer(connection: Connection, host: ServerHost): QuorateService {
  // bound deployment files are read inside the workspace folder that holds the topology
  const service = host.createService(() => workspaceRoots());
  /** large files' analysis, away from the request loop; absent when the host has none or it is off */
  let background: Background | undefined;
  // documents are kept here rather than in TextDocuments so each edit's range reaches the
  // service: one edit inside one list item re-parses only that item
  const documents = new Map<string, TextDocument>();
  let pull = false;
  let canConfigure = false;
  let canRefresh = false;
  let folders: string[] = [];
  const workspaceRoots = () => folders.filter((f) => f.startsWith("file:")).map((f) => URI.pathOf(f));
  let initOptions: ServerOptions = {};

  const log = (msg: string) => connection.console.log(`[quorate] ${msg}`);
  const failure = (name: string, e: unknown): ResponseError<void> => {
    if (e instanceof ResponseError) return e;
    if (e instanceof RenameError || e instanceof ParamsError) return new ResponseError(ErrorCodes.InvalidParams, e.message);
    log(`${name} failed: ${(e as Error)?.stack ?? e}`);
    return new ResponseError(ErrorCodes.InternalError, `quorate: ${name} failed: ${(e as Error)?.message ?? e}`);
  };
  /** messages handled so far (see flush: diagnostics wait until the messages already read are handled) */
  let handled = 0;
  const guard =
    <P, R>(name: string, fn: (p: P) => R) =>
    (p: P): R => {
      handled++;
      try {
        const r = fn(p);
        // a request answered by the background thread fails the same way
        if (r instanceof Promise)
          return r.catch((e) => {
            throw failure(name, e);
          }) as R;
        return r;
      } catch (e) {
        throw failure(name, e);
      }
    };
  /** Tells the background thread what happened here (it keeps a replica of every file). */
  const mirror = (m: ToBackground) => background?.post(m);
  const mirrorUpdate = (
    uri: string,
    text: string,
    open: boolean,
    version?: number,
    change?: { start: number; end: number; text: string },
  ) => mirror({ t: "update", uri, open, version, hosted: service.isHosted(uri), ...(change ? { change } : { text }) });
  const guardNotify =
    <P>(name: string, fn: (p: P) => void | Promise<void>) =>
    async (p: P): Promise<void> => {
      handled++;
      try {
        await fn(p);
      } catch (e) {
        log(`${name} failed: ${(e as Error)?.stack ?? e}`);
      }
    };

  /**
   * Pushes diagnostics, or in pull mode asks the client to re-pull when other open files changed.
   * Pushes wait until the messages already received are handled: edits typed in a burst are
   * analysed one by one (each incrementally), but only the newest version's diagnostics are
   * sent — never those of a version the editor has already replaced.
   */
  const pending = new Set<string>();
  /** the newest diagnostics the background thread sent for each hosted file */
  const hostedDiagnostics = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
  let flushTimer: NodeJS.Timeout | undefined;
  /**
   * After the quiet moment, publishing waits until the messages the connection has already read
   * are handled. It handles one per turn (its runtime's setImmediate: the event loop's check
   * phase on Node, a microtask in a browser), each queued before this check is: a turn in which
   * no handler ran means none is waiting. (A quiet moment alone is not enough on a loaded
   * machine: a process paused for a few milliseconds between two queued edits would publish the
   * older one.)
   */
  const settle = (seen: number) => {
    if (handled !== seen) RAL().timer.setImmediate(settle, handled);
    else flush();
  };
  const flush = () => {
    for (const uri of pending) {
      // closed files are indexed for cross-file rules; only open ones show diagnostics
      const d = documents.get(uri);
      if (d && service.isHosted(uri)) {
        // a hosted file's diagnostics come from the background thread: sent only if they are of
        // the version the editor has now (a superseded one's are dropped)
        const h = hostedDiagnostics.get(uri);
        if (h?.version === d.version) void connection.sendDiagnostics({ uri, version: d.version, diagnostics: h.diagnostics });
      } else if (d) void connection.sendDiagnostics({ uri, version: d.version, diagnostics: service.diagnostics(uri) });
    }
    pending.clear();
  };
  const publish = (uris: readonly string[], edited?: string) => {
    if (pull) {
      if (canRefresh && uris.some((u) => u !== edited && documents.has(u))) void connection.languages.diagnostics.refresh();
      return;
    }
    for (const uri of uris) pending.add(uri);
    // a few milliseconds of quiet lets a burst the editor wrote message by message arrive; then
    // settle waits for every message already read: what goes out is the newest version only
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      RAL().timer.setImmediate(settle, handled);
    }, PUBLISH_QUIET_MS);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    const opts = (params.initializationOptions ?? {}) as ServerOptions;
    initOptions = opts;
    pull = opts.diagnosticMode ? opts.diagnosticMode === "pull" : !!caps.textDocument?.diagnostic;
    canConfigure = !!caps.workspace?.configuration;
    canRefresh = !!caps.workspace?.diagnostics?.refreshSupport;
    folders = (params.workspaceFolders ?? []).map((f) => f.uri).concat(!params.workspaceFolders && params.rootUri ? [params.rootUri] : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix"] },
        completionProvider: { triggerCharacters: [":", " ", "[", ","] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        diagnosticProvider: pull ? { interFileDependencies: true, workspaceDiagnostics: false } : undefined,
      },
      serverInfo: { name: "quorate-language-server" },
    };
  });

  connection.onInitialized(
    guardNotify("initialized", async () => {
      // compile the hot paths before the first real document (see warmup.ts); synchronous, so
      // requests that arrive meanwhile are answered after it
      const minKb = initOptions.backgroundMinKb ?? DEFAULT_BACKGROUND_MIN_KB;
      if (host.background && minKb > 0) startBackground(host.background, minKb * 1024);
      // (with a background thread, files of 64 KB and more are analysed there, and it warms up
      // instead: this thread's heap stays small, and smaller files are quick to analyse cold)
      else if (initOptions.warmUp !== false) warmUp();
      if (canConfigure) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: "quorate" });
        await pullSettings();
      }
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.{yaml,yml}" }] })
        .catch(() => undefined);
      indexWorkspace();
    }),
  );

  function startBackground(create: NonNullable<ServerHost["background"]>, minChars: number): void {
    const b = create({
      message: (m: FromBackground) => {
        if (m.t === "log") log(m.message);
        else if (m.t === "ready") log(`background thread ready: files of ${Math.round(minChars / 1024)} KB or more are analysed there`);
        else if (m.t === "contributions") publish(service.setContributions(m.uri, m.contributions));
        else if (m.t === "diagnostics" && documents.has(m.uri)) {
          hostedDiagnostics.set(m.uri, { version: m.version, diagnostics: m.diagnostics });
          // pushed after a quiet moment like any other; a pulling client re-pulls an edited file by
          // itself and is asked to only when another file's change reached this one
          if (!pull || !m.edited) publish([m.uri]);
        }
      },
      gone: (reason) => {
        // analyse everything here from now on, rather than leave large files unanswered
        log(`${reason}; large files are analysed on the main thread from now on`);
        background = undefined;
        publish(service.setHostedMinChars(Number.POSITIVE_INFINITY));
      },
    });
    b.start({ warmUp: initOptions.warmUp !== false });
    background = b;
    service.setHostedMinChars(minChars);
    mirror({ t: "settings", settings: service.getSettings() });
    mirror({ t: "roots", roots: workspaceRoots() });
  }

  async function pullSettings(): Promise<void> {
    const raw = await connection.workspace.getConfiguration({ section: "quorate" });
    const settings = parseSettings(raw);
    publish(service.setSettings(settings));
    mirror({ t: "settings", settings });
  }

  function indexWorkspace(): void {
    if (!host.findFiles) return;
    let count = 0;
    for (const folder of folders) {
      if (!folder.startsWith("file:")) continue;
      const root = URI.pathOf(folder);
      // a file past the live-analysis limit would only get quorate/too-large: not worth reading into memory
      const found = host.findFiles(root, service.getSettings().maxFileSizeKb * 1024, log);
      for (const f of found) {
        const uri = URI.fromPath(`${root}/${f.path}`);
        if (!documents.get(uri)) {
          publish(service.update(uri, f.text, false));
          mirrorUpdate(uri, f.text, false);
          count++;
        }
      }
    }
    if (count) log(`indexed ${count} topology and manifest files`);
  }

  connection.onDidChangeConfiguration(
    guardNotify("didChangeConfiguration", async (change: { settings?: { quorate?: unknown } }) => {
      if (canConfigure) await pullSettings();
      else {
        const settings = parseSettings(change.settings?.quorate);
        publish(service.setSettings(settings));
        mirror({ t: "settings", settings });
      }
    }),
  );

  connection.onDidChangeWatchedFiles(
    guardNotify("didChangeWatchedFiles", (params) => {
      for (const change of params.changes) {
        const path = URI.pathOf(change.uri);
        if (!isYamlName(path) || documents.get(change.uri)) continue;
        if (change.type === FileChangeType.Deleted) {
          publish([...service.remove(change.uri), ...service.deploymentChanged(change.uri, true)]);
          mirror({ t: "remove", uri: change.uri });
          mirror({ t: "deploymentChanged", uri: change.uri, createdOrDeleted: true });
          continue;
        }
        // with no disk (the web) a file changed outside the editor is not read
        if (!host.readFile) continue;
        let text: string;
        try {
          text = host.readFile(path);
        } catch {
          continue;
        }
        if (isInteresting(path, text) || service.text(change.uri) !== undefined) {
          publish(service.update(change.uri, text, false));
          mirrorUpdate(change.uri, text, false);
        } else {
          // a deployment file bound to a topology (drift): not indexed itself, judged through its topology
          const createdOrDeleted = change.type === FileChangeType.Created;
          publish(service.deploymentChanged(change.uri, createdOrDeleted));
          mirror({ t: "deploymentChanged", uri: change.uri, createdOrDeleted });
        }
      }
    }),
  );

  connection.onDidOpenTextDocument(
    guardNotify("didOpen", (p) => {
      const d = TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      documents.set(d.uri, d);
      publish(service.update(d.uri, d.getText()), d.uri);
      mirrorUpdate(d.uri, d.getText(), true, d.version);
    }),
  );
  connection.onDidChangeTextDocument(
    guardNotify("didChange", (p) => {
      const old = documents.get(p.textDocument.uri);
      if (!old) return;
      const only = (p.contentChanges.length === 1 ? p.contentChanges[0] : undefined) as { range?: Range; text: string } | undefined;
      const change = only?.range
        ? { start: old.offsetAt(only.range.start), end: old.offsetAt(only.range.end), text: only.text }
        : undefined;
      const d = TextDocument.update(old, p.contentChanges, p.textDocument.version);
      documents.set(d.uri, d);
      publish(service.update(d.uri, d.getText(), true, change), d.uri);
      mirrorUpdate(d.uri, d.getText(), true, d.version, change);
    }),
  );
  connection.onDidCloseTextDocument(
    guardNotify("didClose", (p) => {
      const uri = p.textDocument.uri;
      documents.delete(uri);
      hostedDiagnostics.delete(uri);
      let disk: string | undefined;
      try {
        if (uri.startsWith("file:") && host.readFile) disk = host.readFile(URI.pathOf(uri));
      } catch {
        disk = undefined;
      }
      const changed = service.close(uri, disk);
      mirror({ t: "close", uri, diskText: disk });
      if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] });
      publish(changed.filter((u) => u !== uri));
    }),
  );

  // every request about a document: answered here, or by the background thread for a file it
  // hosts (and, for a deployment file that a hosted topology binds, where its drift is known)
  for (const method of REQUEST_METHODS)
    connection.onRequest(method, (p: unknown, token: CancellationToken) =>
      guard(method.replace(/^.*\//, ""), (q: unknown) => {
        const uri = uriOf(q);
        if (background && (service.isHosted(uri) || (DRIFT_AWARE.has(method) && service.hasContributedDrift(uri))))
          return background.request(method, q);
        return answer(service, method, q, token);
      })(p),
    );

  connection.listen();
  return service;
}
