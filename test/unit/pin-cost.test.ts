// Review M117: the leader pin best for write latency, on an engine that relays no write through a
// follower, costs the entry point a cut — every line that advises it (simulate's note, the
// record's Write-latency verdict, the write budget's figure in availability and the Tiers) says
// that price, from one computation (availability/pin), and which "best" it means. With the relay
// (CockroachDB 24.1, the shipped example) no pin costs anything and nothing is added.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { budgetOf, budgetText } from "../../server/src/availability/budget";
import { bestOf, pinCost } from "../../server/src/availability/pin";
import { availabilityJson } from "../../server/src/availability/render";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { decisionRecord } from "../../server/src/whatif/record";

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
const withEngine = (engine: string) => REVIEWED.replace("engine: cockroachdb 24.1", `engine: ${engine}`);
const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
const PRICE =
  /a cut of fra–ams or lon–ams stops that side's writes: checkout serves every request 99\.8993% of the time with the leader pinned at ams, 99\.9489% at fra or lon(?! \()/;

test("CockroachDB 23.2: the pin at the witness costs checkout the two links to it, with both figures (the reviewer's enumeration)", () => {
  const ctx = ctxOf(withEngine("cockroachdb 23.2"));
  const ledger = ctx.topology.storeByName.get("ledger")!;
  const c = pinCost(ctx, ledger, "ams")!;
  assert.deepEqual(c.links, ["fra–ams", "lon–ams"]);
  assert.equal(c.entries.length, 1);
  assert.equal(c.entries[0].entry, "checkout");
  assert.deepEqual(c.entries[0].bestSites, ["fra", "lon"]);
  // checkout served whole: 99.8993% pinned at ams (8.8 h a year), 99.9489% at fra or lon (4.5 h)
  assert.ok(Math.abs(c.entries[0].at - 0.998993) < 5e-7, String(c.entries[0].at));
  assert.ok(Math.abs(c.entries[0].best - 0.999489) < 5e-7, String(c.entries[0].best));
  // a pin at a writer's own site costs nothing against the best
  assert.equal(pinCost(ctx, ledger, "fra"), undefined);

  const note = run(ctx, ALL_UP).notes.find((n) => n.startsWith("store ledger: keep its leader in ams"))!;
  assert.match(note, /^store ledger: keep its leader in ams \(CockroachDB lease preferences\), the best pin for write latency:/);
  assert.match(note, /; and without a follower relay \(cockroachdb 23\.2 has none; CockroachDB 24\.1 adds it\) /);
  assert.match(note, PRICE);

  const b = budgetText(budgetOf(ctx, ledger)!);
  assert.match(b, /pinned at ams \(the best pin for write latency: lease preferences\)/);
  assert.match(b, /; that pin's price: without a follower relay/);
  assert.match(b, PRICE);

  const { analysis, findings } = analyzeAlone("t.topology.yaml", withEngine("cockroachdb 23.2"));
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    md,
    /\nWith the leader in ams, every writing site's writes are within the 20 ms budget: pin it there for write latency, at a price: without a follower relay/,
  );
  // the same price in the Write-latency table, the Tiers row and simulate's note in the record
  assert.equal((md.match(new RegExp(PRICE.source, "g")) ?? []).length >= 3, true, md);
});

test("the engines that relay nothing name their own pin mechanism in simulate, and pay the same price", () => {
  for (const [engine, by] of [
    ["mongodb", "member priority, set by rs.reconfig"],
    ["yugabytedb", "preferred zones, yb-admin set_preferred_zones"],
    ["tidb", "a placement policy's PRIMARY_REGION"],
  ]) {
    const note = run(ctxOf(withEngine(engine)), ALL_UP).notes.find((n) => n.startsWith("store ledger: keep its leader in ams"))!;
    assert.ok(note.startsWith(`store ledger: keep its leader in ams (${by}), the best pin for write latency:`), note);
    assert.match(note, new RegExp(`without a follower relay \\(${engine} has none\\) `));
    assert.match(note, PRICE);
  }
});

test("an engine Quorate does not know is judged without a relay, and said so as what is counted", () => {
  const note = run(ctxOf(withEngine("foodb")), ALL_UP).notes.find((n) => n.startsWith("store ledger: keep its leader in ams"))!;
  assert.ok(note.startsWith("store ledger: keep its leader in ams (pin it there), the best pin for write latency:"), note);
  assert.match(note, /without a follower relay \(none counted for foodb\) /);
  assert.match(note, PRICE);
});

