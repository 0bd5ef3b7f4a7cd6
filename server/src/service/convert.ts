// Analysis results as LSP types: spans to ranges, findings to diagnostics, Markdown to the
// plain text the editor shows in diagnostics and code-action titles.
import { type Diagnostic, DiagnosticSeverity, type Range } from "vscode-languageserver";
import type { Finding, Severity } from "../model/finding";
import type { LineIndex, Span } from "../model/text";
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
): Diagnostic {
  return {
    range: rangeOf(x.span),
    severity: SEVERITY[x.severity],
    code: x.code,
    source: "quorate",
    message: plainText(x.message),
    relatedInformation: x.related?.flatMap((r) => {
      if (r.path === undefined) return [{ location: { uri, range: rangeOf(r.span) }, message: plainText(r.message) }];
      const other = URI.fromPath(r.path);
      const ol = linesOf(other);
      return ol ? [{ location: { uri: other, range: toRange(ol, r.span) }, message: plainText(r.message) }] : [];
    }),
  };
}

/**
 * A file's findings as diagnostics. A place many findings link to is converted once: while a
 * `/2` is typed into a prefix, thousands of overlap findings each link the same range.
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
  return findings.map((x) => toDiagnostic(uri, lines, x, linesOf, rangeOf));
}
