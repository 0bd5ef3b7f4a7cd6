import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { failureCountDistribution } from "../../server/src/availability/enumerate";
import {
  availabilityReport,
  type EntityFigures,
  figureText,
  MINUTES_PER_YEAR,
  nineHelpsText,
  oneMoreNine,
  whereANineHelps,
} from "../../server/src/availability/figures";
import { availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { availabilityPercent as percent } from "../../server/src/util/format";
import { readFileSync } from "node:fs";
import { hoverAt } from "../../server/src/hover/hover";
import { objectiveJudgements } from "../../server/src/rules/index";
import { diagramFor } from "../../server/src/preview/mermaid";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { codes, HEADER, inTempDir, only, threeSiteLedger, yaml } from "../helpers";
import { cockroachVersion } from "../../server/src/derive/latency";

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const figuresOf = (body: string, budget?: number) => availabilityReport(ctxOf(body), budget);
const fig = (body: string, entity: string, budget?: number): EntityFigures => {
  const f = figuresOf(body, budget).figures.find((x) => x.entity === entity);
  assert.ok(f, `no figure for ${entity}`);
  return f;
};
/** equal within floating-point rounding, relative */
const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 1e-9 + 1e-18, `${what}: ${actual} ≠ ${expected}`);

const THREE_SITES = (availability = 0.999) => threeSiteLedger({ availability });

test("three sites at 0.999 with a 2+2+1 quorum: 1 − 2.998×10⁻⁶, exact", () => {
  const f = fig(THREE_SITES(), "ledger");
  // writes stop when two or three sites are down: 3 × 0.001² × 0.999 + 0.001³
  const u = 3 * 0.001 ** 2 * 0.999 + 0.001 ** 3;
  near(u, 2.998e-6, "hand arithmetic");
  near(f.unavailability, 2.998e-6, "unavailability");
  near(f.availability, 1 - 2.998e-6, "availability");
  assert.equal(f.method, "exact");
  assert.equal(f.unjudgedProbability, 0);
  near(f.nines, -Math.log10(2.998e-6), "nines");
  near(f.minutesPerYear, 2.998e-6 * MINUTES_PER_YEAR, "minutes a year");
  assert.equal(percent(f.availability, f.unavailability), "99.9997%");
  assert.equal(f.kind, "consensus");
  assert.equal(f.rpoSeconds, 0);
  // cut sets: every pair of sites, each 10⁻⁶; no single site breaks it
  assert.equal(f.cutSets.length, 3);
  for (const c of f.cutSets) {
    assert.equal(c.components.length, 2);
    near(c.probability, 1e-6, "cut set");
  }
  assert.deepEqual(f.assumedAtOne, ["fra–lon link", "fra–ams link", "lon–ams link"]);
});

test("two-site 2+2 is 0.998001: either site's loss stops writes", () => {
  const f = fig(
    yaml`
      sites:
        - { name: fra, availability: 0.999 }
        - { name: lon, availability: 0.999 }
      links:
        - { between: [fra, lon], rttMs: 14 }
      stores:
        - name: ledger
          replication: consensus
          members: { fra: 2, lon: 2 }
    `,
    "ledger",
  );
  near(f.availability, 0.998001, "availability");
  assert.deepEqual(
    f.cutSets.map((c) => c.components),
    [["fra"], ["lon"]],
  );
});

