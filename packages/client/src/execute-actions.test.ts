import { describe, expect, it } from "vitest";
import { JobFailedError } from "./errors/job-failed-error.js";
import { jobOutputs } from "./jobs/job-outputs.js";
import { executeActions } from "./operations.js";
import { json } from "./testing/fake-fetch.js";
import { setup } from "./testing/setup.js";

const JOB = "550e8400-e29b-41d4-a716-446655440000";
const STATUS = `https://photoshop-api.adobe.io/v2/status/${JOB}`;
const BODY = {
  image: { source: { url: "https://bucket.s3.amazonaws.com/in.psd?X-Amz-Signature=in" } },
  options: { actions: [{ source: { content: '[{"_obj":"invert"}]', contentType: "application/json" } }] },
  outputs: [{ destination: { validityPeriod: 3600 }, mediaType: "image/png" as const }],
};

describe("executeActions", () => {
  it("posts /v2/execute-actions to photoshop-api.adobe.io, polls the statusUrl, and reads the outputs", async () => {
    const hosted = "https://storage.adobe.io/out/0.png?X-Amz-Date=20261123T180000Z&X-Amz-Expires=3600";
    const { client, clock, seen } = setup([
      json(202, { jobId: JOB, statusUrl: STATUS }),
      json(200, { jobId: JOB, status: "running" }),
      json(200, {
        jobId: JOB,
        status: "succeeded",
        result: { outputs: [{ destination: { url: hosted }, mediaType: "image/png" }] },
      }),
    ]);
    // The function of `@psapi/client` and the method of `@psapi/client/all` are the same call.
    const job = await clock.run(client.executeActions(BODY));
    const done = await clock.run(job.wait());
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "https://photoshop-api.adobe.io/v2/execute-actions",
    });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(BODY);
    expect(seen.slice(1).map((request) => request.url)).toEqual([STATUS, STATUS]);
    expect(jobOutputs(done).map((file) => file.url)).toEqual([hosted]);
    const again = setup([json(202, { jobId: JOB, statusUrl: STATUS })]);
    await again.clock.run(executeActions(again.client, BODY));
    expect(again.seen[0]?.url).toBe("https://photoshop-api.adobe.io/v2/execute-actions");
  });

  it("rejects wait() with the job's errorDetails when the job fails", async () => {
    const { client, clock } = setup([
      json(202, { jobId: JOB, statusUrl: STATUS }),
      json(200, {
        jobId: JOB,
        status: "failed",
        errorDetails: [
          { errorCode: "emulator_unsupported_action", message: "the ActionJSON command 'x' at index 0" },
        ],
      }),
    ]);
    const job = await clock.run(client.executeActions(BODY));
    const error = await clock.run(job.wait()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).errors[0]?.errorCode).toBe("emulator_unsupported_action");
  });
});
