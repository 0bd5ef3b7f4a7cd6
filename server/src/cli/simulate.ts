import { analyzeFile, formatErrors } from "../analysis";
import type { TopologyContext } from "../derive/context";
import { closest } from "../util/strings";
import {
  ALL_UP,
  type IsolateResult,
  type LinkFactor,
  MAX_FACTOR,
  MAX_PARTITION_SITES,
  type Result,
  run,
  runIsolate,
  type Scenario,
  sweep,
} from "../whatif/engine";
import { simulateJson, simulateMarkdown, simulateText } from "../whatif/render";
import { UsageError } from "./files";
import type { OptionHelp } from "./help";
import { setOwn } from "../util/records";

export const SIMULATE_FORMATS = ["text", "json", "md"] as const;
export type SimulateFormat = (typeof SIMULATE_FORMATS)[number];

/** The scenario options as typed: links stay text until the file's site names are known (names may contain `-`). */
export interface SimulateArgs {
  lose: string[];
  partition: string[][];
  cut: { flag: string; text: string }[];
  loseMembers: Record<string, number>;
  rttFactor: number | null;
  slow: { text: string; factor: number }[];
  isolate: string | null;
  sweeps: ("single" | "double" | "partitions")[];
}

export const emptyArgs = (): SimulateArgs => ({
  lose: [],
  partition: [],
  cut: [],
  loseMembers: Object.create(null),
  rttFactor: null,
  slow: [],
  isolate: null,
  sweeps: [],
});

const list = (v: string, flag: string, what = "site names") => {
  const items = v.split(",").map((x) => x.trim());
  if (items.some((x) => !x)) throw new UsageError(`${flag} takes a comma-separated list of ${what}, not '${v}'`);
  return items;
};

/** A latency factor: above 1 (an excursion makes RTT grow) and at most MAX_FACTOR. */
export function factor(v: string, flag: string): number {
  const n = Number(v.trim());
  if (v.trim() === "" || !Number.isFinite(n) || n <= 1 || n > MAX_FACTOR)
    throw new UsageError(`${flag} takes a factor greater than 1 and at most ${MAX_FACTOR}, not '${v}'`);
  return n;
}

/** The scenario options scenarioOption() reads, as `quorate simulate --help` shows them: keep the two together. */
export const SCENARIO_OPTIONS: readonly OptionHelp[] = [
  { flags: "--lose S[,S]", text: "those sites are gone: their members, clusters and backends (e.g. --lose fra or --lose fra,lon)" },
  {
    flags: "--partition A/B[,C][/...]",
    text: 'links between the groups are cut; sites in no group form one more group, named in brackets (e.g. --partition fra/lon: "partition fra / lon / (ams)")',
  },
  {
    flags: "--cut A-B[,C-D]",
    text: "only the named links are cut; reachability is then not transitive, and who stops depends on where the leader is (e.g. --cut fra-lon: both still reach ams)",
  },
  {
    flags: "--isolate S",
    text: "what a game day enacts: S cut off from every other site, judged in the window before steering withdraws the backends a deep health check fails (health check + TTL; S's, unless S writes and the other side cannot) and after (e.g. --isolate lon)",
  },
  {
    flags: "--lose-members S:N[,S:N]",
    text: "a partial loss (a rack, a hall): N members at site S, for every quorum with members there (e.g. --lose-members fra:1)",
  },
  {
    flags: "--rtt-factor F",
    text: `latency excursion: every link's rttMs and rttP99Ms multiplied by F, links stay up; 1 < F ≤ ${MAX_FACTOR} (e.g. --rtt-factor 3)`,
  },
  {
    flags: "--slow A-B=F[,A-B=F]",
    text: "the same excursion on the named links only (e.g. --slow fra-lon=3 or --slow eu-west-us-east=2.5)",
  },
  { flags: "--all-single-site", text: "sweep: every single-site loss, one row each (e.g. --all-single-site)" },
  { flags: "--all-double-site", text: "sweep: every loss of two sites, one row each; never every site (e.g. --all-double-site)" },
  {
    flags: "--all-partitions",
    text: `sweep: every split of the sites into two non-empty groups (designs of up to ${MAX_PARTITION_SITES} sites; e.g. --all-partitions)`,
  },
];

