import type { components } from "@psapi/openapi-types/photoshop-current";
import sharp from "sharp";
import { DocumentError, unsupported } from "../composite/errors.js";
import { JPEG_QUALITY, PNG_LEVEL, type RenderedOutput } from "../composite/outputs.js";
import { decodeRaster, type ImageLimits, resolveLimits, sniffFormat } from "../input.js";
import { asBytes } from "../raster.js";
import { applyAdjustments, type EditImage } from "./adjustments.js";
import {
  applyRequestEdits,
  applyXmpFile,
  type EditSettings,
  noSettings,
  WHITE_BALANCES,
  writeXmp,
} from "./settings.js";

export { ADJUSTMENTS, type Adjustment } from "./adjustments.js";
export { type EditSettings, readXmpProperties, SETTINGS, writeXmp } from "./settings.js";

type EditRequest = components["schemas"]["EditRequest"];
type LightroomEdits = components["schemas"]["LightroomEdits"];

/** The categories of `LightroomEdits`, which the migration catalogue also shows at the top level. */
export const EDIT_CATEGORIES = [
  "autoTone",
  "autoStraighten",
  "light",
  "color",
  "effects",
  "sharpen",
  "sharpness",
  "noiseReduction",
  "presets",
  "xmp",
] as const satisfies readonly (keyof LightroomEdits)[];

/** Largest input side the emulator edits (its own limit: each adjustment holds float copies of the image). */
export const EDIT_MAX_DIMENSION = 4000;

/**
 * The request's adjustments and the JSON pointer they sit at: `edits` (Adobe's reference), or the
 * categories at the top level (the migration catalogue's form); the route refuses both at once.
 */
export function editsOf(request: EditRequest): { edits: LightroomEdits; base: string } {
  if (request.edits) return { edits: request.edits, base: "/edits" };
  const top: Record<string, unknown> = {};
  const body = request as Record<string, unknown>;
  for (const category of EDIT_CATEGORIES) if (body[category] !== undefined) top[category] = body[category];
  return { edits: top as LightroomEdits, base: "" };
}

/** The files an edit request reads, with the JSON pointer of each `source`, the image first. */
export function editSources(request: EditRequest): [pointer: string, resource: Record<string, unknown>][] {
  const { edits, base } = editsOf(request);
  const sources: [string, Record<string, unknown>][] = [["/image/source", request.image.source]];
  for (const [i, preset] of (edits.presets ?? []).entries()) sources.push([`${base}/presets/${i}`, preset]);
  if (edits.xmp) sources.push([`${base}/xmp/source`, edits.xmp.source]);
  for (const [i, mask] of (edits.xmp?.masks ?? []).entries())
    sources.push([`${base}/xmp/masks/${i}/source`, mask.source]);
  return sources;
}

/** The outputs of an edit job, in request order, and the approximations it made. */
export interface EditJobResult {
  outputs: RenderedOutput[];
  warnings: string[];
}

/** Whether a TIFF is a DNG (it carries the DNGVersion tag, 50706, in its first IFD). */
function isDng(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  const little = head[0] === 0x49;
  const tag = little ? [0x12, 0xc6, 0x01, 0x00] : [0xc6, 0x12, 0x00, 0x01];
  for (let i = 8; i + 4 <= head.length; i += 2) {
    if (head[i] === tag[0] && head[i + 1] === tag[1] && head[i + 2] === tag[2] && head[i + 3] === tag[3])
      return true;
  }
  return false;
}

/** EXIF orientation numbers of `xmp.orientation`. */
const ORIENTATION: Record<string, number> = {
  top_left: 1,
  top_right: 2,
  bottom_right: 3,
  bottom_left: 4,
  left_top: 5,
  right_top: 6,
  right_bottom: 7,
  left_bottom: 8,
};

/** The settings of a request: presets in order, then the XMP file, then the request's own fields. */
function settingsOf(request: EditRequest, files: ReadonlyMap<string, Uint8Array>): EditSettings {
  const { edits, base } = editsOf(request);
  const settings = noSettings();
  const read = (pointer: string) => {
    const bytes = files.get(pointer);
    if (!bytes) throw new Error(`[@psapi/mock-server] ${pointer} was not downloaded`);
    return bytes;
  };
  for (const [i] of (edits.presets ?? []).entries()) {
    applyXmpFile(settings, read(`${base}/presets/${i}`), `${base}/presets/${i}`);
  }
  if (edits.xmp) applyXmpFile(settings, read(`${base}/xmp/source`), `${base}/xmp/source`);
  applyRequestEdits(settings, edits, base);
  return settings;
}

