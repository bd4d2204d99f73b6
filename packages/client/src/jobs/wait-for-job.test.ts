import { ImsError } from "@psapi/auth";
import { describe, expect, it } from "vitest";
import { JobFailedError } from "../errors/job-failed-error.js";
import { JobTimeoutError } from "../errors/job-timeout-error.js";
import { PhotoshopApiError } from "../errors/photoshop-api-error.js";
import { json } from "../testing/fake-fetch.js";
import { accepted, MASK_BODY, setup } from "../testing/setup.js";

const STATUS_URL = "https://image.adobe.io/sensei/status/job-1";
const PSD_URL = "https://image.adobe.io/pie/psdService/status/psd-1";
const links = (href: string) => ({ _links: { self: { href } } });
const sensei = (status: string, extra: Record<string, unknown> = {}) =>
  json(200, { jobId: "job-1", status, ...links(STATUS_URL), ...extra });
const output = (status: string, extra: Record<string, unknown> = {}) => ({
  input: "https://bucket.example/in.psd",
  status,
  created: "2026-01-01T00:00:00Z",
  modified: "2026-01-01T00:00:01Z",
  ...extra,
});
const psd = (httpStatus: number, ...outputs: unknown[]) =>
  json(httpStatus, { jobId: "psd-1", outputs, ...links(PSD_URL) });
const SUCCEEDED_OUTPUT = {
  href: "https://bucket.example/out.png?X-Amz-Signature=out-secret",
  storage: "external",
};
const FAILED_ERRORS = {
  type: "FileLinkInvalidError",
  code: 410,
  title: "Asset Link Invalid",
  details: { name: "https://bucket.example/in.jpg?X-Amz-Signature=in-secret", reason: "expired" },
};

