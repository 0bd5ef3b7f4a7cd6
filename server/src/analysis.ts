import type { Finding } from "./model/finding";
import { isTopologyFileName, parseFile, type ParsedFile } from "./model/parse";
import type { LineIndex } from "./model/text";
import { ruleInfo, type Severity } from "./rules/catalog";
import { DEFAULT_OPTIONS, TopologyContext, type AnalysisOptions } from "./derive/context";
import { manifestRules, type ManifestFile } from "./rules/exports";
import { LATE_RULES, TOPOLOGY_RULES } from "./rules/index";
import type { Steps } from "./util/steps";
import type { FamilyRecord } from "./reuse";
import { validateTopologyGroups } from "./schema/validate";
import { foreignObject } from "./schema/foreign";
import { drift, mergeFindings, type DeploymentSource, type DriftResult, type Fingerprints } from "./drift/compare";

export type SeverityOverride = Severity | "off";

export interface RunOptions extends AnalysisOptions {
  /** per-code severity overrides (setting quorate.rules, CLI --rule) */
  readonly severities?: Readonly<Record<string, SeverityOverride>>;
}

export interface FileAnalysis {
  readonly parsed: ParsedFile;
  /** findings that need only this file, before disable comments and overrides */
  readonly local: Finding[];
  readonly contexts: TopologyContext[];
  /** for a file holding exactly one topology: its schema findings by list item (incremental re-analysis) */
  readonly schemaGroups?: Map<string, Finding[]>;
  readonly options: AnalysisOptions;
  /** an incremental analysis's: what its rule families read of the item it re-read (reuse.ts) */
  readonly families?: FamilyRecord;
}

/**
 * The findings that say the file breaks the format itself (the schema, numbers past what Quorate
 * computes with). A game day, enacted on production, is not written from such a file: its names
 * and numbers are not the ones the design means.
 */
export const formatErrors = (a: FileAnalysis): Finding[] =>
  a.local.filter((f) => f.severity === "error" && (f.code === "schema" || f.code.startsWith("value/")));

/** The families rules/index runs late. */
const LATE = new Set(LATE_RULES.map(([name]) => name));
const EARLY_RULES = TOPOLOGY_RULES.filter(([name]) => !LATE.has(name));

/** The families an analysis runs, in order: every one, or with `deferFigures` not the late ones (runRules, reuse.ts). */
export function rulesToRun(options: AnalysisOptions): typeof TOPOLOGY_RULES {
  return options.deferFigures ? EARLY_RULES : TOPOLOGY_RULES;
}

/** Runs every rule family on one topology, each guarded (with `deferFigures`, not the late ones). */
export function runRules(ctx: TopologyContext, at: number): Finding[] {
  const out: Finding[] = [];
  for (const [name, rule] of rulesToRun(ctx.options)) out.push(...guarded(name, at, () => rule(ctx)));
  return out;
}

/**
 * The findings an analysis with `deferFigures` left out (rules/index LATE_RULES), step-wise: the
 * editor runs them after publishing the others, a few steps per turn, and gives them up when a
 * newer edit arrives. Each family guarded as in runRules.
 */
export function* lateFindingsSteps(a: FileAnalysis): Steps<Finding[]> {
  const out: Finding[] = [];
  for (const ctx of a.contexts)
    for (const [name, steps] of LATE_RULES) {
      try {
        out.push(...(yield* steps(ctx)));
      } catch (err) {
        out.push(internalError(name, ctx.topology.span.start, err));
      }
    }
  return out;
}

/** The one finding a failing rule family (or the schema step) leaves behind. */
function internalError(name: string, at: number, err: unknown): Finding {
  return {
    code: "quorate/internal-error",
    severity: "error",
    span: { start: at, end: at },
    message: `rule family \`${name}\` failed on this document and reported nothing (${(err as Error)?.message ?? String(err)}); the other rules still ran`,
  };
}

export function guarded(name: string, at: number, run: () => Finding[]): Finding[] {
  try {
    return run();
  } catch (err) {
    return [internalError(name, at, err)];
  }
}

