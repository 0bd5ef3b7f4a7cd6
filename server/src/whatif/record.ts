/**
 * The architecture decision record of one topology: everything a reviewer needs to check the
 * design by hand — members and majorities, every single-site loss, frozen splits, timer and
 * commit-latency arithmetic, the address plan, capacity after every loss, the export surface,
 * the failure matrix and the open findings — with the seed's day-two checklist marked met or
 * not. Pure: the CLI writes it to a file, the editor opens it in the Markdown preview.
 */
import type { FileAnalysis } from "../analysis";
import { canonical } from "../math/cidr";
import { majority, MAX_ENUMERATED_SITES, memberSites, partitions, siteLosses, total } from "../math/quorum";
import { toNumber } from "../math/rational";
import { loadOf, overCapacity } from "../math/traffic";
import type { Finding } from "../model/finding";
import type { Cluster } from "../model/topology";
import { diagramFor } from "../preview/mermaid";
import { cidrOverlaps, declaredRanges, isClusterRange, parsedRanges, type ClusterRange, type ParsedRange } from "../derive/cidr";
import type { Quorum, TopologyContext } from "../derive/context";
import { commitLatencies as leaderLatencies, writeBudget } from "../derive/latency";
import { trafficLoads } from "../derive/loads";
import { fatalSiteLosses, judgedQuorums } from "../derive/siteloss";
import { etcdTimers, largestMemberRtt, MAX_ELECTION_TIMEOUT_MS, timerAdvice } from "../derive/timers";
import { cell, codeSpan as code, ms, num, table } from "../util/format";
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
    `Written by quorate ${cell(input.version)} from ${code(input.path)}. Every number below is derived from that file; each table shows its inputs so that it can be checked by hand.`,
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
  const quorums = judgedQuorums(ctx);
  if (!quorums.length) out.push("No etcd membership and no consensus or Galera store is declared.", "");
  for (const q of quorums) out.push(...quorumSection(ctx, q));

  out.push(...addressPlan(ctx));
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
  const { heartbeat: hb, election: el, heartbeatDeclared, electionDeclared } = etcdTimers(q.owner as Cluster);
  const a = timerAdvice(ctx, q);
  const rows: (string | number | { raw: string })[][] = [
    [
      "heartbeat",
      `${ms(hb)}${heartbeatDeclared ? "" : " (etcd default)"}`,
      "≥ largest member RTT",
      `${ms(a.maxRtt)}${a.maxRttPair ? ` (${a.maxRttPair.join("–")})` : ""}`,
      mark(hb >= a.maxRtt),
    ],
    [
      "election timeout",
      `${ms(el)}${electionDeclared ? "" : " (etcd default)"}`,
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
  rows.push(["election timeout", ms(el), "≤ etcd's upper limit", ms(MAX_ELECTION_TIMEOUT_MS), mark(el <= MAX_ELECTION_TIMEOUT_MS)]);
  return [
    "Timers (etcd's tuning guide: the heartbeat covers the round trip between members, the election timeout ten times it):",
    "",
    table(["timer", "value", "rule", "needed", ""], rows),
    "",
    a.feasible
      ? `Timers derived from the RTTs: heartbeat ${ms(a.heartbeat)}, election timeout ${ms(a.election)}.`
      : `No election timeout within etcd's ${ms(MAX_ELECTION_TIMEOUT_MS)} limit is ten times the largest RTT: the members are too far apart for one etcd.`,
    "",
  ];
}

function commitLatencies(ctx: TopologyContext, q: Quorum): string[] {
  const sites = memberSites(q.counts);
  if (sites.length < 2) return [];
  if (q.kind === "galera") {
    const worst = largestMemberRtt(ctx, q).ms;
    return [`Every Galera commit is certified by every member: each write waits for the largest member RTT, ${ms(worst)}.`, ""];
  }
  const budget = writeBudget(q);
  const rows = leaderLatencies(ctx, q).map(({ leader, ms: l }) => {
    const row: (string | number | { raw: string })[] = [leader, l === undefined ? "unknown (a member link has no rttMs)" : ms(l)];
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

/** The clusters' ranges and the pairs of them that overlap (the site addresses are not part of this table). */
function clusterRanges(ctx: TopologyContext) {
  const ranges = declaredRanges(ctx).filter(isClusterRange);
  const parsed = parsedRanges(ctx);
  const overlaps: [ClusterRange & ParsedRange, ClusterRange & ParsedRange][] = [];
  for (const [i, j] of cidrOverlaps(ctx)) {
    const a = parsed[i];
    const b = parsed[j];
    if (isClusterRange(a) && isClusterRange(b)) overlaps.push([a, b]);
  }
  return { ranges, overlaps };
}

function addressPlan(ctx: TopologyContext): string[] {
  const { ranges, overlaps: pairs } = clusterRanges(ctx);
  if (!ranges.length) return ["## Address plan", "", "No cluster declares a pod, service or node range.", ""];
  const overlaps = new Map<object, string[]>();
  for (const [a, b] of pairs) {
    const say = (x: typeof a) => `${canonical(x.cidr)} (${x.cluster.name?.value ?? "?"} ${x.value.field})`;
    overlaps.set(a.value, [...(overlaps.get(a.value) ?? []), say(b)]);
    overlaps.set(b.value, [...(overlaps.get(b.value) ?? []), say(a)]);
  }
  return [
    "## Address plan",
    "",
    `Every range of every cluster. Overlaps are marked (Globalnet clusters may reuse ranges between each other).`,
    "",
    table(
      ["cluster", "site", "network", "range", "overlaps"],
      ranges.map((r) => [
        r.cluster.name?.value ?? "?",
        r.cluster.site?.value ?? "?",
        r.value.field,
        r.cidr ? canonical(r.cidr) : `${r.value.value} (not a CIDR)`,
        overlaps.has(r.value) ? { raw: `**overlaps** ${overlaps.get(r.value)!.map(cell).join("; ")}` } : "none",
      ]),
    ),
    "",
  ];
}

function capacity(ctx: TopologyContext): string[] {
  const out = ["## Capacity", ""];
  let any = false;
  for (const tr of ctx.topology.traffic) {
    const loads = trafficLoads(ctx, tr);
    if (!loads || !tr.name) continue;
    any = true;
    const { peak, backends: lb } = loads;
    const rows: (string | number | { raw: string })[][] = [];
    for (const sc of loads.scenarios) {
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
      ? `Who may export: namespaces ${allowed?.length ? allowed.map((a) => code(a)).join(", ") : "none listed"}; subjects ${
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
  if (judgedQuorums(ctx).length) {
    const failing = fatalSiteLosses(ctx).map(({ quorum, loss }) => `${quorum.label} without ${loss.site}`);
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
        .map((r) => `${cell(r.name)} ${r.policy ? code(r.policy) : "none"} (${r.ok ? "met" : "not met"})`)
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
  const plan = clusterRanges(ctx);
  if (plan.ranges.some((r) => r.cidr)) {
    const clash = plan.overlaps;
    items.push(
      `- [${clash.length ? " " : "x"}] **Non-overlapping CIDR matrix** — no pod, service or node range overlaps another: ${
        clash.length ? `not met (${clash.length} overlapping pair${clash.length === 1 ? "" : "s"}; see the address plan)` : "met"
      }.`,
    );
  }
  return ["## Day-two checklist", "", ...(items.length ? items : ["Nothing in this design is covered by the checklist."]), ""];
}
