// What-if results as people read them: simulate's text, Markdown and JSON, the scenario table
// (the decision record's failure matrix), and the diff as a terminal table, a pull-request
// comment and JSON. Pure.
import {
  availabilityPercent,
  bytes,
  cell,
  loadWords,
  minutes,
  ms,
  percent,
  percentOfTime,
  prose,
  rps,
  seconds,
  table,
} from "../util/format";
import { MINUTES_PER_YEAR } from "../availability/figures";
import { API_STOP, type AvailabilityChange, type DiffResult, gotWorse, type MeasureChange } from "./diff";
import { oneLine } from "../util/terminal";
import { listText } from "../util/strings";
import { evicts, type IsolateResult, judgedOnce, POD_EVICTION_NOTE, type Result, type Scenario, SEE_POD_EVICTION } from "./engine";

type Outcome = Result | IsolateResult;
const isIsolate = (o: Outcome): o is IsolateResult => "window" in o;

/** Whether steering sends the isolated sites any traffic (else there is no window: one judgement). */
const steered = (o: IsolateResult) => {
  const sites = [o.scenario.isolate].flat();
  return o.window.traffic.some((t) => t.backends.some((b) => sites.includes(b.site)));
};

/**
 * Who steering withdraws in an isolation's "after" (engine deepWithdrawn): "steering withdraws fra",
 * or, where a deep health check fails on another side, "a deep health check withdraws lon, not fra" (review M116).
 */
const withdrawsText = (o: IsolateResult) => {
  const sites = [o.scenario.isolate].flat();
  return o.withdrawn.join() === sites.join()
    ? `steering withdraws ${sites.join(", ")}`
    : `a deep health check withdraws ${o.withdrawn.join(", ")}, not ${sites.join(", ")}`;
};

/**
 * The window's length: the detection + TTL bound holds only for a health check that notices an isolated site that is still up,
 * and only for clients that honour the TTL — "about", not "up to", as the loss verdict says it (review M113).
 */
const windowText = (o: IsolateResult) =>
  o.windowSeconds === null
    ? "unknown: no health check"
    : `about ${seconds(o.windowSeconds, 3)} with a deep health check, longer for clients that ignore the TTL; with a shallow one, until an operator withdraws it`;

/** The scenario as whatif.md's JSON has it: links as { between, factor }, cuts as pairs. */
function scenarioKeys(s: Scenario) {
  return {
    lose: s.lose,
    partition: s.partition,
    cut: s.cut,
    loseMembers: s.loseMembers,
    rttFactor: s.rttFactor,
    slow: s.slow,
    ...(s.withdraw?.length ? { withdraw: s.withdraw } : {}),
  };
}

/**
 * The writes a quorum's budget is judged on, by writing site, where no traffic entry depends on the
 * store and its member sites stand in (`clientsFromMembers`): at the leader named (Galera: from each
 * site's own node, as its row says). Null where traffic backends carry their own writes
 * (`writeLatencyMs`), where no budget is declared, or where the quorum takes no writes.
 */
export function budgetWrites(q: Result["quorums"][number]): Record<string, number | null> | null {
  if (!q.clientsFromMembers || q.writeLatencyBudgetMs === null || q.commitLatencyMs === null) return null;
  const at = q.kind === "galera" ? q.writesFrom : q.writesFromBest;
  return Object.fromEntries(q.clientSites.filter((x) => x in at).map((x) => [x, at[x]]));
}

/**
 * The writes from a no-traffic store's writing sites with its leader at `leader`, as its row says
 * them (at the leader named, and at the judged one under a cut: review M62): "writes from fra 9 ms,
 * from lon 26 ms through ams", and apart those that fail, "writes from fra fail (cut off from the leader)".
 */
function writesAt(q: Result["quorums"][number], leader: string): { ok: string; fail: string } {
  const routes = q.writesByLeader[leader] ?? {};
  const sites = q.clientSites.filter((x) => x in routes);
  const ok = sites
    .filter((x) => routes[x].ms !== null)
    .map((x, i) => `${i ? "" : "writes "}from ${x} ${commitMs(routes[x].ms!)}${routes[x].via ? ` through ${routes[x].via}` : ""}`);
  const fail = sites.filter((x) => routes[x].ms === null);
  return {
    ok: ok.join(", ") || "no writing site reaches the leader",
    fail: fail.length ? `writes from ${listText(fail)} fail (cut off from the leader)` : "",
  };
}

function resultJson(r: Result) {
  const { scenario, name, groups: _groups, clusters, verdict, quorums, stores, traffic, meshes, exports, breaks, notes } = r;
  return {
    scenario: scenarioKeys(scenario),
    name,
    clusters,
    verdict,
    quorums: quorums.map((q) => ({ ...q, budgetWrites: budgetWrites(q) })),
    stores,
    traffic,
    meshes,
    exports,
    breaks,
    notes,
    // what a sentence's "see "Pod eviction"" refers to (text and md print it once, after the scenarios)
    podEviction: evicts(r) ? POD_EVICTION_NOTE : null,
    // the failover windows the verdict leaves out (judged once steering has withdrawn the lost sites)
    failover: r.failover ?? [],
  };
}

/** One result (or isolation) in whatif.md's JSON shape. */
export function scenarioJson(o: Outcome) {
  if (!isIsolate(o)) return resultJson(o);
  return {
    scenario: o.scenario,
    name: o.name,
    windowSeconds: o.windowSeconds,
    window: resultJson(o.window),
    after: resultJson(o.after),
    verdict: o.verdict,
    notes: o.notes,
  };
}

/** A commit latency: 0 is members in one site, not a free commit. */
export const commitMs = (x: number) => (x === 0 ? "< 1 ms (members in one site)" : ms(x));

