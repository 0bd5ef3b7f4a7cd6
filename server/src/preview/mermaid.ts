import type { Range } from "vscode-languageserver-types";
import type { Finding } from "../model/finding";
import type { FileAnalysis } from "../analysis";
import type { Span } from "../model/text";
import type { DiagramNode, DiagramResult, DriftMarker } from "../protocol";
import { total } from "../math/quorum";
import type { TopologyContext } from "../derive/context";
import { istioMeshes } from "../derive/meshes";
import { type EntityFigures, ninesLabel, reportOf, takenAtOneLabel } from "../availability/figures";
import { count, ms, rps } from "../util/format";
import { every, finish, type Steps } from "../util/steps";
import { controlsVisible } from "../util/terminal";
import { type BackendResult, reachability, type Result, slowFactor, type TrafficResult } from "../whatif/engine";
import { CUT, SEVERITY_CLASSES, SIM_CLASSES, type SimState, SLOW, STOPPED_EDGE, severityEdge, simRank, siteTitle, worstOf } from "./styles";
import { MAX_DRAWN_SITES, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, summaryOf } from "./summary";

/**
 * Mermaid label text, always written inside double quotes. Only what could end the quotes or
 * be read as markup or a directive becomes an entity code (`"`, `#`, `%`, `<`, `>`, `&`,
 * backticks, line breaks and other control characters), so a hostile name (`"]);alert(1)//`, `<img onerror>`) is only
 * ever text, and ordinary labels (`fra-prod · clustermesh (2)`) read as text in the source.
 */
