import type { Span } from "./text";

/**
 * What a quick fix would do, computed by the rule that knows the arithmetic. The fixes layer
 * turns hints into minimal text edits; the analyzer never edits text itself.
 */
export type FixHint =
  /** Replace one scalar (keeps any trailing comment). */
  | { readonly kind: "replace"; readonly title: string; readonly span: Span; readonly text: string; readonly preferred?: boolean }
  /** Anything structural (add witness, add link, retune timers…): the fixes layer reads `args`. */
  | { readonly kind: string; readonly title: string; readonly args?: Readonly<Record<string, unknown>>; readonly preferred?: boolean };

/** How loud a finding is (LSP DiagnosticSeverity by name). */
export type Severity = "error" | "warning" | "information" | "hint";

export interface Related {
  readonly span: Span;
  readonly message: string;
  /** the other file the span is in (a drift finding points from a deployment file to the topology); absent = this file */
  readonly path?: string;
}

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly span: Span;
  readonly message: string;
  readonly fixes?: readonly FixHint[];
  readonly related?: readonly Related[];
}
