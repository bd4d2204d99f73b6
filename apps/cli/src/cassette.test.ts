// `psapi cassette validate`: a cassette recorded against the emulator meets the specs; the same
// cassette with an answer changed on purpose does not, one line per violation; a file that is not a
// cassette is a usage error.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "@psapi/mock-server";
import { recordingFetch } from "@psapi/mock-server/cassette";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodePage } from "./docs-url.js";
import { runCli } from "./testing/run-cli.js";

const ORIGIN = "http://127.0.0.1:4010";
let dir: string;
let cassette: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-cassette-"));
  cassette = join(dir, "session.har");
  const client = { clientId: "cassette-upstream-client", clientSecret: "upstream-s3cret-value" };
  const app = createEmulator({ clients: [client], publicUrl: ORIGIN, jobs: { pendingMs: 0, runningMs: 0 } });
  const recorder = recordingFetch({ cassette, mode: "record", fetch: async (request) => app.fetch(request) });
  const token = (await (
    await recorder.fetch(`${ORIGIN}/ims/token/v3`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: client.clientId,
        client_secret: client.clientSecret,
        scope: "openid,AdobeID,read_organizations",
      }),
    })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, "x-api-key": client.clientId };
  const submitted = await recorder.fetch(`${ORIGIN}/v2/remove-background`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ image: { source: { url: "https://example.com/not-allowed.png" } } }),
  });
  expect(submitted.status).toBe(400);
  expect((await recorder.fetch(`${ORIGIN}/v2/status/no-such-job`, { headers })).status).toBe(404);
  await recorder.save();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("psapi cassette validate", () => {
  it("passes a cassette recorded against the emulator: every answer meets the spec", async () => {
    const result = await runCli(["cassette", "validate", cassette]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("3 recorded answers checked, 0 not in the specs, 0 violations");
    expect(result.code).toBe(0);
  });

  it("fails an answer changed on purpose, one line naming the entry and operation, exit 1", async () => {
    const har = JSON.parse(await readFile(cassette, "utf8"));
    har.log.entries[2].response.status = 418;
    const token = JSON.parse(har.log.entries[0].response.content.text);
    har.log.entries[0].response.content.text = JSON.stringify({ ...token, expires_in: "soon" });
    const changed = join(dir, "changed.har");
    await writeFile(changed, JSON.stringify(har));
    const result = await runCli(["cassette", "validate", changed]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^entry 0: POST \/ims\/token\/v3 200 \(getToken\): .*expires_in/);
    expect(lines[1]).toMatch(/^entry 2: GET \/v2\/status\/no-such-job 418 \(getV2JobStatus\): /);
    // The summary, then the page of exit code 1 (every failure names its docs page).
    expect(lines.at(-2)).toContain("3 recorded answers checked, 0 not in the specs, 2 violations");
    expect(lines.at(-1)).toBe(`docs: ${exitCodePage(1)}`);
  });

  it("refuses a file that is not a cassette in one line, exit 2", async () => {
    const broken = join(dir, "broken.har");
    await writeFile(broken, JSON.stringify({ log: { version: "1.1" } }));
    const result = await runCli(["cassette", "validate", broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${broken} is not a psapi cassette: /log/version must be "1.2"`);
    expect(result.stdout).toBe("");
  });
});
