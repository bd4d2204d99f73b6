import { describe, expect, it } from "vitest";
import { JobFailedError } from "./errors/job-failed-error.js";
import { PhotoshopApiError } from "./errors/photoshop-api-error.js";
import { RetiredOperationError } from "./errors/retired-operation-error.js";
import { jobOutputs, urlExpiry } from "./jobs/job-outputs.js";
import { json } from "./testing/fake-fetch.js";
import { MASK_BODY, setup } from "./testing/setup.js";

const URN = "urn:ff:jobs:eso851243:8d25eb96-bb4e-48cb-9656-3350ce1e29c7";
const RB_STATUS = `https://image.adobe.io/v2/status/${URN}`;
const SOURCE = { source: { url: "https://bucket.s3.amazonaws.com/in.jpg?X-Amz-Signature=in-secret" } };
const HOSTED =
  "https://storage.adobe.io/results/mask.png?X-Amz-Date=20261123T180000Z&X-Amz-Expires=3600&X-Amz-Signature=s";
const MASK_ID = "e3a13d81-a462-4b71-9964-28b2ef34aca7";
const MASK_STATUS = `https://image.adobe.io/v1/status/${MASK_ID}`;
const v2 = (status: string, extra: Record<string, unknown> = {}) =>
  json(200, { jobId: URN, status, ...extra });
const masking = (status: string, extra: Record<string, unknown> = {}) =>
  json(200, { jobId: MASK_ID, status, ...extra });
const region = (label: string, box: Record<string, number>) => ({
  label,
  score: 0.9,
  boundingBox: box,
  destination: {
    url: `https://storage.adobe.io/masks/${label}.png?X-Amz-Date=20261123T180000Z&X-Amz-Expires=60`,
  },
  mediaType: "image/png",
});

