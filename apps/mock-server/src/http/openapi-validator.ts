import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

/** One validation issue, as ajv reports it (plus `dataPath`, the dotted form older ajv and Adobe's service used). */
export type ValidationIssue = ErrorObject & { dataPath: string };

/** Validates a request body; returns the issues, or `undefined` when it is valid. */
export type BodyValidator = (body: unknown) => ValidationIssue[] | undefined;

/** The spec files of `@psapi/openapi` the emulator reads. */
export type SpecName = "photoshop.yaml" | "photoshop-current.yaml" | "emulator.yaml";

/** An OpenAPI operation, as far as the emulator reads it. */
export interface SpecOperation {
  operationId?: string;
  requestBody?: { $ref?: string };
  responses?: Record<string, { $ref?: string }>;
}

/** A parsed spec registered with its own ajv instance, under `id`. */
export interface LoadedSpec {
  ajv: Ajv2020;
  id: string;
  /** JSON pointer of each operation by operationId, e.g. `/paths/~1sensei~1mask/post`. */
  operations: Map<string, { pointer: string; operation: SpecOperation }>;
}

// ajv-formats is CommonJS with a default export; under NodeNext its namespace import is the function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/*
 * Compiled validators are pure functions of the spec file, so one cache per process is safe (and
 * saves compiling on every createEmulator call). Nothing stateful lives here.
 */
const specs = new Map<SpecName, LoadedSpec>();
const validators = new Map<string, BodyValidator>();

/** Escapes one JSON-pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Parses a bundled spec of `@psapi/openapi` and registers it with a JSON Schema 2020-12 ajv
 * instance (OpenAPI 3.1 schemas are 2020-12), once per process.
 *
 * @throws Error when the spec file cannot be read or parsed.
 */
export function loadSpec(name: SpecName): LoadedSpec {
  const cached = specs.get(name);
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve(`@psapi/openapi/${name}`);
  const document = parse(readFileSync(file, "utf8")) as {
    paths?: Record<string, Record<string, SpecOperation>>;
  };
  const id = `https://psapi.local/openapi/${name}`;
  // strict: false because OpenAPI adds keywords JSON Schema does not know (example, discriminator, xml).
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(document as object, id);
  const operations = new Map<string, { pointer: string; operation: SpecOperation }>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation?.operationId !== "string") continue;
      operations.set(operation.operationId, {
        pointer: `/paths/${escapePointer(path)}/${method}`,
        operation,
      });
    }
  }
  const spec = { ajv, id, operations };
  specs.set(name, spec);
  return spec;
}

/**
 * The JSON pointer of a request body or response's `application/json` schema. A shared request
 * body or response is a `$ref`, which a JSON pointer cannot walk through, so it is followed here.
 */
export function jsonSchemaPointer(ref: string | undefined, inline: string): string {
  return `${ref?.startsWith("#/") ? ref.slice(1) : inline}/content/application~1json/schema`;
}

function toDataPath(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("");
}

/**
 * The request-body validator of one operation of a bundled spec (`@psapi/openapi`), compiled on
 * first use and cached for the process.
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
  const loaded = loadSpec(spec);
  const found = loaded.operations.get(operationId);
  if (!found) throw new Error(`[@psapi/mock-server] ${spec} has no operation ${operationId}`);
  const pointer = jsonSchemaPointer(found.operation.requestBody?.$ref, `${found.pointer}/requestBody`);
  let compiled: ValidateFunction;
  try {
    compiled = loaded.ajv.compile({ $ref: `${loaded.id}#${pointer}` });
  } catch (cause) {
    throw new Error(`[@psapi/mock-server] ${spec} ${operationId}: no usable JSON request schema`, { cause });
  }
  const validator: BodyValidator = (body) => {
    if (compiled(body)) return undefined;
    return (compiled.errors ?? []).map((error) => ({ ...error, dataPath: toDataPath(error.instancePath) }));
  };
  validators.set(cacheKey, validator);
  return validator;
}
