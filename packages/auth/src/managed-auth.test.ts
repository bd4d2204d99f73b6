import { createFakeClock, type FakeClock, flush } from "@psapi/core/testing";
import { describe, expect, it, vi } from "vitest";
import { ImsError } from "./ims-error.js";
import { createServerToServerAuth, type ServerToServerAuthOptions } from "./server-to-server.js";
import { createFakeIms, type ImsAnswer, json, tokenResponse } from "./testing/fake-ims.js";
import { createMemoryTokenStore, tokenStoreKey } from "./token-store.js";
import type { TokenStore } from "./types.js";

const HOUR = 3_600_000;
const KEY = tokenStoreKey({
  imsUrl: "https://ims-na1.adobelogin.com",
  clientId: "client-a",
  scopes: ["openid", "AdobeID", "read_organizations"],
});

function setup(
  answers: ImsAnswer[] = [],
  options: Partial<ServerToServerAuthOptions> = {},
  autoAdvance = true,
) {
  const clock = createFakeClock({ start: 1_000_000, autoAdvance });
  const ims = createFakeIms(...answers);
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const auth = createServerToServerAuth({
    clientId: "client-a",
    clientSecret: "s3cr3t-value",
    fetch: ims.fetch,
    clock,
    random: () => 0,
    logger,
    ...options,
  });
  return { auth, clock, ims, logger };
}

/** The waits that are back-off, without the time limits (30 s per IMS attempt, 5 s per store call). */
const backoffWaits = (clock: FakeClock) => clock.sleeps.filter((ms) => ms !== 30_000 && ms !== 5000);

const serverError: ImsAnswer = () => json(503, { error: "server_error" });
const networkError: ImsAnswer = () => Promise.reject(new TypeError("fetch failed"));

describe("token cache", () => {
  it("fetches once and serves the cached token until the refresh point", async () => {
    const { auth, clock, ims } = setup();
    const first = await auth.getToken();
    expect(first).toMatchObject({
      accessToken: "token-1",
      expiresAt: 1_000_000 + 24 * HOUR,
      receivedAt: 1_000_000,
      clientId: "client-a",
      scopes: ["openid", "AdobeID", "read_organizations"],
    });
    await clock.advance(23 * HOUR - 1);
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls).toHaveLength(1);
  });

  it("measures expiry from the time the answer arrived, not the time the request left", async () => {
    // Driven by hand: only the fetch's own advance may move time (not the pending 30 s timeout).
    const clock = createFakeClock();
    const auth = createServerToServerAuth({
      clientId: "c",
      clientSecret: "s",
      clock,
      fetch: async () => {
        await clock.advance(5000);
        return tokenResponse("slow", 3600);
      },
    });
    expect((await auth.getToken()).expiresAt).toBe(5000 + HOUR);
  });

  it("refreshes at 23 h of a 24 h token and keeps serving the old token meanwhile", async () => {
    const { auth, clock, ims } = setup();
    await auth.getToken();
    await clock.advance(23 * HOUR);
    expect((await auth.getToken()).accessToken).toBe("token-1");
    await flush();
    expect(ims.calls).toHaveLength(2);
    const next = await auth.getToken();
    expect(next.accessToken).toBe("token-2");
    expect(next.expiresAt).toBe(1_000_000 + 47 * HOUR);
  });

  it.each([
    [
      "random() spreads it over the last 10% of the margin",
      { random: () => 0.5 },
      [],
      23 * HOUR + 3 * 60_000,
    ],
    ["a custom refreshAhead moves it", { refreshAhead: 10 * 60_000 }, [], 24 * HOUR - 10 * 60_000],
    ["refreshAhead is capped at half a short lifetime", {}, [() => tokenResponse("short", 3600)], HOUR / 2],
  ] as const)("asks IMS exactly at the refresh point when %s", async (_, options, answers, refreshAt) => {
    const { auth, clock, ims } = setup([...answers], options);
    await auth.getToken();
    await clock.advance(refreshAt - 1);
    await auth.getToken();
    await flush();
    expect(ims.calls).toHaveLength(1);
    await clock.advance(1);
    await auth.getToken();
    await flush();
    expect(ims.calls).toHaveLength(2);
  });

  it("waits for a new token once the cached one has expired", async () => {
    const { auth, clock, ims } = setup();
    await auth.getToken();
    await clock.advance(24 * HOUR);
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
  });
});

