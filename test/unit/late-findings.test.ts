// The availability figures' findings (objective/*) are off the keystroke path (issue #22): the
// editor's analysis publishes without them, a run computes them a step at a time and publishes
// again, and a newer edit cancels a stale run. What `quorate check` reports is unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeAlone } from "../../server/src/analysis";
import { QuorateService } from "../../server/src/service/service";
import { HEADER, yaml } from "../helpers";

const uri = "file:///w/t.topology.yaml";
/** 2+2 at 0.999 a site: 0.998001, below an objective of 0.999, and losing either site stops writes (the link is declared never to fail, so the figure is measured: M134) */
const design = (objective: string) =>
  HEADER +
  yaml`
  sites:
    - { name: fra, availability: 0.999 }
    - { name: lon, availability: 0.999 }
  links:
    - { between: [fra, lon], rttMs: 14, availability: 1 }
  stores:
    - name: ledger
      replication: consensus
      members: { fra: 2, lon: 2 }
      objectives: { availability: ${objective}, survive: [site] }
  `;
const codes = (s: QuorateService) => s.diagnostics(uri).map((d) => String(d.code));
const objective = (s: QuorateService) => codes(s).filter((c) => c.startsWith("objective/"));

function service() {
  const s = new QuorateService();
  const published: string[][] = [];
  s.onLateFindings((uris) => published.push(uris));
  return { s, published };
}

test("the keystroke path does not wait for the figures: they arrive in a second publish, equal to what check reports", async () => {
  const { s, published } = service();
  const text = design("0.999");
  s.update(uri, text);
  // at once: the analysis's own findings, not the figures'
  assert.deepEqual(objective(s), []);
  assert.ok(codes(s).length > 0, "the other rules ran");
  const run = s.lateRun(uri);
  assert.ok(run, "no run for the figures");
  assert.deepEqual(published, []);
  await run.done;
  assert.deepEqual(published, [[uri]]);
  assert.deepEqual(objective(s), ["objective/availability", "objective/survive"]);
  assert.equal(s.lateRun(uri), undefined);
  // the same findings as the CLI, which judges everything at once
  const cli = analyzeAlone("t.topology.yaml", text).findings.map((f) => [f.code, f.message]);
  assert.deepEqual(
    s.findings(uri).map((f) => [f.code, f.message]),
    cli,
  );
});

test("a newer version cancels the stale run: one publish, of the newer version's figures", async () => {
  const { s, published } = service();
  s.update(uri, design("0.999"));
  const stale = s.lateRun(uri)!;
  // 0.998001 exactly meets 0.998001: no objective/availability in the newer version
  s.update(uri, design("0.998001"));
  assert.equal(stale.isCancellationRequested, true);
  const fresh = s.lateRun(uri)!;
  assert.notEqual(fresh, stale);
  assert.equal(fresh.isCancellationRequested, false);
  await Promise.all([stale.done, fresh.done]);
  assert.deepEqual(published, [[uri]]);
  assert.deepEqual(objective(s), ["objective/survive"]);
});

test("until the new figures arrive the last ones stay, moved with the edit; an edit on their place drops them", async () => {
  const { s } = service();
  const text = design("0.999");
  s.update(uri, text);
  await s.lateRun(uri)!.done;
  const line = (code: string) => s.diagnostics(uri).find((d) => d.code === code)?.range.start.line;
  const at = line("objective/availability")!;
  assert.ok(at > 0);
  // a comment line above: the stale findings move one line down at once, and the fresh ones agree
  s.update(uri, `# reviewed\n${text}`, true, { start: 0, end: 0, text: "# reviewed\n" });
  assert.equal(line("objective/availability"), at + 1);
  await s.lateRun(uri)!.done;
  assert.equal(line("objective/availability"), at + 1);
  // an edit of the objective itself: its stale finding goes at once (the survive one stays)
  const moved = `# reviewed\n${text}`;
  const start = moved.indexOf("0.999", moved.indexOf("objectives"));
  s.update(uri, `${moved.slice(0, start)}0.99${moved.slice(start + 5)}`, true, { start, end: start + 5, text: "0.99" });
  assert.deepEqual(objective(s), ["objective/survive"]);
  await s.lateRun(uri)!.done;
  // 0.998001 meets 0.99
  assert.deepEqual(objective(s), ["objective/survive"]);
});

test("a design without objectives has no run and no second publish; a closed file's run is cancelled", async () => {
  const { s, published } = service();
  s.update(uri, design("0.999").replace(/\n\s+objectives: [^\n]*/, ""));
  assert.equal(s.lateRun(uri), undefined);
  s.update("file:///w/o.topology.yaml", design("0.999"));
  const run = s.lateRun("file:///w/o.topology.yaml")!;
  s.close("file:///w/o.topology.yaml");
  assert.equal(run.isCancellationRequested, true);
  await run.done;
  assert.deepEqual(published, []);
});

test("the figures are published again only when they changed: an edit that leaves them as they were is published once", async () => {
  const { s, published } = service();
  const text = design("0.999");
  s.update(uri, text);
  await s.lateRun(uri)!.done;
  assert.deepEqual(published, [[uri]]);
  // a comment line above: the held figures, moved one line down, are what the run finds again
  const moved = `# reviewed\n${text}`;
  s.update(uri, moved, true, { start: 0, end: 0, text: "# reviewed\n" });
  await s.lateRun(uri)!.done;
  assert.deepEqual(published, [[uri]], "the same figures published a second time");
  assert.deepEqual(objective(s), ["objective/availability", "objective/survive"]);
  // the objective edited: its finding went with the edit, and the run finds one again (0.998001 < 0.9999)
  const start = moved.indexOf("0.999", moved.indexOf("objectives"));
  s.update(uri, `${moved.slice(0, start)}0.9999${moved.slice(start + 5)}`, true, { start, end: start + 5, text: "0.9999" });
  assert.deepEqual(objective(s), ["objective/survive"]);
  await s.lateRun(uri)!.done;
  assert.deepEqual(published, [[uri], [uri]]);
  assert.deepEqual(objective(s), ["objective/availability", "objective/survive"]);
  assert.match(String(s.diagnostics(uri).find((d) => d.code === "objective/availability")?.message), /objective 99\.99% \(4 nines/);
});
