import { describe, expect, it } from "vitest";
import { createFakeClock, flush } from "./fake-clock.js";

const START = Date.UTC(2026, 0, 1);
const auto = (options: { quiesce?: () => Promise<unknown> } = {}) =>
  createFakeClock({ start: START, autoAdvance: true, ...options });
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createFakeClock with autoAdvance", () => {
  it("runs sleeps in virtual time, earliest first, and records each one that ran to its end", async () => {
    const clock = auto();
    const client = clock.view("client");
    const order: string[] = [];
    await Promise.all([
      client.sleep(60_000).then(() => order.push(`a@${clock.now() - START}`)),
      client.sleep(1_000).then(() => order.push(`b@${clock.now() - START}`)),
      clock
        .view("auth")
        .sleep(5_000)
        .then(() => order.push(`c@${clock.now() - START}`)),
    ]);
    expect(order).toEqual(["b@1000", "c@5000", "a@60000"]);
    expect(clock.elapsed("client")).toEqual([1_000, 60_000]);
    expect(clock.elapsed()).toEqual([1_000, 5_000, 60_000]);
  });

  it("holds every sleep while a tracked request is in flight, so a timeout cannot fire early", async () => {
    const clock = auto();
    const fetch = clock.track(async (_input: string) => {
      await realDelay(30);
      return new Response("done");
    });
    const timeout = clock
      .view("client")
      .sleep(10)
      .then(() => "timeout");
    const answer = fetch("http://127.0.0.1/").then((response) => response.text());
    expect(await Promise.race([timeout, answer])).toBe("done");
    expect(clock.now()).toBe(START);
    expect(await timeout).toBe("timeout");
  });

  it("lets time run while the only request in flight is parked on a server sleep", async () => {
    const clock = auto();
    const server = clock.view("emulator", { server: true });
    const fetch = clock.track(async (_input: string) => {
      await server.sleep(5_000);
      return new Response("late");
    });
    const events: string[] = [];
    const answer = fetch("http://127.0.0.1/").then(() => events.push(`answer@${clock.now() - START}`));
    await clock
      .view("client")
      .sleep(1_000)
      .then(() => events.push(`timeout@${clock.now() - START}`));
    await answer;
    expect(events).toEqual(["timeout@1000", "answer@5000"]);
  });

  it("holds time until the quiesce hook settles, so background work finishes before a skip", async () => {
    let workDone = false;
    const clock = auto({
      quiesce: async () => {
        await realDelay(30);
        workDone = true;
      },
    });
    await clock.view("client").sleep(500);
    expect(workDone).toBe(true);
    expect(clock.now()).toBe(START + 500);
  });

  it("rejects an aborted sleep with the signal's reason and never records it", async () => {
    const clock = auto();
    const controller = new AbortController();
    const sleeping = clock.view("client").sleep(1_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    await expect(clock.view("client").sleep(1, controller.signal)).rejects.toThrow("stop");
    expect(clock.elapsed()).toEqual([]);
  });
});

describe("createFakeClock driven by the test", () => {
  it("starts at 0 and moves only when advanced, waking due sleeps in order and letting them sleep again", async () => {
    const clock = createFakeClock();
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
    void clock
      .sleep(100)
      .then(() => woke.push(`a@${clock.now()}`))
      .then(() => clock.sleep(100))
      .then(() => woke.push(`a2@${clock.now()}`));
    await flush();
    expect(clock.now()).toBe(0);
    expect(clock.pending()).toBe(2);
    await clock.advance(250);
    expect(woke).toEqual(["a@100", "a2@200"]);
    expect(clock.now()).toBe(250);
    await clock.advance(50);
    expect(woke).toEqual(["a@100", "a2@200", "b@300"]);
    expect(clock.sleeps).toEqual([300, 100, 100]);
    expect(clock.elapsed("default")).toEqual([100, 100, 300]);
  });

  it("runs a promise to its end through its sleeps, and rounds a fractional sleep up to whole ms", async () => {
    const clock = createFakeClock({ start: 1_000 });
    const work = async () => {
      await clock.sleep(0.5);
      await clock.sleep(-5);
      await clock.sleep(2_000);
      return clock.now();
    };
    expect(await clock.run(work())).toBe(3_001);
    await expect(clock.run(Promise.reject(new Error("failed")))).rejects.toThrow("failed");
  });

  it("rejects run() when the promise hangs with no sleep left", async () => {
    const clock = createFakeClock();
    await expect(clock.run(new Promise(() => {}))).rejects.toThrow(/no sleep is left \(a hang\)/);
  });

  it("rejects run() when the promise never ends although sleeps keep coming", async () => {
    const clock = createFakeClock({ maxRunSteps: 50 });
    const endless = async () => {
      for (;;) await clock.sleep(1);
    };
    await expect(clock.run(endless())).rejects.toThrow(/an endless loop/);
  });

  it("forgets a sleep whose signal aborts", async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(clock.pending()).toBe(1);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending()).toBe(0);
    expect(clock.sleeps).toEqual([1_000]);
  });
});

describe("FakeClock.track", () => {
  it("passes a failed fetch through and stops counting it as in flight", async () => {
    const clock = auto();
    const fetch = clock.track(async (_input: string) => {
      throw new TypeError("fetch failed");
    });
    await expect(fetch("http://127.0.0.1/")).rejects.toThrow("fetch failed");
    await clock.sleep(10);
    expect(clock.now()).toBe(START + 10);
  });

  it("wakes sleeps due at the same moment in the order they were asked", async () => {
    const clock = auto();
    const order: string[] = [];
    const later = clock.sleep(200).then(() => order.push("later"));
    await clock.sleep(100);
    await Promise.all([
      later,
      clock.sleep(100).then(() => order.push("first")),
      clock.sleep(100).then(() => order.push("second")),
    ]);
    expect(order).toEqual(["later", "first", "second"]);
    expect(clock.now()).toBe(START + 200);
  });

  it("does not jump when the only sleep was cancelled during the quiesce", async () => {
    const controller = new AbortController();
    const clock = auto({
      quiesce: async () => {
        controller.abort(new Error("cancelled"));
      },
    });
    await expect(clock.sleep(10, controller.signal)).rejects.toThrow("cancelled");
    await flush();
    expect(clock.now()).toBe(START);
  });

  it("lets time move on when the quiesce hook rejects", async () => {
    const clock = auto({ quiesce: () => Promise.reject(new Error("emulator closed")) });
    await clock.sleep(10);
    expect(clock.now()).toBe(START + 10);
  });
});
