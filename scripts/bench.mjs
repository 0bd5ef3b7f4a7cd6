// npm run bench: drives the built language server over stdio as an editor would, beside
// yaml-language-server validating the same text against our schema, and prints what a user
// feels: the first diagnostics of a file open when the editor starts (and of one opened later),
// the latency of each keystroke while a value is typed through invalid states, hovers, another
// file's answers while a large one is analysed, a Simulate click (and a keystroke behind it), and
// peak RSS — each as the median and [min–max] of several runs. `yaml`'s own parse of the same
// text is the floor. Figures only; no assertions (targets are in the README).
//
// Sections after the main tables (what-if sweep, …) are entries of SECTIONS at the end: add one
// there to measure something else in the same run.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { generate, generateAvailability, generateRings } from "./bench-topology.mjs";

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require("yaml");
const rpc = require("vscode-languageserver-protocol/node");

const args = process.argv.slice(2);
const sizeArgs = args.filter((a) => /^\d/.test(a));
const SIZES = sizeArgs.length ? sizeArgs.map(Number) : [100e3, 1e6, 5e6];
const RUNS = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 3);
const SHAPES = { "12 sites": generate, rings: generateRings };
const onlyShape = args.find((a) => a.startsWith("--shape="))?.slice(8);
/** --no-yls: skip yaml-language-server (it is also skipped, with a note, when not installed) */
const YLS = !args.includes("--no-yls") && ylsPath();
/** --sections=a,b: only these sections after the main tables ("none" for none) */
const onlySections = args
  .find((a) => a.startsWith("--sections="))
  ?.slice(11)
  .split(",");
/** --keystrokes: also print every keystroke's time, in the order typed, run by run (which keystrokes make p95) */
const KEYSTROKES = args.includes("--keystrokes");
/** VS Code restoring its tabs opens them about this long after `initialized` */
const STARTUP_OPEN_MS = 300;
/**
 * How long the server opened later sits idle between the open's diagnostics and its first
 * keystroke: a user reads the squiggles before typing (the first keystroke above comes the
 * moment they arrive).
 */
const FIRST_KEY_PAUSE_MS = 1000;
/**
 * The same, a human's reaction time after the diagnostics (a server of its own, opened later):
 * a keystroke that may arrive while the background thread rehearses one (worker.ts), which it
 * must not wait for.
 */
const FIRST_KEY_SHORT_PAUSE_MS = 250;

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const p95 = (xs) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const ratio = (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The machine's CPU time so far (all cores, every process: /proc/stat, clock ticks of 10 ms), busy and in all, in ms. */
function machineCpuMs() {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const all = f.reduce((a, b) => a + b, 0) * 10;
    return { busy: all - (f[3] + f[4]) * 10, all };
  } catch {
    return undefined;
  }
}
/** This process's CPU time so far (the bench's own: reading and writing the servers' messages), in ms. */
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/**
 * What the rest of the machine used while `run` ran: every process's CPU time less the bench's
 * own and `server`'s (its cpuMs), in cores (1 = one core busy the whole time; this machine has
 * cpus().length). Undefined where /proc/stat cannot be read.
 */
async function othersWhile(server, run) {
  const m0 = machineCpuMs();
  const o0 = ownCpuMs();
  const s0 = server.cpuMs();
  const t0 = performance.now();
  const value = await run();
  const m1 = machineCpuMs();
  const ms = performance.now() - t0;
  const others = m0 && m1 ? (m1.busy - m0.busy - (ownCpuMs() - o0) - (server.cpuMs() - s0)) / ms : undefined;
  return { value, others: others === undefined ? undefined : Math.max(0, others) };
}
/** The machine's busy cores over the next `ms` (every process: nothing of the bench's runs while it waits). */
async function busyCores(ms) {
  const m0 = machineCpuMs();
  const t0 = performance.now();
  await sleep(ms);
  const m1 = machineCpuMs();
  return m0 && m1 ? (m1.busy - m0.busy) / (performance.now() - t0) : undefined;
}
/** The ids of a process's children (none expected of either server: both run in one process). */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function ylsPath() {
  try {
    return require.resolve("yaml-language-server/bin/yaml-language-server");
  } catch {
    return undefined;
  }
}

