import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeAlone } from "../../server/src/analysis";
import { boundFileSource, pemFingerprints } from "../../server/src/deployments";
import { decisionRecord } from "../../server/src/whatif/record";
import { test } from "node:test";
import { createService } from "../../server/src/platform/node";
import { answer, REQUEST_METHODS } from "../../server/src/requests";
import { ParamsError } from "../../server/src/service/params";
import { QuorateService } from "../../server/src/service/service";
import { FIXABLE } from "../fixtures/fixable";

const uri = "file:///w/two.topology.yaml";
function service(): QuorateService {
  const s = new QuorateService();
  s.update(uri, FIXABLE["two-site.topology.yaml"]);
  return s;
}

const refusal = (s: QuorateService, method: string, params: unknown): string => {
  try {
    answer(s, method, params);
  } catch (e) {
    assert.ok(e instanceof ParamsError, `${method}: ${(e as Error).message}`);
    return e.message;
  }
  return assert.fail(`${method} accepted ${JSON.stringify(params)}`);
};

test("the one dispatch point checks every custom request's params before its handler runs", () => {
  const s = service();
  assert.equal(refusal(s, "quorate/compare", { uri, revision: 7 }), "quorate/compare: params.revision must be a string (got 7)");
  assert.equal(
    refusal(s, "quorate/compare", { uri, revision: ["HEAD"] }),
    "quorate/compare: params.revision must be a string (got an array)",
  );
  assert.equal(refusal(s, "quorate/compare", { uri }), "quorate/compare: params.revision is missing");
  assert.equal(refusal(s, "quorate/summary", { uri: 3 }), "quorate/summary: params.uri must be a string (got 3)");
  assert.equal(refusal(s, "quorate/decisionRecord", "file:///x"), 'quorate/decisionRecord: params must be an object (got "file:///x")');
  assert.equal(refusal(s, "quorate/simulate", { uri, scenario: [] }), "quorate/simulate: params.scenario must be an object (got an array)");
  assert.equal(
    refusal(s, "quorate/gameday", { uri, scenario: {}, tool: "litmus", duration: "2m", namespaces: ["a", 1] }),
    "quorate/gameday: params.namespaces[1] must be a string (got 1)",
  );
  // well-formed params reach the handler: a summary of the open file, null for a file never opened
  assert.equal((answer(s, "quorate/summary", { uri }) as { errors: number }).errors > 0, true);
  assert.equal(answer(s, "quorate/summary", { uri: "file:///w/none.topology.yaml" }), null);
});

test("every custom request is answered at the dispatch point, and an unknown method is a programming error", () => {
  const custom = REQUEST_METHODS.filter((m) => m.startsWith("quorate/"));
  assert.deepEqual(custom.sort(), [
    "quorate/compare",
    "quorate/decisionRecord",
    "quorate/diagram",
    "quorate/gameday",
    "quorate/simulate",
    "quorate/summary",
  ]);
  assert.throws(() => answer(service(), "quorate/nothing", {}), /no handler for quorate\/nothing/);
});

test("a git that never answers holds up no other request: hovers are answered while the comparison waits", async () => {
  let asked = 0;
  const hanging = new QuorateService();
  hanging.setRevisions(() => {
    asked++;
    return new Promise<string>(() => {});
  });
  const text = FIXABLE["two-site.topology.yaml"];
  hanging.update(uri, text);
  const pending = answer(hanging, "quorate/compare", { uri, revision: "HEAD" });
  assert.ok(pending instanceof Promise, "the comparison waits on the host");
  assert.equal(asked, 1);
  const at = text.indexOf("members:");
  const pre = text.slice(0, at);
  const position = { line: pre.split("\n").length - 1, character: at - pre.lastIndexOf("\n") - 1 };
  const hover = answer(hanging, "textDocument/hover", { textDocument: { uri }, position }) as { contents: { value: string } };
  assert.match(hover.contents.value, /majority/);
  const settled = await Promise.race([pending.then(() => "answered"), new Promise((r) => setTimeout(() => r("still waiting"), 50))]);
  assert.equal(settled, "still waiting");
});

