// Measures of an image (`@psapi/mock-server/testing`), and the pictures they are read on: what the
// emulator's edit tests and the end-to-end suite check an adjustment's direction and size with, so
// that both mean the same thing by "brighter" or "more colourful".
import sharp from "sharp";

/** Statistics of an RGB image. */
export interface Stats {
  /** Mean Rec. 709 luma, 0-255. */
  luma: number;
  red: number;
  green: number;
  blue: number;
  /** Mean of max − min channel: how colourful. */
  chroma: number;
  /** Standard deviation of luma: how spread the tones are. */
  stdev: number;
  /** Mean squared 4-neighbour Laplacian of luma: high-frequency energy. */
  laplacian: number;
  /** Darkest and brightest luma. */
  min: number;
  max: number;
}

/** The statistics of interleaved pixels (`channels` per pixel, RGB first). */
export function stats(data: Uint8Array, width: number, height: number, channels: number): Stats {
  const n = width * height;
  const luma = new Float64Array(n);
  let [red, green, blue, chroma, min, max] = [0, 0, 0, 0, 255, 0];
  for (let p = 0; p < n; p++) {
    const r = data[p * channels] ?? 0;
    const g = data[p * channels + 1] ?? 0;
    const b = data[p * channels + 2] ?? 0;
    red += r;
    green += g;
    blue += b;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    luma[p] = l;
    min = Math.min(min, l);
    max = Math.max(max, l);
  }
  const mean = luma.reduce((a, v) => a + v, 0) / n;
  const stdev = Math.sqrt(luma.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  let laplacian = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = y * width + x;
      const v =
        4 * (luma[p] ?? 0) -
        (luma[p - 1] ?? 0) -
        (luma[p + 1] ?? 0) -
        (luma[p - width] ?? 0) -
        (luma[p + width] ?? 0);
      laplacian += v * v;
    }
  }
  laplacian /= (width - 2) * (height - 2);
  return {
    luma: mean,
    red: red / n,
    green: green / n,
    blue: blue / n,
    chroma: chroma / n,
    stdev,
    laplacian,
    min,
    max,
  };
}

/** The statistics of an encoded image (alpha ignored). */
export async function statsOf(bytes: Uint8Array): Promise<Stats> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return stats(data, info.width, info.height, info.channels);
}

/** A picture of {@link PICTURE_WIDTH} × {@link PICTURE_HEIGHT} RGB pixels. */
export const PICTURE_WIDTH = 96;
export const PICTURE_HEIGHT = 64;

/**
 * A photo-like test picture: a warm-to-cool diagonal gradient, a saturated patch, a dark band,
 * and deterministic fine noise (so sharpening and noise reduction have high frequencies to
 * change). Channel values stay inside `low`-`high` (30-225: nothing starts clipped). Raw RGB.
 */
export function picture(low = 30, high = 225): Uint8Array {
  const [W, H] = [PICTURE_WIDTH, PICTURE_HEIGHT];
  const data = new Uint8Array(W * H * 3);
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 24;
  };
  const span = high - low;
  const clamp = (v: number) => Math.max(low, Math.min(high, Math.round(v)));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const t = (x / W + y / H) / 2;
      let r = low + span * (0.3 + 0.5 * t);
      let g = low + span * (0.5 - 0.1 * t);
      let b = low + span * (0.7 - 0.5 * t);
      if (x > 60 && x < 84 && y > 8 && y < 30)
        [r, g, b] = [low + span * 0.9, low + span * 0.2, low + span * 0.15];
      if (y > 50) [r, g, b] = [r * 0.5, g * 0.5, b * 0.5];
      const n = (noise() * span) / 195;
      data.set([clamp(r + n), clamp(g + n), clamp(b + n)], (y * W + x) * 3);
    }
  }
  return data;
}

/** A grey ramp from 10 to 245, left to right: every tone, for the tone-range sliders. Raw RGB. */
export function ramp(): Uint8Array {
  const [W, H] = [PICTURE_WIDTH, PICTURE_HEIGHT];
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      data.fill(Math.round(10 + (235 * x) / (W - 1)), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return data;
}

/** A raw RGB picture of {@link PICTURE_WIDTH} × {@link PICTURE_HEIGHT} as a PNG. */
export async function pictureToPng(raw: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await sharp(raw, { raw: { width: PICTURE_WIDTH, height: PICTURE_HEIGHT, channels: 3 } })
      .png()
      .toBuffer(),
  );
}
