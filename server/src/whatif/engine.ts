/**
 * What-if: the outcome of a failure scenario for every quorum, async/crdt store, traffic entry,
 * Istio remote, Linkerd link and export of one analysed topology (contract: shared
 * design/whatif.md). Pure: no editor, no connection, no Node APIs.
 */
import { lagBytesNeeded } from "../math/lag";
import { majority } from "../math/quorum";
import { format, toNumber } from "../math/rational";
import { loadOf, overCapacity, scenario as loadScenario } from "../math/traffic";
import type { Quorum, TopologyContext } from "../derive/context";
import type { Cluster } from "../model/topology";
import { bestCommit, writeBudget } from "../derive/latency";
import { loadBackends } from "../derive/loads";
import { etcdTimers, largestMemberRtt } from "../derive/timers";
import { ms } from "../util/format";
import { own } from "../util/records";

export interface Scenario {
  readonly lose: string[];
  /** named groups; sites named nowhere (and not lost) form one more group */
  readonly partition: string[][];
  readonly loseMembers: Record<string, number>;
  readonly rttFactor: number | null;
  /** `a-b` (site names, either order) → factor */
  readonly slow: Record<string, number>;
}

export const ALL_UP: Scenario = { lose: [], partition: [], loseMembers: {}, rttFactor: null, slow: {} };

export type QuorumOutcome = "continues" | "minority-stops" | "stops" | "flapping" | "over-budget" | "flow-control";
export type StoreOutcome = "continues" | "writes-stop" | "corrupts" | "diverges";
export type TrafficOutcome = "served" | "overloaded" | "unserved" | "errors";
export type Verdict = "ok" | "degraded" | "down";

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
  readonly groups: GroupResult[];
}

export interface StoreResult {
  readonly name: string;
  readonly replication: "async" | "crdt";
  readonly outcome: StoreOutcome;
  readonly atRiskBytes: number | null;
}

export interface BackendResult {
  readonly cluster: string;
  readonly site: string;
  /** null when the backend is lost */
  readonly loadRps: number | null;
  readonly capacityRps: number | null;
  readonly overloaded: boolean;
  readonly errors: boolean;
}

export interface TrafficResult {
  readonly name: string;
  readonly outcome: TrafficOutcome;
  readonly backends: BackendResult[];
}

export interface MeshResult {
  readonly cluster: string;
  readonly outcome: "control-plane-lost" | "mirror-stale";
  readonly because: string;
}

export interface ExportResult {
  readonly service: string;
  readonly namespace: string;
  readonly servedBy: string[];
}

export interface Result {
  readonly scenario: Scenario;
  /** "all up", "lose fra", "partition fra / lon,ams", … (the diff matches scenarios by it) */
  readonly name: string;
  /** the groups of sites that can still reach each other (one group without a partition); lost sites are in none */
  readonly groups: string[][];
  readonly verdict: Verdict;
  readonly quorums: QuorumResult[];
  readonly stores: StoreResult[];
  readonly traffic: TrafficResult[];
  readonly meshes: MeshResult[];
  readonly exports: ExportResult[];
  readonly breaks: string[];
}

/** The scenario's name: what the text table and the diff show. */
export function scenarioName(s: Scenario): string {
  const parts: string[] = [];
  if (s.lose.length) parts.push(`lose ${s.lose.join(", ")}`);
  if (s.partition.length) parts.push(`partition ${s.partition.map((g) => g.join(",")).join(" / ")}`);
  const lm = Object.entries(s.loseMembers);
  if (lm.length) parts.push(`lose members ${lm.map(([k, v]) => `${k}:${v}`).join(", ")}`);
  if (s.rttFactor !== null) parts.push(`RTT × ${s.rttFactor}`);
  const slow = Object.entries(s.slow);
  if (slow.length) parts.push(`slow ${slow.map(([k, v]) => `${k} × ${v}`).join(", ")}`);
  return parts.length ? parts.join("; ") : "all up";
}

/** The groups that can still talk: named partition groups, then the rest; lost sites belong to none. */
function groupsOf(ctx: TopologyContext, s: Scenario): string[][] {
  const lost = new Set(s.lose);
  const all = [...ctx.topology.siteByName.keys()].filter((x) => !lost.has(x));
  if (!s.partition.length) return [all];
  const named = new Set(s.partition.flat());
  const groups = s.partition.map((g) => g.filter((x) => !lost.has(x))).filter((g) => g.length);
  const rest = all.filter((x) => !named.has(x));
  if (rest.length) groups.push(rest);
  return groups;
}

