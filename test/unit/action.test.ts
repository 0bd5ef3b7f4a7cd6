import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parse } from "yaml";
import { HEADER, LEDGER_221 } from "../helpers";

const ROOT = resolve(__dirname, "..", "..", "..");
const RUN = join(ROOT, "action", "run.mjs");

const GOOD = HEADER + LEDGER_221;
// the witness's member moves to fra: losing fra stops the ledger
const WORSE = GOOD.replace("{ fra: 2, lon: 2, ams: 1 }", "{ fra: 3, lon: 2 }");

/** A repository whose main holds GOOD, with a pull-request branch checked out that makes it WORSE and adds a design. */
function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "quorate-action-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "d.topology.yaml"), GOOD);
  writeFileSync(join(dir, "README.md"), "not a design\n");
  git("add", ".");
  git("commit", "-qm", "base");
  git("checkout", "-q", "-b", "feature");
  writeFileSync(join(dir, "d.topology.yaml"), WORSE);
  writeFileSync(join(dir, "n.topology.yaml"), GOOD.replace("name: t", "name: n"));
  writeFileSync(join(dir, "README.md"), "still not a design\n");
  git("add", ".");
  git("commit", "-qm", "feature");
  return dir;
}

function action(step: string, dir: string, env: Record<string, string>, summarySoFar = "") {
  const summaryFile = join(dir, ".summary.md");
  const outputFile = join(dir, ".output");
  writeFileSync(summaryFile, summarySoFar);
  writeFileSync(outputFile, "");
  const r = spawnSync(process.execPath, [RUN, step], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summaryFile, "utf8"), outputs };
}

