// The walkthrough's pictures of Simulate and the decision record, drawn from the real outputs
// of the packaged example (dist/cli.js simulate and report), so their words and numbers are the
// tool's own. `node scripts/walkthrough-media.mjs` writes them; `--check` fails when a file
// differs from what the outputs give now (test/package/walkthrough-media.test.ts runs it).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE = "examples/payments-eu.topology.yaml";
const SITE = "fra";

function cli(...args) {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`quorate ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

const xml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Words wrapped to lines of at most `width` characters. */
function wrap(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const FRAME = (title, body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300" viewBox="0 0 480 300" font-family="var(--vscode-editor-font-family, monospace)" font-size="13">
  <title>${xml(title)}</title>
  <rect width="480" height="300" rx="8" fill="var(--vscode-editor-background, #1f1f1f)" stroke="var(--vscode-panel-border, #2b2b2b)"/>
${body}
</svg>
`;
const COLOR = {
  fg: "var(--vscode-foreground, #cccccc)",
  dim: "var(--vscode-descriptionForeground, #9d9d9d)",
  error: "var(--vscode-editorError-foreground, #f14c4c)",
  warning: "var(--vscode-editorWarning-foreground, #cca700)",
  ok: "var(--vscode-charts-green, #89d185)",
};
const text = (x, y, s, attrs = "") => `    <text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ""}>${xml(s)}</text>`;

/** Simulate: the two sites, the verdict and the breaks the engine gives for losing fra. */
function simulateSvg() {
  const { verdict, quorums = [], breaks = [] } = JSON.parse(cli("simulate", "--lose", SITE, "--format", "json", EXAMPLE));
  if (!verdict || !breaks.length) throw new Error(`simulate --lose ${SITE}: no verdict or breaks`);
  const ledger = quorums.find((q) => q.name === "store ledger");
  const members = (site) => ledger?.members[site];
  const pick = [breaks.find((b) => /^store ledger:/.test(b)), breaks.find((b) => /carries .* capacity/.test(b))].filter(Boolean);
  if (pick.length < 2) throw new Error(`simulate --lose ${SITE}: the ledger and capacity breaks are missing: ${breaks.join(" | ")}`);
  const rows = [];
  let y = 198;
  for (const b of pick)
    for (const [i, line] of wrap(b, 58).entries()) {
      rows.push(text(i ? 52 : 40, y, i ? line : `✗ ${line}`, `fill="${COLOR.error}"`));
      y += 18;
    }
  const siteBox = (x, name, lost, n) =>
    [
      `    <rect x="${x}" y="24" width="132" height="84" rx="6" fill="none" stroke="${lost ? COLOR.error : COLOR.ok}" stroke-width="2"${lost ? ' stroke-dasharray="6 4"' : ""}/>`,
      text(x + 66, 60, lost ? `${name} — lost` : name, `text-anchor="middle" fill="${lost ? COLOR.error : COLOR.ok}" font-weight="bold"`),
      n === undefined ? "" : text(x + 66, 84, `ledger: ${n} of 3`, `text-anchor="middle" fill="${COLOR.dim}"`),
    ].filter(Boolean);
  const body = [
    `  <g font-family="var(--vscode-font-family, sans-serif)">`,
    ...siteBox(24, "fra", true, members("fra")),
    ...siteBox(324, "lon", false, members("lon")),
    `    <line x1="156" y1="66" x2="324" y2="66" stroke="${COLOR.dim}" stroke-width="2" stroke-dasharray="4 4"/>`,
    text(240, 58, "14 ms", `text-anchor="middle" fill="${COLOR.dim}"`),
    `    <rect x="24" y="128" width="432" height="152" rx="6" fill="var(--vscode-sideBar-background, #181818)" stroke="var(--vscode-panel-border, #2b2b2b)"/>`,
    text(40, 154, `Simulate: lose ${SITE}`, `fill="${COLOR.fg}" font-weight="bold"`),
    text(40, 176, `lose ${SITE}: ${verdict}`, `fill="${verdict === "ok" ? COLOR.ok : COLOR.error}" font-weight="bold"`),
    ...rows,
    text(40, y + 2, `and ${breaks.length - pick.length} more, each with its arithmetic`, `fill="${COLOR.dim}"`),
    `  </g>`,
  ];
  return FRAME(`Simulating the loss of ${SITE}: ${verdict}; ${pick.join("; ")}`, body.join("\n"));
}

/** The decision record: its real title, status and the first checklist items with their state. */
function recordSvg() {
  const md = cli("report", EXAMPLE);
  const title = /^# (.+)$/m.exec(md)?.[1];
  const status = /^## Status\n\n\*\*(.+?)\*\*/m.exec(md)?.[1];
  const checklist = [...md.matchAll(/^\d+\. \[ \] \*\*(.+?)\*\* — (\*\*not met\*\*|not assessed|met)/gm)].map((m) => ({
    item: m[1],
    state: m[2].replace(/\*/g, ""),
  }));
  const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((s) => !/^Appendix/.test(s));
  if (!title || !status || checklist.length < 3) throw new Error("report: no title, status or checklist to draw");
  const lines = [];
  let y = 40;
  for (const line of wrap(title, 44)) {
    lines.push(text(24, y, line, 'font-size="17" font-weight="bold"'));
    y += 22;
  }
  y += 4;
  lines.push(text(24, y, status, `fill="${COLOR.error}"`));
  y += 26;
  for (const line of wrap(sections.join(" · "), 64)) {
    lines.push(text(24, y, line, `fill="${COLOR.dim}"`));
    y += 18;
  }
  y += 10;
  lines.push(text(24, y, "Day-two checklist", 'font-weight="bold"'));
  y += 22;
  for (const c of checklist.slice(0, 4)) {
    const short = c.item.length > 44 ? `${c.item.slice(0, 43).replace(/[\s,]+\S*$/, "")}…` : c.item;
    lines.push(text(24, y, `☐ ${short} — ${c.state}`, c.state === "not met" ? `fill="${COLOR.warning}"` : ""));
    y += 20;
  }
  if (y > 292) throw new Error(`record.svg: the text runs past the picture (${y} px)`);
  const body = [`  <g font-family="var(--vscode-font-family, sans-serif)" fill="${COLOR.fg}">`, ...lines, "  </g>"];
  return FRAME(`The decision record "${title}": ${status}; its sections and day-two checklist.`, body.join("\n"));
}

const FILES = { "media/walkthrough/simulate.svg": simulateSvg, "media/walkthrough/record.svg": recordSvg };
const check = process.argv.includes("--check");
let stale = 0;
for (const [path, make] of Object.entries(FILES)) {
  const now = make();
  const abs = join(ROOT, path);
  if (!check) writeFileSync(abs, now);
  else if (readFileSync(abs, "utf8") !== now) {
    stale++;
    console.error(`${path} differs from what the outputs give now: run node scripts/walkthrough-media.mjs`);
  }
}
process.exit(stale ? 1 : 0);
