import { describe, expect, expectTypeOf, it } from "vitest";
import { getToken, TEST_START, testEmulator } from "../testing/helpers.js";
import {
  createEmulatorControl,
  type EmulatorControl,
  EmulatorControlError,
  type EmulatorFaultRuleInput,
} from "./control-client.js";

const BASE = "http://127.0.0.1:4010";

/** A control client on an in-process emulator, and every request it sent. */
function controlled() {
  const { app, clock } = testEmulator({ publicUrl: BASE });
  const sent: string[] = [];
  const control = createEmulatorControl({
    baseUrl: `${BASE}/`,
    fetch: async (request) => {
      const url = new URL(request.url);
      sent.push(`${request.method} ${url.pathname}`);
      return app.fetch(request);
    },
  });
  return { app, clock, control, sent };
}

describe("createEmulatorControl", () => {
  it("refuses a baseUrl that is not an absolute http(s) URL, naming the package", () => {
    expect(() => createEmulatorControl({ baseUrl: "127.0.0.1:4010" })).toThrow(
      /^\[@psapi\/mock-server\] baseUrl must be an/,
    );
    expect(() => createEmulatorControl({ baseUrl: "/relative" })).toThrow(TypeError);
  });

  it("reads and advances the emulator's clock", async () => {
    const { control, sent } = controlled();
    expect(await control.clock()).toEqual({ now: TEST_START, time: new Date(TEST_START).toISOString() });
    expect(await control.advanceClock(1500)).toMatchObject({ now: TEST_START + 1500 });
    expect(sent).toEqual(["GET /__emulator/clock", "POST /__emulator/clock/advance"]);
  });

  it("stores an object and reads it back through pre-signed URLs", async () => {
    const { control, sent } = controlled();
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const href = await control.putObject("in/a b.png", bytes, "image/png");
    expect(new URL(href).pathname).toBe("/__emulator/storage/objects/in%2Fa%20b.png");
    expect(new URL(href).searchParams.has("sig")).toBe(true);
    expect(await control.getObject("in/a b.png")).toEqual(bytes);
    expect(sent).toEqual([
      "POST /__emulator/storage/presign",
      "PUT /__emulator/storage/objects/in%2Fa%20b.png",
      "POST /__emulator/storage/presign",
      "POST /__emulator/storage/presign",
      "GET /__emulator/storage/objects/in%2Fa%20b.png",
    ]);
    const presigned = await control.presign("k", "GET", { expiresIn: 60 });
    expect(presigned).toMatchObject({
      method: "GET",
      key: "k",
      expiresAt: new Date(TEST_START + 60_000).toISOString(),
    });
  });

  it("adds, lists and removes fault rules, and the rule takes effect", async () => {
    const { control, app } = controlled();
    const rule = await control.addFault({ route: "GET /pie/psdService/hello", status: 503, times: 1 });
    expect(rule).toMatchObject({ route: "GET /pie/psdService/hello", status: 503, hits: 0 });
    expect((await app.request("/pie/psdService/hello")).status).toBe(503);
    expect((await control.faults()).rules).toEqual([{ ...rule, times: 0, hits: 1 }]);
    expect(await control.removeFault(rule.id)).toBe(true);
    expect(await control.removeFault(rule.id)).toBe(false);
    await control.addFault({ latencyMs: 1 });
    await control.clearFaults();
    expect((await control.faults()).rules).toEqual([]);
  });

  it("filters the journal and lists jobs, tokens and limits", async () => {
    const { control, app } = controlled();
    await app.request("/pie/psdService/hello");
    await control.clock();
    const journal = await control.journal({ path: "/pie/" });
    expect(journal.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      "GET /pie/psdService/hello 401",
    ]);
    expect(await control.jobs()).toEqual([]);
    expect(await control.limits()).toMatchObject({ rateLimits: { enabled: false, windows: [] } });
    await getToken(app);
    const [token] = await control.tokens({ clientId: "psapi-demo-client" });
    expect(token).toMatchObject({ clientId: "psapi-demo-client", state: "valid" });
    expect(await control.revokeTokens({ tokenId: token?.tokenId })).toBe(true);
    expect(await control.tokens()).toMatchObject([{ state: "revoked" }]);
  });

  it("resets the emulator's state", async () => {
    const { control } = controlled();
    await control.putObject("a.png", new Uint8Array([1]), "image/png");
    await control.reset();
    await expect(control.getObject("a.png")).rejects.toMatchObject({
      name: "EmulatorControlError",
      operation: "GET /__emulator/storage/objects/{key}",
      status: 404,
    });
  });

  it("throws EmulatorControlError with the call, the status and the emulator's error body as fields", async () => {
    const { control } = controlled();
    const error = await control.advanceClock(-1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorControlError);
    expect(error).toMatchObject({
      operation: "POST /__emulator/clock/advance",
      status: 400,
      body: { type: "InputValidationError", code: 400 },
    });
    expect((error as Error).message).toMatch(
      /^\[@psapi\/mock-server\] POST \/__emulator\/clock\/advance answered HTTP 400: /,
    );
  });

  it("passes an abort's reason through unchanged", async () => {
    const { control } = controlled();
    const reason = new Error("stop");
    await expect(control.clock({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("types its calls from emulator.yaml", () => {
    expectTypeOf<EmulatorControl["addFault"]>().parameter(0).toEqualTypeOf<EmulatorFaultRuleInput>();
    expectTypeOf<EmulatorFaultRuleInput["status"]>().toEqualTypeOf<429 | 500 | 502 | 503 | 504 | undefined>();
    expectTypeOf<Awaited<ReturnType<EmulatorControl["jobs"]>>[number]["status"]>().toEqualTypeOf<
      "pending" | "running" | "succeeded" | "failed"
    >();
  });
});
