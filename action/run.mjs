#!/usr/bin/env node
// The GitHub Action's two steps (action.yml), runnable anywhere with the variables GitHub sets:
//   node action/run.mjs check   runs `quorate check --format sarif` on the input paths into
//                               quorate.sarif, prints the text report, and records the exit code;
//   node action/run.mjs diff    on a pull request, `quorate diff` of every changed topology
//                               against the base branch, appended to $GITHUB_STEP_SUMMARY.
// Reads: INPUT_PATHS, INPUT_SARIF, GITHUB_WORKSPACE, GITHUB_EVENT_NAME, GITHUB_BASE_REF,
// GITHUB_STEP_SUMMARY, GITHUB_OUTPUT; QUORATE_CLI (default: this checkout's dist/cli.js).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const env = process.env;
const cwd = resolve(env.GITHUB_WORKSPACE || process.cwd());
const cli = env.QUORATE_CLI || join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

function quorate(args, opts = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
}

function git(args) {
  return spawnSync("git", ["--no-pager", ...args], { cwd, encoding: "utf8" });
}

/**
 * Text from the CLI into the job's log. Its lines hold names from the repository (a file named
 * `::error title=x::….topology.yaml`, a design's names), and the runner reads a line that starts
 * with `::` as a workflow command: fake annotations, a mask, `stop-commands` that hides what
 * follows. So on a runner the text is written between `::stop-commands::` with a fresh token and
 * that token, GitHub's way to log untrusted text; elsewhere it is written as it is.
 */
function logUntrusted(stream, text) {
  if (!text) return;
  if (env.GITHUB_ACTIONS !== "true") return void stream.write(text);
  const token = randomUUID();
  stream.write(`::stop-commands::${token}\n${text}${text.endsWith("\n") ? "" : "\n"}::${token}::\n`);
}

function output(name, value) {
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

/**
 * GitHub drops a step's job summary larger than 1 MiB whole (the job shows an upload error and no
 * summary), so what this step writes stops at SUMMARY_MAX_BYTES: the rest goes to the step's log,
 * and summaryEnd() says in the summary how much was left out and where it is.
 */
const SUMMARY_MAX_BYTES = 1000 * 1000;
const cut = { written: -1, bytes: 0, sections: 0, partial: false };

/** The longest start of `text`, up to a line end, within `room` bytes; a code block left open is closed. */
function fitting(text, room) {
  let head = Buffer.from(text).subarray(0, Math.max(0, room)).toString("utf8");
  if (head.length < text.length) head = head.slice(0, head.lastIndexOf("\n") + 1);
  if (head.length > text.length) head = text;
  let fence;
  for (const line of head.split("\n")) {
    const f = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (!f) continue;
    if (!fence) fence = f;
    else if (f[0] === fence[0] && f.length >= fence.length && line.trim() === f) fence = undefined;
  }
  return { head, close: fence ? `${fence}\n` : "" };
}

function summary(text) {
  if (!env.GITHUB_STEP_SUMMARY) return logUntrusted(process.stdout, text);
  if (cut.written < 0) cut.written = existsSync(env.GITHUB_STEP_SUMMARY) ? statSync(env.GITHUB_STEP_SUMMARY).size : 0;
  let rest = text;
  if (!cut.sections) {
    // room for the closing fence and summaryEnd's line
    const { head, close } = fitting(text, SUMMARY_MAX_BYTES - 1024 - cut.written);
    const part = head.length < text.length ? head + close : head;
    appendFileSync(env.GITHUB_STEP_SUMMARY, part);
    cut.written += Buffer.byteLength(part);
    rest = text.slice(head.length);
    if (!rest) return;
    cut.partial = head.length > 0;
  }
  cut.bytes += Buffer.byteLength(rest);
  if (!cut.sections++) console.log("quorate: the rest of the job summary, over GitHub's bound of 1 MiB, follows here:");
  logUntrusted(process.stdout, rest);
}

/** The summary's closing line when it was cut: how much was left out and where it is. */
function summaryEnd() {
  if (!cut.sections) return;
  const kib = Math.ceil(cut.bytes / 1024).toLocaleString("en-US");
  const one = cut.sections === 1;
  const designs = `${cut.sections} changed design${one ? " does" : "s do"} under failure${cut.partial ? (one ? " (in part)" : " (the first in part)") : ""}`;
  appendFileSync(
    env.GITHUB_STEP_SUMMARY,
    `\n---\n\n**The summary stops here: GitHub drops a step summary larger than 1 MiB. Left out: ${kib} KiB, what ${designs}; ` +
      "it is in this step's log (quorate diff).** The findings of every file are in the SARIF report of the check step.\n",
  );
}

/**
 * The bidirectional controls and invisible format characters the CLI shows as escapes: a copy of
 * FORMAT_CHARACTERS in server/src/util/terminal.ts (this script runs without a build and cannot
 * import it; test/unit/hostile-output.test.ts holds the two equal).
 */
const FORMAT_CHARACTERS =
  "\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}";
const HIDDEN = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029${FORMAT_CHARACTERS}]`, "gu");

/**
 * A name with every control, bidirectional control and invisible format character shown as its
 * escape (`\u202e`), as the CLI shows it: a file named `x\u202eLMAY.topology.yaml` must not read
 * as something else in the summary's headings.
 */
function shown(name) {
  return name.replace(HIDDEN, (c) =>
    [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}

/**
 * A file name as Markdown code, exactly: a pull request names its files, so a backtick, a pipe or
 * a line break in one must not end the code span and write Markdown of its own into the summary.
 */
function code(name) {
  const text = shown(name.replace(/[\r\n]+/g, " "));
  const fence = "`".repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = /^`|`$/.test(text) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * The CLI's plain-text message (an error naming a pull request's file) as a fenced block: read
 * as Markdown, a file named `![](https://…).topology.yaml` would put an image or a link into the
 * summary. The fence is longer than any run of backticks in the text.
 */
