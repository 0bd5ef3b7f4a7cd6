#!/usr/bin/env node
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./lsp";

// Thin bootstrap: stdio (`--stdio`), node IPC (`--node-ipc`) or a socket, as the client asks.
if (process.argv.includes("--help")) {
  process.stdout.write(
    "quorate-language-server --stdio | --node-ipc | --socket=PORT\nThe Quorate language server for topology files (LSP 3.17).\n",
  );
  process.exit(0);
}
process.on("uncaughtException", (e) => process.stderr.write(`[quorate] uncaught: ${e?.stack ?? e}\n`));
startServer(createConnection(ProposedFeatures.all));
