/**
 * objective/*: each store and traffic entry held to the tiers it declares (shared
 * design/availability.md, rules.md "objective"). Pure: no editor, no connection.
 */
import type { Finding, FixHint } from "../model/finding";
import type { Span } from "../model/text";
import type { Objectives, Store, Traffic } from "../model/topology";
import { finding, type TopologyContext } from "./context";
import { cellSteps, type Cell } from "../derive/track";
import { finish, type Steps } from "../util/steps";
import { DNS_STEERING, TTL_RANGE } from "../derive/loads";
import { soleCopyRpoText, soleCopySite } from "../derive/siteloss";
import { cutOffReplicaSites, cutOffVoterSites, neverVoteText } from "../derive/reach";
import { total } from "../math/quorum";
import { availabilityPercent, seconds, sig } from "../util/format";
import { listText } from "../util/strings";
import type { F } from "../model/yamlnodes";
import {
  type AvailabilityReport,
  reportSteps,
  type EntityFigures,
  bareFigureText,
  componentsText,
  cutSetText,
  figureText,
  withRelayText,
  ninesAndMinutes,
  anycastRtoCondition,
  rpoConditionShort,
  rtoEstimate,
  type RtoEstimate,
  rtoGap,
  storeRpo,
  timeShare,
  unmeasured,
  whereANineHelpsConflicts,
  conflictNineText,
} from "../availability/figures";
import { type Failover, failoverGap, failoverGapText } from "../availability/failover";
import {
  allUp,
  entityLinks,
  entitySites,
  judgeQuorum,
  judgeStore,
  judgeTraffic,
  type LeanDesign,
  leanDesign,
  type LeanEntity,
  leanEntities,
  QUORUM_STOPS,
  STORE_CORRUPTS,
  STORE_WRITES_STOP,
  TRAFFIC_ERRORS,
  TRAFFIC_UNSERVED,
} from "../availability/lean";

/** Figures and objectives are equal within floating-point rounding (relative): an objective exactly met is met. */
const ROUNDING = 1e-9;
/** Every two-group split of at most this many sites is judged for `survive: [partition]` (2^(k−1) − 1 splits). */
export const MAX_SURVIVE_PARTITION_SITES = 20;

const ofStore = (ctx: TopologyContext, st: Store) => ctx.quorumOf(st)?.owner ?? st;

/** The entity figures of a store or traffic entry, if computed. */
export function figuresFor(report: AvailabilityReport, owner: object): EntityFigures | undefined {
  return report.figures.find((f) => f.owner === owner);
}

function whatToAdd(d: LeanDesign, e: LeanEntity | undefined): string {
  if (!e) return "availability on its sites and links";
  const sites = entitySites(e).map((i) => d.sites[i]);
  const links = entityLinks(d, e).length;
  return `availability on ${sites.length === 1 ? "site" : "sites"} ${sites.join(", ")}${links ? " (and on the links between them, where they fail)" : ""}`;
}

/** Why an entity has no figure, for objective/unmeasurable. */
function unmeasurableReason(ctx: TopologyContext, owner: Store | Traffic, isStore: boolean): string {
  if (isStore) {
    const st = owner as Store;
    const rep = st.replication?.value;
    if ((rep === "consensus" || rep === "galera") && !ctx.quorumOf(st)?.resolved) return "its members do not resolve to declared sites";
    if ((rep === "async" || rep === "crdt") && !st.writers?.items.some((w) => ctx.topology.siteByName.has(w.value)))
      return "it declares no writer site: add `writers`";
    return "its replication is not declared";
  }
  const tr = owner as Traffic;
  if (tr.peakRps === undefined) return "it declares no `peakRps`";
  return "some backend's cluster or site, or some store it depends on, does not resolve";
}

