import type { components } from "@psapi/openapi-types/photoshop-current";
import { Hono } from "hono";
import { type EmulatorContext, type EmulatorEnv, ownOrigins, publicOrigin } from "../context.js";
import { createGateway, createTrialQuota } from "../gateway/gateway.js";
import { GatewayError } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { JPEG_QUALITY, PNG_LEVEL } from "../imaging/composite/outputs.js";
import {
  DEFAULT_IMAGE_LIMITS,
  REMOVE_BACKGROUND_FORMATS,
  REMOVE_BACKGROUND_MAX_DIMENSION,
} from "../imaging/index.js";
import { type ManifestExtrasOptions, readManifestExtras } from "../imaging/manifest-extras.js";
import { type ManifestV2Layer, toManifestV2 } from "../imaging/manifest-v2.js";
import { isPolledAt, statusJson, statusUrl } from "../jobs/job-views.js";
import { fileName, type Job } from "../jobs/jobs.js";
import { createArtboardRoute, createCompositeRoute } from "./documents.js";
import { editRoute } from "./edit.js";
import { executeActionsRoute } from "./execute-actions.js";
import { extensionOf, HOSTED_VALIDITY_SECONDS, hostOutput } from "./hosted.js";
import { readImageInputs } from "./inputs.js";
import { readRequestBody } from "./request.js";
import { familyTask } from "./tasks.js";
import { v2StatusBody } from "./views.js";

type Schemas = components["schemas"];

/** The id prefix of remove-background jobs: Adobe's are URNs (`urn:ff:jobs:<tenant>:<uuid>`). */
export const REMOVE_BACKGROUND_ID_PREFIX = "urn:ff:jobs:psapi:";

/** 202 `{jobId, statusUrl}`: the status URL on the emulator's own `/v2/status`. */
function accepted(job: Job): Schemas["JobAccepted"] {
  return { jobId: job.id, statusUrl: statusUrl(job) };
}

/** generate-manifest's thumbnail and XMP options, as {@link readManifestExtras} takes them. */
function extrasOptions(body: Schemas["GenerateManifestRequest"]): ManifestExtrasOptions {
  const exportOptions = body.exportOptions;
  return {
    xmp: body.includeXmp === true,
    ...(body.includeLayerThumbnails && {
      thumbnails: {
        maxDepth: body.maximumThumbnailDepth ?? 0,
        // PNG when no format is asked for: thumbnails keep a layer's transparency.
        mediaType: exportOptions?.mediaType ?? "image/png",
        ...(exportOptions?.mediaType === "image/jpeg" &&
          exportOptions.quality !== undefined && { quality: JPEG_QUALITY[exportOptions.quality] }),
        ...(exportOptions?.mediaType === "image/png" &&
          exportOptions.compression !== undefined && { compression: PNG_LEVEL[exportOptions.compression] }),
        trim: body.trimToTransparency === true,
      },
    }),
  };
}

/**
 * `/v2`: remove-background, generate-manifest and their status, behind the gateway, in the
 * current contract's shapes (`openapi/photoshop-current.yaml`). Inputs are read when the POST
 * arrives (see ./inputs.ts); the work runs as a job; results are hosted in the emulator's storage
 * (remove-background, hosted manifests), embedded, or PUT to the caller's URL.
 */
