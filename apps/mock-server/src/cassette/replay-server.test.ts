// The emulator serving a cassette (`--replay`): recorded in-test through `recordingFetch` against an
// in-process emulator with its own client standing in for Adobe, then served by a replaying
// emulator on 127.0.0.1 with the upstream gone.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeClock } from "@psapi/core/testing";
import { createConformanceChecker, loadSpec, SPEC_NAMES } from "@psapi/openapi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CreateEmulatorOptions, createEmulator } from "../app.js";
import { createEmulatorControl, type EmulatorControl } from "../control-client/control-client.js";
import { loadReplay, parseServerArgs } from "../main.js";
import { listenEmulator } from "../server.js";
import { subjectPng, TEST_START } from "../testing/helpers.js";
import { CassetteFormatError } from "./errors.js";
import { readCassette } from "./format.js";
import { recordingFetch } from "./recording-fetch.js";
import type { CassetteMissBody } from "./replay-router.js";
import { canonicalJson, canonicalPath } from "./replayer.js";

const UPSTREAM_ORIGIN = "http://127.0.0.1:4999";
const UPSTREAM = { clientId: "replay-upstream-client", clientSecret: "replay-upstream-s3cret-77" } as const;
const RECORDED_POLL_MS = 250;
const INPUT_PATH = "/__emulator/storage/objects/in%2Fphoto.png";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-replay-server-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const json = (body: unknown, token?: string, apiKey = UPSTREAM.clientId): RequestInit => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(token && { authorization: `Bearer ${token}`, "x-api-key": apiKey }),
  },
  body: JSON.stringify(body),
});
const tokenForm = (clientId: string, clientSecret: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
  }),
});
const auth = (token: string) => ({
  headers: { authorization: `Bearer ${token}`, "x-api-key": UPSTREAM.clientId },
});

interface StatusBody {
  status: string;
  /** remove-background's outputs. */
  result?: { outputs?: { destination: { url: string } }[] };
  /** mask-objects' masks, at the top level. */
  semanticMasks?: { destination: { url: string } }[];
}

/** Runs one job: submit, poll every `interval` ms (advancing the virtual clock), return the final status. */
async function runJob(
  fetch: Fetch,
  origin: string,
  token: string,
  path: string,
  body: unknown,
  advance: (ms: number) => Promise<void>,
  interval: number,
  seen: string[] = [],
): Promise<StatusBody> {
  const submitted = await fetch(`${origin}${path}`, json(body, token));
  expect(submitted.status).toBe(202);
  const { statusUrl } = (await submitted.json()) as { statusUrl: string };
  expect(new URL(statusUrl).origin).toBe(origin);
  for (let poll = 0; poll < 2_000; poll++) {
    const status = (await (await fetch(statusUrl, auth(token))).json()) as StatusBody;
    seen.push(status.status);
    if (status.status === "succeeded" || status.status === "failed") return status;
    await advance(interval);
  }
  throw new Error(`the job never finished: ${seen.slice(-3).join(", ")}`);
}

const outputUrl = (status: StatusBody) =>
  status.result?.outputs?.[0]?.destination.url ?? status.semanticMasks?.[0]?.destination.url ?? "";

interface Recording {
  file: string;
  /** The downloads' bytes, by job. */
  outputs: Record<string, Uint8Array>;
  expiresIn: number;
}

