import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { SpecDocument } from "./spec-documents.js";

/** One way in which a response broke the spec. `path` never carries a query string. */
export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly operationId: string | undefined;
  readonly problem: string;
}

/** The operation a request was routed to, as the spec declares it. */
export interface MatchedOperation {
  readonly operationId: string | undefined;
  /** The templated path as written in the spec, e.g. `/sensei/status/{jobId}`. */
  readonly template: string;
  readonly documentId: string;
}

/** Checks HTTP exchanges against a set of OpenAPI 3.1 documents. */
export interface ConformanceChecker {
  /** The declared operation for a method and URL, or `undefined` when the spec has none. */
  match(method: string, url: string | URL): MatchedOperation | undefined;
  /**
   * Every way `response` breaks the spec for the request it answers. Reads the response body, so
   * pass a clone when the caller still needs it.
   */
  check(request: { method: string; url: string | URL }, response: Response): Promise<Violation[]>;
  /** Every operation the documents declare, with its upper-case method. */
  operations(): readonly (MatchedOperation & { readonly method: string })[];
}

type Json = Record<string, unknown>;

interface Located {
  readonly value: unknown;
  readonly documentId: string;
  /** JSON pointer (RFC 6901) of `value` inside its document, so Ajv can compile it by reference. */
  readonly pointer: string;
}

