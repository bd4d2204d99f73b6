// `psapi remove-background` and `psapi mask-objects`, recorded through `psapi emulator --record` in front
// of an emulator with its own client id and secret (standing in for Adobe), then run again with
// the upstream gone against an emulator serving the cassette (`psapi emulator --replay`): the same
// commands succeed with the same outputs. The CLI puts a fresh UUID in its storage keys on every
// run, so this also holds replay's UUID canonicalisation to a real client.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatorProgram } from "./testing/emulator-program.js";
import { runCli } from "./testing/run-cli.js";
import { serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const UPSTREAM = { clientId: "cli-replay-upstream", clientSecret: "cli-replay-upstream-s3cret" } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-replay-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs both commands against `baseUrl` with the given credentials, writing under `out`. */
async function commands(
  baseUrl: string,
  out: string,
  credentials: { clientId: string; clientSecret: string },
) {
  const env = {
    PHOTOSHOP_CLIENT_ID: credentials.clientId,
    PHOTOSHOP_CLIENT_SECRET: credentials.clientSecret,
  };
  const cutout = join(out, "cutout.png");
  const masks = join(out, "masks");
  const removeBackground = await runCli(
    ["remove-background", SAMPLE, "--base-url", baseUrl, "--out", cutout],
    {
      env,
      cwd: dir,
    },
  );
  expect(removeBackground.stderr).not.toMatch(/error/i);
  expect(removeBackground.code).toBe(0);
  const maskObjects = await runCli(["mask-objects", SAMPLE, "--base-url", baseUrl, "--out-dir", masks], {
    env,
    cwd: dir,
  });
  expect(maskObjects.stderr).not.toMatch(/error/i);
  expect(maskObjects.code).toBe(0);
  const files: Record<string, Buffer> = { cutout: await readFile(cutout) };
  for (const name of (await readdir(masks)).sort())
    files[`masks/${name}`] = await readFile(join(masks, name));
  return files;
}

describe("psapi emulator --replay with the CLI", () => {
  it("replays psapi remove-background and mask-objects, recorded through psapi emulator --record, offline to the same outputs", async () => {
    const cassette = join(dir, "cli.har");
    const upstream = await serveEmulator({ clients: [UPSTREAM], jobs: { pendingMs: 0, runningMs: 0 } });
    let recorded: Record<string, Buffer>;
    try {
      // The recording proxy as a user starts it, in front of the upstream.
      const recorder = await startEmulatorProgram(
        ["--record", cassette, "--upstream", upstream.url, "--port", "0", "--secret-env", "UPSTREAM_SECRET"],
        { UPSTREAM_SECRET: UPSTREAM.clientSecret },
      );
      try {
        recorded = await commands(recorder.url, join(dir, "recorded"), UPSTREAM);
      } finally {
        recorder.server.child.kill("SIGTERM");
      }
      expect((await recorder.server.done).code).toBe(0);
    } finally {
      await upstream.close();
    }
    expect(Object.keys(recorded).length).toBeGreaterThan(1);

    // The upstream is gone; the cassette is served by the program, as a user starts it.
    const { server, url } = await startEmulatorProgram(["--replay", cassette, "--port", "0"]);
    try {
      // Other credentials: the cassette holds none, and its token calls answer any client.
      const replayed = await commands(url, join(dir, "replayed"), {
        clientId: "someone-else",
        clientSecret: "not-the-upstream-secret",
      });
      expect(replayed).toEqual(recorded);
    } finally {
      process.kill(-(server.child.pid ?? 0), "SIGINT");
    }
    const stopped = await server.done;
    expect(stopped.stdout).toContain(`replaying      ${cassette}`);
    expect(stopped.code).toBe(0);
  });

  it("refuses a missing or invalid cassette with the place and the problem, exit 2", async () => {
    const missing = join(dir, "missing.har");
    const result = await runCli(["emulator", "--replay", missing, "--port", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `psapi emulator: --replay ${missing}: not a psapi cassette: (root) cannot be read (ENOENT)`,
    );
    expect(result.stdout).toBe("");
  });
});
