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
import { generate, generateRings } from "./bench-topology.mjs";

const args = process.argv.slice(2);
const targets = args.filter((a) => /^\d/.test(a));
const SIZES = targets.length ? targets.map(Number) : [100e3, 1e6, 5e6];
const RUNS = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 3);
const SHAPES = { "12 sites": generate, rings: generateRings };
const only = args.find((a) => a.startsWith("--shape="))?.slice(8);

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const p95 = (xs) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
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

/** A server over stdio, as an editor drives it. */
async function startServer() {
  const proc = spawn(process.execPath, ["dist/server.js", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    const w = waiting.get(`${p.uri}#${p.version}`);
    if (w) {
      waiting.delete(`${p.uri}#${p.version}`);
      w(performance.now());
    }
  });
  conn.onRequest("workspace/configuration", (p) => p.items.map(() => ({ maxFileSizeKb: 1e6 })));
  conn.onRequest("client/registerCapability", () => null);
  // started: its background thread (large files) has warmed up too
  const ready = new Promise((r) => conn.onNotification("window/logMessage", (p) => p.message.includes("background thread ready") && r()));
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification("initialized", {});
  // a started server: the first request is answered once start-up work (indexing, warm-up) is done
  await conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri: "file:///bench/none.topology.yaml" } });
  await Promise.race([ready, new Promise((r) => setTimeout(r, 20_000))]);
  return {
    proc,
    conn,
    /** resolves with the time diagnostics of `uri` at `version` arrive */
    when: (uri, version) => new Promise((r) => waiting.set(`${uri}#${version}`, r)),
    rssMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    async stop() {
      await conn.sendRequest("shutdown");
      await conn.sendNotification("exit");
      await new Promise((r) => proc.once("exit", r));
      conn.dispose();
    },
  };
}

/** Where each kind of edit goes: a digit to toggle, near the middle of the file (or the first there is). */
function editTargets(lines) {
  const near = (re) => {
    const mid = Math.floor(lines.length / 2);
    for (let d = 0; d < lines.length; d++)
      for (const i of [mid + d, mid - d]) if (i >= 0 && i < lines.length && re.test(lines[i])) return i;
    return -1;
  };
  const at = (re, digit) => {
    const line = near(re);
    const m = line >= 0 ? digit.exec(lines[line]) : null;
    return m ? { line, character: m.index + m[0].length - 1, original: m[0].at(-1) } : undefined;
  };
  return {
    "inert text": at(/description:/, /number \d/),
    CIDR: at(/^\s+pods: 10\./, /pods: 10\.\d/),
    RTT: at(/rttMs: \d/, /rttMs: \d/),
    "member count": at(/members: \{ [\w-]+: \d/, /members: \{ [\w-]+: \d/),
    capacity: at(/capacityRps: \d/, /capacityRps: \d/),
  };
}

async function measure(shape, bytes) {
  const { text, clusters } = SHAPES[shape](bytes);
  const server = await startServer();
  const { conn } = server;
  const uri = "file:///bench/bench.topology.yaml";
  const t0 = performance.now();
  const first = server.when(uri, 1);
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "quorate-topology", version: 1, text } });
  const firstMs = (await first) - t0;

  const lines = text.split("\n");
  const targets = editTargets(lines);
  let version = 1;
  const edit = async (t, ch) => {
    version++;
    const done = server.when(uri, version);
    const s = performance.now();
    await conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [
        { range: { start: { line: t.line, character: t.character }, end: { line: t.line, character: t.character + 1 } }, text: ch },
      ],
    });
    return (await done) - s;
  };
  // the first edit after opening, of a value that feeds cross-item rules
  const firstEditMs = await edit(targets.CIDR, targets.CIDR.original === "7" ? "8" : "7");
  await edit(targets.CIDR, targets.CIDR.original);
  const perKind = {};
  const n = bytes >= 5e6 ? 6 : bytes >= 1e6 ? 12 : 20;
  for (const [kind, t] of Object.entries(targets)) {
    if (!t) continue;
    perKind[kind] = [];
    for (let k = 0; k < n; k++) {
      // alternate between another digit and the original: the file stays the same size and shape
      const ch = k % 2 ? t.original : t.original === "3" ? "2" : "3";
      perKind[kind].push(await edit(t, ch));
    }
  }

  // hovers on a CIDR, an rttMs and a key in the middle of the file
  const hoverLines = [targets.CIDR.line, targets.RTT.line, targets["inert text"].line];
  const hoverMs = [];
  for (let k = 0; k < 60; k++) {
    const line = hoverLines[k % hoverLines.length];
    const character = Math.max(0, lines[line].search(/\S/) + (k % 3 === 1 ? 8 : 3));
    const s = performance.now();
    await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line, character } });
    hoverMs.push(performance.now() - s);
  }

  // peak RSS of opening, editing and hovering (what follows, a reopen and simulations, is not editing)
  const rssMb = server.rssMb();

  // another open file stays answerable while this one is analysed from scratch (a reopen)
  const small = "file:///bench/small.topology.yaml";
  const smallText = generate(10e3).text;
  const smallOpen = server.when(small, 1);
  await conn.sendNotification("textDocument/didOpen", {
    textDocument: { uri: small, languageId: "quorate-topology", version: 1, text: smallText },
  });
  await smallOpen;
  await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  const reopened = server.when(uri, 1);
  let analysing = true;
  void reopened.then(() => {
    analysing = false;
  });
  const crossMs = [];
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "quorate-topology", version: 1, text } });
  while (analysing || crossMs.length === 0) {
    const s = performance.now();
    // hover and completion in turn, as someone typing in the other file would ask
    const method = crossMs.length % 2 ? "textDocument/completion" : "textDocument/hover";
    await conn.sendRequest(method, { textDocument: { uri: small }, position: { line: 12, character: 8 } });
    crossMs.push(performance.now() - s);
    if (crossMs.length > 500) break;
  }
  await reopened;

  // what one click in the preview's Simulate control costs: a scenario, its diagram, the single-site strip
  const simulateMs = [];
  const site = /^\s+- (?:\{ )?name: ([\w-]+)/m.exec(text.slice(text.indexOf("sites:")))[1];
  for (let k = 0; k < 6; k++) {
    const s = performance.now();
    await conn.sendRequest("quorate/simulate", { uri, scenario: { lose: [site] } });
    simulateMs.push(performance.now() - s);
  }
  await server.stop();
  const floor = floorMs(text);
  const editMs = Object.values(perKind).flat();
  return { bytes: text.length, clusters, floor, firstMs, firstEditMs, perKind, editMs, hoverMs, crossMs, simulateMs, rssMb };
}

