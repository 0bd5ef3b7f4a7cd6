import type { Document, Node } from "yaml";
import { itemSpanOf, Reader, type Entry, type F, type StrList } from "./yamlnodes";
import type { Span } from "./text";

export const TOPOLOGY_API_VERSION = "quorate.dev/v1alpha1";
export const TOPOLOGY_KIND = "Topology";

export interface Named {
  readonly name?: F<string>;
  /** the whole entity (sequence item) */
  readonly span: Span;
  readonly index: number;
}

export interface Site extends Named {
  readonly role: "primary" | "secondary" | "witness";
  readonly lat?: F<number>;
  readonly lon?: F<number>;
  /** hosts at the site outside any cluster (witness VMs, database hosts): CIDRs */
  readonly addresses?: StrList;
  /** fraction of time the site is up, in (0, 1]; absent = 1 (availability.md) */
  readonly availability?: F<number>;
}

export interface Link {
  readonly span: Span;
  readonly index: number;
  readonly between?: StrList;
  readonly rttMs?: F<number>;
  readonly rttP99Ms?: F<number>;
  /** fraction of time the link carries traffic, in (0, 1]; absent = 1 */
  readonly availability?: F<number>;
}

/** `objectives` of a store or a traffic entry: the tiers the design is held to (availability.md). */
export interface Objectives {
  readonly keySpan: Span;
  readonly span: Span;
  readonly availability?: F<number>;
  readonly rpoSeconds?: F<number>;
  readonly rtoSeconds?: F<number>;
  readonly conflictProbability?: F<number>;
  readonly survive?: StrList;
}

/** `healthCheck` of a traffic entry: how steering detects a dead backend (the RTO estimate's terms). */
export interface HealthCheck {
  readonly keySpan: Span;
  readonly span: Span;
  readonly intervalSeconds?: F<number>;
  readonly failureThreshold?: F<number>;
  readonly timeoutSeconds?: F<number>;
  readonly propagationSeconds?: F<number>;
  readonly withdrawSeconds?: F<number>;
  /** anycast: the negotiated BGP hold time of the upstream sessions (a lost site's route goes when it runs out) */
  readonly bgpHoldSeconds?: F<number>;
  /** anycast: BFD on the upstream sessions (a lost site's route goes after intervalMs × multiplier) */
  readonly bfd?: Bfd;
}

/** `healthCheck.bfd`: BFD on an anycast site's upstream BGP sessions. */
export interface Bfd {
  readonly keySpan: Span;
  readonly span: Span;
  readonly intervalMs?: F<number>;
  readonly multiplier?: F<number>;
}

export interface MemberEntry {
  /** the site name, spanning the key */
  readonly site: F<string>;
  readonly count?: F<number>;
}

export interface Members {
  readonly keySpan: Span;
  readonly span: Span;
  readonly entries: MemberEntry[];
  /** no count is a number past 2^53 − 1 and neither is their sum (`value/too-large` reports them; quorum rules skip it) */
  readonly exact: boolean;
}

export interface Etcd {
  readonly keySpan: Span;
  readonly span: Span;
  readonly members?: Members;
  readonly heartbeatMs?: F<number>;
  readonly electionTimeoutMs?: F<number>;
  /** present with a value of the wrong type: the schema reports it and rules do not guess */
  readonly invalid: ReadonlySet<string>;
}

export type NetworkField = "pods" | "services" | "nodes";
export interface CidrValue extends F<string> {
  readonly field: NetworkField;
}

export interface IstioBlock {
  readonly keySpan: Span;
  readonly meshId?: F<string>;
  readonly clusterName?: F<string>;
  readonly network?: F<string>;
  readonly role?: F<string>;
  readonly primary?: F<string>;
  readonly rootCa?: F<string>;
  readonly eastWestGateway?: F<boolean>;
}

export interface LinkerdLink {
  readonly span: Span;
  readonly cluster?: F<string>;
  readonly mode: "gateway" | "flat" | "federated";
}

export interface LinkerdBlock {
  readonly keySpan: Span;
  readonly trustAnchor?: F<string>;
  readonly trustDomain?: F<string>;
  readonly clusterDomain?: F<string>;
  readonly gateway?: F<boolean>;
  readonly links: LinkerdLink[];
}

/** One `deployment` entry: a path or glob relative to the topology, and the kind where it is named. */
export interface DeploymentRef {
  readonly span: Span;
  readonly path: F<string>;
  readonly kind?: F<string>;
}

