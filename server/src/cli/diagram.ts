import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeFile, finalize } from "../analysis";
import { diagramFor } from "../preview/mermaid";
import type { DiagramResult } from "../protocol";
import { mdText } from "../util/format";
import { UsageError } from "./files";

export const DIAGRAM_FORMATS = ["mermaid", "md", "svg"] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

/** The diagram of one topology file, coloured by its findings, exactly as the preview draws it. */
export function diagramOf(path: string, text: string): DiagramResult {
  const a = analyzeFile(path, text);
  return diagramFor(a, finalize(a.parsed, a.local));
}

export function markdown(d: DiagramResult): string {
  return `# ${d.title === undefined ? "Topology" : mdText(d.title)}\n\n\`\`\`mermaid\n${d.mermaid}\`\`\`\n`;
}

/** Debian's Chromium, or QUORATE_CHROMIUM. */
export function findChromium(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return [env.QUORATE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(
    (p): p is string => !!p && existsSync(p),
  );
}

function findMermaid(): string | undefined {
  const candidates = [join(__dirname, "media", "mermaid.min.js"), join(__dirname, "..", "dist", "media", "mermaid.min.js")];
  try {
    candidates.push(require.resolve("mermaid/dist/mermaid.min.js"));
  } catch {
    /* not installed beside us */
  }
  return candidates.find((p) => existsSync(p));
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/**
 * Renders Mermaid to SVG in headless Chromium (Mermaid needs a browser's layout engine). No
 * browser is downloaded: without Chromium this says so and fails.
 */
export function renderSvg(mermaidText: string, env: Readonly<Record<string, string | undefined>>): string {
  const chromium = findChromium(env);
  if (!chromium)
    throw new UsageError(
      "SVG needs Chromium to lay out the diagram: install it (Debian: apt-get install chromium) or set QUORATE_CHROMIUM; --format mermaid and md need nothing",
    );
  const mermaidJs = findMermaid();
  if (!mermaidJs) throw new UsageError("mermaid.min.js not found beside quorate (reinstall the package)");
  const dir = mkdtempSync(join(tmpdir(), "quorate-svg-"));
  try {
    copyFileSync(mermaidJs, join(dir, "mermaid.min.js"));
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><pre id="out"></pre>
<script src="mermaid.min.js"></script>
<script>
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { useMaxWidth: false } });
mermaid.render("quorate", ${JSON.stringify(mermaidText).replace(/</g, "\\u003c")}).then(
  (r) => { document.getElementById("out").textContent = r.svg; },
  (e) => { document.getElementById("out").textContent = "ERROR: " + e.message; });
</script></body></html>`;
    writeFileSync(join(dir, "page.html"), page);
    const r = spawnSync(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=20000",
        "--dump-dom",
        pathToFileURL(join(dir, "page.html")).href,
      ],
      { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const m = /<pre id="out">([\s\S]*?)<\/pre>/.exec(r.stdout ?? "");
    const out = m ? unescapeHtml(m[1]) : "";
    if (!out.startsWith("<svg"))
      throw new UsageError(`Chromium did not render the diagram: ${(out || r.stderr || "no output").slice(0, 300)}`);
    return `<?xml version="1.0" encoding="UTF-8"?>\n${out}\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
