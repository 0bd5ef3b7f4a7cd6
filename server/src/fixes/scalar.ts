// How an edit writes a name (a site, cluster or store; a CA or trust anchor) into YAML so that it
// reads back as that string (audit A23): one home for the quick fixes and rename.
import { stringify } from "yaml";

/**
 * Characters a plain or single-quoted scalar cannot carry as themselves: C0 and C1 controls, and
 * the line breaks YAML 1.1 readers honour beyond \n and \r (U+0085, U+2028, U+2029), and a BOM.
 */
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** `s` double quoted: JSON's escapes, which YAML's double-quoted style shares, plus the YAML 1.1 line breaks JSON leaves raw. */
function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Whether `s` written plain reads back as the string `s` wherever a name stands: as a block or
 * flow value and as a mapping key, under the YAML 1.2 core schema and the YAML 1.1 one that
 * PyYAML, Go's yaml.v2 and Helm still read (`124`, `1e3`, `0x1f`, `true`, `null`, `~`, `yes`,
 * `off`, `2024-01-02`, `1_000`, `12:30` are not strings there; `a: b` and `a #b` are not one
 * scalar). The yaml package decides it, as it decides when to quote on output; a flow indicator
 * (`,[]{}`) ends a plain scalar inside `[…]` or `{…}`, so it is quoted wherever it stands.
 */
export function plainKeepsString(s: string): boolean {
  if (!s || NEEDS_ESCAPE.test(s) || /[,[\]{}]/.test(s)) return false;
  return stringify(s, { compat: "yaml-1.1", lineWidth: 0 }) === `${s}\n`;
}

/**
 * `name` as the YAML text that replaces `current` (the scalar as the file writes it, quotes
 * included; "" for a new one): in the same quotes when `current` is quoted (single quotes give
 * way to double ones for a character they cannot carry), plain when that reads back as the
 * string, else double quoted.
 */
export function stringScalar(name: string, current = ""): string {
  const q = current[0];
  const quoted = current.length > 1 && (q === "'" || q === '"') && current.endsWith(q);
  if (quoted && q === "'" && !NEEDS_ESCAPE.test(name)) return `'${name.replace(/'/g, "''")}'`;
  if (quoted) return doubleQuoted(name);
  return plainKeepsString(name) ? name : doubleQuoted(name);
}
