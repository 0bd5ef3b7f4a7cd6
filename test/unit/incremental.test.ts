import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile, finalize, rulesToRun, type FileAnalysis } from "../../server/src/analysis";
import { analyzeChange, reanalyze, rehearseKeystroke } from "../../server/src/incremental";
import { DEFAULT_OPTIONS } from "../../server/src/derive/context";
import { FIXABLE } from "../fixtures/fixable";
import { LineIndex } from "../../server/src/model/text";
import { rng, seedFromEnv } from "../helpers";

const PATH = "inc.topology.yaml";

/** A topology with findings of many families, in block style so most edits stay inside one item. */
function fixture(): string {
  let t = `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata:
  name: inc # a comment
sites:
  - name: fra
    location: { lat: 50.11, lon: 8.68 }
  - name: lon
    location: { lat: 51.51, lon: -0.13 }
  - name: ams
    role: witness
links:
  - between: [fra, lon]
    rttMs: 3
    rttP99Ms: 30
  - between: [fra, ams]
    rttMs: 9
clusters:
`;
  for (let i = 0; i < 12; i++) {
    t += `  - name: c${i}
    site: ${["fra", "lon", "ams"][i % 3]}
    mesh: ${i % 4 === 0 ? "none" : "clustermesh"}
    id: ${i % 5}
    network:
      pods: 10.${i % 7}.0.0/16
      services: 10.96.${i}.0/24
    etcd:
      members: { fra: ${1 + (i % 2)}, lon: 2${i % 3 === 0 ? ", ams: 1" : ""} }
      heartbeatMs: ${50 + i}
`;
  }
  t += `stores:
  - name: db
    replication: async
    writers: [fra, lon]
    maxLagSeconds: 240
    writeRatePerSecond: 2000
    writeBytes: 1024
    lagBufferBytes: 268435456
traffic:
  - name: web
    steering: gslb
    ttlSeconds: 20
    peakRps: 40000
    dependsOn: [db]
    backends:
      - cluster: c1
        weight: 50
        capacityRps: 20000
      - cluster: c2
        weight: 50
        capacityRps: 30000
exports:
  - service: api
    namespace: kube-system
    clusters: [c0, c1]
`;
  return t;
}

const view = (a: FileAnalysis) =>
  finalize(a.parsed, a.local).map((f) => `${f.span.start}-${f.span.end} ${f.severity} ${f.code}: ${f.message}`);

/** Mostly what typing inside values looks like, sometimes structure that breaks or reshapes an item. */
const TYPING = ["1", "0", "a", "x", "5", "-", "."];
const STRUCTURE = [" ", "\n", ":", "#", "[", "]", "{", "}", '"', "  ", "\n  - name: z\n", "\n    extra: 1"];

test("incremental re-analysis equals a from-scratch analysis after every random edit", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  let incrementalSteps = 0;
  let text = fixture();
  let a = analyzeFile(PATH, text);
  for (let round = 0; round < 4; round++) {
    for (let step = 0; step < 150; step++) {
      if (step % 15 === 0 || a.local.some((f) => f.code === "yaml/syntax")) {
        // start again from the clean fixture now and then, and after a syntax error, as after an undo
        text = fixture();
        a = analyzeFile(PATH, text);
      }
      const at = Math.floor(r() * text.length);
      const del = r() < 0.15 ? 1 + Math.floor(r() * 3) : 0;
      const pool = r() < 0.85 ? TYPING : STRUCTURE;
      const ins = r() < 0.8 ? pool[Math.floor(r() * pool.length)] : "";
      const change = { start: at, end: Math.min(text.length, at + del), text: ins };
      const next = text.slice(0, change.start) + change.text + text.slice(change.end);
      const inc = reanalyze(a, change, next, DEFAULT_OPTIONS);
      if (inc) incrementalSteps++;
      const fresh = analyzeFile(PATH, next);
      const got = inc ?? analyzeChange(a, PATH, change, next, DEFAULT_OPTIONS);
      assert.deepEqual(
        view(got),
        view(fresh),
        `seed ${seed}, round ${round}, step ${step}: ${JSON.stringify(change)} (${inc ? "incremental" : "full"})`,
      );
      // the model too: every entity name and span the navigation features use
      const names = (x: FileAnalysis) =>
        x.contexts.map((c) =>
          c.topology.clusters.map((cl) => `${cl.name?.value}@${cl.name?.span.start}-${cl.span.start}-${cl.span.end}`).join(","),
        );
      assert.deepEqual(names(got), names(fresh), `model after seed ${seed} round ${round} step ${step}`);
      text = next;
      a = got;
    }
  }
  assert.ok(incrementalSteps > 150, `most edits take the incremental path (${incrementalSteps} of 600)`);
});

