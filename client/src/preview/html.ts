import { randomBytes } from "node:crypto";

export interface HtmlInput {
  /** webview.cspSource */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly mermaidUri: string;
  readonly styleUri: string;
  /** a fresh nonce per render of the HTML (see nonce()) */
  readonly nonce: string;
}

/** 128 bits from the OS CSPRNG, base64: a CSP nonce must not be guessable. */
export function nonce(): string {
  return randomBytes(16).toString("base64");
}

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/**
 * The preview page. Nothing remote, nothing inline but nonce'd scripts; the diagram arrives
 * by postMessage and is never pasted into this HTML.
 */
export function previewHtml(i: HtmlInput): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${i.nonce}'`,
    // Mermaid injects <style> while it renders
    `style-src ${i.cspSource} 'unsafe-inline'`,
    `img-src ${i.cspSource} data:`,
    `font-src ${i.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(i.styleUri)}">
<title>Quorate preview</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Diagram">
  <button id="zoom-in" title="Zoom in">+</button>
  <button id="zoom-out" title="Zoom out">−</button>
  <button id="zoom-reset" title="Fit">Fit</button>
  <span id="status" aria-live="polite"></span>
</div>
<div id="error" hidden></div>
<div id="viewport"><div id="canvas"></div></div>
<script nonce="${i.nonce}" src="${attr(i.mermaidUri)}"></script>
<script nonce="${i.nonce}" src="${attr(i.scriptUri)}"></script>
</body>
</html>`;
}
