/**
 * Game days: the chaos experiments that enact a what-if scenario from inside the clusters, and
 * the runbook that says what the engine predicts, as checks to observe. A site loss is the
 * partition of that site from all the others. Pure: returns file contents; the CLI and the
 * editor write them. Deterministic (stable order, no timestamps) so the output can be reviewed.
 */
import { stringify } from "yaml";
import { canonical, overlaps, parseCidr } from "../math/cidr";
import type { Cluster, Store } from "../model/topology";
import type { Quorum, TopologyContext } from "../derive/context";
import { lagSecondsCovered } from "../math/lag";
import { MINUTES_PER_YEAR, rtoEstimate } from "../availability/figures";
import { budgetShare, count, minutes, rps, rpsFigure } from "../util/format";
// the file a run was written from, as shared text may name it (no path of the machine)
import { displayPath } from "./record";
import { type DeadStoreTimer, deadStoreTimer } from "../derive/engines";
import { fileSegment, shortHash } from "../util/paths";
import { probePlan, probePod, probePods, probeScript } from "./probe";
import { controlPlaneAway, controlPlaneOf } from "../derive/controlplane";
import {
  ALL_UP,
  type BackendResult,
  type Result,
  run,
  runIsolate,
  withdrawnFrom,
  type Scenario,
  scenarioName,
  deepWithdrawn,
  type TrafficOutcome,
  type TrafficResult,
} from "./engine";
import {
  ABORT_MARGIN_SECONDS,
  type DownInput,
  downReasons,
  kubectl,
  nodeRangesOf,
  probeFile,
  runbookOf,
  safeSeconds,
} from "./gameday-runbook";
import { finish, type Steps } from "../util/steps";
import { commentLine } from "../util/terminal";
import { ISTIO_WEBHOOK_TCP, ISTIO_XDS_TCP, LINKERD_GATEWAY_TCP, LINKERD_PROBE_TCP } from "../ports/ports";
import { DNS_LABEL } from "../util/strings";

export type ChaosTool = "chaos-mesh" | "litmus";
export const CHAOS_TOOLS: readonly ChaosTool[] = ["chaos-mesh", "litmus"];

export interface GameDayOptions {
  readonly tool: ChaosTool;
  /** a Go duration as Chaos Mesh takes it: 10m, 90s, 1h30m; absent: derived from the design (the lag bounds the cut runs against) */
  readonly duration?: string;
  /** the workload namespaces to partition; default: the exported Services' namespaces */
  readonly namespaces?: readonly string[];
  /** how the runbook cites the topology file */
  readonly source: string;
  /** the operator's management ranges: never dropped by the host rules */
  readonly managementRanges?: readonly string[];
  /** write a drill the engine predicts takes something down (--accept-down): without it, refused */
  readonly acceptDown?: boolean;
  /** asked as --isolate (the same run as --lose of one site): the runbook is titled by what was asked */
  readonly isolate?: boolean;
}

export interface GameDayFile {
  /** relative to the output folder, `/`-separated */
  readonly path: string;
  readonly content: string;
}

/** What one cluster's manifests do: which namespaces, which ranges they cut. */
export interface ClusterPlan {
  readonly cluster: string;
  readonly site: string;
  readonly namespaces: string[];
  /** every pod, service and node range (or Globalnet global range) of every cluster on the other side */
  readonly targets: string[];
  /**
   * the other side's IPv6 ranges the manifests leave out (review M71): Chaos Mesh's NetworkChaos
   * cuts IPv4 only — chaos-daemon builds IPv4 ipsets, and an IPv6 target fails the pod's whole
   * injection (chaos-mesh#3466) — so these are cut by the host rules or nothing, and said so
   */
  readonly ipv6?: string[];
  readonly file: string;
}

export interface GameDay {
  readonly scenario: Scenario;
  /** the folder the files go in: gameday-partition-fra-vs-lon-ams */
  readonly folder: string;
  readonly name: string;
  /** the sides of the cut: each side's sites */
  readonly sides: string[][];
  readonly plans: ClusterPlan[];
  /** what cannot be enacted from inside the clusters, said plainly */
  readonly notes: string[];
  readonly prediction: Result;
  /** the host-level steps (nftables), applied last and rolled back first */
  readonly hostPlans: HostPlan[];
  readonly files: GameDayFile[];
  /** the run's duration: as given, or derived */
  readonly duration: string;
  /** the tool the manifests are for (Litmus on Cilium becomes Chaos Mesh: see the notes) */
  readonly tool: ChaosTool;
  readonly runbook: string;
}

export class GameDayError extends Error {}

/** What a drill spends of a declared yearly availability budget (objectives.availability). */
export interface BudgetSpend {
  /** "checkout", "store ledger" */
  readonly what: string;
  /** minutes of outage, each minute weighted by the share of requests that fail */
  readonly minutes: number;
  /** (1 − objective) of a year, in minutes */
  readonly budgetMinutes: number;
  /** "down for the whole run (4m)", "20,000 of 40,000 rps in errors for about 90 s" */
  readonly how: string;
  /** the same run when the health check is shallow (an isolated site stays in rotation until withdrawn by hand), when that spends more */
  readonly shallow?: { readonly minutes: number; readonly how: string; readonly terms: string };
}

/**
 * What a runbook plans for withdrawing an isolated site by hand once the health check's detection
 * time has passed without the steering doing it (a shallow check): find the pool or the route,
 * disable the site's members, confirm. The TTL (or BGP convergence) follows it.
 */
export const MANUAL_WITHDRAWAL_SECONDS = 90;

/** The longest run a game day writes: past a working day a cut is an outage to plan as one, not a drill. */
export const MAX_DURATION_SECONDS = 8 * 3600;

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** A Go duration in whole seconds (Litmus takes seconds), rounded up. */
export function durationSeconds(d: string): number {
  if (!GO_DURATION.test(d)) throw new GameDayError(`--duration takes a duration such as 10m, 90s or 1h30m, not '${d}'`);
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  const s = Math.ceil(total - 1e-9);
  if (s < 1) throw new GameDayError(`--duration '${d}' is shorter than a second`);
  if (s > MAX_DURATION_SECONDS)
    throw new GameDayError(
      `--duration '${d}' is longer than ${MAX_DURATION_SECONDS / 3600}h: a cut that long is an outage, not a drill (and every replication-lag bound is long past) — run at most ${MAX_DURATION_SECONDS / 3600}h, or leave --duration out to derive it from the design`,
    );
  return s;
}

/** A DNS-1123 name of at most 63 characters; a long one keeps its start and a short hash of the whole. */
export function resourceName(parts: readonly string[]): string {
  const raw = ["quorate", ...parts]
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (raw.length <= 63) return raw;
  return `${raw.slice(0, 54).replace(/-$/, "")}-${shortHash(raw)}`;
}

/** "lose-fra-ams", "isolate-fra" (asked as --isolate), "partition-fra-vs-lon-ams": the scenario in resource and folder names. */
export function scenarioSlug(s: { lose: readonly string[]; partition: readonly (readonly string[])[] }, isolate?: boolean): string[] {
  if (isolate && s.lose.length === 1) return ["isolate", ...s.lose];
  return s.lose.length ? ["lose", ...s.lose] : ["partition", s.partition.map((g) => g.join("-")).join("-vs-")];
}

/** The scenario as the runbook and the files name it: "isolate fra" when asked as --isolate (what they enact), else the engine's name. */
const enactedName = (s: Scenario, o: GameDayOptions, sites?: readonly string[]) =>
  o.isolate && s.lose.length === 1 ? `isolate ${s.lose[0]}` : scenarioName(s, sites);

/** The ranges other clusters reach `c` at: pods, services and nodes; for a Globalnet cluster its global range and nodes. */
function reachableRanges(c: Cluster, notes: string[]): string[] {
  const canon = (text: string) => {
    const p = parseCidr(text);
    return p ? canonical(p) : undefined;
  };
  if (c.globalnet) {
    const out = c.cidrs.filter((v) => v.field === "nodes").map((v) => canon(v.value));
    const g = c.globalCidr ? canon(c.globalCidr.value) : undefined;
    if (g) out.push(g);
    else
      notes.push(
        `Cluster ${c.name?.value} uses Submariner Globalnet and the design gives no network.globalCidr: other clusters reach its exported Services at global addresses this game day does not cut. Add its global CIDR (subctl join --globalnet-cidr) to the topology.`,
      );
    return out.filter((x): x is string => x !== undefined);
  }
  return c.cidrs.map((v) => canon(v.value)).filter((x): x is string => x !== undefined);
}

/** IPv4 before IPv6, then by address: a stable, reviewable order. */
function sortRanges(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort((a, b) => {
    const pa = parseCidr(a)!;
    const pb = parseCidr(b)!;
    return pa.family - pb.family || (pa.first < pb.first ? -1 : pa.first > pb.first ? 1 : pa.prefix - pb.prefix);
  });
}

/** Namespaces a chaos tool must never select: the control plane, the meshes, the chaos tools themselves. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "istio-system",
  "linkerd",
  "linkerd-multicluster",
  "submariner-operator",
  "cilium",
  "chaos-mesh",
  "litmus",
];

/** The game day refuses to run (exit 1, nothing written): the cut would turn against the cluster it runs in. */
export class GameDayRefusal extends GameDayError {}

/**
 * The game day writes cluster and namespace names into file names, YAML, nftables files and a
 * `/bin/sh` script (probe.sh), and the runbook's commands: the CLI and the editor write it only
 * when every one is a DNS label, which Kubernetes and Cilium demand of them anyway. A cloned
 * design's name that holds a line break (U+0085 ends a line for YAML readers) or a quote would
 * otherwise reach a manifest someone applies, or a script someone runs (dash reads no `$'…'`).
 * The schema checks a ClusterMesh member's name only through mesh/cluster-name (an error
 * finding) and an export's namespace not at all, so this is checked before the game day is
 * made, not assumed. (The engine itself keeps every name inside its folder and its comments
 * single lines whatever it is given: hostile-output.test.ts.)
 */
export function refuseUnsafeNames(ctx: TopologyContext, namespaces: Iterable<string> = []): void {
  const bad = [
    ...ctx.topology.clusters.flatMap((c) =>
      c.name && !DNS_LABEL.test(c.name.value) ? [`cluster name ${JSON.stringify(c.name.value)}`] : [],
    ),
    ...[...new Set([...ctx.topology.exports.flatMap((e) => (e.namespace ? [e.namespace.value] : [])), ...namespaces])]
      .filter((n) => !DNS_LABEL.test(n))
      .map((n) => `namespace ${JSON.stringify(n)}`),
  ];
  if (bad.length)
    throw new GameDayRefusal(
      `refused: ${bad.slice(0, 3).join(", ")}${bad.length > 3 ? ", …" : ""} ${bad.length === 1 ? "is not a DNS label" : "are not DNS labels"} (lowercase letters, digits and '-', at most 63 characters, as Kubernetes and Cilium require): the game day writes ${bad.length === 1 ? "it" : "them"} into manifests, host rule files and probe.sh. Fix the name first (quorate check names it).`,
    );
}

/** The nftables table every host rule file creates; deleting it is the roll-back. */
export const NFT_TABLE = "quorate_gameday";

/** The iptables chain the iptables files create and jump to first from INPUT, OUTPUT and FORWARD. */
export const IPTABLES_CHAIN = "QUORATE-GAMEDAY";

