// What the entry (extension.ts on the desktop, browser.ts on the web) tells the shared activation:
// how to start the language client and what the platform offers.
import type { BaseLanguageClient, LanguageClientOptions } from "vscode-languageclient";
import type * as Output from "../../server/src/output";

/** What the platform offers: "desktop" (Node) writes game days with the guarded folder writer `output`; "web" has neither. */
export type Platform = { readonly kind: "desktop"; readonly output: typeof Output } | { readonly kind: "web" };

/** How an entry starts its language client with the options both entries share. */
export type ClientFactory = (options: LanguageClientOptions) => BaseLanguageClient;

/** What a user reads when a command needs what VS Code for the Web does not have. */
export function unavailableOnTheWeb(what: string, instead: string): string {
  return `Quorate: ${what} is not available in VS Code for the Web: it needs a file system and Node, which a browser does not give an extension. ${instead}`;
}
