import sharp, { type Metadata, type Sharp, type SharpOptions } from "sharp";
import { corruptImage, ImageDecodeError } from "./errors.js";

/** The container formats the imaging module recognises by their signature bytes. */
export type ImageFormat = "jpeg" | "png" | "tiff" | "webp" | "psd";

/** The raster formats sharp decodes for masks, cutouts and flat manifests. */
export type RasterFormat = Exclude<ImageFormat, "psd">;

/** Every raster format the decoders take, in the order error messages name them. */
export const RASTER_FORMATS: readonly RasterFormat[] = Object.freeze(["png", "jpeg", "tiff", "webp"]);

const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: "PNG",
  jpeg: "JPEG",
  tiff: "TIFF",
  webp: "WebP",
  psd: "PSD",
};

/** Size limits applied before any pixel is decoded. */
export interface ImageLimits {
  /** Largest accepted input, in bytes. Default 256 MiB. */
  maxInputBytes: number;
  /** Largest accepted width and height, in pixels. Default 10000 (Adobe's Sensei input limit). */
  maxDimension: number;
}

/**
 * The default limits: 10000 × 10000 px is the largest input Adobe documents for the Sensei mask
 * and cutout services; 256 MiB bounds the memory one job may hold (Adobe allows up to 1000 MB for
 * documentManifest, far more than an in-memory emulator should take).
 *
 * @see `@psapi/openapi` photoshop.yaml, operations `createMask` and `removeBackground` ("Max input resolution 10k × 10k px").
 */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxInputBytes: 256 * 1024 * 1024,
  maxDimension: 10_000,
});

/** What the header of a raster image says, read without decoding its pixels. */
export interface RasterInfo {
  format: RasterFormat;
  /** Width after EXIF orientation, as Photoshop and every viewer show it. */
  width: number;
  /** Height after EXIF orientation. */
  height: number;
  metadata: Metadata;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

/**
 * Names the format from its signature bytes. Sniffing first keeps decoders for formats we do
 * not serve (SVG, PDF, HEIF, GIF…) away from untrusted input.
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return "tiff";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) {
    return "webp";
  }
  if (startsWith(bytes, [0x38, 0x42, 0x50, 0x53])) return "psd";
  return undefined;
}

/** Merges caller overrides over the defaults, validating them once. */
export function resolveLimits(overrides: Partial<ImageLimits> | undefined): ImageLimits {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`[@psapi/mock-server] imaging limit ${key} must be a positive integer`);
    }
  }
  return limits;
}

/**
 * Refuses empty or over-long input; returns the sniffed format (undefined = unknown).
 *
 * @throws TypeError when `input` is not a Uint8Array (a caller's bug, not bad input).
 * @throws ImageDecodeError (`empty` or `too-large`).
 */
export function checkBytes(input: Uint8Array, limits: ImageLimits): ImageFormat | undefined {
  if (!(input instanceof Uint8Array)) {
    throw new TypeError("[@psapi/mock-server] imaging input must be a Uint8Array");
  }
  if (input.length === 0) throw new ImageDecodeError("empty", "the input is empty");
  if (input.length > limits.maxInputBytes) {
    throw new ImageDecodeError(
      "too-large",
      `the input is ${input.length} bytes, over the limit of ${limits.maxInputBytes} bytes`,
    );
  }
  return sniffFormat(input);
}

/** Throws `too-large` when either side exceeds the limit. */
export function checkDimensions(width: number, height: number, limits: ImageLimits): void {
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw new ImageDecodeError(
      "too-large",
      `the image is ${width} x ${height} px, over the limit of ${limits.maxDimension} x ${limits.maxDimension} px`,
    );
  }
}

/**
 * Options for every sharp instance that reads untrusted input: the pixel cap is enforced by
 * libvips itself as a second line behind `checkDimensions`, and EXIF orientation is applied so
 * masks line up with the image as displayed.
 */
