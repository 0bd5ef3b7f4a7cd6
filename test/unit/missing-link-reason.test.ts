// Review M73: a link left out of the design makes its two sites unable to reach each other in
// simulate, availability and the objectives (no transitive routing), but check said only that
// timers leave the pair out, and objective/survive "lose fra — writes stop (3 of 5 members left;
// majority is 3)" read like an arithmetic error. Both now say why, as simulate does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { only } from "../helpers";

const reviewed = readFileSync("examples/payments-eu-reviewed.topology.yaml", "utf8");
const noLink = reviewed.replace("  - between: [lon, ams]\n    rttMs: 8\n    availability: 0.9995\n", "");

test("rtt/missing-link says simulate and the objectives take the pair as unable to reach each other", () => {
  assert.notEqual(noLink, reviewed, "the lon–ams link was taken out");
  const f = only(noLink, "rtt/missing-link");
  assert.ok(f.length >= 1);
  assert.match(
    f[0].message,
    /has members in lon and ams but no link declares the RTT between them; timers and commit latency leave this pair out, and simulate, availability and the objectives take lon and ams as unable to reach each other \(a site reaches another only over a declared link\) — declare the link if they do$/,
  );
});

test("objective/survive on a site loss that leaves a majority no site reaches: the reason, not a bare count", () => {
  const f = only(noLink, "objective/survive").filter((x) => x.message.startsWith("store ledger: survive site"));
  assert.equal(f.length, 1);
  assert.equal(
    f[0].message,
    "store ledger: survive site fails: lose fra — writes stop (3 of 5 members survive, but no member site reaches 3 of them (lon reaches 2, ams reaches 1); no link is declared for lon–ams, and a site reaches another only over a declared link)",
  );
  // with the link, the site class holds
  assert.deepEqual(
    only(reviewed, "objective/survive").filter((x) => x.message.startsWith("store ledger: survive site")),
    [],
  );
});