/** "1,499.5 rps of 1,500 rps (headroom 0.5 rps, 0.03%)": load and headroom with the decimals that keep them on their side of the capacity (review M140). */
const ofCapacity = (load: number, cap: number) => {
  const w = loadWords(load, cap);
  return `${w.load} of ${w.capacity} (headroom ${w.headroom}, ${w.share})`;
};

/**
 * A Galera store's commit as its clients see it (review M38): from each site whose clients write,
 * never the fastest node where nobody writes; with no declared clients, the fastest node's.
 */
function galeraCommitText(q: Result["quorums"][number], budget: string): string {
  const from = q.clientSites.filter((x) => x in q.writesFrom);
  // the commits that happen, then the sites whose writes fail — never "commit writes fail from nyc" (review M148.2)
  const each = from.filter((x) => q.writesFrom[x] !== null).map((x, i) => `${commitMs(q.writesFrom[x]!)} ${i ? "" : "writing "}from ${x}`);
  const failing = from.filter((x) => q.writesFrom[x] === null);
  const fail = failing.length
    ? `writes from ${listText(failing)} fail (${failing.length === 1 ? `${failing[0]} reaches` : "they reach"} no node of the primary component)`
    : "";
  const stand = q.clientsFromMembers ? "; no traffic entry declares its writers, so its member sites stand in" : "";
  return from.length
    ? `${each.length ? `commit ${each.join(", ")}${budget} ` : ""}(no leader: every node takes writes${stand})${fail ? `; ${fail}` : ""}`
    : `commit ${commitMs(q.commitLatencyMs!)}${budget} at best, writing from ${q.writer} (no leader: every node takes writes; no traffic entry declares its writers)`;
}

/** A quorum's line: its outcome, the commit (or the writes its budget is judged on), who stops, the judged placement. */
function quorumFacts(q: Result["quorums"][number], lostClusters: ReadonlySet<string>): string {
  const bits: string[] = [q.outcome];
  const cluster = q.kind === "etcd" ? q.name.replace(/^etcd of cluster /, "") : undefined;
  if (cluster !== undefined && q.outcome !== "lost" && lostClusters.has(cluster)) bits.push(`serves no cluster (${cluster} is lost)`);
  // no traffic entry depends on it: the budget is judged on its member sites' writes, said beside it, the commit after
  const members = q.kind !== "galera" && budgetWrites(q) !== null;
  if (q.commitLatencyMs !== null) {
    const budget = q.writeLatencyBudgetMs !== null ? ` (budget ${ms(q.writeLatencyBudgetMs)})` : "";
    const w = members ? writesAt(q, q.leader!) : undefined;
    bits.push(
      q.kind === "galera"
        ? galeraCommitText(q, budget)
        : w
          ? `${w.ok}${budget} with the leader in ${q.leader}, the commit alone ${commitMs(q.commitLatencyMs)}`
          : `commit ${commitMs(q.commitLatencyMs)}${budget} with the leader in ${q.leader}`,
    );
    if (w?.fail) bits.push(w.fail);
  }
  if (q.outcome !== "stops" && q.outcome !== "lost") {
    const stopping = Object.entries(q.byLeader).filter(([, v]) => v.length);
    const stop = (v: string[]) => `${v.join(", ")} stop${v.length === 1 ? "s" : ""}`;
    // wherever the leader is, the same sites stop (a partition's minority): said once
    const same = Object.values(q.byLeader).every((v) => v.join() === stopping[0]?.[1].join());
    if (stopping.length && same) bits.push(stop(stopping[0][1]));
    else if (stopping.length && q.kind === "galera")
      bits.push(`one of ${stopping.map(([, v]) => v.join(", ")).join(" or ")} is left out of the primary component and stops`);
    else if (stopping.length) bits.push(stopping.map(([l, v]) => `leader in ${l}: ${stop(v)}`).join("; "));
    if (q.judgedLeader !== null && q.judgedLeader !== q.leader) {
      const w = members ? writesAt(q, q.judgedLeader) : undefined;
      bits.push(
        `judged with the leader in ${q.judgedLeader} (the worst placement${q.judgedCommitLatencyMs !== null && !w ? `, commit ${commitMs(q.judgedCommitLatencyMs)}` : ""})${w ? `: ${[w.ok, w.fail].filter(Boolean).join("; ")}` : ""}`,
      );
    }
  }
  return bits.join(" · ");
}

