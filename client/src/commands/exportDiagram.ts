// Quorate: Export Diagram — the preview's diagram as Mermaid, Markdown or SVG, written where the
// user chooses (or where a caller says: tests pass { format, target, uri, force }).
import * as vscode from "vscode";
import type { ExportFormat } from "../preview/panel";
import { type CommandContext, command } from "./command";

interface ExportDiagramArgs {
  format?: ExportFormat;
  target?: string;
  uri?: string;
  force?: boolean;
}

export const exportDiagram = command("quorate.exportDiagram", async (ctx, args?: ExportDiagramArgs) => {
  const doc = await diagramDocument(args);
  if (!doc) {
    void vscode.window.showWarningMessage("Quorate: open a topology file to export its diagram.");
    return undefined;
  }
  const format = args?.format ?? (await chooseFormat());
  if (!format) return undefined;
  const target = args?.target ? vscode.Uri.file(args.target) : await chooseTarget(doc, format);
  if (!target) return undefined;
  try {
    const text = await ctx.preview.exportText(doc, format);
    if (!(await writeDiagram(ctx, target, text, args))) return undefined;
    if (!args?.target) void vscode.window.showInformationMessage(`Quorate: diagram saved to ${vscode.workspace.asRelativePath(target)}`);
    return target.fsPath;
  } catch (e) {
    void vscode.window.showErrorMessage(`Quorate: export failed: ${(e as Error).message}`);
    return undefined;
  }
});

/** The given document, else the active topology editor's, else any open topology. */
async function diagramDocument(args?: ExportDiagramArgs): Promise<vscode.TextDocument | undefined> {
  if (args?.uri) return vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === "quorate-topology") return active;
  return vscode.workspace.textDocuments.find((d) => d.languageId === "quorate-topology");
}

async function chooseFormat(): Promise<ExportFormat | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: "Mermaid (.mmd)", format: "mmd" as const },
      { label: "Markdown with a mermaid block (.md)", format: "md" as const },
      { label: "SVG (.svg)", format: "svg" as const },
    ],
    { title: "Export diagram as" },
  );
  return pick?.format;
}

function chooseTarget(doc: vscode.TextDocument, format: ExportFormat): Thenable<vscode.Uri | undefined> {
  const base = doc.uri.path.replace(/\.ya?ml$/i, "");
  return vscode.window.showSaveDialog({
    defaultUri: doc.uri.with({ path: `${base}.${format}` }),
    filters: { [format.toUpperCase()]: [format] },
  });
}

/** Writes the diagram; false (the user told why) when the guarded writer refuses. */
async function writeDiagram(ctx: CommandContext, target: vscode.Uri, text: string, args?: ExportDiagramArgs): Promise<boolean> {
  if (target.scheme !== "file" || ctx.platform.kind !== "desktop") {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    return true;
  }
  // the same guarded writer as `quorate diagram -o`: an existing symlink is replaced, never
  // followed; an existing file only with consent — the save dialog asked it, a caller passes force
  const { OutputError, writeOutputFile } = ctx.platform.output;
  try {
    writeOutputFile(target.fsPath, text, vscode.Uri.joinPath(target, "..").fsPath, { force: args?.target ? !!args.force : true });
    return true;
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    void vscode.window.showErrorMessage(`Quorate: diagram not written: ${e.message}`);
    return false;
  }
}