/** Runs one survival class with the lean evaluator; the first failing scenario's name and what fails, or undefined. */
export function firstSurviveFailure(d: LeanDesign, e: LeanEntity, cls: string): { scenario: string; what: string } | undefined {
  const state = allUp(d);
  const n = d.sites.length;
  const scratch = { outcome: 0, lostRps: 0 };
  const fails = (): string | undefined => {
    if (e.type === "quorum") return judgeQuorum(d, state, e) >= QUORUM_STOPS ? "writes stop" : undefined;
    if (e.type === "store") {
      const o = judgeStore(d, state, e);
      return o === STORE_WRITES_STOP ? "writes stop" : o === STORE_CORRUPTS ? "both sides take conflicting writes (corrupts)" : undefined;
    }
    const j = judgeTraffic(d, state, e, scratch);
    if (j.outcome === TRAFFIC_UNSERVED) return "no backend remains (unserved)";
    if (j.outcome === TRAFFIC_ERRORS && e.backends.every((b, i) => !state.siteUp[b.site] || e.errors[i]))
      return "every remaining backend errors";
    return undefined;
  };
  if (cls === "site" || cls === "two-sites") {
    const size = cls === "site" ? 1 : 2;
    // sweeps skip losing every site (whatif.md: nothing to tell); a declared goal is another thing —
    // losing every site stops everything, so a design with no other site cannot meet it (review M133)
    if (n <= size) {
      for (let a = 0; a < n; a++) state.siteUp[a] = 0;
      const what = fails() ?? "nothing is left";
      for (let a = 0; a < n; a++) state.siteUp[a] = 1;
      return { scenario: `lose ${d.sites.join(", ")}`, what: `the design has no ${n === 1 ? "other" : "third"} site: ${what}` };
    }
    for (let a = 0; a < n; a++) {
      for (let b = size === 1 ? a : a + 1; b < n; b++) {
        state.siteUp[a] = 0;
        state.siteUp[b] = 0;
        const what = fails();
        state.siteUp[a] = 1;
        state.siteUp[b] = 1;
        if (what) return { scenario: `lose ${size === 1 ? d.sites[a] : `${d.sites[a]}, ${d.sites[b]}`}`, what };
        if (size === 1) break;
      }
    }
    return undefined;
  }
  // partition: every split of the sites the entity reads into two groups (other sites change nothing)
  const sites = entitySites(e);
  const k = sites.length;
  if (k < 2 || k > MAX_SURVIVE_PARTITION_SITES) return undefined;
  const side = new Uint8Array(n);
  for (let mask = 1; mask < 2 ** (k - 1); mask++) {
    for (let i = 1; i < k; i++) side[sites[i]] = mask & (2 ** (i - 1)) ? 1 : 0;
    d.links.forEach((l, li) => {
      state.linkUp[li] = side[l.a] === side[l.b] ? 1 : 0;
    });
    const what = fails();
    if (what) {
      const left = sites.filter((s) => side[s] === 0).map((s) => d.sites[s]);
      const right = sites.filter((s) => side[s] === 1).map((s) => d.sites[s]);
      return { scenario: `partition ${left.join(",")} / ${right.join(",")}`, what };
    }
  }
  return undefined;
}

const WITNESS_FIX = (store: string): FixHint => ({ kind: "add-witness", title: "Add witness site", preferred: true, args: { store } });

/** The objectives a store or traffic entry can declare, in the order they are judged and shown. */
export type ObjectiveKey =
  | "availability"
  | "conflictProbability"
  | "rpoSeconds"
  | "rtoSeconds"
  | `survive ${"site" | "two-sites" | "partition"}`;

/**
 * One declared objective of a store or traffic entry, judged: the objective, the design's
 * figure it was compared with, met or not (null: it cannot be measured), and the finding it
 * gives (none when met; an unmeasurable finding naming several objectives sits on the first).
 * The findings, the CLI, the decision record's Tiers and the diff all read these: one judgement.
 */
export interface ObjectiveJudgement {
  readonly owner: Store | Traffic;
  /** "store ledger", "traffic checkout" */
  readonly label: string;
  readonly key: ObjectiveKey;
  /** the declared value: a number, or the survival class */
  readonly objective: number | string;
  /** availability or conflict probability (a fraction), RPO or RTO in seconds (Infinity: unbounded); null when unmeasurable or a survival class */
  readonly design: number | null;
  /** how the figure is made or where it fails: the RTO's terms, the first failing scenario */
  readonly detail?: string;
  readonly met: boolean | null;
  /**
   * met only on a condition the design does not state, said beside "met": the availability of
   * an entry writing to CockroachDB that meets its objective only thanks to the follower relay
   * of 24.1 and later ("only with CockroachDB 24.1 or later …; without it …: not met"); an RPO
   * "while a majority survives" / "while its sites reach each other"; an anycast RTO "for a site
   * that withdraws its route; on a whole-site loss only if the BGP hold time …" (review M55, M59)
   */
  readonly condition?: string;
  /** not met, and what the tool knows meets it: CockroachDB 24.1's follower relay for a store on an older version (review M117b) */
  readonly fix?: string;
  /** rtoSeconds not met because a single-site loss leaves the entry's clients on backends that do not serve them (availability/failover, review M144) */
  readonly failover?: Failover;
  readonly finding?: Finding;
}

/** objective/*: every objective of every store and traffic entry. */
export function objectiveRules(ctx: TopologyContext): Finding[] {
  return finish(objectiveSteps(ctx));
}

/**
 * objective/* step-wise, for the editor (analysis.ts lateFindingsSteps): a design without
 * objectives is answered at once; otherwise the first step is empty, so nothing heavy runs on
 * the caller's turn, then one entity's figures and one owner's judgement per step.
 */
export function* objectiveSteps(ctx: TopologyContext): Steps<Finding[]> {
  if (!withObjectives(ctx).length) return [];
  yield;
  const judged = yield* judgeSteps(ctx);
  return judged.flatMap((j) => (j.finding ? [j.finding] : []));
}

/** The judgements of an analysed topology, once made (by objectiveJudgements at once, or objectiveSteps a step at a time). */
const judgedCell = (_ctx: TopologyContext): Cell<readonly ObjectiveJudgement[]> => ({});

/** Every declared objective of every store and traffic entry, judged (memoised per analysis). */
export function objectiveJudgements(ctx: TopologyContext): readonly ObjectiveJudgement[] {
  return finish(judgeSteps(ctx));
}

