// The diagram of a design too large to draw entity by entity. Mermaid refuses a flowchart over
// 50,000 characters or 500 edges (its maxTextSize and maxEdges), and a layout of thousands of
// nodes says nothing anyway: past that, the preview draws each site as one node counting what it
// holds — or, with more sites than fit, the sites that matter (those a scenario names or affects,
// else those with findings) one by one and the others grouped by their state, with counts — and
// says so in a note. The full detail stays in Problems, the Simulate panel's lists, Export
// Diagram and `quorate diagram`.
import type { DiagramNode, DriftMarker } from "../protocol";
import { count, ms, rps } from "../util/format";
import { every, type Steps } from "../util/steps";
import type { Drawing, Edge, Holdings, Item, SiteBox } from "./mermaid";
import {
  CUT,
  rank,
  type Severity,
  type SimState,
  SLOW,
  STOPPED_EDGE,
  severityEdge,
  siteTitle,
  simRank,
  worstOf,
  worstState,
} from "./styles";

/** Mermaid's own limits (the preview keeps its defaults): past either it draws an error, not the design. */
export const MERMAID_MAX_TEXT = 50_000;
export const MERMAID_MAX_EDGES = 500;
/** Sites and traffic entries drawn one by one in a summary at most (the others are grouped). */
export const MAX_DRAWN_SITES = 24;
export const MAX_DRAWN_TRAFFIC = 8;

