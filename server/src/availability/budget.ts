/**
 * How often a store's declared write budget (`writeLatencyBudgetMs`) is exceeded (review M43):
 * the states of the sites and links its writes read, enumerated as for its availability, each
 * judged by the what-if engine itself (`whatif/engine` run: each writing site's write — RTT to the
 * leader, or through CockroachDB's relay, plus the commit — at every placement the state allows).
 * A consensus store's figure holds one pin for the whole year (review M54), the member site giving
 * the least, named — while the pinned site cannot lead, the leader is wherever the election put
 * it, judged at the placement worst for the writers — beside what no pin costs (the leader where
 * a failure finds it: with every link up too). Galera, with no leader: the engine's judgement.
 * Over budget is a state in which the store takes writes and some write, or its commit, is above
 * the budget; states in which it takes none are its unavailability, counted there. Only for the
 * `availability` command and the record (an engine run per state: never on the keystroke path).
 * Pure: no editor, no connection, no Node APIs.
 */
import type { Quorum, TopologyContext } from "../derive/context";
import { leaderUnpinnable } from "../derive/engines";
import { writeBudget } from "../derive/latency";
import type { Store } from "../model/topology";
import { ALL_UP, type Result as RunResult, run, type Scenario } from "../whatif/engine";
import { ms } from "../util/format";
import { pinWords } from "./best";
import { pinCostOf } from "./pin";
import { type Component, componentsOf, enumerateStates } from "./enumerate";
import { type LeanDesign, leanDesign, leanEntities, type LeanQuorum } from "./lean";
import { timeShare } from "./figures";

/** Engine runs for one store's budget figure at most (about a millisecond each on an example): the rest is bounded. */
export const BUDGET_STATE_LIMIT = 4096;
/** The most likely over-budget states kept to explain the figure. */
const KEPT_STATES = 4;

/** One state in which a write is over the budget: its components down, its probability, the writes above it. */
export interface OverBudgetState {
  /** "ams", "fra–lon link" (empty: every component up) */
  readonly components: string[];
  readonly probability: number;
  /** "lon 28 ms (leader in fra)", "the best commit 24 ms (leader in fra)" */
  readonly writes: string[];
  /** the site to pin the leader at, where every write is within the budget in this state; null when it is over there too */
  readonly withinWithLeaderIn: string | null;
}

export interface WriteBudgetFigures {
  /** the store's name */
  readonly store: string;
  readonly budgetMs: number;
  /** P(the store takes writes and some write is over the budget), lower end — at the placement the engine judges (the worst for the writers where placement decides) */
  readonly overProbability: number;
  /**
   * The same with the leader pinned at `pin` for the whole year (lease preferences), the member site
   * giving the least — while the pinned site cannot lead, leadership is wherever the election put
   * it, judged at the placement worst for the writers (review M54). Galera, which has no leader to
   * pin: at the engine's best placement in each state. Lower end.
   */
  readonly overBestProbability: number;
  /** the site the figure above pins the leader at (consensus); null for Galera */
  readonly pin: string | null;
  /** why that pin: the least time over the budget, or — over at every placement with every site and link up — the fastest writes (simulate's recommendation) */
  readonly pinFor: "least" | "fastest";
  /** how the store's engine pins it ("lease preferences"), when Quorate knows its word */
  readonly pinBy: string | undefined;
  /** what the pin costs the entry points writing to the store (availability/pin, review M117): without a follower relay, a cut its placement creates */
  readonly pinCost?: string;
  /** why no pin is offered: the engine cannot keep a leader where it is put (etcd, Consul; review M98) */
  readonly noPin?: string;
  /** without a pin: P(the store takes writes and some placement the state allows puts a write over the budget), lower end */
  readonly overUnpinnedProbability: number;
  /** with every site and link up, the leader sites at which some write is over the budget, each with its writes ("lon 23 ms") */
  readonly allUpOver: readonly { readonly leader: string; readonly writes: readonly string[] }[];
  /** P(the store takes writes), over the judged states: a figure over the budget equal to it is over whenever the store takes writes */
  readonly writableProbability: number;
  readonly method: "exact" | "bounded";
  /** probability of the states not judged (over budget or not) */
  readonly unjudgedProbability: number;
  readonly statesJudged: number;
  /** the most likely over-budget states (at the pin, for consensus), most likely first */
  readonly states: OverBudgetState[];
}

