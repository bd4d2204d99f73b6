import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { createServerToServerAuth } from "./server-to-server.js";
import { createFakeIms } from "./testing/fake-ims.js";

describe("createServerToServerAuth", () => {
  it("posts the credentials URL-encoded in the form body of /ims/token/v3, never in the URL", async () => {
    const ims = createFakeIms();
    const secret = "p&ss=word+/?#%";
    const auth = createServerToServerAuth({ clientId: "my-client", clientSecret: secret, fetch: ims.fetch });
    await auth.getToken();
    const [call] = ims.calls;
    expect(call?.url).toBe("https://ims-na1.adobelogin.com/ims/token/v3");
    expect(call?.method).toBe("POST");
    expect(call?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(call?.headers.get("authorization")).toBeNull();
    expect(Object.fromEntries(call?.form ?? [])).toEqual({
      grant_type: "client_credentials",
      client_id: "my-client",
      client_secret: secret,
      scope: "openid,AdobeID,read_organizations",
    });
    expect(call?.body).toContain("client_secret=p%26ss%3Dword%2B%2F%3F%23%25");
    expect(call?.url).not.toContain("my-client");
  });

  it("tells onSecret every credential it holds: the client secret at once, each token as it gets it", async () => {
    const ims = createFakeIms();
    const told: string[] = [];
    const auth = createServerToServerAuth({
      clientId: "my-client",
      clientSecret: "the-client-secret",
      fetch: ims.fetch,
      onSecret: (secret) => told.push(secret),
    });
    expect(told).toEqual(["the-client-secret"]);
    const first = await auth.getToken();
    await auth.invalidate(first.accessToken);
    const second = await auth.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(told).toEqual(["the-client-secret", first.accessToken, second.accessToken]);
  });

  it("ignores an onSecret that throws", async () => {
    const ims = createFakeIms();
    const auth = createServerToServerAuth({
      clientId: "c",
      clientSecret: "s",
      fetch: ims.fetch,
      onSecret: () => {
        throw new Error("hook failed");
      },
    });
    expect((await auth.getToken()).accessToken).toBeTruthy();
  });

  it("uses the given IMS origin and scopes", async () => {
    const ims = createFakeIms();
    const auth = createServerToServerAuth({
      clientId: "c",
      clientSecret: "s",
      scopes: ["openid", "firefly_api"],
      imsUrl: "http://127.0.0.1:4010/",
      fetch: ims.fetch,
      clock: createFakeClock({ autoAdvance: true }),
    });
    expect((await auth.getToken()).scopes).toEqual(["openid", "firefly_api"]);
    expect(ims.calls[0]?.url).toBe("http://127.0.0.1:4010/ims/token/v3");
    expect(ims.calls[0]?.form.get("scope")).toBe("openid,firefly_api");
  });

  it("defaults to the global fetch", () => {
    expect(createServerToServerAuth({ clientId: "c", clientSecret: "s" }).clientId).toBe("c");
  });

  it.each([
    [{ clientId: "", clientSecret: "s" }, "clientId is required"],
    [
      { clientId: "a b", clientSecret: "s" },
      "clientId is required and must be a non-empty string of visible ASCII",
    ],
    [{ clientId: "c\r\nx-evil: 1", clientSecret: "s" }, "clientId is required"],
    [
      { clientId: "c", clientSecret: "" },
      "clientSecret is required and must be a non-empty string (or set PHOTOSHOP_CLIENT_ID",
    ],
    [{ clientId: "c", clientSecret: "s", scopes: [] }, "scopes must be a non-empty array"],
    [{ clientId: "c", clientSecret: "s", scopes: ["a,b"] }, "scopes must be a non-empty array"],
    [{ clientId: "c", clientSecret: "s", scopes: "openid" }, "scopes must be a non-empty array"],
    [{ clientId: "c", clientSecret: "s", imsUrl: "not a url" }, "imsUrl must be an absolute URL"],
    [{ clientId: "c", clientSecret: "s", imsUrl: "http://ims.example.com" }, "imsUrl must use https"],
    [{ clientId: "c", clientSecret: "s", imsUrl: "ftp://localhost" }, "imsUrl must use https"],
    [
      { clientId: "c", clientSecret: "s", imsUrl: "https://ims.example.com/ims/token/v3" },
      "imsUrl must be an origin",
    ],
    [{ clientId: "c", clientSecret: "s", imsUrl: "https://u:p@ims.example.com" }, "imsUrl must be an origin"],
    [{ clientId: "c", clientSecret: "s", imsUrl: "https://ims.example.com?x=1" }, "imsUrl must be an origin"],
    [{ clientId: "c", clientSecret: "s", imsUrl: "https://ims.example.com#x" }, "imsUrl must be an origin"],
    [{ clientId: "c", clientSecret: "s", fetch: "fetch" }, "fetch must be a function"],
    [{ clientId: "c", clientSecret: "s", clock: {} }, "clock must have now() and sleep"],
    [{ clientId: "c", clientSecret: "s", clock: { now: () => 0 } }, "clock must have now() and sleep"],
    [{ clientId: "c", clientSecret: "s", clock: null }, "clock must have now() and sleep"],
    [{ clientId: "c", clientSecret: "s", random: 4 }, "random must be a function"],
    [{ clientId: "c", clientSecret: "s", logger: null }, "logger must be an object"],
    [{ clientId: "c", clientSecret: "s", onSecret: "log" }, "onSecret must be a function"],
    [{ clientId: "c", clientSecret: "s", timeoutMs: 0 }, "timeoutMs must be a finite number"],
    [{ clientId: "c", clientSecret: "s", refreshAhead: -1 }, "refreshAhead must be a finite number"],
    [{ clientId: "c", clientSecret: "s", refreshAhead: Number.NaN }, "refreshAhead must be a finite number"],
    [{ clientId: "c", clientSecret: "s", refreshAhead: "1h" }, "refreshAhead must be a finite number"],
    [{ clientId: "c", clientSecret: "s", store: {} }, "store must have async get"],
    [{ clientId: "c", clientSecret: "s", store: null }, "store must have async get"],
    [{ clientId: "c", clientSecret: "s", storeTimeoutMs: 0 }, "storeTimeoutMs must be a finite number"],
    [
      {
        clientId: "c",
        clientSecret: "s",
        store: { get: async () => {}, set: async () => {}, delete: async () => {}, timeoutMs: "10s" },
      },
      "storeTimeoutMs must be a finite number",
    ],
  ])("rejects bad options at once: %o", (options, message) => {
    expect(() => createServerToServerAuth(options as never)).toThrow(TypeError);
    expect(() => createServerToServerAuth(options as never)).toThrow(`[@psapi/auth] ${message}`);
  });

  it("accepts http for localhost and [::1]", () => {
    for (const imsUrl of ["http://localhost:4010", "http://[::1]:4010"]) {
      expect(createServerToServerAuth({ clientId: "c", clientSecret: "s", imsUrl }).clientId).toBe("c");
    }
  });
});
