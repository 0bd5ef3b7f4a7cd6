import assert from "node:assert/strict";
import { test } from "node:test";
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
