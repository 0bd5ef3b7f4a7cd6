import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityJson, availabilityText } from "../../server/src/availability/render";
import { checkFixes } from "../fuzz/fixsafety";
import { HEADER, only, recordOf, threeSiteLedger, twoSiteWeb, yaml } from "../helpers";

const TWO_TWO = (objectives: string, extra = "") => yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }${extra}
  links:
    - { between: [fra, lon], rttMs: 14 }
  stores:
    - name: ledger
      replication: consensus
      members: { fra: 2, lon: 2 }
      objectives: ${objectives}
`;

test("objective/availability: exactly met is met; just above is an error with both figures and the cut set", () => {
  assert.deepEqual(only(TWO_TWO("{ availability: 0.998001 }"), "objective/availability"), []);
  assert.deepEqual(only(TWO_TWO("{ availability: 0.998 }"), "objective/availability"), []);
  const f = only(TWO_TWO("{ availability: 0.998002 }"), "objective/availability");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "0.998002");
  assert.match(f[0].message, /computed availability 99\.8001% \(2\.7 nines, 17\.5 hours unavailable a year\)/);
  assert.match(f[0].message, /below the objective 99\.8002%/);
  assert.match(f[0].message, /most likely cut set: fra down \(0\.1% of the time\)/);
  assert.match(f[0].message, /Independent failures assumed/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Add witness site"],
  );
});

test("objective/survive: 2+2 fails a site loss (witness fix, which holds); 2+2+1 survives a site and partitions, not two sites", () => {
  const text = TWO_TWO("{ survive: [site, partition] }");
  const f = only(text, "objective/survive");
  assert.deepEqual(
    f.map((x) => [x.text, x.message]),
    [
      ["site", "store ledger: survive site fails: lose fra — writes stop (2 of 4 members left; majority is 3)"],
      [
        "partition",
        "store ledger: survive partition fails: partition fra / lon — writes stop (neither side holds 3 of 4 members where a leader could be elected)",
      ],
    ],
  );
  assert.equal(f[0].fixes[0].title, "Add witness site");
  // every offered fix, applied, removes its finding and adds no error
  const res = checkFixes("t.topology.yaml", HEADER + text);
  assert.deepEqual(res.failures, []);
  assert.ok(res.applied > 0);

  const five = threeSiteLedger({ store: "    objectives: { survive: [site, partition, two-sites] }\n" });
  const g = only(five, "objective/survive");
  assert.deepEqual(
    g.map((x) => x.message),
    ["store ledger: survive two-sites fails: lose fra, lon — writes stop (1 of 5 members left; majority is 3)"],
  );
  assert.deepEqual(g[0].fixes, []);
});

test("objective/conflicts: two writers over a 0.999 link conflict 0.001 of the time; exactly met is met", () => {
  const body = (limit: number) => yaml`
    sites:
      - { name: fra }
      - { name: lon }
    links:
      - { between: [fra, lon], rttMs: 14, availability: 0.999 }
    stores:
      - name: carts
        replication: crdt
        writers: [fra, lon]
        objectives: { conflictProbability: ${limit} }
  `;
  assert.deepEqual(only(body(0.001), "objective/conflicts"), []);
  const f = only(body(0.0009), "objective/conflicts");
  assert.equal(f.length, 1);
  assert.match(
    f[0].message,
    /writers fra, lon are unable to reach each other 0\.1% of the time \(8\.8 hours a year\), above the objective of 0\.09% of the time \(7\.9 hours a year\)\. /,
  );
  assert.match(f[0].message, /lower bound on conflict exposure/);
});

test("objective/rpo: maxLagSeconds at the objective is met, above it is not; an overflowing lag buffer is unbounded; consensus is 0", () => {
  const body = (rpo: number, buffer = "") => yaml`
    sites:
      - { name: fra }
      - { name: lon }
    stores:
      - name: orders
        replication: async
        writers: [fra]
        replicas: [lon]
        maxLagSeconds: 5
        writeRatePerSecond: 100
        writeBytes: 1000
        ${buffer}
        objectives: { rpoSeconds: ${rpo} }
  `;
  assert.deepEqual(only(body(5), "objective/rpo"), []);
  const f = only(body(4), "objective/rpo");
  assert.equal(f[0].message, "store orders: a site loss may take up to maxLagSeconds 5 s of acknowledged writes, above the objective 4 s");
  const u = only(body(60, "lagBufferBytes: 200000"), "objective/rpo");
  assert.match(u[0].message, /RPO is unbounded: lagBufferBytes holds 2 s of writes, less than maxLagSeconds 5 s/);
  assert.deepEqual(only(TWO_TWO("{ rpoSeconds: 0 }"), "objective/rpo"), []);
  const missing = only(body(5).replace(/\n *maxLagSeconds: 5/, ""), "objective/unmeasurable");
  assert.match(missing[0].message, /declare maxLagSeconds/);
});

test("objective/rpo: every copy at one site leaves only backups — unbounded, whatever maxLagSeconds says (review M50)", () => {
  const body = (copies: string, rep = "async") => yaml`
    sites:
      - { name: fra, availability: 0.999 }
      - { name: lon, availability: 0.999 }
    links:
      - { between: [fra, lon], rttMs: 14 }
    stores:
      - name: orders
        replication: ${rep}
        ${copies}
        maxLagSeconds: 5
        objectives: { rpoSeconds: 60 }
  `;
  // one writer, no replica: losing fra loses everything since the last backup
  const one = only(body("writers: [fra]"), "objective/rpo");
  assert.equal(
    one[0].message,
    "store orders: RPO is unbounded: every copy is at fra, so losing fra leaves only backups — the RPO is the last restorable backup's age; the objective is 60 s. Add a replica (or a writer) at another site",
  );
  // a replica elsewhere: maxLagSeconds bounds it again (5 s, met)
  assert.deepEqual(only(body("writers: [fra]\n        replicas: [lon]"), "objective/rpo"), []);
  // a replica at the same site is no second copy site
  assert.equal(only(body("writers: [fra]\n        replicas: [fra]"), "objective/rpo").length, 1);
  // a quorum whose members all sit at one site: the same, where a stretched one is 0
  assert.equal(only(body("members: { fra: 3 }", "consensus").replace(/\n *maxLagSeconds: 5/, ""), "objective/rpo").length, 1);
  const text = availabilityText(analyzeFile("t.topology.yaml", HEADER + body("writers: [fra]")).contexts[0]);
  assert.match(text, /RPO unbounded: every copy is at fra, so losing fra leaves only backups/);
  const json = JSON.parse(availabilityJson(analyzeFile("t.topology.yaml", HEADER + body("writers: [fra]")).contexts[0]));
  assert.equal(json[0].rpoUnbounded, true);
  assert.equal(json[0].rpoSoleSite, "fra");
  const spread = JSON.parse(
    availabilityJson(analyzeFile("t.topology.yaml", HEADER + body("writers: [fra]\n        replicas: [lon]")).contexts[0]),
  );
  assert.equal(spread[0].rpoSeconds, 5);
  assert.equal(spread[0].rpoSoleSite, null);
});

const WEB = (objectives: string, hc = "healthCheck: { intervalSeconds: 10, failureThreshold: 3 }", steering = "gslb") =>
  twoSiteWeb({ objectives, hc, steering });

test("objective/rto: 10 s × 3 + 60 s TTL = 90 s meets 90, not 89 (fix: lower the TTL); anycast uses the withdrawal", () => {
  assert.deepEqual(only(WEB("{ rtoSeconds: 90 }"), "objective/rto"), []);
  const f = only(WEB("{ rtoSeconds: 60 }"), "objective/rto");
  assert.equal(
    f[0].message,
    "traffic web: RTO estimate 90 s (10 s × 3 checks + 60 s TTL) is above the objective 60 s; worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer",
  );
  assert.deepEqual(
    f[0].fixes.map((x) => [x.title, x.text]),
    [["Set ttlSeconds to 30", "30"]],
  );
  // a TTL below 30 s would trade this for traffic/ttl: no fix then
  assert.deepEqual(only(WEB("{ rtoSeconds: 59 }"), "objective/rto")[0].fixes, []);
  const any = only(
    WEB("{ rtoSeconds: 30 }", "healthCheck: { intervalSeconds: 5, failureThreshold: 3, withdrawSeconds: 20 }", "anycast"),
    "objective/rto",
  );
  assert.match(any[0].message, /RTO estimate 35 s \(5 s × 3 checks \+ 20 s BGP withdrawal\).*connections to the lost site are reset/);
  assert.deepEqual(
    only(
      WEB("{ rtoSeconds: 35 }", "healthCheck: { intervalSeconds: 5, failureThreshold: 3, withdrawSeconds: 20 }", "anycast"),
      "objective/rto",
    ),
    [],
  );
});

test("objective/unmeasurable: what to add, on the objectives key", () => {
  const noHc = only(WEB("{ rtoSeconds: 90 }", ""), "objective/unmeasurable");
  assert.equal(noHc.length, 1);
  assert.equal(noHc[0].text, "objectives");
  assert.equal(noHc[0].severity, "warning");
  assert.match(noHc[0].message, /add healthCheck: \{ intervalSeconds, failureThreshold \}/);
  const noAvail = only(WEB("{ availability: 0.999 }"), "objective/unmeasurable");
  assert.match(
    noAvail[0].message,
    /availability cannot be computed: no site or link declares an availability — add availability on sites fra, lon/,
  );
  // declared anywhere: the figure exists (here 1, lon taken as never failing) — but it meets the
  // objective only if lon never fails, which the design does not say (review M134)
  assert.deepEqual(
    only(WEB("{ availability: 0.999 }").replace("- { name: fra }", "- { name: fra, availability: 0.99 }"), "objective/unmeasurable").map(
      (x) => x.message,
    ),
    [
      "traffic web: availability ≥ 99.9% is met only if lon never fails: the figure, 100%, counts it as never failing — add availability to lon (`availability: 1` where one truly never fails)",
    ],
  );
  const both = WEB("{ availability: 0.999 }").replace("- { name: fra }", "- { name: fra, availability: 0.99 }");
  assert.deepEqual(only(both.replace("- { name: lon }", "- { name: lon, availability: 0.99 }"), "objective/unmeasurable"), []);
});

test("no health check, but the TTL alone reaches rtoSeconds: objective/rto (not met), not unmeasurable (review M85)", () => {
  // twoSiteWeb's TTL is 60 s: an objective of 61 s stays unmeasurable (the detection could fit)
  assert.equal(only(WEB("{ rtoSeconds: 61 }", ""), "objective/unmeasurable").length, 1);
  assert.deepEqual(only(WEB("{ rtoSeconds: 61 }", ""), "objective/rto"), []);
  // 60 s: any detection (more than 0 s) on top of the 60 s TTL passes it
  const at = only(WEB("{ rtoSeconds: 60 }", ""), "objective/rto");
  assert.equal(at.length, 1);
  assert.equal(at[0].severity, "error");
  assert.equal(
    at[0].message,
    "traffic web: the RTO is more than 60 s — the 60 s TTL alone, before any detection — so it is above the objective 60 s whatever the detection: add a healthCheck (without one nothing steers clients away) and lower the TTL below 60 s",
  );
  assert.deepEqual(only(WEB("{ rtoSeconds: 60 }", ""), "objective/unmeasurable"), []);
  // the declared timeout and propagation count too (a healthCheck the schema refuses: no interval)
  const partial = only(
    WEB("{ rtoSeconds: 70 }", "healthCheck: { failureThreshold: 3, timeoutSeconds: 5, propagationSeconds: 10 }"),
    "objective/rto",
  );
  assert.match(
    partial[0].message,
    /more than 75 s — 5 s check timeout \+ 10 s propagation \+ 60 s TTL alone, .* lower the TTL below 55 s$/,
  );
  // anycast has no TTL to bound it
  assert.deepEqual(only(WEB("{ rtoSeconds: 30 }", "", "anycast"), "objective/rto"), []);
  // the Tiers say the bound and that it is not met
  const record = recordOf(HEADER + WEB("{ rtoSeconds: 60 }", "")).md;
  assert.match(
    record,
    /\| Ingress RTO \| traffic web \| ≤ 60 s \| more than the 60 s TTL alone, before any detection \(not estimated: [^|]*\) \| \*\*not met\*\* \|/,
  );
});

test("bad input: availability 0, above 1 or a string is a schema error, and computes nothing", () => {
  for (const bad of ["0", "1.5", '"high"']) {
    const body = TWO_TWO("{ availability: 0.9 }").replace("{ name: fra, availability: 0.999 }", `{ name: fra, availability: ${bad} }`);
    const schema = only(body, "schema");
    assert.equal(schema.length, 1, bad);
    assert.equal(schema[0].text, bad);
    assert.deepEqual(only(body, "objective/availability"), [], bad);
  }
  assert.deepEqual(only(TWO_TWO("{ availability: 1 }").replace("availability: 0.999 }", "availability: 1 }"), "schema"), []);
});

test("a bounded figure decides an objective only outside its interval: inside it, objective/unmeasurable says so", () => {
  // 60 writer sites at 0.999: every state of up to 4 failures is judged, ~5×10⁻⁹ is left unjudged;
  // writes stop only with all 60 down (10⁻¹⁸), so the interval is [1 − 5×10⁻⁹, 1]
  const sites = Array.from({ length: 60 }, (_, i) => `  - { name: s${i}, availability: 0.999 }`).join("\n");
  const body = (objective: string) =>
    `sites:\n${sites}\nstores:\n  - name: big\n    replication: crdt\n    writers: [${Array.from({ length: 60 }, (_, i) => `s${i}`).join(", ")}]\n    objectives: { availability: ${objective} }\n`;
  // 1 − 10⁻⁸ lies below the interval: met
  assert.deepEqual(only(body("0.99999999"), "objective/unmeasurable"), []);
  assert.deepEqual(only(body("0.99999999"), "objective/availability"), []);
  // 1 − 10⁻⁹ lies inside it: neither met nor failed
  const inside = only(body("0.999999999"), "objective/unmeasurable");
  assert.equal(inside.length, 1);
  assert.match(
    inside[0].message,
    /store big: availability is between 99\.99999948% and 100% and the objective 99\.9999999% lies inside: the state budget ran out after every state of up to 4 failed components/,
  );
  assert.deepEqual(only(body("0.999999999"), "objective/availability"), []);
});

test("objective/conflicts on a bounded figure: met above its interval, an error below it, undecided inside it", () => {
  // 60 writer sites at 0.999 and no links between them: any two up writers are partitioned, so the
  // conflict probability is 1 − P(at most one up) ≈ 1; bounded, its interval is [1 − ~5×10⁻⁹, 1]
  const sites = Array.from({ length: 60 }, (_, i) => `  - { name: s${i}, availability: 0.999 }`).join("\n");
  const body = (objective: string) =>
    `sites:\n${sites}\nstores:\n  - name: big\n    replication: crdt\n    writers: [${Array.from({ length: 60 }, (_, i) => `s${i}`).join(", ")}]\n    objectives: { conflictProbability: ${objective} }\n`;
  // 1: the upper end meets it
  assert.deepEqual(only(body("1"), "objective/conflicts"), []);
  assert.deepEqual(only(body("1"), "objective/unmeasurable"), []);
  // 1 − 10⁻⁸: even the lower end is above it
  assert.equal(only(body("0.99999999"), "objective/conflicts").length, 1);
  assert.deepEqual(only(body("0.99999999"), "objective/unmeasurable"), []);
  // 1 − 3×10⁻⁹: inside the interval (beyond rounding) — neither met nor failed
  assert.deepEqual(only(body("0.999999997"), "objective/conflicts"), []);
  const inside = only(body("0.999999997"), "objective/unmeasurable");
  assert.equal(inside.length, 1);
  assert.match(
    inside[0].message,
    /store big: writers are partitioned between 99\.999999\d+% and 100% of the time and the objective 99\.9999997% lies inside: the state budget ran out/,
  );
});

test("objective/survive on a design with no site to spare (review M133): losing every site is a failure, not a skipped sweep", () => {
  const oneSite = yaml`
    sites:
      - { name: fra, availability: 0.999 }
    clusters:
      - { name: fra-prod, site: fra }
    stores:
      - name: ledger
        replication: consensus
        members: { fra: 3 }
        objectives: { survive: [site, two-sites] }
    traffic:
      - name: checkout
        steering: gslb
        ttlSeconds: 60
        peakRps: 1000
        dependsOn: [ledger]
        objectives: { survive: [site] }
        backends: [{ cluster: fra-prod, capacityRps: 2000 }]
  `;
  assert.deepEqual(
    only(oneSite, "objective/survive").map((x) => [x.text, x.message]),
    [
      [
        "site",
        "store ledger: survive site fails: lose fra — the design has no other site: writes stop (0 of 3 members left; majority is 2)",
      ],
      [
        "two-sites",
        "store ledger: survive two-sites fails: lose fra — the design has no other site: writes stop (0 of 3 members left; majority is 2)",
      ],
      ["site", "traffic checkout: survive site fails: lose fra — the design has no other site: no backend remains (unserved)"],
    ],
  );
  const { md } = recordOf(HEADER + oneSite);
  assert.match(
    md,
    /\| Datastore survival \| store ledger \| survives any one site lost \| lose fra — the design has no other site: writes stop \| \*\*not met\*\* \|/,
  );
  assert.doesNotMatch(md, /every such scenario keeps it working/);
  const text = availabilityText(analyzeFile("t.topology.yaml", HEADER + oneSite).contexts[0]);
  assert.match(text, /objective survive any one site lost: NOT met \(lose fra — the design has no other site: writes stop\)/);
  assert.doesNotMatch(text, /: met\b/);

  // galera fra 2 + lon 1 on a two-site design: any two sites lost is every site
  const two = yaml`
    sites:
      - { name: fra, availability: 0.999 }
      - { name: lon, availability: 0.999 }
    links:
      - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
    stores:
      - name: ledger
        replication: galera
        members: { fra: 2, lon: 1 }
        objectives: { survive: [two-sites] }
  `;
  assert.deepEqual(
    only(two, "objective/survive").map((x) => x.message),
    [
      "store ledger: survive two-sites fails: lose fra, lon — the design has no third site: writes stop (0 of 3 members left; majority is 2)",
    ],
  );
});
