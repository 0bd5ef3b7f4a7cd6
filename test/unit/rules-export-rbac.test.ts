import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeFile } from "../../server/src/analysis";
import { CILIUM_KEEPS_ENDPOINTS } from "../../server/src/derive/meshes";
import { run as simulate, sweep } from "../../server/src/whatif/engine";
import { codes, FRA_LON_AMS, HEADER, only, run } from "../helpers";

const base = `sites:\n  - name: fra\nclusters:\n  - { name: a, site: fra, mesh: submariner }\n  - { name: b, site: fra }\n`;

test("topology exports: system namespaces, default, allowed list, mesh none", () => {
  const body = (ns: string, cluster = "a", policy = "") =>
    `${base}exports:\n  - service: svc\n    namespace: ${ns}\n    clusters: [${cluster}]\n${policy}`;
  for (const ns of ["kube-system", "kube-public", "kube-node-lease"]) {
    const f = only(body(ns), "export/system-namespace");
    assert.equal(f.length, 1, ns);
    assert.equal(f[0].text, ns);
    assert.deepEqual(
      f[0].fixes.map((x) => x.kind),
      ["remove-export"],
    );
  }
  assert.deepEqual(codes(body("default")), ["export/default-namespace"]);
  assert.deepEqual(codes(body("finance")), []);
  const policy = "exportPolicy:\n  allowedNamespaces: [finance]\n";
  assert.deepEqual(codes(body("finance", "a", policy)), []);
  assert.deepEqual(codes(body("orders", "a", policy)), ["export/namespace-not-allowed"]);
  assert.deepEqual(codes(body("kube-system", "a", policy)), ["export/system-namespace"], "system namespace is not also not-allowed");
  assert.deepEqual(codes(body("default", "a", policy)), ["export/default-namespace", "export/namespace-not-allowed"]);
  assert.deepEqual(
    only(body("finance", "b"), "export/cluster-without-mesh").map((x) => x.text),
    ["b"],
  );
  assert.deepEqual(codes(body("finance", "nope")), ["ref/unknown"], "an unknown cluster is not a cluster with mesh none");
});

test("export/cluster-without-mesh: a member of a multi-network Istio mesh with an east-west gateway is not warned (README decision)", () => {
  const istio = (gw: boolean, netB = "n-b") =>
    `sites:\n  - name: fra\n  - name: lon\nlinks:\n  - { between: [fra, lon], rttMs: 14 }\nclusters:\n` +
    `  - { name: a, site: fra, istio: { meshId: m, network: n-a, role: primary, rootCa: r, eastWestGateway: ${gw} } }\n` +
    `  - { name: b, site: lon, istio: { meshId: m, network: ${netB}, role: primary, rootCa: r, eastWestGateway: true } }\n` +
    "exports:\n  - service: svc\n    namespace: finance\n    clusters: [a]\n";
  // b's sidecars reach a's endpoints through a's east-west gateway (15443 AUTO_PASSTHROUGH): a has a cross-cluster network
  assert.deepEqual(only(istio(true), "export/cluster-without-mesh"), []);
  assert.deepEqual(codes(istio(true)), []);
  // without a gateway the mesh does not reach it either (istio/network-without-gateway): still warned
  const [g] = only(istio(false), "export/cluster-without-mesh");
  assert.match(g.message, /whose mesh is none: no other cluster can reach its endpoints$/);
  // one network, two sites, no pod mesh: the gateway does not carry the traffic (istio/network-not-routable): still warned
  const [h] = only(istio(true, "n-a"), "export/cluster-without-mesh");
  assert.match(h.message, /whose mesh is none: no other cluster can reach its endpoints$/);
  // no network declared on the exporting member: its gateway serves no network of its own — still warned
  const [k] = only(istio(true).replace("network: n-a, ", ""), "export/cluster-without-mesh");
  assert.match(k.message, /no other cluster can reach its endpoints$/);
  // a mesh of one: nobody to serve
  const alone =
    "sites:\n  - name: fra\nclusters:\n  - { name: a, site: fra, istio: { meshId: m, network: n-a, role: primary, rootCa: r, eastWestGateway: true } }\n" +
    "exports:\n  - service: svc\n    namespace: finance\n    clusters: [a]\n";
  assert.equal(only(alone, "export/cluster-without-mesh").length, 1);
});

const role = (kind: string, name: string, rules: string, ns = "") =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ""}rules:\n${rules}`;
const exportRule = (verbs = '["create"]', groups = '["multicluster.x-k8s.io"]', resources = '["serviceexports"]') =>
  `  - apiGroups: ${groups}\n    resources: ${resources}\n    verbs: ${verbs}\n`;
const binding = (kind: string, name: string, roleKind: string, roleName: string, subjects: string, ns = "") =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ""}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${roleKind}\n  name: ${roleName}\nsubjects:\n${subjects}`;

