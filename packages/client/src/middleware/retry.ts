import { type Clock, type Logger, parseRetryAfter, redactUrl, systemClock } from "@psapi/core";
import type { Middleware } from "openapi-fetch";
import {
  isIdempotent,
  RETRYABLE_STATUSES,
  type RetryOptions,
  resolveRetryOptions,
  retryDelay,
} from "../retry-policy.js";
import { replayCopy } from "./replay-copy.js";

/** Options of {@link createRetryMiddleware}: the policy knobs plus what it needs to wait. */
export interface RetryMiddlewareOptions extends RetryOptions {
  /** Source of time for back-off and the budget. Default: the system clock. */
  clock?: Clock;
  /** Source of jitter in `[0, 1)`. Default: `Math.random`. */
  random?: () => number;
  /** Receives one `warn` per retry (method, redacted URL, status, attempt, delay). */
  logger?: Logger;
}

type Outcome = { response: Response } | { error: unknown };

/** A send as openapi-fetch's configured `fetch` does it. */
type Send = (request: Request) => Promise<Response>;

/** The retry middleware, plus `send` for a request that another middleware replays itself. */
export type RetryMiddleware = Middleware & {
  /**
   * Sends `request` with `fetch` under the same policy, e.g. the auth middleware's 401 replay, so
   * that a replay which meets a 503 is retried too.
   */
  send(request: Request, fetch: Send): Promise<Response>;
};

/**
 * Retries transient failures per Adobe's guidance: 429/500/502/503/504 answers (any method) and
 * network failures or timeouts of idempotent requests, at most `maxRetries` times, with exponential
 * back-off and full jitter, waiting at least `Retry-After` on 429 and 503, within `budgetMs`.
 * Each retry sends a fresh clone of a copy taken before the first send. An abort of the request's
 * signal ends a pending back-off at once and rejects with the signal's reason.
 *
 * Install it after the auth middleware so that each replay carries the same credentials; see the
 * client README for the order.
 *
 * @param options - Policy knobs (defaults in `DEFAULT_RETRY`), clock, random and logger.
 * @throws {TypeError} when a knob is invalid.
 * @example
 * raw.use(createRetryMiddleware({ maxRetries: 5, clock, random }));
 * @see https://github.com/AdobeDocs/ffs-photoshop-API/blob/main/src/pages/getting-started/technical-usage-notes/index.md (retries)
 */
export function createRetryMiddleware(options: RetryMiddlewareOptions = {}): RetryMiddleware {
  const { clock = systemClock, random = Math.random, logger, ...knobs } = options;
  const policy = resolveRetryOptions(knobs);
  // The copy to replay and when the first send started. Keyed weakly by the request object (which
  // openapi-fetch hands to onResponse/onError unchanged) so that an aborted call leaks nothing.
  const pending = new WeakMap<Request, { template: Request; startedAt: number }>();

  async function retryWhileTransient(
    request: Request,
    state: { template: Request; startedAt: number },
    first: Outcome,
    send: Send,
  ): Promise<Response> {
    let outcome = first;
    for (let attempt = 0; ; attempt++) {
      const status = "response" in outcome ? outcome.response.status : undefined;
      const transient = status === undefined ? isIdempotent(request.method) : RETRYABLE_STATUSES.has(status);
      if (!transient || attempt >= policy.maxRetries) return unwrap(outcome);
      const retryAfterMs =
        "response" in outcome
          ? parseRetryAfter(outcome.response.headers.get("retry-after"), clock.now())
          : undefined;
      const delay = retryDelay(policy, attempt, random, status, retryAfterMs);
      if (delay === undefined || clock.now() + delay - state.startedAt > policy.budgetMs)
        return unwrap(outcome);
      logger?.warn?.("retrying", {
        source: "@psapi/client",
        method: request.method,
        url: redactUrl(request.url),
        status: status ?? 0,
        attempt: attempt + 1,
        delayMs: delay,
      });
      if ("response" in outcome) await outcome.response.body?.cancel();
      await clock.sleep(delay, request.signal);
      outcome = await sendOnce(send, state.template.clone(), request.signal);
    }
  }

  return {
    async send(request, fetch) {
      const state = { template: replayCopy(request), startedAt: clock.now() };
      return retryWhileTransient(request, state, await sendOnce(fetch, request, request.signal), fetch);
    },
    onRequest({ request }) {
      pending.set(request, { template: replayCopy(request), startedAt: clock.now() });
      return undefined;
    },
    async onResponse({ request, response, options: { fetch } }) {
      const state = pending.get(request);
      pending.delete(request);
      if (state === undefined) return undefined;
      return retryWhileTransient(request, state, { response }, fetch);
    },
    async onError({ request, error, options: { fetch } }) {
      const state = pending.get(request);
      pending.delete(request);
      // An abort is not a failure to retry: the caller asked to stop.
      if (state === undefined || request.signal.aborted) return undefined;
      return retryWhileTransient(request, state, { error }, fetch);
    },
  };
}

/** One send; a failure becomes an outcome to judge, except an abort, which ends everything. */
async function sendOnce(send: Send, request: Request, signal: AbortSignal): Promise<Outcome> {
  try {
    return { response: await send(request) };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { error };
  }
}

function unwrap(outcome: Outcome): Response {
  if ("response" in outcome) return outcome.response;
  throw outcome.error;
}
