import fc from "fast-check";
import { schemaArbitrary } from "./schema-arbitrary.js";
import type { FuzzOperation, FuzzParameter } from "./spec-operations.js";

/**
 * A placeholder the runner replaces at send time with a live credential, so the arbitraries stay
 * pure while the emulator's tokens change (a fuzzed reset or revocation forces new ones).
 */
export type Credential =
  | "token" // a valid token of the main client
  | "otherToken" // a valid token of another configured client
  | "expiredToken"
  | "revokedToken"
  | "apiKey" // the main client's id (its x-api-key)
  | "otherApiKey"
  | "clientId"
  | "clientSecret"
  | "otherClientSecret";

/** Marks a credential in generated text: `{{token}}`. */
export const credential = (name: Credential) => `{{${name}}}`;

/** One generated request, before its credentials are filled in. */
export interface FuzzRequest {
  readonly method: string;
  /** Path and query, percent-encoding as sent. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | Uint8Array | undefined;
  /** Whether the request asked the emulator for a fault (a 5xx, a reset or latency is then allowed). */
  readonly faultInjected: boolean;
  /**
   * Whether it carried an `x-emulator-fault` header the emulator cannot read: an emulator-only
   * extension, answered 400 "Invalid x-emulator-fault header" on the faultable routes.
   */
  readonly faultHeaderInvalid: boolean;
  /** What was done to it, for the report of a finding. */
  readonly mutations: readonly string[];
  /** The operation it was generated from. */
  readonly operation: string;
}

/** A value that the serializer writes verbatim into the JSON text (deep nesting, odd numbers). */
class Raw {
  constructor(readonly text: string) {}
}

