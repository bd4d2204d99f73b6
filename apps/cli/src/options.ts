import { type Command, Option } from "commander";
import { usageError } from "./cli-error.js";
import { type InputSource, parseInputArgument, parsePositiveNumber, parseUrlArgument } from "./validate.js";

/** The options every command takes, from the program. */
export interface GlobalOptions {
  json?: boolean;
  baseUrl?: URL;
}

/** The options of the commands that run a job. */
export interface JobOptions extends GlobalOptions {
  inputUrl?: URL;
  outputUrl?: URL;
  out?: string;
  timeout: number;
}

/** Default `--timeout`, in seconds: long enough for a big PSD, short enough to never hang. */
const DEFAULT_TIMEOUT_SECONDS = 300;

/** The `--timeout` options that are a command's total deadline (see {@link timeoutOption}). */
const COMMAND_DEADLINES = new WeakSet<Option>();

/**
 * The `--timeout <seconds>` option of every command that calls the network. By default it is the
 * total deadline of the command: `run()` arms it before the action starts and ends every request,
 * upload, download and wait of the command when it runs out (exit code 4), so a command that has
 * this option cannot hang, whatever it calls. `scope: "wait"` is for a command whose timeout bounds
 * each of many waits (`psapi batch`), which only Ctrl-C ends as a whole.
 *
 * @param description - What the timeout bounds, for the help text.
 * @param scope - `command` (default): the whole command's deadline; `wait`: the command's own use.
 * @example
 * program.command("hello").addOption(timeoutOption());
 */
export function timeoutOption(
  description = "give up after this many seconds: the whole command, every request and the wait",
  scope: "command" | "wait" = "command",
): Option {
  const option = new Option("--timeout <seconds>", description)
    .argParser(parsePositiveNumber)
    .default(DEFAULT_TIMEOUT_SECONDS);
  if (scope === "command") COMMAND_DEADLINES.add(option);
  return option;
}

/**
 * The command's total deadline in seconds: its `--timeout` when that option is one made by
 * {@link timeoutOption} with the `command` scope; `undefined` otherwise.
 *
 * @param command - The command about to run.
 */
export function commandDeadline(command: Command): number | undefined {
  const option = command.options.find((candidate) => COMMAND_DEADLINES.has(candidate));
  const value = option === undefined ? undefined : command.getOptionValue(option.attributeName());
  return typeof value === "number" ? value : undefined;
}
/**
 * Adds the input/output options of `mask`, `cutout` and `manifest` to a command.
 *
 * @param command - The command to extend.
 * @param result - What `--out` receives and its default, for the help text, and whether the API can
 *   write it to an `--output-url` (a manifest is read from the job status instead).
 * @example
 * addJobOptions(program.command("mask"), { what: "the mask PNG", outputUrl: true, defaultOut: "out/<name>-mask.png" });
 */
export function addJobOptions(
  command: Command,
  result: { what: string; outputUrl: boolean; defaultOut?: string },
): Command {
  command.option(
    "--input-url <url>",
    "the input as a pre-signed GET URL (instead of <input>)",
    parseUrlArgument,
  );
  const fallback =
    result.defaultOut === undefined
      ? ""
      : ` (default ${result.defaultOut}, <name> being the input's file name without extension)`;
  const out = new Option("--out <file>", `write ${result.what} to this file${fallback}`);
  if (result.outputUrl) {
    command.option(
      "--output-url <url>",
      `have the API write ${result.what} to this pre-signed PUT URL (needed on the real API)`,
      parseUrlArgument,
    );
    out.conflicts("outputUrl");
  }
  return command.addOption(out).addOption(timeoutOption());
}

/**
 * The input of a job: `<input>` or `--input-url`, exactly one of them.
 *
 * @param input - The `<input>` argument as typed, if given.
 * @param options - The command's options.
 * @throws {CliError} (usage) When both or neither are given, or `<input>` is invalid.
 */
export function jobInput(input: string | undefined, options: { inputUrl?: URL }): InputSource {
  if (input !== undefined && options.inputUrl !== undefined) {
    throw usageError("give either <input> or --input-url, not both", "--input-url is for pre-signed URLs");
  }
  if (options.inputUrl !== undefined) return { kind: "url", url: options.inputUrl };
  if (input === undefined)
    throw usageError("missing <input>: a local file or an https URL", "or pass --input-url");
  try {
    return parseInputArgument(input);
  } catch (error) {
    throw usageError(
      `<input> ${input}: ${(error as Error).message.replace(/\.$/, "")}`,
      "<input> is a local file or an https:// URL",
    );
  }
}

/**
 * A flag that names an input file (`--mask`, `--preset`, `--xmp`): a local file or an https URL,
 * else a usage error naming the flag and its value.
 *
 * @param flag - The flag as typed, e.g. `--mask`.
 * @param value - Its value.
 * @throws {CliError} (usage) When the file is missing or unreadable, or the URL is not https.
 */
export function inputFlag(flag: string, value: string): InputSource {
  try {
    return parseInputArgument(value);
  } catch (error) {
    throw usageError(
      `${flag} ${value}: ${(error as Error).message.replace(/\.$/, "")}`,
      `${flag} is a local file or an https:// URL`,
    );
  }
}