/** A summary to draw: site and group nodes, the links between them, traffic and exports, and the note that says what was summarised. */
export interface Summary {
  readonly boxes: SiteBox[];
  readonly links: Edge[];
  readonly rest: Item[];
  readonly note: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** One site's node: its title and what it holds, counted, and its class (the worst state or finding in it). */
interface SiteInfo {
  readonly index: number;
  readonly name: string;
  readonly title: string;
  readonly clusters: number;
  readonly quorums: readonly number[];
  readonly stores: readonly number[];
  readonly drift: number;
  readonly cls?: SimState | Severity;
  /** named by the scenario (lost, an end of a cut or slowed link, members lost) */
  readonly named: boolean;
}

/** The scenario's word for a group of sites in one state, and of traffic entries. */
const SITE_WORD: Record<string, string> = {
  lost: "lost",
  stopped: "with something stopped",
  degraded: "degraded",
  error: "with errors",
  warning: "with warnings",
};
const TRAFFIC_WORD: Record<string, string> = { stopped: "failing", degraded: "degraded", error: "with errors", warning: "with warnings" };

function* siteInfos(d: Drawing, held: Holdings, drift: ReadonlyMap<string, DriftMarker>): Steps<SiteInfo[]> {
  const { t, ctx, sim } = d;
  const infos: SiteInfo[] = [];
  // a step per ITEMS_PER_STEP sites and entities they hold (12 sites may hold tens of thousands of clusters)
  const due = every();
  for (const [si, s] of t.sites.entries()) {
    if (due()) yield;
    if (!s.name || d.siteId.get(s.name.value) !== `s${si}`) continue;
    const site = s.name.value;
    const cis = held.clustersAt.get(site) ?? [];
    const qis = held.quorumsAt.get(site) ?? [];
    const dis = held.storesAt.get(site) ?? [];
    let cls: SimState | Severity | undefined;
    if (sim) {
      const states: (SimState | undefined)[] = [sim.site(site)];
      for (const ci of cis) {
        if (due()) yield;
        states.push(sim.cluster(t.clusters[ci].name!.value, site));
      }
      for (const qi of qis) {
        if (due()) yield;
        states.push(sim.quorum(ctx.quorums[qi].label, site));
      }
      for (const di of dis) {
        if (due()) yield;
        states.push(sim.store(t.stores[di].name?.value, site, !!t.stores[di].writers?.items.some((w) => w.value === site)));
      }
      cls = worstState(states);
    } else {
      const sevs: (Severity | undefined)[] = [d.worstIn(s.span)];
      for (const ci of cis) {
        if (due()) yield;
        sevs.push(d.worstIn(t.clusters[ci].span));
      }
      for (const qi of qis) {
        if (due()) yield;
        const m = ctx.quorums[qi].members;
        sevs.push(d.worstIn({ start: m.keySpan.start, end: m.span.end }));
      }
      for (const di of dis) {
        if (due()) yield;
        sevs.push(d.worstIn(t.stores[di].span));
      }
      cls = worstOf(sevs);
    }
    let driftHere = 0;
    if (drift.size)
      for (const ci of cis) {
        if (due()) yield;
        if (drift.has(t.clusters[ci].name!.value)) driftHere++;
      }
    infos.push({
      index: si,
      name: site,
      title: siteTitle(site, s.role),
      clusters: cis.length,
      quorums: qis,
      stores: dis,
      drift: driftHere,
      cls,
      named: d.named.has(site),
    });
  }
  return infos;
}

/** What a node of one or more sites holds, one line each. */
function holdingLines(infos: readonly SiteInfo[]): string[] {
  const clusters = infos.reduce((n, x) => n + x.clusters, 0);
  const drift = infos.reduce((n, x) => n + x.drift, 0);
  const quorums = infos.length === 1 ? infos[0].quorums.length : new Set(infos.flatMap((x) => x.quorums)).size;
  const stores = infos.length === 1 ? infos[0].stores.length : new Set(infos.flatMap((x) => x.stores)).size;
  const lines = [`${plural(clusters, "cluster")}${drift ? ` · ${count(drift)} drifting` : ""}`];
  if (quorums) lines.push(`members of ${plural(quorums, "quorum")}`);
  if (stores) lines.push(`${plural(stores, "async or CRDT store")}`);
  return lines;
}

/**
 * The summary of a design, drawing at most `maxSites` sites one by one. `why`: what made the
 * full drawing too large (for the note).
 */
export function* summaryOf(
  d: Drawing,
  held: Holdings,
  drift: ReadonlyMap<string, DriftMarker>,
  why: string,
  maxSites = MAX_DRAWN_SITES,
): Steps<Summary> {
  const { t } = d;
  const infos = yield* siteInfos(d, held, drift);
  yield;
  const score = (x: SiteInfo) => (x.named ? 10 : 0) + (d.sim ? simRank(x.cls as SimState) : rank(x.cls));
  const one =
    infos.length <= maxSites
      ? infos
      : infos
          .filter((x) => score(x) > 0)
          .sort((a, b) => score(b) - score(a) || a.index - b.index)
          .slice(0, maxSites);
  const alone = new Set(one.map((x) => x.index));
  // the others, grouped by their state (the worst first)
  const groups = new Map<string, SiteInfo[]>();
  for (const x of infos) {
    if (alone.has(x.index)) continue;
    const key = x.cls ?? "";
    const g = groups.get(key);
    if (g) g.push(x);
    else groups.set(key, [x]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (d.sim ? simRank(b as SimState) - simRank(a as SimState) : rank(b) - rank(a)));
  const nodeOf = new Map<string, string>();
  const boxes: SiteBox[] = [];
  for (const x of one.sort((a, b) => a.index - b.index)) {
    const id = `s${x.index}`;
    nodeOf.set(x.name, id);
    const s = t.sites[x.index];
    d.nodes.push({ id, kind: "site", range: d.toRange(s.span), severity: d.worstIn(s.name!.span), name: x.name, title: x.title });
    boxes.push({ id, title: x.title, cls: x.cls, always: [], details: [], lines: [x.title, ...holdingLines([x])] });
  }
  ordered.forEach(([key, members], k) => {
    const id = `g${k}`;
    for (const x of members) nodeOf.set(x.name, id);
    const word = SITE_WORD[key] ?? (d.sim ? "unaffected" : "");
    const head = `${count(members.length)} ${one.length ? "other " : ""}site${members.length === 1 ? "" : "s"}${word ? ` ${word}` : ""}`;
    const lines = [head, ...holdingLines(members)];
    const first = t.sites[members[0].index];
    const severity = d.sim ? undefined : (key as Severity) || undefined;
    d.nodes.push({ id, kind: "group", range: d.toRange(first.span), severity, label: lines.join(" · ") });
    boxes.push({ id, title: head, cls: key || undefined, always: [], details: [], lines });
  });
  yield;
  const links = yield* linkSummary(d, nodeOf);
  yield;
  const rest = [...(yield* trafficSummary(d, nodeOf)), ...exportSummary(d)];
  const by = d.sim ? "what the scenario does to them" : "their worst finding";
  const drawn =
    one.length === infos.length
      ? "Each site is one node counting what it holds."
      : one.length
        ? `The ${plural(one.length, "site")} ${d.sim ? "this scenario names or affects" : "with findings"}${one.length === maxSites ? ` (the first ${maxSites})` : ""} ${one.length === 1 ? "is" : "are"} drawn one by one; the others are grouped by ${by}, with counts.`
        : `Sites are grouped by ${by}, with counts.`;
  const note =
    `${count(infos.length)} sites, ${plural(t.clusters.length, "cluster")}, ${plural(t.links.length, "link")} and ${plural(t.traffic.length, "traffic entry", "traffic entries")}: ` +
    `too many to draw one by one (${why}; Mermaid draws at most ${count(MERMAID_MAX_TEXT)} characters and ${count(MERMAID_MAX_EDGES)} edges). ${drawn} ` +
    `Every finding is in Problems${d.sim ? ", everything the scenario breaks is listed above" : ""}; Export Diagram (Mermaid) and quorate diagram write the full diagram.`;
  return { boxes, links, rest, note };
}

/** The links between drawn nodes: one link between two sites drawn alone is drawn as itself (a click cuts it); others are counted per pair of nodes. */
function* linkSummary(d: Drawing, nodeOf: ReadonlyMap<string, string>): Steps<Edge[]> {
  interface Pair {
    from: string;
    to: string;
    n: number;
    min: number;
    max: number;
    cut: number;
    slowed: number;
    sev?: Severity;
    text: string;
  }
  const pairs = new Map<string, Pair>();
  const due = every();
  for (const l of d.t.links) {
    if (due()) yield;
    const [a, b] = l.between?.items ?? [];
    const ia = a && nodeOf.get(a.value);
    const ib = b && nodeOf.get(b.value);
    if (!ia || !ib || ia === ib) continue;
    const key = ia < ib ? `${ia} ${ib}` : `${ib} ${ia}`;
    const rtt = l.rttMs?.value;
    const factor = d.sim?.factor(a.value, b.value);
    const cut = d.sim?.cut(a.value, b.value) ?? false;
    const p = pairs.get(key);
    const sev = d.sim ? undefined : d.worstIn(l.span);
    if (!p) {
      const text = `${rtt !== undefined ? ms(rtt) : "?"}${factor !== undefined ? ` → ×${factor}` : l.rttP99Ms ? ` · p99 ${l.rttP99Ms.value}` : ""}`;
      pairs.set(key, {
        from: ia,
        to: ib,
        n: 1,
        min: rtt ?? Infinity,
        max: rtt ?? -Infinity,
        cut: +cut,
        slowed: +(factor !== undefined),
        sev,
        text,
      });
    } else {
      p.n++;
      if (rtt !== undefined) {
        p.min = Math.min(p.min, rtt);
        p.max = Math.max(p.max, rtt);
      }
      p.cut += +cut;
      p.slowed += +(factor !== undefined);
      p.sev = worstOf([p.sev, sev]);
    }
  }
  return [...pairs.values()].map((p) => {
    const range = p.min > p.max ? "" : p.min === p.max ? ` · ${ms(p.min)}` : ` · ${+p.min.toFixed(3)}–${ms(p.max)}`;
    const text =
      p.n === 1
        ? p.text
        : `${plural(p.n, "link")}${range}${p.cut ? ` · ${count(p.cut)} cut` : ""}${p.slowed ? ` · ${count(p.slowed)} slowed` : ""}`;
    const style = d.sim ? (p.cut === p.n ? CUT : p.cut || p.slowed ? SLOW : undefined) : p.sev && severityEdge(p.sev);
    return { from: p.from, to: p.to, arrow: "<-->", text, style };
  });
}

/** Traffic entries: each drawn alone when few (or when the scenario fails them), the others grouped; backends counted per drawn node. */
function* trafficSummary(d: Drawing, nodeOf: ReadonlyMap<string, string>): Steps<Item[]> {
  const { t, sim } = d;
  const stateOf = (i: number): SimState | Severity | undefined =>
    sim ? sim.traffic(t.traffic[i].name?.value) : d.worstIn(t.traffic[i].span);
  const states = t.traffic.map((_, i) => stateOf(i));
  const score = (i: number) => (sim ? simRank(states[i] as SimState) : rank(states[i]));
  const all = t.traffic.map((_, i) => i);
  const one =
    all.length <= MAX_DRAWN_TRAFFIC
      ? all
      : all
          .filter((i) => score(i) > 0)
          .sort((a, b) => score(b) - score(a) || a - b)
          .slice(0, MAX_DRAWN_TRAFFIC);
  const alone = new Set(one);
  const groups = new Map<string, number[]>();
  for (const i of all) {
    if (alone.has(i)) continue;
    const key = states[i] ?? "";
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const items: Item[] = [];
  for (const i of one.sort((a, b) => a - b)) {
    const tr = t.traffic[i];
    const errorRps = sim?.errorRps(tr.name?.value);
    const text = `${tr.name?.value ?? "traffic"} · ${tr.steering?.value ?? "?"}${tr.peakRps ? ` · ${rps(tr.peakRps.value)}` : ""}${errorRps ? ` · ${rps(errorRps)} of errors` : ""}${d.nines.get(tr) ?? ""}`;
    const id = `t${i}`;
    d.nodes.push({ id, kind: "traffic", range: d.toRange(tr.span), severity: d.worstIn(tr.span) });
    items.push({ node: { id, open: "([", close: "])", text, cls: states[i] } });
    items.push(...(yield* backendEdges(d, id, [i], nodeOf)).map((edge) => ({ edge })));
  }
  for (const [k, [key, members]] of [...groups.entries()].entries()) {
    const id = `h${k}`;
    const word = TRAFFIC_WORD[key] ?? (sim ? "served" : "");
    const peak = members.reduce((n, i) => n + (t.traffic[i].peakRps?.value ?? 0), 0);
    const text = `${count(members.length)} ${one.length ? "other " : ""}traffic ${members.length === 1 ? "entry" : "entries"}${word ? ` ${word}` : ""}${peak ? ` · ${rps(peak)} at peak` : ""}`;
    d.nodes.push({
      id,
      kind: "group",
      range: d.toRange(t.traffic[members[0]].span),
      severity: sim ? undefined : (key as Severity) || undefined,
      label: text,
    });
    items.push({ node: { id, open: "([", close: "])", text, cls: key || undefined } });
    items.push(...(yield* backendEdges(d, id, members, nodeOf)).map((edge) => ({ edge })));
  }
  return items;
}

/** The backends of some traffic entries, one edge per drawn node holding them: how many, their capacity, and under a scenario their load. */
function* backendEdges(d: Drawing, from: string, entries: readonly number[], nodeOf: ReadonlyMap<string, string>): Steps<Edge[]> {
  const { t, sim } = d;
  interface Agg {
    n: number;
    weight: number;
    cap: number;
    load: number;
    served: number;
    withdrawn: number;
    failing: number;
    /** one backend's own word, as the full drawing says it */
    why: string;
    sev?: Severity;
  }
  const byNode = new Map<string, Agg>();
  const due = every();
  for (const i of entries) {
    const tr = t.traffic[i];
    for (const b of tr.backends) {
      if (due()) yield;
      const site = b.cluster && t.clusterByName.get(b.cluster.value)?.site?.value;
      const to = site !== undefined ? nodeOf.get(site) : undefined;
      if (!to) continue;
      const a = byNode.get(to) ?? { n: 0, weight: 0, cap: 0, load: 0, served: 0, withdrawn: 0, failing: 0, why: "" };
      byNode.set(to, a);
      a.n++;
      a.weight += b.weight?.value ?? 1;
      a.cap += b.capacityRps?.value ?? 0;
      const state = sim?.backend(tr.name?.value, b.cluster!.value);
      if (state && state.loadRps !== null) {
        a.served++;
        a.load += state.loadRps;
        if (state.errors || state.overloaded) a.failing++;
        a.why = state.errors ? " · errors" : state.overloaded ? " · overloaded" : "";
      } else if (state && sim?.withdrawn(state.site)) a.withdrawn++;
      if (!sim) a.sev = worstOf([a.sev, d.worstIn(b.span)]);
    }
  }
  return [...byNode.entries()].map(([to, a]) => {
    const head = a.n === 1 ? `w ${a.weight}` : plural(a.n, "backend");
    const failing = a.n === 1 ? a.why : a.failing ? ` · ${count(a.failing)} failing` : "";
    const load = sim ? (a.served ? ` · ${rps(a.load)}${failing}` : a.withdrawn ? " · withdrawn" : "") : "";
    const style = sim ? (!a.served ? CUT : a.failing ? STOPPED_EDGE : undefined) : a.sev && severityEdge(a.sev);
    return { from, to, arrow: "-->", text: `${head}${a.cap ? ` · cap ${count(a.cap)}` : ""}${load}`, style };
  });
}

/** Exported services: one node counting them (and, under a scenario, those no cluster serves any more). */
function exportSummary(d: Drawing): Item[] {
  const { t, sim } = d;
  if (!t.exports.length) return [];
  const unserved = sim ? t.exports.filter((e) => sim.exported(e.service?.value, e.namespace?.value) === "stopped").length : 0;
  const id = "e0";
  const node: DiagramNode = {
    id,
    kind: "export",
    range: d.toRange(t.exports[0].span),
    severity: worstOf(t.exports.map((e) => d.worstIn(e.span))),
  };
  d.nodes.push(node);
  const text = `${plural(t.exports.length, "exported service")}${unserved ? ` · ${count(unserved)} served by no cluster` : ""}`;
  return [{ node: { id, open: "{{", close: "}}", text, cls: sim ? (unserved ? "stopped" : undefined) : node.severity } }];
}
