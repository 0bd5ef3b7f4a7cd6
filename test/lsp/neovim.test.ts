import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXABLE } from "../fixtures/fixable";
import { SERVER } from "./client";

// Neovim's built-in LSP client is a real third-party client (Debian's neovim; CI installs it).
const nvim = spawnSync("nvim", ["--version"], { encoding: "utf8" });
const present = nvim.status === 0;
if (!present) console.log("# neovim: no `nvim` on this machine (apt-get install neovim); the Neovim test runs where it is");

test("Neovim's LSP client gets diagnostics and hovers from quorate-language-server", { skip: !present && "no nvim" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-nvim-"));
  try {
    const file = join(dir, "two.topology.yaml");
    writeFileSync(file, FIXABLE["two-site.topology.yaml"]);
    const out = join(dir, "out.txt");
    const lua = `
local client = vim.lsp.start_client({ name = "quorate", cmd = { ${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVER)}, "--stdio" }, root_dir = ${JSON.stringify(dir)} })
vim.cmd("edit " .. ${JSON.stringify(file)})
vim.lsp.buf_attach_client(0, client)
local ok = vim.wait(15000, function() return #vim.diagnostic.get(0) >= 2 end, 50)
local lines = { "waited " .. tostring(ok) }
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  table.insert(lines, string.format("diag %d:%d %s %s", d.lnum, d.col, code, d.message))
end
local params = { textDocument = { uri = vim.uri_from_fname(${JSON.stringify(file)}) }, position = { line = 15, character = 8 } }
local res = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
for _, r in pairs(res) do
  if r.result and r.result.contents then table.insert(lines, "hover " .. (r.result.contents.value or "")) end
end
vim.fn.writefile(vim.split(table.concat(lines, "\\n"), "\\n"), ${JSON.stringify(out)})
vim.lsp.stop_client(client)
vim.cmd("qa!")
`;
    const script = join(dir, "test.lua");
    writeFileSync(script, lua);
    const r = spawnSync("nvim", ["--headless", "--clean", "-c", `luafile ${script}`], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, HOME: dir },
    });
    assert.equal(r.error, undefined);
    const text = readFileSync(out, "utf8");
    assert.match(text, /^waited true/);
    assert.match(text, /diag 15:6 quorum\/two-site-split etcd of cluster core: members sit in only two sites/);
    assert.match(text, /diag 15:6 quorum\/even-members/);
    // core runs at fra: losing lon stops its etcd's writes, losing fra loses core itself (review M150's words)
    assert.match(text, /hover \*\*etcd of cluster core\*\*: \*\*losing lon stops writes\*\* .* losing fra loses core itself/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
