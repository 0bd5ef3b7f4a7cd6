// The preview webview: renders the Mermaid text the extension posts, keeps pan/zoom across
// updates, follows the theme, and reports clicks. It never receives HTML, only data.
import elkLayouts from "@mermaid-js/layout-elk";
import type { DiagramLayout, DiagramNode } from "../../../server/src/protocol";
import type { FromWebview, SimulationView, ToWebview } from "../preview/messages";

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  registerLayoutLoaders(loaders: unknown): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}
declare const mermaid: MermaidApi;
declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const canvas = document.getElementById("canvas")!;
const viewport = document.getElementById("viewport")!;
const errorBox = document.getElementById("error")!;
const noteBox = document.getElementById("note")!;
const status = document.getElementById("status")!;

interface View {
  scale: number;
  x: number;
  y: number;
}
const saved = vscode.getState() as { view?: View } | undefined;
const view: View = saved?.view ?? { scale: 1, x: 0, y: 0 };
/** until the user pans or zooms, each render fits the diagram into the pane */
let fitted = !saved?.view;
let last: Extract<ToWebview, { type: "diagram" }> | undefined;
let rendering = Promise.resolve();

const post = (m: FromWebview) => vscode.postMessage(m);

function themeOf(): { theme: string; themeVariables?: Record<string, string> } {
  const cls = document.body.classList;
  if (cls.contains("vscode-high-contrast") && !cls.contains("vscode-high-contrast-light")) {
    return { theme: "dark", themeVariables: { primaryBorderColor: "#ffffff", lineColor: "#ffffff", primaryTextColor: "#ffffff" } };
  }
  if (cls.contains("vscode-high-contrast-light"))
    return { theme: "default", themeVariables: { primaryBorderColor: "#000000", lineColor: "#000000" } };
  return { theme: cls.contains("vscode-dark") ? "dark" : "default" };
}

function initMermaid(): void {
  mermaid.initialize({
    startOnLoad: false,
    // strict: labels are sanitised (DOMPurify) and click/script directives are refused; every
    // user-written character reaches Mermaid as an entity code (#60;), which renders as text
    securityLevel: "strict",
    // ELK lays out nested subgraphs (sites holding clusters and members) without edges
    // crossing site boxes; bundled into this script, nothing is fetched
    layout: "elk",
    elk: { nodePlacementStrategy: "NETWORK_SIMPLEX", mergeEdges: false },
    flowchart: { useMaxWidth: false },
    ...themeOf(),
  });
}

/**
 * Mermaid draws labels at 16 px. A layout is legible in the panel when, fitted whole, its labels
 * are at least 12 px on screen; the fitted view never grows them past 24 px.
 */
const LEGIBLE_SCALE = 0.75;
const MAX_FIT_SCALE = 1.5;
const PAD = 12;

/** The diagram's own size (its viewBox), unscaled. */
function sizeOf(svg: SVGSVGElement): { w: number; h: number } {
  const vb = svg.viewBox.baseVal;
  if (vb?.width && vb.height) return { w: vb.width, h: vb.height };
  const r = svg.getBoundingClientRect();
  return { w: r.width / view.scale, h: r.height / view.scale };
}

/** The scale that shows a w × h diagram whole in the panel (never more than MAX_FIT_SCALE). */
function fitScale(size: { w: number; h: number }): number {
  const room = { w: viewport.clientWidth - 2 * PAD, h: viewport.clientHeight - 2 * PAD };
  return Math.max(0.01, Math.min(MAX_FIT_SCALE, room.w / size.w, room.h / size.h));
}

/** Fits the whole diagram into the panel, centred: every node inside the visible area. */
function fit(svg: SVGSVGElement): void {
  panelSize = `${viewport.clientWidth}x${viewport.clientHeight}`;
  const size = sizeOf(svg);
  if (!size.w || !size.h) return;
  view.scale = fitScale(size);
  view.x = (viewport.clientWidth - size.w * view.scale) / 2;
  view.y = Math.max(PAD, (viewport.clientHeight - size.h * view.scale) / 2);
  applyView();
}

function applyView(): void {
  canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  vscode.setState({ view });
}