/** One line per entity that has something to say: the same facts as the JSON, in words. */
export function facts(r: Result): [string, string][] {
  const out: [string, string][] = [];
  const lost = new Set(r.scenario.lose);
  for (const c of r.clusters) if (c.outcome === "lost") out.push([`cluster ${c.name}`, `lost with ${c.site}`]);
  const lostClusters = new Set(r.clusters.filter((c) => c.outcome === "lost").map((c) => c.name));
  for (const q of r.quorums) out.push([q.name, quorumFacts(q, lostClusters)]);
  for (const s of r.stores) {
    const bits: string[] = [s.outcome];
    if (s.atRiskBytes !== null) bits.push(`up to ${bytes(s.atRiskBytes)} at risk`);
    if (s.rpoUnbounded) bits.push("RPO unbounded: the lag buffer overflows");
    if (s.everyCopyLost) bits.push("every copy lost: RPO is the last backup's age");
    if (s.rpoUnknown) bits.push("RPO unknown: no maxLagSeconds");
    out.push([`store ${s.name}`, bits.join(" · ")]);
  }
  for (const t of r.traffic) {
    const bits: string[] = [t.outcome];
    for (const b of t.backends) {
      if (b.loadRps === null) bits.push(`${b.cluster} ${lost.has(b.site) ? "lost" : "withdrawn"}`);
      else
        bits.push(
          `${b.cluster} ${b.capacityRps !== null ? ofCapacity(b.loadRps, b.capacityRps) : rps(b.loadRps)}${b.errors ? ", erroring" : ""}${b.overBudget ? `, writes ${ms(b.writeLatencyMs!)} (over budget)` : ""}`,
        );
    }
    if (t.errorRps) bits.push(`${rps(t.errorRps)} of errors`);
    out.push([`traffic ${t.name}`, bits.join(" · ")]);
  }
  for (const m of r.meshes) out.push([`cluster ${m.cluster}`, `${m.outcome} (${m.because})`]);
  for (const e of r.exports) {
    // ClusterMesh: calls still sent to the endpoints of a cluster the caller cannot reach
    const stale = e.stale.map((x) => `${x.cluster} sends ${percent(x.share, 1)} of its calls to unreachable ${x.unreachable.join(", ")}`);
    // an exporting cluster up but sending every call elsewhere (affinity remote) serves none of its own:
    // "served by" it would read as working while every one of its calls times out
    const allStale = new Set(e.stale.filter((x) => x.share >= 1).map((x) => x.cluster));
    const served = (cs: readonly string[], where = "") =>
      cs.length && cs.every((c) => allStale.has(c))
        ? `${cs.join(", ")} up${where}, ${cs.length === 1 ? "its" : "their"} calls all time out${e.affinity === "remote" ? " (affinity remote)" : ""}`
        : cs.length
          ? `served by ${cs.join(", ")}${where}`
          : `no exporting cluster${where}`;
    if (!e.servedBy.length) out.push([`export ${e.namespace}/${e.service}`, "no exporting cluster left"]);
    // per group under a partition: a group with no exporting cluster has no endpoint for the service
    else if (e.groups.length > 1)
      out.push([
        `export ${e.namespace}/${e.service}`,
        [e.groups.map((g) => served(g.servedBy, ` in ${listText(g.sites)}`)).join(" · "), ...stale].join(" · "),
      ]);
    else if (stale.length) out.push([`export ${e.namespace}/${e.service}`, [served(e.servedBy), ...stale].join(" · ")]);
  }
  return out;
}

/**
 * Beside a verdict judged after a site loss's failover (whatif.md): ", once gslb has withdrawn fra
 * — for the first 90 s, 20,000 rps of checkout time out" (engine judgedOnce, the one source); "" without a window.
 */
const afterFailover = (r: Result) => {
  const once = judgedOnce(r);
  return once ? `, ${once}` : "";
};
/** " once gslb has withdrawn fra": after "nothing breaks", the condition alone (the verdict line gives the cost). */
const onceWithdrawn = (r: Result) => {
  const once = judgedOnce(r);
  return once?.startsWith("once ") ? ` ${once.slice(0, once.indexOf(" — "))}` : "";
};

/**
 * What a scenario with no break cannot call "nothing breaks" (review M147: a crdt store losing a writer
 * site with no maxLagSeconds read "nothing breaks" in simulate and the record): "the RPO of store carts
 * is unknown" where a lost writer's unreplicated writes are gone in an amount nothing declared bounds;
 * "" otherwise. simulate says "nothing stops …, but" it, the record's Good list likewise.
 */
export function rpoUnknownWords(r: Pick<Result, "stores">): string {
  const unknown = r.stores.filter((s) => s.rpoUnknown).map((s) => `store ${s.name}`);
  return unknown.length ? `the RPO of ${listText(unknown)} ${unknown.length === 1 ? "is" : "are"} unknown` : "";
}

const VERDICT_COLOR: Record<Result["verdict"], string> = { ok: "\x1b[32m", degraded: "\x1b[33m", down: "\x1b[31m" };

function resultText(r: Result, indent: string, paint: (c: string, s: string) => string): string[] {
  const lines: string[] = [];
  const f = facts(r);
  const width = Math.max(0, ...f.map(([e]) => e.length));
  for (const [e, d] of f) lines.push(`${indent}${e.padEnd(width)}  ${d}`);
  for (const b of r.breaks) lines.push(`${indent}${paint(VERDICT_COLOR[r.verdict], "✗")} ${b}`);
  for (const n of r.notes) lines.push(`${indent}· ${n}`);
  if (!r.breaks.length) {
    const unknown = rpoUnknownWords(r);
    lines.push(`${indent}${unknown ? "nothing stops" : "nothing breaks"}${onceWithdrawn(r)}${unknown ? `, but ${unknown}` : ""}`);
  }
  return lines;
}

/**
 * simulate's text: each scenario's verdict and name, then its facts, what breaks (✗) and notes (·).
 * Written a scenario at a time (a chunk each, then the count): a sweep of thousands of scenarios
 * never becomes one string, and each result can be dropped once printed.
 */
export function* simulateText(results: Iterable<Outcome>, color: boolean): Generator<string> {
  const paint = (c: string, s: string) => (color ? `${c}${s}\x1b[0m` : s);
  const count = { ok: 0, degraded: 0, down: 0 };
  let eviction = false;
  for (const o of results) {
    count[o.verdict]++;
    const lines = [`${paint(VERDICT_COLOR[o.verdict], o.verdict.padEnd(8))}  ${o.name}${isIsolate(o) ? "" : afterFailover(o)}`];
    if (!isIsolate(o)) lines.push(...resultText(o, "          ", paint));
    else if (!steered(o)) lines.push(...resultText(o.window, "          ", paint), ...o.notes.map((n) => `          · ${n}`));
    else {
      lines.push(
        `          window, until ${withdrawsText(o)} (${windowText(o)}): ${paint(VERDICT_COLOR[o.window.verdict], o.window.verdict)}`,
        ...resultText(o.window, "            ", paint),
        `          after ${withdrawsText(o)}: ${paint(VERDICT_COLOR[o.after.verdict], o.after.verdict)}`,
        ...resultText(o.after, "            ", paint),
        ...o.notes.map((n) => `          · ${n}`),
      );
    }
    yield `${lines.map(oneLine).join("\n")}\n\n`; // a name never forges a line of its own
    eviction ||= resultsOf(o).some(evicts);
  }
  // what the scenarios' "see Pod eviction" refers to: once, however many scenarios evict
  if (eviction) yield `${POD_EVICTION_NOTE}\n\n`;
  const n = count.ok + count.degraded + count.down;
  yield `${n} scenario${n === 1 ? "" : "s"}: ${count.ok} ok, ${count.degraded} degraded, ${count.down} down\n`;
}