/** `yaml`'s options as the server parses with them (server/src/model/parse.ts YAML_OPTIONS). */
const YAML_OPTIONS = { version: "1.2", uniqueKeys: true, prettyErrors: false, strict: true };

/**
 * The floor for a file opened once the server is ready: `yaml`'s parse of the text in a process
 * that has parsed before (this one), the median of three.
 */
function floorMs(text) {
  const runs = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    parseAllDocuments(text, YAML_OPTIONS);
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

/**
 * The floor for a file open when the editor starts: `yaml`'s one parse of the text in a fresh
 * process that has parsed nothing before, as a server starting up has not — its code is not yet
 * compiled, which costs a 1 MB parse about half again (README, Performance). Only the parse is
 * timed, not the process's start or reading the file.
 */
function coldFloorMs(file) {
  const script = `const { parseAllDocuments } = require(${JSON.stringify(require.resolve("yaml"))});
const text = require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8");
const t0 = performance.now();
parseAllDocuments(text, ${JSON.stringify(YAML_OPTIONS)});
console.log(performance.now() - t0);`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

/**
 * A language server over stdio, driven as an editor drives it: initialize, initialized, and
 * (with `ready`) a wait until the server says its start-up work is done. Diagnostics are awaited
 * per uri and version, or (a server that publishes no version) as the next publish for the uri.
 */
async function startLsp({ command, configuration, ready, versioned = true }) {
  const proc = spawn(process.execPath, command, { stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    const at = performance.now();
    for (const key of [`${p.uri}#${p.version}`, `${p.uri}#next`]) {
      const w = waiting.get(key);
      if (w) {
        waiting.delete(key);
        w({ at, count: p.diagnostics.length });
      }
    }
  });
  conn.onRequest("workspace/configuration", (p) => p.items.map((i) => configuration(i.section)));
  conn.onRequest("client/registerCapability", () => null);
  const readyLogged = ready
    ? new Promise((r) => conn.onNotification("window/logMessage", (p) => p.message.includes(ready) && r()))
    : undefined;
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification("initialized", {});
  const initializedAt = performance.now();
  if (ready) await Promise.race([readyLogged, sleep(30_000)]);
  /** resolves with the time (and count) of `uri`'s diagnostics at `version` (or its next ones, for a server that publishes no version) */
  const when = (uri, version) => new Promise((r) => waiting.set(`${uri}#${versioned ? version : "next"}`, r));
  const versions = new Map();
  const status = (field) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const hwm = () => status("VmHWM");
  /** the process's CPU time so far (user and system, all its threads), in ms (clock ticks of 10 ms) */
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  let cpuAt = 0;
  let peak = 0;
  let current;
  /** each phase's peak RSS and its RSS at its end (MB), and the CPU time the server spent in it (see phase) */
  const phases = [];
  return {
    conn,
    initializedAt,
    when,
    /** sends one edit of `uri` and resolves with the time until its diagnostics arrive */
    async change(uri, contentChange) {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      const done = when(uri, version);
      const s = performance.now();
      await conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [contentChange] });
      return (await done).at - s;
    },
    /** the process's peak RSS so far (MB) */
    rssMb() {
      return Math.max(peak, hwm());
    },
    /**
     * Ends the phase running (its peak RSS, the RSS at its end and its CPU time are kept, in `phases`) and starts
     * `name`: the kernel's peak is reset to the RSS now (where it can be), so each phase's peak is its own.
     */
    phase(name) {
      const p = hwm();
      peak = Math.max(peak, p);
      const cpu = cpuMs();
      if (current) phases.push({ name: current, peakMb: p, endMb: status("VmRSS"), cpuMs: cpu - cpuAt });
      cpuAt = cpu;
      current = name;
      try {
        writeFileSync(`/proc/${proc.pid}/clear_refs`, "5");
      } catch {
        // no reset here: each phase's peak is the session's so far
      }
    },
    phases,
    async open(uri, text, languageId) {
      versions.set(uri, 1);
      const done = when(uri, 1);
      const t0 = performance.now();
      await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
      return (await done).at - t0;
    },
    cpuMs,
    /**
     * Shuts the server down and resolves once its process (and any child it started) has exited, so
     * nothing of it runs beside what is measured next: how long it took after `exit`, and whether it
     * had to be killed (not within 5 s).
     */
    async stop() {
      const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once("exit", r)));
      const children = childrenOf(proc.pid);
      await conn.sendRequest("shutdown");
      const t0 = performance.now();
      await conn.sendNotification("exit");
      const byItself = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      const exitMs = performance.now() - t0;
      if (!byItself) {
        proc.kill("SIGKILL");
        await exited;
      }
      for (const c of children) {
        try {
          process.kill(c, "SIGKILL");
        } catch {
          // gone with its parent
        }
      }
      conn.dispose();
      return { exitMs, killed: !byItself, children: children.length };
    },
  };
}

