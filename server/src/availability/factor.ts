/**
 * How an entity's states are judged (availability.md "How it is computed"), by factoring:
 * the states of its sites — and of the links more than one of its parts reads — are
 * enumerated; given each, the links that only one part reads are independent of each other,
 * and what they do is summed in closed form instead of state by state. A store's writers
 * partitioned is one minus the product of the availabilities of the links among its up
 * writers; a backend that cannot write is the probability that every link from its site to
 * the store's usable sites is down. Exact — the same sums as judging every state whole, which
 * `wholePlan` still does (quorums, and the property test that holds the two equal) — and it
 * turns the C(210, 6) states of twenty writers and their links into the 6,196 states of their
 * sites. Pure: no editor, no connection, no Node APIs.
 */
import { type Component, componentsOf, type CutSets, MAX_CUT_ORDER } from "./enumerate";
import {
  apiWrites,
  entityLinks,
  entitySites,
  judgeQuorum,
  judgeStore,
  type LeanDesign,
  type LeanQuorum,
  type LeanState,
  type LeanStore,
  type LeanEntity,
  type LeanTraffic,
  QUORUM_STOPS,
  STORE_CONTINUES,
  STORE_CORRUPTS,
  STORE_DIVERGES,
  STORE_WRITES_STOP,
  TRAFFIC_ERRORS,
  TRAFFIC_OVERLOADED,
  TRAFFIC_SERVED,
  TRAFFIC_UNSERVED,
  exactOver,
  MAX_PLACEMENTS,
  movedLoads,
  reaches,
} from "./lean";

/** What the judged states add up to, weighted by their probability. */
export interface Tally {
  /** P(the entity does not work) */
  down: number;
  /** P(two up writers cannot reach each other) (multi-writer stores) */
  conflict: number;
  /** expected rps lost (traffic) */
  lostRps: number;
  /** an etcd: P(its quorum takes no writes anywhere) — `down` is its cluster's API (lean apiWrites) */
  quorumDown: number;
  /** an etcd: P(its cluster's API takes no writes) by cause — its site down, its quorum stopped, its nodes cut off from the leader, its API servers' sites down (API_HOME_DOWN …) */
  readonly apiCause: Float64Array;
  /** P(each outcome), indexed by the entity's outcome words */
  readonly outcomeP: Float64Array;
  readonly cuts: CutSets;
}

/** Why an etcd's cluster cannot write to its API: its site is down, its quorum stopped, or its nodes do not reach the leader (its members there the stopped minority at the worst placement). */
export const API_HOME_DOWN = 0;
export const API_QUORUM_STOPS = 1;
export const API_CUT_OFF = 2;
/** … or, its site up and its quorum writing, every site of the API servers its nodes write through down: a control plane elsewhere whose majority etcd-only witness members keep (a site loss, said apart from a cut) */
export const API_SERVERS_DOWN = 3;

/** Why an etcd's cluster takes no API writes in state `s` (its quorum's outcome `o`): the first of its site down, its quorum stopped, every API server's site down, else cut off. */
function apiCauseOf(s: LeanState, e: LeanQuorum, o: number): number {
  if (!s.siteUp[e.home]) return API_HOME_DOWN;
  if (o >= QUORUM_STOPS) return API_QUORUM_STOPS;
  if (!e.apiServers.length) return API_CUT_OFF;
  for (let i = 0; i < e.apiServers.length; i++) if (s.siteUp[e.apiServers[i]]) return API_CUT_OFF;
  return API_SERVERS_DOWN;
}

/** How one entity's states are judged. */
export interface Plan {
  /** enumerated state by state (sites, and links more than one part reads) */
  readonly core: Component[];
  /** summed in closed form given each core state; component index = core.length + position */
  readonly closed: Component[];
  /** judges one core state (`failed`: indexes into `core` of those down) into the tally */
  judge(s: LeanState, p: number, failed: readonly number[], t: Tally): void;
}

/** At most this many reach requirements per backend site (a store, or a site that can lead one) are summed in closed form (2^k terms at worst); more are judged whole. */
const MAX_REQUIREMENTS = 12;

/** The plan for an entity: factored for stores and traffic entries, whole for quorums. */
export function planOf(d: LeanDesign, e: LeanEntity): Plan {
  if (e.type === "store") return storePlan(d, e);
  if (e.type === "traffic")
    return trafficPlan(d, e, e.deps.reduce((a, dep) => a + (dep.type === "quorum" ? dep.sites.length : 1), 0) > MAX_REQUIREMENTS);
  return wholePlan(d, e);
}

