import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyzeFile, finalize, type FileAnalysis } from "../../server/src/analysis";
import { analyzeChange, recordFamilies, rehearseKeystroke } from "../../server/src/incremental";
import { KEPT_MAX_FINDINGS } from "../../server/src/reuse";
import { DEFAULT_OPTIONS, type AnalysisOptions } from "../../server/src/derive/context";
import { FIXABLE } from "../fixtures/fixable";
import { rng, seedFromEnv } from "../helpers";

const ROOT = resolve(__dirname, "..", "..", "..");

/** Rings of three sites (the bench's other shape, small), with findings of several families to move. */
function rings(n: number): string {
  const sites = ["sites:"];
  const links = ["links:"];
  const clusters = ["clusters:"];
  const stores = ["stores:"];
  const traffic = ["traffic:"];
  for (let r = 0; r < n; r++) {
    const s = ["a", "b", "c"].map((x) => `r${r}-${x}`);
    sites.push(...s.map((x, i) => `  - { name: ${x}, location: { lat: ${40 + r + i * 0.1}, lon: ${r + i * 0.1} } }`));
    links.push(`  - { between: [${s[0]}, ${s[1]}], rttMs: ${12 + r} }`, `  - { between: [${s[0]}, ${s[2]}], rttMs: ${40 + r} }`);
    for (const [i, site] of s.entries()) {
      clusters.push(
        `  - name: ${site}-k`,
        `    site: ${site}`,
        `    description: "ring ${r} cluster ${i}"`,
        `    mesh: ${i === 2 ? "submariner" : "clustermesh"}`,
        `    id: ${r * 3 + i + (i === 1 ? 0 : 1)}`,
        "    network:",
        `      pods: 10.${r}.${i === 2 ? 0 : i * 16}.0/20`,
        `      services: 10.96.${r}.0/24`,
      );
      if (i === 0) clusters.push("    etcd:", `      members: { ${s[0]}: 1, ${s[1]}: 1, ${s[2]}: ${r % 2} }`, "      heartbeatMs: 100");
    }
    stores.push(
      `  - name: ledger-${r}`,
      "    replication: consensus",
      `    members: { ${s[0]}: 2, ${s[1]}: 2, ${s[2]}: ${r % 2} }`,
      "    writeLatencyBudgetMs: 30",
    );
    traffic.push(
      `  - name: web-${r}`,
      "    steering: gslb",
      "    peakRps: 30000",
      `    dependsOn: [ledger-${r}]`,
      "    backends:",
      ...s.flatMap((x) => [`      - cluster: ${x}-k`, "        weight: 1", `        capacityRps: ${x.endsWith("c") ? 5000 : 20000}`]),
    );
  }
  return `apiVersion: quorate.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: rings\n${[...sites, ...links, ...clusters, ...stores, ...traffic].join("\n")}\n`;
}

/** Everything a finding shows, related spans and fixes included. */
const view = (a: FileAnalysis) => JSON.stringify(finalize(a.parsed, a.local));

/**
 * Types into `text` as an editor does: each call inserts `ins` after `needle` (deleting `del`
 * characters there), analyses the change incrementally, checks it against an analysis from
 * scratch, and returns the families the keystroke kept.
 */
function typist(name: string, text: string) {
  let a = analyzeFile(name, text);
  let cur = text;
  return (needle: string, ins: string, del = 0) => {
    const at = cur.indexOf(needle) + needle.length;
    const next = `${cur.slice(0, at)}${ins}${cur.slice(at + del)}`;
    a = analyzeChange(a, name, { start: at, end: at + del, text: ins }, next, DEFAULT_OPTIONS);
    cur = next;
    assert.equal(view(a), view(analyzeFile(name, cur)), `${needle} + ${ins}`);
    return a.families;
  };
}

/** `typist`, each keystroke required to have been analysed incrementally (its kept families returned). */
function incrementalTypist(name: string, text: string) {
  const type = typist(name, text);
  return (needle: string, ins: string, del = 0) => {
    const families = type(needle, ins, del);
    assert.ok(families, "incremental");
    return families;
  };
}

