import type { CodeAction, TextEdit } from "vscode-languageserver";
import { analyzeRun } from "../../server/src/analysis";
import { LineIndex } from "../../server/src/model/text";
import { QuorateService } from "../../server/src/service/service";
import { mutateDocument, type Rand } from "./mutate";

/**
 * The fix-safety property, checked through the language service exactly as the server offers
 * fixes: every offered fix, applied, gives a document that parses, keeps every comment and
 * every line outside its edits, removes its finding, and adds no new error — except the
 * findings rules.md holds back until a reference resolves (a fixed `ref/unknown` lets the
 * quorum, rtt, traffic and mesh rules see the entity for the first time) or a link is declared
 * (a fixed `rtt/missing-link` lets the RTT rules see that pair), and the objectives of traffic
 * writing to a multi-writer store a fix leaves with one writer (availability it no longer has).
 */
export interface FixFailure {
  readonly name: string;
  readonly text: string;
  readonly fix: string;
  readonly code: string;
  readonly problem: string;
  readonly result: string;
}

const SYNTAX = new Set(["yaml/syntax", "yaml/duplicate-key", "yaml/too-deep", "yaml/aliases"]);
/** what a resolved reference may newly reveal */
const HELD_BACK_UNTIL_RESOLVED = (code: string) => !SYNTAX.has(code) && code !== "schema" && !code.startsWith("ref/");

const findings = (name: string, text: string) => analyzeRun([{ path: name, text }])[0].findings;

function counts(name: string, text: string, severity?: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings(name, text)) if (!severity || f.severity === severity) m.set(f.code, (m.get(f.code) ?? 0) + 1);
  return m;
}

/** Comments as written (`# …` after white space or at a line start), as a multiset. */
export function comments(text: string): string[] {
  return text
    .split(/\r?\n|\r/)
    .map((l) => /(?:^|\s)(#.*)$/.exec(l)?.[1].trim())
    .filter((c): c is string => !!c)
    .sort();
}

function applyEdits(text: string, edits: readonly TextEdit[]): { out: string; touched: Set<number> } {
  const L = new LineIndex(text);
  const touched = new Set<number>();
  const offs = edits.map((e) => {
    for (let l = e.range.start.line; l <= e.range.end.line; l++) touched.add(l);
    return { start: L.offsetAt(e.range.start), end: L.offsetAt(e.range.end), text: e.newText };
  });
  let out = text;
  for (const e of offs.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { out, touched };
}

/** Checks every fix offered on one text; returns the failures. */
export function checkFixes(name: string, text: string): { failures: FixFailure[]; applied: number } {
  const service = new QuorateService();
  const uri = `file:///fuzz/${name}`;
  service.update(uri, text);
  const actions: CodeAction[] = service.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 1e9, character: 0 } });
  const failures: FixFailure[] = [];
  const beforeAll = counts(name, text);
  const beforeErrors = counts(name, text, "error");
  const beforeComments = comments(text);
  const beforeLines = text.split(/\r?\n|\r/);
  for (const a of actions) {
    const code = String(a.diagnostics?.[0]?.code ?? "");
    const { out, touched } = applyEdits(text, a.edit?.changes?.[uri] ?? []);
    const fail = (problem: string) => failures.push({ name, text, fix: a.title, code, problem, result: out });
    const after = findings(name, out);
    const broken = after.find((f) => SYNTAX.has(f.code) && (beforeAll.get(f.code) ?? 0) < after.filter((g) => g.code === f.code).length);
    if (broken) {
      fail(`the result does not parse: ${broken.code} ${broken.message}`);
      continue;
    }
    const kept = comments(out);
    const lost = beforeComments.filter((c) => {
      const i = kept.indexOf(c);
      if (i < 0) return true;
      kept.splice(i, 1);
      return false;
    });
    if (lost.length) fail(`comments lost: ${lost.join(" | ")}`);
    const outLines = new Set(out.split(/\r?\n|\r/));
    const gone = beforeLines.filter((l, i) => !touched.has(i) && !outLines.has(l));
    if (gone.length) fail(`lines outside the edit changed: ${gone.map((l) => JSON.stringify(l)).join(", ")}`);
    const n = after.filter((f) => f.code === code).length;
    if (n >= (beforeAll.get(code) ?? 0)) fail(`the finding stays (${n} ${code} before and after)`);
    const afterErrors = new Map<string, number>();
    for (const f of after) if (f.severity === "error") afterErrors.set(f.code, (afterErrors.get(f.code) ?? 0) + 1);
    for (const [c, k] of afterErrors) {
      if (k <= (beforeErrors.get(c) ?? 0)) continue;
      if (code === "ref/unknown" && HELD_BACK_UNTIL_RESOLVED(c)) continue;
      // rules.md: member-site pairs without a link are left out of every RTT maximum, so a
      // link added for rtt/missing-link may reveal the timer and commit findings it held back
      if (code === "rtt/missing-link" && c.startsWith("rtt/")) continue;
      // an RTT below the speed of light hid what the real RTT implies: raising it to the floor
      // may reveal the timer, commit-budget and Galera findings of the true distance
      if (code === "rtt/below-fiber-floor" && c.startsWith("rtt/") && c !== "rtt/p99-below-typical") continue;
      // keeping one writer of a multi-writer store is the safe repair of its conflicts, and it costs
      // what the second writer bought: the traffic writing to it fails while that one writer's site
      // is down, which an availability or survive objective on that traffic then reports
      if (code === "data/multi-writer-without-conflict-policy" && (c === "objective/availability" || c === "objective/survive")) continue;
      fail(`a new error: ${c} (${beforeErrors.get(c) ?? 0} → ${k}): ${after.find((f) => f.code === c)?.message}`);
    }
  }
  return { failures, applied: actions.length };
}

/**
 * Seeded random variants of every corpus text (1–3 plausible mutations each, kept when the
 * variant still parses), each checked with checkFixes. Stops at the first failing text.
 */
export function fixSafetyRun(
  r: Rand,
  texts: readonly { name: string; text: string }[],
  rounds: number,
): { failures: FixFailure[]; applied: number; variants: number } {
  let applied = 0;
  let variants = 0;
  const others = texts.map((t) => t.text);
  for (let round = 0; round < rounds; round++) {
    for (const { name, text } of texts) {
      let v = text;
      const k = 1 + Math.floor(r() * 3);
      for (let i = 0; i < k; i++) v = mutateDocument(r, v, others);
      // a repeated key leaves the model reading only the first: fixing the repeat comes first
      if (findings(name, v).some((f) => f.code === "yaml/syntax" || f.code === "yaml/duplicate-key")) continue;
      variants++;
      const res = checkFixes(name, v);
      applied += res.applied;
      if (res.failures.length) return { failures: res.failures, applied, variants };
    }
  }
  return { failures: [], applied, variants };
}
