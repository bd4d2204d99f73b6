import { OPERATIONS } from "@psapi/batch/operations";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { BatchOptions, WorkerOptions } from "../batch/options.js";
import { usageError } from "../cli-error.js";
import { timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parsePositiveNumber } from "../validate.js";

const RETENTION_UNITS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** `--retention`: a whole number of days, or of hours, minutes or seconds with `h`, `m` or `s`; in ms. */
export function parseRetention(value: string): number {
  const match = /^(\d{1,6})([dhms]?)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (RETENTION_UNITS[match[2] || "d"] ?? 0) : 0;
  if (!(ms > 0)) throw new InvalidArgumentError("expected a duration such as 7d, 12h, 30m or 90s.");
  return ms;
}

function parseInteger(value: string): number {
  const number = parsePositiveNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError("expected a whole number.");
  return number;
}

function parseRedisUrl(value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "redis:" && url?.protocol !== "rediss:") {
    throw new InvalidArgumentError("expected a redis:// or rediss:// URL.");
  }
  return url;
}

const RATE_LIMITS_HELP =
  "the client-side windows: adobe (Adobe's documented limits; the default, except on the embedded " +
  'emulator, which has none), off, or a JSON array of {"name","method","route","limit","windowMs"}';

/**
 * `psapi batch` and `psapi worker`: run one operation over many inputs, resumably, on this machine
 * or (with `--queue`) on a fleet of workers sharing a Redis.
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
    .requiredOption(
      "--op <operation>",
      `the operation: ${[...Object.keys(OPERATIONS), "composite"].join(", ")}`,
    )
    .option(
      "--template <file>",
      "with --op composite: the PSD (or image) each CSV row fills (a local file or an https URL)",
    )
    .option(
      "--edits <file>",
      "with --op composite: create-composite's edits as JSON, with {{column}} placeholders",
    )
    .addOption(
      new Option("--type <type>", "with --op composite: the renditions' type").choices([
        "png",
        "jpeg",
        "tiff",
        "psd",
      ]),
    )
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
    .option(
      "--queue <redis-url>",
      "put the inputs on this Redis queue for `psapi worker` processes",
      parseRedisUrl,
    )
    .option(
      "--batch-id <id>",
      "with --queue: the batch's name, 1 to 64 of A-Z a-z 0-9 _ . - (default: from the operation and <inputs>)",
    )
    .option("--status", "with --queue: show the fleet's progress and exit")
    .option("--no-wait", "with --queue: exit once the inputs are queued")
    .option(
      "--retention <duration>",
      "with --queue: how long the batch stays in Redis once done, e.g. 7d, 12h, 30m (default 7d)",
      parseRetention,
    )
    .addOption(timeoutOption("longest wait for one job", "wait"))
    .addHelpText("after", () => {
      const lines = Object.values(OPERATIONS).map((op) => `  ${op.name.padEnd(24)}${op.description}`);
      lines.push(
        `  ${"composite".padEnd(24)}one rendition per CSV row of --template, with the row's values in --edits' {{column}} placeholders (POST /v2/create-composite)`,
      );
      return `\nOperations:\n${lines.join("\n")}\n\nExamples:\n  psapi batch rows.csv --op composite --template banner.psd --edits edits.json --type jpeg\n  psapi batch photos/ --op remove-background --out out/cutouts\n  psapi batch 'photos/**/*.jpg' --op mask-objects --concurrency 8\n  psapi batch manifest.csv --op remove-background-mask --base-url http://127.0.0.1:4010\n  psapi batch photos/ --op remove-background --queue redis://127.0.0.1:6379`;
    })
    .action(async (inputs: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<BatchOptions>();
      if (options.status && options.queue === undefined) {
        throw usageError("--status needs --queue", "add --queue redis://…");
      }
      const { runBatchCommand } = await import("../batch/run-batch.js");
      await runBatchCommand(session, inputs, options);
    });

  program
    .command("worker")
    .description("process the inputs `psapi batch --queue` put on a Redis queue, until Ctrl-C")
    .requiredOption("--queue <redis-url>", "the Redis the batch was queued on", parseRedisUrl)
    .addOption(new Option("--concurrency <n>", "inputs in flight at once").argParser(parseInteger).default(8))
    .addOption(
      new Option("--max-attempts <n>", "submissions per input before it is reported failed")
        .argParser(parseInteger)
        .default(3),
    )
    .option("--rate-limits <rules>", RATE_LIMITS_HELP, "adobe")
    .addOption(
      new Option("--lock-duration <ms>", "how long a dead worker's inputs wait before others take them")
        .argParser(parseInteger)
        .default(30_000),
    )
    .addOption(timeoutOption("longest wait for one job", "wait"))
    .addHelpText(
      "after",
      "\nExample:\n  psapi worker --queue redis://127.0.0.1:6379 --base-url http://127.0.0.1:4010",
    )
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<WorkerOptions>();
      const { runWorkerCommand } = await import("../batch/run-worker.js");
      await runWorkerCommand(session, options);
    });
}
