/**
 * Game days: the chaos experiments that enact a what-if scenario from inside the clusters, and
 * the runbook that says what the engine predicts, as checks to observe. A site loss is the
 * partition of that site from all the others. Pure: returns file contents; the CLI and the
 * editor write them. Deterministic (stable order, no timestamps) so the output can be reviewed.
 */
import { stringify } from "yaml";
import { canonical, overlaps, parseCidr } from "../math/cidr";
import type { Cluster } from "../model/topology";
import type { TopologyContext } from "../derive/context";
import { cell, codeSpan, count, table } from "../util/format";
import { fileSegment, shortHash } from "../util/paths";
import { shellLine, shellWord } from "../util/shell";
import { rtoEstimate } from "../availability/figures";
import { portMatrix, portText } from "../ports/ports";
import { displayPath } from "./record";
import { PROBE_POD, type ProbePlan, probePlan, probePod, probeScript } from "./probe";
import { ALL_UP, type Result, run, runIsolate, type Scenario, scenarioName } from "./engine";
import { finish, type Steps } from "../util/steps";

export type ChaosTool = "chaos-mesh" | "litmus";
export const CHAOS_TOOLS: readonly ChaosTool[] = ["chaos-mesh", "litmus"];

export interface GameDayOptions {
  readonly tool: ChaosTool;
  /** a Go duration as Chaos Mesh takes it: 10m, 90s, 1h30m */
  readonly duration: string;
  /** the workload namespaces to partition; default: the exported Services' namespaces */
  readonly namespaces?: readonly string[];
  /** how the runbook cites the topology file */
  readonly source: string;
  /** the operator's management ranges: never dropped by the host rules */
  readonly managementRanges?: readonly string[];
}

export interface GameDayFile {
  /** relative to the output folder, `/`-separated */
  readonly path: string;
  readonly content: string;
}

/** What one cluster's manifests do: which namespaces, which ranges they cut. */
export interface ClusterPlan {
  readonly cluster: string;
  readonly site: string;
  readonly namespaces: string[];
  /** every pod, service and node range (or Globalnet global range) of every cluster on the other side */
  readonly targets: string[];
  readonly file: string;
}

export interface GameDay {
  readonly scenario: Scenario;
  /** the folder the files go in: gameday-partition-fra-vs-lon-ams */
  readonly folder: string;
  readonly name: string;
  /** the sides of the cut: each side's sites */
  readonly sides: string[][];
  readonly plans: ClusterPlan[];
  /** what cannot be enacted from inside the clusters, said plainly */
  readonly notes: string[];
  readonly prediction: Result;
  /** the host-level steps (nftables), applied last and rolled back first */
  readonly hostPlans: HostPlan[];
  readonly files: GameDayFile[];
  readonly runbook: string;
}

export class GameDayError extends Error {}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** A Go duration in whole seconds (Litmus takes seconds), rounded up. */
export function durationSeconds(d: string): number {
  if (!GO_DURATION.test(d)) throw new GameDayError(`--duration takes a duration such as 10m, 90s or 1h30m, not '${d}'`);
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  const s = Math.ceil(total - 1e-9);
  if (s < 1) throw new GameDayError(`--duration '${d}' is shorter than a second`);
  return s;
}

/** A DNS-1123 name of at most 63 characters; a long one keeps its start and a short hash of the whole. */
export function resourceName(parts: readonly string[]): string {
  const raw = ["quorate", ...parts]
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (raw.length <= 63) return raw;
  return `${raw.slice(0, 54).replace(/-$/, "")}-${shortHash(raw)}`;
}

/** "lose-fra-ams", "partition-fra-vs-lon-ams": the scenario in resource and folder names. */
export function scenarioSlug(s: { lose: readonly string[]; partition: readonly (readonly string[])[] }): string[] {
  return s.lose.length ? ["lose", ...s.lose] : ["partition", s.partition.map((g) => g.join("-")).join("-vs-")];
}

/** The ranges other clusters reach `c` at: pods, services and nodes; for a Globalnet cluster its global range and nodes. */
function reachableRanges(c: Cluster, notes: string[]): string[] {
  const canon = (text: string) => {
    const p = parseCidr(text);
    return p ? canonical(p) : undefined;
  };
  if (c.globalnet) {
    const out = c.cidrs.filter((v) => v.field === "nodes").map((v) => canon(v.value));
    const g = c.globalCidr ? canon(c.globalCidr.value) : undefined;
    if (g) out.push(g);
    else
      notes.push(
        `Cluster ${c.name?.value} uses Submariner Globalnet and the design gives no network.globalCidr: other clusters reach its exported Services at global addresses this game day does not cut. Add its global CIDR (subctl join --globalnet-cidr) to the topology.`,
      );
    return out.filter((x): x is string => x !== undefined);
  }
  return c.cidrs.map((v) => canon(v.value)).filter((x): x is string => x !== undefined);
}

/** IPv4 before IPv6, then by address: a stable, reviewable order. */
function sortRanges(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort((a, b) => {
    const pa = parseCidr(a)!;
    const pb = parseCidr(b)!;
    return pa.family - pb.family || (pa.first < pb.first ? -1 : pa.first > pb.first ? 1 : pa.prefix - pb.prefix);
  });
}

/** Namespaces a chaos tool must never select: the control plane, the meshes, the chaos tools themselves. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "istio-system",
  "linkerd",
  "linkerd-multicluster",
  "submariner-operator",
  "cilium",
  "chaos-mesh",
  "litmus",
];

/** The game day refuses to run (exit 1, nothing written): the cut would turn against the cluster it runs in. */
export class GameDayRefusal extends GameDayError {}

/** The nftables table every host rule file creates; deleting it is the roll-back. */
export const NFT_TABLE = "quorate_gameday";

/** The iptables chain the iptables files create and jump to first from INPUT, OUTPUT and FORWARD. */
export const IPTABLES_CHAIN = "QUORATE-GAMEDAY";

/** The roll-back of the iptables files, for IPv4 and IPv6 (every step tolerates what is already gone). */
export const IPTABLES_ROLLBACK = `for t in iptables ip6tables; do for c in INPUT OUTPUT FORWARD; do $t -D $c -j ${IPTABLES_CHAIN}; done; $t -F ${IPTABLES_CHAIN}; $t -X ${IPTABLES_CHAIN}; done 2>/dev/null; true`;

