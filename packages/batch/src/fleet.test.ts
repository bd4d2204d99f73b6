// The fleet's library against a real redis-server and an emulator in this process: enqueueBatch,
// startWorker and followBatch as `psapi batch --queue` and `psapi worker` use them.
import { getEventListeners } from "node:events";
import { copyFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { enqueueBatch, type FollowOptions, fleetStatus, followBatch, startWorker } from "./fleet.js";
import type { BatchInput } from "./inputs.js";
import { createPatientRedis } from "./redis-connection.js";
import type { BatchProgress, ProcessContext } from "./runner.js";
import { DISC_PNG, photoInputs, startEmulator } from "./testing/emulator.js";
import { type RedisServer, startRedisServer } from "./testing/redis-server.js";

let server: RedisServer;
let redis: Redis;
let dir: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createPatientRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-fleet-lib-"));
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

// Real jobs through BullMQ on a loaded 2-core machine: the bound is generous; nothing compares a duration.
const SLOW = { timeout: 120_000 };

type WorkerContext = Omit<ProcessContext, "journal" | "operation" | "outDir">;

/** A worker on its own connection (as each `psapi worker` has), closed after the test. */
function worker(context: WorkerContext) {
  const connection = createPatientRedis(server.url);
  const running = startWorker({ redis: connection, context, concurrency: 2 });
  stops.push(async () => {
    await running.close();
    connection.disconnect();
  });
  return running;
}

const follow = (batchId: string, extra: Partial<FollowOptions> = {}) =>
  followBatch({ redis, batchId, intervalMs: 20, ...extra });

const posts = async (emulator: ReturnType<typeof startEmulator>, path: string) =>
  (await emulator.journal()).filter((entry) => entry.method === "POST" && entry.path === path);

describe("the fleet", () => {
  it("retries the inputs that ended failed when queued again with retryFailed", SLOW, async () => {
    const inputs = await photoInputs(dir, 1);
    const emulator = startEmulator();
    // Every submission of the first round fails (2 submissions, each retried by the client 3 times).
    await emulator.control.addFault({ route: "POST /sensei/mask", status: 500, times: 2 * 4 });
    worker({ client: emulator.client, storage: emulator.storage, maxAttempts: 2 });
    const outDir = join(dir, "out");
    await enqueueBatch({ redis, batchId: "retry-failed", operation: "mask", inputs, outDir });
    const first = await follow("retry-failed");
    expect(first).toMatchObject({ total: 1, succeeded: 0, failed: 1 });

    const again = await enqueueBatch({
      redis,
      batchId: "retry-failed",
      operation: "mask",
      inputs,
      outDir,
      retryFailed: true,
    });
    expect(again).toEqual({ queued: 1, finished: 0 });
    const second = await follow("retry-failed");
    expect(second).toMatchObject({ total: 1, succeeded: 1, failed: 0, earlierRun: 0 });
    expect(second.inputs[0]).toMatchObject({ status: "succeeded", attempts: 3 });
    expect((await posts(emulator, "/sensei/mask")).filter((entry) => entry.status === 202)).toHaveLength(1);
  });

  it(
    "queues a retry again when the enqueuer died between the journal write and the queue add",
    SLOW,
    async () => {
      const inputs = await photoInputs(dir, 1);
      const emulator = startEmulator();
      await emulator.control.addFault({ route: "POST /sensei/mask", status: 500, times: 2 * 4 });
      worker({ client: emulator.client, storage: emulator.storage, maxAttempts: 2 });
      const outDir = join(dir, "out");
      const options = { redis, batchId: "retry-crash", operation: "mask", inputs, outDir };
      await enqueueBatch(options);
      expect(await follow("retry-crash")).toMatchObject({ total: 1, failed: 1 });

      // The retry's journal write happens, then the process dies before the queue add.
      const add = vi.spyOn(Queue.prototype, "addBulk").mockRejectedValueOnce(new Error("killed"));
      await expect(enqueueBatch({ ...options, retryFailed: true })).rejects.toThrow("killed");
      add.mockRestore();
      // Run again (with or without --retry-failed): the same retry is queued, under its own job id,
      // not the finished job's, which BullMQ would take as already there.
      expect(await enqueueBatch(options)).toEqual({ queued: 1, finished: 0 });
      const queue = new Queue("psapi-batch", { connection: redis });
      const ids = (await queue.getJobs(["waiting", "active", "completed", "delayed", "prioritized"])).map(
        (job) => job.id,
      );
      await queue.close();
      expect(ids.filter((id) => id?.startsWith("retry-crash-"))).toHaveLength(2);
      const second = await follow("retry-crash");
      expect(second).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
      expect((await posts(emulator, "/sensei/mask")).filter((entry) => entry.status === 202)).toHaveLength(1);
    },
  );

  it("polls a job again when it outlasted the worker's wait, and finishes the batch", SLOW, async () => {
    const inputs = await photoInputs(dir, 1);
    const emulator = startEmulator({ jobs: { pendingMs: 0, runningMs: 60_000 } });
    let stillRunning: () => void = () => {};
    const timedOut = new Promise<void>((resolve) => {
      stillRunning = resolve;
    });
    worker({
      client: emulator.client,
      storage: emulator.storage,
      // Longer than the client's first poll interval (500 ms): the worker sees the job running.
      jobTimeoutMs: 2000,
      onProgress: (progress: BatchProgress) => {
        if (progress.type === "retry" && /still running/.test(progress.error)) stillRunning();
      },
    });
    await enqueueBatch({
      redis,
      batchId: "slow-job",
      operation: "mask",
      inputs,
      outDir: join(dir, "out"),
      retryDelayMs: 50,
    });
    // The worker's first wait ran out; now the job finishes (in the emulator's time).
    await timedOut;
    await emulator.control.advanceClock(61_000);
    const report = await follow("slow-job");
    expect(report).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    expect(await posts(emulator, "/sensei/mask")).toHaveLength(1);
  });

  it(
    "records a job that never finishes as failed after the queue's last attempt, so the batch ends",
    SLOW,
    async () => {
      const inputs = await photoInputs(dir, 1);
      const emulator = startEmulator({ jobs: { pendingMs: 0, runningMs: 3_600_000 } });
      worker({ client: emulator.client, storage: emulator.storage, jobTimeoutMs: 100 });
      await enqueueBatch({
        redis,
        batchId: "stuck-job",
        operation: "mask",
        inputs,
        outDir: join(dir, "out"),
        retryDelayMs: 10,
      });
      const report = await follow("stuck-job");
      expect(report).toMatchObject({ total: 1, succeeded: 0, failed: 1 });
      expect(report.inputs[0]?.error).toMatch(/still running after 5 waits of 0.1 s each; gave up on it/);
      // Submitted once: every later run went back to the same job.
      expect(await posts(emulator, "/sensei/mask")).toHaveLength(1);
    },
  );

  it(
    "records a local input on a worker without storage as failed at once, sending nothing",
    SLOW,
    async () => {
      const inputs = await photoInputs(dir, 1);
      const emulator = startEmulator();
      worker({ client: emulator.client });
      await enqueueBatch({
        redis,
        batchId: "no-storage",
        operation: "mask",
        inputs,
        outDir: join(dir, "out"),
      });
      const report = await follow("no-storage");
      expect(report).toMatchObject({ total: 1, failed: 1 });
      expect(report.inputs[0]?.error).toMatch(/is a local file, and this target has no storage/);
      expect(await posts(emulator, "/sensei/mask")).toHaveLength(0);
    },
  );

  it("leaves no abort listener on the worker's signal once its jobs are done", SLOW, async () => {
    // Each request (undici's Request) listens to the signal it is given until it is garbage-collected:
    // given the worker's own signal, a few jobs were enough for MaxListenersExceededWarning.
    const inputs = await photoInputs(dir, 3);
    const emulator = startEmulator();
    const stop = new AbortController();
    const running = worker({ client: emulator.client, storage: emulator.storage, signal: stop.signal });
    // The journal says "succeeded" before the job's run returns and lets go of its signal: wait for
    // BullMQ's own end of each job, or a loaded machine sees the last job's listener still there.
    let completed = 0;
    const allCompleted = new Promise<void>((resolve) =>
      running.worker.on("completed", () => {
        if (++completed === inputs.length) resolve();
      }),
    );
    await enqueueBatch({ redis, batchId: "listeners", operation: "mask", inputs, outDir: join(dir, "out") });
    expect(await follow("listeners")).toMatchObject({ total: 3, succeeded: 3 });
    await allCompleted;
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
  });

  it(
    "runs a template batch: each worker builds the row's create-composite from the settings the enqueuer left",
    SLOW,
    async () => {
      await copyFile(DISC_PNG, join(dir, "product.png"));
      const edits = {
        layers: [
          {
            type: "layer",
            name: "{{id}}",
            operation: { type: "add", placement: { type: "top" } },
            image: { source: { url: "product.png" } },
            transformMode: "custom",
            transform: {
              offset: { horizontal: "{{x|number}}", vertical: 0 },
              dimension: { width: 16, height: 16 },
            },
          },
        ],
      };
      const inputs: BatchInput[] = Array.from({ length: 6 }, (_, i) => ({
        key: `row${i}`,
        source: { kind: "file", path: DISC_PNG },
        values: { id: `row${i}`, x: String(i * 4) },
      }));
      const emulator = startEmulator();
      // Renditions are hosted by the API: the workers download them through the emulator's fetch.
      worker({ client: emulator.client, storage: emulator.storage, fetch: emulator.fetch });
      worker({ client: emulator.client, storage: emulator.storage, fetch: emulator.fetch });
      const template = { edits, mediaType: "image/jpeg" as const, extension: "jpg", baseDir: dir };
      const outDir = join(dir, "out");
      await enqueueBatch({ redis, batchId: "template", operation: "composite", inputs, outDir, template });
      expect(await follow("template")).toMatchObject({ total: 6, succeeded: 6, failed: 0 });
      expect((await readdir(outDir)).sort()).toEqual(
        inputs.map((input) => `${input.key}-composite.jpg`).sort(),
      );
      const jpeg = await readFile(join(outDir, "row2-composite.jpg"));
      expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
      const accepted = await posts(emulator, "/v2/create-composite");
      expect(accepted.filter((entry) => entry.status === 202)).toHaveLength(6);
      // The same batch with other settings is refused; without settings, too.
      await expect(
        enqueueBatch({
          redis,
          batchId: "template",
          operation: "composite",
          inputs,
          outDir,
          template: { ...template, extension: "png" },
        }),
      ).rejects.toMatchObject({ code: "batch-mismatch" });
      await expect(
        enqueueBatch({ redis, batchId: "other", operation: "composite", inputs }),
      ).rejects.toMatchObject({
        code: "invalid-option",
      });
    },
  );

  it("refuses a batch id BullMQ cannot take before writing anything", async () => {
    const inputs: BatchInput[] = [
      { key: "a.png", source: { kind: "url", url: "https://example.com/a.png" } },
    ];
    await expect(enqueueBatch({ redis, batchId: "run:2024", operation: "mask", inputs })).rejects.toThrow(
      TypeError,
    );
    expect(await redis.exists("psapi:batch:run:2024:meta", "psapi:batch:run:2024:inputs")).toBe(0);
    expect((await fleetStatus(redis, "run:2024")).total).toBe(0);
  });

  it("follows a batch for many polls with one abort listener, reading only what is new", async () => {
    await redis.hset("psapi:batch:never:inputs", "a.png", "{}");
    const stop = new AbortController();
    const polls = vi.spyOn(redis, "pipeline");
    const fullReads = vi.spyOn(redis, "hgetall");
    const following = follow("never", { intervalMs: 1, signal: stop.signal });
    following.catch(() => {});
    for (let i = 0; i < 5_000 && polls.mock.calls.length < 30; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    expect(polls.mock.calls.length).toBeGreaterThanOrEqual(30);
    expect(getEventListeners(stop.signal, "abort").length).toBeLessThanOrEqual(1);
    // The whole journal (meta and state) was read once, at the start; each poll reads the log's tail.
    expect(fullReads.mock.calls.length).toBe(2);
    stop.abort(new Error("stop"));
    await expect(following).rejects.toThrow("stop");
    polls.mockRestore();
    fullReads.mockRestore();
  });
});
