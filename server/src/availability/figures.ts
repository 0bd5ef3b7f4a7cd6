/**
 * Availability in numbers (shared design/availability.md): per quorum, store and traffic
 * entry, the probability that it works, from the declared availability of the sites and links
 * it depends on, judged state by state by the lean evaluator; its cut sets; RTO and RPO
 * estimates. Pure: no editor, no connection, no Node APIs.
 */
import type { Quorum, TopologyContext } from "../derive/context";
import { cellSteps, cellValue, type Cell, noteAll, recording } from "../derive/track";
import { clientSitesOf } from "../derive/writes";
import { relayOf } from "../derive/latency";
import type { HealthCheck, Store, Traffic } from "../model/topology";
import { DNS_STEERING, loadBackends, shiftOf } from "../derive/loads";
import { healthCheckDetection } from "../derive/timers";
import { cutOffReplicaSites, unreachableVoteNotes, votingCounts } from "../derive/reach";
import { soleCopyRpoText, soleCopySite } from "../derive/siteloss";
import { availabilityPercent, count, minutes, percentOfTime, seconds, sig } from "../util/format";
import { listText } from "../util/strings";
import { majority, total } from "../math/quorum";
import { type Component, CutSets, enumerateStatesSteps, type EnumerationResult } from "./enumerate";
import { API_CUT_OFF, API_HOME_DOWN, API_QUORUM_STOPS, API_SERVERS_DOWN, planOf, type Tally, wholePlan } from "./factor";
import { finish, type Steps } from "../util/steps";
import { BEST_STATE_BUDGET, type BestServed, bestServedSteps } from "./best";
import { FAILOVER_HEAD, failoverGap, failoverGapText } from "./failover";
import {
  asyncRpo,
  entityLinks,
  entitySites,
  judgeQuorum,
  judgeStore,
  judgeTraffic,
  type LeanDesign,
  leanDesign,
  type LeanEntity,
  leanEntities,
  type LeanQuorum,
  type LeanTraffic,
  MAX_PLACEMENTS,
  QUORUM_OUTCOMES,
  QUORUM_STOPS,
  STORE_CORRUPTS,
  STORE_OUTCOMES,
  STORE_WRITES_STOP,
  TRAFFIC_OUTCOMES,
  TRAFFIC_SERVED,
  type TrafficJudgement,
} from "./lean";

/** Minutes in a year of 365.25 days. */
export const MINUTES_PER_YEAR = 525_960;
/** States judged for every figure of one design at most (split among its entities): a 20-site design stays within a second. */
export const DESIGN_STATE_BUDGET = 2_000_000;
/** Each entity may judge at least this many states, however many entities share the budget. */
export const ENTITY_STATE_FLOOR = 20_000;

/** The assumptions every output states (availability.md). */
export const ASSUMPTIONS = [
  "failures are independent: correlated failures (shared power, a metro, carrier conduits, a fleet-wide rollout) make real availability lower, so every figure is an upper bound",
  "only whole sites and links fail (members and nodes inside a site do not)",
  "failover windows are not in the availability figures (they are the RTO)",
  "where a cut leaves the leader's placement deciding who can write (leadership stays where it was), each backend is judged at the placement worst for it, and requests served at the one placement losing the most (requests served and the time over a write budget also give the best placement; a cluster's API through its etcd only the worst, since etcd cannot pin its leader); CockroachDB (24.1 and later) relays a write through a follower that reaches the leader",
] as const;

/** The placement assumption without its CockroachDB clause, for a design with no CockroachDB store. */
const PLACEMENT = ASSUMPTIONS[3].replace(/; CockroachDB .*$/, "");

/**
 * Review M58: a backend that cannot write keeps its clients, in the figures, for the whole failure —
 * what a shallow health check gives; the RTO assumes a check through the dependencies, which
 * would move those clients within it. Said wherever a traffic entry depends on a store.
 */
export const SHALLOW_CHECK_ASSUMPTION =
  "a backend that is still sent clients while a store it writes to takes no writes from its site counts as failing its share for the whole failure, as with a shallow health check; a check through its dependencies moves those clients within the RTO to a site that can still write";

/** The assumptions that bear on this design's figures (review style: a CockroachDB note on a Galera design reads as an error). */
export function assumptionsFor(ctx: TopologyContext): string[] {
  const out: string[] = ASSUMPTIONS.slice(0, 3);
  const cockroach = ctx.topology.stores.some((st) => st.replication?.value === "consensus" && /cockroach/i.test(st.engine?.value ?? ""));
  if (ctx.quorums.some((q) => placementDecides(ctx, q))) out.push(cockroach ? `${ASSUMPTIONS[3]}${olderCockroach(ctx)}` : PLACEMENT);
  if (ctx.topology.traffic.some((tr) => (tr.dependsOn?.items.length ?? 0) > 0)) out.push(SHALLOW_CHECK_ASSUMPTION);
  const catchments = ctx.topology.traffic.filter((tr) => landsOnOne(ctx, tr));
  if (catchments.length) out.push(catchmentAssumption(catchments));
  return out;
}

/**
 * Review M139: whether a traffic entry's figures rest on where a lost site's share lands — anycast
 * and geodns move it whole to one surviving site (derive/loads shiftOf, as simulate judges it), and
 * a loss can leave two or more sites carrying weight to choose from. The design names no catchment
 * or fallback, so the figures take, as simulate does (math/traffic), the survivor it leaves the
 * least headroom: the availability is then the worst of where it may land.
 */
export function landsOnOne(ctx: TopologyContext, tr: Traffic): boolean {
  if (shiftOf(tr) !== "catchment") return false;
  const lb = loadBackends(ctx, tr);
  return !!lb && new Set(lb.filter((b) => b.weight > 0 && b.site !== undefined).map((b) => b.site)).size >= 3;
}

/** Where a lost site's clients go under this steering, in a clause (review M139; whatif/engine catchmentNote says it per scenario). */
const landsWhere = (tr: Traffic) =>
  tr.steering?.value === "anycast"
    ? "anycast moves a lost site's clients whole to one surviving site (BGP's next-best origin)"
    : "GeoDNS answers a lost site's region whole with one surviving site (its fallback)";

/** What the figures take where the design does not name it, and what that makes of them (review M139). */
const LANDS_JUDGED =
  "the design does not name which, so each failure is judged with the whole lost share at the survivor it leaves the least headroom, as simulate judges it: the availability is the worst of where it may land (served means served wherever it lands), and requests served are counted at that survivor";

/** The assumption's line for these entries (review M139). */
function catchmentAssumption(entries: readonly Traffic[]): string {
  const steerings = [...new Set(entries.map((tr) => tr.steering?.value))];
  const how =
    steerings.length === 1
      ? landsWhere(entries[0])
      : "anycast moves a lost site's clients whole to one surviving site (BGP's next-best origin), GeoDNS its region (its fallback)";
  return `traffic ${listText(entries.map((tr) => tr.name?.value ?? "?"))}: ${how}; ${LANDS_JUDGED}`;
}

/** The same for one entry's hover (review M139), or undefined where the lost share has one place to go or splits by weight. */
export function catchmentText(ctx: TopologyContext, tr: Traffic): string | undefined {
  return landsOnOne(ctx, tr) ? `after a site loss ${landsWhere(tr)}; ${LANDS_JUDGED}` : undefined;
}

/** "; ledger runs cockroachdb 23.2, before it: its figures count no relay" — the relay clause read for a design whose CockroachDB names an older version (review M117b). */
function olderCockroach(ctx: TopologyContext): string {
  const older = ctx.quorums.filter(
    (q) => q.kind === "consensus" && /cockroach/i.test((q.owner as Store).engine?.value ?? "") && relayOf(q) === undefined,
  );
  if (!older.length) return "";
  const runs = older.map((q) => `${(q.owner as Store).name?.value} runs ${(q.owner as Store).engine?.value}`);
  return `; ${listText(runs)}, before it: ${older.length === 1 ? "its figures count" : "their figures count"} no relay`;
}

/**
 * Whether some cut leaves a quorum's leader placement deciding who can write (the placement
 * assumption bears on its figures): a site C — a member or a writing site — reaches one site that
 * can lead (its members reach a majority) but not another, L. It is enough to try each link C–L
 * that can be cut (declared with an availability below 1, or not declared at all) alone with
 * everything else up: more failures only take reach away, so a state where it holds implies the
 * single cut where it holds too. Site losses never do (a lost site reaches nothing). A 2+2 over
 * two sites (any cut stops writes) and Galera (no leader) never; a 2+2+1 with failing links does.
 */
