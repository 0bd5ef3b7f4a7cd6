import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../server/src/analysis";
import { hoverAt } from "../../server/src/hover/hover";
import { diagramFor } from "../../server/src/preview/mermaid";
import { HEADER } from "../helpers";

const MESHES = `${HEADER}sites:
  - name: fra
  - name: lon
links:
  - { between: [fra, lon], rttMs: 14 }
clusters:
  - name: fra-prod
    site: fra
    mesh: submariner
    istio: { meshId: eu, network: shared, role: primary, rootCa: r, eastWestGateway: true }
    linkerd: { trustAnchor: a, gateway: true }
  - name: lon-prod
    site: lon
    istio: { meshId: eu, network: shared, role: remote, primary: fra-prod, rootCa: r, eastWestGateway: true }
    linkerd:
      trustAnchor: a
      links:
        - { cluster: fra-prod, mode: gateway }
  - name: fra-edge
    site: fra
    mesh: submariner
    istio: { meshId: eu, network: shared, role: primary, rootCa: r, eastWestGateway: true }
exports:
  - { service: payments, namespace: finance, clusters: [fra-prod] }
  - { service: ${"x".repeat(60)}, namespace: finance, clusters: [fra-prod] }
`;

const hover = (text: string, needle: string, delta = 1) => {
  const a = analyzeFile("m.topology.yaml", text);
  return hoverAt(a, text.indexOf(needle) + delta)?.markdown ?? "";
};

test("hover on a remote's primary: the control-plane dependency and the certificate window", () => {
  const h = hover(MESHES, "primary: fra-prod", 10);
  assert.match(h, /istiod of fra-prod in fra \(remote in lon\)/);
  assert.match(
    h,
    /Losing \*\*fra\*\* stops config pushes, sidecar injection .* certificate issuance for lon-prod; its workload certificates expire within 12–24 h \(a 24 h lifetime by default, renewed at half of it\)/,
  );
  const same = hover(MESHES.replace("site: lon\n    istio", "site: fra\n    istio"), "primary: fra-prod", 10);
  assert.match(same, /Same site/);
});

test("hover on a mesh network: which clusters share it and whether their pods route", () => {
  const h = hover(MESHES, "network: shared", 10);
  assert.match(h, /\*\*Istio network shared\*\* \(mesh eu\)/);
  assert.match(h, /\| lon-prod \| lon \| \*\*not routable\*\* \|/, "fra-prod (submariner) and lon-prod (none) across sites");
  assert.match(h, /\| fra-edge \| fra \| routable \|/, "same site");
});

test("hover on a Linkerd link: the mirrored Service names and their lengths", () => {
  const h = hover(MESHES, "cluster: fra-prod, mode", 10);
  assert.match(h, /\| payments \| payments-fra-prod \| 17 ok \|/);
  assert.match(h, /\| x{60} \| x{60}-fra-prod \| 69 \*\*fails\*\* \|/);
});

test("the diagram shows Istio control-plane edges, networks in labels, and Linkerd links by mode", () => {
  const d = diagramFor(analyzeFile("m.topology.yaml", MESHES));
  assert.match(d.mermaid, /c0 ==>\|"istiod · shared"\| c1/);
  assert.match(d.mermaid, /c1\["lon-prod · istio remote on shared"\]/);
  assert.match(d.mermaid, /c0 -->\|"linkerd gateway"\| c1/);
});
test("hover on a one-site cluster's etcd: its own site's loss takes the cluster with it, another site's stops its API", () => {
  const design = (members: string) => `${HEADER}sites:
  - name: fra
  - name: lon
  - name: ams
links:
  - { between: [fra, lon], rttMs: 14 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
clusters:
  - name: fra-prod
    site: fra
    etcd:
      members: ${members}
`;
  const home = hover(design("{ fra: 3, lon: 1, ams: 1 }"), "members:", 2);
  // review M150: its own site's loss loses it with the cluster (simulate's `lost`), never "stops"
  assert.match(
    home,
    /survives the loss of every other site \(losing fra loses fra-prod itself, which runs there, and its etcd is lost with it, not stopped\)/,
  );
  assert.match(home, /\| fra \| 3 \| 2 of 5: \*\*lost\*\* with fra-prod \|/);
  assert.doesNotMatch(home, /losing fra stops writes\*\*/);
  const away = hover(design("{ fra: 1, lon: 3, ams: 1 }"), "members:", 2);
  assert.match(away, /\*\*losing lon stops writes\*\* \(2 of 5 left; majority 3\)/);
  const site = hover(design("{ fra: 3, lon: 1, ams: 1 }"), "name: fra", 7);
  assert.match(
    site,
    /\| etcd of cluster fra-prod \| 3 \| 2 of 5 \(majority 3\) \| \*\*lost\*\* with fra-prod, which runs here: the members left elsewhere are short of a majority, which harms nothing while the cluster they serve is gone \|/,
  );
});

