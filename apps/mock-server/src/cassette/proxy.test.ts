import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulatorControl } from "../control-client/control-client.js";
import { type ListeningEmulator, listenEmulator } from "../server.js";
import { subjectPng, testEmulator } from "../testing/helpers.js";
import { CassetteSecretError } from "./errors.js";
import { blobDirectory, readCassette } from "./format.js";
import { createRecordingProxy, type RecordingProxy, upstreamOrigin } from "./proxy.js";
import { recordingFetch } from "./recording-fetch.js";
import { findSecretPatterns, findSecrets } from "./redaction.js";

/** The upstream's own client: not the demo one, so that a leak of it is a leak of a real-looking secret. */
const UPSTREAM_ID = "upstream-client-4d1f9a";
const UPSTREAM_SECRET = "upstream-secret-b7e2c95a0f";
type Json = Record<string, unknown>;

let dir: string;
const closing: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-proxy-"));
});
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

async function listen(fetch: (request: Request) => Promise<Response>): Promise<ListeningEmulator> {
  const served = await listenEmulator(fetch);
  closing.push(served.close);
  return served;
}

/** An emulator standing in for Adobe on its own port and fake clock, and a proxy recording it. */
async function recordingSetup(
  cassette: string,
  options: { fetch?: (request: Request) => Promise<Response> } = {},
) {
  const { app, clock } = testEmulator({
    clients: [{ clientId: UPSTREAM_ID, clientSecret: UPSTREAM_SECRET }],
  });
  const upstream = await listen(async (request) => app.fetch(request));
  const proxy = createRecordingProxy({
    cassette,
    upstream: upstream.url,
    secrets: [UPSTREAM_SECRET],
    clock,
    ...(options.fetch && { fetch: options.fetch }),
  });
  const served = await listen(proxy.fetch);
  return { clock, upstream, proxy, url: served.url };
}

