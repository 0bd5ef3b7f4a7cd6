import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Alias } from "yaml";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeFile, analyzeRun, finalize } from "../../server/src/analysis";
import { fixesFor } from "../../server/src/fixes/fixes";
import { analyzeChange } from "../../server/src/incremental";
import { commitLatency, frozenSplit } from "../../server/src/math/quorum";
import { MAX_NESTING, nestingBeyond, space } from "../../server/src/model/nesting";
import { parseFile, shortenQuotedToken } from "../../server/src/model/parse";
import { LineIndex } from "../../server/src/model/text";
import { DEFAULT_OPTIONS } from "../../server/src/derive/context";
import { documentSymbolsOf } from "../../server/src/service/navigation";
import { ABC } from "../fixtures/fixable";
import { sizeText } from "../../server/src/discovery";
import { applyFirst, check, codes, HEADER, only, rng, runCli } from "../helpers";

const THREE = ABC;
const store = (members: string) => `${THREE}stores:\n  - name: db\n    replication: consensus\n    members: ${members}\n`;

test("member counts in the billions cost O(sites): 1e9, 2^32 and 3e9 are judged at once", () => {
  for (const big of ["1e9", "4294967296", "3000000000"]) {
    const started = Date.now();
    const f = check(store(`{ a: 2, b: 2, c: ${big} }`));
    // (a bound that only a loop over the members could pass: a billion of them would take minutes)
    assert.ok(Date.now() - started < 60_000, `${big} answered (${Date.now() - started} ms)`);
    const many = f.find((x) => x.code === "quorum/too-many-members");
    assert.ok(many, `${big}: too-many-members`);
    assert.match(many.message, new RegExp(String(Number(big) + 4)));
    assert.ok(!f.some((x) => x.code === "value/too-large"), `${big} is exact`);
  }
});

test("value/too-large: a count past 2^53 − 1 is reported at that value and feeds no quorum rule", () => {
  const exact = check(store("{ a: 2, b: 2, c: 9007199254740987 }"));
  assert.ok(!exact.some((x) => x.code === "value/too-large"), "a sum of exactly 2^53 − 1 is exact");
  assert.ok(exact.some((x) => x.code === "quorum/too-many-members"));
  const edge = (v: string) => only(`${THREE}traffic:\n  - name: t\n    peakRps: ${v}\n    backends: []\n`, "value/too-large").length;
  assert.equal(edge("9007199254740991"), 0, "2^53 − 1");
  assert.equal(edge("9007199254740992"), 1, "2^53");
  assert.equal(edge("-9007199254740992"), 1, "−2^53");

  const f = check(store("{ a: 2, b: 2, c: 99999999999999999999 }"));
  const big = f.filter((x) => x.code === "value/too-large");
  assert.equal(big.length, 1);
  assert.equal(big[0].text, "99999999999999999999");
  assert.match(big[0].message, /members\.c.*99999999999999999999.*2\^53 − 1/);
  assert.deepEqual(
    f.filter((x) => x.code.startsWith("quorum/") || x.code.startsWith("rtt/")).map((x) => x.code),
    [],
    "no arithmetic on an inexact quorum",
  );

  const past = only(store("{ a: 2, b: 2, c: 9007199254740993 }"), "value/too-large");
  assert.equal(past.length, 1, "2^53 + 1 is past the bound");

  // each count exact, their sum not: one finding on the members key
  const sum = only(store("{ a: 9007199254740000, b: 9007199254740000, c: 1 }"), "value/too-large");
  assert.equal(sum.length, 1);
  assert.equal(sum[0].text, "members");
  assert.match(sum[0].message, /add up to/);

  // anywhere in the document, not only members
  const rps = only(`${THREE}traffic:\n  - name: t\n    peakRps: 1e300\n    backends: []\n`, "value/too-large");
  assert.equal(rps.length, 1);
  assert.equal(rps[0].text, "1e300");
});

