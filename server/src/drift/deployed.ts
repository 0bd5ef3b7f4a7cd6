/**
 * Reading deployment files: which kind a YAML document is (shared design/drift.md, "Binding a
 * cluster to its files") and the deployed values the design is compared with, each with the
 * range it sits at. Pure: text in, values and spans out.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type Scalar } from "yaml";
import type { Span } from "../model/text";
import { Reader, spanOf, type Entry } from "../model/yamlnodes";

export const DEPLOY_KINDS = [
  "cilium-values",
  "istio-values",
  "linkerd-values",
  "linkerd-multicluster-values",
  "linkerd-link",
  "kubeadm",
  "k3s",
  "submariner",
] as const;
export type DeployKind = (typeof DEPLOY_KINDS)[number];

/** A value as deployed: present (with its node) or absent (anchored where it would go). */
export interface Deployed {
  /** the key path as the file's documentation writes it: `cluster.id`, `networking.podSubnet` */
  readonly key: string;
  readonly present: boolean;
  /** the JS value (scalar, or a list of scalars), undefined when absent */
  readonly value: unknown;
  /** the value's range, or, when absent, the parent key's (or the document's first key) */
  readonly span: Span;
  /** the value node, for minimal edits */
  readonly node?: Node;
  /** how a new value is written into the node when it is more than the value (`heartbeat-interval=100`) */
  readonly write?: (value: string) => string;
}

/** A path into a document's mappings; aliases are followed. */
export class DocReader {
  readonly r: Reader;
  constructor(
    readonly doc: Document,
    private readonly docSpan: Span,
  ) {
    this.r = new Reader(doc);
  }

  private entry(path: readonly string[], root: Node | null = this.doc.contents as Node | null): Entry | undefined {
    let node = root;
    let e: Entry | undefined;
    for (const k of path) {
      e = this.r.entries(node).get(k);
      if (!e) return undefined;
      node = e.node;
    }
    return e;
  }

  /** The value at `path` under `root` (default: the document), anchored at the nearest present parent when absent. */
  get(path: readonly string[], label = path.join("."), root?: Node | null, rootAnchor?: Span): Deployed {
    const e = this.entry(path, root ?? (this.doc.contents as Node | null));
    if (e)
      return {
        key: label,
        present: true,
        value: this.value(e.node),
        span: e.node?.range ? spanOf(e.node) : e.keySpan,
        node: e.node ?? undefined,
      };
    for (let n = path.length - 1; n > 0; n--) {
      const parent = this.entry(path.slice(0, n), root ?? (this.doc.contents as Node | null));
      if (parent) return { key: label, present: false, value: undefined, span: parent.keySpan };
    }
    return { key: label, present: false, value: undefined, span: rootAnchor ?? this.firstKey() };
  }

  has(path: readonly string[], root?: Node | null): boolean {
    return this.entry(path, root ?? (this.doc.contents as Node | null)) !== undefined;
  }

  node(path: readonly string[]): Node | null | undefined {
    return this.entry(path)?.node;
  }

  keySpan(path: readonly string[]): Span | undefined {
    return this.entry(path)?.keySpan;
  }

  /** The document's first key: where a finding about a key absent from the whole file goes. */
  firstKey(): Span {
    const m = this.doc.contents;
    if (m && isMap(m) && m.items.length) return spanOf(m.items[0].key as Node);
    return { start: this.docSpan.start, end: this.docSpan.start };
  }

  /** nodes value() may still visit: aliases can make a small file a huge tree (a "billion laughs") */
  private budget = 10_000;

  value(node: Node | null): unknown {
    if (!node || --this.budget < 0) return undefined;
    if (isScalar(node)) return (node as Scalar).value;
    if (isSeq(node)) return this.r.items(node).map((it) => this.value(it.node));
    if (isMap(node)) return Object.fromEntries([...this.r.entries(node)].map(([k, v]) => [k, this.value(v.node)]));
    return this.r.scalar(node);
  }

  str(path: readonly string[]): string | undefined {
    const v = this.entry(path)?.node;
    const s = v ? this.r.scalar(v) : undefined;
    return typeof s === "string" ? s : undefined;
  }
}

const has = (d: DocReader, ...paths: string[][]) => paths.some((p) => d.has(p));

