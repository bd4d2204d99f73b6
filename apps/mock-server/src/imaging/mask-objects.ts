import { encodeImage } from "./encode.js";
import { labelComponents } from "./filters.js";
import {
  decodeRaster,
  type ImageLimits,
  type RasterFormat,
  type RasterInfo,
  resolveLimits,
} from "./input.js";
import { upscaleMask, workingMask } from "./mask.js";
import { asBytes, type BoundingBox, boundingBox } from "./raster.js";
import { DEFAULT_SEGMENTATION } from "./segmentation.js";

/** Adobe's documented input limit of the masking endpoints: 4000 × 4000 px, images and masks. */
export const MASKING_MAX_DIMENSION = 4000;

/** The input formats the masking endpoints accept (Adobe's enums: JPEG and PNG). */
export const MASKING_FORMATS: readonly RasterFormat[] = Object.freeze(["jpeg", "png"]);

/** Most regions mask-objects reports (the largest first). */
export const MAX_OBJECTS = 8;

/** One labelled mask, as the masking endpoints report them. */
export interface LabelledMask {
  label: string;
  /** 0–1: how clearly the region stands out (see the README). */
  score: number;
  /** The extent of every non-zero pixel of `mask`, in input pixels. */
  boundingBox: BoundingBox;
  /** One-channel PNG at the input's size, 255 = in the region. */
  mask: Uint8Array;
}

/** Options shared by the masking operations. */
export interface MaskingOptions {
  /** Size limits; `maxDimension` defaults to {@link MASKING_MAX_DIMENSION}. */
  limits?: Partial<ImageLimits>;
}

/** The result of {@link maskObjects}. */
export interface MaskObjectsResult {
  /** One mask per detected region, largest first. */
  semanticMasks: LabelledMask[];
  /** The background (everything that is not a region); empty when the subject fills the frame. */
  backgroundMasks: LabelledMask[];
}