const TYPING = ["1", "0", "2", "a", "x", "-", ".", "/", " "];
const RARE = ["\n", ":", "#", "[", "]", "{", '"', ",", "\n    extra: 1"];

test("keystrokes into one item, one after another, reuse unchanged families and equal a from-scratch analysis", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const texts: [string, string][] = [
    ["rings.topology.yaml", rings(4)],
    ["payments.topology.yaml", readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8")],
    ...Object.entries(FIXABLE),
  ];
  let kept = 0;
  let again = 0;
  for (const [name, original] of texts) {
    for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, deferFigures: true }] as AnalysisOptions[]) {
      let text = original;
      let a = analyzeFile(name, text, options);
      for (let burst = 0; burst < 8; burst++) {
        // a place, then a burst of keystrokes around it, as typing a value is
        // half the time at the end of a value (a name, a reference, a number), where typing changes what rules read
        const values = [...text.matchAll(/: [^\s,\]}]+/g)];
        let at =
          r() < 0.5 && values.length
            ? ((m) => (m.index ?? 0) + m[0].length)(values[Math.floor(r() * values.length)])
            : Math.floor(r() * text.length);
        const length = 1 + Math.floor(r() * 8);
        for (let k = 0; k < length; k++) {
          at = Math.max(0, Math.min(text.length, at + Math.floor(r() * 5) - 2));
          const del = r() < 0.25 ? 1 + Math.floor(r() * 2) : 0;
          const pool = r() < 0.92 ? TYPING : RARE;
          const ins = r() < 0.8 || del === 0 ? pool[Math.floor(r() * pool.length)] : "";
          const change = { start: at, end: Math.min(text.length, at + del), text: ins };
          const next = text.slice(0, change.start) + change.text + text.slice(change.end);
          const got = analyzeChange(a, name, change, next, options);
          const fresh = analyzeFile(name, next, options);
          assert.equal(view(got), view(fresh), `seed ${seed}, ${name}, burst ${burst}, keystroke ${k}: ${JSON.stringify(change)}`);
          kept += got.families?.kept.length ?? 0;
          // a keystroke into the item the last one re-read: the ones whose families may be reused
          if (got.families && a.families?.key === got.families.key && a.families.index === got.families.index) again++;
          text = next;
          a = got.local.some((f) => f.code === "yaml/syntax") ? analyzeFile(name, text, options) : got;
          at += ins.length;
        }
      }
    }
  }
  // most keystrokes into the item the last one re-read leave most families as they were: the
  // reuse is taken, not only allowed (about 10 of 13 families a keystroke over seeds tried; counted
  // over those keystrokes, not all: a random "[" can leave a text unparsable, every keystroke after it from scratch)
  assert.ok(again > 0 && kept > again * 4, `families reused ${kept} times over ${again} keystrokes into the same item (seed ${seed})`);
});

test("a keystroke into a description re-runs no family; one into an RTT re-runs the ones that read it", () => {
  const text = rings(3);
  const name = "rings.topology.yaml";
  const type = typist(name, text);
  // the first keystroke into an item runs every family (it records what they read); the next reuse
  type('"ring 1 cluster', "x");
  const inert = type('"ring 1 cluster', "y");
  assert.ok(inert);
  assert.deepEqual(
    [...inert.families.keys()].filter((f) => !inert.kept.includes(f)),
    [],
    "a description is read by no family",
  );
  type("rttMs: 13", "1");
  const rtt = type("rttMs: 13", "2");
  assert.ok(rtt);
  const ran = [...rtt.families.keys()].filter((f) => !rtt.kept.includes(f));
  assert.ok(ran.includes("rtt"), `the rtt family runs again (ran: ${ran})`);
  assert.ok(!ran.includes("cidr"), `the cidr family does not (ran: ${ran})`);
});

