import type { Layer, TextStyle } from "ag-psd";
import { layersTopDown, type WorkingDocument } from "../document.js";
import { applyDocumentEdits } from "../document-edits.js";
import { DocumentError, invalidValue } from "../errors.js";
import type { Resample } from "../geometry.js";
import type { Pixels } from "../pixels.js";
import { layersChanged, renderDocumentFast } from "../render.js";
import {
  amount,
  type Descriptor,
  enumValue,
  objectOf,
  pixels,
  type Reference,
  record,
  references,
  unsupportedCommand,
} from "./action-json.js";
import {
  desaturatePixels,
  everyLayer,
  flipPixels,
  flipRect,
  invertPixels,
  rotatePixels,
  rotateRect,
} from "./pixel-ops.js";

/** Fonts the request provides (`options.fontOptions`) and what to do about the others. */
export interface ActionFonts {
  provided: ReadonlySet<string>;
  /** The font of new text without one (`defaultFontPostScriptName`, `ArialMT` when unset). */
  defaultFont: string;
  missing: "fail" | "use_default";
}

/** The state a list of commands plays on. */
export interface ActionContext {
  doc: WorkingDocument;
  /**
   * The active layer: the topmost one when the document opens (ag-psd does not read which layer
   * was active when the file was saved), then what `select`, `make` or `delete` leave active.
   */
  current: Layer | undefined;
  fonts: ActionFonts;
}

/** One command being played: the descriptor, its index in its list, and its JSON pointer. */
export interface Step {
  command: Descriptor;
  index: number;
  pointer: string;
}

export type CommandHandler = (ctx: ActionContext, step: Step) => Promise<void> | void;

// ——— layers ———

/** Every layer, bottom first, as `_index` counts them (1 = the bottom layer). */
function layersBottomUp(doc: WorkingDocument): Layer[] {
  return [...layersTopDown(doc.psd.children ?? [])].map((slot) => slot.layer).reverse();
}

function slotOf(doc: WorkingDocument, layer: Layer) {
  for (const slot of layersTopDown(doc.psd.children ?? [])) if (slot.layer === layer) return slot;
  return undefined;
}

/**
 * The layer a reference names: `_name` (the topmost of that name), `_id`, `_index` (1 = bottom),
 * or the active layer (`_enum: ordinal, _value: targetEnum`, or no reference).
 *
 * @throws DocumentError `400401` for a layer the document does not have;
 *   `emulator_unsupported_action` for another kind of reference (`backwardEnum`, `_offset`, …).
 */
function layerOf(ctx: ActionContext, step: Step, ref: Reference | undefined): Layer {
  const { doc } = ctx;
  const all = layersBottomUp(doc);
  let layer: Layer | undefined;
  let what: string;
  if (!ref || (ref._enum === "ordinal" && ref._value === "targetEnum")) {
    layer = ctx.current;
    what = "active layer (no layer is active)";
  } else if (typeof ref._name === "string") {
    layer = [...all].reverse().find((l) => l.name === ref._name);
    what = `layer named '${ref._name}'`;
  } else if (typeof ref._id === "number") {
    layer = all.find((l) => l.id === ref._id);
    what = `layer with id ${ref._id}`;
  } else if (typeof ref._index === "number") {
    layer = all[ref._index - 1];
    what = `layer at index ${ref._index} (1 = the bottom layer)`;
  } else {
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      `names a layer by ${JSON.stringify(ref)}, which the emulator does not resolve (it takes _name, _id, _index, or the active layer)`,
    );
  }
  if (!layer || !slotOf(doc, layer)) throw invalidValue(step.pointer, `the document has no ${what}`);
  return layer;
}

/** The layer a command targets: its first layer reference, else the active layer. */
function targetLayer(ctx: ActionContext, step: Step): Layer {
  const ref = references(step.command).find((r) => r._ref === "layer" || r._ref === "textLayer");
  return layerOf(ctx, step, ref);
}

/** A layer whose own pixels a command rewrites: a pixel layer, not text, a smart object, a group or an adjustment. */
function pixelLayer(step: Step, layer: Layer): Pixels {
  const kind = layer.children
    ? "a group"
    : layer.text
      ? "a text layer"
      : layer.placedLayer
        ? "a smart object"
        : layer.adjustment
          ? "an adjustment layer"
          : undefined;
  if (kind) {
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      `targets '${layer.name}', ${kind} (Photoshop would rasterize it first)`,
    );
  }
  if (!layer.imageData) throw invalidValue(step.pointer, `the layer '${layer.name}' has no pixels`);
  return layer.imageData as Pixels;
}