test("commit latency and frozen splits do not depend on member counts", () => {
  const rtt = (x: string, y: string) => (x === y ? 0 : ({ ab: 2, ac: 3, bc: 4 } as Record<string, number>)[[x, y].sort().join("")]);
  const r = rng(7);
  for (let i = 0; i < 300; i++) {
    const m = new Map([
      ["a", Math.floor(r() * 6)],
      ["b", Math.floor(r() * 6)],
      ["c", Math.floor(r() * 6)],
    ]);
    // brute force: one cost per member, sorted
    const costs = [...m].flatMap(([s, c]) => Array.from({ length: c }, () => rtt("a", s)!)).sort((x, y) => x - y);
    const n = costs.length;
    assert.equal(commitLatency(m, rtt, "a"), n ? costs[Math.floor(n / 2)] : undefined, JSON.stringify([...m]));
  }
  const huge = new Map([
    ["a", 1e15],
    ["b", 1e15],
    ["c", 2e15],
  ]);
  assert.equal(commitLatency(huge, rtt, "a"), 3);
  assert.deepEqual(frozenSplit(huge), { left: ["a", "b"], right: ["c"] });
});

test("Remove this export deletes exactly the export's lines, also before another item", () => {
  const text = `${HEADER}sites:\n  - name: s\nclusters:\n  - name: c1\n    site: s\n    mesh: clustermesh\n    id: 1\nexports:\n  - service: a\n    namespace: kube-system\n    clusters: [c1]\n  - service: b\n    namespace: apps # keep\n    clusters: [c1]\n`;
  const out = applyFirst(text, "export/system-namespace", "Remove this export");
  assert.equal(out, text.replace("  - service: a\n    namespace: kube-system\n    clusters: [c1]\n", ""));
});

test("Change to <closest> never repeats a sibling: no duplicate key, no [a, a]", () => {
  const members = `${HEADER}sites:\n  - name: hall-a\n  - name: hall-b\n  - name: hall-c\nstores:\n  - name: db\n    replication: consensus\n    members: { hall-a: 1, hall-b: 1, hall-d: 1 }\n`;
  const titles = fixTitles(members, "ref/unknown");
  assert.ok(!titles.includes("Change to `hall-a`") && !titles.includes("Change to `hall-b`"), titles.join(" | "));
  const between = `${HEADER}sites:\n  - name: hall-a\n  - name: hall-c\nlinks:\n  - between: [hall-a, hall-x]\n    rttMs: 2\n`;
  assert.ok(fixTitles(between, "ref/unknown").includes("Change to `hall-c`"), "a free name is still offered");
  const same = `${HEADER}sites:\n  - name: hall-a\nlinks:\n  - between: [hall-a, hall-b]\n    rttMs: 2\n`;
  assert.ok(!fixTitles(same, "ref/unknown").some((t) => t.startsWith("Change to")), "the only near name is the sibling");
});

test("Declare site is offered only for names that are valid site names", () => {
  const bad = `${HEADER}sites:\n  - name: fra\nclusters:\n  - name: c\n    site: Fra_1\n`;
  assert.ok(!fixTitles(bad, "ref/unknown").some((t) => t.startsWith("Declare site")));
  const good = `${HEADER}sites:\n  - name: fra\nclusters:\n  - name: c\n    site: ams-2\n`;
  assert.ok(fixTitles(good, "ref/unknown").includes("Declare site `ams-2`"));
});

test("Declare site for a key that is empty, `null` or a number: never offered empty, quoted where YAML would read another type", () => {
  const empty = `${HEADER}sites:\n  - name: a\nstores:\n  - name: db\n    replication: consensus\n    members: { a: 1, : 1 }\n`;
  assert.ok(!fixTitles(empty, "ref/unknown").some((t) => t.startsWith("Declare site")));
  for (const [key, written] of [
    ["null", '"null"'],
    ["123", '"123"'],
    ["true", '"true"'],
    ["ams-2", "ams-2"],
  ]) {
    const text = `${HEADER}sites:\n  - name: a\nstores:\n  - name: db\n    replication: consensus\n    members: { a: 1, ${key}: 1 }\n`;
    const out = applyFirst(text, "ref/unknown", "Declare site");
    assert.match(out, new RegExp(`- name: ${written}\\n`), out);
    // and the finding goes away
    assert.ok(!fixTitles(out, "ref/unknown").length, `${key}: ${out}`);
  }
});

