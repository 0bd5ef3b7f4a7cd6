import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile, analyzeRun } from "../../server/src/analysis";
import { fixesFor } from "../../server/src/fixes/fixes";
import { codes, HEADER, only } from "../helpers";

const twoSites = "sites:\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [fra, lon], rttMs: 14 }\n";

function asyncStore(fields: string): string {
  return `${twoSites}stores:\n  - name: orders\n    replication: async\n${fields}`;
}

test("writers in two sites need a conflict policy; one site or a policy is fine", () => {
  const f = only(asyncStore("    writers: [fra, lon]\n"), "data/multi-writer-without-conflict-policy");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "writers");
  assert.match(f[0].message, /2 sites \(fra, lon\) with no conflictResolution/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Keep a single writer (`fra`)"],
  );
  assert.equal(
    only(asyncStore("    writers: [fra, lon]\n    conflictResolution: none\n"), "data/multi-writer-without-conflict-policy").length,
    1,
  );
  assert.deepEqual(codes(asyncStore("    writers: [fra, lon]\n    conflictResolution: last-writer-wins\n")), []);
  assert.deepEqual(codes(asyncStore("    writers: [fra]\n")), []);
  assert.deepEqual(codes(asyncStore("    writers: [fra, fra]\n")), [], "one site named twice is one site");
});

test("replication: crdt merges by construction: no conflict-policy error unless conflictResolution says none (review M88)", () => {
  const crdt = (fields: string) => `${twoSites}stores:\n  - name: carts\n    replication: crdt\n${fields}`;
  // check agreed with neither simulate ("the store's CRDTs merge both sides' writes") nor the record's checklist
  assert.deepEqual(codes(crdt("    writers: [fra, lon]\n")), []);
  assert.deepEqual(codes(crdt("    writers: [fra, lon]\n    conflictResolution: crdt\n")), []);
  const none = only(crdt("    writers: [fra, lon]\n    conflictResolution: none\n"), "data/multi-writer-without-conflict-policy");
  assert.equal(none.length, 1);
  assert.match(none[0].message, /with conflictResolution: none: concurrent writes/);
  // a single-primary engine under it still needs its multi-master layer, with the CRDT caveat
  assert.match(only(crdt("    engine: postgres\n    writers: [fra, lon]\n"), "data/single-primary-writers")[0].message, /crdt|CRDT/);
});