console.log("Quorate language server benchmark (stdio, built dist/server.js)");
console.log(
  `node ${process.version}, ${(await import("node:os")).cpus().length} cores, ${RUNS} runs of each; figures are median [min–max] over the runs\n`,
);
const spread = (xs, f = fmt, unit = " ms") => {
  const s = sorted(xs);
  return s.length > 1 ? `${f(median(s))}${unit} [${f(s[0])}–${f(s.at(-1))}]` : `${f(s[0])}${unit}`;
};
const header = [
  "shape",
  "size",
  "first diag ×floor",
  "first edit",
  "edit p50",
  "edit p95",
  "edit max",
  "hover p95",
  "other file during analysis (max)",
  "peak RSS",
];
const rows = [];
const kindRows = [];
for (const shape of Object.keys(SHAPES).filter((s) => !only || s === only)) {
  for (const bytes of SIZES) {
    const runs = [];
    for (let k = 0; k < RUNS; k++) runs.push(await measure(shape, bytes));
    const r0 = runs[0];
    const row = [
      shape,
      `${(r0.bytes / 1024).toFixed(0)} KB`,
      spread(
        runs.map((r) => r.firstMs / r.floor),
        (x) => x.toFixed(2),
        "",
      ),
      spread(runs.map((r) => r.firstEditMs)),
      spread(runs.map((r) => median(r.editMs))),
      spread(runs.map((r) => p95(r.editMs))),
      spread(runs.map((r) => Math.max(...r.editMs))),
      spread(runs.map((r) => p95(r.hoverMs))),
      spread(runs.map((r) => Math.max(...r.crossMs))),
      spread(
        runs.map((r) => r.rssMb),
        (x) => x.toFixed(0),
        " MB",
      ),
    ];
    rows.push(row);
    console.log(row.join("  |  "));
    for (const kind of Object.keys(r0.perKind))
      kindRows.push([
        shape,
        `${(r0.bytes / 1024).toFixed(0)} KB`,
        kind,
        spread(runs.map((r) => median(r.perKind[kind]))),
        spread(runs.map((r) => p95(r.perKind[kind]))),
        spread(runs.map((r) => Math.max(...r.perKind[kind]))),
      ]);
    console.log(
      `  simulate p95 ${spread(runs.map((r) => p95(r.simulateMs)))}; first diagnostics ${spread(runs.map((r) => r.firstMs))} against a parse floor of ${spread(runs.map((r) => r.floor))}`,
    );
  }
}
const table = (h, rs) => `| ${h.join(" | ")} |\n|${h.map(() => "---").join("|")}|\n${rs.map((r) => `| ${r.join(" | ")} |`).join("\n")}`;
console.log(
  `\n${table(header, rows)}\n\nEdits by kind (one digit changed, then changed back):\n\n${table(["shape", "size", "edited", "p50", "p95", "max"], kindRows)}`,
);
console.log(
  "\nTargets at 1 MB: first edit and edit p95 < 100 ms whatever is edited; hover p95 < 5 ms; peak RSS < 200 MB; first diagnostics ≤ 1.5 × the parse floor; another file answers within 50 ms while a 5 MB one is analysed.",
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
