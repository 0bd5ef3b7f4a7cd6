// The preview's layouts: the Mermaid text of each (sites side by side or stacked, details drawn
// or folded), and the webview page itself in Chromium at 620 px choosing one that shows the whole
// design legibly — every node inside the visible area, not only labels of a readable size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeFile, finalize } from "../../server/src/analysis";
import { findChromium } from "../../server/src/cli/diagram";
import { diagramFor } from "../../server/src/preview/mermaid";
import { previewHtml } from "../../client/src/preview/html";
import { HEADER } from "../helpers";

// the functions given to page.evaluate run in Chromium, where these exist (the tests' tsconfig has no DOM library)
// biome-ignore lint/suspicious/noExplicitAny: the page's globals, typed loosely on purpose
declare const window: any, document: any;
declare function getComputedStyle(e: unknown): { fontSize: string };

const ROOT = join(__dirname, "..", "..", "..");
const EXAMPLES = ["examples/payments-eu.topology.yaml", "examples/payments-eu-reviewed.topology.yaml", "examples/drift/edge.topology.yaml"];

function diagramOf(path: string, text = readFileSync(join(ROOT, path), "utf8")) {
  const a = analyzeFile(path, text);
  return diagramFor(a, finalize(a.parsed, a.local), undefined, new Map(), { layouts: true });
}

test("every layout draws the same design: LR detailed is the exported text, TB stacks the sites, folded puts a site's details in one node", () => {
  const d = diagramOf("examples/payments-eu.topology.yaml");
  assert.equal(d.layouts?.length, 4);
  const of = (direction: string, folded: boolean) => d.layouts!.find((l) => l.direction === direction && l.folded === folded)!.mermaid;
  assert.equal(of("LR", false), d.mermaid);
  assert.match(of("TB", false), /^flowchart TB\n/);
  assert.match(of("TB", false), /subgraph s0\["fra"\]\n {4}direction LR\n/);
  // folded: the members and stores of fra as one node, short lines, edges to them redrawn to it once
  const folded = of("TB", true);
  assert.match(folded, /\n {4}m0\["etcd: 2 of 4<br>ledger: 2 of 3<br>carts writer"\]\n/);
  assert.doesNotMatch(folded, /q0_0|d1_0/);
  assert.match(folded, /\n {2}t0 -\.->\|"depends on"\| m0\n/);
  assert.match(folded, /\n {2}class m0 error\n/);
  // the clusters stay nodes of their own (a click reveals each)
  assert.match(folded, /c0\["fra-prod · clustermesh id 1"\]/);
  // the details node stands for its nodes, which carry their text for the hover card
  const m0 = d.nodes.find((n) => n.id === "m0")!;
  assert.equal(m0.kind, "details");
  assert.deepEqual(m0.details, ["q0_0", "q1_0", "d1_0"]);
  assert.equal(m0.severity, "error");
  assert.equal(d.nodes.find((n) => n.id === "q0_0")?.label, "etcd of cluster fra-prod: 2 of 4 · API 2.6 nines");
  // without asking, only the one text (the CLI, exports and the record)
  const a = analyzeFile("x.topology.yaml", readFileSync(join(ROOT, "examples/payments-eu.topology.yaml"), "utf8"));
  assert.equal(diagramFor(a).layouts, undefined);
});