/** The roll-back of the iptables files, for IPv4 and IPv6 (every step tolerates what is already gone). */
export const IPTABLES_ROLLBACK = `for t in iptables ip6tables; do for c in INPUT OUTPUT FORWARD; do $t -D $c -j ${IPTABLES_CHAIN}; done; $t -F ${IPTABLES_CHAIN}; $t -X ${IPTABLES_CHAIN}; done 2>/dev/null; true`;

/** One set of hosts cut at the host: a cluster's nodes (host-network members: etcd, agents, gateways) or a site's declared addresses. */
export interface HostPlan {
  readonly site: string;
  /** "nodes of fra-prod", "hosts at ams (sites[].addresses)" */
  readonly what: string;
  /** the hosts to apply the rules on */
  readonly hosts: string[];
  /** the other side's declared ranges, dropped both ways */
  readonly targets: string[];
  /** the nftables file */
  readonly file: string;
  /** the same rules for hosts without nft, in iptables-restore format: IPv4 and IPv6 (absent when that family has no target) */
  readonly iptables?: string;
  readonly ip6tables?: string;
  /** the cluster whose nodes these are (absent for a site's addresses) */
  readonly cluster?: string;
  /** the clusters from across the cut whose Nodes are among these hosts (review M131): their own pods and ClusterIPs stay theirs */
  readonly nodesOf?: NodesAmong[];
}

/**
 * A cluster whose control-plane nodes are among a site's declared hosts while its own site is on
 * the other side of the cut (review M131): those hosts are Nodes of it (derive/controlplane:
 * kubeadm stacked, its CNI on them as on every node), with pods in its pod range and its
 * ClusterIPs translated on them. A WAN cut leaves a node its own pods and its neighbours' at its
 * site, and a ClusterIP whose backend is there. So the rules on those hosts drop its pod range
 * except the pod CIDRs of its nodes there (read in Pre-flight: a placeholder in the files until
 * then, which nft and iptables-restore refuse), and leave its service range out of the drops:
 * the chains run after kube-proxy's DNAT, so a ClusterIP is judged by the pod it is translated to.
 */
export interface NodesAmong {
  readonly cluster: string;
  /** its pod ranges: still dropped on these hosts, but for its nodes' pod CIDRs here */
  readonly pods: string[];
  /** its service ranges: left out of these hosts' drops */
  readonly services: string[];
  /** the placeholders the files hold for its nodes' pod CIDRs here, per family it has pods in: "@FRA_PROD_PODS4@" */
  readonly placeholder4?: string;
  readonly placeholder6?: string;
}

/** An async store whose replication crosses the cut: its lag grows 1 s per second of it. */
export interface LagPlan {
  readonly store: string;
  /** "fra → lon", "fra ↔ lon" */
  readonly between: string;
  readonly maxLagSeconds?: number;
  readonly bufferBytes?: number;
  readonly rate?: number;
  readonly size?: number;
  /** seconds of writes the lag buffer holds */
  readonly bufferSeconds?: number;
  /** the first of the two: past it the RPO or the stream breaks */
  readonly bound?: number;
}

/**
 * A timer the cut starts where it cuts members off from a majority that keeps working: past it the
 * drill changes what it tests. A consensus store declares the cut-off members dead and
 * re-replicates their data (CockroachDB's server.time_until_store_dead); a cluster's control plane
 * on the majority side evicts the pods of the nodes it no longer hears.
 */
export interface TimerPlan {
  readonly kind: "dead-store";
  /** "store ledger" */
  readonly subject: string;
  /** seconds after the cut began */
  readonly bound: number;
  /** the member sites cut off from the majority */
  readonly cutOff: string[];
  /** the sites that keep the majority and act on the timer */
  readonly majority: string[];
  readonly timer: DeadStoreTimer;
  /** "5 voters: fra 2, lon 2, ams 1": the placement to find again after the heal */
  readonly layout: string;
  /** the replicas of each range: the voters the design declares */
  readonly voters: number;
  /** the nodes the design declares at the majority sites: re-replication needs more of them than a range has replicas */
  readonly nodesAtMajority: number;
}

/** The timers the predicted cut starts: consensus stores whose members on one side keep a majority while others are cut off. */
export function timerPlans(ctx: TopologyContext, p: Result): TimerPlan[] {
  const out: TimerPlan[] = [];
  for (const q of p.quorums) {
    if (q.kind !== "consensus") continue;
    const st = ctx.topology.stores.find((x) => `store ${x.name?.value}` === q.name);
    const timer = deadStoreTimer(st?.engine?.value);
    const writing = q.groups.find((g) => g.writes);
    const cutOff = q.groups.filter((g) => !g.writes && g.members > 0).flatMap((g) => g.sites);
    if (!st || !timer || !writing || !cutOff.length) continue;
    const members = Object.entries(q.members).filter(([, n]) => n > 0);
    const majority = writing.sites.filter((x) => (q.members[x] ?? 0) > 0);
    out.push({
      kind: "dead-store",
      subject: q.name,
      bound: timer.seconds,
      cutOff,
      majority,
      timer,
      layout: `${members.reduce((a, [, n]) => a + n, 0)} voters: ${members.map(([site, n]) => `${site} ${n}`).join(", ")}`,
      voters: members.reduce((a, [, n]) => a + n, 0),
      nodesAtMajority: majority.reduce((a, x) => a + (q.members[x] ?? 0), 0),
    });
  }
  return out;
}

/**
 * A cluster whose nodes the cut separates from its control plane while that control plane keeps
 * its etcd majority elsewhere (the engine's controlPlaneAt, evictionAfterSeconds): its node
 * controller marks the nodes NotReady and evicts their pods, which the kubelets stop on the heal.
 */
export interface EvictionPlan {
  readonly cluster: string;
  /** where its nodes are, cut off */
  readonly site: string;
  /** where its API servers and controllers keep running */
  readonly controlPlaneAt: string[];
  /** seconds after the cut began: the first pods evicted, by Kubernetes' defaults */
  readonly bound: number;
  /** its whole etcd is away from its site (derive/controlplane controlPlaneAway): the eviction follows only if its control-plane hosts are Nodes of it (kubeadm stacked); a hosted control plane evicts nothing (review M92) */
  readonly ifStacked: boolean;
}

/** The evictions the predicted cut starts, from the engine's clusters. */
export function evictionPlans(p: Result, ctx: TopologyContext): EvictionPlan[] {
  return p.clusters.flatMap((c) => {
    if (c.evictionAfterSeconds === null || !c.controlPlaneAt.length) return [];
    const cluster = ctx.topology.clusterByName.get(c.name);
    const q = cluster && ctx.quorumOf(cluster);
    return [
      {
        cluster: c.name,
        site: c.site,
        controlPlaneAt: [...c.controlPlaneAt],
        bound: c.evictionAfterSeconds,
        ifStacked: cluster && q ? controlPlaneAway(ctx, cluster) : false,
      },
    ];
  });
}

/** The default when no store's replication crosses the cut. */
export const DEFAULT_DURATION = "10m";

/** 240 → "4m", 270 → "4m30s", 24 → "24s", 3600 → "1h": the Go duration Chaos Mesh takes. */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}

/** An async store whose replication crosses the cut where no rule can drop it (review M123): not enacted, nothing predicted of its lag. */
export interface UncutLag {
  readonly store: string;
  /** "mad → fra": the pairs the cut does not drop */
  readonly between: string;
  /** the sites of those pairs whose members have no declared range a rule could drop */
  readonly unranged: string[];
}

/**
 * The async stores whose writers and other members sit on different sides of the cut. `unranged`
 * says which ends of a pair have no declared range a rule could drop (none: the pair is cut); a
 * store none of whose crossing pairs is cut is left out and said in `uncut` (review M123).
 */
export function lagPlans(
  ctx: TopologyContext,
  sides: readonly (readonly string[])[],
  unranged: (store: string, a: string, b: string) => string[] = () => [],
  uncut: UncutLag[] = [],
): LagPlan[] {
  const sideOf = (site: string) => sides.findIndex((g) => g.includes(site));
  const out: LagPlan[] = [];
  for (const st of ctx.topology.stores) {
    if (st.replication?.value !== "async" || !st.name) continue;
    const writers = (st.writers?.items ?? []).map((w) => w.value).filter((w) => sideOf(w) >= 0);
    const others = [...writers, ...(st.replicas?.items ?? []).map((w) => w.value)].filter((x) => sideOf(x) >= 0);
    const crossing = writers.flatMap((w) => others.filter((x) => sideOf(x) !== sideOf(w)).map((x) => [w, x] as const));
    const multi = writers.length > 1;
    const betweenOf = (pairs: readonly (readonly [string, string])[]) =>
      [...new Set(pairs.map(([w, x]) => (multi && writers.includes(x) ? [w, x].sort().join(" ↔ ") : `${w} → ${x}`)))].join(", ");
    const open = crossing.filter(([w, x]) => unranged(st.name!.value, w, x).length);
    if (open.length)
      uncut.push({
        store: st.name.value,
        between: betweenOf(open),
        unranged: [...new Set(open.flatMap(([w, x]) => unranged(st.name!.value, w, x)))],
      });
    const cut = crossing.filter((pair) => !open.includes(pair));
    if (!cut.length) continue;
    const between = betweenOf(cut);
    const max = st.maxLagSeconds?.value;
    const [buffer, rate, size] = [st.lagBufferBytes?.value, st.writeRatePerSecond?.value, st.writeBytes?.value];
    const covered = buffer !== undefined && rate && size ? lagSecondsCovered(buffer, rate, size) : undefined;
    const bounds = [max, covered].filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
    out.push({
      store: st.name.value,
      between,
      ...(max !== undefined ? { maxLagSeconds: max } : {}),
      ...(covered !== undefined ? { bufferBytes: buffer, rate, size, bufferSeconds: covered } : {}),
      ...(bounds.length ? { bound: Math.min(...bounds) } : {}),
    });
  }
  return out;
}

/**
 * The ends of an async store's replication between two sites that no rule can drop (review M123,
 * M142): where the store's hosts there are not what any step cuts (storeCutAt) — a site that
 * declares no cluster range and no sites[].addresses, or (M142, variant 2) a store with no
 * namespace in a cluster there, at a site without sites[].addresses: its hosts are undeclared,
 * as a consensus store's members are (enactedQuorumsOf), and its replication runs on.
 */
function lagUnranged(pl: Planning, plans: readonly ClusterPlan[]): (store: string, a: string, b: string) => string[] {
  return (store, a, b) => {
    const st = pl.ctx.topology.stores.find((x) => x.name?.value === store);
    return [a, b].filter((x) => !st || !storeCutAt(pl, plans, st, x));
  };
}

/**
 * Whether the steps drop the traffic of a store's hosts at `site` — the one home of it, for quorums
 * and replication alike (review M142): the site's declared hosts (sites[].addresses, the host rules);
 * its pods there, in a namespace a cluster's chaos manifest selects; or, with `hostNetwork: true`, the
 * nodes of a cluster there whose network.nodes the host rules cover. Otherwise its hosts are not
 * declared and keep talking across the cut.
 */