function zoomAt(factor: number, cx: number, cy: number): void {
  fitted = false;
  const next = Math.min(8, Math.max(0.1, view.scale * factor));
  const f = next / view.scale;
  view.x = cx - (cx - view.x) * f;
  view.y = cy - (cy - view.y) * f;
  view.scale = next;
  applyView();
  // zooming in on a folded layout is asking for its details
  if (factor > 1 && shown?.folded && last) rendering = rendering.then(() => unfoldAt(cx, cy));
}

// ---- the Simulate control ------------------------------------------------------------
const simToggle = document.getElementById("simulate-toggle") as HTMLButtonElement;
const simPanel = document.getElementById("sim")!;
const simSites = document.getElementById("sim-sites")!;
const simSingles = document.getElementById("sim-singles")!;
const simPartition = document.getElementById("sim-partition") as HTMLSelectElement;
const simRtt = document.getElementById("sim-rtt") as HTMLSelectElement;
const simVerdict = document.getElementById("sim-verdict")!;
const simBreaks = document.getElementById("sim-breaks")!;
const simNotes = document.getElementById("sim-notes")!;
const simCut = document.getElementById("sim-cut") as HTMLSelectElement;
const simCuts = document.getElementById("sim-cuts")!;
let simulating = false;
let simulation: SimulationView | undefined;

type Pair = readonly [string, string];
interface Controls {
  lose: string[];
  partition: string[][];
  /** links by their two site names, never a joined string (names may contain `-`) */
  cut: Pair[];
  rttFactor: number | null;
}

/** The scenario the controls show; every change goes to the extension, which answers with a new diagram. */
function askScenario(s: Controls): void {
  post({
    type: "simulate",
    scenario: {
      lose: s.lose,
      partition: s.partition,
      cut: s.cut.map((between) => ({ between })),
      rttFactor: s.rttFactor,
      // named slow links are kept as they came (the editor has no control for them yet)
      slow: simulation?.scenario.slow ?? [],
    },
  });
}

function currentScenario(): Controls {
  const sc = simulation?.scenario;
  return {
    lose: [...(sc?.lose ?? [])],
    partition: (sc?.partition ?? []).map((g) => [...g]),
    cut: (sc?.cut ?? []).map((l) => l.between),
    rttFactor: sc?.rttFactor ?? null,
  };
}

const samePair = (x: Pair, y: Pair) => (x[0] === y[0] && x[1] === y[1]) || (x[0] === y[1] && x[1] === y[0]);

/** Cuts the link a–b, or restores it when it is cut. */
function toggleCut(link: Pair): void {
  const s = currentScenario();
  s.cut = s.cut.some((c) => samePair(c, link)) ? s.cut.filter((c) => !samePair(c, link)) : [...s.cut, link];
  askScenario(s);
}

function setSimulating(on: boolean, tell: boolean): void {
  simulating = on;
  document.body.classList.toggle("simulating", on);
  simToggle.setAttribute("aria-pressed", String(on));
  simPanel.hidden = !on;
  if (!on) simulation = undefined;
  if (tell) post({ type: "simulate", scenario: on ? {} : null });
}

function toggleLost(site: string): void {
  const s = currentScenario();
  s.lose = s.lose.includes(site) ? s.lose.filter((x) => x !== site) : [...s.lose, site];
  askScenario(s);
}

const button = (text: string, title: string, onClick: () => void): HTMLButtonElement => {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
};

/** Fills the panel from the extension's simulation; all text goes in as text, never as markup. */
function showSimulation(v: SimulationView | undefined): void {
  simulation = v;
  if (!v) {
    simVerdict.textContent = "No topology to simulate.";
    return;
  }
  const keepFocus = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  showSiteButtons(v);
  showScenarioInputs(v);
  showVerdict(v);
  if (keepFocus) (simPanel.querySelector(`[data-key="${CSS.escape(keepFocus)}"]`) as HTMLElement | null)?.focus();
}

