import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXABLE } from "../fixtures/fixable";

const ROOT = join(__dirname, "..", "..", "..");
export const SHARED = join(ROOT, "..", "shared", "conformance");

/**
 * The texts the fuzzers start from: the fix fixtures, the examples, and (where ../shared is
 * beside the checkout) every single-file conformance case.
 */
export function corpus(): { name: string; text: string }[] {
  const out = Object.entries(FIXABLE).map(([name, text]) => ({ name, text }));
  const dir = join(ROOT, "examples");
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith(".topology.yaml"))
    .sort())
    out.push({ name: f, text: readFileSync(join(dir, f), "utf8") });
  for (const sub of ["cases", "meshes"]) {
    const d = join(SHARED, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)
      .filter((x) => x.endsWith(".topology.yaml"))
      .sort())
      out.push({ name: f, text: readFileSync(join(d, f), "utf8") });
  }
  return out;
}

export const sharedPresent = (): boolean => existsSync(SHARED);