function storeCutAt(pl: Planning, plans: readonly ClusterPlan[], st: Store, site: string): boolean {
  if (pl.addressesOf(site).length) return true;
  const ns = st.namespace?.value;
  if (ns === undefined) return false;
  if (st.hostNetwork?.value === true)
    return pl.clusters.some((c) => pl.ctx.siteOfCluster(c.name!.value) === site && c.cidrs.some((v) => v.field === "nodes"));
  return plans.some((p) => p.site === site && p.namespaces.includes(ns));
}

/** Whether a site declares a range a rule could drop: a cluster's network range there, or sites[].addresses. */
const rangedSite =
  (ctx: TopologyContext) =>
  (site: string): boolean =>
    ctx.topology.clusters.some((c) => c.name && ctx.siteOfCluster(c.name.value) === site && c.cidrs.length) ||
    !!ctx.topology.siteByName.get(site)?.addresses?.items.length;

/**
 * The stores the steps do not cut (w85, review M123 widened): a quorum Not enacted (its members on
 * undeclared hosts), an async store whose replication no rule can drop, and a store every site of
 * which declares no range at all (nothing of it can be dropped, from either side). What the engine
 * predicts of them is not part of the run.
 */
function storesNotCut(ctx: TopologyContext, unenactedQuorums: readonly string[], uncutStores: readonly string[]): Map<string, string> {
  const ranged = rangedSite(ctx);
  const out = new Map<string, string>();
  for (const st of ctx.topology.stores) {
    const name = st.name?.value;
    if (name === undefined) continue;
    const at = storeSites(st);
    if (unenactedQuorums.includes(`store ${name}`)) out.set(name, `its quorum is Not enacted, above`);
    else if (uncutStores.includes(name)) out.set(name, `its replication is Not enacted, above`);
    else if (at.length && !at.some(ranged))
      out.set(
        name,
        `${listOf(at)} ${at.length === 1 ? "declares" : "declare"} no cluster range and no sites[].addresses, so no rule drops its traffic`,
      );
  }
  return out;
}

/** Every site a store runs at: its members', writers' and replicas'. */
const storeSites = (st: Store): string[] => [
  ...new Set([
    ...(st.members?.entries ?? []).filter((e) => (e.count?.value ?? 0) > 0).map((e) => e.site.value),
    ...(st.writers?.items ?? []).map((w) => w.value),
    ...(st.replicas?.items ?? []).map((w) => w.value),
  ]),
];

/**
 * A judged result as the steps enact it (w85, review M123 widened) — the one home of what is enacted
 * for traffic: a backend's errors come from the stores it cannot write to (the engine's `errorsFrom`);
 * where every one of them is a store the steps do not cut, nothing in the run stops those writes, so
 * the backend serves without them. The verdict and the engine's sentences stay the engine's (the
 * go/no-go splits them by what is enacted); only the backends' flags, the entries' error rps and
 * outcomes change.
 */
export function enactedView(r: Result, notCut: ReadonlyMap<string, string>): Result {
  const spared = (b: BackendResult) => b.errors && (b.errorsFrom ?? []).every((d) => notCut.has(d));
  if (!r.traffic.some((t) => t.backends.some(spared))) return r;
  const traffic = r.traffic.map((t): TrafficResult => {
    if (!t.backends.some(spared)) return t;
    const backends = t.backends.map((b): BackendResult => {
      if (!spared(b)) return b;
      const { errorsFrom: _, ...rest } = b;
      return { ...rest, errors: false, errorRps: 0 };
    });
    const remaining = backends.filter((b) => b.loadRps !== null);
    const outcome: TrafficOutcome =
      t.outcome === "unserved"
        ? "unserved"
        : remaining.some((b) => b.errors)
          ? "errors"
          : remaining.some((b) => b.overloaded)
            ? "overloaded"
            : "served";
    return { ...t, outcome, errorRps: backends.reduce((a, b) => a + b.errorRps, 0), backends };
  });
  return { ...r, traffic };
}

/**
 * The entries some of whose predicted errors the steps do not enact (enactedView), each said once
 * under Not enacted: which backends, from which stores, and that nothing below relies on them.
 * Returns the entries none of whose predicted errors is enacted.
 */
function noteUnenactedEntries(pl: Planning, judged: readonly Result[], notCut: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const name of [...new Set(judged.flatMap((r) => r.traffic.map((t) => t.name)))]) {
    const spared = judged.flatMap((r) =>
      (r.traffic.find((t) => t.name === name)?.backends ?? []).filter((b) => b.errors && (b.errorsFrom ?? []).every((d) => notCut.has(d))),
    );
    if (!spared.length) continue;
    const clusters = [...new Set(spared.map((b) => b.cluster))];
    const stores = [...new Set(spared.flatMap((b) => b.errorsFrom ?? []))];
    const most = Math.max(...spared.map((b) => b.errorRps));
    // every error the engine predicts of the entry spared: none of its errors is part of the run
    const erring = judged.flatMap((r) => (r.traffic.find((t) => t.name === name)?.backends ?? []).filter((b) => b.errors));
    if (erring.length === spared.length) out.push(name);
    pl.notEnacted.push(
      `traffic ${name}: the engine predicts errors at ${listOf(clusters)} (up to ${count(most)} rps) only because ${listOf(stores.map((d) => `store ${d}`))} ${stores.length === 1 ? "takes" : "take"} no writes from there in the cut, and the steps do not cut ${stores.length === 1 ? "it" : "them"} (${stores.map((d) => `${d}: ${notCut.get(d)}`).join("; ")}) — ${listOf(clusters)} ${clusters.length === 1 ? "keeps" : "keep"} writing through the run: nothing below predicts those errors, an error budget for them or a deep health check failing on them; the withdrawal step still moves ${name}'s load`,
    );
  }
  return out;
}

/** "a", "a and b", "a, b and c" */
const listOf = (xs: readonly string[]) => (xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

/**
 * The shortest run a derived duration may be (review M72): the runbook's own steps — the host
 * rules loaded on every host, `probe.sh during` (about a minute), the write checks from 15 s after
 * the cut, the steering timer and the withdrawal — take about three minutes. A bound below that is
 * planned past and said so (Duration, go/no-go): a run too short to load its own rules enacts nothing.
 */
export const MIN_DERIVED_SECONDS = 180;

/** The run's duration: the one given, or derived from the bounds the cut runs against (lag bounds, dead-store timers). */
function durationOf(
  o: GameDayOptions,
  limits: readonly { readonly bound?: number }[],
): { text: string; seconds: number; derived: boolean; floored?: boolean } {
  if (o.duration) return { text: o.duration, seconds: durationSeconds(o.duration), derived: false };
  const bounds = limits.flatMap((l) => (l.bound !== undefined ? [l.bound] : []));
  if (!bounds.length) return { text: DEFAULT_DURATION, seconds: durationSeconds(DEFAULT_DURATION), derived: true };
  const seconds = Math.min(durationSeconds(DEFAULT_DURATION), safeSeconds(Math.min(...bounds)));
  if (seconds < MIN_DERIVED_SECONDS)
    return { text: goDuration(MIN_DERIVED_SECONDS), seconds: MIN_DERIVED_SECONDS, derived: true, floored: true };
  return { text: goDuration(seconds), seconds, derived: true };
}

/** The dead-man's margin past the planned end when no lag bound limits it: time for the operator's own roll-back. */
export const DEADMAN_GRACE_SECONDS = 300;

/**
 * When the dead-man timer deletes the host tables, in seconds after the cut began. It is the only
 * roll-back when the operator has lost the path to the hosts, so it must not force what the
 * duration was chosen to avoid: it fires at the first bound the planned end does not pass (a lag
 * bound, a lag buffer, a dead-store timer, an eviction) less the abort margin, never before the
 * planned end. A bound the planned run already passes (a floored run past a short lag bound,
 * accepted at the go/no-go) does not lift it past the others (review M122); a run planned past
 * every bound gets the grace after its end — the runbook then says the dead-man lies past them.
 */
export function deadmanSeconds(seconds: number, limits: readonly { readonly bound?: number; readonly bufferSeconds?: number }[]): number {
  // a lag plan's bound is the first of its two (maxLagSeconds, the buffer): past maxLagSeconds, the buffer still
  // spares a resync; past the buffer, nothing more of it is to spare
  const bounds = limits.flatMap((l) =>
    [l.bound, l.bufferSeconds].filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0),
  );
  const ahead = bounds.filter((b) => b > seconds);
  if (!ahead.length) return seconds + DEADMAN_GRACE_SECONDS;
  return Math.min(seconds + DEADMAN_GRACE_SECONDS, Math.max(seconds, Math.floor(Math.min(...ahead) - ABORT_MARGIN_SECONDS)));
}

/**
 * What the run spends of each declared availability budget, as predicted: an entry's erroring share
 * of its peak for as long as it errors (isolation: until the withdrawal, `windowOf` seconds, then
 * the state after it for the rest of the run), and a store whose writes stop everywhere for the
 * whole run. Pure arithmetic on the engine's outcomes; what has no objective spends nothing here.
 */
export function budgetSpends(
  ctx: TopologyContext,
  p: Result,
  after: Result | undefined,
  seconds: number,
  windowOf: (entry: string) => number | undefined,
): BudgetSpend[] {
  const out: BudgetSpend[] = [];
  const t = ctx.topology;
  const failing = (r: Result | undefined, name: string, peak: number) => {
    const tr = r?.traffic.find((y) => y.name === name);
    if (!tr) return 0;
    if (tr.outcome === "unserved") return peak;
    return Math.min(
      peak,
      tr.backends.filter((b) => b.errors).reduce((a, b) => a + (b.loadRps ?? 0), 0),
    );
  };
  for (const entry of t.traffic) {
    const name = entry.name?.value;
    const objective = entry.objectives?.availability?.value;
    if (!name || objective === undefined || objective >= 1) continue;
    const peak = entry.peakRps?.value ?? p.traffic.find((y) => y.name === name)?.backends.reduce((a, b) => a + (b.loadRps ?? 0), 0) ?? 0;
    if (!peak) continue;
    const during = failing(p, name, peak);
    const window = after ? Math.min(seconds, windowOf(name) ?? seconds) : seconds;
    const later = after ? failing(after, name, peak) : 0;
    const minutes = ((during / peak) * window + (later / peak) * (seconds - window)) / 60;
    if (minutes <= 0) continue;
    const how =
      during >= peak && (!after || later >= peak)
        ? `down for the whole run (${goDuration(seconds)})`
        : [
            ...(during ? [`${rpsFigure(during)} of ${rps(peak)} in errors for ${after ? "about " : ""}${count(window)} s`] : []),
            ...(later ? [`${rpsFigure(later)} of ${rps(peak)} in errors for the remaining ${count(seconds - window)} s`] : []),
          ].join(", then ");
    out.push({ what: name, minutes, budgetMinutes: (1 - objective) * MINUTES_PER_YEAR, how });
  }
  for (const q of p.quorums) {
    if (q.outcome !== "stops" || q.kind === "etcd") continue;
    const st = t.stores.find((x) => `store ${x.name?.value}` === q.name);
    const objective = st?.objectives?.availability?.value;
    if (!st || objective === undefined || objective >= 1) continue;
    out.push({
      what: `store ${st.name!.value}`,
      minutes: seconds / 60,
      budgetMinutes: (1 - objective) * MINUTES_PER_YEAR,
      how: `writes stop everywhere for the whole run (${goDuration(seconds)})`,
    });
  }
  return out;
}

