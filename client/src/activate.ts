// Everything the extension does, for both of its entries: extension.ts (desktop: the language
// server as a Node process) and browser.ts (the web: the server in a web worker). The entry gives
// the client and says what the platform offers; the commands that need Node say so on the web.
import * as vscode from "vscode";
import type { BaseLanguageClient, LanguageClientOptions } from "vscode-languageclient";
import { CompareRequest, DecisionRecordRequest, GameDayRequest, SimulateRequest, SummaryRequest } from "../../server/src/protocol";
import type * as Output from "../../server/src/output";
import { PreviewManager, PREVIEW_VIEW_TYPE, type ExportFormat } from "./preview/panel";
import { request } from "./request";

let client: BaseLanguageClient | undefined;

/** What tests (and other extensions) can reach. */
export interface QuorateApi {
  readonly client: () => BaseLanguageClient | undefined;
  readonly preview: PreviewManager;
  /** "desktop": the server runs on Node; "web": in a web worker, without disk reads, git or folder exports */
  readonly platform: Platform["kind"];
}

/** What the platform offers: "desktop" (Node) writes game days with the guarded folder writer `output`; "web" has neither. */
export type Platform = { readonly kind: "desktop"; readonly output: typeof Output } | { readonly kind: "web" };

/** How an entry starts its language client with the options both entries share. */
export type ClientFactory = (options: LanguageClientOptions) => BaseLanguageClient;

