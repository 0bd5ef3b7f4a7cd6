/**
 * The diff of two versions of a design (contract: shared design/whatif.md, "The diff of two
 * designs"): the verdicts of all up, every single-site loss, every single-link cut (review M48:
 * the likeliest failure; the contract predates `--cut`) and every two-group partition of the
 * union of both versions' sites and links, matched by scenario name; findings matched by code
 * and the entity they concern, never by line. Pure.
 */
import type { FileAnalysis } from "../analysis";
import type { Finding } from "../model/finding";
import type { Span } from "../model/text";
import type { Topology } from "../model/topology";
import type { Severity } from "../rules/catalog";
import { availabilityMeets, type ObjectiveJudgement, objectiveJudgements } from "../rules/index";
import { apiSubject, type EntityFigures, reportOf } from "../availability/figures";
import type { TopologyContext } from "../derive/context";
import { availabilityPercent, percentOfTime, seconds } from "../util/format";
import {
  ALL_UP,
  type FailoverWindow,
  judgedOnce,
  MAX_PARTITION_SITES,
  type Result,
  run,
  type Scenario,
  scenarioName,
  twoGroupSplits,
  type Verdict,
  VERDICT_RANK,
} from "./engine";

export interface DiffSide {
  readonly label: string;
  readonly analysis: FileAnalysis;
  /** finalized findings */
  readonly findings: readonly Finding[];
}

export interface ScenarioChange {
  readonly scenario: string;
  /** null when that version declares no topology; for a scenario only the other version has (`only`), this version's reading of it (`beforeScenario`/`afterScenario`: all up) */
  readonly before: Verdict | null;
  readonly after: Verdict | null;
  /**
   * The scenario loses or cuts only sites one version declares: in the other it loses and cuts
   * nothing. `after`: new in the after version (a site it adds); `before`: gone with a site it
   * removes. It is compared with the other version's reading of it (all up): a new site's loss that
   * is worse than the old all up is a regression (whatif.md; review M103) when it is down or worse
   * than the old design's worst of its kind (`worstBefore`), else `counted: false` (review M164).
   */
  readonly only?: "before" | "after";
  /** the sites of the scenario only that version declares */
  readonly sitesOnly?: string[];
  /** the links a cut scenario cuts that only that version declares, between sites both declare ("fra–lon") */
  readonly linksOnly?: string[];
  /** what the scenario loses and cuts in each version, where that differs from its name (a partition naming a site one version lacks) */
  readonly beforeScenario?: string;
  readonly afterScenario?: string;
  /** what breaks on the worse side (after, when it got worse; before, when it got better) */
  readonly why: string;
  /** when it got better but is still not ok: what still breaks after */
  readonly still?: string;
  /**
   * Each version's failover window beside its verdict, in simulate's words (engine judgedOnce,
   * review M110): "once gslb has withdrawn fra — for about 90 s …"; absent on a side without one.
   */
  readonly judgedBefore?: string;
  readonly judgedAfter?: string;
  /**
   * The other scenario that is the same event in both versions: a site's loss and the partition
   * that cuts that site alone off, when each version judges them with the same verdict, the same
   * words and the same moves (a witness with no clients: losing ams is cutting ams off). Set on both.
   */
  readonly sameAs?: string;
  /** set on the partition of such a pair: it is reported and counted once, with this loss ("lose ams") */
  readonly reportedWith?: string;
  /**
   * Where the clusters' APIs stop in each version ("fra-prod at fra"; the engine's `apiStops`: up,
   * its nodes cut off from the majority that writes), set on both sides when they differ — the fact
   * a verdict can keep while it moves: reviewed → fed-addr, a cut fra–lon now stops lon-prod's API
   * instead of fra-prod's (the reviewer's style note).
   */
  readonly apiStopsBefore?: string[];
  readonly apiStopsAfter?: string[];
  /**
   * The clusters whose API stops in the after version and not in the before one, where the verdict
   * held (review M146): a regression, counted once per scenario — an API newly lost is an outcome
   * that got worse though the verdict word did not move (where it did, the verdict counts it).
   */
  readonly apiStopsNew?: string[];
  /**
   * On a scenario new in the after version (`only: "after"`): the old design's worst verdict over its
   * scenarios of the same kind (single-site losses, single-link cuts, two-group partitions), which a
   * new site's scenario is judged against besides its all up (review M164); absent when it had none.
   */
  readonly worstBefore?: Verdict;
  /** false on a scenario new in the after version whose verdict is worse than its all up but not counted: neither down nor worse than `worstBefore` (review M164) */
  readonly counted?: false;
}

/** The clusters whose API stops in a result, as the diff names them: "fra-prod at fra". */
const apiStopsOf = (r: Result | undefined): string[] => (r?.clusters ?? []).filter((c) => c.apiStops).map((c) => `${c.name} at ${c.site}`);

