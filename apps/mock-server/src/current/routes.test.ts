import { writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { preparePsdPixels } from "../imaging/composite/pixels.js";
import { ImageDecodeError } from "../imaging/index.js";
import { pngWithoutPixels } from "../imaging/testing/images.js";
import { advance, authHeaders, postJson, presign, testEmulator, upload } from "../testing/helpers.js";
import { responseChecker } from "../testing/spec-check.js";

type App = ReturnType<typeof testEmulator>["app"];
type Json = Record<string, unknown>;

const check = responseChecker("photoshop-current.yaml");

/** Two discs on grey: two objects for mask-objects, a subject for remove-background. */
async function twoDiscs(width = 240, height = 160): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#808080"/><circle cx="${width * 0.3}" cy="${height / 2}" r="${height / 4}" fill="#d02020"/><circle cx="${width * 0.72}" cy="${height / 2}" r="${height / 5}" fill="#2030d0"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function setup(options: Parameters<typeof testEmulator>[0] = {}) {
  const { app, clock } = testEmulator(options);
  const headers = await authHeaders(app);
  await upload(app, "in/photo.png", await twoDiscs());
  const photo = await presign(app, "in/photo.png", "GET");
  return { app, clock, headers, photo };
}

async function post(
  app: App,
  path: string,
  body: unknown,
  headers: Record<string, string>,
  operationId: string,
) {
  const res = await app.request(path, postJson(body, headers));
  const json = (await res.json()) as Json;
  expect(check(operationId, res.status, json)).toEqual([]);
  return { status: res.status, json };
}

async function poll(app: App, url: string, headers: Record<string, string>, operationId: string) {
  await advance(app, 0);
  const res = await app.request(url, { headers });
  const json = (await res.json()) as Json;
  expect(res.status).toBe(200);
  expect(check(operationId, 200, json)).toEqual([]);
  return json;
}

async function fetchBytes(app: App, url: string) {
  const res = await app.request(url);
  expect(res.status).toBe(200);
  return { bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get("content-type") };
}

