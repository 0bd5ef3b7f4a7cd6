import type { Finding, FixHint } from "../model/finding";
import type { Span } from "../model/text";
import type { Etcd, Link } from "../model/topology";
import { fiberFloorMs, haversineKm } from "../math/geo";
import { bestCommit, writeBudget } from "../derive/latency";
import { cutOffVoterSites, neverVoteText } from "../derive/reach";
import { dependentsOf, type WriteJudgement, writeJudgement, writesOverBudget, writesOverBudgetText } from "../derive/writes";
import type { Store } from "../model/topology";
import { etcdTimers as timersOf, largestMemberRtt, MAX_ELECTION_TIMEOUT_MS, timerAdvice } from "../derive/timers";
import { ms } from "../util/format";
import { finding, type Quorum, type TopologyContext } from "./context";

/** rtt/*: link sanity, etcd timers against member RTTs, Galera over WAN, commit budget. */
export function rttRules(ctx: TopologyContext): Finding[] {
  return [
    ...ctx.topology.links.flatMap((link) => [...belowFiberFloor(ctx, link), ...p99BelowTypical(link)]),
    ...ctx.quorums.filter((q) => q.resolved).flatMap((q) => quorumRtt(ctx, q)),
  ];
}

/** One quorum's RTT findings, in the catalog's order. */
function quorumRtt(ctx: TopologyContext, q: Quorum): Finding[] {
  return [
    ...missingLinks(ctx, q),
    ...(q.kind === "etcd" ? etcdTimers(ctx, q, (q.owner as { etcd: Etcd }).etcd) : []),
    ...galeraWan(ctx, q),
    ...commitBudget(ctx, q),
    ...writeBudgetFindings(ctx, q),
  ];
}

/** rtt/below-fiber-floor: a declared RTT faster than light in fiber over the sites' great-circle distance. */
function belowFiberFloor(ctx: TopologyContext, link: Link): Finding[] {
  const t = ctx.topology;
  const b = link.between?.items;
  const rtt = link.rttMs;
  if (!rtt || b?.length !== 2) return [];
  const sa = t.siteByName.get(b[0].value);
  const sb = t.siteByName.get(b[1].value);
  if (!(sa?.lat && sa.lon && sb?.lat && sb.lon)) return [];
  const pa = { lat: sa.lat.value, lon: sa.lon.value };
  const pb = { lat: sb.lat.value, lon: sb.lon.value };
  const floor = fiberFloorMs(pa, pb);
  if (!(rtt.value < floor)) return [];
  const km = haversineKm(pa, pb);
  const fixed = Math.ceil(floor * 10) / 10;
  // raising rttMs past a declared rttP99Ms would trade this error for rtt/p99-below-typical
  const p99 = link.rttP99Ms?.value;
  const fixes: FixHint[] =
    p99 === undefined || p99 >= fixed
      ? [{ kind: "replace", title: `Set rttMs to ${fixed}`, span: rtt.span, text: String(fixed), preferred: true }]
      : [];
  return [
    finding(
      "rtt/below-fiber-floor",
      rtt.span,
      `${b[0].value}–${b[1].value} is ${Math.round(km).toLocaleString("en-US")} km apart (great circle): light in fiber needs at least ${ms(floor)} round trip, but rttMs is ${ms(rtt.value)}`,
      { fixes },
    ),
  ];
}

/** rtt/p99-below-typical */
function p99BelowTypical(link: Link): Finding[] {
  const rtt = link.rttMs;
  if (!(rtt && link.rttP99Ms && link.rttP99Ms.value < rtt.value)) return [];
  return [
    finding(
      "rtt/p99-below-typical",
      link.rttP99Ms.span,
      `rttP99Ms ${ms(link.rttP99Ms.value)} is below the typical rttMs ${ms(rtt.value)}: a worst case cannot beat the typical case`,
    ),
  ];
}

