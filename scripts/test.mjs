// Runs every compiled test file with node's test runner (spec reporter: its closing lines
// are the summary CI reads). Tests are compiled by `tsc -b` into out/ first (npm pretest).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith(".test.js") ? [p] : [];
  });
}

const filter = process.argv.slice(2);
// out/test/vscode runs inside VS Code (npm run test:vscode), not under node --test
const files = find("out/test").filter((f) => !f.includes("/vscode/") && (!filter.length || filter.some((x) => f.includes(x)))).sort();
const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
