import { readPsd } from "ag-psd";
import sharp, { type Sharp } from "sharp";
import { preparePsdPixels } from "../imaging/composite/pixels.js";
import { DEFAULT_IMAGE_LIMITS, sharpInputOptions, sniffFormat } from "../imaging/input.js";
import type { Job, ManifestRequest, SenseiRequest } from "../jobs/jobs.js";
import { isValidKey, OBJECTS_PATH } from "../storage/signing.js";

/** A rectangle in the input's pixels, drawn over its thumbnail (mask-objects results). */
export interface ImageBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
}

/** One image a job read or wrote, as the inspector shows it. */
export interface JobImage {
  role: "input" | "output";
  /** What it is: `input`, `mask`, `cutout`, `document`… */
  label: string;
  href: string;
  storage?: string;
  /** Boxes to draw over it. */
  boxes?: readonly ImageBox[];
}

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
/** `{source: {url}}` → the url. */
const sourceUrl = (value: unknown) =>
  isObject(value) && isObject(value.source) && typeof value.source.url === "string"
    ? value.source.url
    : undefined;

/** A `boundingBox` as the spec writes it (`x, y`) or as Adobe's guides do (`left, top`). */
function boxOf(value: unknown, label: unknown): ImageBox | undefined {
  if (!isObject(value)) return undefined;
  const [x, y, width, height] = [value.x ?? value.left, value.y ?? value.top, value.width, value.height];
  if (![x, y, width, height].every((n) => typeof n === "number" && Number.isFinite(n))) return undefined;
  return {
    x: x as number,
    y: y as number,
    width: width as number,
    height: height as number,
    ...(typeof label === "string" ? { label } : {}),
  };
}

/**
 * The images of a current-contract job (`/v2/remove-background`, `/v1/mask-objects` …): the
 * request's `image.source.url` and any `mask`/`masks` sources as inputs, and every image its
 * result points at (`outputs[]`, `semanticMasks[]`, `mask`, `image` … with `destination.url`) as
 * outputs; bounding boxes of the results are drawn over the input.
 */
function currentContractImages(request: unknown, result: unknown): JobImage[] {
  const inputs: JobImage[] = [];
  const outputs: JobImage[] = [];
  const boxes: ImageBox[] = [];
  if (isObject(request)) {
    const image = sourceUrl(request.image);
    if (image) inputs.push({ role: "input", label: "input", href: image });
    const masks = [request.mask, ...(Array.isArray(request.masks) ? request.masks : [])];
    for (const mask of masks) {
      const href = sourceUrl(mask);
      if (href) inputs.push({ role: "input", label: "mask", href });
    }
    // create-artboard's images, and the files create-composite's layer entries place.
    for (const [i, item] of (Array.isArray(request.images) ? request.images : []).entries()) {
      const href = sourceUrl(item);
      if (href) inputs.push({ role: "input", label: `image ${i + 1}`, href });
    }
    const layers = isObject(request.edits) && Array.isArray(request.edits.layers) ? request.edits.layers : [];
    for (const entry of layers) {
      if (!isObject(entry)) continue;
      const smart = isObject(entry.smartObject) ? entry.smartObject.smartObjectFile : undefined;
      const href = sourceUrl(entry.image) ?? sourceUrl(smart);
      const name = typeof entry.name === "string" ? entry.name : "layer";
      if (href) inputs.push({ role: "input", label: `layer: ${name}`, href });
    }
  }
  if (isObject(result)) {
    for (const [field, value] of Object.entries(result)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (!isObject(item) || !isObject(item.destination) || typeof item.destination.url !== "string")
          continue;
        if (typeof item.mediaType === "string" && !item.mediaType.startsWith("image/")) continue;
        const label = typeof item.label === "string" ? `${field}: ${item.label}` : field;
        outputs.push({ role: "output", label, href: item.destination.url });
        const box = boxOf(item.boundingBox, item.label);
        if (box) boxes.push(box);
      }
    }
  }
  const [first, ...rest] = inputs;
  return first ? [{ ...first, ...(boxes.length > 0 ? { boxes } : {}) }, ...rest, ...outputs] : outputs;
}

