import type { ConformanceChecker, Violation } from "./checker.js";

/**
 * The global `fetch`'s call shape (input and optional init), which the suites call directly; it
 * also fits `@psapi/core`'s one-argument `FetchLike`, the option every psapi package accepts.
 */
export type GlobalFetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** One request that went through a {@link RecordingFetch}, in the order they were sent. */
export interface Exchange {
  readonly method: string;
  /** Origin and path; the query string (a pre-signed URL's credential) is never kept. */
  readonly url: string;
  readonly path: string;
  readonly operationId: string | undefined;
  readonly requestHeaders: Headers;
  /** The response status; `undefined` while waiting, or when the request failed without one. */
  readonly status: number | undefined;
  /** The error `fetch` rejected with, when it did. */
  readonly error: unknown;
}

/** Options of {@link recordingFetch}. */
export interface RecordingFetchOptions {
  /** The checker responses are held against. */
  readonly checker: ConformanceChecker;
  /**
   * Which requests to check; every one by default. Live mode limits checks to Adobe's hosts, since
   * third-party storage is not part of the spec.
   */
  readonly shouldCheck?: (url: URL) => boolean;
}

/** A `fetch` that records each exchange and checks each response against the spec. */
export interface RecordingFetch {
  readonly fetch: GlobalFetchLike;
  readonly exchanges: readonly Exchange[];
  readonly violations: readonly Violation[];
  /** How many responses were checked so far (checks finish asynchronously; see `untilChecked`). */
  readonly checked: number;
  /** Resolves when every response received so far has been checked. */
  untilChecked(): Promise<void>;
  /** The exchanges for one operation id. */
  exchangesOf(operationId: string): Exchange[];
  /** Drops the exchanges recorded so far (a long run's own memory); violations are kept. */
  forgetExchanges(): void;
  /** A readable multi-line list of the violations, or `""` when there are none. */
  report(): string;
}

/**
 * Wraps a `fetch` so that every response is checked against the spec while the caller goes on
 * with its own copy: the check reads a `clone()` in the background, so a slow or never-read body
 * does not change what the caller sees. Exchanges are kept for counting attempts.
 *
 * @param inner The `fetch` to wrap: the emulator app's, or the global one.
 * @param options The checker, and which URLs to check.
 * @returns The wrapper and what it recorded.
 * @example
 * const recorder = recordingFetch((request) => app.fetch(request), { checker });
 * const client = createPhotoshopClient({ auth, fetch: recorder.fetch });
 * await recorder.untilChecked();
 * expect(recorder.report()).toBe("");
 */
export function recordingFetch(inner: GlobalFetchLike, options: RecordingFetchOptions): RecordingFetch {
  const { checker, shouldCheck = () => true } = options;
  const exchanges: Exchange[] = [];
  const violations: Violation[] = [];
  const pending = new Set<Promise<void>>();
  let checked = 0;

  const fetch: GlobalFetchLike = async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    const base = {
      method: request.method.toUpperCase(),
      url: `${url.origin}${url.pathname}`,
      path: url.pathname,
      operationId: checker.match(request.method, url)?.operationId,
      requestHeaders: new Headers(request.headers),
    };
    // Recorded when sent, so that a request still waiting for its answer counts as an attempt.
    const exchange: { -readonly [K in keyof Exchange]: Exchange[K] } = {
      ...base,
      status: undefined,
      error: undefined,
    };
    exchanges.push(exchange);
    let response: Response;
    try {
      response = await inner(request);
    } catch (error) {
      exchange.error = error;
      throw error;
    }
    exchange.status = response.status;
    if (shouldCheck(url)) {
      const copy = response.clone();
      const job = checker
        .check({ method: base.method, url }, copy)
        .then((found) => {
          violations.push(...found);
          checked += 1;
        })
        .catch((error: unknown) => {
          // A checker that cannot check (a broken $ref, say) is a finding too, never a silent pass.
          violations.push({
            method: base.method,
            path: base.path,
            status: response.status,
            operationId: base.operationId,
            problem: `the checker failed: ${error instanceof Error ? error.message : String(error)}`,
          });
        })
        .finally(() => pending.delete(job));
      pending.add(job);
    }
    return response;
  };

  return {
    fetch,
    exchanges,
    violations,
    get checked() {
      return checked;
    },
    async untilChecked() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    forgetExchanges: () => {
      exchanges.length = 0;
    },
    exchangesOf: (operationId) => exchanges.filter((exchange) => exchange.operationId === operationId),
    report: () =>
      violations
        .map(
          (violation) =>
            `${violation.method} ${violation.path} → ${violation.status} (${violation.operationId ?? "no operation"}): ${violation.problem}`,
        )
        .join("\n"),
  };
}
