// The requests the language server answers, as one table from method to handler over a
// QuorateService. The transport (lsp.ts) answers them on its own service, or hands those of a
// file it hosts in the background thread to that thread, which answers them from this same table.
import {
  DocumentDiagnosticReportKind,
  type CodeActionParams,
  type CompletionParams,
  type DefinitionParams,
  type DocumentDiagnosticParams,
  type DocumentSymbolParams,
  type HoverParams,
  type PrepareRenameParams,
  type ReferenceParams,
  type RenameParams,
} from "vscode-languageserver";
import pkg from "../../package.json";
import { analyzeAlone } from "./analysis";
import { diagramFor } from "./preview/mermaid";
import type { RequestType } from "vscode-languageserver-protocol";
import {
  CompareRequest,
  DecisionRecordRequest,
  DiagramRequest,
  GameDayRequest,
  SimulateRequest,
  SummaryRequest,
  type CompareParams,
  type CompareResult,
  type GameDayParams,
  type SimulateParams,
  type SimulateResult,
  type SimulateScenario,
} from "./protocol";
import { anyObject, array, boolean, type Check, object, oneOf, optional, ParamsError, string } from "./service/params";
import { type Cancellation, CancelledError } from "./service/host";
import type { QuorateService } from "./service/service";
import { URI } from "./service/uri";
import { gameDayFor, record, simulate } from "./service/whatif";
import { diff } from "./whatif/diff";
import { diffMarkdown } from "./whatif/render";

const fileName = (uri: string) => URI.pathOf(uri).split("/").pop() ?? uri;

/** What a user reads when the server has no git to read a revision with (VS Code for the Web). */
export const NO_GIT_ON_THE_WEB =
  "Compare with Git HEAD needs git, which VS Code for the Web does not have. Open the folder in VS Code on the desktop, or run quorate diff HEAD:FILE FILE in a terminal.";

/** The open design against a git revision of it: the revision is read without blocking, so hovers go on meanwhile. */
async function compare(service: QuorateService, p: CompareParams, token?: Cancellation): Promise<CompareResult | null> {
  if (!service.analysis(p.uri)) return null;
  const name = fileName(p.uri);
  let old: string | undefined;
  try {
    old = await service.revisionText(p.uri, p.revision, token);
  } catch (e) {
    return { markdown: "", regressions: 0, error: (e as Error).message };
  }
  if (old === undefined) return { markdown: "", regressions: 0, error: NO_GIT_ON_THE_WEB };
  // the file may have changed or closed while git ran: compare with what is open now
  const a = service.analysis(p.uri);
  if (!a) return null;
  const before = { label: `${p.revision}:${name}`, ...analyzeAlone(URI.pathOf(p.uri), old) };
  const d = diff(before, { label: `${name} (editor)`, analysis: a, findings: service.findings(p.uri) });
  return { markdown: diffMarkdown(d), regressions: d.regressions };
}

/**
 * A Simulate click. simulate() yields between its steps, so an edit that arrives meanwhile is
 * taken and analysed at once (on the background thread as on the main one): typing is never
 * held up by a click. Once the document's analysis has changed under it (an edit, new settings),
 * the simulation stops at its next step and starts again on the new one, so the answer is for
 * the text as it is when it is sent.
 */
async function simulateClick(s: QuorateService, p: SimulateParams, token?: Cancellation): Promise<SimulateResult | null> {
  for (;;) {
    const a = s.analysis(p.uri);
    if (!a) return null;
    const stale: Cancellation = {
      get isCancellationRequested() {
        return !!token?.isCancellationRequested || s.analysis(p.uri) !== a;
      },
      onCancellationRequested: (listener) => token?.onCancellationRequested(listener) ?? { dispose: () => undefined },
    };
    try {
      return await simulate(a, s.findings(p.uri), p.scenario, s.driftMarkers(p.uri), stale);
    } catch (e) {
      if (!(e instanceof CancelledError) || token?.isCancellationRequested) throw e;
    }
  }
}

/** One custom request: its declaration, the check of its params, and its handler, typed together. */
interface Custom<P, R> {
  readonly check: Check<P>;
  readonly handle: (s: QuorateService, p: P, token?: Cancellation) => R | Promise<R>;
}

/**
 * A custom request's entry in the table: the handler must return the declared result and the
 * check must produce the declared params, or this does not build.
 */
const custom = <P, R>(
  type: RequestType<P, R, void>,
  check: Check<NoInfer<P>>,
  handle: (s: QuorateService, p: NoInfer<P>, token?: Cancellation) => NoInfer<R> | Promise<NoInfer<R>>,
): [string, Custom<unknown, unknown>] => [type.method, { check, handle } as Custom<P, R> as unknown as Custom<unknown, unknown>];

const uriParams = object({ uri: string });
// the scenario's fields are the what-if layer's to judge: unknown names and bad factors are dropped there, as stale input
const scenarioParam = anyObject as Check<SimulateScenario>;