/** What the run spends with a deep health check, and with a shallow one where that spends more (the withdrawal by hand). */
function spendsOf(ctx: TopologyContext, prediction: Result, after: Result | undefined, seconds: number): BudgetSpend[] {
  return withShallow(
    budgetSpends(ctx, prediction, after, seconds, (entry) => rtoOf(ctx, entry)?.seconds),
    budgetSpends(ctx, prediction, after, seconds, (entry) => {
      const rto = rtoOf(ctx, entry);
      return rto ? rto.seconds + MANUAL_WITHDRAWAL_SECONDS : undefined;
    }),
    (entry) => rtoOf(ctx, entry),
  );
}

const rtoOf = (ctx: TopologyContext, entry: string) => {
  const tr = ctx.topology.traffic.find((x) => x.name?.value === entry);
  return tr ? rtoEstimate(tr) : null;
};

/** The deep-check spends, each with its shallow-check alternative where that spends more. */
function withShallow(
  deep: readonly BudgetSpend[],
  shallow: readonly BudgetSpend[],
  rtoOfEntry: (entry: string) => { seconds: number; terms: string } | null,
): BudgetSpend[] {
  return deep.map((b) => {
    const s = shallow.find((x) => x.what === b.what);
    const rto = rtoOfEntry(b.what);
    return s && rto && s.minutes > b.minutes
      ? {
          ...b,
          shallow: { minutes: s.minutes, how: s.how, terms: `${rto.terms}, plus ${MANUAL_WITHDRAWAL_SECONDS} s to withdraw it by hand` },
        }
      : b;
  });
}

/** A spend as a share of the year's budget: never "0%" for a spend, never "100%" short of it (review M84). */
const share = (m: number, budget: number) => `${budgetShare(m, budget)} of the yearly budget`;

/** "checkout: down for the whole run (4m) — 4 minutes of its 263 minutes a year (1.5%)"; with a shallow-check alternative, both. */
export function spendText(b: BudgetSpend): string {
  const deep = `${b.what}: ${b.how}${b.shallow ? " with a deep health check" : ""} — ${minutes(b.minutes)} of its ${minutes(b.budgetMinutes)} a year (${share(b.minutes, b.budgetMinutes)})`;
  return b.shallow
    ? `${deep}; with a shallow one, ${b.shallow.how} (${b.shallow.terms}) — ${minutes(b.shallow.minutes)} (${share(b.shallow.minutes, b.budgetMinutes)})`
    : deep;
}

/** A drill predicted to take something down is written only when asked for (--accept-down): the go/no-go is the owners'. */
export class GameDayDownRefusal extends GameDayRefusal {}

/**
 * Whether a shorter run (down to the derived floor) spends less of a declared budget: the only way a
 * shorter --duration helps a drill predicted down. An etcd with no majority, or errors that last only
 * until the withdrawal, cost the same however long the cut lasts (review).
 */
function shorterSpendsLess(
  ctx: TopologyContext,
  p: Result,
  after: Result | undefined,
  seconds: number,
  spends: readonly BudgetSpend[],
): boolean {
  if (seconds <= MIN_DERIVED_SECONDS) return false;
  const total = (xs: readonly BudgetSpend[]) => xs.reduce((a, b) => a + b.minutes, 0);
  return total(spendsOf(ctx, p, after, MIN_DERIVED_SECONDS)) < total(spends);
}

/**
 * The refusal weighs the engine's verdict for the cut as designed, its reasons split by what is enacted
 * (M127, w85) — given the prediction and the state after as the runbook's go/no-go reads them (enactedOf),
 * so it names the same withdrawal (review M142: it said fra-prod overloaded where the runbook said lon-prod).
 */
function refuseEngineDown(
  engine: ReturnType<typeof predictionOf>,
  enactment: Omit<DownInput, "prediction" | "after">,
  spends: readonly BudgetSpend[],
  o: GameDayOptions,
  seconds: number,
): void {
  refuseDown({ ...enactment, prediction: engine.prediction, after: engine.enacted.after }, spends, o, seconds);
}

function refuseDown(down: DownInput, spends: readonly BudgetSpend[], o: GameDayOptions, seconds: number): void {
  const { ctx, prediction: p, after } = down;
  if (o.acceptDown || (p.verdict !== "down" && after?.verdict !== "down")) return;
  // down only after the withdrawal: the reasons are the after state's (as the runbook's go/no-go)
  // review style f: the reasons the steps enact, the others said to be Not enacted (as the go/no-go, M127)
  const { breaks: what, cut, uncut, enactsDown } = downReasons(down);
  const some = (xs: readonly string[]) => `${xs.slice(0, 3).join("; ")}${xs.length > 3 ? "; …" : ""}`;
  const design = p.verdict === "down" ? "the design" : "the design, after the withdrawal,";
  const reasons = !uncut.length
    ? `this drill is predicted to take ${design} down (${some(what)})`
    : enactsDown
      ? `this drill is predicted to take ${design} down (${some(cut)}); the engine also predicts ${some(uncut)} — Not enacted: the steps do not cut it`
      : `the engine predicts this cut takes ${design} down (${some(uncut)}), but the steps enact none of that — Not enacted: the design does not declare the hosts that would make it part of the run${cut.length ? `; what the drill does enact is degraded, not down (${some(cut)})` : ""}`;
  throw new GameDayDownRefusal(
    `refused: ${reasons}${spends.length ? ` — it spends ${spends.map(spendText).join("; ")}` : ""}. That is a go/no-go for the owners: pass --accept-down to write it${shorterSpendsLess(ctx, p, after, seconds, spends) ? ` (a shorter --duration, down to ${goDuration(MIN_DERIVED_SECONDS)}, spends less)` : ""}.`,
  );
}

/** The sides of the cut: the named groups (each lost site alone), then every other site as one more. */
function sidesOf(sites: readonly string[], lose: readonly string[], partition: readonly (readonly string[])[]): string[][] {
  const named = lose.length ? lose.map((x) => [x]) : partition;
  const rest = sites.filter((x) => !named.flat().includes(x));
  const sides = [...named.map((g) => [...g]), ...(rest.length ? [rest] : [])].filter((g) => g.length);
  if (sides.length < 2) throw new GameDayError("the scenario leaves every site on one side: nothing to cut");
  return sides;
}

/** What every planning step shares: the sides, the clusters on them, their ranges. */
interface Planning {
  readonly ctx: TopologyContext;
  readonly sides: string[][];
  readonly sideOf: (site: string | undefined) => number;
  readonly clusters: Cluster[];
  readonly notes: string[];
  readonly notEnacted: string[];
  readonly addressesOf: (site: string) => string[];
  /** every declared range on the other sides of `side`: their clusters' ranges and their sites' addresses */
  readonly otherSide: (side: number) => string[];
  /** every declared range on `side` itself */
  readonly rangesOn: (side: number) => string[];
}

function planning(ctx: TopologyContext, sides: string[][]): Planning {
  const t = ctx.topology;
  const sideOf = (site: string | undefined) => sides.findIndex((g) => site !== undefined && g.includes(site));
  const notes: string[] = [];
  const clusters = t.clusters.filter((c) => c.name && sideOf(ctx.siteOfCluster(c.name.value)) >= 0);
  const rangesOf = new Map(clusters.map((c) => [c, reachableRanges(c, notes)]));
  const addressesOf = (site: string) =>
    sortRanges(
      (t.siteByName.get(site)?.addresses?.items ?? [])
        .map((x) => parseCidr(x.value))
        .filter((x) => x !== undefined)
        .map(canonical),
    );
  const otherSide = (side: number) =>
    sortRanges([
      ...clusters.filter((x) => sideOf(ctx.siteOfCluster(x.name!.value)) !== side).flatMap((x) => rangesOf.get(x)!),
      ...sides.flatMap((g, i) => (i === side ? [] : g.flatMap(addressesOf))),
    ]);
  const rangesOn = (side: number) => [
    ...clusters.filter((x) => sideOf(ctx.siteOfCluster(x.name!.value)) === side).flatMap((x) => rangesOf.get(x)!),
    ...sides[side].flatMap(addressesOf),
  ];
  return { ctx, sides, sideOf, clusters, notes, notEnacted: [], addressesOf, otherSide, rangesOn };
}

/**
 * The window (the engine's isolation, or the partition) and the state after the withdrawal the
 * runbook's steps enact, with who a deep health check withdraws. `--isolate`: what a deep check
 * withdraws (the engine's "after"; review M116). `--lose` withdraws the lost sites by an explicit
 * step whoever a deep check fails: a lost site answers nothing.
 */
function predictionOf(
  ctx: TopologyContext,
  lose: readonly string[],
  sides: string[][],
  asked: GameDayOptions,
): { prediction: Result; enacted: { after?: Result; withdrawn?: readonly string[] } } {
  if (!lose.length) return { prediction: run(ctx, { ...ALL_UP, partition: sides }), enacted: {} };
  const iso = runIsolate(ctx, lose);
  const after = asked.isolate || iso.withdrawn.join() === lose.join() ? iso.after : withdrawnFrom(ctx, iso.window, lose);
  return { prediction: iso.window, enacted: { after, withdrawn: iso.withdrawn } };
}

/**
 * `--partition`: nobody is isolated, so no step withdraws a side — but a backend that errs (it cannot
 * write across the cut) fails a deep health check whichever side it is on, and steering withdraws it
 * while another backend of the entry serves (review M126: the engine's deepWithdrawn, the record's
 * failure matrix). The state after that withdrawal, or undefined when no deep check withdraws anything.
 */
export function partitionDeepAfter(
  ctx: TopologyContext,
  p: Result,
  notCut: ReadonlyMap<string, string> = new Map(),
): { after: Result; withdrawn: string[] } | undefined {
  const withdrawn = [
    ...new Set(
      p.traffic.flatMap((tr) =>
        tr.backends.some((b) => !b.errors && b.loadRps !== null) ? tr.backends.filter((b) => b.errors && b.loadRps).map((b) => b.site) : [],
      ),
    ),
  ];
  if (!withdrawn.length || p.scenario.lose.length) return undefined;
  return { after: enactedView(withdrawnFrom(ctx, p, withdrawn), notCut), withdrawn };
}

/**
 * What a partition spends: with a deep health check, the erring backends until it withdraws them
 * (the entry's window), then the state after; with a shallow one nothing in the run withdraws them,
 * so they err for the whole run (review M126).
 */
function partitionSpends(ctx: TopologyContext, p: Result, deep: Result, seconds: number): BudgetSpend[] {
  const whole = budgetSpends(ctx, p, undefined, seconds, () => undefined);
  return budgetSpends(ctx, p, deep, seconds, (entry) => rtoOf(ctx, entry)?.seconds).map((b) => {
    const s = whole.find((x) => x.what === b.what);
    const rto = rtoOf(ctx, b.what);
    return s && rto && s.minutes > b.minutes
      ? {
          ...b,
          shallow: { minutes: s.minutes, how: s.how, terms: "a shallow check never fails there, and no step of this run withdraws it" },
        }
      : b;
  });
}

export function gameDay(ctx: TopologyContext, scenario: { lose?: string[]; partition?: string[][] }, o: GameDayOptions): GameDay {
  return finish(gameDaySteps(ctx, scenario, o));
}

/**
 * The game day in steps (util/steps.ts): after the engine's prediction, after each cluster's
 * manifests and before the runbook, so the editor's request yields to other work and stops when
 * cancelled.
 */
