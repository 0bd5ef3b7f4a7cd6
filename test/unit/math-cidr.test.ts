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
