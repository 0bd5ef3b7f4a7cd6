import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
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

/** Wakes every wait: emitted on each message, log line or request a Client receives. */
const changes = new EventEmitter().setMaxListeners(0);
/** Tells the waits that something they may be waiting on changed (tests with a client of their own). */
export const notifyChange = () => changes.emit("change");

/**
 * Resolves with `fn`'s value once it returns one (not undefined or false), checked whenever a
 * client receives something — never after a fixed sleep — and every 100 ms for state no Client
 * holds. Fails with `what` after `ms`: generous, since a loaded CI machine can be many times
 * slower than a quiet one (timing is measured by npm run bench, not asserted here).
 */
export function waitFor<T>(what: string, fn: () => T | undefined | false, ms = 120_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      changes.off("change", check);
      clearInterval(poll);
      clearTimeout(limit);
    };
    function check(): void {
      let v: T | undefined | false;
      try {
        v = fn();
      } catch (e) {
        done();
        reject(e);
        return;
      }
      if (v === undefined || v === false) return;
      done();
      resolve(v as T);
    }
    const poll = setInterval(check, 100);
    const limit = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what} (${ms / 1000} s)`));
    }, ms);
    changes.on("change", check);
    check();
  });
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
    proc.stderr!.on("data", (d) => {
      client.logs.push(String(d));
      notifyChange();
    });
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      const prev = client.diagnostics.get(p.uri);
      client.diagnostics.set(p.uri, { version: p.version, items: p.diagnostics, count: (prev?.count ?? 0) + 1 });
      const h = client.history.get(p.uri) ?? [];
      h.push({ version: p.version, items: p.diagnostics });
      client.history.set(p.uri, h);
      notifyChange();
    });
    conn.onNotification("window/logMessage", (p: { message: string }) => {
      client.logs.push(p.message);
      notifyChange();
    });
    conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) => {
      client.configurationRequests++;
      notifyChange();
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
   * Sends these edits of `uri` in one write, so the server reads them together, as it reads the
   * keystrokes an editor sent while it was busy. (A pipe write up to PIPE_BUF, 4 KB on Linux, is
   * never split; edits sent one by one may arrive apart, and each is then rightly published.)
   */
  changeTogether(uri: string, edits: { version: number; changes: { range: TextEdit["range"]; text: string }[] }[]): void {
    const frames = edits
      .map(({ version, changes }) => {
        const body = JSON.stringify({
          jsonrpc: "2.0",
          method: "textDocument/didChange",
          params: { textDocument: { uri, version }, contentChanges: changes },
        });
        return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      })
      .join("");
    if (Buffer.byteLength(frames) > 4096) throw new Error(`${Buffer.byteLength(frames)} bytes of edits may not be read together`);
    this.proc.stdin!.write(frames);
  }

  /**
   * Waits for a publish of `uri` newer than the `count`-th (and, given `version`, for that
   * document version: a late re-publish of an older version does not count).
   */
  async diagnosticsAfter(uri: string, count: number, version?: number, ms?: number): Promise<Diagnostic[]> {
    const d = await waitFor(
      `diagnostics #${count + 1} for ${uri}`,
      () => {
        const x = this.diagnostics.get(uri);
        return x && x.count > count && (version === undefined || x.version === version) ? x : undefined;
      },
      ms,
    );
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
