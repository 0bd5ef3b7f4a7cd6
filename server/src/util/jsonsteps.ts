// JSON text written step-wise: the same text as JSON.stringify, built a piece at a time with a
// yield (util/steps.ts) whenever JSON_CHARS_PER_STEP characters have been written since the last.
// A Simulate click on a 5 MB design answers with megabytes of JSON (the engine's whole result):
// serialised at once, that is tens of milliseconds in which the background thread reads no
// keystroke.

import type { Steps } from "./steps";

/** About how many characters of JSON one step writes (a step may pass it by one element's text). */
export const JSON_CHARS_PER_STEP = 65_536;

/** Arrays at least this long are written element by element with JSON.stringify (their elements are a list's items); shorter ones are entered. */
const LONG_ARRAY = 64;

/** A value entered rather than written whole: a plain array or object without its own toJSON. */
const entered = (v: unknown): v is object =>
  typeof v === "object" && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== "function";

/**
 * `JSON.stringify(value)` as steps: the same text for any value JSON.stringify writes (`undefined`
 * alone is written as `null`, as a response's result is). One difference: an object's own
 * `toJSON` is called with "" as its key where JSON.stringify passes the property's name (Date's
 * ignores it). With `emit`, each step's piece of the text goes to it as the step ends, and the
 * result is the last piece only: the pieces are never joined here (a 6 MB join is one long step).
 */
export function* jsonSteps(value: unknown, perStep = JSON_CHARS_PER_STEP, emit?: (piece: string) => void): Steps<string> {
  // each step's pieces, joined into one piece when it ends (a single join of a 5 MB answer's hundreds of thousands of pieces would be one long step)
  const chunks: string[] = [];
  let parts: string[] = [];
  let written = 0;
  const put = (s: string) => {
    parts.push(s);
    written += s.length;
  };
  // yields once enough has been written since the last step
  function* turn(): Steps<void> {
    if (written < perStep) return;
    const piece = parts.join("");
    if (emit) emit(piece);
    else chunks.push(piece);
    parts = [];
    written = 0;
    yield;
  }
  function* write(v: unknown): Steps<void> {
    if (!entered(v)) {
      put(JSON.stringify(v) ?? "null");
      return yield* turn();
    }
    if (Array.isArray(v)) {
      put("[");
      for (let i = 0; i < v.length; i++) {
        if (i) put(",");
        const x = v[i];
        if (v.length >= LONG_ARRAY || !entered(x)) {
          // what JSON.stringify leaves out of an object (undefined, a function) is null in an array
          put(JSON.stringify(x) ?? "null");
          yield* turn();
        } else yield* write(x);
      }
      put("]");
      return;
    }
    put("{");
    let first = true;
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      const key = `${first ? "" : ","}${JSON.stringify(k)}:`;
      if (entered(x)) {
        put(key);
        yield* write(x);
      } else {
        // a member JSON.stringify writes nothing for (undefined, a function) is left out
        const text = JSON.stringify(x);
        if (text === undefined) continue;
        put(key + text);
        yield* turn();
      }
      first = false;
    }
    put("}");
  }
  yield* write(value);
  chunks.push(parts.join(""));
  return chunks.join("");
}
