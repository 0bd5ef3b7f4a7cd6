import type { Range } from "vscode-languageserver-types";
import type { Finding } from "../model/finding";
import type { FileAnalysis } from "../analysis";
import type { Span } from "../model/text";
import type { DiagramNode, DiagramResult, DriftMarker } from "../protocol";
import { total } from "../math/quorum";
import type { TopologyContext } from "../derive/context";
import { istioMeshes } from "../derive/meshes";
import { ninesLabel, reportOf } from "../availability/figures";
import { count, ms, rps } from "../util/format";
import { controlsVisible } from "../util/terminal";
import { type BackendResult, reachability, type Result, slowFactor } from "../whatif/engine";

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

/** A site's title: its name, and its role where that says something the name does not. */
export function siteTitle(name: string, role: string): string {
  return role === "primary" || name.toLowerCase().includes(role) ? name : `${name} · ${role}`;
}

const rank = (s?: string) => (s === "error" ? 2 : s === "warning" ? 1 : 0);
const simRank = (s?: SimState) => (s === "stopped" ? 3 : s === "degraded" ? 2 : s === "lost" ? 1 : 0);

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
interface SiteBox {
  readonly id: string;
  readonly title: string;
  readonly cls?: string;
  readonly always: Shape[];
  readonly details: Shape[];
}
interface Edge {
  readonly from: string;
  readonly to: string;
  /** `<-->`, `-->`, `-.->`, `==>` */
  readonly arrow: string;
  readonly text?: string;
  /** linkStyle, without the index */
  readonly style?: string;
}
/** what is drawn after the sites, in order: traffic entries, exports and their edges */
type Item = { readonly node: Shape } | { readonly edge: Edge };

