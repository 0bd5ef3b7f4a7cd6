import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yauzl from "yauzl";
import { Client } from "../lsp/client";
import { pngSize } from "../helpers";
import { bundledPackages, licenceFirstLine, noticeEntries } from "./notices";

// The artifacts users install, built and used as users do: `npm run package` and `npm pack`.
const ROOT = join(__dirname, "..", "..", "..");

let devBuild: string | undefined;
/** A development build (with source maps) in a temporary folder, made once for this file. */
function developmentBuild(): string {
  if (devBuild) return devBuild;
  const dir = mkdtempSync(join(tmpdir(), "quorate-devbuild-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--out", dir], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  devBuild = dir;
  return dir;
}

/**
 * An artifact's THIRD-PARTY-NOTICES.txt names every package that each of its bundles holds — as the
 * bundle's source map tells it, not the metafile the notices are made from — with that bundle, and
 * carries the package's own licence text; Mermaid's prebuilt bundle, its packages.
 */
function assertNotices(text: string, shipped: string[]) {
  const entries = noticeEntries(text);
  const held = bundledPackages(developmentBuild(), ROOT);
  let checked = 0;
  // Mermaid's prebuilt bundle has no source map of ours: its packages are checked below
  for (const bundle of shipped.filter((b) => b !== "dist/media/mermaid.min.js")) {
    const packages = held.get(bundle);
    assert.ok(packages?.size, `${bundle} bundles packages`);
    for (const [id, dir] of packages) {
      const entry = entries.get(id);
      assert.ok(entry, `THIRD-PARTY-NOTICES.txt has no notice for ${id}, bundled into ${bundle}`);
      assert.ok(entry.files.includes(bundle), `the notice for ${id} names ${entry.files.join(", ")}, not ${bundle}`);
      const first = licenceFirstLine(dir);
      if (first) assert.ok(entry.body.includes(first), `the notice for ${id} carries its licence (${first})`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `${checked} bundled packages`);
  if (!shipped.includes("dist/media/mermaid.min.js")) return;
  for (const name of ["mermaid", "dompurify", "d3-array", "langium", "chevrotain"]) {
    const found = [...entries].find(([id]) => id.startsWith(`${name} `));
    assert.ok(found?.[1].files.includes("dist/media/mermaid.min.js"), `Mermaid's bundle: a notice for ${name}`);
  }
}

function zipEntries(file: string): Promise<{ name: string; size: number }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; size: number }[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        out.push({ name: e.fileName, size: e.uncompressedSize });
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** One entry's bytes. */
function zipEntry(file: string, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on("entry", (e: yauzl.Entry) => {
        if (e.fileName !== name) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            zip.close();
            resolve(Buffer.concat(chunks));
          });
        });
      });
      zip.on("end", () => reject(new Error(`${name} is not in ${file}`)));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

