import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createService } from "../../server/src/platform/node";
import { answer, NO_GIT_ON_THE_WEB } from "../../server/src/requests";
import { QuorateService } from "../../server/src/service/service";
import { FIXABLE } from "../fixtures/fixable";

// Compare with Git HEAD when there is nothing to compare with: each way git fails becomes what
// happened and what to do, never git's raw "fatal: …" line.
const TEXT = FIXABLE["two-site.topology.yaml"];
let dir: string;
const hasGit = spawnSync("git", ["--version"]).status === 0;
const git = (...args: string[]) =>
  spawnSync("git", ["-c", "user.email=t@quorate.invalid", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });

before(() => {
  dir = mkdtempSync(join(tmpdir(), "quorate-cmp-"));
  writeFileSync(join(dir, "design.topology.yaml"), TEXT);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The comparison as the client gets it (git runs asynchronously: the request answers when it is done). */
async function compare(service: QuorateService = createService()): Promise<{ error?: string; markdown: string }> {
  const uri = pathToFileURL(join(dir, "design.topology.yaml")).href;
  service.update(uri, TEXT);
  return (await answer(service, "quorate/compare", { uri, revision: "HEAD" })) as { error?: string; markdown: string };
}

test("compare: each git failure says what to do; a committed file compares", { skip: !hasGit && "git is not installed" }, async () => {
  // (tmpdir is outside any repository; GIT_CEILING_DIRECTORIES keeps a parent repository out of it)
  process.env.GIT_CEILING_DIRECTORIES = tmpdir();
  try {
    let r = await compare();
    assert.match(
      r.error ?? "",
      /is not in a git repository, so there is no HEAD to compare with\. Make it one and commit the file \(git init/,
    );
    git("init", "-q");
    r = await compare();
    assert.match(
      r.error ?? "",
      /^The repository has no commit HEAD yet\. Commit design\.topology\.yaml once \(git add design\.topology\.yaml/,
    );
    writeFileSync(join(dir, "other.yaml"), "a: 1\n");
    git("add", "other.yaml");
    git("commit", "-qm", "other");
    r = await compare();
    assert.match(r.error ?? "", /^design\.topology\.yaml is not in HEAD yet \(never committed\)\. Commit it once/);
    git("add", "design.topology.yaml");
    git("commit", "-qm", "design");
    r = await compare();
    assert.equal(r.error, undefined);
    assert.match(r.markdown, /HEAD:design\.topology\.yaml/);
  } finally {
    delete process.env.GIT_CEILING_DIRECTORIES;
  }
});

test("compare on the web (a service with no revision reader): the message says git is not there and what to do instead", async () => {
  const r = await compare(new QuorateService());
  assert.equal(r.error, NO_GIT_ON_THE_WEB);
  assert.match(r.error ?? "", /Open the folder in VS Code on the desktop, or run quorate diff HEAD:FILE FILE/);
});
