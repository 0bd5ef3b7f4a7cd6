// The walkthrough's pictures and the README's screenshot, taken from the real VS Code (the VS
// Code server of scripts/vscode-host.mjs in Chromium) with this working tree's extension on the
// packaged example: the squiggles and Problems, the hover, the quick fixes, the preview's
// Simulate and the decision record, as a user sees them.
//
//   node scripts/walkthrough-media.mjs           take the pictures (after npx tsc -b; then npm run bundle: it sets package.json's alt texts)
//   node scripts/walkthrough-media.mjs --check   no VS Code: fail when the product's words in a picture changed
//
// Beside the pictures, media/walkthrough/shots.json keeps the product's own words each picture
// shows (hover Markdown, quick-fix titles, diagnostics, the simulate and record lines), computed
// here by the language service and the CLI. Taking the pictures checks that the workbench shows
// exactly those words; --check (test/package/walkthrough-media.test.ts) computes them again and
// fails when they differ, so a picture cannot silently go stale.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE = "payments-eu.topology.yaml";
const SHOTS = join(ROOT, "media", "walkthrough", "shots.json");
/** The store whose members the walkthrough hovers and fixes, and the site Simulate loses. */
const LEDGER = /members: \{ fra: 2, lon: 1 \}/;
const SITE = "fra";

function cli(...args) {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`quorate ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/**
 * The product's words that each picture shows, from the language service (compiled to out/ by
 * npx tsc -b) and dist/cli.js on the example: what --check compares and what taking a picture
 * finds on screen.
 */
export function productWords() {
  const require = createRequire(import.meta.url);
  const out = (p) => {
    const file = join(ROOT, "out", "server", "src", `${p}.js`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npx tsc -b first`);
    return require(file);
  };
  const { QuorateService } = out("service/service");
  const { hoverOf } = out("service/hover");
  const { codeActionsOf } = out("service/actions");
  const text = readFileSync(join(ROOT, "examples", EXAMPLE), "utf8");
  const uri = `file:///workspace/${EXAMPLE}`;
  const s = new QuorateService();
  s.update(uri, text);
  const line = text.split("\n").findIndex((l) => LEDGER.test(l));
  if (line < 0) throw new Error(`examples/${EXAMPLE} has no line matching ${LEDGER}`);
  // the hover's position: on the members' value, as the picture hovers it
  const character = text.split("\n")[line].indexOf("lon: 1") + 1;
  const diagnostics = s.diagnostics(uri);
  const count = (severity) => diagnostics.filter((d) => d.severity === severity).length;
  // the quick fixes' position: on the members' key, where the findings are
  const key = text.split("\n")[line].indexOf("members") + 1;
  const at = { start: { line, character: key }, end: { line, character: key } };
  const sim = JSON.parse(cli("simulate", "--lose", SITE, "--format", "json", `examples/${EXAMPLE}`));
  const record = cli("report", `examples/${EXAMPLE}`);
  return {
    "open-example.png": {
      counts: { errors: count(1), warnings: count(2) },
      // the first finding on the ledger's line: the one F8 from the line's start shows
      finding: diagnostics
        .filter((d) => d.range.start.line === line)
        .sort((x, y) => x.range.start.character - y.range.start.character || x.severity - y.severity)
        .slice(0, 1)
        .flatMap((d) => [d.message, `quorate(${d.code})`]),
    },
    "hover.png": { hover: hoverOf(s, uri, { line, character })?.contents.value ?? "" },
    "quick-fix.png": { titles: codeActionsOf(s, uri, at).map((a) => a.title) },
    "simulate.png": { verdict: `${sim.verdict.toUpperCase()} — lose ${SITE}`, breaks: sim.breaks },
    "record.png": {
      title: /^# (.+)$/m.exec(record)?.[1],
      status: /^## Status\n\n\*\*(.+?)\*\*/m.exec(record)?.[1],
      blocking: /^- Blocking: (.+)$/m.exec(record)?.[1],
    },
  };
}

/** The walkthrough's steps (package.json contributes.walkthroughs[0].steps ids) and their pictures. */
const STEPS = {
  openExample: "open-example.png",
  hover: "hover.png",
  quickFix: "quick-fix.png",
  simulate: "simulate.png",
  decisionRecord: "record.png",
};