/** One measure that moved between the versions in one scenario (whatif.md, "The diff of two designs"). */
export interface MeasureChange {
  readonly scenario: string;
  /** the backend's cluster, the store, or the traffic entry */
  readonly entity: string;
  /** the traffic entry a backend serves */
  readonly entry?: string;
  /** `writeLatencyMs`: what a client at `from` waits for a write to the store (RTT to the leader, or through a relay, plus the commit); `commitLatencyMs`: the store's own commit, secondary */
  /** `failoverSeconds`: a traffic entry's failover window after a site loss (detection + TTL; null: unknown, `beforeNote`/`afterNote` say so) */
  readonly measure: "loadRps" | "headroomRps" | "writeLatencyMs" | "commitLatencyMs" | "atRiskBytes" | "errorRps" | "failoverSeconds";
  /** `writeLatencyMs`: the site the writes come from (its backends' clusters) */
  readonly from?: string;
  /** null: not there (lost, withdrawn, not declared, not computable) */
  readonly before: number | null;
  readonly after: number | null;
  /** why a null side is null, in words ("unbounded: the lag buffer overflows", "writes stop", "lost"); absent for a number */
  readonly beforeNote?: string;
  readonly afterNote?: string;
  /** the limit this move crosses ("headroom below 0", "over the 20 ms budget"): a regression */
  readonly crosses?: string;
  /** the limit the after side is beyond where the move crosses none (writes that failed before now succeed over the budget): said beside the figure, not counted (review M115) */
  readonly over?: string;
  /** a window gone unknown under a declared RTO: why it is unknown and that the RTO can no longer be shown to hold — said beside the figure, not counted (objective/unmeasurable is the new finding) */
  readonly unproven?: string;
  readonly regression: boolean;
  /**
   * Why a crossing is shown and not counted (review M164): the scenario's verdict improved (a write that
   * fails because the majority moved away is the design working), or the scenario is one version's only
   * and not counted as a regression (`counted: false`, or gone in the after version)
   */
  readonly uncounted?: string;
  /** the finding that counts this crossing instead, where the after version adds it (a failover window over the RTO: objective/rto), or `apiStopsNew` (API_STOP): an etcd's writes that now fail, counted as its cluster's API stop — counted once */
  readonly countedAs?: string;
  /** what the move is measured against when sorting: the entry's peak for rps, else the larger side */
  readonly scale?: number;
}

/** An entity's availability or conflict probability that moved visibly between the versions (availability.md, "Where it shows"). */
export interface AvailabilityChange {
  /** "store ledger", "traffic checkout", "etcd of cluster core" */
  readonly entity: string;
  readonly measure: "availability" | "conflictProbability";
  /** what the figure measures when it is not the entity itself: an etcd's is its cluster's API ("fra-prod's API (writes from its nodes at fra)") */
  readonly subject?: string;
  /** null: the version has no figure for it (not declared, no availability, not computable) */
  readonly before: number | null;
  readonly after: number | null;
  /** the after version's objective for this measure, when declared */
  readonly objective?: number;
  /** the before version's objective for this measure, when it declared one (absent: declared in the after version only) */
  readonly objectiveBefore?: number;
  /** the after version's judgement of its objective (null: it cannot be measured) */
  readonly metAfter?: boolean | null;
  /** whether the before figure meets the after version's objective (review M39: "the old design's 99.9% would not meet it") */
  readonly beforeMeets?: boolean;
  /**
   * the before figure judged against the after version's objective as objective/* judges it (w85):
   * null when it cannot be (met only if what declares no availability never fails, `beforeDetail`;
   * or a bound the objective lies inside); with `beforeCondition` when met only through CockroachDB's relay
   */
  readonly beforeMet?: boolean | null;
  readonly beforeCondition?: string;
  readonly beforeDetail?: string;
  /** the before version's judgement of its own objective, when it declared one */
  readonly metBefore?: boolean | null;
  /** the condition the after version meets its objective on (CockroachDB's follower relay, 24.1 and later), as objective/* says it */
  readonly condition?: string;
  /** it got worse and the after version no longer meets its objective */
  readonly regression: boolean;
}

export interface DiffFinding {
  readonly code: string;
  readonly severity: Severity;
  /** "cluster core", "store carts", "link fra-lon", "topology" */
  readonly entity: string;
  readonly line: number;
  readonly message: string;
}

export interface DiffResult {
  readonly before: string;
  readonly after: string;
  /** every scenario compared, in a stable order (all up, single losses, single-link cuts, partitions) */
  readonly scenarios: ScenarioChange[];
  /** every measure that moved, regressions first, then the largest relative move */
  readonly changes: MeasureChange[];
  readonly findings: { readonly added: DiffFinding[]; readonly removed: DiffFinding[] };
  /** availability and conflict probability that moved, regressions first, in declaration order */
  readonly availability: AvailabilityChange[];
  /** scenarios whose verdict got worse (not a new one `counted: false`; or, the verdict held, where a cluster's API newly stops: `apiStopsNew`), measures that cross a limit where the verdict held (review M164: not where it improved) (writes that now fail among them), availability dropped below an objective, and new error findings */
  readonly regressions: number;
  /** set when the union has more sites than partitions are listed for */
  readonly note?: string;
}

/**
 * A scenario whose verdict got worse from one version to the other (a regression). A scenario
 * only one version has is compared with what the other version makes of it (whatif.md: a site
 * absent from one version makes "lose X" mean "all up" there): losing a site a change adds,
 * when the old version's all up was ok and the new loss is down, is a regression (review M103);
 * one that is not down and no worse than the old design's worst of its kind is not (`counted: false`, M164).
 */
export const gotWorse = (c: Pick<ScenarioChange, "before" | "after" | "counted">): boolean =>
  c.before !== null && c.after !== null && VERDICT_RANK[c.after] > VERDICT_RANK[c.before] && c.counted !== false;

