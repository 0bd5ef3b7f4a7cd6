// The diff and simulate as a pull-request comment: every table column has a header, the same
// move in several scenarios is one line, and no cell grows with the design (numbers go below).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inTempDir, HEADER } from "../helpers";

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
const W3070 = REVIEWED.replace(/weight: 50/, "weight: 30").replace(/weight: 50/, "weight: 70");

/** Every cell of every Markdown table in `md` (split on unescaped pipes), header rows included. */
const cells = (md: string) =>
  md
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|(---\|)+$/.test(l))
    .flatMap((l) => l.slice(1, -1).split(/(?<!\\)\|/));

test("diff: a 30/70 weight change is four lines, not 34 — a move in several scenarios names them together, load and headroom together", () => {
  assert.notEqual(W3070, REVIEWED);
  const files = { "old.topology.yaml": REVIEWED, "new.topology.yaml": W3070 };
  const [text, md, json] = inTempDir(files, (_dir, run) =>
    ["text", "md", "json"].map((f) => run(["diff", "--format", f, "old.topology.yaml", "new.topology.yaml"]).stdout),
  );
  const moves = text
    .slice(text.indexOf("Measures that moved"), text.indexOf("\n\n", text.indexOf("Measures that moved")))
    .split("\n")
    .slice(1);
  assert.deepEqual(moves, [
    "    all up, lose ams, every single-link cut and every two-group partition: fra-prod (checkout) load 20,000 → 12,000 rps, headroom 20,000 → 28,000 rps",
    "    all up, lose ams, every single-link cut and every two-group partition: lon-prod (checkout) load 20,000 → 28,000 rps, headroom 20,000 → 12,000 rps",
    "    partition fra,ams / lon: checkout errors 20,000 → 28,000 rps",
    "    partition fra / lon,ams: checkout errors 20,000 → 12,000 rps",
  ]);
  // the JSON keeps one change per scenario and measure
  assert.equal(JSON.parse(json).changes.length, 34);
  // Markdown: named columns, no empty header or cell
  assert.match(
    md,
    /\| scenarios \| what moved \| counted as a regression \|\n\|---\|---\|---\|\n\| all up, lose ams, every single-link cut and every two-group partition \| fra-prod \(checkout\) load 20,000 → 12,000 rps, headroom 20,000 → 28,000 rps \| no \|\n/,
  );
  for (const c of cells(md)) assert.notEqual(c.trim(), "", `an empty cell in:\n${md}`);
});

test("diff to weights 70/50: whole requests per second, as the record and the runbook print them, not to the hundredth (review M121b)", () => {
  const w70 = REVIEWED.replace(/weight: 50\n(\s+)capacityRps: 40000/, "weight: 70\n$1capacityRps: 30000");
  assert.notEqual(w70, REVIEWED);
  const text = inTempDir({ "old.topology.yaml": REVIEWED, "new.topology.yaml": w70 }, (_dir, run) =>
    run(["diff", "old.topology.yaml", "new.topology.yaml"]),
  ).stdout;
  assert.match(text, /, 16,667 rps of checkout time out$/m);
  assert.match(text, /fra-prod \(checkout\) load 20,000 → 23,333 rps, headroom 20,000 → 6,667 rps$/m);
  assert.doesNotMatch(text, /\d\.\d+ rps/);
});

