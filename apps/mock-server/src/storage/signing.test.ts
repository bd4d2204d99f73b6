import { describe, expect, it } from "vitest";
import { isValidKey, UrlSigner } from "./signing.js";

describe("UrlSigner", () => {
  it("signs method, key and expiry together", () => {
    const signer = new UrlSigner("a-configured-signing-key");
    const url = new URL(signer.presign("http://127.0.0.1:4010", "PUT", "in/a b.png", 2000));
    expect(url.pathname).toBe("/__emulator/storage/objects/in%2Fa%20b.png");
    expect(signer.check("PUT", "in/a b.png", url.searchParams, 1_999_999)).toBeUndefined();
    expect(signer.check("PUT", "in/a b.png", url.searchParams, 2_000_000)).toBe("expired");
    expect(signer.check("GET", "in/a b.png", url.searchParams, 0)).toBe("mismatch");
    expect(signer.check("PUT", "in/other.png", url.searchParams, 0)).toBe("mismatch");
    expect(signer.check("PUT", "in/a b.png", new URLSearchParams("expires=abc&sig=x"), 0)).toBe("missing");
  });

  it("gives the same signature for the same key and a different one per random instance", () => {
    expect(new UrlSigner("k".repeat(16)).sign("GET", "a", 1)).toBe(
      new UrlSigner("k".repeat(16)).sign("GET", "a", 1),
    );
    expect(new UrlSigner().sign("GET", "a", 1)).not.toBe(new UrlSigner().sign("GET", "a", 1));
  });
});

describe("isValidKey", () => {
  it("accepts nested keys and refuses traversal, empty segments and control characters", () => {
    expect(isValidKey("files/Example.psd")).toBe(true);
    for (const key of ["", "/a", "a/../b", "a/./b", "a//b", "a\u0000b", "x".repeat(1025)])
      expect(isValidKey(key)).toBe(false);
  });
});
