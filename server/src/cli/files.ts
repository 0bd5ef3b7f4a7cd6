import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isTopologyFileName } from "../model/parse";

const SKIP_DIRS = new Set(["node_modules", ".git", "out", "dist"]);
/** A cheap look before parsing: could this YAML file hold a kind Quorate reads? */
const INTERESTING = /^\s*kind:\s*["']?(Topology|ServiceExport|Role|ClusterRole|RoleBinding|ClusterRoleBinding)\b/m;

export class UsageError extends Error {}

export interface InputFile {
  readonly path: string;
  readonly text: string;
}

/** `dir` is as the user wrote it (for display); `cwd` resolves it. */
function walk(cwd: string, dir: string, found: string[]): void {
  let names: string[];
  try {
    names = readdirSync(resolve(cwd, dir)).sort();
  } catch (e) {
    throw new UsageError(`cannot read folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const name of names) {
    if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(resolve(cwd, p));
    } catch {
      continue; // a dangling link inside a folder is not the user's argument
    }
    if (st.isDirectory()) walk(cwd, p, found);
    else if (/\.ya?ml$/i.test(name)) found.push(p);
  }
}

/**
 * Reads the files a run covers: explicit files always; inside folders, topology files by name
 * and YAML files that mention a Kubernetes kind Quorate reads.
 */
export function collectFiles(paths: readonly string[], cwd: string = process.cwd()): InputFile[] {
  const out: InputFile[] = [];
  const seen = new Set<string>();
  const read = (p: string): string => {
    try {
      return readFileSync(resolve(cwd, p), "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(resolve(cwd, p));
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or folder" : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(cwd, p, found);
      for (const f of found) {
        if (seen.has(f)) continue;
        const text = read(f);
        if (isTopologyFileName(f) || INTERESTING.test(text)) {
          seen.add(f);
          out.push({ path: f, text });
        }
      }
    } else if (!seen.has(p)) {
      seen.add(p);
      out.push({ path: p, text: read(p) });
    }
  }
  return out;
}
