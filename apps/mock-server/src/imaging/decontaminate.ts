import sharp from "sharp";
import { boxBlur } from "./filters.js";

/** Longest side of the copy the local colours are estimated on. */
const ESTIMATE_SIZE = 256;
/** Radius of the two box blurs that spread the local colours, as a share of the estimate's longer side. */
const SPREAD_SHARE = 0.05;
/** Below this alpha the colour equation is solved as if alpha were this (the division would amplify noise). */
const MIN_ALPHA = 0.1;
/** Pixels whose alpha is below this (of 255) count as background for the background colour estimate. */
const BACKGROUND_BELOW = 32;
/** Pixels whose alpha is above this count as subject for the subject colour estimate. */
const SUBJECT_ABOVE = 223;

/**
 * Spreads the colours of the pixels `select` picks over the whole small image (normalised
 * convolution: blur of colour × weight over blur of weight), falling back on their mean far from
 * any of them, and upscales the result to full size. Returns undefined when none is picked.
 */
async function localColour(
  small: { rgb: Buffer; alpha: Buffer; width: number; height: number },
  select: (alpha: number) => boolean,
  width: number,
  height: number,
): Promise<Buffer | undefined> {
  const { rgb, alpha, width: w, height: h } = small;
  const n = w * h;
  const weight = new Float32Array(n);
  const channels = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  let total = 0;
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (!select(alpha[i] ?? 0)) continue;
    weight[i] = 1;
    total += 1;
    for (let c = 0; c < 3; c++) {
      const v = rgb[i * 3 + c] ?? 0;
      (channels[c] as Float32Array)[i] = v;
      mean[c] = (mean[c] ?? 0) + v;
    }
  }
  if (total === 0) return undefined;
  const r = Math.max(2, Math.round(SPREAD_SHARE * Math.max(w, h)));
  const tmp = new Float32Array(n);
  const blurred = new Float32Array(n);
  for (const values of [weight, ...channels]) {
    boxBlur(values, blurred, tmp, w, h, r);
    boxBlur(blurred, values, tmp, w, h, r);
  }
  const colour = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const wt = weight[i] ?? 0;
    for (let c = 0; c < 3; c++) {
      const value = wt > 1e-3 ? ((channels[c] as Float32Array)[i] ?? 0) / wt : (mean[c] ?? 0) / total;
      colour[i * 3 + c] = Math.round(value);
    }
  }
  return sharp(colour, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
}

/**
 * Removes the colour cast a background leaves on the semi-transparent edge of a subject.
 * Two local colours are estimated on a copy of at most 256 px and upscaled: B, the mean of nearby
 * background pixels (alpha < 32/255), and S, the mean of nearby subject pixels (alpha > 223/255).
 * For a pixel with alpha a strictly between 0 and 1, the compositing equation I = a·F + (1 − a)·B
 * is solved for F (clamped to 0–255), and the subject colour is taken as a·F + (1 − a)·S: the
 * equation where the pixel is mostly subject, the nearby subject colour where it is mostly
 * background (there a misplaced mask edge would make the equation return the background itself).
 * The pixel moves from I toward that colour by `amount`. Opaque and fully transparent pixels are
 * unchanged. Deterministic.
 *
 * @param rgb - interleaved sRGB, 3 channels, `width × height`.
 * @param alpha - one byte per pixel, 255 = subject.
 * @param amount - 0 (no change) to 1 (the estimated subject colour).
 * @returns a new RGB buffer.
 * @example
 * const clean = await decontaminate(rgb, alpha, width, height, 1);
 */
export async function decontaminate(
  rgb: Uint8Array,
  alpha: Uint8Array,
  width: number,
  height: number,
  amount: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(rgb);
  if (amount <= 0) return out;
  const scale = Math.min(1, ESTIMATE_SIZE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const small = {
    rgb: await sharp(rgb, { raw: { width, height, channels: 3 } })
      .resize(w, h, { fit: "fill" })
      .raw()
      .toBuffer(),
    alpha: await sharp(alpha, { raw: { width, height, channels: 1 } })
      .resize(w, h, { fit: "fill" })
      .toColourspace("b-w")
      .raw()
      .toBuffer(),
    width: w,
    height: h,
  };
  const background = await localColour(small, (a) => a < BACKGROUND_BELOW, width, height);
  const subject = await localColour(small, (a) => a > SUBJECT_ABOVE, width, height);
  // No background (the subject fills the frame) or no subject: no cast to remove.
  if (!background || !subject) return out;
  for (let i = 0; i < width * height; i++) {
    const a8 = alpha[i] ?? 0;
    if (a8 === 0 || a8 === 255) continue;
    const a = a8 / 255;
    const solveAt = Math.max(MIN_ALPHA, a);
    for (let c = 0; c < 3; c++) {
      const o = i * 3 + c;
      const observed = rgb[o] ?? 0;
      const solved = Math.min(255, Math.max(0, (observed - (1 - solveAt) * (background[o] ?? 0)) / solveAt));
      const estimate = a * solved + (1 - a) * (subject[o] ?? 0);
      out[o] = Math.round(observed + amount * (estimate - observed));
    }
  }
  return out;
}