export function placementDecides(ctx: TopologyContext, q: Quorum): boolean {
  if (q.kind === "galera" || !q.resolved) return false;
  // its voters as designed (derive/reach votingCounts, review M78), against the configured size's majority
  const members = [...votingCounts(ctx, q)].filter(([, c]) => c > 0);
  const maj = majority(total(q.counts));
  const linked = (a: string, b: string) => a === b || !!ctx.link(a, b);
  const cuttable = (a: string, b: string) => {
    const l = ctx.link(a, b);
    return !l || (l.availability?.value ?? 1) < 1;
  };
  // the votes a site reaches with every link up but the one cut between x and y
  const votes = (site: string, x: string, y: string) =>
    members.reduce((a, [m, c]) => a + (linked(site, m) && !((site === x && m === y) || (site === y && m === x)) ? c : 0), 0);
  const clients = new Set([...members.map(([m]) => m), ...clientSitesOf(ctx, q).sites]);
  for (const c of clients)
    for (const [l] of members) {
      if (l === c || !cuttable(c, l) || votes(l, c, l) < maj) continue;
      if (members.some(([o]) => o !== l && linked(c, o) && votes(o, c, l) >= maj)) return true;
    }
  return false;
}

export type EntityKind = "etcd" | "consensus" | "galera" | "async" | "crdt" | "traffic";

export interface CutSet {
  /** "fra", "fra–lon link" */
  readonly components: string[];
  /** the probability that all of them are down at once */
  readonly probability: number;
}

export interface RtoEstimate {
  readonly seconds: number;
  /** "10 s × 3 checks + 60 s TTL" */
  readonly terms: string;
  readonly caveat: string;
  /**
   * Anycast (review M59): what the estimate leaves out on a whole-site loss — nobody at the site
   * withdraws its route, so the upstream drops it only when its BGP session fails (at once if the
   * link goes dark, else after the hold time; about 1 s with BFD). The estimate holds for a site
   * whose routers are up and withdraw (a failing health check, an isolated site).
   */
  readonly siteLoss?: string;
  /**
   * Anycast with the upstream's detection declared (healthCheck.bgpHoldSeconds or bfd): the RTO on
   * a whole-site loss — the hold time (or BFD's interval × multiplier, whichever is shorter) plus
   * withdrawSeconds — with its terms. Absent: not computed, and siteLoss says what it depends on.
   */
  readonly siteLossSeconds?: number;
  readonly siteLossTerms?: string;
}

/** The anycast site-loss clause (RtoEstimate.siteLoss): BGP hold times from RFC 4271 (90 s suggested) and common router defaults (180 s). */
export const ANYCAST_SITE_LOSS =
  "on a whole-site loss nobody at the site withdraws its route: the upstream drops it when its BGP session fails — at once if the link goes dark, else after the BGP hold time (90 s as RFC 4271 suggests, 180 s by default on many routers; about 1 s with BFD), which this estimate does not count";

export interface EntityFigures {
  /** the store's, entry's or cluster's name */
  readonly entity: string;
  /** "store ledger", "traffic checkout", "etcd of cluster core" */
  readonly label: string;
  readonly kind: EntityKind;
  readonly owner: object;
  /** the lower end: every unjudged state counted as a failure */
  readonly availability: number;
  /** 1 − availability, computed without cancellation */
  readonly unavailability: number;
  /** [lower, upper]: equal when exact */
  readonly interval: readonly [number, number];
  readonly nines: number;
  readonly minutesPerYear: number;
  readonly method: "exact" | "bounded";
  readonly unjudgedProbability: number;
  readonly states: number;
  readonly maxFailures: number;
  /** links whose effect was summed in closed form given each judged state (not enumerated one by one) */
  readonly closedForm: number;
  /** most likely first */
  readonly cutSets: CutSet[];
  /** broken with every component up: no cut set explains it */
  readonly brokenAllUp: boolean;
  /** multi-writer async/crdt: P(two up writers cannot reach each other), upper end; 0 for a single writer or a quorum store; null for traffic and etcd */
  readonly conflictProbability: number | null;
  /** traffic: the expected fraction of requests served, lower end — in each state the one leader placement losing the most requests (review M95) */
  readonly servedFraction: number | null;
  /** traffic: the same at the best leader placement (one per quorum, shared by every backend, losing the fewest requests) — the upper end of the range */
  readonly servedBest: BestServed | null;
  /** the probability of each outcome word other than the working one */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly rto: RtoEstimate | null;
  /** seconds; Infinity = unbounded (the lag buffer overflows, or `rpoSoleSite`); null = not applicable or unknown */
  readonly rpoSeconds: number | null;
  /** the one site holding every copy of the store (derive/siteloss soleCopySite): its loss leaves only backups, so the RPO is unbounded */
  readonly rpoSoleSite?: string;
  /** with `rpoSoleSite`: the replicas declared elsewhere that never catch up as designed (derive/reach cutOffReplicaSites), named in the RPO's words as simulate, the Tiers and objective/rpo name them */
  readonly rpoCutOffReplicas?: readonly string[];
  /** what the RPO holds under (review M55, M56): a consensus store's while a majority survives, an async store's while its sites reach each other (rpoCondition) */
  readonly rpoCondition?: string;
  /** the components this figure enumerated (declared availability below 1) */
  readonly components: string[];
  /** sites and links the entity depends on that declare no availability (taken as 1) */
  readonly assumedAtOne: string[];
  /** a traffic figure that is this high only because CockroachDB relays writes through a follower */
  readonly withoutRelay?: WithoutRelay;
  /** a traffic figure that CockroachDB 24.1's follower relay would raise: its stores name a version before it (review M117b) */
  readonly withRelay?: WithRelay;
  /** an etcd whose cluster has a site: the figure above is its cluster's API, judged from there; this says why it is down and what the quorum alone gives */
  readonly api?: ApiFigures;
}

/**
 * An etcd's figure is its cluster's API — writes from the cluster's nodes, all at its own site,
 * through the API servers stacked on the members there — judged as the engine judges "its API
 * stops": the site up and its members on the writing side, at the leader placement worst for
 * them under a cut. The quorum's own figure (writes accepted somewhere) counts states in which
 * the cluster is lost or its members are the stopped minority: it is kept, said as the quorum's.
 */
export interface ApiFigures {
  /** the cluster's site */
  readonly from: string;
  /** P(the API takes no writes) because its site is down */
  readonly siteDown: number;
  /** … because the quorum stopped (its site up) */
  readonly quorumStops: number;
  /** … because its nodes do not reach the leader: its members there the stopped minority (or cut off) at the worst placement */
  readonly cutOff: number;
  /**
   * … because every site of the API servers its nodes write through is down while its quorum writes on
   * (a control plane elsewhere whose majority etcd-only witness members keep): the loss of those sites, said apart from a cut
   */
  readonly serversDown: number;
  /** the etcd quorum alone: writes accepted somewhere */
  readonly quorum: {
    readonly availability: number;
    readonly unavailability: number;
    readonly nines: number;
    readonly minutesPerYear: number;
  };
  /** whether members sit at other sites than the cluster's (else the quorum and the API fail together) */
  readonly stretched: boolean;
  /**
   * Review M94: the member sites when none is at the cluster's own site (a control plane hosted
   * elsewhere: nothing is stretched, its nodes reach it over the WAN); empty otherwise.
   */
  readonly remote: readonly string[];
  /**
   * With `remote`: the sites of the API servers the nodes write through (derive/controlplane: its
   * member sites that are not witnesses; a witness's etcd-only member runs none, README Decisions),
   * or for an external etcd every member site; empty otherwise.
   */
  readonly controlPlane: readonly string[];
  /** with `remote`: one control-plane site holding a majority itself, so the nodes write exactly while it is up and they reach it */
  readonly remoteAlone: boolean;
  /** with `remoteAlone`: the link between that site and the cluster's ("fra–lon link"), or undefined when none is declared */
  readonly remoteLink?: string;
  /** the cluster's site's availability: what a federated layout (every member at the cluster's site) gives */
  readonly federated: number;
}

/**
 * What a traffic figure is without CockroachDB's follower relay (added in 24.1; before it, or
 * with the proxy disabled, a client that cannot reach the leaseholder errors): the entry judged
 * again as if its stores did not relay. Present only when that lowers the figure, so the output
 * can say on what the figure (and an objective it meets) depends.
 */
export interface WithoutRelay {
  /** the stores whose writes are relayed ("ledger") */
  readonly stores: readonly string[];
  readonly figures: EntityFigures;
}

/**
 * What a traffic figure would be with CockroachDB's follower relay, where its stores name a
 * version before 24.1 (review M117b): the fix the tool knows, said where an objective is missed.
 * Present only when the relay raises the figure.
 */
