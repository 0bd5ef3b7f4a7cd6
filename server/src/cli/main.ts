import {
  AVAILABILITY_FORMATS,
  type AvailabilityFormat,
  availabilityJson,
  availabilityMarkdown,
  availabilityText,
} from "../availability/render";
import { dirname, relative, resolve, sep } from "node:path";
import { objectiveStatuses } from "../rules/index";
import { analyzeRun, type SeverityOverride } from "../analysis";
import { boundFileSource, pemFingerprints } from "../deployments";
import { RULES, ruleInfo } from "../rules/catalog";
import { DEFAULT_OPTIONS } from "../derive/context";
import { DEFAULT_MAX_TOTAL_MB, sizeText } from "../discovery";
import { closest, DNS_LABEL } from "../util/strings";
import { collectFiles, DEFAULT_MAX_FILE_KB, readBound, readOneFile, ROOT_OPTION, UsageError } from "./files";
import { DIAGRAM_FORMATS, diagramOf, markdown, renderSvg, type DiagramFormat } from "./diagram";
import * as report from "./report";
import * as sim from "./simulate";
import { diffVersions } from "./versions";
import { diffJson, diffMarkdown, diffText } from "../whatif/render";
import { analyzeAlone } from "../analysis";
import { decisionRecord } from "../whatif/record";
import { CHAOS_TOOLS, type ChaosTool, gameDay, GameDayError, GameDayRefusal, refuseUnsafeNames } from "../whatif/gameday";
import { parseCidr } from "../math/cidr";
import { type CommandHelp, HelpRequest, renderHelp, renderOverview, walkArgs } from "./help";
import { oneLine, terminalText } from "../util/terminal";
import { OutputError, prepareFolder, writeFilesInto, writeOutputFile } from "../output";
import { deployedPorts } from "../drift/ports";
import { portMatrix } from "../ports/ports";
import { PORT_FORMATS, type PortFormat, portsCsv, portsJson, portsMarkdown } from "../ports/render";

export const FORMATS = ["text", "json", "sarif", "junit"] as const;
type Format = (typeof FORMATS)[number];

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** reads standard input (`quorate check -`) to its end, or up to one byte past `maxBytes`; absent where there is none */
  readonly stdin?: (maxBytes: number) => string;
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
  // one sink for everything printed: names from a design or a path never reach the terminal as
  // escape sequences; only the colour codes of a run that may colour survive
  const color = !argv.includes("--no-color") && (argv.includes("--color") || colorFor(undefined, io) || !!io.env.FORCE_COLOR);
  const raw = io;
  io = { ...raw, stdout: (s) => raw.stdout(terminalText(s, color)), stderr: (s) => raw.stderr(terminalText(s)) };
  try {
    return run(argv, io, version);
  } catch (e) {
    if (e instanceof UsageError || e instanceof OutputError) {
      io.stderr(`quorate: ${oneLine(e.message)}\n`); // one line, whatever a name in it holds
      return 2;
    }
    throw e;
  }
}

function run(argv: readonly string[], io: Io, version: string): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    (command === undefined ? io.stderr : io.stdout)(renderOverview(COMMANDS.map((c) => c.help)));
    return command === undefined ? 2 : 0;
  }
  if (command === "-v" || command === "--version") {
    io.stdout(`${version}\n`);
    return 0;
  }
  if (command === "help") {
    const [name, ...extra] = rest;
    if (name === undefined) {
      io.stdout(renderOverview(COMMANDS.map((c) => c.help)));
      return 0;
    }
    if (extra.length) throw new UsageError("help takes one COMMAND (e.g. 'quorate help check')");
    io.stdout(renderHelp(commandNamed(name).help));
    return 0;
  }
  try {
    return commandNamed(command).run(rest, io, version);
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.stdout(renderHelp(e.help));
      return 0;
    }
    throw e;
  }
}

function commandNamed(name: string): Command {
  const c = COMMANDS.find((x) => x.help.name === name);
  if (!c) {
    const near = closest(
      name,
      COMMANDS.map((x) => x.help.name),
    );
    throw new UsageError(`unknown command '${name}'${near ? ` — did you mean '${near}'?` : ""} (try 'quorate --help')`);
  }
  return c;
}

