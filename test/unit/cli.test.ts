import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import Ajv4 from "ajv-draft-04";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { readBoundedFd } from "../../server/src/cli/files";
import { main, type Io } from "../../server/src/cli/main";
import { RULES } from "../../server/src/rules/catalog";
import { HEADER, runCli } from "../helpers";

function cli(argv: string[], cwd = process.cwd(), env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env, cwd };
  const code = main(argv, io, "9.9.9");
  return { code, stdout, stderr };
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "quorate-cli-"));
  writeFileSync(
    join(dir, "bad.topology.yaml"),
    `${HEADER}sites:\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [fra, lon], rttMs: 14 }\nclusters:\n  - name: core\n    site: fra\n    etcd:\n      members: { fra: 2, lon: 2 }\n`,
  );
  writeFileSync(join(dir, "ok.topology.yml"), `${HEADER}sites:\n  - name: fra\n`);
  mkdirSync(join(dir, "rbac"));
  writeFileSync(
    join(dir, "rbac", "role.yaml"),
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r }\nrules:\n  - { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }\n",
  );
  writeFileSync(
    join(dir, "rbac", "binding.yaml"),
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: b, namespace: x }\nroleRef: { kind: ClusterRole, name: r, apiGroup: rbac.authorization.k8s.io }\nsubjects:\n  - { kind: Group, name: 'system:authenticated' }\n",
  );
  writeFileSync(join(dir, "values.yaml"), "replicas: 3\n");
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(join(dir, "node_modules", "x.topology.yaml"), "not: [looked, at\n");
  return dir;
}

