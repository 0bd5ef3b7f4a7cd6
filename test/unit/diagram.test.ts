import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeFile } from "../../server/src/analysis";
import { findChromium } from "../../server/src/cli/diagram";
import { main, type Io } from "../../server/src/cli/main";
import { diagramFor, label, siteTitle } from "../../server/src/preview/mermaid";
import { FIXABLE } from "../fixtures/fixable";
import { HEADER } from "../helpers";

const HOSTILE = `${HEADER}sites:\n  - name: '"]);alert(1)//'\n  - name: <img src=x onerror=alert(1)>\n  - name: "a\\nb%%{init: {}}%%"\nclusters:\n  - { name: "click c0 call alert(1)", site: "<img src=x onerror=alert(1)>" }\n`;

test("labels encode only what could end the quotes or be markup: no quote, tag, directive or newline reaches Mermaid", () => {
  for (const s of ['"]);alert(1)//', "<img src=x onerror=alert(1)>", "a\nb", "%%{init}%%", "`md`", "#35;", "a&amp;b"]) {
    const l = label(s);
    assert.doesNotMatch(l, /["<>\n\r`%&]/, l);
    // decoding the entity codes gives the name back exactly
    assert.equal(
      l.replace(/#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))),
      s,
    );
  }
  // ordinary labels read as text in the Markdown source
  assert.equal(label("fra-prod · clustermesh (2) [eu]"), "fra-prod · clustermesh (2) [eu]");
});

test("hostile names stay inside labels: node ids are generated, no click or init directive appears", () => {
  const d = diagramFor(analyzeFile("h.topology.yaml", HOSTILE));
  for (const line of d.mermaid.split("\n")) {
    assert.doesNotMatch(line, /^\s*(click|%%|style|classDef\s+[^ew])/, line);
    const unquoted = line.replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(unquoted, /alert|onerror|<img/, `user text outside a quoted label: ${line}`);
  }
  assert.ok(d.nodes.every((n) => /^[A-Za-z0-9_]+$/.test(n.id)));
  // the site with a cluster is a box; the two holding nothing are plain site nodes
  assert.equal((d.mermaid.match(/subgraph /g) ?? []).length, 1);
  assert.equal((d.mermaid.match(/^ {2}s[02]\["/gm) ?? []).length, 2);
});

test("a site holding nothing is a plain node, never an empty subgraph: Mermaid's ELK layout throws on one with an edge", () => {
  const d = diagramFor(
    analyzeFile(
      "e.topology.yaml",
      `${HEADER}sites:\n  - name: eu-west\n  - name: ap-south\n    role: witness\nlinks:\n  - { between: [eu-west, ap-south], rttMs: 120 }\nclusters:\n  - { name: eu-west-prod, site: eu-west }\n`,
    ),
  );
  const lines = d.mermaid.split("\n");
  // every subgraph holds at least one line before its end
  lines.forEach((l, i) => {
    if (/^\s*subgraph /.test(l)) assert.ok(!/^\s*end$/.test(lines[i + 2] ?? "end"), `empty subgraph: ${l}`);
  });
  assert.ok(lines.includes('  subgraph s0["eu-west"]'));
  assert.ok(lines.includes('  s1["ap-south · witness"]'), d.mermaid);
  assert.ok(lines.includes('  s0 <-->|"120 ms"| s1'));
  // still a site: clickable, named, greyed when lost
  assert.deepEqual(
    d.nodes.filter((n) => n.kind === "site").map((n) => [n.id, n.name]),
    [
      ["s0", "eu-west"],
      ["s1", "ap-south"],
    ],
  );
});

test("the diagram: subgraph per site with role, quorum members per site, RTT links, weighted traffic, exports, mesh edges", () => {
  const d = diagramFor(analyzeFile("t.topology.yaml", FIXABLE["capacity.topology.yaml"]));
  assert.match(d.mermaid, /subgraph s0\["hub"\]/);
  // rates read as every other output writes them: thousands separators
  assert.match(d.mermaid, /t0 -->\|"w 50 · cap 30,000"\| c1/);
  assert.match(d.mermaid, /t0\(\["[^"]* · 60,000 rps"\]\)/);
  const q = diagramFor(analyzeFile("q.topology.yaml", FIXABLE["two-site.topology.yaml"]));
  assert.match(q.mermaid, /q0_0\[\("etcd of cluster core: 2 of 4"\)\]/);
  assert.match(q.mermaid, /s0 <-->\|"14 ms"\| s1/);
  const m = diagramFor(analyzeFile("m.topology.yaml", FIXABLE["meshes.topology.yaml"]));
  assert.match(m.mermaid, /c1 -->\|"linkerd gateway"\| c0/);
  const e = diagramFor(analyzeFile("e.topology.yaml", FIXABLE["exports.topology.yaml"]));
  assert.match(e.mermaid, /e1\{\{"export kube-system\/coredns"\}\}/);
  assert.match(e.mermaid, /c0 -.-> e1/);
  const broken = diagramFor(analyzeFile("b.topology.yaml", `${HEADER}sites: [ {name: a\n`));
  assert.equal(broken.mermaid, "");
  assert.match(broken.error!, /^Line \d+: /);
});

function cli(argv: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: process.env, cwd };
  return { code: main(argv, io, "0"), stdout, stderr };
}

test("quorate diagram prints Mermaid or Markdown, writes -o, and rejects bad input with exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-diagram-"));
  try {
    writeFileSync(join(dir, "t.topology.yaml"), FIXABLE["two-site.topology.yaml"]);
    const m = cli(["diagram", "t.topology.yaml"], dir);
    assert.equal(m.code, 0);
    assert.match(m.stdout, /^flowchart LR\n/);
    const md = cli(["diagram", "--format", "md", "t.topology.yaml"], dir);
    assert.match(md.stdout, /^# fx\n\n```mermaid\nflowchart LR/);
    assert.equal(cli(["diagram", "-o", "out.mmd", "t.topology.yaml"], dir).code, 0);
    assert.match(readFileSync(join(dir, "out.mmd"), "utf8"), /^flowchart LR/);
    for (const argv of [["diagram"], ["diagram", "--format", "png", "t.topology.yaml"], ["diagram", "nope.yaml"], ["diagram", "a", "b"]]) {
      const r = cli(argv, dir);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, /^quorate: [^\n]+\n$/);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

const chromium = findChromium(process.env);
if (!chromium) console.log("# diagram svg: no Chromium on this machine (apt-get install chromium); the SVG test runs where it is");
test("quorate diagram --format svg renders through Chromium", { skip: !chromium && "no Chromium" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-svg-"));
  try {
    writeFileSync(join(dir, "t.topology.yaml"), FIXABLE["two-site.topology.yaml"]);
    const r = cli(["diagram", "--format", "svg", "t.topology.yaml"], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(r.stdout, /etcd of cluster core: 2 of 4/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("site titles name the role only where it adds something: no 'witness (witness)'", () => {
  assert.equal(siteTitle("fra", "primary"), "fra");
  assert.equal(siteTitle("ams", "witness"), "ams · witness");
  assert.equal(siteTitle("witness", "witness"), "witness");
  assert.equal(siteTitle("dub", "secondary"), "dub · secondary");
});
