import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { analyzeAlone } from "../analysis";
import { cell } from "../util/markdown";
import { diff, type DiffResult, type DiffSide } from "../whatif/diff";
import { readOneFile, UsageError } from "./files";

/**
 * `REV:path` (read with `git show`) or a plain path. A name that exists as a file is always a
 * path, so a file called `a:b.yaml` is never taken for a revision.
 */
export function readVersion(spec: string, cwd: string): { label: string; text: string } {
  const colon = spec.indexOf(":");
  if (colon <= 0 || existsSync(resolve(cwd, spec)) || /^[A-Za-z]:[\\/]/.test(spec)) return { label: spec, text: readOneFile(spec, cwd) };
  const rev = spec.slice(0, colon);
  const rel = spec.slice(colon + 1);
  if (!rel) throw new UsageError(`'${spec}' names a revision but no path (write REV:path, e.g. HEAD:${"design.topology.yaml"})`);
  // `./` makes git resolve the path from the working directory, as every other path here is
  const path = rel.startsWith("/") || rel.startsWith("./") || rel.startsWith("../") ? rel : `./${rel}`;
  const r = spawnSync("git", ["show", `${rev}:${path}`], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error)
    throw new UsageError(`cannot read ${spec}: git is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`);
  if (r.status !== 0) {
    const err = (r.stderr || "")
      .trim()
      .split("\n")[0]
      .replace(/^fatal: /, "");
    if (/not a git repository/i.test(err))
      throw new UsageError(`cannot read ${spec}: ${cwd} is not inside a git repository (REV:path reads from git)`);
    throw new UsageError(`cannot read ${spec}: ${err || `git show exited with ${r.status}`}`);
  }
  return { label: spec, text: r.stdout };
}

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

const changed = (d: DiffResult) => d.scenarios.filter((s) => s.before !== s.after);
const arrow = (s: DiffResult["scenarios"][number]) => `${s.before ?? "no topology"} → ${s.after ?? "no topology"}`;
const RANK = { ok: 0, degraded: 1, down: 2 } as const;
const worse = (s: DiffResult["scenarios"][number]) => s.before !== null && s.after !== null && RANK[s.after] > RANK[s.before];

export function diffText(d: DiffResult, color: boolean): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}\x1b[0m` : s);
  const lines = [`quorate diff ${d.before} → ${d.after}`, ""];
  const ch = changed(d);
  lines.push(ch.length ? "Scenarios whose verdict changed:" : `No scenario's verdict changed (${d.scenarios.length} compared).`);
  for (const s of ch) {
    lines.push(`  ${worse(s) ? paint("\x1b[31m", "worse ") : paint("\x1b[32m", "better")}  ${s.scenario}: ${arrow(s)}`);
    if (s.why) lines.push(`          ${s.why}`);
  }
  if (d.note) lines.push(`  (${d.note})`);
  lines.push("", d.findings.added.length ? "New findings:" : "No new findings.");
  for (const f of d.findings.added) lines.push(`  + ${f.severity} ${f.code} (${f.entity}, line ${f.line}): ${f.message}`);
  lines.push(d.findings.removed.length ? "Resolved findings:" : "No finding resolved.");
  for (const f of d.findings.removed) lines.push(`  - ${f.severity} ${f.code} (${f.entity}): ${f.message}`);
  lines.push("", d.regressions ? paint("\x1b[31m", `${d.regressions} regression${d.regressions === 1 ? "" : "s"}`) : "no regressions");
  return `${lines.join("\n")}\n`;
}

export function diffMarkdown(d: DiffResult): string {
  const out = [`### Quorate: \`${d.before.replace(/`/g, "'")}\` → \`${d.after.replace(/`/g, "'")}\``, ""];
  out.push(d.regressions ? `**${d.regressions} regression${d.regressions === 1 ? "" : "s"}.**` : "No regressions.", "");
  const ch = changed(d);
  if (ch.length) {
    out.push("| | scenario | before | after | why |", "|---|---|---|---|---|");
    for (const s of ch)
      out.push(
        `| ${worse(s) ? "🔴 worse" : "🟢 better"} | ${cell(s.scenario)} | ${s.before ?? "—"} | ${s.after ?? "—"} | ${cell(s.why) || "—"} |`,
      );
  } else
    out.push(`No scenario's verdict changed (${d.scenarios.length} compared: all up, every single-site loss, every two-group partition).`);
  if (d.note) out.push("", `_${cell(d.note)}_`);
  out.push("");
  if (d.findings.added.length || d.findings.removed.length) {
    out.push("| | severity | code | where | finding |", "|---|---|---|---|---|");
    for (const f of d.findings.added)
      out.push(`| added | ${f.severity} | \`${f.code}\` | ${cell(f.entity)}, line ${f.line} | ${cell(f.message)} |`);
    for (const f of d.findings.removed) out.push(`| resolved | ${f.severity} | \`${f.code}\` | ${cell(f.entity)} | ${cell(f.message)} |`);
  } else out.push("No finding added or resolved.");
  return `${out.join("\n")}\n`;
}

export function diffJson(d: DiffResult): string {
  return `${JSON.stringify({ before: d.before, after: d.after, scenarios: d.scenarios, findings: d.findings, regressions: d.regressions, ...(d.note ? { note: d.note } : {}) }, null, 2)}\n`;
}
