// The preview's diagram of a design too large for Mermaid (50,000 characters, 500 edges): a
// summary with a note past the bound, the full drawing up to it, and the same escaping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone } from "../../server/src/analysis";
import { diagramFor } from "../../server/src/preview/mermaid";
import { MAX_DRAWN_SITES, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT } from "../../server/src/preview/summary";
import { answer } from "../../server/src/requests";
import { simulate } from "../../server/src/service/whatif";
import { QuorateService } from "../../server/src/service/service";
import type { DiagramResult } from "../../server/src/protocol";
import { HEADER } from "../helpers";

/**
 * `rings` rings of three sites (a, b, c) joined by links, four clusters per site (distinct pods
 * ranges), and per ring a stretched etcd (1+1+1), a ledger (2+2+1) and a traffic entry over one
 * cluster per site depending on it — the benchmark's second shape, small.
 */
function generateRings(rings: number): { text: string; rings: number } {
  const sites: string[] = [];
  const links: string[] = [];
  const clusters: string[] = [];
  const stores: string[] = [];
  const traffic: string[] = [];
  let n = 0;
  for (let r = 0; r < rings; r++) {
    const s = ["a", "b", "c"].map((x) => `r${r}-${x}`);
    sites.push(...s.map((x) => `  - { name: ${x} }`));
    links.push(
      `  - { between: [${s[0]}, ${s[1]}], rttMs: ${12 + (r % 5)} }`,
      `  - { between: [${s[0]}, ${s[2]}], rttMs: ${14 + (r % 5)} }`,
      `  - { between: [${s[1]}, ${s[2]}], rttMs: ${13 + (r % 5)} }`,
    );
    for (const [si, site] of s.entries())
      for (let k = 0; k < 4; k++, n++) {
        clusters.push(`  - name: ${site}-k${k}`, `    site: ${site}`, `    network: { pods: 10.${n >> 8}.${n & 255}.0/24 }`);
        if (si === 0 && k === 0) clusters.push(`    etcd: { members: { ${s[0]}: 1, ${s[1]}: 1, ${s[2]}: 1 } }`);
      }
    stores.push(
      `  - name: ledger-${r}`,
      "    replication: consensus",
      `    members: { ${s[0]}: 2, ${s[1]}: 2, ${s[2]}: 1 }`,
      "    writeLatencyBudgetMs: 60",
    );
    traffic.push(
      `  - name: web-${r}`,
      "    steering: gslb",
      "    peakRps: 30000",
      `    dependsOn: [ledger-${r}]`,
      "    backends:",
      ...s.map((x) => `      - { cluster: ${x}-k1, weight: 1, capacityRps: 20000 }`),
    );
  }
  const text = [
    `${HEADER}sites:`,
    ...sites,
    "links:",
    ...links,
    "clusters:",
    ...clusters,
    "stores:",
    ...stores,
    "traffic:",
    ...traffic,
  ].join("\n");
  return { text: `${text}\n`, rings };
}

function diagramsOf(text: string) {
  const { analysis, findings } = analyzeAlone("big.topology.yaml", text);
  return {
    full: diagramFor(analysis, findings, undefined, new Map(), { layouts: true }),
    bounded: diagramFor(analysis, findings, undefined, new Map(), { layouts: true, bounded: true }),
  };
}
const edgesIn = (mermaid: string) => mermaid.split("\n").filter((l) => /^\s+\S+ (<-->|-->|-\.->|==>)/.test(l)).length;
const longest = (d: DiagramResult) => Math.max(...(d.layouts ?? []).map((l) => l.mermaid.length));

/** Two sites and one traffic entry with a backend on each of `n` clusters: n + 1 edges, short lines. */
function backends(n: number): string {
  const lines = [`${HEADER}sites:\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [fra, lon], rttMs: 14 }\nclusters:`];
  for (let i = 0; i < n; i++) lines.push(`  - { name: k${i}, site: ${i % 2 ? "lon" : "fra"} }`);
  lines.push("traffic:\n  - name: web\n    steering: gslb\n    peakRps: 1000\n    backends:");
  for (let i = 0; i < n; i++) lines.push(`      - { cluster: k${i}, weight: 1 }`);
  return `${lines.join("\n")}\n`;
}

