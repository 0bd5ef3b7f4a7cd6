// Findings 3, 4, 6, 7, 8 and 13 of the third hardening round at their boundary: a cloned
// repository's deployment bindings and git configuration, on the real file system.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { boundFileSource, braceExpansions, globCost, MAX_MATCHES, MAX_PATTERNS, readBounded, rootOf } from "../../server/src/deployments";
import { GIT_ENV, GIT_HARDENED } from "../../server/src/git";
import { HEADER, inTempDir, runCli } from "../helpers";

const SECRET = "TOKEN=hunter2";

/** A repository (a `.git` folder) whose topology in `design/` binds `entries` to cluster `a`. */
const topology = (entries: string[]) => `${HEADER}sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - name: a
    site: fra
    network: { pods: 10.10.0.0/16 }
    deployment:
${entries.map((e) => `      - ${JSON.stringify(e)}`).join("\n")}
  - name: b
    site: lon
    network: { pods: 10.20.0.0/16 }
`;

/** outside/secret.env beside repo/ (holding .git, design/, deploy/): the traps of the issue. */
function hostileRepo(dir: string, entries: string[]): void {
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "outside", "secret.env"), `cluster-cidr: ${SECRET}\n`);
  writeFileSync(join(dir, "outside", "values.yaml"), `cluster-cidr: ${SECRET}\n`);
  for (const d of ["repo/.git", "repo/design", "repo/deploy"]) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "repo", "deploy", "ok.yaml"), "cluster-cidr: 10.10.0.0/16\n");
  symlinkSync(join(dir, "outside", "secret.env"), join(dir, "repo", "deploy", "k3s.yaml"));
  symlinkSync(join(dir, "outside"), join(dir, "repo", "deploy", "outlink"));
  // relative links, as a repository holds them
  symlinkSync(join("..", "..", "outside", "values.yaml"), join(dir, "repo", "deploy", "rel.yaml"));
  symlinkSync(join("..", "..", "outside"), join(dir, "repo", "deploy", "rellink"));
  execFileSync("mkfifo", [join(dir, "repo", "deploy", "fifo.yaml")]);
  writeFileSync(join(dir, "repo", "design", "d.topology.yaml"), topology(entries));
}

test("braceExpansions counts as fast-glob expands, and stops past the cap", () => {
  assert.equal(braceExpansions("a.yaml"), 1);
  assert.equal(braceExpansions("{a,b}/{c,d,e}.yaml"), 6);
  assert.equal(braceExpansions("{a,{b,c}}.yaml"), 3);
  assert.equal(braceExpansions("{1..10}.yaml"), 10);
  assert.equal(braceExpansions("{a..e}"), 5);
  assert.equal(braceExpansions("\\{a,b}"), 1);
  assert.equal(braceExpansions("{a,b"), 1);
  assert.equal(braceExpansions("{a}"), 1);
  assert.equal(braceExpansions("{1..1000000}"), MAX_PATTERNS + 1);
  assert.equal(braceExpansions("{a,b,c,d,e,f,g,h}".repeat(7)), MAX_PATTERNS + 1);
});

test("globCost: extglob groups, a third star in one segment and a pattern past 256 characters are refused before any name is matched", () => {
  for (const ok of [
    "deploy/*.yaml",
    "deploy/*-*.yaml",
    "*/values-*.yaml",
    "deploy/**/values.yaml",
    "a/?????.yaml",
    "deploy/{a*,b}.yaml",
    "x".repeat(256),
  ])
    assert.equal(globCost(ok), undefined, ok);
  assert.match(globCost("deploy/*a*b*.yaml") ?? "", /^has more than 2 `\*` in one path segment \(`\*a\*b\*\.yaml`\)/);
  assert.match(globCost("deploy/{a*,b*,c*}.yaml") ?? "", /more than 2 `\*`/, "braces count every alternative's stars: conservative");
  for (const ext of ["deploy/*(a|b).yaml", "+(a).yaml", "?(a)", "@(a|b)", "!(a).yaml"])
    assert.match(globCost(ext) ?? "", /extglob group/, ext);
  assert.match(globCost("x".repeat(257)) ?? "", /^is 257 characters long, more than the 256/);
});