export interface Cluster extends Named {
  readonly site?: F<string>;
  readonly id?: F<number>;
  readonly mesh: "clustermesh" | "submariner" | "none";
  /** where `mesh` is written, when it is */
  readonly meshAt?: F<string>;
  readonly maxConnectedClusters?: F<number>;
  readonly globalnet: boolean;
  /** where `globalnet` is written, when it is */
  readonly globalnetAt?: F<boolean>;
  /** Submariner: this cluster runs the Broker (`broker: true`), where it is written */
  readonly broker?: F<boolean>;
  readonly cidrs: CidrValue[];
  /**
   * `network.routing`: `native` where the network between the sites routes this cluster's pod
   * range (hosts outside the cluster reach pods at their pod addresses), `tunnel` where it does
   * not (an overlay: Cilium's default). Absent: not said, read as `tunnel`.
   */
  readonly routing?: F<"native" | "tunnel">;
  /** Submariner Globalnet: the cluster's global CIDR (what other clusters reach it at) */
  readonly globalCidr?: F<string>;
  /** `deployment`: the files this cluster is deployed from */
  readonly deployment?: { readonly keySpan: Span; readonly items: DeploymentRef[] };
  readonly etcd?: Etcd;
  readonly istio?: IstioBlock;
  readonly linkerd?: LinkerdBlock;
  readonly invalid: ReadonlySet<string>;
}

export type Replication = "consensus" | "galera" | "async" | "crdt";

export interface Store extends Named {
  readonly engine?: F<string>;
  readonly replication?: F<Replication>;
  readonly members?: Members;
  readonly writeLatencyBudgetMs?: F<number>;
  readonly writers?: StrList;
  readonly replicas?: StrList;
  readonly conflictResolution?: F<string>;
  readonly maxLagSeconds?: F<number>;
  readonly writeRatePerSecond?: F<number>;
  readonly writeBytes?: F<number>;
  readonly lagBufferBytes?: F<number>;
  /** where the store's pods run, when it runs in the clusters */
  readonly namespace?: F<string>;
  /** `hostNetwork: true`: its pods run in the nodes' network namespace, at their nodes' addresses (not pod addresses) */
  readonly hostNetwork?: F<boolean>;
  /** who is paged for it */
  readonly owner?: F<string>;
  readonly objectives?: Objectives;
}

export interface Backend {
  readonly span: Span;
  readonly index: number;
  readonly cluster?: F<string>;
  /** absent means 1: equal shares */
  readonly weight?: F<number>;
  readonly capacityRps?: F<number>;
  readonly invalid: ReadonlySet<string>;
}

export interface Traffic extends Named {
  readonly hostname?: F<string>;
  readonly steering?: F<string>;
  readonly ttlSeconds?: F<number>;
  readonly longLivedConnections?: F<boolean>;
  readonly peakRps?: F<number>;
  readonly dependsOn?: StrList;
  readonly backends: Backend[];
  readonly healthCheck?: HealthCheck;
  readonly objectives?: Objectives;
}

export interface Export {
  readonly span: Span;
  readonly index: number;
  readonly service?: F<string>;
  readonly namespace?: F<string>;
  readonly clusters?: StrList;
  /** ClusterMesh: the global Service's `service.cilium.io/affinity` (`local`, `remote`, `none`); absent = `none`, Cilium's default */
  readonly affinity?: F<string>;
}

export interface Subject {
  readonly span: Span;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface ExportPolicy {
  readonly keySpan: Span;
  readonly allowedNamespaces?: StrList;
  readonly exporters?: Subject[];
}

export type DecisionStatus = "proposed" | "accepted" | "superseded" | "deprecated";
export const DECISION_STATUSES: readonly DecisionStatus[] = ["proposed", "accepted", "superseded", "deprecated"];

/** `metadata.decision`: the decision record's lifecycle. */
export interface Decision {
  readonly keySpan: Span;
  /** absent or not one of the statuses: proposed */
  readonly status: DecisionStatus;
  readonly statusAt?: F<string>;
  /** as written (a YAML date reads as a string here) */
  readonly date?: F<string>;
  readonly deciders?: StrList;
  readonly supersedes?: F<string>;
}

export interface Topology {
  readonly span: Span;
  readonly name?: F<string>;
  readonly description?: F<string>;
  readonly decision?: Decision;
  /** top-level keys, for anchors and insertions */
  readonly keys: ReadonlyMap<string, Entry>;
  readonly sites: Site[];
  readonly links: Link[];
  readonly clusters: Cluster[];
  readonly stores: Store[];
  readonly traffic: Traffic[];
  readonly exports: Export[];
  readonly exportPolicy?: ExportPolicy;
  /** first declaration wins; repeats are ref/duplicate-name */
  readonly siteByName: ReadonlyMap<string, Site>;
  readonly clusterByName: ReadonlyMap<string, Cluster>;
  readonly storeByName: ReadonlyMap<string, Store>;
}

function oneOf<T extends string>(f: F<string> | undefined, allowed: readonly T[]): F<T> | undefined {
  return f && (allowed as readonly string[]).includes(f.value) ? (f as F<T>) : undefined;
}

/** The fields the schema declares `integer`: a fraction there is invalid, as a string would be. */
const INTEGER_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "maxConnectedClusters",
  "weight",
  "capacityRps",
  "ttlSeconds",
  "peakRps",
  "failureThreshold",
]);

