// The server's background thread: a replica of every file the main thread knows, in a service of
// its own, which analyses the large files the main thread hosts here and answers requests on
// them. Messages that arrive while it is busy are taken together: the edits of one file become
// one change, analysed once, and only the newest version's diagnostics go back.
import { ErrorCodes, LSPErrorCodes } from "vscode-languageserver";
import { changeBetween, recordFamilies, rehearseKeystroke, type TextChange } from "../incremental";
import { createService } from "../platform/node";
import { answer } from "../requests";
import { type Cancellation, CancelledError, SLICE_MS, stepThrough } from "../service/host";
import { ParamsError } from "../service/params";
import { RenameError } from "../service/navigation";
import { JSON_CHARS_PER_STEP, jsonSteps } from "../util/jsonsteps";
import { primeParser, warmUpEditSteps, warmUpSteps } from "../warmup";
import { type HeapKeeper, heapKeeper } from "./memory";
import type { FromBackground, ToBackground } from "./messages";

/**
 * How long the background thread must have been idle before it runs a put-off warm-up step: a
 * step takes a few to tens of milliseconds, and keystrokes typed in a burst (or a benchmark's,
 * sent the moment the last diagnostics arrive) must not wait behind one.
 */
const LATER_IDLE_MS = 100;

/**
 * How many keystrokes the thread rehearses in the first large file opened, one at a time once
 * idle (incremental.ts rehearseKeystroke): V8 compiles the code a keystroke runs over such a file
 * only after it has run a few times (measured on the rings bench's 1 MB file: 39, 23, 12 and 5
 * functions compiled in the first four runs, 1–2 after). A rehearsal takes about what a warm
 * keystroke that re-runs every rule family takes (tens of milliseconds at 1 MB).
 */
const REHEARSALS = 3;

/** The side of a MessagePort the thread uses (a real port, or a test's stand-in). */
export interface Port {
  on(event: "message", listener: (m: ToBackground) => void): void;
  postMessage(m: FromBackground): void;
}

interface Pending {
  /** the text before the first of these edits (undefined: a file new here) */
  readonly base?: string;
  text: string;
  open: boolean;
  /** the single edit, when only one arrived */
  change?: TextChange;
  edits: number;
}

/** What a rehearsal came to (told to tests): it ran to its end, or stopped when work arrived. */
export type Rehearsed = (uri: string, outcome: "ran" | "gave way") => void;

export function runBackground(
  port: Port,
  options: {
    warmUp?: boolean;
    heap?: HeapKeeper;
    push?: boolean;
    rehearsed?: Rehearsed;
    /**
     * How many messages the main thread has posted to this thread so far (a counter in shared
     * memory it bumps after each post, host.ts), read while this thread is busy: more than it
     * has taken means work waits behind what it is doing.
     */
    arrived?: () => number;
  } = {},
): void {
  let taken = 0;
  const arrived = options.arrived;
  const waiting = arrived ? () => arrived() !== taken : () => false;
  const thread = new BackgroundThread(port, options.heap, options.push !== false, options.rehearsed, waiting);
  /**
   * The warm-up, a step per turn of the event loop until it is done or real work arrives: a
   * document the user opened, a large file, or a request (see warmUpSteps). Settings and the
   * workspace's other files are taken between steps without stopping it.
   */
  let warming = options.warmUp !== false ? warmUpSteps() : undefined;
  let steps = 0;
  const ready = () => port.postMessage({ t: "ready" });
  const warmStep = () => {
    if (!warming) return;
    if (!warming.next().done) {
      steps++;
      setImmediate(warmStep);
      return;
    }
    warming = undefined;
    thread.heap.idle();
    // after that collection, one more parse whose garbage stays (see primeParser)
    primeParser();
    thread.heap.rebase();
    ready();
  };
  const urgent = (m: ToBackground) => m.t === "request" || (m.t === "update" && (m.open || m.hosted));

  port.on("message", (m) => {
    taken++;
    // a cancellation is taken at once, not queued behind the work it cancels
    if (m.t === "cancel") {
      thread.cancellations.cancel(m.id);
      return;
    }
    if (warming && urgent(m)) {
      warming = undefined;
      thread.later = warmUpEditSteps();
      thread.log(`warm-up stopped after ${steps} steps: real work arrived (its edit steps run once the thread is idle)`);
      ready();
    }
    thread.enqueue(m);
  });
  if (warming) setImmediate(warmStep);
  else ready();
}

