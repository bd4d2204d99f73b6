import { PhotoshopApiError } from "@psapi/client";
import type { FaultRuleInput } from "@psapi/mock-server";
import { describe, expect, it } from "vitest";
import { callCurrent } from "./harness/current.js";
import { withEnvironment } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";

// The emulator's side of the fault matrix for the current contract: each injected fault, on the
// submission and on the status poll of every family, answers what the spec declares (status,
// `{error_code, message}`, Retry-After), a faulted submission creates no job, and once the fault
// has passed the same request succeeds and the job runs exactly once. Every answer is held against
// the spec by the environment. (The client's side, every current operation through @psapi/client,
// is fault-matrix-current-client.test.ts.)

const OPERATIONS = [
  {
    name: "remove-background",
    path: "/v2/remove-background",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "create-composite",
    path: "/v2/create-composite",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "create-artboard",
    path: "/v2/create-artboard",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "execute-actions",
    path: "/v2/execute-actions",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "edit",
    path: "/v2/edit",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "auto-crop",
    path: "/v1/auto-crop",
    status: "GET /v2/status/*",
    internal: "runtime_error",
  },
  {
    name: "mask-objects",
    path: "/v1/mask-objects",
    status: "GET /v1/status/*",
    internal: "internal_server_error",
  },
] as const;

const FAULTS: {
  fault: string;
  rule: Omit<FaultRuleInput, "route">;
  status: number;
  errorCode?: string;
  retryAfter?: string;
}[] = [
  {
    fault: "429 with Retry-After: 3",
    rule: { status: 429, retryAfter: 3 },
    status: 429,
    errorCode: "429001",
    retryAfter: "3",
  },
  { fault: "500", rule: { status: 500 }, status: 500 },
  { fault: "502", rule: { status: 502 }, status: 502, errorCode: "502001" },
  {
    fault: "503 with Retry-After: 2",
    rule: { status: 503, retryAfter: 2 },
    status: 503,
    errorCode: "503001",
    retryAfter: "2",
  },
  { fault: "504", rule: { status: 504 }, status: 504, errorCode: "504001" },
];

describe.each(OPERATIONS)("fault matrix, current contract: $name", (operation) => {
  async function setup(env: Parameters<Parameters<typeof withEnvironment>[1]>[0]) {
    const url = await env.control.putObject("fault-input.png", await subjectPng(48, 32), "image/png");
    const image = { source: { url } };
    // create-composite converts the image to PNG (its minimal request: a source and an output);
    // create-artboard lays it out as one artboard; edit auto-tones it to a PNG; auto-crop needs a
    // mode; execute-actions plays one ActionJSON command.
    const png = [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }];
    if (operation.name === "create-composite") return { image, outputs: png };
    if (operation.name === "create-artboard") return { images: [image], outputs: png };
    if (operation.name === "execute-actions") {
      const actions = [{ source: { content: '[{"_obj":"invert"}]', contentType: "application/json" } }];
      return { image, options: { actions }, outputs: png };
    }
    if (operation.name === "edit") return { image, edits: { autoTone: true }, outputs: png };
    if (operation.name === "auto-crop") return { image, mode: "smartCrop" };
    return { image };
  }

  it.each(FAULTS)(
    "$fault on the submission: declared answer, no job, then the retry runs once",
    async (row) => {
      await withEnvironment({ emulator: { jobs: { pendingMs: 0, runningMs: 0 } } }, async (env) => {
        const body = await setup(env);
        await env.control.addFault({ route: `POST ${operation.path}`, times: 1, ...row.rule });
        const faulted = await callCurrent(env, "POST", operation.path, body);
        expect(faulted.status).toBe(row.status);
        expect(faulted.json.error_code).toBe(row.errorCode ?? operation.internal);
        expect(typeof faulted.json.message).toBe("string");
        expect(await env.control.jobs()).toEqual([]);
        const retried = await callCurrent(env, "POST", operation.path, body);
        expect(retried.status).toBe(202);
        await env.control.advanceClock(0);
        expect((await env.control.jobs()).map((job) => [job.kind, job.status])).toEqual([
          [operation.name, "succeeded"],
        ]);
      });
    },
  );

  it.each(FAULTS)("$fault on the status poll: declared answer, the job unharmed", async (row) => {
    await withEnvironment({ emulator: { jobs: { pendingMs: 0, runningMs: 0 } } }, async (env) => {
      const accepted = await callCurrent(env, "POST", operation.path, await setup(env));
      expect(accepted.status).toBe(202);
      await env.control.advanceClock(0);
      await env.control.addFault({ route: operation.status, times: 1, ...row.rule });
      const statusUrl = String(accepted.json.statusUrl);
      const faulted = await callCurrent(env, "GET", statusUrl);
      expect([faulted.status, faulted.json.error_code]).toEqual([
        row.status,
        row.errorCode ?? operation.internal,
      ]);
      const next = await callCurrent(env, "GET", statusUrl);
      expect([next.status, next.json.status]).toEqual([200, "succeeded"]);
    });
  });

  it("carries Retry-After on a 429 and a 503 with one", async () => {
    for (const row of FAULTS.filter((r) => r.retryAfter)) {
      await withEnvironment({}, async (env) => {
        await env.control.addFault({ route: `POST ${operation.path}`, times: 1, ...row.rule });
        const token = await env.auth.getToken();
        const response = await env.fetch(
          new Request(new URL(operation.path, env.baseUrl), {
            method: "POST",
            headers: {
              authorization: `Bearer ${token.accessToken}`,
              "x-api-key": token.clientId,
              "content-type": "application/json",
            },
            body: "{}",
          }),
        );
        expect([response.status, response.headers.get("retry-after")]).toEqual([row.status, row.retryAfter]);
        await response.body?.cancel();
      });
    }
  });

  it("a reset connection on the submission rejects the fetch and creates no job", async () => {
    await withEnvironment(
      { transport: "port", emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
      async (env) => {
        const body = await setup(env);
        await env.control.addFault({ route: `POST ${operation.path}`, times: 1, reset: true });
        await expect(callCurrent(env, "POST", operation.path, body)).rejects.toThrow(TypeError);
        expect(await env.control.jobs()).toEqual([]);
        expect((await callCurrent(env, "POST", operation.path, body)).status).toBe(202);
      },
    );
  });
});

