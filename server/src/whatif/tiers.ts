/**
 * The decision record's Tiers (record.md, availability.md "Where it shows"): seed 001's
 * "translate 'zero downtime everywhere' into concrete tiers — RTO for ingress, RTO for
 * stateless workloads, RPO for each datastore class, and maximum acceptable conflict rate",
 * answered from the design: each tier's declared objective beside the figure the design gives,
 * and whether it is met (the same judgement as the objective/* findings). Pure.
 */
import {
  apiCausesText,
  apiSubject,
  type AvailabilityReport,
  federatedText,
  quorumFigureText,
  type EntityFigures,
  figureText,
  MINUTES_PER_YEAR,
  RTO_DETECTION,
  reportOf,
  rtoEstimate,
  rtoMissing,
  rpoCondition,
  storeRpo,
  whereANineHelpsConflicts,
  conflictNineText,
  withoutRelayText,
  withRelayText,
} from "../availability/figures";
import type { TopologyContext } from "../derive/context";
import { isMongo, isTidb, isYugabyte, leaderElectionWords, leadershipMoveSeconds } from "../derive/timers";
import { soleCopyRpoText, soleCopySite, votingSiteLosses } from "../derive/siteloss";
import { cutOffReplicaSites } from "../derive/reach";
import { listText } from "../util/strings";
import type { Store, Traffic } from "../model/topology";
import { type ObjectiveJudgement, type ObjectiveKey, objectiveJudgements } from "../rules/index";
import { objectiveText } from "../availability/render";
import { loadWords, minutes, ms, percentOfTime, prose, rpsFigure, sig, table } from "../util/format";
import { budgetOf, budgetStatus, budgetText } from "../availability/budget";
import type { BackendResult } from "./engine";
import type { RecordContext } from "./record";
import { type Failover, failoverGap, failoverShort, failoverText } from "../availability/failover";

type Row = (string | { raw: string })[];

const NONE = "none declared";
const NO_OBJECTIVE = "no objective";

/** "met", "**not met**", "cannot be measured" or "no objective". */
function status(j: ObjectiveJudgement | undefined): string | { raw: string } {
  if (!j) return NO_OBJECTIVE;
  if (j.met && j.condition && j.key === "availability")
    return { raw: "met with CockroachDB 24.1 or later (its follower relay); **not met** without it" };
  if (j.met && j.condition) return { raw: `met ${j.condition.replace("only if", "**only if**")}` };
  if (j.met === false && j.fix) return { raw: `**not met**; ${j.fix}` };
  return j.met === null ? "cannot be measured" : j.met ? "met" : { raw: "**not met**" };
}

/** Why a judgement could not be measured: its finding's message without the entity label. */
const unmeasured = (j: ObjectiveJudgement) =>
  j.finding ? j.finding.message.slice(j.label.length + 2) : "cannot be measured (see objective/unmeasurable)";

function availabilityCell(r: RecordContext, f: EntityFigures | undefined, j: ObjectiveJudgement | undefined): string {
  if (f?.withRelay) return `${figureText(f)}; ${withRelayText(f.withRelay)}`;
  if (f) return f.withoutRelay ? `${figureText(f)}; ${withoutRelayText(f.withoutRelay)}` : figureText(f);
  if (j && j.met === null) return unmeasured(j);
  const report = reportOf(r.ctx);
  if (report.invalid.length) return `not computed: availability must be in (0, 1] — ${report.invalid.join("; ")}`;
  return report.declared ? "not computed" : "not computed: no site or link declares an availability";
}

/** What every step building the Tiers table reads, and the rows it adds to. */
interface Tiers {
  readonly r: RecordContext;
  readonly report: AvailabilityReport;
  readonly judged: readonly ObjectiveJudgement[];
  readonly rows: Row[];
  /** what a row's figure is made of, said below the table (a cell keeps its figure short) */
  readonly notes: string[];
}

const judgement = (x: Tiers, owner: Store | Traffic, key: ObjectiveKey) => x.judged.find((j) => j.owner === owner && j.key === key);
const figuresOf = (x: Tiers, owner: object) => x.report.figures.find((f) => f.owner === owner);
const objectiveCell = (j: ObjectiveJudgement | undefined) => (j ? objectiveText(j) : NONE);

