// npm test: node's test runner over the compiled unit and protocol tests (built by `npm
// pretest`), then the suite inside a real VS Code (scripts/vscode-host.mjs), then one closing
// line with the totals. `node scripts/test.mjs lsp cidr` runs only matching node test files.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith(".test.js") ? [p] : [];
  });
}

const filter = process.argv.slice(2);
// out/test/vscode runs inside VS Code, not under node --test
const files = find("out/test")
  .filter((f) => !f.includes("/vscode/") && (!filter.length || filter.some((x) => f.includes(x))))
  .sort();
const tap = join("out", "node-tests.tap");
// one file at a time: the packaging test rebuilds dist/ (npm pack's prepack) under the others
const node = spawnSync(
  process.execPath,
  [
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {
    stdio: "inherit",
  },
);
const counts = readFileSync(tap, "utf8");
let passed = Number(/^# pass (\d+)/m.exec(counts)?.[1] ?? 0);
let failed = Number(/^# fail (\d+)/m.exec(counts)?.[1] ?? 0) + (node.status && !/^# fail [1-9]/m.test(counts) ? 1 : 0);

if (!filter.length && process.env.QUORATE_SKIP_VSCODE !== "1") {
  console.log("\nVS Code suite (the extension in a real VS Code, driven from Chromium):");
  const vs = spawnSync(process.execPath, ["scripts/vscode-host.mjs", "test"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  process.stdout.write(vs.stdout);
  const m = [...vs.stdout.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  } else if (vs.status !== 0) failed++;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