/** Every component enumerated and each state judged whole (no closed form): quorums, and the reference the property test compares with. */
export function wholePlan(d: LeanDesign, e: LeanEntity): Plan {
  if (e.type === "traffic") return trafficPlan(d, e, true);
  const core = componentsOf(d, entitySites(e), entityLinks(d, e));
  return {
    core,
    closed: [],
    judge(s, p, failed, t) {
      let ok: boolean;
      if (e.type === "quorum") {
        const o = judgeQuorum(d, s, e);
        t.outcomeP[o] += p;
        if (o >= QUORUM_STOPS) t.quorumDown += p;
        ok = apiWrites(d, s, e, o);
        if (!ok && e.home >= 0) t.apiCause[apiCauseOf(s, e, o)] += p;
      } else {
        const o = judgeStore(d, s, e);
        t.outcomeP[o] += p;
        ok = o !== STORE_WRITES_STOP && o !== STORE_CORRUPTS;
        if (e.writers.length > 1 && (o === STORE_DIVERGES || o === STORE_CORRUPTS)) t.conflict += p;
      }
      if (!ok) {
        t.down += p;
        t.cuts.add(failed);
      }
    },
  };
}

/** −log of nothing: a missing link is never up. */
const linkLog = (q: number) => Math.log1p(-q);

/**
 * The links among a store's writers, per pair (i < j, at i·k + j): the link's log availability,
 * whether the pair can be partitioned (its link missing or failing), whether it is missing, and
 * its closed component; the same summed per writer and in total, so that a state's up writers
 * are judged by subtraction; and the closed components themselves.
 */
interface WriterPairs {
  readonly log: Float64Array;
  readonly failing: Uint8Array;
  readonly missing: Uint8Array;
  readonly closedAt: Int32Array;
  readonly rowLog: Float64Array;
  readonly rowFailing: Int32Array;
  readonly rowMissing: Int32Array;
  readonly totalLog: number;
  readonly totalFailing: number;
  readonly totalMissing: number;
  readonly closed: Component[];
}

function writerPairs(d: LeanDesign, w: LeanStore["writers"]): WriterPairs {
  const k = w.length;
  const closed: Component[] = [];
  const log = new Float64Array(k * k);
  const failing = new Uint8Array(k * k); // missing or q > 0: the pair can be partitioned
  const missing = new Uint8Array(k * k);
  const closedAt = new Int32Array(k * k).fill(-1);
  const n = d.sites.length;
  const rowLog = new Float64Array(k);
  const rowFailing = new Int32Array(k);
  const rowMissing = new Int32Array(k);
  let totalLog = 0;
  let totalFailing = 0;
  let totalMissing = 0;
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++) {
      const l = d.linkAt[w[i] * n + w[j]];
      const at = i * k + j;
      if (l < 0) {
        missing[at] = failing[at] = 1;
      } else if (d.links[l].q > 0) {
        failing[at] = 1;
        log[at] = linkLog(d.links[l].q);
        closedAt[at] = closed.length;
        closed.push({ type: "link", index: l, q: d.links[l].q, name: `${d.sites[d.links[l].a]}–${d.sites[d.links[l].b]} link` });
      }
      for (const x of [i, j]) {
        rowLog[x] += log[at];
        rowFailing[x] += failing[at];
        rowMissing[x] += missing[at];
      }
      totalLog += log[at];
      totalFailing += failing[at];
      totalMissing += missing[at];
    }
  return { log, failing, missing, closedAt, rowLog, rowFailing, rowMissing, totalLog, totalFailing, totalMissing, closed };
}

/**
 * An async/crdt store: its writer sites are enumerated; the links among the up writers are
 * summed in closed form — they are all up with probability Π (1 − q), else two writers are
 * partitioned (diverges with a conflict policy, corrupts without one).
 */
