// Third-party notices (npm run build, npm run package, npm pack): every package that a shipped
// file bundles is named with the files it is in, followed by its own licence and notice files as
// the package ships them. MIT, ISC, BSD and Apache-2.0 all ask that the notice go along with
// the code; esbuild's metafile tells which packages each bundle holds.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const LICENCE_FILE = /^(licen[cs]e|copying|notice|copyright)([.-].*)?$/i;

/** The package folder a bundled module lies in (the innermost node_modules/<name>), if any. */
function packageDir(file) {
  const abs = resolve(file);
  const at = abs.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const rest = abs.slice(at + "/node_modules/".length).split(sep);
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return join(abs.slice(0, at), "node_modules", ...name.split("/"));
}

/** Where a package resolves from a folder, as Node looks it up. */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ...name.split("/"));
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A package's licence and notice files, or else the License section of its README (where some
 * packages keep their MIT notice, e.g. fastdom).
 */
function licenceText(dir) {
  const read = (f) => readFileSync(join(dir, f), "utf8").replace(/\r\n?/g, "\n").trimEnd();
  const files = readdirSync(dir)
    .filter((f) => LICENCE_FILE.test(f))
    .sort();
  if (files.length) return files.map(read).join("\n\n");
  const readme = readdirSync(dir).find((f) => /^readme(\.md|\.markdown)?$/i.test(f));
  const section = readme && /^(#+)[ \t]*licen[cs]e\b.*\n([\s\S]*?)(?=^#{1,6}[ \t]|(?![\s\S]))/im.exec(read(readme));
  return section?.[2].trim() || undefined;
}

/** The readable (unminified) .mjs files under a folder. */
function mjsUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".mjs") && !f.includes(".min."))
    .map((f) => join(dir, f));
}

export class Notices {
  /** package folder → the shipped files it is bundled into */
  byPackage = new Map();

  add(dir, shipped) {
    if (!this.byPackage.has(dir)) this.byPackage.set(dir, new Set());
    this.byPackage.get(dir).add(shipped);
  }

  /** The packages an esbuild bundle holds, from its metafile. */
  addMetafile(metafile, shipped) {
    for (const input of Object.keys(metafile.inputs)) {
      const dir = packageDir(input);
      if (dir) this.add(dir, shipped);
    }
  }

  /**
   * Mermaid's own prebuilt bundle, shipped as Mermaid publishes it. What it holds: Mermaid, its
   * run-time dependencies and every package whose module path the readable files of the same
   * builds name (mermaid.js; @mermaid-js/parser's dist, which Mermaid bundles and which bundled
   * langium and chevrotain) — in every version installed in Mermaid's dependency tree here, else
   * as Node resolves it from Mermaid, else from scripts/third-party-licences/ (the licence files of
   * the packages bundled upstream and installed nowhere here, from their published packages).
   */
  addMermaid(shipped) {
    const mermaid = resolvePackage("mermaid", process.cwd());
    const parser = resolvePackage("@mermaid-js/parser", mermaid);
    const pkg = JSON.parse(readFileSync(join(mermaid, "package.json"), "utf8"));
    const names = new Set(["mermaid", ...Object.keys(pkg.dependencies ?? {}).filter((n) => !n.startsWith("@types/"))]);
    const readable = [join(mermaid, "dist", "mermaid.js"), ...mjsUnder(join(parser, "dist"))];
    for (const file of readable) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/node_modules\/(?:\.pnpm\/[^/"\s]+\/node_modules\/)?((?:@[\w.-]+\/)?[\w.-]+)\//g)) names.add(m[1]);
    }
    // Mermaid's run-time dependency tree as installed (a package may sit there in two versions)
    const tree = new Map();
    const walk = (dir) => {
      if (tree.has(dir)) return;
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      tree.set(dir, manifest.name);
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        const at = resolvePackage(dep, dir);
        if (at) walk(at);
      }
    };
    walk(mermaid);
    const inTree = new Set();
    for (const [dir, name] of tree) {
      if (!names.has(name)) continue;
      this.add(dir, shipped);
      inTree.add(name);
    }
    const kept = join(dirname(fileURLToPath(import.meta.url)), "third-party-licences");
    for (const name of names) {
      if (inTree.has(name)) continue;
      const dir = resolvePackage(name, mermaid) ?? (existsSync(join(kept, name, "package.json")) ? join(kept, name) : undefined);
      if (!dir)
        throw new Error(
          `notices: ${name}, bundled into ${shipped} by Mermaid, is installed nowhere and not in scripts/third-party-licences/: its licence cannot be read`,
        );
      this.add(dir, shipped);
    }
  }

  /** The notices file's text; a bundled package without a licence file fails the build. */
  text(product) {
    // one entry a package version (two folders may hold the same version), in name order
    const entries = new Map();
    for (const [dir, shipped] of this.byPackage) {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const key = `${pkg.name}@${pkg.version}`;
      if (entries.has(key)) {
        for (const s of shipped) entries.get(key).shipped.add(s);
        continue;
      }
      const body = licenceText(dir);
      if (!body) throw new Error(`notices: ${key} (${dir}) has no licence file to ship with ${[...shipped].join(", ")}`);
      const licence = typeof pkg.license === "string" ? pkg.license.replace(/^\((.*)\)$/, "$1") : "see below";
      entries.set(key, { name: pkg.name, version: pkg.version, licence, shipped: new Set(shipped), body });
    }
    const rule = "=".repeat(78);
    const sorted = [...entries.keys()].sort().map((k) => entries.get(k));
    return [
      `Third-party notices for ${product}`,
      "",
      "The files named below bundle these packages. Each package's licence and notices follow, as the",
      "package ships them.",
      "",
      ...sorted.map(
        (e) => `${rule}\n${e.name} ${e.version} (${e.licence}), in ${[...e.shipped].sort().join(", ")}\n${rule}\n\n${e.body}\n`,
      ),
    ].join("\n");
  }

  write(file, product) {
    writeFileSync(file, this.text(product));
  }
}
