/**
 * What-if: the outcome of a failure scenario for every cluster, quorum, async/crdt store,
 * traffic entry, Istio remote, Linkerd link and export of one analysed topology (contract:
 * shared design/whatif.md). Every judgement uses one reachability relation, so partitions and
 * cut links are the same machinery. Pure: no editor, no connection, no Node APIs.
 */
import { lagBytesNeeded } from "../math/lag";
import type { Quorum, TopologyContext } from "../derive/context";
import { conflictMerge, leaderUnpinnable } from "../derive/engines";
import { galeraCommit, leaderCommit, relaysThroughFollowers, writeBudget } from "../derive/latency";
import { clientSitesOf, clientWrite, standbyIdle, standbyWriters, type WriteRoute, writesOverBudgetText } from "../derive/writes";
import { controlPlaneAway, controlPlaneOf } from "../derive/controlplane";
import { copySites, etcdLostWithCluster, everyCopyLost, everyCopyLostText, homeSite, lostEtcdWhy } from "../derive/siteloss";
import { loadBackends, shiftOf } from "../derive/loads";
import {
  CILIUM_KEEPS_ENDPOINTS,
  type ExportAffinity,
  exportAffinity,
  ISTIO_CERT_LIFETIME,
  ISTIO_KEEPS_ENDPOINTS,
  istioMeshes,
  meshedExporters,
  staleShare,
  submarinerSet,
} from "../derive/meshes";
import { cutOffReplicaSites, cutOffVoterSites, neverVoteText, unreachableVoteNotes, votingCounts } from "../derive/reach";
import {
  EVICTION_AFTER_SECONDS,
  etcdTimers,
  largestMemberRtt,
  NODE_MONITOR_GRACE_SECONDS,
  SECONDS_PER_EVICTED_NODE,
  UNREACHABLE_TOLERATION_SECONDS,
} from "../derive/timers";
import { majority } from "../math/quorum";
import { toNumber } from "../math/rational";
import { loadOf, movedShare, overCapacity, scenario as loadScenario } from "../math/traffic";
import type { Cluster, Export, LinkerdLink, Store, Traffic } from "../model/topology";
import { rtoEstimate } from "../availability/figures";
import { pinWords } from "../availability/best";
import { pinCostOf } from "../availability/pin";
import { bytes, count, loadWords, ms, rps, seconds, shareText } from "../util/format";
import { own, setOwn } from "../util/records";
import { every, finish, type Steps } from "../util/steps";
import { listText } from "../util/strings";

/** A link named by its two sites (either order) and, for an excursion, the factor on its RTT. */
export interface LinkFactor {
  readonly between: readonly [string, string];
  readonly factor: number;
}

export interface Scenario {
  readonly lose: readonly string[];
  /** named groups; sites named nowhere (and not lost) form one more group */
  readonly partition: readonly (readonly string[])[];
  /** links cut one by one: reachability is then not transitive */
  readonly cut: readonly (readonly [string, string])[];
  readonly loseMembers: Readonly<Record<string, number>>;
  readonly rttFactor: number | null;
  readonly slow: readonly LinkFactor[];
  /** sites whose backends steering has withdrawn (an isolation's "after"): their load moves to the rest, the sites stay up */
  readonly withdraw?: readonly string[];
  /**
   * quorum name → the site its leader is held at, where that site can still lead: the placement a
   * scenario was judged at before steering withdrew backends (withdrawnFrom, review M143) — a
   * withdrawal moves clients, not a Raft leader; absent: judged as the scenario allows
   */
  readonly leaders?: Readonly<Record<string, string>>;
}

export const ALL_UP: Scenario = { lose: [], partition: [], cut: [], loseMembers: {}, rttFactor: null, slow: [] };

/** Latency factors must be above 1 (an excursion grows RTT) and at most this. */
export const MAX_FACTOR = 1000;

export type QuorumOutcome = "continues" | "minority-stops" | "stops" | "lost" | "flapping" | "over-budget" | "flow-control";
export type StoreOutcome = "continues" | "writes-stop" | "corrupts" | "diverges";
export type TrafficOutcome = "served" | "overloaded" | "unserved" | "errors";
export type Verdict = "ok" | "degraded" | "down";

/** worst first: the one word a quorum's `outcome` carries */
export const QUORUM_OUTCOME_ORDER: readonly QuorumOutcome[] = [
  "stops",
  "lost",
  "flapping",
  "flow-control",
  "over-budget",
  "minority-stops",
  "continues",
];

export interface ClusterResult {
  readonly name: string;
  readonly site: string;
  readonly outcome: "up" | "lost";
  /** up, but its nodes reach no etcd member that still votes (at the judged placement): its pods keep running, nothing can be scaled, rolled out or rescheduled */
  readonly apiStops: boolean;
  /** when its API stops: the sites where its etcd keeps a majority and its control plane (API servers, controllers) keeps running, out of its nodes' reach — control-plane sites only (derive/controlplane: not a witness's etcd-only member); else [] */
  readonly controlPlaneAt: string[];
  /** when its API stops while its control plane runs on elsewhere: the seconds after which that control plane evicts the pods at its site (Kubernetes' defaults: node-monitor-grace-period + the unreachable toleration); else null */
  readonly evictionAfterSeconds: number | null;
}

export interface GroupResult {
  readonly sites: string[];
  readonly members: number;
  readonly writes: boolean;
}

export interface QuorumResult {
  readonly name: string;
  readonly kind: Quorum["kind"];
  readonly members: Record<string, number>;
  readonly majority: number;
  readonly outcome: QuorumOutcome;
  /** the best commit latency over the members that can still vote, from the best site that can lead (Galera: the best site to write from); null: no writes, or an RTT missing */
  readonly commitLatencyMs: number | null;
  /** where that leader sits — the placement to pin: fewest members stopped, fewest clients failing, commit within budget, the fastest slowest client write; always null for Galera, which has no leader */
  readonly leader: string | null;
  /** the placement clients are judged at: where placement decides who stops or whose writes fail (cut links), the worst the design allows, else `leader`; null for Galera */
  readonly judgedLeader: string | null;
  /**
   * The commit with the leader at `judgedLeader`, the placement `writesFrom` is measured at: every
   * figure of a scenario a client reads comes from that one placement (the diff compares this one
   * beside writesFrom). `commitLatencyMs` where the two placements are the same, and for Galera.
   */
  readonly judgedCommitLatencyMs: number | null;
  /** Galera: the site whose writes commit fastest (every node takes writes); null for etcd and consensus (see leader) */
  readonly writer: string | null;
  /** the store's writeLatencyBudgetMs (consensus and Galera), else null */
  readonly writeLatencyBudgetMs: number | null;
  /** no placement commits within the budget — or, for a store no traffic entry writes to, its member sites' writes at the placement to pin are above it (traffic entries' writes are judged on their backends) */
  readonly overBudget: boolean;
  readonly flapping: boolean;
  readonly flowControl: boolean;
  /** per member site that can lead: the member sites that stop voting if the leader is there (Galera: per possible primary component, keyed by its best site to write from) */
  readonly byLeader: Record<string, string[]>;
  /** the partition's groups holding members, and whether each holds a site that can lead */
  readonly groups: GroupResult[];
  /** the sites whose clients write to it, which the placements are judged for: an etcd's own cluster's site (when up), the up backends' sites of the entries depending on a store — or, when none depends on it, its up non-witness member sites (clientsFromMembers) */
  readonly clientSites: string[];
  /** true when no traffic entry writes to the store and its member sites stand in as its writers (as rtt/write-budget judges it) */
  readonly clientsFromMembers: boolean;
  /**
   * What a write from each of those sites waits for at the judged placement — RTT to the leader
   * (or through a relay) plus the commit; Galera: its node's commit — and, for a store, from
   * each up member site too (where an application beside it would write from). null: those
   * writes fail (or an RTT is missing).
   */
  readonly writesFrom: Record<string, number | null>;
  /** the same at the placement to pin (`leader`; Galera: its primary component) — how writes fare when leadership is where it should be */
  readonly writesFromBest: Record<string, number | null>;
  /**
   * The same again at every placement the state allows, keyed by the leader's site (Galera: by its
   * primary component's best site): what pinning the leader there gives (availability's write
   * budget holds one pin for the whole year); `via` is the follower a relayed write goes through.
   */
  readonly writesByLeader: Record<string, Record<string, { readonly ms: number | null; readonly via: string | null }>>;
}

export interface StoreResult {
  readonly name: string;
  readonly replication: "async" | "crdt";
  readonly outcome: StoreOutcome;
  /** the unreplicated tail of the lost writer sites (an upper bound); null when nothing is lost, a factor is missing, or the buffer overflows */
  readonly atRiskBytes: number | null;
  /** the tail does not fit `lagBufferBytes`: the replica falls out of the stream */
  readonly rpoUnbounded: boolean;
  /** every site holding a copy (writers and replicas) is lost: only backups remain, the RPO is the last backup's age (review M50) */
  readonly everyCopyLost: boolean;
  /**
   * a writer site is lost, a copy survives elsewhere, and no maxLagSeconds bounds the lag: the lost
   * writers' unreplicated writes are lost in an amount nothing in the design bounds (review M147)
   */
  readonly rpoUnknown: boolean;
}

export interface BackendResult {
  readonly cluster: string;
  readonly site: string;
  /** null when the backend is lost (or withdrawn) */
  readonly loadRps: number | null;
  readonly capacityRps: number | null;
  /** capacity − load; null when either is unknown */
  readonly headroomRps: number | null;
  readonly overloaded: boolean;
  /** still sent clients, but some store it depends on takes no writes from its site */
  readonly errors: boolean;
  /** the load it carries while erroring (every request counted as a write: an upper bound), else 0 */
  readonly errorRps: number;
  /** the stores it depends on that take no writes from its site (what its errors come from); present only while it errs (w85) */
  readonly errorsFrom?: string[];
  /** the slowest of its writes to consensus and Galera stores (RTT to the judged leader, or through a relay, plus the commit); null when it writes to none or errors */
  readonly writeLatencyMs: number | null;
  /** some of those writes is above its store's writeLatencyBudgetMs */
  readonly overBudget: boolean;
  /** its writes to each consensus or Galera store it depends on, at the judged placement */
  readonly writes: WriteResult[];
}

export interface TrafficResult {
  readonly name: string;
  readonly outcome: TrafficOutcome;
  readonly errorRps: number;
  readonly backends: BackendResult[];
}

export interface MeshResult {
  readonly cluster: string;
  readonly outcome: "control-plane-lost" | "mirror-stale";
  readonly because: string;
  /** mirror-stale: the Linkerd link's mode — gateway (its mirrors lose their endpoints once the probe fails), flat or federated (the last endpoints are kept) */
  readonly mode?: LinkerdLink["mode"];
}

export interface ExportGroup {
  /** one group of the partition (every up site without a partition) */
  readonly sites: string[];
  /** the exporting clusters up in that group: the endpoints its clients can be sent to */
  readonly servedBy: string[];
}

/** An exporting cluster whose calls to the Service still go to endpoints it cannot reach (ClusterMesh). */
export interface StaleCalls {
  readonly cluster: string;
  readonly site: string;
  /** the exporting clusters its calls go to that it cannot reach (lost or cut off): Cilium keeps their endpoints */
  readonly unreachable: string[];
  /** the share of its calls sent there, with equal replicas per cluster (0.5: half) */
  readonly share: number;
}

export interface ExportResult {
  readonly service: string;
  readonly namespace: string;
  /** the exporting clusters still up, wherever they are */
  readonly servedBy: string[];
  /** per group of the partition (one group without a partition) */
  readonly groups: ExportGroup[];
  /** `exports[].affinity` as Cilium reads it: `none` when absent */
  readonly affinity: ExportAffinity;
  /** ClusterMesh: the exporting clusters whose calls still go to endpoints they cannot reach (degraded) */
  readonly stale: StaleCalls[];
}

export interface Result {
  readonly scenario: Scenario;
  /** "all up", "lose fra", "partition fra / lon / (ams)", … (the diff matches scenarios by it) */
  readonly name: string;
  /** the partition's groups of up sites (one group without a partition); lost sites are in none */
  readonly groups: string[][];
  readonly clusters: ClusterResult[];
  readonly verdict: Verdict;
  readonly quorums: QuorumResult[];
  readonly stores: StoreResult[];
  readonly traffic: TrafficResult[];
  readonly meshes: MeshResult[];
  readonly exports: ExportResult[];
  /** one sentence per thing that makes the verdict degraded or down */
  readonly breaks: string[];
  /** everything else a reader should know: lost clusters, stale replicas, at-capacity backends, data at risk */
  readonly notes: string[];
  /**
   * The failover windows the verdict leaves out (whatif.md: the loads are judged once steering has
   * withdrawn the lost sites): per entry, the share sent there that gets no answer until then.
   * Absent when no lost site had clients steered to it.
   */
  readonly failover?: FailoverWindow[];
}

/** One traffic entry's failover window after a site loss: what the verdict, judged after it, leaves out. */
export interface FailoverWindow {
  readonly entry: string;
  /** `dns`, `gslb`, `anycast`, … (the entry's `steering`) */
  readonly steering: string;
  readonly sites: string[];
  /** the load steered to the lost sites before the loss: it times out until the withdrawal */
  readonly rps: number;
  /** how long until the withdrawal (detection + TTL, anycast's upstream hold time); null: unknown */
  readonly seconds: number | null;
  /** the entry's declared `objectives.rtoSeconds`: a window above it is said to be over it (objective/rto judges the same figure) */
  readonly rtoObjectiveSeconds?: number;
  /** why `seconds` is null, in a clause ("no healthCheck is declared"); absent for a known window */
  readonly unknownBecause?: string;
}

/** A window's declared RTO it is over ("over the RTO of 120 s"), or, unknown, the RTO it cannot be shown to meet; undefined otherwise. */
export function rtoWords(w: Pick<FailoverWindow, "seconds" | "rtoObjectiveSeconds">): string | undefined {
  if (w.rtoObjectiveSeconds === undefined) return undefined;
  if (w.seconds === null) return `the RTO of ${seconds(w.rtoObjectiveSeconds, 3)} cannot be shown to hold`;
  return w.seconds > w.rtoObjectiveSeconds ? `over the RTO of ${seconds(w.rtoObjectiveSeconds, 3)}` : undefined;
}

/**
 * What a verdict judged after a site loss's failover leaves out, as the verdict's own words say it
 * (review: "ok … nothing breaks" beside 90 s of 20,000 rps of timeouts read as no cost): "once gslb
 * has withdrawn fra — for about 90 s (longer for clients that ignore the TTL), 20,000 rps of checkout
 * time out"; beside a down verdict, which does not wait for it, "and before gslb withdraws fra, 20,000
 * rps of checkout also time out (how long is unknown)" (review M114). The one source for
 * simulate's verdict line, the diff's, the editor's Simulate strip, the record and the game day; undefined when
 * the scenario has no failover window.
 */