function fenced(text) {
  const fence = "`".repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((r) => r.length + 1)));
  return `${fence}text\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/**
 * Why a changed file is not read, if it is a symbolic link a pull request points out of the
 * workspace (at /proc/self/environ, the runner's credentials) or into a hidden path inside it
 * (`.git/config`, where actions/checkout persists its token): its text would land in the job
 * summary. A link to a visible file inside the workspace is read as the file it names.
 */
function leadsOutside(file) {
  try {
    if (!lstatSync(resolve(cwd, file)).isSymbolicLink()) return undefined;
    const target = realpathSync(resolve(cwd, file));
    const root = realpathSync(cwd);
    if (target !== root && !target.startsWith(root + sep)) return "a symbolic link that leads outside the repository";
    const hidden = relative(root, target)
      .split(sep)
      .find((part) => part.startsWith("."));
    return hidden ? `a symbolic link into a hidden path (${code(hidden)})` : undefined;
  } catch {
    return "a symbolic link to nothing";
  }
}

/**
 * Writes the SARIF file. Its default place is the workspace, which a pull request controls: a
 * committed `quorate.sarif` that is a symbolic link (to ~/.ssh/authorized_keys, the runner's own
 * files) is replaced itself, never written through, and a path the workflow names inside the
 * workspace must stay inside once its folders' links are resolved. A path outside the workspace
 * (`${{ runner.temp }}/quorate.sarif`) is the workflow's own choice. Says why it cannot write.
 * The CLI's writer (server/src/output.ts) applies the same rule to `-o`; it is not called from
 * here because `check` has no `-o` on purpose: the pre-commit hook is safe without `--` only
 * because `check` has no option that writes (README, File names as arguments).
 */
function writeSarif(path, text) {
  const root = realpathSync(cwd);
  const under = (p, r) => p === r || p.startsWith(r + sep);
  if (under(path, cwd) || under(path, root)) {
    let dir;
    try {
      dir = realpathSync(dirname(path));
    } catch (e) {
      return `its folder cannot be read (${e.code ?? e.message})`;
    }
    if (!under(dir, root)) return "its folder is a symbolic link that leads outside the workspace";
  }
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isSymbolicLink()) unlinkSync(path);
  else if (st && !st.isFile()) return "it exists and is not a regular file";
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return undefined;
}

/** Paths are whitespace-separated (a multi-line input works too). */
const paths = (env.INPUT_PATHS || ".").split(/\s+/).filter(Boolean);

function check() {
  const sarif = resolve(cwd, env.INPUT_SARIF || "quorate.sarif");
  const r = quorate(["check", "--format", "sarif", ...paths]);
  if (r.status === 2 || r.error) {
    logUntrusted(process.stderr, r.stderr || String(r.error));
    output("check-exit-code", 2);
    return 2;
  }
  const refused = writeSarif(sarif, r.stdout);
  if (refused) {
    logUntrusted(process.stderr, `quorate: cannot write ${relative(cwd, sarif) || sarif}: ${refused}\n`);
    output("check-exit-code", 2);
    return 2;
  }
  // the same findings as text in the log, where a reader of the job looks first
  const text = quorate(["check", ...paths], { env: { ...env, FORCE_COLOR: "1" } });
  logUntrusted(process.stdout, text.stdout);
  logUntrusted(process.stderr, text.stderr);
  output("sarif", sarif);
  output("check-exit-code", r.status);
  return 0;
}

/** The base revision git can read: origin/BASE after a fetch, else BASE itself. */
function baseRevision(base) {
  if (git(["remote", "get-url", "origin"]).status === 0) git(["fetch", "--no-tags", "--quiet", "origin", base]);
  for (const rev of [`origin/${base}`, base]) if (git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]).status === 0) return rev;
  return undefined;
}

function diff() {
  if (env.GITHUB_EVENT_NAME !== "pull_request" && env.GITHUB_EVENT_NAME !== "pull_request_target") {
    console.log(`quorate: not a pull request (${env.GITHUB_EVENT_NAME || "no event"}): no design diff`);
    output("regressions", 0);
    return 0;
  }
  const base = env.GITHUB_BASE_REF;
  const rev = base && baseRevision(base);
  if (!rev) {
    summary(
      `### Quorate\n\nThe base branch ${code(base || "?")} could not be read: check out with \`fetch-depth: 0\` to compare designs.\n`,
    );
    output("regressions", 0);
    return 0;
  }
  const mergeBase = git(["merge-base", rev, "HEAD"]).stdout.trim() || rev;
  // -z: names exactly as committed (no quoting of unusual bytes, a line break is part of a name)
  const changed = git(["diff", "-z", "--name-only", "--diff-filter=AMR", mergeBase, "HEAD", "--", "*.topology.yaml", "*.topology.yml"])
    .stdout.split("\0")
    .filter(Boolean);
  let regressions = 0;
  if (!changed.length) summary("### Quorate\n\nNo topology file changed in this pull request.\n");
  for (const file of changed) {
    const outside = leadsOutside(file);
    if (outside) {
      summary(`### Quorate: ${code(file)}\n\n${outside}: not read.\n\n`);
      continue;
    }
    const existed = git(["cat-file", "-e", `${mergeBase}:${file}`]).status === 0;
    if (!existed) {
      // `--`: a file named `--output=….topology.yaml` is a file, never an option
      const sim = quorate(["simulate", "--all-single-site", "--format", "md", "--", file]);
      summary(
        `### Quorate: ${code(file)} is a new design\n\nEvery single-site loss:\n\n${sim.status !== 2 && sim.stdout ? sim.stdout : fenced(sim.stderr || sim.stdout)}\n`,
      );
      continue;
    }
    const d = quorate(["diff", "--format", "md", "--", `${mergeBase}:${file}`, file]);
    if (d.status === 2) {
      summary(`### Quorate: ${code(file)}\n\n${fenced(d.stderr.trim())}\n\n`);
      continue;
    }
    if (d.status === 1) {
      const j = quorate(["diff", "--format", "json", "--", `${mergeBase}:${file}`, file]);
      regressions += JSON.parse(j.stdout).regressions;
    }
    // the CLI's heading names the merge base's commit: this one names the base branch, each name as
    // code() shows it (a function, never a replacement string: `$'`, `$&` in a pull request's file
    // name are patterns there)
    summary(`${d.stdout.replace(/^### Quorate: .*\n/, () => `### Quorate: ${code(`${base}:${file}`)} → ${code(file)}\n`)}\n`);
  }
  summaryEnd();
  output("regressions", regressions);
  console.log(
    `quorate: ${changed.length} changed design${changed.length === 1 ? "" : "s"}, ${regressions} regression${regressions === 1 ? "" : "s"}`,
  );
  return 0;
}

const step = process.argv[2];
if (!existsSync(cli)) {
  console.error(`quorate: ${cli} is missing (build it with npm run build)`);
  process.exit(2);
}
if (step === "check") process.exit(check());
else if (step === "diff") process.exit(diff());
else {
  console.error("usage: node action/run.mjs check|diff");
  process.exit(2);
}
