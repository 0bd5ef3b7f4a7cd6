import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HEADER, LEDGER_221 } from "../helpers";

// `npm run release -- X.Y.Z` on a copy of this repository, and pre-commit's own `try-repo`
// against that release, as a user's pre-commit would fetch it: a git clone, no node_modules.
const ROOT = join(__dirname, "..", "..", "..");
const VERSION = "9.9.9";
const DATE = "2099-01-31";

const gitIn =
  (cwd: string) =>
  (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], {
      cwd,
      encoding: "utf8",
      stdio: "pipe",
    });

/** This checkout's files (tracked, and new ones not ignored) copied to a fresh folder that uses our node_modules. */
function copyOfRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), "quorate-release-"));
  const files = gitIn(ROOT)("ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0").filter(Boolean);
  for (const f of files) {
    if (f === "node_modules" || f === ".quorate-host" || f.startsWith("dist/")) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(ROOT, f), join(dir, f));
    } catch {
      /* deleted in the working tree but not yet in the index */
    }
  }
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
  seedUnreleased(dir);
  return dir;
}

/**
 * The copy's CHANGELOG gets an "## Unreleased" entry of its own to release from: the tests must
 * not depend on whether this repository has unreleased changes (right after a release it has none).
 */
function seedUnreleased(dir: string): void {
  const path = join(dir, "CHANGELOG.md");
  const changelog = readFileSync(path, "utf8");
  const entry = "## Unreleased\n\n- A test release's entry, seeded by test/package/release.test.ts.\n\n";
  const section = /^## Unreleased\n[\s\S]*?(?=^## )/m;
  const seeded = section.test(changelog) ? changelog.replace(section, entry) : changelog.replace(/^## /m, `${entry}## `);
  assert.ok(seeded.includes(entry), "CHANGELOG.md has a '## ' heading to seed an entry before");
  writeFileSync(path, seeded);
}

function release(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(dir, "scripts", "release.mjs"), ...args], { cwd: dir, encoding: "utf8" });
}

/** A release of this repository at VERSION, committed and tagged vVERSION in its own git repository. */
function releaseRepository(): string {
  const dir = copyOfRepository();
  const r = release(dir, VERSION, "--date", DATE);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const git = gitIn(dir);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("add", "-f", "dist/cli.js"); // committed even where .gitignore still lists dist/
  git("commit", "-qm", `Release ${VERSION}`);
  git("tag", "-a", `v${VERSION}`, "-m", `Quorate ${VERSION}`);
  return dir;
}

test("npm run release -- X.Y.Z: versions, the CHANGELOG entry, the README's pins and the bundle", (t) => {
  const dir = copyOfRepository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const before = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
  const entries = /^## Unreleased\n([\s\S]*?)^## /m.exec(before)?.[1] ?? "";
  assert.match(entries, /A test release's entry/);

  const r = release(dir, VERSION, "--date", DATE);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`git commit -am "Release ${VERSION}" && git tag -a v${VERSION}`));
  assert.equal(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version, VERSION);
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  assert.equal(lock.version, VERSION);
  assert.equal(lock.packages[""].version, VERSION);
  const changelog = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
  assert.ok(changelog.includes(`## Unreleased\n\n## ${VERSION} — ${DATE}\n${entries}## `), changelog.slice(0, 400));
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  assert.ok(readme.includes(`rev: v${VERSION}`));
  assert.ok(readme.includes(`quorate/quorate@v${VERSION}`));
  assert.ok(readme.includes(`--ref v${VERSION}`));
  assert.doesNotMatch(readme, /rev: v(?!9\.9\.9)\d+\.\d+\.\d+|quorate\/quorate@v(?!9\.9\.9)\d|--ref v(?!9\.9\.9)\d/);
  const cli = spawnSync(process.execPath, [join(dir, "dist", "cli.js"), "--version"], { encoding: "utf8" });
  assert.equal(cli.stdout, `${VERSION}\n`);

  // refusals change nothing
  const snapshot = () => ["package.json", "package-lock.json", "CHANGELOG.md", "README.md"].map((f) => readFileSync(join(dir, f), "utf8"));
  const was = snapshot();
  for (const [args, message] of [
    [[VERSION], /is not newer than the current version 9\.9\.9/],
    [["9.9.8"], /is not newer/],
    [["v10.0.0"], /is not a version X\.Y\.Z/],
    [["10.0.0-rc.1"], /is not a version X\.Y\.Z/],
    [["10.0.0"], /'## Unreleased' section is empty/],
    [[], /usage: npm run release -- X\.Y\.Z/],
    [["10.0.0", "--date", "tomorrow"], /--date takes YYYY-MM-DD/],
  ] as [string[], RegExp][]) {
    const bad = release(dir, ...args);
    assert.equal(bad.status, 2, args.join(" "));
    assert.match(bad.stderr, message, args.join(" "));
  }
  assert.deepEqual(snapshot(), was);
});

test("the README pins the Action and the hook to this version's tag", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const revs = [...readme.matchAll(/\brev: (\S+)/g)].map((m) => m[1]);
  assert.ok(revs.length >= 1);
  for (const rev of revs) assert.equal(rev, `v${pkg.version}`, "pre-commit's rev: a release tag, never a branch");
  assert.ok(readme.includes(`--ref v${pkg.version}`));
});

test("pre-commit try-repo against a release build: the hook runs the committed bundle, no install", (t) => {
  const which = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
  if (which.error || which.status !== 0) {
    const reason = "pre-commit is not installed here (pip install pre-commit, or apt-get install pre-commit; .ci/run installs it)";
    console.log(`# skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const repo = releaseRepository();
  const scratch = mkdtempSync(join(tmpdir(), "quorate-precommit-"));
  const home = mkdtempSync(join(tmpdir(), "quorate-precommit-home-"));
  t.after(() => {
    for (const d of [repo, scratch, home]) rmSync(d, { recursive: true, force: true });
  });
  const git = gitIn(scratch);
  git("init", "-q", "-b", "main");
  const good = HEADER + LEDGER_221;
  writeFileSync(join(scratch, "good.topology.yaml"), good);
  writeFileSync(join(scratch, "bad.topology.yml"), good.replace("{ fra: 2, lon: 2, ams: 1 }", "{ fra: 3, lon: 2 }"));
  writeFileSync(join(scratch, "values.yaml"), "replicas: [unclosed\n");
  git("add", "-A");
  // only what pre-commit needs: no npm, no node_modules anywhere near the hook
  const env = { PATH: process.env.PATH ?? "", HOME: home, PRE_COMMIT_HOME: join(home, "cache"), LANG: "C.UTF-8" };
  const tryRepo = () =>
    spawnSync("pre-commit", ["try-repo", repo, "quorate-check", "--ref", `v${VERSION}`, "--all-files"], {
      cwd: scratch,
      encoding: "utf8",
      env,
    });
  const failing = tryRepo();
  assert.equal(failing.status, 1, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /quorate check\.+Failed/);
  assert.match(failing.stdout, /bad\.topology\.yml:\d+:\d+: error quorum\/two-site-split/);
  assert.doesNotMatch(failing.stdout, /values\.yaml|not found/);

  git("rm", "-q", "--cached", "bad.topology.yml");
  rmSync(join(scratch, "bad.topology.yml"));
  const passing = tryRepo();
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /quorate check\.+Passed/);
});
