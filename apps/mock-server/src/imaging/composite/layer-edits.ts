import { randomUUID } from "node:crypto";
import type { components } from "@psapi/openapi-types/photoshop-current";
import type { AdjustmentLayer, Justification, Layer, LayerTextData, TextStyle } from "ag-psd";
import {
  boundsOf,
  decodePlaced,
  findLayer,
  type LayerSlot,
  layerKind,
  setPixels,
  type WorkingDocument,
} from "./document.js";
import { DocumentError, invalidValue, unsupported } from "./errors.js";
import { cover, fitInside, resizePixels } from "./geometry.js";
import { filled, type Pixels } from "./pixels.js";
import { layersChanged } from "./render.js";

type Schemas = components["schemas"];
export type LayerEdit = Schemas["LayerEdit"];
type Placement = Schemas["Placement"];
type LayerReference = Schemas["LayerReference"];

/** The files of a request, by the JSON pointer of their `source` (`/edits/layers/0/image/source`). */
export type RequestFiles = ReadonlyMap<string, Uint8Array>;

/** Fonts a request provides (`additionalFonts`, by PostScript name) and what to do about others. */
export interface FontPolicy {
  provided: ReadonlySet<string>;
  defaultFont: string;
  missing: "fail" | "use_default";
}

interface EditContext {
  doc: WorkingDocument;
  files: RequestFiles;
  fonts: FontPolicy;
}

function file(ctx: EditContext, pointer: string): Uint8Array {
  const bytes = ctx.files.get(pointer);
  // The route downloads every source before the job runs; a missing one is the route's bug.
  if (!bytes) throw new Error(`[@psapi/mock-server] no file was read for ${pointer}`);
  return bytes;
}

/** ag-psd's blend mode name of a v2 one: `color_burn` → `color burn`. */
export function agBlendMode(mode: string): string {
  return mode.replace(/_/g, " ");
}

const refText = (ref: LayerReference | { id?: number; name?: string }) =>
  ref.id !== undefined ? `id ${ref.id}` : `named '${ref.name}'`;

function find(ctx: EditContext, ref: { id?: number; name?: string }, pointer: string): LayerSlot {
  const slot = findLayer(ctx.doc.psd, ref);
  if (!slot) throw invalidValue(pointer, `the document has no layer ${refText(ref)}`);
  return slot;
}

/** Puts `layer` where `placement` says (default: on top; a background goes to the bottom). */
function insert(
  ctx: EditContext,
  layer: Layer,
  placement: Placement | undefined,
  pointer: string,
  background = false,
): void {
  ctx.doc.psd.children ??= [];
  const root = ctx.doc.psd.children;
  const type = placement?.type ?? (background ? "bottom" : "top");
  if (type === "top") root.push(layer);
  else if (type === "bottom") root.unshift(layer);
  else {
    const ref = placement?.referenceLayer as LayerReference;
    const target = find(ctx, ref, `${pointer}/placement/referenceLayer`);
    if (target.layer === layer)
      throw invalidValue(
        `${pointer}/placement/referenceLayer`,
        "a layer cannot be placed relative to itself",
      );
    if (type === "into") {
      if (!target.layer.children) {
        throw invalidValue(`${pointer}/placement/referenceLayer`, `the layer ${refText(ref)} is not a group`);
      }
      target.layer.children.push(layer);
    } else {
      target.siblings.splice(type === "above" ? target.index + 1 : target.index, 0, layer);
    }
  }
}

function contains(group: Layer, layer: Layer): boolean {
  return (group.children ?? []).some((child) => child === layer || contains(child, layer));
}

/** Takes a layer out of the tree; a group's children stay in its place unless they go with it. */
function detach(slot: LayerSlot, withChildren: boolean): void {
  const children = slot.layer.children;
  if (children && !withChildren) {
    slot.siblings.splice(slot.index, 1, ...children);
    slot.layer.children = [];
  } else {
    slot.siblings.splice(slot.index, 1);
  }
}

