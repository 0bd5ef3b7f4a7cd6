/**
 * The served fraction as a range: each backend at the leader placement worst for it (the lower
 * end) to one placement per quorum shared by every backend, the one losing the fewest requests
 * (the upper end) — hand-computed on designs where only one link fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityReport, type EntityFigures } from "../../server/src/availability/figures";
import { availabilityJson, availabilityText } from "../../server/src/availability/render";
import { judgeTraffic, judgeTrafficBest, leanDesign, leanEntities, type LeanTraffic } from "../../server/src/availability/lean";
import { HEADER, yaml } from "../helpers";

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

test("1+1+1 without a relay: a cut fra–lon errors both backends at their worst placements, none with the leader at ams", () => {
  const f = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }"));
  // worst: leader in lon strands fra, leader in fra strands lon — each backend at its own worst, all 1,000 rps lost
  assert.equal(f.servedFraction, 1 - 0.001);
  assert.equal(f.servedBest?.fraction, 1);
  assert.equal(f.servedBest?.upper, 1);
  assert.equal(f.servedBest?.method, "exact");
  const text = availabilityText(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }")));
  assert.match(
    text,
    /requests served: 99\.9–100% \(worst to best leader placement: each backend at the placement worst for it, to one placement per quorum, the one losing the fewest requests/,
  );
  const json = JSON.parse(availabilityJson(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }")))).find(
    (x: { entity: string }) => x.entity === "web",
  );
  assert.equal(json.servedFraction, 1 - 0.001);
  assert.deepEqual(json.servedBest, { fraction: 1, upper: 1, method: "exact", statesJudged: 2, placementsBounded: false });
  // the assumption says the range gives the best placement too
  assert.match(
    text,
    /judged at the placement worst for it \(requests served and the time over a write budget also give the best placement\)/,
  );
});

test("2+1: only fra can lead under the cut — the placement is fixed, best and worst are one figure, the engine's", () => {
  const text = DESIGN("{ fra: 2, lon: 1 }");
  const f = web(text);
  // lon's half errors: 500 of 1,000 rps for 0.1% of the time
  assert.equal(f.servedFraction, 1 - 0.0005);
  assert.equal(f.servedBest?.fraction, f.servedFraction);
  assert.match(availabilityText(ctxOf(text)), /requests served: 99\.95% \(wherever the leaders are;/);
  // state by state: in the cut, the best is the engine's placement
  const ctx = ctxOf(text);
  const d = leanDesign(ctx);
  const e = leanEntities(ctx, d).find((x): x is LeanTraffic => x.type === "traffic")!;
  const cut = {
    siteUp: Uint8Array.from([1, 1, 1]),
    linkUp: Uint8Array.from(d.links, (l) => (d.sites[l.a] === "fra" && d.sites[l.b] === "lon" ? 0 : 1)),
  };
  assert.equal(judgeTrafficBest(d, cut, e, { lostRps: 0, exact: true }).lostRps, 500);
  assert.equal(judgeTraffic(d, cut, e, { outcome: 0, lostRps: 0 }, true).lostRps, 500);
});

test("CockroachDB relays through ams: nothing is lost at either placement; no quorum, nothing to place", () => {
  const f = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }", "\n        engine: cockroachdb"));
  assert.equal(f.servedFraction, 1);
  assert.equal(f.servedBest?.fraction, 1);
  // without the relay the range shows beside the figure without it
  assert.match(
    availabilityText(ctxOf(DESIGN("{ fra: 1, lon: 1, ams: 1 }", "\n        engine: cockroachdb"))),
    /with it disabled\): 99\.9% .*; requests served: 99\.9–100% \(worst to best leader placement\)/,
  );
  const noQuorum = web(DESIGN("{ fra: 1, lon: 1, ams: 1 }").replace("dependsOn: [ledger]", "dependsOn: []"));
  assert.equal(noQuorum.servedBest?.states, 0);
  assert.equal(noQuorum.servedBest?.fraction, noQuorum.servedFraction);
});

test("more placements than are tried: the best found is a placement the design allows, never below the worst", () => {
  // four quorums over five sites (only links fail)
  const five = ["a", "b", "c", "d", "e"];
  const text =
    HEADER +
    [
      "sites:",
      ...five.map((s) => `  - { name: ${s} }`),
      "links:",
      ...five.flatMap((s, i) => five.slice(i + 1).map((t) => `  - { between: [${s}, ${t}], rttMs: 5, availability: 0.99 }`)),
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
  // 5⁴ = 625 placements in an all-up state: above MAX_PLACEMENTS, found one quorum at a time
  assert.equal(f.servedBest?.placementsBounded, true);
  assert.equal(f.servedBest?.method, "bounded");
  assert.ok(f.servedBest!.fraction >= f.servedFraction!);
  assert.equal(f.servedBest?.upper, 1);
  assert.match(availabilityText(ctxOf(text)), /requests served: [\d.]+% to at least [\d.]+% \(worst to best/);
});
