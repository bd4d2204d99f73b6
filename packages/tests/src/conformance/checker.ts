// The checker lives in @psapi/openapi (the CLI's `psapi cassette validate` uses it too); the suites import it from here.
export {
  type ConformanceChecker,
  createConformanceChecker,
  type MatchedOperation,
  type Violation,
} from "@psapi/openapi";
