import { loadSpec, SPEC_NAMES, type SpecName } from "./specs.js";

/** One error code that a spec gives as an example answer, with where it is answered. */
export interface ErrorCodeEntry {
  /** The spec that documents it. */
  readonly spec: SpecName;
  /** The code as the body carries it (`error_code`, `errorCode`, `error` or `type`). */
  readonly code: string;
  /**
   * The name of its documentation page, `<spec>-<code>` (the spec's file name without `.yaml`,
   * the code with characters other than word characters, `.` and `-` as `_`): the docs site's
   * `errors/api/<page>.md`.
   */
  readonly page: string;
  /** The HTTP statuses answered with it, ascending. */
  readonly statuses: readonly number[];
  /** The operations that answer it, as `METHOD /path/{template}`. */
  readonly operations: readonly string[];
  /** The example messages that go with it. */
  readonly messages: readonly string[];
}

/** The key of a body that names its error: each family of Adobe's error bodies has its own. */
const CODE_KEYS = ["error_code", "errorCode", "error", "type"] as const;
const MESSAGE_KEYS = ["message", "title", "error_description", "errorDescription"] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

/** What a local `$ref` points at, followed while it is a `$ref` (the specs' refs are local). */
function deref(document: unknown, node: unknown): unknown {
  let current = node;
  const seen = new Set<unknown>();
  while (isObject(current) && typeof current.$ref === "string" && !seen.has(current)) {
    seen.add(current);
    current = current.$ref
      .slice(2)
      .split("/")
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((at, part) => (isObject(at) ? at[part] : undefined), document);
  }
  return current;
}

/** Every error body (an object with a code key and a message) among the values below `node`. */
function errorBodies(
  document: unknown,
  node: unknown,
  found: { code: string; message: string }[] = [],
  seen = new Set<unknown>(),
): { code: string; message: string }[] {
  const value = deref(document, node);
  if (!isObject(value) || seen.has(value)) return found;
  seen.add(value);
  if (!Array.isArray(value)) {
    const key = CODE_KEYS.find((name) => typeof value[name] === "string" || typeof value[name] === "number");
    const message = MESSAGE_KEYS.map((name) => value[name]).find((text) => typeof text === "string");
    if (key !== undefined && typeof message === "string") found.push({ code: String(value[key]), message });
  }
  for (const child of Object.values(value)) errorBodies(document, child, found, seen);
  return found;
}

const pageOf = (spec: SpecName, code: string) =>
  `${spec.replace(/\.yaml$/, "")}-${code.replace(/[^\w.-]/g, "_")}`;

let cached: readonly ErrorCodeEntry[] | undefined;

/**
 * Every error code psapi's specs give as an example of a 4xx or 5xx answer, a spec at a time in
 * {@link SPEC_NAMES} order, then by code: the list the docs site writes a page for each of, and
 * that the CLI links its failures to.
 *
 * @returns The entries (computed once, then shared).
 * @example
 * errorCodes().find((entry) => entry.code === "unknown_job_id")?.page; // "photoshop-current-unknown_job_id"
 */
export function errorCodes(): readonly ErrorCodeEntry[] {
  if (cached) return cached;
  const entries: ErrorCodeEntry[] = [];
  for (const spec of SPEC_NAMES) {
    const { document } = loadSpec(spec);
    const codes = new Map<
      string,
      { statuses: Set<number>; operations: Set<string>; messages: Set<string> }
    >();
    const paths = isObject(document) && isObject(document.paths) ? document.paths : {};
    for (const [path, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const [method, operation] of Object.entries(item)) {
        if (!isObject(operation) || !isObject(operation.responses)) continue;
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^[45]\d\d$/.test(status)) continue;
          const content = deref(document, response);
          for (const body of errorBodies(document, isObject(content) ? content.content : undefined)) {
            const entry = codes.get(body.code) ?? {
              statuses: new Set(),
              operations: new Set(),
              messages: new Set(),
            };
            entry.statuses.add(Number(status));
            entry.operations.add(`${method.toUpperCase()} ${path}`);
            entry.messages.add(body.message);
            codes.set(body.code, entry);
          }
        }
      }
    }
    for (const [code, entry] of [...codes].sort(([a], [b]) => a.localeCompare(b))) {
      entries.push({
        spec,
        code,
        page: pageOf(spec, code),
        statuses: [...entry.statuses].sort((a, b) => a - b),
        operations: [...entry.operations],
        messages: [...entry.messages],
      });
    }
  }
  cached = entries;
  return entries;
}

/** Whether `path` is an instance of the spec's path template (`/v2/status/{jobId}`). */
function matchesTemplate(template: string, path: string): boolean {
  const parts = template.split("/");
  const actual = path.split("/");
  return (
    parts.length === actual.length &&
    parts.every((part, i) => (/^\{[^}]+\}$/.test(part) ? actual[i] !== "" : part === actual[i]))
  );
}

/**
 * The documented error code a failed request was answered with: the entry whose code is `code`
 * and whose spec documents it for an operation of that method and path (`401013` is in both
 * Photoshop specs, with a page each). Any host: the specs' paths are the same on Adobe's hosts and
 * the emulator's.
 *
 * @param code - The answer's error code.
 * @param request - The request's method and URL.
 * @returns The entry, or `undefined` when no spec documents that code for that operation.
 * @example
 * errorCodeFor("unknown_job_id", { method: "GET", url: "https://image.adobe.io/v2/status/x" })?.page;
 * // "photoshop-current-unknown_job_id"
 */
export function errorCodeFor(
  code: string,
  request: { method: string; url: string | URL },
): ErrorCodeEntry | undefined {
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    return undefined;
  }
  const method = request.method.toUpperCase();
  return errorCodes().find(
    (entry) =>
      entry.code === code &&
      entry.operations.some((operation) => {
        const [verb, template = ""] = operation.split(" ");
        return verb === method && matchesTemplate(template, path);
      }),
  );
}
