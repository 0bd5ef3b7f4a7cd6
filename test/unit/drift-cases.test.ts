import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type Io, main } from "../../server/src/cli/main";

// The project's own drift cases (test/conformance/drift): the same `# expect:` markers as the
// shared corpus, checked here without it: every marker must be met by one finding on its line,
// and every error or warning reported must be expected.
const ROOT = resolve(__dirname, "..", "..", "..");
const CASES = join(ROOT, "test", "conformance", "drift");

function filesUnder(p: string): string[] {
  return statSync(p).isDirectory()
    ? readdirSync(p)
        .sort()
        .flatMap((n) => filesUnder(join(p, n)))
    : [p];
}

interface Row {
  file: string;
  line: number;
  code: string;
  severity: string;
  message: string;
}

for (const name of readdirSync(CASES).sort()) {
  test(`drift case ${name}`, () => {
    const dir = join(CASES, name);
    const expected: { file: string; line: number; code: string }[] = [];
    for (const file of filesUnder(dir))
      readFileSync(file, "utf8")
        .split(/\r?\n/)
        .forEach((text, i) => {
          const m = /#\s*expect:\s*([\w/,\s-]+)$/.exec(text);
          if (m)
            for (const code of m[1]
              .split(",")
              .map((c) => c.trim())
              .filter(Boolean))
              expected.push({ file, line: i + 1, code });
        });
    let stdout = "";
    let stderr = "";
    const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: dir };
    const code = main(["check", "--format", "json", "."], io, "0");
    assert.ok(code === 0 || code === 1, stderr);
    const rows = (JSON.parse(stdout) as Row[]).map((r) => ({ ...r, file: resolve(dir, r.file) }));
    const key = (f: { file: string; line: number; code: string }) => `${f.file}:${f.line}:${f.code}`;
    const remaining = new Map<string, Row[]>();
    for (const r of rows) remaining.set(key(r), [...(remaining.get(key(r)) ?? []), r]);
    const problems: string[] = [];
    for (const e of expected) {
      const list = remaining.get(key(e));
      if (list?.length) list.pop();
      else problems.push(`missing ${relative(dir, e.file)}:${e.line} ${e.code}`);
    }
    for (const list of remaining.values())
      for (const r of list)
        if (r.severity === "error" || r.severity === "warning")
          problems.push(`unexpected ${relative(dir, r.file)}:${r.line} ${r.severity} ${r.code}: ${r.message}`);
    assert.deepEqual(problems, [], problems.join("\n"));
    assert.ok(expected.length > 0);
  });
}