/** The kind of failure a scenario is, as a new site's scenario is compared with the old design's worst of it (review M164). */
const kindOfScenario = (s: Scenario) => (s.lose.length ? "lose" : s.cut.length ? "cut" : s.partition.length ? "partition" : "all up");

/**
 * A scenario new in the after version (a site or link it adds) is compared with the old design's
 * reading of it, all up — and, not to count a new witness's loss against a design that had no
 * witness to lose (review M164), with the old design's worst verdict over its scenarios of the same
 * kind: it is counted only when it is down (a new way to go down: a single point of failure the
 * change adds, review M103) or worse than that worst. Else it is shown as new, `counted: false`.
 */
function judgedAsNew(scenarios: readonly Scenario[], changes: readonly ScenarioChange[]): ScenarioChange[] {
  const worst = new Map<string, Verdict>();
  for (const [i, c] of changes.entries()) {
    const kind = kindOfScenario(scenarios[i]);
    const w = worst.get(kind);
    if (c.only !== "after" && c.before !== null && kind !== "all up" && (w === undefined || VERDICT_RANK[c.before] > VERDICT_RANK[w]))
      worst.set(kind, c.before);
  }
  return changes.map((c, i) => {
    const w = c.only === "after" ? worst.get(kindOfScenario(scenarios[i])) : undefined;
    if (w === undefined) return c;
    const counted = !gotWorse(c) || c.after === "down" || VERDICT_RANK[c.after as Verdict] > VERDICT_RANK[w];
    return { ...c, worstBefore: w, ...(counted ? {} : { counted: false as const }) };
  });
}

/** The named thing a finding sits in: what a finding is matched by when lines move. */
export function entityOf(t: Topology | undefined, span: Span): string {
  if (!t) return "file";
  const inside = (s: Span) => span.start >= s.start && span.start <= s.end;
  const named: [string, readonly { span: Span; name?: { value: string }; index: number }[]][] = [
    ["site", t.sites],
    ["cluster", t.clusters],
    ["store", t.stores],
    ["traffic", t.traffic],
  ];
  for (const [kind, list] of named) {
    const hit = list.find((x) => inside(x.span));
    if (hit) return `${kind} ${hit.name?.value ?? `#${hit.index + 1}`}`;
  }
  const link = t.links.find((l) => inside(l.span));
  if (link) return `link ${(link.between?.items ?? []).map((x) => x.value).join("-") || `#${link.index + 1}`}`;
  const ex = t.exports.find((e) => inside(e.span));
  if (ex) return `export ${ex.namespace?.value ?? "?"}/${ex.service?.value ?? "?"}`;
  return "topology";
}

function findingsOf(side: DiffSide): DiffFinding[] {
  const t = side.analysis.contexts[0]?.topology;
  const L = side.analysis.parsed.lines;
  return side.findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    entity: entityOf(t, f.span),
    line: L.positionAt(f.span.start).line + 1,
    message: f.message,
  }));
}

/** Findings in `a` with no partner of the same code and entity in `b` (as multisets). */
function unmatched(a: readonly DiffFinding[], b: readonly DiffFinding[]): DiffFinding[] {
  const left = new Map<string, number>();
  for (const f of b) left.set(`${f.code}\u0000${f.entity}`, (left.get(`${f.code}\u0000${f.entity}`) ?? 0) + 1);
  return a.filter((f) => {
    const k = `${f.code}\u0000${f.entity}`;
    const n = left.get(k) ?? 0;
    if (n > 0) {
      left.set(k, n - 1);
      return false;
    }
    return true;
  });
}

/**
 * The scenarios of the diff over the union of both versions' sites and links: all up, each site
 * lost, each declared link cut alone (the likeliest failure: one link is far likelier than the
 * two a partition of three sites needs), every two-group partition.
 */
export function diffScenarios(
  sites: readonly string[],
  links: readonly (readonly [string, string])[] = [],
): { scenarios: Scenario[]; note?: string } {
  const out: Scenario[] = [ALL_UP, ...sites.map((x) => ({ ...ALL_UP, lose: [x] })), ...links.map((l) => ({ ...ALL_UP, cut: [l] }))];
  if (sites.length > MAX_PARTITION_SITES)
    return { scenarios: out, note: `${sites.length} sites: two-group partitions are compared for at most ${MAX_PARTITION_SITES}` };
  return { scenarios: [...out, ...twoGroupSplits(sites)] };
}

/**
 * The links either version declares, as pairs in the order of `sites` (each once), less the
 * bridges: cutting a link whose loss splits the sites in two is that two-group partition,
 * compared already (two sites and one link: "cut fra–lon" is "partition fra / lon").
 */
function cutLinks(sites: readonly string[], ...sides: (TopologyContext | undefined)[]): [string, string][] {
  const links = sites.flatMap((x, i) =>
    sites
      .slice(i + 1)
      .filter((y) => sides.some((ctx) => ctx?.link(x, y)))
      .map((y): [string, string] => [x, y]),
  );
  if (sites.length > MAX_PARTITION_SITES) return links;
  // whether b is still reached from a over the other links
  const joined = (cut: readonly [string, string]) => {
    const seen = new Set([cut[0]]);
    const todo = [cut[0]];
    for (let x = todo.pop(); x !== undefined; x = todo.pop())
      for (const l of links)
        if (l !== cut && l.includes(x)) {
          const y = l[0] === x ? l[1] : l[0];
          if (seen.has(y)) continue;
          seen.add(y);
          todo.push(y);
        }
    return seen.has(cut[1]);
  };
  return links.filter(joined);
}

