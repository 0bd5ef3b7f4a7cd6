/**
 * The lean evaluator: the what-if engine's judgement (shared design/whatif.md) of a state in
 * which some sites are down (lost) and some links are down (cut), with no sentences and no
 * allocation per state — sites and links as flags and index arrays, reachability by one
 * lookup. availability.md enumerates millions of states with it; a property test holds it
 * equal to the engine (`whatif/engine`). Pure: no editor, no connection, no Node APIs.
 */
import { lagBytesNeeded } from "../math/lag";
import { majority, total } from "../math/quorum";
import { votingCounts } from "../derive/reach";
import { cmp, fromNumber, toNumber } from "../math/rational";
import { loadOf, scenario as loadScenario, overCapacity, type Shift } from "../math/traffic";
import type { TopologyContext } from "../derive/context";
import type { Cluster, Link, Store, Traffic } from "../model/topology";
import { loadBackends, shiftOf } from "../derive/loads";
import { relaysThroughFollowers } from "../derive/latency";
import { clientSitesOf, standbyWriters } from "../derive/writes";
import { etcdLostWithCluster } from "../derive/siteloss";
import { controlPlaneOf } from "../derive/controlplane";

/** The sites and links of a design, indexed; `q` is each one's probability of being down. */
export interface LeanDesign {
  readonly sites: readonly string[];
  readonly siteIndex: ReadonlyMap<string, number>;
  readonly siteQ: Float64Array;
  /** 1 where the site declares an availability (`availability: 1` is declared: never failing, said so; absent is taken at 1) */
  readonly siteDeclared: Uint8Array;
  /** one per distinct site pair with a declared link (the first declaration wins, as the rules read it) */
  readonly links: readonly { readonly a: number; readonly b: number; readonly q: number; readonly link: Link }[];
  /** n × n: the link between two sites, or −1 */
  readonly linkAt: Int32Array;
  /** declared `availability` values outside (0, 1] (the schema reports them): nothing is computed */
  readonly invalid: readonly string[];
  /** whether any site or link declares an availability (else no figure is computed) */
  readonly declared: boolean;
}

/** A state: which sites are up and which links carry traffic (1 = up). */
export interface LeanState {
  readonly siteUp: Uint8Array;
  readonly linkUp: Uint8Array;
}

export const QUORUM_CONTINUES = 0;
export const QUORUM_MINORITY_STOPS = 1;
export const QUORUM_STOPS = 2;
export const QUORUM_LOST = 3;
export const QUORUM_OUTCOMES = ["continues", "minority-stops", "stops", "lost"] as const;

export const STORE_CONTINUES = 0;
export const STORE_WRITES_STOP = 1;
export const STORE_CORRUPTS = 2;
export const STORE_DIVERGES = 3;
export const STORE_OUTCOMES = ["continues", "writes-stop", "corrupts", "diverges"] as const;

export const TRAFFIC_SERVED = 0;
export const TRAFFIC_OVERLOADED = 1;
export const TRAFFIC_ERRORS = 2;
export const TRAFFIC_UNSERVED = 3;
export const TRAFFIC_OUTCOMES = ["served", "overloaded", "errors", "unserved"] as const;

export interface LeanQuorum {
  readonly type: "quorum";
  readonly kind: "etcd" | "consensus" | "galera";
  readonly name: string;
  readonly owner: object;
  /** member sites (indexes into the design's sites) and their counts */
  readonly sites: Int32Array;
  readonly counts: Float64Array;
  readonly majority: number;
  /** scratch: which member sites can lead in the last judged state */
  readonly canLead: Uint8Array;
  /** CockroachDB relays a write through a voting follower the client reaches (whatif/engine relaysThroughFollowers) */
  readonly relay: boolean;
  /** the sites whose clients write to it (derive/writes clientSitesOf, as whatif/engine clientSites): an etcd's own cluster's site; the backends of every traffic entry depending on a store (distinct), else its non-witness member sites */
  readonly clients: number[];
  /** the clients that may send it nothing (derive/writes standbyWriters, review M82): idle while, per entry, its peak is 0 or a weighted backend's site is up */
  readonly standbys: readonly {
    readonly site: number;
    readonly entries: readonly { readonly zero: boolean; readonly weighted: Int32Array }[];
  }[];
  /** an etcd: its cluster's site, where its only clients (the cluster's nodes, through the API servers) are; −1 otherwise */
  readonly home: number;
  /**
   * an etcd: the sites of the API servers its cluster's nodes write through (derive/controlplane, derive/writes
   * apiWrite) — their own site when it has control-plane nodes, else every control-plane site; empty otherwise
   */
  readonly apiServers: Int32Array;
  /** per `apiServers` entry: 1 when members sit there (stacked: the API server writes through its own member), 0 for an external etcd */
  readonly apiStacked: Uint8Array;
  /** scratch: the member index of the placement clients are judged at in the last judged state (−1 when it stops) */
  readonly judged: Int32Array;
}

