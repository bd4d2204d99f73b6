import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it, vi } from "vitest";
import type { EmulatorEnv } from "../context.js";
import { authHeaders, testEmulator } from "../testing/helpers.js";
import { createErrorRenderer } from "./render-error.js";

function appThrowing(error: Error, logger = { error: vi.fn() }) {
  const app = new Hono<EmulatorEnv>();
  app.get("/x", () => {
    throw error;
  });
  app.onError(createErrorRenderer(logger));
  return { app, logger };
}

describe("createErrorRenderer", () => {
  it("answers 500 UndefinedError for an unexpected error, logs it, and leaks nothing", async () => {
    const { app, logger } = appThrowing(new Error("secret internal detail"));
    const res = await app.request("/x");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ type: "UndefinedError", code: 500, title: "Internal Server Error" });
    expect(text).not.toContain("secret");
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]?.[0]).toContain("GET /x");
  });

  it("renders a 4xx HTTPException in the service shape without logging", async () => {
    const { app, logger } = appThrowing(new HTTPException(400, { message: "Malformed" }));
    const res = await app.request("/x");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: "InputValidationError",
      code: 400,
      title: "Malformed",
      reason: [{ keyword: "request" }],
    });
    expect(logger.error).not.toHaveBeenCalled();
  });
});

describe("a request body cut off mid-way (found by the raw-socket fuzz in packages/tests)", () => {
  it("answers 400 and reports nothing to the logger, instead of a logged 500", async () => {
    const logged: unknown[] = [];
    const { app } = testEmulator({ logger: { error: (...args: unknown[]) => logged.push(args) } });
    const auth = await authHeaders(app);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"input":'));
        controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      },
    });
    const res = await app.request("/sensei/mask", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "InputValidationError", code: 400 });
    expect(logged).toEqual([]);
  });
});
