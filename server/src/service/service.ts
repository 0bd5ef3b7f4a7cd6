// The language service's workspace orchestration: which files are known, open, hosted or on
// disk; their analyses, settings, workspace-wide rules and drift. Each LSP feature's mapping
// lives beside it (convert, hover, actions, navigation); this class only delegates to them.
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  Position,
  Range,
  WorkspaceEdit,
} from "vscode-languageserver";
import { DiagnosticSeverity } from "vscode-languageserver";
import {
  analyzeFile,
  type BoundFindings,
  type Deployments,
  type FileAnalysis,
  finalize,
  lateFindingsSteps,
  manifestFileOf,
} from "../analysis";
import { declaredNames } from "../nav/completion";
import { mergeFindings } from "../drift/compare";
import { reanalyzeChange, type TextChange } from "../incremental";
import type { Finding, FixHint } from "../model/finding";
import { LineIndex } from "../model/text";
import type { DriftMarker, SummaryResult } from "../protocol";
import { ruleInfo } from "../rules/catalog";
import { type ManifestFile, manifestRules } from "../rules/exports";
import { codeActionsOf } from "./actions";
import { headRange, moreFindings, shownFindings, toDiagnostics } from "./convert";
import { DriftIndex } from "./drift";
import type { FileState, Workspace } from "./files";
import { type Cancellation, CancelledError, SLICE_MS, stepThrough } from "./host";
import { hoverOf } from "./hover";
import { completionOf, definitionOf, documentSymbolsOf, prepareRenameOf, referencesOf, renameOf } from "./navigation";
import { DEFAULT_SETTINGS, type Settings } from "./settings";
import { URI } from "./uri";

/**
 * The text of a document's file at a revision (e.g. git's HEAD), without blocking the thread;
 * rejects with an Error whose message the user reads (a cancelled request included).
 */
export type RevisionReader = (uri: string, revision: string, token?: Cancellation) => Promise<string>;

/**
 * What a file analysed elsewhere gives the rest of the workspace: its input to the manifest
 * rules (an export policy, RBAC objects) and the drift it finds in the deployment files it binds
 * (by uri). Plain data: it crosses threads.
 */
export interface Contributions {
  readonly manifest?: ManifestFile;
  readonly drift: readonly (readonly [uri: string, findings: Finding[]])[];
}

// (no `process` in a web worker: the web extension's server runs this same service)
const TIMINGS = globalThis.process?.env?.QUORATE_LOG_TIMINGS === "1";

/**
 * The language service: documents in, LSP types out. No connection: the transport (lsp.ts)
 * calls it, tests call it directly. Workspace-wide rules (export policy × RBAC) see every file.
 */
export class QuorateService implements Workspace {
  private readonly files = new Map<string, FileState>();
  private manifest = new Map<string, Finding[]>();
  private settings: Settings = DEFAULT_SETTINGS;
  /** drift against bound deployment files; off until the transport gives a way to read them */
  private drift?: DriftIndex;
  /** files of at least this many characters are hosted (analysed elsewhere); none unless set */
  private hostedMinChars = Number.POSITIVE_INFINITY;
  /** by hosted uri: what it gives the other files */
  private contributions = new Map<string, Contributions>();
  /** reads a file's committed version (git); off until the transport gives a way (never on the web) */
  private revisions?: RevisionReader;
  /**
   * By uri: the findings the analysis left for later (the availability figures' objective/*,
   * analysis.ts lateFindingsSteps), as of `analysis`. Until a newer analysis's arrive, the
   * previous ones stay, moved with the edits (so they do not blink out on every keystroke).
   */
  private readonly late = new Map<string, { analysis: FileAnalysis; findings: Finding[] }>();
  /** the run computing each file's late findings; the next analysis of the file cancels it */
  private readonly lateRuns = new Map<string, LateRun>();
  /** told the files whose late findings arrived (the transport publishes them again) */
  private lateListener?: (uris: string[]) => void;
  /** which analysed files get late findings: the open ones, unless the transport says (the background thread: its hosted ones) */
  private lateFor: (f: FileState) => boolean = (f) => f.open;

  file(uri: string): FileState | undefined {
    return this.files.get(uri);
  }

  get driftIndex(): DriftIndex | undefined {
    return this.drift;
  }

  /** The preview's drift markers of a topology: cluster name → the drifting file and place. */
  driftMarkers(uri: string): Map<string, DriftMarker> {
    return this.drift?.markers(uri) ?? new Map();
  }

