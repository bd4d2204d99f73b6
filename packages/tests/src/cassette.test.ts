// Record a session through @psapi/client against an in-process emulator standing in for Adobe
// (with its own client id and secret), then replay it with no emulator at all: the same outcome,
// whatever the poll rate, and nothing of the upstream's secrets in the cassette.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, type JobStatus, jobOutputs, PhotoshopApiError } from "@psapi/client/all";
import { secretForms } from "@psapi/core";
import { createFakeClock } from "@psapi/core/testing";
import {
  blobDirectory,
  CassetteFormatError,
  CassetteMissError,
  CassetteSecretError,
  type RecordingFetch,
  readCassette,
  recordingFetch,
} from "@psapi/mock-server/cassette";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthContext, FIXED_RANDOM, withEnvironment } from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

const UPSTREAM = { clientId: "cassette-upstream-client", clientSecret: "upstream-s3cret-Zq8+/w==" } as const;
const ORIGIN = "http://127.0.0.1:4010";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cassette-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const upstreamAuth = ({ baseUrl, fetch, clock }: AuthContext) =>
  createServerToServerAuth({
    ...UPSTREAM,
    imsUrl: baseUrl,
    fetch,
    clock: clock.view("auth"),
    random: FIXED_RANDOM,
  });

/** What a recording session saw, for comparison with the replay. */
interface Recorded {
  cassette: string;
  inputUrl: string;
  statuses: Record<string, JobStatus>;
  outputs: Record<string, Uint8Array[]>;
  /** Live values that must not be in the cassette: tokens, signatures. */
  liveSecrets: string[];
}

async function download(fetch: RecordingFetch["fetch"], status: JobStatus): Promise<Uint8Array[]> {
  const bytes: Uint8Array[] = [];
  for (const { url } of jobOutputs(status)) {
    const response = await fetch(String(url));
    expect(response.status).toBe(200);
    bytes.push(new Uint8Array(await response.arrayBuffer()));
  }
  return bytes;
}

async function recordSession(name: string): Promise<Recorded> {
  const cassette = join(dir, `${name}.har`);
  let recorder: RecordingFetch | undefined;
  return withEnvironment(
    {
      emulator: { clients: [UPSTREAM] },
      auth: upstreamAuth,
      interpose: (fetch, clock) => {
        recorder = recordingFetch({ cassette, mode: "record", fetch: (request) => fetch(request), clock });
        return recorder.fetch;
      },
    },
    async (env) => {
      const rec = recorder as RecordingFetch;
      const inputUrl = await env.control.putObject(
        "in/coffee.png",
        await readFixture("coffee.png"),
        "image/png",
      );
      const image = { source: { url: inputUrl } };
      const statuses: Record<string, JobStatus> = {
        removeBackground: await (await env.client.removeBackground({ image, mode: "cutout" })).wait(),
        maskObjects: await (await env.client.maskObjects({ image })).wait(),
      };
      const outputs: Record<string, Uint8Array[]> = {};
      for (const [job, status] of Object.entries(statuses)) outputs[job] = await download(env.fetch, status);
      const token = (await env.auth.getToken()).accessToken;
      const signatures = [
        inputUrl,
        ...Object.values(statuses).flatMap((s) => jobOutputs(s).map((o) => o.url)),
      ].map((url) => new URL(String(url)).searchParams.get("sig") ?? "");
      await rec.save();
      return { cassette, inputUrl, statuses, outputs, liveSecrets: [token, ...signatures] };
    },
  );
}