/**
 * The images of a job, inputs first: for mask and cutout the input and the output; for a document
 * manifest the PSD (its composite is the preview); for the current contract's jobs (remove
 * background, masking) the source image with the result's boxes drawn over it, then each image
 * the result points at.
 */
export function jobImages(job: Job): JobImage[] {
  if (job.kind === "manifest") {
    const input = (job.request as ManifestRequest).inputs[0];
    return input ? [{ role: "input", label: "document", ...input }] : [];
  }
  if (job.kind === "mask" || job.kind === "cutout") {
    const request = job.request as SenseiRequest;
    const images: JobImage[] = [{ role: "input", label: "input", ...request.input }];
    if (job.status === "succeeded") images.push({ role: "output", label: job.kind, ...request.output });
    return images;
  }
  return currentContractImages(job.request, (job as { result?: unknown }).result);
}

/**
 * The key in the emulator's own store an href names (an `adobe` path, or a storage-object URL on
 * one of the job's own origins), or `undefined` for anything else. The signature is not checked:
 * the job already used the URL, and the inspector only shows what the store holds.
 */
export function ownStoreKey(image: Pick<JobImage, "href" | "storage">, ownOrigins: ReadonlySet<string>) {
  let key: string | undefined;
  if (image.storage === "adobe") {
    key = image.href.replace(/^\//, "");
  } else {
    try {
      const url = new URL(image.href);
      if (ownOrigins.has(url.origin) && url.pathname.startsWith(OBJECTS_PATH)) {
        key = decodeURIComponent(url.pathname.slice(OBJECTS_PATH.length));
      }
    } catch {
      return undefined;
    }
  }
  return key !== undefined && isValidKey(key) ? key : undefined;
}

function boxesSvg(boxes: readonly ImageBox[], scale: number, width: number, height: number): Buffer {
  const rects = boxes
    .map((box) => {
      const [x, y, w, h] = [box.x, box.y, box.width, box.height].map((v) => Math.round(v * scale));
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#ff2d6f" stroke-width="2"/>`;
    })
    .join("");
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects}</svg>`,
  );
}

/**
 * A PNG at most {@link THUMBNAIL_SIZE} pixels on its longest side: a raster image scaled down, or a
 * PSD's composite; boxes drawn over it. Decoding keeps the imaging module's limits.
 *
 * @returns the PNG, or `undefined` when the bytes are no image this can show (say, a PSD saved
 *   without its composite).
 */
export async function renderThumbnail(bytes: Uint8Array, boxes: readonly ImageBox[] = []) {
  const limits = DEFAULT_IMAGE_LIMITS;
  if (bytes.length === 0 || bytes.length > limits.maxInputBytes) return undefined;
  let image: Sharp;
  let sourceWidth: number;
  try {
    if (sniffFormat(bytes) === "psd") {
      // The header's height and width (big-endian at 14 and 18) first: no composite over the limit.
      const header = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 26));
      if (
        header.length < 26 ||
        Math.max(header.readUInt32BE(14), header.readUInt32BE(18)) > limits.maxDimension
      ) {
        return undefined;
      }
      preparePsdPixels();
      const psd = readPsd(bytes, { useImageData: true, skipLayerImageData: true, skipThumbnail: true });
      if (!psd.imageData) return undefined;
      const { width, height, data } = psd.imageData;
      image = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        raw: { width, height, channels: 4 },
      });
      sourceWidth = width;
    } else if (sniffFormat(bytes) !== undefined) {
      image = sharp(bytes, sharpInputOptions(limits));
      sourceWidth = (await image.metadata()).autoOrient?.width ?? 0;
    } else {
      return undefined;
    }
    const { data, info } = await image
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .png()
      .toBuffer({ resolveWithObject: true });
    if (boxes.length === 0 || sourceWidth === 0) return data;
    const overlay = boxesSvg(boxes, info.width / sourceWidth, info.width, info.height);
    return await sharp(data)
      .composite([{ input: overlay }])
      .png()
      .toBuffer();
  } catch {
    return undefined;
  }
}
