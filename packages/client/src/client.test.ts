import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createPhotoshopClient } from "./all.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { fakeAuth } from "./testing/fake-auth.js";
import { json } from "./testing/fake-fetch.js";
import { accepted, MASK_BODY, setup } from "./testing/setup.js";

describe("createPhotoshopClient", () => {
  it("refuses missing or invalid options with a message that names the fix", () => {
    // @ts-expect-error: auth is required
    expect(() => createPhotoshopClient({})).toThrow(/auth is required/);
    expect(() => createPhotoshopClient({ auth: fakeAuth(), baseUrl: "image.adobe.io" })).toThrow(
      /baseUrl must be/,
    );
    expect(() => createPhotoshopClient({ auth: fakeAuth(), baseUrl: "https://u:p@image.adobe.io" })).toThrow(
      /without query or credentials/,
    );
    expect(() => createPhotoshopClient({ auth: fakeAuth(), timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
    expect(() => createPhotoshopClient({ auth: fakeAuth(), retry: { maxRetries: 1.5 } })).toThrow(/integer/);
    expect(() => createPhotoshopClient({ auth: fakeAuth(), retry: { baseDelayMs: -1 } })).toThrow(
      /retry.baseDelayMs/,
    );
    // @ts-expect-error: a misspelt knob is refused rather than ignored
    expect(() => createPhotoshopClient({ auth: fakeAuth(), retry: { maxRetires: 5 } })).toThrow(
      /retry.maxRetires is not a retry option/,
    );
    // Names every object inherits are not knobs either.
    for (const name of ["constructor", "toString", "hasOwnProperty"]) {
      expect(() => createPhotoshopClient({ auth: fakeAuth(), retry: { [name]: 1 } as never })).toThrow(
        `retry.${name} is not a retry option`,
      );
    }
    // @ts-expect-error: a clock needs sleep()
    expect(() => createPhotoshopClient({ auth: fakeAuth(), clock: { now: () => 0 } })).toThrow(
      /clock must have/,
    );
    expect(() => createPhotoshopClient({ auth: fakeAuth(), random: 0.5 as never })).toThrow(/random must be/);
  });

  it("hello() resolves with Adobe's greeting as text", async () => {
    const { client, clock, seen } = setup([new Response("Welcome to the Photoshop API!")]);
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(seen[0]).toMatchObject({ method: "GET", url: "https://image.adobe.io/pie/psdService/hello" });
  });

  it("createMask() posts JSON and returns a handle with the job id and absolute status URL", async () => {
    const { client, clock, seen } = setup([accepted("f54e0fcb-260b-47c3-b520-de0d17dc2b67")]);
    const job = await clock.run(client.createMask(MASK_BODY));
    expect(job.jobId).toBe("f54e0fcb-260b-47c3-b520-de0d17dc2b67");
    expect(job.statusUrl).toBe("https://image.adobe.io/sensei/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67");
    expect(seen[0]).toMatchObject({ method: "POST", url: "https://image.adobe.io/sensei/mask" });
    expect(seen[0]?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(MASK_BODY);
  });

  it("removeBackground() posts to /sensei/cutout and getDocumentManifest() to psdService", async () => {
    const { client, clock, seen } = setup([
      accepted("a"),
      accepted("b", "https://image.adobe.io", "/pie/psdService/status/"),
    ]);
    await clock.run(client.removeBackground(MASK_BODY));
    await clock.run(
      client.getDocumentManifest({ inputs: [{ href: "https://bucket.example/a.psd", storage: "external" }] }),
    );
    expect(seen.map((request) => request.url)).toEqual([
      "https://image.adobe.io/sensei/cutout",
      "https://image.adobe.io/pie/psdService/documentManifest",
    ]);
  });

  it("reports a 202 without a status link as an error that says the job may exist", async () => {
    const { client, clock } = setup([json(202, { _links: {} })]);
    const error = await clock.run(client.createMask(MASK_BODY)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect((error as Error).message).toMatch(
      /without a usable _links\.self\.href; the job may have been created/,
    );
  });

  it("rejects a 2xx whose body is not JSON with PhotoshopApiError, whatever the call", async () => {
    const { client, clock } = setup([new Response("<html>proxy</html>", { status: 200 })]);
    const calls: Array<() => Promise<unknown>> = [
      () => client.getMaskStatus("j1"),
      () => client.createMask(MASK_BODY),
    ];
    for (const call of calls) {
      const error = await clock.run(call()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PhotoshopApiError);
      expect(error).toMatchObject({ status: 0, retryable: false });
      expect((error as Error).message).toMatch(/failed with 0: a body that is not JSON/);
    }
    // A text call reads the same body as text.
    await expect(clock.run(client.hello())).resolves.toBe("<html>proxy</html>");
  });

  it("takes the token it sent out of an error body that echoes it, before any field is read", async () => {
    const token = "ims-token-7f3a9c2e";
    const { client, clock } = setup(
      [
        json(400, {
          type: "Echo",
          title: `${token} is not valid here`,
          details: [{ name: "authorization", reason: token }, { reason: `got ${token}` }],
        }),
      ],
      { auth: fakeAuth([token]) },
    );
    const error = await clock.run(client.getMaskStatus("j1")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({
      title: "[REDACTED] is not valid here",
      details: [{ name: "authorization", reason: "[REDACTED]" }, { reason: "got [REDACTED]" }],
    });
    expect(inspect(error, { depth: 8 }) + JSON.stringify(error)).not.toContain(token);
  });

  it("reads a body as the server sent it when the token is too short to be a real one", async () => {
    // A raw scrub of "1" broke every number ("[REDACTED]00": not JSON) and the job id "j1".
    const status = {
      jobId: "j1",
      status: "running",
      progress: 10,
      _links: { self: { href: "https://image.adobe.io/sensei/status/j1" } },
    };
    const { client, clock } = setup([json(200, status)], { auth: fakeAuth(["1"]) });
    await expect(clock.run(client.getMaskStatus("j1"))).resolves.toEqual(status);
  });

  it("refuses a body that is not an object before sending anything", async () => {
    const { client, seen } = setup([accepted("a")]);
    // @ts-expect-error: the body must be a request object
    await expect(client.createMask(null)).rejects.toThrow(/createMask\(body\): body must be an object/);
    expect(seen).toHaveLength(0);
  });

  it("getMaskStatus() reads one Sensei status and fills jobId from jobID", async () => {
    const { client, clock, seen } = setup([
      json(200, {
        jobID: "j 1",
        status: "running",
        _links: { self: { href: "https://image.adobe.io/sensei/status/j%201" } },
      }),
    ]);
    const status = await clock.run(client.getMaskStatus("j 1"));
    expect(status).toMatchObject({ jobId: "j 1", status: "running" });
    expect(seen[0]?.url).toBe("https://image.adobe.io/sensei/status/j%201");
  });

  it("getPsdStatus() accepts the 202 answer of a running job", async () => {
    const { client, clock } = setup([
      json(202, {
        jobId: "p1",
        outputs: [
          {
            input: "x",
            status: "running",
            created: "2026-01-01T00:00:00Z",
            modified: "2026-01-01T00:00:00Z",
          },
        ],
        _links: { self: { href: "https://image.adobe.io/pie/psdService/status/p1" } },
      }),
    ]);
    const status = await clock.run(client.getPsdStatus("p1"));
    expect(status.outputs[0]?.status).toBe("running");
  });

  it("refuses an empty job id", async () => {
    const { client } = setup([]);
    await expect(client.getPsdStatus("")).rejects.toThrow(/jobId must be a non-empty string/);
  });

  it("a per-call signal that is already aborted rejects with its reason and sends nothing", async () => {
    const { client, clock, seen } = setup([accepted("a")]);
    const reason = new Error("not now");
    await expect(clock.run(client.createMask(MASK_BODY, { signal: AbortSignal.abort(reason) }))).rejects.toBe(
      reason,
    );
    expect(seen).toHaveLength(0);
  });

  it("keeps the raw openapi-fetch client reachable, with the same middleware", async () => {
    const { client, clock, seen } = setup([json(503, {}), accepted("a")]);
    const { data, response } = await clock.run(client.raw.POST("/sensei/mask", { body: MASK_BODY }));
    expect(response.status).toBe(202);
    expect(data?._links.self.href).toBe("https://image.adobe.io/sensei/status/a");
    expect(seen).toHaveLength(2);
    expect(seen[1]?.headers.get("authorization")).toBe("Bearer token-1");
  });
});
