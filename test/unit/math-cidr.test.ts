import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canonical,
  compareFirst,
  contains,
  hasHostBits,
  lowestFree,
  makeCidr,
  overlappingPairs,
  overlaps,
  parseCidr,
  privateParentOf,
  size,
  type Cidr,
} from "../../server/src/math/cidr";
import { rng, seedFromEnv } from "../helpers";

test("parses and canonicalises IPv4 and IPv6 prefixes", () => {
  const cases: [string, string][] = [
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["10.96.0.1/16", "10.96.0.0/16"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["192.168.1.7/32", "192.168.1.7/32"],
    ["fd00::/8", "fd00::/8"],
    ["FD00:0:0:0::/64", "fd00::/64"],
    ["2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"],
    ["2001:0db8:0000:0000:0000:0000:0000:0000/32", "2001:db8::/32"],
    ["::/0", "::/0"],
    ["::ffff:10.0.0.0/104", "::ffff:a00:0/104"],
    ["fd12:3456:789a:1::1/64", "fd12:3456:789a:1::/64"],
  ];
  for (const [input, out] of cases) {
    const c = parseCidr(input);
    assert.ok(c, input);
    assert.equal(canonical(c), out, input);
  }
});

test("rejects what is not a prefix", () => {
  for (const bad of [
    "10.0.0.0",
    "10.0.0/8",
    "10.0.0.256/24",
    "10.0.0.0/33",
    "010.0.0.0/8",
    "10.0.0.0/08",
    "fd00::/129",
    "fd00:::1/64",
    "1:2:3:4:5:6:7:8:9/64",
    "fd00::g/64",
    "",
    "10.0.0.0/-1",
    "1::2::3/64",
    "1:2:3:4:5:6:7::8/64 x",
  ]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

/** What a prefix is, written plainly (regular expressions and BigInt throughout): the oracle for the hand-rolled parser. */
function referenceCidr(text: string): Cidr | undefined {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m || (m[2].length > 1 && m[2].startsWith("0"))) return undefined;
  const prefix = Number(m[2]);
  const v4 = (s: string): bigint | undefined => {
    const o = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (!o || o.slice(1).some((x) => (x.length > 1 && x.startsWith("0")) || Number(x) > 255)) return undefined;
    return o.slice(1).reduce((v, x) => v * 256n + BigInt(x), 0n);
  };
  let family: 4 | 6;
  let address: bigint | undefined;
  if (!m[1].includes(":")) {
    family = 4;
    address = v4(m[1]);
  } else {
    family = 6;
    const halves = /^[0-9a-fA-F:.]+$/.test(m[1]) ? m[1].split("::") : [];
    const groups = (part: string): bigint[] | undefined => {
      if (part === "") return [];
      const pieces = part.split(":");
      const out: bigint[] = [];
      for (const [i, p] of pieces.entries()) {
        const tail = i === pieces.length - 1 && p.includes(".") ? v4(p) : undefined;
        if (tail !== undefined) out.push(tail >> 16n, tail & 0xffffn);
        else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(BigInt(`0x${p}`));
        else return undefined;
      }
      return out;
    };
    const head = halves.length >= 1 && halves.length <= 2 ? groups(halves[0]) : undefined;
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    if (head && tail) {
      const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
      const all = [...head, ...Array<bigint>(Math.max(0, fill)).fill(0n), ...tail];
      if ((halves.length === 1 || fill >= 1) && all.length === 8) address = all.reduce((v, g) => (v << 16n) | g, 0n);
    }
  }
  if (address === undefined || prefix > (family === 4 ? 32 : 128)) return undefined;
  const host = (1n << BigInt((family === 4 ? 32 : 128) - prefix)) - 1n;
  return { family, address, prefix, first: address & ~host, last: (address & ~host) | host };
}

test("the parser agrees with the plain definition on random prefixes and near-misses", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const octet = () => (r() < 0.05 ? pick(["00", "01", "256", "999", ""]) : String(Math.floor(r() * 256)));
  const group = () => (r() < 0.05 ? pick(["", "12345", "g", "0000"]) : Math.floor(r() * 65536).toString(16));
  const v6 = () => {
    const gs = Array.from({ length: 8 }, group);
    if (r() < 0.2) gs.splice(6, 2, [octet(), octet(), octet(), octet()].join("."));
    const text = gs.join(":");
    if (r() < 0.5) return text;
    // compress a run (sometimes a wrong one)
    const from = Math.floor(r() * gs.length);
    const to = from + Math.floor(r() * (gs.length - from + 1));
    return `${gs.slice(0, from).join(":")}::${gs.slice(to).join(":")}`;
  };
  const candidates: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const address = r() < 0.5 ? [octet(), octet(), octet(), octet()].join(".") : v6();
    const prefix = r() < 0.05 ? pick(["", "00", "08", "1234", "-1", "x"]) : String(Math.floor(r() * 140));
    let text = `${address}/${prefix}`;
    // near-misses: a character inserted, dropped or replaced; spaces around
    if (r() < 0.3) {
      const at = Math.floor(r() * (text.length + 1));
      const ch = pick([..."0123456789abcdefABCDEFG:./ \t-"]);
      const op = pick(["insert", "drop", "replace"]);
      text = text.slice(0, at) + (op === "drop" ? "" : ch) + text.slice(op === "insert" ? at : at + 1);
    }
    if (r() < 0.1) text = ` ${text}\t`;
    candidates.push(text);
  }
  let valid = 0;
  for (const text of candidates) {
    const got = parseCidr(text);
    assert.deepEqual(got, referenceCidr(text), `${JSON.stringify(text)} (seed ${seed})`);
    if (got) valid++;
  }
  // both sides of the boundary are exercised
  assert.ok(valid > 1000 && valid < candidates.length - 500, `valid ${valid} of ${candidates.length} (seed ${seed})`);
});

test("first, last, size, host bits, containment", () => {
  const c = parseCidr("10.96.0.1/12")!;
  assert.equal(canonical(c), "10.96.0.0/12");
  assert.equal(hasHostBits(c), true);
  assert.equal(c.first, 0x0a600000n);
  assert.equal(c.last, 0x0a6fffffn);
  assert.equal(size(c), 1n << 20n);
  assert.equal(size(parseCidr("fd00::/64")!), 1n << 64n);
  assert.ok(contains(parseCidr("10.0.0.0/8")!, parseCidr("10.1.0.0/16")!));
  assert.ok(!contains(parseCidr("10.1.0.0/16")!, parseCidr("10.0.0.0/8")!));
  assert.ok(overlaps(parseCidr("10.1.0.0/16")!, parseCidr("10.0.0.0/8")!));
  assert.ok(!overlaps(parseCidr("10.1.0.0/16")!, parseCidr("10.2.0.0/16")!));
  assert.ok(!overlaps(parseCidr("0.0.0.0/0")!, parseCidr("::/0")!), "families never overlap");
  assert.equal(canonical(privateParentOf(parseCidr("172.20.0.0/16")!)!), "172.16.0.0/12");
  assert.equal(privateParentOf(parseCidr("8.8.8.0/24")!), undefined);
});

function randomCidr(r: () => number, family: 4 | 6): Cidr {
  if (family === 4) {
    // a narrow space so overlaps are frequent
    const prefix = 8 + Math.floor(r() * 17);
    const addr = (10n << 24n) | BigInt(Math.floor(r() * 2 ** 24));
    return makeCidr(4, addr, prefix);
  }
  const prefix = 8 + Math.floor(r() * 57);
  let addr = 0xfdn << 120n;
  addr |= BigInt(Math.floor(r() * 2 ** 30)) << 90n;
  return makeCidr(6, addr, prefix);
}

test("sort-and-sweep overlap finds exactly the pairs a naive all-pairs check finds", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  for (let round = 0; round < 6; round++) {
    const ranges: Cidr[] = [];
    for (let i = 0; i < 800; i++) ranges.push(randomCidr(r, r() < 0.5 ? 4 : 6));
    // a few exact duplicates
    for (let i = 0; i < 20; i++) ranges.push(ranges[Math.floor(r() * ranges.length)]);
    const naive = new Set<string>();
    for (let i = 0; i < ranges.length; i++)
      for (let j = i + 1; j < ranges.length; j++) if (overlaps(ranges[i], ranges[j])) naive.add(`${i},${j}`);
    const swept = overlappingPairs(ranges).map(([i, j]) => `${i},${j}`);
    assert.equal(new Set(swept).size, swept.length, `no pair twice (seed ${seed})`);
    assert.deepEqual(new Set(swept), naive, `seed ${seed}`);
  }
});

