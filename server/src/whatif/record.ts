/**
 * The architecture decision record of one topology: everything a reviewer needs to check the
 * design by hand — members and majorities, every single-site loss, frozen splits, timer and
 * commit-latency arithmetic, the address plan, capacity after every loss, the export surface,
 * the failure matrix and the open findings — with the seed's day-two checklist marked met or
 * not. Pure: the CLI writes it to a file, the editor opens it in the Markdown preview.
 */
import type { FileAnalysis } from "../analysis";
import { canonical, overlappingPairs, parseCidr, type Cidr } from "../math/cidr";
import { commitLatency, majority, MAX_ENUMERATED_SITES, memberSites, partitions, siteLosses, total } from "../math/quorum";
import { toNumber } from "../math/rational";
import { loadOf, overCapacity, scenarios as loadScenarios } from "../math/traffic";
import type { Finding } from "../model/finding";
import type { Cluster } from "../model/topology";
import { diagramFor } from "../preview/mermaid";
import { memberPairs, type Quorum, type TopologyContext } from "../rules/context";
import { DEFAULT_ELECTION_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, timerAdvice } from "../rules/rtt";
import { loadBackends } from "../rules/traffic";
import { cell, num, table } from "../util/markdown";
import { ALL_UP, MAX_PARTITION_SITES, run, sweep, type Result } from "./engine";
import { scenarioTable } from "./render";

export interface RecordInput {
  /** the file's name as the record cites it */
  readonly path: string;
  readonly analysis: FileAnalysis;
  /** the file's finalized findings (after overrides and disable comments) */
  readonly findings: readonly Finding[];
  readonly version: string;
}

const ms = (x: number) => `${num(x)} ms`;
const mark = (ok: boolean) => (ok ? "met" : "**not met**");

/** The decision record as Markdown; undefined when the file holds no topology. */
export function decisionRecord(input: RecordInput): string | undefined {
  const ctx = input.analysis.contexts[0];
  if (!ctx) return undefined;
  const t = ctx.topology;
  const name = t.name?.value ?? input.path;
  const out: string[] = [];
  const single = sweep(ctx, "single").map((s) => run(ctx, s));

  out.push(
    `# Decision record: ${cell(name)}`,
    "",
    `Written by quorate ${cell(input.version)} from \`${input.path.replace(/`/g, "'")}\`. Every number below is derived from that file; each table shows its inputs so that it can be checked by hand.`,
    "",
    "## Context",
    "",
    table(
      ["", ""],
      [
        ["Topology", name],
        ["Description", t.description?.value ?? "—"],
        ["Sites", t.sites.map((s) => `${s.name?.value ?? "?"} (${s.role})`).join(", ") || "—"],
        ["Clusters", t.clusters.map((c) => `${c.name?.value ?? "?"} in ${c.site?.value ?? "?"}`).join(", ") || "—"],
        ["Status", "Proposed"],
      ],
    ),
    "",
  );

  const diagram = diagramFor(input.analysis, input.findings);
  if (diagram.mermaid) out.push("## Diagram", "", "```mermaid", diagram.mermaid.trimEnd(), "```", "");

  out.push("## Quorums", "");
  const quorums = ctx.quorums.filter((q) => q.resolved && q.counts.size);
  if (!quorums.length) out.push("No etcd membership and no consensus or Galera store is declared.", "");
  for (const q of quorums) out.push(...quorumSection(ctx, q));

  out.push(...addressPlan(t.clusters));
  out.push(...capacity(ctx));
  out.push(...exportSurface(ctx));
  out.push(...failureMatrix(ctx, single));
  out.push(...openFindings(input));
  out.push(...checklist(ctx, single));
  return `${out.join("\n").trimEnd()}\n`;
}

