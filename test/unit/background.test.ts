import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Background } from "../../server/src/background/host";
import type { FromBackground, ToBackground } from "../../server/src/background/messages";
import { type HeapKeeper, type HeapKeeperOptions, heapKeeper } from "../../server/src/background/memory";
import { type Rehearsed, runBackground } from "../../server/src/background/worker";
import { changeBetween } from "../../server/src/incremental";
import { QuorateService } from "../../server/src/service/service";
import { DEFAULT_SETTINGS } from "../../server/src/service/settings";
import { simulate } from "../../server/src/service/whatif";
import { FIXABLE } from "../fixtures/fixable";
import { rng, seedFromEnv, wide } from "../helpers";

test("changeBetween: applying the one change to the old text gives the new one, and it starts no earlier than the first edit", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const alphabet = "ab \n-:";
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
  for (let k = 0; k < 2000; k++) {
    const before = word(Math.floor(r() * 40));
    let after = before;
    let lo = after.length;
    // one to three random edits in a row, as a burst of keystrokes
    for (let e = 1 + Math.floor(r() * 3); e > 0; e--) {
      const s = Math.floor(r() * (after.length + 1));
      const t = s + Math.floor(r() * Math.min(4, after.length - s + 1));
      const ins = word(Math.floor(r() * 4));
      after = after.slice(0, s) + ins + after.slice(t);
      lo = Math.min(lo, s);
    }
    const c = changeBetween(before, after);
    assert.equal(before.slice(0, c.start) + c.text + before.slice(c.end), after, `seed ${seed} case ${k}`);
    assert.ok(c.start <= c.end && c.end <= before.length);
    // nothing before the first edit changed: the change cannot start earlier
    assert.ok(c.start >= Math.min(lo, before.length, after.length), `seed ${seed} case ${k}: starts before the first edit`);
  }
  assert.deepEqual(changeBetween("same", "same"), { start: 4, end: 4, text: "" });
  assert.deepEqual(changeBetween("", "new"), { start: 0, end: 0, text: "new" });
  assert.deepEqual(changeBetween("abc", ""), { start: 0, end: 3, text: "" });
});

test("a large answer crosses in pieces, one per step of its writing, and reads back as the whole answer", async () => {
  const t = fakeThread();
  const uri = "file:///w/wide.topology.yaml";
  const text = wide(1500);
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  t.send({ t: "request", id: 9, method: "quorate/simulate", params: { uri, scenario: { lose: ["a"] } } });
  const answered = () => t.posts.findIndex((p) => p.t === "response" && p.id === 9);
  for (let turns = 0; answered() < 0; turns++) {
    assert.ok(turns < 1_000_000, "the click is answered");
    await t.settled();
  }
  const answer = t.posts[answered()];
  const parts = t.posts.filter((p) => p.t === "part" && p.id === 9).map((p) => (p.t === "part" ? p.json : ""));
  assert.ok(answer.t === "response" && answer.json !== undefined && !answer.error);
  const json = parts.join("") + answer.json;
  assert.ok(parts.length >= Math.floor(json.length / 70_000), `${parts.length} pieces for ${json.length} characters`);
  assert.ok(
    parts.every((p) => p.length < 70_000),
    "a piece per step",
  );
  const expected = new QuorateService();
  expected.update(uri, text);
  assert.deepEqual(JSON.parse(json), asJson(await simulate(expected.analysis(uri)!, expected.findings(uri), { lose: ["a"] })));
});

/** A response's result as the main thread reads it (the thread sends it as JSON). */
const resultOf = (p: FromBackground): unknown => (p.t === "response" && p.json !== undefined ? JSON.parse(p.json) : undefined);
/** A value as it reads back from JSON (what reaches the client). */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** A background thread's logic on a port of our own: messages in, what it posts out. */
function fakeThread(
  warmUp = false,
  heap?: HeapKeeper,
  push = true,
  rehearsed?: Rehearsed,
  arrived?: () => number,
): { send(m: ToBackground): void; posts: FromBackground[]; settled(): Promise<void> } {
  let listener: ((m: ToBackground) => void) | undefined;
  const posts: FromBackground[] = [];
  runBackground(
    {
      on: (_e, l) => {
        listener = l;
      },
      postMessage: (m) => {
        posts.push(m);
      },
    },
    { warmUp, heap, push, rehearsed, arrived },
  );
  return {
    send: (m) => listener!(m),
    posts,
    // the thread drains on setImmediate, queued when a message arrived: one more turn and it has run
    settled: () => new Promise((r) => setImmediate(r)),
  };
}