/** The kind a document is, from its content; undefined when it is none Quorate reads. */
export function recognise(d: DocReader): DeployKind | undefined {
  const kind = d.str(["kind"]);
  const api = d.str(["apiVersion"]) ?? "";
  if (kind === "ClusterConfiguration" && /^kubeadm\.k8s\.io\/v1beta[34]$/.test(api)) return "kubeadm";
  if (kind === "Link" && api.startsWith("multicluster.linkerd.io/")) return "linkerd-link";
  if (kind === "IstioOperator" && api === "install.istio.io/v1alpha1") return "istio-values";
  if ((kind === "Submariner" || kind === "Broker") && api === "submariner.io/v1alpha1") return "submariner";
  if (kind !== undefined && api) return undefined; // some other Kubernetes object
  if (has(d, ["cluster", "name"], ["cluster", "id"], ["clustermesh"])) return "cilium-values";
  if (has(d, ["global", "meshID"], ["global", "multiCluster"], ["global", "network"])) return "istio-values";
  if (has(d, ["identityTrustAnchorsPEM"], ["identityTrustDomain"])) return "linkerd-values";
  if (d.has(["gateway"]) && has(d, ["localServiceMirror"], ["controllers"])) return "linkerd-multicluster-values";
  if (has(d, ["submariner", "clusterId"], ["broker", "globalnet"])) return "submariner";
  // cluster-init and datastore-endpoint are k3s's own keys too: a server config often has only them
  if (has(d, ["cluster-cidr"], ["service-cidr"], ["etcd-arg"], ["cluster-init"], ["datastore-endpoint"])) return "k3s";
  return undefined;
}

// ---- normalising deployed values -------------------------------------------------------------

/** A number written as a number or a string ("100"); undefined otherwise. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export function asBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  return undefined;
}

/** CIDRs as written: a string (comma-separated for dual-stack) or a list of them. */
export function cidrTexts(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list
    .filter((x): x is string => typeof x === "string")
    .flatMap((x) => x.split(","))
    .map((x) => x.trim())
    .filter(Boolean);
}

/** kubeadm `extraArgs`: v1beta3 a map, v1beta4 a list of `{ name, value }`; the value of `flag` with its node. */
export function extraArg(d: DocReader, path: readonly string[], flag: string, anchor: Span): Deployed {
  const label = `${path.join(".")}.${flag}`;
  const node = d.node(path);
  if (node && isMap(node)) return d.get([...path, flag], label, undefined, anchor);
  if (node && isSeq(node)) {
    for (const it of d.r.items(node)) {
      const e = d.r.entries(it.node);
      if (d.r.scalar(e.get("name")?.node ?? null) === flag) {
        const v = e.get("value");
        return v?.node
          ? { key: label, present: true, value: d.r.scalar(v.node), span: spanOf(v.node), node: v.node }
          : { key: label, present: false, value: undefined, span: it.span };
      }
    }
    return { key: label, present: false, value: undefined, span: d.keySpan(path) ?? anchor };
  }
  return { key: label, present: false, value: undefined, span: anchor };
}

/** k3s/RKE2 `etcd-arg`: `key=value` items (a list, or one string). */
export function etcdArg(d: DocReader, flag: string): Deployed {
  const label = `etcd-arg ${flag}`;
  const e = d.node(["etcd-arg"]);
  const anchor = d.keySpan(["etcd-arg"]) ?? d.firstKey();
  const items = e && isSeq(e) ? d.r.items(e).map((it) => it.node) : e ? [e] : [];
  for (const n of items) {
    const s = d.r.scalar(n);
    if (typeof s !== "string") continue;
    // `name=value`, both trimmed — cut at the first `=`, not by a regular expression: a lazy value
    // before a trailing `\s*$` backtracks over a long run of spaces (quadratic: audit A13)
    const eq = s.indexOf("=");
    if (eq < 0 || s.slice(0, eq).trim() !== flag || !/^[\w-]+$/.test(flag)) continue;
    const value = s.slice(eq + 1).trim();
    if (/[\n\r\u2028\u2029]/.test(value)) continue; // one line, as etcd reads a flag
    return { key: label, present: true, value, span: spanOf(n), node: n, write: (v) => `${flag}=${v}` };
  }
  return { key: label, present: false, value: undefined, span: anchor };
}
