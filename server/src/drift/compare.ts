/**
 * Drift: the design against the deployment files bound to its clusters (contract: shared
 * design/drift.md). Every compared field becomes a Comparison (the hover's table); each one
 * that disagrees becomes a finding in the deployment file, with the design's place as related
 * information and two fixes: set the deployed value to the design's, or adopt it in the
 * design. Pure: files come from a DeploymentSource, certificates from a fingerprint function.
 */
import { isScalar, isSeq, visit, type Document, type Node, type Scalar } from "yaml";
import { canonical, parseCidr } from "../math/cidr";
import type { Finding, FixHint } from "../model/finding";
import { parseFile, type ParsedFile } from "../model/parse";
import type { LineIndex, Span } from "../model/text";
import type { Cluster } from "../model/topology";
import type { TopologyContext } from "../derive/context";
import { DEFAULT_ELECTION_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, etcdTimers } from "../derive/timers";
import { finding } from "../rules/context";
import {
  asBool,
  asNumber,
  cidrTexts,
  DEPLOY_KINDS,
  type DeployKind,
  type Deployed,
  DocReader,
  etcdArg,
  extraArg,
  recognise,
} from "./deployed";

/** Why an entry, or a file it reaches, is not read: `drift/outside-repository`, `drift/pattern-too-broad` or `drift/missing-file`. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
}

/** What one `deployment` entry binds: the files to read, and what it reaches but must not be read. */
export interface Match {
  /** paths the caller can read back; sorted */
  readonly paths: string[];
  readonly refused?: readonly Refusal[];
}

/** Where the deployment files come from: the CLI reads the disk, the editor its open documents first. */
export interface DeploymentSource {
  /** the files a path or glob (relative to the topology's folder) names */
  match(topologyPath: string, pattern: string): Match;
  read(path: string): string | undefined;
  /** drop what the source keeps between analyses (a file was created or deleted) */
  forget?(): void;
}

/** SHA-256 fingerprints of every certificate in a PEM bundle, or why it does not parse. */
export type Fingerprints = (pem: string) => { fingerprints: string[] } | { error: string };

export interface Comparison {
  readonly cluster: string;
  readonly code: string;
  /** the design field, as format.md names it */
  readonly field: string;
  /** the deployed key */
  readonly key: string;
  readonly design: string;
  readonly deployed: string;
  readonly agree: boolean;
  readonly file: string;
  /** where in the deployment file (the value, or its anchor when absent) */
  readonly span: Span;
  /** where in the topology: the design value, or the cluster's name when the design leaves a default */
  readonly designSpan: Span;
}

export interface DriftResult {
  readonly comparisons: Comparison[];
  /** every bound file that could be read, parsed, with its findings (yaml/syntax alone when it does not parse) */
  readonly files: Map<string, { parsed: ParsedFile; findings: Finding[]; kinds: DeployKind[] }>;
  /** findings in the topology itself: entries that match no file, files of no known kind */
  readonly topology: Finding[];
  /** for each cluster (by name), the bound files */
  readonly bound: Map<string, string[]>;
}

/** Adds `more` to `into`, leaving out what is already there: a file bound by two topologies is judged twice. */
export function mergeFindings(into: Finding[], more: readonly Finding[]): Finding[] {
  for (const f of more) if (!into.some((x) => x.code === f.code && x.span.start === f.span.start && x.message === f.message)) into.push(f);
  return into;
}

export interface DriftInput {
  readonly path: string;
  /** how messages cite the topology: its file name */
  readonly label: string;
  readonly ctx: TopologyContext;
  readonly lines: LineIndex;
  /** the topology's YAML document: "Adopt" edits its value nodes */
  readonly doc: Document;
}

