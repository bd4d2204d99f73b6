import type { components, operations } from "./generated/photoshop.js";

/** Body of `createMask` (`POST /sensei/mask`). */
export type CreateMaskRequest = NonNullable<
  operations["createMask"]["requestBody"]
>["content"]["application/json"];
/** Body of `removeBackground` (`POST /sensei/cutout`). */
export type RemoveBackgroundRequest = NonNullable<
  operations["removeBackground"]["requestBody"]
>["content"]["application/json"];
/** Body of `getDocumentManifest` (`POST /pie/psdService/documentManifest`). */
export type DocumentManifestRequest = NonNullable<
  operations["getDocumentManifest"]["requestBody"]
>["content"]["application/json"];

/**
 * Status of a Sensei job (`GET /sensei/status/{jobId}`). The client fills `jobId` from `jobID` when
 * an older answer uses that key, so `jobId` is always there.
 */
export type SenseiJobStatus = components["schemas"]["SenseiJobStatus"] & { jobId: string };
/** Status of a psdService job (`GET /pie/psdService/status/{jobId}`), document manifest included. */
export type PsJobStatus = components["schemas"]["PsJobStatus"];
/** Either status shape, as `waitForJob` may meet it. */
export type JobStatus = SenseiJobStatus | PsJobStatus;
/** Why a job (or one psdService output) failed: Adobe's `{type, code, title, details?}`. */
export type JobError = components["schemas"]["JobError"];
