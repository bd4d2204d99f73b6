import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { AUTO_CROP_PADDING, cropForRatio } from "../imaging/auto-crop.js";
import {
  type App,
  advance,
  authHeaders,
  postJson,
  presign,
  testEmulator,
  upload,
} from "../testing/helpers.js";
import { responseChecker } from "../testing/spec-check.js";

type Json = Record<string, unknown>;
type Box = { x: number; y: number; width: number; height: number; url?: string };

const check = responseChecker("photoshop-current.yaml");

/** The subject of the test picture: a dark red block on a light grey background. */
const SUBJECT = { x: 70, y: 40, width: 40, height: 30 };
const WIDTH = 200;
const HEIGHT = 120;

function picture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><rect width="100%" height="100%" fill="#e8e8e8"/><rect x="${SUBJECT.x}" y="${SUBJECT.y}" width="${SUBJECT.width}" height="${SUBJECT.height}" fill="#a01818"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 95 }).toBuffer();
}

async function setup(options: Parameters<typeof testEmulator>[0] = {}) {
  const { app } = testEmulator(options);
  const headers = await authHeaders(app);
  await upload(app, "in/product.jpg", await picture(), "image/jpeg");
  return { app, headers, url: await presign(app, "in/product.jpg", "GET") };
}

async function post(app: App, body: unknown, headers: Record<string, string>) {
  const res = await app.request("/v1/auto-crop", postJson(body, headers));
  const json = (await res.json()) as Json;
  expect(check("autoCrop", res.status, json)).toEqual([]);
  return { status: res.status, json };
}

