import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isTopologyFileName } from "./model/parse";

const SKIP_DIRS = new Set(["node_modules", ".git", "out", "dist"]);
/** A cheap look before parsing: could this YAML file hold a kind Quorate reads? */
const INTERESTING = /^\s*kind:\s*["']?(Topology|ServiceExport|Role|ClusterRole|RoleBinding|ClusterRoleBinding)\b/m;

export const isYamlName = (name: string): boolean => /\.ya?ml$/i.test(name);

/** Whether a YAML file is worth analysing: a topology by name, or one that mentions a kind Quorate reads. */
export function isInteresting(path: string, text: string): boolean {
  return isTopologyFileName(path) || INTERESTING.test(text);
}

export interface FoundFile {
  readonly path: string;
  readonly text: string;
}

/**
 * YAML files under `dir` (as written, resolved against `cwd`) worth analysing. Unreadable
 * entries inside the folder are reported to `onError` and skipped.
 */
export function findFiles(dir: string, cwd: string, onError: (path: string, err: Error) => void, limit = 20_000): FoundFile[] {
  const out: FoundFile[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(resolve(cwd, d)).sort();
    } catch (e) {
      onError(d, e as Error);
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
      const p = join(d, name);
      let st;
      try {
        st = statSync(resolve(cwd, p));
      } catch {
        continue; // a dangling link inside a folder
      }
      if (st.isDirectory()) walk(p);
      else if (isYamlName(name)) {
        try {
          const text = readFileSync(resolve(cwd, p), "utf8");
          if (isInteresting(p, text)) out.push({ path: p, text });
        } catch (e) {
          onError(p, e as Error);
        }
      }
    }
  };
  walk(dir);
  return out;
}
