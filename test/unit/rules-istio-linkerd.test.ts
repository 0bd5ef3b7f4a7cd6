import { test } from "node:test";
import assert from "node:assert/strict";
import { codes, only } from "../helpers";

const sites = "sites:\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [fra, lon], rttMs: 14 }\n";

function istio(a: string, b: string, opts: { bSite?: string; aMesh?: string; bMesh?: string } = {}): string {
  return `${sites}clusters:
  - name: fra-prod
    site: fra
${opts.aMesh ? `    mesh: ${opts.aMesh}\n` : ""}    istio: { meshId: m, role: primary, rootCa: root-a, ${a} }
  - name: lon-prod
    site: ${opts.bSite ?? "lon"}
${opts.bMesh ? `    mesh: ${opts.bMesh}\n` : ""}    istio: { meshId: m, rootCa: root-a, ${b} }
`;
}

test("istio remote's primary: same site is fine, another site warns with the certificate window", () => {
  assert.deepEqual(codes(istio("network: n1", "network: n1, role: remote, primary: fra-prod", { bSite: "fra" })), []);
  const f = only(
    istio("network: n1, eastWestGateway: true", "network: n2, eastWestGateway: true, role: remote, primary: fra-prod"),
    "istio/remote-primary-site-loss",
  );
  assert.equal(f.length, 1);
  assert.equal(f[0].text, "fra-prod");
  assert.match(f[0].message, /losing fra stops config pushes.*12–24 h/);
});

test("istio remote without a usable primary: absent, not a primary, other mesh; unknown is ref/unknown only", () => {
  assert.deepEqual(
    only(istio("network: n1", "network: n1, role: remote", { bSite: "fra" }), "istio/remote-without-primary").map((x) => x.text),
    ["remote"],
  );
  const notPrimary = `${sites}clusters:
  - { name: a, site: fra, istio: { meshId: m, role: remote, primary: b } }
  - { name: b, site: fra, istio: { meshId: m, role: remote, primary: c } }
  - { name: c, site: fra, istio: { meshId: other, role: primary } }
  - { name: d, site: fra, istio: { meshId: m, role: remote, primary: nope } }
`;
  const f = only(notPrimary, "istio/remote-without-primary");
  assert.deepEqual(
    f.map((x) => x.text),
    ["b", "c"],
  );
  assert.match(f[0].message, /is not a primary/);
  assert.match(f[1].message, /is in mesh other/);
  assert.deepEqual(codes(notPrimary).filter((x) => x === "ref/unknown").length, 1);
});

test("istio/network-without-gateway says what the cluster lacking the gateway loses, by its role (reviewer's note)", () => {
  // a remote without one: its istiod path runs through its primary's gateway, which it has
  const remote = only(
    istio("network: n1, eastWestGateway: true", "network: n2, role: remote, primary: fra-prod"),
    "istio/network-without-gateway",
  );
  assert.equal(remote.length, 1);
  assert.match(
    remote[0].message,
    /workloads on the other networks cannot reach its pods \(cross-network traffic enters through its gateway, 15443\)/,
  );
  assert.match(
    remote[0].message,
    /its own path to fra-prod's istiod \(15012\/15017\) runs through fra-prod's east-west gateway and does not need one here$/,
  );
  assert.doesNotMatch(remote[0].message, /remote istiod access/);
  // its primary without one: the remote on the other network loses its istiod too
  const primary = only(
    istio("network: n1", "network: n2, eastWestGateway: true, role: remote, primary: fra-prod"),
    "istio/network-without-gateway",
  );
  assert.match(primary[0].message, /, and its remotes on other networks \(lon-prod\) reach its istiod \(15012\/15017\) only through it$/);
});

test("istio networks: one network needs no gateway, two networks need one on every cluster", () => {
  assert.deepEqual(codes(istio("network: n1", "network: n1", { bSite: "fra" })), []);
  const f = only(istio("network: n1", "network: n2, eastWestGateway: true"), "istio/network-without-gateway");
  assert.deepEqual(
    f.map((x) => x.text),
    ["n1"],
  );
  assert.deepEqual(
    f[0].fixes.map((x) => x.title),
    ["Add `eastWestGateway: true`"],
  );
  assert.deepEqual(codes(istio("network: n1, eastWestGateway: true", "network: n2, eastWestGateway: true")), []);
});

test("istio one network across sites: routable only when both clusters join the same pod network", () => {
  assert.deepEqual(
    only(istio("network: n1", "network: n1"), "istio/network-not-routable").map((x) => x.text),
    ["n1"],
  );
  // (a Submariner cluster set declares where its Broker runs, or submariner/broker-undeclared says so)
  const broker = (t: string) => t.replace("mesh: submariner\n", "mesh: submariner\n    broker: true\n");
  assert.deepEqual(codes(broker(istio("network: n1", "network: n1", { aMesh: "submariner", bMesh: "submariner" }))), []);
  assert.deepEqual(
    codes(
      istio("network: n1", "network: n1", { aMesh: "clustermesh", bMesh: "clustermesh" })
        .replace(/site: fra\n/, "site: fra\n    id: 1\n")
        .replace(/site: lon\n/, "site: lon\n    id: 2\n"),
    ),
    [],
  );
  assert.equal(
    only(
      istio("network: n1", "network: n1", { aMesh: "clustermesh", bMesh: "submariner" }).replace(/site: fra\n/, "site: fra\n    id: 1\n"),
      "istio/network-not-routable",
    ).length,
    1,
  );
  assert.deepEqual(codes(istio("network: n1", "network: n1", { bSite: "fra" })), [], "same site is one fabric");
});

