// The path a `/2` typed into a prefix takes (thousands of cidr/overlap findings for a keystroke),
// written for speed: each piece checked against a plain reference on random input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile, finalize } from "../../server/src/analysis";
import { cidrOverlaps, parsedRanges, rangeWhere, type ParsedRange } from "../../server/src/derive/cidr";
import { canonical, overlappingPairs, parseCidr, type Cidr } from "../../server/src/math/cidr";
import type { Finding, Severity } from "../../server/src/model/finding";
import { moreFindings, shownFindings } from "../../server/src/service/convert";
import { HEADER } from "../helpers";

/** A small deterministic generator (the seed is printed with a failure). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Clusters at three sites with ranges drawn from a small space (so they overlap), some sites with host addresses. */
function design(rnd: () => number): string {
  const prefix = () => [2, 8, 16, 20, 24, 24, 28][Math.floor(rnd() * 7)];
  const range = () => {
    const p = prefix();
    return `10.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 4)}.0/${p}`;
  };
  const out = [HEADER.trimEnd(), "sites:"];
  for (const s of ["fra", "lon", "ams"]) {
    out.push(`  - name: ${s}`);
    if (rnd() < 0.5) out.push(`    addresses: [${range()}, ${range()}]`);
  }
  out.push("clusters:");
  const n = 3 + Math.floor(rnd() * 20);
  for (let i = 0; i < n; i++) {
    out.push(
      `  - name: c${i}`,
      `    site: ${["fra", "lon", "ams"][i % 3]}`,
      "    network:",
      `      pods: ${range()}`,
      `      services: ${range()}`,
    );
    if (rnd() < 0.5) out.push(`      nodes: ${range()}`);
  }
  return `${out.join("\n")}\n`;
}

/** The words cidr/overlap uses for `other` seen from `self` (the rule's own, written again). */
function scope(self: ParsedRange, other: ParsedRange): string {
  if (self.cluster && self.cluster === other.cluster) return "in the same cluster";
  if (self.site && self.site === other.site) return "at the same site";
  return other.cluster ? `in cluster ${other.cluster.name?.value ?? "?"}` : `at site ${other.site.name?.value ?? "?"}`;
}

test("cidr/overlap one by one: each range of each pair, named as the plain template names it", () => {
  let oneByOne = 0;
  let counted = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const a = analyzeFile("t.topology.yaml", design(random(seed)));
    const ctx = a.contexts[0];
    const ranges = parsedRanges(ctx);
    const pairs = cidrOverlaps(ctx);
    const count = new Map<number, number>();
    for (const [i, j] of pairs) {
      count.set(i, (count.get(i) ?? 0) + 1);
      count.set(j, (count.get(j) ?? 0) + 1);
    }
    const name = (r: ParsedRange) => `${canonical(r.cidr)} (${rangeWhere(r)})`;
    const expected: string[] = [];
    for (const [i, j] of pairs) {
      for (const [s, o] of [
        [i, j],
        [j, i],
      ]) {
        if ((count.get(s) ?? 0) > 10) continue;
        expected.push(`${ranges[s].value.span.start} ${name(ranges[s])} overlaps ${name(ranges[o])} ${scope(ranges[s], ranges[o])}`);
      }
    }
    const got = a.local
      .filter((x) => x.code === "cidr/overlap" && !x.message.includes(" declared ranges: "))
      .map((x) => `${x.span.start} ${x.message}`);
    assert.deepEqual(got, expected, `seed ${seed}`);
    // and the counted ones: one per range past ten
    const many = a.local.filter((x) => x.code === "cidr/overlap" && x.message.includes(" declared ranges: "));
    assert.equal(many.length, [...count.values()].filter((n) => n > 10).length, `seed ${seed}`);
    oneByOne += got.length;
    counted += many.length;
  }
  // the designs drawn hold both kinds
  assert.ok(oneByOne > 100 && counted > 5, `${oneByOne} one by one, ${counted} counted`);
});

