import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { COMMAND_GROUPS } from "./help-groups.js";
import { runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const CURRENT_SPEC = new URL("../../../openapi/photoshop-current.yaml", import.meta.url);
const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };
const STACK_FRAME = /^\s+at /m;

/** An XMP file of Camera Raw settings, as a Lightroom preset holds them. */
const xmp = (attributes: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" ${attributes}/></rdf:RDF></x:xmpmeta>`;

let dir: string;
let emulator: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-edit-"));
  emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 0 } }, { checkSpec: true });
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs psapi against the emulator, which holds each answer against the spec (closing it fails otherwise). */
const onEmulator = (args: readonly string[], options: { cwd?: string } = {}) =>
  runCli([...args, "--base-url", emulator.url], { ...options, env: DEMO });

describe.concurrent("edit, auto-crop, mask-body-parts and refine-mask (served emulator, answers checked against the spec)", () => {
  it("edit writes the edited photo at out/<name>-edited.<type>, the photo's size", async () => {
    const cwd = await mkdtemp(join(dir, "edit-"));
    const look = join(cwd, "warm.xmp");
    await writeFile(look, xmp('crs:IncrementalTemperature="+30"'));
    const result = await onEmulator(
      [
        "edit",
        SAMPLE,
        "--exposure",
        "0.5",
        "--saturation",
        "-40",
        "--preset",
        look,
        "--type",
        "png",
        "--json",
      ],
      { cwd },
    );
    expect(result.code, result.stderr).toBe(0);
    const png = await readFile(join(cwd, "out", "coffee-edited.png"));
    expect(pngSize(png)).toEqual({ width: 600, height: 400 });
    const data = JSON.parse(result.stdout) as {
      job: { statusUrl: string };
      output: { mediaType: string; bytes: number };
    };
    expect(data.output).toMatchObject({ mediaType: "image/png", bytes: png.byteLength });
    expect(data.job.statusUrl).toMatch(/\/v2\/status\/\S+$/);
    const jpeg = await onEmulator(["edit", SAMPLE, "--auto-tone"], { cwd });
    expect(jpeg.stdout).toMatch(/^wrote out\/coffee-edited\.jpg \(image\/jpeg, [\d.]+ KB\)\n$/);
  });

  it("edit refuses what is wrong before anything runs, naming it (exit 2)", async () => {
    const [range, integer, none, preset, balance] = await Promise.all([
      runCli(["edit", SAMPLE, "--exposure", "9"]),
      runCli(["edit", SAMPLE, "--contrast", "10.5"]),
      runCli(["edit", SAMPLE]),
      runCli(["edit", SAMPLE, "--preset", join(dir, "no-such.xmp")]),
      runCli(["edit", SAMPLE, "--white-balance", "Moonlight"]),
    ]);
    for (const result of [range, integer, none, preset, balance]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(range?.stderr).toMatch(
      /^error: option '--exposure <n>' argument '9' is invalid\. expected a number from -5 to 5\.$/m,
    );
    expect(integer?.stderr).toMatch(/--contrast <n>.*expected an integer from -100 to 100/);
    expect(none?.stderr).toMatch(/^error: no edit given$/m);
    expect(preset?.stderr).toMatch(/^error: --preset \S+no-such\.xmp: no such file$/m);
    expect(balance?.stderr).toMatch(/--white-balance/);
  });

  it("edit with an XMP setting the emulator cannot apply fails in one line naming it (exit 1)", async () => {
    const cwd = await mkdtemp(join(dir, "edit-xmp-"));
    const look = join(cwd, "grain.xmp");
    await writeFile(look, xmp('crs:GrainAmount="25"'));
    const result = await onEmulator(["edit", SAMPLE, "--xmp", look], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: job \S+ failed \(emulator_unsupported: .*crs:GrainAmount.*\)$/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("auto-crop writes one crop per --ratio, each of its printed box's size", async () => {
    const cwd = await mkdtemp(join(dir, "crop-"));
    const result = await onEmulator(["auto-crop", SAMPLE, "--ratio", "1:1", "--ratio", "16:9", "--json"], {
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout) as {
      crops: { ratio: string; boundingBox: { width: number; height: number }; path: string }[];
    };
    expect(data.crops.map((crop) => crop.ratio)).toEqual(["1:1", "16:9"]);
    for (const crop of data.crops) {
      const [w, h] = crop.ratio.split(":").map(Number) as [number, number];
      expect(Math.abs(crop.boundingBox.width - (crop.boundingBox.height * w) / h)).toBeLessThanOrEqual(1);
      expect(pngSize(await readFile(crop.path))).toEqual({
        width: crop.boundingBox.width,
        height: crop.boundingBox.height,
      });
    }
    expect((await readdir(join(cwd, "out", "coffee-crops"))).sort()).toEqual(["1-1x1.png", "2-16x9.png"]);
    const text = await onEmulator(["auto-crop", SAMPLE, "--ratio", "4:5", "--zoom", "0.8", "--boxes-only"], {
      cwd,
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1 crop from job \S+:\n4:5 at \d+,\d+ \d+×\d+\n$/);
  });

  it("auto-crop refuses a bad ratio or zoom (exit 2), and a mode the emulator cannot run fails naming it (exit 1)", async () => {
    const [ratio, zoom, zoomCount, mode] = await Promise.all([
      runCli(["auto-crop", SAMPLE, "--ratio", "7:3"]),
      runCli(["auto-crop", SAMPLE, "--zoom", "0.5"]),
      runCli(["auto-crop", SAMPLE, "--ratio", "1:1", "--ratio", "4:5", "--zoom", "0.5"]),
      onEmulator(["auto-crop", SAMPLE, "--mode", "subjectCrop", "--focus", "person"]),
    ]);
    expect(ratio?.code).toBe(2);
    expect(ratio?.stderr).toMatch(/--ratio <w:h>' argument '7:3' is invalid\. expected one of 1:1, 16:9/);
    expect(zoom?.code).toBe(2);
    expect(zoom?.stderr).toMatch(/^error: --zoom needs --ratio$/m);
    expect(zoomCount?.code).toBe(2);
    expect(zoomCount?.stderr).toMatch(/^error: 1 --zoom for 2 --ratio$/m);
    expect(mode?.code).toBe(1);
    expect(mode?.stderr).toMatch(
      /^error: job \S+ failed \(emulator_unsupported: auto-crop mode subjectCrop/m,
    );
  });

  it("mask-body-parts writes one mask per part; refine-mask writes the refined mask or cutout", async () => {
    const cwd = await mkdtemp(join(dir, "parts-"));
    const person = await onEmulator(["remove-background", SAMPLE, "--mode", "mask", "--out", "person.png"], {
      cwd,
    });
    expect(person.code).toBe(0);
    const parts = await onEmulator(["mask-body-parts", SAMPLE, "--mask", "person.png", "--granular"], {
      cwd,
    });
    expect(parts.code, parts.stderr).toBe(0);
    expect(parts.stdout).toMatch(/^\d+ body-part masks from job \S+:\n/);
    expect(parts.stdout).toMatch(
      /Left Arm \(score [\d.]+\) at \d+,\d+ \d+×\d+ → out\/coffee-body-parts\/\d+-left-arm\.png/,
    );
    const files = await readdir(join(cwd, "out", "coffee-body-parts"));
    expect(files.length).toBeGreaterThan(1);
    const refined = await onEmulator(["refine-mask", SAMPLE, "--mask", "person.png"], { cwd });
    expect(refined.code).toBe(0);
    expect(refined.stdout).toMatch(/^wrote out\/coffee-refined-mask\.png \(PNG 600×400, /);
    const cutout = await onEmulator(["refine-mask", SAMPLE, "--mask", "person.png", "--cutout", "--json"], {
      cwd,
    });
    expect(JSON.parse(cutout.stdout)).toMatchObject({ output: { width: 600, height: 400 } });
    const missing = await Promise.all([runCli(["mask-body-parts", SAMPLE]), runCli(["refine-mask", SAMPLE])]);
    for (const result of missing) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: missing --mask/m);
    }
  });

  it("edit sends each flag as its field of Adobe's edits", async () => {
    const flags = [
      ["--exposure", "0.5"],
      ["--contrast", "10"],
      ["--highlights", "-20"],
      ["--shadows", "30"],
      ["--whites", "5"],
      ["--blacks", "-5"],
      ["--saturation", "-10"],
      ["--vibrance", "15"],
      ["--white-balance", "Auto"],
      ["--clarity", "20"],
      ["--dehaze", "10"],
      ["--texture", "5"],
      ["--vignette", "-30"],
      ["--sharpness", "60"],
      ["--sharpen-radius", "1.5"],
      ["--sharpen-detail", "30"],
      ["--sharpen-edge-masking", "10"],
      ["--noise-reduction", "50"],
      ["--color-noise-reduction", "20"],
    ].flat();
    const out = join(dir, "flags.jpg");
    const made = await runCli(
      ["edit", SAMPLE, ...flags, "--auto-tone", "--out", out, "--base-url", emulator.url],
      {
        env: DEMO,
      },
    );
    expect(made.code, made.stderr).toBe(0);
    const journal = await createEmulatorControl({ baseUrl: emulator.url }).journal({ path: "/v2/edit" });
    // Other tests post edits to the same emulator at the same time: this one's is the only one with a vignette.
    const bodies = journal
      .filter((entry) => entry.method === "POST")
      .map(
        (entry) => JSON.parse(entry.request?.body ?? "{}") as { edits?: { effects?: { vignette?: number } } },
      );
    const body = bodies.find((candidate) => candidate.edits?.effects?.vignette === -30);
    expect(body?.edits).toEqual({
      light: { exposure: 0.5, contrast: 10, highlights: -20, shadows: 30, whites: 5, blacks: -5 },
      color: { saturation: -10, vibrance: 15, whiteBalance: "Auto" },
      effects: { clarity: 20, dehaze: 10, texture: 5, vignette: -30 },
      sharpness: 60,
      sharpen: { radius: 1.5, detail: 30, edgeMasking: 10 },
      noiseReduction: { luminance: 50, color: 20 },
      autoTone: true,
    });
  });

  it("status reads edit's and auto-crop's status URLs on a running emulator", async () => {
    for (const args of [
      ["edit", SAMPLE, "--exposure", "1", "--out", join(dir, "status-edit.jpg")],
      ["auto-crop", SAMPLE, "--boxes-only"],
    ]) {
      const made = await runCli([...args, "--base-url", emulator.url, "--json"], { env: DEMO, cwd: dir });
      expect(made.code, made.stderr).toBe(0);
      const { job } = JSON.parse(made.stdout) as { job: { id: string; statusUrl: string } };
      expect(job.statusUrl).toBe(`${emulator.url}/v2/status/${job.id}`);
      const status = await runCli(["status", job.statusUrl, "--wait", "--base-url", emulator.url], {
        env: DEMO,
      });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^job ${job.id}: succeeded\\n`));
    }
  });

  it("status reads a masking job's /v1/status URL (image.adobe.io's family), once and with --wait", async () => {
    const made = await onEmulator(["mask-objects", SAMPLE, "--out-dir", join(dir, "status-masks"), "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const { job } = JSON.parse(made.stdout) as { job: { id: string; statusUrl: string } };
    expect(job.statusUrl).toBe(`${emulator.url}/v1/status/${job.id}`);
    const [once, waited] = await Promise.all([
      onEmulator(["status", job.statusUrl, "--json"]),
      onEmulator(["status", job.statusUrl, "--wait"]),
    ]);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ status: { jobId: job.id, status: "succeeded" } });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toMatch(new RegExp(`^job ${job.id}: succeeded\\n?$`));
    const polls = emulator.requests.filter((line) => line === `GET /v1/status/${job.id}`);
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ["edit", "--exposure", "1"],
    ["auto-crop", "--ratio", "1:1"],
    ["mask-body-parts", "--mask", "person.png"],
    ["refine-mask", "--mask", "person.png"],
  ])("%s without <input>: a usage error (exit 2) in one line", async (...args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("error:"))).toEqual([
      "error: missing <input>: a local file or an https URL",
    ]);
  });
});

/** Each current operation of the spec, and the command that calls it. */
const COMMAND_OF: Record<string, string> = {
  removeBackgroundV2: "remove-background",
  getV2JobStatus: "status",
  maskObjects: "mask-objects",
  maskBodyParts: "mask-body-parts",
  refineMask: "refine-mask",
  fillMaskedAreas: "fill",
  getMaskingJobStatus: "status",
  edit: "edit",
  autoCrop: "auto-crop",
  generateManifest: "manifest",
  createComposite: "composite",
  createArtboard: "artboard",
  executeActions: "actions",
};

describe("psapi --help", () => {
  it("lists a command for every operation of the current contract, the current groups first", async () => {
    const spec = await readFile(CURRENT_SPEC, "utf8");
    const operationIds = [...spec.matchAll(/^ {6}operationId: (\w+)$/gm)].map((match) => match[1] as string);
    expect(operationIds.length).toBeGreaterThan(10);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    const headings = help.stdout.split("\n").filter((line) => /^\S.*:$/.test(line) && line !== "Options:");
    expect(headings[0]).toMatch(/^Current contract/);
    expect(headings[1]).toMatch(/^Current contract/);
    const listed = new Set([...help.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((match) => match[1]));
    for (const operationId of operationIds) {
      const command = COMMAND_OF[operationId];
      expect(command, `no command is known for ${operationId}`).toBeDefined();
      expect(listed.has(command), `psapi --help lists no ${command} (${operationId})`).toBe(true);
      const group = COMMAND_GROUPS.find((candidate) => candidate.commands.includes(command as string));
      if (command !== "status") expect(group?.heading).toMatch(/^Current contract/);
    }
    expect(help.stdout).not.toContain("Other commands:");
  });
});
