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

/** Analyses the synthetic topology and edits it a few times (a few hundred ms at start). */
export function warmUp(clusters = 250): void {
  const text = warmupTopology(clusters);
  let a = analyzeFile("warmup.topology.yaml", text);
  let cur = text;
  for (let k = 0; k < 5; k++) {
    const at = cur.indexOf(`warm-up cluster ${k * 7}`) + 5;
    const next = `${cur.slice(0, at)}x${cur.slice(at)}`;
    a = analyzeChange(a, "warmup.topology.yaml", { start: at, end: at, text: "x" }, next, DEFAULT_OPTIONS);
    cur = next;
  }
  for (const needle of ["members:", "pods: 10", "rttMs: 10", "capacityRps", "site: a", "name: a"]) hoverAt(a, cur.indexOf(needle) + 2);
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
