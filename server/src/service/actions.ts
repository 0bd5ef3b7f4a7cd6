// Code actions as LSP: each finding's quick fixes, a disable comment, and fixes in another file
// (drift's "adopt the deployed value in the design").
import { type CodeAction, CodeActionKind, type Diagnostic, type Range } from "vscode-languageserver";
import { disableFix, type Fix, fixesFor } from "../fixes/fixes";
import { plainText, toDiagnostic, toRange } from "./convert";
import type { Workspace } from "./files";
import { URI } from "./uri";

/** Quick fixes for the findings that touch `range` (and a disable-comment action for each). */
export function codeActionsOf(w: Workspace, uri: string, range: Range, only?: readonly Diagnostic[]): CodeAction[] {
  const f = w.file(uri);
  const a = f?.analysis;
  if (!f || !a) return [];
  const lines = a.parsed.lines;
  const start = lines.offsetAt(range.start);
  const end = lines.offsetAt(range.end);
  const wanted = only?.length ? new Set(only.map((d) => `${d.code}@${lines.offsetAt(d.range.start)}`)) : undefined;
  const out: CodeAction[] = [];
  for (const finding of f.findings) {
    if (wanted ? !wanted.has(`${finding.code}@${finding.span.start}`) : finding.span.end < start || finding.span.start > end) continue;
    const diag = toDiagnostic(uri, lines, finding, (u) => w.linesOf(u));
    const doc = a.parsed.docs.find((d) => d.span.start <= finding.span.start && finding.span.start <= d.span.end);
    const ctx = a.contexts.find((c) => c.topology.span.start === doc?.span.start);
    const fixes: Fix[] = doc ? fixesFor({ text: f.text, doc: doc.doc, ctx }, finding) : [];
    fixes.push(disableFix(f.text, finding));
    for (const fix of fixes) {
      // a fix of another file (drift's "Adopt the deployed value in the design") needs its line index
      const target = fix.path === undefined ? uri : URI.fromPath(fix.path);
      const tl = fix.path === undefined ? lines : w.linesOf(target);
      if (!tl) continue;
      out.push({
        title: plainText(fix.title),
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        isPreferred: fix.preferred || undefined,
        edit: { changes: { [target]: fix.edits.map((e) => ({ range: toRange(tl, e), newText: e.text })) } },
      });
    }
  }
  return out;
}
