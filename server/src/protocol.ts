import { RequestType } from "vscode-languageserver";
import type { Range } from "vscode-languageserver";

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
  export const type = new RequestType<DiagramParams, DiagramResult | null, void>(method);
}
