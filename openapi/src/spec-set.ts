import { append, get, nil, pointerSegments } from "@hyperjump/json-pointer";
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import { createAjv } from "./ajv.js";
import type { SpecDocument } from "./specs.js";

/**
 * A value at one place of a registered document, named by the absolute URI that `$ref`s and Ajv
 * use for it: the document's `id` and a JSON-pointer fragment, e.g.
 * `file:///…/photoshop.yaml#/paths/~1sensei~1mask/post`.
 */
export interface SpecNode {
  readonly value: unknown;
  readonly uri: string;
}

/** One operation of a registered document (a method of a path item). */
export interface SpecOperation {
  /** The `id` of the document that declares it. */
  readonly documentId: string;
  /** The path as written in the spec, e.g. `/sensei/status/{jobId}` (no server base path). */
  readonly template: string;
  /** Lower-case HTTP method, as the key in the path item. */
  readonly method: (typeof HTTP_METHODS)[number];
  readonly operationId: string | undefined;
  /** The operation object. */
  readonly node: SpecNode;
  /** The path item that holds it (its shared `parameters` apply too). */
  readonly pathItem: SpecNode;
}

/**
 * A set of OpenAPI documents read the one way psapi reads them: registered with one Ajv
 * (`createAjv`) under their ids, walked with every OpenAPI Reference Object followed, and each
 * schema validated by Ajv at the place it is written, so a schema's own `$ref`s (and `$ref` with
 * sibling keywords) keep JSON Schema's meaning.
 */
export interface SpecSet {
  /** The Ajv instance the documents are registered with. */
  readonly ajv: Ajv2020;
  /** The documents, as given. */
  readonly documents: readonly SpecDocument[];
  /**
   * The root of a registered document.
   *
   * @throws {RangeError} when no document has this id.
   */
  root(id: string): SpecNode;
  /**
   * What `node` stands for: when its value is a `$ref`, the value it points at (followed again
   * while that is a `$ref` too); otherwise `node` itself.
   *
   * @throws Error when a `$ref` cannot be resolved or the chain loops.
   */
  resolve(node: SpecNode): SpecNode;
  /**
   * The member reached by `keys` below `node`, each step's `$ref` followed, except that a
   * `schema` stays where it is written (Ajv resolves a schema's `$ref`, siblings included).
   *
   * @returns The member, or `undefined` when a step is absent.
   * @throws Error when a `$ref` on the way cannot be resolved.
   */
  child(node: SpecNode, ...keys: readonly (string | number)[]): SpecNode | undefined;
  /** Every member of an object or array node, as {@link SpecSet.child} gives it, in document order. */
  children(node: SpecNode | undefined): [string, SpecNode][];
  /** Every operation of every document, in document order. */
  operations(): readonly SpecOperation[];
  /**
   * The validator of the schema at `node`, compiled on first use and kept.
   *
   * @throws Error when the schema does not compile (a `$ref` Ajv cannot resolve, say).
   */
  validator(schema: SpecNode): ValidateFunction;
  /**
   * A copy of `node`'s value with every `$ref` replaced by what it points at, for code that walks a
   * schema as plain data (the fuzzer). A `$ref` more than `maxRefDepth` hops deep (a recursive
   * schema) becomes `{}`; sibling keywords of a `$ref` are dropped.
   */
  inline(node: SpecNode, maxRefDepth?: number): unknown;
}

/** The HTTP methods an OpenAPI path item may hold, in the order the spec lists them. */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const MAX_REF_CHAIN = 20;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isContainer = (value: unknown): value is Json | unknown[] =>
  typeof value === "object" && value !== null;

/**
 * The URI of a place in a document: the pointer as a fragment, each (already pointer-escaped)
 * segment URI-encoded, the form Ajv resolves (`{jobId}` in a path must be encoded).
 */
const uriOf = (documentId: string, pointer: string) =>
  `${documentId}#${pointer.split("/").map(encodeURIComponent).join("/")}`;

function split(uri: string): { documentId: string; pointer: string } {
  const hash = uri.indexOf("#");
  if (hash < 0) return { documentId: uri, pointer: nil };
  return { documentId: uri.slice(0, hash), pointer: decodeURIComponent(uri.slice(hash + 1)) };
}

