// Quorate: Show Output — the extension's log (the language server's messages and traces).
import { command } from "./command";

export const showOutput = command("quorate.showOutput", (ctx) => ctx.output.show(true));