test("a backtracking glob against a long file name is refused at once, not matched (audit A7)", () =>
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "deploy"));
    writeFileSync(join(dir, "deploy", `${"a".repeat(40)}.yaml`), "");
    writeFileSync(join(dir, "t.topology.yaml"), "");
    const src = boundFileSource({ cwd: dir });
    // matched, each would take minutes (exponential) or seconds (polynomial) inside one regular expression test
    for (const entry of [`deploy/${"*(a|a*)".repeat(10)}b.yaml`, `deploy/${"*a".repeat(8)}*b.yaml`]) {
      const m = src.match("t.topology.yaml", entry);
      assert.deepEqual([m.paths.length, m.refused?.[0].code], [0, "drift/pattern-too-broad"], entry);
      assert.match(m.refused![0].message, /: it is not expanded \(narrow the pattern\)$/);
    }
    // two stars still bind
    assert.deepEqual(src.match("t.topology.yaml", "deploy/*a*.yaml").paths.length, 1);
  }));

test("rootOf: the workspace folder, else the git top level, else the topology's folder", () =>
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, "r", ".git"), { recursive: true });
    mkdirSync(join(dir, "r", "a", "b"), { recursive: true });
    assert.equal(rootOf(join(dir, "r", "a", "b", "t.yaml")), join(dir, "r"));
    assert.equal(rootOf(join(dir, "r", "a", "b", "t.yaml"), [join(dir, "r", "a")]), join(dir, "r", "a"));
    mkdirSync(join(dir, "plain"));
    assert.equal(rootOf(join(dir, "plain", "t.yaml")).startsWith(dir), true);
  }));

test("readBounded: a /proc file that says size 0 and never ends is cut at the bound; a FIFO is not opened for reading", () => {
  if (existsSync("/proc/self/pagemap")) {
    // endless on read: an error at once (cut at the bound, or refused by the kernel), never all of it
    const r = readBounded("/proc/self/pagemap", 1024 * 1024);
    assert.ok("error" in r, JSON.stringify(r).slice(0, 200));
  }
  if (existsSync("/proc/self/status")) {
    // says size 0 but holds text: read for real, and bounded for real
    const whole = readBounded("/proc/self/status", 1024 * 1024);
    assert.ok("text" in whole && /^Name:/.test(whole.text));
    assert.deepEqual(readBounded("/proc/self/status", 16), { error: "larger than 0 KB" });
  }
  inTempDir({}, (dir) => {
    execFileSync("mkfifo", [join(dir, "f")]);
    assert.deepEqual(readBounded(join(dir, "f"), 1024), { error: "a FIFO" });
    symlinkSync("/etc/hostname", join(dir, "l"));
    assert.deepEqual(readBounded(join(dir, "l"), 1024), { error: "ELOOP" });
  });
});

