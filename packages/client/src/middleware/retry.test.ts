import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { PhotoshopApiError } from "../errors/photoshop-api-error.js";
import { json } from "../testing/fake-fetch.js";
import { accepted, MASK_BODY, setup } from "../testing/setup.js";

const ok = () => new Response("Welcome to the Photoshop API!", { status: 200 });
const gateway = (status: number, headers: Record<string, string> = {}) =>
  json(status, { error_code: `${status}001`, message: "try later" }, headers);

describe("retry middleware", () => {
  it.each([500, 502, 503, 504, 429])("retries %i up to 3 times, then reports it", async (status) => {
    const { client, clock, seen } = setup([gateway(status)]);
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(4);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({ status, retryable: true, errorCode: `${status}001` });
  });

  it("succeeds on the attempt after three transient failures", async () => {
    const { client, clock, seen } = setup([gateway(503), gateway(502), gateway(500), ok()]);
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(seen).toHaveLength(4);
  });

  it.each([400, 402, 403, 404, 409, 410, 415, 422])("never retries %i", async (status) => {
    const { client, clock, seen } = setup([json(status, { type: "X", code: status, title: "no" }), ok()]);
    const error = await clock.run(client.createMask(MASK_BODY)).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ status, retryable: false });
  });

  it("does not retry 401 (only the auth replay sends it again, once)", async () => {
    const { client, clock, seen } = setup([gateway(401), gateway(401), ok()]);
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(2);
    expect(error).toMatchObject({ status: 401, retryable: false });
  });

  it("backs off exponentially with full jitter", async () => {
    const { client, clock, seen } = setup([gateway(500), gateway(500), gateway(500), ok()], {
      random: () => 0.999,
    });
    await clock.run(client.hello());
    const waits = seen.slice(1).map((request, index) => request.at - (seen[index]?.at ?? 0));
    expect(waits).toEqual([999, 1998, 3996]);
  });

  it("draws each wait uniformly below the exponential ceiling", async () => {
    const { client, clock, seen } = setup([gateway(500), gateway(500), ok()], { random: () => 0.25 });
    await clock.run(client.hello());
    expect(seen.map((request) => request.at)).toEqual([0, 250, 750]);
  });

  it.each([429, 503])("waits at least Retry-After seconds on %i", async (status) => {
    const { client, clock, seen } = setup([gateway(status, { "retry-after": "7" }), ok()]);
    await clock.run(client.hello());
    // random() is 0, so the back-off alone would be 0: the whole wait is Retry-After's.
    expect(seen[1]?.at).toBe(7000);
  });

  it("reads Retry-After as an HTTP date", async () => {
    const { client, clock, seen } = setup([
      gateway(429, { "retry-after": new Date(12_000).toUTCString() }),
      ok(),
    ]);
    await clock.advance(2_000);
    await clock.run(client.hello());
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBe(10_000);
  });

  it("ignores Retry-After on a 500 (the header only binds 429 and 503)", async () => {
    const { client, clock, seen } = setup([gateway(500, { "retry-after": "30" }), ok()]);
    await clock.run(client.hello());
    expect(seen[1]?.at).toBe(0);
  });

  it("gives up at once when Retry-After exceeds maxRetryAfterMs, and says how long to wait", async () => {
    const { client, clock, seen } = setup([gateway(429, { "retry-after": "120" }), ok()], {
      retry: { maxRetryAfterMs: 60_000 },
    });
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000 });
  });

  it("starts no retry past the time budget", async () => {
    const { client, clock, seen } = setup([gateway(503, { "retry-after": "4" })], {
      retry: { budgetMs: 10_000 },
    });
    await clock.run(client.hello()).catch(() => {});
    // Sends at 0, 4 s and 8 s; a fourth at 12 s would end past the 10 s budget.
    expect(seen.map((request) => request.at)).toEqual([0, 4000, 8000]);
  });

  it("honours maxRetries", async () => {
    const { client, clock, seen } = setup([gateway(503)], { retry: { maxRetries: 1 } });
    await clock.run(client.hello()).catch(() => {});
    expect(seen).toHaveLength(2);
  });

  it("retries a network failure of a GET", async () => {
    const { client, clock, seen } = setup([new TypeError("fetch failed"), ok()]);
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(seen).toHaveLength(2);
  });

  it("never resends a POST after a network failure (it may have created a billed job)", async () => {
    const { client, clock, seen } = setup([new TypeError("fetch failed"), accepted("job-1")]);
    const error = await clock.run(client.createMask(MASK_BODY)).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({ status: 0, retryable: false });
    expect((error as Error).cause).toMatchObject({ name: "TypeError", message: "fetch failed" });
  });

  it("keeps a scrubbed copy of a network error as the cause, never the original (it may hold the request)", async () => {
    const failure = Object.assign(
      new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") }),
      {
        // What a custom fetch may hang on its errors: the request, bearer token included.
        request: new Request("https://image.adobe.io/x", { headers: { Authorization: "Bearer token-1" } }),
      },
    );
    const { client, clock } = setup([failure], { retry: { maxRetries: 0 } });
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 0, retryable: true });
    expect((error as Error).cause).toMatchObject({
      name: "TypeError",
      message: "fetch failed: connect ECONNREFUSED",
    });
    expect(inspect(error, { depth: 10 })).not.toContain("token-1");
    expect((error as Error).message).toContain("fetch failed: connect ECONNREFUSED");
  });

  it("resends a POST after a 503 with the same body", async () => {
    const { client, clock, seen } = setup([gateway(503), accepted("job-1")]);
    const job = await clock.run(client.createMask(MASK_BODY));
    expect(job.jobId).toBe("job-1");
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual(MASK_BODY);
    expect(seen[1]?.body).toBe(seen[0]?.body);
  });

  it("aborting during a back-off rejects at once with the signal's reason", async () => {
    const { client, clock, seen } = setup([gateway(503, { "retry-after": "30" }), ok()]);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const call = client.hello({ signal: controller.signal });
    const outcome = call.catch((caught: unknown) => caught);
    await clock.advance(1_000);
    expect(seen).toHaveLength(1);
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.now()).toBe(1_000);
    expect(clock.pending()).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it("times out a hung GET and retries it as a network failure", async () => {
    const { client, clock, seen } = setup(["hang", ok()], { timeoutMs: 5_000 });
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(seen.map((request) => request.at)).toEqual([0, 5_000]);
  });

  it("times out a hung POST and does not resend it", async () => {
    const { client, clock, seen } = setup(["hang", accepted("job-1")], { timeoutMs: 5_000 });
    const error = await clock.run(client.createMask(MASK_BODY)).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(clock.now()).toBe(5_000);
    expect(error).toMatchObject({ status: 0, retryable: false });
    expect((error as Error).message).toContain("timed out after 5000 ms");
  });

  it("logs each retry without the query string", async () => {
    const { client, clock, warnings } = setup([gateway(503), ok()]);
    await clock.run(client.hello());
    expect(warnings).toEqual([
      {
        source: "@psapi/client",
        method: "GET",
        url: "https://image.adobe.io/pie/psdService/hello",
        status: 503,
        attempt: 1,
        delayMs: 0,
      },
    ]);
  });
});
