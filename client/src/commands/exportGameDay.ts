// Quorate: Export Game Day — the chaos manifests and runbook for the Simulate panel's scenario (or
// a site chosen here), written into a folder the user picks with the CLI's guarded writer. Tests
// pass every choice as arguments ({ uri, scenario, tool, duration, folder, force }).
import * as vscode from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient";
import { type GameDayParams, GameDayRequest, SimulateRequest } from "../../../server/src/protocol";
import { type Platform, unavailableOnTheWeb } from "../platform";
import { request } from "../request";
import { type CommandContext, command } from "./command";

type Tool = "chaos-mesh" | "litmus";
type Output = Extract<Platform, { kind: "desktop" }>["output"];

interface ExportGameDayArgs {
  uri?: string;
  scenario?: GameDayParams["scenario"];
  tool?: Tool;
  duration?: string;
  folder?: string;
  /** replace existing files (tests; a user is asked) */
  force?: boolean;
  /** write a drill predicted to take the design down (tests; a user is asked) */
  acceptDown?: boolean;
}

export const exportGameDay = command("quorate.exportGameDay", async (ctx, args?: ExportGameDayArgs) => {
  const platform = ctx.platform;
  if (platform.kind === "web") {
    void vscode.window.showWarningMessage(
      unavailableOnTheWeb(
        "Export Game Day (a folder of chaos manifests and a runbook)",
        "Run quorate gameday in a terminal, or open the folder in VS Code on the desktop.",
      ),
      { modal: true },
    );
    return undefined;
  }
  const doc = await gameDayDocument(ctx, args);
  const client = ctx.client();
  if (!doc || !client) {
    void vscode.window.showWarningMessage("Quorate: open a topology file (*.topology.yaml) to export a game day.");
    return undefined;
  }
  const scenario = await chooseScenario(ctx, client, doc, args);
  if (!scenario) return undefined;
  const tool = args?.tool ?? (await chooseTool());
  if (!tool) return undefined;
  const duration = args?.duration ?? (await chooseDuration());
  if (duration === undefined) return undefined;
  // empty: the server derives it from the design (under the first lag bound the cut runs against)
  const params = { uri: doc.uri.toString(), scenario, tool, ...(duration ? { duration } : {}) };
  let r = await request(client, GameDayRequest, { ...params, ...(args?.acceptDown ? { acceptDown: true } : {}) });
  // a drill predicted to take the design down is the owners' go/no-go: asked, never assumed
  if (r?.down && args?.acceptDown === undefined) {
    const go = "Write It Anyway";
    const answer = await vscode.window.showWarningMessage(`Quorate: ${r.error}`, { modal: true }, go);
    if (answer !== go) return undefined;
    r = await request(client, GameDayRequest, { ...params, acceptDown: true });
  }
  if (!r || r.error) {
    void vscode.window.showErrorMessage(`Quorate: ${r?.error ?? "this document holds no topology"}`);
    return undefined;
  }
  const parent = args?.folder ? vscode.Uri.file(args.folder) : await chooseParent(doc, r.folder);
  if (!parent) return undefined;
  const target = vscode.Uri.joinPath(parent, r.folder);
  const files = r.files.map((f) => ({ path: `${r.folder}/${f.path}`, content: f.content }));
  if (!(await writeGameDay(platform.output, parent, r.folder, files, args))) return undefined;
  if (!args?.folder) await showRunbook(ctx, target, r.notes);
  return target.fsPath;
});

/** The given document, else the preview's, else the active topology editor's. */
async function gameDayDocument(ctx: CommandContext, args?: ExportGameDayArgs): Promise<vscode.TextDocument | undefined> {
  if (args?.uri) return vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
  const active = vscode.window.activeTextEditor?.document;
  return ctx.preview.current.document ?? (active?.languageId === "quorate-topology" ? active : undefined);
}

/**
 * The scenario to enact: the caller's, else the Simulate panel's; from the command palette with
 * no Simulate scenario, the user chooses a site to isolate. Exactly one of lose and partition.
 */
