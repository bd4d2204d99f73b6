import { createConformanceChecker, loadSpec, SPEC_NAMES } from "@psapi/openapi";
import { type Cassette, validateCassette } from "./format.js";
import { recordedResponse } from "./recording-fetch.js";

/** One recorded answer that breaks psapi's spec. */
export interface CassetteViolation {
  /** The entry's index in `log.entries`. */
  entry: number;
  method: string;
  /** The URL's path (a cassette's URLs keep no credential, but the query is left out all the same). */
  path: string;
  status: number;
  operationId: string | undefined;
  problem: string;
}

/**
 * The JSON report of `psapi cassette validate` (`checkCassette`'s result). `format` changes only
 * when a field changes meaning or goes away.
 */
export interface CassetteCheckReport {
  report: "cassette-validate";
  format: 1;
  /** The cassette file, as given. */
  cassette: string;
  /** `log._psapi.recordedAt` and `recordedAgainst` of the cassette. */
  recordedAt: string;
  recordedAgainst: string[];
  /** Entries in the cassette. */
  entries: number;
  /** Answers checked against an operation of the specs. */
  checked: number;
  /** Answers to URLs no spec declares (storage on S3 or Azure, other hosts): not checked. */
  unchecked: number;
  violations: CassetteViolation[];
}

/**
 * Checks every recorded answer of a cassette against psapi's OpenAPI files with the one
 * conformance checker of `@psapi/openapi`: status declared, content type, body schema, required
 * headers.
 *
 * @param cassette A cassette read by `readCassette`.
 * @param file The cassette's file name, for the report. Default `"cassette.har"`.
 * @returns The counts and each violation.
 * @example
 * const report = await checkCassette(await readCassette(file), file);
 * if (report.violations.length > 0) process.exitCode = 1;
 */
export async function checkCassette(cassette: Cassette, file = "cassette.har"): Promise<CassetteCheckReport> {
  // Given in code, a cassette may not have come through readCassette: refused whole, as a file is.
  validateCassette(cassette.har, file);
  const checker = createConformanceChecker(SPEC_NAMES.map((name) => loadSpec(name)));
  const { entries, _psapi } = cassette.har.log;
  const report: CassetteCheckReport = {
    report: "cassette-validate",
    format: 1,
    cassette: file,
    recordedAt: _psapi.recordedAt,
    recordedAgainst: _psapi.recordedAgainst,
    entries: entries.length,
    checked: 0,
    unchecked: 0,
    violations: [],
  };
  for (const [index, entry] of entries.entries()) {
    const request = { method: entry.request.method, url: entry.request.url };
    if (!checker.match(request.method, request.url)) {
      report.unchecked++;
      continue;
    }
    report.checked++;
    const response = recordedResponse(entry, _psapi.storage, cassette.blobs);
    for (const violation of await checker.check(request, response))
      report.violations.push({
        entry: index,
        method: violation.method,
        path: violation.path,
        status: violation.status,
        operationId: violation.operationId,
        problem: violation.problem,
      });
  }
  return report;
}
