import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { ImageDecodeError } from "./errors.js";
import { computeCutout, computeMask } from "./mask.js";
import { decodePng, fixture, iou, pngWithoutPixels, redDisc } from "./testing/images.js";

function mean(values: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += values[y * width + x] ?? 0;
  return sum / ((x1 - x0) * (y1 - y0));
}

function extremes(values: Uint8Array): [number, number] {
  let min = 255;
  let max = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return [min, max];
}

const rocket = await fixture("rocket.jpg");
const jpegHalf = rocket.subarray(0, rocket.length / 2);

describe("computeMask", () => {
  it("returns a one-channel PNG of the input's size that is not constant", async () => {
    const input = await fixture("coffee.png");
    const { data, info } = await decodePng(await computeMask(input, { format: "soft" }));
    expect([info.width, info.height, info.channels]).toEqual([600, 400, 1]);
    expect(extremes(data)).toEqual([0, 255]);
  });

  it("separates a red disc from a grey background with IoU of at least 0.9 (PNG and JPEG)", async () => {
    const disc = await redDisc();
    for (const input of [disc.png, disc.jpeg]) {
      const { data, info } = await decodePng(await computeMask(input, { format: "binary" }));
      expect([info.width, info.height]).toEqual([disc.width, disc.height]);
      expect(iou(data, info.width, disc.inDisc)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("gives soft edges in the soft mask and only 0 or 255 in the binary one", async () => {
    const { png } = await redDisc();
    const soft = (await decodePng(await computeMask(png, { format: "soft" }))).data;
    const binary = (await decodePng(await computeMask(png, { format: "binary" }))).data;
    expect(new Set(binary)).toEqual(new Set([0, 255]));
    expect(soft.some((v) => v > 0 && v < 255)).toBe(true);
    // binary is the soft mask cut at 128
    const disagreeing = soft.filter((v, i) => (v >= 128 ? 255 : 0) !== binary[i]).length;
    expect(disagreeing).toBe(0);
  });

  it("returns the same bytes for the same input", async () => {
    const input = await fixture("chelsea.png");
    const first = await computeMask(input, { format: "soft" });
    const second = await computeMask(input, { format: "soft" });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it("marks the centre of the cat photo as more foreground than its corners", async () => {
    const { data, info } = await decodePng(
      await computeMask(await fixture("chelsea.png"), { format: "soft" }),
    );
    const w = info.width;
    const h = info.height;
    const cell = 40;
    const cx = Math.floor(w / 2);
    const cy = Math.floor(h / 2);
    const centre = mean(data, w, cx - cell, cy - cell, cx + cell, cy + cell);
    const corners = [
      mean(data, w, 0, 0, cell, cell),
      mean(data, w, w - cell, 0, w, cell),
      mean(data, w, 0, h - cell, cell, h),
      mean(data, w, w - cell, h - cell, w, h),
    ];
    expect(centre).toBeGreaterThan(Math.max(...corners) + 64);
  });

  it("masks the image as displayed, after EXIF orientation", async () => {
    const { jpeg } = await redDisc(120, 60);
    const rotated = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const { info } = await decodePng(await computeMask(new Uint8Array(rotated), { format: "soft" }));
    expect([info.width, info.height]).toEqual([60, 120]);
  });

  it("returns an all-background mask for a plain image instead of splitting noise", async () => {
    const plain = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    const { data } = await decodePng(await computeMask(new Uint8Array(plain), { format: "soft" }));
    expect(extremes(data)).toEqual([0, 0]);
  });

  it("treats transparent pixels as background", async () => {
    const size = 64;
    const rgba = Buffer.alloc(size * size * 4, 0);
    for (let y = 16; y < 48; y++) {
      for (let x = 16; x < 48; x++) rgba.set([20, 200, 20, 255], (y * size + x) * 4);
    }
    const png = await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
      .png()
      .toBuffer();
    const { data } = await decodePng(await computeMask(new Uint8Array(png), { format: "binary" }));
    expect(data[32 * size + 32]).toBe(255);
    expect(data[4 * size + 4]).toBe(0);
  });
});

describe("computeCutout", () => {
  it("returns an RGBA PNG whose alpha is exactly the soft mask and whose colour is the input", async () => {
    const input = await fixture("coffee.png");
    const cutout = await decodePng(await computeCutout(input));
    const mask = await decodePng(await computeMask(input, { format: "soft" }));
    const original = await decodePng(input);
    expect([cutout.info.width, cutout.info.height, cutout.info.channels]).toEqual([600, 400, 4]);
    const disagreeing = mask.data.filter((v, i) => cutout.data[i * 4 + 3] !== v).length;
    expect(disagreeing).toBe(0);
    const colourChanged = original.data.filter((v, i) => cutout.data[Math.floor(i / 3) * 4 + (i % 3)] !== v);
    expect(colourChanged.length).toBe(0);
  });

  it.each([
    { what: "a CMYK JPEG", make: (img: Sharp) => img.toColourspace("cmyk").jpeg() },
    { what: "a PNG with an alpha channel", make: (img: Sharp) => img.ensureAlpha(0.9).png() },
    { what: "a greyscale PNG", make: (img: Sharp) => img.toColourspace("b-w").png() },
  ])("returns RGBA with alpha = mask for $what", async ({ make }) => {
    const input = new Uint8Array(await make(sharp(await fixture("coffee.png"))).toBuffer());
    const cutout = await decodePng(await computeCutout(input));
    const mask = await decodePng(await computeMask(input, { format: "soft" }));
    expect([cutout.info.width, cutout.info.height, cutout.info.channels]).toEqual([600, 400, 4]);
    expect(mask.data.filter((v, i) => cutout.data[i * 4 + 3] !== v).length).toBe(0);
  });
});

describe("input checks", () => {
  it.each([
    {
      what: "random bytes",
      input: new Uint8Array(64).map((_, i) => (i * 37) % 251),
      reason: "unsupported-format",
    },
    {
      what: "a PNG signature followed by garbage",
      input: Buffer.concat([pngWithoutPixels(1, 1).subarray(0, 8), Buffer.alloc(40, 7)]),
      reason: "corrupt",
    },
    { what: "a PNG with garbage pixel data", input: pngWithoutPixels(40, 30), reason: "corrupt" },
    { what: "an empty input", input: new Uint8Array(0), reason: "empty" },
    { what: "a JPEG cut in half", input: jpegHalf, reason: "corrupt" },
  ])("rejects $what with ImageDecodeError ($reason)", async ({ input, reason }) => {
    const error = await computeMask(new Uint8Array(input), { format: "soft" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).reason).toBe(reason);
    expect((error as ImageDecodeError).message.length).toBeLessThan(250);
  });

  it("rejects a PSD for masking as an unsupported format", async () => {
    const psd = Buffer.concat([Buffer.from("8BPS"), Buffer.alloc(40)]);
    await expect(computeCutout(new Uint8Array(psd))).rejects.toMatchObject({ reason: "unsupported-format" });
  });

  it("refuses an image wider than 10000 px before decoding its pixels", async () => {
    // The pixel data is garbage (see the "corrupt" case above): only a header check can say too-large.
    const error = await computeMask(pngWithoutPixels(10_001, 2), { format: "soft" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error).toMatchObject({ reason: "too-large" });
    expect((error as Error).message).toContain("10001 x 2");
  });

  it("accepts an image of exactly 10000 px on its long side", async () => {
    const wide = await sharp({ create: { width: 10_000, height: 2, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const { info } = await decodePng(await computeMask(new Uint8Array(wide), { format: "binary" }));
    expect([info.width, info.height]).toEqual([10_000, 2]);
  });

  it("refuses an input over the byte limit without looking at it", async () => {
    const input = await fixture("rocket.jpg");
    const error = await computeMask(input, { format: "soft", limits: { maxInputBytes: 1000 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: "ImageDecodeError", reason: "too-large" });
    expect((error as Error).message).toContain("over the limit of 1000 bytes");
  });

  it("rejects a non-byte input as a caller error (TypeError)", async () => {
    await expect(computeMask("not bytes" as unknown as Uint8Array, { format: "soft" })).rejects.toThrow(
      TypeError,
    );
  });

  it("rejects invalid limits with a message naming the package", async () => {
    await expect(
      computeMask(new Uint8Array(1), { format: "soft", limits: { maxDimension: 0 } }),
    ).rejects.toThrow("[@psapi/mock-server] imaging limit maxDimension must be a positive integer");
  });
});