test("the preview's labels carry each entity's nines when figures exist, not without availabilities or while simulating", () => {
  const body = `${THREE_SITES()}traffic:\n  - { name: web, steering: anycast, peakRps: 100, backends: [{ cluster: a }] }\nclusters:\n  - { name: a, site: fra }\n`;
  const a = analyzeFile("t.topology.yaml", HEADER + body);
  const d = diagramFor(a).mermaid;
  // 1 − 2.998×10⁻⁶ is 5.52 nines, in the quorum's node at each of its three sites
  assert.equal((d.match(/store ledger: \d of 5 · 5\.52 nines/g) ?? []).length, 3, d);
  // one backend at fra (0.999): three nines
  assert.match(d, /web · anycast · 100 rps · 3 nines"/);
  const none = diagramFor(analyzeFile("t.topology.yaml", HEADER + body.replaceAll(", availability: 0.999", ""))).mermaid;
  assert.doesNotMatch(none, /nines/);
  const sim = diagramFor(a, [], run(a.contexts[0], { ...ALL_UP, lose: ["fra"] })).mermaid;
  assert.doesNotMatch(sim, /nines/);
});

test("the preview puts an async store's nines on its writer, never on a replica (they are its writes' availability)", () => {
  const body = `${THREE_SITES()}  - { name: carts, replication: async, writers: [fra], replicas: [lon], maxLagSeconds: 5 }\n`;
  const d = diagramFor(analyzeFile("t.topology.yaml", HEADER + body), [], undefined, new Map(), { layouts: true });
  assert.match(d.mermaid, /d1_0\[\("carts writer · 3 nines"\)\]/);
  assert.match(d.mermaid, /d1_1\[\("carts replica"\)\]/);
  // the hover card of the folded node reads the same label
  assert.equal(d.nodes.find((n) => n.id === "d1_1")?.label, "carts replica");
});

test("the preview puts a store's nines once, as the store's label, when it has two writers: each writer alone is only its site's (review style)", () => {
  const body = `${THREE_SITES()}  - { name: carts, replication: async, writers: [fra, lon], conflictPolicy: last-writer-wins, maxLagSeconds: 5 }\ntraffic:\n  - { name: web, steering: anycast, peakRps: 100, backends: [{ cluster: a }], dependsOn: [carts] }\nclusters:\n  - { name: a, site: fra }\n`;
  const a = analyzeFile("t.topology.yaml", HEADER + body);
  const nines = fig(body, "carts");
  const d = diagramFor(a, [], undefined, new Map(), { layouts: true });
  // both writers down is 0.001² = 10⁻⁶: six nines, the store's, once: on the first writer's node as the store's label
  assert.ok(Math.abs(nines.unavailability - 1e-6) < 1e-9, `${nines.unavailability}`);
  assert.match(d.mermaid, /d1_0\[\("carts · 2 writers · 6 nines if the fra–lon link never fails"\)\]/);
  assert.match(d.mermaid, /d1_1\[\("carts writer"\)\]/);
  assert.equal((d.mermaid.match(/nines/g) ?? []).length, 3 + 1 + 1, "ledger's three members, carts once, web");
  assert.equal(d.nodes.find((n) => n.id === "d1_0")?.label, "carts · 2 writers · 6 nines if the fra–lon link never fails");
  assert.equal(d.nodes.find((n) => n.id === "d1_1")?.label, "carts writer");
  // writers declared lon first: the label still goes to the first site drawn
  const swapped = diagramFor(analyzeFile("t.topology.yaml", HEADER + body.replace("writers: [fra, lon]", "writers: [lon, fra]"))).mermaid;
  assert.match(swapped, /d1_0\[\("carts · 2 writers · 6 nines if the fra–lon link never fails"\)\]/);
  // under a scenario no figure; the first writer still reads as the store
  const sim = diagramFor(a, [], run(a.contexts[0], { ...ALL_UP, lose: ["lon"] })).mermaid;
  assert.match(sim, /d1_0\[\("carts · 2 writers"\)\]/);
  // one writer: the figure stays on it (its site's)
  const one = diagramFor(
    analyzeFile("t.topology.yaml", HEADER + body.replace("writers: [fra, lon]", "writers: [fra], replicas: [lon]")),
  ).mermaid;
  assert.match(one, /d1_0\[\("carts writer · 3 nines"\)\]/);
});

test("the preview: an etcd's nines say they are its cluster's API; an entry's 'depends on' arrows reach every site of each store it writes (review style)", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  const d = diagramFor(analyzeFile("r.topology.yaml", reviewed), [], undefined, new Map(), { layouts: true });
  // fra-prod's API from fra (2.7), not the 2+2+1 quorum's 4.84 the ledger's label beside it shows
  assert.match(d.mermaid, /q0_0\[\("etcd of cluster fra-prod: 2 of 5 · API 2\.7 nines"\)\]/);
  assert.match(d.mermaid, /q1_0\[\("store ledger: 2 of 5 · 4\.84 nines"\)\]/);
  // ledger: each member site (fra, lon, ams); carts: each writer (fra, lon); one label per store, on its first site
  const arrows = d.mermaid.split("\n").filter((l) => l.startsWith("  t0 -.->"));
  assert.deepEqual(arrows, [
    '  t0 -.->|"depends on"| d1_0',
    "  t0 -.-> d1_1",
    '  t0 -.->|"depends on"| q1_0',
    "  t0 -.-> q1_1",
    "  t0 -.-> q1_2",
  ]);
  // folded (a summary for a narrow panel): one arrow per store, into its first site's node, drawn once
  const folded = d.layouts!.find((l) => l.direction === "LR" && l.folded)!.mermaid;
  assert.deepEqual(
    folded.split("\n").filter((l) => l.startsWith("  t0 -.->")),
    ['  t0 -.->|"depends on"| m0'],
  );
});

test("the preview's traffic figure that holds only through CockroachDB's follower relay says the figure without it (review style)", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace(
    "engine: cockroachdb 24.1",
    "engine: cockroachdb",
  ); // no version declared (review M74)
  const d = diagramFor(analyzeFile("r.topology.yaml", reviewed)).mermaid;
  assert.match(d, /t0\(\["checkout · gslb · 40,000 rps · 4\.82 nines \(2\.82 nines without CockroachDB's follower relay\)"\]\)/);
  // another engine has no relay: the figure alone
  const other = diagramFor(analyzeFile("p.topology.yaml", reviewed.replace("engine: cockroachdb", "engine: other-sql"))).mermaid;
  assert.match(other, /t0\(\["checkout · gslb · 40,000 rps · 2\.82 nines"\]\)/);
  // declared before 24.1: the label gives the figure with the relay, as the text does (w59's weak point)
  const older = diagramFor(analyzeFile("o.topology.yaml", reviewed.replace("engine: cockroachdb", "engine: cockroachdb 23.2"))).mermaid;
  assert.match(older, /t0\(\["checkout · gslb · 40,000 rps · 2\.82 nines \(4\.82 nines with CockroachDB 24\.1's follower relay\)"\]\)/);
});