test("Add link never writes over a `links:` that is a mapping for the moment", () => {
  const text = `${HEADER}sites:\n  - name: a\n  - name: b\n  - name: c\nlinks:\n    rttMs: 14\nclusters:\n  - name: k\n    site: a\n    etcd:\n      members: { a: 1, b: 1, c: 1 }\n`;
  const a = analyzeFile("t.topology.yaml", text);
  for (const f of a.local) {
    const fixes = fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, f);
    assert.ok(!fixes.some((x) => x.title.startsWith("Add link")), "no Add link while links is not a list");
  }
  const empty = `${HEADER}sites:\n  - name: a\n  - name: b\n  - name: c\nlinks:\nclusters:\n  - name: k\n    site: a\n    etcd:\n      members: { a: 1, b: 1, c: 1 }\n`;
  const out = applyFirst(empty, "rtt/missing-link", "Add link");
  assert.match(out, /links:\n {2}- between: \[a, b\]\n {4}rttMs: 10 # estimate: measure before rollout\nclusters:/);
});

test("CRLF: no published position falls between \\r and \\n", () => {
  const text = "a:\r\n    b: 1\r\n\r\n  c: 2\r\n";
  const r = analyzeRun([{ path: "t.topology.yaml", text }])[0];
  const lines = new LineIndex(text);
  assert.ok(r.findings.length > 0);
  for (const f of r.findings) {
    for (const o of [f.span.start, f.span.end]) {
      const p = lines.positionAt(o);
      assert.ok(p.character <= lines.lineText(p.line).length, `${f.code} at ${p.line}:${p.character} inside "${lines.lineText(p.line)}"`);
    }
  }
  assert.deepEqual(lines.positionAt(text.indexOf("\r\n") + 1), { line: 0, character: 2 });
});

test("an alias to no anchor is a syntax finding at the alias, not an alias bomb", () => {
  const text = `${HEADER}sites:\n  - name: *nope\n`;
  const f = check(text);
  assert.deepEqual(
    f.map((x) => [x.code, x.text, x.line]),
    [["yaml/syntax", "*nope", 6]],
  );
  assert.match(f[0].message, /`\*nope` names no anchor/);
  // a real bomb is still the alias limit
  const bomb = `${HEADER}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nsites:\n  - name: s\n`;
  assert.ok(codes(bomb).includes("yaml/aliases"));
});

test("an alias inside its own anchor is one yaml/aliases finding at the alias, and the document is not analysed — never a stack overflow (audit A24)", () => {
  const site = `${HEADER}sites:\n  - name: fra\n  - name: lon\n`;
  for (const [text, at] of [
    [`${HEADER}labels: &m { a: *m }\nsites:\n  - name: fra\n`, "*m"],
    [`${HEADER}sites: &l\n  - name: fra\n    x: [*l]\n`, "*l"],
    [`${site}links: &k\n  - between: [fra, lon]\n    rttMs: 5\n    more: { deeper: [1, { again: *k }] }\n`, "*k"],
  ]) {
    const f = check(text);
    assert.deepEqual(
      f.map((x) => [x.code, x.text]),
      [["yaml/aliases", at]],
      JSON.stringify(f),
    );
    assert.match(f[0].message, /is inside the node `&[mlk]` names, so that node contains itself without end; the document is not analysed/);
  }
  // beside another YAML finding (a repeated key) it is still found: never the validator's stack overflow
  assert.deepEqual(
    check(`${HEADER}metadata:\n  labels: &m { a: *m }\nsites:\n  - name: fra\n`).map((x) => x.code),
    ["yaml/duplicate-key", "yaml/aliases"],
  );
  // the other side: an alias to an anchor it is not inside is read as before
  const fine = check(`${site}links:\n  - &one { between: [fra, lon], rttMs: 5 }\nclusters: []\nx: *one\n`);
  assert.ok(!fine.some((x) => x.code === "yaml/aliases" || x.code === "quorate/internal-error"), JSON.stringify(fine));
});