/** One set of hosts cut at the host: a cluster's nodes (host-network members: etcd, agents, gateways) or a site's declared addresses. */
export interface HostPlan {
  readonly site: string;
  /** "nodes of fra-prod", "hosts at ams (sites[].addresses)" */
  readonly what: string;
  /** the hosts to apply the rules on */
  readonly hosts: string[];
  /** the other side's declared ranges, dropped both ways */
  readonly targets: string[];
  /** the nftables file */
  readonly file: string;
  /** the same rules for hosts without nft, in iptables-restore format: IPv4 and IPv6 (absent when that family has no target) */
  readonly iptables?: string;
  readonly ip6tables?: string;
}

export function gameDay(ctx: TopologyContext, scenario: { lose?: string[]; partition?: string[][] }, o: GameDayOptions): GameDay {
  return finish(gameDaySteps(ctx, scenario, o));
}

/**
 * The game day in steps (util/steps.ts): after the engine's prediction, after each cluster's
 * manifests and before the runbook, so the editor's request yields to other work and stops when
 * cancelled.
 */
export function* gameDaySteps(
  ctx: TopologyContext,
  scenario: { lose?: string[]; partition?: string[][] },
  o: GameDayOptions,
): Steps<GameDay> {
  const t = ctx.topology;
  const lose = scenario.lose ?? [];
  const partition = scenario.partition ?? [];
  if (lose.length && partition.length) throw new GameDayError("a game day enacts one scenario: --lose or --partition, not both");
  if (!lose.length && !partition.length) throw new GameDayError("a game day needs a scenario: --lose SITE[,SITE] or --partition A/B[,C]");
  const seconds = durationSeconds(o.duration);
  const sites = [...t.siteByName.keys()];
  const s: Scenario = { ...ALL_UP, lose, partition };
  // a site loss is enacted as isolation: the site cut off from every other (its nodes keep
  // running), then withdrawn from steering — predicted as the engine's partition (the window
  // before the withdrawal) and its traffic after the withdrawal (the site's load moved by weight)
  const named = lose.length ? [lose] : partition;
  const rest = sites.filter((x) => !named.flat().includes(x));
  const sides = [...named.map((g) => [...g]), ...(rest.length ? [rest] : [])].filter((g) => g.length);
  if (sides.length < 2) throw new GameDayError("the scenario leaves every site on one side: nothing to cut");
  // an isolation is the engine's own (runIsolate: the window, then the sites withdrawn from
  // steering), the lost sites cut off together as one group: one derivation for simulate and here
  const isolation = lose.length ? runIsolate(ctx, lose) : undefined;
  const prediction = isolation ? isolation.window : run(ctx, { ...ALL_UP, partition: sides });
  const after = isolation?.after;
  yield;
  const sideOf = (site: string | undefined) => sides.findIndex((g) => site !== undefined && g.includes(site));

  const notes: string[] = [];
  const notEnacted: string[] = [];
  const clusters = t.clusters.filter((c) => c.name && sideOf(ctx.siteOfCluster(c.name.value)) >= 0);
  const rangesOf = new Map(clusters.map((c) => [c, reachableRanges(c, notes)]));
  const addressesOf = (site: string) =>
    sortRanges(
      (t.siteByName.get(site)?.addresses?.items ?? [])
        .map((x) => parseCidr(x.value))
        .filter((x) => x !== undefined)
        .map(canonical),
    );
  /** every declared range on the other sides of `side`: their clusters' ranges and their sites' addresses */
  const otherSide = (side: number) =>
    sortRanges([
      ...clusters.filter((x) => sideOf(ctx.siteOfCluster(x.name!.value)) !== side).flatMap((x) => rangesOf.get(x)!),
      ...sides.flatMap((g, i) => (i === side ? [] : g.flatMap(addressesOf))),
    ]);

  // never against itself: a target range that overlaps a range of the cluster it is applied in
  for (const c of clusters) {
    const mine = sideOf(ctx.siteOfCluster(c.name!.value));
    const own = c.cidrs.map((v) => ({ v, cidr: parseCidr(v.value) })).filter((x) => x.cidr);
    for (const target of otherSide(mine)) {
      const tc = parseCidr(target)!;
      const hit = own.find((x) => overlaps(x.cidr!, tc));
      if (hit)
        throw new GameDayRefusal(
          `refused: cluster ${c.name!.value}'s ${hit.v.field} range ${canonical(hit.cidr!)} overlaps ${target}, a range on the other side of the cut (an open cidr/overlap): the experiment would cut ${c.name!.value} off from itself. Fix the overlap first (quorate check names it).`,
        );
    }
  }

  const exported = (name: string) =>
    [...new Set(t.exports.filter((e) => e.clusters?.items.some((c) => c.value === name)).map((e) => e.namespace?.value))].filter(
      (x): x is string => !!x,
    );
  const dependsOnSite = (name: string) =>
    t.traffic.some((tr) => tr.backends.some((b) => b.cluster?.value === name) && tr.dependsOn?.items.length);
  /** the store namespaces whose pods run at `site` (members, writers or replicas there) */
  const storeNamespaces = (site: string) =>
    t.stores
      .filter(
        (st) =>
          st.namespace &&
          (st.members?.entries.some((e) => e.site.value === site && (e.count?.value ?? 0) > 0) ||
            st.writers?.items.some((w) => w.value === site) ||
            st.replicas?.items.some((w) => w.value === site)),
      )
      .map((st) => st.namespace!.value);

  const plans: ClusterPlan[] = [];
  const files: GameDayFile[] = [];
  const slug = scenarioSlug(s);
  const kindFile = o.tool === "chaos-mesh" ? "networkchaos.yaml" : "chaosengine.yaml";
  const skippedSystem = new Set<string>();
  for (const c of clusters) {
    const name = c.name!.value;
    const site = ctx.siteOfCluster(name)!;
    const mine = sideOf(site);
    const targets = otherSide(mine);
    if (!targets.length) continue;
    const wanted = o.namespaces?.length
      ? [...o.namespaces]
      : [...new Set([...exported(name), ...(dependsOnSite(name) ? exported(name) : []), ...storeNamespaces(site)])];
    const namespaces = wanted.filter((ns) => {
      if (!SYSTEM_NAMESPACES.includes(ns)) return true;
      skippedSystem.add(ns);
      return false;
    });
    if (!namespaces.length) {
      notes.push(
        `${name}: no exported Service, entry point or store namespace is declared in it, so nothing there is cut through the chaos tool (pass --namespace to choose); its host network is cut by the host rules where its nodes are declared.`,
      );
      continue;
    }
    // the cluster's name as one safe folder name: `../x` or `/etc` never leaves the output folder
    const file = `${fileSegment(name)}/${kindFile}`;
    const header = [
      `# quorate gameday: ${scenarioName(s)} — cluster ${name} (site ${site}) cut off from ${sides
        .filter((_, i) => i !== mine)
        .map((g) => g.join(", "))
        .join(" and ")}`,
      `# from ${o.source}; apply: ${kubectl(name, "apply", file)}; roll back: ${kubectl(name, "delete", file)}`,
    ]
      .map((l) => l.replace(/[\r\n\u2028\u2029]/g, " "))
      .join("\n");
    const docs = namespaces.map((ns) =>
      o.tool === "chaos-mesh" ? networkChaos(ns, slug, targets, o.duration) : chaosEngine(ns, slug, targets, seconds),
    );
    files.push({ path: file, content: `${header}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")}` });
    plans.push({ cluster: name, site, namespaces, targets, file });
    yield;
  }
  if (skippedSystem.size)
    notes.push(
      `Never selected: ${[...skippedSystem].sort().join(", ")} — system namespaces (Chaos Mesh refuses them, and a fault there takes down the control plane or the mesh itself). What runs there on the host network is cut by the host rules below.`,
    );

  // host-level steps: what chaos tools cannot touch (host-network pods — etcd static pods, Cilium
  // agents, clustermesh-apiserver, Submariner and mesh gateways — and hosts outside clusters).
  // On both sides: one side's drop alone cuts the traffic between two declared hosts, but where a
  // host's netfilter is bypassed (Cilium's eBPF host routing) or its rules did not load, the other
  // side's rules still hold the cut.
  const hostPlans: HostPlan[] = [];
  for (const [side, group] of sides.entries()) {
    const targets = otherSide(side);
    if (!targets.length) continue;
    for (const site of group) {
      for (const c of clusters.filter((x) => ctx.siteOfCluster(x.name!.value) === site)) {
        const nodes = sortRanges(
          c.cidrs
            .filter((v) => v.field === "nodes")
            .map((v) => parseCidr(v.value))
            .filter((x) => x !== undefined)
            .map(canonical),
        );
        if (!nodes.length) {
          notEnacted.push(
            `the host network of ${c.name!.value} (etcd, Cilium agents, gateways on its nodes): the design declares no network.nodes, so no host rule can be written for it`,
          );
          continue;
        }
        hostPlans.push(hostPlan(site, `nodes of ${c.name!.value}`, nodes, targets, `hosts/${fileSegment(c.name!.value)}`));
      }
      const addrs = addressesOf(site);
      if (addrs.length)
        hostPlans.push(hostPlan(site, `hosts at ${site} (sites[].addresses)`, addrs, targets, `hosts/${fileSegment(site)}-addresses`));
    }
  }
  for (const hp of hostPlans) {
    files.push({ path: hp.file, content: nftRules(hp, s, o, seconds) });
    if (hp.iptables) files.push({ path: hp.iptables, content: iptablesRules(hp, s, o, 4) });
    if (hp.ip6tables) files.push({ path: hp.ip6tables, content: iptablesRules(hp, s, o, 6) });
  }

  // a quorum's cut is enacted only when the members on both ends of every cut link run on declared
  // hosts: rules can only drop declared ranges, so a member at undeclared hosts keeps talking to
  // the other side and the prediction would be tested against a cut that never happened
  const enactedQuorums = new Set<string>();
  for (const q of ctx.quorums.filter((x) => x.resolved && x.counts.size > 1)) {
    const memberSides = new Set([...q.counts.keys()].map(sideOf).filter((i) => i >= 0));
    if (memberSides.size < 2) {
      enactedQuorums.add(q.label);
      continue;
    }
    const ns = q.kind !== "etcd" ? (q.owner as { namespace?: { value: string } }).namespace?.value : undefined;
    const owner = q.kind === "etcd" ? (q.owner as Cluster).name?.value : undefined;
    const missing = [...q.counts.keys()].filter((site) => {
      if (sideOf(site) < 0 || (q.counts.get(site) ?? 0) === 0) return false;
      const onNodes =
        owner !== undefined &&
        ctx.siteOfCluster(owner) === site &&
        clusters.some((c) => c.name?.value === owner && c.cidrs.some((v) => v.field === "nodes"));
      const inPods = ns !== undefined && plans.some((p) => p.site === site && p.namespaces.includes(ns));
      return !onNodes && !inPods && !addressesOf(site).length;
    });
    if (missing.length)
      notEnacted.push(
        `${q.label}: its members at ${missing.join(", ")} run on hosts the design does not declare (no sites[].addresses${q.kind !== "etcd" ? ", no stores[].namespace in a cluster there" : ""}): no rule can drop their traffic, so they keep reaching the other side — the cut is not enacted for it and no check below relies on it`,
      );
    else enactedQuorums.add(q.label);
  }
  for (const [i, side] of sides.entries())
    if (!clusters.some((c) => sideOf(ctx.siteOfCluster(c.name!.value)) === i) && !side.some((x) => addressesOf(x).length))
      notEnacted.push(
        `${side.join(", ")}: no cluster and no sites[].addresses — nothing there can be cut; isolate it at the firewall by hand for the same ${o.duration}`,
      );

  // the proof that the cut took effect: a probe pod in each cluster's first cut namespace (created
  // before the chaos, so the chaos selects it) and probe.sh, both generated from the design
  const probe = probePlan(
    ctx,
    plans.map((p) => ({ cluster: p.cluster, site: p.site, namespace: p.namespaces[0] })),
    sideOf,
    (name) => clusters.some((c) => c.name?.value === name && c.cidrs.some((v) => v.field === "nodes")),
  );
  for (const p of plans.filter((y) => probe.probes.some((q) => q.from.cluster === y.cluster)))
    files.push({
      path: probeFile(p.cluster),
      content: `${`# quorate gameday: the probe pod of ${p.cluster} in ${p.namespaces[0]} — apply it before the chaos manifests, so they select it`.replace(/[\r\n\u2028\u2029]/g, " ")}\n${stringify(probePod(p.namespaces[0], seconds + 3600, LABELS), { lineWidth: 0 })}`,
    });
  if (probe.probes.length) files.push({ path: "probe.sh", content: probeScript(probe, `${scenarioName(s)} — from ${o.source}`) });

  if (!plans.length && !hostPlans.length && !notes.length && !notEnacted.length)
    notes.push("The design declares no pod, service or node range and no host addresses: there is nothing to cut.");
  const folder = resourceName(["gameday", ...slug]).replace(/^quorate-/, "");
  const gd = {
    scenario: s,
    folder,
    name: scenarioName(s),
    sides,
    plans,
    notes: [...notes, ...notEnacted.map((n) => `Not enacted: ${n}`)],
    prediction,
    files,
  };
  yield;
  const runbook = runbookOf(gd, o, { after, windowSeconds: isolation?.windowSeconds, hostPlans, notEnacted, enactedQuorums, ctx, probe });
  files.push({ path: "RUNBOOK.md", content: runbook });
  return { ...gd, hostPlans, runbook, files };
}