/** v2 font colour (16-bit scale, any of the accepted forms) → ag-psd's 8-bit RGB. */
function fontColor(color: Schemas["FontColor"], pointer: string): { r: number; g: number; b: number } {
  const byte = (v: number) => Math.round((Math.min(32768, Math.max(0, v)) * 255) / 32768);
  const rgb = "rgb" in color ? color.rgb : color;
  if ("red" in rgb) return { r: byte(rgb.red), g: byte(rgb.green), b: byte(rgb.blue) };
  if ("gray" in rgb) return { r: byte(rgb.gray), g: byte(rgb.gray), b: byte(rgb.gray) };
  throw unsupported(pointer, "a CMYK or Lab font colour");
}

const JUSTIFICATION: Record<string, Justification> = {
  left: "left",
  center: "center",
  right: "right",
  justify: "justify-all",
  justify_left: "justify-left",
  justify_right: "justify-right",
  justify_center: "justify-center",
};

const CAPS: Record<string, number> = { normal_caps: 0, small_caps: 1, all_caps: 2, all_small_caps: 1 };

function checkFont(ctx: EditContext, name: string, pointer: string): string {
  if (ctx.fonts.provided.has(name) || ctx.fonts.missing === "use_default") return name;
  throw new DocumentError(
    "emulator_missing_font",
    pointer,
    `${pointer}: the font ${name} is not among fontOptions.additionalFonts, and missingFontStrategy is fail (the emulator has no fonts of its own)`,
  );
}

function textStyle(ctx: EditContext, style: Schemas["CharacterStyle"], pointer: string): TextStyle {
  const out: TextStyle = {};
  if (style.font)
    out.font = { name: checkFont(ctx, style.font.postScriptName, `${pointer}/font/postScriptName`) };
  if (style.fontSize !== undefined) out.fontSize = style.fontSize;
  if (style.fontColor) out.fillColor = fontColor(style.fontColor, `${pointer}/fontColor`);
  if (style.letterSpacing !== undefined) out.tracking = style.letterSpacing;
  if (style.autoLeading !== undefined) out.autoLeading = style.autoLeading;
  if (style.lineHeight !== undefined) out.leading = style.lineHeight;
  if (style.syntheticBold !== undefined) out.fauxBold = style.syntheticBold;
  if (style.syntheticItalic !== undefined) out.fauxItalic = style.syntheticItalic;
  if (style.underline !== undefined) out.underline = style.underline;
  if (style.capsOption !== undefined) out.fontCaps = CAPS[style.capsOption] ?? 0;
  return out;
}

/**
 * A v2 `text` as ag-psd text data, merged over `existing`: content, frame, styles (inclusive v2
 * ranges become ag-psd run lengths) and paragraph alignment. Photoshop redraws the text on open.
 */
