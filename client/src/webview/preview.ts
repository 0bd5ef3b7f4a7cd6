// The preview webview: renders the Mermaid text the extension posts, keeps pan/zoom across
// updates, follows the theme, and reports clicks. It never receives HTML, only data.
import elkLayouts from "@mermaid-js/layout-elk";
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
 * Mermaid draws labels at 16 px: the fitted view never shrinks them below 12 px on screen (a
 * larger diagram is panned, not shrunk past that), and a small one grows to use the panel.
 */
const MIN_FIT_SCALE = 0.75;
const MAX_FIT_SCALE = 1.5;
const PAD = 16;

function fit(svg: SVGSVGElement): void {
  const w = svg.viewBox.baseVal?.width || svg.getBoundingClientRect().width;
  const h = svg.viewBox.baseVal?.height || svg.getBoundingClientRect().height;
  if (!w || !h) return;
  const room = { w: viewport.clientWidth - 2 * PAD, h: viewport.clientHeight - 2 * PAD };
  view.scale = Math.max(MIN_FIT_SCALE, Math.min(MAX_FIT_SCALE, room.w / w, room.h / h));
  // centred where it fits, from the top-left corner where it does not
  view.x = Math.max(0, (room.w - w * view.scale) / 2);
  view.y = Math.max(0, (room.h - h * view.scale) / 2);
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
  const lost = new Set(v.scenario.lose);
  const keepFocus = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
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
      const b = button(`${x.site}: ${x.verdict}`, x.breaks.length ? x.breaks.join("\n") : `Losing ${x.site} breaks nothing`, () =>
        askScenario({ lose: [x.site], partition: [], cut: [], rttFactor: null }),
      );
      b.className = `verdict-${x.verdict}`;
      b.dataset.key = `single:${x.site}`;
      return b;
    }),
  );
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
  simVerdict.className = `verdict-${v.verdict}`;
  // "nothing breaks" is about the scenario: the file's own findings still stand, and the line says so
  const remaining = v.findings.errors
    ? `, but ${v.findings.errors} error finding${v.findings.errors === 1 ? "" : "s"} in the file remain${v.findings.errors === 1 ? "s" : ""} (see Problems)`
    : v.findings.warnings
      ? ` (${v.findings.warnings} warning${v.findings.warnings === 1 ? "" : "s"} in the file remain${v.findings.warnings === 1 ? "s" : ""})`
      : "";
  simVerdict.textContent = `${v.verdict.toUpperCase()} — ${v.name}${v.breaks.length ? "" : `: this scenario breaks nothing${remaining}`}`;
  const items = (xs: readonly string[]) =>
    xs.map((b) => {
      const li = document.createElement("li");
      li.textContent = b;
      return li;
    });
  simBreaks.replaceChildren(...items(v.breaks));
  simNotes.replaceChildren(...items(v.notes));
  if (keepFocus) (simPanel.querySelector(`[data-key="${CSS.escape(keepFocus)}"]`) as HTMLElement | null)?.focus();
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
    const site = last?.nodes.find((n) => n.id === id && n.kind === "site")?.name;
    el.addEventListener("click", (e) => {
      e.stopPropagation();
      // while simulating, a click on a site marks it lost; anything else reveals its source
      if (simulating && site !== undefined) toggleLost(site);
      else post({ type: "reveal", id });
    });
  }
  return count;
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

async function render(msg: Extract<ToWebview, { type: "diagram" }>): Promise<void> {
  last = msg;
  if (msg.error || !msg.mermaid) {
    // keep the last good diagram visible and say why it is not current
    errorBox.textContent = msg.error ?? "No diagram for this document.";
    errorBox.hidden = false;
    post({ type: "rendered", version: msg.version, nodes: 0, error: msg.error });
    return;
  }
  try {
    const { svg } = await mermaid.render(`quorate-diagram-${msg.version}`, msg.mermaid);
    // swap in one step: no blank frame between the old and the new diagram
    const holder = document.createElement("div");
    holder.innerHTML = svg;
    const el = holder.querySelector("svg");
    if (!el) throw new Error("Mermaid returned no SVG");
    const nodes = wireNodes(el, new Set(msg.nodes.map((n) => n.id)));
    const links = wireLinks(el, msg);
    // lost sites: grey and dashed whatever the layout engine does with a subgraph's class
    const lostSites = new Set(msg.simulation?.scenario.lose ?? []);
    for (const n of msg.nodes)
      if (n.kind === "site" && n.name !== undefined && lostSites.has(n.name))
        el.querySelector(`[data-quorate-id="${n.id}"]`)?.classList.add("sim-lost");
    // the panel first: its height is taken from the diagram's room before the diagram is fitted
    if (msg.simulation !== undefined || simulating) {
      if (!simulating) setSimulating(true, false);
      showSimulation(msg.simulation);
    }
    canvas.replaceChildren(el);
    if (fitted) fit(el);
    errorBox.hidden = true;
    status.textContent = msg.title ? `${msg.title} · ${nodes} nodes` : `${nodes} nodes`;
    post({ type: "rendered", version: msg.version, nodes, theme: themeOf().theme, scale: view.scale, ...links });
  } catch (e) {
    errorBox.textContent = `Could not draw the diagram: ${(e as Error).message}`;
    errorBox.hidden = false;
    post({ type: "rendered", version: msg.version, nodes: 0, error: (e as Error).message });
  }
}

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
let drag: { x: number; y: number } | undefined;
viewport.addEventListener("mousedown", (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX - view.x, y: e.clientY - view.y };
  fitted = false;
  viewport.classList.add("dragging");
});
window.addEventListener("mousemove", (e) => {
  if (!drag) return;
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
document.getElementById("zoom-reset")!.addEventListener("click", () => {
  fitted = true;
  const svg = canvas.querySelector("svg");
  if (svg) fit(svg);
});

// follow the VS Code theme: the body's classes change when the user switches themes
new MutationObserver(() => {
  initMermaid();
  if (last) rendering = rendering.then(() => render(last!));
}).observe(document.body, { attributes: true, attributeFilter: ["class"] });

mermaid.registerLayoutLoaders(elkLayouts);
initMermaid();
applyView();
post({ type: "ready" });
