// Open documents: open, incremental change (the edit's range reaches the service), close.
import type { Range } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { URI } from "../service/uri";
import type { Session } from "./session";

export function registerDocuments(s: Session): void {
  const { connection, service, documents } = s;
  connection.onDidOpenTextDocument(
    s.guardNotify("didOpen", (p) => {
      const d = TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      documents.set(d.uri, d);
      s.publish(service.update(d.uri, d.getText()), d.uri);
      s.mirrorUpdate(d.uri, d.getText(), true, d.version);
      // a large file is analysed on the background thread while this one waits: its line index
      // (every edit's range is read through it) is built now, not on the first keystroke
      if (service.isHosted(d.uri)) void d.lineCount;
    }),
  );
  connection.onDidChangeTextDocument(
    s.guardNotify("didChange", (p) => {
      const old = documents.get(p.textDocument.uri);
      if (!old) return;
      const only = (p.contentChanges.length === 1 ? p.contentChanges[0] : undefined) as { range?: Range; text: string } | undefined;
      const change = only?.range
        ? { start: old.offsetAt(only.range.start), end: old.offsetAt(only.range.end), text: only.text }
        : undefined;
      const d = TextDocument.update(old, p.contentChanges, p.textDocument.version);
      documents.set(d.uri, d);
      s.publish(service.update(d.uri, d.getText(), true, change), d.uri);
      s.mirrorUpdate(d.uri, d.getText(), true, d.version, change);
    }),
  );
  connection.onDidCloseTextDocument(
    s.guardNotify("didClose", async (p) => {
      const uri = p.textDocument.uri;
      documents.delete(uri);
      s.diagnostics.forgetHosted(uri);
      let disk: string | undefined;
      try {
        if (uri.startsWith("file:") && s.host.readFile)
          disk = await s.host.readFile(URI.pathOf(uri), {
            roots: s.workspaceRoots(),
            maxBytes: service.getSettings().maxFileSizeKb * 1024,
          });
      } catch {
        disk = undefined;
      }
      // reopened while the disk was read: the editor's text is the file's again, nothing to close
      if (documents.get(uri)) return;
      const changed = service.close(uri, disk);
      s.mirror({ t: "close", uri, diskText: disk });
      if (!s.pull) void connection.sendDiagnostics({ uri, diagnostics: [] });
      s.publish(changed.filter((u) => u !== uri));
    }),
  );
}
