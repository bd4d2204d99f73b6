import { describe, expect, it } from "vitest";
import { createVirtualClock } from "./virtual-clock.js";

const START = Date.UTC(2026, 0, 1);
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createVirtualClock", () => {
  it("runs sleeps in virtual time, earliest first, and records each one that ran to its end", async () => {
    const clock = createVirtualClock();
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
    const clock = createVirtualClock();
    const fetch = clock.track(async () => {
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
    const clock = createVirtualClock();
    const server = clock.view("emulator", { server: true });
    const fetch = clock.track(async () => {
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
    const clock = createVirtualClock({
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
    const clock = createVirtualClock();
    const controller = new AbortController();
    const sleeping = clock.view("client").sleep(1_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    await expect(clock.view("client").sleep(1, controller.signal)).rejects.toThrow("stop");
    expect(clock.elapsed()).toEqual([]);
  });
});
