import { test, after } from "node:test";
import assert from "node:assert/strict";
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from "vscode-languageserver-protocol/node";
import { Client, waitFor } from "./client";
import { chainDesign } from "../helpers";

// A request answered on the background thread and cancelled by the client stops there: the
// thread answers "cancelled" (-32800), not the finished result, and takes the next request. Even
// when the cancellation reaches the thread before it has started on the request (both read in
// one batch), it is not lost: the request is never run.

const SITES = 30; // under the single-site strip's 32: a Simulate runs 31 scenarios
const design = (n: number) =>
  chainDesign(n, () => ["    mesh: submariner"], [
    "  - name: ledger",
    "    replication: consensus",
    `    members: { ${Array.from({ length: n }, (_, i) => `s${i}: 1`).join(", ")} }`,
  ]);

// What holds the background thread busy while a request and its cancellation reach it: a file
// large enough to be hosted there (over the default 64 KB), whose opening the thread analyses in
// one go (about half a second of CPU), reading no message meanwhile. The main thread has only to
// read the request and its $/cancelRequest (written right behind it) and pass both on: they wait
// in the thread's port together, the cancellation is read at once and the request is never run
// (or, read in one batch by the main thread, the request is cancelled there before it is sent on).
// Without the hold, under load a game day of 30 sites was once computed to the end before the main
// thread had read the cancellation, and the test failed on a race, not on the server.
const HOLD_SITES = 800;
const hold = () =>
  chainDesign(HOLD_SITES, () => ["    mesh: submariner"], [
    "  - name: ledger",
    "    replication: consensus",
    "    members: { s0: 2, s1: 2, s2: 1 }",
  ]);

let client: Client | undefined;
after(async () => {
  await client?.stop();
});

const METHODS = ["quorate/simulate", "quorate/decisionRecord", "quorate/gameday"];

test("a cancelled off-thread request answers cancelled and the thread takes the next one", async () => {
  client = await Client.start();
  const c = client;
  await waitFor("the background thread to start", () => c.logs.some((l) => l.includes("background thread ready")));
  const uri = "file:///tmp/quorate-offthread/cancel.topology.yaml";
  await c.open(uri, design(SITES));
  await c.diagnosticsAfter(uri, 0);
  const heavy = hold();
  assert.ok(heavy.length > 64 * 1024, "the file that holds the thread is hosted there");
  for (const [i, method] of METHODS.entries()) {
    const source = new CancellationTokenSource();
    const params = method === "quorate/decisionRecord" ? { uri } : { uri, scenario: { lose: ["s3"] }, tool: "chaos-mesh", duration: "10m" };
    // the thread analyses this file first, and takes the request only after it (see HOLD_SITES)
    const busy = `file:///tmp/quorate-offthread/hold-${i}.topology.yaml`;
    await c.open(busy, heavy);
    const first = c.conn.sendRequest(method, params, source.token);
    // cancelled at once: the $/cancelRequest is written right behind the request
    source.cancel();
    const next = c.conn.sendRequest<{ verdict?: string } | null>("quorate/simulate", { uri, scenario: { lose: ["s1"] } });
    await assert.rejects(
      first,
      (e) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled,
      `${method}: cancelled, not computed to the end`,
    );
    const answered = await next;
    assert.equal(answered?.verdict !== undefined, true, "the next request is answered");
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri: busy } });
    // not cancelled, the same request is computed to its answer: what the cancellation stopped
    const whole = await c.conn.sendRequest<unknown>(method, params);
    assert.ok(method === "quorate/decisionRecord" ? /^# /.test(String(whole)) : whole && typeof whole === "object", `${method} answers`);
  }
  // the server logged no failure: a cancellation is not an internal error
  assert.ok(!c.logs.some((l) => /failed/.test(l)), c.logs.filter((l) => /failed/.test(l)).join("\n"));
});