/** The flags the VS Code client starts Node with for the server (server/src/protocol.ts), read from there. */
const SERVER_NODE_FLAGS = JSON.parse(
  /SERVER_NODE_FLAGS[^=]*=\s*(\[[^\]]*\])/.exec(readFileSync(resolve("server/src/protocol.ts"), "utf8"))[1],
);

/** --server-flag=X (repeatable): a Node or V8 flag added to the server's (to measure one; the tables are then not the product's) */
const EXTRA_SERVER_FLAGS = args.filter((a) => a.startsWith("--server-flag=")).map((a) => a.slice(14));

const quorate = (ready) =>
  startLsp({
    // the server as the VS Code client starts it
    command: [...SERVER_NODE_FLAGS, ...EXTRA_SERVER_FLAGS, "dist/server.js", "--stdio"],
    configuration: () => ({ maxFileSizeKb: 1e6 }),
    ready: ready ? "background thread ready" : undefined,
  });

const SCHEMA_URI = pathToFileURL(resolve("schemas/topology.schema.json")).href;
const yls = () =>
  startLsp({
    command: ["--import", pathToFileURL(resolve("scripts/bench-yls-preload.mjs")).href, YLS, "--stdio"],
    // only schema validation: what it does on every change
    configuration: (section) =>
      section === "yaml"
        ? { validate: true, hover: true, completion: true, format: { enable: false }, schemas: { [SCHEMA_URI]: "**/*.topology.yaml" } }
        : section === "http"
          ? { proxy: "", proxyStrictSSL: false }
          : {},
    versioned: false,
  });

/** The middle one of the lines matching `re` (edits and hovers land mid-file, where splices cost most). */
function middle(lines, re) {
  const hits = [];
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i])) hits.push(i);
  return hits.length ? hits[Math.floor(hits.length / 2)] : -1;
}

/**
 * What a user types, by kind: the value's successive states, one keystroke apart. Several pass
 * through invalid values (a CIDR without its prefix, an empty rttMs, a site name that nothing
 * references any more), as they do while one types.
 */
