// The availability numbers as leadership reads them (review M137, M139, M140, M141, and the
// preview's nines label on undeclared parts): every figure by hand, both sides of each boundary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityReport, catchmentText, ninesLabel, whereANineHelpsConflicts } from "../../server/src/availability/figures";
import { availabilityJson, availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { hoverAt } from "../../server/src/hover/hover";
import { diagramFor } from "../../server/src/preview/mermaid";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { facts } from "../../server/src/whatif/render";
import { loadWords, sideDigits } from "../../server/src/util/format";
import { HEADER, only, recordOf, row, tierRows, yaml } from "../helpers";

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 1e-9 + 1e-18, `${what}: ${actual} ≠ ${expected}`);
const REVIEWED = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");

/** Three sites at 0.999, one backend each (1,000 rps own share); fra's capacity 1,500, lon's and par's 2,000. */
const WEB = (steering = "anycast", weights = ["", "", ""], sites = ["fra", "lon", "par"]) => yaml`
  sites:
${sites.map((s) => `    - { name: ${s}, availability: 0.999 }`).join("\n")}
  clusters:
${sites.map((s) => `    - { name: ${s}-prod, site: ${s} }`).join("\n")}
  traffic:
    - name: web
      steering: ${steering}
      ttlSeconds: 60
      peakRps: ${sites.length * 1000}
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 }
      objectives: { availability: 0.9995 }
      backends:
${sites.map((s, i) => `        - { cluster: ${s}-prod, capacityRps: ${i === 0 ? 1500 : 2000}${weights[i]} }`).join("\n")}
`;

const CATCHMENT =
  /^traffic web: anycast moves a lost site's clients whole to one surviving site \(BGP's next-best origin\); the design does not name which, so each failure is judged with the whole lost share at the survivor it leaves the least headroom, as simulate judges it: the availability is the worst of where it may land \(served means served wherever it lands\), and requests served are counted at that survivor$/;

