import sharp from "sharp";
import { describe, expect, it, vi } from "vitest";
import type { Imaging } from "../options.js";
import {
  advance,
  authHeaders,
  CLIENT_ID,
  getToken,
  postJson,
  presign,
  subjectPng,
  testEmulator,
  upload,
} from "../testing/helpers.js";

type Link = { _links: { self: { href: string } } };
type Status = Record<string, unknown> & { status: string; jobId: string };

async function submit(
  app: ReturnType<typeof testEmulator>["app"],
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const res = await app.request(path, postJson(body, headers));
  expect(res.status).toBe(202);
  return ((await res.json()) as Link)._links.self.href;
}

async function status(
  app: ReturnType<typeof testEmulator>["app"],
  href: string,
  headers: Record<string, string>,
) {
  const res = await app.request(href, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Status;
}

async function finish(
  app: ReturnType<typeof testEmulator>["app"],
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const href = await submit(app, path, body, headers);
  await advance(app, 0);
  return status(app, href, headers);
}

async function download(app: ReturnType<typeof testEmulator>["app"], key: string) {
  const res = await app.request(await presign(app, key, "GET"));
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function maskBody(app: ReturnType<typeof testEmulator>["app"], output: Record<string, unknown> = {}) {
  return {
    input: { href: await presign(app, "in/photo.png", "GET"), storage: "external" },
    output: { href: await presign(app, "out/result.png", "PUT"), storage: "external", ...output },
  };
}

describe("POST /sensei/mask", () => {
  it("moves pending → running → succeeded on the emulator clock and writes a greyscale PNG the input's size", async () => {
    const { app } = testEmulator({ jobs: { pendingMs: 1000, runningMs: 2000 } });
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng(64, 48));
    const body = await maskBody(app, { mask: { format: "binary" } });
    const href = await submit(app, "/sensei/mask", body, headers);
    expect(href).toMatch(/^http:\/\/localhost\/sensei\/status\/[0-9a-f-]{36}$/);

    expect((await app.request(href, { headers })).headers.get("location")).toBe(href);
    const pending = await status(app, href, headers);
    expect(pending).toMatchObject({ status: "pending", input: body.input.href });
    expect(href.endsWith(pending.jobId)).toBe(true);
    expect(pending).not.toHaveProperty("output");

    await advance(app, 1000);
    expect((await status(app, href, headers)).status).toBe("running");
    await advance(app, 1999);
    expect((await status(app, href, headers)).status).toBe("running");
    await advance(app, 1);
    const done = await status(app, href, headers);
    expect(done).toMatchObject({ status: "succeeded", output: body.output });
    expect(done).not.toHaveProperty("errors");

    const png = await download(app, "out/result.png");
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: "png", width: 64, height: 48, channels: 1 });
    // sharp widens greyscale to sRGB on decode; one channel holds the mask.
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const values = new Set(data);
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
    expect(data[24 * 64 + 32]).toBe(255);
    expect(data[0]).toBe(0);
  });

  it("passes the mask format to the image module and PUTs its bytes", async () => {
    const computeMask = vi.fn(async () => new Uint8Array([1, 2, 3]));
    const imaging: Imaging = { computeMask, computeCutout: vi.fn(), readDocumentManifest: vi.fn() };
    const { app } = testEmulator({ imaging });
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", new Uint8Array([9, 9]));
    expect((await finish(app, "/sensei/mask", await maskBody(app), headers)).status).toBe("succeeded");
    expect(computeMask).toHaveBeenCalledTimes(1);
    expect(computeMask).toHaveBeenCalledWith(new Uint8Array([9, 9]), { format: "soft" });
    expect([...(await download(app, "out/result.png"))]).toEqual([1, 2, 3]);
  });

  it("answers 415 for a non-JSON content type", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const res = await app.request("/sensei/mask", {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: "input=x",
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ type: "InvalidContentTypeError", code: 415 });
  });

  it("answers 400 InputValidationError for malformed JSON", async () => {
    const { app } = testEmulator();
    const res = await app.request("/sensei/mask", postJson("{not json", await authHeaders(app)));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: "InputValidationError",
      code: 400,
      reason: [{ keyword: "json" }],
    });
  });

  it("answers 400 with ajv's issues under reason for a body the schema rejects", async () => {
    const { app } = testEmulator();
    const body = {
      input: { href: "https://example.com/a.png", storage: "external" },
      output: { href: "https://example.com/b.png", storage: "external", mask: { format: "sharp" } },
    };
    const res = await app.request("/sensei/mask", postJson(body, await authHeaders(app)));
    expect(res.status).toBe(400);
    const error = (await res.json()) as { type: string; reason: Record<string, unknown>[] };
    expect(error.type).toBe("InputValidationError");
    expect(error.reason).toContainEqual(
      expect.objectContaining({
        keyword: "enum",
        instancePath: "/output/mask/format",
        dataPath: ".output.mask.format",
        params: { allowedValues: ["soft", "binary"] },
      }),
    );
  });

  it("answers 413 for a body over maxBodyBytes", async () => {
    const { app } = testEmulator({ limits: { maxBodyBytes: 256 } });
    const res = await app.request("/sensei/mask", postJson({ pad: "x".repeat(300) }, await authHeaders(app)));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: "PayloadTooLargeError", code: 413 });
  });

  it("fails with ResourceNotFound 404 when the signed input URL names no object", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const failed = await finish(app, "/sensei/mask", await maskBody(app), headers);
    expect(failed).toMatchObject({ status: "failed", errors: { type: "ResourceNotFound", code: 404 } });
    expect(failed).not.toHaveProperty("output");
  });

  it("fails with FileLinkInvalidError when the input link has expired", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng());
    const body = await maskBody(app);
    body.input.href = await presign(app, "in/photo.png", "GET", 10);
    await advance(app, 10_000);
    const failed = await finish(app, "/sensei/mask", body, headers);
    expect(failed.errors).toMatchObject({
      type: "FileLinkInvalidError",
      details: [{ reason: "The link has expired." }],
    });
  });

  it("fails with FileOverwriteError 409 when the output exists and overwrite is false", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng());
    await upload(app, "out/result.png", new Uint8Array([7]));
    expect(
      (await finish(app, "/sensei/mask", await maskBody(app, { overwrite: false }), headers)).errors,
    ).toMatchObject({
      type: "FileOverwriteError",
      code: 409,
    });
    expect([...(await download(app, "out/result.png"))]).toEqual([7]);
  });

  it("fails with InputValidationError when the input is not an image", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", new TextEncoder().encode("hello, not a picture"), "text/plain");
    expect((await finish(app, "/sensei/mask", await maskBody(app), headers)).errors).toMatchObject({
      type: "InputValidationError",
      code: 400,
    });
  });

  it("fails with a 410 for a GET URL used as the output", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng());
    const body = await maskBody(app);
    body.output.href = await presign(app, "out/result.png", "GET");
    expect((await finish(app, "/sensei/mask", body, headers)).errors).toMatchObject({
      type: "FileLinkInvalidError",
      details: [{ name: "Asset Upload Error" }],
    });
  });

  it("never fetches a host off the allow-list, nor plain http to another host", async () => {
    const fetch = vi.fn(async () => new Response("x"));
    const { app } = testEmulator({ fetch, allowedHosts: ["assets.example.com"] });
    const headers = await authHeaders(app);
    for (const input of ["https://169.254.169.254/latest/meta-data", "http://assets.example.com/a.png"]) {
      expect(
        (
          await finish(
            app,
            "/sensei/mask",
            {
              input: { href: input, storage: "external" },
              output: { href: "https://assets.example.com/o.png", storage: "external" },
            },
            headers,
          )
        ).errors,
      ).toMatchObject({ type: "FileLinkInvalidError" });
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("downloads from and uploads to an allow-listed https host, without following redirects", async () => {
    const png = await subjectPng();
    const requests: Request[] = [];
    const fetch = vi.fn(async (request: Request) => {
      requests.push(request);
      return request.method === "GET"
        ? new Response(new Uint8Array(png))
        : new Response(null, { status: 200 });
    });
    const { app } = testEmulator({ fetch, allowedHosts: ["*.example.com"] });
    const headers = await authHeaders(app);
    expect(
      (
        await finish(
          app,
          "/sensei/cutout",
          {
            input: { href: "https://in.example.com/a.png?sig=1", storage: "external" },
            output: { href: "https://out.example.com/b.png?sig=2", storage: "external" },
          },
          headers,
        )
      ).status,
    ).toBe("succeeded");
    expect(requests.map((r) => [r.method, r.url, r.redirect])).toEqual([
      ["GET", "https://in.example.com/a.png?sig=1", "error"],
      ["PUT", "https://out.example.com/b.png?sig=2", "error"],
    ]);
    const uploaded = Buffer.from(await (requests[1] as Request).arrayBuffer());
    expect(await sharp(uploaded).metadata()).toMatchObject({ channels: 4, width: 64, height: 48 });
  });

  it("fails with 404 when an allow-listed host answers 404, 410 on another error, 400 when too large", async () => {
    const fetch = vi.fn(async (request: Request) =>
      request.url.includes("missing")
        ? new Response("no", { status: 404 })
        : request.url.includes("denied")
          ? new Response("no", { status: 403 })
          : new Response(new Uint8Array(2048)),
    );
    const { app } = testEmulator({
      fetch,
      allowedHosts: ["cdn.example.com"],
      limits: { maxObjectBytes: 1024 },
    });
    const headers = await authHeaders(app);
    const run = async (input: string) => {
      return (
        await finish(
          app,
          "/sensei/mask",
          {
            input: { href: input, storage: "external" },
            output: { href: "https://cdn.example.com/o.png", storage: "external" },
          },
          headers,
        )
      ).errors;
    };
    expect(await run("https://cdn.example.com/missing.png")).toMatchObject({
      type: "ResourceNotFound",
      code: 404,
    });
    expect(await run("https://cdn.example.com/denied.png")).toMatchObject({
      type: "FileLinkInvalidError",
      code: 410,
    });
    expect(await run("https://cdn.example.com/huge.png")).toMatchObject({
      type: "InputValidationError",
      code: 400,
    });
  });

  it.each([
    [
      "an adobe path that is not a valid key",
      { href: "files/../secret", storage: "adobe" },
      "not a valid storage path",
    ],
    [
      "an emulator URL that is not a storage object",
      { href: "http://localhost/sensei/status/x", storage: "external" },
      "not a storage object URL",
    ],
    [
      "bad percent-encoding",
      { href: "http://localhost/__emulator/storage/objects/%E0%A4%A?sig=x", storage: "external" },
      "not a valid storage path",
    ],
    [
      "an unsigned emulator URL",
      { href: "http://localhost/__emulator/storage/objects/a.png", storage: "external" },
      "not a valid pre-signed GET URL",
    ],
    [
      "a network failure",
      { href: "https://down.example.com/a.png", storage: "external" },
      "could not be reached",
    ],
    [
      "an interrupted download",
      { href: "https://cut.example.com/a.png", storage: "external" },
      "interrupted",
    ],
  ])("fails with FileLinkInvalidError for %s", async (_name, input, reason) => {
    const fetch = vi.fn(async (request: Request) => {
      if (request.url.includes("down.")) throw new TypeError("fetch failed");
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.error(new Error("socket closed"));
        },
      });
      return new Response(body);
    });
    const { app } = testEmulator({ fetch, allowedHosts: ["down.example.com", "cut.example.com"] });
    const headers = await authHeaders(app);
    const errors = (
      await finish(app, "/sensei/mask", { input, output: { href: "files/o.png", storage: "adobe" } }, headers)
    ).errors as {
      type: string;
      details: { reason: string }[];
    };
    expect(errors.type).toBe("FileLinkInvalidError");
    expect(errors.details[0]?.reason).toContain(reason);
  });

  it("fails with a 410 upload error when an allow-listed output host refuses the PUT", async () => {
    const png = await subjectPng();
    const fetch = vi.fn(async (request: Request) =>
      request.method === "GET" ? new Response(new Uint8Array(png)) : new Response("denied", { status: 403 }),
    );
    const { app } = testEmulator({ fetch, allowedHosts: ["s3.example.com"] });
    const headers = await authHeaders(app);
    expect(
      (
        await finish(
          app,
          "/sensei/mask",
          {
            input: { href: "https://s3.example.com/a.png", storage: "external" },
            output: { href: "https://s3.example.com/b.png", storage: "external" },
          },
          headers,
        )
      ).errors,
    ).toMatchObject({
      type: "FileLinkInvalidError",
      details: [
        { name: "Asset Upload Error", reason: "Unable to upload to the output href: it answered HTTP 403." },
      ],
    });
  });

  it("reads and writes adobe storage paths in the built-in store", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "files/photo.png", await subjectPng());
    expect(
      (
        await finish(
          app,
          "/sensei/mask",
          {
            input: { href: "/files/photo.png", storage: "adobe" },
            output: { href: "files/mask.png", storage: "adobe" },
          },
          headers,
        )
      ).status,
    ).toBe("succeeded");
    expect((await sharp(await download(app, "files/mask.png")).metadata()).channels).toBe(1);
  });
});