/** A button per site (lost or up), and the single-site losses' verdicts, each a button that simulates it. */
function showSiteButtons(v: SimulationView): void {
  const lost = new Set(v.scenario.lose);
  simSites.replaceChildren(
    ...v.sites.map((site) => {
      const b = button(site.name, `Mark ${site.name} lost (or back up)`, () => toggleLost(site.name));
      b.setAttribute("aria-pressed", String(lost.has(site.name)));
      b.dataset.key = `site:${site.name}`;
      return b;
    }),
  );
  const none = document.createElement("span");
  none.className = "sim-label";
  none.textContent = `${v.sites.length} sites: run quorate simulate --all-single-site for every loss`;
  simSingles.replaceChildren(
    ...(v.singles.length || !v.sites.length ? [] : [none]),
    ...v.singles.map((x) => {
      // the failover window the verdict leaves out, in simulate's words (the server's judgedOnce)
      const judged = x.judged ? ` ${x.judged}` : "";
      const tip = x.breaks.length
        ? // a down verdict's window is a cost on top of it ("and before gslb withdraws fra, …"), not its condition
          `${x.breaks.join("\n")}${x.judged ? `\n(${x.judged.startsWith("once ") ? `judged ${x.judged}` : x.judged.replace(/^and /, "")})` : ""}`
        : `Losing ${x.site} breaks nothing${judged}`;
      const b = button(`${x.site}: ${x.verdict}`, tip, () => askScenario({ lose: [x.site], partition: [], cut: [], rttFactor: null }));
      b.className = `verdict-${x.verdict}`;
      b.dataset.key = `single:${x.site}`;
      return b;
    }),
  );
}

/** The partition, RTT factor and cut-link inputs set to the scenario; the game-day button when it can enact it. */
function showScenarioInputs(v: SimulationView): void {
  const key = (groups: readonly (readonly string[])[]) => groups.map((g) => g.join(",")).join(" / ");
  const wanted = key(v.scenario.partition);
  const options = [new Option("none", "")];
  for (const p of v.partitions) options.push(new Option(key(p), key(p)));
  if (wanted && !v.partitions.some((p) => key(p) === wanted)) options.push(new Option(wanted, wanted));
  simPartition.replaceChildren(...options);
  simPartition.value = wanted;
  simRtt.value = v.scenario.rttFactor === null ? "" : String(v.scenario.rttFactor);
  if (simRtt.value !== (v.scenario.rttFactor === null ? "" : String(v.scenario.rttFactor))) {
    simRtt.append(new Option(String(v.scenario.rttFactor), String(v.scenario.rttFactor)));
    simRtt.value = String(v.scenario.rttFactor);
  }
  // the links that can be cut ("choose two sites"), and the cut ones as buttons that restore them
  const cut = v.scenario.cut.map((l) => l.between);
  const linkText = (l: Pair) => `${l[0]} – ${l[1]}`;
  simCut.replaceChildren(
    new Option(v.links.length ? "choose two sites…" : "no link declared", ""),
    ...v.links.map((l, i) => {
      const o = new Option(linkText(l.between), String(i));
      o.disabled = cut.some((c) => samePair(c, l.between));
      return o;
    }),
  );
  simCut.value = "";
  simCuts.replaceChildren(
    ...cut.map((l) => {
      const b = button(linkText(l), `Restore the link ${linkText(l)}`, () => toggleCut(l));
      b.dataset.key = `cut:${l[0]}\u0000${l[1]}`;
      return b;
    }),
  );
  // a game day enacts sites lost or a partition, one at a time
  const gameDayButton = document.getElementById("sim-gameday") as HTMLButtonElement;
  gameDayButton.disabled = !v.scenario.lose.length === !v.scenario.partition.length;
}

/** The verdict line, what breaks and the notes. */
function showVerdict(v: SimulationView): void {
  simVerdict.className = `verdict-${v.verdict}`;
  // "nothing breaks" is about the scenario: the file's own findings still stand, and the line says so
  const remaining = v.findings.errors
    ? `, but ${v.findings.errors} error finding${v.findings.errors === 1 ? "" : "s"} in the file remain${v.findings.errors === 1 ? "s" : ""} (see Problems)`
    : v.findings.warnings
      ? ` (${v.findings.warnings} warning${v.findings.warnings === 1 ? "" : "s"} in the file remain${v.findings.warnings === 1 ? "s" : ""})`
      : "";
  // judged after a site loss's failover window: the line says so and what the window costs, in simulate's words
  const judged = v.judged ? `, ${v.judged}` : "";
  // review M147: a lost writer's unreplicated writes with no lag bound are not "breaks nothing"
  const rest = v.rpoUnknown ? `nothing stops, but ${v.rpoUnknown} (Notes)` : "this scenario breaks nothing";
  simVerdict.textContent = `${v.verdict.toUpperCase()} — ${v.name}${judged}${v.breaks.length ? "" : `${judged ? "; after that" : ":"} ${rest}${remaining}`}`;
  const items = (xs: readonly string[]) =>
    xs.map((b) => {
      const li = document.createElement("li");
      li.textContent = b;
      return li;
    });
  simBreaks.replaceChildren(...items(v.breaks));
  simNotes.replaceChildren(...items(v.notes));
}

