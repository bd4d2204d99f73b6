import { ImsError } from "@psapi/auth";
import { type Clock, type Logger, redactUrl, startDeadline } from "@psapi/core";
import { DEFAULT_WAIT } from "../defaults.js";
import { JobFailedError } from "../errors/job-failed-error.js";
import { JobTimeoutError } from "../errors/job-timeout-error.js";
import { PhotoshopApiError } from "../errors/photoshop-api-error.js";
import type { JobStatus } from "../types.js";
import { invalid, nonNegative } from "../validate.js";
import { type JobKind, readJobStatus } from "./job-status.js";

/** How often to poll: a fixed number of milliseconds, or a back-off from `initialMs` up to `maxMs`. */
export type PollInterval = number | { initialMs?: number; maxMs?: number; factor?: number };

/**
 * Options of `job.wait()` and `client.waitForJob()`.
 *
 * @typeParam T - The status body the wait resolves with.
 */
export interface WaitOptions<T extends JobStatus = JobStatus> {
  /** Ends the wait at once; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Give up with `JobTimeoutError` after this many milliseconds. Default 600000 (10 min). */
  timeoutMs?: number;
  /** Poll interval: fixed ms, or `{ initialMs = 500, factor = 1.5, maxMs = 10000 }`. */
  interval?: PollInterval;
  /** Called with every status body read before the final one (e.g. to show `pending` → `running`). */
  onProgress?: (status: T) => void;
  /**
   * Consecutive polls that may fail with a transient error (5xx, 429, network, timeout; each already
   * retried by the retry policy; or an `ImsError` that is `retryable`) before the wait rejects with
   * that error. Default 5.
   */
  maxTransientErrors?: number;
}

/** One status read: HTTP status and parsed body. HTTP errors throw `PhotoshopApiError`. */
export type StatusReader = (signal: AbortSignal) => Promise<{ status: number; body: unknown }>;

/** What {@link pollJob} needs besides the options. */
export interface PollContext {
  statusUrl: string;
  jobId: string;
  kind: JobKind;
  read: StatusReader;
  clock: Clock;
  logger: Logger | undefined;
}

/**
 * Polls a job until it is final: soon after submission, then backing off to a ceiling. Resolves with
 * the final status body on success; rejects with `JobFailedError`, `JobTimeoutError`, a
 * non-transient `PhotoshopApiError`, or the signal's reason on abort. It runs only while awaited, so
 * nothing is left to reject unhandled.
 *
 * @throws {TypeError} when an option is out of range.
 */
export async function pollJob<T extends JobStatus>(
  context: PollContext,
  options: WaitOptions<T> = {},
): Promise<T> {
  const { statusUrl, jobId, kind, read, clock, logger } = context;
  const timeoutMs = nonNegative("timeoutMs", options.timeoutMs ?? DEFAULT_WAIT.timeoutMs);
  const maxTransientErrors = nonNegative(
    "maxTransientErrors",
    options.maxTransientErrors ?? DEFAULT_WAIT.maxTransientErrors,
  );
  const interval = resolveInterval(options.interval);

  const deadline = startDeadline(clock, timeoutMs, options.signal, "job wait timed out");
  const signal = deadline.signal;
  const request = { method: "GET", url: statusUrl };

  let lastStatus: JobStatus | undefined;
  let lastError: unknown;
  let failures = 0;
  let delay = interval.initialMs;
  try {
    for (;;) {
      await clock.sleep(delay, signal);
      delay = Math.min(delay * interval.factor, interval.maxMs);
      let answer: { status: number; body: unknown };
      try {
        answer = await read(signal);
      } catch (error) {
        // Transient: Adobe's 5xx/429 or no answer (after the retry policy), or IMS out of reach for a
        // moment when the token had to be renewed mid-wait. A bad secret or an unknown job is not.
        const transient =
          (error instanceof PhotoshopApiError || error instanceof ImsError) && error.retryable;
        if (signal.aborted || !transient) throw error;
        failures += 1;
        lastError = error;
        if (failures > maxTransientErrors) throw error;
        // The next poll honours the server's Retry-After even when the retry policy gave up.
        if (error instanceof PhotoshopApiError) delay = Math.max(delay, error.retryAfterMs ?? 0);
        logger?.warn?.("status poll failed; polling again", {
          source: "@psapi/client",
          url: redactUrl(statusUrl),
          status: error.status,
          failures,
        });
        continue;
      }
      failures = 0;
      const progress = readJobStatus(answer.status, answer.body, kind, request);
      lastStatus = progress.body;
      if (progress.state === "succeeded") return progress.body as T;
      if (progress.state === "failed")
        throw new JobFailedError(jobId, statusUrl, progress.errors, progress.body);
      options.onProgress?.(progress.body as T);
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (signal.aborted) throw new JobTimeoutError(jobId, statusUrl, timeoutMs, lastStatus, lastError);
    throw error;
  } finally {
    deadline.dispose();
  }
}

function resolveInterval(interval: PollInterval | undefined): Required<Exclude<PollInterval, number>> {
  const {
    initialMs = DEFAULT_WAIT.initialIntervalMs,
    maxMs = DEFAULT_WAIT.maxIntervalMs,
    factor = DEFAULT_WAIT.intervalFactor,
  } = typeof interval === "number" ? { initialMs: interval, maxMs: interval, factor: 1 } : (interval ?? {});
  nonNegative("interval", initialMs);
  if (!(nonNegative("interval.factor", factor) >= 1)) {
    invalid(`interval.factor must be >= 1, got ${factor}`);
  }
  return { initialMs, maxMs: Math.max(initialMs, nonNegative("interval.maxMs", maxMs)), factor };
}