describe("job.wait() and waitForJob()", () => {
  it("polls a Sensei job soon after submission, backing off, and resolves with the final body", async () => {
    const { client, clock, seen } = setup([
      accepted("job-1"),
      sensei("pending"),
      sensei("running"),
      sensei("running"),
      sensei("succeeded", { output: SUCCEEDED_OUTPUT }),
    ]);
    const job = await clock.run(client.createMask(MASK_BODY));
    const progress: string[] = [];
    const done = await clock.run(job.wait({ onProgress: (status) => progress.push(status.status) }));
    expect(done).toMatchObject({ jobId: "job-1", status: "succeeded", output: SUCCEEDED_OUTPUT });
    expect(progress).toEqual(["pending", "running", "running"]);
    expect(seen.slice(1).map((request) => [request.method, request.url, request.at])).toEqual([
      ["GET", STATUS_URL, 500],
      ["GET", STATUS_URL, 1250],
      ["GET", STATUS_URL, 2375],
      // The interval is 1687.5 ms; the fake clock, like Date.now(), keeps whole milliseconds.
      ["GET", STATUS_URL, 4063],
    ]);
    expect(seen[1]?.headers.get("authorization")).toBe("Bearer token-1");
  });

  it("caps the poll interval at interval.maxMs", async () => {
    const { client, clock, seen } = setup([
      sensei("running"),
      sensei("running"),
      sensei("running"),
      sensei("succeeded"),
    ]);
    await clock.run(client.waitForJob(STATUS_URL, { interval: { initialMs: 1000, factor: 3, maxMs: 4000 } }));
    expect(seen.map((request) => request.at)).toEqual([1000, 4000, 8000, 12000]);
  });

  it("accepts a fixed interval", async () => {
    const { client, clock, seen } = setup([sensei("running"), sensei("succeeded")]);
    await clock.run(client.waitForJob(STATUS_URL, { interval: 2000 }));
    expect(seen.map((request) => request.at)).toEqual([2000, 4000]);
  });

  it("reads the older jobID key", async () => {
    const { client, clock } = setup([
      json(200, { jobID: "legacy-1", status: "succeeded", ...links(STATUS_URL) }),
    ]);
    const done = await clock.run(client.waitForJob(STATUS_URL));
    expect(done).toMatchObject({ jobId: "legacy-1", status: "succeeded" });
  });

  it("rejects a failed Sensei job with JobFailedError carrying Adobe's errors, redacted", async () => {
    const { client, clock } = setup([sensei("running"), sensei("failed", { errors: FAILED_ERRORS })]);
    const error = await clock.run(client.waitForJob(STATUS_URL)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobFailedError);
    const failed = error as JobFailedError;
    expect(failed.jobId).toBe("job-1");
    expect(failed.message).toContain("FileLinkInvalidError: Asset Link Invalid");
    expect(failed.errors).toEqual([
      { ...FAILED_ERRORS, details: { name: "https://bucket.example/in.jpg?[REDACTED]", reason: "expired" } },
    ]);
    expect(failed.result).toMatchObject({ status: "failed" });
    expect(JSON.stringify(failed)).not.toContain("secret");
    expect(Object.keys(failed)).not.toContain("result");
  });

  it("polls a psdService job through 202 answers, counting uploading as running", async () => {
    const { client, clock, seen } = setup([
      accepted("psd-1", "https://image.adobe.io", "/pie/psdService/status/"),
      psd(202, output("pending")),
      psd(202, output("running")),
      psd(202, output("uploading")),
      psd(200, output("succeeded", { document: { name: "a.psd", width: 10, height: 10 } })),
    ]);
    const job = await clock.run(
      client.getDocumentManifest({
        inputs: [{ href: "https://bucket.example/in.psd", storage: "external" }],
      }),
    );
    expect(job).toMatchObject({ jobId: "psd-1", statusUrl: PSD_URL });
    const done = await clock.run(job.wait());
    expect(done.outputs[0]?.status).toBe("succeeded");
    expect(seen).toHaveLength(5);
  });

  it("keeps polling a psdService job while any output is unfinished", async () => {
    const { client, clock, seen } = setup([
      psd(200, output("succeeded"), output("running")),
      psd(200, output("succeeded"), output("succeeded")),
    ]);
    await clock.run(client.waitForJob(PSD_URL));
    expect(seen).toHaveLength(2);
  });

  it("treats a 202 as running even if every output looks final", async () => {
    const { client, clock, seen } = setup([psd(202, output("succeeded")), psd(200, output("succeeded"))]);
    await clock.run(client.waitForJob(PSD_URL));
    expect(seen).toHaveLength(2);
  });

  it("rejects a psdService job with a failed output with JobFailedError", async () => {
    const { client, clock } = setup([
      psd(200, output("failed", { errors: FAILED_ERRORS }), output("succeeded")),
    ]);
    const error = await clock.run(client.waitForJob(PSD_URL)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).errors).toHaveLength(1);
    expect((error as JobFailedError).errors[0]?.type).toBe("FileLinkInvalidError");
  });

  it("survives a transient failure mid-poll (retried, then polled again)", async () => {
    const failure = json(503, { error_code: "503001", message: "Service Unavailable" });
    const { client, clock, seen } = setup(
      [sensei("running"), failure, new TypeError("socket hang up"), sensei("succeeded")],
      { retry: { maxRetries: 0 } },
    );
    const done = await clock.run(client.waitForJob(STATUS_URL));
    expect(done).toMatchObject({ status: "succeeded" });
    expect(seen).toHaveLength(4);
  });

  it("refreshes the token when a poll meets a 401, and honours Retry-After on a poll's 429", async () => {
    const { client, clock, seen, auth } = setup([
      sensei("running"),
      json(401, { error_code: "401013", message: "Oauth token is not valid" }),
      json(429, { error_code: "429001", message: "Too many requests" }, { "retry-after": "3" }),
      sensei("succeeded"),
    ]);
    await expect(clock.run(client.waitForJob(STATUS_URL))).resolves.toMatchObject({ status: "succeeded" });
    expect(auth.invalidated).toEqual(["token-1"]);
    expect(seen.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer token-1",
      "Bearer token-1",
      "Bearer token-2",
      "Bearer token-2",
    ]);
    // random() is 0, so the back-off is exactly Retry-After.
    expect((seen[3]?.at ?? 0) - (seen[2]?.at ?? 0)).toBe(3_000);
  });

  it("waits at least Retry-After before the next poll when the retry policy gave up", async () => {
    const { client, clock, seen } = setup(
      [
        json(429, { error_code: "429001", message: "Too many requests" }, { "retry-after": "20" }),
        sensei("succeeded"),
      ],
      { retry: { maxRetries: 0 } },
    );
    await clock.run(client.waitForJob(STATUS_URL));
    expect(seen.map((request) => request.at)).toEqual([500, 20_500]);
  });

  it("polls again when a token cannot be had for a moment (IMS out of reach), and stops on an OAuth error", async () => {
    const { client, clock, seen, auth } = setup([sensei("running"), sensei("succeeded")]);
    const headers = auth.headers;
    let failures = [
      new ImsError("network_error", "IMS could not be reached"),
      new ImsError("http_503", "busy", 503),
    ];
    auth.headers = async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return headers();
    };
    await expect(clock.run(client.waitForJob(STATUS_URL))).resolves.toMatchObject({ status: "succeeded" });
    expect(seen).toHaveLength(2);

    failures = [new ImsError("invalid_client", "bad secret", 401), new ImsError("network_error", "n/a")];
    const error = await clock.run(client.waitForJob(STATUS_URL)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ error: "invalid_client", status: 401 });
    expect(failures).toHaveLength(1);
  });

  it("gives up after maxTransientErrors consecutive failed polls", async () => {
    const failure = json(503, { error_code: "503001", message: "Service Unavailable" });
    const { client, clock, seen } = setup([failure], { retry: { maxRetries: 0 } });
    const error = await clock
      .run(client.waitForJob(STATUS_URL, { maxTransientErrors: 2 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({ status: 503 });
    expect(seen).toHaveLength(3);
  });

  it("rejects at once on a non-transient error (unknown job)", async () => {
    const { client, clock, seen } = setup([
      json(404, { type: "ResourceNotFound", code: 404, title: "Requested resource was not found" }),
    ]);
    await expect(clock.run(client.waitForJob(STATUS_URL))).rejects.toMatchObject({
      status: 404,
      type: "ResourceNotFound",
    });
    expect(seen).toHaveLength(1);
  });

  it("rejects with JobTimeoutError after timeoutMs, keeping the last status", async () => {
    const { client, clock } = setup([sensei("running")]);
    const error = await clock
      .run(client.waitForJob(STATUS_URL, { timeoutMs: 10_000 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({ jobId: "job-1", timeoutMs: 10_000, statusUrl: STATUS_URL });
    expect((error as JobTimeoutError).lastStatus).toMatchObject({ status: "running" });
    expect(clock.now()).toBe(10_000);
    expect(clock.pending()).toBe(0);
  });

  it("times out even while a status request hangs", async () => {
    const { client, clock } = setup(["hang"], { timeoutMs: 0 });
    const error = await clock
      .run(client.waitForJob(STATUS_URL, { timeoutMs: 3_000 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(clock.now()).toBe(3_000);
  });

  it("aborting during polling rejects at once with the signal's reason", async () => {
    const { client, clock, seen } = setup([sensei("running")]);
    const controller = new AbortController();
    const outcome = client
      .waitForJob(STATUS_URL, { signal: controller.signal })
      .catch((caught: unknown) => caught);
    await clock.advance(2_000);
    const polls = seen.length;
    expect(polls).toBeGreaterThan(0);
    const reason = new DOMException("stop", "AbortError");
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    await clock.advance(60_000);
    expect(seen).toHaveLength(polls);
    expect(clock.pending()).toBe(0);
  });

  it("rejects at once with the reason of a signal that is already aborted", async () => {
    const { client, clock, seen } = setup([sensei("running")]);
    const reason = new Error("already");
    await expect(
      clock.run(client.waitForJob(STATUS_URL, { signal: AbortSignal.abort(reason) })),
    ).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it("polls a status URL on another base URL (the emulator)", async () => {
    const base = "http://127.0.0.1:4010";
    const { client, clock, seen } = setup(
      [
        accepted("job-9", base),
        json(200, { jobId: "job-9", status: "succeeded", ...links(`${base}/sensei/status/job-9`) }),
      ],
      { baseUrl: base },
    );
    const job = await clock.run(client.removeBackground(MASK_BODY));
    expect(job.statusUrl).toBe(`${base}/sensei/status/job-9`);
    await clock.run(job.wait());
    expect(seen.map((request) => request.url)).toEqual([
      `${base}/sensei/cutout`,
      `${base}/sensei/status/job-9`,
    ]);
  });

  it("resolves a relative status href against the baseUrl", async () => {
    const { client, clock } = setup([json(202, links("/sensei/status/rel-1"))]);
    const job = await clock.run(client.createMask(MASK_BODY));
    expect(job.statusUrl).toBe("https://image.adobe.io/sensei/status/rel-1");
  });

  it("refuses to poll (and send the token to) a status URL on another host", async () => {
    const { client, clock, seen } = setup([
      json(202, links("https://evil.example/sensei/status/x")),
      sensei("succeeded"),
    ]);
    const job = await clock.run(client.createMask(MASK_BODY));
    await expect(clock.run(job.wait())).rejects.toThrow(
      /refusing to send credentials to https:\/\/evil\.example/,
    );
    await expect(clock.run(client.waitForJob("https://evil.example/sensei/status/x"))).rejects.toThrow(
      /refusing/,
    );
    expect(seen).toHaveLength(1);
  });

  it("does not poll until wait() is called", async () => {
    const { client, clock, seen } = setup([accepted("job-1"), sensei("succeeded")]);
    await clock.run(client.createMask(MASK_BODY));
    await clock.advance(60_000);
    expect(seen).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it("rejects a body of the wrong shape for the job kind", async () => {
    const { client, clock } = setup([accepted("job-1"), psd(200, output("succeeded"))]);
    const job = await clock.run(client.createMask(MASK_BODY));
    await expect(clock.run(job.wait())).rejects.toThrow(/not a sensei status/);
  });

  it("validates wait options", async () => {
    const { client } = setup([sensei("succeeded")]);
    await expect(client.waitForJob(STATUS_URL, { timeoutMs: -1 })).rejects.toThrow(TypeError);
    await expect(client.waitForJob(STATUS_URL, { interval: { factor: 0.5 } })).rejects.toThrow(/factor/);
    await expect(client.waitForJob("ftp://image.adobe.io/x")).rejects.toThrow(/http\(s\) URL/);
  });

  it("leaves no unhandled rejection behind, whatever ends the wait", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const { client, clock } = setup([accepted("job-1"), "hang"], { timeoutMs: 1_000 });
      await clock.run(client.createMask(MASK_BODY)); // a handle nobody waits on
      const controller = new AbortController();
      const aborted = client.waitForJob(STATUS_URL, { signal: controller.signal }).catch(() => "aborted");
      const timedOut = client.waitForJob(STATUS_URL, { timeoutMs: 5_000 }).catch(() => "timed out");
      await clock.advance(700);
      controller.abort(new Error("stop"));
      expect(await aborted).toBe("aborted");
      expect(await clock.run(timedOut)).toBe("timed out");
      await clock.advance(60_000);
      await new Promise((resolve) => setImmediate(resolve)); // Node reports unhandled rejections after the microtask queue drains
      expect(unhandled).toEqual([]);
      expect(clock.pending()).toBe(0);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});
