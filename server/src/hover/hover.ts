import type { FileAnalysis } from "../analysis";
import type { Span } from "../model/text";
import type { Cluster, Link, Objectives, Site, Traffic } from "../model/topology";
import {
  apiSubject,
  federatedText,
  figuresMarkdown,
  MINUTES_PER_YEAR,
  type NineBetterRow,
  oneMoreNine,
  oneMoreNineLink,
  RTO_DETECTION,
  reportOf,
  rtoEstimate,
} from "../availability/figures";
import { canonical, formatAddress, parseCidr, size } from "../math/cidr";
import { fiberFloorMs, haversineKm } from "../math/geo";
import { lagBytesNeeded, lagSecondsCovered } from "../math/lag";
import { majority, MAX_ENUMERATED_SITES, partitions, type siteLosses, tolerance, total } from "../math/quorum";
import { homeSite, minorityText, siteLossOutcome, siteLossVerdict, votingLosses } from "../derive/siteloss";
import { FAILOVER_HEAD, failoverGap, failoverGapText, failovers, failoverText } from "../availability/failover";
import { cmp, fromNumber, toNumber } from "../math/rational";
import { loadOf, overCapacity } from "../math/traffic";
import { globalnetExempt, rangeWhere, rangesOverlapping } from "../derive/cidr";
import type { Quorum, TopologyContext } from "../derive/context";
import { bestCommit, commitLatencies, galeraCommit } from "../derive/latency";
import { bestSites, writeJudgement } from "../derive/writes";
import { trafficLoads } from "../derive/loads";
import {
  exportedServices,
  inDifferentSites,
  ISTIO_CERT_WINDOW,
  istioMeshes,
  istioName,
  K8S_NAME_MAX,
  podsRoutable,
} from "../derive/meshes";
import { cutOffVoterSites, memberGaps, neverVoteText, votingCounts } from "../derive/reach";
import { listText } from "../util/strings";
import { etcdTimers, MAX_ELECTION_TIMEOUT_MS, timerAdvice } from "../derive/timers";
import {
  availabilityPercent,
  bytes,
  count,
  mdText as md,
  minutes,
  ms,
  percentOfTime,
  loadWords,
  rps,
  rpsFigure,
  rpsOver,
  sig,
  table as mdTable,
} from "../util/format";
import { insideOneSite, type PortRow, portMatrix, portText, rowsOfCluster } from "../ports/ports";
import { within } from "../nav/symbols";
import { keyAt, schemaAt } from "./schemaDocs";

export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
}

/** Words, not emoji: hovers must read the same without an emoji font. */
const ok = (b: boolean) => (b ? "ok" : "**fails**");
const on = (span: Span, offset: number) => within(span, offset);
const onField = (f: { span: Span; keySpan: Span } | undefined, offset: number) => !!f && (on(f.span, offset) || on(f.keySpan, offset));
/** A table of cells that are Markdown already (names escaped with `md` where they are built). */
const raw = (x: string) => ({ raw: x });
const table = (head: string[], rows: string[][]) =>
  mdTable(
    head.map(raw),
    rows.map((r) => r.map(raw)),
  );