export interface LeanStore {
  readonly type: "store";
  readonly replication: "async" | "crdt";
  readonly name: string;
  readonly owner: Store;
  /** distinct declared writer sites */
  readonly writers: Int32Array;
  /** a conflict policy (or crdt): a partition between writers diverges instead of corrupting */
  readonly policy: boolean;
}

export interface LeanBackend {
  readonly site: number;
  readonly weight: number;
  readonly capacity: number | undefined;
}

export interface LeanTraffic {
  readonly type: "traffic";
  readonly name: string;
  readonly owner: Traffic;
  readonly peak: number;
  readonly backends: readonly LeanBackend[];
  /** the stores it writes to (quorums or async/crdt stores) */
  readonly deps: readonly (LeanQuorum | LeanStore)[];
  /** scratch per backend in the last judged state */
  readonly overloaded: Uint8Array;
  readonly errors: Uint8Array;
  /** scratch per store: whether its quorum takes writes in the last judged state */
  readonly depWrites: Uint8Array;
  /** anycast or geodns: a lost site's share moves whole to one surviving site (derive/loads shiftOf, review M69) */
  readonly catchment?: boolean;
}

export type LeanEntity = LeanQuorum | LeanStore | LeanTraffic;

/** Whether two sites reach each other: the same site, or both up and their link up (never transitive). */
export function reaches(d: LeanDesign, s: LeanState, a: number, b: number): boolean {
  if (a === b) return s.siteUp[a] === 1;
  if (!s.siteUp[a] || !s.siteUp[b]) return false;
  const l = d.linkAt[a * d.sites.length + b];
  return l >= 0 && s.linkUp[l] === 1;
}

const validFraction = (v: number) => v > 0 && v <= 1;

/** Indexes the sites and links of an analysed topology with their failure probabilities. */
export function leanDesign(ctx: TopologyContext): LeanDesign {
  const sites = [...ctx.topology.siteByName.keys()];
  const siteIndex = new Map(sites.map((s, i) => [s, i]));
  const n = sites.length;
  const invalid: string[] = [];
  let declared = false;
  const siteQ = new Float64Array(n);
  const siteDeclared = new Uint8Array(n);
  sites.forEach((name, i) => {
    const a = ctx.topology.siteByName.get(name)!.availability;
    if (!a) return;
    declared = true;
    siteDeclared[i] = 1;
    if (validFraction(a.value)) siteQ[i] = 1 - a.value;
    else invalid.push(`site ${name}: availability ${a.value}`);
  });
  const linkAt = new Int32Array(n * n).fill(-1);
  const links: { a: number; b: number; q: number; link: Link }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const link = ctx.link(sites[i], sites[j]);
      if (!link) continue;
      let q = 0;
      const a = link.availability;
      if (a) {
        declared = true;
        if (validFraction(a.value)) q = 1 - a.value;
        else invalid.push(`link ${sites[i]}–${sites[j]}: availability ${a.value}`);
      }
      linkAt[i * n + j] = linkAt[j * n + i] = links.length;
      links.push({ a: i, b: j, q, link });
    }
  }
  return { sites, siteIndex, siteQ, siteDeclared, links, linkAt, invalid, declared };
}

/** Every site and link up. */
export function allUp(d: LeanDesign): LeanState {
  return { siteUp: new Uint8Array(d.sites.length).fill(1), linkUp: new Uint8Array(d.links.length).fill(1) };
}

/** A resolved quorum, indexed: its member sites and counts, an etcd's home site (its only client). */
function leanQuorum(ctx: TopologyContext, d: LeanDesign, q: TopologyContext["quorums"][number]): LeanQuorum {
  const sites = [...q.counts.keys()];
  // voters that can dial none of the others as designed never vote (derive/reach votingCounts, review M78); the majority stays n's
  const voting = votingCounts(ctx, q);
  const counts = sites.map((s) => voting.get(s)!);
  const home = q.kind === "etcd" ? etcdHome(ctx, d, q.owner as Cluster) : -1;
  return {
    type: "quorum",
    kind: q.kind,
    name: q.label,
    owner: q.owner,
    sites: Int32Array.from(sites.map((s) => d.siteIndex.get(s)!)),
    counts: Float64Array.from(counts),
    majority: majority(total(q.counts)),
    canLead: new Uint8Array(sites.length),
    relay: relaysThroughFollowers(q),
    // one list with the engine and the rule (derive/writes clientSitesOf): an etcd's home, a store's writing backends, else its non-witness members
    clients: q.kind === "etcd" ? (home >= 0 ? [home] : []) : clientSitesOf(ctx, q).sites.map((x) => d.siteIndex.get(x)!),
    standbys:
      q.kind === "etcd"
        ? []
        : standbyWriters(ctx, q.owner as Store).map((w) => ({
            site: d.siteIndex.get(w.site)!,
            entries: w.entries.map((e) => ({ zero: e.zero, weighted: Int32Array.from(e.weighted.map((x) => d.siteIndex.get(x)!)) })),
          })),
    home,
    ...apiServersOf(ctx, d, q, home),
    judged: new Int32Array(1),
  };
}

