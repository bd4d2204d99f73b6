import {
  createSpecSet,
  type ErrorObject,
  loadSpec,
  pointerTokens,
  type SpecName,
  type SpecOperation,
  type SpecSet,
} from "@psapi/openapi";

/** One validation issue, as ajv reports it (plus `dataPath`, the dotted form older ajv and Adobe's service used). */
export type ValidationIssue = ErrorObject & { dataPath: string };

/** Validates a request body; returns the issues, or `undefined` when it is valid. */
export type BodyValidator = (body: unknown) => ValidationIssue[] | undefined;

/** A spec of `@psapi/openapi` as the emulator reads it: its `SpecSet` and its operations by operationId. */
export interface IndexedSpec {
  specs: SpecSet;
  operations: Map<string, SpecOperation>;
}

/*
 * Compiled validators are pure functions of the spec file, so one cache per process is safe (and
 * saves compiling on every createEmulator call). Nothing stateful lives here.
 */
const indexed = new Map<SpecName, IndexedSpec>();
const validators = new Map<string, BodyValidator>();

/**
 * A spec of `@psapi/openapi` (`loadSpec`) in its own `SpecSet` (the one Ajv set-up and `$ref`
 * handling psapi uses everywhere), with its operations indexed by operationId; once per process.
 *
 * @throws Error when the spec file cannot be read or parsed.
 */
export function indexSpec(name: SpecName): IndexedSpec {
  const cached = indexed.get(name);
  if (cached) return cached;
  const specs = createSpecSet([loadSpec(name)]);
  const operations = new Map<string, SpecOperation>();
  for (const operation of specs.operations()) {
    if (operation.operationId !== undefined) operations.set(operation.operationId, operation);
  }
  const spec = { specs, operations };
  indexed.set(name, spec);
  return spec;
}

/** `/input/0/href` → `.input[0].href`: the dotted path older ajv and Adobe's service reported. */
function toDataPath(instancePath: string): string {
  return pointerTokens(instancePath)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("");
}

/**
 * The request-body validator of one operation of a bundled spec (`@psapi/openapi`), compiled on
 * the first body it checks and cached for the process.
 *
 * @param spec - which spec file.
 * @param operationId - the operation whose `application/json` request body to validate.
 * @throws Error when the spec has no such operation or it has no JSON request body.
 * @example
 * const validate = bodyValidator("photoshop.yaml", "createMask");
 * validate({}) // [{ keyword: "required", ... }]
 */
export function bodyValidator(spec: SpecName, operationId: string): BodyValidator {
  const cacheKey = `${spec}#${operationId}`;
  const cached = validators.get(cacheKey);
  if (cached) return cached;
  const { specs, operations } = indexSpec(spec);
  const found = operations.get(operationId);
  if (!found) throw new Error(`[@psapi/mock-server] ${spec} has no operation ${operationId}`);
  const schema = specs.child(found.node, "requestBody", "content", "application/json", "schema");
  if (!schema) {
    throw new Error(`[@psapi/mock-server] ${spec} ${operationId}: no usable JSON request schema`, {
      cause: new Error("no application/json request body"),
    });
  }
  // Compiled on the first body it checks, not when a router is built: compiling every route's
  // schema made each emulator start (and so each `psapi` command on the embedded emulator) spend
  // about 0.7 s in Ajv for routes the command never calls. The schema's presence is still checked
  // here, at start-up; the spec tests compile every schema.
  let compiled: ReturnType<SpecSet["validator"]> | undefined;
  const validator: BodyValidator = (body) => {
    if (compiled === undefined) {
      try {
        compiled = specs.validator(schema);
      } catch (cause) {
        throw new Error(`[@psapi/mock-server] ${spec} ${operationId}: no usable JSON request schema`, {
          cause,
        });
      }
    }
    if (compiled(body)) return undefined;
    return (compiled.errors ?? []).map((error) => ({ ...error, dataPath: toDataPath(error.instancePath) }));
  };
  validators.set(cacheKey, validator);
  return validator;
}
