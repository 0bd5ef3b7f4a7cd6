import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Io, main } from "../server/src/cli/main";
import { analyzeAlone, analyzeFile, analyzeRun, type RunOptions } from "../server/src/analysis";
import { decisionRecord } from "../server/src/whatif/record";
import assert from "node:assert/strict";
import { fixesFor } from "../server/src/fixes/fixes";
import type { Finding, FixHint } from "../server/src/model/finding";
import { DEFAULT_OPTIONS } from "../server/src/derive/context";

/** Strips the common indentation of a template literal so fixtures read naturally. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw
    .replace(/^\n/, "")
    .replace(/\n\s*$/, "\n")
    .split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/** Three sites, one consensus store of 2+2+1 members with a 20 ms commit budget: the seed's worked example. */
export const LEDGER_221 = `sites:
  - name: fra
  - name: lon
  - name: ams
links:
  - { between: [fra, lon], rttMs: 14, rttP99Ms: 30 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
stores:
  - name: ledger
    replication: consensus
    members: { fra: 2, lon: 2, ams: 1 }
    writeLatencyBudgetMs: 20
`;

/**
 * The `sites:` and `links:` of a topology body: each site by name, each link as
 * [a, b, rttMs] or [a, b, rttMs, rttP99Ms] — the builder the what-if and availability tests share.
 */
export function sitesAndLinks(sites: readonly string[], links: readonly (readonly [string, string, number, number?])[]): string {
  const site = sites.map((x) => `  - name: ${x}\n`).join("");
  const link = links
    .map(([a, b, rtt, p99]) => `  - { between: [${a}, ${b}], rttMs: ${rtt}${p99 !== undefined ? `, rttP99Ms: ${p99}` : ""} }\n`)
    .join("");
  return `sites:\n${site}${links.length ? `links:\n${link}` : ""}`;
}

/** fra, lon and ams, 14, 9 and 8 ms apart. */
export const FRA_LON_AMS = sitesAndLinks(
  ["fra", "lon", "ams"],
  [
    ["fra", "lon", 14],
    ["fra", "ams", 9],
    ["lon", "ams", 8],
  ],
);

/**
 * fra, lon and ams, each at `availability`, 14, 9 and 8 ms apart, holding the consensus store
 * `ledger` with `members`; `store` adds lines to the store (indented four spaces); `witness` makes
 * ams a witness site — the availability tests' worked example (2+2+1 at 0.999 is 1 − 2.998×10⁻⁶);
 * `links` declares the links' availability (1: never failing by the design's word — absent, they
 * are taken as never failing and an objective met on them cannot be measured, review M134).
 */
export function threeSiteLedger({
  availability = 0.999,
  members = "{ fra: 2, lon: 2, ams: 1 }",
  store = "",
  witness = false,
  links = undefined as number | undefined,
} = {}): string {
  const l = links === undefined ? "" : `, availability: ${links}`;
  return `sites:
  - { name: fra, availability: ${availability} }
  - { name: lon, availability: ${availability} }
  - { name: ams, availability: ${availability}${witness ? ", role: witness" : ""} }
links:
  - { between: [fra, lon], rttMs: 14${l} }
  - { between: [fra, ams], rttMs: 9${l} }
  - { between: [lon, ams], rttMs: 8${l} }
stores:
  - name: ledger
    replication: consensus
    members: ${members}
${store}`;
}

/** fra and lon, 14 ms apart. */
/** fra, lon and par at 0.999, 14, 10 and 9 ms apart over links at 0.9995: the anycast and catchment designs' sites. */
export const FRA_LON_PAR_AVAILABLE = `sites:
  - { name: fra, availability: 0.999 }
  - { name: lon, availability: 0.999 }
  - { name: par, availability: 0.999 }
links:
  - { between: [fra, lon], rttMs: 14, availability: 0.9995 }
  - { between: [fra, par], rttMs: 10, availability: 0.9995 }
  - { between: [lon, par], rttMs: 9, availability: 0.9995 }
`;

/** `sites:` and `links:` lines of a full mesh: every pair linked at 5 ms with `availability`. */
export function fullMesh(sites: readonly string[], availability: number): string[] {
  return [
    "sites:",
    ...sites.map((s) => `  - { name: ${s} }`),
    "links:",
    ...sites.flatMap((s, i) => sites.slice(i + 1).map((t) => `  - { between: [${s}, ${t}], rttMs: 5, availability: ${availability} }`)),
  ];
}

export const FRA_LON = sitesAndLinks(["fra", "lon"], [["fra", "lon", 14]]);

export const HEADER = "apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: t\n";

