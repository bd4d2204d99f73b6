import { join } from "node:path";
import { createServerToServerAuth, type PhotoshopAuth } from "@psapi/auth";
import {
  createPhotoshopClient,
  DEFAULT_BASE_URL,
  DEFAULT_PHOTOSHOP_API_URL,
  jobOutputs,
  type PhotoshopClient,
  type RemoveBackgroundV2Request,
} from "@psapi/client/all";
import { writeFileAtomic } from "@psapi/core/files";
import { createEmulator } from "@psapi/mock-server";
import {
  type RecordingFetch as CassetteRecorder,
  recordingFetch as cassetteRecordingFetch,
  checkCassette,
  checkReportMarkdown,
  diffCassette,
  diffReportMarkdown,
  readCassette,
} from "@psapi/mock-server/cassette";
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

// PSAPI_LIVE_RECORD=<dir>: record the session into <dir>/live.har (redacted, refused if a secret
// survives), then write <dir>/live.validate.{md,json} and <dir>/live.diff.{md,json}: one command
// with credentials refreshes the recording and the report of Adobe against the spec and the emulator.
const RECORD_DIR = process.env.PSAPI_LIVE_RECORD;
if (missing.length > 0 && RECORD_DIR)
  console.log("live mode skipped: nothing recorded into PSAPI_LIVE_RECORD");

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
  // Recording sits next to the network, under the conformance check, so it keeps exactly what Adobe sent.
  const cassette: CassetteRecorder | undefined = RECORD_DIR
    ? cassetteRecordingFetch({
        cassette: join(RECORD_DIR, "live.har"),
        mode: "record",
        fetch: (request) => globalThis.fetch(request),
        secrets: [env.PHOTOSHOP_CLIENT_ID ?? "", env.PHOTOSHOP_CLIENT_SECRET ?? ""].filter(Boolean),
      })
    : undefined;
  const network = (request: Request | string | URL, init?: RequestInit) =>
    cassette ? cassette.fetch(request, init) : globalThis.fetch(request, init);
  const recorder = recordingFetch((request, init) => network(request, init), {
    checker: createConformanceChecker(loadPsapiSpecs()),
    shouldCheck: (url) => checkedOrigins.has(url.origin),
  });
  // Built in beforeAll: a skipped describe still runs its body, where the credentials are missing.
  // Everything goes through @psapi/client, as a user's pipeline would: its auth, retries and polling
  // are what live mode tries against Adobe.
  let auth: PhotoshopAuth;
  let client: PhotoshopClient;
  beforeAll(async () => {
    // The input's bytes go into the cassette too: `cassette diff` seeds the emulator with them.
    if (cassette) expect((await cassette.fetch(input)).ok, "the input URL must be readable").toBe(true);
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
    if (cassette && RECORD_DIR) await writeReports(cassette, RECORD_DIR);
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
    const hosted = await network(url);
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
    // Recording: the masks are downloaded too, so that `cassette diff` measures them.
    if (cassette)
      for (const mask of [...(done.semanticMasks ?? []), ...(done.backgroundMasks ?? [])]) {
        const url = mask.destination?.url;
        if (url) expect((await network(url)).status).toBe(200);
      }
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

/** Saves the recording, then writes the spec check and the emulator diff of it beside it. */
async function writeReports(cassette: CassetteRecorder, dir: string): Promise<void> {
  const file = join(dir, "live.har");
  await cassette.save();
  const recorded = await readCassette(file);
  const check = await checkCassette(recorded, file);
  const diff = await diffCassette(recorded, { file, emulator: createEmulator });
  await writeFileAtomic(join(dir, "live.validate.md"), checkReportMarkdown(check));
  await writeFileAtomic(join(dir, "live.validate.json"), `${JSON.stringify(check, null, 2)}\n`);
  await writeFileAtomic(join(dir, "live.diff.md"), diffReportMarkdown(diff));
  await writeFileAtomic(join(dir, "live.diff.json"), `${JSON.stringify(diff, null, 2)}\n`);
  console.log(
    `live recording: ${file}; ${check.violations.length} spec violations; diff ${JSON.stringify(diff.counts)}; reports in ${dir}`,
  );
}
