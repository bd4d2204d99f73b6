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
}

/**
 * Wraps a `fetch` so that a failure to connect can be explained with the host it was for. The error
 * itself passes through unchanged, so the client's retries still recognise it; only the host and
 * the reason are noted on the side, because `fetch failed` alone tells the user nothing.
 *
 * @param inner - The `fetch` that sends (the global one, or the embedded emulator's).
 * @example
 * const tracked = trackFetch(globalThis.fetch);
 * await tracked.fetch("https://image.adobe.io/pie/psdService/hello").catch(() => tracked.lastFailure());
 */
export function trackFetch(inner: typeof fetch): TrackedFetch {
  let last: NetworkFailure | undefined;
  const tracked: typeof fetch = async (input, init) => {
    try {
      return await inner(input, init);
    } catch (error) {
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (!signal?.aborted) {
        const url = input instanceof Request ? input.url : String(input);
        last = { host: new URL(url).host, reason: reasonOf(error) };
      }
      throw error;
    }
  };
  return { fetch: tracked, lastFailure: () => last };
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  return redactText(error instanceof Error ? error.message : String(error));
}
