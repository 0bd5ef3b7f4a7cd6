// Another Kubernetes object where a topology is expected (a ConfigMap piped to `check -`, a
// `kubectl get -o yaml` List, a manifest saved as *.topology.yaml): one sentence that says what
// it is, at its `kind`, instead of the schema's messages about every key a topology lacks. Pure.
import type { Document } from "yaml";
import type { Finding } from "../model/finding";
import { RBAC_KINDS } from "../model/k8s";
import { TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from "../model/topology";
import { Reader } from "../model/yamlnodes";
import { closest, listText } from "../util/strings";

/** The kinds Quorate reads besides a topology (rules/exports): named when a List holds them. */
const READ_KINDS: readonly string[] = [...RBAC_KINDS, "ServiceExport"];
/** How many of a List's kinds are named; the rest are counted. */
const KINDS_NAMED = 3;

/** "a design (`apiVersion: quorate.dev/v1alpha1`, `kind: Topology`)" */
const HEADER = `\`apiVersion: ${TOPOLOGY_API_VERSION}\`, \`kind: ${TOPOLOGY_KIND}\``;

/** What Quorate reads, said to a file judged as a topology by its name or because it was piped in. */
const whatQuorateReads = (byName: boolean) =>
  byName
    ? `a file named *.topology.yaml holds a design (${HEADER}); keep a Kubernetes manifest in a file of another name`
    : `Quorate reads a design (${HEADER}) and, for its RBAC and export rules, Roles, ClusterRoles, their bindings and ServiceExports`;

/** "2 objects (ConfigMap, Secret)", "5 objects (ConfigMap ×3, Secret and 1 more kind)" */
function itemsText(r: Reader, items: ReturnType<Reader["items"]>): { text: string; read: string[] } {
  const kinds = new Map<string, number>();
  for (const it of items) {
    const k = r.scalar(r.entries(it.node).get("kind")?.node ?? null);
    if (typeof k === "string" && k) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const named = [...kinds].slice(0, KINDS_NAMED).map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
  const more = kinds.size - named.length;
  const what = named.length ? ` (${listText(more ? [...named, `${more} more kind${more === 1 ? "" : "s"}`] : named)})` : "";
  const count = items.length === 1 ? "1 object" : `${items.length} objects`;
  return { text: items.length ? `of ${count}${what}` : "with no items", read: [...kinds.keys()].filter((k) => READ_KINDS.includes(k)) };
}

/**
 * The one finding for a document that declares itself another kind of object — both `apiVersion`
 * and `kind` strings, the version not Quorate's and the kind no misspelling of `Topology` (those
 * keep the schema's messages, which name the mistake) — or undefined. `byName`: the file is
 * judged as a topology for its *.topology.yaml name (else: it was piped in).
 */
export function foreignObject(doc: Document, byName: boolean): Finding | undefined {
  const r = new Reader(doc);
  const top = r.entries(doc.contents);
  const apiVersion = r.scalar(top.get("apiVersion")?.node ?? null);
  const kindEntry = top.get("kind");
  const kind = r.scalar(kindEntry?.node ?? null);
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !kind || !kindEntry) return undefined;
  if (apiVersion.startsWith("quorate.dev/") || closest(kind, [TOPOLOGY_KIND])) return undefined;
  let what = `${/^[AEIOU]/.test(kind) ? "an" : "a"} ${kind} (${apiVersion})`;
  let tail = "";
  if (kind === "List") {
    const items = itemsText(r, r.items(top.get("items")?.node ?? null));
    what = `a List (${apiVersion}) ${items.text}`;
    // elsewhere a List's RBAC objects and ServiceExports are read (model/k8s listedK8s); only this name keeps them out
    if (items.read.length && byName)
      tail = `; Quorate reads the ${listText(items.read.map((k) => `${k}s`))} of a List in a file of any other name`;
  }
  return {
    code: "schema",
    severity: "error",
    span: kindEntry.span,
    message: `this is ${what}, not a Quorate ${TOPOLOGY_KIND}: ${whatQuorateReads(byName)}${tail}`,
  };
}
