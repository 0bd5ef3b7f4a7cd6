import { fileURLToPath, pathToFileURL } from "node:url";

/** file: URIs ↔ paths; other schemes (untitled:, vscode-remote:) keep their path part for naming. */
export const URI = {
  pathOf(uri: string): string {
    if (uri.startsWith("file:")) {
      try {
        return fileURLToPath(uri);
      } catch {
        return uri;
      }
    }
    const m = /^[a-z][\w+.-]*:(?:\/\/[^/]*)?(.*)$/i.exec(uri);
    return m ? decodeURIComponent(m[1]) : uri;
  },
  fromPath(path: string): string {
    return pathToFileURL(path).href;
  },
};
