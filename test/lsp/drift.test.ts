import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { CodeAction, Diagnostic, Hover, Location } from "vscode-languageserver-protocol";
import { applyWorkspaceEdit, Client, waitFor } from "./client";

// Drift live in the editor: a topology and a kubeadm config bound to it, both on disk in a
// workspace folder, edited through the protocol as an editor would.
const TOPOLOGY = `apiVersion: quorate.dev/v1alpha1
kind: Topology
metadata:
  name: live-drift
sites:
  - name: ams
  - name: par
  - name: lon
links:
  - { between: [ams, par], rttMs: 9 }
  - { between: [ams, lon], rttMs: 8 }
  - { between: [par, lon], rttMs: 10 }
clusters:
  - name: ams-1
    site: ams
    network: { pods: 10.30.0.0/16, services: 10.100.0.0/16 }
    etcd:
      members: { ams: 1, par: 1, lon: 1 }
      heartbeatMs: 100
      electionTimeoutMs: 1000 # sized for the WAN
    deployment: # kubeadm and whatever extra config lands in extra/
      - deploy/kubeadm.yaml
      - extra/*.yaml
`;
const KUBEADM = `# kubeadm init --config kubeadm.yaml
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
networking:
  podSubnet: 10.30.0.0/16 # the pod range
  serviceSubnet: 10.100.0.0/16
etcd:
  local:
    extraArgs:
      heartbeat-interval: "100"
      election-timeout: "5000" # copied from the old DC
`;

let dir: string;
let client: Client;
let topoUri: string;
let kUri: string;
const texts = new Map<string, string>();
const versions = new Map<string, number>();

const codes = (d: Diagnostic[]) => d.map((x) => String(x.code));
const diags = (uri: string) => client.diagnostics.get(uri)?.items ?? [];

/** The quick fixes the server offers for one diagnostic of the deployment file. */
const actionsFor = (d: Diagnostic) =>
  client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri: kUri }, range: d.range, context: { diagnostics: [d] } });

async function edit(uri: string, next: string): Promise<void> {
  const v = (versions.get(uri) ?? 1) + 1;
  versions.set(uri, v);
  texts.set(uri, next);
  await client.change(uri, v, [{ text: next }]);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "quorate-drift-"));
  mkdirSync(join(dir, "deploy"));
  mkdirSync(join(dir, "extra"));
  writeFileSync(join(dir, "live.topology.yaml"), TOPOLOGY);
  writeFileSync(join(dir, "deploy", "kubeadm.yaml"), KUBEADM);
  topoUri = pathToFileURL(join(dir, "live.topology.yaml")).href;
  kUri = pathToFileURL(join(dir, "deploy", "kubeadm.yaml")).href;
  client = await Client.start({ workspaceFolder: dir });
  for (const [u, t] of [
    [topoUri, TOPOLOGY],
    [kUri, KUBEADM],
  ] as const) {
    texts.set(u, t);
    versions.set(u, 1);
    await client.open(u, t);
  }
});
after(async () => {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a drift finding appears in the deployment file, with the design's place, and a missing glob in the topology", async () => {
  const d = await waitFor("drift in kubeadm.yaml", () => diags(kUri).length > 0 && diags(kUri));
  assert.deepEqual(codes(d), ["drift/etcd-timers"]);
  assert.equal(d[0].range.start.line, 10);
  assert.match(
    String(d[0].message),
    /'etcd\.local\.extraArgs\.election-timeout' is 5000 here, but live\.topology\.yaml:20 gives ams-1 etcd\.electionTimeoutMs 1000/,
  );
  assert.equal(d[0].relatedInformation?.[0].location.uri, topoUri);
  assert.equal(d[0].relatedInformation?.[0].location.range.start.line, 19);
  const t = await waitFor("the missing glob", () => codes(diags(topoUri)).includes("drift/missing-file") && diags(topoUri));
  assert.equal(t.find((x) => x.code === "drift/missing-file")!.range.start.line, 22);
});

test("the preview marks the drifting cluster with a node that opens the deployment file", async () => {
  type Diagram = { mermaid: string; nodes: { id: string; kind: string; uri?: string; range: { start: { line: number } } }[] };
  const d = await client.request<Diagram>("quorate/diagram", { uri: topoUri });
  const marker = d.nodes.find((n) => n.kind === "drift")!;
  assert.ok(marker, JSON.stringify(d.nodes));
  assert.equal(marker.uri, kUri);
  assert.equal(marker.range.start.line, 10, "the drifting value in kubeadm.yaml");
  assert.match(d.mermaid, new RegExp(`\\n {4}${marker.id}>"drift · 1 in kubeadm\\.yaml"\\]\\n`));
  assert.match(d.mermaid, new RegExp(`\\n {2}class ${marker.id} drift\\n`));
});

