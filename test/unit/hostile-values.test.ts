// Findings 11 and 12 of the third hardening round: names that are Object.prototype's keys, and
// fractions where the schema says integer, through the analysis, simulate and the record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { ALL_UP, run, sweep } from "../../server/src/whatif/engine";
import { HEADER, inTempDir, runCli } from "../helpers";
import { main } from "../../server/src/cli/main";
import { contextOf, emptyArgs, MAX_SCENARIOS, plan } from "../../server/src/cli/simulate";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseDocument, visit } from "yaml";
import { gameDayFor } from "../../server/src/service/whatif";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PROTO = `${HEADER}sites:
  - name: constructor
  - name: __proto__
  - name: tostring
links:
  - { between: [constructor, __proto__], rttMs: 5 }
  - { between: [constructor, tostring], rttMs: 5 }
  - { between: [__proto__, tostring], rttMs: 5 }
stores:
  - name: ledger
    replication: consensus
    members: { constructor: 1, __proto__: 1, tostring: 1 }
`;

test("sites named constructor and __proto__ are ordinary names: no NaN, no inherited value", () => {
  const ctx = analyzeFile("p.topology.yaml", PROTO).contexts[0];
  const up = run(ctx, ALL_UP);
  assert.deepEqual(up.quorums[0].members, JSON.parse('{"constructor": 1, "__proto__": 1, "tostring": 1}'));
  assert.equal(up.verdict, "ok");
  for (const s of sweep(ctx, "single")) {
    const r = run(ctx, s);
    assert.equal(r.verdict, "ok", `${r.name}: ${r.breaks.join("; ")}`);
    assert.equal(r.quorums[0].outcome, "continues");
    assert.ok(!JSON.stringify(r).includes("NaN") && !r.breaks.join(" ").includes("NaN"));
  }
  // a member loss at a site called __proto__ is a member loss, not an assignment to the prototype
  const lm = JSON.parse('{"__proto__": 1, "constructor": 1}') as Record<string, number>;
  assert.equal(run(ctx, { ...ALL_UP, loseMembers: lm }).quorums[0].outcome, "stops");
});

