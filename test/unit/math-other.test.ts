import { test } from "node:test";
import assert from "node:assert/strict";
import { fiberFloorMs, haversineKm } from "../../server/src/math/geo";
import { lagBytesNeeded, lagSecondsCovered } from "../../server/src/math/lag";
import { ceil, cmp, format, fromNumber, rat } from "../../server/src/math/rational";
import { loadOf, overCapacity, scenario, scenarios } from "../../server/src/math/traffic";

test("haversine distance and fiber floor", () => {
  const fra = { lat: 50.11, lon: 8.68 };
  const nyc = { lat: 40.71, lon: -74.01 };
  const km = haversineKm(fra, nyc);
  assert.ok(km > 6150 && km < 6250, `fra–nyc ${km} km`);
  assert.ok(Math.abs(fiberFloorMs(fra, nyc) - km / 100) < 1e-9);
  assert.equal(haversineKm(fra, fra), 0);
  // a quarter of the equator: π/2 × 6371 km
  assert.ok(Math.abs(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 90 }) - (Math.PI / 2) * 6371) < 1e-6);
});

test("rationals read decimals exactly", () => {
  assert.deepEqual(fromNumber(0.1), rat(1n, 10n));
  assert.deepEqual(fromNumber(1e21), rat(10n ** 21n));
  assert.deepEqual(fromNumber(1.5e-7), rat(15n, 10n ** 8n));
  assert.equal(cmp(fromNumber(0.1 + 0.2), fromNumber(0.3)), 1, "0.30000000000000004 > 0.3");
  assert.equal(ceil(rat(7n, 2n)), 4n);
  assert.equal(ceil(rat(8n, 2n)), 4n);
  assert.equal(format(rat(40000n, 3n)), "13333.3");
});

test("loads per backend with every site up and after each site loss", () => {
  const backends = [
    { site: "hub", weight: 50, capacity: 60000 },
    { site: "edge", weight: 50, capacity: 24000 },
  ];
  const [all, lostHub, lostEdge] = scenarios(60000, backends);
  const loads = (s: typeof all) => backends.map((_, i) => loadOf(s, i)).map((l) => l && format(l));
  assert.deepEqual(loads(all), ["30000", "30000"]);
  assert.equal(lostHub.lost, "hub");
  assert.deepEqual(loads(lostHub), [undefined, "60000"]);
  assert.deepEqual(loads(lostEdge), ["60000", undefined]);
  assert.equal(overCapacity(lostEdge, 0), false, "exactly at capacity is not over");
  assert.equal(overCapacity(lostHub, 1), true);
  // 3 backends, weights 1:1:1, peak 100: 33.33… each, compared exactly
  const three = scenario(100, [
    { site: "a", weight: 1 },
    { site: "b", weight: 1 },
    { site: "c", weight: 1 },
  ]);
  assert.equal(overCapacity(three, 0, 33), true);
  assert.equal(overCapacity(three, 0, 34), false);
  // weight 0 everywhere is a standby pool: it takes the load equally (review M82; Route 53 routes
  // a group of zero weights with equal probability), so nothing is stranded
  const standby = scenario(10, [{ site: "a", weight: 0 }]);
  assert.equal(standby.stranded, false);
  assert.equal(format(loadOf(standby, 0)!), "10");
  assert.equal(scenario(10, []).stranded, true, "no backend at all strands the load");
  // fractional weights take the exact rational path: 0.1 + 0.2 of 3 rps is 1 rps on the 0.1 backend
  const frac = scenario(3, [
    { site: "a", weight: 0.1 },
    { site: "b", weight: 0.2 },
  ]);
  assert.equal(format(loadOf(frac, 0)!), "1");
  assert.equal(overCapacity(frac, 0, 1), false);
  // products past 2^53 fall back to BigInt
  const big = scenario(2 ** 52, [
    { site: "a", weight: 3 },
    { site: "b", weight: 1 },
  ]);
  assert.equal(overCapacity(big, 0, 3 * 2 ** 50), false);
  assert.equal(overCapacity(big, 0, 3 * 2 ** 50 - 1), true);
});

test("lag buffer product", () => {
  assert.equal(format(lagBytesNeeded(240, 2000, 1024)), "491520000");
  assert.equal(lagSecondsCovered(268435456, 2000, 1024), 131.072);
});