/** Whether one version declares the link a cut names. */
const declares = (ctx: TopologyContext, [x, y]: readonly [string, string]) => ctx.link(x, y) !== undefined;

/**
 * A scenario as one version sees it: sites it does not declare are dropped (losing them changes
 * nothing), and so are cuts of links it does not declare (cutting them changes nothing).
 */
function asSeenBy(ctx: TopologyContext, s: Scenario): Scenario {
  const declared = new Set(ctx.topology.siteByName.keys());
  const partition = s.partition.map((g) => g.filter((x) => declared.has(x))).filter((g) => g.length);
  return {
    ...s,
    lose: s.lose.filter((x) => declared.has(x)),
    partition: partition.length < 2 ? [] : partition,
    cut: s.cut.filter((l) => declares(ctx, l)),
  };
}

/** How a scenario of the union reads on each side: new or gone with a site, or named by what it cuts there. */
function sidesOf(
  s: Scenario,
  name: string,
  b: TopologyContext | undefined,
  a: TopologyContext | undefined,
): Pick<ScenarioChange, "only" | "sitesOnly" | "linksOnly" | "beforeScenario" | "afterScenario"> {
  if (!b || !a) return {};
  const named = [...new Set([...s.lose, ...s.partition.flat(), ...s.cut.flat()])];
  const onlyIn = (x: TopologyContext, y: TopologyContext) =>
    named.filter((n) => x.topology.siteByName.has(n) && !y.topology.siteByName.has(n));
  // a link between sites both declare, declared in one version only (its sites' own novelty is said above)
  const linksIn = (x: TopologyContext, y: TopologyContext) =>
    s.cut.filter((l) => l.every((n) => y.topology.siteByName.has(n)) && declares(x, l) && !declares(y, l)).map(([p, q]) => `${p}–${q}`);
  const [sb, sa] = [asSeenBy(b, s), asSeenBy(a, s)];
  const nothing = (r: Scenario) => !r.lose.length && !r.partition.length && !r.cut.length;
  const only = (side: "before" | "after", sites: string[], links: string[]) =>
    sites.length ? { only: side, sitesOnly: sites } : { only: side, linksOnly: links };
  const [newIn, newLinks] = [onlyIn(a, b), linksIn(a, b)];
  const [goneIn, goneLinks] = [onlyIn(b, a), linksIn(b, a)];
  const nb = scenarioName(sb, [...b.topology.siteByName.keys()]);
  const na = scenarioName(sa, [...a.topology.siteByName.keys()]);
  // the other version's reading of it ("all up") is what it is compared with
  if ((newIn.length || newLinks.length) && nothing(sb) && !nothing(sa)) return { ...only("after", newIn, newLinks), beforeScenario: nb };
  if ((goneIn.length || goneLinks.length) && nothing(sa) && !nothing(sb))
    return { ...only("before", goneIn, goneLinks), afterScenario: na };
  return { ...(nb !== name ? { beforeScenario: nb } : {}), ...(na !== name ? { afterScenario: na } : {}) };
}

