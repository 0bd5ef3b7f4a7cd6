/**
 * What-if: the outcome of a failure scenario for every cluster, quorum, async/crdt store,
 * traffic entry, Istio remote, Linkerd link and export of one analysed topology (contract:
 * shared design/whatif.md). Every judgement uses one reachability relation, so partitions and
 * cut links are the same machinery. Pure: no editor, no connection, no Node APIs.
 */
import { lagBytesNeeded } from "../math/lag";
import type { Quorum, TopologyContext } from "../derive/context";
import { galeraCommit, leaderCommit, writeBudget } from "../derive/latency";
import { loadBackends } from "../derive/loads";
import { etcdTimers, largestMemberRtt } from "../derive/timers";
import { majority } from "../math/quorum";
import { toNumber } from "../math/rational";
import { loadOf, overCapacity, scenario as loadScenario } from "../math/traffic";
import type { Cluster, Store, Traffic } from "../model/topology";
import { rtoEstimate } from "../availability/figures";
import { bytes, count, ms, percent, rps, seconds } from "../util/format";
import { own } from "../util/records";
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
  /** where that leader sits; always null for Galera, which has no leader */
  readonly leader: string | null;
  /** Galera: the site whose writes commit fastest (every node takes writes); null for etcd and consensus (see leader) */
  readonly writer: string | null;
  /** the store's writeLatencyBudgetMs (consensus and Galera), else null */
  readonly writeLatencyBudgetMs: number | null;
  readonly overBudget: boolean;
  readonly flapping: boolean;
  readonly flowControl: boolean;
  /** per member site that can lead: the member sites that stop voting if the leader is there */
  readonly byLeader: Record<string, string[]>;
  /** the partition's groups holding members, and whether each holds a site that can lead */
  readonly groups: GroupResult[];
}

export interface StoreResult {
  readonly name: string;
  readonly replication: "async" | "crdt";
  readonly outcome: StoreOutcome;
  /** the unreplicated tail of the lost writer sites (an upper bound); null when nothing is lost, a factor is missing, or the buffer overflows */
  readonly atRiskBytes: number | null;
  /** the tail does not fit `lagBufferBytes`: the replica falls out of the stream */
  readonly rpoUnbounded: boolean;
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
}

export interface ExportGroup {
  /** one group of the partition (every up site without a partition) */
  readonly sites: string[];
  /** the exporting clusters up in that group: the endpoints its clients can be sent to */
  readonly servedBy: string[];
}

export interface ExportResult {
  readonly service: string;
  readonly namespace: string;
  /** the exporting clusters still up, wherever they are */
  readonly servedBy: string[];
  /** per group of the partition (one group without a partition) */
  readonly groups: ExportGroup[];
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
}

