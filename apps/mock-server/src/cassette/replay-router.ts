import { isRecord, REDACTED } from "@psapi/core";
import type { MiddlewareHandler } from "hono";
import {
  type EmulatorContext,
  type EmulatorContextType,
  type EmulatorEnv,
  publicOrigin,
  type ReplayState,
} from "../context.js";
import { HOSTED_VALIDITY_SECONDS } from "../current/hosted.js";
import { GatewayError, StorageError } from "../http/errors.js";
import { randomToken } from "../lib/secrets.js";
import type { SignedMethod } from "../storage/signing.js";
import { CassetteFormatError, type CassetteMissError, type RequestSummary } from "./errors.js";
import { blobRefs, type Cassette, type CassetteEntry, validateCassette } from "./format.js";
import { resolveOperation } from "./operations.js";
import { isSignedUrl, jsonPointerToken } from "./redaction.js";
import { canonicalPath, createReplayer, type Replayer, replayResponse, requestKey } from "./replayer.js";

/**
 * The JSON body of the 404 a `--replay` emulator answers to a request its cassette does not hold
 * (`CassetteMissError`'s fields; see the README's "Serving a cassette").
 */
export interface CassetteMissBody {
  type: "CassetteMissError";
  code: "ERR_PSAPI_CASSETTE_MISS";
  title: string;
  /** The cassette file. */
  cassette: string;
  /** The request as matching saw it: method, operation id (or path), URL without its query. */
  request: RequestSummary;
  /** The closest recorded entry, or `null` when the cassette has none. */
  nearest: (RequestSummary & { index: number; played: number }) | null;
  /** How the request differs from `nearest`, one line each. */
  differences: string[];
}

const TOKEN_OPERATIONS = new Set(["getToken", "exchangeJwt"]);

/** Whether a path belongs to the control API (live on a replaying emulator), not to the cassette. */
const isControlPath = (path: string) =>
  path.startsWith("/__emulator/") && !path.startsWith("/__emulator/storage/");

/** A pattern matching an origin where it ends (so `:401` never matches inside `:4010`). */
const originPattern = (origin: string) =>
  new RegExp(`${origin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.:-])`, "g");

/** The miss as the documented JSON body. */
export function missBody(error: CassetteMissError): CassetteMissBody {
  return {
    type: "CassetteMissError",
    code: error.code,
    title: "The request is not in the cassette",
    cassette: error.cassette,
    request: error.request,
    nearest: error.nearest ?? null,
    differences: [...error.differences],
  };
}

/**
 * Serves a cassette from the emulator (`--replay`): every request but the control API's is
 * answered from the cassette with the shared replay matching ({@link createReplayer}), on the
 * emulator's clock. Recorded origins become the emulator's; `{{storage:<n>}}<path>` placeholders
 * become URLs on the emulator signed by its own signer, checked when fetched (403 once expired or
 * tampered with, as its storage answers); token calls get fresh emulator tokens with the recorded
 * lifetime, which the API operations then require; a miss is a 404 {@link CassetteMissBody}.
 *
 * @returns the middleware and the state the inspector shows.
 * @throws CassetteFormatError when the cassette is not a valid psapi cassette or lacks a blob it names.
 */
