import { test } from "node:test";
import assert from "node:assert/strict";
import { corpus, sharedPresent } from "../fuzz/corpus";
import { fixSafetyRun } from "../fuzz/fixsafety";
import { rng, seedFromEnv } from "../helpers";

if (!sharedPresent()) console.log("# fix safety: ../shared is absent; fuzzing the project's own fixtures and examples only");

test("fix safety: every offered fix on seeded mutations of the corpus parses, keeps comments and lines, removes its finding, adds no error", () => {
  const seed = seedFromEnv();
  const { failures, applied, variants } = fixSafetyRun(rng(seed), corpus(), 3);
  const f = failures[0];
  assert.ok(
    !f,
    f &&
      `seed ${seed} (replay: QUORATE_SEED=${seed} npm test -- fuzz-fixes, or npm run fuzz -- fixes --seed ${seed})\n${f.name}: "${f.fix}" for ${f.code}: ${f.problem}\n--- before:\n${f.text}\n--- after:\n${f.result}`,
  );
  // the corpus without ../shared gives 20–35 parseable variants a seed: the bound says the mutations ran, not how lucky they were
  assert.ok(variants > 15, `seed ${seed}: ${variants} parseable variants`);
  assert.ok(applied > 100, `${applied} fixes applied`);
});
