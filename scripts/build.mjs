// Bundles the CLI (and, as they exist, the server and client) with esbuild.
// tsc only type-checks and emits the test build; what ships is these bundles.
import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Notices } from "./notices.mjs";
import { writeValidators } from "./schema-validators.mjs";

// node scripts/build.mjs [--production] [--cli] [--out DIR]   (DIR defaults to dist)
const production = process.argv.includes("--production");
const outAt = process.argv.indexOf("--out");
const OUT = outAt > 0 ? process.argv[outAt + 1] : "dist";
// a release build starts clean so no source map of a dev build slips into the package (the
// committed dist/cli.js is rebuilt identically below)
if (production && !process.argv.includes("--cli")) rmSync(OUT, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
  metafile: true,
};
// what each shipped file bundles, for the third-party notices (scripts/notices.mjs)
const notices = new Notices();
/** esbuild's build, its bundled packages noted against the file it writes */
async function bundle(options) {
  const result = await build(options);
  notices.addMetafile(result.metafile, `dist/${options.outfile.slice(OUT.length + 1)}`);
  return result;
}

// the schema's validators, compiled ahead of time from schemas/topology.schema.json (committed, so
// tsc and the tests see them; regenerated here whenever the schema changed)
if (writeValidators()) console.log("schema changed: server/src/schema/validators.generated.ts rewritten (commit it)");

// The CLI bundle is committed (dist/cli.js): pre-commit and the GitHub Action run it without a
// build. It is built the same way in every mode — readable, no source map, byte-for-byte
// reproducible — so a dev build and a release build write the same file, and a test can tell
// when the committed one is stale. `--cli` builds only this file (npm run bundle).
const CLI_BUNDLE = {
  ...common,
  minify: false,
  sourcemap: false,
  legalComments: "inline",
  // the module paths esbuild writes as comments are the same in every checkout (a worktree's
  // node_modules may be a symlink)
  preserveSymlinks: true,
  entryPoints: ["server/src/cli.ts"],
  banner: {
    js: "#!/usr/bin/env node\n// quorate CLI, bundled by `npm run bundle` from server/src: do not edit. npm test fails while this file is not the build of the source.",
  },
};
await bundle({ ...CLI_BUNDLE, outfile: `${OUT}/cli.js` });
chmodSync(`${OUT}/cli.js`, 0o755);
if (process.argv.includes("--cli")) process.exit(0);
await bundle({ ...common, entryPoints: ["server/src/server.ts"], outfile: `${OUT}/server.js` });
chmodSync(`${OUT}/server.js`, 0o755);

// the VS Code extension (vscode is provided by the host) and the preview webview (a browser script)
// protocol.ts declares the custom requests with the protocol package's RequestType; the client
// library carries its own copy of that package, so the extension bundles that one copy only
const clientProtocol = {
  name: "client-protocol",
  setup(b) {
    const fromClient = createRequire(resolve("node_modules/vscode-languageclient/package.json"));
    b.onResolve({ filter: /^vscode-languageserver-protocol$/ }, () => ({ path: fromClient.resolve("vscode-languageserver-protocol") }));
  },
};
await bundle({
  ...common,
  entryPoints: ["client/src/extension.ts"],
  outfile: `${OUT}/extension.js`,
  external: ["vscode"],
  plugins: [clientProtocol],
});
await bundle({
  ...common,
  platform: "browser",
  format: "iife",
  target: "es2022",
  entryPoints: ["client/src/webview/preview.ts"],
  outfile: `${OUT}/media/preview.js`,
});

// the web extension (vscode.dev, github.dev): the client in the browser's extension host and the
// language server in a web worker, the same analyzer. Nothing of Node may reach these bundles: an
// import of a Node module fails the build — except node:url, whose two functions the URI helper
// needs for file: URIs and which the web gets from a posix-only stand-in (server/src/web/url.ts).
const web = {
  ...common,
  platform: "browser",
  format: "cjs",
  target: "es2022",
  mainFields: ["browser", "module", "main"],
  conditions: ["browser"],
  plugins: [
    {
      name: "no-node",
      setup(b) {
        b.onResolve({ filter: /^node:url$/ }, () => ({ path: new URL("../server/src/web/url.ts", import.meta.url).pathname }));
        b.onResolve({ filter: /^(node:.*|fs|path|os|child_process|crypto|worker_threads|util|net|url)$/ }, (a) => ({
          errors: [{ text: `${a.path} is a Node module: the web bundle must not need it (imported by ${a.importer})` }],
        }));
      },
    },
  ],
};
await bundle({ ...web, entryPoints: ["server/src/browser.ts"], outfile: `${OUT}/web/server.js`, format: "iife" });
await bundle({ ...web, entryPoints: ["client/src/browser.ts"], outfile: `${OUT}/web/extension.js`, external: ["vscode"] });
mkdirSync(`${OUT}/media`, { recursive: true });
copyFileSync("client/src/webview/preview.css", `${OUT}/media/preview.css`);
// Mermaid ships from node_modules into the extension, never from a CDN; its licence goes along
copyFileSync("node_modules/mermaid/dist/mermaid.min.js", `${OUT}/media/mermaid.min.js`);
copyFileSync("node_modules/mermaid/LICENSE", `${OUT}/media/mermaid.LICENSE`);
// the ELK layout (elkjs, EPL-2.0, and Mermaid's adapter, MIT) is bundled into preview.js
copyFileSync("node_modules/elkjs/LICENSE.md", `${OUT}/media/elkjs.LICENSE`);
copyFileSync("node_modules/@mermaid-js/layout-elk/LICENSE", `${OUT}/media/mermaid-layout-elk.LICENSE`);
// the third-party notices of everything above (its bundles and Mermaid's), shipped in the .vsix
// and the npm package
notices.addMermaid("dist/media/mermaid.min.js");
const { version } = JSON.parse(readFileSync("package.json", "utf8"));
notices.write(`${OUT}/THIRD-PARTY-NOTICES.txt`, `Quorate ${version}`);
