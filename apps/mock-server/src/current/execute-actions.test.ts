import { describe, expect, it } from "vitest";
import { check, done, hostedPng, type Json, type Output, pixel, post, setup } from "../testing/documents.js";
import { postJson, presign, upload } from "../testing/helpers.js";

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

  it.each(["additionalContents", "brushes", "patterns"] as const)(
    "downloads %s when the POST arrives: an unreachable file is 422, an off-list URL 400, a Creative Cloud path 422, and none makes a job",
    async (field) => {
      const { app, headers, psd } = await setup();
      await upload(
        app,
        "res/file.bin",
        Buffer.from("brush, pattern or overlay bytes"),
        "application/octet-stream",
      );
      const send = (source: unknown) =>
        post(
          app,
          "/v2/execute-actions",
          {
            image: { source: { url: psd } },
            options: { actions: [inline([{ _obj: "invert" }])], [field]: [{ source }] },
            outputs: [hostedPng],
          },
          headers,
          "executeActions",
        );
      const pointer = `/options/${field}/0/source`;
      const jobs = async () =>
        ((await (await app.request("/__emulator/jobs")).json()) as { jobs: unknown[] }).jobs.length;
      // A pre-signed URL of an object that is not there: reachable only by downloading it.
      const missing = await send({ url: await presign(app, "res/missing.bin", "GET") });
      expect([missing.status, missing.json.error_code]).toEqual([422, "validation_error"]);
      expect(missing.json.message).toMatch(new RegExp(`^${pointer}/url: `));
      const offList = await send({ url: "https://example.com/res/file.bin" });
      expect([offList.status, offList.json.error_code]).toEqual([400, "validation_error"]);
      expect(offList.json.message).toContain(`${pointer}/url`);
      const cloud = await send({ creativeCloudPath: "res/file.bin" });
      expect([cloud.status, cloud.json.error_code]).toEqual([422, "validation_error"]);
      expect(cloud.json.message).toContain(`${pointer}: Creative Cloud`);
      expect(await jobs()).toBe(0);
      const present = await send({ url: await presign(app, "res/file.bin", "GET") });
      expect(present.status).toBe(202);
      expect(await jobs()).toBe(1);
    },
  );

  it("takes inline ActionJSON of 51,200 characters and refuses one of 51,201 with 400 naming the field", async () => {
    const { app, headers, psd } = await setup();
    // Valid ActionJSON (the badge inverted) padded with whitespace to the exact length.
    const padded = (length: number) => {
      const commands = JSON.stringify([
        { _obj: "select", _target: [{ _ref: "layer", _name: "Badge" }] },
        { _obj: "invert" },
      ]);
      return `${commands.slice(0, -1)}${" ".repeat(length - commands.length)}]`;
    };
    const send = (content: string) =>
      post(
        app,
        "/v2/execute-actions",
        {
          image: { source: { url: psd } },
          options: { actions: [{ source: { content, contentType: "application/json" } }] },
          outputs: [hostedPng],
        },
        headers,
        "executeActions",
      );
    expect(padded(51_200)).toHaveLength(51_200);
    const atLimit = await send(padded(51_200));
    expect(atLimit.status).toBe(202);
    expect((await done(app, atLimit.json.statusUrl as string, headers)).status).toBe("succeeded");
    const over = await send(padded(51_201));
    expect([over.status, over.json.error_code]).toEqual([400, "validation_error"]);
    expect(JSON.stringify(over.json)).toContain("/options/actions/0/source/content");
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
