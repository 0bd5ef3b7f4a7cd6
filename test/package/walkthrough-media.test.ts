import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

// The walkthrough's Simulate and decision-record pictures are drawn from the real outputs of the
// packaged example (scripts/walkthrough-media.mjs): a changed sentence or number shows here.
const ROOT = join(__dirname, "..", "..", "..");

test("the walkthrough's Simulate and record pictures say what dist/cli.js says about the example", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "walkthrough-media.mjs"), "--check"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});
