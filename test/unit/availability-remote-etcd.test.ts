/**
 * Review M94: a cluster whose etcd sits wholly at another site (a control plane hosted away from
 * its nodes). Its figure is right — lon-prod's API at 99.7502% = 0.999 (lon) × 0.999 (fra) ×
 * 0.9995 (the fra–lon link) — but the words were a stretched etcd's: "lon's members in the stopped
 * minority of a cut", "the etcd quorum stopped everywhere", "the stretch costs". lon has no member
 * and nothing is stretched. The record's Considered options offer the local layout availability
 * computes. Every figure by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeAlone, analyzeFile } from "../../server/src/analysis";
import { MINUTES_PER_YEAR, reportOf } from "../../server/src/availability/figures";
import { availabilityJson, availabilityText } from "../../server/src/availability/render";
import { decisionRecord } from "../../server/src/whatif/record";
import { diff } from "../../server/src/whatif/diff";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { diffJson, diffMarkdown, diffText } from "../../server/src/whatif/render";

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
/** the reviewed example with lon-prod's etcd wholly at fra */
const REMOTE = REVIEWED.replace(
  "      nodes: 192.168.20.0/24\n      routing: native\n",
  "      nodes: 192.168.20.0/24\n      routing: native\n    etcd:\n      members: { fra: 3 }\n",
);
const ctxOf = (text: string) => analyzeFile("t.topology.yaml", text).contexts[0];
const lonApi = (text: string) => reportOf(ctxOf(text)).figures.find((f) => f.entity === "lon-prod")!;

function recordOf(text: string): string {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  return decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "9" })!;
}