test("the bound-file reader refuses every way out of the repository, names it, and never reads it", () =>
  inTempDir({}, (dir) => {
    hostileRepo(dir, []);
    const src = boundFileSource({ cwd: join(dir, "repo") });
    const m = (p: string) => src.match("design/d.topology.yaml", p);
    const refusedOnly = (p: string, re: RegExp) => {
      const r = m(p);
      assert.deepEqual(r.paths, [], p);
      assert.equal(r.refused?.length, 1, `${p}: ${JSON.stringify(r)}`);
      assert.equal(r.refused![0].code, "drift/outside-repository", p);
      assert.match(r.refused![0].message, re, p);
    };
    // each names the way out by what is in the repository, never where it lands on this disk (audit A11)
    refusedOnly("../../outside/secret.env", /^`\.\.\/\.\.\/outside\/secret\.env` leads outside the repository: it is not read$/);
    refusedOnly("/etc/passwd", /^`\/etc\/passwd` leads outside the repository: it is not read$/);
    refusedOnly("/proc/self/environ", /outside/);
    refusedOnly("/proc/self/pagemap", /outside/);
    refusedOnly(
      "../deploy/k3s.yaml",
      /^`\.\.\/deploy\/k3s\.yaml` is a symbolic link to an absolute path, which leads outside the repository: it is not read$/,
    );
    refusedOnly(
      "../deploy/rel.yaml",
      /^`\.\.\/deploy\/rel\.yaml` is a symbolic link to `\.\.\/\.\.\/outside\/values\.yaml`, which leads outside the repository/,
    );
    refusedOnly("../deploy/fifo.yaml", /is a FIFO, not a regular file/);
    refusedOnly(
      "../deploy/outlink/*.yaml",
      /^`\.\.\/deploy\/outlink\/\*\.yaml` searches a folder that goes through deploy\/outlink, a symbolic link to an absolute path, which leads outside the repository: it is not read$/,
    );
    refusedOnly(
      "../deploy/outlink/values.yaml",
      /^`\.\.\/deploy\/outlink\/values\.yaml` goes through deploy\/outlink, a symbolic link to an absolute path, which leads outside the repository: it is not read$/,
    );
    refusedOnly(
      "../deploy/rellink/values.yaml",
      /goes through deploy\/rellink, a symbolic link to `\.\.\/\.\.\/outside`, which leads outside/,
    );
    refusedOnly("/**/*.yaml", /^`\/\*\*\/\*\.yaml` searches a folder that leads outside the repository: it is not read$/);
    refusedOnly("../deploy/*/../../../outside/*.env", /climbs out/);
    for (const e of ["../../outside/secret.env", "../deploy/k3s.yaml", "../deploy/outlink/*.yaml", "../deploy/outlink/values.yaml"])
      assert.ok(!m(e).refused![0].message.includes(dir), `${e}: no path of this disk`);
    // a glob inside the repository binds the regular files and names what it must not read
    const g = m("../deploy/*.yaml");
    assert.deepEqual(g.paths, ["deploy/ok.yaml"]);
    assert.deepEqual(g.refused?.map((r) => r.message.replace(/ .*?(FIFO|symbolic link).*/, " $1")).sort(), [
      "`../deploy/*.yaml` FIFO",
      "`../deploy/*.yaml` symbolic link",
      "`../deploy/*.yaml` symbolic link",
    ]);
    assert.deepEqual(m("../deploy/ok.yaml").paths, ["deploy/ok.yaml"]);
    assert.equal(src.read("deploy/ok.yaml"), "cluster-cidr: 10.10.0.0/16\n");
    // `..` that stays inside the repository is fine
    assert.deepEqual(m("../design/../deploy/ok.yaml").paths, ["deploy/ok.yaml"]);
    // a hidden path inside it is not: .git/config holds a checkout's token, and a parse error would quote it
    writeFileSync(join(dir, "repo", ".git", "config"), `extraheader = ${SECRET}\n`);
    writeFileSync(join(dir, "repo", "deploy", ".env"), `cluster-cidr: ${SECRET}\n`);
    symlinkSync(join("..", ".git", "config"), join(dir, "repo", "deploy", "git.yaml"));
    refusedOnly("../.git/config", /^`\.\.\/\.git\/config` is a hidden path \(`\.git`\): hidden files and folders .* are never read$/);
    refusedOnly("../deploy/.env", /is a hidden path \(`\.env`\)/);
    refusedOnly("../deploy/git.yaml", /reaches deploy\/git\.yaml, which is a hidden path \(`\.git`\)/);
    const dotted = m("../.git/*");
    assert.deepEqual(dotted.paths, []);
    assert.ok(dotted.refused?.length && dotted.refused.every((r) => /a hidden path \(`\.git`\)/.test(r.message)), JSON.stringify(dotted));
    const bomb = m("{a,b,c,d,e,f,g,h}".repeat(7));
    assert.equal(bomb.refused?.[0].code, "drift/pattern-too-broad");
    assert.match(bomb.refused![0].message, /expands to more than 64 patterns: it is not expanded/);
  }));

test("a glob is bounded in matches and folders, and kept between analyses until forgotten", () =>
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "many"));
    for (let i = 0; i <= 20; i++) writeFileSync(join(dir, "many", `f${i}.yaml`), "");
    mkdirSync(join(dir, "deep"));
    for (let i = 0; i < 10; i++) mkdirSync(join(dir, "deep", `d${i}`));
    writeFileSync(join(dir, "t.topology.yaml"), "");
    const src = boundFileSource({ cwd: dir, limits: { matches: 20, folders: 11 } });
    const many = src.match("t.topology.yaml", "many/*.yaml");
    assert.deepEqual([many.paths.length, many.refused?.[0].code], [0, "drift/pattern-too-broad"]);
    assert.match(many.refused![0].message, /matches 21 files, more than the 20 one entry may bind: none is read/);
    // deep/ and its 10 folders are 11 visits: within the bound; one more folder is past it
    assert.deepEqual(src.match("t.topology.yaml", "deep/**/*.yaml"), { paths: [], refused: [] });
    mkdirSync(join(dir, "deep", "d10"));
    src.forget?.();
    const deep = src.match("t.topology.yaml", "deep/**/*.yaml");
    assert.match(deep.refused?.[0].message ?? "", /visits more than 11 folders: it is not expanded/);
    assert.equal(src.match("t.topology.yaml", "many/*.yaml").refused?.length, 1);
    rmSync(join(dir, "many", "f0.yaml"));
    assert.equal(src.match("t.topology.yaml", "many/*.yaml").refused?.length, 1, "kept for a few seconds");
    src.forget?.();
    assert.equal(src.match("t.topology.yaml", "many/*.yaml").paths.length, 20);
    // the default bounds are the documented ones
    assert.equal(MAX_MATCHES, 200);
  }));