test("edits that reach outside one item fall back to a full analysis", () => {
  const text = fixture();
  const a = analyzeFile(PATH, text);
  const at = text.indexOf("sites:");
  assert.equal(
    reanalyze(a, { start: at, end: at + 1, text: "S" }, text.replace("sites:", "Sites:"), DEFAULT_OPTIONS),
    undefined,
    "a top-level key",
  );
  const anchor = text.indexOf("name: c3") + 6;
  assert.equal(
    reanalyze(a, { start: anchor, end: anchor, text: "&x " }, `${text.slice(0, anchor)}&x ${text.slice(anchor)}`, DEFAULT_OPTIONS),
    undefined,
    "an anchor",
  );
  const inside = text.indexOf("name: c3") + 7;
  const next = `${text.slice(0, inside)}9${text.slice(inside)}`;
  const inc = reanalyze(analyzeFile(PATH, text), { start: inside, end: inside, text: "9" }, next, DEFAULT_OPTIONS);
  assert.ok(inc, "a character inside a cluster's name is incremental");
  assert.deepEqual(view(inc!), view(analyzeFile(PATH, next)));
});

test("every fixture stays equal under incremental single-character edits", () => {
  for (const [name, text] of Object.entries(FIXABLE)) {
    let a = analyzeFile(name, text);
    let cur = text;
    for (let at = 1; at < cur.length; at += 7) {
      const change = { start: at, end: at, text: "0" };
      const next = `${cur.slice(0, at)}0${cur.slice(at)}`;
      const got = analyzeChange(a, name, change, next, DEFAULT_OPTIONS);
      assert.deepEqual(view(got), view(analyzeFile(name, next)), `${name} at ${at}`);
      a = got;
      cur = next;
    }
  }
});

