/**
 * Text bound for a terminal: names from a design or a file path can hold escape sequences
 * (a window-title change, a screen clear, a carriage return that overwrites a finding). Every
 * control character is shown as a visible escape (`\u001b`, `\u0007`, `\r`); with colour on, only
 * the plain SGR colour sequences the CLI itself uses survive (never cursor moves, titles,
 * hyperlinks or concealed text).
 */

/**
 * Unicode's bidirectional controls — the embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and the marks LRM, RLM and ALM — which reorder what is shown (a file named
 * `x\u202eLMAY.exe` reads as `xexe.YAML`), and the other format characters that show nothing: zero
 * widths (U+200B–U+200D), the word joiner and invisible operators (U+2060–U+2064), the deprecated
 * format characters (U+206A–U+206F), soft hyphen, the Mongolian vowel separator, the byte-order
 * mark, interlinear annotation (U+FFF9–U+FFFB) and the tag characters (U+E0000–U+E007F), which
 * hide text inside a name. The one list: terminal, JSON, SARIF, Markdown and Mermaid text
 * (`controlsVisible`) and shell words (util/shell.ts) escape these; action/run.mjs, which cannot
 * import it, keeps a copy that test/unit/hostile-output.test.ts holds equal.
 */
export const FORMAT_CHARACTERS =
  "\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}";
/** C0 but newline and tab, DEL, C1, and the format characters above */
const CONTROL = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}]`, "gu");
/** the SGR sequences of the CLI's palette: reset, bold, dim, red, green, yellow, cyan, grey */
const OWN_SGR = /\x1b\[(?:0|1|2|31|32|33|36|90)m/g;

// `\u001b` rather than `\x1b`: the same escape is valid inside a JSON string (the CLI's json and
// sarif output pass this filter too, and a JSON reader then gets the name back exactly)
// (a tag character, beyond U+FFFF, as its two UTF-16 halves: JSON's \u takes four hex digits)
const visible = (c: string): string =>
  c === "\r" ? "\\r" : [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");

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
