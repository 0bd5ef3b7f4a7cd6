// The what-if engine as the editor asks for it: a scenario from the preview's Simulate control,
// and the decision record. Language-service layer: no
// connection, no editor; the transport passes the open document's analysis in.
import { type BoundFindings, type FileAnalysis, formatErrors } from "../analysis";
import type { Finding } from "../model/finding";
import { diagramSteps } from "../preview/mermaid";
import type { DriftMarker, GameDayParams, GameDayResult, LinkRef, SimulateResult, SimulateScenario } from "../protocol";
import { GameDayDownRefusal, GameDayError, gameDaySteps, refuseUnsafeNames } from "../whatif/gameday";
import {
  evicts,
  judgedOnce,
  type LinkFactor,
  MAX_FACTOR,
  MAX_PARTITION_SITES,
  POD_EVICTION_NOTE,
  runSteps,
  type Scenario,
  sweep,
} from "../whatif/engine";
import { rpoUnknownWords, scenarioJson } from "../whatif/render";
import { setOwn } from "../util/records";
import { recordSteps } from "../whatif/record";
import type { TopologyContext } from "../derive/context";
import { every, type Steps } from "../util/steps";
import { type Cancellation, checkCancelled, type Slice, SLICE_MS, stepThrough, yieldTurn } from "./host";

/** The single-site strip lists each site's loss up to this many sites (`quorate simulate --all-single-site` does any number). */
export const MAX_STRIP_SITES = 32;

/** A link from a request: `{ between: [a, b] }` of two different declared sites, else undefined. */
function linkOf(known: (x: unknown) => x is string, l: unknown): [string, string] | undefined {
  const between = (l as { between?: unknown } | null)?.between;
  if (!Array.isArray(between) || between.length !== 2) return undefined;
  const [a, b] = between;
  return known(a) && known(b) && a !== b ? [a, b] : undefined;
}

/** The scenario with every name the document no longer declares dropped and every factor kept within 1 < f ≤ 1000. */
export function sanitizeScenario(declared: ReadonlySet<string>, s: SimulateScenario): Scenario {
  const known = (x: unknown): x is string => typeof x === "string" && declared.has(x);
  const factor = (x: unknown) => (typeof x === "number" && Number.isFinite(x) && x > 1 && x <= MAX_FACTOR ? x : undefined);
  const lose = [...new Set((Array.isArray(s.lose) ? s.lose : []).filter(known))];
  const partition = (Array.isArray(s.partition) ? s.partition : [])
    .map((g) => (Array.isArray(g) ? [...new Set(g.filter(known))] : []))
    .filter((g) => g.length);
  const loseMembers: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.loseMembers ?? {}))
    if (known(k) && Number.isInteger(v) && v > 0) setOwn(loseMembers, k, v as number);
  const same = (x: readonly [string, string], y: readonly [string, string]) =>
    (x[0] === y[0] && x[1] === y[1]) || (x[0] === y[1] && x[1] === y[0]);
  const cut: [string, string][] = [];
  for (const l of Array.isArray(s.cut) ? s.cut : []) {
    const pair = linkOf(known, l);
    if (pair && !cut.some((c) => same(c, pair))) cut.push(pair);
  }
  const slow: LinkFactor[] = [];
  for (const l of Array.isArray(s.slow) ? s.slow : []) {
    const pair = linkOf(known, l);
    const f = factor((l as { factor?: unknown } | null)?.factor);
    if (pair && f !== undefined && !slow.some((x) => same(x.between, pair))) slow.push({ between: pair, factor: f });
  }
  return { lose, partition: partition.length > 1 ? partition : [], cut, loseMembers, rttFactor: factor(s.rttFactor) ?? null, slow };
}

/**
 * The scenario the preview asks for, with the single-site strip. Cancellable: it computes in
 * slices of SLICE_MS (each engine run yields after every quorum and traffic entry; a whole run is
 * a hundred milliseconds and more on a large design), letting the event loop turn between them,
 * and checks `token` there, so a cancelled request stops (CancelledError) instead of running to
 * the end, and other work — a keystroke typed behind the click — is taken in between. No step
 * takes more than ITEMS_PER_STEP of a long list (util/steps.ts): the engine's, the diagram's
 * (preview/mermaid.ts diagramSteps) and, on the background thread, the answer's JSON.
 * `slice`: the slice, and for tests the clock stepThrough reads after every step.
 */
export async function simulate(
  a: FileAnalysis,
  findings: readonly Finding[],
  scenario: SimulateScenario,
  drift: ReadonlyMap<string, DriftMarker> = new Map(),
  token?: Cancellation,
  slice: Slice = { ms: SLICE_MS },
): Promise<SimulateResult | null> {
  const ctx = a.contexts[0];
  if (!ctx) return null;
  const s = sanitizeScenario(new Set(ctx.topology.siteByName.keys()), scenario);
  checkCancelled(token, "simulate");
  // a turn before any of the work: an edit sent right behind the click (read with it) is analysed first
  await yieldTurn(token, "simulate");
  return stepThrough(simulateSteps(a, ctx, findings, s, drift), token, "simulate", slice);
}

