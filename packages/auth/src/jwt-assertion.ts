import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";

/** Seconds the signed JWT is valid: it is exchanged at once, so a short life limits replay. */
const JWT_LIFETIME_S = 300;

/** The claims of Adobe's JWT assertion, as `createJwtAuth` gathers them. */
export interface JwtAssertionClaims {
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId: string;
  readonly technicalAccountId: string;
  readonly metaScopes: readonly string[];
  /** Issue time, epoch seconds. */
  readonly now: number;
}

/**
 * Signs the RS256 JWT that `/ims/exchange/jwt` takes. The only module that imports `jose`:
 * `createJwtAuth` loads it with `import()` on its first token request, so nothing else ever loads
 * `jose` and a bundler puts it in a chunk of its own.
 *
 * @see https://developer.adobe.com/developer-console/docs/guides/authentication/JWT/ (retired)
 */
export function signJwtAssertion(claims: JwtAssertionClaims, key: KeyObject): Promise<string> {
  const { imsUrl, clientId, orgId, technicalAccountId, metaScopes, now } = claims;
  const scopes = Object.fromEntries(metaScopes.map((scope) => [`${imsUrl}/s/${scope}`, true]));
  return new SignJWT(scopes)
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(orgId)
    .setSubject(technicalAccountId)
    .setAudience(`${imsUrl}/c/${clientId}`)
    .setIssuedAt(now)
    .setExpirationTime(now + JWT_LIFETIME_S)
    .sign(key);
}