const RULES_HELP: CommandHelp = {
  name: "rules",
  summary: "list every rule code with its default severity and title",
  usage: ["rules"],
  options: [],
  examples: ["quorate rules | grep quorum/   # the quorum rules"],
  details: "Any code can be overridden per run with 'quorate check --rule CODE=SEVERITY', or in VS Code with quorate.rules.",
};

function rulesCommand(args: readonly string[], io: Io): number {
  const extra = [...walkArgs(args, RULES_HELP)].map((a) => a.arg);
  if (extra.length) throw new UsageError(`rules takes no arguments, not '${extra.join(" ")}'`);
  for (const r of RULES) io.stdout(`${r.code.padEnd(44)} ${r.severity.padEnd(12)} ${r.title}\n`);
  return 0;
}

const CHECK_HELP: CommandHelp = {
  name: "check",
  summary: "analyse topology files and Kubernetes manifests: every finding with its rule code",
  usage: ["check [options] PATH..."],
  options: [
    { flags: "-f, --format text|json|sarif|junit", text: "output format (default text); sarif is SARIF 2.1.0 for code scanning" },
    { flags: "--rule CODE=SEVERITY", text: "override a rule: off|error|warning|information|hint (repeatable; codes: quorate rules)" },
    { flags: "--galera-max-rtt-ms N", text: `rtt/galera-wan threshold in ms (default ${DEFAULT_OPTIONS.galeraMaxRttMs})` },
    { flags: "--max-file-size-kb N", text: `files larger than this are not analysed (default ${DEFAULT_MAX_FILE_KB}); exit 2 names them` },
    {
      flags: "--max-total-size-mb N",
      text: `at most this much is read in all, each file once however many names it has (default ${DEFAULT_MAX_TOTAL_MB}); exit 2 names the files past it`,
    },
    ROOT_OPTION,
    { flags: "--color, --no-color", text: "force or suppress colour (default: only on a terminal, never with NO_COLOR)" },
  ],
  details: `Folders are searched recursively for *.topology.yaml / *.topology.yml and YAML files holding
ServiceExport, Role, ClusterRole, RoleBinding or ClusterRoleBinding documents (also as the items
of a List, as kubectl get -o yaml prints them); all files of one
run are judged together (an exportPolicy in one file applies to RBAC in another). Deployment
files named in a cluster's \`deployment\` list are read with their topology (drift). A PATH of - reads
standard input, reported as the file '-' (a topology by its apiVersion and kind).

Reads stay inside one bound (--root): a PATH that is, or goes through, a symbolic link leading
out of it is a usage error (with --root, any PATH outside DIR); a deployment entry outside it is
drift/outside-repository.

Exit status: 0 no error findings, 1 at least one error finding, 2 usage error, unreadable path,
a path outside the bound or a file over the size limit (one file's, or the run's in all).`,
  examples: [
    "quorate check .                                   # every design and manifest under here",
    "quorate check --format sarif examples > quorate.sarif",
    "quorate check --rule quorum/even-members=off examples/payments-eu.topology.yaml",
    "quorate check - < examples/payments-eu.topology.yaml   # standard input, reported as '-'",
    "quorate check --root . examples                   # CI: every read inside this checkout",
  ],
};

