import { test } from "node:test";
import assert from "node:assert/strict";
import { QuorateService } from "../../server/src/service/service";
import { DEFAULT_SETTINGS } from "../../server/src/service/settings";
import { parseSettings } from "../../server/src/service/settings";
import { HEADER } from "../helpers";

const GALERA = `${HEADER}sites:\n  - name: a\n  - name: b\n  - name: c\nlinks:\n  - { between: [a, b], rttMs: 6 }\n  - { between: [a, c], rttMs: 1 }\n  - { between: [b, c], rttMs: 1 }\nstores:\n  - { name: g, replication: galera, members: { a: 1, b: 1, c: 1 } }\n`;

test("settings changes do only the work they need, and their effect shows", () => {
  const s = new QuorateService();
  const uri = "file:///w/g.topology.yaml";
  s.update(uri, GALERA);
  const first = s.analysis(uri);
  assert.deepEqual(
    s.diagnostics(uri).map((d) => d.code),
    ["rtt/galera-wan"],
  );

  // an unchanged or size-only setting that moves no file: nothing re-analysed, nothing re-published
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS }), []);
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS, maxFileSizeKb: 100 }), []);
  assert.equal(s.analysis(uri), first);

  // severity overrides re-finalize without re-parsing
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS, rules: { "rtt/galera-wan": "error" } }), [uri]);
  assert.equal(s.analysis(uri), first);
  assert.deepEqual(
    s.diagnostics(uri).map((d) => d.severity),
    [1],
  );

  // the Galera threshold re-analyses: 6 ms is within a 6 ms limit
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS, galeraMaxRttMs: 6 }), [uri]);
  assert.notEqual(s.analysis(uri), first);
  assert.deepEqual(s.diagnostics(uri), []);

  // a limit the file crosses takes it out of live analysis, and back
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS, galeraMaxRttMs: 6, maxFileSizeKb: 0.1 }), [uri]);
  assert.deepEqual(
    s.diagnostics(uri).map((d) => d.code),
    ["quorate/too-large"],
  );
  assert.deepEqual(s.setSettings({ ...DEFAULT_SETTINGS }), [uri]);
  assert.deepEqual(
    s.diagnostics(uri).map((d) => d.code),
    ["rtt/galera-wan"],
  );
});

test("settings from the client are read defensively", () => {
  assert.deepEqual(parseSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(
    parseSettings({
      rules: { "quorum/even-members": "off", "no/such": "off", "quorum/partition": "loud" },
      galeraMaxRttMs: "7",
      maxFileSizeKb: -1,
      maxDiagnostics: Number.NaN,
    }),
    {
      rules: { "quorum/even-members": "off" },
      galeraMaxRttMs: DEFAULT_SETTINGS.galeraMaxRttMs,
      maxFileSizeKb: DEFAULT_SETTINGS.maxFileSizeKb,
      maxDiagnostics: DEFAULT_SETTINGS.maxDiagnostics,
    },
  );
});

test("while the text is broken, completion still offers the names the last good version declared", () => {
  const s = new QuorateService();
  const uri = "file:///w/g.topology.yaml";
  s.update(uri, GALERA);
  // a from-scratch analysis of text that holds no topology (an unclosed quote): the old analysis is let go
  const broken = `${GALERA}clusters:\n  - name: x\n    site: \n  - name: "y\n`;
  s.update(uri, broken);
  assert.equal(s.analysis(uri)?.contexts.length, 0, "no topology in the broken text");
  const lines = broken.split("\n");
  const at = { line: lines.length - 3, character: "    site: ".length };
  assert.deepEqual(
    s.completion(uri, at).map((c) => c.label),
    ["a", "b", "c"],
  );
  // a file that never parsed has no names to offer
  const other = "file:///w/other.topology.yaml";
  s.update(other, broken);
  assert.deepEqual(s.completion(other, at), []);
});

test("the editor says the same of a *.topology.yaml that holds another object, at its kind, and nothing else", () => {
  const s = new QuorateService();
  const uri = "file:///w/app.topology.yaml";
  s.update(uri, "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: 2 }\n");
  const ds = s.diagnostics(uri);
  assert.deepEqual(
    ds.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.character]),
    [["schema", 1, 1, 6, 16]],
  );
  assert.equal(
    ds[0].message,
    // (the editor shows code in quotes)
    "this is a Deployment (apps/v1), not a Quorate Topology: a file named *.topology.yaml holds a design ('apiVersion: quorate.dev/v1alpha1', 'kind: Topology'); keep a Kubernetes manifest in a file of another name",
  );
  // turned into a topology: the sentence goes, the design is judged
  s.update(uri, `${HEADER}sites:\n  - name: fra\n`);
  assert.deepEqual(
    s.diagnostics(uri).filter((d) => d.code === "schema"),
    [],
  );
});