function textData(
  ctx: EditContext,
  text: Schemas["Text"],
  existing: LayerTextData | undefined,
  pointer: string,
): LayerTextData {
  const { psd } = ctx.doc;
  // ag-psd writes "\n" as Photoshop's "\r" line break.
  const content = text.content !== undefined ? text.content.replace(/\r\n?/g, "\n") : (existing?.text ?? "");
  const data: LayerTextData = { ...existing, text: content };
  if (text.frame?.type === "area") {
    const { left, top, right, bottom } = text.frame.bounds;
    data.shapeType = "box";
    data.transform = [1, 0, 0, 1, left, top];
    data.boxBounds = [0, 0, right - left, bottom - top];
  } else if (text.frame?.type === "point" || !existing) {
    const origin =
      text.frame?.type === "point" && text.frame.origin
        ? text.frame.origin
        : { x: psd.width / 2, y: psd.height / 2 };
    data.shapeType = "point";
    data.transform = [1, 0, 0, 1, origin.x, origin.y];
    delete data.boxBounds;
  }
  const styles = text.characterStyles ?? [];
  const whole = styles.find((s) => !s.apply);
  const base: TextStyle = {
    ...existing?.style,
    ...(whole
      ? textStyle(
          ctx,
          whole.characterStyle,
          `${pointer}/characterStyles/${styles.indexOf(whole)}/characterStyle`,
        )
      : {}),
  };
  if (!base.font) base.font = { name: checkFont(ctx, ctx.fonts.defaultFont, `${pointer}/characterStyles`) };
  data.style = base;
  const ranged = styles.map((s, i) => ({ s, i })).filter(({ s }) => s.apply);
  if (ranged.length > 0) {
    // Each character takes the last style whose range holds it; runs are maximal spans of one style.
    const owner = new Array<number>(content.length).fill(-1);
    for (const { s, i } of ranged) {
      const { from, to } = s.apply as { from: number; to: number };
      if (to < from) throw invalidValue(`${pointer}/characterStyles/${i}/apply`, "`to` is before `from`");
      for (let c = from; c <= Math.min(to, content.length - 1); c++) owner[c] = i;
    }
    data.styleRuns = [];
    for (let c = 0; c < content.length; ) {
      const who = owner[c] ?? -1;
      let end = c;
      while (end < content.length && owner[end] === who) end++;
      const style =
        who < 0
          ? base
          : {
              ...base,
              ...textStyle(
                ctx,
                (styles[who] as { characterStyle: Schemas["CharacterStyle"] }).characterStyle,
                `${pointer}/characterStyles/${who}/characterStyle`,
              ),
            };
      data.styleRuns.push({ length: end - c, style });
      c = end;
    }
  } else if (text.characterStyles) {
    delete data.styleRuns;
  }
  const paragraph = text.paragraphStyles?.find((p) => !p.apply) ?? text.paragraphStyles?.[0];
  if (paragraph?.paragraphStyle.alignment) {
    data.paragraphStyle = {
      ...data.paragraphStyle,
      justification: JUSTIFICATION[paragraph.paragraphStyle.alignment] ?? "left",
    };
  }
  if (text.antiAliasing) data.antiAlias = text.antiAliasing;
  if (text.textOrientation === "vertical")
    throw unsupported(`${pointer}/textOrientation`, "vertical text (ag-psd cannot write it safely)");
  return data;
}

/** v2 adjustments → ag-psd's adjustment layer data. */
function adjustment(adjustments: Schemas["Adjustments"], pointer: string): AdjustmentLayer {
  switch (adjustments.type) {
    case "brightness_contrast":
      return {
        type: "brightness/contrast",
        brightness: adjustments.brightnessContrast.brightness ?? 0,
        contrast: adjustments.brightnessContrast.contrast ?? 0,
        useLegacy: false,
      };
    case "exposure":
      return {
        type: "exposure",
        exposure: adjustments.exposure.exposureValue ?? 0,
        offset: adjustments.exposure.offset ?? 0,
        gamma: adjustments.exposure.gammaCorrection ?? 1,
      };
    case "hue_saturation": {
      const { colorize, hueSaturationAdjustments } = adjustments.hueSaturation;
      if (colorize)
        throw unsupported(
          `${pointer}/hueSaturation/colorize`,
          "a colorized hue/saturation adjustment (the PSD library cannot write it)",
        );
      const master = hueSaturationAdjustments.find((a) => !a.localRange);
      return {
        type: "hue/saturation",
        // a-d are the range's ramps, which the master channel ignores.
        master: {
          a: 0,
          b: 0,
          c: 0,
          d: 0,
          hue: master?.hue ?? 0,
          saturation: master?.saturation ?? 0,
          lightness: master?.lightness ?? 0,
        },
      };
    }
    case "color_balance": {
      const level = (values: number[] | undefined) => ({
        cyanRed: values?.[0] ?? 0,
        magentaGreen: values?.[1] ?? 0,
        yellowBlue: values?.[2] ?? 0,
      });
      const { shadowLevels, midtoneLevels, highlightLevels, preserveLuminosity } = adjustments.colorBalance;
      return {
        type: "color balance",
        shadows: level(shadowLevels),
        midtones: level(midtoneLevels),
        highlights: level(highlightLevels),
        preserveLuminosity: preserveLuminosity ?? true,
      };
    }
  }
}

