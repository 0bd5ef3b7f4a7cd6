import type { Connection } from "vscode-languageserver";
import { registerDocuments } from "./handlers/documents";
import { registerInitialize } from "./handlers/initialize";
import { registerRequests } from "./handlers/requests";
import { type ServerHost, Session } from "./handlers/session";
import { registerWorkspace } from "./handlers/workspace";
import type { QuorateService } from "./service/service";

export { DEFAULT_BACKGROUND_MIN_KB, type ServerHost, type ServerOptions } from "./handlers/session";

/**
 * Wires the language service to a connection: one handler module per concern under handlers/
 * (initialize, documents, workspace, requests; the background thread and diagnostics publishing
 * beside them), sharing one Session. Every handler is guarded: an exception becomes an error
 * response (or a log line for notifications) and the server keeps serving.
 */
export function startServer(connection: Connection, host: ServerHost): QuorateService {
  const session = new Session(connection, host);
  registerInitialize(session);
  registerWorkspace(session);
  registerDocuments(session);
  registerRequests(session);
  connection.listen();
  return session.service;
}
