// The client's commands are one module each under client/src/commands, listed in its index: a
// command contributed in package.json but not registered (or registered but not contributed)
// fails here, without a VS Code host. (These modules import vscode, so the test reads their text.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const DIR = join(ROOT, "client", "src", "commands");
const HELPERS = new Set(["index.ts", "command.ts", "documents.ts"]);

test("every contributed command is one module under client/src/commands, registered by its index", () => {
  const contributed = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).contributes.commands as { command: string }[])
    .map((c) => c.command)
    .sort();
  const index = readFileSync(join(DIR, "index.ts"), "utf8");
  const declared: string[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".ts") && !HELPERS.has(f))) {
    const text = readFileSync(join(DIR, file), "utf8");
    const found = [...text.matchAll(/export const (\w+) = command\("(quorate\.[\w.]+)"/g)];
    assert.equal(found.length, 1, `${file} declares exactly one command`);
    const [, name, id] = found[0];
    assert.equal(`quorate.${file.replace(/\.ts$/, "")}`, id, `${file} is named for its command`);
    assert.match(index, new RegExp(`import \\{ ${name} \\} from "\\./${file.replace(/\.ts$/, "")}"`), `index.ts imports ${file}`);
    assert.match(index, new RegExp(`^  ${name},$`, "m"), `index.ts lists ${name} in COMMANDS`);
    declared.push(id);
  }
  assert.deepEqual(declared.sort(), contributed);
  assert.ok(contributed.length >= 9, "the scan found the contributed commands");
});
