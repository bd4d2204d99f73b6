import type { ErrorObject } from "ajv/dist/2020.js";
import { createSpecSet, type SpecNode, type SpecOperation, type SpecSet } from "./spec-set.js";
import type { SpecDocument } from "./specs.js";

// A local copy of core's `isRecord`: this package imports no psapi package.
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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

interface Route {
  readonly regex: RegExp;
  readonly template: string;
  readonly templateParams: number;
  readonly methods: ReadonlyMap<string, SpecOperation>;
  readonly documentId: string;
}

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
  // The one way psapi reads its specs (@psapi/openapi): one Ajv set-up, Reference Objects followed
  // by one walker, each schema compiled where it is written.
  const specs = createSpecSet(documents);
  const routes = routesOf(specs).sort((a, b) => a.templateParams - b.templateParams);
  const child = (node: SpecNode | undefined, key: string) => (node ? specs.child(node, key) : undefined);

  // Compile every response and header schema now, once: a broken spec fails here, not mid-suite.
  for (const route of routes) {
    for (const operation of route.methods.values()) {
      for (const [, response] of specs.children(child(operation.node, "responses"))) {
        for (const [, holder] of [
          ...specs.children(child(response, "content")),
          ...specs.children(child(response, "headers")),
        ]) {
          const schema = child(holder, "schema");
          if (schema) specs.validator(schema);
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
      return {
        route,
        operation,
        matched: {
          operationId: operation.operationId,
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
    const responses = child(found.operation.node, "responses");
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
    if (!content || !isRecord(content.value) || Object.keys(content.value).length === 0) {
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
    const validate = specs.validator(schema);
    if (!validate(body))
      add(`body does not match ${declaredType} schema: ${formatAjvErrors(validate.errors)}`);
    return violations;
  }

  function checkHeaders(declared: SpecNode, headers: Headers, add: (problem: string) => void) {
    const declaredHeaders = child(declared, "headers");
    if (!declaredHeaders || !isRecord(declaredHeaders.value)) return;
    for (const name of Object.keys(declaredHeaders.value)) {
      const header = child(declaredHeaders, name);
      if (!header || !isRecord(header.value)) continue;
      const value = headers.get(name);
      if (value === null) {
        if (header.value.required === true) add(`required header ${name} is missing`);
        continue;
      }
      const schema = child(header, "schema");
      if (!schema || !isRecord(schema.value)) continue;
      // Header values are strings on the wire; numeric schemas describe the number they spell.
      const numeric = schema.value.type === "integer" || schema.value.type === "number";
      const candidate = numeric && value.trim() !== "" ? Number(value) : value;
      const validate = specs.validator(schema);
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
          return {
            method: method.toUpperCase(),
            operationId: operation.operationId,
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

function routesOf(specs: SpecSet): Route[] {
  for (const { id, document } of specs.documents) {
    if (!isRecord(document) || !isRecord(document.paths)) {
      throw new Error(`[@psapi/tests] ${id} has no paths object`);
    }
  }
  const byTemplate = new Map<
    string,
    { documentId: string; template: string; methods: Map<string, SpecOperation> }
  >();
  for (const operation of specs.operations()) {
    const key = `${operation.documentId} ${operation.template}`;
    let route = byTemplate.get(key);
    if (!route) {
      route = { documentId: operation.documentId, template: operation.template, methods: new Map() };
      byTemplate.set(key, route);
    }
    route.methods.set(operation.method, operation);
  }
  return [...byTemplate.values()].map(({ documentId, template, methods }) => {
    const document = specs.root(documentId).value;
    const servers = isRecord(document) && Array.isArray(document.servers) ? document.servers : [];
    const firstServer = isRecord(servers[0]) && typeof servers[0].url === "string" ? servers[0].url : "/";
    const basePath = new URL(firstServer, "http://base.invalid").pathname.replace(/\/+$/, "");
    const parts = `${basePath}${template}`.split(/(\{[^}]+\})/);
    const source = parts
      .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    return {
      regex: new RegExp(`^${source}$`),
      template,
      templateParams: parts.filter((part) => /^\{[^}]+\}$/.test(part)).length,
      methods,
      documentId,
    };
  });
}
