import type { PhotoshopAuth } from "@psapi/auth";
import { type Clock, type FetchLike, type Logger, systemClock } from "@psapi/core";
import type { paths } from "@psapi/openapi-types/photoshop";
import type { paths as currentPaths } from "@psapi/openapi-types/photoshop-current";
import type { Client } from "openapi-fetch";
import { DEFAULT_BASE_URL, DEFAULT_PHOTOSHOP_API_URL, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { createAuthMiddleware } from "./middleware/auth.js";
import { createRetryMiddleware } from "./middleware/retry.js";
import { createPipeline } from "./pipeline.js";
import type { RetryOptions } from "./retry-policy.js";
import { createTransport } from "./transport.js";
import { userAgentHeader } from "./user-agent.js";
import { invalid, nonNegative } from "./validate.js";

/** Options of {@link createPhotoshopClient}. Only `auth` is required. */
export interface PhotoshopClientOptions {
  /** Any `@psapi/auth` credential object; supplies `Authorization` and `x-api-key`. */
  auth: PhotoshopAuth;
  /** API origin (and optional path prefix). Default `https://image.adobe.io`; the emulator's URL for offline work. */
  baseUrl?: string;
  /**
   * Origin of the Photoshop API v2 (`generateManifest` and its status). Default
   * `https://photoshop-api.adobe.io` when `baseUrl` is Adobe's image host, otherwise `baseUrl` (the
   * emulator serves every route on one origin). It receives the token too.
   */
  photoshopApiUrl?: string;
  /**
   * Send operations Adobe has retired even when the base URL is Adobe's own host. Default `false`:
   * there they reject with `RetiredOperationError` before anything is sent (Adobe would answer an
   * opaque 404). Other base URLs (the emulator, a proxy) always get them.
   */
  sendRetired?: boolean;
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

/** `@psapi/client/all`'s openapi-fetch client, typed from `photoshop.yaml` (the retired contract), for any other call. */
export type PhotoshopRawClient = Client<paths>;
/** The same, typed from `photoshop-current.yaml` (the current contract). */
export type PhotoshopCurrentRawClient = Client<currentPaths>;

/** Per-call options of every operation. */
export interface CallOptions {
  /** Cancels the call, including a pending back-off; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * What {@link createPhotoshopClient} returns: the configured connection to the API, which the
 * operation functions (`removeBackground(client, body)`, `maskObjects(client, body)`, …) take as
 * their first argument. It holds no operation itself, so an application bundles only the
 * operations it imports; `@psapi/client/all` gives the same client with every operation as a
 * method.
 */
export interface PhotoshopClient {
  /** The resolved API origin (no trailing slash). */
  readonly baseUrl: string;
  /** The resolved origin of the Photoshop API v2 host (`generateManifest` and its status). */
  readonly photoshopApiUrl: string;
  /** Whether retired operations are sent to Adobe's own host (see {@link PhotoshopClientOptions.sendRetired}). */
  readonly sendRetired: boolean;
  /** The clock polling waits on. */
  readonly clock: Clock;
  /** The logger polling warns on, if any. */
  readonly logger: Logger | undefined;
  /**
   * Sends one request with the client's credentials, `User-Agent`, retry policy and timeout. Only
   * `baseUrl`'s and `photoshopApiUrl`'s origins receive the token: any other URL is refused.
   */
  send(request: Request): Promise<Response>;
}

/**
 * Creates a client for Adobe's Photoshop API: credentials, retries that honour `Retry-After`,
 * per-request timeouts. Pass it to the operation functions.
 *
 * Middleware order (as openapi-fetch runs it: `onRequest` in install order, `onResponse` in
 * reverse): `auth` → `retry`, with `User-Agent` set before either runs. So the retry middleware
 * copies the request after the credentials are set and is the first to see each answer: it retries
 * 5xx/429 (and network failures of GETs) with the same token. The auth middleware then sees the
 * final answer; on a 401 it gets a fresh token and replays once, through the retry policy. Every
 * send goes through a transport with the per-request timeout.
 *
 * @param options - See {@link PhotoshopClientOptions}.
 * @throws {TypeError} when an option is missing or invalid.
 * @example
 * const client = createPhotoshopClient({ auth: createServerToServerAuth({ clientId, clientSecret }) });
 * const job = await removeBackground(client, { image: { source: { url } }, mode: "cutout" });
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
  // Adobe serves the Photoshop API v2 from its own host; any other base URL (the emulator, a proxy)
  // serves every route on one origin.
  const photoshopApiUrl = resolveBaseUrl(
    options.photoshopApiUrl ?? (baseUrl === DEFAULT_BASE_URL ? DEFAULT_PHOTOSHOP_API_URL : baseUrl),
  );
  const timeoutMs = nonNegative("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  const transport = createTransport({ fetch, clock, timeoutMs });
  const retrying = createRetryMiddleware({ ...retry, clock, random, logger });
  const pipeline = createPipeline(
    [createAuthMiddleware({ auth, baseUrl, otherUrls: [photoshopApiUrl], send: retrying.send }), retrying],
    transport,
  );
  const agent = userAgentHeader(userAgent);
  return {
    baseUrl,
    photoshopApiUrl,
    sendRetired: options.sendRetired === true,
    clock,
    logger,
    send(request) {
      request.headers.set("User-Agent", agent);
      return pipeline(request);
    },
  };
}

/** Validates `baseUrl` and drops a trailing slash (operation paths start with one). */
function resolveBaseUrl(value: unknown): string {
  const url = typeof value === "string" ? toAbsoluteUrl(value) : undefined;
  // After parsing, "?" and "#" can only start a query or fragment, and "@" only ends user-info.
  if (url === undefined || /[?#@]/.test(url)) {
    invalid(`baseUrl must be an http(s) URL without query or credentials, e.g. ${DEFAULT_BASE_URL}`);
  }
  return url.replace(/\/+$/, "");
}

/**
 * An absolute http(s) URL (resolving `value` against `base` when given), or undefined.
 *
 * @param value - A URL, absolute or relative to `base`.
 * @param base - An absolute base URL without trailing slash.
 */
export function toAbsoluteUrl(value: string, base?: string): string | undefined {
  try {
    const url = new URL(value, base === undefined ? undefined : `${base}/`);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