  /** Turns drift on: `make` receives a reader of the editor's open text, which wins over the disk. */
  setDeployments(make: (openText: (uri: string) => string | undefined) => Deployments): void {
    this.drift = new DriftIndex(make((uri) => (this.files.get(uri)?.open ? this.files.get(uri)!.text : undefined)));
  }

  /** Turns "compare with a revision" on: `read` returns the text of `uri`'s file at `revision`, or throws a message for the user. */
  setRevisions(read: RevisionReader): void {
    this.revisions = read;
  }

  /** The text of `uri`'s file at `revision`; undefined when this service cannot read revisions (the web). Throws a message for the user. */
  revisionText(uri: string, revision: string, token?: Cancellation): Promise<string> | undefined {
    return this.revisions?.(uri, revision, token);
  }

  /**
   * From now on, files of `chars` characters or more are hosted: this instance keeps their
   * text but not an analysis, and takes what they give other files from `setContributions`.
   * Infinity hosts none (and analyses the ones hosted until now). Returns the files re-analysed.
   */
  setHostedMinChars(chars: number): string[] {
    this.hostedMinChars = chars;
    const changed: string[] = [];
    for (const f of this.files.values()) {
      if (f.hosted === f.text.length >= chars) continue;
      this.analyse(f);
      changed.push(f.uri, ...this.setContributions(f.uri, undefined));
    }
    if (changed.length) changed.push(...this.recomputeManifest());
    return [...new Set(changed)];
  }

  isHosted(uri: string): boolean {
    return !!this.files.get(uri)?.hosted;
  }

  /** Whether drift from a hosted topology reaches `uri` (its hovers and fixes are answered there). */
  hasContributedDrift(uri: string): boolean {
    for (const c of this.contributions.values()) if (c.drift.some(([u]) => u === uri)) return true;
    return false;
  }

  /** Takes what hosted file `uri` now gives the others; returns the files whose findings changed. */
  setContributions(uri: string, c: Contributions | undefined): string[] {
    const before = this.contributions.get(uri);
    if (c && !this.files.get(uri)?.hosted) return [];
    if (c) this.contributions.set(uri, c);
    else if (before) this.contributions.delete(uri);
    else return [];
    const touched = new Set<string>();
    for (const [u] of [...(before?.drift ?? []), ...(c?.drift ?? [])]) {
      const g = this.files.get(u);
      if (g) {
        this.refreshFindings(g);
        touched.add(u);
      }
    }
    if (JSON.stringify(before?.manifest) !== JSON.stringify(c?.manifest)) for (const u of this.recomputeManifest()) touched.add(u);
    return [...touched];
  }

  /** What file `uri`, analysed here, gives the others (the instance hosting it takes it with `setContributions`). */
  contributionsOf(uri: string): Contributions {
    const a = this.files.get(uri)?.analysis;
    const manifest = a?.parsed.relevant && holdsManifestInput(a) ? manifestFileOf(a) : undefined;
    const drift = [...(this.drift?.findingsFrom(uri) ?? [])].filter(([u]) => u !== uri);
    // spans are live views of yaml ranges: JSON keeps their values
    return JSON.parse(JSON.stringify({ manifest, drift })) as Contributions;
  }

  /** Called with the files whose late findings (objective/*) arrived after their analysis. */
  onLateFindings(listener: (uris: string[]) => void): void {
    this.lateListener = listener;
  }

  /** Which analysed files get late findings (default: the open ones). */
  setLateFor(which: (uri: string) => boolean): void {
    this.lateFor = (f) => which(f.uri);
  }

  /** The run computing a file's late findings, while one runs (tests watch its cancellation). */
  lateRun(uri: string): (Cancellation & { readonly done: Promise<void> }) | undefined {
    return this.lateRuns.get(uri);
  }

  getSettings(): Settings {
    return this.settings;
  }

  /**
   * Applies new settings with only the work they need: severity overrides re-finalize the
   * findings; a new Galera threshold re-analyses; a new size limit re-analyses only the files
   * it moves across. Returns the files whose diagnostics may have changed.
   */
  setSettings(s: Settings): string[] {
    const old = this.settings;
    this.settings = s;
    const changed: string[] = [];
    const rulesChanged = JSON.stringify(old.rules) !== JSON.stringify(s.rules);
    for (const f of this.files.values()) {
      const wasTooLarge = f.tooLarge;
      const tooLarge = f.text.length > s.maxFileSizeKb * 1024;
      if (s.galeraMaxRttMs !== old.galeraMaxRttMs || tooLarge !== wasTooLarge) {
        // a full analysis (no change given): the threshold changes what the rules say, or the
        // file enters or leaves live analysis
        this.analyse(f);
        changed.push(f.uri);
      } else if (rulesChanged || s.maxDiagnostics !== old.maxDiagnostics) {
        this.refreshFindings(f);
        changed.push(f.uri);
      }
    }
    if (changed.length) this.recomputeManifest();
    return changed;
  }

