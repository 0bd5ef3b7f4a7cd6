// A long computation written step-wise: a generator that yields between units of work (an engine
// run, a cluster's manifests, a section). The CLI runs it to its end at once (finish); the
// language service runs it a few steps at a time, taking cancellations and other requests in
// between (service/host.ts stepThrough). The computation itself stays pure and synchronous.

/** A computation that yields (nothing) between its units of work and returns its result. */
export type Steps<T> = Generator<void, T, undefined>;

/** Runs `steps` to its end at once. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const n = steps.next();
    if (n.done) return n.value;
  }
}

/** The most items of one long list (a traffic entry's backends, a design's clusters) a step takes. */
export const ITEMS_PER_STEP = 256;

/**
 * A loop's turn counter: true once every `per` calls. A step-wise loop over a long list yields
 * when it says so (`if (due()) yield;`), so no step grows with the list.
 */
export function every(per = ITEMS_PER_STEP): () => boolean {
  let k = 0;
  return () => ++k % per === 0;
}
