// An etcd's figure is its cluster's API, judged from the cluster's site (review S13): a cluster's
// etcd has one client site — its nodes — so writes count only while that site is up and its
// members there are on the writing side at the leader placement worst for them, as traffic
// backends are judged. The quorum's own figure stays, said as the quorum's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { figureText, MINUTES_PER_YEAR, reportOf } from "../../server/src/availability/figures";
import { availabilityJson, availabilityMarkdown, availabilityText } from "../../server/src/availability/render";
import { hoverAt } from "../../server/src/hover/hover";
import { diff } from "../../server/src/whatif/diff";
import { decisionRecord } from "../../server/src/whatif/record";
import { diffText } from "../../server/src/whatif/render";
import { HEADER } from "../helpers";

const REVIEWED = "examples/payments-eu-reviewed.topology.yaml";
const DRAFT = "examples/payments-eu.topology.yaml";
const ctxOf = (path: string, text = readFileSync(path, "utf8")) => analyzeFile(path, text).contexts[0];
const etcdOf = (ctx: ReturnType<typeof ctxOf>) => reportOf(ctx).figures.find((f) => f.kind === "etcd")!;

test("the reviewer's 99.80% for fra-prod's API, re-derived by hand (2+2+1 etcd, nodes at fra, worst leader placement)", () => {
  const ctx = ctxOf(REVIEWED);
  const t = ctx.topology;
  const site = (n: string) => t.siteByName.get(n)!.availability!.value;
  const link = (a: string, b: string) => ctx.link(a, b)!.availability!.value;
  // the example's numbers, so the derivation below is the one the review did
  assert.deepEqual([site("fra"), site("lon"), site("ams")], [0.999, 0.999, 0.995]);
  assert.deepEqual([link("fra", "lon"), link("fra", "ams"), link("lon", "ams")], [0.9995, 0.9995, 0.9995]);
  const [pFra, pLon, pAms, pL] = [0.999, 0.999, 0.995, 0.9995];
  const [qLon, qAms, qL] = [1 - pLon, 1 - pAms, 1 - pL];
  // fra up (its nodes are there), by the state of fra's two links:
  // - both up: fra reaches every member; writes stop only when lon and ams are both down (2 of 5);
  // - fra–lon cut: lon (2) + ams (1) can lead without fra unless lon or ams is down or lon–ams is cut
  //   too: fra-prod's API works only with lon down (fra 2 + ams 1 lead) or lon–ams also cut (lon has 2);
  // - fra–ams cut: the same with ams and lon swapped;
  // - both cut: fra's 2 of 5 are a minority.
  const bothUp = pL * pL * (1 - qLon * qAms);
  const lonCut = qL * pL * (qLon * pAms + pLon * pAms * qL);
  const amsCut = pL * qL * (qAms * pLon + pLon * pAms * qL);
  const byHand = pFra * (bothUp + lonCut + amsCut);
  const f = etcdOf(ctx);
  assert.equal(f.method, "exact");
  assert.ok(Math.abs(f.availability - byHand) < 1e-12, `${f.availability} vs ${byHand}`);
  // ≈ 99.80%, ≈ 17.5 hours a year, as the review says
  assert.ok(Math.abs(f.availability - 0.998) < 1e-5);
  assert.equal(figureText(f), "99.8% (2.7 nines, 17.5 hours unavailable a year)");
  // fra lost: 0.1% (its own site); cut off at the worst placement: about 2 × 0.0005 × 0.995
  assert.ok(Math.abs(f.api!.siteDown - (1 - pFra)) < 1e-15);
  assert.ok(Math.abs(f.api!.cutOff - 0.000992) < 2e-6, `${f.api!.cutOff}`);
  assert.ok(Math.abs(f.unavailability - (f.api!.siteDown + f.api!.cutOff + f.api!.quorumStops)) < 1e-15);
  // the three most likely cut sets: fra, then each of fra's links
  assert.deepEqual(
    f.cutSets.slice(0, 3).map((c) => c.components.join(" + ")),
    ["fra", "fra–lon link", "fra–ams link"],
  );
  // the quorum's own figure is kept (the same 2+2+1 over the same links as the ledger's), and a federated fra-prod is fra's own 99.9%
  const ledger = reportOf(ctx).figures.find((x) => x.label === "store ledger")!;
  assert.ok(Math.abs(f.api!.quorum.availability - ledger.availability) < 1e-15);
  assert.ok(Math.abs(f.api!.quorum.minutesPerYear - 7.615) < 0.01);
  assert.equal(f.api!.federated, 0.999);
  assert.equal(f.api!.stretched, true);
  assert.ok(Math.abs(f.minutesPerYear - (1 - byHand) * MINUTES_PER_YEAR) < 1e-6);
});

