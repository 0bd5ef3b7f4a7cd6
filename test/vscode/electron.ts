// `npm run test:electron`: the same extension-host suite in a VS Code that
// @vscode/test-electron downloads (for machines that can reach update.code.visualstudio.com).
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runTests } from "@vscode/test-electron";

async function main(): Promise<void> {
  const root = resolve(__dirname, "..", "..", "..");
  const workspace = mkdtempSync(join(tmpdir(), "quorate-electron-"));
  cpSync(join(root, "examples"), workspace, { recursive: true });
  await runTests({
    version: "1.91.0",
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, "out", "test", "vscode", "suite", "index.js"),
    launchArgs: [workspace, "--disable-extensions", "--skip-welcome", "--skip-release-notes"],
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
