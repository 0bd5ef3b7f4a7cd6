// A Kubernetes List (what `kubectl get rolebindings -A -o yaml` prints) in a manifest file: its
// items are read as the objects they hold. It was skipped — "no topology files or manifests
// found", exit 0 — so the bindings it holds went unchecked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile, INTERESTING, isInteresting } from "../../server/src/model/parse";
import { QuorateService } from "../../server/src/service/service";
import { HEADER, inTempDir, runCli } from "../helpers";

const ROLE = `  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: exporter
    rules:
      - apiGroups: ["multicluster.x-k8s.io"]
        resources: ["serviceexports"]
        verbs: ["create"]
`;
const BINDING = `  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: { name: everyone-exports, namespace: payments }
    roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exporter }
    subjects:
      - { kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io }
`;
const LIST = `apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n${ROLE}${BINDING}`;

test("a named file holding a List of RBAC objects: its bindings are checked (exit 1), at their lines in the List", () => {
  inTempDir({ "rbac.yaml": LIST }, (_dir, cli) => {
    const r = cli(["check", "rbac.yaml"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^rbac\.yaml:19:9: error rbac\/broad-exporter: RoleBinding everyone-exports lets Group system:authenticated/m);
    assert.match(r.stdout, /1 error, 0 warnings, 0 info in 1 file\n$/);
    // found in a folder too
    assert.equal(cli(["check", "."]).stdout, r.stdout);
  });
});

test("typed lists (RoleBindingList: items without kind), nested Lists and other kinds among the items", () => {
  const objects = (text: string) =>
    parseFile("m.yaml", text)
      .docs.flatMap((d) => d.listed ?? [])
      .map((o) => `${o.kind} ${o.name?.value}`);
  const typed = `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBindingList\nitems:\n  - metadata: { name: a, namespace: x }\n  - metadata: { name: b, namespace: x }\n`;
  assert.deepEqual(objects(typed), ["RoleBinding a", "RoleBinding b"]);
  assert.ok(parseFile("m.yaml", typed).relevant);
  // a List inside a List is flattened, as kubectl reads it; a ConfigMap is skipped as its own document would be
  const nested = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: c }\n  - apiVersion: v1\n    kind: List\n    items:\n${ROLE.replace(/^/gm, "    ")}`;
  assert.deepEqual(objects(nested), ["ClusterRole exporter"]);
  // no kind Quorate reads: not a manifest (skipped, as a folder of ConfigMaps is)
  const cms = `apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }\n`;
  assert.deepEqual(objects(cms), []);
  assert.equal(parseFile("m.yaml", cms).relevant, false);
  // a List of another group is no Kubernetes List; a typed list of a kind Quorate does not read neither
  assert.deepEqual(objects(LIST.replace("apiVersion: v1\n", "apiVersion: example.com/v1\n")), []);
  assert.deepEqual(objects(`apiVersion: v1\nkind: ConfigMapList\nitems:\n  - metadata: { name: a }\n`), []);
});

test("aliases cannot multiply a List's work: each node is read once", () => {
  const names = (text: string) =>
    parseFile("m.yaml", text)
      .docs.flatMap((d) => d.listed ?? [])
      .map((o) => o.name?.value);
  // one binding aliased twice is one object (its findings would otherwise repeat at one place)
  const one =
    "apiVersion: v1\nkind: List\nx: &b { apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: { name: b } }\nitems: [*b, *b]\n";
  assert.deepEqual(names(one), ["b"]);
  // 40 levels, each a List whose two items alias the level below: 2^40 paths, 41 nodes
  const lines = ["apiVersion: v1", "kind: List", "x:"];
  lines.push("  - &l0 { apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: { name: deep, namespace: x } }");
  for (let i = 1; i <= 40; i++) lines.push(`  - &l${i} { apiVersion: v1, kind: List, items: [*l${i - 1}, *l${i - 1}] }`);
  lines.push("items: [*l40, *l40]");
  const text = `${lines.join("\n")}\n`;
  assert.deepEqual(names(text), ["deep"]);
});

test("a List in a *.topology.yaml is still no design: one schema finding that says where its RBAC objects are read", () => {
  inTempDir({ "rbac.topology.yaml": LIST }, (_dir, cli) => {
    const r = cli(["check", "rbac.topology.yaml"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^rbac\.topology\.yaml:2:7: error schema: this is a List \(v1\) of 2 objects \(ClusterRole and RoleBinding\), not a Quorate Topology: a file named \*\.topology\.yaml holds a design .*; Quorate reads the ClusterRoles and RoleBindings of a List in a file of any other name$/m,
    );
    assert.doesNotMatch(r.stdout, /broad-exporter/);
  });
  // piped in, it is read as a manifest (kubectl get rolebindings -o yaml | quorate check -)
  const piped = runCli(["check", "-"], process.cwd(), LIST);
  assert.equal(piped.code, 1);
  assert.match(piped.stdout, /^-:19:9: error rbac\/broad-exporter/m);
});

test("the server: a List's bindings get diagnostics, and are judged against another file's exportPolicy", () => {
  const s = new QuorateService();
  s.update("file:///w/rbac.yaml", LIST);
  assert.deepEqual(
    s.diagnostics("file:///w/rbac.yaml").map((d) => [d.code, d.range.start.line]),
    [["rbac/broad-exporter", 18]],
  );
  const unlisted = LIST.replace("kind: Group, name: system:authenticated", "kind: User, name: mallory");
  s.update("file:///w/rbac.yaml", unlisted);
  assert.deepEqual(s.diagnostics("file:///w/rbac.yaml"), []);
  s.update("file:///w/t.topology.yaml", `${HEADER}sites:\n  - name: fra\nexportPolicy:\n  exporters:\n    - { kind: User, name: alice }\n`);
  assert.deepEqual(
    s.diagnostics("file:///w/rbac.yaml").map((d) => d.code),
    ["rbac/unlisted-exporter"],
  );
});

test("the cheap look before parsing finds a List's items and typed lists, and reads no further than a line per attempt", () => {
  assert.ok(
    isInteresting("m.yaml", "apiVersion: v1\nkind: List\nitems:\n- kind: RoleBinding\n  apiVersion: rbac.authorization.k8s.io/v1\n"),
  );
  assert.ok(isInteresting("m.yaml", "kind: RoleBindingList\n"));
  assert.ok(!isInteresting("m.yaml", "kind: RoleBindingX\n"));
  assert.ok(!isInteresting("m.yaml", "kind: ConfigMap\n"));
  // `^\s*` (as it was) let each line's attempt run over every blank line after it: quadratic, 100 KB of
  // blank lines took 9.5 s CPU in `check <folder>`. Spaces, tabs and dashes only: one line per attempt.
  assert.doesNotMatch(INTERESTING.source.slice(0, 12), /\\s/);
  assert.ok(!isInteresting("m.yaml", "\n".repeat(1000)));
  assert.ok(isInteresting("m.yaml", "\n\n  \n   kind: Role\n"));
});