test("istio roots and names: mismatched root gets a fix; duplicate names anchor on clusterName or name", () => {
  const f = only(
    istio("network: n1", "network: n1, rootCa: root-b", { bSite: "fra" }).replace(
      "rootCa: root-a, network: n1, rootCa: root-b",
      "network: n1, rootCa: root-b",
    ),
    "istio/root-mismatch",
  );
  assert.deepEqual(
    f.map((x) => [x.text, x.fixes[0].text]),
    [["root-b", "root-a"]],
  );
  const dup = `${sites}clusters:
  - { name: a, site: fra, istio: { meshId: m, role: primary, clusterName: shared } }
  - { name: b, site: fra, istio: { meshId: m, role: primary, clusterName: shared } }
  - { name: shared, site: fra, istio: { meshId: m, role: primary } }
  - { name: other, site: fra, istio: { meshId: m2, role: primary, clusterName: shared } }
`;
  assert.deepEqual(
    only(dup, "istio/cluster-name-duplicate").map((x) => [x.line, x.text]),
    [
      [12, "shared"],
      [13, "shared"],
    ],
  );
});

function linkerd(mode: string, opts: { target?: string; bSite?: string; mesh?: string; anchorB?: string; svc?: string } = {}): string {
  return `${sites}clusters:
  - name: a
    site: fra
${opts.mesh ? `    mesh: ${opts.mesh}\n` : ""}    linkerd:
      trustAnchor: anchor-1
      links:
        - cluster: ${opts.target ?? "b"}
          mode: ${mode}
  - name: b
    site: ${opts.bSite ?? "lon"}
${opts.mesh ? `    mesh: ${opts.mesh}\n` : ""}    linkerd: { trustAnchor: ${opts.anchorB ?? "anchor-1"}, gateway: true }
${opts.svc ? `exports:\n  - { service: ${opts.svc}, namespace: apps, clusters: [b] }\n` : ""}`;
}

test("linkerd link modes: gateway needs the target's gateway; flat and federated need routable pods across sites", () => {
  assert.deepEqual(codes(linkerd("gateway")), []);
  assert.deepEqual(codes(linkerd("gateway").replace("gateway: true", "gateway: false")), ["linkerd/gateway-missing"]);
  assert.deepEqual(codes(linkerd("flat")), ["linkerd/flat-not-routable"]);
  assert.deepEqual(codes(linkerd("federated")), ["linkerd/flat-not-routable"]);
  assert.deepEqual(codes(linkerd("flat", { bSite: "fra" })), []);
  assert.deepEqual(
    codes(linkerd("flat", { mesh: "submariner" }).replace("mesh: submariner\n", "mesh: submariner\n    broker: true\n")),
    [],
  );
});

test("linkerd trust: anchors compared across each link; a trust domain other than the cluster domain is information, not an error", () => {
  const f = only(linkerd("gateway", { anchorB: "anchor-2" }), "linkerd/trust-anchor-mismatch");
  assert.deepEqual(
    f.map((x) => [x.text, x.fixes[0]?.text]),
    [["b", "anchor-1"]],
  );
  const td = (fields: string) => `${sites}clusters:\n  - { name: a, site: fra, linkerd: { ${fields} } }\n`;
  assert.deepEqual(codes(td("trustDomain: cluster.local")), []);
  assert.deepEqual(codes(td("trustDomain: corp.local, clusterDomain: corp.local")), []);
  // review M89: Linkerd allows them to differ; what breaks is a Link whose gateway identity uses the other domain
  const corp = only(td("trustDomain: corp.local"), "linkerd/trust-domain");
  assert.deepEqual(
    corp.map((x) => [x.text, x.severity, x.fixes.length]),
    [["corp.local", "information", 0]],
  );
  assert.equal(
    corp[0].message,
    "a: identity trust domain corp.local differs from the cluster domain cluster.local. Linkerd allows it (workload identities are issued under the trust domain, DNS names use the cluster domain), but a Link from another cluster must name this cluster's gateway as linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.corp.local: a gatewayIdentity built from cluster.local fails mTLS to the gateway",
  );
  assert.deepEqual(
    only(td("clusterDomain: corp.local"), "linkerd/trust-domain").map((x) => x.text),
    ["corp.local"],
  );
});

test("linkerd mirrored names: 63 characters fit, 64 do not; federated links do not mirror", () => {
  const svc61 = "s".repeat(61); // + "-b" = 63
  const svc62 = "s".repeat(62); // + "-b" = 64 (the schema caps a Service name at 63, so this one is long too)
  assert.deepEqual(only(linkerd("gateway", { svc: svc61 }), "linkerd/mirror-name-too-long"), []);
  const f = only(linkerd("gateway", { svc: svc62 }), "linkerd/mirror-name-too-long");
  assert.equal(f.length, 1);
  assert.match(f[0].message, /64 characters, over Kubernetes' 63/);
  assert.equal(only(linkerd("flat", { svc: svc62, bSite: "fra" }), "linkerd/mirror-name-too-long").length, 1);
  assert.deepEqual(only(linkerd("federated", { svc: svc62, bSite: "fra" }), "linkerd/mirror-name-too-long"), []);
});

test("a link to a cluster without a linkerd block is ref/unknown", () => {
  const body = `${sites}clusters:\n  - { name: a, site: fra, linkerd: { links: [{ cluster: b }] } }\n  - { name: b, site: lon }\n`;
  assert.deepEqual(codes(body), ["ref/unknown"]);
});