export interface WithRelay {
  /** the stores that would relay ("ledger") */
  readonly stores: readonly string[];
  /** their engines as written ("cockroachdb 23.2") */
  readonly engines: readonly string[];
  readonly figures: EntityFigures;
}

export interface AvailabilityReport {
  /** false when no site or link declares an availability: no figure is computed */
  readonly declared: boolean;
  /** availability values outside (0, 1]: nothing is computed until they are fixed */
  readonly invalid: readonly string[];
  readonly figures: EntityFigures[];
  readonly assumptions: readonly string[];
}

const kindOf = (e: LeanEntity): EntityKind => (e.type === "quorum" ? e.kind : e.type === "store" ? e.replication : "traffic");

function entityName(e: LeanEntity): string {
  if (e.type === "traffic") return e.owner.name!.value;
  if (e.type === "store") return e.owner.name!.value;
  const owner = e.owner as Store;
  return e.kind === "etcd" ? e.name.replace(/^etcd of cluster /, "") : (owner.name?.value ?? e.name);
}

/** The RTO estimate of a traffic entry (availability.md), or null without a health check (or, for DNS steering, a TTL). */
export function rtoEstimate(tr: Traffic): RtoEstimate | null {
  const hc = tr.healthCheck;
  const steering = tr.steering?.value;
  const detection = healthCheckDetection(hc);
  if (!hc || !detection || !steering) return null;
  // detection, the check's own timeout included (derive/timers: the game day's steering timer rings at it)
  const detect = detection.seconds;
  const terms = [...detection.terms];
  if (steering === "anycast") {
    const withdraw = hc.withdrawSeconds?.value ?? 0;
    // BGP convergence is part of the window: undeclared, the figure leaves it out and says so (as simulate does)
    const convergence = withdraw
      ? `${withdraw} s BGP withdrawal`
      : !hc.withdrawSeconds
        ? "BGP convergence, not counted without withdrawSeconds"
        : "";
    if (convergence) terms.push(convergence);
    const loss = upstreamDetection(hc);
    return {
      seconds: detect + withdraw,
      terms: terms.join(" + "),
      caveat: "established connections to the lost site are reset",
      ...(loss
        ? {
            siteLossSeconds: loss.seconds + withdraw,
            siteLossTerms: [loss.terms, convergence].filter(Boolean).join(" + "),
            siteLoss: `on a whole-site loss nobody at the site withdraws its route: the upstream drops it when its BGP session fails, within ${seconds(loss.seconds + withdraw)} (${[loss.terms, convergence].filter(Boolean).join(" + ")}; at once if the link goes dark)`,
          }
        : { siteLoss: ANYCAST_SITE_LOSS }),
    };
  }
  if (!DNS_STEERING.includes(steering) || tr.ttlSeconds === undefined) return null;
  const propagation = hc.propagationSeconds?.value ?? 0;
  if (propagation) terms.push(`${propagation} s propagation`);
  terms.push(`${tr.ttlSeconds.value} s TTL`);
  return {
    seconds: detect + propagation + tr.ttlSeconds.value,
    terms: terms.join(" + "),
    caveat: "worst case for clients that honour the TTL; clients and resolvers that ignore or clamp TTLs take longer",
  };
}

/**
 * How long an anycast site's upstream takes to drop the route of a site that died whole
 * (nobody there withdraws it): BFD's detection time (interval × multiplier, RFC 5880) when
 * declared, else the BGP hold time — the shorter of the two when both are, since BFD tears the
 * session down first. Only values the schema accepts count (a hold time of at least 3 s).
 */
function upstreamDetection(hc: HealthCheck): { seconds: number; terms: string } | undefined {
  const hold = hc.bgpHoldSeconds?.value;
  const interval = hc.bfd?.intervalMs?.value;
  const mult = hc.bfd?.multiplier?.value ?? BFD_DEFAULT_MULTIPLIER;
  const bfd =
    interval !== undefined && interval > 0 && mult >= 1
      ? { seconds: (interval * mult) / 1000, terms: `BFD ${count(interval, 3)} ms × ${mult}` }
      : undefined;
  const held = hold !== undefined && hold >= 3 ? { seconds: hold, terms: `${count(hold)} s BGP hold time` } : undefined;
  if (bfd && held) return bfd.seconds <= held.seconds ? bfd : held;
  return bfd ?? held;
}

/** BFD's detect multiplier when `bfd.multiplier` is absent (the common default). */
export const BFD_DEFAULT_MULTIPLIER = 3;

/** Why an entry has no RTO estimate (rtoEstimate gave null): what the design must declare first. */
export type RtoGap = "healthCheck" | "steering" | "ttlSeconds" | "unsupportedSteering";

/** The first thing rtoEstimate lacks for this entry, in the order it needs them. */
export function rtoGap(tr: Traffic): RtoGap {
  const hc = tr.healthCheck;
  if (!hc?.intervalSeconds || !hc.failureThreshold) return "healthCheck";
  if (!tr.steering) return "steering";
  return DNS_STEERING.includes(tr.steering.value) ? "ttlSeconds" : "unsupportedSteering";
}

/** A store's RPO in words: seconds, or why it is unbounded. */
export function rpoWords(f: EntityFigures): string {
  if (f.rpoSoleSite) return soleCopyRpoText(f.rpoSoleSite, f.rpoCutOffReplicas ?? []);
  if (f.rpoSeconds === Infinity) return "unbounded (the lag buffer overflows)";
  return `${sig(f.rpoSeconds!)} s${f.rpoCondition ? ` ${f.rpoCondition}` : ""}`;
}

/** RPO of a store: 0 for a quorum (a write is acknowledged once a majority has it), maxLagSeconds for async/crdt. */
export function storeRpo(st: Store): number | null {
  const rep = st.replication?.value;
  if (rep === "consensus" || rep === "galera") return 0;
  if (rep === "async" || rep === "crdt") return asyncRpo(st) ?? null;
  return null;
}

/** Does the entity work in this state (writes accepted; every request served)? Shared by the figures and the survival sweeps. */
export function works(d: LeanDesign, s: Parameters<typeof judgeQuorum>[1], e: LeanEntity, scratch: TrafficJudgement): boolean {
  if (e.type === "quorum") return judgeQuorum(d, s, e) < QUORUM_STOPS;
  if (e.type === "store") {
    const o = judgeStore(d, s, e);
    return o !== STORE_WRITES_STOP && o !== STORE_CORRUPTS;
  }
  return judgeTraffic(d, s, e, scratch).outcome === TRAFFIC_SERVED;
}

/**
 * Figures of one entity, judging at most `budget` states (`whole`: every component state by state, no closed form — the reference the property test compares with;
 * `best: false`: no best leader placement, servedBest null — a figure read only for its availability, minutes and conflicts, as "one more nine" reads it).
 */
export function entityFigures(
  d: LeanDesign,
  e: LeanEntity,
  budget: number,
  options: { whole?: boolean; best?: boolean } = {},
): EntityFigures {
  return finish(entityFiguresSteps(d, e, budget, options));
}

