import { type Clock, type FetchLike, isLoopback, type Logger, systemClock } from "@psapi/core";
import { isTokenString } from "./token.js";
import type { TokenStore } from "./types.js";

/** Options every factory that talks to IMS takes. */
export interface ImsOptions {
  /** IMS origin. Default `https://ims-na1.adobelogin.com`; `http:` only for loopback hosts. */
  imsUrl?: string;
  /** Where IMS requests go. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Time source for expiry, back-off and timeouts. Default: the system clock. */
  clock?: Clock;
  /** Jitter source, numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Receives retries, refresh failures and store problems; never a secret. Default: silent. */
  logger?: Logger;
  /** Milliseconds one IMS attempt (request and body) may take before it counts as failed. Default 30 000. */
  timeoutMs?: number;
  /**
   * Called with every credential the auth holds, as it comes to hold it: the client secret and
   * refresh token at creation, each access token it gets from IMS or adopts from the store, each
   * refresh token IMS rotates in. For a program that scrubs its own logs by value (the CLI feeds
   * `createSecretRegistry` of @psapi/core). Called synchronously; a throw is ignored.
   */
  onSecret?: (secret: string) => void;
}

/** Options of the factories that cache and renew tokens. */
export interface LifecycleOptions extends ImsOptions {
  /**
   * Refresh once less than this many milliseconds of the token's lifetime are left, counted from
   * receipt (capped at half the lifetime). Default 3 600 000 (1 h: a 24 h token is renewed at 23 h).
   */
  refreshAhead?: number;
  /** Token cache, possibly shared by many processes. Default: a private `createMemoryTokenStore()`. */
  store?: TokenStore;
  /**
   * Milliseconds one call of the `store` may take before it counts as failed and the lifecycle goes
   * on without it (a Redis client queueing commands while it reconnects must not hang a caller).
   * Default: the store's own `timeoutMs` when it declares one (a store that waits for another
   * process's renewal), else 5000.
   */
  storeTimeoutMs?: number;
}

/** The IMS options after defaults and validation. */
export interface ResolvedImsOptions {
  readonly imsUrl: string;
  readonly fetch: FetchLike;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly timeoutMs: number;
  /** `onSecret`, never throwing. */
  readonly reveal: (secret: string) => void;
}

/** Adobe's production IMS. */
export const DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com";
/** The scopes Adobe's Photoshop API guides request for Server-to-Server credentials. */
export const DEFAULT_SCOPES: readonly string[] = Object.freeze(["openid", "AdobeID", "read_organizations"]);
/** One hour: Adobe advises renewing 24 h tokens every 23 h. */
export const DEFAULT_REFRESH_AHEAD_MS = 60 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Throws the package's configuration error: a `TypeError` whose `problem` is the message without
 * the package name, for callers that word it themselves. Messages name the option and the fix,
 * never a value.
 */
export function configError(message: string): never {
  throw Object.assign(new TypeError(`[@psapi/auth] ${message}`), { problem: message });
}

/**
 * Validates an IMS origin and returns it normalised (`https://host[:port]`). Plain `http:` is refused
 * except for loopback hosts (the emulator), since the client secret travels in the request body.
 *
 * @param name How the value is called in the error (`imsUrl`, `PHOTOSHOP_IMS_URL`).
 */
export function normalizeImsUrl(value: unknown, name = "imsUrl"): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return configError(`${name} must be an absolute URL such as ${DEFAULT_IMS_URL}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    configError(`${name} must use https (http is accepted only for localhost and 127.0.0.1)`);
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/") {
    configError(`${name} must be an origin such as ${DEFAULT_IMS_URL}, without path, query or credentials`);
  }
  return url.origin;
}

/**
 * A value that goes into an HTTP header (`x-api-key`, `Authorization`): a non-empty string of visible
 * ASCII characters (the rule `isTokenString` applies to tokens), so that a stray newline cannot split
 * or forge a header.
 */
export function headerSafe(value: unknown, name: string, hint = ""): string {
  if (!isTokenString(value)) {
    configError(`${name} is required and must be a non-empty string of visible ASCII characters${hint}`);
  }
  return value;
}

/** A secret option: a non-empty string. */
export function requiredSecret(value: unknown, name: string, hint = ""): string {
  if (typeof value !== "string" || value.length === 0) {
    configError(`${name} is required and must be a non-empty string${hint}`);
  }
  return value;
}

/** Scopes: a non-empty array of non-empty strings without commas or whitespace (IMS joins them with commas). */
export function normalizeScopes(value: unknown, name = "scopes"): readonly string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((s) => typeof s === "string" && /^[^\s,]+$/.test(s))
  ) {
    configError(`${name} must be a non-empty array of scope names without commas or spaces`);
  }
  return Object.freeze([...(value as string[])]);
}

/** A duration option in milliseconds: a finite number, at least `min`. */
export function duration(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    configError(`${name} must be a finite number of milliseconds, at least ${min}`);
  }
  return value;
}

/** Applies the defaults of `ImsOptions` once and validates what the caller gave. */
export function resolveImsOptions(options: ImsOptions): ResolvedImsOptions {
  const { fetch = globalThis.fetch, clock = systemClock, random = Math.random, logger = {} } = options;
  if (typeof fetch !== "function") configError("fetch must be a function (request) => Promise<Response>");
  if (typeof clock?.now !== "function" || typeof clock.sleep !== "function") {
    configError("clock must have now() and sleep(ms, signal)");
  }
  if (typeof random !== "function") configError("random must be a function returning numbers in [0, 1)");
  if (typeof logger !== "object" || logger === null) configError("logger must be an object");
  const { onSecret } = options;
  if (onSecret !== undefined && typeof onSecret !== "function") configError("onSecret must be a function");
  return {
    reveal(secret) {
      try {
        onSecret?.(secret);
      } catch {
        // The caller's hook; a failure there must not fail a token request.
      }
    },
    imsUrl: normalizeImsUrl(options.imsUrl ?? DEFAULT_IMS_URL),
    fetch,
    clock,
    random,
    logger,
    timeoutMs: duration(options.timeoutMs, "timeoutMs", DEFAULT_TIMEOUT_MS, 1),
  };
}

/** Checks that `value` looks like a `TokenStore`. */
export function validateStore(value: unknown): TokenStore | undefined {
  if (value === undefined) return undefined;
  const store = value as Partial<TokenStore> | null;
  if (
    typeof store?.get !== "function" ||
    typeof store.set !== "function" ||
    typeof store.delete !== "function"
  ) {
    configError("store must have async get(key), set(key, token) and delete(key)");
  }
  return store as TokenStore;
}
