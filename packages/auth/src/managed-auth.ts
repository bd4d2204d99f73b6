import { abortable, backoffDelay, REDACTED, startDeadline } from "@psapi/core";
import { errorSummary } from "./ims-error.js";
import type { TokenGrant } from "./ims-request.js";
import {
  DEFAULT_REFRESH_AHEAD_MS,
  duration,
  type LifecycleOptions,
  type ResolvedImsOptions,
  validateStore,
} from "./options.js";
import { withSafeView } from "./safe-view.js";
import { parseStoredToken, plainToken, sealToken } from "./token.js";
import { createMemoryTokenStore, tokenStoreKey } from "./token-store.js";
import type { AccessToken, PhotoshopAuth } from "./types.js";

/** What one credential kind gives the shared lifecycle. */
export interface ManagedAuthSource {
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly ims: ResolvedImsOptions;
  /** The caller's `store` and `refreshAhead`, validated here once for every kind. */
  readonly lifecycle: LifecycleOptions;
  /** Gets a new token from IMS (with its own retries), or throws an `ImsError`. */
  readonly requestToken: () => Promise<TokenGrant>;
  /** A token to start with (static tokens). */
  readonly initial?: AccessToken;
  /** The credentials it starts with (client secret, refresh token), for `onSecret`. */
  readonly secrets?: readonly string[];
}

/** First wait after a failed background refresh; doubles per failure up to the cap. */
const REFRESH_RETRY_BASE_MS = 30_000;
const REFRESH_RETRY_MAX_MS = 10 * 60_000;
/** Share of the refresh margin over which processes spread their refresh points. */
const REFRESH_SPREAD = 0.1;
/**
 * The token lifecycle every credential kind shares: cache (in memory and in the store), refresh ahead of
 * expiry, one IMS request for any number of concurrent callers, stale-while-revalidate with back-off when
 * a refresh fails, and 401 invalidation that refreshes once.
 */
