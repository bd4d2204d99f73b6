// `@psapi/client/all`: the client with every operation as a method, and openapi-fetch clients for
// any other call. Everything `@psapi/client` exports is here too; `createPhotoshopClient` and
// `PhotoshopClient` are the method-bearing ones. An application that imports this entry bundles
// every operation; `@psapi/client` with the operation functions bundles only those it imports.
import { isRecord } from "@psapi/core";
import type { paths } from "@psapi/openapi-types/photoshop";
import type { paths as currentPaths } from "@psapi/openapi-types/photoshop-current";
import createClient from "openapi-fetch";
import {
  type CallOptions,
  createPhotoshopClient as createCore,
  type PhotoshopClientOptions,
  type PhotoshopClient as PhotoshopCore,
  type PhotoshopCurrentRawClient,
  type PhotoshopRawClient,
} from "./client.js";
import type { WaitOptions } from "./jobs/wait-for-job.js";
import * as operations from "./operations.js";
import { type JobHandle, waitForJob } from "./run-operation.js";
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
  JobStatus,
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

export * from "./index.js";

/**
 * What this entry's {@link createPhotoshopClient} returns: the core client (which the operation
 * functions take too) with every operation as a method. Every call rejects with a
 * `PhotoshopApiError` when Adobe answers with an error (after the retry policy) or no answer
 * arrives, with an `ImsError` when no token can be had, with a `TypeError` for invalid arguments,
 * and with `signal.reason` on abort.
 *
 * Two contracts: the **current** one (`removeBackground` with an `image`, `maskObjects`,
 * `maskBodyParts`, `refineMask`, `fillMaskedAreas`, `edit`, `autoCrop`, `generateManifest`,
 * `createComposite`, `createArtboard`, `executeActions` and their status reads) and
 * the **retired** v1 one (`createMask`, `createCutout`, `getDocumentManifest`, `hello`, …), marked
 * `@deprecated`. A retired call whose target is Adobe's own host rejects with
 * `RetiredOperationError` (naming the replacement) before anything is sent; against the emulator
 * or any other base URL it is sent as before.
 */
export interface PhotoshopClient extends PhotoshopCore {
  /** The openapi-fetch client for `photoshop.yaml`'s paths, sending through the client (auth, retry, user agent). */
  readonly raw: PhotoshopRawClient;
  /** The openapi-fetch client for `photoshop-current.yaml`'s paths, the same way. */
  readonly rawCurrent: PhotoshopCurrentRawClient;

