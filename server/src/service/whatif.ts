// The what-if engine as the editor asks for it: a scenario from the preview's Simulate control,
// and the decision record. Language-service layer: no
// connection, no editor; the transport passes the open document's analysis in.
import type { FileAnalysis } from "../analysis";
import type { Finding } from "../model/finding";
import { diagramFor } from "../preview/mermaid";
import type { DriftMarker, GameDayParams, GameDayResult, SimulateResult, SimulateScenario } from "../protocol";
import { gameDay, GameDayError } from "../whatif/gameday";
import { MAX_PARTITION_SITES, run, type Scenario, sweep } from "../whatif/engine";
import { setOwn } from "../util/records";
import { decisionRecord } from "../whatif/record";

const MAX_FACTOR = 1000;
/** The single-site strip lists each site's loss up to this many sites (`quorate simulate --all-single-site` does any number). */
export const MAX_STRIP_SITES = 32;

/** The scenario with every name the document no longer declares dropped and every factor kept sane. */
export function sanitizeScenario(declared: ReadonlySet<string>, s: SimulateScenario): Scenario {
  const known = (x: unknown): x is string => typeof x === "string" && declared.has(x);
  const factor = (x: unknown) => (typeof x === "number" && Number.isFinite(x) && x > 0 && x <= MAX_FACTOR ? x : undefined);
  const lose = [...new Set((Array.isArray(s.lose) ? s.lose : []).filter(known))];
  const partition = (Array.isArray(s.partition) ? s.partition : [])
    .map((g) => (Array.isArray(g) ? [...new Set(g.filter(known))] : []))
    .filter((g) => g.length);
  const loseMembers: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.loseMembers ?? {}))
    if (known(k) && Number.isInteger(v) && v > 0) setOwn(loseMembers, k, v as number);
  const slow: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.slow ?? {})) {
    const f = factor(v);
    const [a, b] = k.split("-");
    if (f !== undefined && known(a) && known(b)) setOwn(slow, k, f);
  }
  return { lose, partition: partition.length > 1 ? partition : [], loseMembers, rttFactor: factor(s.rttFactor) ?? null, slow };
}

export function simulate(
  a: FileAnalysis,
  findings: readonly Finding[],
  scenario: SimulateScenario,
  drift: ReadonlyMap<string, DriftMarker> = new Map(),
): SimulateResult | null {
  const ctx = a.contexts[0];
  if (!ctx) return null;
  const t = ctx.topology;
  const s = sanitizeScenario(new Set(t.siteByName.keys()), scenario);
  const r = run(ctx, s);
  // the strip is for reading at a glance: past MAX_STRIP_SITES it would cost a sweep per click and say nothing
  const singles = (t.siteByName.size <= MAX_STRIP_SITES ? sweep(ctx, "single") : []).map((x) => {
    const rr = run(ctx, x);
    return { site: x.lose[0], verdict: rr.verdict, breaks: rr.breaks };
  });
  const partitions = t.siteByName.size <= MAX_PARTITION_SITES ? sweep(ctx, "partitions").map((x) => x.partition) : [];
  const { name: _name, groups: _groups, ...result } = r;
  return {
    diagram: diagramFor(a, findings, r, drift),
    sites: [...t.siteByName.values()].map((x) => ({ name: x.name!.value, role: x.role })),
    scenario: s,
    name: r.name,
    verdict: r.verdict,
    breaks: r.breaks,
    singles,
    partitions,
    result,
  };
}

export function record(a: FileAnalysis, findings: readonly Finding[], path: string, version: string): string | null {
  return decisionRecord({ path, analysis: a, findings, version }) ?? null;
}

/** The game day of the open design for a lose-only or partition-only scenario. */
export function gameDayFor(a: FileAnalysis, p: GameDayParams, source: string): GameDayResult | null {
  const ctx = a.contexts[0];
  if (!ctx) return null;
  const s = sanitizeScenario(new Set(ctx.topology.siteByName.keys()), { lose: p.scenario?.lose, partition: p.scenario?.partition });
  const tool = p.tool === "litmus" ? "litmus" : "chaos-mesh";
  const namespaces = Array.isArray(p.namespaces) ? p.namespaces.filter((x): x is string => typeof x === "string") : undefined;
  try {
    const g = gameDay(ctx, { lose: s.lose, partition: s.partition }, { tool, duration: String(p.duration ?? "10m"), namespaces, source });
    return { folder: g.folder, files: g.files, notes: g.notes };
  } catch (e) {
    if (e instanceof GameDayError) return { folder: "", files: [], notes: [], error: e.message };
    throw e;
  }
}
