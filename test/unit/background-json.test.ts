// JSON the background thread wrote goes on to a stdio client as it is (background/json.ts): the
// message the client reads is the one it would read had the main thread parsed and re-serialised
// it, and the thread's text is in it unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromThread, PreSerialised, spliceSerialised, stringifyMessage } from "../../server/src/background/json";

const diagnostics = [
  {
    range: { start: { line: 3, character: 12 }, end: { line: 3, character: 24 } },
    severity: 1,
    code: "cidr/overlap",
    source: "quorate",
    // what a document may hold: quotes, backslashes, a NUL, non-ASCII, text like the splice's own
    message: 'overlaps "0.0.0.0/2" \\ in r\u00e9gion \u0000quorate-json-0 \u2028 end',
    relatedInformation: [
      { location: { uri: "file:///w/a.yaml", range: { start: { line: 9, character: 1 }, end: { line: 9, character: 2 } } }, message: "x" },
    ],
  },
];

test("a message without pre-serialised values is written exactly as JSON.stringify writes it", () => {
  const m = { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri: "file:///w/a.yaml", version: 3, diagnostics } };
  assert.equal(stringifyMessage(m), JSON.stringify(m));
  assert.equal(stringifyMessage({ jsonrpc: "2.0", id: 1, result: null }), '{"jsonrpc":"2.0","id":1,"result":null}');
});

test("pre-serialised values are spliced in as written, wherever they are, and the message reads back as the parsed one", () => {
  // the thread's own spacing shows that the text was spliced, not parsed and written again
  const a = JSON.stringify(diagnostics, null, 1);
  const b = '{ "kind": "full", "items": [] }';
  const m = {
    jsonrpc: "2.0",
    id: 7,
    result: { first: new PreSerialised(a), list: [new PreSerialised(b), 2, new PreSerialised("null")], note: diagnostics[0].message },
  };
  const text = stringifyMessage(m);
  assert.ok(text.includes(a) && text.includes(b), text.slice(0, 200));
  assert.deepEqual(JSON.parse(text), {
    jsonrpc: "2.0",
    id: 7,
    result: { first: diagnostics, list: [JSON.parse(b), 2, null], note: diagnostics[0].message },
  });
  // ten or more in one message: each mark is told from the others
  const many = Array.from({ length: 12 }, (_, i) => new PreSerialised(`[${i}]`));
  assert.deepEqual(JSON.parse(stringifyMessage({ many })), { many: Array.from({ length: 12 }, (_, i) => [i]) });
});

test("a value written in pieces is spliced piece after piece, and parses as their text joined", () => {
  const pieces = ['{"a":[1,', '2,"x"],', '"b":null}'];
  const text = stringifyMessage({ id: 3, result: new PreSerialised(pieces) });
  assert.equal(text, `{"id":3,"result":${pieces.join("")}}`);
  assert.deepEqual(JSON.parse(text), { id: 3, result: { a: [1, 2, "x"], b: null } });
  // any other transport: the parsed value
  assert.equal(JSON.stringify({ r: new PreSerialised(pieces) }), '{"r":{"a":[1,2,"x"],"b":null}}');
});

test("outside the stdio writer a pre-serialised value serialises as its parsed value (any other transport)", () => {
  const m = { params: { diagnostics: new PreSerialised(JSON.stringify(diagnostics)) } };
  assert.equal(JSON.stringify(m), JSON.stringify({ params: { diagnostics } }));
  // a writer that fails midway leaves no splice behind for the next message
  assert.throws(() => stringifyMessage({ a: new PreSerialised("[1]"), b: 10n }));
  assert.equal(JSON.stringify({ a: new PreSerialised("[1]") }), '{"a":[1]}');
});

test("the thread's JSON is parsed for the connection unless this process's writer splices it", () => {
  const json = JSON.stringify(diagnostics);
  const parsed = fromThread(json);
  assert.ok(!(parsed instanceof PreSerialised));
  assert.deepEqual(parsed, diagnostics);
  spliceSerialised();
  const kept = fromThread(json);
  assert.ok(kept instanceof PreSerialised);
  assert.equal(kept.json, json);
});
