import { readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ADJUSTMENTS, writeXmp } from "../imaging/edit/index.js";
import { noSettings } from "../imaging/edit/settings.js";
import {
  PICTURE_HEIGHT,
  PICTURE_WIDTH,
  picture,
  pictureToPng,
  ramp,
  type Stats,
  stats,
  statsOf,
} from "../imaging/measures.js";
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
type Output = { destination: { url?: string; content?: unknown }; mediaType: string };

const check = responseChecker("photoshop-current.yaml");
const [W, H] = [PICTURE_WIDTH, PICTURE_HEIGHT];

async function setup(options: Parameters<typeof testEmulator>[0] = {}, raw = picture()) {
  const { app } = testEmulator(options);
  const headers = await authHeaders(app);
  await upload(app, "in/photo.png", Buffer.from(await pictureToPng(raw)));
  return { app, headers, photo: await presign(app, "in/photo.png", "GET") };
}

async function post(app: App, body: unknown, headers: Record<string, string>) {
  const res = await app.request("/v2/edit", postJson(body, headers));
  const json = (await res.json()) as Json;
  expect(check("edit", res.status, json)).toEqual([]);
  return { status: res.status, json };
}

async function finish(app: App, statusUrl: string, headers: Record<string, string>): Promise<Json> {
  await advance(app, 0);
  const res = await app.request(statusUrl, { headers });
  const json = (await res.json()) as Json;
  expect(check("getV2JobStatus", 200, json)).toEqual([]);
  return json;
}

const hostedPng = { destination: { validityPeriod: 600 }, mediaType: "image/png" };

/** Runs one edit and returns the statistics of its PNG output (and of the input). */
async function edited(edits: Json, raw = picture()): Promise<{ before: Stats; after: Stats; status: Json }> {
  const { app, headers, photo } = await setup({}, raw);
  const { status, json } = await post(
    app,
    { image: { source: { url: photo } }, edits, outputs: [hostedPng] },
    headers,
  );
  expect(status).toBe(202);
  const done = await finish(app, json.statusUrl as string, headers);
  expect(done.status, JSON.stringify(done.errorDetails)).toBe("succeeded");
  const [output] = (done.result as { outputs: Output[] }).outputs;
  const bytes = new Uint8Array(await (await app.request(output?.destination.url as string)).arrayBuffer());
  return { before: stats(raw, W, H, 3), after: await statsOf(bytes), status: done };
}

