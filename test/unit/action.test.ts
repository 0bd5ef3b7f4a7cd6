import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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

function action(step: string, dir: string, env: Record<string, string>) {
  const summaryFile = join(dir, ".summary.md");
  const outputFile = join(dir, ".output");
  writeFileSync(summaryFile, "");
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
  assert.equal(hooks[0].entry, "quorate check");
  assert.ok(new RegExp(hooks[0].files).test("eu/payments.topology.yaml"));
  assert.ok(!new RegExp(hooks[0].files).test("values.yaml"));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.ok(pkg.bin.quorate, "the hook's entry is the package's bin");
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
