import type { Clock } from "./clock.js";
import { ImsError } from "./ims-error.js";
import { createManagedAuth } from "./managed-auth.js";
import { configError, headerSafe, resolveImsOptions } from "./options.js";
import { sealToken } from "./token.js";
import type { Logger, PhotoshopAuth } from "./types.js";

/** Options of `createStaticTokenAuth`. */
export interface StaticTokenAuthOptions {
  /** A ready access token (from the Developer Console, a CI secret, another service). */
  accessToken: string;
  /** The client id the token was issued to, sent as `x-api-key`. */
  clientId: string;
  /** When the token expires, in epoch milliseconds. Default: unknown (`Infinity`). */
  expiresAt?: number;
  /** Decides when `expiresAt` has passed. Default: the system clock. */
  clock?: Clock;
  /** Receives the invalidation notice. Default: silent. */
  logger?: Logger;
}

/**
 * Auth with a token you already have. It is served until `expiresAt` or until a 401 invalidates it; after
 * that `getToken()` rejects, since nothing can renew it. Prefer `createServerToServerAuth` in services.
 *
 * @param options The token, its client id and optionally its expiry.
 * @returns A `PhotoshopAuth` that never calls IMS.
 * @throws TypeError when an option is missing or malformed; `getToken()` rejects with `ImsError`
 *   (`invalid_token`) once the token has expired or was invalidated.
 * @example
 * const auth = createStaticTokenAuth({ accessToken: process.env.PHOTOSHOP_ACCESS_TOKEN ?? "", clientId: "my-client" });
 * @see https://developer.adobe.com/firefly-services/docs/photoshop/getting_started/
 */
export function createStaticTokenAuth(options: StaticTokenAuthOptions): PhotoshopAuth {
  const clientId = headerSafe(options.clientId, "clientId");
  const accessToken = headerSafe(options.accessToken, "accessToken");
  const { expiresAt = Number.POSITIVE_INFINITY } = options;
  if (typeof expiresAt !== "number" || Number.isNaN(expiresAt)) {
    configError("expiresAt must be a number of epoch milliseconds");
  }
  const ims = resolveImsOptions({ clock: options.clock, logger: options.logger });
  return createManagedAuth({
    clientId,
    scopes: [],
    ims,
    // No refresh ahead: there is nothing to refresh with, so the token is served until it expires.
    lifecycle: { refreshAhead: 0 },
    initial: sealToken({ accessToken, expiresAt, scopes: [], clientId }),
    requestToken: () =>
      Promise.reject(
        new ImsError(
          "invalid_token",
          "the static access token has expired or was rejected, and a static token cannot be renewed: supply a new one or use client credentials",
        ),
      ),
  });
}