/** entityFigures step-wise: its states judged STATES_PER_STEP at a time (enumerate.ts), so the editor's thread is never held for a whole entity. */
export function* entityFiguresSteps(
  d: LeanDesign,
  e: LeanEntity,
  budget: number,
  { whole = false, best = true } = {},
): Steps<EntityFigures> {
  const plan = whole ? wholePlan(d, e) : planOf(d, e);
  const comps = [...plan.core, ...plan.closed];
  const outcomeWords: readonly string[] = e.type === "quorum" ? QUORUM_OUTCOMES : e.type === "store" ? STORE_OUTCOMES : TRAFFIC_OUTCOMES;
  const t: Tally = {
    down: 0,
    conflict: 0,
    lostRps: 0,
    quorumDown: 0,
    apiCause: new Float64Array(4),
    outcomeP: new Float64Array(outcomeWords.length),
    cuts: new CutSets(),
  };
  const r: EnumerationResult = yield* enumerateStatesSteps(d, plan.core, budget, (s, p, failed) => plan.judge(s, p, failed, t));
  const { down, conflict, lostRps, outcomeP } = t;
  const multiWriter = e.type === "store" && e.writers.length > 1;
  // the state probabilities sum to 1 only within rounding: an entity down in every state comes out
  // 1 − 1.1e-16, which printed "1.11022e-14% (4.82e-17 nines)" (review M104) — it is never up
  const unavailability = nearOne(Math.min(1, down + r.unjudged));
  const availability = 1 - unavailability;
  const outcomes: Record<string, number> = {};
  outcomeWords.forEach((w, i) => {
    if (i > 0 && outcomeP[i] > 0) outcomes[w] = outcomeP[i];
  });
  const cutSets = t.cuts
    .minimal()
    .map((cs) => ({ components: cs.map((i) => comps[i].name), probability: cs.reduce((a, i) => a * comps[i].q, 1) }))
    .sort((a, b) => b.probability - a.probability || a.components.length - b.components.length);
  const kind = kindOf(e);
  const served = e.type === "traffic" ? 1 - nearOne(Math.min(1, (e.peak > 0 ? lostRps / e.peak : 0) + r.unjudged)) : null;
  const storeOwner = e.type === "store" ? e.owner : e.type === "quorum" && e.kind !== "etcd" ? (e.owner as Store) : undefined;
  const servedBest =
    e.type === "traffic" && best ? yield* bestServedSteps(d, e, served!, r.method === "exact", Math.min(budget, BEST_STATE_BUDGET)) : null;
  return {
    entity: entityName(e),
    label: e.name,
    kind,
    owner: e.owner,
    availability,
    unavailability,
    interval: [availability, 1 - down],
    nines: unavailability > 0 ? -Math.log10(unavailability) : Infinity,
    minutesPerYear: unavailability * MINUTES_PER_YEAR,
    method: r.method,
    unjudgedProbability: r.unjudged,
    states: r.states,
    maxFailures: r.maxFailures,
    closedForm: plan.closed.length,
    cutSets,
    brokenAllUp: t.cuts.brokenAllUp,
    conflictProbability: e.type === "traffic" || kind === "etcd" ? null : multiWriter ? Math.min(1, conflict + r.unjudged) : 0,
    servedFraction: served,
    servedBest,
    outcomes,
    rto: e.type === "traffic" ? rtoEstimate(e.owner) : null,
    rpoSeconds: storeOwner ? storeRpo(storeOwner) : null,
    components: comps.map((c: Component) => c.name),
    assumedAtOne: assumedAtOne(d, entitySites(e), entityLinks(d, e)),
    ...(e.type === "quorum" && e.home >= 0 ? { api: apiFigures(d, e, t, r.unjudged) } : {}),
  };
}

/** An etcd's API figures: the causes tallied, the quorum's own figure, the federated layout's. */
function apiFigures(d: LeanDesign, e: LeanQuorum, t: Tally, unjudged: number): ApiFigures {
  const u = Math.min(1, t.quorumDown + unjudged);
  return {
    from: d.sites[e.home],
    siteDown: t.apiCause[API_HOME_DOWN],
    quorumStops: t.apiCause[API_QUORUM_STOPS],
    cutOff: t.apiCause[API_CUT_OFF],
    serversDown: t.apiCause[API_SERVERS_DOWN],
    quorum: { availability: 1 - u, unavailability: u, nines: u > 0 ? -Math.log10(u) : Infinity, minutesPerYear: u * MINUTES_PER_YEAR },
    stretched: [...e.sites].some((x, i) => x !== e.home && e.counts[i] > 0),
    ...remoteOf(d, e),
    federated: 1 - d.siteQ[e.home],
  };
}

/**
 * An etcd with no member at its cluster's site (review M94): its member sites, the sites of the
 * API servers its nodes write through (lean apiServers: not a witness's etcd-only member), and
 * the one link to them when that is one site holding a majority itself.
 */
function remoteOf(d: LeanDesign, e: LeanQuorum): { remote: string[]; controlPlane: string[]; remoteAlone: boolean; remoteLink?: string } {
  const at = [...e.sites].filter((_, i) => e.counts[i] > 0);
  if (!at.length || at.includes(e.home)) return { remote: [], controlPlane: [], remoteAlone: false };
  const remote = at.map((x) => d.sites[x]);
  // an external etcd (API servers at home, no member there) writes through any member: the members are what the nodes reach for
  const servers = e.apiStacked.every(Boolean) ? [...e.apiServers] : at;
  const controlPlane = servers.map((x) => d.sites[x]);
  const votes = servers.length === 1 ? e.counts[[...e.sites].indexOf(servers[0])] : 0;
  const remoteAlone = votes >= e.majority;
  if (!remoteAlone || d.linkAt[e.home * d.sites.length + servers[0]] < 0) return { remote, controlPlane, remoteAlone };
  const [a, b] = [e.home, servers[0]].sort((x, y) => x - y);
  return { remote, controlPlane, remoteAlone, remoteLink: `${d.sites[a]}–${d.sites[b]} link` };
}

/** The sites and links among these that declare no availability (`availability: 1` declares one: never failing, by the design's word). */
function assumedAtOne(d: LeanDesign, sites: number[], links: number[]): string[] {
  const out: string[] = [];
  for (const i of sites) if (!d.siteDeclared[i]) out.push(d.sites[i]);
  for (const l of links) if (!d.links[l].link.availability) out.push(`${d.sites[d.links[l].a]}–${d.sites[d.links[l].b]} link`);
  return out;
}

/**
 * Review M134: nothing the entity depends on declares an availability (each is taken at 1), so
 * its figure measures nothing — 100% only by that assumption. Not a figure to print or to meet an
 * objective with; a figure broken with everything up is measured (it fails whatever they do).
 */
export const unmeasured = (f: EntityFigures): boolean => f.assumedAtOne.length > 0 && !f.components.length && !f.brokenAllUp;

/**
 * Review M132, M134: the fact every output says beside a figure that rests on components taken
 * at 1 — "taken as never failing (no availability declared): ams, fra–ams link".
 */
export function takenAtOneText(f: EntityFigures): string {
  return `taken as never failing (no availability declared): ${f.assumedAtOne.join(", ")}`;
}

/** "ams and the fra–ams link": sites and links (assumedAtOne's names) in a sentence. */
export const componentsText = (xs: readonly string[]): string => listText(xs.map((x) => (x.endsWith(" link") ? `the ${x}` : x)));

/** "if ams and the fra–ams link never fail (no availability declared)": the condition a figure resting on undeclared components holds under. */
export function takenAtOneCondition(f: EntityFigures): string {
  return `if ${componentsText(f.assumedAtOne)} never fail${f.assumedAtOne.length === 1 ? "s" : ""} (no availability declared)`;
}

/** "nothing it depends on declares an availability (ams)": why an unmeasured figure is not one. */
export function unmeasuredText(f: EntityFigures): string {
  return `not measured: nothing it depends on declares an availability (${f.assumedAtOne.join(", ")})`;
}

/** Every entity's figures (none when no availability is declared, or one is out of range). */
export function availabilityReport(ctx: TopologyContext, budget = DESIGN_STATE_BUDGET): AvailabilityReport {
  return finish(availabilityReportSteps(ctx, budget));
}

/** availabilityReport step-wise: one entity's figures per step (the editor computes them between keystrokes). */
export function* availabilityReportSteps(ctx: TopologyContext, budget = DESIGN_STATE_BUDGET): Steps<AvailabilityReport> {
  const d = leanDesign(ctx);
  if (!d.declared || d.invalid.length) return { declared: d.declared, invalid: d.invalid, figures: [], assumptions: assumptionsFor(ctx) };
  const entities = leanEntities(ctx, d);
  const each = Math.max(Math.min(ENTITY_STATE_FLOOR, budget), Math.floor(budget / Math.max(1, entities.length)));
  const figures: EntityFigures[] = [];
  for (const e of entities) {
    // the entity's states a few at a time (enumerate.ts STATES_PER_STEP), then a step of its own
    figures.push(withSoleCopy(ctx, yield* figuresWithRelaySteps(d, e, each)));
    yield;
  }
  // a voter that cannot dial the others' pods as designed (quorum/member-unreachable): the figures count its vote out where it reaches none of them (votingCounts), else count it
  const unreachable = unreachableVoteNotes(ctx, "the figures above count", ": they hold only once the path exists");
  return { declared: true, invalid: [], figures, assumptions: [...assumptionsFor(ctx), ...unreachable] };
}

/** A store's figures with its RPO unbounded when every copy is at one site (its loss leaves only backups), else with the condition it holds under. */
function withSoleCopy(ctx: TopologyContext, f: EntityFigures): EntityFigures {
  if (f.rpoSeconds === null || f.kind === "etcd") return f;
  const site = soleCopySite(ctx, f.owner as Store);
  if (site) return { ...f, rpoSeconds: Infinity, rpoSoleSite: site, rpoCutOffReplicas: cutOffReplicaSites(ctx, f.owner as Store) };
  const condition = rpoCondition(ctx, f.owner as Store);
  return condition ? { ...f, rpoCondition: condition } : f;
}

