import type { Span } from "./text";

/**
 * What a quick fix would do, computed by the rule that knows the arithmetic. The fixes layer
 * turns hints into minimal text edits; the analyzer never edits text itself.
 */
/** Text edits by offset (one file's). */
export type OffsetEdits = readonly { readonly start: number; readonly end: number; readonly text: string }[];

/**
 * A fix a rule offers, as data (it crosses threads and reaches the CLI's JSON): the fixes layer
 * (fixes/fixes.ts) turns each kind into edits. One member per kind, so a kind's arguments are
 * typed where the rule writes them and where the fix reads them.
 */
export type FixHint = { readonly title: string; readonly preferred?: boolean } & FixHintKind;

type FixHintKind =
  /**
   * Replace one scalar (keeps any trailing comment). `string`: `text` is a string value (a name),
   * written as YAML keeps it a string, in the quotes of the scalar it replaces (fixes/scalar.ts).
   */
  | { readonly kind: "replace"; readonly span: Span; readonly text: string; readonly string?: true }
  /** Several scalars of one value (a block list of CIDRs), each replaced in place. */
  | { readonly kind: "replace-all"; readonly args: { readonly edits: OffsetEdits } }
  /** Edits of another file (drift's "adopt the deployed value in the design" edits the topology). */
  | { readonly kind: "replace-in"; readonly args: { readonly path: string; readonly edits: OffsetEdits } }
  /**
   * cidr/overlap: the finding's range moved to the lowest free block of its size in its private
   * parent (derive/cidr freeRangeFor), searched when the fix is asked for; nothing when none is free.
   */
  | { readonly kind: "free-range" }
  | { readonly kind: "declare-site"; readonly args: { readonly name: string } }
  | { readonly kind: "member-delta"; readonly args: { readonly site: string; readonly delta: number } }
  /** `store`: the store whose quorum gets the witness (objective findings sit on the objective, not the members) */
  | { readonly kind: "add-witness"; readonly args?: { readonly store: string } }
  | { readonly kind: "rebalance-members" }
  | { readonly kind: "set-timers"; readonly args: { readonly heartbeatMs: number; readonly electionTimeoutMs: number } }
  | { readonly kind: "add-link"; readonly args: { readonly a: string; readonly b: string } }
  | { readonly kind: "single-writer"; readonly args: { readonly site: string } }
  | { readonly kind: "remove-export" }
  | { readonly kind: "rebalance-weights"; readonly args: { readonly weights: readonly number[] } }
  /** Remove `key` and its value from the map at `path` (keys and indices from the document root), keeping comments. */
  | { readonly kind: "remove-key"; readonly args: { readonly path: readonly (string | number)[]; readonly key: string } }
  /** Set `key` in the map at `path` (keys and indices from the document root), adding it when absent. */
  | {
      readonly kind: "set-at";
      readonly args: { readonly path: readonly (string | number)[]; readonly key: string; readonly value: string };
    }
  /** Set `key` in cluster `cluster`'s (by index) `block` map, adding it when absent. */
  | {
      readonly kind: "set-field";
      readonly args: { readonly cluster: number; readonly block: string; readonly key: string; readonly value: string | number | boolean };
    };

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
