/** Quorum arithmetic over member counts per site. Pure; shared by rules, hovers and fixes. */
export type MemberMap = ReadonlyMap<string, number>;

export const majority = (n: number): number => Math.floor(n / 2) + 1;
export const tolerance = (n: number): number => Math.max(0, Math.floor((n - 1) / 2));

export function total(members: MemberMap): number {
  let n = 0;
  for (const c of members.values()) n += c;
  return n;
}

/** Sites that host at least one member, in declaration order. */
export function memberSites(members: MemberMap): string[] {
  const out: string[] = [];
  for (const [s, c] of members) if (c > 0) out.push(s);
  return out;
}

export interface SiteLoss {
  readonly site: string;
  readonly lost: number;
  readonly survivors: number;
  readonly majority: number;
  readonly survives: boolean;
}

/** What losing each member site does: survivors against the majority of the full membership (`n`: its configured size, where some members never vote). */
export function siteLosses(members: MemberMap, n = total(members)): SiteLoss[] {
  const maj = majority(n);
  const voters = total(members);
  return memberSites(members).map((site) => {
    const lost = members.get(site) ?? 0;
    return { site, lost, survivors: voters - lost, majority: maj, survives: voters - lost >= maj };
  });
}

export interface Split {
  readonly left: string[];
  readonly right: string[];
  readonly leftCount: number;
  readonly rightCount: number;
  /** which side keeps a majority, or frozen when neither does */
  readonly verdict: "left" | "right" | "frozen";
}

/** The largest number of member sites for which every split is listed (2^(k-1) − 1 splits). */
export const MAX_ENUMERATED_SITES = 12;

/**
 * Every split of the member sites into two non-empty groups (the first site always on the left),
 * each side against the majority of `n` (its configured size, where some members never vote).
 */
export function partitions(members: MemberMap, size?: number): Split[] {
  const sites = memberSites(members);
  const k = sites.length;
  if (k < 2 || k > MAX_ENUMERATED_SITES) return [];
  const n = total(members);
  const maj = majority(size ?? n);
  const out: Split[] = [];
  // bit i set = site i on the right; site 0 stays left so each split appears once
  for (let mask = 1; mask < 1 << (k - 1); mask++) {
    const left: string[] = [sites[0]];
    const right: string[] = [];
    let rightCount = 0;
    for (let i = 1; i < k; i++) {
      if (mask & (1 << (i - 1))) {
        right.push(sites[i]);
        rightCount += members.get(sites[i]) ?? 0;
      } else left.push(sites[i]);
    }
    const leftCount = n - rightCount;
    out.push({ left, right, leftCount, rightCount, verdict: leftCount >= maj ? "left" : rightCount >= maj ? "right" : "frozen" });
  }
  return out;
}

/** Above this many reachable sums the frozen-split search gives up (bounded work, never a hang). */
const MAX_REACHABLE_SUMS = 1 << 16;

/**
 * A split that leaves neither side a majority, if one exists. Neither side has a majority
 * only when n is even and one side holds exactly n/2, so this is subset-sum over the member
 * sites. The reachable sums are at most 2^k for k sites, whatever the member counts, and are
 * capped: the work depends on the number of sites, never on the counts. `size`: the configured
 * size whose majority the members must reach, where some members never vote (derive/reach
 * votingCounts); then a side is short whenever it holds less than that majority, so any sum in
 * [v − maj + 1, maj − 1] of the v voters freezes.
 */
export function frozenSplit(members: MemberMap, size?: number): { left: string[]; right: string[] } | undefined {
  const sites = memberSites(members);
  const n = total(members);
  const maj = majority(size ?? n);
  const [lo, hi] = [Math.max(1, n - maj + 1), Math.min(n - 1, maj - 1)];
  if (sites.length < 2 || lo > hi || !Number.isSafeInteger(n) || !Number.isSafeInteger(maj)) return undefined;
  // from[s] = index of the site whose addition first reached sum s
  const from = new Map<number, number>([[0, -1]]);
  let target: number | undefined;
  for (let i = 0; i < sites.length && target === undefined; i++) {
    const c = members.get(sites[i]) ?? 0;
    const reached = [...from.keys()];
    for (const s of reached) {
      const t = s + c;
      if (t <= hi && !from.has(t)) {
        from.set(t, i);
        if (t >= lo) target = t;
      }
    }
    if (from.size > MAX_REACHABLE_SUMS) return undefined;
  }
  if (target === undefined) return undefined;
  const left = new Set<string>();
  // walk back: each sum was first reached by adding a site with a lower index than the sum before
  for (let s = target; s > 0; ) {
    const i = from.get(s)!;
    left.add(sites[i]);
    s -= members.get(sites[i]) ?? 0;
  }
  return { left: sites.filter((s) => left.has(s)), right: sites.filter((s) => !left.has(s)) };
}

