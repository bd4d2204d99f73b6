// The Redis token store's renewal lock against a real redis-server, on a fake clock for the store's
// own waits. (Many processes sharing one token, end to end with auth: packages/tests/src/redis-store.test.ts.)
import type { AccessToken } from "@psapi/auth";
import { createFakeClock } from "@psapi/core/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFailFastRedis } from "./redis-connection.js";
import { createRedisTokenStore } from "./redis-token-store.js";
import { type RedisServer, startRedisServer } from "./testing/redis-server.js";

let server: RedisServer;
const connections: Redis[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await server?.destroy();
});

function connection(): Redis {
  const redis = createFailFastRedis(server.url);
  redis.on("error", () => {});
  connections.push(redis);
  return redis;
}

describe("createRedisTokenStore", () => {
  it("takes the lock again after a renewal that failed without releasing it, instead of acting as its holder", async () => {
    const clock = createFakeClock({ start: 1_000_000 });
    const key = "psapi:token:test|stale-holder";
    const redis = connection();
    const a = createRedisTokenStore({ redis, clock, lockTtlMs: 1000, pollMs: 100 });
    const b = createRedisTokenStore({ redis: connection(), clock, lockTtlMs: 1000, pollMs: 100 });

    // Process A finds no token and takes the lock; its IMS request fails, so it never calls set.
    expect(await a.get(key)).toBeUndefined();
    // The lock's lifetime passes (on Redis's clock the lock expires: deleted here, as Redis would).
    await clock.advance(1001);
    await redis.del(`${key}:lock`);
    // Process B takes the lock and asks IMS.
    expect(await b.get(key)).toBeUndefined();

    // A tries again: it must wait for B's token, not ask IMS beside it.
    let settled = false;
    const again = a.get(key).finally(() => {
      settled = true;
    });
    const token: AccessToken = {
      accessToken: "token-b",
      expiresAt: clock.now() + 3_600_000,
      receivedAt: clock.now(),
      scopes: ["openid"],
      clientId: "test",
    };
    // Give A's first look at Redis time to happen (real time: Redis answers take it), then B stores its token.
    for (let i = 0; i < 5_000 && !settled && clock.pending() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    await b.set(key, token);
    for (let i = 0; i < 5_000 && !settled; i++) {
      if (clock.pending() > 0) await clock.advance(100);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await again).toEqual(token);
  });
});
