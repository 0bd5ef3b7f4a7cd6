import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "vscode-languageserver";
import { headRange, toDiagnostic, toDiagnostics } from "../../server/src/service/convert";
import { QuorateService } from "../../server/src/service/service";
import { DEFAULT_SETTINGS, parseSettings } from "../../server/src/service/settings";
import { inTempDir, manyFindings as design } from "../helpers";

const URI_ = "file:///w/many.topology.yaml";
const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);
const limited = (max: number, rules = {}) => ({ ...DEFAULT_SETTINGS, maxDiagnostics: max, rules });

function serviceWith(text: string): QuorateService {
  const s = new QuorateService();
  s.update(URI_, text);
  return s;
}

test("a file with as many findings as the limit is sent all of them, and no count", () => {
  const s = serviceWith(design(60, 30));
  const all = s.findings(URI_);
  assert.equal(all.length, 120, "60 host-bits warnings and 60 overlap errors");
  assert.deepEqual(s.setSettings(limited(120)), [URI_]);
  const ds = s.diagnostics(URI_);
  assert.equal(ds.length, 120);
  assert.ok(!codes(ds).includes("quorate/more-findings"));
  // the default limit is far above it: the same diagnostics
  assert.deepEqual(s.setSettings(DEFAULT_SETTINGS), [URI_]);
  assert.deepEqual(s.diagnostics(URI_), ds);
});

test("one finding past the limit: the limit less one are sent, errors first, and one diagnostic counts the rest", () => {
  const s = serviceWith(design(60, 30));
  const full = s.diagnostics(URI_);
  s.setSettings(limited(119));
  const ds = s.diagnostics(URI_);
  assert.equal(ds.length, 119, "the editor's own cut never comes into play");
  const [more, ...shown] = ds;
  assert.equal(more.code, "quorate/more-findings");
  // on the file's first key (apiVersion): a real range, first in the Problems panel
  assert.deepEqual(more.range, { start: { line: 0, character: 0 }, end: { line: 0, character: "apiVersion".length } });
  assert.equal(more.severity, 3);
  assert.equal(
    more.message,
    "120 findings in this file; the editor is sent 118 of them, errors first (quorate.maxDiagnostics is 119). " +
      "Not shown: cidr/host-bits: 2 warnings. Run 'quorate check many.topology.yaml' for every one.",
  );
  // every error kept though all come after the warnings; the last two warnings dropped
  assert.equal(shown.filter((d) => d.severity === 1).length, 60);
  const warnings = full.filter((d) => d.severity === 2);
  assert.deepEqual(
    shown.filter((d) => d.severity === 2),
    warnings.slice(0, 58),
  );
  // the kept ones are byte for byte what an unlimited file sends, in file order
  assert.deepEqual(
    shown,
    full.filter((d) => d.severity === 1 || warnings.slice(0, 58).includes(d)),
  );
});

test("with more errors than the limit, only errors are sent: no error dropped for a warning", () => {
  const s = serviceWith(design(60, 100));
  s.setSettings(limited(150));
  const [more, ...shown] = s.diagnostics(URI_);
  assert.equal(shown.length, 149);
  assert.ok(shown.every((d) => d.severity === 1));
  assert.match(
    String(more.message),
    /^260 findings in this file; the editor is sent 149 of them.*Not shown: cidr\/overlap: 51 errors, cidr\/host-bits: 60 warnings\./,
  );
  // the status bar still counts every finding
  assert.deepEqual({ errors: s.summary(URI_)?.errors, warnings: s.summary(URI_)?.warnings }, { errors: 200, warnings: 60 });
});

test("the count takes its code's severity override, or is turned off with it", () => {
  const s = serviceWith(design(60, 30));
  s.setSettings(limited(100, { "quorate/more-findings": "warning" }));
  assert.equal(s.diagnostics(URI_)[0].severity, 2);
  s.setSettings(limited(100, { "quorate/more-findings": "off" }));
  const ds = s.diagnostics(URI_);
  assert.equal(ds.length, 99);
  assert.ok(!codes(ds).includes("quorate/more-findings"));
});

