import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./testing/run-cli.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-current-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The current contract's commands, up to the point where they would call the API: usage checks on
// the embedded emulator, and the retired commands on Adobe's host (nothing is sent).
// TODO(#14): the end-to-end tests of remove-background, mask-objects, fill and the quickstart on the
// current contract need the emulator's current-contract routes (issue-14b); they are on branch
// issue-14a at d2d292b and return with those routes.
describe.concurrent("the current contract's commands (nothing sent)", () => {
  it("refuses a bad mode, colour or decontamination before anything runs (exit 2)", async () => {
    const results = await Promise.all([
      runCli(["remove-background", SAMPLE, "--mode", "outline"]),
      runCli(["remove-background", SAMPLE, "--background", "#fff"]),
      runCli(["remove-background", SAMPLE, "--background", "300,0,0"]),
      runCli(["remove-background", SAMPLE, "--color-decontamination", "2"]),
      runCli(["fill", SAMPLE]),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    expect(results[4]?.stderr).toMatch(/^error: missing --mask/m);
  });
});

describe.concurrent("Adobe's host (credentials set, nothing sent)", () => {
  const adobe = { PHOTOSHOP_CLIENT_ID: "some-client", PHOTOSHOP_CLIENT_SECRET: "some-secret" };
  const url = "https://bucket.s3.amazonaws.com/cat.png?X-Amz-Signature=secret";

  it("mask says in one line that /sensei/mask was retired and which command replaces it, and sends nothing", async () => {
    const result = await runCli(["mask", url, "--output-url", "https://bucket.s3.amazonaws.com/out.png"], {
      env: adobe,
    });
    const lines = result.stderr.split("\n");
    expect(lines[0]).toBe("target: Adobe Photoshop API (https://image.adobe.io)");
    expect(lines[1]).toBe(
      "psapi mask calls POST /sensei/mask, which Adobe retired on 2025-10-15: use psapi remove-background --mode mask",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: nothing was sent: POST \/sensei\/mask is gone from Adobe's API since 2025-10-15$/m,
    );
    expect(result.stderr).not.toContain("secret");
  });

  it("cutout names remove-background as its replacement", async () => {
    const result = await runCli(["cutout", url], { env: adobe });
    expect(result.stderr.split("\n")[1]).toBe(
      "psapi cutout calls POST /sensei/cutout, which Adobe retired on 2025-10-15: use psapi remove-background --mode cutout",
    );
  });

  it("remove-background refuses a local file on the real API, which reads URLs only", async () => {
    const result = await runCli(["remove-background", SAMPLE], { env: adobe });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the Photoshop API cannot read a local file \(coffee\.png\)/m);
  });
});
