import { type Psd, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { filled, preparePsdPixels } from "../imaging/composite/pixels.js";
import { advance, authHeaders, postJson, presign, testEmulator, upload } from "../testing/helpers.js";
import { responseChecker } from "../testing/spec-check.js";

type App = ReturnType<typeof testEmulator>["app"];
type Json = Record<string, unknown>;
type Output = { destination: { url?: string; content?: unknown }; mediaType: string };

const check = responseChecker("photoshop-current.yaml");
preparePsdPixels();

/** A 60 x 40 PSD: white background, a red box "Badge" at (10,10) 10x10, a smart object "Product". */
function template(): Uint8Array {
  const box = (rgb: [number, number, number], w: number, h: number) => filled(w, h, rgb);
  const psd: Psd = {
    width: 60,
    height: 40,
    imageData: filled(60, 40, [255, 255, 255]),
    children: [
      {
        id: 1,
        name: "Background",
        left: 0,
        top: 0,
        right: 60,
        bottom: 40,
        imageData: box([255, 255, 255], 60, 40),
      },
      { id: 2, name: "Badge", left: 10, top: 10, right: 20, bottom: 20, imageData: box([255, 0, 0], 10, 10) },
      {
        id: 3,
        name: "Product",
        left: 30,
        top: 10,
        right: 50,
        bottom: 30,
        imageData: box([0, 0, 255], 20, 20),
        placedLayer: {
          id: "5d6e7f80-9391-11ec-b4f1-c15674f50bc4",
          type: "raster",
          transform: [30, 10, 50, 10, 50, 30, 30, 30],
          width: 20,
          height: 20,
        },
      },
    ],
  };
  for (let y = 10; y < 20; y++)
    for (let x = 10; x < 20; x++) psd.imageData?.data.set([255, 0, 0, 255], (y * 60 + x) * 4);
  for (let y = 10; y < 30; y++)
    for (let x = 30; x < 50; x++) psd.imageData?.data.set([0, 0, 255, 255], (y * 60 + x) * 4);
  return writePsdUint8Array(psd, { noBackground: true });
}

async function setup(options: Parameters<typeof testEmulator>[0] = {}) {
  const { app } = testEmulator(options);
  const headers = await authHeaders(app);
  await upload(app, "in/template.psd", Buffer.from(template()));
  await upload(
    app,
    "in/green.png",
    await sharp({ create: { width: 8, height: 8, channels: 4, background: "#00ff00" } })
      .png()
      .toBuffer(),
  );
  return {
    app,
    headers,
    psd: await presign(app, "in/template.psd", "GET"),
    green: await presign(app, "in/green.png", "GET"),
  };
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

async function done(app: App, url: string, headers: Record<string, string>) {
  await advance(app, 0);
  const res = await app.request(url, { headers });
  const json = (await res.json()) as Json;
  expect(check("getV2JobStatus", 200, json)).toEqual([]);
  return json;
}

async function pixel(app: App, url: string, x: number, y: number): Promise<number[]> {
  const bytes = Buffer.from(await (await app.request(url)).arrayBuffer());
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 4;
  return [...data.subarray(i, i + 4)];
}

const hostedPng = { destination: { validityPeriod: 600 }, mediaType: "image/png" };
const inline = (commands: unknown) => ({
  source: { content: JSON.stringify(commands), contentType: "application/json" },
});

describe("POST /v2/execute-actions", () => {
  it("plays inline ActionJSON on the document and hosts a PNG that shows it (delete, then invert)", async () => {
    const { app, headers, psd } = await setup();
    const body = {
      image: { source: { url: psd } },
      options: {
        actions: [
          inline([
            { _obj: "select", _target: [{ _ref: "layer", _name: "Product" }] },
            { _obj: "delete", _target: [{ _ref: "layer", _enum: "ordinal", _value: "targetEnum" }] },
            { _obj: "select", _target: [{ _ref: "layer", _name: "Badge" }] },
            { _obj: "invert" },
          ]),
        ],
      },
      outputs: [hostedPng],
    };
    const { status, json } = await post(app, "/v2/execute-actions", body, headers, "executeActions");
    expect(status).toBe(202);
    const job = await done(app, json.statusUrl as string, headers);
    expect(job.status).toBe("succeeded");
    const [out] = (job.result as { outputs: Output[] }).outputs;
    expect(out?.mediaType).toBe("image/png");
    // The badge inverted (red → cyan), the product gone (white shows through).
    expect(await pixel(app, out?.destination.url as string, 15, 15)).toEqual([0, 255, 255, 255]);
    expect(await pixel(app, out?.destination.url as string, 40, 20)).toEqual([255, 255, 255, 255]);
  });

  it("fails the job, not the POST, on a command outside the subset, naming it and its index", async () => {
    const { app, headers, psd } = await setup();
    const body = {
      image: { source: { url: psd } },
      options: { actions: [inline([{ _obj: "invert" }, { _obj: "autoCutout", sampleAllLayers: false }])] },
      outputs: [hostedPng],
    };
    const { status, json } = await post(app, "/v2/execute-actions", body, headers, "executeActions");
    expect(status).toBe(202);
    const job = await done(app, json.statusUrl as string, headers);
    expect(job.status).toBe("failed");
    const [detail] = job.errorDetails as { errorCode: string; message: string }[];
    expect(detail?.errorCode).toBe("emulator_unsupported_action");
    expect(detail?.message).toContain("'autoCutout'");
    expect(detail?.message).toContain("index 1");
    expect(job.result).toBeUndefined();
  });

  it("fails the job for an .atn file (the file is still downloaded and checked) and for a UXP script", async () => {
    const { app, headers, psd } = await setup();
    await upload(app, "actions/set.atn", Buffer.from([0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0]));
    const atn = await presign(app, "actions/set.atn", "GET");
    const refused = async (options: unknown) => {
      const { status, json } = await post(
        app,
        "/v2/execute-actions",
        { image: { source: { url: psd } }, options, outputs: [hostedPng] },
        headers,
        "executeActions",
      );
      expect(status).toBe(202);
      const job = await done(app, json.statusUrl as string, headers);
      expect(job.status).toBe("failed");
      return (job.errorDetails as { errorCode: string }[])[0]?.errorCode;
    };
    expect(await refused({ actions: [{ source: { url: atn }, actionName: "Web" }] })).toBe(
      "emulator_unsupported_action",
    );
    expect(
      await refused({
        uxp: { source: { content: "require('photoshop')", contentType: "application/javascript" } },
      }),
    ).toBe("emulator_unsupported_script");
    // The array of one that one of Adobe's guides shows is accepted too.
    expect(
      await refused({
        uxp: [{ source: { content: "require('photoshop')", contentType: "application/javascript" } }],
      }),
    ).toBe("emulator_unsupported_script");
  });

  it("answers 400 for malformed ActionJSON, empty options and invalid JSON, 422 for a missing contentType", async () => {
    const { app, headers, psd } = await setup();
    const send = (options: unknown) =>
      post(
        app,
        "/v2/execute-actions",
        { image: { source: { url: psd } }, options, outputs: [hostedPng] },
        headers,
        "executeActions",
      );
    const notArray = await send({
      actions: [{ source: { content: '{"_obj":"invert"}', contentType: "application/json" } }],
    });
    expect(notArray.status).toBe(400);
    expect(notArray.json.error_code).toBe("validation_error");
    expect(notArray.json.message).toContain("/options/actions/0/source/content");
    const noObj = await send({ actions: [inline([{ name: "x" }])] });
    expect(noObj.status).toBe(400);
    expect(noObj.json.message).toContain("_obj");
    const notJson = await send({ actions: [{ source: { content: "[{", contentType: "application/json" } }] });
    expect(notJson.status).toBe(400);
    const empty = await send({});
    expect(empty.status).toBe(400);
    expect(empty.json.message).toBe("options: At least one of actions or uxp must be provided");
    const noType = await send({ actions: [{ source: { content: "[]" } }] });
    expect(noType.status).toBe(422);
    expect(noType.json.message).toContain("Invalid contentType for inline action");
    const res = await app.request("/v2/execute-actions", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error_code).toBe("invalid_json");
  });

  it("refuses a scriptOutputPattern output to a URL and more than 10 actions (400: the schema says both)", async () => {
    const { app, headers, psd } = await setup();
    const pattern = await post(
      app,
      "/v2/execute-actions",
      {
        image: { source: { url: psd } },
        options: { actions: [inline([])] },
        outputs: [{ destination: { url: psd }, mediaType: "image/png", scriptOutputPattern: "*.png" }],
      },
      headers,
      "executeActions",
    );
    expect(pattern.status).toBe(400);
    const many = await post(
      app,
      "/v2/execute-actions",
      {
        image: { source: { url: psd } },
        options: { actions: Array.from({ length: 11 }, () => inline([])) },
        outputs: [hostedPng],
      },
      headers,
      "executeActions",
    );
    expect(many.status).toBe(400);
  });

  it("answers 413 for a body over the emulator's limit", async () => {
    const { app, headers, psd } = await setup({ limits: { maxBodyBytes: 2048 } });
    const res = await app.request(
      "/v2/execute-actions",
      postJson(
        {
          image: { source: { url: psd } },
          options: { actions: [inline([{ _obj: "invert", pad: "x".repeat(4096) }])] },
          outputs: [hostedPng],
        },
        headers,
      ),
    );
    expect(res.status).toBe(413);
    const json = (await res.json()) as Json;
    expect(json.error_code).toBe("validation_error");
    expect(check("executeActions", 413, json)).toEqual([]);
  });
});
