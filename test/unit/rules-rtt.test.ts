import { test } from "node:test";
import assert from "node:assert/strict";
import { check, codes, only } from "../helpers";

/** Three sites with a witness, the largest RTT east–west. */
function wan(opts: { rtt?: number; p99?: number; hb?: number; el?: number } = {}): string {
  const { rtt = 80, p99, hb, el } = opts;
  return `sites:
  - name: east
  - name: west
  - name: wit
    role: witness
links:
  - between: [east, west]
    rttMs: ${rtt}${p99 !== undefined ? `\n    rttP99Ms: ${p99}` : ""}
  - between: [east, wit]
    rttMs: 10
  - between: [west, wit]
    rttMs: 10
clusters:
  - name: core
    site: east
    etcd:
      members: { east: 2, west: 2, wit: 1 }
${hb !== undefined ? `      heartbeatMs: ${hb}\n` : ""}${el !== undefined ? `      electionTimeoutMs: ${el}\n` : ""}`;
}
const rttCodes = (o: Parameters<typeof wan>[0]) =>
  codes(wan(o))
    .filter((c) => c.startsWith("rtt/"))
    .sort();

test("heartbeat: exactly the RTT is fine, 1 ms below is not", () => {
  assert.deepEqual(rttCodes({ rtt: 80, hb: 80, el: 800 }), []);
  const f = only(wan({ rtt: 80, hb: 79, el: 800 }), "rtt/heartbeat-below-rtt");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "79");
  assert.match(f[0].message, /heartbeatMs 79 is below the largest member RTT 80 ms \(east–west\)/);
  // a short heartbeat costs messages, not elections: a follower waits a whole election timeout (review M21)
  assert.match(f[0].message, /faster than a round trip returns them — more CPU and network use, no faster failure detection/);
  assert.doesNotMatch(f[0].message, /call elections/);
});

test("heartbeat default 100 vs a 120 ms WAN anchors on the etcd key", () => {
  const f = only(wan({ rtt: 120, el: 2000 }), "rtt/heartbeat-below-rtt");
  assert.equal(f[0].text, "etcd");
  assert.match(f[0].message, /default heartbeat 100 ms/);
});

test("election timeout: exactly 10 × RTT is fine, below is an error", () => {
  assert.deepEqual(rttCodes({ rtt: 80, hb: 80, el: 800 }), []);
  const f = only(wan({ rtt: 80, hb: 80, el: 799 }), "rtt/election-timeout-low");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /10 × the largest member RTT 80 ms \(east–west\) is 800 ms/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Set heartbeat and election timeout from RTT (100 / 1000 ms)"],
  );
});

test("election timeout below 5 × heartbeat is low; 5 × to 10 × is a ratio warning; 10 × is clean", () => {
  assert.deepEqual(rttCodes({ rtt: 1, hb: 100, el: 499 }), ["rtt/election-timeout-low"]);
  assert.deepEqual(rttCodes({ rtt: 1, hb: 100, el: 500 }), ["rtt/election-heartbeat-ratio"]);
  assert.deepEqual(rttCodes({ rtt: 1, hb: 100, el: 999 }), ["rtt/election-heartbeat-ratio"]);
  assert.deepEqual(rttCodes({ rtt: 1, hb: 100, el: 1000 }), []);
});

test("election timeout upper limit 50000 ms", () => {
  assert.deepEqual(rttCodes({ rtt: 1, hb: 5000, el: 50000 }), []);
  assert.deepEqual(rttCodes({ rtt: 1, hb: 5000, el: 50001 }), ["rtt/election-timeout-max"]);
});

test("excursion: p99 × 10 equal to the timeout is fine, above warns (unless the timeout is already low)", () => {
  assert.deepEqual(rttCodes({ rtt: 20, p99: 100, hb: 100, el: 1000 }), []);
  const f = only(wan({ rtt: 20, p99: 101, hb: 100, el: 1000 }), "rtt/excursion");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /p99 RTT 101 ms \(east–west\) × 10 = 1010 ms exceeds electionTimeoutMs 1000/);
  assert.match(f[0].fixes[0].title, /1010 ms\), sized from p99/);
  assert.deepEqual(rttCodes({ rtt: 120, p99: 200, hb: 120, el: 1000 }), ["rtt/election-timeout-low"]);
});

test("the timer fix values: heartbeat rounded up to 10 ms, election from the largest of 10 × hb, RTT, p99", () => {
  const f = only(wan({ rtt: 113, p99: 150, hb: 50, el: 500 }), "rtt/heartbeat-below-rtt")[0];
  assert.match(f.fixes[0].title, /\(120 \/ 1500 ms\)/);
  const g = only(wan({ rtt: 83, hb: 50, el: 500 }), "rtt/heartbeat-below-rtt")[0];
  assert.match(g.fixes[0].title, /\(100 \/ 1000 ms\)/, "never below etcd's default 100 ms heartbeat");
});

