/**
 * Game days: the chaos experiments that enact a what-if scenario from inside the clusters, and
 * the runbook that says what the engine predicts, as checks to observe. A site loss is the
 * partition of that site from all the others. Pure: returns file contents; the CLI and the
 * editor write them. Deterministic (stable order, no timestamps) so the output can be reviewed.
 */
import { stringify } from "yaml";
import { canonical, parseCidr } from "../math/cidr";
import type { Cluster } from "../model/topology";
import type { TopologyContext } from "../derive/context";
import { cell, codeSpan, table } from "../util/format";
import { fileSegment, shortHash } from "../util/paths";
import { shellLine } from "../util/shell";
import { ALL_UP, type BackendResult, type Result, run, type Scenario, scenarioName } from "./engine";

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

export function gameDay(ctx: TopologyContext, scenario: { lose?: string[]; partition?: string[][] }, o: GameDayOptions): GameDay {
  const t = ctx.topology;
  const lose = scenario.lose ?? [];
  const partition = scenario.partition ?? [];
  if (lose.length && partition.length) throw new GameDayError("a game day enacts one scenario: --lose or --partition, not both");
  if (!lose.length && !partition.length) throw new GameDayError("a game day needs a scenario: --lose SITE[,SITE] or --partition A/B[,C]");
  const seconds = durationSeconds(o.duration);
  const sites = [...t.siteByName.keys()];
  const s: Scenario = { ...ALL_UP, lose, partition };
  const prediction = run(ctx, s);
  // a site loss is that site cut from all the others; a partition's unnamed sites form one more side
  const named = lose.length ? [lose] : partition;
  const rest = sites.filter((x) => !named.flat().includes(x));
  const sides = [...named.map((g) => [...g]), ...(rest.length ? [rest] : [])].filter((g) => g.length);
  if (sides.length < 2) throw new GameDayError("the scenario leaves every site on one side: nothing to cut");
  const sideOf = (site: string | undefined) => sides.findIndex((g) => site !== undefined && g.includes(site));

  const notes: string[] = [];
  const clusters = t.clusters.filter((c) => c.name && sideOf(ctx.siteOfCluster(c.name.value)) >= 0);
  const rangesOf = new Map(clusters.map((c) => [c, reachableRanges(c, notes)]));
  for (const [i, side] of sides.entries()) {
    if (!clusters.some((c) => sideOf(ctx.siteOfCluster(c.name!.value)) === i))
      notes.push(
        `${side.join(", ")} ${side.length === 1 ? "has" : "have"} no cluster in the design: nothing runs there to cut from inside Kubernetes, and the other side's pods have no range there to block. Isolate the members there at the firewall (or stop them) by hand for the same ${o.duration}.`,
      );
  }
  const exported = (name: string) =>
    [...new Set(t.exports.filter((e) => e.clusters?.items.some((c) => c.value === name)).map((e) => e.namespace?.value))].filter(
      (x): x is string => !!x,
    );
  const everyExported = [...new Set(t.exports.map((e) => e.namespace?.value).filter((x): x is string => !!x))];

  const plans: ClusterPlan[] = [];
  const files: GameDayFile[] = [];
  const slug = scenarioSlug(s);
  const kindFile = o.tool === "chaos-mesh" ? "networkchaos.yaml" : "chaosengine.yaml";
  for (const c of clusters) {
    const name = c.name!.value;
    const site = ctx.siteOfCluster(name)!;
    const mine = sideOf(site);
    const targets = sortRanges(clusters.filter((x) => sideOf(ctx.siteOfCluster(x.name!.value)) !== mine).flatMap((x) => rangesOf.get(x)!));
    if (!targets.length) continue;
    const namespaces = o.namespaces?.length ? [...o.namespaces] : exported(name).length ? exported(name) : everyExported;
    if (!namespaces.length) throw new GameDayError("no exported Service names a workload namespace to partition: pass --namespace NS[,NS]");
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
  }
  if (!plans.length && !notes.length) notes.push("The clusters declare no pod, service or node range: there is nothing to cut.");
  // after GSLB withdraws the backends that serve errors, their load moves to the rest: the
  // engine's traffic arithmetic with those backends' sites gone
  const withdrawn = new Map<string, BackendResult[]>();
  for (const tr of prediction.traffic) {
    const gone = tr.backends.filter((b) => b.errors).map((b) => b.site);
    if (!gone.length) continue;
    const after = run(ctx, { ...s, lose: [...new Set([...s.lose, ...gone])] }).traffic.find((x) => x.name === tr.name);
    if (after)
      withdrawn.set(
        tr.name,
        after.backends.filter((b) => b.loadRps !== null),
      );
  }
  const folder = resourceName(["gameday", ...slug]).replace(/^quorate-/, "");
  const gd = { scenario: s, folder, name: scenarioName(s), sides, plans, notes, prediction, files };
  const runbook = runbookOf(gd, o, withdrawn);
  files.push({ path: "RUNBOOK.md", content: runbook });
  return { ...gd, runbook, files };
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

/** The copy-paste command for one cluster, every name quoted for the shell. */
const kubectl = (context: string, verb: "apply" | "delete", file: string) => shellLine(["kubectl", "--context", context, verb, "-f", file]);

function runbookOf(g: Omit<GameDay, "runbook">, o: GameDayOptions, withdrawn: ReadonlyMap<string, BackendResult[]>): string {
  const p = g.prediction;
  const out: string[] = [
    `# Game day: ${cell(g.name)}`,
    "",
    `Written by \`quorate gameday\` from ${code(o.source)} for ${o.tool === "chaos-mesh" ? "Chaos Mesh (NetworkChaos, action partition)" : "Litmus (ChaosEngine, pod-network-partition)"}, lasting ${cell(o.duration)}. The predictions below are the what-if engine's for the same scenario (${codeSpan(shellLine(["quorate", "simulate", ...(g.scenario.lose.length ? ["--lose", g.scenario.lose.join(",")] : ["--partition", g.scenario.partition.map((x) => x.join(",")).join("/")]), o.source]))}); the game day is the experiment that checks them.`,
    "",
    "## The cut",
    "",
    ...g.sides.map((side, i) => `- Side ${i + 1}: ${side.map(cell).join(", ")}`),
    "",
  ];
  if (g.plans.length)
    out.push(
      table(
        ["cluster", "site", "namespaces", "cut from (every pod, service and node range on the other side)"],
        g.plans.map((x) => [x.cluster, x.site, x.namespaces.join(", "), x.targets.join(", ")]),
      ),
      "",
    );
  if (g.notes.length) out.push("Not enacted by these manifests:", "", ...g.notes.map((n) => `- ${cell(n)}`), "");

  out.push("## Before you start", "");
  if (o.tool === "chaos-mesh")
    out.push(
      "- Chaos Mesh runs in every cluster below (its controller and chaos-daemon); `action: partition` with `externalTargets` cuts the selected pods' traffic to those ranges.",
    );
  else
    out.push(
      "- Litmus runs in every cluster below, with the `pod-network-partition` ChaosExperiment and its `pod-network-partition-sa` service account in each namespace.",
      "- **pod-network-partition works through a NetworkPolicy: the cluster's CNI must enforce NetworkPolicy** (Calico, Cilium, Antrea…). On a CNI that does not, nothing is cut and every check below passes for the wrong reason.",
    );
  out.push(
    "- Start the clock: note when the experiment is applied, and measure the time until each replication-lag, quorum and error-rate alarm fires (time to detection).",
    "- Agree on the abort signal and who runs the roll-back.",
    "",
    "## Apply and roll back",
    "",
  );
  if (g.plans.length)
    out.push(
      table(
        ["cluster", "apply", "roll back"],
        g.plans.map((x) => [
          x.cluster,
          { raw: codeSpan(kubectl(x.cluster, "apply", x.file), true) },
          { raw: codeSpan(kubectl(x.cluster, "delete", x.file), true) },
        ]),
      ),
      "",
      `The experiments end by themselves after ${cell(o.duration)}; deleting them ends them at once.`,
      "",
    );
  else out.push("Nothing to apply: see “Not enacted” above.", "");

  out.push("## Predicted outcome", "", `Verdict: **${p.verdict}**.`, "", "### Checks to observe", "");
  const checks: string[] = [];
  for (const q of p.quorums) {
    const writing = q.groups.filter((x) => x.writes);
    const stopped = q.groups.filter((x) => !x.writes);
    if (q.outcome === "stops")
      checks.push(
        `${cell(q.name)} stops taking writes everywhere: ${q.groups.map((x) => `${x.sites.join(",")} holds ${x.members}`).join("; ") || "no member survives"}, majority ${q.majority} — expect write errors on every side, and no leader.`,
      );
    else {
      const w = writing[0];
      checks.push(
        `${cell(q.name)} keeps writing on ${w.sites.join(", ")} (${w.members} members, majority ${q.majority})${stopped.length ? `; the members on ${stopped.map((x) => x.sites.join(", ")).join(" and ")} (${stopped.map((x) => x.members).join(" and ")}) must refuse writes — if they accept any, the minority is misconfigured and accepting writes: data corruption` : ""}.`,
      );
    }
  }
  if (g.scenario.lose.length) {
    // the experiment cuts the lost site off; its members still run and must behave as lost
    const lost = new Set(g.scenario.lose);
    for (const q of p.quorums) {
      const cut = Object.entries(q.members).filter(([site]) => lost.has(site));
      if (cut.length && q.outcome !== "stops")
        checks.push(
          `${cell(q.name)}: the ${cut.reduce((a, [, n]) => a + n, 0)} member(s) in ${cut.map(([x]) => x).join(", ")} are cut off, not stopped — they must refuse writes; any write they accept is a misconfigured minority accepting writes (data corruption).`,
        );
    }
  }
  for (const st of p.stores) {
    if (st.outcome === "writes-stop")
      checks.push(
        `store ${cell(st.name)} takes no writes: every writer site is cut or lost${st.atRiskBytes !== null ? `; up to ${st.atRiskBytes} bytes of unreplicated writes are at risk (the RPO)` : ""}.`,
      );
    else if (st.outcome === "corrupts")
      checks.push(
        `store ${cell(st.name)} accepts writes on both sides with no conflict policy: conflicting writes corrupt data. Expect divergence to reconcile by hand after the heal.`,
      );
    else if (st.outcome === "diverges")
      checks.push(
        `store ${cell(st.name)} accepts writes on both sides; they must converge after the heal (${st.replication === "crdt" ? "CRDT merge" : "its conflict policy"}): compare both sides once it ends.`,
      );
  }
  for (const tr of p.traffic) {
    const errs = tr.backends.filter((b) => b.errors);
    if (errs.length)
      checks.push(
        `traffic ${cell(tr.name)}: GSLB must withdraw ${errs.map((b) => b.cluster).join(", ")} — ${errs.length === 1 ? "its" : "their"} side cannot write to a store it depends on; while DNS or anycast still sends clients there, they get errors (502s).`,
      );
    const up = tr.backends.filter((b) => b.loadRps !== null && !b.errors);
    if (up.length)
      checks.push(
        `traffic ${cell(tr.name)}: expected load ${errs.length ? "while every backend still gets clients: " : ""}${up.map((b) => `${b.cluster} ${b.loadRps} rps of ${b.capacityRps ?? "?"}${b.overloaded ? " — **overloaded**" : ""}`).join("; ")}.`,
      );
    const after = withdrawn.get(tr.name);
    if (errs.length && after)
      checks.push(
        `traffic ${cell(tr.name)}: once ${errs.map((b) => b.cluster).join(", ")} ${errs.length === 1 ? "is" : "are"} withdrawn: ${after.map((b) => `${b.cluster} ${b.loadRps} rps of ${b.capacityRps ?? "?"}${b.overloaded ? " — **overloaded**" : ""}`).join("; ")}.`,
      );
    if (tr.outcome === "unserved") checks.push(`traffic ${cell(tr.name)}: no backend remains — the entry point is down.`);
  }
  for (const b of p.breaks.filter((x) => / serves stale reads$/.test(x)))
    checks.push(`${cell(b)}: reads there go stale; watch the replication-lag alarm fire.`);
  for (const m of p.meshes)
    checks.push(
      m.outcome === "control-plane-lost"
        ? `cluster ${cell(m.cluster)} loses its Istio control plane (${cell(m.because)}): no config pushes, sidecar injection or new certificates; running workloads keep serving on their current certificates.`
        : `cluster ${cell(m.cluster)}: its Linkerd mirrors of ${cell(m.because)} go stale; traffic to them fails over only if the application handles it.`,
    );
  for (const e of p.exports)
    if (!e.servedBy.length) checks.push(`export ${cell(`${e.namespace}/${e.service}`)} has no exporting cluster left.`);
  out.push(
    ...(checks.length ? checks.map((c) => `- [ ] ${c}`) : ["- [ ] Nothing should break: every quorum, store and entry point continues."]),
    "",
  );
  if (p.breaks.length) out.push("What the engine says breaks:", "", ...p.breaks.map((b) => `- ${cell(b)}`), "");
  out.push(
    "## After",
    "",
    "- Roll back (the table above), then check every quorum has one leader again and replication lag drains to zero.",
    "- Write down each time to detection and every check that did not match the prediction: each is a finding about the design or its alarms.",
    "",
  );
  return out.join("\n");
}
