import { jsonSchemaPointer, loadSpec, type SpecName } from "../http/openapi-validator.js";

/**
 * Checks a response body against the schema a bundled spec gives for an operation and status.
 * Test-only: the emulator itself validates requests.
 */
export function responseChecker(spec: SpecName) {
  const { ajv, id, operations } = loadSpec(spec);
  return (operationId: string, status: number, body: unknown): string[] => {
    const found = operations.get(operationId);
    if (!found) return [`no operation ${operationId}`];
    const response = found.operation.responses?.[String(status)];
    if (!response) return [`${operationId} documents no ${status}`];
    const pointer = jsonSchemaPointer(response.$ref, `${found.pointer}/responses/${status}`);
    const validate = ajv.compile({ $ref: `${id}#${pointer}` });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
