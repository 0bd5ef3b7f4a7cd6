import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { corpus } from "../fuzz/corpus";
import { generate, replay, shrink } from "../fuzz/lspfuzz";
import { rng, seedFromEnv } from "../helpers";
import { Client } from "./client";

/** Bounded for npm test; `npm run fuzz` runs the same with a seed, for as long as asked. */
const RUNS = 40;

test(`LSP edit fuzzer: ${RUNS} seeded runs of random incremental edits against the server`, async (t) => {
  const seed = seedFromEnv();
  const client = await Client.start();
  t.after(() => client.stop());
  const r = rng(seed);
  const texts = corpus();
  let edits = 0;
  for (let i = 0; i < RUNS; i++) {
    const repro = generate(seed, r, texts);
    edits += repro.batches.flat().length;
    const problem = await replay(client, repro);
    if (problem) {
      const small = await shrink(client, repro);
      const file = join(__dirname, "..", "..", `fuzz-repro-${seed}.json`);
      writeFileSync(file, JSON.stringify(small, null, 1));
      assert.fail(
        `seed ${seed}, run ${i}: ${(await replay(client, small)) ?? problem}\nshrunk repro: ${file} (replay: npm run fuzz -- lsp --replay ${file})`,
      );
    }
  }
  assert.ok(client.alive);
  assert.ok(edits > RUNS, `${edits} edits`);
});
