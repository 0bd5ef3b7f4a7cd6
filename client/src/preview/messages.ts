import type { DiagramNode } from "../../../server/src/protocol";

/** Extension → webview. */
export type ToWebview =
  | {
      readonly type: "diagram";
      readonly mermaid: string;
      readonly nodes: readonly DiagramNode[];
      readonly error?: string;
      readonly title?: string;
      readonly version: number;
    }
  | { readonly type: "exportSvg"; readonly requestId: number };

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
    }
  | { readonly type: "reveal"; readonly id: string }
  | { readonly type: "svg"; readonly requestId: number; readonly svg?: string; readonly error?: string }
  | { readonly type: "cspViolation"; readonly directive: string; readonly blocked: string };