/** What curl would do, through the proxy (or `fetch`): token, upload, submit, poll, download. */
async function runJob(
  url: string,
  clock: { advance(ms: number): Promise<void> },
  path: "/v2/remove-background" | "/v1/mask-objects",
  fetch: (input: string, init?: RequestInit) => Promise<Response> = globalThis.fetch,
) {
  const token = await fetch(`${url}/ims/token/v3`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: UPSTREAM_ID,
      client_secret: UPSTREAM_SECRET,
      scope: "openid,AdobeID",
    }),
  });
  expect(token.status).toBe(200);
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${accessToken}`, "x-api-key": UPSTREAM_ID };

  // The control API's presign, through the proxy: its URLs come back on the proxy's origin.
  const control = createEmulatorControl({ baseUrl: url, fetch: (request) => fetch(request.url, request) });
  const input = await control.putObject(
    "in/photo.png",
    new Uint8Array(await subjectPng(96, 64)),
    "image/png",
  );
  expect(input.startsWith(`${url}/`)).toBe(true);

  const submitted = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ image: { source: { url: input } } }),
  });
  expect(submitted.status).toBe(202);
  const { statusUrl, jobId } = (await submitted.json()) as { statusUrl: string; jobId: string };
  expect(statusUrl.startsWith(`${url}/`)).toBe(true);

  let status: Json = {};
  for (let poll = 0; poll < 200; poll++) {
    status = (await (await fetch(statusUrl, { headers })).json()) as Json;
    if (status.status === "succeeded" || status.status === "failed") break;
    await clock.advance(1_000);
  }
  expect(status.status).toBe("succeeded");
  const outputs =
    path === "/v2/remove-background"
      ? (status.result as { outputs: { destination: { url: string } }[] }).outputs
      : (status.semanticMasks as { destination: { url: string } }[]);
  const downloads: Buffer[] = [];
  for (const output of outputs) {
    expect(output.destination.url.startsWith(`${url}/`)).toBe(true);
    const download = await fetch(output.destination.url);
    expect(download.status).toBe(200);
    downloads.push(Buffer.from(await download.arrayBuffer()));
  }
  return { accessToken, jobId, downloads };
}

async function expectClean(cassette: string, live: string[]) {
  const { har, blobs } = await readCassette(cassette);
  expect(findSecrets(har, blobs, live)).toEqual([]);
  expect(findSecretPatterns(har, blobs)).toEqual([]);
  return { har, blobs };
}

describe("createRecordingProxy against an emulator upstream", () => {
  it("records a remove-background job made with curl-like requests: token, upload, submit, polls, download", async () => {
    const cassette = join(dir, "remove-background.har");
    const { clock, upstream, proxy, url } = await recordingSetup(cassette);
    const { accessToken, jobId, downloads } = await runJob(url, clock, "/v2/remove-background");
    expect(downloads).toHaveLength(1);
    await proxy.save();

    const { har, blobs } = await expectClean(cassette, [UPSTREAM_SECRET, accessToken]);
    const entries = har.log.entries;
    // What the upstream really saw: its own origin, never the proxy's.
    expect(entries.every((entry) => entry.request.url.startsWith(`${upstream.url}/`))).toBe(true);
    expect(har.log._psapi.recordedAgainst).toEqual([upstream.url]);
    expect(entries.map((entry) => entry._psapi.operationId ?? new URL(entry.request.url).pathname)).toEqual([
      "getToken",
      "presignStorageUrl",
      "putStorageObject",
      "presignStorageUrl",
      "removeBackgroundV2",
      ...Array(entries.length - 6).fill("getV2JobStatus"),
      "getStorageObject",
    ]);
    // The job's timeline: submission at 0, polls a second apart on the emulator's clock.
    const timeline = entries
      .filter((entry) => entry._psapi.job?.id === jobId)
      .map((entry) => entry._psapi.job?.t);
    expect(timeline[0]).toBe(0);
    expect(timeline.length).toBeGreaterThan(1);
    expect(timeline).toEqual([...timeline].sort((a, b) => (a ?? 0) - (b ?? 0)));
    // The input upstream got is the upstream's storage URL (a placeholder in the cassette), not the proxy's.
    const submit = entries.find((entry) => entry._psapi.operationId === "removeBackgroundV2");
    expect(JSON.parse(submit?.request.postData?.text ?? "{}")).toEqual({
      image: { source: { url: "{{storage:1}}/__emulator/storage/objects/in%2Fphoto.png" } },
    });
    expect(har.log._psapi.storage).toEqual({ "1": { origin: upstream.url } });
    // The download is a blob holding the bytes the client got.
    const download = entries.at(-1);
    const blob = download?.response.content._psapi?.blob ?? "";
    expect(Buffer.from(blobs.get(blob) ?? new Uint8Array()).equals(downloads[0] ?? Buffer.alloc(0))).toBe(
      true,
    );
    expect(existsSync(join(blobDirectory(cassette), blob))).toBe(true);
    expect((await sharp(downloads[0]).metadata()).width).toBe(96);

    // The upstream stops; recordingFetch replays the cassette to the same requests, polls and all.
    await upstream.close();
    const replayer = recordingFetch({ cassette, mode: "replay", clock });
    const replayed = await runJob(upstream.url, clock, "/v2/remove-background", replayer.fetch);
    expect(replayed.jobId).toBe(jobId);
    expect(replayed.accessToken).toMatch(/^psapi-replay-access_token-/);
    expect(replayed.downloads[0]?.equals(downloads[0] ?? Buffer.alloc(0))).toBe(true);
  });

  it("records a mask-objects job the same way, every mask downloaded through the proxy", async () => {
    const cassette = join(dir, "mask-objects.har");
    const { clock, proxy, url } = await recordingSetup(cassette);
    const { accessToken, jobId, downloads } = await runJob(url, clock, "/v1/mask-objects");
    expect(downloads.length).toBeGreaterThan(0);
    await proxy.save();
    const { har } = await expectClean(cassette, [UPSTREAM_SECRET, accessToken]);
    const ops = har.log.entries.map((entry) => entry._psapi.operationId);
    expect(ops).toContain("maskObjects");
    expect(ops).toContain("getMaskingJobStatus");
    expect(har.log.entries.filter((entry) => entry._psapi.job?.id === jobId).length).toBeGreaterThan(1);
    const downloaded = har.log.entries.filter((entry) => entry._psapi.operationId === "getStorageObject");
    expect(downloaded.map((entry) => entry.response.content._psapi?.blob)).toHaveLength(downloads.length);
    expect(downloaded.every((entry) => entry.response.content._psapi?.blob)).toBe(true);
  });

  it("refuses to write a cassette holding a secret it cannot redact, and writes nothing", async () => {
    const cassette = join(dir, "leaky.har");
    const { app } = testEmulator({ clients: [{ clientId: UPSTREAM_ID, clientSecret: UPSTREAM_SECRET }] });
    // An upstream that echoes the client secret under a name no rule knows.
    const leaky = async (request: Request) => {
      const response = await app.fetch(request);
      if (!new URL(request.url).pathname.startsWith("/ims/")) return response;
      const body = (await response.json()) as Json;
      return Response.json({ ...body, note: `issued to ${UPSTREAM_SECRET}` }, { status: response.status });
    };
    const proxy = createRecordingProxy({
      cassette,
      upstream: "http://127.0.0.1:9",
      secrets: [UPSTREAM_SECRET],
      fetch: leaky,
    });
    const served = await listen(proxy.fetch);
    const token = await fetch(`${served.url}/ims/token/v3`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: UPSTREAM_ID,
        client_secret: UPSTREAM_SECRET,
      }),
    });
    expect(token.status).toBe(200);
    const error = await proxy.save().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CassetteSecretError);
    expect((error as CassetteSecretError).locations).toEqual(["/log/entries/0/response/content/text"]);
    expect(String((error as Error).message)).not.toContain(UPSTREAM_SECRET);
    expect(existsSync(cassette)).toBe(false);
    expect(existsSync(blobDirectory(cassette))).toBe(false);
    // The same refusal through POST /__psapi/save: 409 with the locations, nothing written.
    const saved = await fetch(`${served.url}/__psapi/save`, { method: "POST" });
    expect(saved.status).toBe(409);
    const answer = await saved.text();
    expect(answer).not.toContain(UPSTREAM_SECRET);
    expect(JSON.parse(answer)).toMatchObject({ error: "cassette_secret", locations: [expect.any(String)] });
    expect(existsSync(cassette)).toBe(false);
  });
});

describe("createRecordingProxy's forwarding", () => {
  /** A scripted upstream: the API on one origin, storage on another; it records what it was sent. */
  function scriptedUpstream() {
    const seen: { url: string; headers: Record<string, string>; body: string }[] = [];
    const fetch = async (request: Request) => {
      seen.push({
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      });
      const url = new URL(request.url);
      if (url.origin === "https://bucket.s3.amazonaws.com")
        return new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/png" } });
      if (url.pathname === "/v2/remove-background")
        return Response.json(
          {
            jobId: "job-1",
            statusUrl: "https://image.adobe.io/v2/status/job-1",
            _links: { self: { href: "https://image.adobe.io/v2/status/job-1" } },
            output: "https://bucket.s3.amazonaws.com/out/a.png?X-Amz-Signature=deadbeefcafe&X-Amz-Expires=60",
            token: "https://ims-na1.adobelogin.com/ims/token/v3",
          },
          { status: 202 },
        );
      if (url.pathname === "/big")
        return new Response(new Uint8Array(64), { headers: { "content-type": "image/png" } });
      return Response.json(
        { ok: true },
        { status: 200, headers: { location: "https://image.adobe.io/v2/status/x" } },
      );
    };
    return { fetch, seen };
  }

  async function proxyOn(options: { maxBodyBytes?: number } = {}) {
    const upstream = scriptedUpstream();
    const proxy: RecordingProxy = createRecordingProxy({
      cassette: join(dir, "forward.har"),
      upstream: "https://image.adobe.io",
      imsUpstream: "https://ims-na1.adobelogin.com",
      fetch: upstream.fetch,
      ...options,
    });
    const served = await listen(proxy.fetch);
    return { ...upstream, proxy, url: served.url };
  }

  it("routes /ims/* to IMS and the rest to the API, and hands out other origins as /__psapi/forward/<n>/", async () => {
    const { url, seen, proxy } = await proxyOn();
    const answer = await fetch(`${url}/v2/remove-background?x=1`, {
      method: "POST",
      headers: {
        authorization: "Bearer live-token-0123456789",
        "content-type": "application/json",
        "proxy-authorization": "Basic cHJveHk6cHJveHk=",
      },
      body: JSON.stringify({ image: { source: { url: `${url}/__psapi/forward/0/in.png?sig=1` } } }),
    });
    expect(answer.status).toBe(202);
    const json = (await answer.json()) as Json;
    expect(json).toEqual({
      jobId: "job-1",
      statusUrl: `${url}/v2/status/job-1`,
      _links: { self: { href: `${url}/v2/status/job-1` } },
      output: `${url}/__psapi/forward/0/out/a.png?X-Amz-Signature=deadbeefcafe&X-Amz-Expires=60`,
      token: `${url}/ims/token/v3`,
    });
    expect(seen[0]?.url).toBe("https://image.adobe.io/v2/remove-background?x=1");
    expect(seen[0]?.headers["proxy-authorization"]).toBeUndefined();
    expect(seen[0]?.headers.authorization).toBe("Bearer live-token-0123456789");
    // Forward 0 was unknown when the body was sent: it went as it was.
    expect(JSON.parse(seen[0]?.body ?? "{}")).toEqual({
      image: { source: { url: `${url}/__psapi/forward/0/in.png?sig=1` } },
    });

    // The storage URL, fetched through the proxy with the API's credentials: they do not go to storage.
    const download = await fetch(json.output as string, {
      headers: { authorization: "Bearer live-token-0123456789" },
    });
    expect(download.status).toBe(200);
    expect([...new Uint8Array(await download.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(seen[1]?.url).toBe(
      "https://bucket.s3.amazonaws.com/out/a.png?X-Amz-Signature=deadbeefcafe&X-Amz-Expires=60",
    );
    expect(seen[1]?.headers.authorization).toBeUndefined();

    // A body naming proxy URLs goes upstream with the real ones.
    await fetch(`${url}/v2/remove-background`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: json.output, status: json.statusUrl, token: json.token }),
    });
    expect(JSON.parse(seen[2]?.body ?? "{}")).toEqual({
      input: "https://bucket.s3.amazonaws.com/out/a.png?X-Amz-Signature=deadbeefcafe&X-Amz-Expires=60",
      status: "https://image.adobe.io/v2/status/job-1",
      token: "https://ims-na1.adobelogin.com/ims/token/v3",
    });

    const token = await fetch(`${url}/ims/token/v3`, { method: "POST" });
    expect(token.headers.get("location")).toBe(`${url}/v2/status/x`);
    expect(seen[3]?.url).toBe("https://ims-na1.adobelogin.com/ims/token/v3");

    // Recorded with the real URLs, redacted.
    const urls = proxy.entries().map((entry) => entry.request.url);
    expect(urls[1]).toBe(
      "https://bucket.s3.amazonaws.com/out/a.png?X-Amz-Signature=%5BREDACTED%5D&X-Amz-Expires=60",
    );
    expect(urls[3]).toBe("https://ims-na1.adobelogin.com/ims/token/v3");
  });

  it("serves loopback names only: a page whose name was re-pointed at 127.0.0.1 (DNS rebinding) gets 403", async () => {
    const { proxy, seen } = await proxyOn();
    // In process, the Request's host is the Host header a browser would send.
    for (const request of [
      new Request("http://evil.example:4020/v2/remove-background", { method: "POST", body: "{}" }),
      new Request("http://evil.example:4020/__psapi/save", { method: "POST" }),
    ]) {
      const answer = await proxy.fetch(request);
      expect(answer.status).toBe(403);
      expect(await answer.json()).toMatchObject({ error: "forbidden_host" });
    }
    expect(seen).toHaveLength(0);
    for (const host of [
      "http://localhost:4020",
      "http://127.0.0.1:4020",
      "http://[::1]:4020",
      "http://psapi.localhost:4020",
    ])
      expect((await proxy.fetch(new Request(`${host}/v2/anything`))).status).toBe(200);
  });

  it("answers 404 for a forward it never handed out, 413 for a body over the limit, 502 for an answer over it", async () => {
    const { url, seen } = await proxyOn({ maxBodyBytes: 32 });
    const unknown = await fetch(`${url}/__psapi/forward/7/x.png?sig=secret-signature`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain("secret-signature");
    expect((await fetch(`${url}/__psapi/nothing`)).status).toBe(404);

    const big = await fetch(`${url}/v2/remove-background`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(100) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: "request_body_too_large", limit: 32 });
    // A streamed body with no content-length is cut off too.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(16));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/v2/remove-background`, {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(seen).toHaveLength(0);

    const answer = await fetch(`${url}/big`);
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({ error: "upstream_body_too_large", limit: 32 });
  });

  it("record-missing replays what the cassette holds (its URLs rewritten too) and records the rest; POST /__psapi/save writes it", async () => {
    const cassette = join(dir, "forward.har");
    const first = await proxyOn();
    await fetch(`${first.url}/v2/remove-background`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    const saved = await fetch(`${first.url}/__psapi/save`, { method: "POST" });
    expect(await saved.json()).toEqual({ saved: cassette, entries: 1 });
    expect(existsSync(cassette)).toBe(true);
    expect((await fetch(`${first.url}/__psapi/save`)).status).toBe(405);

    const upstream = scriptedUpstream();
    const again = createRecordingProxy({
      cassette,
      upstream: "https://image.adobe.io",
      imsUpstream: "https://ims-na1.adobelogin.com",
      mode: "record-missing",
      fetch: upstream.fetch,
    });
    const served = await listen(again.fetch);
    const replayed = await fetch(`${served.url}/v2/remove-background`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(replayed.status).toBe(202);
    const json = (await replayed.json()) as Json;
    expect(json.statusUrl).toBe(`${served.url}/v2/status/job-1`);
    // The recorded storage URL lost its signature in the cassette; it still comes back through the proxy.
    expect(json.output).toBe(`${served.url}/__psapi/forward/0/out/a.png`);
    expect(upstream.seen).toHaveLength(0);
    await fetch(`${served.url}/v2/status/job-1`);
    expect(upstream.seen.map((request) => request.url)).toEqual(["https://image.adobe.io/v2/status/job-1"]);
    await again.save();
    expect((await readCassette(cassette)).har.log.entries).toHaveLength(2);
  });

  it("answers 502, naming no query, when the upstream cannot be reached", async () => {
    const proxy = createRecordingProxy({
      cassette: join(dir, "down.har"),
      upstream: "http://127.0.0.1:9",
      fetch: async () => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        });
      },
    });
    const served = await listen(proxy.fetch);
    const answer = await fetch(`${served.url}/v2/status/abc?sig=hidden-value`);
    expect(answer.status).toBe(502);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: "upstream_unreachable" });
    expect(text).toContain("ECONNREFUSED");
    expect(text).not.toContain("hidden-value");
  });

  it("validates its upstreams", () => {
    expect(upstreamOrigin("--upstream", "https://image.adobe.io/")).toBe("https://image.adobe.io");
    expect(upstreamOrigin("--upstream", "http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010");
    expect(() => upstreamOrigin("--upstream", "image.adobe.io")).toThrow(/--upstream must be an absolute/);
    expect(() => upstreamOrigin("--upstream", "ftp://image.adobe.io")).toThrow(/https/);
    expect(() => upstreamOrigin("--upstream", "http://image.adobe.io")).toThrow(/loopback/);
    expect(() => upstreamOrigin("--upstream", "https://u:p@image.adobe.io")).toThrow(/user name/);
    expect(() => upstreamOrigin("--upstream", "https://image.adobe.io/v2")).toThrow(/no path/);
    expect(() =>
      createRecordingProxy({ cassette: "x.har", upstream: "https://image.adobe.io", maxBodyBytes: 0 }),
    ).toThrow(/maxBodyBytes/);
  });
});
