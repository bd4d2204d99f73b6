// One function per operation of the table, each a thin call of the runner with its generated row:
// an application bundles only the functions it imports (and only their rows). Adding an operation
// is a spec change, a regenerated row and one line here.
import * as operations from "@psapi/openapi-types/operations";
import { isAdobeHost } from "./adobe-hosts.js";
import type { CallOptions, PhotoshopClient } from "./client.js";
import { type RetiredOperation, RetiredOperationError } from "./errors/retired-operation-error.js";
import { type JobHandle, readJobStatusOf, readText, submitJob } from "./run-operation.js";
import type {
  AutoCropRequest,
  CreateArtboardRequest,
  CreateCompositeRequest,
  CreateMaskRequest,
  DocumentManifestRequest,
  EditRequest,
  ExecuteActionsRequest,
  FillMaskedAreasRequest,
  GenerateManifestRequest,
  MaskBodyPartsRequest,
  MaskingJobStatus,
  MaskObjectsRequest,
  PsJobStatus,
  RefineMaskRequest,
  RemoveBackgroundRequest,
  RemoveBackgroundV2Request,
  SenseiJobStatus,
  V2JobStatus,
} from "./types.js";

/**
 * `POST /v2/remove-background`: cuts out the subject (`mode: "cutout"`, default), makes its mask
 * (`"mask"`) or a layered PSD (`"psd"`). The result is hosted by Adobe: read its URL (and expiry)
 * with `jobOutputs(await job.wait())`.
 *
 * @example
 * const job = await removeBackground(client, { image: { source: { url } }, mode: "cutout" });
 * const [output] = jobOutputs(await job.wait());
 */
export const removeBackground = (
  client: PhotoshopClient,
  body: RemoveBackgroundV2Request,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> =>
  submitJob(client, operations.removeBackgroundV2, body, options, "removeBackground");

/** `POST /v1/mask-objects`: one mask per detected object and background region. */
export const maskObjects = (
  client: PhotoshopClient,
  body: MaskObjectsRequest,
  options?: CallOptions,
): Promise<JobHandle<MaskingJobStatus>> => submitJob(client, operations.maskObjects, body, options);

/** `POST /v1/mask-body-parts`: one mask per body part of the person in the image. */
export const maskBodyParts = (
  client: PhotoshopClient,
  body: MaskBodyPartsRequest,
  options?: CallOptions,
): Promise<JobHandle<MaskingJobStatus>> => submitJob(client, operations.maskBodyParts, body, options);

/** `POST /v1/refine-mask`: a refined mask (or, with `colorDecontamination`, the refined cutout). */
export const refineMask = (
  client: PhotoshopClient,
  body: RefineMaskRequest,
  options?: CallOptions,
): Promise<JobHandle<MaskingJobStatus>> => submitJob(client, operations.refineMask, body, options);

/** `POST /v1/fill-masked-areas`: the image with the masked areas filled from their surroundings. */
export const fillMaskedAreas = (
  client: PhotoshopClient,
  body: FillMaskedAreasRequest,
  options?: CallOptions,
): Promise<JobHandle<MaskingJobStatus>> => submitJob(client, operations.fillMaskedAreas, body, options);

/**
 * `POST /v2/edit` on the Photoshop API v2 host: Lightroom-style edits (light, colour, effects,
 * sharpening, noise reduction, auto tone, presets, XMP) on one image, rendered to each of
 * `outputs` (JPEG, PNG, DNG, or the applied settings as XMP).
 *
 * @example
 * const job = await edit(client, {
 *   image: { source: { url } },
 *   edits: { light: { exposure: 0.5 }, color: { saturation: -20 } },
 *   outputs: [{ destination: { validityPeriod: 3600 }, mediaType: "image/jpeg" }],
 * });
 */
export const edit = (
  client: PhotoshopClient,
  body: EditRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.edit, body, options);

/**
 * `POST /v1/auto-crop` on `image.adobe.io`, polled on the `/v2/status` URL it answers with: crops
 * around the subject, one crop per aspect ratio. Read the boxes with `autoCropResult(await job.wait())`
 * and the cropped images with `jobOutputs`.
 *
 * @example
 * const job = await autoCrop(client, { image: { source: { url } }, mode: "smartCrop", aspectRatio: ["1:1", "16:9"] });
 */
export const autoCrop = (
  client: PhotoshopClient,
  body: AutoCropRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.autoCrop, body, options);

/** `POST /v2/generate-manifest` on the Photoshop API v2 host: a document manifest job. */
export const generateManifest = (
  client: PhotoshopClient,
  body: GenerateManifestRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.generateManifest, body, options);

/**
 * `POST /v2/create-composite` on the Photoshop API v2 host: converts a document or image, creates
 * a new document, or edits one (`edits.document`, `edits.layers`), and renders each of `outputs`
 * (the successor of psdService's documentCreate, documentOperations, renditionCreate and
 * smartObject). Read the outputs with `jobOutputs(await job.wait())`.
 *
 * @example
 * const job = await createComposite(client, {
 *   image: { source: { url: templateUrl } },
 *   edits: { layers: [{ type: "text_layer", name: "Headline", operation: { type: "edit" }, text: { content: "Sale" } }] },
 *   outputs: [{ destination: { url: outUrl }, mediaType: "image/vnd.adobe.photoshop" }],
 * });
 */
export const createComposite = (
  client: PhotoshopClient,
  body: CreateCompositeRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.createComposite, body, options);

/**
 * `POST /v2/create-artboard` on the Photoshop API v2 host: a new document with one artboard per
 * image, left to right (the successor of psdService's artboardCreate).
 */
export const createArtboard = (
  client: PhotoshopClient,
  body: CreateArtboardRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.createArtboard, body, options);

/**
 * `POST /v2/execute-actions` on the Photoshop API v2 host: plays `.atn` actions, inline ActionJSON
 * and a UXP script on a document and renders each of `outputs` (the successor of psdService's
 * photoshopActions, actionJSON, productCrop and text). Inline ActionJSON is a string:
 * `{ content: JSON.stringify(commands), contentType: "application/json" }`.
 *
 * @example
 * const job = await executeActions(client, {
 *   image: { source: { url: psdUrl } },
 *   options: { actions: [{ source: { content: JSON.stringify([{ _obj: "invert" }]), contentType: "application/json" } }] },
 *   outputs: [{ destination: { url: outUrl }, mediaType: "image/png" }],
 * });
 */
export const executeActions = (
  client: PhotoshopClient,
  body: ExecuteActionsRequest,
  options?: CallOptions,
): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.executeActions, body, options);