/** Two sites holding `n` clusters with 60-character names and nothing else: text grows, edges do not. */
function longNames(n: number): string {
  const lines = [`${HEADER}sites:\n  - name: fra\n  - name: lon\nclusters:`];
  for (let i = 0; i < n; i++)
    lines.push(`  - { name: ${`cluster-${String(i).padStart(5, "0")}-`.padEnd(60, "x")}, site: ${i % 2 ? "lon" : "fra"} }`);
  return `${lines.join("\n")}\n`;
}

test("500 edges are drawn in full, 501 are summarised: each site one node, the backends counted per site", () => {
  const at = diagramsOf(backends(MERMAID_MAX_EDGES - 1));
  assert.equal(edgesIn(at.full.mermaid), MERMAID_MAX_EDGES);
  assert.equal(at.bounded.summary, undefined);
  assert.equal(at.bounded.mermaid, at.full.mermaid);
  assert.deepEqual(at.bounded.layouts, at.full.layouts);

  const over = diagramsOf(backends(MERMAID_MAX_EDGES));
  assert.equal(edgesIn(over.full.mermaid), MERMAID_MAX_EDGES + 1);
  const s = over.bounded;
  assert.match(
    s.summary ?? "",
    /^2 sites, 500 clusters, 1 link and 1 traffic entry: too many to draw one by one \(the full diagram has 501 edges;/,
  );
  assert.match(s.summary!, /Each site is one node counting what it holds\./);
  assert.deepEqual(
    s.layouts!.map((l) => `${l.direction}${l.folded ? " folded" : ""}`),
    ["LR", "TB"],
  );
  for (const l of s.layouts!) assert.ok(l.mermaid.length <= MERMAID_MAX_TEXT && edgesIn(l.mermaid) <= MERMAID_MAX_EDGES);
  const lines = s.mermaid.split("\n");
  assert.ok(lines.includes('  s0["fra<br>250 clusters"]'), s.mermaid);
  assert.ok(lines.includes('  s1["lon<br>250 clusters"]'), s.mermaid);
  assert.ok(lines.includes('  s0 <-->|"14 ms"| s1'), "a single link between two sites drawn alone is itself (a click cuts it)");
  assert.ok(lines.includes('  t0 -->|"250 backends"| s0'), s.mermaid);
  // the sites are still the clickable, named sites
  assert.deepEqual(
    s.nodes.filter((n) => n.kind === "site").map((n) => [n.id, n.name]),
    [
      ["s0", "fra"],
      ["s1", "lon"],
    ],
  );
});

test("50,000 characters are drawn in full, one cluster more is summarised", () => {
  // the smallest design whose longest layout is over the limit
  let lo = 1;
  let hi = 2000;
  assert.ok(longest(diagramsOf(longNames(hi)).full) > MERMAID_MAX_TEXT);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (longest(diagramsOf(longNames(mid)).full) > MERMAID_MAX_TEXT) hi = mid;
    else lo = mid + 1;
  }
  const under = diagramsOf(longNames(lo - 1));
  assert.ok(longest(under.full) <= MERMAID_MAX_TEXT);
  assert.equal(under.bounded.summary, undefined);
  assert.equal(under.bounded.mermaid, under.full.mermaid);
  const over = diagramsOf(longNames(lo));
  assert.match(over.bounded.summary ?? "", new RegExp(`the full diagram is ${longest(over.full).toLocaleString("en-US")} characters`));
  assert.ok(longest(over.bounded) < 1000, over.bounded.mermaid);
  // not bounded (quorate diagram, Export Diagram): the full text whatever its size
  assert.ok(over.full.mermaid.length > MERMAID_MAX_TEXT);
});

