import { isRecord } from "@psapi/core";
import { PhotoshopApiError } from "../errors/photoshop-api-error.js";
import type { JobFailure, JobStatus, PsJobStatus, SenseiJobStatus } from "../types.js";
import { jobIdFromStatusUrl } from "./job-id.js";

/**
 * Which status shape a poll expects: from a Sensei POST, a psdService POST, a v2 POST
 * (remove-background, generate-manifest), a masking POST, or unknown.
 */
export type JobKind = "sensei" | "psd" | "v2" | "masking" | "any";

/** What one status answer means for the wait. */
export type JobProgress =
  | { state: "running"; body: JobStatus }
  | { state: "succeeded"; body: JobStatus }
  | { state: "failed"; body: JobStatus; errors: JobFailure[] };

const FINAL_OUTPUT_STATES = new Set(["succeeded", "failed"]);

/**
 * Reads a status answer of any shape and says whether the job is still running, succeeded or
 * failed. Sensei, v2 and masking: top-level `status` (id under `jobId` or `jobID`); only `succeeded`
 * and `failed` are final, so `pending`, `not_started`, `running` and any state Adobe may add later
 * keep the wait going. A failure's reasons are read from whichever of the shapes is there: Sensei
 * `errors`, v2 `errorDetails[]`, masking `error_code` + `message`. psdService: `outputs[].status`;
 * the job is final once every output is `succeeded` or `failed` (HTTP 202 always means running).
 *
 * @param httpStatus - 200 or 202.
 * @param body - The parsed body, untrusted.
 * @param kind - The shape the caller expects; a body of the other shape is refused.
 * @param request - For the error, when the body is unreadable.
 * @throws {PhotoshopApiError} when the body is neither shape (or not the expected one).
 */
export function readJobStatus(
  httpStatus: number,
  body: unknown,
  kind: JobKind,
  request: { method: string; url: string },
): JobProgress {
  const record = isRecord(body) ? body : undefined;
  if (record !== undefined && (kind === "psd" || kind === "any") && Array.isArray(record.outputs)) {
    const outputs = record.outputs.filter(isRecord);
    const status = record as PsJobStatus;
    const final =
      httpStatus !== 202 &&
      outputs.length > 0 &&
      outputs.every((output) => FINAL_OUTPUT_STATES.has(String(output.status)));
    if (!final) return { state: "running", body: status };
    const failed = outputs.filter((output) => output.status === "failed");
    if (failed.length === 0) return { state: "succeeded", body: status };
    return { state: "failed", body: status, errors: failed.flatMap((output) => jobErrors(output.errors)) };
  }
  if (record !== undefined && kind !== "psd" && typeof record.status === "string") {
    const jobId =
      [record.jobId, record.jobID].find((id) => typeof id === "string") ?? jobIdFromStatusUrl(request.url);
    const status = { ...record, jobId } as SenseiJobStatus;
    if (record.status === "succeeded") return { state: "succeeded", body: status };
    if (record.status === "failed") return { state: "failed", body: status, errors: jobFailures(status) };
    return { state: "running", body: status };
  }
  throw new PhotoshopApiError(
    `[@psapi/client] GET ${request.url} answered ${httpStatus} with a body that is not a ${kind === "any" ? "job" : kind} status`,
    { status: httpStatus, request, retryable: false },
  );
}

/**
 * Why a job with a top-level `status` failed, from whichever of Adobe's shapes the body has: Sensei
 * `errors` (one object, or an array in one older schema), v2 `errorDetails[]`, masking
 * `error_code` + `message`. Empty when the body gives no reason (a failed remove-background job
 * may not). Untrusted input: entries of the wrong type are dropped.
 *
 * @param status - A status body.
 * @example
 * jobFailures({ jobId: "j", status: "failed", error_code: "processing_error", message: "…" })
 * // [{ error_code: "processing_error", message: "…" }]
 */
export function jobFailures(status: JobStatus): JobFailure[] {
  const record: Record<string, unknown> = isRecord(status) ? status : {};
  const masking =
    typeof record.error_code === "string" ? [{ error_code: record.error_code, message: record.message }] : [];
  return [
    ...jobErrors(record.errors),
    ...(Array.isArray(record.errorDetails) ? jobErrors(record.errorDetails) : []),
    ...masking,
  ] as JobFailure[];
}

/** Adobe's `errors`: one object per the spec; an array in one older schema. Anything else is dropped. */
function jobErrors(value: unknown): JobFailure[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(isRecord) as JobFailure[];
}
