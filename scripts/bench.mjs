// npm run bench: drives the built language server over stdio as an editor would and prints
// time to first diagnostics, per-edit and hover latency, peak RSS, and yaml's own parse time
// on the same text as the floor. Figures only; no assertions (targets are in the README).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { parseAllDocuments } = require("yaml");
const rpc = require("vscode-languageserver-protocol/node");
import { generate } from "./bench-topology.mjs";

const targets = process.argv.slice(2).filter((a) => /^\d/.test(a));
const SIZES = targets.length ? targets.map(Number) : [10e3, 100e3, 1e6, 5e6];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function floorMs(text) {
  const runs = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    parseAllDocuments(text, { version: "1.2", uniqueKeys: true, prettyErrors: false });
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

async function measure(bytes) {
  const { text, clusters } = generate(bytes);
  const proc = spawn(process.execPath, ["dist/server.js", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  let lastCount = -1;
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    lastCount = p.diagnostics.length;
    const w = waiting.get(p.version);
    if (w) {
      waiting.delete(p.version);
      w(performance.now());
    }
  });
  conn.onRequest("workspace/configuration", (p) => p.items.map(() => ({ maxFileSizeKb: 1e6 })));
  conn.onRequest("client/registerCapability", () => null);
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification("initialized", {});
  // a started server: the first request is answered once start-up work (indexing, warm-up) is done
  await conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri: "file:///bench/none.topology.yaml" } });
  const uri = "file:///bench/bench.topology.yaml";
  const published = (version) => new Promise((r) => waiting.set(version, r));

  const t0 = performance.now();
  const first = published(1);
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "quorate-topology", version: 1, text } });
  const firstMs = (await first) - t0;
  if (lastCount !== 0) console.error(`  (note: ${lastCount} findings on the generated topology)`);

  // single-character edits in the middle: toggle a digit inside a description string
  const lines = text.split("\n");
  const mid = lines.findIndex((l, i) => i > lines.length / 2 && l.includes("description:"));
  const col = lines[mid].indexOf("number ") + 7;
  const edits = bytes >= 5e6 ? 10 : bytes >= 1e6 ? 20 : 40;
  const editMs = [];
  let version = 1;
  for (let k = 0; k < edits; k++) {
    version++;
    const ch = String(k % 10);
    const done = published(version);
    const s = performance.now();
    await conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: mid, character: col }, end: { line: mid, character: col + 1 } }, text: ch }],
    });
    editMs.push((await done) - s);
  }

  // hovers on a CIDR, an rttMs and a key in the middle of the file
  const hoverLines = [mid + 3, lines.findIndex((l) => l.includes("rttMs")), mid + 1];
  const hoverMs = [];
  for (let k = 0; k < 60; k++) {
    const line = hoverLines[k % hoverLines.length];
    const character = Math.max(0, lines[line].search(/\S/) + (k % 3 === 1 ? 40 : 12));
    const s = performance.now();
    await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line, character } });
    hoverMs.push(performance.now() - s);
  }
  // what one click in the preview's Simulate control costs: a scenario, its diagram, the single-site strip
  const simulateMs = [];
  for (let k = 0; k < 10; k++) {
    const s = performance.now();
    await conn.sendRequest("quorate/simulate", { uri, scenario: { lose: [`site-${k % 12}`] } });
    simulateMs.push(performance.now() - s);
  }
  const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
  const rssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await conn.sendRequest("shutdown");
  await conn.sendNotification("exit");
  await new Promise((r) => proc.once("exit", r));
  conn.dispose();
  const floor = floorMs(text);
  return { bytes: text.length, clusters, floor, firstMs, editMs, hoverMs, simulateMs, rssMb };
}

console.log("Quorate language server benchmark (stdio, built dist/server.js)");
console.log(`node ${process.version}, ${(await import("node:os")).cpus().length} cores\n`);
const header = [
  "size",
  "clusters",
  "parse floor",
  "first diag",
  "×floor",
  "edit p50",
  "edit p95",
  "×floor(p95)",
  "hover p50",
  "hover p95",
  "simulate p95",
  "peak RSS",
];
const rows = [];
for (const bytes of SIZES) {
  const r = await measure(bytes);
  const row = [
    `${(r.bytes / 1024).toFixed(0)} KB`,
    String(r.clusters),
    `${fmt(r.floor)} ms`,
    `${fmt(r.firstMs)} ms`,
    `${(r.firstMs / r.floor).toFixed(2)}`,
    `${fmt(median(r.editMs))} ms`,
    `${fmt(p95(r.editMs))} ms`,
    `${(p95(r.editMs) / r.floor).toFixed(2)}`,
    `${fmt(median(r.hoverMs))} ms`,
    `${fmt(p95(r.hoverMs))} ms`,
    `${fmt(p95(r.simulateMs))} ms`,
    `${r.rssMb.toFixed(0)} MB`,
  ];
  rows.push(row);
  console.log(row.join("  |  "));
}
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}`);
console.log(
  "\nTargets: first diagnostics ≤ 1.5 × floor; edit p95 < 50 ms at 100 KB and < 100 ms at 1 MB; hover p95 < 5 ms; peak RSS < 200 MB at 1 MB.",
);

// the what-if sweep of every two-group partition of the 12 sites (2^11 − 1 = 2047 scenarios),
// through the CLI on the 100 KB shape; the CLI's start-up is measured on its own and taken off
{
  const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "quorate-bench-"));
  const file = join(dir, "sweep.topology.yaml");
  writeFileSync(file, generate(100e3).text);
  const { spawnSync } = await import("node:child_process");
  const time = (args) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["dist/cli.js", ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status === 2) throw new Error(r.stderr);
    return { ms: performance.now() - t0, out: r.stdout };
  };
  const startup = [];
  const sweep = [];
  let scenarios = 0;
  for (let k = 0; k < 3; k++) {
    startup.push(time(["simulate", file]).ms);
    const r = time(["simulate", "--all-partitions", file]);
    sweep.push(r.ms);
    scenarios = Number(/^(\d+) scenarios:/m.exec(r.out)?.[1] ?? 0);
  }
  rmSync(dir, { recursive: true, force: true });
  const net = median(sweep) - median(startup);
  console.log(
    `\nWhat-if: every two-group partition of 12 sites (${scenarios} scenarios, 100 KB topology): ${fmt(net)} ms ` +
      `(${fmt(median(sweep))} ms wall, less ${fmt(median(startup))} ms for one scenario and start-up; runs ${sweep.map(fmt).join(", ")} ms), ` +
      `${((net / scenarios) * 1000).toFixed(0)} µs a scenario.`,
  );
}
