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

/** How many steps stepThrough runs between two turns of the event loop, unless told otherwise. */
export const STEPS_PER_TURN = 8;

/**
 * Runs a step-wise computation (util/steps.ts) for a request: `token` is checked before every
 * step, so a cancelled request stops at the next unit of work (CancelledError), and every
 * `perTurn` steps the event loop runs, so the cancellation (and other work) is read. Small
 * steps (an engine run of the record's sweep) take several per turn; large ones (a game day's
 * whole prediction, a cluster's manifests) one.
 */
export async function stepThrough<T>(steps: Steps<T>, token: Cancellation | undefined, what: string, perTurn = STEPS_PER_TURN): Promise<T> {
  for (let k = 1; ; k++) {
    checkCancelled(token, what);
    const n = steps.next();
    if (n.done) return n.value;
    if (k % perTurn === 0) await yieldTurn(token, what);
  }
}