export function createReplayMiddleware(
  ctx: EmulatorContext,
  cassette: Cassette,
): { middleware: MiddlewareHandler<EmulatorEnv>; state: ReplayState } {
  const file = cassette.file ?? "cassette";
  // Given in code, a cassette may not have come through readCassette: refused whole, as a file is.
  validateCassette(cassette.har, file);
  for (const { sha, pointer } of blobRefs(cassette.har))
    if (!cassette.blobs.has(sha))
      throw new CassetteFormatError(file, pointer, `names blob ${sha}, which the cassette does not hold`);
  const { entries, _psapi } = cassette.har.log;
  const replayer: Replayer = createReplayer({ file, entries, clock: ctx.time });
  const recordedOrigins = [
    ...new Set([..._psapi.recordedAgainst, ...Object.values(_psapi.storage).map(({ origin }) => origin)]),
  ].sort((a, b) => b.length - a.length);
  const patterns = recordedOrigins.map(originPattern);
  /** Paths that were fetched through a pre-signed URL when recorded: replay checks the emulator's signature there. */
  const signedPaths = new Set(
    entries
      .filter((entry) => isSignedUrl(entry.request.url))
      .map((entry) => canonicalPath(new URL(entry.request.url).pathname)),
  );

  const rewriteOrigins = (text: string, origin: string) =>
    patterns.reduce((result, pattern) => result.replace(pattern, origin), text);

  /** A placeholder as a URL on this emulator, signed now for `method`, valid `seconds`. */
  const signedUrl = (
    origin: string,
    path: string,
    method: SignedMethod,
    seconds = HOSTED_VALIDITY_SECONDS,
  ) => {
    const expires = Math.floor(ctx.time.now() / 1000) + seconds;
    return `${origin}${path}?expires=${expires}&sig=${ctx.signer.sign(method, path, expires)}`;
  };

  const PLACEHOLDER = /\{\{storage:\d+\}\}([^"\s?#]*)/g;

  /**
   * A text body with placeholders signed (for the `method` beside them in JSON, else GET; for the
   * recorded lifetime at their JSON pointer, else the hosted default), origins rewritten, and
   * `tokens` put where redacted ones were.
   */
  const rewriteText = (
    text: string,
    origin: string,
    tokens: Record<string, string>,
    json: boolean,
    lifetimes: Readonly<Record<string, number>>,
  ) => {
    if (json) {
      try {
        const walk = (value: unknown, method: SignedMethod, pointer: string): unknown => {
          if (typeof value === "string") {
            const seconds = Object.hasOwn(lifetimes, pointer) ? lifetimes[pointer] : undefined;
            return rewriteOrigins(
              value.replace(PLACEHOLDER, (_all, path: string) => signedUrl(origin, path, method, seconds)),
              origin,
            );
          }
          if (Array.isArray(value)) return value.map((item, i) => walk(item, method, `${pointer}/${i}`));
          if (!isRecord(value)) return value;
          const own: SignedMethod = value.method === "PUT" ? "PUT" : "GET";
          const copy: Record<string, unknown> = {};
          for (const [key, item] of Object.entries(value))
            copy[key] =
              Object.hasOwn(tokens, key) && item === REDACTED
                ? tokens[key]
                : walk(item, own, `${pointer}/${jsonPointerToken(key)}`);
          return copy;
        };
        return JSON.stringify(walk(JSON.parse(text), "GET", ""));
      } catch {
        // Not JSON after all: rewritten as text.
      }
    }
    return rewriteOrigins(
      text.replace(PLACEHOLDER, (_all, path: string) => signedUrl(origin, path, "GET")),
      origin,
    );
  };

  /** Fresh emulator credentials for a replayed token answer, with the recorded lifetime. */
  const freshTokens = async (
    entry: CassetteEntry,
    form: URLSearchParams,
  ): Promise<Record<string, string>> => {
    let recorded: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(entry.response.content.text ?? "");
      if (isRecord(parsed)) recorded = parsed;
    } catch {
      return {};
    }
    const clientId = form.get("client_id") || "psapi-replay-client";
    const scopes = (form.get("scope") ?? "").split(/[,\s]+/).filter(Boolean);
    const tokens: Record<string, string> = {};
    if (recorded.access_token === REDACTED) {
      // /ims/token/v3 says seconds; the emulator's /ims/exchange/jwt says milliseconds, as Adobe's did.
      const unit = entry._psapi.operationId === "exchangeJwt" ? 1 : 1000;
      const lifetime =
        typeof recorded.expires_in === "number" && recorded.expires_in > 0
          ? recorded.expires_in * unit
          : ctx.options.tokenLifetimeMs;
      tokens.access_token = (await ctx.tokens.issue(clientId, scopes, lifetime)).accessToken;
    }
    if (recorded.refresh_token === REDACTED)
      tokens.refresh_token = ctx.tokens.mintRefreshToken(
        clientId,
        scopes,
        ctx.options.refreshTokenLifetimeMs,
      );
    if (recorded.id_token === REDACTED) tokens.id_token = randomToken();
    return tokens;
  };

  /** The signature check of a pre-signed path, as the emulator's storage answers it. */
  const checkSignature = (c: EmulatorContextType, url: URL) => {
    const method: SignedMethod = c.req.method === "PUT" ? "PUT" : "GET";
    const problem = ctx.signer.check(method, url.pathname, url.searchParams, ctx.time.now());
    if (problem === "expired") throw new StorageError(403, "AccessDenied", "Request has expired");
    if (problem === "mismatch")
      throw new StorageError(403, "SignatureDoesNotMatch", "The request signature does not match");
    if (problem === "missing")
      throw new StorageError(403, "AccessDenied", "Query-string authentication is required");
  };

  /** The API's gateway: a token this emulator issued (a replayed token call's) and still valid. */
  const admit = async (c: EmulatorContextType) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const clientId =
      token && (ctx.tokens.cachedClientId(token) ?? (await ctx.tokens.verify(token))?.clientId);
    if (!clientId) throw new GatewayError(401, "401013", "Oauth token is not valid");
    c.set("clientId", clientId);
  };

  const middleware: MiddlewareHandler<EmulatorEnv> = async (c, next) => {
    if (isControlPath(c.req.path)) return next();
    const url = new URL(c.req.url);
    if (signedPaths.has(canonicalPath(url.pathname)) || url.searchParams.has("sig")) checkSignature(c, url);
    const operation = resolveOperation(c.req.method, c.req.url);
    if (operation?.spec.startsWith("photoshop")) await admit(c);
    const body =
      c.req.method === "GET" || c.req.method === "HEAD"
        ? new Uint8Array()
        : new Uint8Array(await c.req.arrayBuffer());
    const key = requestKey(c.req.raw, body);
    const head = c.req.method === "HEAD";
    // A HEAD the cassette lacks is answered by the recorded GET's status and headers, as a server would.
    const entry =
      replayer.take(key) ??
      (head
        ? replayer.take(requestKey(new Request(c.req.url, { headers: c.req.raw.headers }), body))
        : undefined);
    if (!entry) {
      // Tokens are never stored: a token call the cassette lacks goes to the emulator's live IMS.
      if (operation && TOKEN_OPERATIONS.has(operation.operationId)) return next();
      return c.json(missBody(replayer.miss(key)), 404);
    }
    const origin = publicOrigin(ctx, c);
    const tokens =
      entry._psapi.operationId && TOKEN_OPERATIONS.has(entry._psapi.operationId)
        ? await freshTokens(entry, formOf(c, body))
        : {};
    const json = /json/i.test(entry.response.content.mimeType);
    const response = replayResponse(entry, cassette.blobs, {
      text: (text) => rewriteText(text, origin, tokens, json, entry._psapi.storageLifetimes ?? {}),
      header: (_name, value) => rewriteOrigins(value, origin),
    });
    response.headers.set("x-psapi-cassette-entry", String(entries.indexOf(entry)));
    return head ? new Response(null, { status: response.status, headers: response.headers }) : response;
  };

  return {
    middleware,
    state: {
      file,
      entries,
      played: (entry) => replayer.played(entry),
      use: () => replayer.use(),
      reset: () => replayer.reset(),
    },
  };
}

/** The IMS parameters of a token call: its form body, else its query (IMS takes both). */
function formOf(c: EmulatorContextType, body: Uint8Array): URLSearchParams {
  const form = new URLSearchParams(
    /x-www-form-urlencoded/i.test(c.req.header("content-type") ?? "") ? new TextDecoder().decode(body) : "",
  );
  for (const [name, value] of new URL(c.req.url).searchParams) if (!form.has(name)) form.set(name, value);
  return form;
}