simToggle.addEventListener("click", () => setSimulating(!simulating, true));
simPartition.addEventListener("change", () => {
  const s = currentScenario();
  s.partition = simPartition.value ? simPartition.value.split(" / ").map((g) => g.split(",")) : [];
  askScenario(s);
});
simRtt.addEventListener("change", () => {
  const s = currentScenario();
  s.rttFactor = simRtt.value ? Number(simRtt.value) : null;
  askScenario(s);
});
simCut.addEventListener("change", () => {
  const link = simulation?.links[Number(simCut.value)];
  if (simCut.value !== "" && link) toggleCut(link.between);
});
document.getElementById("sim-reset")!.addEventListener("click", () => askScenario({ lose: [], partition: [], cut: [], rttFactor: null }));
document.getElementById("sim-gameday")!.addEventListener("click", () => post({ type: "exportGameDay" }));

function wireNodes(svg: SVGSVGElement, ids: Set<string>): number {
  let count = 0;
  for (const el of Array.from(svg.querySelectorAll<SVGGElement>("g.node, g.cluster"))) {
    const raw = el.id || el.getAttribute("data-id") || "";
    const m = /(?:^|-)flowchart-([A-Za-z0-9_]+)-\d+$/.exec(raw) ?? /(?:^|-)([A-Za-z0-9_]+)$/.exec(raw);
    // the ELK layout writes "[object Object]" as a subgraph's id: a site box is then found by its title
    const id =
      m?.[1] ??
      (el.classList.contains("cluster")
        ? last?.nodes.find((n) => n.kind === "site" && n.title === el.querySelector(".cluster-label")?.textContent?.trim())?.id
        : undefined);
    if (!id || !ids.has(id)) continue;
    count++;
    el.classList.add("quorate-node");
    el.setAttribute("data-quorate-id", id);
    const node = last?.nodes.find((n) => n.id === id);
    const site = node?.kind === "site" ? node.name : undefined;
    // every node is a button for the keyboard too: Tab reaches it, Enter or Space does what a click does
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", accessibleName(el, node));
    const activate = () => {
      // while simulating, a click on a site marks it lost; anything else reveals its source
      if (simulating && site !== undefined) toggleLost(site);
      else post({ type: "reveal", id });
    };
    if (node?.kind === "details") {
      // a folded site's details: hover or focus shows the card, Enter or Space moves into it, Escape hides it
      el.setAttribute("aria-haspopup", "true");
      el.setAttribute("aria-controls", "card");
      el.setAttribute("aria-expanded", "false");
      el.addEventListener("mouseenter", () => showCard(el, id));
      el.addEventListener("mouseleave", (e) => leaveCard(e.relatedTarget));
      el.addEventListener("focus", () => {
        if (!returning) showCard(el, id);
      });
      el.addEventListener("blur", (e) => leaveCard(e.relatedTarget));
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          showCard(el, id);
          cardButtons()[0]?.focus();
        } else if (e.key === "Escape" && !card.hidden) {
          e.preventDefault();
          hideCard();
        }
      });
    } else
      el.addEventListener("keydown", (e) => {
        if (e.key !== "Enter" && e.key !== " ") return;
        e.preventDefault();
        activate();
      });
    el.addEventListener("click", (e) => {
      e.stopPropagation();
      activate();
    });
  }
  return count;
}

