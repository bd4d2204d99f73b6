// Re-exported so that one import covers every error a client call can reject with.
export { ImsError } from "@psapi/auth";
export type { FetchLike } from "@psapi/core";
export {
  type CallOptions,
  createPhotoshopClient,
  type JobHandle,
  type PhotoshopClient,
  type PhotoshopClientOptions,
  type PhotoshopRawClient,
} from "./client.js";
export { DEFAULT_BASE_URL, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, DEFAULT_WAIT } from "./defaults.js";
export { JobFailedError } from "./errors/job-failed-error.js";
export { JobTimeoutError } from "./errors/job-timeout-error.js";
export {
  PhotoshopApiError,
  type PhotoshopApiErrorOptions,
  type RequestDescription,
} from "./errors/photoshop-api-error.js";
export type { components, operations, paths } from "./generated/photoshop.js";
export type { PollInterval, WaitOptions } from "./jobs/wait-for-job.js";
export { type AuthMiddlewareOptions, createAuthMiddleware } from "./middleware/auth.js";
export {
  createRetryMiddleware,
  type RetryMiddleware,
  type RetryMiddlewareOptions,
} from "./middleware/retry.js";
export type { RetryOptions } from "./retry-policy.js";
export type {
  CreateMaskRequest,
  DocumentManifestRequest,
  JobError,
  JobStatus,
  PsJobStatus,
  RemoveBackgroundRequest,
  SenseiJobStatus,
} from "./types.js";
export { VERSION } from "./version.js";
