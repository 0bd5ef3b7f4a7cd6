import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

// The walkthrough's pictures are screenshots of the real VS Code (scripts/walkthrough-media.mjs),
// which records beside them the product's words each one shows (media/walkthrough/shots.json)
// after checking that the workbench shows exactly those. Here the words are computed again from
// the language service and dist/cli.js: a changed hover, fix title, finding, simulate line or
// record heading shows here, with the command that takes the pictures again.
const ROOT = join(__dirname, "..", "..", "..");

test("the walkthrough's pictures show the words the product prints now", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "walkthrough-media.mjs"), "--check"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});
