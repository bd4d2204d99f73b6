import type { PhotoshopAuth } from "@psapi/auth";
import { type Clock, type FetchLike, isRecord, type Logger, parseRetryAfter, systemClock } from "@psapi/core";
import type { paths } from "@psapi/openapi-types/photoshop";
import type { paths as currentPaths } from "@psapi/openapi-types/photoshop-current";
import createClient, { type Client } from "openapi-fetch";
import { isAdobeHost } from "./adobe-hosts.js";
import { DEFAULT_BASE_URL, DEFAULT_PHOTOSHOP_API_URL, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { type RetiredOperation, RetiredOperationError } from "./errors/retired-operation-error.js";
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
  FillMaskedAreasRequest,
  GenerateManifestRequest,
  JobStatus,
  MaskBodyPartsRequest,
  MaskingJobStatus,
  MaskObjectsRequest,
  PsJobStatus,
  RefineMaskRequest,
  RemoveBackgroundRequest,
  RemoveBackgroundV2Request,
  SenseiJobStatus,
  V2JobStatus,
} from "./types.js";
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
  /** The job id (from the 202 answer, else the last path segment of `statusUrl`). */
  readonly jobId: string;
  /** The absolute status URL Adobe answered with (or, when it sent none, the documented one for `jobId`). */
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

/** The openapi-fetch client underneath, typed from `photoshop.yaml` (the retired contract), for any other call. */
export type PhotoshopRawClient = Client<paths>;
/** The same, typed from `photoshop-current.yaml` (the current contract). */
export type PhotoshopCurrentRawClient = Client<currentPaths>;

/**
 * What {@link createPhotoshopClient} returns. Every call rejects with a `PhotoshopApiError` when
 * Adobe answers with an error (after the retry policy) or no answer arrives, with an `ImsError` when
 * no token can be had, with a `TypeError` for invalid arguments, and with `signal.reason` on abort.
 *
 * Two contracts: the **current** one (`removeBackground` with an `image`, `maskObjects`,
 * `maskBodyParts`, `refineMask`, `fillMaskedAreas`, `generateManifest` and their status reads) and
 * the **retired** v1 one (`createMask`, `createCutout`, `getDocumentManifest`, `hello`, …), marked
 * `@deprecated`. A retired call whose target is Adobe's own host rejects with
 * `RetiredOperationError` (naming the replacement) before anything is sent; against the emulator
 * or any other base URL it is sent as before.
 */
export interface PhotoshopClient {
  /** The openapi-fetch client for `photoshop.yaml`'s paths, with the same middleware (auth, retry, user agent). */
  readonly raw: PhotoshopRawClient;
  /** The openapi-fetch client for `photoshop-current.yaml`'s paths, with the same middleware. */
  readonly rawCurrent: PhotoshopCurrentRawClient;

