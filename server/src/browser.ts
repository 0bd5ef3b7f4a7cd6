// The language server of the web extension (vscode.dev, github.dev, a VS Code server's browser
// workbench): the same service and analyzer in a web worker, spoken to over postMessage. A web
// worker has no disk, no git and no threads of its own: open documents are analysed as on the
// desktop; drift (deployment files read from the disk), the workspace index of closed files and
// Compare with Git HEAD are off, and the service answers those with a message saying so.
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from "vscode-languageserver/browser";
import { startServer } from "./lsp";
import { QuorateService } from "./service/service";

declare const self: DedicatedWorkerGlobalScope;

const connection = createConnection(new BrowserMessageReader(self), new BrowserMessageWriter(self));
startServer(connection, { createService: () => new QuorateService() });