const withObjectives = (ctx: TopologyContext): (Store | Traffic)[] => [
  ...ctx.topology.stores.filter((s) => s.objectives),
  ...ctx.topology.traffic.filter((x) => x.objectives),
];

/** What every step judging one owner's objectives reads. */
interface Judging {
  readonly ctx: TopologyContext;
  readonly d: LeanDesign;
  readonly report: AvailabilityReport;
  readonly owner: Store | Traffic;
  readonly isStore: boolean;
  readonly o: Objectives;
  /** "store ledger", "traffic checkout" */
  readonly label: string;
  readonly e: LeanEntity | undefined;
  readonly f: EntityFigures | undefined;
  readonly judge: (j: Omit<ObjectiveJudgement, "owner" | "label">) => void;
  readonly unmeasurable: (what: string) => Finding;
}

/** Every owner's objectives judged, a step per owner after the figures' steps; kept for objectiveJudgements. */
function judgeSteps(ctx: TopologyContext): Steps<readonly ObjectiveJudgement[]> {
  return cellSteps(ctx.fact(judgedCell), () => judgeEverySteps(ctx));
}

/** judgeSteps uncached: the figures, then a step per owner. */
function* judgeEverySteps(ctx: TopologyContext): Steps<readonly ObjectiveJudgement[]> {
  const t = ctx.topology;
  const owners = withObjectives(ctx);
  const out: ObjectiveJudgement[] = [];
  if (!owners.length) return out;
  const d = leanDesign(ctx);
  const entities = leanEntities(ctx, d);
  const report = yield* reportSteps(ctx);
  for (const owner of owners) {
    const isStore = t.stores.includes(owner as Store);
    const o = owner.objectives as Objectives;
    const label = `${isStore ? "store" : "traffic"} ${owner.name?.value ?? `#${owner.index + 1}`}`;
    const entityOwner = isStore ? ofStore(ctx, owner as Store) : owner;
    const j: Judging = {
      ctx,
      d,
      report,
      owner,
      isStore,
      o,
      label,
      e: entities.find((x) => x.owner === entityOwner),
      f: figuresFor(report, entityOwner),
      judge: (x) => out.push({ owner, label, ...x }),
      unmeasurable: (what) => finding("objective/unmeasurable", o.keySpan, `${label}: ${what}`),
    };
    judgeWithoutFigure(j);
    judgeAvailability(j);
    judgeConflicts(j);
    judgeRpo(j);
    judgeRto(j);
    judgeSurvive(j);
    yield;
  }
  return out;
}

/** availability and conflictProbability when the entity has no figure: unmeasurable, saying what to add. */
function judgeWithoutFigure({ ctx, d, report, owner, isStore, o, e, f, judge, unmeasurable }: Judging): void {
  const needsFigure = (["availability", "conflictProbability"] as const).filter((k) => o[k]);
  if (!needsFigure.length || f) return;
  const why = !e
    ? unmeasurable(`${needsFigure.join(" and ")} cannot be computed: ${unmeasurableReason(ctx, owner, isStore)}`)
    : report.invalid.length
      ? undefined // the schema reports the value out of range; nothing is computed until it is fixed
      : unmeasurable(`${needsFigure.join(" and ")} cannot be computed: no site or link declares an availability — add ${whatToAdd(d, e)}`);
  needsFigure.forEach((key, i) => {
    judge({ key, objective: o[key]!.value, design: null, met: null, finding: i ? undefined : why });
  });
}

/** Within floating-point rounding of the allowed value: an objective exactly met is met. */
const within = (value: number, allowed: number) => value <= allowed * (1 + ROUNDING) + 1e-15;

/**
 * objective/availability. A bounded figure is met when its lower end meets the objective, not
 * met when even its upper end misses it, undecided in between (the state budget ran out before
 * the objective's precision).
 */
function judgeAvailability({ ctx, d, owner, isStore, o, label, e, f, judge }: Judging): void {
  if (!f || !o.availability) return;
  const allowed = 1 - o.availability.value;
  const { met, undeclared, condition } = availabilityMeets(f, o.availability.value);
  let why: Finding | undefined;
  if (undeclared)
    why = finding("objective/unmeasurable", o.availability.span, `${label}: ${restsOnUndeclared(f, "availability", o.availability.value)}`);
  else if (met === null)
    why = finding(
      "objective/unmeasurable",
      o.availability.span,
      `${label}: availability is between ${availabilityPercent(f.interval[0], f.unavailability)} and ${availabilityPercent(f.interval[1])} and the objective ${availabilityPercent(o.availability.value)} lies inside: ${budgetRanOut(f)}`,
    );
  else if (!met) {
    const cut = f.brokenAllUp
      ? "it fails with every site and link up"
      : f.cutSets.length
        ? `most likely cut set: ${cutSetText(f.cutSets[0])}`
        : "no set of three or fewer components breaks it alone";
    const fixes: FixHint[] = isStore && witnessHelps(ctx, d, e, owner as Store) ? [WITNESS_FIX(owner.name!.value)] : [];
    why = finding(
      "objective/availability",
      o.availability.span,
      `${label}: computed availability ${figureText(f)} is below the objective ${availabilityPercent(o.availability.value)} (${ninesAndMinutes(allowed)}); ${cut}${relayFix(f, allowed) ? `; ${withRelayText(f.withRelay!)}: met` : ""}. Independent failures assumed: the real figure is lower`,
      fixes.length ? { fixes } : {},
    );
  }
  // met only through a relay the design does not state: said in check too, with what settles it (review M74)
  if (condition && f.withoutRelay) why = relayConditional(label, o.availability, f, condition, f.withoutRelay.stores);
  judge({
    key: "availability",
    objective: o.availability.value,
    design: f.availability,
    ...(undeclared ? { detail: onlyIfText(f.assumedAtOne) } : {}),
    met,
    finding: why,
    condition,
    ...(met === false && relayFix(f, allowed) ? { fix: "met with CockroachDB 24.1 or later (its follower relay)" } : {}),
  });
}

