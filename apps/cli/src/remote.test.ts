import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFakeClock } from "@psapi/core/testing";
import type { EmulatorOptions } from "@psapi/mock-server";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { pngSize } from "./display.js";
import { errorCodePage, exitCodePage } from "./docs-url.js";
import { runCli, startCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };
const STACK_FRAME = /^\s+at /m;
const FAST_JOBS = { jobs: { pendingMs: 0, runningMs: 0 } };

/**
 * An emulator of the test's own (counted requests, other options), closed when the test ends. The
 * tests run concurrently, so the hook must be the test's own (from its context), not the global one.
 */
async function ownEmulator(
  context: Pick<TestContext, "onTestFinished">,
  options: EmulatorOptions = FAST_JOBS,
): Promise<ServedEmulator> {
  const served = await serveEmulator(options);
  context.onTestFinished(() => served.close());
  return served;
}

let dir: string;
/** Shared by the tests that only read from it; jobs end at once, so no test waits on job timing. */
let emulator: ServedEmulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-remote-"));
  emulator = await serveEmulator(FAST_JOBS);
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent("psapi --base-url <running emulator>", () => {
  it("names the target on its first line and gets a token from the emulator's IMS", async () => {
    const result = await runCli(["hello", "--base-url", emulator.url], { env: DEMO });
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(`target: ${emulator.url}`);
    expect(result.stdout).toBe("Welcome to the Photoshop API!\n");
    expect(emulator.requests).toContain("POST /ims/token/v3");
  });

  it("reads the target from PHOTOSHOP_API_URL when --base-url is not given", async () => {
    const result = await runCli(["hello"], { env: { ...DEMO, PHOTOSHOP_API_URL: emulator.url } });
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(`target: ${emulator.url}`);
  });

  it("mask uploads through the emulator's storage over HTTP and writes the PNG; status --wait shows the job later without its signature", async (context) => {
    const own = await ownEmulator(context);
    const out = join(dir, "remote-mask.png");
    const mask = await runCli(["mask", SAMPLE, "--out", out, "--base-url", own.url, "--json"], { env: DEMO });
    expect(mask.stderr).toBe(`target: ${own.url}\n`);
    expect(mask.code).toBe(0);
    expect(pngSize(await readFile(out))).toEqual({ width: 600, height: 400 });
    expect(own.requests.filter((line) => line === "POST /sensei/mask")).toHaveLength(1);
    expect(own.requests.filter((line) => line.startsWith("PUT /__emulator/storage/objects/"))).toHaveLength(
      1,
    );
    const { job } = JSON.parse(mask.stdout) as { job: { id: string; statusUrl: string } };
    const result = await runCli(["status", job.statusUrl, "--wait", "--base-url", own.url], { env: DEMO });
    expect(result.code).toBe(0);
    // The status echoes the pre-signed output URL: its signature must not be printed.
    expect(result.stdout).toMatch(
      new RegExp(
        `^job ${job.id}: succeeded\\noutput: ${own.url}/__emulator/storage/objects/\\S+%2Fcoffee-mask\\.png\\?\\[REDACTED\\]\\n$`,
      ),
    );
    expect(result.stdout).not.toContain("sig=");
  });

  it("status reads a v2 job's status URL (create-composite) once, and with --wait, its output URL unsigned", async (context) => {
    const own = await ownEmulator(context);
    const out = join(dir, "remote-composite.png");
    const made = await runCli(["composite", SAMPLE, "--out", out, "--base-url", own.url, "--json"], {
      env: DEMO,
    });
    expect(made.code).toBe(0);
    const { job } = JSON.parse(made.stdout) as { job: { id: string; statusUrl: string } };
    expect(job.statusUrl).toBe(`${own.url}/v2/status/${job.id}`);
    for (const extra of [[], ["--wait"]]) {
      const result = await runCli(["status", job.statusUrl, ...extra, "--base-url", own.url], { env: DEMO });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(
          `^job ${job.id}: succeeded\\noutput: ${own.url}/__emulator/storage/objects/\\S+\\?\\[REDACTED\\] \\(image/png\\)\\n$`,
        ),
      );
    }
  });

  it("status of an unknown job says so and hints why (exit 1)", async () => {
    const result = await runCli(
      ["status", `${emulator.url}/sensei/status/no-such-job`, "--base-url", emulator.url],
      {
        env: DEMO,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/found nothing \(404 ResourceNotFound/);
    expect(result.stderr).toMatch(/^hint: check the URL or job id/m);
  });

  it("status refuses to send the token to another origin than the target's", async (context) => {
    const own = await ownEmulator(context);
    const result = await runCli(
      ["status", "https://attacker.example/sensei/status/x", "--base-url", own.url],
      {
        env: DEMO,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("refusing to send credentials to attacker.example");
    expect(own.requests).toEqual([]);
  });

  it("token prints a redacted token and its expiry; --show prints it whole", async () => {
    const env = {
      PHOTOSHOP_ACCESS_TOKEN: "static-token-0123456789-abcdef",
      PHOTOSHOP_CLIENT_ID: "psapi-demo-client",
    };
    const redacted = await runCli(["token", "--base-url", emulator.url], { env });
    expect(redacted.code).toBe(0);
    expect(redacted.stdout).not.toContain("static-token-0123456789-abcdef");
    expect(redacted.stdout).toContain("stat…cdef (30 characters)");
    expect(redacted.stdout).toMatch(/^expires: unknown \(a ready-made token\)$/m);
    const shown = await runCli(["token", "--show", "--json", "--base-url", emulator.url], { env });
    expect((JSON.parse(shown.stdout) as { token: string }).token).toBe("static-token-0123456789-abcdef");
  });
});

/** The failure links the page of the error code it met, and the repository holds that page. */
function expectCodePage(stderr: string, page: string): void {
  expect(stderr.trimEnd().split("\n").at(-1)).toBe(`docs: ${errorCodePage(page)}`);
  const file = fileURLToPath(new URL(`../../../docs/site/errors/api/${page}.md`, import.meta.url));
  expect(existsSync(file), file).toBe(true);
}

describe.concurrent("errors from a running emulator", () => {
  it("without credentials, says which variables to set (exit 3)", async () => {
    const result = await runCli(["hello", "--base-url", emulator.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `error: ${emulator.url} needs credentials, and none are set\n` +
        "hint: set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET (or PHOTOSHOP_ACCESS_TOKEN with PHOTOSHOP_CLIENT_ID); " +
        "a local emulator accepts psapi-demo-client / psapi-demo-secret\n" +
        `docs: ${exitCodePage(3)}\n`,
    );
  });

  it("a wrong client secret is an auth failure pointing at the credentials (exit 3)", async () => {
    const result = await runCli(["hello", "--base-url", emulator.url], {
      env: { ...DEMO, PHOTOSHOP_CLIENT_SECRET: "wrong-secret" },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: IMS refused the credentials \(invalid_client/m);
    expect(result.stderr).toMatch(/^hint: check PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET$/m);
    expectCodePage(result.stderr, "ims-invalid_client");
    expect(result.stderr).not.toContain("wrong-secret");
  });

  it("a 401 points at the token (exit 3)", async () => {
    const result = await runCli(["hello", "--base-url", emulator.url], {
      env: { PHOTOSHOP_ACCESS_TOKEN: "not-a-valid-token-at-all", PHOTOSHOP_CLIENT_ID: "psapi-demo-client" },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error: the API refused the access token \(401 401013: Oauth token is not valid\)$/m,
    );
    expect(result.stderr).toMatch(/^hint: the token is invalid or expired/m);
    expectCodePage(result.stderr, "photoshop-401013");
    expect(result.stderr).not.toContain("not-a-valid-token-at-all");
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("a 403 points at the API key (exit 3)", async () => {
    const response = await fetch(`${emulator.url}/ims/token/v3`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: DEMO.PHOTOSHOP_CLIENT_ID,
        client_secret: DEMO.PHOTOSHOP_CLIENT_SECRET,
        scope: "openid,AdobeID,read_organizations",
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    const result = await runCli(["hello", "--base-url", emulator.url], {
      env: { PHOTOSHOP_ACCESS_TOKEN: token, PHOTOSHOP_CLIENT_ID: "someone-elses-client" },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: the API refused the API key \(403 403003: Api Key is invalid\)$/m);
    expect(result.stderr).toMatch(/^hint: check that PHOTOSHOP_CLIENT_ID is the client id/m);
    expectCodePage(result.stderr, "photoshop-403003");
    expect(result.stderr).not.toContain(token);
  });

  it("a 402 points at the quota (exit 1)", async (context) => {
    const quota = await ownEmulator(context, { trialQuota: 0 });
    const result = await runCli(["mask", SAMPLE, "--out", join(dir, "q.png"), "--base-url", quota.url], {
      env: DEMO,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the trial quota is used up \(402/m);
    expect(result.stderr).toMatch(/^hint: .*(quota|allowance)/m);
  });

  it("an unreachable target names its host (exit 4)", async () => {
    const gone = await serveEmulator();
    const url = gone.url;
    await gone.close();
    const result = await runCli(["hello", "--base-url", url], { env: DEMO });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach ${new URL(url).host}`, "m"));
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("a failed job exits 1 and says why, during the wait and when looked at later", async () => {
    // The emulator's URL of an object, without the signature that would make it a pre-signed GET.
    const unsigned = new URL(
      (await createEmulatorControl({ baseUrl: emulator.url }).presign("missing.png", "GET")).url,
    );
    unsigned.search = "";
    const result = await runCli(
      ["mask", "--input-url", unsigned.href, "--out", join(dir, "f.png"), "--base-url", emulator.url],
      { env: DEMO },
    );
    expect(result.code).toBe(1);
    // The service's own details[].reason follows Adobe's type and title.
    expect(result.stderr).toMatch(
      /^error: job \S+ failed \(FileLinkInvalidError: Asset Link Invalid\): The link is not a valid pre-signed GET URL\.$/m,
    );
    expect(result.stderr).toMatch(/^hint: the service could not read the input or write the output/m);
    expect(result.stderr).not.toMatch(STACK_FRAME);

    // Looking at the failed job later says the same, as one JSON document under --json.
    const jobId = /job (\S+) failed/.exec(result.stderr)?.[1];
    const status = await runCli(
      ["status", `${emulator.url}/sensei/status/${jobId}`, "--base-url", emulator.url, "--json"],
      {
        env: DEMO,
      },
    );
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`error: job ${jobId} failed (FileLinkInvalidError: Asset Link Invalid)`);
    expect(JSON.parse(status.stdout)).toMatchObject({ ok: false, error: { exitCode: 1 } });
  });
});

describe.concurrent("--timeout", () => {
  it("gives up a job that does not finish in time: exit 4 and how to look at it later", async (context) => {
    const slow = await ownEmulator(context, { jobs: { pendingMs: 600_000 } });
    // --timeout is the whole command's deadline, and it must run out while the job waits, not
    // before: the token, the upload and the submission take well under a second on an idle machine,
    // but with a second suite beside this one (load average 40 on 2 cores) they once took over 10 s
    // ("no answer within 10 s"). 30 s leaves them three times that; the job itself never finishes.
    const result = await runCli(
      ["mask", SAMPLE, "--out", join(dir, "late.png"), "--timeout", "30", "--base-url", slow.url],
      { env: DEMO },
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: job \S+ did not finish within 30 s$/m);
    expect(result.stderr).toMatch(
      // The command in the hint works as written: the job is not on Adobe, so it names the base URL.
      new RegExp(
        `^hint: raise --timeout, or look at it later with: psapi status ${slow.url}/sensei/status/\\S+ --base-url ${slow.url}$`,
        "m",
      ),
    );
  });
});

describe.concurrent("--timeout on a v2 document job", () => {
  it("composite gives up a job the emulator holds (its clock stopped): exit 4, and a status command that finds it pending", async (context) => {
    // The emulator's clock never moves, so the job stays pending however long the machine takes;
    // only the CLI's own --timeout ends the wait. 30 s: see the mask test above.
    const held = await serveEmulator(
      { clock: createFakeClock({ start: Date.UTC(2026, 0, 1) }) },
      { checkSpec: true },
    );
    context.onTestFinished(() => held.close());
    const out = join(dir, "held.png");
    const result = await runCli(
      ["composite", SAMPLE, "--out", out, "--timeout", "30", "--base-url", held.url],
      {
        env: DEMO,
      },
    );
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/^error: job \S+ did not finish within 30 s$/m);
    const later = new RegExp(
      `^hint: raise --timeout, or look at it later with: psapi (status ${held.url}/v2/status/\\S+ --base-url ${held.url})$`,
      "m",
    )
      .exec(result.stderr)?.[1]
      ?.split(" ");
    expect(later).toBeDefined();
    expect(result.stderr).not.toMatch(STACK_FRAME);
    // It was polled while it waited, and nothing was written.
    expect(held.requests.filter((line) => line.startsWith("GET /v2/status/")).length).toBeGreaterThan(0);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
    const status = await runCli(later ?? [], { env: DEMO });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^job \S+: pending$/m);
  });
});

describe.concurrent("Ctrl-C", () => {
  it("cancels a long wait cleanly: exit 130, one line, and a command that shows the job later", async (context) => {
    const slow = await ownEmulator(context, { jobs: { pendingMs: 600_000 } });
    const run = startCli(["mask", SAMPLE, "--out", join(dir, "never.png"), "--base-url", slow.url], {
      env: DEMO,
    });
    await slow.waitForRequest("GET /sensei/status/");
    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/^error: interrupted while waiting for job \S+$/m);
    const later = new RegExp(
      `^hint: .*: psapi (status ${slow.url}/sensei/status/\\S+ --base-url ${slow.url})$`,
      "m",
    )
      .exec(result.stderr)?.[1]
      ?.split(" ");
    expect(later).toBeDefined();
    expect(result.stderr).not.toMatch(STACK_FRAME);
    // The hint's command works as written: the job is still pending there.
    const status = await runCli(later ?? [], { env: DEMO });
    expect(status.stdout).toMatch(/^job \S+: pending$/m);
    expect(status.code).toBe(0);
  });
});

describe.concurrent("psapi emulator", () => {
  /** Starts `psapi emulator --port 0` and resolves with its URL once it listens. */
  async function startEmulatorCommand() {
    const server = startCli(["emulator", "--port", "0"], { detached: true });
    const url = await new Promise<string>((resolve) => {
      server.child.stdout?.on("data", (chunk: Buffer) => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
    });
    return { server, url };
  }

  it("serves the emulator until Ctrl-C; other commands reach it with --base-url", async () => {
    const { server, url } = await startEmulatorCommand();
    const hello = await runCli(["hello", "--base-url", url], { env: DEMO });
    // Ctrl-C in a terminal signals the whole foreground process group: psapi and the server.
    process.kill(-(server.child.pid ?? 0), "SIGINT");
    const result = await server.done;
    expect(hello.stdout).toBe("Welcome to the Photoshop API!\n");
    expect(result.code).toBe(0);
    // The server got the terminal's SIGINT and nothing more: one shutdown, said once.
    expect(result.stdout.match(/shutting down/g)).toEqual(["shutting down"]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("stops the server, not only itself, when psapi alone gets SIGTERM", async () => {
    const { server, url } = await startEmulatorCommand();
    server.child.kill("SIGTERM");
    const result = await server.done;
    expect(result.stdout).toContain("shutting down");
    // The server is gone too: nothing answers on its port.
    await expect(fetch(url)).rejects.toThrow();
  });

  it("passes a bad flag's error through and exits 2", async () => {
    const result = await runCli(["emulator", "--port", "nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be an integer");
  });

  it("refuses --base-url, which would otherwise be dropped without a word, and starts nothing", async () => {
    const result = await runCli(["emulator", "--port", "0", "--base-url", "http://127.0.0.1:4010"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: psapi emulator takes the server's flags, not --base-url$/m);
  });
});
