export { type BodyPartsOptions, maskBodyParts } from "./body-parts.js";
export { type EncodedImage, type OutputMediaType, PSD_MEDIA_TYPE } from "./encode.js";
export { ImageDecodeError, type ImageDecodeReason } from "./errors.js";
export { fillMaskedAreas } from "./fill.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits, inspectImage, type RasterFormat } from "./input.js";
export { type ManifestOptions, readDocumentManifest } from "./manifest.js";
export {
  type DocumentManifest,
  MANIFEST_LAYER_TYPES,
  type ManifestAdjustments,
  type ManifestBounds,
  type ManifestCharacterStyle,
  type ManifestDocument,
  type ManifestImageMode,
  type ManifestLayer,
  type ManifestLayerType,
  type ManifestParagraphStyle,
  type ManifestRgb,
} from "./manifest-types.js";
export { type CutoutOptions, computeCutout, computeMask, type MaskOptions } from "./mask.js";
export {
  type LabelledMask,
  MASKING_FORMATS,
  MASKING_MAX_DIMENSION,
  type MaskingOptions,
  type MaskObjectsResult,
  maskObjects,
} from "./mask-objects.js";
export type { BoundingBox } from "./raster.js";
export { type RefinedMask, type RefineMaskOptions, refineMask } from "./refine-mask.js";
export {
  type BackgroundColor,
  REMOVE_BACKGROUND_FORMATS,
  REMOVE_BACKGROUND_MAX_DIMENSION,
  type RemoveBackgroundMode,
  type RemoveBackgroundOptions,
  removeBackground,
} from "./remove-background.js";
