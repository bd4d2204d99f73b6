// Every cassette committed to the repository is read, validated (blobs against their hashes) and
// scanned for anything that looks like a credential, and the committed remove-background cassette
// still replays through @psapi/client with no emulator. `PSAPI_RECORD_CASSETTES=1` re-records it
// against an in-process emulator (with its own client id and secret standing in for Adobe):
//
//   PSAPI_RECORD_CASSETTES=1 pnpm exec vitest run src/committed-cassettes.test.ts
import { readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, type JobStatus, jobOutputs } from "@psapi/client/all";
import { createFakeClock } from "@psapi/core/testing";
import {
  blobDirectory,
  findSecretPatterns,
  findSecrets,
  type RecordingFetch,
  readCassette,
  recordingFetch,
} from "@psapi/mock-server/cassette";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { FIXED_RANDOM, withEnvironment } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/cassettes/remove-background.har", import.meta.url));
const UPSTREAM = { clientId: "fixture-upstream-client", clientSecret: "fixture-upstream-s3cret" } as const;
const KNOWN_SECRETS = [UPSTREAM.clientSecret, UPSTREAM.clientId, "psapi-demo-secret", "psapi-demo-client"];
const ORIGIN = "http://127.0.0.1:4010";
const SIZE = { width: 64, height: 48 };

/** Every `.har` file of the repository, outside installed and built folders. */
function committedCassettes(dir = ROOT): string[] {
  const skip = new Set(["node_modules", ".git", "dist", "reports", "coverage", ".turbo"]);
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return skip.has(entry.name) ? [] : committedCassettes(join(dir, entry.name));
    return entry.name.endsWith(".har") ? [join(dir, entry.name)] : [];
  });
}

describe.runIf(process.env.PSAPI_RECORD_CASSETTES === "1")("re-recording the committed cassettes", () => {
  it("records remove-background (mask) of a small PNG, with its status polls and its download", async () => {
    let recorder: RecordingFetch | undefined;
    await withEnvironment(
      {
        emulator: { clients: [UPSTREAM] },
        auth: ({ baseUrl, fetch, clock }) =>
          createServerToServerAuth({
            ...UPSTREAM,
            imsUrl: baseUrl,
            fetch,
            clock: clock.view("auth"),
            random: FIXED_RANDOM,
          }),
        interpose: (fetch, clock) => {
          recorder = recordingFetch({
            cassette: FIXTURE,
            mode: "record",
            fetch: (request) => fetch(request),
            clock,
          });
          return recorder.fetch;
        },
      },
      async (env) => {
        // The upload goes through the recorder: `psapi cassette diff` seeds an emulator with it.
        const put = await env.control.presign("in/subject.png", "PUT");
        const upload = await env.fetch(put.url, {
          method: "PUT",
          headers: { "content-type": "image/png" },
          body: new Uint8Array(await subjectPng(SIZE.width, SIZE.height)),
        });
        expect(upload.ok).toBe(true);
        const url = (await env.control.presign("in/subject.png", "GET")).url;
        const done = await (
          await env.client.removeBackground({ image: { source: { url } }, mode: "mask" })
        ).wait();
        for (const output of jobOutputs(done)) expect((await env.fetch(String(output.url))).status).toBe(200);
        // Re-recording replaces: blobs of the old recording go too.
        await rm(blobDirectory(FIXTURE), { recursive: true, force: true });
        await (recorder as RecordingFetch).save();
      },
    );
  });
});

describe("committed cassettes", () => {
  it("are valid cassettes holding no credential: none that looks like one, none of the known test secrets", async () => {
    const files = committedCassettes();
    expect(files).toContain(FIXTURE);
    for (const file of files) {
      const { har, blobs } = await readCassette(file);
      expect(findSecretPatterns(har, blobs), file).toEqual([]);
      expect(findSecrets(har, blobs, KNOWN_SECRETS), file).toEqual([]);
    }
  });

  it("remove-background replays through @psapi/client with no emulator: a mask of the input's size", async () => {
    const { har } = await readCassette(FIXTURE);
    const submission = har.log.entries.find((entry) => entry._psapi.operationId === "removeBackgroundV2");
    const recordedBody = JSON.parse(submission?.request.postData?.text ?? "{}") as {
      image: { source: { url: string } };
    };
    // The input URL was stored as a placeholder: any signature of that path matches it.
    const input = `${recordedBody.image.source.url.replace(/^\{\{storage:\d+\}\}/, ORIGIN)}?expires=1&sig=replay`;
    const clock = createFakeClock({ start: Date.UTC(2030, 0, 1), autoAdvance: true });
    const replayer = recordingFetch({ cassette: FIXTURE, clock });
    expect(replayer.mode).toBe("replay");
    const fetch = clock.track(replayer.fetch);
    const auth = createServerToServerAuth({
      clientId: "anyone",
      clientSecret: "anything-at-all",
      imsUrl: ORIGIN,
      fetch,
      clock: clock.view("auth"),
      random: FIXED_RANDOM,
    });
    const client = createPhotoshopClient({
      auth,
      baseUrl: ORIGIN,
      fetch,
      clock: clock.view("client"),
      random: FIXED_RANDOM,
    });
    const done: JobStatus = await (
      await client.removeBackground({ image: { source: { url: input } }, mode: "mask" })
    ).wait();
    const [output] = jobOutputs(done);
    const mask = new Uint8Array(await (await fetch(String(output?.url))).arrayBuffer());
    expect(await sharp(mask).metadata()).toMatchObject({ format: "png", ...SIZE });
  });
});
