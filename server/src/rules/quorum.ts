import type { Finding, FixHint } from "../model/finding";
import type { Span } from "../model/text";
import type { Cluster } from "../model/topology";
import { harmfulSiteLosses, homeSite, quorumErrors, survivesEverySiteLoss } from "../derive/siteloss";
import { cutOffVoterSites, neverVoteText, votingCounts } from "../derive/reach";
import { frozenSplit, majority, tolerance, total, type MemberMap } from "../math/quorum";
import { listText } from "../util/strings";
import { finding, type Quorum, type TopologyContext } from "./context";

export const MAX_RECOMMENDED_MEMBERS = 7;

function describe(counts: MemberMap): string {
  return [...counts].map(([s, c]) => `${s}: ${c}`).join(", ");
}

function withDelta(counts: MemberMap, site: string, delta: number): Map<string, number> {
  const m = new Map(counts);
  const v = (m.get(site) ?? 0) + delta;
  if (v > 0) m.set(site, v);
  else m.delete(site);
  return m;
}

/**
 * "Add one member at <site>" / "Remove one member at <site>": only changes that bring no new
 * quorum error; the ones that keep every single-site loss survivable come first, preferred.
 */
function evenFixes(q: Quorum, home: string | undefined): FixHint[] {
  const before = quorumErrors(q.counts, home);
  const options: { fix: FixHint; good: boolean }[] = [];
  const consider = (counts: Map<string, number>, fix: FixHint) => {
    if ([...quorumErrors(counts, home)].some((e) => !before.has(e)) || total(counts) < 3) return;
    options.push({ good: survivesEverySiteLoss(counts), fix });
  };
  for (const site of q.counts.keys())
    consider(withDelta(q.counts, site, 1), { kind: "member-delta", title: `Add one member at \`${site}\``, args: { site, delta: 1 } });
  for (const site of q.counts.keys())
    consider(withDelta(q.counts, site, -1), { kind: "member-delta", title: `Remove one member at \`${site}\``, args: { site, delta: -1 } });
  options.sort((a, b) => Number(b.good) - Number(a.good));
  return options.map((o, i) => ({ ...o.fix, preferred: i === 0 && o.good }));
}

const WITNESS_FIX: FixHint = { kind: "add-witness", title: "Add witness site", preferred: true };

/** quorum/*: membership arithmetic per quorum. */
export function quorumRules(ctx: TopologyContext): Finding[] {
  return ctx.quorums.flatMap((q) => {
    const out = inexactSum(q);
    if (!q.resolved) return out;
    const m = membership(ctx, q, homeSite(ctx, q));
    return [
      ...out,
      ...evenMembers(m),
      ...tooManyMembers(m),
      ...noFaultTolerance(m),
      ...twoSiteSplit(m),
      ...threeSiteLosses(m),
      ...controlPlaneElsewhere(m),
    ];
  });
}

/** One resolved quorum's arithmetic, shared by its checks. */
interface Membership {
  readonly q: Quorum;
  /** members */
  readonly n: number;
  /** the majority of n */
  readonly maj: number;
  readonly at: Span;
  readonly sites: string[];
  /** "<label> has n members (site: count, …)", put together only for a finding (every quorum of a large design is judged on every keystroke) */
  readonly head: () => string;
  /** a cluster's etcd: its cluster's site, whose loss loses the cluster itself (derive/siteloss homeSite) */
  readonly home: string | undefined;
  /** its voters as designed (derive/reach votingCounts: members that can dial none of the others never vote), as simulate and availability judge them */
  readonly voting: MemberMap;
  /** " (ams's 1 never votes as designed: quorum/member-unreachable)" where some never vote; else "" */
  readonly silent: string;
}

function membership(ctx: TopologyContext, q: Quorum, home: string | undefined): Membership {
  const n = total(q.counts);
  const silent = cutOffVoterSites(ctx, q);
  return {
    q,
    home,
    voting: votingCounts(ctx, q),
    silent: silent.length ? ` (${neverVoteText(q, silent)} as designed: quorum/member-unreachable)` : "",
    n,
    maj: majority(n),
    at: q.members.keySpan,
    sites: [...q.counts.keys()],
    head: () => `${q.label} has ${n} member${n === 1 ? "" : "s"} (${describe(q.counts)})`,
  };
}

/** value/too-large: every count is exact on its own, but not their sum. */
function inexactSum(q: Quorum): Finding[] {
  if (q.members.exact || !q.members.entries.every((e) => e.count)) return [];
  const sum = q.members.entries.reduce((a, e) => a + e.count!.value, 0);
  return [
    finding(
      "value/too-large",
      q.members.keySpan,
      `${q.label}'s member counts add up to about ${sum.toExponential(3)}, beyond 2^53 − 1 (9007199254740991): no quorum arithmetic is exact there`,
    ),
  ];
}

/** quorum/even-members */
function evenMembers({ q, n, maj, at, head, home }: Membership): Finding[] {
  if (!(n > 0 && n % 2 === 0)) return [];
  return [
    finding(
      "quorum/even-members",
      at,
      `${head()}: majority is ${maj}, so it tolerates ${tolerance(n)} failure${tolerance(n) === 1 ? "" : "s"} — a ${n - 1}-member quorum would tolerate the same`,
      {
        fixes: evenFixes(q, home),
      },
    ),
  ];
}

