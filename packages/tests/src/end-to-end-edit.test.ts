import { autoCropResult, jobOutputs } from "@psapi/client";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { downloadHosted } from "./harness/current.js";
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