test("the background thread takes edits that arrive together as one: one analysis, the newest version's diagnostics only", async () => {
  const t = fakeThread();
  const uri = "file:///w/two.topology.yaml";
  const text = FIXABLE["two-site.topology.yaml"];
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  const first = t.posts.filter((p) => p.t === "diagnostics");
  assert.equal(first.length, 1);
  assert.ok(first[0].t === "diagnostics" && first[0].version === 1 && JSON.parse(first[0].json!).length > 0);
  // five edits before the thread gets to run: rttMs 14 → 15 … 19
  const at = text.indexOf("rttMs: 14") + "rttMs: 1".length;
  for (let v = 2; v <= 6; v++)
    t.send({ t: "update", uri, change: { start: at, end: at + 1, text: String(v + 3) }, open: true, version: v, hosted: true });
  t.send({ t: "request", id: 1, method: "textDocument/hover", params: { textDocument: { uri }, position: positionOf(text, at) } });
  await t.settled();
  const later = t.posts.slice(first.length + 1).filter((p) => p.t === "diagnostics");
  assert.deepEqual(
    later.map((p) => p.t === "diagnostics" && p.version),
    [6],
  );
  const answer = t.posts.find((p) => p.t === "response" && p.id === 1);
  assert.ok(answer?.t === "response" && /19 ms/.test(answer.json ?? ""), JSON.stringify(answer));
  // a file that is not hosted is analysed (a replica for cross-file rules) but not reported
  t.send({ t: "update", uri: "file:///w/small.topology.yaml", text, open: true, version: 1, hosted: false });
  await t.settled();
  assert.equal(t.posts.filter((p) => p.t === "diagnostics" && p.uri.endsWith("small.topology.yaml")).length, 0);
  // an unknown method is an error response, not a dead thread
  t.send({ t: "request", id: 2, method: "nope/nothing", params: {} });
  await t.settled();
  const err = t.posts.find((p) => p.t === "response" && p.id === 2);
  assert.ok(err?.t === "response" && err.error && /no handler for nope\/nothing/.test(err.error.message));
});

test("a client that pulls diagnostics gets them once, as its request's answer: the thread's analysed notice carries none", async () => {
  const uri = "file:///w/two.topology.yaml";
  const text = FIXABLE["two-site.topology.yaml"];
  const run = async (push: boolean) => {
    const t = fakeThread(false, undefined, push);
    t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
    t.send({ t: "request", id: 1, method: "textDocument/diagnostic", params: { textDocument: { uri } } });
    await t.settled();
    const notice = t.posts.find((p) => p.t === "diagnostics");
    const pulled = resultOf(t.posts.find((p) => p.t === "response" && p.id === 1)!) as { items: { code: string }[] };
    return { sent: notice?.t === "diagnostics" ? notice.json : "no notice", pulled: pulled.items.map((d) => d.code) };
  };
  const pushed = await run(true);
  const pulling = await run(false);
  assert.ok(pushed.pulled.includes("quorum/two-site-split"), pushed.pulled.join(", "));
  assert.deepEqual(
    JSON.parse(pushed.sent!).map((d: { code: string }) => d.code),
    pushed.pulled,
    "pushed: sent with the analysis",
  );
  assert.equal(pulling.sent, undefined, "pulled: the notice carries no diagnostics");
  assert.deepEqual(pulling.pulled, pushed.pulled, "the same diagnostics, answered to the pull");
});

