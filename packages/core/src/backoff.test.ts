import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles per attempt and spreads each wait between half and all of it", () => {
    expect([1, 2, 3].map((attempt) => backoffDelay(attempt, 1000, 60_000, () => 0))).toEqual([
      500, 1000, 2000,
    ]);
    expect([1, 2, 3].map((attempt) => backoffDelay(attempt, 1000, 60_000, () => 0.5))).toEqual([
      750, 1500, 3000,
    ]);
  });

  it("never exceeds the cap", () => {
    expect(backoffDelay(30, 1000, 8000, () => 0.9999)).toBe(8000);
  });
});
