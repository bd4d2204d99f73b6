import { describe, expect, it } from "vitest";
import { bearerToken } from "./bearer-token.js";

describe("bearerToken", () => {
  it("takes the token out of a Bearer header, the scheme in any case", () => {
    expect(bearerToken("Bearer tok-7f3a")).toBe("tok-7f3a");
    expect(bearerToken("bearer  tok-7f3a")).toBe("tok-7f3a");
    expect(bearerToken("BEARER a.b.c")).toBe("a.b.c");
  });

  it("finds no token in another scheme, an empty one or no header", () => {
    expect(bearerToken("Basic dXNlcjpwYXNz")).toBeUndefined();
    expect(bearerToken("Bearer ")).toBeUndefined();
    expect(bearerToken("Bearertok")).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
