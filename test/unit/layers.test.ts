// The server's layers, enforced: pure analysis (model, math, util → schema, derive → rules →
// features) → language service → transport. An import that runs back up a layer, a rule family
// that imports another, or analysis code that reaches for the connection, the disk or a child
// process fails here, naming the file and the import.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(__dirname, "..", "..", "..");
const SRC = join(ROOT, "server", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every import of a file: `from "x"`, `import("x")`, `require("x")`, with whether it is type-only. */
function importsOf(path: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(path, "utf8");
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+"([^"]+)"/gms)) out.push({ spec: m[3], typeOnly: !!m[2] });
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

/** The layer of a file under server/src: its folder, or its name for a top-level file. */
const area = (abs: string) => relative(SRC, abs).split("/")[0].replace(/\.ts$/, "");

/** What each area may import from server/src (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  util: [],
  math: ["util"],
  protocol: [],
  model: ["math", "util"],
  schema: ["model", "math", "util"],
  derive: ["model", "math", "util"],
  // a rule may judge an engine's outcome (objectives over the availability engine); engines never import rules
  rules: ["derive", "model", "math", "util", "schema", "availability"],
};
/** Pure analysis: never the LSP connection, the disk, a child process or a thread. */
const PURE = ["util", "math", "model", "schema", "derive", "rules", "hover", "fixes", "nav", "preview", "whatif", "availability", "ports"];
const IMPURE_MODULES = /^(node:)?(fs|child_process|worker_threads|net|http|https)$|^vscode-languageserver(\/node)?$|^vscode$/;
/** Outside rules/, only the catalog, the family list and the `finding` constructor are read. */
const RULES_FACE = new Set(["rules/catalog", "rules/index", "rules/context", "rules/exports"]);

test("no import runs back up a layer, and no rule family imports another", () => {
  const problems: string[] = [];
  for (const f of files(SRC)) {
    const from = area(f);
    const rel = relative(SRC, f);
    for (const { spec, typeOnly } of importsOf(f)) {
      if (!spec.startsWith(".")) {
        if (PURE.includes(from) && !typeOnly && IMPURE_MODULES.test(spec)) problems.push(`${rel} imports ${spec} (pure analysis)`);
        continue;
      }
      const target = relative(SRC, resolve(dirname(f), spec));
      if (target.startsWith("..")) {
        if (!/^\.\.\/\.\.\/package\.json$|^\.\.\/\.\.\/schemas\//.test(target))
          problems.push(`${rel} imports ${spec} (outside server/src)`);
        continue;
      }
      const to = target.split("/")[0].replace(/\.ts$/, "");
      if (to === from) {
        // rule families are siblings: each reads facts from derive/, never another family
        if (
          from === "rules" &&
          !/^rules\/(context|catalog|index)$/.test(rel.replace(/\.ts$/, "")) &&
          !/^rules\/(context|catalog)$/.test(target)
        )
          problems.push(`${rel} imports ${spec} (one rule family importing another)`);
        continue;
      }
      if (from in MAY_IMPORT && !MAY_IMPORT[from].includes(to)) problems.push(`${rel} imports ${spec} (${from} must not depend on ${to})`);
      if (to === "rules" && from !== "rules" && !RULES_FACE.has(target.replace(/\.ts$/, "")))
        problems.push(`${rel} imports ${spec} (features read facts from derive/, not from rule files)`);
      const TRANSPORT = ["lsp", "handlers", "server", "browser", "platform", "background", "requests", "warmup"];
      if (TRANSPORT.includes(to) && to !== "warmup" && !TRANSPORT.includes(from))
        problems.push(`${rel} imports ${spec} (the transport is the top layer)`);
      if (to === "cli" && from !== "cli" && !(from === "server" && false))
        problems.push(`${rel} imports ${spec} (the CLI is a front end, not a library)`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the client imports nothing of the server but the shared protocol and the guarded writer", () => {
  const problems: string[] = [];
  for (const f of files(join(ROOT, "client", "src"))) {
    for (const { spec } of importsOf(f)) {
      const target = spec.startsWith(".") ? relative(ROOT, resolve(dirname(f), spec)) : "";
      if (target.startsWith("server/") && !/^server\/src\/(protocol|output)$/.test(target))
        problems.push(`${relative(ROOT, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