/** Refuses what the emulator cannot honour, before any pixel work: each names its JSON path. */
function refuseUnsupported(request: EditRequest, settings: EditSettings): void {
  const { edits, base } = editsOf(request);
  if (edits.autoStraighten?.enabled) {
    throw unsupported(`${base}/autoStraighten`, "autoStraighten (Upright perspective correction)");
  }
  if ((edits.xmp?.masks?.length ?? 0) > 0)
    throw unsupported(`${base}/xmp/masks`, "XMP local-adjustment masks");
  if (settings.whiteBalance !== undefined && !WHITE_BALANCES.has(settings.whiteBalance)) {
    throw unsupported(
      settings.from.whiteBalance ?? `${base}/color/whiteBalance`,
      `whiteBalance "${settings.whiteBalance}" (a raw-file preset; developed images take As Shot, Auto or Custom)`,
    );
  }
  for (const [i, output] of request.outputs.entries()) {
    if (output.mediaType === "image/x-adobe-dng") throw unsupported(`/outputs/${i}/mediaType`, "DNG output");
  }
}

/** Decodes the input to float sRGB (alpha kept aside), refusing what the emulator cannot read. */
async function decode(
  bytes: Uint8Array,
  limits: ImageLimits,
): Promise<{ image: EditImage; alpha?: Uint8Array }> {
  const format = sniffFormat(bytes);
  if (format === "psd" || (format === "tiff" && isDng(bytes))) {
    throw unsupported(
      "/image/source",
      format === "psd" ? "a PSD input to edit" : "a DNG input (raw development)",
    );
  }
  if (format === undefined) {
    throw new DocumentError(
      "emulator_input_unreadable",
      "/image/source",
      "the input at /image/source is not a JPEG, PNG, WebP or TIFF image (camera raw files are not supported by the offline emulator)",
    );
  }
  const { decoded } = await decodeRaster(bytes, limits, undefined, (image) =>
    image.toColourspace("srgb").raw().toBuffer({ resolveWithObject: true }),
  );
  const { width, height, channels } = decoded.info;
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  const alpha = channels === 4 ? new Uint8Array(n) : undefined;
  const data = decoded.data;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = (data[p * channels + Math.min(c, channels - 1)] ?? 0) / 255;
    if (alpha) alpha[p] = data[p * 4 + 3] ?? 255;
  }
  return { image: { rgb, width, height }, ...(alpha ? { alpha } : {}) };
}

/**
 * `POST /v2/edit`, done for real on the pixels by the table of adjustments (./adjustments.ts): the
 * settings of the presets, the XMP file and the request are merged (later wins), each adjustment
 * asked for is applied by its documented approximation, the XMP orientation is applied, and each
 * output is encoded (JPEG, PNG, or the settings as an XMP packet). What the emulator cannot honour
 * fails with a `DocumentError` naming it and its JSON path.
 *
 * @param files - every file the request names, by the JSON pointer of its `source`.
 */
export async function editImage(
  request: EditRequest,
  files: ReadonlyMap<string, Uint8Array>,
  limits: Partial<ImageLimits> = {},
): Promise<EditJobResult> {
  const settings = settingsOf(request, files);
  refuseUnsupported(request, settings);
  const needsPixels = request.outputs.some((output) => output.mediaType !== "application/rdf+xml");
  const warnings: string[] = [];
  const outputs: RenderedOutput[] = [];
  let pixels: { data: Uint8Array; width: number; height: number; channels: 3 | 4 } | undefined;
  if (needsPixels) {
    const input = files.get("/image/source");
    if (!input) throw new Error("[@psapi/mock-server] the input was not downloaded");
    const { image, alpha } = await decode(
      input,
      resolveLimits({ maxDimension: EDIT_MAX_DIMENSION, ...limits }),
    );
    warnings.push(...applyAdjustments(image, settings));
    const channels = alpha ? 4 : 3;
    const n = image.width * image.height;
    const data = new Uint8Array(n * channels);
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) data[p * channels + c] = Math.round((image.rgb[p * 3 + c] ?? 0) * 255);
      if (alpha) data[p * 4 + 3] = alpha[p] ?? 255;
    }
    pixels = { data, width: image.width, height: image.height, channels };
  }
  const orientation = ORIENTATION[editsOf(request).edits.xmp?.orientation ?? "top_left"] ?? 1;
  for (const output of request.outputs) {
    if (output.mediaType === "application/rdf+xml") {
      outputs.push({ bytes: new TextEncoder().encode(writeXmp(settings)), mediaType: output.mediaType });
      continue;
    }
    if (!pixels) throw new Error("[@psapi/mock-server] no pixels for an image output");
    const { data, width, height, channels } = pixels;
    let pipeline = sharp(data, { raw: { width, height, channels } });
    if (orientation !== 1) {
      const oriented = await pipeline.png({ compressionLevel: 0 }).withMetadata({ orientation }).toBuffer();
      pipeline = sharp(oriented).autoOrient();
    }
    if (output.mediaType === "image/jpeg") {
      const quality = JPEG_QUALITY[output.quality ?? "photoshop_max"] ?? 100;
      const bytes = await pipeline.flatten({ background: "#ffffff" }).jpeg({ quality }).toBuffer();
      outputs.push({ bytes: asBytes(bytes), mediaType: output.mediaType });
    } else {
      const compressionLevel = PNG_LEVEL[output.compression ?? "default"] ?? 6;
      outputs.push({
        bytes: asBytes(await pipeline.png({ compressionLevel }).toBuffer()),
        mediaType: "image/png",
      });
    }
  }
  return { outputs, warnings };
}
