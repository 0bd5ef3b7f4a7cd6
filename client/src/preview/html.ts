export interface HtmlInput {
  /** webview.cspSource */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly mermaidUri: string;
  readonly styleUri: string;
  /** a fresh nonce per render of the HTML (see nonce()) */
  readonly nonce: string;
}

/** 128 bits from the platform's CSPRNG (Web Crypto: Node and the browser alike), base64: a CSP nonce must not be guessable. */
export function nonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
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
  <button id="simulate-toggle" aria-pressed="false" aria-controls="sim" title="Simulate failures: lose sites, cut the WAN, stretch RTT">Simulate</button>
  <span class="spacer"></span>
  <button id="zoom-in" title="Zoom in">+</button>
  <button id="zoom-out" title="Zoom out">−</button>
  <button id="zoom-reset" title="Fit">Fit</button>
  <span id="status" aria-live="polite"></span>
</div>
<section id="sim" hidden aria-label="Simulate failures">
  <div class="sim-row">
    <span class="sim-label" id="sim-lose-label">Lose</span>
    <span id="sim-sites" role="group" aria-labelledby="sim-lose-label"></span>
    <label class="sim-label">Partition <select id="sim-partition"><option value="">none</option></select></label>
    <label class="sim-label" title="Cut one WAN link (or click a link in the diagram): the two sites no longer reach each other, others still reach both">Cut link <select id="sim-cut"><option value="">choose two sites…</option></select></label>
    <span id="sim-cuts" role="group" aria-label="Cut links (click to restore)"></span>
    <label class="sim-label">RTT × <select id="sim-rtt">
      <option value="">1</option><option>1.5</option><option>2</option><option>3</option><option>5</option><option>10</option>
    </select></label>
    <button id="sim-reset" title="Every site up, no partition, RTT as declared">All up</button>
    <button id="sim-gameday" title="Write the Chaos Mesh or Litmus manifests and RUNBOOK.md that enact this scenario (sites lost, or a partition)" disabled>Export game day…</button>
  </div>
  <div class="sim-row">
    <span class="sim-label" id="sim-singles-label">Single-site losses</span>
    <span id="sim-singles" role="group" aria-labelledby="sim-singles-label"></span>
  </div>
  <div id="sim-verdict" role="status" aria-live="polite"></div>
  <ul id="sim-breaks"></ul>
  <ul id="sim-notes"></ul>
</section>
<div id="error" hidden></div>
<div id="note" role="note" hidden></div>
<div id="viewport"><div id="canvas"></div><div id="card" role="group" hidden></div></div>
<script nonce="${i.nonce}" src="${attr(i.mermaidUri)}"></script>
<script nonce="${i.nonce}" src="${attr(i.scriptUri)}"></script>
</body>
</html>`;
}
