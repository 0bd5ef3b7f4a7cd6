// Quorate: Open Preview — the live diagram of a topology, beside its editor.
import * as vscode from "vscode";
import { command } from "./command";

export const openPreview = command("quorate.openPreview", async (ctx, uri?: vscode.Uri) => {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (doc?.languageId !== "quorate-topology") {
    void vscode.window.showWarningMessage("Quorate: open a topology file (*.topology.yaml) to preview it.");
    return false;
  }
  await ctx.preview.open(doc);
  return true;
});