function checkCommand(args: readonly string[], io: Io, version: string): number {
  let format: Format = "text";
  let color: boolean | undefined;
  let galeraMaxRttMs = DEFAULT_OPTIONS.galeraMaxRttMs;
  let maxFileKb = DEFAULT_MAX_FILE_KB;
  let maxTotalMb = DEFAULT_MAX_TOTAL_MB;
  let root: string | undefined;
  const severities: Record<string, SeverityOverride> = {};
  const paths: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, CHECK_HELP)) {
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
    } else if (flag === "--max-total-size-mb") {
      const v = value();
      maxTotalMb = Number(v);
      if (!Number.isInteger(maxTotalMb) || maxTotalMb < 1)
        throw new UsageError(`--max-total-size-mb takes a whole number of MB (at least 1), not '${v}'`);
    } else if (flag === "--root") root = value();
    else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else paths.push(arg);
  }
  if (!paths.length) throw new UsageError("check needs at least one PATH (a file or a folder)");

  const bound = readBound(io.cwd, root);
  const note = (line: string) => io.stderr(`quorate: ${line}\n`);
  const { files, tooLarge, overBudget } = collectFiles(paths, io.cwd, maxFileKb * 1024, note, io.stdin, maxTotalMb * 1024 * 1024, bound);
  for (const f of tooLarge) {
    io.stderr(
      f.size === undefined
        ? `quorate: ${f.path} (standard input) is over the ${maxFileKb} KB limit for one file, where reading it stopped: not analysed (raise it with --max-file-size-kb)\n`
        : `quorate: ${f.path} is ${sizeText(f.size)}, over the ${maxFileKb} KB limit for one file: not analysed (raise it with --max-file-size-kb ${Math.ceil(f.size / 1024)})\n`,
    );
  }
  if (overBudget.length) note(overBudgetLine(overBudget, maxTotalMb));
  // the deployment files bound to clusters are read with their topology: CI catches drift with no extra flag
  const deployments = { source: boundFileSource({ cwd: io.cwd, bound, maxBytes: maxFileKb * 1024 }), fingerprints: pemFingerprints };
  const results = analyzeRun(files, { galeraMaxRttMs, severities }, deployments).filter((r) => r.parsed.relevant || r.findings.length);
  const rows = report.rows(results);
  const names = results.map((r) => r.parsed.path);
  if (!results.length && !tooLarge.length && !overBudget.length)
    io.stderr(`quorate: no topology files or manifests found in ${paths.join(" ")}\n`);
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
  if (tooLarge.length || overBudget.length) return 2;
  return rows.some((r) => r.severity === "error") ? 1 : 0;
}

/** The files a run did not read because it had read its budget before them: how many, the first few, and the flag that reads them. */
function overBudgetLine(files: readonly { path: string; size: number }[], maxTotalMb: number): string {
  const shown = files.slice(0, 5).map((f) => `${f.path} (${sizeText(f.size)})`);
  const more = files.length > shown.length ? ` and ${files.length - shown.length} more` : "";
  const total = files.reduce((n, f) => n + f.size, 0);
  const need = maxTotalMb + Math.ceil(total / 1024 / 1024);
  return `${files.length} file${files.length === 1 ? "" : "s"} not analysed: ${shown.join(", ")}${more}: past the ${maxTotalMb} MB this run reads in all (raise it with --max-total-size-mb ${need})`;
}

const DIAGRAM_HELP: CommandHelp = {
  name: "diagram",
  summary: "draw a topology as the preview does: Mermaid source, a Markdown page, or SVG",
  usage: ["diagram [--format mermaid|md|svg] [-o OUT [--force]] FILE"],
  options: [
    {
      flags: "-f, --format mermaid|md|svg",
      text: "mermaid (default), md (a page with a mermaid block), or svg (needs Chromium: apt-get install chromium, or QUORATE_CHROMIUM)",
    },
    { flags: "-o, --output OUT", text: "write to OUT instead of standard output" },
    { flags: "--force", text: "replace OUT if it exists (it is never replaced otherwise; a symbolic link is replaced, not followed)" },
    ROOT_OPTION,
  ],
  details: "Exit status: 0 drawn, 1 the file cannot be drawn (its first error is printed), 2 usage error (a FILE outside the bound too).",
  examples: ["quorate diagram --format md -o payments-eu.md examples/payments-eu.topology.yaml"],
};

function diagram(args: readonly string[], io: Io): number {
  let format: DiagramFormat = "mermaid";
  let out: string | undefined;
  let force = false;
  let root: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, DIAGRAM_HELP)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), DIAGRAM_FORMATS, "diagram format");
    else if (flag === "-o" || flag === "--output") out = outputName(flag, value());
    else if (flag === "--force") force = true;
    else if (flag === "--root") root = value();
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("diagram takes exactly one topology FILE");
  const text = readOneFile(files[0], io.cwd, undefined, io.stdin, readBound(io.cwd, root));
  const d = diagramOf(files[0], text);
  if (d.error) {
    io.stderr(`quorate: ${files[0]}: ${d.error}\n`);
    return 1;
  }
  const rendered = format === "mermaid" ? d.mermaid : format === "md" ? markdown(d) : renderSvg(d.mermaid, io.env);
  if (out !== undefined) writeOutputFile(out, rendered, io.cwd, { force });
  else io.stdout(rendered);
  return 0;
}