/** What a user reads when a command needs what VS Code for the Web does not have. */
export function unavailableOnTheWeb(what: string, instead: string): string {
  return `Quorate: ${what} is not available in VS Code for the Web: it needs a file system and Node, which a browser does not give an extension. ${instead}`;
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
  const status = vscode.window.createStatusBarItem("quorate.status", vscode.StatusBarAlignment.Left, 50);
  status.name = "Quorate";
  status.command = "workbench.actions.view.problems";
  context.subscriptions.push(preview, status);

  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  const updateStatus = () => {
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = setTimeout(async () => {
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.languageId !== "quorate-topology" || !client) {
        status.hide();
        return;
      }
      try {
        // by method name: the client bundles its own copy of the protocol types
        const s = await request(client, SummaryRequest, { uri: editor.document.uri.toString() });
        if (!s) return status.hide();
        const verdict =
          s.survivesSiteLoss === null ? "" : s.survivesSiteLoss ? " $(pass) survives any site loss" : " $(alert) a site loss breaks it";
        status.text = `$(error) ${s.errors} $(warning) ${s.warnings}${verdict}`;
        status.tooltip = new vscode.MarkdownString(
          s.survivesSiteLoss === false
            ? `**Quorate:** losing a single site breaks this design:\n\n${s.siteLossFindings.map((m) => `- ${m}`).join("\n")}`
            : `**Quorate:** ${s.errors} errors, ${s.warnings} warnings${s.survivesSiteLoss ? "; every single-site loss is survivable" : ""}`,
        );
        status.backgroundColor = s.survivesSiteLoss === false ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
        status.show();
      } catch {
        status.hide();
      }
    }, 150);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand("quorate.openPreview", async (uri?: vscode.Uri) => {
      const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (doc?.languageId !== "quorate-topology") {
        void vscode.window.showWarningMessage("Quorate: open a topology file (*.topology.yaml) to preview it.");
        return false;
      }
      await preview.open(doc);
      return true;
    }),
    vscode.commands.registerCommand(
      "quorate.exportDiagram",
      async (args?: { format?: ExportFormat; target?: string; uri?: string; force?: boolean }) => {
        const doc = args?.uri
          ? await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri))
          : vscode.window.activeTextEditor?.document.languageId === "quorate-topology"
            ? vscode.window.activeTextEditor.document
            : vscode.workspace.textDocuments.find((d) => d.languageId === "quorate-topology");
        if (!doc) {
          void vscode.window.showWarningMessage("Quorate: open a topology file to export its diagram.");
          return undefined;
        }
        const format =
          args?.format ??
          (
            await vscode.window.showQuickPick(
              [
                { label: "Mermaid (.mmd)", format: "mmd" as const },
                { label: "Markdown with a mermaid block (.md)", format: "md" as const },
                { label: "SVG (.svg)", format: "svg" as const },
              ],
              { title: "Export diagram as" },
            )
          )?.format;
        if (!format) return undefined;
        const base = doc.uri.path.replace(/\.ya?ml$/i, "");
        const target = args?.target
          ? vscode.Uri.file(args.target)
          : await vscode.window.showSaveDialog({
              defaultUri: doc.uri.with({ path: `${base}.${format}` }),
              filters: { [format.toUpperCase()]: [format] },
            });
        if (!target) return undefined;
        try {
          const text = await preview.exportText(doc, format);
          if (target.scheme === "file" && platform.kind === "desktop") {
            // the same guarded writer as `quorate diagram -o`: an existing symlink is replaced, never
            // followed; an existing file only with consent — the save dialog asked it, a caller passes force
            const { OutputError, writeOutputFile } = platform.output;
            try {
              writeOutputFile(target.fsPath, text, vscode.Uri.joinPath(target, "..").fsPath, { force: args?.target ? !!args.force : true });
            } catch (e) {
              if (!(e instanceof OutputError)) throw e;
              void vscode.window.showErrorMessage(`Quorate: diagram not written: ${e.message}`);
              return undefined;
            }
          } else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
          if (!args?.target)
            void vscode.window.showInformationMessage(`Quorate: diagram saved to ${vscode.workspace.asRelativePath(target)}`);
          return target.fsPath;
        } catch (e) {
          void vscode.window.showErrorMessage(`Quorate: export failed: ${(e as Error).message}`);
          return undefined;
        }
      },
    ),
    vscode.commands.registerCommand("quorate.simulate", async (uri?: vscode.Uri) => {
      const doc = await topologyDocument(uri, "simulate failures");
      if (!doc) return false;
      await preview.open(doc);
      await preview.simulate({});
      return true;
    }),
    vscode.commands.registerCommand(
      "quorate.exportGameDay",
      async (args?: {
        uri?: string;
        scenario?: { lose?: string[]; partition?: string[][] };
        tool?: "chaos-mesh" | "litmus";
        duration?: string;
        folder?: string;
        /** replace existing files (tests; a user is asked) */
        force?: boolean;
      }) => {
        if (platform.kind === "web") {
          void vscode.window.showWarningMessage(
            unavailableOnTheWeb(
              "Export Game Day (a folder of chaos manifests and a runbook)",
              "Run quorate gameday in a terminal, or open the folder in VS Code on the desktop.",
            ),
            { modal: true },
          );
          return undefined;
        }
        const { OutputError, prepareFolder, writeFilesInto } = platform.output;
        const active = vscode.window.activeTextEditor?.document;
        const doc = args?.uri
          ? await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri))
          : (preview.current.document ?? (active?.languageId === "quorate-topology" ? active : undefined));
        if (!doc || !client) {
          void vscode.window.showWarningMessage("Quorate: open a topology file (*.topology.yaml) to export a game day.");
          return undefined;
        }
        // from the command palette with no Simulate scenario: choose the site to isolate
        let scenario = args?.scenario ?? (preview.current.document === doc ? preview.current.scenario : undefined);
        if (!args && !scenario?.lose?.length && !scenario?.partition?.length) {
          const sim = await request(client, SimulateRequest, { uri: doc.uri.toString(), scenario: {} });
          const pick = await vscode.window.showQuickPick(
            (sim?.sites ?? []).map((x) => ({ label: `Isolate ${x.name}`, description: x.role, site: x.name })),
            { title: "Game day: which site to cut off (then withdraw from steering)" },
          );
          if (!pick) return undefined;
          scenario = { lose: [pick.site] };
        }
        const lose = scenario?.lose ?? [];
        const partition = scenario?.partition ?? [];
        if (!lose.length === !partition.length) {
          void vscode.window.showWarningMessage(
            "Quorate: mark sites lost or choose a partition in the Simulate panel (one of them) to export its game day.",
          );
          return undefined;
        }
        const tool =
          args?.tool ??
          (
            await vscode.window.showQuickPick(
              [
                { label: "Chaos Mesh", description: "NetworkChaos, action partition", tool: "chaos-mesh" as const },
                {
                  label: "Litmus",
                  description: "ChaosEngine pod-network-partition (needs a CNI that enforces NetworkPolicy)",
                  tool: "litmus" as const,
                },
              ],
              { title: "Game day: chaos tool" },
            )
          )?.tool;
        if (!tool) return undefined;
        const duration =
          args?.duration ??
          (await vscode.window.showInputBox({
            title: "Game day: how long the partition lasts",
            value: "10m",
            validateInput: (v) => (/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(v) ? undefined : "a duration such as 10m, 90s or 1h30m"),
          }));
        if (!duration) return undefined;
        const r = await request(client, GameDayRequest, {
          uri: doc.uri.toString(),
          scenario: { lose, partition },
          tool,
          duration,
        });
        if (!r || r.error) {
          void vscode.window.showErrorMessage(`Quorate: ${r?.error ?? "this document holds no topology"}`);
          return undefined;
        }
        const parent = args?.folder
          ? vscode.Uri.file(args.folder)
          : (
              await vscode.window.showOpenDialog({
                canSelectFolders: true,
                canSelectFiles: false,
                defaultUri: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri ?? vscode.Uri.joinPath(doc.uri, ".."),
                openLabel: `Write ${r.folder} here`,
              })
            )?.[0];
        if (!parent) return undefined;
        // the same guarded writer as `quorate gameday -o`: inside the chosen folder, no symlink
        // followed, an existing file replaced only after the user says so
        const target = vscode.Uri.joinPath(parent, r.folder);
        const files = r.files.map((f) => ({ path: `${r.folder}/${f.path}`, content: f.content }));
        try {
          if (parent.scheme !== "file")
            throw new OutputError(`game days are written to folders on this machine, not ${parent.scheme}: URIs`);
          const root = prepareFolder(parent.fsPath, parent.fsPath);
          try {
            writeFilesInto(root, files, { force: args?.force });
          } catch (e) {
            if (!(e instanceof OutputError && e.exists) || args?.folder) throw e;
            const answer = await vscode.window.showWarningMessage(
              `Quorate: ${e.message.replace(/ \(pass --force to replace it\)$/, "")}. Replace the game day's existing files in ${r.folder}?`,
              { modal: true },
              "Replace",
            );
            if (answer !== "Replace") return undefined;
            writeFilesInto(root, files, { force: true });
          }
        } catch (e) {
          if (!(e instanceof OutputError)) throw e;
          void vscode.window.showErrorMessage(`Quorate: game day not written: ${e.message}`);
          return undefined;
        }
        if (!args?.folder) {
          // in the preview's column (or beside the editor), not a third narrow column that clips the runbook's tables
          const runbook = vscode.Uri.joinPath(target, "RUNBOOK.md");
          await vscode.window.showTextDocument(runbook, { viewColumn: preview.viewColumn ?? vscode.ViewColumn.Beside, preview: true });
          await vscode.commands.executeCommand("markdown.showPreview", runbook);
          void vscode.window.showInformationMessage(
            `Quorate: game day written to ${vscode.workspace.asRelativePath(target)}${r.notes.length ? ` — ${r.notes.join(" ")}` : ""}`,
          );
        }
        return target.fsPath;
      },
    ),
    vscode.commands.registerCommand("quorate.writeDecisionRecord", async (uri?: vscode.Uri) => {
      const doc = await topologyDocument(uri, "write its decision record");
      if (!doc || !client) return undefined;
      const md = await request(client, DecisionRecordRequest, { uri: doc.uri.toString() });
      if (!md) {
        void vscode.window.showWarningMessage("Quorate: this document holds no topology to write a decision record for.");
        return undefined;
      }
      // an untitled document already named beside the topology: Save writes it there, with no dialog
      const base = doc.uri.path.replace(/(\.topology)?\.ya?ml$/i, "");
      return showMarkdown(md, doc.uri.scheme === "file" ? doc.uri.with({ scheme: "untitled", path: `${base}.adr.md` }) : undefined);
    }),
    vscode.commands.registerCommand("quorate.compareWithHead", async (uri?: vscode.Uri) => {
      const doc = await topologyDocument(uri, "compare it with git HEAD");
      if (!doc || !client) return undefined;
      if (!vscode.workspace.isTrusted) {
        // git reads the repository's configuration: only in a workspace the user trusts
        void vscode.window.showWarningMessage("Quorate: Compare with Git HEAD runs git, which needs a trusted workspace.");
        return undefined;
      }
      const r = await request(client, CompareRequest, { uri: doc.uri.toString(), revision: "HEAD" });
      if (!r || r.error) {
        // a dialog, not a toast: the user asked for a comparison and must read why there is none and what to do
        void vscode.window.showWarningMessage(`Quorate cannot compare ${doc.uri.path.split("/").pop()} with Git HEAD`, {
          modal: true,
          detail: r?.error ?? "This document holds no topology to compare.",
        });
        return undefined;
      }
      return showMarkdown(r.markdown);
    }),
    vscode.commands.registerCommand("quorate.restartServer", async () => {
      output.info("restarting the language server");
      await client?.stop();
      await client?.start();
      updateStatus();
      return true;
    }),
    vscode.commands.registerCommand("quorate.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("quorate.openExample", () => openExample(context)),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.languages.onDidChangeDiagnostics(updateStatus),
    vscode.workspace.onDidOpenTextDocument((d) => void adoptTopologyYaml(d)),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      // a preview restored after a reload is simply closed: it reopens from the editor in one keystroke
      deserializeWebviewPanel: async (panel) => panel.dispose(),
    }),
  );
  for (const d of vscode.workspace.textDocuments) void adoptTopologyYaml(d);
  updateStatus();
  return { client: () => client, preview, platform: platform.kind };
}