export function label(s: string): string {
  // control and bidirectional characters first become visible text (a reader sees `\u202e`, not reversed text)
  return controlsVisible(s).replace(/["#%<>&`\\\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `#${c.codePointAt(0)};`);
}

export { siteTitle };

/** A drawn node: its Mermaid shape around the label, and its class (a finding's severity or a scenario's state). */
interface Shape {
  readonly id: string;
  readonly open: string;
  readonly close: string;
  readonly text: string;
  readonly cls?: string;
  /** detail nodes (quorum members, stores): short text for the folded node, and the class's rank */
  readonly short?: string;
}
/** A site's box: clusters (and their drift markers) always drawn, details folded in the folded layouts. */
export interface SiteBox {
  readonly id: string;
  readonly title: string;
  readonly cls?: string;
  readonly always: Shape[];
  readonly details: Shape[];
  /** a box holding nothing is a plain node: these lines, each escaped on its own (a summary's counts), instead of the title */
  readonly lines?: readonly string[];
}
export interface Edge {
  readonly from: string;
  readonly to: string;
  /** `<-->`, `-->`, `-.->`, `==>` */
  readonly arrow: string;
  readonly text?: string;
  /** linkStyle, without the index */
  readonly style?: string;
  /** drawn in the detailed layouts only (a folded layout is a summary: more edges there shrink it below a legible size) */
  readonly detailed?: boolean;
}
/** what is drawn after the sites, in order: traffic entries, exports and their edges */
export type Item = { readonly node: Shape } | { readonly edge: Edge };

export interface DiagramOptions {
  /** also draw the preview's other layouts (`DiagramResult.layouts`) */
  readonly layouts?: boolean;
  /** the preview's drawing: past what Mermaid draws (summary.ts), a summary with a note (`DiagramResult.summary`) */
  readonly bounded?: boolean;
}

/** What every step of drawing one design shares: the design, the scenario, the node list being built and its ids. */
export interface Drawing {
  readonly ctx: TopologyContext;
  readonly t: TopologyContext["topology"];
  readonly sim: ReturnType<typeof overlay> | undefined;
  /** the sites the scenario names: lost, an end of a cut or slowed link, members lost there */
  readonly named: ReadonlySet<string>;
  /** each entity's nines (` · 3 nines`) when the design declares availabilities and no scenario is shown */
  readonly nines: ReadonlyMap<object, string>;
  /** the clickable nodes, with their source ranges and severities */
  readonly nodes: DiagramNode[];
  readonly toRange: (s: Span) => Range;
  /** the worst error or warning whose finding starts in the span */
  readonly worstIn: (s: Span) => "error" | "warning" | undefined;
  readonly siteId: ReadonlyMap<string, string>;
  readonly clusterId: ReadonlyMap<string, string>;
  readonly firstSite: ReadonlyMap<string, number>;
}

/** Records a clickable node; returns the worst finding in `severitySpan`. */
function addNode(d: Drawing, id: string, kind: DiagramNode["kind"], span: Span, severitySpan: Span = span, more?: Partial<DiagramNode>) {
  const severity = d.worstIn(severitySpan);
  d.nodes.push({ id, kind, range: d.toRange(span), severity, ...more });
  return severity;
}

/** the node's class: the scenario's state when simulating, else the worst finding in it */
const classOf = (d: Drawing, sev: "error" | "warning" | undefined, state: SimState | undefined) => (d.sim ? state : sev);

/** The model → Mermaid flowchart text plus the node ids' source ranges (ids are generated, never user text). */
/** `findings`: the file's finalized findings (after overrides), which colour the entities they fall in. */
/** `whatif`: a scenario's result; the diagram then shows it (lost, stopped, degraded, cut and slowed links) instead of the findings. */
/** `drift`: clusters whose deployment files drift from the design get a marker node that reveals the file. */
export function diagramFor(
  a: FileAnalysis,
  findings: readonly Pick<Finding, "span" | "severity">[] = [],
  whatif?: Result,
  drift: ReadonlyMap<string, DriftMarker> = new Map(),
  options: DiagramOptions = {},
): DiagramResult {
  return finish(diagramSteps(a, findings, whatif, drift, options));
}

/**
 * diagramFor, step-wise: it yields between its stages and every ITEMS_PER_STEP entities of a
 * long list (a 5 MB design's tens of thousands of clusters and backends), so a Simulate click
 * that draws its scenario lets a keystroke typed meanwhile in (service/whatif.ts).
 */
export function* diagramSteps(
  a: FileAnalysis,
  findings: readonly Pick<Finding, "span" | "severity">[] = [],
  whatif?: Result,
  drift: ReadonlyMap<string, DriftMarker> = new Map(),
  options: DiagramOptions = {},
): Steps<DiagramResult> {
  const L = a.parsed.lines;
  const ctx = a.contexts[0];
  if (!ctx) {
    const broken = a.parsed.docs.find((doc) => doc.broken);
    const err = broken?.yamlFindings.find((f) => f.code === "yaml/syntax");
    const at = err ? L.positionAt(err.span.start) : undefined;
    return { mermaid: "", nodes: [], error: err ? `Line ${at!.line + 1}: ${err.message}` : "This document is not a topology." };
  }
  const d = yield* drawingOf(a, ctx, findings, whatif);
  yield;
  const held = yield* holdings(d);
  yield;
  const classDefs: string[] = [];
  if (drift.size) classDefs.push("  classDef drift fill:#f9a82522,stroke:#f9a825,stroke-width:2px,stroke-dasharray:4 3");
  if (d.sim) classDefs.push(...SIM_CLASSES);
  else {
    classDefs.push(...SEVERITY_CLASSES);
  }
  const tooMany = options.bounded ? surelyTooLarge(d) : undefined;
  if (tooMany) return yield* summarised(d, held, drift, tooMany, classDefs);
  const boxes = siteBoxes(d, held, drift);
  yield;
  const links = linkEdges(d);
  const rest: Item[] = [...trafficItems(d), ...exportItems(d), ...meshEdges(d)];
  yield;
  const draw = (direction: "LR" | "TB", folded: boolean) => emit({ direction, folded, boxes, links, rest, classDefs, sim: !!d.sim });
  const lr = draw("LR", false);
  const mermaid = lr.text;
  if (options.layouts) d.nodes.push(...detailsNodes(d.nodes, boxes));
  const layouts: (DrawnLayout & { direction: "LR" | "TB"; folded: boolean })[] = [{ direction: "LR", folded: false, ...lr }];
  if (options.layouts)
    for (const [direction, folded] of [
      ["TB", false],
      ["LR", true],
      ["TB", true],
    ] as const) {
      yield;
      layouts.push({ direction, folded, ...draw(direction, folded) });
    }
  // the preview shows the full drawing only when Mermaid draws every layout of it
  const over = options.bounded ? layouts.find((l) => l.text.length > MERMAID_MAX_TEXT || l.edges > MERMAID_MAX_EDGES) : undefined;
  if (over) {
    d.nodes.length = 0;
    const why =
      over.edges > MERMAID_MAX_EDGES
        ? `the full diagram has ${count(over.edges)} edges`
        : `the full diagram is ${count(over.text.length)} characters`;
    return yield* summarised(d, held, drift, why, classDefs);
  }
  return {
    mermaid,
    nodes: d.nodes,
    title: d.t.name?.value,
    ...(options.layouts ? { layouts: layouts.map((l) => ({ direction: l.direction, folded: l.folded, mermaid: l.text })) } : {}),
  };
}

/**
 * Why the full drawing cannot fit, when that is certain before drawing it (a 5 MB design's would
 * be 14 MB of text): 5,000 nodes that every layout draws (sites, clusters, traffic, exports; each
 * line at least 11 characters) are over 50,000 characters, and 500 edges no layout merges (links,
 * backends, exports) are over Mermaid's edge limit.
 */
function surelyTooLarge(d: Drawing): string | undefined {
  const { t } = d;
  const nodes = d.siteId.size + d.clusterId.size + t.traffic.length + t.exports.length;
  if (nodes >= 5_000) return `the full diagram has ${count(nodes)} nodes`;
  let edges = t.links.length;
  for (const tr of t.traffic) edges += tr.backends.length;
  for (const e of t.exports) edges += e.clusters?.items.length ?? 0;
  return edges > MERMAID_MAX_EDGES ? `the full diagram has ${count(edges)} edges` : undefined;
}

/** The summary (summary.ts) in both directions, with its note; drawing it with fewer sites alone until Mermaid can. */
function* summarised(
  d: Drawing,
  held: Holdings,
  drift: ReadonlyMap<string, DriftMarker>,
  why: string,
  classDefs: readonly string[],
): Steps<DiagramResult> {
  for (let alone = MAX_DRAWN_SITES; ; alone = Math.floor(alone / 2)) {
    d.nodes.length = 0;
    const s = yield* summaryOf(d, held, drift, why, alone);
    yield;
    const draw = (direction: "LR" | "TB") => emit({ direction, folded: false, ...s, classDefs, sim: !!d.sim });
    const layouts = [
      { direction: "LR" as const, folded: false, ...draw("LR") },
      { direction: "TB" as const, folded: false, ...draw("TB") },
    ];
    if (alone > 0 && layouts.some((l) => l.text.length > MERMAID_MAX_TEXT || l.edges > MERMAID_MAX_EDGES)) continue;
    return {
      mermaid: layouts[0].text,
      nodes: d.nodes,
      title: d.t.name?.value,
      layouts: layouts.map((l) => ({ direction: l.direction, folded: l.folded, mermaid: l.text })),
      summary: s.note,
    };
  }
}

/** The relay's figure beside an entry's nines, as the text gives it: " (2.82 nines without …)", " (4.82 nines with CockroachDB 24.1's …)", or "". */
function relayLabel(f: EntityFigures): string {
  // a figure that holds only with CockroachDB's follower relay says so, with the figure without it
  // the figures' condition (components taken at 1) is the entity's, said once after its own figure
  const w = f.withoutRelay && ninesLabel(f.withoutRelay.figures, { condition: false });
  // a store before CockroachDB 24.1 (its engine says so) gives the figure with the relay, as the text does (w59's
  // weak point): the label is the figure the text leads with, and the upgrade's figure is the one a reader weighs
  // beside it — the same size as the "without" figure above, never both (a declared version is one or the other)
  const r = f.withRelay && ninesLabel(f.withRelay.figures, { condition: false });
  return w ? ` (${w} without CockroachDB's follower relay)` : r ? ` (${r} with CockroachDB 24.1's follower relay)` : "";
}

/** The shared state of one drawing: ids of sites and clusters (the first of a name wins), findings by span, the nines. */
function* drawingOf(
  a: FileAnalysis,
  ctx: TopologyContext,
  findings: readonly Pick<Finding, "span" | "severity">[],
  whatif?: Result,
): Steps<Drawing> {
  const L = a.parsed.lines;
  const t = ctx.topology;
  // where errors and warnings start, sorted: whether one starts in a span is two binary searches
  // (a scan of every finding per entity is quadratic on a large design with many findings)
  const starts = (severity: string) =>
    findings
      .filter((f) => f.severity === severity)
      .map((f) => f.span.start)
      .sort((x, y) => x - y);
  const errors = starts("error");
  const warnings = starts("warning");
  const anyIn = (sorted: readonly number[], s: Span) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < s.start) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo] <= s.end;
  };
  const worstIn = (s: Span): "error" | "warning" | undefined => (anyIn(errors, s) ? "error" : anyIn(warnings, s) ? "warning" : undefined);
  const due = every();
  function* firstOf<T extends { name?: { value: string } }>(items: readonly T[], prefix: string): Steps<Map<string, string>> {
    const m = new Map<string, string>();
    for (const [i, x] of items.entries()) {
      if (due()) yield;
      if (x.name && !m.has(x.name.value)) m.set(x.name.value, `${prefix}${i}`);
    }
    return m;
  }
  const firstSite = new Map<string, number>();
  for (const [i, s] of t.sites.entries()) {
    if (due()) yield;
    if (s.name && !firstSite.has(s.name.value)) firstSite.set(s.name.value, i);
  }
  const siteId = yield* firstOf(t.sites, "s");
  const clusterId = yield* firstOf(t.clusters, "c");
  yield;
  const sim = whatif ? overlay(ctx, whatif) : undefined;
  yield;
  // each entity's nines when the design declares availabilities (not while a scenario is shown:
  // the labels then carry the scenario's state)
  const nines = new Map<object, string>();
  if (!sim)
    for (const f of reportOf(ctx).figures) {
      const n = ninesLabel(f, { condition: false });
      // an etcd's figure is its cluster's API from the cluster's site, not the quorum's (beside a store's quorum figure it must not read as one);
      // resting on components with no availability declared, it says so last (review M132, M134: " if ams never fails")
      if (n) nines.set(f.owner, ` · ${f.api ? "API " : ""}${n}${relayLabel(f)}${takenAtOneLabel(f)}`);
    }
  const sc = whatif?.scenario;
  const named = new Set<string>([
    ...(sc?.lose ?? []),
    ...(sc?.cut ?? []).flat(),
    ...(sc?.slow ?? []).flatMap((l) => l.between),
    ...Object.keys(sc?.loseMembers ?? {}),
  ]);
  return {
    ctx,
    t,
    sim,
    named,
    nines,
    nodes: [],
    toRange: (s: Span): Range => ({ start: L.positionAt(s.start), end: L.positionAt(s.end) }),
    worstIn,
    siteId,
    clusterId,
    firstSite,
  };
}

