/**
 * `quorate availability`: every entity's figures as text, JSON or Markdown
 * (availability.md "Where it shows"). Pure.
 */
import type { TopologyContext } from "../derive/context";
import type { Store, Traffic } from "../model/topology";
import { type ObjectiveJudgement, objectiveJudgements } from "../rules/index";
import { budgetOf, budgetText, type WriteBudgetFigures } from "./budget";
import { failoverGap, failoverGapText, failoverLine, failoverShort, failoverText } from "./failover";
import { shiftOf } from "../derive/loads";
import { availabilityPercent, cell, count, minutes, percentOfTime, sig, table } from "../util/format";
import {
  apiCausesText,
  apiSubject,
  type AvailabilityReport,
  boundShows,
  federatedText,
  quorumFigureText,
  cutSetText,
  type EntityFigures,
  figureText,
  MINUTES_PER_YEAR,
  nineHelpsText,
  reportOf,
  rtoText,
  rpoWords,
  servedText,
  takenAtOneCondition,
  takenAtOneText,
  unmeasured,
  unmeasuredText,
  rtoMissing,
  timeShare,
  whereANineHelps,
  whereANineHelpsConflicts,
  conflictNineText,
  type NineHelps,
  withoutRelayText,
  withRelayText,
} from "./figures";

export const AVAILABILITY_FORMATS = ["text", "json", "md"] as const;
export type AvailabilityFormat = (typeof AVAILABILITY_FORMATS)[number];

/** The objectives judged for an entity's figures (a quorum store's figures belong to its store). */
function judgementsOf(ctx: TopologyContext, f: EntityFigures): ObjectiveJudgement[] {
  const owner = f.owner as Store | Traffic;
  return objectiveJudgements(ctx).filter((j) => j.owner === owner);
}

/** `{ availability: { objective, met }, "survive site": … }` for the JSON. */
function objectivesOf(
  ctx: TopologyContext,
  f: EntityFigures,
): Record<string, { objective: number | string; met: boolean | null; condition?: string; detail?: string }> {
  const out: Record<string, { objective: number | string; met: boolean | null; condition?: string; detail?: string }> = {};
  for (const j of judgementsOf(ctx, f))
    out[j.key] = {
      objective: j.objective,
      met: j.met,
      ...(j.condition ? { condition: j.condition } : {}),
      // review M134: why it cannot be measured ("met only if ams never fails (no availability declared)")
      ...(j.met === null && j.detail ? { detail: j.detail } : {}),
      // review M144: not met because a single-site loss leaves clients on backends that do not serve them
      ...(j.failover && j.detail ? { detail: j.detail } : {}),
    };
  return out;
}

/** The objective as its tier states it: "≥ 99.99%", "≤ 120 s", "≤ 0.1% of the time". */
export function objectiveText(j: ObjectiveJudgement): string {
  const v = j.objective;
  if (typeof v === "string") return SURVIVE[v] ?? v;
  if (j.key === "availability") return `≥ ${availabilityPercent(v)} (${minutes((1 - v) * MINUTES_PER_YEAR)} unavailable a year)`;
  if (j.key === "conflictProbability") return `≤ ${timeShare(v)}`;
  return `≤ ${sig(v)} s`;
}

const SURVIVE: Readonly<Record<string, string>> = {
  site: "any one site lost",
  "two-sites": "any two sites lost",
  partition: "any partition into two groups",
};

const metText = (j: ObjectiveJudgement) =>
  j.met === null
    ? `cannot be measured${j.detail ? ` (${j.detail})` : ""}`
    : j.met
      ? `met${j.condition ? ` ${j.condition}` : ""}`
      : j.failover
        ? `NOT met (${failoverShort(j.failover)})`
        : `NOT met${j.detail && j.key.startsWith("survive") ? ` (${j.detail})` : ""}`;