/** quorum/too-many-members */
function tooManyMembers({ n, maj, at, head }: Membership): Finding[] {
  if (!(n > MAX_RECOMMENDED_MEMBERS)) return [];
  return [
    finding(
      "quorum/too-many-members",
      at,
      `${head()}: every write waits for ${maj} of them; ${MAX_RECOMMENDED_MEMBERS} members already tolerate ${tolerance(MAX_RECOMMENDED_MEMBERS)} failures`,
    ),
  ];
}

/** quorum/no-fault-tolerance */
function noFaultTolerance({ n, maj, at, head }: Membership): Finding[] {
  return n < 3 ? [finding("quorum/no-fault-tolerance", at, `${head()}: majority is ${maj}, so losing any one member stops writes`)] : [];
}

/**
 * quorum/control-plane-elsewhere: a cluster's etcd with no member at the cluster's own site (review
 * M87). The engine judges what that means (derive/siteloss etcdLostWithCluster); this says it at the
 * `members` key.
 */
function controlPlaneElsewhere({ q, n, maj, at, sites, home }: Membership): Finding[] {
  if (q.kind !== "etcd" || home === undefined || !sites.length || (q.counts.get(home) ?? 0) > 0) return [];
  const cluster = (q.owner as Cluster).name?.value ?? "?";
  const fatal = harmfulSiteLosses(q.counts, home).map((l) => l.site);
  const losing = fatal.length
    ? `losing ${listText(fatal)} stops its API — its pods at ${home} keep running, but nothing is scaled, rolled out or rescheduled${fatal.length === sites.length ? `, and its etcd data returns only with ${listText(fatal)} or from a snapshot` : ""}`
    : `its API survives any one of those sites lost (majority ${maj} of ${n})`;
  const cut = sites.length === 1 ? `a cut between ${home} and ${sites[0]} leaves` : `a cut between ${home} and those sites can leave`;
  return [
    finding(
      "quorum/control-plane-elsewhere",
      at,
      `cluster ${cluster} runs at ${home}, but none of its ${n} etcd members do (${describe(q.counts)}): ${losing}; ${cut} ${home}'s nodes without their control plane`,
    ),
  ];
}

/** quorum/two-site-split: members in exactly two sites. */
function twoSiteSplit({ q, n, maj, at, sites, voting, silent }: Membership): Finding[] {
  if (sites.length !== 2) return [];
  const [a, b] = sites;
  const ca = q.counts.get(a)!;
  const cb = q.counts.get(b)!;
  // judged on its voters, as simulate judges it (derive/reach votingCounts): a site's loss is its members'
  const left = (site: string) => total(voting) - (voting.get(site) ?? 0);
  const fatal = sites.filter((x) => left(x) < maj);
  const detail = `${fatal.map((x) => `losing ${x} leaves ${left(x)} of ${n}${silent ? " that can vote" : ""}`).join("; ")}${fatal.length ? silent : ""}`;
  return [
    finding(
      "quorum/two-site-split",
      at,
      `${q.label}: members sit in only two sites (${a}: ${ca}, ${b}: ${cb}); majority is ${maj}: ${detail}${ca === cb ? `, and a partition leaves ${ca} vs ${cb} with no majority on either side` : ""}. Add a witness site`,
      { fixes: [WITNESS_FIX] },
    ),
  ];
}

/** quorum/site-loss and quorum/partition: members in three or more sites. */
function threeSiteLosses({ q, n, maj, at, sites, home, voting, silent }: Membership): Finding[] {
  if (sites.length < 3) return [];
  const out: Finding[] = [];
  // a cluster's etcd is not judged for its own site's loss: the cluster goes with it (derive/siteloss homeSite);
  // judged on its voters against the configured majority, as simulate and availability judge it (derive/reach votingCounts)
  const fatal = harmfulSiteLosses(voting, home, n);
  if (fatal.length) {
    // where only the voters that never vote make the loss fatal, the layout is not what to change: the path is (quorum/member-unreachable's fix)
    const layout = harmfulSiteLosses(q.counts, home).length > 0;
    out.push(
      finding(
        "quorum/site-loss",
        at,
        `${q.label}: ${fatal.map((l) => `losing ${l.site} leaves ${l.survivors} of ${n} members${silent ? " that can vote" : ""}`).join("; ")}${silent}; majority is ${maj}`,
        layout ? { fixes: [WITNESS_FIX, { kind: "rebalance-members", title: "Rebalance members" }] } : undefined,
      ),
    );
  }
  const split = frozenSplit(voting, n);
  if (split) {
    const sum = (s: string[]) => s.reduce((acc, x) => acc + (voting.get(x) ?? 0), 0);
    out.push(
      finding(
        "quorum/partition",
        at,
        `${q.label}: a partition between ${listText(split.left)} (${sum(split.left)}) and ${listText(split.right)} (${sum(split.right)}) leaves neither side the majority of ${maj}${silent}; writes stop on both sides`,
      ),
    );
  }
  return out;
}