/** What each site holds, gathered once in declaration order (a scan per site is quadratic: a 5 MB design has thousands of sites and tens of thousands of clusters). */
export interface Holdings {
  readonly clustersAt: ReadonlyMap<string, readonly number[]>;
  readonly quorumsAt: ReadonlyMap<string, readonly number[]>;
  readonly storesAt: ReadonlyMap<string, readonly number[]>;
}
function* holdings(d: Drawing): Steps<Holdings> {
  const { t, ctx } = d;
  const due = every();
  const bySite = <T>(map: Map<string, T[]>, site: string, x: T) => {
    const list = map.get(site);
    if (list) list.push(x);
    else map.set(site, [x]);
  };
  const clustersAt = new Map<string, number[]>();
  for (const [ci, c] of t.clusters.entries()) {
    if (due()) yield;
    if (c.site && c.name && d.clusterId.get(c.name.value) === `c${ci}`) bySite(clustersAt, c.site.value, ci);
  }
  const quorumsAt = new Map<string, number[]>();
  for (const [qi, q] of ctx.quorums.entries()) {
    if (due()) yield;
    if (!q.resolved) continue;
    for (const [site, count] of q.counts) if (count) bySite(quorumsAt, site, qi);
  }
  const storesAt = new Map<string, number[]>();
  for (const [di, st] of t.stores.entries()) {
    if (due()) yield;
    if (st.replication?.value === "consensus" || st.replication?.value === "galera") continue;
    const seen = new Set<string>();
    for (const w of [...(st.writers?.items ?? []), ...(st.replicas?.items ?? [])])
      if (!seen.has(w.value)) {
        seen.add(w.value);
        bySite(storesAt, w.value, di);
      }
  }
  return { clustersAt, quorumsAt, storesAt };
}

