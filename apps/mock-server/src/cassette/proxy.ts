import { type Clock, createSecretScrubber, isLoopback, isRecord } from "@psapi/core";
import { isLocalHostName } from "../lib/local-host-name.js";
import { CassetteFormatError, CassetteSecretError } from "./errors.js";
import type { CassetteEntry } from "./format.js";
import { type RecordingFetch, recordingFetch, type UpstreamFetch } from "./recording-fetch.js";

/** Options of {@link createRecordingProxy}. */
export interface RecordingProxyOptions {
  /** The cassette file (`.har`), written by `save()`. */
  cassette: string;
  /** The API's origin (`https://image.adobe.io`); every path but `/ims/*` goes there. */
  upstream: string;
  /** IMS's origin (`https://ims-na1.adobelogin.com`); `/ims/*` goes there. Default: `upstream`. */
  imsUpstream?: string;
  /** `record` (default): everything goes upstream. `record-missing`: what the cassette holds is replayed. */
  mode?: "record" | "record-missing";
  /** Live secret values (the upstream's client secret) that must not be in the cassette. */
  secrets?: readonly string[];
  /** How to reach the upstreams. Default `globalThis.fetch`. */
  fetch?: UpstreamFetch;
  /** Time for the cassette's timestamps and job timelines. Default the real clock. */
  clock?: Pick<Clock, "now">;
  /** Largest request or response body forwarded, in bytes (413 / 502 beyond). Default 256 MiB. */
  maxBodyBytes?: number;
  /** Told of each exchange, as `<status> <METHOD> <origin and path>`: never a query, token or body. */
  onExchange?: (line: string) => void;
}

/** A recording proxy: serve `fetch` on loopback (e.g. with `listenEmulator`), then `save()`. */
export interface RecordingProxy {
  /** The cassette file. */
  readonly cassette: string;
  /** The HTTP handler: forwards, records, rewrites URLs. */
  fetch(request: Request): Promise<Response>;
  /** The entries recorded so far (redacted). */
  entries(): readonly CassetteEntry[];
  /**
   * Writes the cassette, after the recorder's secret scan.
   *
   * @throws CassetteSecretError when a live secret survived redaction: nothing is written.
   */
  save(): Promise<void>;
}

/** The path prefix of URLs the proxy hands out for origins other than the upstreams. */
export const FORWARD_PREFIX = "/__psapi/forward/";
/** `POST` here writes the cassette (what SIGINT/SIGTERM do in `psapi emulator --record`). */
export const SAVE_PATH = "/__psapi/save";

const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
/** JSON answers larger than this are passed on without their URLs rewritten. */
const MAX_REWRITE_BYTES = 8 * 1024 * 1024;
/** Hop-by-hop headers (RFC 9110 §7.6.1), and those the proxy recomputes. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);
/** Credentials of the API, never sent on to a storage host (a pre-signed URL carries its own). */
const API_CREDENTIALS = new Set(["authorization", "x-api-key", "cookie", "x-gw-ims-org-id"]);
const NULL_BODY = new Set([101, 204, 205, 304]);

/** `text` as a URL when it is an absolute http(s) URL, else undefined. */
function httpUrl(text: string): URL | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A request or response body over the proxy's limit. */
class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

/**
 * The origin of an upstream URL, validated: http(s), no user info, no path, query or fragment, and
 * plain http only on loopback (a client secret must not cross a network unencrypted).
 *
 * @param name What to call it in the error (`--upstream`, `upstream`).
 * @param text The URL.
 * @throws TypeError naming `name` and what is wrong.
 * @example
 * upstreamOrigin("--upstream", "https://image.adobe.io/") // "https://image.adobe.io"
 */
export function upstreamOrigin(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL such as https://image.adobe.io`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new TypeError(`${name} must use https (or http on loopback), not ${url.protocol}`);
  if (url.protocol === "http:" && !isLoopback(url))
    throw new TypeError(
      `${name} must use https: plain http is for loopback only (127.0.0.1, localhost, ::1)`,
    );
  if (url.username || url.password) throw new TypeError(`${name} must not hold a user name or password`);
  if (url.pathname !== "/" || url.search || url.hash)
    throw new TypeError(`${name} must be an origin with no path or query, such as https://image.adobe.io`);
  return url.origin;
}

/** Whether a header goes on: not hop-by-hop, nor named in `Connection`. */
function forwardable(name: string, connection: Set<string>): boolean {
  return !HOP_BY_HOP.has(name) && !connection.has(name);
}