  /**
   * `POST /v2/remove-background`: cuts out the subject (`mode: "cutout"`, default), makes its mask
   * (`"mask"`) or a layered PSD (`"psd"`). The result is hosted by Adobe: read its URL (and expiry)
   * with `jobOutputs(await job.wait())`.
   */
  removeBackground(body: RemoveBackgroundV2Request, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /**
   * `POST /sensei/cutout`, chosen when the body has `input`/`output` (the retired contract).
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "cutout" })`.
   */
  removeBackground(body: RemoveBackgroundRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /** `POST /v1/mask-objects`: one mask per detected object and background region. */
  maskObjects(body: MaskObjectsRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/mask-body-parts`: one mask per body part of the person in the image. */
  maskBodyParts(body: MaskBodyPartsRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/refine-mask`: a refined mask (or, with `colorDecontamination`, the refined cutout). */
  refineMask(body: RefineMaskRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/fill-masked-areas`: the image with the masked areas filled from their surroundings. */
  fillMaskedAreas(body: FillMaskedAreasRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v2/generate-manifest` on the Photoshop API v2 host: a document manifest job. */
  generateManifest(body: GenerateManifestRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `GET /v2/status/{jobId}` on `baseUrl`: one status read of a remove-background job. */
  getRemoveBackgroundStatus(jobId: string, options?: CallOptions): Promise<V2JobStatus>;
  /** `GET /v2/status/{jobId}` on the Photoshop API v2 host: one status read of a generate-manifest job. */
  getManifestStatus(jobId: string, options?: CallOptions): Promise<V2JobStatus>;
  /** `GET /v1/status/{jobId}`: one status read of a masking job. */
  getMaskingJobStatus(jobId: string, options?: CallOptions): Promise<MaskingJobStatus>;

  /**
   * `GET /pie/psdService/hello`: checks the credentials; resolves with Adobe's greeting.
   *
   * @deprecated Retired by Adobe on 2026-07-31 with the Photoshop API v1, without a successor.
   */
  hello(options?: CallOptions): Promise<string>;
  /**
   * `POST /sensei/mask`: starts a mask job.
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "mask" })`.
   */
  createMask(body: CreateMaskRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /**
   * `POST /sensei/cutout`: starts a background-removal job (the retired `removeBackground`).
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "cutout" })`.
   */
  createCutout(body: RemoveBackgroundRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /**
   * `POST /pie/psdService/documentManifest`: starts a document manifest job.
   *
   * @deprecated Retired by Adobe on 2026-07-31: use `generateManifest({ image, outputs })`.
   */
  getDocumentManifest(body: DocumentManifestRequest, options?: CallOptions): Promise<JobHandle<PsJobStatus>>;
  /**
   * `GET /sensei/status/{jobId}`: one status read of a mask or background-removal job.
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `getRemoveBackgroundStatus(jobId)`.
   */
  getMaskStatus(jobId: string, options?: CallOptions): Promise<SenseiJobStatus>;
  /**
   * `GET /pie/psdService/status/{jobId}`: one status read of a psdService job.
   *
   * @deprecated Retired by Adobe on 2026-07-31: use `getManifestStatus(jobId)`.
   */
  getPsdStatus(jobId: string, options?: CallOptions): Promise<PsJobStatus>;
  /**
   * Polls any status URL (absolute, or relative to `baseUrl`) until the job is final. The URL must
   * be on `baseUrl`'s origin or the Photoshop API v2 host's: the token is never sent anywhere else.
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

/**
 * Each job-creating operation: where it posts, the status shape it polls, where its status lives
 * when the 202 carries no URL (current contract only), and for the retired ones their operationId.
 */
interface Submission {
  path: string;
  kind: JobKind;
  statusPath?: "/v2/status/" | "/v1/status/";
  retired?: RetiredOperation;
}
const V2: Omit<Submission, "path"> = { kind: "v2", statusPath: "/v2/status/" };
const MASKING: Omit<Submission, "path"> = { kind: "masking", statusPath: "/v1/status/" };

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
  // Adobe serves the Photoshop API v2 from its own host; any other base URL (the emulator, a proxy)
  // serves every route on one origin.
  const photoshopApiUrl = resolveBaseUrl(
    options.photoshopApiUrl ?? (baseUrl === DEFAULT_BASE_URL ? DEFAULT_PHOTOSHOP_API_URL : baseUrl),
  );
  const trustedOrigins = [new URL(baseUrl).origin, new URL(photoshopApiUrl).origin];
  const timeoutMs = nonNegative("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  const transport = createTransport({ fetch, clock, timeoutMs });
  const retrying = createRetryMiddleware({ ...retry, clock, random, logger });
  const middleware = [
    createAuthMiddleware({ auth, baseUrl, otherUrls: [photoshopApiUrl], send: retrying.send }),
    retrying,
  ];
  // A default header rather than a middleware: openapi-fetch sets it while building the request.
  const headers = { "User-Agent": userAgentHeader(userAgent) };
  const raw = createClient<paths>({ baseUrl, fetch: transport, headers });
  raw.use(...middleware);
  // One openapi-fetch client for both specs' paths; the second type is a view of the same object.
  const rawCurrent = raw as unknown as Client<currentPaths>;
  // Status URLs are read as given: their path (and query) on a trusted origin, which `wait()` checks.
  const poller = raw as unknown as Client<StatusPaths>;

  async function dataOrThrow<T>(
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
    request: { method: string; url: string },
  ): Promise<{ data: T | undefined; status: number }> {
    const { data, error, response } = await call.catch((cause: unknown) => {
      // openapi-fetch's JSON.parse of a 2xx body that is not JSON: an answer the client cannot read.
      throw cause instanceof SyntaxError
        ? PhotoshopApiError.fromResponse(0, "a body that is not JSON", request)
        : cause;
    });
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      throw PhotoshopApiError.fromResponse(response.status, error, request, retryAfterMs);
    }
    return { data, status: response.status };
  }

  /** Refuses a retired operation on Adobe's own host, before anything is sent. */
  function refuseRetired(operation: RetiredOperation | undefined): void {
    if (operation !== undefined && !options.sendRetired && isAdobeHost(baseUrl)) {
      throw new RetiredOperationError(operation);
    }
  }

  function handle<T extends JobStatus>(statusUrl: string, kind: JobKind, jobId: string): JobHandle<T> {
    const request = { method: "GET", url: statusUrl };
    return {
      jobId,
      statusUrl,
      async wait(waitOptions) {
        assertTrustedOrigin(statusUrl, trustedOrigins);
        const { origin } = new URL(statusUrl);
        const read = async (signal: AbortSignal) => {
          const { data, status } = await dataOrThrow(
            poller.GET(statusUrl.slice(origin.length), { baseUrl: origin, signal }),
            request,
          );
          return { status, body: data };
        };
        return pollJob<T>({ statusUrl, jobId, kind, read, clock, logger }, waitOptions);
      },
    };
  }

  async function submit<T extends JobStatus>(
    name: string,
    { path, kind, statusPath, retired }: Submission,
    body: unknown,
    callOptions: CallOptions | undefined,
    base = baseUrl,
  ): Promise<JobHandle<T>> {
    refuseRetired(retired);
    if (!isRecord(body)) {
      invalid(`${name}(body): body must be an object`);
    }
    const signal = callOptions?.signal;
    const request = { method: "POST", url: `${base}${path}` };
    // One call for every path: each public method already typed its body, so narrowing the path here
    // only satisfies openapi-fetch's per-path overloads.
    const { data, status } = await dataOrThrow(
      raw.POST(path as "/sensei/mask", { baseUrl: base, body: body as CreateMaskRequest, signal }),
      request,
    );
    // The 202: `statusUrl` (current contract), else `_links.self.href` (retired contract, and the
    // create-mask guide's masking answer), else the documented status URL of `jobId`.
    const accepted = (isRecord(data) ? data : {}) as { statusUrl?: unknown; jobId?: unknown };
    const href = [accepted.statusUrl, data?._links?.self?.href].find((link) => typeof link === "string");
    const id = typeof accepted.jobId === "string" && accepted.jobId !== "" ? accepted.jobId : undefined;
    const statusUrl =
      typeof href === "string"
        ? toAbsoluteUrl(href, base)
        : id !== undefined && statusPath !== undefined
          ? // `:` stays unencoded: it is a valid path character, and URN job ids are full of it.
            `${base}${statusPath}${encodeURIComponent(id).replace(/%3A/gi, ":")}`
          : undefined;
    if (statusUrl === undefined) {
      throw new PhotoshopApiError(
        `[@psapi/client] POST ${request.url} answered ${status} without a usable ${statusPath === undefined ? "_links.self.href" : "statusUrl or jobId"}; the job may have been created`,
        { status, request, retryable: false },
      );
    }
    return handle<T>(statusUrl, kind, id ?? jobIdFromStatusUrl(statusUrl));
  }

  async function readStatus<T extends JobStatus>(
    path:
      | "/sensei/status/{jobId}"
      | "/pie/psdService/status/{jobId}"
      | "/v2/status/{jobId}"
      | "/v1/status/{jobId}",
    kind: JobKind,
    jobId: string,
    callOptions: CallOptions | undefined,
    retired?: RetiredOperation,
    base = baseUrl,
  ): Promise<T> {
    refuseRetired(retired);
    if (typeof jobId !== "string" || jobId === "") {
      invalid("jobId must be a non-empty string");
    }
    const request = { method: "GET", url: `${base}${path.replace("{jobId}", encodeURIComponent(jobId))}` };
    const { data, status } = await dataOrThrow(
      raw.GET(path as "/sensei/status/{jobId}", {
        baseUrl: base,
        params: { path: { jobId } },
        signal: callOptions?.signal,
      }),
      request,
    );
    return readJobStatus(status, data, kind, request).body as T;
  }

  const createCutout = (body: RemoveBackgroundRequest, callOptions?: CallOptions) =>
    submit<SenseiJobStatus>(
      "createCutout",
      { path: "/sensei/cutout", kind: "sensei", retired: "removeBackground" },
      body,
      callOptions,
    );

  return {
    raw,
    rawCurrent,
    // The retired body has `input`; the current one `image`. Both are required by their schemas.
    removeBackground: ((
      body: RemoveBackgroundV2Request | RemoveBackgroundRequest,
      callOptions?: CallOptions,
    ) =>
      isRecord(body) && "input" in body
        ? createCutout(body as RemoveBackgroundRequest, callOptions)
        : submit<V2JobStatus>(
            "removeBackground",
            { path: "/v2/remove-background", ...V2 },
            body,
            callOptions,
          )) as PhotoshopClient["removeBackground"],
    maskObjects: (body, callOptions) =>
      submit("maskObjects", { path: "/v1/mask-objects", ...MASKING }, body, callOptions),
    maskBodyParts: (body, callOptions) =>
      submit("maskBodyParts", { path: "/v1/mask-body-parts", ...MASKING }, body, callOptions),
    refineMask: (body, callOptions) =>
      submit("refineMask", { path: "/v1/refine-mask", ...MASKING }, body, callOptions),
    fillMaskedAreas: (body, callOptions) =>
      submit("fillMaskedAreas", { path: "/v1/fill-masked-areas", ...MASKING }, body, callOptions),
    generateManifest: (body, callOptions) =>
      submit(
        "generateManifest",
        { path: "/v2/generate-manifest", ...V2 },
        body,
        callOptions,
        photoshopApiUrl,
      ),
    getRemoveBackgroundStatus: (jobId, callOptions) =>
      readStatus("/v2/status/{jobId}", "v2", jobId, callOptions),
    getManifestStatus: (jobId, callOptions) =>
      readStatus("/v2/status/{jobId}", "v2", jobId, callOptions, undefined, photoshopApiUrl),
    getMaskingJobStatus: (jobId, callOptions) =>
      readStatus("/v1/status/{jobId}", "masking", jobId, callOptions),

    async hello(callOptions) {
      refuseRetired("hello");
      const request = { method: "GET", url: `${baseUrl}/pie/psdService/hello` };
      const { data } = await dataOrThrow(
        raw.GET("/pie/psdService/hello", { parseAs: "text", signal: callOptions?.signal }),
        request,
      );
      return data ?? "";
    },
    createMask: (body, callOptions) =>
      submit(
        "createMask",
        { path: "/sensei/mask", kind: "sensei", retired: "createMask" },
        body,
        callOptions,
      ),
    createCutout,
    getDocumentManifest: (body, callOptions) =>
      submit(
        "getDocumentManifest",
        { path: "/pie/psdService/documentManifest", kind: "psd", retired: "getDocumentManifest" },
        body,
        callOptions,
      ),
    getMaskStatus: (jobId, callOptions) =>
      readStatus("/sensei/status/{jobId}", "sensei", jobId, callOptions, "getSenseiJobStatus"),
    getPsdStatus: (jobId, callOptions) =>
      readStatus("/pie/psdService/status/{jobId}", "psd", jobId, callOptions, "getPsdJobStatus"),
    async waitForJob(statusUrl, waitOptions) {
      const absolute = typeof statusUrl === "string" ? toAbsoluteUrl(statusUrl, baseUrl) : undefined;
      if (absolute === undefined) {
        invalid("waitForJob(statusUrl): statusUrl must be an http(s) URL");
      }
      return handle<JobStatus>(absolute, "any", jobIdFromStatusUrl(absolute)).wait(waitOptions);
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
