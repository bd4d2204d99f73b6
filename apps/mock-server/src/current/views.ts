import type { components } from "@psapi/openapi-types/photoshop-current";
import type { CurrentJobResult, Job, V2JobResult } from "../jobs/jobs.js";

type Schemas = components["schemas"];

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether a job's result is a v2 one (`outputs`), not masking results. */
function isV2Result(result: CurrentJobResult | undefined): result is V2JobResult {
  return result !== undefined && "outputs" in result;
}

/**
 * `GET /v2/status/{jobId}` (remove-background, generate-manifest): `jobId`, `status` (`pending`,
 * `running`, `succeeded`, `failed`), `createdTime`, `modifiedTime`; `result.outputs[]` once
 * succeeded; `errorDetails[]` once failed.
 */
export function v2StatusBody(job: Job): Schemas["V2JobStatus"] {
  return {
    jobId: job.id,
    status: job.status,
    createdTime: iso(job.createdAt),
    modifiedTime: iso(job.modifiedAt),
    ...(job.status === "succeeded" ? { result: isV2Result(job.result) ? job.result : { outputs: [] } } : {}),
    ...(job.failure ? { errorDetails: [{ errorCode: job.failure.code, message: job.failure.message }] } : {}),
  };
}

/**
 * `GET /v1/status/{jobId}` (masking): `jobId` and `status` (`not_started` while queued, as this
 * endpoint documents, then `running`, `succeeded`, `failed`); the results at top level once
 * succeeded; `error_code` and `message` once failed.
 */
export function maskingStatusBody(job: Job): Schemas["MaskingJobStatus"] {
  return {
    jobId: job.id,
    status: job.status === "pending" ? "not_started" : job.status,
    ...(job.status === "succeeded" ? job.result : {}),
    ...(job.failure ? { error_code: job.failure.code, message: job.failure.message } : {}),
  };
}
