import { readFileSync } from "node:fs";
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  FileChangeType,
  ResponseError,
  TextDocumentSyncKind,
  type Connection,
  type Range,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { findFiles, isInteresting, isYamlName } from "./discovery";
import pkg from "../../package.json";
import { dirname } from "node:path";
import { analyzeAlone } from "./analysis";
import { diskSource, pemFingerprints } from "./deployments";
import { readVersion } from "./git";
import {
  CompareRequest,
  DecisionRecordRequest,
  DiagramRequest,
  GameDayRequest,
  SimulateRequest,
  SummaryRequest,
  type CompareParams,
  type CompareResult,
  type DiagramParams,
  type GameDayParams,
  type SimulateParams,
} from "./protocol";
import { gameDayFor, record, simulate } from "./service/whatif";
import { diff } from "./whatif/diff";
import { diffMarkdown } from "./whatif/render";
import { diagramFor } from "./preview/mermaid";
import { QuorateService, RenameError } from "./service/service";
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
}

/**
 * Wires the language service to a connection. Every handler is guarded: an exception becomes
 * an error response (or a log line for notifications) and the server keeps serving.
 */
export function startServer(connection: Connection): QuorateService {
  const service = new QuorateService();
  // drift reads the bound deployment files: the editor's open text first, then the disk
  service.setDeployments((openText) => ({
    source: diskSource(undefined, (path) => openText(URI.fromPath(path)), service.getSettings().maxFileSizeKb * 1024),
    fingerprints: pemFingerprints,
  }));
  // documents are kept here rather than in TextDocuments so each edit's range reaches the
  // service: one edit inside one list item re-parses only that item
  const documents = new Map<string, TextDocument>();
  let pull = false;
  let canConfigure = false;
  let canRefresh = false;
  let folders: string[] = [];
  let initOptions: ServerOptions = {};

  const log = (msg: string) => connection.console.log(`[quorate] ${msg}`);
  const guard =
    <P, R>(name: string, fn: (p: P) => R) =>
    (p: P): R => {
      try {
        return fn(p);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        if (e instanceof RenameError) throw new ResponseError(ErrorCodes.InvalidParams, e.message);
        log(`${name} failed: ${(e as Error)?.stack ?? e}`);
        throw new ResponseError(ErrorCodes.InternalError, `quorate: ${name} failed: ${(e as Error)?.message ?? e}`);
      }
    };
  const guardNotify =
    <P>(name: string, fn: (p: P) => void | Promise<void>) =>
    async (p: P): Promise<void> => {
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
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    flushTimer = undefined;
    for (const uri of pending) {
      // closed files are indexed for cross-file rules; only open ones show diagnostics
      const d = documents.get(uri);
      if (d) void connection.sendDiagnostics({ uri, version: d.version, diagnostics: service.diagnostics(uri) });
    }
    pending.clear();
  };
  const publish = (uris: readonly string[], edited?: string) => {
    if (pull) {
      if (canRefresh && uris.some((u) => u !== edited && documents.has(u))) void connection.languages.diagnostics.refresh();
      return;
    }
    for (const uri of uris) pending.add(uri);
    // the connection handles one queued message per turn of the event loop: a few milliseconds of
    // quiet means the burst has been read, and what goes out is the newest version only
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, PUBLISH_QUIET_MS);
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
      if (initOptions.warmUp !== false) warmUp();
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

  async function pullSettings(): Promise<void> {
    const raw = await connection.workspace.getConfiguration({ section: "quorate" });
    publish(service.setSettings(parseSettings(raw)));
  }

  function indexWorkspace(): void {
    let count = 0;
    for (const folder of folders) {
      if (!folder.startsWith("file:")) continue;
      const root = URI.pathOf(folder);
      const found = findFiles(root, root, {
        onError: (p, e) => log(`cannot read ${p}: ${e.message}`),
        onSkip: (p, why) => log(`not indexed: ${p}: ${why}`),
        // a file past the live-analysis limit would only get quorate/too-large: not worth reading into memory
        maxBytes: service.getSettings().maxFileSizeKb * 1024,
      });
      for (const f of found) {
        const uri = URI.fromPath(`${root}/${f.path}`);
        if (!documents.get(uri)) {
          publish(service.update(uri, f.text, false));
          count++;
        }
      }
    }
    if (count) log(`indexed ${count} topology and manifest files`);
  }

  connection.onDidChangeConfiguration(
    guardNotify("didChangeConfiguration", async (change: { settings?: { quorate?: unknown } }) => {
      if (canConfigure) await pullSettings();
      else publish(service.setSettings(parseSettings(change.settings?.quorate)));
    }),
  );

  connection.onDidChangeWatchedFiles(
    guardNotify("didChangeWatchedFiles", (params) => {
      for (const change of params.changes) {
        const path = URI.pathOf(change.uri);
        if (!isYamlName(path) || documents.get(change.uri)) continue;
        if (change.type === FileChangeType.Deleted) {
          publish([...service.remove(change.uri), ...service.deploymentChanged(change.uri, true)]);
          continue;
        }
        let text: string;
        try {
          text = readFileSync(path, "utf8");
        } catch {
          continue;
        }
        if (isInteresting(path, text) || service.text(change.uri) !== undefined) publish(service.update(change.uri, text, false));
        // a deployment file bound to a topology (drift): not indexed itself, judged through its topology
        else publish(service.deploymentChanged(change.uri, change.type === FileChangeType.Created));
      }
    }),
  );

  connection.onDidOpenTextDocument(
    guardNotify("didOpen", (p) => {
      const d = TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      documents.set(d.uri, d);
      publish(service.update(d.uri, d.getText()), d.uri);
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
    }),
  );
  connection.onDidCloseTextDocument(
    guardNotify("didClose", (p) => {
      const uri = p.textDocument.uri;
      documents.delete(uri);
      let disk: string | undefined;
      try {
        if (uri.startsWith("file:")) disk = readFileSync(URI.pathOf(uri), "utf8");
      } catch {
        disk = undefined;
      }
      const changed = service.close(uri, disk);
      if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] });
      publish(changed.filter((u) => u !== uri));
    }),
  );

  connection.languages.diagnostics.on(
    guard("diagnostic", (p) => ({ kind: DocumentDiagnosticReportKind.Full, items: service.diagnostics(p.textDocument.uri) })),
  );
  connection.onHover(guard("hover", (p) => service.hover(p.textDocument.uri, p.position)));
  connection.onCodeAction(guard("codeAction", (p) => service.codeActions(p.textDocument.uri, p.range, p.context.diagnostics)));
  connection.onCompletion(guard("completion", (p) => service.completion(p.textDocument.uri, p.position)));
  connection.onDefinition(guard("definition", (p) => service.definition(p.textDocument.uri, p.position)));
  connection.onReferences(guard("references", (p) => service.references(p.textDocument.uri, p.position, p.context.includeDeclaration)));
  connection.onPrepareRename(guard("prepareRename", (p) => service.prepareRename(p.textDocument.uri, p.position)));
  connection.onRenameRequest(guard("rename", (p) => service.rename(p.textDocument.uri, p.position, p.newName)));
  connection.onDocumentSymbol(guard("documentSymbol", (p) => service.documentSymbols(p.textDocument.uri)));
  connection.onRequest(
    DiagramRequest.method,
    guard("diagram", (p: DiagramParams) => {
      const a = service.analysis(p.uri);
      return a ? diagramFor(a, service.findings(p.uri), undefined, service.driftMarkers(p.uri)) : null;
    }),
  );

  connection.onRequest(
    SummaryRequest.method,
    guard("summary", (p: DiagramParams) => service.summary(p.uri)),
  );

  connection.onRequest(
    SimulateRequest.method,
    guard("simulate", (p: SimulateParams) => {
      const a = service.analysis(p.uri);
      return a ? simulate(a, service.findings(p.uri), p.scenario ?? {}, service.driftMarkers(p.uri)) : null;
    }),
  );
  connection.onRequest(
    DecisionRecordRequest.method,
    guard("decisionRecord", (p: DiagramParams) => {
      const a = service.analysis(p.uri);
      return a ? record(a, service.findings(p.uri), URI.pathOf(p.uri).split("/").pop() ?? p.uri, pkg.version) : null;
    }),
  );
  connection.onRequest(
    GameDayRequest.method,
    guard("gameday", (p: GameDayParams) => {
      const a = service.analysis(p.uri);
      return a ? gameDayFor(a, p, URI.pathOf(p.uri).split("/").pop() ?? p.uri) : null;
    }),
  );
  connection.onRequest(
    CompareRequest.method,
    guard("compare", (p: CompareParams): CompareResult | null => {
      const a = service.analysis(p.uri);
      if (!a) return null;
      if (!p.uri.startsWith("file:")) return { markdown: "", regressions: 0, error: "only files on disk can be compared with git" };
      const path = URI.pathOf(p.uri);
      const name = path.split("/").pop()!;
      let old: string;
      try {
        old = readVersion(`${p.revision}:${name}`, dirname(path)).text;
      } catch (e) {
        return { markdown: "", regressions: 0, error: (e as Error).message };
      }
      const before = { label: `${p.revision}:${name}`, ...analyzeAlone(path, old) };
      const d = diff(before, { label: `${name} (editor)`, analysis: a, findings: service.findings(p.uri) });
      return { markdown: diffMarkdown(d), regressions: d.regressions };
    }),
  );

  connection.listen();
  return service;
}
