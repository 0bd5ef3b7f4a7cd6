import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bestCommitLatency,
  commitLatency,
  frozenSplit,
  majority,
  partitions,
  siteLosses,
  tolerance,
  total,
} from "../../server/src/math/quorum";
import { rng, seedFromEnv } from "../helpers";

test("majority and tolerance for 1..9 members", () => {
  const expected: [number, number, number][] = [
    [1, 1, 0],
    [2, 2, 0],
    [3, 2, 1],
    [4, 3, 1],
    [5, 3, 2],
    [6, 4, 2],
    [7, 4, 3],
    [8, 5, 3],
    [9, 5, 4],
  ];
  for (const [n, maj, tol] of expected) {
    assert.equal(majority(n), maj, `majority(${n})`);
    assert.equal(tolerance(n), tol, `tolerance(${n})`);
  }
});

test("site losses of the seed's 2+2+1 and of 3+2", () => {
  const ok = siteLosses(
    new Map([
      ["fra", 2],
      ["lon", 2],
      ["ams", 1],
    ]),
  );
  assert.deepEqual(
    ok.map((l) => [l.site, l.survivors, l.survives]),
    [
      ["fra", 3, true],
      ["lon", 3, true],
      ["ams", 4, true],
    ],
  );
  const bad = siteLosses(
    new Map([
      ["fra", 3],
      ["lon", 2],
    ]),
  );
  assert.deepEqual(
    bad.map((l) => [l.site, l.survivors, l.majority, l.survives]),
    [
      ["fra", 2, 3, false],
      ["lon", 3, 3, true],
    ],
  );
});

function randomMembers(r: () => number): Map<string, number> {
  const k = 1 + Math.floor(r() * 7);
  const m = new Map<string, number>();
  for (let i = 0; i < k; i++) m.set(`s${i}`, 1 + Math.floor(r() * 4));
  return m;
}

/** Brute force: simulate a cluster of individual members and cut it along every subset of sites. */
function bruteForce(members: Map<string, number>) {
  const sites = [...members.keys()];
  const ids: string[] = [];
  for (const [s, c] of members) for (let i = 0; i < c; i++) ids.push(s);
  const n = ids.length;
  const hasQuorum = (alive: string[]) => alive.length * 2 > n;
  const losses = sites.map((s) => hasQuorum(ids.filter((x) => x !== s)));
  let frozen = false;
  const verdicts: string[] = [];
  for (let mask = 1; mask < (1 << sites.length) - 1; mask++) {
    if (mask & 1) continue; // site 0 on the left, as partitions() lists them
    const right = new Set(sites.filter((_, i) => mask & (1 << i)));
    const l = hasQuorum(ids.filter((x) => !right.has(x)));
    const rr = hasQuorum(ids.filter((x) => right.has(x)));
    if (!l && !rr) frozen = true;
    verdicts.push(l ? "left" : rr ? "right" : "frozen");
  }
  return { losses, frozen, verdicts };
}

test("site-loss and partition verdicts match an exhaustive simulation on random memberships", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let trial = 0; trial < 2000; trial++) {
    const m = randomMembers(r);
    const truth = bruteForce(m);
    const msg = `seed ${seed}, members ${JSON.stringify([...m])}`;
    assert.deepEqual(
      siteLosses(m).map((l) => l.survives),
      truth.losses,
      msg,
    );
    const split = frozenSplit(m);
    assert.equal(split !== undefined, truth.frozen, msg);
    if (split) {
      const left = split.left.reduce((a, s) => a + m.get(s)!, 0);
      assert.equal(left * 2, total(m), `the split found is even: ${msg}`);
      assert.ok(split.left.length && split.right.length, msg);
    }
    assert.deepEqual(
      partitions(m).map((p) => p.verdict),
      truth.verdicts,
      msg,
    );
  }
});

test("with members that never vote (a configured size above the voters), splits are judged against the configured majority: frozenSplit and partitions match an exhaustive simulation", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let trial = 0; trial < 2000; trial++) {
    const m = randomMembers(r);
    const size = total(m) + Math.floor(r() * 4);
    const maj = majority(size);
    const sites = [...m.keys()];
    const count = (xs: string[]) => xs.reduce((a, x) => a + m.get(x)!, 0);
    let frozen = false;
    const verdicts: string[] = [];
    for (let mask = 1; mask < (1 << sites.length) - 1; mask++) {
      if (mask & 1) continue;
      const right = sites.filter((_, i) => mask & (1 << i));
      const left = sites.filter((x) => !right.includes(x));
      const [l, rr] = [count(left) >= maj, count(right) >= maj];
      if (!l && !rr) frozen = true;
      verdicts.push(l ? "left" : rr ? "right" : "frozen");
    }
    const msg = `seed ${seed}, members ${JSON.stringify([...m])}, size ${size}`;
    const split = frozenSplit(m, size);
    assert.equal(split !== undefined, frozen, msg);
    if (split) {
      assert.ok(split.left.length && split.right.length, msg);
      assert.ok(count(split.left) < maj && count(split.right) < maj, `neither side reaches ${maj}: ${msg}`);
    }
    assert.deepEqual(
      partitions(m, size).map((p) => p.verdict),
      verdicts,
      msg,
    );
  }
  // the reviewed ledger with ams's voter cut off (2 + 2 voting of 5): fra against lon freezes; configured, lon + ams keep 3
  const voting = new Map([
    ["fra", 2],
    ["lon", 2],
  ]);
  assert.deepEqual(frozenSplit(voting, 5), { left: ["fra"], right: ["lon"] });
  assert.equal(
    frozenSplit(
      new Map([
        ["fra", 3],
        ["lon", 1],
      ]),
      5,
    ),
    undefined,
    "fra's 3 reach the majority of 5",
  );
});

