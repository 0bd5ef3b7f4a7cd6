// Shared by the server and the VS Code client: types and method names only (no runtime
// imports), so the client bundle does not pull in the server's LSP library.
import type { Range } from "vscode-languageserver-types";

/** One node or edge of the diagram with the source range it stands for. */
export interface DiagramNode {
  readonly id: string;
  readonly kind: "site" | "cluster" | "quorum" | "store" | "traffic" | "export" | "link";
  readonly range: Range;
  /** the worst finding inside this entity */
  readonly severity?: "error" | "warning";
}

export interface DiagramResult {
  /** Mermaid flowchart text; empty when the document does not parse */
  readonly mermaid: string;
  readonly nodes: DiagramNode[];
  /** why there is no diagram (syntax error, not a topology) */
  readonly error?: string;
  readonly title?: string;
}

export interface DiagramParams {
  readonly uri: string;
}

/** `quorate/diagram`: the Mermaid diagram of a document, shared by the VS Code preview and other clients. */
export namespace DiagramRequest {
  export const method = "quorate/diagram";
}

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

export namespace SummaryRequest {
  export const method = "quorate/summary";
}