/** Percent-encodes any string; a lone surrogate (which `encodeURIComponent` refuses) becomes bytes that are not UTF-8. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "\u0000")).replace(/%00/g, "%ED%A0%80");
  }
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "FOO", "M-SEARCH"];
const HUGE = 100_000;

const nasty = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "😀".repeat(50),
  "\r\nx-injected: 1",
  "../../etc/passwd",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the lookup string itself is the payload.
  "${jndi:ldap://x}",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "\\",
  " ",
);

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, true, false, "", "x", [], {}, [null], { a: 1 }),
  fc.constant(new Raw("1e400")),
  fc.constant(new Raw("-0")),
  fc.constant(new Raw(String(2 ** 53 + 1))),
  nasty,
  fc.anything({ maxDepth: 2 }),
);

const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", "$ref"),
  fc.string({ maxLength: 12 }),
);

/** One change to a JSON value; `at` picks the node (a fraction of the node count). */
const valueMutation = fc.oneof(
  fc.record({
    kind: fc.constant("wrong-type" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    value: wrongValue,
  }),
  fc.record({ kind: fc.constant("remove" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant("extra" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    key: extraKey,
    value: wrongValue,
  }),
  fc.record({
    kind: fc.constant("huge-string" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    unit: fc.constantFrom("x", "é", "😀", "\u0000"),
  }),
  fc.record({
    kind: fc.constant("nasty-string" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    value: nasty,
  }),
  fc.record({
    kind: fc.constant("deep" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    depth: fc.constantFrom(64, 1_000, 10_000),
    brackets: fc.constantFrom("[]", "{}"),
  }),
  fc.record({ kind: fc.constant("wrap-array" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant("array-to-object" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);
type ValueMutation = typeof valueMutation extends fc.Arbitrary<infer T> ? T : never;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Raw);

/** Every node of a JSON value as [parent, key] pairs; the root is [undefined, undefined]. */
function nodesOf(root: unknown): [Json | unknown[] | undefined, string | number | undefined][] {
  const nodes: [Json | unknown[] | undefined, string | number | undefined][] = [[undefined, undefined]];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        nodes.push([value, index]);
        walk(item);
      });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        nodes.push([value, key]);
        walk(value[key]);
      }
    }
  };
  walk(root);
  return nodes;
}

/** Applies a mutation to a (copied) JSON value and returns the new root and a description. */
function mutateValue(root: unknown, mutation: ValueMutation): [unknown, string] {
  const nodes = nodesOf(root);
  const [parent, key] = nodes[Math.min(nodes.length - 1, Math.floor(mutation.at * nodes.length))] ?? [];
  const current = parent === undefined ? root : (parent as Record<string | number, unknown>)[key as string];
  let next: unknown = current;
  let description: string = mutation.kind;
  switch (mutation.kind) {
    case "wrong-type":
      next = mutation.value;
      break;
    case "remove":
      if (parent === undefined) return [undefined, "remove the body"];
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Json)[key as string];
      return [root, `remove ${String(key)}`];
    case "extra": {
      const target = isObject(current) ? current : {};
      // defineProperty: a plain assignment of "__proto__" would set the prototype, not a key.
      Object.defineProperty(target, mutation.key, {
        value: mutation.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      next = target;
      description = `extra key ${JSON.stringify(mutation.key)}`;
      break;
    }
    case "huge-string":
      next = mutation.unit.repeat(HUGE / mutation.unit.length);
      description = `${HUGE}-unit string of ${JSON.stringify(mutation.unit)}`;
      break;
    case "nasty-string":
      next = mutation.value;
      break;
    case "deep": {
      const [open, close] = mutation.brackets === "[]" ? ["[", "]"] : ['{"a":', "}"];
      next = new Raw(`${open.repeat(mutation.depth)}1${close.repeat(mutation.depth)}`);
      description = `nesting ${mutation.depth} deep`;
      break;
    }
    case "wrap-array":
      next = [current];
      break;
    case "array-to-object":
      next = Array.isArray(current) ? { ...current } : isObject(current) ? Object.values(current) : current;
      break;
  }
  if (parent === undefined) return [next, `${description} at the root`];
  (parent as Record<string | number, unknown>)[key as string] = next;
  return [root, `${description} at ${String(key)}`];
}

/** JSON text of a value with {@link Raw} parts written verbatim and own `__proto__` keys kept. */
export function serialize(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : serialize(item))).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${serialize(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Breaks the JSON text itself. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.constantFrom(
    { kind: "append" as const, text: "}{" },
    { kind: "append" as const, text: "\u0000" },
    { kind: "append" as const, text: ",]" },
    { kind: "prepend" as const, text: "\ufeff" },
    { kind: "prepend" as const, text: "/* */" },
    { kind: "replace" as const, text: "" },
    { kind: "replace" as const, text: "null" },
    { kind: "replace" as const, text: "[]" },
    { kind: "replace" as const, text: '"string"' },
    { kind: "replace" as const, text: '{"a":1,"a":2}' },
    { kind: "replace" as const, text: "{'a': 1}" },
    { kind: "replace" as const, text: "NaN" },
    { kind: "bytes" as const, text: "" },
  ),
);

const contentTypes = fc.constantFrom(
  undefined,
  "text/plain",
  "application/json; charset=utf-16",
  "application/json; charset=utf-8; x=y",
  "APPLICATION/JSON",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "application/xml",
  "*/*",
  "garbage",
  "",
);

/** What happens to the credentials of an operation that requires them. */
const authVariant = fc.constantFrom(
  "valid",
  "valid",
  "valid",
  "valid",
  "none",
  "no-api-key",
  "no-token",
  "wrong-api-key",
  "other-clients-api-key",
  "other-clients-token",
  "expired-token",
  "revoked-token",
  "garbage-token",
  "basic-scheme",
  "lower-case-scheme",
  "empty-bearer",
  "huge-token",
);

const pathValue = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom("00000000-0000-4000-8000-000000000000", "fuzz-object", "in%2Fphoto.jpg"),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "..",
      "%2e%2e",
      "..%2F..%2Fetc%2Fpasswd",
      "a%2Fb",
      "%2F",
      "%00",
      "%E0%A4%A",
      "%F0%9F%98%80",
      "%252F",
      "a%20b",
      "%5C",
      "x".repeat(5_000),
      "%".repeat(3),
      "__proto__",
      "constructor",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(encode) },
);

const queryExtra = fc.constantFrom(
  "",
  "",
  "",
  "a=1&a=2",
  "%ZZ=1",
  "__proto__[x]=1",
  `q=${"y".repeat(8_000)}`,
  "limit=-1",
  "limit=99999999999",
  "status=%00",
);

const faultHeader = fc.oneof(
  { weight: 20, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("503", "500", "429; retry-after=2", "reset", "latency=3") },
  { weight: 1, arbitrary: fc.constantFrom("garbage", "200", "latency=99999999", "") },
);
const GENUINE_FAULTS = new Set(["503", "500", "429; retry-after=2", "reset", "latency=3"]);

function authHeaders(operation: FuzzOperation, variant: string, garbage: string): [string, string][] {
  const bearer = operation.security.some((scheme) => scheme.type === "bearer");
  const apiKeyHeader = operation.security.find((scheme) => scheme.type === "apiKey");
  const headers: [string, string][] = [];
  const token = (value: string) => {
    if (bearer && variant !== "no-token" && variant !== "none") headers.push(["authorization", value]);
  };
  switch (variant) {
    case "other-clients-token":
      token(`Bearer ${credential("otherToken")}`);
      break;
    case "expired-token":
      token(`Bearer ${credential("expiredToken")}`);
      break;
    case "revoked-token":
      token(`Bearer ${credential("revokedToken")}`);
      break;
    case "garbage-token":
      token(`Bearer ${garbage}`);
      break;
    case "basic-scheme":
      token(`Basic ${credential("token")}`);
      break;
    case "lower-case-scheme":
      token(`bearer ${credential("token")}`);
      break;
    case "empty-bearer":
      token("Bearer ");
      break;
    case "huge-token":
      token(`Bearer ${"t".repeat(12_000)}`);
      break;
    default:
      token(`Bearer ${credential("token")}`);
  }
  if (apiKeyHeader?.type === "apiKey" && variant !== "no-api-key" && variant !== "none") {
    const key =
      variant === "wrong-api-key"
        ? "not-a-client"
        : variant === "other-clients-api-key"
          ? credential("otherApiKey")
          : credential("apiKey");
    headers.push([apiKeyHeader.header, key]);
  }
  return headers;
}

/** Fills a path template: each `{param}` from the operation's path parameters. */
function fillPath(template: string, values: readonly string[]): string {
  let index = 0;
  return template.replace(/\{[^}]+\}/g, () => values[index++] ?? "x");
}

const formBody = (operation: FuzzOperation, schema: Record<string, unknown>) =>
  fc.oneof(
    // From the spec, with the real client credentials in where the form takes them.
    schemaArbitrary(schema).map((value) => {
      const params = new URLSearchParams();
      if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) {
          const text =
            key === "client_id"
              ? credential("clientId")
              : key === "client_secret"
                ? credential("clientSecret")
                : typeof item === "string"
                  ? item
                  : JSON.stringify(item);
          params.append(key, text);
        }
      }
      return [params.toString(), `form of ${operation.operationId ?? "?"}`] as const;
    }),
    // Random fields, values and encodings.
    fc
      .array(
        fc.tuple(
          fc.oneof(extraKey, fc.constantFrom("grant_type", "client_id", "code", "jwt_token")),
          fc.oneof(fc.string(), nasty),
        ),
        {
          maxLength: 6,
        },
      )
      .map((pairs) => [new URLSearchParams(pairs).toString(), "random form fields"] as const),
    fc
      .constantFrom(
        "%%%",
        "a=%ZZ",
        "=&=&",
        "grant_type",
        "grant_type=client_credentials&grant_type=authorization_code",
        "\u0000=\u0000",
      )
      .map((text) => [text, "malformed form"] as const),
  );

