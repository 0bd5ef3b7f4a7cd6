// The flags the VS Code client starts the server's Node with (protocol.ts SERVER_NODE_FLAGS): Node accepts
// them, and they keep the main thread's young generation at 1 MB however much survives there
// (without them V8 grows it to 16 MB, which the process keeps resident; README, Performance).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEMI_SPACE_MB } from "../../server/src/background/host";
import { SERVER_NODE_FLAGS } from "../../server/src/protocol";

/** Allocates objects that survive a few collections, then prints the young generation's size in MB. */
const CHURN = `const v8 = require("node:v8");
const keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ i, a: [i] }); if (keep.length > 2e5) keep.splice(0, 1e5); }
const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space");
console.log(s.space_size / 1048576);`;

function youngMb(flags: readonly string[], script = CHURN): number {
  const r = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test("the server's Node flags cap the main thread's young generation at 1 MB semi-spaces; without them it grows", () => {
  assert.ok(SERVER_NODE_FLAGS.includes("--max-semi-space-size=1"));
  // two semi-spaces of 1 MB at most
  assert.ok(youngMb(SERVER_NODE_FLAGS) <= 2, "capped with the flags");
  assert.ok(youngMb([]) > 2, "grows without them (else the flag no longer does anything)");
});

/** The compiled memory.ts, as the server (started without the flags) uses it. */
const MEMORY = JSON.stringify(join(__dirname, "..", "..", "server", "src", "background", "memory.js"));

test("the server keeps the main thread's young generation small by itself, a worker thread started or not", () => {
  const keep = `require(${MEMORY}).keepYoungGenerationSmall();\n`;
  assert.ok(youngMb([], keep + CHURN) <= 2, "kept at its first size");
  // a worker's start sets V8's flags back: without setting it again, the young generation grows
  const worker = `const { Worker } = require("node:worker_threads");
const w = new Worker("setTimeout(() => {}, 60000)", { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
`;
  const started = (again: string) => `${keep}${worker}w.once("online", () => { ${again} (() => { ${CHURN} })(); process.exit(0); });\n`;
  assert.ok(youngMb([], started("")) > 2, "a worker's start undid it (else setting it again is needless)");
  assert.ok(youngMb([], started(`require(${MEMORY}).keepYoungGenerationSmall();`)) <= 2, "set again once the worker is online");
});

/** The compiled host.ts, whose Background starts the background thread. */
const HOST = JSON.stringify(join(__dirname, "..", "..", "server", "src", "background", "host.js"));

test("the background thread gets SEMI_SPACE_MB semi-spaces, with the client's flags or without; the main thread keeps 1 MB ones", () => {
  assert.ok(SEMI_SPACE_MB > 1);
  const dir = mkdtempSync(join(tmpdir(), "quorate-young-"));
  try {
    // a stand-in for the background thread: churns, then reports its young generation as a log line
    const thread = join(dir, "thread.js");
    writeFileSync(
      thread,
      `(() => { ${CHURN.replace("console.log(", 'require("node:worker_threads").parentPort.postMessage({ t: "log", message: String(').replace(/\);$/, ") });")} })();\n`,
    );
    const script = `require(${MEMORY}).keepYoungGenerationSmall();
const { Background } = require(${HOST});
const b = new Background(${JSON.stringify(thread)}, {
  message(m) {
    const main = (() => { ${CHURN.replace("console.log(", "return (").replace(/\);$/, ");")} })();
    console.log(JSON.stringify({ background: Number(m.message), main }));
    process.exit(0);
  },
  gone(reason) { console.error(reason); process.exit(1); },
});
b.start({ warmUp: false, push: true });
`;
    for (const flags of [SERVER_NODE_FLAGS, []]) {
      const r = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const { background, main } = JSON.parse(r.stdout.trim()) as { background: number; main: number };
      assert.equal(background, 2 * SEMI_SPACE_MB, `the background thread's young generation (flags: ${flags.join(" ") || "none"})`);
      assert.ok(main <= 2, `the main thread's stays small (flags: ${flags.join(" ") || "none"}): ${main} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The threads of a Node process started with `flags` (Linux: /proc), or undefined where it cannot be read. */
function threads(flags: readonly string[]): number | undefined {
  const r = spawnSync(
    process.execPath,
    [
      ...flags,
      "-e",
      `try { console.log(/Threads:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))[1]); } catch {}`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? Number(r.stdout.trim()) : undefined;
}

test("the server's Node flags give V8 one helper thread instead of Node's four (each helper's malloc arena stays resident)", (t) => {
  assert.ok(SERVER_NODE_FLAGS.includes("--v8-pool-size=1"));
  const withFlags = threads(SERVER_NODE_FLAGS);
  const without = threads([]);
  if (withFlags === undefined || without === undefined) return t.skip("no /proc/self/status here");
  assert.equal(without - withFlags, 3, `threads with the flags ${withFlags}, without ${without}`);
});
