import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInContext, createContext } from "node:vm";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import {
  createProtocolConnection,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type MessageReader,
  type MessageWriter,
} from "vscode-languageserver-protocol";
import { waitFor } from "./client";

// The web extension's language server (dist/web/server.js) in a sandbox that has what a web
// worker has — postMessage, timers, URL, TextEncoder, Web Crypto — and nothing of Node: no
// `process`, no `require`, no `Buffer`. Whatever of Node slipped into the bundle fails here.
const ROOT = join(__dirname, "..", "..", "..");
const BUNDLE = join(ROOT, "dist", "web", "server.js");
// the browser transport of vscode-jsonrpc, by path (its package exports it for browsers only)
const rpc = require(join(ROOT, "node_modules", "vscode-jsonrpc", "lib", "browser", "main.js")) as {
  BrowserMessageReader: new (port: MessagePort) => MessageReader;
  BrowserMessageWriter: new (port: MessagePort) => MessageWriter;
};

let port: MessagePort;
let conn: ProtocolConnection;
const diagnostics = new Map<string, Diagnostic[]>();
const logs: string[] = [];
const uri = "vscode-vfs://github/acme/platform/payments-eu.topology.yaml";
const text = readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8");

before(async () => {
  const channel = new MessageChannel();
  port = channel.port2;
  const worker = channel.port1;
  const sandbox = createContext({
    self: worker,
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    URL,
    TextEncoder,
    TextDecoder,
    crypto: globalThis.crypto,
    performance,
    atob,
    btoa,
  });
  runInContext(readFileSync(BUNDLE, "utf8"), sandbox, { filename: BUNDLE });
  conn = createProtocolConnection(new rpc.BrowserMessageReader(port), new rpc.BrowserMessageWriter(port));
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: Diagnostic[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
  });
  conn.onNotification("window/logMessage", (p: { message: string }) => {
    logs.push(p.message);
  });
  conn.onRequest("workspace/configuration", (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest("client/registerCapability", () => null);
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: null,
    rootUri: null,
    capabilities: { workspace: { configuration: true } },
    workspaceFolders: [{ uri: "vscode-vfs://github/acme/platform", name: "platform" }],
  });
  await conn.sendNotification("initialized", {});
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "quorate-topology", version: 1, text } });
});
after(() => {
  conn.dispose();
  port.close();
});

test("web worker: diagnostics of an example, with the arithmetic, from a bundle with nothing of Node", async () => {
  assert.doesNotMatch(readFileSync(BUNDLE, "utf8"), /require\("(node:)?(fs|path|child_process|worker_threads|crypto|os)"\)/);
  const d = await waitFor("diagnostics from the web worker", () => (diagnostics.get(uri)?.length ? diagnostics.get(uri) : undefined));
  const codes = d.map((x) => String(x.code));
  assert.ok(codes.includes("quorum/two-site-split"), codes.join(", "));
  assert.match(String(d.find((x) => x.code === "quorum/two-site-split")?.message), /losing fra leaves 2 of 4/);
});

test("web worker: hover and a quick fix", async () => {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes("members: { fra: 2, lon: 2 }"));
  const h = await conn.sendRequest<Hover>("textDocument/hover", {
    textDocument: { uri },
    position: { line, character: lines[line].indexOf("members") + 2 },
  });
  assert.match((h.contents as { value: string }).value, /quorum/i);
  const d = diagnostics.get(uri)!.find((x) => x.code === "quorum/two-site-split")!;
  const actions = await conn.sendRequest<CodeAction[]>("textDocument/codeAction", {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d] },
  });
  assert.ok(
    actions.some((a) => /witness/i.test(a.title)),
    actions.map((a) => a.title).join(" | "),
  );
});

test("web worker: the preview's diagram, and Compare with Git HEAD says plainly it needs git", async () => {
  const diagram = await conn.sendRequest<{ mermaid: string }>("quorate/diagram", { uri });
  assert.match(diagram.mermaid, /fra-prod/);
  const c = await conn.sendRequest<{ error?: string }>("quorate/compare", { uri, revision: "HEAD" });
  assert.match(c.error ?? "", /needs git, which VS Code for the Web does not have/);
  assert.ok(!logs.some((l) => /failed|uncaught/i.test(l)), logs.join("\n"));
});
