import { readFile } from "node:fs/promises";
import sharp from "sharp";

/** What the suites check about an image the emulator wrote. */
export interface ImageFacts {
  /** sharp's format name: `"png"`, `"jpeg"`, … */
  readonly format: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly channels: number | undefined;
  /** Whether every pixel has the same value in every channel (a blank mask would). */
  readonly uniform: boolean;
}

/**
 * Reads a fixture that ships with this package (`packages/tests/fixtures/`, licences in
 * `fixtures/LICENSES.md`).
 *
 * @param name File name inside `fixtures/`, e.g. `"coffee.png"`.
 * @returns The file's bytes.
 * @throws When the file does not exist.
 * @example
 * const coffee = await readFixture("coffee.png");
 */
export async function readFixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(new URL(`../../fixtures/${name}`, import.meta.url)));
}

/**
 * A small PNG with a distinct subject on a plain background, so that the emulator's mask has both
 * foreground and background. `seed` varies the subject's colour and place.
 *
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param seed Any integer.
 * @returns The PNG's bytes.
 * @example
 * const png = await subjectPng(32, 24, 7);
 */
export async function subjectPng(width: number, height: number, seed = 0): Promise<Uint8Array<ArrayBuffer>> {
  // The same arguments make the same bytes, and the suites ask again and again (the soak's 500
  // inputs in every cycle): two sharp encodes a call were 3 s of CPU per soak cycle. Each caller
  // gets its own copy, so nobody sees another's changes.
  const key = `${width}x${height}#${seed}`;
  let made = encoded.get(key);
  if (made === undefined) {
    made = drawSubjectPng(width, height, seed);
    encoded.set(key, made);
    made.catch(() => encoded.delete(key));
  }
  return new Uint8Array(await made);
}

/** {@link subjectPng}'s encodings by `WxH#seed`: small PNGs, about a thousand in a whole run. */
const encoded = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

async function drawSubjectPng(width: number, height: number, seed: number): Promise<Uint8Array<ArrayBuffer>> {
  const size = Math.max(2, Math.floor(Math.min(width, height) / 2));
  const subject = await sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: { r: (seed * 53) % 256, g: 40, b: 200 - ((seed * 17) % 120) },
    },
  })
    .png()
    .toBuffer();
  const left = seed % Math.max(1, width - size);
  const top = (seed * 3) % Math.max(1, height - size);
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 235, g: 235, b: 225 } } })
    .composite([{ input: subject, left, top }])
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

/**
 * Format, size, channel count and whether all pixels are equal, as sharp reads them.
 *
 * @param bytes An encoded image.
 * @returns Its {@link ImageFacts}.
 * @throws When sharp cannot decode the bytes.
 * @example
 * expect(await imageFacts(mask)).toMatchObject({ format: "png", width: 600, height: 400, uniform: false });
 */
export async function imageFacts(bytes: Uint8Array): Promise<ImageFacts> {
  const image = sharp(bytes);
  const [metadata, stats] = await Promise.all([image.metadata(), image.stats()]);
  return {
    format: metadata.format,
    width: metadata.width,
    height: metadata.height,
    channels: metadata.channels,
    uniform: stats.channels.every((channel) => channel.min === channel.max),
  };
}
