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
