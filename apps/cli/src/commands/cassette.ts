import { basename, join, resolve } from "node:path";
import { writeFileAtomic } from "@psapi/core/files";
import type { Cassette } from "@psapi/mock-server/cassette";
import { type Command, InvalidArgumentError } from "commander";
import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";
import { makeDirectory } from "../validate.js";

/**
 * The cassette module and the emulator are loaded by the cassette commands only: imported at the
 * top, they (Hono, sharp, ag-psd, the spec validators) made every `psapi` start, `--help` included,
 * load the whole emulator.
 */
const cassetteModule = () => import("@psapi/mock-server/cassette");

/** Reads a cassette; a file that is not one is a usage error naming the place and the problem. */
async function load(file: string): Promise<Cassette> {
  const { CassetteFormatError, readCassette } = await cassetteModule();
  try {
    return await readCassette(file);
  } catch (error) {
    if (error instanceof CassetteFormatError)
      throw usageError(
        `${error.file} is not a psapi cassette: ${error.pointer || "(root)"} ${error.problem}`,
      );
    throw error;
  }
}

/**
 * Writes `<dir>/<cassette name>.<kind>.md` and `.json`, creating `dir`.
 *
 * @returns The two paths, as given (relative to the working directory when `dir` is).
 */
async function writeReport(
  session: Session,
  dir: string,
  file: string,
  kind: "validate" | "diff",
  markdown: string,
  data: object,
): Promise<{ markdown: string; json: string }> {
  const stem = basename(file).replace(/\.har$/i, "");
  const paths = { markdown: join(dir, `${stem}.${kind}.md`), json: join(dir, `${stem}.${kind}.json`) };
  const absolute = resolve(session.context.cwd, dir);
  try {
    await makeDirectory(absolute);
    await writeFileAtomic(resolve(absolute, basename(paths.markdown)), markdown);
    await writeFileAtomic(resolve(absolute, basename(paths.json)), `${JSON.stringify(data, null, 2)}\n`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw usageError(
      `cannot write the report to --report ${dir}${typeof code === "string" ? ` (${code})` : ""}`,
      "choose a directory you can write to",
    );
  }
  session.output.note(`report: ${paths.markdown}, ${paths.json}`);
  return paths;
}

const parseIoU = (value: string): number => {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 1)
    throw new InvalidArgumentError("expected a number from 0 to 1.");
  return number;
};

const REPORT_HELP =
  "also write <dir>/<cassette>.<command>.md (for people) and .json (for tools: its shape is the CassetteCheckReport or CassetteDiffReport type of @psapi/mock-server/cassette)";

/**
 * `psapi cassette validate|diff <cassette.har>`: the spec check of a recording, and the emulator
 * measured against it.
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
    .option("--report <dir>", REPORT_HELP)
    .addHelpText(
      "after",
      "\nExit codes: 0 every checked answer meets the spec, 1 some break it (one line each), 2 the file is not a cassette.\n\nExample:\n  psapi cassette validate cassettes/remove-background.har --report reports/",
    )
    .action(async (file: string, options: { report?: string }) => {
      const { checkCassette, checkReportMarkdown } = await cassetteModule();
      const report = await checkCassette(await load(file), file);
      if (options.report !== undefined)
        await writeReport(session, options.report, file, "validate", checkReportMarkdown(report), report);
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
  cassette
    .command("diff")
    .argument("<cassette>", "the cassette file (.har)")
    .description(
      "send each recorded request to a fresh in-process emulator at the same virtual time and sort every difference: spec-fix (the recorded answer breaks psapi's spec), emulator-bug (the emulator's does), fidelity-gap (both meet it but differ: status, a field present in one only, a field's type or enum value, a job's final state, an output image's size or mask overlap)",
    )
    .option("--report <dir>", REPORT_HELP)
    .option(
      "--min-iou <n>",
      "lowest mask overlap (intersection over union, 0-1) of two output images that is not a difference",
      parseIoU,
      0.9,
    )
    .addHelpText(
      "after",
      [
        "",
        "The inputs of recorded jobs must be in the cassette (their upload or download, recorded in",
        "the same session): the emulator is seeded with them. A job whose input is not is listed as",
        "not compared.",
        "",
        "Not differences: the values of ids, timestamps, tokens, URLs, numbers and prose (their",
        "presence and types are compared). Images are compared by size and mask overlap, never bytes.",
        "",
        "Exit codes: 0 no difference, 1 some (one line each), 2 the file is not a cassette.",
        "",
        "Example:",
        "  psapi cassette diff cassettes/remove-background.har --report reports/",
      ].join("\n"),
    )
    .action(async (file: string, options: { report?: string; minIou: number }) => {
      const { DIFF_CATEGORIES, diffCassette, diffReportMarkdown } = await cassetteModule();
      const { createEmulator } = await import("@psapi/mock-server");
      const report = await diffCassette(await load(file), {
        file,
        minIoU: options.minIou,
        emulator: createEmulator,
      });
      if (options.report !== undefined)
        await writeReport(session, options.report, file, "diff", diffReportMarkdown(report), report);
      const counts = DIFF_CATEGORIES.map((category) => `${report.counts[category]} ${category}`).join(", ");
      const summary = `${report.compared} recorded exchanges compared with the emulator, ${report.skipped.length} not compared, ${report.differences.length} differences (${counts})`;
      if (report.differences.length === 0) {
        session.output.result(summary, { file, ...report });
        return;
      }
      for (const d of report.differences)
        session.output.stderr.write(
          `entry ${d.entry}: ${d.method} ${d.path} (${d.operationId ?? "storage"}) ${d.category}: ${d.problem}\n`,
        );
      throw new CliError(`${file}: ${summary}`, { exitCode: ExitCode.apiFailure });
    });
}