export function judgedOnce(r: Pick<Result, "failover" | "verdict">): string | undefined {
  const ws = r.failover ?? [];
  if (!ws.length) return undefined;
  const who = (w: FailoverWindow) =>
    w.steering === "anycast" ? `${listText(w.sites)}'s anycast route is withdrawn` : `${w.steering} has withdrawn ${listText(w.sites)}`;
  // review M113: detection + TTL is the worst case only for clients that honour the TTL; anycast's hold time has no TTL
  // unknown under a declared RTO (w58): why, and that the RTO can no longer be shown to hold
  const howLong = (w: FailoverWindow) =>
    w.seconds === null
      ? `how long is unknown${w.rtoObjectiveSeconds !== undefined && w.unknownBecause ? `: ${w.unknownBecause}, so ${rtoWords(w)}` : ""}`
      : w.steering === "anycast"
        ? `for up to ${seconds(w.seconds, 3)}`
        : `for about ${seconds(w.seconds, 3)}, longer for clients that ignore the TTL`;
  // a window above the entry's declared RTO objective says so (objective/rto judges the same figure)
  const over = (w: FailoverWindow) => (w.seconds !== null ? rtoWords(w) : undefined);
  // review M114: a down verdict does not depend on the withdrawal — the window is a cost on top of it
  if (r.verdict === "down") {
    const before = (w: FailoverWindow) =>
      w.steering === "anycast" ? `${listText(w.sites)}'s anycast route is withdrawn` : `${w.steering} withdraws ${listText(w.sites)}`;
    const also = (w: FailoverWindow) => `${rps(w.rps)} of ${w.entry} also time out (${[howLong(w), over(w)].filter(Boolean).join("; ")})`;
    return `and before ${listText([...new Set(ws.map(before))])}, ${ws.map(also).join("; ")}`;
  }
  const cost = (w: FailoverWindow) => {
    if (w.seconds === null) return `until then (${howLong(w)}), ${rps(w.rps)} of ${w.entry} time out`;
    const [head, caveat] = howLong(w).split(", ");
    const aside = [caveat, over(w)].filter(Boolean).join("; ");
    return `${head}${aside ? ` (${aside})` : ""}, ${rps(w.rps)} of ${w.entry} time out`;
  };
  const whens = [...new Set(ws.map(who))];
  return `once ${listText(whens)} — ${ws.map(cost).join("; ")}`;
}

/** An isolation as a game day enacts it: the window before steering withdraws the site, and after. */
export interface IsolateResult {
  /** the isolated site (`--isolate X`), or the isolated sites together when several are cut off as one group (a game day's `--lose a,b`) */
  readonly scenario: { readonly isolate: string | readonly string[] };
  readonly name: string;
  /** detection + TTL of the slowest entry with a backend there; null when some entry has no health check (or none sends it traffic: 0) */
  readonly windowSeconds: number | null;
  readonly window: Result;
  /** judged with `withdrawn` withdrawn from steering (deepWithdrawn) */
  readonly after: Result;
  /** the sites a deep health check withdraws (deepWithdrawn): the isolated ones, in the usual case (review M116) */
  readonly withdrawn: readonly string[];
  readonly verdict: Verdict;
  readonly notes: string[];
}

const linkName = (a: string, b: string) => `${a}–${b}`;

/** The scenario's name: what the text table and the diff show. */
export function scenarioName(s: Scenario, sites?: readonly string[]): string {
  const parts: string[] = [];
  if (s.lose.length) parts.push(`lose ${s.lose.join(", ")}`);
  if (s.partition.length) {
    const named = new Set(s.partition.flat());
    const rest = (sites ?? []).filter((x) => !named.has(x) && !s.lose.includes(x));
    parts.push(`partition ${[...s.partition.map((g) => g.join(",")), ...(rest.length ? [`(${rest.join(",")})`] : [])].join(" / ")}`);
  }
  if (s.cut.length) parts.push(`cut ${s.cut.map(([a, b]) => linkName(a, b)).join(", ")}`);
  const lm = Object.entries(s.loseMembers);
  if (lm.length) parts.push(`lose members ${lm.map(([k, v]) => `${k}:${v}`).join(", ")}`);
  if (s.rttFactor !== null) parts.push(`RTT × ${s.rttFactor}`);
  if (s.slow.length) parts.push(`slow ${s.slow.map((l) => `${linkName(l.between[0], l.between[1])} × ${l.factor}`).join(", ")}`);
  if (s.withdraw?.length) parts.push(`${s.withdraw.join(", ")} withdrawn from steering`);
  return parts.length ? parts.join("; ") : "all up";
}

/** The latency factor the scenario puts on the link a–b (a named slow link, else the global factor). */
export function slowFactor(s: Scenario, a: string, b: string): number | undefined {
  for (const l of s.slow) if ((l.between[0] === a && l.between[1] === b) || (l.between[0] === b && l.between[1] === a)) return l.factor;
  return s.rttFactor ?? undefined;
}

/** Who reaches whom in a scenario: the one relation every judgement uses. */
export interface Reachability {
  readonly lost: ReadonlySet<string>;
  /** the partition's groups of up sites (one group without a partition) */
  readonly groups: string[][];
  up(site: string): boolean;
  /** the index of the group an up site is in, and its position there (undefined when lost or undeclared) */
  groupOf(site: string): { group: number; at: number } | undefined;
  /** both up, and the same site or a declared link that is neither cut nor between two groups */
  reaches(a: string, b: string): boolean;
}

export function reachability(ctx: TopologyContext, s: Scenario): Reachability {
  const lost = new Set(s.lose);
  const all = [...ctx.topology.siteByName.keys()].filter((x) => !lost.has(x));
  const groupIndex = new Map<string, number>();
  let groups = [all];
  if (s.partition.length) {
    const named = new Set(s.partition.flat());
    groups = s.partition.map((g) => g.filter((x) => !lost.has(x))).filter((g) => g.length);
    const rest = all.filter((x) => !named.has(x));
    if (rest.length) groups.push(rest);
  }
  const position = new Map<string, number>();
  groups.forEach((g, i) => {
    g.forEach((x, at) => {
      groupIndex.set(x, i);
      position.set(x, at);
    });
  });
  const cut = new Map<string, Set<string>>();
  for (const [a, b] of s.cut) {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      const set = cut.get(x) ?? new Set<string>();
      set.add(y);
      cut.set(x, set);
    }
  }
  const up = (site: string) => !lost.has(site) && ctx.topology.siteByName.has(site);
  return {
    lost,
    groups,
    up,
    groupOf: (site) => {
      const group = groupIndex.get(site);
      return group === undefined ? undefined : { group, at: position.get(site)! };
    },
    reaches: (a, b) =>
      up(a) && up(b) && (a === b || (groupIndex.get(a) === groupIndex.get(b) && !cut.get(a)?.has(b) && ctx.link(a, b) !== undefined)),
  };
}

const excursion = (s: Scenario) => s.rttFactor !== null || s.slow.length > 0;

interface ScaledRtt {
  readonly value: number;
  /** "p99 40 ms × 3 = 120 ms", "14 ms" */
  readonly text: string;
}

/** The RTT of a–b under the scenario's excursion: typical or p99 (where declared) × the factor. */
function scaled(ctx: TopologyContext, s: Scenario, a: string, b: string, which: "typical" | "p99-else-typical"): ScaledRtt | undefined {
  if (a === b) return { value: 0, text: "0 ms" };
  const p99 = which === "p99-else-typical" ? ctx.rttP99(a, b) : undefined;
  const base = p99 ?? ctx.rtt(a, b);
  if (base === undefined) return undefined;
  const f = slowFactor(s, a, b);
  const kind = p99 !== undefined ? "p99 " : which === "p99-else-typical" ? "typical " : "";
  if (f === undefined) return { value: base, text: `${kind}${ms(base)}` };
  return { value: f * base, text: `${kind}${ms(base)} × ${f} = ${ms(f * base)}` };
}

/** One placement of a quorum's leader the scenario allows (Galera: one possible primary component, named by its best site to write from). */
interface Placement {
  readonly site: string;
  /** the member sites that keep voting (Galera: the primary component) */
  readonly voting: readonly string[];
  /** the member sites that stop */
  readonly stops: readonly string[];
  /** commit latency with the leader there (Galera: writing from `site`); undefined when an RTT is missing */
  readonly commit: number | undefined;
}

/** How a client site's writes reach a quorum at one placement (derive/writes clientWrite). */
type WritePath = WriteRoute;

interface QuorumJudgement {
  readonly q: Quorum;
  readonly result: QuorumResult;
  /** every placement the scenario allows (empty when the quorum stops or is lost) */
  readonly placements: readonly Placement[];
  /** the placement reported as `leader`/`writer`: the one to pin */
  readonly best: Placement | undefined;
  /** the placement clients are judged at: the worst the design allows wherever placement decides who stops or whose writes fail, else `best` */
  readonly judged: Placement | undefined;
  /** the sites whose clients write to it: an etcd's own cluster's site, a store's backends */
  readonly clients: readonly string[];
  path(p: Placement, client: string): WritePath;
}

/** What every judgement of one scenario shares. */
interface Judging {
  readonly ctx: TopologyContext;
  readonly s: Scenario;
  readonly R: Reachability;
  readonly breaks: string[];
  readonly notes: string[];
  /** the failover windows a site loss's verdict leaves out (lostShareNote) */
  readonly failover: FailoverWindow[];
  /** the scenario in the words of its first sentence */
  readonly what: string;
  /** the typical RTT under the scenario's excursion */
  readonly rtt: (a: string, b: string) => number | undefined;
}

/** The sites whose clients write to a quorum (derive/writes clientSitesOf: the declared writers, else a store's non-witness member sites) that are up and not withdrawn. */
function clientSites(J: Judging, q: Quorum): string[] {
  const { ctx, s, R } = J;
  const declared = clientSitesOf(ctx, q);
  const up = declared.sites.filter((site) => R.up(site) && !s.withdraw?.includes(site));
  if (declared.fromMembers || q.kind === "etcd") return up;
  // a site whose backends carry 0 rps here (standbys while a weighted backend is up) writes nothing: no writer (review M82)
  const standby = standbyWriters(ctx, q.owner as Store);
  if (!standby.length) return up;
  const steered = (site: string) => R.up(site) && !s.withdraw?.includes(site);
  return up.filter((site) => !standby.some((w) => w.site === site && standbyIdle(w, steered)));
}

/**
 * A store no traffic entry writes to is judged by its member sites' writes, as rtt/write-budget
 * judges it: over budget when the slowest of them at the placement to pin is above the budget
 * (a break in the rule's words). A store with traffic is judged on its backends' rows instead.
 */
function memberWritesOverBudget(
  J: Judging,
  q: Quorum,
  best: Placement,
  clients: readonly string[],
  path: (p: Placement, c: string) => WritePath,
): boolean {
  const budget = writeBudget(q);
  if (budget === undefined || !clients.length || !clientSitesOf(J.ctx, q).fromMembers) return false;
  const writes = clients.map((from) => ({ from, route: path(best, from) }));
  if (!writes.every((w) => w.route.ms !== undefined)) return false;
  const slowest = Math.max(...writes.map((w) => w.route.ms!));
  if (slowest <= budget) return false;
  J.breaks.push(`${q.label}: ${writesOverBudgetText(q, { ...best, writes, slowest }, budget, true)}`);
  return true;
}

/** The placements a quorum allows: each member site that reaches a majority (Galera: each primary component, a majority of nodes that all see each other). */
function placementsOf(J: Judging, q: Quorum, after: ReadonlyMap<string, number>, maj: number): Placement[] {
  const { ctx, R } = J;
  const memberSites = [...after].filter(([, c]) => c > 0).map(([x]) => x);
  const counts = (sites: readonly string[]) => new Map(sites.map((x) => [x, after.get(x)!]));
  const out: Placement[] = [];
  for (const l of memberSites) {
    const voting = memberSites.filter((x) => R.reaches(x, l));
    if (voting.reduce((a, x) => a + after.get(x)!, 0) < maj) continue;
    const stops = memberSites.filter((x) => !voting.includes(x));
    if (q.kind !== "galera") {
      out.push({ site: l, voting, stops, commit: leaderCommit(ctx, q, l, { counts: counts(voting), rtt: J.rtt, need: maj }) });
      continue;
    }
    // a primary component is a set of nodes that all see each other: a cut inside it leaves it to the group communication to drop one side
    const clique = voting.every((a, i) => voting.slice(i + 1).every((b) => R.reaches(a, b)));
    if (!clique || out.some((p) => p.voting.join() === voting.join())) continue;
    let best: { site: string; commit: number | undefined } | undefined;
    for (const w of voting) {
      const commit = galeraCommit(ctx, q, w, { counts: counts(voting), rtt: J.rtt });
      if (!best || (commit !== undefined && (best.commit === undefined || commit < best.commit))) best = { site: w, commit };
    }
    out.push({ site: best!.site, voting, stops, commit: best!.commit });
  }
  return out;
}

/** How writes from `client` reach quorum `q` at placement `p` in this scenario (derive/writes clientWrite). */
function writePath(J: Judging, q: Quorum, after: ReadonlyMap<string, number>, p: Placement, client: string): WritePath {
  return clientWrite(J.ctx, q, p, client, { counts: after, rtt: J.rtt, reaches: J.R.reaches });
}

/**
 * Each (placement, writing site) route of quorum `q`, worked out the first time it is asked for:
 * choosing the placements, the writes and each leader's routes ask for the same ones again (a
 * Simulate click on a large design otherwise allocated most of its memory recomputing them).
 */
function routesOnce(J: Judging, q: Quorum, after: ReadonlyMap<string, number>): (p: Placement, c: string) => WritePath {
  const routes = new Map<Placement, Map<string, WritePath>>();
  return (p, c) => {
    let byClient = routes.get(p);
    if (!byClient) {
      byClient = new Map();
      routes.set(p, byClient);
    }
    let r = byClient.get(c);
    if (!r) {
      r = writePath(J, q, after, p, c);
      byClient.set(c, r);
    }
    return r;
  };
}

/** Lexicographic comparison of two score tuples. */
const before = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

/**
 * The placement to pin (reported as `leader`) and the one clients are judged at. The one to
 * pin: fewest stopped members, fewest clients whose writes fail, a commit within budget, the
 * fastest slowest client write, the fastest commit. Judged: where placements differ in who
 * stops or whose writes fail, the worst the design allows — Raft with PreVote/CheckQuorum keeps
 * a live leader wherever it was when the links went, and a leader moves with every restart —
 * most failing clients first (ties: member-site order), else the slowest client write. A store
 * whose engine cannot pin its leader (etcd, Consul: derive/engines leaderUnpinnable) is judged at
 * the slowest placement even with every member voting: an election may leave it there (review M98).
 */