/** Everything that can be judged from one file alone (`asTopology`: as a topology whatever its name, see `parseFile`). */
export function analyzeFile(path: string, text: string, options: AnalysisOptions = DEFAULT_OPTIONS, asTopology?: boolean): FileAnalysis {
  const parsed = parseFile(path, text, asTopology);
  const local: Finding[] = [];
  const contexts: TopologyContext[] = [];
  if (!parsed.relevant) return { parsed, local, contexts, options };
  let schemaGroups: Map<string, Finding[]> | undefined;
  for (const d of parsed.docs) {
    local.push(...d.yamlFindings);
    if (d.broken || !d.topology) continue;
    // another Kubernetes object (a piped ConfigMap, a List): one sentence, not the schema's every key
    const foreign = foreignObject(d.doc, isTopologyFileName(path));
    if (foreign) {
      local.push(foreign);
      continue;
    }
    let schema: ReturnType<typeof validateTopologyGroups>;
    try {
      schema = validateTopologyGroups(d.doc, d.span);
    } catch (e) {
      local.push(internalError("schema", d.span.start, e));
      continue;
    }
    if (schema.aliasBomb) {
      local.push(schema.aliasBomb);
      continue;
    }
    for (const list of schema.groups.values()) local.push(...list);
    schemaGroups = parsed.docs.length === 1 ? schema.groups : undefined;
    const ctx = new TopologyContext(d.topology, options);
    contexts.push(ctx);
    local.push(...runRules(ctx, d.span.start));
  }
  return { parsed, local, contexts, schemaGroups, options };
}

export function manifestFileOf(a: FileAnalysis): ManifestFile {
  return {
    path: a.parsed.path,
    objects: a.parsed.docs.flatMap((d) => (d.k8s ? [d.k8s] : (d.listed ?? []))),
    policies: a.contexts.flatMap((c) => (c.topology.exportPolicy ? [c.topology.exportPolicy] : [])),
  };
}

const DIRECTIVE = /#\s*quorate-disable-next-line\b([^\n\r]*)/;

/** Lines (0-based) whose findings are silenced, with the codes (empty set = every code). */
export function disabledLines(lines: LineIndex): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  const text = lines.text;
  if (!text.includes("quorate-disable-next-line")) return out;
  for (let i = 0; i < lines.lineCount; i++) {
    const m = DIRECTIVE.exec(lines.lineText(i));
    if (!m) continue;
    const codes = m[1]
      .replace(/\s--\s.*$/, "")
      .split(/[\s,]+/)
      .filter(Boolean);
    out.set(i + 1, new Set(codes));
  }
  return out;
}

/** Applies disable comments and severity overrides, and sorts by position. */
export function finalize(parsed: ParsedFile, findings: readonly Finding[], severities?: RunOptions["severities"]): Finding[] {
  const disabled = disabledLines(parsed.lines);
  const out: Finding[] = [];
  // (an indexed loop: a for-of not yet optimised allocates a result per finding, and a `/2`
  // typed into a prefix makes thousands)
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    // (a file without disable comments, the usual case, needs no finding's line)
    const codes = disabled.size ? disabled.get(parsed.lines.positionAt(f.span.start).line) : undefined;
    if (codes && (codes.size === 0 || codes.has(f.code))) continue;
    const override = severities?.[f.code];
    if (override === "off") continue;
    out.push(override && ruleInfo(f.code) ? { ...f, severity: override } : f);
  }
  // by start, end, code and message: each span read once (its ends are getters on the syntax
  // tree), not in every comparison (a `/2` typed into a prefix sorts thousands); a stable sort
  // of the indices leaves ties in the same order as one of the findings would
  const starts = new Float64Array(out.length);
  const ends = new Float64Array(out.length);
  const order: number[] = [];
  for (let i = 0; i < out.length; i++) {
    starts[i] = out[i].span.start;
    ends[i] = out[i].span.end;
    order.push(i);
  }
  order.sort(
    (i, j) =>
      starts[i] - starts[j] || ends[i] - ends[j] || out[i].code.localeCompare(out[j].code) || out[i].message.localeCompare(out[j].message),
  );
  return order.map((i) => out[i]);
}

export interface RunResult {
  readonly parsed: ParsedFile;
  readonly findings: Finding[];
}

