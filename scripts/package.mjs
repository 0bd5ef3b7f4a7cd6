// npm run package: a release build, then quorate.vsix from an allow-list.
//
// The npm package (`quorate`, `quorate-language-server`) is described by package.json `files`;
// the extension by .vscodeignore. vsce refuses a folder that has both, so the extension is
// packaged from a staging folder holding exactly the files .vscodeignore lets through, with a
// package.json that keeps the extension manifest and drops what only npm reads.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STAGE = join(ROOT, "out", "vsix-stage");
const OUT = resolve(ROOT, process.argv[2] ?? "quorate.vsix");

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`package: ${[cmd, ...args].map((a) => relative(ROOT, a) || a).join(" ")} exited ${r.status}`);
    process.exit(1);
  }
}

/** The files an allow-list pattern (`path`, `dir/*.ext`) names, relative to ROOT. */
function expand(pattern) {
  const star = pattern.lastIndexOf("*");
  if (star < 0) return existsSync(join(ROOT, pattern)) ? [pattern] : [];
  const dir = pattern.slice(0, pattern.lastIndexOf("/", star) + 1);
  const [pre, post] = pattern.slice(dir.length).split("*");
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.startsWith(pre) && f.endsWith(post) && statSync(join(ROOT, dir, f)).isFile())
    .map((f) => dir + f);
}

const allow = readFileSync(join(ROOT, ".vscodeignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l.startsWith("!"))
  .map((l) => l.slice(1));
rmSync(STAGE, { recursive: true, force: true });
// the release build goes straight into the stage: the working tree's dist/ stays as it is
run(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--production", "--out", join(STAGE, "dist")], ROOT);
const missing = [];
for (const pattern of allow) {
  if (pattern.startsWith("dist/")) {
    if (!existsSync(join(STAGE, pattern))) missing.push(pattern);
    continue;
  }
  const files = expand(pattern);
  if (!files.length && pattern !== "package.json") missing.push(pattern);
  for (const f of files) {
    mkdirSync(dirname(join(STAGE, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(STAGE, f));
  }
}
if (missing.length) {
  console.error(`package: .vscodeignore allows files that do not exist: ${missing.join(", ")}`);
  process.exit(1);
}
copyFileSync(join(ROOT, ".vscodeignore"), join(STAGE, ".vscodeignore"));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
// npm's list, npm's scripts (the build already ran) and the dev tools are not the extension's
delete pkg.files;
delete pkg.scripts;
delete pkg.devDependencies;
writeFileSync(join(STAGE, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);

rmSync(OUT, { force: true });
run(process.execPath, [join(ROOT, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies", "--out", OUT], STAGE);
console.log(`package: ${relative(process.cwd(), OUT)} (${(statSync(OUT).size / 1024 / 1024).toFixed(2)} MB)`);
