import { analyzeAlone } from "../analysis";
import { diff, type DiffResult, type DiffSide } from "../whatif/diff";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { GitError, showSync } from "../git";
import type { Bound } from "../deployments";
import { readOneFile, UsageError } from "./files";

/**
 * `REV:path` (read with `git show`) or a plain path. A name that exists as a file is always a
 * path, so a file called `a:b.yaml` is never taken for a revision. A path is read inside `bound`;
 * git reads REV:path inside its own repository (it refuses a path outside it).
 */
export function readVersion(
  spec: string,
  cwd: string,
  stdin?: (maxBytes: number) => string,
  bound?: Bound,
): { label: string; text: string } {
  const colon = spec.indexOf(":");
  if (colon <= 0 || existsSync(resolve(cwd, spec)) || /^[A-Za-z]:[\\/]/.test(spec))
    return { label: spec, text: readOneFile(spec, cwd, undefined, stdin, bound) };
  try {
    return { label: spec, text: showSync(spec.slice(0, colon), spec.slice(colon + 1), cwd) };
  } catch (e) {
    throw e instanceof GitError ? new UsageError(e.message) : e;
  }
}

function side(label: string, text: string): DiffSide {
  const { analysis, findings } = analyzeAlone(label, text);
  if (!analysis.contexts.length && !analysis.parsed.docs.some((d) => d.broken))
    throw new UsageError(`${label} holds no topology (apiVersion: quorate.dev/v1alpha1, kind: Topology)`);
  return { label, analysis, findings };
}

/** `-` for one side is standard input (`stdin` reads it), as every other command takes it. */
export function diffVersions(
  oldSpec: string,
  newSpec: string,
  cwd: string,
  stdin?: (maxBytes: number) => string,
  bound?: Bound,
): DiffResult {
  if (oldSpec === "-" && newSpec === "-")
    throw new UsageError("diff reads standard input for one version only: give the other as a path or REV:path");
  const a = readVersion(oldSpec, cwd, stdin, bound);
  const b = readVersion(newSpec, cwd, stdin, bound);
  return diff(side(a.label, a.text), side(b.label, b.text));
}
