import type { EmulatorContext } from "../context.js";
import type { Job } from "../jobs/jobs.js";

/** How long a hosted output's URL stays valid unless the request says otherwise (Adobe's v2 default). */
export const HOSTED_VALIDITY_SECONDS = 3600;

/** Thrown when a reset or shutdown overtook the job: nothing may be written to the fresh store. */
export class JobAbandoned extends Error {
  override readonly name = "JobAbandoned";
}

/**
 * Hosts one output of a job the way Adobe hosts results: the bytes go to the emulator's own
 * storage under `outputs/<jobId>/<name>`, and the status gets a pre-signed GET URL on the job's
 * origin that expires `validitySeconds` from now (emulator time); after that it answers 403, as
 * an expired pre-signed URL does. The object itself stays until evicted or reset.
 *
 * @returns the pre-signed GET URL.
 * @throws JobAbandoned when `signal` is aborted (reset or shutdown).
 */
export function hostOutput(
  ctx: EmulatorContext,
  job: Job,
  name: string,
  bytes: Uint8Array,
  contentType: string,
  signal: AbortSignal,
  validitySeconds = HOSTED_VALIDITY_SECONDS,
): string {
  if (signal.aborted) throw new JobAbandoned("The emulator was reset or stopped.");
  const key = `outputs/${job.id}/${name}`;
  const now = ctx.time.now();
  ctx.store.put(key, bytes, contentType, now);
  return ctx.signer.presign(job.origin, "GET", key, Math.floor(now / 1000) + validitySeconds);
}

/** A file name from a label: `Left Arm` → `left-arm`. */
export function slug(label: string): string {
  return (
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "mask"
  );
}

/** The file extension of an output media type. */
export function extensionOf(mediaType: string): string {
  const known: Record<string, string> = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/vnd.adobe.photoshop": "psd",
    "application/json": "json",
    "application/rdf+xml": "xmp",
  };
  return known[mediaType] ?? "bin";
}