test("overlapping pairs after a few ranges changed (a keystroke) equal the pairs of a fresh sort, in the same order", () => {
  const seed = seedFromEnv();
  const r = rng(seed + 3);
  let ranges: Cidr[] = [];
  for (let i = 0; i < 400; i++) ranges.push(randomCidr(r, r() < 0.6 ? 4 : 6));
  for (let step = 0; step < 200; step++) {
    // one item's ranges re-read: a run replaced by a few others, sometimes the same objects, sometimes a duplicate or a /2
    const at = Math.floor(r() * (ranges.length + 1));
    const removed = Math.floor(r() * 4);
    const added: Cidr[] = [];
    for (let k = Math.floor(r() * 4); k > 0; k--)
      added.push(
        r() < 0.2 ? ranges[Math.floor(r() * ranges.length)] : r() < 0.1 ? parseCidr("10.0.0.0/2")! : randomCidr(r, r() < 0.6 ? 4 : 6),
      );
    const next = r() < 0.1 ? ranges.slice() : [...ranges.slice(0, at), ...added, ...ranges.slice(at + removed)];
    // now and then a whole other list (another file), which is sorted afresh
    if (r() < 0.05) for (let i = 0; i < next.length; i++) next[i] = randomCidr(r, r() < 0.6 ? 4 : 6);
    // the order of the last call is what a keystroke's reuses: the list before it, then after it
    overlappingPairs(ranges);
    const got = overlappingPairs(next);
    // the same ranges as other objects: nothing to reuse, a fresh sort
    const fresh = overlappingPairs(next.map((c) => ({ ...c })));
    assert.deepEqual(got, fresh, `seed ${seed}, step ${step}`);
    ranges = next;
  }
});

