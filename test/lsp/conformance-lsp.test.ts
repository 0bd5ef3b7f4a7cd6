import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { Client } from "./client";

const ROOT = join(__dirname, "..", "..", "..");
const CASES = join(ROOT, "..", "shared", "conformance");
const present = existsSync(CASES);
if (!present) console.log(`# conformance over LSP: ${CASES} is absent; skipping the shared cases`);

let client: Client | undefined;
before(async () => {
  if (present) client = await Client.start();
});
after(async () => {
  await client?.stop();
});

test("every single-file conformance case over the protocol: the expected codes on their lines, at the CLI's exact ranges", {
  skip: !present && "../shared is absent",
}, async () => {
  const files = ["cases", "meshes"].flatMap((d) =>
    readdirSync(join(CASES, d))
      .map((f) => join(CASES, d, f))
      .filter((f) => statSync(f).isFile() && f.endsWith(".yaml")),
  );
  assert.ok(files.length >= 15);
  for (const [i, file] of files.entries()) {
    const text = readFileSync(file, "utf8");
    const uri = `file://${file}`;
    const before = client!.published(uri);
    await client!.open(uri, text, 1);
    const diags: Diagnostic[] = await client!.diagnosticsAfter(uri, before, 1);
    // the markers: each expected code on its line
    text.split("\n").forEach((line, n) => {
      const m = /#\s*expect:\s*([\w/,\s-]+)$/.exec(line);
      for (const code of m
        ? m[1]
            .split(",")
            .map((c) => c.trim())
            .filter(Boolean)
        : []) {
        assert.ok(
          diags.some((d) => d.code === code && d.range.start.line === n),
          `${file}:${n + 1} expects ${code}; got ${diags.map((d) => `${d.code}@${d.range.start.line + 1}`).join(", ")}`,
        );
      }
    });
    // and exactly the CLI's positions (1-based there, 0-based here)
    const cli = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), "check", "--format", "json", file], { encoding: "utf8" });
    const rows = JSON.parse(cli.stdout) as { line: number; column: number; endLine: number; endColumn: number; code: string }[];
    const lsp = diags
      .map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1}`)
      .sort();
    assert.deepEqual(lsp, rows.map((r) => `${r.code} ${r.line}:${r.column}-${r.endLine}:${r.endColumn}`).sort(), `case ${i}: ${file}`);
  }
});