export function createV2Router(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  router.use("*", createGateway(ctx));
  // Every submission counts against the trial quota, as on the retired contract (a 202 keeps it);
  // route by route, so that the 405s of other paths do not list POST.
  const quota = createTrialQuota(ctx);
  const validateRemoveBackground = bodyValidator("photoshop-current.yaml", "removeBackgroundV2");
  const validateManifest = bodyValidator("photoshop-current.yaml", "generateManifest");

  router.post("/remove-background", quota, async (c) => {
    const body = await readRequestBody<Schemas["RemoveBackgroundV2Request"]>(
      c,
      validateRemoveBackground,
      "v2",
    );
    const url = body.image.source.url;
    const { inputs, heldBytes } = await readImageInputs(ctx, c, "v2", [["/image/source/url", url]], {
      maxDimension: REMOVE_BACKGROUND_MAX_DIMENSION,
      formats: REMOVE_BACKGROUND_FORMATS,
    });
    const input = inputs[0] as Uint8Array;
    const task = familyTask(ctx, "v2", async ({ job, signal, work }) => {
      const output = await work(() =>
        ctx.imaging.removeBackground(input, {
          mode: body.mode ?? "cutout",
          mediaType: body.output?.mediaType,
          trim: body.trim ?? false,
          backgroundColor: body.backgroundColor,
          colorDecontamination: body.colorDecontamination ?? 1,
        }),
      );
      const name = `${body.mode ?? "cutout"}.${extensionOf(output.mediaType)}`;
      const href = hostOutput(ctx, job, name, output.bytes, output.mediaType, signal);
      return { outputs: [{ destination: { url: href }, mediaType: output.mediaType }] };
    });
    const job = ctx.jobs.submit(
      "remove-background",
      c.get("clientId"),
      body,
      publicOrigin(ctx, c),
      ownOrigins(ctx, c),
      { task, heldBytes, idPrefix: REMOVE_BACKGROUND_ID_PREFIX },
    );
    return c.json(accepted(job), 202);
  });

  router.post("/generate-manifest", quota, async (c) => {
    const body = await readRequestBody<Schemas["GenerateManifestRequest"]>(c, validateManifest, "v2");
    const source = body.image.source;
    if (!("url" in source)) {
      throw new GatewayError(
        422,
        "validation_error",
        "/image/source: Creative Cloud and Lightroom sources are not available in the emulator",
      );
    }
    if (body.extractSmartObjectData) {
      // Adobe names no field of the manifest for the extracted files: the emulator will not invent one.
      throw new GatewayError(
        422,
        "validation_error",
        "/extractSmartObjectData: extracting smart objects is not available in the emulator",
      );
    }
    for (const [i, output] of body.outputs.entries()) {
      if ("creativeCloudPath" in output.destination) {
        throw new GatewayError(
          422,
          "validation_error",
          `/outputs/${i}/destination: Creative Cloud destinations are not available in the emulator`,
        );
      }
    }
    const { inputs, heldBytes } = await readImageInputs(ctx, c, "v2", [["/image/source/url", source.url]]);
    const input = inputs[0] as Uint8Array;
    const title = fileName(source.url);
    const origins = ownOrigins(ctx, c);
    const task = familyTask(ctx, "v2", async ({ job, signal, work }) => {
      const manifest = toManifestV2(await work(() => ctx.imaging.readDocumentManifest(input, title)));
      const extras = await work(() => readManifestExtras(input, extrasOptions(body), DEFAULT_IMAGE_LIMITS));
      const byId = new Map(extras.thumbnails.map((thumbnail) => [thumbnail.layerId, thumbnail]));
      const attach = (layers: ManifestV2Layer[]) => {
        for (const layer of layers) {
          const thumbnail = byId.get(layer.id);
          if (thumbnail) {
            const name = `thumbnails/${layer.id}.${extensionOf(thumbnail.mediaType)}`;
            const url = hostOutput(ctx, job, name, thumbnail.bytes, thumbnail.mediaType, signal);
            layer.thumbnail = { mediaType: thumbnail.mediaType, url };
          }
          if (layer.children) attach(layer.children);
        }
      };
      attach(manifest.layers ?? []);
      if (extras.xmp !== undefined) manifest.xmp = extras.xmp;
      const json = JSON.stringify(manifest);
      const bytes = new TextEncoder().encode(json);
      const outputs: Schemas["JobOutput"][] = [];
      for (const [i, { destination }] of body.outputs.entries()) {
        if ("url" in destination) {
          await ctx.assets.upload({ href: destination.url }, bytes, "application/json", origins, signal);
          outputs.push({ destination: { url: destination.url }, mediaType: "application/json" });
        } else if ("embedded" in destination) {
          const content =
            destination.embedded === "json"
              ? manifest
              : destination.embedded === "base64"
                ? Buffer.from(json).toString("base64")
                : json;
          outputs.push({
            destination: { embedded: destination.embedded, content },
            mediaType: "application/json",
          });
        } else {
          const seconds =
            "validityPeriod" in destination ? destination.validityPeriod : HOSTED_VALIDITY_SECONDS;
          const href = hostOutput(ctx, job, `manifest-${i}.json`, bytes, "application/json", signal, seconds);
          outputs.push({ destination: { url: href }, mediaType: "application/json" });
        }
      }
      return { outputs };
    });
    const job = ctx.jobs.submit("generate-manifest", c.get("clientId"), body, publicOrigin(ctx, c), origins, {
      task,
      heldBytes,
    });
    return c.json(accepted(job), 202);
  });

  router.post("/create-composite", quota, createCompositeRoute(ctx));
  router.post("/create-artboard", quota, createArtboardRoute(ctx));
  router.post("/execute-actions", quota, executeActionsRoute(ctx));
  router.post("/edit", quota, editRoute(ctx));

  router.get("/status/:jobId", (c) => {
    const job = ctx.jobs.get(c.req.param("jobId"), c.get("clientId"));
    if (!job || !isPolledAt(job, "/v2/status/"))
      throw new GatewayError(404, "unknown_job_id", "Job not found");
    return c.body(statusJson(job, v2StatusBody), 200, { "content-type": "application/json" });
  });

  return router;
}
