import { createStaticTokenAuth } from "@psapi/auth";
import {
  type CreateMaskRequest,
  createPhotoshopClient,
  JobFailedError,
  type JobHandle,
  PhotoshopApiError,
  type SenseiJobStatus,
} from "@psapi/client/all";
import type { FaultRuleInput } from "@psapi/mock-server";
import { describe, expect, it } from "vitest";
import {
  createDemoAuth,
  DEMO_CREDENTIALS,
  type EnvironmentOptions,
  FIXED_RANDOM,
  type TestEnvironment,
  withEnvironment,
} from "./harness/environment.js";
import { withApiKey, withContentType, withFaultOnNth, withoutRetryAfter } from "./harness/interpose.js";
import { type MaskRequestOptions, maskRequest } from "./harness/jobs.js";

// The client under test keeps its default retry policy (3 retries, 1 s base, full jitter) with
// jitter pinned at 0.5, so the back-offs are 500, 1000, 2000 ms; a request times out after 5 s.
// The wait polls at 500, 750, 1125, … ms and gives up after 5 consecutive failed polls (the 6th);
// after a failed poll the next one is never sooner than the answer's Retry-After.
const TIMEOUT_MS = 5_000;
const SLOW_MS = 10_000;
const BACKOFFS = [500, 1_000, 2_000];
const POLLS = [500, 750, 1_125, 1_687.5, 2_531.25, 3_796.875];

const SUBMIT = "POST /sensei/mask";
const STATUS = "GET /sensei/status/*";

type ErrorClass = typeof PhotoshopApiError | typeof JobFailedError;

interface Row {
  /** The fault, as the test title names it. */
  fault: string;
  environment?: EnvironmentOptions;
  mask?: MaskRequestOptions;
  /** Changes the request body (to make it invalid). */
  patch?: (body: CreateMaskRequest) => unknown;
  /** Fault rules to add once the input is uploaded. */
  rules?: readonly FaultRuleInput[];
  /** Anything else to do before the call. */
  arrange?: (env: TestEnvironment) => Promise<unknown>;
  /** How to wait for the job, when not with `job.wait()`. */
  wait?: (env: TestEnvironment, job: JobHandle<SenseiJobStatus>) => Promise<unknown>;
  /** Requests the operation under fault received. */
  attempts: number;
  /** Token requests to the emulator's IMS, when the row is about them. */
  imsCalls?: number;
  /** Every sleep of the client, in order: back-offs, poll intervals, request timeouts that fired. */
  waits: readonly number[];
  /** The error the call ends with, or `"succeeds"`. */
  outcome: "succeeds" | { error: ErrorClass; fields: Record<string, unknown> };
}

const apiError = (fields: Record<string, unknown>) => ({ error: PhotoshopApiError, fields });
const jobFailed = (error: Record<string, unknown>) => ({
  error: JobFailedError,
  fields: { errors: [error] },
});
const gateway = (status: number, errorCode: string) => apiError({ status, errorCode, retryable: true });
const perPoll = (retryWaits: readonly number[], polls = POLLS) =>
  polls.flatMap((poll) => [poll, ...retryWaits]);

function run(row: Row, phase: "submit" | "poll") {
  const emulator = { jobs: { pendingMs: 0, runningMs: 0 }, ...row.environment?.emulator };
  return withEnvironment(
    { ...row.environment, emulator, client: { timeoutMs: TIMEOUT_MS, ...row.environment?.client } },
    async (env) => {
      const { body: valid } = await maskRequest(env, "job", row.mask);
      const body = (row.patch?.(valid) ?? valid) as CreateMaskRequest;
      if (phase === "submit") {
        for (const rule of row.rules ?? []) await env.control.addFault(rule);
        await row.arrange?.(env);
      }
      let result: unknown;
      try {
        const job = await env.client.createMask(body);
        // Let the emulator finish the job, so that what the wait meets is the fault alone.
        await env.control.advanceClock(1);
        if (phase === "poll") {
          for (const rule of row.rules ?? []) await env.control.addFault(rule);
          await row.arrange?.(env);
        }
        result = await (row.wait?.(env, job) ?? job.wait());
      } catch (error) {
        result = error;
      }
      const operation = phase === "submit" ? "createMask" : "getSenseiJobStatus";
      expect(env.recorder.exchangesOf(operation)).toHaveLength(row.attempts);
      expect(env.clock.elapsed("client")).toEqual(row.waits);
      if (row.imsCalls !== undefined) expect(env.recorder.exchangesOf("getToken")).toHaveLength(row.imsCalls);
      if (row.outcome === "succeeds") {
        expect(result).toMatchObject({ status: "succeeded" });
      } else {
        expect(result).toBeInstanceOf(row.outcome.error);
        expect(result).toMatchObject(row.outcome.fields);
      }
    },
  );
}

