// Quorate: Write Decision Record — the design's decision record as an unsaved Markdown document
// named beside the topology.
import * as vscode from "vscode";
import { DecisionRecordRequest } from "../../../server/src/protocol";
import { request } from "../request";
import { command } from "./command";
import { showMarkdown, topologyDocument } from "./documents";

export const writeDecisionRecord = command("quorate.writeDecisionRecord", async (ctx, uri?: vscode.Uri) => {
  const doc = await topologyDocument(uri, "write its decision record");
  const client = ctx.client();
  if (!doc || !client) return undefined;
  const md = await request(client, DecisionRecordRequest, { uri: doc.uri.toString() });
  if (!md) {
    void vscode.window.showWarningMessage("Quorate: this document holds no topology to write a decision record for.");
    return undefined;
  }
  // an untitled document already named beside the topology: Save writes it there, with no dialog
  const base = doc.uri.path.replace(/(\.topology)?\.ya?ml$/i, "");
  return showMarkdown(md, doc.uri.scheme === "file" ? doc.uri.with({ scheme: "untitled", path: `${base}.adr.md` }) : undefined);
});