/**
 * `warnings` sites whose host addresses have host bits set (cidr/host-bits, warnings, first in
 * the file), then `pairs` pairs of clusters sharing a pod range (two cidr/overlap errors a pair,
 * after every warning): more findings than the smallest limit, errors last.
 */
export function manyFindings(warnings: number, pairs: number): string {
  const sites = Array.from({ length: warnings }, (_, i) => `  - name: s${i}\n    addresses: [10.${i}.0.1/24]\n`).join("");
  const clusters = Array.from({ length: pairs * 2 }, (_, i) => {
    const k = Math.floor(i / 2);
    return `  - name: c${i}\n    site: s0\n    network: { pods: 172.${16 + (k >> 8)}.${k & 255}.0/24 }\n`;
  }).join("");
  return `${HEADER}sites:\n${sites}clusters:\n${clusters}`;
}

export interface Seen {
  readonly code: string;
  readonly severity: string;
  /** 1-based */
  readonly line: number;
  /** the text the finding's range covers */
  readonly text: string;
  readonly message: string;
  readonly fixes: readonly { kind: string; title: string; text?: string }[];
  /** the texts its related places cover */
  readonly related: readonly string[];
}

/** Analyses one or more files as one run and returns what each finding covers. */
export function run(files: Record<string, string>, options: Partial<RunOptions> = {}): (Seen & { file: string })[] {
  const results = analyzeRun(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { ...DEFAULT_OPTIONS, ...options },
  );
  return results.flatMap((r) => {
    const resolve = resolver(r.parsed.path, r.parsed.text, options);
    return r.findings.map((f) => ({
      file: r.parsed.path,
      code: f.code,
      severity: f.severity,
      line: r.parsed.lines.positionAt(f.span.start).line + 1,
      text: r.parsed.text.slice(f.span.start, f.span.end),
      message: f.message,
      fixes: (f.fixes ?? []).flatMap((x) => resolve(f, x)),
      related: (f.related ?? []).map((x) => r.parsed.text.slice(x.span.start, x.span.end)),
    }));
  });
}

/**
 * A fix hint as a test reads it. A hint whose block is searched only when the editor asks for
 * the fix (cidr/overlap's free range) is resolved here as the editor's code action would: its
 * title and text, or nothing when no block is free.
 */
function resolver(path: string, text: string, options: Partial<RunOptions>) {
  let analysis: ReturnType<typeof analyzeFile> | undefined;
  return (f: Finding, x: FixHint): Seen["fixes"] => {
    if (x.kind !== "free-range") return [{ kind: x.kind, title: x.title, text: "text" in x ? (x.text as string) : undefined }];
    analysis ??= analyzeFile(path, text, { ...DEFAULT_OPTIONS, ...options });
    const doc = analysis.parsed.docs.find((d) => d.span.start <= f.span.start && f.span.start <= d.span.end);
    const ctx = analysis.contexts.find((c) => c.topology.span.start === doc?.span.start);
    return doc
      ? fixesFor({ text, doc: doc.doc, ctx }, { ...f, fixes: [x] }).map((q) => ({ kind: x.kind, title: q.title, text: q.edits[0]?.text }))
      : [];
  };
}

/** Findings for one topology file (the header is added when the body has no apiVersion). */
export function check(body: string, options: Partial<RunOptions> = {}): Seen[] {
  const text = body.includes("apiVersion:") ? body : HEADER + body;
  return run({ "t.topology.yaml": text }, options);
}

export function codes(body: string, options: Partial<RunOptions> = {}): string[] {
  return check(body, options).map((f) => f.code);
}

export function only(body: string, code: string, options: Partial<RunOptions> = {}): Seen[] {
  return check(body, options).filter((f) => f.code === code);
}

/** A small seeded PRNG (mulberry32) so random tests are reproducible from the printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(): number {
  const s = Number(process.env.QUORATE_SEED ?? Date.now() % 1_000_000);
  return s;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in process, rooted at `cwd`, reading `stdin` as standard input when given (none otherwise). */
export function runCli(argv: readonly string[], cwd = process.cwd(), stdin?: string, version = "0"): CliRun {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    env: {},
    cwd,
    ...(stdin !== undefined ? { stdin: () => stdin } : {}),
  };
  return { code: main(argv, io, version), stdout, stderr };
}