/** An etcd's API server sites for its cluster's nodes at `home` (derive/writes apiWrite), and which of them are stacked on members. */
function apiServersOf(
  ctx: TopologyContext,
  d: LeanDesign,
  q: TopologyContext["quorums"][number],
  home: number,
): { apiServers: Int32Array; apiStacked: Uint8Array } {
  if (q.kind !== "etcd" || home < 0) return { apiServers: new Int32Array(0), apiStacked: new Uint8Array(0) };
  const cp = controlPlaneOf(ctx, q.owner as Cluster).sites;
  const at = cp.includes(d.sites[home]) ? [d.sites[home]] : cp;
  return {
    apiServers: Int32Array.from(at.map((x) => d.siteIndex.get(x)!)),
    apiStacked: Uint8Array.from(at.map((x) => ((q.counts.get(x) ?? 0) > 0 ? 1 : 0))),
  };
}

/** The lean entities of a topology: resolved quorums, async/crdt stores with writers, traffic entries whose load resolves. */
export function leanEntities(ctx: TopologyContext, d: LeanDesign): LeanEntity[] {
  const out: LeanEntity[] = [];
  const byOwner = new Map<object, LeanQuorum | LeanStore>();
  for (const q of ctx.quorums) {
    if (!q.resolved || !q.counts.size) continue;
    const lq = leanQuorum(ctx, d, q);
    out.push(lq);
    byOwner.set(q.owner, lq);
  }
  for (const st of ctx.topology.stores) {
    const rep = st.replication?.value;
    if ((rep !== "async" && rep !== "crdt") || !st.name || ctx.topology.storeByName.get(st.name.value) !== st) continue;
    const writers: number[] = [];
    for (const w of st.writers?.items ?? []) {
      const i = d.siteIndex.get(w.value);
      if (i !== undefined && !writers.includes(i)) writers.push(i);
    }
    if (!writers.length) continue;
    const policy = rep === "crdt" || (st.conflictResolution !== undefined && st.conflictResolution.value !== "none");
    const ls: LeanStore = {
      type: "store",
      replication: rep,
      name: `store ${st.name.value}`,
      owner: st,
      writers: Int32Array.from(writers),
      policy,
    };
    out.push(ls);
    byOwner.set(st, ls);
  }
  for (const tr of ctx.topology.traffic) {
    if (!tr.name || tr.peakRps === undefined || ctx.topology.traffic.find((x) => x.name?.value === tr.name!.value) !== tr) continue;
    const lb = loadBackends(ctx, tr);
    if (!lb) continue;
    const deps: (LeanQuorum | LeanStore)[] = [];
    let resolved = true;
    for (const dep of tr.dependsOn?.items ?? []) {
      const st = ctx.topology.storeByName.get(dep.value);
      if (!st) continue; // ref/unknown reports it; the engine reads past it
      const e = byOwner.get(st);
      if (e) {
        if (!deps.includes(e)) deps.push(e);
      } else resolved = false;
    }
    if (!resolved) continue;
    out.push({
      type: "traffic",
      name: `traffic ${tr.name.value}`,
      owner: tr,
      peak: tr.peakRps.value,
      backends: lb.map((b) => ({ site: d.siteIndex.get(b.site!)!, weight: b.weight, capacity: b.capacity })),
      deps,
      overloaded: new Uint8Array(lb.length),
      errors: new Uint8Array(lb.length),
      depWrites: new Uint8Array(deps.length),
      ...(shiftOf(tr) === "catchment" ? { catchment: true } : {}),
    });
  }
  return out;
}

/** The site of an etcd's cluster (its nodes, the API's only clients), or −1 when the cluster names no declared site. */
function etcdHome(ctx: TopologyContext, d: LeanDesign, c: Cluster): number {
  const name = c.name?.value;
  const site = name ? ctx.siteOfCluster(name) : undefined;
  return site === undefined ? -1 : (d.siteIndex.get(site) ?? -1);
}

/** Galera: whether the member sites reaching member `i` all see each other (a primary component). */
function clique(d: LeanDesign, s: LeanState, q: LeanQuorum, i: number): boolean {
  const k = q.sites.length;
  for (let a = 0; a < k; a++) {
    if (!reaches(d, s, q.sites[a], q.sites[i])) continue;
    for (let b = a + 1; b < k; b++) if (reaches(d, s, q.sites[b], q.sites[i]) && !reaches(d, s, q.sites[a], q.sites[b])) return false;
  }
  return true;
}