/** A consensus or Galera store's write budget figure (its declared writeLatencyBudgetMs), for its figures. */
function budgetOfFigures(ctx: TopologyContext, f: EntityFigures): WriteBudgetFigures | undefined {
  return f.kind === "consensus" || f.kind === "galera" ? budgetOf(ctx, f.owner as Store) : undefined;
}

/** A traffic entry's served fraction at the best leader placement, for the JSON (null for other entities). */
function bestJson(f: EntityFigures) {
  const b = f.servedBest;
  return b
    ? {
        fraction: b.fraction,
        upper: b.upper,
        method: b.method,
        statesJudged: b.states,
        placementsBounded: b.placementsBounded,
        pins: b.pins,
      }
    : null;
}

/** A traffic entry's failover that does not serve (availability/failover), for the JSON. */
function failoverJson(ctx: TopologyContext, f: EntityFigures) {
  const gap = f.kind === "traffic" ? failoverGap(ctx, f.owner as Traffic) : undefined;
  return gap ? { lose: gap.lost, outcome: gap.outcome, text: failoverText(gap) } : null;
}

/** The JSON array: one object per entity, availability.md's keys first. */
/** A quorum store's write budget figure in the JSON (null without a declared budget). */
function budgetJson(b: WriteBudgetFigures | undefined) {
  if (!b) return null;
  return {
    budgetMs: b.budgetMs,
    overProbability: b.overProbability,
    overMinutesPerYear: b.overProbability * MINUTES_PER_YEAR,
    overBestProbability: b.overBestProbability,
    overBestMinutesPerYear: b.overBestProbability * MINUTES_PER_YEAR,
    // overBest* is one pin for the whole year (consensus): where, and what no pin costs
    pin: b.pin,
    pinFor: b.pinFor,
    pinBy: b.pinBy ?? null,
    overUnpinnedProbability: b.overUnpinnedProbability,
    allUpOverAt: b.allUpOver,
    // over whenever it takes writes when overBestProbability equals it
    writableProbability: b.writableProbability,
    method: b.method,
    unjudgedProbability: b.unjudgedProbability,
    states: b.states,
  };
}

/** A "where a nine helps" result in the JSON: the component, its availability now and then, and the entity's figures then (null when none). */
function nineJson(h: NineHelps | undefined) {
  if (!h) return null;
  const a = Number(h.availability.toPrecision(12));
  return {
    component: h.site,
    kind: h.kind,
    availability: a,
    better: 1 - (1 - a) / 10,
    availabilityThen: h.better.availability,
    minutesPerYearThen: h.better.minutesPerYear,
    conflictProbabilityThen: h.better.conflictProbability,
  };
}

/** An etcd's `api` in the JSON: its figure is its cluster's API from its site; the quorum's own figure and why the API stops (null for others). */
function apiJson(f: EntityFigures) {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return f.api
    ? {
        from: f.api.from,
        siteDown: f.api.siteDown,
        cutOff: f.api.cutOff,
        // every site of the API servers its nodes write through down, the quorum writing on at etcd-only witness members
        apiServersDown: f.api.serversDown,
        quorumStops: f.api.quorumStops,
        quorumAvailability: f.api.quorum.availability,
        quorumNines: finite(f.api.quorum.nines),
        quorumMinutesPerYear: f.api.quorum.minutesPerYear,
        federatedAvailability: f.api.stretched ? f.api.federated : null,
        // review M94: the member sites of a control plane with none at the cluster's site, else null
        remoteMembers: f.api.remote.length ? f.api.remote : null,
        // with remoteMembers: the sites of the API servers the nodes write through (no witness's etcd-only member), else null
        remoteControlPlane: f.api.remote.length ? f.api.controlPlane : null,
      }
    : null;
}

