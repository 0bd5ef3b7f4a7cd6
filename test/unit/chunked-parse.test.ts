import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments, type Document } from "yaml";
import { CHUNKS, parseInChunks } from "../../server/src/model/chunks";
import { YAML_OPTIONS } from "../../server/src/model/parse";
import { rng, seedFromEnv } from "../helpers";

/** The first difference between two parsed trees (every enumerable field, ranges included; not the schema object), or undefined. */
function difference(a: unknown, b: unknown, path = ""): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return `${path}: ${JSON.stringify(a)?.slice(0, 60)} ≠ ${JSON.stringify(b)?.slice(0, 60)}`;
  if (a.constructor !== b.constructor) return `${path}: ${a.constructor.name} ≠ ${b.constructor.name}`;
  const ka = Object.keys(a).filter((k) => k !== "schema");
  const kb = Object.keys(b).filter((k) => k !== "schema");
  if (ka.join() !== kb.join()) return `${path}: fields ${ka.join()} ≠ ${kb.join()}`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** The chunked document against one parse of the whole: the same nodes, or a message naming the first difference. */
function sameAsWhole(chunked: Document, text: string): string | undefined {
  const whole = parseAllDocuments(text, YAML_OPTIONS) as Document[];
  if (whole.length !== 1) return `${whole.length} documents`;
  if (whole[0].errors.length || whole[0].warnings.length) return `the whole parse has errors: ${whole[0].errors[0]?.message}`;
  return (
    difference(chunked.contents, whole[0].contents, "contents") ??
    difference(chunked.range, whole[0].range, "range") ??
    difference([chunked.comment, chunked.commentBefore], [whole[0].comment, whole[0].commentBefore], "comments")
  );
}

/** A topology with long lists in both styles (block items, one-line flow items) and a long nested list. */
function large(clusters: number): string {
  const out = ["apiVersion: quorate.dev/v1alpha1", "kind: Topology", "metadata:", "  name: big", "sites:"];
  for (let i = 0; i < 30; i++) out.push(`  - { name: s${i}, location: { lat: ${40 + i / 10}, lon: ${i / 10} } }`);
  out.push("links:");
  for (let i = 0; i < 29; i++) out.push(`  - { between: [s${i}, s${i + 1}], rttMs: ${5 + (i % 7)} }`);
  out.push("clusters:");
  for (let i = 0; i < clusters; i++)
    out.push(
      `  - name: c${i}`,
      `    site: s${i % 30}`,
      `    description: "cluster number ${i}" # a trailing comment`,
      "    mesh: clustermesh",
      `    id: ${1 + (i % 255)}`,
      "    network:",
      `      pods: 10.${(i >> 8) & 255}.${i & 255}.0/24`,
      `      services: "fd00:${i.toString(16)}::/112"`,
    );
  out.push("traffic:", "  - name: web", "    steering: gslb", "    peakRps: 1000", "    backends:");
  for (let i = 0; i < clusters; i++) out.push(`      - cluster: c${i}`, `        capacityRps: ${100 + i}`);
  return `${out.join("\n")}\n`;
}

test("a large file's long lists are parsed a chunk at a time, node for node (ranges included) what one parse gives", () => {
  const text = large(1500);
  assert.ok(text.length >= CHUNKS.minChars, `${text.length} characters: below the size chunks start at`);
  const chunked = parseInChunks(text, YAML_OPTIONS);
  assert.ok(chunked, "not chunked");
  assert.equal(sameAsWhole(chunked, text), undefined);
  // the chunks' items really are in place: the last cluster's pods range reads its own text
  const clusters = (chunked.contents as unknown as { items: { value: { items: { items: { value: { range: number[] } }[] }[] } }[] })
    .items[5];
  const last = clusters.value.items.at(-1)!;
  const network = last.items[5].value as unknown as { items: { value: { range: number[] } }[] };
  const r = network.items[0].value.range;
  assert.equal(text.slice(r[0], r[1]), "10.5.219.0/24");
});

test("below the size chunks start at, or with nothing long enough to chunk, the file is parsed whole", () => {
  assert.equal(parseInChunks(large(20), YAML_OPTIONS), undefined);
  assert.equal(parseInChunks(large(20), YAML_OPTIONS, { minChars: 0, chunkChars: 1e9 }), undefined);
  assert.ok(parseInChunks(large(20), YAML_OPTIONS, { minChars: 0, chunkChars: 200 }));
});

