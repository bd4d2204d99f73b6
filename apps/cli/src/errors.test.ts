// Errors that say why: the service's own reason, where a URL came from, TLS-to-plain-http told
// apart from a refused connection, and one wording for a network failure across commands.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { freePort } from "@psapi/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };

/**
 * A valid 1-bit greyscale PNG of `width` × `height` black pixels: small on disk (its rows of zeros
 * deflate to almost nothing), so that a 20000 × 20000 image costs the test kilobytes, not gigabytes.
 */
function blackPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc((Math.ceil(width / 8) + 1) * height); // filter byte 0 + zero bits per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let dir: string;
let emulator: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-errors-"));
  emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 0 } });
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent("errors that say why", () => {
  it("a 20000 × 20000 PNG fails with the service's own reason: the image is too large", async () => {
    const huge = join(dir, "huge.png");
    await writeFile(huge, blackPng(20_000, 20_000));
    const result = await runCli(["mask", huge, "--out", join(dir, "huge-mask.png")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: job \S+ failed \(InputValidationError: .+\): the image is 20000 x 20000 px, over the limit of 10000 x 10000 px$/m,
    );
    expect(result.stderr).not.toContain("may not be an image");
  });

  it("a refused connection names its host, says refused, and that the host came from --base-url", async () => {
    const port = await freePort();
    const result = await runCli(["hello", "--base-url", `http://127.0.0.1:${port}`], { env: DEMO });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `error: cannot reach 127.0.0.1:${port}: connection refused: nothing listens on that port (ECONNREFUSED)\n` +
        `hint: 127.0.0.1:${port} comes from --base-url: `,
    );
  });

  it("an unreachable IMS is blamed on PHOTOSHOP_IMS_URL only when that is where it came from", async () => {
    const port = await freePort();
    const fromEnv = await runCli(["token", "--base-url", emulator.url], {
      env: { ...DEMO, PHOTOSHOP_IMS_URL: `http://127.0.0.1:${port}` },
    });
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toContain(`hint: 127.0.0.1:${port} comes from PHOTOSHOP_IMS_URL: `);

    // Only PHOTOSHOP_API_URL set: a local target serves IMS itself, so the IMS host came from there.
    const fromApiUrl = await runCli(["token"], {
      env: { ...DEMO, PHOTOSHOP_API_URL: `http://127.0.0.1:${port}` },
    });
    expect(fromApiUrl.code).toBe(4);
    expect(fromApiUrl.stderr).toContain(`hint: 127.0.0.1:${port} comes from PHOTOSHOP_API_URL`);
    expect(fromApiUrl.stderr).not.toContain("PHOTOSHOP_IMS_URL");
  });

  it("an https URL to a plain-http server is told apart from a refused connection", async () => {
    const https = emulator.url.replace("http:", "https:");
    const result = await runCli(["hello", "--base-url", https], { env: DEMO });
    expect(result.code).toBe(4);
    const host = new URL(emulator.url).host;
    expect(result.stderr).toMatch(
      new RegExp(`^error: cannot reach ${host} over https: it answers in plain http \\(\\S+\\)$`, "m"),
    );
    expect(result.stderr).toContain(`use http://${host}`);
  });

  it("one network failure has one wording in hello, token and mask, with and without --json", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const sample = new URL("../assets/coffee.png", import.meta.url).pathname;
    const runs = await Promise.all(
      [["hello"], ["token"], ["mask", sample, "--out", join(dir, "never.png")]].map((command) =>
        runCli([...command, "--base-url", url, "--json"], { env: DEMO }),
      ),
    );
    const errors = runs.map((run) => (JSON.parse(run.stdout) as { error: unknown }).error);
    expect(new Set(errors.map((error) => JSON.stringify(error))).size).toBe(1);
    expect(errors[0]).toMatchObject({ message: expect.stringMatching(/^cannot reach .*\(ECONNREFUSED\)$/) });
    expect(runs.map((run) => run.code)).toEqual([4, 4, 4]);
  });
});
