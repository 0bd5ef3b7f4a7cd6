import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

// The third-party notices a build writes (scripts/notices.mjs), and what the bundles hold as their
// own source maps and module comments tell it — a second witness besides esbuild's metafile.

/** The notices file's entries: `name version` → the shipped files its heading names, and its text. */
export function noticeEntries(text: string): Map<string, { files: string[]; body: string }> {
  const out = new Map<string, { files: string[]; body: string }>();
  const parts = text.split(/^={78}\n(.+)\n={78}\n/m);
  for (let i = 1; i < parts.length; i += 2) {
    const m = /^(\S+) (\S+) \((.+)\), in (.+)$/.exec(parts[i]);
    if (!m) throw new Error(`not a notice heading: ${parts[i]}`);
    out.set(`${m[1]} ${m[2]}`, { files: m[4].split(", "), body: parts[i + 1] });
  }
  return out;
}

/** The package (`name version`) and folder a module's absolute path lies in, if it is a package's. */
function packageOf(file: string): { id: string; dir: string } | undefined {
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const rest = file.slice(at + "/node_modules/".length).split(sep);
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  const dir = join(file.slice(0, at), "node_modules", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string };
  return { id: `${pkg.name} ${pkg.version}`, dir };
}

/**
 * What each bundle of a development build in `dist` holds: the packages its source map lists
 * (dist/cli.js, built without one, names its modules in comments relative to `root`). Keys are the
 * shipped paths (dist/server.js); values map `name version` to the package's folder.
 */
export function bundledPackages(dist: string, root: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const note = (bundle: string, file: string) => {
    const p = packageOf(file);
    if (!p) return;
    if (!out.has(bundle)) out.set(bundle, new Map());
    out.get(bundle)?.set(p.id, p.dir);
  };
  for (const f of readdirSync(dist, { recursive: true }).map(String)) {
    if (!f.endsWith(".js.map")) continue;
    const map = JSON.parse(readFileSync(join(dist, f), "utf8")) as { sources: string[] };
    for (const s of map.sources) note(`dist/${f.slice(0, -4).split(sep).join("/")}`, resolve(dirname(join(dist, f)), s));
  }
  for (const m of readFileSync(join(dist, "cli.js"), "utf8").matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm))
    note("dist/cli.js", resolve(root, m[1]));
  return out;
}

/** The first line of a package's licence file with words in it (its title or copyright line). */
export function licenceFirstLine(dir: string): string | undefined {
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  return file
    ? readFileSync(join(dir, file), "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .find((l) => /\w/.test(l))
    : undefined;
}
