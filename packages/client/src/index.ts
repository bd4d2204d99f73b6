// Re-exported so that one import covers every error a client call can reject with.
export { ImsError } from "@psapi/auth";
export type { FetchLike } from "@psapi/core";
export type { components, operations, paths } from "@psapi/openapi-types/photoshop";
export type {
  components as currentComponents,
  operations as currentOperations,
  paths as currentPaths,
} from "@psapi/openapi-types/photoshop-current";
export { isAdobeHost } from "./adobe-hosts.js";
export {
  type CallOptions,
  createPhotoshopClient,
  type PhotoshopClient,
  type PhotoshopClientOptions,
  type PhotoshopCurrentRawClient,
  type PhotoshopRawClient,
} from "./client.js";
export {
  DEFAULT_BASE_URL,
  DEFAULT_PHOTOSHOP_API_URL,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WAIT,
} from "./defaults.js";
export { JobFailedError } from "./errors/job-failed-error.js";
export { JobTimeoutError } from "./errors/job-timeout-error.js";
export {
  PhotoshopApiError,
  type PhotoshopApiErrorOptions,
  type RequestDescription,
} from "./errors/photoshop-api-error.js";
export { type RetiredOperation, RetiredOperationError } from "./errors/retired-operation-error.js";
export { autoCropResult } from "./jobs/auto-crop-result.js";
export { type Box, type JobOutputFile, jobOutputs, urlExpiry } from "./jobs/job-outputs.js";
export { jobFailures } from "./jobs/job-status.js";
export type { PollInterval, WaitOptions } from "./jobs/wait-for-job.js";
export { type AuthMiddlewareOptions, createAuthMiddleware } from "./middleware/auth.js";
export {
  createRetryMiddleware,
  type RetryMiddleware,
  type RetryMiddlewareOptions,
} from "./middleware/retry.js";
export {
  autoCrop,
  createArtboard,
  createComposite,
  createCutout,
  createMask,
  edit,
  executeActions,
  fillMaskedAreas,
  generateManifest,
  getDocumentManifest,
  getManifestStatus,
  getMaskingJobStatus,
  getMaskStatus,
  getPsdStatus,
  getRemoveBackgroundStatus,
  hello,
  maskBodyParts,
  maskObjects,
  refineMask,
  removeBackground,
} from "./operations.js";
export { UntrustedOriginError } from "./origin.js";
export type { RetryOptions } from "./retry-policy.js";
export {
  type JobHandle,
  type JobOperation,
  readJobStatusOf,
  readText,
  submitJob,
  waitForJob,
} from "./run-operation.js";
export { storageFor, type UrlStorageType } from "./storage-for.js";
export type {
  ActionsOutput,
  AutoCropAspectRatio,
  AutoCropOutput,
  AutoCropRequest,
  CreateArtboardRequest,
  CreateCompositeRequest,
  CreateMaskRequest,
  DocumentManifestRequest,
  DocumentOutput,
  EditOutput,
  EditRequest,
  ExecuteActionsRequest,
  FillMaskedAreasRequest,
  GenerateManifestRequest,
  JobError,
  JobFailure,
  JobStatus,
  LayerEdit,
  LightroomEdits,
  MaskBodyPartsRequest,
  MaskingJobStatus,
  MaskObjectsRequest,
  PsJobStatus,
  RefineMaskRequest,
  RemoveBackgroundRequest,
  RemoveBackgroundV2Request,
  SenseiJobStatus,
  V2JobStatus,
} from "./types.js";
export { InvalidArgumentError } from "./validate.js";
export { VERSION } from "./version.js";