test("hover, definition, and the hover table on the cluster's deployment key", async () => {
  const h = await client.request<Hover>("textDocument/hover", { textDocument: { uri: kUri }, position: { line: 10, character: 25 } });
  const md = (h.contents as { value: string }).value;
  assert.match(md, /\*\*Drifts from the design\*\* \(`drift\/etcd-timers`\)/);
  assert.match(md, /\| design \(live\.topology\.yaml:20\) \| 1000 \|/);
  assert.match(md, /\| deployed `etcd\.local\.extraArgs\.election-timeout` \| 5000 \|/);
  const def = await client.request<Location[]>("textDocument/definition", {
    textDocument: { uri: kUri },
    position: { line: 10, character: 25 },
  });
  assert.deepEqual(
    def.map((l) => [l.uri, l.range.start.line]),
    [[topoUri, 19]],
  );
  const table = await client.request<Hover>("textDocument/hover", { textDocument: { uri: topoUri }, position: { line: 20, character: 6 } });
  const tmd = (table.contents as { value: string }).value;
  assert.match(tmd, /\*\*ams-1 as deployed\*\*: 1 of 4 compared fields drift/);
  assert.match(tmd, /\| etcd\.electionTimeoutMs \| 1000 \| 5000 \| kubeadm\.yaml:11 \| \*\*drifts\*\* \|/);
  assert.match(tmd, /\| network\.services \| 10\.100\.0\.0\/16 \| 10\.100\.0\.0\/16 \| kubeadm\.yaml:6 \| agrees \|/);
});

test("the finding follows edits of either file", async () => {
  // the design adopts 5000 by hand: the finding goes
  const before = client.published(kUri);
  await edit(topoUri, texts.get(topoUri)!.replace("electionTimeoutMs: 1000", "electionTimeoutMs: 5000"));
  await client.diagnosticsAfter(kUri, before);
  await waitFor("drift gone", () => diags(kUri).length === 0);
  // the deployment moves away again: it comes back
  const k2 = texts.get(kUri)!.replace('heartbeat-interval: "100"', 'heartbeat-interval: "250"');
  await edit(kUri, k2);
  const d = await waitFor("heartbeat drift", () => diags(kUri).length === 1 && diags(kUri));
  assert.match(String(d[0].message), /heartbeat-interval' is 250 here/);
});

test("Set to the design value in the deployment file: minimal, comments kept, finding gone", async () => {
  const d = diags(kUri)[0];
  const actions = await actionsFor(d);
  const set = actions.find((a) => a.title === "Set to '100'")!;
  assert.ok(set, actions.map((a) => a.title).join(", "));
  const next = applyWorkspaceEdit(texts.get(kUri)!, set.edit!, kUri);
  assert.equal(
    next,
    texts.get(kUri)!.replace('heartbeat-interval: "250"', 'heartbeat-interval: "100"'),
    "the quotes stay, nothing else moves",
  );
  await edit(kUri, next);
  await waitFor("fixed", () => diags(kUri).length === 0);
  assert.match(next, /# copied from the old DC/);
});

test("Adopt the deployed value in the design: an edit of the topology, comments kept, finding gone", async () => {
  await edit(kUri, texts.get(kUri)!.replace('election-timeout: "5000"', 'election-timeout: "2500"'));
  const d = await waitFor("election drift", () => diags(kUri).length === 1 && diags(kUri)[0]);
  const actions = await actionsFor(d);
  const adopt = actions.find((a) => a.title === "Adopt '2500' in the design")!;
  assert.ok(adopt, actions.map((a) => a.title).join(", "));
  assert.deepEqual(Object.keys(adopt.edit!.changes!), [topoUri]);
  const next = applyWorkspaceEdit(texts.get(topoUri)!, adopt.edit!, topoUri);
  assert.equal(next, texts.get(topoUri)!.replace("electionTimeoutMs: 5000", "electionTimeoutMs: 2500"));
  assert.match(next, /# sized for the WAN/);
  await edit(topoUri, next);
  await waitFor("adopted", () => diags(kUri).length === 0);
});

test("a file created on disk that a glob matches is read at once; deleting it brings the finding back", async () => {
  const path = join(dir, "extra", "k3s-config.yaml");
  writeFileSync(path, "cluster-cidr: 10.30.0.0/16\nservice-cidr: 10.100.0.0/16\n");
  const uri = pathToFileURL(path).href;
  await client.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: 1 }] });
  await waitFor("the glob now matches", () => !codes(diags(topoUri)).includes("drift/missing-file"));
  rmSync(path);
  await client.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: 3 }] });
  await waitFor("missing again", () => codes(diags(topoUri)).includes("drift/missing-file"));
  assert.ok(client.alive);
});

test("a deployment file opened alone shows its drift: the workspace index binds it at start-up", async () => {
  // a fresh server over the same folder, and only the kubeadm file opened (the topology stays closed)
  const alone = await Client.start({ workspaceFolder: dir });
  try {
    writeFileSync(join(dir, "live.topology.yaml"), TOPOLOGY);
    writeFileSync(join(dir, "deploy", "kubeadm.yaml"), KUBEADM);
    await alone.conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri: kUri, languageId: "yaml", version: 1, text: KUBEADM },
    });
    const d = await waitFor("drift in the deployment file opened alone", () => {
      const items = alone.diagnostics.get(kUri)?.items;
      return items?.length ? items : undefined;
    });
    assert.deepEqual(codes(d), ["drift/etcd-timers"]);
    assert.equal(d[0].relatedInformation?.[0].location.uri, topoUri, "it points at the closed topology, by its own uri");
  } finally {
    await alone.stop();
  }
});