/**
 * Whether an availability figure meets an objective, as objective/availability judges it: the one
 * home for that judgement — `check`, the record's Tiers and the diff's "the old design's … would
 * meet it" (w85: the diff compared the old figure bare, so a figure met only by taking an
 * undeclared site as never failing, or only through CockroachDB's relay, "would meet it too").
 * `met` null: not measured (`undeclared`: met only if what declares no availability never fails) or
 * a bound the objective lies inside; `condition`: met only on a relay the design does not state.
 */
export function availabilityMeets(
  f: EntityFigures,
  objective: number,
): { met: boolean | null; undeclared: boolean; condition?: string; detail?: string } {
  const allowed = 1 - objective;
  const upperMeets = within(Math.max(0, f.unavailability - f.unjudgedProbability), allowed);
  // review M134: a figure that meets the objective only by taking undeclared sites or links as never failing does not meet it
  const undeclared = f.assumedAtOne.length > 0 && within(f.unavailability, allowed);
  const met = undeclared ? null : within(f.unavailability, allowed) ? true : upperMeets ? null : false;
  const condition = relayCondition(f, allowed, met);
  return { met, undeclared, ...(condition ? { condition } : {}), ...(undeclared ? { detail: onlyIfText(f.assumedAtOne) } : {}) };
}

/** "met only if ams and the fra–ams link never fail (no availability declared)": why a met is not measured, in a status's few words. */
const onlyIfText = (taken: readonly string[]) =>
  `met only if ${componentsText(taken)} never fail${taken.length === 1 ? "s" : ""} (no availability declared)`;

/**
 * Why an objective met by a figure that takes undeclared components at 1 cannot be judged (review
 * M134): "availability ≥ 99.99% is met only if ams and the fra–ams link never fail: the figure,
 * 99.9999% …, counts them as never failing — add availability to ams and the fra–ams link
 * (`availability: 1` where one truly never fails)"; nothing declared at all: it cannot be computed.
 */
function restsOnUndeclared(f: EntityFigures, what: string, objective: number, taken = f.assumedAtOne): string {
  const add = `add availability to ${componentsText(taken)} (\`availability: 1\` where one truly never fails)`;
  if (unmeasured(f)) return `${what} cannot be computed: nothing it depends on declares an availability (${taken.join(", ")}) — ${add}`;
  const goal = what === "availability" ? `≥ ${availabilityPercent(objective)}` : `≤ ${timeShare(objective)}`;
  const figure =
    what !== "availability"
      ? `writers partitioned ${timeShare(f.conflictProbability ?? 0)}`
      : f.unavailability > 0
        ? bareFigureText(f)
        : "100%";
  return `${what} ${goal} is met only if ${componentsText(taken)} never fail${taken.length === 1 ? "s" : ""}: the figure, ${figure}, counts ${taken.length === 1 ? "it" : "them"} as never failing — ${add}`;
}

/** Review M117b: a missed objective that CockroachDB 24.1's follower relay would meet (its stores name an older version). */
const relayFix = (f: EntityFigures, allowed: number) => !!f.withRelay && within(f.withRelay.figures.unavailability, allowed);

/** objective/conditional for an availability met only with CockroachDB's follower relay: both figures, and the field that settles it. */
function relayConditional(label: string, o: F<number>, f: EntityFigures, condition: string, stores: readonly string[]): Finding {
  const runs = stores.length === 1 ? `${stores[0]} runs: write it in its` : `${listText(stores)} run: write it in each one's`;
  return finding(
    "objective/conditional",
    o.span,
    `${label}: availability ${availabilityPercent(o.value)} is met at ${figureText(f)} ${condition}. The design does not say which CockroachDB version ${runs} \`engine\` (\`engine: cockroachdb 24.1\`) to settle it — 24.1 or later meets the objective; before 24.1 nothing is relayed and it is missed`,
  );
}

/** When the objective is met only because CockroachDB relays through a follower (24.1 and later): the condition, said. */
function relayCondition(f: EntityFigures, allowed: number, met: boolean | null): string | undefined {
  const w = f.withoutRelay;
  if (met !== true || !w || within(w.figures.unavailability, allowed)) return undefined;
  return `only with CockroachDB 24.1 or later (${w.stores.join(", ")}'s writes relayed through a follower when the leaseholder is out of reach); without that relay ${figureText(w.figures)}: not met`;
}

