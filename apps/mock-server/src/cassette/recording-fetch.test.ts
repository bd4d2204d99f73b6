import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCassette } from "./format.js";
import { recordingFetch } from "./recording-fetch.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-recording-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const API = "https://image.adobe.io";
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** A scripted upstream: one answer per call, in order; counts its calls. */
function scripted(answers: (() => Response)[]) {
  const upstream = async (_request: Request) => {
    const answer = answers[upstream.calls] ?? answers.at(-1);
    upstream.calls++;
    if (!answer) throw new Error("no answer");
    return answer();
  };
  upstream.calls = 0;
  return upstream;
}

const submit = (fetch: (input: string, init?: RequestInit) => Promise<Response>) =>
  fetch(`${API}/v2/remove-background`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer live-token-123" },
    body: JSON.stringify({
      image: { source: { url: "https://b.s3.amazonaws.com/in.png?X-Amz-Signature=abcdef123" } },
    }),
  });

describe("recordingFetch", () => {
  it("keeps a recorded 429 and its Retry-After, then the answer that followed it, and the last one stays", async () => {
    const cassette = join(dir, "429.har");
    let now = 0;
    const upstream = scripted([
      () => json({ error_code: "429050", message: "Too many requests" }, 429, { "retry-after": "7" }),
      () => json({ jobId: "job-1", statusUrl: `${API}/v2/status/job-1` }, 202),
    ]);
    const recorder = recordingFetch({ cassette, mode: "record", fetch: upstream, clock: { now: () => now } });
    expect((await submit(recorder.fetch)).status).toBe(429);
    now += 7_000;
    expect((await submit(recorder.fetch)).status).toBe(202);
    await recorder.save();

    const replayer = recordingFetch({ cassette, clock: { now: () => now } });
    expect(replayer.mode).toBe("replay");
    const first = await submit(replayer.fetch);
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await submit(replayer.fetch)).status).toBe(202);
    expect((await submit(replayer.fetch)).status).toBe(202);
  });

  it("replays a job's polls on its recorded timeline, whatever the poll times, and keeps the last state", async () => {
    const cassette = join(dir, "job.har");
    let now = 1_000;
    const upstream = scripted([
      () => json({ jobId: "job-9", statusUrl: `${API}/v2/status/job-9` }, 202),
      () => json({ jobId: "job-9", status: "pending" }),
      () => json({ jobId: "job-9", status: "running" }),
      () => json({ jobId: "job-9", status: "succeeded" }),
    ]);
    const recorder = recordingFetch({ cassette, mode: "record", fetch: upstream, clock: { now: () => now } });
    await submit(recorder.fetch);
    for (const at of [100, 1_000, 3_000]) {
      now = 1_000 + at;
      await recorder.fetch(`${API}/v2/status/job-9`);
    }
    await recorder.save();
    const { har } = await readCassette(cassette);
    expect(har.log.creator).toEqual({
      name: "@psapi/mock-server",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(har.log.entries.map((entry) => entry._psapi.job)).toEqual([
      { id: "job-9", t: 0 },
      { id: "job-9", t: 100 },
      { id: "job-9", t: 1_000 },
      { id: "job-9", t: 3_000 },
    ]);

    now = 50_000;
    const replayer = recordingFetch({ cassette, mode: "replay", clock: { now: () => now } });
    await submit(replayer.fetch);
    const statusAt = async (elapsed: number) => {
      now = 50_000 + elapsed;
      return ((await (await replayer.fetch(`${API}/v2/status/job-9`)).json()) as { status: string }).status;
    };
    expect(await statusAt(0)).toBe("pending");
    expect(await statusAt(500)).toBe("pending");
    expect(await statusAt(999)).toBe("pending");
    expect(await statusAt(1_000)).toBe("running");
    expect(await statusAt(2_999)).toBe("running");
    expect(await statusAt(3_000)).toBe("succeeded");
    expect(await statusAt(60_000)).toBe("succeeded");
  });

  it("record-missing replays what it has and records the rest; passthrough records nothing", async () => {
    const cassette = join(dir, "missing.har");
    const upstream = scripted([
      () => json({ jobId: "a" }, 202),
      () => json({ status: "succeeded", jobId: "b" }),
    ]);
    const first = recordingFetch({ cassette, mode: "record", fetch: upstream });
    await submit(first.fetch);
    await first.save();
    const second = recordingFetch({ cassette, mode: "record-missing", fetch: upstream });
    await submit(second.fetch);
    expect(upstream.calls).toBe(1);
    await second.fetch(`${API}/v2/status/b`);
    expect(upstream.calls).toBe(2);
    await second.save();
    expect((await readCassette(cassette)).har.log.entries).toHaveLength(2);

    const other = join(dir, "passthrough.har");
    const passthrough = recordingFetch({ cassette: other, mode: "passthrough", fetch: upstream });
    await submit(passthrough.fetch);
    await passthrough.save();
    expect(existsSync(other)).toBe(false);
  });

  it("unused() names the recorded entries a replay never served; skipped poll states are not unused", async () => {
    const cassette = join(dir, "unused.har");
    let now = 0;
    const upstream = scripted([
      () => json({ jobId: "job-u", statusUrl: `${API}/v2/status/job-u` }, 202),
      () => json({ jobId: "job-u", status: "pending" }),
      () => json({ jobId: "job-u", status: "running" }),
      () => json({ jobId: "job-u", status: "succeeded" }),
      () => new Response(new Uint8Array([1, 2]), { headers: { "content-type": "image/png" } }),
    ]);
    const recorder = recordingFetch({ cassette, mode: "record", fetch: upstream, clock: { now: () => now } });
    await submit(recorder.fetch);
    for (const at of [100, 1_000, 3_000]) {
      now = at;
      await recorder.fetch(`${API}/v2/status/job-u`);
    }
    await recorder.fetch("https://b.s3.amazonaws.com/out.png?X-Amz-Signature=abcdef123");
    expect(await recorder.unused()).toEqual([]);
    await recorder.save();

    // A replay that polls once, late (skipping pending and running), and never downloads.
    const replayer = recordingFetch({ cassette, mode: "replay", clock: { now: () => now } });
    await submit(replayer.fetch);
    now += 10_000;
    await replayer.fetch(`${API}/v2/status/job-u`);
    expect(await replayer.unused()).toEqual([
      {
        index: 4,
        method: "GET",
        operation: "/out.png",
        url: "https://b.s3.amazonaws.com/out.png",
        status: 200,
        served: 0,
      },
    ]);
    // Before anything is replayed, every entry is unused.
    const untouched = await recordingFetch({ cassette, mode: "replay" }).unused();
    expect(untouched.map(({ index }) => index)).toEqual([0, 1, 2, 3, 4]);
  });
});
