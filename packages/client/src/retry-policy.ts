import { DEFAULT_RETRY } from "./defaults.js";
import { invalid, nonNegative } from "./validate.js";

/**
 * The retry policy's knobs (the `retry` option of `createPhotoshopClient`). Every field is
 * optional; missing ones take the values in `DEFAULT_RETRY`.
 *
 * The client's README ("Retries") states the rules these tune.
 */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` sends). Default 3; 0 disables retries. */
  maxRetries?: number;
  /** Base of the exponential back-off: attempt n waits a random time in `[0, baseDelayMs * 2^n)`. Default 1000. */
  baseDelayMs?: number;
  /** Ceiling of one back-off (before `Retry-After` is applied). Default 20000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the client honours. When Adobe asks for a longer wait, the client does not
   * retry early (that would be answered with another 429): it gives up and the error carries
   * `retryAfterMs`. Default 60000.
   */
  maxRetryAfterMs?: number;
  /** Total time for one call, from the first send to the last retry. No retry starts past it. Default 120000. */
  budgetMs?: number;
}

/** `RetryOptions` with every default filled in. */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/**
 * HTTP statuses worth retrying: Adobe's gateway retries 429/502/503/504 itself and asks clients to
 * retry 5xx with back-off; 429 is retried after `Retry-After`. Everything else (400, 401, 402, 403,
 * 404, 409, 410, 415, 422, …) describes the request or the account and fails the same way again.
 *
 * @see https://github.com/AdobeDocs/ffs-photoshop-API/blob/main/src/pages/getting-started/technical-usage-notes/index.md (retries)
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Statuses whose `Retry-After` sets the minimum wait before the next attempt. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Whether a request may be sent again after a network failure. A GET (status poll, hello) can be
 * repeated freely. A POST that failed in transit may already have reached Adobe and created a job;
 * sending it again would create a second job, and every job that succeeds is billed. So a POST is
 * only ever resent after an HTTP answer that says it was not accepted (5xx, 429).
 */
export function isIdempotent(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === "GET" || upper === "HEAD" || upper === "OPTIONS";
}

/**
 * Validates the `retry` option and merges it with the defaults.
 *
 * @throws {TypeError} when a knob is unknown (a typo would be ignored otherwise) or not a finite
 *   number ≥ 0, or `maxRetries` is not an integer.
 */
export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  for (const name of Object.keys(options ?? {})) {
    // Own keys only: `in` would accept every name an object inherits (`constructor`, `toString`, …).
    if (!Object.hasOwn(DEFAULT_RETRY, name)) {
      const known = Object.keys(DEFAULT_RETRY).join(", ");
      invalid(`retry.${name} is not a retry option (known: ${known})`);
    }
  }
  const merged = { ...DEFAULT_RETRY, ...options };
  for (const [name, value] of Object.entries(merged)) nonNegative(`retry.${name}`, value);
  if (!Number.isInteger(merged.maxRetries)) {
    invalid(`retry.maxRetries must be an integer, got ${merged.maxRetries}`);
  }
  return merged;
}

/**
 * The wait before retry number `attempt` (0-based): full jitter (a uniform random time in
 * `[0, min(maxDelayMs, baseDelayMs * 2^attempt))`), raised to `Retry-After` on 429 and 503.
 * Returns `undefined` when the server asks for a longer wait than `maxRetryAfterMs`.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
 */
export function retryDelay(
  policy: ResolvedRetryOptions,
  attempt: number,
  random: () => number,
  status: number | undefined,
  retryAfterMs: number | undefined,
): number | undefined {
  const jitter = Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
  if (status === undefined || !RETRY_AFTER_STATUSES.has(status) || retryAfterMs === undefined) return jitter;
  if (retryAfterMs > policy.maxRetryAfterMs) return undefined;
  return Math.max(jitter, retryAfterMs);
}