export function* gameDaySteps(
  ctx: TopologyContext,
  scenario: { lose?: string[]; partition?: string[][] },
  asked: GameDayOptions,
): Steps<GameDay> {
  const s = scenarioOf(scenario, asked);
  // a site loss is enacted as isolation: the site cut off from every other (its nodes keep
  // running), then withdrawn from steering — the engine's own isolation (runIsolate: the window,
  // then the sites withdrawn), each lost site cut off from every other, the other lost ones
  // included: two lost sites still talking would enact a partition, not their loss (M68)
  const sites = [...ctx.topology.siteByName.keys()];
  const sides = sidesOf(sites, s.lose, s.partition);
  const engine = predictionOf(ctx, s.lose, sides, asked);
  yield;
  const pl = planning(ctx, sides);
  refuseSelfOverlap(pl);
  const { tool, toolNote } = toolFor(pl, asked.tool);
  const plans = yield* clusterPlans(pl, { ...asked, tool });
  const { lag, uncutStores, timers, evictions } = runBounds(ctx, pl, engine.prediction, plans);
  const hostPlans = hostPlansOf(pl);
  const { enactedQuorums, unenacted: unenactedQuorums, cutTimers, cutEvictions } = enactedBounds(pl, plans, timers, evictions);
  const { prediction, enacted, unenactedEntries, notCut } = enactedOf(pl, s, asked, engine, unenactedQuorums, uncutStores);
  const duration = durationOf(asked, [...lag, ...cutTimers, ...cutEvictions]);
  const { deepAfter, spends } = runSpends(ctx, s, prediction, enacted.after, duration.seconds, notCut);
  const o: GameDayOptions = { ...asked, tool, duration: duration.text };
  const files = chaosFiles(pl, s, o, plans, duration.seconds);
  refuseEmptyOrReopened(pl, plans, hostPlans, o);
  refuseEngineDown({ prediction, enacted }, { ctx, unenactedQuorums, uncutStores, lag, unenactedEntries }, spends, asked, duration.seconds);
  const deadman = deadmanSeconds(duration.seconds, [...lag, ...cutTimers, ...cutEvictions]); // the host files' and the runbook's (M122)
  files.push(...hostRuleFiles(hostPlans, s, o, deadman));
  noteUncut(pl, o, [prediction, ...(enacted.after ? [enacted.after] : [])]);
  const probe = probeFiles(pl, plans, s, o, duration.seconds, files);
  // a partition's title names every side it cuts: "partition fra / lon / (ams)"
  const name = enactedName(s, asked, sites);
  yield;
  const runbook = runbookOf(
    {
      name,
      scenario: s,
      sides,
      plans,
      notes: pl.notes,
      prediction,
      ...enacted,
      ...(deepAfter ? { deepAfter } : {}),
      probe,
      hostPlans,
      notEnacted: pl.notEnacted,
      enactedQuorums,
      unenactedQuorums,
      unenactedEntries,
      ctx,
      lag,
      uncutStores,
      timers: cutTimers,
      evictions: cutEvictions,
      duration,
      deadman,
      toolNote,
      spends,
      ...engineAside(ctx, s, asked),
    },
    o,
  );
  files.push({ path: "RUNBOOK.md", content: runbook });
  return {
    scenario: s,
    folder: resourceName(["gameday", ...scenarioSlug(s, asked.isolate)]).replace(/^quorate-/, ""),
    name,
    sides,
    plans,
    notes: [...(toolNote ? [toolNote] : []), ...pl.notes, ...pl.notEnacted.map((n) => `Not enacted: ${n}`)],
    prediction,
    hostPlans,
    files,
    runbook,
    duration: duration.text,
    tool,
  };
}

/** What the runbook quotes of the engine beside the cut: a real loss, and where the leaders are with every site up. */
function engineAside(ctx: TopologyContext, s: Scenario, asked: GameDayOptions) {
  return {
    ...(s.lose.length && !asked.isolate ? { loss: run(ctx, { ...ALL_UP, lose: s.lose }) } : {}), // what the isolation does not enact (M105)
    // where simulate recommends each leader with every site up: the runbook predicts which leaders the cut moves
    leaders: Object.fromEntries(run(ctx, ALL_UP).quorums.map((q) => [q.name, q.leader])),
  };
}

/**
 * `--isolate X` as the game day would enact it (w85): the engine's window and state after the
 * withdrawal through enactedView, with the entries none of whose errors the steps enact — what the
 * decision record's drill says clients will see. Undefined where no game day can be planned (one site).
 */
export function enactedIsolation(
  ctx: TopologyContext,
  site: string,
): { window: Result; after?: Result; withdrawn?: readonly string[]; unenactedEntries: string[] } | undefined {
  try {
    const asked: GameDayOptions = { tool: "chaos-mesh", source: "", isolate: true };
    const sides = sidesOf([...ctx.topology.siteByName.keys()], [site], []);
    const engine = predictionOf(ctx, [site], sides, asked);
    const pl = planning(ctx, sides);
    const plans = finish(clusterPlans(pl, asked));
    const { uncutStores, timers, evictions } = runBounds(ctx, pl, engine.prediction, plans);
    const { unenacted } = enactedBounds(pl, plans, timers, evictions);
    const { prediction, enacted, unenactedEntries } = enactedOf(pl, { ...ALL_UP, lose: [site] }, asked, engine, unenacted, uncutStores);
    return { window: prediction, ...enacted, unenactedEntries };
  } catch (e) {
    if (e instanceof GameDayError || e instanceof GameDayRefusal) return undefined;
    throw e;
  }
}

/**
 * What the cut runs against: the lag it enacts (a store whose replication no rule can drop is Not
 * enacted and bounds nothing, review M123), the timers and evictions the engine predicts it starts
 * (the caller keeps those of the quorums the steps cut: only they bound the duration and the dead-man).
 */
function runBounds(ctx: TopologyContext, pl: Planning, prediction: Result, plans: readonly ClusterPlan[]) {
  const uncutLag: UncutLag[] = [];
  const lag = lagPlans(ctx, pl.sides, lagUnranged(pl, plans), uncutLag);
  for (const u of uncutLag) pl.notEnacted.push(uncutLagNote(pl, u));
  const timers = timerPlans(ctx, prediction);
  const evictions = evictionPlans(prediction, ctx);
  const uncutStores = uncutLag.filter((u) => !lag.some((l) => l.store === u.store)).map((u) => u.store);
  return { lag, uncutStores, timers, evictions };
}

/**
 * An async store's replication the steps do not cut, said under Not enacted (review M123): a site with
 * no range at all, or (M142) a site whose ranges the store does not run in — no namespace of it in a
 * cluster there and no sites[].addresses — so its hosts there are undeclared.
 */
function uncutLagNote(pl: Planning, u: UncutLag): string {
  const ranged = rangedSite(pl.ctx);
  const bare = u.unranged.filter((x) => !ranged(x));
  const undeclared = u.unranged.filter((x) => ranged(x));
  const why = [
    ...(bare.length ? [`${listOf(bare)} ${bare.length === 1 ? "declares" : "declare"} no cluster range and no sites[].addresses`] : []),
    ...(undeclared.length
      ? [
          `its hosts at ${listOf(undeclared)} are not declared (no stores[].namespace in a cluster there, no sites[].addresses at ${listOf(undeclared)}): the cluster ranges there cut pods and nodes, not hosts outside them`,
        ]
      : []),
  ].join("; and ");
  const declare = [
    ...(bare.length ? [`the hosts' addresses at ${listOf(bare)}`] : []),
    ...(undeclared.length
      ? [`its namespace (stores[].namespace, where its pods run) or its hosts' addresses at ${listOf(undeclared)}`]
      : []),
  ].join(", and ");
  return `store ${u.store} (${u.between}): its replication crosses the cut, but ${why}, so no rule can drop it: it keeps replicating through the run — the cut is not enacted for it and nothing below predicts its lag (no RPO, duration, abort or post-heal line relies on it); declare ${declare} to cut it`;
}

/**
 * What the steps enact of the engine's prediction — the one place the game day and the record's drill
 * decide it (w85, review M123 widened): the stores the steps do not cut, the prediction through
 * enactedView, and the entries none of whose errors is enacted (said under Not enacted).
 */
function enactedOf(
  pl: Planning,
  s: Scenario,
  asked: GameDayOptions,
  engine: ReturnType<typeof predictionOf>,
  unenacted: readonly string[],
  uncutStores: readonly string[],
) {
  const notCut = storesNotCut(pl.ctx, unenacted, uncutStores);
  const { prediction, enacted } = enactedPrediction(pl.ctx, s, asked, engine, notCut);
  const judged = [engine.prediction, ...(engine.enacted.after ? [engine.enacted.after] : [])];
  return { prediction, enacted, unenactedEntries: noteUnenactedEntries(pl, judged, notCut), notCut };
}

/**
 * The engine's prediction as the steps enact it (enactedView): the window and the state after the
 * withdrawal, with who a deep health check withdraws judged on the errors the run does enact — an
 * `--isolate` whose cut-off side errs only on stores the steps do not cut keeps a deep check passing
 * there (engine deepWithdrawn over the enacted window).
 */
function enactedPrediction(
  ctx: TopologyContext,
  s: Scenario,
  asked: GameDayOptions,
  engine: ReturnType<typeof predictionOf>,
  notCut: ReadonlyMap<string, string>,
): ReturnType<typeof predictionOf> {
  const prediction = enactedView(engine.prediction, notCut);
  const { after, withdrawn } = engine.enacted;
  if (!after || !withdrawn) return { prediction, enacted: engine.enacted };
  const deep = asked.isolate ? deepWithdrawn(prediction, s.lose) : withdrawn;
  const moved = deep.join() !== withdrawn.join() ? withdrawnFrom(ctx, engine.prediction, deep) : after;
  return { prediction, enacted: { after: enactedView(moved, notCut), withdrawn: deep } };
}

/** What the run spends: a partition's with the deep check's withdrawal of the backends that err (review M126), else the isolation's. */
function runSpends(
  ctx: TopologyContext,
  s: Scenario,
  prediction: Result,
  after: Result | undefined,
  seconds: number,
  notCut: ReadonlyMap<string, string> = new Map(),
) {
  const deepAfter = s.lose.length ? undefined : partitionDeepAfter(ctx, prediction, notCut);
  const spends = deepAfter ? partitionSpends(ctx, prediction, deepAfter.after, seconds) : spendsOf(ctx, prediction, after, seconds);
  return { deepAfter, spends };
}

/** The scenario asked for, as the engine takes it; usage errors (both or neither scenario, a bad duration) before anything else. */
function scenarioOf(scenario: { lose?: string[]; partition?: string[][] }, asked: GameDayOptions): Scenario {
  const lose = scenario.lose ?? [];
  const partition = scenario.partition ?? [];
  if (lose.length && partition.length) throw new GameDayError("a game day enacts one scenario: --lose or --partition, not both");
  if (!lose.length && !partition.length) throw new GameDayError("a game day needs a scenario: --lose SITE[,SITE] or --partition A/B[,C]");
  if (asked.duration !== undefined) durationSeconds(asked.duration);
  return { ...ALL_UP, lose, partition };
}

