import type { Layer } from "ag-psd";
import sharp from "sharp";
import { decodeRasterPixels, readPsdDocument } from "./composite/document.js";
import { alphaBounds, cropPixels } from "./composite/geometry.js";
import type { Pixels } from "./composite/pixels.js";
import { checkBytes, type ImageLimits, inspectRaster } from "./input.js";
import { maxLayerId } from "./psd-manifest.js";

/** What generate-manifest adds to the manifest besides the layer tree. */
export interface ManifestExtrasOptions {
  /** `includeLayerThumbnails`: one image per layer with pixels. */
  thumbnails?: {
    /** `maximumThumbnailDepth`: top-level layers are depth 1; 0 is no limit. */
    maxDepth: number;
    mediaType: "image/png" | "image/jpeg";
    /** JPEG quality (1-100) or PNG zlib level (0-9). */
    quality?: number;
    compression?: number;
    /** `trimToTransparency`: cut each thumbnail to its visible pixels. */
    trim: boolean;
  };
  /** `includeXmp`: the document's XMP packet. */
  xmp: boolean;
}

/** One layer's thumbnail, by the layer's id (the manifest's `id`). */
export interface LayerThumbnail {
  layerId: number;
  bytes: Uint8Array;
  mediaType: string;
}

/**
 * The longest side of a thumbnail, in pixels: psapi's choice (Adobe documents none); a layer
 * smaller than that keeps its size.
 */
export const THUMBNAIL_MAX_SIDE = 512;

async function encode(pixels: Pixels, options: NonNullable<ManifestExtrasOptions["thumbnails"]>) {
  let image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 4 } }).resize(
    THUMBNAIL_MAX_SIDE,
    THUMBNAIL_MAX_SIDE,
    { fit: "inside", withoutEnlargement: true },
  );
  image =
    options.mediaType === "image/jpeg"
      ? image.flatten({ background: "#ffffff" }).jpeg({ quality: options.quality ?? 80 })
      : image.png({ compressionLevel: options.compression ?? 6 });
  return new Uint8Array(await image.toBuffer());
}

/**
 * The thumbnails and XMP of a manifest, from the same input: for a PSD, each layer's own pixels
 * (groups, adjustment layers and empty layers have none, so no thumbnail), at most
 * {@link THUMBNAIL_MAX_SIDE} px on the longest side; for an image, its one layer (id 1, as the
 * manifest names it, -1).
 *
 * @throws DocumentError / ImageDecodeError for an input the manifest could read but the pixels
 *   not (the job fails the documented way).
 */
export async function readManifestExtras(
  input: Uint8Array,
  options: ManifestExtrasOptions,
  limits: ImageLimits,
): Promise<{ thumbnails: LayerThumbnail[]; xmp?: string }> {
  // Neither asked for (most manifests): no second read of the document.
  if (!options.thumbnails && !options.xmp) return { thumbnails: [] };
  const thumbnails: LayerThumbnail[] = [];
  const settings = options.thumbnails;
  const thumbnail = async (layerId: number, pixels: Pixels) => {
    if (!settings) return;
    let shown = pixels;
    if (settings.trim) {
      const box = alphaBounds(pixels);
      if (!box) return; // nothing visible: no thumbnail
      shown = cropPixels(pixels, box.left, box.top, box.width, box.height);
    }
    thumbnails.push({ layerId, bytes: await encode(shown, settings), mediaType: settings.mediaType });
  };
  if (checkBytes(input, limits) === "psd") {
    const psd = readPsdDocument(input, "/image/source", limits, settings ? "full" : "plan");
    const layers = psd.children ?? [];
    if (settings && layers.length === 0) {
      // No layer records: the manifest's one background layer (id -1) is the stored composite.
      if (psd.imageData) await thumbnail(-1, psd.imageData as Pixels);
    }
    // The ids the manifest gives (readPsdManifest): the file's, else numbered on from the largest,
    // a group's after its children's.
    let nextId = maxLayerId(layers) + 1;
    const walk = async (list: readonly Layer[], depth: number) => {
      for (const layer of list) {
        if (layer.children) await walk(layer.children, depth + 1);
        const id = layer.id ?? nextId++;
        const pixels = layer.imageData as Pixels | undefined;
        if (settings && (settings.maxDepth === 0 || depth <= settings.maxDepth) && pixels && pixels.width > 0)
          await thumbnail(id, pixels);
      }
    };
    await walk(layers, 1);
    const xmp = options.xmp ? psd.imageResources?.xmpMetadata : undefined;
    return { thumbnails, ...(xmp !== undefined && { xmp }) };
  }
  // An image is one background layer (id -1, as the manifest names it).
  if (settings) await thumbnail(-1, await decodeRasterPixels(input, limits));
  // The header only, at Photoshop's largest canvas (as the manifest reads it).
  const xmp = options.xmp
    ? (await inspectRaster(input, { ...limits, maxDimension: 300_000 })).metadata.xmpAsString
    : undefined;
  return { thumbnails, ...(xmp !== undefined && { xmp }) };
}