describe("POST /sensei/cutout", () => {
  it("writes an RGBA PNG whose alpha is the mask", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng(64, 48));
    expect((await finish(app, "/sensei/cutout", await maskBody(app), headers)).status).toBe("succeeded");
    const { data, info } = await sharp(await download(app, "out/result.png"))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ channels: 4, width: 64, height: 48 });
    expect(data[(24 * 64 + 32) * 4 + 3]).toBe(255);
    expect(data[3]).toBe(0);
  });
});

describe("GET /sensei/status/{jobId}", () => {
  it("answers 404 ResourceNotFound for an unknown job, another client's job, or a psd job", async () => {
    const other = { clientId: "other-client", clientSecret: "other-secret" };
    const { app } = testEmulator({
      clients: [{ clientId: CLIENT_ID, clientSecret: "psapi-demo-secret" }, other],
    });
    const headers = await authHeaders(app);
    const notFound = { type: "ResourceNotFound", code: 404, title: "Requested resource was not found" };
    const unknown = await app.request("/sensei/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67", { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(notFound);

    const href = await submit(app, "/sensei/mask", await maskBody(app), headers);
    const otherHeaders = {
      authorization: `Bearer ${await getToken(app, other.clientId, other.clientSecret)}`,
      "x-api-key": other.clientId,
    };
    expect((await app.request(href, { headers: otherHeaders })).status).toBe(404);

    const psd = await submit(
      app,
      "/pie/psdService/documentManifest",
      { inputs: [{ href: "files/a.psd", storage: "adobe" }] },
      headers,
    );
    const id = psd.split("/").pop();
    expect((await app.request(`/sensei/status/${id}`, { headers })).status).toBe(404);
  });

  it("uses publicUrl in status links", async () => {
    const { app } = testEmulator({ publicUrl: "http://emulator.test:9999/ignored" });
    const href = await submit(app, "/sensei/mask", await maskBody(app), await authHeaders(app));
    expect(href).toMatch(/^http:\/\/emulator\.test:9999\/sensei\/status\//);
  });
});

describe("outputs on allow-listed hosts with overwrite: false", () => {
  const body = {
    input: { href: "https://s3.example.com/a.png", storage: "external" },
    output: { href: "https://s3.example.com/b.png?sig=2", storage: "external", overwrite: false },
  };

  it("fails with 409 FileOverwriteError without a PUT when HEAD finds the object", async () => {
    const png = await subjectPng();
    const methods: string[] = [];
    const fetch = vi.fn(async (request: Request) => {
      methods.push(request.method);
      return request.method === "GET"
        ? new Response(new Uint8Array(png))
        : new Response(null, { status: 200 });
    });
    const { app } = testEmulator({ fetch, allowedHosts: ["s3.example.com"] });
    const headers = await authHeaders(app);
    expect((await finish(app, "/sensei/mask", body, headers)).errors).toMatchObject({
      type: "FileOverwriteError",
      code: 409,
    });
    expect(methods).toEqual(["GET", "HEAD"]);
  });

  it("PUTs with If-None-Match: * when HEAD does not find it, and maps 412 to FileOverwriteError", async () => {
    const png = await subjectPng();
    const puts: Request[] = [];
    const fetch = vi.fn(async (request: Request) => {
      if (request.method === "GET") return new Response(new Uint8Array(png));
      if (request.method === "HEAD") return new Response(null, { status: 403 });
      puts.push(request);
      return new Response(null, { status: puts.length === 1 ? 200 : 412 });
    });
    const { app } = testEmulator({ fetch, allowedHosts: ["s3.example.com"] });
    const headers = await authHeaders(app);
    expect((await finish(app, "/sensei/mask", body, headers)).status).toBe("succeeded");
    expect(puts[0]?.headers.get("if-none-match")).toBe("*");
    expect((await finish(app, "/sensei/mask", body, headers)).errors).toMatchObject({
      type: "FileOverwriteError",
      code: 409,
    });
  });
});

describe("transfers that never end", () => {
  it.each([
    [
      "a body that never ends",
      async () => new Response(new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => {}) })),
    ],
    ["a fetch that never answers", () => new Promise<Response>(() => {})],
  ])("fails a download with %s after fetchTimeoutMs of the injected clock", async (_name, never) => {
    const fetch = vi.fn(never);
    const { app, clock } = testEmulator({ fetch, allowedHosts: ["slow.example.com"], fetchTimeoutMs: 5_000 });
    const headers = await authHeaders(app);
    const href = await submit(
      app,
      "/sensei/mask",
      {
        input: { href: "https://slow.example.com/a.png", storage: "external" },
        output: { href: "files/o.png", storage: "adobe" },
      },
      headers,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect((await status(app, href, headers)).status).toBe("running");
    await clock.advance(4_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await status(app, href, headers)).status).toBe("running");
    await clock.advance(1);
    await advance(app, 0);
    expect((await status(app, href, headers)).errors).toMatchObject({
      type: "FileLinkInvalidError",
      details: [{ reason: "The transfer timed out after 5000 ms." }],
    });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("does not write a running job's output into the store after a reset", async () => {
    let finishMask = (_png: Uint8Array) => {};
    const imaging: Imaging = {
      computeMask: () =>
        new Promise((resolve) => {
          finishMask = resolve;
        }),
      computeCutout: async () => new Uint8Array(),
      readDocumentManifest: async () => {
        throw new Error("no manifest in this test");
      },
    };
    const { app } = testEmulator({ imaging });
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await subjectPng());
    await submit(app, "/sensei/mask", await maskBody(app), headers);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await app.request("/__emulator/reset", { method: "POST" })).status).toBe(204);
    finishMask(await subjectPng());
    await new Promise((resolve) => setImmediate(resolve));
    const res = await app.request(await presign(app, "out/result.png", "GET"));
    expect(res.status).toBe(404);
  });
});

describe("the real network", () => {
  it("refuses an allow-listed name that resolves to loopback before connecting", async () => {
    const { app } = testEmulator({ allowedHosts: ["localhost:9"] });
    const headers = await authHeaders(app);
    const errors = (
      await finish(
        app,
        "/sensei/mask",
        {
          input: { href: "https://localhost:9/a.png", storage: "external" },
          output: { href: "files/o.png", storage: "adobe" },
        },
        headers,
      )
    ).errors as { type: string; details: { reason: string }[] };
    expect(errors.type).toBe("FileLinkInvalidError");
    expect(errors.details[0]?.reason).toMatch(/resolves to a local address/);
  });
});
