// The bound of what the CLI and the language server read (audit A4): a symbolic link a named path
// is or goes through, and a deployment entry, stay inside the working folder's repository (with
// --root DIR, a named path too); never the home folder kept in git nor another user's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { boundFileSource, cliBound, forgetBoundFiles, repositoryOf } from "../../server/src/deployments";
import { runCli } from "../helpers";

const EXAMPLES = resolve(__dirname, "..", "..", "..", "examples");
const DESIGN = join(EXAMPLES, "payments-eu-reviewed.topology.yaml");
/** A design whose cluster binds `entry` as its Cilium values. */
const binding = (entry: string) =>
  `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: b\nsites:\n  - name: fra\nclusters:\n  - name: fra-1\n    site: fra\n    mesh: clustermesh\n    deployment: [${entry}]\n    cilium:\n      clusterId: 1\n`;
const VALUES = "cluster:\n  name: fra-1\n  id: 7\n";

/** `fn` in a fresh folder: `out/` (a design and values), and `repo/` (a git repository) holding `repo/sub/`. */
function world(fn: (w: { top: string; repo: string; out: string }) => void): void {
  const top = realpathSync(mkdtempSync(join(tmpdir(), "quorate-bound-")));
  try {
    const repo = join(top, "repo");
    const out = join(top, "out");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "sub"), { recursive: true });
    mkdirSync(out);
    cpSync(DESIGN, join(out, "x.topology.yaml"));
    cpSync(DESIGN, join(repo, "sub", "in.topology.yaml"));
    writeFileSync(join(out, "values.yaml"), VALUES);
    fn({ top, repo, out });
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

const OUTSIDE = "not read (quorate reads only inside it; --root DIR sets another bound)";

