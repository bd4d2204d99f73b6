import { type Layer, type Psd, readPsd } from "ag-psd";
import sharp from "sharp";
import { corruptImage, ImageDecodeError } from "../errors.js";
import { checkBytes, checkDimensions, type ImageLimits, inspectRaster, sharpInputOptions } from "../input.js";
import { asBytes } from "../raster.js";
import { DocumentError, unsupported } from "./errors.js";
import { blank, type Pixels, preparePsdPixels } from "./pixels.js";

/** How faithfully raster outputs are drawn (see the emulator README, "Document operations"). */
export type RenderMode = "strict" | "approximate";

/**
 * A document being worked on: ag-psd's tree (children bottom first, as in the file) and what the
 * engine knows about it that the file format does not say.
 */
export interface WorkingDocument {
  psd: Psd;
  /**
   * The composite Photoshop stored, kept in step with document edits; dropped (undefined) as soon
   * as a layer changes, from when on raster outputs are recomposited from the layers.
   */
  composite: Pixels | undefined;
  /** Text layers whose text the request set: their stored pixels (if any) are stale. */
  textChanged: WeakSet<Layer>;
  /** The next free layer id. */
  nextId: number;
  mode: RenderMode;
  /** Approximations made in `approximate` mode, for `result.additionalFields.emulator.warnings`. */
  warnings: string[];
  limits: ImageLimits;
  /**
   * A plan: the layer tree without pixels, to check a request's references against the document
   * when the POST arrives. Nothing is decoded or drawn.
   */
  plan: boolean;
}

/** The PSD's width and height from its header (big-endian at 18 and 14), without parsing the rest. */
export function psdHeaderSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 26) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(18), height: view.getUint32(14) };
}

/** ag-psd's colour modes the engine works in (it writes RGB only; grayscale reads as RGB). */
const READABLE_MODES = new Set([1, 3]);

/**
 * Reads a PSD with its layer pixels. A PSB, an unsupported colour mode or depth, or a file ag-psd
 * cannot parse fails with `emulator_input_unreadable`; a size over the limits with
 * `ImageDecodeError` `too-large` (the route refuses those with 422 before the job runs).
 */
/**
 * How much of a PSD to decode: everything; the layers only (a request that edits layers drops the
 * stored composite anyway, and decoding 12 megapixels of it costs about a third of the read); or
 * the layer tree alone (a plan).
 */
export type ReadDepth = "full" | "layers" | "plan";

export function readPsdDocument(
  bytes: Uint8Array,
  pointer: string,
  limits: ImageLimits,
  depth: ReadDepth = "full",
): Psd {
  const size = psdHeaderSize(bytes);
  if (size) checkDimensions(size.width, size.height, limits);
  if (bytes[5] === 2) {
    throw new DocumentError(
      "emulator_input_unreadable",
      pointer,
      `${pointer}: a PSB (large document) cannot be read by the emulator`,
    );
  }
  preparePsdPixels();
  let psd: Psd;
  try {
    psd = readPsd(bytes, {
      useImageData: true,
      skipThumbnail: true,
      ...(depth === "plan" ? { skipLayerImageData: true, skipLinkedFilesData: true } : {}),
      ...(depth === "full" ? {} : { skipCompositeImageData: true }),
    });
  } catch (error) {
    throw new DocumentError(
      "emulator_input_unreadable",
      pointer,
      `${pointer}: ${corruptImage("PSD", error).message}`,
      { cause: error },
    );
  }
  if (!READABLE_MODES.has(psd.colorMode ?? 3) || (psd.bitsPerChannel ?? 8) !== 8) {
    throw new DocumentError(
      "emulator_input_unreadable",
      pointer,
      `${pointer}: the document is ${psd.bitsPerChannel ?? 8}-bit in colour mode ${psd.colorMode}; the emulator reads 8-bit RGB and grayscale documents`,
    );
  }
  return psd;
}