test("a single-primary engine with writers in two sites is flagged; one writer site, or a multi-master layer named, is not", () => {
  const store = (engine: string, fields: string) => asyncStore(`    engine: ${engine}\n${fields}`);
  const lww = "    conflictResolution: last-writer-wins\n";
  // the boundary: one writer site (even named twice) is fine, a second site is not
  assert.deepEqual(codes(store("postgres", `    writers: [fra]\n${lww}`)), []);
  assert.deepEqual(codes(store("postgres", `    writers: [fra, fra]\n${lww}`)), []);
  const f = only(store("postgres", `    writers: [fra, lon]\n${lww}`), "data/single-primary-writers");
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, "warning");
  assert.equal(f[0].text, "writers");
  assert.match(
    f[0].message,
    /^store orders \(engine postgres\) takes writes in 2 sites \(fra, lon\), but PostgreSQL takes writes on one primary/,
  );
  assert.match(
    f[0].message,
    /multi-master layer such as EDB Postgres Distributed \(BDR\) or pgEdge, whose default conflict handling is last update wins per row/,
  );
  assert.doesNotMatch(f[0].message, /crdt/, "the CRDT caveat only where the design claims a CRDT merge");
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Keep a single writer (`fra`)"],
  );
  assert.deepEqual(
    codes(store("postgres", `    writers: [fra, lon]\n${lww}`)),
    ["data/single-primary-writers"],
    "nothing else on this store",
  );

  // the reviewed example's shape: postgres, two writers, crdt — the merge holds only for CRDT columns
  const crdt = only(store("postgresql-16", "    writers: [fra, lon]\n    conflictResolution: crdt\n"), "data/single-primary-writers");
  assert.equal(crdt.length, 1);
  assert.match(
    crdt[0].message,
    /`conflictResolution: crdt` holds there only for columns declared as CRDTs .*; every other column of a conflicting row is last update wins\. Name that layer in `engine`, or keep one writer$/,
  );

  // MySQL / MariaDB: certification, not last-update-wins; no CRDT types at all
  const my = only(store("mysql", "    writers: [fra, lon]\n    conflictResolution: crdt\n"), "data/single-primary-writers");
  assert.match(my[0].message, /MySQL replication has one writable source: two-way asynchronous replication resolves no conflict/);
  assert.match(
    my[0].message,
    /Galera or Percona XtraDB Cluster \(declare `replication: galera`\), or Group Replication in multi-primary mode/,
  );
  assert.match(my[0].message, /MySQL has no CRDT types/);
  assert.match(
    only(store("MariaDB 11", "    writers: [fra, lon]\n" + lww), "data/single-primary-writers")[0].message,
    /MariaDB Galera Cluster/,
  );

  // with no policy both findings stand, each for its own reason
  assert.deepEqual(codes(store("postgres", "    writers: [fra, lon]\n")).sort(), [
    "data/multi-writer-without-conflict-policy",
    "data/single-primary-writers",
  ]);
  // a named multi-master layer, another engine, or no engine: not flagged
  for (const engine of [
    "postgres-bdr",
    "pgedge",
    "EDB Postgres Distributed",
    "mariadb-galera",
    "mysql-group-replication",
    "cockroachdb",
    "cassandra",
  ])
    assert.deepEqual(codes(store(engine, `    writers: [fra, lon]\n${lww}`)), [], engine);
  assert.deepEqual(codes(asyncStore(`    writers: [fra, lon]\n${lww}`)), []);
  // an undeclared writer site is ref/unknown's, and leaves one declared site
  assert.deepEqual(codes(store("postgres", `    writers: [fra, nowhere]\n${lww}`)), ["ref/unknown"]);
});

test("lag buffer: exactly the product fits, one byte less does not", () => {
  const lag = (buffer: number) =>
    asyncStore(
      `    writers: [fra]\n    maxLagSeconds: 240\n    writeRatePerSecond: 2000\n    writeBytes: 1024\n    lagBufferBytes: ${buffer}\n`,
    );
  assert.deepEqual(codes(lag(491520000)), []);
  const f = only(lag(491519999), "data/lag-buffer");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "491519999");
  assert.match(f[0].message, /240 s of lag × 2,000 writes\/s × 1,024 bytes = 491,520,000 bytes/);
  // every count with separators, as simulate and the record print them
  assert.match(f[0].message, /the buffer covers 240 s$/);
  assert.match(f[0].fixes[0].title, /^Set lagBufferBytes to 491,520,000$/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.text),
    ["491520000"],
  );
  // not all four set: no finding
  assert.deepEqual(codes(asyncStore("    writers: [fra]\n    maxLagSeconds: 240\n    lagBufferBytes: 1\n")), []);
});

function traffic(o: {
  peak: number;
  backends: [string, number, number][];
  steering?: string;
  ttl?: number;
  extra?: string;
  sites?: string[];
}): string {
  const sites = o.sites ?? ["fra", "lon"];
  return (
    `sites:\n${sites.map((s) => `  - name: ${s}\n`).join("")}clusters:\n${sites.map((s) => `  - name: ${s}-prod\n    site: ${s}\n`).join("")}` +
    `traffic:\n  - name: web\n    steering: ${o.steering ?? "gslb"}\n${o.ttl !== undefined ? `    ttlSeconds: ${o.ttl}\n` : ""}${o.extra ?? ""}    peakRps: ${o.peak}\n    backends:\n` +
    o.backends.map(([c, w, cap]) => `      - cluster: ${c}\n        weight: ${w}\n        capacityRps: ${cap}\n`).join("")
  );
}

