// Lists the functions longer than LIMIT lines in server/src and client/src that carry no
// `// long: <reason>` comment directly above them (#19: "no function over ~80 lines without a
// reason in its comment"). `node scripts/long-functions.mjs` prints them and exits 1 when there
// are any; test/unit/long-functions.test.ts runs the same check in npm test.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const LIMIT = 80;
const ROOT = join(fileURLToPath(import.meta.url), "..", "..");
const DIRS = ["server/src", "client/src"];

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) && !n.endsWith(".d.ts") && !n.endsWith(".generated.ts") ? [p] : [];
  });
}

/** A function's name as a reader finds it: its own, else the variable, property or method it is assigned to. */
function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name) return node.name.getText();
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText();
  if (p && ts.isCallExpression(p)) return `${p.expression.getText().slice(0, 40)}(…)`;
  return "(anonymous)";
}

/** The statement a function's comment sits above: the function itself, or the declaration that holds it. */
function anchorOf(node) {
  let n = node;
  while (
    n.parent &&
    !ts.isSourceFile(n.parent) &&
    !ts.isBlock(n.parent) &&
    !ts.isClassLike(n.parent) &&
    !ts.isObjectLiteralExpression(n.parent)
  )
    n = n.parent;
  return n;
}

/** Whether a `// long: reason` line comment (with a reason) sits among the comments directly above `node`. */
function hasReason(node, text) {
  const ranges = ts.getLeadingCommentRanges(text, anchorOf(node).getFullStart()) ?? [];
  return ranges.some((r) => /^\/\/\s*long:\s*\S/.test(text.slice(r.pos, r.end)));
}

/** Every function over LIMIT lines without a reason: { file, line, name, lines }. */
export function longFunctions(root = ROOT) {
  const out = [];
  for (const dir of DIRS)
    for (const file of existsSync(join(root, dir)) ? files(join(root, dir)) : []) {
      const text = readFileSync(file, "utf8");
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node) => {
        if (ts.isFunctionLike(node) && node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
          const lines = end - start + 1;
          if (lines > LIMIT && !hasReason(node, text)) out.push({ file: relative(root, file), line: start + 1, name: nameOf(node), lines });
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  return out.sort((a, b) => b.lines - a.lines);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --root DIR checks another tree (the test's fixtures)
  const at = process.argv.indexOf("--root");
  const found = longFunctions(at > 0 ? process.argv[at + 1] : ROOT);
  for (const f of found) console.log(`${f.file}:${f.line}  ${f.name}  ${f.lines} lines`);
  console.log(found.length ? `${found.length} functions over ${LIMIT} lines without a "// long: <reason>" comment` : "none");
  process.exit(found.length ? 1 : 0);
}
