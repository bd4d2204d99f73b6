// The client's side of the fault matrix on the current contract: every current operation, called
// through @psapi/client against the emulator, meets each fault on its submission or its status
// polls, and the test checks how many requests the operation made, the client's waits on the
// virtual clock and how the call ends. The retired contract's matrix (fault-matrix.test.ts) holds
// every row on one operation; here the rows that differ by operation (auth, gateway, network) run
// on each, so an operation added to the table is covered by all of them.
import { createStaticTokenAuth } from "@psapi/auth";
import { type JobHandle, type JobStatus, PhotoshopApiError, type PhotoshopClient } from "@psapi/client/all";
import type { FaultRuleInput } from "@psapi/mock-server";
import { type Layer, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  createDemoAuth,
  DEMO_CREDENTIALS,
  type EnvironmentOptions,
  type TestEnvironment,
  withEnvironment,
} from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";
import { withApiKey } from "./harness/interpose.js";

// As in fault-matrix.test.ts: jitter pinned at 0.5 (back-offs 500, 1000, 2000 ms), a 5 s request
// timeout, the first poll 500 ms after the submission.
const TIMEOUT_MS = 5_000;
const SLOW_MS = 10_000;
const FIRST_POLL = 500;

/** What an operation's call needs: its input URLs in the emulator's storage. */
interface Inputs {
  image: string;
  mask: string;
  psd: string;
}

const HOSTED_PNG = [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }];

interface Operation {
  name: string;
  /** The operationId of its submission and of its status read in the spec. */
  submitId: string;
  statusId: string;
  /** Its submission and status routes, as fault rules name them. */
  submit: string;
  status: string;
  call(client: PhotoshopClient, inputs: Inputs): Promise<JobHandle<JobStatus>>;
}

const V2_STATUS = "GET /v2/status/*";
const MASKING_STATUS = "GET /v1/status/*";

const OPERATIONS: Operation[] = [
  {
    name: "removeBackground",
    submitId: "removeBackgroundV2",
    statusId: "getV2JobStatus",
    submit: "POST /v2/remove-background",
    status: V2_STATUS,
    call: (client, { image }) => client.removeBackground({ image: { source: { url: image } } }),
  },
  {
    name: "maskObjects",
    submitId: "maskObjects",
    statusId: "getMaskingJobStatus",
    submit: "POST /v1/mask-objects",
    status: MASKING_STATUS,
    call: (client, { image }) => client.maskObjects({ image: { source: { url: image } } }),
  },
  {
    name: "maskBodyParts",
    submitId: "maskBodyParts",
    statusId: "getMaskingJobStatus",
    submit: "POST /v1/mask-body-parts",
    status: MASKING_STATUS,
    call: (client, { image, mask }) =>
      client.maskBodyParts({ image: { source: { url: image } }, mask: { source: { url: mask } } }),
  },
  {
    name: "refineMask",
    submitId: "refineMask",
    statusId: "getMaskingJobStatus",
    submit: "POST /v1/refine-mask",
    status: MASKING_STATUS,
    call: (client, { image, mask }) =>
      client.refineMask({ image: { source: { url: image } }, mask: { source: { url: mask } } }),
  },
  {
    name: "fillMaskedAreas",
    submitId: "fillMaskedAreas",
    statusId: "getMaskingJobStatus",
    submit: "POST /v1/fill-masked-areas",
    status: MASKING_STATUS,
    call: (client, { image, mask }) =>
      client.fillMaskedAreas({ image: { source: { url: image } }, masks: [{ source: { url: mask } }] }),
  },
  {
    name: "generateManifest",
    submitId: "generateManifest",
    statusId: "getV2JobStatus",
    submit: "POST /v2/generate-manifest",
    status: V2_STATUS,
    call: (client, { psd }) =>
      client.generateManifest({
        image: { source: { url: psd } },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "application/json" }],
      }),
  },
  {
    name: "createComposite",
    submitId: "createComposite",
    statusId: "getV2JobStatus",
    submit: "POST /v2/create-composite",
    status: V2_STATUS,
    call: (client, { psd }) =>
      client.createComposite({
        image: { source: { url: psd } },
        outputs: HOSTED_PNG,
      } as Parameters<PhotoshopClient["createComposite"]>[0]),
  },
  {
    name: "createArtboard",
    submitId: "createArtboard",
    statusId: "getV2JobStatus",
    submit: "POST /v2/create-artboard",
    status: V2_STATUS,
    call: (client, { image }) =>
      client.createArtboard({
        images: [{ source: { url: image } }],
        outputs: HOSTED_PNG,
      } as Parameters<PhotoshopClient["createArtboard"]>[0]),
  },
  {
    name: "executeActions",
    submitId: "executeActions",
    statusId: "getV2JobStatus",
    submit: "POST /v2/execute-actions",
    status: V2_STATUS,
    call: (client, { psd }) =>
      client.executeActions({
        image: { source: { url: psd } },
        options: {
          actions: [
            { source: { content: JSON.stringify([{ _obj: "invert" }]), contentType: "application/json" } },
          ],
        },
        outputs: HOSTED_PNG,
      } as Parameters<PhotoshopClient["executeActions"]>[0]),
  },
  {
    name: "edit",
    submitId: "edit",
    statusId: "getV2JobStatus",
    submit: "POST /v2/edit",
    status: V2_STATUS,
    call: (client, { image }) =>
      client.edit({
        image: { source: { url: image } },
        edits: { autoTone: true },
        outputs: HOSTED_PNG,
      } as Parameters<PhotoshopClient["edit"]>[0]),
  },
  {
    name: "autoCrop",
    submitId: "autoCrop",
    statusId: "getV2JobStatus",
    submit: "POST /v1/auto-crop",
    status: V2_STATUS,
    call: (client, { image }) => client.autoCrop({ image: { source: { url: image } }, mode: "smartCrop" }),
  },
];

