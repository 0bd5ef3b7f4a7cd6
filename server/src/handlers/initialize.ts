// initialize / initialized: the capabilities, then the background thread (or the warm-up),
// settings and the workspace index.
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type InitializeParams,
  type InitializeResult,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { warmUp } from "../warmup";
import { startBackground } from "./background";
import { DEFAULT_BACKGROUND_MIN_KB, type ServerOptions, type Session } from "./session";
import { indexWorkspace, pullSettings } from "./workspace";

export function registerInitialize(s: Session): void {
  s.connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    const opts = (params.initializationOptions ?? {}) as ServerOptions;
    s.options = opts;
    s.pull = opts.diagnosticMode ? opts.diagnosticMode === "pull" : !!caps.textDocument?.diagnostic;
    s.canConfigure = !!caps.workspace?.configuration;
    s.canRefresh = !!caps.workspace?.diagnostics?.refreshSupport;
    s.folders = (params.workspaceFolders ?? [])
      .map((f) => f.uri)
      .concat(!params.workspaceFolders && params.rootUri ? [params.rootUri] : []);
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
        diagnosticProvider: s.pull ? { interFileDependencies: true, workspaceDiagnostics: false } : undefined,
      },
      serverInfo: { name: "quorate-language-server" },
    };
  });

  s.connection.onInitialized(
    s.guardNotify("initialized", async () => {
      // compile the hot paths before the first real document (see warmup.ts); synchronous, so
      // requests that arrive meanwhile are answered after it
      const minKb = s.options.backgroundMinKb ?? DEFAULT_BACKGROUND_MIN_KB;
      if (s.host.background && minKb > 0) startBackground(s, s.host.background, minKb * 1024);
      // (with a background thread, files of 64 KB and more are analysed there, and it warms up
      // instead: this thread's heap stays small, and smaller files are quick to analyse cold)
      else if (s.options.warmUp !== false) warmUp();
      if (s.canConfigure) {
        await s.connection.client.register(DidChangeConfigurationNotification.type, { section: "quorate" });
        await pullSettings(s);
      }
      void s.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.{yaml,yml}" }] })
        .catch(() => undefined);
      await indexWorkspace(s);
    }),
  );
}
