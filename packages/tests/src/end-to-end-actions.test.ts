import { JobFailedError, jobOutputs } from "@psapi/client";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { downloadHosted } from "./harness/current.js";
import { type Transport, useEnvironment } from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

const COFFEE = { file: "coffee.png", width: 600, height: 400 } as const;

async function rgba(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const inline = (commands: unknown[]) => ({
  source: { content: JSON.stringify(commands), contentType: "application/json" },
});

// execute-actions end to end through the client (`@psapi/client/all`), on the emulator in process and on a port:
// the ActionJSON is played for real, so the output's pixels are the input's, transformed.
describe.each<Transport>(["in-process", "port"])(
  "end to end: executeActions through the client, %s",
  (transport) => {
    const env = useEnvironment(
      { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
      { per: "describe" },
    );

    it("plays invert, a horizontal canvas flip and a 20 px canvas extension, and the PNG shows all three", async () => {
      const original = await readFixture(COFFEE.file);
      const url = await env().control.putObject("actions-coffee.png", original, "image/png");
      const job = await env().client.executeActions({
        image: { source: { url } },
        options: {
          actions: [
            inline([
              { _obj: "invert" },
              {
                _obj: "flip",
                _target: [{ _ref: "document", _enum: "ordinal", _value: "first" }],
                axis: { _enum: "orientation", _value: "horizontal" },
              },
              {
                _obj: "canvasSize",
                width: { _unit: "pixelsUnit", _value: 20 },
                relative: true,
                horizontal: { _enum: "horizontalLocation", _value: "left" },
              },
            ]),
          ],
        },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      const done = await job.wait();
      expect(done.status).toBe("succeeded");
      const [file] = jobOutputs(done);
      expect(file?.mediaType).toBe("image/png");
      const out = await rgba(await downloadHosted(env(), file?.url as string));
      const input = await rgba(original);
      expect([out.width, out.height]).toEqual([COFFEE.width + 20, COFFEE.height]);
      // Output (x, y) is the input's (599 - x, y) inverted; the 20 px added on the right are transparent.
      for (const [x, y] of [
        [0, 0],
        [100, 50],
        [333, 222],
        [599, 399],
      ] as const) {
        const o = (y * out.width + x) * 4;
        const i = (y * input.width + (COFFEE.width - 1 - x)) * 4;
        expect([...out.data.subarray(o, o + 4)], `(${x}, ${y})`).toEqual([
          255 - (input.data[i] as number),
          255 - (input.data[i + 1] as number),
          255 - (input.data[i + 2] as number),
          255,
        ]);
      }
      expect(out.data[(10 * out.width + 610) * 4 + 3]).toBe(0);
    });

    it("rejects wait() with the job's failure naming the command the emulator does not play", async () => {
      const url = await env().control.putObject(
        "actions-coffee.png",
        await readFixture(COFFEE.file),
        "image/png",
      );
      const job = await env().client.executeActions({
        image: { source: { url } },
        options: { actions: [inline([{ _obj: "invert" }, { _obj: "neuralGalleryFilters" }])] },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      const error = await job.wait().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(JobFailedError);
      const [failure] = (error as JobFailedError).errors;
      expect(failure?.errorCode).toBe("emulator_unsupported_action");
      expect(failure?.message).toContain("'neuralGalleryFilters' at index 1");
    });
  },
);
