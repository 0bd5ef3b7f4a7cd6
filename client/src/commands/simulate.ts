// Quorate: Simulate Failures — the preview with its Simulate panel open on the all-up scenario.
import type * as vscode from "vscode";
import { command } from "./command";
import { topologyDocument } from "./documents";

export const simulate = command("quorate.simulate", async (ctx, uri?: vscode.Uri) => {
  const doc = await topologyDocument(uri, "simulate failures");
  if (!doc) return false;
  await ctx.preview.open(doc);
  await ctx.preview.simulate({});
  return true;
});
