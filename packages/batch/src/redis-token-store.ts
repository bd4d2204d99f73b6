import { randomUUID } from "node:crypto";
import { errorSummary, type TokenStore } from "@psapi/auth";
import type { Logger } from "@psapi/core";
import type { Redis } from "ioredis";

/** Options of {@link createRedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A connection that fails fast when Redis is away: {@link createFailFastRedis}. */
  redis: Redis;
  /**
   * How long the renewal lock lives unless released (ms). Default 10000. A holder that dies blocks
   * the others no longer than this, nor than `waitMs`.
   */
  lockTtlMs?: number;
  /**
   * The longest a process waits for another's renewal before asking IMS itself (ms). Default 4000:
   * under `@psapi/auth`'s 5 s limit on a store call, past which it would stop waiting anyway.
   */
  waitMs?: number;
  /** How often a waiting process looks again (ms). Default 100. */
  pollMs?: number;
  /** Receives one warning when Redis goes away and one note when it is back. Never a token. */
  logger?: Logger;
}

/** Deletes the lock only if this holder still owns it (it may have expired and been taken). */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

/**
 * A `TokenStore` on Redis with a distributed single flight: N processes (on N machines) sharing it
 * make one IMS request per token lifetime, not N.
 *
 * It builds on the rule `@psapi/auth` documents: a renewal reads the store just before it asks IMS,
 * and stores what IMS answered. So a read that finds no token takes the renewal lock for its
 * process and answers "none" (that process asks IMS, and its `set` releases the lock); a read that
 * finds the lock taken by another process waits for that process's token to appear, looking again
 * every `pollMs`, and answers "none" only if the lock is freed or `waitMs` passes.
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
  const waitMs = options.waitMs ?? 4_000;
  const pollMs = options.pollMs ?? 100;
  /** The locks this process holds: key → owner id. */
  const held = new Map<string, string>();
  let away = false;

  async function attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const value = await call();
      if (away) {
        away = false;
        logger?.info?.("[@psapi/batch] Redis token store reachable again");
      }
      return value;
    } catch (error) {
      if (!away) {
        away = true;
        logger?.warn?.(
          "[@psapi/batch] Redis token store unreachable; tokens are cached in this process only",
          {
            error: errorSummary(error),
          },
        );
      }
      return fallback;
    }
  }

  const read = async (key: string): Promise<unknown> => {
    const text = await redis.get(key);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  };

  async function release(key: string): Promise<void> {
    const owner = held.get(key);
    if (owner === undefined) return;
    held.delete(key);
    await redis.eval(RELEASE, 1, `${key}:lock`, owner);
  }

  return {
    get: (key) =>
      attempt(async () => {
        const found = await read(key);
        if (found !== undefined || held.has(key)) return found;
        // No token: a renewal is about to ask IMS. Let one process do it; the others wait for its token.
        const giveUpAt = Date.now() + waitMs;
        for (;;) {
          const owner = randomUUID();
          if ((await redis.set(`${key}:lock`, owner, "PX", lockTtlMs, "NX")) === "OK") {
            held.set(key, owner);
            return undefined;
          }
          if (Date.now() >= giveUpAt) return undefined;
          await new Promise((resolve) => setTimeout(resolve, pollMs));
          const renewed = await read(key);
          if (renewed !== undefined) return renewed;
        }
      }, undefined),
    set: (key, token) =>
      attempt(async () => {
        const ttlMs = Math.floor(token.expiresAt - Date.now());
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
