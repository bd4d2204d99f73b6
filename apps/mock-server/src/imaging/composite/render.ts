import type { Layer, LayerEffectsInfo } from "ag-psd";
import sharp, { type OverlayOptions, type Sharp } from "sharp";
import { type BlendModeName, type Coverage, isRenderedBlendMode, lay } from "./blend.js";
import type { WorkingDocument } from "./document.js";
import { DocumentError } from "./errors.js";
import { cropPixels } from "./geometry.js";
import { blank, type Pixels } from "./pixels.js";

/** Whether any effect of a layer is switched on (ag-psd keeps each effect with its `enabled`). */
function hasEnabledEffects(effects: LayerEffectsInfo | undefined): boolean {
  if (!effects || effects.disabled) return false;
  return Object.values(effects).some((value) =>
    Array.isArray(value)
      ? value.some((effect: { enabled?: boolean }) => effect?.enabled !== false)
      : typeof value === "object" && value !== null && (value as { enabled?: boolean }).enabled !== false,
  );
}

/** The layer's user mask as a coverage map, or undefined when it has none or it is off. */
function maskCoverage(layer: Layer): Coverage | undefined {
  const mask = layer.mask;
  if (!mask || mask.disabled || !mask.imageData) return undefined;
  const left = mask.left ?? 0;
  const top = mask.top ?? 0;
  return {
    data: mask.imageData.data as Uint8ClampedArray,
    stride: 4,
    offset: 0,
    left,
    top,
    width: mask.imageData.width,
    height: mask.imageData.height,
    outside: mask.defaultColor ?? 0,
  };
}

/** A label for messages: the layer's name in quotes. */
const label = (layer: Layer) => `'${layer.name ?? "(unnamed)"}'`;

/**
 * What must be drawn for `layer` that its stored pixels do not hold: a reason when the compositor
 * cannot draw it faithfully, else undefined. Photoshop stores the rendered pixels of text, shape
 * and smart-object layers, so those are faithful until the request changes their text; it never
 * bakes adjustments, layer effects or vector masks into them.
 */
function renderProblem(doc: WorkingDocument, layer: Layer): string | undefined {
  if (layer.adjustment) return `the adjustment layer ${label(layer)} (${layer.adjustment.type})`;
  const pixelless = !layer.imageData || layer.imageData.width === 0 || layer.imageData.height === 0;
  // A text layer without stored pixels (one the request set, or a file written without them)
  // would need the text engine; so would a smart object without its rendered pixels.
  if (layer.text && (doc.textChanged.has(layer) || pixelless))
    return `the text of the text layer ${label(layer)}`;
  if (layer.placedLayer && pixelless) return `the content of the smart object ${label(layer)}`;
  if (hasEnabledEffects(layer.effects)) return `the layer effects of ${label(layer)}`;
  if (layer.vectorMask && !layer.vectorMask.disable) return `the vector mask of ${label(layer)}`;
  if (layer.realMask && !layer.realMask.disabled)
    return `the combined vector and pixel mask of ${label(layer)}`;
  if (layer.filterMask) return `the filter mask of ${label(layer)}`;
  if (layer.vectorFill && layer.vectorFill.type !== "color" && !layer.imageData) {
    return `the ${layer.vectorFill.type} fill layer ${label(layer)}`;
  }
  const mode = layer.blendMode ?? "normal";
  if (!layer.children && !isRenderedBlendMode(mode)) return `the blend mode '${mode}' of ${label(layer)}`;
  return undefined;
}

/** Fails the render (strict) or records an approximation and skips the feature (approximate). */
function cannotDraw(doc: WorkingDocument, pointer: string, what: string, into: string): void {
  if (doc.mode === "approximate") {
    doc.warnings.push(`${what} is not drawn into ${into}: the emulator leaves it out in approximate mode`);
    return;
  }
  throw new DocumentError(
    "emulator_unsupported",
    pointer,
    `rendering ${what} into ${into} is not supported by the offline emulator; a PSD output keeps it for Photoshop to draw, or turn on the emulator's approximate render mode`,
  );
}

/** The layer's own pixels placed on the canvas, or undefined when it has none to show. */
function layerPixels(
  doc: WorkingDocument,
  layer: Layer,
): { pixels: Pixels; left: number; top: number } | undefined {
  if (layer.imageData && layer.imageData.width > 0 && layer.imageData.height > 0) {
    return {
      pixels: layer.imageData as Pixels,
      left: layer.left ?? 0,
      top: layer.top ?? 0,
    };
  }
  const fill = layer.vectorFill;
  if (fill?.type === "color" && "r" in fill.color) {
    const { width, height } = doc.psd;
    const pixels = blank(width, height);
    for (let i = 0; i < pixels.data.length; i += 4) {
      pixels.data[i] = fill.color.r;
      pixels.data[i + 1] = fill.color.g;
      pixels.data[i + 2] = fill.color.b;
      pixels.data[i + 3] = 255;
    }
    return { pixels, left: 0, top: 0 };
  }
  return undefined;
}