/**
 * What a store's RPO holds under, for the reader who signs it (review M55, M56). A consensus
 * store's 0 s holds while a majority survives: a write is acknowledged on any majority, so a
 * surviving minority may lack the last ones (Galera's does not: every node of the primary
 * component has each write-set before it commits). An async or CRDT store's maxLagSeconds holds while the sites
 * holding its copies reach each other: during a cut each side's writes since it began exist on
 * that side only, so a site lost ten minutes into a cut takes ten minutes of its writes, and the
 * lag buffer overflows once the cut outlasts it. Undefined when there is nothing to add.
 */
/** The RPO condition in a status's few words (rpoCondition's): "while a majority survives", "while its sites reach each other". */
export function rpoConditionShort(ctx: TopologyContext, st: Store): string | undefined {
  if (!rpoCondition(ctx, st)) return undefined;
  return st.replication?.value === "consensus" ? "while a majority survives" : "while its sites reach each other";
}

/** An anycast RTO objective met by the estimate: what it holds for (review M59), said beside "met". */
export const anycastRtoCondition = (objective: number) =>
  `for a site that withdraws its route; on a whole-site loss only if the BGP hold time (or BFD) keeps it within ${sig(objective)} s`;

export function rpoCondition(ctx: TopologyContext, st: Store): string | undefined {
  const rep = st.replication?.value;
  const q = ctx.quorumOf(st);
  // Galera delivers a write-set to every node of the primary component before it commits: a surviving minority has every acknowledged write
  if (rep === "consensus" && q?.resolved) {
    const bySite = [...q.counts].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]);
    const n = bySite.reduce((a, [, c]) => a + c, 0);
    const maj = majority(n);
    // the fewest sites whose loss leaves less than a majority: named when one suffices
    let lost = 0;
    let k = 0;
    while (k < bySite.length && n - lost >= maj) lost += bySite[k++][1];
    const alone = bySite.filter(([, c]) => n - c < maj).map(([x]) => x);
    const sites = k === 1 ? listText(alone).replace(/ and (?=[^,]*$)/, " or ") : `${["", "", "two", "three"][k] ?? k} of its sites at once`;
    return `while a majority (${maj} of ${n} members) survives: losing ${sites} leaves a minority that may lack the last acknowledged writes — recovering from it, or from a backup, loses them`;
  }
  const rpo = storeRpo(st);
  if ((rep !== "async" && rep !== "crdt") || rpo === null || !(rpo > 0) || rpo === Infinity) return undefined;
  const sites = [...new Set([...(st.writers?.items ?? []), ...(st.replicas?.items ?? [])].map((x) => x.value))];
  const { writeRatePerSecond: rate, writeBytes: size, lagBufferBytes: buffer } = st;
  const fill = rate && size && buffer && rate.value > 0 && size.value > 0 ? buffer.value / (rate.value * size.value) : undefined;
  const overflow = fill !== undefined ? `, and past ${seconds(fill)} the lag buffer overflows (a resync)` : "";
  const writers = [...new Set((st.writers?.items ?? []).map((x) => x.value))];
  const during =
    writers.length === 1
      ? `during a cut the writes since it began exist only at ${writers[0]}, so losing ${writers[0]} ten minutes into a cut loses about ten minutes of writes`
      : "during a cut each side's writes since it began exist on that side only, so a site lost ten minutes into a cut loses about ten minutes of its writes";
  return `while ${listText(sites)} reach each other: ${during}${overflow}`;
}

/** An entity's figures; for a traffic entry writing to CockroachDB, with what they are without the follower relay. */
export function figuresWithRelay(d: LeanDesign, e: LeanEntity, budget: number): EntityFigures {
  return finish(figuresWithRelaySteps(d, e, budget));
}

/** figuresWithRelay step-wise (entityFiguresSteps): the editor computes an entity between keystrokes, not in one step. */
export function* figuresWithRelaySteps(d: LeanDesign, e: LeanEntity, budget: number): Steps<EntityFigures> {
  const f = yield* entityFiguresSteps(d, e, budget);
  if (e.type !== "traffic") return f;
  // a relay the store's engine declares (CockroachDB 24.1 or later) is a fact, not a condition (review M74)
  const relaying = e.deps.filter((x): x is LeanQuorum => x.type === "quorum" && x.relay && relayOf(x) === "assumed");
  if (!relaying.length) return yield* withRelayFigures(d, e, f, budget);
  // the same quorums without the relay, with scratch of their own
  const without = yield* figuresRelayed(d, e, relaying, false, budget);
  if (without.unavailability <= f.unavailability * (1 + 1e-9)) return f;
  return { ...f, withoutRelay: { stores: relaying.map((q) => (q.owner as Store).name?.value ?? q.name), figures: without } };
}

/** The entry judged again as if its CockroachDB stores before 24.1 relayed (review M117b): attached when that raises its figure. */
function* withRelayFigures(d: LeanDesign, e: LeanTraffic, f: EntityFigures, budget: number): Steps<EntityFigures> {
  const older = e.deps.filter((x): x is LeanQuorum => x.type === "quorum" && !x.relay && x.kind === "consensus" && beforeRelay(x));
  if (!older.length) return f;
  const withRelay = yield* figuresRelayed(d, e, older, true, budget);
  if (withRelay.unavailability >= f.unavailability * (1 - 1e-9)) return f;
  const owners = older.map((q) => q.owner as Store);
  return {
    ...f,
    withRelay: {
      stores: owners.map((st) => st.name?.value ?? ""),
      engines: owners.map((st) => st.engine?.value ?? ""),
      figures: withRelay,
    },
  };
}

/** The entry's figures with `quorums` relaying (or not) as `relay` says: those quorums and the entry with scratch of their own. */
function* figuresRelayed(
  d: LeanDesign,
  e: LeanTraffic,
  quorums: readonly LeanQuorum[],
  relay: boolean,
  budget: number,
): Steps<EntityFigures> {
  const flipped = new Map<object, LeanQuorum>(
    quorums.map((q) => [q, { ...q, relay, canLead: new Uint8Array(q.canLead.length), judged: new Int32Array(1) }]),
  );
  return yield* entityFiguresSteps(
    d,
    {
      ...e,
      deps: e.deps.map((x) => flipped.get(x) ?? x),
      overloaded: new Uint8Array(e.backends.length),
      errors: new Uint8Array(e.backends.length),
      depWrites: new Uint8Array(e.deps.length),
    },
    budget,
  );
}

/** A CockroachDB store whose `engine` names a version before the follower relay (24.1). */
const beforeRelay = (q: LeanQuorum) => /cockroach/i.test((q.owner as Store).engine?.value ?? "") && relayOf(q) === undefined;

/** "with CockroachDB 24.1's follower relay for ledger (it runs cockroachdb 23.2): 99.9985% (4.83 nines, 7.9 minutes unavailable a year)" */
export function withRelayText(w: WithRelay): string {
  const runs = w.stores.map((st, k) => `${st} runs ${w.engines[k]}`).join(", ");
  return `with CockroachDB 24.1's follower relay (${runs}; 24.1 and later relay a write through a follower that reaches the leader): ${figureText(w.figures)}`;
}

/** The report of an analysed topology, once computed (by reportOf at once, or by reportSteps a step at a time). */
const reportCell = (_ctx: TopologyContext): Cell<AvailabilityReport> => ({});

/** Every figure of an analysed topology, computed once (rules, hovers, preview, record and CLI share it). */
export function reportOf(ctx: TopologyContext): AvailabilityReport {
  return cellValue(ctx.fact(reportCell), () => availabilityReport(ctx));
}

/** reportOf step-wise: what it computes is kept for reportOf (a run given up half-way keeps nothing). */
export function reportSteps(ctx: TopologyContext): Steps<AvailabilityReport> {
  return cellSteps(ctx.fact(reportCell), () => availabilityReportSteps(ctx));
}

/** "5.52 nines" (rounded to two decimals at most) */
/** A probability within rounding of 1 (a sum of state probabilities that should be exactly 1) is 1. */
const nearOne = (x: number): number => (x > 1 - 1e-12 ? 1 : x);

export function ninesText(unavailability: number): string {
  return `${sig(ninesRounded(unavailability))} nines`;
}

/**
 * Nines to two decimals, one rule for every output: rounded as the percentages beside them are
 * (review M121a: 2.699 is "2.7", not "2.69"), except that rounding never reaches a whole nine
 * the figure falls short of — "3 nines" is a promise of 99.9%, and 99.8992% (2.9965) reads "2.99
 * nines" — cut to two decimals there instead. A figure within 1e-9 of a whole nine (0.999's
 * 1 − 0.999 is 0.0010000000000000009 in binary) is that nine.
 */