/** Each host plan's nftables file and its iptables alternatives. */
function hostRuleFiles(hostPlans: readonly HostPlan[], s: Scenario, o: GameDayOptions, deadman: number): GameDayFile[] {
  return hostPlans.flatMap((hp) => [
    { path: hp.file, content: nftRules(hp, s, o, deadman) },
    ...(hp.iptables ? [{ path: hp.iptables, content: iptablesRules(hp, s, o, 4) }] : []),
    ...(hp.ip6tables ? [{ path: hp.ip6tables, content: iptablesRules(hp, s, o, 6) }] : []),
  ]);
}

/** What the steps cannot cut, said under Not enacted: bare sides, Istio remotes' paths to their istiod, Linkerd gateway links. */
function noteUncut(pl: Planning, o: GameDayOptions, judged: readonly Result[]): void {
  noteBareSides(pl, o);
  noteMeshPaths(pl, judged);
}

/** A side with no cluster and no declared hosts: nothing there can be cut, said plainly. */
function noteBareSides(pl: Planning, o: GameDayOptions): void {
  for (const [i, side] of pl.sides.entries())
    if (!pl.clusters.some((c) => pl.sideOf(pl.ctx.siteOfCluster(c.name!.value)) === i) && !side.some((x) => pl.addressesOf(x).length))
      pl.notEnacted.push(
        `${side.join(", ")}: no cluster and no sites[].addresses — nothing there can be cut; isolate it at the firewall by hand for the same ${o.duration}`,
      );
}

/**
 * An Istio remote reaches its primary's istiod (15012 xDS and CA, 15017 webhooks) through the
 * primary's east-west gateway, whose LoadBalancer address the design has no field for: no host
 * rule or chaos target drops it, so the control-plane loss the engine predicts is not what the
 * steps cut (review M119). A NodePort gateway sits on the primary's declared node range, which
 * the rules do drop: said as the one case where the loss is enacted. A Linkerd gateway link is
 * the same: its traffic and probe cross the target's gateway (review M120).
 */
function noteMeshPaths(pl: Planning, judged: readonly Result[]): void {
  const seen = new Set<string>();
  for (const m of judged.flatMap((x) => x.meshes))
    if (!seen.has(`${m.cluster}/${m.because}`) && (m.outcome === "control-plane-lost" || m.mode === "gateway")) {
      seen.add(`${m.cluster}/${m.because}`);
      pl.notEnacted.push(
        m.outcome === "control-plane-lost" ? istioKeptText(pl.ctx, m.cluster, m.because) : linkerdKeptText(pl.ctx, m.cluster, m.because),
      );
    }
}

/** A Linkerd gateway link keeps its target through the run: its probe and traffic cross the target's gateway (review M120). */
function linkerdKeptText(ctx: TopologyContext, me: string, target: string): string {
  const nodes = nodeRangesOf(ctx.topology.clusterByName.get(target));
  return `cluster ${me}'s Linkerd link to ${target}: ${me} reaches ${target} (TCP ${LINKERD_GATEWAY_TCP} traffic, ${LINKERD_PROBE_TCP} probe) through ${target}'s gateway, whose LoadBalancer address is not in the design — no rule drops it, so the probe keeps passing and ${me}'s mirrors of ${target}'s Services keep working through the run${nodes.length ? ` — unless the gateway is a NodePort on ${target}'s nodes (${nodes.join(", ")}), which the rules do drop` : ""}; to test the loss, add the gateway's address to the host rules on ${me}'s nodes`;
}

/** Why a remote keeps its istiod through the run, and how to make the drill cut it. */
function istioKeptText(ctx: TopologyContext, remote: string, primary: string): string {
  const nodes = nodeRangesOf(ctx.topology.clusterByName.get(primary));
  return `cluster ${remote}'s Istio control plane: ${remote} reaches ${primary}'s istiod (TCP ${ISTIO_XDS_TCP} xDS and CA, ${ISTIO_WEBHOOK_TCP} webhooks) through ${primary}'s east-west gateway, whose LoadBalancer address is not in the design — no rule drops it, so ${remote} keeps its istiod through the run (injection, config pushes and certificates keep working) and the control-plane loss simulate predicts is not tested${nodes.length ? ` — unless the gateway is a NodePort on ${primary}'s nodes (${nodes.join(", ")}), which the rules do drop` : ""}; to test the loss, add the gateway's address to the host rules on ${remote}'s nodes`;
}

/**
 * The proof that the cut took effect: probe.sh, and a probe pod in each cut namespace a probe
 * starts from (created before the chaos, so the chaos selects it), both generated from the design.
 */
function probeFiles(pl: Planning, plans: readonly ClusterPlan[], s: Scenario, o: GameDayOptions, seconds: number, files: GameDayFile[]) {
  const probe = probePlan(
    pl.ctx,
    plans.flatMap((p) => p.namespaces.map((namespace) => ({ cluster: p.cluster, site: p.site, namespace }))),
    pl.sideOf,
    (name) => pl.clusters.some((c) => c.name?.value === name && c.cidrs.some((v) => v.field === "nodes")),
  );
  const pods = probePods(probe);
  for (const cluster of [...new Set(pods.map((x) => x.cluster))]) {
    const mine = pods.filter((x) => x.cluster === cluster).map((x) => x.namespace);
    files.push({
      path: probeFile(cluster),
      content: `${commentLine(`# quorate gameday: the probe pods of ${cluster} in ${mine.join(", ")} — apply them before the chaos manifests, so they select them`)}\n${mine.map((ns) => stringify(probePod(ns, seconds + 3600, LABELS), { lineWidth: 0 })).join("---\n")}`,
    });
  }
  if (probe.probes.length)
    files.push({ path: "probe.sh", content: probeScript(probe, `${enactedName(s, o)} — from ${displayPath(o.source)}`) });
  return probe;
}

/** Never against itself: a target range that overlaps a range of the cluster it is applied in refuses. */
function refuseSelfOverlap(pl: Planning): void {
  for (const c of pl.clusters) {
    const mine = pl.sideOf(pl.ctx.siteOfCluster(c.name!.value));
    const own = c.cidrs.map((v) => ({ v, cidr: parseCidr(v.value) })).filter((x) => x.cidr);
    for (const target of pl.otherSide(mine)) {
      const tc = parseCidr(target)!;
      const hit = own.find((x) => overlaps(x.cidr!, tc));
      if (hit)
        throw new GameDayRefusal(
          `refused: cluster ${c.name!.value}'s ${hit.v.field} range ${canonical(hit.cidr!)} overlaps ${target}, a range on the other side of the cut (an open cidr/overlap): the experiment would cut ${c.name!.value} off from itself. Fix the overlap first (quorate check names it).`,
        );
    }
  }
}

/**
 * A run that cuts nothing tests nothing: refused, with what to declare. A management range that
 * overlaps a range the cut must drop re-opens exactly those flows: refused, the overlap named.
 */
function refuseEmptyOrReopened(pl: Planning, plans: readonly ClusterPlan[], hostPlans: readonly HostPlan[], o: GameDayOptions): void {
  if (!plans.length && !hostPlans.length) {
    const bare = pl.sides.filter((_, i) => !pl.rangesOn(i).length);
    const why = bare.length
      ? `${bare.map((g) => g.join(", ")).join(" and ")} ${bare.length === 1 && bare[0].length === 1 ? "declares" : "declare"} no cluster range and no sites[].addresses, so no rule can drop ${bare.length === 1 && bare[0].length === 1 ? "its" : "their"} traffic`
      : "no cluster on either side has a namespace to cut (an exported Service or a store's namespace) or declared network.nodes";
    // --namespace chooses what is cut in a cluster: it cannot help a side with no range to cut (review M123, style)
    throw new GameDayRefusal(
      `refused: this scenario cuts nothing in this design — ${why}: the run would test nothing and every check would pass for the wrong reason. ${
        bare.length
          ? `Declare sites[].addresses for the hosts at ${bare.map((g) => g.join(", ")).join(" and ")}, or a cluster there with its network ranges.`
          : "Declare network.nodes for the clusters or sites[].addresses for hosts outside them, or pass --namespace."
      }`,
    );
  }
  const cut = [...new Set([...plans.flatMap((p) => p.targets), ...hostPlans.flatMap((h) => h.targets)])];
  for (const m of o.managementRanges ?? []) {
    const mc = parseCidr(m);
    if (!mc) continue;
    const hit = cut.find((x) => overlaps(mc, parseCidr(x)!));
    if (hit)
      throw new GameDayRefusal(
        `refused: --management-cidr ${m} overlaps ${hit}, a range the cut must drop: the host rules accept the management range before any drop, so the exemption would re-open the very flows the experiment cuts. Give only your management network's range.`,
      );
  }
}

/**
 * Litmus partitions through a NetworkPolicy (allow 0.0.0.0/0 except the targets); Cilium's CIDR
 * rules do not match Cilium endpoints — pods of the cluster and ClusterMesh remote pods — so on
 * Cilium that policy cuts every pod flow of the namespaces, DNS and ingress included. Chaos Mesh
 * cuts inside each pod's network namespace, whatever the CNI: the manifests are for it instead.
 */
function toolFor(pl: Planning, asked: ChaosTool): { tool: ChaosTool; toolNote?: string } {
  if (asked !== "litmus") return { tool: asked };
  const cilium = pl.clusters.filter((c) => c.mesh === "clustermesh").map((c) => c.name!.value);
  if (!cilium.length) return { tool: asked };
  return {
    tool: "chaos-mesh",
    toolNote: `--tool litmus was asked for, but ${cilium.join(", ")} run${cilium.length === 1 ? "s" : ""} Cilium (ClusterMesh): Litmus's pod-network-partition is a NetworkPolicy allowing 0.0.0.0/0 except the targets, and Cilium's CIDR rules do not match Cilium endpoints (the cluster's own pods and ClusterMesh remote pods), so that policy would cut every pod flow of these namespaces — DNS and ingress included — on both sides, not the partition. The manifests are Chaos Mesh NetworkChaos instead (it cuts inside each pod's network namespace, whatever the CNI).`,
  };
}

