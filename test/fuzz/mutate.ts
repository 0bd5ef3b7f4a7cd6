/**
 * Seeded mutations of topology texts. Two kinds: `mutateDocument` makes plausible, usually
 * parseable variants (the fix-safety property needs findings with fixes); `randomChange`
 * makes the hostile keystrokes and pastes of the LSP edit fuzzer.
 */
export type Rand = () => number;

export const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)];
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

const NUMBERS = ["0", "1", "2", "3", "4", "5", "7", "10", "1.5", "100", "1000", "20000", "1e9", "-1", "99999999999999999999"];

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** One plausible edit of a whole document: a typo, another number, a line removed, repeated, pasted or swapped. */
export function mutateDocument(r: Rand, text: string, others: readonly string[]): string {
  const nl = text.includes("\r\n") ? "\r\n" : "\n";
  const ls = lines(text);
  const i = 4 + int(r, Math.max(1, ls.length - 4)); // the header stays
  switch (int(r, 7)) {
    case 0: {
      // a typo in a word: drop, double or change one character
      const m = [...(ls[i]?.matchAll(/[a-z][-a-z0-9]{2,}/g) ?? [])];
      if (!m.length) return text;
      const w = pick(r, m);
      const at = w.index! + 1 + int(r, w[0].length - 1);
      const op = int(r, 3);
      const next =
        op === 0
          ? ls[i].slice(0, at) + ls[i].slice(at + 1)
          : op === 1
            ? ls[i].slice(0, at) + ls[i][at] + ls[i].slice(at)
            : ls[i].slice(0, at) + pick(r, ["x", "d", "1", "-"]) + ls[i].slice(at + 1);
      ls[i] = next;
      return ls.join(nl);
    }
    case 1: {
      const m = [...(ls[i]?.matchAll(/(?<=[:\s[{,])\d+(\.\d+)?(?=[\s,}\]]|$)/g) ?? [])];
      if (!m.length) return text;
      const n = pick(r, m);
      ls[i] = ls[i].slice(0, n.index!) + pick(r, NUMBERS) + ls[i].slice(n.index! + n[0].length);
      return ls.join(nl);
    }
    case 2:
      ls.splice(i, 1);
      return ls.join(nl);
    case 3:
      ls.splice(i, 0, ls[i] ?? "");
      return ls.join(nl);
    case 4: {
      const other = lines(pick(r, others));
      ls.splice(i, 0, other[4 + int(r, Math.max(1, other.length - 4))] ?? "");
      return ls.join(nl);
    }
    case 5: {
      const j = 4 + int(r, Math.max(1, ls.length - 4));
      [ls[i], ls[j]] = [ls[j], ls[i]];
      return ls.join(nl);
    }
    default:
      return text.replace(/\r?\n/g, "\r\n");
  }
}

/** Fragments users paste or that break parsers. */
const FRAGMENTS = [
  "\r\n",
  "\n",
  "\u0000",
  "é",
  "😀",
  "名前",
  "\t",
  ": ",
  "- ",
  "#",
  "[",
  "]",
  "{",
  "}",
  "'",
  '"',
  "&a ",
  "*a",
  "*nope",
  "---\n",
  "\n  - name: dup\n  - name: dup\n",
  "\nsites:\n  - name: again\n",
  "\n    members: { a: 1e9, b: 2 }\n",
  "\n    rttMs: 99999999999999999999\n",
];

function aliasBomb(): string {
  return "\nlol: &a [x, x, x, x, x, x, x, x, x]\nlol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nlol3: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
}

export interface Change {
  /** offsets into the text the change applies to */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** An offset within `text` that splits no CRLF and no surrogate pair: an editor's positions cannot. */
export function clampOffset(text: string, o: number): number {
  let x = Math.max(0, Math.min(o, text.length));
  if (x > 0 && x < text.length && text[x - 1] === "\r" && text[x] === "\n") x--;
  const c = text.charCodeAt(x - 1);
  if (x > 0 && c >= 0xd800 && c <= 0xdbff) x--;
  return x;
}

/** One hostile edit of `text`: typing, deleting, hostile characters, huge lines, aliases, deep nesting, pasted fragments. */
export function randomChange(r: Rand, text: string, others: readonly string[]): Change {
  const clamp = (o: number) => clampOffset(text, o);
  const at = clamp(int(r, text.length + 1));
  const roll = r();
  let ins = "";
  let del = 0;
  if (roll < 0.45) ins = pick(r, ["1", "0", "a", "x", "5", "-", ".", " ", ":"]);
  else if (roll < 0.6) del = 1 + int(r, 8);
  else if (roll < 0.8) ins = pick(r, FRAGMENTS);
  else if (roll < 0.85) ins = "x".repeat(5000 + int(r, 20000));
  else if (roll < 0.88) ins = aliasBomb();
  else if (roll < 0.91) {
    const d = 50 + int(r, 3000);
    ins = "[".repeat(d) + "]".repeat(d);
  } else {
    const other = pick(r, others);
    const s = int(r, other.length);
    ins = other.slice(s, s + 1 + int(r, 200));
  }
  return { start: at, end: clamp(at + del), text: ins };
}

export function apply(text: string, c: Change): string {
  return text.slice(0, c.start) + c.text + text.slice(c.end);
}