/** Why a consensus store's leader cannot be pinned (etcd, Consul: derive/engines leaderUnpinnable), else undefined. */
const noPin = (q: Quorum) => (q.kind === "consensus" ? leaderUnpinnable((q.owner as Store).engine?.value) : undefined);

/** Where a write is judged when that is not the placement to pin: where a cut left the leader, or an election may. */
const judgedWhere = (qj: QuorumJudgement) => {
  if (qj.judged === qj.best) return "";
  const why = noPin(qj.q);
  return why ? ` (where an election may put it — ${why})` : " (where it may be when the links go)";
};

function choosePlacements(
  q: Quorum,
  placements: readonly Placement[],
  clients: readonly string[],
  path: (p: Placement, c: string) => WritePath,
  stoppedMembers: (p: Placement) => number,
): { best: Placement | undefined; judged: Placement | undefined } {
  if (!placements.length) return { best: undefined, judged: undefined };
  const budget = writeBudget(q);
  const failing = (p: Placement) => clients.filter((c) => path(p, c).fails);
  const slowest = (p: Placement) => Math.max(-1, ...clients.map((c) => path(p, c).ms ?? -1));
  const pinKey = (p: Placement) => [
    stoppedMembers(p),
    failing(p).length,
    budget !== undefined && p.commit !== undefined && p.commit > budget ? 1 : 0,
    clients.length ? slowest(p) : (p.commit ?? Infinity),
    p.commit ?? Infinity,
  ];
  let best = placements[0];
  for (const p of placements) if (before(pinKey(p), pinKey(best))) best = p;
  const sig = (p: Placement) => `${p.stops.join()}|${failing(p).join()}`;
  if (noPin(q) === undefined && placements.every((p) => sig(p) === sig(placements[0]))) return { best, judged: best };
  let judged = placements[0];
  for (const p of placements) {
    const [f, j] = [failing(p).length, failing(judged).length];
    if (f > j || (f === 0 && j === 0 && slowest(p) > slowest(judged))) judged = p;
  }
  return { best, judged };
}

const stopWord = (v: readonly string[]) => `${listText([...v])} stop${v.length === 1 ? "s" : ""}`;

/** Why a quorum with no placement stops: the losses, a frozen split, or cut links. */
function stopsBreak(J: Judging, q: Quorum, after: ReadonlyMap<string, number>, groups: readonly GroupResult[], maj: number): string {
  const { ctx, s, R } = J;
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  const survivors = [...after.values()].reduce((a, c) => a + c, 0);
  const memberSites = [...after].filter(([, c]) => c > 0).map(([x]) => x);
  // members that never vote as designed (derive/reach votingCounts) are not survivors: say so beside the count
  const silent = cutOffVoterSites(ctx, q).filter((x) => R.up(x));
  const voting = silent.length ? ` that can vote (${neverVoteText(q, silent)} as designed: quorum/member-unreachable)` : "";
  if (survivors < maj)
    return `${q.label}: ${J.what} leaves ${survivors} of ${n} members${voting}; majority is ${maj} — writes stop${hostedElsewhere(J, q)}`;
  if (s.partition.length > 0 && !s.cut.length && groups.length > 1)
    return `${q.label}: the partition leaves ${groups.map((g) => `${g.sites.join(",")} ${g.members}`).join(" vs ")} of ${n} members; majority is ${maj} on no side — writes stop`;
  const reachable = (site: string) => memberSites.reduce((a, x) => a + (R.reaches(x, site) ? after.get(x)! : 0), 0);
  const unlinked: string[] = [];
  for (let i = 0; i < memberSites.length; i++)
    for (let j = i + 1; j < memberSites.length; j++)
      if (!ctx.link(memberSites[i], memberSites[j])) unlinked.push(linkName(memberSites[i], memberSites[j]));
  const galera =
    q.kind === "galera" ? "; Galera's primary component needs a majority of nodes that all see each other, and no such set remains" : "";
  return `${q.label}: ${survivors} of ${n} members survive, but no member site reaches ${maj} of them (${memberSites.map((x) => `${x} reaches ${reachable(x)}`).join(", ")}) — writes stop${galera}${unlinked.length ? `; no link is declared for ${unlinked.join(", ")}, and a site reaches another only over a declared link` : ""}`;
}

/**
 * For a cluster up at a site that holds none of its etcd (a control plane hosted at another site),
 * what losing that etcd means: its nodes run on without an API, until the members return or a
 * snapshot is restored. Empty otherwise.
 */
function hostedElsewhere(J: Judging, q: Quorum): string {
  const home = homeSite(J.ctx, q);
  if (home === undefined || !J.R.up(home) || (q.counts.get(home) ?? 0) > 0) return "";
  const name = (q.owner as Cluster).name?.value ?? "?";
  const at = listText([...q.counts.keys()]);
  const gone = [...q.counts.keys()].every((x) => J.R.lost.has(x));
  return `. ${name}'s whole etcd was at ${at}, none at ${home} where its nodes run, so ${name} has no API — nothing can be scaled, rolled out or rescheduled there — until ${gone ? `${at} returns or its etcd is restored from a snapshot onto members it reaches` : "its etcd regains a majority"}`;
}

/** The note on who stops when some member sites do: once when every placement stops the same ones, else per placement. */
function stoppingNote(
  q: Quorum,
  placements: readonly Placement[],
  judged: Placement,
  after: ReadonlyMap<string, number>,
  maj: number,
): string {
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  if (placements.every((p) => p.stops.join() === placements[0].stops.join())) {
    const stopped = placements[0].stops;
    const writing = q.kind === "galera" ? placements[0].voting : placements.map((p) => p.site);
    return `${q.label}: the members in ${listText([...stopped])} (${stopped.reduce((a, x) => a + after.get(x)!, 0)} of ${n}) cannot reach a majority and stop; ${listText([...writing])} keep${writing.length === 1 ? "s" : ""} writing (majority ${maj})`;
  }
  if (q.kind === "galera")
    return `${q.label}: Galera keeps a primary component of ${maj} of ${n} nodes that all see each other — ${placements.map((p) => p.voting.join(" + ")).join(" or ")}; the nodes left out stop (non-primary), and which side that is is not determined (judged with ${listText([...judged.stops])} left out); membership may churn while the cut lasts (evs.suspect_timeout, evs.auto_evict)`;
  const who = relaysThroughFollowers(q) ? "leader (CockroachDB: each range's leaseholder)" : "leader";
  const raft =
    q.kind === "etcd"
      ? "Raft with PreVote and CheckQuorum (etcd ≥ 3.5's defaults) keeps a live leader where it is; without them leadership may flap"
      : "Raft with PreVote and CheckQuorum keeps a live leader where it is, and it does not move to the best-connected site";
  return `${q.label}: where the ${who} is when the links go decides who stops — ${placements
    .map((p) => `leader in ${p.site}: ${p.stops.length ? stopWord(p.stops) : "every member votes"}`)
    .join("; ")}; ${raft}, so this is judged with the leader in ${judged.site}`;
}

/** Excursions: flapping (etcd), a heartbeat at the RTT, an election margin below 10 × RTT, Galera flow control. */
function judgeExcursion(J: Judging, q: Quorum, after: ReadonlyMap<string, number>): { flapping: boolean; flowControl: boolean } {
  const { ctx, s, R } = J;
  if (!excursion(s)) return { flapping: false, flowControl: false };
  // the largest RTT between member sites that still reach each other, scaled (p99 where declared for the flapping test)
  const voting = (a: string, b: string) => (after.get(a) ?? 0) > 0 && (after.get(b) ?? 0) > 0 && R.reaches(a, b);
  const largest = (which: "typical" | "p99-else-typical") => {
    const l = largestMemberRtt(ctx, q, (a, b) => (voting(a, b) ? scaled(ctx, s, a, b, which)?.value : undefined));
    return l.pair ? { ...scaled(ctx, s, l.pair[0], l.pair[1], which)!, pair: linkName(l.pair[0], l.pair[1]) } : undefined;
  };
  if (q.kind === "etcd") {
    const worst = largest("p99-else-typical");
    if (!worst) return { flapping: false, flowControl: false };
    const { election: el, heartbeat: hb } = etcdTimers(q.owner as Cluster);
    const rttText = `${q.label}: the largest member RTT becomes ${worst.text} (${worst.pair})`;
    // a follower starts an election only after a whole election timeout without a heartbeat: heartbeats every `hb`
    // that each take up to the RTT miss it only when heartbeat + RTT reaches the timeout; below etcd's 10 × RTT it is a risk
    if (hb + worst.value >= el) {
      J.breaks.push(
        `${rttText}; with the ${ms(hb)} heartbeat that is ${ms(hb + worst.value)}, at or above the ${ms(el)} election timeout — followers go a whole election timeout without a heartbeat, start elections and leaders flap`,
      );
      return { flapping: true, flowControl: false };
    }
    if (10 * worst.value > el)
      J.notes.push(
        `${rttText}: the ${ms(el)} election timeout is below etcd's 10 × RTT margin (${ms(10 * worst.value)}) — heartbeats still arrive in time, but a few lost or delayed ones now trigger elections: a risk of leader flapping, not flapping itself`,
      );
    else if (worst.value >= hb)
      J.notes.push(
        `${rttText}, at or above the ${ms(hb)} heartbeat: heartbeats are sent faster than the RTT; etcd recommends 0.5–1.5 × RTT`,
      );
    return { flapping: false, flowControl: false };
  }
  const worst = largest("typical");
  if (q.kind !== "galera" || !worst || worst.value <= ctx.options.galeraMaxRttMs) return { flapping: false, flowControl: false };
  J.breaks.push(
    `${q.label}: Galera across ${worst.text} RTT (${worst.pair}) — each commit waits at least one round trip to the farthest member, and a member that falls behind over the WAN triggers flow control, which pauses writes on every node (above Quorate's threshold quorate.galeraMaxRttMs, ${ms(ctx.options.galeraMaxRttMs)}: a setting, not a Galera number)`,
  );
  return { flapping: false, flowControl: true };
}

/** The best commit latency over the placements: over budget only when no placement commits within it (a break naming the fastest). */
function commitOverBudget(
  J: Judging,
  q: Quorum,
  placements: readonly Placement[],
  best: Placement,
  after: ReadonlyMap<string, number>,
): boolean {
  const { s } = J;
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  const budget = writeBudget(q);
  const commits = placements.map((p) => p.commit).filter((x) => x !== undefined);
  const overBudget = budget !== undefined && commits.length > 0 && Math.min(...commits) > budget;
  if (overBudget) {
    const fastest = best.commit === Math.min(...commits) ? best : placements.find((p) => p.commit === Math.min(...commits))!;
    const voting = fastest.voting.reduce((a, x) => a + after.get(x)!, 0);
    const scaledNote = excursion(s) ? ", RTTs scaled by the excursion" : "";
    J.breaks.push(
      q.kind === "galera"
        ? `${q.label}: the best commit latency is ${ms(fastest.commit!)} (writes from ${fastest.site}: the write-set reaches every node of the primary component, ${voting} of ${n} members, before certification${scaledNote}) — above the ${ms(budget!)} budget`
        : `${q.label}: the best commit latency is ${ms(fastest.commit!)} (leader in ${fastest.site}, ${voting} of ${n} members voting${scaledNote}) — above the ${ms(budget!)} budget`,
    );
  }
  return overBudget;
}

/** The partition's groups holding members, and whether each holds a site that can lead (Galera: a node of a primary component). */
function quorumGroups(J: Judging, q: Quorum, after: ReadonlyMap<string, number>, placements: readonly Placement[]): GroupResult[] {
  const leadSites = new Set(placements.flatMap((p) => (q.kind === "galera" ? p.voting : [p.site])));
  // by the member sites (a few), never by every site of every group: a design of thousands of sites has thousands of quorums
  const byGroup = new Map<number, { at: number; site: string }[]>();
  for (const site of q.counts.keys()) {
    const g = J.R.groupOf(site);
    if (g) byGroup.set(g.group, [...(byGroup.get(g.group) ?? []), { at: g.at, site }]);
  }
  return [...byGroup]
    .sort(([a], [b]) => a - b)
    .map(([, xs]) => {
      const sites = xs.sort((a, b) => a.at - b.at).map((x) => x.site);
      return { sites, members: sites.reduce((a, x) => a + (after.get(x) ?? 0), 0), writes: sites.some((x) => leadSites.has(x)) };
    });
}

/**
 * A federated (per-site) etcd dies with its site by design: lost, not a verdict driver; so does a
 * stretched one that stops when its cluster's site is lost, for the cluster is lost with the site.
 * A cluster that survives its whole etcd (hosted at another site) has lost its API: that stops
 * (derive/siteloss etcdLostWithCluster).
 */
function lostWithCluster(J: Judging, q: Quorum, placements: readonly Placement[]): boolean {
  if (q.kind !== "etcd") return false;
  if (placements.length) return false;
  const home = homeSite(J.ctx, q);
  return etcdLostWithCluster(
    home === undefined ? undefined : J.R.lost.has(home),
    [...q.counts.keys()].every((x) => J.R.lost.has(x)),
  );
}

/** The sites whose writes are judged: each client site and, for a store, each up member site that is not one. */
function writingSites(J: Judging, q: Quorum, after: ReadonlyMap<string, number>, clients: readonly string[]): string[] {
  const members = q.kind === "etcd" ? [] : [...after].filter(([x, c]) => c > 0 && J.R.up(x) && !clients.includes(x)).map(([x]) => x);
  return [...clients, ...members];
}

/** What a write from each writing site waits for at the judged placement (null: it fails). */
function writesFromSites(
  writers: readonly string[],
  judged: Placement | undefined,
  path: (p: Placement, c: string) => WritePath,
): Record<string, number | null> {
  return Object.fromEntries(writers.map((c) => [c, judged ? (path(judged, c).ms ?? null) : null]));
}

/** Each writing site's route at placement `p`, with the follower a relayed write goes through. */
function routesAt(
  writers: readonly string[],
  p: Placement,
  path: (p: Placement, c: string) => WritePath,
): Record<string, { ms: number | null; via: string | null }> {
  return Object.fromEntries(
    writers.map((c) => {
      const r = path(p, c);
      return [c, { ms: r.ms ?? null, via: r.via }];
    }),
  );
}

/** A quorum that takes no writes: no commit, no leader, nothing over budget. */
const NO_WRITES = {
  commitLatencyMs: null,
  leader: null,
  writer: null,
  judgedLeader: null,
  judgedCommitLatencyMs: null,
  overBudget: false,
  flapping: false,
  flowControl: false,
} as const;

