// The preview's requests overlap: an editor switch, an edit and a Simulate click each ask the
// server for a diagram, and the answers can come back in another order (a large file's from the
// background thread after a small file's from the main thread). These drive the preview's rule
// (client/src/preview/latest.ts) through such interleavings, answers resolving out of order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LatestAnswer } from "../../client/src/preview/latest";

/** A stand-in for the preview: follows a document, asks for its diagram, shows what it may. */
function preview() {
  const answers = new LatestAnswer<string>();
  const shown: string[] = [];
  const pending: (() => void)[] = [];
  let following = "";
  return {
    shown,
    follow(doc: string) {
      following = doc;
    },
    /** a refresh as panel.ts does it; the answer arrives when `answer(i)` is called */
    refresh(label = following) {
      const askedFor = following;
      const ticket = answers.ask();
      pending.push(() => {
        if (answers.show(ticket, askedFor, following)) shown.push(label);
      });
      return pending.length - 1;
    },
    answer(i: number) {
      pending[i]();
    },
  };
}

test("an answer for the document the preview left is dropped, even when it arrives last", () => {
  const p = preview();
  p.follow("hostile");
  const slow = p.refresh(); // still on its way (a large file, the background thread)
  p.follow("reviewed"); // the editor switched
  const fast = p.refresh();
  p.answer(fast);
  p.answer(slow);
  assert.deepEqual(p.shown, ["reviewed"]);
});

test("an answer for the document the preview left is dropped when it arrives first too", () => {
  const p = preview();
  p.follow("hostile");
  const old = p.refresh();
  p.follow("reviewed");
  const now = p.refresh();
  p.answer(old);
  p.answer(now);
  assert.deepEqual(p.shown, ["reviewed"]);
});

test("the same document: an older answer after a newer one is dropped; in order both are shown", () => {
  const late = preview();
  late.follow("a");
  const v1 = late.refresh("a v1");
  const v2 = late.refresh("a v2"); // an edit, or a Simulate click
  late.answer(v2);
  late.answer(v1);
  assert.deepEqual(late.shown, ["a v2"]);

  const inOrder = preview();
  inOrder.follow("a");
  const w1 = inOrder.refresh("a v1");
  const w2 = inOrder.refresh("a v2");
  inOrder.answer(w1);
  inOrder.answer(w2);
  assert.deepEqual(inOrder.shown, ["a v1", "a v2"]);
});

test("switching back to a document shows its new answer, not one asked before the switch away", () => {
  const p = preview();
  p.follow("a");
  const before = p.refresh("a before");
  p.follow("b");
  const b = p.refresh("b");
  p.follow("a");
  const after = p.refresh("a after");
  p.answer(b);
  p.answer(after);
  p.answer(before);
  assert.deepEqual(p.shown, ["a after"]);
});
