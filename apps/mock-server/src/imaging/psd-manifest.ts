import { type Color, type Layer, type LinkedFile, type Psd, readPsd } from "ag-psd";
import {
  iccProfileName,
  PSD_ICC_PROFILE_RESOURCE,
  photoshopBuildFromXmp,
  psdImageResource,
} from "./embedded-metadata.js";
import { corruptImage, ImageDecodeError } from "./errors.js";
import type {
  DocumentManifest,
  ManifestAdjustments,
  ManifestBounds,
  ManifestCharacterStyle,
  ManifestImageMode,
  ManifestLayer,
  ManifestParagraphStyle,
  ManifestRgb,
} from "./manifest-types.js";

/**
 * Photoshop allows 10 levels of groups; a file nesting far deeper is hostile or broken, and
 * walking it recursively could exhaust the stack.
 */
const MAX_GROUP_DEPTH = 100;

/** ag-psd's numeric colour modes (its `ColorMode` is a const enum, unusable across modules). */
const IMAGE_MODES: Record<number, ManifestImageMode> = {
  0: "bitmap",
  1: "grayscale",
  2: "indexed",
  3: "rgb",
  4: "cmyk",
  7: "multichannel",
  8: "duotone",
  9: "lab",
};

/**
 * The background layer of a flat document, the one Photoshop shows for a PNG/JPEG/TIFF or a PSD
 * saved without layer records. It has no layer record, hence the id −1 the reference allows.
 */
export function flatBackgroundLayer(width: number, height: number): ManifestLayer {
  return {
    id: -1,
    index: 0,
    name: "Background",
    type: "backgroundLayer",
    locked: true,
    visible: true,
    bounds: { top: 0, left: 0, width, height },
  };
}

/** 'pass through' → 'passThrough', 'color burn' → 'colorBurn': the manifest's spelling. */
function blendModeName(mode: string): string {
  return mode.replace(/ (\w)/g, (_, letter: string) => letter.toUpperCase());
}

function toRgb(color: Color | undefined): ManifestRgb | undefined {
  if (color === undefined) return undefined;
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  if ("r" in color) return { red: byte(color.r), green: byte(color.g), blue: byte(color.b) };
  if ("fr" in color)
    return { red: byte(color.fr * 255), green: byte(color.fg * 255), blue: byte(color.fb * 255) };
  return undefined;
}

function layerBounds(layer: Layer): ManifestBounds {
  const top = layer.top ?? 0;
  const left = layer.left ?? 0;
  return {
    top,
    left,
    width: Math.max(0, (layer.right ?? left) - left),
    height: Math.max(0, (layer.bottom ?? top) - top),
  };
}

/**
 * Adjustment and fill layers without a mask have no pixel rectangle of their own in the file:
 * they cover the whole canvas, which is what Photoshop reports for them.
 */
function pixelBounds(layer: Layer, type: ManifestLayer["type"], state: WalkState): ManifestBounds {
  const bounds = layerBounds(layer);
  const canvasWide = type === "adjustmentLayer" || type === "fillLayer";
  if (canvasWide && (bounds.width === 0 || bounds.height === 0)) {
    return { top: 0, left: 0, width: state.document.width, height: state.document.height };
  }
  return bounds;
}

/** A group has no pixels of its own: its bounds are the union of its children's. */
function unionBounds(children: ManifestLayer[]): ManifestBounds {
  let top = Number.POSITIVE_INFINITY;
  let left = Number.POSITIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  for (const { bounds: b } of children) {
    if (b.width <= 0 || b.height <= 0) continue;
    top = Math.min(top, b.top);
    left = Math.min(left, b.left);
    bottom = Math.max(bottom, b.top + b.height);
    right = Math.max(right, b.left + b.width);
  }
  if (top === Number.POSITIVE_INFINITY) return { top: 0, left: 0, width: 0, height: 0 };
  return { top, left, width: right - left, height: bottom - top };
}

function textDetails(layer: Layer): ManifestLayer["text"] {
  const text = layer.text;
  if (text === undefined) return undefined;
  const characterStyles: ManifestCharacterStyle[] = [];
  const runs = text.styleRuns ?? (text.style ? [{ length: text.text.length, style: text.style }] : []);
  let from = 0;
  for (const run of runs) {
    const style: ManifestCharacterStyle = { from, to: from + run.length };
    const fontSize = run.style.fontSize ?? text.style?.fontSize;
    const fontName = run.style.font?.name ?? text.style?.font?.name;
    const rgb = toRgb(run.style.fillColor ?? text.style?.fillColor);
    if (fontSize !== undefined) style.fontSize = fontSize;
    if (fontName !== undefined) style.fontName = fontName;
    if (text.orientation !== undefined) style.orientation = text.orientation;
    if (rgb !== undefined) style.fontColor = { rgb };
    characterStyles.push(style);
    from += run.length;
  }
  const paragraphStyles: ManifestParagraphStyle[] = [];
  from = 0;
  for (const run of text.paragraphStyleRuns ?? []) {
    const justification = run.style.justification ?? text.paragraphStyle?.justification ?? "left";
    const alignment = justification === "center" || justification === "right" ? justification : "left";
    paragraphStyles.push({
      from,
      to: from + run.length,
      alignment: justification.startsWith("justify") ? "justify" : alignment,
    });
    from += run.length;
  }
  return {
    content: text.text,
    ...(characterStyles.length > 0 ? { characterStyles } : {}),
    ...(paragraphStyles.length > 0 ? { paragraphStyles } : {}),
  };
}