/**
 * Requests for one operation of the spec: a value its schema accepts, then mutated (wrong types,
 * missing and extra fields, `__proto__`/`constructor` keys, 100 kB and unicode/NUL strings, deep
 * nesting, arrays for objects), its text broken (malformed JSON, odd or missing content types), its
 * method changed, its path parameters turned into traversal, encoded slashes and very long ids, its
 * credentials swapped for bad, expired, revoked or another client's, and sometimes a fault asked for.
 *
 * @param operation An operation from `specOperations`.
 * @returns An arbitrary of requests.
 * @example
 * fc.sample(requestArbitrary(operations[0]), 3);
 */
export function requestArbitrary(operation: FuzzOperation): fc.Arbitrary<FuzzRequest> {
  const pathParams = operation.parameters.filter((parameter) => parameter.in === "path");
  const queryParams = operation.parameters.filter((parameter) => parameter.in === "query");
  const body = bodyArbitrary(operation);
  return fc
    .record({
      // A share of requests go out as the spec describes them, so the handlers behind validation
      // and the gateway (job submission, storage writes) are reached too, not only the refusals.
      pristine: fc.oneof(
        { weight: 1, arbitrary: fc.constant(true) },
        { weight: 2, arbitrary: fc.constant(false) },
      ),
      cleanBody: cleanBodyArbitrary(operation),
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constant(operation.method) },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
      ),
      pathValues: fc.tuple(...pathParams.map(() => pathValue)),
      pathShape: fc.constantFrom(
        "as is",
        "as is",
        "as is",
        "as is",
        "trailing slash",
        "double slash",
        "upper case",
        "extra segment",
      ),
      query: fc.tuple(...queryParams.map((parameter) => queryValue(parameter))),
      queryExtra,
      auth: authVariant,
      garbage: fc.oneof(
        fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x21-\x7e]/g, "")),
        nasty.map(encode),
      ),
      body,
      fault: faultHeader,
      headerNoise: fc.constantFrom(
        [] as [string, string][],
        [] as [string, string][],
        [["accept", "application/xml"]] as [string, string][],
        [["x-request-id", "\u00e9"]] as [string, string][],
        [["content-length", "5"]] as [string, string][],
        [["transfer-encoding", "chunked"]] as [string, string][],
        [
          ["upgrade", "websocket"],
          ["connection", "Upgrade"],
          ["sec-websocket-version", "13"],
        ] as [string, string][],
        [
          ["upgrade", "h2c"],
          ["http2-settings", "AAMAAABkAARAAAAAAAIAAAAA"],
        ] as [string, string][],
        // A client secret where it does not belong: no answer may show it (see run-fuzz.ts).
        [["x-note", credential("otherClientSecret")]] as [string, string][],
        [["x-api-key", credential("clientSecret")]] as [string, string][],
      ),
    })
    .map((mutated): FuzzRequest => {
      const drawn = mutated.pristine
        ? {
            ...mutated,
            method: operation.method,
            pathShape: "as is",
            queryExtra: "",
            auth: "valid",
            fault: undefined,
            headerNoise: [],
            body: mutated.cleanBody,
          }
        : mutated;
      const mutations: string[] = mutated.pristine ? ["as the spec describes it"] : [];
      if (drawn.method !== operation.method) mutations.push(`method ${drawn.method}`);
      let path = fillPath(operation.template, drawn.pathValues);
      if (pathParams.length > 0)
        mutations.push(`path ${drawn.pathValues.map((value) => value.slice(0, 30)).join(", ")}`);
      if (drawn.pathShape === "trailing slash") path = `${path}/`;
      else if (drawn.pathShape === "double slash") path = `/${path}`;
      else if (drawn.pathShape === "upper case") path = path.toUpperCase();
      else if (drawn.pathShape === "extra segment") path = `${path}/extra`;
      if (drawn.pathShape !== "as is") mutations.push(drawn.pathShape);
      const query = queryParams
        .map((parameter, index) => [parameter.name, drawn.query[index]] as const)
        .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
        .map(([name, value]) => `${encode(name)}=${value}`);
      if (drawn.queryExtra) {
        query.push(drawn.queryExtra);
        mutations.push(`query ${drawn.queryExtra.slice(0, 30)}`);
      }
      const headers = authHeaders(operation, drawn.auth, drawn.garbage || "x");
      if (operation.security.length > 0 && drawn.auth !== "valid") mutations.push(`auth ${drawn.auth}`);
      if (drawn.fault !== undefined) {
        headers.push(["x-emulator-fault", drawn.fault]);
        mutations.push(`fault ${drawn.fault}`);
      }
      for (const header of drawn.headerNoise) {
        headers.push(header);
        mutations.push(`header ${header[0]}`);
      }
      let payload: string | Uint8Array | undefined;
      if (drawn.body) {
        const [text, contentType, described] = drawn.body;
        payload = text;
        if (contentType !== undefined) headers.push(["content-type", contentType]);
        mutations.push(...described);
      }
      return {
        method: drawn.method,
        target: query.length > 0 ? `${path}?${query.join("&")}` : path,
        headers,
        body: payload,
        faultInjected: drawn.fault !== undefined && GENUINE_FAULTS.has(drawn.fault),
        faultHeaderInvalid: drawn.fault !== undefined && !GENUINE_FAULTS.has(drawn.fault),
        mutations,
        operation: operation.operationId ?? `${operation.method} ${operation.template}`,
      };
    });
}

