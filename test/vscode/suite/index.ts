// Entry point loaded by VS Code's extension host (extensionTestsPath): runs the mocha suite and
// rejects on failures, which the host turns into exit code 1 (same contract for
// @vscode/test-electron and for the VS Code server driven from Chromium).
import Mocha from "mocha";
import { join } from "node:path";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 60_000, reporter: "spec" });
  mocha.addFile(join(__dirname, "extension.test.js"));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