test("action.yml: a composite action whose steps run the script here with the inputs it declares", () => {
  const a = parse(readFileSync(join(ROOT, "action.yml"), "utf8"));
  assert.equal(a.runs.using, "composite");
  const inputs = Object.keys(a.inputs);
  const text = JSON.stringify(a.runs.steps);
  for (const m of text.matchAll(/inputs\.([\w-]+)/g)) assert.ok(inputs.includes(m[1]), `unknown input ${m[1]}`);
  assert.ok(a.runs.steps.some((s: { uses?: string }) => s.uses?.startsWith("github/codeql-action/upload-sarif@")));
  assert.match(text, /action\/run\.mjs\\" check/);
  assert.match(text, /action\/run\.mjs\\" diff/);
  assert.ok(existsSync(RUN));
  const hooks = parse(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8"));
  // the hook runs the committed bundle with the Node.js on PATH: no npm install of this repository
  assert.equal(hooks[0].language, "script");
  assert.equal(hooks[0].entry, "dist/cli.js check");
  assert.ok(new RegExp(hooks[0].files).test("eu/payments.topology.yaml"));
  assert.ok(!new RegExp(hooks[0].files).test("values.yaml"));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(pkg.bin.quorate, "dist/cli.js", "the hook, the Action and the npm package run the same file");
});

/** Every `uses:` line of a workflow or action text, with its trailing comment. */
function usesLines(text: string): { ref: string; comment: string }[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)[ \t]*(?:#[ \t]*(.*))?$/gm)].map((m) => ({ ref: m[1], comment: m[2] ?? "" }));
}

/** Why a `uses:` reference is not pinned by a full commit SHA with its version in a comment, or undefined. */
function unpinned(u: { ref: string; comment: string }): string | undefined {
  if (u.ref.startsWith("./")) return undefined;
  if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/.test(u.ref)) return `${u.ref}: not pinned by a 40-hex commit SHA`;
  if (!/^v\d+\.\d+\.\d+$/.test(u.comment.trim())) return `${u.ref}: no '# vX.Y.Z' comment naming the version`;
  return undefined;
}

test("action.yml lint: every `uses:` pinned by commit SHA with its version, Node 24, no install or build step", () => {
  const text = readFileSync(join(ROOT, "action.yml"), "utf8");
  const a = parse(text);
  const uses = usesLines(text);
  assert.equal(uses.length, a.runs.steps.filter((s: { uses?: string }) => s.uses).length, "every uses: line is seen");
  assert.ok(uses.length >= 2);
  assert.deepEqual(uses.map(unpinned).filter(Boolean), []);
  // the linter itself refuses what it must
  assert.match(unpinned({ ref: "actions/setup-node@v7", comment: "" }) ?? "", /not pinned/);
  assert.match(unpinned({ ref: "actions/setup-node@main", comment: "v7.1.0" }) ?? "", /not pinned/);
  assert.match(unpinned({ ref: `actions/setup-node@${"a".repeat(40)}`, comment: "" }) ?? "", /no '# vX.Y.Z'/);
  assert.equal(unpinned({ ref: `github/codeql-action/upload-sarif@${"b".repeat(40)}`, comment: "v4.38.2" }), undefined);
  // current majors: setup-node 7 on Node 24, upload-sarif 4 (3 is deprecated)
  const setup = a.runs.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/setup-node@"));
  assert.equal(String(setup.with["node-version"]), "24");
  assert.match(uses.find((u) => u.ref.startsWith("actions/setup-node@"))?.comment ?? "", /^v7\./);
  assert.match(uses.find((u) => u.ref.startsWith("github/codeql-action/upload-sarif@"))?.comment ?? "", /^v4\./);
  for (const s of a.runs.steps as { run?: string; name?: string }[]) {
    assert.doesNotMatch(s.run ?? "", /\b(npm|yarn|pnpm|npx)\b|build\.mjs|esbuild|tsc\b/, `step '${s.name}' installs or builds`);
  }
  // the README's workflow pins its actions the same way, and the Action itself by a tag or SHA, never a branch
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const documented = usesLines(readme);
  assert.ok(
    documented.some((u) => u.ref.startsWith("quorate/quorate@")),
    "the README shows the Action",
  );
  for (const u of documented) {
    if (u.ref.startsWith("quorate/quorate@")) assert.match(u.ref, /@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/, u.ref);
    else assert.equal(unpinned(u), undefined, u.ref);
  }
});

test("action check step: SARIF written, the exit code recorded as an output, the text report in the log", () => {
  const dir = repo();
  try {
    const r = action("check", dir, { INPUT_PATHS: "." });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.outputs["check-exit-code"], "1", "the WORSE design has an error finding");
    const sarif = JSON.parse(readFileSync(r.outputs.sarif, "utf8"));
    assert.equal(sarif.version, "2.1.0");
    assert.ok(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === "quorum/two-site-split"));
    assert.match(r.stdout, /quorum\/two-site-split/);
    const bad = action("check", dir, { INPUT_PATHS: "missing-folder" });
    assert.equal(bad.outputs["check-exit-code"], "2");
    assert.match(bad.stderr, /cannot read missing-folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action diff step: on a pull request every changed topology is compared with the base, in the job summary", () => {
  const dir = repo();
  try {
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.summary, /^### Quorate: `main:d\.topology\.yaml` → `d\.topology\.yaml`\n\n\*\*\d+ regressions?\.\*\*/m);
    assert.match(r.summary, /\| 🔴 worse \| lose fra \| ok \| down \|/);
    assert.match(
      r.summary,
      /### Quorate: `n\.topology\.yaml` is a new design\n\nEvery single-site loss:\n\n\| verdict \| scenario \| what breaks \|/,
    );
    assert.doesNotMatch(r.summary, /README/);
    assert.ok(Number(r.outputs.regressions) >= 2, `regressions=${r.outputs.regressions}`);
    assert.match(r.stdout, /2 changed designs, \d+ regressions/);

    const push = action("diff", dir, { GITHUB_EVENT_NAME: "push" });
    assert.equal(push.code, 0);
    assert.equal(push.outputs.regressions, "0");
    assert.equal(push.summary, "");
    const noBase = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "release" });
    assert.match(noBase.summary, /The base branch `release` could not be read: check out with `fetch-depth: 0`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action diff step: a pull request's file names are files, never options, and Markdown code in the summary", () => {
  const dir = repo();
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
    // names a pull request may choose: an option of simulate/diff, backticks and a pipe, a line break
    const names = ["--format=json.topology.yaml", "-o.topology.yaml", "x` **bold** `|y.topology.yaml", "two\nlines.topology.yaml"];
    for (const n of names) writeFileSync(join(dir, n), GOOD.replace("name: t", "name: h"));
    // a link out of the checkout (a secret beside it) and one inside it
    writeFileSync(join(dir, "..", `${basename(dir)}-secret.yaml`), "apiVersion: hunter2\n");
    symlinkSync(join(dir, "..", `${basename(dir)}-secret.yaml`), join(dir, "leak.topology.yaml"));
    symlinkSync("d.topology.yaml", join(dir, "same.topology.yaml"));
    // a link into .git: actions/checkout persists the job's token in .git/config
    execFileSync("git", ["config", "http.https://github.com/.extraheader", "AUTHORIZATION: basic hunter2"], { cwd: dir });
    symlinkSync(join(".git", "config"), join(dir, "token.topology.yaml"));
    git("add", "--", ...names, "leak.topology.yaml", "same.topology.yaml", "token.topology.yaml");
    git("commit", "-qm", "hostile names");
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /9 changed designs/);
    assert.ok(r.summary.includes("### Quorate: `leak.topology.yaml`\n\na symbolic link that leads outside the repository: not read."));
    assert.ok(r.summary.includes("### Quorate: `token.topology.yaml`\n\na symbolic link into a hidden path (`.git`): not read."));
    assert.doesNotMatch(r.summary, /hunter2/);
    assert.ok(r.summary.includes("### Quorate: `same.topology.yaml` is a new design"));
    // each new design simulated as a file (a table), none taken for an option
    assert.doesNotMatch(r.summary, /unknown option|needs a value|usage/i);
    assert.equal(r.summary.match(/is a new design\n\nEvery single-site loss:\n\n\| verdict \| scenario \| what breaks \|/g)?.length, 6);
    assert.ok(r.summary.includes("### Quorate: `--format=json.topology.yaml` is a new design"));
    assert.ok(r.summary.includes("### Quorate: ``x` **bold** `|y.topology.yaml`` is a new design"));
    assert.ok(r.summary.includes("### Quorate: `two lines.topology.yaml` is a new design"));
    assert.ok(!existsSync(join(dir, ".topology.yaml")), "no -o output written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, "..", `${basename(dir)}-secret.yaml`), { force: true });
  }
});

test("action check step on a runner: the CLI's text is logged between stop-commands and its token, so a file named `::error::…` is no command", () => {
  const dir = repo();
  try {
    writeFileSync(join(dir, "::error title=x::pwned.topology.yaml"), WORSE);
    const r = action("check", dir, { INPUT_PATHS: ".", GITHUB_ACTIONS: "true" });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const stop = lines.findIndex((l) => l.startsWith("::stop-commands::"));
    assert.ok(stop >= 0, r.stdout.slice(0, 500));
    const token = lines[stop].slice("::stop-commands::".length);
    assert.match(token, /^[0-9a-f-]{36}$/);
    const resume = lines.indexOf(`::${token}::`);
    assert.ok(resume > stop, "the token resumes commands after the text");
    // between them, the text report; the file's name is shown as ./::error…, the same file
    const between = lines.slice(stop + 1, resume);
    assert.ok(
      between.some((l) => l.includes("./::error title=x::pwned.topology.yaml:")),
      between.join("\n").slice(0, 800),
    );
    // nothing outside the two markers starts with `::`
    assert.deepEqual(
      lines.filter((l, i) => l.startsWith("::") && i !== stop && i !== resume),
      [],
    );
    // off a runner the text is written as it is
    const plain = action("check", dir, { INPUT_PATHS: "." });
    assert.ok(!plain.stdout.includes("::stop-commands::"), plain.stdout.slice(0, 300));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action diff step: the CLI's error about a new design goes into the summary as a fenced block, so a file name there is no Markdown (audit A9)", () => {
  const dir = repo();
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
    const name = "![](evil.png).topology.yaml";
    writeFileSync(join(dir, name), "apiVersion: quorate.dev/v1alpha1\nkind: Topology\nsites: [\n");
    git("add", "--", name);
    git("commit", "-qm", "a broken design with a hostile name");
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.equal(r.code, 0, r.stderr);
    const at = r.summary.indexOf("### Quorate: `![](evil.png).topology.yaml` is a new design");
    assert.ok(at >= 0, r.summary.slice(0, 600));
    const next = r.summary.indexOf("### Quorate", at + 1);
    const section = r.summary.slice(at, next < 0 ? undefined : next);
    const block = /\n```text\n([\s\S]*?)\n```\n/.exec(section);
    assert.ok(block, section);
    assert.match(block[1], /evil\.png\)\.topology\.yaml/, "the message names the file, inside the block");
    // outside the heading's code span and the block, the name never appears
    assert.ok(
      !section
        .replace(block[0], "")
        .replace(/`[^`]*`/, "")
        .includes("![]("),
      section,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action check step: a committed quorate.sarif that is a symbolic link is replaced itself, never written through (audit A18)", () => {
  const dir = repo();
  const victim = `${dir}-victim`;
  try {
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(dir, "quorate.sarif"));
    const r = action("check", dir, { INPUT_PATHS: "." });
    assert.equal(r.outputs["check-exit-code"], "1", r.stderr);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    assert.ok(!lstatSync(join(dir, "quorate.sarif")).isSymbolicLink());
    assert.equal(JSON.parse(readFileSync(join(dir, "quorate.sarif"), "utf8")).version, "2.1.0");
    // a folder of the workspace that leads out of it: refused, nothing written there
    symlinkSync(tmpdir(), join(dir, "reports"));
    const out = action("check", dir, { INPUT_PATHS: ".", INPUT_SARIF: "reports/q-a18.sarif" });
    assert.equal(out.outputs["check-exit-code"], "2");
    assert.match(out.stderr, /cannot write reports\/q-a18\.sarif: its folder is a symbolic link that leads outside the workspace/);
    assert.ok(!existsSync(join(tmpdir(), "q-a18.sarif")));
    // a path outside the workspace is the workflow's own choice (runner.temp)
    const temp = join(`${dir}-temp.sarif`);
    const outside = action("check", dir, { INPUT_PATHS: ".", INPUT_SARIF: temp });
    assert.equal(outside.outputs["check-exit-code"], "1", outside.stderr);
    assert.equal(JSON.parse(readFileSync(temp, "utf8")).version, "2.1.0");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(victim, { force: true });
    rmSync(`${dir}-temp.sarif`, { force: true });
  }
});

test("action diff step: `$'` and `$&` in a pull request's file name are text in the summary's heading, not replacement patterns (audit A16)", () => {
  const dir = repo();
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
    git("checkout", "-q", "main");
    for (const n of ["y$'.topology.yaml", "z$&.topology.yaml"]) writeFileSync(join(dir, n), GOOD);
    git("add", ".");
    git("commit", "-qm", "two designs with dollar names");
    git("checkout", "-q", "feature");
    git("merge", "-q", "--no-edit", "main");
    for (const n of ["y$'.topology.yaml", "z$&.topology.yaml"]) writeFileSync(join(dir, n), WORSE);
    git("commit", "-qam", "worse");
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.summary.includes("`main:y$'.topology.yaml` → `y$'.topology.yaml`"), r.summary.slice(0, 800));
    assert.ok(r.summary.includes("`main:z$&.topology.yaml` → `z$&.topology.yaml`"), r.summary.slice(0, 800));
    // nothing pasted twice: each design's heading once
    assert.equal(r.summary.split("`y$'.topology.yaml`").length - 1, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action diff step: the job summary stays under GitHub's 1 MiB, and says what it left out and where it is (audit A27)", () => {
  const dir = repo();
  try {
    // what the step writes stops at 1,000,000 bytes, below the 1 MiB GitHub drops a summary at
    const source = readFileSync(RUN, "utf8");
    const bound = Number(
      /const SUMMARY_MAX_BYTES = ([\d *]+);/
        .exec(source)?.[1]
        .split("*")
        .reduce((a, b) => a * Number(b), 1),
    );
    assert.ok(bound > 900_000 && bound < 1024 * 1024, `${bound}`);
    // a summary already near the bound (as many large designs would fill it): the next design's section
    // is cut at a line end, a code block it opened is closed, and the rest goes to the log
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" }, `${"x".repeat(99)}\n`.repeat(9_980));
    assert.equal(r.code, 0, r.stderr);
    const size = Buffer.byteLength(r.summary);
    assert.ok(size <= bound, `${size} bytes`);
    assert.ok(size > 998_000, `${size} bytes: the room is used`);
    const end =
      /\*\*The summary stops here: GitHub drops a step summary larger than 1 MiB\. Left out: ([\d,]+) KiB, what 2 changed designs do under failure \(the first in part\); it is in this step's log \(quorate diff\)\.\*\* The findings of every file are in the SARIF report of the check step\.\n$/.exec(
        r.summary,
      );
    assert.ok(end, r.summary.slice(-1500));
    assert.ok(Number(end[1].replace(/,/g, "")) >= 1);
    // the sections not shown are in the log, in full
    assert.match(
      r.stdout,
      /^quorate: the rest of the job summary, over GitHub's bound of 1 MiB, follows here:\n[\s\S]*### Quorate: `n\.topology\.yaml` is a new design/m,
    );
    assert.match(r.summary + r.stdout, /\| 🔴 worse \| lose fra \| ok \| down \|/);
    assert.doesNotMatch(r.summary, /### Quorate: `n\.topology\.yaml`/);
    // every fence the summary opens it closes
    assert.equal((r.summary.match(/^```/gm) ?? []).length % 2, 0);
    // a summary with room: whole, no closing line
    const whole = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.doesNotMatch(whole.summary, /stops here/);
    assert.match(whole.summary, /### Quorate: `n\.topology\.yaml` is a new design/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("action diff step: a bidirectional override or an invisible character in a file name is an escape in the summary's headings (audit A29)", () => {
  const dir = repo();
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe" });
    // read right to left from the override on, `r\u202eLMAY.topology.yaml` shows as `rlmay.ygolopot.YAML`
    const changed = "r\u202eLMAY.topology.yaml";
    const added = "n\u2067x\u200b.topology.yaml";
    git("checkout", "-q", "main");
    writeFileSync(join(dir, changed), GOOD);
    git("add", "--", changed);
    git("commit", "-qm", "a design with an override in its name");
    git("checkout", "-q", "feature");
    git("merge", "-q", "--no-edit", "main");
    writeFileSync(join(dir, changed), WORSE);
    writeFileSync(join(dir, added), GOOD.replace("name: t", "name: n"));
    git("add", "--", changed, added);
    git("commit", "-qm", "worse, and a new design");
    const r = action("diff", dir, { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.summary.includes("### Quorate: `main:r\\u202eLMAY.topology.yaml` → `r\\u202eLMAY.topology.yaml`\n"),
      r.summary.slice(0, 1500),
    );
    assert.ok(r.summary.includes("### Quorate: `n\\u2067x\\u200b.topology.yaml` is a new design"), r.summary.slice(0, 1500));
    assert.doesNotMatch(r.summary, /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u);
    assert.doesNotMatch(r.stdout, /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