const CILIUM_V6_DEFAULT = "fd00::/104";
const setText = (xs: readonly string[]) => xs.join(", ") || "none";
const canonSet = (texts: readonly string[]) =>
  [
    ...new Set(
      texts.map((t) => {
        const c = parseCidr(t);
        return c ? canonical(c) : t;
      }),
    ),
  ].sort();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A scalar written as the node was: quoted the same way, plain when that reads back as the same string. */
function scalarText(node: Node | undefined, text: string, numeric: boolean): string {
  const type = node && isScalar(node) ? (node as Scalar).type : undefined;
  if (type === "QUOTE_DOUBLE") return JSON.stringify(text);
  if (type === "QUOTE_SINGLE") return `'${text.replace(/'/g, "''")}'`;
  if (numeric || /^[A-Za-z0-9_./:-][A-Za-z0-9_./:, -]*$/.test(text)) return text;
  return JSON.stringify(text);
}

/** Edits that write `texts` (CIDRs) into a deployed or design value: a string, a flow list, or a block list item by item. */
function cidrEdits(node: Node | undefined, texts: readonly string[]): { start: number; end: number; text: string }[] | undefined {
  if (!node?.range || !texts.length) return undefined;
  if (isScalar(node)) return [{ start: node.range[0], end: node.range[1], text: scalarText(node, texts.join(","), false) }];
  if (isSeq(node)) {
    const items = node.items as Node[];
    if (node.flow)
      return [{ start: node.range[0], end: node.range[1], text: `[${texts.map((t) => scalarText(undefined, t, false)).join(", ")}]` }];
    if (items.length === texts.length && items.every((it) => isScalar(it) && it.range))
      return items.map((it, i) => ({ start: it.range![0], end: it.range![1], text: scalarText(it, texts[i], false) }));
  }
  return undefined;
}

interface Check {
  readonly cluster: Cluster;
  readonly code: string;
  readonly field: string;
  readonly dep: Deployed;
  /** the design's value; undefined = not compared */
  readonly design: unknown;
  /** where the design writes the value (undefined when it leaves a default); keySpan finds its node for "Adopt" */
  readonly designAt?: { span: Span; keySpan?: Span };
  readonly kind: "scalar" | "number" | "bool" | "cidrs" | "names";
  /** the deployed default when the key is absent */
  readonly deployedDefault?: unknown;
  /** a deployed value that overrides `dep.value` (normalised already, e.g. a CIDR union) */
  readonly deployedValue?: unknown;
  readonly fixable?: boolean;
  /** false: "Adopt in the design" is not offered (renaming a cluster would break every reference to it) */
  readonly adopt?: false;
}

