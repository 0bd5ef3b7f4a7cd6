// traffic/ignored-field: a healthCheck field the entry's steering never reads. bgpHoldSeconds, bfd and
// withdrawSeconds are BGP's (anycast); on a DNS-steered entry they were accepted and silently
// ignored, and whoever wrote them believed they shortened failover. propagationSeconds is DNS's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile, analyzeRun } from "../../server/src/analysis";
import { fixesFor } from "../../server/src/fixes/fixes";
import { codes, HEADER, only } from "../helpers";

const web = (steering: string, hc: string) =>
  `sites:\n  - name: fra\n  - name: lon\nclusters:\n  - { name: fra-prod, site: fra }\n  - { name: lon-prod, site: lon }\n` +
  `traffic:\n  - name: web\n    steering: ${steering}\n    ttlSeconds: 60\n    peakRps: 100\n    healthCheck:\n${hc}` +
  `    backends:\n      - { cluster: fra-prod, capacityRps: 100 }\n      - { cluster: lon-prod, capacityRps: 100 }\n`;
const CHECK = "      intervalSeconds: 10\n      failureThreshold: 3\n";
const BGP = "      withdrawSeconds: 5\n      bgpHoldSeconds: 90\n      bfd:\n        intervalMs: 300\n        multiplier: 3\n";

