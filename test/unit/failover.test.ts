// A failover is judged by what the clients land on (review M144, M151), and a federated etcd is
// lost with its site in every output (review M150): one decision each (availability/failover,
// derive/siteloss), read by check, `quorate availability`, the hovers, the record and simulate —
// so none of them says "met" or "served" where another says the failover lands on 502s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { hoverAt } from "../../server/src/hover/hover";
import { availabilityJson, availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { failoverGap, failovers } from "../../server/src/availability/failover";
import { objectiveJudgements } from "../../server/src/rules/index";
import { ALL_UP, run as simulate } from "../../server/src/whatif/engine";
import { lostEtcdWhy, siteLossOutcome, votingLosses } from "../../server/src/derive/siteloss";
import { check, HEADER, recordOf, row, tierRows, yaml } from "../helpers";

/** fra and lon, one federated (per-cluster) etcd each, checkout over both backends writing to `store`. */
const design = (store: string, extraSites = "", extraLinks = "") =>
  HEADER +
  yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }
  ${extraSites}
  links:
    - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
  ${extraLinks}
  clusters:
    - name: fra-prod
      site: fra
      etcd: { members: { fra: 3 } }
    - name: lon-prod
      site: lon
      etcd: { members: { lon: 3 } }
  stores:
    - ${store}
  traffic:
    - name: checkout
      steering: gslb
      ttlSeconds: 30
      peakRps: 1000
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 }
      dependsOn: [carts]
      objectives:
        rtoSeconds: 120
      backends:
        - { cluster: fra-prod, weight: 50, capacityRps: 2000 }
        - { cluster: lon-prod, weight: 50, capacityRps: 2000 }
  `;

/** One writer at fra (a single primary): losing fra leaves lon-prod unable to write — every request a 502. */
const SINGLE_PRIMARY = design(
  "{ name: carts, engine: postgres, replication: async, writers: [fra], replicas: [lon], maxLagSeconds: 5, writeRatePerSecond: 100, writeBytes: 1024 }",
);
/** The other side: a writer at each site (CRDT), the one left keeps writing. */
const BOTH_WRITE = design("{ name: carts, engine: redis-crdt, replication: crdt, writers: [fra, lon], maxLagSeconds: 5 }");
/** A consensus store with its majority at fra (2 + 1): losing fra loses quorum. */
const QUORUM_AT_FRA = design("{ name: carts, engine: cockroachdb, replication: consensus, members: { fra: 2, lon: 1 } }");
/** The same with a witness at ams (2 + 2 + 1): losing any one site leaves a majority that lon reaches. */
const WITNESSED = design(
  "{ name: carts, engine: cockroachdb, replication: consensus, members: { fra: 2, lon: 2, ams: 1 } }",
  "  - { name: ams, availability: 0.999 }",
  "  - { between: [fra, ams], rttMs: 9, availability: 0.9995 }\n    - { between: [lon, ams], rttMs: 8, availability: 0.9995 }",
);

const analysed = (text: string) => analyzeFile("t.topology.yaml", text);
const hover = (text: string, needle: string, delta: number) => hoverAt(analysed(text), text.indexOf(needle) + delta)?.markdown ?? "";

/** Every output's answer on checkout's rtoSeconds: check, availability (text, md, JSON), the hover, the record's two Tiers rows. */
function answers(text: string) {
  const ctx = analysed(text).contexts[0];
  const tr = ctx.topology.traffic[0];
  const rto = check(text).filter((f) => f.code === "objective/rto");
  const json = JSON.parse(availabilityJson(ctx)).find((x: { entity: string }) => x.entity === "checkout");
  const rows = tierRows(recordOf(text).md);
  return {
    rto,
    judged: objectiveJudgements(ctx).find((j) => j.owner === tr && j.key === "rtoSeconds")!.met,
    text: /objective rtoSeconds ≤ 120 s: (.*)/.exec(availabilityText(ctx))![1],
    md: availabilityMarkdown(ctx)
      .split("\n")
      .find((l) => l.startsWith("| traffic checkout "))!,
    json,
    hover: hover(text, "objectives:", 1),
    ingress: row(rows, "Ingress RTO", "traffic checkout")[4],
    stateless: row(rows, "Stateless workloads RTO", "backends of checkout")[4],
    gap: failoverGap(ctx, tr),
  };
}

test("review M144: an RTO met by steering onto a site that cannot write is not met — check, availability, hover and the record agree", () => {
  for (const [name, text, why] of [
    ["single primary at fra", SINGLE_PRIMARY, "cannot write to store carts \\(its one writer site, fra, is lost\\)"],
    ["consensus majority at fra", QUORUM_AT_FRA, "cannot write to store carts \\(no majority of its members is left: writes stop\\)"],
  ] as const) {
    const a = answers(text);
    assert.equal(a.judged, false, name);
    assert.equal(a.rto.length, 1, name);
    assert.match(
      a.rto[0].message,
      new RegExp(
        `^traffic checkout: rtoSeconds 120 s is not met — steering moves clients off a lost site within 60 s \\(10 s × 3 checks \\+ 30 s TTL\\), but losing fra, lon-prod \\(lon\\) ${why}: all 1,000 rps are errors \\(502s\\) until that store takes writes again — clients steered there are not served, so the failover recovers nothing$`,
      ),
      name,
    );
    assert.equal(a.text, "NOT met (losing fra, the failover lands on 502s)", name);
    assert.doesNotMatch(a.md, /holds for a lost site|rtoSeconds ≤ 120 s: met/, name);
    assert.match(
      a.md,
      /60 s \(10 s × 3 checks \+ 30 s TTL\) to steer clients off a lost site, but losing fra, lon-prod \(lon\) cannot write/,
      name,
    );
    assert.match(a.md, /rtoSeconds ≤ 120 s: not met \(losing fra, the failover lands on 502s\)/, name);
    assert.equal(a.json.objectives.rtoSeconds.met, false, name);
    assert.deepEqual([a.json.failover.lose, a.json.failover.outcome], ["fra", "errors"], name);
    assert.match(a.hover, /\*\*after the failover:\*\* losing fra, lon-prod \(lon\) cannot write to store carts/, name);
    // the record's two rows of the one objective: the same status, and why
    assert.equal(a.ingress, "**not met** — by writes stopping, not steering", name);
    assert.equal(a.stateless, "**not met** — by writes stopping, not steering", name);
    assert.equal(a.gap?.lost, "fra", name);
    assert.ok(a.gap?.everyBackendErrs, name);
  }
});

test("review M144, the other side: where the site clients are steered to can write, the RTO is met everywhere", () => {
  for (const [name, text] of [
    ["a writer at each site", BOTH_WRITE],
    ["a witness keeps the majority", WITNESSED],
  ] as const) {
    const a = answers(text);
    assert.equal(a.judged, true, name);
    assert.deepEqual(a.rto, [], name);
    assert.equal(a.text, "met", name);
    assert.match(a.md, /: worst case for clients that honour the TTL; [^|]*; holds for a lost site;/, name);
    assert.match(a.md, /rtoSeconds ≤ 120 s: met \|/, name);
    assert.equal(a.json.objectives.rtoSeconds.met, true, name);
    assert.equal(a.json.failover, null, name);
    assert.doesNotMatch(a.hover, /after the failover/, name);
    assert.equal(a.ingress, "met", name);
    assert.equal(a.stateless, "met", name);
    assert.equal(a.gap, undefined, name);
  }
  // every single-site loss judged, in site order, each served
  const ctx = analysed(WITNESSED).contexts[0];
  assert.deepEqual(
    failovers(ctx, ctx.topology.traffic[0]).map((f) => `${f.lost} ${f.outcome}`),
    ["fra served", "lon served", "ams served"],
  );
});

test("review M144: the TTL hover and the site hover say what the failover lands on", () => {
  assert.match(
    hover(SINGLE_PRIMARY, "ttlSeconds", 1),
    /\*\*After the failover:\*\* losing fra, lon-prod \(lon\) cannot write to store carts \(its one writer site, fra, is lost\): all 1,000 rps are errors \(502s\)/,
  );
  assert.doesNotMatch(hover(BOTH_WRITE, "ttlSeconds", 1), /After the failover/);
  const site = hover(SINGLE_PRIMARY, "name: fra,", 7);
  assert.match(
    site,
    /\*\*Not served after losing it\*\* \(clients steered to backends that cannot write\): checkout: losing fra, lon-prod \(lon\) cannot write/,
  );
  assert.doesNotMatch(hover(BOTH_WRITE, "name: fra,", 7), /Not served/);
});

test("review M151: the N+1 checklist item never calls a failover served when every request is a 502", () => {
  const item8 = (text: string) =>
    recordOf(text)
      .md.split("\n")
      .find((l) => l.startsWith("8. "))!;
  assert.match(
    item8(SINGLE_PRIMARY),
    /^8\. \[ \] \*\*Cost model for N\+1 site headroom, with finance sign-off\*\* — \*\*not met\*\*: checkout: losing fra, lon-prod \(lon\) cannot write to store carts \(its one writer site, fra, is lost\): all 1,000 rps are errors \(502s\) until that store takes writes again — capacity that cannot write serves nothing; provisioned: checkout 4\.0× its peak/,
  );
  assert.doesNotMatch(item8(SINGLE_PRIMARY), /served within capacity/);
  assert.match(
    item8(BOTH_WRITE),
    /^8\. \[x\] \*\*Cost model for N\+1 site headroom, with finance sign-off\*\* — met: every entry point is served within capacity after any single-site loss/,
  );
});

test("review M150: the site hover says a federated etcd is lost with its site, as simulate does — never that it stops", () => {
  const ctx = analysed(BOTH_WRITE).contexts[0];
  const fraEtcd = ctx.quorums.find((q) => q.label === "etcd of cluster fra-prod")!;
  // the engine's word and the hover's come from one decision
  const engine = simulate(ctx, { ...ALL_UP, lose: ["fra"] });
  assert.equal(engine.quorums.find((q) => q.name === "etcd of cluster fra-prod")!.outcome, "lost");
  assert.equal(siteLossOutcome(ctx, fraEtcd, votingLosses(ctx, fraEtcd)[0]), "lost");
  const why = lostEtcdWhy(["fra"], () => true);
  assert.ok(
    engine.notes.some((n) => n === `cluster fra-prod is lost with fra; its control plane (etcd, 3 in fra) is lost with it: ${why}`),
  );
  const site = hover(BOTH_WRITE, "name: fra,", 7);
  assert.match(
    site,
    /\| etcd of cluster fra-prod \| 3 \| 0 of 3 \(majority 2\) \| \*\*lost\*\* with fra-prod, which runs here: a federated \(per-cluster\) control plane goes with its site by design; it serves that cluster alone, so no other cluster's control plane depends on it \|/,
  );
  assert.doesNotMatch(site, /stops/);
  // lon-prod's own control plane is untouched, and said so
  assert.match(site, /Control planes unaffected: lon-prod \(no etcd member here\)\./);
});

test("review M150, the other side: an etcd that loses its majority while its cluster runs elsewhere stops, in the hover as in simulate", () => {
  // lon-prod's etcd stretched with its majority at fra: losing fra leaves lon-prod up with no majority
  const text = BOTH_WRITE.replace("etcd: { members: { lon: 3 } }", "etcd: { members: { fra: 2, lon: 1 } }");
  const ctx = analysed(text).contexts[0];
  const engine = simulate(ctx, { ...ALL_UP, lose: ["fra"] });
  assert.equal(engine.quorums.find((q) => q.name === "etcd of cluster lon-prod")!.outcome, "stops");
  assert.match(
    hover(text, "name: fra,", 7),
    /\| etcd of cluster lon-prod \| 2 \| 1 of 3 \(majority 2\) \| \*\*stops\*\*: no majority is left — lon-prod's API takes no writes \(no scaling, rollouts or rescheduling\) while its pods keep serving \|/,
  );
});