test("a folded line is escaped on its own: hostile store names stay text between the breaks", () => {
  const text = `${HEADER}sites:\n  - name: a\n  - name: b\nlinks:\n  - { between: [a, b], rttMs: 5 }\nstores:\n  - name: "<br><img src=x onerror=alert(1)>"\n    replication: async\n    writers: [a]\n    replicas: [b]\n`;
  const d = diagramOf("h.topology.yaml", text);
  const folded = d.layouts!.find((l) => l.folded)!.mermaid;
  const line = folded.split("\n").find((l) => l.includes("m0["))!;
  assert.equal((line.match(/<br>/g) ?? []).length, 0, line);
  assert.match(line, /#60;br#62;#60;img src=x onerror=alert\(1\)#62; writer/);
});

test("a site with nothing in it is a plain node, never an empty subgraph (the ELK layout cannot draw one with an edge)", () => {
  const text = `${HEADER}sites:\n  - name: a\n  - name: w\n    role: witness\nlinks:\n  - { between: [a, w], rttMs: 5 }\nclusters:\n  - { name: c, site: a }\n`;
  for (const l of diagramOf("e.topology.yaml", text).layouts!) {
    assert.match(l.mermaid, /\n {2}s1\["w · witness"\]\n/, l.mermaid);
    assert.doesNotMatch(l.mermaid, /subgraph s1/);
  }
});

const chromium = findChromium(process.env);
const media = join(ROOT, "dist", "media");
const why = !chromium
  ? "no Chromium (apt-get install chromium, or QUORATE_CHROMIUM)"
  : !existsSync(join(media, "preview.js"))
    ? "dist/media not built (npm run build)"
    : "";
if (why) console.log(`# preview layout in Chromium skipped: ${why}`);

/** A folder with the real preview page (page.html) and its scripts, the webview API stood in for: posts are recorded in window.posts. */
function previewPage(): string {
  const dir = mkdtempSync(join(tmpdir(), "quorate-preview-"));
  for (const f of ["preview.js", "preview.css", "mermaid.min.js"]) copyFileSync(join(media, f), join(dir, f));
  const stub = `<script nonce="n">window.posts=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.posts.push(m),getState:()=>undefined,setState:()=>{}});</script>`;
  const html = previewHtml({
    cspSource: "file:",
    nonce: "n",
    scriptUri: "preview.js",
    mermaidUri: "mermaid.min.js",
    styleUri: "preview.css",
  })
    .replace("<script ", `${stub}\n<script `)
    .replace("<body>", '<body class="vscode-dark">');
  writeFileSync(join(dir, "page.html"), html);
  return dir;
}

test("the preview page at 620 px shows every node of each example inside the panel, labels at least 11 px", {
  skip: why || false,
}, async () => {
  const { chromium: pw } = await import("playwright-core");
  const dir = previewPage();
  const browser = await pw.launch({ executablePath: chromium!, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    for (const example of EXAMPLES) {
      const page = await browser.newPage({ viewport: { width: 620, height: 760 } });
      await page.goto(`file://${join(dir, "page.html")}`);
      await page.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "ready"));
      await page.evaluate((d) => window.postMessage({ type: "diagram", ...d, version: 1 }, "*"), diagramOf(example));
      await page.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "rendered"));
      const m = await page.evaluate(() => {
        const vp = document.getElementById("viewport")!.getBoundingClientRect();
        const canvas = document.getElementById("canvas")!;
        const scale = canvas.getBoundingClientRect().width / canvas.offsetWidth;
        const svg = canvas.querySelector("svg")!;
        const drawn = [...svg.querySelectorAll("g.node, g.cluster, g.edgeLabel")].map((e) => ({
          text: e.textContent!.trim(),
          r: e.getBoundingClientRect(),
        }));
        const outside = drawn
          .filter(
            ({ r }) =>
              r.width > 0 && (r.left < vp.left - 0.5 || r.right > vp.right + 0.5 || r.top < vp.top - 0.5 || r.bottom > vp.bottom + 0.5),
          )
          .map(({ text }) => text);
        const texts = [...svg.querySelectorAll(".nodeLabel, .edgeLabel, .cluster-label")].filter((e) => e.textContent!.trim());
        const minFontPx = Math.min(...texts.map((e) => Number.parseFloat(getComputedStyle(e).fontSize) * scale));
        return { outside, drawn: drawn.length, minFontPx, layout: document.body.dataset.layout, panel: vp.width };
      });
      assert.equal(m.panel, 620);
      assert.ok(m.drawn > 5, `${example}: ${m.drawn} drawn`);
      assert.deepEqual(m.outside, [], `${example} (${m.layout}): outside the panel`);
      assert.ok(m.minFontPx >= 11, `${example} (${m.layout}): smallest label ${m.minFontPx.toFixed(1)} px`);
      if (example === EXAMPLES[0]) {
        // folded at 620 px: hovering the details lists them, a line reveals its source
        assert.equal(m.layout, "TB folded");
        await page.hover('[data-quorate-id="m0"]');
        const card = page.locator("#card:not([hidden])");
        await card.waitFor();
        assert.deepEqual(await card.locator("button").allTextContents(), [
          "etcd of cluster fra-prod: 2 of 4 · API 2.6 nines",
          "store ledger: 2 of 3 · 3 nines",
          "carts writer · 3 nines",
        ]);
        await card.locator("button").first().click();
        assert.ok(
          await page.evaluate(() =>
            (window as unknown as { posts: { type: string; id?: string }[] }).posts.some((p) => p.type === "reveal" && p.id === "q0_0"),
          ),
        );
        // the keyboard reaches the same: Tab lands on the diagram's nodes, focus shows the card,
        // Enter moves into it, the arrows move between its lines, Escape closes it and returns
        await page.mouse.move(1, 1);
        await page.locator("#card").waitFor({ state: "hidden" });
        const focused = () =>
          page.evaluate(() => document.activeElement?.getAttribute("data-quorate-id") ?? document.activeElement?.textContent);
        await page.locator("#zoom-reset").focus();
        let tabs = 0;
        while (!(await page.evaluate(() => !!document.activeElement?.closest("#canvas"))) && tabs++ < 20) await page.keyboard.press("Tab");
        assert.ok(tabs <= 20, "Tab never reached the diagram");
        assert.equal(await page.locator("g.quorate-node:not([tabindex='0'])").count(), 0, "every node is focusable");
        const details = page.locator('[data-quorate-id="m0"]');
        assert.equal(await details.getAttribute("role"), "button");
        assert.match((await details.getAttribute("aria-label")) ?? "", /^fra: 3 details, error; Enter lists them$/);
        await details.focus();
        await page.locator("#card:not([hidden])").waitFor();
        assert.equal(await details.getAttribute("aria-expanded"), "true");
        await page.keyboard.press("Enter");
        assert.equal(await focused(), "etcd of cluster fra-prod: 2 of 4 · API 2.6 nines");
        await page.keyboard.press("ArrowDown");
        assert.equal(await focused(), "store ledger: 2 of 3 · 3 nines");
        await page.keyboard.press("ArrowUp");
        await page.keyboard.press("ArrowUp");
        assert.equal(await focused(), "carts writer · 3 nines", "the arrows wrap around");
        await page.keyboard.press("Enter");
        const revealed = () =>
          page.evaluate(() =>
            (window as unknown as { posts: { type: string; id?: string }[] }).posts.filter((p) => p.type === "reveal").map((p) => p.id),
          );
        assert.equal((await revealed()).at(-1), "d1_0");
        await page.keyboard.press("Escape");
        await page.locator("#card").waitFor({ state: "hidden" });
        assert.equal(await focused(), "m0", "Escape returns to the node");
        assert.equal(await details.getAttribute("aria-expanded"), "false");
        // focus shows the card again; Escape on the node hides it; Tab away hides it
        await page.keyboard.press("Space");
        await page.locator("#card:not([hidden])").waitFor();
        await page.keyboard.press("Escape");
        await page.keyboard.press("Escape");
        await page.locator("#card").waitFor({ state: "hidden" });
        assert.equal(await focused(), "m0");
        // any other node: Enter or Space does what a click does
        const cluster = page.locator('[data-quorate-id="c1"]');
        assert.match((await cluster.getAttribute("aria-label")) ?? "", /lon-prod/);
        await cluster.focus();
        await page.locator("#card").waitFor({ state: "hidden" });
        await page.keyboard.press("Enter");
        assert.equal((await revealed()).at(-1), "c1");
        // zooming in draws the details; Fit folds them again
        await page.locator("#zoom-in").click();
        await page.waitForFunction(() => document.body.dataset.layout === "TB");
        assert.equal(await page.locator('[data-quorate-id="q0_0"]').count(), 1);
        await page.locator("#zoom-reset").click();
        await page.waitForFunction(() => document.body.dataset.layout === "TB folded");
      }
      await page.close();
    }
    // the same page in a wide panel draws the example's sites side by side, details and all
    const wide = await browser.newPage({ viewport: { width: 1400, height: 760 } });
    await wide.goto(`file://${join(dir, "page.html")}`);
    await wide.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "ready"));
    await wide.evaluate(
      (d) => window.postMessage({ type: "diagram", ...d, version: 1 }, "*"),
      diagramOf("examples/drift/edge.topology.yaml"),
    );
    await wide.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "rendered"));
    assert.equal(await wide.evaluate(() => document.body.dataset.layout), "LR");
    // the decision record's diagram in a Markdown preview (Mermaid's defaults, a 700 px column,
    // as VS Code's Markdown preview with Mermaid or GitHub draws it): labels at their natural size
    for (const example of EXAMPLES) {
      const record = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), "report", example], { cwd: ROOT, encoding: "utf8" }).stdout;
      const block = /```mermaid\n([\s\S]*?)```/.exec(record)?.[1];
      assert.ok(block, `${example}: no Mermaid block in the record`);
      const md = await browser.newPage({ viewport: { width: 760, height: 900 } });
      await md.goto(`file://${join(dir, "page.html")}`);
      const min = await md.evaluate(async (text) => {
        document.body.innerHTML = `<div style="width:700px;overflow:auto"><pre class="mermaid"></pre></div>`;
        document.querySelector("pre").textContent = text;
        window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
        await window.mermaid.run();
        const svg = document.querySelector("pre svg");
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const labels = [...svg.querySelectorAll(".nodeLabel, .edgeLabel, .cluster-label")].filter((e: { textContent: string }) =>
          e.textContent.trim(),
        );
        return Math.min(...labels.map((e: unknown) => Number.parseFloat(getComputedStyle(e).fontSize) * scale));
      }, block);
      assert.ok(min >= 12, `${example}: the record's diagram draws labels at ${min.toFixed(1)} px`);
      await md.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a design too large for Mermaid: its full text draws only Mermaid's error box, the summary draws the sites with the note as text", {
  skip: why || false,
}, async () => {
  const { chromium: pw } = await import("playwright-core");
  const dir = previewPage();
  const browser = await pw.launch({ executablePath: chromium!, args: ["--no-sandbox", "--disable-gpu"] });
  // 4 sites, each with 130 clusters behind one traffic entry: 526 edges, over Mermaid's 500
  const sites = Array.from({ length: 4 }, (_, i) => `s${i}`);
  const clusters = sites.flatMap((s) => Array.from({ length: 130 }, (_, k) => ({ name: `${s}-k${k}`, site: s })));
  const text =
    `${HEADER}sites:\n${sites.map((s) => `  - { name: ${s} }`).join("\n")}\nlinks:\n` +
    sites.flatMap((a, i) => sites.slice(i + 1).map((b) => `  - { between: [${a}, ${b}], rttMs: 10 }`)).join("\n") +
    `\nclusters:\n${clusters.map((c) => `  - { name: ${c.name}, site: ${c.site} }`).join("\n")}\n` +
    `traffic:\n  - name: web\n    steering: gslb\n    backends:\n${clusters.map((c) => `      - { cluster: ${c.name} }`).join("\n")}\n`;
  const a = analyzeFile("big.topology.yaml", text);
  const findings = finalize(a.parsed, a.local);
  const full = diagramFor(a, findings, undefined, new Map(), { layouts: true });
  const summary = diagramFor(a, findings, undefined, new Map(), { layouts: true, bounded: true });
  assert.ok(summary.summary);
  try {
    const shown = async (d: typeof full) => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
      await page.goto(`file://${join(dir, "page.html")}`);
      await page.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "ready"));
      await page.evaluate((m) => window.postMessage({ type: "diagram", ...m, version: 1 }, "*"), d);
      await page.waitForFunction(() => (window as unknown as { posts: { type: string }[] }).posts.some((p) => p.type === "rendered"));
      const got = await page.evaluate(() => ({
        rendered: (window as unknown as { posts: { type: string; nodes?: number; error?: string }[] }).posts.find(
          (p) => p.type === "rendered",
        ),
        text: document.getElementById("canvas")!.textContent,
        note: document.getElementById("note")!.hidden ? undefined : document.getElementById("note")!.textContent,
        noteHtml: document.getElementById("note")!.innerHTML,
      }));
      await page.close();
      return got;
    };
    // what the preview showed before the summary: Mermaid's own error, no node of the design, or an edge-limit error
    const before = await shown(full);
    assert.ok(
      /Maximum text size in diagram exceeded/.test(before.text ?? "") || /Edge limit exceeded/.test(before.rendered?.error ?? ""),
      JSON.stringify(before),
    );
    assert.equal(before.rendered?.nodes, 0);
    assert.equal(before.note, undefined);
    const after = await shown(summary);
    assert.equal(after.rendered?.error, undefined);
    assert.equal(after.rendered?.nodes, 5, "4 sites and the traffic entry, each a node that reveals its source");
    assert.match(after.text ?? "", /s0.*130 clusters/);
    assert.equal(after.note, summary.summary);
    assert.doesNotMatch(after.noteHtml, /</, "the note is text, never markup");
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