/** One row per declared survival class of `owner`. */
function survivalRows(x: Tiers, owner: Store | Traffic, tier: string): void {
  for (const j of x.judged)
    if (j.owner === owner && j.key.startsWith("survive "))
      x.rows.push([
        tier,
        j.label,
        `survives ${objectiveText(j)}`,
        j.met === null ? unmeasured(j) : j.met ? "every such scenario keeps it working" : (j.detail ?? "fails"),
        status(j),
      ]);
}

/** Ingress RTO and availability, survival, and the stateless workloads behind each entry. */
function trafficRows(x: Tiers): void {
  for (const tr of x.r.ctx.topology.traffic) {
    if (!tr.name) continue;
    const name = `traffic ${tr.name.value}`;
    const rto = rtoEstimate(tr);
    const jr = judgement(x, tr, "rtoSeconds");
    const rtoCell = rto
      ? `${sig(rto.seconds)} s (${rto.terms})`
      : jr?.met === null
        ? unmeasured(jr)
        : // the TTL alone past the objective (review M85): a lower bound, not an estimate
          jr?.met === false && jr.design !== null && !jr.failover
          ? `${jr.detail} (not estimated: ${rtoMissing(tr)})`
          : `not estimated: ${rtoMissing(tr)}`;
    // anycast (review M59): the estimate holds for a site that withdraws its route; a lost one's goes with the BGP hold time
    const lost = !rto?.siteLoss
      ? ""
      : rto.siteLossSeconds !== undefined
        ? `; on a whole-site loss ${sig(rto.siteLossSeconds)} s (${rto.siteLossTerms}), when the upstream's BGP session fails`
        : "; on a whole-site loss, until the upstream's BGP session fails (the hold time: 90–180 s by default, about 1 s with BFD)";
    // review M144: steering onto backends that do not serve meets no RTO — one decision (availability/failover) with check and availability
    const gap = failoverGap(x.r.ctx, tr);
    const rtoStatus = jr?.failover ? ({ raw: `**not met** — ${gapCause(jr.failover)}` } as const) : status(jr);
    x.rows.push(["Ingress RTO", name, objectiveCell(jr), `${rtoCell}${lost}${gap ? `; but ${failoverShort(gap)}` : ""}`, rtoStatus]);
    const ja = judgement(x, tr, "availability");
    x.rows.push(["Ingress availability", name, objectiveCell(ja), availabilityCell(x.r, figuresOf(x, tr), ja), status(ja)]);
    survivalRows(x, tr, "Ingress survival");
    x.rows.push([
      "Stateless workloads RTO",
      `backends of ${tr.name.value}`,
      objectiveCell(jr),
      // as ingress, both figures where anycast has two (review M63: the status is the whole-site figure's)
      ...statelessRto(x.r, tr, `${rtoCell}${lost}`, rtoStatus),
    ]);
  }
}

/** What a store's RPO is, said for the Tiers table, with the condition it holds under (availability/figures rpoCondition). */
function rpoCell(ctx: TopologyContext, st: Store, rep: string): string {
  const sole = soleCopySite(ctx, st);
  if (sole) return soleCopyRpoText(sole, cutOffReplicaSites(ctx, st));
  const rpo = storeRpo(st);
  if (rpo === null) return "not assessed: declare maxLagSeconds";
  if (rpo === Infinity) return "unbounded (the lag buffer overflows: a longer lag forces a resync)";
  const condition = rpoCondition(ctx, st);
  const when = condition ? ` ${condition}` : "";
  if (rpo > 0) return `${sig(rpo)} s (maxLagSeconds)${when}`;
  return rep === "galera"
    ? `0 s (a commit returns once its write set is received by every node of the primary component; each node certifies it on its own, then applies it)${when}`
    : `0 s (a write is acknowledged once a majority has it)${when}`;
}

/**
 * How long a store's writes stall after losing a site (review M57; seed 001: "time-to-restore
 * database quorum", apart from time-to-withdraw traffic): a consensus store until leadership of
 * the ranges led there has moved (derive/timers, as the game day times it), Galera until the
 * others drop the lost node; a multi-writer async store not at all; a single-writer one until a
 * replica is promoted, which the design does not declare. A figure, never an objective.
 */
