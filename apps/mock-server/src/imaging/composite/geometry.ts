import sharp, { type KernelEnum } from "sharp";
import { asBytes } from "../raster.js";
import { blank, type Pixels } from "./pixels.js";

/** A v2 `resample` name. */
export type Resample = "nearest_neighbor" | "bilinear" | "bicubic" | "bicubic_smoother" | "bicubic_sharper";

/** v2 resampling → libvips kernels (our choice: Adobe does not say which kernels it runs). */
const KERNELS: Record<Resample, keyof KernelEnum> = {
  nearest_neighbor: "nearest",
  bilinear: "linear",
  bicubic: "cubic",
  bicubic_smoother: "mitchell",
  bicubic_sharper: "lanczos3",
};

/** Scales pixels to exactly `width` x `height` (the aspect ratio is the caller's business). */
export async function resizePixels(
  pixels: Pixels,
  width: number,
  height: number,
  resample: Resample,
): Promise<Pixels> {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  if (w === pixels.width && h === pixels.height) return pixels;
  const { data } = await sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: 4 },
  })
    .resize(w, h, { fit: "fill", kernel: KERNELS[resample] })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const bytes = asBytes(data);
  return {
    data: new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    width: w,
    height: h,
  };
}

/** The rectangle (`left`, `top`, `width`, `height`) of `pixels`; parts outside it are transparent. */
export function cropPixels(pixels: Pixels, left: number, top: number, width: number, height: number): Pixels {
  const out = blank(Math.max(0, width), Math.max(0, height));
  const x0 = Math.max(0, left);
  const x1 = Math.min(pixels.width, left + width);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, top); y < Math.min(pixels.height, top + height); y++) {
    const from = (y * pixels.width + x0) * 4;
    out.data.set(pixels.data.subarray(from, from + (x1 - x0) * 4), ((y - top) * out.width + (x0 - left)) * 4);
  }
  return out;
}

/** The smallest rectangle holding every pixel with alpha > 0, or undefined for an empty frame. */
export function alphaBounds(
  pixels: Pixels,
): { left: number; top: number; width: number; height: number } | undefined {
  let x0 = pixels.width;
  let y0 = pixels.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      if ((pixels.data[(y * pixels.width + x) * 4 + 3] ?? 0) === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? undefined : { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The largest `width` x `height` of the given aspect that fits inside `box` (never upscaled past it). */
export function fitInside(
  width: number,
  height: number,
  boxWidth: number,
  boxHeight: number,
): { width: number; height: number } {
  const scale = Math.min(boxWidth / width, boxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The smallest size of the given aspect that covers `box`. */
export function cover(
  width: number,
  height: number,
  boxWidth: number,
  boxHeight: number,
): { width: number; height: number } {
  const scale = Math.max(boxWidth / width, boxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