test("a keystroke into a member count re-runs the families that read quorums, not the address plan's", () => {
  const text = rings(3);
  const name = "rings.topology.yaml";
  const type = incrementalTypist(name, text);
  // a store's members, then a cluster's etcd members: the quorums are a fact, not the context's construction
  for (const needle of ["members: { r1-a: 2, r1-b: ", "members: { r2-a: 1, r2-b: "]) {
    type(needle, "", 1);
    const again = type(needle, "3");
    const ran = [...again.families.keys()].filter((f) => !again.kept.includes(f));
    for (const f of ["quorum", "rtt"]) assert.ok(ran.includes(f), `${f} runs again (ran: ${ran})`);
    for (const f of ["cidr", "mesh", "submariner"]) assert.ok(again.kept.includes(f), `${f} is kept (ran: ${ran})`);
    // and the member count back: the quorum's findings as before
    type(needle, "", 1);
    type(needle, "2");
  }
});

test("the quorums and the link map an edit did not re-read are taken from the last analysis; re-read, or the sites renamed, they are formed again", () => {
  const name = "rings.topology.yaml";
  let cur = rings(3);
  let a = analyzeFile(name, cur);
  const edit = (needle: string, ins: string, del = 0) => {
    const at = cur.indexOf(needle) + needle.length;
    const next = `${cur.slice(0, at)}${ins}${cur.slice(at + del)}`;
    const before = a.contexts[0];
    a = analyzeChange(a, name, { start: at, end: at + del, text: ins }, next, DEFAULT_OPTIONS);
    cur = next;
    assert.ok(a.families, "incremental");
    assert.equal(view(a), view(analyzeFile(name, cur)), `${needle} + ${ins}`);
    return { before, after: a.contexts[0] };
  };
  const ledger = (ctx: FileAnalysis["contexts"][number], r: number) => ctx.quorumOf(ctx.topology.storeByName.get(`ledger-${r}`)!)!;
  // a capacity: no owner re-read, every quorum the same; links the same list, the same lookups
  let { before, after } = edit("capacityRps: 2000", "1");
  assert.deepEqual(
    after.quorums.map((q, i) => q === before.quorums[i]),
    before.quorums.map(() => true),
  );
  assert.equal(after.link("r1-a", "r1-b"), before.link("r1-a", "r1-b"));
  // a store's member count: that store's quorum formed again (its new count), the others kept
  ({ before, after } = edit("members: { r1-a: 2, r1-b: ", "3", 1));
  assert.notEqual(ledger(after, 1), ledger(before, 1));
  assert.equal(ledger(after, 1).counts.get("r1-b"), 3);
  assert.equal(ledger(after, 2), ledger(before, 2));
  // an RTT: the link map built again from the edited list
  ({ before, after } = edit("between: [r1-a, r1-b], rttMs: 1", "7", 1));
  assert.equal(after.rtt("r1-a", "r1-b"), 17);
  assert.equal(before.rtt("r1-a", "r1-b"), 13);
  // a site renamed: every quorum formed again against the new names (ledger-2's r2-a no longer resolves)
  ({ before, after } = edit("- { name: r2-", "x", 1));
  assert.ok(after.quorums.every((q, i) => q !== before.quorums[i]));
  assert.equal(ledger(after, 2).resolved, false);
  assert.equal(ledger(before, 2).resolved, true);
});

test("renaming a cluster that only a backend names: the lookup by name is a read of the name", () => {
  const name = "rings.topology.yaml";
  let cur = rings(2);
  let a = analyzeFile(name, cur);
  // r1-b-k has no etcd: nothing but the name index and the references read its name
  const needle = "  - name: r1-b-k";
  for (const ins of ["x", "y"]) {
    const at = cur.indexOf(needle) + needle.length;
    const next = `${cur.slice(0, at)}${ins}${cur.slice(at)}`;
    a = analyzeChange(a, name, { start: at, end: at, text: ins }, next, DEFAULT_OPTIONS);
    cur = next;
    assert.equal(view(a), view(analyzeFile(name, cur)), `after typing ${ins}`);
  }
  for (let k = 0; k < 2; k++) {
    const at = cur.indexOf(needle) + needle.length;
    const next = `${cur.slice(0, at)}${cur.slice(at + 1)}`;
    a = analyzeChange(a, name, { start: at, end: at + 1, text: "" }, next, DEFAULT_OPTIONS);
    cur = next;
    assert.equal(view(a), view(analyzeFile(name, cur)), `after deleting ${k + 1}`);
  }
  assert.ok(a.families, "the keystrokes were incremental");
});