/** simulate's work, step-wise: the scenario's engine run, the strip's, then the partitions, links and diagram. */
function* simulateSteps(
  a: FileAnalysis,
  ctx: TopologyContext,
  findings: readonly Finding[],
  s: Scenario,
  drift: ReadonlyMap<string, DriftMarker>,
): Steps<SimulateResult> {
  const t = ctx.topology;
  const r = yield* runSteps(ctx, s);
  // the strip is for reading at a glance: past MAX_STRIP_SITES it would cost a sweep per click and say nothing
  const singles: SimulateResult["singles"][number][] = [];
  for (const x of t.siteByName.size <= MAX_STRIP_SITES ? sweep(ctx, "single") : []) {
    const rr = yield* runSteps(ctx, x);
    const judged = judgedOnce(rr);
    singles.push({ site: x.lose[0], verdict: rr.verdict, breaks: rr.breaks, ...(judged ? { judged } : {}) });
  }
  yield;
  const partitions = t.siteByName.size <= MAX_PARTITION_SITES ? sweep(ctx, "partitions").map((x) => x.partition.map((g) => [...g])) : [];
  const links: LinkRef[] = [];
  const due = every();
  for (const l of t.links) {
    if (due()) yield;
    const [x, y] = l.between?.items ?? [];
    if (x && y && x.value !== y.value && t.siteByName.has(x.value) && t.siteByName.has(y.value) && ctx.link(x.value, y.value) === l)
      links.push({ between: [x.value, y.value] });
  }
  yield;
  const diagram = yield* diagramSteps(a, findings, r, drift, { layouts: true, bounded: true });
  yield;
  const result = scenarioJson(r);
  yield;
  return {
    diagram,
    sites: [...t.siteByName.values()].map((x) => ({ name: x.name!.value, role: x.role })),
    links,
    scenario: {
      lose: [...s.lose],
      partition: s.partition.map((g) => [...g]),
      cut: s.cut.map(([x, y]) => ({ between: [x, y] as const })),
      loseMembers: s.loseMembers,
      rttFactor: s.rttFactor,
      slow: s.slow.map((l) => ({ between: l.between, factor: l.factor })),
    },
    name: r.name,
    verdict: r.verdict,
    ...(judgedOnce(r) ? { judged: judgedOnce(r) } : {}),
    breaks: r.breaks,
    ...(!r.breaks.length && rpoUnknownWords(r) ? { rpoUnknown: rpoUnknownWords(r) } : {}),
    // what the break's "see Pod eviction" refers to
    notes: evicts(r) ? [...r.notes, POD_EVICTION_NOTE] : r.notes,
    findings: {
      errors: findings.filter((f) => f.severity === "error").length,
      warnings: findings.filter((f) => f.severity === "warning").length,
    },
    singles,
    partitions,
    result,
  };
}

/** The decision record; cancellable between any two scenarios and sections (stepThrough). */
export function record(
  a: FileAnalysis,
  findings: readonly Finding[],
  path: string,
  version: string,
  token?: Cancellation,
  bound: readonly BoundFindings[] = [],
): Promise<string | null> {
  // the bound deployment files' drift is open too, as `quorate report` lists it (review M75)
  return stepThrough(recordSteps({ path, analysis: a, findings, version, bound }), token, "the decision record").then((md) => md ?? null);
}

/** The game day of the open design for a lose-only or partition-only scenario; cancellable between its steps. */
export async function gameDayFor(a: FileAnalysis, p: GameDayParams, source: string, token?: Cancellation): Promise<GameDayResult | null> {
  const ctx = a.contexts[0];
  if (!ctx) return null;
  // as the CLI refuses it: a game day is written only from a file that follows the format
  const broken = formatErrors(a)[0];
  if (broken) {
    const at = a.parsed.lines.positionAt(broken.span.start);
    return { folder: "", files: [], notes: [], error: `line ${at.line + 1}: ${broken.message} (fix it first)` };
  }
  const s = sanitizeScenario(new Set(ctx.topology.siteByName.keys()), { lose: p.scenario?.lose, partition: p.scenario?.partition });
  const tool = p.tool === "litmus" ? "litmus" : "chaos-mesh";
  const namespaces = Array.isArray(p.namespaces) ? p.namespaces.filter((x): x is string => typeof x === "string") : undefined;
  try {
    refuseUnsafeNames(ctx, namespaces);
    const g = await stepThrough(
      gameDaySteps(
        ctx,
        { lose: [...s.lose], partition: s.partition.map((x) => [...x]) },
        { tool, duration: p.duration ? String(p.duration) : undefined, namespaces, source, acceptDown: p.acceptDown === true },
      ),
      token,
      "the game day",
      1,
    );
    return { folder: g.folder, files: g.files, notes: g.notes };
  } catch (e) {
    if (e instanceof GameDayDownRefusal) return { folder: "", files: [], notes: [], error: e.message, down: true };
    if (e instanceof GameDayError) return { folder: "", files: [], notes: [], error: e.message };
    throw e;
  }
}