test("availability text, md and json say fra-prod's API figure and keep the quorum's, labelled as such", () => {
  const ctx = ctxOf(REVIEWED);
  const text = availabilityText(ctx);
  assert.match(
    text,
    /^etcd of cluster fra-prod \(etcd\): fra-prod's API \(writes from its nodes at fra\): 99\.8% \(2\.7 nines, 17\.5 hours unavailable a year\)$/m,
  );
  assert.match(
    text,
    /^ {2}API takes no writes: fra down 0\.1% of the time \(8\.8 hours a year\); fra's members in the stopped minority of a cut \(at the leader placement worst for them/m,
  );
  // no best-placement companion, and the output says why: etcd has no leader preference to pin it with
  assert.match(
    text,
    /stopped minority of a cut \(at the leader placement worst for them: leadership stays where it was when the links went, and etcd cannot pin it: `etcdctl move-leader` holds only until the next election\) 0\.0992% of the time/,
  );
  assert.doesNotMatch(text.split("\n\n")[0], /best leader placement|pinned/);
  assert.match(text, /also give the best placement; a cluster's API through its etcd only the worst, since etcd cannot pin its leader\)/);
  assert.match(text, /^ {2}the etcd quorum itself: 99\.9986% \(4\.84 nines, 7\.62 minutes unavailable a year\) — it counts every state/m);
  assert.match(
    text,
    /^ {2}with a local etcd at fra \(federated\): 99\.9%, fra's own — the stretch costs fra-prod's API 8\.8 hours a year$/m,
  );
  // review M121d: each outcome says what it is — "lost" and "stops" could not be told apart
  assert.match(text, /^ {2}etcd quorum minority-stops \(a majority writes; members cut off from it stop\): 0\.149% of the time$/m);
  assert.match(text, /^ {2}etcd quorum stops \(no side holds a majority, with fra up\): 0\.000799% of the time$/m);
  assert.match(
    text,
    /^ {2}etcd quorum lost \(no side holds a majority, with fra down: fra-prod is lost with its site\): 0\.000649% of the time$/m,
  );
  assert.match(text, /^ {2}stops \(no side holds a majority: writes stop\): 0\.00145% of the time$/m);
  assert.doesNotMatch(text, /etcd of cluster fra-prod \(etcd\): 99\.9986%/);
  const md = availabilityMarkdown(ctx);
  assert.match(
    md,
    /\| etcd of cluster fra-prod \| etcd \| fra-prod's API \(writes from its nodes at fra\): 99\.8%; the etcd quorum itself: 99\.9986% /,
  );
  // the RTO cell carries its terms and the deep-health-check condition, as the text does (review style);
  // a lost site fails any check, so the condition is for a site cut off but alive only (closing note: "too strong")
  assert.match(
    md,
    /\| 90 s \(10 s × 3 checks \+ 60 s TTL\): worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer; holds for a lost site; for a site cut off but alive only with a deep health check \(one that fails through its dependencies; a shallow check keeps passing\) \|/,
  );
  const json = JSON.parse(availabilityJson(ctx)) as {
    entity: string;
    kind: string;
    availability: number;
    api: Record<string, number | string | null> | null;
  }[];
  const e = json.find((x) => x.kind === "etcd")!;
  assert.ok(Math.abs(e.availability - 0.998) < 1e-5);
  assert.equal(e.api!.from, "fra");
  assert.ok(Math.abs((e.api!.quorumAvailability as number) - 0.9999855) < 1e-7);
  assert.equal(e.api!.federatedAvailability, 0.999);
  // other entities carry api: null (the key is always there)
  assert.ok(json.filter((x) => x.kind !== "etcd").every((x) => x.api === null));
});

test("the Tiers row and the site hover name fra-prod's API; the diff says what the etcd figure measures", () => {
  const text = readFileSync(REVIEWED, "utf8");
  const { analysis, findings } = analyzeAlone(REVIEWED, text);
  const md = decisionRecord({ path: REVIEWED, analysis, findings, version: "1" })!;
  const rowLine = md.split("\n").find((l) => l.startsWith("| Control-plane API writes (etcd) |"));
  assert.ok(rowLine, "no Control-plane API writes row");
  assert.match(rowLine, /\| fra-prod's API \(writes from its nodes at fra\) \| /);
  // the cell keeps the figure; what it is made of is a note below the table (review style)
  assert.match(rowLine, /\| 99\.8% \(2\.7 nines, 17\.5 hours unavailable a year\) \| no objective \|$/);
  const note = md.split("\n").find((l) => l.startsWith("- fra-prod's API (writes from its nodes at fra) takes no writes: "));
  assert.ok(note, "no note for fra-prod's API");
  assert.match(note, /: fra down 0\.1% of the time/);
  assert.match(note, /the etcd quorum itself: 99\.9986% /);
  assert.match(note, /with a local etcd at fra \(federated\): 99\.9%/);
  assert.doesNotMatch(md, /Control-plane writes \(etcd\)/);
  // hover on lon's availability: one more nine at lon for fra-prod's API
  const at = text.indexOf("availability: 0.999\n", text.indexOf("- name: lon")) + "availability: ".length;
  const hover = hoverAt(analysis, at);
  assert.ok(hover, "no hover on lon's availability");
  assert.match(hover.markdown, /- fra-prod's API \(writes from its nodes at fra\): 99\.8% → /);
  // diff draft → reviewed: the etcd line says it is the API
  const d = diff({ label: DRAFT, ...analyzeAlone(DRAFT, readFileSync(DRAFT, "utf8")) }, { label: REVIEWED, analysis, findings });
  const line = diffText(d, false)
    .split("\n")
    .find((l) => l.includes("fra-prod's API"));
  assert.ok(line, diffText(d, false));
  assert.match(line, /fra-prod's API \(writes from its nodes at fra\) availability 99\.7502% → 99\.8% /);
});

const ETCD = (members: string) => `${HEADER}sites:
  - { name: fra, availability: 0.999 }
  - { name: lon, availability: 0.999 }
  - { name: ams, availability: 0.995 }
links:
  - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
  - { between: [fra, ams], rttMs: 9, availability: 0.9995 }
  - { between: [lon, ams], rttMs: 8, availability: 0.9995 }
clusters:
  - name: core
    site: fra
    etcd: { members: ${members} }
`;

test("a federated etcd is its site's availability exactly; a stretched one is never above it (both sides of the stretch)", () => {
  const local = etcdOf(ctxOf("t.topology.yaml", ETCD("{ fra: 3 }")));
  assert.equal(local.availability, 0.999);
  assert.equal(local.api!.stretched, false);
  assert.deepEqual(
    local.cutSets.map((c) => c.components.join(" + ")),
    ["fra"],
  );
  const text = availabilityText(ctxOf("t.topology.yaml", ETCD("{ fra: 3 }")));
  assert.doesNotMatch(text, /etcd quorum itself|federated/);
  // one member elsewhere: still fra's majority (2 of 3 at fra): only fra's loss stops the API — its site's figure
  const oneAway = etcdOf(ctxOf("t.topology.yaml", ETCD("{ fra: 2, lon: 1 }")));
  assert.ok(Math.abs(oneAway.availability - 0.999) < 1e-15);
  // 1+1+1: fra's member alone is a minority when both fra links are cut, or cut off from a leader under one cut
  const spread = etcdOf(ctxOf("t.topology.yaml", ETCD("{ fra: 1, lon: 1, ams: 1 }")));
  assert.ok(spread.availability < 0.999);
  assert.ok(spread.api!.quorum.availability > spread.availability);
  // members only elsewhere: the nodes at fra reach them over fra's links (the links count) — through
  // any API server they reach, at lon or ams (neither a witness), whose member reaches the leader: one
  // link down leaves the other (README Decisions: the nodes write through API servers, never to etcd)
  const remote = etcdOf(ctxOf("t.topology.yaml", ETCD("{ lon: 2, ams: 1 }")));
  assert.ok(remote.components.includes("fra"));
  assert.deepEqual(
    remote.cutSets.map((c) => c.components.join(" + ")),
    ["fra", "lon", "ams + fra–lon link", "fra–lon link + fra–ams link", "fra–lon link + lon–ams link"],
  );
  assert.deepEqual(remote.api!.controlPlane, ["lon", "ams"]);
});
