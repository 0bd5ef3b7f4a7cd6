// The documents commands act on and the Markdown they open: shared by the command modules.
import * as vscode from "vscode";

/** The topology the command is for: the given one, else the active editor's; a warning says why there is none. */
export async function topologyDocument(uri: vscode.Uri | undefined, what: string): Promise<vscode.TextDocument | undefined> {
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
export async function showMarkdown(content: string, untitled?: vscode.Uri): Promise<string> {
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