function queryValue(parameter: FuzzParameter): fc.Arbitrary<string | undefined> {
  const fromSchema = schemaArbitrary(parameter.schema).map((value) =>
    encode(typeof value === "string" ? value : JSON.stringify(value)),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fromSchema },
    { weight: parameter.required ? 1 : 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: nasty.map(encode) },
  );
}

/** A body as the spec describes it: a value of its schema, in its declared media type. */
function cleanBodyArbitrary(operation: FuzzOperation): fc.Arbitrary<DrawnBody> {
  if (operation.bodies.length === 0) return fc.constant(undefined);
  return fc.oneof(
    ...operation.bodies.map(({ mediaType, schema }): fc.Arbitrary<DrawnBody> => {
      if (mediaType === "application/x-www-form-urlencoded") {
        return formBody(operation, schema).map(
          ([text, described]) => [text, mediaType, [described]] as const,
        );
      }
      if (mediaType.includes("json")) {
        return schemaArbitrary(schema).map((value) => [serialize(value), mediaType, []] as const);
      }
      return fc.uint8Array({ maxLength: 256 }).map((bytes) => [bytes, "image/png", []] as const);
    }),
  );
}

type DrawnBody = readonly [string | Uint8Array, string | undefined, readonly string[]] | undefined;

function bodyArbitrary(operation: FuzzOperation): fc.Arbitrary<DrawnBody> {
  const declared = operation.bodies.map(({ mediaType, schema }): fc.Arbitrary<DrawnBody> => {
    const contentType = fc.oneof(
      { weight: 5, arbitrary: fc.constant(mediaType === "*/*" ? "image/png" : mediaType) },
      { weight: 1, arbitrary: contentTypes },
    );
    if (mediaType === "application/x-www-form-urlencoded") {
      return fc
        .tuple(formBody(operation, schema), contentType)
        .map(([[text, described], type]) => [text, type, [described, `content-type ${type}`]]);
    }
    if (mediaType.includes("json")) {
      return fc
        .tuple(
          schemaArbitrary(schema),
          fc.array(valueMutation, { maxLength: 3 }),
          fc.option(textMutation, { freq: 6 }),
          contentType,
        )
        .map(([value, valueMutations, text, type]) => {
          const described: string[] = [];
          let root: unknown = structuredClone(value);
          for (const mutation of valueMutations) {
            const [next, description] = mutateValue(root, mutation);
            root = next;
            described.push(description);
          }
          let body: string | Uint8Array = root === undefined ? "" : serialize(root);
          if (text) {
            described.push(`text ${text.kind}`);
            if (text.kind === "truncate") body = body.slice(0, Math.floor(text.at * body.length));
            else if (text.kind === "append") body = `${body}${text.text}`;
            else if (text.kind === "prepend") body = `${text.text}${body}`;
            else if (text.kind === "replace") body = text.text;
            else body = new Uint8Array([0xff, 0xfe, 0x7b, 0xc3, 0x28, 0x7d]);
          }
          if (type !== mediaType) described.push(`content-type ${type}`);
          return [body, type, described] as const;
        });
    }
    return fc
      .tuple(fc.uint8Array({ maxLength: 256 }), contentType)
      .map(
        ([bytes, type]) => [bytes, type, [`${bytes.length} random bytes`, `content-type ${type}`]] as const,
      );
  });
  const undeclared: fc.Arbitrary<DrawnBody> = fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<DrawnBody>(
        ['{"a":1}', "application/json", ["undeclared JSON body"]],
        ["x", "text/plain", ["undeclared text body"]],
      ),
    },
  );
  return declared.length > 0
    ? fc.oneof({ weight: 12, arbitrary: fc.oneof(...declared) }, { weight: 1, arbitrary: undeclared })
    : undeclared;
}
