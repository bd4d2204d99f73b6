import { createServerToServerAuth, type PhotoshopAuth } from "@psapi/auth";
import {
  createPhotoshopClient,
  DEFAULT_BASE_URL,
  DEFAULT_PHOTOSHOP_API_URL,
  jobOutputs,
  type PhotoshopClient,
  type RemoveBackgroundV2Request,
} from "@psapi/client/all";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConformanceChecker } from "./conformance/checker.js";
import { recordingFetch } from "./conformance/recording-fetch.js";
import { loadPsapiSpecs } from "./conformance/spec-documents.js";

// Live mode: the current contract's cases against Adobe's real hosts. CI never sets these
// variables. The retired operations (/sensei/*, /pie/psdService/*, end of life 2025-10-15 and
// 2026-07-31) are never called: they can only fail at Adobe now.
const REQUIRED = ["PHOTOSHOP_CLIENT_ID", "PHOTOSHOP_CLIENT_SECRET", "PSAPI_LIVE_INPUT_URL"] as const;
const missing = REQUIRED.filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.log(`live mode skipped: set ${missing.join(", ")} to run the contract cases against Adobe`);
}

// Adobe's jobs usually end in seconds; a loaded trial account can queue them for minutes.
const JOB_TIMEOUT_MS = 240_000;

describe.skipIf(missing.length > 0)("live: the current contract's cases against Adobe's hosts", () => {
  const env = process.env;
  const imageUrl = env.PHOTOSHOP_API_URL ?? DEFAULT_BASE_URL;
  const imsUrl = env.PHOTOSHOP_IMS_URL ?? "https://ims-na1.adobelogin.com";
  const input = env.PSAPI_LIVE_INPUT_URL ?? "";
  // Only Adobe's answers are held against the spec; the pre-signed storage and hosted results are
  // not Adobe's API. The client sends generate-manifest to the Photoshop API host when imageUrl is
  // Adobe's, else to imageUrl itself (a proxy): both are in the set.
  const checkedOrigins = new Set(
    [imageUrl, DEFAULT_PHOTOSHOP_API_URL, imsUrl].map((url) => new URL(url).origin),
  );
  const recorder = recordingFetch((request, init) => globalThis.fetch(request, init), {
    checker: createConformanceChecker(loadPsapiSpecs()),
    shouldCheck: (url) => checkedOrigins.has(url.origin),
  });
  // Built in beforeAll: a skipped describe still runs its body, where the credentials are missing.
  // Everything goes through @psapi/client, as a user's pipeline would: its auth, retries and polling
  // are what live mode tries against Adobe.
  let auth: PhotoshopAuth;
  let client: PhotoshopClient;
  beforeAll(() => {
    auth = createServerToServerAuth({
      clientId: env.PHOTOSHOP_CLIENT_ID ?? "",
      clientSecret: env.PHOTOSHOP_CLIENT_SECRET ?? "",
      imsUrl,
      fetch: recorder.fetch,
    });
    client = createPhotoshopClient({ auth, baseUrl: imageUrl, fetch: recorder.fetch });
  });

  afterAll(async () => {
    await recorder.untilChecked();
    expect(recorder.checked, "no answer from Adobe was checked").toBeGreaterThan(0);
    expect(recorder.report(), "Adobe answers that break openapi/*.yaml").toBe("");
  });

  it("gets a token", { timeout: 60_000 }, async () => {
    expect((await auth.getToken()).clientId).toBe(env.PHOTOSHOP_CLIENT_ID);
    expect(recorder.exchangesOf("getToken").map((exchange) => exchange.status)).toEqual([200]);
  });

  it("removes the background in mask mode and hosts the result", { timeout: 300_000 }, async () => {
    const job = await client.removeBackground({
      image: { source: { url: input } },
      mode: "mask",
      output: { mediaType: "image/png" },
    });
    const done = await job.wait({ timeoutMs: JOB_TIMEOUT_MS });
    expect(done.status).toBe("succeeded");
    // The hosted result is a PNG anyone with the URL can fetch (no token: it is pre-signed).
    const url = jobOutputs(done)[0]?.url ?? "";
    const hosted = await fetch(url);
    expect(hosted.status).toBe(200);
    expect(new Uint8Array(await hosted.arrayBuffer()).subarray(0, 4)).toEqual(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    );
  });

  it("masks the objects of the input", { timeout: 300_000 }, async () => {
    const job = await client.maskObjects({ image: { source: { url: input } } });
    const done = await job.wait({ timeoutMs: JOB_TIMEOUT_MS });
    expect(done.status).toBe("succeeded");
    expect(Array.isArray(done.semanticMasks)).toBe(true);
  });

  it("generates the input's v2 manifest, embedded in the status", { timeout: 300_000 }, async () => {
    const job = await client.generateManifest({
      image: { source: { url: input } },
      outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
    });
    const done = await job.wait({ timeoutMs: JOB_TIMEOUT_MS });
    expect(done.status).toBe("succeeded");
  });

  it("refuses an unknown mode with 400", { timeout: 60_000 }, async () => {
    // Through the raw client: the typed call would not let an unknown mode be written.
    const { response } = await client.rawCurrent.POST("/v2/remove-background", {
      body: { image: { source: { url: input } }, mode: "sketch" } as unknown as RemoveBackgroundV2Request,
    });
    expect(response.status).toBe(400);
  });
});
