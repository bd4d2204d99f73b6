// A seeded chaos run of the fleet on a real redis-server: `psapi worker` processes and the enqueuer
// (`psapi batch --queue`) killed with SIGKILL at seeded points, some of them inside a retry window
// (a submission refused, its `failed` entry journaled, the retry not yet under way), workers stopped
// with SIGTERM (after which no rate-limit slot of theirs may still be held in Redis), Redis restarted
// once. At the end every input is done exactly once, no accepted input was submitted again, nothing
// met a 429, and the journal agrees with the outputs on disk. PSAPI_CHAOS_SEED, PSAPI_CHAOS_KILLS and
// PSAPI_CHAOS_INPUTS make it larger; every wait is for an event (a journal entry, an exit, a line of
// output).
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPatientRedis, fleetStatus } from "@psapi/batch";
import { type RedisServer, startRedisServer } from "@psapi/batch/testing";
import { type RunningCli, startCli } from "@psapi/cli/testing";
import { createEmulator, type JournalEntry } from "@psapi/mock-server";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { listenEmulator } from "@psapi/mock-server/server";
import type { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SEED = Number(process.env.PSAPI_CHAOS_SEED ?? 26);
const KILLS = Number(process.env.PSAPI_CHAOS_KILLS ?? 20);
const INPUTS = Number(process.env.PSAPI_CHAOS_INPUTS ?? 90);
const WORKERS = 3;
/** The limiter's in-flight bound (`createRedisRateLimiter`'s default, which `psapi worker` keeps). */
const INFLIGHT_MS = 60_000;
const ENV = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };
/**
 * Windows the emulator enforces and the workers keep to. Roomy enough that the slots a killed worker
 * leaves unsettled (up to its concurrency, for the limiter's in-flight bound) do not stall the rest.
 */
const RULES = [
  { name: "post", method: "POST" as const, limit: 200, windowMs: 1000 },
  { name: "get", method: "GET" as const, limit: 400, windowMs: 1000 },
];

