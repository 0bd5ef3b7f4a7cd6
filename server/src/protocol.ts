// Shared by the server and the VS Code client: every custom request declared once, as a
// RequestType<Params, Result, void>. The server's handler table (requests.ts) and the client's
// sendRequest both take these objects, so a handler or a call whose types disagree with the
// declaration does not build. The only runtime import is vscode-languageserver-protocol's
// RequestType (vscode-jsonrpc), which both bundles carry already.
import { RequestType } from "vscode-languageserver-protocol";
import type { Range } from "vscode-languageserver-types";

/** One node or edge of the diagram with the source range it stands for. */
export interface DiagramNode {
  readonly id: string;
  /** "group": in a summarised diagram (`DiagramResult.summary`), sites or traffic entries counted in one node; `range` is the first of them */
  readonly kind: "site" | "cluster" | "quorum" | "store" | "traffic" | "export" | "link" | "drift" | "details" | "group";
  readonly range: Range;
  /** the worst finding inside this entity */
  readonly severity?: "error" | "warning";
  /** the declared name (sites): what the Simulate control marks lost when the node is clicked */
  readonly name?: string;
  /** the title drawn on a site's box: how the preview finds the box when the layout drops subgraph ids */
  readonly title?: string;
  /** a node whose source is another file (a drift marker: the deployment file); `range` is in that file */
  readonly uri?: string;
  /** what the node says, as plain text (quorum members and stores: the hover card of a folded site lists them) */
  readonly label?: string;
  /** a folded layout's "details" node: the ids of the nodes it stands for (drawn in the other layouts) */
  readonly details?: readonly string[];
}

/** One way to draw the same design: sites side by side (LR) or stacked (TB), details drawn or folded. */
export interface DiagramLayout {
  readonly direction: "LR" | "TB";
  /** each site's quorum members and stores folded into one node (its hover card lists them) */
  readonly folded: boolean;
  readonly mermaid: string;
}

export interface DiagramResult {
  /** Mermaid flowchart text; empty when the document does not parse */
  readonly mermaid: string;
  readonly nodes: DiagramNode[];
  /** why there is no diagram (syntax error, not a topology) */
  readonly error?: string;
  readonly title?: string;
  /**
   * The preview's choices (asked for with `layouts`): every direction × folding, `mermaid` among
   * them (LR, not folded). The preview draws the one that fits its panel legibly.
   */
  readonly layouts?: readonly DiagramLayout[];
  /**
   * Present when the design is too large for Mermaid to draw entity by entity (and the request
   * did not ask for `full`): the diagram is then a summary — sites and traffic grouped, with
   * counts — and this says so, in plain text.
   */
  readonly summary?: string;
}

export interface DiagramParams {
  readonly uri: string;
  /** the full diagram whatever its size (Export Diagram), LR only; the preview's request leaves it out */
  readonly full?: boolean;
}

/** `quorate/diagram`: the Mermaid diagram of a document, shared by the VS Code preview and other clients. */
export const DiagramRequest = new RequestType<DiagramParams, DiagramResult | null, void>("quorate/diagram");

/** What the status bar shows for a document. */
export interface SummaryResult {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** null when the document has nothing a site loss could break (no multi-site quorum or traffic) */
  readonly survivesSiteLoss: boolean | null;
  /** the findings that say a single-site loss breaks something */
  readonly siteLossFindings: string[];
}

/** `quorate/summary`: the status bar's counts and site-loss verdict; null for a file that is not a topology. */
export const SummaryRequest = new RequestType<DiagramParams, SummaryResult | null, void>("quorate/summary");

/** A link by its two sites (either order), never a joined string: site names may contain `-`. */
export interface LinkRef {
  readonly between: readonly [string, string];
}

/** A slowed link: its RTTs × factor (1 < factor ≤ 1000). */
export interface LinkFactorRef extends LinkRef {
  readonly factor: number;
}

/** A failure scenario as the preview asks for it (shared design/whatif.md, "Scenarios"). */
export interface SimulateScenario {
  readonly lose?: readonly string[];
  /** named groups; sites named nowhere form one more group */
  readonly partition?: readonly (readonly string[])[];
  /** links cut one by one (reachability is then not transitive) */
  readonly cut?: readonly LinkRef[];
  readonly loseMembers?: Readonly<Record<string, number>>;
  readonly rttFactor?: number | null;
  readonly slow?: readonly LinkFactorRef[];
}

export interface SimulateParams {
  readonly uri: string;
  readonly scenario: SimulateScenario;
}

export type WhatIfVerdict = "ok" | "degraded" | "down";

/** One row of the "single-site losses" strip. */
export interface SiteLossVerdict {
  readonly site: string;
  readonly verdict: WhatIfVerdict;
  readonly breaks: readonly string[];
  /** the failover window the verdict leaves out, in simulate's words ("once gslb has withdrawn fra — for up to 90 s, 20,000 rps of checkout time out"); absent without one */
  readonly judged?: string;
}

