import type { Topology } from "../model/topology";
import { resolve, schemaAt, schemaKeys } from "../hover/schemaDocs";
import type { SymbolKind } from "./symbols";

export interface CompletionEntry {
  readonly label: string;
  readonly kind: "reference" | "key" | "value";
  readonly detail?: string;
  readonly documentation?: string;
  /** text to insert (defaults to label) */
  readonly insertText?: string;
}

/**
 * Path of keys (and `-` items, as 0) that encloses a line whose content starts at `col`,
 * found by scanning upwards for less-indented lines — robust to half-typed YAML.
 */
export function enclosingPath(lines: readonly string[], lineNo: number, col: number): (string | number)[] {
  const path: (string | number)[] = [];
  let limit = col;
  let itemAt = -1; // the lead of the last sequence item we stepped out of
  for (let i = lineNo - 1; i >= 0 && limit > 0; i--) {
    const line = lines[i];
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const m = /^(\s*)(-\s+)?(?:["']?([\w.-]+)["']?\s*:(\s*(?:#.*)?$)?)?/.exec(line)!;
    const lead = m[1].length;
    const dash = !!m[2];
    const contentCol = lead + (m[2]?.length ?? 0);
    const key = m[3];
    const blockValue = m[4] !== undefined; // `key:` with nothing after it
    if (dash && lead < limit) {
      if (key && blockValue && contentCol < limit) path.unshift(key);
      path.unshift(0);
      limit = lead;
      itemAt = lead;
    } else if (!dash && key && (lead < limit || (lead === limit && itemAt === lead && blockValue))) {
      path.unshift(key);
      limit = lead;
      itemAt = -1;
    }
  }
  return path;
}

/** Where each reference-taking position points. */
function referenceKind(path: readonly (string | number)[], key: string | undefined, inKeyPosition: boolean): SymbolKind | undefined {
  const p = path.filter((x) => typeof x === "string").join(".");
  if (inKeyPosition) return p.endsWith("members") ? "site" : undefined;
  const at = key ? `${p ? `${p}.` : ""}${key}` : p;
  const sites = ["links.between", "clusters.site", "stores.writers", "stores.replicas", "clusters.etcd.members"];
  const clusters = ["traffic.backends.cluster", "exports.clusters", "clusters.istio.primary", "clusters.linkerd.links.cluster"];
  if (sites.includes(at)) return "site";
  if (clusters.includes(at)) return "cluster";
  if (at === "traffic.dependsOn") return "store";
  return undefined;
}

/** The names a reference can complete to, by kind: all completion needs of a topology. */
export type DeclaredNames = Readonly<Record<SymbolKind, readonly string[]>>;

/** A topology's declared names (kept while the text is broken: a few strings, not the whole model). */
export function declaredNames(t: Topology): DeclaredNames {
  return { site: [...t.siteByName.keys()], cluster: [...t.clusterByName.keys()], store: [...t.storeByName.keys()] };
}

function names(t: DeclaredNames | undefined, kind: SymbolKind): readonly string[] {
  return t?.[kind] ?? [];
}

/**
 * Completions at a 0-based line and character: declared names where a reference is expected,
 * schema keys in key position, enum values in value position.
 */
export function completeAt(text: string, line: number, character: number, t: DeclaredNames | undefined): CompletionEntry[] {
  const lines = text.split(/\r?\n/);
  const current = (lines[line] ?? "").slice(0, character);
  const indentMatch = /^(\s*)(-\s+)?/.exec(current)!;
  const indent = indentMatch[1].length + (indentMatch[2]?.length ?? 0);
  const path = enclosingPath(lines, line, indent);
  if (indentMatch[2]) path.push(0);

  // value position: `key: partial`, `key: [a, par`, or a `- par` item of a list
  const value = /^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*:\s*(.*)$/.exec(current);
  if (value) {
    const [, key, rest] = value;
    const inFlowMap = /\{[^}]*$/.exec(rest);
    if (inFlowMap) {
      // inside `{ a: 1, b` — keys of the nested mapping, or a reference value after `x:`
      const inner = /(?:^|[{,]\s*)([\w.-]+)\s*:\s*[\w.-]*$/.exec(inFlowMap[0]);
      const kind = referenceKind([...path, key], inner ? inner[1] : undefined, !inner);
      if (kind) return names(t, kind).map((n) => ({ label: n, kind: "reference", detail: kind }));
      return inner ? enumValues([...path, key, inner[1]]) : keyEntries([...path, key]);
    }
    const kind = referenceKind(path, key, false);
    if (kind) return names(t, kind).map((n) => ({ label: n, kind: "reference", detail: kind }));
    return enumValues([...path, key]);
  }
  if (indentMatch[2] && /^\s*-\s+[\w.-]*$/.test(current)) {
    const owner = path.slice(0, -1);
    const lastKey = owner.filter((x) => typeof x === "string").pop() as string | undefined;
    const kind = referenceKind(owner.slice(0, -1), lastKey, false);
    if (kind) return names(t, kind).map((n) => ({ label: n, kind: "reference", detail: kind }));
  }
  // key position
  if (/^\s*(-\s+)?[\w.-]*$/.test(current)) {
    const kind = referenceKind(path, undefined, true);
    if (kind) return names(t, kind).map((n) => ({ label: n, kind: "reference", detail: kind, insertText: `${n}: ` }));
    return keyEntries(path);
  }
  return [];
}

function keyEntries(path: readonly (string | number)[]): CompletionEntry[] {
  return schemaKeys(path).map((k) => ({
    label: k.key,
    kind: "key",
    detail: k.required ? "required" : undefined,
    documentation: k.doc,
    insertText: `${k.key}: `,
  }));
}

function enumValues(path: readonly (string | number)[]): CompletionEntry[] {
  const node = resolve(schemaAt(path));
  const values = node?.enum ?? (node?.const !== undefined ? [node.const] : node?.type === "boolean" ? [true, false] : []);
  return values.map((v) => ({ label: String(v), kind: "value", documentation: node?.markdownDescription }));
}
