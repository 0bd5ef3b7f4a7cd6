// The status bar item: errors, warnings and whether the active topology survives any site loss.
import * as vscode from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient";
import { SummaryRequest } from "../../server/src/protocol";
import { request } from "./request";

/** The item, and its refresh (debounced 150 ms: diagnostics arrive in bursts). */
export function statusItem(client: () => BaseLanguageClient | undefined): { item: vscode.StatusBarItem; refresh: () => void } {
  const status = vscode.window.createStatusBarItem("quorate.status", vscode.StatusBarAlignment.Left, 50);
  status.name = "Quorate";
  status.command = "workbench.actions.view.problems";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void show(status, client()), 150);
  };
  return { item: status, refresh };
}

async function show(status: vscode.StatusBarItem, client: BaseLanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== "quorate-topology" || !client) {
    status.hide();
    return;
  }
  try {
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
}
