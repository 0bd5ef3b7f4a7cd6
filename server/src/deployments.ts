// The deployment files bound to a topology, as the CLI and the language server read them:
// globs on the disk (fast-glob), an editor's open documents first, and PEM bundles parsed with
// node:crypto. The drift engine itself (drift/) is pure and receives these functions.
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import fg from "fast-glob";
import type { DeploymentSource, Fingerprints } from "./drift/compare";

/**
 * Files on the disk; `overlay` (absolute paths) answers first: an editor's unsaved text. Paths
 * come back relative to `cwd` when they are inside it (as a user names them), else absolute;
 * without a `cwd` (the language server) always absolute.
 */
export function diskSource(
  cwd: string | undefined,
  overlay: (path: string) => string | undefined = () => undefined,
  maxBytes = 8 * 1024 * 1024,
): DeploymentSource {
  const shown = (abs: string) => {
    if (cwd === undefined) return abs;
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
  };
  return {
    match(topologyPath, pattern) {
      const dir = dirname(resolve(cwd ?? "/", topologyPath));
      if (!fg.isDynamicPattern(pattern)) {
        const p = isAbsolute(pattern) ? pattern : resolve(dir, pattern);
        if (overlay(p) !== undefined) return [shown(p)];
        try {
          return statSync(p).isFile() ? [shown(p)] : [];
        } catch {
          return [];
        }
      }
      // bounded: a glob such as ../../** must not walk the whole disk
      return fg
        .sync(pattern, {
          cwd: dir,
          absolute: true,
          onlyFiles: true,
          dot: false,
          followSymbolicLinks: false,
          suppressErrors: true,
          deep: MAX_DEPTH,
        })
        .map((p) => shown(resolve(p)))
        .sort()
        .slice(0, MAX_MATCHES);
    },
    read(path) {
      const abs = resolve(cwd ?? "/", path);
      const open = overlay(abs);
      if (open !== undefined) return open;
      try {
        if (statSync(abs).size > maxBytes) return undefined;
        return readFileSync(abs, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/** How deep a glob descends, and how many files one deployment entry may bind. */
const MAX_DEPTH = 8;
const MAX_MATCHES = 200;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** SHA-256 fingerprints of every certificate of a PEM bundle; an error when one does not parse or there is none. */
export const pemFingerprints: Fingerprints = (pem) => {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (!blocks.length) return { error: "no -----BEGIN CERTIFICATE----- block" };
  const out: string[] = [];
  for (const [i, b] of blocks.entries()) {
    try {
      out.push(new X509Certificate(b).fingerprint256);
    } catch (e) {
      return { error: `certificate ${i + 1} of ${blocks.length}: ${(e as Error).message}` };
    }
  }
  return { fingerprints: out };
};
