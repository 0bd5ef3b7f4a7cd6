/**
 * One model, two speeds: the lean evaluator (availability/lean) gives the what-if engine's
 * answers (whatif/engine) on random designs and random states of down sites and cut links —
 * including the placement a quorum is judged at under a cut (the worst), CockroachDB's
 * follower relay and Galera's primary component (nodes that all see each other).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { CutSets, EXACT_COMPONENTS } from "../../server/src/availability/enumerate";
import { entityFigures } from "../../server/src/availability/figures";
import { type Tally, wholePlan } from "../../server/src/availability/factor";
import {
  apiWrites,
  entityLinks,
  entitySites,
  judgeQuorum,
  judgeStore,
  judgeTraffic,
  judgeTrafficPinned,
  type LeanQuorum,
  type LeanState,
  leanDesign,
  leanEntities,
  QUORUM_OUTCOMES,
  STORE_OUTCOMES,
  TRAFFIC_OUTCOMES,
} from "../../server/src/availability/lean";
import { ALL_UP, run, type Scenario } from "../../server/src/whatif/engine";
import { HEADER, rng, seedFromEnv } from "../helpers";

/** Every pin combination of some quorums' leaders (one member site each). */
function allPins(quorums: readonly LeanQuorum[]): Int32Array[] {
  let out = [new Int32Array(quorums.length)];
  quorums.forEach((q, k) => {
    out = out.flatMap((p) =>
      Array.from(q.sites, (_, l) => {
        const x = Int32Array.from(p);
        x[k] = l;
        return x;
      }),
    );
  });
  return out;
}

/** A random design: 2–6 sites, some links, quorums, async/crdt stores and traffic entries over clusters. */
function randomDesign(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const k = 2 + Math.floor(r() * 5);
  const sites = Array.from({ length: k }, (_, i) => `s${i}`);
  const some = (min = 1) => {
    const out = sites.filter(() => r() < 0.5);
    while (out.length < min) {
      const s = pick(sites);
      if (!out.includes(s)) out.push(s);
    }
    return sites.filter((s) => out.includes(s));
  };
  // a witness site's etcd members run no API server (derive/controlplane): the nodes write through the other sites' (README Decisions)
  const lines = ["sites:", ...sites.map((s) => `  - { name: ${s}, availability: 0.99${r() < 0.3 ? ", role: witness" : ""} }`), "links:"];
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++)
      if (r() < 0.75) lines.push(`  - { between: [s${i}, s${j}], rttMs: ${1 + Math.floor(r() * 40)}, availability: 0.999 }`);
  lines.push("clusters:");
  sites.forEach((s, i) => {
    lines.push(`  - name: c${i}`, `    site: ${s}`);
    if (i === 0)
      lines.push(
        `    etcd: { members: { ${some()
          .map((x) => `${x}: ${1 + Math.floor(r() * 3)}`)
          .join(", ")} } }`,
      );
  });
  lines.push("stores:");
  const stores: string[] = [];
  const nq = 1 + Math.floor(r() * 2);
  for (let i = 0; i < nq; i++) {
    stores.push(`q${i}`);
    const rep = pick(["consensus", "galera"]);
    lines.push(`  - name: q${i}`, `    replication: ${rep}`);
    // CockroachDB relays through a follower (availability's worst placement reads it)
    if (rep === "consensus" && r() < 0.3) lines.push("    engine: cockroachdb");
    lines.push(
      `    members: { ${some()
        .map((x) => `${x}: ${1 + Math.floor(r() * 3)}`)
        .join(", ")} }`,
    );
  }
  const na = Math.floor(r() * 3);
  for (let i = 0; i < na; i++) {
    stores.push(`a${i}`);
    const rep = pick(["async", "crdt"]);
    lines.push(`  - name: a${i}`, `    replication: ${rep}`, `    writers: [${some().join(", ")}]`);
    if (rep === "async" && r() < 0.5) lines.push(`    conflictResolution: ${pick(["none", "last-writer-wins"])}`);
  }
  lines.push("traffic:");
  const nt = 1 + Math.floor(r() * 2);
  for (let i = 0; i < nt; i++) {
    lines.push(`  - name: t${i}`, "    steering: gslb", `    peakRps: ${100 * (1 + Math.floor(r() * 20))}`);
    const deps = stores.filter(() => r() < 0.4);
    if (deps.length) lines.push(`    dependsOn: [${deps.join(", ")}]`);
    lines.push("    backends:");
    for (const s of some()) {
      const cap = r() < 0.8 ? `, capacityRps: ${100 * (1 + Math.floor(r() * 15))}` : "";
      lines.push(`      - { cluster: c${sites.indexOf(s)}, weight: ${Math.floor(r() * 4)}${cap} }`);
    }
  }
  return `${HEADER}${lines.join("\n")}\n`;
}

