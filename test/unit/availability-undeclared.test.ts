import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityJson, availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { hoverAt } from "../../server/src/hover/hover";
import { HEADER, only, recordOf, row, tierRows, yaml } from "../helpers";

/**
 * Review M132, M134 (the reviewer's amskv: payments-eu-reviewed without ams's availability, plus a
 * store witnesskv whose three members are all at ams): ams and the fra–ams link declare no
 * availability, so they are taken as never failing. ledger 2+2+1 meets 99.99% only if they never
 * fail (99.9999% counting them up; 99.9986% with ams at 0.995); witnesskv has nothing measured.
 */
const AMS = (ams = "", link = "") => yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }
    - { name: ams${ams} }
  links:
    - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
    - { between: [fra, ams], rttMs: 9${link} }
    - { between: [lon, ams], rttMs: 8, availability: 0.9995 }
  stores:
    - name: ledger
      replication: consensus
      members: { fra: 2, lon: 2, ams: 1 }
      objectives: { availability: 0.9999, survive: [site] }
    - name: witnesskv
      replication: consensus
      members: { ams: 3 }
      objectives: { availability: 0.99999 }
`;

const ctxOf = (text: string) => analyzeFile("t.topology.yaml", HEADER + text).contexts[0];

test("an objective met only by taking undeclared sites and links as never failing is not met: objective/unmeasurable, what to add (review M134)", () => {
  const f = only(AMS(), "objective/unmeasurable");
  assert.deepEqual(
    f.map((x) => x.message),
    [
      "store ledger: availability ≥ 99.99% is met only if ams and the fra–ams link never fail: the figure, 99.9999% (5.82 nines, 47.3 seconds unavailable a year), counts them as never failing — add availability to ams and the fra–ams link (`availability: 1` where one truly never fails)",
      "store witnesskv: availability cannot be computed: nothing it depends on declares an availability (ams) — add availability to ams (`availability: 1` where one truly never fails)",
    ],
  );
  assert.deepEqual(only(AMS(), "objective/availability"), []);
  // declared — at 1 by the design's word, or below it — it is measured and judged
  assert.deepEqual(only(AMS(", availability: 1", ", availability: 1"), "objective/unmeasurable"), []);
  assert.deepEqual(only(AMS(", availability: 0.995", ", availability: 0.9995"), "objective/unmeasurable"), []);
  assert.deepEqual(
    only(AMS(", availability: 0.995", ", availability: 0.9995"), "objective/availability").map((x) => x.message.slice(0, 60)),
    ["store witnesskv: computed availability 99.5% (2.3 nines, 43."],
  );
});

test("every output says the figure rests on components taken as never failing, and never '100% (never unavailable)' for what is not measured (review M132, M134)", () => {
  const ctx = ctxOf(AMS());
  const text = availabilityText(ctx);
  assert.match(
    text,
    /^store ledger \(consensus\): 99\.9999% \(5\.82 nines, 47\.3 seconds unavailable a year\) if ams and the fra–ams link never fail \(no availability declared\)$/m,
  );
  assert.match(text, /^store witnesskv \(consensus\): not measured: nothing it depends on declares an availability \(ams\)$/m);
  assert.match(
    text,
    /objective availability ≥ 99\.99% \(52\.6 minutes unavailable a year\): cannot be measured \(met only if ams and the fra–ams link never fail \(no availability declared\)\)/,
  );
  assert.doesNotMatch(text, /never unavailable/);
  assert.doesNotMatch(text, /objective availability[^\n]*: met/);

  const json = JSON.parse(availabilityJson(ctx));
  const ledger = json.find((x: { entity: string }) => x.entity === "ledger");
  const kv = json.find((x: { entity: string }) => x.entity === "witnesskv");
  assert.deepEqual(ledger.assumedAtOne, ["ams", "fra–ams link"]);
  assert.equal(ledger.measured, true);
  assert.deepEqual(ledger.objectives.availability, {
    objective: 0.9999,
    met: null,
    detail: "met only if ams and the fra–ams link never fail (no availability declared)",
  });
  assert.equal(kv.measured, false);
  assert.equal(kv.objectives.availability.met, null);

  const md = availabilityMarkdown(ctx);
  const mdRow = (entity: string) => md.split("\n").find((l) => l.startsWith(`| ${entity} `)) ?? "";
  assert.match(mdRow("store ledger"), /\| 99\.9999% if ams and the fra–ams link never fail \(no availability declared\) \|/);
  assert.match(mdRow("store ledger"), /availability ≥ 99\.99% \(52\.6 minutes unavailable a year\): cannot be measured \(met only if/);
  assert.match(mdRow("store witnesskv"), /\| not measured: nothing it depends on declares an availability \(ams\) \| not measured \|/);

  const rows = tierRows(recordOf(HEADER + AMS()).md);
  assert.deepEqual(row(rows, "Writes availability (consensus)", "store ledger").slice(3), [
    "99.9999% (5.82 nines, 47.3 seconds unavailable a year) if ams and the fra–ams link never fail (no availability declared)",
    "cannot be measured",
  ]);
  assert.deepEqual(row(rows, "Writes availability (consensus)", "store witnesskv").slice(3), [
    "not measured: nothing it depends on declares an availability (ams)",
    "cannot be measured",
  ]);
  const { md: record } = recordOf(HEADER + AMS());
  assert.match(record, /^- Taken as never failing \(no availability declared\): ams, fra–ams link\. /m);
  assert.doesNotMatch(record, /never unavailable/);

  const src = HEADER + AMS();
  const hover = (needle: string) => hoverAt(analyzeFile("t.topology.yaml", src), src.indexOf(needle) + 2)?.markdown ?? "";
  assert.match(
    hover("objectives: { availability: 0.9999"),
    /availability 99\.9999% \(5\.82 nines, [^)]*\) if ams and the fra–ams link never fail/,
  );
  assert.match(
    hover("objectives: { availability: 0.99999"),
    /^\*\*store witnesskv\*\* — availability not measured: nothing it depends on declares an availability \(ams\)$/m,
  );

  // declared everywhere: nothing is said
  const all = availabilityText(ctxOf(AMS(", availability: 0.995", ", availability: 0.9995")));
  assert.doesNotMatch(all, /never fail|not measured/);
});

test("conflictProbability met only because a link between two writers declares no availability is not measured; sites at 1 only make it higher (review M134)", () => {
  const carts = (link: string) => yaml`
    sites:
      - { name: fra, availability: 0.999 }
      - { name: lon }
    links:
      - { between: [fra, lon], rttMs: 14${link} }
    stores:
      - name: carts
        replication: crdt
        writers: [fra, lon]
        objectives: { conflictProbability: 0.001 }
  `;
  assert.deepEqual(
    only(carts(""), "objective/unmeasurable").map((x) => x.message),
    [
      "store carts: conflictProbability ≤ 0.1% of the time (8.8 hours a year) is met only if the fra–lon link never fails: the figure, writers partitioned 0% of the time (0 seconds a year), counts it as never failing — add availability to the fra–lon link (`availability: 1` where one truly never fails)",
    ],
  );
  // the link declared, lon (a site) undeclared: measured — an undeclared writer site can only raise the figure
  assert.deepEqual(only(carts(", availability: 0.999"), "objective/unmeasurable"), []);
  assert.deepEqual(only(carts(", availability: 0.999"), "objective/conflicts"), []);
});
