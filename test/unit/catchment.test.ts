// Review M69: anycast has no weights — a lost site's clients follow BGP to their next-best
// origin, typically one neighbour for all of them — and GeoDNS answers a failed region with its
// fallback, not pro rata. After a loss both are judged with the whole lost share at one surviving
// site (derive/loads shiftOf); gslb and weighted-dns still split it by weight. The other
// survivors keep their own catchment: here 10,000 rps each, so the one that takes fra's 10,000
// carries 20,000 (not 15,000 + 10,000: that would count the lost share twice).
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { availabilityText } from "../../server/src/availability/render";
import { ALL_UP, run } from "../../server/src/whatif/engine";
import { loadOf, movedShare, scenario } from "../../server/src/math/traffic";
import { toNumber } from "../../server/src/math/rational";
import { check, FRA_LON_PAR_AVAILABLE, HEADER } from "../helpers";

/** fra/lon/par, one cluster each, a 30,000 rps entry over three 15,000 rps backends of weight 1. */
const design = (steering: string) => `${FRA_LON_PAR_AVAILABLE}clusters:
  - { name: fra-1, site: fra }
  - { name: lon-1, site: lon }
  - { name: par-1, site: par }
traffic:
  - name: api
    steering: ${steering}
    ttlSeconds: 60
    peakRps: 30000
    backends:
      - { cluster: fra-1, weight: 1, capacityRps: 15000 }
      - { cluster: lon-1, weight: 1, capacityRps: 15000 }
      - { cluster: par-1, weight: 1, capacityRps: 15000 }
`;
const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const api = (r: ReturnType<typeof run>) => r.traffic.find((t) => t.name === "api")!;

test("math/traffic: the catchment moves the whole lost share to one site, the loads still sum to the peak", () => {
  const bs = [
    { site: "fra", weight: 1, capacity: 15000 },
    { site: "lon", weight: 1, capacity: 15000 },
    { site: "par", weight: 1, capacity: 20000 },
  ];
  const byWeight = scenario(30000, bs, "fra");
  assert.deepEqual(
    [1, 2].map((i) => toNumber(loadOf(byWeight, i)!)),
    [15000, 15000],
  );
  // judged where it leaves the least headroom: lon (15,000 capacity), not par (20,000)
  const moved = scenario(30000, bs, "fra", "catchment");
  assert.equal(moved.heir, "lon");
  assert.deepEqual(
    [1, 2].map((i) => toNumber(loadOf(moved, i)!)),
    [20000, 10000],
  );
  const atPar = scenario(30000, bs, "fra", { heir: "par" });
  assert.deepEqual(
    [1, 2].map((i) => toNumber(loadOf(atPar, i)!)),
    [10000, 20000],
  );
  // nothing lost: by weight whatever the steering
  assert.equal(scenario(30000, bs, undefined, "catchment").heir, undefined);
  // the share the note says moved is the exact one loadOf adds at the heir (one number, not a float beside it)
  const third = scenario(10000, bs, "fra", "catchment");
  const moves = movedShare(third, third.allTotal!);
  assert.deepEqual([moves.n, moves.d], [10000n, 3n]);
  assert.equal(toNumber(loadOf(third, 1)!) - 10000 / 3, toNumber(moves));
});

test("anycast and geodns: capacity/site-loss asks each survivor for its share plus the whole lost share; gslb and weighted-dns do not", () => {
  for (const steering of ["anycast", "geodns"]) {
    const fs = check(design(steering)).filter((f) => f.code === "capacity/site-loss");
    assert.equal(fs.length, 3, steering);
    assert.match(fs[1].message, /^api: after losing fra, lon-1 carries up to 20,000 rps; capacity 15,000 \(short by 5,000 rps\) — /);
    assert.match(
      fs[1].message,
      steering === "anycast" ? /anycast has no weights: fra's clients follow BGP/ : /GeoDNS answers fra's clients with its fallback/,
    );
  }
  for (const steering of ["gslb", "weighted-dns"])
    assert.deepEqual(
      check(design(steering)).filter((f) => f.code === "capacity/site-loss"),
      [],
      steering,
    );
});

test("anycast: simulate --lose fra judges the whole lost share at one site and says so; gslb splits it", () => {
  const lost = run(ctxOf(design("anycast")), { ...ALL_UP, lose: ["fra"] });
  assert.equal(api(lost).outcome, "overloaded");
  assert.deepEqual(
    api(lost).backends.map((b) => b.loadRps),
    [null, 20000, 10000],
  );
  assert.ok(
    lost.notes.some((n) =>
      /^traffic api: anycast has no weights: fra's clients follow BGP to their next-best origin, typically one neighbour for all of them — the 10,000 rps judged here all at lon, .*\(par may be the one instead: each needs its own share plus 10,000 rps\)/.test(
        n,
      ),
    ),
  );
  const split = run(ctxOf(design("gslb")), { ...ALL_UP, lose: ["fra"] });
  assert.equal(api(split).outcome, "served");
  assert.deepEqual(
    api(split).backends.map((b) => b.loadRps),
    [null, 15000, 15000],
  );
  // availability follows: every single-site loss overloads the anycast entry (about 0.3% of the year), the gslb one only a two-site loss
  assert.match(availabilityText(ctxOf(design("anycast"))), /traffic api \(traffic\): 99\.70\d*%/);
  assert.match(availabilityText(ctxOf(design("gslb"))), /traffic api \(traffic\): 99\.9997%/);
});