/** One box per site (the first of a name): its clusters and drift markers always drawn, its quorum members and stores as details. */
function siteBoxes(d: Drawing, held: Holdings, drift: ReadonlyMap<string, DriftMarker>): SiteBox[] {
  const { t } = d;
  // an etcd is named by its cluster in a folded site ("etcd fra-prod") only when there are several
  const etcds = d.ctx.quorums.filter((q) => q.kind === "etcd").length;
  const boxes: SiteBox[] = [];
  for (const [si, s] of t.sites.entries()) {
    if (!s.name || d.siteId.get(s.name.value) !== `s${si}`) continue;
    const id = `s${si}`;
    const site = s.name.value;
    const always = (held.clustersAt.get(site) ?? []).flatMap((ci) => clusterShapes(d, ci, site, drift));
    const details = [
      ...(held.quorumsAt.get(site) ?? []).map((qi) => quorumShape(d, qi, si, site, etcds)),
      ...(held.storesAt.get(site) ?? []).flatMap((di) => storeShape(d, di, si, site)),
    ];
    const title = siteTitle(site, s.role);
    const sev = addNode(d, id, "site", s.span, s.name.span, { name: site, title });
    boxes.push({ id, title, cls: classOf(d, sev, d.sim?.site(site)), always, details });
  }
  return boxes;
}