test("text output reads like a compiler, exit 1 on errors; folders are searched recursively", () => {
  const dir = workspace();
  try {
    const r = cli(["check", "."], dir);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^bad\.topology\.yaml:14:7: warning quorum\/even-members: /);
    assert.match(lines[1], /^bad\.topology\.yaml:14:7: error quorum\/two-site-split: .*losing fra leaves 2 of 4/);
    assert.match(lines[2], /^rbac\/binding\.yaml:6:5: error rbac\/broad-exporter: /, "RBAC resolved across files");
    assert.equal(lines.at(-1), "2 errors, 1 warning, 0 info in 4 files");
    assert.doesNotMatch(r.stdout, /\x1b\[/, "no colour when not a terminal");
    assert.doesNotMatch(r.stdout, /node_modules|values\.yaml/);
    assert.match(cli(["check", "--color", "bad.topology.yaml"], dir).stdout, /\x1b\[31merror/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("exit 0 without errors; warnings alone do not fail", () => {
  const dir = workspace();
  try {
    assert.equal(cli(["check", "ok.topology.yml"], dir).code, 0);
    assert.equal(cli(["check", "--rule", "quorum/two-site-split=warning", "bad.topology.yaml"], dir).code, 0);
    assert.equal(cli(["check", "--rule=quorum/two-site-split=off", "bad.topology.yaml"], dir).code, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("usage errors and unreadable paths: one line on stderr, exit 2", () => {
  const dir = workspace();
  try {
    for (const argv of [
      ["check", "missing.yaml"],
      ["check", "--format", "xml", "."],
      ["check", "--bogus", "."],
      ["check", "--rule", "no/such=off", "."],
      ["check", "--rule", "quorum/even-members=loud", "."],
      ["check", "--galera-max-rtt-ms", "fast", "."],
      ["check", "--format"],
      ["check"],
      ["frobnicate"],
    ]) {
      const r = cli(argv, dir);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.stdout, "", argv.join(" "));
      assert.match(r.stderr, /^quorate: [^\n]+\n$/, argv.join(" "));
    }
    if (process.getuid?.() !== 0) {
      chmodSync(join(dir, "ok.topology.yml"), 0o000);
      assert.equal(cli(["check", "ok.topology.yml"], dir).code, 2);
    }
    assert.equal(cli([], dir).code, 2);
    assert.equal(cli(["--help"], dir).code, 0);
    assert.equal(cli(["--version"], dir).stdout, "9.9.9\n");
    assert.match(cli(["rules"], dir).stdout, /quorum\/two-site-split\s+error/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("JSON output: 1-based positions and the documented fields", () => {
  const dir = workspace();
  try {
    const rows = JSON.parse(cli(["check", "--format", "json", "bad.topology.yaml"], dir).stdout);
    assert.deepEqual(rows[1], {
      file: "bad.topology.yaml",
      line: 14,
      column: 7,
      endLine: 14,
      endColumn: 14,
      severity: "error",
      code: "quorum/two-site-split",
      message: rows[1].message,
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("SARIF 2.1.0 validates against the official schema and carries rules with help", () => {
  const dir = workspace();
  try {
    const out = cli(["check", "--format", "sarif", "."], dir);
    assert.equal(out.code, 1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a SARIF log, checked by the schema below
    // biome-ignore lint/suspicious/noExplicitAny: SARIF is checked against its schema above; the test reads a few known paths
    const log: any = JSON.parse(out.stdout);
    const sarifSchema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    // the schema's own regexes predate unicode mode; formats (uri) are not checked
    const ajv = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false, logger: false });
    const validate = ajv.compile(sarifSchema);
    const valid: boolean = validate(log);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    const run = log.runs[0];
    assert.equal(run.tool.driver.rules.length, RULES.length);
    assert.ok(run.tool.driver.rules.every((r: { id: string; help: { text: string } }) => r.id && r.help.text));
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === "quorum/two-site-split");
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, "quorum/two-site-split");
    assert.deepEqual(result.locations[0].physicalLocation.artifactLocation, { uri: "bad.topology.yaml", uriBaseId: "%SRCROOT%" });
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 14, startColumn: 7, endLine: 14, endColumn: 14 });
    assert.equal(run.results.find((r: { ruleId: string }) => r.ruleId === "quorum/even-members").level, "warning");
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("JUnit XML is well formed: a suite per file, a failure per error or warning", () => {
  const dir = workspace();
  try {
    const xml = cli(["check", "--format", "junit", "."], dir).stdout;
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ["testsuite", "testcase"].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite;
    assert.deepEqual(
      suites.map((s: Record<string, string>) => [s["@_name"], s["@_failures"]]),
      [
        ["bad.topology.yaml", "2"],
        ["ok.topology.yml", "0"],
        ["rbac/binding.yaml", "1"],
        ["rbac/role.yaml", "0"],
      ],
    );
    assert.equal(doc.testsuites["@_failures"], "3");
    assert.match(suites[0].testcase[1].failure["@_message"], /^error: /);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("check - reads standard input, as linters do: findings under the name '-', exit codes and every format", () => {
  const dir = workspace();
  try {
    const bin = join(__dirname, "..", "..", "..", "dist", "cli.js");
    const text = readFileSync(join(dir, "bad.topology.yaml"), "utf8");
    const run = (args: string[], input: string) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", input });
    const plain = run(["check", "-"], text);
    assert.equal(plain.status, 1, plain.stderr);
    assert.match(plain.stdout, /^-:\d+:\d+: error quorum\/two-site-split: /m);
    const json = JSON.parse(run(["check", "--format", "json", "-"], text).stdout);
    assert.deepEqual(
      json.map((f: { file: string; code: string }) => [f.file, f.code]),
      JSON.parse(run(["check", "--format", "json", "bad.topology.yaml"], "").stdout).map((f: { code: string }) => ["-", f.code]),
    );
    const sarif = JSON.parse(run(["check", "--format", "sarif", "-"], text).stdout);
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "-");
    assert.match(run(["check", "--format", "junit", "-"], text).stdout, /<testsuite name="-"/);
    // a clean design: 0; with the files named beside it, judged together
    assert.equal(run(["check", "-"], readFileSync(join(dir, "ok.topology.yml"), "utf8")).status, 0);
    assert.match(run(["check", "-", "rbac"], text).stdout, /in 3 files\n$/);
    // over the size limit: named, exit 2
    const big = run(["check", "--max-file-size-kb", "1", "-"], text + "#".repeat(2048));
    assert.equal(big.status, 2);
    assert.match(big.stderr, /^quorate: - \(standard input\) is over the 1 KB limit for one file, where reading it stopped/m);
    // input that never ends is read up to the limit, not until the memory is full: check (a
    // finding-less exit 2) and a one-file command (a usage error); the timeout only stops a hang
    const zero = openSync("/dev/zero", "r");
    try {
      for (const argv of [
        ["check", "--max-file-size-kb", "64", "-"],
        ["diagram", "-"],
      ]) {
        const endless = spawnSync(process.execPath, [bin, ...argv], {
          cwd: dir,
          encoding: "utf8",
          stdio: [zero, "pipe", "pipe"],
          timeout: 120_000,
        });
        assert.equal(endless.status, 2, `${argv[0]}: ${endless.signal ?? ""} ${endless.stderr.slice(0, 300)}`);
        assert.match(endless.stderr, /over the (64|8192) KB limit for one file/);
      }
    } finally {
      closeSync(zero);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the one-file commands read - as standard input too: diagram, simulate, availability, report, ports", () => {
  const text = readFileSync("examples/payments-eu.topology.yaml", "utf8");
  const run = (argv: string[], input?: string) => runCli(argv, process.cwd(), input);
  for (const argv of [["diagram"], ["simulate", "--lose", "fra"], ["availability"], ["report"], ["ports"]]) {
    const piped = run([...argv, "-"], text);
    const named = run([...argv, "examples/payments-eu.topology.yaml"]);
    assert.equal(piped.code, named.code, `${argv[0]}: ${piped.stderr}`);
    assert.ok(piped.stdout.length > 100, argv[0]);
    if (argv[0] !== "report") assert.equal(piped.stdout, named.stdout.replaceAll("examples/payments-eu.topology.yaml", "-"), argv[0]);
  }
  const none = run(["diagram", "-"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /cannot read - \(standard input\)/);
  assert.match(run(["diagram", "-"], "a: [").stderr, /^quorate: -: /);
});

test("check -: piped input that is no kind Quorate reads is judged as a topology and fails, never 'no topology found'; empty is a usage error", () => {
  const run = (input: string, ...flags: string[]) => runCli(["check", ...flags, "-"], process.cwd(), input);
  // a misspelt header key: the schema names it at its line, exit 1
  const typo = run(`${HEADER.replace("apiVersion:", "apiVersoin:")}sites:\n  - name: fra\n`);
  assert.equal(typo.code, 1, typo.stderr);
  assert.match(typo.stdout, /^-:1:1: error schema: unknown property `apiVersoin` in `the topology` \(did you mean `apiVersion`\?\)$/m);
  assert.doesNotMatch(typo.stderr, /no topology files or manifests found/);
  // broken YAML with no header at all: the parser's message, exit 1
  const broken = run("metadata: { name: t\nsites: [a\n");
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /^-:\d+:\d+: error yaml\/syntax: /m);
  // another kind of object: one sentence saying what it is, at its kind (the other piped objects: next test)
  const configMap = run("apiVersion: v1\nkind: ConfigMap\ndata: {}\n", "--format", "json");
  assert.equal(configMap.code, 1);
  assert.deepEqual(
    JSON.parse(configMap.stdout).map((f: { message: string }) => f.message.slice(0, 51)),
    ["this is a ConfigMap (v1), not a Quorate Topology: Q"],
  );
  // a manifest Quorate reads is still a manifest, and a good topology still passes
  const binding = run(
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: b, namespace: x }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }\nsubjects: []\n",
  );
  assert.equal(binding.code, 0, binding.stdout);
  assert.match(binding.stdout, /in 1 file/);
  assert.equal(run(`${HEADER}sites:\n  - name: fra\n`).code, 0);
  // nothing piped (a failed command before the pipe): a usage error, not a pass
  for (const empty of ["", "\n# only a comment\n"]) {
    const r = run(empty);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^quorate: - \(standard input\) is empty: nothing to check/);
  }
});

test("a piped Kubernetes object that is no topology gets one sentence at its kind, not the schema's messages; a misspelt kind keeps them", () => {
  const run = (input: string) => runCli(["check", "-"], process.cwd(), input);
  // what `kubectl get cm x -o yaml` prints
  const cm = run(
    'apiVersion: v1\ndata:\n  key: value\nkind: ConfigMap\nmetadata:\n  name: my-config\n  namespace: default\n  resourceVersion: "1"\n',
  );
  assert.equal(cm.code, 1, "exit code unchanged: it fails");
  assert.equal(
    cm.stdout,
    "-:4:7: error schema: this is a ConfigMap (v1), not a Quorate Topology: Quorate reads a design (`apiVersion: quorate.dev/v1alpha1`, `kind: Topology`) and, for its RBAC and export rules, Roles, ClusterRoles, their bindings and ServiceExports\n\n1 error, 0 warnings, 0 info in 1 file\n",
  );
  // what `kubectl get cm,secret -o yaml` prints: a List, its kinds counted
  const list = run(
    'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: { name: a }\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: { name: b }\n- apiVersion: v1\n  kind: Secret\n  metadata: { name: c }\nkind: List\nmetadata:\n  resourceVersion: ""\n',
  );
  assert.equal(list.code, 1);
  assert.match(
    list.stdout,
    /^-:12:7: error schema: this is a List \(v1\) of 3 objects \(ConfigMap ×2 and Secret\), not a Quorate Topology: Quorate reads a design/,
  );
  assert.match(list.stdout, /\n\n1 error, 0 warnings, 0 info in 1 file\n$/);
  // a List of bindings piped in: read as the objects it holds (kubectl get rolebindings -o yaml | quorate check -)
  const bindings = run(
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\n  metadata: { name: b, namespace: x }\n",
  );
  assert.equal(bindings.code, 0, bindings.stdout);
  assert.equal(bindings.stdout, "0 errors, 0 warnings, 0 info in 1 file\n");
  assert.match(run("apiVersion: v1\nkind: List\nitems: []\n").stdout, /this is a List \(v1\) with no items, not a Quorate Topology/);
  assert.match(run("apiVersion: networking.k8s.io/v1\nkind: Ingress\n").stdout, /this is an Ingress \(networking\.k8s\.io\/v1\), not/);
  // a misspelt kind, or our own version with another kind, or no apiVersion: the schema's messages, which name the mistake
  const typo = run(`${HEADER.replace("kind: Topology", "kind: Topolgy")}sites:\n  - name: fra\n`);
  assert.equal(typo.code, 1);
  assert.match(typo.stdout, /^-:2:7: error schema: `kind` must be `Topology`, not "Topolgy"/m);
  assert.doesNotMatch(typo.stdout, /this is a/);
  assert.match(run(`${HEADER.replace("kind: Topology", "kind: Design")}sites: []\n`).stdout, /`kind` must be `Topology`, not "Design"/);
  assert.match(run("apiVersion: v1\nkind: topology\nsites: []\n").stdout, /`apiVersion` must be `quorate\.dev\/v1alpha1`/);
  assert.match(run("kind: ConfigMap\ndata: {}\n").stdout, /missing required property `apiVersion`/);
});

test("diff takes - for one version, like the other commands; not for both", () => {
  const before = readFileSync("examples/payments-eu.topology.yaml", "utf8");
  const named = runCli(["diff", "--format", "json", "examples/payments-eu.topology.yaml", "examples/payments-eu-reviewed.topology.yaml"]);
  const piped = runCli(["diff", "--format", "json", "-", "examples/payments-eu-reviewed.topology.yaml"], process.cwd(), before);
  assert.equal(piped.code, named.code, piped.stderr);
  assert.deepEqual(JSON.parse(piped.stdout).scenarios, JSON.parse(named.stdout).scenarios);
  const after = runCli(["diff", "examples/payments-eu.topology.yaml", "-"], process.cwd(), before);
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /no regressions/);
  const both = runCli(["diff", "-", "-"], process.cwd(), before);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /standard input for one version only/);
});

test("check - in process: read once even when named twice; no standard input is a usage error", () => {
  const dir = workspace();
  try {
    let reads = 0;
    const text = readFileSync(join(dir, "bad.topology.yaml"), "utf8");
    let stdout = "";
    const io: Io = {
      stdout: (s) => (stdout += s),
      stderr: () => {},
      isTTY: false,
      env: {},
      cwd: dir,
      stdin: () => {
        reads++;
        return text;
      },
    };
    assert.equal(main(["check", "--format", "json", "-", "-"], io, "9.9.9"), 1);
    assert.equal(reads, 1);
    assert.equal(JSON.parse(stdout).length, 2);
    const none = cli(["check", "-"], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /cannot read - \(standard input\)/);
    let err = "";
    const failing: Io = {
      ...io,
      stderr: (s) => (err += s),
      stdin: () => {
        throw Object.assign(new Error("x"), { code: "EAGAIN" });
      },
    };
    assert.equal(main(["check", "-"], failing, "9.9.9"), 2);
    assert.match(err, /^quorate: cannot read - \(standard input\): EAGAIN\n$/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the built binary runs (npx quorate) with the same contract", () => {
  const dir = workspace();
  try {
    const bin = join(__dirname, "..", "..", "..", "dist", "cli.js");
    const r = spawnSync(process.execPath, [bin, "check", "--format", "json", "bad.topology.yaml"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).length, 2);
    const bad = spawnSync(process.execPath, [bin, "check", "nope.yaml"], { cwd: dir, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^quorate: cannot read nope\.yaml: no such file or folder\n$/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("readBoundedFd reads a file descriptor to its end, or stops one byte past the bound", () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-fd-"));
  try {
    writeFileSync(join(dir, "f"), "é".repeat(600));
    // 1,200 bytes; a bound that cuts a two-byte character still reads as past it
    const length = 1200;
    for (const bound of [2000, 1200, 1199, 10]) {
      const fd = openSync(join(dir, "f"), "r");
      try {
        const text = readBoundedFd(fd, bound);
        assert.equal(Buffer.byteLength(text) > bound, length > bound, `bound ${bound}`);
        if (length <= bound) assert.equal(text, "é".repeat(600));
      } finally {
        closeSync(fd);
      }
    }
    const zero = openSync("/dev/zero", "r");
    try {
      assert.equal(readBoundedFd(zero, 100_000).length, 100_001);
    } finally {
      closeSync(zero);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
