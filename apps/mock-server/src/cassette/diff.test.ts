// `diffCassette`: a session recorded (with `recordingFetch`) against an emulator standing in for
// Adobe, with its own client id and secret, diffs clean against a fresh emulator; the same cassette
// changed on purpose (a field renamed, a status changed, an output image changed) shows each change
// in its category, with the measured size or mask overlap.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRecord } from "@psapi/core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator } from "../app.js";
import { createEmulatorControl } from "../control-client/control-client.js";
import { type CassetteDiffReport, diffCassette } from "./diff.js";
import { type Cassette, type CassetteEntry, readCassette, sha256 } from "./format.js";
import { recordingFetch, type UpstreamFetch } from "./recording-fetch.js";
import { diffReportMarkdown } from "./report.js";

const ORIGIN = "http://127.0.0.1:4010";
const UPSTREAM = { clientId: "diff-upstream-client", clientSecret: "diff-upstream-s3cret" };
const START = Date.UTC(2026, 0, 1);
const SIZE = { width: 64, height: 48 };

/** A bright disk on a dark ground: a subject the emulator's mask finds. */
function subjectPng(width = SIZE.width, height = SIZE.height, radius = 14): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#102030"/><circle cx="${width / 2}" cy="${height / 2}" r="${radius}" fill="#f0e0c0"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * Records one job through `recordingFetch`: a token, the input's upload, the submission, polls
 * every 250 ms of virtual time until the job ends, and each output's download.
 */
