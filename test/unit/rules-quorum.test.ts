import { test } from "node:test";
import assert from "node:assert/strict";
import { check, codes, only, yaml } from "../helpers";

const sites = (names: string[]) => `sites:\n${names.map((n) => `  - name: ${n}\n`).join("")}`;
function mesh(names: string[], rtt = 5): string {
  let out = "links:\n";
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) out += `  - between: [${names[i]}, ${names[j]}]\n    rttMs: ${rtt}\n`;
  return out;
}
function etcd(members: Record<string, number>, home = Object.keys(members)[0]): string {
  const names = Object.keys(members);
  return (
    sites(names) +
    (names.length > 1 ? mesh(names) : "") +
    `clusters:\n  - name: core\n    site: ${home}\n    etcd:\n      members: { ${Object.entries(members)
      .map(([s, c]) => `${s}: ${c}`)
      .join(", ")} }\n`
  );
}
const quorumCodes = (m: Record<string, number>) =>
  codes(etcd(m))
    .filter((c) => c.startsWith("quorum/"))
    .sort();

test("2+2+1 across three sites is clean", () => {
  assert.deepEqual(codes(etcd({ fra: 2, lon: 2, ams: 1 })), []);
});

test("member count boundaries: 2 vs 3 (tolerance), 4 (even), 7 vs 8 (too many)", () => {
  assert.deepEqual(quorumCodes({ a: 3 }), []);
  assert.deepEqual(quorumCodes({ a: 2 }), ["quorum/even-members", "quorum/no-fault-tolerance"]);
  assert.deepEqual(quorumCodes({ a: 1 }), ["quorum/no-fault-tolerance"]);
  assert.deepEqual(quorumCodes({ a: 4 }), ["quorum/even-members"]);
  assert.deepEqual(quorumCodes({ a: 3, b: 2, c: 2 }), []);
  assert.deepEqual(quorumCodes({ a: 3, b: 3, c: 2 }), ["quorum/even-members", "quorum/too-many-members"]);
  assert.deepEqual(quorumCodes({ a: 3, b: 3, c: 3 }), ["quorum/too-many-members"]);
});

test("even-members, no-fault-tolerance and too-many-members open with the quorum's membership", () => {
  const even = only(etcd({ fra: 2, lon: 2 }), "quorum/even-members");
  assert.match(even[0].message, /^etcd of cluster \S+ has 4 members \(fra: 2, lon: 2\): majority is 3, so it tolerates 1 failure/);
  const single = only(etcd({ fra: 1 }), "quorum/no-fault-tolerance");
  assert.match(single[0].message, /^etcd of cluster \S+ has 1 member \(fra: 1\): majority is 1, so losing any one member stops writes/);
});

test("a single-site quorum gets no site-loss finding", () => {
  assert.deepEqual(quorumCodes({ fra: 5 }), []);
});

test("two sites: 2+2 and 3+2 split, with the numbers", () => {
  const twoTwo = only(etcd({ fra: 2, lon: 2 }), "quorum/two-site-split");
  assert.equal(twoTwo.length, 1);
  assert.equal(twoTwo[0].text, "members");
  assert.match(twoTwo[0].message, /losing fra leaves 2 of 4/);
  assert.match(twoTwo[0].message, /majority is 3/);
  assert.match(twoTwo[0].message, /2 vs 2/);
  assert.deepEqual(
    twoTwo[0].fixes.map((f) => f.kind),
    ["add-witness"],
  );
  const threeTwo = only(etcd({ fra: 3, lon: 2 }), "quorum/two-site-split");
  assert.match(threeTwo[0].message, /losing fra leaves 2 of 5/);
  assert.doesNotMatch(threeTwo[0].message, /losing lon/);
});

test("site loss across three sites: 3+1+1 loses with the big site, 2+2+1 does not", () => {
  // the cluster runs at lon: losing fra stops the API of a cluster that is still there
  const f = only(etcd({ fra: 3, lon: 1, ams: 1 }, "lon"), "quorum/site-loss");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /losing fra leaves 2 of 5 members; majority is 3/);
  assert.deepEqual(only(etcd({ fra: 2, lon: 2, ams: 1 }), "quorum/site-loss"), []);
  // 4+2+1: losing the 4-site leaves 3 of 7, majority 4
  assert.match(only(etcd({ a: 4, b: 2, c: 1 }, "b"), "quorum/site-loss")[0].message, /losing a leaves 3 of 7/);
});

