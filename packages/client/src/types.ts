import type { components, operations } from "@psapi/openapi-types/photoshop";
import type { components as current } from "@psapi/openapi-types/photoshop-current";

/** Body of `createMask` (`POST /sensei/mask`, retired 2025-10-15). */
export type CreateMaskRequest = NonNullable<
  operations["createMask"]["requestBody"]
>["content"]["application/json"];
/** Body of the retired `removeBackground` / `createCutout` (`POST /sensei/cutout`, retired 2025-10-15). */
export type RemoveBackgroundRequest = NonNullable<
  operations["removeBackground"]["requestBody"]
>["content"]["application/json"];
/** Body of `getDocumentManifest` (`POST /pie/psdService/documentManifest`, retired 2026-07-31). */
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

/** Body of `removeBackground` on the current contract (`POST /v2/remove-background`). */
export type RemoveBackgroundV2Request = current["schemas"]["RemoveBackgroundV2Request"];
/** Body of `maskObjects` (`POST /v1/mask-objects`). */
export type MaskObjectsRequest = current["schemas"]["MaskObjectsRequest"];
/** Body of `maskBodyParts` (`POST /v1/mask-body-parts`). */
export type MaskBodyPartsRequest = current["schemas"]["MaskBodyPartsRequest"];
/** Body of `refineMask` (`POST /v1/refine-mask`). */
export type RefineMaskRequest = current["schemas"]["RefineMaskRequest"];
/** Body of `fillMaskedAreas` (`POST /v1/fill-masked-areas`). */
export type FillMaskedAreasRequest = current["schemas"]["FillMaskedAreasRequest"];
/** Body of `generateManifest` (`POST https://photoshop-api.adobe.io/v2/generate-manifest`). */
export type GenerateManifestRequest = current["schemas"]["GenerateManifestRequest"];
/** Body of `createComposite` (`POST https://photoshop-api.adobe.io/v2/create-composite`). */
export type CreateCompositeRequest = current["schemas"]["CreateCompositeRequest"];
/** Body of `createArtboard` (`POST https://photoshop-api.adobe.io/v2/create-artboard`). */
export type CreateArtboardRequest = current["schemas"]["CreateArtboardRequest"];
/** Body of `executeActions` (`POST https://photoshop-api.adobe.io/v2/execute-actions`). */
export type ExecuteActionsRequest = current["schemas"]["ExecuteActionsRequest"];
/** One output of `executeActions`: a `DocumentOutput`, or a UXP script's files by `scriptOutputPattern`. */
export type ActionsOutput = current["schemas"]["ActionsOutput"];
/** One entry of `CreateCompositeRequest.edits.layers`: add, edit, move or delete one layer. */
export type LayerEdit = current["schemas"]["LayerEdit"];
/** One output of a document operation: format, size, layer filter, destination. */
export type DocumentOutput = current["schemas"]["DocumentOutput"];
/** Body of `edit` (`POST https://photoshop-api.adobe.io/v2/edit`): Lightroom-style edits of one image. */
export type EditRequest = current["schemas"]["EditRequest"];
/** The adjustments of an `EditRequest` (`edits`), by category. */
export type LightroomEdits = current["schemas"]["LightroomEdits"];
/** One output of `edit`: JPEG, PNG, DNG or the applied settings as XMP (`application/rdf+xml`). */
export type EditOutput = current["schemas"]["EditOutput"];
/** Body of `autoCrop` (`POST https://image.adobe.io/v1/auto-crop`). */
export type AutoCropRequest = current["schemas"]["AutoCropRequest"];
/** One aspect ratio `autoCrop` accepts (`"1:1"`, `"16:9"`, …). */
export type AutoCropAspectRatio = current["schemas"]["AutoCropAspectRatio"];
/** An auto-crop result: `crops` (one per ratio), the `subject` box, detected `objects`. */
export type AutoCropOutput = current["schemas"]["AutoCropOutput"];
/** Status of a remove-background or Photoshop v2 job (`GET /v2/status/{jobId}`). */
export type V2JobStatus = current["schemas"]["V2JobStatus"];
/** Status of a masking job (`GET /v1/status/{jobId}`): results at the top level. */
export type MaskingJobStatus = current["schemas"]["MaskingJobStatus"];

/** Any status shape, as `waitForJob` may meet it. */
export type JobStatus = SenseiJobStatus | PsJobStatus | V2JobStatus | MaskingJobStatus;
/** Why a job (or one psdService output) failed, in the retired contract: Adobe's `{type, code, title, details?}`. */
export type JobError = components["schemas"]["JobError"];
/**
 * One reason a job failed, as Adobe sent it: the retired contract's `JobError` (`type`, `code`,
 * `title`, `details`), a v2 `errorDetails` item (`errorCode`, `message`), or a failed masking
 * status's `error_code` and `message`. Every field is optional because the shapes differ.
 */
export type JobFailure = Partial<JobError> & { errorCode?: string; error_code?: string; message?: string };
