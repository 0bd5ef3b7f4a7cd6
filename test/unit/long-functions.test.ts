// #19: no function over 80 lines without a reason in its comment. scripts/long-functions.mjs
// (the TypeScript compiler's parser) lists every function in server/src and client/src longer
// than that which has no `// long: <reason>` line comment directly above it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "long-functions.mjs");
const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: "utf8" });

test("no function in server/src or client/src is over 80 lines without a `// long:` reason", () => {
  const r = check();
  assert.equal(r.status, 0, `split these, or say why not in a "// long: <reason>" comment above each:\n${r.stdout}${r.stderr}`);
});

test("the check finds a long function, names it, and accepts one with a reason", () => {
  const root = mkdtempSync(join(tmpdir(), "quorate-long-"));
  try {
    mkdirSync(join(root, "server", "src"), { recursive: true });
    const body = Array.from({ length: 85 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const file = join(root, "server", "src", "x.ts");
    const short = "export function short(): number {\n  return 1;\n}\n";
    writeFileSync(file, `${short}export function tooLong(): void {\n${body}\n}\nexport const arrow = () => {\n${body}\n};\n`);
    const r = check("--root", root);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /server\/src\/x\.ts:4 {2}tooLong {2}87 lines/);
    assert.match(r.stdout, /arrow {2}87 lines/);
    assert.doesNotMatch(r.stdout, /short/);
    // a reason directly above each (the function, or the declaration holding the arrow): accepted
    writeFileSync(
      file,
      `// long: one table of cases, read top to bottom\nexport function tooLong(): void {\n${body}\n}\n/** doc */\n// long: generated steps\nexport const arrow = () => {\n${body}\n};\n`,
    );
    assert.equal(check("--root", root).status, 0);
    // an empty reason is no reason
    writeFileSync(file, `// long:\nexport function tooLong(): void {\n${body}\n}\n`);
    assert.equal(check("--root", root).status, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
