// A Simulate click computes in slices of time, with the event loop turning in between, so a
// keystroke sent behind it is analysed after a slice, not after the click's whole work (issue 23:
// a Simulate click never blocks typing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { CancelledError, stepThrough } from "../../server/src/service/host";
import { simulate } from "../../server/src/service/whatif";
import type { Steps } from "../../server/src/util/steps";
import { ALL_UP, run, runSteps } from "../../server/src/whatif/engine";
import { HEADER } from "../helpers";

/** n sites in a chain, a cluster at each, a consensus store over each three in a row, and a traffic entry per store. */
function chain(n: number): string {
  const sites = Array.from({ length: n }, (_, i) => `s${i}`);
  const stores = sites
    .slice(2)
    .map((x, i) => `  - { name: db${i}, replication: consensus, members: { ${sites[i]}: 1, ${sites[i + 1]}: 1, ${x}: 1 } }`);
  const traffic = sites
    .slice(2)
    .map(
      (x, i) =>
        `  - { name: t${i}, steering: gslb, peakRps: 1000, dependsOn: [db${i}], backends: [{ cluster: k-${sites[i]}, capacityRps: 1000 }, { cluster: k-${x}, capacityRps: 1000 }] }`,
    );
  return `${HEADER}sites:\n${sites.map((x) => `  - name: ${x}`).join("\n")}\nlinks:\n${sites
    .slice(1)
    .map((x, i) => `  - { between: [${sites[i]}, ${x}], rttMs: 2 }`)
    .join(
      "\n",
    )}\nclusters:\n${sites.map((x) => `  - { name: k-${x}, site: ${x} }`).join("\n")}\nstores:\n${stores.join("\n")}\ntraffic:\n${traffic.join("\n")}\n`;
}

test("stepThrough with a slice lets the event loop turn exactly once the slice is spent, never within it", async () => {
  let clock = 0;
  // microtasks run only when stepThrough awaits (lets the event loop turn): each step queues one
  let ran = 0;
  const seen: number[] = [];
  function* steps(): Steps<string> {
    for (let k = 1; k <= 10; k++) {
      seen.push(ran);
      queueMicrotask(() => ran++);
      clock += 4; // each step takes 4 ms on the fake clock
      yield;
    }
    return "done";
  }
  assert.equal(await stepThrough(steps(), undefined, "test", { ms: 10, now: () => clock }), "done");
  // the turns come after 12, 24 and 36 ms (after steps 3, 6 and 9), none in between
  assert.deepEqual(seen, [0, 0, 0, 3, 3, 3, 6, 6, 6, 9]);
});

test("stepThrough with a slice stops at the next step once cancelled", async () => {
  let cancelled = false;
  let ran = 0;
  function* steps(): Steps<number> {
    for (;;) {
      ran++;
      if (ran === 5) cancelled = true;
      yield;
    }
  }
  const token = {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested: () => ({ dispose() {} }),
  };
  await assert.rejects(stepThrough(steps(), token, "the test", { ms: 1000 }), CancelledError);
  assert.equal(ran, 5, "no step after the cancellation");
});

test("runSteps yields before every quorum and traffic entry it judges, and ends with run's result", () => {
  const ctx = analyzeFile("t.topology.yaml", chain(30)).contexts[0];
  assert.equal(ctx.quorums.length, 28);
  assert.equal(ctx.topology.traffic.length, 28);
  for (const s of [ALL_UP, { ...ALL_UP, lose: ["s5"] }, { ...ALL_UP, partition: [["s0", "s1", "s2"], ["s3"]] }]) {
    const steps = runSteps(ctx, s);
    let yields = 0;
    let n = steps.next();
    for (; !n.done; n = steps.next()) yields++;
    assert.ok(
      yields > ctx.quorums.length + ctx.topology.traffic.length,
      `${yields} yields for ${ctx.quorums.length} quorums, 28 traffic entries`,
    );
    assert.deepEqual(n.value, run(ctx, s));
  }
});

test("a Simulate click does none of its engine work before the event loop turns: an edit sent behind it is analysed first", async () => {
  const a = analyzeFile("t.topology.yaml", chain(12));
  const ctx = a.contexts[0];
  const quorums = ctx.quorums;
  let reads = 0;
  // every engine run reads the context's quorums first
  Object.defineProperty(ctx, "quorums", {
    get() {
      reads++;
      return quorums;
    },
  });
  const clicked = simulate(a, [], { lose: ["s3"] });
  assert.equal(reads, 0, "no engine run in the turn the click was taken");
  const r = await clicked;
  assert.ok(reads > 12, "the scenario and the strip's runs");
  assert.equal(r?.name, "lose s3");
  assert.equal(r?.singles.length, 12);
});