/** The text after applying the finding's first fix. */
function fixed(body: string, at: string): { title: string; text: string } {
  const text = HEADER + body;
  const a = analyzeFile("t.topology.yaml", text);
  const f = analyzeRun([{ path: "t.topology.yaml", text }])[0].findings.find(
    (x) => x.code === "traffic/ignored-field" && text.startsWith(at, x.span.start),
  );
  assert.ok(f, at);
  const [fix] = fixesFor({ text, doc: a.parsed.docs[0].doc, ctx: a.contexts[0] }, f);
  let out = text;
  for (const e of [...fix.edits].sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { title: fix.title, text: out.slice(HEADER.length) };
}

test("bgpHoldSeconds, bfd and withdrawSeconds on DNS steering: one warning each at its key, with the RTO it does not shorten", () => {
  for (const steering of ["gslb", "geodns", "weighted-dns"]) {
    const f = only(web(steering, CHECK + BGP), "traffic/ignored-field");
    assert.deepEqual(
      f.map((x) => x.text),
      ["withdrawSeconds", "bgpHoldSeconds", "bfd"],
      steering,
    );
    assert.ok(f.every((x) => x.severity === "warning"));
    assert.equal(
      f[1].message,
      `web: healthCheck.bgpHoldSeconds is ignored on ${steering} steering — it is the BGP hold time after which an upstream drops a dead site's route, but ${steering} steers clients by DNS answers and withdraws no BGP route when a site fails: clients leave a lost site once the health check fails it and their cached answer expires (RTO estimate 90 s: 10 s × 3 checks + 60 s TTL), and this field shortens none of it`,
    );
    assert.match(f[2].message, /healthCheck\.bfd is ignored .* BFD, which tears down a dead site's BGP session/);
  }
});

/** The entry without its TTL (anycast reads none). */
const noTtl = (body: string) => body.replace("    ttlSeconds: 60\n", "");

test("the same fields on anycast are read (no finding); propagationSeconds is the one anycast ignores", () => {
  assert.deepEqual(only(noTtl(web("anycast", CHECK + BGP)), "traffic/ignored-field"), []);
  assert.deepEqual(only(web("gslb", `${CHECK}      timeoutSeconds: 2\n      propagationSeconds: 5\n`), "traffic/ignored-field"), []);
  const f = only(noTtl(web("anycast", `${CHECK}      propagationSeconds: 5\n`)), "traffic/ignored-field");
  assert.deepEqual(
    f.map((x) => x.text),
    ["propagationSeconds"],
  );
  assert.match(
    f[0].message,
    /^web: healthCheck\.propagationSeconds is ignored on anycast steering — it is the time a changed DNS answer takes to reach the authoritative servers, but anycast steers clients by BGP routes and changes no DNS answer when a site fails \(RTO estimate 30 s: 10 s × 3 checks \+ BGP convergence, not counted without withdrawSeconds\); the route's convergence is withdrawSeconds$/,
  );
  // no steering: nothing to judge the field against
  assert.deepEqual(only(web("gslb", CHECK + BGP).replace("    steering: gslb\n", ""), "traffic/ignored-field"), []);
});

test("Remove healthCheck.<field>: the field's lines go (comments kept), flow maps lose one comma; the finding is gone", () => {
  const block = fixed(
    web("gslb", `${CHECK}      # the upstream's hold time\n      bgpHoldSeconds: 90 # 3 × keepalive\n      timeoutSeconds: 2\n`),
    "bgpHoldSeconds",
  );
  assert.equal(block.title, "Remove healthCheck.bgpHoldSeconds");
  assert.match(block.text, /failureThreshold: 3\n {6}# the upstream's hold time\n {6}# 3 × keepalive\n {6}timeoutSeconds: 2\n/);
  assert.deepEqual(codes(block.text), []);
  // a nested block (bfd) goes whole
  const bfd = fixed(web("gslb", `${CHECK}      bfd:\n        intervalMs: 300\n        multiplier: 3\n`), "bfd");
  assert.match(bfd.text, /failureThreshold: 3\n {4}backends:/);
  assert.deepEqual(codes(bfd.text), []);
  // flow maps: the middle entry and its comma; the last entry and the comma before it
  const flowBody = (hc: string) => web("gslb", "").replace("    healthCheck:\n", `    healthCheck: ${hc}\n`);
  const mid = fixed(flowBody("{ intervalSeconds: 10, bgpHoldSeconds: 90, failureThreshold: 3 }"), "bgpHoldSeconds");
  assert.match(mid.text, /healthCheck: \{ intervalSeconds: 10, failureThreshold: 3 \}\n/);
  assert.deepEqual(codes(mid.text), []);
  const last = fixed(flowBody("{ intervalSeconds: 10, failureThreshold: 3, bfd: { intervalMs: 300 } }"), "bfd");
  assert.match(last.text, /healthCheck: \{ intervalSeconds: 10, failureThreshold: 3 \}\n/);
  assert.deepEqual(codes(last.text), []);
});

test("ttlSeconds on anycast (M91): a warning at its key with both RTOs it does not shorten, and a fix that removes it", () => {
  const f = only(web("anycast", CHECK + BGP), "traffic/ignored-field");
  assert.deepEqual(
    f.map((x) => x.text),
    ["ttlSeconds"],
  );
  assert.equal(f[0].severity, "warning");
  assert.equal(
    f[0].message,
    "web: ttlSeconds is ignored on anycast steering — it is how long resolvers keep a DNS answer, but every site announces the same anycast address, so no cached answer points at a lost site: clients leave it when the routes change (RTO estimate 35 s for a site that withdraws its route, 5.9 s on a whole-site loss), and the TTL shortens none of it",
  );
  // without a health check there is no estimate, and the TTL is still ignored
  const bare = web("anycast", "").replace("    healthCheck:\n", "");
  assert.match(
    only(bare, "traffic/ignored-field")[0].message,
    /ttlSeconds is ignored on anycast steering .* when the routes change, and the TTL/,
  );
  // DNS steering reads it
  assert.deepEqual(only(noTtl(web("gslb", CHECK)), "traffic/ignored-field"), []);
  assert.deepEqual(only(web("gslb", CHECK), "traffic/ignored-field"), []);
  const out = fixed(web("anycast", CHECK + BGP), "ttlSeconds");
  assert.equal(out.title, "Remove ttlSeconds");
  assert.doesNotMatch(out.text, /ttlSeconds/);
  assert.deepEqual(codes(out.text), []);
});