function datastoreRto(ctx: TopologyContext, st: Store, rep: string): string {
  const engine = st.engine?.value;
  const q = ctx.quorumOf(st);
  // as designed: voters that can dial none of the others never vote (derive/reach votingCounts, review M78)
  const stops = q?.resolved ? votingSiteLosses(ctx, q).map((l) => l.site) : [];
  if (stops.length)
    return `losing ${listText(stops).replace(/ and (?=[^,]*$)/, " or ")} stops its writes until the lost members return or an operator recovers from the minority (a majority is lost: no timer brings them back)`;
  if (rep === "consensus") {
    const s = leadershipMoveSeconds("consensus", undefined, engine);
    if (isYugabyte(engine))
      return `writes to the tablets led at a lost site resume within about ${s} s (YugabyteDB's Raft failure detection: 6 missed heartbeats of 500 ms, within its 2 s leader lease); tablets led elsewhere keep writing`;
    if (isTidb(engine))
      return `writes to the Regions led at a lost site resume within about ${s} s (TiKV's Raft election timeout: 10 ticks of 1 s, randomised up to twice that, then a vote); Regions led elsewhere keep writing`;
    if (engine !== undefined && /cockroach/i.test(engine))
      return `writes to the ranges led at a lost site resume within about ${s} s (CockroachDB's node-liveness expiry, then a Raft election); ranges led elsewhere keep writing`;
    // one leader (or primary) for the whole store: every write waits when it was at the lost site, none otherwise (review M98)
    const why = leaderElectionWords(engine);
    const leader = isMongo(engine) ? "primary" : "leader";
    return `if its ${leader} was at the lost site, every write waits until the members left elect a new one, about ${s} s (${why}); with the ${leader} elsewhere writes go on`;
  }
  if (rep === "galera") {
    const s = leadershipMoveSeconds("galera");
    return `every node's writes wait about ${s} s (evs.suspect_timeout) until the others drop the lost node and keep a primary component`;
  }
  const writers = new Set((st.writers?.items ?? []).map((w) => w.value));
  if (writers.size > 1) return "0 s: each writer site keeps taking writes";
  return "not estimated: writes wait for a replica's promotion (an operator or a failover manager such as Patroni), which the design does not declare";
}

/** RPO, writes availability, conflict rate and survival of each store, by datastore class. */
function storeRows(x: Tiers): void {
  for (const st of x.r.ctx.topology.stores) {
    const rep = st.replication?.value;
    if (!st.name || !rep) continue;
    const cls = rep === "async" && st.conflictResolution ? `async, ${st.conflictResolution.value} resolution` : rep;
    const name = `store ${st.name.value}`;
    const owner = x.r.ctx.quorumOf(st)?.owner ?? st;
    const jp = judgement(x, st, "rpoSeconds");
    x.rows.push([`RPO (${cls})`, name, objectiveCell(jp), rpoCell(x.r.ctx, st, rep), status(jp)]);
    x.rows.push([`Datastore RTO (${cls})`, name, "— (no store objective for it)", datastoreRto(x.r.ctx, st, rep), NO_OBJECTIVE]);
    const ja = judgement(x, st, "availability");
    x.rows.push([`Writes availability (${cls})`, name, objectiveCell(ja), availabilityCell(x.r, figuresOf(x, owner), ja), status(ja)]);
    budgetRow(x, st, cls, name);
    const jc = judgement(x, st, "conflictProbability");
    const writers = new Set((st.writers?.items ?? []).map((w) => w.value));
    if ((rep === "async" || rep === "crdt") && (writers.size > 1 || jc)) {
      const f = figuresOf(x, st);
      x.rows.push([
        `Conflict rate (${cls})`,
        name,
        objectiveCell(jc),
        f && f.conflictProbability !== null
          ? `writers partitioned ${percentOfTime(f.conflictProbability)} of the time (${minutes(f.conflictProbability * MINUTES_PER_YEAR)} a year)`
          : jc?.met === null
            ? unmeasured(jc)
            : "not computed",
        status(jc),
      ]);
      // review M141: the component whose one more nine cuts the conflict figure most (a link between writers), as `quorate availability` says it
      const lever = f && whereANineHelpsConflicts(x.r.ctx, f);
      if (f && lever) x.notes.push(`${name}: where a nine cuts conflict exposure most: ${conflictNineText(f, lever)}.`);
    }
    survivalRows(x, st, "Datastore survival");
  }
}

