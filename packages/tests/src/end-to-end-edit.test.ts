// edit and auto-crop end to end through the client, on the emulator in process and on a port.
// Every adjustment of the emulator's /v2/edit table runs on both transports, one 96 × 64 job each
// (about 8 s of CPU for the file), and the last edit test of each transport fails if a row of the
// table went unapplied.
import { autoCropResult, type EditRequest, jobOutputs, type V2JobStatus } from "@psapi/client";
import {
  PICTURE_HEIGHT,
  PICTURE_WIDTH,
  picture,
  pictureToPng,
  ramp,
  type Stats,
  stats,
  statsOf,
} from "@psapi/mock-server/testing";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { downloadHosted } from "./harness/current.js";
import { adjustmentRows } from "./harness/emulator-readme.js";
import { type Transport, useEnvironment } from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

/** Mean luma and mean chroma (max − min channel) of an image. */
async function tone(
  bytes: Uint8Array,
): Promise<{ luma: number; chroma: number; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let luma = 0;
  let chroma = 0;
  const n = info.width * info.height;
  for (let p = 0; p < n; p++) {
    const [r = 0, g = 0, b = 0] = data.subarray(p * info.channels, p * info.channels + 3);
    luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return { luma: luma / n, chroma: chroma / n, width: info.width, height: info.height };
}

/** A product shot: a dark red box on light grey, at a known place. */
const PRODUCT = { x: 150, y: 60, width: 80, height: 120 };
const productJpeg = () =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="240"><rect width="100%" height="100%" fill="#ececec"/><rect x="${PRODUCT.x}" y="${PRODUCT.y}" width="${PRODUCT.width}" height="${PRODUCT.height}" fill="#9a1a1a"/></svg>`,
    ),
  )
    .jpeg({ quality: 95 })
    .toBuffer();

/** An XMP file of Camera Raw settings, as Lightroom writes a preset. */
const xmpWith = (attributes: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:Version="15.0" ${attributes}/></rdf:RDF></x:xmpmeta>`;

/**
 * One job per adjustment of the emulator's /v2/edit table (ADJUSTMENTS, listed in its README),
 * each checked in its direction with the measures and bounds of the emulator's unit tests
 * (apps/mock-server/src/current/edit.test.ts), on the same pictures: `picture` (a noisy photo-like
 * gradient), `ramp` (every grey, for the tone-range sliders) or `flat` (the picture squeezed into
 * 100-150). Temperature and tint have no field in Adobe's v2 request, so they come from an XMP look.
 */
const ADJUSTMENT_CASES: {
  name: string;
  edits: NonNullable<EditRequest["edits"]>;
  xmp?: string;
  input?: "picture" | "ramp" | "flat";
  check(before: Stats, after: Stats): void;
}[] = [
  {
    name: "white balance Auto pulls the channel means together",
    edits: { color: { whiteBalance: "Auto" } },
    check(before, after) {
      const spread = (s: Stats) => Math.max(s.red, s.green, s.blue) - Math.min(s.red, s.green, s.blue);
      expect(spread(before)).toBeGreaterThan(5);
      expect(spread(after)).toBeLessThan(spread(before) / 3);
    },
  },
  {
    name: "temperature +60 (an XMP look) warms: more red, less blue",
    edits: {},
    xmp: xmpWith('crs:IncrementalTemperature="+60"'),
    check(before, after) {
      expect(after.red).toBeGreaterThan(before.red * 1.05);
      expect(after.blue).toBeLessThan(before.blue * 0.95);
    },
  },
  {
    name: "auto tone stretches a flat picture to black and white",
    edits: { autoTone: true },
    input: "flat",
    check(before, after) {
      expect(before.max - before.min).toBeLessThan(60);
      expect([after.min < 10, after.max > 245]).toEqual([true, true]);
      expect(after.stdev / before.stdev).toBeGreaterThan(3);
    },
  },
  {
    name: "exposure +1 brightens by a linear-light gain of 2",
    edits: { light: { exposure: 1 } },
    check(before, after) {
      expect(after.luma / before.luma).toBeGreaterThan(1.25);
      expect(after.luma / before.luma).toBeLessThan(1.45);
    },
  },
  {
    name: "contrast +50 spreads the tones",
    edits: { light: { contrast: 50 } },
    check(before, after) {
      expect(after.stdev / before.stdev).toBeGreaterThan(1.35);
      expect(after.stdev / before.stdev).toBeLessThan(1.6);
    },
  },
  {
    name: "highlights −100 pulls the bright tones down, the dark ones stay",
    edits: { light: { highlights: -100 } },
    input: "ramp",
    check(before, after) {
      expect(after.max).toBeLessThan(before.max - 40);
      expect(after.min).toBeCloseTo(before.min, 0);
    },
  },
  {
    name: "shadows +100 lifts the dark tones, the bright ones stay",
    edits: { light: { shadows: 100 } },
    input: "ramp",
    check(before, after) {
      expect(after.min).toBeGreaterThan(before.min + 40);
      expect(after.max).toBeCloseTo(before.max, 0);
    },
  },
  {
    name: "whites +100 lifts the brightest tones",
    edits: { light: { whites: 100 } },
    input: "ramp",
    check(before, after) {
      expect(after.max).toBeGreaterThan(before.max + 5);
      expect(after.min).toBeCloseTo(before.min, 0);
    },
  },
  {
    name: "blacks −100 deepens the darkest tones",
    edits: { light: { blacks: -100 } },
    input: "ramp",
    check(before, after) {
      expect(after.min).toBeLessThan(before.min - 5);
      expect(after.max).toBeCloseTo(before.max, 0);
    },
  },
  {
    name: "clarity +100 raises midtone local contrast",
    edits: { effects: { clarity: 100 } },
    check(before, after) {
      expect(after.laplacian).toBeGreaterThan(before.laplacian * 1.05);
    },
  },
  {
    name: "texture +100 raises fine local contrast",
    edits: { effects: { texture: 100 } },
    check(before, after) {
      expect(after.laplacian).toBeGreaterThan(before.laplacian * 1.2);
    },
  },
  {
    name: "dehaze +100 deepens the picture",
    edits: { effects: { dehaze: 100 } },
    check(before, after) {
      expect(after.min).toBeLessThan(before.min);
      expect(after.stdev).toBeGreaterThan(before.stdev);
    },
  },
  {
    name: "vibrance +100 adds colour",
    edits: { color: { vibrance: 100 } },
    check(before, after) {
      expect(after.chroma).toBeGreaterThan(before.chroma * 1.3);
    },
  },
  {
    name: "saturation −100 is grey",
    edits: { color: { saturation: -100 } },
    check(before, after) {
      expect(before.chroma).toBeGreaterThan(10);
      expect(after.chroma).toBeLessThan(1.5);
    },
  },
  {
    name: "luminance noise reduction 100 lowers the high-frequency energy",
    edits: { noiseReduction: { luminance: 100 } },
    check(before, after) {
      expect(after.laplacian / before.laplacian).toBeLessThan(0.5);
    },
  },
  {
    name: "sharpen (sharpness 100, radius 1) raises the high-frequency energy",
    edits: { sharpness: 100, sharpen: { radius: 1, detail: 50 } },
    check(before, after) {
      expect(after.laplacian / before.laplacian).toBeGreaterThan(1.5);
    },
  },
  {
    name: "vignette −100 darkens the corners",
    edits: { effects: { vignette: -100 } },
    check(before, after) {
      expect(after.luma).toBeLessThan(before.luma - 5);
    },
  },
];

const INPUTS = { picture: () => picture(), ramp, flat: () => picture(100, 150) };

describe.each<Transport>(["in-process", "port"])(
  "end to end: edit and auto-crop through the client, %s",
  (transport) => {
    const env = useEnvironment(
      { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
      { per: "describe" },
    );

    it("edit: +1 stop and saturation −100 give a brighter grey JPEG of the input's size, and the XMP of what was applied", async () => {
      const input = await readFixture("coffee.png");
      const url = await env().control.putObject("edit-coffee.png", input, "image/png");
      const job = await env().client.edit({
        image: { source: { url } },
        edits: { light: { exposure: 1 }, color: { saturation: -100 } },
        outputs: [
          { destination: { validityPeriod: 600 }, mediaType: "image/jpeg", quality: "maximum" },
          { destination: { embedded: "string" }, mediaType: "application/rdf+xml" },
        ],
      });
      await env().control.advanceClock(1);
      const done = await job.wait();
      expect(done.status).toBe("succeeded");
      const [jpeg, xmp] = jobOutputs(done);
      expect(jpeg?.mediaType).toBe("image/jpeg");
      const before = await tone(input);
      const after = await tone(await downloadHosted(env(), jpeg?.url as string));
      expect([after.width, after.height]).toEqual([before.width, before.height]);
      expect(after.luma).toBeGreaterThan(before.luma * 1.15);
      expect(after.chroma).toBeLessThan(3);
      expect(before.chroma).toBeGreaterThan(10);
      expect(xmp?.content).toEqual(expect.stringContaining('crs:Exposure2012="+1"'));
    });

    it("edit: an XMP look it cannot apply fails the wait with the emulator's code naming the setting", async () => {
      const url = await env().control.putObject(
        "edit-coffee-2.png",
        await readFixture("coffee.png"),
        "image/png",
      );
      const look = await env().control.putObject(
        "look.xmp",
        new TextEncoder().encode(
          '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:GrainAmount="25"/></rdf:RDF></x:xmpmeta>',
        ),
        "application/rdf+xml",
      );
      const job = await env().client.edit({
        image: { source: { url } },
        edits: { xmp: { source: { url: look } } },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      await env().control.advanceClock(1);
      await expect(job.wait()).rejects.toMatchObject({
        name: "JobFailedError",
        summary: expect.stringContaining("crs:GrainAmount"),
      });
    });

    /** The warnings of each adjustment case's job, by case name: which rows of the table it applied. */
    const applied = new Map<string, string[]>();

    it.each(ADJUSTMENT_CASES)("edit, one adjustment: $name", async (adjustment) => {
      const raw = INPUTS[adjustment.input ?? "picture"]();
      const url = await env().control.putObject(
        `adjust-${adjustment.name}.png`,
        await pictureToPng(raw),
        "image/png",
      );
      const look =
        adjustment.xmp === undefined
          ? {}
          : {
              xmp: {
                source: {
                  url: await env().control.putObject(
                    `adjust-${adjustment.name}.xmp`,
                    new TextEncoder().encode(adjustment.xmp),
                    "application/rdf+xml",
                  ),
                },
              },
            };
      const job = await env().client.edit({
        image: { source: { url } },
        edits: { ...adjustment.edits, ...look },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      const done: V2JobStatus = await job.wait();
      expect(done.status).toBe("succeeded");
      const [png] = jobOutputs(done);
      const after = await statsOf(await downloadHosted(env(), png?.url as string));
      adjustment.check(stats(raw, PICTURE_WIDTH, PICTURE_HEIGHT, 3), after);
      const extra = done.result?.additionalFields as { emulator?: { warnings?: string[] } } | undefined;
      applied.set(adjustment.name, extra?.emulator?.warnings ?? []);
    });

    it("has run every adjustment of the emulator's table (its README's rows), each in a job of its own", () => {
      const rows = adjustmentRows();
      expect(rows.length).toBeGreaterThan(10);
      const hit = (warnings: readonly string[]) =>
        rows.filter((row) =>
          warnings.some((warning) => warning.includes(`approximated (${row.approximation})`)),
        );
      // Each case applied exactly one row, and together they applied them all.
      for (const adjustment of ADJUSTMENT_CASES)
        expect(
          hit(applied.get(adjustment.name) ?? []).map((row) => row.setting),
          adjustment.name,
        ).toHaveLength(1);
      expect(hit([...applied.values()].flat()).map((row) => row.setting)).toEqual(
        rows.map((row) => row.setting),
      );
    });

    it("auto-crop: one hosted crop per ratio, each holding the product and keeping its ratio", async () => {
      const url = await env().control.putObject(
        "product.jpg",
        new Uint8Array(await productJpeg()),
        "image/jpeg",
      );
      const ratios = ["1:1", "16:9", "4:5"] as const;
      const job = await env().client.autoCrop({
        image: { source: { url } },
        mode: "smartCrop",
        aspectRatio: [...ratios],
      });
      await env().control.advanceClock(1);
      const done = await job.wait();
      const result = autoCropResult(done);
      const files = jobOutputs(done);
      expect(files).toHaveLength(ratios.length);
      for (const [i, ratio] of ratios.entries()) {
        const box = result?.crops[i]?.boundingBoxes[0];
        if (!box) throw new Error(`no box for ${ratio}`);
        const [w, h] = ratio.split(":").map(Number) as [number, number];
        expect(Math.abs(box.width - (box.height * w) / h)).toBeLessThanOrEqual(1);
        expect(box.x).toBeLessThanOrEqual(PRODUCT.x);
        expect(box.y).toBeLessThanOrEqual(PRODUCT.y);
        expect(box.x + box.width).toBeGreaterThanOrEqual(PRODUCT.x + PRODUCT.width);
        expect(box.y + box.height).toBeGreaterThanOrEqual(PRODUCT.y + PRODUCT.height);
        const crop = await downloadHosted(env(), files[i]?.url as string);
        const { data, info } = await sharp(crop).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([box.width, box.height]);
        // The product's centre, in the crop's coordinates, is the product's dark red.
        const at = ((PRODUCT.y + 60 - box.y) * info.width + (PRODUCT.x + 40 - box.x)) * info.channels;
        expect(data[at] ?? 0).toBeGreaterThan(120);
        expect(data[at + 1] ?? 255).toBeLessThan(60);
      }
    });
  },
);
