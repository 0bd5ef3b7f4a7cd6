/**
 * The served fraction as a range: in each state the one leader placement losing the most requests
 * (the lower end; review M95: the leader is in one place) to one placement per quorum shared by
 * every backend, the one losing the fewest requests (the upper end) — hand-computed on designs
 * where only one link fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { bestServed } from "../../server/src/availability/best";
import { availabilityReport, type EntityFigures, servedText } from "../../server/src/availability/figures";
import { availabilityJson, availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { judgeTraffic, judgeTrafficPinned, leanDesign, leanEntities, type LeanTraffic } from "../../server/src/availability/lean";
import { fullMesh, HEADER, yaml } from "../helpers";

/** fra, lon, ams never failing; only the fra–lon link fails (0.999); web at fra and lon, half each, writing to ledger. */
const DESIGN = (members: string, engine = "") =>
  HEADER +
  yaml`
    sites:
      - { name: fra }
      - { name: lon }
      - { name: ams }
    links:
      - { between: [fra, lon], rttMs: 14, availability: 0.999 }
      - { between: [fra, ams], rttMs: 9 }
      - { between: [lon, ams], rttMs: 8 }
    clusters:
      - { name: fra-prod, site: fra }
      - { name: lon-prod, site: lon }
    stores:
      - name: ledger
        replication: consensus${engine}
        members: ${members}
    traffic:
      - name: web
        steering: gslb
        ttlSeconds: 60
        peakRps: 1000
        dependsOn: [ledger]
        backends:
          - { cluster: fra-prod }
          - { cluster: lon-prod }
  `;

const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
const web = (text: string): EntityFigures => availabilityReport(ctxOf(text)).figures.find((f) => f.entity === "web")!;

test("1+1+1 without a relay: a cut fra–lon errors one backend at the worst placement, none with the leader at ams", () => {
  const f = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }"));
  // worst: leader in lon strands fra, leader in fra strands lon — one or the other, never both (the leader is in one
  // place, review M95): 500 of 1,000 rps for 0.1% of the time; each backend at its own worst would say all 1,000
  assert.equal(f.servedFraction, 1 - 0.0005);
  assert.notEqual(f.servedFraction, 1 - 0.001);
  // availability still counts the cut: some backend errs at some placement
  assert.equal(f.availability, 1 - 0.001);
  assert.equal(f.servedBest?.fraction, 1);
  assert.equal(f.servedBest?.upper, 1);
  assert.equal(f.servedBest?.method, "exact");
  const text = availabilityText(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }")));
  assert.match(
    text,
    /requests served: 99\.95–100% \(worst to best leader placement: in each failure the one placement losing the most requests — without a pin, leadership stays where it was when the links went — to the leader of store ledger at ams pinned \(the engine's leader preference; elsewhere only while that site cannot lead\), the pin losing the fewest requests over the year/,
  );
  const json = JSON.parse(availabilityJson(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }")))).find(
    (x: { entity: string }) => x.entity === "web",
  );
  assert.equal(json.servedFraction, 1 - 0.0005);
  assert.deepEqual(json.servedBest, {
    fraction: 1,
    upper: 1,
    method: "exact",
    statesJudged: 2,
    placementsBounded: false,
    pins: [{ quorum: "store ledger", site: "ams" }],
  });
  // the assumption says the range gives the best placement too
  assert.match(
    text,
    /judged at the placement worst for it, and requests served at the one placement losing the most \(requests served and the time over a write budget also give the best placement; a cluster's API through its etcd only the worst, since etcd cannot pin its leader\)/,
  );
});

test("2+1: only fra can lead under the cut — the placement is fixed, best and worst are one figure, the engine's", () => {
  const text = DESIGN("{ fra: 2, lon: 1 }");
  const f = web(text);
  // lon's half errors: 500 of 1,000 rps for 0.1% of the time
  assert.equal(f.servedFraction, 1 - 0.0005);
  assert.equal(f.servedBest?.fraction, f.servedFraction);
  assert.match(availabilityText(ctxOf(text)), /requests served: 99\.95% \(wherever the leaders are;/);
  // in the cut, lon cannot lead: pinned at fra or at lon, the leader is at fra — the engine's placement
  const ctx = ctxOf(text);
  const d = leanDesign(ctx);
  const e = leanEntities(ctx, d).find((x): x is LeanTraffic => x.type === "traffic")!;
  const cut = {
    siteUp: Uint8Array.from([1, 1, 1]),
    linkUp: Uint8Array.from(d.links, (l) => (d.sites[l.a] === "fra" && d.sites[l.b] === "lon" ? 0 : 1)),
  };
  const losses = new Float64Array(2);
  judgeTrafficPinned(d, cut, e, [Int32Array.of(0), Int32Array.of(1)], losses);
  assert.deepEqual([...losses], [500, 500]);
  assert.equal(judgeTraffic(d, cut, e, { outcome: 0, lostRps: 0 }, true).lostRps, 500);
});

test("CockroachDB relays through ams: nothing is lost at either placement; no quorum, nothing to place", () => {
  const f = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }", "\n        engine: cockroachdb"));
  assert.equal(f.servedFraction, 1);
  assert.equal(f.servedBest?.fraction, 1);
  // without the relay the range shows beside the figure without it
  assert.match(
    availabilityText(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }", "\n        engine: cockroachdb"))),
    /with it disabled\): 99\.9% .*; requests served: 99\.95–100% \(worst leader placement to the leader of store ledger pinned at ams\)$/m,
  );
  const noQuorum = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }").replace("dependsOn: [ledger]", "dependsOn: []"));
  assert.equal(noQuorum.servedBest?.states, 0);
  assert.equal(noQuorum.servedBest?.fraction, noQuorum.servedFraction);
});

