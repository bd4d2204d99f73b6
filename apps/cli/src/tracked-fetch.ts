import { redactText } from "@psapi/core";

/** The host a request could not reach, and the system's reason (`ECONNREFUSED`, `ENOTFOUND`, …). */
export interface NetworkFailure {
  readonly host: string;
  readonly reason: string;
}

/** A `fetch` that remembers the last request that never got a response. */
export interface TrackedFetch {
  readonly fetch: typeof fetch;
  /** The last network failure, if any request failed without a response. */
  lastFailure(): NetworkFailure | undefined;
  /** The host of the last request that was still waiting for its answer when it was aborted. */
  lastAbandoned(): string | undefined;
}

/**
 * Wraps a `fetch` so that every request ends with the run (Ctrl-C or the command's `--timeout`),
 * whatever signal its caller passed, and so that a failure to connect can be explained with the
 * host it was for. The error itself passes through unchanged, so the client's retries still
 * recognise it; only the host and the reason are noted on the side, because `fetch failed` alone
 * tells the user nothing.
 *
 * @param inner - The `fetch` that sends (the global one, or the embedded emulator's).
 * @param runSignal - The run's signal: every request is aborted with it.
 * @example
 * const tracked = trackFetch(globalThis.fetch, runSignal);
 * await tracked.fetch("https://image.adobe.io/pie/psdService/hello").catch(() => tracked.lastFailure());
 */
export function trackFetch(inner: typeof fetch, runSignal?: AbortSignal): TrackedFetch {
  let last: NetworkFailure | undefined;
  let abandoned: string | undefined;
  const tracked: typeof fetch = async (input, init) => {
    const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const signal = runSignal === undefined ? own : own ? AbortSignal.any([own, runSignal]) : runSignal;
    try {
      return await inner(input, signal ? { ...init, signal } : init);
    } catch (error) {
      const url = input instanceof Request ? input.url : String(input);
      if (signal?.aborted) abandoned = new URL(url).host;
      else last = { host: new URL(url).host, reason: reasonOf(error) };
      throw error;
    }
  };
  return { fetch: tracked, lastFailure: () => last, lastAbandoned: () => abandoned };
}

/**
 * The system's code (`ECONNREFUSED`), else the message of the cause (undici's `bad port`), else the
 * error's own: `fetch failed` says nothing, so it is the last resort.
 */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  if (cause instanceof Error && cause.message) return redactText(cause.message);
  return redactText(error instanceof Error ? error.message : String(error));
}