/** The latency factor the scenario puts on the link a–b (a named slow link, else the global factor). */
export function slowFactor(s: Scenario, a: string, b: string): number | undefined {
  const f = own(s.slow, `${a}-${b}`) ?? own(s.slow, `${b}-${a}`);
  return f ?? s.rttFactor ?? undefined;
}

/** The RTT between two sites under the scenario's excursion: factor × (p99, else typical). */
function scaledRtt(ctx: TopologyContext, s: Scenario, a: string, b: string): number | undefined {
  if (a === b) return 0;
  const f = slowFactor(s, a, b);
  const typical = ctx.rtt(a, b);
  if (f === undefined) return typical;
  const base = ctx.rttP99(a, b) ?? typical;
  return base === undefined ? undefined : f * base;
}

const excursion = (s: Scenario) => s.rttFactor !== null || Object.keys(s.slow).length > 0;

function quorumResult(ctx: TopologyContext, q: Quorum, s: Scenario, groups: string[][], breaks: string[]): QuorumResult {
  const n = [...q.counts.values()].reduce((a, c) => a + c, 0);
  const maj = majority(n);
  const lost = new Set(s.lose);
  const after = new Map<string, number>();
  for (const [site, c] of q.counts) after.set(site, lost.has(site) ? 0 : Math.max(0, c - (own(s.loseMembers, site) ?? 0)));
  const survivors = [...after.values()].reduce((a, c) => a + c, 0);
  const gs: GroupResult[] = groups
    .map((g) => {
      const members = g.reduce((a, x) => a + (after.get(x) ?? 0), 0);
      return { sites: g.filter((x) => q.counts.has(x)), members, writes: members >= maj };
    })
    .filter((g) => g.sites.length);
  const writing = gs.filter((g) => g.writes);
  let outcome: QuorumOutcome;
  const what = [s.lose.length ? `losing ${s.lose.join(" and ")}` : "", Object.keys(s.loseMembers).length ? "the member losses" : ""]
    .filter(Boolean)
    .join(" with ");
  if (!writing.length) {
    outcome = "stops";
    if (gs.length > 1)
      breaks.push(
        `${q.label}: the partition leaves ${gs.map((g) => `${g.sites.join(",")} ${g.members}`).join(" vs ")} of ${n} members; majority is ${maj} on neither side — writes stop`,
      );
    else breaks.push(`${q.label}: ${what || "the scenario"} leaves ${survivors} of ${n} members; majority is ${maj} — writes stop`);
  } else outcome = writing[0].members < survivors ? "minority-stops" : "continues";

  if (outcome !== "stops" && excursion(s)) {
    const rtt = (a: string, b: string) => scaledRtt(ctx, s, a, b);
    const worst = largestMemberRtt(ctx, q, rtt).ms;
    if (q.kind === "etcd") {
      const el = etcdTimers(q.owner as Cluster).election;
      if (10 * worst > el) {
        outcome = "flapping";
        breaks.push(
          `${q.label}: the largest member RTT becomes ${ms(worst)}; 10 × that is ${ms(10 * worst)}, above the ${el} ms election timeout — leaders flap`,
        );
      }
    } else if (q.kind === "consensus") {
      const budget = writeBudget(q);
      const best = bestCommit(ctx, q, { rtt })?.latency;
      if (budget !== undefined && best !== undefined && best > budget) {
        outcome = "over-budget";
        breaks.push(`${q.label}: the best commit latency becomes ${ms(best)}, above the ${budget} ms budget`);
      }
    } else if (worst > ctx.options.galeraMaxRttMs) {
      outcome = "flow-control";
      breaks.push(`${q.label}: Galera across ${ms(worst)} RTT (limit ${ctx.options.galeraMaxRttMs} ms) — flow control stalls every writer`);
    }
  }
  return { name: q.label, kind: q.kind, members: Object.fromEntries(q.counts), majority: maj, outcome, groups: gs };
}

