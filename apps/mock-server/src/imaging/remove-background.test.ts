import { initializeCanvas, readPsd } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageDecodeError } from "./errors.js";
import { defaultMediaType, removeBackground } from "./remove-background.js";
import { decodePng, fixture, redDisc } from "./testing/images.js";

async function decoded(bytes: Uint8Array) {
  const metadata = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { metadata, data, info };
}

function distinct(values: Uint8Array, stride = 1, offset = 0): number {
  const seen = new Set<number>();
  for (let i = offset; i < values.length; i += stride) seen.add(values[i] ?? 0);
  return seen.size;
}

// Reading layer pixels needs an ImageData factory; ag-psd never draws here, so no canvas is made.
initializeCanvas(
  () => {
    throw new Error("no canvas in tests");
  },
  (width, height) => ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: "srgb" }),
);

const disc = await redDisc();
const coffee = await fixture("coffee.png");

describe("removeBackground", () => {
  it("mask mode gives a one-channel PNG of the input's size that is not constant", async () => {
    const result = await removeBackground(disc.png, { mode: "mask" });
    expect(result.mediaType).toBe("image/png");
    const { data, info } = await decodePng(result.bytes);
    expect([info.width, info.height, info.channels]).toEqual([disc.width, disc.height, 1]);
    expect(distinct(data)).toBeGreaterThan(2);
    // The disc's centre is subject, the corner background.
    expect(data[Math.round(disc.height * 0.45) * disc.width + Math.round(disc.width * 0.55)]).toBe(255);
    expect(data[0]).toBe(0);
  });

  it("cutout mode gives RGBA whose alpha is the mask and whose colour is the input's", async () => {
    const cutout = await removeBackground(coffee, { mode: "cutout" });
    const mask = await decodePng((await removeBackground(coffee, { mode: "mask" })).bytes);
    const { data, info } = await decodePng(cutout.bytes);
    expect([info.width, info.height, info.channels]).toEqual([600, 400, 4]);
    let mismatched = 0;
    for (let i = 0; i < mask.data.length; i++) if (data[i * 4 + 3] !== mask.data[i]) mismatched++;
    expect(mismatched).toBe(0);
    expect(distinct(data, 4, 0)).toBeGreaterThan(50);
  });

  it("defaults the output type to the input's (TIFF → PNG, psd mode → PSD)", async () => {
    const jpeg = await removeBackground(disc.jpeg, {});
    expect(jpeg.mediaType).toBe("image/jpeg");
    expect((await sharp(jpeg.bytes).metadata()).format).toBe("jpeg");
    const tiff = await sharp(disc.png).tiff().toBuffer();
    expect((await removeBackground(new Uint8Array(tiff), {})).mediaType).toBe("image/png");
    expect(defaultMediaType("psd", "jpeg")).toBe("image/vnd.adobe.photoshop");
    expect(defaultMediaType("cutout", "webp")).toBe("image/webp");
  });

  it("writes each requested media type", async () => {
    for (const [mediaType, format, channels] of [
      ["image/png", "png", 4],
      ["image/webp", "webp", 4],
      ["image/jpeg", "jpeg", 3],
    ] as const) {
      const result = await removeBackground(disc.png, { mode: "cutout", mediaType });
      const { metadata, info } = await decoded(result.bytes);
      expect([metadata.format, info.width, info.height, info.channels]).toEqual([
        format,
        disc.width,
        disc.height,
        channels,
      ]);
    }
    const maskJpeg = await decoded(
      (await removeBackground(disc.png, { mode: "mask", mediaType: "image/jpeg" })).bytes,
    );
    expect(maskJpeg.metadata.channels).toBe(1);
  });

  it("trim crops to the subject and keeps it whole", async () => {
    const result = await removeBackground(disc.png, { mode: "mask", trim: true });
    const { data, info } = await decodePng(result.bytes);
    const r = Math.min(disc.width, disc.height) / 4;
    // The disc's diameter plus the soft edge, well under the frame.
    expect(info.width).toBeGreaterThanOrEqual(2 * r - 2);
    expect(info.width).toBeLessThan(2 * r + 24);
    expect(info.height).toBeLessThan(2 * r + 24);
    expect([result.width, result.height]).toEqual([info.width, info.height]);
    // Every border row/column of the trimmed mask touches the subject.
    const row = (y: number) => data.subarray(y * info.width, (y + 1) * info.width).some((v) => v > 0);
    expect(row(0) && row(info.height - 1)).toBe(true);
  });

  it("backgroundColor fills behind the subject: opaque → RGB in that colour, translucent → RGBA", async () => {
    const blue = { red: 0, green: 0, blue: 255, alpha: 1 };
    const opaque = await decodePng(
      (await removeBackground(disc.png, { backgroundColor: blue, mediaType: "image/png" })).bytes,
    );
    expect(opaque.info.channels).toBe(3);
    expect([...opaque.data.subarray(0, 3)]).toEqual([0, 0, 255]);
    const centre = (Math.round(disc.height * 0.45) * disc.width + Math.round(disc.width * 0.55)) * 3;
    expect(opaque.data[centre]).toBeGreaterThan(150); // the red disc stays red
    const half = await decodePng(
      (await removeBackground(disc.png, { backgroundColor: { ...blue, alpha: 0.5 }, mediaType: "image/png" }))
        .bytes,
    );
    expect(half.info.channels).toBe(4);
    expect([...half.data.subarray(0, 4)]).toEqual([0, 0, 255, 128]);
  });

  it("colorDecontamination pulls edge pixels away from the background colour, and 0 leaves them", async () => {
    // A red disc on saturated green: the soft edge mixes the two.
    const { width, height } = disc;
    const raw = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++)
        raw.set(disc.inDisc(x, y) ? [220, 20, 20] : [20, 200, 20], (y * width + x) * 3);
    }
    const png = new Uint8Array(
      await sharp(raw, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const greenOnEdges = async (amount: number) => {
      const { data } = await decodePng((await removeBackground(png, { colorDecontamination: amount })).bytes);
      let sum = 0;
      let count = 0;
      for (let i = 0; i < width * height; i++) {
        const a = data[i * 4 + 3] ?? 0;
        if (a > 40 && a < 215) {
          sum += data[i * 4 + 1] ?? 0;
          count++;
        }
      }
      expect(count).toBeGreaterThan(50);
      return sum / count;
    };
    const untouched = await greenOnEdges(0);
    const cleaned = await greenOnEdges(1);
    expect(cleaned).toBeLessThan(untouched - 30);
  });

  it("psd mode writes a layered PSD: the original and the subject with a layer mask", async () => {
    const result = await removeBackground(disc.jpeg, {
      mode: "psd",
      backgroundColor: { red: 255, green: 255, blue: 0, alpha: 0.5 },
    });
    expect(result.mediaType).toBe("image/vnd.adobe.photoshop");
    const psd = readPsd(result.bytes, { useImageData: true });
    expect([psd.width, psd.height]).toEqual([disc.width, disc.height]);
    const layers = psd.children ?? [];
    expect(layers.map((l) => [l.name, l.hidden ?? false])).toEqual([
      ["Original", true],
      ["Background color", false],
      ["Subject", false],
    ]);
    expect(layers[1]?.opacity).toBeCloseTo(0.5, 1);
    const subject = layers[2];
    const mask = subject?.mask?.imageData;
    expect(mask).toBeDefined();
    const maskPixels = mask?.data ?? new Uint8Array();
    expect(distinct(maskPixels as Uint8Array, 4, 0)).toBeGreaterThan(2);
    // The original layer is the input's pixels (mid grey in the corner).
    const corner = layers[0]?.imageData?.data;
    expect(Math.abs((corner?.[0] ?? 0) - 128)).toBeLessThan(20);
  });

  it("refuses inputs over 6000 px, and other formats, as ImageDecodeError", async () => {
    const wide = await sharp({ create: { width: 6001, height: 2, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    await expect(removeBackground(new Uint8Array(wide))).rejects.toMatchObject({ reason: "too-large" });
    const psd = Buffer.concat([Buffer.from("8BPS"), Buffer.alloc(40)]);
    const error = await removeBackground(new Uint8Array(psd)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error).toMatchObject({ reason: "unsupported-format" });
  });
});
