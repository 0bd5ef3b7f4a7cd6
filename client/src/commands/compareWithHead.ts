// Quorate: Compare with Git HEAD — the design diff between the editor's text and the committed file.
import * as vscode from "vscode";
import { CompareRequest } from "../../../server/src/protocol";
import { request } from "../request";
import { command } from "./command";
import { showMarkdown, topologyDocument } from "./documents";

export const compareWithHead = command("quorate.compareWithHead", async (ctx, uri?: vscode.Uri) => {
  const doc = await topologyDocument(uri, "compare it with git HEAD");
  const client = ctx.client();
  if (!doc || !client) return undefined;
  if (!vscode.workspace.isTrusted) {
    // git reads the repository's configuration: only in a workspace the user trusts. A dialog,
    // as below: the user asked for a comparison and must read why there is none and what to do
    const manage = "Manage Workspace Trust";
    const answer = await vscode.window.showWarningMessage(
      "Quorate: Compare with Git HEAD is off in Restricted Mode",
      {
        modal: true,
        detail:
          "It runs git, and git reads the repository's own configuration: Quorate runs it only in a workspace you trust. Trust this folder if you know where it comes from, then compare again.",
      },
      manage,
    );
    if (answer === manage) await vscode.commands.executeCommand("workbench.trust.manage");
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
});
