import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { BatchReport } from "@psapi/batch";
import { scrubDeep } from "@psapi/core";
import { CliError } from "../cli-error.js";
import { displayPath } from "../display.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";

/** Writes the report, prints the summary, and fails (exit 1) unless every input succeeded. */
export async function finish(session: Session, given: BatchReport, reportPath: string): Promise<void> {
  // The report file is read by people and tools: no credential the run holds, whatever input named it.
  const report = scrubDeep(given, session.secrets.scrub);
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const { cwd } = session.context;
  const earlier = report.earlierRun > 0 ? ` (${report.earlierRun} in an earlier run)` : "";
  const doubt =
    report.inDoubt > 0 ? `; ${report.inDoubt} submission(s) in doubt after a crash may have run twice` : "";
  const text =
    `${report.operation}: ${report.succeeded} of ${report.total} succeeded${earlier}, ${report.failed} failed` +
    ` in ${(report.durationMs / 1000).toFixed(1)} s${doubt}\nreport: ${displayPath(reportPath, cwd)}`;
  if (report.failed > 0) {
    session.output.note(text);
    const first = report.inputs.find((input) => input.status === "failed");
    throw new CliError(
      `${report.failed} of ${report.total} inputs failed (first: ${first?.key}: ${first?.error})`,
      {
        exitCode: ExitCode.apiFailure,
        hint: `the report has each error; run again with --retry-failed to try them again`,
      },
    );
  }
  session.output.result(text, { report: displayPath(reportPath, cwd), ...report });
}