test("a stray token is quoted in a syntax message up to 16 characters: a credentials file's token never lands whole in SARIF", () => {
  const token = "eC1hY2Nlc3MtdG9rZW46Z2hzX1NFQ1JFVFRPS0VO";
  // .git/config as actions/checkout leaves it, read as a topology (a link named *.topology.yaml)
  const gitConfig = `[core]\n\trepositoryformatversion = 0\n\tbare = false\n[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${token}\n`;
  const messages = parseFile("leak.topology.yaml", gitConfig).docs.flatMap((d) => d.yamlFindings.map((x) => x.message));
  assert.ok(messages.length > 0);
  for (const m of messages) assert.ok(!m.includes(token.slice(10)), m);
  assert.ok(
    messages.includes(`Unexpected scalar token in YAML stream: "basic eC1hY2Nlc3"… (${token.length + 6} characters)`),
    messages.join("\n"),
  );
  // 16 characters or fewer: quoted whole, as yaml says it
  assert.ok(messages.includes('Unexpected map-value-ind token in YAML stream: ":"'), messages.join("\n"));
  assert.equal(
    shortenQuotedToken('Unexpected scalar token in YAML stream: "sixteen-chars-ok"'),
    'Unexpected scalar token in YAML stream: "sixteen-chars-ok"',
  );
  assert.equal(
    shortenQuotedToken('Unexpected scalar token in YAML stream: "seventeen-chars-x"'),
    'Unexpected scalar token in YAML stream: "seventeen-chars-"… (17 characters)',
  );
});

