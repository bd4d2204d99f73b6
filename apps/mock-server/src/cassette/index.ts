export { type CassetteCheckReport, type CassetteViolation, checkCassette } from "./check.js";
export {
  type BodyDifference,
  compareImages,
  compareJson,
  type ImageComparison,
  type ImageSize,
  isEnumLike,
  type JsonType,
  VOLATILE_FIELDS,
} from "./compare.js";
export {
  type CassetteDifference,
  type CassetteDiffReport,
  DIFF_CATEGORIES,
  type DiffCategory,
  type DiffEmulatorOptions,
  type DifferenceKind,
  type DiffOptions,
  diffCassette,
  type ImageMeasurement,
  jobState,
  type SkippedEntry,
  type SkipReason,
} from "./diff.js";
export {
  CassetteFormatError,
  CassetteMissError,
  CassetteSecretError,
  type RequestSummary,
} from "./errors.js";
export {
  BLOB_THRESHOLD_BYTES,
  type BlobRef,
  blobDirectory,
  type Cassette,
  type CassetteEntry,
  type CassetteHar,
  cassetteExists,
  type PsapiEntryData,
  type PsapiLogData,
  readCassette,
  validateCassette,
  writeCassette,
} from "./format.js";
export { type ResolvedOperation, resolveOperation, specSha256 } from "./operations.js";
export {
  createRecordingProxy,
  FORWARD_PREFIX,
  type RecordingProxy,
  type RecordingProxyOptions,
  SAVE_PATH,
  upstreamOrigin,
} from "./proxy.js";
export {
  type CassetteMode,
  type RecordingFetch,
  type RecordingFetchOptions,
  recordedResponse,
  recordingFetch,
  type UpstreamFetch,
} from "./recording-fetch.js";
export { findSecretPatterns, findSecrets, isCassetteSecretName, isSignedUrl } from "./redaction.js";
export type { CassetteMissBody } from "./replay-router.js";
export type { CassetteEntryUse, CassetteUse } from "./replayer.js";
export { checkReportMarkdown, diffReportMarkdown } from "./report.js";
