export {
  type ConformanceChecker,
  createConformanceChecker,
  type MatchedOperation,
  type Violation,
} from "./conformance/checker.js";
export {
  type Exchange,
  type GlobalFetchLike,
  type RecordingFetch,
  type RecordingFetchOptions,
  recordingFetch,
} from "./conformance/recording-fetch.js";
export { loadPsapiSpecs, PSAPI_SPEC_FILES, type SpecDocument } from "./conformance/spec-documents.js";