test(`nesting: ${MAX_NESTING} levels are parsed, one more is one yaml/too-deep finding, opened or typed`, () => {
  const flow = (depth: number) => `${HEADER}x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
  // the document's indentation level counts one
  assert.equal(nestingBeyond(flow(MAX_NESTING - 1)), -1);
  assert.ok(nestingBeyond(flow(MAX_NESTING)) >= 0);
  const under = check(flow(MAX_NESTING - 1)).map((x) => x.code);
  assert.ok(!under.includes("yaml/too-deep") && !under.includes("yaml/syntax"), under.join(","));
  for (const depth of [MAX_NESTING, 3000]) {
    const f = check(flow(depth));
    assert.deepEqual(
      f.map((x) => x.code),
      ["yaml/too-deep"],
      `${depth} opened`,
    );
  }
  // typed in: the same single finding as when opened
  const base = `${HEADER}sites:\n  - name: a\n    extra: 1\n`;
  const at = base.indexOf("extra: 1") + 7;
  const deep = "[".repeat(3000) + "]".repeat(3000);
  const next = base.slice(0, at) + deep + base.slice(at + 1);
  const prev = analyzeFile("t.topology.yaml", base);
  const typed = analyzeChange(prev, "t.topology.yaml", { start: at, end: at + 1, text: deep }, next, DEFAULT_OPTIONS);
  assert.deepEqual(
    finalize(typed.parsed, typed.local).map((x) => x.code),
    ["yaml/too-deep"],
  );
  // block nesting counts too, and quotes and comments do not
  const block = `${HEADER}x:\n${Array.from({ length: 120 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} 1\n`;
  assert.ok(nestingBeyond(block) >= 0);
  assert.equal(nestingBeyond(`${HEADER}x: "[[[[[[[[[[" # [[[[[[[[[[[[[[[[[[[\n`, 5), -1);
});

test("incremental and from-scratch agree on the outline after an edit in the last item before a blank line", () => {
  const text = `${HEADER}sites:\n  - name: a\n  - name: b\n    # trailing comment\n\nclusters:\n  - name: c1\n    site: a\n    id: 1\n\n`;
  const at = text.indexOf("id: 1") + 4;
  for (const ins of ["0", "\n", "  # note", "\n    mesh: none"]) {
    const next = text.slice(0, at + 1) + ins + text.slice(at + 1);
    const inc = analyzeChange(
      analyzeFile("t.topology.yaml", text),
      "t.topology.yaml",
      { start: at + 1, end: at + 1, text: ins },
      next,
      DEFAULT_OPTIONS,
    );
    const fresh = analyzeFile("t.topology.yaml", next);
    assert.deepEqual(documentSymbolsOf(inc), documentSymbolsOf(fresh), JSON.stringify(ins));
  }
});

test("CLI: a FIFO is never read, large files are refused up front with the option that raises the limit", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-hard-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(__dirname, "..", "..", "..", "dist", "cli.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir, timeout: 20_000 });
  const fifo = join(dir, "pipe.topology.yaml");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  writeFileSync(join(dir, "ok.topology.yaml"), `${HEADER}sites:\n  - name: s\n`);
  const direct = run("check", "pipe.topology.yaml");
  assert.equal(direct.status, 2);
  assert.match(direct.stderr, /cannot read pipe\.topology\.yaml: not a regular file \(a FIFO\)/);
  const folder = run("check", ".");
  assert.equal(folder.status, 0, folder.stderr);
  assert.match(folder.stderr, /skipped pipe\.topology\.yaml: not a regular file/);
  rmSync(fifo);

  // exactly at the limit is read; one byte more is refused (exit 2), and the option raises it
  const body = `${HEADER}sites:\n  - name: s\n`;
  writeFileSync(join(dir, "big.topology.yaml"), `${body + "#".repeat(1024 - body.length - 1)}\n`);
  assert.equal(run("check", "--max-file-size-kb", "1", "big.topology.yaml").status, 0);
  writeFileSync(join(dir, "big.topology.yaml"), `${body + "#".repeat(1024 - body.length)}\n`);
  const over = run("check", "--max-file-size-kb", "1", ".");
  assert.equal(over.status, 2);
  assert.match(
    over.stderr,
    /big\.topology\.yaml is 2 KB, over the 1 KB limit for one file: not analysed \(raise it with --max-file-size-kb 2\)/,
  );
  assert.match(over.stdout, /1 file/, "the other files are still analysed and reported");
  assert.equal(run("check", "--max-file-size-kb", "2", "big.topology.yaml").status, 0);
  assert.equal(run("check", "--max-file-size-kb", "0", ".").status, 2);
});

test("CLI in a pipe: a reader that goes away ends the CLI quietly", () => {
  const cli = join(__dirname, "..", "..", "..", "dist", "cli.js");
  const examples = join(__dirname, "..", "..", "..", "examples");
  for (const args of [["check", "--format", "sarif", examples], ["rules"]]) {
    for (let i = 0; i < 3; i++) {
      const r = spawnSync("sh", ["-c", `"${process.execPath}" "${cli}" ${args.map((a) => `"${a}"`).join(" ")} | head -c 1 >/dev/null`], {
        encoding: "utf8",
      });
      assert.equal(r.stderr, "", `no EPIPE trace for ${args.join(" ")}`);
    }
  }
  const dir = spawnSync(process.execPath, [cli, "diagram", examples], { encoding: "utf8" });
  assert.equal(dir.status, 2);
  assert.match(dir.stderr, /examples is a folder: this command takes one topology file \(for example .*\.topology\.yaml\)/);
});

function fixTitles(text: string, code: string): string[] {
  const a = analyzeFile("t.topology.yaml", text);
  return a.local
    .filter((f) => f.code === code)
    .flatMap((f) => fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, f).map((x) => x.title));
}

test("the nesting scan's whitespace test is /\\s/ for every UTF-16 code unit", () => {
  for (let k = 0; k < 0x10000; k++) {
    const c = String.fromCharCode(k);
    assert.equal(space(c), /\s/.test(c), `U+${k.toString(16)}`);
  }
});

test("aliases cost one walk of the document, not one each: thousands of aliases are analysed as their expansion is", () => {
  // yaml's Alias.resolve walks the whole document whenever it is called without a conversion's
  // cache: once per alias, 3,000 aliases in a 120 KB file took minutes (parse, read and schema)
  const resolve = Alias.prototype.resolve;
  let walks = 0;
  Alias.prototype.resolve = function (this: Alias, doc, ctx) {
    if (!ctx?.aliasResolveCache) walks++;
    return resolve.call(this, doc, ctx);
  };
  const n = 400;
  const file = (site: string, etcd: string) =>
    `${HEADER}x-site: &s fra\nx-etcd: &e { members: { fra: 3 } }\nsites:\n  - name: fra\n  - name: lon\nclusters:\n${Array.from(
      { length: n },
      (_, i) => `  - name: c${i}\n    site: ${site}\n    id: ${i + 1}\n    etcd: ${etcd}\n`,
    ).join("")}`;
  try {
    const aliased = check(file("*s", "*e"));
    assert.ok(walks < 10, `${walks} walks of the whole document for ${2 * n} aliases`);
    const expanded = check(file("fra", "{ members: { fra: 3 } }"));
    assert.ok(expanded.length > 0);
    assert.deepEqual(
      aliased.map((x) => [x.code, x.line, x.message]),
      expanded.map((x) => [x.code, x.line, x.message]),
    );
  } finally {
    Alias.prototype.resolve = resolve;
  }
});

test("editDistance: exact below its cutoff, max + 1 past it; closest compares no name longer than 64 characters (audit A8)", () => {
  const { closest, editDistance, MAX_SUGGEST_LENGTH } =
    require("../../server/src/util/strings") as typeof import("../../server/src/util/strings");
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("flaw", "lawn"), 2);
  assert.equal(editDistance("fra", "fra"), 0);
  assert.equal(editDistance("kitten", "sitting", 2), 3, "past the cutoff: max + 1");
  assert.equal(editDistance("a", "abcdef", 2), 3, "a length gap past the cutoff, at once");
  // random pairs against the textbook recurrence
  const r = rng(7);
  const naive = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
      Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const word = () => Array.from({ length: Math.floor(r() * 9) }, () => "abc"[Math.floor(r() * 3)]).join("");
  for (let k = 0; k < 300; k++) {
    const [a, b] = [word(), word()];
    assert.equal(editDistance(a, b), naive(a, b), `${a} ${b}`);
  }
  assert.equal(MAX_SUGGEST_LENGTH, 64);
  const long = "a".repeat(64);
  assert.equal(closest(`${long.slice(1)}b`, [long]), long, "64 characters: compared");
  assert.equal(closest(`${long}b`, [`${long}c`]), undefined, "65: not compared");
  assert.equal(closest("fra-prod", [`${long}c`, "fra-prd"]), "fra-prd", "a long candidate is skipped, the others scored");
});