test("more pins than are tried: the best found is a placement the design allows, never below the worst", () => {
  // four quorums over five sites (only links fail)
  const five = ["a", "b", "c", "d", "e"];
  const text =
    HEADER +
    [
      ...fullMesh(five, 0.99),
      "clusters:",
      ...five.map((s) => `  - { name: c-${s}, site: ${s} }`),
      "stores:",
      ...[0, 1, 2, 3].flatMap((k) => [
        `  - name: q${k}`,
        "    replication: consensus",
        `    members: { ${five.map((s) => `${s}: 1`).join(", ")} }`,
      ]),
      "traffic:",
      "  - name: web",
      "    steering: gslb",
      "    peakRps: 1000",
      "    dependsOn: [q0, q1, q2, q3]",
      "    backends:",
      ...five.map((s) => `      - { cluster: c-${s} }`),
    ].join("\n") +
    "\n";
  const f = web(text);
  // 5⁴ = 625 pin combinations: above MAX_PLACEMENTS, the best of the first 256 in site order
  assert.equal(f.servedBest?.placementsBounded, true);
  assert.equal(f.servedBest?.method, "bounded");
  assert.ok(f.servedBest!.fraction >= f.servedFraction!);
  assert.equal(f.servedBest?.upper, 1);
  // the two ends said apart (a range ending in "at least" reads as if the whole range were uncertain), and why it is a bound
  assert.match(
    availabilityText(ctxOf(text)),
    /requests served: [\d.]+% at the worst leader placement \(in each failure the one placement losing the most requests[^)]*\); at least [\d.]+% with the leaders of store q0 at \w+, store q1 at \w+, store q2 at \w+ and store q3 at \w+ pinned \([^)]*\), the pins losing the fewest requests over the year \(of the first 256 pin combinations in site order: a placement the design allows, maybe not the best\); shedding/,
  );
  assert.doesNotMatch(availabilityText(ctxOf(text)), /to at least/);
});

test("a best end bounded by its state budget is the interval it lies in, said apart from the worst end (leadership reads two figures, not a range of ranges)", () => {
  // every link fails, 1+1+1: the budget of 4 judges all up and the three single cuts (the likeliest), not the rest
  const text = DESIGN("{ fra: 1, lon: 1, ams: 1 }")
    .replace("{ between: [fra, ams], rttMs: 9 }", "{ between: [fra, ams], rttMs: 9, availability: 0.999 }")
    .replace("{ between: [lon, ams], rttMs: 8 }", "{ between: [lon, ams], rttMs: 8, availability: 0.999 }");
  const f = web(text);
  const d = leanDesign(ctxOf(text));
  const e = leanEntities(ctxOf(text), d).find((x): x is LeanTraffic => x.type === "traffic")!;
  const b = bestServed(d, e, f.servedFraction!, true, 4);
  assert.equal(b.method, "bounded");
  assert.equal(b.states, 4);
  assert.equal(b.placementsBounded, false);
  // the worst end by hand: 1 − (q·p²·1,500 + 2·q²·p·500 + q³·1,000) / 1,000 = 99.8502% (see "every link fails" below)
  // the unjudged states (two or three links down) weigh 3q²p + q³; the interval is that wide and holds the exact figure
  const q = 0.001;
  const unjudged = 3 * q * q * 0.999 + q ** 3;
  assert.ok(Math.abs(b.upper - b.fraction - unjudged) < 1e-12);
  assert.ok(b.fraction <= f.servedBest!.fraction + 1e-15 && f.servedBest!.fraction <= b.upper + 1e-15);
  const bounded = { ...f, servedBest: b };
  assert.equal(
    servedText(bounded),
    "requests served: 99.8502% at the worst leader placement (in each failure the one placement losing the most requests — without a pin, leadership stays where it was when the links went); 99.9498–99.9501% with the leader of store ledger at fra pinned (the engine's leader preference; elsewhere only while that site cannot lead), the pin losing the fewest requests over the year (the 4 states with the fewest failures judged; the rest, counted as losing every request or none, make the interval); shedding exactly the excess, optimistic without admission control",
  );
  assert.equal(
    servedText(bounded, true),
    "requests served: 99.8502% at the worst leader placement, 99.9498–99.9501% with the leader of store ledger pinned at fra",
  );
  // exact: one range, the pin named
  assert.match(
    servedText(f, true),
    /^requests served: 99\.8502–99\.95% \(worst leader placement to the leader of store ledger pinned at fra\)$/,
  );
});