/**
 * The running requests' cancellations, by id (a "cancel" message sets one), and the requests
 * cancelled before they were taken: a "cancel" is read at once while its request may still wait
 * in the queue (it is posted right behind it), and must not be lost.
 */
class Cancellations {
  private readonly running = new Map<number, { cancel(): void }>();
  private readonly cancelledEarly = new Set<number>();

  /** A "cancel" message: the running request's token, or a note for the request still queued. */
  cancel(id: number): void {
    const running = this.running.get(id);
    if (running) running.cancel();
    else this.cancelledEarly.add(id);
  }

  /** The token of the request `id`, taken now (already cancelled if its cancel came first). */
  token(id: number): Cancellation {
    // ids rise: an early cancel of a lower id was for a request that had already answered
    for (const x of this.cancelledEarly) if (x < id) this.cancelledEarly.delete(x);
    let cancelled = this.cancelledEarly.delete(id);
    const listeners = new Set<() => void>();
    this.running.set(id, {
      cancel() {
        cancelled = true;
        for (const l of listeners) l();
      },
    });
    return {
      get isCancellationRequested() {
        return cancelled;
      },
      onCancellationRequested(l) {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
    };
  }

  /** The request `id` answered. */
  done(id: number): void {
    this.running.delete(id);
  }
}

/** The thread's replica of the files, its service, and how it takes each kind of message. */
class BackgroundThread {
  private roots: readonly string[] = [];
  private readonly service = createService(() => this.roots);
  private readonly hosted = new Set<string>();
  private readonly versions = new Map<string, number | undefined>();
  /** the contributions last sent, by hosted uri (sent again only when they change) */
  private readonly sent = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();
  private readonly touched = new Set<string>();
  /** files updated in this batch (as opposed to touched through another file) */
  private readonly edited = new Set<string>();
  /** a large file new here was analysed since the last report (see drain) */
  private largeOpened = false;
  private queue: ToBackground[] = [];
  private scheduled = false;
  readonly cancellations = new Cancellations();
  /**
   * The warm-up's edit and hover steps, when a document stopped it before them: run a step at a
   * time once the thread has been idle for LATER_IDLE_MS (after that document's analysis; a
   * user's first keystroke comes later than that), paused whenever work arrives. The document's
   * own analysis warmed the parser and the rules, not the incremental path every keystroke takes.
   */
  later: Generator<void, void, undefined> | undefined;
  /**
   * The large file just opened whose keystrokes are rehearsed: the thread's first before the
   * open's diagnostics are posted (a keystroke sent the moment they arrive, tens of ms later,
   * would find no time for one after them: measured on the rings bench's 1 MB file, it ran 283 M
   * instructions on this thread cold and 204 M after one rehearsal, which itself took 270 M), the
   * others one per idle LATER_IDLE_MS, all before the warm-up's put-off steps, each giving way to
   * any work posted meanwhile, and never while a request is being answered: the first keystroke
   * a user types into it then runs code compiled for it. Only while the code is cold: the thread
   * rehearses REHEARSALS in its life, none once a large file has been typed into (its keystrokes
   * compiled the code), nor after the file is gone. The one before the post is a record run
   * (incremental.ts recordFamilies): it runs the families as a rehearsal does, over a model whose
   * every item is tracked, and the first keystroke into any item keeps those that read none of
   * the fields it changed.
   */
  private rehearsing: string | undefined;
  private rehearsalsLeft = REHEARSALS;
  /** requests still being answered (a Simulate click, a git read): no rehearsal meanwhile */
  private answering = 0;
  /** told each keystroke rehearsed, or given up for real work (tests) */
  private readonly rehearsed?: Rehearsed;
  /**
   * Whether a message the main thread posted waits to be taken: a rehearsal asks between its
   * stages and families and gives way (a keystroke typed while one runs waits for one family
   * at most), and the heap keeper puts a collection off.
   */
  private readonly waiting: () => boolean;
  private laterTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly port: Port;
  readonly heap: HeapKeeper;
  /** diagnostics are pushed with each analysis (false: the client pulls them, as a request) */
  private readonly push: boolean;

  constructor(port: Port, heap: HeapKeeper | undefined, push: boolean, rehearsed: Rehearsed | undefined, waiting: () => boolean) {
    this.port = port;
    this.rehearsed = rehearsed;
    this.waiting = waiting;
    // measured after the service exists (its baseline includes it)
    this.heap = heap ?? heapKeeper({ busy: waiting });
    this.push = push;
    // the availability figures' findings of the files hosted here follow their others (a second report)
    this.service.setLateFor((uri) => this.hosted.has(uri));
    this.service.onLateFindings((uris) => {
      for (const u of uris) this.touched.add(u);
      this.report();
    });
  }

