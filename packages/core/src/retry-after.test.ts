import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("2", 0)).toBe(2000);
    expect(parseRetryAfter(" 0 ", 0)).toBe(0);
  });

  it("reads an HTTP-date as the time left until then, never negative", () => {
    const date = new Date(12_000).toUTCString();
    expect(parseRetryAfter(date, 2_000)).toBe(10_000);
    expect(parseRetryAfter(date, 20_000)).toBe(0);
  });

  it("gives undefined for an absent or malformed header", () => {
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter("", 0)).toBeUndefined();
  });
});
