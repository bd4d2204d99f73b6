// The fleet's Redis footprint on a real redis-server: every key a batch writes expires after its
// retention once the batch is done, and the queue trims its own finished jobs and events, so a fleet
// that runs batch after batch holds about as many keys, and as much memory, as after its first.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { enqueueBatch, followBatch, startWorker } from "./fleet.js";
import { createPatientRedis } from "./redis-connection.js";
import { photoInputs, startEmulator } from "./testing/emulator.js";
import { type RedisServer, startRedisServer } from "./testing/redis-server.js";

let server: RedisServer;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createPatientRedis(server.url);
  // Small stream nodes, so that the approximate caps (MAXLEN ~) trim at this test's small sizes.
  await redis.config("SET", "stream-node-max-entries", "10");
  dir = await mkdtemp(join(tmpdir(), "psapi-fleet-footprint-"));
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** Every key in Redis, with its memory and its time to live (ms; -1 none). */
async function footprint() {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "COUNT", 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  const rows = await Promise.all(
    keys.sort().map(async (key) => ({
      key,
      bytes: Number((await redis.memory("USAGE", key)) ?? 0),
      ttl: await redis.pttl(key),
    })),
  );
  return { keys: rows, bytes: rows.reduce((sum, row) => sum + row.bytes, 0) };
}

// Long enough that the checks right after a batch still find its keys on a machine 18 times slower
// than idle (3 s was not: CI once lost a batch's keys before the scan); the wait for batches 1-4 to
// expire below is Redis's own clock, so a longer retention costs time, not certainty.
const RETENTION_MS = 10_000;
const PER_BATCH = 3;

describe("the fleet's Redis footprint", () => {
  it("stays the same after five batches as after one: each batch's keys expire, the queue trims its own", {
    timeout: 120_000,
  }, async () => {
    const emulator = startEmulator();
    const connection = createPatientRedis(server.url);
    const worker = startWorker({
      redis: connection,
      context: { client: emulator.client, storage: emulator.storage },
      concurrency: 2,
    });
    const runBatch = async (n: number) => {
      const batchId = `footprint-${n}`;
      const inputs = await photoInputs(join(dir, `in-${n}`), PER_BATCH);
      await enqueueBatch({
        redis,
        batchId,
        operation: "mask",
        inputs,
        outDir: join(dir, `out-${n}`),
        retentionMs: RETENTION_MS,
        keepJobs: PER_BATCH,
        eventsMaxLen: 20,
      });
      const report = await followBatch({ redis, batchId, intervalMs: 20 });
      expect(report).toMatchObject({ total: PER_BATCH, succeeded: PER_BATCH });
      // Every key the batch wrote is there and expires within its retention.
      const { keys } = await footprint();
      const mine = keys.filter((row) => row.key.startsWith(`psapi:batch:${batchId}:`));
      expect(mine.map((row) => row.key.split(":").at(-1)).sort()).toEqual([
        "finished",
        "inputs",
        "log",
        "meta",
        "state",
      ]);
      for (const row of mine) {
        expect(row.ttl, row.key).toBeGreaterThan(0);
        expect(row.ttl, row.key).toBeLessThanOrEqual(RETENTION_MS);
      }
    };
    try {
      await runBatch(1);
      const afterOne = await footprint();
      for (let n = 2; n <= 4; n++) await runBatch(n);
      // The batches before the fifth expire (Redis's own clock; this waits for it, bounds nothing).
      await vi.waitFor(async () => expect(await redis.keys("psapi:batch:footprint-[1-4]:*")).toEqual([]), {
        timeout: 60_000,
        interval: 100,
      });
      await runBatch(5);
      const afterFive = await footprint();

      // No key of psapi's lives for ever; BullMQ's job keys are bounded by keepJobs instead.
      for (const row of afterFive.keys.filter((r) => r.key.startsWith("psapi:"))) {
        expect(row.ttl, row.key).toBeGreaterThan(0);
      }
      const jobs = (f: typeof afterOne) =>
        f.keys.filter((row) => /^bull:psapi-batch:footprint-/.test(row.key)).length;
      expect(jobs(afterFive)).toBeLessThanOrEqual(2 * PER_BATCH);
      expect(Math.abs(afterFive.keys.length - afterOne.keys.length)).toBeLessThanOrEqual(2);
      expect(afterFive.bytes).toBeLessThanOrEqual(afterOne.bytes * 1.25);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