test("ref/unknown: suggestions stop once 20,000 declared names have been scored, and a message lists at most 20 of them (audit A8)", () => {
  const { SUGGESTION_BUDGET } = require("../../server/src/rules/references") as typeof import("../../server/src/rules/references");
  assert.equal(SUGGESTION_BUDGET, 20_000);
  const n = 2000;
  const name = (i: number) => `cluster-${String(i).padStart(4, "0")}`;
  const text = `${HEADER}sites:
  - name: fra
clusters:
${Array.from({ length: n }, (_, i) => `  - { name: ${name(i)}, site: fra }`).join("\n")}
traffic:
  - name: t
    steering: gslb
    backends:
${Array.from({ length: 15 }, (_, i) => `      - { cluster: ${name(i)}x }`).join("\n")}
`;
  const unknown = check(text).filter((f) => f.code === "ref/unknown");
  assert.equal(unknown.length, 15);
  // 2,000 candidates each: the first ten fit the budget, the rest get no suggestion
  const suggested = unknown.map((f) => / — did you mean `cluster-\d{4}`\?/.test(f.message));
  assert.deepEqual(suggested, [...Array(10).fill(true), ...Array(5).fill(false)]);
  assert.match(unknown[0].message, /did you mean `cluster-0000`\?/);
  assert.match(unknown[0].message, /\(declared clusters: cluster-0000, [^)]*cluster-0019, … \(2000 in all\)\)$/);
  // a small design lists every name
  const small = check(`${HEADER}sites:
  - name: fra
clusters:
  - { name: fra-prod, site: fra }
traffic:
  - name: t
    steering: gslb
    backends:
      - { cluster: fra-prd }
`).find((f) => f.code === "ref/unknown")!;
  assert.match(small.message, /did you mean `fra-prod`\? \(declared clusters: fra-prod\)$/);
});