describe("the current contract", () => {
  it("removeBackground() posts /v2/remove-background and polls the statusUrl verbatim until succeeded", async () => {
    const { client, clock, seen } = setup([
      json(202, { jobId: URN, statusUrl: RB_STATUS }),
      v2("pending"),
      v2("not_started"),
      v2("queued_somewhere_new"),
      v2("running"),
      v2("succeeded", { result: { outputs: [{ destination: { url: HOSTED }, mediaType: "image/png" }] } }),
    ]);
    const job = await clock.run(client.removeBackground({ image: SOURCE, mode: "mask" }));
    expect(job).toMatchObject({ jobId: URN, statusUrl: RB_STATUS });
    const progress: string[] = [];
    const done = await clock.run(job.wait({ onProgress: (status) => progress.push(status.status) }));
    expect(progress).toEqual(["pending", "not_started", "queued_somewhere_new", "running"]);
    expect(seen[0]).toMatchObject({ method: "POST", url: "https://image.adobe.io/v2/remove-background" });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ image: SOURCE, mode: "mask" });
    // The URN's colons are sent as they came: no source says a %3A-encoded id is accepted.
    expect(new Set(seen.slice(1).map((request) => request.url))).toEqual(new Set([RB_STATUS]));
    expect(seen[1]?.headers.get("authorization")).toBe("Bearer token-1");
    expect(jobOutputs(done)).toEqual([
      {
        from: "result.outputs[0]",
        url: HOSTED,
        expiresAt: new Date("2026-11-23T19:00:00Z"),
        mediaType: "image/png",
      },
    ]);
  });

  it("builds the documented status URL from jobId when the 202 has no statusUrl, keeping the URN's colons", async () => {
    const { client, clock, seen } = setup([
      json(202, { jobId: URN }),
      v2("succeeded", { result: { outputs: [] } }),
    ]);
    const job = await clock.run(client.removeBackground({ image: SOURCE }));
    expect(job.statusUrl).toBe(RB_STATUS);
    await clock.run(job.wait());
    expect(seen[1]?.url).toBe(RB_STATUS);
  });

  it("reports a 202 with neither statusUrl nor jobId as an error that says the job may exist", async () => {
    const { client, clock } = setup([json(202, {})]);
    const error = await clock.run(client.maskObjects({ image: SOURCE })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect((error as Error).message).toMatch(
      /without a usable statusUrl or jobId; the job may have been created/,
    );
  });

  it("rejects a failed v2 job with its errorDetails, and one without any reason too", async () => {
    const details = [{ errorCode: "422404", message: "Unable to process https://x.example/a?sig=secret" }];
    const { client, clock } = setup([v2("failed", { errorDetails: details })]);
    const error = await clock.run(client.waitForJob(RB_STATUS)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).errors).toEqual([
      { errorCode: "422404", message: "Unable to process https://x.example/a?[REDACTED]" },
    ]);
    expect((error as Error).message).toContain("422404: Unable to process");

    const bare = setup([v2("failed")]);
    const silent = await bare.clock.run(bare.client.waitForJob(RB_STATUS)).catch((caught: unknown) => caught);
    expect(silent).toBeInstanceOf(JobFailedError);
    expect((silent as JobFailedError).errors).toEqual([]);
    expect((silent as Error).message).toContain("no error details");
  });

  it("maskObjects() polls _links.self.href when there is no statusUrl, and lists every mask with x/y boxes", async () => {
    const { client, clock, seen } = setup([
      json(202, { jobId: MASK_ID, _links: { self: { href: MASK_STATUS } } }),
      masking("not_started"),
      masking("succeeded", {
        semanticMasks: [region("dog", { x: 10, y: 20, width: 30, height: 40 })],
        backgroundMasks: [region("sky", { left: 0, top: 1, width: 800, height: 200 })],
      }),
    ]);
    const job = await clock.run(client.maskObjects({ image: SOURCE }));
    const done = await clock.run(job.wait());
    expect(seen.map((request) => request.url)).toEqual([
      "https://image.adobe.io/v1/mask-objects",
      MASK_STATUS,
      MASK_STATUS,
    ]);
    const files = jobOutputs(done);
    expect(files.map(({ from, label, boundingBox }) => ({ from, label, boundingBox }))).toEqual([
      { from: "semanticMasks[0]", label: "dog", boundingBox: { x: 10, y: 20, width: 30, height: 40 } },
      { from: "backgroundMasks[0]", label: "sky", boundingBox: { x: 0, y: 1, width: 800, height: 200 } },
    ]);
    expect(files[0]?.expiresAt).toEqual(new Date("2026-11-23T18:01:00Z"));
  });

  it("falls back to /v1/status/{jobId} for a masking job, and reads a failure's error_code and message", async () => {
    const { client, clock, seen } = setup([
      json(202, { jobId: MASK_ID }),
      masking("failed", { error_code: "processing_error", message: "Failed to process image" }),
    ]);
    const job = await clock.run(client.fillMaskedAreas({ image: SOURCE, masks: [SOURCE] }));
    const error = await clock.run(job.wait()).catch((caught: unknown) => caught);
    expect(seen[1]?.url).toBe(MASK_STATUS);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).errors).toEqual([
      { error_code: "processing_error", message: "Failed to process image" },
    ]);
    expect((error as Error).message).toContain("processing_error: Failed to process image");
  });

  it("posts each masking operation to its path", async () => {
    const accepted = json(202, { jobId: MASK_ID, statusUrl: MASK_STATUS });
    const { client, clock, seen } = setup([accepted]);
    await clock.run(client.maskBodyParts({ image: SOURCE, mask: SOURCE, useGranularLabels: true }));
    await clock.run(client.refineMask({ image: SOURCE, mask: SOURCE, colorDecontamination: true }));
    expect(seen.map((request) => request.url)).toEqual([
      "https://image.adobe.io/v1/mask-body-parts",
      "https://image.adobe.io/v1/refine-mask",
    ]);
  });

  it("sends generateManifest() and its polls to photoshop-api.adobe.io, with the token, and reads embedded content", async () => {
    const statusUrl = "https://photoshop-api.adobe.io/v2/status/550e8400";
    const manifest = {
      document: { title: "a.psd", bounds: { left: 0, top: 0, right: 1, bottom: 1 } },
      layers: [],
    };
    const { client, clock, seen } = setup([
      json(202, { jobId: "550e8400", statusUrl }),
      json(200, {
        jobId: "550e8400",
        status: "succeeded",
        result: {
          outputs: [{ destination: { embedded: "json", content: manifest }, mediaType: "application/json" }],
        },
      }),
    ]);
    const job = await clock.run(
      client.generateManifest({
        image: SOURCE,
        outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
      }),
    );
    const done = await clock.run(job.wait());
    expect(seen.map((request) => request.url)).toEqual([
      "https://photoshop-api.adobe.io/v2/generate-manifest",
      statusUrl,
    ]);
    expect(seen.every((request) => request.headers.get("x-api-key") === "test-client")).toBe(true);
    expect(jobOutputs(done)).toEqual([
      { from: "result.outputs[0]", content: manifest, mediaType: "application/json" },
    ]);
  });

  it("reads flat {url} outputs and keeps several outputs in order", async () => {
    const { client, clock } = setup([
      v2("succeeded", {
        result: {
          outputs: [
            {
              url: "http://127.0.0.1:4010/__emulator/storage/objects/a?expires=1795000000&sig=x",
              mediaType: "a",
            },
            {
              destination: {
                url: "https://acct.blob.core.windows.net/c/b?se=2026-12-01T00%3A00%3A00Z&sig=y",
              },
            },
            { destination: { creativeCloudPath: "manifests/c.json" } },
          ],
        },
      }),
    ]);
    const done = await clock.run(client.waitForJob(RB_STATUS));
    expect(
      jobOutputs(done).map(({ url, expiresAt }) => [url?.split("?")[0], expiresAt?.toISOString()]),
    ).toEqual([
      ["http://127.0.0.1:4010/__emulator/storage/objects/a", "2026-11-18T11:06:40.000Z"],
      ["https://acct.blob.core.windows.net/c/b", "2026-12-01T00:00:00.000Z"],
      [undefined, undefined],
    ]);
  });

  it("with an emulator base URL, serves every route from it, generate-manifest included", async () => {
    const base = "http://127.0.0.1:4010";
    const { client, clock, seen } = setup(
      [json(202, { jobId: "m1" }), json(200, { jobId: "m1", status: "running" })],
      {
        baseUrl: base,
      },
    );
    const job = await clock.run(
      client.generateManifest({
        image: SOURCE,
        outputs: [{ destination: { validityPeriod: 60 }, mediaType: "application/json" }],
      }),
    );
    expect(job.statusUrl).toBe(`${base}/v2/status/m1`);
    await clock.run(client.getManifestStatus("m1"));
    await clock.run(client.getRemoveBackgroundStatus(URN));
    await clock.run(client.getMaskingJobStatus(MASK_ID));
    expect(seen.map((request) => request.url)).toEqual([
      `${base}/v2/generate-manifest`,
      `${base}/v2/status/m1`,
      `${base}/v2/status/${encodeURIComponent(URN)}`,
      `${base}/v1/status/${MASK_ID}`,
    ]);
  });

  it("reads a status by id on the host that serves it", async () => {
    const { client, clock, seen } = setup([v2("running")]);
    await clock.run(client.getRemoveBackgroundStatus(URN));
    await clock.run(client.getManifestStatus("550e8400"));
    expect(seen.map((request) => new URL(request.url).origin)).toEqual([
      "https://image.adobe.io",
      "https://photoshop-api.adobe.io",
    ]);
  });

  it("refuses a status URL on another origin before sending the token", async () => {
    const { client, clock, seen } = setup([
      json(202, { jobId: "x", statusUrl: "https://attacker.example/v2/status/x" }),
    ]);
    const job = await clock.run(client.removeBackground({ image: SOURCE }));
    await expect(clock.run(job.wait())).rejects.toThrow(
      /refusing to send credentials to https:\/\/attacker\.example/,
    );
    expect(seen).toHaveLength(1);
  });
});

