import { analyzeRun, type SeverityOverride } from "../analysis";
import { diskSource, pemFingerprints } from "../deployments";
import { RULES, ruleInfo } from "../rules/catalog";
import { DEFAULT_OPTIONS } from "../rules/context";
import { sizeText } from "../discovery";
import { collectFiles, DEFAULT_MAX_FILE_KB, readOneFile, UsageError } from "./files";
import { DIAGRAM_FORMATS, diagramOf, markdown, renderSvg, type DiagramFormat } from "./diagram";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import * as report from "./report";
import * as sim from "./simulate";
import { diffVersions } from "./versions";
import { diffJson, diffMarkdown, diffText } from "../whatif/render";
import { analyzeAlone } from "../analysis";
import { decisionRecord } from "../whatif/record";
import { CHAOS_TOOLS, type ChaosTool, gameDay, GameDayError } from "../whatif/gameday";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export const FORMATS = ["text", "json", "sarif", "junit"] as const;
type Format = (typeof FORMATS)[number];

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const HELP = `quorate — what breaks in a multi-site Kubernetes design

Usage:
  quorate check [options] PATH...   analyse topology files and Kubernetes manifests
  quorate diagram [--format mermaid|md|svg] [-o OUT] FILE
                                    draw a topology as Mermaid (svg needs Chromium: apt-get install chromium)
  quorate simulate [scenario options] [--format text|json|md] FILE
                                    what a failure does to the design (exit 1 unless every scenario is ok)
  quorate report [-o ADR.md] FILE   the design's decision record (Markdown): quorums, losses, timers, CIDRs,
                                    capacity, exports, the failure matrix, findings and the day-two checklist
  quorate diff [--format text|json|md] OLD NEW
                                    compare two versions (paths or REV:path from git): verdicts of every loss and
                                    partition, findings added and resolved (exit 1 on a regression)
  quorate gameday (--lose S[,S] | --partition A/B[,C]) [--tool chaos-mesh|litmus] [--duration 10m]
                 [--namespace NS[,NS]] [-o DIR] [--format md] FILE
                                    the chaos experiments that enact a scenario per cluster, and RUNBOOK.md with
                                    the engine's predicted outcome (default DIR: gameday-<scenario>)
  quorate rules                     list every rule code with its default severity
  quorate --version | --help

check options:
  -f, --format text|json|sarif|junit   output format (default text)
  --rule CODE=SEVERITY                 override a rule: off|error|warning|information|hint (repeatable)
  --galera-max-rtt-ms N                rtt/galera-wan threshold in ms (default ${DEFAULT_OPTIONS.galeraMaxRttMs})
  --color / --no-color                 force or suppress colour (default: only on a terminal)
  --max-file-size-kb N                 files larger than this are not analysed (default ${DEFAULT_MAX_FILE_KB}); exit 2 names them

simulate scenario options (they combine; none = every site up):
  --lose fra[,lon]                     those sites are gone
  --partition fra/lon,ams[/...]        links between the groups are cut (unnamed sites form one more group)
  --lose-members fra:1[,lon:2]         a partial loss at a site, for every quorum with members there
  --rtt-factor 3 | --slow fra-lon=3    latency excursion: RTT = factor × (p99, else typical)
  --all-single-site | --all-double-site | --all-partitions   sweeps, one row each

Folders are searched recursively for *.topology.yaml / *.topology.yml and YAML files holding
ServiceExport, Role, ClusterRole, RoleBinding or ClusterRoleBinding documents; all files of one
run are judged together (an exportPolicy in one file applies to RBAC in another).

Exit status: 0 no error findings, 1 at least one error finding, 2 usage error, unreadable path
or a file over the size limit.
`;

interface Arg {
  /** the option name (`--format` of `--format=json`), or the argument itself */
  readonly flag: string;
  readonly arg: string;
  /** the option's value: after `=`, else the next argument */
  value(): string;
  /** every argument after this one (for `--`) */
  remaining(): string[];
}

