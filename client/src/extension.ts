// The desktop entry ("main"): the language server runs as a Node process beside the extension host.
import type * as vscode from "vscode";
import { LanguageClient, TransportKind } from "vscode-languageclient/node";
import * as output from "../../server/src/output";
import { SERVER_NODE_FLAGS } from "../../server/src/protocol";
import { activateWith, deactivate, type QuorateApi } from "./activate";

export type { QuorateApi };
export { deactivate };

export function activate(context: vscode.ExtensionContext): Promise<QuorateApi> {
  const module = context.asAbsolutePath("dist/server.js");
  return activateWith(
    context,
    (options) =>
      new LanguageClient(
        "quorate",
        "Quorate",
        {
          // Node started with the server's flags (a smaller young generation on its main thread)
          run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
          debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, "--nolazy", "--inspect=6011"] } },
        },
        options,
      ),
    { kind: "desktop", output },
  );
}