type Routes = RunResult["quorums"][number]["writesByLeader"][string];

/** The writes of `clients` above the budget in one placement's routes: "lon 23 ms", "fra 30 ms through lon". */
function routesOver(routes: Routes, clients: readonly string[], budget: number): string[] {
  return clients
    .filter((c) => (routes[c]?.ms ?? -Infinity) > budget)
    .map((c) => `${c} ${ms(routes[c].ms!)}${routes[c].via ? ` through ${routes[c].via}` : ""}`);
}

/** The writes over the budget with the leader at `leader` (its own site's commit counts when no client writes). */
function overAt(q: RunResult["quorums"][number], leader: string, budget: number): string[] {
  const routes = q.writesByLeader[leader];
  if (!routes) return [];
  const over = routesOver(routes, q.clientSites, budget);
  if (!over.length && !q.clientSites.length && (routes[leader]?.ms ?? -Infinity) > budget) return [`its commit ${ms(routes[leader].ms!)}`];
  return over;
}

/** The writes of `store` above its budget in an engine result (none when it takes no writes). */
function overWrites(r: RunResult, label: string, store: string, budget: number): string[] {
  const q = r.quorums.find((x) => x.name === label);
  if (!q || q.outcome === "stops" || q.outcome === "lost") return [];
  const out: string[] = [];
  for (const t of r.traffic)
    for (const b of t.backends)
      for (const w of b.writes)
        if (w.store === store && w.latencyMs !== null && w.latencyMs > budget) {
          const text = `${b.site} ${ms(w.latencyMs)}${w.via ? ` through ${w.via}` : ""}${w.leader ? ` (leader in ${w.leader})` : ""}`;
          if (!out.includes(text)) out.push(text);
        }
  // no traffic entry writes to it: its member sites stand in, as the rule and the engine judge it (derive/writes clientSitesOf)
  if (!out.length && q.clientsFromMembers) {
    for (const c of q.clientSites) {
      const w = q.writesFrom[c];
      if (w !== null && w !== undefined && w > budget) out.push(`${c} ${ms(w)}`);
    }
    if (out.length && q.judgedLeader) out[out.length - 1] += ` (leader in ${q.judgedLeader})`;
  }
  if (!out.length && q.overBudget) out.push(`its best commit is over ${ms(budget)}`);
  return out;
}

/** Whether some client's write is above the budget with the leaders where they should be pinned (or the best commit is); never when the store takes no writes. */
function overAtBest(r: RunResult, label: string, budget: number): boolean {
  const q = r.quorums.find((x) => x.name === label);
  if (!q || q.outcome === "stops" || q.outcome === "lost") return false;
  return q.overBudget || q.clientSites.some((c) => (q.writesFromBest[c] ?? -Infinity) > budget);
}

/** The sites and links a store's writes read: its members, the sites writing to it, the links among them. */
function budgetComponents(d: LeanDesign, q: LeanQuorum): Component[] {
  const sites = [...new Set([...q.sites, ...q.clients])].sort((a, b) => a - b);
  const links: number[] = [];
  const n = d.sites.length;
  for (let i = 0; i < sites.length; i++)
    for (let j = i + 1; j < sites.length; j++) {
      const l = d.linkAt[sites[i] * n + sites[j]];
      if (l >= 0) links.push(l);
    }
  return componentsOf(d, sites, links);
}

