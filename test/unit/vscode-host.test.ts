import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

// The demo host's pure parts: the prerequisite message and the dark first paint.
const ROOT = join(__dirname, "..", "..", "..");
type Host = {
  prerequisiteMessage(missing: string[], root: boolean): string;
  withDarkFirstPaint(html: string, colors: Record<string, string>): string;
};
const host = (): Promise<Host> => import(join(ROOT, "scripts", "vscode-host.mjs"));

test("the prerequisite message says sudo only to a user who is not root", async () => {
  const { prerequisiteMessage } = await host();
  const user = prerequisiteMessage(["make", "python3"], false);
  assert.match(user, /needs make, python3\./);
  assert.match(user, /^ {2}sudo apt-get install -y build-essential python3 libkrb5-dev$/m);
  assert.match(user, /Fedora: sudo dnf install/);
  const root = prerequisiteMessage(["make"], true);
  assert.match(root, /^ {2}apt-get install -y build-essential python3 libkrb5-dev$/m);
  assert.doesNotMatch(root, /sudo/);
});

test("the demo's workbench page gets Dark Modern as its initial colour theme; the rest of its configuration is kept", async () => {
  const { withDarkFirstPaint } = await host();
  const config = { remoteAuthority: "127.0.0.1:1", folderUri: { path: '/a "b" & <c>' }, productConfiguration: { nameShort: "Code's" } };
  const esc = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  const page = `<!DOCTYPE html>\n<html>\n\t<head>\n\t\t<meta id="vscode-workbench-web-configuration" data-settings="${esc(JSON.stringify(config))}">\n\t</head>\n</html>`;
  const out = withDarkFirstPaint(page, { "titleBar.activeBackground": "#181818" });
  const attr = /data-settings="([^"]*)"/.exec(out)?.[1] ?? "";
  const parsed = JSON.parse(
    attr.replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', "#39": "'", lt: "<", gt: ">", amp: "&" })[e] ?? ""),
  );
  assert.deepEqual(parsed.initialColorTheme, { themeType: "dark", colors: { "titleBar.activeBackground": "#181818" } });
  assert.deepEqual(parsed.folderUri, config.folderUri);
  assert.deepEqual(parsed.productConfiguration, config.productConfiguration);
  assert.match(out, /<head>\n\t\t<meta name="color-scheme" content="dark">/);
  // any other page passes unchanged
  assert.equal(withDarkFirstPaint("<html><head></head></html>", {}), "<html><head></head></html>");
});