function adjustmentDetails(layer: Layer): ManifestAdjustments | undefined {
  const adjustment = layer.adjustment;
  switch (adjustment?.type) {
    case "brightness/contrast":
      return {
        brightnessContrast: { brightness: adjustment.brightness ?? 0, contrast: adjustment.contrast ?? 0 },
      };
    case "exposure":
      return {
        exposure: {
          exposure: adjustment.exposure ?? 0,
          offset: adjustment.offset ?? 0,
          gammaCorrection: adjustment.gamma ?? 1,
        },
      };
    case "hue/saturation": {
      const master = adjustment.master;
      return {
        hueSaturation: {
          colorize: false,
          channels: [
            {
              channel: "master",
              hue: master?.hue ?? 0,
              saturation: master?.saturation ?? 0,
              lightness: master?.lightness ?? 0,
            },
          ],
        },
      };
    }
    case "color balance": {
      const levels = (v: typeof adjustment.shadows): [number, number, number] => [
        v?.cyanRed ?? 0,
        v?.magentaGreen ?? 0,
        v?.yellowBlue ?? 0,
      ];
      return {
        colorBalance: {
          preserveLuminosity: adjustment.preserveLuminosity ?? true,
          shadowLevels: levels(adjustment.shadows),
          midtoneLevels: levels(adjustment.midtones),
          highlightLevels: levels(adjustment.highlights),
        },
      };
    }
    default:
      return undefined;
  }
}

const SMART_OBJECT_TYPES: Record<string, string> = {
  psd: "image/vnd.adobe.photoshop",
  psb: "image/vnd.adobe.photoshop",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  tif: "image/tiff",
  tiff: "image/tiff",
  ai: "application/illustrator",
  pdf: "application/pdf",
  svg: "image/svg+xml",
};

function smartObjectDetails(layer: Layer, linkedFiles: LinkedFile[]): ManifestLayer["smartObject"] {
  const placed = layer.placedLayer;
  if (placed === undefined) return undefined;
  const file = linkedFiles.find((candidate) => candidate.id === placed.id);
  const extension = file?.name.split(".").pop()?.toLowerCase() ?? "";
  const type = SMART_OBJECT_TYPES[extension];
  return {
    ...(type !== undefined ? { type } : {}),
    // An external link carries the original file's path; an embedded one carries the data.
    linked: file?.linkedFile !== undefined,
    ...(file !== undefined ? { name: file.name } : {}),
    instanceId: placed.id,
  };
}

interface WalkState {
  /** Next free z-index, counting from the bottom of the whole stack. */
  nextIndex: number;
  /** Next id for layers that carry none (files older than Photoshop CS). */
  nextId: number;
  linkedFiles: LinkedFile[];
  document: { width: number; height: number };
}

function isLockAll(layer: Layer): boolean {
  const lock = layer.protected;
  return lock?.transparency === true && lock.composite === true && lock.position === true;
}

/**
 * Photoshop marks no "background" flag in layer records: its background is the bottom layer of
 * the stack, a plain pixel layer with transparency locked (or named "Background") covering the
 * canvas. This is that heuristic.
 */
function isBackground(layer: Layer, state: WalkState): boolean {
  const plain =
    layer.children === undefined &&
    layer.text === undefined &&
    layer.adjustment === undefined &&
    layer.placedLayer === undefined &&
    layer.vectorFill === undefined;
  const b = layerBounds(layer);
  const coversCanvas =
    b.top <= 0 &&
    b.left <= 0 &&
    b.left + b.width >= state.document.width &&
    b.top + b.height >= state.document.height;
  return plain && coversCanvas && (layer.transparencyProtected === true || layer.name === "Background");
}

function layerType(layer: Layer): ManifestLayer["type"] {
  if (layer.children !== undefined) return "layerSection";
  if (layer.text !== undefined) return "textLayer";
  if (layer.adjustment !== undefined) return "adjustmentLayer";
  if (layer.placedLayer !== undefined) return "smartObject";
  if (layer.vectorFill !== undefined) return "fillLayer";
  return "layer";
}

