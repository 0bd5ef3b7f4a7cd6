import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import type { TopologyContext } from "../../server/src/derive/context";
import { TOPOLOGY_RULES } from "../../server/src/rules/index";
import { check, codes, HEADER, only, run } from "../helpers";

test("a syntax error is the only finding for its document, at the parser's range", () => {
  const f = check(
    `${HEADER}sites:\n  - name: fra\n    location: { lat: 50.11, lon: 8.68\n  - name: lon\nclusters:\n  - name: x\n    site: nowhere\n`,
  );
  assert.ok(f.length >= 1);
  assert.ok(
    f.every((x) => x.code === "yaml/syntax"),
    JSON.stringify(f),
  );
});

test("a broken document does not silence its healthy neighbour", () => {
  const f = run({
    "two.topology.yaml": `${HEADER}sites: [ {name: a\n---\n${HEADER}sites:\n  - name: b\nclusters:\n  - { name: c, site: nope }\n`,
  });
  assert.ok(f.some((x) => x.code === "yaml/syntax"));
  assert.deepEqual(
    f.filter((x) => x.code !== "yaml/syntax").map((x) => x.code),
    ["ref/unknown"],
  );
});

test("duplicate keys point at the repeated key", () => {
  const f = check(`${HEADER}sites:\n  - name: fra\n    name: lon\n`);
  assert.deepEqual(
    f.map((x) => [x.code, x.text, x.line]),
    [["yaml/duplicate-key", "name", 7]],
  );
});

test("schema findings are human and anchored: missing property on the parent's key, unknown key on itself", () => {
  const f = check(`${HEADER}sites:\n  - name: fra\n  - role: witness\nlinks:\n  - between: [fra]\n    rtMs: 4\n`);
  const rows = f.map((x) => [x.code, x.text, x.message]);
  assert.deepEqual(rows, [
    ["schema", "role", "`sites[1]` is missing required property `name`"],
    ["schema", "between", "`links[0]` is missing required property `rttMs`"],
    ["schema", "[fra]", "`between` must list at least 2 items"],
    ["schema", "rtMs", "unknown property `rtMs` in `links[0]` (did you mean `rttMs`?)"],
  ]);
});

test("schema: each of many unknown keys is its own finding on that key, and a repeated one on its first occurrence (audit A10)", () => {
  const n = 3000;
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  const text = `${HEADER}sites:\n  - name: fra\n${keys.map((k) => `${k}: 1`).join("\n")}\nk7: 2\n`;
  const schema = check(text).filter((f) => f.code === "schema");
  assert.equal(schema.length, n, "k7 repeated is one finding, not two");
  for (const i of [0, 7, 1234, n - 1]) {
    const f = schema.find((x) => x.message.startsWith(`unknown property \`k${i}\``))!;
    assert.ok(f, `k${i}`);
    // on the key itself, at its first line
    assert.deepEqual([f.text, f.line], [`k${i}`, HEADER.split("\n").length + 2 + i], `k${i}`);
  }
});

test("schema: types, enums, patterns and constants", () => {
  const f = check(
    `apiVersion: quorate.dev/v1\nkind: Topology\nmetadata:\n  name: Payments_EU\nsites:\n  - name: fra\n    role: leader\nlinks:\n  - between: [fra, fra]\n    rttMs: "14ms"\n`,
  );
  assert.deepEqual(
    f.map((x) => x.message),
    [
      '`apiVersion` must be `quorate.dev/v1alpha1`, not "quorate.dev/v1"',
      "`name` \"Payments_EU\" is not a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
      '`role` must be one of `primary`, `secondary`, `witness`, not "leader"',
      "`between` must name two distinct sites",
      "`rttMs` must be a number, not a string",
    ],
  );
});

test("schema: rttMs must be greater than 0; missing sites anchors at the document start", () => {
  assert.deepEqual(
    only(`sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 0 }\n`, "schema").map((x) => x.message),
    ["`rttMs` must be greater than 0, not 0"],
  );
  const f = check(`apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata: { name: x }\n`);
  assert.deepEqual(
    f.map((x) => [x.code, x.text, x.line]),
    [["schema", "apiVersion", 1]],
  );
});

