import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Layer } from "ag-psd";
import { checkDimensions } from "../input.js";
import type { WorkingDocument } from "./document.js";
import { invalidValue, unsupported } from "./errors.js";
import { alphaBounds, cropPixels, type Resample, resizePixels } from "./geometry.js";
import type { Pixels } from "./pixels.js";
import { renderDocumentFast } from "./render.js";

type DocumentEdits = components["schemas"]["DocumentEdits"];
type Measurement = components["schemas"]["DimensionMeasurement"];

/** Every layer of a tree, groups included. */
function* allLayers(layers: readonly Layer[] | undefined): Generator<Layer> {
  for (const layer of layers ?? []) {
    yield layer;
    yield* allLayers(layer.children);
  }
}

/** The resolution (ppi) the document records, 72 when it records none. */
function resolutionOf(doc: WorkingDocument): number {
  return doc.psd.imageResources?.resolutionInfo?.horizontalResolution ?? 72;
}

function pixelsOf(value: Measurement | undefined, current: number, ppi: number): number | undefined {
  if (!value) return undefined;
  if (value.unit === "percent_unit") return (current * value.value) / 100;
  if (value.unit === "distance_unit") return (value.value * ppi) / 72;
  return value.value;
}

/** Scales a layer's rectangle and pixels by (`sx`, `sy`). */
async function scaleLayer(layer: Layer, sx: number, sy: number, resample: Resample): Promise<void> {
  const left = Math.round((layer.left ?? 0) * sx);
  const top = Math.round((layer.top ?? 0) * sy);
  if (layer.imageData && layer.imageData.width > 0 && layer.imageData.height > 0) {
    const pixels = await resizePixels(
      layer.imageData as Pixels,
      layer.imageData.width * sx,
      layer.imageData.height * sy,
      resample,
    );
    layer.imageData = pixels;
    layer.right = left + pixels.width;
    layer.bottom = top + pixels.height;
  } else {
    layer.right = Math.round((layer.right ?? 0) * sx);
    layer.bottom = Math.round((layer.bottom ?? 0) * sy);
  }
  layer.left = left;
  layer.top = top;
  if (layer.mask?.imageData) {
    const m = layer.mask;
    const pixels = await resizePixels(
      m.imageData as Pixels,
      (m.imageData as Pixels).width * sx,
      (m.imageData as Pixels).height * sy,
      resample,
    );
    m.left = Math.round((m.left ?? 0) * sx);
    m.top = Math.round((m.top ?? 0) * sy);
    m.right = m.left + pixels.width;
    m.bottom = m.top + pixels.height;
    m.imageData = pixels;
  }
  if (layer.text?.transform) {
    const t = layer.text.transform;
    layer.text.transform = [t[0] ?? 1, t[1] ?? 0, t[2] ?? 0, t[3] ?? 1, (t[4] ?? 0) * sx, (t[5] ?? 0) * sy];
  }
  if (layer.placedLayer) {
    layer.placedLayer.transform = layer.placedLayer.transform.map((v, i) => v * (i % 2 === 0 ? sx : sy));
  }
}

async function resize(doc: WorkingDocument, edit: NonNullable<DocumentEdits["resize"]>): Promise<void> {
  const { psd } = doc;
  const ppi = resolutionOf(doc);
  let width = pixelsOf(edit.width, psd.width, ppi);
  let height = pixelsOf(edit.height, psd.height, ppi);
  const constrain = edit.constrainProportions ?? true;
  if (width === undefined && height === undefined) {
    if (!edit.resolution)
      throw invalidValue("/edits/document/resize", "give a width, a height or a resolution");
    // A new resolution alone resamples, keeping the print size (Photoshop's "Resample" on).
    width = (psd.width * edit.resolution.value) / ppi;
    height = (psd.height * edit.resolution.value) / ppi;
  }
  if (constrain) {
    if (width === undefined) width = (psd.width * (height as number)) / psd.height;
    if (height === undefined) height = (psd.height * width) / psd.width;
  }
  const w = Math.max(1, Math.round(width ?? psd.width));
  const h = Math.max(1, Math.round(height ?? psd.height));
  checkDimensions(w, h, doc.limits);
  const sx = w / psd.width;
  const sy = h / psd.height;
  // Adobe's spec says bilinear, its guide bicubic; the emulator takes the spec's.
  const resample = edit.resample ?? "bilinear";
  for (const layer of allLayers(psd.children)) await scaleLayer(layer, sx, sy, resample);
  if (doc.composite) doc.composite = await resizePixels(doc.composite, w, h, resample);
  if (edit.scaleStyles !== false && [...allLayers(psd.children)].some((l) => l.effects)) {
    doc.warnings.push("/edits/document/resize/scaleStyles: layer effects keep their sizes in the emulator");
  }
  psd.width = w;
  psd.height = h;
  if (edit.resolution) {
    psd.imageResources = {
      ...psd.imageResources,
      resolutionInfo: {
        horizontalResolution: edit.resolution.value,
        horizontalResolutionUnit: "PPI",
        widthUnit: "Inches",
        verticalResolution: edit.resolution.value,
        verticalResolutionUnit: "PPI",
        heightUnit: "Inches",
      },
    };
  }
}