/** Walks argv once for every command: `--flag=value`, `--flag value`, and positionals. */
function* walkArgs(args: readonly string[]): Generator<Arg> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      flag,
      arg,
      value: () => {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${flag} needs a value`);
        return v;
      },
      remaining: () => {
        const rest = args.slice(i + 1);
        i = args.length;
        return rest;
      },
    };
  }
}

/** --color / --no-color when given, else colour only on a terminal that takes it (NO_COLOR, TERM=dumb). */
const colorFor = (flag: boolean | undefined, io: Io): boolean => flag ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb");

function choice<T extends string>(v: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`unknown ${what} '${v}' (expected ${allowed.join(", ")})`);
  return v as T;
}

const SEVERITIES: SeverityOverride[] = ["off", "error", "warning", "information", "hint"];

/** Runs the CLI; returns the exit code. Pure of process globals so tests can call it. */
export function main(argv: readonly string[], io: Io, version: string): number {
  try {
    return run(argv, io, version);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`quorate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function run(argv: readonly string[], io: Io, version: string): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    (command === undefined ? io.stderr : io.stdout)(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "-v" || command === "--version") {
    io.stdout(`${version}\n`);
    return 0;
  }
  if (command === "rules") {
    for (const r of RULES) io.stdout(`${r.code.padEnd(44)} ${r.severity.padEnd(12)} ${r.title}\n`);
    return 0;
  }
  if (command === "diagram") return diagram(rest, io);
  if (command === "simulate") return simulateCommand(rest, io);
  if (command === "report") return recordCommand(rest, io, version);
  if (command === "diff") return diffCommand(rest, io);
  if (command === "gameday") return gameDayCommand(rest, io);
  if (command !== "check") throw new UsageError(`unknown command '${command}' (try 'quorate --help')`);

  let format: Format = "text";
  let color: boolean | undefined;
  let galeraMaxRttMs = DEFAULT_OPTIONS.galeraMaxRttMs;
  let maxFileKb = DEFAULT_MAX_FILE_KB;
  const severities: Record<string, SeverityOverride> = {};
  const paths: string[] = [];
  for (const { flag, arg, value, remaining } of walkArgs(rest)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), FORMATS, "format");
    else if (flag === "--rule") {
      const v = value();
      const m = /^([\w/-]+)=(\w+)$/.exec(v);
      if (!m || !ruleInfo(m[1]) || !SEVERITIES.includes(m[2] as SeverityOverride)) {
        throw new UsageError(`--rule takes CODE=${SEVERITIES.join("|")} with a known code, not '${v}'`);
      }
      severities[m[1]] = m[2] as SeverityOverride;
    } else if (flag === "--galera-max-rtt-ms") {
      const v = value();
      galeraMaxRttMs = Number(v);
      if (!Number.isFinite(galeraMaxRttMs) || galeraMaxRttMs < 0)
        throw new UsageError(`--galera-max-rtt-ms takes a number of ms, not '${v}'`);
    } else if (flag === "--max-file-size-kb") {
      const v = value();
      maxFileKb = Number(v);
      if (!Number.isInteger(maxFileKb) || maxFileKb < 1)
        throw new UsageError(`--max-file-size-kb takes a whole number of KB (at least 1), not '${v}'`);
    } else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (flag === "--") paths.push(...remaining());
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else paths.push(arg);
  }
  if (!paths.length) throw new UsageError("check needs at least one PATH (a file or a folder)");

  const { files, tooLarge } = collectFiles(paths, io.cwd, maxFileKb * 1024, (line) => io.stderr(`quorate: ${line}\n`));
  for (const f of tooLarge) {
    io.stderr(
      `quorate: ${f.path} is ${sizeText(f.size)}, over the ${maxFileKb} KB limit for one file: not analysed (raise it with --max-file-size-kb ${Math.ceil(f.size / 1024)})\n`,
    );
  }
  // the deployment files bound to clusters are read with their topology: CI catches drift with no extra flag
  const deployments = { source: diskSource(io.cwd, undefined, maxFileKb * 1024), fingerprints: pemFingerprints };
  const results = analyzeRun(files, { galeraMaxRttMs, severities }, deployments).filter((r) => r.parsed.relevant || r.findings.length);
  const rows = report.rows(results);
  const names = results.map((r) => r.parsed.path);
  if (!results.length && !tooLarge.length) io.stderr(`quorate: no topology files or manifests found in ${paths.join(" ")}\n`);
  switch (format) {
    case "json":
      io.stdout(report.json(rows));
      break;
    case "sarif":
      io.stdout(report.sarif(rows, version, io.cwd));
      break;
    case "junit":
      io.stdout(report.junit(rows, names));
      break;
    default: {
      const useColor = colorFor(color, io);
      io.stdout(report.text(rows, names.length, useColor || (color === undefined && !!io.env.FORCE_COLOR && io.env.FORCE_COLOR !== "0")));
    }
  }
  if (tooLarge.length) return 2;
  return rows.some((r) => r.severity === "error") ? 1 : 0;
}

function diagram(args: readonly string[], io: Io): number {
  let format: DiagramFormat = "mermaid";
  let out: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), DIAGRAM_FORMATS, "diagram format");
    else if (flag === "-o" || flag === "--output") out = value();
    else if (flag.startsWith("-")) throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("diagram takes exactly one topology FILE");
  const text = readOneFile(files[0], io.cwd);
  const d = diagramOf(files[0], text);
  if (d.error) {
    io.stderr(`quorate: ${files[0]}: ${d.error}\n`);
    return 1;
  }
  const rendered = format === "mermaid" ? d.mermaid : format === "md" ? markdown(d) : renderSvg(d.mermaid, io.env);
  if (out) writeFileSync(resolve(io.cwd, out), rendered);
  else io.stdout(rendered);
  return 0;
}