test("p99 below typical, fiber floor at and around the boundary", () => {
  const body = (rtt: number, p99?: number) => `sites:
  - name: a
    location: { lat: 0, lon: 0 }
  - name: b
    location: { lat: 0, lon: 9 }
links:
  - between: [a, b]
    rttMs: ${rtt}${p99 !== undefined ? `\n    rttP99Ms: ${p99}` : ""}
`;
  // 9° of longitude on the equator = 1000.754 km → floor 10.00754 ms
  assert.deepEqual(codes(body(10.008)), []);
  assert.deepEqual(codes(body(10.007)), ["rtt/below-fiber-floor"]);
  const f = only(body(10), "rtt/below-fiber-floor");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "10");
  assert.match(f[0].message, /1,001 km apart/);
  assert.deepEqual(
    f[0].fixes.map((x) => x.text),
    ["10.1"],
  );
  assert.deepEqual(codes(body(11, 11)), []);
  assert.deepEqual(
    only(body(11, 10.9), "rtt/p99-below-typical").map((x) => x.text),
    ["10.9"],
  );
});

test("missing link between member sites: one finding per pair, and no guessing of RTT", () => {
  const f = check(`sites:
  - name: a
  - name: b
  - name: c
links:
  - between: [a, b]
    rttMs: 200
clusters:
  - name: core
    site: a
    etcd:
      members: { a: 1, b: 1, c: 1 }
      heartbeatMs: 200
      electionTimeoutMs: 2000
`);
  const missing = f.filter((x) => x.code === "rtt/missing-link");
  assert.deepEqual(
    missing.map((x) => x.message.match(/in (\w) and (\w)/)!.slice(1)),
    [
      ["a", "c"],
      ["b", "c"],
    ],
  );
  assert.ok(missing.every((x) => x.text === "members"));
  assert.deepEqual(
    f.filter((x) => x.code !== "rtt/missing-link").map((x) => x.code),
    [],
  );
});

function galera(rtt: number): string {
  return `sites:
  - name: a
  - name: b
  - name: c
links:
  - { between: [a, b], rttMs: ${rtt} }
  - { between: [a, c], rttMs: 1 }
  - { between: [b, c], rttMs: 1 }
stores:
  - name: ledger
    replication: galera
    members: { a: 1, b: 1, c: 1 }
`;
}

test("galera over WAN: 5.0 ms is fine, 5.1 ms warns; the setting moves the line", () => {
  assert.deepEqual(codes(galera(5.0)), []);
  const f = only(galera(5.1), "rtt/galera-wan");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /a–b at 5.1 ms RTT \(above quorate\.galeraMaxRttMs 5 ms, Quorate's limit\)/);
  // flow control follows a member that falls behind, not the RTT itself (review M22)
  assert.match(
    f[0].message,
    /one round trip from the writing node to the farthest member \(up to 5\.1 ms here\), and a member that falls behind/,
  );
  assert.doesNotMatch(f[0].message, /stalls every writer/);
  assert.deepEqual(codes(galera(5.1), { galeraMaxRttMs: 6 }), []);
});

function consensus(budget: number): string {
  return `sites:
  - name: fra
  - name: lon
  - name: ams
links:
  - { between: [fra, lon], rttMs: 14 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
stores:
  - name: orders
    replication: consensus
    members: { fra: 2, lon: 2, ams: 1 }
    writeLatencyBudgetMs: ${budget}
`;
}

test("commit budget: best case 8 ms (leader in lon); budget 8 is fine, 7.9 is not", () => {
  // the commit fits 8 ms; the writes from the other member sites do not (rtt/write-budget, below)
  assert.deepEqual(codes(consensus(8)), ["rtt/write-budget"]);
  const f = only(consensus(7.9), "rtt/commit-budget");
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "7.9");
  assert.match(f[0].message, /best-case commit latency is 8 ms \(leader in lon/);
});

/** The consensus store above, written to by traffic whose backends run at `at` (review S18). */
function written(budget: number, at: readonly string[] = ["fra", "lon"], witness = false): string {
  return `${consensus(budget).replace("  - name: ams\n", `  - name: ams\n${witness ? "    role: witness\n" : ""}`)}clusters:
${at.map((s) => `  - name: ${s}-prod\n    site: ${s}`).join("\n")}
traffic:
  - name: checkout
    steering: gslb
    peakRps: 100
    dependsOn: [orders]
    backends:
${at.map((s) => `      - cluster: ${s}-prod`).join("\n")}
`;
}

test("write budget (S18): writers at fra and lon wait 17 / 16 ms at the best placement (ams); 17 is fine, 16 is not", () => {
  assert.deepEqual(codes(written(17)), []);
  const f = only(written(16), "rtt/write-budget");
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, "error");
  assert.equal(f[0].text, "16");
  assert.equal(
    f[0].message,
    "store orders: no leader placement keeps writes within the 16 ms budget — best is ams: from fra 17 ms (9 ms to the leader + 8 ms commit), from lon 16 ms; the commit alone is 8 ms",
  );
  // the entry that makes fra and lon writers is pointed at
  assert.deepEqual(f[0].related, ["orders"]);
  assert.deepEqual(codes(written(16)), ["rtt/write-budget"]);
});

