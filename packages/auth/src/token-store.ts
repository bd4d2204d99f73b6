import { normalizeImsUrl } from "./options.js";
import type { AccessToken, TokenStore } from "./types.js";

/**
 * The key under which a token is cached: the IMS origin, the client id and the sorted scopes, so one
 * store can serve many credentials and two processes with the same credentials share one entry.
 *
 * @param parts `imsUrl` (origin), `clientId` and `scopes` (any order).
 * @returns A stable string such as `psapi:token:https://ims-na1.adobelogin.com|my-client|AdobeID,openid`.
 * @throws TypeError when `imsUrl` is not a valid IMS origin.
 * @example
 * tokenStoreKey({ imsUrl: "https://ims-na1.adobelogin.com", clientId: "id", scopes: ["openid", "AdobeID"] });
 */
export function tokenStoreKey(parts: {
  imsUrl: string;
  clientId: string;
  scopes: readonly string[];
}): string {
  const scopes = [...new Set(parts.scopes)].sort().map(encodeURIComponent).join(",");
  return `psapi:token:${normalizeImsUrl(parts.imsUrl)}|${encodeURIComponent(parts.clientId)}|${scopes}`;
}

/**
 * A `TokenStore` in process memory: the default, private to one auth object unless you share it.
 * For many processes, implement `TokenStore` over a shared cache (see the README's Redis example).
 *
 * @example
 * const store = createMemoryTokenStore();
 * const a = createServerToServerAuth({ clientId, clientSecret, store });
 */
export function createMemoryTokenStore(): TokenStore {
  const entries = new Map<string, AccessToken>();
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, token) {
      entries.set(key, token);
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