test("CockroachDB 24.1 (the shipped example): the relay keeps every pin's figure, no price is said", () => {
  const ctx = ctxOf(REVIEWED);
  assert.equal(pinCost(ctx, ctx.topology.storeByName.get("ledger")!, "ams"), undefined);
  const note = run(ctx, ALL_UP).notes.find((n) => n.startsWith("store ledger: keep its leader in ams"))!;
  assert.doesNotMatch(note, /follower relay|serves every request/);
  assert.doesNotMatch(budgetText(budgetOf(ctx, ctx.topology.storeByName.get("ledger")!)!), /price/);
});

test("CockroachDB 23.2: a missed availability objective names the fix the tool knows (24.1's follower relay: met), and the Assumptions say ledger does not relay", () => {
  const text = withEngine("cockroachdb 23.2");
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  const miss = findings.find((f) => f.code === "objective/availability" && /traffic checkout/.test(f.message))!;
  assert.match(
    miss.message,
    /; with CockroachDB 24\.1's follower relay \(ledger runs cockroachdb 23\.2; 24\.1 and later relay a write through a follower that reaches the leader\): 99\.9985% \([^)]*\): met\. /,
  );
  const md = decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!;
  assert.match(
    md,
    /\| Ingress availability \| traffic checkout \| [^|]* \| 99\.8497% [^|]*; with CockroachDB 24\.1's follower relay [^|]*: 99\.9985% [^|]* \| \*\*not met\*\*; met with CockroachDB 24\.1 or later \(its follower relay\) \|/,
  );
  assert.match(
    md,
    /CockroachDB \(24\.1 and later\) relays a write through a follower that reaches the leader; ledger runs cockroachdb 23\.2, before it: its figures count no relay/,
  );
  // the shipped example (24.1) relays: none of it
  const shipped = analyzeAlone("t.topology.yaml", REVIEWED);
  const shippedMd = decisionRecord({ path: "t.topology.yaml", analysis: shipped.analysis, findings: shipped.findings, version: "1" })!;
  assert.doesNotMatch(
    shippedMd,
    /with CockroachDB 24\.1's follower relay|before it: its figures count no relay|met with CockroachDB 24\.1 or later \(its follower relay\)/,
  );
});

test("availability --format json carries the with-relay figure of a CockroachDB 23.2 store's entry (null for 24.1)", () => {
  const json = (text: string) =>
    JSON.parse(availabilityJson(ctxOf(text))) as {
      entity: string;
      withRelay: { stores: string[]; engines: string[]; availability: number } | null;
    }[];
  const checkout = json(withEngine("cockroachdb 23.2")).find((f) => f.entity === "checkout")!;
  assert.deepEqual([checkout.withRelay?.stores, checkout.withRelay?.engines], [["ledger"], ["cockroachdb 23.2"]]);
  assert.ok(Math.abs(checkout.withRelay!.availability - 0.999985) < 5e-7, String(checkout.withRelay!.availability));
  assert.equal(json(REVIEWED).find((f) => f.entity === "checkout")!.withRelay, null);
});

test("the site that loses the fewest requests is named only where the best pins differ in requests served", () => {
  // fra and lon serve every request equally often and the same share of requests: neither is named (review: both 99.9737%)
  const tie = [
    { sites: ["fra"], availability: 0.999489, served: 0.999737 },
    { sites: ["lon"], availability: 0.999489, served: 0.999737 },
    { sites: ["ams"], availability: 0.998993, served: 0.9995 },
  ];
  assert.deepEqual(bestOf(tie, 0, 0.999489), { bestSites: ["fra", "lon"], fewestLost: ["fra", "lon"] });
  // lon loses more requests in the states where it loses any: fra is named
  const apart = [tie[0], { ...tie[1], served: 0.9996 }, tie[2]];
  assert.deepEqual(bestOf(apart, 0, 0.999489), { bestSites: ["fra", "lon"], fewestLost: ["fra"] });
  const ctx = ctxOf(withEngine("cockroachdb 23.2"));
  const c = pinCost(ctx, ctx.topology.storeByName.get("ledger")!, "ams")!;
  assert.deepEqual(c.entries[0].fewestLost, ["fra", "lon"]);
});
