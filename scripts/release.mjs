// npm run release -- X.Y.Z: prepares a release commit in the working tree.
//   - package.json and package-lock.json get version X.Y.Z;
//   - CHANGELOG.md's "## Unreleased" entries become "## X.Y.Z — YYYY-MM-DD" under a fresh, empty
//     "## Unreleased";
//   - the README's pinned references (`rev: vA.B.C`, `quorate/quorate@vA.B.C`, `--ref vA.B.C`)
//     name vX.Y.Z;
//   - dist/cli.js, the committed bundle pre-commit and the GitHub Action run, is rebuilt (it
//     carries the version).
// It commits and tags nothing: it prints the two git commands that do. Only main is published
// from this repository, so the tag goes on a commit of main.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const dateAt = args.indexOf("--date");
const date = dateAt >= 0 ? args.splice(dateAt, 2)[1] : new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? "")) fail(`--date takes YYYY-MM-DD, not '${date}'`);
const [version, ...extra] = args;
if (!version || extra.length) fail("usage: npm run release -- X.Y.Z [--date YYYY-MM-DD]");
const m = SEMVER.exec(version);
if (!m) fail(`'${version}' is not a version X.Y.Z (no leading 'v', no pre-release suffix)`);

const read = (f) => readFileSync(join(ROOT, f), "utf8");
const pkg = JSON.parse(read("package.json"));
const current = SEMVER.exec(pkg.version);
const newer = current && [1, 2, 3].map((i) => Number(m[i]) - Number(current[i])).find((d) => d !== 0) > 0;
if (!newer) fail(`${version} is not newer than the current version ${pkg.version}`);

const changelog = read("CHANGELOG.md");
const unreleased = /^## Unreleased\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog);
if (!unreleased) fail("CHANGELOG.md has no '## Unreleased' section to release");
if (!unreleased[1].trim()) fail("CHANGELOG.md's '## Unreleased' section is empty: write what this release changes first");
if (new RegExp(`^## ${version.replace(/\./g, "\\.")}\\b`, "m").test(changelog)) fail(`CHANGELOG.md already has a ${version} entry`);

// every change is computed before anything is written: a refusal leaves the tree untouched
const lock = JSON.parse(read("package-lock.json"));
lock.version = version;
if (lock.packages?.[""]) lock.packages[""].version = version;
pkg.version = version;
const nextChangelog = changelog.replace(unreleased[0], `## Unreleased\n\n## ${version} — ${date}\n${unreleased[1]}`);
const readme = read("README.md")
  .replace(/(\brev: )v\d+\.\d+\.\d+\b/g, `$1v${version}`)
  .replace(/(quorate\/quorate@)v\d+\.\d+\.\d+\b/g, `$1v${version}`)
  // the try-repo command: pre-commit's --ref names the same tag
  .replace(/(--ref )v\d+\.\d+\.\d+\b/g, `$1v${version}`);

writeFileSync(join(ROOT, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(join(ROOT, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
writeFileSync(join(ROOT, "CHANGELOG.md"), nextChangelog);
writeFileSync(join(ROOT, "README.md"), readme);

const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--cli"], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) fail("rebuilding dist/cli.js failed (see above)");
const check = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), "--version"], { cwd: ROOT, encoding: "utf8" });
if (check.stdout.trim() !== version) fail(`dist/cli.js reports '${check.stdout.trim()}', not ${version}`);

console.log(`release: ${version} prepared (package.json, package-lock.json, CHANGELOG.md, README.md, dist/cli.js).
Review the diff, then on main:
  git commit -am "Release ${version}" && git tag -a v${version} -m "Quorate ${version}"`);
