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
  entityLinks,
  entitySites,
  judgeQuorum,
  judgeStore,
  judgeTraffic,
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
  type TrafficJudgement,
} from "./lean";

/** What the judged states add up to, weighted by their probability. */
export interface Tally {
  /** P(the entity does not work) */
  down: number;
  /** P(two up writers cannot reach each other) (multi-writer stores) */
  conflict: number;
  /** expected rps lost (traffic) */
  lostRps: number;
  /** P(each outcome), indexed by the entity's outcome words */
  readonly outcomeP: Float64Array;
  readonly cuts: CutSets;
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

/** At most this many uncertain stores per backend site are summed by inclusion–exclusion (2^k terms); more are judged whole. */
const MAX_CLOSED_DEPS = 12;

/** The plan for an entity: factored for stores and traffic entries, whole for quorums. */
export function planOf(d: LeanDesign, e: LeanEntity): Plan {
  if (e.type === "store") return storePlan(d, e);
  if (e.type === "traffic" && e.deps.length <= MAX_CLOSED_DEPS) return trafficPlan(d, e);
  return wholePlan(d, e);
}

/** Every component enumerated and each state judged whole by the lean evaluator (no closed form). */
export function wholePlan(d: LeanDesign, e: LeanEntity): Plan {
  const core = componentsOf(d, entitySites(e), entityLinks(d, e));
  const scratch: TrafficJudgement = { outcome: 0, lostRps: 0 };
  return {
    core,
    closed: [],
    judge(s, p, failed, t) {
      let ok: boolean;
      if (e.type === "quorum") {
        const o = judgeQuorum(d, s, e);
        t.outcomeP[o] += p;
        ok = o < QUORUM_STOPS;
      } else if (e.type === "store") {
        const o = judgeStore(d, s, e);
        t.outcomeP[o] += p;
        ok = o !== STORE_WRITES_STOP && o !== STORE_CORRUPTS;
        if (e.writers.length > 1 && (o === STORE_DIVERGES || o === STORE_CORRUPTS)) t.conflict += p;
      } else {
        judgeTraffic(d, s, e, scratch);
        t.outcomeP[scratch.outcome] += p;
        t.lostRps += p * scratch.lostRps;
        ok = scratch.outcome === TRAFFIC_SERVED;
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
  const closed: Component[] = [];
  // per writer pair (i < j): the link's log availability, whether it is missing, its closed component
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
  /** its position among the quorum's member sites (for canLead); −1 for an async/crdt writer */
  readonly member: number;
  /** −1: no link; else the link */
  readonly link: number;
  /** position among the plan's closed components, or −1 when the link's state is read (core, or never failing) */
  readonly closed: number;
}

/**
 * A traffic entry: its sites, its quorums' links among their members and the links several
 * backend sites read are enumerated; given those, whether each backend site reaches a site
 * that can take its writes depends only on its own links (independent of every other site's),
 * so P(it cannot write) is a product, and the entry's figures follow per state in closed form.
 */
function trafficPlan(d: LeanDesign, e: LeanTraffic): Plan {
  const n = d.sites.length;
  const siteList = [...new Set(e.backends.map((b) => b.site))];
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
  const isClosed = (l: number) => d.links[l].q > 0 && !internal.has(l) && readers.get(l)!.size === 1;
  const coreLinks = [...new Set([...internal, ...[...readers.keys()].filter((l) => !isClosed(l))])].sort((a, b) => a - b);
  const core = componentsOf(d, entitySites(e), coreLinks);
  const closedLinks = [...readers.keys()].filter(isClosed).sort((a, b) => a - b);
  const closed = componentsOf(d, [], closedLinks);
  const closedOf = new Map(closedLinks.map((l, i) => [l, i]));
  // routes[g][k]: from backend site g to store k's sites; null when a backend there always reaches it (a writer site)
  const routes: (Route[] | null)[][] = siteList.map((x) =>
    e.deps.map((dep) => {
      if (dep.type === "store" && dep.writers.includes(x)) return null;
      return [...own(dep)].map((m, i) => {
        const link = m === x ? -1 : d.linkAt[x * n + m];
        return { to: m, member: dep.type === "quorum" ? i : -1, link, closed: link >= 0 ? (closedOf.get(link) ?? -1) : -1 };
      });
    }),
  );
  const G = siteList.length;
  const K = e.deps.length;
  const pf = new Float64Array(G);
  const writes = new Uint8Array(K);
  // per group: the closed links of each store it may fail to reach (every one down = it cannot write there)
  const uncertain: number[][][] = siteList.map(() => []);
  const backendsAt = siteList.map((x) => e.backends.flatMap((b, i) => (b.site === x ? [i] : [])));

  /** Whether backend site g certainly reaches store k (true), certainly does not (false), or needs these closed links (one up suffices). */
  const reach = (s: LeanState, g: number, k: number): boolean | number[] => {
    const rs = routes[g][k];
    if (!rs) return true;
    const dep = e.deps[k];
    if (dep.type === "quorum" && !writes[k]) return false;
    const x = siteList[g];
    const need: number[] = [];
    for (const r of rs) {
      const usable = r.member >= 0 ? (dep as LeanQuorum).canLead[r.member] === 1 : s.siteUp[r.to] === 1;
      if (!usable) continue;
      if (r.to === x) return true;
      if (r.link < 0) continue;
      if (r.closed < 0) {
        if (s.linkUp[r.link]) return true;
      } else need.push(r.closed);
    }
    return need.length ? need : false;
  };

  return {
    core,
    closed,
    judge(s, p, failed, t) {
      const bs = e.backends;
      let sum = 0;
      let integers = true;
      for (const b of bs) {
        if (!s.siteUp[b.site]) continue;
        sum += b.weight;
        if (!Number.isSafeInteger(b.weight)) integers = false;
      }
      if (sum === 0) {
        // weights are never negative (schema): nothing left to carry the load
        t.outcomeP[TRAFFIC_UNSERVED] += p;
        t.lostRps += p * e.peak;
        t.down += p;
        t.cuts.add(failed);
        return;
      }
      for (let k = 0; k < K; k++) {
        const dep = e.deps[k];
        writes[k] = dep.type === "quorum" && judgeQuorum(d, s, dep) >= QUORUM_STOPS ? 0 : 1;
      }
      let certain = false;
      let logOk = 0;
      for (let g = 0; g < G; g++) {
        uncertain[g].length = 0;
        pf[g] = 0;
        if (!s.siteUp[siteList[g]]) continue;
        for (let k = 0; k < K && pf[g] < 1; k++) {
          const r = reach(s, g, k);
          if (r === false) pf[g] = 1;
          else if (r !== true) uncertain[g].push(r);
        }
        if (pf[g] < 1 && uncertain[g].length) pf[g] = anyAllDown(closed, uncertain[g]);
        if (pf[g] >= 1) certain = true;
        else logOk += Math.log1p(-pf[g]);
      }
      let anyOver = false;
      let lost = 0;
      for (let g = 0; g < G; g++) {
        if (!s.siteUp[siteList[g]]) continue;
        for (const i of backendsAt[g]) {
          const b = bs[i];
          const load = (e.peak * b.weight) / sum;
          let over = false;
          if (b.capacity !== undefined) {
            const l = e.peak * b.weight;
            const c = b.capacity * sum;
            const safe = Number.isSafeInteger;
            over = integers && safe(e.peak) && safe(b.capacity) && safe(l) && safe(c) ? l > c : exactOver(e, s, i);
          }
          if (over) anyOver = true;
          lost += pf[g] * load + (1 - pf[g]) * (over ? load - b.capacity! : 0);
        }
      }
      const pErr = certain ? 1 : -Math.expm1(logOk);
      t.outcomeP[TRAFFIC_ERRORS] += p * pErr;
      t.outcomeP[anyOver ? TRAFFIC_OVERLOADED : TRAFFIC_SERVED] += p * (1 - pErr);
      t.lostRps += p * lost;
      const broken = anyOver ? 1 : pErr;
      if (broken === 0) return;
      t.down += p * broken;
      if (anyOver || certain) t.cuts.add(failed);
      else if (failed.length < MAX_CUT_ORDER)
        for (let g = 0; g < G; g++)
          for (const need of uncertain[g])
            if (failed.length + need.length <= MAX_CUT_ORDER)
              t.cuts.add([...failed, ...need.map((c) => core.length + c).sort((a, b) => a - b)]);
    },
  };
}

/**
 * P(for some set, every closed link in it is down): inclusion–exclusion over the sets (each a
 * store a backend site may fail to reach; their links may overlap), P(all of a union down) = Π q.
 */
function anyAllDown(closed: readonly Component[], sets: readonly number[][]): number {
  const r = sets.length;
  if (r === 1) return sets[0].reduce((a, c) => a * closed[c].q, 1);
  let total = 0;
  const union = new Set<number>();
  for (let mask = 1; mask < 1 << r; mask++) {
    union.clear();
    let bits = 0;
    for (let i = 0; i < r; i++)
      if (mask & (1 << i)) {
        bits++;
        for (const c of sets[i]) union.add(c);
      }
    let prod = 1;
    for (const c of union) prod *= closed[c].q;
    total += bits % 2 ? prod : -prod;
  }
  return Math.min(1, Math.max(0, total));
}
