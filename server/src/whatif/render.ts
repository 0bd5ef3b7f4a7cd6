// What-if results as people read them: the scenario table (simulate --format md, the decision
// record's failure matrix), and the diff as a terminal table, a pull-request comment and JSON. Pure.
import { cell, table } from "../util/format";
import { type DiffResult, gotWorse } from "./diff";
import type { Result } from "./engine";

/** One row per scenario: the verdict (bold unless ok), its name, and every sentence of what breaks. */
export function scenarioTable(results: readonly Result[]): string {
  return table(
    ["verdict", "scenario", "what breaks"],
    results.map((r) => [r.verdict === "ok" ? "ok" : { raw: `**${r.verdict}**` }, r.name, { raw: r.breaks.map(cell).join("<br>") || "—" }]),
  );
}

const changed = (d: DiffResult) => d.scenarios.filter((s) => s.before !== s.after);
const arrow = (s: DiffResult["scenarios"][number]) => `${s.before ?? "no topology"} → ${s.after ?? "no topology"}`;
const worse = gotWorse;

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