test("a keystroke right behind a Simulate click is analysed before the click is answered, and the answer is for the edited text", async () => {
  const t = fakeThread();
  const uri = "file:///w/two.topology.yaml";
  const text = FIXABLE["two-site.topology.yaml"];
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  // the click, and an edit before the thread has got to it: fra 2 → 3 (losing lon, where core does not run, no longer loses etcd's majority)
  t.send({ t: "request", id: 7, method: "quorate/simulate", params: { uri, scenario: { lose: ["lon"] } } });
  const at = text.indexOf("fra: 2,") + "fra: ".length;
  t.send({ t: "update", uri, change: { start: at, end: at + 1, text: "3" }, open: true, version: 2, hosted: true });
  const answered = () => t.posts.findIndex((p) => p.t === "response" && p.id === 7);
  // (the click's steps are timer turns apart: wait on the thread's own turns, many of them)
  for (let turns = 0; answered() < 0; turns++) {
    assert.ok(turns < 1_000_000, "the click is answered");
    await t.settled();
  }
  const edited = t.posts.findIndex((p) => p.t === "diagnostics" && p.version === 2);
  assert.ok(edited >= 0 && edited < answered(), `the edit's diagnostics (#${edited}) come before the click's answer (#${answered()})`);
  const expected = new QuorateService();
  expected.update(uri, `${text.slice(0, at)}3${text.slice(at + 1)}`);
  const answer = t.posts[answered()];
  assert.ok(answer.t === "response" && !answer.error);
  assert.deepEqual(resultOf(answer), asJson(await simulate(expected.analysis(uri)!, expected.findings(uri), { lose: ["lon"] })));
  const before = new QuorateService();
  before.update(uri, text);
  const unedited = await simulate(before.analysis(uri)!, before.findings(uri), { lose: ["lon"] });
  assert.notDeepEqual((resultOf(answer) as { verdict: unknown }).verdict, unedited!.verdict, "the edit changes the verdict");
});

test("a request cancelled before the thread has started it is never run: answered cancelled, for every off-thread request", async () => {
  const t = fakeThread();
  const uri = "file:///w/two.topology.yaml";
  t.send({ t: "update", uri, text: FIXABLE["two-site.topology.yaml"], open: true, version: 1, hosted: true });
  await t.settled();
  // core runs at fra: losing lon stops its API (down)
  const params = { uri, scenario: { lose: ["lon"] } };
  let id = 20;
  for (const method of ["quorate/simulate", "quorate/decisionRecord", "quorate/gameday"]) {
    id++;
    // the request and its cancellation read in one batch: the cancellation finds it still queued
    t.send({
      t: "request",
      id,
      method,
      params: method === "quorate/gameday" ? { ...params, tool: "chaos-mesh", duration: "10m" } : params,
    });
    t.send({ t: "cancel", id });
    t.send({ t: "request", id: 100 + id, method: "quorate/simulate", params });
    const answers = () => t.posts.filter((p) => p.t === "response" && (p.id === id || p.id === 100 + id));
    for (let turns = 0; answers().length < 2; turns++) {
      assert.ok(turns < 1_000_000, `${method}: both answered`);
      await t.settled();
    }
    const [cancelled, next] = answers();
    assert.ok(cancelled.t === "response" && cancelled.id === id, `${method}: the cancelled one is answered first`);
    assert.equal(cancelled.error?.code, -32800, `${method}: ${JSON.stringify(cancelled).slice(0, 200)}`);
    assert.equal(cancelled.json, undefined);
    assert.ok(
      next.t === "response" && !next.error && (resultOf(next) as { verdict?: string }).verdict === "down",
      "the next one is answered",
    );
  }
});

