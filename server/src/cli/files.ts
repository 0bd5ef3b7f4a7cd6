import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { findFiles, type FoundFile } from "../discovery";

export class UsageError extends Error {}

export type InputFile = FoundFile;

const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file or folder" : (code ?? (e as Error).message);
};

/**
 * Reads the files a run covers: explicit files always; inside folders, topology files by name
 * and YAML files that mention a Kubernetes kind Quorate reads.
 */
export function collectFiles(paths: readonly string[], cwd: string = process.cwd()): InputFile[] {
  const out: InputFile[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let st;
    try {
      st = statSync(resolve(cwd, p));
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${reason(e)}`);
    }
    const found = st.isDirectory()
      ? findFiles(p, cwd, (path, e) => {
          throw new UsageError(`cannot read ${path}: ${reason(e)}`);
        })
      : [{ path: p, text: readOrThrow(resolve(cwd, p), p) }];
    for (const f of found) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push(f);
    }
  }
  return out;
}

function readOrThrow(abs: string, shown: string): string {
  try {
    return readFileSync(abs, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${shown}: ${reason(e)}`);
  }
}
