/** Markdown helpers for the CLI's and the editor's generated documents (pure). */

/** Table cell text: anything that could end the cell, open HTML or break the row is escaped, so a hostile name stays text. */
export function cell(s: string | number): string {
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "&#96;")
    .replace(/[\r\n\u2028\u2029]+/g, " ");
}

/**
 * Inline code that shows `s` exactly (CommonMark: a fence of more backticks than any run
 * inside, padded when `s` starts or ends with one); `inTable` escapes `|`, which GitHub
 * tables split on even inside code. Line breaks become spaces: a code span is one line.
 */
export function codeSpan(s: string, inTable = false): string {
  const text = s.replace(/[\r\n\u2028\u2029]+/g, " ");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && text.trim()) ? " " : "";
  return `${fence}${pad}${inTable ? text.replace(/\|/g, "\\|") : text}${pad}${fence}`;
}

/** A GitHub-flavoured Markdown table; cells are escaped with `cell`, except those given as `{ raw }` (already Markdown). */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | { raw: string })[])[]): string {
  const line = (cells: readonly (string | number | { raw: string })[]) =>
    `| ${cells.map((c) => (typeof c === "object" ? c.raw : cell(c))).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** A number as a reader checks it: integers as they are, fractions to at most two decimals. */
export const num = (x: number): string => String(Math.round(x * 100) / 100);