/**
 * An nftables table of its own, dropping both directions between these hosts and the other
 * side's declared ranges only. Deleting the table is the roll-back; the runbook arms a
 * dead-man timer that deletes it before the rules go in.
 */
function nftRules(hp: HostPlan, s: Scenario, o: GameDayOptions, seconds: number): string {
  const v4 = hp.targets.filter((x) => !x.includes(":"));
  const v6 = hp.targets.filter((x) => x.includes(":"));
  const m4 = (o.managementRanges ?? []).filter((x) => !x.includes(":"));
  const m6 = (o.managementRanges ?? []).filter((x) => x.includes(":"));
  const set = (name: string, type: string, xs: string[]) =>
    xs.length ? [`  set ${name} {`, `    type ${type}`, "    flags interval", `    elements = { ${xs.join(", ")} }`, "  }"] : [];
  const rules = (dir: "saddr" | "daddr") => [
    ...(m4.length ? [`    ip ${dir} @mgmt4 accept`] : []),
    ...(m6.length ? [`    ip6 ${dir} @mgmt6 accept`] : []),
    ...(v4.length ? [`    ip ${dir} @cut4 counter drop`] : []),
    ...(v6.length ? [`    ip6 ${dir} @cut6 counter drop`] : []),
  ];
  const chain = (name: string, hook: string, dirs: ("saddr" | "daddr")[]) => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority -200; policy accept;`,
    ...dirs.flatMap(rules),
    "  }",
  ];
  return [
    "#!/usr/sbin/nft -f",
    `# quorate gameday: ${scenarioName(s)} — ${hp.what} (site ${hp.site}) cut off from the other side's declared ranges`.replace(
      /[\r\n\u2028\u2029]/g,
      " ",
    ),
    `# apply on every host in ${hp.hosts.join(", ")}, LAST (after the chaos manifests); roll back FIRST: nft delete table inet ${NFT_TABLE}`,
    `# a dead-man timer deletes the table after ${seconds + 300} s even if this host becomes unreachable (see RUNBOOK.md)`,
    `table inet ${NFT_TABLE} {`,
    ...set("cut4", "ipv4_addr", v4),
    ...set("cut6", "ipv6_addr", v6),
    ...set("mgmt4", "ipv4_addr", m4),
    ...set("mgmt6", "ipv6_addr", m6),
    ...chain("input", "input", ["saddr"]),
    ...chain("output", "output", ["daddr"]),
    ...chain("forward", "forward", ["saddr", "daddr"]),
    "}",
    "",
  ].join("\n");
}

