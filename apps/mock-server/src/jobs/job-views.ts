import type { components } from "@psapi/openapi-types/emulator";
import * as operations from "@psapi/openapi-types/operations";
import type { Job, JobKind } from "./jobs.js";

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

/** A job-starting operation's status route, from the spec's `x-psapi-polled-by`: `/v1/status/{jobId}` → `/v1/status/`. */
const statusRoute = <P extends string>(operation: { statusPath: `${P}{jobId}` }) =>
  operation.statusPath.slice(0, -"{jobId}".length) as P;

/**
 * The status route of each kind of job, read from the generated operation table (the operation
 * that starts the job, and the status read that polls it): the one place that says which family a
 * kind belongs to.
 */
const STATUS_PATHS = {
  manifest: statusRoute(operations.getDocumentManifest),
  mask: statusRoute(operations.createMask),
  cutout: statusRoute(operations.removeBackground),
  "remove-background": statusRoute(operations.removeBackgroundV2),
  "generate-manifest": statusRoute(operations.generateManifest),
  "create-composite": statusRoute(operations.createComposite),
  "create-artboard": statusRoute(operations.createArtboard),
  "execute-actions": statusRoute(operations.executeActions),
  "mask-objects": statusRoute(operations.maskObjects),
  "mask-body-parts": statusRoute(operations.maskBodyParts),
  "refine-mask": statusRoute(operations.refineMask),
  "fill-masked-areas": statusRoute(operations.fillMaskedAreas),
  edit: statusRoute(operations.edit),
  "auto-crop": statusRoute(operations.autoCrop),
} as const satisfies Record<JobKind, string>;

/** The 202 body of a job submission. */
export function jobLinkBody(job: Job) {
  return { _links: { self: { href: statusUrl(job) } } };
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
export function jobSummary(job: Job): components["schemas"]["JobSummary"] {
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