describe("POST /v2/remove-background", () => {
  it.each([
    ["mask", "image/png", 1],
    ["cutout", "image/png", 4],
  ] as const)(
    "runs a %s job on the input and hosts a %s with %d channel(s)",
    async (mode, mediaType, channels) => {
      const { app, headers, photo } = await setup();
      const { status, json } = await post(
        app,
        "/v2/remove-background",
        { image: { source: { url: photo } }, mode },
        headers,
        "removeBackgroundV2",
      );
      expect(status).toBe(202);
      expect(json.jobId).toMatch(/^urn:ff:jobs:psapi:[0-9a-f-]{36}$/);
      expect(json.statusUrl).toBe(`http://localhost/v2/status/${json.jobId}`);
      const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
      expect(done.status).toBe("succeeded");
      const [output] = (done.result as { outputs: { destination: { url: string }; mediaType: string }[] })
        .outputs;
      expect(output?.mediaType).toBe(mediaType);
      const { bytes, type } = await fetchBytes(app, output?.destination.url ?? "");
      expect(type).toBe(mediaType);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([240, 160, channels]);
      const stats = await sharp(bytes).stats();
      expect(stats.channels[0]?.min).not.toBe(stats.channels[0]?.max);
    },
  );

  it("reports pending, then running, then succeeded on /v2/status, with times", async () => {
    const { app, headers, photo } = await setup({ jobs: { pendingMs: 200, runningMs: 800 } });
    const { json } = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: photo } } },
      headers,
      "removeBackgroundV2",
    );
    const read = async () =>
      (await (await app.request(json.statusUrl as string, { headers })).json()) as Json;
    expect(await read()).toMatchObject({ status: "pending", createdTime: "2026-11-23T18:00:00.000Z" });
    await advance(app, 200);
    expect((await read()).status).toBe("running");
    await advance(app, 800);
    const done = await read();
    expect(done.status).toBe("succeeded");
    expect(check("getV2JobStatus", 200, done)).toEqual([]);
  });

  it("hosts the result behind a URL that expires after 3600 s", async () => {
    const { app, headers, photo } = await setup();
    const { json } = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: photo } }, mode: "psd" },
      headers,
      "removeBackgroundV2",
    );
    const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
    const url = (done.result as { outputs: { destination: { url: string }; mediaType: string }[] })
      .outputs[0];
    expect(url?.mediaType).toBe("image/vnd.adobe.photoshop");
    expect((await fetchBytes(app, url?.destination.url ?? "")).bytes.subarray(0, 4).toString("latin1")).toBe(
      "8BPS",
    );
    await advance(app, 3_600_000);
    expect((await app.request(url?.destination.url ?? "")).status).toBe(403);
  });

  it("reports an unexpected error as 500600 without detail, even when the logger throws too", async () => {
    const removeBackground = async (): Promise<never> => {
      throw new Error("a bug, with a path /tmp/secret in it");
    };
    const logged: string[] = [];
    const logger = {
      error(message: string) {
        logged.push(message);
        throw new Error("the logger is broken as well");
      },
    };
    const { app, headers, photo } = await setup({ imaging: { removeBackground }, logger });
    const { json } = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: photo } } },
      headers,
      "removeBackgroundV2",
    );
    const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
    expect(done.status).toBe("failed");
    expect(done.errorDetails).toEqual([
      { errorCode: "500600", message: "Internal error while running the job" },
    ]);
    expect(logged).toEqual(["[@psapi/mock-server] job failed unexpectedly"]);
  });

  it("accepts the job id percent-encoded in the status path", async () => {
    const { app, headers, photo } = await setup();
    const { json } = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: photo } } },
      headers,
      "removeBackgroundV2",
    );
    const res = await app.request(`/v2/status/${encodeURIComponent(json.jobId as string)}`, { headers });
    expect(res.status).toBe(200);
  });

  const bad: [string, (photo: string) => unknown, number, string, RegExp][] = [
    [
      "an unknown mode",
      (p) => ({ image: { source: { url: p } }, mode: "sketch" }),
      400,
      "validation_error",
      /\/mode must be equal to one of the allowed values: cutout, mask, psd/,
    ],
    [
      "a bad colour",
      (p) => ({ image: { source: { url: p } }, backgroundColor: { red: 300, green: 0, blue: 0, alpha: 1 } }),
      400,
      "validation_error",
      /\/backgroundColor\/red must be <= 255/,
    ],
    [
      "a missing field",
      () => ({ mode: "mask" }),
      400,
      "validation_error",
      /must have required property 'image'/,
    ],
    [
      "a source URL off the allow-list",
      () => ({ image: { source: { url: "https://example.com/a.png" } } }),
      400,
      "validation_error",
      /host example.com is not an allowed storage domain/,
    ],
    [
      "a look-alike domain",
      () => ({ image: { source: { url: "https://evilamazonaws.com/a.png" } } }),
      400,
      "validation_error",
      /not an allowed storage domain/,
    ],
    [
      "an unknown field",
      (p) => ({ image: { source: { url: p } }, options: {} }),
      400,
      "validation_error",
      /must not have the property 'options'/,
    ],
  ];
  it.each(bad)("refuses %s with %d %s", async (_what, body, status, code, message) => {
    const { app, headers, photo } = await setup();
    const res = await post(app, "/v2/remove-background", body(photo), headers, "removeBackgroundV2");
    expect(res.status).toBe(status);
    expect(res.json.error_code).toBe(code);
    expect(res.json.message).toMatch(message);
  });

  it("lists every problem under errors when there are several", async () => {
    const { app, headers, photo } = await setup();
    const body = { image: { source: { url: photo } }, mode: "x", trim: "yes" };
    const { status, json } = await post(app, "/v2/remove-background", body, headers, "removeBackgroundV2");
    expect(status).toBe(400);
    expect((json.errors as unknown[]).length).toBe(2);
  });

  it("refuses an image over 6000 px and an unsupported type with 422 validation_error, before any job", async () => {
    const { app, headers } = await setup();
    const wide = await sharp({ create: { width: 6001, height: 4, channels: 3, background: "#777" } })
      .png()
      .toBuffer();
    await upload(app, "in/wide.png", wide);
    await upload(
      app,
      "in/anim.gif",
      await sharp({ create: { width: 4, height: 4, channels: 3, background: "#777" } })
        .gif()
        .toBuffer(),
      "image/gif",
    );
    for (const [key, message] of [
      ["in/wide.png", /6001 x 4 px, over the limit of 6000 x 6000 px/],
      ["in/anim.gif", /not a JPEG, PNG, WebP or TIFF image/],
    ] as const) {
      const url = await presign(app, key, "GET");
      const { status, json } = await post(
        app,
        "/v2/remove-background",
        { image: { source: { url } } },
        headers,
        "removeBackgroundV2",
      );
      expect([status, json.error_code]).toEqual([422, "validation_error"]);
      expect(json.message).toMatch(/^\/image\/source\/url: /);
      expect(json.message).toMatch(message);
    }
    const jobs = (await (await app.request("/__emulator/jobs")).json()) as { jobs: unknown[] };
    expect(jobs.jobs).toHaveLength(0);
  });

  it("answers 415 invalid_content_type and 400 invalid_json", async () => {
    const { app, headers } = await setup();
    const form = await app.request("/v2/remove-background", {
      method: "POST",
      headers: { ...headers, "content-type": "text/plain" },
      body: "x",
    });
    expect([form.status, ((await form.json()) as Json).error_code]).toEqual([415, "invalid_content_type"]);
    const broken = await post(app, "/v2/remove-background", "{", headers, "removeBackgroundV2");
    expect([broken.status, broken.json.error_code]).toEqual([400, "invalid_json"]);
  });

  it("answers 404 unknown_job_id for an unknown or foreign job, and masking ids are not v2 jobs", async () => {
    const { app, headers, photo } = await setup();
    const res = await app.request("/v2/status/urn:ff:jobs:psapi:nope", { headers });
    expect([res.status, await res.json()]).toEqual([
      404,
      { error_code: "unknown_job_id", message: "Job not found" },
    ]);
    const { json } = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url: photo } } },
      headers,
      "maskObjects",
    );
    expect((await app.request(`/v2/status/${json.jobId}`, { headers })).status).toBe(404);
  });

  it("keeps the gateway: 401 401013 without a token, 403 403003 with a foreign key", async () => {
    const { app, headers, photo } = await setup();
    const none = await app.request("/v2/remove-background", postJson({ image: { source: { url: photo } } }));
    expect([none.status, ((await none.json()) as Json).error_code]).toEqual([401, "401013"]);
    const foreign = await app.request("/v1/status/x", {
      headers: { ...headers, "x-api-key": "someone-else" },
    });
    expect([foreign.status, ((await foreign.json()) as Json).error_code]).toEqual([403, "403003"]);
  });

  it("answers injected 500s in the family's shape and rate-limits POSTs at 3 per 3 s", async () => {
    const { app, headers, photo } = await setup({ rateLimits: true });
    const body = { image: { source: { url: photo } }, mode: "mask" };
    const fault = await app.request(
      "/v2/remove-background",
      postJson(body, { ...headers, "x-emulator-fault": "500" }),
    );
    expect([fault.status, await fault.json()]).toEqual([
      500,
      { error_code: "runtime_error", message: "Internal Server Error." },
    ]);
    const masking = await app.request("/v1/status/x", { headers: { ...headers, "x-emulator-fault": "500" } });
    expect(((await masking.json()) as Json).error_code).toBe("internal_server_error");
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await app.request("/v2/remove-background", postJson(body, headers))).status);
    const limited = await app.request("/v2/remove-background", postJson(body, headers));
    expect([...statuses, limited.status]).toEqual([202, 202, 202, 429]);
    expect(limited.headers.get("retry-after")).toBe("3");
  });

  it("takes sourceDomains from the options and always allows its own storage", async () => {
    const { app, headers, photo } = await setup({ sourceDomains: ["example.org"] });
    const off = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: "https://x.amazonaws.com/a.png" } } },
      headers,
      "removeBackgroundV2",
    );
    expect(off.json.message).toMatch(/allowed storage domain \(example.org\)/);
    expect(
      (
        await post(
          app,
          "/v2/remove-background",
          { image: { source: { url: photo } } },
          headers,
          "removeBackgroundV2",
        )
      ).status,
    ).toBe(202);
  });
});