/** Arguments of `to`/`using` other than the ones a handler reads: refused by name, never ignored. */
function onlyKeys(step: Step, value: Record<string, unknown>, known: readonly string[], where: string): void {
  // `_obj`, `_target`, `_options`, `_isCommand`… are batchPlay's own keys; `null` is a target.
  const extra = Object.keys(value).filter(
    (key) => !key.startsWith("_") && key !== "null" && !known.includes(key),
  );
  if (extra.length > 0) {
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      `sets ${extra.map((k) => `'${where}.${k}'`).join(", ")}, which the emulator does not play`,
    );
  }
}

export const select: CommandHandler = (ctx, step) => {
  const ref = references(step.command)[0];
  if (!ref) throw invalidValue(step.pointer, "select needs a _target naming the layer");
  ctx.current = layerOf(ctx, step, ref);
};

export const deleteLayer: CommandHandler = (ctx, step) => {
  const layer = targetLayer(ctx, step);
  const slot = slotOf(ctx.doc, layer);
  if (!slot) throw invalidValue(step.pointer, `the layer '${layer.name}' is not in the document`);
  slot.siblings.splice(slot.index, 1);
  // Photoshop then activates the layer below (or the new bottom of that list, or the topmost).
  ctx.current =
    slot.siblings[Math.max(0, slot.index - 1)] ??
    ctx.doc.psd.children?.[(ctx.doc.psd.children?.length ?? 0) - 1];
  layersChanged(ctx.doc);
};

export const hide: CommandHandler = (ctx, step) => {
  targetLayer(ctx, step).hidden = true;
  layersChanged(ctx.doc);
};

export const show: CommandHandler = (ctx, step) => {
  targetLayer(ctx, step).hidden = false;
  layersChanged(ctx.doc);
};

/** `set` of layer properties: `opacity` (percent) and `name`. */
export const setLayer: CommandHandler = (ctx, step) => {
  const layer = targetLayer(ctx, step);
  const to = record(step.command.to);
  onlyKeys(step, to, ["opacity", "name"], "to");
  if (to.opacity !== undefined) {
    const percent = amount(to.opacity, `${step.pointer}/to/opacity`, "percentUnit");
    if (percent < 0 || percent > 100)
      throw invalidValue(`${step.pointer}/to/opacity`, "opacity is 0-100 percent");
    layer.opacity = percent / 100;
  }
  if (to.name !== undefined) {
    if (typeof to.name !== "string")
      throw invalidValue(`${step.pointer}/to/name`, "a layer name is a string");
    layer.name = to.name;
  }
  layersChanged(ctx.doc);
};

/** Moves a layer (its mask, text origin and smart-object corners too) by (dx, dy). */
function translate(layer: Layer, dx: number, dy: number): void {
  const shift = (r: { left?: number; top?: number; right?: number; bottom?: number }) => {
    r.left = (r.left ?? 0) + dx;
    r.right = (r.right ?? 0) + dx;
    r.top = (r.top ?? 0) + dy;
    r.bottom = (r.bottom ?? 0) + dy;
  };
  shift(layer);
  if (layer.mask) shift(layer.mask);
  const t = layer.text?.transform;
  if (layer.text && t)
    layer.text.transform = [t[0] ?? 1, t[1] ?? 0, t[2] ?? 0, t[3] ?? 1, (t[4] ?? 0) + dx, (t[5] ?? 0) + dy];
  if (layer.placedLayer)
    layer.placedLayer.transform = layer.placedLayer.transform.map((v, i) => v + (i % 2 === 0 ? dx : dy));
  for (const child of layer.children ?? []) translate(child, dx, dy);
}

/** `move` by an offset (`to: {_obj: "offset", horizontal, vertical}`), in pixels or percent of the canvas. */
export const move: CommandHandler = (ctx, step) => {
  const layer = targetLayer(ctx, step);
  const to = record(step.command.to);
  if (objectOf(to) !== "offset")
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      "moves to something other than an offset",
    );
  onlyKeys(step, to, ["horizontal", "vertical"], "to");
  const { width, height } = ctx.doc.psd;
  const dx = Math.round(pixels(to.horizontal ?? 0, `${step.pointer}/to/horizontal`, width));
  const dy = Math.round(pixels(to.vertical ?? 0, `${step.pointer}/to/vertical`, height));
  translate(layer, dx, dy);
  layersChanged(ctx.doc);
};

// ——— pixels of the active layer ———