/**
 * Whether writes from `client` fail with the leader at member `l` (Galera: the primary component
 * of the members reaching `l`) — the engine's writePath: direct, through a voting follower
 * (CockroachDB), or for Galera the client's own node, else the nearest node of the component.
 */
function failsAt(d: LeanDesign, s: LeanState, q: LeanQuorum, l: number, client: number): boolean {
  const leader = q.sites[l];
  const k = q.sites.length;
  if (q.kind === "galera") {
    let own = false;
    for (let m = 0; m < k; m++) {
      if (q.sites[m] !== client || !(q.counts[m] > 0)) continue;
      own = true;
      if (reaches(d, s, client, leader)) return false;
    }
    if (own) return true; // its own node is left out of the primary component
    for (let m = 0; m < k; m++) if (q.counts[m] > 0 && reaches(d, s, q.sites[m], leader) && reaches(d, s, client, q.sites[m])) return false;
    return true;
  }
  if (q.kind === "etcd" && client === q.home) return !apiReaches(d, s, q, leader, client);
  if (reaches(d, s, client, leader)) return false;
  if (!q.relay) return true;
  for (let m = 0; m < k; m++)
    if (m !== l && q.counts[m] > 0 && reaches(d, s, q.sites[m], leader) && reaches(d, s, client, q.sites[m])) return false;
  return true;
}

/**
 * Whether an etcd's cluster's nodes at `home` write with the leader at site `leader` (derive/writes
 * apiWrite): through an API server they reach, stacked on a member that reaches the leader, or over
 * an external etcd through any voting member it reaches that does. Never to a witness's member directly.
 */
function apiReaches(d: LeanDesign, s: LeanState, q: LeanQuorum, leader: number, home: number): boolean {
  for (let i = 0; i < q.apiServers.length; i++) {
    const a = q.apiServers[i];
    if (!reaches(d, s, home, a)) continue;
    if (q.apiStacked[i]) {
      if (reaches(d, s, a, leader)) return true;
      continue;
    }
    for (let m = 0; m < q.sites.length; m++)
      if (q.counts[m] > 0 && reaches(d, s, a, q.sites[m]) && reaches(d, s, q.sites[m], leader)) return true;
  }
  return false;
}

/** Whether client site `c` sends the quorum nothing in state `s`: a standby while a weighted backend of each of its entries is up (whatif/engine clientSites). */
function idleClient(s: LeanState, q: LeanQuorum, c: number): boolean {
  for (const w of q.standbys) {
    if (w.site !== c) continue;
    for (const e of w.entries) {
      if (e.zero) continue;
      let any = false;
      for (let k = 0; k < e.weighted.length && !any; k++) if (s.siteUp[e.weighted[k]]) any = true;
      if (!any) return false;
    }
    return true;
  }
  return false;
}

/**
 * The placement clients are judged at (whatif/engine choosePlacements): the one leaving the most
 * up client sites failing, ties to the first member site (Galera: one per primary component).
 */
function judgePlacement(d: LeanDesign, s: LeanState, q: LeanQuorum): void {
  let best = -1;
  let most = -1;
  for (let l = 0; l < q.sites.length; l++) {
    if (!q.canLead[l]) continue;
    let failing = 0;
    for (const c of q.clients) if (s.siteUp[c] && !idleClient(s, q, c) && failsAt(d, s, q, l, c)) failing++;
    if (failing > most) {
      most = failing;
      best = l;
    }
  }
  q.judged[0] = best;
}

/** A quorum's outcome in a state; fills `q.canLead` and `q.judged`. */
export function judgeQuorum(d: LeanDesign, s: LeanState, q: LeanQuorum): number {
  const k = q.sites.length;
  let anyUp = false;
  let anyLead = false;
  q.judged[0] = -1;
  for (let i = 0; i < k; i++) {
    q.canLead[i] = 0;
    const si = q.sites[i];
    if (!s.siteUp[si]) continue;
    anyUp = true;
    // a site whose members never vote (votingCounts) is no member site: it leads nothing
    if (!(q.counts[i] > 0)) continue;
    let votes = 0;
    for (let j = 0; j < k; j++) if (reaches(d, s, si, q.sites[j])) votes += q.counts[j];
    if (votes >= q.majority && (q.kind !== "galera" || clique(d, s, q, i))) {
      q.canLead[i] = 1;
      anyLead = true;
    }
  }
  // stopped with its cluster's site lost: lost with the cluster, as the engine says (derive/siteloss homeSite,
  // etcdLostWithCluster); a live cluster whose whole etcd was at lost sites stops
  if (!anyLead)
    return q.kind === "etcd" && etcdLostWithCluster(q.home >= 0 ? !s.siteUp[q.home] : undefined, !anyUp) ? QUORUM_LOST : QUORUM_STOPS;
  judgePlacement(d, s, q);
  // every surviving member site reaches every site that can lead
  for (let i = 0; i < k; i++) {
    if (!s.siteUp[q.sites[i]] || !(q.counts[i] > 0)) continue;
    for (let j = 0; j < k; j++) if (q.canLead[j] && !reaches(d, s, q.sites[i], q.sites[j])) return QUORUM_MINORITY_STOPS;
  }
  return QUORUM_CONTINUES;
}