/** What a screen reader says for a node: its label (a site's title, a folded node's site and what it holds) and severity. */
function accessibleName(el: Element, node: DiagramNode | undefined): string {
  const text = (el.textContent ?? "").replace(/\s+/g, " ").trim();
  const severity = node?.severity ? `, ${node.severity}` : "";
  if (node?.kind === "details") {
    // a details node m<N> folds site s<N>'s details
    const site = last?.nodes.find((n) => n.id === `s${node.id.slice(1)}`)?.title;
    return `${site ? `${site}: ` : ""}${node.details?.length ?? 0} details${severity}; Enter lists them`;
  }
  return `${node?.kind === "site" ? (node.title ?? text) : (node?.label ?? text)}${severity}`;
}

/**
 * The WAN links between two sites: Mermaid names an edge `L_<from>_<to>_<n>` on its path and its
 * label (`data-id`); the ends are site ids (s0, s1…), whose names come with the nodes. A click
 * while simulating cuts the link or restores it. Returns the links found and those drawn cut.
 */
function wireLinks(svg: SVGSVGElement, msg: Extract<ToWebview, { type: "diagram" }>): { links: Pair[]; cut: Pair[] } {
  const siteName = new Map(msg.nodes.filter((n) => n.kind === "site" && n.name !== undefined).map((n) => [n.id, n.name!]));
  const cutNow = (msg.simulation?.scenario.cut ?? []).map((l) => l.between);
  const links: Pair[] = [];
  const cut: Pair[] = [];
  for (const el of Array.from(svg.querySelectorAll<SVGElement>("[data-id]"))) {
    const m = /^L_(s\d+)_(s\d+)_\d+$/.exec(el.getAttribute("data-id") ?? "");
    const a = m && siteName.get(m[1]);
    const b = m && siteName.get(m[2]);
    if (!a || !b) continue;
    const link: Pair = [a, b];
    el.classList.add("quorate-link");
    const target = el.closest(".edgeLabel") ?? el;
    target.classList.add("quorate-link");
    target.addEventListener("click", (e) => {
      if (!simulating) return;
      e.stopPropagation();
      toggleCut(link);
    });
    if (!links.some((l) => samePair(l, link))) {
      links.push(link);
      if (cutNow.some((c) => samePair(c, link))) cut.push(link);
    }
  }
  return { links, cut };
}

type DiagramMsg = Extract<ToWebview, { type: "diagram" }>;
type Layout = DiagramLayout;
const layoutName = (l: Pick<Layout, "direction" | "folded">) => `${l.direction}${l.folded ? " folded" : ""}`;
const layoutsOf = (msg: DiagramMsg): readonly Layout[] =>
  msg.layouts?.length ? msg.layouts : [{ direction: "LR", folded: false, mermaid: msg.mermaid }];

/** each layout's size when last drawn, for the design's current set of nodes: a choice draws only what it must */
const sizes = new Map<string, { w: number; h: number }>();
let sizesOf = "";
/** the layout on screen; `zoomedIn`: a folded choice swapped for its detailed layout by zooming in (Fit goes back) */
let shown: { name: string; folded: boolean; direction: Layout["direction"] } | undefined;
let zoomedIn = false;
let renders = 0;

