export { ImageDecodeError, type ImageDecodeReason } from "./errors.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./input.js";
export { type CutoutOptions, computeCutout, computeMask, type MaskOptions } from "./mask.js";