/**
 * simulate --format json: one result as an object, a sweep as an array, written an element at a
 * time — the same text as `JSON.stringify(all, null, 2)`, never held whole (a sweep of thousands
 * of scenarios on a big design is hundreds of megabytes, past what one string can hold).
 */
export function* simulateJson(results: Iterable<Outcome>, single: boolean): Generator<string> {
  let first = true;
  for (const o of results) {
    const text = JSON.stringify(scenarioJson(o), null, 2);
    if (single) {
      yield `${text}\n`;
      return;
    }
    // JSON strings hold no raw line breaks: every "\n" is between tokens, indented one level more
    yield `${first ? "[\n" : ",\n"}  ${text.replace(/\n/g, "\n  ")}`;
    first = false;
  }
  if (!single) yield first ? "[]\n" : "\n]\n";
}

const SCENARIO_HEADERS = ["verdict", "scenario", "what breaks", "notes"];
/** The entities a scenario's sentences are about ("traffic checkout", "store ledger"), once each. */
const entitiesOf = (sentences: readonly string[]) => [...new Set(sentences.map((x) => x.slice(0, Math.max(0, x.indexOf(": "))) || x))];

/** One row per scenario: the verdict (bold unless ok), its name, what breaks (the entities: the sentences follow per scenario, never a cell of hundreds of characters), how many notes. */
const scenarioRow = (r: Result) => [
  r.verdict === "ok" ? "ok" : { raw: `**${r.verdict}**` },
  r.name,
  entitiesOf(r.breaks).join(", ") || "—",
  r.notes.length ? String(r.notes.length) : "—",
];

/**
 * A fact split for Markdown: the outcome word for the table cell ("served", "minority-stops",
 * "lost with fra"), the numbers after it for a list below — a table cell stays short however many
 * backends or leader placements the design has.
 */
function outcomeAndNumbers(d: string): [string, string] {
  const [first, ...rest] = d.split(" · ");
  const paren = first.indexOf(" (");
  const word = paren > 0 ? first.slice(0, paren) : first;
  const more = [paren > 0 ? first.slice(paren + 1) : "", ...rest].filter(Boolean);
  return [word, more.join(" · ")];
}

function resultMarkdown(r: Result, heading: string): string[] {
  const f = facts(r).map(([e, d]) => [e, ...outcomeAndNumbers(d)]);
  const numbers = f.filter(([, , n]) => n);
  return [
    `${heading} ${r.verdict === "ok" ? "ok" : `**${r.verdict}**`} — ${cell(r.name)}${cell(afterFailover(r))}`,
    "",
    table(
      ["entity", "outcome"],
      f.map(([e, w]) => [e, w]),
    ),
    "",
    ...(numbers.length ? ["Numbers:", "", ...numbers.map(([e, , n]) => `- **${cell(e)}**: ${cell(n)}`), ""] : []),
    ...(r.breaks.length
      ? ["What breaks:", "", ...r.breaks.map((b) => `- ${prose(b)}`), ""]
      : [
          `${rpoUnknownWords(r) ? "Nothing stops" : "Nothing breaks"}${cell(onceWithdrawn(r))}${rpoUnknownWords(r) ? `, but ${cell(rpoUnknownWords(r))}` : ""}.`,
          "",
        ]),
    ...(r.notes.length ? ["Notes:", "", ...r.notes.map((n) => `- ${prose(n)}`), ""] : []),
  ];
}

/**
 * simulate --format md: the scenario table, then each scenario's facts. The table comes first, so
 * the rows and sections are kept as text (not the results) and written a section at a time.
 */
export function* simulateMarkdown(results: Iterable<Outcome>): Generator<string> {
  const rows: ReturnType<typeof scenarioRow>[] = [];
  const sections: string[] = [];
  let eviction = false;
  for (const o of results) {
    eviction ||= resultsOf(o).some(evicts);
    rows.push(...(!isIsolate(o) ? [o] : steered(o) ? [o.window, o.after] : [o.window]).map(scenarioRow));
    if (!isIsolate(o)) sections.push(resultMarkdown(o, "###").join("\n"));
    else
      sections.push(
        [
          `### ${o.verdict === "ok" ? "ok" : `**${o.verdict}**`} — ${cell(o.name)}`,
          "",
          steered(o)
            ? `Window until ${cell(withdrawsText(o))}: ${cell(windowText(o))}.`
            : `No traffic entry has a backend in ${cell([o.scenario.isolate].flat().join(", "))}: nothing to withdraw, one judgement.`,
          "",
          ...o.notes.map((n) => `- ${prose(n)}`),
          "",
          ...resultMarkdown(o.window, "####"),
          ...(steered(o) ? resultMarkdown(o.after, "####") : []),
        ].join("\n"),
      );
  }
  if (eviction) sections.push(`${podEvictionMarkdown()}\n`);
  // the sections end in a blank line; the text ends in exactly one line break
  const last = sections.length - 1;
  yield `${table(SCENARIO_HEADERS, rows)}\n${sections.length ? "\n" : ""}`;
  for (const [i, s] of sections.entries()) yield i < last ? `${s}\n` : `${s.trimEnd()}\n`;
}

/** The results an outcome holds: an isolation's window and, when steered, the time after the withdrawal. */
const resultsOf = (o: Outcome): Result[] => (!isIsolate(o) ? [o] : steered(o) ? [o.window, o.after] : [o.window]);

/** `POD_EVICTION_NOTE` as a Markdown paragraph, its subject in bold (simulate md and the record). */
export const podEvictionMarkdown = (): string => `**Pod eviction**${prose(POD_EVICTION_NOTE.slice("Pod eviction".length))}`;