export function createManagedAuth(source: ManagedAuthSource): PhotoshopAuth {
  const { clientId, scopes } = source;
  const { clock, logger, random } = source.ims;
  const storeKey = tokenStoreKey({ imsUrl: source.ims.imsUrl, clientId, scopes });
  const store = validateStore(source.lifecycle.store) ?? createMemoryTokenStore();
  const refreshAhead = duration(source.lifecycle.refreshAhead, "refreshAhead", DEFAULT_REFRESH_AHEAD_MS, 0);
  // A shared store can hang (a Redis client queues commands while it reconnects): past this, a call
  // counts as failed and the lifecycle goes on without it. A store that waits on purpose says how long.
  const storeTimeoutMs = duration(
    source.lifecycle.storeTimeoutMs ?? store.timeoutMs,
    "storeTimeoutMs",
    5000,
    1,
  );
  for (const secret of source.secrets ?? []) source.ims.reveal(secret);
  if (source.initial) source.ims.reveal(source.initial.accessToken);
  let current = source.initial;
  let flight: Promise<AccessToken> | undefined;
  /** The last token a caller reported as rejected: never adopt it again from the store. */
  let rejected: string | undefined;
  let failures = 0;
  let nextRefreshAt = 0;

  /**
   * Refresh point: `refreshAhead` before expiry, but never earlier than halfway through the lifetime.
   * `spread` (0‥1) moves it up to 10% of that margin later, so that processes sharing a store and
   * holding the same token do not all ask IMS in the same second: the first renews, the rest find its
   * token in the store.
   */
  const refreshPoint = (token: AccessToken, spread: number) => {
    const lifetime =
      token.receivedAt === undefined ? Number.POSITIVE_INFINITY : token.expiresAt - token.receivedAt;
    return token.expiresAt - Math.min(refreshAhead, lifetime / 2) * (1 - REFRESH_SPREAD * spread);
  };
  let refreshAt = current ? refreshPoint(current, 0) : 0;

  /** Runs a store call, turning a throw, a rejection or no answer within the time limit into a rejection. */
  async function bounded<T>(call: () => Promise<T>): Promise<T> {
    const deadline = startDeadline(clock, storeTimeoutMs, undefined, `no answer within ${storeTimeoutMs} ms`);
    try {
      return await abortable(Promise.resolve().then(call), deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  async function readStore(): Promise<AccessToken | undefined> {
    let value: unknown;
    try {
      value = await bounded(() => store.get(storeKey));
    } catch (error) {
      logger.warn?.("token store get failed; asking IMS", {
        source: "@psapi/auth",
        error: errorSummary(error),
      });
      return undefined;
    }
    const token = parseStoredToken(value, { clientId, scopes });
    if (value !== undefined && value !== null && token === undefined) {
      logger.warn?.("token store held an entry that is not a usable token; ignoring it", {
        source: "@psapi/auth",
      });
    }
    return token;
  }

  async function renew(): Promise<AccessToken> {
    const replacing = current;
    // Another process sharing the store may have renewed already: take its token instead of asking IMS.
    const stored = await readStore();
    if (
      stored &&
      stored.accessToken !== replacing?.accessToken &&
      stored.accessToken !== rejected &&
      clock.now() < refreshPoint(stored, 0)
    ) {
      logger.debug?.("using the token another process stored", { source: "@psapi/auth" });
      return adopt(stored);
    }
    const grant = await source.requestToken();
    const receivedAt = clock.now();
    const token = sealToken({
      accessToken: grant.accessToken,
      expiresAt: receivedAt + grant.expiresInMs,
      receivedAt,
      scopes,
      clientId,
    });
    try {
      await bounded(() => store.set(storeKey, plainToken(token)));
    } catch (error) {
      // The token is good; only sharing it failed. Serve it rather than fail the caller.
      logger.warn?.("token store set failed", { source: "@psapi/auth", error: errorSummary(error) });
    }
    logger.debug?.("new access token", { source: "@psapi/auth", expiresAt: token.expiresAt });
    return adopt(token);
  }

  function adopt(token: AccessToken): AccessToken {
    source.ims.reveal(token.accessToken);
    current = token;
    refreshAt = refreshPoint(token, random());
    failures = 0;
    nextRefreshAt = 0;
    return token;
  }

  /** Joins the refresh in flight, or starts one: the single flight. */
  function refresh(): Promise<AccessToken> {
    flight ??= renew().finally(() => {
      flight = undefined;
    });
    return flight;
  }

  async function getToken(options: { signal?: AbortSignal } = {}): Promise<AccessToken> {
    const { signal } = options;
    signal?.throwIfAborted();
    const now = clock.now();
    const token = current;
    if (token && now < token.expiresAt) {
      if (now >= refreshAt && !flight && now >= nextRefreshAt) {
        // Stale but valid: renew in the background and serve the valid token meanwhile.
        refresh().catch((error: unknown) => {
          failures++;
          const delayMs = backoffDelay(failures, REFRESH_RETRY_BASE_MS, REFRESH_RETRY_MAX_MS, random);
          nextRefreshAt = clock.now() + delayMs;
          logger.warn?.("token refresh failed; serving the cached token until it expires", {
            source: "@psapi/auth",
            error: errorSummary(error),
            failures,
            retryInMs: delayMs,
            expiresAt: token.expiresAt,
          });
        });
      }
      return token;
    }
    return abortable(refresh(), signal);
  }

  async function invalidate(accessToken: string): Promise<void> {
    // Only the token in use can be invalidated: a token that was already replaced causes no refresh,
    // and of many concurrent invalidations of one token, only the first finds it current.
    if (!current || current.accessToken !== accessToken) return;
    current = undefined;
    rejected = accessToken;
    logger.info?.("access token invalidated; the next call gets a new one", { source: "@psapi/auth" });
    try {
      const stored = await bounded(() => store.get(storeKey));
      if (parseStoredToken(stored, { clientId, scopes })?.accessToken === accessToken) {
        await bounded(() => store.delete(storeKey));
      }
    } catch (error) {
      logger.warn?.("token store cleanup failed", { source: "@psapi/auth", error: errorSummary(error) });
    }
  }

  async function headers(options: { signal?: AbortSignal } = {}) {
    const token = await getToken(options);
    const value = { Authorization: `Bearer ${token.accessToken}`, "x-api-key": clientId };
    return withSafeView(value, { Authorization: `Bearer ${REDACTED}`, "x-api-key": clientId });
  }

  return {
    clientId,
    getToken,
    invalidate,
    headers,
  };
}