test("an alias bomb is bounded and reported, never expanded", () => {
  let text = `${HEADER}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
  for (let i = 1; i < 12; i++) text += `a${i}: &a${i} [${new Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
  text += "sites:\n  - name: fra\n";
  const f = check(text);
  assert.deepEqual(
    f.map((x) => x.code),
    ["yaml/aliases"],
  );
});

test("aliases to a site list are followed without expansion", () => {
  const f = check(`${HEADER}sites: &s\n  - name: fra\nlinks: []\nclusters:\n  - { name: c, site: fra }\n`);
  assert.deepEqual(f, []);
});

test("ref/unknown names the closest declared name and offers to change it or declare the site", () => {
  const f = only(`sites:\n  - name: frankfurt\nclusters:\n  - { name: c, site: frankfrut }\n`, "ref/unknown");
  assert.equal(f[0].text, "frankfrut");
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Change to `frankfurt`", "Declare site `frankfrut`"],
  );
  const g = only(`sites:\n  - name: fra\nclusters:\n  - { name: c, site: tokyo }\n`, "ref/unknown");
  assert.deepEqual(
    g[0].fixes.map((x) => x.title),
    ["Declare site `tokyo`"],
    "no far-fetched suggestion",
  );
});

test("every reference position is checked", () => {
  const body = `sites:
  - name: fra
links:
  - { between: [fra, x1], rttMs: 1 }
clusters:
  - name: c
    site: x2
    etcd: { members: { x3: 1 } }
stores:
  - { name: s, replication: consensus, members: { x4: 3 } }
  - { name: t, replication: async, writers: [x5], replicas: [x6] }
traffic:
  - name: w
    steering: gslb
    dependsOn: [x7]
    backends: [{ cluster: x8 }]
exports:
  - { service: api, namespace: ns, clusters: [x9] }
`;
  assert.deepEqual(
    only(body, "ref/unknown").map((x) => x.text),
    ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"],
  );
  // each says where the reference sits
  assert.deepEqual(
    only(body, "ref/unknown").map((x) => x.message.slice(0, x.message.indexOf(" names "))),
    [
      "links[0].between",
      "cluster c",
      "etcd members of cluster c",
      "members of store s",
      "writers of store t",
      "replicas of store t",
      "dependsOn of traffic w",
      "backend of traffic w",
      "export api",
    ],
  );
});

test("duplicate names in every list, every repeat after the first", () => {
  const f = only(
    `sites:\n  - name: a\n  - name: a\n  - name: a\nclusters:\n  - { name: c, site: a }\n  - { name: c, site: a }\nstores:\n  - { name: s, replication: async }\n  - { name: s, replication: async }\ntraffic:\n  - { name: w, steering: gslb, backends: [{ cluster: c }] }\n  - { name: w, steering: gslb, backends: [{ cluster: c }] }\n`,
    "ref/duplicate-name",
  );
  assert.deepEqual(
    f.map((x) => x.line),
    [7, 8, 11, 14, 17],
  );
});

test("# quorate-disable-next-line silences the named codes on the next line only", () => {
  const body = (directive: string) =>
    `sites:\n  - name: fra\nclusters:\n  - name: c\n    site: fra\n    etcd:\n${directive}      members: { fra: 2 }\n`;
  assert.deepEqual(codes(body("")).sort(), ["quorum/even-members", "quorum/no-fault-tolerance"]);
  assert.deepEqual(codes(body("      # quorate-disable-next-line quorum/even-members\n")), ["quorum/no-fault-tolerance"]);
  assert.deepEqual(
    codes(body("      # quorate-disable-next-line quorum/even-members, quorum/no-fault-tolerance -- single-node lab\n")),
    [],
  );
  assert.deepEqual(codes(body("      # quorate-disable-next-line\n")), []);
});

test("severity overrides turn rules off or change their level", () => {
  const body = `sites:\n  - name: fra\nclusters:\n  - name: c\n    site: fra\n    etcd: { members: { fra: 2 } }\n`;
  const f = check(body, { severities: { "quorum/even-members": "off", "quorum/no-fault-tolerance": "error" } });
  assert.deepEqual(
    f.map((x) => [x.code, x.severity]),
    [["quorum/no-fault-tolerance", "error"]],
  );
});

test("a rule family that throws becomes one internal-error finding while the others report", () => {
  const a = analyzeFile("t.topology.yaml", `${HEADER}sites:\n  - name: fra\nclusters:\n  - { name: c, site: nope }\n`);
  assert.deepEqual(
    a.local.map((f) => f.code),
    ["ref/unknown"],
  );
  const rules = TOPOLOGY_RULES as [string, (ctx: TopologyContext) => unknown][];
  const saved = rules[1];
  rules[1] = [
    "quorum",
    () => {
      throw new Error("boom");
    },
  ];
  try {
    const b = analyzeFile("t.topology.yaml", `${HEADER}sites:\n  - name: fra\nclusters:\n  - { name: c, site: nope }\n`);
    assert.deepEqual(
      b.local.map((f) => f.code),
      ["ref/unknown", "quorate/internal-error"],
    );
    assert.match(b.local[1].message, /`quorum` failed .*boom/);
  } finally {
    rules[1] = saved;
  }
});

test("only topology documents and the Kubernetes kinds are read; other YAML is left alone", () => {
  assert.deepEqual(run({ "values.yaml": "replicas: 3\nimage: nginx\n" }), []);
  assert.deepEqual(run({ "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n" }), []);
  // in a non-topology file, a document of our apiVersion with a misspelt kind still reaches the schema
  assert.deepEqual(
    run({ "x.yaml": "apiVersion: quorate.dev/v1alpha1\nkind: Toplogy\nmetadata: { name: x }\nsites: [{ name: a }]\n" }).map(
      (f) => f.message,
    ),
    ['`kind` must be `Topology`, not "Toplogy"'],
  );
});

test("positions are UTF-16 code units: a line with an emoji before the value", () => {
  const f = check(`sites:\n  - name: fra\nclusters:\n  - { name: c, description: "🚀 x", site: nope }\n`);
  const r = analyzeFile("t.topology.yaml", `${HEADER}sites:\n  - name: fra\nclusters:\n  - { name: c, description: "🚀 x", site: nope }\n`);
  const line = r.parsed.lines.lineText(r.parsed.lines.positionAt(r.local[0].span.start).line);
  assert.equal(line.slice(r.parsed.lines.positionAt(r.local[0].span.start).character).slice(0, 4), "nope");
  assert.equal(f[0].text, "nope");
});

test("schema: metadata.decision, stores[].namespace and owner (record.md's additions)", () => {
  const ok = `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata:
  name: t
  decision: { status: accepted, date: 2026-11-30, deciders: [platform-architecture], supersedes: t-v1 }
sites:
  - { name: fra, addresses: [192.0.2.0/28] }
stores:
  - { name: s, replication: async, writers: [fra], namespace: ledger-system, owner: team-payments }
`;
  assert.deepEqual(codes(ok), []);
  const bad = ok
    .replace("status: accepted", "status: approved")
    .replace("2026-11-30", "30.11.2026")
    .replace("namespace: ledger-system", "namespace: Ledger_System");
  assert.deepEqual(codes(bad), ["schema", "schema", "schema"]);
  const [context] = analyzeFile("t.topology.yaml", ok).contexts;
  const d = context.topology.decision!;
  assert.equal(d.status, "accepted");
  assert.equal(d.date?.value, "2026-11-30");
  assert.deepEqual(
    d.deciders?.items.map((x) => x.value),
    ["platform-architecture"],
  );
  assert.equal(context.topology.stores[0].owner?.value, "team-payments");
  assert.deepEqual(
    context.topology.sites[0].addresses?.items.map((x) => x.value),
    ["192.0.2.0/28"],
  );
});
