import { createServerToServerAuth, type PhotoshopAuth } from "@psapi/auth";
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

const POLL_MS = 3_000;
const JOB_TIMEOUT_MS = 240_000;

describe.skipIf(missing.length > 0)("live: the current contract's cases against Adobe's hosts", () => {
  const env = process.env;
  const imageUrl = env.PHOTOSHOP_API_URL ?? "https://image.adobe.io";
  const photoshopUrl = env.PHOTOSHOP_V2_API_URL ?? "https://photoshop-api.adobe.io";
  const imsUrl = env.PHOTOSHOP_IMS_URL ?? "https://ims-na1.adobelogin.com";
  const input = env.PSAPI_LIVE_INPUT_URL ?? "";
  // Only Adobe's answers are held against the spec; the pre-signed storage and hosted results are not Adobe's API.
  const checkedOrigins = new Set([imageUrl, photoshopUrl, imsUrl].map((url) => new URL(url).origin));
  const recorder = recordingFetch((request, init) => globalThis.fetch(request, init), {
    checker: createConformanceChecker(loadPsapiSpecs()),
    shouldCheck: (url) => checkedOrigins.has(url.origin),
  });
  // Built in beforeAll: a skipped describe still runs its body, where the credentials are missing.
  let auth: PhotoshopAuth;
  beforeAll(() => {
    auth = createServerToServerAuth({
      clientId: env.PHOTOSHOP_CLIENT_ID ?? "",
      clientSecret: env.PHOTOSHOP_CLIENT_SECRET ?? "",
      imsUrl,
      fetch: recorder.fetch,
    });
  });

  afterAll(async () => {
    await recorder.untilChecked();
    expect(recorder.checked, "no answer from Adobe was checked").toBeGreaterThan(0);
    expect(recorder.report(), "Adobe answers that break openapi/*.yaml").toBe("");
  });

  async function call(method: string, url: string, body?: unknown) {
    const token = await auth.getToken();
    const headers: Record<string, string> = {
      authorization: `Bearer ${token.accessToken}`,
      "x-api-key": token.clientId,
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await recorder.fetch(
      new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    );
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** Submits, then GETs `statusUrl` verbatim every few seconds until the job is final. */
  async function run(url: string, body: unknown, fallbackStatus: string) {
    const submitted = await call("POST", url, body);
    expect(submitted.status).toBe(202);
    const jobId = String(submitted.json.jobId);
    const statusUrl = String(submitted.json.statusUrl ?? `${fallbackStatus}/${jobId}`);
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const status = await call("GET", statusUrl);
      expect(status.status).toBe(200);
      if (status.json.status === "succeeded" || status.json.status === "failed") return status.json;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${String(status.json.status)}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  it("gets a token", { timeout: 60_000 }, async () => {
    expect((await auth.getToken()).clientId).toBe(env.PHOTOSHOP_CLIENT_ID);
    expect(recorder.exchangesOf("getToken").map((exchange) => exchange.status)).toEqual([200]);
  });

  it("removes the background in mask mode and hosts the result", { timeout: 300_000 }, async () => {
    const body = { image: { source: { url: input } }, mode: "mask", output: { mediaType: "image/png" } };
    const done = await run(`${imageUrl}/v2/remove-background`, body, `${imageUrl}/v2/status`);
    expect(done.status).toBe("succeeded");
    const url = (done.result as { outputs: { destination: { url: string } }[] }).outputs[0]?.destination.url;
    expect(url).toMatch(/^https:\/\//);
  });

  it("masks the objects of the input", { timeout: 300_000 }, async () => {
    const done = await run(
      `${imageUrl}/v1/mask-objects`,
      { image: { source: { url: input } } },
      `${imageUrl}/v1/status`,
    );
    expect(done.status).toBe("succeeded");
    expect(Array.isArray(done.semanticMasks)).toBe(true);
  });

  it("generates the input's v2 manifest, embedded in the status", { timeout: 300_000 }, async () => {
    const body = {
      image: { source: { url: input } },
      outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
    };
    const done = await run(`${photoshopUrl}/v2/generate-manifest`, body, `${photoshopUrl}/v2/status`);
    expect(done.status).toBe("succeeded");
  });

  it("refuses an unknown mode with 400", { timeout: 60_000 }, async () => {
    const badMode = await call("POST", `${imageUrl}/v2/remove-background`, {
      image: { source: { url: input } },
      mode: "sketch",
    });
    expect(badMode.status).toBe(400);
  });
});