test("repeated keys are found by one walk, not by the parser (audit A10): nested, in flow, typed in an item, and 1 is not '1'", () => {
  const { firstRepeatedKey, parseFile } = require("../../server/src/model/parse") as typeof import("../../server/src/model/parse");
  const { parseDocument } = require("yaml") as typeof import("yaml");
  const rep = (text: string) => {
    const r = firstRepeatedKey(parseDocument(text, { uniqueKeys: false }).contents);
    return r && [String(r.first.value), r.first.range![0], r.again.range![0]];
  };
  assert.equal(rep("a: 1\nb: 2\n"), undefined);
  assert.deepEqual(rep("a: 1\nb: 2\na: 3\n"), ["a", 0, 10]);
  assert.deepEqual(rep("l:\n  - x: 1\n    y: 2\n  - { p: 1, p: 2 }\n"), ["p", 27, 33]);
  assert.equal(rep("m:\n  1: a\n  '1': b\n"), undefined, "1 and '1' are two keys, as the parser compares them");
  assert.equal(rep("- a: 1\n- a: 2\n"), undefined, "the same key in two mappings");
  // a file's finding is the same as when the parser looked (the key's range, its first occurrence)
  const file = parseFile("t.topology.yaml", `${HEADER}sites:\n  - name: a\n    name: b\n`);
  assert.deepEqual(
    file.docs[0].yamlFindings.map((f) => [f.code, file.text.slice(f.span.start, f.span.end)]),
    [["yaml/duplicate-key", "name"]],
  );
  // a key repeated by a keystroke inside an item: the item-level re-parse gives way to the whole file's
  const base = `${HEADER}sites:\n  - name: a\n    location: { lat: 1, lon: 2 }\n`;
  const at = base.indexOf("lon: 2");
  const next = `${base.slice(0, at)}lat${base.slice(at + 3)}`;
  const typed = analyzeChange(
    analyzeFile("t.topology.yaml", base),
    "t.topology.yaml",
    { start: at, end: at + 3, text: "lat" },
    next,
    DEFAULT_OPTIONS,
  );
  assert.ok(
    finalize(typed.parsed, typed.local).some((x) => x.code === "yaml/duplicate-key"),
    "the repeated lat is a finding",
  );
});

test("CLI: a file is read once however many names it has, and a run reads no more than --max-total-size-mb in all (audit A20)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-budget-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const body = `${HEADER}sites:\n  - name: s\n`;
  const padded = `${body}${"# padding to 600 KB\n".repeat(30 * 1024)}`;
  for (const n of ["a", "b", "c"]) writeFileSync(join(dir, `${n}.topology.yaml`), padded);
  const size = sizeText(Buffer.byteLength(padded));
  const over = runCli(["check", "--max-total-size-mb", "1", "."], dir);
  assert.equal(over.code, 2, over.stderr);
  assert.equal(
    over.stderr,
    `quorate: 2 files not analysed: b.topology.yaml (${size}), c.topology.yaml (${size}): past the 1 MB this run reads in all (raise it with --max-total-size-mb 3)\n`,
  );
  assert.match(over.stdout, /1 file/, "what fits is still analysed and reported");
  assert.equal(runCli(["check", "--max-total-size-mb", "3", "."], dir).code, 0);
  assert.match(runCli(["check", "--max-total-size-mb", "0", "."], dir).stderr, /--max-total-size-mb takes a whole number of MB/);
  // 300 links to one file and the file named again: read once, the links said
  for (const n of ["b", "c"]) rmSync(join(dir, `${n}.topology.yaml`));
  for (let i = 0; i < 300; i++) symlinkSync("a.topology.yaml", join(dir, `l${i}.topology.yaml`));
  const once = runCli(["check", "--max-total-size-mb", "1", "a.topology.yaml", "."], dir);
  assert.equal(once.code, 0, once.stderr);
  assert.match(once.stdout, /1 file/);
  assert.match(
    once.stderr,
    /^quorate: skipped l0\.topology\.yaml: a symbolic link to a\.topology\.yaml, which is read under its own name: not read twice$/m,
  );
});