test("quorate.maxDiagnostics is read as a whole number of at least 100", () => {
  assert.equal(parseSettings({}).maxDiagnostics, 1000);
  assert.equal(parseSettings({ maxDiagnostics: 250.7 }).maxDiagnostics, 250);
  assert.equal(parseSettings({ maxDiagnostics: 100 }).maxDiagnostics, 100);
  assert.equal(parseSettings({ maxDiagnostics: 99 }).maxDiagnostics, 1000);
  assert.equal(parseSettings({ maxDiagnostics: "500" }).maxDiagnostics, 1000);
});

test("quorate check still reports every finding, in every format", () => {
  inTempDir({ "many.topology.yaml": design(60, 600) }, (_dir, cli) => {
    assert.equal(JSON.parse(cli(["check", "--format", "json", "many.topology.yaml"]).stdout).length, 1260);
    const sarif = JSON.parse(cli(["check", "--format", "sarif", "many.topology.yaml"]).stdout);
    assert.equal(sarif.runs[0].results.length, 1260);
    const text = cli(["check", "many.topology.yaml"]).stdout;
    assert.equal(text.match(/cidr\/overlap/g)?.length, 1200);
    assert.ok(!text.includes("more-findings"));
  });
});

test("a related place many findings share is converted once, to what each finding alone converts to", () => {
  // c0's range widened to a /8: it overlaps every other pod range, each of whose findings links it
  const text = design(0, 30).replace("pods: 172.16.0.0/24", "pods: 172.0.0.0/8");
  const s = serviceWith(text);
  const a = s.analysis(URI_)!;
  const findings = s.findings(URI_);
  const ds = toDiagnostics(URI_, a.parsed.lines, findings, (u) => s.linesOf(u));
  assert.deepEqual(
    ds,
    findings.map((x) => toDiagnostic(URI_, a.parsed.lines, x, (u) => s.linesOf(u))),
  );
  const linking = ds.filter((d) => d.relatedInformation?.[0]?.message === "overlapping range c0.network.pods");
  assert.equal(linking.length, 59);
  assert.ok(linking.every((d) => d.relatedInformation === linking[0].relatedInformation));
  assert.equal(text.split("\n")[linking[0].relatedInformation![0].location.range.start.line].trim(), "network: { pods: 172.0.0.0/8 }");
});

test("the whole-file diagnostics sit on the file's first key, past comments and markers, never a zero-width point on a comment", () => {
  const at = (text: string) => {
    const r = headRange(text);
    return [r.start.line, r.start.character, r.end.character - r.start.character];
  };
  assert.deepEqual(at("apiVersion: quorate.dev/v1alpha1\n"), [0, 0, 10]);
  assert.deepEqual(at("# payments design\n\n---\n  apiVersion: x\n"), [3, 2, 10]);
  assert.deepEqual(at("%YAML 1.2\n---\n- name: a\n"), [2, 2, 4]);
  assert.deepEqual(at("\r\n# x\r\nkind: Topology\r\n"), [2, 0, 4]);
  assert.deepEqual(at("[a, b]  # a flow list\n"), [0, 0, 6]);
  assert.deepEqual(at("# only a comment\n"), [0, 0, 0]);
  assert.deepEqual(at(""), [0, 0, 0]);
  // a file past the size limit may be one line of megabytes: at most 200 characters are looked at
  assert.deepEqual(at("x".repeat(1e6)), [0, 0, 200]);
  // through the service: the summary past the limit, and quorate/too-large, on the first key below a comment
  const s = serviceWith(`# generated\n${design(60, 30)}`);
  s.setSettings(limited(100));
  const more = s.diagnostics(URI_).find((d) => d.code === "quorate/more-findings")!;
  assert.deepEqual(more.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 10 } });
  s.setSettings({ ...limited(100), maxFileSizeKb: 1 });
  const [big] = s.diagnostics(URI_);
  assert.equal(big.code, "quorate/too-large");
  assert.deepEqual(big.range, more.range);
});
