import type { EmulatorContextType } from "../context.js";
import { GatewayError } from "../http/errors.js";
import type { BodyValidator, ValidationIssue } from "../http/openapi-validator.js";
import { isJson } from "../http/request-body.js";
import { ERROR_CODES, type ErrorFamily } from "./family.js";

/** One schema issue as a sentence: `/mode must be equal to one of the allowed values: cutout, mask, psd`. */
function describe(issue: ValidationIssue): string {
  const where = issue.instancePath || "/";
  const allowed = (issue.params as { allowedValues?: unknown[] }).allowedValues;
  const extra = (issue.params as { additionalProperty?: string }).additionalProperty;
  if (allowed) return `${where} ${issue.message ?? "is invalid"}: ${allowed.join(", ")}`;
  if (extra) return `${where} must not have the property '${extra}'`;
  return `${where} ${issue.message ?? "is invalid"}`;
}

/** The 400 of a current-contract request that failed a check: `{error_code, message, errors?}`. */
export function invalidRequest(family: ErrorFamily, messages: readonly string[], status = 400): GatewayError {
  const code = ERROR_CODES[family].invalid;
  const [first = "Request body failed validation"] = messages;
  if (messages.length <= 1) return new GatewayError(status, code, first);
  return new GatewayError(
    status,
    code,
    "Request body failed validation",
    {},
    messages.map((message) => ({ error_code: code, message })),
  );
}

/**
 * Reads and validates a current-contract JSON body: 415 `invalid_content_type` unless the body
 * is JSON, 400 `invalid_json` when it does not parse, 400 `validation_error` (masking:
 * `input_validation_error`) when the schema refuses it, with every problem under `errors` when
 * there are several. ajv's `oneOf`/`anyOf` noise is dropped when a more precise issue exists.
 *
 * @throws GatewayError as above.
 */
export async function readRequestBody<T>(
  c: EmulatorContextType,
  validate: BodyValidator,
  family: ErrorFamily,
): Promise<T> {
  const text = await c.req.text();
  if (!isJson(c.req.header("content-type"))) {
    throw new GatewayError(
      415,
      "invalid_content_type",
      "Unsupported Content-Type: expected application/json",
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GatewayError(400, "invalid_json", "The request body is not valid JSON");
  }
  const issues = validate(body);
  if (issues) {
    const precise = issues.filter((issue) => issue.keyword !== "oneOf" && issue.keyword !== "anyOf");
    throw invalidRequest(family, [...new Set((precise.length > 0 ? precise : issues).map(describe))]);
  }
  return body as T;
}
