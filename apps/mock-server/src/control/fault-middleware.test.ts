import { describe, expect, it } from "vitest";
import { ConnectionResetFault } from "../http/errors.js";
import { authHeaders, form, postJson, testEmulator } from "../testing/helpers.js";

const hello = "/pie/psdService/hello";

describe("x-emulator-fault header", () => {
  it("answers 503 in the gateway family with the requested Retry-After", async () => {
    const { app } = testEmulator();
    const res = await app.request(hello, {
      headers: { ...(await authHeaders(app)), "x-emulator-fault": "503; retry-after=2" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({ error_code: "503001", message: "Service Unavailable" });
  });

  it.each([
    [429, { error_code: "429001", message: "Too many requests" }],
    [500, { type: "UndefinedError", code: 500, title: "Internal Server Error" }],
    [502, { error_code: "502001", message: "Bad Gateway" }],
    [504, { error_code: "504001", message: "Gateway Timeout" }],
  ])("answers %i with Adobe's body for it, before the gateway checks credentials", async (status, body) => {
    const { app } = testEmulator();
    const res = await app.request(hello, { headers: { "x-emulator-fault": String(status) } });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(body);
    if (status === 429) {
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.headers.get("x-access-rate-limit-level")).toBe("org");
    }
  });

  it("makes app.fetch reject with a TypeError like a network failure on reset, and journals it", async () => {
    const { app } = testEmulator();
    const error = await Promise.resolve(
      app.request(hello, { headers: { "x-emulator-fault": "reset" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(ConnectionResetFault);
    expect((error as TypeError).message).toBe("fetch failed");
    const { entries } = (await (await app.request("/__emulator/journal")).json()) as { entries: unknown[] };
    expect(entries[0]).toMatchObject({ path: hello, status: 0, fault: "reset" });
  });

  it("waits the requested latency on the injected clock, then answers normally", async () => {
    const { app, clock } = testEmulator();
    const headers = { ...(await authHeaders(app)), "x-emulator-fault": "latency=500" };
    const pending = app.request(hello, { headers });
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.sleeps).toEqual([500]);
    await clock.advance(500);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Welcome to the Photoshop API!");
  });

  it("answers 400 for a header it cannot parse", async () => {
    const { app } = testEmulator();
    for (const header of ["418", "503; retry=2", "latency=abc", "reset; now"]) {
      const res = await app.request(hello, { headers: { "x-emulator-fault": header } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: "InputValidationError",
        reason: [{ keyword: "header" }],
      });
    }
  });

  it("applies to IMS too, never to the control API", async () => {
    const { app } = testEmulator();
    const ims = await app.request("/ims/token/v3", {
      ...form({ grant_type: "client_credentials" }),
      headers: { "x-emulator-fault": "502" },
    });
    expect(ims.status).toBe(502);
    const control = await app.request("/__emulator/clock", { headers: { "x-emulator-fault": "503" } });
    expect(control.status).toBe(200);
  });
});

describe("fault rules", () => {
  it("fails only the next N matching calls", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const add = await app.request(
      "/__emulator/faults",
      postJson({ route: "GET /pie/*", status: 503, retryAfter: 3, times: 2 }),
    );
    expect(add.status).toBe(201);
    expect(await add.json()).toMatchObject({ id: "fault-1", route: "GET /pie/*", times: 2, hits: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request(hello, { headers })).status);
    expect(statuses).toEqual([503, 503, 200]);
    const other = await app.request("/sensei/status/x", { headers });
    expect(other.status).toBe(404);
    const { rules } = (await (await app.request("/__emulator/faults")).json()) as { rules: unknown[] };
    expect(rules).toEqual([expect.objectContaining({ id: "fault-1", times: 0, hits: 2 })]);
  });

  it("draws probabilistic faults from the seeded PRNG: the same seed gives the same sequence", async () => {
    const run = async (seed: number) => {
      const { app } = testEmulator({
        faults: { seed, rules: [{ route: hello, status: 500, probability: 0.5 }] },
      });
      const headers = await authHeaders(app);
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await app.request(hello, { headers })).status);
      return out;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run(8)).not.toEqual(first);
  });

  it("lists, deletes one, and clears rules; reset restores the start-up rules", async () => {
    const { app } = testEmulator({ faults: { rules: [{ route: "/sensei/*", latencyMs: 10 }] } });
    await app.request("/__emulator/faults", postJson({ reset: true }));
    const listed = (await (await app.request("/__emulator/faults")).json()) as {
      seed: number;
      rules: { id: string }[];
    };
    expect(listed.seed).toBe(1);
    expect(listed.rules.map((r) => r.id)).toEqual(["fault-1", "fault-2"]);
    expect((await app.request("/__emulator/faults/fault-2", { method: "DELETE" })).status).toBe(204);
    expect((await app.request("/__emulator/faults/fault-2", { method: "DELETE" })).status).toBe(404);
    expect((await app.request("/__emulator/faults", { method: "DELETE" })).status).toBe(204);
    expect(((await (await app.request("/__emulator/faults")).json()) as { rules: unknown[] }).rules).toEqual(
      [],
    );
    await app.request("/__emulator/reset", { method: "POST" });
    const after = (await (await app.request("/__emulator/faults")).json()) as { rules: unknown[] };
    expect(after.rules).toEqual([
      expect.objectContaining({ id: "fault-1", route: "/sensei/*", latencyMs: 10 }),
    ]);
  });

  it("refuses invalid rules with 400", async () => {
    const { app } = testEmulator();
    for (const rule of [
      {},
      { status: 418 },
      { reset: true, probability: 2 },
      { status: 503, times: 0 },
      { route: "get /x", status: 503 },
    ]) {
      const res = await app.request("/__emulator/faults", postJson(rule));
      expect(res.status).toBe(400);
    }
  });

  it("refuses invalid start-up rules with a TypeError naming the package", () => {
    expect(() => testEmulator({ faults: { rules: [{ route: "/x" }] } })).toThrow(
      /\[@psapi\/mock-server\] fault rule/,
    );
  });
});

describe("latency and reset", () => {
  it("answers a request still in its latency 503 when the emulator is reset, without reporting a bug", async () => {
    const errors: unknown[] = [];
    const { app, clock } = testEmulator({ logger: { error: (message) => errors.push(message) } });
    const headers = { ...(await authHeaders(app)), "x-emulator-fault": "latency=500" };
    const pending = app.request(hello, { headers });
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.sleeps).toEqual([500]);
    expect((await app.request("/__emulator/reset", { method: "POST" })).status).toBe(204);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error_code: "503001", message: "Service Unavailable" });
    expect(errors).toEqual([]);
  });
});
