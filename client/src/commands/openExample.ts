// Quorate: Open Example (the walkthrough's first step).
import * as vscode from "vscode";
import { command } from "./command";

/**
 * The walkthrough's example (shipped in the package) as a new untitled document: nothing is
 * written to the workspace, and every edit stays the user's to save or discard. The cursor
 * lands on the ledger's members, where the next steps hover and apply the fix.
 */
export const openExample = command("quorate.openExample", async (ctx): Promise<vscode.TextEditor> => {
  const path = vscode.Uri.joinPath(ctx.extension.extensionUri, "examples", "payments-eu.topology.yaml");
  const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(path));
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
});
