// Everything the extension does, for both of its entries: extension.ts (desktop: the language
// server as a Node process) and browser.ts (the web: the server in a web worker). The entry gives
// the client and says what the platform offers; the commands that need Node say so on the web.
// This file only wires: each command is a module in commands/, the status bar item is status.ts.
import * as vscode from "vscode";
import type { BaseLanguageClient, LanguageClientOptions } from "vscode-languageclient";
import { registerCommands } from "./commands";
import type { ClientFactory, Platform } from "./platform";
import { PreviewManager, PREVIEW_VIEW_TYPE } from "./preview/panel";
import { statusItem } from "./status";

export { type ClientFactory, type Platform, unavailableOnTheWeb } from "./platform";

let client: BaseLanguageClient | undefined;

/** What tests (and other extensions) can reach. */
export interface QuorateApi {
  readonly client: () => BaseLanguageClient | undefined;
  readonly preview: PreviewManager;
  /** "desktop": the server runs on Node; "web": in a web worker, without disk reads, git or folder exports */
  readonly platform: Platform["kind"];
}

const TOPOLOGY_HEAD = /^apiVersion:\s*["']?quorate\.dev\/v1alpha1["']?\s*$[\s\S]{0,2000}?^kind:\s*["']?Topology["']?\s*$/m;

/** A plain YAML file that declares a Quorate topology becomes a topology document. */
async function adoptTopologyYaml(doc: vscode.TextDocument): Promise<void> {
  if (doc.languageId === "yaml" && TOPOLOGY_HEAD.test(doc.getText(new vscode.Range(0, 0, 80, 0)))) {
    await vscode.languages.setTextDocumentLanguage(doc, "quorate-topology");
  }
}

function clientOptions(output: vscode.LogOutputChannel, platform: Platform): LanguageClientOptions {
  return {
    documentSelector: [
      { language: "quorate-topology" },
      // RBAC and ServiceExport manifests; the server leaves other YAML alone. On the web files
      // live under other schemes (vscode-vfs:, vscode-remote: …): any scheme's YAML is sent
      ...(platform.kind === "web"
        ? [{ language: "yaml" }]
        : [
            { language: "yaml", scheme: "file" },
            { language: "yaml", scheme: "untitled" },
          ]),
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{yaml,yml}") },
    outputChannel: output,
    traceOutputChannel: output,
  };
}

export async function activateWith(context: vscode.ExtensionContext, create: ClientFactory, platform: Platform): Promise<QuorateApi> {
  const output = vscode.window.createOutputChannel("Quorate", { log: true });
  context.subscriptions.push(output);
  client = create(clientOptions(output, platform));
  await client.start();
  output.info(`Quorate language server started${platform.kind === "web" ? " (web worker)" : ""}`);

  const preview = new PreviewManager(context, () => client, output);
  const status = statusItem(() => client);
  context.subscriptions.push(preview, status.item);
  context.subscriptions.push(
    ...registerCommands({ extension: context, output, preview, platform, client: () => client, refreshStatus: status.refresh }),
    vscode.window.onDidChangeActiveTextEditor(status.refresh),
    vscode.languages.onDidChangeDiagnostics(status.refresh),
    vscode.workspace.onDidOpenTextDocument((d) => void adoptTopologyYaml(d)),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      // a preview restored after a reload is simply closed: it reopens from the editor in one keystroke
      deserializeWebviewPanel: async (panel) => panel.dispose(),
    }),
  );
  for (const d of vscode.workspace.textDocuments) void adoptTopologyYaml(d);
  status.refresh();
  return { client: () => client, preview, platform: platform.kind };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