describe("masking on /v1", () => {
  it("mask-objects: one hosted mask per region, each inside its bounding box", async () => {
    const { app, headers, photo } = await setup();
    const { status, json } = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url: photo } } },
      headers,
      "maskObjects",
    );
    expect(status).toBe(202);
    expect(json._links).toEqual({ self: { href: json.statusUrl } });
    const done = await poll(app, json.statusUrl as string, headers, "getMaskingJobStatus");
    expect(done).toMatchObject({ status: "succeeded" });
    const masks = done.semanticMasks as {
      boundingBox: { x: number; y: number; width: number; height: number };
      destination: { url: string };
    }[];
    expect(masks).toHaveLength(2);
    for (const mask of masks) {
      const { data, info } = await sharp((await fetchBytes(app, mask.destination.url)).bytes)
        .toColourspace("b-w")
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([240, 160]);
      const box = mask.boundingBox;
      let outside = 0;
      let inside = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] === 0) continue;
        const x = i % info.width;
        const y = Math.floor(i / info.width);
        if (x < box.x || x >= box.x + box.width || y < box.y || y >= box.y + box.height) outside++;
        else inside++;
      }
      expect(outside).toBe(0);
      expect(inside).toBeGreaterThan(100);
    }
    expect((done.backgroundMasks as { label: string }[])[0]?.label).toBe("background");
  });

  it("says not_started while queued", async () => {
    const { app, headers, photo } = await setup({ jobs: { pendingMs: 500, runningMs: 0 } });
    const { json } = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url: photo } } },
      headers,
      "maskObjects",
    );
    const queued = (await (await app.request(json.statusUrl as string, { headers })).json()) as Json;
    expect(queued).toEqual({ jobId: json.jobId, status: "not_started" });
  });

  it("mask-body-parts, refine-mask and fill-masked-areas succeed with hosted results of the image's size", async () => {
    const { app, headers, photo } = await setup();
    const maskOf = await post(
      app,
      "/v2/remove-background",
      { image: { source: { url: photo } }, mode: "mask" },
      headers,
      "removeBackgroundV2",
    );
    const maskDone = await poll(app, maskOf.json.statusUrl as string, headers, "getV2JobStatus");
    const maskUrl = (maskDone.result as { outputs: { destination: { url: string } }[] }).outputs[0]
      ?.destination.url as string;
    const cases: [string, string, Json, (done: Json) => string][] = [
      [
        "/v1/mask-body-parts",
        "maskBodyParts",
        { image: { source: { url: photo } }, mask: { source: { url: maskUrl } }, useGranularLabels: true },
        (d) => (d.masks as { destination: { url: string } }[])[0]?.destination.url as string,
      ],
      [
        "/v1/refine-mask",
        "refineMask",
        { image: { source: { url: photo } }, mask: { source: { url: maskUrl } } },
        (d) => (d.mask as { destination: { url: string } }).destination.url,
      ],
      [
        "/v1/refine-mask",
        "refineMask",
        { image: { source: { url: photo } }, mask: { source: { url: maskUrl } }, colorDecontamination: true },
        (d) => (d.image as { destination: { url: string } }).destination.url,
      ],
      [
        "/v1/fill-masked-areas",
        "fillMaskedAreas",
        { image: { source: { url: photo } }, masks: [{ source: { url: maskUrl } }] },
        (d) => (d.image as { destination: { url: string } }).destination.url,
      ],
    ];
    for (const [path, operationId, body, resultUrl] of cases) {
      const { status, json } = await post(app, path, body, headers, operationId);
      expect(status).toBe(202);
      const done = await poll(app, json.statusUrl as string, headers, "getMaskingJobStatus");
      expect(done.status).toBe("succeeded");
      const meta = await sharp((await fetchBytes(app, resultUrl(done))).bytes).metadata();
      expect([meta.width, meta.height]).toEqual([240, 160]);
    }
  });

  it("refuses bad input with 400 input_validation_error, never a 500", async () => {
    const { app, headers, photo } = await setup();
    const big = await sharp({ create: { width: 4001, height: 4, channels: 3, background: "#777" } })
      .png()
      .toBuffer();
    await upload(app, "in/big.png", big);
    const bigUrl = await presign(app, "in/big.png", "GET");
    // The photo is 240 x 160: a mask of another size is refused, never stretched.
    const small = await sharp({ create: { width: 120, height: 80, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    await upload(app, "in/small-mask.png", small);
    const smallUrl = await presign(app, "in/small-mask.png", "GET");
    const wrongSize =
      /the mask is 120×80 and the image 240×160; a mask must be the size of the image it masks/;
    const cases: [string, unknown, RegExp][] = [
      [
        "/v1/refine-mask",
        { image: { source: { url: photo } }, mask: { source: { url: smallUrl } } },
        wrongSize,
      ],
      [
        "/v1/fill-masked-areas",
        {
          image: { source: { url: photo } },
          masks: [{ source: { url: photo } }, { source: { url: smallUrl } }],
        },
        /^\/masks\/1\/source\/url: the mask is 120×80/,
      ],
      [
        "/v1/mask-body-parts",
        { image: { source: { url: photo } }, mask: { source: { url: smallUrl } } },
        wrongSize,
      ],
      ["/v1/mask-objects", { image: {} }, /must have required property 'source'/],
      [
        "/v1/mask-objects",
        { image: { source: { url: "https://example.com/x.png" } } },
        /host example.com is not an allowed storage domain/,
      ],
      [
        "/v1/mask-objects",
        { image: { source: { url: bigUrl } } },
        /4001 x 4 px, over the limit of 4000 x 4000 px/,
      ],
      ["/v1/refine-mask", { image: { source: { url: photo } } }, /must have required property 'mask'/],
      [
        "/v1/fill-masked-areas",
        { image: { source: { url: photo } }, masks: [] },
        /\/masks must NOT have fewer than 1 items/,
      ],
      [
        "/v1/mask-body-parts",
        { image: { source: { url: photo } }, mask: { source: { url: bigUrl } } },
        /^\/mask\/source\/url: .*4000 x 4000/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await app.request(path, postJson(body, headers));
      const json = (await res.json()) as Json;
      expect([path, res.status, json.error_code]).toEqual([path, 400, "input_validation_error"]);
      expect(json.message).toMatch(message);
    }
    const unknown = await app.request("/v1/status/00000000-0000-0000-0000-000000000000", { headers });
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      { error_code: "unknown_job_id", message: "Job not found" },
    ]);
  });

  it("fails a job whose image work throws with error_code and message", async () => {
    const maskObjects = async () => {
      throw new ImageDecodeError("corrupt", "the png image could not be decoded");
    };
    const { app, headers, photo } = await setup({ imaging: { maskObjects } });
    const { status, json } = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url: photo } } },
      headers,
      "maskObjects",
    );
    expect(status).toBe(202);
    const done = await poll(app, json.statusUrl as string, headers, "getMaskingJobStatus");
    expect(done).toEqual({
      jobId: json.jobId,
      status: "failed",
      error_code: "processing_error",
      message: "Failed to process image: the png image could not be decoded",
    });
  });

  it("accepts an input whose header reads but whose pixels do not, and fails the job", async () => {
    const { app, headers } = await setup();
    await upload(app, "in/broken.png", pngWithoutPixels(40, 30));
    const url = await presign(app, "in/broken.png", "GET");
    const { status, json } = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url } } },
      headers,
      "maskObjects",
    );
    expect(status).toBe(202);
    const done = await poll(app, json.statusUrl as string, headers, "getMaskingJobStatus");
    expect(done).toMatchObject({ status: "failed", error_code: "processing_error" });
    expect(done.message).toMatch(/^Failed to process image: the png image could not be decoded/);
  });
});

