import { parseAllDocuments } from "yaml";
import { analyzeFile } from "./analysis";
import { hoverAt } from "./hover/hover";
import { YAML_OPTIONS } from "./model/parse";
import { analyzeChange } from "./incremental";
import { DEFAULT_OPTIONS } from "./derive/context";

/**
 * A synthetic topology the server analyses once at start, so the parser and rules are
 * JIT-compiled before the user's first (possibly large) file arrives. Never shown anywhere.
 */
export function warmupTopology(clusters: number): string {
  const out = [
    "apiVersion: quorate.dev/v1alpha1",
    "kind: Topology",
    "metadata:",
    "  name: warmup",
    "sites:",
    "  - name: a",
    "  - name: b",
    "  - name: c",
    "links:",
    "  - { between: [a, b], rttMs: 10, rttP99Ms: 30 }",
    "  - { between: [a, c], rttMs: 8 }",
    "  - { between: [b, c], rttMs: 9 }",
    "clusters:",
  ];
  const backends: string[] = [];
  for (let i = 0; i < clusters; i++) {
    out.push(
      `  - name: c${i}`,
      `    site: ${"abc"[i % 3]}`,
      `    description: "warm-up cluster ${i}"`,
      "    mesh: clustermesh",
      `    id: ${1 + (i % 255)}`,
      "    network:",
      `      pods: 10.${i >> 8}.${i & 255}.0/24`,
      `      services: "fd00:${i.toString(16)}::/112"`,
      "    etcd:",
      "      members: { a: 2, b: 2, c: 1 }",
    );
    backends.push(`      - cluster: c${i}`, `        weight: ${1 + (i % 3)}`, "        capacityRps: 500");
  }
  out.push(
    "stores:",
    "  - { name: s, replication: consensus, members: { a: 1, b: 1, c: 1 }, writeLatencyBudgetMs: 5 }",
    "traffic:",
    "  - name: w",
    "    steering: gslb",
    "    peakRps: 10000",
    "    dependsOn: [s]",
    "    backends:",
    ...backends,
  );
  return `${out.join("\n")}\n`;
}

/** Small topologies parsed before anything else: a large file's first parse is mostly yaml's own work. */
const PARSES = 12;
/** Clusters in each topology the warm-up analyses (about 11 KB: one step is a few ms on a quiet machine). */
const CLUSTERS = 40;

/**
 * The warm-up as small steps, each a few milliseconds on a quiet machine, so that whoever runs
 * it can stop between two steps the moment real work arrives (see background/worker.ts).
 *
 * yaml's parser runs as nested generators, and V8 does not replace a running generator's frame
 * with optimized code: a large file parsed by a cold process stays in the slow tiers for the
 * whole parse (measured: a 1 MB file parses about twice as slowly cold as warm, and as fast as
 * warm after a dozen parses of an 11 KB one). So the parser comes first, on small files (after
 * one analysis and one edit, see below), then whole analyses, edits and hovers.
 */
export function* warmUpSteps(): Generator<void, void, undefined> {
  const text = warmupTopology(CLUSTERS);
  // Before the parses, one whole analysis and one edit (its first two steps): the first keystroke
  // into a large file runs every rule family with its item re-read and tracked (derive/track), and
  // code the file's open optimised for plain items only was deoptimised there and compiled again
  // (measured with callgrind after a 1 MB open: half the keystroke's instructions; with these two
  // steps first, 347–507 M instead of 678–681 M, and the open no dearer). The parses start two
  // steps later: an editor restoring its tabs sends its first document within a few steps, so that
  // document's parse gets one or two small parses less of warm-up (the analysis parses once too).
  const edits = warmUpEditSteps(text);
  edits.next();
  yield;
  edits.next();
  yield;
  for (let k = 0; k < PARSES; k++) {
    parseAllDocuments(text, YAML_OPTIONS);
    yield;
  }
  yield* edits;
  for (let k = 0; k < 3; k++) {
    analyzeFile("warmup.topology.yaml", text);
    yield;
  }
}

/**
 * The part of the warm-up a large file's own first analysis does not do: edits (the incremental
 * path every keystroke takes) and hovers, on the small topology. The background thread runs
 * these once idle after a document stopped the warm-up (see background/worker.ts), so the
 * user's first keystroke in that file does not run them cold.
 */
export function* warmUpEditSteps(text = warmupTopology(CLUSTERS)): Generator<void, void, undefined> {
  let a = analyzeFile("warmup.topology.yaml", text);
  yield;
  let cur = text;
  for (let k = 0; k < 8; k++) {
    // an edit inside one cluster, and one that makes a CIDR invalid (the schema's error path)
    const at = k % 2 ? cur.indexOf(`pods: 10.0.${k * 4}.0/24`) + 12 : cur.indexOf(`warm-up cluster ${k * 4}`) + 5;
    const next = `${cur.slice(0, at)}x${cur.slice(at)}`;
    a = analyzeChange(a, "warmup.topology.yaml", { start: at, end: at, text: "x" }, next, DEFAULT_OPTIONS);
    cur = next;
    yield;
  }
  for (const needle of ["members:", "pods: 10", "rttMs: 10", "capacityRps", "site: a", "name: a"]) hoverAt(a, cur.indexOf(needle) + 2);
  yield;
}

/** The whole warm-up at once (a few hundred ms at start), for a server without a background thread. */
export function warmUp(): void {
  const steps = warmUpSteps();
  while (!steps.next().done) {
    // each step does its work when asked for the next
  }
}

/**
 * Parses (only) a synthetic topology of about 100 KB and leaves what it allocated to be
 * collected in the course of things. Called after the collection that ends the warm-up: a large
 * file's first parse after a forced full collection runs about a tenth slower than one after
 * a recent parse (measured on 1 MB files: V8 loses its allocation feedback for yaml's objects),
 * and this puts the feedback back for the cost of a few MB of garbage.
 */
export function primeParser(): void {
  parseAllDocuments(warmupTopology(350), YAML_OPTIONS);
}
