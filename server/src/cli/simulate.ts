import { analyzeFile } from "../analysis";
import type { TopologyContext } from "../derive/context";
import { closest } from "../util/strings";
import { ALL_UP, MAX_PARTITION_SITES, run, type Result, type Scenario, sweep } from "../whatif/engine";
import { UsageError } from "./files";
import type { OptionHelp } from "./help";
import { setOwn } from "../util/records";
import { scenarioTable } from "../whatif/render";

export const SIMULATE_FORMATS = ["text", "json", "md"] as const;
export type SimulateFormat = (typeof SIMULATE_FORMATS)[number];

export interface SimulateArgs {
  lose: string[];
  partition: string[][];
  loseMembers: Record<string, number>;
  rttFactor: number | null;
  slow: Record<string, number>;
  sweeps: ("single" | "double" | "partitions")[];
}

export const emptyArgs = (): SimulateArgs => ({ lose: [], partition: [], loseMembers: {}, rttFactor: null, slow: {}, sweeps: [] });

const list = (v: string, flag: string) => {
  const items = v.split(",").map((x) => x.trim());
  if (items.some((x) => !x)) throw new UsageError(`${flag} takes a comma-separated list of site names, not '${v}'`);
  return items;
};

function factor(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a factor greater than 0, not '${v}'`);
  return n;
}

/** The scenario options scenarioOption() reads, as `quorate simulate --help` shows them: keep the two together. */
export const SCENARIO_OPTIONS: readonly OptionHelp[] = [
  { flags: "--lose S[,S]", text: "those sites are gone (e.g. --lose fra or --lose fra,lon)" },
  {
    flags: "--partition A/B[,C][/...]",
    text: "links between the groups are cut; sites in no group form one more group (e.g. --partition fra/lon,ams)",
  },
  { flags: "--lose-members S:N[,S:N]", text: "a partial loss: N members at site S, for every quorum with members there" },
  { flags: "--rtt-factor F", text: "latency excursion: every link's rttMs and rttP99Ms multiplied by F (links stay up)" },
  { flags: "--slow A-B=F[,A-B=F]", text: "the same excursion on the named links only (e.g. --slow fra-lon=3)" },
  { flags: "--all-single-site", text: "sweep: every single-site loss, one row each" },
  { flags: "--all-double-site", text: "sweep: every loss of two sites, one row each" },
  {
    flags: "--all-partitions",
    text: `sweep: every split of the sites into two non-empty groups (designs of up to ${MAX_PARTITION_SITES} sites)`,
  },
];

/** Reads one scenario option into `a`; false when `flag` is not one. */
export function scenarioOption(a: SimulateArgs, flag: string, value: () => string): boolean {
  if (flag === "--lose") a.lose.push(...list(value(), flag));
  else if (flag === "--partition")
    a.partition = value()
      .split("/")
      .map((g) => list(g, flag));
  else if (flag === "--lose-members") {
    for (const item of list(value(), flag)) {
      const m = /^([^:]+):(\d+)$/.exec(item);
      if (!m) throw new UsageError(`--lose-members takes SITE:COUNT items, not '${item}'`);
      setOwn(a.loseMembers, m[1], Number(m[2]));
    }
  } else if (flag === "--rtt-factor") a.rttFactor = factor(value(), flag);
  else if (flag === "--slow") {
    for (const item of list(value(), flag)) {
      const m = /^([^=]+)-([^=-]+)=(.+)$/.exec(item) ?? /^(.+?)-(.+)=(.+)$/.exec(item);
      if (!m) throw new UsageError(`--slow takes A-B=FACTOR items, not '${item}'`);
      setOwn(a.slow, `${m[1]}-${m[2]}`, factor(m[3], flag));
    }
  } else if (flag === "--all-single-site") a.sweeps.push("single");
  else if (flag === "--all-double-site") a.sweeps.push("double");
  else if (flag === "--all-partitions") a.sweeps.push("partitions");
  else return false;
  return true;
}

/** Every site a scenario names must be declared: a usage error names the closest one. */
function checkSites(ctx: TopologyContext, a: SimulateArgs): void {
  const declared = [...ctx.topology.siteByName.keys()];
  const names = [
    ...a.lose,
    ...a.partition.flat(),
    ...Object.keys(a.loseMembers),
    ...Object.keys(a.slow).flatMap((k) => {
      const hit = declared.find((d) => k.startsWith(`${d}-`) && declared.includes(k.slice(d.length + 1)));
      return hit ? [] : [k];
    }),
  ];
  for (const n of names) {
    if (ctx.topology.siteByName.has(n)) continue;
    const near = closest(n, declared);
    throw new UsageError(`no site '${n}' in this topology${near ? ` — did you mean '${near}'?` : ""} (sites: ${declared.join(", ")})`);
  }
}

/** The scenarios asked for: the explicit one (or all up), and each sweep's. */
export function scenarios(ctx: TopologyContext, a: SimulateArgs): Scenario[] {
  checkSites(ctx, a);
  const explicit =
    a.lose.length || a.partition.length || Object.keys(a.loseMembers).length || a.rttFactor !== null || Object.keys(a.slow).length;
  const out: Scenario[] = [];
  const base: Scenario = { lose: a.lose, partition: a.partition, loseMembers: a.loseMembers, rttFactor: a.rttFactor, slow: a.slow };
  if (explicit || !a.sweeps.length) out.push(explicit ? base : ALL_UP);
  for (const kind of a.sweeps) {
    try {
      out.push(...sweep(ctx, kind).map((s) => ({ ...s, loseMembers: a.loseMembers, rttFactor: a.rttFactor, slow: a.slow })));
    } catch (e) {
      throw new UsageError(`--all-partitions: ${(e as Error).message} (this topology has more than ${MAX_PARTITION_SITES})`);
    }
  }
  return out;
}

/** The file's topology, or a usage error that says why there is none. */
export function contextOf(path: string, text: string): TopologyContext {
  const a = analyzeFile(path, text);
  const broken = a.parsed.docs.flatMap((d) => d.yamlFindings).find((f) => f.code.startsWith("yaml/"));
  if (broken) {
    const p = a.parsed.lines.positionAt(broken.span.start);
    throw new UsageError(`${path}:${p.line + 1}:${p.character + 1}: ${broken.message} (fix it first: \`quorate check ${path}\`)`);
  }
  const ctx = a.contexts[0];
  if (!ctx) throw new UsageError(`${path} holds no topology (apiVersion: quorate.dev/v1alpha1, kind: Topology)`);
  return ctx;
}

