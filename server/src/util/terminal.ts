/**
 * Text bound for a terminal: names from a design or a file path can hold escape sequences
 * (a window-title change, a screen clear, a carriage return that overwrites a finding). Every
 * control character is shown as a visible escape (`\u001b`, `\u0007`, `\r`); with colour on, only
 * the plain SGR colour sequences the CLI itself uses survive (never cursor moves, titles,
 * hyperlinks or concealed text).
 */

/** C0 but newline and tab, DEL, C1, and the bidirectional overrides and isolates (which reorder what is shown) */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** the SGR sequences of the CLI's palette: reset, bold, dim, red, green, yellow, cyan, grey */
const OWN_SGR = /\x1b\[(?:0|1|2|31|32|33|36|90)m/g;

// `\u001b` rather than `\x1b`: the same escape is valid inside a JSON string (the CLI's json and
// sarif output pass this filter too, and a JSON reader then gets the name back exactly)
const visible = (c: string): string => (c === "\r" ? "\\r" : `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);

/** `s` with every control character but newline and tab shown as a visible escape (`\u001b`, `\r`, `\u202e`). */
export const controlsVisible = (s: string): string => s.replace(CONTROL, visible);

/**
 * A GitHub runner reads a line of a step's output as a workflow command when its first non-blank
 * characters are `::` (any Unicode blank before them: it trims U+00A0, U+3000 too) (`::error::`,
 * `::add-mask::`, `::stop-commands::`), and — its legacy form —
 * wherever `##[` appears in it. Names and paths come from a cloned repository, and `quorate check`
 * runs in workflow steps of its users' own (and under `pre-commit run` in CI), so neither form
 * survives: `##[` becomes `##\u005b` and a leading `::` `\u003a:` — visible escapes, as for
 * control characters, that a JSON reader turns back into the same name.
 */
const runnerCommandsVisible = (s: string): string =>
  s.replace(/##\[/g, "##\\u005b").replace(/^([^\S\n]*(?:\x1b\[[0-9;]*m)*[^\S\n]*):(?=:)/gm, "$1\\u003a");

/** `s` with every control character but newline and tab made visible; `keepColor` keeps the CLI's own colour codes. */
export function terminalText(s: string, keepColor = false): string {
  if (!keepColor) return runnerCommandsVisible(s.replace(CONTROL, visible));
  let out = "";
  let last = 0;
  for (const m of s.matchAll(OWN_SGR)) {
    out += s.slice(last, m.index).replace(CONTROL, visible) + m[0];
    last = m.index! + m[0].length;
  }
  return runnerCommandsVisible(out + s.slice(last).replace(CONTROL, visible));
}

/** One line of a text report: a line break inside a name (`a\nb`) is shown as `\n`, so no name can forge a line of its own. */
export const oneLine = (s: string): string =>
  s.replace(/\n/g, "\\n").replace(/[\u2028\u2029]/g, (c) => `\\u${c.codePointAt(0)!.toString(16)}`);

/**
 * One comment line of a generated file (a `#` line of YAML, nftables, iptables-restore or sh): every
 * control character shown as a visible escape and every line break — `\n`, `\r`, U+0085 (a line
 * break to YAML readers), U+2028/U+2029 — too, so no name in it can end the comment and start a
 * line the reader then takes as content.
 */
export const commentLine = (s: string): string => oneLine(controlsVisible(s));