const SUBMIT_FAULTS: Row[] = [
  {
    fault: "400 (mask.format is not soft or binary)",
    patch: (body) => ({ ...body, output: { ...body.output, mask: { format: "fuzzy" } } }),
    attempts: 1,
    waits: [],
    outcome: apiError({ status: 400, type: "InputValidationError", retryable: false }),
  },
  {
    // The cached token is revoked before the call.
    fault: "401 (the token was revoked): one refresh, one replay",
    arrange: async (env) => {
      await env.auth.getToken();
      await env.control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId });
    },
    attempts: 2,
    imsCalls: 2,
    waits: [POLLS[0] ?? 0],
    outcome: "succeeds",
  },
  {
    // The replay after a 401 is an attempt like any other: a 503 on it is retried.
    fault: "401, then 503 on the replay",
    environment: { interpose: withFaultOnNth("/sensei/mask", 2, "503") },
    arrange: async (env) => {
      await env.auth.getToken();
      await env.control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId });
    },
    attempts: 3,
    imsCalls: 2,
    waits: [BACKOFFS[0] ?? 0, POLLS[0] ?? 0],
    outcome: "succeeds",
  },
  {
    fault: "402 (trial quota used up)",
    environment: { emulator: { trialQuota: 0 } },
    attempts: 1,
    waits: [],
    outcome: apiError({ status: 402, type: "TrialLimitExceededError", retryable: false }),
  },
  {
    fault: "403 (an x-api-key that is not the token's client)",
    environment: {
      auth: (context) => withApiKey(createDemoAuth(context), "not-a-client"),
    },
    attempts: 1,
    waits: [],
    outcome: apiError({ status: 403, errorCode: "403003", retryable: false }),
  },
  {
    fault: "409 (output exists and overwrite is false: the job fails)",
    mask: { overwrite: false },
    arrange: (env) => env.control.putObject("job-output.png", new Uint8Array([1, 2, 3]), "image/png"),
    attempts: 1,
    waits: [POLLS[0] ?? 0],
    outcome: jobFailed({ type: "FileOverwriteError", code: 409 }),
  },
  {
    fault: "410 (the input link expired: the job fails)",
    mask: { inputExpiresIn: 1 },
    arrange: (env) => env.control.advanceClock(2_000),
    attempts: 1,
    waits: [POLLS[0] ?? 0],
    outcome: jobFailed({ type: "FileLinkInvalidError", code: 410 }),
  },
  {
    fault: "415 (a proxy sends the body as text/plain)",
    environment: { interpose: withContentType("/sensei/mask", "text/plain") },
    attempts: 1,
    waits: [],
    outcome: apiError({ status: 415, type: "InvalidContentTypeError", retryable: false }),
  },
  {
    fault: "429 with Retry-After: 3",
    rules: [{ route: SUBMIT, status: 429, retryAfter: 3 }],
    attempts: 4,
    waits: [3_000, 3_000, 3_000],
    outcome: apiError({ status: 429, errorCode: "429001", retryable: true, retryAfterMs: 3_000 }),
  },
  {
    fault: "429 without Retry-After",
    environment: { interpose: withoutRetryAfter },
    rules: [{ route: SUBMIT, status: 429 }],
    attempts: 4,
    waits: BACKOFFS,
    outcome: apiError({ status: 429, errorCode: "429001", retryable: true, retryAfterMs: undefined }),
  },
  {
    fault: "500",
    rules: [{ route: SUBMIT, status: 500 }],
    attempts: 4,
    waits: BACKOFFS,
    outcome: apiError({ status: 500, type: "UndefinedError", retryable: true }),
  },
  {
    fault: "502",
    rules: [{ route: SUBMIT, status: 502 }],
    attempts: 4,
    waits: BACKOFFS,
    outcome: gateway(502, "502001"),
  },
  {
    fault: "503",
    rules: [{ route: SUBMIT, status: 503 }],
    attempts: 4,
    waits: BACKOFFS,
    outcome: gateway(503, "503001"),
  },
  {
    fault: "504",
    rules: [{ route: SUBMIT, status: 504 }],
    attempts: 4,
    waits: BACKOFFS,
    outcome: gateway(504, "504001"),
  },
  {
    // A POST that failed in transit may have created a job: the client must not send it again.
    fault: "a reset connection",
    rules: [{ route: SUBMIT, reset: true }],
    attempts: 1,
    waits: [],
    outcome: apiError({ status: 0, retryable: false }),
  },
  {
    fault: `an answer slower than the ${TIMEOUT_MS} ms timeout`,
    rules: [{ route: SUBMIT, latencyMs: SLOW_MS }],
    attempts: 1,
    waits: [TIMEOUT_MS],
    outcome: apiError({ status: 0, retryable: false, message: expect.stringContaining("timed out") }),
  },
];

