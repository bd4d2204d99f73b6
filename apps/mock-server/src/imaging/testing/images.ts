import { readFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import sharp, { type OutputInfo } from "sharp";

/** Test-only helpers: fixture loading and synthetic images with a known subject. */

/** Reads a file from apps/mock-server/test-fixtures. */
export async function fixture(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(new URL(`../../../test-fixtures/${name}`, import.meta.url)));
}

/** A 32-bit linear congruential generator: deterministic noise without Math.random. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A red disc on a noisy grey background, with the disc's true membership per pixel. */
export interface DiscImage {
  png: Uint8Array;
  jpeg: Uint8Array;
  width: number;
  height: number;
  inDisc: (x: number, y: number) => boolean;
}

/**
 * Draws a red disc (radius a quarter of the shorter side, off-centre) on mid grey, with ±12
 * levels of deterministic noise so the separation has to cope with texture.
 */
export async function redDisc(width = 480, height = 320): Promise<DiscImage> {
  const cx = width * 0.55;
  const cy = height * 0.45;
  const r = Math.min(width, height) / 4;
  const inDisc = (x: number, y: number) => (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
  const random = lcg(42);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const noise = Math.round((random() - 0.5) * 24);
      const [red, green, blue] = inDisc(x, y) ? [200, 30, 40] : [128, 128, 128];
      data[i] = red + noise;
      data[i + 1] = green + noise;
      data[i + 2] = blue + noise;
    }
  }
  const raw = { raw: { width, height, channels: 3 as const } };
  const png = await sharp(data, raw).png().toBuffer();
  const jpeg = await sharp(data, raw).jpeg({ quality: 90 }).toBuffer();
  return { png: new Uint8Array(png), jpeg: new Uint8Array(jpeg), width, height, inDisc };
}

/** Decodes a PNG to its raw pixels, keeping the channel count the file has. */
export async function decodePng(png: Uint8Array): Promise<{ data: Buffer; info: OutputInfo }> {
  const metadata = await sharp(png).metadata();
  const image = sharp(png);
  // sharp widens greyscale to sRGB on raw output unless told to keep one channel.
  if (metadata.channels === 1) image.toColourspace("b-w");
  return image.raw().toBuffer({ resolveWithObject: true });
}

function pngChunk(type: string, payload: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), payload]);
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(payload.length, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  return chunk;
}

/** A PNG whose header claims the given size but whose pixel data is a few garbage bytes. */
export function pngWithoutPixels(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", Buffer.from([1, 2, 3, 4])),
      pngChunk("IEND", Buffer.alloc(0)),
    ]),
  );
}

/** Intersection over union of a mask (≥ 128 counts as in) with the true membership of each pixel. */
export function iou(mask: Uint8Array, width: number, inside: (x: number, y: number) => boolean): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const x = i % width;
    const truth = inside(x, (i - x) / width);
    const predicted = (mask[i] ?? 0) >= 128;
    if (truth && predicted) intersection++;
    if (truth || predicted) union++;
  }
  return intersection / union;
}
