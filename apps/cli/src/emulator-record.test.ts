import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSecretPatterns, findSecrets, readCassette } from "@psapi/mock-server/cassette";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatorProgram } from "./testing/emulator-program.js";
import { runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
/** The upstream's own client (an emulator standing in for Adobe), not the demo one. */
const UPSTREAM = { clientId: "upstream-client-31ac", clientSecret: "upstream-secret-d04f7e2b19" };
const CREDENTIALS = {
  PHOTOSHOP_CLIENT_ID: UPSTREAM.clientId,
  PHOTOSHOP_CLIENT_SECRET: UPSTREAM.clientSecret,
};

let dir: string;
let upstream: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-record-"));
  upstream = await serveEmulator({ clients: [UPSTREAM], jobs: { pendingMs: 0, runningMs: 0 } });
});
afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `psapi emulator --record …` in front of the upstream; resolves with the proxy's URL. */
const startRecorder = (cassette: string, secret = UPSTREAM.clientSecret) =>
  startEmulatorProgram(
    ["--record", cassette, "--upstream", upstream.url, "--port", "0", "--secret-env", "UPSTREAM_SECRET"],
    { UPSTREAM_SECRET: secret },
  );

describe("psapi emulator --record", () => {
  it("records psapi remove-background and mask-objects through the proxy; SIGTERM writes a clean cassette", async () => {
    const cassette = join(dir, "session.har");
    const { server, url } = await startRecorder(cassette);
    const removed = await runCli(
      ["remove-background", SAMPLE, "--out", join(dir, "cutout.png"), "--base-url", url],
      {
        env: CREDENTIALS,
      },
    );
    expect(removed.stderr).toContain(`target: ${url}`);
    expect(removed.code).toBe(0);
    const masked = await runCli(
      ["mask-objects", SAMPLE, "--out-dir", join(dir, "masks"), "--base-url", url],
      {
        env: CREDENTIALS,
      },
    );
    expect(masked.code).toBe(0);
    expect((await readdir(join(dir, "masks"))).length).toBeGreaterThan(0);

    // psapi alone gets SIGTERM: it passes it on, and the server writes the cassette before it exits.
    server.child.kill("SIGTERM");
    const result = await server.done;
    expect(result.stdout).toMatch(/wrote .*session\.har \(\d+ exchanges\)/);
    expect(result.code).toBe(0);

    const { har, blobs } = await readCassette(cassette);
    const operations = har.log.entries.map((entry) => entry._psapi.operationId);
    expect(operations).toEqual(
      expect.arrayContaining([
        "getToken",
        "removeBackgroundV2",
        "getV2JobStatus",
        "maskObjects",
        "getMaskingJobStatus",
        "getStorageObject",
      ]),
    );
    expect(har.log.entries.every((entry) => entry.request.url.startsWith(`${upstream.url}/`))).toBe(true);
    expect(har.log.entries.filter((entry) => entry._psapi.job?.t === 0)).toHaveLength(2);
    expect(findSecrets(har, blobs, [UPSTREAM.clientSecret])).toEqual([]);
    expect(findSecretPatterns(har, blobs)).toEqual([]);
    // Nothing the server printed holds the secret or a signature.
    expect(result.stdout + result.stderr).not.toContain(UPSTREAM.clientSecret);
    expect(result.stdout + result.stderr).not.toMatch(/sig=/);
  });

  it("writes nothing and exits non-zero, naming where, when the cassette would hold a secret", async () => {
    const cassette = join(dir, "leaky.har");
    // A "secret" the redaction rules cannot know: it stands in a URL path.
    const { server, url } = await startRecorder(cassette, "leaky-marker-5150");
    await (await fetch(`${url}/v2/status/leaky-marker-5150`)).arrayBuffer();
    server.child.kill("SIGTERM");
    const result = await server.done;
    expect(result.stderr).toContain(`refusing to write ${cassette}`);
    expect(result.stderr).toContain("/log/entries/0/request/url");
    expect(result.stderr).toMatch(/error: the emulator stopped with exit code 1/);
    expect(result.code).not.toBe(0);
    expect(existsSync(cassette)).toBe(false);
    // The value itself is printed nowhere, not even in the exchange's log line.
    expect(result.stdout + result.stderr).not.toContain("leaky-marker-5150");
  });

  it("refuses --record without --upstream, and a non-http upstream, with exit 2 and nothing written", async () => {
    const cassette = join(dir, "never.har");
    const missing = await runCli(["emulator", "--record", cassette, "--port", "0"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--record needs --upstream");
    const ftp = await runCli([
      "emulator",
      "--record",
      cassette,
      "--upstream",
      "ftp://example.com",
      "--port",
      "0",
    ]);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain("--upstream must use https");
    expect(existsSync(cassette)).toBe(false);
  });
});