test("a fact one family computed is a read of every family that reads it: a backend's cluster and a cluster's site, typed and deleted", () => {
  // the loads of a traffic entry (derive/loads) are computed by the first family that asks (rtt,
  // for the writers) and read by traffic and capacity after it: each depends on what they read,
  // or the traffic family kept its findings while the backend stopped resolving and resolved again
  const type = incrementalTypist("rings.topology.yaml", rings(2));
  const backend = "- cluster: r1-a-k\n        weight: 1\n        capacityRps: 20000\n      - cluster: r1";
  type(backend, " ");
  const back = type(backend, "", 1);
  assert.ok(!back.kept.includes("traffic"), `the traffic family runs again (kept: ${back.kept})`);
  // a cluster's site: the backends at it move with it
  type("    site: r0-c", "x");
  type("    site: r0-c", "", 1);
});

test("typing into every value of a design and deleting it again equals a from-scratch analysis, keystroke by keystroke", () => {
  // systematic, beside the random test above: each value's end, a character typed twice and
  // deleted twice (the second keystroke of each pair reuses what the first recorded)
  for (const [name, text] of [
    ["rings.topology.yaml", rings(2)],
    ["payments.topology.yaml", readFileSync(join(ROOT, "examples", "payments-eu-reviewed.topology.yaml"), "utf8")],
  ]) {
    const ends = [...text.matchAll(/: [^\s,\]}]+/g)].map((m) => (m.index ?? 0) + m[0].length);
    for (const end of ends) {
      let cur = text;
      let a = analyzeFile(name, cur);
      const steps: [number, string, number][] = [
        [end, "x", 0],
        [end + 1, "1", 0],
        [end + 1, "", 1],
        [end, "", 1],
      ];
      for (const [at, ins, del] of steps) {
        const next = `${cur.slice(0, at)}${ins}${cur.slice(at + del)}`;
        a = analyzeChange(a, name, { start: at, end: at + del, text: ins }, next, DEFAULT_OPTIONS);
        cur = next;
        assert.equal(
          view(a),
          view(analyzeFile(name, cur)),
          `${name}: ${JSON.stringify(text.slice(end - 30, end))} + ${JSON.stringify(ins)} − ${del}`,
        );
      }
    }
  }
});

test("a family that found more than KEPT_MAX_FINDINGS is shown as found and runs again on the next edit", () => {
  const name = "rings.topology.yaml";
  // r0-a-k's pods a /2: it overlaps every other 10.x range, one cidr/overlap finding each
  let k = 0;
  // (each cluster's services a range of its own: without the /2, fewer overlaps than that)
  const few = rings(60).replace(/services: 10\.96\.\d+\.0\/24/g, () => `services: 10.${100 + (k >> 8)}.${k++ & 255}.0/24`);
  assert.ok(analyzeFile(name, few).local.filter((f) => f.code === "cidr/overlap").length < KEPT_MAX_FINDINGS);
  const wide = few.replace("pods: 10.0.0.0/20", "pods: 10.0.0.0/2");
  const overlaps = analyzeFile(name, wide).local.filter((f) => f.code === "cidr/overlap").length;
  assert.ok(overlaps > KEPT_MAX_FINDINGS, `${overlaps} overlaps`);
  const type = incrementalTypist(name, wide);
  type('"ring 0 cluster', "x");
  const second = type('"ring 0 cluster', "y");
  assert.equal(second.families.get("cidr")?.findings, undefined, "too many to keep");
  assert.ok(!second.kept.includes("cidr"), "the cidr family ran again");
  assert.ok(second.kept.includes("rtt"), "the others are kept");
  // back to a /20 and on: the few findings are kept again, and what is shown follows each edit
  type("pods: 10.0.0.0/2", "0");
  const inert = type('"ring 0 cluster', "z");
  assert.ok(
    inert.kept.includes("cidr"),
    `kept once it found few (kept ${inert.kept}, cidr found ${inert.families.get("cidr")?.findings?.length})`,
  );
  type("pods: 10.0.0.0/2", "", 1);
  type('"ring 0 cluster', "w");
});

