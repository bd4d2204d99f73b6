// The retired contract's status bodies (`/sensei/status`, `/pie/psdService/status`).
import { statusUrl } from "../jobs/job-views.js";
import type { Job, ManifestRequest, SenseiRequest } from "../jobs/jobs.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /sensei/status/{jobId}`: input href, the request's output echoed on success, `errors` on failure. */
export function senseiStatusBody(job: Job) {
  const request = job.request as SenseiRequest;
  return {
    jobId: job.id,
    status: job.status,
    created: iso(job.createdAt),
    modified: iso(job.modifiedAt),
    input: request.input.href,
    ...(job.status === "succeeded" ? { output: request.output } : {}),
    ...(request.options ? { options: request.options } : {}),
    ...(job.errors ? { errors: job.errors } : {}),
    _links: { self: { href: statusUrl(job) } },
  };
}

/** `GET /pie/psdService/status/{jobId}`: one output per input, with the manifest or `errors`. */
export function psdStatusBody(job: Job) {
  const request = job.request as ManifestRequest;
  return {
    jobId: job.id,
    outputs: [
      {
        input: request.inputs[0]?.href ?? "",
        status: job.status,
        created: iso(job.createdAt),
        modified: iso(job.modifiedAt),
        ...(job.manifest ?? {}),
        ...(job.errors ? { errors: job.errors } : {}),
      },
    ],
    _links: { self: { href: statusUrl(job) } },
  };
}