describe("POST /v2/edit: each adjustment, its direction and size", () => {
  it("leaves the pixels alone with no adjustment (the baseline the others are measured against)", async () => {
    const { before, after } = await edited({});
    expect(Math.abs(after.luma - before.luma)).toBeLessThan(0.5);
    expect(Math.abs(after.laplacian - before.laplacian) / before.laplacian).toBeLessThan(0.02);
  });

  it("exposure: +1 stop brightens (a linear-light gain of 2, about ×1.3-1.4 in sRGB), −1 darkens", async () => {
    const up = await edited({ light: { exposure: 1 } });
    const ratio = up.after.luma / up.before.luma;
    expect(ratio).toBeGreaterThan(1.25);
    expect(ratio).toBeLessThan(1.45);
    const down = await edited({ light: { exposure: -1 } });
    expect(down.after.luma / down.before.luma).toBeLessThan(0.8);
    expect(up.status.result).toMatchObject({
      additionalFields: { emulator: { warnings: [expect.stringContaining("/edits/light/exposure")] } },
    });
  });

  it("contrast: +50 spreads the tones by about half again, −50 narrows them", async () => {
    const up = await edited({ light: { contrast: 50 } });
    expect(up.after.stdev / up.before.stdev).toBeGreaterThan(1.35);
    expect(up.after.stdev / up.before.stdev).toBeLessThan(1.6);
    const down = await edited({ light: { contrast: -50 } });
    expect(down.after.stdev / down.before.stdev).toBeCloseTo(0.5, 1);
  });

  it("saturation: −100 is grey, −50 halves the colour, +50 adds half again", async () => {
    const grey = await edited({ color: { saturation: -100 } });
    expect(grey.after.chroma).toBeLessThan(1.5);
    const half = await edited({ color: { saturation: -50 } });
    expect(half.after.chroma / half.before.chroma).toBeCloseTo(0.5, 1);
    const more = await edited({ color: { saturation: 50 } });
    expect(more.after.chroma / more.before.chroma).toBeGreaterThan(1.35);
  });

  it("vibrance: +100 adds colour, less than saturation +100 does (weak colours move most)", async () => {
    const vib = await edited({ color: { vibrance: 100 } });
    const sat = await edited({ color: { saturation: 100 } });
    expect(vib.after.chroma).toBeGreaterThan(vib.before.chroma * 1.3);
    expect(vib.after.chroma).toBeLessThan(sat.after.chroma);
  });

  it("white balance Auto pulls the channel means together (grey world)", async () => {
    const { before, after } = await edited({ color: { whiteBalance: "Auto" } });
    const spread = (s: Stats) => Math.max(s.red, s.green, s.blue) - Math.min(s.red, s.green, s.blue);
    expect(spread(before)).toBeGreaterThan(5);
    expect(spread(after)).toBeLessThan(spread(before) / 3);
  });

  it("highlights, shadows, whites and blacks move the bright or the dark tones in their direction", async () => {
    const shadows = await edited({ light: { shadows: 100 } }, ramp());
    expect(shadows.after.min).toBeGreaterThan(shadows.before.min + 40);
    expect(shadows.after.max).toBeCloseTo(shadows.before.max, 0);
    const highlights = await edited({ light: { highlights: -100 } }, ramp());
    expect(highlights.after.max).toBeLessThan(highlights.before.max - 40);
    expect(highlights.after.min).toBeCloseTo(highlights.before.min, 0);
    const whites = await edited({ light: { whites: 100 } }, ramp());
    expect(whites.after.max).toBeGreaterThan(whites.before.max + 5);
    expect(whites.after.min).toBeCloseTo(whites.before.min, 0);
    const blacks = await edited({ light: { blacks: -100 } }, ramp());
    expect(blacks.after.min).toBeLessThan(blacks.before.min - 5);
    expect(blacks.after.max).toBeCloseTo(blacks.before.max, 0);
  });

  it("auto tone stretches a flat picture's histogram to black and white", async () => {
    const flat = picture(100, 150);
    const { before, after } = await edited({ autoTone: true }, flat);
    expect(before.max - before.min).toBeLessThan(60);
    expect(after.min).toBeLessThan(10);
    expect(after.max).toBeGreaterThan(245);
    expect(after.stdev / before.stdev).toBeGreaterThan(3);
  });

  it("sharpen raises the high-frequency energy, noise reduction lowers it", async () => {
    const sharp1 = await edited({ sharpness: 100, sharpen: { radius: 1, detail: 50 } });
    expect(sharp1.after.laplacian / sharp1.before.laplacian).toBeGreaterThan(1.5);
    const defaultAmount = await edited({ sharpen: { radius: 1 } });
    expect(defaultAmount.after.laplacian).toBeGreaterThan(defaultAmount.before.laplacian * 1.1);
    const smooth = await edited({ noiseReduction: { luminance: 100 } });
    expect(smooth.after.laplacian / smooth.before.laplacian).toBeLessThan(0.5);
    const chromaOnly = await edited({ noiseReduction: { color: 100 } });
    expect(chromaOnly.after.laplacian / chromaOnly.before.laplacian).toBeGreaterThan(0.7);
  });

  it("clarity and texture raise local contrast, dehaze deepens the picture, vignette darkens the corners", async () => {
    const clarity = await edited({ effects: { clarity: 100 } });
    expect(clarity.after.laplacian).toBeGreaterThan(clarity.before.laplacian * 1.05);
    const texture = await edited({ effects: { texture: 100 } });
    expect(texture.after.laplacian).toBeGreaterThan(texture.before.laplacian * 1.2);
    const dehaze = await edited({ effects: { dehaze: 100 } });
    expect(dehaze.after.min).toBeLessThan(dehaze.before.min);
    expect(dehaze.after.stdev).toBeGreaterThan(dehaze.before.stdev);
    const haze = await edited({ effects: { dehaze: -100 } });
    expect(haze.after.stdev).toBeLessThan(haze.before.stdev);
    const vignette = await edited({ effects: { vignette: -100 } });
    expect(vignette.after.luma).toBeLessThan(vignette.before.luma - 5);
  });

  it("accepts the migration catalogue's form, adjustments at the top level", async () => {
    const { app, headers, photo } = await setup();
    const { status, json } = await post(
      app,
      { image: { source: { url: photo } }, light: { exposure: 1 }, outputs: [hostedPng] },
      headers,
    );
    expect(status).toBe(202);
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.status).toBe("succeeded");
    expect(JSON.stringify(done.result)).toContain("/light/exposure");
  });
});