describe("single flight", () => {
  it("sends one IMS request when 1000 calls arrive together on a cold cache", async () => {
    const { auth, ims } = setup();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
    expect(ims.calls).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(["token-1"]));
  });

  it("sends one IMS request when 1000 calls arrive together on an expired cache", async () => {
    const { auth, clock, ims } = setup();
    await auth.getToken();
    await clock.advance(25 * HOUR);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
    expect(ims.calls).toHaveLength(2);
    expect(tokens.every((t) => t.accessToken === "token-2")).toBe(true);
  });

  it("starts one background refresh when 1000 calls arrive at the refresh point", async () => {
    const { auth, clock, ims } = setup();
    await auth.getToken();
    await clock.advance(23 * HOUR + 1);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
    await flush();
    expect(tokens.every((t) => t.accessToken === "token-1")).toBe(true);
    expect(ims.calls).toHaveLength(2);
  });

  it("rejects every waiting caller with the same ImsError when the flight fails, then tries again", async () => {
    const { auth, ims } = setup([() => json(401, { error: "invalid_client", error_description: "bad" })]);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.getToken()));
    expect(ims.calls).toHaveLength(1);
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof ImsError)).toBe(true);
    expect((await auth.getToken()).accessToken).toBe("token-2");
  });
});

describe("refresh failure while the token is still valid", () => {
  it("keeps serving the cached token, backs off, then renews", async () => {
    const { auth, clock, ims, logger } = setup([
      undefined as unknown as ImsAnswer,
      serverError,
      serverError,
      serverError,
    ]);
    await auth.getToken();
    await clock.advance(23 * HOUR);
    expect((await auth.getToken()).accessToken).toBe("token-1");
    await flush();
    // Three attempts of the background refresh, 1 s and 2 s apart (random() = 0 → half of 1 s, 2 s).
    expect(ims.calls).toHaveLength(4);
    expect(backoffWaits(clock)).toEqual([500, 1000]);
    expect(logger.warn).toHaveBeenCalledWith(
      "token refresh failed; serving the cached token until it expires",
      expect.objectContaining({
        source: "@psapi/auth",
        error: "ImsError: server_error",
        failures: 1,
        retryInMs: 15_000,
      }),
    );
    // Within the back-off window: no new attempt, the valid token is served.
    const backoffStart = clock.now();
    await clock.advance(15_000 - 1 - (clock.now() - backoffStart));
    expect((await auth.getToken()).accessToken).toBe("token-1");
    await flush();
    expect(ims.calls).toHaveLength(4);
    await clock.advance(1);
    expect((await auth.getToken()).accessToken).toBe("token-1");
    await flush();
    expect(ims.calls).toHaveLength(5);
    expect((await auth.getToken()).accessToken).toBe("token-5");
  });

  it("doubles the back-off after each failed refresh, with jitter", async () => {
    const oauthFailure: ImsAnswer = () => json(400, { error: "invalid_scope" });
    const random = vi.fn(() => 0.5);
    const { auth, clock, ims, logger } = setup(
      [undefined as unknown as ImsAnswer, oauthFailure, oauthFailure],
      {
        random,
      },
    );
    await auth.getToken();
    await clock.advance(23 * HOUR + 3 * 60_000);
    await auth.getToken();
    await flush();
    await clock.advance(22_500);
    await auth.getToken();
    await flush();
    expect(ims.calls).toHaveLength(3);
    const retryIns = logger.warn.mock.calls.map(([, fields]) => (fields as { retryInMs: number }).retryInMs);
    expect(retryIns).toEqual([22_500, 45_000]);
  });

  it("never fails a caller while the cached token is valid, and fails once it has expired", async () => {
    const failures = Array.from({ length: 500 }, () => serverError);
    const { auth, clock, ims } = setup([undefined as unknown as ImsAnswer, ...failures]);
    await auth.getToken();
    await clock.advance(23 * HOUR);
    for (let minute = 0; minute < 59; minute++) {
      expect((await auth.getToken()).accessToken).toBe("token-1");
      await flush();
      await clock.advance(60_000);
    }
    // Back-off 15 s, 30 s, 1, 2, 4 min, then every 5 min: 15 refreshes of 3 attempts in the hour,
    // where a refresh on every minute's call would have made 59.
    expect(ims.calls).toHaveLength(1 + 15 * 3);
    await clock.advance(HOUR);
    await expect(auth.getToken()).rejects.toBeInstanceOf(ImsError);
  });
});

