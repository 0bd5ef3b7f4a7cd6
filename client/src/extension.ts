// The desktop entry ("main"): the language server runs as a Node process beside the extension host.
import type * as vscode from "vscode";
import { LanguageClient, TransportKind } from "vscode-languageclient/node";
import * as output from "../../server/src/output";
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
          run: { module, transport: TransportKind.ipc },
          debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6011"] } },
        },
        options,
      ),
    { kind: "desktop", output },
  );
}
