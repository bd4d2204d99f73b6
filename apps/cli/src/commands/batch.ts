import { OPERATIONS } from "@psapi/batch/operations";
import { type Command, InvalidArgumentError, Option } from "commander";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parsePositiveNumber } from "../validate.js";

/** The options of `psapi batch`. */
export interface BatchOptions extends GlobalOptions {
  op: string;
  out: string;
  journal?: string;
  report?: string;
  concurrency: number;
  maxAttempts: number;
  retryFailed?: boolean;
  rateLimits?: string;
  timeout: number;
}

function parseInteger(value: string): number {
  const number = parsePositiveNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError("expected a whole number.");
  return number;
}

const RATE_LIMITS_HELP =
  "the client-side windows: adobe (Adobe's documented limits; the default, except on the embedded " +
  'emulator, which has none), off, or a JSON array of {"name","method","route","limit","windowMs"}';

/**
 * `psapi batch`: run one operation over many inputs, resumably.
 *
 * @param program - The program to add the commands to.
 * @param session - The run.
 * @example
 * registerBatch(program, session);
 * await program.parseAsync(["node", "psapi", "batch", "photos/", "--op", "mask"]);
 */
export function registerBatch(program: Command, session: Session): void {
  program
    .command("batch")
    .argument("<inputs>", "a directory, a glob (quote it), or a CSV/JSONL manifest of input and output URLs")
    .description("run one operation over many inputs, with a journal that survives a crash")
    .requiredOption("--op <operation>", `the operation: ${Object.keys(OPERATIONS).join(", ")}`)
    .option("--out <dir>", "where results and the report are written", "out/batch")
    .option("--journal <file>", "the journal file (default <out>/journal.jsonl)")
    .option("--report <file>", "the JSON report (default <out>/report.json)")
    .addOption(new Option("--concurrency <n>", "inputs in flight at once").argParser(parseInteger).default(8))
    .addOption(
      new Option("--max-attempts <n>", "submissions per input before it is reported failed")
        .argParser(parseInteger)
        .default(3),
    )
    .option("--retry-failed", "try again the inputs that failed in an earlier run")
    .option("--rate-limits <rules>", RATE_LIMITS_HELP)
    .addOption(timeoutOption("longest wait for one job"))
    .addHelpText("after", () => {
      const lines = Object.values(OPERATIONS).map((op) => `  ${op.name.padEnd(20)}${op.description}`);
      return `\nOperations:\n${lines.join("\n")}\n\nExamples:\n  psapi batch photos/ --op mask --out out/masks\n  psapi batch 'photos/**/*.jpg' --op cutout --concurrency 8\n  psapi batch manifest.csv --op mask --base-url http://127.0.0.1:4010`;
    })
    .action(async (inputs: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<BatchOptions>();
      const { runBatchCommand } = await import("../batch/run-batch.js");
      await runBatchCommand(session, inputs, options);
    });
}