test("anycast over three sites: the figure is the worst of where a lost share may land, and every output says so (review M139)", () => {
  const ctx = ctxOf(WEB());
  const f = availabilityReport(ctx).figures.find((x) => x.entity === "web")!;
  // fra lost: its 1,000 rps whole at lon or par (2,000 each): served. lon or par lost: whole at fra is 2,000 > 1,500,
  // at the other 2,000 — judged at fra, overloaded. Two lost: 3,000 on one. Served = all up, or only fra down.
  const p = 0.999;
  near(f.availability, p ** 3 + (1 - p) * p ** 2, "availability");
  // the same fact simulate says, from the same function (math/traffic catchment)
  const lost = run(ctx, { ...ALL_UP, lose: ["par"] }).traffic.find((t) => t.name === "web")!;
  assert.equal(lost.outcome, "overloaded");
  assert.equal(lost.backends.find((b) => b.cluster === "fra-prod")!.loadRps, 2000);

  const report = availabilityReport(ctx);
  assert.equal(report.assumptions.filter((a) => CATCHMENT.test(a)).length, 1, report.assumptions.join("\n"));
  const text = availabilityText(ctx);
  assert.match(text, /^- traffic web: anycast moves a lost site's clients whole to one surviving site/m);
  assert.match(availabilityMarkdown(ctx), /^- traffic web: anycast moves a lost site's clients whole to one surviving site/m);
  const json = JSON.parse(availabilityJson(ctx))[0];
  assert.equal(json.lostShare, "catchment");
  assert.ok(json.assumptions.some((a: string) => CATCHMENT.test(a)));
  const body = HEADER + WEB();
  const hover = hoverAt(analyzeFile("t.topology.yaml", body), body.indexOf("objectives:") + 2)!.markdown;
  assert.match(
    hover,
    /^- after a site loss anycast moves a lost site's clients whole to one surviving site \(BGP's next-best origin\); the design does not name which/m,
  );
  const notes = recordOf(body).md;
  assert.match(
    notes,
    /^- Assumed: traffic web: anycast moves a lost site's clients whole to one surviving site .* counted at that survivor\.$/m,
  );
  // GeoDNS in its own words
  assert.match(
    catchmentText(ctxOf(WEB("geodns")), ctxOf(WEB("geodns")).topology.traffic[0])!,
    /^after a site loss GeoDNS answers a lost site's region whole with one surviving site \(its fallback\); the design does not name which/,
  );
});

test("no catchment sentence where the lost share has one place to go or splits by weight (review M139, the other side)", () => {
  const none = (body: string) => {
    const ctx = ctxOf(body);
    assert.equal(catchmentText(ctx, ctx.topology.traffic[0]), undefined);
    assert.ok(!availabilityReport(ctx).assumptions.some((a) => a.includes("moves a lost site's clients whole")));
  };
  // gslb splits it by weight: the same three sites
  none(WEB("gslb"));
  assert.equal(JSON.parse(availabilityJson(ctxOf(WEB("gslb"))))[0].lostShare, "weight");
  // two sites: the one survivor takes it all either way
  none(WEB("anycast", ["", ""], ["fra", "lon"]));
  // three sites, one a standby (weight 0): a loss leaves one weighted survivor
  none(WEB("anycast", ["", "", ", weight: 0"]));
  // three weighted sites: said
  assert.ok(catchmentText(ctxOf(WEB("anycast", ["", "", ", weight: 1"])), ctxOf(WEB()).topology.traffic[0]) !== undefined);
});

test("a load beside its capacity keeps its side as printed: 1,499.5 of 1,500 is not '1,500 of 1,500, headroom 1 rps' (review M140)", () => {
  assert.deepEqual(loadWords(1499.5, 1500), {
    load: "1,499.5 rps",
    capacity: "1,500 rps",
    headroom: "0.5 rps",
    share: "0.03%",
    excess: "−0.5 rps",
    digits: 1,
  });
  // exactly at capacity: 0, and nothing else
  assert.deepEqual([loadWords(1500, 1500).load, loadWords(1500, 1500).headroom, loadWords(1500, 1500).share], ["1,500 rps", "0 rps", "0%"]);
  // just over: never "1,500" nor a headroom of "0"
  const over = loadWords(1500.5, 1500);
  assert.deepEqual([over.load, over.headroom, over.share, over.excess], ["1,500.5 rps", "−0.5 rps", "−0.03%", "0.5 rps"]);
  assert.equal(loadWords(1500.04, 1500).load, "1,500.04 rps");
  // a third of a request over (the reviewer's 10,000 over three, 3,333 each): load and headroom to the hundredth, adding up
  const third = loadWords(10000 / 3, 3333);
  assert.deepEqual([third.load, third.headroom, third.excess, third.share], ["3,333.33 rps", "−0.33 rps", "0.33 rps", "−0.01%"]);
  assert.equal(loadWords(1499.96, 1500).load, "1,499.96 rps");
  // far from it: whole numbers as before
  assert.deepEqual(
    [loadWords(1000, 1500).load, loadWords(1000, 1500).headroom, loadWords(1000, 1500).share],
    ["1,000 rps", "500 rps", "33.3%"],
  );
  assert.equal(sideDigits(1499.4, 1500), 0);
  assert.equal(sideDigits(1499.5, 1500), 1);
  assert.equal(sideDigits(1500.4, 1500), 1);
  assert.equal(sideDigits(1500.5, 1500), 0);
});

test("simulate, check, the record and its Tiers say a survivor at the capacity edge on its side of it (review M140)", () => {
  // three sites of 1,500 rps, peak 2,999 / 3,000 / 3,001: a loss leaves two survivors at 1,499.5 / 1,500 / 1,500.5
  const edge = (peak: number) =>
    WEB("gslb").replace("peakRps: 3000", `peakRps: ${peak}`).replaceAll("capacityRps: 2000", "capacityRps: 1500");
  const sim = (peak: number) => {
    const r = run(ctxOf(edge(peak)), { ...ALL_UP, lose: ["par"] });
    return [...facts(r).map((x) => x.join(" ")), ...r.breaks].join("\n");
  };
  assert.match(sim(2999), /served · fra-prod 1,499\.5 rps of 1,500 rps \(headroom 0\.5 rps, 0\.03%\)/);
  assert.match(sim(3000), /served · fra-prod 1,500 rps of 1,500 rps \(headroom 0 rps, 0%\)/);
  assert.match(sim(3001), /overloaded · fra-prod 1,500\.5 rps of 1,500 rps \(headroom −0\.5 rps, −0\.03%\)/);
  assert.match(sim(3001), /fra-prod carries 1,500\.5 rps; capacity 1,500 rps — overloaded by 0\.5 rps \(headroom −0\.03%\)/);
  assert.deepEqual(
    only(edge(3001), "capacity/site-loss").map((f) => f.message)[0],
    "web: after losing lon, fra-prod carries 1,500.5 rps; capacity 1,500 (short by 0.5 rps)",
  );
  assert.deepEqual(only(edge(2999), "capacity/site-loss"), []);
  const rows = tierRows(recordOf(HEADER + edge(2999)).md);
  assert.match(
    row(rows, "Stateless workloads RTO", "backends of web")[3],
    /every single-site loss leaves enough capacity \(least headroom 0\.5 rps: losing fra leaves lon-prod at 1,499\.5 of 1,500 rps;/,
  );
  assert.match(
    row(tierRows(recordOf(HEADER + edge(3000)).md), "Stateless workloads RTO", "backends of web")[3],
    /every single-site loss leaves exactly enough capacity, no margin: losing fra leaves lon-prod at 1,500 of 1,500 rps/,
  );
  const record = recordOf(HEADER + edge(2999)).md;
  assert.match(
    record,
    /the tightest single-site loss is lose fra: lon-prod carries 1,499\.5 rps of 1,500 rps, headroom 0\.5 rps \(0\.03%\)/,
  );
  assert.match(record, /^\| lose fra \| lon-prod \| lon \| 1,499\.5 \| 1,500 \| 0\.5 \(0\.03%\) \|$/m);
  assert.match(recordOf(HEADER + edge(3001)).md, /^\| lose fra \| lon-prod \| lon \| 1,500\.5 \| 1,500 \| \*\*−0\.5 \(−0\.03%\)\*\* \|$/m);
});

test("where a nine cuts a multi-writer store's conflict exposure: the link between its writers, by hand (review M141)", () => {
  const ctx = analyzeFile("t.topology.yaml", REVIEWED).contexts[0];
  const carts = availabilityReport(ctx).figures.find((f) => f.entity === "carts")!;
  // writers fra and lon (0.999 each) partitioned when both are up and the fra–lon link (0.9995) is down
  near(carts.conflictProbability!, 0.999 * 0.999 * 0.0005, "conflict now");
  const h = whereANineHelpsConflicts(ctx, carts)!;
  assert.deepEqual([h.kind, h.site], ["link", "fra–lon link"]);
  near(h.better.conflictProbability!, 0.999 * 0.999 * 0.00005, "conflict with the link one nine better");
  const line =
    "where a nine cuts conflict exposure most: one more nine on the fra–lon link (0.9995 → 0.99995): writers partitioned 0.0499% → 0.00499% of the time (4.4 hours → 26.25 minutes a year)";
  const text = availabilityText(ctx);
  assert.ok(text.includes(`\n  ${line}\n`), text);
  // the availability's own lever is still a site (carts diverges when cut: the link does not move its availability)
  assert.match(text, /store carts[\s\S]*where a nine helps most: one more nine at fra/);
  const md = availabilityMarkdown(ctx);
  assert.ok(
    md
      .split("\n")
      .find((l) => l.startsWith("| store carts "))!
      .includes(`; ${line} |`),
  );
  const json = JSON.parse(availabilityJson(ctx)).find((x: { entity: string }) => x.entity === "carts");
  assert.equal(json.whereANineCutsConflicts.component, "fra–lon link");
  assert.equal(json.whereANineCutsConflicts.better, 0.99995);
  near(json.whereANineCutsConflicts.conflictProbabilityThen, 0.999 * 0.999 * 0.00005, "JSON");
  assert.equal(json.whereANineHelps.component, "fra");
  assert.match(recordOf(REVIEWED).md, /^- store carts: where a nine cuts conflict exposure most: one more nine on the fra–lon link/m);
  // a single writer, a quorum store and a traffic entry have none
  for (const entity of ["ledger", "checkout"])
    assert.equal(whereANineHelpsConflicts(ctx, availabilityReport(ctx).figures.find((f) => f.entity === entity)!), undefined);
  const one = analyzeFile("t.topology.yaml", REVIEWED.replace("writers: [fra, lon]", "writers: [fra]")).contexts[0];
  assert.equal(whereANineHelpsConflicts(one, availabilityReport(one).figures.find((f) => f.entity === "carts")!), undefined);
  assert.equal(JSON.parse(availabilityJson(one)).find((x: { entity: string }) => x.entity === "carts").whereANineCutsConflicts, null);
});

test("objective/conflicts, missed, says where a nine cuts it; met, no finding (review M141)", () => {
  const missed = only(REVIEWED.replace("conflictProbability: 0.001", "conflictProbability: 0.0004"), "objective/conflicts");
  assert.equal(missed.length, 1);
  assert.match(
    missed[0].message,
    /within their replication lag; where a nine cuts it most: one more nine on the fra–lon link \(0\.9995 → 0\.99995\): writers partitioned 0\.0499% → 0\.00499% of the time/,
  );
  assert.deepEqual(only(REVIEWED.replace("conflictProbability: 0.001", "conflictProbability: 0.0005"), "objective/conflicts"), []);
});

test("the md table carries the conflict figure and the RTO's TTL caveat the text has (review M137)", () => {
  const ctx = analyzeFile("t.topology.yaml", REVIEWED).contexts[0];
  const md = availabilityMarkdown(ctx);
  assert.match(md, /^\| entity \| kind \| availability \| unavailable a year \| requests served \| conflict exposure \| method \|/m);
  const cells = (entity: string) =>
    md
      .split("\n")
      .find((l) => l.startsWith(`| ${entity} `))!
      .split(" | ");
  assert.equal(
    cells("store carts")[5],
    "writers partitioned 0.0499% of the time (4.4 hours a year) — a lower bound: writers also conflict while connected, within their lag",
  );
  assert.equal(cells("store ledger")[5], "");
  assert.equal(cells("traffic checkout")[5], "");
  assert.match(
    md,
    /\| 90 s \(10 s × 3 checks \+ 60 s TTL\): worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer; holds for a lost site;/,
  );
  const one = availabilityMarkdown(analyzeFile("t.topology.yaml", REVIEWED.replace("writers: [fra, lon]", "writers: [fra]")).contexts[0]);
  assert.equal(
    one
      .split("\n")
      .find((l) => l.startsWith("| store carts "))!
      .split(" | ")[5],
    "none: one writer site",
  );
});

test("the preview's nines say when they rest on parts that declare no availability, as the text does", () => {
  const AMS = (ams: string) => yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }
    - { name: ams${ams} }
  links:
    - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
    - { between: [fra, ams], rttMs: 9, availability: 0.9995 }
    - { between: [lon, ams], rttMs: 8, availability: 0.9995 }
  stores:
    - { name: ledger, replication: consensus, members: { fra: 2, lon: 2, ams: 1 } }
`;
  const label = (body: string) => diagramFor(analyzeFile("t.topology.yaml", HEADER + body)).mermaid;
  assert.match(label(AMS("")), /store ledger: 2 of 5 · [\d.]+ nines if ams never fails/);
  assert.equal(ninesLabel(availabilityReport(ctxOf(AMS(""))).figures[0], { condition: false })!.includes(" if "), false);
  // declared: bare
  assert.match(label(AMS(", availability: 0.995")), /store ledger: 2 of 5 · 4\.84 nines"/);
  assert.doesNotMatch(label(AMS(", availability: 0.995")), / if /);
  // several: named up to two, counted past that
  const two = AMS("").replace("{ between: [fra, ams], rttMs: 9, availability: 0.9995 }", "{ between: [fra, ams], rttMs: 9 }");
  assert.match(label(two), /nines if ams and the fra–ams link never fail"/);
  const three = two.replace("{ between: [lon, ams], rttMs: 8, availability: 0.9995 }", "{ between: [lon, ams], rttMs: 8 }");
  assert.match(label(three), /nines if 3 components with no availability never fail"/);
});