interface Route {
  readonly regex: RegExp;
  readonly template: string;
  readonly templateParams: number;
  readonly methods: ReadonlyMap<string, Located>;
  readonly documentId: string;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/**
 * OpenAPI's own format names, which Ajv does not know. They describe the encoding of a value, not a
 * constraint on a JSON string, so every value passes.
 */
const OPENAPI_FORMATS = ["int32", "int64", "float", "double", "byte", "binary", "password"];

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const escapePointer = (token: string) => token.replace(/~/g, "~0").replace(/\//g, "~1");
const unescapePointer = (token: string) => token.replace(/~1/g, "/").replace(/~0/g, "~");

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
const mediaTypeOf = (contentType: string | null) =>
  (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

const isJsonMediaType = (mediaType: string) =>
  mediaType === "application/json" || mediaType.endsWith("+json");

const formatAjvErrors = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || "(root)"} ${error.message ?? error.keyword}`)
    .join("; ");

/**
 * Builds a checker over OpenAPI 3.1 documents: it routes a request to its declared operation
 * (literal paths before templated ones), then checks the response's status against the declared
 * codes (an `NXX` range or `default` only where the operation declares one), its media type and
 * body against the declared content and JSON Schema (2020-12, through Ajv), and the presence of
 * every header the response declares `required`. Each document's paths are taken relative to the
 * path of its first server URL. Every response and header schema is compiled once, here.
 *
 * @param documents The documents; `$ref`s between them resolve against their `id`s.
 * @returns The checker.
 * @throws When a document has no `paths` object, a `$ref` cannot be resolved or a schema does not compile.
 * @example
 * const checker = createConformanceChecker(loadPsapiSpecs());
 * const violations = await checker.check({ method: "GET", url }, response.clone());
 * @see https://spec.openapis.org/oas/v3.1.0#paths-object
 */
export function createConformanceChecker(documents: readonly SpecDocument[]): ConformanceChecker {
  // strictSchema is off because OpenAPI adds keywords Ajv does not know (`example`, `discriminator`,
  // `xml`, `externalDocs`, `x-*`); everything else stays strict.
  const ajv = new Ajv2020({
    allErrors: true,
    strictSchema: false,
    strictTypes: false,
    validateSchema: false,
  });
  addFormats.default(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  const byId = new Map<string, unknown>();
  for (const { id, document } of documents) {
    ajv.addSchema(document as Json, id);
    byId.set(id, document);
  }
  const validators = new Map<string, ValidateFunction>();
  const routes = documents.flatMap(routesOf).sort((a, b) => a.templateParams - b.templateParams);

  function resolve(located: Located, depth = 0): Located {
    const { value } = located;
    if (!isObject(value) || typeof value.$ref !== "string") return located;
    if (depth > 20) throw new Error(`[@psapi/tests] $ref cycle at ${located.documentId}#${located.pointer}`);
    const target = new URL(value.$ref, located.documentId);
    const documentId = target.href.replace(/#.*$/, "");
    const pointer = decodeURIComponent(target.hash.slice(1));
    let current = byId.get(documentId);
    for (const token of pointer.split("/").slice(1)) {
      current =
        isObject(current) || Array.isArray(current) ? (current as Json)[unescapePointer(token)] : undefined;
    }
    if (current === undefined)
      throw new Error(`[@psapi/tests] unresolvable $ref ${value.$ref} in ${located.documentId}`);
    return resolve({ value: current, documentId, pointer }, depth + 1);
  }

  function child(parent: Located, key: string): Located | undefined {
    if (!isObject(parent.value) || parent.value[key] === undefined) return undefined;
    return resolve({
      value: parent.value[key],
      documentId: parent.documentId,
      pointer: `${parent.pointer}/${escapePointer(key)}`,
    });
  }

  function validatorFor(schema: Located): ValidateFunction {
    const key = `${schema.documentId}#${schema.pointer}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({
        $ref: `${schema.documentId}#${schema.pointer.split("/").map(encodeURIComponent).join("/")}`,
      });
      validators.set(key, validate);
    }
    return validate;
  }

  // Compile every response and header schema now, once: a broken spec fails here, not mid-suite.
  const childrenOf = (parent: Located | undefined): Located[] =>
    parent && isObject(parent.value)
      ? Object.keys(parent.value).flatMap((key) => child(parent, key) ?? [])
      : [];
  for (const route of routes) {
    for (const operation of route.methods.values()) {
      for (const response of childrenOf(child(operation, "responses"))) {
        for (const holder of [
          ...childrenOf(child(response, "content")),
          ...childrenOf(child(response, "headers")),
        ]) {
          const schema = child(holder, "schema");
          if (schema) validatorFor(schema);
        }
      }
    }
  }

  function match(method: string, url: string | URL) {
    const path = new URL(url).pathname;
    for (const route of routes) {
      if (!route.regex.test(path)) continue;
      const operation = route.methods.get(method.toLowerCase());
      if (!operation) continue;
      const operationId = isObject(operation.value) ? operation.value.operationId : undefined;
      return {
        route,
        operation,
        matched: {
          operationId: typeof operationId === "string" ? operationId : undefined,
          template: route.template,
          documentId: route.documentId,
        },
      };
    }
    return undefined;
  }

  async function check(request: { method: string; url: string | URL }, response: Response) {
    const method = request.method.toUpperCase();
    const path = new URL(request.url).pathname;
    const status = response.status;
    const found = match(method, request.url);
    const violations: Violation[] = [];
    const add = (problem: string) =>
      violations.push({ method, path, status, operationId: found?.matched.operationId, problem });
    const bodyText =
      method === "HEAD"
        ? ""
        : await response.text().catch((error: unknown) => {
            add(`body could not be read: ${error instanceof Error ? error.message : String(error)}`);
            return "";
          });
    if (!found) {
      add("no operation in the spec declares this method and path");
      return violations;
    }
    const responses = child(found.operation, "responses");
    const declared =
      (responses && child(responses, String(status))) ??
      (responses &&
        (child(responses, `${String(status)[0]}XX`) ?? child(responses, `${String(status)[0]}xx`))) ??
      (responses && child(responses, "default"));
    if (!declared) {
      add(`status ${status} is not declared for ${found.matched.operationId ?? found.matched.template}`);
      return violations;
    }
    checkHeaders(declared, response.headers, add);
    const content = child(declared, "content");
    const mediaType = mediaTypeOf(response.headers.get("content-type"));
    if (!content || !isObject(content.value) || Object.keys(content.value).length === 0) {
      if (bodyText.length > 0) add(`a body (${mediaType || "no content-type"}) where the spec declares none`);
      return violations;
    }
    const declaredTypes = Object.keys(content.value);
    const declaredType = declaredTypes.find((candidate) => mediaTypeMatches(candidate, mediaType));
    if (!declaredType) {
      add(`content-type "${mediaType || "(none)"}" is not one of ${declaredTypes.join(", ")}`);
      return violations;
    }
    const schema = child(child(content, declaredType) ?? content, "schema");
    if (!schema || !(isJsonMediaType(mediaType) || mediaType.startsWith("text/"))) return violations;
    let body: unknown = bodyText;
    if (isJsonMediaType(mediaType)) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        add(`body is not valid JSON: ${JSON.stringify(bodyText.slice(0, 80))}`);
        return violations;
      }
    }
    const validate = validatorFor(schema);
    if (!validate(body))
      add(`body does not match ${declaredType} schema: ${formatAjvErrors(validate.errors)}`);
    return violations;
  }

  function checkHeaders(declared: Located, headers: Headers, add: (problem: string) => void) {
    const declaredHeaders = child(declared, "headers");
    if (!declaredHeaders || !isObject(declaredHeaders.value)) return;
    for (const name of Object.keys(declaredHeaders.value)) {
      const header = child(declaredHeaders, name);
      if (!header || !isObject(header.value)) continue;
      const value = headers.get(name);
      if (value === null) {
        if (header.value.required === true) add(`required header ${name} is missing`);
        continue;
      }
      const schema = child(header, "schema");
      if (!schema || !isObject(schema.value)) continue;
      // Header values are strings on the wire; numeric schemas describe the number they spell.
      const numeric = schema.value.type === "integer" || schema.value.type === "number";
      const candidate = numeric && value.trim() !== "" ? Number(value) : value;
      const validate = validatorFor(schema);
      if (!validate(candidate))
        add(`header ${name}: ${JSON.stringify(value)} ${formatAjvErrors(validate.errors)}`);
    }
  }

  return {
    match: (method, url) => match(method, url)?.matched,
    check,
    operations: () =>
      routes.flatMap((route) =>
        [...route.methods].map(([method, operation]) => {
          const operationId = isObject(operation.value) ? operation.value.operationId : undefined;
          return {
            method: method.toUpperCase(),
            operationId: typeof operationId === "string" ? operationId : undefined,
            template: route.template,
            documentId: route.documentId,
          };
        }),
      ),
  };
}