describe("POST /v2/generate-manifest", () => {
  it("embeds, hosts and PUTs the v2 manifest", async () => {
    const { app, headers, photo } = await setup();
    const put = await presign(app, "out/manifest.json", "PUT");
    const body = {
      image: { source: { url: photo } },
      outputs: [
        { destination: { embedded: "json" }, mediaType: "application/json" },
        { destination: { validityPeriod: 60 }, mediaType: "application/json" },
        { destination: { url: put }, mediaType: "application/json" },
      ],
    };
    const { status, json } = await post(app, "/v2/generate-manifest", body, headers, "generateManifest");
    expect(status).toBe(202);
    const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
    expect(done.status).toBe("succeeded");
    const outputs = (done.result as { outputs: { destination: Json }[] }).outputs;
    const embedded = outputs[0]?.destination.content as { document: Json; layers: Json[] };
    expect(embedded.document).toMatchObject({
      title: "photo.png",
      bounds: { left: 0, top: 0, right: 240, bottom: 160 },
      depth: 8,
    });
    expect(embedded.layers[0]).toMatchObject({ type: "background_layer", protection: ["all"] });
    const hosted = JSON.parse(
      (await fetchBytes(app, outputs[1]?.destination.url as string)).bytes.toString(),
    );
    expect(hosted).toEqual(embedded);
    expect(outputs[2]?.destination.url).toBe(put);
    const written = await fetchBytes(app, await presign(app, "out/manifest.json", "GET"));
    expect(JSON.parse(written.bytes.toString())).toEqual(embedded);
    await advance(app, 60_000);
    expect((await app.request(outputs[1]?.destination.url as string)).status).toBe(403);
  });

  it("hosts an output whose validityPeriod is left out for the default 3600 s", async () => {
    const { app, headers, photo } = await setup();
    const body = {
      image: { source: { url: photo } },
      outputs: [{ destination: {}, mediaType: "application/json" }],
    };
    const { status, json } = await post(app, "/v2/generate-manifest", body, headers, "generateManifest");
    expect(status).toBe(202);
    const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
    expect(done.status).toBe("succeeded");
    const url = (done.result as { outputs: { destination: Json }[] }).outputs[0]?.destination.url as string;
    await advance(app, 3_599_000);
    expect((await app.request(url)).status).toBe(200);
    await advance(app, 1_000);
    expect((await app.request(url)).status).toBe(403);
  });

  it("reads the input's format only when the job runs: a text file is accepted, then fails with 400401", async () => {
    const { app, headers } = await setup();
    await upload(app, "in/notes.psd", new TextEncoder().encode("not a document"), "text/plain");
    const body = {
      image: { source: { url: await presign(app, "in/notes.psd", "GET") } },
      outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
    };
    const { status, json } = await post(app, "/v2/generate-manifest", body, headers, "generateManifest");
    expect(status).toBe(202);
    const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
    expect(done.status).toBe("failed");
    expect((done.errorDetails as { errorCode: string }[])[0]?.errorCode).toBe("400401");
  });

  it("honours includeLayerThumbnails (depth, format, trim) and includeXmp, and refuses extractSmartObjectData", async () => {
    const { app, headers } = await setup();
    preparePsdPixels();
    const solid = (width: number, height: number, rgba: number[]) => {
      const data = new Uint8ClampedArray(width * height * 4);
      for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
      return { data, width, height, colorSpace: "srgb" } as ImageData;
    };
    // A red 40 x 30 layer whose left half is transparent, and a group holding a blue 10 x 10 layer.
    const red = solid(40, 30, [220, 30, 30, 255]);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 20; x++) red.data[(y * 40 + x) * 4 + 3] = 0;
    const xmp =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';
    const psd = writePsdUint8Array({
      width: 64,
      height: 48,
      imageResources: { xmpMetadata: xmp },
      children: [
        { id: 1, name: "Red", left: 4, top: 4, right: 44, bottom: 34, imageData: red },
        {
          id: 3,
          name: "Group",
          opened: true,
          children: [
            {
              id: 2,
              name: "Blue",
              left: 50,
              top: 30,
              right: 60,
              bottom: 40,
              imageData: solid(10, 10, [40, 60, 230, 255]),
            },
          ],
        },
      ],
    });
    await upload(app, "in/layers.psd", psd, "image/vnd.adobe.photoshop");
    const url = await presign(app, "in/layers.psd", "GET");
    const run = async (extra: Json) => {
      const body = {
        image: { source: { url } },
        outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
        ...extra,
      };
      const { status, json } = await post(app, "/v2/generate-manifest", body, headers, "generateManifest");
      expect(status).toBe(202);
      const done = await poll(app, json.statusUrl as string, headers, "getV2JobStatus");
      expect(done.status).toBe("succeeded");
      return (done.result as { outputs: { destination: { content: Json } }[] }).outputs[0]?.destination
        .content as {
        layers: Json[];
        xmp?: string;
      };
    };
    type Layer = { id: number; thumbnail?: { mediaType: string; url: string }; children?: Layer[] };
    const find = (layers: Layer[], id: number): Layer | undefined =>
      layers.flatMap((layer) => [layer, ...(layer.children ?? [])]).find((layer) => layer.id === id);

    const plain = await run({});
    expect(find(plain.layers as Layer[], 1)?.thumbnail).toBeUndefined();
    expect(plain.xmp).toBeUndefined();

    const all = (await run({ includeLayerThumbnails: true, trimToTransparency: true, includeXmp: true })) as {
      layers: Layer[];
      xmp?: string;
    };
    expect(all.xmp).toBe(xmp);
    const redThumb = find(all.layers, 1)?.thumbnail;
    expect(redThumb?.mediaType).toBe("image/png");
    // Trimmed to the visible right half: 20 x 30.
    const redMeta = await sharp((await fetchBytes(app, redThumb?.url as string)).bytes).metadata();
    expect([redMeta.format, redMeta.width, redMeta.height]).toEqual(["png", 20, 30]);
    expect(find(all.layers, 2)?.thumbnail?.url).toBeTypeOf("string");
    expect(find(all.layers, 3)?.thumbnail).toBeUndefined(); // a group has no pixels of its own

    const shallow = (await run({
      includeLayerThumbnails: true,
      maximumThumbnailDepth: 1,
      exportOptions: { mediaType: "image/jpeg", quality: "high" },
    })) as { layers: Layer[] };
    const jpeg = find(shallow.layers, 1)?.thumbnail;
    expect(jpeg?.mediaType).toBe("image/jpeg");
    const jpegMeta = await sharp((await fetchBytes(app, jpeg?.url as string)).bytes).metadata();
    expect([jpegMeta.format, jpegMeta.width, jpegMeta.height]).toEqual(["jpeg", 40, 30]);
    expect(find(shallow.layers, 2)?.thumbnail).toBeUndefined(); // depth 2, beyond the limit

    const refused = await post(
      app,
      "/v2/generate-manifest",
      {
        image: { source: { url } },
        outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
        extractSmartObjectData: true,
      },
      headers,
      "generateManifest",
    );
    expect([refused.status, refused.json.error_code]).toEqual([422, "validation_error"]);
  });

  it("answers 422 for Creative Cloud sources and destinations", async () => {
    const { app, headers, photo } = await setup();
    const cc = await post(
      app,
      "/v2/generate-manifest",
      {
        image: { source: { creativeCloudPath: "a.psd" } },
        outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
      },
      headers,
      "generateManifest",
    );
    expect([cc.status, cc.json.error_code]).toEqual([422, "validation_error"]);
    const out = await post(
      app,
      "/v2/generate-manifest",
      {
        image: { source: { url: photo } },
        outputs: [{ destination: { creativeCloudPath: "m.json" }, mediaType: "application/json" }],
      },
      headers,
      "generateManifest",
    );
    expect([out.status, out.json.error_code]).toEqual([422, "validation_error"]);
  });
});

