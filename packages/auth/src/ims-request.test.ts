import { inspect } from "node:util";
import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it, vi } from "vitest";
import { ImsError } from "./ims-error.js";
import { requestImsToken } from "./ims-request.js";
import { resolveImsOptions } from "./options.js";
import { createFakeIms, type ImsAnswer, json } from "./testing/fake-ims.js";

const SECRET = "client-secret-value";

function run(answers: ImsAnswer[], unit: "seconds" | "milliseconds" = "seconds") {
  const clock = createFakeClock({ start: 0, autoAdvance: true });
  const ims = createFakeIms(...answers);
  const logger = { warn: vi.fn() };
  const options = resolveImsOptions({ fetch: ims.fetch, clock, random: () => 0, logger });
  const result = requestImsToken(options, {
    path: "/ims/token/v3",
    form: { grant_type: "client_credentials", client_secret: SECRET },
    expiresIn: unit,
    secrets: [SECRET],
  });
  return { result, ims, clock, logger };
}

function text(status: number, body: string, contentType?: string): ImsAnswer {
  return () => new Response(body, { status, headers: contentType ? { "content-type": contentType } : {} });
}

describe("requestImsToken", () => {
  it("converts expires_in from seconds or milliseconds, and accepts a numeric string", async () => {
    expect(await run([() => json(200, { access_token: "a", expires_in: 86_399 })]).result).toEqual({
      accessToken: "a",
      expiresInMs: 86_399_000,
    });
    expect(
      await run([() => json(200, { access_token: "a", expires_in: 86_399_999 })], "milliseconds").result,
    ).toEqual({
      accessToken: "a",
      expiresInMs: 86_399_999,
    });
    expect((await run([() => json(200, { access_token: "a", expires_in: "3600" })]).result).expiresInMs).toBe(
      3_600_000,
    );
  });

  it("returns a rotated refresh token", async () => {
    const { result } = run([() => json(200, { access_token: "a", expires_in: 60, refresh_token: "r2" })]);
    expect(await result).toEqual({ accessToken: "a", expiresInMs: 60_000, refreshToken: "r2" });
  });

  it.each([
    [
      "an HTML page",
      text(200, "<html><body>Sign in</body></html>", "text/html; charset=utf-8"),
      "a text/html body",
    ],
    ["bad JSON", text(200, "{not json"), "a text/plain body"],
    [
      "bytes without a content type",
      () => new Response(new TextEncoder().encode("{")),
      "a body that is not JSON",
    ],
    ["a JSON array", () => json(200, [1]), "no JSON object"],
    [
      "no access_token",
      () => json(200, { token_type: "bearer", expires_in: 86_400 }),
      "no usable access_token",
    ],
    [
      "an empty access_token",
      () => json(200, { access_token: "", expires_in: 86_400 }),
      "no usable access_token",
    ],
    [
      "an access_token with a space",
      () => json(200, { access_token: "a b", expires_in: 86_400 }),
      "no usable access_token",
    ],
    [
      "another token_type",
      () => json(200, { access_token: "a", token_type: "mac", expires_in: 1 }),
      "other than bearer",
    ],
    ["no expires_in", () => json(200, { access_token: "a" }), "no plausible expires_in (in seconds)"],
    ["a zero expires_in", () => json(200, { access_token: "a", expires_in: 0 }), "no plausible expires_in"],
    [
      "a negative expires_in",
      () => json(200, { access_token: "a", expires_in: -5 }),
      "no plausible expires_in",
    ],
    [
      "a text expires_in",
      () => json(200, { access_token: "a", expires_in: "1 day" }),
      "no plausible expires_in",
    ],
    [
      "a milliseconds expires_in where seconds belong",
      () => json(200, { access_token: "a", expires_in: 86_399_999 }),
      "no plausible expires_in",
    ],
    [
      "a bad refresh_token",
      () => json(200, { access_token: "a", expires_in: 9, refresh_token: 7 }),
      "an unusable refresh_token",
    ],
  ])("rejects a 200 with %s as invalid_response, at once", async (_, answer, reason) => {
    const { result, ims } = run([answer]);
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({ error: "invalid_response", status: 200 });
    expect((error as ImsError).errorDescription).toContain(reason);
    expect(ims.calls).toHaveLength(1);
  });

  it("accepts a token_type in any case", async () => {
    const { result } = run([() => json(200, { access_token: "a", token_type: "Bearer", expires_in: 1 })]);
    expect((await result).accessToken).toBe("a");
  });

  it("describes a 4xx without an OAuth body by its status and content type", async () => {
    const { result } = run([text(403, "<h1>Forbidden</h1>", "text/html")]);
    await expect(result).rejects.toMatchObject({
      error: "http_403",
      errorDescription: "IMS answered 403 with a text/html body",
      status: 403,
    });
  });

  it("describes a 4xx with a JSON body without error fields", async () => {
    const { result } = run([() => json(400, { message: "nope" })]);
    await expect(result).rejects.toMatchObject({
      error: "http_400",
      errorDescription: "IMS answered 400 with JSON",
    });
  });

  it("scrubs the client secret and anything secret-looking from what IMS says", async () => {
    const { result } = run([
      () =>
        json(400, {
          error: "invalid_request",
          error_description: `client_secret=${SECRET} was sent with Bearer abc.def and ${SECRET}`,
        }),
    ]);
    const error = (await result.catch((e: unknown) => e)) as ImsError;
    expect(error.message).not.toContain(SECRET);
    expect(error.errorDescription).toBe(
      "client_secret=[REDACTED] was sent with Bearer [REDACTED] and [REDACTED]",
    );
  });

  it("truncates a very long error_description", async () => {
    const { result } = run([
      () => json(400, { error: "invalid_request", error_description: "x".repeat(5000) }),
    ]);
    const error = (await result.catch((e: unknown) => e)) as ImsError;
    expect(error.errorDescription).toHaveLength(300);
  });

  it("retries 429 after Retry-After when it is longer than the back-off", async () => {
    const { result, clock, ims, logger } = run([
      () => json(429, { error: "too_many" }, { "retry-after": "7" }),
    ]);
    expect((await result).accessToken).toBe("token-2");
    expect(ims.calls).toHaveLength(2);
    expect(clock.sleeps.filter((ms) => ms !== 30_000)).toEqual([7000]);
    expect(logger.warn).toHaveBeenCalledWith("IMS request failed; retrying", {
      source: "@psapi/auth",
      attempt: 1,
      delayMs: 7000,
      error: "too_many",
      status: 429,
    });
  });

  it("gives up at once on a Retry-After longer than a minute", async () => {
    const { result, ims } = run([() => json(503, {}, { "retry-after": "3600" })]);
    await expect(result).rejects.toMatchObject({ status: 503 });
    expect(ims.calls).toHaveLength(1);
  });

  it("reads a Retry-After HTTP-date, and ignores a malformed one", async () => {
    // The fake clock stands at 0 when IMS answers.
    const dated = run([() => json(503, {}, { "retry-after": new Date(9000).toUTCString() })]);
    await dated.result;
    expect(dated.clock.sleeps.filter((ms) => ms !== 30_000)).toEqual([9000]);
    const { result, clock } = run([() => json(503, {}, { "retry-after": "soon" })]);
    await result;
    expect(clock.sleeps.filter((ms) => ms !== 30_000)).toEqual([500]);
  });

  it("treats a redirect as a failure and never follows it", async () => {
    const { result, ims } = run([
      () => new Response(null, { status: 307, headers: { location: "https://evil.example/" } }),
    ]);
    await expect(result).rejects.toMatchObject({ error: "http_307", status: 307 });
    expect(ims.calls[0]?.redirect).toBe("manual");
    expect(ims.calls).toHaveLength(1);
  });

  it("reports a network failure that is not an Error", async () => {
    const failing: ImsAnswer = () => Promise.reject("socket hang up");
    const { result } = run([failing, failing, failing]);
    await expect(result).rejects.toMatchObject({
      error: "network_error",
      errorDescription: "IMS at https://ims-na1.adobelogin.com could not be reached: unknown error",
    });
  });

  it("keeps the reason and code of Node's fetch failure in a scrubbed copy of the cause", async () => {
    const failing: ImsAnswer = () =>
      Promise.reject(
        new TypeError("fetch failed", {
          cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4010"), { code: "ECONNREFUSED" }),
        }),
      );
    const { result } = run([failing, failing, failing]);
    const error = (await result.catch((e: unknown) => e)) as ImsError;
    expect(error.errorDescription).toBe(
      "IMS at https://ims-na1.adobelogin.com could not be reached: fetch failed: connect ECONNREFUSED 127.0.0.1:4010",
    );
    expect(error.cause).toMatchObject({ name: "TypeError", code: "ECONNREFUSED" });
  });

  it("never keeps what a custom fetch attached to its error", async () => {
    const failing: ImsAnswer = (call) =>
      Promise.reject(Object.assign(new Error("request failed"), { code: 42, config: { data: call.body } }));
    const { result } = run([failing, failing, failing]);
    const error = (await result.catch((e: unknown) => e)) as ImsError;
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
    expect(error.cause).not.toHaveProperty("code");
  });

  it("scrubs secrets from a network error's message", async () => {
    const failing: ImsAnswer = () => Promise.reject(new Error(`proxy refused body client_secret=${SECRET}`));
    const { result } = run([failing, failing, failing]);
    const error = (await result.catch((e: unknown) => e)) as ImsError;
    expect(error.message).not.toContain(SECRET);
  });
});
