import type { Middleware } from "./middleware-type.js";

/** An access token as psapi keeps it. `expiresAt` is in epoch milliseconds. */
export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
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
  /** `Authorization: Bearer …` and `x-api-key` for a request. */
  headers(options?: { signal?: AbortSignal }): Promise<{ Authorization: string; "x-api-key": string }>;
  /** An openapi-fetch middleware that sets both headers on every request. */
  readonly middleware: Middleware;
}

/**
 * Where tokens are cached. Async so that a store shared by many processes (Redis, a database) fits.
 * Keys come from `tokenStoreKey()`; values are plain JSON-safe objects.
 */
export interface TokenStore {
  get(key: string): Promise<AccessToken | undefined>;
  set(key: string, token: AccessToken): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Where packages send what they have to say. Defaults to silence; never receives a secret. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}