// Through the client (`removeBackground`, `edit` on /v2, `maskObjects`, `autoCrop` on /v1), with the same policy as
// fault-matrix.test.ts: jitter pinned at 0.5, back-offs 500, 1000, 2000 ms; polls at 500, 750, …
const BACKOFFS = [500, 1_000, 2_000];
const FIRST_POLL = 500;

const CLIENT_OPERATIONS = [
  {
    name: "removeBackground",
    submit: "removeBackgroundV2",
    status: "getV2JobStatus",
    path: "/v2/remove-background",
    poll: "GET /v2/status/*",
  },
  {
    name: "maskObjects",
    submit: "maskObjects",
    status: "getMaskingJobStatus",
    path: "/v1/mask-objects",
    poll: "GET /v1/status/*",
  },
  { name: "edit", submit: "edit", status: "getV2JobStatus", path: "/v2/edit", poll: "GET /v2/status/*" },
  {
    name: "autoCrop",
    submit: "autoCrop",
    status: "getV2JobStatus",
    path: "/v1/auto-crop",
    poll: "GET /v2/status/*",
  },
] as const;

describe.each(CLIENT_OPERATIONS)("fault matrix, current contract through the client: $name", (operation) => {
  async function start(env: Parameters<Parameters<typeof withEnvironment>[1]>[0]) {
    const url = await env.control.putObject("fault-input.png", await subjectPng(48, 32), "image/png");
    const image = { source: { url } };
    if (operation.name === "removeBackground") return env.client.removeBackground({ image, mode: "mask" });
    if (operation.name === "edit")
      return env.client.edit({
        image,
        edits: { light: { exposure: 0.5 } },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
    if (operation.name === "autoCrop") return env.client.autoCrop({ image, mode: "smartCrop" });
    return env.client.maskObjects({ image });
  }

  it.each([
    { fault: "429 with Retry-After: 3", rule: { status: 429 as const, retryAfter: 3 }, backoff: 3_000 },
    { fault: "500", rule: { status: 500 as const }, backoff: 500 },
    { fault: "503", rule: { status: 503 as const }, backoff: 500 },
  ])(
    "$fault once on the submission: one retry after $backoff ms, then the job succeeds",
    async ({ rule, backoff }) => {
      await withEnvironment({ emulator: { jobs: { pendingMs: 0, runningMs: 0 } } }, async (env) => {
        const job = await (async () => {
          await env.control.addFault({ route: `POST ${operation.path}`, times: 1, ...rule });
          return start(env);
        })();
        await env.control.advanceClock(1);
        expect(await job.wait()).toMatchObject({ status: "succeeded" });
        expect(env.recorder.exchangesOf(operation.submit).map((e) => e.status)).toEqual([rule.status, 202]);
        expect(env.clock.elapsed("client")).toEqual([backoff, FIRST_POLL]);
        expect((await env.control.jobs()).map((j) => j.status)).toEqual(["succeeded"]);
      });
    },
  );

  it("503 on every submission: 4 attempts, waits 500/1000/2000, PhotoshopApiError 503 retryable, no job", async () => {
    await withEnvironment({ emulator: { jobs: { pendingMs: 0, runningMs: 0 } } }, async (env) => {
      await env.control.addFault({ route: `POST ${operation.path}`, status: 503 });
      const error = await start(env).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PhotoshopApiError);
      expect(error).toMatchObject({ status: 503, errorCode: "503001", retryable: true });
      expect(env.recorder.exchangesOf(operation.submit)).toHaveLength(4);
      expect(env.clock.elapsed("client")).toEqual(BACKOFFS);
      expect(await env.control.jobs()).toEqual([]);
    });
  });

  it("502 once on a status poll: the poll is retried and the wait succeeds", async () => {
    await withEnvironment({ emulator: { jobs: { pendingMs: 0, runningMs: 0 } } }, async (env) => {
      const job = await start(env);
      await env.control.advanceClock(1);
      await env.control.addFault({ route: operation.poll, status: 502, times: 1 });
      expect(await job.wait()).toMatchObject({ status: "succeeded" });
      expect(env.recorder.exchangesOf(operation.status).map((e) => e.status)).toEqual([502, 200]);
    });
  });
});
