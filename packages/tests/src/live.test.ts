import { createServerToServerAuth, type PhotoshopAuth } from "@psapi/auth";
import { createPhotoshopClient, DEFAULT_BASE_URL, type PhotoshopClient } from "@psapi/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConformanceChecker } from "./conformance/checker.js";
import { recordingFetch } from "./conformance/recording-fetch.js";
import { loadPsapiSpecs } from "./conformance/spec-documents.js";

// Live mode: the contract cases against Adobe's real hosts. CI never sets these variables.
const REQUIRED = [
  "PHOTOSHOP_CLIENT_ID",
  "PHOTOSHOP_CLIENT_SECRET",
  "PSAPI_LIVE_INPUT_URL",
  "PSAPI_LIVE_OUTPUT_URL",
] as const;
const missing = REQUIRED.filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.log(`live mode skipped: set ${missing.join(", ")} to run the contract cases against Adobe`);
}

describe.skipIf(missing.length > 0)("live: the contract cases against Adobe's hosts", () => {
  const env = process.env;
  const baseUrl = env.PHOTOSHOP_API_URL ?? DEFAULT_BASE_URL;
  const imsUrl = env.PHOTOSHOP_IMS_URL ?? "https://ims-na1.adobelogin.com";
  const input = env.PSAPI_LIVE_INPUT_URL ?? "";
  const output = env.PSAPI_LIVE_OUTPUT_URL ?? "";
  // Only Adobe's answers are held against the spec; the pre-signed storage is someone else's.
  const checkedOrigins = new Set([new URL(baseUrl).origin, new URL(imsUrl).origin]);
  const recorder = recordingFetch((request, init) => globalThis.fetch(request, init), {
    checker: createConformanceChecker(loadPsapiSpecs()),
    shouldCheck: (url) => checkedOrigins.has(url.origin),
  });
  // Built in beforeAll: a skipped describe still runs its body, where the credentials are missing.
  let auth: PhotoshopAuth;
  let client: PhotoshopClient;
  beforeAll(() => {
    auth = createServerToServerAuth({
      clientId: env.PHOTOSHOP_CLIENT_ID ?? "",
      clientSecret: env.PHOTOSHOP_CLIENT_SECRET ?? "",
      imsUrl,
      fetch: recorder.fetch,
    });
    client = createPhotoshopClient({ auth, baseUrl, fetch: recorder.fetch });
  });

  afterAll(async () => {
    await recorder.settle();
    expect(recorder.checked, "no answer from Adobe was checked").toBeGreaterThan(0);
    expect(recorder.report(), "Adobe answers that break openapi/*.yaml").toBe("");
  });

  it("gets a token and says hello", { timeout: 60_000 }, async () => {
    expect((await auth.getToken()).clientId).toBe(env.PHOTOSHOP_CLIENT_ID);
    expect(await client.hello()).toMatch(/Photoshop API/);
    expect(recorder.exchangesOf("getToken").map((exchange) => exchange.status)).toEqual([200]);
  });

  it("creates a mask and waits for it to succeed", { timeout: 300_000 }, async () => {
    const job = await client.createMask({
      input: { href: input, storage: "external" },
      output: { href: output, storage: "external", mask: { format: "soft" } },
    });
    expect(await job.wait({ timeoutMs: 240_000 })).toMatchObject({ jobId: job.jobId, status: "succeeded" });
  });

  it("reads the input's document manifest", { timeout: 300_000 }, async () => {
    const job = await client.getDocumentManifest({ inputs: [{ href: input, storage: "external" }] });
    const done = await job.wait({ timeoutMs: 240_000 });
    expect(done.outputs[0]).toMatchObject({
      status: "succeeded",
      document: { width: expect.any(Number), height: expect.any(Number) },
    });
  });
});