export function ninesRounded(unavailability: number): number {
  const n = -Math.log10(unavailability);
  const whole = Math.round(n);
  if (Math.abs(n - whole) < 1e-9) return whole;
  const r = Number(n.toFixed(2));
  return Number.isInteger(r) && r > n ? Math.floor(n * 100) / 100 : r;
}

/** "5.52 nines, 1.58 minutes a year" */
export function ninesAndMinutes(unavailability: number): string {
  if (unavailability <= 0) return "never unavailable";
  return `${ninesText(unavailability)}, ${minutes(unavailability * MINUTES_PER_YEAR)} unavailable a year`;
}

/**
 * The figure in a diagram label: "5.52 nines", "≥ 4.1 nines" when bounded and the bound shows (the lower end), or
 * undefined when nothing the entity depends on declares an availability and it works with
 * everything up (no figure to show).
 */
export function ninesLabel(f: EntityFigures, { condition = true } = {}): string | undefined {
  if (f.unavailability <= 0 || (!f.components.length && !f.brokenAllUp)) return undefined;
  const text = ninesText(f.unavailability);
  // bounded: the lower end, marked only when the interval shows at this precision
  const upper = 1 - f.interval[1];
  const figure = f.method === "bounded" && (upper <= 0 || ninesText(upper) !== text) ? `≥ ${text}` : text;
  return condition ? `${figure}${takenAtOneLabel(f)}` : figure;
}

/**
 * A label's figure resting on components that declare no availability says so, as the text's
 * "if ams never fails (no availability declared)" does (review M132, M134 in the preview): " if ams
 * never fails", " if ams and the fra–ams link never fail"; past two, how many — a label stays short.
 */
export function takenAtOneLabel(f: EntityFigures): string {
  const taken = f.assumedAtOne;
  if (!taken.length) return "";
  if (taken.length <= 2) return ` if ${componentsText(taken)} never fail${taken.length === 1 ? "s" : ""}`;
  return ` if ${taken.length} components with no availability never fail`;
}

/** A share of the time as every output says it: "0.1% of the time (8.8 hours a year)". */
export function timeShare(p: number): string {
  const year = minutes(p * MINUTES_PER_YEAR);
  // short of the whole year but rounding to it: say what is left, never a whole year
  const rest = p < 1 && year === minutes(MINUTES_PER_YEAR) ? `all but ${minutes((1 - p) * MINUTES_PER_YEAR)}` : year;
  return `${percentOfTime(p)} of the time (${rest} a year)`;
}

/** "fra-prod's API (writes from its nodes at fra)": what an etcd's figure measures. */
export function apiSubject(f: EntityFigures): string {
  return f.api ? `${f.entity}'s API (writes from its nodes at ${f.api.from})` : f.label;
}

/**
 * Why an etcd's API figure has no best-placement companion, as requests served and the write
 * budget have: etcd has no leader preference (nothing like CockroachDB's lease preferences), and
 * `etcdctl move-leader` moves the leader once — the next election (a member restarted for an
 * upgrade or a certificate, a missed heartbeat) puts it wherever the first candidate stood. A
 * pinned figure would promise what nobody can configure.
 */
export const ETCD_NO_PIN = "etcd cannot pin it: `etcdctl move-leader` holds only until the next election";

/**
 * Why an etcd's cluster API takes no writes, cause by cause: "fra down 0.1% of the time (8.8
 * hours a year); fra's members on the stopped side of a cut, at the leader placement worst for
 * them, 0.0992% of the time (8.7 hours a year)".
 */
export function apiCausesText(f: EntityFigures): string {
  const a = f.api!;
  if (a.remote.length) return remoteCausesText(a);
  const parts: string[] = [];
  if (a.siteDown > 0) parts.push(`${a.from} down ${timeShare(a.siteDown)}`);
  if (a.cutOff > 0)
    parts.push(
      `${a.from}'s members in the stopped minority of a cut (at the leader placement worst for them: leadership stays where it was when the links went, and ${ETCD_NO_PIN}) ${timeShare(a.cutOff)}`,
    );
  if (a.quorumStops > 0) parts.push(`the etcd quorum stopped everywhere ${timeShare(a.quorumStops)}`);
  return parts.join("; ");
}

/**
 * The causes for a control plane with no member at its cluster's site (review M94): no member of
 * the cluster's is in a stopped minority and nothing is stretched — "lon's nodes cut off from
 * their control plane at fra (fra–lon link down) 0.0499% …; fra down (its whole etcd lost) 0.0999% …".
 * Several remote member sites: the leader placement still decides which cut strands the nodes.
 */
function remoteCausesText(a: ApiFigures): string {
  const parts: string[] = [];
  const at = listText(a.remote);
  const cp = listText(a.controlPlane);
  // members beside the control plane's: a witness's etcd-only ones, which run no API server (README Decisions)
  const beside = a.remote.filter((x) => !a.controlPlane.includes(x));
  if (a.siteDown > 0) parts.push(`${a.from} down ${timeShare(a.siteDown)}`);
  // every API server's site down while the etcd-only members keep a majority: a site loss, not a cut
  if (a.serversDown > 0)
    parts.push(
      `${cp} down, and with ${a.controlPlane.length === 1 ? "it" : "them"} every API server ${a.from}'s nodes write through (the etcd keeps its majority at ${listText(beside)}, whose etcd-only members run none) ${timeShare(a.serversDown)}`,
    );
  if (a.cutOff > 0)
    parts.push(
      a.remoteAlone
        ? `${a.from}'s nodes cut off from their control plane at ${cp} (${a.remoteLink ? `${a.remoteLink} down` : `no ${a.from}–${cp} link is declared`}) ${timeShare(a.cutOff)}`
        : beside.length
          ? `${a.from}'s nodes without an API server that takes writes: ${
              a.controlPlane.length === 1
                ? `the one at ${cp} cut off from ${a.from}, or its member cut off from the etcd leader`
                : `those at ${cp} down or cut off from ${a.from}, or their members cut off from the etcd leader`
            } (the etcd-only members at ${listText(beside)} run none; at the leader placement worst for them: leadership stays where it was when the links went, and ${ETCD_NO_PIN}) ${timeShare(a.cutOff)}`
          : `${a.from}'s nodes cut off from their control plane's leader at ${at} (at the leader placement worst for them: leadership stays where it was when the links went, and ${ETCD_NO_PIN}) ${timeShare(a.cutOff)}`,
    );
  if (a.quorumStops > 0)
    parts.push(
      a.remoteAlone
        ? `${cp} down (${beside.length ? "the etcd's majority lost with it" : "its whole etcd lost"}) ${timeShare(a.quorumStops)}`
        : `the etcd quorum at ${at} stopped ${timeShare(a.quorumStops)}`,
    );
  return parts.join("; ");
}

/** The quorum's own figure, said as the quorum's, when it reads differently from the API's: "the etcd quorum itself: 99.9986% (…) — …". */
export function quorumFigureText(f: EntityFigures): string | undefined {
  const q = f.api?.quorum;
  if (!q || availabilityPercent(q.availability, q.unavailability) === availabilityPercent(f.availability, f.unavailability))
    return undefined;
  return `the etcd quorum itself: ${availabilityPercent(q.availability, q.unavailability)} (${ninesAndMinutes(q.unavailability)}) — it counts every state in which a majority writes somewhere, also those in which ${f.entity}'s nodes at ${f.api!.from} are down or cannot reach it`;
}

/** The federated layout beside a stretched etcd: "with a local etcd at fra (federated): 99.9%, fra's own — the stretch costs 8.8 hours a year". */
export function federatedText(f: EntityFigures): string | undefined {
  const a = f.api;
  if (!a?.stretched) return undefined;
  const costs = (1 - a.federated - f.unavailability) * -MINUTES_PER_YEAR;
  const what = a.remote.length ? "the remote control plane" : "the stretch";
  return `with a local etcd at ${a.from} (federated): ${availabilityPercent(a.federated)}, ${a.from}'s own${costs * 60 >= 0.05 ? ` — ${what} costs ${f.entity}'s API ${minutes(costs)} a year` : ""}`;
}

/**
 * "requests served: 99.95–99.98% (worst to best leader placement: …)": the served fraction's range
 * from the placement losing the most in each failure to the pins losing the fewest; one figure when the two
 * agree at this precision. A bounded best end is not written as the end of a range ("99.763% to
 * at least 99.9487%" reads as if the range itself were uncertain): the two figures are said apart,
 * the pinned one as the interval it is known to lie in. `short`: one phrase for a line or a cell.
 */
