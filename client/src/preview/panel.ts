import * as vscode from "vscode";
import type { BaseLanguageClient as LanguageClient } from "vscode-languageclient";
import {
  DiagramRequest,
  type DiagramResult,
  SimulateRequest,
  type SimulateResult,
  type SimulateScenario,
} from "../../../server/src/protocol";
import { nonce, previewHtml } from "./html";
import { LatestAnswer } from "./latest";
import type { FromWebview, ToWebview } from "./messages";
import { request } from "../request";

export const PREVIEW_VIEW_TYPE = "quorate.preview";
export type ExportFormat = "mmd" | "md" | "svg";

const isTopology = (d: vscode.TextDocument) => d.languageId === "quorate-topology";

/**
 * One preview panel that follows the active topology editor. The server computes the diagram
 * (quorate/diagram); the webview only renders it and reports clicks back.
 */
export class PreviewManager implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private document?: vscode.TextDocument;
  private ready = false;
  private version = 0;
  private timer?: NodeJS.Timeout;
  private last?: DiagramResult;
  /** the Simulate control's scenario while it is on */
  private scenario?: SimulateScenario;
  /** the last simulation shown (tests read it) */
  lastSimulation?: SimulateResult;
  private lastRendered = 0;
  /** each returns true once satisfied (and is then dropped) */
  private renderedWaiters: ((rendered: number) => boolean)[] = [];
  private readonly svgWaiters = new Map<number, (svg: string) => void>();
  private nextRequest = 1;
  /** which answer may still be shown when requests overlap (an editor switch, an edit, a Simulate click) */
  private readonly answers = new LatestAnswer<vscode.TextDocument>();
  /** for tests: what the webview reported */
  readonly events: FromWebview[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (this.panel && e && isTopology(e.document) && e.document !== this.document) {
          this.document = e.document;
          this.panel.title = this.title();
          this.schedule(0);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document) this.schedule();
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (this.panel && this.document && e.uris.some((u) => u.toString() === this.document!.uri.toString())) this.schedule();
      }),
    );
  }

  /** The document the preview shows and the Simulate control's scenario (undefined while it is off). */
  get current(): { document?: vscode.TextDocument; scenario?: SimulateScenario } {
    return { document: this.document, scenario: this.lastSimulation?.scenario ?? this.scenario };
  }

  get isOpen(): boolean {
    return !!this.panel;
  }

  /** The editor column the preview sits in, when it is open. */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }

  /** Opens (or reveals) the preview beside the editor for `document`. */
  async open(document: vscode.TextDocument): Promise<void> {
    this.document = document;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.panel.title = this.title();
      this.schedule(0);
      return;
    }
    const media = vscode.Uri.joinPath(this.context.extensionUri, "dist", "media");
    this.panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      this.title(),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [media],
      },
    );
    const webview = this.panel.webview;
    webview.html = previewHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, "preview.js")).toString(),
      mermaidUri: webview.asWebviewUri(vscode.Uri.joinPath(media, "mermaid.min.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, "preview.css")).toString(),
    });
    this.ready = false;
    webview.onDidReceiveMessage((m: FromWebview) => this.receive(m), undefined, this.subscriptions);
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
  }

  private title(): string {
    const name = this.document ? this.document.uri.path.split("/").pop() : "topology";
    return `Preview ${name}`;
  }

  private receive(m: FromWebview): void {
    this.events.push(m);
    switch (m.type) {
      case "ready":
        this.ready = true;
        this.schedule(0);
        break;
      case "rendered":
        this.lastRendered = m.version;
        this.renderedWaiters = this.renderedWaiters.filter((w) => !w(m.version));
        if (m.error) this.log.warn(`preview: ${m.error}`);
        break;
      case "reveal":
        void this.reveal(m.id);
        break;
      case "exportGameDay":
        void vscode.commands.executeCommand("quorate.exportGameDay");
        break;
      case "simulate":
        this.scenario = m.scenario ?? undefined;
        if (!m.scenario) this.lastSimulation = undefined;
        this.schedule(0);
        break;
      case "svg": {
        const w = this.svgWaiters.get(m.requestId);
        this.svgWaiters.delete(m.requestId);
        if (w) w(m.svg ?? "");
        if (m.error) this.log.error(`preview export: ${m.error}`);
        break;
      }
      case "cspViolation":
        this.log.error(`preview CSP violation: ${m.directive} blocked ${m.blocked}`);
        break;
    }
  }

  private schedule(delay = vscode.workspace.getConfiguration("quorate").get<number>("preview.debounceMs", 250)): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Asks the server for the diagram and posts it to the webview. */
  async refresh(): Promise<number | undefined> {
    const client = this.client();
    if (!this.panel || !this.ready || !this.document || !client) return undefined;
    const document = this.document;
    const ticket = this.answers.ask();
    try {
      const uri = document.uri.toString();
      let result: DiagramResult | null;
      let simulation: SimulateResult | null = null;
      if (this.scenario) {
        simulation = await request(client, SimulateRequest, { uri, scenario: this.scenario });
        result = simulation?.diagram ?? (await request(client, DiagramRequest, { uri }));
      } else result = await request(client, DiagramRequest, { uri });
      // an answer for a document the preview left meanwhile, or older than one already shown, is dropped
      if (!result || !this.panel || !this.answers.show(ticket, document, this.document)) return undefined;
      this.last = result;
      this.lastSimulation = simulation ?? undefined;
      const version = ++this.version;
      const view = simulation ? (({ diagram: _d, result: _r, ...rest }: SimulateResult) => rest)(simulation) : undefined;
      const msg: ToWebview = {
        type: "diagram",
        mermaid: result.mermaid,
        layouts: result.layouts,
        nodes: result.nodes,
        error: result.error,
        title: result.title,
        summary: result.summary,
        version,
        ...(this.scenario ? { simulation: view } : {}),
      };
      await this.panel.webview.postMessage(msg);
      return version;
    } catch (e) {
      this.log.error(`preview: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Turns the Simulate control on with `scenario` (or off with null), as the webview would; resolves with the rendered version. */
  async simulate(scenario: SimulateScenario | null): Promise<number> {
    this.scenario = scenario ?? undefined;
    if (!scenario) this.lastSimulation = undefined;
    await this.panel?.webview.postMessage({ type: "simulateMode", on: scenario !== null } satisfies ToWebview);
    return (await this.refresh()) ?? this.version;
  }

  /** The last version the webview reported as rendered. */
  get renderedVersion(): number {
    return this.lastRendered;
  }

  /** Resolves once the webview has rendered at least `version` (tests and export use it). */
  whenRendered(version = this.version, timeoutMs = 60_000): Promise<number> {
    if (this.lastRendered >= version && version > 0) return Promise.resolve(this.lastRendered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("preview did not render in time")), timeoutMs);
      this.renderedWaiters.push((v) => {
        if (v < version) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      });
    });
  }

  private async reveal(id: string): Promise<void> {
    const node = this.last?.nodes.find((n) => n.id === id);
    if (!node || !this.document) return;
    const range = new vscode.Range(node.range.start.line, node.range.start.character, node.range.end.line, node.range.end.character);
    // a drift marker's source is the deployment file, not the topology
    const target = node.uri ? await vscode.workspace.openTextDocument(vscode.Uri.parse(node.uri)) : this.document;
    const editor = await vscode.window.showTextDocument(target, {
      viewColumn: vscode.ViewColumn.One,
      preserveFocus: false,
      selection: range,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The diagram in one of the export formats; SVG comes from the webview's own render. */
  async exportText(document: vscode.TextDocument, format: ExportFormat): Promise<string> {
    const client = this.client();
    if (!client) throw new Error("the Quorate language server is not running");
    // Mermaid and Markdown are the full diagram whatever its size (the preview may show a summary); SVG is what the preview draws
    const result = await request(client, DiagramRequest, { uri: document.uri.toString(), full: format !== "svg" });
    if (!result || result.error) throw new Error(result?.error ?? "no diagram for this document");
    if (format === "mmd") return result.mermaid;
    if (format === "md") return `# ${result.title ?? "Topology"}\n\n\`\`\`mermaid\n${result.mermaid}\`\`\`\n`;
    if (!this.panel || this.document !== document) await this.open(document);
    const v = (await this.refresh()) ?? this.version;
    await this.whenRendered(v);
    const requestId = this.nextRequest++;
    const svg = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the preview did not return the SVG")), 60_000);
      this.svgWaiters.set(requestId, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
    await this.panel!.webview.postMessage({ type: "exportSvg", requestId } satisfies ToWebview);
    const text = await svg;
    if (!text) throw new Error("the preview has no rendered SVG");
    return text;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
