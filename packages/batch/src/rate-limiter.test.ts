import type { Clock } from "@psapi/core";
import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "./rate-limiter.js";

/** A clock whose sleep moves time on at once. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("createMemoryRateLimiter", () => {
  it("lets `limit` requests through per sliding window (plus the margin), then waits", async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter({
      rules: [{ name: "post", method: "POST", route: "/sensei/*", limit: 3, windowMs: 1000 }],
      marginMs: 100,
      clock,
    });
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limiter.acquire("POST", "/sensei/mask");
      times.push(clock.now());
    }
    expect(times).toEqual([0, 0, 0, 1100, 1100, 1100, 2200]);
    // Other methods, other paths and non-API paths are not counted.
    await limiter.acquire("GET", "/sensei/status/1");
    await limiter.acquire("POST", "/ims/token/v3");
    expect(clock.now()).toBe(2200);
  });

  it("holds matching requests until a Retry-After has passed", async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter({
      rules: [{ name: "post", method: "POST", limit: 100, windowMs: 1000 }],
      clock,
    });
    await limiter.pause("POST", "/sensei/mask", 2500);
    await limiter.acquire("POST", "/v2/remove-background");
    expect(clock.now()).toBe(2500);
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