describe("IMS failures", () => {
  it("retries 5xx with exponential back-off and jitter, 3 attempts in all", async () => {
    const { auth, clock, ims } = setup([serverError, serverError], { random: () => 0.75 });
    expect((await auth.getToken()).accessToken).toBe("token-3");
    expect(ims.calls).toHaveLength(3);
    expect(backoffWaits(clock)).toEqual([875, 1750]);
  });

  it("retries network errors and rejects with ImsError network_error after the third", async () => {
    const { auth, ims } = setup([networkError, networkError, networkError]);
    const error = await auth.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({ error: "network_error", status: undefined });
    expect((error as Error).cause).toMatchObject({ name: "TypeError", message: "fetch failed" });
    expect(ims.calls).toHaveLength(3);
  });

  it("rejects an OAuth 4xx at once, without retrying", async () => {
    const { auth, clock, ims } = setup([
      () => json(401, { error: "invalid_client", error_description: "invalid client_id parameter" }),
    ]);
    const error = await auth.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({
      error: "invalid_client",
      errorDescription: "invalid client_id parameter",
      status: 401,
    });
    expect(ims.calls).toHaveLength(1);
    expect(backoffWaits(clock)).toEqual([]);
  });

  it("gives up after three 5xx with the last status", async () => {
    const { auth, ims } = setup([serverError, serverError, () => json(502, {})]);
    await expect(auth.getToken()).rejects.toMatchObject({ error: "http_502", status: 502 });
    expect(ims.calls).toHaveLength(3);
  });

  it("times out an attempt that never answers and retries it", async () => {
    const hang: ImsAnswer = () => new Promise<Response>(() => {});
    const { auth, clock, ims } = setup([hang, hang, hang], { timeoutMs: 5000 });
    await expect(auth.getToken()).rejects.toMatchObject({ error: "timeout", status: undefined });
    expect(ims.calls).toHaveLength(3);
    expect(ims.calls.every((call) => call.signal.aborted)).toBe(true);
    expect(clock.now()).toBe(1_000_000 + 3 * 5000 + 500 + 1000);
  });
});

