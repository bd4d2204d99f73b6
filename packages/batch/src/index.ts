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
  OPERATIONS,
  type OperationFile,
  type OperationRequest,
  operationNamed,
} from "./operations.js";
export { createRateLimitedFetch, type RateLimitedFetchOptions } from "./rate-limited-fetch.js";
export { createMemoryRateLimiter, type MemoryRateLimiterOptions, type RateLimiter } from "./rate-limiter.js";
export { ADOBE_RATE_RULES, type RateRule } from "./rate-rules.js";
export {
  type BatchProgress,
  type BatchReport,
  type BatchStorage,
  checkInputs,
  type InputReport,
  type ProcessContext,
  processInput,
  type RunBatchOptions,
  runBatch,
  summarize,
} from "./runner.js";
