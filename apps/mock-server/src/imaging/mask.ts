import sharp, { type Sharp } from "sharp";
import { corruptImage } from "./errors.js";
import {
  decodeRaster,
  type ImageLimits,
  type RasterFormat,
  type RasterInfo,
  resolveLimits,
  sharpInputOptions,
} from "./input.js";
import { segmentSubject } from "./segmentation.js";

/** Longest side of the working image the separation runs on; the mask is upscaled from it. */
export const WORKING_SIZE = 256;

/**
 * zlib level for the PNGs we write. Masks are mostly flat areas that compress well even at a
 * low level, and level 6 costs several times more at 12 MP for a few per cent of size.
 */
const PNG_COMPRESSION = 2;

/** Options of {@link computeMask}. */
export interface MaskOptions {
  /** `soft`: 0–255 with feathered edges; `binary`: only 0 and 255 (the soft mask cut at 128). */
  format: "soft" | "binary";
  /** Overrides of the size limits (see `DEFAULT_IMAGE_LIMITS`). */
  limits?: Partial<ImageLimits>;
}

/** Options of {@link computeCutout}. */
export interface CutoutOptions {
  /** Overrides of the size limits (see `DEFAULT_IMAGE_LIMITS`). */
  limits?: Partial<ImageLimits>;
}

/** The subject mask at working size, with what it was computed from. */
export interface WorkingMask {
  /** The input's header (format, oriented full size). */
  info: RasterInfo;
  /** The soft mask at working size, one byte per pixel, 255 = subject. */
  mask: Uint8Array;
  /** The working copy the mask was computed on: interleaved sRGB + alpha, `width × height`. */
  pixels: Uint8Array;
  width: number;
  height: number;
  limits: ImageLimits;
}

/**
 * Decodes a small working copy of the input (longest side {@link WORKING_SIZE}) and separates
 * its subject (see ./README.md). Every operation that starts from "the subject" starts here.
 *
 * @param formats - the input formats the caller accepts (others get `unsupported-format`).
 * @throws ImageDecodeError when the input is unreadable, of another format, or over the limits.
 */
export async function workingMask(
  input: Uint8Array,
  overrides: Partial<ImageLimits> | undefined,
  formats?: readonly RasterFormat[],
): Promise<WorkingMask> {
  const limits = resolveLimits(overrides);
  const { info, decoded } = await decodeRaster(input, limits, formats, (image) =>
    // JPEG shrink-on-load makes this cheap even at 12 MP: the decoder itself downsamples.
    image
      .resize(WORKING_SIZE, WORKING_SIZE, { fit: "inside", withoutEnlargement: true })
      .toColourspace("srgb")
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true }),
  );
  const { width, height } = decoded.info;
  const pixels = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const mask = segmentSubject({ data: pixels, width, height });
  return { info, mask, pixels, width, height, limits };
}

/** The nearest-neighbour zoom factor is at most the upscale factor divided by this. */
const ZOOM_SHARE = 4;

/**
 * A sharp pipeline that upscales the working mask to the input's full size, one channel.
 *
 * libvips' bilinear upscale by a large non-integer factor is slow (≈ 150 ms CPU to 12 MP), while
 * a bilinear upscale to a small size and a nearest-neighbour zoom by an integer factor are both
 * cheap. So: bilinear to ⌈full / f⌉, zoom by f, crop the < f extra pixels. With f at most a
 * quarter of the scale, the zoom's f-pixel steps are small against the soft edge (≈ 3 working
 * pixels wide, so ≥ 12 f wide at full size); the crop shifts the far edge by under f pixels.
 */
function upscaled(working: WorkingMask): Promise<Sharp> {
  return upscaleMask(working.mask, working.width, working.height, working.info.width, working.info.height);
}

/**
 * Upscales any one-channel working-size image (a mask) to `width × height` the way
 * {@link computeMask} does (bilinear, then an integer nearest-neighbour zoom, then a crop).
 *
 * @returns a sharp pipeline of one channel (b-w), ready for `.raw()` or an encoder.
 */
