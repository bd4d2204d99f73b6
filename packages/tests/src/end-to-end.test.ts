import { describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, type Transport, useEnvironment } from "./harness/environment.js";
import { imageFacts, readFixture } from "./harness/images.js";

const COFFEE = { file: "coffee.png", width: 600, height: 400 } as const;

describe.each<Transport>(["in-process", "port"])("end to end, %s", (transport) => {
  const env = useEnvironment(
    { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
    { per: "describe" },
  );

  async function uploadCoffee(key: string) {
    return env().control.putObject(key, await readFixture(COFFEE.file), "image/png");
  }

  it("gets a token from the emulator's IMS and says hello with it", async () => {
    const token = await env().auth.getToken();
    expect(token.clientId).toBe(DEMO_CREDENTIALS.clientId);
    expect(token.expiresAt).toBeGreaterThan(env().clock.now());
    expect(await env().client.hello()).toBe("Welcome to the Photoshop API!");
    expect(
      env()
        .recorder.exchangesOf("getToken")
        .map((exchange) => exchange.status),
    ).toEqual([200]);
  });

  it("creates a mask: a greyscale PNG of the input's size whose pixels are not all equal", async () => {
    const input = await uploadCoffee("coffee-mask-input.png");
    const output = (await env().control.presign("coffee-mask-output.png", "PUT")).url;
    const job = await env().client.createMask({
      input: { href: input, storage: "external" },
      output: { href: output, storage: "external", mask: { format: "soft" } },
    });
    const done = await job.wait();
    expect(done).toMatchObject({ jobId: job.jobId, status: "succeeded" });
    const facts = await imageFacts(await env().control.getObject("coffee-mask-output.png"));
    expect(facts).toMatchObject({
      format: "png",
      width: COFFEE.width,
      height: COFFEE.height,
      uniform: false,
    });
    expect(facts.channels).toBeLessThanOrEqual(2);
  });

  it("removes the background: an RGBA PNG (4 channels) of the input's size", async () => {
    const input = await uploadCoffee("coffee-cutout-input.png");
    const output = (await env().control.presign("coffee-cutout-output.png", "PUT")).url;
    const job = await env().client.removeBackground({
      input: { href: input, storage: "external" },
      output: { href: output, storage: "external" },
    });
    expect(await job.wait()).toMatchObject({ jobId: job.jobId, status: "succeeded" });
    const facts = await imageFacts(await env().control.getObject("coffee-cutout-output.png"));
    expect(facts).toMatchObject({
      format: "png",
      width: COFFEE.width,
      height: COFFEE.height,
      channels: 4,
      uniform: false,
    });
  });

  it("reads the document manifest: the document's width and height are the input's", async () => {
    const input = await uploadCoffee("coffee-manifest-input.png");
    const job = await env().client.getDocumentManifest({ inputs: [{ href: input, storage: "external" }] });
    const done = await job.wait();
    expect(done.jobId).toBe(job.jobId);
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toMatchObject({
      status: "succeeded",
      document: { width: COFFEE.width, height: COFFEE.height },
    });
  });
});