test("what counts as a grant that allows export", () => {
  const grant = (rules: string) =>
    run({
      "r.yaml":
        role("ClusterRole", "r", rules) +
        "---\n" +
        binding("ClusterRoleBinding", "b", "ClusterRole", "r", "  - kind: Group\n    name: system:authenticated\n"),
    }).map((f) => f.code);
  assert.deepEqual(grant(exportRule()).sort(), ["rbac/broad-exporter", "rbac/cluster-wide-export"]);
  assert.deepEqual(grant(exportRule('["*"]', '["*"]', '["*"]')).length, 2);
  assert.deepEqual(grant(exportRule('["patch"]')).length, 2);
  assert.deepEqual(grant(exportRule('["get", "list", "watch"]')), [], "read-only is no grant");
  assert.deepEqual(grant(exportRule('["create"]', '["apps"]')), [], "another API group");
  assert.deepEqual(grant(exportRule('["create"]', '["multicluster.x-k8s.io"]', '["serviceimports"]')), [], "another resource");
});

test("broad subjects, unlisted exporters and namespaced bindings, across files", () => {
  const roleFile = role("Role", "exporter", exportRule(), "finance");
  const subjects =
    "  - kind: Group\n    name: system:serviceaccounts:finance\n" +
    "  - kind: ServiceAccount\n    name: kustomize-controller\n    namespace: flux-system\n" +
    "  - kind: User\n    name: alice\n" +
    "  - kind: Group\n    name: platform-gitops\n";
  const bindingFile = binding("RoleBinding", "finance-exporters", "Role", "exporter", subjects, "finance");
  const policy = `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: p\nsites:\n  - name: fra\nexportPolicy:\n  exporters:\n    - { kind: Group, name: platform-gitops }\n    - { kind: ServiceAccount, namespace: flux-system, name: kustomize-controller }\n`;
  const found = run({ "role.yaml": roleFile, "binding.yaml": bindingFile, "p.topology.yaml": policy });
  assert.deepEqual(
    found.map((f) => [f.file, f.code, f.line]),
    [
      ["binding.yaml", "rbac/broad-exporter", 11],
      ["binding.yaml", "rbac/unlisted-exporter", 16],
    ],
  );
  assert.match(found[1].message, /User alice/);
  // without the policy file there is no exporters list: only the broad subject is reported
  assert.deepEqual(
    run({ "role.yaml": roleFile, "binding.yaml": bindingFile }).map((f) => f.code),
    ["rbac/broad-exporter"],
  );
  // without the role, nothing can be said about the binding
  assert.deepEqual(
    run({ "binding.yaml": bindingFile }).map((f) => f.code),
    [],
  );
});

test("a RoleBinding to a Role in another namespace does not resolve", () => {
  const found = run({
    "r.yaml":
      role("Role", "exporter", exportRule(), "other") +
      "---\n" +
      binding("RoleBinding", "b", "Role", "exporter", "  - kind: Group\n    name: system:authenticated\n", "finance"),
  });
  assert.deepEqual(found, []);
});

test("binding the built-in cluster-admin to everyone is a broad exporter", () => {
  const found = run({
    "b.yaml": binding("ClusterRoleBinding", "oops", "ClusterRole", "cluster-admin", "  - kind: Group\n    name: system:unauthenticated\n"),
  });
  assert.deepEqual(found.map((f) => f.code).sort(), ["rbac/broad-exporter", "rbac/cluster-wide-export"]);
  assert.equal(found.find((f) => f.code === "rbac/cluster-wide-export")!.text, "cluster-admin");
});

test("ServiceExport manifests are judged by namespace and by every export policy of the run", () => {
  const se = (ns: string, v = "v1alpha1") =>
    `apiVersion: multicluster.x-k8s.io/${v}\nkind: ServiceExport\nmetadata:\n  name: api\n  namespace: ${ns}\n`;
  assert.deepEqual(
    run({ "se.yaml": se("kube-system") }).map((f) => [f.code, f.text]),
    [["export/system-namespace", "kube-system"]],
  );
  assert.deepEqual(
    run({ "se.yaml": se("default", "v1beta1") }).map((f) => f.code),
    ["export/default-namespace"],
  );
  const policy = `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: p\nsites:\n  - name: fra\nexportPolicy:\n  allowedNamespaces: [finance]\n`;
  assert.deepEqual(
    run({ "se.yaml": se("orders"), "p.topology.yaml": policy }).map((f) => f.code),
    ["export/namespace-not-allowed"],
  );
  assert.deepEqual(
    run({ "se.yaml": se("finance"), "p.topology.yaml": policy }).map((f) => f.code),
    [],
  );
  assert.deepEqual(
    run({ "se.yaml": se("orders", "v2") }).map((f) => f.code),
    [],
    "an unknown API version is not ours",
  );
});

// ClusterMesh global Services and the endpoints Cilium keeps for a lost or cut-off cluster
const meshExport = (clusters: string, exportFields: string, sites = FRA_LON_AMS) =>
  `${sites}clusters:\n${clusters}exports:\n  - service: payments\n    namespace: finance\n${exportFields}`;