test("a scenario on a large design draws the sites it names or affects alone and groups the others by state, with counts", async () => {
  const { text, rings } = generateRings(90);
  const { analysis, findings } = analyzeAlone("rings.topology.yaml", text);
  const sites = rings * 3;
  assert.ok(sites > MAX_DRAWN_SITES);
  const r = (await simulate(analysis, findings, { lose: ["r3-a", "r3-b"], cut: [{ between: ["r5-a", "r5-b"] }] }))!;
  const d = r.diagram;
  const lines = d.mermaid.split("\n");
  const id = (name: string) => d.nodes.find((n) => n.kind === "site" && n.name === name)?.id;
  // lost, the ring's third site (its etcd and ledger stop) and both ends of the cut link, each alone
  assert.deepEqual(
    d.nodes.filter((n) => n.kind === "site").map((n) => n.name),
    ["r3-a", "r3-b", "r3-c", "r5-a", "r5-b"],
  );
  assert.ok(lines.includes(`  class ${id("r3-a")} lost`) && lines.includes(`  class ${id("r3-b")} lost`));
  assert.ok(lines.includes(`  class ${id("r3-c")} stopped`), d.mermaid);
  assert.ok(lines.some((l) => l.startsWith(`  ${id("r5-a")} <-->|"12 ms"| ${id("r5-b")}`)));
  const others = sites - 5;
  const n = (x: number) => x.toLocaleString("en-US");
  assert.ok(
    lines.includes(`  g0["${others} other sites unaffected<br>${n(others * 4)} clusters<br>members of ${2 * rings - 2} quorums"]`),
    d.mermaid,
  );
  // the entries the scenario fails or degrades alone (their backends as the full drawing says them), the others counted
  assert.ok(lines.includes('  t3(["web-3 · gslb · 30,000 rps · 30,000 rps of errors"])'), d.mermaid);
  assert.ok(lines.includes(`  t3 -->|"w 1 · cap 20,000 · 30,000 rps · errors"| ${id("r3-c")}`), d.mermaid);
  assert.ok(lines.includes("  class t3 stopped") && lines.includes("  class t5 degraded"), d.mermaid);
  assert.ok(
    lines.some((l) => l.startsWith(`  h0(["${rings - 2} other traffic entries served`)),
    d.mermaid,
  );
  assert.match(
    d.summary!,
    /The 5 sites this scenario names or affects are drawn one by one; the others are grouped by what the scenario does to them/,
  );
  assert.ok(d.mermaid.length < 5000 && edgesIn(d.mermaid) < 50);

  // no scenario, no finding: every site in one group
  const plain = diagramFor(analysis, findings, undefined, new Map(), { layouts: true, bounded: true });
  assert.equal(plain.nodes.filter((n) => n.kind === "site").length, 0);
  assert.ok(plain.mermaid.includes(`g0["${sites} sites<br>${n(sites * 4)} clusters`), plain.mermaid);
  assert.match(plain.summary!, /Sites are grouped by their worst finding, with counts\./);
});

test("a large design's sites with findings are drawn alone; hostile names stay inside quoted labels", () => {
  const { text } = generateRings(90);
  // the same pods range on two clusters of different rings: an error at each
  const broken = text.replace("pods: 10.0.12.0/24", "pods: 10.0.9.0/24");
  assert.notEqual(broken, text);
  const d = diagramsOf(broken).bounded;
  const alone = d.nodes.filter((n) => n.kind === "site");
  assert.deepEqual(
    alone.map((n) => n.name),
    ["r0-c", "r1-a"],
  );
  for (const n of alone) assert.ok(d.mermaid.includes(`  class ${n.id} error`), d.mermaid);
  assert.ok(d.nodes.some((n) => n.kind === "group" && /other sites$|other sites ·/.test(n.label ?? "")));

  const hostile = backends(MERMAID_MAX_EDGES).replace(/\bfra\b/g, '"\\"]);alert(1)//<img src=x onerror=alert(1)>"');
  const h = diagramsOf(hostile).bounded;
  assert.ok(h.summary);
  for (const line of h.mermaid.split("\n")) {
    assert.doesNotMatch(line, /^\s*(click|%%|style)/, line);
    assert.doesNotMatch(line.replace(/"[^"]*"/g, '""'), /alert|onerror|<img/, `user text outside a quoted label: ${line}`);
  }
});

test("quorate/diagram summarises for the preview and gives the full text to Export Diagram (full: true)", () => {
  const s = new QuorateService();
  const uri = "file:///w/big.topology.yaml";
  s.update(uri, backends(MERMAID_MAX_EDGES));
  const preview = answer(s, "quorate/diagram", { uri }) as DiagramResult;
  assert.ok(preview.summary && preview.mermaid.length < 2000);
  const full = answer(s, "quorate/diagram", { uri, full: true }) as DiagramResult;
  assert.equal(full.summary, undefined);
  assert.equal(full.layouts, undefined);
  assert.equal(edgesIn(full.mermaid), MERMAID_MAX_EDGES + 1);
  assert.throws(() => answer(s, "quorate/diagram", { uri, full: "yes" }), /params.full must be true or false/);
});
