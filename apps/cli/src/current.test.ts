import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { COMMAND_GROUPS } from "./help-groups.js";
import { runCli } from "./testing/run-cli.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-current-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Colour type of a PNG (IHDR byte 25): 0 greyscale, 2 RGB, 6 RGBA. */
const colourType = (png: Uint8Array) => png[25];

// The current contract on the embedded emulator: each test runs its own subprocess.
describe.concurrent("the current contract (embedded emulator)", () => {
  it("remove-background --mode mask writes a greyscale PNG of the photo's size, downloaded from the hosted URL", async () => {
    const cwd = await mkdtemp(join(dir, "mask-"));
    const result = await runCli(["remove-background", SAMPLE, "--mode", "mask", "--json"], { cwd });
    expect(result.stderr).toBe("target: embedded emulator\n");
    expect(result.code).toBe(0);
    const png = await readFile(join(cwd, "out", "coffee-mask.png"));
    expect(pngSize(png)).toEqual({ width: 600, height: 400 });
    expect(colourType(png)).toBe(0);
    const data = JSON.parse(result.stdout) as { job: { statusUrl: string }; output: { bytes: number } };
    expect(data.output.bytes).toBe(png.byteLength);
    expect(data.job.statusUrl).toMatch(/\/v2\/status\/\S+$/);
  });

  it("remove-background cuts out by default: an RGBA PNG at out/<name>-cutout.png", async () => {
    const cwd = await mkdtemp(join(dir, "cutout-"));
    const result = await runCli(["remove-background", SAMPLE], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote out\/coffee-cutout\.png \(PNG 600×400, [\d.]+ KB\)\n$/);
    expect(colourType(await readFile(join(cwd, "out", "coffee-cutout.png")))).toBe(6);
  });

  it("remove-background --background and --trim: an opaque PNG no larger than the photo", async () => {
    const out = join(dir, "white.png");
    const result = await runCli([
      "remove-background",
      SAMPLE,
      "--background",
      "#ffffff",
      "--trim",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    const png = await readFile(out);
    const size = pngSize(png);
    expect(size?.width).toBeLessThanOrEqual(600);
    expect(size?.height).toBeLessThanOrEqual(400);
  });

  it("remove-background --mode psd writes a Photoshop document", async () => {
    const cwd = await mkdtemp(join(dir, "psd-"));
    const result = await runCli(["remove-background", SAMPLE, "--mode", "psd"], { cwd });
    expect(result.code).toBe(0);
    const psd = await readFile(join(cwd, "out", "coffee-psd.psd"));
    expect(psd.subarray(0, 4).toString("latin1")).toBe("8BPS");
  });

  it("mask-objects writes one PNG per region and lists label, score and box", async () => {
    const outDir = join(dir, "regions");
    const result = await runCli(["mask-objects", SAMPLE, "--out-dir", outDir]);
    expect(result.code).toBe(0);
    const files = (await readdir(outDir)).filter((name) => name.endsWith(".png"));
    expect(files.length).toBeGreaterThan(0);
    expect(result.stdout.split("\n")[0]).toMatch(new RegExp(`^${files.length} masks from job \\S+:$`));
    expect(result.stdout).toMatch(/score [\d.]+\) at \d+,\d+ \d+×\d+ → /);
    for (const name of files) {
      expect(pngSize(await readFile(join(outDir, name)))).toEqual({ width: 600, height: 400 });
    }
  });

  it("fill fills the area a mask covers and writes an image of the photo's size", async () => {
    const cwd = await mkdtemp(join(dir, "fill-"));
    const masked = await runCli(["remove-background", SAMPLE, "--mode", "mask"], { cwd });
    expect(masked.code).toBe(0);
    const result = await runCli(["fill", SAMPLE, "--mask", join(cwd, "out", "coffee-mask.png")], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote out\/coffee-filled\.png \(PNG 600×400, /);
  });

  it("the quickstart runs remove-background --mode mask by default, and the seed's createMask with --legacy", async () => {
    const cwd = await mkdtemp(join(dir, "quickstart-"));
    const current = await runCli(["quickstart"], { cwd });
    expect(current.code).toBe(0);
    expect(current.stderr).toMatch(
      /\[3\/5\] removeBackground \(mode mask\): job \S+ accepted\n\[4\/5\] job \S+ succeeded/,
    );
    expect(current.stdout).toMatch(/^\[5\/5\] wrote out\/coffee-mask\.png \(PNG 600×400, /);
    const legacy = await runCli(["quickstart", "--legacy", "--out", "out/legacy.png"], { cwd });
    expect(legacy.code).toBe(0);
    expect(legacy.stderr).toMatch(/\[3\/5\] createMask: job \S+ accepted/);
  });

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

  it("manifest --legacy says in one line that documentManifest was retired and names psapi manifest, and sends nothing", async () => {
    const result = await runCli(["manifest", "--legacy", url], { env: adobe });
    const lines = result.stderr.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "target: Adobe Photoshop API (https://image.adobe.io)",
      "psapi manifest --legacy calls POST /pie/psdService/documentManifest, which Adobe retired on 2026-07-31: use psapi manifest (without --legacy)",
      "error: nothing was sent: POST /pie/psdService/documentManifest is gone from Adobe's API since 2026-07-31",
      "hint: use psapi manifest (without --legacy)",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain("secret");
  });

  it.each([
    [
      "https://image.adobe.io/pie/psdService/status/f54e0fcb",
      "GET /pie/psdService/status/{jobId}",
      "2026-07-31",
      "https://photoshop-api.adobe.io/v2/status/<jobId>",
    ],
    [
      "https://image.adobe.io/sensei/status/f54e0fcb",
      "GET /sensei/status/{jobId}",
      "2025-10-15",
      "https://image.adobe.io/v2/status/<jobId>",
    ],
  ])(
    "status %s names psapi status with a /v2/status URL, with --wait too, and sends nothing",
    async (jobUrl, endpoint, day, v2) => {
      // IMS on a closed loopback port: were a token asked for, the run would fail there, not on the internet.
      const env = { ...adobe, PHOTOSHOP_IMS_URL: "http://127.0.0.1:9" };
      for (const args of [
        ["status", jobUrl],
        ["status", jobUrl, "--wait"],
      ]) {
        const result = await runCli(args, { env });
        expect(result.stderr.split("\n").slice(0, 4)).toEqual([
          "target: Adobe Photoshop API (https://image.adobe.io)",
          `psapi status with this URL calls ${endpoint}, which Adobe retired on ${day}: use psapi status ${v2}`,
          `error: nothing was sent: ${endpoint} is gone from Adobe's API since ${day}`,
          `hint: use psapi status ${v2}`,
        ]);
        expect(result.code).toBe(2);
      }
    },
  );

  it("hello, which has no successor, lists the current commands from psapi --help's groups", async () => {
    const result = await runCli(["hello"], { env: adobe });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: nothing was sent: GET \/pie\/psdService\/hello is gone from Adobe's API since 2026-07-31$/m,
    );
    const hint =
      /^hint: it has no successor; psapi token checks the credentials, and the current commands are (.+)$/m.exec(
        result.stderr,
      )?.[1];
    expect(hint?.split(", ")).toEqual(
      COMMAND_GROUPS.filter((group) => group.heading.startsWith("Current contract")).flatMap(
        (group) => group.commands,
      ),
    );
    expect(hint).toContain("composite");
  });

  it("remove-background refuses a local file on the real API, which reads URLs only", async () => {
    const result = await runCli(["remove-background", SAMPLE], { env: adobe });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the Photoshop API cannot read a local file \(coffee\.png\)/m);
  });
});