export interface DiagramOptions {
  /** also draw the preview's other layouts (`DiagramResult.layouts`) */
  readonly layouts?: boolean;
}

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
  const L = a.parsed.lines;
  const broken = a.parsed.docs.find((d) => d.broken);
  const ctx = a.contexts[0];
  if (!ctx) {
    const err = broken?.yamlFindings.find((f) => f.code === "yaml/syntax");
    const at = err ? L.positionAt(err.span.start) : undefined;
    return { mermaid: "", nodes: [], error: err ? `Line ${at!.line + 1}: ${err.message}` : "This document is not a topology." };
  }
  const t = ctx.topology;
  const toRange = (s: Span): Range => ({ start: L.positionAt(s.start), end: L.positionAt(s.end) });
  const marked = findings.filter((f) => f.severity === "error" || f.severity === "warning");
  const worstIn = (s: Span): "error" | "warning" | undefined => {
    let worst: "error" | "warning" | undefined;
    for (const f of marked)
      if (f.span.start >= s.start && f.span.start <= s.end && rank(f.severity) > rank(worst)) worst = f.severity as "error" | "warning";
    return worst;
  };

  const nodes: DiagramNode[] = [];
  const add = (id: string, kind: DiagramNode["kind"], span: Span, severitySpan: Span = span, more?: Partial<DiagramNode>) => {
    const severity = worstIn(severitySpan);
    nodes.push({ id, kind, range: toRange(span), severity, ...more });
    return severity;
  };
  const siteId = new Map<string, string>();
  t.sites.forEach((s, i) => {
    if (s.name && !siteId.has(s.name.value)) siteId.set(s.name.value, `s${i}`);
  });
  const clusterId = new Map<string, string>();
  t.clusters.forEach((c, i) => {
    if (c.name && !clusterId.has(c.name.value)) clusterId.set(c.name.value, `c${i}`);
  });
  const storeId = new Map<string, string>();
  t.stores.forEach((s, i) => {
    if (s.name && !storeId.has(s.name.value)) storeId.set(s.name.value, `d${i}`);
  });
  const sim = whatif ? overlay(ctx, whatif) : undefined;
  // each entity's nines when the design declares availabilities (not while a scenario is shown:
  // the labels then carry the scenario's state)
  const nines = new Map<object, string>();
  if (!sim)
    for (const f of reportOf(ctx).figures) {
      const n = ninesLabel(f);
      if (n) nines.set(f.owner, ` · ${n}`);
    }
  /** the node's class: the scenario's state when simulating, else the worst finding in it */
  const cls = (sev: "error" | "warning" | undefined, state: SimState | undefined) => (sim ? state : sev);

  // what each site holds, gathered once in declaration order (a scan per site is quadratic: a
  // 5 MB design has thousands of sites and tens of thousands of clusters)
  const bySite = <T>(map: Map<string, T[]>, site: string, x: T) => {
    const list = map.get(site);
    if (list) list.push(x);
    else map.set(site, [x]);
  };
  const firstSite = new Map<string, number>();
  t.sites.forEach((s, i) => {
    if (s.name && !firstSite.has(s.name.value)) firstSite.set(s.name.value, i);
  });
  const clustersAt = new Map<string, number[]>();
  t.clusters.forEach((c, ci) => {
    if (c.site && c.name && clusterId.get(c.name.value) === `c${ci}`) bySite(clustersAt, c.site.value, ci);
  });
  const quorumsAt = new Map<string, number[]>();
  ctx.quorums.forEach((q, qi) => {
    if (!q.resolved) return;
    for (const [site, count] of q.counts) if (count) bySite(quorumsAt, site, qi);
  });
  const storesAt = new Map<string, number[]>();
  t.stores.forEach((st, di) => {
    if (st.replication?.value === "consensus" || st.replication?.value === "galera") return;
    const seen = new Set<string>();
    for (const w of [...(st.writers?.items ?? []), ...(st.replicas?.items ?? [])])
      if (!seen.has(w.value)) {
        seen.add(w.value);
        bySite(storesAt, w.value, di);
      }
  });
  // an etcd is named by its cluster in a folded site ("etcd fra-prod") only when there are several
  const etcds = ctx.quorums.filter((q) => q.kind === "etcd").length;

  const boxes: SiteBox[] = [];
  for (const [si, s] of t.sites.entries()) {
    if (!s.name || siteId.get(s.name.value) !== `s${si}`) continue;
    const id = `s${si}`;
    const always: Shape[] = [];
    const details: Shape[] = [];
    for (const ci of clustersAt.get(s.name.value) ?? []) {
      const c = t.clusters[ci];
      if (!c.name) continue;
      const mesh = c.mesh !== "none" ? ` · ${c.mesh}${c.id ? ` id ${c.id.value}` : ""}` : "";
      // Istio network groupings and roles ride in the label: one network = routable pod IPs
      const istio = c.istio ? ` · istio ${c.istio.role?.value ?? "primary"}${c.istio.network ? ` on ${c.istio.network.value}` : ""}` : "";
      const sev = add(`c${ci}`, "cluster", c.span);
      always.push({
        id: `c${ci}`,
        open: "[",
        close: "]",
        text: `${c.name.value}${mesh}${istio}`,
        cls: cls(sev, sim?.cluster(c.name.value, s.name.value)),
      });
      const dm = drift.get(c.name.value);
      if (dm) {
        // beside its cluster, no edge (edges are numbered for linkStyle): click it to open the deployment file
        nodes.push({ id: `x${ci}`, kind: "drift", range: dm.range, uri: dm.uri });
        always.push({ id: `x${ci}`, open: ">", close: "]", text: `drift · ${dm.count} in ${dm.file}`, cls: "drift" });
      }
    }
    for (const qi of quorumsAt.get(s.name.value) ?? []) {
      const q = ctx.quorums[qi];
      const count = q.counts.get(s.name.value)!;
      const qid = `q${qi}_${si}`;
      const n = total(q.counts);
      const text = `${q.label}: ${count} of ${n}${nines.get(q.owner) ?? ""}`;
      const sev = add(
        qid,
        q.kind === "etcd" ? "quorum" : "store",
        q.members.keySpan,
        { start: q.members.keySpan.start, end: q.members.span.end },
        { label: text },
      );
      const owner = q.owner.name?.value ?? "";
      const short = q.kind === "etcd" ? (etcds > 1 ? `etcd ${owner}` : "etcd") : owner;
      details.push({
        id: qid,
        open: "[(",
        close: ")]",
        text,
        short: `${short}: ${count} of ${n}`,
        cls: cls(sev, sim?.quorum(q.label, s.name.value)),
      });
    }
    for (const di of storesAt.get(s.name.value) ?? []) {
      const st = t.stores[di];
      const writes = st.writers?.items.some((w) => w.value === s.name!.value);
      const reads = st.replicas?.items.some((w) => w.value === s.name!.value);
      if (!writes && !reads) continue;
      const sid = `d${di}_${si}`;
      // the store's nines are its writes' availability: on its writers, never on a replica (whose reads outlive the writer)
      const text = `${st.name?.value ?? "store"} ${writes ? "writer" : "replica"}${writes ? (nines.get(st) ?? "") : ""}`;
      const sev = add(sid, "store", st.span, st.span, { label: text });
      details.push({
        id: sid,
        open: "[(",
        close: ")]",
        text,
        short: `${st.name?.value ?? "store"} ${writes ? "writer" : "replica"}`,
        cls: cls(sev, sim?.store(st.name?.value, s.name.value, !!writes)),
      });
    }
    const title = siteTitle(s.name.value, s.role);
    const sev = add(id, "site", s.span, s.name.span, { name: s.name.value, title });
    boxes.push({ id, title, cls: cls(sev, sim?.site(s.name.value)), always, details });
  }

  const links: Edge[] = [];
  for (const l of t.links) {
    const [a, b] = l.between?.items ?? [];
    const ia = a && siteId.get(a.value);
    const ib = b && siteId.get(b.value);
    if (!ia || !ib) continue;
    const factor = sim?.factor(a.value, b.value);
    const rtt = l.rttMs ? ms(l.rttMs.value) : "?";
    const sev = worstIn(l.span);
    nodes.push({ id: `link${links.length}`, kind: "link", range: toRange(l.span), severity: sev });
    const style = sim ? (sim.cut(a.value, b.value) ? CUT : factor !== undefined ? SLOW : undefined) : sev && severityEdge(sev);
    const text = factor !== undefined ? `${rtt} → ×${factor}` : `${rtt}${l.rttP99Ms ? ` · p99 ${l.rttP99Ms.value}` : ""}`;
    links.push({ from: ia, to: ib, arrow: "<-->", text, style });
  }

  const rest: Item[] = [];
  for (const [ti, tr] of t.traffic.entries()) {
    const id = `t${ti}`;
    const errorRps = sim?.errorRps(tr.name?.value);
    const text = `${tr.name?.value ?? "traffic"} · ${tr.steering?.value ?? "?"}${tr.peakRps ? ` · ${rps(tr.peakRps.value)}` : ""}${errorRps ? ` · ${rps(errorRps)} of errors` : ""}${nines.get(tr) ?? ""}`;
    const sev = add(id, "traffic", tr.span);
    rest.push({ node: { id, open: "([", close: "])", text, cls: cls(sev, sim?.traffic(tr.name?.value)) } });
    for (const b of tr.backends) {
      const target = b.cluster && clusterId.get(b.cluster.value);
      if (!target) continue;
      const state = sim?.backend(tr.name?.value, b.cluster!.value);
      const load =
        state && state.loadRps !== null
          ? ` · ${rps(state.loadRps)}${state.errors ? " · errors" : state.overloaded ? " · overloaded" : ""}`
          : state && sim?.withdrawn(state.site)
            ? " · withdrawn"
            : "";
      const s2 = worstIn(b.span);
      const style = sim
        ? state && state.loadRps === null
          ? CUT
          : state?.errors || state?.overloaded
            ? STOPPED_EDGE
            : undefined
        : s2 && severityEdge(s2);
      rest.push({
        edge: {
          from: id,
          to: target,
          arrow: "-->",
          text: `w ${b.weight?.value ?? 1}${b.capacityRps ? ` · cap ${count(b.capacityRps.value)}` : ""}${load}`,
          style,
        },
      });
    }
    for (const dep of tr.dependsOn?.items ?? []) {
      const st = t.storeByName.get(dep.value);
      if (!st) continue;
      const q = ctx.quorums.indexOf(ctx.quorumOf(st)!);
      // the first declared site among its members (or writers)
      const names = q >= 0 ? [...ctx.quorums[q].counts.keys()] : (st.writers?.items ?? []).map((w) => w.value);
      const siteIdx = Math.min(...names.map((n) => firstSite.get(n) ?? Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
      if (siteIdx === Number.POSITIVE_INFINITY) continue;
      rest.push({ edge: { from: id, to: q >= 0 ? `q${q}_${siteIdx}` : `d${st.index}_${siteIdx}`, arrow: "-.->", text: "depends on" } });
    }
  }

  for (const [ei, e] of t.exports.entries()) {
    const id = `e${ei}`;
    const sev = add(id, "export", e.span);
    rest.push({
      node: {
        id,
        open: "{{",
        close: "}}",
        text: `export ${e.namespace?.value ?? "?"}/${e.service?.value ?? "?"}`,
        cls: cls(sev, sim?.exported(e.service?.value, e.namespace?.value)),
      },
    });
    for (const c of e.clusters?.items ?? []) {
      const target = clusterId.get(c.value);
      if (target) rest.push({ edge: { from: target, to: id, arrow: "-.->" } });
    }
  }

  // Istio control-plane edges, network groupings in the labels; Linkerd links by mode
  for (const members of istioMeshes(ctx).values()) {
    for (const c of members) {
      const primary = c.istio?.primary && clusterId.get(c.istio.primary.value);
      const me = c.name && clusterId.get(c.name.value);
      if (c.istio?.role?.value === "remote" && primary && me)
        rest.push({ edge: { from: primary, to: me, arrow: "==>", text: `istiod${c.istio.network ? ` · ${c.istio.network.value}` : ""}` } });
    }
  }
  for (const c of t.clusters) {
    const me = c.name && clusterId.get(c.name.value);
    for (const l of c.linkerd?.links ?? []) {
      const target = l.cluster && clusterId.get(l.cluster.value);
      if (!me || !target) continue;
      const sev = worstIn(l.span);
      const style = sim
        ? sim.cut(c.site?.value, t.clusterByName.get(l.cluster!.value)?.site?.value)
          ? CUT
          : undefined
        : sev && severityEdge(sev);
      rest.push({ edge: { from: target, to: me, arrow: "-->", text: `linkerd ${l.mode}`, style } });
    }
  }

  const classDefs: string[] = [];
  if (drift.size) classDefs.push("  classDef drift fill:#f9a82522,stroke:#f9a825,stroke-width:2px,stroke-dasharray:4 3");
  if (sim) classDefs.push(...SIM_CLASSES);
  else {
    classDefs.push("  classDef error stroke:#d32f2f,stroke-width:3px,color:#b71c1c");
    classDefs.push("  classDef warning stroke:#f9a825,stroke-width:3px");
  }
  const draw = (direction: "LR" | "TB", folded: boolean) => emit({ direction, folded, boxes, links, rest, classDefs, sim: !!sim });
  const mermaid = draw("LR", false);
  if (options.layouts) {
    // the folded layouts' details nodes: one per site that holds details, standing for them
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const box of boxes)
      if (box.details.length)
        nodes.push({
          id: `m${box.id.slice(1)}`,
          kind: "details",
          range: byId.get(box.id)!.range,
          severity: worstOf(box.details.map((d) => byId.get(d.id)?.severity)),
          details: box.details.map((d) => d.id),
        });
  }
  return {
    mermaid,
    nodes,
    title: t.name?.value,
    ...(options.layouts
      ? {
          layouts: [
            { direction: "LR", folded: false, mermaid },
            { direction: "TB", folded: false, mermaid: draw("TB", false) },
            { direction: "LR", folded: true, mermaid: draw("LR", true) },
            { direction: "TB", folded: true, mermaid: draw("TB", true) },
          ],
        }
      : {}),
  };
}

