// The Redis limiter against a real redis-server: a process that stops lets go of its slots.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFailFastRedis } from "./redis-connection.js";
import { createRedisRateLimiter } from "./redis-rate-limiter.js";
import { type RedisServer, startRedisServer } from "./testing/redis-server.js";

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createFailFastRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
});

const redisNow = async () => {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
};

describe("createRedisRateLimiter", () => {
  it("settles every slot still held on close, so a stopping worker does not hold the fleet's window", async () => {
    const rules = [{ name: "one", method: "POST" as const, limit: 10, windowMs: 60_000 }];
    const limiter = createRedisRateLimiter({ redis, rules, scope: "closing", inflightMs: 600_000 });
    // Two requests in flight (never settled: their process is stopping), one answered.
    await limiter.acquire("POST", "/v2/remove-background");
    await limiter.acquire("POST", "/v2/remove-background");
    const answered = await limiter.acquire("POST", "/v2/remove-background");
    await answered.settle();
    const before = await redisNow();
    const ahead = await redis.zrangebyscore("psapi:rate:closing:one", before + 300_000, "+inf");
    expect(ahead).toHaveLength(2);
    await limiter.close();
    // Each now counts from when it was let go, not for the in-flight bound.
    const after = await redisNow();
    expect(await redis.zrangebyscore("psapi:rate:closing:one", after + 1, "+inf")).toEqual([]);
    expect(await redis.zcard("psapi:rate:closing:one")).toBe(3);
  });
  it("settles a slot whose counting was under way when close() began, and one counted after", async () => {
    const rules = [{ name: "one", method: "POST" as const, limit: 10, windowMs: 60_000 }];
    const limiter = createRedisRateLimiter({ redis, rules, scope: "racing", inflightMs: 600_000 });
    // The script that counts the slot is on its way to Redis when the process starts stopping.
    const counting = limiter.acquire("POST", "/v2/remove-background");
    await limiter.close();
    const after = await redisNow();
    expect(await redis.zrangebyscore("psapi:rate:racing:one", after + 1, "+inf")).toEqual([]);
    expect(await redis.zcard("psapi:rate:racing:one")).toBe(1);
    await counting;
    // A request that starts once the limiter is closed is let go as soon as it is counted.
    await limiter.acquire("POST", "/v2/remove-background");
    await new Promise((resolve) => setImmediate(resolve));
    await limiter.close();
    const later = await redisNow();
    expect(await redis.zrangebyscore("psapi:rate:racing:one", later + 1, "+inf")).toEqual([]);
    expect(await redis.zcard("psapi:rate:racing:one")).toBe(2);
  });
});
