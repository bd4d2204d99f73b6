import { isRecord, parseRetryAfter, redactUrl } from "@psapi/core";
import type { Operation } from "@psapi/openapi-types/operations";
import type { CallOptions, PhotoshopClient } from "./client.js";
import { toAbsoluteUrl } from "./client.js";
import { DEFAULT_PHOTOSHOP_API_URL } from "./defaults.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { jobIdFromStatusUrl } from "./jobs/job-id.js";
import { type JobKind, readJobStatus } from "./jobs/job-status.js";
import { pollJob, type WaitOptions } from "./jobs/wait-for-job.js";
import { assertTrustedOrigin } from "./origin.js";
import type { JobStatus } from "./types.js";
import { invalid } from "./validate.js";

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

/** A row of the operation table that starts a job. */
export type JobOperation = Operation & { readonly jobKind: JobKind; readonly statusPath: string };

/** The origin an operation is sent to: the v2 host's operations to `photoshopApiUrl`, the rest to `baseUrl`. */
function originOf(client: PhotoshopClient, operation: Operation): string {
  return operation.server === DEFAULT_PHOTOSHOP_API_URL ? client.photoshopApiUrl : client.baseUrl;
}

function checkClient(client: PhotoshopClient, call: string): void {
  if (typeof client?.send !== "function") {
    invalid(`${call}: client must be what createPhotoshopClient returns`);
  }
}

/**
 * Sends one request and reads its answer: JSON (or text with `asText`), or a `PhotoshopApiError`
 * for an error status (Adobe's body read into its fields) or a 2xx body that is not JSON.
 */
async function exchange(
  client: PhotoshopClient,
  method: string,
  url: string,
  body: unknown,
  signal: AbortSignal | undefined,
  asText = false,
): Promise<{ data: unknown; status: number }> {
  const request = { method, url };
  const response = await client.send(
    new Request(url, {
      method,
      signal,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    }),
  );
  const text = await response.text();
  if (!response.ok) {
    let error: unknown = text;
    try {
      error = JSON.parse(text);
    } catch {}
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), client.clock.now());
    throw PhotoshopApiError.fromResponse(response.status, error, request, retryAfterMs);
  }
  if (asText || text === "") return { data: asText ? text : undefined, status: response.status };
  try {
    return { data: JSON.parse(text), status: response.status };
  } catch {
    // A 2xx answer the client cannot read: not Adobe's words, so no `adobeMessage`.
    throw new PhotoshopApiError(
      `[@psapi/client] ${method} ${redactUrl(url)} failed with 0: a body that is not JSON`,
      {
        status: 0,
        request,
        retryable: false,
      },
    );
  }
}

function handle<T extends JobStatus>(
  client: PhotoshopClient,
  statusUrl: string,
  kind: JobKind | "any",
  jobId: string,
): JobHandle<T> {
  return {
    jobId,
    statusUrl,
    async wait(waitOptions) {
      // The token rule: a status URL comes from a response body, so it must be on an origin the
      // client was configured with before it is polled.
      assertTrustedOrigin(statusUrl, [
        new URL(client.baseUrl).origin,
        new URL(client.photoshopApiUrl).origin,
      ]);
      const read = (signal: AbortSignal) =>
        exchange(client, "GET", statusUrl, undefined, signal).then(({ data, status }) => ({
          status,
          body: data,
        }));
      return pollJob<T>(
        { statusUrl, jobId, kind, read, clock: client.clock, logger: client.logger },
        waitOptions,
      );
    },
  };
}

/**
 * Starts the job of one operation of the table: posts `body` to its path on its host and returns
 * the job's handle. The operation functions (`removeBackground`, `maskObjects`, …) are this with
 * their row; call it directly for an operation the table has and the client has no function for.
 *
 * @param client - From `createPhotoshopClient`.
 * @param operation - The operation's row of `@psapi/openapi-types/operations`.
 * @param body - The request body (an object).
 * @param options - `signal`.
 * @param call - The name error messages use, e.g. `maskObjects`.
 * @throws {TypeError} when `body` is not an object.
 * @throws {PhotoshopApiError} when Adobe answers with an error, or with no usable status link.
 */
