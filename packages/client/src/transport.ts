import { abortable, type Clock, type FetchLike, redactError } from "@psapi/auth";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { redactString } from "./redact.js";
import { isIdempotent } from "./retry-policy.js";

/** The fetch signature openapi-fetch calls (one `Request` in, one `Response` out): auth's, so one type fits both. */
export type { FetchLike };

/** Options of {@link createTransport}. */
export interface TransportOptions {
  fetch: FetchLike;
  clock: Clock;
  /** Per-request timeout in milliseconds, covering the whole response body; 0 turns it off. */
  timeoutMs: number;
}

/**
 * Wraps the configured fetch so that no single request can hang the client. Each send races the
 * fetch, including reading the whole body, against a timeout and the request's own `AbortSignal`.
 * The race does not rely on the fetch honouring the signal (an injected in-process fetch may not),
 * though a combined signal is passed on so that a real fetch also closes its connection. Bodies are
 * buffered, which is fine for this API: every answer is a small JSON or text document.
 *
 * Failures become a {@link PhotoshopApiError} with status 0 whose `retryable` follows the idempotency
 * rule of the retry policy, and whose `cause` is the timeout or a scrubbed copy of the fetch's error.
 * An abort passes through as the caller's signal reason, unwrapped.
 */
export function createTransport({ fetch, clock, timeoutMs }: TransportOptions): FetchLike {
  return async function send(request) {
    const callerSignal = request.signal;
    callerSignal.throwIfAborted();
    const deadline = new AbortController();
    const stopTimer = new AbortController();
    if (timeoutMs > 0) {
      clock.sleep(timeoutMs, stopTimer.signal).then(
        () => deadline.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")),
        () => {}, // cancelled: the exchange finished first
      );
    }
    const signal = AbortSignal.any([callerSignal, deadline.signal]);
    try {
      const exchange = (async () => {
        // Redirects are not followed: the token rule (credentials only for the baseUrl origin) must
        // hold for the next hop too, and Adobe's API does not redirect. A 3xx surfaces as an error.
        const response = await fetch(new Request(request, { signal, redirect: "manual" }));
        // A 204 or 304 has a null body, and the Response constructor refuses a body for those.
        const body = response.body && (await response.arrayBuffer());
        return new Response(body, response); // status, statusText and headers are read from it
      })();
      // Settles when the signal aborts even if the fetch ignores it (an in-process emulator may).
      return await abortable(exchange, signal);
    } catch (error) {
      if (callerSignal.aborted) throw callerSignal.reason;
      const timedOut = deadline.signal.aborted;
      // Never the original as the cause: a custom fetch may have hung the request on it, token and all.
      const failure = redactError(error, redactString);
      const what = timedOut
        ? `timed out after ${timeoutMs} ms`
        : `failed without a complete response: ${failure.message}`;
      throw new PhotoshopApiError(`[@psapi/client] ${request.method} ${request.url} ${what}`, {
        status: 0,
        request: { method: request.method, url: request.url },
        retryable: isIdempotent(request.method),
        cause: timedOut ? deadline.signal.reason : failure,
      });
    } finally {
      stopTimer.abort();
    }
  };
}