test("a failing link between two writers: the conflict probability is the time they are partitioned", () => {
  const body = (policy: string) => yaml`
    sites:
      - { name: fra }
      - { name: lon }
    links:
      - { between: [fra, lon], rttMs: 14, availability: 0.999 }
    stores:
      - name: carts
        replication: async
        writers: [fra, lon]
        ${policy}
  `;
  const lww = fig(body("conflictResolution: last-writer-wins"), "carts");
  near(lww.conflictProbability!, 0.001, "conflict probability");
  // with a conflict policy the store diverges and heals: writes stay available
  assert.equal(lww.availability, 1);
  assert.equal(lww.method, "exact");
  near(lww.outcomes.diverges, 0.001, "diverges");
  // without one, the partition corrupts: that time is unavailability too
  const none = fig(body("conflictResolution: none"), "carts");
  near(none.unavailability, 0.001, "corrupting partitions");
  assert.deepEqual(none.cutSets[0].components, ["fra–lon link"]);
});

test("a single writer has no conflict exposure; an etcd quorum has no conflict figure", () => {
  const f = fig(
    yaml`
      sites:
        - { name: fra, availability: 0.99 }
        - { name: lon }
      stores:
        - { name: orders, replication: async, writers: [fra], replicas: [lon], maxLagSeconds: 5 }
    `,
    "orders",
  );
  assert.equal(f.conflictProbability, 0);
  near(f.availability, 0.99, "availability of its one writer site");
  assert.equal(f.rpoSeconds, 5);
});

test("a traffic entry: served fraction and outcome probabilities", () => {
  // two backends at 0.99 each; either alone overloads (capacity 600 of 1000 rps)
  const f = fig(
    yaml`
      sites:
        - { name: fra, availability: 0.99 }
        - { name: lon, availability: 0.99 }
      clusters:
        - { name: fra-prod, site: fra }
        - { name: lon-prod, site: lon }
      traffic:
        - name: web
          steering: gslb
          ttlSeconds: 60
          peakRps: 1000
          healthCheck: { intervalSeconds: 10, failureThreshold: 3 }
          backends:
            - { cluster: fra-prod, capacityRps: 600 }
            - { cluster: lon-prod, capacityRps: 600 }
    `,
    "web",
  );
  near(f.availability, 0.99 * 0.99, "served only with both up");
  near(f.outcomes.overloaded, 2 * 0.99 * 0.01, "one up, overloaded");
  near(f.outcomes.unserved, 0.0001, "both down");
  // lost: 400 rps with one site down, all 1000 with both
  near(f.servedFraction!, 1 - (2 * 0.99 * 0.01 * 400 + 0.0001 * 1000) / 1000, "served fraction");
  assert.equal(f.rto?.seconds, 90);
  assert.equal(f.rto?.terms, "10 s × 3 checks + 60 s TTL");
});

test("bounded: a tiny budget stops early and the interval contains the exact figure", () => {
  const exact = fig(THREE_SITES(0.9), "ledger");
  const bounded = fig(THREE_SITES(0.9), "ledger", 2);
  assert.equal(exact.method, "exact");
  assert.equal(bounded.method, "bounded");
  assert.ok(bounded.unjudgedProbability > 1e-9);
  assert.ok(bounded.interval[0] <= exact.availability && exact.availability <= bounded.interval[1]);
  assert.ok(bounded.availability <= exact.availability);
  // a bound that shows at six digits is said as one; one that does not show is not
  assert.match(figureText(bounded), /^at least /);
  // five sites and their ten links at 0.999 (15 components, past the always-exact size)
  const five = ["a", "b", "c", "d", "e"];
  const mesh = five.flatMap((x, i) => five.slice(i + 1).map((y) => `  - { between: [${x}, ${y}], rttMs: 5, availability: 0.999 }`));
  const tail = fig(
    `sites:\n${five.map((x) => `  - { name: ${x}, availability: 0.999 }`).join("\n")}\nlinks:\n${mesh.join("\n")}\nstores:\n  - { name: ledger, replication: consensus, members: { a: 1, b: 1, c: 1, d: 1, e: 1 } }\n`,
    "ledger",
  );
  assert.equal(tail.method, "bounded");
  assert.ok(tail.unjudgedProbability < 1e-9 && tail.unjudgedProbability > 0);
  assert.doesNotMatch(figureText(tail), /at least/);
});