test("quorate check on a hostile repository: findings name each trap, no value from outside is printed in any format", () =>
  inTempDir({}, (dir) => {
    const entries = [
      "../../outside/secret.env",
      "/etc/passwd",
      "/proc/self/environ",
      "/proc/self/pagemap",
      "../deploy/k3s.yaml",
      "../deploy/fifo.yaml",
      "../deploy/outlink/*.yaml",
      "/**/*.yaml",
      "{a,b,c,d,e,f,g,h}".repeat(7),
      "",
      "../deploy/ok.yaml",
    ];
    hostileRepo(dir, entries);
    const { main } = require("../../server/src/cli/main") as typeof import("../../server/src/cli/main");
    for (const format of ["text", "json", "sarif", "junit"]) {
      let stdout = "";
      let stderr = "";
      const code = main(
        ["check", "-f", format, "design"],
        { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: join(dir, "repo") },
        "0",
      );
      assert.equal(code, 1, stderr);
      assert.equal(stderr, "");
      assert.ok(!stdout.includes("hunter2"), `${format} prints a value read outside the repository`);
      assert.ok(!/root:x:0:0/.test(stdout));
      // SARIF, JUnit and JSON are uploaded and shared: no path of the machine that ran it (audit A11),
      // but SARIF's own base URI, where the paths are relative to (%SRCROOT%)
      const shared =
        format === "sarif"
          ? JSON.stringify(
              (JSON.parse(stdout) as { runs: { originalUriBaseIds?: unknown }[] }).runs.map(({ originalUriBaseIds, ...run }) => run),
            )
          : stdout;
      assert.ok(!shared.includes(dir), `${format} names a path of this disk`);
      if (format === "json") {
        const codes = (JSON.parse(stdout) as { code: string }[]).map((f) => f.code);
        assert.equal(codes.filter((c) => c === "drift/outside-repository").length, 8, codes.join(" "));
        assert.equal(codes.filter((c) => c === "drift/pattern-too-broad").length, 1, codes.join(" "));
        assert.ok(!codes.includes("drift/missing-file"), "an empty entry is the schema's finding alone");
      }
    }
  }));

