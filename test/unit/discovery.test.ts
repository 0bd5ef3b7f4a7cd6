// The workspace walk, read synchronously (the CLI) and asynchronously (the language server's
// index): one walk, the same files, the same skips; neither waits on a FIFO.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFiles, findFilesAsync, readTextFile } from "../../server/src/discovery";
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
    assert.match(await readTextFile(join(root, "a", "one.topology.yaml")), /name: x/);
    await assert.rejects(readTextFile(join(root, "a", "pipe.topology.yaml")), /not a regular file \(a FIFO\)/);
    await assert.rejects(readTextFile(join(root, "gone.topology.yaml")), /ENOENT/);
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
    // a link to a file inside is read (once, under its own name); a file or folder outside is not
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
      ["d/real.topology.yaml", "in.topology.yaml"],
    );
    assert.ok(sync.every((f) => !f.text.includes("hunter2")));
    assert.deepEqual(a.skipped.sort(), [
      "env.topology.yaml: a symbolic link that leads outside .: not read",
      "env2.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
      "git.topology.yaml: a symbolic link to a hidden, skipped or non-YAML file (.git, node_modules …): not read",
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
      ["via/d/real.topology.yaml", "via/in.topology.yaml"],
    );
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