function mapLayer(ctx: ActionContext, step: Step, map: (p: Pixels) => Pixels): void {
  const layer = targetLayer(ctx, step);
  layer.imageData = map(pixelLayer(step, layer));
  delete layer.canvas;
  layersChanged(ctx.doc);
}

export const invert: CommandHandler = (ctx, step) => mapLayer(ctx, step, invertPixels);
export const desaturate: CommandHandler = (ctx, step) => mapLayer(ctx, step, desaturatePixels);

function axisOf(step: Step): "horizontal" | "vertical" {
  const axis = enumValue(step.command.axis);
  if (axis !== "horizontal" && axis !== "vertical")
    throw invalidValue(`${step.pointer}/axis`, "axis is {_enum: orientation, _value: horizontal | vertical}");
  return axis;
}

/** `flip` of the active layer: its pixels mirrored in place (its bounds do not move). */
export const flipLayer: CommandHandler = (ctx, step) => {
  const axis = axisOf(step);
  mapLayer(ctx, step, (p) => flipPixels(p, axis));
};

// ——— the whole document ———

/** Refuses a canvas transform over layers whose geometry is not pixels (text, smart objects). */
function pixelsOnly(ctx: ActionContext, step: Step): void {
  for (const layer of everyLayer(ctx.doc.psd.children)) {
    if (layer.text || layer.placedLayer || layer.vectorMask) {
      throw unsupportedCommand(
        step.pointer,
        step.command,
        step.index,
        `would turn '${layer.name}', a ${layer.text ? "text layer" : layer.placedLayer ? "smart object" : "layer with a vector mask"}, which the emulator transforms only as pixels`,
      );
    }
  }
}

/** `flip` of the canvas (`_target` the document): every layer and the composite mirrored. */
export const flipCanvas: CommandHandler = (ctx, step) => {
  const axis = axisOf(step);
  pixelsOnly(ctx, step);
  const { psd } = ctx.doc;
  for (const layer of everyLayer(psd.children)) {
    flipRect(layer, axis, psd.width, psd.height);
    if (layer.imageData) layer.imageData = flipPixels(layer.imageData as Pixels, axis);
    if (layer.mask) {
      flipRect(layer.mask, axis, psd.width, psd.height);
      if (layer.mask.imageData) layer.mask.imageData = flipPixels(layer.mask.imageData as Pixels, axis);
    }
    delete layer.canvas;
  }
  if (ctx.doc.composite) ctx.doc.composite = flipPixels(ctx.doc.composite, axis);
};