export function servedText(f: EntityFigures, short = false): string {
  const worst = availabilityPercent(f.servedFraction!);
  const b = f.servedBest;
  const shedding = "shedding exactly the excess, optimistic without admission control";
  const one = !b || b.states === 0 || sameEnds(worst, b);
  if (short) return `requests served: ${one ? worst : servedRangeShort(worst, b!)}`;
  if (!b || b.states === 0) return `requests served: ${worst} (${shedding})`;
  if (one) return `requests served: ${worst} (wherever the leaders are; ${shedding})`;
  const worstWhy =
    "in each failure the one placement losing the most requests — without a pin, leadership stays where it was when the links went";
  const which = `the pin${b.pins.length === 1 ? "" : "s"} losing the fewest requests over the year`;
  if (b.method === "exact")
    return `requests served: ${worst.replace(/%$/, "")}–${availabilityPercent(b.fraction)} (worst to best leader placement: ${worstWhy} — to ${pinsText(b)}, ${which}; ${shedding})`;
  return `requests served: ${worst} at the worst leader placement (${worstWhy}); ${bestBounded(b)} with ${pinsText(b)}, ${which} (${boundedWhy(b)}); ${shedding}`;
}

/** Both ends read the same at this precision (and the best's bound does not show). */
function sameEnds(worst: string, b: BestServed): boolean {
  return availabilityPercent(b.fraction) === worst && (b.method === "exact" || availabilityPercent(b.upper) === worst);
}

/** A bounded best end: "99.9487–99.9525%" (the interval it lies in), or "at least 99.9487%" when the upper end is not known. */
function bestBounded(b: BestServed): string {
  const lower = availabilityPercent(b.fraction);
  const upper = availabilityPercent(b.upper);
  if (b.placementsBounded || b.upper >= 1 || upper === lower) return `at least ${lower}`;
  return `${lower.replace(/%$/, "")}–${upper}`;
}

/** Why the best end is bounded: pins not all tried, or states not all judged. */
function boundedWhy(b: BestServed): string {
  if (b.placementsBounded)
    return `of the first ${count(MAX_PLACEMENTS)} pin combinations in site order: a placement the design allows, maybe not the best`;
  return `the ${count(b.states)} states with the fewest failures judged; the rest, counted as losing every request or none, make the interval`;
}

/** "99.9–99.97% (worst leader placement to the leader of store ledger pinned at fra)"; bounded: the two figures apart. */
function servedRangeShort(worst: string, b: BestServed): string {
  const each = listText(b.pins.map((p) => `${p.quorum} pinned at ${p.site}`));
  const to = `${b.pins.length === 1 ? "the leader of" : "the leaders of"} ${each}`;
  if (b.method === "exact") return `${worst.replace(/%$/, "")}–${availabilityPercent(b.fraction)} (worst leader placement to ${to})`;
  return `${worst} at the worst leader placement, ${bestBounded(b)} with ${to}`;
}

/** "the leader of store ledger pinned at ams (lease preferences)", or of several quorums. */
function pinsText(b: BestServed): string {
  const each = b.pins.map((p) => `${p.quorum} at ${p.site}`);
  const by = [...new Set(b.pins.map((p) => p.by ?? "the engine's leader preference"))].join(", ");
  return `${b.pins.length === 1 ? "the leader of" : "the leaders of"} ${listText(each)} pinned (${by}; elsewhere only while ${b.pins.length === 1 ? "that site cannot lead" : "a pinned site cannot lead"})`;
}

/** "without CockroachDB's follower relay for ledger (before 24.1, or with it disabled): 99.9486% (3.29 nines, 4.5 hours unavailable a year)" */
export function withoutRelayText(w: WithoutRelay): string {
  return `without CockroachDB's follower relay for ${w.stores.join(", ")} (before 24.1, or with it disabled): ${figureText(w.figures)}`;
}

/** "fra + lon down (0.0001%)" */
export function cutSetText(c: EntityFigures["cutSets"][number]): string {
  return `${c.components.join(" + ")} down (${percentOfTime(c.probability)} of the time)`;
}

/** A bounded figure whose interval shows at six significant digits: it is said as "at least". */
export function boundShows(f: EntityFigures): boolean {
  return f.method === "bounded" && availabilityPercent(f.interval[0], f.unavailability) !== availabilityPercent(f.interval[1]);
}

/** The figure as one phrase: "99.9997% (5.52 nines, 1.58 minutes unavailable a year)"; "at least" when the bound shows. */
export function figureText(f: EntityFigures): string {
  // review M132, M134: a figure never reads "100% (never unavailable)" or bare where it rests on what the design does not declare
  if (unmeasured(f)) return unmeasuredText(f);
  return f.assumedAtOne.length ? `${bareFigureText(f)} ${takenAtOneCondition(f)}` : bareFigureText(f);
}

/** The figure alone, without the components it takes at 1 (for a sentence that says them itself). */
export function bareFigureText(f: EntityFigures): string {
  return `${boundShows(f) ? "at least " : ""}${availabilityPercent(f.availability, f.unavailability)} (${ninesAndMinutes(f.unavailability)})`;
}

/** An entity's figure now and with one site or link one nine better. */
export interface NineBetterRow {
  readonly label: string;
  readonly now: EntityFigures;
  readonly better: EntityFigures;
}

/** Each entity `reads` keeps: its figure now and in `better` (the design with one component one nine better). */
function nineRows(
  ctx: TopologyContext,
  d: LeanDesign,
  better: NineBetterDesign,
  reads: (e: LeanEntity) => boolean,
  budget: number,
): NineBetterRow[] {
  const report = reportOf(ctx);
  return leanEntities(ctx, d)
    .filter(reads)
    .map((e) => ({ label: e.name, now: report.figures.find((f) => f.owner === e.owner)!, better: nineBetter(ctx, e, better, budget) }))
    .filter((x) => x.now);
}

/** The design one nine better somewhere (a site's or a link's q / 10), and which: the key its figures are kept by. */
interface NineBetterDesign extends LeanDesign {
  /** "site 3", "link 12" */
  readonly nineAt: string;
}

/** `d` with site `i` one nine better. */
function siteNineBetter(d: LeanDesign, i: number): NineBetterDesign {
  const siteQ = Float64Array.from(d.siteQ);
  siteQ[i] /= 10;
  return { ...d, siteQ, nineAt: `site ${i}` };
}

/** `d` with link `l` one nine better. */
function linkNineBetter(d: LeanDesign, l: number): NineBetterDesign {
  return { ...d, links: d.links.map((x, k) => (k === l ? { ...x, q: x.q / 10 } : x)), nineAt: `link ${l}` };
}

/** Per entity (its owner): its figures one nine better, by component and budget, each with what computing it read. */
const nineMemo = (_ctx: TopologyContext, _owner: object): Map<string, { value: EntityFigures; reads: ReadonlySet<string> }> => new Map();

/**
 * An entity's figures in `better` (leanDesign(ctx) with one component one nine better), computed
 * once per analysis, entity, component and budget: "where a nine helps" in the text, the JSON, the
 * md, the objectives and the Tiers, and the site and link hovers' "one more nine", ask the same
 * ones (an 8-site mesh's text computed each entity once per component, and again per output).
 * Without the best leader placement, which none of them reads (26 of the 33 s that text took).
 * Whoever reads a kept figure depends on what computing it read, as with ctx.factOf.
 */
function nineBetter(ctx: TopologyContext, e: LeanEntity, better: NineBetterDesign, budget: number): EntityFigures {
  const memo = ctx.factOf(nineMemo, e.owner);
  const key = `${better.nineAt} ${budget}`;
  const known = memo.get(key);
  if (known) {
    noteAll(known.reads);
    return known.value;
  }
  const computed = recording(() => entityFigures(better, e, budget, { best: false }));
  memo.set(key, computed);
  return computed.value;
}

/** Each entity reading `site`: its availability now and with the site one nine better (q / 10) — where money helps. */
export function oneMoreNine(ctx: TopologyContext, site: string, budget = 200_000): NineBetterRow[] {
  const d = leanDesign(ctx);
  const i = d.siteIndex.get(site);
  if (i === undefined || !reportOf(ctx).figures.length || !d.siteQ[i]) return [];
  return nineRows(ctx, d, siteNineBetter(d, i), (e) => entitySites(e).includes(i), budget);
}

/** Each entity reading the link between `a` and `b`: its availability now and with the link one nine better (q / 10). */
export function oneMoreNineLink(ctx: TopologyContext, a: string, b: string, budget = 200_000): NineBetterRow[] {
  const d = leanDesign(ctx);
  const [i, j] = [d.siteIndex.get(a), d.siteIndex.get(b)];
  if (i === undefined || j === undefined || !reportOf(ctx).figures.length) return [];
  const l = d.linkAt[i * d.sites.length + j];
  if (l === undefined || l < 0 || !d.links[l].q) return [];
  return nineRows(ctx, d, linkNineBetter(d, l), (e) => entityLinks(d, e).includes(l), budget);
}