/** Reads one scenario option into `a`; false when `flag` is not one. */
export function scenarioOption(a: SimulateArgs, flag: string, value: () => string): boolean {
  if (flag === "--lose") a.lose.push(...list(value(), flag));
  else if (flag === "--partition")
    a.partition = value()
      .split("/")
      .map((g) => list(g, flag));
  else if (flag === "--cut") a.cut.push(...list(value(), flag, "links (A-B)").map((text) => ({ flag, text })));
  else if (flag === "--isolate") {
    const v = value().trim();
    if (!v || v.includes(",")) throw new UsageError(`--isolate takes one site name, not '${v}'`);
    a.isolate = v;
  } else if (flag === "--lose-members") {
    for (const item of list(value(), flag, "SITE:COUNT items")) {
      const m = /^([^:]+):(\d+)$/.exec(item);
      if (!m) throw new UsageError(`--lose-members takes SITE:COUNT items, not '${item}'`);
      setOwn(a.loseMembers, m[1], Number(m[2]));
    }
  } else if (flag === "--rtt-factor") a.rttFactor = factor(value(), flag);
  else if (flag === "--slow") {
    for (const item of list(value(), flag, "A-B=FACTOR items")) {
      const eq = item.lastIndexOf("=");
      if (eq <= 0) throw new UsageError(`--slow takes A-B=FACTOR items, not '${item}'`);
      a.slow.push({ text: item.slice(0, eq).trim(), factor: factor(item.slice(eq + 1), flag) });
    }
  } else if (flag === "--all-single-site") a.sweeps.push("single");
  else if (flag === "--all-double-site") a.sweeps.push("double");
  else if (flag === "--all-partitions") a.sweeps.push("partitions");
  else return false;
  return true;
}

const unknownSite = (n: string, declared: readonly string[]) => {
  const near = closest(n, declared);
  return new UsageError(`no site '${n}' in this topology${near ? ` — did you mean '${near}'?` : ""} (sites: ${declared.join(", ")})`);
};

/**
 * A link typed as `A-B`, read against the declared site names (which may contain `-`): every
 * split at a `-` whose two sides are two different declared sites is a reading; none is a usage
 * error naming the closest site, two or more a usage error listing them.
 */
export function parseLink(text: string, declared: readonly string[], flag: string): [string, string] {
  const names = new Set(declared);
  const readings: [string, string][] = [];
  for (let i = text.indexOf("-"); i > 0; i = text.indexOf("-", i + 1)) {
    const a = text.slice(0, i);
    const b = text.slice(i + 1);
    if (a !== b && names.has(a) && names.has(b)) readings.push([a, b]);
  }
  if (readings.length === 1) return readings[0];
  if (readings.length > 1)
    throw new UsageError(
      `${flag} '${text}' names a link two ways: ${readings.map(([a, b]) => `${a} and ${b}`).join(", or ")} — rename a site so that the link reads one way`,
    );
  if (!text.includes("-")) throw new UsageError(`${flag} takes links as A-B (two site names joined by '-'), not '${text}'`);
  // name the part that is not a site: the longest declared prefix, else the first piece
  const prefix = declared.filter((d) => text.startsWith(`${d}-`)).sort((x, y) => y.length - x.length)[0];
  throw unknownSite(prefix ? text.slice(prefix.length + 1) : text.slice(0, text.indexOf("-")), declared);
}

export interface Planned {
  readonly scenarios: Scenario[];
  readonly isolate: { site: string; base: Scenario } | null;
  /** why a sweep asked for gave no scenario ("a two-site design has no double loss that leaves a site up") */
  readonly skipped: string[];
}

/** The most scenarios one `quorate simulate` computes (every pair of 100 sites is 4,950). */
export const MAX_SCENARIOS = 5000;