export function availabilityJson(ctx: TopologyContext, report: AvailabilityReport = reportOf(ctx)): string {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const out = report.figures.map((f) => ({
    entity: f.entity,
    kind: f.kind,
    availability: f.availability,
    nines: finite(f.nines),
    minutesPerYear: f.minutesPerYear,
    method: f.method,
    unjudgedProbability: f.unjudgedProbability,
    cutSets: f.cutSets.map((c) => ({ components: c.components, probability: c.probability })),
    conflictProbability: f.conflictProbability,
    servedFraction: f.servedFraction,
    servedBest: bestJson(f),
    // review M139: how a lost site's share moves for a traffic entry — "weight" (split over the survivors) or "catchment" (whole to one
    // surviving site: anycast, geodns; judged at the survivor it leaves the least headroom, `assumptions` says so); null for the others
    lostShare: f.kind === "traffic" ? shiftOf(f.owner as Traffic) : null,
    withoutRelay: f.withoutRelay
      ? {
          stores: f.withoutRelay.stores,
          availability: f.withoutRelay.figures.availability,
          nines: finite(f.withoutRelay.figures.nines),
          minutesPerYear: f.withoutRelay.figures.minutesPerYear,
          servedFraction: f.withoutRelay.figures.servedFraction,
          servedBest: bestJson(f.withoutRelay.figures),
        }
      : null,
    // review M117b: a CockroachDB store before 24.1 — the figure its follower relay would give
    withRelay: f.withRelay
      ? {
          stores: f.withRelay.stores,
          engines: f.withRelay.engines,
          availability: f.withRelay.figures.availability,
          nines: finite(f.withRelay.figures.nines),
          minutesPerYear: f.withRelay.figures.minutesPerYear,
          servedFraction: f.withRelay.figures.servedFraction,
        }
      : null,
    // an etcd: `availability` above is its cluster's API from its site; the quorum's own figure and why the API stops
    api: apiJson(f),
    writeBudget: budgetJson(budgetOfFigures(ctx, f)),
    // review M141: where one more nine helps most — the availability, and a multi-writer store's conflict figure
    whereANineHelps: nineJson(whereANineHelps(ctx, f)),
    whereANineCutsConflicts: nineJson(whereANineHelpsConflicts(ctx, f)),
    rtoSeconds: f.rto?.seconds ?? null,
    // anycast with bgpHoldSeconds or bfd declared: the RTO on a whole-site loss (the upstream's detection + withdrawSeconds)
    rtoSiteLossSeconds: f.rto?.siteLossSeconds ?? null,
    rtoSiteLossTerms: f.rto?.siteLossTerms ?? null,
    rpoSeconds: f.rpoSeconds === null ? null : finite(f.rpoSeconds),
    rpoUnbounded: f.rpoSeconds === Infinity,
    rpoSoleSite: f.rpoSoleSite ?? null,
    rpoCondition: f.rpoCondition ?? null,
    objectives: objectivesOf(ctx, f),
    label: f.label,
    interval: f.interval,
    outcomes: f.outcomes,
    brokenAllUp: f.brokenAllUp,
    rtoTerms: f.rto?.terms ?? null,
    // review M144: the first single-site loss after which the entry is not served once steering has withdrawn the lost site (null: every one serves; not a traffic entry)
    failover: failoverJson(ctx, f),
    statesJudged: f.states,
    maxFailuresJudged: f.maxFailures,
    linksInClosedForm: f.closedForm,
    components: f.components,
    assumedAtOne: f.assumedAtOne,
    // review M134: false when nothing the entity depends on declares an availability — `availability` is then 1 only by taking them at 1
    measured: !unmeasured(f),
    assumptions: report.assumptions,
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

function why(report: AvailabilityReport): string | undefined {
  if (report.invalid.length) return `Nothing is computed: availability must be in (0, 1] — ${report.invalid.join("; ")}.`;
  if (!report.declared)
    return "No site or link declares an availability: add `availability: 0.999` (for example) to the sites and links, then run this again.";
  if (!report.figures.length) return "No quorum, store with writers or traffic entry with peakRps to compute.";
  return undefined;
}

const rpoText = (f: EntityFigures) => (f.rpoSeconds === null ? "" : rpoWords(f));

/** "exact: all 8 states judged", "bounded: …", and the links summed in closed form in each state, if any. */
export function methodText(f: EntityFigures): string {
  const closed = f.closedForm
    ? `; ${count(f.closedForm)} ${f.closedForm === 1 ? "link" : "links"} summed in closed form in each (independent given the sites)`
    : "";
  return f.method === "bounded"
    ? `bounded: every state with up to ${f.maxFailures} failed ${f.closedForm ? "sites or shared links" : "components"} judged${closed}; ${sig(f.unjudgedProbability)} of probability unjudged`
    : `exact: all ${count(f.states)} states judged${closed}`;
}

/** An etcd's lines after its figure: why its cluster's API takes no writes, the quorum's own figure, the federated layout's. */
function apiLines(f: EntityFigures): string[] {
  if (!f.api) return [];
  const causes = apiCausesText(f);
  return [causes && `API takes no writes: ${causes}`, quorumFigureText(f), federatedText(f)]
    .filter((x): x is string => !!x)
    .map((x) => `  ${x}`);
}

/**
 * What an outcome word means for this entity (review M121d): "etcd quorum lost" beside "etcd
 * quorum stops" could not be told apart. The words are whatif.md's (and the JSON keys); an etcd
 * with no majority is `lost` when its cluster's site is down with it (derive/siteloss
 * etcdLostWithCluster; without a site, when every member's site is), else it `stops`.
 */
function outcomeMeaning(f: EntityFigures, word: string): string | undefined {
  const home = f.api?.from;
  switch (word) {
    case "minority-stops":
      return "a majority writes; members cut off from it stop";
    case "stops":
      return home ? `no side holds a majority, with ${home} up` : "no side holds a majority: writes stop";
    case "lost":
      return home ? `no side holds a majority, with ${home} down: ${f.entity} is lost with its site` : "every member's site down";
    case "writes-stop":
      return "every writer site down";
    case "corrupts":
      return "writers cut off from each other accept conflicting writes, with no conflict resolution";
    case "diverges":
      return "writers cut off from each other write apart, to converge when the cut heals";
    case "overloaded":
      return "a backend over its capacity";
    case "errors":
      return "a backend still sent clients cannot write to a store it needs";
    case "unserved":
      return "no backend remains";
    default:
      return undefined;
  }
}

function lines(ctx: TopologyContext, f: EntityFigures): string[] {
  const out = [`${f.label} (${f.kind}): ${f.api ? `${apiSubject(f)}: ` : ""}${figureText(f)}`];
  out.push(`  ${methodText(f)}`);
  out.push(...apiLines(f));
  if (f.withoutRelay) out.push(`  ${withoutRelayText(f.withoutRelay)}; ${servedText(f.withoutRelay.figures, true)}`);
  if (f.withRelay) out.push(`  ${withRelayText(f.withRelay)}; ${servedText(f.withRelay.figures, true)}`);
  if (f.brokenAllUp) out.push("  fails with every site and link up");
  for (const c of f.cutSets.slice(0, 3)) out.push(`  cut set: ${cutSetText(c)}`);
  for (const [w, p] of Object.entries(f.outcomes)) {
    const meaning = outcomeMeaning(f, w);
    out.push(`  ${f.api ? "etcd quorum " : ""}${w}${meaning ? ` (${meaning})` : ""}: ${percentOfTime(p)} of the time`);
  }
  if (f.conflictProbability)
    out.push(`  writers partitioned (conflict exposure, a lower bound): ${percentOfTime(f.conflictProbability)} of the time`);
  if (f.servedFraction !== null) out.push(`  ${servedText(f)}`);
  if (f.rto) out.push(`  ${rtoText(f.rto)}`);
  else if (f.kind === "traffic") out.push(`  RTO unknown: ${rtoMissing(f.owner as Traffic)}`);
  // review M144: steering within the RTO onto backends that do not serve recovers nothing
  const failover = f.kind === "traffic" ? failoverLine(ctx, f.owner as Traffic) : undefined;
  if (failover) out.push(`  ${failover}`);
  const helps = whereANineHelps(ctx, f);
  if (helps) out.push(`  where a nine helps most: ${nineHelpsText(ctx, f, helps)}`);
  const conflicts = whereANineHelpsConflicts(ctx, f);
  if (conflicts) out.push(`  ${CONFLICT_NINE}: ${conflictNineText(f, conflicts)}`);
  const budget = budgetOfFigures(ctx, f);
  if (budget) out.push(`  ${budgetText(budget)}`);
  if (f.rpoSeconds !== null) out.push(`  RPO ${rpoText(f)}`);
  for (const j of judgementsOf(ctx, f)) out.push(`  objective ${j.key.replace(/ .*/, "")} ${objectiveText(j)}: ${metText(j)}`);
  if (f.assumedAtOne.length) out.push(`  ${takenAtOneText(f)}`);
  return out;
}

export function availabilityText(ctx: TopologyContext, report: AvailabilityReport = reportOf(ctx)): string {
  const w = why(report);
  // the assumptions are those of figures: none to state when nothing is computed
  if (w) return `${w}\n`;
  const body = report.figures.flatMap((f) => [...lines(ctx, f), ""]);
  return `${[...body, "Assumptions:", ...report.assumptions.map((a) => `- ${a}`)].join("\n")}\n`;
}

/** The RTO cell's caveat (RTO_DETECTION, short): a lost site fails any check; one cut off but alive fails only a deep one. */
const RTO_DEEP_CHECK =
  "for a site cut off but alive only with a deep health check (one that fails through its dependencies; a shallow check keeps passing)";

/**
 * The md RTO cell: DNS steering's estimate holds for a lost site (it fails any check) and for a
 * site cut off but alive only with a deep check; anycast's is for a site whose routers withdraw
 * its route, and a whole-site loss is the upstream's detection (computed, or the condition said).
 */
function mdRto(ctx: TopologyContext, f: EntityFigures): string {
  const rto = f.rto;
  // review M144: a failover onto backends that do not serve recovers nothing: said first, whatever the steering
  const gap = f.kind === "traffic" ? failoverGap(ctx, f.owner as Traffic) : undefined;
  if (!rto) return f.kind === "traffic" ? `unknown: ${rtoMissing(f.owner as Traffic)}${gap ? `; ${failoverGapText(gap)}` : ""}` : "";
  const head = `${sig(rto.seconds)} s (${rto.terms})`;
  if (gap) return `${head} to steer clients off a lost site, but ${failoverGapText(gap)}; ${rto.caveat}`;
  // review M137: the caveat the text says (DNS: clients and resolvers that ignore or clamp TTLs take longer; anycast: connections are reset)
  if (!rto.siteLoss) return `${head}: ${rto.caveat}; holds for a lost site; ${RTO_DEEP_CHECK}`;
  const lost =
    rto.siteLossSeconds !== undefined
      ? `${sig(rto.siteLossSeconds)} s (${rto.siteLossTerms}) on a whole-site loss, when the upstream's BGP session fails`
      : "on a whole-site loss, until the upstream's BGP session fails: the hold time (90–180 s by default, about 1 s with BFD), not declared";
  return `${head} for a site that withdraws its route (cut off but alive: only with a deep health check); ${lost}; ${rto.caveat}`;
}

/** The availability cell: the figure ("≥" when the bound shows), an etcd's subject and its quorum's own figure, the figure without CockroachDB's relay. */
function mdAvailability(f: EntityFigures, budget: WriteBudgetFigures | undefined): string {
  // review M132, M134: the components taken at 1 said beside the figure, as every output says them
  const figure = unmeasured(f)
    ? unmeasuredText(f)
    : `${boundShows(f) ? "≥ " : ""}${availabilityPercent(f.availability, f.unavailability)}${f.assumedAtOne.length ? ` ${takenAtOneCondition(f)}` : ""}`;
  const quorum = quorumFigureText(f);
  return [
    f.api ? `${apiSubject(f)}: ${figure}` : figure,
    ...(quorum ? [quorum] : []),
    ...(f.withoutRelay ? [withoutRelayText(f.withoutRelay)] : []),
    ...(f.withRelay ? [withRelayText(f.withRelay)] : []),
    ...(budget ? [budgetText(budget, false)] : []),
  ].join("; ");
}

/** A traffic entry's requests served (blank for other entities): its range, and without CockroachDB's relay when that lowers it. */
function mdServed(f: EntityFigures): string {
  if (f.servedFraction === null) return "";
  const bare = (x: EntityFigures) => servedText(x, true).replace(/^requests served: /, "");
  const relay = f.withoutRelay ? [`without CockroachDB's follower relay: ${bare(f.withoutRelay.figures)}`] : [];
  return `${[bare(f), ...relay].join("; ")} — shedding exactly the excess, optimistic without admission control`;
}

/** Review M141: what the sensitivity of a multi-writer store's conflict figure is called, in text and md. */
const CONFLICT_NINE = "where a nine cuts conflict exposure most";

/** The "where a nine helps most" cell: the availability's, and a multi-writer store's conflict figure's (review M141). */
function mdNineHelps(ctx: TopologyContext, f: EntityFigures): string {
  const h = whereANineHelps(ctx, f);
  const c = whereANineHelpsConflicts(ctx, f);
  return [h ? nineHelpsText(ctx, f, h) : "", c ? `${CONFLICT_NINE}: ${conflictNineText(f, c)}` : ""].filter(Boolean).join("; ");
}

/** A multi-writer store's conflict figure, as the text says it (review M137); blank where none applies (a single writer, a quorum, traffic). */
function mdConflicts(f: EntityFigures): string {
  if (f.kind !== "async" && f.kind !== "crdt") return "";
  const writers = new Set(((f.owner as Store).writers?.items ?? []).map((w) => w.value)).size;
  if (!f.conflictProbability) return writers > 1 ? "writers never partitioned" : "none: one writer site";
  return `writers partitioned ${timeShare(f.conflictProbability)} — a lower bound: writers also conflict while connected, within their lag`;
}

export function availabilityMarkdown(ctx: TopologyContext, report: AvailabilityReport = reportOf(ctx)): string {
  const w = why(report);
  const parts = ["## Availability", ""];
  if (w) parts.push(cell(w));
  else
    parts.push(
      table(
        [
          "entity",
          "kind",
          "availability",
          "unavailable a year",
          "requests served",
          "conflict exposure",
          "method",
          "most likely cut set",
          "where a nine helps most",
          "RTO",
          "RPO",
          "objectives",
        ],
        report.figures.map((f) => {
          const obj = judgementsOf(ctx, f)
            .map((j) => `${j.key.replace(/ .*/, "")} ${objectiveText(j)}: ${metText(j).replace("NOT", "not")}`)
            .join("; ");
          return [
            f.label,
            f.kind,
            mdAvailability(f, budgetOfFigures(ctx, f)),
            unmeasured(f) ? "not measured" : f.unavailability > 0 ? minutes(f.minutesPerYear) : "none",
            mdServed(f),
            mdConflicts(f),
            f.method,
            f.brokenAllUp ? "fails with everything up" : f.cutSets[0] ? cutSetText(f.cutSets[0]) : "none of 3 or fewer",
            mdNineHelps(ctx, f),
            mdRto(ctx, f),
            rpoText(f),
            obj,
          ];
        }),
      ),
    );
  if (!w) parts.push("", "Assumptions:", "", ...report.assumptions.map((a) => `- ${cell(a)}`));
  return `${parts.join("\n")}\n`;
}
