// A command must end on its own: within --timeout against a server that never answers, at once on
// a path it cannot create, and on the first Ctrl-C or SIGTERM. These run the built CLI against a
// silent TCP server on 127.0.0.1.
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodePage } from "./docs-url.js";
import { runCli, startCli } from "./testing/run-cli.js";
import { type SilentServer, startSilentServer } from "./testing/silent-server.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };

/**
 * A generous bound, not a measurement: with `--timeout 5` a command ends about 5 s after it starts
 * (plus Node's start-up, which a loaded 2-core CI machine can stretch to several seconds). Without
 * a total deadline the same commands took 93 s (hello: three 30 s IMS attempts) and 301 s (mask), so
 * 30 s tells a working deadline from a missing one with a wide margin either way.
 */
const ENDS_WELL_BEFORE_MS = 30_000;

let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

async function timed(args: string[], env: Record<string, string> = DEMO) {
  const startedAt = performance.now();
  const result = await runCli(args, { env });
  return { ...result, ms: performance.now() - startedAt };
}

describe.concurrent("against a server that accepts and never answers", () => {
  for (const command of [["hello"], ["token"], ["mask", SAMPLE, "--out", "/tmp/psapi-never.png"]]) {
    it(`${command[0]} --timeout 5 ends with exit 4 and one line naming the silent host`, async () => {
      // 5 s, not 1: the deadline starts when the command does, and on a loaded machine loading the
      // client can take a second or more before the first request is even sent.
      const result = await timed([...command, "--timeout", "5", "--base-url", silent.url]);
      expect(result.code).toBe(4);
      const host = new URL(silent.url).host;
      expect(result.stderr).toBe(
        `target: ${silent.url}\n` +
          `error: no answer from ${host} within 5 s (--timeout)\n` +
          `hint: check that ${host} is the right address and that its server answers, or raise --timeout\n` +
          `docs: ${exitCodePage(4)}\n`,
      );
      expect(result.ms).toBeLessThan(ENDS_WELL_BEFORE_MS);
    });
  }

  it("--json reports the same failure as one JSON document", async () => {
    const result = await timed(["hello", "--timeout", "5", "--base-url", silent.url, "--json"]);
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: expect.objectContaining({
        message: `no answer from ${new URL(silent.url).host} within 5 s (--timeout)`,
        exitCode: 4,
      }),
    });
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`the first ${signal} ends a command that waits for the server (exit 130)`, async () => {
      const run = startCli(["hello", "--timeout", "600", "--base-url", silent.url], { env: DEMO });
      // The target line is printed just before the first request, long after the handlers are set.
      await new Promise<void>((resolve) =>
        run.child.stderr?.on("data", () => {
          if (run.stderr().includes("target:")) resolve();
        }),
      );
      run.child.kill(signal);
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/^error: interrupted$/m);
    });
  }
});

describe.concurrent("--out that cannot be created", () => {
  for (const out of ["/proc/nope/x.png", "/etc/hostname/x.png"]) {
    it(`${out} is refused with exit 2 before any work starts`, async () => {
      // No credentials: the embedded emulator, which would write the mask to --out.
      const result = await timed(["mask", SAMPLE, "--out", out], {});
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error: cannot write to --out ${out}`);
      // Before the fix, /proc/nope spun at 100 % CPU for more than ten minutes.
      expect(result.ms).toBeLessThan(ENDS_WELL_BEFORE_MS);
    });
  }
});