/**
 * The declared write budget of a quorum store (review M43): how often some writing site's writes
 * (or the best commit) are above it, and in which states — a latency tier the design declares,
 * judged state by state by the what-if engine.
 */
function budgetRow(x: Tiers, st: Store, cls: string, name: string): void {
  const b = budgetOf(x.r.ctx, st);
  if (!b) return;
  x.rows.push([
    `Write latency (${cls})`,
    name,
    `≤ ${ms(b.budgetMs)} from every writing site (writeLatencyBudgetMs)`,
    budgetText(b, false),
    ((st) =>
      st === "exceeded"
        ? // over with every site and link up (review M61): the normal state, not "some states"
          { raw: b.states.some((x) => !x.components.length) ? "**exceeded** with every site and link up" : "**exceeded** in some states" }
        : st === "pinned"
          ? { raw: `met with the leader pinned at ${b.pin}; **exceeded** in some states without the pin` }
          : "met in every judged state")(budgetStatus(b)),
  ]);
  if (b.states.length) x.notes.push(`${name}: ${budgetText(b).replace(/^writes over/, "writes are over")}.`);
}

/**
 * Each etcd's control plane, judged from its cluster's site (review S13): the cluster's API takes
 * writes from its nodes only while that site is up and its members there are on the writing side
 * (at the leader placement worst for them) — the quorum's own figure, which counts every state
 * in which a majority writes anywhere, is said beside it as the quorum's. A figure, never an
 * objective (objectives go on stores and entries).
 */
function etcdRows(x: Tiers): void {
  for (const q of x.r.quorums)
    if (q.kind === "etcd") {
      const f = figuresOf(x, q.owner);
      x.rows.push([
        "Control-plane API writes (etcd)",
        f ? apiSubject(f) : q.label,
        "— (objectives go on stores and traffic entries)",
        f ? figureText(f) : availabilityCell(x.r, undefined, undefined),
        NO_OBJECTIVE,
      ]);
      const why = f?.api ? apiCausesText(f) : "";
      if (f?.api && why)
        x.notes.push(`${apiSubject(f)} takes no writes: ${[why, quorumFigureText(f), federatedText(f)].filter(Boolean).join("; ")}.`);
    }
}

/** Below the table: the tiers nothing holds, and what every figure assumes. */
function tiersNotes(x: Tiers): string[] {
  const out: string[] = x.notes.map((n) => `- ${prose(n)}`);
  const missing = x.rows.filter((row) => row[4] === NO_OBJECTIVE).length;
  if (missing)
    out.push(
      `- ${missing} tier${missing === 1 ? " has" : "s have"} no objective: the figure is what the design gives, and nothing holds it there.`,
    );
  // review M132: the components every figure above takes at 1, as `quorate availability` lists them per entity
  const taken = [...new Set(x.report.figures.flatMap((f) => f.assumedAtOne))];
  if (taken.length)
    out.push(
      `- Taken as never failing (no availability declared): ${taken.join(", ")}. A figure resting on them holds only if they never fail, so an objective it meets cannot be measured until they declare one (\`availability: 1\` where one truly never fails).`,
    );
  out.push(...x.report.assumptions.map((a) => `- Assumed: ${a}.`), ...rtoNotes(x));
  if (x.rows.some((row) => typeof row[0] === "string" && row[0].startsWith("Conflict rate")))
    out.push(
      "- Conflict rate is the time writers cannot reach each other: a lower bound on conflict exposure, since writers also conflict while connected, within their lag.",
    );
  out.push("");
  return out;
}

