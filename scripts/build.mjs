// Bundles the CLI (and, as they exist, the server and client) with esbuild.
// tsc only type-checks and emits the test build; what ships is these bundles.
import { build } from "esbuild";
import { chmodSync } from "node:fs";

const production = process.argv.includes("--production");
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
