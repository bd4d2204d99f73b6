import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandName, parseServerArgs, startFailure } from "./main.js";
import { startServer } from "./server.js";

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

describe("parseServerArgs with --record", () => {
  const dir = mkdtempSync(join(tmpdir(), "psapi-record-args-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "sub", "rb.har");
  const up = ["--record", file, "--upstream", "https://image.adobe.io"];

  it("reads the cassette, the upstreams, the secrets to scan for and the mode", () => {
    expect(
      parseServerArgs(
        [
          ...up,
          "--ims-upstream",
          "https://ims-na1.adobelogin.com/",
          "--secret-env",
          "MY_SECRET",
          "--port",
          "0",
        ],
        { MY_SECRET: "s3cr3t-value", PHOTOSHOP_CLIENT_SECRET: "another-secret" },
      ),
    ).toMatchObject({
      host: "127.0.0.1",
      port: 0,
      record: {
        cassette: file,
        upstream: "https://image.adobe.io",
        imsUpstream: "https://ims-na1.adobelogin.com",
        mode: "record",
        secrets: ["s3cr3t-value", "another-secret"],
        secretNames: ["MY_SECRET", "PHOTOSHOP_CLIENT_SECRET"],
      },
    });
    expect(parseServerArgs([...up, "--record-missing", "--max-body-bytes", "1000"], {})).toMatchObject({
      record: {
        imsUpstream: "https://image.adobe.io",
        mode: "record-missing",
        maxBodyBytes: 1000,
        secrets: [],
      },
    });
    expect(parseServerArgs([], {})).not.toHaveProperty("record");
  });

  it.each([
    [["--record", file], /--record needs --upstream/],
    [["--upstream", "https://image.adobe.io"], /--upstream goes with --record/],
    [["--secret-env", "X"], /--secret-env goes with --record/],
    [["--record", file, "--upstream", "image.adobe.io"], /--upstream must be an absolute http\(s\) URL/],
    [["--record", file, "--upstream", "ftp://image.adobe.io"], /--upstream must use https/],
    [["--record", file, "--upstream", "http://image.adobe.io"], /plain http is for loopback only/],
    [[...up, "--ims-upstream", "https://ims.example.com/ims"], /--ims-upstream must be an origin/],
    [
      ["--record", join(dir, "rb.json"), "--upstream", "https://image.adobe.io"],
      /--record must name a \.har file/,
    ],
    [[...up, "--fault", "{}"], /--fault is an emulator flag/],
    [[...up, "--client-secret", "x"], /--client-secret is an emulator flag/],
    [[...up, "--host", "0.0.0.0"], /--record serves on loopback only/],
    [[...up, "--secret-env", "UNSET_ONE"], /the environment variable UNSET_ONE is not set/],
    [[...up, "--secret-env", "SHORT"], /shorter than 6 characters/],
    [[...up, "--secret-env", "no-such name"], /--secret-env takes an environment variable's name/],
    [[...up, "--max-body-bytes", "0"], /--max-body-bytes/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseServerArgs(argv, { SHORT: "abc" })).toThrow(message);
  });

  it("refuses a cassette it could not write: under a file, or a directory itself", () => {
    const plain = join(dir, "plain");
    writeFileSync(plain, "");
    expect(() =>
      parseServerArgs(["--record", join(plain, "rb.har"), "--upstream", "https://a.b"], {}),
    ).toThrow(/cannot be created: .* is not a directory/);
    const folder = join(dir, "folder.har");
    mkdirSync(folder);
    expect(() => parseServerArgs(["--record", folder, "--upstream", "https://a.b"], {})).toThrow(
      /exists and is not a file/,
    );
  });
});

describe("the server binary's words", () => {
  it("names the command actually run in its usage line", () => {
    expect(commandName(["node", "/p/dist/main.js"], { PSAPI_EMULATOR_COMMAND: "psapi emulator" })).toBe(
      "psapi emulator",
    );
    expect(commandName(["node", "/p/dist/main.js"], { npm_lifecycle_event: "emulator" })).toBe(
      "pnpm emulator",
    );
    expect(commandName(["node", "/app/node_modules/.bin/psapi-emulator"], {})).toBe("psapi-emulator");
    expect(commandName(["node", "/app/node_modules/@psapi/mock-server/bin/psapi-emulator.js"], {})).toBe(
      "psapi-emulator",
    );
    expect(commandName(["node", `${process.cwd()}/dist/main.js`], {})).toBe("node dist/main.js");
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