const TWO = "  - { name: fra-prod, site: fra, mesh: clustermesh }\n  - { name: lon-prod, site: lon, mesh: clustermesh }\n";
const THREE = `${TWO}  - { name: ams-prod, site: ams, mesh: clustermesh }\n`;

test("export/remote-endpoints-kept: a ClusterMesh export at two or more sites without affinity: local", () => {
  const none = only(meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n"), "export/remote-endpoints-kept");
  assert.equal(none.length, 1);
  assert.equal(none[0].text, "payments", "on the Service's name when no affinity is written");
  assert.equal(none[0].severity, "warning");
  assert.match(
    none[0].message,
    /if fra is lost or cut off, lon-prod \(lon\) keeps sending about half of its calls to the endpoints of fra-prod/,
  );
  assert.match(
    none[0].message,
    /if lon is lost or cut off, fra-prod \(fra\) keeps sending about half of its calls to the endpoints of lon-prod/,
  );
  assert.match(none[0].message, /never revoked unless clustermesh-cache-ttl, Cilium 1\.19 and later, is set/);
  assert.deepEqual(
    none[0].fixes.map((x) => x.kind),
    ["set-at"],
  );
  // remote: every call of each cluster goes to the other one, and the finding sits on the affinity
  const remote = only(meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n    affinity: remote\n"), "export/remote-endpoints-kept");
  assert.equal(remote[0].text, "remote");
  assert.match(remote[0].message, /lon-prod \(lon\) keeps sending every one of its calls/);
  assert.match(remote[0].message, /its affinity is remote/);
  // three sites, no affinity: a third of each caller's calls per lost site
  const three = only(meshExport(THREE, "    clusters: [fra-prod, lon-prod, ams-prod]\n"), "export/remote-endpoints-kept");
  assert.match(
    three[0].message,
    /if ams is lost or cut off, fra-prod \(fra\) keeps sending about 1 in 3 of its calls to the endpoints of ams-prod and lon-prod \(lon\) keeps sending about 1 in 3/,
  );
  // the other side of each boundary: nothing
  for (const [why, body] of [
    ["affinity local", meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n    affinity: local\n")],
    ["one exporting site", meshExport(TWO, "    clusters: [fra-prod]\n")],
    ["the same cluster listed twice", meshExport(TWO, "    clusters: [fra-prod, fra-prod]\n")],
    [
      "two clusters at one site",
      meshExport(
        "  - { name: a, site: fra, mesh: clustermesh }\n  - { name: b, site: fra, mesh: clustermesh }\n",
        "    clusters: [a, b]\n",
      ),
    ],
    [
      "Submariner (Lighthouse drops a disconnected cluster's endpoints)",
      meshExport(
        "  - { name: fra-prod, site: fra, mesh: submariner }\n  - { name: lon-prod, site: lon, mesh: submariner }\n",
        "    clusters: [fra-prod, lon-prod]\n",
      ),
    ],
    [
      "one ClusterMesh cluster and one Submariner cluster",
      meshExport(
        "  - { name: fra-prod, site: fra, mesh: clustermesh }\n  - { name: lon-prod, site: lon, mesh: submariner }\n",
        "    clusters: [fra-prod, lon-prod]\n",
      ),
    ],
  ] as const)
    assert.deepEqual(only(body, "export/remote-endpoints-kept"), [], why);
});

test("export/remote-endpoints-kept agrees with the what-if engine's single-site losses", () => {
  const designs = [
    meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n"),
    meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n    affinity: remote\n"),
    meshExport(TWO, "    clusters: [fra-prod, lon-prod]\n    affinity: local\n"),
    meshExport(THREE, "    clusters: [fra-prod, lon-prod, ams-prod]\n"),
    meshExport(THREE, "    clusters: [fra-prod, lon-prod, ams-prod]\n    affinity: local\n"),
    meshExport(TWO, "    clusters: [fra-prod]\n"),
  ];
  for (const body of designs) {
    const ctx = analyzeFile("t.topology.yaml", HEADER + body).contexts[0];
    const losses = sweep(ctx, "single").filter((s) => simulate(ctx, s).exports.some((e) => e.stale.length > 0));
    const found = only(body, "export/remote-endpoints-kept");
    assert.equal(found.length > 0, losses.length > 0, body);
    for (const s of losses) assert.match(found[0].message, new RegExp(`if ${s.lose[0]} is lost or cut off`), body);
    assert.equal(found[0]?.message.match(/is lost or cut off/g)?.length ?? 0, losses.length, body);
    // one sentence for why the calls time out, in the rule and in every break of the engine (the 1.19 clause included)
    if (found.length) assert.ok(found[0].message.includes(CILIUM_KEEPS_ENDPOINTS), body);
    for (const s of losses)
      for (const b of simulate(ctx, s).breaks.filter((x) => x.startsWith("export "))) assert.ok(b.includes(CILIUM_KEEPS_ENDPOINTS), b);
  }
});
