// The web entry ("browser": vscode.dev, github.dev, a VS Code server's browser workbench): the
// same extension, its language server in a web worker (dist/web/server.js, the same analyzer).
import * as vscode from "vscode";
import { BrowserMessageReader, BrowserMessageWriter, LanguageClient, type MessageTransports } from "vscode-languageclient/browser";
import { activateWith, deactivate, type QuorateApi } from "./activate";

export type { QuorateApi };
export { deactivate };

export function activate(context: vscode.ExtensionContext): Promise<QuorateApi> {
  const main = vscode.Uri.joinPath(context.extensionUri, "dist", "web", "server.js");
  // a new worker on each start: Restart Language Server starts a fresh one
  return activateWith(context, (options) => new LanguageClient("quorate", "Quorate", () => transports(main), options), { kind: "web" });
}

/**
 * The transports to the server's worker, built here: the client's own check that it was given a
 * Worker (instanceof) fails in VS Code's web extension host, which wraps the Worker constructor.
 */
async function transports(main: vscode.Uri): Promise<MessageTransports> {
  const worker = await serverWorker(main);
  return { reader: new BrowserMessageReader(worker), writer: new BrowserMessageWriter(worker) };
}

/**
 * The server's web worker. VS Code for the Web serves an extension over https, and the worker
 * starts from that URL. A VS Code server's browser workbench serves it as vscode-remote:, from
 * which the extension host refuses to start workers (its fetch does read them): the worker then
 * starts from the fetched script.
 */
async function serverWorker(main: vscode.Uri): Promise<Worker> {
  if (main.scheme !== "vscode-remote") return new Worker(main.toString(true));
  const response = await fetch(main.toString(true));
  if (!response.ok) throw new Error(`cannot load the language server from ${main.toString(true)}: HTTP ${response.status}`);
  const script = new Blob([await response.text()], { type: "application/javascript" });
  return new Worker(URL.createObjectURL(script));
}