/**
 * Whether an etcd's cluster can write to its API in a state (`outcome`: judgeQuorum's, which
 * filled `q.judged`): its site is up, the quorum has a leader, and the cluster's nodes reach it
 * at the placement the engine judges — the one worst for them (whatif/engine judgeClusterApis:
 * up, not `apiStops`, its etcd neither stopped nor lost). An etcd's quorum figure counts states
 * in which its own cluster is lost, or its members there are the stopped minority: its
 * cluster's API does not. Without a home site: the quorum's own judgement.
 */
export function apiWrites(d: LeanDesign, s: LeanState, q: LeanQuorum, outcome: number): boolean {
  if (outcome >= QUORUM_STOPS) return false;
  if (q.home < 0) return true;
  return s.siteUp[q.home] === 1 && q.judged[0] >= 0 && !failsAt(d, s, q, q.judged[0], q.home);
}

/** An async/crdt store's outcome in a state. */
export function judgeStore(d: LeanDesign, s: LeanState, st: LeanStore): number {
  const w = st.writers;
  let up = 0;
  for (let i = 0; i < w.length; i++) {
    if (!s.siteUp[w[i]]) continue;
    up++;
    for (let j = i + 1; j < w.length; j++) {
      if (s.siteUp[w[j]] && !reaches(d, s, w[i], w[j])) return st.policy ? STORE_DIVERGES : STORE_CORRUPTS;
    }
  }
  return up ? STORE_CONTINUES : STORE_WRITES_STOP;
}

/** Whether two up writer sites of a store cannot reach each other (the conflict exposure). */
export function writersPartitioned(d: LeanDesign, s: LeanState, st: LeanStore): boolean {
  const w = st.writers;
  for (let i = 0; i < w.length; i++) {
    if (!s.siteUp[w[i]]) continue;
    for (let j = i + 1; j < w.length; j++) if (s.siteUp[w[j]] && !reaches(d, s, w[i], w[j])) return true;
  }
  return false;
}

/**
 * Whether a backend at `site` can write to a store: for a quorum (`writes` is its judgement in
 * this state, `canLead`/`judged` filled by it), its writes do not fail at the placement the
 * engine judges (`atJudged`: the worst, whatif/engine) or some site that can lead reaches it (the
 * best case, which the availability figures read); some up writer of an async/crdt store reaches it.
 */
function canWrite(d: LeanDesign, s: LeanState, dep: LeanQuorum | LeanStore, writes: boolean, site: number, atJudged: boolean): boolean {
  if (dep.type === "quorum") {
    if (!writes) return false;
    if (atJudged) return dep.judged[0] >= 0 && !failsAt(d, s, dep, dep.judged[0], site);
    for (let i = 0; i < dep.sites.length; i++) if (dep.canLead[i] && reaches(d, s, site, dep.sites[i])) return true;
    return false;
  }
  for (let i = 0; i < dep.writers.length; i++) if (reaches(d, s, site, dep.writers[i])) return true;
  return false;
}

/**
 * The stores backend `i` of `t` cannot write to in state `s`, as judgeTraffic (called just before,
 * with the same `atJudged`) found them: why a backend errs, for the sentences (availability/failover).
 */
export function unwritable(d: LeanDesign, s: LeanState, t: LeanTraffic, i: number, atJudged = false): (LeanQuorum | LeanStore)[] {
  return t.deps.filter((dep, k) => !canWrite(d, s, dep, t.depWrites[k] === 1, t.backends[i].site, atJudged));
}

const safe = Number.isSafeInteger;

/** The result of judging a traffic entry: its outcome and the requests per second it loses (availability.md's lost(state)). */
export interface TrafficJudgement {
  outcome: number;
  lostRps: number;
  /** when given (one entry per backend): each up backend's load in the state, 0 for the others (availability/failover reads it) */
  loads?: Float64Array;
}

