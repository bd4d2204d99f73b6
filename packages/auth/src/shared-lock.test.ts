import { describe, expect, it, vi } from "vitest";
import { createServerToServerAuth } from "./server-to-server.js";
import { createFakeClock, type FakeClock } from "./testing/fake-clock.js";
import { createFakeIms, type ImsAnswer, tokenResponse } from "./testing/fake-ims.js";
import { createMemoryTokenStore } from "./token-store.js";
import type { TokenStore } from "./types.js";

/** A memory store with a lock that expires after `ttlMs` on the fake clock, as a Redis `SET NX PX` does. */
function lockingStore(clock: FakeClock, ttlMs = 10_000) {
  const store = createMemoryTokenStore();
  const locks = new Map<string, { owner: number; until: number }>();
  let owners = 0;
  const calls = { lock: 0, granted: 0 };
  const shared: TokenStore & { calls: typeof calls; locks: typeof locks } = {
    ...store,
    calls,
    locks,
    async lock(key) {
      calls.lock++;
      const held = locks.get(key);
      if (held && held.until > clock.now()) return undefined;
      const owner = ++owners;
      locks.set(key, { owner, until: clock.now() + ttlMs });
      calls.granted++;
      return async () => {
        if (locks.get(key)?.owner === owner) locks.delete(key);
      };
    },
  };
  return shared;
}

function process(clock: FakeClock, store: TokenStore, answers: ImsAnswer[]) {
  const ims = createFakeIms(...answers);
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const auth = createServerToServerAuth({
    clientId: "client-a",
    clientSecret: "s",
    fetch: ims.fetch,
    clock,
    store,
    logger,
    random: () => 0,
  });
  return { auth, ims, logger };
}

/** An IMS answer that waits `ms` of fake time: a slow IMS, so that the others contend for the lock. */
const slow =
  (clock: FakeClock, ms: number, token: string): ImsAnswer =>
  async () => {
    await clock.sleep(ms);
    return tokenResponse(token);
  };

describe("shared store with a lock (distributed single flight)", () => {
  it("makes one IMS request for five processes that all need a token at once", async () => {
    const clock = createFakeClock(0);
    const store = lockingStore(clock);
    const processes = Array.from({ length: 5 }, (_, i) =>
      process(clock, store, [slow(clock, 1500, `t-${i}`)]),
    );
    const tokens = await Promise.all(processes.map(({ auth }) => auth.getToken()));
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(processes.reduce((sum, { ims }) => sum + ims.calls.length, 0)).toBe(1);
    expect(store.calls.granted).toBe(1);
    // The holder released its lock once its token was stored.
    expect(store.locks.size).toBe(0);
  });

  it("waits for a dead holder no longer than its lock's expiry, then asks IMS itself", async () => {
    const clock = createFakeClock(0);
    const store = lockingStore(clock, 10_000);
    // A process took the lock and died: it never stores a token nor releases the lock.
    await store.lock?.(
      "psapi:token:https://ims-na1.adobelogin.com|client-a|AdobeID,openid,read_organizations",
    );
    const survivor = process(clock, store, []);
    const token = await survivor.auth.getToken();
    expect(token.accessToken).toBe("token-1");
    expect(survivor.ims.calls).toHaveLength(1);
    expect(clock.now()).toBeGreaterThanOrEqual(10_000);
    expect(clock.now()).toBeLessThan(10_000 + 1000);
  });

  it("asks IMS itself when a live holder stores nothing for a minute", async () => {
    const clock = createFakeClock(0);
    const store: TokenStore = { ...createMemoryTokenStore(), lock: async () => undefined };
    const { auth, ims, logger } = process(clock, store, []);
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls).toHaveLength(1);
    expect(clock.now()).toBeGreaterThanOrEqual(60_000);
    expect(logger.warn).toHaveBeenCalledWith(
      "[@psapi/auth] no token from the process holding the store's lock; asking IMS",
    );
  });

  it("takes the token the previous holder stored between its read and its lock", async () => {
    const clock = createFakeClock(0);
    const inner = createMemoryTokenStore();
    const other = process(clock, inner, []);
    let reads = 0;
    const store: TokenStore = {
      ...inner,
      async get(key) {
        // The first read finds nothing; by the second (after the lock) the other process has stored.
        if (reads++ === 0) return undefined;
        return inner.get(key);
      },
      lock: async () => async () => {},
    };
    await other.auth.getToken();
    const late = process(clock, store, []);
    expect((await late.auth.getToken()).accessToken).toBe("token-1");
    expect(late.ims.calls).toHaveLength(0);
  });

  it("asks IMS when the lock cannot be had, and serves the token when the unlock fails", async () => {
    const clock = createFakeClock(0);
    const broken = process(
      clock,
      { ...createMemoryTokenStore(), lock: () => Promise.reject(new Error("down")) },
      [],
    );
    expect((await broken.auth.getToken()).accessToken).toBe("token-1");
    expect(broken.logger.warn).toHaveBeenCalledWith("[@psapi/auth] token store lock failed; asking IMS", {
      error: "Error",
    });
    const stuck = process(
      clock,
      { ...createMemoryTokenStore(), lock: async () => () => Promise.reject(new Error("down")) },
      [],
    );
    expect((await stuck.auth.getToken()).accessToken).toBe("token-1");
    expect(stuck.logger.warn).toHaveBeenCalledWith("[@psapi/auth] token store unlock failed", {
      error: "Error",
    });
  });

  it("refuses a store whose lock is not a function", () => {
    expect(() =>
      createServerToServerAuth({
        clientId: "c",
        clientSecret: "s",
        store: { ...createMemoryTokenStore(), lock: "yes" } as unknown as TokenStore,
      }),
    ).toThrow(/store.lock must be a function/);
  });
});
