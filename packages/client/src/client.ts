import type { PhotoshopAuth } from "@psapi/auth";
import { type Clock, type FetchLike, type Logger, parseRetryAfter, systemClock } from "@psapi/core";
import createClient, { type Client } from "openapi-fetch";
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import type { paths } from "./generated/photoshop.js";
import { jobIdFromStatusUrl } from "./jobs/job-id.js";
import { type JobKind, readJobStatus } from "./jobs/job-status.js";
import { pollJob, type WaitOptions } from "./jobs/wait-for-job.js";
import { createAuthMiddleware } from "./middleware/auth.js";
import { createRetryMiddleware } from "./middleware/retry.js";
import { assertTrustedOrigin } from "./origin.js";
import type { RetryOptions } from "./retry-policy.js";
import { createTransport } from "./transport.js";
import type {
  CreateMaskRequest,
  DocumentManifestRequest,
  JobStatus,
  PsJobStatus,
  RemoveBackgroundRequest,
  SenseiJobStatus,
} from "./types.js";
import { userAgentHeader } from "./user-agent.js";
import { invalid, isRecord, nonNegative } from "./validate.js";

/** Options of {@link createPhotoshopClient}. Only `auth` is required. */
export interface PhotoshopClientOptions {
  /** Any `@psapi/auth` credential object; supplies `Authorization` and `x-api-key`. */
  auth: PhotoshopAuth;
  /** API origin (and optional path prefix). Default `https://image.adobe.io`; the emulator's URL for offline work. */
  baseUrl?: string;
  /** The fetch to send with, e.g. `(request) => emulator.fetch(request)`. Default: global `fetch`. */
  fetch?: FetchLike;
  /** Retry policy knobs; see `RetryOptions`. */
  retry?: RetryOptions;
  /** Per-request timeout in ms, whole body included; 0 disables. Default 30000. */
  timeoutMs?: number;
  /** Your product token, sent before psapi's in `User-Agent`, e.g. `"my-pipeline/2.1"`. */
  userAgent?: string;
  /** Receives retries and transient polling failures (`warn`). Never receives a secret. */
  logger?: Logger;
  /** Source of time for back-off, timeouts and polling. Default: the system clock. */
  clock?: Clock;
  /** Source of jitter in `[0, 1)`. Default: `Math.random`. */
  random?: () => number;
}