/** Shared by every item with no invalid field (nearly all of them: a large file holds thousands). */
const NONE_INVALID: ReadonlySet<string> = new Set<string>();

function invalidFields(r: Reader, e: Map<string, Entry>, nums: string[], strs: string[] = [], bools: string[] = []): ReadonlySet<string> {
  const bad: string[] = [];
  for (const k of nums) if (e.has(k) && !(INTEGER_FIELDS.has(k) ? r.int(e.get(k)) : r.num(e.get(k)))) bad.push(k);
  for (const k of strs) if (e.has(k) && !r.str(e.get(k))) bad.push(k);
  for (const k of bools) if (e.has(k) && !r.bool(e.get(k))) bad.push(k);
  return bad.length ? new Set(bad) : NONE_INVALID;
}

function readMembers(r: Reader, e: Entry | undefined): Members | undefined {
  if (!e || !r.isMapNode(e.node)) return undefined;
  const entries: MemberEntry[] = [];
  let exact = true;
  let sum = 0;
  for (const [key, m] of r.entries(e.node)) {
    const count = r.int(m);
    if (!count && typeof r.scalar(m.node) === "number") exact = false;
    sum += count?.value ?? 0;
    entries.push({ site: { value: key, span: m.keySpan, keySpan: m.keySpan }, count });
  }
  return { keySpan: e.keySpan, span: e.span, entries, exact: exact && Number.isSafeInteger(Math.round(sum)) };
}

function readSubject(r: Reader, node: Node, span: Span): Subject {
  const e = r.entries(node);
  return { span, kind: r.str(e.get("kind"))?.value, name: r.str(e.get("name"))?.value, namespace: r.str(e.get("namespace"))?.value };
}

export function readSubjects(r: Reader, e: Entry | undefined): Subject[] {
  return e ? r.items(e.node).map((it) => readSubject(r, it.node, it.span)) : [];
}

function readSite(r: Reader, it: Item, index: number): Site {
  const e = r.entries(it.node);
  const roleField = r.str(e.get("role"));
  const loc = r.entries(e.get("location")?.node ?? null);
  return {
    index,
    span: it.span,
    name: r.str(e.get("name")),
    role: oneOf(roleField, ["primary", "secondary", "witness"] as const)?.value ?? "primary",
    lat: r.num(loc.get("lat")),
    lon: r.num(loc.get("lon")),
    addresses: r.strList(e.get("addresses")),
    availability: r.num(e.get("availability")),
  };
}

function readLink(r: Reader, it: Item, index: number): Link {
  const e = r.entries(it.node);
  return {
    index,
    span: it.span,
    between: r.strList(e.get("between")),
    rttMs: r.num(e.get("rttMs")),
    rttP99Ms: r.num(e.get("rttP99Ms")),
    availability: r.num(e.get("availability")),
  };
}

function readDeployment(r: Reader, entry: Entry | undefined): Cluster["deployment"] {
  if (!entry) return undefined;
  const items: DeploymentRef[] = [];
  for (const it of r.items(entry.node)) {
    const v = r.scalar(it.node);
    if (typeof v === "string") {
      items.push({ span: it.span, path: { value: v, span: it.span, keySpan: it.span } });
      continue;
    }
    const m = r.entries(it.node);
    const p = r.str(m.get("path"));
    if (p) items.push({ span: it.span, path: p, kind: r.str(m.get("kind")) });
  }
  return { keySpan: entry.keySpan, items };
}

