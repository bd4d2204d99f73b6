import sharp from "sharp";
import { type EncodedImage, encodeImage } from "./encode.js";
import { type MaskingOptions, readMask, readMaskingImage } from "./mask-objects.js";
import { boundingBox, cropRaw } from "./raster.js";

/** Longest side of the copy the fill is computed on (the fill is smooth; the rest stays full size). */
export const FILL_WORKING_SIZE = 1024;
/** Jacobi smoothing passes over the hole after push-pull (removes the pyramid's blockiness). */
const SMOOTHING_PASSES = 40;

interface Level {
  w: number;
  h: number;
  /** Colour, 3 floats per pixel (meaningful where weight > 0). */
  colour: Float32Array;
  /** 0–1: how much of the pixel is known. */
  weight: Float32Array;
}

/** Halves a level: each pixel is the weight-averaged colour of its (up to) 2 × 2 children. */
function pushDown(level: Level): Level {
  const w = Math.ceil(level.w / 2);
  const h = Math.ceil(level.h / 2);
  const colour = new Float32Array(w * h * 3);
  const weight = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sw = 0;
      const sc = [0, 0, 0];
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * y + dy;
        if (yy >= level.h) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * x + dx;
          if (xx >= level.w) continue;
          const j = yy * level.w + xx;
          const wt = level.weight[j] ?? 0;
          sw += wt;
          for (let c = 0; c < 3; c++) sc[c] = (sc[c] ?? 0) + wt * (level.colour[j * 3 + c] ?? 0);
        }
      }
      const i = y * w + x;
      weight[i] = Math.min(1, sw);
      if (sw > 0) for (let c = 0; c < 3; c++) colour[i * 3 + c] = (sc[c] ?? 0) / sw;
    }
  }
  return { w, h, colour, weight };
}

/** Fills a level's unknown part from the (already filled) coarser level, bilinearly sampled. */
function pullUp(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.h; y++) {
    const cy = Math.min(coarse.h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(coarse.h - 1, y0 + 1);
    const fy = cy - y0;
    for (let x = 0; x < fine.w; x++) {
      const i = y * fine.w + x;
      const wt = fine.weight[i] ?? 0;
      if (wt >= 1) continue;
      const cx = Math.min(coarse.w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(coarse.w - 1, x0 + 1);
      const fx = cx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => coarse.colour[(yy * coarse.w + xx) * 3 + c] ?? 0;
        const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
        const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
        const sampled = top * (1 - fy) + bottom * fy;
        fine.colour[i * 3 + c] = wt * (fine.colour[i * 3 + c] ?? 0) + (1 - wt) * sampled;
      }
      fine.weight[i] = 1;
    }
  }
}

/**
 * Inpaints the unknown pixels of an RGB image (`known[i]` = 0) from the known ones: push-pull
 * (a weighted image pyramid down to one pixel, then each level's holes filled from the level above,
 * bilinearly), then {@link SMOOTHING_PASSES} Jacobi passes of the Laplace equation over the hole
 * with the known pixels as boundary. Every filled pixel is a blend of surrounding colours,
 * nearer ones weighing more. Pure and deterministic.
 *
 * @returns the filled image, 3 bytes per pixel.
 */
export function pushPullFill(rgb: Uint8Array, known: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const base: Level = { w, h, colour: new Float32Array(n * 3), weight: new Float32Array(n) };
  let anyKnown = false;
  for (let i = 0; i < n; i++) {
    const k = known[i] ? 1 : 0;
    base.weight[i] = k;
    if (k) anyKnown = true;
    for (let c = 0; c < 3; c++) base.colour[i * 3 + c] = rgb[i * 3 + c] ?? 0;
  }
  if (!anyKnown) return new Uint8Array(rgb);
  const levels = [base];
  for (let level = base; level.w > 1 || level.h > 1; ) {
    level = pushDown(level);
    levels.push(level);
  }
  for (let l = levels.length - 2; l >= 0; l--) pullUp(levels[l] as Level, levels[l + 1] as Level);
  const colour = base.colour;
  const next = new Float32Array(colour);
  const holes: number[] = [];
  for (let i = 0; i < n; i++) if (!known[i]) holes.push(i);
  for (let pass = 0; pass < SMOOTHING_PASSES; pass++) {
    for (const i of holes) {
      const x = i % w;
      const neighbours = [
        x > 0 ? i - 1 : -1,
        x < w - 1 ? i + 1 : -1,
        i >= w ? i - w : -1,
        i < n - w ? i + w : -1,
      ];
      let r = 0;
      let g = 0;
      let b = 0;
      let count = 0;
      for (const j of neighbours) {
        if (j < 0) continue;
        r += colour[j * 3] ?? 0;
        g += colour[j * 3 + 1] ?? 0;
        b += colour[j * 3 + 2] ?? 0;
        count++;
      }
      next[i * 3] = r / count;
      next[i * 3 + 1] = g / count;
      next[i * 3 + 2] = b / count;
    }
    colour.set(next);
  }
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) out[i] = Math.round(Math.min(255, Math.max(0, colour[i] ?? 0)));
  return out;
}