// ---- the diff -------------------------------------------------------------------------

/** Whether a changed scenario's why or still refers to the pod eviction note: the diff then shows it once. */
const refersToEviction = (d: DiffResult): boolean => changed(d).some((s) => `${s.why ?? ""} ${s.still ?? ""}`.includes(SEE_POD_EVICTION));

/**
 * Scenarios whose verdict changed (one only one version has compared with the other's reading of
 * it, all up), and those only one version has that are not ok there.
 */
const changed = (d: DiffResult) =>
  d.scenarios.filter(
    // a partition that is the same event as a site's loss is said once, with the loss (its `sameAs`)
    (s) => !s.reportedWith && (s.before !== s.after || (s.only !== undefined && (s.only === "after" ? s.after : s.before) !== "ok")),
  );
const arrow = (s: DiffResult["scenarios"][number]) => `${s.before ?? "no topology"} → ${s.after ?? "no topology"}`;
/**
 * The word a changed scenario is listed under: a new or gone one whose verdict moved is worse or better;
 * a new one not counted (`counted: false`, review M164) is new.
 */
const kindOf = (s: DiffResult["scenarios"][number]) =>
  gotWorse(s)
    ? "worse"
    : s.counted === false
      ? "new"
      : s.before !== s.after && s.before !== null && s.after !== null
        ? "better"
        : s.only === "after"
          ? "new"
          : s.only === "before"
            ? "gone"
            : "better";
/**
 * "5 regressions", or "5 regressions in 3 lines" when a grouped move ("every single-link cut: …",
 * one line for several scenarios) counts once per scenario in `regressions` (and the exit status):
 * the reader counts the marked lines, so the sentence says both.
 */
function regressionsText(d: DiffResult): string {
  if (!d.regressions) return "no regressions";
  const lines =
    changed(d).filter((s) => kindOf(s) === "worse").length +
    groupedChanges(d).filter((m) => m.regression).length +
    apiStopMoves(d).filter((m) => m.regression).length +
    d.availability.filter((c) => c.regression).length +
    d.findings.added.filter((f) => f.severity === "error").length;
  const n = `${d.regressions} regression${d.regressions === 1 ? "" : "s"}`;
  return lines && lines !== d.regressions ? `${n} in ${lines} line${lines === 1 ? "" : "s"}` : n;
}

/** The kind of a scenario by the first word of its name, as the old design's worst of it is named. */
const SCENARIO_KIND: Readonly<Record<string, string>> = {
  lose: "single-site loss",
  cut: "single-link cut",
  partition: "two-group partition",
};

/** The scenario's name, with what it loses and cuts on each side where that differs ("partition fra,ams / lon (before: partition fra / lon)"). */
function scenarioLabel(s: DiffResult["scenarios"][number]): string {
  // a site's loss that is the same event as the partition cutting that site off names both ("lose ams — the same as partition fra,lon / ams")
  const name = s.sameAs && !s.reportedWith ? `${s.scenario} — the same as ${s.sameAs}` : s.scenario;
  // the sites only one version declares, else the link ("the link fra–lon")
  const what = s.sitesOnly?.length ? s.sitesOnly : (s.linksOnly ?? []).map((l) => `the link ${l}`);
  const sites = listText(what);
  const many = what.length > 1;
  // with what it is compared with: the other version's reading of it ("before: all up")
  // not counted: what it is no worse than (review M164)
  const worst =
    s.counted === false && s.worstBefore
      ? `; the old design's worst ${SCENARIO_KIND[s.scenario.split(" ")[0]] ?? "scenario"} was ${s.worstBefore}: not counted`
      : "";
  if (s.only === "after")
    return `${name} (${sites} ${many ? "are" : "is"} new in this version${s.beforeScenario ? `; before: ${s.beforeScenario}` : ""}${worst})`;
  if (s.only === "before")
    return `${name} (${sites} ${many ? "are" : "is"} not in this version${s.afterScenario ? `; now: ${s.afterScenario}` : ""})`;
  const sides = [s.beforeScenario ? `before: ${s.beforeScenario}` : "", s.afterScenario ? `now: ${s.afterScenario}` : ""].filter(Boolean);
  return sides.length ? `${name} (${sides.join("; ")})` : name;
}

/** "lose fra: lon-prod headroom 10,000 → −2,000 rps" */
export function changeText(c: MeasureChange): string {
  return `${c.scenario}: ${moveText(c)}`;
}

/** the note of a client site's writes that fail (diff.ts writeNote) */
const WRITES_FAIL_NOTE = "writes fail";

/** "lon-prod (checkout) headroom 10,000 → −2,000 rps" — without the scenario; without the entity when `who` is false. */
function moveText(c: MeasureChange, who = true): string {
  const latency = c.measure === "commitLatencyMs" || c.measure === "writeLatencyMs";
  const window = c.measure === "failoverSeconds";
  const unit = latency ? " ms" : c.measure === "atRiskBytes" ? " bytes" : window ? " s" : " rps";
  const word =
    c.measure === "loadRps"
      ? "load"
      : c.measure === "headroomRps"
        ? "headroom"
        : c.measure === "writeLatencyMs"
          ? `writes from ${c.from}`
          : c.measure === "commitLatencyMs"
            ? "commit without the client's round trip"
            : c.measure === "atRiskBytes"
              ? "data at risk"
              : window
                ? "failover window"
                : "errors";
  // a null side says why it is null ("lost", "writes stop", "unbounded: …"), never a bare "none" that reads as zero
  const v = (x: number | null, note?: string) =>
    x === null
      ? (note ?? "none")
      : c.measure === "atRiskBytes"
        ? bytes(x)
        : latency
          ? x === 0
            ? "< 1 ms"
            : ms(x)
          : window
            ? seconds(x, 3)
            : rps(x);
  const whom = who ? `${c.entry ? `${c.entity} (${c.entry})` : c.entity} ` : "";
  // the old side of "writes from lon … → 26 ms" says what the writes did, not "writes" twice (review M148.2)
  const plain = (x: number | null, note?: string) =>
    x === null
      ? c.measure === "writeLatencyMs" && note === WRITES_FAIL_NOTE
        ? "failed"
        : (note ?? "none")
      : latency && x === 0
        ? "< 1 ms" // members in one site: not a free commit (its unit kept: "< 1 ms → 9 ms", review M148.2)
        : v(x)
            .replace(/ (rps|ms|s)$/, "")
            .replace(/ bytes.*$/, "");
  const both =
    c.measure === "atRiskBytes" || c.after === null
      ? `${v(c.before, c.beforeNote)} → ${v(c.after, c.afterNote)}`
      : `${plain(c.before, c.beforeNote)} → ${plain(c.after)}${unit}`;
  const aside = c.crosses ?? c.over ?? c.unproven;
  // writes that now fail cross into the words the after side already prints ("8 ms → writes fail"): said once
  const said = aside !== undefined && c.after === null && aside === c.afterNote;
  return `${whom}${word} ${both}${aside && !said ? ` (${aside})` : ""}`;
}

