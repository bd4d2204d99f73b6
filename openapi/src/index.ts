export type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
export { createAjv, OPENAPI_FORMATS } from "./ajv.js";
export {
  type ConformanceChecker,
  createConformanceChecker,
  type MatchedOperation,
  type Violation,
} from "./conformance.js";
export { type ErrorCodeEntry, errorCodeFor, errorCodes } from "./error-codes.js";
export {
  createSpecSet,
  HTTP_METHODS,
  pointerTokens,
  type SpecNode,
  type SpecOperation,
  type SpecSet,
} from "./spec-set.js";
export { loadSpec, SPEC_NAMES, type SpecDocument, type SpecName, specPath } from "./specs.js";