function readCluster(r: Reader, it: Item, index: number): Cluster {
  const e = r.entries(it.node);
  const net = e.get("network");
  const cidrs: CidrValue[] = [];
  const netEntries = r.entries(net?.node ?? null);
  for (const field of ["pods", "services", "nodes"] as const) {
    const fe = netEntries.get(field);
    if (!fe) continue;
    const single = r.str(fe);
    if (single) cidrs.push({ ...single, field });
    else for (const item of r.strList(fe)?.items ?? []) cidrs.push({ ...item, keySpan: fe.keySpan, field });
  }
  const etcd = r.block<Etcd>(e.get("etcd"), (ee, entry) => ({
    keySpan: entry.keySpan,
    span: entry.span,
    members: readMembers(r, ee.get("members")),
    heartbeatMs: r.num(ee.get("heartbeatMs")),
    electionTimeoutMs: r.num(ee.get("electionTimeoutMs")),
    invalid: invalidFields(r, ee, ["heartbeatMs", "electionTimeoutMs"]),
  }));
  const istio = r.block<IstioBlock>(e.get("istio"), (ie, entry) => ({
    keySpan: entry.keySpan,
    meshId: r.str(ie.get("meshId")),
    clusterName: r.str(ie.get("clusterName")),
    network: r.str(ie.get("network")),
    role: r.str(ie.get("role")),
    primary: r.str(ie.get("primary")),
    rootCa: r.str(ie.get("rootCa")),
    eastWestGateway: r.bool(ie.get("eastWestGateway")),
  }));
  const linkerd = r.block<LinkerdBlock>(e.get("linkerd"), (le, entry) => {
    const linksEntry = le.get("links");
    return {
      keySpan: entry.keySpan,
      trustAnchor: r.str(le.get("trustAnchor")),
      trustDomain: r.str(le.get("trustDomain")),
      clusterDomain: r.str(le.get("clusterDomain")),
      gateway: r.bool(le.get("gateway")),
      links: r.items(linksEntry?.node ?? null).map((li) => {
        const lk = r.entries(li.node);
        const modeField = r.str(lk.get("mode"));
        return {
          span: li.span,
          cluster: r.str(lk.get("cluster")),
          mode: oneOf(modeField, ["gateway", "flat", "federated"] as const)?.value ?? "gateway",
        };
      }),
    };
  });
  const meshField = r.str(e.get("mesh"));
  return {
    index,
    span: it.span,
    name: r.str(e.get("name")),
    site: r.str(e.get("site")),
    id: r.int(e.get("id")),
    mesh: oneOf(meshField, ["clustermesh", "submariner", "none"] as const)?.value ?? "none",
    meshAt: meshField,
    maxConnectedClusters: r.int(e.get("maxConnectedClusters")),
    globalnet: r.bool(e.get("globalnet"))?.value ?? false,
    globalnetAt: r.bool(e.get("globalnet")),
    broker: r.bool(e.get("broker")),
    cidrs,
    routing: oneOf(r.str(netEntries.get("routing")), ["native", "tunnel"] as const),
    globalCidr: r.str(netEntries.get("globalCidr")),
    deployment: readDeployment(r, e.get("deployment")),
    etcd,
    istio,
    linkerd,
    invalid: invalidFields(r, e, ["id", "maxConnectedClusters"], ["mesh"], ["globalnet", "broker"]),
  };
}

function readStore(r: Reader, it: Item, index: number): Store {
  const e = r.entries(it.node);
  return {
    index,
    span: it.span,
    name: r.str(e.get("name")),
    engine: r.str(e.get("engine")),
    replication: oneOf(r.str(e.get("replication")), ["consensus", "galera", "async", "crdt"] as const),
    members: readMembers(r, e.get("members")),
    writeLatencyBudgetMs: r.num(e.get("writeLatencyBudgetMs")),
    writers: r.strList(e.get("writers")),
    replicas: r.strList(e.get("replicas")),
    conflictResolution: r.str(e.get("conflictResolution")),
    maxLagSeconds: r.num(e.get("maxLagSeconds")),
    writeRatePerSecond: r.num(e.get("writeRatePerSecond")),
    writeBytes: r.num(e.get("writeBytes")),
    lagBufferBytes: r.num(e.get("lagBufferBytes")),
    namespace: r.str(e.get("namespace")),
    hostNetwork: r.bool(e.get("hostNetwork")),
    owner: r.str(e.get("owner")),
    objectives: readObjectives(r, e.get("objectives")),
  };
}

