import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Handler } from "hono";
import { type EmulatorContext, type EmulatorEnv, ownOrigins, publicOrigin } from "../context.js";
import { bodyValidator } from "../http/openapi-validator.js";
import {
  type AspectRatio,
  AUTO_CROP_FORMATS,
  AUTO_CROP_MAX_DIMENSION,
  autoCrop,
} from "../imaging/auto-crop.js";
import { unsupported } from "../imaging/composite/errors.js";
import { statusUrl } from "../jobs/job-views.js";
import { extensionOf, hostOutput } from "./hosted.js";
import { readImageInputs } from "./inputs.js";
import { invalidRequest, readRequestBody } from "./request.js";
import { familyTask } from "./tasks.js";

type Schemas = components["schemas"];
type AutoCropRequest = Schemas["AutoCropRequest"];

/** The modes that crop by aspect ratio (the others detect). */
const CROPPING_MODES = new Set(["smartCrop", "subjectCrop"]);
/** The modes whose `focus` lists labels (required, non-empty). */
const FOCUS_MODES = new Set(["subjectCrop", "objectDetection"]);

const asList = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/**
 * Adobe's rules between auto-crop's fields, which its schema cannot say (422 `validation_error`,
 * every problem listed): `focus` required for subjectCrop and objectDetection and empty for the
 * others, `aspectRatio` only for the cropping modes, `zoom` never without `aspectRatio` and one
 * value per ratio.
 */
function autoCropProblems(body: AutoCropRequest): string[] {
  const problems: string[] = [];
  const focus = body.focus ?? [];
  if (FOCUS_MODES.has(body.mode) && focus.length === 0) {
    problems.push(`/focus: focus must list at least one label for mode ${body.mode}`);
  }
  if (!FOCUS_MODES.has(body.mode) && focus.length > 0) {
    problems.push(`/focus: focus must be empty for mode ${body.mode}`);
  }
  const ratios = asList(body.aspectRatio) ?? [];
  const zooms = asList(body.zoom);
  if (ratios.length > 0 && !CROPPING_MODES.has(body.mode)) {
    problems.push(
      `/aspectRatio: aspectRatio applies only to modes smartCrop and subjectCrop, not ${body.mode}`,
    );
  }
  if (zooms !== undefined && ratios.length === 0) {
    problems.push("/zoom: zoom needs aspectRatio");
  } else if (zooms !== undefined && Array.isArray(body.aspectRatio) && !Array.isArray(body.zoom)) {
    problems.push(`/zoom: with several aspect ratios zoom must be an array of ${ratios.length} values`);
  } else if (zooms !== undefined && zooms.length !== ratios.length) {
    problems.push(
      `/zoom: zoom must have one value per aspect ratio (${ratios.length}), it has ${zooms.length}`,
    );
  }
  return problems;
}

/** `16:9` → `16x9`, for file names. */
const ratioName = (ratio: AspectRatio) => ratio.replace(":", "x");

/**
 * `POST /v1/auto-crop` (on `image.adobe.io`, polled on `/v2/status`; errors in the v2 family):
 * validated against the spec, then Adobe's rules between fields (422), then the input read
 * (allow-list, JPEG/PNG/WebP, 6000 px: 422). The job runs `smartCrop` for real
 * (imaging/auto-crop.ts): one crop per ratio, hosted in the emulator's storage, and the
 * `AutoCropOutput` in `result.additionalFields.autoCrop`. The detection modes need a labelled
 * object detector and fail the job with `emulator_unsupported` naming the mode.
 */
export function autoCropRoute(ctx: EmulatorContext): Handler<EmulatorEnv> {
  const validate = bodyValidator("photoshop-current.yaml", "autoCrop");
  return async (c) => {
    const body = await readRequestBody<AutoCropRequest>(c, validate, "v2");
    const refused = autoCropProblems(body);
    if (refused.length > 0) throw invalidRequest("v2", refused, 422);
    const { inputs, heldBytes } = await readImageInputs(
      ctx,
      c,
      "v2",
      [["/image/source/url", body.image.source.url]],
      { maxDimension: AUTO_CROP_MAX_DIMENSION, formats: AUTO_CROP_FORMATS },
    );
    const input = inputs[0] as Uint8Array;
    const ratios: AspectRatio[] = asList(body.aspectRatio) ?? [];
    if (ratios.length === 0) ratios.push("1:1");
    const zooms = asList(body.zoom);
    const crops = ratios.map((ratio, i) => ({ ratio, zoom: zooms?.[i] }));
    const images = (body.outputType ?? "images") === "images";
    const task = familyTask(ctx, "v2", async ({ job, signal, work }) => {
      if (body.mode !== "smartCrop") {
        throw unsupported(
          "/mode",
          `auto-crop mode ${body.mode} (it needs a labelled object detector; the emulator runs smartCrop only)`,
        );
      }
      const found = await work(() => autoCrop(input, crops, { images }));
      const outputs: Schemas["JobOutput"][] = [];
      const boxes = found.crops.map((crop, i) => {
        if (!crop.image) return { boundingBoxes: [crop.box] };
        const name = `crop-${i}-${ratioName(ratios[i] as AspectRatio)}.${extensionOf(crop.image.mediaType)}`;
        const url = hostOutput(ctx, job, name, crop.image.bytes, crop.image.mediaType, signal);
        outputs.push({ destination: { url }, mediaType: crop.image.mediaType });
        return { boundingBoxes: [{ ...crop.box, url }] };
      });
      const warnings = ["smartCrop: the subject is found by the emulator's segmentation, not Adobe's model"];
      if (!found.found) warnings.push("smartCrop: no subject was found; the whole image is the subject");
      const autoCropOutput: Schemas["AutoCropOutput"] = {
        crops: boxes,
        subject: { boundingBoxes: [found.subject] },
        objects: [],
      };
      return { outputs, additionalFields: { autoCrop: autoCropOutput, emulator: { warnings } } };
    });
    const job = ctx.jobs.submit(
      "auto-crop",
      c.get("clientId"),
      body,
      publicOrigin(ctx, c),
      ownOrigins(ctx, c),
      {
        task,
        heldBytes,
      },
    );
    return c.json({ jobId: job.id, statusUrl: statusUrl(job) }, 202);
  };
}
