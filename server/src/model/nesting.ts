/**
 * A fixed bound on YAML nesting, checked before parsing. The parser (and everything that walks
 * its tree) recurses once per level, so a document nested deeply enough exhausts the stack at
 * a depth that depends on the stack in use — and what is reported would depend on it too.
 * Topologies nest about six levels; anything past MAX_NESTING is refused with one finding.
 */
export const MAX_NESTING = 100;

const WHITESPACE = /\s/;
/** `/\s/.test(c)` for one character, without a regular expression for ASCII (this scan sees every character). */
export function space(c: string): boolean {
  const k = c.charCodeAt(0);
  if (k === 32 || k === 9) return true;
  if (k > 32 && k < 127) return false;
  return WHITESPACE.test(c);
}

/**
 * The offset at which nesting first goes past `limit`, or -1. Levels are counted
 * conservatively: each deeper indentation on the stack, each compact `- ` on a line, and each
 * open flow bracket (`[`, `{`) outside quotes and comments.
 */
export function nestingBeyond(text: string, limit = MAX_NESTING): number {
  const indents: number[] = [];
  let flow = 0;
  let quote = "";
  let i = 0;
  while (i < text.length) {
    // one line
    let col = 0;
    while (text[i + col] === " ") col++;
    const lineStart = i;
    i += col;
    const blank = i >= text.length || text[i] === "\n" || text[i] === "\r" || text[i] === "#";
    let depth = 0;
    if (!blank && !quote && flow === 0) {
      while (indents.length && indents[indents.length - 1] > col) indents.pop();
      if (!indents.length || indents[indents.length - 1] < col) indents.push(col);
      // `- - - x`: each compact dash opens one more level
      let j = i;
      while (text[j] === "-" && (text[j + 1] === " " || text[j + 1] === "\t")) {
        depth++;
        j += 2;
        while (text[j] === " ") j++;
      }
    }
    let prev = " ";
    // the last non-blank character on this line before the current one ("" at the line start)
    let sig = "";
    for (; i < text.length && text[i] !== "\n" && text[i] !== "\r"; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) quote = "";
        else if (c === "\\" && quote === '"') i++;
      } else if (c === "#" && space(prev)) {
        break; // a comment: the rest of the line
      } else if (
        (c === '"' || c === "'") &&
        (sig === "" || ":,[{?-".includes(sig)) &&
        (sig === "" || space(prev) || prev === "," || prev === "[" || prev === "{")
      ) {
        quote = c; // only where a scalar starts: `x: "…"`, `- '…'`, `["…"]`; not inside `a "b`
      } else if ((c === "[" || c === "{") && (flow > 0 || space(prev) || prev === ":" || prev === "?" || prev === "-")) {
        flow++;
        if (indents.length + depth + flow > limit) return i;
      } else if ((c === "]" || c === "}") && flow > 0) flow--;
      prev = c;
      if (!space(c)) sig = c;
    }
    if (indents.length + depth + flow > limit) return lineStart + col;
    while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
    if (text[i] === "\r" && text[i + 1] === "\n") i++;
    i++;
  }
  return -1;
}