/** Moves the canvas to (`left`, `top`) and gives it the new size; `hide: false` deletes what falls outside. */
function crop(
  doc: WorkingDocument,
  left: number,
  top: number,
  width: number,
  height: number,
  hide: boolean,
): void {
  const { psd } = doc;
  for (const layer of allLayers(psd.children)) {
    const shift = <T extends { left?: number; top?: number; right?: number; bottom?: number }>(r: T) => {
      r.left = (r.left ?? 0) - left;
      r.right = (r.right ?? 0) - left;
      r.top = (r.top ?? 0) - top;
      r.bottom = (r.bottom ?? 0) - top;
    };
    shift(layer);
    if (layer.mask) shift(layer.mask);
    if (layer.text?.transform) {
      const t = layer.text.transform;
      layer.text.transform = [
        t[0] ?? 1,
        t[1] ?? 0,
        t[2] ?? 0,
        t[3] ?? 1,
        (t[4] ?? 0) - left,
        (t[5] ?? 0) - top,
      ];
    }
    if (layer.placedLayer) {
      layer.placedLayer.transform = layer.placedLayer.transform.map((v, i) => v - (i % 2 === 0 ? left : top));
    }
    if (!hide && layer.imageData && layer.imageData.width > 0) {
      const x0 = Math.max(0, layer.left ?? 0);
      const y0 = Math.max(0, layer.top ?? 0);
      const x1 = Math.min(width, layer.right ?? 0);
      const y1 = Math.min(height, layer.bottom ?? 0);
      const kept = cropPixels(
        layer.imageData as Pixels,
        x0 - (layer.left ?? 0),
        y0 - (layer.top ?? 0),
        Math.max(0, x1 - x0),
        Math.max(0, y1 - y0),
      );
      layer.imageData = kept;
      layer.left = x0;
      layer.top = y0;
      layer.right = x0 + kept.width;
      layer.bottom = y0 + kept.height;
    }
  }
  if (doc.composite) doc.composite = cropPixels(doc.composite, left, top, width, height);
  psd.width = width;
  psd.height = height;
}

/**
 * Runs `edits.document` in Adobe's order: resize, then crop, then trim. Trim needs the composite's
 * transparency, so it draws the document (the strict rules of raster outputs apply).
 */
export async function applyDocumentEdits(doc: WorkingDocument, edits: DocumentEdits): Promise<void> {
  if (edits.resize) await resize(doc, edits.resize);
  if (edits.crop) {
    const { left = 0, top = 0, right = doc.psd.width, bottom = doc.psd.height } = edits.crop.bounds;
    if (right <= left || bottom <= top)
      throw invalidValue("/edits/document/crop/bounds", "right and bottom must be past left and top");
    checkDimensions(right - left, bottom - top, doc.limits);
    crop(doc, left, top, right - left, bottom - top, edits.crop.hide ?? false);
  }
  if (edits.trim) {
    const composite =
      doc.composite ?? (await renderDocumentFast(doc, "the trim of edits.document", "/edits/document/trim"));
    const box = alphaBounds(composite);
    if (!box) throw unsupported("/edits/document/trim", "trimming a document with no visible pixel");
    crop(doc, box.left, box.top, box.width, box.height, false);
  }
}