export function diff(before: DiffSide, after: DiffSide): DiffResult {
  const b = before.analysis.contexts[0];
  const a = after.analysis.contexts[0];
  const sites = [...new Set([...(b?.topology.siteByName.keys() ?? []), ...(a?.topology.siteByName.keys() ?? [])])];
  const { scenarios, note } = diffScenarios(sites, cutLinks(sites, b, a));
  const judge = (ctx: typeof a, s: Scenario) => (ctx ? run(ctx, asSeenBy(ctx, s)) : undefined);
  const fb = findingsOf(before);
  const fa = findingsOf(after);
  const added = unmatched(fa, fb);
  const removed = unmatched(fb, fa);
  const moved: MeasureChange[] = [];
  const results = new Map<string, [Result | undefined, Result | undefined]>();
  const built: ScenarioChange[] = scenarios.map((s) => {
    const rb = judge(b, s);
    const ra = judge(a, s);
    const name = scenarioName(s, sites);
    results.set(name, [rb, ra]);
    const sides = sidesOf(s, name, b, a);
    // a scenario only one version has is compared with the other version's reading of it (its all up)
    const before = rb?.verdict ?? null;
    const after = ra?.verdict ?? null;
    const cmp = before === null || after === null ? 0 : VERDICT_RANK[after] - VERDICT_RANK[before];
    // why: what breaks on the worse side (on the one side a new or gone scenario has); unchanged scenarios need no reason
    const side = cmp > 0 ? ra : cmp < 0 ? rb : sides.only === "after" ? ra : sides.only === "before" ? rb : undefined;
    const why = side && side.verdict !== "ok" ? side.breaks.join("; ") : "";
    // an API that stops only after, the verdict unchanged: a regression of its own (review M146); one version's
    // own scenario is compared with the other's all up, and a worse verdict counts it already
    const [sb, sa] = [apiStopsOf(rb), apiStopsOf(ra)];
    const fresh = rb && ra && before === after && !sides.only ? sa.filter((x) => !sb.includes(x)) : [];
    // an etcd's writes that now fail where its cluster's API newly stops are that stop: counted once, there
    const etcd = new Set((ra?.quorums ?? []).filter((q) => q.kind === "etcd").map((q) => q.name));
    const once = (c: MeasureChange): MeasureChange =>
      fresh.length && c.regression && c.measure === "writeLatencyMs" && etcd.has(c.entity)
        ? { ...c, regression: false, countedAs: API_STOP }
        : c;
    // a crossing is counted where the verdict held: where it got worse the verdict counts it, where it improved the
    // move is the design working (review M164: writes from fra fail because the majority moved to lon and ams), and
    // a scenario only one version has is compared with the other's all up, counted by its verdict or not at all
    if (rb && ra) moved.push(...measureChanges(name, rb, ra, cmp !== 0 || sides.only !== undefined).map(once));
    const still = cmp < 0 && ra && ra.verdict !== "ok" ? ra.breaks.join("; ") : "";
    const jb = rb && judgedOnce(rb);
    const ja = ra && judgedOnce(ra);
    const judged = { ...(jb ? { judgedBefore: jb } : {}), ...(ja ? { judgedAfter: ja } : {}) };
    const api = rb && ra && sb.join("\n") !== sa.join("\n") ? { apiStopsBefore: sb, apiStopsAfter: sa } : {};
    const newStops = fresh.length ? { apiStopsNew: fresh } : {};
    return { scenario: name, before, after, why, ...(still ? { still } : {}), ...judged, ...sides, ...api, ...newStops };
  });
  const changes = judgedAsNew(scenarios, built);
  const uncounted = new Map(changes.flatMap((c) => (uncountedWhy(c) ? [[c.scenario, uncountedWhy(c)]] : [])));
  for (const [i, c] of moved.entries())
    if (c.crosses && !c.regression && !c.countedAs && uncounted.has(c.scenario)) moved[i] = { ...c, uncounted: uncounted.get(c.scenario) };
  // a failover window crossing the declared RTO is the figure objective/rto judges: where the after version adds that
  // error, it counts the regression, once (whatif.md: a new error finding is one)
  const rtoFinding = (c: MeasureChange) =>
    c.measure === "failoverSeconds" &&
    added.some((f) => f.code === "objective/rto" && f.severity === "error" && f.entity === `traffic ${c.entity}`);
  for (const [i, c] of moved.entries())
    if (c.regression && rtoFinding(c)) moved[i] = { ...c, regression: false, countedAs: "objective/rto" };
  // the store's own commit after what clients wait for: a Galera writer's commit and a leader's are not the same figure (M38)
  const secondary = (c: MeasureChange) => Number(c.measure === "commitLatencyMs");
  moved.sort((x, y) => Number(y.regression) - Number(x.regression) || secondary(x) - secondary(y) || size(y) - size(x));
  const merged = sameEvents(scenarios, sites, changes, results, moved);
  // a partition that is the same event as a site's loss is counted once, with the loss
  const counted = (scenario: string) => !merged.has(scenario);
  const worse = changes.filter((c) => (gotWorse(c) || c.apiStopsNew !== undefined) && counted(c.scenario)).length;
  const newErrors = added.filter((f) => f.severity === "error").length;
  const availability = availabilityChanges(b, a);
  return {
    before: before.label,
    after: after.label,
    scenarios: merged.size ? changes.map((c) => ({ ...c, ...merged.get(c.scenario)?.[1], ...lossOf(c.scenario, merged) })) : changes,
    changes: moved,
    findings: { added, removed },
    availability,
    regressions:
      worse + moved.filter((c) => c.regression && counted(c.scenario)).length + availability.filter((c) => c.regression).length + newErrors,
    note,
  };
}

/** Why a crossing in a scenario is not counted, where neither its verdict nor the crossing counts it (review M164). */
function uncountedWhy(c: ScenarioChange): string | undefined {
  if (c.before !== null && c.after !== null && VERDICT_RANK[c.after] < VERDICT_RANK[c.before]) return "its verdict improved";
  if (c.only === "after" && !gotWorse(c)) return "new in this version";
  if (c.only === "before" && !gotWorse(c)) return "not in this version";
  return undefined;
}

/** The loss a merged partition names as its twin: `sameAs` on the loss's own entry. */
function lossOf(scenario: string, merged: ReadonlyMap<string, [string, Pick<ScenarioChange, "sameAs" | "reportedWith">]>) {
  for (const [partition, [loss]] of merged) if (loss === scenario) return { sameAs: partition };
  return {};
}

/**
 * The partitions that cut one site off and are, in both versions, the same event as losing that
 * site: the same verdict, the same words (breaks) and the same moves on each side. A witness
 * with no clients is the usual case: losing ams and partition fra,lon / ams differ for nobody,
 * and counting both would count one event twice. Keyed by the partition's name: the loss it is
 * the same as, and the fields its entry gains. A partition whose outcome differs from the loss
 * in either version (clients at the site, a writer there, data at risk) stays on its own.
 */