/** Runs one scenario. Names in it must be declared sites (the CLI checks them first). */
export function run(ctx: TopologyContext, s: Scenario): Result {
  const t = ctx.topology;
  const lost = new Set(s.lose);
  const groups = groupsOf(ctx, s);
  const groupIndex = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const site of g) groupIndex.set(site, i);
  });
  const groupOf = (site: string | undefined) => (site === undefined ? -1 : (groupIndex.get(site) ?? -1));
  // the groups in which a quorum takes writes (each of its result groups lies within one group)
  const writingGroups = new Map<QuorumResult, Set<number>>();
  const writesIn = (qr: QuorumResult, g: number) => {
    let set = writingGroups.get(qr);
    if (!set) {
      set = new Set(qr.groups.filter((x) => x.writes).map((x) => groupOf(x.sites[0])));
      writingGroups.set(qr, set);
    }
    return set.has(g);
  };
  const breaks: string[] = [];

  const quorumByOwner = new Map<Quorum["owner"], QuorumResult>();
  const quorums = ctx.quorums
    .filter((q) => q.resolved && q.counts.size)
    .map((q) => {
      const r = quorumResult(ctx, q, s, groups, breaks);
      quorumByOwner.set(q.owner, r);
      return r;
    });

  const stores: StoreResult[] = [];
  for (const st of t.stores) {
    const rep = st.replication?.value;
    if ((rep !== "async" && rep !== "crdt") || !st.name) continue;
    const writers = (st.writers?.items ?? []).map((w) => w.value).filter((w) => t.siteByName.has(w));
    const up = writers.filter((w) => !lost.has(w));
    const writerGroups = new Set(up.map(groupOf));
    const policy = st.conflictResolution?.value;
    let outcome: StoreOutcome = "continues";
    let atRiskBytes: number | null = null;
    if (!up.length && writers.length) {
      outcome = "writes-stop";
      if (rep === "async" && st.maxLagSeconds && st.writeRatePerSecond && st.writeBytes) {
        atRiskBytes = toNumber(lagBytesNeeded(st.maxLagSeconds.value, st.writeRatePerSecond.value, st.writeBytes.value));
      }
      breaks.push(
        `store ${st.name.value}: every writer site (${writers.join(", ")}) is lost — writes stop${atRiskBytes !== null ? `; up to ${atRiskBytes} bytes of unreplicated writes may be lost (${st.maxLagSeconds!.value} s × ${st.writeRatePerSecond!.value}/s × ${st.writeBytes!.value} B)` : ""}`,
      );
    } else if (writerGroups.size > 1) {
      outcome = rep === "crdt" || (policy && policy !== "none") ? "diverges" : "corrupts";
      if (outcome === "corrupts")
        breaks.push(
          `store ${st.name.value}: writers on both sides of the partition (${up.join(", ")}) keep accepting writes with no conflict policy — conflicting writes corrupt data`,
        );
    }
    for (const r of st.replicas?.items ?? []) {
      const g = groupOf(r.value);
      if (g >= 0 && !lost.has(r.value) && !up.some((w) => groupOf(w) === g))
        breaks.push(`store ${st.name.value}: the replica in ${r.value} is cut off from every writer and serves stale reads`);
    }
    stores.push({ name: st.name.value, replication: rep, outcome, atRiskBytes });
  }

  const traffic: TrafficResult[] = [];
  for (const tr of t.traffic) {
    const lb = loadBackends(ctx, tr);
    if (!lb || tr.peakRps === undefined || !tr.name) continue;
    const sc = loadScenario(tr.peakRps.value, lb, (site) => site !== undefined && lost.has(site));
    const deps = (tr.dependsOn?.items ?? []).map((d) => t.storeByName.get(d.value)).filter((x) => x !== undefined);
    const backends: BackendResult[] = tr.backends.map((b, i) => {
      const site = lb[i].site!;
      const load = loadOf(sc, i);
      const over = overCapacity(sc, i);
      let errors = false;
      if (sc.up[i] && groups.length > 1) {
        const g = groupOf(site);
        for (const d of deps) {
          const qr = quorumByOwner.get(d);
          const writes = qr ? writesIn(qr, g) : (d.writers?.items ?? []).some((w) => !lost.has(w.value) && groupOf(w.value) === g);
          if (!writes) {
            errors = true;
            breaks.push(
              `traffic ${tr.name!.value}: backend ${b.cluster!.value} in ${site} still gets clients, but store ${d.name?.value} takes no writes on its side — errors`,
            );
          }
        }
      }
      if (over && load)
        breaks.push(
          `traffic ${tr.name!.value}: ${b.cluster!.value} carries ${format(load)} rps; capacity ${b.capacityRps!.value} — overloaded`,
        );
      return {
        cluster: b.cluster!.value,
        site,
        loadRps: load && sc.up[i] ? Math.round(toNumber(load) * 100) / 100 : null,
        capacityRps: b.capacityRps?.value ?? null,
        overloaded: over,
        errors,
      };
    });
    let outcome: TrafficOutcome = "served";
    if (sc.stranded) {
      outcome = "unserved";
      breaks.push(`traffic ${tr.name.value}: no backend remains for ${tr.peakRps.value} rps`);
    } else if (backends.some((b) => b.overloaded)) outcome = "overloaded";
    else if (backends.some((b) => b.errors)) outcome = "errors";
    traffic.push({ name: tr.name.value, outcome, backends });
  }

  const meshes: MeshResult[] = [];
  const siteOf = (cluster: string) => ctx.siteOfCluster(cluster);
  const cut = (a: string | undefined, b: string | undefined) =>
    a === undefined || b === undefined || lost.has(b) || groupOf(a) !== groupOf(b);
  for (const c of t.clusters) {
    const me = c.name?.value;
    const mySite = me ? siteOf(me) : undefined;
    if (!me || !mySite || lost.has(mySite)) continue;
    const primary = c.istio?.role?.value === "remote" ? c.istio.primary?.value : undefined;
    if (primary && siteOf(primary) && cut(mySite, siteOf(primary))) {
      meshes.push({ cluster: me, outcome: "control-plane-lost", because: primary });
      breaks.push(
        `cluster ${me}: its Istio primary ${primary} is ${lost.has(siteOf(primary)!) ? "lost" : "cut off"} — no config pushes, injection or new certificates`,
      );
    }
    for (const l of c.linkerd?.links ?? []) {
      const target = l.cluster?.value;
      if (target && siteOf(target) && cut(mySite, siteOf(target))) {
        meshes.push({ cluster: me, outcome: "mirror-stale", because: target });
        breaks.push(
          `cluster ${me}: its Linkerd link to ${target} is ${lost.has(siteOf(target)!) ? "lost" : "cut off"} — mirrored Services go stale`,
        );
      }
    }
  }

  const exports: ExportResult[] = t.exports
    .filter((e) => e.service && e.namespace)
    .map((e) => ({
      service: e.service!.value,
      namespace: e.namespace!.value,
      servedBy: (e.clusters?.items ?? []).map((c) => c.value).filter((c) => siteOf(c) !== undefined && !lost.has(siteOf(c)!)),
    }));

  const down =
    quorums.some((q) => q.outcome === "stops") ||
    stores.some((x) => x.outcome === "writes-stop" || x.outcome === "corrupts") ||
    traffic.some((x) => x.outcome === "unserved");
  const degraded =
    quorums.some((q) => q.outcome === "flapping" || q.outcome === "over-budget" || q.outcome === "flow-control") ||
    traffic.some((x) => x.outcome === "overloaded" || x.outcome === "errors") ||
    meshes.length > 0;
  const verdict: Verdict = down ? "down" : degraded ? "degraded" : "ok";
  return { scenario: s, name: scenarioName(s), groups, verdict, quorums, stores, traffic, meshes, exports, breaks };
}

/** The number of sites past which every two-group split is not enumerated (as the quorum rules). */
export const MAX_PARTITION_SITES = 12;

/** Sweeps: each site lost alone, each pair, every split of the sites into two non-empty groups. */
export function sweep(ctx: TopologyContext, kind: "single" | "double" | "partitions"): Scenario[] {
  const sites = [...ctx.topology.siteByName.keys()];
  if (kind === "single") return sites.map((x) => ({ ...ALL_UP, lose: [x] }));
  if (kind === "double") return sites.flatMap((a, i) => sites.slice(i + 1).map((b) => ({ ...ALL_UP, lose: [a, b] })));
  if (sites.length > MAX_PARTITION_SITES)
    throw new RangeError(`${sites.length} sites: every two-group partition is listed for at most ${MAX_PARTITION_SITES} sites`);
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
