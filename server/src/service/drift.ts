// Drift in the editor: which topology binds which deployment files, their findings by file, and
// the comparisons the hovers, definitions and the preview read. Re-judged when the topology or
// one of its bound files changes (edited, saved, created or deleted).
import { type BoundFindings, driftOf, type Deployments, type FileAnalysis } from "../analysis";
import { type Comparison, type DriftResult, mergeFindings } from "../drift/compare";
import type { Finding } from "../model/finding";
import type { DriftMarker } from "../protocol";
import { URI } from "./uri";

interface Judged {
  readonly result: DriftResult;
  /** the uris of every bound file */
  readonly files: Set<string>;
}

export class DriftIndex {
  private readonly byTopology = new Map<string, Judged>();
  private findings = new Map<string, Finding[]>();
  /** each deployment file's comparisons, for hovers and go to definition there (built once per re-judging) */
  private comparisons = new Map<string, { c: Comparison; topology: string }[]>();

  constructor(readonly deployments: Deployments) {}

  /** Re-judges one topology (undefined analysis: it is gone); returns every uri whose drift findings may have changed. */
  update(topologyUri: string, a: FileAnalysis | undefined): string[] {
    const before = this.byTopology.get(topologyUri);
    const [result] = a ? driftOf(a, this.deployments) : [];
    if (!result && !before) return [];
    if (result) this.byTopology.set(topologyUri, { result, files: new Set([...result.files.keys()].map((p) => URI.fromPath(p))) });
    else this.byTopology.delete(topologyUri);
    const touched = new Set([topologyUri, ...(before?.files ?? []), ...(this.byTopology.get(topologyUri)?.files ?? [])]);
    this.rebuild();
    return [...touched];
  }

  private rebuild(): void {
    const out = new Map<string, Finding[]>();
    const add = (uri: string, fs: readonly Finding[]) => out.set(uri, mergeFindings(out.get(uri) ?? [], fs));
    const byFile = new Map<string, { c: Comparison; topology: string }[]>();
    for (const [uri, j] of this.byTopology) {
      add(uri, j.result.topology);
      for (const [path, f] of j.result.files) add(URI.fromPath(path), f.findings);
      for (const c of j.result.comparisons) {
        const file = URI.fromPath(c.file);
        byFile.set(file, [...(byFile.get(file) ?? []), { c, topology: uri }]);
      }
    }
    this.findings = out;
    this.comparisons = byFile;
  }

  /** The topologies that bind `uri` (to re-judge when it changes). */
  bindersOf(uri: string): string[] {
    return [...this.byTopology].filter(([, j]) => j.files.has(uri)).map(([t]) => t);
  }

  /** Every topology that binds deployment files (a new file may match one of their globs). */
  topologies(): string[] {
    return [...this.byTopology.keys()];
  }

  isTopology(uri: string): boolean {
    return this.byTopology.has(uri);
  }

  /** The drift topology `topologyUri` finds in each file it binds (empty lists too: those files agree). */
  findingsFrom(topologyUri: string): Map<string, Finding[]> {
    const out = new Map<string, Finding[]>();
    const j = this.byTopology.get(topologyUri);
    if (j) for (const [path, f] of j.result.files) out.set(URI.fromPath(path), [...f.findings]);
    return out;
  }

  findingsOf(uri: string): readonly Finding[] {
    return this.findings.get(uri) ?? [];
  }

  /**
   * The files topology `topologyUri` binds, parsed, with the drift it finds in each (the decision
   * record's Open findings, as `quorate report` lists them): as judged, or judged now from `a`
   * when the topology was not (read through the same source, inside the workspace).
   */
  boundOf(topologyUri: string, a: FileAnalysis): BoundFindings[] {
    const result = this.byTopology.get(topologyUri)?.result ?? driftOf(a, this.deployments)[0];
    return [...(result?.files ?? [])].map(([path, f]) => ({ path, parsed: f.parsed, findings: f.findings }));
  }

  /** The comparison whose deployed value (or anchor) holds `offset` in deployment file `uri`. */
  comparisonAt(uri: string, offset: number): { c: Comparison; topology: string } | undefined {
    let best: { c: Comparison; topology: string } | undefined;
    for (const hit of this.comparisons.get(uri) ?? [])
      if (hit.c.span.start <= offset && offset <= hit.c.span.end)
        if (!best || hit.c.span.end - hit.c.span.start < best.c.span.end - best.c.span.start) best = hit;
    return best;
  }

  comparisonsOf(topologyUri: string, cluster: string): Comparison[] {
    return this.byTopology.get(topologyUri)?.result.comparisons.filter((c) => c.cluster === cluster) ?? [];
  }

  /** For the preview: each cluster with drift, the first drifting value's file and place, and how many drift. */
  markers(topologyUri: string): Map<string, DriftMarker> {
    const out = new Map<string, DriftMarker>();
    const j = this.byTopology.get(topologyUri);
    if (!j) return out;
    for (const c of j.result.comparisons.filter((x) => !x.agree)) {
      const m = out.get(c.cluster);
      const lines = j.result.files.get(c.file)?.parsed.lines;
      if (m) out.set(c.cluster, { ...m, count: m.count + 1 });
      else if (lines)
        out.set(c.cluster, {
          uri: URI.fromPath(c.file),
          range: { start: lines.positionAt(c.span.start), end: lines.positionAt(c.span.end) },
          count: 1,
          file: c.file.split(/[\\/]/).pop() ?? c.file,
        });
    }
    return out;
  }
}
