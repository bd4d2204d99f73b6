import {
  abortable,
  type Clock,
  type FetchLike,
  redactError,
  redactSecretsInBody,
  startDeadline,
} from "@psapi/core";
import { bearerToken } from "./bearer-token.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { isIdempotent } from "./retry-policy.js";

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** The fetch to send with; default: the global `fetch`, looked up at each send. */
  fetch?: FetchLike | undefined;
  clock: Clock;
  /** Per-request timeout in milliseconds, covering the whole response body; 0 turns it off. */
  timeoutMs: number;
}

/**
 * Wraps the configured fetch so that no single request can hang the client. Each send races the
 * fetch, including reading the whole body, against a timeout and the request's own `AbortSignal`.
 * The race does not rely on the fetch honouring the signal (an injected in-process fetch may not),
 * though the attempt's signal is passed on so that a real fetch also closes its connection. Bodies
 * are buffered, which is fine for this API: every answer is a small JSON or text document.
 *
 * Redirects are never followed: the token rule (credentials only for the baseUrl origin) must hold
 * for the next hop too, and Adobe's API does not redirect, so a 3xx surfaces as an error.
 *
 * Failures become a {@link PhotoshopApiError} with status 0 whose `retryable` follows the idempotency
 * rule of the retry policy, and whose `cause` is the timeout or a scrubbed copy of the fetch's error.
 * An abort passes through as the caller's signal reason, unwrapped.
 *
 * This runs for every request, so it is kept lean: one deadline (see `startDeadline`), and the global
 * fetch gets its signal as `init` (it builds its own `Request` from the two anyway); only an injected
 * fetch, which takes a single `Request`, costs a copy of the request.
 */
export function createTransport({ fetch, clock, timeoutMs }: TransportOptions): FetchLike {
  return async function send(request) {
    const callerSignal = request.signal;
    const deadline = startDeadline(
      clock,
      timeoutMs || undefined,
      callerSignal,
      `timed out after ${timeoutMs} ms`,
    );
    const init = { redirect: "manual", signal: deadline.signal } as const;
    try {
      // The global fetch takes the signal as `init`; an injected one takes one Request, and may
      // ignore its signal (an in-process emulator often does), hence the race.
      const answer =
        fetch === undefined ? globalThis.fetch(request, init) : fetch(new Request(request, init));
      return await abortable(buffered(answer, request), init.signal);
    } catch (error) {
      if (callerSignal.aborted) throw callerSignal.reason;
      // Never the original as the cause: a custom fetch may have hung the request on it, token and all.
      // After a timeout it is a copy of the deadline's TimeoutError, whose message says so.
      const cause = redactError(error);
      throw new PhotoshopApiError(
        `[@psapi/client] ${request.method} ${request.url} failed: ${cause.message}`,
        {
          status: 0,
          request, // the constructor keeps its method and redacted URL only
          retryable: isIdempotent(request.method),
          cause,
        },
      );
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * The response with its whole body read, so that the timeout covers the body too, and without the
 * token the request carried: a server that echoes it (in an error's `details`, a title, a status
 * body) would otherwise put it on the `PhotoshopApiError` or the result built from that body. Every
 * body this client reads is JSON or text (UTF-8); a JSON body stays JSON (`redactSecretsInBody`
 * scrubs its strings, not its text).
 */
async function buffered(answer: Promise<Response>, request: Request): Promise<Response> {
  const response = await answer;
  const token = bearerToken(request.headers.get("authorization"));
  // A 204 or 304 has a null body, and the Response constructor refuses a body for those.
  const body =
    response.body &&
    redactSecretsInBody(
      await response.text(),
      token !== undefined && token.length >= MIN_SCRUBBED_TOKEN_LENGTH ? [token] : [],
    );
  return new Response(body, response); // status, statusText and headers are read from it
}

/**
 * A shorter token is not scrubbed from bodies. Adobe's tokens are hundreds of characters; a short one
 * is a test's or an emulator's (`"t"`, `"token-1"`), which occurs in bodies by chance (in a job id, a
 * URL, a word) and scrubbing it would change what the caller reads: a status URL that no longer works.
 */
const MIN_SCRUBBED_TOKEN_LENGTH = 16;
