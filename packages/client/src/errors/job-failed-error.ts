import { redactDeep, redactText, redactUrl } from "@psapi/core";
import type { JobFailure, JobStatus } from "../types.js";
import { LogSafeError } from "./log-safe-error.js";

/**
 * A job that Adobe reports as `failed`: a Sensei, v2 or masking job with `status: "failed"`, or a
 * psdService job whose outputs are all final and at least one failed. `errors` holds Adobe's reasons
 * as sent (Sensei/psdService `{type, code, title}`, v2 `{errorCode, message}`, masking
 * `{error_code, message}`; a failed remove-background job may carry none)
 * (redacted copies: they may echo pre-signed hrefs); the whole final status body is on `result`,
 * which is not enumerable so that logging the error never prints the signed URLs it contains.
 *
 * @example
 * try { await job.wait(); }
 * catch (error) { if (error instanceof JobFailedError) console.log(error.errors[0]?.type); }
 * @see `@psapi/openapi` photoshop-current.yaml, operations `getV2JobStatus` and `getMaskingJobStatus` (a failed status)
 */
export class JobFailedError extends LogSafeError {
  override readonly name = "JobFailedError";
  /** The job's id (last segment of its status URL). */
  declare readonly jobId: string;
  /** The status URL, without query string. */
  declare readonly statusUrl: string;
  /** Adobe's reasons: one for a Sensei or masking job, one per failed psdService output, the v2 `errorDetails`. */
  declare readonly errors: readonly JobFailure[];
  /** The final status body, unredacted (non-enumerable; holds pre-signed URLs). */
  declare readonly result: JobStatus;
  /**
   * The first reason in one line, `"<type or error code>: <title or message>"` (redacted), e.g.
   * `"InputValidationError: the image is too large"`; undefined when Adobe gave no reason.
   */
  declare readonly summary: string | undefined;

  /**
   * @param jobId - The job's id.
   * @param statusUrl - The polled URL; redacted here.
   * @param errors - Adobe's error objects, as received; redacted here.
   * @param result - The final status body.
   */
  constructor(jobId: string, statusUrl: string, errors: readonly JobFailure[], result: JobStatus) {
    const redacted = redactDeep(errors) as JobFailure[];
    const first = redacted[0];
    const summary =
      first === undefined
        ? undefined
        : `${first.type ?? first.errorCode ?? first.error_code}: ${first.title ?? first.message}`;
    super(redactText(`[@psapi/client] job ${jobId} failed (${summary ?? "no error details"})`));
    this.jobId = jobId;
    this.statusUrl = redactUrl(statusUrl);
    this.errors = redacted;
    this.summary = summary;
    Object.defineProperty(this, "result", { value: result, enumerable: false });
  }
}