export async function submitJob<T extends JobStatus>(
  client: PhotoshopClient,
  operation: JobOperation,
  body: unknown,
  options?: CallOptions,
  call: string = operation.operationId,
): Promise<JobHandle<T>> {
  checkClient(client, `${call}(client, body)`);
  if (!isRecord(body)) {
    invalid(`${call}(body): body must be an object`);
  }
  const base = originOf(client, operation);
  const url = `${base}${operation.path}`;
  const { data, status } = await exchange(client, operation.method, url, body, options?.signal);
  // Only the current contract documents `{jobId, statusUrl}` answers, whose status URL is known from the id.
  const statusPath =
    operation.spec === "photoshop-current.yaml" ? operation.statusPath.replace("{jobId}", "") : undefined;
  // The 202: `statusUrl` (current contract), else `_links.self.href` (retired contract, and the
  // create-mask guide's masking answer), else the documented status URL of `jobId`.
  const accepted = (isRecord(data) ? data : {}) as {
    statusUrl?: unknown;
    jobId?: unknown;
    _links?: { self?: { href?: unknown } };
  };
  const href = [accepted.statusUrl, accepted._links?.self?.href].find((link) => typeof link === "string");
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
      `[@psapi/client] ${operation.method} ${url} answered ${status} without a usable ${statusPath === undefined ? "_links.self.href" : "statusUrl or jobId"}; the job may have been created`,
      { status, request: { method: operation.method, url }, retryable: false },
    );
  }
  return handle<T>(client, statusUrl, operation.jobKind, id ?? jobIdFromStatusUrl(statusUrl));
}

/**
 * Reads the status of a job once, on the status read that polls `operation` (its `statusPath`, on
 * its host), checking that the body has that operation's status shape.
 *
 * @param client - From `createPhotoshopClient`.
 * @param operation - The row of the operation that started the job.
 * @param jobId - The job's id.
 * @param options - `signal`.
 * @throws {TypeError} when `jobId` is not a non-empty string.
 * @throws {PhotoshopApiError} on an error answer or a body of another shape.
 */
export async function readJobStatusOf<T extends JobStatus>(
  client: PhotoshopClient,
  operation: JobOperation,
  jobId: string,
  options?: CallOptions,
): Promise<T> {
  checkClient(client, "status(client, jobId)");
  if (typeof jobId !== "string" || jobId === "") {
    invalid("jobId must be a non-empty string");
  }
  const url = `${originOf(client, operation)}${operation.statusPath.replace("{jobId}", encodeURIComponent(jobId))}`;
  const { data, status } = await exchange(client, "GET", url, undefined, options?.signal);
  return readJobStatus(status, data, operation.jobKind, { method: "GET", url }).body as T;
}

/**
 * Sends an operation without a body and resolves with the answer's text (`hello`).
 *
 * @param client - From `createPhotoshopClient`.
 * @param operation - The operation's row.
 * @param options - `signal`.
 */
export async function readText(
  client: PhotoshopClient,
  operation: Operation,
  options?: CallOptions,
): Promise<string> {
  checkClient(client, `${operation.operationId}(client)`);
  const url = `${originOf(client, operation)}${operation.path}`;
  const { data } = await exchange(client, operation.method, url, undefined, options?.signal, true);
  return data as string;
}

/**
 * Polls any status URL (absolute, or relative to `baseUrl`) until the job is final, whatever its
 * status shape. The URL must be on `baseUrl`'s origin or the Photoshop API v2 host's: the token is
 * never sent anywhere else.
 *
 * @param client - From `createPhotoshopClient`.
 * @param statusUrl - The status URL, e.g. a `JobTimeoutError`'s.
 * @param options - See `WaitOptions`.
 * @throws {TypeError} when `statusUrl` is not an http(s) URL.
 * @throws {JobFailedError} when Adobe reports the job failed.
 * @throws {JobTimeoutError} when `timeoutMs` passes first.
 * @example
 * const done = await waitForJob(client, error.statusUrl, { timeoutMs: 300_000 });
 */
export async function waitForJob(
  client: PhotoshopClient,
  statusUrl: string,
  options?: WaitOptions,
): Promise<JobStatus> {
  checkClient(client, "waitForJob(client, statusUrl)");
  const absolute = typeof statusUrl === "string" ? toAbsoluteUrl(statusUrl, client.baseUrl) : undefined;
  if (absolute === undefined) {
    invalid("waitForJob(statusUrl): statusUrl must be an http(s) URL");
  }
  return handle<JobStatus>(client, absolute, "any", jobIdFromStatusUrl(absolute)).wait(options);
}