function hostPlan(site: string, what: string, hosts: string[], targets: string[], base: string): HostPlan {
  const has = (v6: boolean) => targets.some((x) => x.includes(":") === v6);
  return {
    site,
    what,
    hosts,
    targets,
    file: `${base}.nft`,
    ...(has(false) ? { iptables: `${base}.iptables` } : {}),
    ...(has(true) ? { ip6tables: `${base}.ip6tables` } : {}),
  };
}

/**
 * The nftables rules for hosts that have only iptables, in iptables-restore format (load with
 * `iptables-restore --noflush`): a chain of its own, jumped to first from INPUT, OUTPUT and
 * FORWARD; management ranges return before the drops. The roll-back deletes the jumps and the chain.
 */
function iptablesRules(hp: HostPlan, s: Scenario, o: GameDayOptions, family: 4 | 6): string {
  const v6 = family === 6;
  const cut = hp.targets.filter((x) => x.includes(":") === v6);
  const mgmt = (o.managementRanges ?? []).filter((x) => x.includes(":") === v6);
  const tool = v6 ? "ip6tables" : "iptables";
  return [
    `# quorate gameday: ${scenarioName(s)} — ${hp.what} (site ${hp.site}) cut off from the other side's declared ranges (IPv${family})`.replace(
      /[\r\n\u2028\u2029]/g,
      " ",
    ),
    `# for hosts without nft: ${tool}-restore --noflush < ${v6 ? hp.ip6tables : hp.iptables}  (once: a second load adds a second jump)`,
    `# roll back FIRST: ${IPTABLES_ROLLBACK}`,
    "*filter",
    `:${IPTABLES_CHAIN} - [0:0]`,
    ...mgmt.flatMap((m) => [`-A ${IPTABLES_CHAIN} -s ${m} -j RETURN`, `-A ${IPTABLES_CHAIN} -d ${m} -j RETURN`]),
    ...cut.flatMap((c) => [`-A ${IPTABLES_CHAIN} -s ${c} -j DROP`, `-A ${IPTABLES_CHAIN} -d ${c} -j DROP`]),
    ...["INPUT", "OUTPUT", "FORWARD"].map((c) => `-I ${c} 1 -j ${IPTABLES_CHAIN}`),
    "COMMIT",
    "",
  ].join("\n");
}

const LABELS = { "app.kubernetes.io/managed-by": "quorate", "app.kubernetes.io/part-of": "quorate-gameday" };