/** Every custom request (protocol.ts), by method. */
const CUSTOM: ReadonlyMap<string, Custom<unknown, unknown>> = new Map([
  custom(DiagramRequest, object({ uri: string, full: optional(boolean) }), (s, p) => {
    const a = s.analysis(p.uri);
    // the preview's request: its layouts, summarised past what Mermaid draws; Export Diagram asks for the full text
    const options = p.full ? {} : { layouts: true, bounded: true };
    return a ? diagramFor(a, s.findings(p.uri), undefined, s.driftMarkers(p.uri), options) : null;
  }),
  custom(SummaryRequest, uriParams, (s, p) => s.summary(p.uri)),
  custom(SimulateRequest, object({ uri: string, scenario: scenarioParam }), simulateClick),
  custom(DecisionRecordRequest, uriParams, (s, p, token) => {
    const a = s.analysis(p.uri);
    return a ? record(a, s.findings(p.uri), fileName(p.uri), pkg.version, token, s.boundFindings(p.uri)) : null;
  }),
  custom(
    GameDayRequest,
    object({
      uri: string,
      scenario: anyObject as Check<GameDayParams["scenario"]>,
      tool: oneOf("chaos-mesh", "litmus"),
      duration: optional(string),
      namespaces: optional(array(string)),
      acceptDown: optional(boolean),
    }),
    (s, p, token) => {
      const a = s.analysis(p.uri);
      return a ? gameDayFor(a, p, fileName(p.uri), token) : null;
    },
  ),
  custom(CompareRequest, object({ uri: string, revision: string }), compare),
]);

/** Every standard request about one document, by LSP method (the client library shapes their params). */
const STANDARD = {
  "textDocument/diagnostic": (s: QuorateService, p: DocumentDiagnosticParams) => ({
    kind: DocumentDiagnosticReportKind.Full,
    items: s.diagnostics(p.textDocument.uri),
  }),
  "textDocument/hover": (s: QuorateService, p: HoverParams) => s.hover(p.textDocument.uri, p.position),
  "textDocument/codeAction": (s: QuorateService, p: CodeActionParams) => s.codeActions(p.textDocument.uri, p.range, p.context.diagnostics),
  "textDocument/completion": (s: QuorateService, p: CompletionParams) => s.completion(p.textDocument.uri, p.position),
  "textDocument/definition": (s: QuorateService, p: DefinitionParams) => s.definition(p.textDocument.uri, p.position),
  "textDocument/references": (s: QuorateService, p: ReferenceParams) =>
    s.references(p.textDocument.uri, p.position, p.context.includeDeclaration),
  "textDocument/prepareRename": (s: QuorateService, p: PrepareRenameParams) => s.prepareRename(p.textDocument.uri, p.position),
  "textDocument/rename": (s: QuorateService, p: RenameParams) => s.rename(p.textDocument.uri, p.position, p.newName),
  "textDocument/documentSymbol": (s: QuorateService, p: DocumentSymbolParams) => s.documentSymbols(p.textDocument.uri),
} as const;

/** Every method the server answers about a document: the standard ones, then the custom ones. */
export const REQUEST_METHODS: readonly string[] = [...Object.keys(STANDARD), ...CUSTOM.keys()];

/** Requests in a deployment file that drift from a hosted topology reaches are answered where that topology is. */
export const DRIFT_AWARE: ReadonlySet<string> = new Set(["textDocument/hover", "textDocument/codeAction", "textDocument/definition"]);

/**
 * Requests that may compute for seconds on a big design (the record runs every single-site loss,
 * simulate up to 5,000 scenarios): answered by the background thread when there is one, whichever
 * thread hosts the file, so hovers, completions and diagnostics go on meanwhile.
 */
export const OFF_THREAD: ReadonlySet<string> = new Set([DecisionRecordRequest.method, SimulateRequest.method, GameDayRequest.method]);

/** The document a request is about ("" when the params name none: the check then refuses them). */
export function uriOf(params: unknown): string {
  const p = (typeof params === "object" && params !== null ? params : {}) as { textDocument?: { uri?: unknown }; uri?: unknown };
  const uri = p.textDocument?.uri ?? p.uri;
  return typeof uri === "string" ? uri : "";
}

/**
 * Answers `method` on `service`: the one dispatch point of every request, here and in the
 * background thread. A custom request's params are checked first (ParamsError → -32602 with
 * the field and why); an unknown method is a programming error, not user input.
 */
export function answer(service: QuorateService, method: string, params: unknown, token?: Cancellation): unknown {
  const c = CUSTOM.get(method);
  if (c) {
    let p: unknown;
    try {
      p = c.check(params, "params");
    } catch (e) {
      if (e instanceof ParamsError) throw new ParamsError(`${method}: ${e.message}`);
      throw e;
    }
    return c.handle(service, p, token);
  }
  const handler = (STANDARD as Record<string, (s: QuorateService, p: unknown) => unknown>)[method];
  if (!handler) throw new Error(`no handler for ${method}`);
  return handler(service, params);
}
