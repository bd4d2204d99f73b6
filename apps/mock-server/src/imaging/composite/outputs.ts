import type { components } from "@psapi/openapi-types/photoshop-current";
import { type Layer, type Psd, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { readDocumentManifest } from "../manifest.js";
import { type ManifestV2, toManifestV2 } from "../manifest-v2.js";
import { asBytes } from "../raster.js";
import { boundsOf, findLayer, type WorkingDocument } from "./document.js";
import { DocumentError, invalidValue, unsupported } from "./errors.js";
import { alphaBounds, cropPixels, fitInside, type Resample, resizePixels } from "./geometry.js";
import type { Pixels } from "./pixels.js";
import { renderDocumentFast } from "./render.js";

type DocumentOutput = components["schemas"]["DocumentOutput"];

/** One rendered output, before it goes to its destination. */
export interface RenderedOutput {
  bytes: Uint8Array;
  mediaType: string;
  /** The manifest itself, for an `application/json` output embedded as `json`. */
  json?: ManifestV2;
}

/** JPEG quality names → libjpeg quality (psapi's choice: Adobe publishes no numbers). */
export const JPEG_QUALITY: Record<string, number> = {
  very_poor: 10,
  poor: 25,
  low: 40,
  medium: 60,
  high: 80,
  maximum: 92,
  photoshop_max: 100,
};

/** PNG compression names → zlib levels, in Adobe's documented order (`default` = 6). */
export const PNG_LEVEL: Record<string, number> = {
  none: 0,
  very_low: 1,
  low: 2,
  medium_low: 3,
  medium: 4,
  medium_high: 5,
  default: 6,
  high: 7,
  very_high: 8,
  maximum: 9,
};

const PSD_TYPES = new Set(["image/vnd.adobe.photoshop", "vnd.adobe.photoshop"]);

/**
 * The PSD of a document: its layer tree, and a composite only when the engine can draw one
 * faithfully (otherwise it is marked as not real, so that no reader, the emulator included,
 * serves it as Photoshop's picture). Text the request set is marked for Photoshop to redraw.
 */
export async function writeDocumentPsd(doc: WorkingDocument, psd: Psd = doc.psd): Promise<Uint8Array> {
  let composite = psd === doc.psd ? doc.composite : undefined;
  if (!composite) {
    try {
      composite = await renderDocumentFast(
        { ...doc, psd, mode: "strict", warnings: [] },
        "a PSD composite",
        "",
      );
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
    }
  }
  const out: Psd = { ...psd, imageData: composite };
  delete out.canvas;
  if (!composite) {
    // ag-psd writes a black composite when given none; the version resource says it is not real,
    // as Photoshop does for a file saved without "Maximize compatibility".
    delete out.imageData;
    out.imageResources = {
      ...out.imageResources,
      versionInfo: {
        hasRealMergedData: false,
        writerName: "psapi emulator",
        readerName: "Adobe Photoshop",
        fileVersion: 1,
      },
    };
  }
  return writePsdUint8Array(out, {
    invalidateTextLayers: true,
    noBackground: true,
    generateThumbnail: false,
  });
}

/** The layers an output's `layers` filter names, in document order. */
export function filteredLayers(
  doc: WorkingDocument,
  output: DocumentOutput,
  pointer: string,
): Layer[] | undefined {
  if (!output.layers || output.layers.length === 0) return undefined;
  return output.layers.map((ref, i) => {
    const slot = findLayer(doc.psd, ref);
    if (!slot) {
      throw invalidValue(
        `${pointer}/layers/${i}`,
        `the document has no layer ${ref.id !== undefined ? `id ${ref.id}` : `named '${ref.name}'`}`,
      );
    }
    return slot.layer;
  });
}

/** The output size per `width`, `height` and `maxWidth` (aspect kept), or the image's own. */
function outputSize(
  output: DocumentOutput,
  width: number,
  height: number,
): { width: number; height: number } {
  let size = { width, height };
  if (output.width !== undefined && output.height !== undefined)
    size = fitInside(width, height, output.width, output.height);
  else if (output.width !== undefined)
    size = { width: output.width, height: Math.max(1, Math.round((height * output.width) / width)) };
  else if (output.height !== undefined)
    size = { width: Math.max(1, Math.round((width * output.height) / height)), height: output.height };
  if (output.maxWidth !== undefined && size.width > output.maxWidth) {
    size = {
      width: output.maxWidth,
      height: Math.max(1, Math.round((size.height * output.maxWidth) / size.width)),
    };
  }
  return size;
}

async function encodeRaster(pixels: Pixels, output: DocumentOutput, pointer: string): Promise<Uint8Array> {
  let image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 4 } });
  const profile = output.iccProfile;
  if (profile) {
    if (profile.type !== "standard" || profile.name !== "sRGB IEC61966-2.1") {
      throw unsupported(
        `${pointer}/iccProfile`,
        `the ICC profile '${profile.name}' (the emulator embeds sRGB IEC61966-2.1 only)`,
      );
    }
    image = image.withIccProfile("srgb");
  }
  let bytes: Buffer;
  if (output.mediaType === "image/jpeg") {
    bytes = await image
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: JPEG_QUALITY[output.quality ?? "photoshop_max"] ?? 100 })
      .toBuffer();
  } else if (output.mediaType === "image/png") {
    bytes = await image.png({ compressionLevel: PNG_LEVEL[output.compression ?? "default"] ?? 6 }).toBuffer();
  } else {
    bytes = await image.tiff({ compression: "lzw" }).toBuffer();
  }
  return asBytes(bytes);
}