describe("retired operations", () => {
  const calls = {
    createMask: (client: ReturnType<typeof setup>["client"]) => client.createMask(MASK_BODY),
    createCutout: (client: ReturnType<typeof setup>["client"]) => client.createCutout(MASK_BODY),
    removeBackgroundRetiredBody: (client: ReturnType<typeof setup>["client"]) =>
      client.removeBackground(MASK_BODY),
    getDocumentManifest: (client: ReturnType<typeof setup>["client"]) =>
      client.getDocumentManifest({ inputs: [{ href: "https://bucket.example/a.psd", storage: "external" }] }),
    getMaskStatus: (client: ReturnType<typeof setup>["client"]) => client.getMaskStatus("j"),
    getPsdStatus: (client: ReturnType<typeof setup>["client"]) => client.getPsdStatus("j"),
    hello: (client: ReturnType<typeof setup>["client"]) => client.hello(),
  };
  const expected = {
    createMask: ["POST /sensei/mask", "2025-10-15", 'removeBackground({ image, mode: "mask" })'],
    createCutout: ["POST /sensei/cutout", "2025-10-15", 'removeBackground({ image, mode: "cutout" })'],
    removeBackgroundRetiredBody: [
      "POST /sensei/cutout",
      "2025-10-15",
      'removeBackground({ image, mode: "cutout" })',
    ],
    getDocumentManifest: [
      "POST /pie/psdService/documentManifest",
      "2026-07-31",
      "generateManifest({ image, outputs })",
    ],
    getMaskStatus: ["GET /sensei/status/{jobId}", "2025-10-15", "getRemoveBackgroundStatus(jobId)"],
    getPsdStatus: ["GET /pie/psdService/status/{jobId}", "2026-07-31", "getManifestStatus(jobId)"],
    hello: ["GET /pie/psdService/hello", "2026-07-31", undefined],
  } as const;

  for (const [name, call] of Object.entries(calls)) {
    it(`${name}() on Adobe's host rejects with the date and the replacement, sending nothing`, async () => {
      const { client, clock, seen } = setup([json(500, {})], { sendRetired: false });
      const error = await clock.run(call(client) as Promise<unknown>).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RetiredOperationError);
      const [endpoint, retiredOn, replacement] = expected[name as keyof typeof expected];
      expect(error).toMatchObject({ endpoint, retiredOn, replacement });
      expect((error as Error).message).toContain(`was retired by Adobe on ${retiredOn}`);
      if (replacement !== undefined) expect((error as Error).message).toContain(`use ${replacement} instead`);
      expect(seen).toHaveLength(0);
    });
  }

  it("are still sent to any other base URL (the emulator keeps the retired contract)", async () => {
    const { client, clock, seen } = setup(
      [json(202, { _links: { self: { href: "http://127.0.0.1:4010/sensei/status/j" } } })],
      {
        baseUrl: "http://127.0.0.1:4010",
        sendRetired: false,
      },
    );
    await clock.run(client.createMask(MASK_BODY));
    await clock.run(client.removeBackground(MASK_BODY));
    expect(seen.map((request) => request.url)).toEqual([
      "http://127.0.0.1:4010/sensei/mask",
      "http://127.0.0.1:4010/sensei/cutout",
    ]);
  });
});