function connectionTokens(headers: Headers): Set<string> {
  return new Set(
    (headers.get("connection") ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}

function jsonAnswer(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** A body read whole, refused past `max` bytes (by `content-length` first, then while reading). */
async function readLimited(request: Request, max: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) throw new BodyTooLargeError();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** An upstream fetch whose answers error past `max` bytes instead of filling memory. */
function limitedFetch(upstream: UpstreamFetch, max: number): UpstreamFetch {
  return async (request) => {
    const response = await upstream(request);
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > max) {
      await response.body?.cancel();
      throw new BodyTooLargeError();
    }
    if (!response.body || NULL_BODY.has(response.status)) return response;
    let size = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > max) controller.error(new BodyTooLargeError());
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

const isTooLarge = (error: unknown): boolean =>
  error instanceof BodyTooLargeError || (isRecord(error) && error.cause instanceof BodyTooLargeError);

/** Applies `map` to every string of a JSON value; the same object when nothing changed. */
function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => mapStrings(item, map));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (!isRecord(value)) return value;
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = mapStrings(item, map);
    if (copy[key] !== item) changed = true;
  }
  return changed ? copy : value;
}

/** A JSON body with `map` applied to its strings, or `undefined` when it is not JSON or nothing changed. */
function rewriteJson(bytes: Uint8Array, map: (text: string) => string): string | undefined {
  if (bytes.length === 0 || bytes.length > MAX_REWRITE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const rewritten = mapStrings(value, map);
  return rewritten === value ? undefined : JSON.stringify(rewritten);
}

/**
 * A recording proxy (issue #25's `psapi emulator --record`): any HTTP client (curl, Adobe's SDK,
 * `@psapi/client`) talks to it as to the API, it forwards to the real API and IMS through
 * {@link recordingFetch} (so the cassette has the same format, redaction and secret scan), and
 * rewrites the absolute URLs of JSON answers (status links, pre-signed storage URLs) so that the
 * client reaches them through it too. See the README's "The recording proxy".
 *
 * @throws TypeError for a bad `upstream`, `imsUpstream` or `maxBodyBytes`.
 * @example
 * const proxy = createRecordingProxy({ cassette: "rb.har", upstream: "https://image.adobe.io", imsUpstream: "https://ims-na1.adobelogin.com", secrets: [clientSecret] });
 * const served = await listenEmulator(proxy.fetch);
 * // … run the client against served.url …
 * await served.close();
 * await proxy.save();
 */
export function createRecordingProxy(options: RecordingProxyOptions): RecordingProxy {
  const upstream = upstreamOrigin("upstream", options.upstream);
  const ims =
    options.imsUpstream === undefined ? upstream : upstreamOrigin("imsUpstream", options.imsUpstream);
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(max) || max < 1)
    throw new TypeError(`maxBodyBytes must be a positive integer (got ${String(options.maxBodyBytes)})`);
  const recorder: RecordingFetch = recordingFetch({
    cassette: options.cassette,
    mode: options.mode ?? "record",
    fetch: limitedFetch(options.fetch ?? ((request) => globalThis.fetch(request)), max),
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.clock && { clock: options.clock }),
  });
  // A log line names no query; the known secrets are scrubbed from the rest too (a path could hold one).
  const scrub = createSecretScrubber(options.secrets ?? []);
  const tell = (line: string) => options.onExchange?.(scrub(line));
  /** Origins reached through `/__psapi/forward/<n>/`, by index and by origin. */
  const forwards: string[] = [];
  const forwardIndex = new Map<string, number>();
  /** The origins clients reached the proxy by (`127.0.0.1:<port>`, `localhost:<port>`). */
  const selves = new Set<string>();

  /** Where a path of the proxy's own goes: IMS or the API. */
  const routeOf = (path: string) => (path === "/ims" || path.startsWith("/ims/") ? ims : upstream);

  /** An upstream URL as the client reaches it through the proxy at `self`. */
  const toClient = (text: string, self: string): string => {
    const url = httpUrl(text);
    if (!url || url.username || url.password || selves.has(url.origin)) return text;
    const tail = `${url.pathname}${url.search}${url.hash}`;
    if (routeOf(url.pathname) === url.origin) return `${self}${tail}`;
    let n = forwardIndex.get(url.origin);
    if (n === undefined) {
      n = forwards.length;
      forwards.push(url.origin);
      forwardIndex.set(url.origin, n);
    }
    return `${self}${FORWARD_PREFIX}${n}${tail}`;
  };

  /** Where a proxy path goes upstream, or undefined for an unknown forward. */
  const target = (path: string, search: string): { url: string; foreign: boolean } | undefined => {
    if (!path.startsWith(FORWARD_PREFIX)) return { url: `${routeOf(path)}${path}${search}`, foreign: false };
    const match = /^(\d{1,6})(\/.*)?$/.exec(path.slice(FORWARD_PREFIX.length));
    const origin = match ? forwards[Number(match[1])] : undefined;
    if (!origin) return undefined;
    return { url: `${origin}${match?.[2] ?? "/"}${search}`, foreign: true };
  };

  /** A proxy URL in a request body turned back into the upstream URL it stands for. */
  const toUpstream = (text: string): string => {
    const url = httpUrl(text);
    if (!url || !selves.has(url.origin)) return text;
    const found = target(url.pathname, url.search);
    return found ? `${found.url}${url.hash}` : text;
  };

  const forward = async (request: Request, self: string): Promise<Response> => {
    const incoming = new URL(request.url);
    const where = target(incoming.pathname, incoming.search);
    if (!where)
      return jsonAnswer(404, {
        error: "unknown_forward",
        message: `${incoming.pathname.split("/").slice(0, 4).join("/")} is no origin this proxy handed out`,
      });
    let body: Uint8Array;
    try {
      body =
        request.method === "GET" || request.method === "HEAD"
          ? new Uint8Array()
          : await readLimited(request, max);
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      return jsonAnswer(413, {
        error: "request_body_too_large",
        message: `the request body is larger than the proxy's limit of ${max} bytes`,
        limit: max,
      });
    }
    const connection = connectionTokens(request.headers);
    const headers = new Headers();
    for (const [name, value] of request.headers)
      if (forwardable(name, connection) && !(where.foreign && API_CREDENTIALS.has(name)))
        headers.append(name, value);
    const type = headers.get("content-type") ?? "";
    const rewritten = /json/i.test(type) ? rewriteJson(body, toUpstream) : undefined;
    const sent = rewritten === undefined ? body : new TextEncoder().encode(rewritten);
    const upstreamRequest = new Request(where.url, {
      method: request.method,
      headers,
      redirect: "manual",
      ...(sent.length > 0 && { body: sent as Uint8Array<ArrayBuffer> }),
    });
    const target_ = new URL(where.url);
    const label = `${request.method} ${target_.origin}${target_.pathname}`;
    let response: Response;
    try {
      response = await recorder.fetch(upstreamRequest);
    } catch (error) {
      if (isTooLarge(error)) {
        tell(`502 ${label} (answer over ${max} bytes)`);
        return jsonAnswer(502, {
          error: "upstream_body_too_large",
          message: `the upstream's answer is larger than the proxy's limit of ${max} bytes`,
          limit: max,
        });
      }
      // record-missing reads the cassette on the first request: a broken one is named, not blamed on the upstream.
      if (error instanceof CassetteFormatError)
        return jsonAnswer(500, { error: "cassette_unreadable", message: error.message });
      const code = isRecord(error) && isRecord(error.cause) ? error.cause.code : undefined;
      tell(`502 ${label} (${typeof code === "string" ? code : "unreachable"})`);
      return jsonAnswer(502, {
        error: "upstream_unreachable",
        message: `${label} failed${typeof code === "string" ? ` (${code})` : ""}`,
      });
    }
    tell(`${response.status} ${label}`);
    const answerHeaders = new Headers();
    const answerConnection = connectionTokens(response.headers);
    for (const [name, value] of response.headers) {
      // The body arrives decoded: its encoding and length are the proxy's to set.
      if (!forwardable(name, answerConnection) || name === "content-encoding") continue;
      answerHeaders.append(name, /^(location|content-location)$/.test(name) ? toClient(value, self) : value);
    }
    if (NULL_BODY.has(response.status) || request.method === "HEAD")
      return new Response(null, {
        status: response.status,
        statusText: response.statusText,
        headers: answerHeaders,
      });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const answer = /json/i.test(response.headers.get("content-type") ?? "")
      ? rewriteJson(bytes, (text) => toClient(text, self))
      : undefined;
    return new Response(answer ?? (bytes as Uint8Array<ArrayBuffer>), {
      status: response.status,
      statusText: response.statusText,
      headers: answerHeaders,
    });
  };

  const save = () => recorder.save();

  return {
    cassette: options.cassette,
    entries: () => recorder.entries(),
    save,
    async fetch(request) {
      const incoming = new URL(request.url);
      // The proxy forwards live credentials and writes the cassette: a page whose name was re-pointed
      // at 127.0.0.1 (DNS rebinding) must not reach it, as the emulator's control API refuses it.
      if (!isLocalHostName(incoming))
        return jsonAnswer(403, {
          error: "forbidden_host",
          message: "the recording proxy answers loopback names only (127.0.0.1, localhost, ::1)",
        });
      const self = incoming.origin;
      selves.add(self);
      const path = incoming.pathname;
      if (path === SAVE_PATH) {
        if (request.method !== "POST")
          return jsonAnswer(405, { error: "method_not_allowed", message: "POST it" });
        try {
          await save();
          return jsonAnswer(200, { saved: options.cassette, entries: recorder.entries().length });
        } catch (error) {
          if (error instanceof CassetteSecretError)
            return jsonAnswer(409, {
              error: "cassette_secret",
              message: "a live secret survived redaction: nothing was written",
              locations: error.locations,
            });
          return jsonAnswer(500, {
            error: "save_failed",
            message: `the cassette could not be written (${isRecord(error) && typeof error.code === "string" ? error.code : "error"})`,
          });
        }
      }
      if (path.startsWith("/__psapi/") && !path.startsWith(FORWARD_PREFIX))
        return jsonAnswer(404, {
          error: "not_found",
          message: `${path} is not a route of the recording proxy`,
        });
      return forward(request, self);
    },
  };
}
