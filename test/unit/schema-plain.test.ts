import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { type Document, isMap, isPair, isSeq, parseAllDocuments, visit, type Node } from "yaml";
import { plainJS } from "../../server/src/schema/plain";
import { corpus } from "../fuzz/corpus";
import { mutateDocument } from "../fuzz/mutate";
import { rng, seedFromEnv } from "../helpers";

// The schema's fast conversion must give exactly what yaml's toJS gives, for every node of every
// corpus document and of mutated ones (aliases, merge keys, collection keys, odd scalars included).
const EDGES = `%YAML 1.1
---
base: &b { a: 1 }
merged: { <<: *b, c: 2 }
inline: { <<: { x: 1 }, c: 2 }
? [collection, key]
: value
null: empty key
~: tilde
"__proto__": { polluted: true }
big: 123456789012345678901234567890
dup: 1
bin: !!binary aGVsbG8=
when: 2001-12-14
list: [1, 0x1f, .inf, -.nan, true, ~, "s", 'q']
`;

function check(text: string, label: string): number {
  let n = 0;
  for (const doc of parseAllDocuments(text, { version: "1.2", prettyErrors: false })) {
    if (!("contents" in doc)) continue;
    visit(doc, (_k, node) => {
      if (isPair(node) || !(isMap(node) || isSeq(node) || (node && typeof node === "object" && "value" in node))) return;
      let expected: unknown;
      try {
        expected = (node as Node).toJS(doc, { maxAliasCount: 1000 });
      } catch (e) {
        assert.throws(() => plainJS(doc, node as Node, 1000), Error, `${label}: toJS threw ${(e as Error).message}`);
        return;
      }
      const got = plainJS(doc, node as Node, 1000);
      assert.ok(isDeepStrictEqual(got, expected), `${label}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
      n++;
    });
  }
  return n;
}

test("plainJS equals yaml's toJS on every node: the corpus, edge cases, and mutated documents", () => {
  assert.ok(check(EDGES, "edges") > 20);
  const texts = corpus().map((c) => c.text);
  let nodes = 0;
  for (const c of corpus()) nodes += check(c.text, c.name);
  assert.ok(nodes > 500);
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let k = 0; k < 300; k++) {
    const base = texts[Math.floor(r() * texts.length)];
    check(mutateDocument(r, base, texts), `seed ${seed} mutation ${k}`);
  }
});

test("plainJS follows aliases as toJS does: the same values, and the alias limit at the same use (999 uses pass, 1,000 throw)", () => {
  const uses = (n: number, anchor: string) => `a: &a ${anchor}\nb: [${Array(n).fill("*a").join(", ")}]\n`;
  // a scalar, collections (an empty one counts 0: never over the limit), one holding an alias
  for (const anchor of ["x", "{ k: v }", "[1, [2]]", "[]", "[[]]", "{}"])
    for (const n of [1, 999, 1000, 1001]) check(uses(n, anchor), `${n} aliases to ${anchor}`);
  check(`x: &x [1]\na: &a [*x, *x]\nb: [${Array(600).fill("*a").join(", ")}]\n`, "aliases to a node holding aliases");
  // the anchor inside the node converted, before its aliases; and an alias to a later redefinition
  check(`b: [&a 1, ${Array(999).fill("*a").join(", ")}]\n`, "anchor and aliases in one list");
  check("a: &a 1\nb: &a 2\nc: [*a, *a]\n", "an anchor redefined");
  const root = (text: string) => {
    const doc = parseAllDocuments(text)[0] as Document;
    return () => plainJS(doc, doc.contents as Node, 1000);
  };
  assert.equal((root(uses(999, "x"))() as { b: string[] }).b.length, 999);
  assert.throws(root(uses(1000, "x")), /Excessive alias count/);
});