/**
 * Registers OpenAPI documents with one Ajv and returns the one way to walk and validate them.
 *
 * @param documents The documents (see `loadSpec`); `$ref`s between them resolve against their ids.
 * @returns The set.
 * @throws Error when two documents share an id.
 * @example
 * const specs = createSpecSet([loadSpec("photoshop.yaml")]);
 * const mask = specs.operations().find((op) => op.operationId === "createMask");
 * const schema = specs.child(mask.node, "requestBody", "content", "application/json", "schema");
 * specs.validator(schema)({ input: {} }); // false
 * @see https://spec.openapis.org/oas/v3.1.0#reference-object
 */
export function createSpecSet(documents: readonly SpecDocument[]): SpecSet {
  const ajv = createAjv(documents);
  const byId = new Map(documents.map(({ id, document }) => [id, document]));

  function root(id: string): SpecNode {
    if (!byId.has(id)) throw new RangeError(`[@psapi/openapi] no document with id ${id}`);
    return { value: byId.get(id), uri: uriOf(id, nil) };
  }

  function lookup(uri: string, from: string): unknown {
    const { documentId, pointer } = split(uri);
    const document = byId.get(documentId);
    let value: unknown;
    try {
      value = document === undefined ? undefined : get(pointer, document as never);
    } catch {
      value = undefined;
    }
    if (value === undefined) throw new Error(`[@psapi/openapi] unresolvable $ref ${uri} (in ${from})`);
    return value;
  }

  function resolve(node: SpecNode): SpecNode {
    let current = node;
    for (let hops = 0; isObject(current.value) && typeof current.value.$ref === "string"; hops++) {
      if (hops >= MAX_REF_CHAIN) throw new Error(`[@psapi/openapi] $ref cycle at ${node.uri}`);
      const target = split(new URL(current.value.$ref, current.uri).href);
      const uri = uriOf(target.documentId, target.pointer);
      current = { value: lookup(uri, current.uri), uri };
    }
    return current;
  }

  function child(node: SpecNode, ...keys: readonly (string | number)[]): SpecNode | undefined {
    let current = node;
    for (const key of keys) {
      const { value } = current;
      if (!isContainer(value)) return undefined;
      const member = Object.hasOwn(value, key) ? (value as Json)[key] : undefined;
      if (member === undefined) return undefined;
      const { documentId, pointer } = split(current.uri);
      const at = { value: member, uri: uriOf(documentId, append(String(key), pointer)) };
      current = key === "schema" ? at : resolve(at);
    }
    return current;
  }

  function children(node: SpecNode | undefined): [string, SpecNode][] {
    if (!node || !isContainer(node.value)) return [];
    return Object.keys(node.value).flatMap((key) => {
      const found = child(node, key);
      return found ? [[key, found] as [string, SpecNode]] : [];
    });
  }

  let operationList: SpecOperation[] | undefined;
  function operations(): readonly SpecOperation[] {
    operationList ??= documents.flatMap(({ id }) =>
      children(child(root(id), "paths")).flatMap(([template, pathItem]) =>
        HTTP_METHODS.flatMap((method) => {
          const operation = child(pathItem, method);
          if (!operation || !isObject(operation.value)) return [];
          const { operationId } = operation.value;
          return [
            {
              documentId: id,
              template,
              method,
              operationId: typeof operationId === "string" ? operationId : undefined,
              node: operation,
              pathItem,
            },
          ];
        }),
      ),
    );
    return operationList;
  }

  function validator(schema: SpecNode): ValidateFunction {
    const validate = ajv.getSchema(schema.uri);
    if (!validate) throw new Error(`[@psapi/openapi] no schema at ${schema.uri}`);
    return validate;
  }

  function inline(node: SpecNode, maxRefDepth = 8): unknown {
    const walk = (at: SpecNode, depth: number): unknown => {
      const { value } = at;
      if (isObject(value) && typeof value.$ref === "string") {
        if (depth >= maxRefDepth) return {};
        const target = split(new URL(value.$ref, at.uri).href);
        const uri = uriOf(target.documentId, target.pointer);
        return walk({ value: lookup(uri, at.uri), uri }, depth + 1);
      }
      if (!isContainer(value)) return value;
      const { documentId, pointer } = split(at.uri);
      const step = (key: string, item: unknown) =>
        walk({ value: item, uri: uriOf(documentId, append(key, pointer)) }, depth);
      if (Array.isArray(value)) return value.map((item, index) => step(String(index), item));
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, step(key, item)]));
    };
    return walk(node, 0);
  }

  return { ajv, documents, root, resolve, child, children, operations, validator, inline };
}

/** The segments of a JSON pointer, unescaped (RFC 6901): `/a~1b/0` → `["a/b", "0"]`. */
export function pointerTokens(pointer: string): string[] {
  return [...pointerSegments(pointer)];
}
