import { jobOutputs } from "@psapi/client";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  callCurrent,
  downloadHosted,
  maskAgainstBox,
  outputUrl,
  type RegionMask,
  runCurrentJob,
} from "./harness/current.js";
import { type Transport, useEnvironment } from "./harness/environment.js";
import { imageFacts, readFixture } from "./harness/images.js";

const COFFEE = { file: "coffee.png", width: 600, height: 400 } as const;

/** Width and height from a PSD header (bytes 14-21, big-endian height then width). */
function psdSize(bytes: Uint8Array): { signature: string; width: number; height: number } {
  const view = Buffer.from(bytes);
  return {
    signature: view.subarray(0, 4).toString("latin1"),
    height: view.readUInt32BE(14),
    width: view.readUInt32BE(18),
  };
}

describe.each<Transport>(["in-process", "port"])("end to end on the current contract, %s", (transport) => {
  const env = useEnvironment(
    { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
    { per: "describe" },
  );
  const coffee = async () =>
    env().control.putObject("coffee-current.png", await readFixture(COFFEE.file), "image/png");

  it.each([
    ["mask", 1],
    ["cutout", 4],
  ] as const)(
    "remove-background %s: a hosted PNG of the input's size with %d channel(s), not uniform",
    async (mode, channels) => {
      const image = { source: { url: await coffee() } };
      const done = await runCurrentJob(env(), "/v2/remove-background", { image, mode });
      expect(done).toMatchObject({ status: "succeeded", result: { outputs: [{ mediaType: "image/png" }] } });
      const facts = await imageFacts(await downloadHosted(env(), outputUrl(done)));
      expect(facts).toMatchObject({
        format: "png",
        width: COFFEE.width,
        height: COFFEE.height,
        channels,
        uniform: false,
      });
    },
  );

  it("remove-background psd: a layered PSD of the input's size; WebP and trim are honoured", async () => {
    const image = { source: { url: await coffee() } };
    const psd = await runCurrentJob(env(), "/v2/remove-background", { image, mode: "psd" });
    expect(psd).toMatchObject({
      status: "succeeded",
      result: { outputs: [{ mediaType: "image/vnd.adobe.photoshop" }] },
    });
    expect(psdSize(await downloadHosted(env(), outputUrl(psd)))).toEqual({
      signature: "8BPS",
      width: COFFEE.width,
      height: COFFEE.height,
    });
    const trimmed = await runCurrentJob(env(), "/v2/remove-background", {
      image,
      output: { mediaType: "image/webp" },
      trim: true,
    });
    const facts = await imageFacts(await downloadHosted(env(), outputUrl(trimmed)));
    expect(facts).toMatchObject({ format: "webp", channels: 4, uniform: false });
    expect((facts.width ?? 0) * (facts.height ?? 0)).toBeLessThan(COFFEE.width * COFFEE.height);
  });

  it("mask-objects: every region's mask is the input's size, not empty, and inside its bounding box", async () => {
    const image = { source: { url: await coffee() } };
    const done = await runCurrentJob(env(), "/v1/mask-objects", { image });
    expect(done.status).toBe("succeeded");
    const regions = [...(done.semanticMasks as RegionMask[]), ...(done.backgroundMasks as RegionMask[])];
    expect((done.semanticMasks as RegionMask[]).length).toBeGreaterThan(0);
    for (const region of regions) {
      const counts = await maskAgainstBox(
        await downloadHosted(env(), region.destination.url),
        region.boundingBox,
      );
      expect(counts).toMatchObject({ width: COFFEE.width, height: COFFEE.height, outside: 0 });
      expect(counts.inside).toBeGreaterThan(0);
    }
  });

  it("fill-masked-areas with the subject's mask: an image of the input's size that differs inside the mask", async () => {
    const url = await coffee();
    const mask = await runCurrentJob(env(), "/v2/remove-background", {
      image: { source: { url } },
      mode: "mask",
    });
    const filled = await runCurrentJob(env(), "/v1/fill-masked-areas", {
      image: { source: { url } },
      masks: [{ source: { url: outputUrl(mask) } }],
    });
    expect(filled.status).toBe("succeeded");
    const bytes = await downloadHosted(
      env(),
      (filled.image as { destination: { url: string } }).destination.url,
    );
    expect(await imageFacts(bytes)).toMatchObject({
      format: "png",
      width: COFFEE.width,
      height: COFFEE.height,
      uniform: false,
    });
    const before = await sharp(await readFixture(COFFEE.file))
      .removeAlpha()
      .raw()
      .toBuffer();
    const after = await sharp(bytes).removeAlpha().raw().toBuffer();
    const hole = await sharp(await downloadHosted(env(), outputUrl(mask)))
      .toColourspace("b-w")
      .raw()
      .toBuffer();
    expect(hole.length * 3).toBe(before.length);
    // Pixels the fill changed inside the mask (any weight; most of them) and outside it (none).
    const changed = { inside: 0, outside: 0, masked: 0 };
    for (let i = 0; i < hole.length; i++) {
      if ((hole[i] ?? 0) > 0) changed.masked++;
      const same = [0, 1, 2].every((c) => before[i * 3 + c] === after[i * 3 + c]);
      if (same) continue;
      if ((hole[i] ?? 0) > 0) changed.inside++;
      else changed.outside++;
    }
    expect(changed.outside).toBe(0);
    expect(changed.inside).toBeGreaterThan(changed.masked / 2);
  });

  it("refuses bad input with the documented status and code, never a 500", async () => {
    const url = await coffee();
    const cases: [string, unknown, number, string][] = [
      ["/v2/remove-background", { image: { source: { url } }, mode: "sketch" }, 400, "validation_error"],
      [
        "/v2/remove-background",
        { image: { source: { url } }, backgroundColor: { red: 0, green: 0, blue: 0, alpha: 2 } },
        400,
        "validation_error",
      ],
      [
        "/v2/remove-background",
        { image: { source: { url: "https://example.com/in.png" } } },
        400,
        "validation_error",
      ],
      ["/v2/remove-background", { mode: "mask" }, 400, "validation_error"],
      [
        "/v1/mask-objects",
        { image: { source: { url: "https://example.com/in.png" } } },
        400,
        "input_validation_error",
      ],
      ["/v1/refine-mask", { image: { source: { url } } }, 400, "input_validation_error"],
    ];
    for (const [path, body, status, code] of cases) {
      const answer = await callCurrent(env(), "POST", path, body);
      expect([path, answer.status, answer.json.error_code]).toEqual([path, status, code]);
    }
    const wide = await sharp({ create: { width: 6001, height: 2, channels: 3, background: "#888" } })
      .png()
      .toBuffer();
    const wideUrl = await env().control.putObject("wide.png", new Uint8Array(wide), "image/png");
    const oversize = await callCurrent(env(), "POST", "/v2/remove-background", {
      image: { source: { url: wideUrl } },
    });
    expect([oversize.status, oversize.json.error_code]).toEqual([422, "validation_error"]);
  });

  it("through the client: removeBackground in each mode and maskObjects succeed, jobOutputs gives hosted URLs that expire in an hour", async () => {
    const image = { source: { url: await coffee() } };
    const expected = { mask: ["png", 1], cutout: ["png", 4] } as const;
    for (const mode of ["mask", "cutout", "psd"] as const) {
      const done = await (await env().client.removeBackground({ image, mode })).wait();
      expect(done).toMatchObject({ status: "succeeded" });
      const [file] = jobOutputs(done);
      // Hosted for 3600 s of emulator time from when the job ran (a few virtual polls ago).
      const left = (file?.expiresAt?.getTime() ?? 0) - env().clock.now();
      expect(left).toBeGreaterThan(3_500_000);
      expect(left).toBeLessThanOrEqual(3_600_000);
      const bytes = await downloadHosted(env(), file?.url ?? "");
      if (mode === "psd") {
        expect(psdSize(bytes)).toEqual({ signature: "8BPS", width: COFFEE.width, height: COFFEE.height });
        continue;
      }
      const [format, channels] = expected[mode];
      expect(await imageFacts(bytes)).toMatchObject({
        format,
        width: COFFEE.width,
        height: COFFEE.height,
        channels,
        uniform: false,
      });
    }
    const objects = await (await env().client.maskObjects({ image })).wait();
    const masks = jobOutputs(objects).filter((file) => file.from.startsWith("semanticMasks"));
    expect(masks.length).toBeGreaterThan(0);
    for (const mask of masks) {
      const counts = await maskAgainstBox(
        await downloadHosted(env(), mask.url ?? ""),
        mask.boundingBox ?? { x: 0, y: 0, width: 0, height: 0 },
      );
      expect(counts).toMatchObject({ width: COFFEE.width, height: COFFEE.height, outside: 0 });
      expect(counts.inside).toBeGreaterThan(0);
    }
  });
});
