import { pathToFileURL } from "node:url";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { RunResult } from "../analysis";
import type { Finding } from "../model/finding";
import { oneLine } from "../util/terminal";
import { RULES, type Severity } from "../rules/catalog";

/** One finding as the CLI prints it: 1-based lines and columns; endColumn points past the last character. */
export interface Row {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  /** the other places a finding names in another file (a drift finding's design field) */
  readonly related?: { readonly file: string; readonly line: number; readonly column: number; readonly message: string }[];
}

export function rows(results: readonly RunResult[]): Row[] {
  const byPath = new Map(results.map((r) => [r.parsed.path, r.parsed.lines]));
  return results.flatMap((r) =>
    r.findings.map((f: Finding) => {
      const s = r.parsed.lines.positionAt(f.span.start);
      const e = r.parsed.lines.positionAt(f.span.end);
      const related = (f.related ?? [])
        .filter((x) => x.path !== undefined && x.path !== r.parsed.path && byPath.has(x.path))
        .map((x) => {
          const p = byPath.get(x.path!)!.positionAt(x.span.start);
          return { file: x.path!, line: p.line + 1, column: p.character + 1, message: x.message };
        });
      return {
        ...(related.length ? { related } : {}),
        file: r.parsed.path,
        line: s.line + 1,
        column: s.character + 1,
        endLine: e.line + 1,
        endColumn: e.character + 1,
        severity: f.severity,
        code: f.code,
        message: f.message,
      };
    }),
  );
}

export function json(all: readonly Row[]): string {
  return `${JSON.stringify(all, null, 2)}\n`;
}

const COLORS: Record<Severity, string> = { error: "\x1b[31m", warning: "\x1b[33m", information: "\x1b[36m", hint: "\x1b[90m" };

export function text(all: readonly Row[], fileCount: number, color: boolean): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}\x1b[0m` : s);
  // a line that starts with `::` is a command to a GitHub Actions runner (an annotation, a mask,
  // stop-commands): a file named `::error::x.topology.yaml` is shown as `./::error::x…`, the same file
  const at = (file: string) => (file.startsWith("::") ? `./${file}` : file);
  // a finding about two files (drift) shows its second place on the line below
  const lines = all.flatMap((r) => [
    `${paint("\x1b[1m", `${at(r.file)}:${r.line}:${r.column}`)}: ${paint(COLORS[r.severity], r.severity)} ${paint("\x1b[2m", r.code)}: ${r.message}`,
    ...(r.related ?? []).map((x) => `    ${paint("\x1b[2m", "↳")} ${paint("\x1b[1m", `${x.file}:${x.line}:${x.column}`)}: ${x.message}`),
  ]);
  const count = (s: Severity) => all.filter((r) => r.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  const summary = `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}, ${count("information") + count("hint")} info in ${plural(fileCount, "file")}`;
  return `${[...lines.map(oneLine), lines.length ? "" : undefined, summary].filter((l) => l !== undefined).join("\n")}\n`;
}

const SARIF_LEVEL: Record<Severity, string> = { error: "error", warning: "warning", information: "note", hint: "note" };

export function sarif(all: readonly Row[], version: string, cwd = process.cwd()): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.code, i]));
  const uriOf = (file: string) => {
    const abs = resolve(cwd, file);
    const rel = relative(cwd, abs);
    if (!rel.startsWith("..") && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
    return { uri: pathToFileURL(abs).href };
  };
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "quorate",
            version,
            semanticVersion: version,
            informationUri: "https://github.com/quorate/quorate",
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.code.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.help },
              help: { text: `${r.title}. ${r.help}`, markdown: `**${r.title}.** ${r.help}` },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: { tags: [r.family, "multi-site"] },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(cwd + sep).href } },
        columnKind: "utf16CodeUnits",
        results: all.map((r) => ({
          ruleId: r.code,
          ruleIndex: ruleIndex.get(r.code) ?? 0,
          level: SARIF_LEVEL[r.severity],
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: uriOf(r.file),
                region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
              },
            },
          ],
          ...(r.related
            ? {
                relatedLocations: r.related.map((x, id) => ({
                  id,
                  message: { text: x.message },
                  physicalLocation: { artifactLocation: uriOf(x.file), region: { startLine: x.line, startColumn: x.column } },
                })),
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

const xml = (s: string) =>
  s
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** JUnit XML: a suite per file, a failing case per error or warning, a passing case for a clean file. */
export function junit(all: readonly Row[], files: readonly string[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failing = all.filter((r) => r.severity === "error" || r.severity === "warning");
  out.push(`<testsuites name="quorate" tests="${files.length + all.length}" failures="${failing.length}" errors="0">`);
  for (const file of files) {
    const mine = all.filter((r) => r.file === file);
    const fails = mine.filter((r) => r.severity === "error" || r.severity === "warning").length;
    out.push(`  <testsuite name="${xml(file)}" tests="${Math.max(1, mine.length)}" failures="${fails}" errors="0" skipped="0">`);
    if (!mine.length) out.push(`    <testcase name="no findings" classname="${xml(file)}" file="${xml(file)}"/>`);
    for (const r of mine) {
      const name = `${r.code} at ${r.line}:${r.column}`;
      const head = `    <testcase name="${xml(name)}" classname="${xml(file)}" file="${xml(file)}" line="${r.line}">`;
      if (r.severity === "error" || r.severity === "warning") {
        out.push(
          head,
          `      <failure type="${xml(r.code)}" message="${xml(`${r.severity}: ${r.message}`)}">${xml(`${r.file}:${r.line}:${r.column}: ${r.severity} ${r.code}: ${r.message}`)}</failure>`,
          "    </testcase>",
        );
      } else {
        out.push(head, `      <system-out>${xml(`${r.severity} ${r.code}: ${r.message}`)}</system-out>`, "    </testcase>");
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