function storePlan(d: LeanDesign, e: LeanStore): Plan {
  const w = e.writers;
  const k = w.length;
  const core = componentsOf(
    d,
    [...w].sort((a, b) => a - b),
    [],
  );
  const { log, failing, missing, closedAt, rowLog, rowFailing, rowMissing, totalLog, totalFailing, totalMissing, closed } = writerPairs(
    d,
    w,
  );
  const down: number[] = [];
  const multiWriter = k > 1;
  return {
    core,
    closed,
    judge(s, p, failed, t) {
      down.length = 0;
      for (let i = 0; i < k; i++) if (!s.siteUp[w[i]]) down.push(i);
      if (down.length === k) {
        t.outcomeP[STORE_WRITES_STOP] += p;
        t.down += p;
        t.cuts.add(failed);
        return;
      }
      // the pairs among the up writers: all pairs, less those touching a down writer (added back where both are down)
      let logUp = totalLog;
      let failingUp = totalFailing;
      let missingUp = totalMissing;
      for (let a = 0; a < down.length; a++) {
        const i = down[a];
        logUp -= rowLog[i];
        failingUp -= rowFailing[i];
        missingUp -= rowMissing[i];
        for (let b = a + 1; b < down.length; b++) {
          const at = i * k + down[b];
          logUp += log[at];
          failingUp += failing[at];
          missingUp += missing[at];
        }
      }
      const split = missingUp > 0 ? 1 : failingUp === 0 ? 0 : -Math.expm1(logUp);
      t.outcomeP[STORE_CONTINUES] += p * (1 - split);
      t.outcomeP[e.policy ? STORE_DIVERGES : STORE_CORRUPTS] += p * split;
      if (multiWriter) t.conflict += p * split;
      if (e.policy || split === 0) return;
      t.down += p * split;
      if (split === 1) t.cuts.add(failed);
      else if (failed.length < MAX_CUT_ORDER)
        for (let i = 0; i < k; i++)
          for (let j = i + 1; j < k; j++) {
            const c = closedAt[i * k + j];
            if (c >= 0 && s.siteUp[w[i]] && s.siteUp[w[j]]) t.cuts.add([...failed, core.length + c]);
          }
    },
  };
}

/** A link from a backend's site to one of a store's sites: missing, read from the state, or summed in closed form. */
interface Route {
  /** the store's site (index into the design's sites) */
  readonly to: number;
  /** −1: no link; else the link */
  readonly link: number;
  /** position among the plan's closed components, or −1 when the link's state is read (core, or never failing) */
  readonly closed: number;
}

/**
 * A traffic entry. Where the leader is decides who can write under a cut (PreVote and
 * CheckQuorum keep it where it was; nobody chooses it), so each backend is judged at the
 * placement worst for it: it cannot write to a quorum when some site that can lead is out of
 * its reach (for CockroachDB, when it reaches no member that reaches that site, to relay
 * through); to an async/crdt store when it reaches no up writer. Its sites, its quorums' links
 * among their members and the links several backend sites read are enumerated; given those,
 * what each backend site reaches depends only on its own links, independent of every other
 * site's, so P(it cannot write) is a product and the entry's figures follow in closed form.
 * Requests served are lost at the one placement losing the most (WorstPlacement, review M95); a
 * site whose backends carry no load in a state never errs (review M82).
 * `whole`: every link enumerated (the reference the property test compares with).
 */
function trafficPlan(d: LeanDesign, e: LeanTraffic, whole = false): Plan {
  const siteList = [...new Set(e.backends.map((b) => b.site))];
  const { core, closed, route } = trafficComponents(d, e, siteList, whole);
  const reach = new SiteReach(d, e, siteList, route);
  const G = siteList.length;
  const worstPlacement = new WorstPlacement(e, siteList, closed, reach);
  const pf = new Float64Array(G);
  const backendsAt = siteList.map((x) => e.backends.flatMap((b, i) => (b.site === x ? [i] : [])));
  const closedLog = Float64Array.from(closed, (c) => Math.log1p(-c.q));
  const mark = new Int32Array(closed.length);
  const over = { any: false };
  let stamp = 0;
  return {
    core,
    closed,
    judge(s, p, failed, t) {
      const sum = upWeight(e, s);
      // anycast, geodns: a lost site's share whole at one surviving site; only standbys up: theirs equally (lean movedLoads, reviews M69, M82)
      const moved = movedLoads(e, s, sum);
      if (sum === 0 && !moved) {
        // weights are never negative (schema): nothing left to carry the load (no standby up either)
        t.outcomeP[TRAFFIC_UNSERVED] += p;
        t.lostRps += p * e.peak;
        t.down += p;
        t.cuts.add(failed);
        return;
      }
      reach.judgeQuorums(s);
      let certain = false;
      let logOk = 0;
      for (let g = 0; g < G; g++) {
        pf[g] = 0;
        reach.needN[g] = 0;
        // a site whose backends carry 0 rps here (standbys while a weighted backend is up) sends no writes: it never errs (lean judgeTraffic, review M82)
        if (!s.siteUp[siteList[g]] || !carriesLoad(e, backendsAt[g], sum, moved)) continue;
        if (!reach.requirements(s, g)) {
          pf[g] = 1;
          certain = true;
          continue;
        }
        if (!reach.needN[g]) continue;
        const lg = logAllHeld(closed, closedLog, reach.needs[g], reach.needN[g], mark, ++stamp);
        pf[g] = -Math.expm1(lg);
        logOk += lg;
      }
      const lost = lostLoad(e, s, siteList, backendsAt, pf, sum, moved, over);
      const pErr = certain ? 1 : -Math.expm1(logOk);
      t.outcomeP[TRAFFIC_ERRORS] += p * pErr;
      t.outcomeP[over.any ? TRAFFIC_OVERLOADED : TRAFFIC_SERVED] += p * (1 - pErr);
      const broken = over.any ? 1 : pErr;
      if (broken > 0) {
        t.down += p * broken;
        if (over.any || certain) t.cuts.add(failed);
        else if (failed.length < MAX_CUT_ORDER) addClosedCuts(t, failed, core.length, reach);
      }
      // requests lost at the one leader placement losing the most (review M95), not each backend at its own worst
      // (from the needs reach.requirements tagged above); `down` stays any backend failing, which is the same either way
      t.lostRps += p * (worstPlacement.lost(s, pf, sum, moved) ?? lost);
    },
  };
}