test("lowest free block matches a brute-force scan of every aligned block", () => {
  const seed = seedFromEnv();
  const r = rng(seed + 7);
  const parent = parseCidr("10.0.0.0/8")!;
  for (let trial = 0; trial < 300; trial++) {
    const taken: Cidr[] = [];
    const count = Math.floor(r() * 12);
    for (let i = 0; i < count; i++) taken.push(makeCidr(4, (10n << 24n) | BigInt(Math.floor(r() * 2 ** 24)), 9 + Math.floor(r() * 10)));
    if (r() < 0.1) taken.push(parseCidr("0.0.0.0/4")!); // a block that covers the whole parent
    const prefix = 10 + Math.floor(r() * 8);
    const sorted = [...taken].sort(compareFirst);
    const got = lowestFree(parent, prefix, sorted);
    let expected: Cidr | undefined;
    const step = 1n << BigInt(32 - prefix);
    for (let a = parent.first; a <= parent.last; a += step) {
      const block = makeCidr(4, a, prefix);
      if (!taken.some((t) => overlaps(t, block))) {
        expected = block;
        break;
      }
    }
    assert.equal(got && canonical(got), expected && canonical(expected), `seed ${seed} trial ${trial}`);
    // ignoring a taken block frees its space
    if (taken.length) {
      const ignore = sorted[0];
      const freed = lowestFree(parent, prefix, sorted, 0);
      if (freed) assert.ok(!taken.some((t) => t !== ignore && overlaps(t, freed)));
    }
  }
});