test("a cluster's etcd is not judged for its own site's loss: the cluster is lost with it", () => {
  // 3+1+1 with the cluster at fra keeps the API through any cut of fra; losing fra loses the cluster anyway
  assert.deepEqual(only(etcd({ fra: 3, lon: 1, ams: 1 }), "quorum/site-loss"), []);
  assert.deepEqual(only(etcd({ a: 4, b: 2, c: 1 }), "quorum/site-loss"), []);
  // another site's loss still counts, and the message names only that one: 1+3+1 with the cluster at fra
  const other = only(etcd({ fra: 1, lon: 3, ams: 1 }), "quorum/site-loss");
  assert.equal(other.length, 1);
  assert.match(other[0].message, /losing lon leaves 2 of 5 members; majority is 3/);
  assert.doesNotMatch(other[0].message, /losing fra/);
  // the cluster's site without members: every loss counts (its etcd lives wholly elsewhere)
  const away = `${sites(["fra", "lon", "ams", "par"]) + mesh(["fra", "lon", "ams", "par"])}clusters:\n  - name: core\n    site: par\n    etcd:\n      members: { fra: 3, lon: 1, ams: 1 }\n`;
  assert.equal(only(away, "quorum/site-loss").length, 1);
  // a store's clients are everywhere: 3+1+1 is judged for every site
  const store = `${sites(["fra", "lon", "ams"]) + mesh(["fra", "lon", "ams"])}stores:\n  - name: db\n    replication: consensus\n    members: { fra: 3, lon: 1, ams: 1 }\n`;
  assert.match(only(store, "quorum/site-loss")[0].message, /losing fra leaves 2 of 5/);
  // two sites stay a split (the contract's quorum/two-site-split), home or not
  assert.equal(only(etcd({ fra: 3, lon: 2 }), "quorum/two-site-split").length, 1);
});

test("partitions: 1+1+1+1 and 2+2+1+1 freeze, 2+2+1 and 1+1+1 do not", () => {
  assert.equal(only(etcd({ a: 1, b: 1, c: 1, d: 1 }), "quorum/partition").length, 1);
  const f = only(etcd({ a: 2, b: 2, c: 1, d: 1 }), "quorum/partition");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /\(3\) and .* \(3\) leaves neither side the majority of 4/);
  assert.deepEqual(only(etcd({ a: 2, b: 2, c: 1 }), "quorum/partition"), []);
  assert.deepEqual(only(etcd({ a: 1, b: 1, c: 1 }), "quorum/partition"), []);
});

test("even-members fixes prefer the change that keeps every site loss survivable", () => {
  // 2+1+1: adding at a (3+1+1) loses with a; adding at b (2+2+1) survives every loss
  const f = only(etcd({ a: 2, b: 1, c: 1 }), "quorum/even-members")[0];
  const preferred = f.fixes[0];
  assert.match(preferred.title, /Add one member at `b`|Add one member at `c`|Remove one member at `a`/);
});

test("consensus and galera stores are quorums too; async stores are not", () => {
  const body = (rep: string) =>
    `${sites(["fra", "lon"]) + mesh(["fra", "lon"], 1)}stores:\n  - name: db\n    replication: ${rep}\n    members: { fra: 2, lon: 2 }\n`;
  assert.ok(codes(body("consensus")).includes("quorum/two-site-split"));
  assert.ok(codes(body("galera")).includes("quorum/two-site-split"));
  assert.ok(!codes(body("async")).some((c) => c.startsWith("quorum/")));
});

test("a member site that is not declared costs one ref/unknown finding, nothing else", () => {
  const found = check(yaml`
    sites:
      - name: fra
      - name: lon
    links:
      - between: [fra, lon]
        rttMs: 14
    clusters:
      - name: core
        site: fra
        etcd:
          members: { fra: 2, londn: 2 }
  `);
  assert.deepEqual(
    found.map((f) => [f.code, f.text]),
    [["ref/unknown", "londn"]],
  );
  assert.match(found[0].message, /did you mean `lon`/);
});

test("quorum/control-plane-elsewhere: a cluster's etcd with no member at its own site (review M87), and none with one", () => {
  const at = (members: string) =>
    `${sites(["fra", "lon", "ams"])}${mesh(["fra", "lon", "ams"])}clusters:\n  - name: lon-prod\n    site: lon\n    etcd: { members: ${members} }\n`;
  const whole = only(at("{ fra: 3 }"), "quorum/control-plane-elsewhere");
  assert.equal(whole.length, 1);
  assert.equal(whole[0].severity, "information");
  assert.match(whole[0].message, /^cluster lon-prod runs at lon, but none of its 3 etcd members do \(fra: 3\): losing fra stops its API/);
  assert.match(whole[0].message, /its etcd data returns only with fra or from a snapshot; a cut between lon and fra leaves lon's nodes/);
  const spread = only(at("{ fra: 2, ams: 1 }"), "quorum/control-plane-elsewhere");
  assert.equal(spread.length, 1);
  assert.match(
    spread[0].message,
    /losing fra stops its API — its pods at lon keep running, but nothing is scaled, rolled out or rescheduled; a cut/,
  );
  assert.match(only(at("{ fra: 1, ams: 1, lon: 0 }"), "quorum/control-plane-elsewhere")[0]?.message ?? "", /none of its 2 etcd members/);
  // one member at its own site: the usual stretched or federated control plane, nothing to say
  assert.deepEqual(only(at("{ fra: 2, lon: 1 }"), "quorum/control-plane-elsewhere"), []);
  assert.deepEqual(only(at("{ lon: 3 }"), "quorum/control-plane-elsewhere"), []);
});