/** The placement to pin (`leader`, its commit) and the one clients are judged at (`judgedLeader`, its commit): one per figure. */
function leaderFields(q: Quorum, best: Placement, judged: Placement) {
  return {
    commitLatencyMs: best.commit ?? null,
    // Galera has no leader: every node takes writes, and `writer` is the site whose writes commit fastest
    leader: q.kind !== "galera" ? best.site : null,
    writer: q.kind === "galera" ? best.site : null,
    judgedLeader: q.kind !== "galera" ? judged.site : null,
    judgedCommitLatencyMs: q.kind !== "galera" ? (judged.commit ?? null) : (best.commit ?? null),
  };
}

function judgeQuorum(J: Judging, q: Quorum): QuorumJudgement {
  const { s, R } = J;
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  const maj = majority(n);
  const after = new Map<string, number>();
  // voters that can dial none of the others as designed never vote (derive/reach votingCounts, review M78); the majority stays n's
  for (const [site, c] of votingCounts(J.ctx, q)) after.set(site, R.lost.has(site) ? 0 : Math.max(0, c - (own(s.loseMembers, site) ?? 0)));
  const placements = placementsOf(J, q, after, maj);
  const clients = clientSites(J, q);
  // routes worked out once here (not kept with the judgement, which lives as long as the scenario)
  const path = routesOnce(J, q, after);
  const groups = quorumGroups(J, q, after, placements);
  const byLeader: Record<string, string[]> = {};
  for (const p of placements) byLeader[p.site] = [...p.stops];
  const writers = writingSites(J, q, after, clients);
  const writesFrom = (judged: Placement | undefined) => writesFromSites(writers, judged, path);
  const base = {
    name: q.label,
    kind: q.kind,
    members: Object.fromEntries(q.counts),
    majority: maj,
    writeLatencyBudgetMs: writeBudget(q) ?? null,
    byLeader,
    groups,
    clientSites: [...clients],
    clientsFromMembers: clientSitesOf(J.ctx, q).fromMembers,
  };
  const none = () => ({ ...NO_WRITES, writesFrom: writesFrom(undefined), writesFromBest: writesFrom(undefined), writesByLeader: {} });
  const judgement = (result: QuorumResult, chosen: ReturnType<typeof choosePlacements>): QuorumJudgement => ({
    q,
    result,
    placements,
    ...chosen,
    clients,
    path: (p, c) => writePath(J, q, after, p, c),
  });

  if (lostWithCluster(J, q, placements)) return judgement({ ...base, ...none(), outcome: "lost" }, { best: undefined, judged: undefined });
  if (!placements.length) {
    J.breaks.push(stopsBreak(J, q, after, groups, maj));
    return judgement({ ...base, ...none(), outcome: "stops" }, { best: undefined, judged: undefined });
  }

  const stopped = (p: Placement) => p.stops.reduce((a, x) => a + after.get(x)!, 0);
  // a leader held where the scenario before a withdrawal was judged (review M143): steering does not move it
  const held = q.kind !== "galera" && s.leaders ? placements.find((p) => p.site === own(s.leaders!, q.label)) : undefined;
  const picked = choosePlacements(q, placements, clients, path, stopped);
  const chosen = held ? { ...picked, judged: held } : picked;
  const best = chosen.best!;
  const stopping = placements.some((p) => p.stops.length > 0);
  if (stopping) J.notes.push(stoppingNote(q, placements, chosen.judged!, after, maj));

  const overBudget = commitOverBudget(J, q, placements, best, after) || memberWritesOverBudget(J, q, best, clients, path);
  const judgedWrites = writesFrom(chosen.judged);
  const { flapping, flowControl } = judgeExcursion(J, q, after);
  const outcome: QuorumOutcome = flapping
    ? "flapping"
    : flowControl
      ? "flow-control"
      : overBudget
        ? "over-budget"
        : stopping
          ? "minority-stops"
          : "continues";
  return judgement(
    {
      ...base,
      outcome,
      ...leaderFields(q, best, chosen.judged!),
      overBudget,
      flapping,
      flowControl,
      writesFrom: judgedWrites,
      writesFromBest: chosen.best === chosen.judged ? judgedWrites : writesFrom(chosen.best),
      writesByLeader: Object.fromEntries(placements.map((p) => [p.site, routesAt(writers, p, path)])),
    },
    chosen,
  );
}

const asyncWriters = (ctx: TopologyContext, st: Store) => {
  const out: string[] = [];
  for (const w of st.writers?.items ?? []) if (ctx.topology.siteByName.has(w.value) && !out.includes(w.value)) out.push(w.value);
  return out;
};

/** What the scenario does, in the words of its first sentence: "losing fra and ams", "the scenario". */
function whatOf(s: Scenario): string {
  const parts = [s.lose.length ? `losing ${listText([...s.lose])}` : "", Object.keys(s.loseMembers).length ? "the member losses" : ""];
  return parts.filter(Boolean).join(" with ") || "the scenario";
}

type Quorums = ReadonlyMap<Quorum["owner"], QuorumJudgement>;

/** Every cluster up or lost with its site, and what became of a lost one's control plane; a step per ITEMS_PER_STEP clusters. */
function* judgeClusters(J: Judging, quorums: Quorums): Steps<ClusterResult[]> {
  const { ctx, R } = J;
  const t = ctx.topology;
  const clusters: ClusterResult[] = [];
  const due = every();
  for (const c of t.clusters) {
    if (due()) yield;
    const name = c.name?.value;
    const site = name ? ctx.siteOfCluster(name) : undefined;
    if (!name || !site || t.clusterByName.get(name) !== c) continue;
    const outcome = R.lost.has(site) ? "lost" : "up";
    clusters.push({ name, site, outcome, apiStops: false, controlPlaneAt: [], evictionAfterSeconds: null });
    if (outcome === "up") continue;
    const q = quorums.get(c)?.result;
    const plane = !q
      ? ""
      : q.outcome === "lost"
        ? `; its control plane (etcd, ${Object.entries(q.members)
            .map(([x, k]) => `${k} in ${x}`)
            .join(", ")}) is lost with it: ${lostEtcdWhy(
            Object.keys(q.members).filter((x) => (q.members[x] ?? 0) > 0),
            (x) => R.lost.has(x),
          )}`
        : q.outcome === "stops"
          ? "; its stretched etcd stops too (see above)"
          : `; its ${(q.members[site] ?? 0) > 0 ? "stretched " : ""}etcd keeps a majority on ${listText(q.groups.filter((g) => g.writes).flatMap((g) => g.sites))}, but the cluster it serves is gone — nothing runs under it`;
    J.notes.push(`cluster ${name} is lost with ${site}${plane}`);
  }
  return clusters;
}

/** Async and CRDT stores: writes stop, corrupt or diverge; the lost writers' tail at risk, or past the lag buffer. */
function judgeAsyncStores(J: Judging): StoreResult[] {
  const { ctx, R, breaks, notes } = J;
  const lost = R.lost;
  const stores: StoreResult[] = [];
  for (const st of ctx.topology.stores) {
    const rep = st.replication?.value;
    if ((rep !== "async" && rep !== "crdt") || !st.name) continue;
    const name = st.name.value;
    const writers = asyncWriters(ctx, st);
    const up = writers.filter((w) => !lost.has(w));
    const down = writers.filter((w) => lost.has(w));
    const policy = st.conflictResolution?.value;
    let outcome: StoreOutcome = "continues";
    let atRiskBytes: number | null = null;
    let rpoUnbounded = false;
    let tail = "";
    const overflow: string[] = [];
    const { maxLagSeconds: lag, writeRatePerSecond: rate, writeBytes: size, lagBufferBytes: buffer } = st;
    // every copy gone: no replica holds even the replicated part, so the tail is not what is lost
    const allGone = everyCopyLost(ctx, st, lost);
    // review M147: no lag figure is no loss — the lost writers' unreplicated writes are gone, in an amount nothing declared bounds
    const rpoUnknown = !allGone && down.length > 0 && !lag;
    if (allGone) tail = everyCopyLostText(copySites(ctx, st));
    else if (down.length && !(lag && rate && size)) tail = unboundedTailText(down, lag?.value);
    else if (down.length && lag && rate && size) {
      const need = toNumber(lagBytesNeeded(lag.value, rate.value, size.value));
      const product = `${seconds(lag.value, 3)} × ${count(rate.value)} writes/s × ${count(size.value)} bytes`;
      if (buffer && buffer.value < need) {
        rpoUnbounded = true;
        overflow.push(
          `store ${name}: the unreplicated tail of ${listText(down)} (${product} = ${bytes(need)}) does not fit the lag buffer of ${bytes(buffer.value)}, which holds ${seconds(buffer.value / (rate.value * size.value))} of writes: past that the replica falls out of the stream — it must resync (RPO unbounded until it does), or the primary blocks or fills its disk`,
        );
      } else {
        atRiskBytes = need;
        tail = `up to ${bytes(need)} of acknowledged writes in ${listText(down)} may be lost (${product}; an upper bound, the store's one write rate read as its peak)`;
      }
    }
    if (writers.length && !up.length) {
      outcome = "writes-stop";
      breaks.push(`store ${name}: every writer site (${writers.join(", ")}) is lost — writes stop${tail ? `; ${tail}` : ""}`);
      breaks.push(...overflow);
    } else {
      breaks.push(...overflow);
      const apart: [string, string][] = [];
      for (let i = 0; i < up.length; i++) for (let j = i + 1; j < up.length; j++) if (!R.reaches(up[i], up[j])) apart.push([up[i], up[j]]);
      if (apart.length) {
        outcome = rep === "crdt" || (policy && policy !== "none") ? "diverges" : "corrupts";
        const pairs = apart.map(([a, b]) => `${a} and ${b}`).join("; ");
        if (outcome === "corrupts")
          breaks.push(
            `store ${name}: writers ${pairs} cannot reach each other and both keep accepting writes with no conflict policy — conflicting writes corrupt data`,
          );
        else {
          // converging on heal needs each side's unreplicated writes still in the pipeline: the lag buffer bounds how long
          const holds = buffer && rate && size ? buffer.value / (rate.value * size.value) : undefined;
          notes.push(
            `store ${name}: writers ${pairs} cannot reach each other; both keep accepting writes, exchanged on heal${holds !== undefined ? ` if the cut lasts under ${seconds(holds)} (the ${bytes(buffer!.value)} lag buffer at ${count(rate!.value)} writes/s × ${count(size!.value)} bytes; longer and the writers must resync)` : ""} — where both changed one row${rep === "crdt" ? "" : ` (conflictResolution: ${policy})`}, ${conflictMerge(rep, policy)}`,
          );
        }
      }
      if (tail)
        notes.push(`store ${name}: writes continue on ${listText(up)}, but ${tail}${allGone ? "" : comesBack(down, up, rep, policy)}`);
    }
    // a replica that as designed dials none of its writers never held the log: nothing stale to serve (review M78)
    const never = cutOffReplicaSites(ctx, st);
    for (const r of st.replicas?.items ?? []) {
      if (!R.up(r.value) || up.some((w) => R.reaches(w, r.value))) continue;
      notes.push(
        never.includes(r.value)
          ? `store ${name}: the replica in ${r.value} is cut off from every writer, and as designed never received the log (data/replication-unreachable): it holds no copy it could have streamed, not even a stale one`
          : `store ${name}: the replica in ${r.value} is cut off from every writer and serves stale reads`,
      );
    }
    stores.push({ name, replication: rep, outcome, atRiskBytes, rpoUnbounded, everyCopyLost: allGone, rpoUnknown });
  }
  return stores;
}

/** The lost writers' tail, if they come back with their disks, meets what the others wrote meanwhile (review M147). */
function comesBack(down: readonly string[], up: readonly string[], rep: string, policy: string | undefined): string {
  const one = down.length === 1;
  return `; if ${listText([...down])} ${one ? "comes" : "come"} back with ${one ? "its" : "their"} disks, those writes reach ${listText([...up])} then — where both changed one row${rep === "crdt" ? "" : policy ? ` (conflictResolution: ${policy})` : ""}, ${conflictMerge(rep, policy)}`;
}

/**
 * The lost writers' unreplicated tail where the design lacks a figure to size it (review M147): with
 * maxLagSeconds, that many seconds of their writes (the bytes unknown); without it, an unknown RPO —
 * never nothing, since a lost writer's writes not yet replicated are gone whatever the design declares.
 */
function unboundedTailText(down: readonly string[], lag: number | undefined): string {
  const where = listText([...down]);
  if (lag !== undefined)
    return `up to the last ${seconds(lag, 3)} of acknowledged writes in ${where} may be lost (maxLagSeconds; how many bytes is unknown: declare writeRatePerSecond and writeBytes to size them)`;
  return `the writes ${where} acknowledged and had not yet replicated are lost — how many is unknown: no maxLagSeconds bounds the lag, so the RPO is unknown (declare maxLagSeconds, the lag the store is kept under, to bound it; writeRatePerSecond and writeBytes to size it in bytes)`;
}

/** Why a backend at `site` cannot write to store `d` (undefined when it can), judged at the quorum's judged placement. */
function noWrites(J: Judging, quorums: Quorums, d: Store, site: string): string | undefined {
  const { ctx, R } = J;
  const qj = quorums.get(d);
  const name = d.name?.value;
  if (qj) {
    if (!qj.judged) return `store ${name} has no quorum`;
    if (!qj.path(qj.judged, site).fails) return undefined;
    const safe = qj.placements.filter((p) => !qj.path(p, site).fails);
    if (!safe.length)
      return `no site that can lead store ${name} (${listText(qj.placements.map((p) => p.site))}) is reachable from ${site}`;
    if (qj.result.kind === "galera")
      return `its node in ${site} may be the one left out of store ${name}'s primary component (${qj.placements.map((p) => p.voting.join(" + ")).join(" or ")}: which one is not determined)`;
    return `store ${name}'s leader may be in ${qj.judged.site} when the links go (Raft keeps a live leader where it is) and ${site} does not reach it (with the leader in ${listText(safe.map((p) => p.site))} these writes succeed)`;
  }
  const rep = d.replication?.value;
  if (rep !== "async" && rep !== "crdt") return undefined;
  const writers = asyncWriters(ctx, d);
  if (!writers.length || writers.some((w) => R.reaches(site, w))) return undefined;
  const gone = writers.filter((w) => R.lost.has(w));
  return `store ${name} has no writer ${site} reaches (${gone.length === writers.length ? `${listText(writers)} lost` : writers.map((w) => (R.lost.has(w) ? `${w} lost` : ctx.link(site, w) ? `${w} cut off from ${site}` : `no declared link from ${site} to ${w}`)).join(", ")})`;
}

