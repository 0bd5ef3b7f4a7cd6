import { UsageError } from "./files";

// Every subcommand's help lives beside its option parsing (main.ts, simulate.ts): a CommandHelp
// names the command, its usage, every option and an example. walkArgs() takes that CommandHelp,
// answers `-h`/`--help` with it, and refuses any option it does not list, so an option cannot be
// parsed without being documented. `quorate help COMMAND` prints the same text.

export interface OptionHelp {
  /** how the option is written, e.g. `-f, --format text|json`; every `-x`/`--word` token is a name */
  readonly flags: string;
  readonly text: string;
}

export interface CommandHelp {
  readonly name: string;
  /** one line, shown in `quorate --help` */
  readonly summary: string;
  /** after `quorate `, e.g. `check [options] PATH...`; a line starting with spaces continues the one before */
  readonly usage: readonly string[];
  readonly options: readonly OptionHelp[];
  /** command lines run from the repository root against examples/ (a test runs each), optionally followed by `  # what it does` */
  readonly examples: readonly string[];
  /** paragraphs after the options: what the arguments are, exit status */
  readonly details?: string;
}

/** Thrown by walkArgs on `-h`/`--help`: main() prints the command's help and exits 0. */
export class HelpRequest extends Error {
  constructor(readonly help: CommandHelp) {
    super(`help for ${help.name}`);
  }
}

export const HELP_OPTION: OptionHelp = { flags: "-h, --help", text: "show this help" };

/** `--`, which every command that takes files understands (walkArgs). */
const END_OF_OPTIONS: OptionHelp = { flags: "--", text: "every argument after it is a file, even one that starts with '-'" };

/** The option names an OptionHelp declares (`-f`, `--format`). */
export function optionNames(o: OptionHelp): string[] {
  return o.flags
    .split(/[\s,]+/)
    .filter((t) => /^--?[a-z]/i.test(t))
    .map((t) => t.replace(/[=[].*$/, ""));
}

const wrap = (text: string, width: number, indent: string): string => {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
};

/** The text of `quorate COMMAND --help`. */
export function renderHelp(h: CommandHelp): string {
  const takesFiles = /FILE|PATH|NEW/.test(h.usage.join(" "));
  const options = [...h.options, ...(takesFiles ? [END_OF_OPTIONS] : []), HELP_OPTION];
  const col = Math.min(34, Math.max(...options.map((o) => o.flags.length)) + 4);
  const pad = " ".repeat(col + 2);
  const out = [
    `quorate ${h.name} — ${h.summary}`,
    "",
    "Usage:",
    ...h.usage.map((u) => (u.startsWith(" ") ? `          ${u}` : `  quorate ${u}`)),
    "",
    "Options:",
  ];
  for (const o of options) {
    const head = `  ${o.flags}`;
    const text = wrap(o.text, 96 - col, pad);
    out.push(head.length + 2 > col + 2 ? `${head}\n${pad}${text}` : `${head.padEnd(col + 2)}${text}`);
  }
  if (h.details) out.push("", ...h.details.split("\n"));
  out.push("", h.examples.length === 1 ? "Example:" : "Examples:", ...h.examples.map((e) => `  ${e}`), "");
  return out.join("\n");
}

/** The text of `quorate --help`: every command's usage and summary. */
export function renderOverview(commands: readonly CommandHelp[]): string {
  const out = ["quorate — what breaks in a multi-site Kubernetes design", "", "Usage:"];
  for (const c of commands) out.push(`  quorate ${c.usage[0]}`, `      ${wrap(c.summary, 90, "      ")}`);
  out.push(
    "  quorate help COMMAND",
    "      a command's options and an example (same as 'quorate COMMAND --help')",
    "  quorate --version | --help",
    "",
    "Exit status: 0 nothing failed, 1 an error finding (check) or a failing scenario (simulate, diff),",
    "2 usage error or unreadable input. Each command's help says exactly what its codes mean.",
    "",
  );
  return out.join("\n");
}

export interface Arg {
  /** the option name (`--format` of `--format=json`), or the argument itself */
  readonly flag: string;
  readonly arg: string;
  /** the option's value: after `=`, else the next argument */
  value(): string;
}

/**
 * Walks argv once for a command: `--flag=value`, `--flag value`, and positionals. `-h`/`--help`
 * throws HelpRequest; an option `help` does not list is a usage error naming the command's help.
 * `--` ends the options: every argument after it is a positional (flag ""), even one that starts
 * with `-` — a file a cloned repository names `--output=x.topology.yaml` is a file, never an option.
 */
export function* walkArgs(args: readonly string[], help: CommandHelp): Generator<Arg> {
  const known = new Set(help.options.flatMap(optionNames));
  const positional = (arg: string): Arg => ({
    flag: "",
    arg,
    value: () => {
      throw new UsageError(`${arg} takes no value`);
    },
  });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      for (const rest of args.slice(i + 1)) yield positional(rest);
      return;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === "-h" || flag === "--help") throw new HelpRequest(help);
    if (flag.startsWith("-") && flag !== "-" && !known.has(flag))
      throw new UsageError(`unknown option '${flag}' for ${help.name} (see 'quorate ${help.name} --help')`);
    yield {
      flag,
      arg,
      value: () => {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${flag} needs a value`);
        return v;
      },
    };
  }
}