/**
 * Pixels placed per `transformMode` and `transform`: `none` as they are at `at`, `fit`/`fill` the
 * canvas at 0,0 keeping the aspect, `custom` at `dimension` (stretched), then at `offset`, else by
 * the alignment, else at `at`. Rotation and skew are not drawn.
 */
async function transformed(
  ctx: EditContext,
  source: Pixels,
  entry: LayerEdit,
  pointer: string,
  at: { left: number; top: number },
  mode: NonNullable<LayerEdit["transformMode"]>,
): Promise<{ pixels: Pixels; left: number; top: number }> {
  const { psd } = ctx.doc;
  let pixels = source;
  let { left, top } = at;
  if (mode === "fit" || mode === "fill") {
    const size = (mode === "fit" ? fitInside : cover)(pixels.width, pixels.height, psd.width, psd.height);
    return { pixels: await resizePixels(pixels, size.width, size.height, "bicubic"), left: 0, top: 0 };
  }
  if (mode !== "custom") return { pixels, left, top };
  const t = entry.transform ?? {};
  if ((t.angle ?? 0) !== 0 || t.skew)
    throw unsupported(`${pointer}/transform`, "rotating or skewing a layer");
  if (t.dimension) {
    pixels = await resizePixels(
      pixels,
      t.dimension.width ?? pixels.width,
      t.dimension.height ?? pixels.height,
      "bicubic",
    );
  }
  if (t.offset) {
    left = t.offset.horizontal ?? left;
    top = t.offset.vertical ?? top;
  } else {
    if (t.horizontalAlign) {
      left = { left: 0, center: Math.round((psd.width - pixels.width) / 2), right: psd.width - pixels.width }[
        t.horizontalAlign
      ];
    }
    if (t.verticalAlign) {
      top = {
        top: 0,
        center: Math.round((psd.height - pixels.height) / 2),
        bottom: psd.height - pixels.height,
      }[t.verticalAlign];
    }
  }
  return { pixels, left, top };
}

/** Sets a layer's pixels from an image file, placed per its entry's transform (see {@link transformed}). */
async function placeImage(
  ctx: EditContext,
  layer: Layer,
  bytes: Uint8Array,
  entry: LayerEdit,
  pointer: string,
  at: { left: number; top: number },
): Promise<void> {
  if (ctx.doc.plan) return;
  const decoded = await decodePlaced(bytes, `${pointer}/image/source`, ctx.doc.limits);
  const placed = await transformed(ctx, decoded, entry, pointer, at, entry.transformMode ?? "none");
  setPixels(layer, placed.pixels, placed.left, placed.top);
}

/** Moves or scales an existing layer's pixels per its entry's transform. */
async function transformLayer(
  ctx: EditContext,
  layer: Layer,
  entry: LayerEdit,
  pointer: string,
): Promise<void> {
  if (ctx.doc.plan || (!entry.transform && (entry.transformMode ?? "none") === "none")) return;
  if (!layer.imageData) {
    throw unsupported(
      `${pointer}/transform`,
      `transforming the ${layerKind(layer)} '${layer.name}', which has no pixels`,
    );
  }
  const at = { left: layer.left ?? 0, top: layer.top ?? 0 };
  const placed = await transformed(
    ctx,
    layer.imageData as Pixels,
    entry,
    pointer,
    at,
    entry.transformMode ?? "custom",
  );
  setPixels(layer, placed.pixels, placed.left, placed.top);
}

