import type { components } from "@psapi/openapi-types/photoshop-current";
import type { Handler } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { bodyValidator } from "../http/openapi-validator.js";
import {
  ActionJsonError,
  executeActions,
  parseActionJson,
  uxpOf,
} from "../imaging/composite/actions/index.js";
import { crossFieldProblems, documentTitle, type Source, submitDocumentJob } from "./documents.js";
import { invalidRequest, readRequestBody } from "./request.js";

type Schemas = components["schemas"];
type Request = Schemas["ExecuteActionsRequest"];

/** Inline content types Adobe's guides accept: ActionJSON, and a UXP script. */
const ACTION_CONTENT_TYPE = "application/json";
const SCRIPT_CONTENT_TYPES = new Set(["application/javascript", "text/javascript"]);

/** Every file an execute-actions request names, with the JSON pointer of its `source`. */
function actionSources(body: Request): Source[] {
  const sources: Source[] = [];
  if ("source" in body.image) sources.push(["/image/source", body.image.source]);
  const { options } = body;
  for (const [i, action] of (options.actions ?? []).entries()) {
    if (!("content" in action.source)) sources.push([`/options/actions/${i}/source`, action.source]);
  }
  const uxp = uxpOf(body);
  if (uxp && !("content" in uxp.source)) sources.push(["/options/uxp/source", uxp.source]);
  for (const field of ["additionalContents", "brushes", "patterns"] as const) {
    for (const [i, item] of (options[field] ?? []).entries())
      sources.push([`/options/${field}/${i}/source`, item.source]);
  }
  for (const [i, font] of (options.fontOptions?.additionalFonts ?? []).entries()) {
    sources.push([`/options/fontOptions/additionalFonts/${i}/source`, font.source]);
  }
  return sources;
}

/**
 * What the schema cannot say about `options`, in Adobe's words where it has some: at least one of
 * `actions` and `uxp` (400), and inline ActionJSON that is a JSON array of commands (400); a
 * missing or wrong `contentType` on inline content (422, `Invalid contentType for inline action`).
 */
function optionProblems(body: Request): { malformed: string[]; invalid: string[] } {
  const malformed: string[] = [];
  const invalid: string[] = [];
  const actions = body.options.actions ?? [];
  const uxp = uxpOf(body);
  if (actions.length === 0 && !uxp)
    malformed.push("options: At least one of actions or uxp must be provided");
  for (const [i, action] of actions.entries()) {
    const at = `/options/actions/${i}/source`;
    if (!("content" in action.source)) continue;
    if (action.source.contentType !== ACTION_CONTENT_TYPE) {
      invalid.push(
        `${at}/contentType: Invalid contentType for inline action (inline ActionJSON is ${ACTION_CONTENT_TYPE})`,
      );
      continue;
    }
    try {
      parseActionJson(action.source.content);
    } catch (error) {
      if (!(error instanceof ActionJsonError)) throw error;
      malformed.push(`${at}/content ${error.message}`);
    }
  }
  if (uxp && "content" in uxp.source && !SCRIPT_CONTENT_TYPES.has(uxp.source.contentType ?? "")) {
    invalid.push(
      `/options/uxp/source/contentType: Invalid contentType for inline action (an inline UXP script is application/javascript)`,
    );
  }
  return { malformed, invalid };
}

/**
 * `POST /v2/execute-actions`: validated against the spec, then `options` (400 for a body that is
 * not what Adobe takes, 422 for a value it refuses), then Adobe's output rules (422), then every
 * file downloaded and checked (allow-list, size); the job plays the ActionJSON it can play for
 * real (imaging/composite/actions) and fails, naming it, on what it cannot.
 */
export function executeActionsRoute(ctx: EmulatorContext): Handler<EmulatorEnv> {
  const validate = bodyValidator("photoshop-current.yaml", "executeActions");
  return async (c) => {
    const body = await readRequestBody<Request>(c, validate, "v2");
    const { malformed, invalid } = optionProblems(body);
    if (malformed.length > 0) throw invalidRequest("v2", malformed, 400);
    return submitDocumentJob(ctx, c, body, {
      kind: "execute-actions",
      sources: actionSources(body),
      problems: [...invalid, ...crossFieldProblems(body)],
      title: documentTitle(body.image),
      run: (options) => executeActions(body, options),
    });
  };
}