test("whatever could make the chunks differ from one parse leaves the file, or that list, to the whole parse", () => {
  const base = large(40);
  const at = base.indexOf("  - name: c7\n");
  const refused: [string, string][] = [
    [
      "an anchor and an alias",
      base.replace("mesh: clustermesh", "mesh: &m clustermesh").replace("  - name: c9\n", "  - name: c9\n    x: *m\n"),
    ],
    ["a second document", `${base}---\nkind: Other\n`],
    ["CRLF line ends", base.replace(/\n/g, "\r\n")],
    ["a tab", base.replace("    mesh: clustermesh", "    mesh:\tclustermesh")],
    ["an item less indented than its list", `${base.slice(0, at)} - name: odd\n${base.slice(at)}`],
  ];
  for (const [what, text] of refused) assert.equal(parseInChunks(text, YAML_OPTIONS, { minChars: 0, chunkChars: 100 }), undefined, what);
  // a comment or blank line belongs to what follows it: that list is parsed with the skeleton, the others still in chunks
  const kept: [string, string][] = [
    ["a comment line between items", `${base.slice(0, at)}  # the next one\n${base.slice(at)}`],
    ["a blank line between items", `${base.slice(0, at)}\n${base.slice(at)}`],
    // the parser no longer looks for repeated keys (YAML_OPTIONS, audit A10): chunks give the same nodes, and the
    // whole file's walk (firstRepeatedKey) makes the yaml/duplicate-key finding either way
    ["a key repeated inside an item", base.replace("  - name: c9\n", "  - name: c9\n    name: c9\n")],
  ];
  for (const [what, text] of kept) {
    const chunked = parseInChunks(text, YAML_OPTIONS, { minChars: 0, chunkChars: 100 });
    assert.ok(chunked, what);
    assert.equal(sameAsWhole(chunked, text), undefined, what);
  }
});

test("an item ending in an empty value at a chunk's end keeps the range one parse gives it", () => {
  // `location:` with nothing after it: its null ends where the next item's `-` starts (past the indentation)
  const text = large(40).replace("  - name: c7\n", "  - name: c6b\n    site: s1\n    location:\n  - name: c7\n");
  for (let chunkChars = 50; chunkChars < 600; chunkChars += 7) {
    const chunked = parseInChunks(text, YAML_OPTIONS, { minChars: 0, chunkChars });
    assert.ok(chunked);
    assert.equal(sameAsWhole(chunked, text), undefined, `chunks of ${chunkChars}`);
  }
});

test("property: on files edited at random, the chunked parse is either refused or exactly the whole parse", () => {
  const seed = seedFromEnv();
  const random = rng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const snippets = [
    "  # c",
    "",
    "    # deeper",
    "- x",
    "  -",
    "  - ",
    "    - a",
    "      b: |",
    "        lit",
    '  - "multi',
    '    line"',
    "  - [a,",
    "    b]",
    "  - { a: 1,",
    "  b: 2 }",
    "x: 1",
    "- - a",
    "  - ? k",
    "    : v",
    "   - odd",
    "  - 'q",
    "  q'",
    "  - plain",
    "    continued",
    "  - a: 1 # trailing",
    "clusters:",
    "    location:",
  ];
  const base = large(12).split("\n");
  let chunked = 0;
  for (let k = 0; k < 400; k++) {
    const lines = [...base];
    for (let m = 0; m < 1 + pick(3); m++) {
      const at = pick(lines.length);
      const op = pick(3);
      const s = snippets[pick(snippets.length)];
      if (op === 0) lines.splice(at, 0, s);
      else if (op === 1) lines.splice(at, 1);
      else lines[at] = `${lines[at].slice(0, pick(lines[at].length + 1))}${s.trim()}${lines[at].slice(pick(lines[at].length + 1))}`;
    }
    const text = lines.join("\n") + (pick(2) ? "\n" : "");
    const doc = parseInChunks(text, YAML_OPTIONS, { minChars: 0, chunkChars: 1 + pick(300) });
    if (!doc) continue;
    chunked++;
    assert.equal(sameAsWhole(doc, text), undefined, `seed ${seed} (QUORATE_SEED=${seed} replays it), edit ${k}:\n${text}`);
  }
  assert.ok(chunked > 40, `only ${chunked} of 400 edited files were chunked: the property says little`);
});