  /**
   * Opens or updates a document; returns the URIs whose diagnostics changed. With `change`
   * (the one edit that produced `text`), only the top-level item it touched is re-parsed.
   */
  update(uri: string, text: string, open = true, change?: TextChange): string[] {
    let f = this.files.get(uri);
    if (f && !open && f.open) return []; // the editor's text wins over the disk
    if (!f) {
      f = { uri, text, open, onDisk: !open, tooLarge: false, hosted: false, findings: [] };
      this.files.set(uri, f);
    } else {
      if (text !== f.text) this.moveLate(uri, change);
      f.text = text;
      f.hostedLines = undefined;
      if (open) f.open = true;
      else f.onDisk = true;
    }
    const judgedAcrossFiles = holdsManifestInput(f.analysis);
    const wasHosted = f.hosted;
    this.analyse(f, change);
    // a file that no longer is hosted gives nothing from elsewhere: its own analysis says it now
    if (wasHosted && !f.hosted) {
      const dropped = this.setContributions(uri, undefined);
      return [...new Set([uri, ...dropped, ...this.rejudgeDrift(uri), ...this.recomputeManifest()])];
    }
    const drifted = this.rejudgeDrift(uri);
    // typing in a topology without an export policy changes nothing the RBAC and ServiceExport
    // rules read: skip re-judging every manifest of the workspace on that keystroke
    if (!judgedAcrossFiles && !holdsManifestInput(f.analysis)) return [...new Set([uri, ...drifted])];
    return [...new Set([uri, ...drifted, ...this.recomputeManifest()])];
  }

  /**
   * Re-judges drift where `uri` takes part: as a topology that binds files, or as a file some
   * topology binds (edited, saved, created or deleted on disk). Returns the uris it touched.
   */
  rejudgeDrift(uri: string): string[] {
    if (!this.drift) return [];
    const f = this.files.get(uri);
    const binds = !!f?.analysis?.contexts.some((c) => c.topology.clusters.some((x) => x.deployment));
    const topologies = new Set([...(binds || this.drift.isTopology(uri) ? [uri] : []), ...this.drift.bindersOf(uri)]);
    const touched = new Set<string>();
    for (const t of topologies) for (const u of this.drift.update(t, this.files.get(t)?.analysis)) touched.add(u);
    for (const u of touched) {
      const g = this.files.get(u);
      if (g) this.refreshFindings(g);
    }
    return [...touched];
  }

  /**
   * A YAML file changed on disk while not open here: re-judge the topologies binding it, or,
   * for a file just created (or deleted), every topology that binds files (a glob may match it).
   */
  deploymentChanged(uri: string, createdOrDeleted = false): string[] {
    if (!this.drift || this.files.get(uri)?.open) return [];
    if (!createdOrDeleted) return this.rejudgeDrift(uri);
    this.drift.deployments.source.forget?.(); // kept glob expansions may now miss or name a file
    const touched = new Set<string>();
    for (const t of this.drift.topologies()) for (const u of this.rejudgeDrift(t)) touched.add(u);
    return [...touched];
  }

  /** Closes an editor document; a file that is also on disk stays indexed with its disk text. */
  close(uri: string, diskText?: string): string[] {
    const f = this.files.get(uri);
    if (!f) return [];
    f.open = false;
    if (diskText !== undefined && f.onDisk) return this.update(uri, diskText, false);
    if (!f.onDisk) {
      this.files.delete(uri);
      this.dropLate(uri);
      const dropped = this.setContributions(uri, undefined);
      return [...new Set([uri, ...dropped, ...this.rejudgeDrift(uri), ...this.recomputeManifest()])];
    }
    return this.rejudgeDrift(uri);
  }

  /** A file was deleted on disk. */
  remove(uri: string): string[] {
    const f = this.files.get(uri);
    if (!f || f.open) return [];
    this.files.delete(uri);
    this.dropLate(uri);
    const dropped = this.setContributions(uri, undefined);
    return [...new Set([uri, ...dropped, ...this.rejudgeDrift(uri), ...this.recomputeManifest()])];
  }

