// The server's background thread: a replica of every file the main thread knows, in a service of
// its own, which analyses the large files the main thread hosts here and answers requests on
// them. Messages that arrive while it is busy are taken together: the edits of one file become
// one change, analysed once, and only the newest version's diagnostics go back.
import { ErrorCodes, LSPErrorCodes } from "vscode-languageserver";
import { changeBetween, type TextChange } from "../incremental";
import { createService } from "../platform/node";
import { answer } from "../requests";
import { type Cancellation, CancelledError } from "../service/host";
import { ParamsError } from "../service/params";
import { RenameError } from "../service/navigation";
import { primeParser, warmUpEditSteps, warmUpSteps } from "../warmup";
import { type HeapKeeper, heapKeeper } from "./memory";
import type { FromBackground, ToBackground } from "./messages";

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

// long: the worker's state and its message loop share closures; not yet split by message kind (#19, w19)
export function runBackground(port: Port, options: { warmUp?: boolean; heap?: HeapKeeper; push?: boolean } = {}): void {
  let roots: readonly string[] = [];
  const service = createService(() => roots);
  const hosted = new Set<string>();
  const versions = new Map<string, number | undefined>();
  /** the contributions last sent, by hosted uri (sent again only when they change) */
  const sent = new Map<string, string>();
  const pending = new Map<string, Pending>();
  const touched = new Set<string>();
  /** files updated in this batch (as opposed to touched through another file) */
  const edited = new Set<string>();
  let queue: ToBackground[] = [];
  let scheduled = false;
  const heap = options.heap ?? heapKeeper();
  const push = options.push !== false;

  const post = (m: FromBackground) => port.postMessage(m);
  const log = (message: string) => post({ t: "log", message });

  const flush = () => {
    for (const [uri, p] of pending) {
      const change = p.base === undefined ? undefined : p.edits === 1 && p.change ? p.change : changeBetween(p.base, p.text);
      for (const u of service.update(uri, p.text, p.open, change)) touched.add(u);
      edited.add(uri);
    }
    pending.clear();
  };

  /** Diagnostics and contributions of the hosted files this batch touched. */
  const report = () => {
    for (const uri of touched) {
      if (!hosted.has(uri)) continue;
      // a client that pulls diagnostics asks for them (answered below, as a request): not sent twice
      const json = push ? JSON.stringify(service.diagnostics(uri)) : undefined;
      post({ t: "diagnostics", uri, version: versions.get(uri), json, edited: edited.has(uri) });
      const contributions = service.contributionsOf(uri);
      const key = JSON.stringify(contributions);
      if (sent.get(uri) !== key) {
        sent.set(uri, key);
        post({ t: "contributions", uri, contributions });
      }
    }
    touched.clear();
    edited.clear();
  };

  /** the running requests' cancellations, by id (a "cancel" message sets one) */
  const cancellations = new Map<number, { cancel(): void }>();
  /**
   * Requests cancelled before they were taken: a "cancel" is read at once while its request may
   * still wait in the queue (it is posted right behind it), and must not be lost.
   */
  const cancelledEarly = new Set<number>();
  const cancellation = (id: number): Cancellation => {
    // ids rise: an early cancel of a lower id was for a request that had already answered
    for (const x of cancelledEarly) if (x < id) cancelledEarly.delete(x);
    let cancelled = cancelledEarly.delete(id);
    const listeners = new Set<() => void>();
    cancellations.set(id, {
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
  };
  // long: the worker's state and its message loop share closures; not yet split by message kind (#19, w19)
  const take = (m: ToBackground) => {
    switch (m.t) {
      case "update": {
        if (m.hosted) hosted.add(m.uri);
        else {
          hosted.delete(m.uri);
          sent.delete(m.uri);
        }
        versions.set(m.uri, m.version);
        const p = pending.get(m.uri);
        const current = p?.text ?? service.text(m.uri);
        const text =
          m.text ??
          (m.change && current !== undefined ? current.slice(0, m.change.start) + m.change.text + current.slice(m.change.end) : undefined);
        if (text === undefined) return log(`an edit of ${m.uri}, which this thread does not hold, was ignored`);
        if (p) {
          p.text = text;
          p.open = m.open;
          p.edits++;
        } else pending.set(m.uri, { base: service.text(m.uri), text, open: m.open, change: m.change, edits: 1 });
        return;
      }
      case "roots":
        roots = m.roots;
        return;
      case "settings":
        flush();
        for (const u of service.setSettings(m.settings)) touched.add(u);
        return;
      case "close": {
        flush();
        versions.delete(m.uri);
        const large = hosted.has(m.uri);
        for (const u of service.close(m.uri, m.diskText)) touched.add(u);
        // a large file let go: its analysis is collected before anything else is analysed
        if (large && service.text(m.uri) === undefined) heap.released();
        return;
      }
      case "remove": {
        flush();
        const large = hosted.delete(m.uri);
        sent.delete(m.uri);
        for (const u of service.remove(m.uri)) touched.add(u);
        if (large && service.text(m.uri) === undefined) heap.released();
        return;
      }
      case "deploymentChanged":
        flush();
        for (const u of service.deploymentChanged(m.uri, m.createdOrDeleted)) touched.add(u);
        return;
      case "request": {
        flush();
        report();
        const token = cancellation(m.id);
        const failed = (e: unknown) => {
          cancellations.delete(m.id);
          const code =
            e instanceof CancelledError
              ? LSPErrorCodes.RequestCancelled
              : e instanceof RenameError || e instanceof ParamsError
                ? ErrorCodes.InvalidParams
                : ErrorCodes.InternalError;
          if (code === ErrorCodes.InternalError) log(`${m.method} failed: ${(e as Error)?.stack ?? e}`);
          post({ t: "response", id: m.id, error: { message: (e as Error)?.message ?? String(e), code } });
        };
        try {
          const result = answer(service, m.method, m.params, token);
          const done = (r: unknown) => {
            cancellations.delete(m.id);
            post({ t: "response", id: m.id, json: JSON.stringify(r ?? null) });
          };
          // a request that waits on the host (git) or yields between scenarios (simulate) answers
          // when it is done; the thread serves others meanwhile, and collects after it as after
          // any work (a Simulate click on a large file leaves a diagram's worth of garbage)
          if (result instanceof Promise) result.then(done, failed).finally(() => heap.afterWork());
          else done(result);
        } catch (e) {
          failed(e);
        }
        return;
      }
    }
  };

  const drain = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const m of batch) {
      try {
        take(m);
      } catch (e) {
        log(`background ${m.t} failed: ${(e as Error)?.stack ?? e}`);
      }
    }
    try {
      flush();
      report();
      // a collection, if due, once the thread is quiet (see heapKeeper)
      heap.afterWork();
    } catch (e) {
      pending.clear();
      touched.clear();
      log(`background analysis failed: ${(e as Error)?.stack ?? e}`);
    }
    resumeLater();
  };

  /**
   * The warm-up, a step per turn of the event loop until it is done or real work arrives: a
   * document the user opened, a large file, or a request (see warmUpSteps). Settings and the
   * workspace's other files are taken between steps without stopping it.
   */
  let warming = options.warmUp !== false ? warmUpSteps() : undefined;
  /**
   * The warm-up's edit and hover steps, when a document stopped it before them: run a step per
   * turn once the thread is idle (after that document's analysis), paused whenever work arrives.
   * The document's own analysis warmed the parser and the rules, not the incremental path every
   * keystroke takes.
   */
  let later: Generator<void, void, undefined> | undefined;
  let laterScheduled = false;
  const resumeLater = () => {
    if (!later || laterScheduled) return;
    laterScheduled = true;
    setImmediate(laterStep);
  };
  const laterStep = () => {
    laterScheduled = false;
    // work arrived: the drain it scheduled runs first, and resumes these after it
    if (!later || scheduled) return;
    try {
      if (!later.next().done) return resumeLater();
      later = undefined;
      log("warm-up: its edit steps ran once the thread was idle");
    } catch (e) {
      later = undefined;
      log(`warm-up failed: ${(e as Error)?.stack ?? e}`);
    }
  };
  let steps = 0;
  const ready = () => post({ t: "ready" });
  const warmStep = () => {
    if (!warming) return;
    if (!warming.next().done) {
      steps++;
      setImmediate(warmStep);
      return;
    }
    warming = undefined;
    heap.idle();
    // after that collection, one more parse whose garbage stays (see primeParser)
    primeParser();
    heap.rebase();
    ready();
  };
  const urgent = (m: ToBackground) => m.t === "request" || (m.t === "update" && (m.open || m.hosted));

  port.on("message", (m) => {
    // a cancellation is taken at once, not queued behind the work it cancels
    if (m.t === "cancel") {
      const running = cancellations.get(m.id);
      if (running) running.cancel();
      else cancelledEarly.add(m.id);
      return;
    }
    if (warming && urgent(m)) {
      warming = undefined;
      later = warmUpEditSteps();
      log(`warm-up stopped after ${steps} steps: real work arrived (its edit steps run once the thread is idle)`);
      ready();
    }
    queue.push(m);
    // messages that arrived while the thread was busy are all queued before this runs
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
  if (warming) setImmediate(warmStep);
  else ready();
}
