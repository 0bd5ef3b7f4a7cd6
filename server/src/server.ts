#!/usr/bin/env node
import { Console } from "node:console";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { type Connection, createConnection, type MessageReader, ProposedFeatures, StreamMessageWriter } from "vscode-languageserver/node";
import { spliceSerialised, stringifyMessage } from "./background/json";
import { keepYoungGenerationSmall } from "./background/memory";
import { BACKGROUND_MARK } from "./background/messages";
import { runBackground, type Port } from "./background/worker";
import { startServer } from "./lsp";
import { nodeHost } from "./platform/node";

const data = workerData as { mark?: string; warmUp?: boolean; push?: boolean; posted?: Int32Array } | undefined;
if (!isMainThread && parentPort && data?.mark === BACKGROUND_MARK) {
  // this same script, started by the server as its background thread (large files); its start
  // set V8's flags back (see keepYoungGenerationSmall), for the main thread too
  keepYoungGenerationSmall();
  const posted = data.posted;
  runBackground(parentPort as unknown as Port, {
    warmUp: data.warmUp,
    push: data.push,
    arrived: posted ? () => Atomics.load(posted, 0) : undefined,
  });
} else {
  // Thin bootstrap: stdio (`--stdio`), node IPC (`--node-ipc`) or a socket, as the client asks.
  if (process.argv.includes("--help")) {
    process.stdout.write(
      "quorate-language-server --stdio | --node-ipc | --socket=PORT\nThe Quorate language server for topology files (LSP 3.17).\n",
    );
    process.exit(0);
  }
  // the main thread only relays a large file's work: a small young generation, whoever started the server
  keepYoungGenerationSmall();
  process.on("uncaughtException", (e) => process.stderr.write(`[quorate] uncaught: ${e?.stack ?? e}\n`));
  // the background thread runs this script again
  startServer(process.argv.includes("--stdio") ? stdioConnection() : createConnection(ProposedFeatures.all), nodeHost(__filename));
}

/**
 * The `--stdio` connection, with a writer that splices the JSON the background thread already
 * wrote into each message (background/json.ts) rather than parse and serialise it again here.
 * As the library's own: the server exits when its input ends, and nothing else writes to stdout
 * (console output goes to stderr).
 */
function stdioConnection(): Connection {
  const writer = new StreamMessageWriter(process.stdout, {
    contentTypeEncoder: {
      name: "application/json",
      encode: (message, options) => Promise.resolve(Buffer.from(stringifyMessage(message), options.charset)),
    },
  });
  Object.assign(console, new Console({ stdout: process.stderr, stderr: process.stderr }));
  spliceSerialised();
  // the library takes a stream and a writer together (each is read by its kind at run time; the
  // typed overloads pair two streams or two endpoints), and exits when that stream ends
  return createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, writer);
}
