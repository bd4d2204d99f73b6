import { redactUrl } from "@psapi/core";
import type { JobStatus } from "../types.js";
import { LogSafeError } from "./log-safe-error.js";

/**
 * A wait that reached its `timeoutMs` before the job was final. The job itself may still finish at
 * Adobe; poll again with `waitForJob(error.statusUrl)` (its id is on `jobId`). `lastStatus` is the
 * last body read (not enumerable: it holds pre-signed URLs) and `cause` the last transient polling
 * error, if the wait ended while Adobe was failing.
 *
 * @example
 * try { await job.wait({ timeoutMs: 60_000 }); }
 * catch (error) { if (error instanceof JobTimeoutError) console.log(`still running: ${error.jobId}`); }
 * @see `@psapi/openapi` photoshop-current.yaml, operations `getV2JobStatus` and `getMaskingJobStatus`
 */
export class JobTimeoutError extends LogSafeError {
  override readonly name = "JobTimeoutError";
  /** The job's id (last segment of its status URL). */
  declare readonly jobId: string;
  /** The status URL, without query string. */
  declare readonly statusUrl: string;
  /** The limit that was reached, in milliseconds. */
  declare readonly timeoutMs: number;
  /** The last status body read before the limit, if any (non-enumerable). */
  declare readonly lastStatus: JobStatus | undefined;

  /**
   * @param jobId - The job's id.
   * @param statusUrl - The polled URL; redacted here.
   * @param timeoutMs - The limit that was reached.
   * @param lastStatus - The last body read, if any.
   * @param cause - The last transient polling error, if any.
   */
  constructor(
    jobId: string,
    statusUrl: string,
    timeoutMs: number,
    lastStatus: JobStatus | undefined,
    cause?: unknown,
  ) {
    super(
      `[@psapi/client] job ${jobId} was not finished after ${timeoutMs} ms`,
      cause === undefined ? undefined : { cause },
    );
    this.jobId = jobId;
    this.statusUrl = redactUrl(statusUrl);
    this.timeoutMs = timeoutMs;
    Object.defineProperty(this, "lastStatus", { value: lastStatus, enumerable: false });
  }
}
