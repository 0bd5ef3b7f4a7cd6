import { Document, isMap, isScalar, parseAllDocuments, visit, type Node, type Scalar } from "yaml";
import { parseInChunks } from "./chunks";
import type { Finding } from "./finding";
import { k8sKindOf, listedK8s, readK8s, type K8sKind, type K8sObject } from "./k8s";
import { MAX_NESTING, nestingBeyond } from "./nesting";
import { LineIndex, RangeSpan, type Span } from "./text";
import { readTopology, TOPOLOGY_API_VERSION, TOPOLOGY_KIND, type Topology } from "./topology";
import { flattenScalars, Reader, resolveAlias } from "./yamlnodes";

export type DocKind = "topology" | K8sKind | "other" | "empty";

export interface ParsedDoc {
  readonly index: number;
  readonly doc: Document;
  readonly span: Span;
  readonly kind: DocKind;
  /** yaml/syntax and yaml/duplicate-key findings */
  readonly yamlFindings: Finding[];
  /** a yaml/syntax finding: the document gets no other finding */
  readonly broken: boolean;
  readonly topology?: Topology;
  readonly k8s?: K8sObject;
  /** a Kubernetes List (not in a topology file): the objects Quorate reads among its items */
  readonly listed?: K8sObject[];
}

export interface ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly docs: ParsedDoc[];
  /** named *.topology.yaml / *.topology.yml */
  readonly topologyName: boolean;
  /** holds at least one document Quorate reads (or is a topology file by name) */
  readonly relevant: boolean;
}

export const TOPOLOGY_FILE = /\.topology\.ya?ml$/i;

/**
 * How every topology text is parsed (whole files, items re-parsed on an edit, the warm-up's priming).
 * `uniqueKeys: false`: the parser's own duplicate-key check compares each new key with every key
 * before it in its mapping — a cloned file of 20,000 keys in one mapping cost 12 s of CPU, 100,000
 * more than a minute (audit A10) — so repeated keys are found here instead, once per mapping with
 * a set (firstRepeatedKey, duplicateKeys), the same keys as the parser's check (scalar values).
 */
export const YAML_OPTIONS = { version: "1.2", uniqueKeys: false, prettyErrors: false, strict: true } as const;

/**
 * The first key that repeats an earlier one of its mapping, anywhere under `node` (scalar keys
 * by value, as the parser's uniqueKeys compares them); undefined when there is none. One walk,
 * a set per mapping: linear in the nodes.
 */
export function firstRepeatedKey(node: unknown): { first: Scalar; again: Scalar } | undefined {
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop() as { items?: unknown[] } | null;
    if (!n || typeof n !== "object" || !Array.isArray(n.items)) continue;
    if (isMap(n)) {
      const seen = new Map<unknown, Scalar>();
      for (const pair of n.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const first = seen.get(key.value);
          if (first) return { first, again: key };
          seen.set(key.value, key);
        } else if (key && typeof key === "object") stack.push(key);
        stack.push(pair.value);
      }
    } else for (const item of n.items) stack.push(item);
  }
  return undefined;
}

export function isTopologyFileName(path: string): boolean {
  return TOPOLOGY_FILE.test(path);
}

/**
 * A cheap look before parsing: could this YAML file hold a kind Quorate reads? Also a List's item
 * whose `kind` comes first (`- kind: RoleBinding`) and a typed list (`kind: RoleBindingList`).
 */