/** Fractions as percentages with as many significant digits (6 at least) as tell them apart. */
function apart(xs: readonly number[]): string[] {
  const distinct = new Set(xs).size;
  for (let k = 6; ; k++) {
    const out = xs.map((x) => `${Number((x * 100).toPrecision(k))}%`);
    if (new Set(out).size === distinct || k === 17) return out;
  }
}

/** Why a bounded figure decides nothing, and what decides it. */
const budgetRanOut = (f: EntityFigures) =>
  `the state budget ran out after every state of up to ${f.maxFailures} failed components (${sig(f.unjudgedProbability)} of probability unjudged). Fewer failing components decide it: leave availability off the sites and links that never fail`;

/**
 * objective/conflicts: the time writers are partitioned against the objective. Bounded, the
 * figure is an interval (the unjudged states may or may not partition them): met when its upper
 * end meets the objective, not met when its lower end misses it, undecided in between.
 */
function judgeConflicts({ ctx, d, o, label, e, f, judge }: Judging): void {
  if (!f || !o.conflictProbability) return;
  const c = f.conflictProbability ?? 0;
  const lower = Math.max(0, c - f.unjudgedProbability);
  const allowed = o.conflictProbability.value;
  // review M134: a link between two writers that declares no availability never partitions them here — a met on it is not measured
  const undeclared = e?.type === "store" && within(c, allowed) ? undeclaredWriterLinks(d, e) : [];
  const met = undeclared.length ? null : within(c, allowed) ? true : within(lower, allowed) ? null : false;
  const writers = e?.type === "store" ? [...e.writers].map((i) => d.sites[i]).join(", ") : "";
  const span = o.conflictProbability.span;
  judge({
    key: "conflictProbability",
    objective: allowed,
    design: c,
    ...(undeclared.length ? { detail: onlyIfText(undeclared) } : {}),
    met,
    finding: undeclared.length
      ? finding("objective/unmeasurable", span, `${label}: ${restsOnUndeclared(f, "conflictProbability", allowed, undeclared)}`)
      : met === null
        ? finding(
            "objective/unmeasurable",
            span,
            `${label}: writers are partitioned between ${apart([lower, c, allowed]).slice(0, 2).join(" and ")} of the time and the objective ${apart([lower, c, allowed])[2]} lies inside: ${budgetRanOut(f)}`,
          )
        : met
          ? undefined
          : finding(
              "objective/conflicts",
              span,
              `${label}: writers ${writers} are unable to reach each other ${timeShare(c)}, above the objective of ${timeShare(allowed)}. This is a lower bound on conflict exposure: writers also conflict while connected, within their replication lag${conflictLever(ctx, f)}`,
            ),
  });
}

/** Review M141: where one more nine cuts a missed conflict figure most, said after the finding ("; where a nine cuts it most: …"). */
function conflictLever(ctx: TopologyContext, f: EntityFigures): string {
  const h = whereANineHelpsConflicts(ctx, f);
  return h ? `; where a nine cuts it most: ${conflictNineText(f, h)}` : "";
}

/** The links between two writer sites of a store that declare no availability ("fra–lon link"): taken at 1, they never partition the writers. */
function undeclaredWriterLinks(d: LeanDesign, e: Extract<LeanEntity, { type: "store" }>): string[] {
  const out: string[] = [];
  const w = [...e.writers];
  for (let i = 0; i < w.length; i++)
    for (let j = i + 1; j < w.length; j++) {
      const l = d.linkAt[w[i] * d.sites.length + w[j]];
      if (l >= 0 && !d.links[l].link.availability) out.push(`${d.sites[d.links[l].a]}–${d.sites[d.links[l].b]} link`);
    }
  return out;
}

/** objective/rpo: maxLagSeconds (unbounded past the lag buffer) against rpoSeconds; a quorum store's is 0. */
function judgeRpo({ ctx, owner, isStore, o, label, judge, unmeasurable }: Judging): void {
  if (!o.rpoSeconds) return;
  const st = owner as Store;
  const rpo = isStore ? storeRpo(st) : null;
  const objective = o.rpoSeconds.value;
  const sole = isStore ? soleCopySite(ctx, st) : undefined;
  if (!isStore) judge({ key: "rpoSeconds", objective, design: null, met: null, finding: unmeasurable("rpoSeconds applies to stores") });
  else if (sole)
    judge({
      key: "rpoSeconds",
      objective,
      design: Infinity,
      detail: `every copy is at ${sole}`,
      met: false,
      finding: finding(
        "objective/rpo",
        o.rpoSeconds.span,
        `${label}: RPO is ${soleCopyRpoText(sole, cutOffReplicaSites(ctx, st))}; the objective is ${objective} s. Add a replica (or a writer) at another site`,
      ),
    });
  else if (rpo === null)
    judge({
      key: "rpoSeconds",
      objective,
      design: null,
      met: null,
      finding: unmeasurable(`rpoSeconds cannot be checked: declare maxLagSeconds (the most seconds of writes not yet replicated)`),
    });
  else if (rpo === Infinity) {
    const covered = st.lagBufferBytes!.value / (st.writeRatePerSecond!.value * st.writeBytes!.value);
    judge({
      key: "rpoSeconds",
      objective,
      design: Infinity,
      detail: "the lag buffer overflows",
      met: false,
      finding: finding(
        "objective/rpo",
        o.rpoSeconds.span,
        `${label}: RPO is unbounded: lagBufferBytes holds ${seconds(covered)} of writes, less than maxLagSeconds ${st.maxLagSeconds!.value} s, so a longer lag forces a resync (or blocks the primary); the objective is ${objective} s`,
      ),
    });
  } else {
    const met = rpo <= objective;
    const condition = met ? rpoConditionShort(ctx, st) : undefined;
    judge({
      key: "rpoSeconds",
      objective,
      design: rpo,
      detail: rpo ? "maxLagSeconds" : "a write is acknowledged once a majority has it",
      met,
      ...(condition ? { condition } : {}),
      finding: met
        ? undefined
        : finding(
            "objective/rpo",
            o.rpoSeconds.span,
            `${label}: a site loss may take up to maxLagSeconds ${rpo} s of acknowledged writes, above the objective ${objective} s`,
          ),
    });
  }
}

