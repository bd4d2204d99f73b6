import { createFakeClock, flush } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { ImsError } from "./ims-error.js";
import { createStaticTokenAuth } from "./static-token.js";

describe("createStaticTokenAuth", () => {
  it("serves the token with no known expiry", async () => {
    const auth = createStaticTokenAuth({ accessToken: "ready", clientId: "c" });
    expect(await auth.getToken()).toMatchObject({
      accessToken: "ready",
      clientId: "c",
      scopes: [],
      expiresAt: Number.POSITIVE_INFINITY,
    });
    expect({ ...(await auth.headers()) }).toEqual({ Authorization: "Bearer ready", "x-api-key": "c" });
  });

  it("serves the token until expiresAt without trying to refresh it, then rejects", async () => {
    const clock = createFakeClock({ start: 0, autoAdvance: true });
    const auth = createStaticTokenAuth({ accessToken: "ready", clientId: "c", expiresAt: 1000, clock });
    await clock.advance(999);
    expect((await auth.getToken()).accessToken).toBe("ready");
    await flush();
    await clock.advance(1);
    await expect(auth.getToken()).rejects.toMatchObject({ error: "invalid_token", status: undefined });
  });

  it("keeps serving the same token after invalidate, since there is no other to switch to", async () => {
    const auth = createStaticTokenAuth({ accessToken: "ready", clientId: "c" });
    await auth.invalidate("ready");
    expect((await auth.getToken()).accessToken).toBe("ready");
    expect((await auth.headers()).Authorization).toBe("Bearer ready");
  });

  it("rejects with ImsError once expired, whether or not it was invalidated", async () => {
    const clock = createFakeClock({ start: 0, autoAdvance: true });
    const auth = createStaticTokenAuth({ accessToken: "ready", clientId: "c", expiresAt: 10, clock });
    await auth.invalidate("ready");
    await clock.advance(10);
    await expect(auth.getToken()).rejects.toBeInstanceOf(ImsError);
    await expect(auth.getToken()).rejects.toThrow("a static token cannot be renewed");
  });

  it.each([
    [{ accessToken: "", clientId: "c" }, "accessToken is required"],
    [{ accessToken: "a\nb", clientId: "c" }, "accessToken is required"],
    [{ accessToken: "t", clientId: "" }, "clientId is required"],
    [{ accessToken: "t", clientId: "c", expiresAt: "tomorrow" }, "expiresAt must be a number"],
    [{ accessToken: "t", clientId: "c", expiresAt: Number.NaN }, "expiresAt must be a number"],
  ])("rejects bad options at once: %o", (options, message) => {
    expect(() => createStaticTokenAuth(options as never)).toThrow(`[@psapi/auth] ${message}`);
  });

  it("never quotes the token in a validation error", () => {
    expect(() => createStaticTokenAuth({ accessToken: "secret token", clientId: "c" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret") }),
    );
  });
});
