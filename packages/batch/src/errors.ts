import { redactText } from "@psapi/core";

/** What a {@link BatchError} is about, for callers that branch on it. */
export type BatchErrorCode =
  /** A batch id that is not 1 to 64 letters, digits, `_`, `.` or `-` (`checkBatchId`). */
  | "invalid-batch-id"
  /** A batch id already queued for another operation (`enqueueBatch`). */
  | "batch-mismatch"
  /** Inputs that cannot be read: none found, a duplicate key, a bad manifest line or URL (`expandInputs`). */
  | "invalid-inputs"
  /** An input this operation or target cannot run (`checkInputs`, `checkOutputs`, `processInput`). */
  | "input-not-runnable"
  /** A run option that is missing or wrong, e.g. no `outDir` where results are downloaded. */
  | "invalid-option"
  /** A file that is not this batch's journal (`openFileJournal`). */
  | "invalid-journal"
  /** An operation name `operationNamed` does not know. */
  | "unknown-operation"
  /**
   * A template batch's CSV that cannot serve the template (not CSV, no rows, a column a placeholder
   * names missing, an id used twice), or a row's value that does not fit its placeholder
   * (`readTemplateRows`, `fillTemplate`).
   */
  | "invalid-template"
  /** A rate rule with a bad name, limit or window. */
  | "invalid-rate-rule"
  /** A job that succeeded without naming a result file. */
  | "no-result";

/**
 * What `@psapi/batch` throws for a problem with the caller's inputs, options, journal or batch id:
 * a `TypeError` (as these were before, so `instanceof TypeError` still holds) whose fields say
 * what went wrong, so that a caller (the `psapi` CLI) words it without reading the message.
 *
 * @example
 * try { await expandInputs("photos/", process.cwd()); }
 * catch (error) { if (error instanceof BatchError && error.code === "invalid-inputs") console.error(error.problem); }
 */
export class BatchError extends TypeError {
  override readonly name = "BatchError";
  /** What the error is about. */
  readonly code: BatchErrorCode;
  /** The problem in one sentence, without the package name, e.g. `photos/ names no input`. */
  readonly problem: string;
  /** The input key, path or value it concerns, when there is one (a batch id, a manifest path, …). */
  readonly input: string | undefined;

  /**
   * @param code - See {@link BatchErrorCode}.
   * @param problem - One sentence, without the package name. It may quote the caller's input (a CSV
   *   cell, a manifest line): credentials and signed query strings in it are redacted here
   *   (`@psapi/core`'s `redactText`), since the problem goes to journals, reports and the terminal.
   * @param options - `input` it concerns (redacted the same way), and the original `cause`.
   */
  constructor(code: BatchErrorCode, problem: string, options: { input?: string; cause?: unknown } = {}) {
    const safe = redactText(problem);
    super(`[@psapi/batch] ${safe}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problem = safe;
    this.input = options.input === undefined ? undefined : redactText(options.input);
  }
}