/** Replaces (or sets) a smart object's content: fitted into the layer's bounds unless `dimension` says. */
async function placeSmartObject(
  ctx: EditContext,
  layer: Layer,
  entry: LayerEdit,
  pointer: string,
  adding: boolean,
): Promise<void> {
  const so = entry.smartObject;
  if (!so?.smartObjectFile || ctx.doc.plan) return;
  const sourcePointer = `${pointer}/smartObject/smartObjectFile/source`;
  const bytes = file(ctx, sourcePointer);
  let pixels = await decodePlaced(bytes, sourcePointer, ctx.doc.limits);
  const natural = { width: pixels.width, height: pixels.height };
  const { psd } = ctx.doc;
  const box = adding ? { left: 0, top: 0, width: psd.width, height: psd.height } : boundsOf(layer);
  if (box.width === 0 || box.height === 0)
    Object.assign(box, { left: 0, top: 0, width: psd.width, height: psd.height });
  const dimension = entry.transform?.dimension;
  const size = dimension
    ? { width: dimension.width ?? natural.width, height: dimension.height ?? natural.height }
    : fitInside(natural.width, natural.height, box.width, box.height);
  pixels = await resizePixels(pixels, size.width, size.height, "bicubic");
  const left = entry.transform?.offset?.horizontal ?? box.left + Math.round((box.width - size.width) / 2);
  const top = entry.transform?.offset?.vertical ?? box.top + Math.round((box.height - size.height) / 2);
  setPixels(layer, pixels, left, top);
  if (so.isLinked)
    ctx.doc.warnings.push(
      `${pointer}/smartObject/isLinked: the emulator embeds the content; a linked smart object is written as an embedded one`,
    );
  const id = randomUUID();
  psd.linkedFiles ??= [];
  psd.linkedFiles.push({
    id,
    name: `${layer.name ?? "content"}.${bytes[0] === 0x38 ? "psd" : "png"}`,
    data: bytes,
  });
  const right = left + size.width;
  const bottom = top + size.height;
  layer.placedLayer = {
    id,
    placed: id,
    type: "raster",
    transform: [left, top, right, top, right, bottom, left, bottom],
    width: natural.width,
    height: natural.height,
  };
}

/** Applies the settings every layer kind takes (visibility, blending, clipping, protection, mask). */
async function applyCommon(ctx: EditContext, layer: Layer, entry: LayerEdit, pointer: string): Promise<void> {
  if (entry.isVisible !== undefined) layer.hidden = !entry.isVisible;
  const opacity = entry.blendOptions?.opacity ?? entry.opacity;
  if (opacity !== undefined) layer.opacity = opacity / 100;
  const blendMode = entry.blendOptions?.blendMode ?? entry.blendMode;
  if (blendMode !== undefined) {
    if (blendMode === "pass_through" && !layer.children)
      throw invalidValue(`${pointer}/blendOptions/blendMode`, "pass_through applies to groups only");
    layer.blendMode = agBlendMode(blendMode) as Layer["blendMode"];
  }
  if (entry.isClipped !== undefined) layer.clipping = entry.isClipped;
  if (entry.protection && entry.protection.length > 0) {
    const all = entry.protection.includes("all");
    const has = (p: string) => all || entry.protection?.includes(p as never) === true;
    layer.protected = {
      transparency: has("transparency"),
      composite: has("composite"),
      position: has("position"),
      artboards: has("artboard_autonest"),
    };
  }
  const mask = entry.pixelMask;
  if (mask) {
    if (mask.delete) {
      delete layer.mask;
    } else if (mask.source && !ctx.doc.plan) {
      const maskPointer = `${pointer}/pixelMask/source`;
      const pixels = await decodePlaced(file(ctx, maskPointer), maskPointer, ctx.doc.limits);
      // A mask is grey: ag-psd reads its value from the red channel; luminance keeps colour masks sensible.
      for (let i = 0; i < pixels.data.length; i += 4) {
        const v = Math.round(
          0.299 * (pixels.data[i] ?? 0) +
            0.587 * (pixels.data[i + 1] ?? 0) +
            0.114 * (pixels.data[i + 2] ?? 0),
        );
        pixels.data[i] = v;
        pixels.data[i + 1] = v;
        pixels.data[i + 2] = v;
        pixels.data[i + 3] = 255;
      }
      const left = (layer.left ?? 0) + (mask.offset?.horizontal ?? 0);
      const top = (layer.top ?? 0) + (mask.offset?.vertical ?? 0);
      layer.mask = {
        top,
        left,
        bottom: top + pixels.height,
        right: left + pixels.width,
        defaultColor: 0,
        disabled: mask.isEnabled === false,
        positionRelativeToLayer: false,
        imageData: pixels,
      };
    } else if (layer.mask) {
      if (mask.isEnabled !== undefined) layer.mask.disabled = !mask.isEnabled;
      if (mask.offset) {
        const dx = mask.offset.horizontal ?? 0;
        const dy = mask.offset.vertical ?? 0;
        layer.mask.left = (layer.mask.left ?? 0) + dx;
        layer.mask.right = (layer.mask.right ?? 0) + dx;
        layer.mask.top = (layer.mask.top ?? 0) + dy;
        layer.mask.bottom = (layer.mask.bottom ?? 0) + dy;
      }
    }
  }
}