/** What the chaos manifests cut: per cluster, the namespaces (never a system namespace) and the other side's ranges. */
function* clusterPlans(pl: Planning, o: Pick<GameDayOptions, "tool" | "namespaces">): Steps<ClusterPlan[]> {
  const { ctx, sideOf } = pl;
  const t = ctx.topology;
  const exported = (name: string) =>
    [...new Set(t.exports.filter((e) => e.clusters?.items.some((c) => c.value === name)).map((e) => e.namespace?.value))].filter(
      (x): x is string => !!x,
    );
  /** the store namespaces whose pods run at `site` (members, writers or replicas there); never a host-network store's (the host rules cut those: a NetworkChaos there would cut the node) */
  const storeNamespaces = (site: string) =>
    t.stores
      .filter(
        (st) =>
          st.namespace &&
          st.hostNetwork?.value !== true &&
          (st.members?.entries.some((e) => e.site.value === site && (e.count?.value ?? 0) > 0) ||
            st.writers?.items.some((w) => w.value === site) ||
            st.replicas?.items.some((w) => w.value === site)),
      )
      .map((st) => st.namespace!.value);
  const plans: ClusterPlan[] = [];
  const kindFile = o.tool === "chaos-mesh" ? "networkchaos.yaml" : "chaosengine.yaml";
  const skippedSystem = new Set<string>();
  for (const c of pl.clusters) {
    const name = c.name!.value;
    const site = ctx.siteOfCluster(name)!;
    const mine = sideOf(site);
    const every = pl.otherSide(mine);
    // Chaos Mesh: IPv4 targets only (ClusterPlan.ipv6)
    const ipv6 = o.tool === "chaos-mesh" ? every.filter((x) => x.includes(":")) : [];
    const targets = every.filter((x) => !ipv6.includes(x));
    if (!targets.length) {
      if (ipv6.length)
        pl.notEnacted.push(
          `${name}: every range on the other side is IPv6 (${ipv6.join(", ")}), which Chaos Mesh's NetworkChaos cannot cut — no manifest for it; its pods' traffic there is cut only by the host rules, where it passes the host's netfilter`,
        );
      continue;
    }
    const wanted = o.namespaces?.length ? [...o.namespaces] : [...new Set([...exported(name), ...storeNamespaces(site)])];
    const namespaces = wanted.filter((ns) => {
      if (!SYSTEM_NAMESPACES.includes(ns)) return true;
      skippedSystem.add(ns);
      return false;
    });
    if (!namespaces.length) {
      pl.notes.push(
        `${name}: no exported Service, entry point or store namespace is declared in it, so nothing there is cut through the chaos tool (pass --namespace to choose); its host network is cut by the host rules where its nodes are declared.`,
      );
      continue;
    }
    // the cluster's name as one safe folder name: `../x` or `/etc` never leaves the output folder
    const file = `${fileSegment(name)}/${kindFile}`;
    plans.push({ cluster: name, site, namespaces, targets, ...(ipv6.length ? { ipv6 } : {}), file });
    yield;
  }
  if (skippedSystem.size)
    pl.notes.push(
      `Never selected: ${[...skippedSystem].sort().join(", ")} — system namespaces (Chaos Mesh refuses them, and a fault there takes down the control plane or the mesh itself). What runs there on the host network is cut by the host rules below.`,
    );
  return plans;
}

/** Each cluster plan's manifest file: one document per namespace, for the run's duration (known once the plans say what is enacted). */
function chaosFiles(pl: Planning, s: Scenario, o: GameDayOptions, plans: readonly ClusterPlan[], seconds: number): GameDayFile[] {
  const slug = scenarioSlug(s, o.isolate);
  return plans.map(({ cluster: name, site, namespaces, targets, file }) => {
    const mine = pl.sideOf(site);
    const header = [
      `# quorate gameday: ${enactedName(s, o)} — cluster ${name} (site ${site}) cut off from ${pl.sides
        .filter((_, i) => i !== mine)
        .map((g) => g.join(", "))
        .join(" and ")}`,
      `# from ${displayPath(o.source)}; apply: ${kubectl(name, "apply", file)}; roll back: ${kubectl(name, "delete", file)}`,
    ]
      .map(commentLine)
      .join("\n");
    const docs = namespaces.map((ns) =>
      o.tool === "chaos-mesh" ? networkChaos(ns, slug, targets, o.duration!) : chaosEngine(ns, slug, targets, seconds),
    );
    return { path: file, content: `${header}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")}` };
  });
}

/**
 * The host-level steps: what chaos tools cannot touch (host-network pods — etcd static pods,
 * Cilium agents, clustermesh-apiserver, Submariner and mesh gateways — and hosts outside
 * clusters). On both sides: one side's drop alone cuts the traffic between two declared hosts,
 * but where a host's netfilter is bypassed (Cilium's eBPF host routing) or its rules did not
 * load, the other side's rules still hold the cut. A cluster's nodes are its hosts at its own
 * site; its stretched etcd's members elsewhere are the hosts of their site's addresses.
 */
function hostPlansOf(pl: Planning): HostPlan[] {
  const { ctx } = pl;
  const hostPlans: HostPlan[] = [];
  // one file name each: a cluster named `lon-addresses` would otherwise share hosts/lon-addresses.*
  // with the hosts declared at lon (audit A6); the later one gets a suffix (case-blind, as a Mac's disk)
  const taken = new Set<string>();
  const claim = (base: string): string => {
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    taken.add(name.toLowerCase());
    return name;
  };
  for (const [side, group] of pl.sides.entries()) {
    const targets = pl.otherSide(side);
    if (!targets.length) continue;
    for (const site of group) {
      for (const c of pl.clusters.filter((x) => ctx.siteOfCluster(x.name!.value) === site)) {
        const name = c.name!.value;
        const nodes = sortRanges(
          c.cidrs
            .filter((v) => v.field === "nodes")
            .map((v) => parseCidr(v.value))
            .filter((x) => x !== undefined)
            .map(canonical),
        );
        if (!nodes.length) {
          pl.notEnacted.push(
            `the host network of ${name} (${hostNetworkOf(c)}): the design declares no network.nodes, so no host rule can be written for it`,
          );
          continue;
        }
        const elsewhere = Object.keys(c.etcd?.members ? Object.fromEntries(ctx.quorumOf(c)?.counts ?? []) : {}).filter((x) => x !== site);
        const what = elsewhere.length
          ? `nodes of ${name} at ${site} (not its etcd members at ${elsewhere.join(", ")})`
          : `nodes of ${name}`;
        hostPlans.push({ ...hostPlan(site, what, nodes, targets, claim(`hosts/${fileSegment(name)}`)), cluster: name });
      }
      const addrs = pl.addressesOf(site);
      if (!addrs.length) continue;
      const nodesOf = nodesAmong(pl, site, side);
      const services = new Set(nodesOf.flatMap((n) => n.services));
      for (const n of nodesOf) pl.notEnacted.push(nodesAmongNote(pl, n, site, addrs));
      hostPlans.push({
        ...hostPlan(
          site,
          `hosts at ${site} (sites[].addresses)`,
          addrs,
          targets.filter((x) => !services.has(x)),
          claim(`hosts/${fileSegment(site)}-addresses`),
        ),
        ...(nodesOf.length ? { nodesOf } : {}),
      });
    }
  }
  return hostPlans;
}

/**
 * What the rules on a cross-cut cluster's nodes cannot make a WAN cut of (review M131): the rest of
 * their side drops the cluster's whole pod range, and its own site's rules never drop it.
 */
function nodesAmongNote(pl: Planning, n: NodesAmong, site: string, hosts: readonly string[]): string {
  const home = pl.ctx.siteOfCluster(n.cluster);
  return `${n.cluster}'s pods on its nodes at ${site} (${hosts.join(", ")}): only the rules on those hosts keep them on ${site}'s side (What is cut) — the chaos manifests and the other host rules on that side drop ${n.cluster}'s whole pod range ${n.pods.join(", ")}, them included, which a WAN cut does not; and nothing at ${home} drops them (${n.cluster}'s own range), so the rules at ${site} alone cut them from ${home}, and not where Cilium's eBPF host routing bypasses those hosts' netfilter. Nothing but ${n.cluster}'s system pods is expected there (Pre-flight checks that no pod of the cut namespaces is).`;
}

/** The clusters from the other side of the cut whose control-plane nodes are at `site` (NodesAmong, review M131). */
function nodesAmong(pl: Planning, site: string, side: number): NodesAmong[] {
  const used = new Set<string>();
  const ranges = (c: Cluster, field: "pods" | "services") =>
    sortRanges(
      c.cidrs
        .filter((v) => v.field === field)
        .map((v) => parseCidr(v.value))
        .filter((x) => x !== undefined)
        .map(canonical),
    );
  return pl.clusters.flatMap((c) => {
    const name = c.name!.value;
    const home = pl.ctx.siteOfCluster(name);
    // a Globalnet cluster is cut at its global range and nodes only: its pod and service ranges are in no drop
    if (c.globalnet || home === site || pl.sideOf(home) === side || !controlPlaneOf(pl.ctx, c).sites.includes(site)) return [];
    const pods = ranges(c, "pods");
    const services = ranges(c, "services");
    if (!pods.length && !services.length) return [];
    const base =
      name
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "") || "CLUSTER";
    let key = base;
    for (let i = 2; used.has(key); i++) key = `${base}_${i}`;
    used.add(key);
    return [
      {
        cluster: name,
        pods,
        services,
        ...(pods.some((x) => !x.includes(":")) ? { placeholder4: `@${key}_PODS4@` } : {}),
        ...(pods.some((x) => x.includes(":")) ? { placeholder6: `@${key}_PODS6@` } : {}),
      },
    ];
  });
}

/**
 * A quorum's cut is enacted only when the members on both ends of every cut link run on declared
 * hosts: rules can only drop declared ranges, so a member at undeclared hosts keeps talking to
 * the other side and the prediction would be tested against a cut that never happened.
 */
function enactedQuorumsOf(pl: Planning, plans: readonly ClusterPlan[]): { enacted: Set<string>; unenacted: string[] } {
  const { ctx, sideOf } = pl;
  const enacted = new Set<string>();
  const unenacted: string[] = [];
  for (const q of ctx.quorums.filter((x) => x.resolved && x.counts.size === 1)) remoteControlPlane(pl, q, enacted, unenacted);
  for (const q of ctx.quorums.filter((x) => x.resolved && x.counts.size > 1)) {
    const memberSides = new Set([...q.counts.keys()].map(sideOf).filter((i) => i >= 0));
    if (memberSides.size < 2) {
      enacted.add(q.label);
      continue;
    }
    const owner = q.kind === "etcd" ? (q.owner as Cluster).name?.value : undefined;
    const missing = [...q.counts.keys()].filter((site) => {
      if (sideOf(site) < 0 || (q.counts.get(site) ?? 0) === 0) return false;
      // a store's members: the one home of what the steps cut of a store's hosts (storeCutAt, review M142)
      if (q.kind !== "etcd") return !storeCutAt(pl, plans, q.owner as Store, site);
      const onNodes =
        owner !== undefined &&
        ctx.siteOfCluster(owner) === site &&
        pl.clusters.some((c) => c.name?.value === owner && c.cidrs.some((v) => v.field === "nodes"));
      return !onNodes && !pl.addressesOf(site).length;
    });
    if (missing.length) {
      unenacted.push(q.label);
      pl.notEnacted.push(
        `${q.label}: its members at ${missing.join(", ")} run on hosts the design does not declare (no sites[].addresses${q.kind !== "etcd" ? ", no stores[].namespace in a cluster there" : ""}): no rule can drop their traffic, so they keep reaching the other side — the cut is not enacted for it and no check below relies on it`,
      );
    } else enacted.add(q.label);
  }
  return { enacted, unenacted };
}

/**
 * The quorums the steps cut, and the timers and evictions that therefore start: only those bound the
 * run and the dead-man — a timer or an eviction of a quorum Not enacted never starts.
 */
function enactedBounds(pl: Planning, plans: readonly ClusterPlan[], timers: readonly TimerPlan[], evictions: readonly EvictionPlan[]) {
  const { enacted: enactedQuorums, unenacted } = enactedQuorumsOf(pl, plans);
  const cutTimers = timers.filter((x) => !unenacted.includes(x.subject));
  return { enactedQuorums, unenacted, cutTimers, cutEvictions: enactedEvictions(pl.ctx, evictions, unenacted) };
}

/** The evictions of clusters whose control plane the cut is enacted for: an eviction follows only such a cut (review M99). */
function enactedEvictions(ctx: TopologyContext, evictions: readonly EvictionPlan[], unenacted: readonly string[]): EvictionPlan[] {
  return evictions.filter((x) => {
    const c = ctx.topology.clusterByName.get(x.cluster);
    const q = c && ctx.quorumOf(c);
    return !q || !unenacted.includes(q.label);
  });
}