function quorumSection(ctx: TopologyContext, q: Quorum): string[] {
  const n = total(q.counts);
  const maj = majority(n);
  const out = [`### ${cell(q.label)} (${q.kind})`, ""];
  out.push(
    table(
      ["site", "role", "members"],
      [
        ...memberSites(q.counts).map((s) => [s, ctx.topology.siteByName.get(s)?.role ?? "?", q.counts.get(s) ?? 0]),
        [{ raw: "**total**" }, "", n],
      ],
    ),
    "",
    `Majority: ⌊${n}/2⌋ + 1 = **${maj}**; the quorum tolerates ${n - maj} lost member${n - maj === 1 ? "" : "s"}.`,
    "",
    "Each single-site loss:",
    "",
    table(
      ["site lost", "members lost", "members left", "majority", "writes"],
      siteLosses(q.counts).map((l) => [l.site, l.lost, l.survivors, l.majority, l.survives ? "continue" : { raw: "**stop**" }]),
    ),
    "",
  );
  const sites = memberSites(q.counts);
  if (sites.length > MAX_ENUMERATED_SITES)
    out.push(`Partitions: ${sites.length} member sites, more than the ${MAX_ENUMERATED_SITES} whose splits are listed.`, "");
  else if (sites.length > 1) {
    const frozen = partitions(q.counts).filter((p) => p.verdict === "frozen");
    out.push(
      frozen.length
        ? `Partitions that freeze writes (neither side reaches ${maj}):`
        : `No two-group partition freezes writes: in every split of the ${sites.length} member sites one side reaches ${maj}.`,
      "",
    );
    if (frozen.length)
      out.push(
        table(
          ["one side", "members", "other side", "members"],
          frozen.map((p) => [p.left.join(", "), p.leftCount, p.right.join(", "), p.rightCount]),
        ),
        "",
      );
  }
  if (q.kind === "etcd") out.push(...timers(ctx, q));
  out.push(...commitLatencies(ctx, q));
  return out;
}

function timers(ctx: TopologyContext, q: Quorum): string[] {
  const etcd = (q.owner as Cluster).etcd;
  const hb = etcd?.heartbeatMs?.value ?? DEFAULT_HEARTBEAT_MS;
  const el = etcd?.electionTimeoutMs?.value ?? DEFAULT_ELECTION_TIMEOUT_MS;
  const a = timerAdvice(ctx, q);
  const rows: (string | number | { raw: string })[][] = [
    [
      "heartbeat",
      `${ms(hb)}${etcd?.heartbeatMs ? "" : " (etcd default)"}`,
      "≥ largest member RTT",
      `${ms(a.maxRtt)}${a.maxRttPair ? ` (${a.maxRttPair.join("–")})` : ""}`,
      mark(hb >= a.maxRtt),
    ],
    [
      "election timeout",
      `${ms(el)}${etcd?.electionTimeoutMs ? "" : " (etcd default)"}`,
      "≥ 10 × largest member RTT",
      ms(10 * a.maxRtt),
      mark(el >= 10 * a.maxRtt),
    ],
    ["election timeout", ms(el), "≥ 5 × heartbeat (etcd refuses to start below)", ms(5 * hb), mark(el >= 5 * hb)],
    ["election timeout", ms(el), "about 10 × heartbeat (etcd's recommendation)", ms(10 * hb), mark(el >= 10 * hb)],
  ];
  if (a.maxP99 !== undefined)
    rows.push([
      "election timeout",
      ms(el),
      "≥ 10 × largest member p99 RTT (latency excursions)",
      `${ms(10 * a.maxP99)} (${a.maxP99Pair!.join("–")})`,
      mark(el >= 10 * a.maxP99),
    ]);
  rows.push(["election timeout", ms(el), "≤ etcd's upper limit", "50000 ms", mark(el <= 50000)]);
  return [
    "Timers (etcd's tuning guide: the heartbeat covers the round trip between members, the election timeout ten times it):",
    "",
    table(["timer", "value", "rule", "needed", ""], rows),
    "",
    a.feasible
      ? `Timers derived from the RTTs: heartbeat ${ms(a.heartbeat)}, election timeout ${ms(a.election)}.`
      : `No election timeout within etcd's 50000 ms limit is ten times the largest RTT: the members are too far apart for one etcd.`,
    "",
  ];
}

