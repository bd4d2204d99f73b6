import type { FC } from "hono/jsx";
import { iso, relative } from "./layout.js";

/** One job as the jobs view shows it. */
export interface InspectorJob {
  jobId: string;
  kind: string;
  clientId: string;
  status: string;
  created: number;
  modified: number;
  errors?: { type: string; code: number; title: string; details?: unknown };
  /** `boxes`: how many boxes (mask-objects results) the thumbnail has drawn over it. */
  images: readonly { index: number; role: string; label: string; stored: boolean; boxes: number }[];
}

/** Jobs: operation, state, timings, error, and the input and output images side by side. */
export const JobsView: FC<{ jobs: readonly InspectorJob[]; now: number }> = ({ jobs, now }) => (
  <div id="live">
    {jobs.length === 0 ? <p class="muted">No job yet.</p> : null}
    {jobs.map((job) => (
      <article class="job" data-job={job.jobId} data-status={job.status}>
        <h3>
          <span class={`state state-${job.status}`}>{job.status}</span> {job.kind} <code>{job.jobId}</code>
        </h3>
        <dl class="timings">
          <dt>Client</dt>
          <dd>{job.clientId}</dd>
          <dt>Created</dt>
          <dd>
            <time>{iso(job.created)}</time> ({relative(job.created, now)})
          </dd>
          <dt>Last change</dt>
          <dd>
            <time>{iso(job.modified)}</time>
          </dd>
          <dt>Took</dt>
          <dd>{`${job.modified - job.created} ms`}</dd>
        </dl>
        {job.errors ? (
          <div class="error" role="note">
            <strong>{`${job.errors.code} ${job.errors.type}`}</strong>: {job.errors.title}
            {job.errors.details ? <pre>{JSON.stringify(job.errors.details, null, 2)}</pre> : null}
          </div>
        ) : null}
        <div class="images">
          {job.images.map((image) => (
            <figure class={`thumb ${image.role}`}>
              {image.stored ? (
                <img
                  src={`/__emulator/jobs/${encodeURIComponent(job.jobId)}/thumbnails/${image.index}?v=${job.modified}`}
                  alt={`${image.label} of job ${job.jobId}`}
                  data-role={image.role}
                  data-boxes={image.boxes > 0 ? image.boxes : undefined}
                />
              ) : (
                <p class="muted">not in the emulator's store</p>
              )}
              <figcaption>
                {`${image.role}: ${image.label}`}
                {image.boxes > 0
                  ? `, ${image.boxes} ${image.boxes === 1 ? "box" : "boxes"} drawn over it`
                  : ""}
              </figcaption>
            </figure>
          ))}
          {job.status === "pending" || job.status === "running" ? (
            <figure class="thumb output pending">
              <p class="muted">output when the job ends</p>
            </figure>
          ) : null}
        </div>
      </article>
    ))}
  </div>
);
