import type { SpecName } from "@psapi/openapi";
import { indexSpec } from "../http/openapi-validator.js";

/**
 * Checks a response body against the schema a bundled spec gives for an operation and status.
 * Test-only: the emulator itself validates requests.
 */
export function responseChecker(spec: SpecName) {
  const { specs, operations } = indexSpec(spec);
  return (operationId: string, status: number, body: unknown): string[] => {
    const found = operations.get(operationId);
    if (!found) return [`no operation ${operationId}`];
    const response = specs.child(found.node, "responses", String(status));
    if (!response) return [`${operationId} documents no ${status}`];
    const schema = specs.child(response, "content", "application/json", "schema");
    if (!schema) return [`${operationId} ${status} has no application/json schema`];
    const validate = specs.validator(schema);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
