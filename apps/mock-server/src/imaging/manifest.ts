import type { Metadata } from "sharp";
import { iccProfileName, photoshopBuildFromXmp } from "./embedded-metadata.js";
import { checkBytes, type ImageLimits, inspectRaster, resolveLimits } from "./input.js";
import type { DocumentManifest, ManifestDocument } from "./manifest-types.js";
import { flatBackgroundLayer, readPsdManifest } from "./psd-manifest.js";

/** Options of {@link readDocumentManifest}. */
export interface ManifestOptions {
  /** Overrides of the size limits (see `DEFAULT_IMAGE_LIMITS`); only `maxInputBytes` applies to PSDs. */
  limits?: Partial<ImageLimits>;
}

/** Photoshop's largest canvas side (PSB), in pixels. */
const PHOTOSHOP_MAX_DIMENSION = 300_000;

function rasterImageMode(metadata: Metadata): Pick<ManifestDocument, "imageMode" | "bitDepth"> {
  const bits = metadata.bitsPerSample;
  if (metadata.isPalette === true) return { imageMode: "indexed", bitDepth: 8 };
  const depth = metadata.depth === "uchar" || metadata.depth === "char" ? 8 : undefined;
  const bitDepth = depth ?? (metadata.depth === "ushort" || metadata.depth === "short" ? 16 : 32);
  switch (metadata.space) {
    case "b-w":
    case "grey16":
      return bits === 1 ? { imageMode: "bitmap", bitDepth: 1 } : { imageMode: "grayscale", bitDepth };
    case "cmyk":
      return { imageMode: "cmyk", bitDepth };
    case "lab":
    case "labq":
    case "labs":
      return { imageMode: "lab", bitDepth };
    default:
      return { imageMode: "rgb", bitDepth };
  }
}

/**
 * Reads a document's manifest the way Photoshop's documentManifest job reports it. A PSD/PSB
 * gives its real layer tree (groups, text, adjustment, fill and smart-object layers) read with
 * ag-psd from the layer records alone; a PNG, JPEG, TIFF or WebP gives one locked background
 * layer with id −1 covering the image. No pixel data is decoded either way.
 *
 * @param input - the document's bytes.
 * @param name - the file name to report as `document.name` (usually the last segment of the href).
 * @param options - optional `limits`.
 * @returns `{ document, layers }`, layers topmost first, groups with `children`.
 * @throws ImageDecodeError when the input is empty, over the byte limit, not one of these formats,
 *   or cannot be parsed.
 * @example
 * const { document, layers } = await readDocumentManifest(psdBytes, "poster.psd");
 * @see `@psapi/openapi` photoshop.yaml, operation `getPsdJobStatus` (document and layer fields).
 */
export async function readDocumentManifest(
  input: Uint8Array,
  name: string,
  options: ManifestOptions = {},
): Promise<DocumentManifest> {
  const limits = resolveLimits(options.limits);
  if (checkBytes(input, limits) === "psd") return readPsdManifest(input, name);
  // A raster's manifest needs only its header, and a document over the Sensei size limit is still
  // a valid document: only Photoshop's own largest canvas applies here.
  const { metadata, width, height } = await inspectRaster(input, {
    ...limits,
    maxDimension: PHOTOSHOP_MAX_DIMENSION,
  });
  const document: ManifestDocument = { name, width, height, ...rasterImageMode(metadata) };
  const icc = iccProfileName(metadata.icc);
  if (icc !== undefined) document.iccProfileName = icc;
  const build = photoshopBuildFromXmp(metadata.xmpAsString);
  if (build !== undefined) document.photoshopBuild = build;
  return { document, layers: [flatBackgroundLayer(width, height)] };
}
