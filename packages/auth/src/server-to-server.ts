import { requestImsToken } from "./ims-request.js";
import { createManagedAuth } from "./managed-auth.js";
import {
  DEFAULT_SCOPES,
  headerSafe,
  type LifecycleOptions,
  normalizeScopes,
  requiredSecret,
  resolveImsOptions,
} from "./options.js";
import type { PhotoshopAuth } from "./types.js";

/** Options of `createServerToServerAuth`. */
export interface ServerToServerAuthOptions extends LifecycleOptions {
  /** The project's client id (API key), sent as `x-api-key` and in the token request. */
  clientId: string;
  /** The project's client secret: sent only in the token request's form body. */
  clientSecret: string;
  /** Scopes to request. Default `["openid", "AdobeID", "read_organizations"]` (what Photoshop needs). */
  scopes?: readonly string[];
}

/**
 * Auth with OAuth Server-to-Server credentials (`grant_type=client_credentials`), the kind Adobe issues
 * for the Photoshop API today. Tokens are cached, renewed ahead of expiry, shared by concurrent callers
 * and, through `store`, by many processes.
 *
 * @param options Credentials and lifecycle options; see `ServerToServerAuthOptions`.
 * @returns A `PhotoshopAuth` for `createPhotoshopClient({ auth })`.
 * @throws TypeError (at once) when an option is missing or malformed; `getToken()` rejects with `ImsError`.
 * @example
 * const auth = createServerToServerAuth({
 *   clientId: process.env.PHOTOSHOP_CLIENT_ID ?? "",
 *   clientSecret: process.env.PHOTOSHOP_CLIENT_SECRET ?? "",
 * });
 * const { accessToken } = await auth.getToken();
 * @see https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/implementation
 */
export function createServerToServerAuth(options: ServerToServerAuthOptions): PhotoshopAuth {
  const hint = " (or set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET and use authFromEnv())";
  const clientId = headerSafe(options.clientId, "clientId", hint);
  const clientSecret = requiredSecret(options.clientSecret, "clientSecret", hint);
  const scopes = normalizeScopes(options.scopes ?? DEFAULT_SCOPES);
  const ims = resolveImsOptions(options);
  const form = {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
    scope: scopes.join(","),
  };
  return createManagedAuth({
    clientId,
    scopes,
    ims,
    lifecycle: options,
    secrets: [clientSecret],
    requestToken: () =>
      requestImsToken(ims, { path: "/ims/token/v3", form, expiresIn: "seconds", secrets: [clientSecret] }),
  });
}
