import { ExitCode, type ExitCodeValue } from "./exit-codes.js";

/**
 * A failure the CLI explains to its user: one line of message, an optional hint line saying what to
 * do, and the exit code. Never carries a secret: messages are built from redacted parts.
 *
 * @example
 * throw new CliError("no such file: cat.png", { exitCode: ExitCode.usage, hint: "check the path" });
 */
export class CliError extends Error {
  override readonly name = "CliError";
  /** The process exit code this failure ends with. */
  readonly exitCode: ExitCodeValue;
  /** What the user can do about it, printed on a second line. */
  readonly hint: string | undefined;
  /**
   * The page about this failure, when there is one more precise than its exit code's: the page of
   * the error code the API or IMS answered with.
   */
  readonly docs: string | undefined;

  /**
   * @param message - One line saying what went wrong.
   * @param options - `exitCode` (default {@link ExitCode.apiFailure}), `hint`, `docs`, and the original `cause`.
   */
  constructor(
    message: string,
    options: { exitCode?: ExitCodeValue; hint?: string; docs?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.apiFailure;
    this.hint = options.hint;
    this.docs = options.docs;
  }
}

/**
 * A mistake on the command line (exit code 2).
 *
 * @param message - What is wrong with the arguments.
 * @param hint - What to pass instead.
 * @example
 * throw usageError("--timeout must be a positive number of seconds, got \"abc\"");
 */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { exitCode: ExitCode.usage, hint });
}

/**
 * The `problem` psapi's packages put on the errors they throw for a bad option, argument or input
 * (`InvalidArgumentError` and `UntrustedOriginError` of `@psapi/client`, `BatchError` of
 * `@psapi/batch`, the configuration `TypeError` of `@psapi/auth`): the sentence without the
 * package name, which the CLI words its line with. Undefined for any other error.
 *
 * @param error - What was thrown.
 * @example
 * problemOf(new InvalidArgumentError("timeoutMs must be …")) // "timeoutMs must be …"
 */
export function problemOf(error: unknown): string | undefined {
  const problem = error instanceof Error ? (error as { problem?: unknown }).problem : undefined;
  return typeof problem === "string" ? problem : undefined;
}