/** mulberry32: a small seeded generator, so a failing seed can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-chaos-"));
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const start = (args: string[]): RunningCli => startCli(args, { env: ENV, cwd: dir });
const alive = (running: RunningCli) => running.child.exitCode === null && running.child.signalCode === null;

describe("the fleet under SIGKILL and a Redis restart", () => {
  it(`seed ${SEED}: ${KILLS} kills of workers and the enqueuer, Redis restarted once: every input done once`, {
    timeout: 600_000,
  }, async () => {
    const next = random(SEED);
    const app = createEmulator({
      jobs: { pendingMs: 0, runningMs: 50 },
      rateLimits: RULES,
      limits: { maxJobs: 5000, maxObjects: 5000, maxJournalEntries: 200_000 },
    });
    const emulator = await listenEmulator(app.fetch);
    const control = createEmulatorControl({
      baseUrl: emulator.url,
      fetch: async (request) => app.fetch(request),
    });
    const png = await sharp({
      create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 80, b: 40 } },
    })
      .png()
      .toBuffer();
    const input = join(dir, "in");
    await mkdir(input);
    for (let i = 0; i < INPUTS; i++) await writeFile(join(input, `p${String(i).padStart(4, "0")}.png`), png);
    const out = join(dir, "out");
    const batchId = "chaos";
    const enqueue = (retryFailed: boolean) =>
      start([
        "batch",
        input,
        "--op",
        "mask",
        "--queue",
        redis.url,
        "--batch-id",
        batchId,
        "--out",
        out,
        ...(retryFailed ? ["--retry-failed"] : []),
      ]);
    const worker = () =>
      start([
        "worker",
        "--queue",
        redis.url,
        "--base-url",
        emulator.url,
        "--rate-limits",
        JSON.stringify(RULES),
        "--concurrency",
        "4",
        "--lock-duration",
        "1500",
        // Refused submissions use attempts up: enough that no input runs out of them.
        "--max-attempts",
        "8",
      ]);
    const workers = Array.from({ length: WORKERS }, worker);
    let enqueuer = enqueue(false);
    const client: Redis = createPatientRedis(redis.url);
    client.on("error", () => {});
    const restartAt = Math.floor(next() * KILLS);
    // One SIGTERM stop and one retry-window kill at seeded points in the first half (while there is
    // work left to interrupt), more at seeded chance.
    const sigtermAt = Math.floor(next() * (KILLS / 2));
    const retryAt = (sigtermAt + 1 + Math.floor(next() * (KILLS / 2 - 1))) % Math.floor(KILLS / 2);
    const kills: string[] = [];
    /** Redis's clock (ms), the one the limiter scores slots with. */
    const redisNow = async () => {
      const [seconds, micros] = await client.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    // When the last worker killed with SIGKILL had exited: a slot taken after it is a live worker's.
    let lastKillAt = 0;
    let settledByStops = 0;
    const killWorkers = async (indexes: number[]) => {
      const victims = indexes.map((index) => workers[index] as RunningCli);
      for (const victim of victims) victim.child.kill("SIGKILL");
      await Promise.all(victims.map((victim) => victim.done));
      lastKillAt = await redisNow();
      for (const index of indexes) workers[index] = worker();
    };
    try {
      const logLength = async () => client.xlen(`psapi:batch:${batchId}:log`);
      const done = async () => {
        const status = await fleetStatus(client, batchId);
        return status.total === INPUTS && status.succeeded + status.failed === INPUTS;
      };
      for (let i = 0; i < KILLS && !(await done()); i++) {
        // The kill point: a seeded number of journal entries from now (an event, not a time).
        const from = await logLength();
        const steps = 1 + Math.floor(next() * 3);
        while ((await logLength()) < from + steps && !(await done())) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        if (i === restartAt) {
          await redis.stop();
          await redis.start();
          kills.push("redis");
        }
        const kind = i === sigtermAt ? 0 : i === retryAt ? 0.15 : next();
        if (kind < 0.1) {
          // Every worker stopped with SIGTERM, as a deploy stops them: each settles its slots before
          // it disconnects. Any slot taken since the last SIGKILL is a stopped worker's; none may
          // still count as in flight (scored ahead of now) once they have exited.
          // Running workers, not ones still starting (a worker just restarted after a kill).
          await Promise.all(
            workers.map(
              (running) =>
                new Promise<void>((resolve) => {
                  const check = () =>
                    /worker: taking inputs/.test(running.output()) || !alive(running)
                      ? resolve()
                      : setTimeout(check, 10);
                  check();
                }),
            ),
          );
          for (const running of workers) running.child.kill("SIGTERM");
          await Promise.all(workers.map((running) => running.done));
          // Each went through its stop (inputs handed back, slots settled), not a crash.
          // ... and reported none of its inputs failed for the stop: they go back to the fleet.
          for (const running of workers) {
            expect(running.output()).toContain("worker stopped");
            expect(running.output()).not.toMatch(/FAILED .*interrupted/);
          }
          const now = await redisNow();
          const logs = (await client.keys("psapi:rate:*")).filter((key) => !key.endsWith(":pause"));
          for (const log of logs) {
            const held = await client.zrangebyscore(
              log,
              `(${Math.max(lastKillAt + INFLIGHT_MS, now)}`,
              "+inf",
            );
            expect(held, `${log}: slots still held after the SIGTERM'd workers exited`).toEqual([]);
            settledByStops += (await client.zcount(log, `(${lastKillAt}`, now)) as number;
          }
          for (let index = 0; index < workers.length; index++) workers[index] = worker();
          kills.push("workers (SIGTERM)");
        } else if (kind < 0.2) {
          // The retry window: submissions refused (500s, more than the client's own retries take,
          // before any job exists) until one's `failed` entry is in the journal, its retry not yet
          // under way; every worker dies there, the one that wrote it included.
          await control.addFault({ route: "POST /sensei/mask", status: 500, times: 60 });
          const log = `psapi:batch:${batchId}:log`;
          const [last] = await client.xrevrange(log, "+", "-", "COUNT", 1);
          let after = last?.[0] ?? "0-0";
          let refused = false;
          while (!refused && !(await done())) {
            const entries = await client.xrange(log, `(${after}`, "+");
            for (const [id, fields] of entries) {
              after = id;
              const event = JSON.parse(String(fields[fields.indexOf("event") + 1])) as {
                event: string;
                final?: boolean;
              };
              if (event.event === "failed" && event.final === false) refused = true;
            }
            if (!refused) await new Promise((resolve) => setTimeout(resolve, 5));
          }
          await killWorkers(workers.map((_, index) => index));
          await control.clearFaults();
          kills.push(refused ? "workers (retry window)" : "workers (the batch ended first)");
        } else if (kind < 0.45) {
          // The enqueuer: now, or once it has queued (its journal write and queue add behind it).
          if (next() < 0.5) {
            await new Promise<void>((resolve) => {
              const check = () =>
                /queued \d+ inputs/.test(enqueuer.output()) || !alive(enqueuer)
                  ? resolve()
                  : setTimeout(check, 10);
              check();
            });
          }
          enqueuer.child.kill("SIGKILL");
          await enqueuer.done;
          enqueuer = enqueue(next() < 0.5);
          kills.push("enqueuer");
        } else {
          const index = Math.floor(next() * workers.length);
          await killWorkers([index]);
          kills.push(`worker ${index}`);
        }
      }
      // The last enqueuer, left alone, follows the batch to its end.
      const { code } = await enqueuer.done;
      expect(enqueuer.output()).toMatch(
        new RegExp(`mask: ${INPUTS} of ${INPUTS} succeeded( \\(\\d+ in an earlier run\\))?, 0 failed`),
      );
      expect(code).toBe(0);
      // Every kill point was reached with work left (else the kills proved nothing), and Redis restarted.
      expect(
        kills.filter((kill) => kill !== "redis"),
        kills.join(", "),
      ).toHaveLength(KILLS);
      expect(kills).toContain("redis");
      // The seed put SIGTERM stops and retry-window kills among the kill points, and the stopped
      // workers had held slots (the check above is about something).
      expect(kills).toContain("workers (SIGTERM)");
      expect(kills).toContain("workers (retry window)");
      expect(settledByStops).toBeGreaterThan(0);

      const entries: JournalEntry[] = await control.journal({ limit: 200_000 });
      const accepted = entries.filter(
        (entry) => entry.method === "POST" && entry.path === "/sensei/mask" && entry.status === 202,
      ).length;
      const status = await fleetStatus(client, batchId);
      // Once accepted, never submitted again: more acceptances than inputs only for submissions a
      // kill left in doubt (sent, answer not recorded), which the journal counts.
      expect(status.succeeded).toBe(INPUTS);
      expect(accepted).toBeGreaterThanOrEqual(INPUTS);
      expect(accepted).toBeLessThanOrEqual(INPUTS + status.inDoubt);
      expect(entries.filter((entry) => entry.status === 429)).toEqual([]);
      // The journal agrees with the disk: one output per input, each where the journal says.
      const files = (await readdir(out)).filter((name) => name.endsWith("-mask.png")).sort();
      expect(files).toHaveLength(INPUTS);
      const outputs = status.inputs.map((report) => report.output?.split("/").at(-1)).sort();
      expect(outputs).toEqual(files);
    } finally {
      for (const running of [enqueuer, ...workers]) if (alive(running)) running.child.kill("SIGTERM");
      await Promise.all([enqueuer, ...workers].map((running) => running.done));
      client.disconnect();
      await emulator.close();
    }
  });
});
