// The shape checks of custom request params: a request whose params are missing or of the
// wrong type is answered with an invalid-params error (-32602) that says which field and why,
// before any handler runs. Pure: the transport turns ParamsError into the LSP error.

/** Params that do not have the declared shape; `message` names the field, e.g. `params.revision must be a string (got 42)`. */
export class ParamsError extends Error {}

/** A check of one value at `at` (a path such as `params.scenario.lose`): the value, typed, or a ParamsError. */
export type Check<T> = (value: unknown, at: string) => T;

const shown = (v: unknown): string => {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "object") return "an object";
  return typeof v === "number" || typeof v === "boolean" ? String(v) : typeof v;
};
const fail = (at: string, what: string, v: unknown): never => {
  throw new ParamsError(`${at} ${v === undefined ? "is missing" : `must be ${what} (got ${shown(v)})`}`);
};

export const string: Check<string> = (v, at) => (typeof v === "string" ? v : fail(at, "a string", v));
export const boolean: Check<boolean> = (v, at) => (typeof v === "boolean" ? v : fail(at, "true or false", v));
export const number: Check<number> = (v, at) => (typeof v === "number" && Number.isFinite(v) ? v : fail(at, "a finite number", v));

/** One of the listed strings. */
export const oneOf =
  <T extends string>(...values: readonly T[]): Check<T> =>
  (v, at) =>
    (values as readonly unknown[]).includes(v) ? (v as T) : fail(at, `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`, v);

/** Absent (or null) is fine; present must pass `check`. */
export const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, at) =>
    v === undefined || v === null ? undefined : check(v, at);

export const array =
  <T>(item: Check<T>): Check<T[]> =>
  (v, at) =>
    Array.isArray(v) ? v.map((x, i) => item(x, `${at}[${i}]`)) : fail(at, "an array", v);

/** Any JSON object (its fields are the handler's to judge). */
export const anyObject: Check<Record<string, unknown>> = (v, at) =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(at, "an object", v);

/** An object with these fields checked (other fields pass through untouched). */
export const object =
  <S extends Record<string, Check<unknown>>>(shape: S): Check<{ [K in keyof S]: ReturnType<S[K]> }> =>
  (v, at) => {
    const o = anyObject(v, at);
    const out: Record<string, unknown> = { ...o };
    for (const [k, check] of Object.entries(shape)) out[k] = check(o[k], `${at}.${k}`);
    return out as { [K in keyof S]: ReturnType<S[K]> };
  };
