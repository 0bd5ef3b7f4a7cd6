// The workspace: settings, the index of files on disk, and files changed outside the editor.
import { FileChangeType } from "vscode-languageserver";
import { isInteresting, isYamlName } from "../model/parse";
import { parseSettings } from "../service/settings";
import { URI } from "../service/uri";
import type { Session } from "./session";

export async function pullSettings(s: Session): Promise<void> {
  const raw = await s.connection.workspace.getConfiguration({ section: "quorate" });
  applySettings(s, raw);
}

function applySettings(s: Session, raw: unknown): void {
  const settings = parseSettings(raw);
  s.publish(s.service.setSettings(settings));
  s.mirror({ t: "settings", settings });
}

export async function indexWorkspace(s: Session): Promise<void> {
  if (!s.host.findFiles) return;
  let count = 0;
  // a file past the live-analysis limit would only get quorate/too-large: not worth reading into memory
  const found = await s.host.findFiles(s.workspaceRoots(), s.service.getSettings().maxFileSizeKb * 1024, (m) => s.log(m));
  for (const f of found) {
    const uri = URI.fromPath(`${f.root}/${f.path}`);
    // (a file opened while the folder was read is the editor's now)
    if (!s.documents.get(uri)) {
      s.publish(s.service.update(uri, f.text, false));
      s.mirrorUpdate(uri, f.text, false);
      count++;
    }
  }
  if (count) s.log(`indexed ${count} topology and manifest files`);
}

export function registerWorkspace(s: Session): void {
  const { connection, service } = s;
  connection.onDidChangeConfiguration(
    s.guardNotify("didChangeConfiguration", async (change: { settings?: { quorate?: unknown } }) => {
      if (s.canConfigure) await pullSettings(s);
      else applySettings(s, change.settings?.quorate);
    }),
  );

  const removed = (uri: string) => {
    s.publish([...service.remove(uri), ...service.deploymentChanged(uri, true)]);
    s.mirror({ t: "remove", uri });
    s.mirror({ t: "deploymentChanged", uri, createdOrDeleted: true });
  };
  connection.onDidChangeWatchedFiles(
    s.guardNotify("didChangeWatchedFiles", async (params) => {
      for (const change of params.changes) {
        const path = URI.pathOf(change.uri);
        if (!isYamlName(path) || s.documents.get(change.uri)) continue;
        if (change.type === FileChangeType.Deleted) {
          removed(change.uri);
          continue;
        }
        // with no disk (the web) a file changed outside the editor is not read
        if (!s.host.readFile) continue;
        let text: string;
        try {
          // only what the workspace index would read itself, within the size limit (audit A19)
          text = await s.host.readFile(path, { roots: s.workspaceRoots(), maxBytes: service.getSettings().maxFileSizeKb * 1024 });
        } catch (e) {
          s.log(`not read: ${(e as Error).message}`);
          // held from before (the index, an earlier change): no longer a file the index reads, so not kept either
          if ((e as Error).name === "NotRead" && service.text(change.uri) !== undefined && !s.documents.get(change.uri))
            removed(change.uri);
          continue;
        }
        // opened in the editor while the disk was read: the editor's text wins
        if (s.documents.get(change.uri)) continue;
        if (isInteresting(path, text) || service.text(change.uri) !== undefined) {
          s.publish(service.update(change.uri, text, false));
          s.mirrorUpdate(change.uri, text, false);
        } else {
          // a deployment file bound to a topology (drift): not indexed itself, judged through its topology
          const createdOrDeleted = change.type === FileChangeType.Created;
          s.publish(service.deploymentChanged(change.uri, createdOrDeleted));
          s.mirror({ t: "deploymentChanged", uri: change.uri, createdOrDeleted });
        }
      }
    }),
  );
}