/**
 * A traffic entry's outcome in a state, the worst of unserved > errors > overloaded > served
 * (whatif.md), and the rps lost: all of `peakRps` when no backend remains, else per backend
 * its load when it errors, or its load above capacity. Fills `t.overloaded` and `t.errors`.
 * `atJudged`: a backend writes to a quorum as the engine judges it — at the placement worst for
 * the clients under a cut (the property test); else when any site that can lead reaches it.
 */
export function judgeTraffic(d: LeanDesign, s: LeanState, t: LeanTraffic, out: TrafficJudgement, atJudged = false): TrafficJudgement {
  const bs = t.backends;
  let sum = 0;
  let integers = true;
  for (let i = 0; i < bs.length; i++) {
    if (!s.siteUp[bs[i].site]) continue;
    sum += bs[i].weight;
    if (!safe(bs[i].weight)) integers = false;
  }
  t.overloaded.fill(0);
  t.errors.fill(0);
  out.loads?.fill(0);
  // each quorum judged once per state (its canLead is then read per backend); one entry depends on a few stores
  for (let k = 0; k < t.deps.length; k++) {
    const dep = t.deps[k];
    t.depWrites[k] = dep.type === "quorum" && judgeQuorum(d, s, dep) >= QUORUM_STOPS ? 0 : 1;
  }
  let anyOver = false;
  let anyErr = false;
  let lost = 0;
  const moved = movedLoads(t, s, sum);
  // weights are never negative (schema): a zero sum with no standby up leaves nothing to carry the load
  const unserved = sum === 0 && !moved;
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i];
    if (!s.siteUp[b.site]) continue;
    // unserved: flags still judged
    const load = unserved ? 0 : moved ? moved.load[i] : (t.peak * b.weight) / sum;
    if (out.loads) out.loads[i] = load;
    let err = false;
    for (let k = 0; k < t.deps.length && !err; k++) if (!canWrite(d, s, t.deps[k], t.depWrites[k] === 1, b.site, atJudged)) err = true;
    const over = moved ? moved.over[i] === 1 : backendOver(t, s, i, sum, integers);
    // a backend carrying 0 rps (a standby while a weighted backend is up) sends no writes: it never errs (whatif/engine, review M82)
    if (err && load > 0) {
      t.errors[i] = 1;
      anyErr = true;
      lost += load;
    } else if (over) lost += load - b.capacity!;
    if (over) {
      t.overloaded[i] = 1;
      anyOver = true;
    }
  }
  out.outcome = unserved ? TRAFFIC_UNSERVED : anyErr ? TRAFFIC_ERRORS : anyOver ? TRAFFIC_OVERLOADED : TRAFFIC_SERVED;
  out.lostRps = unserved ? t.peak : lost;
  return out;
}

/** Whether backend `i` (its site up) is sent more than its capacity: `sum` the up weights, `integers` whether they are all safe integers. */
function backendOver(t: LeanTraffic, s: LeanState, i: number, sum: number, integers: boolean): boolean {
  const b = t.backends[i];
  if (b.capacity === undefined || sum <= 0) return false;
  const l = t.peak * b.weight;
  const r = b.capacity * sum;
  return integers && safe(t.peak) && safe(b.capacity) && safe(l) && safe(r) ? l > r : exactOver(t, s, i);
}

/** Pinned leader placements tried at most for the best placement (a product over the entry's quorums' member sites); beyond, the first ones in site order. */
export const MAX_PLACEMENTS = 256;

/**
 * The rps a traffic entry loses in a state with each quorum's leader pinned, for each of
 * `pins` (`pins[c][k]`: an index into the member sites of the k-th quorum in `t.deps`), into
 * `out[c]`. A pin is what lease preferences give: the leader sits at the pinned site while that
 * site can lead; when it cannot (down, or on a minority's side), leadership is wherever the
 * election put it, nobody chooses, and the one placement among the sites that can lead losing
 * the most is judged, as the figures' lower end is (review M95; beyond MAX_PLACEMENTS of them,
 * each backend at the placement worst for it). So a pin never loses more than the lower end, and where each
 * quorum has one site that can lead, every pin loses what the engine says. Lost as in
 * judgeTraffic: an erroring backend its load, an overloaded one the excess.
 */