/** The scenarios asked for: the explicit one (or all up), an isolation, and each sweep's; every name checked against the file. */
export function plan(ctx: TopologyContext, a: SimulateArgs): Planned {
  const declared = [...ctx.topology.siteByName.keys()];
  for (const n of [...a.lose, ...a.partition.flat(), ...Object.keys(a.loseMembers), ...(a.isolate ? [a.isolate] : [])])
    if (!ctx.topology.siteByName.has(n)) throw unknownSite(n, declared);
  // a site in two groups (or twice in one) is no partition: `a/a`, or `a/a ` once names are trimmed
  const grouped = a.partition.flat();
  const twice = grouped.find((n, i) => grouped.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--partition names '${twice}' twice: each site belongs to one group`);
  const cut = a.cut.map((c) => parseLink(c.text, declared, c.flag));
  const slow: LinkFactor[] = a.slow.map((l) => ({ between: parseLink(l.text, declared, "--slow"), factor: l.factor }));
  if (a.isolate && (a.partition.length || cut.length))
    throw new UsageError(
      "--isolate is itself a partition: combine it with --lose, --lose-members, --rtt-factor or --slow, not --partition or --cut",
    );
  if (a.isolate && a.lose.includes(a.isolate))
    throw new UsageError(`--isolate ${a.isolate} and --lose ${a.isolate}: a lost site cannot be isolated`);
  const base: Scenario = {
    lose: a.lose,
    partition: a.partition.length > 1 ? a.partition : a.partition.length === 1 ? a.partition : [],
    cut,
    loseMembers: a.loseMembers,
    rttFactor: a.rttFactor,
    slow,
  };
  const explicit =
    a.lose.length || a.partition.length || cut.length || Object.keys(a.loseMembers).length || a.rttFactor !== null || slow.length;
  const out: Scenario[] = [];
  if (!a.isolate && (explicit || !a.sweeps.length)) out.push(explicit ? base : ALL_UP);
  const skipped: string[] = [];
  const sites = ctx.topology.siteByName.size;
  for (const kind of a.sweeps) {
    if (kind === "double" && sites < 3)
      skipped.push(
        `--all-double-site: a ${sites === 2 ? "two-site" : "one-site"} design has no double loss that leaves a site up (sweeps skip losing every site)`,
      );
    if (kind === "single" && sites < 2) skipped.push("--all-single-site: a one-site design has no single loss that leaves a site up");
    try {
      out.push(...sweep(ctx, kind).map((s) => ({ ...s, loseMembers: base.loseMembers, rttFactor: a.rttFactor, slow })));
    } catch (e) {
      throw new UsageError(`--all-partitions: ${(e as Error).message}`);
    }
  }
  // bounded rather than hundreds of megabytes of output (200 sites: 19,900 double-site scenarios)
  if (out.length > MAX_SCENARIOS)
    throw new UsageError(
      `this run would simulate ${out.length.toLocaleString("en-US")} scenarios (${ctx.topology.siteByName.size} sites), more than the ${MAX_SCENARIOS.toLocaleString("en-US")} one run computes: name the sites (--lose A,B) or sweep single-site losses`,
    );
  return { scenarios: out, isolate: a.isolate ? { site: a.isolate, base } : null, skipped };
}

/**
 * The file's topology, or a usage error that says why there is none. With `format`, a file that
 * breaks the schema is refused too (the game day: see formatErrors).
 */
export function contextOf(path: string, text: string, refuse: { format?: boolean } = {}): TopologyContext {
  const a = analyzeFile(path, text);
  const broken =
    a.parsed.docs.flatMap((d) => d.yamlFindings).find((f) => f.code.startsWith("yaml/")) ??
    (refuse.format ? formatErrors(a)[0] : undefined);
  if (broken) {
    const p = a.parsed.lines.positionAt(broken.span.start);
    throw new UsageError(`${path}:${p.line + 1}:${p.character + 1}: ${broken.message} (fix it first: \`quorate check ${path}\`)`);
  }
  const ctx = a.contexts[0];
  if (!ctx) throw new UsageError(`${path} holds no topology (apiVersion: quorate.dev/v1alpha1, kind: Topology)`);
  return ctx;
}

export type Outcome = Result | IsolateResult;

/**
 * Every result asked for, in order: the explicit scenario or the isolation first, then the sweeps.
 * One at a time, as the renderers take them: a sweep's results are printed and dropped, never all
 * held (5,000 scenarios of a big design are gigabytes of results).
 */
export function* outcomes(ctx: TopologyContext, p: Planned): Generator<Outcome> {
  if (p.isolate) yield runIsolate(ctx, p.isolate.site, p.isolate.base);
  for (const s of p.scenarios) yield run(ctx, s);
}

export const text = simulateText;
export const markdown = simulateMarkdown;
export const json = simulateJson;