test("diff --format md: a move across a limit says where it is counted — here, or in its scenario's worse verdict (review M96)", () => {
  // the ledger loses its ams voter (all up now writes over the budget: a worse verdict) and fra-prod 10,000 rps of capacity
  const worse = REVIEWED.replace(
    "members: { fra: 2, lon: 2, ams: 1 }\n    writeLatencyBudgetMs",
    "members: { fra: 2, lon: 2 }\n    writeLatencyBudgetMs",
  ).replace("capacityRps: 40000", "capacityRps: 30000");
  assert.equal(worse.match(/members: \{ fra: 2, lon: 2 \}\n/g)?.length, 1);
  const md = inTempDir({ "old.topology.yaml": REVIEWED, "new.topology.yaml": worse }, (_dir, run) =>
    run(["diff", "--format", "md", "old.topology.yaml", "new.topology.yaml"]),
  ).stdout;
  const row = (scenarios: string, what: string) => {
    const line = md.split("\n").find((l) => l.startsWith(`| ${scenarios} | ${what}`));
    assert.ok(line, `no row "${scenarios} | ${what}" in:\n${md}`);
    return line.split(" | ").at(-1)?.replace(/ \|$/, "");
  };
  assert.match(md, /\| scenarios \| what moved \| counted as a regression \|/);
  assert.match(md, /\| what moved \| counted as a regression \|/);
  // all up got worse (ok → degraded): its crossing is that verdict's, not a second regression
  assert.match(md, /\| 🔴 worse \| all up \| ok \| degraded \|/);
  assert.equal(row("all up", "store ledger writes from lon 16 → 28 ms (over the 20 ms budget)"), "in the verdict above");
  // the same crossing where the verdict word stayed (cut fra–ams was degraded before): counted here
  assert.equal(row("cut fra–ams", "store ledger writes from lon 16 → 28 ms (over the 20 ms budget)"), "🔴 yes");
  // a move within its limits
  assert.equal(row("cut lon–ams", "store ledger writes from fra 18 → 14 ms"), "no");
});

test("diff --format md: the verdict and finding tables name every column", () => {
  const worse = REVIEWED.replace("members: { fra: 2, lon: 2, ams: 1 }\n", "members: { fra: 2, lon: 2 }\n");
  assert.notEqual(worse, REVIEWED);
  const md = inTempDir({ "old.topology.yaml": REVIEWED, "new.topology.yaml": worse }, (_dir, run) =>
    run(["diff", "--format", "md", "old.topology.yaml", "new.topology.yaml"]),
  ).stdout;
  assert.match(md, /\| verdict \| scenario \| before \| after \| why \|/);
  assert.match(md, /\| finding \| severity \| code \| where \| message \|\n\|---\|---\|---\|---\|---\|\n\| added \|/);
  for (const c of cells(md)) assert.notEqual(c.trim(), "", `an empty cell in:\n${md}`);
});

/** One entry over twelve backends: the traffic line lists each. */
const TWELVE = (() => {
  const sites = Array.from({ length: 12 }, (_, i) => `s${i}`);
  return `${HEADER}sites:\n${sites.map((s) => `  - name: ${s}\n`).join("")}clusters:\n${sites
    .map((s) => `  - { name: ${s}-prod, site: ${s} }\n`)
    .join("")}traffic:\n  - name: checkout\n    steering: gslb\n    peakRps: 120000\n    backends:\n${sites
    .map((s) => `      - { cluster: ${s}-prod, capacityRps: 15000 }\n`)
    .join("")}`;
})();

test("simulate --format md: a table cell stays short however many backends; the numbers follow as a list", () => {
  const md = inTempDir({ "t.topology.yaml": TWELVE }, (_dir, run) =>
    run(["simulate", "--lose", "s0", "--format", "md", "t.topology.yaml"]),
  ).stdout;
  const longest = Math.max(...cells(md).map((c) => c.length));
  assert.ok(longest < 80, `longest cell ${longest} characters`);
  assert.match(md, /\| traffic checkout \| served \|/);
  // all eleven survivors carry 120,000 / 11 ≈ 10,909 rps of 15,000, said below the table
  const numbers = /\nNumbers:\n\n- \*\*traffic checkout\*\*: (.*)\n/.exec(md);
  assert.ok(numbers, md);
  assert.equal(numbers[1].split(" · ").length, 12, "s0-prod lost, then eleven backends");
  assert.match(numbers[1], /^s0-prod lost · s1-prod 10,909 rps of 15,000 rps \(headroom 4,091 rps, 27\.3%\)/);
});