/** Runs `fn` in a fresh temporary folder holding `files`, with an in-process CLI rooted there; the folder is removed after. */
export function inTempDir<T>(files: Record<string, string>, fn: (dir: string, cli: (argv: readonly string[]) => CliRun) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "quorate-t-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return fn(dir, (argv) => runCli(argv, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PNG's width and height, from its IHDR chunk; undefined when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || bytes.toString("latin1", 1, 4) !== "PNG" || bytes.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * A design of `n` sites s0…s(n-1) in a chain of links (5–34 ms), one cluster c<i> per site (its
 * lines after `- name: c<i>` and `site:` from `cluster(i)`), then `stores` lines as given: the
 * large designs the off-thread tests send.
 */
export function chainDesign(n: number, cluster: (i: number) => string[], stores: string[]): string {
  const s = Array.from({ length: n }, (_, i) => `s${i}`);
  const out = ["apiVersion: quorate.dev/v1alpha1", "kind: Topology", "metadata:", "  name: big", "sites:"];
  for (const x of s) out.push(`  - name: ${x}`);
  out.push("links:");
  for (let i = 0; i + 1 < n; i++) out.push(`  - { between: [${s[i]}, ${s[i + 1]}], rttMs: ${5 + (i % 30)} }`);
  out.push("clusters:");
  for (let i = 0; i < n; i++) out.push(`  - name: c${i}`, `    site: ${s[i]}`, ...cluster(i));
  out.push("stores:", ...stores);
  return `${out.join("\n")}\n`;
}

/** The Tiers section's table rows, cells unescaped. */
export function tierRows(md: string): string[][] {
  const section = md.slice(md.indexOf("\n## Tiers\n"), md.indexOf("\n## ", md.indexOf("\n## Tiers\n") + 5));
  return section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| tier "))
    .map((l) =>
      l
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim().replace(/\\(.)/g, "$1")),
    );
}

export function recordOf(text: string) {
  const { analysis, findings } = analyzeAlone("t.topology.yaml", text);
  return { md: decisionRecord({ path: "t.topology.yaml", analysis, findings, version: "1" })!, ctx: analysis.contexts[0] };
}

export const row = (rows: string[][], tier: string, entity: string) => {
  const r = rows.find((x) => x[0] === tier && x[1] === entity);
  assert.ok(r, `no row ${tier} / ${entity} in ${JSON.stringify(rows)}`);
  return r;
};

/**
 * An entry point "web" over fra-prod and lon-prod (1,000 rps each, peak 1,000, TTL 60 s) with
 * its healthCheck line and objectives as given; `availability` on both sites when given.
 */
export function twoSiteWeb(o: { objectives: string; hc: string; steering?: string; availability?: number }): string {
  const a = o.availability === undefined ? "" : `, availability: ${o.availability}`;
  return yaml`
  sites:
    - { name: fra${a} }
    - { name: lon${a} }
  clusters:
    - { name: fra-prod, site: fra }
    - { name: lon-prod, site: lon }
  traffic:
    - name: web
      steering: ${o.steering ?? "gslb"}
      ttlSeconds: 60
      peakRps: 1000
      ${o.hc}
      objectives: ${o.objectives}
      backends:
        - { cluster: fra-prod, capacityRps: 1000 }
        - { cluster: lon-prod, capacityRps: 1000 }
`;
}

/** Three sites, `n` clusters spread over them, one consensus store and one traffic entry with a backend on every cluster. */
export function wide(n: number): string {
  const sites = ["a", "b", "c"];
  const clusters = Array.from({ length: n }, (_, i) => `  - { name: k${i}, site: ${sites[i % 3]} }`);
  const backends = Array.from({ length: n }, (_, i) => `      - { cluster: k${i}, capacityRps: 100 }`);
  return `${HEADER}sites:\n${sites.map((x) => `  - name: ${x}`).join("\n")}\nlinks:\n  - { between: [a, b], rttMs: 2 }\n  - { between: [b, c], rttMs: 2 }\n  - { between: [a, c], rttMs: 2 }\nclusters:\n${clusters.join("\n")}\nstores:\n  - { name: db, replication: consensus, members: { a: 1, b: 1, c: 1 } }\ntraffic:\n  - name: web\n    steering: gslb\n    peakRps: ${n * 50}\n    dependsOn: [db]\n    backends:\n${backends.join("\n")}\n`;
}

/** The text after the first fix of `code` whose title starts with `titleStart`. */
export function applyFirst(text: string, code: string, titleStart: string): string {
  const a = analyzeFile("t.topology.yaml", text);
  for (const f of a.local.filter((x) => x.code === code)) {
    const fix = fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, f).find((x) => x.title.startsWith(titleStart));
    if (!fix) continue;
    let out = text;
    for (const e of [...fix.edits].sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return out;
  }
  throw new Error(`no "${titleStart}" fix for ${code}`);
}
