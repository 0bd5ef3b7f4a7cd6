// The workspace walk, read synchronously (the CLI) and asynchronously (the language server's
// index): one walk, the same files, the same skips; neither waits on a FIFO.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFiles, findFilesAsync, ReadRun, readWorkspaceFile, type TooLarge } from "../../server/src/discovery";
import { HEADER } from "../helpers";

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "quorate-discovery-"));
  mkdirSync(join(root, "a", "b"), { recursive: true });
  mkdirSync(join(root, "node_modules"));
  writeFileSync(join(root, "a", "one.topology.yaml"), `${HEADER}sites:\n  - name: x\n`);
  writeFileSync(join(root, "a", "b", "two.topology.yaml"), `${HEADER}sites:\n  - name: y\n`);
  writeFileSync(join(root, "a", "notes.yaml"), "just: yaml\n");
  writeFileSync(join(root, "big.topology.yaml"), `${HEADER}sites:\n${"  - name: z\n".repeat(200)}`);
  writeFileSync(join(root, "node_modules", "x.topology.yaml"), HEADER);
  execFileSync("mkfifo", [join(root, "a", "pipe.topology.yaml")]);
  return root;
}

test("the asynchronous walk finds what the synchronous one finds, skipping the same files", async () => {
  const root = tree();
  try {
    const log = () => {
      const skipped: string[] = [];
      return {
        skipped,
        opts: { onError: (p: string) => skipped.push(`error ${p}`), onSkip: (p: string) => skipped.push(p), maxBytes: 1000 },
      };
    };
    const a = log();
    const b = log();
    const sync = findFiles(".", root, a.opts);
    const async = await findFilesAsync(".", root, b.opts);
    assert.deepEqual(
      sync.map((f) => f.path),
      ["a/b/two.topology.yaml", "a/one.topology.yaml"],
    );
    assert.deepEqual(async, sync);
    // the FIFO and the file over the limit are skipped, not read (a FIFO's read would never end)
    assert.deepEqual(a.skipped.sort(), ["a/pipe.topology.yaml", "big.topology.yaml"]);
    assert.deepEqual(b.skipped.sort(), a.skipped.sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a file changed on disk is read asynchronously; a FIFO or a missing file is refused, never waited on", async () => {
  const root = tree();
  try {
    const read = (p: string) => readWorkspaceFile(join(root, p), [root], 1000);
    assert.match(await read("a/one.topology.yaml"), /name: x/);
    await assert.rejects(read("a/pipe.topology.yaml"), /not a regular file \(a FIFO\)/);
    await assert.rejects(read("gone.topology.yaml"), /gone, a folder, or a symbolic link to one or to nothing/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a cloned repository's symbolic links: never walked into, read only when they resolve inside the folder", async () => {
  const top = mkdtempSync(join(tmpdir(), "quorate-links-"));
  const root = join(top, "repo");
  try {
    mkdirSync(join(root, "d"), { recursive: true });
    writeFileSync(join(top, "secret.yaml"), "token: hunter2\n");
    writeFileSync(join(root, "d", "real.topology.yaml"), `${HEADER}sites:\n  - name: x\n`);
    // a link to a file inside is not read: the file is, once, under its own name (audit A20); a file or folder outside is not
    symlinkSync(join(root, "d", "real.topology.yaml"), join(root, "in.topology.yaml"));
    symlinkSync(join(top, "secret.yaml"), join(root, "out.topology.yaml"));
    symlinkSync("/proc/self/environ", join(root, "env.topology.yaml"));
    symlinkSync(top, join(root, "up"));
    symlinkSync(top, join(root, "up.topology.yaml"));
    // two links to `.`: a walk that followed them would visit 2^40 folders
    for (const l of ["l1", "l2", "l3"]) symlinkSync(".", join(root, l));
    symlinkSync("missing", join(root, "dangling.topology.yaml"));
    // links inside the folder to what the walk itself never visits: a checkout's token in
    // .git/config, a hidden file, a node_modules file, a file whose name is not YAML
    mkdirSync(join(root, ".git"));
    writeFileSync(join(root, ".git", "config"), "extraheader = AUTHORIZATION: basic hunter2\n");
    writeFileSync(join(root, ".env.yaml"), "token: hunter2\n");
    mkdirSync(join(root, "node_modules"));
    writeFileSync(join(root, "node_modules", "x.yaml"), "token: hunter2\n");
    writeFileSync(join(root, "notes.txt"), "token: hunter2\n");
    symlinkSync(join(root, ".git", "config"), join(root, "git.topology.yaml"));
    symlinkSync(".env.yaml", join(root, "env2.topology.yaml"));
    symlinkSync(join("node_modules", "x.yaml"), join(root, "nm.topology.yaml"));
    symlinkSync("notes.txt", join(root, "txt.topology.yaml"));
    const run = () => {
      const skipped: string[] = [];
      return {
        skipped,
        opts: { onError: (p: string) => skipped.push(`error ${p}`), onSkip: (p: string, why: string) => skipped.push(`${p}: ${why}`) },
      };
    };
    const a = run();
    const b = run();
    const sync = findFiles(".", root, a.opts);
    assert.deepEqual(
      sync.map((f) => f.path),
      ["d/real.topology.yaml"],
    );
    assert.ok(sync.every((f) => !f.text.includes("hunter2")));
    assert.deepEqual(a.skipped.sort(), [
      "env.topology.yaml: a symbolic link that leads outside .: not read",
      "env2.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
      "git.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
      "in.topology.yaml: a symbolic link to d/real.topology.yaml, which is read under its own name: not read twice",
      "nm.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
      "out.topology.yaml: a symbolic link that leads outside .: not read",
      "txt.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
      "up.topology.yaml: a symbolic link that leads outside .: not read",
    ]);
    assert.deepEqual(await findFilesAsync(".", root, b.opts), sync);
    assert.deepEqual(b.skipped.sort(), a.skipped.sort());
    // the folder named is resolved first: walking it through a link of its own is no escape
    symlinkSync(root, join(top, "via"));
    assert.deepEqual(
      findFiles("via", top, run().opts).map((f) => f.path),
      ["via/d/real.topology.yaml"],
    );
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("one file under hundreds of names is read once, and a run reads no more than its budget in all (audit A20)", async () => {
  const root = mkdtempSync(join(tmpdir(), "quorate-names-"));
  try {
    const text = `${HEADER}sites:\n  - name: x\n${"# padding\n".repeat(100)}`;
    writeFileSync(join(root, "a.topology.yaml"), text);
    // symbolic links and hard links: a cloned repository decides how many names a file has
    for (let i = 0; i < 300; i++) symlinkSync("a.topology.yaml", join(root, `s${String(i).padStart(3, "0")}.topology.yaml`));
    for (let i = 0; i < 3; i++) linkSync(join(root, "a.topology.yaml"), join(root, `h${i}.topology.yaml`));
    const skipped: string[] = [];
    const opts = { onError: (p: string) => skipped.push(`error ${p}`), onSkip: (p: string, why: string) => skipped.push(`${p}: ${why}`) };
    const found = findFiles(".", root, opts);
    assert.deepEqual(
      found.map((f) => f.path),
      ["a.topology.yaml"],
    );
    assert.equal(skipped.length, 303);
    assert.ok(skipped.includes("h0.topology.yaml: the same file as a.topology.yaml (another name for it): read once, as a.topology.yaml"));
    assert.ok(skipped.includes("s299.topology.yaml: a symbolic link to a.topology.yaml, which is read under its own name: not read twice"));
    assert.deepEqual(
      (await findFilesAsync(".", root, { onError: () => undefined })).map((f) => f.path),
      ["a.topology.yaml"],
    );

    // the budget of one run, shared by its folders: files past it are said with their size, never read
    rmSync(root, { recursive: true });
    mkdirSync(join(root, "one"), { recursive: true });
    mkdirSync(join(root, "two"));
    for (const f of ["one/a", "one/b", "two/c"]) writeFileSync(join(root, `${f}.topology.yaml`), text);
    const size = Buffer.byteLength(text);
    const run = new ReadRun(2 * size);
    const over: [string, TooLarge | undefined, string][] = [];
    const budgeted = { onError: () => undefined, onSkip: (p: string, why: string, t?: TooLarge) => over.push([p, t, why]), run };
    const first = findFiles("one", root, budgeted);
    const second = await findFilesAsync("two", root, budgeted);
    assert.deepEqual(
      [...first, ...second].map((f) => f.path),
      ["one/a.topology.yaml", "one/b.topology.yaml"],
    );
    assert.deepEqual(
      over.map(([p, t]) => [p, t]),
      [["two/c.topology.yaml", { size, limit: "run" }]],
    );
    assert.match(over[0][2], /^2 KB, past the 3 KB budget of this run for all files \(3 KB read already\)$/);
    assert.equal(run.used, 2 * size);
    // the same folder again in one run (`quorate check one one`): read already, nothing said
    over.length = 0;
    assert.deepEqual(findFiles("one", root, budgeted), []);
    assert.deepEqual(over, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a file changed on disk is read by the language server only when the workspace walk would read it (audit A19)", async () => {
  const top = mkdtempSync(join(tmpdir(), "quorate-watched-"));
  const root = join(top, "repo");
  try {
    mkdirSync(join(root, "d"), { recursive: true });
    mkdirSync(join(root, ".git"));
    mkdirSync(join(root, "node_modules"));
    writeFileSync(join(top, "secret.yaml"), "token: hunter2\n");
    writeFileSync(join(root, ".git", "config"), "extraheader = AUTHORIZATION: basic hunter2\n");
    writeFileSync(join(root, ".git", "x.topology.yaml"), "token: hunter2\n");
    writeFileSync(join(root, "node_modules", "x.topology.yaml"), "token: hunter2\n");
    writeFileSync(join(root, "d", "real.topology.yaml"), `${HEADER}sites:\n  - name: x\n`);
    writeFileSync(join(root, "big.topology.yaml"), `${HEADER}sites:\n${"  - name: z\n".repeat(200)}`);
    writeFileSync(join(root, ".env.yaml"), "token: hunter2\n");
    symlinkSync(join(top, "secret.yaml"), join(root, "out.topology.yaml"));
    symlinkSync("/proc/self/environ", join(root, "env.topology.yaml"));
    symlinkSync(join(root, ".git", "config"), join(root, "git.topology.yaml"));
    symlinkSync(join("d", "real.topology.yaml"), join(root, "in.topology.yaml"));
    symlinkSync(top, join(root, "up"));
    writeFileSync(join(top, "far.topology.yaml"), "token: hunter2\n");
    const read = (p: string) => readWorkspaceFile(join(root, p), [join(top, "elsewhere"), root], 1000);
    assert.match(await read("d/real.topology.yaml"), /name: x/);
    const refused: [string, RegExp][] = [
      ["out.topology.yaml", /^out\.topology\.yaml: a symbolic link that leads outside the workspace folder: not read$/],
      ["env.topology.yaml", /^env\.topology\.yaml: a symbolic link that leads outside the workspace folder: not read$/],
      ["git.topology.yaml", /^git\.topology\.yaml: a symbolic link to a hidden, skipped or non-YAML file/],
      ["in.topology.yaml", /^in\.topology\.yaml: a symbolic link to d\/real\.topology\.yaml, which is read under its own name/],
      ["up/secret.yaml", /^up\/secret\.yaml: up is a symbolic link: the workspace index never enters a linked folder: not read$/],
      [".git/x.topology.yaml", /^\.git\/x\.topology\.yaml: inside \.git, a folder the workspace index skips/],
      ["node_modules/x.topology.yaml", /^node_modules\/x\.topology\.yaml: inside node_modules, a folder the workspace index skips/],
      [".env.yaml", /^\.env\.yaml: a hidden or non-YAML name: not read$/],
      ["big.topology.yaml", /^big\.topology\.yaml: 3 KB, over the 1 KB limit for one file$/],
      ["../far.topology.yaml", /far\.topology\.yaml: outside every workspace folder: not read$/],
    ];
    for (const [p, message] of refused) await assert.rejects(read(p), (e: Error) => e.name === "NotRead" && message.test(e.message), p);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
