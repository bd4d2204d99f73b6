/**
 * An access token as psapi keeps it. Tokens handed out by `getToken()` redact `accessToken` in
 * `JSON.stringify` and `util.inspect`; read the property itself to use it.
 */
export interface AccessToken {
  /** The bearer token. A secret: send it only in the `Authorization` header. */
  readonly accessToken: string;
  /** When the token expires, in epoch milliseconds (`Infinity` for a static token of unknown lifetime). */
  readonly expiresAt: number;
  /**
   * When psapi received the token, in epoch milliseconds. Absent for static tokens. Lets the refresh
   * point be measured from receipt and caps `refreshAhead` at half the token's lifetime.
   */
  readonly receivedAt?: number;
  /** The scopes the token was requested with (the meta-scopes for JWT credentials). */
  readonly scopes: readonly string[];
  /** The client id the token belongs to. */
  readonly clientId: string;
}

/**
 * What every credential kind in `@psapi/auth` returns, and what `@psapi/client` takes as `auth`.
 */
export interface PhotoshopAuth {
  /** The client id, sent as `x-api-key` on every Photoshop API call. */
  readonly clientId: string;
  /** A valid token, fetched or refreshed as needed. Concurrent callers share one IMS request. */
  getToken(options?: { signal?: AbortSignal }): Promise<AccessToken>;
  /**
   * Marks `accessToken` as rejected (after a 401). The next `getToken()` fetches a new one, unless
   * the token was already replaced. Concurrent invalidations of one token cause one refresh.
   */
  invalidate(accessToken: string): Promise<void>;
  /**
   * `Authorization: Bearer …` and `x-api-key` for a request. With openapi-fetch, `@psapi/client`'s
   * `createAuthMiddleware({ auth, baseUrl })` sets them (and keeps them to `baseUrl`'s origin).
   */
  headers(options?: { signal?: AbortSignal }): Promise<{ Authorization: string; "x-api-key": string }>;
}

/**
 * Where tokens are cached. Async so that a store shared by many processes (Redis, a database) fits.
 * Keys come from `tokenStoreKey()`; values handed to `set` are plain JSON-safe objects holding the
 * token itself, so a store must be as private as the client secret. What `get` returns is validated
 * (a shared store may hold anything) and ignored when it is not a usable token for this key.
 *
 * The default is {@link createMemoryTokenStore}'s, private to one auth object.
 */
export interface TokenStore {
  /** The token stored under `key`, or `undefined`. May return anything: psapi validates it. */
  get(key: string): Promise<unknown>;
  /** Stores `token` under `key`, replacing what was there. */
  set(key: string, token: AccessToken): Promise<void>;
  /** Removes the entry under `key`, if any. */
  delete(key: string): Promise<void>;
  /**
   * How long one call of this store may take (ms) before psapi counts it as failed, for a store
   * that waits on purpose (a `get` that waits for another process's renewal behind a distributed
   * lock). The auth's `storeTimeoutMs`, when given, wins; this applies when it is not; when neither
   * is set the limit is 5000.
   */
  readonly timeoutMs?: number;
}
