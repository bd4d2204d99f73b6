/**
 * Every default of `@psapi/client` in one place, merged once by the factories that use them.
 * Changing a value here changes it everywhere (and in the README tables, which quote these).
 */

// Adobe's hosts live with `isAdobeHost`, their one home; re-exported so every default is here.
export { DEFAULT_BASE_URL, DEFAULT_PHOTOSHOP_API_URL } from "./adobe-hosts.js";

/**
 * Per-request timeout. Adobe answers a job submission or a status poll in well under a second;
 * 30 s is long enough for a slow minute and short enough that a hung connection never hangs a job.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The retry policy's knobs. See {@link RetryOptions} for what each one means. */
export const DEFAULT_RETRY = {
  maxRetries: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  budgetMs: 120_000,
} as const;

/** How `waitForJob` polls. See {@link WaitOptions}. */
export const DEFAULT_WAIT = {
  /** Ten minutes: a manifest of a 1 GB PSD finishes in minutes, a mask in seconds. */
  timeoutMs: 600_000,
  /** First poll half a second after submission: a mask job can finish that fast. */
  initialIntervalMs: 500,
  /** Each poll waits this factor longer than the last... */
  intervalFactor: 1.5,
  /** ...up to this ceiling, well under Adobe's GET rate limit (300 per 3 s per org). */
  maxIntervalMs: 10_000,
  /** Consecutive polls that may fail with a transient error (each already retried) before giving up. */
  maxTransientErrors: 5,
} as const;