/** commitLatency as a sort of one entry per member site (stable: declaration order among equal RTTs), to hold the one that allocates nothing to. */
function sortedCommitLatency(
  members: Map<string, number>,
  rtt: (a: string, b: string) => number | undefined,
  leader: string,
  need?: number,
) {
  const costs = [...members].filter(([, c]) => c > 0).map(([s, count]) => ({ ms: s === leader ? 0 : rtt(leader, s), count }));
  const n = costs.reduce((sum, c) => sum + c.count, 0);
  if (costs.some((c) => c.ms === undefined) || n === 0) return undefined;
  const nearest = costs.sort((a, b) => a.ms! - b.ms!);
  const sums = nearest.map((_, i) => nearest.slice(0, i + 1).reduce((sum, c) => sum + c.count, 0));
  const at = sums.findIndex((sum) => sum >= (need ?? majority(n)));
  return at < 0 ? undefined : nearest[at].ms;
}

test("commit latency equals a sort of the member sites by RTT, whatever the sites, ties, counts, gaps and majority asked", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const values = [0, 1, 2, 2.5, 3, 3, 7, 14, 1e9, Number.POSITIVE_INFINITY, Number.NaN, undefined];
  for (let k = 0; k < 4000; k++) {
    // up to 40 sites: past the 32 the scratch holds too
    const n = Math.floor(r() * (k % 10 === 0 ? 41 : 7));
    const sites = Array.from({ length: n }, (_, i) => `s${i}`);
    const members = new Map(sites.map((s) => [s, [0, 1, 1, 2, 3, -1, 0.5, 1e15][Math.floor(r() * 8)]]));
    const table = new Map<string, number | undefined>();
    for (const a of sites)
      for (const b of sites) if (a < b) table.set(`${a}|${b}`, r() < 0.97 ? values[Math.floor(r() * (values.length - 1))] : values.at(-1));
    const rtt = (a: string, b: string) => (a === b ? 0 : table.get(a < b ? `${a}|${b}` : `${b}|${a}`));
    const leader = r() < 0.9 ? (sites[Math.floor(r() * n)] ?? "none") : "elsewhere";
    const need = r() < 0.5 ? undefined : Math.floor(r() * (n + 3));
    const got = commitLatency(members, rtt, leader, need);
    const want = sortedCommitLatency(members, rtt, leader, need);
    assert.ok(
      Object.is(got, want),
      `seed ${seed}, case ${k}: ${got} ≠ ${want} for ${JSON.stringify([...members])}, leader ${leader}, need ${need}`,
    );
  }
  // an RTT lookup that itself asks for a commit latency gets the right answer at both levels
  const m = new Map([
    ["fra", 2],
    ["lon", 2],
    ["ams", 1],
  ]);
  const rtts: Record<string, number> = { "fra|lon": 14, "fra|ams": 9, "lon|ams": 8 };
  const plain = (a: string, b: string) => rtts[`${a}|${b}`] ?? rtts[`${b}|${a}`];
  const inner: (number | undefined)[] = [];
  const asking = (a: string, b: string) => {
    inner.push(commitLatency(m, plain, "lon"));
    return plain(a, b);
  };
  assert.equal(commitLatency(m, asking, "fra"), 9);
  assert.deepEqual(inner, [8, 8]);
});

test("commit latency is the RTT of the member that completes the majority", () => {
  const rtts: Record<string, number> = { "fra|lon": 14, "fra|ams": 9, "lon|ams": 8 };
  const rtt = (a: string, b: string) => rtts[`${a}|${b}`] ?? rtts[`${b}|${a}`];
  const m = new Map([
    ["fra", 2],
    ["lon", 2],
    ["ams", 1],
  ]);
  // leader in fra: 0, 0, 9 (ams), 14, 14 → the 3rd is 9
  assert.equal(commitLatency(m, rtt, "fra"), 9);
  // leader in lon: 0, 0, 8, 14, 14 → 8
  assert.equal(commitLatency(m, rtt, "lon"), 8);
  // leader in ams: 0, 8, 8, 9, 9 → 8
  assert.equal(commitLatency(m, rtt, "ams"), 8);
  assert.deepEqual(bestCommitLatency(m, rtt), { site: "lon", latency: 8 });
  assert.equal(
    commitLatency(m, () => undefined, "fra"),
    undefined,
    "unlinked leader has no latency",
  );
});

test("commit latency matches a search for the smallest RTT radius that holds a majority", () => {
  const seed = seedFromEnv();
  const r = rng(seed + 1);
  for (let trial = 0; trial < 500; trial++) {
    const m = randomMembers(r);
    const sites = [...m.keys()];
    const table = new Map<string, number>();
    for (const a of sites) for (const b of sites) if (a < b) table.set(`${a}|${b}`, 1 + Math.floor(r() * 100));
    const rtt = (a: string, b: string) => (a === b ? 0 : table.get(a < b ? `${a}|${b}` : `${b}|${a}`));
    for (const leader of sites) {
      const radii = [...new Set(sites.map((s) => rtt(leader, s)!))].sort((a, b) => a - b);
      const n = total(m);
      const expected = radii.find((R) => sites.filter((s) => rtt(leader, s)! <= R).reduce((a, s) => a + m.get(s)!, 0) >= majority(n));
      assert.equal(commitLatency(m, rtt, leader), expected, `seed ${seed} leader ${leader}`);
    }
  }
});
