import { afterEach, describe, expect, it } from "vitest";
import { createEmulator } from "./app.js";
import { listenEmulator, type RunningServer, startServer } from "./server.js";
import { subjectPng } from "./testing/helpers.js";

describe("the server on a real port", () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("replays the seed documents: token, hello, mask, status", async () => {
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      demoCredentials: true,
      emulator: { jobs: { pendingMs: 0, runningMs: 0 } },
    });
    const base = server.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const PHOTOSHOP_CLIENT_ID = "psapi-demo-client";
    const PHOTOSHOP_CLIENT_SECRET = "psapi-demo-secret";

    // Seed 001/004: curl --data-urlencode / -d to /ims/token/v3 with a form body.
    const tokenRes = await fetch(`${base}/ims/token/v3`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${PHOTOSHOP_CLIENT_ID}&client_secret=${PHOTOSHOP_CLIENT_SECRET}&scope=openid,AdobeID,read_organizations`,
    });
    expect(tokenRes.status).toBe(200);
    const token = (await tokenRes.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toMatchObject({ token_type: "bearer", expires_in: 86399 });
    const PHOTOSHOP_ACCESS_TOKEN = token.access_token;

    // Seed 004: GET /pie/psdService/hello with Authorization and x-api-key.
    const hello = await fetch(`${base}/pie/psdService/hello`, {
      headers: { Authorization: `Bearer ${PHOTOSHOP_ACCESS_TOKEN}`, "x-api-key": PHOTOSHOP_CLIENT_ID },
    });
    expect(await hello.text()).toBe("Welcome to the Photoshop API!");

    // Pre-signed URLs from the emulator's own storage stand in for <SIGNED_GET_URL> / <SIGNED_POST_URL>.
    const presign = async (key: string, method: string) => {
      const res = await fetch(`${base}/__emulator/storage/presign`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key, method }),
      });
      return ((await res.json()) as { url: string }).url;
    };
    const put = await fetch(await presign("seed/input.png", "PUT"), {
      method: "PUT",
      body: new Uint8Array(await subjectPng()),
    });
    expect(put.status).toBe(200);
    const SIGNED_GET_URL = await presign("seed/input.png", "GET");
    const SIGNED_POST_URL = await presign("seed/mask.png", "PUT");

    // Seed 001: POST /sensei/mask with the documented headers and body.
    const mask = await fetch(`${base}/sensei/mask`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "x-api-key": PHOTOSHOP_CLIENT_ID,
        Authorization: `Bearer ${PHOTOSHOP_ACCESS_TOKEN}`,
      },
      body: JSON.stringify({
        input: { href: SIGNED_GET_URL, storage: "external" },
        output: { href: SIGNED_POST_URL, storage: "external" },
      }),
    });
    expect(mask.status).toBe(202);
    const statusHref = ((await mask.json()) as { _links: { self: { href: string } } })._links.self.href;
    expect(statusHref.startsWith(`${base}/sensei/status/`)).toBe(true);

    await fetch(`${base}/__emulator/clock/advance`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"ms":0}',
    });

    // Seed 001: GET /sensei/status/<jobId>, with the seed's Content-Type and Accept headers on a GET.
    const status = await fetch(statusHref, {
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "x-api-key": PHOTOSHOP_CLIENT_ID,
        Authorization: `Bearer ${PHOTOSHOP_ACCESS_TOKEN}`,
      },
    });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      status: "succeeded",
      input: SIGNED_GET_URL,
      output: { href: SIGNED_POST_URL, storage: "external" },
    });

    // "View Created Mask": the output is at the output href.
    const download = await fetch(await presign("seed/mask.png", "GET"));
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await download.arrayBuffer()).subarray(1, 4)).toEqual(
      new TextEncoder().encode("PNG"),
    );
  });

  it("destroys the socket on a reset fault, so fetch fails with a network error", async () => {
    server = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
    const error = await fetch(`${server.url}/pie/psdService/hello`, {
      headers: { "x-emulator-fault": "reset" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const after = await fetch(`${server.url}/pie/psdService/hello`);
    expect(after.status).toBe(401);
  });
});

describe("listenEmulator", () => {
  it("serves an app on 127.0.0.1 with keep-alive 65 s (Node says so in Keep-Alive), not Node's 5 s", async () => {
    const served = await listenEmulator(createEmulator().fetch);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${served.url}/__emulator/clock`);
      expect(res.status).toBe(200);
      expect(res.headers.get("keep-alive")).toBe("timeout=65");
      expect([served.server.keepAliveTimeout, served.server.headersTimeout]).toEqual([65_000, 66_000]);
    } finally {
      await served.close();
    }
    expect(served.server.listening).toBe(false);
  });

  it("gives startServer the same settings", async () => {
    const server = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
    try {
      const res = await fetch(`${server.url}/__emulator/clock`);
      expect(res.headers.get("keep-alive")).toBe("timeout=65");
    } finally {
      await server.close();
    }
  });
});