function sameEvents(
  scenarios: readonly Scenario[],
  sites: readonly string[],
  changes: readonly ScenarioChange[],
  results: ReadonlyMap<string, [Result | undefined, Result | undefined]>,
  moved: readonly MeasureChange[],
): Map<string, [string, Pick<ScenarioChange, "sameAs" | "reportedWith">]> {
  const out = new Map<string, [string, Pick<ScenarioChange, "sameAs" | "reportedWith">]>();
  const same = (x: Result | undefined, y: Result | undefined) =>
    x === y || (x !== undefined && y !== undefined && x.verdict === y.verdict && x.breaks.join("\n") === y.breaks.join("\n"));
  // the moves of a scenario without its name: equal lists are the same moves
  const moves = (name: string) => JSON.stringify(moved.filter((c) => c.scenario === name).map(({ scenario: _s, ...rest }) => rest));
  for (const s of scenarios) {
    const alone = s.partition.length === 2 ? s.partition.find((g) => g.length === 1) : undefined;
    if (!alone || s.lose.length || s.cut.length) continue;
    const partition = scenarioName(s, sites);
    const loss = scenarioName({ ...ALL_UP, lose: alone }, sites);
    const [pb, pa] = results.get(partition) ?? [];
    const [lb, la] = results.get(loss) ?? [];
    const pc = changes.find((c) => c.scenario === partition);
    const lc = changes.find((c) => c.scenario === loss);
    if (!pc || !lc || pc.before !== lc.before || pc.after !== lc.after || pc.only !== lc.only) continue;
    if (!same(pb, lb) || !same(pa, la) || moves(partition) !== moves(loss)) continue;
    out.set(partition, [loss, { sameAs: loss, reportedWith: loss }]);
  }
  return out;
}

/**
 * How far a measure moved: rps as a share of the entry's peak (a load and the headroom it costs
 * move together), other measures relative to their larger side; a client's writes failing or
 * resuming as far as anything moves.
 */
function size(c: MeasureChange): number {
  // writes that stop or fail, or resume, on one side: the largest move there is (review M52), not a move from 0
  if (c.measure === "writeLatencyMs" && (c.before === null) !== (c.after === null)) return 1;
  const x = c.before ?? 0;
  const y = c.after ?? 0;
  const base = c.scale ?? Math.max(Math.abs(x), Math.abs(y));
  return base ? Math.abs(y - x) / base : 0;
}

/**
 * Every measure of one scenario that moved between the versions: load and headroom per
 * backend, commit latency per consensus store, data at risk per store, error rps per entry.
 * A move across a limit (headroom below 0, latency over the budget, errors where there were
 * none) is a regression, unless the scenario's verdict already got worse (counted once) or the
 * scenario is only one version's (`settled`: the other side ran its all up, so the move is not
 * the same failure getting worse).
 */
/** A traffic entry's failover window that moved (review M110: the healthCheck and TTL a review adds buy a known window). */
function failoverChanges(rb: Result, ra: Result, push: (c: Omit<MeasureChange, "scenario" | "regression">) => void): void {
  const entries = [...new Set([...(rb.failover ?? []), ...(ra.failover ?? [])].map((w) => w.entry))];
  for (const entry of entries) {
    const wb = rb.failover?.find((w) => w.entry === entry);
    const wa = ra.failover?.find((w) => w.entry === entry);
    const note = (w: typeof wb) => (!w ? "no window" : w.seconds === null ? "unknown" : undefined);
    // above the entry's declared RTO objective (availability.md: objective/rto judges the same figure, the RTO estimate)
    const over = (w: typeof wb) => w?.seconds != null && w.rtoObjectiveSeconds !== undefined && w.seconds > w.rtoObjectiveSeconds;
    const rto = `over the RTO of ${wa?.rtoObjectiveSeconds} s`;
    push({
      entity: entry,
      measure: "failoverSeconds",
      before: wb?.seconds ?? null,
      after: wa?.seconds ?? null,
      beforeNote: note(wb),
      afterNote: note(wa),
      // a known window within the before version's RTO (or with none declared) that now exceeds it crosses it; an
      // unknown one that is now over it is said, not counted as crossing (objective/rto is new either way)
      crosses: wb?.seconds != null && over(wa) && !over(wb) ? rto : undefined,
      ...(wb?.seconds == null && over(wa) ? { over: rto } : {}),
      ...(wa ? { ...unproven(wb, wa) } : {}),
    });
  }
}

/**
 * A window gone unknown under the after version's declared RTO (w58): the reader deciding on the
 * change is told why it is unknown and that the RTO, shown to hold before, no longer can be.
 */
function unproven(wb: FailoverWindow | undefined, wa: FailoverWindow): { unproven?: string } {
  if (wa.seconds !== null || wa.rtoObjectiveSeconds === undefined) return {};
  const rto = seconds(wa.rtoObjectiveSeconds, 3);
  const held = wb?.seconds != null && wb.seconds <= wa.rtoObjectiveSeconds;
  const why = wa.unknownBecause ? `${wa.unknownBecause}: ` : "";
  return { unproven: `${why}the RTO of ${rto} ${held ? "can no longer be shown to hold" : "cannot be shown to hold"}` };
}

