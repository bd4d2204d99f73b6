import { describe, expect, it } from "vitest";
import { ADOBE_RATE_RULES, rateRuleMatcher } from "./rate-rules.js";

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

  it("holds Adobe's hard limits for remove background, the general service and masking (per minute and per day)", () => {
    const find = (method: string, route: string | undefined, windowMs: number) =>
      ADOBE_RATE_RULES.find(
        (rule) => rule.method === method && rule.route === route && rule.windowMs === windowMs,
      )?.limit;
    expect(find("POST", "/v2/remove-background", 3_000)).toBe(3);
    expect(find("POST", undefined, 3_000)).toBe(16);
    expect(find("POST", undefined, 60_000)).toBe(320);
    expect(find("GET", undefined, 3_000)).toBe(310);
    expect(find("POST", "/v1/*", 60_000)).toBe(60);
    expect(find("POST", "/v1/*", 86_400_000)).toBe(9_000);
  });
});

describe("rateRuleMatcher", () => {
  const rule = { name: "r", limit: 1, windowMs: 1 };

  it("matches the whole path against the route glob, * taking any run of characters", () => {
    const sensei = rateRuleMatcher({ ...rule, route: "/sensei/*" });
    expect(sensei("POST", "/sensei/mask")).toBe(true);
    expect(sensei("GET", "/sensei/status/a/b")).toBe(true);
    expect(sensei("POST", "/v1/sensei/mask")).toBe(false);
    expect(sensei("POST", "/sensei")).toBe(false);
    const exact = rateRuleMatcher({ ...rule, route: "/v2/remove-background" });
    expect(exact("POST", "/v2/remove-background")).toBe(true);
    expect(exact("POST", "/v2/remove-background/x")).toBe(false);
    // Every other character is literal: "." is a dot, "+" a plus.
    const literal = rateRuleMatcher({ ...rule, route: "/a.b+*" });
    expect(literal("GET", "/a.b+c")).toBe(true);
    expect(literal("GET", "/axbbc")).toBe(false);
  });

  it("counts every method when the rule names none, and only its own (in any case) when it does", () => {
    const any = rateRuleMatcher(rule);
    expect(any("GET", "/anything")).toBe(true);
    expect(any("DELETE", "/")).toBe(true);
    const post = rateRuleMatcher({ ...rule, method: "POST" });
    expect(post("post", "/v1/mask-objects")).toBe(true);
    expect(post("GET", "/v1/mask-objects")).toBe(false);
  });

  it("reads every one of Adobe's rules the way they are documented", () => {
    const counting = (method: string, path: string) =>
      ADOBE_RATE_RULES.filter((adobe) => rateRuleMatcher(adobe)(method, path)).map((adobe) => adobe.name);
    expect(counting("POST", "/sensei/mask")).toEqual(["post-3s", "post-1m", "sensei-1m"]);
    expect(counting("POST", "/v1/mask-objects")).toEqual(["post-3s", "post-1m", "masking-1m", "masking-1d"]);
    // auto-crop is served under /v1 and counts in the masking windows, the daily one included.
    expect(counting("POST", "/v1/auto-crop")).toEqual(["post-3s", "post-1m", "masking-1m", "masking-1d"]);
    expect(counting("POST", "/v2/remove-background")).toEqual(["post-3s", "post-1m", "remove-background-3s"]);
    expect(counting("GET", "/v2/status/1")).toEqual(["get-3s"]);
  });
});