function quorumHover(ctx: TopologyContext, q: Quorum): string {
  const n = total(q.counts);
  const maj = majority(n);
  // its voters as designed, as check and simulate judge them (derive/siteloss votingLosses: a voter that can dial none of the others never votes)
  const losses = votingLosses(ctx, q);
  const voting = votingCounts(ctx, q);
  // the failures it tolerates are its voters' beyond the configured majority: a member that never votes is one already failed (review M109)
  const voters = total(voting);
  const tol = voters === n ? tolerance(n) : Math.max(0, voters - maj);
  // a cluster's etcd stopping with its own site is lost with its cluster (derive/siteloss homeSite)
  const home = homeSite(ctx, q);
  const lost = losses.filter((l) => !l.survives && l.site !== home);
  const withCluster = home !== undefined && losses.some((l) => l.site === home && !l.survives);
  const splits = partitions(voting, n);
  const frozen = splits.filter((p) => p.verdict === "frozen");
  // the verdict first, then the one table that matters, then what is left: one screen
  // its voters as designed can never make the majority (review M109): writes are stopped with every site up, not by a loss
  const stopped = voters < maj;
  const api = apiWhenCutOff(ctx, q, home, losses.length);
  let verdict: string;
  if (stopped)
    verdict = `**writes are stopped with every site up**: ${md(neverVoteText(q, cutOffVoterSites(ctx, q)))} as designed (\`quorum/member-unreachable\`), so ${voters} of ${n} members can vote; majority ${maj}`;
  else if (losses.length === 1) verdict = `all members sit in **${md(losses[0].site)}**: the quorum lives and dies with that site`;
  else if (lost.length) {
    // every fatal loss is listed (the table below shows them all); the home site's is said for what it is
    // the home site's loss is not a stop: the etcd is lost with its cluster, as simulate says (derive/siteloss siteLossOutcome, review M150)
    verdict = `**losing ${lost.map((l) => md(l.site)).join(" or ")} stops writes** (${lost[0].survivors} of ${n} left; majority ${maj})${withCluster ? ` — losing ${md(home!)} loses ${md(clusterName(q))} itself, which runs there, and its etcd with it` : ""}`;
  } else {
    const survives = withCluster
      ? `survives the loss of every other site (losing ${md(home!)} loses ${md(clusterName(q))} itself, which runs there, and its etcd is lost with it, not stopped)`
      : "survives every single-site loss";
    verdict = frozen.length
      ? `${survives}, but **${frozen.length} partition${frozen.length === 1 ? "" : "s"} stop writes on both sides**`
      : `${survives}${splits.length ? ` and every partition` : ""}`;
    // an etcd whose cluster's site holds a minority (review M125): what survives is the quorum — a majority writes — not the API at that site (below)
    if (api.length)
      verdict = `the quorum ${verdict} (a majority keeps writing); ${md(clusterName(q))}'s API at ${md(home!)} stops when ${md(home!)} is cut off (below)`;
  }
  const parts = [
    `**${md(q.label)}**: ${verdict}.`,
    // stopped with every site up (w58): the voters are short of the majority already — no "tolerates 0 failures" beside that
    stopped
      ? `${n} members (${voters} that vote as designed), majority **${maj}**: ${maj - voters} vote${maj - voters === 1 ? "" : "s"} short of it with every site up.`
      : `${n} members${voters === n ? "" : ` (${voters} that vote as designed)`}, majority **${maj}**, tolerates **${tol}** failure${tol === 1 ? "" : "s"}.`,
  ];
  parts.push(...api);
  if (losses.length > 1 && q.kind === "galera") {
    // Galera has no leader: a commit's write-set goes to every node in total order before each
    // certifies it, so a commit from any site waits one round trip to the farthest member site
    const farthest = (site: string) => galeraCommit(ctx, q, site);
    parts.push(
      table(
        ["site", "members", "if lost", "commit from here waits for"],
        losses.map((l) => {
          const c = farthest(l.site);
          return [
            md(l.site),
            String(l.lost),
            `${l.survivors} of ${n}: ${l.survives ? "survives" : "**quorum lost**"}`,
            c === undefined ? noCommit(ctx, q, l.site) : `${ms(c)} (write-set to every node, then certification)`,
          ];
        }),
      ),
    );
  } else if (losses.length > 1) parts.push(leaderTable(ctx, q, losses, n));
  const sum = (s: string[]) => s.reduce((a, x) => a + (voting.get(x) ?? 0), 0);
  // every split stops too when all up does: the verdict says why, no partition is to blame
  if (frozen.length && !stopped) {
    const shown = frozen.slice(0, 4);
    parts.push(
      `Partitions that leave neither side a majority: ${shown
        .map((p) => `${p.left.map(md).join(", ")} (${sum(p.left)}) / ${p.right.map(md).join(", ")} (${sum(p.right)})`)
        .join("; ")}${frozen.length > shown.length ? `; …and ${frozen.length - shown.length} more` : ""}.`,
    );
  } else if (splits.length && !stopped) parts.push(`Every split of the ${q.counts.size} member sites leaves one side a majority.`);
  else if (q.counts.size > MAX_ENUMERATED_SITES)
    parts.push(`${q.counts.size} member sites: partitions are summarised by the \`quorum/partition\` rule.`);
  parts.push(...unreachableVotes(ctx, q));
  return parts.join("\n\n");
}

/** An etcd's cluster's name. */
const clusterName = (q: Quorum): string => (q.owner as Cluster).name?.value ?? "the cluster";

/**
 * A stretched etcd whose cluster's site holds a minority of its members (review M125): the quorum
 * survives the cut, the cluster's API at its site does not — the line the record and
 * `quorate availability` give, where a designer decides to stretch.
 */
