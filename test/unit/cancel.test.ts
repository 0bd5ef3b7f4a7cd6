// Cancellation reaches the what-if sweeps: a cancelled Simulate, decision record or game day stops
// at the next scenario (or step) instead of evaluating the rest (counted, not timed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone } from "../../server/src/analysis";
import { CancelledError, type Cancellation } from "../../server/src/service/host";
import { gameDayFor, record, simulate } from "../../server/src/service/whatif";
import { decisionRecord } from "../../server/src/whatif/record";
import { HEADER } from "../helpers";

const SITES = 20;
const design = `${HEADER}sites:\n${Array.from({ length: SITES }, (_, i) => `  - name: s${i}`).join("\n")}\nlinks:\n  - { between: [s0, s1], rttMs: 1 }\n  - { between: [s0, s2], rttMs: 1 }\n  - { between: [s1, s2], rttMs: 1 }\nclusters:\n  - name: c\n    site: s0\n    etcd: { members: { s0: 1, s1: 1, s2: 1 } }\n`;

/** A token cancelled once it has been checked `after` times; `checks` counts every check. */
function tokenCancelledAfter(after: number): Cancellation & { checks: number } {
  return {
    checks: 0,
    get isCancellationRequested() {
      this.checks++;
      return this.checks > after;
    },
    onCancellationRequested: () => ({ dispose() {} }),
  };
}

test("simulate checks its token once before the scenario and once per single-site loss of the strip", async () => {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", design);
  const token = tokenCancelledAfter(Number.POSITIVE_INFINITY);
  const r = await simulate(analysis, findings, { lose: ["s1"] }, new Map(), token);
  assert.equal(r?.singles.length, SITES);
  // (chunk boundaries check again after yielding to the event loop)
  assert.ok(token.checks >= SITES + 1, `${token.checks} checks`);
});

test("a simulate cancelled part-way through its sweep stops there: CancelledError, no further scenario evaluated", async () => {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", design);
  for (const after of [0, 1, 5, 12]) {
    const token = tokenCancelledAfter(after);
    await assert.rejects(simulate(analysis, findings, { lose: ["s1"] }, new Map(), token), (e) => e instanceof CancelledError);
    // the check that saw the cancellation was the last: the sweep did not go on to the other sites
    assert.equal(token.checks, after + 1, `cancelled after ${after} checks`);
  }
});

test("the decision record checks its token at every scenario and section, and stops where it is cancelled", async () => {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", design);
  const whole = tokenCancelledAfter(Number.POSITIVE_INFINITY);
  const md = await record(analysis, findings, "t.topology.yaml", "0.0.0", whole);
  assert.equal(md, decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "0.0.0" }), "the same record as the CLI's");
  // every single-site loss and every two-site loss (20 sites ≤ MAX_PAIR_SITES) is a step
  const pairs = (SITES * (SITES - 1)) / 2;
  assert.ok(whole.checks >= SITES + pairs, `${whole.checks} checks`);
  for (const after of [0, 1, 7, 8, 100, whole.checks - 1]) {
    const token = tokenCancelledAfter(after);
    await assert.rejects(record(analysis, findings, "t.topology.yaml", "0.0.0", token), (e) => e instanceof CancelledError);
    assert.equal(token.checks, after + 1, `cancelled after ${after} checks`);
  }
});

test("the game day checks its token between its steps, and stops where it is cancelled", async () => {
  // s1's hosts and c's nodes declared: a game day that cuts something (one that cuts nothing is refused)
  const { analysis } = analyzeAlone(
    "t.topology.yaml",
    design
      .replace("  - name: s1\n", "  - name: s1\n    addresses: [192.0.2.0/28]\n")
      .replace("    site: s0\n", "    site: s0\n    network: { nodes: 10.0.0.0/24 }\n"),
  );
  const params = { uri: "t", scenario: { lose: ["s1"] }, tool: "chaos-mesh" as const, duration: "10m" };
  const whole = tokenCancelledAfter(Number.POSITIVE_INFINITY);
  const g = await gameDayFor(analysis, params, "t.topology.yaml", whole);
  assert.ok(g?.files.some((f) => f.path === "RUNBOOK.md"));
  assert.ok(whole.checks >= 3, `${whole.checks} checks`);
  for (let after = 0; after < whole.checks; after++) {
    const token = tokenCancelledAfter(after);
    await assert.rejects(gameDayFor(analysis, params, "t.topology.yaml", token), (e) => e instanceof CancelledError);
    assert.equal(token.checks, after + 1, `cancelled after ${after} checks`);
  }
});
