import { describe, expect, it } from "vitest";
import { ADOBE_RATE_RULES } from "./rate-rules.js";

describe("ADOBE_RATE_RULES", () => {
  it("names each window once, in a form that fits a Redis key, with whole positive numbers", () => {
    const names = ADOBE_RATE_RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of ADOBE_RATE_RULES) {
      expect(rule.name).toMatch(/^[A-Za-z0-9-]+$/);
      expect(Number.isInteger(rule.limit) && rule.limit > 0).toBe(true);
      expect(Number.isInteger(rule.windowMs) && rule.windowMs > 0).toBe(true);
    }
  });

  it("holds Adobe's hard limits for remove background and the general service", () => {
    const find = (method: string, route: string | undefined, windowMs: number) =>
      ADOBE_RATE_RULES.find(
        (rule) => rule.method === method && rule.route === route && rule.windowMs === windowMs,
      )?.limit;
    expect(find("POST", "/v2/remove-background", 3_000)).toBe(3);
    expect(find("POST", undefined, 3_000)).toBe(16);
    expect(find("POST", undefined, 60_000)).toBe(320);
    expect(find("GET", undefined, 3_000)).toBe(310);
    expect(find("POST", "/v1/*", 60_000)).toBe(60);
  });
});