/** The kinds an entry's `type` may target (a pixel layer and a background are both pixels). */
function kindMatches(type: string, layer: Layer): boolean {
  const kind = layerKind(layer);
  if (type === "layer" || type === "background_layer") return kind === "layer";
  return type === kind;
}

async function addLayer(ctx: EditContext, entry: LayerEdit, pointer: string): Promise<void> {
  const { doc } = ctx;
  const type = entry.type as NonNullable<LayerEdit["type"]>;
  const layer: Layer = {
    id: doc.nextId++,
    name: entry.name ?? `Layer ${doc.nextId - 1}`,
    opacity: 1,
    blendMode: "normal",
  };
  const operation = entry.operation as { type: "add"; placement?: Placement };
  switch (type) {
    case "layer":
    case "background_layer":
      await placeImage(ctx, layer, file(ctx, `${pointer}/image/source`), entry, pointer, { left: 0, top: 0 });
      break;
    case "solid_color_layer": {
      const { red, green, blue } = (entry.fill as Schemas["SolidColorFill"]).solidColor.rgb;
      layer.vectorFill = { type: "color", color: { r: red, g: green, b: blue } };
      if (!doc.plan) setPixels(layer, filled(doc.psd.width, doc.psd.height, [red, green, blue]), 0, 0);
      break;
    }
    case "text_layer":
      layer.text = textData(ctx, entry.text as Schemas["Text"], undefined, `${pointer}/text`);
      layer.top = Math.round(layer.text.transform?.[5] ?? 0);
      layer.left = Math.round(layer.text.transform?.[4] ?? 0);
      layer.bottom = layer.top;
      layer.right = layer.left;
      doc.textChanged.add(layer);
      break;
    case "adjustment_layer":
      layer.adjustment = adjustment(entry.adjustments as Schemas["Adjustments"], `${pointer}/adjustments`);
      break;
    case "smart_object_layer":
      await placeSmartObject(ctx, layer, entry, pointer, true);
      break;
    case "group_layer":
      layer.children = [];
      layer.blendMode = "pass through";
      layer.opened = true;
      break;
  }
  await applyCommon(ctx, layer, entry, pointer);
  insert(ctx, layer, operation.placement, `${pointer}/operation`, type === "background_layer");
  for (const [i, child] of (entry.children ?? []).entries()) {
    const childPointer = `${pointer}/children/${i}`;
    const op = child.operation;
    if (op.type !== "add")
      throw invalidValue(`${childPointer}/operation/type`, "a new group's children are added");
    await addLayer(
      ctx,
      {
        ...child,
        operation: { type: "add", placement: { type: "into", referenceLayer: { id: layer.id as number } } },
      },
      childPointer,
    );
  }
}

