export { BatchError, type BatchErrorCode } from "./errors.js";
export {
  checkBatchId,
  createRedisJournal,
  type EnqueueOptions,
  enqueueBatch,
  type FleetJobData,
  type FleetStatus,
  type FollowOptions,
  fleetStatus,
  followBatch,
  QUEUE_NAME,
  type StartWorkerOptions,
  startWorker,
} from "./fleet.js";
export {
  type BatchInput,
  expandInputs,
  IMAGE_EXTENSIONS,
  inputDigest,
  resultFileName,
} from "./inputs.js";
export {
  applyEvent,
  type BatchJournal,
  type InputState,
  type JournalEvent,
  openFileJournal,
} from "./journal.js";
export {
  type AcceptedJob,
  type BatchOperation,
  type HostedResult,
  OPERATIONS,
  type OperationFile,
  type OperationRequest,
  operationNamed,
} from "./operations.js";
export { createRateLimitedFetch, type RateLimitedFetchOptions } from "./rate-limited-fetch.js";
export { createMemoryRateLimiter, type MemoryRateLimiterOptions, type RateLimiter } from "./rate-limiter.js";
export { ADOBE_RATE_RULES, type RateRule } from "./rate-rules.js";
export { createFailFastRedis, createPatientRedis } from "./redis-connection.js";
export { createRedisRateLimiter, type RedisRateLimiterOptions } from "./redis-rate-limiter.js";
export { createRedisTokenStore, type RedisTokenStoreOptions } from "./redis-token-store.js";
export {
  type BatchProgress,
  type BatchReport,
  type BatchStorage,
  checkInputs,
  checkOutputs,
  type InputReport,
  type ProcessContext,
  processInput,
  type RunBatchOptions,
  runBatch,
  summarize,
} from "./runner.js";