async function record(file: string, operation: "remove-background" | "mask-objects"): Promise<void> {
  let elapsed = 0;
  const app = createEmulator({
    clients: [UPSTREAM],
    publicUrl: ORIGIN,
    clock: { now: () => START, sleep: () => new Promise(() => {}) },
  });
  const upstream: UpstreamFetch = async (request) => app.fetch(request);
  const control = createEmulatorControl({ baseUrl: ORIGIN, fetch: upstream });
  const recorder = recordingFetch({
    cassette: file,
    mode: "record",
    fetch: upstream,
    clock: { now: () => START + elapsed },
  });
  const token = (await (
    await recorder.fetch(`${ORIGIN}/ims/token/v3`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: UPSTREAM.clientId,
        client_secret: UPSTREAM.clientSecret,
        scope: "openid,AdobeID,read_organizations",
      }),
    })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, "x-api-key": UPSTREAM.clientId };
  // remove-background's input is uploaded through the recorder, mask-objects' downloaded through
  // it: either puts the input's bytes in the cassette.
  if (operation === "remove-background") {
    const put = await control.presign("in/subject.png", "PUT");
    const upload = await recorder.fetch(put.url, {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(await subjectPng()),
    });
    expect(upload.ok).toBe(true);
  } else {
    const url = await control.putObject("in/subject.png", new Uint8Array(await subjectPng()), "image/png");
    expect((await recorder.fetch(url)).status).toBe(200);
  }
  const input = (await control.presign("in/subject.png", "GET")).url;
  const body =
    operation === "remove-background"
      ? { image: { source: { url: input } }, mode: "mask" }
      : { image: { source: { url: input } } };
  const submitted = await recorder.fetch(
    `${ORIGIN}/${operation === "remove-background" ? "v2" : "v1"}/${operation}`,
    {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  expect(submitted.status).toBe(202);
  const { statusUrl } = (await submitted.json()) as { statusUrl: string };
  let status: Record<string, unknown> = {};
  for (let poll = 0; poll < 40 && !["succeeded", "failed"].includes(String(status.status)); poll++) {
    elapsed += 250;
    await control.advanceClock(250);
    status = (await (await recorder.fetch(statusUrl, { headers })).json()) as Record<string, unknown>;
  }
  expect(status.status).toBe("succeeded");
  const urls =
    JSON.stringify(status).match(/http:\/\/127\.0\.0\.1:4010\/__emulator\/storage\/objects\/[^"]+/g) ?? [];
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) expect((await recorder.fetch(url)).status).toBe(200);
  await recorder.save();
}

let dir: string;
const cassettes: Record<string, Cassette> = {};
/** A deep copy, so that each test changes its own. */
const copy = (cassette: Cassette): Cassette => ({
  har: structuredClone(cassette.har),
  blobs: new Map(cassette.blobs),
});
const find = (cassette: Cassette, test: (entry: CassetteEntry) => boolean): [number, CassetteEntry] => {
  const index = cassette.har.log.entries.findIndex(test);
  expect(index).toBeGreaterThanOrEqual(0);
  return [index, cassette.har.log.entries[index] as CassetteEntry];
};
const lastStatus = (cassette: Cassette) =>
  find(
    cassette,
    (entry) =>
      entry._psapi.operationId !== undefined &&
      entry.request.method === "GET" &&
      (entry.response.content.text ?? "").includes('"succeeded"'),
  );
const download = (cassette: Cassette) =>
  find(
    cassette,
    (entry) => entry.response.content._psapi?.blob !== undefined && entry.request.method === "GET",
  );
const editJson = (entry: CassetteEntry, edit: (body: Record<string, unknown>) => void) => {
  const body = JSON.parse(entry.response.content.text ?? "{}") as Record<string, unknown>;
  edit(body);
  entry.response.content.text = JSON.stringify(body);
};
const replaceBlob = (cassette: Cassette, entry: CassetteEntry, bytes: Uint8Array) => {
  const sha = sha256(bytes);
  cassette.blobs.set(sha, bytes);
  entry.response.content._psapi = { blob: sha };
  entry.response.content.size = bytes.length;
};
const summary = (report: CassetteDiffReport) =>
  report.differences.map((d) => `${d.category} ${d.kind} ${d.entry}${d.pointer ? ` ${d.pointer}` : ""}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-diff-"));
  for (const operation of ["remove-background", "mask-objects"] as const) {
    const file = join(dir, `${operation}.har`);
    await record(file, operation);
    cassettes[operation] = await readCassette(file);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("diffCassette", () => {
  it.each(["remove-background", "mask-objects"])(
    "finds no difference between %s recorded from an emulator and a fresh one",
    async (name) => {
      const cassette = cassettes[name] as Cassette;
      const report = await diffCassette(cassette, { file: `${name}.har`, emulator: createEmulator });
      expect(summary(report)).toEqual([]);
      expect(report.counts).toEqual({ "spec-fix": 0, "emulator-bug": 0, "fidelity-gap": 0 });
      // Token, submission, every poll and every download compared; the input's upload or download
      // seeded the emulator.
      expect(report.skipped.map((s) => s.reason)).toEqual([
        name === "remove-background" ? "upload" : "input-download",
      ]);
      expect(report.compared).toBe(cassette.har.log.entries.length - 1);
      expect(report.images.length).toBeGreaterThan(0);
      for (const image of report.images) {
        expect(image.recorded).toEqual(image.emulator);
        expect(image.iou).toBe(1);
      }
    },
  );

  it("sorts a recorded status changed against the spec and a renamed required field into spec fixes", async () => {
    const cassette = copy(cassettes["remove-background"] as Cassette);
    const [submission] = find(cassette, (entry) => entry._psapi.operationId === "removeBackgroundV2");
    (cassette.har.log.entries[submission] as CassetteEntry).response.status = 200;
    const [final, entry] = lastStatus(cassette);
    editJson(entry, (body) => {
      body.state = body.status;
      delete body.status;
    });
    const report = await diffCassette(cassette, { emulator: createEmulator });
    expect(report.counts).toEqual({ "spec-fix": 2, "emulator-bug": 0, "fidelity-gap": 0 });
    const [status, renamed] = report.differences;
    expect(status).toMatchObject({
      category: "spec-fix",
      kind: "spec",
      entry: submission,
      operationId: "removeBackgroundV2",
    });
    expect(status?.problem).toContain("status 200 is not declared");
    expect(renamed).toMatchObject({ category: "spec-fix", kind: "spec", entry: final });
    expect(renamed?.problem).toContain("status");
    // The job still ran to its end in the emulator, and its output was compared.
    expect(report.images).toHaveLength(1);
  });

  it("sorts a renamed optional field and a changed enum value, both within the spec, into fidelity gaps", async () => {
    const cassette = copy(cassettes["remove-background"] as Cassette);
    const [final, entry] = lastStatus(cassette);
    editJson(entry, (body) => {
      body.modified_time = body.modifiedTime;
      delete body.modifiedTime;
      const output = ((body.result as Record<string, unknown>).outputs as Record<string, unknown>[])[0];
      if (output) output.mediaType = "image/jpeg";
    });
    const report = await diffCassette(cassette, { emulator: createEmulator });
    expect(summary(report)).toEqual([
      `fidelity-gap value ${final} /result/outputs/0/mediaType`,
      `fidelity-gap missing ${final} /modified_time`,
      `fidelity-gap extra ${final} /modifiedTime`,
    ]);
    expect(report.differences[0]).toMatchObject({ recorded: "image/jpeg", emulator: "image/png" });
  });

  it("sorts a status both answers may have (a recorded 404, the emulator's 200) into a fidelity gap", async () => {
    const cassette = copy(cassettes["remove-background"] as Cassette);
    // A real 404 of the emulator's, so that the recorded answer meets the spec.
    const app = createEmulator({ clients: [UPSTREAM] });
    const token = (await (
      await app.request("/ims/token/v3", {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: UPSTREAM.clientId,
          client_secret: UPSTREAM.clientSecret,
        }),
      })
    ).json()) as { access_token: string };
    const unknown = await app.request("/v2/status/no-such-job", {
      headers: { authorization: `Bearer ${token.access_token}`, "x-api-key": UPSTREAM.clientId },
    });
    expect(unknown.status).toBe(404);
    const [index, poll] = find(
      cassette,
      (entry) => entry.request.method === "GET" && entry._psapi.job !== undefined,
    );
    poll.response.status = 404;
    poll.response.content.text = await unknown.text();
    const report = await diffCassette(cassette, { emulator: createEmulator });
    expect(report.differences).toEqual([
      expect.objectContaining({
        category: "fidelity-gap",
        kind: "status",
        entry: index,
        recorded: 404,
        emulator: 200,
      }),
    ]);
    expect(report.differences[0]?.problem).toBe("status 404 recorded, 200 from the emulator");
  });

  it("shows a value only the emulator gives with its URLs cut at the query: no signature in a report", async () => {
    const cassette = copy(cassettes["mask-objects"] as Cassette);
    const [final, entry] = lastStatus(cassette);
    editJson(entry, (body) => {
      body.semanticMasks = [];
    });
    const report = await diffCassette(cassette, { emulator: createEmulator });
    const extra = report.differences.find((d) => d.pointer === "/semanticMasks/0");
    expect(extra).toMatchObject({ category: "fidelity-gap", kind: "extra", entry: final });
    const urls = JSON.stringify(extra?.emulator).match(/https?:\/\/[^"]*/g) ?? [];
    expect(urls).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:4010\/__emulator\/storage\/objects\/[^?]+$/),
    ]);
  });

  it("sorts emulator answers that break the spec (a 200 for a 202, an unknown job state) into emulator bugs", async () => {
    const cassette = copy(cassettes["mask-objects"] as Cassette);
    const [submission] = find(cassette, (entry) => entry._psapi.operationId === "maskObjects");
    const [final] = lastStatus(cassette);
    let polls = 0;
    const report = await diffCassette(cassette, {
      emulator: createEmulator,
      interpose: (fetch) => async (request) => {
        const answer = await fetch(request);
        if (request.method === "POST" && new URL(request.url).pathname === "/v1/mask-objects")
          return new Response(await answer.text(), { status: 200, headers: answer.headers });
        if (request.method !== "GET" || !new URL(request.url).pathname.startsWith("/v1/status/"))
          return answer;
        polls++;
        const body: unknown = await answer.json();
        if (isRecord(body) && body.status === "succeeded") body.status = "done";
        return Response.json(body, { status: answer.status });
      },
    });
    expect(polls).toBeGreaterThan(0);
    expect(report.counts["emulator-bug"]).toBe(2);
    expect(report.differences.filter((d) => d.category === "emulator-bug").map((d) => d.entry)).toEqual([
      submission,
      final,
    ]);
    expect(report.differences[0]?.problem).toContain("status 200 is not declared");
  });

  it("measures a changed output image: another size, or another mask, is a fidelity gap with the numbers", async () => {
    const resized = copy(cassettes["remove-background"] as Cassette);
    const [index, entry] = download(resized);
    const original = resized.blobs.get(entry.response.content._psapi?.blob ?? "") as Uint8Array;
    replaceBlob(resized, entry, new Uint8Array(await sharp(original).resize(32, 24).png().toBuffer()));
    const bigger = await diffCassette(resized, { emulator: createEmulator });
    expect(bigger.differences).toEqual([
      expect.objectContaining({
        category: "fidelity-gap",
        kind: "image-size",
        entry: index,
        recorded: { width: 32, height: 24 },
        emulator: SIZE,
      }),
    ]);
    expect(bigger.differences[0]?.iou).toBeGreaterThan(0.8);

    const shifted = copy(cassettes["remove-background"] as Cassette);
    const [, other] = download(shifted);
    const smaller = await sharp(await subjectPng(SIZE.width, SIZE.height, 6))
      .greyscale()
      .png()
      .toBuffer();
    replaceBlob(shifted, other, new Uint8Array(smaller));
    // Served as bytes, as some hosts do: a content-type gap, and the image is still measured.
    for (const header of other.response.headers)
      if (header.name === "content-type") header.value = "application/octet-stream";
    const report = await diffCassette(shifted, { emulator: createEmulator });
    expect(report.differences).toHaveLength(2);
    const [type, mask] = report.differences;
    expect(type).toMatchObject({
      kind: "content-type",
      recorded: "application/octet-stream",
      emulator: "image/png",
    });
    expect(mask).toMatchObject({ category: "fidelity-gap", kind: "image-mask", entry: index });
    expect(mask?.iou).toBeGreaterThan(0);
    expect(mask?.iou).toBeLessThan(0.5);
    expect(report.images).toEqual([
      {
        entry: index,
        path: expect.stringContaining("/__emulator/storage/objects/"),
        recorded: { ...SIZE, format: "png" },
        emulator: { ...SIZE, format: "png" },
        iou: mask?.iou,
      },
    ]);
  });

  it("lists a job whose input the cassette lacks as not compared: its submission, polls and outputs", async () => {
    const cassette = copy(cassettes["remove-background"] as Cassette);
    cassette.har.log.entries = cassette.har.log.entries.filter((entry) => entry.request.method !== "PUT");
    const report = await diffCassette(cassette, { emulator: createEmulator });
    expect(report.differences).toEqual([]);
    expect(report.compared).toBe(1);
    expect(new Set(report.skipped.map((s) => s.reason))).toEqual(new Set(["job-not-replayed"]));
    expect(report.skipped).toHaveLength(cassette.har.log.entries.length - 1);
    expect(report.skipped.at(-1)?.detail).toMatch(/^an output of a job not replayed: /);
  });

  it("writes the differences as Markdown, one table per category", async () => {
    const cassette = copy(cassettes["remove-background"] as Cassette);
    const [submission] = find(cassette, (entry) => entry._psapi.operationId === "removeBackgroundV2");
    (cassette.har.log.entries[submission] as CassetteEntry).response.status = 200;
    const markdown = diffReportMarkdown(
      await diffCassette(cassette, { file: "rb.har", emulator: createEmulator }),
    );
    expect(markdown).toContain("# Cassette diff: rb.har");
    expect(markdown).toContain("| spec-fix | 1 |");
    expect(markdown).toContain("## Spec fixes: the recorded answer breaks psapi's spec");
    expect(markdown).toMatch(
      /\| \d \| `POST \/v2\/remove-background` \| removeBackgroundV2 \| spec \| +\| status 200 is not declared/,
    );
    expect(markdown).toContain("## Output images");
    expect(markdown).not.toContain("## Emulator bugs");
  });
});
