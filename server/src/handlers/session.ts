// One language-server session: the state every handler shares (the service, the open documents,
// the client's capabilities, the background thread) and the guards that keep a failing handler
// from taking the server down. The handlers beside this file each wire one concern to it.
import { type Connection, ErrorCodes, LSPErrorCodes, ResponseError } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Background, BackgroundEvents } from "../background/host";
import type { ToBackground } from "../background/messages";
import { ParamsError } from "../service/params";
import { CancelledError } from "../service/host";
import { RenameError } from "../service/navigation";
import type { QuorateService } from "../service/service";
import { URI } from "../service/uri";
import { DiagnosticsPublisher } from "./diagnostics";

export interface ServerOptions {
  /** "push" always pushes, "pull" answers textDocument/diagnostic; default: pull when the client supports it */
  readonly diagnosticMode?: "push" | "pull";
  /** analyse a synthetic topology at start so the first real file is analysed by compiled code (default true) */
  readonly warmUp?: boolean;
  /**
   * Files of at least this many KB are analysed on a background thread, so a large file never
   * holds up requests about the others (default 64; 0 analyses everything on the main thread).
   */
  readonly backgroundMinKb?: number;
}

/**
 * What the server reaches beyond the documents it is sent. On Node (platform/node.ts): the disk,
 * git and a background thread. In a web worker (browser.ts): none of them — only open documents
 * are analysed, and the service says plainly what needs the disk or git.
 */
export interface ServerHost {
  /** the language service; `roots` are the workspace folders' paths (drift reads bound files inside them) */
  readonly createService: (roots: () => readonly string[]) => QuorateService;
  /**
   * a file's text on disk, only when the workspace index would read it itself inside one of
   * `roots` (a regular file within `maxBytes`, no hidden folder, no link: discovery's rule); rejects
   * when it is not (NotRead, saying why), unreadable or too slow; absent: there is no disk
   */
  readonly readFile?: (path: string, within: { readonly roots: readonly string[]; readonly maxBytes: number }) => Promise<string>;
  /**
   * topology and manifest files under the workspace folders (`root` one of `roots`, `path` relative
   * to it), in one run: each real file read once, the bytes of all bounded; absent: no workspace index
   */
  readonly findFiles?: (
    roots: readonly string[],
    maxBytes: number,
    log: (message: string) => void,
  ) => Promise<readonly { readonly root: string; readonly path: string; readonly text: string }[]>;
  /** a background thread for large files; absent: everything is analysed on this thread */
  readonly background?: (events: BackgroundEvents) => Background;
}

/** Files at least this large (KB) are analysed on the background thread unless the client says otherwise. */
export const DEFAULT_BACKGROUND_MIN_KB = 64;

export class Session {
  readonly service: QuorateService;
  // documents are kept here rather than in TextDocuments so each edit's range reaches the
  // service: one edit inside one list item re-parses only that item
  readonly documents = new Map<string, TextDocument>();
  /** large files' analysis, away from the request loop; absent when the host has none or it is off */
  background: Background | undefined;
  pull = false;
  canConfigure = false;
  canRefresh = false;
  folders: string[] = [];
  options: ServerOptions = {};
  /** messages handled so far (the publisher waits until the messages already read are handled) */
  handled = 0;
  readonly diagnostics: DiagnosticsPublisher;

  constructor(
    readonly connection: Connection,
    readonly host: ServerHost,
  ) {
    // bound deployment files are read inside the workspace folder that holds the topology
    this.service = host.createService(() => this.workspaceRoots());
    this.diagnostics = new DiagnosticsPublisher(this);
    // the availability figures' findings (objective/*) follow a file's others: published again
    this.service.onLateFindings((uris) => this.publish(uris));
  }

  workspaceRoots(): string[] {
    return this.folders.filter((f) => f.startsWith("file:")).map((f) => URI.pathOf(f));
  }

  log(msg: string): void {
    this.connection.console.log(`[quorate] ${msg}`);
  }

  /** Pushes (or asks the client to re-pull) the diagnostics of these files; see DiagnosticsPublisher. */
  publish(uris: readonly string[], edited?: string): void {
    this.diagnostics.publish(uris, edited);
  }

  /** Tells the background thread what happened here (it keeps a replica of every file). */
  mirror(m: ToBackground): void {
    this.background?.post(m);
  }

  mirrorUpdate(uri: string, text: string, open: boolean, version?: number, change?: { start: number; end: number; text: string }): void {
    this.mirror({ t: "update", uri, open, version, hosted: this.service.isHosted(uri), ...(change ? { change } : { text }) });
  }

  /** An exception as the response error the client sees (bad params are -32602, the rest logged). */
  failure(name: string, e: unknown): ResponseError<void> {
    if (e instanceof ResponseError) return e;
    if (e instanceof CancelledError) return new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    if (e instanceof RenameError || e instanceof ParamsError) return new ResponseError(ErrorCodes.InvalidParams, e.message);
    this.log(`${name} failed: ${(e as Error)?.stack ?? e}`);
    return new ResponseError(ErrorCodes.InternalError, `quorate: ${name} failed: ${(e as Error)?.message ?? e}`);
  }

  /** A request handler whose exception (thrown or rejected) becomes an error response. */
  guard<P, R>(name: string, fn: (p: P) => R): (p: P) => R {
    return (p: P): R => {
      this.handled++;
      try {
        const r = fn(p);
        // a request answered by the background thread fails the same way
        if (r instanceof Promise)
          return r.catch((e) => {
            throw this.failure(name, e);
          }) as R;
        return r;
      } catch (e) {
        throw this.failure(name, e);
      }
    };
  }

  /** A notification handler whose exception becomes a log line. */
  guardNotify<P>(name: string, fn: (p: P) => void | Promise<void>): (p: P) => Promise<void> {
    return async (p: P): Promise<void> => {
      this.handled++;
      try {
        await fn(p);
      } catch (e) {
        this.log(`${name} failed: ${(e as Error)?.stack ?? e}`);
      }
    };
  }
}
