import type { Job, JobKind, ManifestRequest, SenseiRequest } from "./jobs.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** The status URL of a job, on the emulator's own routes, ending in the job id. */
export function statusUrl(job: Job): string {
  return `${job.origin}${STATUS_PATHS[job.kind]}${job.id}`;
}

/** Whether `job` is polled on the status route `path` (e.g. `/v1/status/`): the job family a status route serves. */
export function isPolledAt(job: Job, path: StatusPath): boolean {
  return STATUS_PATHS[job.kind] === path;
}

/** The status routes, each ending in `/` before the job id. */
export type StatusPath = (typeof STATUS_PATHS)[JobKind];

/** The status route of each kind of job: the one place that says which family a kind belongs to. */
const STATUS_PATHS = {
  manifest: "/pie/psdService/status/",
  mask: "/sensei/status/",
  cutout: "/sensei/status/",
  "remove-background": "/v2/status/",
  "generate-manifest": "/v2/status/",
  "create-composite": "/v2/status/",
  "create-artboard": "/v2/status/",
  "mask-objects": "/v1/status/",
  "mask-body-parts": "/v1/status/",
  "refine-mask": "/v1/status/",
  "fill-masked-areas": "/v1/status/",
} as const satisfies Record<JobKind, string>;

/** The 202 body of a job submission. */
export function jobLinkBody(job: Job) {
  return { _links: { self: { href: statusUrl(job) } } };
}

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

/**
 * A status body as JSON text, made once per job state: a status body changes only when the job
 * does, and pollers (the bench's hot path) read the same state many times.
 */
export function statusJson(job: Job, build: (job: Job) => object): string {
  const key = `${job.status}\n${job.modifiedAt}`;
  if (job.view?.key !== key) job.view = { key, json: JSON.stringify(build(job)) };
  return job.view.json;
}

/** A job as the control API lists it: no hrefs, since pre-signed URLs are credentials. */
export function jobSummary(job: Job) {
  return {
    jobId: job.id,
    kind: job.kind,
    clientId: job.clientId,
    status: job.status,
    created: iso(job.createdAt),
    modified: iso(job.modifiedAt),
    statusUrl: statusUrl(job),
    ...(job.errors ? { errors: job.errors } : {}),
  };
}
