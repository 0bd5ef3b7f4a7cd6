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

/** Collects when the heap has grown past `factor` × what survived the last collection plus `slackMb`. */
export function heapKeeper(factor = 1.3, slackMb = 8): { idle(): void } {
  const gc = collector();
  let live = getHeapStatistics().used_heap_size;
  return {
    idle() {
      if (!gc) return;
      if (getHeapStatistics().used_heap_size < live * factor + slackMb * 1048576) return;
      gc();
      live = getHeapStatistics().used_heap_size;
    },
  };
}