function simulateCommand(args: readonly string[], io: Io): number {
  let format: sim.SimulateFormat = "text";
  let color: boolean | undefined;
  const a = sim.emptyArgs();
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), sim.SIMULATE_FORMATS, "format");
    else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (sim.scenarioOption(a, flag, value)) continue;
    else if (flag.startsWith("-")) throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("simulate takes exactly one topology FILE");
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd));
  const scenarios = sim.scenarios(ctx, a);
  const results = scenarios.map((s) => sim.run(ctx, s));
  if (format === "json") io.stdout(sim.json(results, !a.sweeps.length));
  else if (format === "md") io.stdout(sim.markdown(results));
  else io.stdout(sim.text(results, colorFor(color, io)));
  return results.every((r) => r.verdict === "ok") ? 0 : 1;
}

function recordCommand(args: readonly string[], io: Io, version: string): number {
  let out: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args)) {
    if (flag === "-o" || flag === "--output") out = value();
    else if (flag.startsWith("-")) throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("report takes exactly one topology FILE");
  const text = readOneFile(files[0], io.cwd);
  sim.contextOf(files[0], text);
  const { analysis, findings } = analyzeAlone(files[0], text);
  const md = decisionRecord({ path: files[0], analysis, findings, version })!;
  if (out) writeFileSync(resolve(io.cwd, out), md);
  else io.stdout(md);
  return 0;
}

const DIFF_FORMATS = ["text", "json", "md"] as const;

function diffCommand(args: readonly string[], io: Io): number {
  let format: (typeof DIFF_FORMATS)[number] = "text";
  let color: boolean | undefined;
  const specs: string[] = [];
  for (const { flag, arg, value } of walkArgs(args)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), DIFF_FORMATS, "format");
    else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (flag.startsWith("-")) throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else specs.push(arg);
  }
  if (specs.length !== 2)
    throw new UsageError("diff takes two versions: OLD NEW (paths, or REV:path from git, e.g. HEAD:design.topology.yaml)");
  const d = diffVersions(specs[0], specs[1], io.cwd);
  if (format === "json") io.stdout(diffJson(d));
  else if (format === "md") io.stdout(diffMarkdown(d));
  else io.stdout(diffText(d, colorFor(color, io)));
  return d.regressions ? 1 : 0;
}

function gameDayCommand(args: readonly string[], io: Io): number {
  let tool: ChaosTool = "chaos-mesh";
  let duration = "10m";
  let namespaces: string[] | undefined;
  let out: string | undefined;
  let format: "files" | "md" = "files";
  const a = sim.emptyArgs();
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args)) {
    if (flag === "--tool") tool = choice(value(), CHAOS_TOOLS, "tool");
    else if (flag === "--duration") duration = value();
    else if (flag === "--namespace" || flag === "-n") {
      const v = value();
      namespaces = v.split(",").map((x) => x.trim());
      if (namespaces.some((x) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(x)))
        throw new UsageError(`--namespace takes Kubernetes namespace names (DNS labels), not '${v}'`);
    } else if (flag === "-o" || flag === "--output") out = value();
    else if (flag === "-f" || flag === "--format") format = choice(value(), ["md"] as const, "gameday format") as "md";
    else if (flag === "--lose" || flag === "--partition") sim.scenarioOption(a, flag, value);
    else if (flag.startsWith("-"))
      throw new UsageError(`unknown option '${flag}' (gameday enacts --lose or --partition; try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("gameday takes exactly one topology FILE");
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd));
  sim.scenarios(ctx, a); // every named site is declared (a usage error names the closest)
  let g: ReturnType<typeof gameDay>;
  try {
    g = gameDay(ctx, { lose: a.lose, partition: a.partition }, { tool, duration, namespaces, source: files[0] });
  } catch (e) {
    if (e instanceof GameDayError) throw new UsageError(e.message);
    throw e;
  }
  if (format === "md" && !out) {
    io.stdout(g.runbook);
    return 0;
  }
  const dir = resolve(io.cwd, out ?? g.folder);
  for (const f of g.files) {
    const target = resolve(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
  if (format === "md") io.stdout(g.runbook);
  else {
    io.stdout(`${g.files.map((f) => `wrote ${resolve(dir, f.path)}`).join("\n")}\n`);
    for (const n of g.notes) io.stderr(`quorate: note: ${n}\n`);
  }
  return 0;
}