function readObjectives(r: Reader, e: Entry | undefined): Objectives | undefined {
  return r.block<Objectives>(e, (oe, entry) => ({
    keySpan: entry.keySpan,
    span: entry.span,
    availability: r.num(oe.get("availability")),
    rpoSeconds: r.num(oe.get("rpoSeconds")),
    rtoSeconds: r.num(oe.get("rtoSeconds")),
    conflictProbability: r.num(oe.get("conflictProbability")),
    survive: r.strList(oe.get("survive")),
  }));
}

function readTraffic(r: Reader, it: Item, index: number): Traffic {
  const e = r.entries(it.node);
  const be = e.get("backends");
  return {
    index,
    span: it.span,
    name: r.str(e.get("name")),
    hostname: r.str(e.get("hostname")),
    steering: r.str(e.get("steering")),
    ttlSeconds: r.int(e.get("ttlSeconds")),
    longLivedConnections: r.bool(e.get("longLivedConnections")),
    peakRps: r.int(e.get("peakRps")),
    dependsOn: r.strList(e.get("dependsOn")),
    backends: r.items(be?.node ?? null).map((b, bi) => {
      const bm = r.entries(b.node);
      return {
        index: bi,
        span: b.span,
        cluster: r.str(bm.get("cluster")),
        weight: r.int(bm.get("weight")),
        capacityRps: r.int(bm.get("capacityRps")),
        invalid: invalidFields(r, bm, ["weight", "capacityRps"]),
      };
    }),
    healthCheck: r.block<HealthCheck>(e.get("healthCheck"), (he, entry) => ({
      keySpan: entry.keySpan,
      span: entry.span,
      intervalSeconds: r.num(he.get("intervalSeconds")),
      failureThreshold: r.int(he.get("failureThreshold")),
      timeoutSeconds: r.num(he.get("timeoutSeconds")),
      propagationSeconds: r.num(he.get("propagationSeconds")),
      withdrawSeconds: r.num(he.get("withdrawSeconds")),
      bgpHoldSeconds: r.int(he.get("bgpHoldSeconds")),
      bfd: r.block<Bfd>(he.get("bfd"), (be, bentry) => ({
        keySpan: bentry.keySpan,
        span: bentry.span,
        intervalMs: r.num(be.get("intervalMs")),
        multiplier: r.int(be.get("multiplier")),
      })),
    })),
    objectives: readObjectives(r, e.get("objectives")),
  };
}

function readExport(r: Reader, it: Item, index: number): Export {
  const e = r.entries(it.node);
  return {
    index,
    span: it.span,
    service: r.str(e.get("service")),
    namespace: r.str(e.get("namespace")),
    clusters: r.strList(e.get("clusters")),
    affinity: r.str(e.get("affinity")),
  };
}

type Item = { node: Node; span: Span };

/** How each top-level list's items are read; incremental re-analysis re-reads one item. */
const ITEM_READERS = {
  sites: readSite,
  links: readLink,
  clusters: readCluster,
  stores: readStore,
  traffic: readTraffic,
  exports: readExport,
} as const;
export type ListKey = keyof typeof ITEM_READERS;
export const LIST_KEYS = Object.keys(ITEM_READERS) as ListKey[];

interface Lists {
  sites: Site[];
  links: Link[];
  clusters: Cluster[];
  stores: Store[];
  traffic: Traffic[];
  exports: Export[];
}

function assemble(r: Reader, span: Span, top: Map<string, Entry>, lists: Lists): Topology {
  const exportPolicy = r.block<ExportPolicy>(top.get("exportPolicy"), (pe, entry) => ({
    keySpan: entry.keySpan,
    allowedNamespaces: r.strList(pe.get("allowedNamespaces")),
    exporters: pe.has("exporters") ? readSubjects(r, pe.get("exporters")) : undefined,
  }));
  const meta = r.entries(top.get("metadata")?.node ?? null);
  const decision = r.block<Decision>(meta.get("decision"), (de, entry) => {
    const statusAt = r.str(de.get("status"));
    const date = de.get("date");
    const dateScalar = date ? r.scalar(date.node) : undefined;
    return {
      keySpan: entry.keySpan,
      status: oneOf(statusAt, DECISION_STATUSES)?.value ?? "proposed",
      statusAt,
      // YAML 1.2 reads 2026-11-30 as a string; a number or a Date from a custom tag is shown as written
      date:
        r.str(date) ??
        (date && dateScalar !== undefined && dateScalar !== null
          ? { value: String(dateScalar), span: date.span, keySpan: date.keySpan }
          : undefined),
      deciders: r.strList(de.get("deciders")),
      supersedes: r.str(de.get("supersedes")),
    };
  });
  return shaped({
    span,
    name: r.str(meta.get("name")),
    description: r.str(meta.get("description")),
    decision,
    keys: top,
    ...lists,
    exportPolicy,
    siteByName: firstByName(lists.sites),
    clusterByName: firstByName(lists.clusters),
    storeByName: firstByName(lists.stores),
  });
}