export const INTERESTING = /^[ \t-]*kind:[ \t]*["']?(Topology|ServiceExport|Role|ClusterRole|RoleBinding|ClusterRoleBinding)(List)?\b/m;

export const isYamlName = (name: string): boolean => /\.ya?ml$/i.test(name);

/** Whether a YAML file is worth analysing: a topology by name, or one that mentions a kind Quorate reads. */
export function isInteresting(path: string, text: string): boolean {
  return isTopologyFileName(path) || INTERESTING.test(text);
}

/** How much of the text it stumbled on a parser message may quote. */
const QUOTED_MAX = 16;

/**
 * yaml's message for a stray token quotes the whole token (`Unexpected scalar token in YAML
 * stream: "…"`): from a file that is not YAML at all (a credentials file, a minified bundle),
 * that is a secret or a megabyte in CI's SARIF and logs. The finding's span shows where it is;
 * the message keeps its first QUOTED_MAX characters.
 */
export function shortenQuotedToken(message: string): string {
  const m = /^([^"]*): ("(?:[^"\\]|\\.)*")$/s.exec(message);
  if (!m) return message;
  let token: string;
  try {
    token = JSON.parse(m[2]) as string;
  } catch {
    return message;
  }
  return token.length <= QUOTED_MAX ? message : `${m[1]}: ${JSON.stringify(token.slice(0, QUOTED_MAX))}… (${token.length} characters)`;
}

/** A YAML finding after which the document is not analysed: it does not parse, or its aliases make it infinite. */
export const breaksDocument = (f: Finding): boolean => f.code === "yaml/syntax" || f.code === "yaml/aliases";

function syntaxFinding(message: string, pos: [number, number], textLength: number): Finding {
  const start = Math.min(pos[0], textLength);
  const end = Math.max(start, Math.min(pos[1], textLength));
  return { code: "yaml/syntax", severity: "error", span: { start, end }, message: shortenQuotedToken(message) };
}

/** yaml reports a duplicate key at one character; this anchors on the whole repeated key. */
function duplicateKeys(doc: Document, lines: LineIndex): Finding[] {
  const out: Finding[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<unknown, Node>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (!key || !isScalar(key) || !key.range) continue;
        const value = (key as Scalar).value;
        const first = seen.get(value);
        if (!first) {
          seen.set(value, key);
          continue;
        }
        out.push({
          code: "yaml/duplicate-key",
          severity: "error",
          span: { start: key.range[0], end: key.range[1] },
          message: `key \`${String(value)}\` repeats an earlier key in the same mapping (line ${lines.positionAt(first.range![0]).line + 1}); YAML forbids it and tools disagree on which value wins`,
          related: [{ span: { start: first.range![0], end: first.range![1] }, message: "first occurrence" }],
        });
      }
    },
  });
  return out;
}

function classify(doc: Document, topologyName: boolean): DocKind {
  if (doc.contents === null || doc.contents === undefined) return "empty";
  if (!isMap(doc.contents)) return topologyName ? "topology" : "other";
  const r = new Reader(doc);
  const top = r.entries(doc.contents);
  const apiVersion = r.scalar(top.get("apiVersion")?.node ?? null);
  const kind = r.scalar(top.get("kind")?.node ?? null);
  const k8s = k8sKindOf(apiVersion, kind);
  if (k8s) return k8s;
  if (apiVersion === TOPOLOGY_API_VERSION && kind === TOPOLOGY_KIND) return "topology";
  // a misspelt kind or version of ours still goes to the schema, which names the mistake
  if (typeof apiVersion === "string" && apiVersion.startsWith("quorate.dev/")) return "topology";
  return topologyName ? "topology" : "other";
}

/**
 * Aliases that name no anchor before them: yaml accepts them and fails only when they are read.
 * And an alias inside the node its anchor names (`labels: &m {a: *m}`): legal YAML, but the data
 * it stands for is infinite — no JSON value, no schema, no rule can read it (a validator would
 * recurse until its stack overflows) — so the document is not analysed, as for a billion laughs.
 */
function aliasFindings(doc: Document, text: string): Finding[] {
  if (!text.includes("*")) return [];
  const out: Finding[] = [];
  visit(doc, {
    Alias(_, alias) {
      // resolveAlias, not alias.resolve: one walk of the document for all its aliases, not one each
      const target = resolveAlias(doc, alias);
      if (target?.range && alias.range && alias.range[0] >= target.range[0] && alias.range[1] <= target.range[2]) {
        out.push({
          code: "yaml/aliases",
          severity: "error",
          span: { start: alias.range[0], end: alias.range[1] },
          message: `alias \`*${alias.source}\` is inside the node \`&${alias.source}\` names, so that node contains itself without end; the document is not analysed (anchor a node that does not hold the alias)`,
        });
        return;
      }
      if (target !== undefined || !alias.range) return;
      out.push({
        code: "yaml/syntax",
        severity: "error",
        span: { start: alias.range[0], end: alias.range[1] },
        message: `alias \`*${alias.source}\` names no anchor: YAML needs \`&${alias.source}\` on a node before the alias`,
      });
    },
  });
  return out;
}

/** The file refused before parsing: one finding where nesting passes the limit. */
function tooDeep(path: string, text: string, lines: LineIndex, at: number, topologyName: boolean): ParsedFile {
  const doc = new Document();
  const span = { start: 0, end: text.length };
  const yamlFindings: Finding[] = [
    {
      code: "yaml/too-deep",
      severity: "error",
      span: { start: at, end: Math.min(text.length, at + 1) },
      message: `YAML nested more than ${MAX_NESTING} levels deep here; the file is not analysed (a topology needs about six)`,
    },
  ];
  const docs: ParsedDoc[] = [{ index: 0, doc, span, kind: topologyName ? "topology" : "other", yamlFindings, broken: true }];
  return { path, text, lines, docs, topologyName, relevant: true };
}

/** `asTopology`: judge the file as a topology whatever its name (a `.topology.yaml` name says so by default). */
export function parseFile(path: string, text: string, asTopology = isTopologyFileName(path)): ParsedFile {
  const topologyName = asTopology;
  const lines = new LineIndex(text);
  const deep = nestingBeyond(text);
  if (deep >= 0) return tooDeep(path, text, lines, deep, topologyName);
  // a large file's long lists a chunk at a time (the same nodes, a fraction of the memory)
  const chunked = parseInChunks(text, YAML_OPTIONS);
  const parsed = chunked ? [chunked] : parseAllDocuments(text, YAML_OPTIONS);
  const list: Document[] = Array.isArray(parsed) ? (parsed as Document[]) : [];
  const docs: ParsedDoc[] = list.map((doc, index) => {
    const range = doc.range ?? [0, text.length, text.length];
    const span = new RangeSpan(range, 0, 2);
    const yamlFindings = doc.errors.filter((e) => e.code !== "DUPLICATE_KEY").map((e) => syntaxFinding(e.message, e.pos, text.length));
    // the parser no longer looks for repeated keys (YAML_OPTIONS): one linear walk says whether any
    // mapping has one, and only then the findings are made
    if (firstRepeatedKey(doc.contents)) yamlFindings.push(...duplicateKeys(doc, lines));
    if (!yamlFindings.some((f) => f.code === "yaml/syntax")) yamlFindings.push(...aliasFindings(doc, text));
    const broken = yamlFindings.some(breaksDocument);
    const kind = classify(doc, topologyName);
    if (broken) return { index, doc, span, kind, yamlFindings, broken };
    flattenScalars(doc.contents);
    const topology = kind === "topology" ? readTopology(doc, span) : undefined;
    const k8s = kind !== "topology" && kind !== "other" && kind !== "empty" ? readK8s(doc, kind, span) : undefined;
    const listed = kind === "other" ? listedK8s(doc) : undefined;
    return { index, doc, span, kind, yamlFindings, broken, topology, k8s, ...(listed?.length ? { listed } : {}) };
  });
  const relevant = topologyName || docs.some((d) => (d.kind !== "other" && d.kind !== "empty") || d.listed);
  return { path, text, lines, docs, topologyName, relevant };
}
