import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nonce, previewHtml } from "../../client/src/preview/html";
import { pngSize } from "../helpers";

const ROOT = join(__dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

test("the manifest: engines a VS Code 1.139 satisfies, untrusted workspaces declared, every contributed file exists", () => {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode);
  assert.ok(m, pkg.engines.vscode);
  assert.equal(Number(m[1]), 1);
  assert.ok(Number(m[2]) <= 139, "code-server 4.139.1 carries VS Code 1.139.1");
  // Restricted Mode: everything but git; a cloned repository's settings cannot lift the bounds on what is read and sent
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, "limited");
  assert.match(untrusted.description, /Compare with Git HEAD/);
  assert.deepEqual(untrusted.restrictedConfigurations, ["quorate.maxFileSizeKb", "quorate.maxDiagnostics"]);
  for (const key of untrusted.restrictedConfigurations) assert.ok(pkg.contributes.configuration.properties[key], key);
  const c = pkg.contributes;
  for (const g of c.grammars) assert.ok(existsSync(join(ROOT, g.path)), g.path);
  for (const s of c.snippets) JSON.parse(readFileSync(join(ROOT, s.path), "utf8"));
  assert.ok(existsSync(join(ROOT, c.languages[0].configuration)));
  assert.deepEqual(c.languages[0].filenamePatterns, ["*.topology.yaml", "*.topology.yml"]);
  assert.equal(c.yamlValidation[0].url, "./schemas/topology.schema.json");
  const commands = c.commands.map((x: { command: string }) => x.command);
  assert.deepEqual(commands, [
    "quorate.openPreview",
    "quorate.exportDiagram",
    "quorate.simulate",
    "quorate.exportGameDay",
    "quorate.writeDecisionRecord",
    "quorate.compareWithHead",
    "quorate.openExample",
    "quorate.restartServer",
    "quorate.showOutput",
  ]);
  for (const [key, prop] of Object.entries<{ markdownDescription?: string; description?: string }>(c.configuration.properties)) {
    assert.ok(prop.markdownDescription ?? prop.description, `${key} has a description`);
  }
  const snippets = JSON.parse(readFileSync(join(ROOT, "syntaxes/snippets.json"), "utf8"));
  assert.deepEqual(
    Object.keys(snippets)
      .flatMap((k) => snippets[k].prefix)
      .sort(),
    ["cluster", "quorate", "site", "store", "topology", "traffic"],
  );
  assert.deepEqual(pkg.bin, { quorate: "dist/cli.js", "quorate-language-server": "dist/server.js" });
});

test("gallery metadata: an icon PNG of at least 128 px, square; bugs and Q&A links", () => {
  assert.equal(pkg.icon, "media/icon.png");
  const size = pngSize(readFileSync(join(ROOT, pkg.icon)));
  assert.ok(size, "the icon is a PNG");
  assert.equal(size.width, size.height);
  assert.ok(size.width >= 128, `${size.width} px`);
  assert.equal(pngSize(Buffer.from("GIF89a not a png at all")), undefined);
  assert.match(pkg.bugs.url, /^https:\/\/github\.com\/quorate\/quorate\/issues$/);
  assert.match(pkg.qna, /^https:\/\//);
  assert.equal(pkg.galleryBanner.theme, "dark");
});

test("the walkthrough: 4–6 steps in the order of the first ten minutes, each with media that exists and links to real commands", () => {
  const [w, ...others] = pkg.contributes.walkthroughs;
  assert.equal(others.length, 0);
  assert.ok(w.steps.length >= 4 && w.steps.length <= 6, `${w.steps.length} steps`);
  assert.deepEqual(
    w.steps.map((s: { id: string }) => s.id),
    ["openExample", "hover", "quickFix", "simulate", "decisionRecord"],
  );
  const ours = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  const builtIn = new Set(["editor.action.showHover", "editor.action.quickFix"]);
  const allow = readFileSync(join(ROOT, ".vscodeignore"), "utf8");
  for (const step of w.steps as {
    id: string;
    description: string;
    media: { image: string; altText: string };
    completionEvents?: string[];
  }[]) {
    const media = step.media.image;
    assert.ok(media && existsSync(join(ROOT, media)), `${step.id}: ${media}`);
    // a screenshot of the real VS Code (scripts/walkthrough-media.mjs), not a drawing
    assert.ok(pngSize(readFileSync(join(ROOT, media))), `${media} is a PNG`);
    assert.ok(step.media.altText.length > 20, `${step.id} describes its media`);
    assert.ok(allow.includes(`!${media.replace(/[^/]+\.png$/, "*.png")}`) || allow.includes(`!${media}`), `${media} is packaged`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length >= 1, `${step.id} has a button`);
    for (const c of [...links, ...(step.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, ""))])
      assert.ok(ours.has(c) || builtIn.has(c), `${step.id}: ${c} is a contributed or built-in command`);
  }
  // the example the first step opens ships in the package and has what the next steps use
  assert.ok(allow.includes("!examples/payments-eu.topology.yaml"));
  const example = readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8");
  assert.match(example, /- name: ledger\n(?:\s+\w+:.*\n)*?\s+members: \{ fra: 2, lon: 1 \}/);
});

test("the grammar injection marks CIDRs, IPv6 prefixes and references", () => {
  const g = JSON.parse(readFileSync(join(ROOT, "syntaxes/quorate-injection.tmLanguage.json"), "utf8"));
  const v4 = new RegExp(g.repository["ipv4-cidr"].match);
  const v6 = new RegExp(g.repository["ipv6-cidr"].match);
  const ref = new RegExp(g.repository["scalar-reference"].match);
  assert.equal(v4.exec("pods: 10.96.0.0/12")?.[0], "10.96.0.0/12");
  assert.equal(v4.exec("version 1.2.3"), null);
  assert.equal(v6.exec('nodes: "fd00:10::/56"')?.[0], "fd00:10::/56");
  assert.equal(ref.exec("    site: fra-1")?.[3], "fra-1");
  assert.equal(ref.exec("    site: fra # main")?.[3], "fra");
});

test("the preview page: strict CSP with a fresh nonce on every script, nothing remote, no inline data", () => {
  const a = nonce();
  const b = nonce();
  assert.notEqual(a, b);
  assert.ok(Buffer.from(a, "base64").length === 16);
  const html = previewHtml({
    cspSource: "vscode-webview://x",
    scriptUri: "vscode-webview://x/p.js",
    mermaidUri: "vscode-webview://x/m.js",
    styleUri: "vscode-webview://x/p.css",
    nonce: a,
  });
  const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${a.replace(/[+/]/g, (c) => `\\${c}`)}'`));
  assert.doesNotMatch(csp, /unsafe-eval|https?:/);
  const scripts = html.match(/<script[^>]*>/g)!;
  assert.equal(scripts.length, 2);
  for (const s of scripts) assert.ok(s.includes(`nonce="${a}"`), s);
  assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/, "no inline script bodies");
  assert.doesNotMatch(html, /https?:\/\//);
});