test("CLI simulate, report and check on prototype names print no NaN, undefined or [object", () =>
  inTempDir({ "p.topology.yaml": PROTO }, (_dir, cli) => {
    for (const argv of [
      ["simulate", "--all-single-site", "p.topology.yaml"],
      ["simulate", "--lose-members", "__proto__:1,constructor:1", "p.topology.yaml"],
      ["report", "p.topology.yaml"],
      ["check", "p.topology.yaml"],
    ]) {
      const r = cli(argv);
      assert.ok(!/NaN|undefined|\[object |function /.test(r.stdout + r.stderr), `${argv.join(" ")}: ${r.stdout}`);
    }
    assert.equal(cli(["simulate", "--lose-members", "__proto__:1,constructor:1", "p.topology.yaml"]).code, 1);
  }));

test("a fraction where the schema says integer is the schema's finding alone: no rule throws, the other findings stay", () => {
  const text = `${HEADER}sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - { name: a, site: fra, id: 1.5 }
  - { name: b, site: lon }
stores:
  - { name: s, replication: async, writers: [fra], maxLagSeconds: 0.3, writeRatePerSecond: 0.7, writeBytes: 0.9, lagBufferBytes: 0.01 }
  - { name: q, replication: consensus, members: { fra: 1.5, lon: 2 } }
traffic:
  - name: web
    steering: gslb
    peakRps: 1000
    backends:
      - { cluster: a, capacityRps: 0.1 }
      - { cluster: b, capacityRps: 600 }
`;
  const a = analyzeFile("f.topology.yaml", text);
  const codes = a.local.map((f) => f.code);
  assert.ok(!codes.includes("quorate/internal-error"), codes.join(" "));
  assert.ok(codes.includes("data/lag-buffer"), "a fractional byte count is still judged (the schema says number)");
  assert.ok(a.local.some((f) => f.code === "schema" && /capacityRps/.test(f.message)));
  // the rest of the design is still judged: the same file with a whole capacity gets its capacity finding
  const whole = analyzeFile("f.topology.yaml", text.replace("capacityRps: 0.1", "capacityRps: 100")).local.map((f) => f.code);
  assert.ok(whole.includes("capacity/site-loss"), whole.join(" "));
});

/** `n` sites in a chain, one store on the first three. */
function chain(n: number): string {
  const s = Array.from({ length: n }, (_, i) => `s${i}`);
  return `${HEADER}sites:\n${s.map((x) => `  - name: ${x}`).join("\n")}\nlinks:\n${s
    .slice(1)
    .map((x, i) => `  - { between: [${s[i]}, ${x}], rttMs: 5 }`)
    .join("\n")}\nstores:\n  - { name: l, replication: consensus, members: { s0: 1, s1: 1, s2: 1 } }\n`;
}

test("sweeps and records are bounded with a clear message: 101 sites' pairs are refused, 41 sites' pairs are not listed", () =>
  inTempDir({ "big.topology.yaml": chain(101), "mid.topology.yaml": chain(41), "small.topology.yaml": chain(4) }, (_dir, cli) => {
    const big = cli(["simulate", "--all-double-site", "--format", "json", "big.topology.yaml"]);
    assert.equal(big.code, 2);
    assert.equal(
      big.stderr,
      "quorate: this run would simulate 5,050 scenarios (101 sites), more than the 5,000 one run computes: name the sites (--lose A,B) or sweep single-site losses\n",
    );
    assert.notEqual(
      cli(["simulate", "--all-single-site", "--format", "json", "big.topology.yaml"]).code,
      2,
      "single-site losses of 101 sites are within the bound",
    );
    const mid = cli(["report", "mid.topology.yaml"]);
    assert.equal(mid.code, 0);
    assert.match(mid.stdout, /Losses of two sites: 41 sites \(820 pairs\), more than the 40 whose pairs are listed/);
    const small = cli(["report", "small.topology.yaml"]);
    assert.match(small.stdout, /Every loss of two sites:/);
    assert.ok(!/Losses of two sites: /.test(small.stdout));
  }));

test("the scenario bound: every pair of 100 sites (4,950) is planned, 101 sites' 5,050 are refused", () => {
  const args = { ...emptyArgs(), sweeps: ["double" as const] };
  assert.equal(plan(contextOf("a.topology.yaml", chain(100)), args).scenarios.length, 4950);
  assert.ok(4950 <= MAX_SCENARIOS && 5050 > MAX_SCENARIOS);
  assert.throws(() => plan(contextOf("a.topology.yaml", chain(101)), args), /5,050 scenarios \(101 sites\), more than the 5,000/);
});

/** simulate's output as main() writes it: every chunk, in order. */
function chunksOf(argv: readonly string[], text: string): { code: number; chunks: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "quorate-t-"));
  try {
    writeFileSync(join(dir, "d.topology.yaml"), text);
    const chunks: string[] = [];
    const io = { stdout: (s: string) => chunks.push(s), stderr: (s: string) => chunks.push(s), isTTY: false, env: {}, cwd: dir };
    return { code: main([...argv, "d.topology.yaml"], io, "0"), chunks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a sweep is written a scenario at a time, never as one string: the output of a sweep is bounded by one scenario, in every format", () => {
  const design = chain(12); // 66 double-site losses
  for (const format of ["json", "text", "md"]) {
    const { chunks } = chunksOf(["simulate", "--all-double-site", "--format", format], design);
    const whole = chunks.join("");
    const one = chunksOf(["simulate", "--lose", "s3,s7", "--format", format], design).chunks.join("");
    // one chunk per scenario (plus the opening/closing or the count): the largest holds one scenario
    assert.ok(chunks.length >= 66, `${format}: ${chunks.length} chunks`);
    const largest = Math.max(...chunks.slice(format === "md" ? 1 : 0).map((c) => c.length));
    assert.ok(largest < one.length * 2, `${format}: a chunk of ${largest} characters, one scenario is ${one.length}`);
    assert.ok(largest * 10 < whole.length, `${format}: a chunk of ${largest} of ${whole.length} characters`);
    if (format === "json") {
      const parsed = JSON.parse(whole);
      assert.equal(parsed.length, 66);
      assert.deepEqual(parsed[0].scenario.lose, ["s0", "s1"]);
      // byte for byte what JSON.stringify of the whole array gives
      assert.equal(whole, `${JSON.stringify(parsed, null, 2)}\n`);
    }
  }
  // on both sides of the smallest sweeps: none (a two-site design) is an empty array, one is an array of one
  const two = chain(2);
  // …and says why on stderr (the first chunk here: this io takes both streams), JSON on stdout untouched
  const why = "quorate: --all-double-site: a two-site design has no double loss that leaves a site up (sweeps skip losing every site)\n";
  const none = chunksOf(["simulate", "--all-double-site", "--format", "json"], two).chunks;
  assert.deepEqual([none[0], none.slice(1).join("")], [why, "[]\n"]);
  const three = JSON.parse(chunksOf(["simulate", "--all-double-site", "--format", "json"], chain(3)).chunks.join(""));
  assert.equal(three.length, 3);
  const single = JSON.parse(chunksOf(["simulate", "--lose", "s1", "--format", "json"], chain(3)).chunks.join(""));
  assert.ok(!Array.isArray(single) && single.name === "lose s1");
  const noneText = chunksOf(["simulate", "--all-double-site"], two).chunks;
  assert.equal(noneText[0], why);
  assert.match(noneText.slice(1).join(""), /^0 scenarios: 0 ok, 0 degraded, 0 down\n$/);
});

