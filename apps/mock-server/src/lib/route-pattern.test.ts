import { describe, expect, it } from "vitest";
import { compileRoute, matchesRoute } from "./route-pattern.js";

describe("compileRoute", () => {
  it("matches an optional method and a glob path", () => {
    const post = compileRoute("POST /sensei/*");
    expect(matchesRoute(post, "POST", "/sensei/mask")).toBe(true);
    expect(matchesRoute(post, "GET", "/sensei/mask")).toBe(false);
    expect(matchesRoute(post, "POST", "/pie/psdService/hello")).toBe(false);
    const any = compileRoute("*");
    expect(matchesRoute(any, "DELETE", "/anything")).toBe(true);
    const exact = compileRoute("/a.b");
    expect(matchesRoute(exact, "GET", "/a.b")).toBe(true);
    expect(matchesRoute(exact, "GET", "/axb")).toBe(false);
  });

  it("refuses a lower-case method", () => {
    expect(() => compileRoute("get /x")).toThrow(/method must be like GET/);
  });
});