test("npm run package builds quorate.vsix from a clean checkout: exactly the allow-list, under 3.5 MB", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-vsix-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const vsix = join(dir, "quorate.vsix");
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "package.mjs"), vsix], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // 3.15 MB on 7 December (the bundles, Mermaid, the pictures, and the README and CHANGELOG that grow
  // with the product); the bound catches what should never be in it (node_modules, sources, tests)
  assert.ok(statSync(vsix).size < 3.5 * 1024 * 1024, `${statSync(vsix).size} bytes`);
  const entries = await zipEntries(vsix);
  const files = entries
    .map((e) => e.name)
    .filter((n) => n.startsWith("extension/"))
    .map((n) => n.slice("extension/".length))
    .sort();
  assert.deepEqual(files, [
    "LICENSE.txt",
    "changelog.md",
    "dist/THIRD-PARTY-NOTICES.txt",
    "dist/extension.js",
    "dist/media/elkjs.LICENSE",
    "dist/media/mermaid-layout-elk.LICENSE",
    "dist/media/mermaid.LICENSE",
    "dist/media/mermaid.min.js",
    "dist/media/preview.css",
    "dist/media/preview.js",
    "dist/server.js",
    "dist/web/extension.js",
    "dist/web/server.js",
    "examples/payments-eu.topology.yaml",
    "media/icon.png",
    "media/screenshot.png",
    "media/walkthrough/hover.png",
    "media/walkthrough/open-example.png",
    "media/walkthrough/quick-fix.png",
    "media/walkthrough/record.png",
    "media/walkthrough/simulate.png",
    "package.json",
    "readme.md",
    "schemas/topology.schema.json",
    "syntaxes/language-configuration.json",
    "syntaxes/quorate-injection.tmLanguage.json",
    "syntaxes/quorate-topology.tmLanguage.json",
    "syntaxes/snippets.json",
  ]);
  assert.ok(
    entries.every((e) => !/\.map$/.test(e.name)),
    "no source maps",
  );
  // the shipped bundles are the release build: no inline source maps either
  const server = entries.find((e) => e.name === "extension/dist/server.js");
  assert.ok(server && server.size > 50_000);

  // the gallery's icon and the walkthrough, as the packaged manifest names them
  const manifest = JSON.parse((await zipEntry(vsix, "extension/package.json")).toString("utf8"));
  assert.equal(manifest.icon, "media/icon.png");
  const icon = pngSize(await zipEntry(vsix, "extension/media/icon.png"));
  assert.ok(icon && icon.width >= 128 && icon.width === icon.height, JSON.stringify(icon));
  const media = manifest.contributes.walkthroughs[0].steps.map((s: { media: { image: string } }) => s.media.image);
  assert.ok(media.length >= 4);
  for (const m of media) {
    assert.ok(files.includes(m), `${m} is in the package`);
    // screenshots of the real VS Code (scripts/walkthrough-media.mjs), taken at 1.25×
    const entry = await zipEntry(vsix, `extension/${m}`);
    const size = pngSize(entry);
    assert.ok(size && size.width >= 600, `${m}: ${JSON.stringify(size)}`);
    assert.ok(entry.length < 300 * 1024, `${m}: ${entry.length} bytes`);
  }
  const vsixManifest = (await zipEntry(vsix, "extension.vsixmanifest")).toString("utf8");
  assert.match(vsixManifest, /<Asset Type="Microsoft\.VisualStudio\.Services\.Icons\.Default" Path="extension\/media\/icon\.png"/);
  // what Open VSX (`ovsx publish quorate.vsix`) reads from the package: a namespace, a licence and the repository
  assert.equal(manifest.publisher, "quorate");
  assert.equal(manifest.license, "MIT");
  assert.match(manifest.repository.url, /^https:\/\/github\.com\//);
  assert.ok(files.includes("LICENSE.txt"));

  // the third-party notices of every bundle it ships
  const bundles = files.filter((f) => /^dist\/.*\.js$/.test(f));
  assertNotices((await zipEntry(vsix, "extension/dist/THIRD-PARTY-NOTICES.txt")).toString("utf8"), bundles);
});

test("npm pack: installed into a prefix, `quorate check` runs and `quorate-language-server --stdio` answers over LSP", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-npm-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // npm from inside `npm test` would read the outer npm's environment as its own config
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  // `prepack` makes the release build into dist/, as a publish would
  const pack = spawnSync("npm", ["pack", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", env });
  assert.equal(pack.status, 0, pack.stderr);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, pack.stdout);
  const list = spawnSync("tar", ["-tzf", join(dir, tgz)], { encoding: "utf8" });
  assert.deepEqual(list.stdout.trim().split("\n").sort(), [
    "package/CHANGELOG.md",
    "package/LICENSE",
    "package/README.md",
    "package/dist/THIRD-PARTY-NOTICES.txt",
    "package/dist/cli.js",
    "package/dist/media/mermaid.LICENSE",
    "package/dist/media/mermaid.min.js",
    "package/dist/server.js",
    "package/package.json",
    "package/schemas/topology.schema.json",
  ]);
  const notices = spawnSync("tar", ["-xzOf", join(dir, tgz), "package/dist/THIRD-PARTY-NOTICES.txt"], { encoding: "utf8" });
  assert.equal(notices.status, 0, notices.stderr);
  assertNotices(notices.stdout, ["dist/cli.js", "dist/server.js", "dist/media/mermaid.min.js"]);

  const prefix = join(dir, "prefix");
  const install = spawnSync("npm", ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", join(dir, tgz)], {
    encoding: "utf8",
    env,
  });
  assert.equal(install.status, 0, install.stderr);

  const topo = join(dir, "payments-eu.topology.yaml");
  copyFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), topo);
  const check = spawnSync(join(prefix, "bin", "quorate"), ["check", "--format", "json", topo], { encoding: "utf8" });
  assert.equal(check.status, 1, check.stderr);
  const rows = JSON.parse(check.stdout) as { code: string }[];
  assert.ok(rows.some((r) => r.code === "quorum/two-site-split"));

  const client = await Client.start({ command: [join(prefix, "bin", "quorate-language-server"), "--stdio"] });
  t.after(() => client.stop());
  const uri = "file:///installed/payments-eu.topology.yaml";
  await client.open(uri, (await import("node:fs")).readFileSync(topo, "utf8"));
  const diags = await client.diagnosticsAfter(uri, 0, 1);
  assert.ok(diags.some((d) => d.code === "quorum/two-site-split"));
});