function typingPlans(lines) {
  const plan = (re, states) => {
    const line = middle(lines, re);
    if (line < 0) return undefined;
    const m = re.exec(lines[line]);
    const original = m[1];
    // a state equal to the one before it would be a keystroke that types nothing: left out
    const all = [...states(original), original].filter((s, i, xs) => s !== (i ? xs[i - 1] : original));
    return { line, character: m.index + m[0].length - original.length, states: all };
  };
  return {
    // a digit of a description: nothing any rule reads
    "inert text": plan(/description: "[^"]*number (\d+)/, (v) => [`${v}1`, v, `${v}2`]),
    // append a digit (invalid prefix length), take it off, retype the prefix (a /2 overlaps everything), retype an octet
    CIDR: plan(/^\s+pods: (10\.\d+\.\d+\.0\/24)$/, (v) => {
      const [a, b, c] = v.split(".");
      const tail = ".0/24";
      return [
        `${v}1`,
        v,
        v.slice(0, -1),
        v.slice(0, -2),
        v.slice(0, -1),
        v,
        `${a}.${b}.${c.slice(0, -1)}${tail}`,
        `${a}.${b}.${tail}`,
        `${a}.${b}.${c.slice(0, -1)}${tail}`,
      ];
    }),
    // an RTT retyped: through an empty (null) value
    RTT: plan(/rttMs: (\d+)/, (v) => [`${v}1`, v, v.slice(0, 1), "", "2", "25", "2", "", v.slice(0, 1)]),
    // a site renamed as one types: every cluster, link and quorum naming it is unresolved meanwhile
    // (a site's own name: followed by the end of the line or the flow mapping's comma, never a cluster named after it)
    "site name": plan(/^\s+- (?:\{ )?name: ((?:site-\d+|r\d+-a))(?=,|$)/, (v) => [v.slice(0, -1), `${v.slice(0, -1)}x`, v.slice(0, -1)]),
    "member count": plan(/members: \{ [\w-]+: (\d)/, (v) => [v === "3" ? "2" : "3", v, v === "1" ? "4" : "1"]),
    capacity: plan(/capacityRps: (\d+)/, (v) => [`${v}1`, v, v.slice(0, -1)]),
  };
}

/** The one-line change from `before` to `after` (they differ in one keystroke) as an LSP content change. */
function keystroke(line, character, before, after) {
  let s = 0;
  while (s < before.length && s < after.length && before[s] === after[s]) s++;
  let t = 0;
  while (t < before.length - s && t < after.length - s && before.at(-1 - t) === after.at(-1 - t)) t++;
  return {
    range: { start: { line, character: character + s }, end: { line, character: character + before.length - t } },
    text: after.slice(s, after.length - t),
  };
}

/** Types every plan through a server; each keystroke's time is until its diagnostics arrive. */
async function typeAll(server, uri, plans, { first } = {}) {
  const perKind = {};
  const type = (p, before, after) => server.change(uri, keystroke(p.line, p.character, before, after));
  for (const [kind, p] of Object.entries(plans)) {
    if (!p) continue;
    const times = [];
    let before = p.states.at(-1);
    for (const after of first ? p.states.slice(0, 1) : p.states) {
      if (after === before) throw new Error(`the ${kind} plan would send a keystroke that types nothing (${JSON.stringify(after)})`);
      times.push(await type(p, before, after));
      before = after;
    }
    // a first-keystroke-only pass leaves the value changed: put it back untimed
    if (first && before !== p.states.at(-1)) await type(p, before, p.states.at(-1));
    perKind[kind] = times;
  }
  return perKind;
}

async function measure(shape, bytes) {
  const { text } = SHAPES[shape](bytes);
  const lines = text.split("\n");
  const plans = typingPlans(lines);
  const uri = "file:///bench/bench.topology.yaml";
  const out = { bytes: text.length };
  // what else ran on the machine: the load average, and its busy cores in the second before the
  // run (the last run's servers have exited: stop waits for that)
  out.loadAtStart = loadavg()[0];
  out.busyBefore = await busyCores(1000);

  // the editor starts with the file open: didOpen shortly after initialized, nothing awaited
  const server = await quorate(false);
  await sleep(Math.max(0, server.initializedAt + STARTUP_OPEN_MS - performance.now()));
  server.phase("open at start-up");
  ({ value: out.startupMs, others: out.othersOpen } = await othersWhile(server, () => server.open(uri, text, "quorate-topology")));
  const { conn } = server;

  // the first keystroke after that (appending a digit to a CIDR), then every plan typed through
  const firstPlan = { CIDR: plans.CIDR };
  server.phase("first keystroke");
  out.firstEditMs = (await typeAll(server, uri, firstPlan, { first: true })).CIDR[0];
  server.phase("typing");
  ({ value: out.perKind, others: out.othersTyping } = await othersWhile(server, () => typeAll(server, uri, plans)));
  out.states = Object.fromEntries(Object.entries(plans).flatMap(([kind, p]) => (p ? [[kind, p.states]] : [])));
  out.editMs = Object.values(out.perKind).flat();

  // hovers on a CIDR, an rttMs and a description in the middle of the file
  const hoverLines = [plans.CIDR.line, plans.RTT.line, plans["inert text"].line];
  out.hoverMs = [];
  server.phase("hovers");
  for (let k = 0; k < 60; k++) {
    const line = hoverLines[k % hoverLines.length];
    const character = Math.max(0, lines[line].search(/\S/) + (k % 3 === 1 ? 8 : 3));
    const s = performance.now();
    await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line, character } });
    out.hoverMs.push(performance.now() - s);
  }
  // peak RSS of opening, typing and hovering
  out.rssMb = server.rssMb();

  // another open file stays answerable while this one is analysed from scratch (a reopen)
  const small = "file:///bench/small.topology.yaml";
  server.phase("a second, small file");
  await server.open(small, generate(10e3).text, "quorate-topology");
  server.phase("close and reopen");
  await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  let analysing = true;
  const reopened = server.open(uri, text, "quorate-topology").then(() => {
    analysing = false;
  });
  out.crossMs = [];
  while (analysing || out.crossMs.length === 0) {
    const s = performance.now();
    // hover and completion in turn, as someone typing in the other file would ask
    const method = out.crossMs.length % 2 ? "textDocument/completion" : "textDocument/hover";
    await conn.sendRequest(method, { textDocument: { uri: small }, position: { line: 12, character: 8 } });
    out.crossMs.push(performance.now() - s);
    if (out.crossMs.length > 500) break;
  }
  await reopened;

  // one click in the preview's Simulate control (a scenario, its diagram, the single-site strip),
  // then a click with a keystroke right behind it: how long the keystroke's diagnostics wait
  const site = /^\s+- (?:\{ )?name: ([\w-]+)/m.exec(text.slice(text.indexOf("sites:")))[1];
  const simulate = () => conn.sendRequest("quorate/simulate", { uri, scenario: { lose: [site] } });
  out.simulateMs = [];
  server.phase("Simulate clicks");
  for (let k = 0; k < 3; k++) {
    const s = performance.now();
    await simulate();
    out.simulateMs.push(performance.now() - s);
  }
  {
    // the same keystroke alone, then sent while a click computes: right behind it, and a quarter,
    // half and three quarters of a click's time after it (a keystroke waits for whatever step of
    // the click is running when it arrives, not only the first)
    const p = plans["inert text"];
    const type = () => server.change(uri, keystroke(p.line, p.character, p.states.at(-1), p.states[0]));
    const untype = () => server.change(uri, keystroke(p.line, p.character, p.states[0], p.states.at(-1)));
    const click = median(out.simulateMs);
    out.editAloneMs = [];
    out.editDuringSimulateMs = [];
    server.phase("keystrokes and clicks");
    for (const at of [0, 0.25, 0.5, 0.75]) {
      out.editAloneMs.push(await type());
      await untype();
      const clicked = simulate();
      if (at) await sleep(at * click);
      out.editDuringSimulateMs.push(await type());
      await clicked;
      await untype();
    }
    out.editBehindSimulateMs = out.editDuringSimulateMs[0];
  }
  // peak RSS of the whole session: the close and reopen and the Simulate clicks included
  out.rssEndMb = server.rssMb();
  server.phase();
  out.phases = server.phases;
  out.exits = [await server.stop()];

  // opened later, once the server has finished starting (its background thread warmed up)
  {
    const warm = await quorate(true);
    out.warmMs = await warm.open(uri, text, "quorate-topology");
    // and its first keystroke (the same one) a moment later, as a user types it
    await sleep(FIRST_KEY_PAUSE_MS);
    out.firstEditAfterPauseMs = (await typeAll(warm, uri, firstPlan, { first: true })).CIDR[0];
    out.exits.push(await warm.stop());
  }
  // the same, typed a reaction time after the diagnostics (while the thread may be rehearsing)
  {
    const warm = await quorate(true);
    await warm.open(uri, text, "quorate-topology");
    await sleep(FIRST_KEY_SHORT_PAUSE_MS);
    out.firstEditAfterShortPauseMs = (await typeAll(warm, uri, firstPlan, { first: true })).CIDR[0];
    out.exits.push(await warm.stop());
  }

  // yaml-language-server on the same text: opened at start-up the same way, the same keystrokes
  // (at 1 MB and more only each plan's first: it takes seconds a keystroke)
  if (YLS) {
    const y = await yls();
    await sleep(Math.max(0, y.initializedAt + STARTUP_OPEN_MS - performance.now()));
    out.ylsStartupMs = await y.open(uri, text, "yaml");
    const perKind = await typeAll(y, uri, plans, { first: bytes >= 1e6 });
    out.ylsEditMs = Object.values(perKind).flat();
    out.ylsRssMb = y.rssMb();
    out.ylsExit = await y.stop();
  }
  out.floor = floorMs(text);
  {
    const dir = mkdtempSync(join(tmpdir(), "quorate-bench-"));
    const file = join(dir, "floor.topology.yaml");
    writeFileSync(file, text);
    out.coldFloor = coldFloorMs(file);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const spread = (xs, f = fmt, unit = " ms") => {
  const s = sorted(xs.filter((x) => x !== undefined && !Number.isNaN(x)));
  if (!s.length) return "—";
  return s.length > 1 ? `${f(median(s))}${unit} [${f(s[0])}–${f(s.at(-1))}]` : `${f(s[0])}${unit}`;
};
const times = (xs) => spread(xs, ratio, "×");
const table = (h, rs) => `| ${h.join(" | ")} |\n|${h.map(() => "---").join("|")}|\n${rs.map((r) => `| ${r.join(" | ")} |`).join("\n")}`;

console.log(
  `Quorate language server benchmark (stdio, built dist/server.js, node ${SERVER_NODE_FLAGS.join(" ")} as the VS Code client starts it${EXTRA_SERVER_FLAGS.length ? `, with ${EXTRA_SERVER_FLAGS.join(" ")} added` : ""})`,
);
console.log(
  `node ${process.version}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at the start; ${RUNS} runs of each; figures are median [min–max] over the runs` +
    (YLS
      ? `; yaml-language-server ${require("yaml-language-server/package.json").version} beside it (debounce removed, our schema)`
      : "; yaml-language-server not run"),
);

const rows = { open: [], typing: [], other: [], kinds: [], each: [], phases: [], machine: [] };
for (const shape of Object.keys(SHAPES).filter((s) => !onlyShape || s === onlyShape)) {
  for (const bytes of SIZES) {
    const runs = [];
    for (let k = 0; k < RUNS; k++) runs.push(await measure(shape, bytes));
    const at = [shape, `${(runs[0].bytes / 1024).toFixed(0)} KB`];
    const all = (f) => runs.map(f);
    rows.open.push([
      ...at,
      spread(all((r) => r.coldFloor)),
      spread(all((r) => r.floor)),
      spread(all((r) => r.startupMs)),
      times(all((r) => r.startupMs / r.coldFloor)),
      times(all((r) => r.startupMs / r.floor)),
      spread(all((r) => r.warmMs)),
      times(all((r) => r.warmMs / r.floor)),
      spread(all((r) => r.ylsStartupMs)),
      times(all((r) => r.ylsStartupMs / r.startupMs)),
    ]);
    rows.typing.push([
      ...at,
      spread(all((r) => r.firstEditMs)),
      spread(all((r) => r.firstEditAfterShortPauseMs)),
      spread(all((r) => r.firstEditAfterPauseMs)),
      spread(all((r) => median(r.editMs))),
      spread(all((r) => p95(r.editMs))),
      spread(all((r) => Math.max(...r.editMs))),
      spread(all((r) => r.ylsEditMs && median(r.ylsEditMs))),
      times(all((r) => r.ylsEditMs && median(r.ylsEditMs) / median(r.editMs))),
    ]);
    rows.other.push([
      ...at,
      spread(all((r) => p95(r.hoverMs))),
      spread(all((r) => Math.max(...r.crossMs))),
      spread(all((r) => median(r.simulateMs))),
      spread(all((r) => median(r.editAloneMs))),
      spread(all((r) => r.editBehindSimulateMs)),
      spread(all((r) => Math.max(...r.editDuringSimulateMs))),
      spread(
        all((r) => r.rssMb),
        (x) => x.toFixed(0),
        " MB",
      ),
      spread(
        all((r) => r.rssEndMb),
        (x) => x.toFixed(0),
        " MB",
      ),
      spread(
        all((r) => r.ylsRssMb),
        (x) => x.toFixed(0),
        " MB",
      ),
    ]);
    rows.phases.push({ at, runs: all((r) => r.phases) });
    const cores = (x) => (x === undefined ? "—" : x.toFixed(2));
    const exit = (e) => (e ? `${fmt(e.exitMs)}${e.killed ? " (killed)" : ""}${e.children ? ` (+${e.children} children)` : ""}` : "—");
    for (const [k, r] of runs.entries())
      rows.machine.push([
        ...at,
        String(k + 1),
        r.loadAtStart.toFixed(1),
        cores(r.busyBefore),
        cores(r.othersOpen),
        cores(r.othersTyping),
        `${ratio(r.startupMs / r.coldFloor)}×`,
        fmt(p95(r.editMs)),
        r.exits.map(exit).join(", "),
        exit(r.ylsExit),
      ]);
    if (KEYSTROKES)
      for (const kind of Object.keys(runs[0].perKind))
        rows.each.push([
          ...at,
          kind,
          // the value after each keystroke, in the order typed (the last is the original again)
          runs[0].states[kind].map((x) => `\`${x || "(empty)"}\``).join(" "),
          runs.map((r) => r.perKind[kind].map(fmt).join(" ")).join(" / "),
        ]);
    for (const kind of Object.keys(runs[0].perKind))
      rows.kinds.push([
        ...at,
        kind,
        String(runs[0].perKind[kind].length),
        spread(all((r) => median(r.perKind[kind]))),
        spread(all((r) => Math.max(...r.perKind[kind]))),
      ]);
    console.log(`${at.join(" ")}: done (load ${loadavg()[0].toFixed(1)})`);
  }
}

console.log(
  `\nOpening a file: when the editor starts (didOpen ${STARTUP_OPEN_MS} ms after initialized, nothing awaited) and once the server is ready. ` +
    "The floors are `yaml`'s parse of the same text with the server's options: cold, one parse in a fresh process (what a server starting up pays), " +
    "and warm, in a process that has parsed before (what a ready server pays); the last column is yaml-language-server's time over ours.\n",
);
console.log(
  table(
    [
      "shape",
      "size",
      "parse floor, cold",
      "parse floor, warm",
      "at start-up",
      "×cold floor",
      "×warm floor",
      "opened later",
      "×warm floor",
      "yaml-language-server at start-up",
      "its time ÷ ours",
    ],
    rows.open,
  ),
);
console.log(
  "\nTyping: every keystroke until its diagnostics arrive (values typed through invalid states; see Edits by kind). The first keystroke is sent the moment the open's diagnostics arrive; " +
    `after a pause, ${FIRST_KEY_SHORT_PAUSE_MS} ms (a reaction time) and ${FIRST_KEY_PAUSE_MS / 1000} s after them, each in a file opened later. yaml-language-server types each kind's first keystroke at 1 MB and more.\n`,
);
console.log(
  table(
    [
      "shape",
      "size",
      "first keystroke",
      `after ${FIRST_KEY_SHORT_PAUSE_MS} ms`,
      `after a pause (${FIRST_KEY_PAUSE_MS / 1000} s)`,
      "keystroke p50",
      "p95",
      "max",
      "yaml-language-server p50",
      "its time ÷ ours",
    ],
    rows.typing,
  ),
);
console.log(
  "\nAnswers and memory. The keystroke columns time one keystroke into inert text: alone (median of 4), sent right behind a Simulate click, and the worst of it sent " +
    "0, ¼, ½ and ¾ of a click's time after the click: a keystroke never held up by a click costs about what it costs alone.\n",
);
console.log(
  table(
    [
      "shape",
      "size",
      "hover p95",
      "other file during analysis (max)",
      "Simulate click",
      "a keystroke alone",
      "the keystroke right behind a click",
      "during a click (worst of 4 moments)",
      "peak RSS (open, typing, hovers)",
      "peak RSS (whole session)",
      "yaml-language-server peak RSS",
    ],
    rows.other,
  ),
);
{
  // the peak RSS of each phase of the session (the kernel's peak reset as each starts), median over the runs
  const names = rows.phases[0]?.runs[0].map((p) => p.name) ?? [];
  console.log(
    "\nPeak RSS by phase of the session above (in order; each phase's own peak, the RSS at its end, and the server's CPU time in it, all threads), median [min–max] over the runs:\n",
  );
  console.log(
    table(
      ["shape", "size", ...names],
      rows.phases.map(({ at, runs }) =>
        at.concat(
          names.map(
            (_, i) =>
              `${spread(
                runs.map((r) => r[i].peakMb),
                (x) => x.toFixed(0),
                " MB",
              )}, end ${spread(
                runs.map((r) => r[i].endMb),
                (x) => x.toFixed(0),
                "",
              )}, CPU ${spread(runs.map((r) => r[i].cpuMs))}`,
          ),
        ),
      ),
    ),
  );
}
console.log(
  "\nThe machine during each run: the load average at its start; the cores busy in the second before it (every process; the last run's " +
    "servers have exited, each stop waits for it); the cores the rest of the machine used (every process but this bench and the server measured) " +
    `while the file opened at start-up and while every plan was typed (${cpus().length} cores; yaml-language-server runs after our servers, never beside them); ` +
    "that run's start-up ratio and keystroke p95; how long each server took to exit after `exit`.\n",
);
console.log(
  table(
    [
      "shape",
      "size",
      "run",
      "load at start",
      "busy cores, second before",
      "others' cores, open",
      "others' cores, typing",
      "×cold floor",
      "keystroke p95",
      "our servers' exit (ms)",
      "yaml-language-server's exit (ms)",
    ],
    rows.machine,
  ),
);
console.log("\nEdits by kind:\n");
console.log(table(["shape", "size", "typed into", "keystrokes", "p50", "max"], rows.kinds));
if (KEYSTROKES) {
  console.log(
    "\nEach keystroke (--keystrokes): the value after each keystroke and its time in ms, in the order typed, one run after another (/):\n",
  );
  console.log(table(["shape", "size", "typed into", "states", "each keystroke, run by run"], rows.each));
}
console.log(
  "\nTargets at 1 MB: first diagnostics at start-up ≤ 1.5 × the parse floor (cold: a server starting up parses cold; the warm ratio beside it) and before yaml-language-server's; first keystroke and keystroke p95 < 100 ms; " +
    "yaml-language-server ≥ 10 × slower a keystroke; hover p95 < 5 ms; peak RSS < 200 MB; a Simulate click < 1 s (< 3 s at 5 MB), never holding a keystroke up.",
);

/** The what-if sweep of every two-group partition of the 12 sites, through the CLI on the 100 KB shape. */
async function whatIfSweep() {
  const dir = mkdtempSync(join(tmpdir(), "quorate-bench-"));
  const file = join(dir, "sweep.topology.yaml");
  writeFileSync(file, generate(100e3).text);
  const time = (cliArgs) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["dist/cli.js", ...cliArgs], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status === 2) throw new Error(r.stderr);
    return { ms: performance.now() - t0, out: r.stdout };
  };
  const startup = [];
  const sweep = [];
  let scenarios = 0;
  for (let k = 0; k < 3; k++) {
    // the CLI's start-up and one scenario, measured on their own and taken off
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

/**
 * Every availability figure of a design of 10, 16 and 20 sites with every site and link failing
 * (availability.md: within a second), through the CLI: `quorate availability` less the same run
 * on the file without availabilities (start-up, parse, rules). Also how far each entity's
 * enumeration got (exact, or bounded with the probability left unjudged).
 */
async function availabilityFigures() {
  const dir = mkdtempSync(join(tmpdir(), "quorate-bench-"));
  console.log("\nAvailability: every figure of a design whose sites (0.999) and links (0.9995) all fail:\n");
  const rows = [];
  for (const n of [10, 16, 20]) {
    const file = join(dir, `a${n}.topology.yaml`);
    const bare = join(dir, `bare${n}.topology.yaml`);
    writeFileSync(file, generateAvailability(n));
    writeFileSync(bare, generateAvailability(n, false));
    const time = (f) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["dist/cli.js", "availability", "--format", "json", f], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
      });
      if (r.status === 2) throw new Error(r.stderr);
      return { ms: performance.now() - t0, out: r.stdout };
    };
    const full = [];
    const base = [];
    let figures = [];
    for (let k = 0; k < RUNS; k++) {
      base.push(time(bare).ms);
      const r = time(file);
      full.push(r.ms);
      figures = JSON.parse(r.out);
    }
    const net = full.map((x, k) => x - base[k]);
    rows.push([
      `${n} sites, ${n + (n * (n - 1)) / 2} failing components`,
      `${fmt(median(net))} ms [${fmt(Math.min(...net))}–${fmt(Math.max(...net))}]`,
      figures
        .map(
          (f) =>
            `${f.entity}: ${f.method}${f.method === "bounded" ? ` (${f.unjudgedProbability.toExponential(1)} unjudged, up to ${f.maxFailuresJudged} failures)` : ""}`,
        )
        .join("; "),
    ]);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(table(["design", "every figure (net of start-up)", "how far each entity got"], rows));
}

/** Measurements after the main tables, by name (--sections=name,… runs only those). */
const SECTIONS = { whatif: whatIfSweep, availability: availabilityFigures };
for (const [name, run] of Object.entries(SECTIONS)) if (!onlySections || onlySections.includes(name)) await run();
if (!YLS && !args.includes("--no-yls")) console.log("\n(yaml-language-server is not installed: npm install it to compare.)");
