// Navigation as LSP: completion, go to definition (and from a deployed value to its design
// field), references, rename, and the outline.
import {
  type CompletionItem,
  CompletionItemKind,
  type DocumentSymbol,
  InsertTextFormat,
  type Location,
  SymbolKind as LspSymbolKind,
  MarkupKind,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver";
import type { FileAnalysis } from "../analysis";
import type { LineIndex, Span } from "../model/text";
import { completeAt, declaredNames } from "../nav/completion";
import { type SymbolRef, symbolAt, symbolsOf } from "../nav/symbols";
import { toRange } from "./convert";
import type { Workspace } from "./files";
import { DNS_LABEL } from "../util/strings";
import { stringScalar } from "../fixes/scalar";

export class RenameError extends Error {}

export function completionOf(w: Workspace, uri: string, pos: Position): CompletionItem[] {
  const f = w.file(uri);
  if (!f || f.tooLarge) return [];
  const t = f.analysis?.contexts[0]?.topology;
  return completeAt(f.text, pos.line, pos.character, t ? declaredNames(t) : f.lastNames).map((e) => ({
    label: e.label,
    kind:
      e.kind === "reference"
        ? CompletionItemKind.Reference
        : e.kind === "key"
          ? CompletionItemKind.Property
          : CompletionItemKind.EnumMember,
    detail: e.detail,
    documentation: e.documentation ? { kind: MarkupKind.Markdown, value: e.documentation } : undefined,
    insertText: e.insertText,
    insertTextFormat: InsertTextFormat.PlainText,
  }));
}

function symbolsAt(w: Workspace, uri: string, pos: Position): { symbols: SymbolRef[]; at: SymbolRef; lines: LineIndex } | undefined {
  const a = w.file(uri)?.analysis;
  if (!a) return undefined;
  const offset = a.parsed.lines.offsetAt(pos);
  const ctx = a.contexts.find((c) => c.topology.span.start <= offset && offset <= c.topology.span.end);
  if (!ctx) return undefined;
  const symbols = symbolsOf(ctx.topology);
  const at = symbolAt(symbols, offset);
  return at && { symbols, at, lines: a.parsed.lines };
}

export function definitionOf(w: Workspace, uri: string, pos: Position): Location[] {
  // from a deployed value to the design field it is compared with
  const f = w.file(uri);
  const hit = f?.analysis && w.driftIndex?.comparisonAt(uri, f.analysis.parsed.lines.offsetAt(pos));
  const tl = hit && w.file(hit.topology)?.analysis?.parsed.lines;
  if (hit && tl) return [{ uri: hit.topology, range: toRange(tl, hit.c.designSpan) }];
  const s = symbolsAt(w, uri, pos);
  if (!s) return [];
  const decl = s.symbols.find((x) => x.declaration && x.kind === s.at.kind && x.name === s.at.name);
  return decl ? [{ uri, range: toRange(s.lines, decl.span) }] : [];
}

export function referencesOf(w: Workspace, uri: string, pos: Position, includeDeclaration: boolean): Location[] {
  const s = symbolsAt(w, uri, pos);
  if (!s) return [];
  return s.symbols
    .filter((x) => x.kind === s.at.kind && x.name === s.at.name && (includeDeclaration || !x.declaration))
    .map((x) => ({ uri, range: toRange(s.lines, x.span) }));
}

export function prepareRenameOf(w: Workspace, uri: string, pos: Position): { range: Range; placeholder: string } | null {
  const s = symbolsAt(w, uri, pos);
  return s ? { range: toRange(s.lines, s.at.span), placeholder: s.at.name } : null;
}

/** Renames a site, cluster or store everywhere in its topology (names, references, members keys, between pairs). */
export function renameOf(w: Workspace, uri: string, pos: Position, newName: string): WorkspaceEdit | null {
  const s = symbolsAt(w, uri, pos);
  const text = w.file(uri)?.text;
  if (!s || text === undefined) return null;
  if (!DNS_LABEL.test(newName))
    throw new RenameError(`\`${newName}\` is not a DNS label (lowercase letters, digits and '-', at most 63 characters)`);
  const taken = s.symbols.some((x) => x.declaration && x.kind === s.at.kind && x.name === newName);
  if (taken && newName !== s.at.name) throw new RenameError(`a ${s.at.kind} named \`${newName}\` already exists`);
  const edits: TextEdit[] = s.symbols
    .filter((x) => x.kind === s.at.kind && x.name === s.at.name)
    // as YAML keeps it a string (`124`, `true`, `yes` are not), in the quotes each place already has
    .map((x) => ({ range: toRange(s.lines, x.span), newText: stringScalar(newName, text.slice(x.span.start, x.span.end)) }));
  return { changes: { [uri]: edits } };
}

/** The outline of one analysed file: each top-level list with its entities. */
export function documentSymbolsOf(a: FileAnalysis): DocumentSymbol[] {
  const L = a.parsed.lines;
  const sym = (name: string, kind: LspSymbolKind, span: Span, sel: Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: name || "(unnamed)",
    kind,
    range: toRange(L, span),
    selectionRange: toRange(L, sel),
    detail,
    children,
  });
  const out: DocumentSymbol[] = [];
  for (const ctx of a.contexts) {
    const t = ctx.topology;
    // a list ends with its last item's content, whatever blank lines and comments follow it
    const group = <T extends { span: Span }>(key: string, kind: LspSymbolKind, items: readonly T[], child: (x: T) => DocumentSymbol) => {
      const e = t.keys.get(key);
      if (!e || !items.length) return;
      const children = items.map(child);
      out.push(
        sym(
          key,
          kind,
          { start: e.keySpan.start, end: Math.max(e.keySpan.end, items[items.length - 1].span.end) },
          e.keySpan,
          `${children.length}`,
          children,
        ),
      );
    };
    group("sites", LspSymbolKind.Namespace, t.sites, (s) =>
      sym(s.name?.value ?? "", LspSymbolKind.Module, s.span, s.name?.span ?? s.span, s.role),
    );
    group("links", LspSymbolKind.Namespace, t.links, (l) =>
      sym(
        l.between?.items.map((i) => i.value).join(" – ") ?? "",
        LspSymbolKind.Event,
        l.span,
        l.between?.span ?? l.span,
        l.rttMs ? `${l.rttMs.value} ms` : undefined,
      ),
    );
    group("clusters", LspSymbolKind.Namespace, t.clusters, (c) =>
      sym(
        c.name?.value ?? "",
        LspSymbolKind.Class,
        c.span,
        c.name?.span ?? c.span,
        c.site?.value,
        c.etcd?.members
          ? [sym("etcd", LspSymbolKind.Field, { start: c.etcd.keySpan.start, end: c.etcd.span.end }, c.etcd.keySpan)]
          : undefined,
      ),
    );
    group("stores", LspSymbolKind.Namespace, t.stores, (s) =>
      sym(s.name?.value ?? "", LspSymbolKind.Struct, s.span, s.name?.span ?? s.span, s.replication?.value),
    );
    group("traffic", LspSymbolKind.Namespace, t.traffic, (x) =>
      sym(x.name?.value ?? "", LspSymbolKind.Interface, x.span, x.name?.span ?? x.span, x.steering?.value),
    );
    group("exports", LspSymbolKind.Namespace, t.exports, (x) =>
      sym(`${x.namespace?.value ?? "?"}/${x.service?.value ?? "?"}`, LspSymbolKind.Function, x.span, x.service?.span ?? x.span),
    );
  }
  return out;
}