/** Records a token call, a 429 then remove-background, and mask-objects, with their downloads. */
async function record(name: string, options: CreateEmulatorOptions = {}): Promise<Recording> {
  const file = join(dir, `${name}.har`);
  const clock = createFakeClock({ start: TEST_START });
  let offset = 0;
  const upstream = createEmulator({
    clock,
    clients: [UPSTREAM],
    jobs: { pendingMs: 100, runningMs: 1000 },
    faults: { rules: [{ route: "POST /v2/remove-background", status: 429, retryAfter: 7, times: 1 }] },
    ...options,
  });
  const toUpstream = async (request: Request) => upstream.fetch(request);
  const control = createEmulatorControl({ baseUrl: UPSTREAM_ORIGIN, fetch: toUpstream });
  const recorder = recordingFetch({
    cassette: file,
    mode: "record",
    fetch: toUpstream,
    clock: { now: () => clock.now() + offset },
  });
  const advance = async (ms: number) => {
    offset += ms;
    await control.advanceClock(ms);
  };
  const inputUrl = await control.putObject(
    "in/photo.png",
    new Uint8Array(await subjectPng(64, 48)),
    "image/png",
  );
  const tokenAnswer = (await (
    await recorder.fetch(
      `${UPSTREAM_ORIGIN}/ims/token/v3`,
      tokenForm(UPSTREAM.clientId, UPSTREAM.clientSecret),
    )
  ).json()) as { access_token: string; expires_in: number };
  const token = tokenAnswer.access_token;
  const image = { source: { url: inputUrl } };
  const limited = await recorder.fetch(
    `${UPSTREAM_ORIGIN}/v2/remove-background`,
    json({ image, mode: "cutout" }, token),
  );
  expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
  const outputs: Record<string, Uint8Array> = {};
  for (const [job, path, body] of [
    ["removeBackground", "/v2/remove-background", { image, mode: "cutout" }],
    ["maskObjects", "/v1/mask-objects", { image }],
  ] as const) {
    const status = await runJob(
      recorder.fetch,
      UPSTREAM_ORIGIN,
      token,
      path,
      body,
      advance,
      RECORDED_POLL_MS,
    );
    expect(status.status).toBe("succeeded");
    const download = await recorder.fetch(outputUrl(status));
    expect(download.status).toBe(200);
    outputs[job] = new Uint8Array(await download.arrayBuffer());
  }
  await recorder.save();
  return { file, outputs, expiresIn: tokenAnswer.expires_in };
}

/** A replaying emulator on 127.0.0.1, on its own virtual clock, with its control client. */
async function serve(file: string) {
  const clock = createFakeClock({ start: Date.UTC(2027, 0, 1) });
  const app = createEmulator({ clock, replay: await readCassette(file) });
  const served = await listenEmulator(app.fetch);
  const control: EmulatorControl = createEmulatorControl({ baseUrl: served.url });
  const advance = async (ms: number) => {
    await control.advanceClock(ms);
  };
  const token = async () => {
    const answer = await fetch(`${served.url}/ims/token/v3`, tokenForm("someone-else", "not-the-secret"));
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { access_token: string }).access_token;
  };
  return { url: served.url, close: served.close, control, advance, token };
}

const inputUrl = (origin: string) => `${origin}${INPUT_PATH}?expires=1&sig=whatever`;