const severityEdge = (sev: "error" | "warning") => `stroke:${sev === "error" ? "#d32f2f" : "#f9a825"},stroke-width:3px`;

function worstOf(sevs: readonly ("error" | "warning" | undefined)[]): "error" | "warning" | undefined {
  return sevs.reduce<"error" | "warning" | undefined>((w, s) => (rank(s) > rank(w) ? s : w), undefined);
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
}): string {
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
      node({ id: box.id, open: "[", close: "]", text: box.title, cls: box.cls }, "  ");
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
    const to = foldedInto.get(e.to) ?? e.to;
    const line = `  ${e.from} ${e.arrow}${e.text !== undefined ? `|"${label(e.text)}"|` : ""} ${to}`;
    // two edges folded onto one node (a traffic entry depending on two stores of one site) draw once
    if (d.folded && drawn.has(line)) return;
    drawn.add(line);
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
  return `${lines.join("\n")}\n`;
}

type SimState = "lost" | "stopped" | "degraded";

// readable on light and dark themes alike: strokes carry the meaning, fills are translucent
const SIM_CLASSES = [
  "  classDef lost fill:#9e9e9e22,stroke:#9e9e9e,stroke-width:2px,stroke-dasharray:6 4,color:#9e9e9e",
  "  classDef stopped fill:#d32f2f33,stroke:#d32f2f,stroke-width:3px",
  "  classDef degraded fill:#f9a82533,stroke:#f9a825,stroke-width:3px",
];
const CUT = "stroke:#9e9e9e,stroke-width:2px,stroke-dasharray:6 4";
const SLOW = "stroke:#f9a825,stroke-width:3px";
const STOPPED_EDGE = "stroke:#d32f2f,stroke-width:3px";

