// The `--stdio` server (its own writer splices the background thread's JSON, background/json.ts)
// still ends as the library's does: when its client's end of stdin closes, with 0 after a
// shutdown request and 1 without one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { Client, SERVER } from "./client";

test("the stdio server exits when its input ends: 1 without a shutdown request", async () => {
  const proc = spawn(process.execPath, [SERVER, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  proc.stdout.on("data", (b: Buffer) => out.push(b));
  const exited = once(proc, "exit");
  proc.stdin.end();
  const [code] = await exited;
  assert.equal(code, 1);
  // nothing but protocol messages on stdout (here: none)
  assert.equal(Buffer.concat(out).toString(), "");
});

test("the stdio server exits when its input ends after a shutdown request: 0", async () => {
  const c = await Client.start();
  const exited = once(c.proc, "exit");
  await c.conn.sendRequest("shutdown");
  c.proc.stdin?.end();
  const [code] = await exited;
  assert.equal(code, 0);
  await c.stop();
});
