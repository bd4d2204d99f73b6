import type { EmulatorContextType } from "../context.js";
import { inputValidationError, issue, ServiceError } from "./errors.js";
import type { BodyValidator } from "./openapi-validator.js";

/** Whether a Content-Type names JSON (`application/json` or `application/*+json`). */
export function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/**
 * Reads a JSON request body and validates it: 415 `InvalidContentTypeError` unless the content
 * type is JSON, 400 `InputValidationError` for malformed JSON or a body the schema rejects (ajv's
 * issues under `reason`).
 *
 * @param emptyAs - value to use for an empty body (control routes whose body is optional).
 * @throws ServiceError as above.
 */
export async function readJsonBody<T>(
  c: EmulatorContextType,
  validate: BodyValidator,
  emptyAs?: unknown,
): Promise<T> {
  const text = await c.req.text();
  if (text.trim() === "" && emptyAs !== undefined) return emptyAs as T;
  if (!isJson(c.req.header("content-type"))) {
    throw new ServiceError(415, {
      type: "InvalidContentTypeError",
      code: 415,
      title: "Unsupported content type",
      details: [{ name: "Content-Type", reason: "Expected application/json" }],
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw inputValidationError("Request body is not valid JSON", [issue("", "json", "must be valid JSON")]);
  }
  const issues = validate(body);
  if (issues) throw inputValidationError("Request body failed validation", issues);
  return body as T;
}