/** `GET /v2/status/{jobId}` on `baseUrl`: one status read of a remove-background job. */
export const getRemoveBackgroundStatus = (
  client: PhotoshopClient,
  jobId: string,
  options?: CallOptions,
): Promise<V2JobStatus> => readJobStatusOf(client, operations.removeBackgroundV2, jobId, options);

/** `GET /v2/status/{jobId}` on the Photoshop API v2 host: one status read of a generate-manifest job. */
export const getManifestStatus = (
  client: PhotoshopClient,
  jobId: string,
  options?: CallOptions,
): Promise<V2JobStatus> => readJobStatusOf(client, operations.generateManifest, jobId, options);

/** `GET /v1/status/{jobId}`: one status read of a masking job. */
export const getMaskingJobStatus = (
  client: PhotoshopClient,
  jobId: string,
  options?: CallOptions,
): Promise<MaskingJobStatus> => readJobStatusOf(client, operations.maskObjects, jobId, options);

/**
 * Refuses a retired operation on Adobe's own host, before anything is sent: there it can only fail
 * with an opaque 404. Only the retired operations' functions call it, so that the current ones do
 * not bundle the refusal.
 */
function refuseRetired(client: PhotoshopClient, operation: RetiredOperation): void {
  if (!client.sendRetired && isAdobeHost(client.baseUrl)) {
    throw new RetiredOperationError(operation);
  }
}

/**
 * `GET /pie/psdService/hello`: checks the credentials; resolves with Adobe's greeting.
 *
 * @deprecated Retired by Adobe on 2026-07-31 with the Photoshop API v1, without a successor.
 */
export const hello = async (client: PhotoshopClient, options?: CallOptions): Promise<string> => {
  refuseRetired(client, "hello");
  return readText(client, operations.hello, options);
};

/**
 * `POST /sensei/mask`: starts a mask job.
 *
 * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground(client, { image, mode: "mask" })`.
 */
export const createMask = async (
  client: PhotoshopClient,
  body: CreateMaskRequest,
  options?: CallOptions,
): Promise<JobHandle<SenseiJobStatus>> => {
  refuseRetired(client, "createMask");
  return submitJob(client, operations.createMask, body, options);
};

/**
 * `POST /sensei/cutout`: starts a background-removal job (the retired `removeBackground`).
 *
 * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground(client, { image, mode: "cutout" })`.
 */
export const createCutout = async (
  client: PhotoshopClient,
  body: RemoveBackgroundRequest,
  options?: CallOptions,
): Promise<JobHandle<SenseiJobStatus>> => {
  refuseRetired(client, "removeBackground");
  return submitJob(client, operations.removeBackground, body, options, "createCutout");
};

/**
 * `POST /pie/psdService/documentManifest`: starts a document manifest job.
 *
 * @deprecated Retired by Adobe on 2026-07-31: use `generateManifest(client, { image, outputs })`.
 */
export const getDocumentManifest = async (
  client: PhotoshopClient,
  body: DocumentManifestRequest,
  options?: CallOptions,
): Promise<JobHandle<PsJobStatus>> => {
  refuseRetired(client, "getDocumentManifest");
  return submitJob(client, operations.getDocumentManifest, body, options);
};

/**
 * `GET /sensei/status/{jobId}`: one status read of a mask or background-removal job.
 *
 * @deprecated Retired by Adobe on 2025-10-15: use `getRemoveBackgroundStatus(client, jobId)`.
 */
export const getMaskStatus = async (
  client: PhotoshopClient,
  jobId: string,
  options?: CallOptions,
): Promise<SenseiJobStatus> => {
  refuseRetired(client, "getSenseiJobStatus");
  return readJobStatusOf(client, operations.createMask, jobId, options);
};

/**
 * `GET /pie/psdService/status/{jobId}`: one status read of a psdService job.
 *
 * @deprecated Retired by Adobe on 2026-07-31: use `getManifestStatus(client, jobId)`.
 */
export const getPsdStatus = async (
  client: PhotoshopClient,
  jobId: string,
  options?: CallOptions,
): Promise<PsJobStatus> => {
  refuseRetired(client, "getPsdJobStatus");
  return readJobStatusOf(client, operations.getDocumentManifest, jobId, options);
};
