import type { Clock, Logger } from "@psapi/core";
import { ImsError } from "./ims-error.js";
import { createManagedAuth } from "./managed-auth.js";
import { configError, headerSafe, resolveImsOptions } from "./options.js";
import { sealToken } from "./token.js";
import type { PhotoshopAuth } from "./types.js";

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
  /** Called once with the token, for a program that scrubs its logs by value (see `ImsOptions.onSecret`). */
  onSecret?: (secret: string) => void;
}

/**
 * Auth with a token you already have. It is served unchanged until `expiresAt`, then `getToken()` rejects,
 * since nothing can renew it. `invalidate()` does nothing: there is no other token to switch to, so after a
 * 401 `getToken()` still returns the same token and the caller (and `@psapi/client`, which replays a 401 only
 * with a different token) sees the API's own 401 rather than a vaguer error from here. Prefer
 * `createServerToServerAuth` in services.
 *
 * @param options The token, its client id and optionally its expiry.
 * @returns A `PhotoshopAuth` that never calls IMS.
 * @throws TypeError when an option is missing or malformed; `getToken()` rejects with `ImsError`
 *   (`invalid_token`) once the token has expired.
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
  const ims = resolveImsOptions({ clock: options.clock, logger: options.logger, onSecret: options.onSecret });
  const auth = createManagedAuth({
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
          "the static access token has expired, and a static token cannot be renewed: supply a new one or use client credentials",
        ),
      ),
  });
  // Forgetting the only token there is cures nothing and would hide the API's 401 behind our own error.
  return { ...auth, invalidate: () => Promise.resolve() };
}
