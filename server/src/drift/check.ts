// One field to compare: what a deployment file kind's reader (kinds/) gives the comparer
// (comparer.ts), and the helpers every kind's reader shares.
import { DEFAULT_ELECTION_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, etcdTimers } from "../derive/timers";
import type { Span } from "../model/text";
import type { RuleCode } from "../rules/catalog";
import type { Cluster } from "../model/topology";
import type { DocReader, Deployed } from "./deployed";

export interface Check {
  readonly cluster: Cluster;
  readonly code: RuleCode;
  readonly field: string;
  readonly dep: Deployed;
  /** the design's value; undefined = not compared */
  readonly design: unknown;
  /** where the design writes the value (undefined when it leaves a default); keySpan finds its node for "Adopt" */
  readonly designAt?: { span: Span; keySpan?: Span };
  readonly kind: "scalar" | "number" | "bool" | "cidrs" | "names";
  /** the deployed default when the key is absent */
  readonly deployedDefault?: unknown;
  /** whose default it is, where it is not the design's ("k3s default", "Istio's default"): "absent (k3s default 5000)" */
  readonly deployedDefaultBy?: string;
  /** what the default means, after it: "absent (Cilium's default 10.0.0.0/8, a /24 of it to each node)" */
  readonly deployedDefaultNote?: string;
  /** a deployed value that overrides `dep.value` (normalised already, e.g. a CIDR union) */
  readonly deployedValue?: unknown;
  readonly fixable?: boolean;
  /** false: "Adopt in the design" is not offered (renaming a cluster would break every reference to it) */
  readonly adopt?: false;
}

/** What one kind's reader compares in one document for cluster `c` (`all`: every cluster of the design). */
export type KindChecks = (d: DocReader, c: Cluster, all: readonly Cluster[]) => Check[];

export type Push = (x: Omit<Check, "cluster">) => void;

/** The checks of one cluster being built: `push` adds one, `range` a pod or service range. */
export function checksFor(c: Cluster) {
  const pods = c.cidrs.filter((x) => x.field === "pods");
  const services = c.cidrs.filter((x) => x.field === "services");
  // the design value node of a CIDR field: a single string, or the list holding the items
  const cidrAt = (xs: typeof pods) =>
    xs.length ? { span: { start: xs[0].span.start, end: xs[xs.length - 1].span.end }, keySpan: xs[0].keySpan } : undefined;
  const podsDesign = pods.length ? pods.map((x) => x.value) : undefined;
  const servicesDesign = services.length ? services.map((x) => x.value) : undefined;
  const out: Check[] = [];
  const push: Push = (x) => out.push({ cluster: c, ...x });
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
  return { out, push, range, pods, cidrAt, podsDesign };
}

/** What the deployed etcd runs when no flag sets a timer: etcd's own defaults, or a distribution's. */
export interface TimerDefaults {
  readonly heartbeat: number;
  readonly election: number;
  /** whose defaults they are, when not etcd's ("k3s default") */
  readonly by?: string;
}

/** etcd's own defaults (kubeadm runs etcd with them unless extraArgs set a timer). */
export const ETCD_TIMER_DEFAULTS: TimerDefaults = { heartbeat: DEFAULT_HEARTBEAT_MS, election: DEFAULT_ELECTION_TIMEOUT_MS };

/** The etcd heartbeat and election timeout, as flags of the deployed etcd. */
export function etcdTimerChecks(push: Push, c: Cluster, flag: (name: string) => Deployed, defaults = ETCD_TIMER_DEFAULTS): void {
  const e = c.etcd;
  const design = etcdTimers(c);
  push({
    code: "drift/etcd-timers",
    field: "etcd.heartbeatMs",
    dep: flag("heartbeat-interval"),
    design: design.heartbeat,
    designAt: e?.heartbeatMs,
    kind: "number",
    deployedDefault: defaults.heartbeat,
    ...(defaults.by ? { deployedDefaultBy: defaults.by } : {}),
  });
  push({
    code: "drift/etcd-timers",
    field: "etcd.electionTimeoutMs",
    dep: flag("election-timeout"),
    design: design.election,
    designAt: e?.electionTimeoutMs,
    kind: "number",
    deployedDefault: defaults.election,
    ...(defaults.by ? { deployedDefaultBy: defaults.by } : {}),
  });
}