/** objective/rto: the entry's RTO estimate (health checks + TTL, or BGP withdrawal) against rtoSeconds. */
function judgeRto({ ctx, owner, isStore, o, label, judge, unmeasurable }: Judging): void {
  if (!o.rtoSeconds) return;
  const tr = owner as Traffic;
  const rto = isStore ? null : rtoEstimate(tr);
  const objective = o.rtoSeconds.value;
  const floor = isStore || rto ? undefined : ttlAlone(tr, objective);
  // review M144: a failover onto backends that do not serve (502s, overload, none left) recovers nothing, whatever the steering
  const gap = isStore ? undefined : failoverGap(ctx, tr);
  if (isStore)
    judge({ key: "rtoSeconds", objective, design: null, met: null, finding: unmeasurable("rtoSeconds applies to traffic entries") });
  else if (gap) judgeFailoverGap({ label, span: o.rtoSeconds.span, objective, judge }, rto, floor?.seconds, gap);
  else if (floor) {
    // review M85: the TTL alone (with the declared check timeout and propagation) already passes the
    // objective; a detection of any length only adds to it, so the objective is missed, not unmeasurable
    judge({
      key: "rtoSeconds",
      objective,
      design: floor.seconds,
      detail: `more than ${floor.terms} alone, before any detection`,
      met: false,
      finding: finding(
        "objective/rto",
        o.rtoSeconds.span,
        `${label}: the RTO is more than ${sig(floor.seconds)} s — ${floor.terms} alone, before any detection — so it is above the objective ${objective} s whatever the detection: ${tr.healthCheck ? "" : "add a healthCheck (without one nothing steers clients away) and "}${floor.rest < objective ? `lower the TTL below ${sig(objective - floor.rest)} s` : `bring the check timeout and propagation (${sig(floor.rest)} s) below ${objective} s, and the TTL with them`}`,
      ),
    });
  } else if (!rto) {
    judge({
      key: "rtoSeconds",
      objective,
      design: null,
      met: null,
      // w58: a reader deciding on the change is told the RTO can no longer be shown to hold, and what makes the window unknown
      finding: unmeasurable(
        rtoGap(tr) === "ttlSeconds"
          ? `the RTO of ${objective} s (rtoSeconds) cannot be shown to hold — ${tr.steering!.value} declares no ttlSeconds, so clients keep a lost site's answer for as long as their resolvers cache it and the failover window is unknown: declare ttlSeconds`
          : `the RTO of ${objective} s (rtoSeconds) cannot be shown to hold — no healthCheck is declared, so nothing says when ${tr.steering?.value ?? "steering"} stops sending clients to a lost site and the failover window is unknown: add healthCheck: { intervalSeconds, failureThreshold } (how steering detects a dead backend)`,
      ),
    });
  } else {
    const withdrawn = rto.seconds <= objective;
    // anycast with the upstream's detection declared: a whole-site loss is computed, not a condition
    const lost = rto.siteLossSeconds;
    const met = withdrawn && (lost === undefined || lost <= objective);
    const fixes: FixHint[] = [];
    const ttl = tr.ttlSeconds;
    if (!met && ttl && tr.steering?.value !== "anycast") {
      const target = ttl.value - (rto.seconds - objective);
      if (target >= TTL_RANGE[0] && Number.isInteger(target))
        fixes.push({ kind: "replace", title: `Set ttlSeconds to ${target}`, span: ttl.span, text: String(target), preferred: true });
    }
    const worstIsLoss = lost !== undefined && lost > rto.seconds;
    const conditional = met && rto.siteLoss && lost === undefined;
    judge({
      key: "rtoSeconds",
      objective,
      design: worstIsLoss ? lost : rto.seconds,
      detail: worstIsLoss ? `on a whole-site loss: ${rto.siteLossTerms}` : rto.terms,
      met,
      ...(conditional ? { condition: anycastRtoCondition(objective) } : {}),
      finding: met
        ? conditional
          ? finding(
              "objective/conditional",
              o.rtoSeconds.span,
              `${label}: rtoSeconds ${objective} s is met ${anycastRtoCondition(objective)}: ${HOLD_UNDECLARED}`,
            )
          : undefined
        : finding("objective/rto", o.rtoSeconds.span, rtoOverText(label, rto, objective, withdrawn), fixes.length ? { fixes } : {}),
    });
  }
}