/** A cluster, and beside it (no edge: edges are numbered for linkStyle) its drift marker, which opens the deployment file. */
function clusterShapes(d: Drawing, ci: number, site: string, drift: ReadonlyMap<string, DriftMarker>): Shape[] {
  const c = d.t.clusters[ci];
  if (!c.name) return [];
  const mesh = c.mesh !== "none" ? ` · ${c.mesh}${c.id ? ` id ${c.id.value}` : ""}` : "";
  // Istio network groupings and roles ride in the label: one network = routable pod IPs
  const istio = c.istio ? ` · istio ${c.istio.role?.value ?? "primary"}${c.istio.network ? ` on ${c.istio.network.value}` : ""}` : "";
  const sev = addNode(d, `c${ci}`, "cluster", c.span);
  const shapes: Shape[] = [
    {
      id: `c${ci}`,
      open: "[",
      close: "]",
      text: `${c.name.value}${mesh}${istio}`,
      cls: classOf(d, sev, d.sim?.cluster(c.name.value, site)),
    },
  ];
  const dm = drift.get(c.name.value);
  if (dm) {
    d.nodes.push({ id: `x${ci}`, kind: "drift", range: dm.range, uri: dm.uri });
    shapes.push({ id: `x${ci}`, open: ">", close: "]", text: `drift · ${dm.count} in ${dm.file}`, cls: "drift" });
  }
  return shapes;
}

/** A quorum's members at one site: "etcd of cluster fra-prod: 2 of 4", short "etcd: 2 of 4" when folded. */
function quorumShape(d: Drawing, qi: number, si: number, site: string, etcds: number): Shape {
  const q = d.ctx.quorums[qi];
  const count = q.counts.get(site)!;
  const qid = `q${qi}_${si}`;
  const n = total(q.counts);
  const text = `${q.label}: ${count} of ${n}${d.nines.get(q.owner) ?? ""}`;
  const sev = addNode(
    d,
    qid,
    q.kind === "etcd" ? "quorum" : "store",
    q.members.keySpan,
    { start: q.members.keySpan.start, end: q.members.span.end },
    { label: text },
  );
  const owner = q.owner.name?.value ?? "";
  const short = q.kind === "etcd" ? (etcds > 1 ? `etcd ${owner}` : "etcd") : owner;
  return {
    id: qid,
    open: "[(",
    close: ")]",
    text,
    short: `${short}: ${count} of ${n}`,
    cls: classOf(d, sev, d.sim?.quorum(q.label, site)),
  };
}

/** An async or CRDT store at one site, as its writer or a replica. */
function storeShape(d: Drawing, di: number, si: number, site: string): Shape[] {
  const st = d.t.stores[di];
  const writes = st.writers?.items.some((w) => w.value === site);
  const reads = st.replicas?.items.some((w) => w.value === site);
  if (!writes && !reads) return [];
  const sid = `d${di}_${si}`;
  const name = st.name?.value ?? "store";
  const role = `${name} ${writes ? "writer" : "replica"}`;
  // the store's nines are its writes' availability: on its writer, never on a replica (whose reads
  // outlive the writer); with several writers, once, on the first one's node as the store's label
  // ("carts · 2 writers · 6 nines": either writer up), each other writer plain (alone it is only its site's)
  const several = writes ? severalWriters(st) : undefined;
  const first = several && Math.min(...several.map((w) => d.firstSite.get(w) ?? Number.POSITIVE_INFINITY)) === si;
  let text = role;
  if (first) text = `${name} · ${several.length} writers${d.nines.get(st) ?? ""}`;
  else if (writes && !several) text = `${role}${d.nines.get(st) ?? ""}`;
  const sev = addNode(d, sid, "store", st.span, st.span, { label: text });
  return [{ id: sid, open: "[(", close: ")]", text, short: role, cls: classOf(d, sev, d.sim?.store(st.name?.value, site, !!writes)) }];
}

/** The distinct sites a store's writers are at, when there are two or more (an async store with a writer per site, a CRDT). */
function severalWriters(st: TopologyContext["topology"]["stores"][number]): string[] | undefined {
  const sites = [...new Set((st.writers?.items ?? []).map((w) => w.value))];
  return sites.length > 1 ? sites : undefined;
}

/** The WAN links between sites, with their RTT (and p99), cut or slowed under a scenario. */
function linkEdges(d: Drawing): Edge[] {
  const links: Edge[] = [];
  for (const l of d.t.links) {
    const [a, b] = l.between?.items ?? [];
    const ia = a && d.siteId.get(a.value);
    const ib = b && d.siteId.get(b.value);
    if (!ia || !ib) continue;
    const factor = d.sim?.factor(a.value, b.value);
    const rtt = l.rttMs ? ms(l.rttMs.value) : "?";
    const sev = d.worstIn(l.span);
    d.nodes.push({ id: `link${links.length}`, kind: "link", range: d.toRange(l.span), severity: sev });
    const style = d.sim ? (d.sim.cut(a.value, b.value) ? CUT : factor !== undefined ? SLOW : undefined) : sev && severityEdge(sev);
    const text = factor !== undefined ? `${rtt} → ×${factor}` : `${rtt}${l.rttP99Ms ? ` · p99 ${l.rttP99Ms.value}` : ""}`;
    links.push({ from: ia, to: ib, arrow: "<-->", text, style });
  }
  return links;
}