test("a Simulate cancelled while it runs stops at its next step, and the thread is idle: no more work, the next request answered", async () => {
  const t = fakeThread();
  const uri = "file:///w/many.topology.yaml";
  // 20 sites: the single-site strip is 20 more runs after the scenario, a step each
  const sites = Array.from({ length: 20 }, (_, i) => `s${i}`);
  const text = `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: t\nsites:\n${sites.map((x) => `  - name: ${x}`).join("\n")}\nlinks:\n${sites
    .slice(1)
    .map((x, i) => `  - { between: [${sites[i]}, ${x}], rttMs: 5 }`)
    .join("\n")}\nstores:\n  - { name: l, replication: consensus, members: { s0: 1, s1: 1, s2: 1 } }\n`;
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  t.send({ t: "request", id: 1, method: "quorate/simulate", params: { uri, scenario: { lose: ["s1"] } } });
  await t.settled(); // the thread has started: the scenario ran, the strip has not
  assert.equal(t.posts.filter((p) => p.t === "response").length, 0, "still running");
  t.send({ t: "cancel", id: 1 });
  const response = () => t.posts.find((p) => p.t === "response" && p.id === 1);
  for (let turns = 0; !response(); turns++) {
    assert.ok(turns < 1_000_000, "the cancelled click is answered");
    await t.settled();
  }
  const r = response();
  assert.equal(r?.t === "response" ? r.error?.code : undefined, -32800);
  // idle: many turns later the thread has posted nothing more (no strip site went on running)
  const posted = t.posts.length;
  for (let turns = 0; turns < 200; turns++) await t.settled();
  assert.equal(t.posts.length, posted, JSON.stringify(t.posts.slice(posted)).slice(0, 300));
  t.send({ t: "request", id: 2, method: "quorate/simulate", params: { uri, scenario: { lose: ["s2"] } } });
  for (let turns = 0; !t.posts.some((p) => p.t === "response" && p.id === 2); turns++) {
    assert.ok(turns < 1_000_000, "the next click is answered");
    await t.settled();
  }
  const next = t.posts.find((p) => p.t === "response" && p.id === 2);
  assert.ok(next?.t === "response" && !next.error && (resultOf(next) as { singles: unknown[] }).singles.length === 20);
});

const logs = (posts: FromBackground[]) => posts.flatMap((p) => (p.t === "log" ? [p.message] : []));