/** One file judged alone, with its finalized findings (what `quorate check FILE` reports for it). */
export function analyzeAlone(
  path: string,
  text: string,
  options: RunOptions = DEFAULT_OPTIONS,
  deployments?: Deployments,
): { analysis: FileAnalysis; findings: Finding[]; bound: BoundFindings[] } {
  const analysis = analyzeFile(path, text, options);
  const manifests = analysis.parsed.relevant ? manifestRules([manifestFileOf(analysis)]) : new Map<string, Finding[]>();
  // with `deployments`, the drift of the files its clusters bind: the topology's own entries join its findings, the files' come apart
  const own: Finding[] = [];
  const files = new Map<string, { parsed: ParsedFile; findings: Finding[] }>();
  for (const d of deployments ? driftOf(analysis, deployments) : []) {
    own.push(...d.topology);
    for (const [p, f] of d.files) {
      const seen = files.get(p);
      if (!seen) files.set(p, { parsed: f.parsed, findings: [...f.findings] });
      else mergeFindings(seen.findings, f.findings);
    }
  }
  const bound = [...files]
    .map(([p, f]) => ({ path: p, parsed: f.parsed, findings: finalize(f.parsed, f.findings, options.severities) }))
    .filter((f) => f.findings.length);
  return {
    analysis,
    findings: finalize(analysis.parsed, [...analysis.local, ...(manifests.get(path) ?? []), ...own], options.severities),
    bound,
  };
}

/** The findings in one deployment file a topology binds (drift), finalized by that file's own disable comments. */
export interface BoundFindings {
  readonly path: string;
  readonly parsed: ParsedFile;
  readonly findings: readonly Finding[];
}

/** Reading the deployment files bound to clusters (drift): given by the CLI and the server, absent in pure uses. */
export interface Deployments {
  readonly source: DeploymentSource;
  readonly fingerprints: Fingerprints;
}

/** The drift of every topology of one analysed file against its bound deployment files. */
export function driftOf(a: FileAnalysis, deployments: Deployments): DriftResult[] {
  const out: DriftResult[] = [];
  for (const ctx of a.contexts) {
    if (!ctx.topology.clusters.some((c) => c.deployment?.items.length)) continue;
    const doc = a.parsed.docs.find((d) => d.topology === ctx.topology);
    if (!doc) continue;
    const label = a.parsed.path.split(/[\\/]/).pop() ?? a.parsed.path;
    out.push(drift({ path: a.parsed.path, label, ctx, lines: a.parsed.lines, doc: doc.doc }, deployments.source, deployments.fingerprints));
  }
  return out;
}

/**
 * Analyses several files as one run: manifest rules see every file's roles, bindings and
 * policies; with `deployments`, each topology's bound deployment files are read and compared
 * (their findings come back as results of their own, after the files of the run).
 */
export function analyzeRun(
  files: readonly { path: string; text: string; asTopology?: boolean }[],
  options: RunOptions = DEFAULT_OPTIONS,
  deployments?: Deployments,
): RunResult[] {
  const analyses = files.map((f) => analyzeFile(f.path, f.text, options, f.asTopology));
  const manifests = manifestRules(analyses.filter((a) => a.parsed.relevant).map(manifestFileOf));
  const extra = new Map<string, Finding[]>();
  const bound = new Map<string, { parsed: ParsedFile; findings: Finding[] }>();
  if (deployments)
    for (const a of analyses)
      for (const d of driftOf(a, deployments)) {
        extra.set(a.parsed.path, [...(extra.get(a.parsed.path) ?? []), ...d.topology]);
        for (const [path, f] of d.files) {
          const seen = bound.get(path);
          if (!seen) bound.set(path, { parsed: f.parsed, findings: [...f.findings] });
          else mergeFindings(seen.findings, f.findings);
        }
      }
  const inRun = new Set(files.map((f) => f.path));
  return [
    ...analyses.map((a) => {
      // a bound file named in the run too: its drift findings join its own (a non-topology file has no others)
      const drifted = bound.get(a.parsed.path)?.findings ?? [];
      return {
        parsed: drifted.length ? { ...a.parsed, relevant: true } : a.parsed,
        findings: finalize(
          a.parsed,
          [...a.local, ...(manifests.get(a.parsed.path) ?? []), ...(extra.get(a.parsed.path) ?? []), ...drifted],
          options.severities,
        ),
      };
    }),
    ...[...bound]
      .filter(([path]) => !inRun.has(path))
      .map(([, f]) => ({ parsed: { ...f.parsed, relevant: true }, findings: finalize(f.parsed, f.findings, options.severities) })),
  ];
}
