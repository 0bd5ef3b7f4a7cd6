/**
 * Text bound for a terminal: names from a design or a file path can hold escape sequences
 * (a window-title change, a screen clear, a carriage return that overwrites a finding). Every
 * control character is shown as a visible escape (`\x1b`, `\x07`, `\r`); with colour on, only
 * the plain SGR colour sequences the CLI itself uses survive (never cursor moves, titles,
 * hyperlinks or concealed text).
 */

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** the SGR sequences of the CLI's palette: reset, bold, dim, red, green, yellow, cyan, grey */
const OWN_SGR = /\x1b\[(?:0|1|2|31|32|33|36|90)m/g;

const visible = (c: string): string => {
  const n = c.codePointAt(0)!;
  return c === "\r" ? "\\r" : `\\x${n.toString(16).padStart(2, "0")}`;
};

/** `s` with every control character but newline and tab made visible; `keepColor` keeps the CLI's own colour codes. */
export function terminalText(s: string, keepColor = false): string {
  if (!keepColor) return s.replace(CONTROL, visible);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(OWN_SGR)) {
    out += s.slice(last, m.index).replace(CONTROL, visible) + m[0];
    last = m.index! + m[0].length;
  }
  return out + s.slice(last).replace(CONTROL, visible);
}
