#!/usr/bin/env node
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { BACKGROUND_MARK } from "./background/messages";
import { runBackground, type Port } from "./background/worker";
import { startServer } from "./lsp";
import { nodeHost } from "./platform/node";

const data = workerData as { mark?: string; warmUp?: boolean; push?: boolean } | undefined;
if (!isMainThread && parentPort && data?.mark === BACKGROUND_MARK) {
  // this same script, started by the server as its background thread (large files)
  runBackground(parentPort as unknown as Port, { warmUp: data.warmUp, push: data.push });
} else {
  // Thin bootstrap: stdio (`--stdio`), node IPC (`--node-ipc`) or a socket, as the client asks.
  if (process.argv.includes("--help")) {
    process.stdout.write(
      "quorate-language-server --stdio | --node-ipc | --socket=PORT\nThe Quorate language server for topology files (LSP 3.17).\n",
    );
    process.exit(0);
  }
  process.on("uncaughtException", (e) => process.stderr.write(`[quorate] uncaught: ${e?.stack ?? e}\n`));
  // the background thread runs this script again
  startServer(createConnection(ProposedFeatures.all), nodeHost(__filename));
}