const SIMULATE_HELP: CommandHelp = {
  name: "simulate",
  summary: "what a failure does to the design: every quorum, service and route, with the arithmetic",
  usage: ["simulate [scenario options] [--format text|json|md] FILE"],
  options: [
    ...sim.SCENARIO_OPTIONS,
    {
      flags: "-f, --format text|json|md",
      text: "output format (default text); json has one object per scenario with the keys the README lists (an array for sweeps); md is a table for a pull request (e.g. --format json)",
    },
    { flags: "--color, --no-color", text: "force or suppress colour (default: only on a terminal; e.g. --no-color)" },
    ROOT_OPTION,
  ],
  details: `Scenario options combine into one scenario (none = every site up); each sweep adds one row
per scenario it generates. A link is named by its two sites in either order (fra-lon or lon-fra);
site names may contain '-', so A-B is read against the file's declared sites, and a name with two
readings (sites a-b and c, and a and b-c) is refused with both listed.

Exit status: 0 every scenario is ok, 1 some scenario is degraded or worse, 2 usage error (an
unknown site is named with the closest declared one; a factor outside 1 < F ≤ 1000; a link with
two readings).`,
  examples: [
    "quorate simulate --lose fra examples/payments-eu.topology.yaml",
    "quorate simulate --all-single-site --format md examples/payments-eu.topology.yaml   # a table for the PR",
    "quorate simulate --cut fra-lon --format json examples/payments-eu-reviewed.topology.yaml   # fra and lon both still reach ams",
    "quorate simulate --isolate lon examples/payments-eu-reviewed.topology.yaml   # before and after steering withdraws lon",
  ],
};

const AVAILABILITY_HELP: CommandHelp = {
  name: "availability",
  summary: "how often each store and entry point works, from the sites' and links' availability, against its objectives",
  usage: ["availability [--format text|json|md] FILE"],
  options: [
    {
      flags: "-f, --format text|json|md",
      text: "output format (default text); json is one object per entity; md is a table for a pull request",
    },
    ROOT_OPTION,
  ],
  details: `Every quorum, async/crdt store and traffic entry: availability (nines, unavailable minutes a
year), how it was computed (exact, or bounded with the probability not judged), the cut sets
most likely first, conflict probability, served fraction, RTO and RPO estimates, and each
declared objective met or not. States of the sites and links each entity depends on are
enumerated by increasing number of failures (never sampled); failures are taken as independent,
so every figure is an upper bound.

Exit status: 0 every objective is met, 1 some objective is not met or cannot be measured, 2 usage error.`,
  examples: [
    "quorate availability examples/payments-eu.topology.yaml",
    "quorate availability --format md examples/payments-eu.topology.yaml   # a table for the PR",
  ],
};

function availabilityCommand(args: readonly string[], io: Io): number {
  let format: AvailabilityFormat = "text";
  let root: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, AVAILABILITY_HELP)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), AVAILABILITY_FORMATS, "format");
    else if (flag === "--root") root = value();
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("availability takes exactly one topology FILE");
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd, undefined, io.stdin, readBound(io.cwd, root)));
  if (format === "json") io.stdout(availabilityJson(ctx));
  else if (format === "md") io.stdout(availabilityMarkdown(ctx));
  else io.stdout(availabilityText(ctx));
  const owners = [...ctx.topology.stores, ...ctx.topology.traffic];
  return owners.every((o) => Object.values(objectiveStatuses(ctx, o)).every((s) => s.met === true)) ? 0 : 1;
}

/** `-o ""` names nothing: refused rather than taken as the current folder. */
function outputName(flag: string, v: string): string {
  if (!v.trim()) throw new UsageError(`${flag} needs a file or folder name, not an empty string`);
  return v;
}

