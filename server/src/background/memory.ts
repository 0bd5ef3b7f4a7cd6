// Keeping the background thread's heap near what it holds. Analysing a large file allocates
// several times the file's final model in short-lived objects (the parser's syntax tree, each
// edit's rule results); V8 grows the heap to fit them and keeps the pages, so the process's
// resident memory climbs edit after edit. A full collection once the thread is idle and the heap
// has grown well past what survived the last one returns it to about the live size.
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The engine's collector as a function (Node exposes it only behind a flag, which this sets). */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps this thread's young generation at the size it starts with (1 MB semi-spaces), as the
 * VS Code client's `--max-semi-space-size=1` does (SERVER_NODE_FLAGS), for a server started by
 * any editor without it. That flag only counts at start (V8 sizes a thread's young generation
 * when the thread starts), but V8 reads its growth factor each time it would grow the young
 * generation: at 1 it never grows (measured: 2 MB with this, 32 MB without, the same churn). The
 * factor is the process's: the background thread sets its own size (host.ts YOUNG_GENERATION_MB).
 * Starting a worker thread sets V8's flags back as they were at the process's start (measured:
 * the main thread's young generation grew to 32 MB after it), so it is set again as the
 * background thread starts (server.ts) and once it is online (host.ts).
 */
export function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
  } catch {
    // an engine without the flag: the young generation grows as V8 sees fit
  }
}

/**
 * How far V8 lets the heap grow past what survived its last full collection, in per cent, once a
 * large file is open (see holdHeapGrowth).
 */
export const HELD_GROWTH_PERCENT = 30;

/**
 * Holds V8's own heap growth to HELD_GROWTH_PERCENT past what survived its last full collection
 * (under the thread's 1 GB limit it lets the heap grow to about 1.6 ×). Set once a large file's
 * open has been analysed, not before: the open itself allocates several times the model it keeps,
 * and collecting that often during it would slow the first diagnostics. After it, V8 collects
 * the keystrokes' garbage itself, marking concurrently on its helper thread with a short pause
 * at the end, where the heap keeper's `gc()` stops the thread for the whole collection (tens of
 * ms at 1 MB, more than a keystroke's analysis): so the keeper collects only once the thread is
 * quiet, and while someone types on this bounds the heap instead. V8 reads the factor at each
 * collection; the flag is the process's (the main thread's heap is small: unaffected in practice).
 */
export function holdHeapGrowth(): void {
  try {
    setFlagsFromString(`--heap-growing-percent=${HELD_GROWTH_PERCENT}`);
  } catch {
    // an engine without the flag: V8 grows the heap as it sees fit, the keeper collects when quiet
  }
}

export interface HeapKeeperOptions {
  /** collect when the heap has grown past `factor` × what survived the last collection plus `slackMb` */
  readonly factor?: number;
  readonly slackMb?: number;
  /** after work, how long the thread must stay quiet before a collection (ms) */
  readonly quietMs?: number;
  /**
   * While work keeps coming, the longest a due collection waits (ms); by default it waits for
   * quiet however long work goes on: a full collection right after a keystroke's work is a
   * pause in front of the next one (holdHeapGrowth bounds the heap meanwhile).
   */
  readonly latestMs?: number;
  /** the engine's collector, the heap's used size and the clock (tests give their own) */
  readonly collect?: () => void;
  readonly used?: () => number;
  readonly now?: () => number;
  /**
   * Whether work waits to be taken (a message posted to the thread while it was busy): a
   * collection due once quiet is put off, the next afterWork collects at once.
   */
  readonly busy?: () => boolean;
}

export interface HeapKeeper {
  /** Collects now if the heap has grown enough. */
  idle(): void;
  /**
   * Called after each piece of work: collects once the thread has been quiet for `quietMs`
   * (a full collection of a large heap takes tens of milliseconds, and a keystroke that arrives
   * while someone types should not wait for it), or right away once collection has been put off
   * for `latestMs` of continuous work.
   */
  afterWork(): void;
  /** Takes the heap as it is now (garbage included) as the size to grow from. */
  rebase(): void;
  /** A large file's open was analysed: V8 keeps the heap near what it holds from now on (holdHeapGrowth). */
  largeOpened(): void;
  /**
   * Collects now, whatever the sizes say: a large file was just let go (closed or deleted), and
   * its tens of MB should be free before the next analysis (a file reopened at once) grows the
   * heap past them.
   */
  released(): void;
}

export function heapKeeper(options: HeapKeeperOptions = {}): HeapKeeper {
  // (quiet: longer than the pause between two keystrokes of someone typing, 100–300 ms)
  const { factor = 1.3, slackMb = 8, quietMs = 500, latestMs = Number.POSITIVE_INFINITY } = options;
  const gc = options.collect ?? collector();
  const used = options.used ?? (() => getHeapStatistics().used_heap_size);
  const now = options.now ?? Date.now;
  let live = used();
  let timer: NodeJS.Timeout | undefined;
  /** when work first found a collection due and put it off */
  let dueSince: number | undefined;
  const due = () => !!gc && used() >= live * factor + slackMb * 1048576;
  const idle = () => {
    clearTimeout(timer);
    timer = undefined;
    // a full collection takes tens of ms: not in front of work that waits (its afterWork comes next)
    if (options.busy?.()) return;
    dueSince = undefined;
    if (!gc || !due()) return;
    gc();
    live = used();
  };
  return {
    idle,
    afterWork() {
      clearTimeout(timer);
      if (!due()) {
        dueSince = undefined;
        return;
      }
      dueSince ??= now();
      if (now() - dueSince >= latestMs) return idle();
      timer = setTimeout(idle, quietMs);
      timer.unref?.();
    },
    rebase() {
      live = used();
    },
    largeOpened: holdHeapGrowth,
    released() {
      clearTimeout(timer);
      timer = undefined;
      dueSince = undefined;
      if (!gc) return;
      gc();
      live = used();
    },
  };
}