/** Each traffic entry, its weighted edges to its backends (loads under a scenario) and to the stores it depends on. */
function trafficItems(d: Drawing): Item[] {
  const { t, ctx, sim } = d;
  const rest: Item[] = [];
  for (const [ti, tr] of t.traffic.entries()) {
    const id = `t${ti}`;
    const errorRps = sim?.errorRps(tr.name?.value);
    const text = `${tr.name?.value ?? "traffic"} · ${tr.steering?.value ?? "?"}${tr.peakRps ? ` · ${rps(tr.peakRps.value)}` : ""}${errorRps ? ` · ${rps(errorRps)} of errors` : ""}${d.nines.get(tr) ?? ""}`;
    const sev = addNode(d, id, "traffic", tr.span);
    rest.push({ node: { id, open: "([", close: "])", text, cls: classOf(d, sev, sim?.traffic(tr.name?.value)) } });
    for (const b of tr.backends) {
      const target = b.cluster && d.clusterId.get(b.cluster.value);
      if (target) rest.push({ edge: backendEdge(d, id, target, tr.name?.value, b) });
    }
    for (const dep of tr.dependsOn?.items ?? []) {
      const st = t.storeByName.get(dep.value);
      if (!st) continue;
      const q = ctx.quorums.indexOf(ctx.quorumOf(st)!);
      // every site it depends on: a quorum's member sites (each vote counts), an async or CRDT store's writer sites;
      // one arrow to each copy drawn there, the first (in site order) labelled — an arrow to one site's copy only read
      // as "writes go to that site". Folded, only the first: three arrows into a panel-wide summary shrink its labels
      // below 11 px at 620 px (the reviewed example), and a folded site's node is opened to see its copies anyway
      const names = q >= 0 ? [...ctx.quorums[q].counts.keys()] : (st.writers?.items ?? []).map((w) => w.value);
      const sites = [...new Set(names.map((n) => d.firstSite.get(n)).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
      for (const [k, siteIdx] of sites.entries()) {
        const to = q >= 0 ? `q${q}_${siteIdx}` : `d${st.index}_${siteIdx}`;
        rest.push({ edge: { from: id, to, arrow: "-.->", text: k ? undefined : "depends on", detailed: k > 0 } });
      }
    }
  }
  return rest;
}

/** A traffic entry's edge to one backend: weight and capacity; the load, errors or withdrawal under a scenario. */
function backendEdge(
  d: Drawing,
  from: string,
  to: string,
  traffic: string | undefined,
  b: TopologyContext["topology"]["traffic"][number]["backends"][number],
): Edge {
  const { sim } = d;
  const state = sim?.backend(traffic, b.cluster!.value);
  const load =
    state && state.loadRps !== null
      ? ` · ${rps(state.loadRps)}${state.errors ? " · errors" : state.overloaded ? " · overloaded" : ""}`
      : state && sim?.withdrawn(state.site)
        ? " · withdrawn"
        : "";
  const s2 = d.worstIn(b.span);
  const style = sim
    ? state && state.loadRps === null
      ? CUT
      : state?.errors || state?.overloaded
        ? STOPPED_EDGE
        : undefined
    : s2 && severityEdge(s2);
  return {
    from,
    to,
    arrow: "-->",
    text: `w ${b.weight?.value ?? 1}${b.capacityRps ? ` · cap ${count(b.capacityRps.value)}` : ""}${load}`,
    style,
  };
}

/** Each exported service, with an edge from every cluster that exports it. */
function exportItems(d: Drawing): Item[] {
  const rest: Item[] = [];
  for (const [ei, e] of d.t.exports.entries()) {
    const id = `e${ei}`;
    const sev = addNode(d, id, "export", e.span);
    rest.push({
      node: {
        id,
        open: "{{",
        close: "}}",
        text: `export ${e.namespace?.value ?? "?"}/${e.service?.value ?? "?"}`,
        cls: classOf(d, sev, d.sim?.exported(e.service?.value, e.namespace?.value)),
      },
    });
    for (const c of e.clusters?.items ?? []) {
      const target = d.clusterId.get(c.value);
      if (target) rest.push({ edge: { from: target, to: id, arrow: "-.->" } });
    }
  }
  return rest;
}

/** Istio control-plane edges (network groupings ride in the labels); Linkerd links by mode. */
function meshEdges(d: Drawing): Item[] {
  const { t, sim } = d;
  const rest: Item[] = [];
  for (const members of istioMeshes(d.ctx).values()) {
    for (const c of members) {
      const primary = c.istio?.primary && d.clusterId.get(c.istio.primary.value);
      const me = c.name && d.clusterId.get(c.name.value);
      if (c.istio?.role?.value === "remote" && primary && me)
        rest.push({ edge: { from: primary, to: me, arrow: "==>", text: `istiod${c.istio.network ? ` · ${c.istio.network.value}` : ""}` } });
    }
  }
  for (const c of t.clusters) {
    const me = c.name && d.clusterId.get(c.name.value);
    for (const l of c.linkerd?.links ?? []) {
      const target = l.cluster && d.clusterId.get(l.cluster.value);
      if (!me || !target) continue;
      const sev = d.worstIn(l.span);
      const style = sim
        ? sim.cut(c.site?.value, t.clusterByName.get(l.cluster!.value)?.site?.value)
          ? CUT
          : undefined
        : sev && severityEdge(sev);
      rest.push({ edge: { from: target, to: me, arrow: "-->", text: `linkerd ${l.mode}`, style } });
    }
  }
  return rest;
}

/** The folded layouts' details nodes: one per site that holds details, standing for them (m<N> for site s<N>). */
function detailsNodes(nodes: readonly DiagramNode[], boxes: readonly SiteBox[]): DiagramNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return boxes
    .filter((box) => box.details.length)
    .map((box) => ({
      id: `m${box.id.slice(1)}`,
      kind: "details" as const,
      range: byId.get(box.id)!.range,
      severity: worstOf(box.details.map((d) => byId.get(d.id)?.severity)),
      details: box.details.map((d) => d.id),
    }));
}

/** One layout's Mermaid text and how many edges it draws. */
interface DrawnLayout {
  readonly text: string;
  readonly edges: number;
}

/**
 * One layout's Mermaid text. Sites side by side (LR: each box's nodes top to bottom) or stacked
 * (TB: each box's nodes side by side). Folded: a site's quorum members and stores become one
 * node (`m<n>`) listing them in short, with the worst class among them; edges to them go to it.
 */
function emit(d: {
  direction: "LR" | "TB";
  folded: boolean;
  boxes: readonly SiteBox[];
  links: readonly Edge[];
  rest: readonly Item[];
  classDefs: readonly string[];
  sim: boolean;
}): DrawnLayout {
  const lines = [`flowchart ${d.direction}`];
  const classes: [string, string][] = [];
  const node = (s: Shape, indent: string) => {
    lines.push(`${indent}${s.id}${s.open}"${label(s.text)}"${s.close}`);
    if (s.cls) classes.push([s.id, s.cls]);
  };
  const foldedInto = new Map<string, string>();
  for (const box of d.boxes) {
    if (!box.always.length && !box.details.length) {
      // an empty subgraph with an edge breaks the ELK layout (nothing is drawn): a bare site is a plain node
      if (box.lines) {
        lines.push(`  ${box.id}["${box.lines.map(label).join("<br>")}"]`);
        if (box.cls) classes.push([box.id, box.cls]);
      } else node({ id: box.id, open: "[", close: "]", text: box.title, cls: box.cls }, "  ");
      continue;
    }
    lines.push(`  subgraph ${box.id}["${label(box.title)}"]`);
    lines.push(`    direction ${d.direction === "LR" ? "TB" : "LR"}`);
    for (const s of box.always) node(s, "    ");
    if (d.folded && box.details.length) {
      const id = `m${box.id.slice(1)}`;
      for (const s of box.details) foldedInto.set(s.id, id);
      // one line per detail; each line is escaped on its own, the breaks between them are Mermaid's
      lines.push(`    ${id}["${box.details.map((s) => label(s.short ?? s.text)).join("<br>")}"]`);
      const worst = d.sim
        ? box.details.reduce<string | undefined>((w, s) => (simRank(s.cls as SimState) > simRank(w as SimState) ? s.cls : w), undefined)
        : worstOf(box.details.map((s) => s.cls as "error" | "warning" | undefined));
      if (worst) classes.push([id, worst]);
    } else for (const s of box.details) node(s, "    ");
    lines.push("  end");
    if (box.cls) classes.push([box.id, box.cls]);
  }
  const styles: string[] = [];
  const drawn = new Set<string>();
  let n = 0;
  const edge = (e: Edge) => {
    if (d.folded && e.detailed) return;
    const to = foldedInto.get(e.to) ?? e.to;
    const line = `  ${e.from} ${e.arrow}${e.text !== undefined ? `|"${label(e.text)}"|` : ""} ${to}`;
    // two edges folded onto one node (a traffic entry depending on two stores of one site) draw once, the first's label kept
    const key = `${e.from} ${e.arrow} ${to}`;
    if (d.folded && drawn.has(key)) return;
    drawn.add(key);
    lines.push(line);
    if (e.style) styles.push(`  linkStyle ${n} ${e.style}`);
    n++;
  };
  for (const l of d.links) edge(l);
  for (const item of d.rest) {
    if ("node" in item) node(item.node, "  ");
    else edge(item.edge);
  }
  lines.push(...d.classDefs);
  for (const [id, c] of classes) lines.push(`  class ${id} ${c}`);
  lines.push(...styles);
  return { text: `${lines.join("\n")}\n`, edges: n };
}

/** Each of `xs` by its key, the first of a key kept (as a search would find it). */
function byName<T>(xs: readonly T[], key: (x: T) => string | undefined): Map<string | undefined, T> {
  const m = new Map<string | undefined, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return m;
}

/** What a scenario's result means for each drawn entity. */
function overlay(ctx: TopologyContext, r: Result) {
  const lost = new Set(r.scenario.lose);
  const R = reachability(ctx, r.scenario);
  const withdrawn = new Set(r.scenario.withdraw ?? []);
  const degradedQuorum = new Set(["flapping", "over-budget", "flow-control"]);
  // each result by name (the first of a name, as a search would find it): a large design asks for thousands
  const quorums = byName(r.quorums, (x) => x.name);
  const stores = byName(r.stores, (x) => x.name);
  const traffic = byName(r.traffic, (x) => x.name);
  // and each entry's backends by cluster, built on first ask: a design's one entry may have thousands of backends
  const backends = new Map<TrafficResult, Map<string | undefined, BackendResult>>();
  const backendsOf = (t: TrafficResult) => {
    const known = backends.get(t);
    if (known) return known;
    const m = byName(t.backends, (b) => b.cluster);
    backends.set(t, m);
    return m;
  };
  // exports by namespace and service (a result's names are strings: an entity without one matches none)
  const exportKey = (namespace: string, service: string) => JSON.stringify([namespace, service]);
  const exports = byName(r.exports, (e) => exportKey(e.namespace, e.service));
  const meshed = new Set(r.meshes.map((m) => m.cluster));
  return {
    site: (site: string): SimState | undefined => (lost.has(site) ? "lost" : undefined),
    cluster(name: string, site: string): SimState | undefined {
      if (lost.has(site)) return "lost";
      return meshed.has(name) ? "degraded" : undefined;
    },
    quorum(labelText: string, site: string): SimState | undefined {
      if (lost.has(site)) return "lost";
      const q = quorums.get(labelText);
      if (!q) return undefined;
      const leaders = Object.keys(q.byLeader);
      // stopped: no quorum, or no leader this site's members can vote with; amber when it depends on where the leader is
      if (q.outcome === "stops" || !leaders.some((l) => !q.byLeader[l].includes(site))) return "stopped";
      if (leaders.some((l) => q.byLeader[l].includes(site))) return "degraded";
      return degradedQuorum.has(q.outcome) ? "degraded" : undefined;
    },
    store(name: string | undefined, site: string, writer: boolean): SimState | undefined {
      if (lost.has(site)) return "lost";
      const st = stores.get(name);
      if (st && (st.outcome === "writes-stop" || st.outcome === "corrupts")) return "stopped";
      if (st?.rpoUnbounded) return "degraded";
      // a replica with no writer it reaches serves stale reads
      if (!writer && r.notes.some((b) => b.startsWith(`store ${name}: the replica in ${site} `))) return "degraded";
      // diverges is the design working (a conflict policy or a CRDT converges on heal)
      return undefined;
    },
    traffic(name: string | undefined): SimState | undefined {
      const t = traffic.get(name);
      if (!t) return undefined;
      const remaining = t.backends.filter((b) => b.loadRps !== null);
      if (t.outcome === "unserved" || (remaining.length && remaining.every((b) => b.errors))) return "stopped";
      return t.outcome === "served" ? undefined : "degraded";
    },
    errorRps: (name: string | undefined): number => traffic.get(name)?.errorRps ?? 0,
    withdrawn: (site: string): boolean => withdrawn.has(site),
    backend(entry: string | undefined, cluster: string): BackendResult | undefined {
      const t = traffic.get(entry);
      return t && backendsOf(t).get(cluster);
    },
    exported(service: string | undefined, namespace: string | undefined): SimState | undefined {
      const e = service === undefined || namespace === undefined ? undefined : exports.get(exportKey(namespace, service));
      if (!e) return undefined;
      // ClusterMesh: some exporting cluster's calls still go to endpoints it cannot reach
      return e.servedBy.length === 0 ? "stopped" : e.stale.length ? "degraded" : undefined;
    },
    /** the link a–b carries nothing: an end is lost, or a partition or a cut separates them */
    cut: (a: string | undefined, b: string | undefined): boolean =>
      a !== undefined && b !== undefined && a !== b && (lost.has(a) || lost.has(b) || !R.reaches(a, b)),
    factor(a: string, b: string): number | undefined {
      const f = slowFactor(r.scenario, a, b);
      return f === 1 ? undefined : f;
    },
  };
}