test("enumeration stops once the unjudged mass is below 10⁻⁹: 60 failing components answer bounded", () => {
  const sites = Array.from({ length: 60 }, (_, i) => `  - { name: s${i}, availability: 0.999 }`).join("\n");
  const members = Array.from({ length: 5 }, (_, i) => `s${i * 12}: 1`).join(", ");
  const t0 = Date.now();
  const report = figuresOf(
    `sites:\n${sites}\nstores:\n  - { name: big, replication: crdt, writers: [${Array.from({ length: 60 }, (_, i) => `s${i}`).join(", ")}] }\n  - { name: q, replication: consensus, members: { ${members} } }\n`,
  );
  const big = report.figures.find((f) => f.entity === "big")!;
  // C(60, 5) states do not fit in the budget: every state of up to 4 failures is judged, the rest is the interval
  assert.equal(big.method, "bounded");
  assert.equal(big.maxFailures, 4);
  assert.ok(big.unjudgedProbability > 1e-9 && big.unjudgedProbability < 1e-8, `unjudged ${big.unjudgedProbability}`);
  assert.ok(Math.abs(big.interval[1] - big.interval[0] - big.unjudgedProbability) < 1e-15, "the interval is the unjudged mass wide");
  // the five-member quorum: five components (32 states) are judged whole, though after every
  // state of up to 3 failed sites what is left (4 or 5 down) weighs only ~5×10⁻¹²
  const q = report.figures.find((f) => f.entity === "q")!;
  assert.equal(q.method, "exact");
  assert.equal(q.states, 32);
  assert.equal(q.unjudgedProbability, 0);
  assert.ok(big.availability > 0.999999, "60 writers: all down is vanishingly rare");
  assert.ok(Date.now() - t0 < 60_000, "never hangs");
});

test("the failure-count distribution sums to 1", () => {
  const d = failureCountDistribution([0.1, 0.2, 0.3].map((q) => ({ type: "site" as const, index: 0, q, name: "x" })));
  near(
    d.reduce((a, x) => a + x, 0),
    1,
    "sum",
  );
  near(d[3], 0.006, "all three");
});

test("no availability declared: no figure; one out of range: nothing computed, named", () => {
  const none = THREE_SITES().replaceAll(", availability: 0.999", "");
  assert.equal(figuresOf(none).declared, false);
  const bad = figuresOf(THREE_SITES().replace("{ name: fra, availability: 0.999 }", "{ name: fra, availability: 1.5 }"));
  assert.deepEqual(bad.invalid, ["site fra: availability 1.5"]);
  assert.equal(bad.figures.length, 0);
  // the assumptions are those of figures: stated only when figures are printed
  for (const out of [availabilityText(ctxOf(none)), availabilityMarkdown(ctxOf(none))]) {
    assert.match(out, /No site or link declares an availability/);
    assert.doesNotMatch(out, /Assumptions|independent/);
  }
  assert.match(availabilityText(ctxOf(THREE_SITES())), /Assumptions:\n- failures are independent/);
  assert.match(availabilityMarkdown(ctxOf(THREE_SITES())), /Assumptions:\n\n- failures are independent/);
});

test("anycast RTO: BGP convergence is a term, said as not counted when withdrawSeconds is not declared", () => {
  const web = (hc: string) =>
    fig(
      `${THREE_SITES()}traffic:\n  - { name: web, steering: anycast, peakRps: 100, healthCheck: ${hc}, backends: [{ cluster: a }] }\nclusters:\n  - { name: a, site: fra }\n`,
      "web",
    ).rto;
  const undeclared = web("{ intervalSeconds: 10, failureThreshold: 3 }");
  assert.equal(undeclared?.seconds, 30);
  assert.equal(undeclared?.terms, "10 s × 3 checks + BGP convergence, not counted without withdrawSeconds");
  assert.equal(web("{ intervalSeconds: 10, failureThreshold: 3, withdrawSeconds: 5 }")?.terms, "10 s × 3 checks + 5 s BGP withdrawal");
  // declared as 0: converged at once, nothing left out
  assert.equal(web("{ intervalSeconds: 10, failureThreshold: 3, withdrawSeconds: 0 }")?.terms, "10 s × 3 checks");
  const body = `${THREE_SITES()}traffic:\n  - { name: web, steering: anycast, peakRps: 100, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, backends: [{ cluster: a }] }\nclusters:\n  - { name: a, site: fra }\n`;
  assert.match(availabilityText(ctxOf(body)), /RTO 30 s \(10 s × 3 checks \+ BGP convergence, not counted without withdrawSeconds\)/);
});

test("percent never rounds a figure up to 100%", () => {
  assert.equal(percent(0.9999999, 1e-7), "99.99999%");
  assert.equal(percent(0.998001), "99.8001%");
  assert.equal(percent(1, 0), "100%");
});