test("overload with every site up: exactly at capacity passes, one over fails", () => {
  assert.deepEqual(
    codes(
      traffic({
        peak: 40000,
        backends: [
          ["fra-prod", 50, 40000],
          ["lon-prod", 50, 40000],
        ],
      }),
    ),
    [],
  );
  // 3 sites, 1:1:1 of 100 rps = 33.33… each: capacity 34 is enough, 33 is not
  const three = (cap: number) =>
    traffic({
      sites: ["a", "b", "c"],
      peak: 100,
      backends: [
        ["a-prod", 1, 100],
        ["b-prod", 1, 100],
        ["c-prod", 1, cap],
      ],
    });
  assert.deepEqual(only(three(34), "capacity/overload"), []);
  const f = only(three(33), "capacity/overload");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "33");
  assert.match(f[0].message, /carries 33.3 rps \(peak 100 × weight 1 \/ total weight 3\) — capacity 33/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.kind),
    ["rebalance-weights"],
  );
});

test("site loss: exactly at capacity after the loss passes, one under fails, naming the worst loss", () => {
  assert.deepEqual(
    codes(
      traffic({
        peak: 40000,
        backends: [
          ["fra-prod", 50, 40000],
          ["lon-prod", 50, 40000],
        ],
      }),
    ),
    [],
  );
  const f = only(
    traffic({
      peak: 40000,
      backends: [
        ["fra-prod", 50, 40000],
        ["lon-prod", 50, 39999],
      ],
    }),
    "capacity/site-loss",
  );
  assert.deepEqual(
    f.map((x) => x.text),
    ["39999"],
  );
  assert.match(f[0].message, /after losing fra, lon-prod carries 40,000 rps; capacity 39,999 \(short by 1 rps\)/);
  assert.equal(f[0].fixes[0].title, "Raise capacityRps to 40,000");
  assert.deepEqual(
    f[0].fixes.map((x) => x.text ?? x.kind),
    ["40000"],
    "rebalancing cannot help a two-site loss",
  );
  // three sites: the worst of two losses is named
  // three sites, weights 2:1:1 of 300 rps: losing a puts 150 on b and c; losing b or c puts at most 200 on a
  const three = (cap: number) =>
    traffic({
      sites: ["a", "b", "c"],
      peak: 300,
      backends: [
        ["a-prod", 2, 200],
        ["b-prod", 1, cap],
        ["c-prod", 1, cap],
      ],
    });
  assert.deepEqual(codes(three(150)), []);
  const g = only(three(149), "capacity/site-loss");
  assert.deepEqual(
    g.map((x) => x.text),
    ["149", "149"],
  );
  assert.match(g[0].message, /after losing a, b-prod carries 150 rps; capacity 149/);
});

test("weight defaults to 1 and weight 0 is a standby that takes no share", () => {
  const body = `sites:\n  - name: a\n  - name: b\nclusters:\n  - { name: a1, site: a }\n  - { name: b1, site: b }\ntraffic:\n  - name: web\n    steering: anycast\n    peakRps: 100\n    backends:\n      - { cluster: a1, capacityRps: 50 }\n      - { cluster: b1, capacityRps: 50 }\n`;
  assert.deepEqual(codes(body).sort(), ["capacity/site-loss", "capacity/site-loss"]);
});

test("DNS TTL: 30 and 120 pass, 29 and 121 are information; anycast has no TTL rule (its ttlSeconds is ignored: M91)", () => {
  const ok = [
    ["fra-prod", 1, 100],
    ["lon-prod", 1, 100],
  ] as [string, number, number][];
  for (const ttl of [30, 120]) assert.deepEqual(codes(traffic({ peak: 10, backends: ok, ttl })), []);
  for (const ttl of [29, 121]) {
    const f = only(traffic({ peak: 10, backends: ok, ttl }), "traffic/ttl");
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, "information");
  }
  assert.deepEqual(codes(traffic({ peak: 10, backends: ok, ttl: 5, steering: "anycast" })), ["traffic/ignored-field"]);
});