function commitLatencies(ctx: TopologyContext, q: Quorum): string[] {
  const sites = memberSites(q.counts);
  if (sites.length < 2) return [];
  if (q.kind === "galera") {
    let worst = 0;
    for (const p of memberPairs(ctx, q)) if (p.rtt !== undefined && p.rtt > worst) worst = p.rtt;
    return [`Every Galera commit is certified by every member: each write waits for the largest member RTT, ${ms(worst)}.`, ""];
  }
  const budget = q.kind === "consensus" ? (q.owner as { writeLatencyBudgetMs?: { value: number } }).writeLatencyBudgetMs?.value : undefined;
  const rows = sites.map((s) => {
    const l = commitLatency(q.counts, ctx.rtt, s);
    const row: (string | number | { raw: string })[] = [s, l === undefined ? "unknown (a member link has no rttMs)" : ms(l)];
    if (budget !== undefined) row.push(l === undefined ? "—" : mark(l <= budget));
    return row;
  });
  return [
    `Commit latency by leader site (the RTT to the nearest member that completes a majority with the leader)${budget !== undefined ? `, against the ${ms(budget)} budget` : ""}:`,
    "",
    table(budget !== undefined ? ["leader site", "commit latency", "budget"] : ["leader site", "commit latency"], rows),
    "",
  ];
}

function addressPlan(clusters: readonly Cluster[]): string[] {
  const ranges: { cluster: Cluster; field: string; text: string; cidr?: Cidr }[] = clusters.flatMap((c) =>
    c.cidrs.map((v) => ({ cluster: c, field: v.field, text: v.value, cidr: parseCidr(v.value) })),
  );
  if (!ranges.length) return ["## Address plan", "", "No cluster declares a pod, service or node range.", ""];
  const parsed = ranges.filter((r) => r.cidr);
  const overlaps = new Map<number, string[]>();
  for (const [i, j] of clashes(parsed)) {
    const a = parsed[i];
    const b = parsed[j];
    const say = (x: typeof a) => `${canonical(x.cidr!)} (${x.cluster.name?.value ?? "?"} ${x.field})`;
    overlaps.set(ranges.indexOf(a), [...(overlaps.get(ranges.indexOf(a)) ?? []), say(b)]);
    overlaps.set(ranges.indexOf(b), [...(overlaps.get(ranges.indexOf(b)) ?? []), say(a)]);
  }
  return [
    "## Address plan",
    "",
    `Every range of every cluster. Overlaps are marked (Globalnet clusters may reuse ranges between each other).`,
    "",
    table(
      ["cluster", "site", "network", "range", "overlaps"],
      ranges.map((r, i) => [
        r.cluster.name?.value ?? "?",
        r.cluster.site?.value ?? "?",
        r.field,
        r.cidr ? canonical(r.cidr) : `${r.text} (not a CIDR)`,
        overlaps.has(i) ? { raw: `**overlaps** ${overlaps.get(i)!.map(cell).join("; ")}` } : "none",
      ]),
    ),
    "",
  ];
}

/**
 * The pairs of ranges that overlap, as cidr/overlap judges them: Globalnet clusters may reuse
 * each other's ranges, every other pair must be apart (within one cluster too).
 */
function clashes(ranges: readonly { cluster: Cluster; cidr?: Cidr }[]): [number, number][] {
  return overlappingPairs(ranges.map((r) => r.cidr!)).filter(
    ([i, j]) => !(ranges[i].cluster !== ranges[j].cluster && ranges[i].cluster.globalnet && ranges[j].cluster.globalnet),
  );
}