/** The resolved masking limits. */
export function maskingLimits(overrides: Partial<ImageLimits> | undefined): ImageLimits {
  return resolveLimits({ maxDimension: MASKING_MAX_DIMENSION, ...overrides });
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Encodes a full-size one-channel mask with its bounding box, or undefined when it is empty. */
async function labelled(label: string, score: number, mask: Uint8Array, width: number, height: number) {
  const box = boundingBox(mask, width, height);
  if (!box) return undefined;
  const png = await encodeImage({ data: mask, width, height, channels: 1 }, "image/png");
  return { label, score: round3(score), boundingBox: box, mask: png.bytes } satisfies LabelledMask;
}

/**
 * Finds the objects of an image: the same deterministic separation as the Sensei mask (see
 * ./README.md), split into its 8-connected regions. Each region whose core (mask ≥ 128) covers at
 * least 0.2 % of the working image becomes one mask, at most {@link MAX_OBJECTS}, largest first;
 * a region keeps the soft edge around its core (each edge pixel goes to the core it is reached
 * from first). Labels are `object` (there is no classifier) and `background`; the score is the
 * region's mean mask value over its core, 0–1.
 *
 * @param input - JPEG or PNG bytes, at most 4000 px a side.
 * @throws ImageDecodeError when the input is unreadable, of another format, or too large.
 * @example
 * const { semanticMasks, backgroundMasks } = await maskObjects(jpeg);
 * @see `@psapi/openapi` photoshop-current.yaml, operations `maskObjects` and `getMaskingJobStatus`
 */
export async function maskObjects(
  input: Uint8Array,
  options: MaskingOptions = {},
): Promise<MaskObjectsResult> {
  const working = await workingMask(input, maskingLimits(options.limits), MASKING_FORMATS);
  const { mask, width: w, height: h } = working;
  const { width, height } = working.info;
  const n = w * h;
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = (mask[i] ?? 0) >= 128 ? 1 : 0;
  const { labels, areas } = labelComponents(core, w, h);
  const minArea = Math.max(4, DEFAULT_SEGMENTATION.minComponentShare * n);
  const kept = areas
    .map((area, label) => ({ label, area }))
    .filter(({ label, area }) => label > 0 && area >= minArea)
    .sort((a, b) => b.area - a.area || a.label - b.label)
    .slice(0, MAX_OBJECTS);
  // Each soft-edge pixel (0 < mask < 128) belongs to the region whose core reaches it first.
  const owner = new Int32Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const keptLabels = new Set(kept.map((k) => k.label));
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? 0;
    if (keptLabels.has(label)) {
      owner[i] = label;
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    const i = queue[head++] ?? 0;
    const x = i % w;
    const spread = (j: number) => {
      if (owner[j] === 0 && (mask[j] ?? 0) > 0 && (labels[j] ?? 0) === 0) {
        owner[j] = owner[i] ?? 0;
        queue[tail++] = j;
      }
    };
    if (x > 0) spread(i - 1);
    if (x < w - 1) spread(i + 1);
    if (i >= w) spread(i - w);
    if (i < n - w) spread(i + w);
  }
  const semanticMasks: LabelledMask[] = [];
  for (const { label } of kept) {
    const region = new Uint8Array(n);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (owner[i] !== label) continue;
      region[i] = mask[i] ?? 0;
      if (labels[i] === label) {
        sum += mask[i] ?? 0;
        count++;
      }
    }
    const full = asBytes(await (await upscaleMask(region, w, h, width, height)).raw().toBuffer());
    const found = await labelled("object", sum / count / 255, full, width, height);
    if (found) semanticMasks.push(found);
  }
  const inverse = new Uint8Array(n);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    inverse[i] = 255 - (mask[i] ?? 0);
    if ((mask[i] ?? 0) < 128) {
      sum += inverse[i] ?? 0;
      count++;
    }
  }
  const fullInverse = asBytes(await (await upscaleMask(inverse, w, h, width, height)).raw().toBuffer());
  const background =
    count > 0 ? await labelled("background", sum / count / 255, fullInverse, width, height) : undefined;
  return { semanticMasks, backgroundMasks: background ? [background] : [] };
}

/** A decoded image input of the masking endpoints: header plus full-size sRGB pixels. */
export interface MaskingImage {
  info: RasterInfo;
  limits: ImageLimits;
  rgb: Uint8Array;
}

/**
 * Decodes a masking image input (JPEG or PNG, at most 4000 px) to full-size sRGB.
 *
 * @throws ImageDecodeError as {@link maskObjects}.
 */
export async function readMaskingImage(
  input: Uint8Array,
  options: MaskingOptions = {},
): Promise<MaskingImage> {
  const limits = maskingLimits(options.limits);
  const { info, decoded: rgb } = await decodeRaster(input, limits, MASKING_FORMATS, (image) =>
    image.toColourspace("srgb").removeAlpha().raw().toBuffer(),
  );
  return { info, limits, rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength) };
}

/**
 * Decodes a mask input (PNG or JPEG, at most 4000 px) to one grey byte per pixel at
 * `width × height`: a mask of another size is stretched to the image's (bilinear; the routes refuse
 * one before it gets here, `checkMaskSizes`), and
 * transparency counts as black.
 *
 * @throws ImageDecodeError when the mask is unreadable, of another format, or too large.
 */
export async function readMask(
  input: Uint8Array,
  width: number,
  height: number,
  limits: ImageLimits,
): Promise<Uint8Array> {
  const { decoded: grey } = await decodeRaster(input, limits, MASKING_FORMATS, (image, info) => {
    const flat = image.flatten({ background: "#000000" });
    const sized =
      info.width === width && info.height === height ? flat : flat.resize(width, height, { fit: "fill" });
    return sized.toColourspace("b-w").raw().toBuffer();
  });
  return new Uint8Array(grey.buffer, grey.byteOffset, grey.byteLength);
}