  private post(m: FromBackground): void {
    this.port.postMessage(m);
  }

  log(message: string): void {
    this.post({ t: "log", message });
  }

  /** Queue a message; the queue is drained on the next turn, with whatever else arrived meanwhile. */
  enqueue(m: ToBackground): void {
    this.queue.push(m);
    // messages that arrived while the thread was busy are all queued before this runs
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      try {
        this.take(m);
      } catch (e) {
        this.log(`background ${m.t} failed: ${(e as Error)?.stack ?? e}`);
      }
    }
    try {
      this.flush();
      this.report();
      // a large file's model is in the heap and its diagnostics are posted: from here V8 keeps the
      // heap near it (memory.ts; not sooner: collecting often would slow the open and its first rehearsal)
      if (this.largeOpened) this.heap.largeOpened();
      this.largeOpened = false;
      // a collection, if due, once the thread is quiet (see heapKeeper)
      this.heap.afterWork();
    } catch (e) {
      this.pending.clear();
      this.touched.clear();
      this.log(`background analysis failed: ${(e as Error)?.stack ?? e}`);
    }
    this.resumeLater();
  }

  private resumeLater(idleMs = LATER_IDLE_MS): void {
    if (!this.later && !this.rehearsing) return;
    clearTimeout(this.laterTimer);
    this.laterTimer = setTimeout(() => this.laterStep(), idleMs);
  }

  private laterStep(): void {
    this.laterTimer = undefined;
    // work arrived: the drain it scheduled runs first, and resumes these after it
    if (this.scheduled) return;
    // rehearsals first (they give way to work), then the warm-up's put-off steps
    if (this.rehearsing || !this.later) {
      this.rehearse();
      return;
    }
    try {
      if (!this.later.next().done) {
        this.resumeLater(0);
        return;
      }
      this.later = undefined;
      this.log("warm-up: its edit steps ran once the thread was idle");
    } catch (e) {
      this.later = undefined;
      this.log(`warm-up failed: ${(e as Error)?.stack ?? e}`);
    }
    this.resumeLater();
  }

  /**
   * One rehearsed keystroke (see `rehearsing`), the next once idle again; its garbage is the heap
   * keeper's. `beforePost`: the one run before the open's diagnostics go (the drain that posts them
   * checks the heap and schedules what follows).
   */
  private rehearse(beforePost = false): void {
    const uri = this.rehearsing;
    if (!uri || this.rehearsalsLeft <= 0) {
      this.rehearsing = undefined;
      return;
    }
    if (this.answering) {
      this.resumeLater();
      return;
    }
    const a = this.service.analysis(uri);
    // the one before the post records what the families read of each list (incremental.ts
    // recordFamilies): it runs them as a rehearsal does, and the first keystroke into any item then
    // re-runs only the families that read what it changed
    const ran = !!a && (beforePost ? recordFamilies(a, this.waiting) : rehearseKeystroke(a, this.waiting));
    if (ran === "gave way") {
      // the work that arrived goes first (no collection before it either); the rehearsal is
      // tried again once the thread is idle, if that work leaves it to do
      this.rehearsed?.(uri, "gave way");
      this.resumeLater();
      return;
    }
    if (ran) this.rehearsed?.(uri, "ran");
    if (!ran || --this.rehearsalsLeft <= 0) this.rehearsing = undefined;
    if (beforePost) return;
    this.heap.afterWork();
    this.resumeLater();
  }

  private touch(uris: Iterable<string>): void {
    for (const u of uris) this.touched.add(u);
  }

  private flush(): void {
    for (const [uri, p] of this.pending) {
      const change = p.base === undefined ? undefined : p.edits === 1 && p.change ? p.change : changeBetween(p.base, p.text);
      this.touch(this.service.update(uri, p.text, p.open, change));
      this.edited.add(uri);
      // a large file new here: its keystrokes are rehearsed (while the code is cold), the thread's
      // first before its diagnostics are posted, the others once idle; one typed into: no more
      if (!this.hosted.has(uri)) continue;
      if (p.base === undefined) {
        this.largeOpened = true;
        this.rehearsing = this.rehearsalsLeft > 0 ? uri : undefined;
        if (this.rehearsing && this.rehearsalsLeft === REHEARSALS) this.rehearse(true);
      } else {
        this.rehearsalsLeft = 0;
        this.rehearsing = undefined;
      }
    }
    this.pending.clear();
  }