function mediaTypeMatches(declared: string, actual: string) {
  const [type, subtype] = declared.toLowerCase().split(";")[0]?.trim().split("/") ?? [];
  const [actualType, actualSubtype] = actual.split("/");
  if (type === "*") return true;
  return type === actualType && (subtype === "*" || subtype === actualSubtype);
}

function routesOf({ id, document }: SpecDocument): Route[] {
  if (!isObject(document) || !isObject(document.paths)) {
    throw new Error(`[@psapi/tests] ${id} has no paths object`);
  }
  const servers = Array.isArray(document.servers) ? document.servers : [];
  const firstServer = isObject(servers[0]) && typeof servers[0].url === "string" ? servers[0].url : "/";
  const basePath = new URL(firstServer, "http://base.invalid").pathname.replace(/\/+$/, "");
  return Object.entries(document.paths).flatMap(([template, item]) => {
    if (!isObject(item)) return [];
    const methods = new Map<string, Located>();
    for (const method of HTTP_METHODS) {
      if (item[method] !== undefined) {
        methods.set(method, {
          value: item[method],
          documentId: id,
          pointer: `/paths/${escapePointer(template)}/${method}`,
        });
      }
    }
    const parts = `${basePath}${template}`.split(/(\{[^}]+\})/);
    const source = parts
      .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    return [
      {
        regex: new RegExp(`^${source}$`),
        template,
        templateParams: parts.filter((part) => /^\{[^}]+\}$/.test(part)).length,
        methods,
        documentId: id,
      },
    ];
  });
}
