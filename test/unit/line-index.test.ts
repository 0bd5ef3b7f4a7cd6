import { test } from "node:test";
import assert from "node:assert/strict";
import { LineIndex } from "../../server/src/model/text";
import { rng, seedFromEnv } from "../helpers";

/** Line starts the slow way: after each \n, each \r not followed by \n, and each \r\n. */
function naiveStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\r" && text[i + 1] === "\n") continue;
    if (text[i] === "\n" || text[i] === "\r") starts.push(i + 1);
  }
  return starts;
}

test("line starts: texts with only \\n (found a line at a time) and with \\r or \\r\\n agree with a character-by-character scan", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (const alphabet of ["ab\n", "ab\n\r", "a\r\n"]) {
    for (let k = 0; k < 300; k++) {
      const text = Array.from({ length: Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
      const index = new LineIndex(text);
      const starts = naiveStarts(text);
      assert.equal(index.lineCount, starts.length, `seed ${seed}: ${JSON.stringify(text)}`);
      for (const [line, s] of starts.entries())
        assert.deepEqual(index.positionAt(s), { line, character: 0 }, `seed ${seed}: ${JSON.stringify(text)} line ${line}`);
    }
  }
  // the edges: empty, a lone break, a text ending without one
  assert.equal(new LineIndex("").lineCount, 1);
  assert.equal(new LineIndex("\n").lineCount, 2);
  assert.deepEqual(new LineIndex("a\nbc").positionAt(4), { line: 1, character: 2 });
});