/** One backend's write to a consensus or Galera store at the judged placement. */
export interface WriteResult {
  readonly store: string;
  /** the leader the write is judged against (Galera: null) */
  readonly leader: string | null;
  /** RTT to the leader (or through `via`) plus the commit; null when an RTT is missing */
  readonly latencyMs: number | null;
  /** the voting member it goes through (CockroachDB's follower proxy; Galera: the node a site without one writes to), else null */
  readonly via: string | null;
  readonly budgetMs: number | null;
}

/** The sentence for a client write above its store's budget (or relayed within it). */
function writeSentence(J: Judging, entry: string, b: BackendResult, qj: QuorumJudgement, w: WriteResult): string {
  const d = `store ${w.store}`;
  const p = qj.judged!;
  const over = w.budgetMs !== null && w.latencyMs !== null && w.latencyMs > w.budgetMs;
  const verdict = w.latencyMs === null ? "" : over ? `, above the ${ms(w.budgetMs!)} budget` : `, within the ${ms(w.budgetMs!)} budget`;
  const who = `${b.cluster} (${b.site})`;
  if (qj.result.kind === "galera") {
    const best = qj.result.commitLatencyMs !== null ? `; the best site to write from commits in ${ms(qj.result.commitLatencyMs)}` : "";
    return `traffic ${entry}: writes from ${who} to ${d} commit in ${ms(w.latencyMs!)}${
      w.via
        ? ` (${ms(J.rtt(b.site, w.via)!)} to the node in ${w.via} and back, plus its commit)`
        : ` (the node in ${b.site} waits one round trip to the farthest node before certifying)`
    }${verdict}${best}`;
  }
  if (w.via)
    return `traffic ${entry}: with ${d}'s leader in ${p.site}${judgedWhere(qj)}, ${who} does not reach it: CockroachDB ≥ 24.1 proxies its writes through a follower in ${w.via} — ${ms(J.rtt(b.site, w.via)!)} + ${ms(J.rtt(w.via, p.site)!)} + the ${ms(p.commit!)} commit = ${ms(w.latencyMs!)}${verdict} (before 24.1, or with the proxy disabled, they fail: up to ${rps(b.loadRps!)} of errors)`;
  // a placement that keeps every writer within the budget, not only this one
  const alternatives = qj.placements.filter((x) =>
    qj.clients.every((c) => {
      const path = qj.path(x, c);
      return !path.fails && path.ms !== undefined && w.budgetMs !== null && path.ms <= w.budgetMs;
    }),
  );
  const where = judgedWhere(qj);
  const fix = !over
    ? ""
    : alternatives.length
      ? `; with the leader in ${listText(alternatives.map((x) => x.site))} every writer is within it${noPin(qj.q) ? ", but nothing keeps it there" : ""}`
      : `; no placement of the leader keeps every writer (${listText([...qj.clients])}) within it`;
  return `traffic ${entry}: writes from ${who} to ${d} go to its leader in ${p.site}${where}: ${ms(J.rtt(b.site, p.site)!)} there and back plus the ${ms(p.commit!)} commit = ${ms(w.latencyMs!)}${verdict}${fix}`;
}

/** Where the leader should be pinned: said when the reported placement keeps every writer within budget and another would not. */
function placementAdvice(J: Judging, name: string, qj: QuorumJudgement) {
  const budget = qj.result.writeLatencyBudgetMs;
  const best = qj.best;
  if (!best || budget === null || qj.judged !== best || qj.result.kind === "galera" || qj.clients.length === 0) return;
  const within = (p: Placement) =>
    qj.clients.every((c) => {
      const w = qj.path(p, c);
      return !w.fails && w.ms !== undefined && w.ms <= budget;
    });
  const others = qj.placements.filter((p) => p !== best && !within(p));
  if (!within(best) || !others.length) return;
  const at = (p: Placement, only?: (c: string) => boolean) =>
    qj.clients
      .filter((c) => !only || only(c))
      .map((c) => `${c} ${ms(qj.path(p, c).ms ?? Number.NaN)}`)
      .join(", ");
  // the engine's own mechanism, as availability names it, whether or not it relays (review M117 nit)
  const engine = (qj.q.owner as Store).engine?.value;
  const by = pinWords(engine);
  const pin = by ? (/^cockroach/i.test(engine ?? "") ? `CockroachDB ${by}` : by) : "pin it there";
  // without a follower relay the pin may cost the entry points a cut (review M117): said with its price
  const price = pinCostOf(J.ctx, qj.q.owner as Store, best.site);
  // the price of pinning at a site none of the writers run at (a witness): it becomes the busiest member
  const cost = qj.clients.includes(best.site)
    ? ""
    : `; at a price: no client of ${name} writes from ${best.site}, yet the leader there then serves every linearizable read and coordinates every write over the WAN, so size it as a full member, not a tie-breaker, and every outage there moves the leadership (writes wait for a new leader)`;
  J.notes.push(
    `store ${name}: keep its leader in ${best.site} (${pin}), the best pin for write latency: writes from ${at(best)}, within the ${ms(budget)} budget; ${others
      .map((p) => `with the leader in ${p.site}: ${at(p, (c) => (qj.path(p, c).ms ?? Infinity) > budget)}`)
      .join("; ")} (a leader moves with restarts and failovers)${cost}${price ? `${cost ? "; and" : "; at a price:"} ${price}` : ""}`,
  );
}

/** A backend's writes to each consensus or Galera store it depends on, at the judged placement. */
function writesOf(quorums: Quorums, deps: readonly Store[], site: string): WriteResult[] {
  const writes: WriteResult[] = [];
  for (const d of deps) {
    const qj = quorums.get(d);
    if (!qj?.judged) continue;
    const path = qj.path(qj.judged, site);
    writes.push({
      store: d.name!.value,
      leader: qj.result.kind === "galera" ? null : qj.judged.site,
      latencyMs: path.ms ?? null,
      via: path.via,
      budgetMs: qj.result.writeLatencyBudgetMs,
    });
  }
  return writes;
}

/** Client writes above the budget (a break: the verdict is degraded), or relayed within it (a note). */
function writeSentences(J: Judging, quorums: Quorums, entry: string, remaining: readonly BackendResult[], deps: readonly Store[]) {
  const relayed: string[] = [];
  for (const b of remaining)
    for (const d of deps) {
      const qj = quorums.get(d);
      const w = b.writes.find((x) => x.store === d.name?.value);
      if (!qj || !w) continue;
      const over = w.latencyMs !== null && w.budgetMs !== null && w.latencyMs > w.budgetMs;
      if (w.budgetMs === null || w.latencyMs === null || (!over && !w.via) || (!over && qj.result.kind === "galera")) continue;
      (over ? J.breaks : relayed).push(writeSentence(J, entry, b, qj, w));
    }
  J.notes.push(...relayed);
}

/** Traffic entries: load by weight over what remains, errors where a backend cannot write, client write latency at the judged placement. */
/**
 * The failover window of a site loss (review M65): until steering stops sending clients to the
 * lost sites, the share it sent them goes unanswered — the loads judged are those after it has.
 * The window is the entry's RTO estimate (availability.md), as `--isolate` uses; anycast's on a
 * whole-site loss is the upstream's (BGP hold time or BFD), since nobody at the site withdraws.
 */
/** How lostShareNote ends its failover-window notes: the loads beside them are judged after failover. */
const JUDGED_AFTER = /; the loads are judged once it (?:has stopped|is withdrawn)$/;

/**
 * A scenario note's failover window without its closing "the loads are judged once it …" (the
 * record's failover drill quotes the window beside the loads after it); undefined for any other note.
 * Beside lostShareNote, which writes them, so the two cannot drift apart.
 */
export function failoverWindowOf(note: string): string | undefined {
  return /^traffic [^:]+: until /.test(note) && JUDGED_AFTER.test(note) ? note.replace(JUDGED_AFTER, "") : undefined;
}

function lostShareNote(
  J: Judging,
  tr: Traffic,
  lb: NonNullable<ReturnType<typeof loadBackends>>,
  sc: ReturnType<typeof loadScenario>,
): void {
  // where the loads are judged not by weight (anycast, geodns, standbys): said first
  catchmentNote(J, tr, sc);
  const { s, R, notes } = J;
  const withdrawn = new Set(s.withdraw ?? []);
  const lostSites = [...new Set(lb.map((b) => b.site).filter((x) => x !== undefined && R.lost.has(x) && !withdrawn.has(x)))] as string[];
  if (!lostSites.length || tr.peakRps === undefined || !tr.name) return;
  // no backend left to steer to: no failover to wait for ("no backend remains" says it)
  // (`sc`: the judged scenario, lost and withdrawn sites down; stranded alike under every shift)
  if (sc.stranded) return;
  // the share each backend had before the loss: only what was already withdrawn is not steered
  const before = loadScenario(tr.peakRps.value, lb, (site) => site !== undefined && withdrawn.has(site));
  if (before.stranded) return;
  let share = 0;
  for (const [i, b] of lb.entries())
    if (b.site !== undefined && lostSites.includes(b.site) && before.up[i]) share += toNumber(loadOf(before, i)!);
  if (share <= 0) return;
  const where = listText(lostSites);
  const steering = tr.steering?.value ?? "steering";
  const lostRps = `the ${rps(share)} ${steering} sends ${lostSites.length > 1 ? "them" : "there"} get no answer (connection timeouts)`;
  const w = rtoEstimate(tr);
  const name = tr.name.value;
  const known = !w ? null : steering !== "anycast" ? w.seconds : (w.siteLossSeconds ?? null);
  const rto = tr.objectives?.rtoSeconds?.value;
  const window: FailoverWindow = {
    entry: name,
    steering,
    sites: lostSites,
    rps: share,
    seconds: known,
    ...(rto !== undefined ? { rtoObjectiveSeconds: rto } : {}),
    ...(known === null ? { unknownBecause: !w ? rtoGapWords(tr) : "no healthCheck.bgpHoldSeconds or bfd is declared" } : {}),
  };
  J.failover.push(window);
  // the declared RTO the window is judged against, where it is over it or cannot be shown to hold (w58)
  const judged = rtoWords(window);
  if (!w)
    notes.push(
      `traffic ${name}: until ${steering} stops sending clients to ${where} — how long is unknown (${rtoGapWords(tr)}${judged ? `; ${judged}` : ""}) — ${lostRps}; the loads are judged once it has stopped`,
    );
  else if (steering === "anycast")
    notes.push(
      `traffic ${name}: until ${where}'s anycast route is withdrawn, ${lostRps} and established connections are reset — ${
        w.siteLossSeconds !== undefined
          ? w.siteLoss
          : `nobody at ${where} withdraws it: the upstream drops it when its BGP session fails, at once if the link goes dark, else after the BGP hold time (90 s as RFC 4271 suggests, 180 s by default on many routers; about 1 s with BFD — declare healthCheck.bgpHoldSeconds or bfd to have it counted)`
      }${judged ? `; ${judged}` : ""}; the loads are judged once it is withdrawn`,
    );
  else
    notes.push(
      `traffic ${name}: until ${steering} stops sending clients to ${where} — within ${seconds(w.seconds, 3)} (${w.terms}; ${w.caveat}${judged ? `; ${judged}` : ""}) — ${lostRps}; the loads are judged once it has stopped`,
    );
}

/**
 * Anycast and geodns after a loss (review M69, derive/loads shiftOf): the lost share moves whole
 * to one surviving site, not by weight; the loads are judged at the site left the least headroom, and
 * the note says so and what each survivor would need. Only standbys left (weight 0, review M82):
 * the note says they take the load.
 */
function catchmentNote(J: Judging, tr: Traffic, sc: ReturnType<typeof loadScenario>): void {
  // every remaining backend a standby (weight 0, review M82): they take the load, equally (math/traffic)
  if (sc.standby && tr.name && tr.peakRps !== undefined) {
    const standbys = tr.backends.filter((_, i) => sc.up[i]).map((b) => b.cluster!.value);
    J.notes.push(
      `traffic ${tr.name.value}: standby backends take the load (weight 0: served only when every weighted backend is lost) — ${
        standbys.length === 1
          ? `${standbys[0]} takes all ${rps(tr.peakRps.value)}`
          : `${listText(standbys)} share the ${rps(tr.peakRps.value)} equally`
      }`,
    );
  }
  if (sc.heir === undefined || !sc.allTotal || !tr.name || tr.peakRps === undefined) return;
  const gone = [...new Set(sc.backends.filter((b, i) => !sc.up[i] && b.site !== undefined).map((b) => b.site!))];
  // the exact share loadOf adds at the heir (math/traffic movedShare), not a float beside it
  const moved = sc.allTotal.n > 0n ? toNumber(movedShare(sc, sc.allTotal)) : 0;
  const how =
    tr.steering?.value === "anycast"
      ? `anycast has no weights: ${listText(gone)}'s clients follow BGP to their next-best origin, typically one neighbour for all of them`
      : `GeoDNS answers ${listText(gone)}'s clients with the region's fallback, not pro rata`;
  const others = backendSitesOf(sc).filter((x) => x !== sc.heir);
  // one surviving site: it takes it all, as by weight — nothing to say
  if (!others.length) return;
  J.notes.push(
    `traffic ${tr.name.value}: ${how} — the ${rps(moved)} judged here all at ${sc.heir}, the surviving site it leaves the least headroom (${listText(others)} may be the one instead: each needs its own share plus ${rps(moved)})`,
  );
}

/** The up backend sites of a load scenario with some weight (a standby is no next origin), in backend order. */
const backendSitesOf = (sc: ReturnType<typeof loadScenario>) => [
  ...new Set(sc.backends.filter((b, i) => sc.up[i] && b.weight > 0 && b.site !== undefined).map((b) => b.site!)),
];

/** Why a traffic entry's failover window is unknown, in a clause. */
const rtoGapWords = (tr: Traffic) =>
  tr.healthCheck ? `${tr.steering?.value ?? "no steering"} with no ttlSeconds` : "no healthCheck is declared";

/** The stores a backend at `site` cannot write to, each with why (noWrites): what its errors come from. */
function failingWrites(J: Judging, quorums: Quorums, deps: readonly Store[], site: string): { d: Store; no: string }[] {
  return deps.flatMap((d) => {
    const no = noWrites(J, quorums, d, site);
    return no ? [{ d, no }] : [];
  });
}

/** "traffic web: fra-prod carries 1,500.5 rps; capacity 1,500 rps — overloaded by 0.5 rps (headroom −0.03%)": the decimals that keep it over its capacity as printed (review M140). */
function overloadSentence(name: string, cluster: string, load: number, cap: number): string {
  const w = loadWords(load, cap);
  return `traffic ${name}: ${cluster} carries ${w.load}; capacity ${w.capacity} — overloaded by ${w.excess} (headroom ${w.share})`;
}