/** rtt/missing-link: each pair of member sites with no declared RTT between them. */
function missingLinks(ctx: TopologyContext, q: Quorum): Finding[] {
  // (memberPairs' pairs without their RTTs: this runs for every quorum on every keystroke that
  // runs rtt, and nearly every pair has its link)
  const sites = [...q.counts.keys()];
  const pairs: { a: string; b: string }[] = [];
  for (let i = 0; i < sites.length; i++)
    for (let j = i + 1; j < sites.length; j++) if (!ctx.link(sites[i], sites[j])) pairs.push({ a: sites[i], b: sites[j] });
  return pairs.map((p) =>
    finding(
      "rtt/missing-link",
      q.members.keySpan,
      `${q.label} has members in ${p.a} and ${p.b} but no link declares the RTT between them; timers and commit latency leave this pair out, and simulate, availability and the objectives take ${p.a} and ${p.b} as unable to reach each other (a site reaches another only over a declared link) — declare the link if they do`,
      {
        fixes: [{ kind: "add-link", title: `Add link \`${p.a}\`–\`${p.b}\``, args: { a: p.a, b: p.b } }],
      },
    ),
  );
}

/** rtt/galera-wan: a Galera quorum whose largest member RTT is above quorate.galeraMaxRttMs. */
function galeraWan(ctx: TopologyContext, q: Quorum): Finding[] {
  if (q.kind !== "galera") return [];
  const worst = largestMemberRtt(ctx, q);
  const limit = ctx.options.galeraMaxRttMs;
  if (!(worst.pair && worst.ms > limit)) return [];
  return [
    finding(
      "rtt/galera-wan",
      q.members.keySpan,
      `${q.label} is Galera across ${worst.pair.join("–")} at ${ms(worst.ms)} RTT (above quorate.galeraMaxRttMs ${ms(limit)}, Quorate's limit): a commit waits one round trip from the writing node to the farthest member (up to ${ms(worst.ms)} here), and a member that falls behind applying write-sets over the WAN triggers flow control, which pauses writes on every node`,
    ),
  ];
}

/** rtt/commit-budget: a consensus or Galera store whose best-case commit latency is above writeLatencyBudgetMs. */
function commitBudget(ctx: TopologyContext, q: Quorum): Finding[] {
  if (q.kind !== "consensus" && q.kind !== "galera") return [];
  const budget = (q.owner as { writeLatencyBudgetMs?: { value: number; span: Span } }).writeLatencyBudgetMs;
  const best = budget ? bestCommit(ctx, q) : undefined;
  if (!(budget && best && best.latency > budget.value)) return [];
  return [
    finding(
      "rtt/commit-budget",
      budget.span,
      `${q.label}: best-case commit latency is ${ms(best.latency)} (${
        q.kind === "galera"
          ? `writes from ${best.site}: the write-set reaches every node before certification`
          : `leader in ${best.site}, waiting for the member that completes the majority`
      }) — above the ${ms(budget.value)} budget${silentVoters(ctx, q)}`,
    ),
  ];
}

/**
 * rtt/write-budget: every leader placement makes some writing site's writes — the round trip to
 * the leader plus its commit, as the what-if engine judges them (derive/writes) — exceed
 * writeLatencyBudgetMs, though the commit alone is within it (else rtt/commit-budget says so).
 */
function writeBudgetFindings(ctx: TopologyContext, q: Quorum): Finding[] {
  const budget = (q.owner as { writeLatencyBudgetMs?: { value: number; span: Span } }).writeLatencyBudgetMs;
  if (!budget || !writesOverBudget(ctx, q)) return [];
  const j = writeJudgement(ctx, q);
  const text = writesOverBudgetText(q, q.kind === "galera" ? j.placements[0] : j.best!, writeBudget(q)!, j.fromMembers);
  return [finding("rtt/write-budget", budget.span, `${q.label}: ${text}${silentVoters(ctx, q)}`, { related: writerRelated(ctx, q, j) })];
}

/** " (ams's 1 never votes as designed: quorum/member-unreachable)" where the commits above leave out voters that never vote (derive/latency designedVoters, review M109), else "". */
function silentVoters(ctx: TopologyContext, q: Quorum): string {
  const silent = cutOffVoterSites(ctx, q);
  return silent.length ? ` (${neverVoteText(q, silent)} as designed: quorum/member-unreachable)` : "";
}

/** Where the writers come from: each traffic entry's `dependsOn` naming the store. */
function writerRelated(ctx: TopologyContext, q: Quorum, j: WriteJudgement): { span: Span; message: string }[] {
  if (j.fromMembers) return [];
  const st = q.owner as Store;
  return dependentsOf(ctx, st).flatMap((tr) =>
    (tr.dependsOn?.items ?? [])
      .filter((d) => d.value === st.name?.value)
      .map((d) => ({ span: d.span, message: `traffic ${tr.name?.value ?? "?"} writes to ${st.name?.value} from its backends' sites` })),
  );
}

