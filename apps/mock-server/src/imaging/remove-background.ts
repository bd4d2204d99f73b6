import { decontaminate } from "./decontaminate.js";
import {
  type EncodedImage,
  encodeImage,
  type OutputMediaType,
  PSD_MEDIA_TYPE,
  type PsdLayer,
  writeLayeredPsd,
} from "./encode.js";
import type { ImageLimits, RasterFormat } from "./input.js";
import { decodeRgb, upscaleMask, workingMask } from "./mask.js";
import { asBytes, boundingBox, cropRaw, joinAlpha, type RawImage } from "./raster.js";

/** What `/v2/remove-background` returns: the subject on transparency, its mask, or a layered PSD. */
export type RemoveBackgroundMode = "cutout" | "mask" | "psd";

/** `backgroundColor`: red, green, blue 0–255 and alpha 0–1 (0 = fully transparent). */
export interface BackgroundColor {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

/** Options of {@link removeBackground}; all optional, with Adobe's defaults. */
export interface RemoveBackgroundOptions {
  /** Default `cutout`. */
  mode?: RemoveBackgroundMode;
  /** Default: see {@link defaultMediaType}. */
  mediaType?: OutputMediaType;
  /** Crop to the subject's extent (every pixel whose alpha is above 0). Default false. */
  trim?: boolean;
  /** Fill behind the subject (cutout and psd modes). */
  backgroundColor?: BackgroundColor;
  /** 0–1; default 1. How far edge pixels lose the background's colour cast (see decontaminate.ts). */
  colorDecontamination?: number;
  /** Size limits; `maxDimension` defaults to {@link REMOVE_BACKGROUND_MAX_DIMENSION}. */
  limits?: Partial<ImageLimits>;
}

/** Adobe's documented input limit of remove-background: 6000 × 6000 px. */
export const REMOVE_BACKGROUND_MAX_DIMENSION = 6000;

/** The input formats remove-background accepts (Adobe: JPEG, PNG, WebP, TIFF). */
export const REMOVE_BACKGROUND_FORMATS: readonly RasterFormat[] = Object.freeze([
  "jpeg",
  "png",
  "webp",
  "tiff",
]);

/**
 * The output media type when the request names none: Adobe's "matches the input source file
 * format". `psd` mode always writes a PSD. TIFF has no output type, so a TIFF input gives PNG
 * (lossless, keeps alpha: the nearest to TIFF of the four).
 */
export function defaultMediaType(mode: RemoveBackgroundMode, format: RasterFormat): OutputMediaType {
  if (mode === "psd") return PSD_MEDIA_TYPE;
  if (format === "jpeg") return "image/jpeg";
  if (format === "webp") return "image/webp";
  return "image/png";
}

/** Subject (alpha) over the background colour: alpha and colour by the "over" operator. */
function overColour(
  rgb: Uint8Array,
  alpha: Uint8Array,
  width: number,
  height: number,
  colour: BackgroundColor,
): RawImage {
  const n = width * height;
  const opaque = colour.alpha >= 1;
  const channels = opaque ? 3 : 4;
  const data = new Uint8Array(n * channels);
  const fill = [colour.red, colour.green, colour.blue];
  for (let i = 0; i < n; i++) {
    const a = (alpha[i] ?? 0) / 255;
    const behind = colour.alpha * (1 - a);
    const out = a + behind;
    for (let c = 0; c < 3; c++) {
      const subject = rgb[i * 3 + c] ?? 0;
      const value = out > 0 ? (subject * a + (fill[c] ?? 0) * behind) / out : (fill[c] ?? 0);
      data[i * channels + c] = Math.round(value);
    }
    if (!opaque) data[i * 4 + 3] = Math.round(out * 255);
  }
  return { data, width, height, channels };
}

/**
 * Removes an image's background, deterministically (the subject is the same colour-based
 * separation as the Sensei mask; see ./README.md):
 *
 * - `mask`: the subject mask, one grey channel (255 = subject); `backgroundColor` and
 *   `colorDecontamination` do not apply.
 * - `cutout`: the image with the mask as alpha, edges decontaminated, over `backgroundColor` when
 *   given (an opaque colour gives RGB, a translucent one RGBA).
 * - `psd`: a layered PSD: "Original" (the input, hidden), "Background color" (when given, with its
 *   alpha as opacity) and "Subject" (the decontaminated input with the mask as its layer mask);
 *   the composite is the cutout. Always a PSD, whatever `mediaType` says.
 *
 * `trim` crops to the mask's extent first (no crop when the mask is empty). A JPEG output has
 * no alpha: a transparent result is flattened onto white.
 *
 * @param input - JPEG, PNG, WebP or TIFF bytes.
 * @returns the encoded result with its media type and size.
 * @throws ImageDecodeError when the input is unreadable, of another format, or over 6000 px.
 * @example
 * const { bytes, mediaType } = await removeBackground(jpeg, { mode: "cutout", mediaType: "image/png" });
 * @see `@psapi/openapi` photoshop-current.yaml, operation `removeBackgroundV2`
 */
export async function removeBackground(
  input: Uint8Array,
  options: RemoveBackgroundOptions = {},
): Promise<EncodedImage> {
  const mode = options.mode ?? "cutout";
  const working = await workingMask(
    input,
    { maxDimension: REMOVE_BACKGROUND_MAX_DIMENSION, ...options.limits },
    REMOVE_BACKGROUND_FORMATS,
  );
  const mediaType =
    mode === "psd" ? PSD_MEDIA_TYPE : (options.mediaType ?? defaultMediaType(mode, working.info.format));
  const { width, height } = working.info;
  const fullAlpha = asBytes(
    await (await upscaleMask(working.mask, working.width, working.height, width, height)).raw().toBuffer(),
  );
  const box = (options.trim && boundingBox(fullAlpha, width, height)) || { x: 0, y: 0, width, height };
  const alpha = cropRaw({ data: fullAlpha, width, height, channels: 1 }, box).data;
  if (mode === "mask") {
    return encodeImage({ data: alpha, width: box.width, height: box.height, channels: 1 }, mediaType, "Mask");
  }
  const original = cropRaw(
    { data: asBytes(await decodeRgb(input, working)), width, height, channels: 3 },
    box,
  );
  const subject = await decontaminate(
    original.data,
    alpha,
    box.width,
    box.height,
    options.colorDecontamination ?? 1,
  );
  const cutout = options.backgroundColor
    ? overColour(subject, alpha, box.width, box.height, options.backgroundColor)
    : joinAlpha(subject, alpha, box.width, box.height);
  if (mode === "cutout") return encodeImage(cutout, mediaType, "Cutout");
  const layers: PsdLayer[] = [{ name: "Original", image: original, hidden: true }];
  const colour = options.backgroundColor;
  if (colour) {
    const fill = new Uint8Array(box.width * box.height * 3);
    for (let i = 0; i < fill.length; i += 3) fill.set([colour.red, colour.green, colour.blue], i);
    layers.push({
      name: "Background color",
      image: { data: fill, width: box.width, height: box.height, channels: 3 },
      opacity: colour.alpha,
    });
  }
  layers.push({ name: "Subject", image: { ...original, data: subject }, mask: alpha });
  return { bytes: writeLayeredPsd(cutout, layers), mediaType, width: box.width, height: box.height };
}