test("what one family derives and another reads again (a traffic entry's backends) is a read of both: a capacity typed invalid and back", () => {
  const type = typist("rings.topology.yaml", rings(3));
  // r0-c-k's capacity made invalid (no loads, no capacity findings), then valid again: the traffic
  // family reads the backends through a value the rtt family derived first, and must run again
  type("capacityRps: 5000", "-");
  const families = type("capacityRps: 5000", "", 1);
  assert.ok(families && !families.kept.includes("traffic"));
});

/** A keystroke into the text of `a`: `ins` after the first `needle` (deleting `del` characters there), with the text after it. */
function keystrokeAfter(a: FileAnalysis, needle: string, ins: string, del = 0, options: AnalysisOptions = DEFAULT_OPTIONS) {
  const cur = a.parsed.text;
  const i = cur.indexOf(needle);
  assert.ok(i >= 0, needle);
  const at = i + needle.length;
  const next = `${cur.slice(0, at)}${ins}${cur.slice(at + del)}`;
  const got = analyzeChange(a, a.parsed.path, { start: at, end: at + del, text: ins }, next, options);
  assert.equal(view(got), view(analyzeFile(a.parsed.path, next, options)), `${needle} + ${ins}`);
  return got;
}

test("the first keystroke into an item keeps the families that read none of the changed fields of its list, with the open's list record", () => {
  for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, deferFigures: true }] as AnalysisOptions[]) {
    const open = () => analyzeFile("rings.topology.yaml", rings(3), options);
    // without a record, the first keystroke into an item runs every family
    const bare = keystrokeAfter(open(), "pods: 10.1.16.0/2", "1", 0, options);
    assert.deepEqual(bare.families?.kept, []);
    // with the open's list record: a CIDR re-runs the families that read a cluster's network, not the others
    const a = open();
    assert.equal(recordFamilies(a), true);
    const cidr = keystrokeAfter(a, "pods: 10.1.16.0/2", "1", 0, options);
    const ran = [...cidr.families!.families.keys()].filter((f) => !cidr.families!.kept.includes(f));
    assert.ok(ran.includes("cidr"), `cidr runs (ran: ${ran})`);
    for (const f of ["rtt", "quorum", "ref", "traffic"]) assert.ok(cidr.families!.kept.includes(f), `${f} is kept (ran: ${ran})`);
    // a description: every family kept; an RTT: rtt runs, cidr is kept
    const b = open();
    recordFamilies(b);
    const inert = keystrokeAfter(b, '"ring 1 cluster', "x", 0, options);
    assert.deepEqual(inert.families!.kept, [...inert.families!.families.keys()], "a description is read by no family");
    const c = open();
    recordFamilies(c);
    const rtt = keystrokeAfter(c, "rttMs: 13", "1", 0, options);
    assert.ok(!rtt.families!.kept.includes("rtt") && rtt.families!.kept.includes("cidr"), `kept: ${rtt.families!.kept}`);
  }
});

