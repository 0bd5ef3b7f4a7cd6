// Names written by quick fixes and rename stay strings when YAML reads them back (audit A23):
// `124`, `true`, `null`, `1e3`, `0x1f`, `yes` (YAML 1.1), `a: b` are quoted; a plain safe name stays plain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { analyzeFile } from "../../server/src/analysis";
import { plainKeepsString, stringScalar } from "../../server/src/fixes/scalar";
import { LineIndex } from "../../server/src/model/text";
import { QuorateService } from "../../server/src/service/service";
import { FIXABLE } from "../fixtures/fixable";
import { applyFirst, HEADER } from "../helpers";

test("stringScalar: plain when YAML 1.2 and 1.1 both read a string, else quoted, in the quotes already there", () => {
  for (const safe of ["fra", "ams-2", "witness-2", "a-1", "NaN", "it's"]) assert.equal(stringScalar(safe), safe, safe);
  for (const [name, written] of [
    ["124", '"124"'],
    ["true", '"true"'],
    ["null", '"null"'],
    ["~", '"~"'],
    ["1e3", '"1e3"'],
    ["0x1f", '"0x1f"'],
    ["0o17", '"0o17"'],
    ["yes", '"yes"'],
    ["off", '"off"'],
    ["y", '"y"'],
    ["2024-01-02", '"2024-01-02"'],
    ["a: b", '"a: b"'],
    ["a #b", '"a #b"'],
    ["a,b", '"a,b"'],
    ["", '""'],
    ["a\u2028b", '"a\\u2028b"'],
  ]) {
    assert.equal(stringScalar(name), written, name);
    // read back as a value, a key and a flow item, it is that string
    assert.equal(parse(`x: ${written}`).x, name, `${name} as a value`);
    assert.deepEqual(Object.keys(parse(`{ ${written}: 1 }`)), [name], `${name} as a key`);
    assert.deepEqual(parse(`[${written}, b]`), [name, "b"], `${name} in a flow list`);
  }
  assert.equal(stringScalar("124", "'125'"), "'124'", "single quotes kept");
  assert.equal(stringScalar("it's", "'x'"), "'it''s'");
  assert.equal(stringScalar("fra", '"x"'), '"fra"', "double quotes kept, even for a name plain would keep");
  assert.equal(stringScalar("a\nb", "'x'"), '"a\\nb"', "a line break is escaped, so single quotes give way");
  assert.ok(plainKeepsString("fra") && !plainKeepsString("yes") && !plainKeepsString("[x]"));
});

test("Change to writes the declared name as a string: `124` quoted where it was plain, quotes kept where they were", () => {
  const design = (site: string) => `${HEADER}sites:\n  - name: "124"\n  - name: lon\nclusters:\n  - name: c\n    site: ${site}\n`;
  const plain = applyFirst(design("124a"), "ref/unknown", "Change to `124`");
  assert.match(plain, /site: "124"\n/);
  assert.equal(parse(plain).clusters[0].site, "124", "read back as the string");
  assert.ok(!analyzeFile("t.topology.yaml", plain).local.some((f) => f.code === "ref/unknown"), "the finding goes");
  assert.match(applyFirst(design("'125'"), "ref/unknown", "Change to `124`"), /site: '124'\n/);
  assert.match(applyFirst(design('"125"'), "ref/unknown", "Change to `124`"), /site: "124"\n/);
  // YAML 1.1's booleans: a Helm chart or PyYAML reads `yes` as true
  const yes = `${HEADER}sites:\n  - name: "yes"\n  - name: lon\nclusters:\n  - name: c\n    site: yess\n`;
  assert.match(applyFirst(yes, "ref/unknown", "Change to `yes`"), /site: "yes"\n/);
  // in a flow list
  const link = `${HEADER}sites:\n  - name: "124"\n  - name: lon\nlinks:\n  - between: [lon, 124a]\n    rttMs: 3\n`;
  assert.match(applyFirst(link, "ref/unknown", "Change to `124`"), /between: \[lon, "124"\]/);
  // a plain safe name stays plain
  const safe = `${HEADER}sites:\n  - name: fra\n  - name: lon\nclusters:\n  - name: c\n    site: fro\n`;
  assert.match(applyFirst(safe, "ref/unknown", "Change to `fra`"), /site: fra\n/);
});

test("Declare site writes YAML 1.1's booleans quoted too", () => {
  const text = `${HEADER}sites:\n  - name: a\nclusters:\n  - name: c\n    site: "yes"\n`;
  const out = applyFirst(text, "ref/unknown", "Declare site");
  assert.match(out, /- name: "yes"\n/, out);
});

test("rename to a name YAML reads as a number or a boolean writes it quoted everywhere; a safe name stays plain", () => {
  const text = FIXABLE["two-site.topology.yaml"];
  const rename = (source: string, newName: string) => {
    const s = new QuorateService();
    const uri = "file:///w/rename.topology.yaml";
    s.update(uri, source);
    const lines = new LineIndex(source);
    const edit = s.rename(uri, lines.positionAt(source.indexOf("[fra, lon]") + 2), newName);
    const edits = [...(edit?.changes?.[uri] ?? [])].sort((x, y) => lines.offsetAt(y.range.start) - lines.offsetAt(x.range.start));
    let out = source;
    for (const e of edits) out = out.slice(0, lines.offsetAt(e.range.start)) + e.newText + out.slice(lines.offsetAt(e.range.end));
    return out;
  };
  for (const name of ["124", "true", "null", "1e3", "yes"]) {
    const out = rename(text, name);
    assert.match(out, new RegExp(`- name: "${name}" # Frankfurt`), out);
    assert.match(out, new RegExp(`between: \\["${name}", lon\\]`));
    assert.match(out, new RegExp(`site: "${name}"\\n`));
    assert.match(out, new RegExp(`members: \\{ "${name}": 2, lon: 2 \\}`));
    const doc = parse(out);
    assert.equal(doc.sites[0].name, name);
    assert.equal(doc.clusters[0].site, name);
    assert.deepEqual(Object.keys(doc.clusters[0].etcd.members), [name, "lon"]);
  }
  // single quotes where the file has them
  const single = rename(text.replace("site: fra", "site: 'fra'"), "124");
  assert.match(single, /site: '124'\n/);
  assert.match(single, /- name: "124" # Frankfurt/);
  // a safe name is written plain
  const plain = rename(text, "frankfurt");
  assert.match(plain, /- name: frankfurt # Frankfurt/);
  assert.match(plain, /members: \{ frankfurt: 2, lon: 2 \}/);
});