  isOpen(uri: string): boolean {
    return !!this.files.get(uri)?.open;
  }

  text(uri: string): string | undefined {
    return this.files.get(uri)?.text;
  }

  analysis(uri: string): FileAnalysis | undefined {
    return this.files.get(uri)?.analysis;
  }

  /**
   * The deployment files topology `uri` binds, with their drift, each path cited from the
   * topology's folder as its `deployment` entries name them (the record, as `quorate report`
   * cites them, review M75). Empty where drift is off (the web) or nothing is bound.
   */
  boundFindings(uri: string): BoundFindings[] {
    const a = this.analysis(uri);
    if (!a || !this.drift) return [];
    const home = URI.pathOf(uri).replace(/\\/g, "/").split("/").slice(0, -1);
    return this.drift.boundOf(uri, a).map((b) => ({ ...b, path: relativeTo(home, b.path) }));
  }

  private analyse(f: FileState, change?: TextChange): void {
    f.tooLarge = f.text.length > this.settings.maxFileSizeKb * 1024;
    f.hosted = !f.tooLarge && f.text.length >= this.hostedMinChars;
    if (f.tooLarge || f.hosted) {
      f.analysis = undefined;
      f.findings = [];
      this.dropLate(f.uri);
      return;
    }
    const started = TIMINGS ? performance.now() : 0;
    // the availability figures' findings are not waited for: they follow (startLate)
    const options = { galeraMaxRttMs: this.settings.galeraMaxRttMs, deferFigures: true };
    let next = f.analysis && change ? reanalyzeChange(f.analysis, change, f.text, options) : undefined;
    const incremental = !!next;
    if (!next) {
      // from scratch: the old analysis (its syntax tree, model and findings: tens of MB for a
      // large file) is let go first, so the two are never held at once
      f.analysis = undefined;
      f.findings = [];
      next = analyzeFile(URI.pathOf(f.uri), f.text, options);
    }
    f.analysis = next;
    if (TIMINGS) {
      // QUORATE_LOG_TIMINGS=1: one stderr line per analysis, to see where time goes in an editor
      process.stderr.write(
        `[quorate] ${incremental ? "incremental" : "full"} analysis of ${f.uri} (${f.text.length} chars) in ${(performance.now() - started).toFixed(1)} ms\n`,
      );
    }
    const t = next.contexts[0]?.topology;
    if (t) f.lastNames = declaredNames(t);
    this.startLate(f);
    this.refreshFindings(f);
  }

  /**
   * Starts computing the late findings of `f`'s analysis, cancelling the run for an older one.
   * A design without objectives is answered at once (no second publish); otherwise the run
   * goes in slices of the event loop (SLICE_MS; its steps are a few states each) and, if its analysis is still the file's when it
   * ends, replaces the file's late findings and tells the listener.
   */
  private startLate(f: FileState): void {
    this.lateRuns.get(f.uri)?.cancel();
    this.lateRuns.delete(f.uri);
    const a = f.analysis;
    if (!a || !this.lateFor(f)) {
      this.late.delete(f.uri);
      return;
    }
    const steps = lateFindingsSteps(a);
    const first = steps.next();
    if (first.done) {
      this.late.set(f.uri, { analysis: a, findings: first.value });
      return;
    }
    const run = new LateRun(async () => {
      try {
        // steps of a few states each (availability/enumerate.ts STATES_PER_STEP), run in slices: a keystroke waits a slice, not an entity
        const findings = await stepThrough(steps, run, "the availability figures", { ms: SLICE_MS });
        if (this.lateRuns.get(f.uri) !== run || f.analysis !== a) return;
        this.lateRuns.delete(f.uri);
        const held = this.late.get(f.uri)?.findings ?? [];
        this.late.set(f.uri, { analysis: a, findings });
        // the findings held (the last ones, moved with the edit) are already published: a
        // keystroke that left the figures as they were is not published a second time (a large
        // file's thousands of diagnostics, converted, sent and re-read by the editor again)
        if (sameFindings(held, findings)) return;
        this.refreshFindings(f);
        this.lateListener?.([f.uri]);
      } catch (e) {
        // cancelled: a newer analysis runs its own; anything else was already an internal-error
        // finding (lateFindingsSteps guards each family), so nothing is left to report
        if (!(e instanceof CancelledError)) this.late.delete(f.uri);
      }
    });
    this.lateRuns.set(f.uri, run);
  }

