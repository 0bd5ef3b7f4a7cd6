import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

// ../shared exists on the developers' machines and in CI, not on a user's machine.
const root = join(__dirname, "..", "..", "..");
const checker = join(root, "..", "shared", "conformance", "check.mjs");
const present = existsSync(checker);
if (!present) console.log(`# conformance: ${checker} is absent (no ../shared beside the checkout); skipping the shared corpus`);

for (const corpus of ["cases", "meshes", "drift"]) {
  test(`shared conformance corpus: ${corpus}`, { skip: !present && "../shared is absent" }, () => {
    const r = spawnSync(
      process.execPath,
      [checker, "--cli", `${process.execPath} ${join(root, "dist", "cli.js")}`, join(root, "..", "shared", "conformance", corpus)],
      {
        encoding: "utf8",
        cwd: root,
      },
    );
    process.stdout.write(
      r.stdout
        .split("\n")
        .filter((l) => !l.startsWith("ok "))
        .map((l) => (l ? `# ${l}\n` : ""))
        .join(""),
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\d+ passed, 0 failed/);
  });
}
