// The rule catalog is the one list of codes: a finding of a code it does not list fails loudly
// (at build time through RuleCode, at run time through defaultSeverity), and per-code flags
// replace hand lists elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultSeverity, isRuleCode, RULES, type RuleCode } from "../../server/src/rules/catalog";
import { finding } from "../../server/src/rules/context";

const SRC = resolve(__dirname, "..", "..", "..", "server", "src");
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });

test("a code the catalog does not list is refused loudly, naming where to add it", () => {
  // (a TypeScript caller cannot write this: RuleCode is the catalog's keys; a cast or JS can)
  assert.throws(() => defaultSeverity("quorum/forgotten" as RuleCode), /quorum\/forgotten is not in rules\/catalog\.ts/);
  assert.throws(() => finding("quorum/forgotten" as RuleCode, { start: 0, end: 0 }, "x"), /not in rules\/catalog\.ts/);
  assert.equal(isRuleCode("quorum/forgotten"), false);
  assert.equal(isRuleCode("quorum/site-loss"), true);
  assert.equal(defaultSeverity("quorum/site-loss"), "error");
});

test("every code written in the server's source is in the catalog", () => {
  const codes = new Set(RULES.map((r) => r.code));
  const missing: string[] = [];
  let seen = 0;
  for (const f of files(SRC)) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/(?:finding\(\s*|\bcode: )"([a-z0-9]+\/[a-z0-9-]+)"/g)) {
      seen++;
      if (!codes.has(m[1])) missing.push(`${f.slice(SRC.length + 1)}: ${m[1]}`);
    }
  }
  assert.ok(seen > 50, `the scan found only ${seen} codes: its pattern no longer matches the source`);
  assert.deepEqual(missing, []);
});

test("codes are unique and each carries a severity, a title and help; site-loss codes are flagged in the catalog", () => {
  assert.equal(new Set(RULES.map((r) => r.code)).size, RULES.length);
  for (const r of RULES) assert.ok(r.title && r.help && r.severity, r.code);
  assert.deepEqual(
    RULES.filter((r) => r.breaksSiteLoss)
      .map((r) => r.code)
      .sort(),
    ["capacity/site-loss", "istio/remote-primary-site-loss", "quorum/site-loss", "quorum/two-site-split"],
  );
});