/** One line of the diff's moves: the scenarios it happened in, named together, and what moved. */
export interface MoveLine {
  readonly scenarios: string;
  readonly text: string;
  readonly regression: boolean;
  /** the move crosses a limit, counted or not: a crossing in a scenario whose verdict already got worse (or one version's only) is counted there */
  readonly crosses: boolean;
  /** the new finding that counts the crossing instead (a failover window over the RTO: objective/rto) */
  readonly countedAs?: string;
  /** why a crossing is shown and not counted ("its verdict improved", "new in this version": review M164) */
  readonly uncounted?: string;
}

/**
 * The diff's moves as a reviewer reads them: the same move in several scenarios is one line that
 * names them ("all up, lose ams and every two-group partition"), and a backend's load and
 * headroom moving in the same scenarios are one line. Largest first, as the changes are; the
 * JSON keeps one change per scenario.
 */
export function groupedChanges(d: DiffResult): MoveLine[] {
  const groups = new Map<string, { c: MeasureChange; scenarios: string[] }>();
  for (const c of d.changes) {
    const key = JSON.stringify([
      c.entity,
      c.entry,
      c.measure,
      c.from,
      c.before,
      c.after,
      c.beforeNote,
      c.afterNote,
      c.crosses,
      c.unproven,
      c.regression,
      c.countedAs,
      c.uncounted,
    ]);
    const g = groups.get(key);
    if (g) g.scenarios.push(c.scenario);
    else groups.set(key, { c, scenarios: [c.scenario] });
  }
  const all = d.scenarios.map((s) => s.scenario);
  const list = [...groups.values()];
  const used = new Set<(typeof list)[number]>();
  const out: MoveLine[] = [];
  for (const g of list) {
    if (used.has(g)) continue;
    used.add(g);
    // a backend's load and headroom moving in the same scenarios: one line, load first
    const other = g.c.measure === "loadRps" ? "headroomRps" : g.c.measure === "headroomRps" ? "loadRps" : undefined;
    const pair = other
      ? list.find(
          (h) =>
            !used.has(h) &&
            h.c.measure === other &&
            h.c.entity === g.c.entity &&
            h.c.entry === g.c.entry &&
            h.scenarios.join("\n") === g.scenarios.join("\n"),
        )
      : undefined;
    if (pair) used.add(pair);
    const [load, head] = g.c.measure === "loadRps" ? [g, pair] : [pair, g];
    out.push({
      scenarios: scenarioSet(g.scenarios, all),
      text: load && head ? `${moveText(load.c)}, ${moveText(head.c, false)}` : moveText(g.c),
      regression: g.c.regression || (pair?.c.regression ?? false),
      crosses: g.c.crosses !== undefined || pair?.c.crosses !== undefined,
      ...(g.c.countedAs ? { countedAs: g.c.countedAs } : {}),
      ...((g.c.uncounted ?? pair?.c.uncounted) ? { uncounted: g.c.uncounted ?? pair?.c.uncounted } : {}),
    });
  }
  return out;
}

/**
 * Scenarios whose verdict held while the clusters whose API stops changed (diff `apiStopsBefore`/
 * `apiStopsAfter`), grouped as the measures are: "cut fra–lon: API stops for fra-prod at fra →
 * lon-prod at lon". A scenario whose verdict moved says what breaks on its own line.
 */
export function apiStopMoves(d: DiffResult): { scenarios: string; text: string; regression: boolean }[] {
  const shown = new Set(changed(d));
  const groups = new Map<string, { names: string[]; regression: boolean }>();
  for (const s of d.scenarios) {
    if (!s.apiStopsBefore || !s.apiStopsAfter || shown.has(s) || s.reportedWith) continue;
    const side = (xs: readonly string[]) => (xs.length ? listText([...xs]) : "none");
    // an API that stops only in the new version is a regression (review M146): the line says whose
    const fresh = s.apiStopsNew ?? [];
    const text = `API stops for ${side(s.apiStopsBefore)} → ${side(s.apiStopsAfter)}${fresh.length && s.apiStopsBefore.length ? ` (${listText(fresh.map((x) => x.replace(/ at /, "'s API at ")))} now stop${fresh.length === 1 ? "s" : ""})` : ""}`;
    const g = groups.get(text) ?? { names: [], regression: fresh.length > 0 };
    g.names.push(s.scenario);
    groups.set(text, g);
  }
  const all = d.scenarios.map((s) => s.scenario);
  return [...groups].map(([text, g]) => ({ scenarios: scenarioSet(g.names, all), text, regression: g.regression }));
}

