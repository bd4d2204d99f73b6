import type { components } from "@psapi/openapi-types/ims";
import { Hono } from "hono";
import { importSPKI, errors as joseErrors, jwtVerify } from "jose";
import type { EmulatorContext, EmulatorContextType, EmulatorEnv } from "../context.js";
import { OAuthError } from "../http/errors.js";
import { safeEqual } from "../lib/secrets.js";
import { DEFAULT_ALLOWED_SCOPES, type EmulatorClient } from "../options.js";

const GRANTS = new Set(["client_credentials", "authorization_code", "refresh_token"]);
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

/**
 * IMS parameters: the query string, overlaid by a form body (url-encoded or multipart), as IMS
 * accepts both.
 */
async function readParams(c: EmulatorContextType): Promise<Map<string, string>> {
  const params = new Map(new URL(c.req.url).searchParams);
  const type = c.req.header("content-type") ?? "";
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    let body: Record<string, string | File | (string | File)[]>;
    try {
      body = await c.req.parseBody();
    } catch {
      throw new OAuthError(400, "invalid_request", "the request body is not a valid form");
    }
    for (const [name, value] of Object.entries(body)) {
      if (typeof value !== "string")
        throw new OAuthError(400, "invalid_request", `${name} must be a single text value`);
      params.set(name, value);
    }
  }
  return params;
}

function required(params: Map<string, string>, name: string, error = "invalid_request"): string {
  const value = params.get(name);
  if (!value) throw new OAuthError(400, error, `${name} is required`);
  return value;
}

/** Unknown client and wrong secret get the same answer, so client ids cannot be probed. */
function authenticate(ctx: EmulatorContext, params: Map<string, string>): EmulatorClient {
  const clientId = required(params, "client_id");
  const secret = required(params, "client_secret");
  const client = ctx.options.clients.get(clientId);
  const ok = safeEqual(secret, client?.clientSecret ?? "");
  if (!client || !ok) throw new OAuthError(401, "invalid_client", "invalid client credentials");
  return client;
}

function parseScopes(
  client: EmulatorClient,
  requested: string | undefined,
  granted?: readonly string[],
): string[] {
  const allowed = granted ?? client.scopes ?? DEFAULT_ALLOWED_SCOPES;
  if (requested === undefined) return [...allowed];
  const scopes = [...new Set(requested.split(/[,\s]+/).filter(Boolean))];
  const bad = scopes.filter((scope) => !allowed.includes(scope));
  if (bad.length > 0)
    throw new OAuthError(400, "invalid_scope", `scope not allowed for this client: ${bad.join(",")}`);
  return scopes;
}

/**
 * Adobe IMS: `POST /ims/token/v3` (also `/ims/token/v1`, `/v2` and `/ims/token`, which older
 * clients use) with the client_credentials, authorization_code and refresh_token grants, and the
 * legacy `POST /ims/exchange/jwt`.
 */
export function createImsRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  const jwtKeys = new Map<string, Promise<CryptoKey>>();

  const issue = async (
    clientId: string,
    scopes: readonly string[],
    refresh: boolean,
  ): Promise<components["schemas"]["TokenResponse"]> => {
    const { accessToken } = await ctx.tokens.issue(clientId, scopes, ctx.options.tokenLifetimeMs);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: Math.floor(ctx.options.tokenLifetimeMs / 1000),
      ...(refresh
        ? { refresh_token: ctx.tokens.mintRefreshToken(clientId, scopes, ctx.options.refreshTokenLifetimeMs) }
        : {}),
    };
  };

  const token = async (c: EmulatorContextType) => {
    const params = await readParams(c);
    const grant = required(params, "grant_type");
    if (!GRANTS.has(grant))
      throw new OAuthError(400, "unsupported_grant_type", `grant_type ${grant} is not supported`);
    const client = authenticate(ctx, params);
    const scope = params.get("scope");
    if (grant === "client_credentials") {
      return c.json(await issue(client.clientId, parseScopes(client, scope), false), 200, NO_STORE);
    }
    const stored =
      grant === "authorization_code"
        ? ctx.tokens.consumeCode(required(params, "code"), client.clientId)
        : ctx.tokens.consumeRefreshToken(required(params, "refresh_token"), client.clientId);
    if (!stored)
      throw new OAuthError(
        400,
        "invalid_grant",
        `the ${grant.replace("_", " ")} is invalid, expired or used`,
      );
    return c.json(
      await issue(client.clientId, parseScopes(client, scope, stored.scopes), true),
      200,
      NO_STORE,
    );
  };
  for (const path of ["/token/v3", "/token/v2", "/token/v1", "/token"]) router.post(path, token);

  router.post("/exchange/jwt", async (c) => {
    const params = await readParams(c);
    const clientId = required(params, "client_id");
    const client = ctx.options.clients.get(clientId);
    if (!client) throw new OAuthError(400, "invalid_client", "unknown client_id");
    authenticate(ctx, params);
    if (!client.jwtPublicKey)
      throw new OAuthError(401, "invalid_client", "this client has no JWT public key configured");
    const jwt = required(params, "jwt_token", "invalid_token");
    let keyPromise = jwtKeys.get(clientId);
    if (!keyPromise) {
      keyPromise = importSPKI(client.jwtPublicKey, "RS256");
      jwtKeys.set(clientId, keyPromise);
    }
    let key: CryptoKey;
    try {
      key = await keyPromise;
    } catch {
      throw new OAuthError(401, "invalid_client", "this client's jwtPublicKey is not an SPKI PEM RSA key");
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, key, {
        algorithms: ["RS256"],
        currentDate: new Date(ctx.time.now()),
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw new OAuthError(400, "invalid_signature", "the JWT signature does not verify");
      }
      if (error instanceof joseErrors.JWTExpired)
        throw new OAuthError(400, "invalid_token", "the JWT has expired");
      throw new OAuthError(400, "invalid_token", "the JWT could not be decoded or lacks exp");
    }
    const audiences = ([] as unknown[]).concat(payload.aud);
    if (!audiences.some((aud) => typeof aud === "string" && aud.endsWith(`/c/${clientId}`))) {
      throw new OAuthError(400, "invalid_client", "the JWT aud does not name this client");
    }
    const scopes = Object.entries(payload)
      .filter(([claim, value]) => value === true && /^https?:\/\/[^/]+\/s\/[^/]+$/.test(claim))
      .map(([claim]) => claim.slice(claim.lastIndexOf("/") + 1));
    if (scopes.length === 0) throw new OAuthError(400, "invalid_scope", "the JWT names no meta-scope");
    const { accessToken } = await ctx.tokens.issue(clientId, scopes, ctx.options.tokenLifetimeMs);
    // JWT exchange reports expires_in in milliseconds, unlike /ims/token/v3.
    const body: components["schemas"]["JwtExchangeResponse"] = {
      token_type: "bearer",
      access_token: accessToken,
      expires_in: ctx.options.tokenLifetimeMs,
    };
    return c.json(body, 200, NO_STORE);
  });

  return router;
}