describe("inputs held by jobs not yet run count against limits.maxJobBytes", () => {
  /** An emulator whose cap holds `inputs` photos' worth of bytes, with jobs pending for 1 s. */
  async function capped(inputs: number, limits: Record<string, number> = {}) {
    const size = (await twoDiscs()).length;
    const context = await setup({
      jobs: { pendingMs: 1000, runningMs: 0 },
      limits: { maxJobBytes: Math.floor(size * inputs), ...limits },
    });
    const removeBackground = () =>
      context.app.request(
        "/v2/remove-background",
        postJson({ image: { source: { url: context.photo } } }, context.headers),
      );
    return { ...context, removeBackground };
  }

  it("refuses a v2 POST with 429 unauthorized_rate_limited and retry-after until a held job has run", async () => {
    const { app, headers, removeBackground } = await capped(1.5);
    const first = await removeBackground();
    expect(first.status).toBe(202);
    const refused = await removeBackground();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = (await refused.json()) as Json;
    expect(body.error_code).toBe("unauthorized_rate_limited");
    expect(body.message).toMatch(/maxJobBytes/);
    expect(check("removeBackgroundV2", 429, body)).toEqual([]);
    await advance(app, 1000);
    const done = (await (await app.request((await first.json()).statusUrl, { headers })).json()) as Json;
    expect(done.status).toBe("succeeded");
    expect((await removeBackground()).status).toBe(202);
  });

  it("refuses a masking POST with 429 too_many_requests, and lets one job over the cap in alone", async () => {
    const { app, headers, photo, removeBackground } = await capped(1.5);
    // Image and mask: twice the cap, accepted because nothing else is held.
    const fill = await post(
      app,
      "/v1/fill-masked-areas",
      { image: { source: { url: photo } }, masks: [{ source: { url: photo } }] },
      headers,
      "fillMaskedAreas",
    );
    expect(fill.status).toBe(202);
    const refused = await post(
      app,
      "/v1/mask-objects",
      { image: { source: { url: photo } } },
      headers,
      "maskObjects",
    );
    expect([refused.status, refused.json.error_code]).toEqual([429, "too_many_requests"]);
    expect((await removeBackground()).status).toBe(429);
  });

  it("counts a download still in progress: a second submission over the cap with it is refused", async () => {
    const photo = await twoDiscs();
    const half = Math.floor(photo.length / 2);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const { app, headers } = await setup({
      jobs: { pendingMs: 1000, runningMs: 0 },
      limits: { maxJobBytes: Math.floor(photo.length * 1.2) },
      allowedHosts: ["images.example.amazonaws.com"],
      // The first download sends half the photo, then waits; the others come whole.
      fetch: async () => {
        if (++calls > 1)
          return new Response(new Uint8Array(photo), { headers: { "content-type": "image/png" } });
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(photo.subarray(0, half));
            await gate;
            controller.enqueue(photo.subarray(half));
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "image/png" } });
      },
    });
    const url = "https://images.example.amazonaws.com/photo.png";
    const submit = () =>
      app.request("/v2/remove-background", postJson({ image: { source: { url } } }, headers));
    const slow = submit();
    while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await submit();
    expect(second.status).toBe(429);
    release();
    expect((await slow).status).toBe(202);
  });

  it("gives back the inputs of a job evicted before it ran", async () => {
    const { removeBackground } = await capped(2.5, { maxJobs: 1 });
    // Each POST evicts the job before it (maxJobs 1), which never ran: one input stays held, not three.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await removeBackground()).status);
    expect(statuses).toEqual([202, 202, 202]);
  });

  it("gives back the inputs of every pending job on reset", async () => {
    const { app, removeBackground } = await capped(2.5);
    expect([(await removeBackground()).status, (await removeBackground()).status]).toEqual([202, 202]);
    expect((await app.request("/__emulator/reset", { method: "POST" })).status).toBe(204);
    const headers = await authHeaders(app);
    await upload(app, "in/photo.png", await twoDiscs());
    const body = { image: { source: { url: await presign(app, "in/photo.png", "GET") } } };
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await app.request("/v2/remove-background", postJson(body, headers))).status);
    }
    expect(statuses).toEqual([202, 202, 429]);
  });
});
