import type { Finding, FixHint } from "../model/finding";
import type { Span } from "../model/text";
import type { Etcd } from "../model/topology";
import { fiberFloorMs, haversineKm } from "../math/geo";
import { bestCommitLatency } from "../math/quorum";
import { finding, memberPairs, type Quorum, type TopologyContext } from "./context";

export const DEFAULT_HEARTBEAT_MS = 100;
export const DEFAULT_ELECTION_TIMEOUT_MS = 1000;
export const MAX_ELECTION_TIMEOUT_MS = 50000;

export interface TimerAdvice {
  /** largest RTT between linked member sites (0 for a single site) */
  readonly maxRtt: number;
  readonly maxRttPair?: [string, string];
  readonly maxP99?: number;
  readonly maxP99Pair?: [string, string];
  readonly heartbeat: number;
  readonly election: number;
  /** the timers fit within etcd's limits (10 × the largest RTT, p99 and heartbeat ≤ 50000 ms) */
  readonly feasible: boolean;
}

const roundUp10 = (x: number) => Math.ceil(x / 10) * 10;

/**
 * What "Set heartbeat and election timeout from RTT" would set:
 * heartbeat = max(100, largest RTT rounded up to 10 ms);
 * election = max(10 × heartbeat, 10 × largest RTT, 10 × largest p99 RTT).
 */
export function timerAdvice(ctx: TopologyContext, q: Quorum): TimerAdvice {
  let maxRtt = 0;
  let maxRttPair: [string, string] | undefined;
  let maxP99: number | undefined;
  let maxP99Pair: [string, string] | undefined;
  for (const p of memberPairs(ctx, q)) {
    if (p.rtt !== undefined && p.rtt > maxRtt) {
      maxRtt = p.rtt;
      maxRttPair = [p.a, p.b];
    }
    if (p.p99 !== undefined && (maxP99 === undefined || p.p99 > maxP99)) {
      maxP99 = p.p99;
      maxP99Pair = [p.a, p.b];
    }
  }
  const heartbeat = Math.max(DEFAULT_HEARTBEAT_MS, roundUp10(maxRtt));
  const needed = Math.max(10 * heartbeat, 10 * maxRtt, 10 * (maxP99 ?? 0));
  const election = Math.min(MAX_ELECTION_TIMEOUT_MS, needed);
  return { maxRtt, maxRttPair, maxP99, maxP99Pair, heartbeat, election, feasible: needed <= MAX_ELECTION_TIMEOUT_MS };
}

const ms = (x: number) => `${+x.toFixed(3)} ms`;

/** rtt/*: link sanity, etcd timers against member RTTs, Galera over WAN, commit budget. */
export function rttRules(ctx: TopologyContext): Finding[] {
  const t = ctx.topology;
  const out: Finding[] = [];

  for (const link of t.links) {
    const b = link.between?.items;
    const rtt = link.rttMs;
    if (rtt && b?.length === 2) {
      const sa = t.siteByName.get(b[0].value);
      const sb = t.siteByName.get(b[1].value);
      if (sa?.lat && sa.lon && sb?.lat && sb.lon) {
        const pa = { lat: sa.lat.value, lon: sa.lon.value };
        const pb = { lat: sb.lat.value, lon: sb.lon.value };
        const floor = fiberFloorMs(pa, pb);
        if (rtt.value < floor) {
          const km = haversineKm(pa, pb);
          const fixed = Math.ceil(floor * 10) / 10;
          // raising rttMs past a declared rttP99Ms would trade this error for rtt/p99-below-typical
          const p99 = link.rttP99Ms?.value;
          const fixes: FixHint[] =
            p99 === undefined || p99 >= fixed
              ? [{ kind: "replace", title: `Set rttMs to ${fixed}`, span: rtt.span, text: String(fixed), preferred: true }]
              : [];
          out.push(
            finding(
              "rtt/below-fiber-floor",
              rtt.span,
              `${b[0].value}–${b[1].value} is ${Math.round(km).toLocaleString("en-US")} km apart (great circle): light in fiber needs at least ${ms(floor)} round trip, but rttMs is ${ms(rtt.value)}`,
              { fixes },
            ),
          );
        }
      }
    }
    if (rtt && link.rttP99Ms && link.rttP99Ms.value < rtt.value) {
      out.push(
        finding(
          "rtt/p99-below-typical",
          link.rttP99Ms.span,
          `rttP99Ms ${ms(link.rttP99Ms.value)} is below the typical rttMs ${ms(rtt.value)}: a worst case cannot beat the typical case`,
        ),
      );
    }
  }

  for (const q of ctx.quorums) {
    if (!q.resolved) continue;
    const pairs = memberPairs(ctx, q);
    for (const p of pairs) {
      if (!ctx.link(p.a, p.b)) {
        out.push(
          finding(
            "rtt/missing-link",
            q.members.keySpan,
            `${q.label} has members in ${p.a} and ${p.b} but no link declares the RTT between them; timers and commit latency leave this pair out`,
            {
              fixes: [{ kind: "add-link", title: `Add link \`${p.a}\`–\`${p.b}\``, args: { a: p.a, b: p.b } }],
            },
          ),
        );
      }
    }
    if (q.kind === "etcd") out.push(...etcdTimers(ctx, q, (q.owner as { etcd: Etcd }).etcd));
    if (q.kind === "galera") {
      let worst: (typeof pairs)[number] | undefined;
      for (const p of pairs) if (p.rtt !== undefined && (!worst || p.rtt > worst.rtt!)) worst = p;
      const limit = ctx.options.galeraMaxRttMs;
      if (worst && worst.rtt! > limit) {
        out.push(
          finding(
            "rtt/galera-wan",
            q.members.keySpan,
            `${q.label} is Galera across ${worst.a}–${worst.b} at ${ms(worst.rtt!)} RTT (limit ${ms(limit)}): every commit waits for certification across the worst RTT and flow control stalls every writer`,
          ),
        );
      }
    }
    if (q.kind === "consensus") {
      const store = q.owner as { writeLatencyBudgetMs?: { value: number; span: Span } };
      const budget = store.writeLatencyBudgetMs;
      const best = bestCommitLatency(q.counts, ctx.rtt);
      if (budget && best && best.latency > budget.value) {
        out.push(
          finding(
            "rtt/commit-budget",
            budget.span,
            `${q.label}: best-case commit latency is ${ms(best.latency)} (leader in ${best.site}, waiting for the member that completes the majority) — above the ${ms(budget.value)} budget`,
          ),
        );
      }
    }
  }
  return out;
}

function etcdTimers(ctx: TopologyContext, q: Quorum, etcd: Etcd): Finding[] {
  if (etcd.invalid.has("heartbeatMs") || etcd.invalid.has("electionTimeoutMs")) return [];
  const out: Finding[] = [];
  const advice = timerAdvice(ctx, q);
  const hb = etcd.heartbeatMs?.value ?? DEFAULT_HEARTBEAT_MS;
  const el = etcd.electionTimeoutMs?.value ?? DEFAULT_ELECTION_TIMEOUT_MS;
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
        `${q.label}: ${hbText} is below the largest member RTT ${ms(advice.maxRtt)}${pair}: followers see late heartbeats and call elections${beyond}`,
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