/** Entities reading more sites than this get no "where a nine helps most" (one recomputation per site and per link). */
export const NINE_HELPS_MAX_SITES = 8;

/** Where one more nine helps an entity most: the site or link whose q / 10 lowers its unavailability most, with the figure then. */
export interface NineHelps {
  /** the site, or the link ("fra–lon link") */
  readonly site: string;
  readonly kind: "site" | "link";
  /** its declared availability now */
  readonly availability: number;
  readonly better: EntityFigures;
}

/**
 * The site or link of `f`'s entity whose one more nine lowers its unavailability most (review
 * M60: a design whose weak points are its links gains nothing from a better site); none when
 * nothing it reads fails, or it reads too many sites.
 */
export function whereANineHelps(
  ctx: TopologyContext,
  f: EntityFigures,
  budget = 200_000,
  measure: (x: EntityFigures) => number = (x) => x.unavailability,
): NineHelps | undefined {
  const d = leanDesign(ctx);
  const e = leanEntities(ctx, d).find((x) => x.owner === f.owner);
  if (!e || !(measure(f) > 0)) return undefined;
  const sites = entitySites(e).filter((i) => d.siteQ[i] > 0);
  if (sites.length > NINE_HELPS_MAX_SITES) return undefined;
  const links = entityLinks(d, e).filter((l) => d.links[l].q > 0);
  let best: NineHelps | undefined;
  const consider = (h: NineHelps) => {
    if (measure(h.better) < measure(best?.better ?? f) * (1 - 1e-9)) best = h;
  };
  for (const i of sites)
    consider({ site: d.sites[i], kind: "site", availability: 1 - d.siteQ[i], better: nineBetter(ctx, e, siteNineBetter(d, i), budget) });
  for (const l of links) {
    const link = d.links[l];
    const better = nineBetter(ctx, e, linkNineBetter(d, l), budget);
    consider({ site: `${d.sites[link.a]}–${d.sites[link.b]} link`, kind: "link", availability: 1 - link.q, better });
  }
  return best;
}

/** "one more nine at ams (0.995 → 0.9995): 4.83 → 5.48 nines, 7.62 → 1.71 minutes unavailable a year"; a link: "on the fra–lon link (…)" */
export function nineHelpsText(_ctx: TopologyContext, f: EntityFigures, h: NineHelps): string {
  const a = Number(h.availability.toPrecision(12));
  const better = 1 - (1 - a) / 10;
  const n = (u: number) => ninesText(u).replace(/ nines$/, "");
  const where = h.kind === "link" ? `on the ${h.site}` : `at ${h.site}`;
  return `one more nine ${where} (${sig(a)} → ${sig(better)}): ${n(f.unavailability)} → ${h.better.unavailability > 0 ? n(h.better.unavailability) : "∞"} nines, ${minutes(f.minutesPerYear)} → ${minutes(h.better.minutesPerYear)} unavailable a year`;
}

/**
 * Review M141: where one more nine lowers a multi-writer store's conflict figure most — the time
 * its writers are partitioned, which its availability does not count (they diverge, and write on).
 * Only a link between writers can lower it: a better writer site raises it (both writers are up,
 * to be cut apart, more of the time). None for a single writer, or a figure of 0.
 */
export function whereANineHelpsConflicts(ctx: TopologyContext, f: EntityFigures, budget = 200_000): NineHelps | undefined {
  if (f.kind !== "async" && f.kind !== "crdt") return undefined;
  return whereANineHelps(ctx, f, budget, (x) => x.conflictProbability ?? 0);
}

/** "one more nine on the fra–lon link (0.9995 → 0.99995): writers partitioned 0.0499% → 0.00499% of the time (26.2 hours → 2.6 hours a year)" */
export function conflictNineText(f: EntityFigures, h: NineHelps): string {
  const a = Number(h.availability.toPrecision(12));
  const where = h.kind === "link" ? `on the ${h.site}` : `at ${h.site}`;
  const now = f.conflictProbability ?? 0;
  const then = h.better.conflictProbability ?? 0;
  return `one more nine ${where} (${sig(a)} → ${sig(1 - (1 - a) / 10)}): writers partitioned ${percentOfTime(now)} → ${percentOfTime(then)} of the time (${minutes(now * MINUTES_PER_YEAR)} → ${minutes(then * MINUTES_PER_YEAR)} a year)`;
}

/** What an entry without an RTO estimate must declare first. */
export function rtoMissing(tr: Traffic): string {
  switch (rtoGap(tr)) {
    case "healthCheck":
      return "add healthCheck: { intervalSeconds, failureThreshold }";
    case "steering":
      return "declare steering";
    case "ttlSeconds":
      return "declare ttlSeconds";
    case "unsupportedSteering":
      return `steering ${tr.steering!.value} is not one Quorate estimates`;
  }
}

/**
 * An RTO's headline, both figures up front where anycast has two (review M64): "RTO 30 s (…) for a
 * site that withdraws its route; 180 s (…) on a whole-site loss", or "… on a whole-site loss, the
 * BGP hold time (not declared)"; DNS steering has one.
 */
export function rtoHeadline(rto: RtoEstimate): string {
  const head = `RTO ${sig(rto.seconds)} s (${rto.terms})`;
  if (!rto.siteLoss) return head;
  const lost =
    rto.siteLossSeconds !== undefined
      ? `${sig(rto.siteLossSeconds)} s (${rto.siteLossTerms}) on a whole-site loss`
      : "on a whole-site loss, the BGP hold time (not declared)";
  return `${head} for a site that withdraws its route; ${lost}`;
}

/** The RTO estimate's blind spot (review S9): a site cut off but alive is only detected by a check that fails with it. */
export const RTO_DETECTION =
  "the estimate holds when the health check fails for a site that is cut off but alive (a check through its dependencies); a shallow check keeps passing, and clients stay until someone withdraws the site";

/**
 * The RTO as one sentence, the same in `quorate availability` and the hovers (review M121c): the
 * estimate, for whom it is the worst case, the health check it needs for a site cut off but alive,
 * and (anycast) the whole-site loss.
 */
export function rtoText(rto: RtoEstimate): string {
  return `${rtoHeadline(rto)}: ${rto.caveat}; ${RTO_DETECTION}${rto.siteLoss ? `; ${rto.siteLoss}` : ""}`;
}

/** The hover of an entity's figures: availability, nines, minutes a year, the three most likely cut sets, the assumption. */
export function figuresMarkdown(f: EntityFigures, ctx: TopologyContext): string {
  const lines = [
    `**${f.label}** — ${f.api ? `${apiSubject(f)}: ` : "availability "}${figureText(f)}${unmeasured(f) ? "" : `, ${f.method === "exact" ? "exact" : `bounded (${sig(f.unjudgedProbability)} unjudged)`}`}`,
  ];
  const api = f.api ? [apiCausesText(f) && `API takes no writes: ${apiCausesText(f)}`, quorumFigureText(f), federatedText(f)] : [];
  for (const x of api) if (x) lines.push(`- ${x}`);
  if (f.brokenAllUp) lines.push("- fails with every site and link up");
  for (const c of f.cutSets.slice(0, 3)) lines.push(`- cut set: ${cutSetText(c)}`);
  if (f.withoutRelay) lines.push(`- ${withoutRelayText(f.withoutRelay)}`);
  if (f.withRelay) lines.push(`- ${withRelayText(f.withRelay)}`);
  if (f.conflictProbability)
    lines.push(`- writers partitioned ${percentOfTime(f.conflictProbability)} of the time (a lower bound on conflict exposure)`);
  if (f.rto) lines.push(`- ${rtoText(f.rto)}`);
  // review M144: steering within the RTO onto backends that do not serve recovers nothing
  const gap = f.kind === "traffic" ? failoverGap(ctx, f.owner as Traffic) : undefined;
  if (gap) lines.push(`- **${FAILOVER_HEAD}** ${failoverGapText(gap)}`);
  if (f.rpoSeconds !== null) lines.push(`- RPO ${rpoWords(f)}`);
  // review M139: where the lost share lands, as every output says it
  const lands = f.kind === "traffic" ? catchmentText(ctx, f.owner as Traffic) : undefined;
  if (lands) lines.push(`- ${lands}`);
  lines.push("", "_Independent failures assumed: the real figure is lower._");
  return lines.join("\n");
}