/** Scenario names together: a whole class (every single-site loss, every single-link cut, every two-group partition) by its name. */
function scenarioSet(names: readonly string[], all: readonly string[]): string {
  if (names.length > 2 && names.length === all.length) return "every scenario compared";
  const classes: [string, (n: string) => boolean][] = [
    ["every single-site loss", (n) => /^lose [^,]+$/.test(n)],
    ["every single-link cut", (n) => /^cut [^,]+$/.test(n)],
    ["every two-group partition", (n) => n.startsWith("partition ")],
  ];
  const parts: string[] = [];
  const named = new Set(names);
  for (const n of names) {
    const cls = classes.find(([, is]) => is(n));
    const members = cls ? all.filter(cls[1]) : [];
    if (cls && members.length > 1 && members.every((m) => named.has(m))) {
      if (!parts.includes(cls[0])) parts.push(cls[0]);
    } else parts.push(n);
  }
  return listText(parts);
}

/**
 * The objective beside an availability change (review M39): below it (a regression); declared in
 * this version only ("declared in this version: now met; the old design's 99.9% would not meet
 * it"); declared in both ("met → met", the objectives named when they differ); not met; and the
 * condition a figure meets it on (CockroachDB's follower relay), as objective/* says it.
 */
function objectiveChangeText(c: AvailabilityChange, v: (x: number | null) => string): string {
  const obj = v(c.objective!);
  if (c.regression) return `${c.measure === "availability" ? "below" : "above"} the objective ${obj}`;
  const word = (met: boolean | null | undefined) => (met === null ? "cannot be measured" : met ? "met" : "not met");
  const now = c.metAfter === true && c.condition ? `met ${c.condition}` : word(c.metAfter);
  const old = c.before === null ? "" : `; the old design's ${v(c.before)} ${oldMeets(c)}`;
  if (c.objectiveBefore === undefined)
    return `objective ${obj}, declared in this version: ${c.metAfter === true && c.beforeMeets === false ? "now " : ""}${now}${old}`;
  const objs = c.objectiveBefore === c.objective ? `objective ${obj}` : `objective ${v(c.objectiveBefore)} → ${obj}`;
  return `${objs}: ${word(c.metBefore)} → ${now}`;
}

/**
 * Whether the old design's figure meets an objective only the new version declares, judged as
 * objective/* judges the new one (w85): a figure met only by taking what declares no availability
 * as never failing cannot be judged; one met only through CockroachDB's relay says so.
 */
function oldMeets(c: AvailabilityChange): string {
  if (c.beforeMet === null)
    return c.beforeDetail
      ? `cannot be judged against it: ${c.beforeDetail}`
      : "cannot be judged against it: the objective lies inside its bounds";
  if (c.beforeMeets && c.beforeCondition) return `would meet it too, ${c.beforeCondition}`;
  return c.beforeMeets ? "would meet it too" : "would not meet it";
}

/** "store ledger availability 99.9997% → 99.8001% (below the objective 99.99%)" */
export function availabilityChangeText(c: AvailabilityChange): string {
  const v = (x: number | null) =>
    x === null ? "no figure" : c.measure === "availability" ? availabilityPercent(x) : `${percentOfTime(x)} of the time`;
  const word = c.measure === "availability" ? "availability" : "writers partitioned (conflict exposure)";
  const objective = c.objective === undefined ? "" : ` (${objectiveChangeText(c, v)})`;
  // downtime a year beside availability: what a reviewer weighs (review M27)
  const yearly =
    c.measure === "availability" && c.before !== null && c.after !== null
      ? ` (${minutes((1 - c.before) * MINUTES_PER_YEAR)} → ${minutes((1 - c.after) * MINUTES_PER_YEAR)} unavailable a year)`
      : "";
  return `${c.subject ?? c.entity} ${word} ${v(c.before)} → ${v(c.after)}${yearly}${objective}`;
}

/** Whether a scenario's failover window moved between the versions (its `failoverSeconds` change). */
const windowMoved = (d: DiffResult, scenario: string) => d.changes.some((c) => c.scenario === scenario && c.measure === "failoverSeconds");

export function diffText(d: DiffResult, color: boolean): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}\x1b[0m` : s);
  const lines = [`quorate diff ${d.before} → ${d.after}`, ""];
  const ch = changed(d);
  lines.push(ch.length ? "Scenarios whose verdict changed:" : `No scenario's verdict changed (${d.scenarios.length} compared).`);
  for (const s of ch) {
    const kind = kindOf(s);
    const word = kind.padEnd(6);
    lines.push(
      `  ${kind === "worse" ? paint("\x1b[31m", word) : kind === "better" ? paint("\x1b[32m", word) : paint("\x1b[33m", word)}  ${scenarioLabel(s)}: ${arrow(s)}${s.judgedAfter ? `, ${s.judgedAfter}` : ""}`,
    );
    // the before version's failover window, in its own words, where the window moved (review M110): after its
    // verdict, as the verdict line and the Markdown cell say it ("before: down, and before gslb withdraws fra, …"),
    // never "failover before: and before …"
    const windowLine = !!s.judgedBefore && windowMoved(d, s.scenario);
    if (windowLine) lines.push(`          before: ${s.before}, ${s.judgedBefore}`);
    // what broke before, under that line, says what it is: two lines both starting "before:" read as one
    // statement cut in two (the reviewer's note)
    if (s.why)
      lines.push(`          ${kind === "better" || kind === "gone" ? (windowLine ? "broken before" : "before") : "now"}: ${s.why}`);
    if (s.still) lines.push(`          still: ${s.still}`);
  }
  if (d.note) lines.push(`  (${d.note})`);
  const apis = apiStopMoves(d);
  if (apis.length) {
    lines.push("", "Where a cluster's API stops moved (same verdict):");
    for (const m of apis) lines.push(`  ${m.regression ? paint("\x1b[31m", "!") : " "} ${m.scenarios}: ${m.text}`);
  }
  lines.push(
    "",
    d.changes.length ? "Measures that moved (largest first):" : "No load, headroom, latency, data at risk or error rate moved.",
  );
  for (const m of groupedChanges(d)) lines.push(`  ${m.regression ? paint("\x1b[31m", "!") : " "} ${m.scenarios}: ${m.text}`);
  if (d.availability.length) {
    lines.push("", "Availability that moved (independent failures assumed):");
    for (const c of d.availability) lines.push(`  ${c.regression ? paint("\x1b[31m", "!") : " "} ${availabilityChangeText(c)}`);
  }
  lines.push("", d.findings.added.length ? "New findings:" : "No new findings.");
  for (const f of d.findings.added) lines.push(`  + ${f.severity} ${f.code} (${f.entity}, line ${f.line}): ${f.message}`);
  lines.push(d.findings.removed.length ? "Resolved findings:" : "No finding resolved.");
  for (const f of d.findings.removed) lines.push(`  - ${f.severity} ${f.code} (${f.entity}): ${f.message}`);
  if (refersToEviction(d)) lines.push("", POD_EVICTION_NOTE);
  lines.push("", d.regressions ? paint("\x1b[31m", regressionsText(d)) : "no regressions");
  return `${lines.map(oneLine).join("\n")}\n`; // a name never forges a line of its own
}

