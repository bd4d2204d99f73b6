// `psapi emulator --replay`, through @psapi/client: a session recorded with `recordingFetch`
// against an in-process emulator with its own client id and secret (standing in for Adobe), then
// served by a replaying emulator on 127.0.0.1 with the upstream gone. The harness holds every
// replayed answer against the spec, as it does a live emulator's.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, type JobStatus, jobOutputs, PhotoshopApiError } from "@psapi/client/all";
import { createFakeClock } from "@psapi/core/testing";
import { createEmulator } from "@psapi/mock-server";
import { type RecordingFetch, readCassette, recordingFetch } from "@psapi/mock-server/cassette";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { listenEmulator } from "@psapi/mock-server/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuthContext,
  DEMO_CREDENTIALS,
  FIXED_RANDOM,
  type TestEnvironment,
  withEnvironment,
} from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

const UPSTREAM = {
  clientId: "replay-upstream-client",
  clientSecret: "replay-upstream-s3cret-Zq8+/w==",
} as const;
const INPUT_KEY = "in/coffee.png";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-replay-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function download(env: TestEnvironment, status: JobStatus): Promise<Uint8Array[]> {
  const bytes: Uint8Array[] = [];
  for (const { url } of jobOutputs(status)) {
    const response = await env.fetch(String(url));
    expect(response.status).toBe(200);
    bytes.push(new Uint8Array(await response.arrayBuffer()));
  }
  return bytes;
}

/** Runs remove-background and mask-objects and downloads their outputs. */
async function session(env: TestEnvironment, inputUrl: string, interval?: number) {
  const image = { source: { url: inputUrl } };
  const wait = interval === undefined ? {} : { interval };
  const removeBackground = await (await env.client.removeBackground({ image, mode: "cutout" })).wait(wait);
  const maskObjects = await (await env.client.maskObjects({ image })).wait(wait);
  return {
    statuses: { removeBackground, maskObjects },
    outputs: {
      removeBackground: await download(env, removeBackground),
      maskObjects: await download(env, maskObjects),
    },
  };
}

type Session = Awaited<ReturnType<typeof session>>;

async function record(cassette: string): Promise<Session> {
  let recorder: RecordingFetch | undefined;
  return withEnvironment(
    {
      emulator: { clients: [UPSTREAM] },
      auth: ({ baseUrl, fetch, clock }: AuthContext) =>
        createServerToServerAuth({
          ...UPSTREAM,
          imsUrl: baseUrl,
          fetch,
          clock: clock.view("auth"),
          random: FIXED_RANDOM,
        }),
      interpose: (fetch, clock) => {
        recorder = recordingFetch({ cassette, mode: "record", fetch: (request) => fetch(request), clock });
        return recorder.fetch;
      },
    },
    async (env) => {
      const input = await env.control.putObject(INPUT_KEY, await readFixture("coffee.png"), "image/png");
      const recorded = await session(env, input);
      await recorder?.save();
      return recorded;
    },
  );
}

/** A replaying emulator on 127.0.0.1 (its clock the harness's virtual one), with the demo credentials. */
async function replay<T>(cassette: string, work: (env: TestEnvironment) => Promise<T>): Promise<T> {
  const loaded = await readCassette(cassette);
  return withEnvironment({ transport: "port", emulator: { replay: loaded } }, work);
}

/** The recorded input's path on the replaying emulator, with a signature of its own (matched by path). */
const inputOn = (env: TestEnvironment) =>
  `${env.baseUrl}/__emulator/storage/objects/${encodeURIComponent(INPUT_KEY)}?expires=1&sig=another`;

/** A status without its URLs (re-signed on replay). */
const shape = (status: JobStatus) => JSON.parse(JSON.stringify(status).replace(/https?:[^"]*/g, "URL"));

describe("psapi emulator --replay through @psapi/client", () => {
  let cassette: string;
  let recorded: Session;
  beforeAll(async () => {
    cassette = join(dir, "session.har");
    recorded = await record(cassette);
  });

  it.each([
    ["at the client's own rate", undefined],
    ["ten times faster", 50],
    ["ten times slower", 5_000],
  ] as const)(
    "serves remove-background and mask-objects offline to the same outputs, polling %s",
    async (_rate, interval) => {
      await replay(cassette, async (env) => {
        const replayed = await session(env, inputOn(env), interval);
        expect(shape(replayed.statuses.removeBackground)).toEqual(shape(recorded.statuses.removeBackground));
        expect(shape(replayed.statuses.maskObjects)).toEqual(shape(recorded.statuses.maskObjects));
        expect(replayed.outputs).toEqual(recorded.outputs);
        for (const { url } of jobOutputs(replayed.statuses.removeBackground))
          expect(new URL(String(url)).origin).toBe(env.baseUrl);
      });
    },
  );

  it("fails a request that is not in the cassette at once, as a 404 naming the nearest entry", async () => {
    // Not in the harness: its conformance check would rightly flag the 404, which no operation declares.
    const clock = createFakeClock({ start: Date.UTC(2027, 0, 1), autoAdvance: true });
    const emulator = createEmulator({
      clock: clock.view("emulator", { server: true }),
      replay: await readCassette(cassette),
    });
    const served = await listenEmulator(emulator.fetch);
    try {
      const fetch = clock.track((input: Request | string | URL, init?: RequestInit) =>
        globalThis.fetch(input, init),
      );
      const auth = createServerToServerAuth({
        ...DEMO_CREDENTIALS,
        imsUrl: served.url,
        fetch,
        clock: clock.view("auth"),
        random: FIXED_RANDOM,
      });
      const client = createPhotoshopClient({
        auth,
        baseUrl: served.url,
        fetch,
        clock: clock.view("client"),
        random: FIXED_RANDOM,
      });
      const image = {
        source: { url: `${served.url}/__emulator/storage/objects/${encodeURIComponent(INPUT_KEY)}` },
      };
      const failure = await client
        .removeBackground({ image, mode: "mask" })
        .catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(PhotoshopApiError);
      expect(failure).toMatchObject({ status: 404, retryable: false });
      const control = createEmulatorControl({ baseUrl: served.url });
      const journal = await control.journal();
      expect(journal.map((entry) => [entry.path, entry.status, entry.error])).toEqual([
        ["/v2/remove-background", 404, "CassetteMissError"],
        ["/ims/token/v3", 200, undefined],
      ]);
      const miss = await (
        await globalThis.fetch(`${served.url}/v2/remove-background`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${(await auth.getToken()).accessToken}`,
          },
          body: JSON.stringify({ image, mode: "mask" }),
        })
      ).json();
      expect(miss).toMatchObject({
        type: "CassetteMissError",
        request: { method: "POST", operation: "removeBackgroundV2" },
        nearest: { method: "POST", operation: "removeBackgroundV2" },
        differences: ['body $.mode: recorded "cutout", got "mask"'],
      });
    } finally {
      await served.close();
    }
  });
});