/** Each picture's alt text, made of the product's words it shows. */
export function altTexts(words) {
  const open = words["open-example.png"];
  const hover = words["hover.png"].hover
    .split("\n\n")
    .slice(0, 2)
    .map((p) => p.replace(/\*\*/g, ""));
  const sim = words["simulate.png"];
  const rec = words["record.png"];
  return {
    "open-example.png": `The example in the editor: the ledger's members underlined, and the finding under them in full: "${open.finding[0]}"; the status bar: ${open.counts.errors} errors, ${open.counts.warnings} warnings, a site loss breaks it.`,
    "hover.png": `The hover on the ledger's members: "${hover.join(" ")}", and a table of each site's members, what its loss leaves and the commit latency from there.`,
    "quick-fix.png": `The quick fixes on the ledger's members: ${words["quick-fix.png"].titles.map((t) => `"${t}"`).join(", ")}.`,
    "simulate.png": `The preview with Simulate losing ${SITE}: "${sim.verdict}", then what breaks, first "${sim.breaks[0]}"; the diagram below shows ${SITE} lost.`,
    "record.png": `The decision record's Markdown preview: "${rec.title}", status "${rec.status}".`,
  };
}

/** package.json with the walkthrough's media set to the pictures and their alt texts. */
function manifestWith(words) {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const alt = altTexts(words);
  for (const step of pkg.contributes.walkthroughs[0].steps) {
    const name = STEPS[step.id];
    if (!name) throw new Error(`walkthrough step ${step.id} has no picture in scripts/walkthrough-media.mjs`);
    step.media = { image: `media/walkthrough/${name}`, altText: alt[name] };
  }
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** A hover's Markdown as the words it renders: cells and sentences, without the markup. */
export function renderedFragments(markdown) {
  return markdown
    .split("\n")
    .filter((l) => !/^\|?[-| :]+\|?$/.test(l.trim()))
    .flatMap((l) => l.split("|"))
    .map((f) => f.replace(/\*\*|`/g, "").trim())
    .filter(Boolean);
}

const collapse = (s) => s.replace(/\s+/g, " ").trim();

/** Fails unless every fragment is in the text the workbench shows. */
function shows(where, shown, fragments) {
  const all = collapse(shown);
  const missing = fragments.filter((f) => !all.includes(collapse(f)));
  if (missing.length) throw new Error(`${where} does not show: ${missing.join(" | ")}\n(it shows: ${all.slice(0, 800)})`);
}

/** The union of boxes, with a margin, inside the page. */
function around(boxes, margin, page) {
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(page.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(page.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  return { x, y, width: right - x, height: bottom - y };
}

const log = (s) => process.stdout.write(`[walkthrough-media] ${s}\n`);

/** A workspace named "examples" holding the examples, with settings for tidy pictures. */
function workspace(parent, extra = {}) {
  const dir = join(parent, "examples");
  cpSync(join(ROOT, "examples"), dir, { recursive: true });
  mkdirSync(join(dir, ".vscode"));
  const settings = {
    "workbench.colorTheme": "Default Dark Modern",
    "editor.minimap.enabled": false,
    "editor.stickyScroll.enabled": false,
    "files.exclude": { "**/.vscode": true },
    "workbench.tips.enabled": false,
    "chat.disableAIFeatures": true,
    ...extra,
  };
  writeFileSync(join(dir, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
  return dir;
}

/** The README's screenshot: the Explorer, the editor and the preview at about 620 px, as the suite sees them. */
async function readmeShot(host, browser, vs, scratch) {
  const page = await browser.newPage({ viewport: { width: host.PREVIEW_WINDOW_WIDTH, height: 900 } });
  const { quickOpen, command } = host.workbench(page);
  await page.goto(vs.url(workspace(join(scratch, "readme"))));
  await page.waitForSelector(".monaco-workbench", { timeout: 90_000 });
  await quickOpen(EXAMPLE);
  await analysed(page);
  await command("Quorate: Open Preview to the Side");
  const frame = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
  await frame.locator("body[data-layout] svg g.cluster").first().waitFor({ timeout: 90_000 });
  await settle(frame);
  await page.screenshot({ path: join(ROOT, "media", "screenshot.png") });
  log("media/screenshot.png");
  await page.close();
}

/** Waits for the status bar's verdict: the language server has analysed the example. */
const analysed = (page) =>
  page.waitForFunction(() => /a site loss breaks it/.test(document.querySelector(".statusbar")?.textContent ?? ""), null, {
    timeout: 90_000,
  });

/**
 * The workbench the walkthrough's pictures are taken in, the example open, no side bar. VS Code
 * shows the pictures 400–800 px wide, meant for 1.5× pixels; 1.25× keeps the text sharp and the
 * .vsix (which ships them) small.
 */
async function walkthroughWorkbench(host, browser, vs, scratch) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, deviceScaleFactor: 1.25 });
  const page = await context.newPage();
  const { quickOpen, command } = host.workbench(page);
  await page.goto(vs.url(workspace(join(scratch, "walkthrough"), { "workbench.activityBar.location": "hidden" })));
  await page.waitForSelector(".monaco-workbench", { timeout: 90_000 });
  await quickOpen(EXAMPLE);
  await analysed(page);
  await command("View: Close Primary Side Bar");
  await page.locator(".part.sidebar").waitFor({ state: "hidden" });
  const ledger = host.exampleLine(EXAMPLE, LEDGER);
  const png = (name) => join(ROOT, "media", "walkthrough", name);
  return {
    page,
    context,
    command,
    size: page.viewportSize(),
    ledgerText: readFileSync(join(ROOT, "examples", EXAMPLE), "utf8").split("\n")[ledger - 1],
    /** the cursor to the ledger's members line, at a 1-based column */
    async goTo(column) {
      await page.locator(".monaco-editor textarea").first().focus();
      await page.keyboard.press("Control+G");
      await page.keyboard.type(`${ledger}:${column}`);
      await page.keyboard.press("Enter");
      await page.waitForFunction((l) => new RegExp(`Ln ${l},`).test(document.querySelector(".statusbar")?.textContent ?? ""), ledger);
    },
    async shot(name, clip) {
      await page.screenshot({ path: png(name), clip });
      log(`media/walkthrough/${name} (${Math.round(statSync(png(name)).size / 1024)} KB)`);
    },
    /** the cursor's line, from the editor's left edge: what a picture of a widget on it keeps in view */
    async line() {
      const editor = await page.locator(".part.editor").boundingBox();
      const lb = await page.locator(".monaco-editor .view-overlays .current-line").first().boundingBox();
      return { ...lb, x: editor.x, width: 10 };
    },
  };
}

/** 1. The example open: the squiggle under the ledger's members, its finding whole (F8 shows it in the editor), the status bar. */
async function openExampleShot(w, words) {
  const { page } = w;
  await w.goTo(1);
  const { counts, finding } = words["open-example.png"];
  const status = collapse((await page.locator(".statusbar").textContent()) ?? "");
  if (!status.includes(`${counts.errors} ${counts.warnings} a site loss breaks it`))
    throw new Error(`the status bar does not show ${counts.errors} errors and ${counts.warnings} warnings: ${status.slice(0, 80)}`);
  await page.keyboard.press("F8");
  const marker = page.locator(".monaco-editor .marker-widget").first();
  await marker.locator(".descriptioncontainer", { hasText: "store ledger" }).waitFor({ timeout: 30_000 });
  shows("the problem shown in the editor", (await marker.textContent()) ?? "", finding);
  const title = await page.locator(".part.titlebar").boundingBox();
  await w.shot("open-example.png", { x: 0, y: title.height, width: w.size.width, height: w.size.height - title.height });
  await page.keyboard.press("Escape");
}

/** 2. The hover on the ledger's members, on their value (the key also carries the findings' hovers). */
async function hoverShot(w, words) {
  const { page } = w;
  await w.goTo(w.ledgerText.indexOf("lon: 1") + 2);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  const hover = page.locator(".monaco-editor .monaco-hover", { hasText: "tolerates" }).first();
  await hover.waitFor({ timeout: 30_000 });
  if (/quorate\(/.test((await hover.textContent()) ?? "")) throw new Error("the hover shows findings too");
  shows("the hover", (await hover.textContent()) ?? "", renderedFragments(words["hover.png"].hover));
  await w.shot("hover.png", around([await hover.boundingBox(), await w.line()], 12, w.size));
  await page.keyboard.press("Escape");
}

/** 3. The quick fixes on the ledger's members. */
async function quickFixShot(w, words) {
  const { page } = w;
  await w.goTo(w.ledgerText.indexOf("members") + 2);
  await page.keyboard.press("Control+.");
  const menu = page.locator(".action-widget").first();
  await menu
    .locator(".monaco-list-row", { hasText: /witness site/ })
    .first()
    .waitFor({ timeout: 30_000 });
  shows("the quick-fix menu", (await menu.textContent()) ?? "", words["quick-fix.png"].titles);
  await w.shot("quick-fix.png", around([await menu.boundingBox(), await w.line()], 12, w.size));
  await page.keyboard.press("Escape");
}

/** 4. The preview beside the editor, Simulate losing the site. */
async function simulateShot(w, words) {
  const { page } = w;
  await w.command("Quorate: Open Preview to the Side");
  const frame = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
  await frame.locator("body[data-layout] svg g.cluster").first().waitFor({ timeout: 90_000 });
  if ((await frame.locator("#simulate-toggle").getAttribute("aria-pressed")) !== "true") await frame.locator("#simulate-toggle").click();
  await frame.locator("#sim-sites button", { hasText: SITE }).first().click();
  const sim = words["simulate.png"];
  await frame.locator("#sim-verdict", { hasText: sim.verdict }).waitFor({ timeout: 60_000 });
  await settle(frame);
  const shown = `${await frame.locator("#sim-verdict").textContent()} ${await frame.locator("#sim-breaks").textContent()}`;
  shows("Simulate", shown, [sim.verdict, ...sim.breaks]);
  await w.shot("simulate.png", around([await page.locator("iframe.webview.ready").last().boundingBox()], 0, w.size));
}

/** 5. The decision record, in its Markdown preview. */
async function recordShot(w, words) {
  const { page } = w;
  await page.locator(".tabs-container .tab", { hasText: EXAMPLE }).first().click();
  await w.command("Quorate: Write Decision Record");
  const md = page.frameLocator("iframe.webview.ready >> nth=-1").frameLocator("#active-frame");
  const rec = words["record.png"];
  await md.locator("h1", { hasText: rec.title }).waitFor({ timeout: 90_000 });
  shows("the record's preview", (await md.locator("body").textContent()) ?? "", [rec.title, rec.status, `Blocking: ${rec.blocking}`]);
  await w.shot("record.png", around([await page.locator("iframe.webview.ready").last().boundingBox()], 0, w.size));
}

async function take() {
  const host = await import("./vscode-host.mjs");
  if (!host.CHROMIUM) throw new Error("no Chromium found (apt-get install chromium, or set QUORATE_CHROMIUM)");
  const words = productWords();
  await host.setup();
  const { chromium } = await import("playwright-core");
  const scratch = mkdtempSync(join(tmpdir(), "quorate-media-"));
  // the .vsix users install (npm run package), so the pictures show the extension as installed
  const vsix = join(scratch, "quorate.vsix");
  const built = spawnSync(process.execPath, [join(ROOT, "scripts", "package.mjs"), vsix], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (built.status !== 0) throw new Error(`npm run package failed (exit ${built.status})`);
  const vs = await host.startVSCode({ vsix });
  const browser = await chromium.launch({ executablePath: host.CHROMIUM, args: host.BROWSER_ARGS });
  try {
    await readmeShot(host, browser, vs, scratch);
    const w = await walkthroughWorkbench(host, browser, vs, scratch);
    for (const step of [openExampleShot, hoverShot, quickFixShot, simulateShot, recordShot]) await step(w, words);
    await w.context.close();
    writeFileSync(SHOTS, `${JSON.stringify(words, null, 2)}\n`);
    log("media/walkthrough/shots.json: the words the pictures show");
    const manifest = manifestWith(words);
    if (manifest !== readFileSync(join(ROOT, "package.json"), "utf8")) {
      writeFileSync(join(ROOT, "package.json"), manifest);
      log("package.json: the walkthrough's pictures and alt texts (dist/cli.js bundles package.json: run npm run bundle)");
    }
  } catch (e) {
    // what the workbench showed when a step failed
    const last = join(tmpdir(), "walkthrough-media-failed.png");
    for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: last }).catch(() => {});
    log(`failed; the workbench's last picture: ${last}`);
    throw e;
  } finally {
    await browser.close();
    vs.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Waits until the preview's layout and transform stop changing (it fits itself to the panel as it opens). */
async function settle(frame) {
  await frame.locator("#viewport").evaluate(async () => {
    let before = "";
    for (let i = 0; i < 50; i++) {
      const now = `${document.body.dataset.layout} ${document.getElementById("canvas").style.transform}`;
      if (now === before) return;
      before = now;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200)));
    }
  });
}

function check() {
  const now = productWords();
  const then = JSON.parse(readFileSync(SHOTS, "utf8"));
  const stale = Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(then[k]));
  for (const k of stale)
    console.error(
      `media/walkthrough/${k} shows words the product no longer prints:\n  then: ${JSON.stringify(then[k])}\n  now:  ${JSON.stringify(now[k])}`,
    );
  if (manifestWith(then) !== readFileSync(join(ROOT, "package.json"), "utf8")) {
    console.error("package.json's walkthrough media are not the pictures with their alt texts (made from shots.json)");
    stale.push("package.json");
  }
  for (const name of Object.values(STEPS))
    if (!existsSync(join(ROOT, "media", "walkthrough", name))) stale.push(`media/walkthrough/${name} is missing`);
  if (stale.length) console.error("Take the pictures again: npx tsc -b && node scripts/walkthrough-media.mjs && npm run bundle");
  return stale.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) process.exit(check());
  await take();
}