async function editLayer(ctx: EditContext, entry: LayerEdit, pointer: string): Promise<void> {
  const slot = find(ctx, entry, pointer);
  const { layer } = slot;
  const type = entry.type as NonNullable<LayerEdit["type"]>;
  if (!kindMatches(type, layer)) {
    throw invalidValue(
      `${pointer}/type`,
      `the layer ${refText(entry)} is a ${layerKind(layer)}, not a ${type}`,
    );
  }
  if (entry.image?.source) {
    await placeImage(ctx, layer, file(ctx, `${pointer}/image/source`), entry, pointer, {
      left: layer.left ?? 0,
      top: layer.top ?? 0,
    });
  } else if (type === "layer" || type === "background_layer") {
    await transformLayer(ctx, layer, entry, pointer);
  }
  if (entry.fill) {
    const { red, green, blue } = entry.fill.solidColor.rgb;
    layer.vectorFill = { type: "color", color: { r: red, g: green, b: blue } };
    if (!ctx.doc.plan)
      setPixels(layer, filled(ctx.doc.psd.width, ctx.doc.psd.height, [red, green, blue]), 0, 0);
  }
  if (entry.text) {
    layer.text = textData(ctx, entry.text, layer.text, `${pointer}/text`);
    ctx.doc.textChanged.add(layer);
  }
  if (entry.adjustments) layer.adjustment = adjustment(entry.adjustments, `${pointer}/adjustments`);
  if (entry.smartObject) await placeSmartObject(ctx, layer, entry, pointer, false);
  if (entry.convertToLayer) {
    if (entry.image)
      throw invalidValue(`${pointer}/convertToLayer`, "convertToLayer cannot be combined with image");
    if (entry.convertedLayerName) layer.name = entry.convertedLayerName;
  }
  await applyCommon(ctx, layer, entry, pointer);
}

/**
 * Runs `edits.layers` on the document, first to last, as Adobe's v2 does: each entry adds, edits,
 * moves or deletes one layer; a layer added earlier can be named by later entries. A reference to
 * a layer the document does not have, or an entry whose `type` does not match its target, fails
 * with `400401` naming the entry; the caller runs the whole list or nothing (the document is a
 * working copy).
 */
export async function applyLayerEdits(
  doc: WorkingDocument,
  entries: readonly LayerEdit[],
  files: RequestFiles,
  fonts: FontPolicy,
  base = "/edits/layers",
): Promise<void> {
  const ctx: EditContext = { doc, files, fonts };
  for (const [i, entry] of entries.entries()) {
    const pointer = `${base}/${i}`;
    const operation = entry.operation;
    if (operation.type === "add") {
      await addLayer(ctx, entry, pointer);
    } else if (operation.type === "edit") {
      await editLayer(ctx, entry, pointer);
    } else if (operation.type === "delete") {
      const slot = find(ctx, entry, pointer);
      if (entry.type && !kindMatches(entry.type, slot.layer)) {
        throw invalidValue(
          `${pointer}/type`,
          `the layer ${refText(entry)} is a ${layerKind(slot.layer)}, not a ${entry.type}`,
        );
      }
      detach(slot, operation.shouldIncludeChildren ?? true);
    } else {
      const slot = find(ctx, entry, pointer);
      const reference = operation.placement.referenceLayer;
      if (reference && slot.layer.children) {
        const target = findLayer(doc.psd, reference);
        if (target && contains(slot.layer, target.layer)) {
          throw invalidValue(
            `${pointer}/operation/placement/referenceLayer`,
            "a group cannot be moved into or next to its own descendant",
          );
        }
      }
      detach(slot, operation.shouldIncludeChildren ?? true);
      insert(ctx, slot.layer, operation.placement, `${pointer}/operation`);
    }
    layersChanged(doc);
  }
}