describe("urlExpiry", () => {
  it("reads the expiry each storage writes into its pre-signed URLs, and nothing else", () => {
    expect(urlExpiry("http://127.0.0.1:4010/__emulator/storage/objects/k?expires=1795000000&sig=x")).toEqual(
      new Date(1_795_000_000_000),
    );
    expect(urlExpiry("https://b.s3.amazonaws.com/k?X-Amz-Date=20261123T180000Z&X-Amz-Expires=3600")).toEqual(
      new Date("2026-11-23T19:00:00Z"),
    );
    expect(
      urlExpiry("https://storage.googleapis.com/b/k?X-Goog-Date=20261123T180000Z&X-Goog-Expires=60"),
    ).toEqual(new Date("2026-11-23T18:01:00Z"));
    expect(urlExpiry("https://a.blob.core.windows.net/c/k?se=2026-12-01T00%3A00%3A00Z&sig=y")).toEqual(
      new Date("2026-12-01T00:00:00Z"),
    );
    expect(urlExpiry("https://b.s3.amazonaws.com/k?X-Amz-Date=yesterday&X-Amz-Expires=3600")).toBeUndefined();
    expect(urlExpiry("https://storage.adobe.io/k?token=abc")).toBeUndefined();
    expect(urlExpiry("not a url")).toBeUndefined();
  });
});
