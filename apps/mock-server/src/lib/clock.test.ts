import { createFakeClock } from "@psapi/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Imaging } from "../options.js";
import { authHeaders, postJson, TEST_START, testEmulator } from "../testing/helpers.js";
import { EmulatorTime } from "./clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("EmulatorTime", () => {
  it("adds advances to the clock, never goes back, and forgets them on reset", () => {
    const clock = createFakeClock({ start: 1000 });
    const time = new EmulatorTime(clock);
    time.advance(500);
    time.advance(-100);
    expect(time.now()).toBe(1500);
    time.reset();
    expect(time.now()).toBe(1000);
  });
});

describe("job timers", () => {
  it("start a job when the injected clock reaches its start time, with no request to drive it", async () => {
    const computeMask = vi.fn(async () => new Uint8Array([1]));
    const imaging: Imaging = { computeMask, computeCutout: vi.fn(), readDocumentManifest: vi.fn() };
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({ clock, imaging, jobs: { pendingMs: 100, runningMs: 0 } });
    const headers = await authHeaders(app);
    const body = {
      input: { href: "files/a.png", storage: "adobe" },
      output: { href: "files/b.png", storage: "adobe" },
    };
    const put = await app.request(
      "/__emulator/storage/presign",
      postJson({ key: "files/a.png", method: "PUT" }),
    );
    await app.request(((await put.json()) as { url: string }).url, { method: "PUT", body: "x" });
    expect((await app.request("/sensei/mask", postJson(body, headers))).status).toBe(202);
    expect(clock.sleeps).toContain(100);
    await clock.advance(99);
    await new Promise((resolve) => setImmediate(resolve));
    expect(computeMask).not.toHaveBeenCalled();
    await clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(computeMask).toHaveBeenCalledTimes(1);
  });

  it("are cancelled when the shutdown signal aborts", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const stop = new AbortController();
    const { app } = testEmulator({ clock, signal: stop.signal, jobs: { pendingMs: 100, runningMs: 0 } });
    const headers = await authHeaders(app);
    const body = {
      input: { href: "files/a.png", storage: "adobe" },
      output: { href: "files/b.png", storage: "adobe" },
    };
    let rejected = 0;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) =>
      sleep(ms, signal).catch((error: unknown) => {
        rejected += 1;
        throw error;
      });
    await app.request("/sensei/mask", postJson(body, headers));
    stop.abort();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejected).toBe(1);
  });
});
