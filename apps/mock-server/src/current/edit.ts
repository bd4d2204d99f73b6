import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Handler } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { EDIT_CATEGORIES, EDIT_MAX_DIMENSION, editImage, editSources } from "../imaging/edit/index.js";
import { ImageDecodeError, inspectImage } from "../imaging/index.js";
import { RASTER_FORMATS } from "../imaging/input.js";
import { destinationProblems, submitDocumentJob } from "./documents.js";
import { invalidRequest, readRequestBody } from "./request.js";

type Schemas = components["schemas"];
type EditRequest = Schemas["EditRequest"];

/**
 * What the schema cannot say about an edit body (422 `validation_error`, every problem listed): a
 * category at the top level beside `edits` (the two forms mixed), a Creative Cloud destination (not in
 * the emulator), and an image output embedded as anything but base64; a Creative Cloud or
 * Lightroom source is refused by {@link submitDocumentJob} as on every document route.
 */
function editProblems(body: EditRequest): string[] {
  const problems: string[] = [];
  const top = body as Record<string, unknown>;
  if (body.edits) {
    // One form or the other: a top-level category beside `edits` would otherwise be ignored.
    for (const category of EDIT_CATEGORIES) {
      if (top[category] !== undefined) {
        problems.push(
          `/${category}: ${category} is given at the top level beside edits; send every adjustment under edits`,
        );
      }
    }
  }
  for (const [i, output] of body.outputs.entries()) {
    problems.push(...destinationProblems(`/outputs/${i}`, output, "application/rdf+xml"));
  }
  return problems;
}

/**
 * An image over the emulator's edit limit is refused from its header (422, as the other current
 * routes refuse oversize inputs); what else the header says (a PSD, a raw file, a corrupt image) is
 * left to the job, which fails it with the emulator's codes.
 */
async function refuseOversize(image: Uint8Array): Promise<void> {
  try {
    await inspectImage(image, { maxDimension: EDIT_MAX_DIMENSION, formats: RASTER_FORMATS });
  } catch (error) {
    if (!(error instanceof ImageDecodeError)) throw error;
    if (error.reason === "too-large")
      throw invalidRequest("v2", [`/image/source/url: ${error.message}`], 422);
  }
}

/**
 * `POST /v2/edit`: validated against the spec, then the rules above (422), then every file
 * downloaded (image, presets, XMP, masks: allow-list and size); the job applies the edits
 * (imaging/edit) and delivers each output as create-composite does (the caller's URL, hosted,
 * or embedded). What only the job can tell (an unreadable input, an XMP setting or feature the
 * emulator cannot apply) fails the job with `emulator_*` codes naming it.
 */
export function editRoute(ctx: EmulatorContext): Handler<EmulatorEnv> {
  const validate = bodyValidator("photoshop-current.yaml", "edit");
  return async (c) => {
    const body = await readRequestBody<EditRequest>(c, validate, "v2");
    return submitDocumentJob(ctx, c, body, {
      kind: "edit",
      sources: editSources(body),
      problems: editProblems(body),
      title: "edit",
      check: (options) => refuseOversize(options.files.get("/image/source") as Uint8Array),
      run: (options) => editImage(body, options.files),
    });
  };
}