export async function upscaleMask(
  mask: Uint8Array,
  maskWidth: number,
  maskHeight: number,
  width: number,
  height: number,
): Promise<Sharp> {
  const scale = Math.min(width / maskWidth, height / maskHeight);
  const f = Math.max(1, Math.floor(scale / ZOOM_SHARE));
  const w1 = Math.ceil(width / f);
  const h1 = Math.ceil(height / f);
  // Without toColourspace("b-w") sharp writes greyscale out as three identical sRGB channels.
  const smooth = sharp(mask, { raw: { width: maskWidth, height: maskHeight, channels: 1 } })
    .resize(w1, h1, { fit: "fill", kernel: "linear" })
    .toColourspace("b-w");
  if (f === 1) return smooth;
  const intermediate = await smooth.raw().toBuffer();
  return sharp(intermediate, { raw: { width: w1, height: h1, channels: 1 } })
    .resize(w1 * f, h1 * f, { kernel: "nearest" })
    .extract({ left: 0, top: 0, width, height })
    .toColourspace("b-w");
}

/**
 * Computes a subject/background mask: a greyscale (one-channel) PNG the size of the input
 * (after EXIF orientation), 255 where the subject is. Deterministic: the same bytes in give the
 * same bytes out. The separation is colour-based (see ./README.md), not a trained model.
 *
 * @param input - PNG, JPEG, TIFF or WebP bytes.
 * @param options - `format` (`soft` or `binary`) and optional `limits`.
 * @returns the PNG bytes.
 * @throws ImageDecodeError when the input is not a readable image or exceeds the limits.
 * @example
 * const png = await computeMask(jpegBytes, { format: "soft" });
 * @see `@psapi/openapi` photoshop.yaml, operation `createMask` (POST /sensei/mask).
 */
export async function computeMask(input: Uint8Array, options: MaskOptions): Promise<Uint8Array> {
  const working = await workingMask(input, options.limits);
  const pipeline = await upscaled(working);
  if (options.format === "binary") pipeline.threshold(128);
  const png = await pipeline.png({ compressionLevel: PNG_COMPRESSION }).toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Removes the background: an RGBA PNG of the input (converted to sRGB, EXIF orientation
 * applied) whose alpha channel is exactly the soft mask {@link computeMask} returns.
 *
 * @param input - PNG, JPEG, TIFF or WebP bytes.
 * @param options - optional `limits`.
 * @returns the PNG bytes.
 * @throws ImageDecodeError when the input is not a readable image or exceeds the limits.
 * @example
 * const png = await computeCutout(jpegBytes);
 * @see `@psapi/openapi` photoshop.yaml, operation `removeBackground` (POST /sensei/cutout).
 */
export async function computeCutout(input: Uint8Array, options: CutoutOptions = {}): Promise<Uint8Array> {
  const working = await workingMask(input, options.limits);
  const { width, height } = working.info;
  const alpha = await (await upscaled(working)).raw().toBuffer();
  const alphaRaw = { raw: { width, height, channels: 1 as const } };
  const { channels, hasAlpha } = working.info.metadata;
  let png: Buffer;
  try {
    if (channels === 3 && !hasAlpha) {
      // The common case (RGB JPEG or PNG): one pipeline, no full-size RGB copy through JS.
      png = await sharp(input, sharpInputOptions(working.limits))
        .joinChannel(alpha, alphaRaw)
        .toColourspace("srgb")
        .png({ compressionLevel: PNG_COMPRESSION })
        .toBuffer();
    } else {
      const rgb = await decodeRgb(input, working);
      png = await sharp(rgb, { raw: { width, height, channels: 3 } })
        .joinChannel(alpha, alphaRaw)
        .png({ compressionLevel: PNG_COMPRESSION })
        .toBuffer();
    }
  } catch (error) {
    throw corruptImage(working.info.format, error);
  }
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * The input at full size as interleaved 8-bit sRGB, three channels (alpha and CMYK's fourth
 * channel dropped after conversion), EXIF orientation applied.
 *
 * @throws ImageDecodeError (`corrupt`) when libvips cannot decode it.
 */
export async function decodeRgb(
  input: Uint8Array,
  working: Pick<WorkingMask, "info" | "limits">,
): Promise<Buffer> {
  try {
    // Two steps: within one pipeline sharp would drop or convert the extra channels (alpha,
    // CMYK's fourth) after joining others.
    return await sharp(input, sharpInputOptions(working.limits))
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer();
  } catch (error) {
    throw corruptImage(working.info.format, error);
  }
}
