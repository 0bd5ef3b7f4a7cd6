import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../helpers";
import { optionNames } from "../../server/src/cli/help";

// `quorate COMMAND --help`, `quorate help COMMAND`, and that the help tells the truth: every
// option it lists is one the command takes, and every example it gives runs.

const cli = (argv: string[], cwd = process.cwd(), stdin?: string) => runCli(argv, cwd, stdin, "9.9.9");

/** The commands `quorate --help` lists (so a command added later is covered without editing this test). */
function commands(): string[] {
  const overview = cli(["--help"]).stdout;
  return [...overview.matchAll(/^ {2}quorate ([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== "help");
}

/** The options a command's help lists, with the flags as written. */
function options(help: string): { flags: string; names: string[] }[] {
  const block = help.split("\nOptions:\n")[1].split("\n\n")[0];
  return block
    .split("\n")
    .filter((l) => /^ {2}-/.test(l))
    .map((l) => {
      const flags = l.trim().split(/ {2,}/)[0];
      return { flags, names: optionNames({ flags, text: "" }) };
    });
}

test("quorate --help lists every command; with no command it prints the same to stderr and exits 2", () => {
  const all = commands();
  for (const c of ["check", "simulate", "diff", "report", "gameday", "diagram", "rules"]) assert.ok(all.includes(c), c);
  const bare = cli([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr, cli(["--help"]).stdout);
  assert.equal(cli(["help"]).stdout, cli(["--help"]).stdout);
  assert.match(cli(["--help"]).stdout, /quorate help COMMAND/);
});

test("every command answers --help, -h and 'quorate help COMMAND' with usage, options and an example, exit 0", () => {
  for (const c of commands()) {
    const long = cli([c, "--help"]);
    assert.equal(long.code, 0, `${c} --help: ${long.stderr}`);
    assert.equal(long.stderr, "");
    assert.match(long.stdout, new RegExp(`^quorate ${c} — \\S`), c);
    assert.match(long.stdout, new RegExp(`\\nUsage:\\n {2}quorate ${c}\\b`), c);
    assert.match(long.stdout, /\nOptions:\n(?: {2}-.*\n(?: {10,}.*\n)*)+/, c);
    assert.match(long.stdout, /\nExamples?:\n {2}quorate /, c);
    assert.ok(
      options(long.stdout).some((o) => o.names.includes("--help")),
      c,
    );
    assert.equal(cli([c, "-h"]).stdout, long.stdout, `${c} -h`);
    assert.equal(cli(["help", c]).stdout, long.stdout, `help ${c}`);
    // --help wins wherever it stands, even after a bad argument
    assert.equal(cli([c, "nowhere.topology.yaml", "--help"]).code, 0, `${c} FILE --help`);
  }
});

test("help for an unknown command names the closest one; help takes one command", () => {
  const r = cli(["help", "simualte"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'simualte' — did you mean 'simulate'\?/);
  assert.equal(cli(["simualte", "--help"]).code, 2);
  assert.match(cli(["help", "check", "diff"]).stderr, /help takes one COMMAND/);
});

test("an option a command does not list is refused with a pointer to that command's help", () => {
  for (const c of commands()) {
    const r = cli([c, "--no-such-option", "x"]);
    assert.equal(r.code, 2, c);
    assert.equal(r.stderr, `quorate: unknown option '--no-such-option' for ${c} (see 'quorate ${c} --help')\n`);
  }
  // a simulate-only scenario option is not a game day's
  assert.match(cli(["gameday", "--rtt-factor", "3", "f.topology.yaml"]).stderr, /unknown option '--rtt-factor' for gameday/);
});

test("every option a command's help lists is one it takes (never 'unknown option')", () => {
  let seen = 0;
  for (const c of commands()) {
    for (const o of options(cli([c, "--help"]).stdout)) {
      for (const name of o.names) {
        // the option, a value for it if it takes one, then --help: parsing stops at --help with exit 0
        // unless the value itself is refused (a usage error that names the option, not an unknown one)
        const r = cli([c, name, "x", "--help"]);
        assert.doesNotMatch(r.stderr, /unknown option/, `${c} ${name}`);
        assert.ok(r.code === 0 || r.code === 2, `${c} ${name}: ${r.code}`);
        seen++;
      }
    }
  }
  assert.ok(seen >= 30, `only ${seen} options seen`);
});

test("every field the help names is one the format has (review M66: check's help named a `deployedFrom`, which is `deployment`)", () => {
  const fields = new Set<string>();
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === "object")
      for (const [k, v] of Object.entries(o)) {
        if (k === "properties" && v && typeof v === "object") for (const name of Object.keys(v)) fields.add(name);
        walk(v);
      }
  };
  walk(JSON.parse(readFileSync("schemas/topology.schema.json", "utf8")));
  assert.ok(fields.has("deployment") && fields.has("exportPolicy"), "the schema's field names were collected");
  // names of the Kubernetes and Cilium objects the help speaks of, not Quorate's
  const foreign = new Set(["apiVersion", "routingMode", "tunnelProtocol", "nodePort"]);
  for (const c of commands()) {
    const help = cli([c, "--help"]).stdout;
    for (const [word] of help.matchAll(/\b[a-z]+[A-Z][A-Za-z]*\b/g))
      assert.ok(fields.has(word) || foreign.has(word), `quorate ${c} --help names \`${word}\`, no field of the format`);
  }
  assert.match(cli(["check", "--help"]).stdout, /files named in a cluster's `deployment` list are read with their topology/);
});

test("every example in the help runs as written (from a copy of the repository's examples)", () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-help-"));
  try {
    cpSync(resolve("examples"), join(dir, "examples"), { recursive: true });
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "examples");
    let ran = 0;
    for (const c of commands()) {
      const examples = cli([c, "--help"])
        .stdout.split(/\nExamples?:\n/)[1]
        .trim()
        .split("\n");
      for (const line of examples) {
        const command = line
          .trim()
          .replace(/\s+#.*$/, "")
          .split(/\s*[|>]/)[0];
        // `quorate check - < FILE`: FILE is standard input
        const [words, from] = command.split(/\s+<\s+/);
        const argv = words.split(/\s+/);
        assert.equal(argv[0], "quorate", line);
        assert.equal(argv[1], c, line);
        const r = cli(argv.slice(1), dir, from === undefined ? undefined : readFileSync(join(dir, from.trim()), "utf8"));
        assert.ok(r.code === 0 || r.code === 1, `${line}: exit ${r.code}: ${r.stderr}`);
        assert.ok(r.stdout.length || r.code === 0, line);
        ran++;
      }
    }
    assert.ok(ran >= 8, `only ${ran} examples`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'--' ends the options of every command that takes files: a file named like an option is read as a file", () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-dashdash-"));
  try {
    const name = "--output=x.topology.yaml";
    cpSync(resolve(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), join(dir, name));
    const runs: [string[], RegExp][] = [
      [["check", "--", name], /0 errors/],
      [["diagram", "--", name], /^flowchart/],
      [["simulate", "--lose", "fra", "--", name], /lose fra/],
      [["availability", "--", name], /nines/],
      [["report", "--", name], /^# /],
      [["ports", "--", name], /TCP/],
      [["diff", "--", name, name], /no regressions/],
    ];
    for (const [argv, out] of runs) {
      const r = runCli(argv, dir);
      assert.doesNotMatch(r.stderr, /unknown option|needs a value/, argv.join(" "));
      assert.match(r.stdout, out, `${argv.join(" ")}: ${r.stderr}`);
    }
    // without `--` it is an option — here diagram's output file: the Action and the pre-commit hook pass `--`
    assert.match(runCli(["diagram", name], dir).stderr, /diagram takes exactly one topology FILE/);
    assert.match(cli(["diagram", "--help"]).stdout, /^ {2}-- {2,}every argument after it is a file/m);
    assert.doesNotMatch(cli(["rules", "--help"]).stdout, /^ {2}-- /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