async function chooseScenario(
  ctx: CommandContext,
  client: BaseLanguageClient,
  doc: vscode.TextDocument,
  args?: ExportGameDayArgs,
): Promise<GameDayParams["scenario"] | undefined> {
  let scenario = args?.scenario ?? (ctx.preview.current.document === doc ? ctx.preview.current.scenario : undefined);
  if (!args && !scenario?.lose?.length && !scenario?.partition?.length) {
    const sim = await request(client, SimulateRequest, { uri: doc.uri.toString(), scenario: {} });
    const pick = await vscode.window.showQuickPick(
      (sim?.sites ?? []).map((x) => ({ label: `Isolate ${x.name}`, description: x.role, site: x.name })),
      { title: "Game day: which site to cut off (then withdraw from steering)" },
    );
    if (!pick) return undefined;
    scenario = { lose: [pick.site] };
  }
  const lose = scenario?.lose ?? [];
  const partition = scenario?.partition ?? [];
  if (!lose.length === !partition.length) {
    void vscode.window.showWarningMessage(
      "Quorate: mark sites lost or choose a partition in the Simulate panel (one of them) to export its game day.",
    );
    return undefined;
  }
  return { lose, partition };
}

async function chooseTool(): Promise<Tool | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: "Chaos Mesh", description: "NetworkChaos, action partition", tool: "chaos-mesh" as const },
      {
        label: "Litmus",
        description: "ChaosEngine pod-network-partition (needs a CNI that enforces NetworkPolicy)",
        tool: "litmus" as const,
      },
    ],
    { title: "Game day: chaos tool" },
  );
  return pick?.tool;
}

function chooseDuration(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: "Game day: how long the partition lasts",
    value: "",
    prompt: "Empty: derived from the design (under the first replication-lag bound the cut runs against; 10m when none)",
    validateInput: (v) =>
      v === "" || /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(v) ? undefined : "a duration such as 4m, 90s or 1h30m, or empty",
  });
}

async function chooseParent(doc: vscode.TextDocument, folder: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri ?? vscode.Uri.joinPath(doc.uri, ".."),
    openLabel: `Write ${folder} here`,
  });
  return picked?.[0];
}

/**
 * Writes the game day with the same guarded writer as `quorate gameday -o`: inside the chosen
 * folder, no symlink followed, an existing file replaced only after the user says so. False
 * (the user told why) when nothing was written.
 */
async function writeGameDay(
  output: Output,
  parent: vscode.Uri,
  folder: string,
  files: { path: string; content: string }[],
  args?: ExportGameDayArgs,
): Promise<boolean> {
  const { OutputError, prepareFolder, writeFilesInto } = output;
  try {
    if (parent.scheme !== "file") throw new OutputError(`game days are written to folders on this machine, not ${parent.scheme}: URIs`);
    const root = prepareFolder(parent.fsPath, parent.fsPath);
    try {
      writeFilesInto(root, files, { force: args?.force });
    } catch (e) {
      if (!(e instanceof OutputError && e.exists) || args?.folder) throw e;
      const answer = await vscode.window.showWarningMessage(
        `Quorate: ${e.message.replace(/ \(pass --force to replace it\)$/, "")}. Replace the game day's existing files in ${folder}?`,
        { modal: true },
        "Replace",
      );
      if (answer !== "Replace") return false;
      writeFilesInto(root, files, { force: true });
    }
    return true;
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    void vscode.window.showErrorMessage(`Quorate: game day not written: ${e.message}`);
    return false;
  }
}

/** The runbook in the preview's column (or beside the editor), not a third narrow column that clips its tables. */
async function showRunbook(ctx: CommandContext, target: vscode.Uri, notes: readonly string[]): Promise<void> {
  const runbook = vscode.Uri.joinPath(target, "RUNBOOK.md");
  await vscode.window.showTextDocument(runbook, { viewColumn: ctx.preview.viewColumn ?? vscode.ViewColumn.Beside, preview: true });
  await vscode.commands.executeCommand("markdown.showPreview", runbook);
  void vscode.window.showInformationMessage(
    `Quorate: game day written to ${vscode.workspace.asRelativePath(target)}${notes.length ? ` — ${notes.join(" ")}` : ""}`,
  );
}
