import { test, after } from "node:test";
import assert from "node:assert/strict";
import { CancellationTokenSource, LSPErrorCodes } from "vscode-languageserver-protocol";
import { Client, waitFor } from "./client";
import { chainDesign } from "../helpers";

// The requests that compute for seconds on a big design (the decision record, simulate, the game
// day) are answered on the background thread even for a file the main thread hosts: while the
// record of a 200-site design is computed, a hover in the same file is answered.

const SITES = 200;
const design = (n: number) =>
  chainDesign(
    n,
    (i) => ["    mesh: submariner", `    network: { pods: 10.${i}.0.0/16, services: 172.16.${i}.0/24 }`],
    // the ledger's namespace gives the game day something to cut (one that cuts nothing is refused)
    ["  - name: ledger", "    replication: consensus", "    members: { s0: 2, s1: 2, s2: 1 }", "    namespace: ledger"],
  );

let client: Client | undefined;
after(async () => {
  await client?.stop();
});

test(`a hover is answered while the record of a ${SITES}-site design is computed`, async () => {
  const text = design(SITES);
  // hosted on the main thread: the background thread takes only files of 1 MB or more
  assert.ok(text.length < 1024 * 1024);
  client = await Client.start({ initializationOptions: { backgroundMinKb: 1024 } });
  const c = client;
  await waitFor("the background thread to start", () => c.logs.some((l) => l.includes("background thread ready")));
  const uri = "file:///tmp/quorate-offthread/big.topology.yaml";
  await c.open(uri, text);
  await c.diagnosticsAfter(uri, 0);
  let recorded: string | null | undefined;
  const record = c.conn.sendRequest<string | null>("quorate/decisionRecord", { uri }).then((r) => {
    recorded = r;
    return r;
  });
  const line = text.split("\n").indexOf("  - name: s7");
  const hover = await c.conn.sendRequest<{ contents: { value: string } } | null>("textDocument/hover", {
    textDocument: { uri },
    position: { line, character: 11 },
  });
  assert.equal(recorded, undefined, "the hover waited for the record");
  assert.match(JSON.stringify(hover?.contents), /s7/);
  const md = await record;
  assert.match(md ?? "", /^# /);
  assert.match(md ?? "", /Losses of two sites: 200 sites \(19,900 pairs\), more than the 40 whose pairs are listed/);
  assert.match(
    md ?? "",
    /more site pairs \([\d,]+ rules\) are not listed here, past the 200 this text lists: `quorate ports --format csv`/,
  );
});

/**
 * Sends `method` and cancels it, at once or (`running`) once a hover sent behind it has been
 * answered — the request is then under way (on the background thread, or between the steps of
 * the main thread's sweep): either way the answer is RequestCancelled, never the computed result.
 */
async function cancelled(c: Client, method: string, params: unknown, running?: { uri: string; line: number }): Promise<void> {
  const source = new CancellationTokenSource();
  const answer = c.conn.sendRequest(method, params, source.token);
  answer.catch(() => undefined);
  if (running) {
    const hover = await c.conn.sendRequest("textDocument/hover", {
      textDocument: { uri: running.uri },
      position: { line: running.line, character: 11 },
    });
    assert.ok(hover, "the hover was answered");
  }
  source.cancel();
  await assert.rejects(
    answer,
    (e: { code?: number }) => e.code === LSPErrorCodes.RequestCancelled,
    `${method} answered RequestCancelled${running ? " (cancelled while running)" : ""}`,
  );
}

test("a cancelled decision record or game day answers RequestCancelled, from the background thread and from the main thread", async () => {
  const text = design(SITES);
  const line = text.split("\n").indexOf("  - name: s7");
  const gameday = { scenario: { lose: ["s1"] }, tool: "chaos-mesh", duration: "10m", acceptDown: true };
  client ??= await Client.start({ initializationOptions: { backgroundMinKb: 1024 } });
  const c = client;
  await waitFor("the background thread to start", () => c.logs.some((l) => l.includes("background thread ready")));
  const local = await Client.start({ initializationOptions: { backgroundMinKb: 0 } });
  try {
    for (const [who, x] of [
      ["background", c],
      ["main", local],
    ] as const) {
      const uri = `file:///tmp/quorate-offthread/cancel-${who}.topology.yaml`;
      await x.open(uri, text);
      await x.diagnosticsAfter(uri, 0);
      await cancelled(x, "quorate/decisionRecord", { uri });
      await cancelled(x, "quorate/decisionRecord", { uri }, { uri, line });
      await cancelled(x, "quorate/gameday", { uri, ...gameday });
      // the server goes on serving: the same request, not cancelled, is answered
      assert.ok((await x.conn.sendRequest<{ files: unknown[] } | null>("quorate/gameday", { uri, ...gameday }))?.files.length);
    }
  } finally {
    await local.stop();
  }
});