  /** A file's text changed: its late findings move with the edit (dropped where it touched them), or go without one. */
  private moveLate(uri: string, change: TextChange | undefined): void {
    const l = this.late.get(uri);
    if (!l) return;
    const moved = change ? l.findings.flatMap((x) => movedFinding(x, change)) : [];
    if (moved.length) this.late.set(uri, { analysis: l.analysis, findings: moved });
    else this.late.delete(uri);
  }

  /** A file no longer analysed here: its late findings and their run go. */
  private dropLate(uri: string): void {
    this.lateRuns.get(uri)?.cancel();
    this.lateRuns.delete(uri);
    this.late.delete(uri);
  }

  private refreshFindings(f: FileState): void {
    if (!f.analysis) {
      f.findings = [];
      return;
    }
    f.findings = finalize(
      f.analysis.parsed,
      [...f.analysis.local, ...(this.late.get(f.uri)?.findings ?? []), ...(this.manifest.get(f.uri) ?? []), ...this.driftFindingsOf(f.uri)],
      this.settings.rules,
    );
  }

  /** Drift findings in `uri`: from the topologies analysed here and from hosted ones. */
  private driftFindingsOf(uri: string): readonly Finding[] {
    let out = this.drift?.findingsOf(uri) ?? [];
    for (const c of this.contributions.values()) for (const [u, fs] of c.drift) if (u === uri) out = mergeFindings([...out], fs);
    return out;
  }

  /** A file's line index: its analysis's, or for a hosted file one kept from its text. */
  linesOf(uri: string): LineIndex | undefined {
    const f = this.files.get(uri);
    if (!f) return undefined;
    if (f.analysis) return f.analysis.parsed.lines;
    if (!f.hosted) return undefined;
    f.hostedLines ??= new LineIndex(f.text);
    return f.hostedLines;
  }

  /** Re-judges RBAC and ServiceExports against every file; returns files whose manifest findings changed. */
  private recomputeManifest(): string[] {
    const inputs = [];
    for (const f of this.files.values()) {
      if (f.analysis?.parsed.relevant) inputs.push({ ...manifestFileOf(f.analysis), path: f.uri });
      const given = f.hosted ? this.contributions.get(f.uri)?.manifest : undefined;
      if (given) inputs.push({ ...given, path: f.uri });
    }
    const next = manifestRules(inputs);
    const changed: string[] = [];
    const key = (list: Finding[] | undefined) => JSON.stringify((list ?? []).map((x) => [x.code, x.span.start, x.span.end, x.message]));
    for (const uri of new Set([...this.manifest.keys(), ...next.keys()])) {
      if (key(this.manifest.get(uri)) !== key(next.get(uri))) changed.push(uri);
    }
    this.manifest = next;
    for (const uri of changed) {
      const f = this.files.get(uri);
      if (f) this.refreshFindings(f);
    }
    return changed;
  }

  // ---- diagnostics ---------------------------------------------------------------------

  /** The file's findings after disable comments and overrides (the preview colours by them). */
  findings(uri: string): readonly Finding[] {
    return this.files.get(uri)?.findings ?? [];
  }

  diagnostics(uri: string): Diagnostic[] {
    const f = this.files.get(uri);
    if (!f) return [];
    if (f.tooLarge) {
      return [
        {
          range: headRange(f.text),
          severity: DiagnosticSeverity.Warning,
          code: "quorate/too-large",
          source: "quorate",
          message: `This file is ${Math.round(f.text.length / 1024)} KB, over quorate.maxFileSizeKb (${this.settings.maxFileSizeKb} KB): it is not analysed while you type. Run \`quorate check --max-file-size-kb ${Math.ceil(f.text.length / 1024)}\` on it, or raise the setting.`,
        },
      ];
    }
    const a = f.analysis;
    // a deployment file is judged only for drift: its findings come from the topology that binds it
    if (!a || (!a.parsed.relevant && !f.findings.length)) return [];
    const max = this.settings.maxDiagnostics;
    const { shown, hidden } = shownFindings(f.findings, max);
    const out = toDiagnostics(uri, a.parsed.lines, shown, (u) => this.linesOf(u));
    const severity = this.settings.rules["quorate/more-findings"] ?? "information";
    if (hidden.length && severity !== "off") out.unshift(moreFindings(uri, f.text, f.findings.length, hidden, max, severity));
    return out;
  }