export function drift(input: DriftInput, source: DeploymentSource, fingerprints: Fingerprints): DriftResult {
  const t = input.ctx.topology;
  const L = input.lines;
  const comparisons: Comparison[] = [];
  const files: DriftResult["files"] = new Map();
  const topology: Finding[] = [];
  const bound = new Map<string, string[]>();
  // the trust anchors each cluster deploys, for the across-cluster check
  const anchors = new Map<string, { file: string; span: Span; fingerprints: string[] }>();

  const fileOf = (path: string) => {
    let f = files.get(path);
    if (!f) {
      const text = source.read(path);
      if (text === undefined) return undefined;
      const parsed = parseFile(path, text);
      f = { parsed, findings: parsed.docs.flatMap((d) => d.yamlFindings.filter((x) => x.code === "yaml/syntax")), kinds: [] };
      files.set(path, f);
    }
    return f;
  };
  const where = (span: Span) => `${input.label}:${L.positionAt(span.start).line + 1}`;

  for (const c of t.clusters) {
    const name = c.name?.value;
    if (!name || !c.deployment) continue;
    const mine: string[] = [];
    for (const ref of c.deployment.items) {
      if (!ref.path.value.trim()) continue; // an empty entry names nothing: the schema says so
      const { paths: matched, refused = [] } = source.match(input.path, ref.path.value);
      // what the entry reaches outside the root (or past the bounds) is named, never read
      for (const r of refused) topology.push(finding(r.code, ref.path.span, r.message));
      if (refused.length && !matched.length) continue;
      if (!matched.length) {
        topology.push(
          finding(
            "drift/missing-file",
            ref.path.span,
            `\`${ref.path.value}\` matches no file (relative to ${input.label}): nothing to compare for ${name}`,
          ),
        );
        continue;
      }
      for (const path of matched) {
        if (mine.includes(path)) continue; // two entries of one cluster binding one file judge it once
        const f = fileOf(path);
        if (!f) {
          topology.push(finding("drift/missing-file", ref.path.span, `${path} cannot be read: nothing to compare for ${name}`));
          continue;
        }
        if (!mine.includes(path)) mine.push(path);
        if (f.parsed.docs.some((d) => d.broken)) continue; // its yaml/syntax finding alone
        const named = ref.kind && (DEPLOY_KINDS as readonly string[]).includes(ref.kind.value) ? (ref.kind.value as DeployKind) : undefined;
        let any = false;
        const links: { d: DocReader; target: Deployed }[] = [];
        for (const doc of f.parsed.docs) {
          if (doc.kind === "empty" || !doc.doc.contents) continue;
          const d = new DocReader(doc.doc, doc.span);
          const kind = named ?? recognise(d);
          if (!kind) continue;
          any = true;
          if (!f.kinds.includes(kind)) f.kinds.push(kind);
          if (kind === "linkerd-link") {
            links.push({ d, target: d.get(["spec", "targetClusterName"]) });
            continue;
          }
          for (const ch of checksOf(kind, d, c, t.clusters)) record(ch, path, f);
          if (kind === "linkerd-values") {
            const pem = d.get(["identityTrustAnchorsPEM"]);
            if (pem.present && typeof pem.value === "string") {
              const fp = fingerprints(pem.value);
              if ("error" in fp)
                f.findings.push(
                  finding(
                    "drift/unreadable-anchor",
                    pem.span,
                    `identityTrustAnchorsPEM of ${name} does not parse as PEM certificates: ${fp.error}`,
                  ),
                );
              else
                anchors.set(name, { file: path, span: d.keySpan(["identityTrustAnchorsPEM"]) ?? pem.span, fingerprints: fp.fingerprints });
            }
          }
        }
        if (links.length) linkChecks(c, links, path, f);
        if (!any)
          topology.push(
            finding(
              "drift/unrecognized",
              ref.span,
              `${path} is none of the deployment kinds Quorate reads (${DEPLOY_KINDS.join(", ")}): name its kind with \`{ path, kind }\``,
            ),
          );
      }
    }
    bound.set(name, mine);
  }

  // deployed against deployed: linked Linkerd clusters must share a trust anchor
  for (const c of t.clusters) {
    const name = c.name?.value;
    for (const l of c.linkerd?.links ?? []) {
      const other = l.cluster?.value;
      const a = name && anchors.get(name);
      const b = other && anchors.get(other);
      if (!a || !b) continue;
      if (a.fingerprints.some((x) => b.fingerprints.includes(x))) continue;
      // the later cluster in the design carries the finding
      const later =
        t.clusters.findIndex((x) => x.name?.value === other) > c.index
          ? { n: other!, at: b, peer: name!, pa: a }
          : { n: name!, at: a, peer: other!, pa: b };
      const f = files.get(later.at.file)!;
      if (f.findings.some((x) => x.code === "drift/trust-anchor" && x.span.start === later.at.span.start)) continue;
      f.findings.push(
        finding(
          "drift/trust-anchor",
          later.at.span,
          `the trust anchors deployed for ${later.n} (${later.at.fingerprints.length} certificate${later.at.fingerprints.length === 1 ? "" : "s"}) and for ${later.peer} (${later.pa.file}, ${later.pa.fingerprints.length}) share no certificate, but ${name} links to ${other}: cross-cluster mTLS fails`,
        ),
      );
    }
  }
  return { comparisons, files, topology, bound };

  function record(ch: Check, path: string, f: { findings: Finding[] }): void {
    if (ch.design === undefined) return;
    const c = ch.cluster;
    const name = c.name!.value;
    const raw = ch.deployedValue !== undefined ? ch.deployedValue : ch.dep.present ? ch.dep.value : ch.deployedDefault;
    if (raw === undefined && !ch.dep.present && ch.deployedDefault === undefined && ch.kind !== "scalar") return;
    let agree: boolean;
    let designText: string;
    let deployedText: string;
    if (ch.kind === "cidrs" || ch.kind === "names") {
      const want = ch.kind === "cidrs" ? canonSet(ch.design as string[]) : [...new Set(ch.design as string[])].sort();
      const have = ch.kind === "cidrs" ? canonSet(cidrTexts(raw)) : [...new Set(cidrTexts(raw))].sort();
      agree = sameSet(want, have);
      designText = setText(want);
      deployedText = setText(have);
    } else if (ch.kind === "number") {
      agree = asNumber(raw) === ch.design;
      designText = String(ch.design);
      deployedText = raw === undefined ? "absent" : String(raw);
    } else if (ch.kind === "bool") {
      agree = asBool(raw) === ch.design;
      designText = String(ch.design);
      deployedText = raw === undefined ? "absent" : String(raw);
    } else {
      agree = raw === ch.design;
      designText = String(ch.design);
      deployedText = raw === undefined ? "absent" : String(raw);
    }
    const designSpan = ch.designAt?.span ?? c.name!.span;
    const shown = ch.dep.present ? deployedText : ch.deployedDefault !== undefined ? `absent (default ${deployedText})` : "absent";
    comparisons.push({
      cluster: name,
      code: ch.code,
      field: ch.field,
      key: ch.dep.key,
      design: designText,
      deployed: shown,
      agree,
      file: path,
      span: ch.dep.span,
      designSpan,
    });
    if (agree) return;
    const designSays =
      ch.field === "name"
        ? `${where(designSpan)} names the cluster ${designText}`
        : ch.designAt
          ? `${where(designSpan)} gives ${name} ${ch.field} ${designText}`
          : `the design leaves ${name}'s ${ch.field} at its default ${designText} (${where(designSpan)})`;
    const fixes: FixHint[] = [];
    if (ch.fixable !== false && ch.dep.present && ch.dep.node) {
      const edits =
        ch.kind === "cidrs" || ch.kind === "names"
          ? cidrEdits(ch.dep.node, ch.design as string[])
          : isScalar(ch.dep.node) && ch.dep.node.range
            ? [
                {
                  start: ch.dep.node.range[0],
                  end: ch.dep.node.range[1],
                  text: scalarText(ch.dep.node, (ch.dep.write ?? String)(designText), ch.kind === "number" && !ch.dep.write),
                },
              ]
            : undefined;
      if (edits) fixes.push({ kind: "replace-all", title: `Set to \`${designText}\``, args: { edits }, preferred: true });
    }
    const designNode =
      ch.dep.present && ch.adopt !== false && ch.designAt?.keySpan ? pairValueAt(input.doc, ch.designAt.keySpan.start) : undefined;
    if (designNode) {
      const edits =
        ch.kind === "cidrs"
          ? cidrEdits(designNode, cidrTexts(raw))
          : isScalar(designNode) && designNode.range && raw !== undefined
            ? [
                {
                  start: designNode.range[0],
                  end: designNode.range[1],
                  text: scalarText(designNode, String(ch.kind === "number" ? asNumber(raw) : raw), ch.kind !== "scalar"),
                },
              ]
            : undefined;
      if (edits && (ch.kind !== "number" || asNumber(raw) !== undefined))
        fixes.push({ kind: "replace-in", title: `Adopt \`${deployedText}\` in the design`, args: { path: input.path, edits } });
    }
    f.findings.push(
      finding(ch.code, ch.dep.span, `\`${ch.dep.key}\` is ${shown} here, but ${designSays}`, {
        fixes,
        related: [{ span: designSpan, message: `${name} ${ch.field} in the design: ${designText}`, path: input.path }],
      }),
    );
  }

  function linkChecks(c: Cluster, links: { d: DocReader; target: Deployed }[], path: string, f: { findings: Finding[] }): void {
    const name = c.name!.value;
    const designed = (c.linkerd?.links ?? []).map((l) => l.cluster?.value).filter((x): x is string => !!x);
    for (const { target } of links) {
      const v = typeof target.value === "string" ? target.value : undefined;
      const ok = v !== undefined && designed.includes(v);
      comparisons.push({
        cluster: name,
        code: "drift/linkerd",
        field: "linkerd.links[].cluster",
        key: target.key,
        design: setText(designed),
        deployed: v ?? "absent",
        agree: ok,
        file: path,
        span: target.span,
        designSpan: c.linkerd?.keySpan ?? c.name!.span,
      });
      if (!ok)
        f.findings.push(
          finding(
            "drift/linkerd",
            target.span,
            `this Link targets ${v ?? "no cluster"}, but ${where(c.linkerd?.keySpan ?? c.name!.span)} gives ${name} links to ${setText(designed)}: the Link mirrors Services the design does not show`,
            { related: [{ span: c.linkerd?.keySpan ?? c.name!.span, message: `${name}'s links in the design`, path: input.path }] },
          ),
        );
    }
  }
}