/** An XMP file of Camera Raw settings, written the way Lightroom writes presets. */
const xmpWith = (attributes: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:Version="15.0" ${attributes}><crs:Name><rdf:Alt><rdf:li xml:lang="x-default">Look</rdf:li></rdf:Alt></crs:Name></rdf:Description></rdf:RDF></x:xmpmeta>`;

describe("POST /v2/edit: XMP and presets", () => {
  async function withFile(text: string) {
    const ctx = await setup();
    await upload(ctx.app, "in/look.xmp", Buffer.from(text), "application/rdf+xml");
    return { ...ctx, look: await presign(ctx.app, "in/look.xmp", "GET") };
  }

  it("writes the applied settings as XMP (embedded string), and reads that XMP back as a look", async () => {
    const { app, headers, photo } = await setup();
    const first = await post(
      app,
      {
        image: { source: { url: photo } },
        edits: { light: { exposure: 1, contrast: -20 }, color: { saturation: -100 } },
        outputs: [{ destination: { embedded: "string" }, mediaType: "application/rdf+xml" }],
      },
      headers,
    );
    const done = await finish(app, first.json.statusUrl as string, headers);
    const [xmp] = (done.result as { outputs: Output[] }).outputs;
    const text = xmp?.destination.content as string;
    expect(text).toContain('crs:Exposure2012="+1"');
    expect(text).toContain('crs:Contrast2012="-20"');
    expect(text).toContain('crs:Saturation="-100"');

    await upload(app, "in/look.xmp", Buffer.from(text), "application/rdf+xml");
    const look = await presign(app, "in/look.xmp", "GET");
    const second = await post(
      app,
      { image: { source: { url: photo } }, edits: { xmp: { source: { url: look } } }, outputs: [hostedPng] },
      headers,
    );
    const again = await finish(app, second.json.statusUrl as string, headers);
    expect(again.status).toBe("succeeded");
    const [out] = (again.result as { outputs: Output[] }).outputs;
    const after = await statsOf(
      new Uint8Array(await (await app.request(out?.destination.url as string)).arrayBuffer()),
    );
    expect(after.chroma).toBeLessThan(1.5);
    expect(after.luma).toBeGreaterThan(stats(picture(), W, H, 3).luma * 1.15);
  });

  it("warms with a preset's IncrementalTemperature (more red, less blue) and the request overrides the preset", async () => {
    const { app, headers, photo, look } = await withFile(
      xmpWith('crs:IncrementalTemperature="+60" crs:Exposure2012="-2" crs:HueAdjustmentRed="0"'),
    );
    const { json } = await post(
      app,
      {
        image: { source: { url: photo } },
        edits: { presets: [{ url: look }], light: { exposure: 0 } },
        outputs: [hostedPng],
      },
      headers,
    );
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.status, JSON.stringify(done.errorDetails)).toBe("succeeded");
    const [out] = (done.result as { outputs: Output[] }).outputs;
    const after = await statsOf(
      new Uint8Array(await (await app.request(out?.destination.url as string)).arrayBuffer()),
    );
    const before = stats(picture(), W, H, 3);
    expect(after.red).toBeGreaterThan(before.red * 1.05);
    expect(after.blue).toBeLessThan(before.blue * 0.95);
    expect(after.green).toBeCloseTo(before.green, -1);
  });

  it("fails the job, naming the setting, on an XMP setting it cannot apply (never a fake success)", async () => {
    const { app, headers, photo, look } = await withFile(xmpWith('crs:HueAdjustmentRed="+20"'));
    const { status, json } = await post(
      app,
      { image: { source: { url: photo } }, edits: { xmp: { source: { url: look } } }, outputs: [hostedPng] },
      headers,
    );
    expect(status).toBe(202);
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.status).toBe("failed");
    expect(done.errorDetails).toEqual([
      {
        errorCode: "emulator_unsupported",
        message: expect.stringMatching(/crs:HueAdjustmentRed.*\/edits\/xmp\/source/),
      },
    ]);
  });

  it("fails the job with emulator_input_unreadable on a preset that is not XMP", async () => {
    const { app, headers, photo, look } = await withFile('s = { title = "Lua preset (.lrtemplate)" }');
    const { json } = await post(
      app,
      { image: { source: { url: photo } }, edits: { presets: [{ url: look }] }, outputs: [hostedPng] },
      headers,
    );
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.errorDetails).toEqual([
      { errorCode: "emulator_input_unreadable", message: expect.stringContaining("/edits/presets/0") },
    ]);
  });

  it("fails the job on a value out of Lightroom's range in an XMP file (400401)", async () => {
    const { app, headers, photo, look } = await withFile(xmpWith('crs:Exposure2012="+9"'));
    const { json } = await post(
      app,
      { image: { source: { url: photo } }, edits: { xmp: { source: { url: look } } }, outputs: [hostedPng] },
      headers,
    );
    const done = await finish(app, json.statusUrl as string, headers);
    expect(done.errorDetails).toEqual([
      { errorCode: "400401", message: expect.stringContaining("crs:Exposure2012") },
    ]);
  });

  it("writes an XMP packet it reads back with the same settings", () => {
    const settings = noSettings();
    settings.numbers.exposure = 1.5;
    settings.numbers.sharpness = 40;
    settings.autoTone = true;
    const text = writeXmp(settings);
    expect(text).toContain('crs:Exposure2012="+1.5"');
    expect(text).toContain('crs:Sharpness="40"');
    expect(text).toContain('crs:AutoTone="True"');
  });
});

describe("POST /v2/edit: refusals", () => {
  it("answers 400 validation_error for an exposure out of range or sent as a string", async () => {
    const { app, headers, photo } = await setup();
    for (const exposure of [5.5, -6, "1"]) {
      const { status, json } = await post(
        app,
        { image: { source: { url: photo } }, edits: { light: { exposure } }, outputs: [hostedPng] },
        headers,
      );
      expect(status).toBe(400);
      expect(json.error_code).toBe("validation_error");
      expect(String(json.message)).toContain("/edits/light/exposure");
    }
  });

  it("answers 422 when the two forms are mixed (a category beside edits), or an image is embedded as a string", async () => {
    const { app, headers, photo } = await setup();
    const both = await post(
      app,
      { image: { source: { url: photo } }, edits: { autoTone: true }, autoTone: false, outputs: [hostedPng] },
      headers,
    );
    expect(both.status).toBe(422);
    expect(both.json.message).toContain("/autoTone");
    const mixed = await post(
      app,
      {
        image: { source: { url: photo } },
        edits: { autoTone: true },
        light: { exposure: 1 },
        outputs: [hostedPng],
      },
      headers,
    );
    expect(mixed.status).toBe(422);
    expect(mixed.json.message).toContain("/light");
    const embedded = await post(
      app,
      {
        image: { source: { url: photo } },
        outputs: [{ destination: { embedded: "string" }, mediaType: "image/jpeg" }],
      },
      headers,
    );
    expect(embedded.status).toBe(422);
  });

  it("answers 422 for an image over the emulator's 4000 px edit limit, and fails the job on a file that is no image", async () => {
    const { app, headers } = await setup();
    const big = await sharp({ create: { width: 4100, height: 10, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    await upload(app, "in/big.png", big);
    const tooLarge = await post(
      app,
      {
        image: { source: { url: await presign(app, "in/big.png", "GET") } },
        edits: { autoTone: true },
        outputs: [hostedPng],
      },
      headers,
    );
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.json.message).toMatch(/^\/image\/source\/url: .*4000/);
    await upload(app, "in/notes.txt", Buffer.from("not an image"), "text/plain");
    const text = await post(
      app,
      {
        image: { source: { url: await presign(app, "in/notes.txt", "GET") } },
        edits: { autoTone: true },
        outputs: [hostedPng],
      },
      headers,
    );
    expect(text.status).toBe(202);
    const done = await finish(app, text.json.statusUrl as string, headers);
    expect(done.errorDetails).toEqual([
      { errorCode: "emulator_input_unreadable", message: expect.stringContaining("/image/source") },
    ]);
  });

  it("fails the job emulator_unsupported for autoStraighten, a raw-only white balance and a DNG output", async () => {
    const cases: [Json, Json[], string][] = [
      [{ autoStraighten: { enabled: true } }, [hostedPng], "/edits/autoStraighten"],
      [{ color: { whiteBalance: "Daylight" } }, [hostedPng], "/edits/color/whiteBalance"],
      [
        {},
        [{ destination: { validityPeriod: 600 }, mediaType: "image/x-adobe-dng" }],
        "/outputs/0/mediaType",
      ],
    ];
    for (const [edits, outputs, pointer] of cases) {
      const { app, headers, photo } = await setup();
      const { status, json } = await post(
        app,
        { image: { source: { url: photo } }, edits, outputs },
        headers,
      );
      expect(status).toBe(202);
      const done = await finish(app, json.statusUrl as string, headers);
      expect(done.errorDetails).toEqual([
        { errorCode: "emulator_unsupported", message: expect.stringContaining(pointer) },
      ]);
    }
  });

  it("counts against the trial quota like the retired operations (402 once it is used up)", async () => {
    const { app, headers, photo } = await setup({ trialQuota: 1 });
    const body = { image: { source: { url: photo } }, edits: { autoTone: true }, outputs: [hostedPng] };
    expect((await post(app, body, headers)).status).toBe(202);
    const refused = await post(app, body, headers);
    expect(refused.status).toBe(402);
    expect(refused.json.type).toBe("TrialLimitExceededError");
  });
});

describe("the README's table of adjustments", () => {
  it("lists every row of ADJUSTMENTS with its approximation, word for word", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const adjustment of ADJUSTMENTS) expect(readme).toContain(adjustment.approximation);
  });
});
