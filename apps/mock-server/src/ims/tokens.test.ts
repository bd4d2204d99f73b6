import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { EmulatorTime } from "../lib/clock.js";
import { TEST_START } from "../testing/helpers.js";
import { TokenService } from "./tokens.js";

describe("TokenService revocation", () => {
  it("never brings a revoked token back when the revoked list is full", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const tokens = new TokenService(new EmulatorTime(clock), { maxRevoked: 2 });
    const issued = [];
    for (let i = 0; i < 4; i++) issued.push((await tokens.issue("c", ["openid"], 60_000)).accessToken);
    const [first, second, third, fourth] = issued as [string, string, string, string];
    for (const token of [first, second, third]) expect(await tokens.revoke({ token })).toBe(true);
    for (const token of [first, second, third]) expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.verify(fourth)).toEqual({ clientId: "c", scopes: ["openid"] });
  });

  it("drops revocations of expired tokens first", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const tokens = new TokenService(new EmulatorTime(clock), { maxRevoked: 1 });
    const older = (await tokens.issue("c", ["openid"], 60_000)).accessToken;
    const short = (await tokens.issue("c", ["openid"], 1_000)).accessToken;
    const long = (await tokens.issue("c", ["openid"], 60_000)).accessToken;
    await tokens.revoke({ token: short });
    await clock.advance(1_000);
    await tokens.revoke({ token: long });
    // The expired token's entry made room; a cut-off at its sequence would have revoked `older` too.
    expect(await tokens.verify(older)).toEqual({ clientId: "c", scopes: ["openid"] });
    expect(await tokens.verify(long)).toBeUndefined();
  });
});
