// Quorate: Restart Language Server.
import { command } from "./command";

export const restartServer = command("quorate.restartServer", async (ctx) => {
  ctx.output.info("restarting the language server");
  const client = ctx.client();
  await client?.stop();
  await client?.start();
  ctx.refreshStatus();
  return true;
});
