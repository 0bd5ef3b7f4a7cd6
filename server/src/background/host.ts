// The main thread's side of the background thread: starts it, sends it what happens, forwards
// requests and settles their answers. If the thread dies, every waiting request fails with a
// message and the owner is told, so it can analyse everything itself again.
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { ErrorCodes, LSPErrorCodes, ResponseError } from "vscode-languageserver";
import type { Cancellation } from "../service/host";
import { fromThread } from "./json";
import { heapKeeper, keepYoungGenerationSmall } from "./memory";
import { BACKGROUND_MARK, type FromBackground, type ToBackground } from "./messages";

/**
 * The background thread's semi-spaces, in MB (its young generation is two of them). 4 MB where the
 * main thread's are 1 (SERVER_NODE_FLAGS, memory.ts keepYoungGenerationSmall): this thread parses
 * the large files, and `yaml` allocates about 550 MB of short-lived objects parsing 1 MB of YAML
 * (measured, --trace-gc-nvp, either benchmark shape), so with 1 MB semi-spaces a 1 MB file's open
 * took about 580 scavenges, each of which walks all the thread's roots whatever it collects
 * (callgrind, 12 sites 1 MB: the scavenges were 741 M instructions of the open's 7.6 G, their
 * root walks 275 M of it). With 4 MB: about 150 scavenges and 3 full collections instead of 5.
 * Larger cost resident memory the whole session long (V8 keeps a young generation's size once
 * grown; peak RSS over a session with Simulate clicks, 1 MB files, one loaded run each: 184–191 MB
 * with 1 MB, 188–192 with 4, 198–199 with 8; the quiet bench's whole session 192–193 → 194–195 MB
 * with 4, start-up 1.28–1.34 → 1.12–1.21 × the cold parse floor). It was 2 MB (young generation), what SERVER_NODE_FLAGS
 * made of the 4 it was before them.
 */
export const SEMI_SPACE_MB = 4;
/**
 * Only a flag sets it: Node's --max-semi-space-size (SERVER_NODE_FLAGS) holds over a worker's
 * resourceLimits, and V8 starts a young generation at 1 MB semi-spaces whatever its limit and
 * grows it only by the growth factor memory.ts keeps at 1. V8 reads these when a thread starts
 * (the main thread's stay as they were).
 */
function sizeNextThreadsYoungGeneration(): void {
  try {
    setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MB}`);
    setFlagsFromString(`--min-semi-space-size=${SEMI_SPACE_MB}`);
  } catch {
    // an engine without the flags: the thread's young generation is its resourceLimits'
  }
}
/**
 * The background thread's old generation, in MB. Not a budget a file is expected to reach (a
 * file holds about 50 MB here per MB of YAML, measured at 1 MB) but the size V8 scales its
 * heap's growth by: past each full collection it lets the heap grow to about 4 × what survived
 * when the limit is the machine's (gigabytes), and about 1.6 × under 1 GB. A 1 MB file holds
 * about 50 MB; with the machine's limit its reopen grew the heap to 98 MB before the first
 * collection, which the process's resident memory kept (npm run bench measures it). A thread that
 * runs out is replaced by analysis on the main thread (see lost), as on any failure.
 */
const OLD_GENERATION_MB = 1024;

export interface BackgroundEvents {
  /** anything but a response: diagnostics, contributions, log lines, ready */
  message(m: FromBackground): void;
  /** the thread is gone (crashed or stopped) and will not answer again */
  gone(reason: string): void;
}

export class Background {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  /** the pieces of each answer that came before its response (FromBackground `part`) */
  private readonly parts = new Map<number, string[]>();
  /** this (main) thread's heap: what the background thread sends lands here first */
  private readonly heap = heapKeeper();
  /**
   * How many messages this thread has posted to the background thread, in memory both share: it
   * reads the count while busy (a rehearsed keystroke gives way to work that waits, worker.ts).
   */
  private readonly posted = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly script: string,
    private readonly events: BackgroundEvents,
  ) {}

  get running(): boolean {
    return !!this.worker;
  }

  /** `push`: the server pushes diagnostics (the thread sends them with each analysis); else the client pulls them */
  start(options: { warmUp: boolean; push: boolean }): void {
    sizeNextThreadsYoungGeneration();
    // its stdout is captured, never mixed into the LSP stream on the process's stdout
    const worker = new Worker(this.script, {
      workerData: { mark: BACKGROUND_MARK, warmUp: options.warmUp, push: options.push, posted: this.posted },
      stdout: true,
      // a young generation of SEMI_SPACE_MB semi-spaces (the same limit as the flags above, for an engine that reads only this)
      // and an old generation whose limit keeps its growth near what it holds (see OLD_GENERATION_MB)
      resourceLimits: { maxYoungGenerationSizeMb: 2 * SEMI_SPACE_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB },
    });
    this.worker = worker;
    // a thread's start sets V8's flags as they were at the process's start: this thread's young generation is kept small again
    worker.once("online", keepYoungGenerationSmall);
    worker.on("message", (m: FromBackground) => {
      // what the thread sends is copied onto this thread (a large file's diagnostics, a Simulate
      // click's diagram: megabytes), then written to the client: collected here once quiet
      this.heap.afterWork();
      if (m.t === "part") {
        const parts = this.parts.get(m.id);
        if (parts) parts.push(m.json);
        else if (this.waiting.has(m.id)) this.parts.set(m.id, [m.json]);
        return;
      }
      if (m.t !== "response") return this.events.message(m);
      const w = this.waiting.get(m.id);
      const parts = this.parts.get(m.id);
      this.parts.delete(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error) w.reject(new ResponseError(m.error.code, m.error.message));
      // as the thread wrote it: over stdio spliced into the response, not parsed (nor joined) here
      else if (m.json === undefined) w.resolve(null);
      else w.resolve(fromThread(parts ? [...parts, m.json] : m.json));
    });
    worker.on("error", (e) => this.lost(`the background thread failed: ${e?.stack ?? e}`));
    worker.on("exit", (code) => this.lost(`the background thread exited (code ${code})`));
  }

  post(m: ToBackground): void {
    if (!this.worker) return;
    this.worker.postMessage(m);
    // after the post: a thread that sees the count has the message waiting
    Atomics.add(this.posted, 0, 1);
  }

  /** Asks the thread; it answers after everything sent before the request. */
  request(method: string, params: unknown, token?: Cancellation): Promise<unknown> {
    if (!this.worker) return Promise.reject(new ResponseError(ErrorCodes.InternalError, "quorate: the background thread is not running"));
    // cancelled while it waited its turn here: nothing to start
    if (token?.isCancellationRequested) return Promise.reject(new ResponseError(LSPErrorCodes.RequestCancelled, `${method} was cancelled`));
    const id = this.nextId++;
    // the client's cancellation is passed on: the thread stops the request's work at its next check
    const cancelled = token?.onCancellationRequested(() => this.post({ t: "cancel", id }));
    return new Promise<unknown>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ t: "request", id, method, params });
    }).finally(() => cancelled?.dispose());
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private lost(reason: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(new ResponseError(ErrorCodes.InternalError, `quorate: ${reason.split("\n")[0]}`));
    this.waiting.clear();
    this.parts.clear();
    this.events.gone(reason);
  }
}
