import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// dist/cli.js is committed: pre-commit (language: script) and the GitHub Action run it as
// checked out, with no install and no build. It must be, byte for byte, the build of the source.
const ROOT = join(__dirname, "..", "..", "..");
const FIX = "npm run bundle && git add dist/cli.js";

const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "buffer", maxBuffer: 64 * 1024 * 1024 });

test("the committed dist/cli.js is the build of this source (else: npm run bundle && git add dist/cli.js)", (t) => {
  if (git("rev-parse", "--is-inside-work-tree").status !== 0) {
    const reason = "not a git checkout (an npm package?): there is no committed bundle to compare";
    console.log(`# skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const staged = git("ls-files", "-s", "--", "dist/cli.js").stdout.toString().trim();
  assert.ok(staged, `dist/cli.js is not committed; pre-commit and the Action run it. Run: ${FIX}`);
  assert.match(
    staged,
    /^100755 /,
    `dist/cli.js must be committed executable (pre-commit runs it directly). Run: git update-index --chmod=+x dist/cli.js`,
  );

  const dir = mkdtempSync(join(tmpdir(), "quorate-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--cli", "--out", dir], { cwd: ROOT, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  const fresh = readFileSync(join(dir, "cli.js"));
  const committed = git("show", ":dist/cli.js").stdout;
  assert.ok(
    fresh.equals(committed),
    `dist/cli.js is stale: the committed bundle (${committed.length} bytes) is not the build of server/src (${fresh.length} bytes). Run: ${FIX}`,
  );
  assert.match(fresh.toString("utf8", 0, 200), /^#!\/usr\/bin\/env node\n\/\/ quorate CLI, bundled by `npm run bundle`/);
});

test("the bundle runs on its own: no node_modules beside it, the version of package.json", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-bundle-alone-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--cli", "--out", dir], { cwd: ROOT, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  // run from a folder with no node_modules anywhere above it, as pre-commit's clone runs it
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(dir, "cli.js"), ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } });
  assert.equal(run("--version").stdout, `${pkg.version}\n`);
  const check = run("check", join(ROOT, "examples", "payments-eu.topology.yaml"));
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stdout, /quorum\/two-site-split/);
});
