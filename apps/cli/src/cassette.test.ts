// `psapi cassette validate` and `psapi cassette diff`: a cassette recorded against the emulator meets
// the specs and diffs clean; the same cassette with an answer changed on purpose does not, one line
// per violation or difference, in its category; `--report` writes Markdown and JSON; a file that is
// not a cassette is a usage error.
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator } from "@psapi/mock-server";
import {
  type CassetteCheckReport,
  type CassetteDiffReport,
  recordingFetch,
} from "@psapi/mock-server/cassette";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodePage } from "./docs-url.js";
import { runCli } from "./testing/run-cli.js";

const ORIGIN = "http://127.0.0.1:4010";
let dir: string;
let cassette: string;
/** A whole remove-background job: token, upload, submission, polls, download. */
let job: string;
const FIXTURE = fileURLToPath(
  new URL("../../../packages/tests/fixtures/cassettes/remove-background.har", import.meta.url),
);
// A 16×12 PNG, white square on black: the emulator's mask finds the square.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAAAAABOjGJdAAAAEklEQVR4nGNgIA/8hwLaCpAGAA7JL9E8TxjvAAAAAElFTkSuQmCC",
  "base64",
);

/** Records one remove-background job against an emulator with its own client (Adobe's stand-in). */
async function recordJob(file: string): Promise<void> {
  let now = Date.UTC(2026, 0, 1);
  const client = { clientId: "cassette-job-client", clientSecret: "job-upstream-s3cret-value" };
  const app = createEmulator({
    clients: [client],
    publicUrl: ORIGIN,
    clock: { now: () => Date.UTC(2026, 0, 1), sleep: () => new Promise(() => {}) },
  });
  const upstream = async (request: Request) => app.fetch(request);
  const control = createEmulatorControl({ baseUrl: ORIGIN, fetch: upstream });
  const recorder = recordingFetch({
    cassette: file,
    mode: "record",
    fetch: upstream,
    clock: { now: () => now },
  });
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
  const put = await control.presign("in/square.png", "PUT");
  await recorder.fetch(put.url, { method: "PUT", headers: { "content-type": "image/png" }, body: PNG });
  const input = (await control.presign("in/square.png", "GET")).url;
  const submitted = await recorder.fetch(`${ORIGIN}/v2/remove-background`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ image: { source: { url: input } }, mode: "mask" }),
  });
  const { statusUrl } = (await submitted.json()) as { statusUrl: string };
  let status: { status?: string; result?: { outputs: { destination: { url: string } }[] } } = {};
  while (status.status !== "succeeded") {
    now += 500;
    await control.advanceClock(500);
    status = (await (await recorder.fetch(statusUrl, { headers })).json()) as typeof status;
  }
  for (const output of status.result?.outputs ?? []) await recorder.fetch(output.destination.url);
  await recorder.save();
}

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
  job = join(dir, "job.har");
  await recordJob(job);
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

describe("psapi cassette validate --report", () => {
  it("writes the Markdown and JSON reports into the directory, named after the cassette", async () => {
    const reports = join(dir, "reports-validate");
    const result = await runCli(["cassette", "validate", job, "--report", reports]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `report: ${join(reports, "job.validate.md")}, ${join(reports, "job.validate.json")}`,
    );
    const json = JSON.parse(
      await readFile(join(reports, "job.validate.json"), "utf8"),
    ) as CassetteCheckReport;
    expect(json).toMatchObject({
      report: "cassette-validate",
      format: 1,
      cassette: job,
      entries: 6,
      // The emulator's storage routes are in emulator.yaml: the upload and download are checked too.
      checked: 6,
      unchecked: 0,
      violations: [],
    });
    const markdown = await readFile(join(reports, "job.validate.md"), "utf8");
    expect(markdown).toContain(`# Cassette validation: ${job}`);
    expect(markdown).toContain(
      "6 entries: 6 recorded answers checked against psapi's specs, 0 not in the specs (storage and other hosts), **0 violations**.",
    );
  });
});

