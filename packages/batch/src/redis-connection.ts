import { Redis, type RedisOptions } from "ioredis";

/**
 * A Redis connection for calls that must fail soon while Redis is away (the token store, the rate
 * limiter): a command waits for at most one reconnection attempt (0.2–2 s apart) and 2 s on the
 * wire, then fails, and callers fall back to process-local state. Commands sent before the first
 * connection is up wait for it, so a process that starts with Redis there never falls back.
 *
 * @param url - `redis://[user:password@]host:port[/db]` or `rediss://…`.
 * @example
 * const redis = createFailFastRedis("redis://127.0.0.1:6379");
 */
export function createFailFastRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...options,
  });
}

/**
 * A Redis connection for calls that must wait out an outage rather than fail (BullMQ, the fleet
 * journal): commands queue while Redis is away and run once it is back.
 *
 * @param url - As for {@link createFailFastRedis}.
 */
export function createPatientRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}
