import { readPsd } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { done, hostedPng, type Output, pixel, post, setup, template } from "../testing/documents.js";
import { presign, upload } from "../testing/helpers.js";

describe("POST /v2/create-composite", () => {
  it("converts a PSD with no edits to PNG, JPEG and TIFF from its composite, the same picture in each", async () => {
    const { app, headers, psd } = await setup();
    const outputs = ["image/png", "image/jpeg", "image/tiff"].map((mediaType) => ({
      destination: { validityPeriod: 600 },
      mediaType,
    }));
    const { status, json } = await post(
      app,
      "/v2/create-composite",
      { image: { source: { url: psd } }, outputs },
      headers,
      "createComposite",
    );
    expect(status).toBe(202);
    const result = await done(app, json.statusUrl as string, headers);
    expect(result.status).toBe("succeeded");
    const files = (result.result as { outputs: Output[] }).outputs;
    expect(files.map((file) => file.mediaType)).toEqual(outputs.map((output) => output.mediaType));
    // The template's composite: white, a red badge at (10,10)-(20,20), the blue product at (30,10)-(50,30).
    const expected: [number, number, number[]][] = [
      [2, 2, [255, 255, 255]],
      [15, 15, [255, 0, 0]],
      [40, 20, [0, 0, 255]],
      [55, 35, [255, 255, 255]],
    ];
    for (const file of files) {
      const url = file.destination.url as string;
      const meta = await sharp(Buffer.from(await (await app.request(url)).arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([
        { "image/png": "png", "image/jpeg": "jpeg", "image/tiff": "tiff" }[file.mediaType],
        60,
        40,
      ]);
      // PNG and TIFF are lossless; JPEG is within a few levels away from the edges.
      const tolerance = file.mediaType === "image/jpeg" ? 12 : 0;
      for (const [x, y, rgb] of expected) {
        const got = (await pixel(app, url, x, y)).slice(0, 3);
        for (const [i, value] of got.entries()) {
          const off = Math.abs(value - (rgb[i] as number));
          expect(off, `${file.mediaType} (${x}, ${y})`).toBeLessThanOrEqual(tolerance);
        }
      }
    }
  });

  it("fills a template: deletes a layer, replaces the smart object, and hosts a PNG that shows both", async () => {
    const { app, headers, psd, green } = await setup();
    const body = {
      image: { source: { url: psd } },
      edits: {
        layers: [
          { type: "layer", name: "Badge", operation: { type: "delete" } },
          {
            type: "smart_object_layer",
            name: "Product",
            operation: { type: "edit" },
            smartObject: { smartObjectFile: { source: { url: green } } },
          },
        ],
      },
      outputs: [hostedPng, { destination: { embedded: "json" }, mediaType: "application/json" }],
    };
    const { status, json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    expect(status).toBe(202);
    expect(json.statusUrl).toBe(`http://localhost/v2/status/${json.jobId}`);
    const status2 = await done(app, json.statusUrl as string, headers);
    expect(status2.status).toBe("succeeded");
    const [png, manifest] = (status2.result as { outputs: Output[] }).outputs;
    expect(png?.mediaType).toBe("image/png");
    expect(await pixel(app, png?.destination.url as string, 15, 15)).toEqual([255, 255, 255, 255]);
    expect(await pixel(app, png?.destination.url as string, 40, 20)).toEqual([0, 255, 0, 255]);
    const names = (
      (manifest?.destination.content as { layers?: { name: string }[] } | undefined)?.layers ?? []
    ).map((l) => l.name);
    expect(names).toContain("Product");
    expect(names).not.toContain("Badge");
  });

  it("adds an image layer at its offset and writes a PSD to the caller's URL", async () => {
    const { app, headers, psd, green } = await setup();
    const out = await presign(app, "out/result.psd", "PUT");
    const body = {
      image: { source: { url: psd } },
      edits: {
        layers: [
          {
            type: "layer",
            name: "New",
            operation: { type: "add", placement: { type: "top" } },
            image: { source: { url: green } },
            transformMode: "custom",
            transform: { offset: { horizontal: 2, vertical: 30 } },
          },
        ],
      },
      outputs: [{ destination: { url: out }, mediaType: "image/vnd.adobe.photoshop" }],
    };
    const { json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    const status = await done(app, json.statusUrl as string, headers);
    expect(status.status).toBe("succeeded");
    const written = Buffer.from(
      await (await app.request(await presign(app, "out/result.psd", "GET"))).arrayBuffer(),
    );
    const doc = readPsd(written, { useImageData: true });
    const added = doc.children?.at(-1);
    expect([added?.name, added?.left, added?.top, added?.right, added?.bottom]).toEqual([
      "New",
      2,
      30,
      10,
      38,
    ]);
    expect([...(doc.imageData?.data.subarray((32 * 60 + 5) * 4, (32 * 60 + 5) * 4 + 4) ?? [])]).toEqual([
      0, 255, 0, 255,
    ]);
  });

  it("fails the job with emulator_unsupported for text in a PNG, naming the layer", async () => {
    const { app, headers, psd } = await setup();
    const body = {
      image: { source: { url: psd } },
      edits: {
        layers: [
          {
            type: "text_layer",
            name: "Headline",
            operation: { type: "add", placement: { type: "top" } },
            text: { content: "Sale" },
          },
        ],
      },
      outputs: [hostedPng],
    };
    const { json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    const status = await done(app, json.statusUrl as string, headers);
    expect(status.status).toBe("failed");
    const [detail] = status.errorDetails as { errorCode: string; message: string }[];
    expect(detail?.errorCode).toBe("emulator_unsupported");
    expect(detail?.message).toContain("'Headline'");
  });

  it("draws with warnings in approximate mode", async () => {
    const { app, headers, psd } = await setup({ renderMode: "approximate" });
    const body = {
      image: { source: { url: psd } },
      edits: {
        layers: [
          {
            type: "text_layer",
            name: "Headline",
            operation: { type: "add", placement: { type: "top" } },
            text: { content: "Sale" },
          },
        ],
      },
      outputs: [hostedPng],
    };
    const { json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    const status = await done(app, json.statusUrl as string, headers);
    expect(status.status).toBe("succeeded");
    const warnings = (status.result as { additionalFields: { emulator: { warnings: string[] } } })
      .additionalFields.emulator.warnings;
    expect(warnings.join()).toContain("'Headline'");
  });

  it.each([
    [
      "an unknown layer type",
      { edits: { layers: [{ type: "shape_layer", name: "X", operation: { type: "edit" } }] } },
      400,
      "/edits/layers/0/type",
    ],
    [
      "a layer name the document does not have",
      { edits: { layers: [{ type: "layer", name: "Nope", operation: { type: "delete" } }] } },
      422,
      "no layer named 'Nope'",
    ],
    [
      "an output type not offered",
      { outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/gif" }] },
      400,
      "/outputs/0/mediaType",
    ],
    [
      "quality on a PNG",
      { outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png", quality: "high" }] },
      400,
      "/outputs/0",
    ],
    [
      "a transform without transformMode custom",
      {
        edits: {
          layers: [
            {
              type: "layer",
              name: "Badge",
              operation: { type: "edit" },
              transform: { offset: { horizontal: 1 } },
            },
          ],
        },
      },
      422,
      "transformMode custom",
    ],
    [
      "layer_bounds without one layer",
      { outputs: [{ ...hostedPng, cropMode: "layer_bounds" }] },
      422,
      "single-layer export",
    ],
    [
      "a source URL outside the allow-list",
      { image: { source: { url: "https://example.com/in.psd" } } },
      400,
      "not an allowed storage domain",
    ],
    ["a new document over the size limit", { image: { width: 32001, height: 10 } }, 400, "/image"],
    [
      "a Creative Cloud source",
      { image: { source: { creativeCloudPath: "a/b.psd" } } },
      422,
      "Creative Cloud",
    ],
  ])("refuses %s with %i and says where", async (_what, change, expectedStatus, text) => {
    const { app, headers, psd } = await setup();
    const body = { image: { source: { url: psd } }, outputs: [hostedPng], ...change };
    const { status, json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    expect(status).toBe(expectedStatus);
    expect(json.error_code).toBe("validation_error");
    expect(JSON.stringify(json)).toContain(text);
  });

  it("refuses a PSD larger than the emulator's limit from its header, with 422", async () => {
    const { app, headers } = await setup();
    const big = Buffer.from(template());
    big.writeUInt32BE(20_000, 14);
    big.writeUInt32BE(20_000, 18);
    await upload(app, "in/big.psd", big);
    const body = {
      image: { source: { url: await presign(app, "in/big.psd", "GET") } },
      outputs: [hostedPng],
    };
    const { status, json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
    expect(status).toBe(422);
    expect(json.message).toContain("20000 x 20000");
  });

  it("refuses an image over the limit, the problem under its file's JSON pointer, with 422", async () => {
    const { app, headers, psd } = await setup();
    const wide = await sharp({ create: { width: 10_001, height: 1, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    await upload(app, "in/wide.png", wide);
    const url = await presign(app, "in/wide.png", "GET");
    for (const [body, pointer] of [
      [{ image: { source: { url } }, outputs: [hostedPng] }, "/image/source/url"],
      [
        {
          image: { source: { url: psd } },
          edits: {
            layers: [
              {
                type: "layer",
                name: "Wide",
                operation: { type: "add", placement: { type: "top" } },
                image: { source: { url } },
              },
            ],
          },
          outputs: [hostedPng],
        },
        "/edits/layers/0/image/source/url",
      ],
    ] as const) {
      const { status, json } = await post(app, "/v2/create-composite", body, headers, "createComposite");
      expect(status).toBe(422);
      expect(json.message).toBe(`${pointer}: the image is 10001 x 1 px, over the limit of 10000 x 10000 px`);
    }
  });
});

describe("POST /v2/create-artboard", () => {
  it("lays the images out as artboards and hosts the PNG", async () => {
    const { app, headers, green } = await setup();
    const body = {
      images: [{ source: { url: green } }, { source: { url: green } }],
      artboardSpacing: 4,
      outputs: [hostedPng],
    };
    const { status, json } = await post(app, "/v2/create-artboard", body, headers, "createArtboard");
    expect(status).toBe(202);
    const result = await done(app, json.statusUrl as string, headers);
    expect(result.status).toBe("succeeded");
    const url = (result.result as { outputs: Output[] }).outputs[0]?.destination.url as string;
    const meta = await sharp(Buffer.from(await (await app.request(url)).arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([20, 8]);
    expect(await pixel(app, url, 9, 0)).toEqual([0, 0, 0, 0]);
    expect(await pixel(app, url, 12, 7)).toEqual([0, 255, 0, 255]);
  });

  it("refuses 26 images", async () => {
    const { app, headers, green } = await setup();
    const body = {
      images: Array.from({ length: 26 }, () => ({ source: { url: green } })),
      outputs: [hostedPng],
    };
    const { status } = await post(app, "/v2/create-artboard", body, headers, "createArtboard");
    expect(status).toBe(400);
  });
});
