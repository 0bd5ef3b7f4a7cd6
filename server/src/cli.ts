import { readBoundedFd } from "./cli/files";
import pkg from "../../package.json";
import { main } from "./cli/main";

// The `quorate` binary: a thin shell around main() so tests can drive main() in-process.

/** Standard output or error cannot be written (a full disk, /dev/full, a closed descriptor): one line, exit 2. */
function cannotWrite(e: NodeJS.ErrnoException): never {
  // `quorate … | head`: once the reader has gone, stop quietly (no EPIPE stack trace)
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  try {
    process.stderr.write(`quorate: cannot write the output: ${e.code ?? e.message}\n`);
  } catch {
    /* stderr is gone too: the exit code still says it */
  }
  process.exit(2);
}
for (const stream of [process.stdout, process.stderr]) stream.on("error", cannotWrite);
/** A write to a file or device is synchronous: its error is thrown here, not emitted. */
function write(stream: NodeJS.WriteStream, s: string): void {
  try {
    stream.write(s);
  } catch (e) {
    cannotWrite(e as NodeJS.ErrnoException);
  }
}
const code = main(
  process.argv.slice(2),
  {
    stdout: (s) => write(process.stdout, s),
    stderr: (s) => write(process.stderr, s),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
    cwd: process.cwd(),
    stdin: (maxBytes) => readBoundedFd(0, maxBytes),
  },
  pkg.version,
);
process.exitCode = code;