function measureChanges(scenario: string, rb: Result, ra: Result, settled: boolean): MeasureChange[] {
  const out: MeasureChange[] = [];
  const push = (c: Omit<MeasureChange, "scenario" | "regression">) => {
    if (c.before === c.after && c.beforeNote === c.afterNote) return;
    const notes = {
      ...(c.before === null && c.beforeNote ? { beforeNote: c.beforeNote } : {}),
      ...(c.after === null && c.afterNote ? { afterNote: c.afterNote } : {}),
    };
    const { beforeNote: _b, afterNote: _a, ...rest } = c;
    out.push({ scenario, ...rest, ...notes, regression: c.crosses !== undefined && !settled });
  };
  // why a backend carries nothing: its site is lost, steering withdrew it, or it is not in that version
  const backendNote = (r: Result, b: Result["traffic"][number]["backends"][number] | undefined) =>
    !b
      ? "not declared"
      : r.scenario.lose.includes(b.site)
        ? "lost"
        : b.loadRps === null
          ? "withdrawn"
          : b.capacityRps === null
            ? "no capacity declared"
            : undefined;
  const storeNote = (x: Result["stores"][number] | undefined) =>
    !x
      ? "not declared"
      : x.everyCopyLost
        ? "every copy lost: since the last backup"
        : x.rpoUnbounded
          ? "unbounded: the lag buffer overflows"
          : x.rpoUnknown
            ? "unknown: no maxLagSeconds bounds the lag"
            : "none";
  for (const ta of ra.traffic) {
    const tb = rb.traffic.find((x) => x.name === ta.name);
    const peak = (t: typeof ta | undefined) => (t ? t.backends.reduce((a, b) => a + (b.loadRps ?? 0), 0) : 0);
    const scale = Math.max(peak(ta), peak(tb)) || undefined;
    for (const ba of ta.backends) {
      const bb = tb?.backends.find((x) => x.cluster === ba.cluster);
      const entry = ta.name;
      const notes = { beforeNote: backendNote(rb, bb), afterNote: backendNote(ra, ba) };
      push({ entity: ba.cluster, entry, measure: "loadRps", before: bb?.loadRps ?? null, after: ba.loadRps, scale, ...notes });
      const hb = bb?.headroomRps ?? null;
      const ha = ba.headroomRps;
      push({
        entity: ba.cluster,
        entry,
        measure: "headroomRps",
        before: hb,
        after: ha,
        scale,
        ...notes,
        crosses: ha !== null && ha < 0 && (hb === null || hb >= 0) ? "headroom below 0" : undefined,
      });
    }
    // errors where the other version served (M48: a cut that now turns lon-prod's writes into 502s)
    const eb = tb?.errorRps ?? null;
    const ea = ta.errorRps;
    push({ entity: ta.name, measure: "errorRps", before: eb, after: ea, scale, crosses: ea > 0 && !eb ? "errors appear" : undefined });
  }
  failoverChanges(rb, ra, push);
  quorumChanges(rb, ra, push);
  for (const sa of ra.stores) {
    const sb = rb.stores.find((x) => x.name === sa.name);
    push({
      entity: `store ${sa.name}`,
      measure: "atRiskBytes",
      before: sb?.atRiskBytes ?? null,
      after: sa.atRiskBytes,
      beforeNote: storeNote(sb),
      afterNote: storeNote(sa),
    });
  }
  return out;
}

type Push = (c: Omit<MeasureChange, "scenario" | "regression">) => void;

/** What a client's writes crossing into failure cross (`crosses`; the after side's note says the same). */
export const WRITES_FAIL = "writes fail";
/** What a store's commit crossing into a stop crosses, where no client site's writes say it. */
export const WRITES_STOP = "writes stop";
/** `countedAs` of an etcd's writes that now fail where its cluster's API newly stops: that scenario's `apiStopsNew` counts it. */
export const API_STOP = "apiStopsNew";

/**
 * Per quorum: what a client waits for from each site either version's clients write from (M38:
 * a Galera node's commit and a leader's are not the same figure, a write from fra is), then the
 * store's own commit, secondary; an etcd's commit serves only its cluster's API, compared above.
 */
