// The shapes drift works with: where deployment files come from, what one comparison is, and
// what a topology's drift comes to. compare.ts binds and reads; comparer.ts compares; kinds/ knows
// each deployment file kind's fields.
import type { Document } from "yaml";
import type { TopologyContext } from "../derive/context";
import type { Finding } from "../model/finding";
import type { ParsedFile } from "../model/parse";
import type { LineIndex, Span } from "../model/text";
import type { DeployKind } from "./deployed";

/** Why an entry, or a file it reaches, is not read: `drift/outside-repository`, `drift/pattern-too-broad` or `drift/missing-file`. */
export interface Refusal {
  readonly code: "drift/outside-repository" | "drift/pattern-too-broad" | "drift/missing-file";
  readonly message: string;
}

/** What one `deployment` entry binds: the files to read, and what it reaches but must not be read. */
export interface Match {
  /** paths the caller can read back; sorted */
  readonly paths: string[];
  readonly refused?: readonly Refusal[];
}

/** Where the deployment files come from: the CLI reads the disk, the editor its open documents first. */
export interface DeploymentSource {
  /** the files a path or glob (relative to the topology's folder) names */
  match(topologyPath: string, pattern: string): Match;
  read(path: string): string | undefined;
  /** why `read(path)` gave nothing ("permission denied", "larger than 8192 KB"), when the source knows */
  whyUnread?(path: string): string | undefined;
  /** drop what the source keeps between analyses (a file was created or deleted) */
  forget?(): void;
}

/** SHA-256 fingerprints of every certificate in a PEM bundle, or why it does not parse. */
export type Fingerprints = (pem: string) => { fingerprints: string[] } | { error: string };

export interface Comparison {
  readonly cluster: string;
  readonly code: string;
  /** the design field, as format.md names it */
  readonly field: string;
  /** the deployed key */
  readonly key: string;
  readonly design: string;
  readonly deployed: string;
  readonly agree: boolean;
  readonly file: string;
  /** where in the deployment file (the value, or its anchor when absent) */
  readonly span: Span;
  /** where in the topology: the design value, or the cluster's name when the design leaves a default */
  readonly designSpan: Span;
}

export interface DriftResult {
  readonly comparisons: Comparison[];
  /** every bound file that could be read, parsed, with its findings (yaml/syntax alone when it does not parse) */
  readonly files: Map<string, { parsed: ParsedFile; findings: Finding[]; kinds: DeployKind[] }>;
  /** findings in the topology itself: entries that match no file, files of no known kind */
  readonly topology: Finding[];
  /** for each cluster (by name), the bound files */
  readonly bound: Map<string, string[]>;
}

/** Adds `more` to `into`, leaving out what is already there: a file bound by two topologies is judged twice. */
export function mergeFindings(into: Finding[], more: readonly Finding[]): Finding[] {
  for (const f of more) if (!into.some((x) => x.code === f.code && x.span.start === f.span.start && x.message === f.message)) into.push(f);
  return into;
}

export interface DriftInput {
  readonly path: string;
  /** how messages cite the topology: its file name */
  readonly label: string;
  readonly ctx: TopologyContext;
  readonly lines: LineIndex;
  /** the topology's YAML document: "Adopt" edits its value nodes */
  readonly doc: Document;
}