async function finish(app: App, statusUrl: string, headers: Record<string, string>): Promise<Json> {
  expect(new URL(statusUrl).pathname).toMatch(/^\/v2\/status\//);
  await advance(app, 0);
  const res = await app.request(statusUrl, { headers });
  const json = (await res.json()) as Json;
  expect(check("getV2JobStatus", 200, json)).toEqual([]);
  return json;
}

const contains = (outer: Box, inner: Box) =>
  outer.x <= inner.x &&
  outer.y <= inner.y &&
  outer.x + outer.width >= inner.x + inner.width &&
  outer.y + outer.height >= inner.y + inner.height;

describe("POST /v1/auto-crop", () => {
  it("crops around the subject once per ratio: padded subject inside, ratio within a pixel, images hosted", async () => {
    const { app, headers, url } = await setup();
    const ratios = ["1:1", "16:9", "4:5", "21:9"] as const;
    const { status, json } = await post(
      app,
      { image: { source: { url }, mediaType: "image/jpeg" }, mode: "smartCrop", aspectRatio: ratios },
      headers,
    );
    expect(status).toBe(202);
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.status, JSON.stringify(done.errorDetails)).toBe("succeeded");
    const result = done.result as {
      outputs: { destination: { url: string }; mediaType: string }[];
      additionalFields: {
        autoCrop: { crops: { boundingBoxes: Box[] }[]; subject: { boundingBoxes: Box[] } };
      };
    };
    const [subject] = result.additionalFields.autoCrop.subject.boundingBoxes;
    // The segmentation finds the block to within its working resolution (a few source pixels).
    expect(Math.abs((subject?.x ?? 0) - SUBJECT.x)).toBeLessThanOrEqual(3);
    expect(Math.abs((subject?.width ?? 0) - SUBJECT.width)).toBeLessThanOrEqual(5);
    const padded = {
      x: SUBJECT.x - AUTO_CROP_PADDING,
      y: SUBJECT.y - AUTO_CROP_PADDING,
      width: SUBJECT.width + 2 * AUTO_CROP_PADDING,
      height: SUBJECT.height + 2 * AUTO_CROP_PADDING,
    };
    expect(result.outputs).toHaveLength(ratios.length);
    for (const [i, ratio] of ratios.entries()) {
      const [w, h] = ratio.split(":").map(Number) as [number, number];
      const box = result.additionalFields.autoCrop.crops[i]?.boundingBoxes[0] as Box;
      expect(contains(box, padded), `${ratio}: ${JSON.stringify(box)}`).toBe(true);
      expect(Math.abs(box.width - (box.height * w) / h)).toBeLessThanOrEqual(1);
      expect(box.x + box.width).toBeLessThanOrEqual(WIDTH);
      expect(box.y + box.height).toBeLessThanOrEqual(HEIGHT);
      const output = result.outputs[i];
      expect(output?.mediaType).toBe("image/jpeg");
      expect(box.url).toBe(output?.destination.url);
      const bytes = Buffer.from(await (await app.request(output?.destination.url as string)).arrayBuffer());
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([box.width, box.height]);
      // The subject's centre pixel is inside the crop, dark red.
      const cx = SUBJECT.x + SUBJECT.width / 2 - box.x;
      const cy = SUBJECT.y + SUBJECT.height / 2 - box.y;
      const at = (cy * info.width + cx) * info.channels;
      expect(data[at]).toBeGreaterThan(120);
      expect(data[at + 1]).toBeLessThan(60);
    }
    // The tightest crop: 1:1 is the padded subject's longer side, no more (within a pixel).
    const square = result.additionalFields.autoCrop.crops[0]?.boundingBoxes[0] as Box;
    expect(square.width).toBeLessThanOrEqual(padded.width + 2);
  });

  it("zooms out by 1/zoom around the subject, and answers boxes only for outputType boundingBoxes", async () => {
    const { app, headers, url } = await setup();
    const { json } = await post(
      app,
      {
        image: { source: { url } },
        mode: "smartCrop",
        aspectRatio: ["1:1", "1:1"],
        zoom: [1, 0.5],
        outputType: "boundingBoxes",
      },
      headers,
    );
    const done = await finish(app, json.statusUrl as string, headers);
    const result = done.result as {
      outputs: unknown[];
      additionalFields: { autoCrop: { crops: { boundingBoxes: Box[] }[] } };
    };
    expect(result.outputs).toEqual([]);
    const [tight, wide] = result.additionalFields.autoCrop.crops.map((crop) => crop.boundingBoxes[0] as Box);
    expect(tight?.url).toBeUndefined();
    expect((wide?.width ?? 0) / (tight?.width ?? 1)).toBeCloseTo(2, 1);
  });

  it("defaults to one 1:1 crop", async () => {
    const { app, headers, url } = await setup();
    const { json } = await post(app, { image: { source: { url } }, mode: "smartCrop" }, headers);
    const done = await finish(app, json.statusUrl as string, headers);
    const crops = (done.result as { additionalFields: { autoCrop: { crops: { boundingBoxes: Box[] }[] } } })
      .additionalFields.autoCrop.crops;
    expect(crops).toHaveLength(1);
    expect(crops[0]?.boundingBoxes[0]?.width).toBe(crops[0]?.boundingBoxes[0]?.height);
  });

  it("refuses a ratio outside the list (400), and the rules between fields (422), in the v2 family's codes", async () => {
    const { app, headers, url } = await setup();
    const bad = await post(
      app,
      { image: { source: { url } }, mode: "smartCrop", aspectRatio: "7:3" },
      headers,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe("validation_error");
    expect(JSON.stringify(bad.json)).toContain("/aspectRatio");
    const cases: [Json, string][] = [
      [{ mode: "subjectCrop" }, "/focus"],
      [{ mode: "smartCrop", focus: ["person"] }, "/focus"],
      [{ mode: "objectDetection", focus: ["logo"], aspectRatio: "1:1" }, "/aspectRatio"],
      [{ mode: "smartCrop", zoom: 0.5 }, "/zoom"],
      [{ mode: "smartCrop", aspectRatio: ["1:1", "4:5"], zoom: [0.5] }, "/zoom"],
      [{ mode: "smartCrop", aspectRatio: ["1:1", "4:5"], zoom: 0.5 }, "/zoom"],
    ];
    for (const [fields, pointer] of cases) {
      const { status, json } = await post(app, { image: { source: { url } }, ...fields }, headers);
      expect(status, JSON.stringify(fields)).toBe(422);
      expect(json.error_code).toBe("validation_error");
      expect(json.message).toContain(pointer);
    }
    const zoomRange = await post(
      app,
      { image: { source: { url } }, mode: "smartCrop", aspectRatio: "1:1", zoom: 0 },
      headers,
    );
    expect(zoomRange.status).toBe(400);
  });

  it("fails the detection modes with emulator_unsupported naming the mode (no fake objects)", async () => {
    for (const fields of [
      { mode: "subjectCrop", focus: ["person"] },
      { mode: "objectDetection", focus: ["logo"] },
      { mode: "fullSceneDetection" },
    ]) {
      const { app, headers, url } = await setup();
      const { status, json } = await post(app, { image: { source: { url } }, ...fields }, headers);
      expect(status).toBe(202);
      const done = await finish(app, json.statusUrl as string, headers);
      expect(done.status).toBe("failed");
      expect(done.errorDetails).toEqual([
        { errorCode: "emulator_unsupported", message: expect.stringContaining(fields.mode) },
      ]);
    }
  });

  it("answers the gateway's refusals in the v2 family and counts against the trial quota", async () => {
    const { app, headers, url } = await setup({ trialQuota: 1 });
    const noToken = await app.request(
      "/v1/auto-crop",
      postJson({ image: { source: { url } }, mode: "smartCrop" }),
    );
    expect(noToken.status).toBe(401);
    // A refused request gives its reserved call back: the quota still has its one call after it.
    const invalidJson = await app.request("/v1/auto-crop", postJson("{", headers));
    expect(invalidJson.status).toBe(400);
    expect(((await invalidJson.json()) as Json).error_code).toBe("invalid_json");
    const body = { image: { source: { url } }, mode: "smartCrop" };
    expect((await post(app, body, headers)).status).toBe(202);
    expect((await post(app, body, headers)).status).toBe(402);
  });
});

describe("POST /v1/auto-crop: rate limits", () => {
  it("counts in the masking window (/v1/*: POST 60 per minute), whatever the body", async () => {
    const { app } = testEmulator({ rateLimits: true });
    const headers = await authHeaders(app);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      // 250 ms apart: under the general POST 16 per 3 s, so only the per-minute masking window bites.
      await advance(app, 250);
      statuses.push((await app.request("/v1/auto-crop", postJson({}, headers))).status);
    }
    expect(statuses.slice(0, 60).every((status) => status === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});

describe("cropForRatio", () => {
  it("keeps the ratio within a pixel and the box inside the image, for every ratio and zoom", () => {
    for (const ratio of [1, 16 / 9, 9 / 16, 4 / 3, 3 / 4, 4 / 5, 5 / 4, 3 / 2, 2 / 3, 21 / 9]) {
      for (const zoom of [1, 0.8, 0.3, 0.05]) {
        const box = cropForRatio({ x: 5, y: 300, width: 30, height: 90 }, 640, 400, ratio, zoom);
        expect(Math.abs(box.width - box.height * ratio)).toBeLessThanOrEqual(1);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(640);
        expect(box.y + box.height).toBeLessThanOrEqual(400);
      }
    }
  });
});