test("a game day is not written from a file that breaks the schema: the CLI refuses (exit 2, nothing written), the editor answers the same reason", async () => {
  const valid = `${HEADER}sites:\n  - name: ams\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [ams, fra], rttMs: 5 }\n  - { between: [fra, lon], rttMs: 14 }\n  - { between: [ams, lon], rttMs: 9 }\nclusters:\n  - { name: fra-prod, site: fra, network: { nodes: 192.168.1.0/24 } }\n  - { name: lon-prod, site: lon, network: { nodes: 192.168.2.0/24 } }\nstores:\n  - { name: l, replication: consensus, members: { ams: 1, fra: 1, lon: 1 } }\n`;
  const hostile = valid.replaceAll("ams", '"ams$(id)"').replace('- name: "ams$(id)"', '- name: "ams$(id)"');
  inTempDir({ "ok.topology.yaml": valid, "bad.topology.yaml": hostile }, (dir, cli) => {
    const bad = cli(["gameday", "--lose", "fra", "-o", "gd-bad", "bad.topology.yaml"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /^quorate: bad\.topology\.yaml:\d+:\d+: `name` "ams\$\(id\)" is not a DNS label .*\(fix it first: `quorate check bad\.topology\.yaml`\)\n$/,
    );
    assert.ok(!existsSync(join(dir, "gd-bad")), "nothing written");
    // the same design with a valid name is written
    const ok = cli(["gameday", "--lose", "fra", "-o", "gd-ok", "ok.topology.yaml"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(dir, "gd-ok", "RUNBOOK.md")));
  });
  const editor = (text: string) =>
    gameDayFor(
      analyzeFile("f.topology.yaml", text),
      { uri: "file:///f", scenario: { lose: ["fra"] }, tool: "chaos-mesh", duration: "10m" },
      "f.topology.yaml",
    );
  assert.match((await editor(hostile))?.error ?? "", /^line \d+: `name` "ams\$\(id\)" is not a DNS label/);
  assert.equal((await editor(hostile))?.files.length, 0);
  assert.equal((await editor(valid))?.error, undefined);
  assert.ok(((await editor(valid))?.files.length ?? 0) > 0);
});

/** Every number scalar of `text` (its offset range), found by the YAML parser itself. */
function numberScalars(text: string): [number, number][] {
  const out: [number, number][] = [];
  visit(parseDocument(text), {
    Scalar(_k, n) {
      if (typeof n.value === "number" && n.range) out.push([n.range[0], n.range[1]]);
    },
  });
  return out;
}

test("`.nan` and `.inf` at every numeric field of the examples: one precise value/too-large there, no schema bound on 'null', no NaN in any output (audit A12)", () => {
  const NOT_A_NUMBER = /YAML's "not a number": it is no value, so Quorate does not compute with it \(write a number\)$/;
  const INFINITE = /YAML's (negative )?infinity: no design value is infinite, so Quorate does not compute with it \(write a number\)$/;
  let fields = 0;
  for (const example of [
    "examples/payments-eu.topology.yaml",
    "examples/payments-eu-reviewed.topology.yaml",
    "examples/drift/edge.topology.yaml",
  ]) {
    const text = readFileSync(example, "utf8");
    for (const [start, end] of numberScalars(text)) {
      fields++;
      for (const bad of [".nan", ".inf", fields % 2 ? "-.inf" : ".NaN"]) {
        const changed = `${text.slice(0, start)}${bad}${text.slice(end)}`;
        const { findings } = analyzeAlone("t.topology.yaml", changed);
        const at = findings.filter((f) => f.span.start === start);
        const where = `${example} @${start} ${text.slice(start, end)} → ${bad}`;
        // one finding where the value is, saying what it is; no schema bound read against JSON's null
        assert.deepEqual(
          at.map((f) => f.code),
          ["value/too-large"],
          `${where}: ${JSON.stringify(at.map((f) => f.message))}`,
        );
        assert.match(at[0].message, /nan/i.test(bad) ? NOT_A_NUMBER : INFINITE, where);
        assert.ok(at[0].message.includes(` is ${bad}, `), where);
        for (const f of findings)
          assert.ok(!/\bnull\b|\bNaN\b|Infinity/.test(f.message.split(bad).join("")), `${where}: ${f.code} ${f.message}`);
      }
    }
  }
  assert.ok(fields >= 60, `${fields} numeric fields`);
  // the arithmetic takes such a value as absent: simulate, availability and the record print no NaN
  const text = readFileSync("examples/payments-eu.topology.yaml", "utf8");
  for (const [i, [start, end]] of numberScalars(text).entries()) {
    const changed = `${text.slice(0, start)}.nan${text.slice(end)}`;
    // the record (3 × the others' time) at every third field
    for (const argv of [["simulate", "--all-single-site", "-"], ["availability", "-"], ...(i % 3 ? [] : [["report", "-"]])]) {
      const r = runCli(argv, process.cwd(), changed);
      assert.ok(
        r.code <= 2 && !/\bNaN\b|Infinity|at .*\.js:\d+/.test(r.stdout + r.stderr),
        `${argv[0]} @${start}: ${r.stderr.slice(0, 300)}`,
      );
    }
  }
});

test("a deployed `.nan` or `.inf` is said as YAML spells it, never JavaScript's NaN (audit A12)", () =>
  inTempDir({}, (dir, cli) => {
    mkdirSync(join(dir, ".git"));
    writeFileSync(
      join(dir, "t.topology.yaml"),
      `${HEADER}sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 5 }\nclusters:\n  - { name: c, site: a, mesh: clustermesh, id: 1, deployment: [v.yaml] }\n  - { name: d, site: b, mesh: clustermesh, id: 2 }\n`,
    );
    writeFileSync(join(dir, "v.yaml"), "cluster:\n  name: c\n  id: .nan\nclustermesh:\n  maxConnectedClusters: -.inf\n");
    const out = cli(["check", "t.topology.yaml"]).stdout;
    assert.match(out, /`cluster\.id` is \.nan \(YAML's "not a number"\) here, but t\.topology\.yaml:\d+ gives c id 1/);
    assert.match(out, /`clustermesh\.maxConnectedClusters` is -\.inf \(YAML's negative infinity\) here/);
    assert.ok(!/NaN|Infinity/.test(out), out);
  }));
