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
  for (const method of METHODS) {
    const source = new CancellationTokenSource();
    const params = method === "quorate/decisionRecord" ? { uri } : { uri, scenario: { lose: ["s3"] }, tool: "chaos-mesh", duration: "10m" };
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
  }
  // the server logged no failure: a cancellation is not an internal error
  assert.ok(!c.logs.some((l) => /failed/.test(l)), c.logs.filter((l) => /failed/.test(l)).join("\n"));
});
