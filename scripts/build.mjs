// Bundles the CLI (and, as they exist, the server and client) with esbuild.
// tsc only type-checks and emits the test build; what ships is these bundles.
import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";

const production = process.argv.includes("--production");
// a release build starts clean so no source map of a dev build slips into the package
if (production) rmSync("dist", { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["server/src/cli.ts"], outfile: "dist/cli.js", banner: { js: "#!/usr/bin/env node" } });
await build({ ...common, entryPoints: ["server/src/server.ts"], outfile: "dist/server.js" });
chmodSync("dist/cli.js", 0o755);
chmodSync("dist/server.js", 0o755);

// the VS Code extension (vscode is provided by the host) and the preview webview (a browser script)
await build({ ...common, entryPoints: ["client/src/extension.ts"], outfile: "dist/extension.js", external: ["vscode"] });
await build({
  ...common,
  platform: "browser",
  format: "iife",
  target: "es2022",
  entryPoints: ["client/src/webview/preview.ts"],
  outfile: "dist/media/preview.js",
});
mkdirSync("dist/media", { recursive: true });
copyFileSync("client/src/webview/preview.css", "dist/media/preview.css");
// Mermaid ships from node_modules into the extension, never from a CDN; its licence goes along
copyFileSync("node_modules/mermaid/dist/mermaid.min.js", "dist/media/mermaid.min.js");
copyFileSync("node_modules/mermaid/LICENSE", "dist/media/mermaid.LICENSE");
