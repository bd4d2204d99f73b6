import { randomUUID } from "node:crypto";
import { errorSummary } from "@psapi/auth";
import { type Clock, type Logger, systemClock } from "@psapi/core";
import type { Redis } from "ioredis";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { type CompiledRule, compileRules, type RateRule } from "./rate-rules.js";

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** A connection that fails fast when Redis is away: {@link createFailFastRedis}. */
  redis: Redis;
  rules: readonly RateRule[];
  /** Whose windows these are: processes with the same scope share them (one per credential). */
  scope: string;
  /** As for the memory limiter. Default 50. */
  marginMs?: number;
  /**
   * The longest a request can be in flight (ms): an unsettled request counts for this long at
   * most, so one whose process died frees its place. Default 60000 (the limited fetch times a
   * request out after 30 s).
   */
  inflightMs?: number;
  /** Key prefix. Default `psapi:rate:`. */
  prefix?: string;
  clock?: Clock;
  /** One warning when Redis goes away (then this process keeps to its own windows), one note when back. */
  logger?: Logger;
}

/**
 * Sliding logs in sorted sets, one per rule (`<prefix><scope>:<rule>`), checked and counted in one
 * script with Redis's own clock, so processes on any machine share one set of windows. A request is
 * scored `inflightMs` ahead while in flight (it counts as arriving now: a member scored ahead counts
 * from now), and {@link SETTLE} scores it with the time its answer came. A pause (Retry-After) is a
 * key per rule holding the time it ends.
 * ARGV: member, rule count, in-flight ms, then limit and window (margin included) per rule.
 * KEYS: the log of each rule, then the pause key of each rule.
 * Returns 0 when counted, else the milliseconds to wait.
 */
const ACQUIRE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[2])
local inflight = tonumber(ARGV[3])
local wait = 0
for i = 1, n do
  local limit = tonumber(ARGV[2 + 2 * i])
  local window = tonumber(ARGV[3 + 2 * i])
  redis.call("ZREMRANGEBYSCORE", KEYS[i], "-inf", now - window)
  if redis.call("ZCARD", KEYS[i]) >= limit then
    local oldest = redis.call("ZRANGE", KEYS[i], 0, 0, "WITHSCORES")
    local w = math.min(tonumber(oldest[2]), now) + window - now
    if w > wait then wait = w end
  end
  local paused = tonumber(redis.call("GET", KEYS[n + i]) or "0")
  if paused - now > wait then wait = paused - now end
end
if wait > 0 then return math.ceil(wait) end
for i = 1, n do
  redis.call("ZADD", KEYS[i], now + inflight, ARGV[1])
  redis.call("PEXPIRE", KEYS[i], tonumber(ARGV[3 + 2 * i]) + inflight)
end
return 0`;

/** Scores a counted request (ARGV[1]) with the time its answer came, in every log it is in (KEYS). */
const SETTLE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do redis.call("ZADD", KEYS[i], "XX", now, ARGV[1]) end
return 0`;

/** Moves a pause's end later, never earlier. ARGV: the end (epoch ms). */
const PAUSE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = tonumber(ARGV[1])
for i = 1, #KEYS do
  local current = tonumber(redis.call("GET", KEYS[i]) or "0")
  if untilMs > current and untilMs > now then redis.call("SET", KEYS[i], untilMs, "PX", untilMs - now) end