test("the warm-up stops the moment a document arrives: the document is analysed at once and the thread says it is ready", async () => {
  const t = fakeThread(true);
  const uri = "file:///w/two.topology.yaml";
  // before the first step has run: the warm-up ends after none
  t.send({ t: "update", uri, text: FIXABLE["two-site.topology.yaml"], open: true, version: 1, hosted: true });
  await t.settled();
  assert.deepEqual(logs(t.posts), ["warm-up stopped after 0 steps: real work arrived (its edit steps run once the thread is idle)"]);
  const kinds = t.posts.map((p) => p.t);
  assert.deepEqual(kinds.slice(0, 3), ["log", "ready", "diagnostics"]);
  // a keystroke right after the document's diagnostics is analysed before any of the put-off steps
  const at = FIXABLE["two-site.topology.yaml"].indexOf("rttMs: 14") + "rttMs: 1".length;
  t.send({ t: "update", uri, change: { start: at, end: at + 1, text: "5" }, open: true, version: 2, hosted: true });
  await t.settled();
  const edited = t.posts.findIndex((p) => p.t === "diagnostics" && p.version === 2);
  assert.ok(edited > 0, "the keystroke's diagnostics");
  assert.equal(logs(t.posts).length, 1, "no put-off step has finished the warm-up yet");
  // once idle, the edit steps it skipped run (the parser's and the rules' were warmed by the document itself)
  for (let k = 0; k < 3000 && logs(t.posts).length < 2; k++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(logs(t.posts)[1], "warm-up: its edit steps ran once the thread was idle");
  // and it does not start over after more work, nor say it is ready again
  t.send({ t: "update", uri, change: { start: at, end: at + 1, text: "4" }, open: true, version: 3, hosted: true });
  for (let k = 0; k < 50 && !t.posts.some((p) => p.t === "diagnostics" && p.version === 3); k++) await t.settled();
  assert.ok(t.posts.some((p) => p.t === "diagnostics" && p.version === 3));
  assert.equal(logs(t.posts).length, 2);
  assert.equal(logs(t.posts).length, 2);
  assert.equal(t.posts.filter((p) => p.t === "ready").length, 1);
});

test("the first large file opened has a keystroke rehearsed before its diagnostics and a few more once the thread is idle; none once one is typed into", async () => {
  const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const text = wide(60);
  const at = text.indexOf("k30, site: a") + 2;
  const seen: string[] = [];
  const t = fakeThread(false, undefined, true, (u) => seen.push(u));
  const uri = "file:///w/wide.topology.yaml";
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  assert.ok(t.posts.some((p) => p.t === "diagnostics" && p.version === 1));
  // the first before its diagnostics were posted (a keystroke sent the moment they arrive finds it done)
  assert.deepEqual(seen, [uri]);
  // the others once the thread has been idle a while (each gives way to work: see below)
  for (let k = 0; k < 300 && seen.length < 3; k++) await idle(10);
  assert.deepEqual(seen, [uri, uri, uri]);
  // three in the thread's life: the code is compiled, another large file opened is not rehearsed
  t.send({ t: "update", uri: "file:///w/next.topology.yaml", text, open: true, version: 1, hosted: true });
  await idle(500);
  assert.equal(seen.length, 3);

  // a file typed into at once: its keystrokes compile the code themselves, nothing is rehearsed after its diagnostics, now or later
  const typed: string[] = [];
  const u = fakeThread(false, undefined, true, (x) => typed.push(x));
  u.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await u.settled();
  u.send({ t: "update", uri, change: { start: at, end: at, text: "1" }, open: true, version: 2, hosted: true });
  await u.settled();
  assert.ok(u.posts.some((p) => p.t === "diagnostics" && p.version === 2));
  u.send({ t: "update", uri: "file:///w/next.topology.yaml", text, open: true, version: 1, hosted: true });
  await idle(500);
  assert.deepEqual(typed, [uri]);
});

test("the warm-up goes on to its end through settings and the workspace's closed files, and stops on a request", async () => {
  const t = fakeThread(true);
  t.send({ t: "settings", settings: DEFAULT_SETTINGS });
  t.send({ t: "update", uri: "file:///w/closed.topology.yaml", text: FIXABLE["two-site.topology.yaml"], open: false, hosted: false });
  // every step is a turn of the event loop; the whole warm-up takes a few dozen
  let turns = 0;
  while (!t.posts.some((p) => p.t === "ready") && turns < 1000) {
    await t.settled();
    turns++;
  }
  assert.ok(turns > 20 && turns < 1000, `${turns} turns`);
  assert.deepEqual(logs(t.posts), []);
  // a request while warming up stops it too
  const u = fakeThread(true);
  u.send({
    t: "request",
    id: 1,
    method: "textDocument/hover",
    params: { textDocument: { uri: "file:///w/none.yaml" }, position: { line: 0, character: 0 } },
  });
  await u.settled();
  assert.deepEqual(logs(u.posts), ["warm-up stopped after 0 steps: real work arrived (its edit steps run once the thread is idle)"]);
  assert.ok(u.posts.some((p) => p.t === "response" && p.id === 1));
});

function positionOf(text: string, offset: number): { line: number; character: number } {
  const pre = text.slice(0, offset);
  return { line: pre.split("\n").length - 1, character: offset - pre.lastIndexOf("\n") - 1 };
}

test("the service keeps a hosted file's text but no analysis, takes its contributions, and analyses it again when hosting ends", () => {
  const s = new QuorateService();
  const big = "file:///w/payments-eu.topology.yaml";
  const rbacUri = "file:///w/rbac.yaml";
  const topology = readFileSync(join(__dirname, "..", "..", "..", "examples", "payments-eu.topology.yaml"), "utf8");
  const rbac = readFileSync(join(__dirname, "..", "..", "..", "examples", "rbac", "service-exporters.yaml"), "utf8");
  // what a service analysing everything says, to compare with
  const whole = new QuorateService();
  whole.update(big, topology);
  whole.update(rbacUri, rbac);
  const expected = whole.diagnostics(rbacUri);
  assert.ok(expected.some((d) => String(d.code).startsWith("rbac/")));

  s.setHostedMinChars(1000);
  s.update(big, topology);
  s.update(rbacUri, rbac);
  assert.ok(s.isHosted(big) && !s.isHosted(rbacUri));
  assert.equal(s.analysis(big), undefined);
  assert.equal(s.text(big), topology);
  // without the hosted topology's export policy the RBAC file is judged differently
  assert.notDeepEqual(s.diagnostics(rbacUri), expected);
  // contributions are only taken from hosted files
  assert.deepEqual(s.setContributions(rbacUri, { drift: [] }), []);
  const changed = s.setContributions(big, whole.contributionsOf(big));
  assert.ok(changed.includes(rbacUri));
  assert.deepEqual(s.diagnostics(rbacUri), expected);
  // hosting ends (the background thread is gone): the file is analysed here, its contributions dropped
  const again = s.setHostedMinChars(Number.POSITIVE_INFINITY);
  assert.ok(again.includes(big));
  assert.ok(!s.isHosted(big) && s.analysis(big));
  assert.deepEqual(s.diagnostics(big), whole.diagnostics(big));
  assert.deepEqual(s.diagnostics(rbacUri), expected);
});

test("a background thread that dies fails its waiting requests with a message and says it is gone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-bgdie-"));
  try {
    const script = join(dir, "dies.js");
    writeFileSync(script, "setTimeout(() => process.exit(3), 50);\n");
    let gone = "";
    const b = new Background(script, {
      message: () => undefined,
      gone: (why) => {
        gone = why;
      },
    });
    b.start({ warmUp: false, push: true });
    assert.ok(b.running);
    await assert.rejects(b.request("textDocument/hover", {}), /background thread exited \(code 3\)/);
    assert.match(gone, /exited \(code 3\)/);
    assert.equal(b.running, false);
    await assert.rejects(b.request("textDocument/hover", {}), /not running/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the main thread reads an answer sent in pieces as their text joined, and an answer that failed after a piece as its error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-bgparts-"));
  try {
    const script = join(dir, "parts.js");
    // request 1 answers in three pieces; request 2 sends a piece, then fails
    writeFileSync(
      script,
      `const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  if (m.t !== "request") return;
  if (m.id === 1) {
    parentPort.postMessage({ t: "part", id: 1, json: '{"a":[1,' });
    parentPort.postMessage({ t: "part", id: 1, json: '2],"b":' });
    parentPort.postMessage({ t: "response", id: 1, json: '"x"}' });
  } else {
    parentPort.postMessage({ t: "part", id: m.id, json: '{"c":' });
    parentPort.postMessage({ t: "response", id: m.id, error: { message: "failed", code: -32603 } });
  }
});
`,
    );
    const b = new Background(script, { message: () => undefined, gone: () => undefined });
    b.start({ warmUp: false, push: true });
    assert.deepEqual(await b.request("x/one", {}), { a: [1, 2], b: "x" });
    await assert.rejects(b.request("x/two", {}), /failed/);
    await b.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A heap keeper over a fake heap: it reads `heap.used` and `heap.clock`, and each collection is
 * counted and leaves 110 (what survived). `options` adds to a factor of 1.5 and no slack.
 */
function keeperOnFakeHeap(options: Partial<HeapKeeperOptions> = {}): {
  heap: { used: number; clock: number; collections: number };
  keeper: HeapKeeper;
} {
  const heap = { used: 100, clock: 0, collections: 0 };
  const keeper = heapKeeper({
    factor: 1.5,
    slackMb: 0,
    used: () => heap.used,
    now: () => heap.clock,
    collect: () => {
      heap.collections++;
      heap.used = 110;
    },
    ...options,
  });
  return { heap, keeper };
}

test("the heap keeper collects a grown heap once the thread is quiet, or after work that goes on past its latest", async () => {
  const { heap, keeper } = keeperOnFakeHeap({ quietMs: 5, latestMs: 30 });
  const quiet = () => new Promise((r) => setTimeout(r, 15));
  // not grown enough (needs 150): work and quiet collect nothing
  heap.used = 149;
  keeper.afterWork();
  await quiet();
  assert.equal(heap.collections, 0);
  // grown: not at once after the work, but once quiet
  heap.used = 150;
  keeper.afterWork();
  assert.equal(heap.collections, 0, "a keystroke arriving right after its diagnostics does not wait for a collection");
  await quiet();
  assert.equal(heap.collections, 1);
  // what survived (110) is the new base: 160 is not enough, 165 is
  heap.used = 160;
  keeper.afterWork();
  await quiet();
  assert.equal(heap.collections, 1);
  // work that keeps coming: put off at first, then collected right after the work past latestMs
  heap.used = 165;
  keeper.afterWork();
  heap.clock = 20;
  keeper.afterWork();
  assert.equal(heap.collections, 1, "put off while within latestMs");
  heap.clock = 31;
  keeper.afterWork();
  assert.equal(heap.collections, 2, "collected at once past latestMs");
  await quiet();
  assert.equal(heap.collections, 2, "the quiet timer was cancelled");
  // rebase takes the heap as it is (garbage included) as the base
  heap.used = 200;
  keeper.rebase();
  keeper.afterWork();
  await quiet();
  assert.equal(heap.collections, 2);
  keeper.idle();
  assert.equal(heap.collections, 2, "idle() collects only a grown heap");
  heap.used = 300;
  keeper.idle();
  assert.equal(heap.collections, 3);
  // released(): a large file let go is collected at once, grown or not, and what survived is the base
  heap.used = 120;
  keeper.released();
  assert.equal(heap.collections, 4);
  heap.used = 164;
  keeper.idle();
  assert.equal(heap.collections, 4, "110 survived: 164 is not grown enough");
});

test("closing or deleting a file the thread analyses collects at once; a small file's close does not", async () => {
  let released = 0;
  const heap: HeapKeeper = { idle() {}, afterWork() {}, rebase() {}, largeOpened() {}, released: () => released++ };
  const t = fakeThread(false, heap);
  const text = FIXABLE["two-site.topology.yaml"];
  const large = "file:///w/large.topology.yaml";
  const small = "file:///w/small.topology.yaml";
  t.send({ t: "update", uri: large, text, open: true, version: 1, hosted: true });
  t.send({ t: "update", uri: small, text, open: true, version: 1, hosted: false });
  await t.settled();
  t.send({ t: "close", uri: small });
  await t.settled();
  assert.equal(released, 0, "a file analysed on the main thread: nothing of it is here to free");
  t.send({ t: "close", uri: large });
  await t.settled();
  assert.equal(released, 1);
  // on disk too: closing keeps it (with its disk text), so nothing is let go
  t.send({ t: "update", uri: large, text, open: false, version: undefined, hosted: true });
  await t.settled();
  t.send({ t: "update", uri: large, text, open: true, version: 2, hosted: true });
  await t.settled();
  t.send({ t: "close", uri: large, diskText: text });
  await t.settled();
  assert.equal(released, 1);
  t.send({ t: "remove", uri: large });
  await t.settled();
  assert.equal(released, 2, "then deleted on disk: gone");
});

test("a request answered later (a Simulate click) is followed by the heap keeper's check, as any other work", async () => {
  let answered = () => false;
  /** afterWork calls made once the click's answer was posted */
  let checksAfterAnswer = 0;
  const heap: HeapKeeper = {
    idle() {},
    afterWork: () => {
      if (answered()) checksAfterAnswer++;
    },
    rebase() {},
    largeOpened() {},
    released() {},
  };
  const t = fakeThread(false, heap);
  answered = () => t.posts.some((p) => p.t === "response" && p.id === 7);
  const uri = "file:///w/two.topology.yaml";
  const text = FIXABLE["two-site.topology.yaml"];
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  t.send({ t: "request", id: 7, method: "quorate/simulate", params: { uri, scenario: { lose: [] } } });
  // the click yields between its steps: wait for its answer, then one more turn
  while (!answered()) await t.settled();
  await t.settled();
  // (the file's rehearsed keystroke, put off while the click was answered, may run by now and check too)
  assert.ok(checksAfterAnswer >= 1, `${checksAfterAnswer} checks`);
  const answer = t.posts.find((p) => p.t === "response" && p.id === 7);
  assert.ok(answer && answer.t === "response" && !answer.error, "the click was answered");
});

test("a rehearsal gives way to a message posted while it runs: the keystroke is taken next, nothing rehearsed after it", async () => {
  const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const text = wide(60);
  const at = text.indexOf("k30, site: a") + 2;
  const uri = "file:///w/wide.topology.yaml";
  const outcomes: string[] = [];
  // the main thread's count of messages it posted (host.ts): the keystroke is posted (not yet
  // taken) as the first rehearsal asks for the third time; no collection in the way
  let posted = 0;
  let asked = 0;
  const arrived = () => {
    if (++asked === 3) posted++;
    return posted;
  };
  const heap: HeapKeeper = { idle() {}, afterWork() {}, rebase() {}, largeOpened() {}, released() {} };
  const t = fakeThread(false, heap, true, (_u, outcome) => outcomes.push(outcome), arrived);
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  posted++;
  await t.settled();
  for (let k = 0; k < 300 && !outcomes.length; k++) await idle(10);
  assert.deepEqual(outcomes, ["gave way"]);
  assert.equal(asked, 3, "not asked again: it stopped at once");
  // the keystroke itself arrives: analysed and reported, and no rehearsal after a file typed into
  t.send({ t: "update", uri, change: { start: at, end: at, text: "1" }, open: true, version: 2, hosted: true });
  await t.settled();
  assert.ok(t.posts.some((p) => p.t === "diagnostics" && p.version === 2));
  await idle(400);
  assert.deepEqual(outcomes, ["gave way"]);

  // nothing posted meanwhile: the same rehearsal runs to its end, asked before each family
  const ran: string[] = [];
  let checks = 0;
  const u = fakeThread(
    false,
    heap,
    true,
    (_u, outcome) => ran.push(outcome),
    () => {
      checks++;
      return 1;
    },
  );
  u.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  for (let k = 0; k < 300 && !ran.length; k++) await idle(10);
  assert.deepEqual(ran, ["ran"]);
  assert.ok(checks > 10, `${checks} checks`);
});

test("the heap keeper puts a collection due once quiet off while work waits to be taken; the work's own check collects", async () => {
  let waiting = false;
  const { heap, keeper } = keeperOnFakeHeap({ quietMs: 5, latestMs: 30, busy: () => waiting });
  const quiet = () => new Promise((r) => setTimeout(r, 15));
  // grown, and a keystroke posted (not yet taken) when the quiet timer fires: no collection in front of it
  heap.used = 150;
  keeper.afterWork();
  waiting = true;
  await quiet();
  assert.equal(heap.collections, 0);
  // the keystroke taken and analysed: its check collects at once (due for longer than latestMs)
  waiting = false;
  heap.clock = 31;
  keeper.afterWork();
  assert.equal(heap.collections, 1);
});

test("by default the heap keeper never collects while work goes on, however long: only after half a second of quiet", async () => {
  // (the keeper's own quiet and latest: the defaults under test)
  const { heap, keeper } = keeperOnFakeHeap();
  // grown, and keystrokes back to back for ten seconds (a collection there is a pause in front of the next one)
  heap.used = 200;
  for (; heap.clock <= 10_000; heap.clock += 40) keeper.afterWork();
  assert.equal(heap.collections, 0, "no collection between keystrokes");
  // a pause shorter than the quiet: still none
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(heap.collections, 0, "250 ms (a typist's pause) is not quiet");
  // quiet: collected once
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(heap.collections, 1);
});

test("the thread holds the heap's growth once a large file's open is analysed; not for a file analysed elsewhere or a keystroke", async () => {
  let held = 0;
  const heap: HeapKeeper = { idle() {}, afterWork() {}, rebase() {}, largeOpened: () => held++, released() {} };
  const t = fakeThread(false, heap);
  const text = FIXABLE["two-site.topology.yaml"];
  t.send({ t: "update", uri: "file:///w/small.topology.yaml", text, open: true, version: 1, hosted: false });
  await t.settled();
  assert.equal(held, 0, "a file analysed on the main thread");
  const uri = "file:///w/large.topology.yaml";
  t.send({ t: "update", uri, text, open: true, version: 1, hosted: true });
  await t.settled();
  assert.equal(held, 1, "the large file's open");
  const at = text.indexOf("name:") + 6;
  t.send({ t: "update", uri, change: { start: at, end: at, text: "x" }, open: true, version: 2, hosted: true });
  await t.settled();
  assert.equal(held, 1, "its keystroke");
});