export type RttLookup = (a: string, b: string) => number | undefined;

/**
 * Commit latency with the leader in `leader`: the RTT to the member that completes the
 * majority, members in the leader's own site costing 0. Undefined when the leader has no
 * declared RTT to some member site. `need` is the majority to complete: by default that of
 * `members`; after a loss or a cut, the majority of the configured size over the members
 * that can still vote (what-if).
 */
export function commitLatency(members: MemberMap, rtt: RttLookup, leader: string, need?: number): number | undefined {
  // (an RTT lookup that itself asks for a commit latency, or a quorum over more sites than the
  // scratch holds, takes the sorting path)
  if (scratchBusy || members.size > SCRATCH_SITES) return commitLatencySorted(members, rtt, leader, need);
  scratchBusy = true;
  try {
    // the member sites' RTTs from the leader, nearest first (insertion after any equal RTT:
    // declaration order among ties, as the stable sort keeps it)
    let k = 0;
    let n = 0;
    for (const [site, count] of members) {
      if (count <= 0) continue;
      const r = site === leader ? 0 : rtt(leader, site);
      if (r === undefined) return undefined;
      if (Number.isNaN(r)) return commitLatencySorted(members, rtt, leader, need);
      let i = k;
      for (; i > 0 && scratchRtt[i - 1] > r; i--) {
        scratchRtt[i] = scratchRtt[i - 1];
        scratchCount[i] = scratchCount[i - 1];
      }
      scratchRtt[i] = r;
      scratchCount[i] = count;
      k++;
      n += count;
    }
    if (n === 0) return undefined;
    // walk the sites nearest first until their members complete the majority: O(sites), whatever the counts
    const wanted = need ?? majority(n);
    let reached = 0;
    for (let i = 0; i < k; i++) {
      reached += scratchCount[i];
      if (reached >= wanted) return scratchRtt[i];
    }
    return undefined;
  } finally {
    scratchBusy = false;
  }
}

/**
 * commitLatency's member sites, RTTs and counts: the rules ask for a commit latency thousands of
 * times a keystroke on a large design (every placement of every quorum), and the what-if engine
 * for every state it judges, so one call allocates nothing.
 */
const SCRATCH_SITES = 32;
const scratchRtt = new Float64Array(SCRATCH_SITES);
const scratchCount = new Float64Array(SCRATCH_SITES);
let scratchBusy = false;

/** commitLatency by sorting a list of the member sites (any number of them, any RTT values). */
function commitLatencySorted(members: MemberMap, rtt: RttLookup, leader: string, need?: number): number | undefined {
  const costs: { rtt: number; count: number }[] = [];
  let n = 0;
  for (const [site, count] of members) {
    if (count <= 0) continue;
    const r = site === leader ? 0 : rtt(leader, site);
    if (r === undefined) return undefined;
    costs.push({ rtt: r, count });
    n += count;
  }
  if (n === 0) return undefined;
  costs.sort((a, b) => a.rtt - b.rtt);
  const wanted = need ?? majority(n);
  let reached = 0;
  for (const c of costs) {
    reached += c.count;
    if (reached >= wanted) return c.rtt;
  }
  return undefined;
}

/** The lowest commit latency over the member sites that can lead, and where (`need` as in commitLatency). */
export function bestCommitLatency(members: MemberMap, rtt: RttLookup, need?: number): { site: string; latency: number } | undefined {
  let best: { site: string; latency: number } | undefined;
  for (const site of memberSites(members)) {
    const latency = commitLatency(members, rtt, site, need);
    if (latency !== undefined && (!best || latency < best.latency)) best = { site, latency };
  }
  return best;
}
