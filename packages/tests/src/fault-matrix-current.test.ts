import type { FaultRuleInput } from "@psapi/mock-server";
import { describe, expect, it } from "vitest";
import { callCurrent } from "./harness/current.js";
import { withEnvironment } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";

// The emulator's side of the fault matrix for the current contract: each injected fault, on the
// submission and on the status poll of every family, answers what the spec declares (status,
// `{error_code, message}`, Retry-After), a faulted submission creates no job, and once the fault
// has passed the same request succeeds and the job runs exactly once. Every answer is held against
// the spec by the environment. (The client's retry behaviour on these routes is the client's suite.)

const OPERATIONS = [
  {
    name: "remove-background",
    path: "/v2/remove-background",
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
    const url = await env.control.upload("fault-input.png", await subjectPng(48, 32), "image/png");
    return { image: { source: { url } } };
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