test("anycast with long-lived connections warns; false does not", () => {
  const ok = [
    ["fra-prod", 1, 100],
    ["lon-prod", 1, 100],
  ] as [string, number, number][];
  assert.deepEqual(
    only(
      traffic({ peak: 10, backends: ok, steering: "anycast", extra: "    longLivedConnections: true\n" }),
      "traffic/anycast-long-lived",
    ).map((x) => x.text),
    ["true"],
  );
  assert.deepEqual(codes(traffic({ peak: 10, backends: ok, steering: "anycast", extra: "    longLivedConnections: false\n" })), []);
  assert.deepEqual(codes(traffic({ peak: 10, backends: ok, steering: "gslb", extra: "    longLivedConnections: true\n" })), []);
});

test("fake active-active: a single-writer store or a one-site quorum behind multi-site backends", () => {
  const base = (
    store: string,
    backends = "      - { cluster: fra-prod, capacityRps: 100 }\n      - { cluster: lon-prod, capacityRps: 100 }\n",
  ) =>
    `${twoSites}clusters:\n  - { name: fra-prod, site: fra }\n  - { name: lon-prod, site: lon }\nstores:\n${store}traffic:\n  - name: web\n    steering: gslb\n    peakRps: 10\n    dependsOn: [db]\n    backends:\n${backends}`;
  const single = "  - { name: db, replication: async, writers: [fra], replicas: [lon] }\n";
  const f = only(base(single), "traffic/fake-active-active");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "db");
  assert.match(f[0].message, /Global routing is not global consensus/);
  assert.deepEqual(codes(base("  - { name: db, replication: async, writers: [fra, lon], conflictResolution: crdt }\n")), []);
  assert.deepEqual(
    codes(base(single, "      - { cluster: fra-prod, capacityRps: 100 }\n")),
    [],
    "one backend site is honest active-passive",
  );
  assert.deepEqual(only(base("  - { name: db, replication: consensus, members: { fra: 3 } }\n"), "traffic/fake-active-active").length, 1);
});

test("Keep a single writer: the other writers become replicas, keeping their copy (every copy at one site is an unbounded RPO)", () => {
  const fixed = (fields: string) => {
    const text = HEADER + asyncStore(fields);
    const a = analyzeFile("t.topology.yaml", text);
    const f =
      a.contexts[0] &&
      analyzeRun([{ path: "t.topology.yaml", text }])[0].findings.find((x) => x.code === "data/multi-writer-without-conflict-policy");
    assert.ok(f, fields);
    const [fix] = fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, f);
    let out = text;
    for (const e of [...fix.edits].sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return { title: fix.title, store: out.slice(out.indexOf("  - name: orders")), codes: codes(out.slice(HEADER.length)) };
  };
  // flow list, no replicas yet: a new `replicas` entry
  const flow = fixed("    writers: [fra, lon]\n    maxLagSeconds: 30\n");
  assert.equal(flow.title, "Keep a single writer (`fra`); `lon` becomes a replica");
  assert.equal(flow.store, "  - name: orders\n    replication: async\n    writers: [fra]\n    maxLagSeconds: 30\n    replicas: [lon]\n");
  assert.deepEqual(flow.codes, []);
  // block lists: the demoted writer is appended to the existing replicas, in their style; a site already a replica is not named twice
  const block = fixed("    writers:\n      - fra # primary\n      - lon\n      - ams\n    replicas:\n      - ams\n");
  assert.equal(block.title, "Keep a single writer (`fra`); `lon` becomes a replica");
  assert.equal(
    block.store,
    "  - name: orders\n    replication: async\n    writers:\n      - fra # primary\n    replicas:\n      - ams\n      - lon\n",
  );
});