function simulateCommand(args: readonly string[], io: Io): number {
  let format: sim.SimulateFormat = "text";
  let color: boolean | undefined;
  let root: string | undefined;
  const a = sim.emptyArgs();
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, SIMULATE_HELP)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), sim.SIMULATE_FORMATS, "format");
    else if (flag === "--root") root = value();
    else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (sim.scenarioOption(a, flag, value)) continue;
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate simulate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("simulate takes exactly one topology FILE (try 'quorate simulate --help')");
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd, undefined, io.stdin, readBound(io.cwd, root)));
  const plan = sim.plan(ctx, a);
  for (const why of plan.skipped) io.stderr(`quorate: ${why}\n`);
  let ok = true;
  const results = (function* () {
    for (const o of sim.outcomes(ctx, plan)) {
      ok &&= o.verdict === "ok";
      yield o;
    }
  })();
  // written as computed, a scenario at a time: a sweep's output is never one string
  const chunks =
    format === "json"
      ? sim.json(results, !a.sweeps.length)
      : format === "md"
        ? sim.markdown(results)
        : sim.text(results, colorFor(color, io));
  for (const chunk of chunks) io.stdout(chunk);
  return ok ? 0 : 1;
}

const REPORT_HELP: CommandHelp = {
  name: "report",
  summary: "the design's decision record (Markdown) to review and sign",
  usage: ["report [-o ADR.md [--force]] [--root DIR] FILE"],
  options: [
    { flags: "-o, --output FILE", text: "write the record to FILE instead of standard output" },
    { flags: "--force", text: "replace FILE if it exists (it is never replaced otherwise; a symbolic link is replaced, not followed)" },
    ROOT_OPTION,
  ],
  details: `The record holds the quorums and what each site loss does to them, the WAN timers, the CIDR
plan, failover capacity, exports, the failure matrix, the findings and the day-two checklist.

The deployment files its clusters bind are read inside the bound (--root); an entry outside it
is drift/outside-repository in the record's findings. A FILE that a symbolic link leads out of
the bound (with --root, any FILE outside DIR) is not read.

Exit status: 0 written, 2 usage error, a FILE outside the bound or a file that is not a topology.`,
  examples: ["quorate report -o payments-eu.adr.md examples/payments-eu.topology.yaml"],
};

function recordCommand(args: readonly string[], io: Io, version: string): number {
  let out: string | undefined;
  let force = false;
  let root: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, REPORT_HELP)) {
    if (flag === "-o" || flag === "--output") out = outputName(flag, value());
    else if (flag === "--force") force = true;
    else if (flag === "--root") root = value();
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("report takes exactly one topology FILE");
  const within = readBound(io.cwd, root);
  const text = readOneFile(files[0], io.cwd, undefined, io.stdin, within);
  sim.contextOf(files[0], text);
  // the deployment files its clusters bind are read as check reads them: their drift is open too (review M75)
  const deployments = { source: boundFileSource({ cwd: io.cwd, bound: within }), fingerprints: pemFingerprints };
  const { analysis, findings, bound } = analyzeAlone(files[0], text, undefined, deployments);
  // cited from the design's folder, as its `deployment` entries name them
  const home = dirname(resolve(io.cwd, files[0]));
  const cited = bound.map((b) => ({ ...b, path: relative(home, resolve(io.cwd, b.path)).split(sep).join("/") }));
  const md = decisionRecord({ path: files[0], analysis, findings, version, bound: cited })!;
  if (out !== undefined) writeOutputFile(out, md, io.cwd, { force });
  else io.stdout(md);
  return 0;
}

const DIFF_FORMATS = ["text", "json", "md"] as const;

const DIFF_HELP: CommandHelp = {
  name: "diff",
  summary: "compare two versions of a design: the verdict of every loss and partition, findings added and resolved",
  usage: ["diff [--format text|json|md] OLD NEW"],
  options: [
    { flags: "-f, --format text|json|md", text: "output format (default text); md is what the GitHub Action writes to the job summary" },
    { flags: "--color, --no-color", text: "force or suppress colour (default: only on a terminal)" },
    ROOT_OPTION,
  ],
  details: `OLD and NEW are paths, or REV:path read from git (e.g. HEAD:design.topology.yaml,
origin/main:design.topology.yaml); one of them may be - (standard input). A path that a
symbolic link leads out of the bound (--root) is not read; git reads REV:path from the
repository it is in.

Exit status: 0 no regression, 1 some scenario got worse or an error finding is new, 2 usage
error or an unreadable version.`,
  examples: [
    "quorate diff examples/payments-eu.topology.yaml examples/payments-eu-reviewed.topology.yaml",
    "quorate diff HEAD:examples/payments-eu.topology.yaml examples/payments-eu.topology.yaml   # your edit against the last commit",
  ],
};

