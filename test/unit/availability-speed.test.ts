/**
 * Availability speed (availability.md: every figure of a 20-site design within a second, never
 * blocking typing), mechanism by mechanism, each held to what it replaced: the bit-mask
 * inclusion–exclusion to the Set one, the step-wise enumeration to the recursion (the same
 * states, probabilities and order, yielding every STATES_PER_STEP states), the report's steps
 * small, and "one more nine" computed once per entity and component, without the best placement.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import {
  type Component,
  enumerateStates,
  enumerateStatesSteps,
  EXACT_COMPONENTS,
  STATES_PER_STEP,
  UNJUDGED_TARGET,
  failureCountDistribution,
} from "../../server/src/availability/enumerate";
import { anyAllDown } from "../../server/src/availability/factor";
import { availabilityReportSteps, oneMoreNine, reportOf, whereANineHelps } from "../../server/src/availability/figures";
import { type LeanDesign, leanDesign } from "../../server/src/availability/lean";
import { HEADER, rng, seedFromEnv } from "../helpers";

/** The inclusion–exclusion as it was: a JS Set per term, the product over it in insertion order. */
function anyAllDownWithSets(closed: readonly Component[], sets: readonly number[][]): number {
  const r = sets.length;
  if (r === 1) return sets[0].reduce((a, c) => a * closed[c].q, 1);
  let total = 0;
  const union = new Set<number>();
  for (let mask = 1; mask < 1 << r; mask++) {
    union.clear();
    let bits = 0;
    for (let i = 0; i < r; i++)
      if (mask & (1 << i)) {
        bits++;
        for (const c of sets[i]) union.add(c);
      }
    let prod = 1;
    for (const c of union) prod *= closed[c].q;
    total += bits % 2 ? prod : -prod;
  }
  return Math.min(1, Math.max(0, total));
}

const link = (q: number, i: number): Component => ({ type: "link", index: i, q, name: `l${i}` });

test("bit-mask inclusion–exclusion equals the Set one to the last bit, on random overlapping sets", () => {
  const seed = seedFromEnv();
  const rand = rng(seed);
  for (let round = 0; round < 400; round++) {
    // up to 70 links (more than one 32-bit word of them), up to 12 sets (MAX_REQUIREMENTS) of up to 6 links, overlapping
    const links = 1 + Math.floor(rand() * 70);
    const closed = Array.from({ length: links }, (_, i) => link([0.5, 0.1, 1e-3, 5e-4, 1e-5][Math.floor(rand() * 5)] * rand(), i));
    const pool = Math.max(1, Math.floor(rand() * links));
    const sets = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => {
      const set: number[] = [];
      for (let k = 1 + Math.floor(rand() * 6); k > 0; k--) {
        const c = Math.floor(rand() * pool) + (links - pool);
        if (!set.includes(c)) set.push(c);
      }
      return set;
    });
    const want = anyAllDownWithSets(closed, sets);
    assert.equal(Object.is(anyAllDown(closed, sets), want), true, `seed ${seed} round ${round}: ${JSON.stringify(sets)}`);
  }
  // a call after a larger one reads none of its scratch
  const closed = [0.1, 0.2, 0.3].map(link);
  assert.equal(
    anyAllDown(closed, [
      [0, 1],
      [1, 2],
    ]),
    anyAllDownWithSets(closed, [
      [0, 1],
      [1, 2],
    ]),
  );
  assert.equal(
    anyAllDown(closed, [
      [0, 1],
      [1, 2],
    ]),
    0.1 * 0.2 + 0.2 * 0.3 - 0.1 * 0.2 * 0.3,
  );
});

/** The enumeration as it was: recursion level by level. */
function recursiveStates(comps: readonly Component[], budget: number): [number, string][] {
  const m = comps.length;
  const dist = failureCountDistribution(comps);
  const tail = new Float64Array(m + 1);
  for (let k = m - 1; k >= 0; k--) tail[k] = tail[k + 1] + dist[k + 1];
  let p0 = 1;
  for (const c of comps) p0 *= 1 - c.q;
  const ratio = comps.map((c) => c.q / (1 - c.q));
  const out: [number, string][] = [];
  const chosen: number[] = [];
  const level = (k: number, start: number, p: number) => {
    if (chosen.length === k) {
      out.push([p, chosen.join(",")]);
      return;
    }
    for (let i = start; i <= m - (k - chosen.length); i++) {
      chosen.push(i);
      level(k, i + 1, p * ratio[i]);
      chosen.pop();
    }
  };
  for (let k = 0; k <= m; k++) {
    if (k > 0 && tail[k - 1] < UNJUDGED_TARGET && m > EXACT_COMPONENTS) break;
    let count = 1;
    for (let i = 1; i <= k; i++) count = (count * (m - k + i)) / i;
    if (out.length + Math.round(count) > budget && k > 0) break;
    level(k, 0, p0);
  }
  return out;
}