/**
 * Which links a traffic entry's plan enumerates (core: its sites, its quorums' links among their
 * members, the links several backend sites read) and which it sums in closed form (a failing
 * link only one backend site reads), and each backend site's route to every site.
 */
function trafficComponents(
  d: LeanDesign,
  e: LeanTraffic,
  siteList: readonly number[],
  whole: boolean,
): { core: Component[]; closed: Component[]; route: Route[][] } {
  const n = d.sites.length;
  const internal = new Set<number>();
  const own = (dep: LeanQuorum | LeanStore) => (dep.type === "quorum" ? dep.sites : dep.writers);
  for (const dep of e.deps)
    if (dep.type === "quorum")
      for (const a of dep.sites) for (const b of dep.sites) if (a < b && d.linkAt[a * n + b] >= 0) internal.add(d.linkAt[a * n + b]);
  // which backend sites read each link to a store's site (a backend at a writer site needs no link to that store)
  const readers = new Map<number, Set<number>>();
  for (const x of siteList)
    for (const dep of e.deps) {
      if (dep.type === "store" && dep.writers.includes(x)) continue;
      for (const m of own(dep)) {
        const l = m === x ? -1 : d.linkAt[x * n + m];
        if (l < 0) continue;
        const set = readers.get(l) ?? new Set<number>();
        set.add(x);
        readers.set(l, set);
      }
    }
  const isClosed = (l: number) => !whole && d.links[l].q > 0 && !internal.has(l) && readers.get(l)!.size === 1;
  const coreLinks = [...new Set([...internal, ...[...readers.keys()].filter((l) => !isClosed(l))])].sort((a, b) => a - b);
  const core = componentsOf(d, entitySites(e), coreLinks);
  const closedLinks = [...readers.keys()].filter(isClosed).sort((a, b) => a - b);
  const closed = componentsOf(d, [], closedLinks);
  const closedOf = new Map(closedLinks.map((l, i) => [l, i]));
  // route[g][site]: from backend site g to a store's site
  const route = siteList.map((x) =>
    Array.from({ length: n }, (_, m): Route => {
      const link = m === x ? -1 : d.linkAt[x * n + m];
      return { to: m, link, closed: link >= 0 ? (closedOf.get(link) ?? -1) : -1 };
    }),
  );
  return { core, closed, route };
}

/**
 * What each backend site of a traffic entry needs in a state to write to every store it depends
 * on: for sure, never, or one of some sets of closed links up (`needs[g]`, `needN[g]` of them).
 * Scratch reused from state to state: the enumeration allocates nothing per state here.
 */
class SiteReach {
  /** per backend site: sets of closed links of which one must be up (every one down = it cannot write) */
  readonly needs: number[][][];
  readonly needN: Int32Array;
  /** per backend site and need: the quorum dependency whose leader it reaches (−1: a store's writers) and that leader's member index */
  readonly needDep: Int32Array[];
  readonly needLeader: Int32Array[];
  /** per backend site: it cannot write whatever the placement (a store out of reach, a quorum stopped) */
  readonly always: Uint8Array;
  /** per backend site, at `offset[k] + i`: it cannot reach quorum k's leader at member i (nor relay to it) whatever the closed links */
  readonly leaderFails: Uint8Array[];
  readonly offset: Int32Array;
  /** per dependency, in this state: 0 when a quorum stops */
  private readonly writes: Uint8Array;
  /**
   * Per slot (viaSlot[k] + i for quorum k's member i, viaSlot[k] for a store), in this state: the
   * sites a backend site must reach to write there — the leader and, where CockroachDB relays,
   * each member that reaches it; a store's up writers — at viaSlot·n, viaN of them. The same for
   * every backend site, so found once a state (judgeQuorums), not once per site.
   */
  private readonly via: Int32Array;
  private readonly viaN: Int32Array;
  private readonly viaSlot: Int32Array;
  /** CockroachDB relays through a follower: read once per quorum from derive/latency (lean.ts) */
  private readonly relays: boolean[];
  private readonly d: LeanDesign;
  private readonly e: LeanTraffic;
  private readonly siteList: readonly number[];
  private readonly route: Route[][];

