#!/usr/bin/env node
// The `psapi` executable: the one place that touches `process`. Everything else takes a context.
import { ExitCode } from "./exit-codes.js";
import { run } from "./run.js";

const interrupt = new AbortController();
// Ctrl-C (SIGINT) and SIGTERM both end the command cleanly: waits stop, `psapi emulator` stops its
// server instead of leaving it orphaned. A second signal while the first is handled means "now".
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    interrupt.abort(new DOMException(`interrupted by ${signal}`, "AbortError"));
  });
}

// A reader that stops early (`psapi --help | head`) closes the pipe: nothing is left to say.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(ExitCode.ok);
  throw error;
});
// Notes and progress are for a reader; once it has gone (`psapi quickstart 2>&1 | head -1`), the
// work goes on without them instead of dying on an unhandled EPIPE with exit code 1.
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

const code = await run(process.argv, {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
  cwd: process.cwd(),
  now: Date.now,
});
// Exit explicitly once the output is flushed: an embedded emulator may still hold timers (token
// expiry, job clean-up) that must not keep a finished command alive.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
