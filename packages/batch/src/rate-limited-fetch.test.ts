import { describe, expect, it } from "vitest";
import { createRateLimitedFetch } from "./rate-limited-fetch.js";
import type { RateLimiter } from "./rate-limiter.js";

describe("createRateLimitedFetch", () => {
  it("settles its slot when the request's signal aborted while the slot was being taken", async () => {
    const stop = new AbortController();
    let settles = 0;
    let sends = 0;
    const limiter: RateLimiter = {
      async acquire() {
        // The caller gives up during the limiter's last round trip; the slot is granted all the same.
        stop.abort(new Error("stopped"));
        return {
          settle: async () => {
            settles++;
          },
        };
      },
      async pause() {},
    };
    const fetch = createRateLimitedFetch({
      limiter,
      fetch: async () => {
        sends++;
        return new Response("ok");
      },
    });
    await expect(fetch(new Request("https://example.com/x", { signal: stop.signal }))).rejects.toThrow(
      "stopped",
    );
    expect(sends).toBe(0);
    expect(settles).toBe(1);
  });
});