/** "fra-prod 1,500.5 rps of 1,500 rps (overloaded by 0.5 rps)": a backend's load beside its capacity on its side of it (review M140). */
function loadOfCapacity(b: BackendResult): string {
  if (b.capacityRps === null) return rps(b.loadRps!);
  const w = loadWords(b.loadRps!, b.capacityRps);
  return `${w.load} of ${w.capacity}${b.overloaded ? ` (overloaded by ${w.excess})` : ""}`;
}

function* judgeTraffic(J: Judging, quorums: Quorums): Steps<TrafficResult[]> {
  const { ctx, s, R, breaks, notes } = J;
  const t = ctx.topology;
  const withdrawn = new Set(s.withdraw ?? []);
  const traffic: TrafficResult[] = [];
  const advised = new Set<QuorumJudgement>();
  for (const tr of t.traffic) {
    const lb = loadBackends(ctx, tr);
    if (!lb || tr.peakRps === undefined || !tr.name) continue;
    yield;
    const name = tr.name.value;
    const sc = loadScenario(tr.peakRps.value, lb, (site) => site !== undefined && (R.lost.has(site) || withdrawn.has(site)), shiftOf(tr));
    lostShareNote(J, tr, lb, sc);
    const deps = (tr.dependsOn?.items ?? []).map((d) => t.storeByName.get(d.value)).filter((x) => x !== undefined);
    const steering = tr.steering?.value ?? "steering";
    const backends: BackendResult[] = [];
    // an entry may have thousands of backends: a step per ITEMS_PER_STEP of them
    const due = every();
    for (const [i, b] of tr.backends.entries()) {
      if (due()) yield;
      const site = lb[i].site!;
      const cluster = b.cluster!.value;
      const load = sc.up[i] ? toNumber(loadOf(sc, i)!) : null;
      const cap = b.capacityRps?.value ?? null;
      const over = overCapacity(sc, i);
      // a backend carrying 0 rps (a standby while a weighted backend remains) sends no writes: it neither errs nor waits (M82)
      const failing = !load ? [] : failingWrites(J, quorums, deps, site);
      const errors = failing.length > 0;
      if (errors)
        breaks.push(
          `traffic ${name}: ${cluster} (${site}) still gets ${rps(load!)} from ${steering}, but ${failing.map((x) => x.no).join("; ")} — up to ${rps(load!)} of errors (502s; every request counted as a write)`,
        );
      if (over && load !== null) breaks.push(overloadSentence(name, cluster, load, cap!));
      else if (load !== null && cap !== null && load === cap && !errors)
        notes.push(`traffic ${name}: ${cluster} is at capacity (${rps(load)} of ${rps(cap)}): no headroom for retries or autoscaler lag`);
      const writes = load && !errors ? writesOf(quorums, deps, site) : [];
      const overBudget = writes.some((w) => w.latencyMs !== null && w.budgetMs !== null && w.latencyMs > w.budgetMs);
      const known = writes.map((w) => w.latencyMs).filter((x) => x !== null);
      backends.push({
        cluster,
        site,
        loadRps: load,
        capacityRps: cap,
        headroomRps: load !== null && cap !== null ? cap - load : null,
        overloaded: over,
        errors,
        errorRps: errors ? load! : 0,
        ...(errors ? { errorsFrom: failing.map((x) => x.d.name!.value) } : {}),
        writeLatencyMs: known.length ? Math.max(...known) : null,
        overBudget,
        writes,
      });
    }
    const remaining = backends.filter((b) => b.loadRps !== null);
    const errorRps = backends.reduce((a, b) => a + b.errorRps, 0);
    let outcome: TrafficOutcome = "served";
    if (sc.stranded) {
      outcome = "unserved";
      breaks.push(`traffic ${name}: no backend remains for ${rps(tr.peakRps.value)}`);
    } else if (remaining.some((b) => b.errors)) {
      outcome = "errors";
      if (remaining.every((b) => b.errors))
        breaks.push(`traffic ${name}: every remaining backend serves errors — no client's write succeeds (${rps(errorRps)})`);
    } else if (remaining.some((b) => b.overloaded)) outcome = "overloaded";
    traffic.push({ name, outcome, errorRps, backends });

    writeSentences(J, quorums, name, remaining, deps);
    for (const d of deps) {
      const qj = quorums.get(d);
      if (qj && !advised.has(qj)) {
        advised.add(qj);
        placementAdvice(J, d.name!.value, qj);
      }
    }
  }
  return traffic;
}

/**
 * A cluster's API after the scenario: an up cluster whose nodes reach no etcd member that still
 * votes at the judged placement stops (its pods keep running, nothing can be scaled, rolled out
 * or rescheduled, and the control plane on the majority side evicts them); one whose etcd stopped
 * outright is said once more beside its load. Only a partition or a cut separates an up site from
 * a majority that still votes, so the network healing is what ends it.
 */
function* judgeClusterApis(
  J: Judging,
  quorums: Quorums,
  clusters: readonly ClusterResult[],
  traffic: readonly TrafficResult[],
): Steps<ClusterResult[]> {
  // what each cluster serves, in entry and backend order: built once a cluster's API stops, and read for those only
  let byCluster: Map<string, Serving[]> | undefined;
  const servingOf = (name: string) => {
    if (!byCluster) {
      byCluster = new Map();
      for (const t of traffic)
        for (const b of t.backends) {
          if (b.loadRps === null) continue;
          const xs = byCluster.get(b.cluster);
          if (xs) xs.push({ entry: t.name, b });
          else byCluster.set(b.cluster, [{ entry: t.name, b }]);
        }
    }
    return byCluster.get(name) ?? [];
  };
  const out: ClusterResult[] = [];
  const due = every();
  for (const c of clusters) {
    if (due()) yield;
    out.push(clusterApi(J, quorums, c, servingOf));
  }
  return out;
}

/** A backend a cluster serves with, and its entry. */
interface Serving {
  readonly entry: string;
  readonly b: BackendResult;
}

/** One cluster's API after the scenario (judgeClusterApis); `servingOf` its backends that carry load. */
function clusterApi(J: Judging, quorums: Quorums, c: ClusterResult, servingOf: (name: string) => readonly Serving[]): ClusterResult {
  const { ctx } = J;
  if (c.outcome !== "up") return c;
  const qj = quorums.get(ctx.topology.clusterByName.get(c.name)!);
  if (!qj) return c;
  const loadText = (serving: readonly Serving[]) => serving.map(({ entry, b }) => `${rps(b.loadRps!)} from ${entry}`).join(", ");
  if (!qj.judged) {
    const serving = qj.result.outcome === "stops" ? servingOf(c.name) : [];
    const load = loadText(serving);
    const short = serving.filter(({ b }) => b.overloaded);
    if (serving.length)
      J.notes.push(
        `cluster ${c.name} keeps its running pods (${load}) but cannot scale, reschedule or deploy until its etcd regains a majority${short.length ? ` — so it cannot add the capacity it is short of (${short.map(({ b }) => `${rps(b.loadRps!)} of ${rps(b.capacityRps!)}`).join(", ")})` : ""}`,
      );
    return c;
  }
  if (!qj.path(qj.judged, c.site).fails) return c;
  const load = loadText(servingOf(c.name));
  const p = qj.judged;
  // API servers run only where the cluster has control-plane nodes: not beside a witness's etcd-only member (review M111)
  const cp = controlPlaneOf(ctx, qj.q.owner as Cluster).sites;
  const at = p.voting.filter((x) => cp.includes(x));
  const voting = at.filter((x) => J.R.reaches(c.site, x));
  const own = (qj.q.counts.get(c.site) ?? 0) > 0;
  const why =
    qj.judged !== qj.best || qj.placements.some((x) => !qj.path(x, c.site).fails)
      ? `with its etcd leader in ${p.site} (where it may be when the links go) ${own ? `the members at ${c.site} stop, and the API servers stacked on them refuse writes` : remoteStops(J, c.site, cp, p)}`
      : own
        ? `its etcd members at ${c.site} are cut off from the majority (${listText([...p.voting])})`
        : [...qj.q.counts.keys()].some((x) => J.R.reaches(c.site, x))
          ? remoteStops(J, c.site, cp, p)
          : `its nodes at ${c.site} are cut off from its whole control plane (etcd at ${listText([...qj.q.counts.keys()])})`;
  // no member at its own site: every Node of the cluster may be on the cut-off side (review M92)
  const remote = controlPlaneAway(ctx, qj.q.owner as Cluster);
  if (!at.length) {
    // the majority sits only at etcd-only witness members: no API server runs with it, no controller evicts
    J.breaks.push(`cluster ${c.name}: its API stops at ${c.site} — ${why}. ${apiWithoutServers(c, load, p.voting, cp, J.R.lost)}`);
    return { ...c, apiStops: true };
  }
  J.breaks.push(`cluster ${c.name}: its API stops at ${c.site} — ${why}. ${afterApiStops(c, load, at, voting, remote, p.voting)}`);
  return { ...c, apiStops: true, controlPlaneAt: at, evictionAfterSeconds: EVICTION_AFTER_SECONDS };
}

/**
 * Why a cluster's nodes at `site`, with no etcd member there, take no API writes though they reach
 * some member (derive/writes apiWrite): they reach no API server — a witness's etcd-only member
 * runs none — or the API servers they reach stand on members cut off from the leader.
 */
function remoteStops(J: Judging, site: string, cp: readonly string[], p: Placement): string {
  const servers = cp.filter((x) => J.R.reaches(site, x));
  if (servers.length)
    return `the API servers its nodes at ${site} reach (at ${listText(servers)}) stand on etcd members cut off from the majority (${listText([...p.voting])}) and refuse writes`;
  const down = cp.filter((x) => J.R.lost.has(x));
  return `its nodes at ${site} reach none of its API servers (at ${listText([...cp])}${down.length ? `: ${listText(down)} lost` : ""}) — an etcd-only witness member runs none`;
}

/**
 * How the control plane that keeps running elsewhere treats a cut-off site's nodes, by
 * Kubernetes' defaults: said once per output (simulate after its scenarios, the record under
 * Consequences), and each scenario's sentence (`afterApiStops`) says only what it comes to there.
 */
export const POD_EVICTION_NOTE = `Pod eviction, wherever a cluster's API stops at a cut-off site while its control plane runs on elsewhere: that control plane's node controller no longer hears the site's kubelets, so after about ${seconds(NODE_MONITOR_GRACE_SECONDS)} (node-monitor-grace-period; 50 s from Kubernetes 1.32) the nodes are NotReady, and after the default ${seconds(UNREACHABLE_TOLERATION_SECONDS)} unreachable toleration their pods are evicted — one node every ${seconds(SECONDS_PER_EVICTED_NODE)} when the nodes carry per-site zone labels; without them the cut-off nodes, most of the cluster, are a partial disruption, and none are evicted in a cluster of 50 nodes or fewer (one node every 100 s above). When none of the cluster's Nodes stays Ready — a control plane whose hosts are not Nodes of the cluster (hosted: Kamaji, HyperShift, k0smotron; external etcd and API-server hosts) with every Node at the cut-off site — the node controller sees every zone fully disrupted, takes the fault for its own and evicts nothing. The kubelets learn of it only when the network heals, and then stop every evicted pod at once. To ride out a cut, raise the pods' tolerationSeconds for node.kubernetes.io/unreachable above the longest cut, or give the cluster a control plane local to its site.`;

/** The condition on which a control plane wholly away from the cluster's site evicts the pods there: simulate's sentence and the game day's runbook (review M92). */
export const evictsIfStacked = (cluster: string, controlPlaneAt: readonly string[]): string =>
  `if its control-plane hosts at ${listText([...controlPlaneAt])} are Nodes of ${cluster} (kubeadm stacked)`;

/** The other branch: a hosted control plane (no Node of the cluster stays Ready) evicts nothing (review M92). */
export const HOSTED_EVICTS_NOTHING =
  "if none of its Nodes stays Ready (a hosted control plane), the node controller enters full-disruption mode and evicts nothing";

/**
 * The condition the eviction's pace rests on, in the words a cell or a line says it beside a
 * figure ("evicted after about 340 s"), where `POD_EVICTION_NOTE` is not beside it: one phrase for
 * every such place (the reviewer's style note: the record's options cell said it unconditionally).
 */
export const ZONE_LABEL_CONDITION = `one node every ${seconds(SECONDS_PER_EVICTED_NODE)} with per-site zone labels; without them, none in a cluster of 50 nodes or fewer`;

/** How a sentence refers to `POD_EVICTION_NOTE`: an output that shows such a sentence shows the note once. */
export const SEE_POD_EVICTION = 'see "Pod eviction"';

/** Whether a result has a cluster whose pods the control plane elsewhere evicts (`POD_EVICTION_NOTE` applies). */
export const evicts = (r: Result): boolean => r.clusters.some((c) => c.evictionAfterSeconds !== null);

/**
 * What follows when a cluster's nodes lose their API while its etcd keeps a majority elsewhere:
 * the control plane there keeps running its controllers, so the node controller marks the nodes
 * NotReady and evicts their pods (Kubernetes' defaults, conditional on the zone labels: the whole
 * of it in `POD_EVICTION_NOTE`), which the kubelets learn only when they reach it again.
 * `controlPlaneAt` are the control-plane sites in that majority; `majorityAt` all its sites, a
 * witness's etcd-only members included (derive/controlplane, review M111).
 */
export function afterApiStops(
  c: { readonly name: string; readonly site: string },
  load: string,
  controlPlaneAt: readonly string[],
  reachable: readonly string[],
  remote = false,
  majorityAt: readonly string[] = controlPlaneAt,
): string {
  const pods = `its pods at ${c.site} keep running${load ? ` and serving (${load})` : ""}, but nothing can be scaled, rolled out or rescheduled there`;
  const within = reachable.length
    ? ` The API server${reachable.length === 1 ? "" : "s"} at ${listText([...reachable])} ${reachable.length === 1 ? "is" : "are"} still within ${c.site}'s reach: if the control-plane endpoint sends ${c.name}'s nodes there, they keep their API. Otherwise`
    : "";
  // the node controller evicts only while some Node is still Ready: with the whole control plane elsewhere,
  // that holds only where its hosts are Nodes of the cluster (kubeadm stacked), not for a hosted one (review M92)
  const evicted = remote
    ? `${evictsIfStacked(c.name, controlPlaneAt)}, from about ${seconds(EVICTION_AFTER_SECONDS)} into the cut that control plane evicts them: they keep serving while the cut lasts, and the kubelets at ${c.site} stop them all when it heals; ${HOSTED_EVICTS_NOTHING}`
    : `from about ${seconds(EVICTION_AFTER_SECONDS)} into the cut that control plane evicts them: they keep serving while the cut lasts, and the kubelets at ${c.site} stop them all when it heals`;
  // a witness's etcd-only member is in the majority but runs no control plane (review M111)
  const where =
    majorityAt.length === controlPlaneAt.length
      ? `${listText([...controlPlaneAt])}, where its etcd keeps a majority`
      : `${listText([...controlPlaneAt])}, with its etcd's majority (${listText([...majorityAt])}: etcd only at ${listText(majorityAt.filter((x) => !controlPlaneAt.includes(x)))})`;
  return `${c.name}'s control plane keeps running at ${where}.${within} ${within ? pods : `${pods.charAt(0).toUpperCase()}${pods.slice(1)}`}; ${evicted} (${SEE_POD_EVICTION})`;
}