/** Whether every layer of a tree blends in normal mode (so isolating it changes nothing). */
function allNormal(layers: readonly Layer[]): boolean {
  return (
    layers.every(
      (layer) =>
        (layer.blendMode ?? "normal") === "normal" ||
        (layer.children !== undefined && layer.blendMode === "pass through" && allNormal(layer.children)),
    ) && layers.every((layer) => !layer.children || allNormal(layer.children))
  );
}

interface Pass {
  doc: WorkingDocument;
  /** What the render is for, in messages: `image/png (outputs/1)`. */
  into: string;
  pointer: string;
  /** Layers to draw even when hidden (an output's `layers` filter names them). */
  forceVisible?: ReadonlySet<Layer>;
}

function visible(pass: Pass, layer: Layer): boolean {
  return !layer.hidden || (pass.forceVisible?.has(layer) ?? false);
}

/** Draws one non-group layer (and the layers clipped to it) onto `canvas`. */
function drawLayer(
  pass: Pass,
  canvas: Pixels,
  layer: Layer,
  clipped: readonly Layer[],
  opacityScale: number,
): void {
  const { doc } = pass;
  const problem = renderProblem(doc, layer);
  if (problem) {
    cannotDraw(doc, pass.pointer, problem, pass.into);
    return;
  }
  const own = layerPixels(doc, layer);
  if (!own) return;
  const mask = maskCoverage(layer);
  const mode = (layer.blendMode ?? "normal") as BlendModeName;
  const opacity = (layer.opacity ?? 1) * opacityScale;
  const shown = clipped.filter((c) => visible(pass, c));
  if (shown.length === 0) {
    lay(canvas, own.pixels, { left: own.left, top: own.top, opacity, mode, coverages: mask ? [mask] : [] });
    return;
  }
  // A clipping group blends as a group (Photoshop's default "Blend Clipped Layers as Group"): the
  // base and its clipped layers are drawn apart, then laid with the base's mode and opacity.
  const group = blank(canvas.width, canvas.height);
  lay(group, own.pixels, {
    left: own.left,
    top: own.top,
    opacity: 1,
    mode: "normal",
    coverages: mask ? [mask] : [],
  });
  for (const layerAbove of shown) {
    const why = renderProblem(doc, layerAbove);
    if (why) {
      cannotDraw(doc, pass.pointer, why, pass.into);
      continue;
    }
    const pixels = layerPixels(doc, layerAbove);
    if (!pixels) continue;
    const itsMask = maskCoverage(layerAbove);
    lay(group, pixels.pixels, {
      left: pixels.left,
      top: pixels.top,
      opacity: layerAbove.opacity ?? 1,
      mode: (layerAbove.blendMode ?? "normal") as BlendModeName,
      coverages: itsMask ? [itsMask] : [],
      atop: true,
    });
  }
  lay(canvas, group, { left: 0, top: 0, opacity, mode });
}

/** Draws a list of sibling layers, bottom first, onto `canvas`. */
function drawLayers(pass: Pass, canvas: Pixels, layers: readonly Layer[], opacityScale = 1): void {
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as Layer;
    const clipped: Layer[] = [];
    while (!layer.children && layers[i + 1]?.clipping) clipped.push(layers[++i] as Layer);
    if (!visible(pass, layer)) continue;
    if (!layer.children) {
      drawLayer(pass, canvas, layer, clipped, opacityScale);
      continue;
    }
    const mask = maskCoverage(layer);
    const opacity = (layer.opacity ?? 1) * opacityScale;
    const mode = layer.blendMode ?? "pass through";
    if (mode === "pass through" && !mask && opacity === 1) {
      drawLayers(pass, canvas, layer.children);
      continue;
    }
    // An isolated group equals a pass-through one only when nothing inside blends with what is
    // below the group; otherwise it would be a wrong picture, not an approximation.
    if (mode === "pass through" && !allNormal(layer.children)) {
      cannotDraw(
        pass.doc,
        pass.pointer,
        `the pass-through group ${label(layer)} with opacity or a mask over blended layers`,
        pass.into,
      );
    }
    const groupCanvas = blank(canvas.width, canvas.height);
    drawLayers(pass, groupCanvas, layer.children);
    const groupMode = mode === "pass through" ? "normal" : mode;
    if (!isRenderedBlendMode(groupMode)) {
      cannotDraw(pass.doc, pass.pointer, `the blend mode '${groupMode}' of ${label(layer)}`, pass.into);
      continue;
    }
    lay(canvas, groupCanvas, { left: 0, top: 0, opacity, mode: groupMode, coverages: mask ? [mask] : [] });
  }
}