async function draw(msg: DiagramMsg, layout: Layout): Promise<SVGSVGElement> {
  const id = `quorate-diagram-${msg.version}-${++renders}`;
  let svg: string;
  try {
    ({ svg } = await mermaid.render(id, layout.mermaid));
  } finally {
    // Mermaid may leave its measuring box (`d<id>`) in the body, where it would take the panel's room
    document.getElementById(`d${id}`)?.remove();
  }
  const holder = document.createElement("div");
  holder.innerHTML = svg;
  const el = holder.querySelector("svg");
  if (!el) throw new Error("Mermaid returned no SVG");
  const vb = (el.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  if (vb.length === 4 && vb[2] > 0 && vb[3] > 0) sizes.set(layoutName(layout), { w: vb[2], h: vb[3] });
  return el;
}

/**
 * The layout to show in this panel: the first that fits legibly — in the panel's own orientation
 * (stacked sites in a tall panel) detailed, then folded, then the other orientation — else the
 * one whose fitted labels are largest. Sizes of earlier drawings decide without drawing again.
 */
async function choose(msg: DiagramMsg): Promise<{ layout: Layout; el?: SVGSVGElement }> {
  const signature = msg.nodes.map((n) => n.id).join(" ");
  if (signature !== sizesOf) {
    sizes.clear();
    sizesOf = signature;
  }
  const all = layoutsOf(msg);
  // the user zoomed or panned: the layout stays as it is (a redraw never moves the view under them)
  if (!fitted && shown) {
    const same = all.find((l) => layoutName(l) === shown!.name) ?? all[0];
    return { layout: same };
  }
  const tall = viewport.clientHeight > viewport.clientWidth;
  const mismatch = (l: Layout) => Number((l.direction === "TB") !== tall);
  // the panel's orientation first, detailed before folded: a tall panel rarely fits sites side
  // by side when it cannot fit them stacked, so the usual choice costs two drawings, not four
  const order = [...all].sort((a, b) => mismatch(a) - mismatch(b) || Number(a.folded) - Number(b.folded));
  let best: { layout: Layout; el?: SVGSVGElement; scale: number } | undefined;
  for (const layout of order) {
    let el: SVGSVGElement | undefined;
    if (!sizes.has(layoutName(layout))) el = await draw(msg, layout);
    const size = sizes.get(layoutName(layout));
    const scale = size ? fitScale(size) : 0;
    if (scale >= LEGIBLE_SCALE) return { layout, el };
    if (!best || scale > best.scale) best = { layout, el, scale };
  }
  return best!;
}

async function render(msg: DiagramMsg): Promise<void> {
  last = msg;
  if (msg.error || !msg.mermaid) {
    // keep the last good diagram visible and say why it is not current
    errorBox.textContent = msg.error ?? "No diagram for this document.";
    errorBox.hidden = false;
    post({ type: "rendered", version: msg.version, nodes: 0, error: msg.error });
    return;
  }
  try {
    // the panel first: its height is taken from the diagram's room before a layout is chosen
    if (msg.simulation !== undefined || simulating) {
      if (!simulating) setSimulating(true, false);
      showSimulation(msg.simulation);
    }
    const chosen = await choose(msg);
    let layout = chosen.layout;
    let el = chosen.el ?? (await draw(msg, layout));
    if (fitted && !chosen.el && fitScale(sizes.get(layoutName(layout)) ?? { w: 1e9, h: 1e9 }) < LEGIBLE_SCALE && sizes.size > 1) {
      // the design grew past what the remembered sizes said: measure every layout again
      sizes.clear();
      const again = await choose(msg);
      layout = again.layout;
      el = again.el ?? (await draw(msg, layout));
    }
    show(msg, layout, el);
  } catch (e) {
    errorBox.textContent = `Could not draw the diagram: ${(e as Error).message}`;
    errorBox.hidden = false;
    post({ type: "rendered", version: msg.version, nodes: 0, error: (e as Error).message });
  }
}

/** Puts a drawn layout on screen in one step (no blank frame between the old and the new diagram). */
function show(msg: DiagramMsg, layout: Layout, el: SVGSVGElement): void {
  // a redraw keeps the keyboard on the node it was on
  const focused = canvas.contains(document.activeElement) ? document.activeElement?.getAttribute("data-quorate-id") : undefined;
  hideCard();
  const nodes = wireNodes(el, new Set(msg.nodes.map((n) => n.id)));
  const links = wireLinks(el, msg);
  // lost sites: grey and dashed whatever the layout engine does with a subgraph's class
  const lostSites = new Set(msg.simulation?.scenario.lose ?? []);
  for (const n of msg.nodes)
    if (n.kind === "site" && n.name !== undefined && lostSites.has(n.name))
      el.querySelector(`[data-quorate-id="${n.id}"]`)?.classList.add("sim-lost");
  canvas.replaceChildren(el);
  // a summarised diagram says so (as text), and what it grouped
  noteBox.textContent = msg.summary ?? "";
  noteBox.hidden = !msg.summary;
  if (focused) el.querySelector<SVGGElement>(`[data-quorate-id="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  shown = { name: layoutName(layout), folded: layout.folded, direction: layout.direction };
  document.body.dataset.layout = shown.name;
  if (fitted) fit(el);
  errorBox.hidden = true;
  status.textContent = msg.title ? `${msg.title} · ${nodes} nodes` : `${nodes} nodes`;
  post({ type: "rendered", version: msg.version, nodes, theme: themeOf().theme, scale: view.scale, layout: shown.name, ...links });
}

/**
 * Zooming in on a folded layout draws its details: the same direction unfolded, at the same
 * label size, with the site under the pointer kept where it was.
 */
async function unfoldAt(cx: number, cy: number): Promise<void> {
  const msg = last;
  if (!msg || !shown?.folded) return;
  const detailed = layoutsOf(msg).find((l) => !l.folded && l.direction === shown!.direction);
  if (!detailed) return;
  const vp = viewport.getBoundingClientRect();
  const anchor = siteAt(cx + vp.left, cy + vp.top);
  const el = await draw(msg, detailed);
  zoomedIn = true;
  show(msg, detailed, el);
  applyView();
  if (!anchor) return;
  const box = canvas.querySelector(`[data-quorate-id="${anchor.id}"]`)?.getBoundingClientRect();
  if (!box) return;
  // the same point of the same site box under the pointer
  view.x += cx + vp.left - (box.left + anchor.fx * box.width);
  view.y += cy + vp.top - (box.top + anchor.fy * box.height);
  applyView();
}

/** The site box under a point of the screen (or the nearest one), and where in it the point is. */
function siteAt(x: number, y: number): { id: string; fx: number; fy: number } | undefined {
  let best: { id: string; fx: number; fy: number; d: number } | undefined;
  for (const g of Array.from(canvas.querySelectorAll<SVGGElement>("g.cluster[data-quorate-id]"))) {
    const r = g.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const d = Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
    if (!best || d < best.d)
      best = {
        id: g.dataset.quorateId!,
        fx: Math.min(1, Math.max(0, (x - r.left) / r.width)),
        fy: Math.min(1, Math.max(0, (y - r.top) / r.height)),
        d,
      };
  }
  return best && { id: best.id, fx: best.fx, fy: best.fy };
}

// ---- the hover card of a folded site's details ----------------------------------------
const card = document.getElementById("card")!;
let cardFor: string | undefined;
let cardAnchor: Element | undefined;
/** Escape is taking the focus back to the card's node: that focus does not open the card again */
let returning = false;
const cardButtons = () => Array.from(card.querySelectorAll<HTMLButtonElement>("button"));

/** Lists what a folded node stands for, each line a button that reveals its source. Text only. */
function showCard(anchor: Element, id: string): void {
  const node = last?.nodes.find((n) => n.id === id);
  if (!node?.details?.length || cardFor === id) return;
  cardFor = id;
  const byId = new Map(last!.nodes.map((n) => [n.id, n]));
  card.replaceChildren(
    ...node.details.map((d) => {
      const n = byId.get(d);
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = n?.label ?? d;
      if (n?.severity) {
        b.classList.add(`sev-${n.severity}`);
        b.title = `${n.severity}: click to see it in the file`;
      } else b.title = "Click to see it in the file";
      b.addEventListener("click", () => post({ type: "reveal", id: d }));
      return b;
    }),
  );
  card.setAttribute("aria-label", `${node.details.length} details: Enter shows one in the file, Escape closes`);
  card.hidden = false;
  cardAnchor?.setAttribute("aria-expanded", "false");
  cardAnchor = anchor;
  anchor.setAttribute("aria-expanded", "true");
  const r = anchor.getBoundingClientRect();
  const vp = viewport.getBoundingClientRect();
  // below the node, inside the panel (above it when there is no room below)
  const left = Math.max(4, Math.min(r.left - vp.left, vp.width - card.offsetWidth - 4));
  const below = r.bottom - vp.top - 2;
  const top = below + card.offsetHeight > vp.height - 4 ? Math.max(4, r.top - vp.top - card.offsetHeight + 2) : below;
  card.style.left = `${left}px`;
  card.style.top = `${top}px`;
}

function hideCard(): void {
  card.hidden = true;
  cardFor = undefined;
  cardAnchor?.setAttribute("aria-expanded", "false");
  cardAnchor = undefined;
}
/**
 * The pointer or the focus left the node or the card: the card stays while the other is still
 * there, the pointer or the keyboard's focus (not the focus a mouse click leaves on a line).
 */
function leaveCard(to: EventTarget | null): void {
  const inside = (x: unknown) => x instanceof Node && (card.contains(x) || !!cardAnchor?.contains(x));
  const keyboard = document.activeElement?.matches(":focus-visible") ? document.activeElement : null;
  if (!inside(to) && !inside(keyboard)) hideCard();
}
card.addEventListener("mouseleave", (e) => leaveCard(e.relatedTarget));
card.addEventListener("focusout", (e) => {
  if (!card.contains(e.relatedTarget as Node | null) && e.relatedTarget !== cardAnchor) hideCard();
});
card.addEventListener("keydown", (e) => {
  const buttons = cardButtons();
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (e.key === "Escape") {
    // back to the node the card belongs to
    e.preventDefault();
    const anchor = cardAnchor as HTMLElement | SVGElement | undefined;
    hideCard();
    returning = true;
    anchor?.focus();
    returning = false;
  } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    buttons[(at + (e.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length]?.focus();
  }
});

function exportSvg(requestId: number): void {
  const el = canvas.querySelector("svg");
  if (!el) {
    post({ type: "svg", requestId, error: "nothing rendered yet" });
    return;
  }
  const copy = el.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  post({ type: "svg", requestId, svg: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n` });
}

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  if (msg?.type === "diagram") rendering = rendering.then(() => render(msg));
  else if (msg?.type === "exportSvg") void rendering.then(() => exportSvg(msg.requestId));
  else if (msg?.type === "simulateMode") setSimulating(msg.on, false);
});

