import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type Diagnostic,
  type ClientCapabilities,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";

export const SERVER = join(__dirname, "..", "..", "..", "dist", "server.js");

/** Polls until `fn` returns a value (never fixed sleeps); fails with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false, ms = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface StartOptions {
  readonly capabilities?: ClientCapabilities;
  readonly initializationOptions?: unknown;
  readonly workspaceFolder?: string;
  readonly settings?: Record<string, unknown>;
  /** how to start the server (default: node dist/server.js --stdio) */
  readonly command?: readonly string[];
}

/** A minimal LSP client over stdio, as an editor would be. */
export class Client {
  readonly diagnostics = new Map<string, { version?: number; items: Diagnostic[]; count: number }>();
  /** every publish, in arrival order, for checks across versions */
  readonly history = new Map<string, { version?: number; items: Diagnostic[] }[]>();
  settings: Record<string, unknown>;
  readonly logs: string[] = [];
  configurationRequests = 0;
  private constructor(
    readonly proc: ChildProcess,
    readonly conn: ProtocolConnection,
  ) {
    this.settings = {};
  }

  static async start(opts: StartOptions = {}): Promise<Client> {
    const [cmd, ...args] = opts.command ?? [process.execPath, SERVER, "--stdio"];
    const proc = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new Client(proc, conn);
    client.settings = opts.settings ?? {};
    proc.stderr!.on("data", (d) => client.logs.push(String(d)));
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      const prev = client.diagnostics.get(p.uri);
      client.diagnostics.set(p.uri, { version: p.version, items: p.diagnostics, count: (prev?.count ?? 0) + 1 });
      const h = client.history.get(p.uri) ?? [];
      h.push({ version: p.version, items: p.diagnostics });
      client.history.set(p.uri, h);
    });
    conn.onNotification("window/logMessage", (p: { message: string }) => {
      client.logs.push(p.message);
    });
    conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) => {
      client.configurationRequests++;
      return p.items.map(() => client.settings);
    });
    conn.onRequest("client/registerCapability", () => null);
    conn.onRequest("workspace/diagnostic/refresh", () => null);
    conn.listen();
    await conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: opts.capabilities ?? { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } },
      initializationOptions: opts.initializationOptions,
      workspaceFolders: opts.workspaceFolder ? [{ uri: `file://${opts.workspaceFolder}`, name: "ws" }] : null,
    });
    await conn.sendNotification("initialized", {});
    const caps = opts.capabilities ?? { workspace: { configuration: true } };
    if (caps.workspace?.configuration) {
      // start-up is over once the server has read the settings (and re-published with them)
      await waitFor("the server to read its settings", () => client.configurationRequests > 0);
      await conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri: "file:///none.topology.yaml" } });
    }
    return client;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "quorate-topology", version, text } });
  }

  change(uri: string, version: number, changes: ({ range: TextEdit["range"]; text: string } | { text: string })[]): Promise<void> {
    return this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes });
  }

  /**
   * Waits for a publish of `uri` newer than the `count`-th (and, given `version`, for that
   * document version: a late re-publish of an older version does not count).
   */
  async diagnosticsAfter(uri: string, count: number, version?: number): Promise<Diagnostic[]> {
    const d = await waitFor(`diagnostics #${count + 1} for ${uri}`, () => {
      const x = this.diagnostics.get(uri);
      return x && x.count > count && (version === undefined || x.version === version) ? x : undefined;
    });
    return d.items;
  }

  published(uri: string): number {
    return this.diagnostics.get(uri)?.count ?? 0;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification("exit");
    } catch {
      /* already gone */
    }
    await new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        this.proc.kill("SIGKILL");
        resolve();
      }, 2000);
      this.proc.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.conn.dispose();
  }

  get alive(): boolean {
    return this.proc.exitCode === null;
  }
}

/** Applies a WorkspaceEdit's edits for one URI to a text (LSP positions). */
export function applyWorkspaceEdit(text: string, edit: WorkspaceEdit, uri: string): string {
  const edits = edit.changes?.[uri] ?? [];
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const off = (p: { line: number; character: number }) => (p.line < starts.length ? starts[p.line] + p.character : text.length);
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