function etcdTimers(ctx: TopologyContext, q: Quorum, etcd: Etcd): Finding[] {
  if (etcd.invalid.has("heartbeatMs") || etcd.invalid.has("electionTimeoutMs")) return [];
  const out: Finding[] = [];
  const advice = timerAdvice(ctx, q);
  const { heartbeat: hb, election: el } = timersOf({ etcd });
  const hbAt = etcd.heartbeatMs?.span ?? etcd.keySpan;
  const elAt = etcd.electionTimeoutMs?.span ?? etcd.keySpan;
  const hbText = etcd.heartbeatMs ? `heartbeatMs ${hb}` : `the default heartbeat ${hb} ms`;
  const elText = etcd.electionTimeoutMs ? `electionTimeoutMs ${el}` : `the default election timeout ${el} ms`;
  // past etcd's 50000 ms limit no timers fit: the fix is not offered, the message says why
  const fix = (fromP99 = false): FixHint[] =>
    advice.feasible
      ? [
          {
            kind: "set-timers",
            title: `Set heartbeat and election timeout from RTT (${advice.heartbeat} / ${advice.election} ms)${fromP99 ? ", sized from p99" : ""}`,
            args: { heartbeatMs: advice.heartbeat, electionTimeoutMs: advice.election },
            preferred: true,
          },
        ]
      : [];
  const beyond = advice.feasible
    ? ""
    : ` — no timers fit: 10 × ${ms(Math.max(advice.heartbeat, advice.maxRtt, advice.maxP99 ?? 0))} passes etcd's ${MAX_ELECTION_TIMEOUT_MS} ms limit, these members are too far apart for one etcd cluster`;
  const pair = advice.maxRttPair ? ` (${advice.maxRttPair.join("–")})` : "";

  if (hb < advice.maxRtt) {
    out.push(
      finding(
        "rtt/heartbeat-below-rtt",
        hbAt,
        `${q.label}: ${hbText} is below the largest member RTT ${ms(advice.maxRtt)}${pair}: the leader sends heartbeats faster than a round trip returns them — more CPU and network use, no faster failure detection (etcd's tuning guide sets the heartbeat around the RTT between members; elections follow the election timeout)${beyond}`,
        { fixes: fix() },
      ),
    );
  }
  const tooLowForRtt = el < 10 * advice.maxRtt;
  const tooLowForHb = el < 5 * hb;
  if (tooLowForRtt || tooLowForHb) {
    const why: string[] = [];
    if (tooLowForRtt) why.push(`10 × the largest member RTT ${ms(advice.maxRtt)}${pair} is ${ms(10 * advice.maxRtt)}`);
    if (tooLowForHb) why.push(`5 × heartbeat ${hb} ms is ${ms(5 * hb)} (etcd refuses to start below that)`);
    out.push(finding("rtt/election-timeout-low", elAt, `${q.label}: ${elText} is too low: ${why.join("; ")}${beyond}`, { fixes: fix() }));
  } else {
    if (el < 10 * hb) {
      out.push(
        finding(
          "rtt/election-heartbeat-ratio",
          elAt,
          `${q.label}: ${elText} is ${+(el / hb).toFixed(2)} × heartbeat ${hb} ms; etcd recommends about 10 × (${10 * hb} ms)`,
          { fixes: fix() },
        ),
      );
    }
    if (advice.maxP99 !== undefined && advice.maxP99 * 10 > el) {
      out.push(
        finding(
          "rtt/excursion",
          elAt,
          `${q.label}: p99 RTT ${ms(advice.maxP99)} (${advice.maxP99Pair!.join("–")}) × 10 = ${ms(advice.maxP99 * 10)} exceeds ${elText}: a latency excursion can trigger elections${beyond}`,
          { fixes: fix(true) },
        ),
      );
    }
  }
  if (el > MAX_ELECTION_TIMEOUT_MS) {
    out.push(
      finding(
        "rtt/election-timeout-max",
        elAt,
        `${q.label}: ${elText} exceeds etcd's upper limit of ${MAX_ELECTION_TIMEOUT_MS} ms; etcd refuses to start`,
      ),
    );
  }
  return out;
}
