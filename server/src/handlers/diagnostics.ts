// Publishing diagnostics: pushed after a quiet moment, or in pull mode a refresh request when
// other open files changed.
import { type Diagnostic, RAL } from "vscode-languageserver";
import { fromThread } from "../background/json";
import type { Session } from "./session";

/** How long the server waits for more edits before it publishes diagnostics. */
const PUBLISH_QUIET_MS = 4;

/**
 * Pushes wait until the messages already received are handled: edits typed in a burst are
 * analysed one by one (each incrementally), but only the newest version's diagnostics are
 * sent — never those of a version the editor has already replaced.
 */
export class DiagnosticsPublisher {
  private readonly pending = new Set<string>();
  /** the newest diagnostics the background thread sent for each hosted file, as JSON */
  private readonly hosted = new Map<string, { version?: number; json: string }>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly s: Session) {}

  /** The background thread's diagnostics for a file it hosts (sent by the next publish). */
  setHosted(uri: string, version: number | undefined, json: string): void {
    this.hosted.set(uri, { version, json });
  }

  forgetHosted(uri: string): void {
    this.hosted.delete(uri);
  }

  publish(uris: readonly string[], edited?: string): void {
    const s = this.s;
    if (s.pull) {
      if (s.canRefresh && uris.some((u) => u !== edited && s.documents.has(u))) void s.connection.languages.diagnostics.refresh();
      return;
    }
    for (const uri of uris) this.pending.add(uri);
    // a few milliseconds of quiet lets a burst the editor wrote message by message arrive; then
    // settle waits for every message already read: what goes out is the newest version only
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      RAL().timer.setImmediate(this.settle, s.handled);
    }, PUBLISH_QUIET_MS);
  }

  /**
   * After the quiet moment, publishing waits until the messages the connection has already read
   * are handled. It handles one per turn (its runtime's setImmediate: the event loop's check
   * phase on Node, a microtask in a browser), each queued before this check is: a turn in which
   * no handler ran means none is waiting. (A quiet moment alone is not enough on a loaded
   * machine: a process paused for a few milliseconds between two queued edits would publish the
   * older one.)
   */
  private readonly settle = (seen: number): void => {
    if (this.s.handled !== seen) RAL().timer.setImmediate(this.settle, this.s.handled);
    else this.flush();
  };

  private flush(): void {
    const { service, documents, connection } = this.s;
    for (const uri of this.pending) {
      // closed files are indexed for cross-file rules; only open ones show diagnostics
      const d = documents.get(uri);
      if (d && service.isHosted(uri)) {
        // a hosted file's diagnostics come from the background thread: sent only if they are of
        // the version the editor has now (a superseded one's are dropped)
        const h = this.hosted.get(uri);
        // (as the thread wrote them: over stdio they are spliced into the message, not parsed here)
        if (h?.version === d.version)
          void connection.sendDiagnostics({ uri, version: d.version, diagnostics: fromThread(h.json) as Diagnostic[] });
      } else if (d) void connection.sendDiagnostics({ uri, version: d.version, diagnostics: service.diagnostics(uri) });
    }
    this.pending.clear();
  }
}
