// What the language service may ask of the machine it runs on is injected by the platform
// (platform/node.ts on Node; nothing on the web): the service itself never touches the disk or
// starts a process, and what takes time takes the request's cancellation.
import type { Steps } from "../util/steps";

/** A request's cancellation, as the LSP connection hands it over (structurally its CancellationToken). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** A request its client cancelled: the transport answers it with LSP's RequestCancelled (-32800). */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
  }
}

/** Throws CancelledError once `token` is cancelled; called between units of a long computation. */
export function checkCancelled(token: Cancellation | undefined, what: string): void {
  if (token?.isCancellationRequested) throw new CancelledError(what);
}

/**
 * Lets the event loop run (so a cancellation, or another request, arriving meanwhile is read),
 * then checks `token`. A long sweep calls it every few units of work.
 */
export async function yieldTurn(token: Cancellation | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  checkCancelled(token, what);
}

/**
 * The shortest turn of the event loop the platform has: Node's setImmediate (what arrived
 * meanwhile is read, and the thread never sleeps), else a timer. A timer's turn costs about a
 * millisecond of idling — and on a busy machine the thread's place on a core — which adds up
 * over the hundreds of turns of a sliced click.
 */
const shortTurn: (f: () => void) => void = typeof setImmediate === "function" ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

/** How many steps stepThrough runs between two turns of the event loop, unless told otherwise. */
export const STEPS_PER_TURN = 8;

/**
 * How long an editor's click (a Simulate) computes before it lets the event loop turn: a
 * keystroke sent behind it waits about twice this long (the slice running when it arrives and
 * the one already queued), not for the click's whole work. A turn costs microseconds (shortTurn).
 */
export const SLICE_MS = 5;

/** A slice of time: `{ ms }` and, for tests, the clock that measures it. */
export interface Slice {
  readonly ms: number;
  readonly now?: () => number;
}

/**
 * Runs a step-wise computation (util/steps.ts) for a request: `token` is checked before every
 * step, so a cancelled request stops at the next unit of work (CancelledError), and every
 * `perTurn` steps the event loop runs, so the cancellation (and other work) is read. Small
 * steps (an engine run of the record's sweep) take several per turn; large ones (a game day's
 * whole prediction, a cluster's manifests) one. Steps of very different sizes (a quorum's
 * judgement, a whole traffic entry) take a Slice instead: the event loop runs once that much
 * time has passed since its last turn.
 */
export async function stepThrough<T>(
  steps: Steps<T>,
  token: Cancellation | undefined,
  what: string,
  perTurn: number | Slice = STEPS_PER_TURN,
): Promise<T> {
  const now = typeof perTurn === "number" ? undefined : (perTurn.now ?? (() => performance.now()));
  let since = now?.() ?? 0;
  for (let k = 1; ; k++) {
    checkCancelled(token, what);
    const n = steps.next();
    if (n.done) return n.value;
    if (typeof perTurn === "number") {
      if (k % perTurn === 0) await yieldTurn(token, what);
    } else if (now!() - since >= perTurn.ms) {
      await new Promise<void>((resolve) => shortTurn(resolve));
      checkCancelled(token, what);
      since = now!();
    }
  }
}