  /**
   * `POST /v2/remove-background`: cuts out the subject (`mode: "cutout"`, default), makes its mask
   * (`"mask"`) or a layered PSD (`"psd"`). The result is hosted by Adobe: read its URL (and expiry)
   * with `jobOutputs(await job.wait())`.
   */
  removeBackground(body: RemoveBackgroundV2Request, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /**
   * `POST /sensei/cutout`, chosen when the body has `input`/`output` (the retired contract).
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "cutout" })`.
   */
  removeBackground(body: RemoveBackgroundRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /** `POST /v1/mask-objects`: one mask per detected object and background region. */
  maskObjects(body: MaskObjectsRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/mask-body-parts`: one mask per body part of the person in the image. */
  maskBodyParts(body: MaskBodyPartsRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/refine-mask`: a refined mask (or, with `colorDecontamination`, the refined cutout). */
  refineMask(body: RefineMaskRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v1/fill-masked-areas`: the image with the masked areas filled from their surroundings. */
  fillMaskedAreas(body: FillMaskedAreasRequest, options?: CallOptions): Promise<JobHandle<MaskingJobStatus>>;
  /** `POST /v2/edit` on the Photoshop API v2 host: Lightroom-style edits of one image, rendered to each output. */
  edit(body: EditRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `POST /v1/auto-crop` on `image.adobe.io` (polled on `/v2/status`): one crop around the subject per aspect ratio. */
  autoCrop(body: AutoCropRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `POST /v2/generate-manifest` on the Photoshop API v2 host: a document manifest job. */
  generateManifest(body: GenerateManifestRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `POST /v2/create-composite` on the Photoshop API v2 host: convert, create or edit a document and render its outputs. */
  createComposite(body: CreateCompositeRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `POST /v2/create-artboard` on the Photoshop API v2 host: one artboard per image in a new document. */
  createArtboard(body: CreateArtboardRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `POST /v2/execute-actions` on the Photoshop API v2 host: play actions, ActionJSON and a UXP script, and render the outputs. */
  executeActions(body: ExecuteActionsRequest, options?: CallOptions): Promise<JobHandle<V2JobStatus>>;
  /** `GET /v2/status/{jobId}` on `baseUrl`: one status read of a remove-background job. */
  getRemoveBackgroundStatus(jobId: string, options?: CallOptions): Promise<V2JobStatus>;
  /** `GET /v2/status/{jobId}` on the Photoshop API v2 host: one status read of a generate-manifest job. */
  getManifestStatus(jobId: string, options?: CallOptions): Promise<V2JobStatus>;
  /** `GET /v1/status/{jobId}`: one status read of a masking job. */
  getMaskingJobStatus(jobId: string, options?: CallOptions): Promise<MaskingJobStatus>;

  /**
   * `GET /pie/psdService/hello`: checks the credentials; resolves with Adobe's greeting.
   *
   * @deprecated Retired by Adobe on 2026-07-31 with the Photoshop API v1, without a successor.
   */
  hello(options?: CallOptions): Promise<string>;
  /**
   * `POST /sensei/mask`: starts a mask job.
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "mask" })`.
   */
  createMask(body: CreateMaskRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /**
   * `POST /sensei/cutout`: starts a background-removal job (the retired `removeBackground`).
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `removeBackground({ image, mode: "cutout" })`.
   */
  createCutout(body: RemoveBackgroundRequest, options?: CallOptions): Promise<JobHandle<SenseiJobStatus>>;
  /**
   * `POST /pie/psdService/documentManifest`: starts a document manifest job.
   *
   * @deprecated Retired by Adobe on 2026-07-31: use `generateManifest({ image, outputs })`.
   */
  getDocumentManifest(body: DocumentManifestRequest, options?: CallOptions): Promise<JobHandle<PsJobStatus>>;
  /**
   * `GET /sensei/status/{jobId}`: one status read of a mask or background-removal job.
   *
   * @deprecated Retired by Adobe on 2025-10-15: use `getRemoveBackgroundStatus(jobId)`.
   */
  getMaskStatus(jobId: string, options?: CallOptions): Promise<SenseiJobStatus>;
  /**
   * `GET /pie/psdService/status/{jobId}`: one status read of a psdService job.
   *
   * @deprecated Retired by Adobe on 2026-07-31: use `getManifestStatus(jobId)`.
   */
  getPsdStatus(jobId: string, options?: CallOptions): Promise<PsJobStatus>;
  /**
   * Polls any status URL (absolute, or relative to `baseUrl`) until the job is final. The URL must
   * be on `baseUrl`'s origin or the Photoshop API v2 host's: the token is never sent anywhere else.
   */
  waitForJob(statusUrl: string, options?: WaitOptions): Promise<JobStatus>;
}

/**
 * Creates the client with every operation as a method: the core client of `@psapi/client`'s
 * `createPhotoshopClient` (same options, same checks), each operation function bound to it, and
 * openapi-fetch clients (`raw`, `rawCurrent`) that send through it.
 *
 * @param options - See `PhotoshopClientOptions`.
 * @throws {TypeError} when an option is missing or invalid.
 * @example
 * const client = createPhotoshopClient({ auth: authFromEnv() });
 * const job = await client.maskObjects({ image: { source: { url } } });
 * const done = await job.wait({ timeoutMs: 120_000 });
 * @see ../README.md
 */
export function createPhotoshopClient(options: PhotoshopClientOptions): PhotoshopClient {
  const core = createCore(options);
  const fetch = (request: Request) => core.send(request);
  const raw = createClient<paths>({ baseUrl: core.baseUrl, fetch });
  const rawCurrent = createClient<currentPaths>({ baseUrl: core.baseUrl, fetch });
  const {
    removeBackground,
    createCutout,
    maskObjects,
    maskBodyParts,
    refineMask,
    fillMaskedAreas,
    edit,
    autoCrop,
    generateManifest,
    createComposite,
    createArtboard,
    executeActions,
    getRemoveBackgroundStatus,
    getManifestStatus,
    getMaskingJobStatus,
    hello,
    createMask,
    getDocumentManifest,
    getMaskStatus,
    getPsdStatus,
  } = operations;
  return {
    ...core,
    raw,
    rawCurrent,
    // The retired body has `input`; the current one `image`. Both are required by their schemas.
    removeBackground: ((
      body: RemoveBackgroundV2Request | RemoveBackgroundRequest,
      callOptions?: CallOptions,
    ) =>
      isRecord(body) && "input" in body
        ? createCutout(core, body as RemoveBackgroundRequest, callOptions)
        : removeBackground(
            core,
            body as RemoveBackgroundV2Request,
            callOptions,
          )) as PhotoshopClient["removeBackground"],
    maskObjects: (body, callOptions) => maskObjects(core, body, callOptions),
    maskBodyParts: (body, callOptions) => maskBodyParts(core, body, callOptions),
    refineMask: (body, callOptions) => refineMask(core, body, callOptions),
    fillMaskedAreas: (body, callOptions) => fillMaskedAreas(core, body, callOptions),
    edit: (body, callOptions) => edit(core, body, callOptions),
    autoCrop: (body, callOptions) => autoCrop(core, body, callOptions),
    generateManifest: (body, callOptions) => generateManifest(core, body, callOptions),
    createComposite: (body, callOptions) => createComposite(core, body, callOptions),
    createArtboard: (body, callOptions) => createArtboard(core, body, callOptions),
    executeActions: (body, callOptions) => executeActions(core, body, callOptions),
    getRemoveBackgroundStatus: (jobId, callOptions) => getRemoveBackgroundStatus(core, jobId, callOptions),
    getManifestStatus: (jobId, callOptions) => getManifestStatus(core, jobId, callOptions),
    getMaskingJobStatus: (jobId, callOptions) => getMaskingJobStatus(core, jobId, callOptions),
    hello: (callOptions) => hello(core, callOptions),
    createMask: (body, callOptions) => createMask(core, body, callOptions),
    createCutout: (body, callOptions) => createCutout(core, body, callOptions),
    getDocumentManifest: (body, callOptions) => getDocumentManifest(core, body, callOptions),
    getMaskStatus: (jobId, callOptions) => getMaskStatus(core, jobId, callOptions),
    getPsdStatus: (jobId, callOptions) => getPsdStatus(core, jobId, callOptions),
    waitForJob: (statusUrl, waitOptions) => waitForJob(core, statusUrl, waitOptions),
  };
}