/** `rotateEventEnum`: the canvas turned by a multiple of 90° (`angle`, clockwise, in degrees). */
export const rotateCanvas: CommandHandler = (ctx, step) => {
  const angle = amount(step.command.angle, `${step.pointer}/angle`, "angleUnit");
  const turns = (((Math.round(angle / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  if (angle % 90 !== 0)
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      `turns by ${angle}°, not a multiple of 90°`,
    );
  if (turns === 0) return;
  pixelsOnly(ctx, step);
  const { psd } = ctx.doc;
  const { width, height } = psd;
  for (const layer of everyLayer(psd.children)) {
    rotateRect(layer, turns, width, height);
    if (layer.imageData) layer.imageData = rotatePixels(layer.imageData as Pixels, turns);
    if (layer.mask) {
      rotateRect(layer.mask, turns, width, height);
      if (layer.mask.imageData) layer.mask.imageData = rotatePixels(layer.mask.imageData as Pixels, turns);
    }
    delete layer.canvas;
  }
  if (ctx.doc.composite) ctx.doc.composite = rotatePixels(ctx.doc.composite, turns);
  if (turns !== 2) {
    psd.width = height;
    psd.height = width;
  }
};

/** `flattenImage`: one Background layer holding the composite laid on white, as Photoshop flattens. */
export const flatten: CommandHandler = async (ctx, step) => {
  const { doc } = ctx;
  const composite =
    doc.composite ?? (await renderDocumentFast(doc, `flattenImage (${step.pointer})`, step.pointer));
  const data = new Uint8ClampedArray(composite.data);
  for (let i = 0; i < data.length; i += 4) {
    const a = (data[i + 3] ?? 0) / 255;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round((data[i + c] ?? 0) * a + 255 * (1 - a));
    data[i + 3] = 255;
  }
  const { width, height } = doc.psd;
  const background: Layer = {
    id: doc.nextId++,
    name: "Background",
    top: 0,
    left: 0,
    right: width,
    bottom: height,
    imageData: { data, width, height },
  };
  doc.psd.children = [background];
  doc.composite = { data: new Uint8ClampedArray(data), width, height };
  ctx.current = background;
};

const INTERPOLATION: Record<string, Resample> = {
  nearestNeighbor: "nearest_neighbor",
  bilinear: "bilinear",
  bicubic: "bicubic",
  bicubicSmoother: "bicubic_smoother",
  bicubicSharper: "bicubic_sharper",
  bicubicAutomatic: "bicubic",
  automaticInterpolation: "bicubic",
};

/** `imageSize`: `width`/`height` in pixels or percent, `constrainProportions`, `interfaceIconFrameDimmed` (the resampling). */
export const imageSize: CommandHandler = async (ctx, step) => {
  const c = step.command;
  const { width, height } = ctx.doc.psd;
  const known = ["width", "height", "constrainProportions", "interfaceIconFrameDimmed", "scaleStyles"];
  onlyKeys(step, c, known, step.command._obj);
  if (c.width === undefined && c.height === undefined)
    throw invalidValue(step.pointer, "imageSize needs a width or a height");
  const w = c.width === undefined ? undefined : Math.round(pixels(c.width, `${step.pointer}/width`, width));
  const h =
    c.height === undefined ? undefined : Math.round(pixels(c.height, `${step.pointer}/height`, height));
  if ((w !== undefined && w < 1) || (h !== undefined && h < 1))
    throw invalidValue(step.pointer, "the new size must be at least 1 pixel");
  const resampleName = enumValue(c.interfaceIconFrameDimmed);
  const resample = resampleName === undefined ? "bicubic" : INTERPOLATION[resampleName];
  if (!resample)
    throw unsupportedCommand(
      step.pointer,
      c,
      step.index,
      `resamples with '${resampleName}', which the emulator does not know`,
    );
  await applyDocumentEdits(ctx.doc, {
    resize: {
      ...(w !== undefined ? { width: { unit: "pixels_unit", value: w } } : {}),
      ...(h !== undefined ? { height: { unit: "pixels_unit", value: h } } : {}),
      constrainProportions: c.constrainProportions === true || w === undefined || h === undefined,
      resample,
    },
  });
};

/** Moves the canvas to (`left`, `top`) with the new size; what falls outside is deleted, new area is transparent. */
async function recanvas(
  ctx: ActionContext,
  left: number,
  top: number,
  width: number,
  height: number,
  hide = false,
) {
  await applyDocumentEdits(ctx.doc, {
    crop: { bounds: { left, top, right: left + width, bottom: top + height }, hide },
  });
}

/**
 * `canvasSize`: `width`/`height` (pixels or percent; added to the current size with
 * `relative: true`), anchored by `horizontal` (`left`, `center`, `right`) and `vertical` (`top`,
 * `center`, `bottom`); centred when not given. Layers keep their pixels; new area is transparent.
 */
export const canvasSize: CommandHandler = async (ctx, step) => {
  const c = step.command;
  onlyKeys(step, c, ["width", "height", "relative", "horizontal", "vertical"], c._obj);
  const { width, height } = ctx.doc.psd;
  const relative = c.relative === true;
  const size = (value: unknown, current: number, name: string) =>
    value === undefined
      ? current
      : Math.round(pixels(value, `${step.pointer}/${name}`, current) + (relative ? current : 0));
  const w = size(c.width, width, "width");
  const h = size(c.height, height, "height");
  if (w < 1 || h < 1) throw invalidValue(step.pointer, "the new canvas must be at least 1 pixel a side");
  const anchor = (value: unknown, low: string, high: string, extra: number, name: string) => {
    const where = enumValue(value) ?? "center";
    if (where === low) return 0;
    if (where === high) return extra;
    if (where === "center") return Math.floor(extra / 2);
    throw invalidValue(`${step.pointer}/${name}`, `the anchor is ${low}, center or ${high}`);
  };
  const dx = anchor(c.horizontal, "left", "right", w - width, "horizontal");
  const dy = anchor(c.vertical, "top", "bottom", h - height, "vertical");
  await recanvas(ctx, -dx, -dy, w, h);
};

/** `crop` to `to: {_obj: "rectangle", top, left, bottom, right}` (pixels or percent); `angle` 0 only. */
export const crop: CommandHandler = async (ctx, step) => {
  const c = step.command;
  onlyKeys(
    step,
    c,
    ["to", "angle", "delete", "AntA", "cropAspectRatioModeKey", "constrainProportions"],
    c._obj,
  );
  if (c.angle !== undefined && amount(c.angle, `${step.pointer}/angle`, "angleUnit") !== 0)
    throw unsupportedCommand(step.pointer, c, step.index, "crops at an angle");
  const to = record(c.to);
  if (objectOf(to) !== "rectangle")
    throw invalidValue(`${step.pointer}/to`, "crop needs to: {_obj: rectangle, …}");
  const { width, height } = ctx.doc.psd;
  const side = (name: string, whole: number) =>
    Math.round(pixels(to[name], `${step.pointer}/to/${name}`, whole));
  const left = side("left", width);
  const top = side("top", height);
  const right = side("right", width);
  const bottom = side("bottom", height);
  if (right <= left || bottom <= top)
    throw invalidValue(`${step.pointer}/to`, "right and bottom must be past left and top");
  await recanvas(ctx, left, top, right - left, bottom - top, c.delete === false);
};

/** `trim` on transparency, all four sides (the product-crop recipe's trim). */
export const trim: CommandHandler = async (ctx, step) => {
  const c = step.command;
  const basis = enumValue(c.trimBasedOn) ?? "transparency";
  const sides = ["top", "bottom", "left", "right"].every((s) => c[s] !== false);
  if (basis !== "transparency" || !sides)
    throw unsupportedCommand(
      step.pointer,
      c,
      step.index,
      "trims on something other than transparency on all four sides",
    );
  await applyDocumentEdits(ctx.doc, { trim: { trimUpon: "transparent_pixels" } });
};

// ——— text ———

function textLayerOf(ctx: ActionContext, step: Step): Layer {
  const layer = targetLayer(ctx, step);
  if (!layer.text) throw invalidValue(step.pointer, `the layer '${layer.name}' is not a text layer`);
  return layer;
}

/** A font the request may use: provided, or tolerated by `missingFontStrategy: use_default`. */
function checkFont(ctx: ActionContext, name: string, pointer: string): string {
  if (ctx.fonts.provided.has(name) || ctx.fonts.missing === "use_default") return name;
  throw new DocumentError(
    "emulator_missing_font",
    pointer,
    `${pointer}: the font ${name} is not among options.fontOptions.additionalFonts, and missingFontStrategy is fail (the emulator has no fonts of its own)`,
  );
}

const TEXT_STYLE_KEYS = [
  "size",
  "fontPostScriptName",
  "fontName",
  "fontStyleName",
  "color",
  "autoLeading",
  "leading",
  "tracking",
  "syntheticBold",
  "syntheticItalic",
  "textOverrideFeatureName",
  "typeStyleOperationType",
] as const;

/** ActionJSON `textStyle` → ag-psd's style (points, PostScript name, 8-bit RGB). */
function textStyleOf(
  ctx: ActionContext,
  step: Step,
  style: Record<string, unknown>,
  where: string,
): TextStyle {
  onlyKeys(step, style, TEXT_STYLE_KEYS, where);
  const out: TextStyle = {};
  const at = `${step.pointer}/${where.replace(/\./g, "/")}`;
  if (style.size !== undefined) out.fontSize = amount(style.size, `${at}/size`, "pointsUnit");
  if (style.fontPostScriptName !== undefined) {
    const name = style.fontPostScriptName;
    if (typeof name !== "string") throw invalidValue(`${at}/fontPostScriptName`, "a font name is a string");
    out.font = { name: checkFont(ctx, name, `${at}/fontPostScriptName`) };
  }
  if (style.color !== undefined) {
    const color = record(style.color);
    if (objectOf(color) !== "RGBColor")
      throw unsupportedCommand(
        step.pointer,
        step.command,
        step.index,
        "sets a text colour that is not RGBColor",
      );
    // Photoshop's descriptors name green `grain`; the guides also write `green`.
    const channel = (v: unknown, name: string) => {
      if (typeof v !== "number" || v < 0 || v > 255) throw invalidValue(`${at}/color/${name}`, "0-255");
      return Math.round(v);
    };
    out.fillColor = {
      r: channel(color.red, "red"),
      g: channel(color.grain ?? color.green, "grain"),
      b: channel(color.blue, "blue"),
    };
  }
  if (typeof style.autoLeading === "boolean") out.autoLeading = style.autoLeading;
  if (style.leading !== undefined) out.leading = amount(style.leading, `${at}/leading`, "pointsUnit");
  if (style.tracking !== undefined) out.tracking = amount(style.tracking, `${at}/tracking`);
  if (typeof style.syntheticBold === "boolean") out.fauxBold = style.syntheticBold;
  if (typeof style.syntheticItalic === "boolean") out.fauxItalic = style.syntheticItalic;
  return out;
}

/** `set` on a text layer: its content (`to: {_obj: "textLayer", textKey}`). */
export const setText: CommandHandler = (ctx, step) => {
  const layer = textLayerOf(ctx, step);
  const to = record(step.command.to);
  onlyKeys(step, to, ["textKey"], "to");
  if (typeof to.textKey !== "string")
    throw invalidValue(`${step.pointer}/to/textKey`, "textKey is the text, a string");
  // ag-psd writes "\n" as Photoshop's "\r" line break.
  const text = to.textKey.replace(/\r\n?/g, "\n");
  const data = layer.text as NonNullable<Layer["text"]>;
  data.text = text;
  // One run over the whole new text: per-run lengths of the old text no longer fit.
  if (data.styleRuns) data.styleRuns = [{ length: text.length, style: { ...data.styleRuns[0]?.style } }];
  ctx.doc.textChanged.add(layer);
  layersChanged(ctx.doc);
};

/** `set` of `textStyle` on a text layer: the style of all its text. */
export const setTextStyle: CommandHandler = (ctx, step) => {
  const ref = references(step.command).find((r) => r._ref === "textLayer" || r._ref === "layer");
  const layer = layerOf(ctx, step, ref);
  if (!layer.text) throw invalidValue(step.pointer, `the layer '${layer.name}' is not a text layer`);
  const style = textStyleOf(ctx, step, record(step.command.to), "to");
  layer.text.style = { ...layer.text.style, ...style };
  for (const run of layer.text.styleRuns ?? []) run.style = { ...run.style, ...style };
  ctx.doc.textChanged.add(layer);
  layersChanged(ctx.doc);
};

/**
 * `make` of a text layer (`using: {_obj: "textLayer", textKey, textClickPoint, textStyleRange}`):
 * point text at the click point (percent of the canvas or pixels; the centre when not given),
 * above the active layer, styled by the first range's `textStyle`.
 */
export const makeText: CommandHandler = (ctx, step) => {
  const { doc } = ctx;
  const using = record(step.command.using);
  if (objectOf(using) !== "textLayer")
    throw invalidValue(`${step.pointer}/using`, "make of a text layer needs using: {_obj: textLayer, …}");
  onlyKeys(step, using, ["textKey", "textClickPoint", "textStyleRange", "orientation"], "using");
  if (typeof using.textKey !== "string")
    throw invalidValue(`${step.pointer}/using/textKey`, "textKey is the text, a string");
  if (using.orientation !== undefined && enumValue(using.orientation) !== "horizontal")
    throw unsupportedCommand(
      step.pointer,
      step.command,
      step.index,
      "makes vertical text (the PSD library cannot write it safely)",
    );
  const click = record(using.textClickPoint);
  const x =
    click.horizontal === undefined
      ? doc.psd.width / 2
      : pixels(click.horizontal, `${step.pointer}/using/textClickPoint/horizontal`, doc.psd.width);
  const y =
    click.vertical === undefined
      ? doc.psd.height / 2
      : pixels(click.vertical, `${step.pointer}/using/textClickPoint/vertical`, doc.psd.height);
  const ranges = Array.isArray(using.textStyleRange) ? using.textStyleRange : [];
  const style = ranges[0]
    ? textStyleOf(ctx, step, record(record(ranges[0]).textStyle), "using.textStyleRange.0.textStyle")
    : {};
  const text = using.textKey.replace(/\r\n?/g, "\n");
  const layer: Layer = {
    id: doc.nextId++,
    name: text.split("\n")[0]?.slice(0, 255) || "Text",
    opacity: 1,
    blendMode: "normal",
    left: Math.round(x),
    top: Math.round(y),
    right: Math.round(x),
    bottom: Math.round(y),
    text: {
      text,
      transform: [1, 0, 0, 1, x, y],
      shapeType: "point",
      style: {
        ...style,
        font: style.font ?? { name: checkFont(ctx, ctx.fonts.defaultFont, `${step.pointer}/using`) },
      },
    },
  };
  const active = ctx.current ? slotOf(doc, ctx.current) : undefined;
  doc.psd.children ??= [];
  if (active) active.siblings.splice(active.index + 1, 0, layer);
  else doc.psd.children.push(layer);
  doc.textChanged.add(layer);
  ctx.current = layer;
  layersChanged(doc);
};