test("a family that read a field of ANY item of the list runs again at the first keystroke into another item's", () => {
  const name = "payments.topology.yaml";
  const text = readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8");
  // the quorum family reads the site of the cluster that runs an etcd (fra-prod), not of the one
  // that does not (lon-prod): lon-prod's own record would keep it when lon-prod's site changes (an
  // empty keystroke records it)
  const needle = "  - name: lon-prod\n    site: lon";
  const at = text.indexOf(needle) + needle.length;
  const alone = analyzeChange(analyzeFile(name, text), name, { start: at, end: at, text: "" }, text, DEFAULT_OPTIONS).families;
  assert.equal(alone?.key, "clusters");
  assert.ok(!alone.families.get("quorum")?.reads.has("site"), "the quorum family read no site of lon-prod");
  assert.ok(alone.families.get("quorum")?.reads.size, "but it read lon-prod");
  // the list's record holds what it read of every cluster: lon-prod's site typed into re-runs it
  const a = analyzeFile(name, text);
  recordFamilies(a);
  const renamed = keystrokeAfter(a, needle, "x");
  assert.equal(renamed.families?.key, "clusters");
  assert.ok(!renamed.families.kept.includes("quorum"), `quorum runs again (kept: ${renamed.families.kept})`);
  assert.ok(renamed.families.kept.length > 0, "the families that read no cluster's site are kept");
});

test("a list record is used only by the analysis it was taken on, and by the edits that kept its families", () => {
  const a = analyzeFile("rings.topology.yaml", rings(3));
  recordFamilies(a);
  // after a CIDR: the cidr family ran again, its reads of other items unrecorded; the first
  // keystroke into another cluster's description runs it, keeps the others
  const cidr = keystrokeAfter(a, "pods: 10.1.16.0/2", "1");
  assert.ok(!cidr.families!.kept.includes("cidr"));
  const other = keystrokeAfter(cidr, '"ring 2 cluster', "x");
  assert.notEqual(other.families!.index, cidr.families!.index);
  assert.ok(!other.families!.kept.includes("cidr"), `cidr is not carried (kept: ${other.families!.kept})`);
  assert.ok(other.families!.kept.includes("rtt"), `rtt is (kept: ${other.families!.kept})`);
  // an analysis from scratch of the same text has no record: its first keystroke into an item keeps nothing
  const fresh = analyzeFile("rings.topology.yaml", other.parsed.text);
  assert.deepEqual(keystrokeAfter(fresh, '"ring 0 cluster', "x").families?.kept, []);
  // nor does a rehearsal use one
  const b = analyzeFile("rings.topology.yaml", rings(3));
  recordFamilies(b);
  assert.equal(rehearseKeystroke(b), true);
});

test("edits in other lists taken back: the text the record was taken on again has it in full, the families they re-ran included", () => {
  for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, deferFigures: true }] as AnalysisOptions[]) {
    const a = analyzeFile("rings.topology.yaml", rings(3), options);
    recordFamilies(a);
    // a CIDR typed and taken back (cidr ran twice), an RTT typed and taken back (rtt ran), a site renamed and back (every family ran)
    let cur = keystrokeAfter(a, "pods: 10.1.16.0/2", "1", 0, options);
    cur = keystrokeAfter(cur, "pods: 10.1.16.0/2", "", 1, options);
    cur = keystrokeAfter(cur, "rttMs: 13", "1", 0, options);
    cur = keystrokeAfter(cur, "rttMs: 13", "", 1, options);
    cur = keystrokeAfter(cur, "name: r1-b", "x", 0, options);
    assert.deepEqual(cur.families?.kept, [], "a rename runs every family");
    cur = keystrokeAfter(cur, "name: r1-b", "", 1, options);
    assert.equal(cur.parsed.text, a.parsed.text);
    // the first keystroke into a store's member count: the families that read no store's members are kept, cidr and
    // rtt's neighbours included; the ones that read them run
    const members = keystrokeAfter(cur, "members: { r1-a: 2, r1-b: ", "3", 1, options);
    assert.equal(members.families?.key, "stores");
    const kept = members.families!.kept;
    assert.ok(kept.includes("cidr"), `cidr is kept (kept: ${kept})`);
    assert.ok(!kept.includes("quorum"), `quorum runs (kept: ${kept})`);
    // the same keystroke with a CIDR left changed (r1-a's, which overlapped r1-c's): the record no longer holds for
    // cidr, which runs
    const b = analyzeFile("rings.topology.yaml", rings(3), options);
    recordFamilies(b);
    let left = keystrokeAfter(b, "pods: 10.1.0.0/2", "1", 0, options);
    left = keystrokeAfter(left, "members: { r1-a: 2, r1-b: ", "3", 1, options);
    assert.ok(!left.families!.kept.includes("cidr"), `cidr runs (kept: ${left.families!.kept})`);
  }
});

