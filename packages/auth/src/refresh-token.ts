import { errorSummary } from "./ims-error.js";
import { requestImsToken } from "./ims-request.js";
import { createManagedAuth } from "./managed-auth.js";
import {
  configError,
  headerSafe,
  type LifecycleOptions,
  requiredSecret,
  resolveImsOptions,
} from "./options.js";
import type { PhotoshopAuth } from "./types.js";

/** Options of `createRefreshTokenAuth`. */
export interface RefreshTokenAuthOptions extends Omit<LifecycleOptions, "store" | "storeTimeoutMs"> {
  /** The OAuth (web or native app) client id, sent as `x-api-key`. */
  clientId: string;
  /** The client secret: sent only in the token request's form body. */
  clientSecret: string;
  /** The user's refresh token from the authorization-code flow. */
  refreshToken: string;
  /**
   * Called with each new refresh token IMS rotates in, so you can persist it (the old one may stop
   * working). Called without waiting; a throw or rejection is logged, never a caller's failure.
   */
  onRefreshToken?: (refreshToken: string) => void | Promise<void>;
}

/**
 * Auth for one user's OAuth credentials: gets access tokens with `grant_type=refresh_token`, keeps the
 * refresh token IMS rotates in and reports it through `onRefreshToken`. Tokens are cached in memory only:
 * a refresh token belongs to one user and rotates, so share it through `onRefreshToken`, not a store.
 *
 * @param options Credentials, refresh token and lifecycle options.
 * @returns A `PhotoshopAuth`.
 * @throws TypeError when an option is missing or malformed; `getToken()` rejects with `ImsError`
 *   (`invalid_grant` when the refresh token has expired or was revoked).
 * @example
 * const auth = createRefreshTokenAuth({
 *   clientId, clientSecret, refreshToken: saved.refreshToken,
 *   onRefreshToken: (next) => saveRefreshToken(userId, next),
 * });
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6 (refreshing an access token)
 */
export function createRefreshTokenAuth(options: RefreshTokenAuthOptions): PhotoshopAuth {
  const clientId = headerSafe(options.clientId, "clientId");
  const clientSecret = requiredSecret(options.clientSecret, "clientSecret");
  let refreshToken = requiredSecret(options.refreshToken, "refreshToken");
  const { onRefreshToken } = options;
  if (onRefreshToken !== undefined && typeof onRefreshToken !== "function") {
    configError("onRefreshToken must be a function (refreshToken) => void");
  }
  const ims = resolveImsOptions(options);
  return createManagedAuth({
    clientId,
    scopes: [],
    ims,
    lifecycle: { refreshAhead: options.refreshAhead },
    secrets: [clientSecret, refreshToken],
    async requestToken() {
      const grant = await requestImsToken(ims, {
        path: "/ims/token/v3",
        form: {
          grant_type: "refresh_token",
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
        },
        expiresIn: "seconds",
        secrets: [clientSecret, refreshToken],
      });
      const rotated = grant.refreshToken;
      if (rotated !== undefined && rotated !== refreshToken) {
        refreshToken = rotated;
        ims.reveal(rotated);
        Promise.resolve()
          .then(() => onRefreshToken?.(rotated))
          .catch((error: unknown) => {
            ims.logger.error?.("onRefreshToken failed; the rotated refresh token was not persisted", {
              source: "@psapi/auth",
              error: errorSummary(error),
            });
          });
      }
      return grant;
    },
  });
}