/**
 * Fills the masked areas of an image from their surroundings (a documented inpainting
 * approximation, not a generative model): the masks' union (their maximum; each stretched to
 * the image's size) is the hole. The rectangle around the hole, widened by a quarter of its size
 * on each side (at least 16 px), is scaled to at most {@link FILL_WORKING_SIZE} px and filled by
 * {@link pushPullFill} (every pixel the hole touches counts as unknown); the fill is scaled back
 * and blended in with the mask as weight, so pixels outside the masks are unchanged. The output
 * is the input's format (JPEG stays JPEG; anything else is PNG), without alpha.
 *
 * @param image - JPEG or PNG, at most 4000 px a side.
 * @param masks - one or more masks (PNG or JPEG), 255 = fill.
 * @throws ImageDecodeError when an input is unreadable, of another format, or too large.
 * @example
 * const { bytes } = await fillMaskedAreas(photo, [maskOfTheLamp]);
 * @see `@psapi/openapi` photoshop-current.yaml, operation `fillMaskedAreas`
 */
export async function fillMaskedAreas(
  image: Uint8Array,
  masks: readonly Uint8Array[],
  options: MaskingOptions = {},
): Promise<EncodedImage<"image/jpeg" | "image/png">> {
  const decoded = await readMaskingImage(image, options);
  const { width, height, format } = decoded.info;
  const mediaType = format === "jpeg" ? "image/jpeg" : "image/png";
  const hole = new Uint8Array(width * height);
  for (const bytes of masks) {
    const mask = await readMask(bytes, width, height, decoded.limits);
    for (let i = 0; i < hole.length; i++) if ((mask[i] ?? 0) > (hole[i] ?? 0)) hole[i] = mask[i] ?? 0;
  }
  const rgb = { data: decoded.rgb, width, height, channels: 3 as const };
  const box = boundingBox(hole, width, height);
  if (!box) return encodeImage(rgb, mediaType);
  const margin = Math.max(16, Math.round(Math.max(box.width, box.height) / 4));
  const x = Math.max(0, box.x - margin);
  const y = Math.max(0, box.y - margin);
  const region = {
    x,
    y,
    width: Math.min(width, box.x + box.width + margin) - x,
    height: Math.min(height, box.y + box.height + margin) - y,
  };
  const scale = Math.min(1, FILL_WORKING_SIZE / Math.max(region.width, region.height));
  const w = Math.max(1, Math.round(region.width * scale));
  const h = Math.max(1, Math.round(region.height * scale));
  const crop = cropRaw(rgb, region);
  const holeCrop = cropRaw({ data: hole, width, height, channels: 1 }, region);
  const smallRgb = await sharp(crop.data, {
    raw: { width: region.width, height: region.height, channels: 3 },
  })
    .resize(w, h, { fit: "fill" })
    .raw()
    .toBuffer();
  // Area-averaged, so any pixel the hole touches is non-zero and counts as unknown.
  const smallHole = await sharp(holeCrop.data, {
    raw: { width: region.width, height: region.height, channels: 1 },
  })
    .resize(w, h, { fit: "fill", kernel: "linear" })
    .toColourspace("b-w")
    .raw()
    .toBuffer();
  const known = new Uint8Array(w * h);
  for (let i = 0; i < known.length; i++) known[i] = (smallHole[i] ?? 0) === 0 ? 1 : 0;
  const filledSmall = pushPullFill(smallRgb, known, w, h);
  const filled = await sharp(filledSmall, { raw: { width: w, height: h, channels: 3 } })
    .resize(region.width, region.height, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  const out = new Uint8Array(decoded.rgb);
  for (let yy = 0; yy < region.height; yy++) {
    for (let xx = 0; xx < region.width; xx++) {
      const i = (region.y + yy) * width + region.x + xx;
      const m = (hole[i] ?? 0) / 255;
      if (m === 0) continue;
      for (let c = 0; c < 3; c++) {
        const j = (yy * region.width + xx) * 3 + c;
        out[i * 3 + c] = Math.round((1 - m) * (decoded.rgb[i * 3 + c] ?? 0) + m * (filled[j] ?? 0));
      }
    }
  }
  return encodeImage({ data: out, width, height, channels: 3 }, mediaType);
}