test("random edits in several places, each taken back or not, then a first keystroke: equal a from-scratch analysis", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const texts: [string, string][] = [
    ["rings.topology.yaml", rings(4)],
    ["payments.topology.yaml", readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8")],
    ...Object.entries(FIXABLE),
  ];
  let kept = 0;
  let back = 0;
  for (const [name, text] of texts) {
    for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, deferFigures: true }] as AnalysisOptions[]) {
      const values = [...text.matchAll(/: [^\s,\]}]+/g)];
      for (let k = 0; k < 4; k++) {
        const a = analyzeFile(name, text, options);
        recordFamilies(a);
        let cur = a;
        for (let n = 0; n < 4; n++) {
          const t = cur.parsed.text;
          const at =
            r() < 0.7 && values.length
              ? Math.min(t.length, ((m) => (m.index ?? 0) + m[0].length)(values[Math.floor(r() * values.length)]))
              : Math.floor(r() * t.length);
          const del = r() < 0.25 && at < t.length ? 1 : 0;
          const ins = r() < 0.8 || del === 0 ? TYPING[Math.floor(r() * TYPING.length)] : "";
          // each edit typed, then half the time taken back (the text before it again)
          const steps = [{ start: at, end: at + del, text: ins }];
          if (r() < 0.5) steps.push({ start: at, end: at + ins.length, text: t.slice(at, at + del) });
          for (const change of steps) {
            const before = cur.parsed.text;
            const next = before.slice(0, change.start) + change.text + before.slice(change.end);
            const got = analyzeChange(cur, name, change, next, options);
            assert.equal(view(got), view(analyzeFile(name, next, options)), `seed ${seed}, ${name}, ${k}/${n}: ${JSON.stringify(change)}`);
            kept += got.families?.kept.length ?? 0;
            if (next === text) back++;
            cur = got;
          }
        }
      }
    }
  }
  assert.ok(kept > 0 && back > 0, `families kept ${kept} times, the open's text again ${back} times (seed ${seed})`);
});

test("random keystrokes, each the first into its item after an open with a list record, equal a from-scratch analysis", () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const texts: [string, string][] = [
    ["rings.topology.yaml", rings(4)],
    ["payments.topology.yaml", readFileSync(join(ROOT, "examples", "payments-eu.topology.yaml"), "utf8")],
    ...Object.entries(FIXABLE),
  ];
  let kept = 0;
  for (const [name, text] of texts) {
    for (const options of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, deferFigures: true }] as AnalysisOptions[]) {
      const values = [...text.matchAll(/: [^\s,\]}]+/g)];
      for (let k = 0; k < 12; k++) {
        const a = analyzeFile(name, text, options);
        recordFamilies(a);
        // then a few keystrokes, each into another place of the file (the carried record, then the item's own)
        let cur = a;
        for (let n = 0; n < 3; n++) {
          const t = cur.parsed.text;
          const at =
            r() < 0.7 && values.length
              ? Math.min(t.length, ((m) => (m.index ?? 0) + m[0].length)(values[Math.floor(r() * values.length)]))
              : Math.floor(r() * t.length);
          const del = r() < 0.25 && at < t.length ? 1 : 0;
          const ins = r() < 0.8 || del === 0 ? TYPING[Math.floor(r() * TYPING.length)] : "";
          const next = t.slice(0, at) + ins + t.slice(at + del);
          const got = analyzeChange(cur, name, { start: at, end: at + del, text: ins }, next, options);
          assert.equal(
            view(got),
            view(analyzeFile(name, next, options)),
            `seed ${seed}, ${name}, ${k}/${n}: ${at} +${JSON.stringify(ins)} -${del}`,
          );
          kept += got.families?.kept.length ?? 0;
          cur = got;
        }
      }
    }
  }
  assert.ok(kept > 0, `families kept ${kept} times (seed ${seed})`);
});