  constructor(d: LeanDesign, e: LeanTraffic, siteList: readonly number[], route: Route[][]) {
    this.d = d;
    this.e = e;
    this.siteList = siteList;
    this.route = route;
    this.needs = siteList.map(() => []);
    this.needN = new Int32Array(siteList.length);
    const slots = e.deps.reduce((a, dep) => a + (dep.type === "quorum" ? dep.sites.length : 1), 0);
    this.needDep = siteList.map(() => new Int32Array(slots));
    this.needLeader = siteList.map(() => new Int32Array(slots));
    this.always = new Uint8Array(siteList.length);
    this.offset = new Int32Array(e.deps.length);
    for (let k = 1; k < e.deps.length; k++) {
      const prev = e.deps[k - 1];
      this.offset[k] = this.offset[k - 1] + (prev.type === "quorum" ? prev.sites.length : 0);
    }
    this.leaderFails = siteList.map(() => new Uint8Array(Math.max(1, slots)));
    this.writes = new Uint8Array(e.deps.length);
    this.viaSlot = new Int32Array(e.deps.length);
    for (let k = 1; k < e.deps.length; k++) {
      const prev = e.deps[k - 1];
      this.viaSlot[k] = this.viaSlot[k - 1] + (prev.type === "quorum" ? prev.sites.length : 1);
    }
    this.via = new Int32Array(Math.max(1, slots) * d.sites.length);
    this.viaN = new Int32Array(Math.max(1, slots));
    this.relays = e.deps.map((dep) => dep.type === "quorum" && dep.relay);
  }

  /** Whether each quorum the entry writes to keeps writing in this state, and what a backend site must reach to write to each dependency (via). */
  judgeQuorums(s: LeanState): void {
    const { d, via, viaN } = this;
    const n = d.sites.length;
    for (let k = 0; k < this.e.deps.length; k++) {
      const dep = this.e.deps[k];
      this.writes[k] = dep.type === "quorum" && judgeQuorum(d, s, dep) >= QUORUM_STOPS ? 0 : 1;
      const slot = this.viaSlot[k];
      if (dep.type === "store") {
        let c = 0;
        for (const w of dep.writers) if (s.siteUp[w]) via[slot * n + c++] = w;
        viaN[slot] = c;
        continue;
      }
      if (!this.writes[k]) continue;
      for (let i = 0; i < dep.sites.length; i++) {
        if (!dep.canLead[i]) continue;
        const leader = dep.sites[i];
        const at = (slot + i) * n;
        let c = 0;
        via[at + c++] = leader;
        if (this.relays[k]) for (const m of dep.sites) if (m !== leader && reaches(d, s, m, leader)) via[at + c++] = m;
        viaN[slot + i] = c;
      }
    }
  }

  /** Whether site g reaches one of the `via` sites for sure (true), cannot (false), or through one of these closed links. */
  private reachOne(s: LeanState, g: number, slot: number): boolean | number[] {
    let need: number[] | undefined;
    const at = slot * this.d.sites.length;
    for (let v = 0; v < this.viaN[slot]; v++) {
      const m = this.via[at + v];
      const r = this.route[g][m];
      if (m === this.siteList[g]) return true;
      if (r.link < 0) continue;
      if (r.closed < 0) {
        if (s.linkUp[r.link]) return true;
      } else if (need) need.push(r.closed);
      else need = [r.closed];
    }
    return need ?? false;
  }

  /**
   * Fills needs[g] with every site that can lead (each backend at the placement worst for it),
   * each need tagged with the leader it reaches (needDep, needLeader) and each leader it can never
   * reach marked (leaderFails), so that any one placement's needs are read from them
   * (WorstPlacement); false when site g certainly cannot write to some store at its worst.
   */
  requirements(s: LeanState, g: number): boolean {
    const { e } = this;
    this.needN[g] = 0;
    this.always[g] = 0;
    const fails = this.leaderFails[g];
    fails.fill(0);
    let ok = true;
    for (let k = 0; k < e.deps.length; k++) {
      const dep = e.deps[k];
      if (dep.type === "store") {
        if (dep.writers.includes(this.siteList[g])) continue;
        const r = this.reachOne(s, g, this.viaSlot[k]);
        if (r === false) {
          this.always[g] = 1;
          return false;
        }
        if (r !== true) this.need(g, r, -1, -1);
        continue;
      }
      if (!this.writes[k]) {
        this.always[g] = 1;
        return false;
      }
      for (let i = 0; i < dep.sites.length; i++) {
        if (!dep.canLead[i]) continue;
        const r = this.reachOne(s, g, this.viaSlot[k] + i);
        if (r === false) {
          // the other leaders are still read: at a placement without this one the site may write
          fails[this.offset[k] + i] = 1;
          ok = false;
        } else if (r !== true) this.need(g, r, k, i);
      }
    }
    return ok;
  }