/** No pin for Galera (no leader), nor for an engine that cannot keep one (etcd, Consul: judged where an election may leave it, the judged figure its best too). */
const noPinOf = (quorum: Quorum, store: Store) => (quorum.kind === "consensus" ? leaderUnpinnable(store.engine?.value) : undefined);

/** How the store's engine pins a leader, or why it cannot. */
function pinFields(quorum: Quorum, store: Store): Pick<WriteBudgetFigures, "pinBy" | "noPin"> {
  const noPin = noPinOf(quorum, store);
  return { pinBy: pinWords(store.engine?.value), ...(noPin ? { noPin } : {}) };
}

/** The pin and, where it costs the entry points a cut (no follower relay), its price (review M117). */
function pinAt(ctx: TopologyContext, store: Store, pin: string | null): Pick<WriteBudgetFigures, "pin" | "pinCost"> {
  const cost = pin === null ? undefined : pinCostOf(ctx, store, pin);
  return { pin, ...(cost ? { pinCost: cost } : {}) };
}

/** The write budget figure of one quorum store, or undefined when it declares no budget (or the design no availability). */
export function writeBudgetFigures(ctx: TopologyContext, store: Store, limit = BUDGET_STATE_LIMIT): WriteBudgetFigures | undefined {
  const quorum = ctx.quorumOf(store);
  const budget = quorum && writeBudget(quorum);
  const name = store.name?.value;
  if (budget === undefined || !quorum || !name) return undefined;
  const d = leanDesign(ctx);
  if (!d.declared || d.invalid.length) return undefined;
  const q = leanEntities(ctx, d).find((e): e is LeanQuorum => e.type === "quorum" && e.owner === quorum.owner);
  if (!q) return undefined;
  const comps = budgetComponents(d, q);
  const pins = quorum.kind === "galera" || noPinOf(quorum, store) ? [] : [...quorum.counts.keys()];
  const t = { over: 0, overGalera: 0, unpinned: 0, writable: 0, atPin: new Float64Array(pins.length) };
  const seen: { state: OverBudgetState; atPin: (string[] | null)[] }[] = [];
  let allUpOver: { leader: string; writes: string[] }[] = [];
  let allUpLeader: string | null = null;
  let allUpLeaders: string[] = [];
  const r = enumerateStates(d, comps, limit, (s, p, failed) => {
    const scenario: Scenario = {
      ...ALL_UP,
      lose: d.sites.filter((_, i) => !s.siteUp[i]),
      cut: d.links.filter((_, l) => !s.linkUp[l]).map((l) => [d.sites[l.a], d.sites[l.b]] as const),
    };
    const result = run(ctx, scenario);
    const qr = result.quorums.find((x) => x.name === quorum.label);
    if (!qr || qr.outcome === "stops" || qr.outcome === "lost") return;
    t.writable += p;
    if (overAtBest(result, quorum.label, budget)) t.overGalera += p;
    const judged = overWrites(result, quorum.label, name, budget);
    if (judged.length) t.over += p;
    const leaders = Object.keys(qr.writesByLeader);
    const byLeader = leaders.map((l) => overAt(qr, l, budget));
    if (!failed.length) allUpLeader = qr.leader;
    if (!failed.length) allUpLeaders = leaders;
    if (!failed.length) allUpOver = leaders.map((leader, k) => ({ leader, writes: byLeader[k] })).filter((x) => x.writes.length);
    const wi = byLeader.findIndex((w) => w.length);
    if (wi < 0 && !judged.length) return;
    t.unpinned += p;
    // the worst for the writers: a placement with a write over the budget (or the engine's judged one)
    const worst = wi >= 0 ? withLeader(byLeader[wi], leaders[wi]) : judged;
    // a pinned site that cannot lead here: leadership is wherever the election put it, judged at the worst
    const atPin = pins.map((pin) => {
      const k = leaders.indexOf(pin);
      if (k < 0) return worst.map((x) => x.replace(/\)$/, `; ${pin} cannot lead)`));
      return byLeader[k].length ? withLeader(byLeader[k], pin) : null;
    });
    atPin.forEach((w, k) => {
      if (w) t.atPin[k] += p;
    });
    const within = leaders.find((_, k) => !byLeader[k].length) ?? null;
    seen.push({
      state: { components: failed.map((i) => comps[i].name), probability: p, writes: judged, withinWithLeaderIn: within },
      atPin,
    });
  });
  const overEverywhere = allUpLeaders.length > 0 && allUpOver.length === allUpLeaders.length;
  const best = choosePin(pins, t.atPin, allUpLeader, overEverywhere);
  const pinned = pins.length > 0;
  const states = seen
    .map(({ state, atPin }) =>
      pinned ? (atPin[best] ? { ...state, writes: atPin[best]! } : undefined) : state.writes.length ? state : undefined,
    )
    .filter((x): x is OverBudgetState => !!x)
    .sort((a, b) => b.probability - a.probability || a.components.length - b.components.length);
  return {
    store: name,
    budgetMs: budget,
    overProbability: t.over,
    overBestProbability: pinned ? t.atPin[best] : quorum.kind === "galera" ? Math.min(t.overGalera, t.over) : t.over,
    ...pinAt(ctx, store, pinned ? pins[best] : null),
    pinFor: overEverywhere ? "fastest" : "least",
    ...pinFields(quorum, store),
    overUnpinnedProbability: Math.max(t.unpinned, t.over),
    allUpOver,
    writableProbability: t.writable,
    method: r.method,
    unjudgedProbability: r.unjudged,
    statesJudged: r.states,
    states: states.slice(0, KEPT_STATES),
  };
}

