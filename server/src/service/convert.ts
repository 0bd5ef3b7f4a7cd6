// Analysis results as LSP types: spans to ranges, findings to diagnostics, Markdown to the
// plain text the editor shows in diagnostics and code-action titles.
import { type Diagnostic, type DiagnosticRelatedInformation, DiagnosticSeverity, type Range } from "vscode-languageserver";
import type { Finding, Related, Severity } from "../model/finding";
import type { LineIndex, Span } from "../model/text";
import { count } from "../util/format";
import { URI } from "./uri";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * A finding's message or a fix's title for the editor, where they are plain text (a diagnostic's
 * message, a code action's title): Markdown code spans become quoted words, as VS Code's own
 * diagnostics write them ('fra', not `fra`). The CLI and hovers keep the Markdown.
 */
export function plainText(s: string): string {
  return s.includes("`") ? s.replace(/`([^`\n]*)`/g, "'$1'") : s;
}

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

/** A finding in `uri` as a diagnostic; related places in other files need their line index (`linesOf`). */
export function toDiagnostic(
  uri: string,
  lines: LineIndex,
  x: Finding,
  linesOf: (uri: string) => LineIndex | undefined,
  rangeOf: (span: Span) => Range = (span) => toRange(lines, span),
  relatedOf: (related: readonly Related[]) => DiagnosticRelatedInformation[] = (related) =>
    relatedInformation(uri, related, linesOf, rangeOf),
): Diagnostic {
  return {
    range: rangeOf(x.span),
    severity: SEVERITY[x.severity],
    code: x.code,
    source: "quorate",
    message: plainText(x.message),
    relatedInformation: x.related && relatedOf(x.related),
  };
}

function relatedInformation(
  uri: string,
  related: readonly Related[],
  linesOf: (uri: string) => LineIndex | undefined,
  rangeOf: (span: Span) => Range,
): DiagnosticRelatedInformation[] {
  return related.flatMap((r) => {
    if (r.path === undefined) return [{ location: { uri, range: rangeOf(r.span) }, message: plainText(r.message) }];
    const other = URI.fromPath(r.path);
    const ol = linesOf(other);
    return ol ? [{ location: { uri: other, range: toRange(ol, r.span) }, message: plainText(r.message) }] : [];
  });
}

/**
 * A file's findings as diagnostics. A place many findings link to is converted once, and so is
 * a list of related places they share: while a `/2` is typed into a prefix, thousands of
 * overlap findings each link the same range.
 */
export function toDiagnostics(
  uri: string,
  lines: LineIndex,
  findings: readonly Finding[],
  linesOf: (uri: string) => LineIndex | undefined,
): Diagnostic[] {
  const ranges = new Map<Span, Range>();
  const rangeOf = (span: Span): Range => {
    let r = ranges.get(span);
    if (!r) {
      r = toRange(lines, span);
      ranges.set(span, r);
    }
    return r;
  };
  const lists = new Map<readonly Related[], DiagnosticRelatedInformation[]>();
  const relatedOf = (related: readonly Related[]) => {
    let r = lists.get(related);
    if (!r) {
      r = relatedInformation(uri, related, linesOf, rangeOf);
      lists.set(related, r);
    }
    return r;
  };
  return findings.map((x) => toDiagnostic(uri, lines, x, linesOf, rangeOf, relatedOf));
}

/** The order in which findings are kept when a file has more than the editor is sent (VS Code's). */
const KEPT_FIRST: readonly Severity[] = ["error", "warning", "information", "hint"];

/**
 * What the editor is sent of a file's findings: all of them up to `max`; past it, `max − 1`
 * chosen as VS Code chooses the 1,000 it shows (errors first, then warnings, information and
 * hints, each in file order) and the rest `hidden`, counted by one more diagnostic — so that
 * the editor never drops one itself (it would drop by severity, the count first). `shown` keeps
 * file order.
 */
export function shownFindings(findings: readonly Finding[], max: number): { shown: readonly Finding[]; hidden: readonly Finding[] } {
  if (findings.length <= max) return { shown: findings, hidden: [] };
  // each finding's place in KEPT_FIRST, then how many of each severity are kept: the first ones
  // in file order (indexed loops and no set: a `/2` typed into a prefix makes thousands)
  const rank = new Uint8Array(findings.length);
  const bySeverity = KEPT_FIRST.map(() => 0);
  for (let i = 0; i < findings.length; i++) {
    const r = KEPT_FIRST.indexOf(findings[i].severity);
    // (a severity outside the list is never kept)
    rank[i] = r < 0 ? KEPT_FIRST.length : r;
    if (r >= 0) bySeverity[r]++;
  }
  let room = max - 1;
  const keep = bySeverity.map((n) => {
    const k = Math.min(n, room);
    room -= k;
    return k;
  });
  keep.push(0);
  const shown: Finding[] = [];
  const hidden: Finding[] = [];
  for (let i = 0; i < findings.length; i++) {
    if (keep[rank[i]] > 0) {
      keep[rank[i]]--;
      shown.push(findings[i]);
    } else hidden.push(findings[i]);
  }
  return { shown, hidden };
}

const SEVERITY_NOUN: Record<Severity, [string, string]> = {
  error: ["error", "errors"],
  warning: ["warning", "warnings"],
  information: ["information", "information"],
  hint: ["hint", "hints"],
};

/** The codes named one by one in quorate/more-findings (the others counted together). */
const MORE_CODES_NAMED = 4;

/** A line that holds no YAML content: blank, a comment, a directive or a document marker. */
const NO_CONTENT = /^[ \t]*(?:$|#|%|---(?:[ \t]|$)|\.\.\.(?:[ \t]|$))/;

/**
 * Where a diagnostic about the whole file sits (quorate/more-findings, quorate/too-large): the
 * first key of the file (`apiVersion` in most topologies), else its first line of content — a
 * real range at the top of the file, first in the Problems panel, not a zero-width point the
 * editor stretches over whatever word starts the file (a comment's). 0:0 in a file with none.
 * Reads line by line and at most 200 characters of the line it stops at: a file past the size
 * limit may be one enormous line.
 */
export function headRange(text: string): Range {
  let line = 0;
  for (let from = 0; from <= text.length; line++) {
    const nl = text.indexOf("\n", from);
    const end = nl < 0 ? text.length : nl;
    const head = text.slice(from, Math.min(end, from + 200)).replace(/\r$/, "");
    if (!NO_CONTENT.test(head)) {
      const indent = head.length - head.trimStart().length;
      // a key (`apiVersion:`, `- name:`): its name; anything else: the line's content, up to a comment
      const key = /^(-[ \t]+)?([^\s:#"'{[][^:#]*?)[ \t]*:(?:[ \t]|$)/.exec(head.slice(indent));
      if (key) return range(line, indent + (key[1]?.length ?? 0), key[2].length);
      const content = head
        .slice(indent)
        .replace(/[ \t]+#.*$/, "")
        .trimEnd();
      return range(line, indent, content.length);
    }
    if (nl < 0) break;
    from = nl + 1;
  }
  return range(0, 0, 0);
}

const range = (line: number, character: number, length: number): Range => ({
  start: { line, character },
  end: { line, character: character + length },
});

/**
 * quorate/more-findings at the file's first key (`headRange`): how many findings the file has, how many the
 * editor was sent, the rest by code and severity (most first), and the command that lists them all.
 */
export function moreFindings(
  uri: string,
  text: string,
  total: number,
  hidden: readonly Finding[],
  max: number,
  severity: Severity,
): Diagnostic {
  // by severity, then code (no key string made per finding: a `/2` typed into a prefix hides thousands)
  const bySeverity = new Map<Severity, Map<string, { code: string; severity: Severity; n: number }>>();
  const groups: { code: string; severity: Severity; n: number }[] = [];
  for (let i = 0; i < hidden.length; i++) {
    const x = hidden[i];
    let codes = bySeverity.get(x.severity);
    if (!codes) {
      codes = new Map();
      bySeverity.set(x.severity, codes);
    }
    const g = codes.get(x.code);
    if (g) g.n++;
    else {
      const made = { code: x.code, severity: x.severity, n: 1 };
      codes.set(x.code, made);
      groups.push(made);
    }
  }
  const sorted = groups.sort(
    (a, b) => KEPT_FIRST.indexOf(a.severity) - KEPT_FIRST.indexOf(b.severity) || b.n - a.n || a.code.localeCompare(b.code),
  );
  const named = sorted.slice(0, MORE_CODES_NAMED).map((g) => `${g.code}: ${count(g.n)} ${SEVERITY_NOUN[g.severity][g.n === 1 ? 0 : 1]}`);
  const rest = sorted.slice(MORE_CODES_NAMED).reduce((n, g) => n + g.n, 0);
  const others = sorted.length - MORE_CODES_NAMED;
  if (rest) named.push(`${count(rest)} more of ${count(others)} other code${others === 1 ? "" : "s"}`);
  const base = URI.pathOf(uri).split(/[\\/]/).pop() || "FILE";
  const name = /^[\w.@+-]+$/.test(base) ? base : JSON.stringify(base);
  return {
    range: headRange(text),
    severity: SEVERITY[severity],
    code: "quorate/more-findings",
    source: "quorate",
    message: plainText(
      `${count(total)} findings in this file; the editor is sent ${count(total - hidden.length)} of them, errors first (quorate.maxDiagnostics is ${count(max)}). ` +
        `Not shown: ${named.join(", ")}. Run \`quorate check ${name}\` for every one.`,
    ),
  };
}