export function judgeTrafficPinned(d: LeanDesign, s: LeanState, t: LeanTraffic, pins: readonly Int32Array[], out: Float64Array): void {
  const bs = t.backends;
  let sum = 0;
  let integers = true;
  for (const b of bs)
    if (s.siteUp[b.site]) {
      sum += b.weight;
      if (!safe(b.weight)) integers = false;
    }
  const moved = movedLoads(t, s, sum);
  if (sum === 0 && !moved) {
    out.fill(t.peak, 0, pins.length);
    return;
  }
  const quorums: LeanQuorum[] = [];
  let stopped = false;
  for (const dep of t.deps)
    if (dep.type === "quorum") {
      quorums.push(dep);
      if (judgeQuorum(d, s, dep) >= QUORUM_STOPS) stopped = true;
    }
  // per backend: what it loses erroring and otherwise; whether it errors whatever the pins
  // (a store it cannot write, a quorum stopped); per quorum and member site, whether its writes
  // fail there (fails[k][l], −1 where that site cannot lead) and at the worst placement (worst[k])
  const out0 = new Float64Array(bs.length);
  const errLoss = new Float64Array(bs.length);
  const always = new Uint8Array(bs.length);
  const fails = quorums.map((q) => Array.from({ length: q.sites.length }, () => new Int8Array(bs.length)));
  const worst = quorums.map(() => new Uint8Array(bs.length));
  for (let i = 0; i < bs.length; i++) {
    if (!s.siteUp[bs[i].site]) continue;
    const load = moved ? moved.load[i] : (t.peak * bs[i].weight) / sum;
    errLoss[i] = load;
    out0[i] = (moved ? moved.over[i] === 1 : backendOver(t, s, i, sum, integers)) ? load - bs[i].capacity! : 0;
    if (stopped) always[i] = 1;
    for (const dep of t.deps) if (dep.type === "store" && !canWrite(d, s, dep, true, bs[i].site, false)) always[i] = 1;
    if (always[i]) continue;
    quorums.forEach((q, k) => {
      for (let l = 0; l < q.sites.length; l++) {
        const f = q.canLead[l] ? (failsAt(d, s, q, l, bs[i].site) ? 1 : 0) : -1;
        fails[k][l][i] = f;
        if (f === 1) worst[k][i] = 1;
      }
    });
  }
  // the rps lost with each quorum's leader at `at[k]` (−1: each backend at the placement worst for it)
  const lostAt = (at: Int32Array) => {
    let lost = 0;
    for (let i = 0; i < bs.length; i++) {
      if (!s.siteUp[bs[i].site]) continue;
      let err = always[i] === 1;
      for (let k = 0; k < quorums.length && !err; k++) err = at[k] === -1 ? worst[k][i] === 1 : fails[k][at[k]][i] === 1;
      lost += err ? errLoss[i] : out0[i];
    }
    return lost;
  };
  pinnedLosses(quorums, pins, out, lostAt);
}

/**
 * Each pin's loss in a state (judgeTrafficPinned): `lostAt(at)` with every quorum's leader at
 * its pin where that site can lead. A pinned site that cannot lead: leadership is wherever the
 * election put it — the one placement among the sites that can lead losing the most, as the
 * figures' lower end judges it (review M95); a stopped quorum errs every backend anyway.
 */
function pinnedLosses(
  quorums: readonly LeanQuorum[],
  pins: readonly Int32Array[],
  out: Float64Array,
  lostAt: (at: Int32Array) => number,
): void {
  let leaders: number[][] | undefined;
  const at = new Int32Array(quorums.length);
  // pins whose fallen-back quorums and kept pins agree lose the same: judged once a state (one quorum: every pin that cannot lead)
  let fallback: Map<number, number> | undefined;
  const keyed = quorums.reduce((a, q) => a * (q.sites.length + 1), 1) <= Number.MAX_SAFE_INTEGER;
  const fallenBack = (pin: Int32Array): number => {
    leaders ??= quorums.map((q) => {
      const ls: number[] = [];
      for (let l = 0; l < q.sites.length; l++) if (q.canLead[l]) ls.push(l);
      return ls;
    });
    const ls = leaders;
    let combos = 1;
    let key = 0;
    for (let k = 0; k < quorums.length; k++) {
      const kept = quorums[k].canLead[pin[k]] === 1;
      if (!kept) combos *= Math.max(1, ls[k].length);
      key = key * (quorums[k].sites.length + 1) + (kept ? pin[k] + 1 : 0);
    }
    if (combos === 1 || combos > MAX_PLACEMENTS) {
      for (let k = 0; k < quorums.length; k++) if (!quorums[k].canLead[pin[k]]) at[k] = ls[k].length === 1 ? ls[k][0] : -1;
      return lostAt(at);
    }
    fallback ??= new Map();
    const known = keyed ? fallback.get(key) : undefined;
    if (known !== undefined) return known;
    let most = 0;
    for (let x = 0; x < combos; x++) {
      let rest = x;
      for (let k = 0; k < quorums.length; k++) {
        if (quorums[k].canLead[pin[k]] || !ls[k].length) continue;
        at[k] = ls[k][rest % ls[k].length];
        rest = Math.floor(rest / ls[k].length);
      }
      most = Math.max(most, lostAt(at));
    }
    if (keyed) fallback.set(key, most);
    return most;
  };
  pins.forEach((pin, c) => {
    let kept = true;
    for (let k = 0; k < quorums.length; k++) {
      at[k] = pin[k];
      if (!quorums[k].canLead[pin[k]]) kept = false;
    }
    out[c] = kept ? lostAt(at) : fallenBack(pin);
  });
}