test("quorate availability: text, json and md on the reviewed example; exit 0 when every objective is met", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  inTempDir({ "t.yaml": reviewed, "bad.yaml": reviewed.replace("availability: 0.9999 #", "availability: 0.99999 #") }, (_dir, cli) => {
    const text = cli(["availability", "t.yaml"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /store ledger \(consensus\): 99\.9986% \(4\.84 nines, 7\.62 minutes unavailable a year\)/);
    assert.match(text.stdout, /cut set: fra \+ ams down \(0\.0005% of the time\)/);
    assert.match(text.stdout, /RTO 90 s \(10 s × 3 checks \+ 60 s TTL\)/);
    assert.match(text.stdout, /failures are independent/);
    const json = JSON.parse(cli(["availability", "--format", "json", "t.yaml"]).stdout);
    const ledger = json.find((x: { entity: string }) => x.entity === "ledger");
    for (const k of [
      "entity",
      "kind",
      "availability",
      "nines",
      "minutesPerYear",
      "method",
      "unjudgedProbability",
      "cutSets",
      "conflictProbability",
      "servedFraction",
      "rtoSeconds",
      "rpoSeconds",
      "objectives",
    ])
      assert.ok(k in ledger, k);
    assert.equal(ledger.kind, "consensus");
    assert.deepEqual(ledger.objectives.availability, { objective: 0.9999, met: true });
    assert.equal(json.find((x: { entity: string }) => x.entity === "checkout").rtoSeconds, 90);
    const md = cli(["availability", "-f", "md", "t.yaml"]).stdout;
    assert.match(md, /^## Availability\n\n\| entity \| kind \| availability \|/);
    assert.match(
      md,
      /\| store ledger \| consensus \| 99\.9986%; writes over the 20 ms budget \(writeLatencyBudgetMs\) 0\.598% of the time \(52\.4 hours a year\) with the leader of ledger pinned at ams \(the best pin for write latency: lease preferences\); without a pin, [^|]* \| 7\.62 minutes \| {2}\| {2}\| exact \|/,
    );
    const bad = cli(["availability", "bad.yaml"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /objective availability ≥ 99\.999% \(5\.26 minutes unavailable a year\): NOT met/);
    assert.equal(cli(["availability", "--format", "xml", "t.yaml"]).code, 2);
  });
});

test("hovers: an entity's objectives show its figures and cut sets; a site's availability what one more nine buys", () => {
  const text =
    HEADER +
    THREE_SITES().replace(
      "members: { fra: 2, lon: 2, ams: 1 }",
      "members: { fra: 2, lon: 2, ams: 1 }\n    objectives: { availability: 0.9999 }",
    );
  const a = analyzeFile("t.topology.yaml", text);
  const h = hoverAt(a, text.indexOf("objectives:") + 2);
  assert.ok(h);
  // its links declare no availability: the hover says the figure counts them as never failing (review M132)
  assert.match(
    h.markdown,
    /\*\*store ledger\*\* — availability 99\.9997% \(5\.52 nines, 1\.58 minutes unavailable a year\) if the fra–lon link, the fra–ams link and the lon–ams link never fail \(no availability declared\), exact/,
  );
  assert.match(h.markdown, /cut set: fra \+ lon down \(0\.0001% of the time\)/);
  assert.match(h.markdown, /Independent failures assumed/);
  const s = hoverAt(a, text.indexOf("availability: 0.999") + 16);
  assert.ok(s);
  // fra at 0.9999: pairs with fra weigh a tenth: 0.0001×0.001×0.999×2 + 0.001²×0.9999 + 0.0001×0.001² ≈ 1.1998e-6, 37.86 s a year
  assert.match(s.markdown, /\*\*fra one nine better\*\* \(0\.999 → 0\.9999\)/);
  assert.match(s.markdown, /store ledger: 99\.9997% → 99\.9999% \(1\.58 minutes → 37\.9 seconds a year\)/);
});

test("twenty sites and their 190 links all failing: every figure exact to 10⁻⁹, the writers' conflict as the binomial sum says", () => {
  const n = 20;
  const sites = Array.from({ length: n }, (_, i) => `s${i}`);
  const links = sites.flatMap((a, i) => sites.slice(i + 1).map((b) => `  - { between: [${a}, ${b}], rttMs: 5, availability: 0.9995 }`));
  const report = figuresOf(
    [
      "sites:",
      ...sites.map((s) => `  - { name: ${s}, availability: 0.999 }`),
      "links:",
      ...links,
      "clusters:",
      ...sites.map((s, i) => `  - { name: c${i}, site: ${s} }`),
      "stores:",
      "  - { name: ledger, replication: consensus, members: { s0: 1, s4: 1, s8: 1, s12: 1, s16: 1 } }",
      `  - { name: carts, replication: crdt, writers: [${sites.join(", ")}] }`,
      "traffic:",
      "  - name: web",
      "    steering: gslb",
      "    peakRps: 10000",
      "    dependsOn: [ledger, carts]",
      "    backends:",
      ...sites.map((_, i) => `      - { cluster: c${i}, capacityRps: 1000 }`),
      "",
    ].join("\n"),
  );
  for (const f of report.figures) assert.ok(f.unjudgedProbability < 1e-9, `${f.label}: ${f.unjudgedProbability} unjudged`);
  const carts = report.figures.find((f) => f.entity === "carts")!;
  assert.equal(carts.closedForm, 190);
  // no two up writers partitioned: Σ over u up sites C(20, u) 0.999^u 0.001^(20−u) 0.9995^C(u, 2)
  let connected = 0;
  let choose = 1;
  for (let u = 0; u <= n; u++) {
    connected += choose * 0.999 ** u * 0.001 ** (n - u) * 0.9995 ** ((u * (u - 1)) / 2);
    choose = (choose * (n - u)) / (u + 1);
  }
  assert.ok(Math.abs(carts.conflictProbability! - (1 - connected)) < 2e-9, `${carts.conflictProbability} vs ${1 - connected}`);
  // the entry reads no link among the crdt writers (every backend writes at its own site): only the ledger's
  const web = report.figures.find((f) => f.entity === "web")!;
  assert.ok(!web.components.includes("s1–s2 link"), "a link between two non-member writer sites is not read");
  assert.ok(web.components.includes("s1–s4 link"), "a backend's link to a ledger member is read");
});

test("a cut where the leader's placement decides who errors counts at the worst placement (review S1); CockroachDB relays through a follower instead", () => {
  const design = (failing: string, engine: string) => yaml`
    sites:
      - { name: fra }
      - { name: lon }
      - { name: ams }
    links:
      - { between: [fra, lon], rttMs: 14${failing === "fra-lon" ? ", availability: 0.9995" : ""} }
      - { between: [fra, ams], rttMs: 9${failing === "fra-ams" ? ", availability: 0.9995" : ""} }
      - { between: [lon, ams], rttMs: 8 }
    clusters:
      - { name: fra-prod, site: fra }
      - { name: lon-prod, site: lon }
    stores:
      - { name: ledger, replication: consensus, ${engine}members: { fra: 2, lon: 2, ams: 1 } }
    traffic:
      - name: checkout
        steering: gslb
        peakRps: 1000
        dependsOn: [ledger]
        backends:
          - { cluster: fra-prod }
          - { cluster: lon-prod }
  `;
  // fra–lon cut: every site can still lead; with the leader in lon fra-prod's writes fail, in fra lon-prod's
  const cut = fig(design("fra-lon", ""), "checkout");
  near(cut.unavailability, 0.0005, "the cut's whole time");
  near(cut.outcomes.errors, 0.0005, "errors");
  assert.deepEqual(cut.cutSets[0].components, ["fra–lon link"]);
  // the ledger's own writes go on (minority-stops): its availability is not the entry's
  assert.equal(fig(design("fra-lon", ""), "ledger").unavailability, 0);
  // fra–ams cut: with the leader at ams (it reaches lon: 3 of 5) fra-prod is stranded
  near(fig(design("fra-ams", ""), "checkout").unavailability, 0.0005, "leader at the witness");
  // CockroachDB (24.1+) relays fra's writes through a member that reaches the leader: served
  for (const failing of ["fra-lon", "fra-ams"]) {
    const crdb = fig(design(failing, "engine: cockroachdb, "), "checkout");
    assert.equal(crdb.unavailability, 0, failing);
    assert.equal(crdb.cutSets.length, 0, failing);
  }
});

test("a figure that holds only through CockroachDB's follower relay says what it is without it, and an objective met only so says on what (review S1)", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace(
    "engine: cockroachdb 24.1",
    "engine: cockroachdb",
  ); // no version declared (review M74)
  const ctx = analyzeFile("r.topology.yaml", reviewed).contexts[0];
  const checkout = availabilityReport(ctx).figures.find((f) => f.entity === "checkout")!;
  // without the relay is the same design with another engine, judged by the same evaluator
  const plain = analyzeFile("p.topology.yaml", reviewed.replace("engine: cockroachdb", "engine: other-sql")).contexts[0];
  const other = availabilityReport(plain).figures.find((f) => f.entity === "checkout")!;
  assert.equal(other.withoutRelay, undefined);
  assert.ok(checkout.withoutRelay, "no figure without the relay");
  assert.deepEqual(checkout.withoutRelay.stores, ["ledger"]);
  near(checkout.withoutRelay.figures.unavailability, other.unavailability, "without the relay");
  // each of the three links cut strands a backend at some leaseholder placement: ≈ 3 × 0.0005
  assert.ok(Math.abs(other.unavailability - 0.0015) < 0.00002, `${other.unavailability}`);
  // the ledger's own figure does not depend on a relay (only clients relay)
  assert.equal(availabilityReport(ctx).figures.find((f) => f.entity === "ledger")!.withoutRelay, undefined);

  // the objective 99.95% is met with the relay and not without: said beside "met" everywhere
  const j = objectiveJudgements(ctx).find((x) => x.label === "traffic checkout" && x.key === "availability")!;
  assert.equal(j.met, true);
  assert.equal(
    j.condition,
    `only with CockroachDB 24.1 or later (ledger's writes relayed through a follower when the leaseholder is out of reach); without that relay ${figureText(other)}: not met`,
  );
  const text = availabilityText(ctx);
  assert.match(
    text,
    /traffic checkout \(traffic\): 99\.9985%[^\n]*\n[^\n]*\n {2}without CockroachDB's follower relay for ledger \(before 24\.1, or with it disabled\): 99\.8497% /,
  );
  assert.match(text, /objective availability ≥ 99\.95% \(4\.4 hours unavailable a year\): met only with CockroachDB 24\.1 or later/);
  assert.match(availabilityMarkdown(ctx), /\| traffic checkout \| traffic \| 99\.9985%; without CockroachDB's follower relay[^|]*\|/);
  assert.match(availabilityMarkdown(ctx), /availability ≥ 99\.95% [^|]*: met only with CockroachDB 24\.1 or later/);
  const at = reviewed.indexOf("objectives:", reviewed.indexOf("name: checkout"));
  assert.match(hoverAt(analyzeFile("r.topology.yaml", reviewed), at + 2)!.markdown, /- without CockroachDB's follower relay for ledger/);

  // both sides of the boundary: an objective the figure without the relay meets exactly needs no condition
  const judged = (objective: string) =>
    objectiveJudgements(
      analyzeFile(
        "o.topology.yaml",
        reviewed.replace("availability: 0.9995\n      rtoSeconds", `availability: ${objective}\n      rtoSeconds`),
      ).contexts[0],
    ).find((x) => x.label === "traffic checkout" && x.key === "availability")!;
  const exactly = judged(String(other.availability));
  assert.equal(exactly.met, true);
  assert.equal(exactly.condition, undefined);
  const above = judged(String(other.availability + 1e-6));
  assert.equal(above.met, true);
  assert.match(above.condition ?? "", /^only with CockroachDB 24\.1 or later/);
  // not met even with the relay: no condition (nothing holds it)
  assert.equal(judged("0.99999").condition, undefined);
});

test("where a nine helps most (review M23), an RTO that cannot be estimated (M17) and what the RTO assumes of the health check (S9)", () => {
  const example = (name: string) => analyzeFile(name, readFileSync(`examples/${name}`, "utf8")).contexts[0];
  const ctx = example("payments-eu-reviewed.topology.yaml");
  const report = availabilityReport(ctx);
  const ledger = report.figures.find((f) => f.entity === "ledger")!;
  const helps = whereANineHelps(ctx, ledger)!;
  // the witness (0.995) is in the likely cut sets: one more nine there, not at fra or lon
  assert.equal(helps.site, "ams");
  assert.equal(
    nineHelpsText(ctx, ledger, helps),
    "one more nine at ams (0.995 → 0.9995): 4.84 → 5.49 nines, 7.62 minutes → 1.71 minutes unavailable a year",
  );
  // the example's own comment on the witness says the same, in the same numbers (it once said
  // fewer nines were enough there, the opposite of this arithmetic)
  const comment = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8")
    .split("\n")
    .find((l) => /availability: 0\.995 #/.test(l));
  assert.ok(comment?.includes("the witness is in most likely cut sets"), comment);
  assert.ok(
    comment?.includes(
      `at 0.9995 the ledger would be down ${helps.better.minutesPerYear.toFixed(1)}, not ${ledger.minutesPerYear.toFixed(1)}, minutes a year`,
    ),
    comment,
  );
  // a site that never fails helps nothing; nothing to say when no site of it fails
  assert.equal(whereANineHelps(ctxOf(THREE_SITES(1)), fig(THREE_SITES(1), "ledger")), undefined);
  const text = availabilityText(ctx);
  assert.match(
    text,
    /traffic checkout[\s\S]*RTO 90 s[\s\S]*a shallow check keeps passing, and clients stay until someone withdraws the site/,
  );
  assert.match(text, /store ledger[\s\S]*where a nine helps most: one more nine at ams/);
  const draft = example("payments-eu.topology.yaml");
  assert.match(availabilityText(draft), /traffic checkout[\s\S]*RTO unknown: add healthCheck: \{ intervalSeconds, failureThreshold \}/);
  assert.match(
    availabilityMarkdown(draft),
    // review M144: and, whatever the health check, the failover lands on 502s (carts' one writer is at fra)
    /\| traffic checkout \| traffic \|[^\n]*\| unknown: add healthCheck: \{ intervalSeconds, failureThreshold \}; losing fra, lon-prod \(lon\) cannot write to store carts \(its one writer site, fra, is lost\): all 40,000 rps are errors \(502s\) until that store takes writes again — clients steered there are not served, so the failover recovers nothing \|/,
  );
});

test("where a nine helps most tries links too (review M60): on the yugabytedb variant, whose likely cut sets are the links, a link's nine, not a site's", () => {
  // YugabyteDB has no follower relay: a backend cut off from the leader errors, so checkout's cut sets are single links
  const text = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace("engine: cockroachdb", "engine: yugabytedb");
  const ctx = analyzeFile("yb.topology.yaml", text).contexts[0];
  const checkout = availabilityReport(ctx).figures.find((f) => f.entity === "checkout")!;
  const helps = whereANineHelps(ctx, checkout)!;
  assert.deepEqual([helps.kind, helps.site], ["link", "fra–lon link"]);
  assert.equal(
    nineHelpsText(ctx, checkout, helps),
    "one more nine on the fra–lon link (0.9995 → 0.99995): 2.82 → 2.98 nines, 13.2 hours → 9.2 hours unavailable a year",
  );
  // the one more nine beats any site's: ams (the likeliest site) would barely move it
  const amsBetter = oneMoreNine(ctx, "ams").find((x) => x.label === "traffic checkout")!;
  assert.ok(
    helps.better.unavailability < amsBetter.better.unavailability,
    `${helps.better.unavailability} vs ${amsBetter.better.unavailability}`,
  );
  // the cockroachdb original keeps its site answer (ams, the witness): both sides of the choice
  const cr = analyzeFile("r.topology.yaml", readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8")).contexts[0];
  const ledger = availabilityReport(cr).figures.find((f) => f.entity === "ledger")!;
  assert.deepEqual([whereANineHelps(cr, ledger)!.kind, whereANineHelps(cr, ledger)!.site], ["site", "ams"]);
});

test("review M58 and style: the assumptions bear on the design — the CockroachDB relay only with a CockroachDB store, the shallow-check line only where traffic writes to a store", () => {
  const of = (path: string, edit = (t: string) => t) =>
    availabilityReport(analyzeFile(path, edit(readFileSync(path, "utf8"))).contexts[0]).assumptions.join("\n");
  const reviewed = of("examples/payments-eu-reviewed.topology.yaml");
  assert.match(reviewed, /CockroachDB \(24\.1 and later\) relays a write/);
  assert.match(
    reviewed,
    /^a backend that is still sent clients while a store it writes to takes no writes from its site counts as failing its share for the whole failure, as with a shallow health check; a check through its dependencies moves those clients within the RTO/m,
  );
  // the draft: Galera and Postgres, no CockroachDB, and its stretched etcd is 2+2 — every cut stops it,
  // so no cut leaves the placement deciding: no placement line (closing note "still weak")
  const draft = of("examples/payments-eu.topology.yaml");
  assert.doesNotMatch(draft, /CockroachDB/);
  assert.doesNotMatch(draft, /placement/);
  // a 2+2+1 over links that fail: a fra–lon cut leaves both sides a majority with ams — the line, without the relay clause
  const yb = of("examples/payments-eu-reviewed.topology.yaml", (t) => t.replace("engine: cockroachdb", "engine: yugabytedb"));
  assert.match(yb, /each backend is judged at the placement worst for it/);
  assert.doesNotMatch(yb, /CockroachDB/);
  // no traffic entry depends on a store: no shallow-check line
  const alone = of("examples/payments-eu-reviewed.topology.yaml", (t) => t.replace(/^ {4}dependsOn: .*\n/gm, ""));
  assert.doesNotMatch(alone, /shallow health check/);
});

test("check says what availability says: an objective met only through CockroachDB's relay is objective/conditional until the engine's version settles it (review M74)", () => {
  const shipped = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  const withEngine = (engine: string) => shipped.replace("engine: cockroachdb 24.1", `engine: ${engine}`);
  // no version: one information at checkout's availability objective, both figures and the field that settles it
  const f = only(withEngine("cockroachdb"), "objective/conditional");
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, "information");
  assert.equal(f[0].text, "0.9995");
  assert.equal(
    f[0].message,
    "traffic checkout: availability 99.95% is met at 99.9985% (4.82 nines, 7.88 minutes unavailable a year) only with CockroachDB 24.1 or later (ledger's writes relayed through a follower when the leaseholder is out of reach); without that relay 99.8497% (2.82 nines, 13.2 hours unavailable a year): not met. The design does not say which CockroachDB version ledger runs: write it in its `engine` (`engine: cockroachdb 24.1`) to settle it — 24.1 or later meets the objective; before 24.1 nothing is relayed and it is missed",
  );
  assert.deepEqual(codes(withEngine("cockroachdb")), ["objective/conditional"]);
  // declared 24.1 or later (the example as shipped): a fact, no condition, no figure without it
  for (const v of ["cockroachdb 24.1", "CockroachDB v25.2.1", "cockroachdb-24.3"]) assert.deepEqual(codes(withEngine(v)), [], v);
  assert.doesNotMatch(
    availabilityText(analyzeFile("r.topology.yaml", shipped).contexts[0]),
    /without CockroachDB's follower relay|met only with/,
  );
  // declared older: nothing is relayed, and the objective is missed at the figure without the relay
  const old = only(withEngine("cockroachdb 23.2"), "objective/availability");
  assert.equal(old.length, 1);
  assert.match(old[0].message, /^traffic checkout: computed availability 99\.8497% /);
  assert.deepEqual(codes(withEngine("cockroachdb 23.2")), ["objective/availability"]);
  assert.deepEqual(cockroachVersion("cockroachdb 23.2"), [23, 2]);
  assert.equal(cockroachVersion("cockroachdb"), undefined);
});