/** The RTO notes, only where an RTO is estimated: the TTL clause for DNS steering, the reset for anycast, and the health check the estimate needs. */
function rtoNotes(x: Tiers): string[] {
  const steering = x.r.ctx.topology.traffic.filter((tr) => rtoEstimate(tr)).map((tr) => tr.steering?.value);
  if (!steering.length) return [];
  const anycast = steering.includes("anycast");
  const dns = steering.some((s) => s !== "anycast");
  const ttl = "RTO is the worst case for clients that honour the TTL (resolvers and clients that ignore or clamp TTLs take longer)";
  const reset = "anycast resets established connections";
  const first = dns && anycast ? `${ttl}; ${reset}.` : dns ? `${ttl}.` : `Anycast resets established connections.`;
  return [`- ${first}`, `- RTO: ${RTO_DETECTION}.`];
}

/** The Tiers section: one table, rows by tier, then what the figures assume. */
export function tiersSection(r: RecordContext): string[] {
  const x: Tiers = { r, report: reportOf(r.ctx), judged: objectiveJudgements(r.ctx), rows: [], notes: [] };
  trafficRows(x);
  storeRows(x);
  etcdRows(x);
  const out = ["## Tiers", ""];
  if (!x.rows.length) return [...out, "No store or traffic entry is declared: there is no tier to state.", ""];
  out.push(
    'What "zero downtime" means for this design, tier by tier: the objective its owners declared (`objectives` on each store and traffic entry) beside what the design gives, computed from the declared availability of its sites and links (`quorate availability` shows every figure, its cut sets and how it was computed).',
    "",
    table(["tier", "for", "objective", "this design", "status"], x.rows),
    "",
  );
  return [...out, ...tiersNotes(x)];
}

/**
 * Every single-site loss leaves the entry served: with how much to spare. The tightest loss is
 * named (the least headroom of a remaining backend); at exactly 0 the capacity is exactly
 * enough, with no margin for a peak above peakRps, and the cell says so rather than "enough".
 */
function capacityAfterLoss(r: RecordContext, tr: Traffic): string {
  const tight: { loss: string; b: BackendResult }[] = [];
  for (const x of r.single) {
    const res = x.traffic.find((y) => y.name === tr.name!.value);
    for (const b of res?.backends ?? [])
      if (b.loadRps !== null && b.headroomRps !== null) tight.push({ loss: x.name.replace(/^lose /, "losing "), b });
  }
  if (!tight.length) return "every single-site loss leaves it served";
  const least = Math.min(...tight.map((y) => y.b.headroomRps!));
  const at = tight.filter((y) => y.b.headroomRps === least);
  // the decimals that keep each load under its capacity and the headroom above 0 as printed (review M140: "least headroom 1 rps: … at 1,500 of 1,500 rps")
  const words = (y: (typeof at)[number]) => loadWords(y.b.loadRps!, y.b.capacityRps!);
  const where = at
    .map((y) => `${y.loss} leaves ${y.b.cluster} at ${rpsFigure(y.b.loadRps!, words(y).digits)} of ${words(y).capacity}`)
    .join("; ");
  return least > 0
    ? `every single-site loss leaves enough capacity (least headroom ${words(at[0]).headroom}: ${where})`
    : `every single-site loss leaves exactly enough capacity, no margin: ${where}`;
}

/** Why an RTO objective fails by what a loss leaves, not by steering (the Tiers' status). */
function gapCause(gap: Failover): string {
  return gap.outcome === "overloaded"
    ? "by capacity, not steering (`capacity/site-loss`)"
    : gap.outcome === "errors"
      ? "by writes stopping, not steering"
      : "no backend remains";
}

/**
 * Stateless workloads behind an entry recover once clients are steered to backends that can
 * serve them: the ingress RTO when every single-site loss leaves the entry served, else not
 * bounded by steering (the first loss that overloads, errors or leaves it unserved) — the
 * decision availability/failover makes for the RTO objective too (review M144).
 */
function statelessRto(
  r: RecordContext,
  tr: Traffic,
  rtoCell: string,
  status: string | { raw: string },
): [string, string | { raw: string }] {
  const gap = failoverGap(r.ctx, tr);
  if (!gap) return [`as ingress: ${rtoCell}; ${capacityAfterLoss(r, tr)}`, status];
  return [`not bounded by steering: ${failoverText(gap)}`, status];
}