test("every command that reads a topology refuses a symbolic link out of the working folder's repository, and with --root any path outside, exit 2, saying how", () =>
  world(({ repo, out }) => {
    const cwd = join(repo, "sub");
    symlinkSync(join(out, "x.topology.yaml"), join(repo, "abs.topology.yaml"));
    symlinkSync("../out/x.topology.yaml", join(repo, "rel.topology.yaml"));
    symlinkSync("../out", join(repo, "linked"));
    const runs: string[][] = [
      ["check"],
      ["report"],
      ["ports"],
      ["simulate", "--lose", "fra"],
      ["availability"],
      ["diagram"],
      ["gameday", "--lose", "fra", "--format", "md"],
      ["diff", "in.topology.yaml"],
    ];
    for (const argv of runs) {
      for (const [path, how] of [
        ["../rel.topology.yaml", "is a symbolic link to `../out/x.topology.yaml`, which leads outside the repository"],
        ["../linked/x.topology.yaml", "goes through linked, a symbolic link to `../out`, which leads outside the repository"],
      ]) {
        const r = runCli([...argv, path], cwd);
        assert.equal(r.code, 2, `${argv[0]}: ${r.stderr}`);
        assert.equal(r.stdout, "", argv[0]);
        assert.equal(r.stderr, `quorate: ${path} ${how} (${repo}): ${OUTSIDE}\n`, argv[0]);
      }
      // with --root, a path outside DIR as written too
      const strict = runCli([...argv, "--root", "..", "../../out/x.topology.yaml"], cwd);
      assert.equal(strict.stderr, `quorate: ../../out/x.topology.yaml is outside the --root folder (${repo}): ${OUTSIDE}\n`, argv[0]);
      assert.equal(strict.code, 2);
    }
    // a path outside as written is the user's word (the CLI contract: check PATH), read as named
    const named = runCli(["check", "../../out/x.topology.yaml"], cwd);
    assert.equal(named.stderr, "");
    assert.match(named.stdout, /in 1 file/);
    assert.equal(runCli(["check", join(out, "x.topology.yaml")], cwd).code, 0);
    // a link by its text as the repository holds it, never where it lands; a folder named that is a link
    assert.match(runCli(["report", "../abs.topology.yaml"], cwd).stderr, /is a symbolic link to an absolute path, which leads outside/);
    assert.match(
      runCli(["check", "../linked"], cwd).stderr,
      /^quorate: \.\.\/linked is a symbolic link to `\.\.\/out`, which leads outside/,
    );
    // a link outside the repository that leads into it reads what is inside
    symlinkSync(join(repo, "sub", "in.topology.yaml"), join(out, "back.topology.yaml"));
    assert.equal(runCli(["check", "../../out/back.topology.yaml"], cwd).stderr, "");
    // inside the repository, above the working folder, it is read
    cpSync(DESIGN, join(repo, "above.topology.yaml"));
    const inside = runCli(["check", "in.topology.yaml", "../above.topology.yaml"], cwd);
    assert.equal(inside.stderr, "");
    assert.match(inside.stdout, /in 2 files/);
    // --root widens it (relative to the working folder), and its bad values are usage errors
    const widened = runCli(["check", "--root", "../..", "../rel.topology.yaml"], cwd);
    assert.equal(widened.stderr, "");
    assert.match(widened.stdout, /in 1 file/);
    const report = runCli(["report", "--root=../..", "../linked/x.topology.yaml"], cwd);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(
      runCli(["check", "--root", "nowhere", "in.topology.yaml"], cwd).stderr,
      "quorate: --root nowhere: no such file or folder\n",
    );
    assert.equal(
      runCli(["check", "--root", "in.topology.yaml", "in.topology.yaml"], cwd).stderr,
      "quorate: --root takes a folder, and in.topology.yaml is not one\n",
    );
    // a symbolic link never sets the bound: a commit's file `--root=x.topology.yaml` beside a link
    // x.topology.yaml → / reaches the pre-commit hook as that option
    symlinkSync("/", join(cwd, "x.topology.yaml"));
    assert.equal(
      runCli(["check", "--root=x.topology.yaml", "in.topology.yaml"], cwd).stderr,
      "quorate: --root x.topology.yaml is a symbolic link: name the folder it leads to (a link in a repository never sets the bound)\n",
    );
    // --root narrows too: the repository's other folders are then outside
    assert.match(runCli(["check", "--root", ".", "../above.topology.yaml"], cwd).stderr, /is outside the --root folder \(/);
    // standard input is what was piped, not a path: no bound
    assert.equal(runCli(["check", "-"], cwd, readFileSync(join(out, "x.topology.yaml"), "utf8")).code, 0);
  }));

test("deployment entries stay inside the tighter of the CLI's bound and the design's repository; --root is the user's word", () =>
  world(({ top, repo }) => {
    writeFileSync(join(repo, "sub", "b.topology.yaml"), binding("../../out/values.yaml"));
    const cwd = join(repo, "sub");
    const refused = (argv: string[], from = cwd) => {
      const r = runCli(["check", "--format", "json", ...argv], from);
      return JSON.parse(r.stdout).filter((f: { code: string }) => f.code === "drift/outside-repository");
    };
    const msg = refused(["b.topology.yaml"]).map((f: { message: string }) => f.message);
    assert.deepEqual(msg, ["`../../out/values.yaml` leads outside the repository: it is not read"]);
    // a nested repository (a submodule) is tighter than the working folder's
    mkdirSync(join(repo, "sub", ".git"));
    writeFileSync(join(repo, "up.yaml"), VALUES);
    writeFileSync(join(repo, "sub", "c.topology.yaml"), binding("../up.yaml"));
    forgetBoundFiles(); // a repository found is kept for a few seconds
    assert.equal(refused(["sub/c.topology.yaml"], repo).length, 1, "the submodule bounds its own design");
    // --root widens: the entry is read (and compared: no refusal)
    assert.deepEqual(refused(["--root", top, "b.topology.yaml"]), []);
    assert.deepEqual(refused(["--root", top, "c.topology.yaml"]), []);
    // report and ports read the same way
    assert.match(
      runCli(["report", "b.topology.yaml"], cwd).stdout,
      /`\.\.\/\.\.\/out\/values\.yaml` leads outside the repository: it is not read/,
    );
    const ports = runCli(["ports", "b.topology.yaml"], cwd);
    assert.equal(ports.code, 0);
    assert.equal(
      ports.stderr,
      "quorate: cluster fra-1: `../../out/values.yaml` leads outside the repository: it is not read (its ports are the design's)\n",
    );
    assert.equal(runCli(["ports", "--root", top, "b.topology.yaml"], cwd).stderr, "");
  }));

test("a repository at the home folder, or owned by another user, does not bound: the working folder does", () =>
  world(({ top, repo }) => {
    const home = process.env.HOME;
    const work = join(repo, "work");
    mkdirSync(work);
    writeFileSync(join(repo, "secret.yaml"), VALUES);
    writeFileSync(join(work, "b.topology.yaml"), binding("../secret.yaml"));
    cpSync(DESIGN, join(repo, "above.topology.yaml"));
    try {
      // a home folder kept in git (dotfiles): ~/.kube, ~/.ssh would be inside "the repository"
      process.env.HOME = repo;
      assert.equal(repositoryOf(work), undefined);
      assert.deepEqual(cliBound(work), { path: work, kind: "cwd" });
      const r = runCli(["check", "--format", "json", "b.topology.yaml"], work);
      assert.deepEqual(
        JSON.parse(r.stdout)
          .filter((f: { code: string }) => f.code === "drift/outside-repository")
          .map((f: { message: string }) => f.message),
        ["`../secret.yaml` leads outside the working folder: it is not read"],
      );
      symlinkSync("../above.topology.yaml", join(work, "up.topology.yaml"));
      assert.equal(
        runCli(["check", "up.topology.yaml"], work).stderr,
        `quorate: up.topology.yaml is a symbolic link to \`../above.topology.yaml\`, which leads outside the working folder (${work}): ${OUTSIDE}\n`,
      );
      process.env.HOME = top;
      assert.deepEqual(cliBound(work), { path: repo, kind: "repository" }, "any other repository bounds");
      assert.equal(runCli(["check", "up.topology.yaml"], work).code, 0);
    } finally {
      process.env.HOME = home;
    }
    // another user's repository (git distrusts it too): only where this test may give it away
    if (process.getuid?.() === 0) {
      chownSync(repo, 65534, 65534);
      forgetBoundFiles();
      assert.equal(repositoryOf(work), undefined);
      assert.deepEqual(cliBound(work), { path: work, kind: "cwd" });
      chownSync(repo, 0, 0);
      assert.equal(repositoryOf(work), repo);
    }
  }));

test("the language server's bound is the tighter of the workspace folder and the design's repository", () =>
  world(({ top, repo }) => {
    writeFileSync(join(repo, "sub", "b.topology.yaml"), binding("../../out/values.yaml"));
    // a workspace folder above several repositories: the design's repository bounds
    const wide = boundFileSource({ roots: () => [top] }).match(join(repo, "sub", "b.topology.yaml"), "../../out/values.yaml");
    assert.deepEqual(wide.paths, []);
    assert.equal(wide.refused?.[0].message, "`../../out/values.yaml` leads outside the repository: it is not read");
    // a workspace folder inside the repository bounds
    writeFileSync(join(repo, "up.yaml"), VALUES);
    const narrow = boundFileSource({ roots: () => [join(repo, "sub")] }).match(join(repo, "sub", "b.topology.yaml"), "../up.yaml");
    assert.equal(narrow.refused?.[0].message, "`../up.yaml` leads outside the workspace folder: it is not read");
    // no repository: the workspace folder
    rmSync(join(repo, ".git"), { recursive: true });
    forgetBoundFiles();
    const none = boundFileSource({ roots: () => [top] }).match(join(repo, "sub", "b.topology.yaml"), "../../out/values.yaml");
    assert.equal(none.paths.length, 1, JSON.stringify(none));
  }));
