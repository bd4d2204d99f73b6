import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { SpecDocument } from "./specs.js";

// ajv-formats is CommonJS with a default export; under NodeNext its namespace import is the function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/**
 * OpenAPI's own format names, which Ajv does not know. They describe the encoding of a value (an
 * `int64`, `binary` bytes), not a constraint on a JSON string, so every value passes.
 *
 * @see https://spec.openapis.org/oas/v3.1.0#data-types
 */
export const OPENAPI_FORMATS: readonly string[] = [
  "int32",
  "int64",
  "float",
  "double",
  "byte",
  "binary",
  "password",
];

/**
 * The one Ajv set-up of psapi, used by the example check, the emulator's request validation and
 * spec check, and the contract suite: JSON Schema 2020-12 (what OpenAPI 3.1 schemas are), every
 * error reported, `discriminator` honoured, JSON formats checked (ajv-formats) and OpenAPI's
 * encoding formats accepted. `strict` is off because OpenAPI adds keywords JSON Schema does not
 * know (`example`, `xml`, `externalDocs`, `x-*`). Each document is registered under its `id`, so a
 * schema inside it compiles by reference: `ajv.compile({ $ref: `${id}#/components/schemas/Job` })`.
 *
 * @param documents The OpenAPI documents to register (see `loadSpec`).
 * @returns A fresh Ajv instance.
 * @throws Error when two documents share an `id`.
 * @example
 * const ajv = createAjv([loadSpec("photoshop.yaml")]);
 */
export function createAjv(documents: readonly SpecDocument[] = []): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true });
  addFormats(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  for (const { id, document } of documents) ajv.addSchema(document as object, id);
  return ajv;
}