function capacity(ctx: TopologyContext): string[] {
  const out = ["## Capacity", ""];
  let any = false;
  for (const tr of ctx.topology.traffic) {
    const lb = loadBackends(ctx, tr);
    if (!lb || tr.peakRps === undefined || !tr.name) continue;
    any = true;
    const peak = tr.peakRps.value;
    const rows: (string | number | { raw: string })[][] = [];
    for (const sc of loadScenarios(peak, lb)) {
      tr.backends.forEach((b, i) => {
        const load = loadOf(sc, i);
        const cap = b.capacityRps?.value;
        const scenario = sc.lost === undefined ? "all up" : `lose ${sc.lost}`;
        if (!sc.up[i]) {
          rows.push([scenario, b.cluster!.value, lb[i].site!, "lost", cap ?? "—", "—"]);
          return;
        }
        const over = overCapacity(sc, i);
        rows.push([
          scenario,
          b.cluster!.value,
          lb[i].site!,
          load ? num(toNumber(load)) : "0",
          cap ?? "not declared",
          cap === undefined || !load ? "—" : over ? { raw: `**${num(cap! - toNumber(load!))}**` } : num(cap! - toNumber(load!)),
        ]);
      });
      if (sc.stranded) rows.push([sc.lost === undefined ? "all up" : `lose ${sc.lost}`, { raw: "**no backend remains**" }, "", "", "", ""]);
    }
    const weights = lb.map((b) => b.weight);
    out.push(
      `### ${cell(tr.name.value)}: ${num(peak)} rps at peak`,
      "",
      `Load of a backend = ${num(peak)} × its weight / the sum of the surviving weights (weights ${weights.map(num).join(", ")}); headroom = capacity − load, negative when overloaded.`,
      "",
      table(["scenario", "backend", "site", "load rps", "capacity rps", "headroom rps"], rows),
      "",
    );
  }
  if (!any) out.push("No traffic entry declares peakRps with resolvable backends.", "");
  return out;
}