/** Per-call options of every operation. */
export interface CallOptions {
  /** Cancels the call, including a pending back-off; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * A submitted job: its id, its status URL, and `wait()` to poll it to the end. Polling starts only
 * when `wait()` is called, so an unawaited handle can never reject unhandled.
 *
 * @typeParam T - The final status body `wait()` resolves with.
 */
export interface JobHandle<T extends JobStatus> {
  /** The job id (last path segment of `statusUrl`). */
  readonly jobId: string;
  /** The absolute status URL Adobe answered with. */
  readonly statusUrl: string;
  /**
   * Polls until the job is final.
   *
   * @throws {JobFailedError} when Adobe reports the job failed.
   * @throws {JobTimeoutError} when `timeoutMs` passes first.
   * @throws {PhotoshopApiError} on a non-transient HTTP error, or too many transient ones.
   */
  wait(options?: WaitOptions<T>): Promise<T>;
}

/** The openapi-fetch client underneath, typed from psapi's OpenAPI description, for any other call. */
export type PhotoshopRawClient = Client<paths>;

/**
 * What {@link createPhotoshopClient} returns. Every call rejects with a `PhotoshopApiError` when
 * Adobe answers with an error (after the retry policy) or no answer arrives, with an `ImsError` when
 * no token can be had, with a `TypeError` for invalid arguments, and with `signal.reason` on abort.
 */
export interface PhotoshopClient {
  /** The openapi-fetch client with the same middleware (auth, retry, user agent) installed. */
  readonly raw: PhotoshopRawClient;
  /** `GET /pie/psdService/hello`: checks the credentials; resolves with Adobe's greeting. */
  hello(options?: CallOptions): Promise<string>;
  /** `POST /sensei/mask`: starts a mask job. */
  createMask(body: CreateMaskRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /** `POST /sensei/cutout`: starts a background-removal job. */
  removeBackground(body: RemoveBackgroundRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /** `POST /pie/psdService/documentManifest`: starts a document manifest job. */
  getDocumentManifest(body: DocumentManifestRequest, options?: CallOptions): Promise<JobHandle<PsJobStatus>>;
  /** `GET /sensei/status/{jobId}`: one status read of a mask or background-removal job. */
  getMaskStatus(jobId: string, options?: CallOptions): Promise<SenseiJobStatus>;
  /** `GET /pie/psdService/status/{jobId}`: one status read of a psdService job. */
  getPsdStatus(jobId: string, options?: CallOptions): Promise<PsJobStatus>;
  /**
   * Polls any status URL (absolute, or relative to `baseUrl`) until the job is final. The URL must
   * be on `baseUrl`'s origin: the token is never sent anywhere else.
   */
  waitForJob(statusUrl: string, options?: WaitOptions): Promise<JobStatus>;
}

/** Any status URL's path on the baseUrl origin: its shape is only known once the body arrives. */
type StatusPaths = Record<
  string,
  {
    get: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: {
        200: { headers: Record<string, unknown>; content: { "application/json": unknown } };
        202: { headers: Record<string, unknown>; content: { "application/json": unknown } };
      };
    };
  }
>;

/** Where each job-creating operation posts. */
const SUBMIT_PATHS = {
  createMask: "/sensei/mask",
  removeBackground: "/sensei/cutout",
  getDocumentManifest: "/pie/psdService/documentManifest",
} as const;

/**
 * Creates a typed client for Adobe's Photoshop API on openapi-fetch, with credentials, retries,
 * timeouts and job polling that ends.
 *
 * Middleware order (openapi-fetch runs `onRequest` in install order and `onResponse` in reverse):
 * `auth` → `retry`, with `User-Agent` set as a default header. So the retry middleware copies the
 * request after the credentials are set and is the first to see each answer: it retries 5xx/429
 * (and network failures of GETs) with the same token. The auth middleware then sees the final answer; on a 401 it gets a fresh
 * token and replays once, through the retry policy. Every send goes through a transport with the
 * per-request timeout.
 *
 * @param options - See {@link PhotoshopClientOptions}.
 * @throws {TypeError} when an option is missing or invalid.
 * @example
 * const client = createPhotoshopClient({ auth: authFromEnv() });
 * const job = await client.createMask({ input: { href: inUrl, storage: "external" }, output: { href: outUrl, storage: "external" } });
 * const done = await job.wait({ timeoutMs: 120_000 });
 * @see ../README.md
 */
export function createPhotoshopClient(options: PhotoshopClientOptions): PhotoshopClient {
  const { auth, fetch, logger, clock = systemClock, random, userAgent, retry } = options ?? {};
  if (typeof auth?.headers !== "function" || typeof auth.invalidate !== "function") {
    invalid(
      "auth is required: pass an @psapi/auth object, e.g. createServerToServerAuth({ clientId, clientSecret })",
    );
  }
  if (fetch !== undefined && typeof fetch !== "function") {
    invalid("fetch must be a function (request: Request) => Promise<Response>");
  }
  if (typeof clock.now !== "function" || typeof clock.sleep !== "function") {
    invalid("clock must have now() and sleep(ms, signal)");
  }
  if (random !== undefined && typeof random !== "function") {
    invalid("random must be a function returning a number in [0, 1)");
  }
  const baseUrl = resolveBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const trustedOrigin = new URL(baseUrl).origin;
  const timeoutMs = nonNegative("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  const transport = createTransport({ fetch, clock, timeoutMs });
  const retrying = createRetryMiddleware({ ...retry, clock, random, logger });
  const middleware = [createAuthMiddleware({ auth, baseUrl, send: retrying.send }), retrying];
  // A default header rather than a middleware: openapi-fetch sets it while building the request.
  const headers = { "User-Agent": userAgentHeader(userAgent) };
  const raw = createClient<paths>({ baseUrl, fetch: transport, headers });
  raw.use(...middleware);
  // Status URLs are read as given: their path (and query) on baseUrl's origin, which `wait()` checks.
  const poller = raw as unknown as Client<StatusPaths>;

  async function settle<T>(
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
    request: { method: string; url: string },
  ): Promise<{ data: T | undefined; status: number }> {
    const { data, error, response } = await call;
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      throw PhotoshopApiError.fromResponse(response.status, error, request, retryAfterMs);
    }
    return { data, status: response.status };
  }

  function handle<T extends JobStatus>(statusUrl: string, kind: JobKind): JobHandle<T> {
    const jobId = jobIdFromStatusUrl(statusUrl);
    const request = { method: "GET", url: statusUrl };
    return {
      jobId,
      statusUrl,
      async wait(waitOptions) {
        assertTrustedOrigin(statusUrl, trustedOrigin);
        const read = async (signal: AbortSignal) => {
          const path = statusUrl.slice(trustedOrigin.length);
          const { data, status } = await settle(
            poller.GET(path, { baseUrl: trustedOrigin, signal }),
            request,
          );
          return { status, body: data };
        };
        return pollJob<T>({ statusUrl, jobId, kind, read, clock, logger }, waitOptions);
      },
    };
  }

  async function submit<T extends JobStatus>(
    operation: "createMask" | "removeBackground" | "getDocumentManifest",
    body: CreateMaskRequest | DocumentManifestRequest,
    callOptions: CallOptions | undefined,
  ): Promise<JobHandle<T>> {
    if (!isRecord(body)) {
      invalid(`${operation}(body): body must be an object`);
    }
    const signal = callOptions?.signal;
    const path = SUBMIT_PATHS[operation];
    const request = { method: "POST", url: `${baseUrl}${path}` };
    // One call for the three paths: their 202 answers share a type, and each public method already
    // typed its body, so narrowing the path here only satisfies openapi-fetch's per-path overloads.
    const { data, status } = await settle(
      raw.POST(path as "/sensei/mask", { body: body as CreateMaskRequest, signal }),
      request,
    );
    const href = data?._links?.self?.href;
    const statusUrl = typeof href === "string" ? toAbsoluteUrl(href, baseUrl) : undefined;
    if (statusUrl === undefined) {
      throw new PhotoshopApiError(
        `[@psapi/client] POST ${request.url} answered ${status} without a usable _links.self.href; the job may have been created`,
        { status, request, retryable: false },
      );
    }
    return handle<T>(statusUrl, operation === "getDocumentManifest" ? "psd" : "sensei");
  }

  async function readStatus<T extends JobStatus>(
    path: "/sensei/status/{jobId}" | "/pie/psdService/status/{jobId}",
    kind: JobKind,
    jobId: string,
    callOptions: CallOptions | undefined,
  ): Promise<T> {
    if (typeof jobId !== "string" || jobId === "") {
      invalid("jobId must be a non-empty string");
    }
    const request = { method: "GET", url: `${baseUrl}${path.replace("{jobId}", encodeURIComponent(jobId))}` };
    const { data, status } = await settle(
      raw.GET(path, { params: { path: { jobId } }, signal: callOptions?.signal }),
      request,
    );
    return readJobStatus(status, data, kind, request).body as T;
  }

  return {
    raw,
    async hello(callOptions) {
      const request = { method: "GET", url: `${baseUrl}/pie/psdService/hello` };
      const { data } = await settle(
        raw.GET("/pie/psdService/hello", { parseAs: "text", signal: callOptions?.signal }),
        request,
      );
      return data ?? "";
    },
    createMask: (body, callOptions) => submit<SenseiJobStatus>("createMask", body, callOptions),
    removeBackground: (body, callOptions) => submit<SenseiJobStatus>("removeBackground", body, callOptions),
    getDocumentManifest: (body, callOptions) => submit<PsJobStatus>("getDocumentManifest", body, callOptions),
    getMaskStatus: (jobId, callOptions) =>
      readStatus<SenseiJobStatus>("/sensei/status/{jobId}", "sensei", jobId, callOptions),
    getPsdStatus: (jobId, callOptions) =>
      readStatus<PsJobStatus>("/pie/psdService/status/{jobId}", "psd", jobId, callOptions),
    async waitForJob(statusUrl, waitOptions) {
      const absolute = typeof statusUrl === "string" ? toAbsoluteUrl(statusUrl, baseUrl) : undefined;
      if (absolute === undefined) {
        invalid("waitForJob(statusUrl): statusUrl must be an http(s) URL");
      }
      return handle<JobStatus>(absolute, "any").wait(waitOptions);
    },
  };
}

/** Validates `baseUrl` and drops a trailing slash (openapi-fetch appends paths that start with one). */
function resolveBaseUrl(value: unknown): string {
  const url = typeof value === "string" ? toAbsoluteUrl(value) : undefined;
  // After parsing, "?" and "#" can only start a query or fragment, and "@" only ends user-info.
  if (url === undefined || /[?#@]/.test(url)) {
    invalid(`baseUrl must be an http(s) URL without query or credentials, e.g. ${DEFAULT_BASE_URL}`);
  }
  return url.replace(/\/+$/, "");
}

/** An absolute http(s) URL (resolving `value` against `base` when given), or undefined. */
function toAbsoluteUrl(value: string, base?: string): string | undefined {
  try {
    const url = new URL(value, base === undefined ? undefined : `${base}/`);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
