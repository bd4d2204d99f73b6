import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "./rate-limiter.js";

const POST = [{ name: "post", method: "POST" as const, route: "/sensei/*", limit: 3, windowMs: 1000 }];

describe("createMemoryRateLimiter", () => {
  it("lets `limit` requests through per sliding window (plus the margin), then waits", async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const limiter = createMemoryRateLimiter({ rules: POST, marginMs: 100, clock });
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      // Answered at once: each counts from the moment it was sent.
      await (await limiter.acquire("POST", "/sensei/mask")).settle();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 0, 0, 1100, 1100, 1100, 2200]);
    // Other methods, other paths and non-API paths are not counted.
    await limiter.acquire("GET", "/sensei/status/1");
    await limiter.acquire("POST", "/ims/token/v3");
    expect(clock.now()).toBe(2200);
  });

  it("counts a request from when its answer came, so a slow answer cannot let a later one arrive inside its window", async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const limiter = createMemoryRateLimiter({
      rules: [{ name: "post", method: "POST", limit: 2, windowMs: 1000 }],
      marginMs: 0,
      clock,
    });
    await (await limiter.acquire("POST", "/sensei/mask")).settle(); // sent and answered at 0
    const slow = await limiter.acquire("POST", "/sensei/mask"); // sent at 0 ...
    await clock.sleep(600);
    await slow.settle(); // ... answered at 600: the service may have counted it as late as that
    await (await limiter.acquire("POST", "/sensei/mask")).settle();
    expect(clock.now()).toBe(1000); // the first left the window
    await limiter.acquire("POST", "/sensei/mask");
    expect(clock.now()).toBe(1600); // the slow one left it, a window after its answer
  });

  it("holds the place of a request in flight until it is settled", async () => {
    const clock = createFakeClock();
    const limiter = createMemoryRateLimiter({
      rules: [{ name: "post", method: "POST", limit: 1, windowMs: 1000 }],
      marginMs: 0,
      clock,
    });
    const first = await limiter.acquire("POST", "/sensei/mask");
    let secondAt: number | undefined;
    const second = limiter.acquire("POST", "/sensei/mask").then((slot) => {
      secondAt = clock.now();
      return slot;
    });
    await clock.advance(5000);
    expect(secondAt).toBeUndefined();
    await first.settle();
    await clock.advance(1000);
    expect(secondAt).toBe(6000);
    await second;
  });

  it("holds matching requests until a Retry-After has passed", async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const limiter = createMemoryRateLimiter({
      rules: [{ name: "post", method: "POST", limit: 100, windowMs: 1000 }],
      clock,
    });
    await limiter.pause("POST", "/sensei/mask", 2500);
    await limiter.acquire("POST", "/v2/remove-background");
    expect(clock.now()).toBe(2500);
  });

  it("counts requests another run made (record), so that it waits for their window to pass", async () => {
    const clock = createFakeClock({ autoAdvance: true, start: 10_000 });
    const limiter = createMemoryRateLimiter({ rules: POST, marginMs: 100, clock });
    // A killed run's three submissions, answered 600, 400 and 200 ms ago.
    for (const ago of [600, 400, 200]) limiter.record("POST", "/sensei/mask", 10_000 - ago);
    await (await limiter.acquire("POST", "/sensei/mask")).settle();
    // The oldest leaves the window (plus margin) 500 ms from now.
    expect(clock.now()).toBe(10_500);
    // A request to a path no rule counts is not held by them.
    limiter.record("GET", "/sensei/status/1", 10_500);
    expect(limiter.waitFor("GET", "/sensei/status/1")).toBe(0);
  });

  it("refuses invalid rules", () => {
    expect(() => createMemoryRateLimiter({ rules: [{ name: "x y", limit: 1, windowMs: 1 }] })).toThrow(
      /name/,
    );
    expect(() => createMemoryRateLimiter({ rules: [{ name: "x", limit: 0, windowMs: 1 }] })).toThrow(/limit/);
    expect(() => createMemoryRateLimiter({ rules: [{ name: "x", limit: 1, windowMs: 0.5 }] })).toThrow(
      /windowMs/,
    );
  });
});