test("availability md has a requests-served column: the range for a traffic entry, and without CockroachDB's relay; blank for the others", () => {
  const relay = DESIGN("{ fra: 1, lon: 1, ams: 1 }", "\n        engine: cockroachdb");
  const md = availabilityMarkdown(ctxOf(relay));
  assert.match(md, /^\| entity \| kind \| availability \| unavailable a year \| requests served \| conflict exposure \| method \|/m);
  assert.match(
    md,
    /^\| traffic web \| traffic \| [^|]+ \| [^|]+ \| 100%; without CockroachDB's follower relay: 99\.95–100% \(worst leader placement to the leader of store ledger pinned at ams\) — shedding exactly the excess, optimistic without admission control \| {2}\| exact \|/m,
  );
  assert.match(md, /^\| store ledger \| consensus \| [^|]+ \| [^|]+ \| {2}\| {2}\| exact \|/m);
  // a plain design: one figure
  assert.match(
    availabilityMarkdown(ctxOf(DESIGN("{ fra: 2, lon: 1 }"))),
    /^\| traffic web \| traffic \| [^|]+ \| [^|]+ \| 99\.95% — shedding/m,
  );
});

test("every link fails: the best end is one pin for the whole year, not the ideal leader per failure (review M53)", () => {
  // 1+1+1 without a relay, each of the three links down 0.1% of the time, sites never failing
  const text = DESIGN("{ fra: 1, lon: 1, ams: 1 }")
    .replace("{ between: [fra, ams], rttMs: 9 }", "{ between: [fra, ams], rttMs: 9, availability: 0.999 }")
    .replace("{ between: [lon, ams], rttMs: 8 }", "{ between: [lon, ams], rttMs: 8, availability: 0.999 }");
  const f = web(text);
  const q = 0.001;
  const p = 0.999;
  const one = q * p * p; // one given link down, the other two up
  const two = q * q * p;
  const three = q * q * q;
  // the placement losing the most: fra–lon cut 500 (the leader in lon strands fra, in fra strands lon — one of them, review
  // M95; each backend at its own worst would say 1,000), fra–ams and lon–ams 500 (the leader in ams strands the cut side);
  // fra or lon cut off from both 500, ams cut off nothing (fra and lon lead together); all three 1,000 (no majority)
  assert.ok(Math.abs(f.servedFraction! - (1 - (one * 1500 + 2 * two * 500 + three * 1000) / 1000)) < 1e-12);
  assert.ok(Math.abs(f.servedFraction! - (1 - (one * 2000 + 2 * two * 500 + three * 1000) / 1000)) > 1e-7);
  // pinned at fra: the fra–lon cut strands lon (500); fra–ams and lon–ams lose nothing (fra still leads with lon);
  // fra cut off from both: it cannot lead, the leader is elsewhere, fra's half fails; lon cut off: lon's half; ams cut off: nothing
  const pinnedFra = 1 - (one * 500 + 2 * two * 500 + three * 1000) / 1000;
  assert.ok(Math.abs(f.servedBest!.fraction - pinnedFra) < 1e-12, `${f.servedBest!.fraction} vs ${pinnedFra}`);
  assert.deepEqual(f.servedBest?.pins, [{ quorum: "store ledger", site: "fra" }]);
  // pinned at ams would lose 500 in two of the single cuts: worse than fra or lon
  // the old per-state minimum (ams for fra–lon, fra or lon for the others) lost nothing in any single cut: no pin reaches it
  const perStateIdeal = 1 - (3 * two * 500 + three * 1000) / 1000;
  assert.ok(f.servedBest!.fraction < perStateIdeal - 1e-7);
  assert.match(availabilityText(ctxOf(text)), /to the leader of store ledger at fra pinned/);
});
