import { isRecord } from "@psapi/core";
import { createSpecSet, type SpecDocument } from "@psapi/openapi";

/** A JSON Schema with every `$ref` inlined (a cycle is cut to `{}` at a fixed depth). */
export type Schema = Record<string, unknown>;

/** A parameter of an operation, its schema inlined. */
export interface FuzzParameter {
  readonly name: string;
  readonly in: "path" | "query" | "header" | "cookie";
  readonly required: boolean;
  readonly schema: Schema;
}

/** A security scheme an operation requires: a bearer token, or an API key in a header. */
export type SecurityScheme =
  | { readonly type: "bearer" }
  | { readonly type: "apiKey"; readonly header: string };

/** One operation of the spec, as the fuzzer needs it: where it lives, what it takes, who may call it. */
export interface FuzzOperation {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The full templated path, the server's base path included, e.g. `/sensei/status/{jobId}`. */
  readonly template: string;
  readonly operationId: string | undefined;
  /** The document's file name, e.g. `ims.yaml`. */
  readonly document: string;
  readonly parameters: readonly FuzzParameter[];
  /** Request bodies by media type, schemas inlined; empty when the operation takes none. */
  readonly bodies: readonly { readonly mediaType: string; readonly schema: Schema }[];
  /** The security schemes of the first requirement (empty: open). */
  readonly security: readonly SecurityScheme[];
}

const MAX_REF_DEPTH = 8;

/**
 * Every operation of the given OpenAPI documents, with parameters, request bodies and security
 * resolved: the fuzzer is driven by this list alone, so a route added to the spec is fuzzed from
 * then on without touching the fuzzer.
 *
 * @param documents The documents (`loadPsapiSpecs()`); `$ref`s between them resolve against their ids.
 * @returns The operations, in document order.
 * @throws When a `$ref` cannot be resolved.
 * @example
 * const operations = specOperations(loadPsapiSpecs());
 * @see https://spec.openapis.org/oas/v3.1.0#operation-object
 */
export function specOperations(documents: readonly SpecDocument[]): FuzzOperation[] {
  // @psapi/openapi walks the documents and inlines the `$ref`s (a recursive schema cut at a depth).
  const specs = createSpecSet(documents);
  return specs.operations().flatMap((found): FuzzOperation[] => {
    const { documentId: id, template, method } = found;
    const root = specs.root(id);
    const document = root.value;
    if (!isRecord(document)) return [];
    const servers = Array.isArray(document.servers) ? document.servers : [];
    const server = isRecord(servers[0]) && typeof servers[0].url === "string" ? servers[0].url : "/";
    const basePath = new URL(server, "http://base.invalid").pathname.replace(/\/+$/, "");
    const name = id.slice(id.lastIndexOf("/") + 1);
    const item = specs.inline(found.pathItem, MAX_REF_DEPTH);
    const operation = specs.inline(found.node, MAX_REF_DEPTH);
    if (!isRecord(item) || !isRecord(operation)) return [];
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    const own = Array.isArray(operation.parameters) ? operation.parameters : [];
    const parameters = new Map<string, FuzzParameter>();
    for (const parameter of [...shared, ...own]) {
      if (!isRecord(parameter) || typeof parameter.name !== "string") continue;
      parameters.set(`${parameter.in}:${parameter.name}`, {
        name: parameter.name,
        in: parameter.in as FuzzParameter["in"],
        required: parameter.required === true,
        schema: isRecord(parameter.schema) ? parameter.schema : {},
      });
    }
    const content = isRecord(operation.requestBody) ? operation.requestBody.content : undefined;
    const bodies = isRecord(content)
      ? Object.entries(content).map(([mediaType, media]) => ({
          mediaType,
          schema: isRecord(media) && isRecord(media.schema) ? media.schema : {},
        }))
      : [];
    const security = Array.isArray(operation.security) ? operation.security : document.security;
    const first = Array.isArray(security) && isRecord(security[0]) ? Object.keys(security[0]) : [];
    const securitySchemes = specs.child(root, "components", "securitySchemes");
    const schemes = securitySchemes ? specs.inline(securitySchemes, MAX_REF_DEPTH) : {};
    return [
      {
        method: method.toUpperCase(),
        template: `${basePath}${template}`,
        operationId: found.operationId,
        document: name,
        parameters: [...parameters.values()],
        bodies,
        security: first.flatMap((scheme): SecurityScheme[] => {
          const definition = isRecord(schemes) ? schemes[scheme] : undefined;
          if (!isRecord(definition)) return [];
          if (
            definition.type === "apiKey" &&
            definition.in === "header" &&
            typeof definition.name === "string"
          )
            return [{ type: "apiKey", header: definition.name.toLowerCase() }];
          return definition.type === "http" && definition.scheme === "bearer" ? [{ type: "bearer" }] : [];
        }),
      },
    ];
  });
}
