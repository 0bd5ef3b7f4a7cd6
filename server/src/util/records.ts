/**
 * Plain objects keyed by names from a design (sites, clusters, links) must never answer from
 * `Object.prototype`: a site called `constructor` or `__proto__` is an ordinary name. Prefer a
 * `Map`; where a record is part of a contract (JSON), read it with `own` and write it with `setOwn`.
 */

/** `o[k]` when `k` is `o`'s own key, else undefined (never an inherited `constructor` or `toString`). */
export const own = <T>(o: Readonly<Record<string, T>>, k: string): T | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Sets `o[k]` as an own property, even for `__proto__` (an assignment would replace the prototype). */
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}
