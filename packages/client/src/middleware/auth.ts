import type { PhotoshopAuth } from "@psapi/auth";
import type { Middleware } from "openapi-fetch";
import { bearerToken } from "../bearer-token.js";
import { assertTrustedOrigin } from "../origin.js";
import { replayCopy } from "./replay-copy.js";

/** Options of {@link createAuthMiddleware}. */
export interface AuthMiddlewareOptions {
  /** Any `@psapi/auth` credential object. */
  auth: PhotoshopAuth;
  /** Only this URL's origin (and `otherUrls`') receives credentials; see `assertTrustedOrigin`. */
  baseUrl: string;
  /** More URLs whose origins may receive credentials (the client passes the Photoshop API v2 host). */
  otherUrls?: readonly string[];
  /**
   * How the one replay after a 401 is sent. Default: the configured fetch, once. The client passes
   * the retry middleware's `send`, so that a replay meeting a 5xx or 429 is retried as well.
   */
  send?: (request: Request, fetch: (request: Request) => Promise<Response>) => Promise<Response>;
}

/**
 * Sets `Authorization: Bearer …` and `x-api-key` on every request, and answers a 401 by invalidating
 * the token and replaying the request once, only ever with a different token: when `auth` hands back
 * the same one (a static token always does) the 401 reaches the caller after one attempt, and when
 * renewing fails (IMS refuses the credentials) its `ImsError` does.
 *
 * Requests to an origin other than `baseUrl`'s (or `otherUrls`') are refused before anything is sent (token rule).
 *
 * @param options - The credentials and the trusted base URL.
 * @throws {Error} from `onRequest` when a request targets another origin.
 * @example
 * raw.use(createAuthMiddleware({ auth, baseUrl: "https://image.adobe.io" }));
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (invalid_token → new token)
 */
export function createAuthMiddleware({
  auth,
  baseUrl,
  otherUrls = [],
  send = (request, fetch) => fetch(request),
}: AuthMiddlewareOptions): Middleware {
  const trustedOrigins = [baseUrl, ...otherUrls].map((url) => new URL(url).origin);
  // A copy of each request as sent, for the one replay. Keyed weakly by the request object (which
  // openapi-fetch hands to onResponse unchanged) so that a call that ends in an abort leaks nothing.
  const sent = new WeakMap<Request, Request>();
  return {
    async onRequest({ request }) {
      assertTrustedOrigin(request.url, trustedOrigins);
      const headers = await auth.headers({ signal: request.signal });
      request.headers.set("Authorization", headers.Authorization);
      request.headers.set("x-api-key", headers["x-api-key"]);
      sent.set(request, replayCopy(request));
      return undefined;
    },
    async onResponse({ request, response, options }) {
      const template = sent.get(request);
      sent.delete(request);
      if (response.status !== 401 || template === undefined) return undefined;
      const used = template.headers.get("Authorization") ?? "";
      await auth.invalidate(bearerToken(used) ?? "");
      const fresh = await auth.headers({ signal: template.signal });
      if (fresh.Authorization === used) return undefined;
      await response.body?.cancel();
      template.headers.set("Authorization", fresh.Authorization);
      template.headers.set("x-api-key", fresh["x-api-key"]);
      return send(template, options.fetch);
    },
  };
}