test(
  "git runs with a configuration that cannot fetch or execute: a partial clone's core.sshCommand canary stays untouched",
  { skip: !hasGit() && "git is not installed" },
  () =>
    inTempDir({}, (dir) => {
      const git = (cwd: string, ...args: string[]) =>
        execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const src = join(dir, "src");
      mkdirSync(src);
      git(src, "init", "-q");
      git(src, "config", "user.email", "t@example.com");
      git(src, "config", "user.name", "t");
      git(src, "config", "uploadpack.allowFilter", "true");
      writeFileSync(join(src, "d.topology.yaml"), topology([]));
      git(src, "add", ".");
      git(src, "commit", "-qm", "one");
      writeFileSync(join(src, "d.topology.yaml"), topology([]).replace("rttMs: 14", "rttMs: 15"));
      git(src, "commit", "-qam", "two");
      git(dir, "clone", "-q", "--filter=blob:none", `file://${src}`, "clone");
      const clone = join(dir, "clone");
      const canary = join(dir, "CANARY");
      git(clone, "config", "core.sshCommand", `touch ${canary}; false`);
      git(clone, "config", "remote.origin.url", "ssh://git@example.invalid/x");
      git(clone, "config", "protocol.ssh.allow", "always");
      const { main } = require("../../server/src/cli/main") as typeof import("../../server/src/cli/main");
      let stderr = "";
      const code = main(
        ["diff", "HEAD~1:d.topology.yaml", "d.topology.yaml"],
        { stdout: () => undefined, stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: clone },
        "0",
      );
      assert.equal(code, 2);
      assert.equal(
        stderr,
        "quorate: cannot read HEAD~1:d.topology.yaml: its content is not in this partial clone, and Quorate never fetches (fetch it with git yourself if you trust the remote)\n",
      );
      assert.ok(!existsSync(canary), "the repository's core.sshCommand ran");
      // the other side of the boundary: plain git would have run it
      try {
        execFileSync("git", ["show", "HEAD~1:d.topology.yaml"], {
          cwd: clone,
          stdio: "ignore",
          env: { ...process.env, GIT_NO_LAZY_FETCH: "0" },
        });
      } catch {
        // the fetch fails after running the command
      }
      assert.ok(existsSync(canary), "control: without the hardened configuration git runs core.sshCommand");
      // what is in the clone is read as before
      assert.equal(
        main(
          ["diff", "HEAD:d.topology.yaml", "d.topology.yaml"],
          { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {}, cwd: clone },
          "0",
        ),
        0,
      );
      assert.ok(GIT_HARDENED.includes("--no-replace-objects") && GIT_ENV.GIT_ALLOW_PROTOCOL === "");
    }),
);

test("git never reads a bare repository a cloned repository carries inside it", { skip: !hasGit() && "git is not installed" }, () =>
  inTempDir({}, (dir) => {
    const git = (cwd: string, ...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd, encoding: "utf8", stdio: "pipe" });
    git(dir, "init", "-q");
    writeFileSync(join(dir, "d.topology.yaml"), topology([]));
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "one");
    // vendor/evil is a bare repository with a commit of its own, committed into the working tree as files
    const evil = join(dir, "vendor", "evil");
    git(dir, "clone", "-q", "--bare", dir, evil);
    writeFileSync(join(evil, "d.topology.yaml"), topology([]));
    const { main } = require("../../server/src/cli/main") as typeof import("../../server/src/cli/main");
    const run = (cwd: string) => {
      let stderr = "";
      const io = { stdout: () => undefined, stderr: (s: string) => (stderr += s), isTTY: false, env: {}, cwd };
      return { code: main(["diff", "HEAD:d.topology.yaml", "d.topology.yaml"], io, "0"), stderr };
    };
    const inside = run(evil);
    assert.equal(inside.code, 2);
    assert.equal(
      inside.stderr,
      `quorate: cannot read HEAD:d.topology.yaml: ${evil} is inside a bare repository (one a cloned repository may carry), which Quorate never reads\n`,
    );
    // the control: plain git uses it; the working tree's own repository is read as before
    assert.match(git(evil, "show", "HEAD:d.topology.yaml"), /apiVersion/);
    assert.equal(run(dir).code, 0);
  }),
);

function hasGit(): boolean {
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("a deployment file or folder that is there but cannot be read is said, where and why — never skipped as no file (audit A14)", () =>
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "deploy", "sub"), { recursive: true });
    writeFileSync(join(dir, "t.topology.yaml"), "");
    writeFileSync(join(dir, "deploy", "ok.yaml"), "cluster-cidr: 10.10.0.0/16\n");
    // a link loop: ELOOP, not a dangling link
    symlinkSync("loop-b.yaml", join(dir, "deploy", "loop-a.yaml"));
    symlinkSync("loop-a.yaml", join(dir, "deploy", "loop-b.yaml"));
    symlinkSync("gone.yaml", join(dir, "deploy", "dangling.yaml"));
    const src = boundFileSource({ cwd: dir });
    const m = (p: string) => src.match("t.topology.yaml", p);
    const loop = m("deploy/loop-a.yaml");
    assert.deepEqual(loop.paths, []);
    assert.deepEqual(loop.refused, [
      {
        code: "drift/missing-file",
        message: "`deploy/loop-a.yaml`, a symbolic link, cannot be read (too many symbolic links): nothing there is compared",
      },
    ]);
    // a name past the file system's limit: said, not "matches no file"
    const long = `deploy/${"x".repeat(300)}.yaml`;
    assert.deepEqual(
      m(long).refused?.map((r) => [r.code, r.message.replace(/x{300}/g, "x…")]),
      [["drift/missing-file", "`deploy/x….yaml` cannot be read (name too long): nothing there is compared"]],
    );
    // the other side: a file that is not there, and a dangling link, are no file (drift/missing-file's "matches no file" follows)
    assert.deepEqual(m("deploy/none.yaml"), { paths: [] });
    assert.deepEqual(m("deploy/dangling.yaml"), { paths: [] });
    assert.deepEqual(m("deploy/ok.yaml/x.yaml"), { paths: [] }, "ENOTDIR is no file");
    // a glob names the looping links it met and still binds the rest
    const g = m("deploy/*.yaml");
    assert.deepEqual(g.paths, ["deploy/ok.yaml"]);
    assert.deepEqual(
      g.refused?.map((r) => r.message),
      [
        "`deploy/*.yaml` reaches deploy/loop-a.yaml, a symbolic link, which cannot be read (too many symbolic links): nothing there is compared",
        "`deploy/*.yaml` reaches deploy/loop-b.yaml, a symbolic link, which cannot be read (too many symbolic links): nothing there is compared",
      ],
    );
  }));