function networkChaos(ns: string, slug: string[], targets: string[], duration: string) {
  return {
    apiVersion: "chaos-mesh.org/v1alpha1",
    kind: "NetworkChaos",
    metadata: { name: resourceName(slug), namespace: ns, labels: LABELS },
    spec: {
      action: "partition",
      mode: "all",
      selector: { namespaces: [ns] },
      // egress from every selected pod to the other side: each side applies its own, so both directions are cut
      direction: "to",
      externalTargets: targets,
      duration,
    },
  };
}

function chaosEngine(ns: string, slug: string[], targets: string[], seconds: number) {
  return {
    apiVersion: "litmuschaos.io/v1alpha1",
    kind: "ChaosEngine",
    metadata: { name: resourceName(slug), namespace: ns, labels: LABELS },
    spec: {
      engineState: "active",
      appinfo: { appns: ns },
      chaosServiceAccount: "pod-network-partition-sa",
      experiments: [
        {
          name: "pod-network-partition",
          spec: {
            components: {
              env: [
                { name: "TOTAL_CHAOS_DURATION", value: String(seconds) },
                { name: "DESTINATION_IPS", value: targets.join(",") },
                { name: "POLICY_TYPES", value: "all" },
                { name: "PODS_AFFECTED_PERC", value: "100" },
              ],
            },
          },
        },
      ],
    },
  };
}

const code = codeSpan;

/** Every host rule file of a plan: nftables, then the iptables alternatives. */
const hostFiles = (h: HostPlan) => [h.file, ...(h.iptables ? [h.iptables] : []), ...(h.ip6tables ? [h.ip6tables] : [])];

/** A kubectl command line against one context. */
const kubectlLine = (context: string, args: readonly string[]) => shellLine(["kubectl", "--context", context, ...args]);

/** Where a cluster's probe pod manifest goes. */
const probeFile = (cluster: string) => `${fileSegment(cluster)}/probe.yaml`;

/** The copy-paste command for one cluster, every name quoted for the shell. */
const kubectl = (context: string, verb: "apply" | "delete", file: string) => shellLine(["kubectl", "--context", context, verb, "-f", file]);

interface RunbookExtra {
  readonly after?: Result;
  /** the isolation's window (runIsolate): null when an entry has no health check */
  readonly windowSeconds?: number | null;
  readonly probe: ProbePlan;
  readonly hostPlans: readonly HostPlan[];
  readonly notEnacted: readonly string[];
  readonly enactedQuorums: ReadonlySet<string>;
  readonly ctx: TopologyContext;
}

const int = (x: number) => count(Math.round(x));