function diffCommand(args: readonly string[], io: Io): number {
  let format: (typeof DIFF_FORMATS)[number] = "text";
  let color: boolean | undefined;
  let root: string | undefined;
  const specs: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, DIFF_HELP)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), DIFF_FORMATS, "format");
    else if (flag === "--root") root = value();
    else if (flag === "--color") color = true;
    else if (flag === "--no-color") color = false;
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate --help')`);
    else specs.push(arg);
  }
  if (specs.length !== 2)
    throw new UsageError("diff takes two versions: OLD NEW (paths, or REV:path from git, e.g. HEAD:design.topology.yaml)");
  const d = diffVersions(specs[0], specs[1], io.cwd, io.stdin, readBound(io.cwd, root));
  if (format === "json") io.stdout(diffJson(d));
  else if (format === "md") io.stdout(diffMarkdown(d));
  else io.stdout(diffText(d, colorFor(color, io)));
  return d.regressions ? 1 : 0;
}

const GAMEDAY_HELP: CommandHelp = {
  name: "gameday",
  summary: "the chaos experiments that enact a scenario on each cluster, and a RUNBOOK.md with the predicted outcome",
  usage: [
    "gameday (--lose S[,S] | --isolate S | --partition A/B[,C]) [--tool chaos-mesh|litmus] [--duration D]",
    "        [--namespace NS[,NS]] [-o DIR] [--force] [--format md] FILE",
  ],
  options: [
    // a game day enacts a loss as isolation (review M68): say so, not "those sites are gone"
    {
      flags: "--lose S[,S]",
      text: "enacted as isolation: each site cut off from every other site, the others named included, then withdrawn from steering (e.g. --lose fra or --lose fra,lon)",
    },
    ...sim.SCENARIO_OPTIONS.filter((o) => /^--partition /.test(o.flags)),
    { flags: "--tool chaos-mesh|litmus", text: "the chaos engine the manifests are for (default chaos-mesh)" },
    {
      flags: "--duration D",
      text: "how long each fault lasts, e.g. 4m, 90s (default: derived from the design — under the first replication-lag bound the cut runs against, 10m when none)",
    },
    {
      flags: "--isolate S",
      text: "S cut off from every other site, as --lose S; then what a deep health check fails is withdrawn from steering (S, unless S writes and the other side cannot)",
    },
    {
      flags: "-n, --namespace NS[,NS]",
      text: "the workload namespaces the faults select (default: the namespaces of the Services each cluster exports)",
    },
    {
      flags: "-o, --output DIR",
      text: "the folder to write, created if missing (default gameday-<scenario>; a symbolic link by that default name is not followed)",
    },
    {
      flags: "--force",
      text: "replace files the folder already holds (never otherwise); the files go inside DIR only and never through a symbolic link already there",
    },
    { flags: "-f, --format md", text: "print RUNBOOK.md to standard output (with -o, write the files too)" },
    {
      flags: "--management-cidr CIDR[,CIDR]",
      text: "the operator's management ranges: the host rules never drop them (without them a cut can sever your own path until the dead-man timer fires)",
    },
    {
      flags: "--accept-down",
      text: "write a drill the engine predicts takes the design down (refused otherwise: the runbook then opens with the go/no-go and the error budget it spends)",
    },
    ROOT_OPTION,
  ],
  details: `A game day enacts one scenario: --lose (enacted as isolation: the site cut off from every other,
then withdrawn from steering) or --partition. Chaos manifests cut the application and store
namespaces (never a system namespace); nftables files under hosts/ cut what chaos tools cannot
touch (host-network pods, hosts at sites[].addresses), applied last and rolled back first.

Litmus works through NetworkPolicy, which Cilium does not apply to traffic between its own
endpoints as a CIDR rule: on a Cilium (ClusterMesh) design the manifests are Chaos Mesh's, and
the runbook says why.

Exit status: 0 written, 1 refused (nothing is written): a target range overlaps the cluster it is
applied in (an open cidr/overlap), a --management-cidr overlaps a range the cut drops, the
scenario cuts nothing in this design, or it is predicted to take the design down and
--accept-down was not given (the message gives the error budget it would spend); 2 usage error (an unknown site, or a scenario that cannot
be enacted).`,
  examples: ["quorate gameday --lose fra --tool chaos-mesh -o gameday-fra examples/payments-eu-reviewed.topology.yaml"],
};

