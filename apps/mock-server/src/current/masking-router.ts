import type { components } from "@psapi/openapi-types/photoshop-current";
import { Hono } from "hono";
import {
  type EmulatorContext,
  type EmulatorContextType,
  type EmulatorEnv,
  ownOrigins,
  publicOrigin,
} from "../context.js";
import { createGateway, createTrialQuota } from "../gateway/gateway.js";
import { GatewayError } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { type LabelledMask, MASKING_FORMATS, MASKING_MAX_DIMENSION } from "../imaging/index.js";
import { isPolledAt, statusJson, statusUrl } from "../jobs/job-views.js";
import type { CurrentJobKind, Job, MaskingJobResult, TaskContext } from "../jobs/jobs.js";
import { autoCropRoute } from "./auto-crop.js";
import { extensionOf, hostOutput, slug } from "./hosted.js";
import { checkMaskSizes, type InputRule, readImageInputs } from "./inputs.js";
import { readRequestBody } from "./request.js";
import { familyTask } from "./tasks.js";
import { maskingStatusBody } from "./views.js";

type Schemas = components["schemas"];

/** The validated body of each masking POST, by kind. */
interface MaskingRequests {
  "mask-objects": Schemas["MaskObjectsRequest"];
  "mask-body-parts": Schemas["MaskBodyPartsRequest"];
  "refine-mask": Schemas["RefineMaskRequest"];
  "fill-masked-areas": Schemas["FillMaskedAreasRequest"];
}

const RULE: InputRule = { maxDimension: MASKING_MAX_DIMENSION, formats: MASKING_FORMATS };

/** The masking kinds of job, polled on `/v1/status`. */
type MaskingKind = keyof MaskingRequests & CurrentJobKind;

/** One masking operation: its spec operation and its work, given its validated body and inputs. */
interface Operation<K extends MaskingKind> {
  operationId: string;
  run: (
    job: Job,
    body: MaskingRequests[K],
    inputs: Inputs,
    context: TaskContext,
  ) => Promise<MaskingJobResult>;
}

/** `[JSON pointer, url]` of every input of a masking body, the image first. */
function sourcesOf(body: MaskingRequests[MaskingKind]): [string, string][] {
  const sources: [string, string][] = [["/image/source/url", body.image.source.url]];
  if ("masks" in body) {
    for (const [i, mask] of body.masks.entries()) sources.push([`/masks/${i}/source/url`, mask.source.url]);
  } else if ("mask" in body) {
    sources.push(["/mask/source/url", body.mask.source.url]);
  }
  return sources;
}

/** The inputs of one masking job, read when the POST arrived. */
interface Inputs {
  image: Uint8Array;
  masks: Uint8Array[];
}

/** 202: `{jobId, statusUrl}` (the v1 reference) and `_links.self.href` (the create-mask guide). */
function accepted(job: Job): Schemas["JobAccepted"] {
  const href = statusUrl(job);
  return { jobId: job.id, statusUrl: href, _links: { self: { href } } };
}

/**
 * `/v1`: mask-objects, mask-body-parts, refine-mask, fill-masked-areas and `/v1/status`, behind
 * the gateway, in the current contract's masking shapes (`{error_code, message}` with the masking
 * guide's codes). Every input (image and masks) is checked against the allow-list and read when
 * the POST arrives: JPEG or PNG, at most 4000 × 4000 px, else 400 `input_validation_error`.
 * Every result is hosted in the emulator's storage behind a pre-signed GET URL.
 */