describe("psapi cassette diff", () => {
  it("finds no difference between a job recorded from an emulator and a fresh one, exit 0", async () => {
    const result = await runCli(["cassette", "diff", job]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(
      "5 recorded exchanges compared with the emulator, 1 not compared, 0 differences (0 spec-fix, 0 emulator-bug, 0 fidelity-gap)",
    );
    expect(result.code).toBe(0);
  });

  it("diffs the error answers of the first cassette clean too: an unknown job's 404 and a refused input's 400", async () => {
    const result = await runCli(["cassette", "diff", cassette]);
    expect(result.stdout.trim()).toBe(
      "3 recorded exchanges compared with the emulator, 0 not compared, 0 differences (0 spec-fix, 0 emulator-bug, 0 fidelity-gap)",
    );
    expect(result.code).toBe(0);
  });

  it("reports an answer changed on purpose in its category, one line each, with the reports, exit 1", async () => {
    const har = JSON.parse(await readFile(job, "utf8"));
    // 202 → 200 where the spec says 202: the recording breaks the spec.
    har.log.entries[2].response.status = 200;
    // A field renamed in the final status, where the spec allows either: a fidelity gap.
    const final = har.log.entries.at(-2);
    const body = JSON.parse(final.response.content.text);
    body.modified_time = body.modifiedTime;
    delete body.modifiedTime;
    final.response.content.text = JSON.stringify(body);
    const changed = join(dir, "changed-job.har");
    await writeFile(changed, JSON.stringify(har));
    await symlink(`${job}.blobs`, `${changed}.blobs`);
    const reports = join(dir, "reports-diff");
    const result = await runCli(["cassette", "diff", changed, "--report", reports]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^report: .*changed-job\.diff\.md, .*changed-job\.diff\.json$/);
    expect(lines[1]).toBe(
      "entry 2: POST /v2/remove-background (removeBackgroundV2) spec-fix: status 200 is not declared for removeBackgroundV2",
    );
    expect(lines[2]).toMatch(
      /^entry 4: GET \/v2\/status\/\S+ \(getV2JobStatus\) fidelity-gap: \/modified_time is in the recorded answer, not in the emulator's$/,
    );
    expect(lines[3]).toMatch(
      /^entry 4: .* fidelity-gap: \/modifiedTime is in the emulator's answer, not in the recorded one$/,
    );
    expect(lines.at(-2)).toContain("3 differences (1 spec-fix, 0 emulator-bug, 2 fidelity-gap)");
    expect(lines.at(-1)).toBe(`docs: ${exitCodePage(1)}`);

    const json = JSON.parse(
      await readFile(join(reports, "changed-job.diff.json"), "utf8"),
    ) as CassetteDiffReport;
    expect(json).toMatchObject({
      report: "cassette-diff",
      format: 1,
      cassette: changed,
      entries: 6,
      compared: 5,
      minIoU: 0.9,
    });
    expect(json.counts).toEqual({ "spec-fix": 1, "emulator-bug": 0, "fidelity-gap": 2 });
    expect(json.differences.map((d) => [d.category, d.kind, d.entry, d.pointer])).toEqual([
      ["spec-fix", "spec", 2, undefined],
      ["fidelity-gap", "missing", 4, "/modified_time"],
      ["fidelity-gap", "extra", 4, "/modifiedTime"],
    ]);
    expect(json.skipped).toEqual([expect.objectContaining({ entry: 1, method: "PUT", reason: "upload" })]);
    expect(json.images).toEqual([
      expect.objectContaining({ entry: 5, recorded: { width: 16, height: 12, format: "png" }, iou: 1 }),
    ]);
    const markdown = await readFile(join(reports, "changed-job.diff.md"), "utf8");
    expect(markdown).toContain("| spec-fix | 1 |\n| emulator-bug | 0 |\n| fidelity-gap | 2 |");
    expect(markdown).toContain("## Fidelity gaps: both answers meet the spec but differ");
    expect(markdown).toContain(
      "| missing | `/modified_time` | /modified_time is in the recorded answer, not in the emulator's |",
    );
    expect(markdown).toContain("| 5 | `/__emulator/storage/objects/");
    expect(markdown).toContain("| 16×12 png | 16×12 png | 1.000 |");
  });

  it("diffs the committed remove-background cassette clean: its job replayed on the emulator, its mask measured", async () => {
    const result = await runCli(["cassette", "diff", FIXTURE, "--json"]);
    const json = JSON.parse(result.stdout) as CassetteDiffReport & { ok: boolean };
    expect(json.differences).toEqual([]);
    expect(result.code).toBe(0);
    // Token, submission, two polls and the download compared; the input's upload seeded the emulator.
    expect(json.compared).toBe(5);
    expect(json.skipped.map((s) => [s.entry, s.reason])).toEqual([[0, "upload"]]);
    expect(json.images).toEqual([
      expect.objectContaining({
        recorded: { width: 64, height: 48, format: "png" },
        emulator: { width: 64, height: 48, format: "png" },
        iou: 1,
      }),
    ]);
  });

  it("refuses a file that is not a cassette, and an overlap out of 0-1, exit 2", async () => {
    const broken = join(dir, "broken-diff.har");
    await writeFile(broken, "{");
    const result = await runCli(["cassette", "diff", broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${broken} is not a psapi cassette: (root) is not JSON`);
    const iou = await runCli(["cassette", "diff", job, "--min-iou", "2"]);
    expect(iou.code).toBe(2);
    expect(iou.stderr).toContain("expected a number from 0 to 1");
  });
});