const VERDICT_COLOR: Record<Result["verdict"], string> = { ok: "\x1b[32m", degraded: "\x1b[33m", down: "\x1b[31m" };

/** One row per scenario, the verdict first; what breaks below each row. */
export function text(results: readonly Result[], color: boolean): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}\x1b[0m` : s);
  const width = Math.max(...results.map((r) => r.name.length), 8);
  const lines = [`${"verdict".padEnd(9)}  ${"scenario".padEnd(width)}  what happens`];
  for (const r of results) {
    const summary =
      [
        ...r.quorums.filter((q) => q.outcome !== "continues").map((q) => `${q.name} ${q.outcome}`),
        ...r.stores.filter((s) => s.outcome !== "continues").map((s) => `store ${s.name} ${s.outcome}`),
        ...r.traffic.filter((t) => t.outcome !== "served").map((t) => `traffic ${t.name} ${t.outcome}`),
        ...r.meshes.map((m) => `${m.cluster} ${m.outcome}`),
      ].join("; ") || "everything continues";
    lines.push(`${paint(VERDICT_COLOR[r.verdict], r.verdict.padEnd(9))}  ${r.name.padEnd(width)}  ${summary}`);
    for (const b of r.breaks) lines.push(`${" ".repeat(11 + width)}  - ${b}`);
  }
  const bad = results.filter((r) => r.verdict !== "ok").length;
  lines.push("", `${results.length} scenario${results.length === 1 ? "" : "s"}: ${results.length - bad} ok, ${bad} not ok`);
  return `${lines.join("\n")}\n`;
}

export function markdown(results: readonly Result[]): string {
  return `${scenarioTable(results)}\n`;
}

export function json(results: readonly Result[], single: boolean): string {
  // the JSON keys of whatif.md; the name and the groups are the table's and the preview's
  const shaped = results.map(({ name: _name, groups: _groups, ...r }) => r);
  return `${JSON.stringify(single ? shaped[0] : shaped, null, 2)}\n`;
}

export { run };