test("hover on a stretched etcd: the quorum survives a cut of its cluster's site, the cluster's API there does not (review M125)", () => {
  const text = readFileSync(join(__dirname, "../../../examples/payments-eu-reviewed.topology.yaml"), "utf8");
  const etcd = hover(text, "members: { fra: 2", 2);
  // the headline says which survives: the quorum, not the API at fra (review M125 nit)
  assert.match(
    etcd,
    /^\*\*etcd of cluster fra-prod\*\*: the quorum survives every single-site loss and every partition \(a majority keeps writing\); fra-prod's API at fra stops when fra is cut off \(below\)\./,
  );
  assert.match(
    etcd,
    /\*\*When fra is cut off, fra-prod's API stops there\*\* \(2 of 5 members at fra, the minority\): no scaling, rollouts or rescheduling, while its pods keep serving\. fra-prod's API \(writes from its nodes at fra\): 99\.8%; with a local etcd at fra \(federated\): 99\.9%, fra's own/,
  );
  // three of five at the cluster's site: a cut of it keeps the majority there
  const majorityHome = hover(
    text.replace("members: { fra: 2, lon: 2, ams: 1 }", "members: { fra: 3, lon: 1, ams: 1 }"),
    "members: { fra: 3",
    2,
  );
  assert.match(majorityHome, /etcd of cluster fra-prod/);
  assert.doesNotMatch(majorityHome, /API stops there|the quorum survives|API at fra stops/);
});

