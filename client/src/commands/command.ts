// The one shape of a command module: its id (the one in package.json's contributes.commands) and
// what it does, given what every command may use. commands/index.ts lists them all;
// test/unit/client-commands.test.ts checks that list against package.json.
import type * as vscode from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient";
import type { Platform } from "../platform";
import type { PreviewManager } from "../preview/panel";

/** What a command may use: the extension, its log, the preview, the platform and the running client. */
export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly output: vscode.LogOutputChannel;
  readonly preview: PreviewManager;
  readonly platform: Platform;
  /** the language client, once started (undefined after deactivation) */
  client(): BaseLanguageClient | undefined;
  /** redraws the status bar item (after a restart) */
  refreshStatus(): void;
}

export interface Command {
  readonly id: `quorate.${string}`;
  readonly run: (ctx: CommandContext, ...args: never[]) => unknown;
}

/** Declares a command; the arguments are what `executeCommand(id, …)` passes (tests and menus). */
export function command<A extends unknown[]>(id: `quorate.${string}`, run: (ctx: CommandContext, ...args: A) => unknown): Command {
  return { id, run: run as unknown as Command["run"] };
}
