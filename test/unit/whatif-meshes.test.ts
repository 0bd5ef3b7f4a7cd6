import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { ALL_UP, run, type Scenario } from "../../server/src/whatif/engine";
import { HEADER } from "../helpers";

const ctxOf = (body: string) => analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
const sc = (s: Partial<Scenario>): Scenario => ({ ...ALL_UP, ...s });

const SITES = `sites:
  - name: fra
  - name: lon
  - name: ams
    role: witness
links:
  - { between: [fra, lon], rttMs: 14 }
  - { between: [fra, ams], rttMs: 9 }
  - { between: [lon, ams], rttMs: 8 }
`;

/** One Istio mesh over fra and lon: multi-primary, multi-network (or lon a remote of fra). */
const istio = (lon = "role: primary") => `${SITES}clusters:
  - name: fra-prod
    site: fra
    istio: { meshId: mesh-eu, network: net-fra, role: primary, rootCa: r, eastWestGateway: true }
  - name: lon-prod
    site: lon
    istio: { meshId: mesh-eu, network: net-lon, ${lon}, rootCa: r, eastWestGateway: true }
`;

test("Istio multicluster in a loss or cut (review M118): the other clusters' sidecars keep the lost or cut-off cluster's endpoints, through its east-west gateway", () => {
  const ctx = ctxOf(istio());
  const lose = run(ctx, sc({ lose: ["fra"] }));
  const kept = lose.notes.filter((n) => n.startsWith("Istio mesh mesh-eu:"));
  assert.equal(kept.length, 1, kept.join("\n"));
  assert.match(
    kept[0],
    /^Istio mesh mesh-eu: fra-prod is lost, yet its endpoints stay in the sidecars of lon-prod \(reached through fra-prod's east-west gateway, network net-fra\) — istiod keeps the last endpoints its watch of a cluster saw and does not health-check them .*: the calls its sidecars balance to fra-prod fail or wait out the connect timeout \(10 s by default\) until it is back, unless a DestinationRule sets outlierDetection/,
  );
  // a cut: both sides keep the other's
  const cut = run(ctx, sc({ partition: [["fra"], ["lon", "ams"]] }));
  const both = cut.notes.filter((n) => n.startsWith("Istio mesh mesh-eu:"));
  assert.equal(both.length, 2, both.join("\n"));
  assert.match(both[0], /fra-prod is cut off, yet its endpoints stay in the sidecars of lon-prod .*until it is reachable again/);
  assert.match(
    both[1],
    /lon-prod is cut off, yet its endpoints stay in the sidecars of fra-prod \(reached through lon-prod's east-west gateway, network net-lon\)/,
  );
  // all up, or the witness lost: nothing to say
  assert.equal(run(ctx, ALL_UP).notes.filter((n) => n.includes("Istio mesh")).length, 0);
  assert.equal(run(ctx, sc({ lose: ["ams"] })).notes.filter((n) => n.includes("Istio mesh")).length, 0);
  // primary-remote: the remote's endpoints stay in the primary's view, the primary's in the remote's last configuration
  const pr = ctxOf(istio("role: remote, primary: fra-prod"));
  const remoteLost = run(pr, sc({ lose: ["lon"] }));
  assert.ok(
    remoteLost.notes.some((n) => /^Istio mesh mesh-eu: lon-prod is lost, yet its endpoints stay in the sidecars of fra-prod/.test(n)),
  );
  const primaryLost = run(pr, sc({ lose: ["fra"] }));
  assert.ok(
    primaryLost.notes.some((n) => /^Istio mesh mesh-eu: fra-prod is lost, yet its endpoints stay in the sidecars of lon-prod/.test(n)),
  );
  // the certificate window in one wording (review M118 nit)
  assert.ok(
    primaryLost.breaks.some((b) =>
      /keep serving until their certificates expire, within 12–24 h \(a 24 h lifetime by default, renewed at half of it\)/.test(b),
    ),
  );
});

/** fra-prod links lon-prod through its gateway and ams-prod flat (pod to pod, one Submariner network). */
const LINKS = `${SITES}clusters:
  - name: fra-prod
    site: fra
    mesh: submariner
    network: { pods: 10.10.0.0/16, services: 10.96.0.0/16, nodes: 192.168.10.0/24 }
    linkerd:
      trustAnchor: a
      gateway: true
      links:
        - { cluster: lon-prod, mode: gateway }
        - { cluster: ams-prod, mode: flat }
  - name: lon-prod
    site: lon
    mesh: submariner
    network: { pods: 10.11.0.0/16, services: 10.97.0.0/16, nodes: 192.168.20.0/24 }
    linkerd: { trustAnchor: a, gateway: true }
  - name: ams-prod
    site: ams
    mesh: submariner
    network: { pods: 10.12.0.0/16, services: 10.98.0.0/16, nodes: 192.168.30.0/24 }
    linkerd: { trustAnchor: a, gateway: true }
`;

test("a Linkerd link lost or cut off, per mode (review M120): a gateway link's mirrors lose their endpoints (calls fail fast), a flat link keeps the last ones (calls time out)", () => {
  const ctx = ctxOf(LINKS);
  const gw = run(ctx, sc({ lose: ["lon"] }));
  assert.deepEqual(gw.meshes, [{ cluster: "fra-prod", outcome: "mirror-stale", because: "lon-prod", mode: "gateway" }]);
  assert.ok(
    gw.breaks.some((b) =>
      /^cluster fra-prod: its Linkerd link to lon-prod \(gateway mode\) is lost — once the gateway probe fails, fra-prod's mirrors of lon-prod's Services lose their endpoints: calls to them fail fast \(no ready endpoint\) until lon-prod is back/.test(
        b,
      ),
    ),
    gw.breaks.join("\n"),
  );
  assert.ok(!gw.breaks.some((b) => /go stale/.test(b)));
  const flat = run(ctx, sc({ partition: [["fra"], ["lon", "ams"]] }));
  assert.ok(
    flat.breaks.some((b) =>
      /^cluster fra-prod: its Linkerd link to ams-prod \(flat mode\) is cut off — fra-prod keeps the last endpoints it saw of ams-prod's Services .*time out until ams-prod is reachable again$/.test(
        b,
      ),
    ),
    flat.breaks.join("\n"),
  );
  assert.ok(flat.breaks.some((b) => /link to lon-prod \(gateway mode\) is cut off — once the gateway probe fails/.test(b)));
});
