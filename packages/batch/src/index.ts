// What a user of @psapi/batch calls. The runner's and the fleet's inner steps (the journal's event
// reducer, the Redis journal, an input's digest, the BullMQ job payload) stay inside the package;
// an operation's parts are in `@psapi/batch/operations`, hosted results in
// `@psapi/batch/hosted-results`, the Redis server tests start in `@psapi/batch/testing`.
export { BatchError, type BatchErrorCode } from "./errors.js";
export {
  checkBatchId,
  type EnqueueOptions,
  enqueueBatch,
  type FleetStatus,
  type FollowOptions,
  fleetStatus,
  followBatch,
  QUEUE_NAME,
  type StartWorkerOptions,
  startWorker,
} from "./fleet.js";
export { type BatchInput, expandInputs } from "./inputs.js";
export { type BatchJournal, type FileJournal, openFileJournal } from "./journal.js";
export {
  type BatchOperation,
  type CompositeOperationOptions,
  compositeOperation,
  OPERATIONS,
  operationNamed,
} from "./operations.js";
export { createRateLimitedFetch, type RateLimitedFetchOptions } from "./rate-limited-fetch.js";
export { createMemoryRateLimiter, type MemoryRateLimiterOptions, type RateLimiter } from "./rate-limiter.js";
export { ADOBE_RATE_RULES, type RateRule } from "./rate-rules.js";
export { createFailFastRedis, createPatientRedis } from "./redis-connection.js";
export {
  createRedisRateLimiter,
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
} from "./redis-rate-limiter.js";
export { createRedisTokenStore, type RedisTokenStoreOptions } from "./redis-token-store.js";
export {
  type BatchProgress,
  type BatchReport,
  type BatchStorage,
  checkInputs,
  checkOutputs,
  type InputReport,
  type ProcessContext,
  type RunBatchOptions,
  runBatch,
} from "./runner.js";
export { fillTemplate, readTemplateRows, type TemplateRow, templateColumns } from "./template.js";