end
return 0`;

/** A request never waits longer than this per round, so a pause that ends early is seen. */
const MAX_ROUND_MS = 1_000;

/** A {@link RateLimiter} shared through Redis, and how to let go of its slots before disconnecting. */
export interface RedisRateLimiter extends RateLimiter {
  /**
   * Settles every slot this process still holds (a request aborted mid-flight counts as having
   * arrived now) and waits for the settles under way. Call it before the connection closes: an
   * unsettled slot keeps counting, for the whole fleet, until `inflightMs` has passed.
   */
  close(): Promise<void>;
}

/**
 * A {@link RateLimiter} shared through Redis by every process with the same `scope`: a fleet of
 * workers keeps to one organisation's windows together. When Redis is away, each process keeps to
 * the windows on its own (a memory limiter), with one warning; the fleet as a whole may then go
 * over, and the `Retry-After` of any 429 pauses it.
 *
 * @param options - See {@link RedisRateLimiterOptions}.
 * @example
 * const limiter = createRedisRateLimiter({ redis, rules: ADOBE_RATE_RULES, scope: clientId });
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const { redis, logger } = options;
  const clock = options.clock ?? systemClock;
  const margin = options.marginMs ?? 50;
  const inflightMs = options.inflightMs ?? 60_000;
  const prefix = `${options.prefix ?? "psapi:rate:"}${options.scope}:`;
  const rules = compileRules(options.rules);
  const local = createMemoryRateLimiter({ rules: options.rules, marginMs: margin, clock });
  let away = false;
  // The slots counted in Redis and not settled yet, and the settles under way.
  const open = new Map<string, string[]>();
  const settling = new Set<Promise<void>>();
  // The acquisitions whose script is under way: one may count a slot in Redis after close() began.
  const acquiring = new Set<Promise<unknown>>();
  let closed = false;
  const settleIn = (logs: string[], member: string): Promise<void> => {
    open.delete(member);
    const done = redis
      .eval(SETTLE, logs.length, ...logs, member)
      .then(
        () => {},
        // Unsettled, it keeps counting until inflightMs has passed: later, never too early.
        (error: unknown) => wentAway(error),
      )
      .finally(() => settling.delete(done));
    settling.add(done);
    return done;
  };
  const matching = (method: string, path: string): CompiledRule[] =>
    rules.filter((rule) => rule.matches(method, path));

  function wentAway(error: unknown) {
    if (away) return;
    away = true;
    logger?.warn?.("Redis rate limiter unreachable; this process keeps to the windows on its own", {
      source: "@psapi/batch",
      error: errorSummary(error),
    });
  }
  function cameBack() {
    if (!away) return;
    away = false;
    logger?.info?.("Redis rate limiter reachable again", { source: "@psapi/batch" });
  }

  return {
    async acquire(method, path, signal) {
      const rulesNow = matching(method, path);
      if (rulesNow.length === 0) return { settle: async () => {} };
      const logs = rulesNow.map((rule) => `${prefix}${rule.rule.name}`);
      const keys = [...logs, ...rulesNow.map((rule) => `${prefix}${rule.rule.name}:pause`)];
      const args = rulesNow.flatMap((rule) => [rule.rule.limit, rule.rule.windowMs + margin]);
      const member = randomUUID();
      for (;;) {
        signal?.throwIfAborted();
        let wait: number;
        const call = redis.eval(ACQUIRE, keys.length, ...keys, member, rulesNow.length, inflightMs, ...args);
        acquiring.add(call);
        try {
          wait = Number(await call);
          cameBack();
        } catch (error) {
          wentAway(error);
          return local.acquire(method, path, signal);
        } finally {
          acquiring.delete(call);
        }
        if (wait <= 0) break;
        await clock.sleep(Math.min(wait, MAX_ROUND_MS), signal);
      }
      open.set(member, logs);
      // Counted after close() began (a request started as the process stops): settled at once, since
      // nothing may hold a slot once the connection goes.
      if (closed) void settleIn(logs, member);
      return {
        async settle() {
          if (open.has(member)) await settleIn(logs, member);
        },
      };
    },
    async pause(method, path, untilMs) {
      await local.pause(method, path, untilMs);
      const keys = matching(method, path).map((rule) => `${prefix}${rule.rule.name}:pause`);
      if (keys.length === 0) return;
      try {
        await redis.eval(PAUSE, keys.length, ...keys, Math.ceil(untilMs));
        cameBack();
      } catch (error) {
        wentAway(error);
      }
    },
    async close() {
      closed = true;
      // A slot being counted now would be missed by the loop below: wait for those scripts first.
      await Promise.allSettled([...acquiring]);
      for (const [member, logs] of [...open]) void settleIn(logs, member);
      await Promise.all([...settling]);
    },
  };
}