/** What a scenario's result means for each drawn entity. */
function overlay(ctx: TopologyContext, r: Result) {
  const lost = new Set(r.scenario.lose);
  const R = reachability(ctx, r.scenario);
  const withdrawn = new Set(r.scenario.withdraw ?? []);
  const degradedQuorum = new Set(["flapping", "over-budget", "flow-control"]);
  return {
    site: (site: string): SimState | undefined => (lost.has(site) ? "lost" : undefined),
    cluster(name: string, site: string): SimState | undefined {
      if (lost.has(site)) return "lost";
      return r.meshes.some((m) => m.cluster === name) ? "degraded" : undefined;
    },
    quorum(labelText: string, site: string): SimState | undefined {
      if (lost.has(site)) return "lost";
      const q = r.quorums.find((x) => x.name === labelText);
      if (!q) return undefined;
      const leaders = Object.keys(q.byLeader);
      // stopped: no quorum, or no leader this site's members can vote with; amber when it depends on where the leader is
      if (q.outcome === "stops" || !leaders.some((l) => !q.byLeader[l].includes(site))) return "stopped";
      if (leaders.some((l) => q.byLeader[l].includes(site))) return "degraded";
      return degradedQuorum.has(q.outcome) ? "degraded" : undefined;
    },
    store(name: string | undefined, site: string, writer: boolean): SimState | undefined {
      if (lost.has(site)) return "lost";
      const st = r.stores.find((x) => x.name === name);
      if (st && (st.outcome === "writes-stop" || st.outcome === "corrupts")) return "stopped";
      if (st?.rpoUnbounded) return "degraded";
      // a replica with no writer it reaches serves stale reads
      if (!writer && r.notes.some((b) => b.startsWith(`store ${name}: the replica in ${site} `))) return "degraded";
      // diverges is the design working (a conflict policy or a CRDT converges on heal)
      return undefined;
    },
    traffic(name: string | undefined): SimState | undefined {
      const t = r.traffic.find((x) => x.name === name);
      if (!t) return undefined;
      const remaining = t.backends.filter((b) => b.loadRps !== null);
      if (t.outcome === "unserved" || (remaining.length && remaining.every((b) => b.errors))) return "stopped";
      return t.outcome === "served" ? undefined : "degraded";
    },
    errorRps: (name: string | undefined): number => r.traffic.find((x) => x.name === name)?.errorRps ?? 0,
    withdrawn: (site: string): boolean => withdrawn.has(site),
    backend: (traffic: string | undefined, cluster: string): BackendResult | undefined =>
      r.traffic.find((x) => x.name === traffic)?.backends.find((b) => b.cluster === cluster),
    exported(service: string | undefined, namespace: string | undefined): SimState | undefined {
      const e = r.exports.find((x) => x.service === service && x.namespace === namespace);
      return e && e.servedBy.length === 0 ? "stopped" : undefined;
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