/** Beside a verdict in the diff's table: its failover window, as simulate says it (review M110). */
const judgedCell = (once: string | undefined) => (once ? `, ${cell(once)}` : "");

export function diffMarkdown(d: DiffResult): string {
  const out = [`### Quorate: \`${d.before.replace(/`/g, "'")}\` → \`${d.after.replace(/`/g, "'")}\``, ""];
  out.push(d.regressions ? `**${regressionsText(d)}.**` : "No regressions.", "");
  const ch = changed(d);
  if (ch.length) {
    out.push("| verdict | scenario | before | after | why |", "|---|---|---|---|---|");
    const mark = { worse: "🔴 worse", better: "🟢 better", new: "🆕 new", gone: "gone" } as const;
    for (const s of ch) {
      const kind = kindOf(s);
      const was = kind === "better" || kind === "gone" ? "before" : "now";
      out.push(
        `| ${mark[kind]} | ${cell(scenarioLabel(s))} | ${s.before ?? "—"}${judgedCell(s.judgedBefore)} | ${s.after ?? "—"}${judgedCell(s.judgedAfter)} | ${s.why ? `${was}: ${prose(s.why, true)}` : "—"}${s.still ? `<br>still: ${prose(s.still, true)}` : ""} |`,
      );
    }
  } else
    out.push(`No scenario's verdict changed (${d.scenarios.length} compared: all up, every single-site loss, every two-group partition).`);
  if (d.note) out.push("", `_${cell(d.note)}_`);
  const apis = apiStopMoves(d);
  if (apis.length)
    out.push(
      "",
      "Where a cluster's API stops moved (same verdict):",
      "",
      table(
        ["scenarios", "what moved", "counted as a regression"],
        apis.map((m) => [m.scenarios, m.text, m.regression ? "🔴 yes" : "no"]),
      ),
    );
  if (refersToEviction(d)) out.push("", podEvictionMarkdown());
  out.push("");
  // moves with a named column each; the flag is whatif.md's "crosses a limit" (headroom below 0, over a
  // budget, below an objective): a move within its limits says "no" there, however large. A crossing in a
  // scenario whose verdict got worse is counted once, in the verdict table (review M96: "no" beside a
  // crossing read as a contradiction of the next row's "yes")
  const regression = (r: boolean, crosses = r, countedAs?: string, uncounted?: string) =>
    r
      ? "🔴 yes"
      : uncounted
        ? `no: ${uncounted}`
        : countedAs === API_STOP
          ? "🔴 yes, as the API stop above"
          : countedAs
            ? `🔴 yes, as the new ${countedAs} finding`
            : crosses
              ? "in the verdict above"
              : "no";
  const moves = groupedChanges(d);
  if (moves.length)
    out.push(
      "Measures that moved, largest first:",
      "",
      table(
        ["scenarios", "what moved", "counted as a regression"],
        moves.map((m) => [m.scenarios, m.text, regression(m.regression, m.crosses, m.countedAs, m.uncounted)]),
      ),
      "",
    );
  if (d.availability.length)
    out.push(
      "Availability that moved (independent failures assumed):",
      "",
      table(
        ["what moved", "counted as a regression"],
        d.availability.map((c) => [availabilityChangeText(c), regression(c.regression)]),
      ),
      "",
    );
  if (d.findings.added.length || d.findings.removed.length) {
    out.push("| finding | severity | code | where | message |", "|---|---|---|---|---|");
    for (const f of d.findings.added)
      out.push(`| added | ${f.severity} | \`${f.code}\` | ${cell(f.entity)}, line ${f.line} | ${prose(f.message, true)} |`);
    for (const f of d.findings.removed)
      out.push(`| resolved | ${f.severity} | \`${f.code}\` | ${cell(f.entity)} | ${prose(f.message, true)} |`);
  } else out.push("No finding added or resolved.");
  return `${out.join("\n")}\n`;
}

export function diffJson(d: DiffResult): string {
  return `${JSON.stringify(
    {
      before: d.before,
      after: d.after,
      scenarios: d.scenarios,
      changes: d.changes.map(
        ({ scenario, entity, entry, measure, from, before, after, beforeNote, afterNote, crosses, unproven, uncounted }) => ({
          scenario,
          entity,
          ...(entry ? { entry } : {}),
          measure,
          ...(from ? { from } : {}),
          before,
          after,
          ...(beforeNote ? { beforeNote } : {}),
          ...(afterNote ? { afterNote } : {}),
          ...(crosses ? { crosses } : {}),
          ...(unproven ? { unproven } : {}),
          ...(uncounted ? { uncounted } : {}),
        }),
      ),
      findings: d.findings,
      availability: d.availability,
      regressions: d.regressions,
      ...(d.note ? { note: d.note } : {}),
    },
    null,
    2,
  )}\n`;
}
