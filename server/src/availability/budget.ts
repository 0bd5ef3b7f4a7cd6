/**
 * How often a store's declared write budget (`writeLatencyBudgetMs`) is exceeded (review M43):
 * the states of the sites and links its writes read, enumerated as for its availability, each
 * judged by the what-if engine itself (`whatif/engine` run: the commit at the best placement,
 * each writing site's write — RTT to the leader, or through CockroachDB's relay, plus the commit —
 * at the placement the engine judges, the worst for the writers where placement decides). Over
 * budget is a state in which the store takes writes and some write, or its best commit, is above
 * the budget; states in which it takes none are its unavailability, counted there. Only for the
 * `availability` command and the record (an engine run per state: never on the keystroke path).
 * Pure: no editor, no connection, no Node APIs.
 */
import type { TopologyContext } from "../derive/context";
import { writeBudget } from "../derive/latency";
import type { Store } from "../model/topology";
import { ALL_UP, type Result as RunResult, run, type Scenario } from "../whatif/engine";
import { ms } from "../util/format";
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
  /** the same with the leaders at the placement to pin (the engine's `leader`: fewest stopped, fewest failing, then the fastest slowest write), lower end */
  readonly overBestProbability: number;
  readonly method: "exact" | "bounded";
  /** probability of the states not judged (over budget or not) */
  readonly unjudgedProbability: number;
  readonly statesJudged: number;
  /** the most likely over-budget states, most likely first */
  readonly states: OverBudgetState[];
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
  let over = 0;
  let overBest = 0;
  const states: OverBudgetState[] = [];
  const r = enumerateStates(d, comps, limit, (s, p, failed) => {
    const scenario: Scenario = {
      ...ALL_UP,
      lose: d.sites.filter((_, i) => !s.siteUp[i]),
      cut: d.links.filter((_, l) => !s.linkUp[l]).map((l) => [d.sites[l.a], d.sites[l.b]] as const),
    };
    const result = run(ctx, scenario);
    const atBest = overAtBest(result, quorum.label, budget);
    if (atBest) overBest += p;
    const writes = overWrites(result, quorum.label, name, budget);
    if (!writes.length) return;
    over += p;
    const leader = atBest ? null : (result.quorums.find((x) => x.name === quorum.label)?.leader ?? null);
    states.push({ components: failed.map((i) => comps[i].name), probability: p, writes, withinWithLeaderIn: leader });
  });
  states.sort((a, b) => b.probability - a.probability || a.components.length - b.components.length);
  return {
    store: name,
    budgetMs: budget,
    overProbability: over,
    // the worst placement's states include the best's (a write over budget at the best is over at the worst too)
    overBestProbability: Math.min(overBest, over),
    method: r.method,
    unjudgedProbability: r.unjudged,
    statesJudged: r.states,
    states: states.slice(0, KEPT_STATES),
  };
}

/** Every quorum store's write budget figure, computed once per analysed topology. */
const budgetCell = (_ctx: TopologyContext): { value?: Map<object, WriteBudgetFigures> } => ({});

/** The write budget figure of a store (cached per analysis). */
export function budgetOf(ctx: TopologyContext, store: Store): WriteBudgetFigures | undefined {
  const cell = ctx.fact(budgetCell);
  cell.value ??= new Map();
  if (!cell.value.has(store)) {
    const f = writeBudgetFigures(ctx, store);
    if (f) cell.value.set(store, f);
    else return undefined;
  }
  return cell.value.get(store);
}

/** "ams down, 0.498% of the time (43.7 hours a year): writes from lon 28 ms (leader in fra)" */
export function overBudgetStateText(s: OverBudgetState): string {
  const what = s.components.length ? `${s.components.join(" + ")} down` : "every site and link up";
  const within = s.withinWithLeaderIn ? `, within the budget with the leader in ${s.withinWithLeaderIn}` : "";
  return `${what}, ${timeShare(s.probability)}: ${s.writes[0].startsWith("its best commit") ? "" : "writes from "}${s.writes.join(", ")}${within}`;
}

/**
 * "writes over the 20 ms budget (writeLatencyBudgetMs) 0.649% of the time (56.9 hours a year)"
 * with, when `causes`, the most likely states and what is over in each.
 */
export function budgetText(f: WriteBudgetFigures, causes = true): string {
  const head = `writes over the ${ms(f.budgetMs)} budget (writeLatencyBudgetMs) ${f.overProbability > 0 ? timeShare(f.overProbability) : "in no judged state"}${f.method === "bounded" ? ` (at least; ${timeShare(f.unjudgedProbability)} not judged)` : ""}`;
  const best = bestPlacementText(f);
  if (!causes || !f.states.length) return best ? `${head} at the worst leader placement, ${best}` : head;
  return `${head}, at the leader placement the what-if engine judges (the worst for the writers where placement decides)${best ? `; ${best}` : ""} — most likely: ${f.states.map(overBudgetStateText).join("; ")}`;
}

/** "0.498% of the time (43.7 hours a year) at the best leader placement (the one to pin)" when it reads differently from the worst's (review M43). */
function bestPlacementText(f: WriteBudgetFigures): string | undefined {
  if (f.overProbability <= 0 || timeShare(f.overBestProbability) === timeShare(f.overProbability)) return undefined;
  return `${f.overBestProbability > 0 ? timeShare(f.overBestProbability) : "in no judged state"} at the best leader placement (the one to pin)`;
}
