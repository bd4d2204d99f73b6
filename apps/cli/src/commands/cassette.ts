import {
  type Cassette,
  CassetteFormatError,
  readCassette,
  recordedResponse,
} from "@psapi/mock-server/cassette";
import { createConformanceChecker, loadSpec, SPEC_NAMES } from "@psapi/openapi";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";

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

/** What `psapi cassette validate` found. */
export interface CassetteReport {
  /** Answers checked against an operation of the specs. */
  checked: number;
  /** Answers to URLs no spec declares (storage on S3 or Azure, other hosts): not checked. */
  unchecked: number;
  violations: CassetteViolation[];
}

/**
 * Checks every recorded answer of a cassette against psapi's OpenAPI files with the one
 * conformance checker: status declared, content type, body schema, required headers.
 *
 * @param cassette A cassette read by `readCassette`.
 * @returns The counts and each violation.
 */
export async function checkCassette(cassette: Cassette): Promise<CassetteReport> {
  const checker = createConformanceChecker(SPEC_NAMES.map((name) => loadSpec(name)));
  const report: CassetteReport = { checked: 0, unchecked: 0, violations: [] };
  const { entries, _psapi } = cassette.har.log;
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

/**
 * `psapi cassette validate <cassette.har>`: the spec check of a recording.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 */
export function registerCassette(program: Command, session: Session): void {
  const cassette = program
    .command("cassette")
    .description("work with recorded sessions (HAR 1.2 cassettes of @psapi/mock-server/cassette)");
  cassette
    .command("validate")
    .argument("<cassette>", "the cassette file (.har)")
    .description(
      "check every recorded answer against psapi's OpenAPI files: status declared, content type, body schema, required headers",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 every checked answer meets the spec, 1 some break it (one line each), 2 the file is not a cassette.\n\nExample:\n  psapi cassette validate cassettes/remove-background.har",
    )
    .action(async (file: string) => {
      let loaded: Cassette;
      try {
        loaded = await readCassette(file);
      } catch (error) {
        if (error instanceof CassetteFormatError)
          throw usageError(
            `${error.file} is not a psapi cassette: ${error.pointer || "(root)"} ${error.problem}`,
          );
        throw error;
      }
      const report = await checkCassette(loaded);
      const summary = `${report.checked} recorded answers checked, ${report.unchecked} not in the specs, ${report.violations.length} violations`;
      if (report.violations.length === 0) {
        session.output.result(summary, { file, ...report });
        return;
      }
      for (const v of report.violations)
        session.output.stderr.write(
          `entry ${v.entry}: ${v.method} ${v.path} ${v.status} (${v.operationId ?? "no operationId"}): ${v.problem}\n`,
        );
      throw new CliError(`${file}: ${summary}`, { exitCode: ExitCode.apiFailure });
    });
}