/** A client on a fresh virtual clock whose only "server" is the cassette. */
function replaySession(cassette: string) {
  const clock = createFakeClock({ start: Date.UTC(2027, 5, 1), autoAdvance: true });
  const replayer = recordingFetch({ cassette, mode: "replay", clock });
  const seen: string[] = [];
  const fetch = clock.track(async (input: Request | string | URL, init?: RequestInit) => {
    const response = await replayer.fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (/\/status\//.test(url))
      seen.push(String(((await response.clone().json()) as { status?: unknown }).status));
    return response;
  });
  const auth = createServerToServerAuth({
    clientId: "replay-client",
    clientSecret: "not-the-upstream-secret",
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
  return { client, replayer, fetch, seen, clock };
}

/** The recorded input URL with another signature: replay matches storage URLs by path. */
const resigned = (url: string) => `${url.split("?")[0]}?expires=1&sig=another-signature`;

/** A status without its URLs (their signatures are gone in a cassette). */
const shape = (status: JobStatus) => JSON.parse(JSON.stringify(status).replace(/https?:[^"]*/g, "URL"));

describe("cassettes: record through @psapi/client, replay offline", () => {
  let recorded: Recorded;
  beforeAll(async () => {
    recorded = await recordSession("session");
  });

  it("writes HAR 1.2 with operation ids, job timelines and the images as blobs", async () => {
    const { har, blobs } = await readCassette(recorded.cassette);
    expect(har.log.version).toBe("1.2");
    const operations = har.log.entries.map((entry) => entry._psapi.operationId);
    expect(operations).toEqual(
      expect.arrayContaining([
        "getToken",
        "removeBackgroundV2",
        "getV2JobStatus",
        "maskObjects",
        "getMaskingJobStatus",
      ]),
    );
    const polls = har.log.entries.filter((entry) => entry._psapi.operationId === "getV2JobStatus");
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.map((entry) => entry._psapi.job?.t)).toEqual(
      [...polls.map((e) => e._psapi.job?.t)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    expect(polls.at(-1)?._psapi.job?.t).toBeGreaterThan(0);
    expect(blobs.size).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(har)).toContain("{{storage:1}}/__emulator/storage/objects/");
  });

  it("holds none of the upstream's secrets or tokens, in any encoding, in the HAR or the blobs", async () => {
    const texts = [await readFile(recorded.cassette, "latin1")];
    for (const blob of await readdir(blobDirectory(recorded.cassette)))
      texts.push(await readFile(join(blobDirectory(recorded.cassette), blob), "latin1"));
    const secrets = [UPSTREAM.clientSecret, UPSTREAM.clientId, ...recorded.liveSecrets];
    expect(secrets.every((secret) => secret.length >= 6)).toBe(true);
    for (const secret of secrets)
      for (const form of secretForms(secret))
        for (const text of texts)
          expect(text.includes(form), `a form of a live secret (${form.length} chars)`).toBe(false);
  });

  it.each([
    ["at the recorded rate", undefined],
    ["ten times faster", 50],
    ["ten times slower", 5_000],
  ] as const)(
    "replays both jobs to the same outcome with no emulator, polling %s",
    async (_rate, interval) => {
      const { client, fetch, seen } = replaySession(recorded.cassette);
      const image = { source: { url: resigned(recorded.inputUrl) } };
      const wait = interval === undefined ? {} : { interval };
      const removeBackground = await (await client.removeBackground({ image, mode: "cutout" })).wait(wait);
      const maskObjects = await (await client.maskObjects({ image })).wait(wait);
      expect(shape(removeBackground)).toEqual(shape(recorded.statuses.removeBackground as JobStatus));
      expect(shape(maskObjects)).toEqual(shape(recorded.statuses.maskObjects as JobStatus));
      expect(await download(fetch, removeBackground)).toEqual(recorded.outputs.removeBackground);
      expect(await download(fetch, maskObjects)).toEqual(recorded.outputs.maskObjects);
      if (interval === 50) {
        // Fast polls walk the recorded timeline: they see the job before it finished, then finished.
        expect(seen.filter((status) => status === "succeeded").length).toBeGreaterThanOrEqual(2);
        expect(seen.some((status) => status !== "succeeded")).toBe(true);
      }
    },
  );

  it("answers a replayed token call with a fresh synthetic token, never a stored one", async () => {
    const { har } = await readCassette(recorded.cassette);
    const token = har.log.entries.find((entry) => entry._psapi.operationId === "getToken");
    expect(JSON.parse(token?.response.content.text ?? "{}")).toMatchObject({ access_token: "[REDACTED]" });
    const { replayer } = replaySession(recorded.cassette);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "x",
      client_secret: "y",
      scope: "openid,AdobeID,read_organizations",
    });
    const ask = async () =>
      (await (
        await replayer.fetch(`${ORIGIN}/ims/token/v3`, {
          method: "POST",
          body: form,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).json()) as { access_token: string; expires_in: number };
    const [first, second] = [await ask(), await ask()];
    expect(first.access_token).toMatch(/^psapi-replay-access_token-/);
    expect(second.access_token).not.toBe(first.access_token);
    expect(first.expires_in).toBe(JSON.parse(token?.response.content.text ?? "{}").expires_in);
  });

  it("fails a request that is not in the cassette, naming the nearest recorded one and what differs", async () => {
    const { replayer } = replaySession(recorded.cassette);
    const body = JSON.stringify({ image: { source: { url: resigned(recorded.inputUrl) } }, mode: "mask" });
    const error = await replayer
      .fetch(`${ORIGIN}/v2/remove-background`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CassetteMissError);
    expect(error).toMatchObject({
      code: "ERR_PSAPI_CASSETTE_MISS",
      request: { method: "POST", operation: "removeBackgroundV2" },
      nearest: { method: "POST", operation: "removeBackgroundV2" },
      differences: ['body $.mode: recorded "cutout", got "mask"'],
    });
    // Through the client: a missed POST fails at once, the miss's name and code kept in the cause.
    const { client } = replaySession(recorded.cassette);
    const image = { source: { url: resigned(recorded.inputUrl) } };
    const failure = await client.removeBackground({ image, mode: "mask" }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(PhotoshopApiError);
    expect(failure).toMatchObject({
      status: 0,
      cause: { name: "CassetteMissError", code: "ERR_PSAPI_CASSETTE_MISS" },
    });
  });
});

describe("cassettes: the recorder refuses and the reader refuses", () => {
  it("refuses to write a cassette holding a secret it cannot redact, and writes nothing", async () => {
    const cassette = join(dir, "leaky.har");
    const secret = "a-secret-inside-an-image-0123";
    await withEnvironment({ emulator: { clients: [UPSTREAM] }, auth: upstreamAuth }, async (env) => {
      const recorder = recordingFetch({
        cassette,
        mode: "record",
        fetch: (request) => env.fetch(request),
        clock: env.clock,
        secrets: [secret],
      });
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...Buffer.from(btoa(`x${secret}`))]);
      const url = await env.control.putObject("leak.png", bytes, "image/png");
      expect((await recorder.fetch(url)).status).toBe(200);
      const error = await recorder.save().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CassetteSecretError);
      expect((error as CassetteSecretError).locations).toEqual([
        expect.stringMatching(/^blob:[0-9a-f]{64}$/),
      ]);
      expect((error as Error).message).not.toContain(secret);
    });
    expect(existsSync(cassette)).toBe(false);
  });

  it("gives a malformed cassette a clear error on the first request, not a crash", async () => {
    const cassette = join(dir, "broken.har");
    await writeFile(
      cassette,
      JSON.stringify({ log: { version: "1.2", creator: { name: "x", version: "1" }, entries: [] } }),
    );
    const replayer = recordingFetch({ cassette });
    expect(replayer.mode).toBe("replay");
    await expect(replayer.fetch(`${ORIGIN}/v2/status/x`)).rejects.toThrow(CassetteFormatError);
    await expect(replayer.fetch(`${ORIGIN}/v2/status/x`)).rejects.toMatchObject({ pointer: "/log/_psapi" });
  });
});