/**
 * The pin giving the least time over the budget; on a tie the engine's (simulate's) recommendation
 * with every link up, else the first member site. Over at every placement with every site and link
 * up, the time over is the whole year wherever the leader is and rare failures would decide it: the
 * pin is then the one whose writes are fastest, as rtt/write-budget and simulate name it — not one
 * that saves 0.1% of the year while every write waits longer the rest of it.
 */
function choosePin(pins: readonly string[], atPin: Float64Array, allUpLeader: string | null, overEverywhere: boolean): number {
  let best = Math.max(0, pins.indexOf(allUpLeader ?? ""));
  if (!overEverywhere) for (let k = 0; k < pins.length; k++) if (atPin[k] < atPin[best] - 1e-15) best = k;
  return best;
}

/** A state's writes over the budget with the leader at `leader`: "lon 28 ms (leader in fra)", the leader said once, at the end. */
function withLeader(w: readonly string[], leader: string): string[] {
  return w.map((x, k) => (k === w.length - 1 ? `${x} (leader in ${leader})` : x));
}

/** The write budget figure of a store (computed once per analysed topology: a fact of the store). */
export function budgetOf(ctx: TopologyContext, store: Store): WriteBudgetFigures | undefined {
  return ctx.factOf(writeBudgetFigures, store);
}

/** "ams down, 0.498% of the time (43.7 hours a year): writes from lon 28 ms (leader in fra)" */
export function overBudgetStateText(s: OverBudgetState): string {
  const what = s.components.length ? `${s.components.join(" + ")} down` : "every site and link up";
  const within = s.withinWithLeaderIn ? `, within the budget with the leader in ${s.withinWithLeaderIn}` : "";
  return `${what}, ${timeShare(s.probability)}: ${s.writes[0].startsWith("its best commit") ? "" : "writes from "}${s.writes.join(", ")}${within}`;
}

/**
 * "writes over the 20 ms budget (writeLatencyBudgetMs) 0.598% of the time (52.4 hours a year) with the
 * leader of ledger pinned at ams …; without a pin, …" with, when `causes`, the most likely states and
 * what is over in each. A consensus store's figure is one pin for the whole year, named, beside what
 * no pin costs (review M54: a mix of the engine's best placement with every link up and its worst
 * under a cut is no placement anyone gets). Galera, with no leader: the engine's judgement.
 */