describe("psapi emulator --replay", () => {
  let recording: Recording;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  beforeAll(async () => {
    recording = await record("session");
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Serves the recording, answers its recorded 429, then replays the cutout job polled every `interval` ms. */
  async function replayCutout(interval: number, seen?: string[]) {
    const served = await serve(recording.file);
    server = served;
    const token = await served.token();
    const body = { image: { source: { url: inputUrl(served.url) } }, mode: "cutout" };
    await fetch(`${served.url}/v2/remove-background`, json(body, token)); // the 429
    const status = await runJob(
      fetch,
      served.url,
      token,
      "/v2/remove-background",
      body,
      served.advance,
      interval,
      seen,
    );
    return { served, token, status };
  }

  it("replays the recorded 429 with its Retry-After, then both jobs to the same downloads", async () => {
    server = await serve(recording.file);
    const { url, advance } = server;
    const token = await server.token();
    const image = { source: { url: inputUrl(url) } };
    const limited = await fetch(`${url}/v2/remove-background`, json({ image, mode: "cutout" }, token));
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    for (const [job, path, body] of [
      ["removeBackground", "/v2/remove-background", { image, mode: "cutout" }],
      ["maskObjects", "/v1/mask-objects", { image }],
    ] as const) {
      const status = await runJob(fetch, url, token, path, body, advance, RECORDED_POLL_MS);
      expect(status.status).toBe("succeeded");
      const download = await fetch(outputUrl(status));
      expect(download.status).toBe(200);
      expect(new Uint8Array(await download.arrayBuffer())).toEqual(recording.outputs[job]);
    }
  });

  it.each([
    ["ten times faster", RECORDED_POLL_MS / 10],
    ["ten times slower", RECORDED_POLL_MS * 10],
  ])(
    "follows the job's recorded timeline on the emulator's clock when polled %s",
    async (_rate, interval) => {
      const seen: string[] = [];
      const { served, token, status } = await replayCutout(interval, seen);
      const { url, advance } = served;
      expect(status.status).toBe("succeeded");
      if (interval < RECORDED_POLL_MS) {
        // Fast polls walk the recorded states in order; the last one stays.
        expect(seen.slice(0, 2)).toEqual(["pending", "pending"]);
        expect(seen).toContain("running");
      } else expect(seen.length).toBeLessThanOrEqual(2);
      // The last state stays.
      await advance(3_600_000);
      const statusUrl = `${url}/v2/status/${encodeURIComponent(String((status as { jobId?: string }).jobId))}`;
      expect(((await (await fetch(statusUrl, auth(token))).json()) as StatusBody).status).toBe("succeeded");
    },
  );

  it("signs replayed output URLs with its own signer: the recorded bytes until they expire on its clock, then 403", async () => {
    const { served, status } = await replayCutout(1_000);
    const { url, advance } = served;
    const output = new URL(outputUrl(status));
    expect(output.origin).toBe(url);
    expect(output.searchParams.get("sig")).toBeTruthy();

    const tampered = new URL(output);
    tampered.searchParams.set("sig", `x${output.searchParams.get("sig")}`);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    const unsigned = await fetch(`${output.origin}${output.pathname}`);
    expect(unsigned.status).toBe(403);

    const head = await fetch(output, { method: "HEAD" });
    expect([head.status, head.headers.get("content-type")]).toEqual([200, "image/png"]);
    // Signed for what the recorded URL had left when its answer arrived (the upstream signed it when the job ended).
    const { har } = await readCassette(recording.file);
    const lifetime = har.log.entries.flatMap((entry) =>
      Object.values(entry._psapi.storageLifetimes ?? {}),
    )[0] as number;
    expect(lifetime).toBeGreaterThan(3_590);
    expect(lifetime).toBeLessThanOrEqual(3_600);
    await advance(lifetime * 1000 - 1_000);
    expect((await fetch(output)).status).toBe(200);
    await advance(2_000);
    const expired = await fetch(output);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Code>AccessDenied</Code>");
  });

  it("signs a replayed storage URL for its recorded lifetime: one recorded with 60 s is served at 59 s, refused at 61 s", async () => {
    const file = join(dir, "short-lived.har");
    const clock = createFakeClock({ start: TEST_START });
    const upstream = createEmulator({ clock });
    const toUpstream = async (request: Request) => upstream.fetch(request);
    const control = createEmulatorControl({ baseUrl: UPSTREAM_ORIGIN, fetch: toUpstream });
    await control.putObject("out/short.png", new Uint8Array([7, 8, 9]), "image/png");
    const recorder = recordingFetch({ cassette: file, mode: "record", fetch: toUpstream, clock });
    const presignBody = { key: "out/short.png", method: "GET", expiresIn: 60 };
    const presign = async (fetcher: Fetch, origin: string) =>
      (
        (await (await fetcher(`${origin}/__emulator/storage/presign`, json(presignBody))).json()) as {
          url: string;
        }
      ).url;
    expect((await recorder.fetch(await presign(recorder.fetch, UPSTREAM_ORIGIN))).status).toBe(200);
    await recorder.save();
    const { har } = await readCassette(file);
    expect(har.log.entries[0]?._psapi.storageLifetimes).toEqual({ "/url": 60 });
    // The lifetime, not the signature: the download's URL keeps its `sig` redacted.
    expect(JSON.stringify(har)).not.toMatch(/sig=(?!%5BREDACTED%5D)/);

    server = await serve(file);
    const url = await presign(fetch, server.url);
    expect(Number(new URL(url).searchParams.get("expires")) * 1000 - (await server.control.clock()).now).toBe(
      60_000,
    );
    await server.advance(59_000);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(new Uint8Array([7, 8, 9]));
    await server.advance(2_000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Code>AccessDenied</Code>");
  });

  it("GET /__emulator/cassette lists each entry's use and the entries never served: here mask-objects", async () => {
    // Polled ten times slower than recorded: the states in between are skipped, not unused.
    const { served, status } = await replayCutout(RECORDED_POLL_MS * 10);
    const { url, control } = served;
    expect((await fetch(outputUrl(status))).status).toBe(200);

    const use = await control.cassette();
    const { har } = await readCassette(recording.file);
    expect(use.file).toBe(recording.file);
    expect(use.entries).toHaveLength(har.log.entries.length);
    expect(use.entries[0]).toEqual({
      index: 0,
      method: "POST",
      operation: "getToken",
      url: `${UPSTREAM_ORIGIN}/ims/token/v3`,
      status: 200,
      served: 1,
    });
    const maskObjects = har.log.entries.flatMap((entry, index) =>
      entry.request.url.includes("/v1/") ||
      (index > 0 && har.log.entries[index - 1]?.request.url.includes("/v1/status/"))
        ? [index]
        : [],
    );
    expect(maskObjects.length).toBeGreaterThan(2);
    expect(use.unused).toEqual(maskObjects);
    const skippedPolls = use.entries.filter(
      (entry) => entry.operation === "getV2JobStatus" && entry.served === 0,
    );
    expect(skippedPolls.length).toBeGreaterThan(0);
    // Its answer meets the spec.
    const checker = createConformanceChecker(SPEC_NAMES.map((name) => loadSpec(name)));
    const answer = await fetch(`${url}/__emulator/cassette`);
    expect(await checker.check({ method: "GET", url: answer.url }, answer)).toEqual([]);
    // A reset forgets what was served: everything is unused again.
    await control.reset();
    expect((await control.cassette()).unused).toHaveLength(har.log.entries.length);
  });

  it("GET /__emulator/cassette is a 404 on an emulator serving no cassette", async () => {
    const control = createEmulatorControl({
      baseUrl: "http://127.0.0.1",
      fetch: async (request) => createEmulator().fetch(request),
    });
    await expect(control.cassette()).rejects.toMatchObject({ name: "EmulatorControlError", status: 404 });
  });

  it("answers a token call with a fresh emulator token of the recorded lifetime, which its API accepts", async () => {
    server = await serve(recording.file);
    const { url } = server;
    const answer = (await (await fetch(`${url}/ims/token/v3`, tokenForm("a", "b"))).json()) as {
      access_token: string;
      expires_in: number;
    };
    const again = (await (await fetch(`${url}/ims/token/v3`, tokenForm("a", "b"))).json()) as {
      access_token: string;
    };
    expect(answer.access_token).toMatch(/^eyJ/);
    expect(again.access_token).not.toBe(answer.access_token);
    expect(answer.expires_in).toBe(recording.expiresIn);
    const { har } = await readCassette(recording.file);
    expect(JSON.stringify(har)).not.toContain(answer.access_token);

    const tokens = await server.control.tokens();
    expect(tokens[0]).toMatchObject({ clientId: "a", state: "valid" });
    expect(Date.parse(tokens[0]?.expiresAt ?? "") - Date.parse(tokens[0]?.issuedAt ?? "")).toBe(
      recording.expiresIn * 1000,
    );
    const image = { source: { url: inputUrl(url) } };
    const accepted = await fetch(
      `${url}/v2/remove-background`,
      json({ image, mode: "cutout" }, answer.access_token),
    );
    expect(accepted.status).toBe(429); // the recorded first answer: the token was accepted
    const forged = await fetch(
      `${url}/v2/remove-background`,
      json({ image, mode: "cutout" }, "eyJforged.x.y"),
    );
    expect(forged.status).toBe(401);
    // Past its recorded lifetime the token is refused, as the real one would be.
    await server.advance(recording.expiresIn * 1000);
    expect(
      (await fetch(`${url}/v2/remove-background`, json({ image, mode: "cutout" }, answer.access_token)))
        .status,
    ).toBe(401);
  });

  it("refuses a cassette given in code that is not valid or lacks a blob it names", async () => {
    const { har, blobs } = await readCassette(recording.file);
    expect(() => createEmulator({ replay: { har, blobs: new Map() } })).toThrow(CassetteFormatError);
    expect(() => createEmulator({ replay: { har: { log: {} } as never, blobs } })).toThrow(/\/log\/version/);
  });

  it("fails a request that is not in the cassette at once with a 404 naming the nearest entry and what differs", async () => {
    server = await serve(recording.file);
    const { url } = server;
    const token = await server.token();
    const image = { source: { url: inputUrl(url) } };
    const missed = await fetch(`${url}/v2/remove-background`, json({ image, mode: "mask" }, token));
    expect(missed.status).toBe(404);
    const body = (await missed.json()) as CassetteMissBody;
    expect(body).toEqual({
      type: "CassetteMissError",
      code: "ERR_PSAPI_CASSETTE_MISS",
      title: "The request is not in the cassette",
      cassette: recording.file,
      request: { method: "POST", operation: "removeBackgroundV2", url: `${url}/v2/remove-background` },
      nearest: expect.objectContaining({ method: "POST", operation: "removeBackgroundV2", played: 0 }),
      differences: ['body $.mode: recorded "cutout", got "mask"'],
    });
    const unknown = (await (await fetch(`${url}/nothing/here`)).json()) as CassetteMissBody;
    expect(unknown.request).toMatchObject({ method: "GET", operation: "/nothing/here" });
    // Outside input that is no valid percent-encoding is a miss too, not a crash.
    const garbled = await fetch(`${url}/v2/status/%E0%A4%A`, auth(token));
    expect([garbled.status, ((await garbled.json()) as CassetteMissBody).type]).toEqual([
      404,
      "CassetteMissError",
    ]);
  });

  it("keeps the control API live: the journal and the inspector show replayed exchanges and the cassette", async () => {
    server = await serve(recording.file);
    const { url, control } = server;
    const token = await server.token();
    await fetch(
      `${url}/v2/remove-background`,
      json({ image: { source: { url: inputUrl(url) } }, mode: "mask" }, token),
    );
    const journal = await control.journal();
    expect(journal.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ["POST", "/v2/remove-background", 404],
      ["POST", "/ims/token/v3", 200],
    ]);
    expect(journal[0]?.error).toBe("CassetteMissError");
    const requests = await (await fetch(`${url}/__emulator/ui/requests`)).text();
    expect(requests).toContain("/ims/token/v3");
    const page = await (await fetch(`${url}/__emulator/ui/cassette`)).text();
    expect(page).toContain(recording.file);
    expect(page).toContain("removeBackgroundV2");
    expect(page).toContain("getV2JobStatus");
    // Entry 0, the token call, served once.
    expect(page).toMatch(/<tr data-entry="0">.*?getToken.*?<td>1<\/td><\/tr>/);
    // A reset forgets what was played: the 429 is answered first again.
    await control.reset();
    const again = await fetch(`${url}/ims/token/v3`, tokenForm("a", "b"));
    const fresh = ((await again.json()) as { access_token: string }).access_token;
    const first = await fetch(
      `${url}/v2/remove-background`,
      json({ image: { source: { url: inputUrl(url) } }, mode: "cutout" }, fresh),
    );
    expect(first.status).toBe(429);
  });
});

describe("volatile ids in storage keys", () => {
  it("are one canonical form: UUID-shaped segments of storage paths, key params and presign keys", () => {
    const a = "psapi-cli/0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11/input/coffee.png";
    const b = "psapi-cli/77e1d2c4-1f2a-4b3c-9d8e-0f1e2d3c4b5a/input/coffee.png";
    expect(canonicalPath(`/__emulator/storage/objects/${encodeURIComponent(a)}`)).toBe(
      "/__emulator/storage/objects/psapi-cli/{uuid}/input/coffee.png",
    );
    expect(canonicalJson({ key: a, method: "PUT" })).toEqual(canonicalJson({ method: "PUT", key: b }));
    expect(
      canonicalJson({ image: { source: { url: `http://h/o/${encodeURIComponent(b)}?sig=1` } } }),
    ).toEqual(canonicalJson({ image: { source: { url: `{{storage:1}}/o/${encodeURIComponent(a)}` } } }));
    // Not a whole segment, or not a key: compared as is (job ids route polls to their timeline).
    expect(canonicalPath("/x/job-0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11")).toBe(
      "/x/job-0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11",
    );
    expect(canonicalJson({ jobId: "0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11" })).toEqual({
      jobId: "0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11",
    });
  });

  it("let a client that puts fresh UUIDs in its keys replay a presign, upload and download", async () => {
    const file = join(dir, "uuid.har");
    const clock = createFakeClock({ start: TEST_START });
    const upstream = createEmulator({ clock });
    const recorder = recordingFetch({
      cassette: file,
      mode: "record",
      fetch: async (request) => upstream.fetch(request),
      clock,
    });
    const session = async (fetch: Fetch, origin: string, uuid: string) => {
      const presign = async (method: "GET" | "PUT") =>
        (
          (await (
            await fetch(
              `${origin}/__emulator/storage/presign`,
              json({ key: `psapi-cli/${uuid}/input/a.png`, method }),
            )
          ).json()) as { url: string }
        ).url;
      const put = await fetch(await presign("PUT"), {
        method: "PUT",
        headers: { "content-type": "image/png" },
        body: new Uint8Array([1, 2, 3]),
      });
      expect(put.status).toBe(200);
      const got = await fetch(await presign("GET"));
      expect(got.status).toBe(200);
      return new Uint8Array(await got.arrayBuffer());
    };
    expect(await session(recorder.fetch, UPSTREAM_ORIGIN, "0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11")).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    await recorder.save();

    const replay = createEmulator({
      clock: createFakeClock({ start: TEST_START }),
      replay: await readCassette(file),
    });
    const served = await listenEmulator(replay.fetch);
    try {
      expect(await session(fetch, served.url, "77e1d2c4-1f2a-4b3c-9d8e-0f1e2d3c4b5a")).toEqual(
        new Uint8Array([1, 2, 3]),
      );
      // The cassette has no token call (tokens are never stored): the live IMS answers, with its clients.
      const live = await fetch(
        `${served.url}/ims/token/v3`,
        tokenForm("psapi-demo-client", "psapi-demo-secret"),
      );
      expect(live.status).toBe(200);
      expect(
        (await fetch(`${served.url}/ims/token/v3`, tokenForm("psapi-demo-client", "wrong"))).status,
      ).toBe(401);
    } finally {
      await served.close();
    }
  });
});

describe("--replay <file>", () => {
  it("reads the cassette, or says what is wrong with it (CassetteFormatError's fields)", async () => {
    const missing = parseServerArgs(["--replay", join(dir, "missing.har")], {});
    if (missing === "help") throw new Error("help");
    expect(missing.replay).toBe(join(dir, "missing.har"));
    expect(await loadReplay(missing)).toBe(
      `psapi emulator: --replay ${join(dir, "missing.har")}: not a psapi cassette: (root) cannot be read (ENOENT)`,
    );
    const broken = join(dir, "broken.har");
    await writeFile(
      broken,
      JSON.stringify({ log: { version: "1.2", creator: { name: "x", version: "1" }, entries: [] } }),
    );
    const config = parseServerArgs(["--replay", broken], {});
    if (config === "help") throw new Error("help");
    expect(await loadReplay(config)).toBe(
      `psapi emulator: --replay ${broken}: not a psapi cassette: /log/_psapi must be an object`,
    );
    expect(config.emulator.replay).toBeUndefined();
  });
});
