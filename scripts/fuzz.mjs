// npm run fuzz -- [lsp|fixes|all] [--seed N] [--minutes M] [--replay FILE]
// Runs the suite's two fuzzers (built by `npm run build && tsc -b`) for as long as asked: the
// LSP edit fuzzer against the real server, and the fix-safety property on mutated corpus files.
// Each run prints its seed; a failure prints a shrunk, replayable repro and exits 1.
import { createRequire } from "node:module";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const out = join(import.meta.dirname, "..", "out");
const { corpus } = require(join(out, "test/fuzz/corpus.js"));
const { fixSafetyRun } = require(join(out, "test/fuzz/fixsafety.js"));
const { generate, replay, shrink } = require(join(out, "test/fuzz/lspfuzz.js"));
const { Client } = require(join(out, "test/lsp/client.js"));
const { rng } = require(join(out, "test/helpers.js"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const which = ["lsp", "fixes", "all"].find((w) => args.includes(w)) ?? "all";
const minutes = Number(opt("--minutes", "2"));
const seed = Number(opt("--seed", String(Date.now() % 1_000_000)));
const replayFile = opt("--replay");
const deadline = Date.now() + minutes * 60_000;
const texts = corpus();

async function lsp() {
  const client = await Client.start();
  try {
    if (replayFile) {
      const r = JSON.parse(readFileSync(replayFile, "utf8"));
      const problem = await replay(client, r);
      console.log(problem ? `replay fails: ${problem}` : "replay passes");
      return problem ? 1 : 0;
    }
    let runs = 0;
    for (let s = seed; Date.now() < deadline; s++) {
      const r = rng(s);
      for (let i = 0; i < 20; i++) {
        const repro = generate(s, r, texts);
        const problem = await replay(client, repro);
        runs++;
        if (problem) {
          const small = await shrink(client, repro, 200);
          const file = join(out, `fuzz-repro-${s}.json`);
          writeFileSync(file, JSON.stringify(small, null, 1));
          console.log(
            `lsp: seed ${s} fails: ${(await replay(client, small)) ?? problem}\nshrunk repro: ${file}\nreplay: npm run fuzz -- lsp --replay ${file}`,
          );
          return 1;
        }
      }
      console.log(`lsp: seed ${s} ok (${runs} runs so far)`);
    }
    return 0;
  } finally {
    await client.stop();
  }
}

function fixes() {
  for (let s = seed; Date.now() < deadline; s++) {
    const { failures, applied, variants } = fixSafetyRun(rng(s), texts, 3);
    if (failures.length) {
      const f = failures[0];
      console.log(
        `fixes: seed ${s} fails: ${f.name}: "${f.fix}" for ${f.code}: ${f.problem}\n--- before:\n${f.text}\n--- after:\n${f.result}`,
      );
      return 1;
    }
    console.log(`fixes: seed ${s} ok (${variants} variants, ${applied} fixes)`);
    if (which === "all") break;
  }
  return 0;
}

let code = 0;
if (which !== "lsp") code ||= fixes();
if (which !== "fixes") code ||= await lsp();
console.log(code ? "fuzz: failed" : "fuzz: no failure found");
process.exit(code);