function exportSurface(ctx: TopologyContext): string[] {
  const t = ctx.topology;
  const p = t.exportPolicy;
  const allowed = p?.allowedNamespaces?.items.map((x) => x.value);
  const out = ["## Export surface", ""];
  if (!t.exports.length) out.push("No Service is exported across clusters.", "");
  else
    out.push(
      table(
        ["service", "namespace", "exported from", "namespace allowed"],
        t.exports.map((e) => [
          e.service?.value ?? "?",
          e.namespace?.value ?? "?",
          (e.clusters?.items ?? []).map((c) => c.value).join(", ") || "—",
          allowed === undefined ? "no policy" : allowed.includes(e.namespace?.value ?? "") ? "yes" : { raw: "**no**" },
        ]),
      ),
      "",
    );
  out.push(
    p
      ? `Who may export: namespaces ${allowed?.length ? allowed.map((a) => `\`${a.replace(/`/g, "'")}\``).join(", ") : "none listed"}; subjects ${
          p.exporters?.length
            ? p.exporters.map((s) => cell(`${s.kind ?? "?"} ${s.namespace ? `${s.namespace}/` : ""}${s.name ?? "?"}`)).join(", ")
            : "none listed"
        }.`
      : "Who may export: no exportPolicy is declared, so RBAC on ServiceExport is not checked.",
    "",
  );
  return out;
}

function failureMatrix(ctx: TopologyContext, single: readonly Result[]): string[] {
  const out = ["## Failure matrix", "", "Every single-site loss:", "", scenarioTable([run(ctx, ALL_UP), ...single]), ""];
  const double = sweep(ctx, "double").map((s) => run(ctx, s));
  if (double.length) out.push("Every loss of two sites:", "", scenarioTable(double), "");
  const sites = ctx.topology.siteByName.size;
  if (sites > MAX_PARTITION_SITES)
    out.push(`Partitions: ${sites} sites, more than the ${MAX_PARTITION_SITES} whose two-group splits are listed.`, "");
  else if (sites > 1) out.push("Every two-group partition:", "", scenarioTable(sweep(ctx, "partitions").map((s) => run(ctx, s))), "");
  return out;
}

function openFindings(input: RecordInput): string[] {
  const L = input.analysis.parsed.lines;
  const rank = { error: 0, warning: 1, information: 2, hint: 3 } as const;
  const fs = [...input.findings].sort((a, b) => rank[a.severity] - rank[b.severity] || a.span.start - b.span.start);
  if (!fs.length) return ["## Open findings", "", "None: `quorate check` reports nothing for this file.", ""];
  return [
    "## Open findings",
    "",
    table(
      ["severity", "code", "line", "finding"],
      fs.map((f) => [f.severity, f.code, L.positionAt(f.span.start).line + 1, f.message]),
    ),
    "",
  ];
}

function checklist(ctx: TopologyContext, single: readonly Result[]): string[] {
  const t = ctx.topology;
  const items: string[] = [];
  const quorums = ctx.quorums.filter((q) => q.resolved && q.counts.size);
  if (quorums.length) {
    const failing = quorums.flatMap((q) =>
      siteLosses(q.counts)
        .filter((l) => !l.survives)
        .map((l) => `${q.label} without ${l.site}`),
    );
    const witnesses = t.sites.filter((s) => s.role === "witness").map((s) => s.name?.value ?? "?");
    items.push(
      `- [${failing.length ? " " : "x"}] **Witness placement** — every quorum keeps a majority after losing any one site: ${
        failing.length ? `not met (${failing.map(cell).join("; ")})` : "met"
      }${witnesses.length ? `; witness site${witnesses.length === 1 ? "" : "s"}: ${witnesses.map(cell).join(", ")}` : "; no witness site is declared"}.`,
    );
  }
  const multi = t.stores.filter(
    (s) => (s.replication?.value === "async" || s.replication?.value === "crdt") && (s.writers?.items.length ?? 0) > 1,
  );
  if (multi.length) {
    const rows = multi.map((s) => {
      const policy = s.replication?.value === "crdt" ? "crdt" : s.conflictResolution?.value;
      return { name: s.name?.value ?? "?", policy, ok: policy !== undefined && policy !== "none" };
    });
    items.push(
      `- [${rows.every((r) => r.ok) ? "x" : " "}] **Conflict policy per store** — every store with several writer sites says how conflicts resolve: ${rows
        .map((r) => `${cell(r.name)} ${r.policy ? `\`${r.policy.replace(/`/g, "'")}\`` : "none"} (${r.ok ? "met" : "not met"})`)
        .join("; ")}.`,
    );
  }
  const entries = single.length ? single[0].traffic.map((x) => x.name) : [];
  if (entries.length) {
    const short = single.flatMap((r) =>
      r.traffic.filter((x) => x.outcome === "overloaded" || x.outcome === "unserved").map((x) => `${x.name} when ${r.name}`),
    );
    items.push(
      `- [${short.length ? " " : "x"}] **N+1 headroom** — every traffic entry is served within capacity after any single-site loss: ${
        short.length ? `not met (${short.map(cell).join("; ")})` : "met"
      }.`,
    );
  }
  const parsed = t.clusters.flatMap((cluster) => cluster.cidrs.map((v) => ({ cluster, cidr: parseCidr(v.value) }))).filter((x) => x.cidr);
  if (parsed.length) {
    const clash = clashes(parsed);
    items.push(
      `- [${clash.length ? " " : "x"}] **Non-overlapping CIDR matrix** — no pod, service or node range overlaps another: ${
        clash.length ? `not met (${clash.length} overlapping pair${clash.length === 1 ? "" : "s"}; see the address plan)` : "met"
      }.`,
    );
  }
  return ["## Day-two checklist", "", ...(items.length ? items : ["Nothing in this design is covered by the checklist."]), ""];
}