function gameDayCommand(args: readonly string[], io: Io): number {
  let tool: ChaosTool = "chaos-mesh";
  let duration: string | undefined;
  let namespaces: string[] | undefined;
  let out: string | undefined;
  let format: "files" | "md" = "files";
  let force = false;
  let management: string[] | undefined;
  let acceptDown = false;
  let isolate = false;
  let root: string | undefined;
  const a = sim.emptyArgs();
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, GAMEDAY_HELP)) {
    if (flag === "--tool") tool = choice(value(), CHAOS_TOOLS, "tool");
    else if (flag === "--root") root = value();
    else if (flag === "--duration") duration = value();
    else if (flag === "--namespace" || flag === "-n") {
      const v = value();
      namespaces = v.split(",").map((x) => x.trim());
      if (namespaces.some((x) => !DNS_LABEL.test(x)))
        throw new UsageError(`--namespace takes Kubernetes namespace names (DNS labels), not '${v}'`);
    } else if (flag === "-o" || flag === "--output") out = outputName(flag, value());
    else if (flag === "--force") force = true;
    else if (flag === "--accept-down") acceptDown = true;
    else if (flag === "-f" || flag === "--format") format = choice(value(), ["md"] as const, "gameday format") as "md";
    else if (flag === "--lose" || flag === "--partition") sim.scenarioOption(a, flag, value);
    else if (flag === "--isolate") {
      sim.scenarioOption(a, "--lose", value);
      isolate = true;
    } else if (flag === "--management-cidr") {
      const v = value();
      management = v.split(",").map((x) => x.trim());
      if (management.some((x) => !parseCidr(x)))
        throw new UsageError(`--management-cidr takes CIDRs (10.0.0.0/24, 2001:db8::/64), not '${v}'`);
    } else if (flag.startsWith("-") && flag !== "-")
      throw new UsageError(`unknown option '${flag}' (gameday enacts --lose or --partition; try 'quorate --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("gameday takes exactly one topology FILE");
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd, undefined, io.stdin, readBound(io.cwd, root)), { format: true });
  sim.plan(ctx, a); // every named site is declared (a usage error names the closest)
  let g: ReturnType<typeof gameDay>;
  try {
    refuseUnsafeNames(ctx, namespaces);
    g = gameDay(
      ctx,
      { lose: a.lose, partition: a.partition },
      { tool, duration, namespaces, source: files[0], managementRanges: management, acceptDown, isolate },
    );
  } catch (e) {
    if (e instanceof GameDayRefusal) {
      io.stderr(`quorate: ${oneLine(e.message)}\n`); // one line, whatever a name in it holds
      return 1;
    }
    if (e instanceof GameDayError) throw new UsageError(e.message);
    throw e;
  }
  if (format === "md" && !out) {
    io.stdout(g.runbook);
    return 0;
  }
  // a folder the user names is theirs (a link to it is followed); the default one is ours: a
  // symbolic link planted under that name in a cloned repository is not followed
  const dir = prepareFolder(out ?? g.folder, io.cwd, { followLink: out !== undefined });
  const written = writeFilesInto(dir, g.files, { force });
  if (format === "md") io.stdout(g.runbook);
  else {
    io.stdout(`${written.map((p) => `wrote ${p}`).join("\n")}\n`);
    for (const n of g.notes) io.stderr(`quorate: note: ${n}\n`);
  }
  return 0;
}

const PORTS_HELP: CommandHelp = {
  name: "ports",
  summary: "the port matrix: what the firewalls between sites must let through, per site pair",
  usage: ["ports [--format md|csv|json] [-o OUT [--force]] [--root DIR] FILE"],
  options: [
    { flags: "-f, --format md|csv|json", text: "Markdown tables per site pair (default), CSV for a firewall ticket, or JSON" },
    { flags: "-o, --output FILE", text: "write to FILE instead of standard output" },
    { flags: "--force", text: "replace FILE if it exists (it is never replaced otherwise)" },
    ROOT_OPTION,
  ],
  details: `Derived from what the design uses: ClusterMesh (clustermesh-apiserver, health, tunnel),
Submariner (gateways, NAT discovery, VXLAN to the gateway, the Broker), Istio east-west gateways
and istiod, Linkerd gateways and mirrors, stretched etcd, Galera. Each row names both ends with
their declared ranges (cluster node and pod ranges, sites[].addresses) and why. Where a cluster's
bound deployment files set a port (clustermesh.apiserver.service.nodePort, tunnelProtocol,
routingMode, encryption, Submariner's NAT-T port, Linkerd's gateway ports), the deployed value is
used; else a cluster's network.routing says whether its pod ranges are routed (default: tunnel).
Those deployment files are read inside the bound (--root): an entry outside it is said on
stderr and not read (its cluster's ports are the design's). A FILE that a symbolic link leads
out of the bound (with --root, any FILE outside DIR) is not read.

Exit status: 0 written, 2 usage error, a FILE outside the bound or a file that is not a topology.`,
  examples: ["quorate ports examples/payments-eu-reviewed.topology.yaml", "quorate ports --format csv examples/drift/edge.topology.yaml"],
};

function portsCommand(args: readonly string[], io: Io): number {
  let format: PortFormat = "md";
  let out: string | undefined;
  let force = false;
  let root: string | undefined;
  const files: string[] = [];
  for (const { flag, arg, value } of walkArgs(args, PORTS_HELP)) {
    if (flag === "-f" || flag === "--format") format = choice(value(), PORT_FORMATS, "ports format");
    else if (flag === "-o" || flag === "--output") out = outputName(flag, value());
    else if (flag === "--force") force = true;
    else if (flag === "--root") root = value();
    else if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown option '${flag}' (try 'quorate ports --help')`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError("ports takes exactly one topology FILE");
  const bound = readBound(io.cwd, root);
  const ctx = sim.contextOf(files[0], readOneFile(files[0], io.cwd, undefined, io.stdin, bound));
  // an entry not read is said, never skipped in silence: the design's ports stand for that cluster's
  const refused = (cluster: string, r: { message: string }) =>
    io.stderr(`quorate: cluster ${cluster}: ${r.message} (its ports are the design's)\n`);
  const m = portMatrix(ctx, deployedPorts(ctx, files[0], boundFileSource({ cwd: io.cwd, bound }), refused));
  const text =
    format === "csv"
      ? portsCsv(m)
      : format === "json"
        ? portsJson(m)
        : `# Ports: ${ctx.topology.name?.value ?? files[0]}\n\n${portsMarkdown(m, "##")}`;
  if (out !== undefined) writeOutputFile(out, text, io.cwd, { force });
  else io.stdout(text);
  return 0;
}

interface Command {
  readonly help: CommandHelp;
  run(args: readonly string[], io: Io, version: string): number;
}

/** Every subcommand, in the order `quorate --help` lists them. A new command adds its CommandHelp here. */
const COMMANDS: readonly Command[] = [
  { help: CHECK_HELP, run: checkCommand },
  { help: SIMULATE_HELP, run: simulateCommand },
  { help: DIFF_HELP, run: diffCommand },
  { help: REPORT_HELP, run: recordCommand },
  { help: GAMEDAY_HELP, run: gameDayCommand },
  { help: PORTS_HELP, run: portsCommand },
  { help: DIAGRAM_HELP, run: diagram },
  { help: RULES_HELP, run: rulesCommand },
  { help: AVAILABILITY_HELP, run: availabilityCommand },
];