/** An isolation as a game day enacts it: the window before steering withdraws the site, and after. */
export interface IsolateResult {
  /** the isolated site (`--isolate X`), or the isolated sites together when several are cut off as one group (a game day's `--lose a,b`) */
  readonly scenario: { readonly isolate: string | readonly string[] };
  readonly name: string;
  /** detection + TTL of the slowest entry with a backend there; null when some entry has no health check (or none sends it traffic: 0) */
  readonly windowSeconds: number | null;
  readonly window: Result;
  readonly after: Result;
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
  groups.forEach((g, i) => {
    for (const x of g) groupIndex.set(x, i);
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

interface QuorumJudgement {
  readonly result: QuorumResult;
  /** sites that can lead (empty when the quorum stops or is lost) */
  readonly leaders: readonly string[];
}

function judgeQuorum(
  ctx: TopologyContext,
  q: Quorum,
  s: Scenario,
  R: Reachability,
  breaks: string[],
  notes: string[],
  what: string,
): QuorumJudgement {
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  const maj = majority(n);
  const after = new Map<string, number>();
  for (const [site, c] of q.counts) after.set(site, R.lost.has(site) ? 0 : Math.max(0, c - (own(s.loseMembers, site) ?? 0)));
  const survivors = [...after.values()].reduce((a, c) => a + c, 0);
  const memberSites = [...after].filter(([, c]) => c > 0).map(([x]) => x);
  // the members a leader at `site` can count on: the up members at the sites that reach it
  const reachable = (site: string) => memberSites.reduce((a, x) => a + (R.reaches(x, site) ? after.get(x)! : 0), 0);
  const leaders = memberSites.filter((x) => reachable(x) >= maj);
  const byLeader: Record<string, string[]> = {};
  for (const l of leaders) byLeader[l] = memberSites.filter((x) => !R.reaches(x, l));
  const groups: GroupResult[] = R.groups
    .map((g) => ({
      sites: g.filter((x) => q.counts.has(x)),
      members: g.reduce((a, x) => a + (after.get(x) ?? 0), 0),
      writes: g.some((x) => leaders.includes(x)),
    }))
    .filter((g) => g.sites.length);
  const base = {
    name: q.label,
    kind: q.kind,
    members: Object.fromEntries(q.counts),
    majority: maj,
    writeLatencyBudgetMs: writeBudget(q) ?? null,
    byLeader,
    groups,
  };
  const none = { commitLatencyMs: null, leader: null, writer: null, overBudget: false, flapping: false, flowControl: false };

  // a federated (per-site) etcd dies with its site by design: lost, not a verdict driver
  if (q.kind === "etcd" && [...q.counts.keys()].every((x) => R.lost.has(x))) {
    return { result: { ...base, ...none, outcome: "lost" }, leaders: [] };
  }
  if (!leaders.length) {
    const frozen = s.partition.length > 0 && !s.cut.length && groups.length > 1;
    if (survivors < maj) breaks.push(`${q.label}: ${what} leaves ${survivors} of ${n} members; majority is ${maj} — writes stop`);
    else if (frozen)
      breaks.push(
        `${q.label}: the partition leaves ${groups.map((g) => `${g.sites.join(",")} ${g.members}`).join(" vs ")} of ${n} members; majority is ${maj} on no side — writes stop`,
      );
    else {
      const unlinked: string[] = [];
      for (let i = 0; i < memberSites.length; i++)
        for (let j = i + 1; j < memberSites.length; j++)
          if (!ctx.link(memberSites[i], memberSites[j])) unlinked.push(linkName(memberSites[i], memberSites[j]));
      breaks.push(
        `${q.label}: ${survivors} of ${n} members survive, but no member site reaches ${maj} of them (${memberSites.map((x) => `${x} reaches ${reachable(x)}`).join(", ")}) — writes stop${unlinked.length ? `; no link is declared for ${unlinked.join(", ")}, and a site reaches another only over a declared link` : ""}`,
      );
    }
    return { result: { ...base, ...none, outcome: "stops" }, leaders: [] };
  }

  const stopping = leaders.some((l) => byLeader[l].length > 0);
  let outcome: QuorumOutcome = stopping ? "minority-stops" : "continues";
  if (stopping) {
    const sets = leaders.map((l) => byLeader[l].join(","));
    if (sets.every((x) => x === sets[0])) {
      const stopped = byLeader[leaders[0]];
      notes.push(
        `${q.label}: the members in ${listText(stopped)} (${stopped.reduce((a, x) => a + after.get(x)!, 0)} of ${n}) cannot reach a majority and stop; ${listText(leaders)} keep${leaders.length === 1 ? "s" : ""} writing (majority ${maj})`,
      );
    } else
      notes.push(
        `${q.label}: leader placement decides who stops — ${leaders
          .map(
            (l) =>
              `leader in ${l}: ${byLeader[l].length ? `${listText(byLeader[l])} stop${byLeader[l].length === 1 ? "s" : ""}` : "every member votes"}`,
          )
          .join("; ")}; Raft with PreVote and CheckQuorum (etcd ≥ 3.5) keeps a live leader where it is; without them leadership may flap`,
      );
  }

  // commit latency over the members that can still vote, from the best site that can lead
  // (Galera: from the best site to write from, its write-set reaching every node of the primary component)
  let best: { site: string; latency: number } | undefined;
  const rtt = (a: string, b: string) => scaled(ctx, s, a, b, "typical")?.value;
  for (const l of leaders) {
    const voters = new Map(memberSites.filter((x) => R.reaches(x, l)).map((x) => [x, after.get(x)!]));
    const latency =
      q.kind === "galera" ? galeraCommit(ctx, q, l, { counts: voters, rtt }) : leaderCommit(ctx, q, l, { counts: voters, rtt, need: maj });
    if (latency !== undefined && (!best || latency < best.latency)) best = { site: l, latency };
  }
  const budget = writeBudget(q);
  const overBudget = best !== undefined && budget !== undefined && best.latency > budget;
  if (overBudget) {
    outcome = "over-budget";
    const voting = memberSites.filter((x) => R.reaches(x, best!.site)).reduce((a, x) => a + after.get(x)!, 0);
    const scaledNote = excursion(s) ? ", RTTs scaled by the excursion" : "";
    breaks.push(
      q.kind === "galera"
        ? `${q.label}: the best commit latency is ${ms(best!.latency)} (writes from ${best!.site}: the write-set reaches every node of the primary component, ${voting} of ${n} members, before certification${scaledNote}) — above the ${ms(budget!)} budget`
        : `${q.label}: the best commit latency is ${ms(best!.latency)} (leader in ${best!.site}, ${voting} of ${n} members voting${scaledNote}) — above the ${ms(budget!)} budget`,
    );
  }

  let flapping = false;
  let flowControl = false;
  if (excursion(s)) {
    // the largest RTT between member sites that still reach each other, scaled (p99 where declared for the flapping test)
    const voting = (a: string, b: string) => (after.get(a) ?? 0) > 0 && (after.get(b) ?? 0) > 0 && R.reaches(a, b);
    const largest = (which: "typical" | "p99-else-typical") => {
      const l = largestMemberRtt(ctx, q, (a, b) => (voting(a, b) ? scaled(ctx, s, a, b, which)?.value : undefined));
      return l.pair ? { ...scaled(ctx, s, l.pair[0], l.pair[1], which)!, pair: linkName(l.pair[0], l.pair[1]) } : undefined;
    };
    const worstP99 = largest("p99-else-typical");
    const worstTypical = largest("typical");
    if (q.kind === "etcd" && worstP99) {
      const { election: el, heartbeat: hb } = etcdTimers(q.owner as Cluster);
      if (10 * worstP99.value > el) {
        flapping = true;
        breaks.push(
          `${q.label}: the largest member RTT becomes ${worstP99.text} (${worstP99.pair}); 10 × that is ${ms(10 * worstP99.value)}, above the ${ms(el)} election timeout — followers miss heartbeats for a whole election timeout, start elections and leaders flap`,
        );
      } else if (worstP99.value >= hb)
        notes.push(
          `${q.label}: the largest member RTT becomes ${worstP99.text} (${worstP99.pair}), at or above the ${ms(hb)} heartbeat: heartbeats are sent faster than the RTT; etcd recommends 0.5–1.5 × RTT`,
        );
    } else if (q.kind === "galera" && worstTypical && worstTypical.value > ctx.options.galeraMaxRttMs) {
      flowControl = true;
      breaks.push(
        `${q.label}: Galera across ${worstTypical.text} RTT (${worstTypical.pair}; limit ${ms(ctx.options.galeraMaxRttMs)}) — flow control stalls every writer`,
      );
    }
  }
  if (flapping) outcome = "flapping";
  else if (flowControl) outcome = "flow-control";
  return {
    result: {
      ...base,
      outcome,
      commitLatencyMs: best ? best.latency : null,
      // Galera has no leader: every node takes writes, and `writer` is the site whose writes commit fastest
      leader: best && q.kind !== "galera" ? best.site : null,
      writer: best && q.kind === "galera" ? best.site : null,
      overBudget,
      flapping,
      flowControl,
    },
    leaders,
  };
}

/** The load view of each traffic entry, once per analysed topology (a sweep runs thousands of scenarios on it). */
const backendCache = new WeakMap<TopologyContext, Map<Traffic, ReturnType<typeof loadBackends>>>();
function backendsOf(ctx: TopologyContext, tr: Traffic) {
  let m = backendCache.get(ctx);
  if (!m) {
    m = new Map();
    backendCache.set(ctx, m);
  }
  if (!m.has(tr)) m.set(tr, loadBackends(ctx, tr));
  return m.get(tr);
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

/** Runs one scenario. Names in it must be declared sites (the CLI checks them first). */
export function run(ctx: TopologyContext, s: Scenario): Result {
  const t = ctx.topology;
  const R = reachability(ctx, s);
  const lost = R.lost;
  const breaks: string[] = [];
  const notes: string[] = [];
  const what = whatOf(s);

  const quorumByOwner = new Map<Quorum["owner"], QuorumJudgement>();
  const quorums = ctx.quorums
    .filter((q) => q.resolved && q.counts.size)
    .map((q) => {
      const j = judgeQuorum(ctx, q, s, R, breaks, notes, what);
      quorumByOwner.set(q.owner, j);
      return j.result;
    });

  const clusters: ClusterResult[] = [];
  for (const c of t.clusters) {
    const name = c.name?.value;
    const site = name ? ctx.siteOfCluster(name) : undefined;
    if (!name || !site || t.clusterByName.get(name) !== c) continue;
    const outcome = lost.has(site) ? "lost" : "up";
    clusters.push({ name, site, outcome });
    if (outcome === "up") continue;
    const q = quorumByOwner.get(c)?.result;
    const plane = !q
      ? ""
      : q.outcome === "lost"
        ? `; its control plane (etcd, ${Object.entries(q.members)
            .map(([x, k]) => `${k} in ${x}`)
            .join(", ")}) is lost with it, as a per-site control plane is by design`
        : q.outcome === "stops"
          ? "; its stretched etcd stops too (see above)"
          : `; its stretched etcd ${q.outcome === "minority-stops" ? "keeps a majority" : "continues"} on ${listText(q.groups.filter((g) => g.writes).flatMap((g) => g.sites))}`;
    notes.push(`cluster ${name} is lost with ${site}${plane}`);
  }

  const stores: StoreResult[] = [];
  for (const st of t.stores) {
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
    if (down.length && lag && rate && size) {
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
        else
          notes.push(
            `store ${name}: writers ${pairs} cannot reach each other; both keep accepting writes, which converge on heal (${rep === "crdt" ? "CRDT merge" : policy})`,
          );
      }
      if (tail) notes.push(`store ${name}: writes continue on ${listText(up)}, but ${tail}`);
    }
    for (const r of st.replicas?.items ?? []) {
      if (!R.up(r.value) || up.some((w) => R.reaches(w, r.value))) continue;
      notes.push(`store ${name}: the replica in ${r.value} is cut off from every writer and serves stale reads`);
    }
    stores.push({ name, replication: rep, outcome, atRiskBytes, rpoUnbounded });
  }

  /** Why a backend at `site` cannot write to store `d`, or undefined when it can. */
  const noWrites = (d: Store, site: string): string | undefined => {
    const qj = quorumByOwner.get(d);
    if (qj) {
      if (qj.result.outcome === "stops" || qj.result.outcome === "lost") return `store ${d.name?.value} has no quorum`;
      if (!qj.leaders.some((l) => R.reaches(site, l)))
        return `no site that can lead store ${d.name?.value} (${listText([...qj.leaders])}) is reachable from ${site}`;
      return undefined;
    }
    const rep = d.replication?.value;
    if (rep !== "async" && rep !== "crdt") return undefined;
    const writers = asyncWriters(ctx, d);
    if (!writers.length || writers.some((w) => R.reaches(site, w))) return undefined;
    const gone = writers.filter((w) => lost.has(w));
    return `store ${d.name?.value} has no writer ${site} reaches (${gone.length === writers.length ? `${listText(writers)} lost` : writers.map((w) => (lost.has(w) ? `${w} lost` : ctx.link(site, w) ? `${w} cut off from ${site}` : `no declared link from ${site} to ${w}`)).join(", ")})`;
  };

  /** Galera: writes from a backend's site commit from the nearest node of the primary component; said where that breaks the budget. */
  const galeraWrites = (entry: string, d: Store, qj: QuorumResult, backends: readonly BackendResult[], budget: number) => {
    const q = ctx.quorums.find((x) => x.owner === d);
    const component = quorumByOwner.get(d)?.leaders ?? [];
    if (!q || !component.length) return;
    const rtt = (a: string, b: string) => scaled(ctx, s, a, b, "typical")?.value;
    // the component's sites are up (lost sites hold no member that votes)
    const members = new Map(component.map((x) => [x, Math.max(0, (q.counts.get(x) ?? 0) - (own(s.loseMembers, x) ?? 0))]));
    for (const b of backends) {
      if (b.errors) continue;
      // a backend writes to its own site's node when there is one (as deployments do), else the fastest node it reaches
      let via: { node: string; hop: number; commit: number } | undefined;
      for (const m of component.includes(b.site) ? [b.site] : component) {
        const hop = m === b.site ? 0 : R.reaches(b.site, m) ? rtt(b.site, m) : undefined;
        const commit = galeraCommit(ctx, q, m, { counts: members, rtt });
        if (hop !== undefined && commit !== undefined && (!via || hop + commit < via.hop + via.commit)) via = { node: m, hop, commit };
      }
      if (!via || via.hop + via.commit <= budget) continue;
      notes.push(
        `traffic ${entry}: writes from ${b.cluster} (${b.site}) to store ${d.name?.value} commit in ${ms(via.hop + via.commit)}${
          via.hop
            ? ` (${ms(via.hop)} to the node in ${via.node} and back, plus its ${ms(via.commit)} commit)`
            : ` (the node in ${b.site} waits one round trip to the farthest node before certifying)`
        }, above the ${ms(budget)} budget; the best site to write from commits in ${ms(qj.commitLatencyMs!)}`,
      );
    }
  };

  const withdrawn = new Set(s.withdraw ?? []);
  const traffic: TrafficResult[] = [];
  for (const tr of t.traffic) {
    const lb = backendsOf(ctx, tr);
    if (!lb || tr.peakRps === undefined || !tr.name) continue;
    const name = tr.name.value;
    const sc = loadScenario(tr.peakRps.value, lb, (site) => site !== undefined && (lost.has(site) || withdrawn.has(site)));
    const deps = (tr.dependsOn?.items ?? []).map((d) => t.storeByName.get(d.value)).filter((x) => x !== undefined);
    const steering = tr.steering?.value ?? "steering";
    const backends: BackendResult[] = tr.backends.map((b, i) => {
      const site = lb[i].site!;
      const cluster = b.cluster!.value;
      const load = sc.up[i] ? toNumber(loadOf(sc, i)!) : null;
      const cap = b.capacityRps?.value ?? null;
      const over = overCapacity(sc, i);
      const why = load === null ? [] : deps.map((d) => noWrites(d, site)).filter((x) => x !== undefined);
      const errors = why.length > 0;
      if (errors)
        breaks.push(
          `traffic ${name}: ${cluster} (${site}) still gets ${rps(load!)} from ${steering}, but ${why.join("; ")} — up to ${rps(load!)} of errors (502s; every request counted as a write)`,
        );
      if (over && load !== null)
        breaks.push(
          `traffic ${name}: ${cluster} carries ${rps(load)}; capacity ${rps(cap!)} — overloaded by ${rps(load - cap!)} (headroom ${percent(cap! - load, cap!)})`,
        );
      else if (load !== null && cap !== null && load === cap && !errors)
        notes.push(`traffic ${name}: ${cluster} is at capacity (${rps(load)} of ${rps(cap)}): no headroom for retries or autoscaler lag`);
      return {
        cluster,
        site,
        loadRps: load,
        capacityRps: cap,
        headroomRps: load !== null && cap !== null ? cap - load : null,
        overloaded: over,
        errors,
        errorRps: errors ? load! : 0,
      };
    });
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

    // writes from a site other than the leader's pay one more RTT: said where it breaks the budget
    for (const d of deps) {
      const qj = quorumByOwner.get(d)?.result;
      const budget = qj?.writeLatencyBudgetMs ?? undefined;
      if (!qj || qj.commitLatencyMs === null || budget === undefined || qj.overBudget) continue;
      if (qj.kind === "galera") {
        galeraWrites(name, d, qj, remaining, budget);
        continue;
      }
      if (qj.leader === null) continue;
      for (const b of remaining) {
        if (b.errors || b.site === qj.leader) continue;
        if (!R.reaches(b.site, qj.leader)) {
          const reached = Object.keys(qj.byLeader).filter((l) => R.reaches(b.site, l));
          notes.push(
            `traffic ${name}: ${b.cluster} (${b.site}) cannot reach store ${d.name?.value}'s leader while it is in ${qj.leader}: its writes fail until leadership is in ${listText(reached)}`,
          );
          continue;
        }
        const extra = scaled(ctx, s, b.site, qj.leader, "typical")?.value;
        if (extra !== undefined && qj.commitLatencyMs + extra > budget)
          notes.push(
            `traffic ${name}: writes from ${b.cluster} (${b.site}) to store ${d.name?.value} go to its leader in ${qj.leader}: ${ms(extra)} there and back plus the ${ms(qj.commitLatencyMs)} commit = ${ms(qj.commitLatencyMs + extra)}, above the ${ms(budget)} budget`,
          );
      }
    }
  }

  const meshes: MeshResult[] = [];
  const siteOf = (cluster: string) => ctx.siteOfCluster(cluster);
  for (const c of t.clusters) {
    const me = c.name?.value;
    const mySite = me ? siteOf(me) : undefined;
    if (!me || !mySite || lost.has(mySite)) continue;
    const primary = c.istio?.role?.value === "remote" ? c.istio.primary?.value : undefined;
    const ps = primary ? siteOf(primary) : undefined;
    if (primary && ps && !R.reaches(mySite, ps)) {
      meshes.push({ cluster: me, outcome: "control-plane-lost", because: primary });
      breaks.push(
        `cluster ${me}: its Istio primary ${primary} is ${lost.has(ps) ? "lost" : "cut off"} — no config pushes, sidecar injection or new certificates; running workloads keep their current certificates until they expire`,
      );
    }
    for (const l of c.linkerd?.links ?? []) {
      const target = l.cluster?.value;
      const ts = target ? siteOf(target) : undefined;
      if (target && ts && !R.reaches(mySite, ts)) {
        meshes.push({ cluster: me, outcome: "mirror-stale", because: target });
        breaks.push(`cluster ${me}: its Linkerd link to ${target} is ${lost.has(ts) ? "lost" : "cut off"} — mirrored Services go stale`);
      }
    }
  }

  const exports: ExportResult[] = [];
  for (const e of t.exports) {
    if (!e.service || !e.namespace) continue;
    const id = `${e.namespace.value}/${e.service.value}`;
    const servedBy = (e.clusters?.items ?? []).map((c) => c.value).filter((c) => siteOf(c) !== undefined && !lost.has(siteOf(c)!));
    const groups = R.groups.map((g) => ({ sites: g, servedBy: servedBy.filter((c) => g.includes(siteOf(c)!)) }));
    exports.push({ service: e.service.value, namespace: e.namespace.value, servedBy, groups });
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

  const down =
    quorums.some((q) => q.outcome === "stops") ||
    stores.some((x) => x.outcome === "writes-stop" || x.outcome === "corrupts") ||
    traffic.some((x) => x.outcome === "unserved" || (x.outcome === "errors" && x.backends.every((b) => b.loadRps === null || b.errors)));
  const degraded =
    quorums.some((q) => q.flapping || q.overBudget || q.flowControl) ||
    stores.some((x) => x.rpoUnbounded) ||
    traffic.some((x) => x.outcome !== "served" || x.backends.some((b) => b.overloaded)) ||
    meshes.length > 0;
  const verdict: Verdict = down ? "down" : degraded ? "degraded" : "ok";
  const name = scenarioName(s, [...t.siteByName.keys()]);
  return { scenario: s, name, groups: R.groups, clusters, verdict, quorums, stores, traffic, meshes, exports, breaks, notes };
}

/** The worse of two verdicts. */
export const worseVerdict = (a: Verdict, b: Verdict): Verdict => (VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b);

/**
 * `--isolate X`: X cut off from every other site, judged while steering still sends X its
 * share (the window: detection + TTL) and after steering has withdrawn X's backends. Several
 * sites are isolated together, as one group that still reaches itself (a game day's
 * `--lose a,b`): the same derivation, so prediction and enactment never differ.
 */
export function runIsolate(ctx: TopologyContext, site: string | readonly string[], base: Scenario = ALL_UP): IsolateResult {
  const sites = typeof site === "string" ? [site] : [...site];
  const where = listText(sites);
  const cutOff: Scenario = { ...base, partition: [sites] };
  const window = run(ctx, cutOff);
  const after = run(ctx, { ...cutOff, withdraw: sites });
  const notes: string[] = [];
  let windowSeconds: number | null = 0;
  for (const tr of ctx.topology.traffic) {
    const lb = backendsOf(ctx, tr);
    if (!lb || !tr.name || !lb.some((b) => b.site !== undefined && sites.includes(b.site))) continue;
    // the window is the entry's RTO estimate (availability.md): one derivation for both
    const w = rtoEstimate(tr);
    if (!w) {
      windowSeconds = null;
      notes.push(
        `traffic ${tr.name.value}: ${tr.healthCheck ? `${tr.steering?.value ?? "no steering"} with no ttlSeconds` : "no healthCheck is declared"}, so how long ${tr.steering?.value ?? "steering"} keeps sending clients to ${where} is unknown — declare healthCheck: { intervalSeconds, failureThreshold }${tr.healthCheck && tr.steering?.value !== "anycast" ? " and ttlSeconds" : ""}`,
      );
      continue;
    }
    notes.push(
      `traffic ${tr.name.value}: ${tr.steering?.value} keeps sending clients to ${where} for up to ${seconds(w.seconds, 3)} (${w.terms}; ${w.caveat})`,
    );
    if (windowSeconds !== null) windowSeconds = Math.max(windowSeconds, w.seconds);
  }
  return {
    scenario: { isolate: typeof site === "string" ? site : sites },
    name: `isolate ${sites.join(", ")}`,
    windowSeconds,
    window,
    after,
    verdict: worseVerdict(window.verdict, after.verdict),
    notes,
  };
}

/** The number of sites past which every two-group split is not enumerated (as the quorum rules). */
export const MAX_PARTITION_SITES = 12;

/** Sweeps: each site lost alone, each pair, every split of the sites into two non-empty groups; never "lose every site". */
export function sweep(ctx: TopologyContext, kind: "single" | "double" | "partitions"): Scenario[] {
  const sites = [...ctx.topology.siteByName.keys()];
  if (kind === "single") return sites.length < 2 ? [] : sites.map((x) => ({ ...ALL_UP, lose: [x] }));
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