test("the step-wise enumeration judges the recursion's states, in its order and to the bit, and yields every STATES_PER_STEP states", () => {
  const seed = seedFromEnv();
  const rand = rng(seed);
  for (let round = 0; round < 30; round++) {
    const m = 1 + Math.floor(rand() * 14);
    const comps = Array.from({ length: m }, (_, i): Component => ({ type: "site", index: i, q: 0.2 * rand() + 1e-6, name: `s${i}` }));
    const d = { sites: comps.map((c) => c.name), links: [] } as unknown as LeanDesign;
    const budget = [10, 1000, 1e6][round % 3];
    const seen: [number, string][] = [];
    const up: string[] = [];
    const steps = enumerateStatesSteps(d, comps, budget, (s, p, failed) => {
      seen.push([p, failed.join(",")]);
      // the state is the failed components down, every other up
      up.push(
        Array.from(s.siteUp, (x, i) => (x ? "" : i))
          .filter((x) => x !== "")
          .join(","),
      );
    });
    let yields = 0;
    let n = steps.next();
    for (; !n.done; n = steps.next()) {
      yields++;
      assert.equal(seen.length % STATES_PER_STEP, 0, `seed ${seed}: a yield after ${seen.length} states`);
    }
    assert.deepEqual(seen, recursiveStates(comps, budget), `seed ${seed} round ${round}`);
    assert.deepEqual(
      up,
      seen.map(([, f]) => f),
    );
    assert.equal(yields, Math.floor(seen.length / STATES_PER_STEP));
    assert.equal(n.value.states, seen.length);
    assert.deepEqual(
      enumerateStates(d, comps, budget, () => {}),
      n.value,
    );
  }
});

/** Sites s0…s{n−1} in a full mesh (0.999, links 0.9995), a five-member CockroachDB ledger, a CRDT written everywhere, a web entry at every site. */
function mesh(n: number): string {
  const sites = Array.from({ length: n }, (_, i) => `s${i}`);
  const five = [0, 1, 2, 3, 4].map((k) => sites[Math.floor((k * n) / 5)]);
  return `${HEADER}sites:
${sites.map((s) => `  - { name: ${s}, availability: 0.999 }`).join("\n")}
links:
${sites.flatMap((s, i) => sites.slice(i + 1).map((t) => `  - { between: [${s}, ${t}], rttMs: 5, availability: 0.9995 }`)).join("\n")}
clusters:
${sites.map((s, i) => `  - { name: c${i}, site: ${s} }`).join("\n")}
stores:
  - name: ledger
    replication: consensus
    engine: cockroachdb
    members: { ${five.map((s) => `${s}: 1`).join(", ")} }
    objectives: { availability: 0.9999 }
  - name: carts
    replication: crdt
    writers: [${sites.join(", ")}]
    maxLagSeconds: 5
traffic:
  - name: web
    steering: gslb
    ttlSeconds: 30
    peakRps: 10000
    dependsOn: [ledger, carts]
    backends:
${sites.map((_, i) => `      - { cluster: c${i}, capacityRps: ${Math.ceil(20000 / n)} }`).join("\n")}
`;
}

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", body).contexts[0];

test("the editor's report steps judge a few states each, never a whole entity", () => {
  const ctx = ctxOf(mesh(6));
  const steps = availabilityReportSteps(ctx);
  let yields = 0;
  let n = steps.next();
  for (; !n.done; n = steps.next()) yields++;
  const report = n.value;
  const web = report.figures.find((f) => f.entity === "web")!;
  // the entry's own states, those without the relay (CockroachDB), and each one's best placement
  const states = report.figures.reduce((a, f) => a + f.states + (f.servedBest?.states ?? 0), 0) + (web.withoutRelay?.figures.states ?? 0);
  assert.ok(web.withoutRelay, "the mesh relays: its entry is judged twice");
  assert.ok(states > 10 * STATES_PER_STEP, `${states} states`);
  // one step per entity, and one per STATES_PER_STEP states of each enumeration at most
  assert.ok(yields >= Math.floor(states / STATES_PER_STEP), `${yields} steps for ${states} states`);
});

test("one more nine: computed once per entity and component, shared by where a nine helps and the site hover, without the best placement", () => {
  const ctx = ctxOf(mesh(5));
  const web = reportOf(ctx).figures.find((f) => f.entity === "web")!;
  const helps = whereANineHelps(ctx, web)!;
  assert.ok(helps, "a nine helps the entry somewhere");
  // its best placement is never read: not computed
  assert.equal(helps.better.servedBest, null);
  assert.ok(web.servedBest && web.servedBest.states > 0, "the figure itself keeps its best placement");
  // asked again (the text, the JSON, the md, the objectives each ask): the same figures, not computed again
  assert.equal(whereANineHelps(ctx, web)!.better, helps.better);
  // the hover on the best site's availability reads the figures where a nine helps found
  const site = helps.kind === "site" ? helps.site : leanDesign(ctx).sites[0];
  const row = oneMoreNine(ctx, site).find((r) => r.now === web)!;
  if (helps.kind === "site") assert.equal(row.better, helps.better);
  assert.equal(oneMoreNine(ctx, site).find((r) => r.now === web)!.better, row.better);
  // a new analysis computes its own
  const again = ctxOf(mesh(5));
  const other = whereANineHelps(again, reportOf(again).figures.find((f) => f.entity === "web")!)!;
  assert.notEqual(other.better, helps.better);
  assert.equal(other.better.unavailability, helps.better.unavailability);
});