/**
 * A cluster whose etcd keeps its majority only at witness sites' etcd-only members (derive/controlplane): no API server takes writes anywhere.
 * What ends it depends on where its API servers went: cut off, the heal brings them back; lost with
 * their site, nothing heals — an API server must run again against that majority (w85: the sentence
 * said "until the cut heals" after a site loss too).
 */
function apiWithoutServers(
  c: { readonly name: string; readonly site: string },
  load: string,
  majorityAt: readonly string[],
  controlPlane: readonly string[],
  lost: ReadonlySet<string>,
): string {
  const gone = controlPlane.filter((x) => lost.has(x));
  const cutOff = controlPlane.filter((x) => !lost.has(x));
  const majority = listText([...majorityAt]);
  const lostWith = `its API servers at ${listText(gone)} are lost with ${listText(gone)}`;
  const until = !gone.length
    ? "until the cut heals"
    : !cutOff.length
      ? `until an API server runs again (${lostWith}, and no heal brings them back: run new control-plane nodes against the etcd majority at ${majority}, or rebuild ${listText(gone)})`
      : `until the cut heals and its nodes reach the API servers at ${listText(cutOff)} again (${lostWith})`;
  return `Its etcd keeps a majority at ${majority}, where only etcd runs (a witness: no API server), so ${c.name} takes no API writes anywhere. Its pods at ${c.site} keep running${load ? ` and serving (${load})` : ""}, but nothing can be scaled, rolled out or rescheduled ${until}; no controller runs with that majority, so none of them is evicted`;
}

/** Istio remotes whose primary is gone or cut off, Linkerd links whose target is. */
function* judgeMeshes(J: Judging): Steps<MeshResult[]> {
  const { ctx, R, breaks } = J;
  const meshes: MeshResult[] = [];
  const siteOf = (cluster: string) => ctx.siteOfCluster(cluster);
  const due = every();
  for (const c of ctx.topology.clusters) {
    if (due()) yield;
    const me = c.name?.value;
    const mySite = me ? siteOf(me) : undefined;
    if (!me || !mySite || R.lost.has(mySite)) continue;
    const primary = c.istio?.role?.value === "remote" ? c.istio.primary?.value : undefined;
    const ps = primary ? siteOf(primary) : undefined;
    if (primary && ps && !R.reaches(mySite, ps)) {
      meshes.push({ cluster: me, outcome: "control-plane-lost", because: primary });
      breaks.push(
        `cluster ${me}: its Istio primary ${primary} is ${R.lost.has(ps) ? "lost" : "cut off"} — new pods in injected namespaces are refused (the injection webhook is the primary's istiod, and it fails closed): no scale-up, rollout or rescheduling in ${me}; no config pushes or new certificates either, and running workloads keep serving until their certificates expire, within 12–24 h (${ISTIO_CERT_LIFETIME})`,
      );
    }
    for (const l of c.linkerd?.links ?? []) {
      const target = l.cluster?.value;
      const ts = target ? siteOf(target) : undefined;
      if (target && ts && !R.reaches(mySite, ts)) {
        meshes.push({ cluster: me, outcome: "mirror-stale", because: target, mode: l.mode });
        breaks.push(linkerdLinkText(me, target, l.mode, R.lost.has(ts)));
      }
    }
  }
  brokerNotes(J);
  istioEndpointNotes(J);
  return meshes;
}

/**
 * A Linkerd link whose target is lost or cut off, per mode (review M120; linkerd2's service
 * mirror): through a gateway, the probe fails and the mirrors' endpoints go NotReady — calls fail
 * fast; flat and federated (remote discovery, no probe) keep the last endpoints — calls time out.
 */
function linkerdLinkText(me: string, target: string, mode: LinkerdLink["mode"], lost: boolean): string {
  const until = `until ${target} is ${lost ? "back" : "reachable again"}`;
  return mode === "gateway"
    ? `cluster ${me}: its Linkerd link to ${target} (gateway mode) is ${lost ? "lost" : "cut off"} — once the gateway probe fails, ${me}'s mirrors of ${target}'s Services lose their endpoints: calls to them fail fast (no ready endpoint) ${until}, unless a failover or traffic split moves them`
    : `cluster ${me}: its Linkerd link to ${target} (${mode} mode) is ${lost ? "lost" : "cut off"} — ${me} keeps the last endpoints it saw of ${target}'s Services (remote discovery: no probe withdraws them): calls to them go to pods it cannot reach and time out ${until}`;
}

/**
 * Istio multicluster (review M118): every up cluster of a mesh keeps a lost or cut-off member's
 * endpoints in its sidecars' load balancing (ISTIO_KEEPS_ENDPOINTS) — across networks, that
 * member's east-west gateway. Whether a DestinationRule's outlierDetection ejects them the design
 * does not say: a note, in simulate and the record alike (ClusterMesh's analogue, with its
 * declared affinity, is a break: export/remote-endpoints-kept).
 */
function istioEndpointNotes(J: Judging): void {
  const { ctx, R, notes } = J;
  const siteOf = (c: Cluster) => (c.name ? ctx.siteOfCluster(c.name.value) : undefined);
  const net = (c: Cluster) => c.istio?.network?.value ?? c.name?.value;
  for (const [meshId, members] of istioMeshes(ctx))
    for (const x of members) {
      const xs = siteOf(x);
      if (!xs) continue;
      const keepers = members.filter((y) => {
        const ys = siteOf(y);
        // across networks a member without an east-west gateway is reached by no one (istio/network-without-gateway)
        const via = net(x) === net(y) || x.istio?.eastWestGateway?.value === true;
        return ys !== undefined && ys !== xs && R.up(ys) && !R.reaches(ys, xs) && via;
      });
      if (!keepers.length) continue;
      const gone = R.lost.has(xs) ? "lost" : "cut off";
      const where = keepers.some((y) => net(y) !== net(x))
        ? ` (reached through ${x.name!.value}'s east-west gateway, network ${net(x)})`
        : " (its pod addresses: one network)";
      const ys = keepers.map((y) => y.name!.value);
      notes.push(
        `Istio mesh ${meshId}: ${x.name!.value} is ${gone}, yet its endpoints stay in the sidecars of ${listText(ys)}${where} — ${ISTIO_KEEPS_ENDPOINTS}: the calls ${keepers.length === 1 ? "its" : "their"} sidecars balance to ${x.name!.value} fail or wait out the connect timeout (10 s by default) until it is ${gone === "lost" ? "back" : "reachable again"}, unless a DestinationRule sets outlierDetection (which also turns on locality failover) to eject them`,
      );
    }
}

/** Submariner's Broker only exchanges Cluster and Endpoint records (no traffic passes through it): out of reach, nothing stops, but nothing changes either. */
function brokerNotes(J: Judging) {
  const { ctx, R, notes } = J;
  // the Broker may run on a joined cluster or on a management cluster that only hosts it (`mesh: none`)
  const { joined: submariner, brokers } = submarinerSet(ctx);
  if (!submariner.length) return;
  for (const b of brokers) {
    const bs = ctx.siteOfCluster(b.name!.value);
    if (!bs) continue;
    const away = submariner
      .map((c) => ({ name: c.name!.value, site: ctx.siteOfCluster(c.name!.value) }))
      .filter((c) => c.name !== b.name!.value && c.site && !R.lost.has(c.site) && !R.reaches(c.site, bs))
      .map((c) => c.name);
    if (!away.length) continue;
    notes.push(
      `the Submariner Broker on ${b.name!.value} is ${R.lost.has(bs) ? "lost" : `cut off from ${listText(away)}`}: for ${listText(away)} the tunnels already up and the Services already exported keep working (the Broker only exchanges Cluster and Endpoint records), but a gateway failover, a changed endpoint or a new export is not propagated until it returns`,
    );
  }
}

/** Exports: the exporting clusters still up, per group, and the clusters left with no reachable endpoint. */
function* judgeExports(J: Judging, clusters: readonly ClusterResult[]): Steps<ExportResult[]> {
  const { ctx, s, R, notes } = J;
  const siteOf = (cluster: string) => ctx.siteOfCluster(cluster);
  const exports: ExportResult[] = [];
  // each export looks at every cluster (who reaches no exporter): a step per export
  for (const e of ctx.topology.exports) {
    yield;
    if (!e.service || !e.namespace) continue;
    const id = `${e.namespace.value}/${e.service.value}`;
    const servedBy = (e.clusters?.items ?? []).map((c) => c.value).filter((c) => siteOf(c) !== undefined && !R.lost.has(siteOf(c)!));
    const groups = R.groups.map((g) => ({ sites: g, servedBy: servedBy.filter((c) => g.includes(siteOf(c)!)) }));
    const affinity = exportAffinity(e);
    const stale = staleCalls(J, e, id, affinity);
    exports.push({ service: e.service.value, namespace: e.namespace.value, servedBy, groups, affinity, stale });
    if (!servedBy.length) continue;
    // clusters that reach no exporting cluster (the other side of a partition or a cut link): no endpoint for their clients
    const stranded = new Map<string, string[]>();
    for (const c of clusters)
      if (c.outcome === "up" && !servedBy.some((x) => R.reaches(c.site, siteOf(x)!)))
        stranded.set(c.site, [...(stranded.get(c.site) ?? []), c.name]);
    const heals = s.partition.length ? (s.cut.length ? "network" : "partition") : "link";
    const serving = listText(servedBy.map((c) => `${c} (${siteOf(c)})`));
    for (const [site, names] of stranded)
      notes.push(
        `export ${id}: ${listText(names)} (${site}) reach${names.length === 1 ? "es" : ""} no exporting cluster — calls from there have no reachable endpoint until the ${heals} heals; ${serving} still serve${servedBy.length === 1 ? "s" : ""} it`,
      );
  }
  return exports;
}

/**
 * ClusterMesh: each up exporting cluster whose calls to the global Service still go to another
 * exporting cluster it cannot reach. Cilium keeps a lost or cut-off cluster's endpoints (its
 * remote cache is never revoked by default) and does not health-check them: a break, with the
 * share of the calls (equal replicas per cluster) and the affinity that keeps them local.
 */
function staleCalls(J: Judging, e: Export, id: string, affinity: ExportAffinity): StaleCalls[] {
  const { ctx, R } = J;
  const meshed = meshedExporters(ctx, e);
  const out: StaleCalls[] = [];
  for (const caller of meshed) {
    const site = ctx.siteOfCluster(caller)!;
    if (!R.up(site)) continue;
    const stale = staleShare(meshed, caller, affinity, (c) => !R.reaches(site, ctx.siteOfCluster(c)!));
    if (!stale) continue;
    const { unreachable, pool } = stale;
    out.push({ cluster: caller, site, unreachable, share: stale.share });
    const gone = unreachable.map((c) => `${c} (${R.lost.has(ctx.siteOfCluster(c)!) ? "lost" : "cut off"})`);
    const fix =
      affinity === "remote"
        ? `; its affinity is remote, so its calls go to the remote endpoints while any is listed — \`affinity: local\` (service.cilium.io/affinity: local) keeps them on ${caller}'s own endpoints while it has any`
        : `; annotate the Service \`service.cilium.io/affinity: local\` (\`affinity: local\` on the export) to keep ${caller}'s calls on its own endpoints while it has any`;
    J.breaks.push(
      `export ${id}: ${caller} (${site}) still sends ${shareText(unreachable.length, pool)} of its calls${pool > 1 ? " (with equal replicas per cluster)" : ""} to the endpoints of ${listText(gone)} — ${CILIUM_KEEPS_ENDPOINTS}, so those calls time out until ${listText(unreachable)} ${unreachable.length === 1 ? "is" : "are"} reachable again${fix}`,
    );
  }
  return out;
}

/** M7: after a partial loss, what the quorum still tolerates and which site loss would now stop it. */
function toleranceNotes(J: Judging, quorums: readonly QuorumResult[]) {
  const { s } = J;
  if (!Object.keys(s.loseMembers).length) return;
  for (const q of quorums) {
    if (q.outcome === "stops" || q.outcome === "lost") continue;
    const left = new Map(
      Object.entries(q.members).map(([x, c]) => [x, J.R.lost.has(x) ? 0 : Math.max(0, c - (own(s.loseMembers, x) ?? 0))]),
    );
    const total = [...left.values()].reduce((a, c) => a + c, 0);
    const fatal = [...left]
      .filter(([, c]) => c > 0 && total - c < q.majority)
      .map(([x, c]) => `${x} (${total - c} of ${Object.values(q.members).reduce((a, c) => a + c, 0)} left)`);
    if (!fatal.length) continue;
    J.notes.push(
      `${q.name}: ${total} members left, majority ${q.majority} — it now tolerates ${total - q.majority} more member${total - q.majority === 1 ? "" : "s"}, and losing ${listText(fatal)} next stops writes: it no longer survives every single-site loss`,
    );
  }
}

/** The verdict: down when a quorum stops, a store stops or corrupts, or an entry serves nobody; degraded when anything else breaks. */
function verdictOf(
  quorums: readonly QuorumResult[],
  stores: readonly StoreResult[],
  traffic: readonly TrafficResult[],
  meshes: readonly MeshResult[],
  clusters: readonly ClusterResult[],
  exports: readonly ExportResult[],
): Verdict {
  const down =
    quorums.some((q) => q.outcome === "stops") ||
    stores.some((x) => x.outcome === "writes-stop" || x.outcome === "corrupts") ||
    traffic.some((x) => x.outcome === "unserved" || (x.outcome === "errors" && x.backends.every((b) => b.loadRps === null || b.errors)));
  const degraded =
    quorums.some((q) => q.flapping || q.overBudget || q.flowControl) ||
    stores.some((x) => x.rpoUnbounded) ||
    traffic.some((x) => x.outcome !== "served" || x.backends.some((b) => b.overloaded || b.overBudget)) ||
    meshes.length > 0 ||
    clusters.some((c) => c.apiStops) ||
    exports.some((e) => e.stale.length > 0);
  return down ? "down" : degraded ? "degraded" : "ok";
}

/** Runs one scenario. Names in it must be declared sites (the CLI checks them first). */
export function run(ctx: TopologyContext, s: Scenario): Result {
  return finish(runSteps(ctx, s));
}

/**
 * run, step-wise: it yields after each quorum, each traffic entry and each other stage, so the
 * editor's Simulate click on a large design (hundreds of quorums: a whole run takes a hundred
 * milliseconds and more) lets a keystroke behind it be analysed between two steps.
 */
