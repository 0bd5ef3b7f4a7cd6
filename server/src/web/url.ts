// node:url's two file-URI functions for the web bundle (scripts/build.mjs maps node:url here).
// In the browser, documents rarely are file: URIs (vscode-vfs:, vscode-remote:, vscode-test-web:),
// and when they are their paths are posix ones: no drive letters, no backslashes.

/** A file: URI's path, decoded; throws like Node for a non-file URI or an encoded slash. */
export function fileURLToPath(uri: string | URL): string {
  const u = typeof uri === "string" ? new URL(uri) : uri;
  if (u.protocol !== "file:") throw new TypeError(`not a file URL: ${u.href}`);
  if (/%2f/i.test(u.pathname)) throw new TypeError(`a file URL's path must not hold an encoded '/': ${u.href}`);
  return decodeURIComponent(u.pathname);
}

/** A posix path as a file: URI, encoded as Node encodes it (%, \, newlines and tabs too). */
export function pathToFileURL(path: string): URL {
  const u = new URL("file:///");
  u.pathname = path.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09");
  return u;
}