/** What to compare for one document of one kind (shared design/drift.md, "What is compared"). */
function checksOf(kind: DeployKind, d: DocReader, c: Cluster, all: readonly Cluster[]): Check[] {
  const name = c.name!.value;
  const pods = c.cidrs.filter((x) => x.field === "pods");
  const services = c.cidrs.filter((x) => x.field === "services");
  // the design value node of a CIDR field: a single string, or the list holding the items
  const cidrAt = (xs: typeof pods) =>
    xs.length ? { span: { start: xs[0].span.start, end: xs[xs.length - 1].span.end }, keySpan: xs[0].keySpan } : undefined;
  const podsDesign = pods.length ? pods.map((x) => x.value) : undefined;
  const servicesDesign = services.length ? services.map((x) => x.value) : undefined;
  const out: Check[] = [];
  const push = (x: Omit<Check, "cluster">) => out.push({ cluster: c, ...x });
  /** a pod or service range, with the tool's default where the key is absent */
  const range = (which: "pods" | "services", dep: Deployed, deployedDefault?: string) =>
    push({
      code: "drift/cidr",
      field: `network.${which}`,
      dep,
      design: which === "pods" ? podsDesign : servicesDesign,
      designAt: cidrAt(which === "pods" ? pods : services),
      kind: "cidrs",
      deployedDefault,
    });
  switch (kind) {
    case "cilium-values": {
      if (c.mesh === "clustermesh") {
        push({
          code: "drift/cluster-identity",
          field: "name",
          dep: d.get(["cluster", "name"]),
          design: name,
          designAt: c.name,
          kind: "scalar",
          deployedDefault: "default",
          adopt: false,
        });
        if (c.id)
          push({
            code: "drift/cluster-identity",
            field: "id",
            dep: d.get(["cluster", "id"]),
            design: c.id.value,
            designAt: c.id,
            kind: "number",
            deployedDefault: 0,
          });
        push({
          code: "drift/cluster-identity",
          field: "maxConnectedClusters",
          dep: d.get(["clustermesh", "maxConnectedClusters"]),
          design: c.maxConnectedClusters?.value ?? 255,
          designAt: c.maxConnectedClusters,
          kind: "number",
          deployedDefault: 255,
        });
        if (asBool(d.get(["clustermesh", "config", "enabled"]).value) === true) {
          const peers = all.filter((x) => x !== c && x.mesh === "clustermesh" && x.name).map((x) => x.name!.value);
          const dep = d.get(["clustermesh", "config", "clusters"], "clustermesh.config.clusters[].name");
          const names = Array.isArray(dep.value)
            ? (dep.value as unknown[])
                .map((x) => (x && typeof x === "object" ? (x as { name?: unknown }).name : undefined))
                .filter((x): x is string => typeof x === "string" && x !== name)
            : [];
          push({
            code: "drift/cluster-identity",
            field: "ClusterMesh peers",
            dep,
            design: peers,
            designAt: { span: c.name!.span },
            kind: "names",
            deployedValue: names,
            fixable: false,
          });
        }
      }
      const mode = d.get(["ipam", "mode"]).value ?? "cluster-pool";
      if (mode === "cluster-pool" && podsDesign) {
        const v4on = asBool(d.get(["ipv4", "enabled"]).value) ?? true;
        const v6on = asBool(d.get(["ipv6", "enabled"]).value) ?? false;
        const v4 = d.get(["ipam", "operator", "clusterPoolIPv4PodCIDRList"]);
        const v6 = d.get(["ipam", "operator", "clusterPoolIPv6PodCIDRList"]);
        const deployed = [
          ...(v4on ? (v4.present ? cidrTexts(v4.value) : ["10.0.0.0/8"]) : []),
          ...(v6on ? (v6.present ? cidrTexts(v6.value) : [CILIUM_V6_DEFAULT]) : []),
        ];
        const anchor = v4on && v4.present ? v4 : v6on && v6.present ? v6 : v4;
        // one family deployed in one list: the fix rewrites that list
        const fixable = (v4on && !v6on && v4.present) || (!v4on && v6on && v6.present);
        push({
          code: "drift/cidr",
          field: "network.pods",
          dep: anchor,
          design: podsDesign,
          designAt: cidrAt(pods),
          kind: "cidrs",
          deployedValue: deployed,
          fixable,
        });
      }
      break;
    }
    case "kubeadm": {
      const pod = d.get(["networking", "podSubnet"]);
      if (pod.present) range("pods", pod);
      range("services", d.get(["networking", "serviceSubnet"]), "10.96.0.0/12");
      const anchor = d.keySpan(["etcd", "local"]) ?? d.firstKey();
      timers(push, c, (flag) => extraArg(d, ["etcd", "local", "extraArgs"], flag, anchor));
      break;
    }
    case "k3s": {
      range("pods", d.get(["cluster-cidr"]), "10.42.0.0/16");
      range("services", d.get(["service-cidr"]), "10.43.0.0/16");
      timers(push, c, (flag) => etcdArg(d, flag));
      break;
    }
    case "submariner": {
      const k = d.str(["kind"]);
      const helm = k === undefined;
      if (k === "Broker" || helm) {
        const g = helm ? d.get(["broker", "globalnet"]) : d.get(["spec", "globalnetEnabled"]);
        push({
          code: "drift/cidr",
          field: "globalnet",
          dep: g,
          design: c.globalnet,
          designAt: c.globalnetAt,
          kind: "bool",
          deployedDefault: false,
        });
      }
      if (k === "Submariner" || helm) {
        const at = (crd: string, values: string) => (helm ? d.get(["submariner", values]) : d.get(["spec", crd]));
        const id = at("clusterID", "clusterId");
        if (id.present)
          push({
            code: "drift/cluster-identity",
            field: "name",
            dep: id,
            design: name,
            designAt: c.name,
            kind: "scalar",
            adopt: false,
          });
        const cc = at("clusterCIDR", "clusterCidr");
        if (cc.present) range("pods", cc);
        const sc = at("serviceCIDR", "serviceCidr");
        if (sc.present) range("services", sc);
        const gc = at("globalCIDR", "globalCidr");
        if (gc.present && c.globalCidr)
          push({
            code: "drift/cidr",
            field: "network.globalCidr",
            dep: gc,
            design: [c.globalCidr.value],
            designAt: { span: c.globalCidr.span },
            kind: "cidrs",
          });
      }
      break;
    }
    case "istio-values": {
      const operator = d.str(["kind"]) === "IstioOperator";
      const base = operator ? ["spec", "values"] : [];
      const get = (path: string[]) => d.get([...base, ...path]);
      const i = c.istio;
      if (i?.meshId)
        push({
          code: "drift/istio",
          field: "istio.meshId",
          dep: get(["global", "meshID"]),
          design: i.meshId.value,
          designAt: i.meshId,
          kind: "scalar",
        });
      const cn = get(["global", "multiCluster", "clusterName"]);
      push({
        code: "drift/istio",
        field: "istio.clusterName",
        dep: cn,
        design: i?.clusterName?.value ?? name,
        designAt: i?.clusterName,
        kind: "scalar",
        deployedDefault: name,
      });
      if (i?.network)
        push({
          code: "drift/istio",
          field: "istio.network",
          dep: get(["global", "network"]),
          design: i.network.value,
          designAt: i.network,
          kind: "scalar",
        });
      const remoteOn = asBool(get(["istiodRemote", "enabled"]).value) === true;
      const profile = d.get(operator ? ["spec", "profile"] : ["profile"]);
      const role = remoteOn || profile.value === "remote" ? "remote" : "primary";
      const roleAt = remoteOn ? get(["istiodRemote", "enabled"]) : profile.present ? profile : get(["istiodRemote", "enabled"]);
      push({
        code: "drift/istio",
        field: "istio.role",
        dep: roleAt,
        design: i?.role?.value ?? "primary",
        designAt: i?.role,
        kind: "scalar",
        deployedValue: role,
        fixable: false,
      });
      break;
    }
    case "linkerd-values": {
      // both domains default to cluster.local on either side
      for (const [field, key] of [
        ["trustDomain", "identityTrustDomain"],
        ["clusterDomain", "clusterDomain"],
      ] as const) {
        const at = c.linkerd?.[field];
        push({
          code: "drift/linkerd",
          field: `linkerd.${field}`,
          dep: d.get([key]),
          design: at?.value ?? "cluster.local",
          designAt: at,
          kind: "scalar",
          deployedDefault: "cluster.local",
        });
      }
      break;
    }
    case "linkerd-multicluster-values": {
      const g = c.linkerd?.gateway;
      if (g)
        push({
          code: "drift/linkerd",
          field: "linkerd.gateway",
          dep: d.get(["gateway", "enabled"]),
          design: g.value,
          designAt: g,
          kind: "bool",
          deployedDefault: true,
        });
      break;
    }
    case "linkerd-link":
      break;
  }
  return out;
}

function timers(push: (x: Omit<Check, "cluster">) => void, c: Cluster, flag: (name: string) => Deployed): void {
  const e = c.etcd;
  const design = etcdTimers(c);
  push({
    code: "drift/etcd-timers",
    field: "etcd.heartbeatMs",
    dep: flag("heartbeat-interval"),
    design: design.heartbeat,
    designAt: e?.heartbeatMs,
    kind: "number",
    deployedDefault: DEFAULT_HEARTBEAT_MS,
  });
  push({
    code: "drift/etcd-timers",
    field: "etcd.electionTimeoutMs",
    dep: flag("election-timeout"),
    design: design.election,
    designAt: e?.electionTimeoutMs,
    kind: "number",
    deployedDefault: DEFAULT_ELECTION_TIMEOUT_MS,
  });
}

/** The value node of the pair whose key starts at `keyStart` (a design field as the model read it). */
function pairValueAt(doc: Document, keyStart: number): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key as Node | null;
      if (k?.range && k.range[0] === keyStart) {
        found = (pair.value as Node | null) ?? undefined;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