  private need(g: number, set: number[], k: number, i: number): void {
    const j = this.needN[g]++;
    this.needs[g][j] = set;
    this.needDep[g][j] = k;
    this.needLeader[g][j] = i;
  }
}

/**
 * The requests a traffic entry loses in a state at the one leader placement (one site that can
 * lead per quorum it writes to) losing the most (review M95): the leader is in one place, so in a
 * cut that strands fra's backend from a leader in lon and lon's from a leader in fra only one of
 * them fails. Where the leader is depends on the links among a quorum's members, which are always
 * enumerated, never on a closed link (one backend site's own link to a member: no election reads
 * it), so each placement's loss sums the closed links as the per-backend judgement does, and the
 * placement losing the most of those sums is taken. Judged only where it can differ from each
 * backend at its own worst: some loaded site may fail and more than one placement is possible;
 * beyond MAX_PLACEMENTS placements, each backend at its own worst (a lower bound still).
 */
class WorstPlacement {
  private readonly at: Int32Array;
  private readonly pf: Float64Array;
  private readonly mark: Int32Array;
  private readonly over = { any: false };
  private stamp = 0;
  private readonly closedLog: Float64Array;
  private readonly quorums: number[];
  private readonly e: LeanTraffic;
  private readonly siteList: readonly number[];
  private readonly closed: readonly Component[];
  private readonly reach: SiteReach;
  private readonly backendsAt: number[][];
  /** scratch: one site's needs at one placement */
  private readonly sub: number[][] = [];

  constructor(e: LeanTraffic, siteList: readonly number[], closed: readonly Component[], reach: SiteReach) {
    this.e = e;
    this.siteList = siteList;
    this.closed = closed;
    this.reach = reach;
    this.at = new Int32Array(e.deps.length).fill(-1);
    this.pf = new Float64Array(siteList.length);
    this.mark = new Int32Array(closed.length);
    this.closedLog = Float64Array.from(closed, (c) => Math.log1p(-c.q));
    this.quorums = e.deps.flatMap((dep, k) => (dep.type === "quorum" ? [k] : []));
    this.backendsAt = siteList.map((x) => e.backends.flatMap((b, i) => (b.site === x ? [i] : [])));
  }

  /** The rps lost in state `s` at the placement losing the most; undefined where it cannot differ from each backend at its worst (`pfWorst`, that judgement). */
  lost(s: LeanState, pfWorst: Float64Array, sum: number, moved: ReturnType<typeof movedLoads>): number | undefined {
    const { e, at, quorums } = this;
    let anyFail = false;
    for (let g = 0; g < pfWorst.length && !anyFail; g++) if (pfWorst[g] > 0) anyFail = true;
    if (!anyFail) return undefined;
    let combos = 1;
    for (const k of quorums) {
      const n = leaders(e.deps[k] as LeanQuorum);
      // a stopped quorum fails every site at any placement
      if (n === 0) return undefined;
      combos *= n;
    }
    if (combos <= 1 || combos > MAX_PLACEMENTS) return undefined;
    let most = 0;
    for (let c = 0; c < combos; c++) {
      let rest = c;
      for (const k of quorums) {
        const dep = e.deps[k] as LeanQuorum;
        const n = leaders(dep);
        let pick = rest % n;
        rest = Math.floor(rest / n);
        for (let i = 0; i < dep.sites.length; i++)
          if (dep.canLead[i] && pick-- === 0) {
            at[k] = i;
            break;
          }
      }
      most = Math.max(most, this.lostAt(s, pfWorst, sum, moved));
    }
    return most;
  }

