// Hover as LSP: the analysis's hover, or in a deployment file (and on a cluster's `deployment`
// key) the drift comparison as a Markdown table.
import { type Hover, MarkupKind, type Position } from "vscode-languageserver";
import type { FileAnalysis } from "../analysis";
import { hoverAt } from "../hover/hover";
import { cell as mdCell } from "../util/format";
import { toRange } from "./convert";
import type { Workspace } from "./files";
import { URI } from "./uri";

export function hoverOf(w: Workspace, uri: string, pos: Position): Hover | null {
  const a = w.file(uri)?.analysis;
  if (!a) return null;
  const drifted = driftHover(w, uri, a, a.parsed.lines.offsetAt(pos));
  if (drifted) return drifted;
  const h = hoverAt(a, a.parsed.lines.offsetAt(pos));
  return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(a.parsed.lines, h.span) } : null;
}

/** In a deployment file: the design's value and where; on a cluster's `deployment` key: every compared field. */
function driftHover(w: Workspace, uri: string, a: FileAnalysis, offset: number): Hover | null {
  const drift = w.driftIndex;
  if (!drift) return null;
  const hit = drift.comparisonAt(uri, offset);
  if (hit) {
    const tl = w.file(hit.topology)?.analysis?.parsed.lines;
    const at = tl ? `${URI.pathOf(hit.topology).split("/").pop()}:${tl.positionAt(hit.c.designSpan.start).line + 1}` : "the topology";
    const c = hit.c;
    return {
      contents: {
        kind: MarkupKind.Markdown,
        value: [
          `**${c.agree ? "Agrees with" : "Drifts from"} the design** (\`${c.code}\`)`,
          "",
          `| | ${c.cluster} ${mdCell(c.field)} |`,
          "|---|---|",
          `| design (${mdCell(at)}) | ${mdCell(c.design)} |`,
          `| deployed \`${mdCell(c.key)}\` | ${mdCell(c.deployed)} |`,
        ].join("\n"),
      },
      range: toRange(a.parsed.lines, c.span),
    };
  }
  const cluster = a.contexts
    .flatMap((x) => x.topology.clusters)
    .find((c) => c.deployment && c.deployment.keySpan.start <= offset && offset <= c.deployment.keySpan.end);
  if (!cluster?.name || !cluster.deployment) return null;
  const rows = drift.comparisonsOf(uri, cluster.name.value);
  const value = rows.length
    ? [
        `**${cluster.name.value} as deployed**: ${rows.filter((r) => !r.agree).length} of ${rows.length} compared fields drift`,
        "",
        "| field | design | deployed | where | |",
        "|---|---|---|---|---|",
        ...rows.map((r) => {
          const fl = w.file(URI.fromPath(r.file))?.analysis?.parsed.lines;
          const line = fl ? `:${fl.positionAt(r.span.start).line + 1}` : "";
          return `| ${mdCell(r.field)} | ${mdCell(r.design)} | ${mdCell(r.deployed)} | ${mdCell(`${r.file.split("/").pop()}${line}`)} | ${r.agree ? "agrees" : "**drifts**"} |`;
        }),
      ].join("\n")
    : `**${cluster.name.value} as deployed**: no bound file holds a field Quorate compares.`;
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(a.parsed.lines, cluster.deployment.keySpan) };
}