test("an edit inside one entry of a long nested list (a traffic entry's backends) re-parses that entry alone, exactly", () => {
  const seed = seedFromEnv();
  const r = rng(seed ^ 0x5bd1);
  const n = 40;
  const long = () =>
    `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata:
  name: long
sites:
  - name: a
  - name: b
links:
  - { between: [a, b], rttMs: 10 }
clusters:
${Array.from({ length: n }, (_, i) => `  - name: c${i}\n    site: ${i % 2 ? "b" : "a"}\n    network: { pods: 10.${i}.0.0/16 }`).join("\n")}
traffic:
  - name: web # the entry point
    steering: gslb
    ttlSeconds: 60
    peakRps: 40000
    backends:
${Array.from({ length: n }, (_, i) => `      - cluster: c${i} # backend ${i}\n        weight: ${1 + (i % 3)}\n        capacityRps: ${1000 + i * 10}`).join("\n")}
    dependsOn: []
exports: []
`;
  let text = long();
  let a = analyzeFile(PATH, text);
  let nestedSteps = 0;
  const from = text.indexOf("    backends:");
  for (let step = 0; step < 300; step++) {
    if (step % 20 === 0 || a.local.some((f) => f.code === "yaml/syntax")) {
      text = long();
      a = analyzeFile(PATH, text);
    }
    // edits inside the backends, mostly values, sometimes structure
    const at = from + Math.floor(r() * (text.indexOf("    dependsOn:") - from));
    const pool = r() < 0.85 ? TYPING : STRUCTURE;
    const change = { start: at, end: Math.min(text.length, at + (r() < 0.1 ? 1 : 0)), text: pool[Math.floor(r() * pool.length)] };
    const next = text.slice(0, change.start) + change.text + text.slice(change.end);
    const inc = reanalyze(a, change, next, DEFAULT_OPTIONS);
    if (inc) nestedSteps++;
    const fresh = analyzeFile(PATH, next);
    const got = inc ?? analyzeChange(a, PATH, change, next, DEFAULT_OPTIONS);
    assert.deepEqual(view(got), view(fresh), `seed ${seed} step ${step}: ${JSON.stringify(change)} (${inc ? "incremental" : "full"})`);
    const backends = (x: FileAnalysis) =>
      x.contexts.flatMap((c) =>
        c.topology.traffic.flatMap((t) =>
          t.backends.map((b) => `${b.cluster?.value}:${b.capacityRps?.value}@${b.span.start}-${b.span.end}`),
        ),
      );
    assert.deepEqual(backends(got), backends(fresh), `backends after seed ${seed} step ${step}`);
    text = next;
    a = got;
  }
  assert.ok(nestedSteps > 150, `most edits take the incremental path (${nestedSteps} of 300)`);
});

test("a line index moved past one change maps every offset and line as one built from the new text", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const alphabet = ["a", " ", ":", "\n", "\r\n", "\r", "-", "é"];
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
  let moved = 0;
  for (let k = 0; k < 1500; k++) {
    const before = word(Math.floor(r() * 30));
    const prev = new LineIndex(before);
    // the previous index used (its starts known) or not (derived on demand)
    if (r() < 0.7) prev.positionAt(0);
    const start = Math.floor(r() * (before.length + 1));
    const end = start + Math.floor(r() * Math.min(3, before.length - start + 1));
    const text = r() < 0.7 ? word(Math.floor(r() * 3)).replace(/[\r\n]/g, "x") : word(Math.floor(r() * 3));
    const after = before.slice(0, start) + text + before.slice(end);
    const got = LineIndex.afterChange(prev, { start, end, text }, after);
    const want = new LineIndex(after);
    if (!/[\r\n]/.test(text + before.slice(start, end))) moved++;
    assert.equal(got.lineCount, want.lineCount, `seed ${seed} case ${k}`);
    for (let o = 0; o <= after.length; o++) assert.deepEqual(got.positionAt(o), want.positionAt(o), `seed ${seed} case ${k} offset ${o}`);
    for (let l = 0; l < want.lineCount; l++) assert.equal(got.lineText(l), want.lineText(l), `seed ${seed} case ${k} line ${l}`);
  }
  assert.ok(moved > 500, "most cases are single-line changes, whose starts are moved rather than scanned");
});

test("the topology an edit re-reads has the fields of a parsed one, in the same order", () => {
  let text = fixture();
  let a = analyzeFile(PATH, text);
  const order = (x: FileAnalysis) => Object.keys(x.parsed.docs[0].topology!);
  const parsed = order(a);
  // one keystroke into each list: sites, links and clusters rebuild a name index, the others not
  for (const needle of ["name: lon", "rttMs: 9", "name: c1", "capacityRps: 2"]) {
    if (!text.includes(needle)) continue;
    const at = text.indexOf(needle) + needle.length;
    const next = `${text.slice(0, at)}1${text.slice(at)}`;
    a = analyzeChange(a, PATH, { start: at, end: at, text: "1" }, next, DEFAULT_OPTIONS);
    text = next;
    assert.ok(a.families, `incremental after ${needle}`);
    assert.deepEqual(order(a), parsed, needle);
  }
});

/** Every range in a syntax tree, in document order. */
function rangesOf(node: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (!x || typeof x !== "object") return;
    const n = x as { range?: number[]; items?: unknown[]; key?: unknown; value?: unknown };
    if (n.range) out.push(n.range.join(","));
    if (n.items) for (const i of n.items) walk(i);
    else if ("key" in n) {
      walk(n.key);
      walk(n.value);
    }
  };
  walk(node);
  return out.join(" ");
}

test("a rehearsed keystroke leaves the analysis as it was: the same nodes at the same places, and the next real keystroke exact", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let round = 0; round < 20; round++) {
    const text = fixture();
    const a = analyzeFile(PATH, text);
    const doc = a.parsed.docs[0].doc;
    const clusters = (doc.get("clusters") as { items: object[] }).items;
    const nodes = [...clusters];
    const ranges = rangesOf(doc.contents);
    const before = view(a);
    const families = a.families;
    assert.equal(rehearseKeystroke(a), true, "the fixture's middle cluster takes the incremental path");
    // nothing spliced or moved: the document holds the very nodes it held, where they were
    assert.equal(clusters.length, nodes.length);
    for (let i = 0; i < nodes.length; i++) assert.equal(clusters[i], nodes[i], `cluster ${i} is the node the open parsed`);
    assert.equal(rangesOf(doc.contents), ranges);
    assert.deepEqual(view(a), before);
    assert.equal(a.families, families);
    // then a real keystroke anywhere is what a from-scratch analysis finds
    const at = Math.floor(r() * text.length);
    const ins = TYPING[Math.floor(r() * TYPING.length)];
    const change = { start: at, end: at, text: ins };
    const next = text.slice(0, at) + ins + text.slice(at);
    const got = analyzeChange(a, PATH, change, next, DEFAULT_OPTIONS);
    assert.deepEqual(view(got), view(analyzeFile(PATH, next)), `seed ${seed}, round ${round}: ${JSON.stringify(change)}`);
  }
  // a design no keystroke re-analyses incrementally (flow style) is not rehearsed
  assert.equal(rehearseKeystroke(analyzeFile(PATH, "apiVersion: quorate.dev/v1alpha1\nkind: Topology\nsites: [{ name: a }]\n")), false);
});

test("a rehearsed keystroke gives way: asked before each of its stages and families, it stops at the first yes, asked no more, the analysis as it was", () => {
  const text = fixture();
  const a = analyzeFile(PATH, text);
  const before = view(a);
  // never told to: it runs to its end, asked at least once a family (a keystroke behind it waits for one family at most)
  let asked = 0;
  const ran = rehearseKeystroke(a, () => {
    asked++;
    return false;
  });
  assert.equal(ran, true);
  const families = rulesToRun(a.options).length;
  assert.ok(asked >= families, `asked ${asked} times for ${families} families`);
  // told to at its k-th check: it stops there, whichever stage or family comes next
  for (let k = 1; k <= asked; k++) {
    let n = 0;
    assert.equal(
      rehearseKeystroke(a, () => ++n >= k),
      "gave way",
      `told at check ${k}`,
    );
    assert.equal(n, k, `told at check ${k}: not asked again, nothing more run`);
    assert.deepEqual(view(a), before);
  }
  // then a real keystroke is what a from-scratch analysis finds
  const at = text.indexOf("rttMs: 3") + "rttMs: 3".length;
  const next = `${text.slice(0, at)}1${text.slice(at)}`;
  assert.deepEqual(view(analyzeChange(a, PATH, { start: at, end: at, text: "1" }, next, DEFAULT_OPTIONS)), view(analyzeFile(PATH, next)));
});

test("ranges moved by a kept list stay exact after the item below it is replaced, even one whose edit region runs past its list's end", () => {
  // a keystroke moves what follows it through lists of range arrays kept per node (model/shift.ts);
  // the splice of a re-parsed item must make every node around it forget its list. The last
  // item of the last list is the case a walk from the edit's end misses: its region runs to the
  // end of the file, past the end of the list that holds it.
  let text = fixture();
  let a = analyzeFile(PATH, text);
  const edit = (at: number, del: number, ins: string, why: string) => {
    const change = { start: at, end: at + del, text: ins };
    const next = text.slice(0, at) + ins + text.slice(at + del);
    const inc = reanalyze(a, change, next, DEFAULT_OPTIONS);
    assert.ok(inc, `${why}: takes the incremental path`);
    assert.deepEqual(view(inc), view(analyzeFile(PATH, next)), why);
    text = next;
    a = inc;
  };
  const early = () => text.indexOf("heartbeatMs: 5") + "heartbeatMs: 5".length;
  edit(early(), 0, "1", "an edit before the exports: their nodes move (walked)");
  edit(early(), 1, "", "and again (their lists made)");
  edit(early(), 0, "3", "and again (through their lists)");
  edit(text.lastIndexOf("kube-system") + 4, 0, "x", "an edit in the last export: the item replaced");
  edit(early(), 1, "", "an edit before them again: the new item moves with its list");
  edit(early(), 0, "22", "and again, by two");
  edit(early(), 2, "", "and again");
});