/**
 * A topology built by the one object literal every topology comes from: a parse's and an edit's
 * (withItem) share their hidden class, so the rules' code V8 optimised on the file as opened is
 * not thrown away ("wrong map") at the first keystroke, and every other kind of keystroke after.
 * Lists every field of Topology: one added there is added here.
 */
const shaped = (t: Topology): Topology => {
  const all: { [K in keyof Required<Topology>]: Topology[K] } = {
    span: t.span,
    name: t.name,
    description: t.description,
    decision: t.decision,
    keys: t.keys,
    sites: t.sites,
    links: t.links,
    clusters: t.clusters,
    stores: t.stores,
    traffic: t.traffic,
    exports: t.exports,
    exportPolicy: t.exportPolicy,
    siteByName: t.siteByName,
    clusterByName: t.clusterByName,
    storeByName: t.storeByName,
  };
  return all;
};

export function readTopology(doc: Document, span: Span): Topology {
  const r = new Reader(doc);
  const top = r.entries(doc.contents);
  const read = <K extends ListKey>(key: K) => r.items(top.get(key)?.node ?? null).map((it, i) => ITEM_READERS[key](r, it, i)) as Lists[K];
  return assemble(r, span, top, {
    sites: read("sites"),
    links: read("links"),
    clusters: read("clusters"),
    stores: read("stores"),
    traffic: read("traffic"),
    exports: read("exports"),
  });
}

/**
 * The topology with item `index` of list `key` read again from `node` (already spliced into
 * the document). Every other entity is reused as is: its spans are live views of node ranges.
 */
export function withItem(
  t: Topology,
  doc: Document,
  key: ListKey,
  index: number,
  node: Node,
  wrap: (item: object) => object = (x) => x,
): Topology {
  const list = [...t[key]] as unknown[];
  // (`wrap`: the item as every list and index holds it, reuse.ts's tracked one)
  list[index] = wrap(ITEM_READERS[key](new Reader(doc), { node, span: itemSpanOf(node) }, index));
  // everything outside this list (top-level keys, metadata, export policy, other lists and
  // their name indexes) is reused; only this list's own index is rebuilt
  const next = { ...t, [key]: list } as Topology;
  if (key === "sites") return shaped({ ...next, siteByName: firstByName(next.sites) });
  if (key === "clusters") return shaped({ ...next, clusterByName: firstByName(next.clusters) });
  if (key === "stores") return shaped({ ...next, storeByName: firstByName(next.stores) });
  return shaped(next);
}

/**
 * The topology with every item of every list as `wrap` returns it, and the name indexes rebuilt
 * over those (reuse.ts: a throwaway model whose reads of any item are recorded, list by list).
 */
export function withEveryItem(t: Topology, wrap: (key: ListKey, item: object) => object): Topology {
  const each = <K extends ListKey>(key: K) => t[key].map((x) => wrap(key, x)) as Lists[K];
  const lists: Lists = {
    sites: each("sites"),
    links: each("links"),
    clusters: each("clusters"),
    stores: each("stores"),
    traffic: each("traffic"),
    exports: each("exports"),
  };
  return shaped({
    ...t,
    ...lists,
    siteByName: firstByName(lists.sites),
    clusterByName: firstByName(lists.clusters),
    storeByName: firstByName(lists.stores),
  });
}

function firstByName<T extends Named>(list: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const x of list) if (x.name && !m.has(x.name.value)) m.set(x.name.value, x);
  return m;
}

/** Member counts per site, keeping only positive counts of declared sites. */
export function memberCounts(t: Topology, members: Members | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of members?.entries ?? []) {
    const c = e.count?.value;
    if (c === undefined || !Number.isInteger(c) || c <= 0) continue;
    if (!t.siteByName.has(e.site.value)) continue;
    m.set(e.site.value, (m.get(e.site.value) ?? 0) + c);
  }
  return m;
}