/**
 * objective/rto not met by a failover onto backends that do not serve (review M144): some
 * single-site loss leaves the clients steering moves on backends that cannot write, are over their
 * capacity, or on none (availability/failover) — the steering time, when known, said beside it.
 */
function judgeFailoverGap(
  { label, span, objective, judge }: { label: string; span: Span; objective: number; judge: Judging["judge"] },
  rto: RtoEstimate | null,
  floor: number | undefined,
  gap: Failover,
): void {
  const steering = rto
    ? `steering moves clients off a lost site within ${sig(rto.seconds)} s (${rto.terms})${rto.seconds > objective ? ", itself above the objective" : ""}, but`
    : "whatever the steering,";
  judge({
    key: "rtoSeconds",
    objective,
    design: rto?.seconds ?? floor ?? null,
    detail: failoverGapText(gap),
    met: false,
    failover: gap,
    finding: finding("objective/rto", span, `${label}: rtoSeconds ${objective} s is not met — ${steering} ${failoverGapText(gap)}`),
  });
}

/**
 * A DNS-steered entry without an RTO estimate (no complete healthCheck) whose TTL, with the
 * declared check timeout and propagation, already reaches `objective`: the lower bound and its
 * terms. Detection (interval × failures) is always more than 0 s, so reaching it is missing it.
 */
function ttlAlone(tr: Traffic, objective: number): { seconds: number; terms: string; rest: number } | undefined {
  const steering = tr.steering?.value;
  if (!steering || !DNS_STEERING.includes(steering) || !tr.ttlSeconds) return undefined;
  const hc = tr.healthCheck;
  const parts: [number, string][] = [
    [hc?.timeoutSeconds?.value ?? 0, "s check timeout"],
    [hc?.propagationSeconds?.value ?? 0, "s propagation"],
    [tr.ttlSeconds.value, "s TTL"],
  ];
  const seconds = parts.reduce((a, [v]) => a + v, 0);
  if (seconds < objective) return undefined;
  const terms = parts.filter(([v]) => v > 0).map(([v, unit]) => `${sig(v)} ${unit}`);
  return { seconds, terms: terms.length > 1 ? terms.join(" + ") : `the ${terms[0] ?? "0 s TTL"}`, rest: seconds - tr.ttlSeconds.value };
}

/** What settles an anycast RTO met on the BGP hold time's condition (objective/conditional). */
const HOLD_UNDECLARED =
  "declare healthCheck.bgpHoldSeconds (the negotiated hold time: 90 s as RFC 4271 suggests, 180 s by default on many routers) or healthCheck.bfd: { intervalMs, multiplier } (typically 300 ms × 3) to compute the RTO on a whole-site loss";

/** objective/rto's message: the estimate over the objective, for a site that withdraws its route or on a whole-site loss (anycast). */
function rtoOverText(label: string, rto: RtoEstimate, objective: number, withdrawn: boolean): string {
  if (!withdrawn) {
    const loss = rto.siteLossSeconds !== undefined ? `; on a whole-site loss ${sig(rto.siteLossSeconds)} s (${rto.siteLossTerms})` : "";
    return `${label}: RTO estimate ${sig(rto.seconds)} s (${rto.terms}) is above the objective ${objective} s${loss}; ${rto.caveat}`;
  }
  const bfd = /^BFD/.test(rto.siteLossTerms ?? "") ? "" : "; BFD on those sessions (e.g. 300 ms × 3) detects the loss in about a second";
  return `${label}: RTO on a whole-site loss ${sig(rto.siteLossSeconds!)} s (${rto.siteLossTerms}) is above the objective ${objective} s — nobody at the lost site withdraws its route, so the upstream drops it only when its BGP session fails (${sig(rto.seconds)} s for a site that withdraws it)${bfd}; ${rto.caveat}`;
}