test("a store's quorum hover shows each leader site's slowest client write beside its commit (review S18)", () => {
  const reviewed = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const at = reviewed.indexOf("members: { fra: 2, lon: 2, ams: 1 }", reviewed.indexOf("name: ledger")) + 2;
  const md = hoverAt(analyzeFile("t.topology.yaml", reviewed), at)?.markdown ?? "";
  assert.match(md, /\| site \| members \| if lost \| commit latency as leader \| slowest write as leader \(from fra, lon\) \|/);
  // leader at fra: lon waits 14 + 9; at lon: fra waits 14 + 8; at ams: fra waits 9 + 8 — the best
  assert.match(md, /\| fra \| 2 \| 3 of 5: survives \| 9 ms \| 23 ms \(from lon\) \|/);
  // "(best)" marks one column by one rule (derive/writes bestSites): the writes', not lon's 8 ms commit, which ams ties (review M125, M135)
  assert.match(md, /\| lon \| 2 \| 3 of 5: survives \| 8 ms \| 22 ms \(from fra\) \|/);
  assert.match(md, /\| ams \| 1 \| 4 of 5: survives \| 8 ms \| 17 ms \(from fra\) \(best\) \|/);
  assert.equal(md.match(/\(best/g)?.length, 1);
  // an etcd's table: its cluster's API write from its nodes at fra, through their API servers — fra 9 ms, lon 14 + 8, ams 9 + 8:
  // the best is fra, where simulate places the leader and the record and the runbook name it (review M135)
  const etcd =
    hoverAt(analyzeFile("t.topology.yaml", reviewed), reviewed.indexOf("members: { fra: 2, lon: 2, ams: 1 }") + 2)?.markdown ?? "";
  assert.match(
    etcd,
    /\| commit latency as leader \| fra-prod's API write as leader \(from its nodes at fra, through their API servers\) \|\n/,
  );
  assert.match(etcd, /\| fra \| 2 \| 3 of 5: survives \| 9 ms \| 9 ms \(best\) \|/);
  assert.match(etcd, /\| lon \| 2 \| 3 of 5: survives \| 8 ms \| 22 ms \|/);
  assert.match(etcd, /\| ams \| 1 \| 4 of 5: survives \| 8 ms \| 17 ms \|/);
  assert.equal(etcd.match(/\(best/g)?.length, 1);
  assert.doesNotMatch(etcd, /slowest write/);
});

test("a tie for the best leader site is said as a tie (review M125 nit)", () => {
  // three sites 10 ms apart, written from a and b (c a witness): every leader leaves a write of 10 + 10 ms — a three-way tie
  const text = `${HEADER}sites:
  - { name: a }
  - { name: b }
  - { name: c, role: witness }
links:
  - { between: [a, b], rttMs: 10 }
  - { between: [a, c], rttMs: 10 }
  - { between: [b, c], rttMs: 10 }
stores:
  - name: db
    replication: consensus
    members: { a: 1, b: 1, c: 1 }
`;
  const md = hover(text, "members:", 2);
  assert.match(md, /\| a \| 1 \| 2 of 3: survives \| 10 ms \| 20 ms \(from b\) \(best, tied with b and c\) \|/);
  assert.match(md, /\| c \| 1 \| 2 of 3: survives \| 10 ms \| 20 ms \(from a\) \(best, tied with a and b\) \|/);
  // (the reviewed example's ledger and etcd above: one best each, no tie)
});

test("capacity and lag-buffer hovers print numbers as simulate and the record do (review M86)", () => {
  const reviewed = readFileSync(join("examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const cap = hover(reviewed, "peakRps: 40000", 10);
  assert.match(cap, /peak 40,000 rps shared by weight/);
  // backend, site, weight, capacity, all up, lose fra, lose lon, headroom (ams has no backend: no column)
  assert.match(cap, /\| fra-prod \| fra \| 50 \| 40,000 \| 20,000 \| lost \| 40,000 \| 0 rps \(0%\) \|/);
  assert.doesNotMatch(cap, /40000|\bdown\b|0\.0%/);
  const lag = hover(reviewed, "lagBufferBytes: 1073741824", 17);
  assert.match(lag, /\| 300 s × 1,500 writes\/s × 2,048 bytes \| 921,600,000 bytes \(878\.9 MiB\) \| 1,073,741,824 bytes \(1 GiB\) \| /);
});

test("the values of a link's availability, a DNS entry's ttlSeconds and a store's write budget answer with their arithmetic (review M107)", () => {
  const text = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu-reviewed.topology.yaml"), "utf8");
  const a = analyzeFile("r.topology.yaml", text);
  const lines = text.split("\n");
  // the hover at `value` on the first line (at or after `from`) that holds `key: value`
  const at = (key: string, value: string, from = 0) => {
    const i = lines.findIndex((l, n) => n >= from && l.includes(`${key}: ${value}`));
    assert.ok(i >= 0, `${key}: ${value}`);
    const offset = lines.slice(0, i).join("\n").length + 1 + lines[i].indexOf(`${key}: ${value}`) + key.length + 3;
    return hoverAt(a, offset)?.markdown ?? "";
  };
  const link = at(
    "availability",
    "0.9995",
    lines.findIndex((l) => l.includes("between: [fra, lon]")),
  );
  assert.match(link, /^\*\*the fra–lon link one nine better\*\* \(0\.9995 → 0\.99995\):/);
  assert.match(link, /- store ledger: 99\.9986% → 99\.9988% \(7\.62 minutes → 6\.43 minutes a year\)/);
  assert.match(link, /- traffic checkout: 99\.9985% → 99\.9988%/);
  // carts' availability does not move (31.6 s either way), but its conflict figure does: the link between its writers is its lever (review M141)
  assert.match(
    link,
    /- store carts: availability unchanged \(99\.9999%\); writers partitioned 0\.0499% → 0\.00499% of the time \(4\.4 hours → 26\.25 minutes a year\)$/m,
  );
  assert.match(at("ttlSeconds", "60"), /^\*\*RTO 90 s\*\* = 10 s × 3 checks \+ 60 s TTL: the TTL is 67% of it — /);
  // review M121c: the hovers give the RTO's condition as `quorate availability` does, in the same words
  const detection =
    /the estimate holds when the health check fails for a site that is cut off but alive \(a check through its dependencies\); a shallow check keeps passing/;
  assert.match(at("ttlSeconds", "60"), detection);
  const checkout = text.indexOf("objectives:", text.indexOf("name: checkout"));
  assert.ok(checkout > 0);
  const figures = hoverAt(a, checkout + 2)?.markdown ?? "";
  assert.match(
    figures,
    /^- RTO 90 s \(10 s × 3 checks \+ 60 s TTL\): worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer; the estimate holds when/m,
  );
  const budget = at("writeLatencyBudgetMs", "20");
  assert.match(budget, /^\*\*store ledger\*\*: /);
  assert.match(budget, /\| ams \| 1 \| 4 of 5: survives \| 8 ms \| 17 ms \(from fra\) \(best\) \|/);
  // without a health check there is no estimate: the TTL's value answers with the schema's words, not a figure
  const bare = analyzeFile("b.topology.yaml", text.replace(/ {4}healthCheck:[^\n]*\n(?: {6}[^\n]*\n)*/, ""));
  assert.doesNotMatch(text.replace(/ {4}healthCheck:[^\n]*\n(?: {6}[^\n]*\n)*/, ""), /healthCheck/);
  const i = lines.findIndex((l) => l.includes("ttlSeconds: 60"));
  const bareText = text.replace(/ {4}healthCheck:[^\n]*\n(?: {6}[^\n]*\n)*/, "").split("\n");
  const j = bareText.findIndex((l) => l.includes("ttlSeconds: 60"));
  assert.ok(i >= 0 && j >= 0);
  const h = hoverAt(bare, bareText.slice(0, j).join("\n").length + 1 + bareText[j].indexOf("60") + 1)?.markdown ?? "";
  assert.doesNotMatch(h, /RTO/);
});
