// The Redis token store and rate limiter against a real redis-server (nothing mocked at the Redis
// boundary): one IMS request for many processes, a dead lock holder, Redis going away and back.
import { createServerToServerAuth, tokenStoreKey } from "@psapi/auth";
import { createFailFastRedis, createRedisRateLimiter, createRedisTokenStore } from "@psapi/batch";
import { type RedisServer, startRedisServer } from "@psapi/batch/testing";
import type { Clock } from "@psapi/core";
import { createFakeClock, type FakeClock } from "@psapi/core/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let redis: RedisServer;
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.destroy();
});

function connection(): Redis {
  const client = createFailFastRedis(redis.url);
  client.on("error", () => {});
  connections.push(client);
  return client;
}

/** An IMS that answers after `delayMs`, counting the requests. */
function slowIms(delayMs: number) {
  let requests = 0;
  const fetch = async () => {
    requests++;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return Response.json({ access_token: `token-${requests}`, token_type: "bearer", expires_in: 86_399 });
  };
  return { fetch, requests: () => requests };
}

/** One "process": its own connection, store and auth. */
function processAuth(
  fetch: () => Promise<Response>,
  clientId: string,
  logger = {},
  clocks?: { auth: Clock; store: Clock },
) {
  const store = createRedisTokenStore({
    redis: connection(),
    logger,
    ...(clocks && { clock: clocks.store }),
  });
  return createServerToServerAuth({
    clientId,
    clientSecret: "s",
    fetch,
    store,
    imsUrl: "http://127.0.0.1:1",
    ...(clocks && { clock: clocks.auth }),
  });
}

const SCOPES = ["openid", "AdobeID", "read_organizations"];
const tokenAnswer = (token: string) =>
  Response.json({ access_token: token, token_type: "bearer", expires_in: 86_399 });

/** Waits (in real time: Redis answers take real time) until `ready()`; a hang guard, not a timing assert. */
async function until(ready: () => boolean, tries = 5_000): Promise<void> {
  for (let i = 0; i < tries && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!ready()) throw new Error("gave up waiting");
}

/** `promise`, and whether it has settled (for `drive`'s stop condition). */
function settling<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  return {
    promise: promise.finally(() => {
      settled = true;
    }),
    settled: () => settled,
  };
}

/**
 * A view of a fake clock for the store alone, and `drive()`, which moves virtual time one poll at a
 * time, each once the store sleeps again (its looks at Redis take real time), until `done()`. Auth
 * takes the clock itself: its time limits are pending sleeps too, and must not count as the store's.
 */
function storeClock(clock: FakeClock) {
  let sleeping = 0;
  const view: Clock = {
    now: () => clock.now(),
    sleep: (ms, signal) => {
      sleeping++;
      return clock.sleep(ms, signal).finally(() => {
        sleeping--;
      });
    },
  };
  async function drive(done: () => boolean, untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    const end = clock.now() + untilMs;
    while (!done() && clock.now() < end) {
      await until(() => sleeping > 0 || done());
      if (!done()) await clock.advance(100);
    }
  }
  return { view, drive };
}