describe("abort", () => {
  it("rejects with the signal's own reason when already aborted, without calling IMS", async () => {
    const { auth, ims } = setup();
    const reason = new Error("caller gave up");
    await expect(auth.getToken({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(ims.calls).toHaveLength(0);
  });

  it("rejects a waiting caller at once when its signal aborts, while the flight serves the others", async () => {
    const { auth, ims } = setup([serverError]);
    const controller = new AbortController();
    const aborted = auth.getToken({ signal: controller.signal });
    const patient = auth.getToken();
    const reason = new DOMException("stop", "AbortError");
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect((await patient).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
  });

  it("resolves a caller with a signal that never aborts", async () => {
    const { auth } = setup();
    expect((await auth.getToken({ signal: new AbortController().signal })).accessToken).toBe("token-1");
  });
});

describe("invalidate after a 401", () => {
  it("makes the next call fetch a new token", async () => {
    const { auth, ims } = setup();
    const { accessToken } = await auth.getToken();
    await auth.invalidate(accessToken);
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
  });

  it("refreshes once when 50 requests invalidate the same token together", async () => {
    const { auth, ims } = setup();
    const { accessToken } = await auth.getToken();
    await Promise.all(Array.from({ length: 50 }, () => auth.invalidate(accessToken)));
    const tokens = await Promise.all(Array.from({ length: 50 }, () => auth.getToken()));
    expect(ims.calls).toHaveLength(2);
    expect(tokens.every((t) => t.accessToken === "token-2")).toBe(true);
  });

  it("refreshes once when invalidations and token requests interleave", async () => {
    const { auth, ims } = setup();
    const { accessToken } = await auth.getToken();
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        await auth.invalidate(accessToken);
        return auth.getToken();
      }),
    );
    expect(ims.calls).toHaveLength(2);
    expect(results.every((t) => t.accessToken === "token-2")).toBe(true);
  });

  it("does nothing when the token was already replaced", async () => {
    const { auth, ims } = setup();
    const old = await auth.getToken();
    await auth.invalidate(old.accessToken);
    await auth.getToken();
    await auth.invalidate(old.accessToken);
    await auth.invalidate("never-issued");
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
  });

  it("removes the rejected token from the store, and only if the store still holds it", async () => {
    const store = createMemoryTokenStore();
    const { auth } = setup([], { store });
    const { accessToken } = await auth.getToken();
    expect(await store.get(KEY)).toMatchObject({ accessToken: "token-1" });
    await auth.invalidate(accessToken);
    expect(await store.get(KEY)).toBeUndefined();

    const other = {
      accessToken: "from-elsewhere",
      expiresAt: 9e15,
      receivedAt: 0,
      clientId: "client-a",
      scopes: [],
    };
    const second = await auth.getToken();
    await store.set(KEY, { ...other, scopes: ["openid", "AdobeID", "read_organizations"] });
    await auth.invalidate(second.accessToken);
    expect(await store.get(KEY)).toMatchObject({ accessToken: "from-elsewhere" });
  });

  it("never adopts the rejected token again, even if the store still returns it", async () => {
    const entries = new Map<string, unknown>();
    const stickyStore: TokenStore = {
      get: async (key) => entries.get(key),
      set: async (key, token) => void entries.set(key, token),
      delete: async () => {}, // a store that fails to delete
    };
    const { auth, ims } = setup([], { store: stickyStore });
    const { accessToken } = await auth.getToken();
    await auth.invalidate(accessToken);
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
  });

  it("joins a background refresh that is already in flight", async () => {
    let release: (r: Response) => void = () => {};
    const { auth, clock, ims } = setup(
      [undefined as unknown as ImsAnswer, () => new Promise<Response>((resolve) => (release = resolve))],
      {},
      false,
    );
    const { accessToken } = await auth.getToken();
    await clock.advance(23 * HOUR);
    await auth.getToken(); // starts the background refresh
    await flush();
    expect(ims.calls).toHaveLength(2);
    await auth.invalidate(accessToken);
    const waiting = auth.getToken();
    release(tokenResponse("renewed"));
    expect((await waiting).accessToken).toBe("renewed");
    expect(ims.calls).toHaveLength(2);
  });
});

describe("shared store", () => {
  it("takes a fresh token another process stored instead of asking IMS", async () => {
    const store = createMemoryTokenStore();
    const a = setup([], { store });
    const b = setup([() => tokenResponse("b-token")], { store });
    const fromA = await a.auth.getToken();
    const fromB = await b.auth.getToken();
    expect(fromB.accessToken).toBe(fromA.accessToken);
    expect(b.ims.calls).toHaveLength(0);
  });

  it("picks up another process's renewal at the refresh point instead of asking IMS", async () => {
    const store = createMemoryTokenStore();
    const clock = createFakeClock({ start: 0, autoAdvance: true });
    const make = (prefix: string, spread: number) => {
      const ims = createFakeIms(
        () => tokenResponse(`${prefix}-1`),
        () => tokenResponse(`${prefix}-2`),
      );
      const auth = createServerToServerAuth({
        clientId: "client-a",
        clientSecret: "s",
        fetch: ims.fetch,
        clock,
        store,
        random: () => spread,
      });
      return { auth, ims };
    };
    const a = make("a", 0);
    const b = make("b", 0.9);
    await a.auth.getToken();
    expect((await b.auth.getToken()).accessToken).toBe("a-1");
    await clock.advance(23 * HOUR);
    await a.auth.getToken();
    await flush();
    expect((await a.auth.getToken()).accessToken).toBe("a-2");
    // b's refresh point falls 5.4 min later (spread 0.9 of 10% of 1 h); its refresh reads the store first.
    await clock.advance(5.4 * 60_000 - 1);
    expect((await b.auth.getToken()).accessToken).toBe("a-1");
    await clock.advance(1);
    await b.auth.getToken();
    await flush();
    expect((await b.auth.getToken()).accessToken).toBe("a-2");
    expect(a.ims.calls).toHaveLength(2);
    expect(b.ims.calls).toHaveLength(0);
  });

  it.each([
    ["a string", "token"],
    ["an array", ["x"]],
    [
      "no accessToken",
      { expiresAt: 9e15, clientId: "client-a", scopes: ["openid", "AdobeID", "read_organizations"] },
    ],
    ["a token with a newline", { accessToken: "a\nb", expiresAt: 9e15, clientId: "client-a", scopes: [] }],
    ["a string expiresAt", { accessToken: "x", expiresAt: "soon", clientId: "client-a", scopes: [] }],
    [
      "an infinite expiresAt",
      { accessToken: "x", expiresAt: Number.POSITIVE_INFINITY, clientId: "client-a", scopes: [] },
    ],
    [
      "another client",
      {
        accessToken: "x",
        expiresAt: 9e15,
        clientId: "client-b",
        scopes: ["openid", "AdobeID", "read_organizations"],
      },
    ],
    [
      "other scopes",
      { accessToken: "x", expiresAt: 9e15, clientId: "client-a", scopes: ["openid", "AdobeID", "other"] },
    ],
    ["fewer scopes", { accessToken: "x", expiresAt: 9e15, clientId: "client-a", scopes: ["openid"] }],
    [
      "scopes that are not a list",
      { accessToken: "x", expiresAt: 9e15, clientId: "client-a", scopes: "openid" },
    ],
    [
      "a receivedAt after expiry",
      {
        accessToken: "x",
        expiresAt: 5,
        receivedAt: 9,
        clientId: "client-a",
        scopes: ["openid", "AdobeID", "read_organizations"],
      },
    ],
    [
      "a string receivedAt",
      {
        accessToken: "x",
        expiresAt: 9e15,
        receivedAt: "0",
        clientId: "client-a",
        scopes: ["openid", "AdobeID", "read_organizations"],
      },
    ],
  ])("ignores a stored entry that is %s and asks IMS", async (_, garbage) => {
    const store = createMemoryTokenStore();
    await store.set(KEY, garbage as never);
    const { auth, ims, logger } = setup([], { store });
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      "token store held an entry that is not a usable token; ignoring it",
      { source: "@psapi/auth" },
    );
  });

  it("accepts a valid stored token without receivedAt", async () => {
    const store = createMemoryTokenStore();
    const scopes = ["read_organizations", "openid", "AdobeID"];
    await store.set(KEY, {
      accessToken: "stored",
      expiresAt: 1_000_000 + 2 * HOUR,
      clientId: "client-a",
      scopes,
    });
    const { auth, ims } = setup([], { store });
    expect(await auth.getToken()).toMatchObject({
      accessToken: "stored",
      scopes: ["openid", "AdobeID", "read_organizations"],
    });
    expect(ims.calls).toHaveLength(0);
  });

  it("asks IMS when the stored token is already due for refresh", async () => {
    const store = createMemoryTokenStore();
    const scopes = ["openid", "AdobeID", "read_organizations"];
    await store.set(KEY, {
      accessToken: "stored",
      expiresAt: 1_000_000 + HOUR / 2,
      clientId: "client-a",
      scopes,
    });
    const { auth, ims } = setup([], { store });
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls).toHaveLength(1);
  });

  it("works on when the store fails, and says so in the log without secrets", async () => {
    const broken: TokenStore = {
      get: () => Promise.reject(new Error("redis down")),
      set: () => Promise.reject(new Error("redis down")),
      delete: () => Promise.reject(new Error("redis down")),
    };
    const { auth, ims, logger } = setup([], { store: broken });
    const { accessToken } = await auth.getToken();
    await auth.invalidate(accessToken);
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
    const messages = logger.warn.mock.calls.map(([message]) => message);
    // The package is data, not a prefix of the sentence.
    expect(logger.warn.mock.calls.map(([, fields]) => fields?.source)).toEqual(Array(5).fill("@psapi/auth"));
    expect(messages).toEqual([
      "token store get failed; asking IMS",
      "token store set failed",
      "token store cleanup failed",
      "token store get failed; asking IMS",
      "token store set failed",
    ]);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain("token-");
  });

  it("goes on without a store that never answers, after 5 s", async () => {
    const hanging: TokenStore = {
      get: () => new Promise(() => {}),
      set: () => new Promise(() => {}),
      delete: async () => {},
    };
    const { auth, clock, ims, logger } = setup([], { store: hanging });
    const { accessToken } = await auth.getToken();
    await auth.invalidate(accessToken);
    expect((await auth.getToken()).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
    // get + set, then the cleanup's get, then get + set again: five 5 s time-outs.
    expect(clock.now()).toBe(1_000_000 + 5 * 5000);
    expect(logger.warn).toHaveBeenCalledWith("token store get failed; asking IMS", {
      source: "@psapi/auth",
      error: "TimeoutError",
    });
  });

  it("waits storeTimeoutMs for a store call when it is given", async () => {
    const hanging: TokenStore = {
      get: () => new Promise(() => {}),
      set: () => new Promise(() => {}),
      delete: async () => {},
    };
    const { auth, clock, ims } = setup([], { store: hanging, storeTimeoutMs: 12_000 });
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls).toHaveLength(1);
    // The get's 12 s, then the set's 12 s (the token is served once sharing it has failed).
    expect(clock.now()).toBe(1_000_000 + 2 * 12_000);
  });

  it("takes the store's own timeoutMs when storeTimeoutMs is not given, and the option over it", async () => {
    const waiting = (timeoutMs: number): TokenStore => ({
      get: () => new Promise(() => {}),
      set: async () => {},
      delete: async () => {},
      timeoutMs,
    });
    const own = setup([], { store: waiting(11_000) });
    await own.auth.getToken();
    expect(own.clock.now()).toBe(1_000_000 + 11_000);
    const option = setup([], { store: waiting(11_000), storeTimeoutMs: 2_000 });
    await option.auth.getToken();
    expect(option.clock.now()).toBe(1_000_000 + 2_000);
  });

  it("takes a stored token that a slow store returns within storeTimeoutMs, past the default 5 s", async () => {
    const memory = createMemoryTokenStore();
    const slow: TokenStore = {
      // Another process's renewal lands after 8 s: the store answers with its token then.
      get: async (key) => {
        await clock.sleep(8_000);
        await memory.set(key, {
          accessToken: "from-another-process",
          expiresAt: clock.now() + 24 * HOUR,
          receivedAt: clock.now(),
          scopes: ["openid", "AdobeID", "read_organizations"],
          clientId: "client-a",
        });
        return memory.get(key);
      },
      set: (key, token) => memory.set(key, token),
      delete: (key) => memory.delete(key),
      timeoutMs: 10_000,
    };
    const { auth, clock, ims } = setup([], { store: slow });
    expect((await auth.getToken()).accessToken).toBe("from-another-process");
    expect(ims.calls).toHaveLength(0);
  });

  it("survives a store that throws synchronously", async () => {
    const throwing = {
      get() {
        throw new RangeError("sync");
      },
      set() {
        throw new RangeError("sync");
      },
      delete: async () => {},
    } as unknown as TokenStore;
    const { auth, logger } = setup([], { store: throwing });
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(logger.warn).toHaveBeenCalledWith("token store set failed", {
      source: "@psapi/auth",
      error: "RangeError",
    });
  });

  it("logs a store that throws something other than an Error by its type", async () => {
    const odd: TokenStore = {
      get: () => Promise.reject("nope"),
      set: async () => {},
      delete: async () => {},
    };
    const { auth, logger } = setup([], { store: odd });
    await auth.getToken();
    expect(logger.warn).toHaveBeenCalledWith("token store get failed; asking IMS", {
      source: "@psapi/auth",
      error: "string",
    });
  });
});

describe("headers", () => {
  it("returns Authorization and x-api-key", async () => {
    const { auth } = setup();
    expect({ ...(await auth.headers()) }).toEqual({
      Authorization: "Bearer token-1",
      "x-api-key": "client-a",
    });
  });

  it("returns an object fetch, Request and Headers accept as it is", async () => {
    const { auth } = setup();
    const headers = await auth.headers();
    expect([...new Headers(headers)]).toEqual([
      ["authorization", "Bearer token-1"],
      ["x-api-key", "client-a"],
    ]);
    const request = new Request("https://image.adobe.io/pie/psdService/hello", { headers });
    expect(request.headers.get("authorization")).toBe("Bearer token-1");
    expect(Reflect.ownKeys(headers)).toEqual(["Authorization", "x-api-key"]);
    expect(Reflect.ownKeys(await auth.getToken())).toEqual([
      "accessToken",
      "expiresAt",
      "receivedAt",
      "scopes",
      "clientId",
    ]);
  });

  it("passes the caller's signal on to the token request", async () => {
    const { auth } = setup();
    const reason = new Error("request aborted");
    await expect(auth.headers({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
