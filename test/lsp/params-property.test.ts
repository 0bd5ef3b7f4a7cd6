import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { FIXABLE } from "../fixtures/fixable";
import { Client } from "./client";

// Malformed params for every custom request, at random (null, missing fields, wrong types,
// prototype keys, huge and non-finite numbers, hostile scenario contents), through the real
// server — main thread and background thread alike. Each is answered: a result, or invalid
// params (-32602) naming the field; never an internal error, and the server keeps serving.
// QUORATE_SEED reproduces a run, QUORATE_PROPERTY_RUNS sets how many requests.

const SEED = Number(process.env.QUORATE_SEED ?? Date.now() % 1e9);
const RUNS = Number(process.env.QUORATE_PROPERTY_RUNS ?? 120);
const URI = "file:///tmp/quorate-params/two.topology.yaml";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const GOOD: Record<string, Record<string, unknown>> = {
  "quorate/diagram": { uri: URI },
  "quorate/summary": { uri: URI },
  "quorate/decisionRecord": { uri: URI },
  "quorate/simulate": { uri: URI, scenario: { lose: ["fra"] } },
  "quorate/gameday": { uri: URI, scenario: { lose: ["fra"] }, tool: "chaos-mesh", duration: "5m", acceptDown: true },
  "quorate/compare": { uri: URI, revision: "HEAD" },
};

let client: Client;
before(async () => {
  client = await Client.start();
  await client.open(URI, FIXABLE["two-site.topology.yaml"]);
  await client.diagnosticsAfter(URI, 0);
});
after(async () => {
  await client?.stop();
});

test(`random malformed params for every custom request: a result or -32602 naming the field, never -32603 (seed ${SEED}, ${RUNS} requests)`, async () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const junk = (depth = 0): unknown =>
    pick<() => unknown>([
      () => null,
      () => undefined,
      () => 42,
      () => -1,
      () => 1e308,
      () => 1000.000001,
      () => true,
      () => "",
      () => "fra",
      () => "../../etc/passwd",
      () => "\u001b]0;owned\u0007",
      () => [],
      () => ({}),
      () => ({ __proto__: { polluted: 1 }, constructor: "x" }),
      () => (depth < 2 ? [junk(depth + 1), junk(depth + 1)] : "x"),
      () => (depth < 2 ? { between: junk(depth + 1), factor: junk(depth + 1) } : 0),
    ])();
  const scenarioJunk = (): unknown => {
    const s: Record<string, unknown> = {};
    for (const k of ["lose", "partition", "cut", "slow", "loseMembers", "rttFactor", "isolate", "withdraw", "constructor", "__proto__"])
      if (r() < 0.4) s[k] = junk();
    return r() < 0.2 ? junk() : s;
  };
  const methods = Object.keys(GOOD);
  const failures: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const method = methods[i % methods.length];
    let params: unknown = { ...GOOD[method] };
    const fields = Object.keys(GOOD[method]);
    const how = Math.floor(r() * 5);
    if (how === 0) params = pick([null, undefined, 7, "x", [], [URI]]);
    else if (how === 1) delete (params as Record<string, unknown>)[pick(fields)];
    else if (how === 2) (params as Record<string, unknown>)[pick(fields)] = junk();
    else if (how === 3 && "scenario" in (params as object)) (params as Record<string, unknown>).scenario = scenarioJunk();
    else (params as Record<string, unknown>)[pick(fields)] = pick([null, 0, {}, [], "file:///nowhere.topology.yaml"]);
    const shown = JSON.stringify(params) ?? String(params);
    try {
      await client.request(method, params);
    } catch (e) {
      const err = e as { code: number; message: string };
      if (err.code !== -32602) failures.push(`${method} ${shown}: ${err.code} ${err.message}`);
      else if (!new RegExp(`^${method.replace("/", "\\/")}: params(\\.[A-Za-z]+)? `).test(err.message))
        failures.push(`${method} ${shown}: -32602 without the field: ${err.message}`);
    }
  }
  assert.deepEqual(failures, [], `reproduce: QUORATE_SEED=${SEED} QUORATE_PROPERTY_RUNS=${RUNS} node scripts/test.mjs params-property`);
  // the server keeps serving: every request well-formed still answers, and so does a hover
  const d = await client.request<{ mermaid: string }>("quorate/diagram", GOOD["quorate/diagram"]);
  assert.match(d.mermaid, /^flowchart/);
  const sim = await client.request<{ verdict: string }>("quorate/simulate", GOOD["quorate/simulate"]);
  assert.ok(sim.verdict);
});

test("a latency factor over the request: > 1 and ≤ 1000 is run, 1 and just over 1000 are dropped as on the CLI they are refused", async () => {
  const factor = async (f: number) =>
    (await client.request<{ scenario: { rttFactor: number | null } }>("quorate/simulate", { uri: URI, scenario: { rttFactor: f } }))
      .scenario.rttFactor;
  assert.equal(await factor(1000), 1000);
  assert.equal(await factor(1.001), 1.001);
  assert.equal(await factor(1000.001), null);
  assert.equal(await factor(1), null);
  assert.equal(await factor(1e308), null);
  const slow = async (f: number) =>
    (
      await client.request<{ scenario: { slow: unknown[] } }>("quorate/simulate", {
        uri: URI,
        scenario: { slow: [{ between: ["fra", "lon"], factor: f }] },
      })
    ).scenario.slow.length;
  assert.equal(await slow(1000), 1);
  assert.equal(await slow(1000.001), 0);
  assert.equal(await slow(1), 0);
});