const engineSupportsCuts = "cut" in ALL_UP;

/** An empty tally, to judge one state whole. */
const tallyOf = (): Tally => ({
  down: 0,
  conflict: 0,
  lostRps: 0,
  quorumDown: 0,
  apiCause: new Float64Array(4),
  outcomeP: new Float64Array(4),
  cuts: new CutSets(),
});

test("the lean evaluator agrees with the what-if engine on random designs and states", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  let compared = 0;
  let apis = 0;
  let bestFixed = 0;
  let bestBelow = 0;
  for (let design = 0; design < 150; design++) {
    const text = randomDesign(r);
    const ctx = analyzeFile("t.topology.yaml", text).contexts[0];
    const d = leanDesign(ctx);
    const entities = leanEntities(ctx, d);
    for (let n = 0; n < 12; n++) {
      const siteUp = Uint8Array.from(d.sites, () => (r() < 0.3 ? 0 : 1));
      if (!siteUp.some((x) => x)) siteUp[0] = 1;
      const linkUp = Uint8Array.from(d.links, () => (engineSupportsCuts && r() < 0.3 ? 0 : 1));
      const state: LeanState = { siteUp, linkUp };
      const lose = d.sites.filter((_, i) => !siteUp[i]);
      const cut = d.links.filter((_, l) => !linkUp[l]).map((l) => [d.sites[l.a], d.sites[l.b]]);
      const scenario = { ...ALL_UP, lose, ...(engineSupportsCuts ? { cut } : {}) } as Scenario;
      const result = run(ctx, scenario);
      const where = `seed ${seed}, design ${design}, lose [${lose}] cut [${cut.map((c) => c.join("-"))}]\n${text}`;
      for (const e of entities) {
        if (e.type === "quorum") {
          const q = result.quorums.find((x) => x.name === e.name);
          assert.ok(q, `${e.name} missing in the engine's result: ${where}`);
          const o = judgeQuorum(d, state, e);
          assert.equal(QUORUM_OUTCOMES[o], q.outcome, `${e.name}: ${where}`);
          if (e.home >= 0) {
            // an etcd's figure is its cluster's API: up, not "its API stops" (judged at the placement worst for its nodes), its etcd writing
            const c = result.clusters.find((x) => e.name === `etcd of cluster ${x.name}`);
            assert.ok(c, `${e.name}'s cluster missing in the engine's result: ${where}`);
            const engineApi = c.outcome === "up" && !c.apiStops && q.outcome !== "stops" && q.outcome !== "lost";
            assert.equal(apiWrites(d, state, e, o), engineApi, `${e.name} API: ${where}`);
            apis++;
          }
        } else if (e.type === "store") {
          const st = result.stores.find((x) => `store ${x.name}` === e.name);
          assert.ok(st, where);
          assert.equal(STORE_OUTCOMES[judgeStore(d, state, e)], st.outcome, `${e.name}: ${where}`);
        } else {
          const tr = result.traffic.find((x) => `traffic ${x.name}` === e.name);
          assert.ok(tr, where);
          // at the placement the engine judges (the worst under a cut), not the figures' best case
          const j = judgeTraffic(d, state, e, { outcome: 0, lostRps: 0 }, true);
          assert.equal(TRAFFIC_OUTCOMES[j.outcome], tr.outcome, `${e.name}: ${where}`);
          e.backends.forEach((_, i) => {
            assert.equal(e.overloaded[i] === 1, tr.backends[i].overloaded, `${e.name} backend ${i} overloaded: ${where}`);
            assert.equal(e.errors[i] === 1, tr.backends[i].errors, `${e.name} backend ${i} errors: ${where}`);
          });
          // lost rps from the engine's own loads (rounded to 0.01 rps there)
          const engineLost =
            tr.outcome === "unserved"
              ? e.peak
              : tr.backends.reduce(
                  (a, b) => a + (b.loadRps === null ? 0 : b.errors ? b.loadRps : Math.max(0, b.loadRps - (b.capacityRps ?? Infinity))),
                  0,
                );
          assert.ok(
            Math.abs(j.lostRps - engineLost) <= 0.01 * e.backends.length + 1e-9,
            `${e.name} lost ${j.lostRps} vs ${engineLost}: ${where}`,
          );
          // every pin of the leaders loses at most each backend at its own worst; the pin at the
          // engine's placement loses what the engine says, so the best pin loses at most that
          const quorums = e.deps.filter((q): q is LeanQuorum => q.type === "quorum");
          const pins = allPins(quorums);
          const losses = new Float64Array(pins.length);
          judgeTrafficPinned(d, state, e, pins, losses);
          const fixed = quorums.every((q) => q.canLead.reduce((a, x) => a + x, 0) <= 1);
          const t = tallyOf();
          wholePlan(d, e).judge(state, 1, [], t);
          const best = Math.min(...losses);
          for (const x of losses) assert.ok(x <= t.lostRps + 1e-9, `${e.name} a pin loses ${x}, above the worst ${t.lostRps}: ${where}`);
          assert.ok(best <= j.lostRps + 1e-9, `${e.name} best pin ${best} above the engine's ${j.lostRps}: ${where}`);
          // where the engine has no placement to choose, every pin is the engine's
          if (fixed) {
            for (const x of losses)
              assert.ok(Math.abs(x - j.lostRps) <= 1e-9 * e.peak, `${e.name} fixed placement ${x} vs ${j.lostRps}: ${where}`);
            bestFixed++;
          } else if (best < j.lostRps - 1e-9) bestBelow++;
        }
        compared++;
      }
    }
  }
  assert.ok(compared > 1000, `only ${compared} judgements compared`);
  assert.ok(apis > 300, `only ${apis} cluster APIs compared`);
  assert.ok(bestFixed > 300, `only ${bestFixed} fixed placements compared`);
  assert.ok(bestBelow > 10, `only ${bestBelow} states where the best placement beats the engine's`);
});

