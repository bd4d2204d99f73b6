import {
  abortable,
  type Clock,
  type Deadline,
  type FetchLike,
  parseRetryAfter,
  startDeadline,
  systemClock,
} from "@psapi/core";
import type { RateLimiter } from "./rate-limiter.js";

/** Options of {@link createRateLimitedFetch}. */
export interface RateLimitedFetchOptions {
  /** The fetch that sends. */
  fetch: FetchLike;
  limiter: RateLimiter;
  /**
   * Time one request may take once it has its slot, answer and body included (ms). Default 30000.
   * Give the client `timeoutMs: 0`: its own timeout would count the wait for a slot.
   */
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * A fetch that takes a slot from the limiter before each send and settles it when the answer's
 * headers are in (or the send failed), and, when an answer carries
 * `Retry-After` (429, or 503 with the header), holds every request the same windows count until
 * then. Give it to `createPhotoshopClient({ fetch, timeoutMs: 0 })`: every send, the client's own
 * retries and polls included, then goes through the limiter.
 *
 * @param options - See {@link RateLimitedFetchOptions}.
 * @example
 * const limiter = createMemoryRateLimiter({ rules: ADOBE_RATE_RULES });
 * const client = createPhotoshopClient({ auth, fetch: createRateLimitedFetch({ fetch, limiter }), timeoutMs: 0 });
 */
export function createRateLimitedFetch(options: RateLimitedFetchOptions): FetchLike {
  const { fetch, limiter } = options;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async function rateLimitedFetch(request) {
    const { pathname } = new URL(request.url);
    const slot = await limiter.acquire(request.method, pathname, request.signal);
    let settled = false;
    const settle = async () => {
      if (settled) return;
      settled = true;
      await slot.settle();
    };
    let deadline: Deadline | undefined;
    try {
      // Inside the try: a signal that aborted during acquire's last round trip makes this throw, and
      // the slot must still be settled, or it blocks its window (for good in the memory limiter).
      deadline = startDeadline(clock, timeoutMs, request.signal, `timed out after ${timeoutMs} ms`);
      let response: Response;
      try {
        response = await abortable(fetch(request), deadline.signal);
      } finally {
        // The service counted it somewhere between its sending and now: from now on it counts as now.
        await settle();
      }
      const retryAfter = response.headers.get("retry-after");
      if (retryAfter !== null && (response.status === 429 || response.status === 503)) {
        const waitMs = parseRetryAfter(retryAfter, clock.now());
        if (waitMs !== undefined) await limiter.pause(request.method, pathname, clock.now() + waitMs);
      }
      // The body is read inside the deadline, so a body that never ends cannot hang the caller.
      const body = await abortable(response.arrayBuffer(), deadline.signal);
      const empty = response.status === 204 || response.status === 304 || body.byteLength === 0;
      return new Response(empty ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      await settle();
      deadline?.dispose();
    }
  };
}