function apiWhenCutOff(ctx: TopologyContext, q: Quorum, home: string | undefined, memberSites: number): string[] {
  if (q.kind !== "etcd" || home === undefined || memberSites < 2) return [];
  const n = total(q.counts);
  const here = q.counts.get(home) ?? 0;
  if (!here || here >= majority(n)) return [];
  const own = clusterName(q);
  const f = reportOf(ctx).figures.find((x) => x.owner === q.owner && x.api);
  const federated = f && federatedText(f);
  return [
    `**When ${md(home)} is cut off, ${md(own)}'s API stops there** (${md(minorityText(here, n, home))}): no scaling, rollouts or rescheduling, while its pods keep serving.${f ? ` ${md(apiSubject(f))}: ${availabilityPercent(f.availability, f.unavailability)}${federated ? `; ${md(federated)}` : ""} (\`quorate availability\`).` : ""}`,
  ];
}

/**
 * The consensus quorum's table: each member site's loss, its commit as leader and — for a store —
 * its slowest client write as leader; for an etcd, its cluster's API write from its nodes (through
 * their API servers, derive/writes). "(best)" marks one column, by one rule: the writes' best
 * placement (derive/writes bestSites: the slowest write, then the commit), which is where the
 * engine places the leader with every site up; the commit column only where nobody writes. A tie
 * is said as one.
 */
function leaderTable(ctx: TopologyContext, q: Quorum, losses: ReturnType<typeof siteLosses>, n: number): string {
  const latency = new Map(commitLatencies(ctx, q).map((l) => [l.leader, l.ms]));
  // a store's slowest client write per leader site (derive/writes, as rtt/write-budget judges it); an etcd's cluster's API write
  const writes = q.kind === "consensus" || q.kind === "etcd" ? writeJudgement(ctx, q) : undefined;
  const written = !!writes?.writers.length;
  const bestCommitAt = bestCommit(ctx, q);
  const best = written
    ? bestSites(writes!)
    : bestCommitAt
      ? [...latency].filter(([, x]) => x === bestCommitAt.latency).map(([site]) => site)
      : [];
  const mark = (site: string) => {
    if (!best.includes(site)) return "";
    const others = best.filter((x) => x !== site);
    return others.length ? ` (best, tied with ${md(listText(others))})` : " (best)";
  };
  const slowest = (site: string) => {
    const p = writes?.placements.find((x) => x.site === site);
    if (!p || p.slowest === undefined) return noCommit(ctx, q, site);
    if (q.kind === "etcd") return `${ms(p.slowest)}${mark(site)}`;
    const from = p.writes.find((w) => w.route.ms === p.slowest)!.from;
    return `${ms(p.slowest)} (from ${md(from)})${mark(site)}`;
  };
  const own = clusterName(q);
  const writesHead = !written
    ? []
    : q.kind === "etcd"
      ? [`${md(own)}'s API write as leader (from its nodes at ${writes!.writers.map(md).join(", ")}, through their API servers)`]
      : [`slowest write as leader (from ${writes!.writers.map(md).join(", ")})`];
  return table(
    ["site", "members", "if lost", "commit latency as leader", ...writesHead],
    losses.map((l) => {
      const c = latency.get(l.site);
      return [
        md(l.site),
        String(l.lost),
        // its cluster's own site: the etcd is lost with the cluster, as simulate says (derive/siteloss siteLossOutcome, review M150)
        `${l.survivors} of ${n}: ${l.survives ? "survives" : siteLossOutcome(ctx, q, l) === "lost" ? `**lost** with ${md(own)}` : "**quorum lost**"}`,
        c === undefined ? noCommit(ctx, q, l.site) : `${ms(c)}${written ? "" : mark(l.site)}`,
        ...(written ? [slowest(l.site)] : []),
      ];
    }),
  );
}

/**
 * Why a member site's cell has no commit (derive/latency: the voters as designed, review M109):
 * its members never vote, so it leads nothing; the voters cannot complete the majority; else a
 * member link has no RTT.
 */
function noCommit(ctx: TopologyContext, q: Quorum, site: string): string {
  if (cutOffVoterSites(ctx, q).includes(site)) return "— (never votes as designed)";
  return total(votingCounts(ctx, q)) < majority(total(q.counts)) ? "— (no majority can vote)" : "— (missing link)";
}

/** Votes the quorum's table counts that cannot arrive as designed (derive/reach, quorum/member-unreachable): one line per host site. */
function unreachableVotes(ctx: TopologyContext, q: Quorum): string[] {
  const cut = memberGaps(ctx).filter((g) => g.store === q.owner && g.role === "member");
  // a host that reaches none of the others never votes (votingCounts): the table leaves its votes out; one that reaches some keeps them
  const silent = cutOffVoterSites(ctx, q);
  return [...new Set(cut.map((g) => g.hostSite))].map(
    (host) =>
      `**As designed, ${md(host)}'s members cannot dial the pods at ${md(listText(cut.filter((g) => g.hostSite === host).map((g) => g.podSite)))}** (\`quorum/member-unreachable\`): ${silent.includes(host) ? "they never vote, and the table above does not count them" : "the table above counts their votes"}.`,
  );
}

function timerHover(ctx: TopologyContext, q: Quorum, c: Cluster): string {
  const etcd = c.etcd!;
  const a = timerAdvice(ctx, q);
  const { heartbeat: hb, election: el } = etcdTimers(c);
  const rows: string[][] = [
    ["heartbeat ≥ largest RTT", `${hb} ≥ ${a.maxRtt}`, ok(hb >= a.maxRtt)],
    ["election ≥ 10 × largest RTT", `${el} ≥ ${10 * a.maxRtt}`, ok(el >= 10 * a.maxRtt)],
    ["election ≥ 5 × heartbeat (etcd starts)", `${el} ≥ ${5 * hb}`, ok(el >= 5 * hb)],
    ["election ≈ 10 × heartbeat", `${el} ≥ ${10 * hb}`, ok(el >= 10 * hb)],
    ["election ≤ 50000 ms", `${el} ≤ ${MAX_ELECTION_TIMEOUT_MS}`, ok(el <= MAX_ELECTION_TIMEOUT_MS)],
  ];
  if (a.maxP99 !== undefined) rows.push(["election ≥ 10 × largest p99 RTT", `${el} ≥ ${10 * a.maxP99}`, ok(el >= 10 * a.maxP99)]);
  return [
    `**etcd timers of ${md(c.name?.value ?? "cluster")}** — heartbeat ${hb} ms${etcd.heartbeatMs ? "" : " (default)"}, election timeout ${el} ms${etcd.electionTimeoutMs ? "" : " (default)"}`,
    `Largest member RTT: **${ms(a.maxRtt)}**${a.maxRttPair ? ` (${a.maxRttPair.map(md).join("–")})` : ""}${a.maxP99 !== undefined ? `; largest p99: **${ms(a.maxP99)}** (${a.maxP99Pair!.map(md).join("–")})` : ""}`,
    table(["check", "values (ms)", ""], rows),
    `Sized from RTT: heartbeat **${a.heartbeat} ms**, election timeout **${a.election} ms** (heartbeat = max(100, RTT rounded up to 10 ms); election = max(10 × heartbeat, 10 × RTT, 10 × p99)).`,
  ].join("\n\n");
}

function linkHover(ctx: TopologyContext, link: Link): string {
  const [a, b] = link.between?.items.map((i) => i.value) ?? [];
  const parts = [
    `**${md(a ?? "?")} – ${md(b ?? "?")}**: RTT ${link.rttMs ? ms(link.rttMs.value) : "—"}${link.rttP99Ms ? `, p99 ${ms(link.rttP99Ms.value)}` : ""}`,
  ];
  const sa = a ? ctx.topology.siteByName.get(a) : undefined;
  const sb = b ? ctx.topology.siteByName.get(b) : undefined;
  if (sa?.lat && sa.lon && sb?.lat && sb.lon) {
    const pa = { lat: sa.lat.value, lon: sa.lon.value };
    const pb = { lat: sb.lat.value, lon: sb.lon.value };
    const floor = fiberFloorMs(pa, pb);
    parts.push(
      table(
        ["great-circle distance", "fiber floor (1 ms / 100 km)", "declared RTT"],
        [
          [
            `${count(Math.round(haversineKm(pa, pb)))} km`,
            ms(floor),
            link.rttMs ? `${ms(link.rttMs.value)} ${ok(link.rttMs.value >= floor)}` : "—",
          ],
        ],
      ),
    );
  } else parts.push("Give both sites a `location` to check this RTT against the speed of light in fiber.");
  return parts.join("\n\n");
}

function cidrHover(ctx: TopologyContext, cluster: Cluster, value: string, field: string): string {
  const c = parseCidr(value);
  if (!c) return `\`${md(value)}\` is not an IPv4 or IPv6 prefix.`;
  const others = rangesOverlapping(ctx, c)
    .filter((o) => !(o.cluster === cluster && o.value.field === field && o.value.value === value))
    .map((o) => `${canonical(o.cidr)} (${md(rangeWhere(o))}${o.cluster && globalnetExempt(cluster, o.cluster) ? ", both Globalnet" : ""})`);
  return [
    `**${canonical(c)}**${canonical(c) !== value ? ` (written \`${md(value)}\`)` : ""} — ${md(cluster.name?.value ?? "?")}.network.${field}`,
    table(["first", "last", "addresses"], [[formatAddress(c.family, c.first), formatAddress(c.family, c.last), count(size(c))]]),
    others.length ? `Overlaps: ${others.join("; ")}` : "Overlaps nothing declared.",
  ].join("\n\n");
}

function trafficHover(ctx: TopologyContext, index: number): string {
  const tr = ctx.topology.traffic[index];
  const loads = trafficLoads(ctx, tr);
  if (!loads)
    return `**${md(tr.name?.value ?? "traffic")}**: set \`peakRps\` and resolve every backend's cluster to see the load arithmetic.`;
  const { peak, backends, scenarios: all } = loads;
  const head = ["backend", "site", "weight", "capacity", "all up", ...all.slice(1).map((s) => `lose ${md(s.lost!)}`), "headroom"];
  const rows = tr.backends.map((b, i) => {
    const cap = b.capacityRps?.value;
    const worst = loads.worst[i];
    const cells = all.map((s) => {
      const l = loadOf(s, i);
      // the numbers as simulate and the record print them (review M86): separators, "lost", headroom in %
      if (!l) return "lost";
      if (s.stranded) return "—";
      // beside the capacity, the decimals that keep it on its side (review M140: "1,500 **over**" for 1,500.4)
      const digits = cap !== undefined ? loadWords(toNumber(l), cap).digits : 0;
      return `${rpsFigure(toNumber(l), digits)}${overCapacity(s, i) ? " **over**" : ""}`;
    });
    let headroom = "—";
    if (cap !== undefined && worst) {
      const w = loadWords(toNumber(worst), cap);
      headroom = `${w.headroom} (${w.share})`;
    }
    return [
      md(b.cluster!.value),
      md(backends[i].site!),
      count(backends[i].weight),
      cap !== undefined ? count(cap) : "—",
      ...cells,
      headroom,
    ];
  });
  return [
    `**${md(tr.name?.value ?? "traffic")}** — peak ${rps(peak)} shared by weight: load = peak × w / Σ surviving w`,
    table(head, rows),
    "Headroom = capacity − worst load across every site loss.",
  ].join("\n\n");
}

function lagHover(ctx: TopologyContext, index: number): string {
  const s = ctx.topology.stores[index];
  const { maxLagSeconds: lag, writeRatePerSecond: rate, writeBytes: size_, lagBufferBytes: buffer } = s;
  if (!lag || !rate || !size_)
    return `**${md(s.name?.value ?? "store")}**: set maxLagSeconds, writeRatePerSecond and writeBytes to size the lag buffer.`;
  const need = lagBytesNeeded(lag.value, rate.value, size_.value);
  const rows = [
    [
      `${count(lag.value)} s × ${count(rate.value)} writes/s × ${count(size_.value)} bytes`,
      bytes(toNumber(need)),
      buffer ? bytes(buffer.value) : "—",
      buffer ? ok(cmp(need, fromNumber(buffer.value)) <= 0) : "—",
    ],
  ];
  return [
    `**Lag buffer of ${md(s.name?.value ?? "store")}**`,
    table(["needed = lag × rate × size", "bytes", "lagBufferBytes", "fits"], rows),
    buffer
      ? `The buffer rides out **${+lagSecondsCovered(buffer.value, rate.value, size_.value).toFixed(1)} s** of lag at this write rate.`
      : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** A verdict in a hover table: the outcome word in bold where it is not `continues`. */
const verdictCell = (word: string, text: string) => (word === "continues" ? md(text) : `**${word}**${md(text.slice(word.length))}`);

function siteHover(ctx: TopologyContext, site: Site): string {
  const name = site.name!.value;
  const t = ctx.topology;
  const clusters = t.clusters.filter((c) => c.site?.value === name).map((c) => md(c.name?.value ?? "?"));
  const lines: string[] = [`**Site ${md(name)}** (${site.role})`];
  lines.push(`Clusters: ${clusters.length ? clusters.join(", ") : "none"}`);
  const quorumRows: string[][] = [];
  for (const q of ctx.quorums) {
    if (!q.resolved || !q.counts.has(name)) continue;
    const l = votingLosses(ctx, q).find((x) => x.site === name)!;
    quorumRows.push([
      md(q.label),
      String(l.lost),
      `${l.survivors} of ${total(q.counts)} (majority ${l.majority})`,
      // the what-if engine's word and why (derive/siteloss, review M150): a federated etcd is lost with its site, never "stopped"
      verdictCell(siteLossOutcome(ctx, q, l), siteLossVerdict(ctx, q, l)),
    ]);
  }
  if (quorumRows.length) lines.push(`Losing this site:\n\n${table(["quorum", "members here", "survivors", "verdict"], quorumRows)}`);
  // the other clusters' own control planes, untouched by this loss (a federated design is never down as a whole)
  const elsewhere = ctx.quorums.filter(
    (q) => q.kind === "etcd" && q.resolved && q.counts.size && !q.counts.has(name) && homeSite(ctx, q) !== name,
  );
  if (elsewhere.length && quorumRows.length)
    lines.push(
      `Control planes unaffected: ${elsewhere.map((q) => md((q.owner as Cluster).name?.value ?? q.label)).join(", ")} (no etcd member here).`,
    );
  const over: string[] = [];
  for (const tr of t.traffic) {
    const s = trafficLoads(ctx, tr)?.scenarios.find((x) => x.lost === name);
    if (!s) continue;
    if (s.stranded) over.push(`${md(tr.name?.value ?? "traffic")}: no backend left`);
    tr.backends.forEach((b, i) => {
      const l = loadOf(s, i);
      if (l && overCapacity(s, i))
        over.push(
          `${md(tr.name?.value ?? "traffic")}: ${md(b.cluster!.value)} carries ${rpsOver(toNumber(l), b.capacityRps!.value)}, capacity ${rps(b.capacityRps!.value)}`,
        );
    });
  }
  if (over.length) lines.push(`Overloaded after losing it: ${over.join("; ")}`);
  else if (t.traffic.length) lines.push("No backend is overloaded after losing it.");
  // review M144: steered to backends that cannot write, clients get errors — not served (availability/failover, as the RTO judges it)
  const errs = t.traffic.flatMap((tr) => {
    const f = failovers(ctx, tr).find((x) => x.lost === name && x.outcome === "errors");
    return f ? [`${md(tr.name?.value ?? "traffic")}: ${md(failoverText(f))}`] : [];
  });
  if (errs.length) lines.push(`**Not served after losing it** (clients steered to backends that cannot write): ${errs.join("; ")}.`);
  return lines.join("\n\n");
}

function istioPrimaryHover(ctx: TopologyContext, remote: Cluster): string {
  const primary = ctx.topology.clusterByName.get(remote.istio!.primary!.value);
  if (!primary) return "";
  const site = primary.site?.value ?? "?";
  const remoteSite = remote.site?.value ?? "?";
  const other = inDifferentSites(ctx, remote, primary);
  return [
    `**Control plane of ${md(remote.name?.value ?? "?")}**: istiod of ${md(primary.name!.value)} in ${md(site)} (remote in ${md(remoteSite)})`,
    other
      ? `Losing **${md(site)}** stops config pushes, sidecar injection (the webhook fails closed) and certificate issuance for ${md(remote.name?.value ?? "?")}; ${ISTIO_CERT_WINDOW}.`
      : "Same site: the remote loses its control plane only with its own site.",
  ].join("\n\n");
}

function istioNetworkHover(ctx: TopologyContext, cluster: Cluster): string {
  const meshId = cluster.istio!.meshId?.value;
  const net = cluster.istio!.network!.value;
  const members = (meshId ? istioMeshes(ctx).get(meshId) : undefined) ?? [cluster];
  const sharing = members.filter((c) => c.istio!.network?.value === net);
  const rows = sharing
    .filter((c) => c !== cluster)
    .map((c) => [md(istioName(c) ?? "?"), md(c.site?.value ?? "?"), podsRoutable(ctx, cluster, c) ? "routable" : "**not routable**"]);
  return [
    `**Istio network ${md(net)}** (mesh ${md(meshId ?? "?")}): clusters on one network reach each other's pod IPs directly.`,
    rows.length
      ? table(["shares it", "site", `pods from ${md(cluster.name?.value ?? "?")}`], rows)
      : "No other cluster of the mesh is on this network.",
  ].join("\n\n");
}

function linkerdLinkHover(ctx: TopologyContext, cluster: Cluster, index: number): string {
  const link = cluster.linkerd!.links[index];
  const target = link.cluster!.value;
  const services = exportedServices(ctx, target);
  const mirrors = link.mode !== "federated";
  return [
    `**Linkerd link** ${md(cluster.name?.value ?? "?")} ← ${md(target)} (${link.mode} mode): ${md(cluster.name?.value ?? "?")} mirrors Services exported by ${md(target)}.`,
    services.length && mirrors
      ? table(
          ["exported Service", "mirrored as", "length"],
          services.map((s) => [md(s), md(`${s}-${target}`), `${`${s}-${target}`.length} ${ok(`${s}-${target}`.length <= K8S_NAME_MAX)}`]),
        )
      : mirrors
        ? `No topology \`exports\` name ${md(target)} yet; mirrored names will be \`<service>-${md(target)}\` (at most ${K8S_NAME_MAX} characters).`
        : "Federated mode joins endpoints into one Service; nothing is renamed.",
  ].join("\n\n");
}

/** The entity whose span holds `offset`, by binary search: list items are in document order. */
/** The ports this cluster's cross-site flows need (the port matrix's rows it takes part in). */
function meshPortsHover(ctx: TopologyContext, c: Cluster): string {
  const name = c.name!.value;
  const rows = rowsOfCluster(portMatrix(ctx), name);
  const head = `**Ports for ${md(name)}** (${md(c.mesh === "none" ? "no cross-cluster pod network" : c.mesh)}): what the firewalls between its site and the others must let through.`;
  const line = (r: PortRow) => {
    const other = r.from.cluster === name ? r.to : r.from;
    const dir = r.direction === "both" ? "↔" : r.from.cluster === name ? "→" : "←";
    return `- ${md(portText(r))} ${dir} ${md(other.what)} (${md(other.site)}): ${md(r.component)}${r.when ? ` (only ${md(r.when)})` : ""}${r.inside ? ` (inside ${md(r.inside)}: a NetworkPolicy rule)` : ""}`;
  };
  // a flow inside its own site (Submariner's VXLAN to the gateway, UDP 4800) is no rule between sites: said apart (w85)
  const across = rows.filter((r) => !insideOneSite(r)).map(line);
  const inside = rows.filter(insideOneSite).map(line);
  const site = ctx.siteOfCluster(name);
  const within = inside.length
    ? `\n\n**Inside ${md(site ?? "its site")}**, not between sites (the hosts' own firewalls, no WAN rule):\n\n${inside.join("\n")}`
    : "";
  if (!across.length && !inside.length) return `${head}\n\nNo cross-site flow involves this cluster.`;
  return `${head}\n\n${across.length ? across.join("\n") : "No cross-site flow involves this cluster."}${within}\n\nUpstream defaults; \`quorate ports\` reads ports the bound deployment files change, with both ends' ranges.`;
}

export function entityAt<T extends { span: Span }>(list: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid].span;
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else return list[mid];
  }
  return undefined;
}

function topologyHover(ctx: TopologyContext, offset: number): HoverResult | undefined {
  const t = ctx.topology;
  const c = entityAt(t.clusters, offset);
  if (c) {
    const q = ctx.quorumOf(c);
    if (q?.resolved && (on(q.members.keySpan, offset) || on(q.members.span, offset)))
      return { markdown: quorumHover(ctx, q), span: q.members.keySpan };
    const e = c.etcd;
    if (e && q?.resolved) {
      for (const f of [e.heartbeatMs, e.electionTimeoutMs])
        if (onField(f, offset)) return { markdown: timerHover(ctx, q, c), span: f!.span };
    }
    for (const v of c.cidrs) if (on(v.span, offset)) return { markdown: cidrHover(ctx, c, v.value, v.field), span: v.span };
    if (c.meshAt && (on(c.meshAt.span, offset) || on(c.meshAt.keySpan, offset)) && c.name)
      return { markdown: meshPortsHover(ctx, c), span: c.meshAt.span };
    if (c.istio?.primary && on(c.istio.primary.span, offset) && t.clusterByName.has(c.istio.primary.value))
      return { markdown: istioPrimaryHover(ctx, c), span: c.istio.primary.span };
    if (c.istio?.network && on(c.istio.network.span, offset)) return { markdown: istioNetworkHover(ctx, c), span: c.istio.network.span };
    const li = c.linkerd?.links.findIndex((l) => l.cluster && on(l.cluster.span, offset)) ?? -1;
    if (li >= 0 && t.clusterByName.get(c.linkerd!.links[li].cluster!.value)?.linkerd)
      return { markdown: linkerdLinkHover(ctx, c, li), span: c.linkerd!.links[li].cluster!.span };
    return undefined;
  }
  const s = entityAt(t.stores, offset);
  if (s) {
    const q = ctx.quorumOf(s);
    if (q?.resolved && (on(q.members.keySpan, offset) || on(q.members.span, offset)))
      return { markdown: quorumHover(ctx, q), span: q.members.keySpan };
    // the budget's arithmetic is the quorum's: commit and client writes per leader placement (review M107)
    if (q?.resolved && onField(s.writeLatencyBudgetMs, offset))
      return { markdown: quorumHover(ctx, q), span: s.writeLatencyBudgetMs!.span };
    for (const f of [s.maxLagSeconds, s.writeRatePerSecond, s.writeBytes, s.lagBufferBytes])
      if (onField(f, offset)) return { markdown: lagHover(ctx, s.index), span: f!.span };
    return objectivesHover(ctx, q?.owner ?? s, s.objectives, offset);
  }
  const l = entityAt(t.links, offset);
  if (l) {
    if (onField(l.rttMs, offset) || onField(l.rttP99Ms, offset))
      return { markdown: linkHover(ctx, l), span: (onField(l.rttMs, offset) ? l.rttMs : l.rttP99Ms)!.span };
    // a link's availability: what one more nine on it buys, as a site's does (review M107)
    const [a, b] = (l.between?.items ?? []).map((x) => x.value);
    if (l.availability && a && b && onField(l.availability, offset)) {
      // only what it moves: an entity whose figure one more nine on this link does not change is left out
      // …or whose conflict figure it lowers (review M141: the lever of a multi-writer store's conflict exposure is the link between its writers)
      const rows = oneMoreNineLink(ctx, a, b).filter(
        (r) => r.better.unavailability < r.now.unavailability * (1 - 1e-3) || conflictMoves(r),
      );
      if (rows.length) return { markdown: nineBetter(`the ${md(a)}–${md(b)} link`, l.availability.value, rows), span: l.availability.span };
    }
    return undefined;
  }
  const tr = entityAt(t.traffic, offset);
  if (tr) {
    if (onField(tr.peakRps, offset)) return { markdown: trafficHover(ctx, tr.index), span: tr.peakRps!.span };
    if (tr.ttlSeconds && onField(tr.ttlSeconds, offset)) {
      const text = ttlHover(ctx, tr);
      if (text) return { markdown: text, span: tr.ttlSeconds.span };
    }
    const b = entityAt(tr.backends, offset);
    for (const f of [b?.weight, b?.capacityRps]) if (onField(f, offset)) return { markdown: trafficHover(ctx, tr.index), span: f!.span };
    return objectivesHover(ctx, tr, tr.objectives, offset);
  }
  const site = entityAt(t.sites, offset);
  if (site?.availability && site.name && onField(site.availability, offset)) {
    const rows = oneMoreNine(ctx, site.name.value);
    if (rows.length) return { markdown: nineBetter(md(site.name.value), site.availability.value, rows), span: site.availability.span };
  }
  if (site?.name && on(site.name.span, offset) && t.siteByName.get(site.name.value) === site)
    return { markdown: siteHover(ctx, site), span: site.name.span };
  return undefined;
}

/** Whether one more nine moves a multi-writer store's conflict figure (by more than a thousandth of it). */
const conflictMoves = (r: NineBetterRow) => {
  const [now, then] = [r.now.conflictProbability ?? 0, r.better.conflictProbability ?? 0];
  return now > 0 && Math.abs(then - now) > now * 1e-3;
};

/**
 * A multi-writer store's conflict figure now and then, where it moves (review M141): a better link
 * between its writers lowers it; a better writer site raises it — both writers are up, to be cut
 * apart, more of the time.
 */
function conflictThen(r: NineBetterRow): string {
  if (!conflictMoves(r)) return "";
  const [now, then] = [r.now.conflictProbability!, r.better.conflictProbability!];
  const year = (p: number) => minutes(p * MINUTES_PER_YEAR);
  const up = then > now ? " — higher: both writers are up, to be cut apart, more of the time" : "";
  return `; writers partitioned ${percentOfTime(now)} → ${percentOfTime(then)} of the time (${year(now)} → ${year(then)} a year)${up}`;
}

/** "**fra one nine better** (0.999 → 0.9999):" and each entity's figure now and then. */
function nineBetter(what: string, availability: number, rows: ReturnType<typeof oneMoreNine>): string {
  return [
    `**${what} one nine better** (${availability} → ${sig(1 - (1 - availability) / 10)}):`,
    "",
    ...rows.map((r) => {
      const figure = `${availabilityPercent(r.now.availability, r.now.unavailability)} → ${availabilityPercent(r.better.availability, r.better.unavailability)} (${minutes(r.now.minutesPerYear)} → ${minutes(r.better.minutesPerYear)} a year)`;
      // only its conflict figure moves (a link between writers of a store that diverges): that alone, not "99.9999% → 99.9999%"
      const still = r.better.unavailability >= r.now.unavailability * (1 - 1e-3) && conflictMoves(r);
      return `- ${md(apiSubject(r.now))}: ${still ? `availability unchanged (${availabilityPercent(r.now.availability, r.now.unavailability)})` : figure}${conflictThen(r)}`;
    }),
    "",
    "_Independent failures assumed: the real figures are lower._",
  ].join("\n");
}

/** A DNS entry's TTL: its share of the RTO estimate (review M107); undefined where no estimate is made. */
function ttlHover(ctx: TopologyContext, tr: Traffic): string | undefined {
  const w = rtoEstimate(tr);
  const ttl = tr.ttlSeconds?.value;
  if (!w || ttl === undefined || !/TTL/.test(w.terms)) return undefined;
  // review M144: what the clients reach, where a failover does not serve them
  const gap = failoverGap(ctx, tr);
  return `**RTO ${count(w.seconds)} s** = ${md(w.terms)}: the TTL is ${Math.round((100 * ttl) / w.seconds)}% of it — ${md(w.caveat)}; ${md(RTO_DETECTION)}. Clients reach the surviving backends only once their cached answer expires.${gap ? `\n\n**${FAILOVER_HEAD.replace(/^a/, "A")}** ${md(failoverGapText(gap))}.` : ""}`;
}

/** On `objectives:` (or any objective) of a store or entry: its computed figures and most likely cut sets. */
function objectivesHover(ctx: TopologyContext, owner: object, o: Objectives | undefined, offset: number): HoverResult | undefined {
  if (!o || !(on(o.keySpan, offset) || on(o.span, offset))) return undefined;
  const f = reportOf(ctx).figures.find((x) => x.owner === owner);
  if (!f) return undefined;
  return { markdown: figuresMarkdown(f, ctx), span: on(o.keySpan, offset) ? o.keySpan : o.span };
}

/** Hover content at an offset: the arithmetic where a value has some, else the schema's description of the key. */
export function hoverAt(a: FileAnalysis, offset: number): HoverResult | undefined {
  const doc = a.parsed.docs.find((d) => d.span.start <= offset && offset <= d.span.end && !d.broken);
  if (!doc) return undefined;
  const ctx = a.contexts.find((c) => c.topology.span.start === doc.span.start);
  const found = ctx && topologyHover(ctx, offset);
  if (found) return found;
  if (doc.kind !== "topology") return undefined;
  const key = keyAt(doc.doc, offset);
  if (!key) return undefined;
  const node = schemaAt(key.path);
  const text = node?.markdownDescription ?? node?.description;
  return text ? { markdown: `**${key.path[key.path.length - 1]}** — ${text}`, span: key.keySpan } : undefined;
}
