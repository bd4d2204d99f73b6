export { ImageDecodeError, type ImageDecodeReason } from "./errors.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./input.js";
export { type ManifestOptions, readDocumentManifest } from "./manifest.js";
export type {
  DocumentManifest,
  ManifestAdjustments,
  ManifestBounds,
  ManifestCharacterStyle,
  ManifestDocument,
  ManifestImageMode,
  ManifestLayer,
  ManifestLayerType,
  ManifestParagraphStyle,
  ManifestRgb,
} from "./manifest-types.js";
export { type CutoutOptions, computeCutout, computeMask, type MaskOptions } from "./mask.js";