export function createMaskingRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  router.use("*", createGateway(ctx));
  // Every submission counts against the trial quota, as on the retired contract (a 202 keeps it);
  // route by route, so that the 405s of other paths do not list POST.
  const quota = createTrialQuota(ctx);

  /** Stores one mask result and describes it as the status lists it. */
  const hostMask = (
    job: Job,
    signal: AbortSignal,
    name: string,
    mask: LabelledMask,
  ): Schemas["RegionMask"] => ({
    label: mask.label,
    score: mask.score,
    boundingBox: mask.boundingBox,
    destination: { url: hostOutput(ctx, job, name, mask.mask, "image/png", signal) },
    mediaType: "image/png",
  });

  const operations: { [K in MaskingKind]: Operation<K> } = {
    "mask-objects": {
      operationId: "maskObjects",
      async run(job, _body, { image }, { signal, work }) {
        const found = await work(() => ctx.imaging.maskObjects(image));
        return {
          semanticMasks: found.semanticMasks.map((m, i) => hostMask(job, signal, `semantic-${i}.png`, m)),
          backgroundMasks: found.backgroundMasks.map((m, i) =>
            hostMask(job, signal, `background-${i}.png`, m),
          ),
        };
      },
    },
    "mask-body-parts": {
      operationId: "maskBodyParts",
      async run(job, body, { image, masks }, { signal, work }) {
        const parts = await work(() =>
          ctx.imaging.maskBodyParts(image, masks[0] as Uint8Array, {
            granular: body.useGranularLabels ?? false,
          }),
        );
        return { masks: parts.map((m) => hostMask(job, signal, `${slug(m.label)}.png`, m)) };
      },
    },
    "refine-mask": {
      operationId: "refineMask",
      async run(job, body, { image, masks }, { signal, work }) {
        const decontaminate = body.colorDecontamination ?? false;
        const refined = await work(() =>
          ctx.imaging.refineMask(image, masks[0] as Uint8Array, { colorDecontamination: decontaminate }),
        );
        const name = decontaminate ? "refined-image" : "refined-mask";
        const result = {
          destination: { url: hostOutput(ctx, job, `${name}.png`, refined.bytes, refined.mediaType, signal) },
          mediaType: refined.mediaType,
          boundingBox: refined.boundingBox,
        };
        return decontaminate ? { image: result } : { mask: result };
      },
    },
    "fill-masked-areas": {
      operationId: "fillMaskedAreas",
      async run(job, _body, { image, masks }, { signal, work }) {
        const filled = await work(() => ctx.imaging.fillMaskedAreas(image, masks));
        const name = `filled.${extensionOf(filled.mediaType)}`;
        return {
          image: {
            destination: { url: hostOutput(ctx, job, name, filled.bytes, filled.mediaType, signal) },
            mediaType: filled.mediaType,
          },
        };
      },
    },
  };

  /** `POST /v1/<kind>`: validate, read every input, submit the job. */
  const route = <K extends MaskingKind>(kind: K) => {
    const operation: Operation<K> = operations[kind];
    const validate = bodyValidator("photoshop-current.yaml", operation.operationId);
    router.post(`/${kind}`, quota, async (c: EmulatorContextType) => {
      const body = await readRequestBody<MaskingRequests[K]>(c, validate, "masking");
      const sources = sourcesOf(body);
      const read = await readImageInputs(ctx, c, "masking", sources, RULE);
      // mask-body-parts' mask is the person's, refine-mask's and fill's the areas: each of the image.
      if (kind !== "mask-objects") checkMaskSizes("masking", sources, read.sizes);
      const [image, ...masks] = read.inputs;
      const inputs: Inputs = { image: image as Uint8Array, masks };
      const task = familyTask(ctx, "masking", (context) => operation.run(context.job, body, inputs, context));
      const job = ctx.jobs.submit(kind, c.get("clientId"), body, publicOrigin(ctx, c), ownOrigins(ctx, c), {
        task,
        heldBytes: read.heldBytes,
      });
      return c.json(accepted(job), 202);
    });
  };
  route("mask-objects");
  route("mask-body-parts");
  route("refine-mask");
  route("fill-masked-areas");
  // Auto-crop lives on this host under /v1 but answers in the v2 family and is polled on /v2/status.
  router.post("/auto-crop", quota, autoCropRoute(ctx));

  router.get("/status/:jobId", (c) => {
    const job = ctx.jobs.get(c.req.param("jobId"), c.get("clientId"));
    if (!job || !isPolledAt(job, "/v1/status/"))
      throw new GatewayError(404, "unknown_job_id", "Job not found");
    return c.body(statusJson(job, maskingStatusBody), 200, { "content-type": "application/json" });
  });

  return router;
}