test("factoring equals judging every state whole: figures, outcomes, conflict, served fraction and cut sets on random designs", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b);
  let compared = 0;
  let closedForm = 0;
  let bestAbove = 0;
  for (let design = 0; design < 120; design++) {
    const text = randomDesign(r);
    const ctx = analyzeFile("t.topology.yaml", text).contexts[0];
    const d = leanDesign(ctx);
    for (const e of leanEntities(ctx, d)) {
      // both exact: every state of the whole judged (small entities only)
      if (entitySites(e).length + entityLinks(d, e).length > EXACT_COMPONENTS) continue;
      const whole = entityFigures(d, e, 1e7, { whole: true });
      const fast = entityFigures(d, e, 1e7);
      const where = `seed ${seed}, design ${design}, ${e.name}\n${text}`;
      assert.equal(whole.method, "exact", where);
      assert.equal(fast.method, "exact", where);
      assert.ok(
        close(fast.unavailability, whole.unavailability),
        `unavailability ${fast.unavailability} vs ${whole.unavailability}: ${where}`,
      );
      assert.deepEqual(Object.keys(fast.outcomes).sort(), Object.keys(whole.outcomes).sort(), `outcomes: ${where}`);
      for (const [w, p] of Object.entries(whole.outcomes))
        assert.ok(close(fast.outcomes[w], p), `${w} ${fast.outcomes[w]} vs ${p}: ${where}`);
      assert.ok(close(fast.conflictProbability ?? 0, whole.conflictProbability ?? 0), `conflict: ${where}`);
      // requests served at the placement losing the most (review M95): where the leader is depends on the links among
      // a quorum's members, never on a link only one backend site reads — the factored plan sums those given each
      // placement; judging every state whole lets the placement follow them too, which can only lose more
      if (!fast.closedForm)
        assert.ok(
          close(fast.servedFraction ?? 0, whole.servedFraction ?? 0),
          `served ${fast.servedFraction} vs ${whole.servedFraction}: ${where}`,
        );
      else
        assert.ok(
          (fast.servedFraction ?? 0) >= (whole.servedFraction ?? 0) - 1e-12,
          `served ${fast.servedFraction} below ${whole.servedFraction}: ${where}`,
        );
      if (fast.servedBest) {
        // best ≥ worst; exact here, so its two ends agree
        assert.ok(fast.servedBest.fraction >= fast.servedFraction! - 1e-12, `best ${fast.servedBest.fraction} below worst: ${where}`);
        assert.equal(fast.servedBest.method, "exact", where);
        assert.equal(fast.servedBest.fraction, fast.servedBest.upper, where);
        if (fast.servedBest.fraction > fast.servedFraction! + 1e-12) bestAbove++;
      }
      const names = (f: typeof whole) => f.cutSets.map((c) => c.components.slice().sort().join(" + ")).sort();
      assert.deepEqual(names(fast), names(whole), `cut sets: ${where}`);
      assert.equal(fast.brokenAllUp, whole.brokenAllUp, where);
      assert.deepEqual(fast.components.slice().sort(), whole.components.slice().sort(), `components: ${where}`);
      if (fast.closedForm) closedForm++;
      compared++;
    }
  }
  assert.ok(compared > 150, `only ${compared} entities compared`);
  assert.ok(closedForm > 30, `only ${closedForm} entities used the closed form`);
  assert.ok(bestAbove > 5, `only ${bestAbove} entries whose best placement serves more than their worst`);
});