test("a git that fails becomes the comparison's error message, not a failed request", async () => {
  const failing = new QuorateService();
  failing.setRevisions(() => Promise.reject(new Error("cannot read HEAD:two.topology.yaml: unknown revision")));
  failing.update(uri, FIXABLE["two-site.topology.yaml"]);
  assert.deepEqual(await answer(failing, "quorate/compare", { uri, revision: "HEAD" }), {
    markdown: "",
    regressions: 0,
    error: "cannot read HEAD:two.topology.yaml: unknown revision",
  });
});

test("on Node, git gives up after its timeout and is cancellable, and the thread stays free meanwhile", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quorate-git-"));
  try {
    // a git that never answers (as a repository stuck on a slow disk or a network mount would)
    const git = join(dir, "git");
    writeFileSync(git, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const file = join(dir, "d.topology.yaml");
    writeFileSync(file, "x");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    const fileUri = `file://${file}`;
    const slow = createService(() => [], { git, timeoutMs: 300 }).revisionText(fileUri, "HEAD");
    await assert.rejects(slow!, /^Error: git could not read d\.topology\.yaml at HEAD: git did not answer within 0\.3 s$/);
    clearInterval(timer);
    assert.ok(ticks >= 5, `the event loop ran while git waited (${ticks} ticks in ${Date.now() - started} ms)`);
    let cancel = () => {};
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (l: () => void) => {
        cancel = l;
        return { dispose() {} };
      },
    };
    const cancelled = createService(() => [], { git, timeoutMs: 10_000 }).revisionText(fileUri, "HEAD", token);
    cancel();
    await assert.rejects(cancelled!, /^Error: git could not read d\.topology\.yaml at HEAD: cancelled$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Write Decision Record in the editor is the record `quorate report` writes: the bound deployment files' drift blocks it and is listed, file:line, read only inside the workspace (review M75)", async () => {
  const dir = resolve(__dirname, "..", "..", "..", "examples", "drift");
  const text = readFileSync(join(dir, "edge.topology.yaml"), "utf8");
  const topology = pathToFileURL(join(dir, "edge.topology.yaml")).toString();
  const recordIn = async (roots: string[]) => {
    const s = createService(() => roots);
    s.update(topology, text);
    return (await answer(s, "quorate/decisionRecord", { uri: topology })) as string;
  };
  const md = await recordIn([dir]);
  assert.match(md, /## Status\n\n\*\*Proposed — blocked by 1 error\*\*\./);
  assert.match(
    md,
    /\| error \| drift\/etcd-timers \| deploy\/ams-1-kubeadm\.yaml:11 \| `etcd\.local\.extraArgs\.election-timeout` is 5000 here, but edge\.topology\.yaml:25 gives ams-1 etcd\.electionTimeoutMs 1000 \|/,
  );
  // the CLI's record of the same file (cli/main recordCommand, from the design's folder): the same words
  const { analysis, findings, bound } = analyzeAlone("edge.topology.yaml", text, undefined, {
    source: boundFileSource({ cwd: dir }),
    fingerprints: pemFingerprints,
  });
  assert.equal(
    md,
    decisionRecord({ path: "edge.topology.yaml", analysis, findings, version: md.match(/Written by quorate (\S+) /)![1], bound })!,
  );
  // a binding that climbs out of the workspace folder holding the topology: nothing there is read, as the CLI reads nothing outside its root
  const tmp = mkdtempSync(join(tmpdir(), "quorate-ws-"));
  try {
    mkdirSync(join(tmp, "ws"));
    mkdirSync(join(tmp, "outside"));
    writeFileSync(join(tmp, "outside", "ams-1-kubeadm.yaml"), readFileSync(join(dir, "deploy", "ams-1-kubeadm.yaml")));
    const climbing = text.replace("deployment: [deploy/ams-1-*.yaml]", "deployment: [../outside/ams-1-kubeadm.yaml]");
    assert.notEqual(climbing, text);
    const uri = pathToFileURL(join(tmp, "ws", "edge.topology.yaml")).toString();
    const s = createService(() => [join(tmp, "ws")]);
    s.update(uri, climbing);
    const outside = (await answer(s, "quorate/decisionRecord", { uri })) as string;
    assert.doesNotMatch(outside, /is 5000 here|deploy\/ams-1-kubeadm|outside\/ams-1-kubeadm\.yaml:/);
    assert.deepEqual(s.boundFindings(uri), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