/**
 * A cluster whose etcd sits wholly at a site on the other side of the cut (a control plane hosted
 * there): its API stops only if the cut drops its nodes' traffic to those hosts, which needs their
 * addresses (sites[].addresses there). Without them the flows stay open and the cluster keeps its
 * API: not enacted, and no check relies on it (review M99).
 */
function remoteControlPlane(pl: Planning, q: Quorum, enacted: Set<string>, unenacted: string[]): void {
  if (q.kind !== "etcd") return;
  const home = pl.ctx.siteOfCluster((q.owner as Cluster).name?.value ?? "");
  const [at] = q.counts.keys();
  if (home === undefined || at === undefined || pl.sideOf(home) < 0 || pl.sideOf(at) < 0 || pl.sideOf(home) === pl.sideOf(at)) return;
  if (pl.addressesOf(at).length) {
    enacted.add(q.label);
    return;
  }
  const name = (q.owner as Cluster).name?.value ?? "?";
  unenacted.push(q.label);
  // a witness there runs etcd only: the API servers stay at the cluster's site and reach it on 2379 (derive/controlplane, review M111)
  const etcdOnly = controlPlaneOf(pl.ctx, q.owner as Cluster).etcdOnly.includes(at);
  pl.notEnacted.push(
    etcdOnly
      ? `${q.label}: ${name}'s whole etcd at ${at} (a witness: etcd only, its API servers at ${home}) runs on hosts the design does not declare (no sites[].addresses at ${at}): no rule can drop its API servers' traffic to it (TCP 2379), so ${name} keeps its API through the run — the cut is not enacted for it and no check below relies on it; declare the etcd hosts' addresses at ${at} to cut it`
      : `${q.label}: ${name}'s whole control plane at ${at} runs on hosts the design does not declare (no sites[].addresses at ${at}): no rule can drop ${name}'s nodes' traffic to it (TCP 6443, 10250), so ${name} keeps its API through the run — the cut is not enacted for it and no check below relies on it; declare its control-plane hosts' addresses at ${at} to cut it`,
  );
}

/**
 * An nftables table of its own, dropping both directions between these hosts and the other
 * side's declared ranges only. Deleting the table is the roll-back; the runbook arms a
 * dead-man timer that deletes it before the rules go in.
 */
function nftRules(hp: HostPlan, s: Scenario, o: GameDayOptions, deadman: number): string {
  const v4 = hp.targets.filter((x) => !x.includes(":"));
  const v6 = hp.targets.filter((x) => x.includes(":"));
  const m4 = (o.managementRanges ?? []).filter((x) => !x.includes(":"));
  const m6 = (o.managementRanges ?? []).filter((x) => x.includes(":"));
  // the pod CIDRs of a cross-cut cluster's nodes among these hosts (review M131): never dropped, filled in at Pre-flight
  const p4 = (hp.nodesOf ?? []).flatMap((n) => (n.placeholder4 ? [n.placeholder4] : []));
  const p6 = (hp.nodesOf ?? []).flatMap((n) => (n.placeholder6 ? [n.placeholder6] : []));
  const set = (name: string, type: string, xs: string[]) =>
    xs.length ? [`  set ${name} {`, `    type ${type}`, "    flags interval", `    elements = { ${xs.join(", ")} }`, "  }"] : [];
  const rules = (dir: "saddr" | "daddr") => [
    ...(m4.length ? [`    ip ${dir} @mgmt4 accept`] : []),
    ...(m6.length ? [`    ip6 ${dir} @mgmt6 accept`] : []),
    ...(v4.length ? [`    ip ${dir} @cut4${p4.length ? ` ip ${dir} != @pods4` : ""} counter drop`] : []),
    ...(v6.length ? [`    ip6 ${dir} @cut6${p6.length ? ` ip6 ${dir} != @pods6` : ""} counter drop`] : []),
  ];
  // priority 0, after kube-proxy's DNAT (-100; its IPVS mode re-enters OUTPUT once translated, Cilium's socket-LB
  // translates at connect()): a connection to a ClusterIP is judged by the pod it goes to, as in the iptables files' filter chains
  const chain = (name: string, hook: string, dirs: ("saddr" | "daddr")[]) => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority 0; policy accept;`,
    ...dirs.flatMap(rules),
    "  }",
  ];
  return [
    "#!/usr/sbin/nft -f",
    commentLine(`# quorate gameday: ${enactedName(s, o)} — ${hp.what} (site ${hp.site}) cut off from the other side's declared ranges`),
    `# apply on every host in ${hp.hosts.join(", ")}, LAST (after the chaos manifests); roll back FIRST: nft delete table inet ${NFT_TABLE}`,
    `# a dead-man timer deletes the table ${deadman} s after the cut began (the runbook's DEADLINE), even if this host becomes unreachable (see RUNBOOK.md)`,
    "# the chains run at priority 0, after kube-proxy's DNAT: a ClusterIP is kept or dropped by the pod it is translated to",
    ...nodesComments(hp),
    `table inet ${NFT_TABLE} {`,
    ...set("cut4", "ipv4_addr", v4),
    ...set("cut6", "ipv6_addr", v6),
    ...set("mgmt4", "ipv4_addr", m4),
    ...set("mgmt6", "ipv6_addr", m6),
    ...set("pods4", "ipv4_addr", p4),
    ...set("pods6", "ipv6_addr", p6),
    ...chain("input", "input", ["saddr"]),
    ...chain("output", "output", ["daddr"]),
    ...chain("forward", "forward", ["saddr", "daddr"]),
    "}",
    "",
  ].join("\n");
}

/** The host files' lines on a cross-cut cluster's nodes among the hosts (review M131): what the placeholders are, what is not dropped. */
function nodesComments(hp: HostPlan): string[] {
  return (hp.nodesOf ?? []).map((n) =>
    commentLine(
      `# these hosts are nodes of ${n.cluster}: ${[n.placeholder4, n.placeholder6].filter((x) => x).join(" and ")} = the pod CIDRs of its nodes here (RUNBOOK.md Pre-flight; the file loads only once filled in), kept from the drop of ${n.pods.join(", ")}${n.services.length ? `; its service range ${n.services.join(", ")} is not dropped (a ClusterIP is judged by its backend)` : ""}`,
    ),
  );
}

function hostPlan(site: string, what: string, hosts: string[], targets: string[], base: string): HostPlan {
  const has = (v6: boolean) => targets.some((x) => x.includes(":") === v6);
  return {
    site,
    what,
    hosts,
    targets,
    file: `${base}.nft`,
    ...(has(false) ? { iptables: `${base}.iptables` } : {}),
    ...(has(true) ? { ip6tables: `${base}.ip6tables` } : {}),
  };
}

/**
 * The nftables rules for hosts that have only iptables, in iptables-restore format (load with
 * `iptables-restore --noflush`): a chain of its own, jumped to first from INPUT, OUTPUT and
 * FORWARD; management ranges return before the drops. The roll-back deletes the jumps and the chain.
 */
function iptablesRules(hp: HostPlan, s: Scenario, o: GameDayOptions, family: 4 | 6): string {
  const v6 = family === 6;
  const cut = hp.targets.filter((x) => x.includes(":") === v6);
  const mgmt = (o.managementRanges ?? []).filter((x) => x.includes(":") === v6);
  const tool = v6 ? "ip6tables" : "iptables";
  const pods = (hp.nodesOf ?? []).flatMap((n) => (v6 ? n.placeholder6 : n.placeholder4) ?? []);
  return [
    commentLine(
      `# quorate gameday: ${enactedName(s, o)} — ${hp.what} (site ${hp.site}) cut off from the other side's declared ranges (IPv${family})`,
    ),
    `# for hosts without nft: ${tool}-restore --noflush < ${v6 ? hp.ip6tables : hp.iptables}  (once: a second load adds a second jump)`,
    `# roll back FIRST: ${IPTABLES_ROLLBACK}`,
    ...nodesComments(hp),
    "*filter",
    `:${IPTABLES_CHAIN} - [0:0]`,
    ...mgmt.flatMap((m) => [`-A ${IPTABLES_CHAIN} -s ${m} -j RETURN`, `-A ${IPTABLES_CHAIN} -d ${m} -j RETURN`]),
    ...podsRules(pods, cut),
    ...cut.flatMap((c) => [`-A ${IPTABLES_CHAIN} -s ${c} -j DROP`, `-A ${IPTABLES_CHAIN} -d ${c} -j DROP`]),
    ...["INPUT", "OUTPUT", "FORWARD"].map((c) => `-I ${c} 1 -j ${IPTABLES_CHAIN}`),
    "COMMIT",
    "",
  ].join("\n");
}

/**
 * The iptables rules before the drops for the pod CIDRs of a cross-cut cluster's nodes among the
 * hosts (review M131): a packet is dropped when either end is in the cut and not one of those pods.
 * From those pods, only the destination decides; to them, only the source; between them, nothing.
 */
function podsRules(pods: readonly string[], cut: readonly string[]): string[] {
  const a = (rule: string) => `-A ${IPTABLES_CHAIN} ${rule}`;
  return [
    ...pods.flatMap((p) => pods.map((q) => a(`-s ${p} -d ${q} -j RETURN`))),
    ...pods.flatMap((p) => [...cut.map((c) => a(`-s ${p} -d ${c} -j DROP`)), a(`-s ${p} -j RETURN`)]),
    ...pods.flatMap((p) => [...cut.map((c) => a(`-s ${c} -d ${p} -j DROP`)), a(`-d ${p} -j RETURN`)]),
  ];
}

const LABELS = { "app.kubernetes.io/managed-by": "quorate", "app.kubernetes.io/part-of": "quorate-gameday" };

function networkChaos(ns: string, slug: string[], targets: string[], duration: string) {
  return {
    apiVersion: "chaos-mesh.org/v1alpha1",
    kind: "NetworkChaos",
    metadata: { name: resourceName(slug), namespace: ns, labels: LABELS },
    spec: {
      action: "partition",
      mode: "all",
      selector: { namespaces: [ns] },
      // egress from every selected pod to the other side: each side applies its own, so both directions are cut
      direction: "to",
      externalTargets: targets,
      duration,
    },
  };
}

function chaosEngine(ns: string, slug: string[], targets: string[], seconds: number) {
  return {
    apiVersion: "litmuschaos.io/v1alpha1",
    kind: "ChaosEngine",
    metadata: { name: resourceName(slug), namespace: ns, labels: LABELS },
    spec: {
      engineState: "active",
      appinfo: { appns: ns },
      chaosServiceAccount: "pod-network-partition-sa",
      experiments: [
        {
          name: "pod-network-partition",
          spec: {
            components: {
              env: [
                { name: "TOTAL_CHAOS_DURATION", value: String(seconds) },
                { name: "DESTINATION_IPS", value: targets.join(",") },
                { name: "POLICY_TYPES", value: "all" },
                { name: "PODS_AFFECTED_PERC", value: "100" },
              ],
            },
          },
        },
      ],
    },
  };
}

/** What runs on a cluster's host network, by its mesh: "etcd, Cilium agents, gateways on its nodes". */
function hostNetworkOf(c: Cluster): string {
  if (c.mesh === "submariner") return "etcd, the Submariner gateway and route agents on its nodes";
  return c.mesh === "clustermesh" ? "etcd, Cilium agents, gateways on its nodes" : "etcd, gateways on its nodes";
}