document.addEventListener("securitypolicyviolation", (e) =>
  post({ type: "cspViolation", directive: e.violatedDirective, blocked: e.blockedURI }),
);

// pan with the mouse, zoom with the wheel (at the cursor) or the toolbar
// a click (no movement) is not a pan: it keeps the fitted view, so the panel still re-fits when it changes shape
const DRAG_THRESHOLD_PX = 3;
let drag: { x: number; y: number; startX: number; startY: number; moved: boolean } | undefined;
viewport.addEventListener("mousedown", (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX - view.x, y: e.clientY - view.y, startX: e.clientX, startY: e.clientY, moved: false };
  viewport.classList.add("dragging");
});
window.addEventListener("mousemove", (e) => {
  if (!drag) return;
  if (!drag.moved) {
    if (Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < DRAG_THRESHOLD_PX) return;
    drag.moved = true;
    fitted = false;
  }
  view.x = e.clientX - drag.x;
  view.y = e.clientY - drag.y;
  applyView();
});
window.addEventListener("mouseup", () => {
  drag = undefined;
  viewport.classList.remove("dragging");
});
viewport.addEventListener(
  "wheel",
  (e) => {
    e.preventDefault();
    const r = viewport.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.1 : 1 / 1.1, e.clientX - r.left, e.clientY - r.top);
  },
  { passive: false },
);
document.getElementById("zoom-in")!.addEventListener("click", () => zoomAt(1.2, viewport.clientWidth / 2, viewport.clientHeight / 2));
document.getElementById("zoom-out")!.addEventListener("click", () => zoomAt(1 / 1.2, viewport.clientWidth / 2, viewport.clientHeight / 2));
// Fit: the whole design in the panel, in the layout chosen for it (details folded again if zooming unfolded them)
document.getElementById("zoom-reset")!.addEventListener("click", () => {
  fitted = true;
  if (zoomedIn && last) {
    zoomedIn = false;
    rendering = rendering.then(() => render(last!));
    return;
  }
  const svg = canvas.querySelector("svg");
  if (svg) fit(svg);
});

// the panel changed shape (a sash dragged, the Simulate panel opened): choose and fit again
let resizing = false;
let panelSize = "";
new ResizeObserver(() => {
  const size = `${viewport.clientWidth}x${viewport.clientHeight}`;
  if (size === panelSize) return;
  panelSize = size;
  if (!fitted || !last || resizing) return;
  resizing = true;
  rendering = rendering.then(() => {
    resizing = false;
    return render(last!);
  });
}).observe(viewport);

// follow the VS Code theme: the body's classes change when the user switches themes
new MutationObserver(() => {
  initMermaid();
  if (last) rendering = rendering.then(() => render(last!));
}).observe(document.body, { attributes: true, attributeFilter: ["class"] });

mermaid.registerLayoutLoaders(elkLayouts);
initMermaid();
applyView();
post({ type: "ready" });