  /** Counts by severity and whether every single-site loss is survivable (status bar). */
  summary(uri: string): SummaryResult | null {
    const f = this.files.get(uri);
    if (!f?.analysis?.parsed.relevant) return null;
    const count = (s: string) => f.findings.filter((x) => x.severity === s).length;
    // findings that mean "losing one site breaks this design": flagged in the catalog
    const breaking = f.findings.filter((x) => ruleInfo(x.code)?.breaksSiteLoss);
    const judged = f.analysis.contexts.some((c) => c.quorums.some((q) => q.counts.size > 1) || c.topology.traffic.length > 0);
    return {
      errors: count("error"),
      warnings: count("warning"),
      infos: count("information") + count("hint"),
      survivesSiteLoss: judged ? breaking.length === 0 : null,
      siteLossFindings: breaking.map((x) => x.message),
    };
  }

  // ---- per-feature LSP mapping (convert.ts, hover.ts, actions.ts, navigation.ts) --------

  hover(uri: string, pos: Position): Hover | null {
    return hoverOf(this, uri, pos);
  }

  codeActions(uri: string, range: Range, only?: readonly Diagnostic[]): CodeAction[] {
    return codeActionsOf(this, uri, range, only);
  }

  completion(uri: string, pos: Position): CompletionItem[] {
    return completionOf(this, uri, pos);
  }

  definition(uri: string, pos: Position): Location[] {
    return definitionOf(this, uri, pos);
  }

  references(uri: string, pos: Position, includeDeclaration: boolean): Location[] {
    return referencesOf(this, uri, pos, includeDeclaration);
  }

  prepareRename(uri: string, pos: Position): { range: Range; placeholder: string } | null {
    return prepareRenameOf(this, uri, pos);
  }

  rename(uri: string, pos: Position, newName: string): WorkspaceEdit | null {
    return renameOf(this, uri, pos, newName);
  }

  documentSymbols(uri: string): DocumentSymbol[] {
    const a = this.files.get(uri)?.analysis;
    return a ? documentSymbolsOf(a) : [];
  }
}

/** Whether a file feeds the workspace-wide rules: Kubernetes manifests, or a topology's exportPolicy. */
function holdsManifestInput(a: FileAnalysis | undefined): boolean {
  return !!a?.parsed.relevant && (a.parsed.docs.some((d) => d.k8s || d.listed) || a.contexts.some((c) => c.topology.exportPolicy));
}

/** A cancellable run of a file's late findings (a Cancellation for stepThrough); `done` settles when it stops. */
class LateRun implements Cancellation {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();
  readonly done: Promise<void>;

  constructor(body: () => Promise<void>) {
    // started on a later turn: the analysis's own findings are published first
    this.done = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(body);
  }

  get isCancellationRequested(): boolean {
    return this.cancelled;
  }

  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  cancel(): void {
    this.cancelled = true;
    for (const l of this.listeners) l();
  }
}

/** Whether two lists of findings show the same (the late ones: a few, one per objective judged). */
function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/** Where a finding of the text before `change` is after it, with plain offsets; none when the edit touched its place. */
function movedFinding(x: Finding, change: TextChange): Finding[] {
  const delta = change.text.length - (change.end - change.start);
  const move = (sp: { start: number; end: number }) =>
    sp.end < change.start
      ? { start: sp.start, end: sp.end }
      : sp.start > change.end
        ? { start: sp.start + delta, end: sp.end + delta }
        : undefined;
  const span = move(x.span);
  if (!span) return [];
  const related = x.related?.flatMap((r) => {
    const at = r.path ? { start: r.span.start, end: r.span.end } : move(r.span);
    return at ? [{ ...r, span: at }] : [];
  });
  const fixes = x.fixes?.flatMap((h): FixHint[] => {
    if (h.kind !== "replace") return [h];
    const at = move(h.span);
    return at ? [{ ...h, span: at }] : [];
  });
  return [{ ...x, span, ...(related ? { related } : {}), ...(fixes ? { fixes } : {}) }];
}

/** `path` (absolute, or as given) from folder `home` (its segments): "deploy/a.yaml", "../x/a.yaml"; a path on another root as given. */
function relativeTo(home: readonly string[], path: string): string {
  const to = path.replace(/\\/g, "/").split("/");
  // a relative path, or one on another root (a Windows drive): as given
  if (!home.length || to[0] !== home[0]) return path;
  let i = 0;
  while (i < home.length && i < to.length - 1 && home[i] === to[i]) i++;
  return [...home.slice(i).map(() => ".."), ...to.slice(i)].join("/");
}