const POLL_FAULTS: Row[] = [
  {
    // The token is revoked between submission and the first poll.
    fault: "401 (the token was revoked): one refresh, one replay",
    arrange: (env) => env.control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId }),
    attempts: 2,
    imsCalls: 2,
    waits: [POLLS[0] ?? 0],
    outcome: "succeeds",
  },
  {
    fault: "403 (a poller whose x-api-key is not the token's client)",
    wait: (env, job) =>
      createPhotoshopClient({
        auth: withApiKey(env.auth, "not-a-client"),
        baseUrl: env.baseUrl,
        fetch: env.fetch,
        clock: env.clock.view("client"),
        random: FIXED_RANDOM,
      }).waitForJob(job.statusUrl),
    attempts: 1,
    waits: [POLLS[0] ?? 0],
    outcome: apiError({ status: 403, errorCode: "403003", retryable: false }),
  },
  {
    fault: "404 (a job id the emulator never issued)",
    wait: (env) => env.client.waitForJob(`${env.baseUrl}/sensei/status/00000000-0000-4000-8000-000000000000`),
    attempts: 1,
    waits: [POLLS[0] ?? 0],
    outcome: apiError({ status: 404, type: "ResourceNotFound", retryable: false }),
  },
  {
    fault: "429 with Retry-After: 3",
    rules: [{ route: STATUS, status: 429, retryAfter: 3 }],
    attempts: 24,
    // The interval restarts from Retry-After (3 s) and grows by 1.5x to the 10 s ceiling.
    waits: perPoll([3_000, 3_000, 3_000], [500, 3_000, 4_500, 6_750, 10_000, 10_000]),
    outcome: apiError({ status: 429, retryable: true, retryAfterMs: 3_000 }),
  },
  {
    fault: "429 without Retry-After",
    environment: { interpose: withoutRetryAfter },
    rules: [{ route: STATUS, status: 429 }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: apiError({ status: 429, retryable: true, retryAfterMs: undefined }),
  },
  {
    fault: "500",
    rules: [{ route: STATUS, status: 500 }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: apiError({ status: 500, type: "UndefinedError", retryable: true }),
  },
  {
    fault: "502",
    rules: [{ route: STATUS, status: 502 }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: gateway(502, "502001"),
  },
  {
    fault: "503",
    rules: [{ route: STATUS, status: 503 }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: gateway(503, "503001"),
  },
  {
    fault: "504",
    rules: [{ route: STATUS, status: 504 }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: gateway(504, "504001"),
  },
  {
    // A status read is idempotent, so a reset is retried like a 5xx.
    fault: "a reset connection",
    rules: [{ route: STATUS, reset: true }],
    attempts: 24,
    waits: perPoll(BACKOFFS),
    outcome: apiError({ status: 0, retryable: true }),
  },
  {
    fault: `an answer slower than the ${TIMEOUT_MS} ms timeout`,
    rules: [{ route: STATUS, latencyMs: SLOW_MS }],
    attempts: 24,
    // Each poll: its interval, then four attempts that each time out, with the back-offs between.
    waits: perPoll([TIMEOUT_MS, 500, TIMEOUT_MS, 1_000, TIMEOUT_MS, 2_000, TIMEOUT_MS]),
    outcome: apiError({ status: 0, retryable: true, message: expect.stringContaining("timed out") }),
  },
];

/** The same transient faults once only: the client recovers after one retry. */
const ONCE: { fault: string; rule: FaultRuleInput; backoff: number }[] = [
  { fault: "429 with Retry-After: 3", rule: { status: 429, retryAfter: 3 }, backoff: 3_000 },
  { fault: "500", rule: { status: 500 }, backoff: 500 },
  { fault: "502", rule: { status: 502 }, backoff: 500 },
  { fault: "503", rule: { status: 503 }, backoff: 500 },
  { fault: "504", rule: { status: 504 }, backoff: 500 },
];

describe("fault matrix: the fault hits the job submission (POST /sensei/mask)", () => {
  it.each(SUBMIT_FAULTS)("$fault: $attempts attempt(s), waits $waits", (row) => run(row, "submit"));

  it.each(ONCE)("$fault once: one retry after $backoff ms, then the job succeeds", ({ rule, backoff }) =>
    run(
      {
        fault: "",
        rules: [{ ...rule, route: SUBMIT, times: 1 }],
        attempts: 2,
        waits: [backoff, POLLS[0] ?? 0],
        outcome: "succeeds",
      },
      "submit",
    ),
  );
});

describe("fault matrix: a static token the gateway rejects", () => {
  // A 401 whose token cannot be renewed (a static token) reaches the caller as that 401, with no
  // replay: the client replays a 401 only with a different token.
  it("401 with a static token the gateway does not know ends with PhotoshopApiError 401, 1 attempt", () =>
    run(
      {
        fault: "401 (static token)",
        environment: {
          auth: ({ clock }) =>
            createStaticTokenAuth({
              accessToken: "not-a-token",
              clientId: DEMO_CREDENTIALS.clientId,
              clock: clock.view("auth"),
            }),
        },
        attempts: 1,
        imsCalls: 0,
        waits: [],
        outcome: apiError({ status: 401, errorCode: "401013", retryable: false }),
      },
      "submit",
    ));
});

describe("fault matrix: a missing input object", () => {
  // photoshop.yaml: a resource the request names that is not found (e.g. the input file) is 404
  // ResourceNotFound, reported as a failed job when found while the job runs.
  it("404 (the input href names no object): the job fails with ResourceNotFound 404", () =>
    run(
      {
        fault: "404 (input missing)",
        mask: { withoutInput: true },
        attempts: 1,
        waits: [POLLS[0] ?? 0],
        outcome: jobFailed({ type: "ResourceNotFound", code: 404 }),
      },
      "submit",
    ));
});

describe("fault matrix: the fault hits the status polls (GET /sensei/status/{jobId})", () => {
  it.each(POLL_FAULTS)("$fault: $attempts attempt(s)", (row) => run(row, "poll"));

  it.each([
    ...ONCE,
    { fault: "a reset connection", rule: { reset: true }, backoff: 500 },
    { fault: "a slow answer", rule: { latencyMs: SLOW_MS }, backoff: 500 },
  ])("$fault once: the poll is retried and the wait succeeds", ({ fault, rule, backoff }) =>
    run(
      {
        fault,
        rules: [{ ...rule, route: STATUS, times: 1 }],
        attempts: 2,
        waits: rule.latencyMs ? [POLLS[0] ?? 0, TIMEOUT_MS, backoff] : [POLLS[0] ?? 0, backoff],
        outcome: "succeeds",
      },
      "poll",
    ),
  );
});

describe("fault matrix over a real 127.0.0.1 port: the socket is really reset, the answer really late", () => {
  const networkFaults = (rows: Row[]) =>
    rows
      .filter((row) => row.rules?.some((rule) => rule.reset || rule.latencyMs))
      .map((row): Row => ({ ...row, environment: { ...row.environment, transport: "port" } }));
  it.each(networkFaults(SUBMIT_FAULTS))("on POST /sensei/mask, $fault: $attempts attempt(s)", (row) =>
    run(row, "submit"),
  );
  it.each(networkFaults(POLL_FAULTS))("on GET /sensei/status/{jobId}, $fault: $attempts attempt(s)", (row) =>
    run(row, "poll"),
  );
});