test("overlapping pairs: the sweep finds exactly the pairs a comparison of every two finds", () => {
  const rnd = random(7);
  for (let round = 0; round < 40; round++) {
    const cidrs: Cidr[] = [];
    const n = Math.floor(rnd() * 60);
    for (let i = 0; i < n; i++) {
      const v6 = rnd() < 0.2;
      const c = v6
        ? parseCidr(`fd00:${Math.floor(rnd() * 3)}::/${[8, 16, 32, 64][Math.floor(rnd() * 4)]}`)
        : parseCidr(`10.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 3)}.0/${[2, 8, 16, 24][Math.floor(rnd() * 4)]}`);
      if (c) cidrs.push(c);
    }
    const brute: string[] = [];
    for (let i = 0; i < cidrs.length; i++)
      for (let j = i + 1; j < cidrs.length; j++) {
        const a = cidrs[i];
        const b = cidrs[j];
        if (a.family === b.family && a.first <= b.last && b.first <= a.last) brute.push(`${i} ${j}`);
      }
    const swept = overlappingPairs(cidrs).map(([i, j]) => `${i} ${j}`);
    assert.deepEqual([...swept].sort(), brute.sort(), `round ${round}`);
    assert.equal(new Set(swept).size, swept.length, "no pair twice");
  }
});

const SEVERITIES: readonly Severity[] = ["error", "warning", "information", "hint"];

function randomFindings(rnd: () => number, n: number): Finding[] {
  const codes = ["cidr/overlap", "cidr/host-bits", "schema", "quorum/even-members", "rtt/missing-link"];
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor(rnd() * 20);
    out.push({
      code: codes[Math.floor(rnd() * codes.length)],
      severity: SEVERITIES[Math.floor(rnd() * 4)],
      span: { start, end: start + Math.floor(rnd() * 3) },
      message: `m${Math.floor(rnd() * 3)}`,
    });
  }
  return out;
}

test("shown findings: the same choice as keeping errors, then warnings, information and hints, each in file order", () => {
  const rnd = random(11);
  for (let round = 0; round < 200; round++) {
    const findings = randomFindings(rnd, Math.floor(rnd() * 40));
    const max = 2 + Math.floor(rnd() * 40);
    // the plain way: a set filled severity by severity
    const kept = new Set<Finding>();
    for (const severity of SEVERITIES)
      for (const x of findings) {
        if (kept.size === max - 1) break;
        if (x.severity === severity) kept.add(x);
      }
    const expected =
      findings.length <= max
        ? { shown: findings, hidden: [] }
        : { shown: findings.filter((x) => kept.has(x)), hidden: findings.filter((x) => !kept.has(x)) };
    assert.deepEqual(shownFindings(findings, max), expected, `round ${round}`);
  }
});

test("the count of hidden findings groups them by severity and code as a key per finding would", () => {
  const rnd = random(5);
  for (let round = 0; round < 100; round++) {
    const hidden = randomFindings(rnd, 1 + Math.floor(rnd() * 60));
    const message = moreFindings("file:///w/x.topology.yaml", "apiVersion: v\n", hidden.length + 5, hidden, 6, "information")
      .message as string;
    // the plain way: counts by "severity code", most first within a severity, the severities in order
    const groups = new Map<string, { code: string; severity: Severity; n: number }>();
    for (const x of hidden) {
      const key = `${x.severity} ${x.code}`;
      const g = groups.get(key);
      if (g) g.n++;
      else groups.set(key, { code: x.code, severity: x.severity, n: 1 });
    }
    const sorted = [...groups.values()].sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.n - a.n || a.code.localeCompare(b.code),
    );
    const first = sorted[0];
    assert.match(message, new RegExp(`Not shown: ${first.code.replace("/", "\\/")}: ${first.n} `), `round ${round}`);
    for (const g of sorted.slice(0, 4)) assert.ok(message.includes(`${g.code}: ${g.n} `), `round ${round}: ${g.code}`);
  }
});

test("finalize sorts by start, end, code and message, ties in the order given", () => {
  const rnd = random(3);
  const parsed = analyzeFile("t.topology.yaml", `${HEADER}sites:\n  - name: fra\n`).parsed;
  for (let round = 0; round < 100; round++) {
    const findings = randomFindings(rnd, Math.floor(rnd() * 80));
    const expected = [...findings].sort(
      (a, b) =>
        a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code) || a.message.localeCompare(b.message),
    );
    const got = finalize(parsed, findings);
    assert.equal(got.length, expected.length);
    // the same objects in the same places (equal-looking findings included: the sort is stable)
    for (let i = 0; i < got.length; i++) assert.equal(got[i], expected[i], `round ${round} at ${i}`);
  }
});
