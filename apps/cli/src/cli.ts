#!/usr/bin/env node
// The `psapi` executable: the one place that touches `process`. Everything else takes a context.
import { ExitCode } from "./exit-codes.js";
import { run } from "./run.js";

const interrupt = new AbortController();
process.on("SIGINT", () => {
  // A second Ctrl-C while the first one is being handled means "now".
  if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
  interrupt.abort(new DOMException("interrupted by Ctrl-C", "AbortError"));
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