  /** The rps lost with the leaders at `this.at`, read from the per-leader needs and failures reach.requirements recorded. */
  private lostAt(s: LeanState, pfWorst: Float64Array, sum: number, moved: ReturnType<typeof movedLoads>): number {
    const { reach, pf, at, sub } = this;
    for (let g = 0; g < this.siteList.length; g++) {
      pf[g] = 0;
      // a site that cannot fail at its own worst placement cannot fail at this one
      if (!(pfWorst[g] > 0)) continue;
      let certain = reach.always[g] === 1;
      for (const k of this.quorums) if (!certain && reach.leaderFails[g][reach.offset[k] + at[k]]) certain = true;
      if (certain) {
        pf[g] = 1;
        continue;
      }
      // its needs at this placement: a store's, and those reaching the leaders placed here (reach.requirements tagged them)
      let n = 0;
      for (let j = 0; j < reach.needN[g]; j++) {
        const k = reach.needDep[g][j];
        if (k < 0 || reach.needLeader[g][j] === at[k]) sub[n++] = reach.needs[g][j];
      }
      if (n) pf[g] = -Math.expm1(logAllHeld(this.closed, this.closedLog, sub, n, this.mark, ++this.stamp));
    }
    return lostLoad(this.e, s, this.siteList, this.backendsAt, pf, sum, moved, this.over);
  }
}

/** How many member sites of a quorum can lead in the last judged state. */
function leaders(q: LeanQuorum): number {
  let n = 0;
  for (let i = 0; i < q.sites.length; i++) if (q.canLead[i]) n++;
  return n;
}

/** Whether some of these backends (at one up site) is sent requests in the state: a share of the peak by weight, or as `moved` says (lean movedLoads). */
function carriesLoad(e: LeanTraffic, at: readonly number[], sum: number, moved: ReturnType<typeof movedLoads>): boolean {
  for (const i of at) if ((moved ? moved.load[i] : (e.peak * e.backends[i].weight) / sum) > 0) return true;
  return false;
}

/** The summed weight of the backends whose site is up (0: nothing left to carry the load). */
function upWeight(e: LeanTraffic, s: LeanState): number {
  let sum = 0;
  for (const b of e.backends) if (s.siteUp[b.site]) sum += b.weight;
  return sum;
}

/**
 * The rps lost in a state: each up backend's share of the peak times the chance its site cannot
 * write (`pf`), plus what an overloaded backend cannot carry; `over.any` is set when one is
 * overloaded. Exact in integers where every product is a safe integer, else by rationals.
 * `moved`: the state's loads where they do not split by weight (lean movedLoads), else undefined.
 */
function lostLoad(
  e: LeanTraffic,
  s: LeanState,
  siteList: readonly number[],
  backendsAt: readonly number[][],
  pf: Float64Array,
  sum: number,
  moved: ReturnType<typeof movedLoads>,
  over: { any: boolean },
): number {
  const safe = Number.isSafeInteger;
  let integers = true;
  for (const b of e.backends) if (s.siteUp[b.site] && !safe(b.weight)) integers = false;
  over.any = false;
  let lost = 0;
  for (let g = 0; g < siteList.length; g++) {
    if (!s.siteUp[siteList[g]]) continue;
    for (const i of backendsAt[g]) {
      const b = e.backends[i];
      const load = moved ? moved.load[i] : (e.peak * b.weight) / sum;
      let isOver = false;
      if (moved) isOver = moved.over[i] === 1;
      else if (b.capacity !== undefined) {
        const l = e.peak * b.weight;
        const c = b.capacity * sum;
        isOver = integers && safe(e.peak) && safe(b.capacity) && safe(l) && safe(c) ? l > c : exactOver(e, s, i);
      }
      if (isOver) over.any = true;
      lost += pf[g] * load + (1 - pf[g]) * (isOver ? load - b.capacity! : 0);
    }
  }
  return lost;
}

/** The minimal cut sets of a state that breaks only through closed links: the failed core components plus each needed set, up to MAX_CUT_ORDER. */
function addClosedCuts(t: Tally, failed: readonly number[], coreLength: number, reach: SiteReach): void {
  for (let g = 0; g < reach.needN.length; g++)
    for (let j = 0; j < reach.needN[g]; j++)
      if (failed.length + reach.needs[g][j].length <= MAX_CUT_ORDER)
        t.cuts.add([...failed, ...reach.needs[g][j].map((c) => coreLength + c).sort((a, b) => a - b)]);
}

/**
 * log P(every set has a closed link up). A set of one link is that link up (Π (1 − q), once per
 * link); the other sets, less those holding such a link, by inclusion–exclusion. `mark` is
 * scratch (one slot per closed link), `stamp` new for each call.
 */
