import pkg from "../../package.json";
import { main } from "./cli/main";

// The `quorate` binary: a thin shell around main() so tests can drive main() in-process.

// `quorate … | head`: once the reader has gone, stop quietly (no EPIPE stack trace)
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const code = main(
  process.argv.slice(2),
  {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
    cwd: process.cwd(),
  },
  pkg.version,
);
process.exitCode = code;