/**
 * The document's composite drawn from its layers, at canvas size: what Photoshop shows, within the
 * compositor's rounding (±2 levels), or a `DocumentError` `emulator_unsupported` (strict mode) for
 * a layer it cannot draw faithfully.
 *
 * @param layers - draw only these layers (each with its own settings), e.g. an output's filter.
 */
export function renderDocument(
  doc: WorkingDocument,
  into: string,
  pointer: string,
  layers?: readonly Layer[],
): Pixels {
  const { psd } = doc;
  const canvas = blank(psd.width, psd.height);
  const pass: Pass = { doc, into, pointer, ...(layers ? { forceVisible: new Set(layers) } : {}) };
  drawLayers(pass, canvas, layers ?? psd.children ?? []);
  return canvas;
}

/** Photoshop drops a document's stored composite when a layer changes; so does the engine. */
export function layersChanged(doc: WorkingDocument): void {
  doc.composite = undefined;
}

/** A layer libvips can lay for us: pixels in normal mode, no mask, no clipping, nothing to refuse. */
function plainLayer(doc: WorkingDocument, layer: Layer): boolean {
  return (
    !layer.children &&
    !layer.clipping &&
    (layer.blendMode ?? "normal") === "normal" &&
    maskCoverage(layer) === undefined &&
    renderProblem(doc, layer) === undefined &&
    layer.imageData !== undefined &&
    layer.imageData.width > 0 &&
    layer.imageData.height > 0
  );
}

/**
 * The document's composite as a libvips pipeline when every layer drawn is a plain one (the common
 * template: pixel layers in normal mode): one multi-threaded `composite` instead of the per-pixel
 * loop, which an encoder can read from directly. Undefined when a layer needs the compositor
 * (groups, masks, clipping, other modes).
 */
export function compositePipeline(doc: WorkingDocument, layers?: readonly Layer[]): Sharp | undefined {
  const list = layers ?? doc.psd.children ?? [];
  const forced = new Set(layers ?? []);
  const shown = list.filter((layer) => !layer.hidden || forced.has(layer));
  if (list.some((layer) => layer.clipping) || !shown.every((layer) => plainLayer(doc, layer))) {
    return undefined;
  }
  const { width, height } = doc.psd;
  const overlays: OverlayOptions[] = [];
  for (const layer of shown) {
    let pixels = layer.imageData as Pixels;
    let left = layer.left ?? 0;
    let top = layer.top ?? 0;
    if (left < 0 || top < 0 || left + pixels.width > width || top + pixels.height > height) {
      // libvips places overlays inside the base only: cut the layer to the canvas first.
      const x0 = Math.max(0, left);
      const y0 = Math.max(0, top);
      const w = Math.min(width, left + pixels.width) - x0;
      const h = Math.min(height, top + pixels.height) - y0;
      if (w <= 0 || h <= 0) continue;
      pixels = cropPixels(pixels, x0 - left, y0 - top, w, h);
      left = x0;
      top = y0;
    }
    const opacity = layer.opacity ?? 1;
    if (opacity < 1) {
      const faded = new Uint8ClampedArray(pixels.data);
      for (let i = 3; i < faded.length; i += 4) faded[i] = Math.round((faded[i] as number) * opacity);
      pixels = { ...pixels, data: faded };
    }
    const { data } = pixels;
    overlays.push({
      input: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      raw: { width: pixels.width, height: pixels.height, channels: 4 },
      left,
      top,
      blend: "over",
    });
  }
  const base = sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });
  return overlays.length > 0 ? base.composite(overlays) : base;
}

/** {@link renderDocument}, through {@link compositePipeline} when it can. */
export async function renderDocumentFast(
  doc: WorkingDocument,
  into: string,
  pointer: string,
  layers?: readonly Layer[],
): Promise<Pixels> {
  const pipeline = compositePipeline(doc, layers);
  if (!pipeline) return renderDocument(doc, into, pointer, layers);
  const out = await pipeline.raw().toBuffer();
  const { width, height } = doc.psd;
  return { data: new Uint8ClampedArray(out.buffer, out.byteOffset, out.byteLength), width, height };
}
