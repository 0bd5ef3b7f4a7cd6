import { analyzeAlone } from "../analysis";
import { diff, type DiffResult, type DiffSide } from "../whatif/diff";
import { readVersion } from "../git";
import { UsageError } from "./files";

function side(label: string, text: string): DiffSide {
  const { analysis, findings } = analyzeAlone(label, text);
  if (!analysis.contexts.length && !analysis.parsed.docs.some((d) => d.broken))
    throw new UsageError(`${label} holds no topology (apiVersion: quorate.dev/v1alpha1, kind: Topology)`);
  return { label, analysis, findings };
}

export function diffVersions(oldSpec: string, newSpec: string, cwd: string): DiffResult {
  const a = readVersion(oldSpec, cwd);
  const b = readVersion(newSpec, cwd);
  return diff(side(a.label, a.text), side(b.label, b.text));
}
