// Bundles the CLI (and, as they exist, the server and client) with esbuild.
// tsc only type-checks and emits the test build; what ships is these bundles.
import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";

// node scripts/build.mjs [--production] [--out DIR]   (DIR defaults to dist)
const production = process.argv.includes("--production");
const outAt = process.argv.indexOf("--out");
const OUT = outAt > 0 ? process.argv[outAt + 1] : "dist";
// a release build starts clean so no source map of a dev build slips into the package
if (production) rmSync(OUT, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["server/src/cli.ts"], outfile: `${OUT}/cli.js`, banner: { js: "#!/usr/bin/env node" } });
await build({ ...common, entryPoints: ["server/src/server.ts"], outfile: `${OUT}/server.js` });
chmodSync(`${OUT}/cli.js`, 0o755);
chmodSync(`${OUT}/server.js`, 0o755);

// the VS Code extension (vscode is provided by the host) and the preview webview (a browser script)
await build({ ...common, entryPoints: ["client/src/extension.ts"], outfile: `${OUT}/extension.js`, external: ["vscode"] });
await build({
  ...common,
  platform: "browser",
  format: "iife",
  target: "es2022",
  entryPoints: ["client/src/webview/preview.ts"],
  outfile: `${OUT}/media/preview.js`,
});
mkdirSync(`${OUT}/media`, { recursive: true });
copyFileSync("client/src/webview/preview.css", `${OUT}/media/preview.css`);
// Mermaid ships from node_modules into the extension, never from a CDN; its licence goes along
copyFileSync("node_modules/mermaid/dist/mermaid.min.js", `${OUT}/media/mermaid.min.js`);
copyFileSync("node_modules/mermaid/LICENSE", `${OUT}/media/mermaid.LICENSE`);
// the ELK layout (elkjs, EPL-2.0, and Mermaid's adapter, MIT) is bundled into preview.js
copyFileSync("node_modules/elkjs/LICENSE.md", `${OUT}/media/elkjs.LICENSE`);
copyFileSync("node_modules/@mermaid-js/layout-elk/LICENSE", `${OUT}/media/mermaid-layout-elk.LICENSE`);
