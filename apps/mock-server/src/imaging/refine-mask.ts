import sharp from "sharp";
import { decontaminate } from "./decontaminate.js";
import { type EncodedImage, encodeImage } from "./encode.js";
import { boxBlur } from "./filters.js";
import { upscaleMask } from "./mask.js";
import { type MaskingOptions, readMask, readMaskingImage } from "./mask-objects.js";
import { asBytes, type BoundingBox, boundingBox, joinAlpha } from "./raster.js";

/** Longest side of the copy the guided filter runs on. */
export const REFINE_WORKING_SIZE = 1024;
/** Guided-filter regularisation (intensities 0–1): smaller follows weaker image edges. */
const EPSILON = 1e-3;

/** Options of {@link refineMask}. */
export interface RefineMaskOptions extends MaskingOptions {
  /** `true`: return the image as RGBA with the refined mask as alpha, edges decontaminated. Default false. */
  colorDecontamination?: boolean;
}

/** The result of {@link refineMask}. */
export interface RefinedMask extends EncodedImage<"image/png"> {
  /** The extent of the refined mask's non-zero pixels (the whole image when it is empty). */
  boundingBox: BoundingBox;
}

/** A box mean of radius r (one pass of the shared box blur, edges clamped). */
function mean(values: Float32Array, w: number, h: number, r: number, tmp: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  boxBlur(values, out, tmp, w, h, r);
  return out;
}

/**
 * The guided filter (He, Sun and Tang, 2010) of `p` with grey guide `guide`: a local linear
 * model q = a·I + b fitted in every (2r+1)² window, so q follows the image's edges where p
 * changes near them. O(1) per pixel (box means).
 */
export function guidedFilter(
  guide: Float32Array,
  p: Float32Array,
  w: number,
  h: number,
  r: number,
  eps: number,
): Float32Array {
  const n = w * h;
  const tmp = new Float32Array(n);
  const ii = new Float32Array(n);
  const ip = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = guide[i] ?? 0;
    ii[i] = g * g;
    ip[i] = g * (p[i] ?? 0);
  }
  const meanI = mean(guide, w, h, r, tmp);
  const meanP = mean(p, w, h, r, tmp);
  const corrI = mean(ii, w, h, r, tmp);
  const corrIp = mean(ip, w, h, r, tmp);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mi = meanI[i] ?? 0;
    const variance = (corrI[i] ?? 0) - mi * mi;
    const covariance = (corrIp[i] ?? 0) - mi * (meanP[i] ?? 0);
    a[i] = covariance / (variance + eps);
    b[i] = (meanP[i] ?? 0) - (a[i] ?? 0) * mi;
  }
  const meanA = mean(a, w, h, r, tmp);
  const meanB = mean(b, w, h, r, tmp);
  const q = new Float32Array(n);
  for (let i = 0; i < n; i++) q[i] = (meanA[i] ?? 0) * (guide[i] ?? 0) + (meanB[i] ?? 0);
  return q;
}

/**
 * Refines a rough mask so its edge follows the image: a documented deterministic approximation
 * of Adobe's model. On a copy of at most {@link REFINE_WORKING_SIZE} px, the mask is filtered
 * with the guided filter (guide: the image's luma; radius 1/128 of the longer side, at least 2;
 * ε = 10⁻³), its contrast doubled around 0.5 and values within 3 % of 0 or 1 snapped, then
 * upscaled to the image's size. With `colorDecontamination` the result is the image as RGBA
 * with that mask as alpha and edges decontaminated; without, the one-channel mask. Always PNG.
 *
 * @param image - JPEG or PNG, at most 4000 px a side.
 * @param mask - the rough mask (PNG or JPEG; stretched to the image's size).
 * @throws ImageDecodeError when an input is unreadable, of another format, or too large.
 * @example
 * const { bytes, boundingBox } = await refineMask(photo, roughMask, { colorDecontamination: false });
 * @see `@psapi/openapi` photoshop-current.yaml, operation `refineMask`
 */
export async function refineMask(
  image: Uint8Array,
  mask: Uint8Array,
  options: RefineMaskOptions = {},
): Promise<RefinedMask> {
  const decoded = await readMaskingImage(image, options);
  const { width, height } = decoded.info;
  const rough = await readMask(mask, width, height, decoded.limits);
  const scale = Math.min(1, REFINE_WORKING_SIZE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const luma = await sharp(decoded.rgb, { raw: { width, height, channels: 3 } })
    .resize(w, h, { fit: "fill" })
    .toColourspace("b-w")
    .raw()
    .toBuffer();
  const small = await sharp(rough, { raw: { width, height, channels: 1 } })
    .resize(w, h, { fit: "fill" })
    .toColourspace("b-w")
    .raw()
    .toBuffer();
  const n = w * h;
  const guide = new Float32Array(n);
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    guide[i] = (luma[i] ?? 0) / 255;
    p[i] = (small[i] ?? 0) / 255;
  }
  const r = Math.max(2, Math.round(Math.max(w, h) / 128));
  const q = guidedFilter(guide, p, w, h, r, EPSILON);
  const refinedSmall = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let v = ((q[i] ?? 0) - 0.5) * 2 + 0.5;
    if (v < 0.03) v = 0;
    if (v > 0.97) v = 1;
    refinedSmall[i] = Math.round(v * 255);
  }
  const refined = asBytes(await (await upscaleMask(refinedSmall, w, h, width, height)).raw().toBuffer());
  const box = boundingBox(refined, width, height) ?? { x: 0, y: 0, width, height };
  if (!options.colorDecontamination) {
    return {
      ...(await encodeImage({ data: refined, width, height, channels: 1 }, "image/png")),
      boundingBox: box,
    };
  }
  const clean = await decontaminate(decoded.rgb, refined, width, height, 1);
  return { ...(await encodeImage(joinAlpha(clean, refined, width, height), "image/png")), boundingBox: box };
}