/** objective/survive: each declared class's sweep with the lean evaluator; the first failing scenario named. */
function judgeSurvive({ ctx, d, owner, isStore, o, label, e, judge }: Judging): void {
  let surviveUnmeasurable = false;
  for (const cls of o.survive?.items ?? []) {
    const value = cls.value;
    if (value !== "site" && value !== "two-sites" && value !== "partition") continue; // the schema reports it
    const key = `survive ${value}` as const;
    if (!e) {
      // one finding for the entity, every class unmeasurable
      judge({
        key,
        objective: value,
        design: null,
        met: null,
        finding: surviveUnmeasurable
          ? undefined
          : finding("objective/unmeasurable", o.keySpan, `${label}: survive cannot be checked: ${unmeasurableReason(ctx, owner, isStore)}`),
      });
      surviveUnmeasurable = true;
      continue;
    }
    if (value === "partition" && entitySites(e).length > MAX_SURVIVE_PARTITION_SITES) {
      judge({
        key,
        objective: value,
        design: null,
        met: null,
        finding: finding(
          "objective/unmeasurable",
          cls.span,
          `${label}: survive partition is checked over at most ${MAX_SURVIVE_PARTITION_SITES} sites; this one reads ${entitySites(e).length}`,
        ),
      });
      continue;
    }
    const fail = firstSurviveFailure(d, e, value);
    if (!fail) {
      judge({ key, objective: value, design: null, met: true });
      continue;
    }
    const fixes = isStore && value !== "two-sites" && witnessHelps(ctx, d, e, owner as Store) ? [WITNESS_FIX(owner.name!.value)] : [];
    judge({
      key,
      objective: value,
      design: null,
      detail: `${fail.scenario} — ${fail.what}`,
      met: false,
      finding: finding(
        "objective/survive",
        cls.span,
        `${label}: survive ${value} fails: ${fail.scenario} — ${fail.what}${e.type === "quorum" ? ` (${quorumDetail(ctx, d, e, fail.scenario)})` : ""}`,
        fixes.length ? { fixes } : {},
      ),
    });
  }
}

/** "2 of 5 members left; majority 3" for a site-loss scenario, else the majority alone. */
function quorumDetail(ctx: TopologyContext, d: LeanDesign, q: Extract<LeanEntity, { type: "quorum" }>, scenario: string): string {
  // the configured size; members that can dial none of the others as designed hold a count of 0 here (derive/reach votingCounts)
  const configured = ctx.quorums.find((x) => x.owner === q.owner);
  const n = configured ? total(configured.counts) : q.counts.reduce((a, c) => a + c, 0);
  const silent = configured ? cutOffVoterSites(ctx, configured) : [];
  const never = silent.length ? `; ${neverVoteText(configured!, silent)} as designed (quorum/member-unreachable)` : "";
  if (scenario.startsWith("lose ")) {
    const lost = new Set(scenario.slice(5).split(", "));
    let left = 0;
    q.sites.forEach((s, i) => {
      if (!lost.has(d.sites[s])) left += q.counts[i];
    });
    const cut = unlinkedReason(ctx, d, q, lost);
    if (left >= q.majority && cut) return `${left} of ${n} members survive${silent.length ? " that can vote" : ""}, but ${cut}${never}`;
    return `${left} of ${n} members left${silent.length ? " that can vote" : ""}; majority is ${q.majority}${never}`;
  }
  return `neither side holds ${q.majority} of ${n} members where a leader could be elected${never}`;
}

/**
 * Why enough surviving members still elect no leader (review M73): a site reaches another only over
 * a declared link, so with one left out no member site may reach a majority — "no member site
 * reaches 3 of them (lon reaches 2, ams reaches 1); no link is declared for lon–ams, …", as
 * simulate says it. Undefined when some site does reach a majority (another reason, e.g. Galera's).
 */
function unlinkedReason(
  ctx: TopologyContext,
  d: LeanDesign,
  q: Extract<LeanEntity, { type: "quorum" }>,
  lost: ReadonlySet<string>,
): string | undefined {
  const alive: [string, number][] = [];
  q.sites.forEach((s, i) => {
    if (!lost.has(d.sites[s]) && q.counts[i] > 0) alive.push([d.sites[s], q.counts[i]]);
  });
  const reach = alive.map(([x]) => [x, alive.reduce((a, [y, c]) => a + (y === x || ctx.link(x, y) ? c : 0), 0)] as const);
  if (!reach.length || reach.some(([, r]) => r >= q.majority)) return undefined;
  const unlinked = alive.flatMap(([a], i) =>
    alive
      .slice(i + 1)
      .filter(([b]) => !ctx.link(a, b))
      .map(([b]) => `${a}–${b}`),
  );
  if (!unlinked.length) return undefined;
  return `no member site reaches ${q.majority} of them (${reach.map(([x, r]) => `${x} reaches ${r}`).join(", ")}); no link is declared for ${unlinked.join(", ")}, and a site reaches another only over a declared link`;
}

/** A witness fixes a quorum whose members sit in exactly two sites (2+2 → 2+2+1, 3+2 → 2+2+1). */
function witnessHelps(ctx: TopologyContext, d: LeanDesign, e: LeanEntity | undefined, st: Store): boolean {
  if (e?.type !== "quorum") return false;
  const q = ctx.quorumOf(st);
  return !!q?.resolved && q.counts.size === 2 && firstSurviveFailure(d, e, "site") !== undefined;
}

/** One declared objective of an entity and whether the design meets it (null: it cannot be measured). */
export interface ObjectiveStatus {
  readonly objective: number | string;
  readonly met: boolean | null;
}

/** Every declared objective of a store or traffic entry with `met`, keyed "availability", "rpoSeconds", …, "survive site". */
export function objectiveStatuses(ctx: TopologyContext, owner: Store | Traffic): Record<string, ObjectiveStatus> {
  const out: Record<string, ObjectiveStatus> = {};
  for (const j of objectiveJudgements(ctx)) if (j.owner === owner) out[j.key] = { objective: j.objective, met: j.met };
  return out;
}