test("permission denied on a bound file, or on a folder a glob walks, is said where it happened (audit A14)", () =>
  inTempDir({}, (dir) => {
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "deploy", "locked"), { recursive: true });
    writeFileSync(
      join(dir, "t.topology.yaml"),
      `${HEADER}sites:\n  - name: a\nclusters:\n  - name: c\n    site: a\n    network: { pods: 10.10.0.0/16 }\n    deployment: [deploy/secret.yaml, "deploy/**/*.yaml"]\n`,
    );
    writeFileSync(join(dir, "deploy", "ok.yaml"), "cluster-cidr: 10.10.0.0/16\n");
    writeFileSync(join(dir, "deploy", "secret.yaml"), "cluster-cidr: 10.10.0.0/16\n");
    writeFileSync(join(dir, "deploy", "locked", "x.yaml"), "cluster-cidr: 10.10.0.0/16\n");
    chmodSync(join(dir, "deploy", "secret.yaml"), 0o000);
    chmodSync(join(dir, "deploy", "locked"), 0o000);
    // root reads everything: run the CLI as nobody there
    const out =
      process.getuid?.() === 0
        ? (() => {
            try {
              return execFileSync(process.execPath, [join(__dirname, "..", "..", "server", "src", "cli.js"), "check", "t.topology.yaml"], {
                cwd: dir,
                uid: 65534,
                gid: 65534,
                encoding: "utf8",
              });
            } catch (e) {
              return String((e as { stdout?: string }).stdout);
            }
          })()
        : runCli(["check", "t.topology.yaml"], dir).stdout;
    chmodSync(join(dir, "deploy", "locked"), 0o755);
    assert.match(out, /drift\/missing-file: deploy\/secret\.yaml cannot be read \(permission denied\): nothing to compare for c/);
    assert.match(
      out,
      /drift\/missing-file: `deploy\/\*\*\/\*\.yaml` reaches the folder deploy\/locked, which cannot be read \(permission denied\): nothing there is compared/,
    );
    // what it could read is compared (ok.yaml agrees): no other finding
    assert.equal(out.match(/error /g)?.length, 3, out);
  }));

test("the decision record names no path of the disk it was written on, wherever quorate runs from (audit A11)", () =>
  inTempDir({}, (dir) => {
    hostileRepo(dir, [
      "../../outside/secret.env",
      "../deploy/k3s.yaml",
      "../deploy/outlink/values.yaml",
      "/**/*.yaml",
      "../deploy/ok.yaml",
    ]);
    const design = join(dir, "repo", "design", "d.topology.yaml");
    for (const [cwd, path] of [
      [join(dir, "repo"), "design/d.topology.yaml"],
      [dir, "repo/design/d.topology.yaml"],
      ["/", design],
    ]) {
      const r = runCli(["report", path], cwd);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /`\.\.\/\.\.\/outside\/secret\.env` leads outside the repository: it is not read/);
      assert.match(r.stdout, /`\.\.\/deploy\/k3s\.yaml` is a symbolic link to an absolute path, which leads outside the repository/);
      assert.ok(!r.stdout.includes(dir), `${cwd}: the record names ${dir}`);
      assert.ok(!r.stdout.includes("hunter2"));
    }
  }));