function runbookOf(g: Omit<GameDay, "runbook" | "hostPlans">, o: GameDayOptions, x: RunbookExtra): string {
  const p = g.prediction;
  const t = x.ctx.topology;
  const isolated = g.scenario.lose;
  const seconds = durationSeconds(o.duration);
  const deadman = seconds + 300;
  const out: string[] = [
    `# Game day: ${cell(g.name)}${isolated.length ? " (enacted as isolation)" : ""}`,
    "",
    `Written by \`quorate gameday\` from ${code(displayPath(o.source))} for ${o.tool === "chaos-mesh" ? "Chaos Mesh (NetworkChaos, action partition)" : "Litmus (ChaosEngine, pod-network-partition)"} and nftables on the hosts, lasting ${cell(o.duration)}. ${
      isolated.length
        ? `Losing ${cell(isolated.join(", "))} is enacted as isolation: cut off from every other site (its machines keep running, as in a WAN cut), then withdrawn from steering by an explicit step. The predictions are the what-if engine's for that partition (${codeSpan(shellLine(["quorate", "simulate", "--partition", g.sides.map((x) => x.join(",")).join("/"), o.source]))}) and, after the withdrawal, for the loss.`
        : `The predictions are the what-if engine's for the same partition (${codeSpan(shellLine(["quorate", "simulate", "--partition", g.sides.map((x) => x.join(",")).join("/"), o.source]))}).`
    } A check is written only for what the steps below actually cut.`,
    "",
    "## What is cut",
    "",
    ...g.sides.map((side, i) => `- Side ${i + 1}: ${side.map(cell).join(", ")}`),
    "",
  ];
  if (g.plans.length)
    out.push(
      table(
        ["cluster", "site", "namespaces (through the chaos tool)", "cut from (every declared range on the other side)"],
        g.plans.map((y) => [y.cluster, y.site, y.namespaces.join(", "), y.targets.join(", ")]),
      ),
      "",
    );
  if (x.hostPlans.length)
    out.push(
      "At the host (nftables, or iptables where nft is not installed), for what chaos tools must not touch — host-network pods (etcd static pods, Cilium agents, clustermesh-apiserver, Submariner and mesh gateways) and hosts outside clusters. The rules go on both sides of the cut: one side's drop alone cuts the traffic between two declared hosts, but where a host's netfilter is bypassed (below) or its rules did not load, the other side's rules still hold the cut.",
      "",
      table(
        ["hosts", "site", "apply on", "drops both ways", "files"],
        x.hostPlans.map((h) => [h.what, h.site, h.hosts.join(", "), h.targets.join(", "), hostFiles(h).join(", ")]),
      ),
      "",
      `**Cilium with eBPF host routing** (\`bpf.hostLegacyRouting: false\`) sends pod traffic past the host's netfilter hooks: there the host rules cut host-network traffic only. Cut pod traffic with the NetworkChaos above, or with a \`netdev\` ingress hook on the uplink, or at the upstream switch/firewall ACLs.`,
      "",
    );
  const notEnacted = [...g.notes.filter((n) => !n.startsWith("Not enacted: ")), ...x.notEnacted];
  if (notEnacted.length) out.push("### Not enacted", "", ...notEnacted.map((n) => `- ${cell(n)}`), "");

  // ---- pre-flight
  const owners = t.stores.filter((st) => st.owner).map((st) => `${st.name?.value}: ${st.owner!.value}`);
  out.push(
    "## Pre-flight",
    "",
    `- [ ] Approvals: the change is scheduled and approved; the owners are on the bridge${owners.length ? ` — ${owners.map(cell).join("; ")}` : " (no stores[].owner is declared: name them before you start)"}.`,
    "- [ ] Error budget: the entry points below have the budget for the predicted errors (Customer impact).",
    ...t.clusters
      .filter((c) => c.etcd?.members && c.name)
      .map(
        (c) =>
          `- [ ] Leader location: ${codeSpan(shellLine(["etcdctl", "endpoint", "status", "--cluster", "-w", "table"]))} against ${cell(c.name!.value)}'s etcd — note which site leads.`,
      ),
    ...t.stores
      .filter((st) => st.replication?.value === "async" && st.name)
      .map(
        (st) =>
          `- [ ] Baseline lag of ${cell(st.name!.value)}: note the replication lag now (bound: ${st.maxLagSeconds ? `${st.maxLagSeconds.value} s` : "not declared"}).`,
      ),
    o.tool === "chaos-mesh"
      ? "- [ ] Chaos Mesh runs in every cluster below (controller and chaos-daemon); `action: partition` with `externalTargets` cuts the selected pods' traffic to those ranges."
      : "- [ ] Litmus runs in every cluster below, with the `pod-network-partition` experiment and its `pod-network-partition-sa` service account in each namespace. **It works through NetworkPolicy: the CNI must enforce it** (Calico, Cilium, Antrea…), or nothing is cut and every check passes for the wrong reason.",
    ...(x.hostPlans.length
      ? [
          `- [ ] On every host in the host table, \`nft\` (or \`iptables-restore\`) is installed, and you reach the host over a management range${o.managementRanges?.length ? ` (${o.managementRanges.join(", ")}, exempt from the drop)` : " — **none was given (--management-cidr): if your own path crosses the cut, you lose the host until the dead-man timer fires**"}.`,
        ]
      : []),
    ...(x.probe.probes.length
      ? [
          `- [ ] Probe pods: apply them and wait until they run — ${g.plans
            .filter((y) => x.probe.probes.some((q) => q.from.cluster === y.cluster))
            .map((y) =>
              codeSpan(
                `${kubectlLine(y.cluster, ["apply", "-f", probeFile(y.cluster)])} && ${kubectlLine(y.cluster, ["-n", y.namespaces[0], "wait", "--for=condition=Ready", `pod/${PROBE_POD}`, "--timeout=120s"])}`,
              ),
            )
            .join(
              "; ",
            )} — then ${codeSpan("sh probe.sh before")}: every probe must print \`ok\` (open). A probe that does not connect now proves nothing later: fix the firewall or the plan first.`,
        ]
      : []),
    "- [ ] Agree on the abort signal and who runs the roll-back.",
    "",
  );

  // ---- steps
  out.push(
    "## Steps",
    "",
    "Apply the chaos manifests first and the host rules last (the cut can take down the isolated cluster's own API server: its etcd majority may sit on the other side).",
    "",
  );
  let n = 1;
  if (g.plans.length)
    out.push(
      `${n++}. Start the clock, then apply the chaos manifests:`,
      "",
      table(
        ["cluster", "apply"],
        g.plans.map((y) => [y.cluster, { raw: codeSpan(kubectl(y.cluster, "apply", y.file), true) }]),
      ),
      "",
    );
  for (const h of x.hostPlans)
    out.push(
      `${n++}. On every host of ${cell(h.what)} (${cell(h.hosts.join(", "))}): arm the dead-man roll-back, then load the rules — with nftables:`,
      "",
      "   ```sh",
      `   ${shellLine(["systemd-run", `--on-active=${deadman}`, "--unit=quorate-gameday-rollback", "nft", "delete", "table", "inet", NFT_TABLE])}`,
      `   ${shellLine(["nft", "-f", h.file])}`,
      "   ```",
      "",
      "   or, on a host with iptables only:",
      "",
      "   ```sh",
      `   ${shellLine(["systemd-run", `--on-active=${deadman}`, "--unit=quorate-gameday-rollback", "sh", "-c", IPTABLES_ROLLBACK])}`,
      ...(h.iptables ? [`   iptables-restore --noflush < ${shellWord(h.iptables)}`] : []),
      ...(h.ip6tables ? [`   ip6tables-restore --noflush < ${shellWord(h.ip6tables)}`] : []),
      "   ```",
      "",
    );
  if (x.probe.probes.length) out.push(`${n++}. Prove the cut (next section): ${codeSpan("sh probe.sh during")}.`, "");
  if (!g.plans.length && !x.hostPlans.length) out.push("Nothing to apply: see “Not enacted”.", "");

  // ---- proof
  const cutRows = portMatrix(x.ctx).rows.filter(
    (r) =>
      sideIndex(g.sides, r.from.site) >= 0 &&
      sideIndex(g.sides, r.to.site) >= 0 &&
      sideIndex(g.sides, r.from.site) !== sideIndex(g.sides, r.to.site),
  );
  out.push("## Prove the cut took effect", "");
  if (x.probe.probes.length) {
    out.push(
      `- ${codeSpan("sh probe.sh during")} (from your workstation, over the management network) connects from each probe pod to the other side — every line must read \`ok … closed\` (a \`FAIL\` line is a path the cut left open); \`UNKNOWN\` means that cluster's API does not answer (expected for an isolated cluster whose etcd majority is across the cut), so the probes from the other side are the proof:`,
      "",
    );
    const seen = new Set<string>();
    for (const q of x.probe.probes) {
      const line = `${q.from.cluster}/${q.from.namespace} → ${q.what}: TCP ${q.port} (${q.why})${"cluster" in q.to ? ", at the nodes' InternalIP addresses that probe.sh before recorded" : ""}`;
      if (seen.has(line)) continue;
      seen.add(line);
      out.push(`  - ${cell(line)}`);
    }
    out.push("");
  }
  for (const note of x.probe.notes) out.push(`- ${cell(note)}`);
  if (x.hostPlans.length)
    out.push(
      `- On a host of each row of the host table, the drop counters must be rising: ${codeSpan(shellLine(["nft", "list", "table", "inet", NFT_TABLE]))} (or ${codeSpan(shellLine(["iptables", "-L", IPTABLES_CHAIN, "-v", "-n", "-x"]))}). Counters at zero mean nothing crossed the cut there — or the rules are not in the path.`,
    );
  const probed = cutRows.filter((r) => r.from.ranges.length && r.to.ranges.length);
  const unprobed = cutRows.filter((r) => !r.from.ranges.length || !r.to.ranges.length);
  if (probed.length) {
    out.push("- These rows of the port matrix cross the cut and must now fail (test each from its source):", "");
    for (const r of probed)
      out.push(
        `  - ${cell(portText(r))} ${r.direction === "both" ? "↔" : "→"} ${cell(r.component)}: ${cell(r.from.what)} (${cell(r.from.site)}) to ${cell(r.to.what)} (${cell(r.to.site)})`,
      );
  }
  if (unprobed.length)
    out.push(
      `- Not testable, an end has no declared range (and is not cut either): ${unprobed.map((r) => cell(`${portText(r)} ${r.component}, ${r.from.what} to ${r.to.what}`)).join("; ")}.`,
    );
  out.push("- If any of them still connects, the cut is incomplete: roll back and fix the plan before reading any check.", "");

  // ---- withdraw
  const windows: string[] = [];
  for (const side of isolated.length ? [isolated] : []) {
    out.push(`## Withdraw ${cell(side.join(", "))} from steering`, "");
    const entries = t.traffic.filter(
      (tr) => tr.name && tr.backends.some((b) => side.includes(x.ctx.siteOfCluster(b.cluster?.value ?? "") ?? "")),
    );
    if (!entries.length) out.push(`No traffic entry has a backend in ${cell(side.join(", "))}: nothing to withdraw.`, "");
    for (const tr of entries) {
      // one derivation of the window for the engine, the availability figures and this runbook
      const rto = rtoEstimate(tr);
      const pr = p.traffic.find((y) => y.name === tr.name!.value);
      const share = pr?.backends.filter((b) => side.includes(b.site) && b.loadRps !== null).reduce((a, b) => a + (b.loadRps ?? 0), 0) ?? 0;
      if (rto) windows.push(`${tr.name!.value}: ${rto.seconds} s`);
      out.push(
        `- **${cell(tr.name!.value)}** (${cell(tr.steering?.value ?? "?")}): cutting ${cell(side.join(", "))} off leaves external health checks passing unless they are deep (they must write through the stores the entry depends on). Withdraw its backends in ${cell(side.join(", "))} explicitly in the ${tr.steering?.value === "anycast" ? "BGP speaker (withdraw the route)" : "GSLB (disable the pool members)"}.`,
        `  - Before the withdrawal ${cell(side.join(", "))} keeps its share: ${int(share)} rps.${
          rto
            ? ` Expected time to detect and withdraw: ${rto.seconds} s (${cell(rto.terms)}) — ${cell(rto.caveat)}.`
            : " Time to detect and withdraw: unknown — the design gives no traffic[].healthCheck (or no ttlSeconds); measure it."
        }`,
      );
    }
    out.push("");
  }

  // ---- abort criteria
  const expectedErrors = p.traffic.flatMap((tr) => tr.backends.filter((b) => b.errors && b.loadRps).map((b) => b.loadRps!));
  out.push("## Abort criteria", "", "Roll back at once (Roll-back below) when any of these holds:", "");
  for (const tr of p.traffic) {
    const errs = tr.backends.filter((b) => b.errors).reduce((a, b) => a + (b.loadRps ?? 0), 0);
    out.push(
      `- ${cell(tr.name)}: errors on the side predicted healthy, or more than ${int(Math.max(errs * 1.1, 1))} rps of errors in total (the prediction${errs ? ` is ${int(errs)} rps` : " is none"}, plus 10%).`,
    );
  }
  for (const q of p.quorums) {
    if (!x.enactedQuorums.has(q.name)) continue;
    const w = q.groups.find((y) => y.writes);
    if (w)
      out.push(
        `- ${cell(q.name)}: writes stop on ${cell(w.sites.join(", "))} (predicted to keep writing with ${w.members} of ${Object.values(q.members).reduce((a, c) => a + c, 0)}), or any member elsewhere accepts a write.`,
      );
  }
  for (const st of t.stores)
    if (st.replication?.value === "async" && st.maxLagSeconds && st.name)
      out.push(`- ${cell(st.name.value)}: replication lag above ${st.maxLagSeconds.value} s (the design's bound).`);
  out.push(`- The experiment runs past ${cell(o.duration)} (the dead-man timer deletes the host tables at ${deadman} s).`, "");
  void expectedErrors;

  // ---- customer impact
  out.push("## Customer impact", "");
  if (!p.traffic.length) out.push("No traffic entry declares peakRps with resolvable backends.");
  for (const tr of p.traffic) {
    const errs = tr.backends.filter((b) => b.errors && b.loadRps);
    const aft = x.after?.traffic.find((y) => y.name === tr.name);
    out.push(
      `- ${cell(tr.name)}: ${errs.length ? `${errs.map((b) => `${cell(b.cluster)} answers up to ${int(b.loadRps!)} rps with errors`).join("; ")} (every request assumed to need a write)` : "no backend is predicted to serve errors"}${windows.length ? ` until withdrawn (${windows.map(cell).join(", ")})` : ""}.${
        aft
          ? ` After the withdrawal: ${
              aft.backends
                .filter((b) => b.loadRps !== null)
                .map(
                  (b) =>
                    `${cell(b.cluster)} ${int(b.loadRps!)} rps of ${b.capacityRps === null ? "?" : int(b.capacityRps)}${b.overloaded ? " — **overloaded**" : ""}`,
                )
                .join("; ") || "no backend remains"
            }.`
          : ""
      }`,
    );
  }
  out.push("");

  // ---- checks
  out.push(
    "## Checks",
    "",
    `Verdict predicted: **${p.verdict}**${x.after ? ` during the window, **${x.after.verdict}** after the withdrawal` : ""}.`,
    "",
  );
  const checks: string[] = [];
  for (const q of p.quorums) {
    if (!x.enactedQuorums.has(q.name)) continue;
    const writing = q.groups.filter((y) => y.writes);
    const stopped = q.groups.filter((y) => !y.writes);
    if (q.outcome === "stops")
      checks.push(
        `${cell(q.name)} stops taking writes everywhere: ${q.groups.map((y) => `${y.sites.join(",")} holds ${y.members}`).join("; ")}, majority ${q.majority} — expect write errors on every side, and no leader.`,
      );
    else if (writing[0])
      checks.push(
        `${cell(q.name)} keeps writing on ${cell(writing[0].sites.join(", "))} (${writing[0].members} members, majority ${q.majority})${stopped.length ? `; the members on ${cell(stopped.map((y) => y.sites.join(", ")).join(" and "))} (${stopped.map((y) => y.members).join(" and ")}) must refuse writes — any write they accept is a misconfigured minority accepting writes: data corruption` : ""}.`,
      );
  }
  for (const st of p.stores) {
    const decl = t.storeByName.get(st.name);
    const inside = isolated.length && decl?.writers?.items.some((w) => isolated.includes(w.value));
    if (st.outcome === "corrupts")
      checks.push(
        `store ${cell(st.name)} accepts writes on both sides with no conflict policy: conflicting writes corrupt data — reconcile by hand after the heal.`,
      );
    else if (st.outcome === "diverges")
      checks.push(
        `store ${cell(st.name)} accepts writes on both sides; they must converge after the heal (${st.replication === "crdt" || decl?.conflictResolution?.value === "crdt" ? "CRDT merge" : decl?.conflictResolution ? `conflict resolution: ${cell(decl.conflictResolution.value)}` : "its conflict policy"}): compare both sides once it ends.`,
      );
    else if (inside)
      checks.push(
        `store ${cell(st.name)}: its writer inside ${cell(isolated.join(", "))} keeps accepting writes the other side does not see; if the other side promotes a replica meanwhile, the two diverge on heal.`,
      );
  }
  for (const b of p.breaks.filter((y) => / serves stale reads$/.test(y)))
    checks.push(`${cell(b)}: watch the replication-lag alarm fire (time to detect).`);
  for (const tr of p.traffic) {
    const errs = tr.backends.filter((b) => b.errors);
    if (errs.length)
      checks.push(
        `traffic ${cell(tr.name)}: ${errs.map((b) => cell(b.cluster)).join(", ")} cannot write to a store it depends on; clients still sent there get errors until steering withdraws ${errs.length === 1 ? "it" : "them"}.`,
      );
    if (tr.outcome === "unserved") checks.push(`traffic ${cell(tr.name)}: no backend remains — the entry point is down.`);
  }
  for (const m of p.meshes)
    checks.push(
      m.outcome === "control-plane-lost"
        ? `cluster ${cell(m.cluster)} loses its Istio control plane (${cell(m.because)}): no config pushes, sidecar injection or new certificates; running workloads keep serving on their current certificates.`
        : `cluster ${cell(m.cluster)}: its Linkerd mirrors of ${cell(m.because)} go stale; the gateway probe fails and the mirrored endpoints are withdrawn.`,
    );
  out.push(
    ...(checks.length
      ? checks.map((c) => `- [ ] ${c}`)
      : ["- [ ] Nothing should break: every enacted quorum, store and entry point continues."]),
    "",
  );

  // ---- roll-back and post-heal
  out.push(
    "## Roll-back",
    "",
    "Host rules first (while the cut stands the isolated cluster's API server may not answer, and its chaos objects cannot be deleted through it), then the chaos manifests, then steering.",
    "",
  );
  let k = 1;
  for (const h of x.hostPlans)
    out.push(
      `${k++}. On every host of ${cell(h.what)}: ${codeSpan(shellLine(["nft", "delete", "table", "inet", NFT_TABLE]))} (iptables: ${codeSpan(shellLine(["sh", "-c", IPTABLES_ROLLBACK]))}), then ${codeSpan(shellLine(["systemctl", "stop", "quorate-gameday-rollback.timer"]))}.`,
    );
  for (const y of g.plans) out.push(`${k++}. ${codeSpan(kubectl(y.cluster, "delete", y.file))}`);
  const withProbe = g.plans.filter((y) => x.probe.probes.some((q) => q.from.cluster === y.cluster));
  if (withProbe.length)
    out.push(
      `${k++}. ${codeSpan("sh probe.sh before")} again: every probe connects once more (the cut is gone everywhere); then delete the probe pods: ${withProbe.map((y) => codeSpan(kubectlLine(y.cluster, ["delete", "-f", probeFile(y.cluster)]))).join("; ")}.`,
    );
  if (isolated.length)
    out.push(
      `${k++}. Put ${cell(isolated.join(", "))} back into steering only after the post-heal checks pass (reintroducing traffic while writes still fail repeats the incident).`,
    );
  out.push("", "The chaos experiments also end by themselves after the duration; the dead-man timer removes the host rules after it.", "");
  const has = (f: (c: Cluster) => boolean) => t.clusters.some(f);
  out.push("## Post-heal checks", "");
  const post: string[] = [];
  if (has((c) => !!c.etcd?.members))
    post.push(
      `etcd: ${codeSpan(shellLine(["etcdctl", "endpoint", "health", "--cluster"]))} — every member healthy, one leader, the same raft term everywhere.`,
    );
  if (has((c) => c.mesh === "clustermesh"))
    post.push(
      `ClusterMesh: ${codeSpan(shellLine(["cilium", "clustermesh", "status", "--wait"]))} on every cluster — every remote cluster connected.`,
    );
  if (has((c) => c.mesh === "submariner"))
    post.push(`Submariner: ${codeSpan(shellLine(["subctl", "show", "connections"]))} — every connection \`connected\`.`);
  if (has((c) => !!c.linkerd))
    post.push(
      `Linkerd: ${codeSpan(shellLine(["linkerd", "multicluster", "check"]))} and ${codeSpan(shellLine(["linkerd", "multicluster", "gateways"]))} — every gateway alive.`,
    );
  if (has((c) => !!c.istio)) post.push(`Istio: ${codeSpan(shellLine(["istioctl", "remote-clusters"]))} — every remote synced.`);
  for (const st of t.stores)
    if (st.replication?.value === "async" && st.name)
      post.push(
        `${cell(st.name.value)}: replication lag back under ${st.maxLagSeconds ? `${st.maxLagSeconds.value} s` : "its bound"} and draining to zero.`,
      );
  post.push(
    "Write down each time to detect and to withdraw, and every check that did not match the prediction: each is a finding about the design or its alarms.",
  );
  out.push(...post.map((y) => `- [ ] ${y}`), "");
  return out.join("\n");
}

function sideIndex(sides: readonly string[][], site: string): number {
  return sides.findIndex((g) => g.includes(site));
}
