import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nonce, previewHtml } from "../../client/src/preview/html";

const ROOT = join(__dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

test("the manifest: engines a VS Code 1.139 satisfies, untrusted workspaces declared, every contributed file exists", () => {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode);
  assert.ok(m, pkg.engines.vscode);
  assert.equal(Number(m[1]), 1);
  assert.ok(Number(m[2]) <= 139, "code-server 4.139.1 carries VS Code 1.139.1");
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
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
