// rtt/write-budget asks derive/writes writesOverBudget of every store on every keystroke that runs
// the rtt family; it judges the placements one by one and stops at the first within the budget,
// without building writeJudgement's placements. It must say what writeJudgement's placements say.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeFile } from "../../server/src/analysis";
import type { Quorum, TopologyContext } from "../../server/src/derive/context";
import { bestCommit, writeBudget } from "../../server/src/derive/latency";
import { writeJudgement, writesOverBudget } from "../../server/src/derive/writes";
import { HEADER, rng, seedFromEnv } from "../helpers";

/** writesOverBudget as written before it judged placements one by one: from writeJudgement's placements. */
function fromJudgement(
  ctx: TopologyContext,
  q: Quorum,
  o: { counts?: ReadonlyMap<string, number>; layout?: ReadonlyMap<string, number> } = {},
): boolean {
  const budget = writeBudget(q);
  if (budget === undefined) return false;
  const commit = bestCommit(ctx, q, { counts: o.counts, layout: o.layout });
  if (!commit || commit.latency > budget) return false;
  const j = writeJudgement(ctx, q, o);
  return j.placements.length > 0 && j.placements.every((p) => p.slowest !== undefined && p.slowest > budget);
}

const SITES = ["fra", "lon", "ams", "par"];

/** A random design: 3–4 sites, some links missing, a consensus or Galera store (CockroachDB sometimes), traffic writing to it or none. */
function design(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const sites = SITES.slice(0, 3 + Math.floor(r() * 2));
  const lines = [HEADER.trimEnd(), "sites:"];
  for (const s of sites) lines.push(`  - { name: ${s}${r() < 0.15 ? ", role: witness" : ""} }`);
  lines.push("links:");
  for (let i = 0; i < sites.length; i++)
    for (let j = i + 1; j < sites.length; j++)
      if (r() < 0.85) lines.push(`  - { between: [${sites[i]}, ${sites[j]}], rttMs: ${1 + Math.floor(r() * 30)} }`);
  lines.push("clusters:");
  for (const s of sites) lines.push(`  - { name: ${s}-k, site: ${s} }`);
  const members = sites.filter(() => r() < 0.8).map((s) => `${s}: ${pick([0, 1, 1, 2, 3])}`);
  if (!members.length) members.push(`${sites[0]}: 1`);
  lines.push(
    "stores:",
    "  - name: ledger",
    `    replication: ${pick(["consensus", "consensus", "galera"])}`,
    `    members: { ${members.join(", ")} }`,
    `    writeLatencyBudgetMs: ${1 + Math.floor(r() * 70)}`,
  );
  if (r() < 0.4) lines.push(`    engine: ${pick(["cockroachdb", "cockroachdb 23.2", "cockroachdb 24.1"])}`);
  if (r() < 0.7) {
    lines.push("traffic:", "  - name: web", "    steering: gslb", "    dependsOn: [ledger]");
    if (r() < 0.8) lines.push(`    peakRps: ${pick([0, 1000])}`);
    lines.push("    backends:");
    for (const s of sites.filter(() => r() < 0.7)) lines.push(`      - { cluster: ${s}-k, weight: ${pick([0, 1, 2])} }`);
  }
  return `${lines.join("\n")}\n`;
}

test("writesOverBudget says what writeJudgement's placements say: random designs, their own counts, another layout and other counts", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  let over = 0;
  let judged = 0;
  for (let k = 0; k < 400; k++) {
    const text = design(r);
    const ctx = analyzeFile("t.topology.yaml", text).contexts[0];
    if (!ctx) continue;
    for (const q of ctx.quorums) {
      const layout = new Map([...q.counts].map(([s, c]) => [s, r() < 0.3 ? c + 1 : c]));
      for (const o of [{}, { layout }, { counts: layout }, { layout: q.counts }]) {
        const want = fromJudgement(ctx, q, o);
        assert.equal(
          writesOverBudget(ctx, q, o),
          want,
          `seed ${seed}, design ${k}, ${JSON.stringify(o, (_, v) => (v instanceof Map ? [...v] : v))}:\n${text}`,
        );
        judged++;
        if (want) over++;
      }
    }
  }
  // both answers occur, or the comparison proves little
  assert.ok(judged > 1000 && over > 50 && judged - over > 50, `judged ${judged}, over ${over}`);
});