async function uploadInputs(env: TestEnvironment): Promise<Inputs> {
  const png = await subjectPng(48, 32);
  const mask = await sharp({ create: { width: 48, height: 32, channels: 3, background: "#000" } })
    .composite([
      {
        input: await sharp({ create: { width: 16, height: 16, channels: 3, background: "#fff" } })
          .png()
          .toBuffer(),
        left: 16,
        top: 8,
      },
    ])
    .toColourspace("b-w")
    .png()
    .toBuffer();
  const pixels = new Uint8ClampedArray(48 * 32 * 4).fill(200);
  const layer: Layer = {
    name: "Layer 1",
    left: 0,
    top: 0,
    right: 48,
    bottom: 32,
    imageData: { data: pixels, width: 48, height: 32, colorSpace: "srgb" } as ImageData,
  };
  const psd = writePsdUint8Array(
    {
      width: 48,
      height: 32,
      children: [layer],
      imageData: { data: pixels, width: 48, height: 32 } as ImageData,
    },
    { noBackground: true },
  );
  return {
    image: await env.control.putObject("faults/in.png", png, "image/png"),
    mask: await env.control.putObject("faults/mask.png", new Uint8Array(mask), "image/png"),
    psd: await env.control.putObject("faults/in.psd", new Uint8Array(psd), "image/vnd.adobe.photoshop"),
  };
}

interface Row {
  fault: string;
  phase: "submit" | "poll";
  environment?: EnvironmentOptions;
  /** Fault rules, given the operation. */
  rules?: (operation: Operation) => FaultRuleInput[];
  arrange?: (env: TestEnvironment) => Promise<unknown>;
  /** Requests the phase's operation made (submissions, or status reads). */
  attempts: number;
  imsCalls?: number;
  /** The client's first waits on the virtual clock, in order. */
  waitsStart: readonly number[];
  outcome: "succeeds" | { status: number; retryable: boolean; errorCode?: string };
  /** Jobs the emulator holds at the end, where the row knows (a late answer's job is in doubt). */
  jobs?: number;
}

const revoke = async (env: TestEnvironment) => {
  await env.auth.getToken();
  await env.control.revokeTokens({ clientId: DEMO_CREDENTIALS.clientId });
};