/**
 * Renders one output of the final document: its format, layer filter, crop mode and size.
 *
 * @param index - the output's position in `outputs`, for messages and pointers.
 */
export async function renderOutput(
  doc: WorkingDocument,
  output: DocumentOutput,
  index: number,
  title: string,
): Promise<RenderedOutput> {
  const pointer = `/outputs/${index}`;
  const mediaType = output.mediaType;
  const into = `${mediaType} (outputs/${index})`;
  if (mediaType.startsWith("document/vnd.adobe.cpsd"))
    throw unsupported(`${pointer}/mediaType`, "a Cloud PSD output");
  const layers = filteredLayers(doc, output, pointer);
  if (mediaType === "application/json") {
    const manifest = toManifestV2(await readDocumentManifest(await writeDocumentPsd(doc), title));
    return { bytes: new TextEncoder().encode(JSON.stringify(manifest)), mediaType, json: manifest };
  }
  if (PSD_TYPES.has(mediaType)) {
    if (output.width !== undefined || output.height !== undefined || output.maxWidth !== undefined) {
      throw unsupported(`${pointer}/width`, "resizing a PSD output (use edits.document.resize)");
    }
    if (output.iccProfile) throw unsupported(`${pointer}/iccProfile`, "an ICC profile on a PSD output");
    if (!layers) return { bytes: await writeDocumentPsd(doc), mediaType: "image/vnd.adobe.photoshop" };
    const layer = layers[0] as Layer;
    const cropToLayer = (output.cropMode ?? "layer_bounds") === "layer_bounds";
    const box = cropToLayer
      ? boundsOf(layer)
      : { left: 0, top: 0, width: doc.psd.width, height: doc.psd.height };
    const single: Psd = {
      width: Math.max(1, box.width),
      height: Math.max(1, box.height),
      children: [
        {
          ...layer,
          hidden: false,
          left: (layer.left ?? 0) - box.left,
          top: (layer.top ?? 0) - box.top,
          right: (layer.right ?? 0) - box.left,
          bottom: (layer.bottom ?? 0) - box.top,
        },
      ],
    };
    return { bytes: await writeDocumentPsd(doc, single), mediaType: "image/vnd.adobe.photoshop" };
  }
  let pixels =
    !layers && doc.composite ? doc.composite : await renderDocumentFast(doc, into, pointer, layers);
  const cropMode = output.cropMode ?? (layers?.length === 1 ? "layer_bounds" : "document_bounds");
  if (cropMode === "layer_bounds" && layers?.length === 1) {
    const box = boundsOf(layers[0] as Layer);
    pixels = cropPixels(pixels, box.left, box.top, Math.max(1, box.width), Math.max(1, box.height));
  } else if (cropMode === "trim_to_transparency") {
    const box = alphaBounds(pixels);
    if (box) pixels = cropPixels(pixels, box.left, box.top, box.width, box.height);
  }
  const size = outputSize(output, pixels.width, pixels.height);
  const resample: Resample = output.resample ?? "bicubic_sharper";
  pixels = await resizePixels(pixels, size.width, size.height, resample);
  return { bytes: await encodeRaster(pixels, output, pointer), mediaType };
}