function quorumChanges(rb: Result, ra: Result, push: Push) {
  const quorumNote = (q: Result["quorums"][number] | undefined) =>
    !q ? "not declared" : q.outcome === "stops" ? "writes stop" : q.outcome === "lost" ? "lost" : "unknown: a member link has no rttMs";
  for (const qa of ra.quorums) {
    const qb = rb.quorums.find((x) => x.name === qa.name);
    // what a client waits for, per site that writes in both versions (M38): a Galera node's commit
    // and a leader's are not the same figure, a write from fra or lon is
    const writeNote = (q: Result["quorums"][number], site: string) =>
      // one word for a site's null write, whether its store stops or only its own writes fail (review M115)
      q.outcome === "stops" || q.writesFrom[site] === null ? "writes fail" : undefined;
    // from the sites either version's clients write from (none declared: the commit alone is compared)
    const from = new Set([...qa.clientSites, ...(qb?.clientSites ?? [])]);
    // whether a client site's writes were compared that succeeded before: their failing is the regression, not the commit's
    let compared = false;
    for (const [site, after] of Object.entries(qa.writesFrom)) {
      if (!qb || !from.has(site) || !(site in qb.writesFrom)) continue;
      const before = qb.writesFrom[site];
      // writes that fail in both versions did not move, whatever the reason
      if (before === null && after === null) continue;
      const over = (x: number | null, limit: number | null) => x !== null && limit !== null && x > limit;
      compared ||= before !== null;
      push({
        entity: qa.name,
        measure: "writeLatencyMs",
        from: site,
        before,
        after,
        beforeNote: writeNote(qb, site),
        afterNote: writeNote(qa, site),
        // writes that failed before and now succeed over the budget got better: only a write that succeeded within it crosses;
        // writes that succeeded and now fail got worse whatever the verdict says (review M146)
        crosses:
          before !== null && after === null
            ? WRITES_FAIL
            : before !== null && over(after, qa.writeLatencyBudgetMs) && !over(before, qb.writeLatencyBudgetMs)
              ? `over the ${qa.writeLatencyBudgetMs} ms budget`
              : undefined,
        ...(before === null && over(after, qa.writeLatencyBudgetMs) ? { over: `over the ${qa.writeLatencyBudgetMs} ms budget` } : {}),
      });
    }
    if (qa.kind === "etcd") continue;
    const budget = qa.writeLatencyBudgetMs;
    // at the placement the writes above are measured at (judgedLeader): one leader per scenario, never the
    // best placement's commit beside the worst placement's writes (expert read: 26 ms from lon with the
    // leader in fra beside an 8 ms commit that fits a leader in lon or ams)
    const commitOf = (q: Result["quorums"][number] | undefined) => (q ? (q.judgedCommitLatencyMs ?? q.commitLatencyMs) : null);
    const before = commitOf(qb);
    const after = commitOf(qa);
    const over = (x: number | null, limit: number | null) => x !== null && limit !== null && x > limit;
    push({
      entity: qa.name,
      measure: "commitLatencyMs",
      before,
      after,
      beforeNote: quorumNote(qb),
      afterNote: quorumNote(qa),
      // a commit that stopped before is not crossing the budget by resuming over it; a store new in this version is.
      // A store whose writes now stop, with no client site's writes compared above to say so (review M146), crosses too
      crosses:
        before !== null && after === null && qb && !compared
          ? WRITES_STOP
          : (before !== null || !qb) && over(after, budget) && !over(before, qb?.writeLatencyBudgetMs ?? null)
            ? `over the ${budget} ms budget`
            : undefined,
    });
  }
}

/** Within floating-point rounding of the allowed value, as objective/* judges (an objective exactly met is met). */
const within = (value: number, allowed: number) => value <= allowed * (1 + 1e-9) + 1e-15;

/**
 * The objective beside a change: the after version's and its judgement, the before version's own
 * (when it declared one), and whether the before figure would meet the after's objective.
 */
function objectiveSides(
  measure: "availability" | "conflictProbability",
  j: ObjectiveJudgement,
  jb: ObjectiveJudgement | undefined,
  before: number | null,
  figure: EntityFigures | undefined,
): Partial<AvailabilityChange> {
  const objective = j.objective as number;
  // an availability is judged as objective/availability judges the after version's (w85): never the bare figure
  const judged = measure === "availability" && figure && before !== null ? availabilityMeets(figure, objective) : undefined;
  const meets = (v: number) => (judged ? judged.met === true : within(v, objective));
  return {
    objective,
    metAfter: j.met,
    ...(j.condition ? { condition: j.condition } : {}),
    ...(jb && typeof jb.objective === "number" ? { objectiveBefore: jb.objective, metBefore: jb.met } : {}),
    ...(before !== null ? { beforeMeets: meets(before) } : {}),
    ...(judged
      ? {
          beforeMet: judged.met,
          ...(judged.condition ? { beforeCondition: judged.condition } : {}),
          ...(judged.detail ? { beforeDetail: judged.detail } : {}),
        }
      : {}),
  };
}

/**
 * Each entity's availability and conflict probability in both versions, matched by entity;
 * listed when the change shows at the precision people read (six significant digits of the
 * availability, three of the conflict time). A drop is a regression when the after version
 * no longer meets its declared objective for that measure (the objective/* judgement).
 */
export function availabilityChanges(b: TopologyContext | undefined, a: TopologyContext | undefined): AvailabilityChange[] {
  const fb = b ? reportOf(b).figures : [];
  const fa = a ? reportOf(a).figures : [];
  if (!fb.length && !fa.length) return [];
  const judged = a ? objectiveJudgements(a) : [];
  const judgedBefore = b ? objectiveJudgements(b) : [];
  const labels = [...new Set([...fb.map((f) => f.label), ...fa.map((f) => f.label)])];
  const out: AvailabilityChange[] = [];
  for (const entity of labels) {
    const x = fb.find((f) => f.label === entity);
    const y = fa.find((f) => f.label === entity);
    for (const measure of ["availability", "conflictProbability"] as const) {
      const before = x ? x[measure] : null;
      const after = y ? y[measure] : null;
      if (before === null && after === null) continue;
      const shown = (v: number | null) => (v === null ? "none" : measure === "availability" ? availabilityPercent(v) : percentOfTime(v));
      if (shown(before) === shown(after)) continue;
      const j = y && judged.find((k) => k.owner === y.owner && k.key === measure);
      const jb = x && judgedBefore.find((k) => k.owner === x.owner && k.key === measure);
      const api = y?.api ? y : x?.api ? x : undefined;
      const worse = before !== null && after !== null && (measure === "availability" ? after < before : after > before);
      out.push({
        entity,
        measure,
        ...(api ? { subject: apiSubject(api) } : {}),
        before,
        after,
        ...(j && typeof j.objective === "number" ? objectiveSides(measure, j, jb, before, x) : {}),
        regression: worse && j?.met === false,
      });
    }
  }
  return out.sort((p, q) => Number(q.regression) - Number(p.regression));
}