const ROWS: Row[] = [
  {
    fault: "401 on the submission (the token was revoked): one refresh, one replay",
    phase: "submit",
    arrange: revoke,
    attempts: 2,
    imsCalls: 2,
    waitsStart: [FIRST_POLL],
    outcome: "succeeds",
  },
  {
    fault: "401 on the submission with a static token the gateway does not know: no replay",
    phase: "submit",
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
    waitsStart: [],
    outcome: { status: 401, retryable: false, errorCode: "401013" },
    jobs: 0,
  },
  {
    fault: "403 on the submission (an x-api-key that is not the token's client)",
    phase: "submit",
    environment: { auth: (context) => withApiKey(createDemoAuth(context), "not-a-client") },
    attempts: 1,
    waitsStart: [],
    outcome: { status: 403, retryable: false, errorCode: "403003" },
    jobs: 0,
  },
  {
    fault: "429 with Retry-After: 3 once on the submission: one retry 3 s later",
    phase: "submit",
    rules: (op) => [{ route: op.submit, status: 429, retryAfter: 3, times: 1 }],
    attempts: 2,
    waitsStart: [3_000, FIRST_POLL],
    outcome: "succeeds",
  },
  {
    fault: "503 once on the submission: one retry after the first back-off",
    phase: "submit",
    rules: (op) => [{ route: op.submit, status: 503, times: 1 }],
    attempts: 2,
    waitsStart: [500, FIRST_POLL],
    outcome: "succeeds",
  },
  {
    // A submission is not idempotent at Adobe: one that may have arrived is not sent again.
    fault: "a reset connection on the submission: not sent again",
    phase: "submit",
    environment: { transport: "port" },
    rules: (op) => [{ route: op.submit, reset: true, times: 1 }],
    attempts: 1,
    waitsStart: [],
    outcome: { status: 0, retryable: false },
    jobs: 0,
  },
  {
    fault: `a submission slower than the ${TIMEOUT_MS} ms timeout: not sent again`,
    phase: "submit",
    rules: (op) => [{ route: op.submit, latencyMs: SLOW_MS, times: 1 }],
    attempts: 1,
    waitsStart: [TIMEOUT_MS],
    outcome: { status: 0, retryable: false },
  },
  {
    fault: "401 on a poll (the token was revoked): one refresh, the poll replayed",
    phase: "poll",
    arrange: revoke,
    attempts: 2,
    waitsStart: [FIRST_POLL],
    outcome: "succeeds",
  },
  {
    fault: "503 once on a poll: the poll is retried and the wait succeeds",
    phase: "poll",
    rules: (op) => [{ route: op.status, status: 503, times: 1 }],
    attempts: 2,
    waitsStart: [FIRST_POLL, 500],
    outcome: "succeeds",
  },
  {
    fault: "a reset connection once on a poll: the poll is retried",
    phase: "poll",
    environment: { transport: "port" },
    rules: (op) => [{ route: op.status, reset: true, times: 1 }],
    attempts: 2,
    waitsStart: [FIRST_POLL, 500],
    outcome: "succeeds",
  },
  {
    fault: `a poll slower than the ${TIMEOUT_MS} ms timeout: the poll is retried`,
    phase: "poll",
    rules: (op) => [{ route: op.status, latencyMs: SLOW_MS, times: 1 }],
    attempts: 2,
    waitsStart: [FIRST_POLL, TIMEOUT_MS, 500],
    outcome: "succeeds",
  },
];

describe.each(OPERATIONS)("client fault matrix, current contract: $name", (operation) => {
  it.each(ROWS)("$fault", (row) =>
    withEnvironment(
      {
        ...row.environment,
        emulator: { jobs: { pendingMs: 0, runningMs: 0 } },
        client: { timeoutMs: TIMEOUT_MS },
      },
      async (env) => {
        const inputs = await uploadInputs(env);
        if (row.phase === "submit") {
          for (const rule of row.rules?.(operation) ?? []) await env.control.addFault(rule);
          await row.arrange?.(env);
        }
        let result: unknown;
        try {
          const job = await operation.call(env.client, inputs);
          // The job is done before the first poll, so what the wait meets is the fault alone.
          await env.control.advanceClock(1);
          if (row.phase === "poll") {
            for (const rule of row.rules?.(operation) ?? []) await env.control.addFault(rule);
            await row.arrange?.(env);
          }
          result = await job.wait();
        } catch (error) {
          result = error;
        }
        const measured = row.phase === "submit" ? operation.submitId : operation.statusId;
        expect(env.recorder.exchangesOf(measured)).toHaveLength(row.attempts);
        expect(env.clock.elapsed("client").slice(0, row.waitsStart.length)).toEqual(row.waitsStart);
        if (row.imsCalls !== undefined)
          expect(env.recorder.exchangesOf("getToken")).toHaveLength(row.imsCalls);
        if (row.outcome === "succeeds") {
          expect(result).toMatchObject({ status: "succeeded" });
          // Exactly one job, whatever the faults.
          expect(await env.control.jobs()).toHaveLength(1);
        } else {
          expect(result).toBeInstanceOf(PhotoshopApiError);
          expect(result).toMatchObject({
            status: row.outcome.status,
            retryable: row.outcome.retryable,
            ...(row.outcome.errorCode !== undefined && { errorCode: row.outcome.errorCode }),
          });
          if (row.jobs !== undefined) expect(await env.control.jobs()).toHaveLength(row.jobs);
        }
      },
    ),
  );
});