/**
 * Converts ag-psd's layers (bottom first) to manifest layers (topmost first), numbering z-indices
 * from the bottom the way Photoshop does: a group's hidden end marker takes an index below its
 * children, and the group itself takes the index above them.
 */
function convertLayers(layers: Layer[], state: WalkState, depth: number): ManifestLayer[] {
  if (depth > MAX_GROUP_DEPTH) {
    throw new ImageDecodeError("corrupt", `the psd nests layer groups deeper than ${MAX_GROUP_DEPTH} levels`);
  }
  const converted: ManifestLayer[] = [];
  layers.forEach((layer, position) => {
    let children: ManifestLayer[] | undefined;
    if (layer.children !== undefined) {
      state.nextIndex++; // the group's end marker
      children = convertLayers(layer.children, state, depth + 1);
    }
    const background = depth === 0 && position === 0 && isBackground(layer, state);
    const type = background ? "backgroundLayer" : layerType(layer);
    const manifestLayer: ManifestLayer = {
      id: layer.id ?? state.nextId++,
      index: state.nextIndex++,
      name: layer.name ?? "",
      type,
      locked: background || isLockAll(layer),
      visible: layer.hidden !== true,
      bounds: children !== undefined ? unionBounds(children) : pixelBounds(layer, type, state),
      blendOptions: {
        opacity: Math.round((layer.opacity ?? 1) * 100),
        blendMode: blendModeName(layer.blendMode ?? (children !== undefined ? "pass through" : "normal")),
      },
    };
    if (layer.mask !== undefined && layer.mask.fromVectorData !== true) {
      manifestLayer.mask = {
        enabled: layer.mask.disabled !== true,
        offset: { x: layer.mask.left ?? 0, y: layer.mask.top ?? 0 },
        clip: layer.clipping === true,
      };
    }
    const text = textDetails(layer);
    if (text !== undefined) manifestLayer.text = text;
    const adjustments = adjustmentDetails(layer);
    if (adjustments !== undefined) manifestLayer.adjustments = adjustments;
    const smartObject = smartObjectDetails(layer, state.linkedFiles);
    if (smartObject !== undefined) manifestLayer.smartObject = smartObject;
    const fillColor = layer.vectorFill?.type === "color" ? toRgb(layer.vectorFill.color) : undefined;
    if (fillColor !== undefined) manifestLayer.fill = { solidColor: { rgb: fillColor } };
    if (children !== undefined) manifestLayer.children = children;
    converted.push(manifestLayer);
  });
  return converted.reverse();
}

/** The largest layer id in the tree, so ids made up for id-less layers cannot collide. */
/** The largest layer id in a tree (0 when none has one): ids the manifest gives start above it. */
export function maxLayerId(layers: Layer[]): number {
  let max = 0;
  const pending = [...layers];
  for (let layer = pending.pop(); layer !== undefined; layer = pending.pop()) {
    max = Math.max(max, layer.id ?? 0);
    for (const child of layer.children ?? []) pending.push(child);
  }
  return max;
}

/**
 * Reads a PSD/PSB's header, image resources and layer records (never pixel data) into a manifest.
 *
 * @throws ImageDecodeError (`corrupt`) when ag-psd cannot parse the file.
 */
export function readPsdManifest(input: Uint8Array, name: string): DocumentManifest {
  let psd: Psd;
  try {
    psd = readPsd(input, {
      skipLayerImageData: true,
      skipCompositeImageData: true,
      skipThumbnail: true,
      skipLinkedFilesData: true,
    });
  } catch (error) {
    throw corruptImage("psd", error);
  }
  const { width, height } = psd;
  if (!(Number.isSafeInteger(width) && width > 0 && Number.isSafeInteger(height) && height > 0)) {
    throw new ImageDecodeError("corrupt", "the psd image has no valid dimensions");
  }
  const imageMode = IMAGE_MODES[psd.colorMode ?? 3] ?? "rgb";
  const document: DocumentManifest["document"] = {
    name,
    width,
    height,
    imageMode,
    bitDepth: psd.bitsPerChannel ?? 8,
  };
  const icc = iccProfileName(psdImageResource(input, PSD_ICC_PROFILE_RESOURCE));
  if (icc !== undefined) document.iccProfileName = icc;
  const resources = psd.imageResources;
  const build = photoshopBuildFromXmp(resources?.xmpMetadata);
  if (build !== undefined) document.photoshopBuild = build;

  const layers = psd.children ?? [];
  if (layers.length === 0) return { document, layers: [flatBackgroundLayer(width, height)] };
  const state: WalkState = {
    nextIndex: 0,
    nextId: maxLayerId(layers) + 1,
    linkedFiles: psd.linkedFiles ?? [],
    document: { width, height },
  };
  return { document, layers: convertLayers(layers, state, 0) };
}
