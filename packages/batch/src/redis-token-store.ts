import { randomUUID } from "node:crypto";
import { errorSummary, type TokenStore } from "@psapi/auth";
import { type Clock, type Logger, systemClock } from "@psapi/core";
import type { Redis } from "ioredis";

/** Options of {@link createRedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A connection that fails fast when Redis is away: {@link createFailFastRedis}. */
  redis: Redis;
  /**
   * How long the renewal lock lives unless released (ms). Default 10000. The holder's IMS request
   * should answer within it; a process waiting for the holder waits no longer than the lock it found
   * has left to live, so a holder that dies blocks the others no longer than this.
   */
  lockTtlMs?: number;
  /** How often a waiting process looks again (ms). Default 100. */
  pollMs?: number;
  /** Time source for the waits. Default the system clock (the lock itself expires on Redis's clock). */
  clock?: Clock;
  /** Receives one warning when Redis goes away and one note when it is back. Never a token. */
  logger?: Logger;
}

/** Deletes the lock only if this holder still owns it (it may have expired and been taken). */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

/**
 * In one step, so that no renewal can finish between a look at the token and the taking of the
 * lock: answers `{1, token}` when the token (KEYS[1]) is there; else takes the lock (KEYS[2]) for
 * owner ARGV[1] for ARGV[2] ms if it is free, answering `{0}`; else answers `{2, time the lock has
 * left}` (PTTL: -2 when it vanished meanwhile, -1 when it has no expiry).
 */
const TAKE = `
local token = redis.call("GET", KEYS[1])
if token then return {1, token} end
if redis.call("SET", KEYS[2], ARGV[1], "PX", ARGV[2], "NX") then return {0} end
return {2, redis.call("PTTL", KEYS[2])}`;

/**
 * What a store call may take beyond the lock's lifetime: the Redis round trips of the last poll.
 * Declared to `@psapi/auth` as the store's `timeoutMs`, so auth does not stop a wait first.
 */
const CALL_SLACK_MS = 2_000;

/**
 * A `TokenStore` on Redis with a distributed single flight: N processes (on N machines) sharing it
 * make one IMS request per token lifetime, not N.
 *
 * It builds on the rule `@psapi/auth` documents: a renewal reads the store just before it asks IMS,
 * and stores what IMS answered. So a read that finds no token takes the renewal lock for its
 * process and answers "none" (that process asks IMS, and its `set` releases the lock); a read that
 * finds the lock taken by another process waits for that process's token to appear, looking again
 * every `pollMs`. It takes the lock itself if the lock is released or expires, and it never waits
 * past the expiry of the lock it found: a holder that died blocks nobody longer than `lockTtlMs`.
 * The store declares `timeoutMs` (`lockTtlMs` + 2 s) so that `@psapi/auth` lets a wait run that long
 * (its default limit on a store call is 5 s).
 *
 * Keys:
 * - `<key>` (from `tokenStoreKey`: `psapi:token:<ims origin>|<client id>|<scopes>`): the token as
 *   JSON, expiring with it (`PX` = the time it has left);
 * - `<key>:lock`: the renewal lock, `SET NX PX lockTtlMs` holding a random owner id, released (on
 *   `set` or `delete`) by a script that deletes it only for that owner.
 *
 * Redis being away is never a caller's failure: `get` finds nothing, `set` and `delete` do nothing
 * (each process then renews on its own and keeps its token in memory), with one warning when Redis
 * goes and one note when it is back.
 *
 * @param options - See {@link RedisTokenStoreOptions}.
 * @example
 * const store = createRedisTokenStore({ redis: createFailFastRedis("redis://127.0.0.1:6379") });
 * const auth = createServerToServerAuth({ clientId, clientSecret, store });
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const { redis, logger } = options;
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const pollMs = options.pollMs ?? 100;
  const clock = options.clock ?? systemClock;
  /**
   * The locks this process holds: key → owner id, and when the lock expires (on this clock). An entry
   * past its expiry is stale: the renewal failed (IMS refused, or auth stopped waiting for this store)
   * and nothing released it, and Redis has let the lock go; it no longer lets this process skip the lock.
   */
  const held = new Map<string, { owner: string; until: number }>();
  const holds = (key: string): boolean => {
    const entry = held.get(key);
    if (entry === undefined) return false;
    if (clock.now() < entry.until) return true;
    held.delete(key);
    return false;
  };
  let away = false;

  async function attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const value = await call();
      if (away) {
        away = false;
        logger?.info?.("Redis token store reachable again", { source: "@psapi/batch" });
      }
      return value;
    } catch (error) {
      if (!away) {
        away = true;
        logger?.warn?.("Redis token store unreachable; tokens are cached in this process only", {
          source: "@psapi/batch",
          error: errorSummary(error),
        });
      }
      return fallback;
    }
  }

  const read = async (key: string): Promise<unknown> => {
    const text = await redis.get(key);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  };

  async function release(key: string): Promise<void> {
    const entry = held.get(key);
    if (entry === undefined) return;
    held.delete(key);
    await redis.eval(RELEASE, 1, `${key}:lock`, entry.owner);
  }

  return {
    timeoutMs: lockTtlMs + CALL_SLACK_MS,
    get: (key) =>
      attempt(async () => {
        if (holds(key)) return read(key);
        // No token: a renewal is about to ask IMS. Let one process do it; the others wait for its token,
        // but never past the expiry of the lock they found (its holder may have died).
        let giveUpAt: number | undefined;
        for (;;) {
          const owner = randomUUID();
          const takenAt = clock.now();
          const [state, value] = (await redis.eval(TAKE, 2, key, `${key}:lock`, owner, lockTtlMs)) as [
            number,
            (string | number)?,
          ];
          if (state === 1) return JSON.parse(String(value)) as unknown;
          if (state === 0) {
            held.set(key, { owner, until: takenAt + lockTtlMs });
            return undefined;
          }
          const left = Number(value);
          if (left === -2) continue; // released or expired between the two commands: try again
          const now = clock.now();
          giveUpAt ??= now + (left >= 0 ? left : lockTtlMs);
          if (now >= giveUpAt) return undefined;
          await clock.sleep(Math.min(pollMs, giveUpAt - now));
        }
      }, undefined),
    set: (key, token) =>
      attempt(async () => {
        const ttlMs = Math.floor(token.expiresAt - clock.now());
        if (ttlMs > 0) await redis.set(key, JSON.stringify(token), "PX", ttlMs);
        await release(key);
      }, undefined),
    delete: (key) =>
      attempt(async () => {
        await redis.del(key);
        await release(key);
      }, undefined),
  };
}
