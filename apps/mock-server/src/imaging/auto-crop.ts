import type { components } from "@psapi/openapi-types/photoshop-current";
import { encodeImage } from "./encode.js";
import type { ImageLimits, RasterFormat } from "./input.js";
import { decodeRgb, workingMask } from "./mask.js";
import { asBytes, type BoundingBox, boundingBox, cropRaw } from "./raster.js";

/** An aspect ratio auto-crop accepts (`"16:9"`, …). */
export type AspectRatio = components["schemas"]["AutoCropAspectRatio"];

/** The emulator's own input limit for auto-crop (Adobe documents none): remove-background's. */
export const AUTO_CROP_MAX_DIMENSION = 6000;
/** The input formats of auto-crop (its `image.mediaType` enum). */
export const AUTO_CROP_FORMATS: readonly RasterFormat[] = Object.freeze(["jpeg", "png", "webp"]);
/** Padding around the subject, in px per side: the padding of Adobe's published product-crop recipe. */
export const AUTO_CROP_PADDING = 10;

/** `"16:9"` → 16 / 9. */
export function ratioValue(ratio: AspectRatio): number {
  const [w, h] = ratio.split(":").map(Number);
  return (w ?? 1) / (h ?? 1);
}

/**
 * The crop of one aspect ratio around a subject box, in whole pixels of a `width × height` image:
 * the subject padded by `padding` on each side (inside the image), grown to the smallest box of
 * `ratio` holding it, enlarged by `1 / zoom` about its centre, and moved inside the image. When
 * that box is larger than the image, the largest box of the ratio that fits is centred on the
 * subject instead (it may then cut the subject). Width and height keep the ratio within half a
 * pixel (w = round(h × ratio)).
 */
export function cropForRatio(
  subject: BoundingBox,
  width: number,
  height: number,
  ratio: number,
  zoom = 1,
  padding = AUTO_CROP_PADDING,
): BoundingBox {
  const x0 = Math.max(0, subject.x - padding);
  const y0 = Math.max(0, subject.y - padding);
  const x1 = Math.min(width, subject.x + subject.width + padding);
  const y1 = Math.min(height, subject.y + subject.height + padding);
  const needW = (x1 - x0) / zoom;
  const needH = (y1 - y0) / zoom;
  // Smallest h with round(h × ratio) ≥ needW and h ≥ needH.
  let h = Math.max(1, Math.ceil(needH), Math.ceil(needW / ratio - 0.5));
  let w = Math.max(1, Math.round(h * ratio));
  while (w < needW) {
    h += 1;
    w = Math.round(h * ratio);
  }
  if (w > width || h > height) {
    h = Math.max(1, Math.min(height, Math.floor(width / ratio + 0.5)));
    w = Math.max(1, Math.round(h * ratio));
    while (w > width && h > 1) {
      h -= 1;
      w = Math.max(1, Math.round(h * ratio));
    }
  }
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const x = Math.min(width - w, Math.max(0, Math.round(cx - w / 2)));
  const y = Math.min(height - h, Math.max(0, Math.round(cy - h / 2)));
  return { x, y, width: w, height: h };
}

/** One crop of an auto-crop job: its box in source pixels and, when asked for, the cropped image. */
export interface AutoCropped {
  box: BoundingBox;
  image?: { bytes: Uint8Array; mediaType: string };
}

/** What an auto-crop job found and cut. */
export interface AutoCropResult {
  /** The subject's box in source pixels; the whole image when the segmentation found none. */
  subject: BoundingBox;
  /** Whether the segmentation found a subject. */
  found: boolean;
  crops: AutoCropped[];
}

const MEDIA_TYPES: Record<string, "image/jpeg" | "image/png" | "image/webp"> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

/**
 * Auto-crop's `smartCrop`, done for real: the subject is the emulator's segmentation (the one
 * remove-background uses, see ./README.md) at working size, its box scaled out to source pixels
 * (rounded outwards); each `(ratio, zoom)` gives one crop by {@link cropForRatio}, cut from the
 * input and encoded in the input's format when `images` is true.
 *
 * @throws ImageDecodeError when the input is unreadable, of another format, or over the limit.
 */
export async function autoCrop(
  input: Uint8Array,
  crops: readonly { ratio: AspectRatio; zoom?: number }[],
  options: { images: boolean; limits?: Partial<ImageLimits> },
): Promise<AutoCropResult> {
  const working = await workingMask(
    input,
    { maxDimension: AUTO_CROP_MAX_DIMENSION, ...options.limits },
    AUTO_CROP_FORMATS,
  );
  const { width, height } = working.info;
  const found = boundingBox(working.mask, working.width, working.height, 127);
  const sx = width / working.width;
  const sy = height / working.height;
  const subject = found
    ? (() => {
        const x = Math.max(0, Math.floor(found.x * sx));
        const y = Math.max(0, Math.floor(found.y * sy));
        const right = Math.min(width, Math.ceil((found.x + found.width) * sx));
        const bottom = Math.min(height, Math.ceil((found.y + found.height) * sy));
        return { x, y, width: right - x, height: bottom - y };
      })()
    : { x: 0, y: 0, width, height };
  const boxes = crops.map(({ ratio, zoom }) =>
    cropForRatio(subject, width, height, ratioValue(ratio), zoom ?? 1),
  );
  if (!options.images) return { subject, found: found !== undefined, crops: boxes.map((box) => ({ box })) };
  const rgb = { data: asBytes(await decodeRgb(input, working)), width, height, channels: 3 as const };
  const mediaType = MEDIA_TYPES[working.info.format] ?? "image/png";
  const cut: AutoCropped[] = [];
  for (const box of boxes) {
    const encoded = await encodeImage(cropRaw(rgb, box), mediaType);
    cut.push({ box, image: { bytes: encoded.bytes, mediaType } });
  }
  return { subject, found: found !== undefined, crops: cut };
}