/** Decodes any raster image (PNG, JPEG, TIFF, WebP) to RGBA, EXIF orientation applied. */
export async function decodeRasterPixels(bytes: Uint8Array, limits: ImageLimits): Promise<Pixels> {
  const format = checkBytes(bytes, limits);
  if (format === undefined || format === "psd") {
    throw new ImageDecodeError("unsupported-format", "the input is not a PNG, JPEG, TIFF or WebP image");
  }
  try {
    const { data, info } = await sharp(bytes, sharpInputOptions(limits))
      .toColourspace("srgb")
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    checkDimensions(info.width, info.height, limits);
    const view = asBytes(data);
    return {
      data: new Uint8ClampedArray(view.buffer, view.byteOffset, view.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw corruptImage(format, error);
  }
}

/**
 * The pixels of a file placed into a document (a layer image, a smart object's content, a mask,
 * an artboard's image): a raster image as it is, a PSD as its stored composite. Other formats
 * (SVG, PDF, AI) fail `emulator_unsupported`.
 */
export async function decodePlaced(bytes: Uint8Array, pointer: string, limits: ImageLimits): Promise<Pixels> {
  const format = checkBytes(bytes, limits);
  if (format === "psd") {
    const psd = readPsdDocument(bytes, pointer, limits);
    if (!psd.imageData) {
      throw new DocumentError(
        "emulator_input_unreadable",
        pointer,
        `${pointer}: the PSD was saved without a composite image (Photoshop's "Maximize compatibility"), which the emulator places`,
      );
    }
    return { data: psd.imageData.data as Uint8ClampedArray, width: psd.width, height: psd.height };
  }
  if (format === undefined)
    throw unsupported(
      pointer,
      "a file that is not PNG, JPEG, TIFF, WebP or PSD (SVG, PDF and AI are not read)",
    );
  return decodeRasterPixels(bytes, limits);
}

/** The highest layer id in a tree. */
function maxLayerId(layers: readonly Layer[] | undefined): number {
  let max = 0;
  for (const layer of layers ?? []) {
    max = Math.max(max, layer.id ?? 0, maxLayerId(layer.children));
  }
  return max;
}

/** Wraps an opened Psd as a working document. */
export function workingDocument(
  psd: Psd,
  mode: RenderMode,
  limits: ImageLimits,
  plan = false,
): WorkingDocument {
  // A file saved without "Maximize compatibility" says its composite is not the real picture.
  const real = psd.imageResources?.versionInfo?.hasRealMergedData !== false;
  const composite =
    psd.imageData && real
      ? { data: psd.imageData.data as Uint8ClampedArray, width: psd.width, height: psd.height }
      : undefined;
  return {
    psd,
    composite,
    textChanged: new WeakSet(),
    nextId: maxLayerId(psd.children) + 1,
    mode,
    warnings: [],
    limits,
    plan,
  };
}

/** A one-layer document from a raster image: the layer is the image, the composite too. */
export function documentFromPixels(pixels: Pixels, name = "Background"): Psd {
  const copy = { data: new Uint8ClampedArray(pixels.data), width: pixels.width, height: pixels.height };
  return {
    width: pixels.width,
    height: pixels.height,
    imageData: pixels,
    children: [{ id: 1, name, top: 0, left: 0, right: pixels.width, bottom: pixels.height, imageData: copy }],
  };
}

/** Opens the request's `image.source`: a PSD with its layers, or a raster image as one layer. */
export async function openDocument(
  bytes: Uint8Array,
  mode: RenderMode,
  limits: ImageLimits,
  depth: ReadDepth = "full",
  pointer = "/image/source",
): Promise<WorkingDocument> {
  const plan = depth === "plan";
  if (checkBytes(bytes, limits) === "psd")
    return workingDocument(readPsdDocument(bytes, pointer, limits, depth), mode, limits, plan);
  if (plan) {
    const { width, height } = await inspectRaster(bytes, limits);
    return workingDocument(
      {
        width,
        height,
        children: [{ id: 1, name: "Background", top: 0, left: 0, right: width, bottom: height }],
      },
      mode,
      limits,
      plan,
    );
  }
  return workingDocument(documentFromPixels(await decodeRasterPixels(bytes, limits)), mode, limits);
}

/** A new, transparent document of the given size. */
export function newDocument(
  width: number,
  height: number,
  mode: RenderMode,
  limits: ImageLimits,
  plan = false,
): WorkingDocument {
  checkDimensions(width, height, limits);
  const psd: Psd = { width, height, children: [] };
  const doc = workingDocument(psd, mode, limits, plan);
  if (!plan) doc.composite = blank(width, height);
  return doc;
}

/** Where a layer sits: its parent's children array and its index there. */
export interface LayerSlot {
  layer: Layer;
  siblings: Layer[];
  index: number;
}

/** Every layer, topmost first (the order Photoshop's Layers panel lists them), depth first. */
export function* layersTopDown(siblings: Layer[]): Generator<LayerSlot> {
  for (let index = siblings.length - 1; index >= 0; index--) {
    const layer = siblings[index] as Layer;
    yield { layer, siblings, index };
    if (layer.children) yield* layersTopDown(layer.children);
  }
}

/** The layer an `id` or `name` names (the topmost of that name), or undefined. */
export function findLayer(psd: Psd, ref: { id?: number; name?: string }): LayerSlot | undefined {
  psd.children ??= [];
  for (const slot of layersTopDown(psd.children)) {
    if (ref.id !== undefined ? slot.layer.id === ref.id : slot.layer.name === ref.name) return slot;
  }
  return undefined;
}

/** The v2 kind of an existing layer, as generate-manifest names it. */
export function layerKind(layer: Layer): string {
  if (layer.children) return "group_layer";
  if (layer.text) return "text_layer";
  if (layer.adjustment) return "adjustment_layer";
  if (layer.placedLayer) return "smart_object_layer";
  if (layer.vectorFill) return "solid_color_layer";
  return "layer";
}

/** A layer's rectangle on the canvas. */
export function boundsOf(layer: Layer): { left: number; top: number; width: number; height: number } {
  const left = layer.left ?? 0;
  const top = layer.top ?? 0;
  return {
    left,
    top,
    width: Math.max(0, (layer.right ?? left) - left),
    height: Math.max(0, (layer.bottom ?? top) - top),
  };
}

/** Sets a layer's pixels and its bounds to match them, at (`left`, `top`). */
export function setPixels(layer: Layer, pixels: Pixels, left: number, top: number): void {
  layer.imageData = pixels;
  layer.left = left;
  layer.top = top;
  layer.right = left + pixels.width;
  layer.bottom = top + pixels.height;
  delete layer.canvas;
}