/**
 * The loads in state `s` where they do not split by weight (math/traffic, as simulate judges
 * them): catchment steering (derive/loads shiftOf, review M69) with a site down — the lost share
 * whole at the surviving site it leaves the least headroom — or every up backend a standby
 * (weight 0, review M82) — they share the load equally. Each backend's load and whether it is
 * over its capacity; undefined where the share splits by weight.
 */
export function movedLoads(t: LeanTraffic, s: LeanState, upSum: number): { load: Float64Array; over: Uint8Array } | undefined {
  // the usual case in O(1): split by weight, some weight up (`upSum`: Σ the up backends' weights)
  if (!t.catchment && upSum !== 0) return undefined;
  let anyUp = false;
  let anyDown = false;
  let upWeight = 0;
  for (const b of t.backends)
    if (s.siteUp[b.site]) {
      anyUp = true;
      upWeight += b.weight;
    } else anyDown = true;
  const standby = anyUp && upWeight === 0;
  if (!standby && !(t.catchment && anyDown)) return undefined;
  const sc = exactScenario(t, s, t.catchment ? "catchment" : "weight");
  if (sc.heir === undefined && !sc.standby) return undefined;
  return {
    load: Float64Array.from(t.backends, (_, i) => (sc.up[i] ? toNumber(loadOf(sc, i)!) : 0)),
    over: Uint8Array.from(t.backends, (_, i) => (overCapacity(sc, i) ? 1 : 0)),
  };
}

/** The exact load scenario (math/traffic, as the rules judge it) of state `s`, sites by index. */
function exactScenario(t: LeanTraffic, s: LeanState, shift: Shift = "weight") {
  const backends = t.backends.map((b) => ({ site: String(b.site), weight: b.weight, capacity: b.capacity }));
  return loadScenario(t.peak, backends, (site) => site !== undefined && !s.siteUp[Number(site)], shift);
}

/** Fractional weights or capacities: the exact rational comparison the rules use (rare). */
export function exactOver(t: LeanTraffic, s: LeanState, i: number): boolean {
  return overCapacity(exactScenario(t, s), i);
}

/** The sites an entity's judgement reads (member, writer, backend and dependency sites), sorted. */
export function entitySites(e: LeanEntity): number[] {
  const set = new Set<number>();
  const add = (x: LeanQuorum | LeanStore) => {
    for (const i of x.type === "quorum" ? x.sites : x.writers) set.add(i);
  };
  if (e.type === "traffic") {
    for (const b of e.backends) set.add(b.site);
    for (const dep of e.deps) add(dep);
  } else {
    add(e);
    if (e.type === "quorum" && e.home >= 0) set.add(e.home);
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * The links an entity's judgement reads: among a quorum's member sites, among a store's
 * writers; for a traffic entry, those among its quorums' members and those from each
 * backend's site to each of its stores' sites (none to a store the backend's own site writes
 * to: it reaches that one without a link). Link indexes, sorted.
 */
export function entityLinks(d: LeanDesign, e: LeanEntity): number[] {
  const set = new Set<number>();
  const n = d.sites.length;
  const among = (xs: ArrayLike<number>, ys: ArrayLike<number>) => {
    for (let i = 0; i < xs.length; i++)
      for (let j = 0; j < ys.length; j++) {
        const l = xs[i] === ys[j] ? -1 : d.linkAt[xs[i] * n + ys[j]];
        if (l >= 0) set.add(l);
      }
  };
  const own = (x: LeanQuorum | LeanStore) => (x.type === "quorum" ? x.sites : x.writers);
  if (e.type === "traffic") {
    for (const dep of e.deps) {
      if (dep.type === "quorum") among(dep.sites, dep.sites);
      const from = e.backends.map((b) => b.site).filter((x) => dep.type === "quorum" || !dep.writers.includes(x));
      among(from, own(dep));
    }
  } else {
    among(own(e), own(e));
    if (e.type === "quorum" && e.home >= 0) among([e.home], e.sites);
  }
  return [...set].sort((a, b) => a - b);
}

/** RPO of an async store, in seconds: maxLagSeconds; Infinity when the lag buffer cannot hold that tail; undefined without maxLagSeconds. */
export function asyncRpo(st: Store): number | undefined {
  const lag = st.maxLagSeconds?.value;
  if (lag === undefined) return undefined;
  const { writeRatePerSecond: rate, writeBytes: size, lagBufferBytes: buffer } = st;
  if (rate && size && buffer && cmp(lagBytesNeeded(lag, rate.value, size.value), fromNumber(buffer.value)) > 0) return Infinity;
  return lag;
}
