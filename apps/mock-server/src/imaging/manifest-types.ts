/**
 * The shapes of a documentManifest job's `document` and `layers`, as the emulator writes them: the
 * spec's `ManifestDocument` and `Layer` narrowed to what the emulator always sets (the spec's are
 * open, for readers). `manifest-types.test.ts` holds each assignable to the generated spec type, so
 * a field whose type differs from the spec's fails the typecheck.
 *
 * @see `@psapi/openapi` photoshop.yaml, operation `getPsdJobStatus` (ManifestJobDocumentDetails, LayerDetails).
 */

import type { components } from "@psapi/openapi-types/photoshop";

/** Photoshop's colour modes (SDK-OAS spelling `grayscale`; APIDOC writes `greyscale`). */
export type ManifestImageMode =
  | "bitmap"
  | "grayscale"
  | "indexed"
  | "rgb"
  | "cmyk"
  | "multichannel"
  | "duotone"
  | "lab";

/** The document part of a manifest. Optional fields are present only when the file says them. */
export interface ManifestDocument {
  /** The name the caller gave (the input's file name). */
  name: string;
  /** Width in pixels, after EXIF orientation for photos. */
  width: number;
  /** Height in pixels, after EXIF orientation for photos. */
  height: number;
  imageMode: ManifestImageMode;
  /** Bits per channel: 8, 16 or 32 (1 for bitmap mode). */
  bitDepth: number;
  /** The `desc` of the embedded ICC profile, e.g. `sRGB IEC61966-2.1`. */
  iccProfileName?: string;
  /** The Photoshop that wrote the file (XMP `xmp:CreatorTool` when it names Adobe Photoshop). */
  photoshopBuild?: string;
}

/** The layer kinds Adobe's manifest distinguishes: the spec's `LayerType` (generated from `photoshop.yaml`). */
export type ManifestLayerType = components["schemas"]["LayerType"];

/**
 * Every {@link ManifestLayerType}, as a list the emulator can iterate; `manifest-types.test.ts`
 * holds it equal to the spec's enum, and the compiler refuses a kind the spec does not have.
 * `contentLayer` appears in one Adobe example only; the emulator's reader never produces it.
 */
export const MANIFEST_LAYER_TYPES = [
  "layer",
  "textLayer",
  "adjustmentLayer",
  "layerSection",
  "smartObject",
  "fillLayer",
  "backgroundLayer",
  "contentLayer",
] as const satisfies readonly ManifestLayerType[];

/** A rectangle in document pixels. */
export interface ManifestBounds {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** An sRGB colour with 0–255 components. */
export interface ManifestRgb {
  red: number;
  green: number;
  blue: number;
}

/** One run of characters sharing a style; `to` is exclusive. */
export interface ManifestCharacterStyle {
  from: number;
  to: number;
  fontSize?: number;
  fontName?: string;
  orientation?: "horizontal" | "vertical";
  fontColor?: { rgb: ManifestRgb };
}

/** One run of paragraphs sharing an alignment; `to` is exclusive. */
export interface ManifestParagraphStyle {
  from: number;
  to: number;
  alignment: "left" | "center" | "right" | "justify";
}

/**
 * The adjustment settings the manifest reports, for the four kinds Adobe documents. A type, not an
 * interface, so that it is assignable to the spec's open `adjustments` object.
 */
export type ManifestAdjustments = {
  brightnessContrast?: { brightness: number; contrast: number };
  exposure?: { exposure: number; offset: number; gammaCorrection: number };
  hueSaturation?: {
    colorize: boolean;
    channels: { channel: "master"; hue: number; saturation: number; lightness: number }[];
  };
  colorBalance?: {
    preserveLuminosity: boolean;
    shadowLevels: [number, number, number];
    midtoneLevels: [number, number, number];
    highlightLevels: [number, number, number];
  };
};

/** One layer of the tree; groups (`layerSection`) carry `children`, topmost first. */
export interface ManifestLayer {
  /** Photoshop's layer id; −1 for the background of a flat (single-layer) document. */
  id: number;
  /** Z-index: 0 is the bottom of the document's layer stack (group end markers count). */
  index: number;
  name: string;
  type: ManifestLayerType;
  /** True for "lock all" layers and for the background layer. */
  locked: boolean;
  visible: boolean;
  bounds: ManifestBounds;
  blendOptions?: { opacity: number; blendMode: string };
  mask?: { enabled: boolean; offset: { x: number; y: number }; clip: boolean };
  smartObject?: { type?: string; linked: boolean; name?: string; instanceId: string };
  fill?: { solidColor: { rgb: ManifestRgb } };
  adjustments?: ManifestAdjustments;
  text?: {
    content: string;
    characterStyles?: ManifestCharacterStyle[];
    paragraphStyles?: ManifestParagraphStyle[];
  };
  children?: ManifestLayer[];
}

/** What {@link readDocumentManifest} returns: the document and its layers, topmost first. */
export interface DocumentManifest {
  document: ManifestDocument;
  layers: ManifestLayer[];
}
