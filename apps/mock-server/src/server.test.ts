import { afterEach, describe, expect, it } from "vitest";
import { createEmulator } from "./app.js";
import {
  commandName,
  listenEmulator,
  parseServerArgs,
  type RunningServer,
  startFailure,
  startServer,
} from "./server.js";
import { subjectPng } from "./testing/helpers.js";

describe("parseServerArgs", () => {
  it("defaults to 127.0.0.1:4010 with the demo client", () => {
    const config = parseServerArgs([], {});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 4010,
      demoCredentials: true,
      emulator: { clients: [{ clientId: "psapi-demo-client", clientSecret: "psapi-demo-secret" }] },
    });
  });

  it("reads flags before the environment", () => {
    const config = parseServerArgs(
      [
        "--port",
        "4011",
        "--client-id",
        "flag-id",
        "--client-secret",
        "flag-secret",
        "--fault",
        '{"status":503,"times":1}',
      ],
      { PORT: "5000", PSAPI_EMULATOR_CLIENT_ID: "env-id", PSAPI_EMULATOR_CLIENT_SECRET: "env-secret" },
    );
    expect(config).toMatchObject({
      port: 4011,
      demoCredentials: false,
      emulator: {
        clients: [{ clientId: "flag-id", clientSecret: "flag-secret" }],
        faults: { rules: [{ status: 503, times: 1 }] },
      },
    });
    expect(
      parseServerArgs([], { PORT: "5000", PSAPI_EMULATOR_CLIENT_ID: "e", PSAPI_EMULATOR_CLIENT_SECRET: "s" }),
    ).toMatchObject({
      port: 5000,
      emulator: { clients: [{ clientId: "e", clientSecret: "s" }] },
    });
  });

  it("reads timing, limits and allow-list flags", () => {
    const config = parseServerArgs(
      [
        "--job-pending-ms",
        "0",
        "--job-running-ms",
        "50",
        "--rate-limits",
        "--trial-quota",
        "5",
        "--allow-host",
        "a.example.com",
        "--allow-host",
        "*.b.example.com",
      ],
      {},
    );
    expect(config).toMatchObject({
      emulator: {
        jobs: { pendingMs: 0, runningMs: 50 },
        rateLimits: true,
        trialQuota: 5,
        allowedHosts: ["a.example.com", "*.b.example.com"],
      },
    });
  });

  it("reads the refresh-token lifetime, the transfer deadline and the size limits", () => {
    const config = parseServerArgs(
      [
        "--refresh-token-lifetime",
        "600",
        "--fetch-timeout-ms",
        "2000",
        "--max-body-bytes",
        "4096",
        "--max-object-bytes",
        "1048576",
      ],
      {},
    );
    expect(config).toMatchObject({
      emulator: {
        refreshTokenLifetimeSeconds: 600,
        fetchTimeoutMs: 2000,
        limits: { maxBodyBytes: 4096, maxObjectBytes: 1048576 },
      },
    });
    expect(() => parseServerArgs(["--max-body-bytes", "0"], {})).toThrow(/--max-body-bytes/);
  });

  it("refuses bad values with a message naming the flag", () => {
    expect(() => parseServerArgs(["--port", "70000"], {})).toThrow(/--port/);
    expect(() => parseServerArgs(["--job-running-ms", "-1"], {})).toThrow(/--job-running-ms/);
    expect(() => parseServerArgs(["--fault", "{nope"], {})).toThrow(/--fault/);
    expect(() => parseServerArgs(["--client-id", "only-id"], {})).toThrow(/--client-secret/);
    expect(() => parseServerArgs(["--bogus"], {})).toThrow();
    expect(parseServerArgs(["--help"], {})).toBe("help");
  });
});

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

describe("the server binary's words", () => {
  it("names the command actually run in its usage line", () => {
    expect(commandName(["node", "/p/dist/server.js"], { PSAPI_EMULATOR_COMMAND: "psapi emulator" })).toBe(
      "psapi emulator",
    );
    expect(commandName(["node", "/p/dist/server.js"], { npm_lifecycle_event: "emulator" })).toBe(
      "pnpm emulator",
    );
    expect(commandName(["node", "/app/node_modules/.bin/psapi-emulator"], {})).toBe("psapi-emulator");
    expect(commandName(["node", "/app/node_modules/@psapi/mock-server/bin/psapi-emulator.js"], {})).toBe(
      "psapi-emulator",
    );
    expect(commandName(["node", `${process.cwd()}/dist/server.js`], {})).toBe("node dist/server.js");
  });

  it("hints at --port 0 when the port is taken, and says so of a real second server", async () => {
    const first = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
    try {
      const port = Number(new URL(first.url).port);
      const error = await startServer({ host: "127.0.0.1", port, demoCredentials: true, emulator: {} }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(startFailure(error, { host: "127.0.0.1", port })).toBe(
        `psapi emulator: port ${port} on 127.0.0.1 is in use (another emulator may be running there)\n` +
          "hint: pass --port 0 to take any free port, or --port <another>",
      );
    } finally {
      await first.close();
    }
  });
});
