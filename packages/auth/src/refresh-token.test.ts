import { createFakeClock, flush } from "@psapi/core/testing";
import { describe, expect, it, vi } from "vitest";
import { createRefreshTokenAuth, type RefreshTokenAuthOptions } from "./refresh-token.js";
import { createFakeIms, type ImsAnswer, json, tokenResponse } from "./testing/fake-ims.js";

const DAY = 86_400_000;

function setup(answers: ImsAnswer[], options: Partial<RefreshTokenAuthOptions> = {}) {
  const clock = createFakeClock({ start: 0, autoAdvance: true });
  const ims = createFakeIms(...answers);
  const logger = { error: vi.fn() };
  const auth = createRefreshTokenAuth({
    clientId: "web-app",
    clientSecret: "web-secret",
    refreshToken: "refresh-1",
    fetch: ims.fetch,
    clock,
    logger,
    ...options,
  });
  return { auth, clock, ims, logger };
}

describe("createRefreshTokenAuth", () => {
  it("uses grant_type=refresh_token at /ims/token/v3 with the credentials in the form body", async () => {
    const { auth, ims } = setup([() => tokenResponse("access-1")]);
    expect(await auth.getToken()).toMatchObject({
      accessToken: "access-1",
      clientId: "web-app",
      expiresAt: DAY,
    });
    expect(ims.calls[0]?.url).toBe("https://ims-na1.adobelogin.com/ims/token/v3");
    expect(Object.fromEntries(ims.calls[0]?.form ?? [])).toEqual({
      grant_type: "refresh_token",
      client_id: "web-app",
      client_secret: "web-secret",
      refresh_token: "refresh-1",
    });
  });

  it("keeps the rotated refresh token for the next refresh and reports it once", async () => {
    const onRefreshToken = vi.fn();
    const { auth, clock, ims } = setup(
      [
        () => tokenResponse("access-1", 86_400, { refresh_token: "refresh-2" }),
        () => tokenResponse("access-2", 86_400, { refresh_token: "refresh-2" }),
        () => tokenResponse("access-3"),
      ],
      { onRefreshToken },
    );
    await auth.getToken();
    await flush();
    expect(onRefreshToken).toHaveBeenCalledExactlyOnceWith("refresh-2");
    await clock.advance(DAY);
    await auth.getToken();
    await clock.advance(DAY);
    await auth.getToken();
    await flush();
    expect(ims.calls.map((call) => call.form.get("refresh_token"))).toEqual([
      "refresh-1",
      "refresh-2",
      "refresh-2",
    ]);
    expect(onRefreshToken).toHaveBeenCalledTimes(1);
  });

  it("logs a failing onRefreshToken without failing the caller or quoting the token", async () => {
    const onRefreshToken = vi.fn(async () => {
      throw new Error("disk full while writing refresh-2");
    });
    const { auth, logger } = setup([() => tokenResponse("access-1", 60, { refresh_token: "refresh-2" })], {
      onRefreshToken,
    });
    expect((await auth.getToken()).accessToken).toBe("access-1");
    await flush();
    expect(logger.error).toHaveBeenCalledWith(
      "onRefreshToken failed; the rotated refresh token was not persisted",
      { source: "@psapi/auth", error: "Error" },
    );
  });

  it("rotates without a callback", async () => {
    const { auth, clock, ims } = setup([() => tokenResponse("a", 60, { refresh_token: "refresh-9" })]);
    await auth.getToken();
    await clock.advance(60_000);
    await auth.getToken();
    expect(ims.calls[1]?.form.get("refresh_token")).toBe("refresh-9");
  });

  it("rejects an expired refresh token with invalid_grant and scrubs it from the description", async () => {
    const { auth } = setup([
      () => json(400, { error: "invalid_grant", error_description: "refresh token refresh-1 has expired" }),
    ]);
    const error = await auth.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ error: "invalid_grant", status: 400 });
    expect(String((error as Error).message)).not.toContain("refresh-1");
  });

  it.each([
    [{ refreshToken: "" }, "refreshToken is required"],
    [{ clientSecret: undefined }, "clientSecret is required"],
    [{ clientId: "" }, "clientId is required"],
    [{ onRefreshToken: "save" }, "onRefreshToken must be a function"],
  ])("rejects bad options at once: %o", (overrides, message) => {
    expect(() => setup([], overrides as never)).toThrow(`[@psapi/auth] ${message}`);
  });
});