  /** Diagnostics and contributions of the hosted files this batch touched. */
  private report(): void {
    for (const uri of this.touched) {
      if (!this.hosted.has(uri)) continue;
      // a client that pulls diagnostics asks for them (answered below, as a request): not sent twice
      const json = this.push ? JSON.stringify(this.service.diagnostics(uri)) : undefined;
      this.post({ t: "diagnostics", uri, version: this.versions.get(uri), json, edited: this.edited.has(uri) });
      const contributions = this.service.contributionsOf(uri);
      const key = JSON.stringify(contributions);
      if (this.sent.get(uri) !== key) {
        this.sent.set(uri, key);
        this.post({ t: "contributions", uri, contributions });
      }
    }
    this.touched.clear();
    this.edited.clear();
  }

  private take(m: ToBackground): void {
    switch (m.t) {
      case "update":
        this.update(m);
        return;
      case "roots":
        this.roots = m.roots;
        return;
      case "settings":
        this.flush();
        this.touch(this.service.setSettings(m.settings));
        return;
      case "close": {
        this.flush();
        this.versions.delete(m.uri);
        const large = this.hosted.has(m.uri);
        this.touch(this.service.close(m.uri, m.diskText));
        // a large file let go: its analysis is collected before anything else is analysed
        if (large && this.service.text(m.uri) === undefined) this.heap.released();
        return;
      }
      case "remove": {
        this.flush();
        const large = this.hosted.delete(m.uri);
        this.sent.delete(m.uri);
        this.touch(this.service.remove(m.uri));
        if (large && this.service.text(m.uri) === undefined) this.heap.released();
        return;
      }
      case "deploymentChanged":
        this.flush();
        this.touch(this.service.deploymentChanged(m.uri, m.createdOrDeleted));
        return;
      case "request":
        this.request(m);
        return;
    }
  }

  /** A file's new text (whole, or one edit of the text this thread holds), kept pending until the batch ends. */
  private update(m: Extract<ToBackground, { t: "update" }>): void {
    if (m.hosted) this.hosted.add(m.uri);
    else {
      this.hosted.delete(m.uri);
      this.sent.delete(m.uri);
    }
    this.versions.set(m.uri, m.version);
    const p = this.pending.get(m.uri);
    const current = p?.text ?? this.service.text(m.uri);
    const text =
      m.text ??
      (m.change && current !== undefined ? current.slice(0, m.change.start) + m.change.text + current.slice(m.change.end) : undefined);
    if (text === undefined) {
      this.log(`an edit of ${m.uri}, which this thread does not hold, was ignored`);
      return;
    }
    if (p) {
      p.text = text;
      p.open = m.open;
      p.edits++;
    } else this.pending.set(m.uri, { base: this.service.text(m.uri), text, open: m.open, change: m.change, edits: 1 });
  }

  /** A request, answered on the current analysis (pending edits and diagnostics go first). */
  private request(m: Extract<ToBackground, { t: "request" }>): void {
    this.flush();
    this.report();
    const token = this.cancellations.token(m.id);
    const failed = (e: unknown) => {
      this.cancellations.done(m.id);
      const code =
        e instanceof CancelledError
          ? LSPErrorCodes.RequestCancelled
          : e instanceof RenameError || e instanceof ParamsError
            ? ErrorCodes.InvalidParams
            : ErrorCodes.InternalError;
      if (code === ErrorCodes.InternalError) this.log(`${m.method} failed: ${(e as Error)?.stack ?? e}`);
      this.post({ t: "response", id: m.id, error: { message: (e as Error)?.message ?? String(e), code } });
    };
    try {
      const result = answer(this.service, m.method, m.params, token);
      const done = (json: string) => {
        this.cancellations.done(m.id);
        this.post({ t: "response", id: m.id, json });
      };
      // a request that waits on the host (git) or yields between scenarios (simulate) answers
      // when it is done, its answer written in slices too (a Simulate click on a 5 MB design
      // answers megabytes); the thread serves others meanwhile, and collects after it as after
      // any work (a Simulate click on a large file leaves a diagram's worth of garbage)
      if (result instanceof Promise) {
        this.answering++;
        result
          .then((r) => {
            const part = (json: string) => this.post({ t: "part", id: m.id, json });
            return stepThrough(jsonSteps(r ?? null, JSON_CHARS_PER_STEP, part), token, m.method, { ms: SLICE_MS });
          })
          .then(done, failed)
          .finally(() => {
            this.answering--;
            this.heap.afterWork();
          });
      } else done(JSON.stringify(result ?? null));
    } catch (e) {
      failed(e);
    }
  }
}
