import { describe, expect, it } from "vitest";
import { createMemoryTokenStore, tokenStoreKey } from "./token-store.js";

describe("tokenStoreKey", () => {
  it("covers the IMS origin, the client id and the sorted, deduplicated scopes", () => {
    expect(
      tokenStoreKey({
        imsUrl: "https://ims-na1.adobelogin.com/",
        clientId: "id",
        scopes: ["openid", "AdobeID", "openid"],
      }),
    ).toBe("psapi:token:https://ims-na1.adobelogin.com|id|AdobeID,openid");
  });

  it("is the same whatever the scope order, and differs per origin, client and scope set", () => {
    const base = { imsUrl: "https://ims-na1.adobelogin.com", clientId: "id", scopes: ["a", "b"] };
    const key = tokenStoreKey(base);
    expect(tokenStoreKey({ ...base, scopes: ["b", "a"] })).toBe(key);
    expect(
      new Set([
        key,
        tokenStoreKey({ ...base, imsUrl: "http://127.0.0.1:4010" }),
        tokenStoreKey({ ...base, clientId: "other" }),
        tokenStoreKey({ ...base, scopes: ["a"] }),
        tokenStoreKey({ ...base, scopes: ["a,b"] }),
      ]).size,
    ).toBe(5);
  });

  it("encodes separators inside a client id so two credentials never share a key", () => {
    expect(tokenStoreKey({ imsUrl: "https://ims-na1.adobelogin.com", clientId: "a|b", scopes: [] })).toBe(
      "psapi:token:https://ims-na1.adobelogin.com|a%7Cb|",
    );
  });

  it("rejects a malformed IMS URL", () => {
    expect(() => tokenStoreKey({ imsUrl: "nope", clientId: "id", scopes: [] })).toThrow(
      "imsUrl must be an absolute URL",
    );
  });
});

describe("createMemoryTokenStore", () => {
  it("gets, sets and deletes by key", async () => {
    const store = createMemoryTokenStore();
    const token = { accessToken: "t", expiresAt: 1, scopes: [], clientId: "c" };
    expect(await store.get("k")).toBeUndefined();
    await store.set("k", token);
    expect(await store.get("k")).toBe(token);
    expect(await store.get("other")).toBeUndefined();
    await store.delete("k");
    expect(await store.get("k")).toBeUndefined();
  });
});