export interface SimulateResult {
  /** the diagram coloured by the scenario: lost (grey, dashed), stopped (red), degraded (amber), cut links dashed */
  readonly diagram: DiagramResult;
  /** every declared site, in order, with its role */
  readonly sites: readonly { readonly name: string; readonly role: string }[];
  /** every declared link between two declared sites, in order: what the Simulate control can cut */
  readonly links: readonly LinkRef[];
  /** the scenario actually run: names the document no longer declares are dropped */
  readonly scenario: Required<SimulateScenario>;
  readonly name: string;
  readonly verdict: WhatIfVerdict;
  /** the failover window the verdict leaves out, in simulate's words (engine judgedOnce); absent without one */
  readonly judged?: string;
  /** one sentence per thing that breaks, with its numbers */
  readonly breaks: readonly string[];
  /** with no break: "the RPO of store carts is unknown" where a lost writer's unreplicated writes have no lag bound (review M147: not "breaks nothing"); absent otherwise */
  readonly rpoUnknown?: string;
  /** what else a reader should know (lost clusters, stale replicas, at-capacity backends, data at risk) */
  readonly notes: readonly string[];
  /** error and warning findings of the file: the strip says they remain even when the scenario breaks nothing */
  readonly findings: { readonly errors: number; readonly warnings: number };
  /** the verdict of each single-site loss; empty past 32 sites (the CLI's --all-single-site sweeps any number) */
  readonly singles: readonly SiteLossVerdict[];
  /** every two-group partition's groups (empty past the engine's cap) */
  readonly partitions: readonly (readonly string[])[][];
  /** the engine's result as `quorate simulate --format json` prints it */
  readonly result: unknown;
}

/** `quorate/simulate`: what a failure scenario does to the open design; null when the document holds no topology. */
export const SimulateRequest = new RequestType<SimulateParams, SimulateResult | null, void>("quorate/simulate");

/** `quorate/decisionRecord`: the decision record (Markdown) of the open design; null without a topology. */
export const DecisionRecordRequest = new RequestType<DiagramParams, string | null, void>("quorate/decisionRecord");

export interface CompareParams {
  readonly uri: string;
  /** the git revision to compare the open (unsaved) text against */
  readonly revision: string;
}

export interface CompareResult {
  readonly markdown: string;
  readonly regressions: number;
  /** why there is no comparison (not in a repository, the file is new in git, …) */
  readonly error?: string;
}

/** `quorate/compare`: the diff of the open design against a git revision of the same file, as Markdown. */
export const CompareRequest = new RequestType<CompareParams, CompareResult | null, void>("quorate/compare");

export interface GameDayParams {
  readonly uri: string;
  readonly scenario: { readonly lose?: readonly string[]; readonly partition?: readonly (readonly string[])[] };
  readonly tool: "chaos-mesh" | "litmus";
  /** a Go duration: 10m, 90s, 1h30m; absent or empty: derived from the design (quorate gameday without --duration) */
  readonly duration?: string;
  readonly namespaces?: readonly string[];
  /** write a drill predicted to take the design down (the CLI's --accept-down); without it such a drill is refused with `down` set */
  readonly acceptDown?: boolean;
}

export interface GameDayResult {
  /** the folder name the CLI would use (gameday-partition-fra-vs-lon-ams) */
  readonly folder: string;
  /** paths relative to that folder, `/`-separated */
  readonly files: readonly { readonly path: string; readonly content: string }[];
  /** what the manifests cannot enact, said plainly */
  readonly notes: readonly string[];
  /** why there is no game day (no topology, both --lose and --partition, a bad duration) */
  readonly error?: string;
  /** the error is the go/no-go of a drill predicted to take the design down: asking again with acceptDown writes it */
  readonly down?: boolean;
}

/** `quorate/gameday`: the chaos manifests and RUNBOOK.md that enact a scenario (what `quorate gameday` writes). */
export const GameDayRequest = new RequestType<GameDayParams, GameDayResult | null, void>("quorate/gameday");

/** A cluster's drift, for the preview's marker: the first drifting value's file and place, and how many drift. */
export interface DriftMarker {
  readonly uri: string;
  readonly range: Range;
  readonly count: number;
  readonly file: string;
}

// How Node is started for the language server: the VS Code client passes these flags (and
// `npm run bench` starts the server with them, as the client does). Any other editor starts
// `quorate-language-server --stdio` without them unless told (README, Other editors).

/**
 * The young generation's semi-spaces capped at 1 MB. The main thread only relays a large file's
 * edits and answers (the background thread analyses it), yet V8 grows a thread's young
 * generation up to 16 MB as objects survive there, and the process keeps those pages resident.
 * The flag holds for the background thread too, over its resourceLimits: its young generation
 * is 2 MB instead of 4 (semi-spaces of 1 MB instead of 2). (Since 7 December the server sets that
 * thread's own before starting it: background/host.ts SEMI_SPACE_MB.) Measured on the benchmark's 1 MB
 * rings file on a quiet machine, one run each: peak RSS over the whole session 190 and 192 MB
 * with it, 209–219 MB without (2 MB semi-spaces: 198 MB); keystroke and Simulate times the same
 * within the noise of those runs. Only a flag at start does it: V8 sizes each thread's young
 * generation when the thread starts. A server started without them keeps its young generations
 * as small by itself (background/memory.ts keepYoungGenerationSmall, background/host.ts).
 *
 * And one V8 helper thread (`--v8-pool-size=1`; Node's default is 4, whatever the machine). The
 * helpers compile optimised code and mark and sweep beside both threads, and glibc gives each
 * thread that allocates an arena of its own, which keeps the pages it has used: the memory V8
 * mallocs on four helpers stays resident four times over. On the benchmark's 1 MB rings file
 * (one run each, machine loaded, so memory and CPU time only) the whole session peaked at 185,
 * 190 and 186 MB with one helper against 197–203 MB with four (two helpers: 192–196 MB; four with
 * MALLOC_ARENA_MAX=2: 190–191 MB, so the arenas it is), the server's CPU time for opening and
 * typing the same within the noise. The session's peak is in the Simulate clicks (npm run bench
 * prints each phase's). One helper is what this project's 2-core machine can run beside the
 * background thread anyway; on more cores a full collection has fewer helpers to mark with (the
 * heap keeper's run when the thread is idle: background/memory.ts). Only a flag at start does it
 * (Node starts the pool with the process): another editor passes it in NODE_OPTIONS (README,
 * Other editors).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1", "--v8-pool-size=1"];