export function budgetText(f: WriteBudgetFigures, causes = true): string {
  const head = `writes over the ${ms(f.budgetMs)} budget (writeLatencyBudgetMs)`;
  const bounded = f.method === "bounded" ? ` (at least; ${timeShare(f.unjudgedProbability)} not judged)` : "";
  // over in every state the store takes writes: said so, never as a rounded "100%" (it stops when it cannot write)
  const share = (p: number) =>
    p <= 0 ? "in no judged state" : p >= f.writableProbability * (1 - 1e-9) ? `whenever it takes writes, ${timeShare(p)}` : timeShare(p);
  if (f.overProbability <= 0 && f.overUnpinnedProbability <= 0 && f.overBestProbability <= 0)
    return `${head} in no judged state${bounded}, wherever the leader is`;
  const most = causes && f.states.length ? ` — most likely: ${f.states.map(overBudgetStateText).join("; ")}` : "";
  if (!f.pin) {
    const best = bestPlacementText(f);
    if (!causes || !f.states.length)
      return `${head} ${share(f.overProbability)}${bounded}${best ? ` at the worst leader placement, ${best}` : ""}`;
    return `${head} ${share(f.overProbability)}${bounded}, at the leader placement the what-if engine judges (the worst for the writers where placement decides${f.noPin ? `; ${f.noPin}` : ""})${best ? `; ${best}` : ""}${most}`;
  }
  const unpinned = unpinnedText(f);
  const why =
    f.pinFor === "fastest"
      ? `the pin with the fastest writes — over the budget wherever the leader is, with every site and link up${f.pinBy ? `; ${f.pinBy}` : ""}`
      : `the best pin for write latency${f.pinBy ? `: ${f.pinBy}` : ""}`;
  const price = f.pinCost ? `; that pin's price: ${f.pinCost}` : "";
  return `${head} ${share(f.overBestProbability)}${bounded} with the leader of ${f.store} pinned at ${f.pin} (${why})${most}${unpinned ? `; ${unpinned}` : ""}${price}`;
}

/** The Tiers status of a budget: exceeded even at the best pin, met only with the pin, or met wherever the leader is. */
export function budgetStatus(f: WriteBudgetFigures): "exceeded" | "pinned" | "met" {
  if (f.overBestProbability > 0) return "exceeded";
  return f.overUnpinnedProbability > 0 || f.overProbability > 0 ? "pinned" : "met";
}

/** "fra or lon", "fra, lon or ams" */
const orText = (xs: readonly string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`);

/** What no pin costs: over whenever the leader sits at some site with every link up, or up to the worst placement's share. */
function unpinnedText(f: WriteBudgetFigures): string | undefined {
  if (f.allUpOver.length) {
    const at = f.allUpOver.map((x) => `at ${x.leader}, writes from ${x.writes.join(", ")}`).join("; ");
    return `without a pin, over the budget whenever the leader sits at ${orText(f.allUpOver.map((x) => x.leader))}, with every site and link up too (${at}), for as long as it stays there`;
  }
  if (timeShare(f.overUnpinnedProbability) === timeShare(f.overBestProbability)) return undefined;
  return `without a pin, up to ${timeShare(f.overUnpinnedProbability)} (the leader wherever a failure finds it)`;
}

/** Galera: "0.498% of the time (43.7 hours a year) at the best placement" when it reads differently from the worst's. */
function bestPlacementText(f: WriteBudgetFigures): string | undefined {
  if (f.overProbability <= 0 || timeShare(f.overBestProbability) === timeShare(f.overProbability)) return undefined;
  return `${f.overBestProbability > 0 ? timeShare(f.overBestProbability) : "in no judged state"} at the best leader placement (the one to pin)`;
}