export function sharpInputOptions(limits: ImageLimits): SharpOptions {
  return {
    limitInputPixels: limits.maxDimension * limits.maxDimension,
    autoOrient: true,
    failOn: "error",
  };
}

/**
 * Reads a raster image's header (format, oriented size, colour metadata) without decoding its
 * pixels, after the byte-size check, and refuses images over the dimension limit.
 *
 * @param formats - the formats accepted (default all of {@link RASTER_FORMATS}).
 * @throws ImageDecodeError when the input is empty, too large, not of an accepted format, or corrupt.
 */
export async function inspectRaster(
  input: Uint8Array,
  limits: ImageLimits,
  formats: readonly RasterFormat[] = RASTER_FORMATS,
): Promise<RasterInfo> {
  const format = checkBytes(input, limits);
  if (format === undefined || format === "psd" || !formats.includes(format)) {
    const names = formats.map((f) => FORMAT_NAMES[f]);
    const list = `${names.slice(0, -1).join(", ")}${names.length > 1 ? " or " : ""}${names.at(-1) ?? ""}`;
    const what =
      format === undefined
        ? `not a ${list} image`
        : format === "psd"
          ? "a PSD document"
          : `a ${FORMAT_NAMES[format]} image; only ${list} is accepted here`;
    throw new ImageDecodeError("unsupported-format", `the input is ${what}`);
  }
  let metadata: Metadata;
  try {
    // Only the header is read here, so libvips' pixel cap is off: with it, an oversized image fails
    // as "Input image exceeds pixel limit" before checkDimensions can say how large it is and what
    // the limit is. Every decode still runs with the cap (sharpInputOptions).
    metadata = await sharp(input, { ...sharpInputOptions(limits), limitInputPixels: false }).metadata();
  } catch (error) {
    throw corruptImage(format, error);
  }
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  if (!(width > 0 && height > 0)) {
    throw new ImageDecodeError("corrupt", `the ${format} image has no valid dimensions`);
  }
  checkDimensions(width, height, limits);
  return { format, width, height, metadata };
}

/**
 * Inspects a raster input (see {@link inspectRaster}), then decodes it under the same limits:
 * `decode` builds its pipeline on the sharp instance it is given and reads the result. The one
 * way an operation decodes an untrusted image, so every failure of the decode says `corrupt` and
 * names the format.
 *
 * @param formats - the formats accepted (default all of {@link RASTER_FORMATS}).
 * @param decode - the pipeline and its read, given `sharp(input)` and the input's header.
 * @throws ImageDecodeError as {@link inspectRaster}, and `corrupt` when the decode fails.
 * @example
 * const { decoded } = await decodeRaster(bytes, limits, ["png"], (image) => image.raw().toBuffer());
 */
export async function decodeRaster<T>(
  input: Uint8Array,
  limits: ImageLimits,
  formats: readonly RasterFormat[] | undefined,
  decode: (image: Sharp, info: RasterInfo) => Promise<T>,
): Promise<{ info: RasterInfo; decoded: T }> {
  const info = await inspectRaster(input, limits, formats);
  try {
    return { info, decoded: await decode(sharp(input, sharpInputOptions(limits)), info) };
  } catch (error) {
    throw corruptImage(info.format, error);
  }
}

/**
 * Checks an input's header against one operation's rule without decoding its pixels: the format
 * (by signature) and the size. What the current contract's routes run when the POST arrives.
 *
 * @throws ImageDecodeError (`empty`, `unsupported-format`, `corrupt`, `too-large`).
 * @example
 * await inspectImage(bytes, { maxDimension: 6000, formats: ["jpeg", "png", "webp", "tiff"] });
 */
export async function inspectImage(
  input: Uint8Array,
  rule: { maxDimension: number; formats: readonly RasterFormat[] },
): Promise<RasterInfo> {
  return inspectRaster(input, resolveLimits({ maxDimension: rule.maxDimension }), rule.formats);
}
