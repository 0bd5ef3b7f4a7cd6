import { isMap, type Document, type Node } from "yaml";
import { Reader, type F } from "./yamlnodes";
import { readSubjects, type Subject } from "./topology";
import type { Span } from "./text";

export const SERVICE_EXPORT_API_VERSIONS = ["multicluster.x-k8s.io/v1alpha1", "multicluster.x-k8s.io/v1beta1"];
export const RBAC_API_VERSION = "rbac.authorization.k8s.io/v1";
export const RBAC_KINDS = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"] as const;

export type K8sKind = "ServiceExport" | (typeof RBAC_KINDS)[number];

export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

export interface K8sObject {
  readonly kind: K8sKind;
  readonly span: Span;
  readonly name?: F<string>;
  readonly namespace?: F<string>;
  /** Role / ClusterRole */
  readonly rules: PolicyRule[];
  /** RoleBinding / ClusterRoleBinding */
  readonly roleRef?: { readonly kind?: string; readonly name?: F<string> };
  readonly subjects: Subject[];
}

/** The Kubernetes kind this document declares, if it is one Quorate reads. */
export function k8sKindOf(apiVersion: unknown, kind: unknown): K8sKind | undefined {
  if (kind === "ServiceExport" && typeof apiVersion === "string" && SERVICE_EXPORT_API_VERSIONS.includes(apiVersion))
    return "ServiceExport";
  if (apiVersion === RBAC_API_VERSION && (RBAC_KINDS as readonly unknown[]).includes(kind)) return kind as K8sKind;
  return undefined;
}

/**
 * The objects a Kubernetes List holds that Quorate reads (`kubectl get rolebindings -A -o yaml`
 * prints `apiVersion: v1`, `kind: List`, `items: [...]`; the API's typed lists, `RoleBindingList`
 * and the like, leave `apiVersion` and `kind` off their items, which are of the list's kind). A List
 * inside a List is read as kubectl reads it, flattened. Bounded: each node is visited once (an
 * alias to a List already read adds nothing, so aliases cannot multiply the work), and the YAML
 * depth limit (model/nesting) bounds the recursion. Undefined when the document is no List; items
 * of other kinds are skipped, as their own documents would be.
 */
export function listedK8s(doc: Document): K8sObject[] | undefined {
  const r = new Reader(doc);
  const out: K8sObject[] = [];
  const seen = new Set<Node>();
  const walk = (node: Node | null): boolean => {
    const top = r.entries(node);
    const apiVersion = r.scalar(top.get("apiVersion")?.node ?? null);
    const kind = r.scalar(top.get("kind")?.node ?? null);
    const typed = typeof kind === "string" && kind.endsWith("List") ? k8sKindOf(apiVersion, kind.slice(0, -"List".length)) : undefined;
    if (!typed && !(kind === "List" && apiVersion === "v1")) return false;
    for (const it of r.items(top.get("items")?.node ?? null)) {
      if (!isMap(it.node) || seen.has(it.node)) continue;
      seen.add(it.node);
      const e = r.entries(it.node);
      const own = k8sKindOf(r.scalar(e.get("apiVersion")?.node ?? null) ?? apiVersion, r.scalar(e.get("kind")?.node ?? null) ?? typed);
      if (own) out.push(readK8s(doc, own, it.span, it.node));
      else walk(it.node);
    }
    return true;
  };
  return walk(doc.contents as Node | null) ? out : undefined;
}

/** `node`: the object's map (a List's item); the document's contents by default. */
export function readK8s(doc: Document, kind: K8sKind, span: Span, node: Node | null = doc.contents as Node | null): K8sObject {
  const r = new Reader(doc);
  const top = r.entries(node);
  const meta = r.entries(top.get("metadata")?.node ?? null);
  const strings = (node: Parameters<Reader["items"]>[0]) =>
    r
      .items(node)
      .map((it) => r.scalar(it.node))
      .filter((v): v is string => typeof v === "string");
  const rules = r.items(top.get("rules")?.node ?? null).map((it) => {
    const e = r.entries(it.node);
    return {
      apiGroups: strings(e.get("apiGroups")?.node ?? null),
      resources: strings(e.get("resources")?.node ?? null),
      verbs: strings(e.get("verbs")?.node ?? null),
    };
  });
  const ref = top.get("roleRef");
  let roleRef: K8sObject["roleRef"];
  if (ref) {
    const re = r.entries(ref.node);
    roleRef = { kind: r.str(re.get("kind"))?.value, name: r.str(re.get("name")) };
  }
  return {
    kind,
    span,
    name: r.str(meta.get("name")),
    namespace: r.str(meta.get("namespace")),
    rules,
    roleRef,
    subjects: readSubjects(r, top.get("subjects")),
  };
}
