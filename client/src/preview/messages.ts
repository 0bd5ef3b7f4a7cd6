import type { DiagramLayout, DiagramNode, SimulateResult, SimulateScenario } from "../../../server/src/protocol";

/** What the Simulate panel shows: the simulation without its diagram (sent as the diagram) and raw result. */
export type SimulationView = Omit<SimulateResult, "diagram" | "result">;

/** Extension → webview. */
export type ToWebview =
  | {
      readonly type: "diagram";
      readonly mermaid: string;
      /** the same design in every layout (direction × folding): the webview draws the one that fits */
      readonly layouts?: readonly DiagramLayout[];
      readonly nodes: readonly DiagramNode[];
      readonly error?: string;
      readonly title?: string;
      /** the design was too large to draw entity by entity: the diagram is a summary, and this says what it grouped */
      readonly summary?: string;
      readonly version: number;
      /** present while the Simulate control is on: the diagram is then the scenario's */
      readonly simulation?: SimulationView;
    }
  | { readonly type: "exportSvg"; readonly requestId: number }
  /** the extension turned simulation on or off (a command or a test, not the toolbar) */
  | { readonly type: "simulateMode"; readonly on: boolean };

/** Webview → extension. */
export type FromWebview =
  | { readonly type: "ready" }
  | {
      readonly type: "rendered";
      readonly version: number;
      readonly nodes: number;
      readonly error?: string;
      readonly theme?: string;
      readonly scale?: number;
      /** the layout drawn: "LR" or "TB", with " folded" when each site's details are folded */
      readonly layout?: string;
      /** WAN links drawn between two sites that a click can cut (their sites' names) */
      readonly links?: readonly (readonly [string, string])[];
      /** of those, the ones drawn cut in the scenario shown */
      readonly cut?: readonly (readonly [string, string])[];
    }
  | { readonly type: "reveal"; readonly id: string }
  /** "Export game day…" in the Simulate panel, for the scenario shown */
  | { readonly type: "exportGameDay" }
  /** the Simulate control's scenario; null turns simulation off */
  | { readonly type: "simulate"; readonly scenario: SimulateScenario | null }
  | { readonly type: "svg"; readonly requestId: number; readonly svg?: string; readonly error?: string }
  | { readonly type: "cspViolation"; readonly directive: string; readonly blocked: string };