function logAllHeld(
  closed: readonly Component[],
  closedLog: Float64Array,
  all: readonly number[][],
  count: number,
  mark: Int32Array,
  stamp: number,
): number {
  let log = 0;
  let multi = false;
  for (let i = 0; i < count; i++) {
    const set = all[i];
    if (set.length > 1) multi = true;
    else if (mark[set[0]] !== stamp) {
      mark[set[0]] = stamp;
      log += closedLog[set[0]];
    }
  }
  if (!multi) return log;
  const rest: number[][] = [];
  for (let i = 0; i < count; i++) if (all[i].length > 1 && !all[i].some((c) => mark[c] === stamp)) rest.push(all[i]);
  return rest.length ? log + Math.log1p(-anyAllDown(closed, rest)) : log;
}

/**
 * P(for some set, every closed link in it is down): inclusion–exclusion over the sets (each a
 * store a backend site may fail to reach; their links may overlap), P(all of a union down) = Π q.
 * The unions are bit masks over the links the sets hold, each built from the union without its
 * highest set (one OR, no Set per term): the product over a union is that smaller union's times
 * the q of the links the highest set adds, in the order the sets hold them — the very
 * multiplications, in the very order, of a product over the union in insertion order, so the
 * figure is the same to the last bit (a relaying CockroachDB entry's 2^r terms per state were a
 * JS Set each).
 */
export function anyAllDown(closed: readonly Component[], sets: readonly number[][]): number {
  const r = sets.length;
  if (r === 1) return sets[0].reduce((a, c) => a * closed[c].q, 1);
  const x = scratch(closed.length, sets, r);
  const { bitOf, stampOf, bit, q, union, prod, parity } = x;
  // each link the sets hold, a bit (in the order first held); per set, from setAt[i], its links' bits and q in its order
  // a long-lived server makes billions of calls: the stamps start again before an Int32 would wrap
  if (x.stamp >= 0x3fffffff) {
    x.stamp = 0;
    stampOf.fill(0);
  }
  const stamp = ++x.stamp;
  let links = 0;
  let n = 0;
  for (let i = 0; i < r; i++) {
    x.setAt[i] = n;
    for (const c of sets[i]) {
      if (stampOf[c] !== stamp) {
        stampOf[c] = stamp;
        bitOf[c] = links++;
      }
      bit[n] = bitOf[c];
      q[n++] = closed[c].q;
    }
  }
  x.setAt[r] = n;
  const words = (links + 31) >>> 5;
  const terms = 1 << r;
  for (let w = 0; w < words; w++) union[w] = 0;
  prod[0] = 1;
  parity[0] = 0;
  let total = 0;
  for (let mask = 1; mask < terms; mask++) {
    const high = 31 - Math.clz32(mask);
    const low = mask ^ (1 << high);
    const at = mask * words;
    const from = low * words;
    for (let w = 0; w < words; w++) union[at + w] = union[from + w];
    let p = prod[low];
    for (let j = x.setAt[high]; j < x.setAt[high + 1]; j++) {
      const b = bit[j];
      const m = 1 << (b & 31);
      const w = at + (b >>> 5);
      if (union[w] & m) continue;
      union[w] |= m;
      p *= q[j];
    }
    prod[mask] = p;
    parity[mask] = parity[low] ^ 1;
    total += parity[mask] ? p : -p;
  }
  return Math.min(1, Math.max(0, total));
}

/** anyAllDown's scratch, grown to the largest call (at most 2^MAX_REQUIREMENTS terms): a state allocates nothing. */
const ie = {
  stamp: 0,
  /** per closed link: its bit in the current call, valid where stampOf is the call's stamp */
  bitOf: new Int32Array(0),
  stampOf: new Int32Array(0),
  /** the sets' links flattened, set by set: each one's bit and q; set i at setAt[i] … setAt[i + 1] */
  bit: new Int32Array(0),
  q: new Float64Array(0),
  setAt: new Int32Array(0),
  /** per term (a mask of sets): the union's bits (`words` per term), the product over it, the parity of its set count */
  union: new Uint32Array(0),
  prod: new Float64Array(0),
  parity: new Uint8Array(0),
};

function scratch(links: number, sets: readonly (readonly number[])[], r: number): typeof ie {
  let held = 0;
  for (const set of sets) held += set.length;
  const terms = 1 << r;
  const words = (Math.min(links, held) + 31) >>> 5;
  if (ie.bitOf.length < links) {
    ie.bitOf = new Int32Array(links);
    ie.stampOf = new Int32Array(links);
  }
  if (ie.bit.length < held) {
    ie.bit = new Int32Array(held);
    ie.q = new Float64Array(held);
  }
  if (ie.setAt.length < r + 1) ie.setAt = new Int32Array(r + 1);
  if (ie.prod.length < terms) {
    ie.prod = new Float64Array(terms);
    ie.parity = new Uint8Array(terms);
  }
  if (ie.union.length < terms * words) ie.union = new Uint32Array(terms * words);
  return ie;
}