/**
 * The walkthrough's example (shipped in the package) as a new untitled document: nothing is
 * written to the workspace, and every edit stays the user's to save or discard. The cursor
 * lands on the ledger's members, where the next steps hover and apply the fix.
 */
async function openExample(context: vscode.ExtensionContext): Promise<vscode.TextEditor> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, "examples", "payments-eu.topology.yaml"));
  const content = new TextDecoder().decode(bytes);
  const doc = await vscode.workspace.openTextDocument({ language: "quorate-topology", content });
  const editor = await vscode.window.showTextDocument(doc);
  const lines = content.split("\n");
  const ledger = lines.findIndex((l) => /^\s*-\s*name:\s*ledger\b/.test(l));
  const members = ledger < 0 ? -1 : lines.findIndex((l, i) => i > ledger && /^\s*members:/.test(l));
  if (members >= 0) {
    const at = new vscode.Position(members, lines[members].indexOf("members"));
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
  }
  return editor;
}

/** The topology the command is for: the given one, else the active editor's; a warning says why there is none. */
async function topologyDocument(uri: vscode.Uri | undefined, what: string): Promise<vscode.TextDocument | undefined> {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (doc?.languageId === "quorate-topology") return doc;
  void vscode.window.showWarningMessage(`Quorate: open a topology file (*.topology.yaml) to ${what}.`);
  return undefined;
}

/**
 * Opens generated Markdown as an unsaved document with its preview beside it; returns the
 * document's URI. With `untitled` (an `untitled:` URI carrying a path) the document is named
 * for that path, so saving it offers no dialog.
 */
async function showMarkdown(content: string, untitled?: vscode.Uri): Promise<string> {
  let md: vscode.TextDocument;
  if (untitled) {
    md = await vscode.workspace.openTextDocument(untitled);
    const editor = await vscode.window.showTextDocument(md, { preview: false, viewColumn: vscode.ViewColumn.Active });
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, md.lineCount, 0), content));
    if (md.languageId !== "markdown") md = await vscode.languages.setTextDocumentLanguage(md, "markdown");
  } else md = await vscode.workspace.openTextDocument({ language: "markdown", content });
  await vscode.window.showTextDocument(md, { preview: false, viewColumn: vscode.ViewColumn.Active });
  await vscode.commands.executeCommand("markdown.showPreviewToSide", md.uri);
  return md.uri.toString();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
