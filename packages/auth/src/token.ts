import { REDACTED } from "@psapi/core";
import { withSafeView } from "./safe-view.js";
import type { AccessToken } from "./types.js";

/** Visible ASCII only: what may follow `Bearer ` in a header. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** Whether `value` can be sent as a bearer token. */
export function isTokenString(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/** The plain, JSON-safe record a `TokenStore` receives. */
export function plainToken(token: AccessToken): AccessToken {
  const { accessToken, expiresAt, receivedAt, scopes, clientId } = token;
  // No `receivedAt: undefined` key: a static token's record has no such field at all.
  return {
    accessToken,
    expiresAt,
    ...(receivedAt === undefined ? {} : { receivedAt }),
    scopes: [...scopes],
    clientId,
  };
}

/** An `AccessToken` for callers: frozen, and redacted in `JSON.stringify` and `util.inspect`. */
export function sealToken(token: AccessToken): AccessToken {
  const plain = plainToken(token);
  Object.freeze(plain.scopes);
  return withSafeView(plain, { ...plain, accessToken: REDACTED });
}

/**
 * What a store returned, if it is a usable token for this client and these scopes; otherwise
 * `undefined`. A shared store may hold an entry from another version, another writer, or garbage.
 */
export function parseStoredToken(
  value: unknown,
  expected: { clientId: string; scopes: readonly string[] },
): AccessToken | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { accessToken, expiresAt, receivedAt, scopes, clientId } = value as Record<string, unknown>;
  const sameScopes =
    Array.isArray(scopes) &&
    scopes.length === expected.scopes.length &&
    expected.scopes.every((scope) => scopes.includes(scope));
  const valid =
    isTokenString(accessToken) &&
    typeof expiresAt === "number" &&
    Number.isFinite(expiresAt) &&
    (receivedAt === undefined ||
      (typeof receivedAt === "number" && Number.isFinite(receivedAt) && receivedAt < expiresAt)) &&
    clientId === expected.clientId &&
    sameScopes;
  if (!valid) return undefined;
  return sealToken({ accessToken, expiresAt, receivedAt, scopes: expected.scopes, clientId });
}
