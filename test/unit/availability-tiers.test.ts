// The decision record's Tiers table (seed 001: RTO for ingress and stateless workloads, RPO per
// datastore class, maximum conflict rate): read back, its numbers are availability's figures
// and its statuses the objective/* judgement.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { leadershipMoveSeconds } from "../../server/src/derive/timers";
import { analyzeAlone } from "../../server/src/analysis";
import { figureText, placementDecides, reportOf, rtoEstimate } from "../../server/src/availability/figures";
import { objectiveJudgements, objectiveStatuses } from "../../server/src/rules/index";
import { diff } from "../../server/src/whatif/diff";
import { diffJson, diffMarkdown, diffText } from "../../server/src/whatif/render";
import { HEADER, recordOf, row, threeSiteLedger, tierRows, yaml } from "../helpers";

/** The reviewed example without the CockroachDB version it declares: the relay its figures count is then a condition (review M74). */
const unversioned = () =>
  readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace("engine: cockroachdb 24.1", "engine: cockroachdb");

test("Tiers on the reviewed example: every number is availability's figure, every status the objective's judgement", () => {
  const { md, ctx } = recordOf(unversioned());
  // after Consequences, before Ports
  const headings = md.split("\n").filter((l) => l.startsWith("## "));
  assert.equal(headings[headings.indexOf("## Consequences") + 1], "## Tiers");
  const rows = tierRows(md);
  const report = reportOf(ctx);
  const t = ctx.topology;
  const checkout = t.traffic[0];
  const ledger = t.storeByName.get("ledger")!;
  const carts = t.storeByName.get("carts")!;
  const fig = (owner: object) => report.figures.find((f) => f.owner === owner)!;

  const rto = row(rows, "Ingress RTO", "traffic checkout");
  assert.equal(rto[2], "≤ 120 s");
  assert.equal(rto[3], `${rtoEstimate(checkout)!.seconds} s (10 s × 3 checks + 60 s TTL)`);
  assert.equal(rto[3], "90 s (10 s × 3 checks + 60 s TTL)");
  assert.equal(rto[4], "met");
  const ingress = row(rows, "Ingress availability", "traffic checkout");
  // met only thanks to CockroachDB's follower relay (24.1+): the cell and the status say so (review S1)
  assert.equal(
    ingress[3],
    `${figureText(fig(checkout))}; without CockroachDB's follower relay for ledger (before 24.1, or with it disabled): ${figureText(fig(checkout).withoutRelay!.figures)}`,
  );
  assert.equal(ingress[4], "met with CockroachDB 24.1 or later (its follower relay); **not met** without it");
  // the example as shipped declares 24.1: the relay is a fact, the status plainly met
  const declared = row(
    tierRows(recordOf(readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8")).md),
    "Ingress availability",
    "traffic checkout",
  );
  assert.deepEqual(declared.slice(3), [figureText(fig(checkout)), "met"]);
  assert.match(ingress[2], /^≥ 99\.95% /);
  const stateless = row(rows, "Stateless workloads RTO", "backends of checkout");
  // 40,000 rps on one 40,000 rps backend after either loss: exactly enough, and said so (not "enough")
  assert.equal(
    stateless[3],
    "as ingress: 90 s (10 s × 3 checks + 60 s TTL); every single-site loss leaves exactly enough capacity, no margin: losing fra leaves lon-prod at 40,000 of 40,000 rps; losing lon leaves fra-prod at 40,000 of 40,000 rps",
  );
  // review M55, M56: each RPO with the condition it holds under, and the status says it
  const rpo = row(rows, "RPO (consensus)", "store ledger");
  assert.equal(
    rpo[3],
    "0 s (a write is acknowledged once a majority has it) while a majority (3 of 5 members) survives: losing two of its sites at once leaves a minority that may lack the last acknowledged writes — recovering from it, or from a backup, loses them",
  );
  assert.equal(rpo[4], "met while a majority survives");
  // review M57: how long writes stall after a site loss, beside the RPO
  assert.match(
    row(rows, "Datastore RTO (consensus)", "store ledger")[3],
    /^writes to the ranges led at a lost site resume within about 9 s \(CockroachDB's node-liveness expiry/,
  );
  assert.equal(row(rows, "Datastore RTO (async, crdt resolution)", "store carts")[3], "0 s: each writer site keeps taking writes");
  assert.equal(row(rows, "Writes availability (consensus)", "store ledger")[3], figureText(fig(ctx.quorumOf(ledger)!.owner)));
  // 1 GiB of lag buffer at 1,500 writes/s × 2,048 bytes: 349.5 s of a cut
  const cartsRpo = row(rows, "RPO (async, crdt resolution)", "store carts");
  assert.equal(
    cartsRpo[3],
    "300 s (maxLagSeconds) while fra and lon reach each other: during a cut each side's writes since it began exist on that side only, so a site lost ten minutes into a cut loses about ten minutes of its writes, and past 349.5 s the lag buffer overflows (a resync)",
  );
  assert.equal(cartsRpo[4], "met while its sites reach each other");
  const conflict = row(rows, "Conflict rate (async, crdt resolution)", "store carts");
  assert.match(conflict[3], /^writers partitioned 0\.0499% of the time/);
  assert.ok(Math.abs(fig(carts).conflictProbability! - 0.000499) < 1e-6);
  assert.equal(row(rows, "Writes availability (async, crdt resolution)", "store carts")[4], "no objective");
  // the etcd quorum has a figure but cannot declare objectives
  assert.equal(row(rows, "Control-plane API writes (etcd)", "fra-prod's API (writes from its nodes at fra)")[4], "no objective");

  // every declared objective appears once, with the judgement's status
  const judged = objectiveJudgements(ctx);
  assert.equal(judged.length, 8);
  for (const owner of [checkout, ledger, carts])
    for (const [key, s] of Object.entries(objectiveStatuses(ctx, owner))) {
      assert.equal(s.met, true, `${key}`);
      assert.ok(rows.some((r) => r[1].endsWith(owner.name!.value) && r[4] === "met"));
    }
});

const TWO_SITE = yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }
  links:
    - { between: [fra, lon], rttMs: 14 }
  clusters:
    - { name: a, site: fra }
    - { name: b, site: lon }
  stores:
    - name: ledger
      replication: consensus
      members: { fra: 2, lon: 2 }
      objectives: { availability: 0.999, survive: [site] }
  traffic:
    - name: web
      steering: gslb
      ttlSeconds: 60
      peakRps: 100
      dependsOn: [ledger]
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 }
      objectives: { rtoSeconds: 89 }
      backends: [{ cluster: a, capacityRps: 100 }, { cluster: b, capacityRps: 100 }]
`;

/** TWO_SITE with its link declared never failing: an objective met on it is measured (review M134). */
const TWO_SITE_LINKED = TWO_SITE.replace("rttMs: 14 }", "rttMs: 14, availability: 1 }");

test("Tiers: both sides of each boundary — 0.998001 against 0.998001 is met, against 0.999 not; RTO 90 against 90 met, 89 not", () => {
  let rows = tierRows(recordOf(HEADER + TWO_SITE_LINKED).md);
  const avail = row(rows, "Writes availability (consensus)", "store ledger");
  assert.equal(avail[2], "≥ 99.9% (8.8 hours unavailable a year)");
  assert.equal(avail[3], "99.8001% (2.7 nines, 17.5 hours unavailable a year)");
  assert.equal(avail[4], "**not met**");
  assert.deepEqual(row(rows, "Datastore survival", "store ledger").slice(2), [
    "survives any one site lost",
    "lose fra — writes stop",
    "**not met**",
  ]);
  // the entry errors while the ledger cannot write: steering alone does not bring the workloads back
  assert.equal(
    row(rows, "Stateless workloads RTO", "backends of web")[3],
    "not bounded by steering: losing fra, b (lon) cannot write to store ledger (no majority of its members is left: writes stop): all 100 rps are errors (502s) until that store takes writes again",
  );
  // the RTO objective fails there by writes stopping, not by steering: the status says so, on both rows (one judgement, review M144)
  assert.equal(row(rows, "Stateless workloads RTO", "backends of web")[4], "**not met** — by writes stopping, not steering");
  assert.equal(row(rows, "Ingress RTO", "traffic web")[4], "**not met** — by writes stopping, not steering");
  assert.match(row(rows, "Ingress RTO", "traffic web")[3], /; but losing fra, the failover lands on 502s$/);
  const ninety = (text: string) =>
    tierRows(
      recordOf(
        HEADER +
          text.replace("availability: 0.999, survive", "availability: 0.998001, survive").replace("rtoSeconds: 89", "rtoSeconds: 90"),
      ).md,
    );
  rows = ninety(TWO_SITE_LINKED);
  assert.equal(row(rows, "Writes availability (consensus)", "store ledger")[4], "met");
  // steering within 90 s onto a backend whose ledger lost its majority meets no RTO (review M144)
  assert.equal(row(rows, "Ingress RTO", "traffic web")[4], "**not met** — by writes stopping, not steering");
  // the RTO boundary itself, where every single-site loss leaves the entry served: 90 against 90 met, 89 not
  const free = TWO_SITE_LINKED.replace("dependsOn: [ledger]", "");
  assert.equal(row(ninety(free), "Ingress RTO", "traffic web")[4], "met");
  assert.equal(row(ninety(free), "Stateless workloads RTO", "backends of web")[4], "met");
  assert.equal(row(tierRows(recordOf(HEADER + free).md), "Ingress RTO", "traffic web")[4], "**not met**");
});

test("Tiers: stateless capacity after a loss on both sides of 0 headroom — 1 rps spare is enough with its margin, 0 is exactly enough", () => {
  const at = (capacity: number) =>
    row(
      tierRows(
        recordOf(HEADER + TWO_SITE.replaceAll("capacityRps: 100", `capacityRps: ${capacity}`).replace("dependsOn: [ledger]", "")).md,
      ),
      "Stateless workloads RTO",
      "backends of web",
    )[3];
  assert.equal(
    at(101),
    "as ingress: 90 s (10 s × 3 checks + 60 s TTL); every single-site loss leaves enough capacity (least headroom 1 rps: losing fra leaves b at 100 of 101 rps; losing lon leaves a at 100 of 101 rps)",
  );
  assert.match(
    at(100),
    /every single-site loss leaves exactly enough capacity, no margin: losing fra leaves b at 100 of 100 rps; losing lon leaves a at 100 of 100 rps$/,
  );
  assert.equal(at(99), "not bounded by steering: losing fra, b (lon) is sent 100 rps on a capacity of 99 rps (capacity/site-loss)");
});

test("Tiers without availabilities or objectives says what is missing; without stores or traffic there is no tier", () => {
  const bare =
    HEADER +
    TWO_SITE.replaceAll(", availability: 0.999 }", " }")
      .replace(/ {4}objectives: .*\n/g, "")
      .replace(/ {4}healthCheck: .*\n/, "");
  const rows = tierRows(recordOf(bare).md);
  assert.equal(row(rows, "Writes availability (consensus)", "store ledger")[3], "not computed: no site or link declares an availability");
  // whatever the health check, losing fra leaves b on a ledger with no majority (review M144): said without an objective too
  assert.equal(
    row(rows, "Ingress RTO", "traffic web")[3],
    "not estimated: add healthCheck: { intervalSeconds, failureThreshold }; but losing fra, the failover lands on 502s",
  );
  assert.ok(rows.every((r) => r[4] === "no objective"));
  assert.match(recordOf(bare).md, /- 6 tiers have no objective/);
  const none = recordOf(`${HEADER}sites:\n  - name: fra\n`).md;
  assert.match(none, /## Tiers\n\nNo store or traffic entry is declared: there is no tier to state\.\n/);
});

test("objective judgements are structured: an out-of-range availability leaves the objective unmeasured, not met", () => {
  const { ctx } = recordOf(HEADER + TWO_SITE.replace("{ name: fra, availability: 0.999 }", "{ name: fra, availability: 1.5 }"));
  const ledger = ctx.topology.storeByName.get("ledger")!;
  const j = objectiveJudgements(ctx).find((x) => x.owner === ledger && x.key === "availability")!;
  assert.equal(j.met, null);
  assert.equal(j.design, null);
  // the schema reports the value; the objective gives no second finding
  assert.equal(j.finding, undefined);
  assert.deepEqual(objectiveStatuses(ctx, ledger).availability, { objective: 0.999, met: null });
});

const LEDGER = (members: string, objective: string) =>
  threeSiteLedger({ members, store: `    objectives: { availability: ${objective} }\n`, links: 1 });

test("diff: availability that moves is reported per entity; a drop below the objective is a regression, exactly meeting it is not", () => {
  const side = (label: string, body: string) => ({ label, ...analyzeAlone(label, HEADER + body) });
  const before = side("old.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.998001"));
  // 2+2+1 → 2+2: 1 − 2.998×10⁻⁶ → 0.998001, which exactly meets 0.998001
  const met = diff(before, side("new.yaml", LEDGER("{ fra: 2, lon: 2 }", "0.998001")));
  assert.deepEqual(
    met.availability.map((c) => [c.entity, c.measure, c.regression, c.objective]),
    [["store ledger", "availability", false, 0.998001]],
  );
  assert.ok(Math.abs(met.availability[0].before! - (1 - 2.998e-6)) < 1e-12);
  assert.ok(Math.abs(met.availability[0].after! - 0.998001) < 1e-12);
  assert.match(
    diffText(met, false),
    /\n {4}store ledger availability 99\.9997% → 99\.8001% \(1\.58 minutes → 17\.5 hours unavailable a year\) \(objective 99\.8001%: met → met\)\n/,
  );
  // the same drop against 0.998002 breaks it: one regression more, marked, in every format (the editor's Compare is the Markdown)
  const broken = diff(before, side("new.yaml", LEDGER("{ fra: 2, lon: 2 }", "0.998002")));
  assert.equal(broken.availability[0].regression, true);
  assert.equal(broken.regressions, met.regressions + 1 + 1); // the availability drop, and the new objective/availability error
  assert.match(
    diffText(broken, false),
    /\n {2}! store ledger availability 99\.9997% → 99\.8001% \(1\.58 minutes → 17\.5 hours unavailable a year\) \(below the objective 99\.8002%\)\n/,
  );
  assert.match(
    diffMarkdown(broken),
    /\| store ledger availability 99\.9997% → 99\.8001% \(1\.58 minutes → 17\.5 hours unavailable a year\) \(below the objective 99\.8002%\) \| 🔴 yes \|/,
  );
  assert.equal(JSON.parse(diffJson(broken)).availability[0].regression, true);
  // the way back is an improvement, never a regression; an unchanged design lists nothing
  const back = diff(
    side("new.yaml", LEDGER("{ fra: 2, lon: 2 }", "0.998002")),
    side("old.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.998002")),
  );
  assert.equal(back.availability[0].regression, false);
  assert.equal(back.regressions, 0);
  assert.deepEqual(diff(before, before).availability, []);
});

test("diff (review M39): an objective only the new version declares is said so, with whether the old design would meet it, and the relay condition", () => {
  const side = (label: string, body: string) => ({ label, ...analyzeAlone(label, HEADER + body) });
  // links declared never failing (availability: 1): the old figure is measured, so it can be judged against the new objective
  // (left undeclared, it meets none: w85's test below)
  const plain = threeSiteLedger({ members: "{ fra: 2, lon: 2 }", links: 1 });
  // declared only in the new version; 0.998001 → 1 − 2.998×10⁻⁶: now met, and the old 99.8001% would not meet 0.9999
  const added = diff(side("old.yaml", plain), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.9999")));
  assert.deepEqual(
    added.availability.map((c) => [c.objective, c.objectiveBefore, c.metAfter, c.beforeMeets]),
    [[0.9999, undefined, true, false]],
  );
  assert.match(
    diffText(added, false),
    /store ledger availability 99\.8001% → 99\.9997% \(17\.5 hours → 1\.58 minutes unavailable a year\) \(objective 99\.99%, declared in this version: now met; the old design's 99\.8001% would not meet it\)\n/,
  );
  // …the old design would meet it too (0.998 ≤ 0.998001): no "now"
  const easy = diff(side("old.yaml", plain), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.998")));
  assert.match(
    diffText(easy, false),
    /\(objective 99\.8%, declared in this version: met; the old design's 99\.8001% would meet it too\)\n/,
  );
  // …exactly at the old figure: met too (both sides of the boundary)
  const exact = diff(side("old.yaml", plain), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.998001")));
  assert.equal(exact.availability[0].beforeMeets, true);
  const above = diff(side("old.yaml", plain), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.998002")));
  assert.equal(above.availability[0].beforeMeets, false);
  // better but still short of a new objective: not met, never "still met"
  const short = diff(side("old.yaml", plain), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.9999999")));
  assert.equal(short.availability[0].regression, false);
  assert.match(
    diffText(short, false),
    /\(objective 99\.99999%, declared in this version: not met; the old design's 99\.8001% would not meet it\)\n/,
  );
  // declared in both with different values
  const both = diff(
    side("old.yaml", LEDGER("{ fra: 2, lon: 2 }", "0.998")),
    side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.9999")),
  );
  assert.match(diffText(both, false), /\(objective 99\.8% → 99\.99%: met → met\)\n/);
  assert.doesNotMatch(diffText(both, false) + diffText(added, false) + diffText(short, false), /still met/);
});

test("diff draft → reviewed (review M39): the reviewer's wording, and checkout's CockroachDB 24.1 condition carried", () => {
  const read = (p: string, text = readFileSync(p, "utf8")) => ({ label: p, ...analyzeAlone(p, text) });
  const d = diff(read("examples/payments-eu.topology.yaml"), read("examples/payments-eu-reviewed.topology.yaml", unversioned()));
  const text = diffText(d, false);
  assert.match(
    text,
    /store ledger availability 99\.9% → 99\.9986% .* \(objective 99\.99%, declared in this version: now met; the old design's 99\.9% would not meet it\)\n/,
  );
  assert.match(
    text,
    /traffic checkout availability 99\.7502% → 99\.9985% .* \(objective 99\.95%, declared in this version: now met only with CockroachDB 24\.1 or later .*; without that relay 99\.8497% .*: not met; the old design's 99\.7502% would not meet it\)\n/,
  );
  assert.doesNotMatch(text, /still met/);
  const checkout = JSON.parse(diffJson(d)).availability.find((c: { entity: string }) => c.entity === "traffic checkout");
  assert.match(checkout.condition, /^only with CockroachDB 24\.1 or later/);
  assert.equal(checkout.beforeMeets, false);
});

test("review M59: anycast's RTO holds for a site that withdraws its route; on a whole-site loss the BGP hold time decides, and the status says so", () => {
  const text = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace("steering: gslb", "steering: anycast");
  const rows = tierRows(recordOf(text).md);
  const rto = row(rows, "Ingress RTO", "traffic checkout");
  assert.match(
    rto[3],
    /^30 s \(10 s × 3 checks \+ BGP convergence, not counted without withdrawSeconds\); on a whole-site loss, until the upstream's BGP session fails \(the hold time: 90–180 s by default, about 1 s with BFD\)$/,
  );
  assert.equal(
    rto[4],
    "met for a site that withdraws its route; on a whole-site loss **only if** the BGP hold time (or BFD) keeps it within 120 s",
  );
  assert.equal(row(rows, "Stateless workloads RTO", "backends of checkout")[4], rto[4]);
  // DNS steering has no such clause: the record's GSLB stays plainly met
  const gslb = tierRows(recordOf(readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8")).md);
  assert.deepEqual(row(gslb, "Ingress RTO", "traffic checkout").slice(3), ["90 s (10 s × 3 checks + 60 s TTL)", "met"]);
});

test("Datastore RTO by engine: YugabyteDB's tablets move in about 3 s, CockroachDB's leases in up to 9 s (the game day times them the same)", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  const yb = row(
    tierRows(recordOf(reviewed.replace("engine: cockroachdb", "engine: yugabytedb")).md),
    "Datastore RTO (consensus)",
    "store ledger",
  );
  assert.match(
    yb[3],
    /^writes to the tablets led at a lost site resume within about 3 s \(YugabyteDB's Raft failure detection: 6 missed heartbeats of 500 ms/,
  );
  const cr = row(tierRows(recordOf(reviewed).md), "Datastore RTO (consensus)", "store ledger");
  assert.match(cr[3], /^writes to the ranges led at a lost site resume within about 9 s/);
  assert.equal(leadershipMoveSeconds("consensus", undefined, "yugabytedb"), 3);
  assert.equal(leadershipMoveSeconds("consensus", undefined, "cockroachdb"), 9);
  // one leader (or primary) for the whole store: no ranges, and the engine's own figure where it is known (review M98)
  const rto = (engine: string) =>
    row(
      tierRows(recordOf(reviewed.replace(/engine: cockroachdb[^\n]*/, `engine: ${engine}`)).md),
      "Datastore RTO (consensus)",
      "store ledger",
    )[3];
  assert.equal(
    rto("etcd"),
    "if its leader was at the lost site, every write waits until the members left elect a new one, about 2 s (etcd's default 1,000 ms election timeout, randomised up to twice that, then the vote; the design declares no timers for it); with the leader elsewhere writes go on",
  );
  assert.match(
    rto("mongodb"),
    /^if its primary was at the lost site, every write waits until the members left elect a new one, about 12 s \(MongoDB's electionTimeoutMillis/,
  );
  assert.match(
    rto("consul"),
    /about 10 s \(Consul's Raft heartbeat timeout, 1 s × performance\.raft_multiplier \(5 by default\), randomised up to twice that, then the vote\)/,
  );
  // an engine Quorate knows nothing of: CockroachDB's figure, said to be an assumption (not "the longest known": TiKV's is 20 s)
  assert.match(
    rto("foodb"),
    /about 9 s \(assumed: foodb's failure detection and election are not known here, so CockroachDB's node-liveness expiry stands in\)/,
  );
  for (const e of ["etcd", "mongodb", "consul", "foodb"]) assert.doesNotMatch(rto(e), /ranges|tablets|Regions|longest/, e);
  assert.equal(leadershipMoveSeconds("consensus", undefined, "Consul 1.18"), 10);
  assert.equal(leadershipMoveSeconds("consensus", undefined, "etcd"), 2);
  assert.equal(leadershipMoveSeconds("consensus", undefined, "mongodb 7.0"), 12);
});

test("review M55, M59: the objective's own judgement carries the condition, so availability, its md and JSON, and the diff say it as the Tiers do", () => {
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  const judged = (text: string) => objectiveJudgements(analyzeAlone("t.topology.yaml", text).analysis.contexts[0]);
  const rto = (text: string) => judged(text).find((j) => j.key === "rtoSeconds")!;
  assert.equal(
    rto(reviewed.replace("steering: gslb", "steering: anycast")).condition,
    "for a site that withdraws its route; on a whole-site loss only if the BGP hold time (or BFD) keeps it within 120 s",
  );
  assert.equal(rto(reviewed).condition, undefined, "DNS steering: the estimate covers a lost site");
  const rpo = judged(reviewed)
    .filter((j) => j.key === "rpoSeconds")
    .map((j) => [j.label, j.met, j.condition]);
  assert.deepEqual(rpo, [
    ["store ledger", true, "while a majority survives"],
    ["store carts", true, "while its sites reach each other"],
  ]);
  // not met: no condition beside it
  const over = judged(reviewed.replace("rpoSeconds: 300", "rpoSeconds: 299")).find(
    (j) => j.key === "rpoSeconds" && j.label === "store carts",
  )!;
  assert.deepEqual([over.met, over.condition], [false, undefined]);
});

test("placementDecides: a cut leaves the leader's placement deciding only where two sites that can lead are not both reached — both sides of it", () => {
  const decides = (body: string) => {
    const ctx = analyzeAlone("t.topology.yaml", HEADER + body).analysis.contexts[0];
    return ctx.quorums.map((q) => placementDecides(ctx, q));
  };
  const failing = (t: string) => t.replace(/rttMs: (\d+) \}/g, "rttMs: $1, availability: 0.9995 }");
  // 2+2+1 whose links never fail: no cut at all
  assert.deepEqual(decides(threeSiteLedger()), [false]);
  // one link that can fail is enough: fra–lon cut, both reach a majority through ams
  assert.deepEqual(decides(threeSiteLedger().replace("rttMs: 14 }", "rttMs: 14, availability: 0.9995 }")), [true]);
  // the fra–ams link alone too: cut, fra (with lon, 4) and ams (with lon, 3) can both lead, and fra reaches only itself of the two
  assert.deepEqual(decides(threeSiteLedger().replace("rttMs: 9 }", "rttMs: 9, availability: 0.9995 }")), [true]);
  // 3+1+1: a fra–lon cut leaves fra (4) and ams (5) able to lead; lon reaches ams, not fra — the leader's site decides lon's writes
  assert.deepEqual(decides(failing(threeSiteLedger({ members: "{ fra: 3, lon: 1, ams: 1 }" }))), [true]);
  // 3+1 over two sites: cut, only fra can lead and lon reaches nobody who can — stranded wherever the leader was
  assert.deepEqual(decides(failing(threeSiteLedger({ members: "{ fra: 3, lon: 1 }" }))), [false]);
  // 2+2 over two sites: any cut stops writes
  assert.deepEqual(decides(failing(threeSiteLedger({ members: "{ fra: 2, lon: 2 }" }))), [false]);
  // Galera has no leader
  assert.deepEqual(decides(failing(threeSiteLedger()).replace("replication: consensus", "replication: galera")), [false]);
  // a link never declared is a cut all year
  assert.deepEqual(decides(threeSiteLedger().replace("  - { between: [fra, lon], rttMs: 14 }\n", "")), [true]);
});

test("the Tiers notes are the ones that bear on the design: RTO lines only with an RTO (TTL for DNS, reset for anycast), conflict rate only with its row", () => {
  const notes = (text: string) =>
    recordOf(text)
      .md.slice(recordOf(text).md.indexOf("\n## Tiers\n"))
      .split("\n## ")[1]
      .split("\n")
      .filter((l) => l.startsWith("- "));
  const draft = notes(readFileSync("examples/payments-eu.topology.yaml", "utf8")).join("\n");
  // the draft: RTO unknown, one carts writer, a 2+2 etcd and Galera — none of the four lines
  assert.doesNotMatch(draft, /RTO is the worst case|RTO: the estimate|Conflict rate is|placement worst for it/);
  assert.match(draft, /Assumed: failures are independent/);
  const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
  const all = notes(reviewed).join("\n");
  assert.match(
    all,
    /^- RTO is the worst case for clients that honour the TTL \(resolvers and clients that ignore or clamp TTLs take longer\)\.$/m,
  );
  assert.match(all, /^- RTO: the estimate holds when the health check fails/m);
  assert.match(all, /^- Conflict rate is the time writers cannot reach each other/m);
  assert.match(all, /placement worst for it/);
  const anycast = notes(reviewed.replace("steering: gslb", "steering: anycast")).join("\n");
  assert.match(anycast, /^- Anycast resets established connections\.$/m);
  assert.doesNotMatch(anycast, /honour the TTL/);
});

test("an entry down in every state is 0%, not rounding residue in e-notation (review M104)", () => {
  const draft = readFileSync("examples/payments-eu.topology.yaml", "utf8");
  // mad holds the only writer of a store checkout depends on, and no link reaches it: never served
  const never = draft
    .replace("\nlinks:\n", "  - name: mad\n    availability: 0.999\n\nlinks:\n")
    .replace(
      "\nstores:\n",
      "\nstores:\n  - name: sessions\n    engine: postgres\n    replication: async\n    writers: [mad]\n    replicas: [fra]\n    maxLagSeconds: 30\n",
    )
    .replace("dependsOn: [carts]", "dependsOn: [carts, sessions]");
  assert.ok(never.includes("writers: [mad]") && never.includes("dependsOn: [carts, sessions]"));
  const f = reportOf(analyzeAlone("t.topology.yaml", never).analysis.contexts[0]).figures.find((x) => x.label === "traffic checkout")!;
  assert.equal(f.unavailability, 1);
  assert.equal(f.availability, 0);
  assert.match(figureText(f), /^0% /);
  assert.doesNotMatch(figureText(f), /e-\d/);
  // the design as it is stays a figure below 100% and above 0 (the other side of the clamp)
  const g = reportOf(analyzeAlone("d.topology.yaml", draft).analysis.contexts[0]).figures.find((x) => x.label === "traffic checkout")!;
  assert.ok(g.availability > 0.99 && g.availability < 1, String(g.availability));
});

test("the Galera RPO cell says what a commit waits for: its write set received by every node of the primary component; certification is each node's own (reviewer's note)", () => {
  const galera = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8").replace(
    "replication: consensus",
    "replication: galera",
  );
  const rpo = row(tierRows(recordOf(galera).md), "RPO (galera)", "store ledger");
  assert.equal(
    rpo[3],
    "0 s (a commit returns once its write set is received by every node of the primary component; each node certifies it on its own, then applies it)",
  );
  assert.doesNotMatch(rpo[3], /certified it/);
});

test("diff: an objective only the new version declares judges the old figure as objective/availability does — never met by a site taken at 1 (w85)", () => {
  const side = (label: string, body: string) => ({ label, ...analyzeAlone(label, HEADER + body) });
  // the old design declares no availability for ams: its figure takes ams as never failing
  const old = threeSiteLedger({ links: 1 }).replace("  - { name: ams, availability: 0.999 }", "  - { name: ams }");
  assert.notEqual(old, threeSiteLedger({ links: 1 }));
  const d = diff(side("old.yaml", old), side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.9999")));
  const c = d.availability.find((x) => x.entity === "store ledger")!;
  // bare, the old figure is above 99.99% — but only because ams never fails there
  assert.ok(c.before! > 0.9999, String(c.before));
  assert.deepEqual([c.beforeMeets, c.beforeMet, c.beforeDetail], [false, null, "met only if ams never fails (no availability declared)"]);
  const text = diffText(d, false);
  assert.match(
    text,
    /\(objective 99\.99%, declared in this version: now met; the old design's 99\.99\d*% cannot be judged against it: met only if ams never fails \(no availability declared\)\)\n/,
  );
  assert.doesNotMatch(text, /would meet it too/);
  // the same old design with ams declared: judged, and met (both sides of the rule)
  const declared = diff(
    side("old.yaml", threeSiteLedger({ links: 1, availability: 0.9999 })),
    side("new.yaml", LEDGER("{ fra: 2, lon: 2, ams: 1 }", "0.9999")),
  );
  const k = declared.availability.find((x) => x.entity === "store ledger")!;
  assert.deepEqual([k.beforeMeets, k.beforeMet], [true, true]);
  assert.match(diffText(declared, false), /declared in this version: met; the old design's [\d.]+% would meet it too\)\n/);
});