describe("createRedisTokenStore", () => {
  it("makes one IMS request for eight processes that all need a token at once", async () => {
    const ims = slowIms(300);
    const auths = Array.from({ length: 8 }, () => processAuth(ims.fetch, "fleet-a"));
    const tokens = await Promise.all(auths.map((auth) => auth.getToken()));
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(["token-1"]));
    expect(ims.requests()).toBe(1);
    // A process that starts later takes the stored token.
    expect((await processAuth(ims.fetch, "fleet-a").getToken()).accessToken).toBe("token-1");
    expect(ims.requests()).toBe(1);
  });

  it("lets a process through when the lock's holder died, once the lock expires", async () => {
    const ims = slowIms(0);
    const raw = connection();
    // A holder that took the lock and died: nobody stores a token or releases the lock.
    const lock = `${tokenStoreKey({ imsUrl: "http://127.0.0.1:1", clientId: "fleet-b", scopes: ["openid", "AdobeID", "read_organizations"] })}:lock`;
    await raw.set(lock, "dead-owner", "PX", 1000);
    const token = await processAuth(ims.fetch, "fleet-b").getToken();
    expect(token.accessToken).toBe("token-1");
    expect(ims.requests()).toBe(1);
    expect(await raw.exists(lock)).toBe(0);
  });

  it("waits for a live holder whose IMS request outlasts auth's default 5 s store limit, and takes its token", async () => {
    const clock = createFakeClock({ start: Date.now() });
    const tracked = storeClock(clock);
    let requests = 0;
    let answer: (() => void) | undefined;
    const ims = async () => {
      requests++;
      await new Promise<void>((resolve) => {
        answer = resolve;
      });
      return tokenAnswer(`token-${requests}`);
    };
    const holder = processAuth(ims, "fleet-d", {}, { auth: clock, store: clock }).getToken();
    await until(() => requests === 1);
    const waiter = settling(processAuth(ims, "fleet-d", {}, { auth: clock, store: tracked.view }).getToken());
    // 8 s of virtual time with the holder's request unanswered: the waiter keeps waiting.
    await tracked.drive(waiter.settled, 8_000);
    expect(waiter.settled()).toBe(false);
    expect(requests).toBe(1);
    answer?.();
    expect((await holder).accessToken).toBe("token-1");
    await tracked.drive(waiter.settled);
    expect((await waiter.promise).accessToken).toBe("token-1");
    expect(requests).toBe(1);
  });

  it("stops waiting for a dead holder when the lock it found expires, not before", async () => {
    const raw = connection();
    const lock = `${tokenStoreKey({ imsUrl: "http://127.0.0.1:1", clientId: "fleet-e", scopes: SCOPES })}:lock`;
    // A holder that took the lock and died: nobody stores a token or releases the lock.
    await raw.set(lock, "dead-owner", "PX", 10_000);
    const clock = createFakeClock({ start: Date.now() });
    const tracked = storeClock(clock);
    const started = clock.now();
    let askedAt: number | undefined;
    const ims = async () => {
      askedAt = clock.now();
      return tokenAnswer("token-1");
    };
    const token = settling(processAuth(ims, "fleet-e", {}, { auth: clock, store: tracked.view }).getToken());
    await tracked.drive(token.settled, 20_000);
    expect((await token.promise).accessToken).toBe("token-1");
    // The lock had (a few real ms less than) 10 s to live when the waiter found it.
    expect((askedAt ?? 0) - started).toBeGreaterThan(9_000);
    expect((askedAt ?? 0) - started).toBeLessThanOrEqual(10_000);
    await raw.del(lock);
  });

  it("serves tokens while Redis is away, with one warning, and shares again once it is back", async () => {
    const ims = slowIms(0);
    const logger = { warn: vi.fn(), info: vi.fn() };
    await redis.stop();
    try {
      const auth = processAuth(ims.fetch, "fleet-c", logger);
      expect((await auth.getToken()).accessToken).toBe("token-1");
      await auth.invalidate("token-1");
      expect((await auth.getToken()).accessToken).toBe("token-2");
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        "Redis token store unreachable; tokens are cached in this process only",
        expect.objectContaining({ source: "@psapi/batch" }),
      );
    } finally {
      await redis.start();
    }
    // Back: a new process's token is shared with the next one.
    const later = slowIms(0);
    expect((await processAuth(later.fetch, "fleet-c").getToken()).accessToken).toBe("token-1");
    expect((await processAuth(later.fetch, "fleet-c").getToken()).accessToken).toBe("token-1");
    expect(later.requests()).toBe(1);
  });
});

describe("createRedisRateLimiter", () => {
  const rules = [{ name: "post", method: "POST" as const, limit: 3, windowMs: 60_000 }];
  // `acquire` rejects with the signal's reason (AbortSignal.timeout's is a DOMException named
  // TimeoutError): the limiter was still waiting when the signal gave up. A Redis error, a bug in
  // the limiter or an immediate "window full" throw rejects with something else.
  const TIMED_OUT = { name: "TimeoutError" };

  it("shares one window between processes", async () => {
    const scope = "shared-window";
    const a = createRedisRateLimiter({ redis: connection(), rules, scope });
    const b = createRedisRateLimiter({ redis: connection(), rules, scope });
    await a.acquire("POST", "/sensei/mask");
    await b.acquire("POST", "/sensei/mask");
    await a.acquire("POST", "/sensei/cutout");
    // The window is full for both: the fourth waits (here until the signal gives up).
    await expect(b.acquire("POST", "/sensei/mask", AbortSignal.timeout(500))).rejects.toMatchObject(
      TIMED_OUT,
    );
    await expect(a.acquire("POST", "/sensei/mask", AbortSignal.timeout(500))).rejects.toMatchObject(
      TIMED_OUT,
    );
    // GETs are not counted by this rule.
    await a.acquire("GET", "/sensei/status/1");
  });

  it("holds every process during a Retry-After one of them received", async () => {
    const scope = "shared-pause";
    const a = createRedisRateLimiter({ redis: connection(), rules, scope });
    const b = createRedisRateLimiter({ redis: connection(), rules, scope });
    await a.pause("POST", "/sensei/mask", Date.now() + 60_000);
    await expect(b.acquire("POST", "/sensei/mask", AbortSignal.timeout(500))).rejects.toMatchObject(
      TIMED_OUT,
    );
  });

  it("keeps to the windows on its own while Redis is away, with one warning", async () => {
    const logger = { warn: vi.fn(), info: vi.fn() };
    const clock = createFakeClock({ start: Date.now() });
    const limiter = createRedisRateLimiter({ redis: connection(), rules, scope: "away", logger, clock });
    await redis.stop();
    try {
      for (let i = 0; i < 3; i++) await (await limiter.acquire("POST", "/sensei/mask")).settle();
      const started = clock.now();
      const fourth = settling(limiter.acquire("POST", "/sensei/mask"));
      // Redis's failure takes real time; then this process's own window holds the fourth on the clock.
      await until(() => clock.pending() > 0 || fourth.settled(), 30_000);
      expect(fourth.settled()).toBe(false);
      await clock.run(fourth.promise);
      expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
      expect(logger.warn).toHaveBeenCalledTimes(1);
    } finally {
      await redis.start();
    }
  });
});