export function* runSteps(ctx: TopologyContext, s: Scenario): Steps<Result> {
  const R = reachability(ctx, s);
  const J: Judging = {
    ctx,
    s,
    R,
    breaks: [],
    notes: [],
    failover: [],
    what: whatOf(s),
    rtt: (a, b) => scaled(ctx, s, a, b, "typical")?.value,
  };
  const byOwner = new Map<Quorum["owner"], QuorumJudgement>();
  const quorums: QuorumResult[] = [];
  for (const q of ctx.quorums) {
    if (!q.resolved || !q.counts.size) continue;
    yield;
    const j = judgeQuorum(J, q);
    byOwner.set(q.owner, j);
    quorums.push(j.result);
  }
  yield;
  toleranceNotes(J, quorums);
  // a voter that cannot dial the others' pods as designed (quorum/member-unreachable): counted out where it reaches none of them, else every outcome here counts it
  J.notes.push(...unreachableVoteNotes(ctx));
  yield;
  const lostOrUp = yield* judgeClusters(J, byOwner);
  yield;
  const stores = judgeAsyncStores(J);
  yield;
  const traffic = yield* judgeTraffic(J, byOwner);
  yield;
  const clusters = yield* judgeClusterApis(J, byOwner, lostOrUp, traffic);
  yield;
  const meshes = yield* judgeMeshes(J);
  yield;
  const exports = yield* judgeExports(J, clusters);
  yield;
  const verdict = verdictOf(quorums, stores, traffic, meshes, clusters, exports);
  const name = scenarioName(s, [...ctx.topology.siteByName.keys()]);
  return {
    scenario: s,
    name,
    groups: R.groups,
    clusters,
    verdict,
    quorums,
    stores,
    traffic,
    meshes,
    exports,
    breaks: J.breaks,
    notes: J.notes,
    ...(J.failover.length ? { failover: J.failover } : {}),
  };
}

/** What breaks in a result, by entity ("traffic checkout, etcd of cluster fra-prod"). */
const entitiesOfBreaks = (r: Result) => [...new Set(r.breaks.map((b) => b.slice(0, Math.max(0, b.indexOf(": "))) || b))].join(", ");

/** The worse of two verdicts. */
export const worseVerdict = (a: Verdict, b: Verdict): Verdict => (VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b);

/**
 * Who a deep health check withdraws from one entry in an isolation (review M116). A check that
 * writes through the stores the entry depends on fails where its writes fail: at the backends
 * erroring in the window. In the usual case those are the isolated sites' own; where those serve
 * without error (and carry load) while backends elsewhere err — carts' only writer is at fra: in
 * `--isolate fra` fra-prod writes and lon-prod errs — the check passes at the isolated side and
 * fails elsewhere, and steering withdraws those: returned here (empty in the usual case).
 */
export function deepCheckFailsElsewhere(window: Result, entry: string, isolated: readonly string[]): BackendResult[] {
  const t = window.traffic.find((y) => y.name === entry);
  const inside = t?.backends.filter((b) => isolated.includes(b.site)) ?? [];
  if (!t || inside.some((b) => b.errors) || !inside.some((b) => b.loadRps !== null)) return [];
  return t.backends.filter((b) => !isolated.includes(b.site) && b.errors);
}

/**
 * The sites steering withdraws in an isolation's "after": those whose backends a deep health check
 * fails (deepCheckFailsElsewhere). The isolated sites, unless no backend of theirs errs and some
 * elsewhere does — then those elsewhere, and the isolated sites stay in rotation. The one rule
 * simulate's "after", the game day and the record follow (review M116).
 */
export function deepWithdrawn(window: Result, isolated: readonly string[]): string[] {
  const steered = window.traffic.filter((t) => t.backends.some((b) => isolated.includes(b.site)));
  if (steered.some((t) => t.backends.some((b) => isolated.includes(b.site) && b.errors))) return [...isolated];
  const elsewhere = new Set(steered.flatMap((t) => deepCheckFailsElsewhere(window, t.name, isolated).map((b) => b.site)));
  return elsewhere.size ? [...elsewhere] : [...isolated];
}

/**
 * Why a deep check passes at the isolated sites and fails elsewhere, for an entry: "carts' writer is
 * at fra" (the stores it depends on whose declared writers are all there), else what the window shows.
 */
export function deepReason(ctx: TopologyContext, tr: Traffic, isolated: readonly string[], failing: readonly BackendResult[]): string {
  const held = (tr.dependsOn?.items ?? [])
    .map((d) => ctx.topology.storeByName.get(d.value))
    .filter((st) => st?.name && st.writers?.items.length && st.writers.items.every((w) => isolated.includes(w.value)));
  const where = listText(isolated);
  return held.length
    ? held
        .map(
          (st) =>
            `${st!.name!.value}${st!.name!.value.endsWith("s") ? "'" : "'s"} ${st!.writers!.items.length > 1 ? "writers are" : "writer is"} at ${where}`,
        )
        .join(", ")
    : `${listText(failing.map((b) => b.cluster))} cannot write across the cut, ${where} can`;
}

/**
 * The scenario `x` after steering withdraws `sites` as well (the record's withdrawal of an erring
 * backend, review M143): the same cut, with every quorum's leader held where `x` was judged — Raft
 * keeps a live leader where it is, and moving clients does not move it, so the state after is not
 * re-judged at the placement worst for the clients that remain (which may be another).
 */
export function withdrawnFrom(ctx: TopologyContext, x: Result, sites: readonly string[]): Result {
  const leaders: Record<string, string> = {};
  for (const q of x.quorums) if (q.judgedLeader !== null) setOwn(leaders, q.name, q.judgedLeader);
  const withdraw = [...new Set([...(x.scenario.withdraw ?? []), ...sites])];
  return run(ctx, { ...x.scenario, withdraw, ...(Object.keys(leaders).length ? { leaders } : {}) });
}

/**
 * `--isolate X`: X cut off from every other site, judged while steering still sends X its
 * share (the window: detection + TTL) and after steering has withdrawn the backends a deep health
 * check fails (deepWithdrawn: X's, in the usual case; review M116). Several
 * sites (a game day's `--lose a,b`) are each cut off from every other site, the other isolated
 * ones included — as they are when lost: a and b kept talking would be the partition a,b / rest,
 * whose quorums are not those of the loss (M68). The same derivation for prediction and
 * enactment, so they never differ.
 */
export function runIsolate(ctx: TopologyContext, site: string | readonly string[], base: Scenario = ALL_UP): IsolateResult {
  const sites = typeof site === "string" ? [site] : [...site];
  const isolated = listText(sites);
  const cutOff: Scenario = { ...base, partition: sites.map((x) => [x]) };
  const window = run(ctx, cutOff);
  const withdrawn = deepWithdrawn(window, sites);
  const after = withdrawnFrom(ctx, window, withdrawn);
  const notes: string[] = [];
  let windowSeconds: number | null = 0;
  let steered = false;
  for (const tr of ctx.topology.traffic) {
    const lb = loadBackends(ctx, tr);
    if (!lb || !tr.name || !lb.some((b) => b.site !== undefined && sites.includes(b.site))) continue;
    steered = true;
    // where a deep check passes at the isolated sites and fails elsewhere, the window is until steering withdraws those (M116)
    // — when "after" withdraws those: an entry erring at the isolated sites has them withdrawn for every entry
    const failing = withdrawn.join() === sites.join() ? [] : deepCheckFailsElsewhere(window, tr.name.value, sites);
    const where = failing.length ? listText([...new Set(failing.map((b) => b.site))]) : isolated;
    if (failing.length) notes.push(deepInsteadNote(ctx, window, tr, sites, failing));
    // the window is the entry's RTO estimate (availability.md): one derivation for both
    const w = rtoEstimate(tr);
    if (!w) {
      windowSeconds = null;
      notes.push(
        `traffic ${tr.name.value}: ${tr.healthCheck ? `${tr.steering?.value ?? "no steering"} with no ttlSeconds` : "no healthCheck is declared"}, so how long ${tr.steering?.value ?? "steering"} keeps sending clients to ${where} is unknown — declare healthCheck: { intervalSeconds, failureThreshold }${tr.healthCheck && tr.steering?.value !== "anycast" ? " and ttlSeconds" : ""}`,
      );
      continue;
    }
    // an isolated site is still up and still answers: only a check that writes through the stores notices
    const deps = (tr.dependsOn?.items ?? []).map((d) => d.value);
    const deep = deps.length
      ? `a deep health check (one that writes through ${listText(deps)})`
      : "a health check that fails when the site is cut off";
    const upSite = failing.length ? `${where} (up, answering with errors)` : "an isolated site that is still up";
    notes.push(
      tr.steering?.value === "anycast"
        ? `traffic ${tr.name.value}: anycast withdraws ${where}'s route only when ${where}'s own health checker fails — with ${deep} in up to ${seconds(w.seconds, 3)} (${w.terms}); a shallow check keeps passing on ${upSite}, so clients keep reaching it (and getting its errors) until someone withdraws the route`
        : `traffic ${tr.name.value}: with ${deep}, ${tr.steering?.value} stops sending clients to ${where} within ${seconds(w.seconds, 3)} (${w.terms}; ${w.caveat}); a shallow check keeps passing on ${upSite}, so the window lasts until someone withdraws ${where} (then the ${seconds(tr.ttlSeconds?.value ?? 0, 3)} TTL)`,
    );
    if (windowSeconds !== null) windowSeconds = Math.max(windowSeconds, w.seconds);
  }
  if (!steered) notes.push(`No traffic entry has a backend in ${isolated}: nothing to withdraw, one judgement`);
  else {
    // the on-call's choice: withdrawing the other side may be the better response (it holds no writer, say)
    const others =
      withdrawn.join() === sites.join()
        ? [...ctx.topology.siteByName.keys()].filter((x) => !sites.includes(x) && !base.lose.includes(x))
        : sites;
    const instead = withdrawnFrom(ctx, window, others);
    const errorsOf = (r: Result) => r.traffic.reduce((a, t) => a + (t.outcome === "unserved" ? Number.POSITIVE_INFINITY : t.errorRps), 0);
    if (others.length && (VERDICT_RANK[instead.verdict] < VERDICT_RANK[after.verdict] || errorsOf(instead) < errorsOf(after)))
      notes.push(
        `withdrawing ${listText(others)} instead is the better response — ${instead.traffic
          .map(
            (t) =>
              `traffic ${t.name}: ${t.backends
                .filter((b) => b.loadRps !== null)
                .map((b) => `${b.cluster} ${loadOfCapacity(b)}`)
                .join(", ")}, ${t.errorRps ? `${rps(t.errorRps)} of errors` : "no errors"}`,
          )
          .join("; ")} (verdict ${instead.verdict}${instead.verdict === "ok" ? "" : `: ${entitiesOfBreaks(instead)}`})`,
      );
  }
  return {
    scenario: { isolate: typeof site === "string" ? site : sites },
    name: `isolate ${sites.join(", ")}`,
    windowSeconds,
    window,
    after,
    withdrawn,
    verdict: worseVerdict(window.verdict, after.verdict),
    notes,
  };
}

/**
 * An isolation's note where a deep check withdraws another side's backends (review M116): "traffic
 * checkout: a deep health check withdraws lon-prod, not fra: carts' writer is at fra — …", and what a
 * shallow check leaves (errors until an operator withdraws them by hand).
 */
function deepInsteadNote(
  ctx: TopologyContext,
  window: Result,
  tr: Traffic,
  isolated: readonly string[],
  failing: readonly BackendResult[],
): string {
  const them = listText(failing.map((b) => b.cluster));
  const where = listText(isolated);
  const deps = (tr.dependsOn?.items ?? []).map((d) => d.value);
  const errs = rps(failing.reduce((a, b) => a + b.errorRps, 0));
  const one = failing.length === 1;
  const through = deps.length ? ` through ${listText(deps)}` : "";
  // the isolated sites' backends that carry load and write (deepCheckFailsElsewhere: none of them errs)
  const carrying = window.traffic.find((t) => t.name === tr.name!.value)?.backends ?? [];
  const inside = listText(carrying.filter((b) => isolated.includes(b.site) && b.loadRps).map((b) => b.cluster));
  return `traffic ${tr.name!.value}: a deep health check withdraws ${them}, not ${where}: ${deepReason(ctx, tr, isolated, failing)} — ${inside}'s writes${through} work in the cut and ${them}'s fail, so the check passes at ${inside} and fails at ${them}; with a shallow check ${them} ${one ? "keeps" : "keep"} answering ${one ? "its" : "their"} ${errs} with errors until an operator withdraws ${one ? "it" : "them"} by hand`;
}

/** The number of sites past which every two-group split is not enumerated (as the quorum rules). */
export const MAX_PARTITION_SITES = 12;

/** Sweeps: each site lost alone, each pair, every split of the sites into two non-empty groups; never "lose every site". */
export function sweep(ctx: TopologyContext, kind: "single" | "double" | "partitions" | "cuts"): Scenario[] {
  const sites = [...ctx.topology.siteByName.keys()];
  if (kind === "single") return sites.length < 2 ? [] : sites.map((x) => ({ ...ALL_UP, lose: [x] }));
  // one declared link down, the others up: the most frequent WAN failure (one link is far likelier
  // than the two a two-group partition of three sites needs), and the one whose outcome depends on
  // where the leaders sit
  if (kind === "cuts")
    return sites.flatMap((a, i) =>
      sites
        .slice(i + 1)
        .filter((b) => ctx.link(a, b))
        .map((b) => ({ ...ALL_UP, cut: [[a, b] as const] })),
    );
  if (kind === "double")
    return sites.length < 3 ? [] : sites.flatMap((a, i) => sites.slice(i + 1).map((b) => ({ ...ALL_UP, lose: [a, b] })));
  if (sites.length > MAX_PARTITION_SITES)
    throw new RangeError(
      `${sites.length} sites: every two-group partition is listed for at most ${MAX_PARTITION_SITES} sites (${count(2 ** (sites.length - 1) - 1, 0)} splits here)`,
    );
  return twoGroupSplits(sites);
}

/** Every split of `sites` into two non-empty groups, the first site always on the left: 2^(k−1) − 1 of them. */
export function twoGroupSplits(sites: readonly string[]): Scenario[] {
  const out: Scenario[] = [];
  for (let mask = 1; mask < 1 << (sites.length - 1); mask++) {
    const left = [sites[0]];
    const right: string[] = [];
    for (let i = 1; i < sites.length; i++) (mask & (1 << (i - 1)) ? right : left).push(sites[i]);
    out.push({ ...ALL_UP, partition: [left, right] });
  }
  return out;
}

/** How bad a verdict is, for comparing two (the diff). */
export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { ok: 0, degraded: 1, down: 2 };
