import type { FakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import type { GlobalFetchLike } from "./conformance/recording-fetch.js";
import { createDemoAuth, DEMO_CREDENTIALS, useEnvironment } from "./harness/environment.js";

const LIFETIME_S = 120;
const REFRESH_AHEAD_MS = 30_000;

describe("token lifecycle, end to end on the emulator's clock", () => {
  // When each token request was sent, in virtual time.
  let tokenRequests: number[] = [];
  const noteTokenRequests = (fetch: GlobalFetchLike, clock: FakeClock): GlobalFetchLike => {
    tokenRequests = [];
    return (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === "/ims/token/v3") tokenRequests.push(clock.now());
      return fetch(request);
    };
  };
  const env = useEnvironment({
    emulator: { tokenLifetimeSeconds: LIFETIME_S },
    interpose: noteTokenRequests,
    auth: (context) => createDemoAuth(context, { refreshAhead: REFRESH_AHEAD_MS }),
  });
  const statusesOf = (operationId: string) =>
    env()
      .recorder.exchangesOf(operationId)
      .map((e) => e.status);

  it("renews each token before it expires, so ten minutes of calls see no 401", async () => {
    const { client, clock } = env();
    const pause = clock.view("test");
    for (let call = 0; call < 60; call++) {
      expect(await client.hello()).toBe("Welcome to the Photoshop API!");
      await pause.sleep(10_000);
    }
    expect(statusesOf("hello")).toEqual(Array(60).fill(200));
    expect(env().recorder.exchanges.filter((exchange) => exchange.status === 401)).toEqual([]);
    // 600 s of calls with a 120 s lifetime: at least five renewals, each within the token's life
    // and no earlier than the refresh margin (30 s, spread by up to 10%) before its end.
    expect(tokenRequests.length).toBeGreaterThanOrEqual(600 / LIFETIME_S);
    const gaps = tokenRequests.slice(1).map((at, index) => at - (tokenRequests[index] ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeLessThan(LIFETIME_S * 1000);
      expect(gap).toBeGreaterThanOrEqual(LIFETIME_S * 1000 - REFRESH_AHEAD_MS);
    }
    expect(statusesOf("getToken")).toEqual(Array(tokenRequests.length).fill(200));
  });

  it("pays for a revoked token with exactly one 401, one token request and one replay", async () => {
    const { client, control } = env();
    expect(await client.hello()).toBe("Welcome to the Photoshop API!");
    expect(await control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId })).toBe(true);
    expect(await client.hello()).toBe("Welcome to the Photoshop API!");
    expect(statusesOf("hello")).toEqual([200, 401, 200]);
    expect(statusesOf("getToken")).toEqual([200, 200]);
    expect(env().clock.elapsed("client")).toEqual([]);
  });

  it("answers eight calls that meet the same revoked token with one token request", async () => {
    const { client, control } = env();
    await client.hello();
    await control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId });
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.hello()));
    expect(answers).toEqual(Array(8).fill("Welcome to the Photoshop API!"));
    const statuses = statusesOf("hello");
    expect(statuses.filter((status) => status === 401)).toHaveLength(8);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1 + 8);
    expect(statusesOf("getToken")).toEqual([200, 200]);
  });

  it("recovers when the emulator's clock jumps past the token's expiry behind the client's back", async () => {
    const { client, control } = env();
    await client.hello();
    await control.advanceClock(LIFETIME_S * 1000);
    expect(await client.hello()).toBe("Welcome to the Photoshop API!");
    expect(statusesOf("hello")).toEqual([200, 401, 200]);
    expect(statusesOf("getToken")).toEqual([200, 200]);
  });
});
