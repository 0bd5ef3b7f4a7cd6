import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../server/src/analysis";
import type { TopologyContext } from "../../server/src/derive/context";
import { portMatrix } from "../../server/src/ports/ports";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { gameDay } from "../../server/src/whatif/gameday";
import { HEADER } from "../helpers";

// Review M111: an etcd-only witness site (the reviewed example's ams: `role: witness`, one member
// of fra-prod's stretched etcd, no cluster of its own) is no control-plane node of the cluster: no
// API server, kubelet or CNI runs there. One fact says where a cluster's control-plane nodes are
// (derive/controlplane), and simulate, the record, the port matrix and the game day read it.

const REVIEWED = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
/** The same design with ams a full site (role primary): its member is then a stacked control-plane node, as before. */
const AMS_FULL = REVIEWED.replace("    role: witness\n", "");
const ctxOf = (text: string): TopologyContext => analyzeFile("r.topology.yaml", text).contexts[0];

test("simulate --cut fra-lon: fra-prod's control plane keeps running at lon only — no API server at ams is offered (review M111)", () => {
  const cut = { ...ALL_UP, cut: [["fra", "lon"]] as const };
  const r = run(ctxOf(REVIEWED), cut);
  const fra = r.clusters.find((c) => c.name === "fra-prod")!;
  assert.deepEqual([fra.apiStops, fra.controlPlaneAt, fra.evictionAfterSeconds], [true, ["lon"], 340]);
  const text = r.breaks.join("\n");
  assert.match(
    text,
    /fra-prod's control plane keeps running at lon, with its etcd's majority \(lon and ams: etcd only at ams\)\. Its pods at fra keep running/,
  );
  assert.doesNotMatch(text, /API servers? at ams|running at lon and ams|lon or ams/);
  // with the leader at ams the API server at lon is within fra's reach (the fra–ams link is up), not one at ams
  const other = run(ctxOf(REVIEWED), { ...ALL_UP, cut: [["fra", "ams"]] }).breaks.join("\n");
  assert.match(other, /The API server at lon is still within fra's reach/);
  assert.doesNotMatch(other, /API servers? at ams/);
  // ams a full site: its member is a stacked control-plane node, and its API server is offered as before
  const full = run(ctxOf(AMS_FULL), cut);
  assert.deepEqual(full.clusters.find((c) => c.name === "fra-prod")!.controlPlaneAt, ["lon", "ams"]);
  assert.match(
    full.breaks.join("\n"),
    /keeps running at lon and ams, where its etcd keeps a majority\. The API server at ams is still within fra's reach/,
  );
});

test("a majority held only by witnesses' etcd members: no API server takes writes, nothing evicts", () => {
  const ctx = ctxOf(`${HEADER}sites: [{ name: fra }, { name: ams, role: witness }, { name: bru, role: witness }]
links:
  - { between: [fra, ams], rttMs: 9 }
  - { between: [fra, bru], rttMs: 8 }
  - { between: [ams, bru], rttMs: 3 }
clusters:
  - { name: core, site: fra, etcd: { members: { fra: 1, ams: 1, bru: 1 } } }
`);
  const r = run(ctx, { ...ALL_UP, partition: [["fra"]] });
  const core = r.clusters.find((c) => c.name === "core")!;
  assert.deepEqual([core.apiStops, core.controlPlaneAt, core.evictionAfterSeconds], [true, [], null]);
  const text = r.breaks.join("\n");
  assert.match(
    text,
    /Its etcd keeps a majority at ams and bru, where only etcd runs \(a witness: no API server\), so core takes no API writes anywhere/,
  );
  assert.doesNotMatch(text, /control plane keeps running|evicts them/);
});

test("the port matrix and the game day's probe: nothing but etcd's ports to an etcd-only witness (review M111)", () => {
  const toAms = (ctx: TopologyContext) =>
    portMatrix(ctx)
      .rows.filter((r) => (r.from.site === "ams" || r.to.site === "ams") && r.source === "etcd of cluster fra-prod")
      .map((r) => `${r.component} ${r.port ?? r.protocol}`);
  assert.deepEqual([...new Set(toAms(ctxOf(REVIEWED)))].sort(), ["etcd client 2379", "etcd peer 2380"]);
  // a full site keeps the control-plane node's rows
  assert.deepEqual([...new Set(toAms(ctxOf(AMS_FULL)))].sort(), [
    "cilium-health 4240",
    "cilium-health ICMP",
    "etcd client 2379",
    "etcd peer 2380",
    "kube-apiserver 6443",
    "kubelet API 10250",
  ]);
  for (const side of ["ams", "fra", "lon"]) {
    const g = gameDay(ctxOf(REVIEWED), { lose: [side] }, { tool: "chaos-mesh", source: "r.topology.yaml" });
    const sh = g.files.find((f) => f.path === "probe.sh")!.content;
    const amsProbes = sh.split("\n").filter((l) => /^(host|pod) .*(hosts at ams|a host at ams)/.test(l));
    assert.ok(amsProbes.length, `${side}: ams is probed`);
    for (const l of amsProbes) assert.match(l, /TCP (2379|2380|26257) \(/, `${side}: ${l}`);
    // the API checks name API servers at lon only
    assert.doesNotMatch(g.runbook, /(API server|control-plane (node|host)) (of fra-prod )?at (lon or ams|ams)\b/, side);
    assert.doesNotMatch(g.runbook, /those at lon and ams take them|keeps running at lon and ams/, side);
  }
});

test("an etcd wholly at a witness: its API servers stay at the cluster's site and reach it on 2379 — no 6443 or 10250 to the witness", () => {
  const ctx = ctxOf(`${HEADER}sites: [{ name: fra }, { name: ams, role: witness, addresses: [192.0.2.0/28] }]
links:
  - { between: [fra, ams], rttMs: 9 }
clusters:
  - { name: core, site: fra, network: { nodes: 10.0.0.0/24 }, etcd: { members: { ams: 3 } } }
`);
  const m = portMatrix(ctx);
  assert.deepEqual(
    m.rows.map((r) => [r.component, r.port, r.from.site, r.to.site, r.from.what, r.when]),
    [["etcd client", 2379, "fra", "ams", "control-plane nodes of core", undefined]],
  );
  const r = run(ctx, { ...ALL_UP, partition: [["fra"]] });
  const core = r.clusters.find((c) => c.name === "core")!;
  assert.deepEqual([core.apiStops, core.controlPlaneAt, core.evictionAfterSeconds], [true, [], null]);
  assert.match(r.breaks.join("\n"), /where only etcd runs \(a witness: no API server\), so core takes no API writes anywhere/); // spread over two witnesses: the same required rows to each, and their peer row
  const two = portMatrix(
    ctxOf(`${HEADER}sites: [{ name: fra }, { name: ams, role: witness, addresses: [192.0.2.0/28] }, { name: bru, role: witness, addresses: [192.0.2.16/28] }]
links:
  - { between: [fra, ams], rttMs: 9 }
  - { between: [fra, bru], rttMs: 8 }
  - { between: [ams, bru], rttMs: 3 }
clusters:
  - { name: core, site: fra, network: { nodes: 10.0.0.0/24 }, etcd: { members: { ams: 1, bru: 2 } } }
`),
  );
  assert.deepEqual(two.rows.map((r) => `${r.component} ${r.port} ${r.from.site} ${r.to.site} ${r.when ?? "required"}`).sort(), [
    "etcd client 2379 fra ams required",
    "etcd client 2379 fra bru required",
    "etcd peer 2380 ams bru required",
  ]);
});

test("a majority held only by witnesses' etcd members: after a site loss nothing heals — the sentence says what ends it (w85)", () => {
  // lon-prod's etcd at fra (its control plane) and at the witness ams, ams's 2 of 3 a majority
  const text = REVIEWED.replace(
    "      nodes: 192.168.20.0/24\n      routing: native\n",
    "      nodes: 192.168.20.0/24\n      routing: native\n    etcd:\n      members: { fra: 1, ams: 2 }\n",
  );
  const lonApi = (sc: Parameters<typeof run>[1]) =>
    run(ctxOf(text), sc).breaks.find((b) => b.startsWith("cluster lon-prod: its API stops"))!;
  const lost = lonApi({ ...ALL_UP, lose: ["fra"] });
  assert.match(
    lost,
    /nothing can be scaled, rolled out or rescheduled until an API server runs again \(its API servers at fra are lost with fra, and no heal brings them back: run new control-plane nodes against the etcd majority at ams, or rebuild fra\); no controller runs with that majority/,
  );
  assert.doesNotMatch(lost, /cut heals/);
  // cut off, not lost: the heal brings them back
  const cut = lonApi({ ...ALL_UP, partition: [["fra"], ["lon", "ams"]] });
  assert.match(cut, /nothing can be scaled, rolled out or rescheduled until the cut heals; no controller runs/);
  assert.doesNotMatch(cut, /rebuild|lost with/);
  // one control-plane site lost, another cut off: both said
  const both = REVIEWED.replace("  - name: ams\n", "  - name: par\n  - name: ams\n")
    .replace(
      "links:\n",
      "links:\n  - { between: [fra, par], rttMs: 10 }\n  - { between: [lon, par], rttMs: 9 }\n  - { between: [ams, par], rttMs: 7 }\n",
    )
    .replace(
      "      nodes: 192.168.20.0/24\n      routing: native\n",
      "      nodes: 192.168.20.0/24\n      routing: native\n    etcd:\n      members: { fra: 1, par: 1, ams: 3 }\n",
    );
  const mixed = run(ctxOf(both), { ...ALL_UP, lose: ["fra"], partition: [["par"]] }).breaks.find((b) =>
    b.startsWith("cluster lon-prod: its API stops"),
  )!;
  assert.match(
    mixed,
    /until the cut heals and its nodes reach the API servers at par again \(its API servers at fra are lost with fra\); no controller/,
  );
});