test("write budget: the writers are the traffic's backend sites — a writer only at fra is served by a leader there (9 ms)", () => {
  assert.deepEqual(codes(written(9, ["fra"])), []);
  const f = only(written(8.5, ["fra"]), "rtt/write-budget");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /within the 8\.5 ms budget — best is fra: from fra 9 ms \(at the leader\); the commit alone is 9 ms$/);
});

test("write budget: with no traffic entry the member sites write (witnesses left out), said in the message", () => {
  // every member site writes: the best placement (ams) still makes fra wait 17 ms
  const f = only(consensus(16), "rtt/write-budget");
  assert.equal(f.length, 1);
  assert.match(
    f[0].message,
    /best is ams: from fra 17 ms \(9 ms to the leader \+ 8 ms commit\), from lon 16 ms, from ams 8 ms \(at the leader\)/,
  );
  assert.match(f[0].message, /\(no traffic entry depends on it: judged from its member sites fra, lon and ams\)$/);
  assert.deepEqual(f[0].related, []);
  assert.deepEqual(codes(consensus(17)), []);
  // a witness site runs no application: fra and lon are the writers
  const w = only(consensus(16).replace("  - name: ams\n", "  - name: ams\n    role: witness\n"), "rtt/write-budget");
  assert.match(
    w[0].message,
    /from fra 17 ms \(9 ms to the leader \+ 8 ms commit\), from lon 16 ms; .*judged from its member sites fra and lon\)$/,
  );
  // the traffic entry decides when there is one: fra alone fits a 9 ms budget the member sites would miss
  assert.deepEqual(only(consensus(9), "rtt/write-budget").length, 1);
  assert.deepEqual(codes(written(9, ["fra"])), []);
});

test("write budget: not reported when the commit alone is over (rtt/commit-budget says it: one finding, not two)", () => {
  assert.deepEqual(codes(written(7.9)), ["rtt/commit-budget"]);
  assert.deepEqual(codes(consensus(7.9)), ["rtt/commit-budget"]);
});

test("write budget, Galera: each writing site's node waits for its own farthest member — no leader to move", () => {
  const g = (rtt: number, budget: number) => `${galera(rtt)}    writeLatencyBudgetMs: ${budget}\n`;
  // a and b wait 3 ms (each other), c 1 ms: the best site's commit (1 ms) fits a 2 ms budget, a's and b's writes do not
  assert.deepEqual(codes(g(3, 3)), []);
  const f = only(g(3, 2), "rtt/write-budget");
  assert.equal(f.length, 1);
  assert.match(
    f[0].message,
    /^store ledger: writes from a 3 ms and b 3 ms are above the 2 ms budget — a commit waits one round trip from the writing node to the farthest member site, and Galera has no leader to move; within it from c 1 ms \(no traffic entry depends on it: judged from its member sites a, b and c\)$/,
  );
  assert.deepEqual(codes(g(3, 0.5)), ["rtt/commit-budget"]);
  // a witness runs no application: c's fast commit is no site a reader can write from, so it is not offered (review M38 addendum)
  const w = only(g(3, 2).replace("  - name: c\n", "  - name: c\n    role: witness\n"), "rtt/write-budget");
  assert.equal(w.length, 1);
  assert.match(
    w[0].message,
    /writes from a 3 ms and b 3 ms are above the 2 ms budget — .*no leader to move \(no traffic entry depends on it: judged from its member sites a and b\)$/,
  );
});

test("write budget: not judged while a writing site has no declared link to the members (unknown, not over)", () => {
  const far = written(16, ["fra", "lon", "par"]).replace("  - name: ams\n", "  - name: ams\n  - name: par\n");
  assert.deepEqual(only(far, "rtt/write-budget"), []);
  // with par linked, it is judged again: par is 20 ms from ams, so the best placement is still over
  const linked = far.replace(
    "links:\n",
    "links:\n  - { between: [par, ams], rttMs: 12 }\n  - { between: [par, fra], rttMs: 10 }\n  - { between: [par, lon], rttMs: 9 }\n",
  );
  const f = only(linked, "rtt/write-budget");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /best is ams: from fra 17 ms \(9 ms to the leader \+ 8 ms commit\), from lon 16 ms, from par 20 ms;/);
});