test("lon-prod's API with its etcd at fra: the figures by hand, said as a remote control plane's (review M94)", () => {
  assert.match(REMOTE, /lon-prod[\s\S]*etcd:\n\s+members: \{ fra: 3 \}/);
  const f = lonApi(REMOTE);
  const [pFra, pLon, pLink] = [0.999, 0.999, 0.9995];
  // lon's nodes write while lon, fra (the whole etcd) and the link between them are up
  assert.ok(Math.abs(f.unavailability - (1 - pLon * pFra * pLink)) < 1e-12);
  // by cause: lon down; lon up and fra down (its whole etcd lost); both up and the link down (cut off)
  assert.ok(Math.abs(f.api!.siteDown - (1 - pLon)) < 1e-15);
  assert.ok(Math.abs(f.api!.quorumStops - pLon * (1 - pFra)) < 1e-15);
  assert.ok(Math.abs(f.api!.cutOff - pLon * pFra * (1 - pLink)) < 1e-15);
  assert.deepEqual(f.api!.remote, ["fra"]);
  assert.equal(f.api!.remoteLink, "fra–lon link");
  const text = availabilityText(ctxOf(REMOTE));
  assert.match(text, /lon-prod's API \(writes from its nodes at lon\): 99\.7502% /);
  assert.match(
    text,
    /API takes no writes: lon down 0\.1% of the time \(8\.8 hours a year\); lon's nodes cut off from their control plane at fra \(fra–lon link down\) 0\.0499% of the time \(4\.4 hours a year\); fra down \(its whole etcd lost\) 0\.0999% of the time \(8\.8 hours a year\)$/m,
  );
  // (1 − 0.999) against 1 − 0.999 × 0.999 × 0.9995: 0.001498 of the year, 787.9 minutes = 13.1 hours
  assert.ok(Math.abs((f.unavailability - (1 - pLon)) * MINUTES_PER_YEAR - 787.9) < 0.05);
  assert.match(
    text,
    /with a local etcd at lon \(federated\): 99\.9%, lon's own — the remote control plane costs lon-prod's API 13\.1 hours a year$/m,
  );
  const lon = text.slice(text.indexOf("etcd of cluster lon-prod"), text.indexOf("store ledger"));
  assert.doesNotMatch(lon, /stopped minority|stopped everywhere|the stretch costs/);
  // fra-prod, stretched 2+2+1, keeps its words
  assert.match(text, /fra's members in the stopped minority of a cut/);
  assert.match(text, /the stretch costs fra-prod's API 8\.8 hours a year/);
  const json = JSON.parse(availabilityJson(ctxOf(REMOTE))).find((x: { entity: string }) => x.entity === "lon-prod");
  assert.deepEqual(json.api.remoteMembers, ["fra"]);
  assert.equal(json.api.federatedAvailability, 0.999);
  const fra = JSON.parse(availabilityJson(ctxOf(REMOTE))).find((x: { entity: string }) => x.entity === "fra-prod");
  assert.equal(fra.api.remoteMembers, null);
});

/** REMOTE with lon-prod's etcd at fra and at the witness ams */
const withWitness = (members: string) => REMOTE.replace("    etcd:\n      members: { fra: 3 }\n", `    etcd:\n      members: ${members}\n`);

test("an etcd at fra and the witness ams, fra's 2 of 3 a majority: lon's nodes write through fra's API servers, as with the whole etcd at fra (README Decisions)", () => {
  const two = withWitness("{ fra: 2, ams: 1 }");
  assert.notEqual(two, REMOTE);
  const f = lonApi(two);
  // the same figure as { fra: 3 }: a leader at ams is reached through fra's members, so the lon–ams link counts for nothing
  // (the old model judged lon's nodes against a leader at ams directly: 99.7006%, the lon–ams link down counted as cut off)
  const [pFra, pLon, pLink] = [0.999, 0.999, 0.9995];
  assert.ok(Math.abs(f.unavailability - (1 - pLon * pFra * pLink)) < 1e-12);
  assert.deepEqual(f.api!.remote, ["fra", "ams"]);
  assert.deepEqual(f.api!.controlPlane, ["fra"]);
  assert.equal(f.api!.remoteAlone, true);
  const text = availabilityText(ctxOf(two));
  const lon = text.slice(text.indexOf("etcd of cluster lon-prod"), text.indexOf("store ledger"));
  assert.match(
    lon,
    /lon's nodes cut off from their control plane at fra \(fra–lon link down\) 0\.0499% of the time \(4\.4 hours a year\); fra down \(the etcd's majority lost with it\) 0\.0999% /,
  );
  assert.doesNotMatch(lon, /lon–ams|stopped minority|the stretch costs/);
  assert.match(lon, /the remote control plane costs lon-prod's API/);
  const json = JSON.parse(availabilityJson(ctxOf(two))).find((x: { entity: string }) => x.entity === "lon-prod");
  assert.deepEqual(json.api.remoteMembers, ["fra", "ams"]);
  assert.deepEqual(json.api.remoteControlPlane, ["fra"]);
});

test("the witness ams holding the etcd's majority: a leader there is no API for lon's nodes — fra lost or the fra–ams link cut stops it (README Decisions)", () => {
  const text = withWitness("{ fra: 1, ams: 2 }");
  const f = lonApi(text);
  // lon writes while lon and fra (its API servers) are up, the fra–lon link is up, and fra's member reaches the leader:
  // ams up and the fra–ams link up (ams's 2 of 3 lead alone; fra's 1 only with ams)
  const [pSite, pAms, pLink] = [0.999, 0.995, 0.9995];
  assert.ok(Math.abs(f.unavailability - (1 - pSite * pSite * pAms * pLink * pLink)) < 1e-12);
  assert.deepEqual(f.api!.controlPlane, ["fra"]);
  assert.equal(f.api!.remoteAlone, false);
  // by cause (the API servers' site's loss said apart from a cut): lon down; lon up, ams down (the quorum stops:
  // fra's 1 of 3); lon and ams up, fra down — ams's 2 of 3 write on, but no API server is left for lon's nodes;
  // lon, fra and ams up, the fra–lon or fra–ams link down (cut off)
  const near = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-15, `${x} ≠ ${y}`);
  near(f.api!.siteDown, 1 - pSite);
  near(f.api!.quorumStops, pSite * (1 - pAms));
  near(f.api!.serversDown, pSite * pAms * (1 - pSite));
  near(f.api!.cutOff, pSite * pAms * pSite * (1 - pLink * pLink));
  const out = availabilityText(ctxOf(text));
  assert.match(
    out,
    /; fra down, and with it every API server lon's nodes write through \(the etcd keeps its majority at ams, whose etcd-only members run none\) 0\.0994% of the time \(8\.7 hours a year\); lon's nodes without an API server that takes writes: the one at fra cut off from lon, or its member cut off from the etcd leader \(the etcd-only members at ams run none;/,
  );
  assert.equal(
    JSON.parse(availabilityJson(ctxOf(text))).find((x: { entity: string }) => x.entity === "lon-prod").api.apiServersDown,
    f.api!.serversDown,
  );
  // fra holding the majority itself: its loss stops the quorum (quorumStops), never this cause
  assert.equal(lonApi(withWitness("{ fra: 2, ams: 1 }")).api!.serversDown, 0);
  // simulate: fra lost — ams keeps a majority, and lon's nodes (which reach ams) have no API server
  const { analysis } = analyzeAlone("t.topology.yaml", text);
  const lost = run(analysis.contexts[0], { ...ALL_UP, lose: ["fra"] });
  assert.equal(lost.clusters.find((c) => c.name === "lon-prod")!.apiStops, true);
  assert.ok(
    lost.breaks.some((b) =>
      b.startsWith(
        "cluster lon-prod: its API stops at lon — its nodes at lon reach none of its API servers (at fra: fra lost) — an etcd-only witness member runs none.",
      ),
    ),
    lost.breaks.join("\n"),
  );
  // the fra–ams link cut: lon reaches fra's API servers, whose member is cut off from the leader at ams
  const cut = run(analysis.contexts[0], { ...ALL_UP, cut: [["fra", "ams"]] });
  assert.ok(
    cut.breaks.some((b) =>
      b.startsWith(
        "cluster lon-prod: its API stops at lon — the API servers its nodes at lon reach (at fra) stand on etcd members cut off from the majority (ams)",
      ),
    ),
    cut.breaks.join("\n"),
  );
});

test("the lon–ams link cut with lon-prod's etcd at fra and the witness ams: lon's nodes keep writing through fra, wherever the leader is", () => {
  const { analysis } = analyzeAlone("t.topology.yaml", withWitness("{ fra: 2, ams: 1 }"));
  const r = run(analysis.contexts[0], { ...ALL_UP, cut: [["lon", "ams"]] });
  // the old model judged the leader at ams against lon's nodes directly: "the members at lon stop" (there are none)
  assert.notEqual(r.clusters.find((c) => c.name === "lon-prod")!.apiStops, true);
  assert.ok(!r.breaks.some((b) => b.startsWith("cluster lon-prod")), r.breaks.join("\n"));
});

test("the record offers lon-prod's local etcd among the Considered options, with the figure availability computes (review M94)", () => {
  const md = recordOf(REMOTE);
  const options = md.slice(md.indexOf("## Considered options"), md.indexOf("## Consequences"));
  const lon = options.slice(options.indexOf("### etcd of cluster lon-prod"), options.indexOf("### store ledger"));
  assert.match(lon, /^\| as designed \| 3 fra = 3 \(majority 2\) \| 2 of 3 \(not fra\) \|/m);
  assert.match(
    lon,
    /^\| federated: lon-prod's etcd local to lon, where lon-prod runs \| 3 lon = 3 \(majority 2\) \| 2 of 3 \(not lon, which takes lon-prod with it as designed too\) \| 0 \(no member across a site link\) \|/m,
  );
  assert.match(
    lon,
    /lon cut off: lon-prod's API keeps serving \(as designed it stops: none of its 3 members at lon: its whole etcd is at fra\)/,
  );
  assert.match(
    lon,
    /Federated: lon-prod's etcd as 3 members at lon, where all of lon-prod's workload nodes run — the design's 3 moved there from fra\./,
  );
  assert.match(lon, /A local etcd gives lon-prod's API lon's own availability, 99\.9%, against 99\.7502% as designed/);
  // the remote layout's paragraph is a paragraph of its own, not joined to the option's
  assert.match(
    lon,
    /its control-plane nodes at fra are retired with their members, and lon runs 3 control-plane nodes \(none today\)\.\n\n\*\*The design's control plane is remote:\*\*/,
  );
  // eviction under a cut only if the control-plane hosts are Nodes of lon-prod (review M92, as simulate says)
  assert.match(
    lon,
    /lon cut off: lon-prod's API stops \(none of its 3 members at lon: its whole etcd is at fra\); if its control-plane hosts at fra are Nodes of lon-prod \(kubeadm stacked\), its pods there are evicted after about 340 s \(one node every 10 s with per-site zone labels; without them, none in a cluster of 50 nodes or fewer\); if none of its Nodes stays Ready \(a hosted control plane\), the node controller enters full-disruption mode and evicts nothing/,
  );
  // the Tiers say it as availability does
  assert.match(md, /lon's nodes cut off from their control plane at fra \(fra–lon link down\)/);
  assert.doesNotMatch(md, /lon's members in the stopped minority|the stretch costs lon-prod's API/);
  // a stretched etcd keeps its federated option as before; a local one has none
  const reviewed = recordOf(REVIEWED);
  assert.match(reviewed, /^\| federated: fra-prod's etcd local to fra, where fra-prod runs \|/m);
  // a stretched etcd's members at fra are Nodes of fra-prod: its eviction stays unconditional
  assert.doesNotMatch(reviewed, /if its control-plane hosts at [a-z, ]+ are Nodes of fra-prod/);
  assert.doesNotMatch(reviewed, /federated: lon-prod's etcd/);
});

test("diff reviewed → a federated fra-prod and lon-prod's etcd at fra: a cut fra–lon now stops lon-prod's API instead of fra-prod's, said though the verdict holds (reviewer's style note)", () => {
  // the fed-addr repro's control planes: fra-prod's etcd local to fra, lon-prod's wholly at fra
  const fed = REMOTE.replace("members: { fra: 2, lon: 2, ams: 1 }", "members: { fra: 3 }");
  assert.notEqual(fed, REMOTE);
  const side = (label: string, text: string) => ({ label, ...analyzeAlone(label, text) });
  const d = diff(side("reviewed.topology.yaml", REVIEWED), side("fed.topology.yaml", fed));
  const cut = d.scenarios.find((s) => s.scenario === "cut fra–lon")!;
  assert.equal(cut.before, cut.after);
  assert.deepEqual([cut.apiStopsBefore, cut.apiStopsAfter], [["fra-prod at fra"], ["lon-prod at lon"]]);
  const text = diffText(d, false);
  assert.match(text, /^Where a cluster's API stops moved \(same verdict\):$/m);
  // lon-prod's API now stops where it did not: a regression though the verdict holds (review M146), and says whose
  assert.deepEqual(cut.apiStopsNew, ["lon-prod at lon"]);
  assert.match(
    text,
    /^ {2}! [^\n]*cut fra–lon[^\n]*: API stops for fra-prod at fra → lon-prod at lon \(lon-prod's API at lon now stops\)$/m,
  );
  // fra-prod's API no longer stopping under cut fra–ams got better: said, unmarked
  assert.match(text, /^ {4}cut fra–ams: API stops for fra-prod at fra → none$/m);
  assert.match(
    diffMarkdown(d),
    /\| [^|]*cut fra–lon[^|]* \| API stops for fra-prod at fra → lon-prod at lon \(lon-prod's API at lon now stops\) \| 🔴 yes \|/,
  );
  assert.match(diffMarkdown(d), /\| cut fra–ams \| API stops for fra-prod at fra → none \| no \|/);
  // lose fra (ok → down), and the API stops new under cut fra–lon, partition fra / lon,ams and partition fra,ams / lon
  assert.equal(d.regressions, 4);
  assert.deepEqual(JSON.parse(diffJson(d)).scenarios.find((s: { scenario: string }) => s.scenario === "cut fra–lon").apiStopsAfter, [
    "lon-prod at lon",
  ]);
  // a scenario where nothing about the APIs moved carries neither field
  const same = diff(side("a.topology.yaml", REVIEWED), side("b.topology.yaml", REVIEWED));
  assert.ok(same.scenarios.every((s) => s.apiStopsBefore === undefined && s.apiStopsAfter === undefined));
  assert.doesNotMatch(diffText(same, false), /API stops moved/);
});
