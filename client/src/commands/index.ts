// Every command the extension contributes, one module each. A new command: its module here (made
// with command(id, run)), its entry in package.json's contributes.commands — the unit test
// client-commands.test.ts fails when the two lists differ.
import * as vscode from "vscode";
import type { Command, CommandContext } from "./command";
import { compareWithHead } from "./compareWithHead";
import { exportDiagram } from "./exportDiagram";
import { exportGameDay } from "./exportGameDay";
import { openExample } from "./openExample";
import { openPreview } from "./openPreview";
import { restartServer } from "./restartServer";
import { showOutput } from "./showOutput";
import { simulate } from "./simulate";
import { writeDecisionRecord } from "./writeDecisionRecord";

export const COMMANDS: readonly Command[] = [
  openPreview,
  exportDiagram,
  simulate,
  exportGameDay,
  writeDecisionRecord,
  compareWithHead,
  restartServer,
  showOutput,
  openExample,
];

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return COMMANDS.map((c) => vscode.commands.registerCommand(c.id, (...args: never[]) => c.run(ctx, ...args)));
}
