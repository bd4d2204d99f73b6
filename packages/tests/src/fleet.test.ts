// The fleet end to end, as users run it: a real redis-server, an emulator on 127.0.0.1 with rate
// limits and seeded faults, `psapi worker` processes and `psapi batch --queue`, all built binaries.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPatientRedis, type FleetStatus, fleetStatus, QUEUE_NAME } from "@psapi/batch";
import { type RedisServer, startRedisServer } from "@psapi/batch/testing";
import { type RunningCli, startCli } from "@psapi/cli/testing";
import { createEmulator, type JournalEntry } from "@psapi/mock-server";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { listenEmulator } from "@psapi/mock-server/server";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** On top of a clean environment (PATH only). */
const ENV = {
  PHOTOSHOP_CLIENT_ID: "psapi-demo-client",
  PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret",
};
/** Windows the emulator enforces and the workers keep to together (Adobe's are per minute: too slow here). */
const RULES = [
  { name: "post", method: "POST" as const, limit: 20, windowMs: 1000 },
  { name: "get", method: "GET" as const, limit: 60, windowMs: 1000 },
];
/** Inputs one worker holds at most (its `--concurrency`). */
const CONCURRENCY = 6;
// Each test runs several Node processes through hundreds of jobs: on a loaded 2-core machine that
// takes minutes, so the bound is generous; no assertion compares a duration.
const SLOW = { timeout: 600_000 };

let dir: string;
let redis: RedisServer;
let png: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-fleet-"));
  redis = await startRedisServer();
  png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function photos(name: string, count: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(join(path, `p${String(i).padStart(4, "0")}.png`), png);
  return path;
}

async function serveEmulator(faults: boolean) {
  const app = createEmulator({
    jobs: { pendingMs: 0, runningMs: 50 },
    rateLimits: RULES,
    limits: { maxJobs: 5000, maxObjects: 5000, maxJournalEntries: 200_000 },
    faults: faults
      ? {
          seed: 17,
          rules: [
            { route: "POST /sensei/*", status: 503, probability: 0.1 },
            { route: "GET /sensei/status/*", status: 502, probability: 0.05 },
            { route: "GET /sensei/status/*", reset: true, probability: 0.05 },
          ],
        }
      : {},
  });
  const { url, close } = await listenEmulator(app.fetch);
  const control = createEmulatorControl({ baseUrl: url, fetch: async (request) => app.fetch(request) });
  const journal = (): Promise<JournalEntry[]> => control.journal({ limit: 200_000 });
  return {
    url,
    journal,
    close,
  };
}

function start(args: string[], cwd = dir): RunningCli {
  return startCli(args, { env: ENV, cwd });
}

/**
 * `lockMs`: how long a dead worker's inputs wait before the others take them. Short where a worker is
 * killed; longer where Redis goes away, so that a live worker's lock outlasts the outage.
 */
function startWorkers(count: number, emulatorUrl: string, lockMs = 3000): RunningCli[] {
  return Array.from({ length: count }, () =>
    start([
      "worker",
      "--queue",
      redis.url,
      "--base-url",
      emulatorUrl,
      "--rate-limits",
      JSON.stringify(RULES),
      "--concurrency",
      String(CONCURRENCY),
      "--lock-duration",
      String(lockMs),
    ]),
  );
}

async function stopAll(processes: RunningCli[]): Promise<void> {
  for (const { child } of processes)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(processes.map((running) => running.done));
}

/**
 * Waits until the batch has at least `count` finished inputs (read from the fleet's journal) and
 * BullMQ has more than `busy` inputs active, then returns the journal's status: the moment to inject
 * a fault. Fails at once, with the batch's output, if `psapi batch` exits first: the fault would then
 * hit a finished batch and the test would prove nothing.
 */
async function untilFinished(
  batch: RunningCli,
  batchId: string,
  count: number,
  busy = 0,
): Promise<FleetStatus> {
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void batch.done.then((end) => {
    exited = end;
  });
  const client = createPatientRedis(redis.url);
  try {
    for (;;) {
      if (exited !== undefined) {
        throw new Error(
          `psapi batch exited (code ${exited.code}, signal ${exited.signal}) before ${batchId} had ${count} finished inputs and more than ${busy} active: no work left for the fault to hit\n${batch.output()}`,
        );
      }
      const status = await fleetStatus(client, batchId);
      const active = await client.llen(`bull:${QUEUE_NAME}:active`);
      if (status.succeeded >= count && active > busy) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.disconnect();
  }
}

/** The batch's journal status now. */
async function statusOf(batchId: string): Promise<FleetStatus> {
  const client = createPatientRedis(redis.url);
  try {
    return await fleetStatus(client, batchId);
  } finally {
    client.disconnect();
  }
}

/** `psapi batch <input> --op <op> --queue <redis> --batch-id <id> --out <out>`. */
const batchArgs = (input: string, op: string, batchId: string, out: string) => [
  "batch",
  input,
  "--op",
  op,
  "--queue",
  redis.url,
  "--batch-id",
  batchId,
  "--out",
  out,
];

const count = (entries: JournalEntry[], method: string, path: RegExp, status?: number) =>
  entries.filter(
    (entry) =>
      entry.method === method && path.test(entry.path) && (status === undefined || entry.status === status),
  ).length;

describe("psapi batch --queue and psapi worker", () => {
  it("serves the fleet's emulator with the emulator server's keep-alive (65 s), not Node's 5 s", async () => {
    const emulator = await serveEmulator(false);
    try {
      const { response } = await createEmulatorControl({ baseUrl: emulator.url }).api.GET(
        "/__emulator/clock",
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("keep-alive")).toBe("timeout=65");
    } finally {
      await emulator.close();
    }
  });

  it(
    "3 workers, 300 inputs, 10% faults, rate limits on: none lost, none twice, one IMS request; a second batch does nothing",
    SLOW,
    async () => {
      const emulator = await serveEmulator(true);
      const workers = startWorkers(3, emulator.url);
      try {
        const input = await photos("fleet-300", 300);
        const out = join(dir, "fleet-300-out");
        const args = batchArgs(input, "mask", "fleet-300", out);
        const batch = start(args);
        const { code } = await batch.done;
        expect(batch.output()).toMatch(/mask: 300 of 300 succeeded, 0 failed/);
        expect(code).toBe(0);
        expect((await readdir(out)).filter((name) => name.endsWith("-mask.png"))).toHaveLength(300);
        const entries = await emulator.journal();
        expect(entries.filter((entry) => entry.fault !== undefined).length).toBeGreaterThan(10);
        // Each input accepted exactly once, and no window was ever exceeded.
        expect(count(entries, "POST", /^\/sensei\/mask$/, 202)).toBe(300);
        expect(entries.filter((entry) => entry.status === 429 && entry.fault === undefined)).toEqual([]);
        // One token for the whole fleet: the workers that find the renewal lock taken wait for the
        // holder's token (up to the lock's lifetime), however long its IMS request takes under load.
        expect(count(entries, "POST", /^\/ims\/token/)).toBe(1);

        const again = start(args);
        const second = await again.done;
        expect(second.code).toBe(0);
        expect(again.output()).toMatch(/queued 0 inputs .*\(300 already finished\)/);
        expect(again.output()).toMatch(/300 of 300 succeeded \(300 in an earlier run\)/);
        expect(count(await emulator.journal(), "POST", /^\/sensei\/mask$/)).toBe(
          count(entries, "POST", /^\/sensei\/mask$/),
        );
      } finally {
        await stopAll(workers);
        await emulator.close();
      }
    },
  );

  it(
    "finishes the batch when a worker is killed with SIGKILL mid-run (remove-background: hosted results)",
    SLOW,
    async () => {
      const emulator = await serveEmulator(false);
      const workers = startWorkers(2, emulator.url);
      try {
        const input = await photos("fleet-kill", 60);
        const out = join(dir, "fleet-kill-out");
        const batch = start(batchArgs(input, "remove-background", "fleet-kill", out));
        // More inputs active than one worker can hold: worker 0 holds some when it is killed.
        await untilFinished(batch, "fleet-kill", 10, CONCURRENCY);
        workers[0]?.child.kill("SIGKILL");
        expect((await statusOf("fleet-kill")).succeeded).toBeLessThan(60);
        const { code } = await batch.done;
        expect(batch.output()).toMatch(/remove-background: 60 of 60 succeeded, 0 failed/);
        expect(code).toBe(0);
        expect((await readdir(out)).filter((name) => name.endsWith("-cutout.png"))).toHaveLength(60);
        const accepted = count(await emulator.journal(), "POST", /^\/v2\/remove-background$/, 202);
        const inDoubt = Number(/(\d+) submission\(s\) in doubt/.exec(batch.output())?.[1] ?? 0);
        expect(accepted).toBeGreaterThanOrEqual(60);
        expect(accepted).toBeLessThanOrEqual(60 + inDoubt);
      } finally {
        await stopAll(workers);
        await emulator.close();
      }
    },
  );

  it(
    "finishes the batch when Redis is stopped and started again mid-run (mask-objects: several hosted files each)",
    SLOW,
    async () => {
      const emulator = await serveEmulator(false);
      const workers = startWorkers(2, emulator.url, 20_000);
      try {
        const input = await photos("fleet-redis", 60);
        const out = join(dir, "fleet-redis-out");
        const batch = start(batchArgs(input, "mask-objects", "fleet-redis", out));
        const before = await untilFinished(batch, "fleet-redis", 10);
        await redis.stop();
        // Work was outstanding when Redis went away.
        expect(before.succeeded).toBeLessThan(60);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await redis.start();
        const { code } = await batch.done;
        expect(batch.output()).toMatch(/mask-objects: 60 of 60 succeeded, 0 failed/);
        expect(code).toBe(0);
        const folders = (await readdir(out)).filter((name) => name.endsWith("-masks"));
        expect(folders).toHaveLength(60);
        for (const folder of folders) expect((await readdir(join(out, folder))).length).toBeGreaterThan(0);
        const entries = await emulator.journal();
        expect(count(entries, "POST", /^\/v1\/mask-objects$/, 202)).toBe(60);
        // One token: it was shared before Redis went away, and each worker kept it in memory meanwhile.
        expect(count(entries, "POST", /^\/ims\/token/)).toBe(1);
      } finally {
        await stopAll(workers);
        await emulator.close();
      }
    },
  );
  it(
    "runs a template batch (--op composite) on two workers: one rendition per CSV row, each submitted once",
    SLOW,
    async () => {
      const emulator = await serveEmulator(false);
      const workers = startWorkers(2, emulator.url);
      try {
        const cwd = await mkdtemp(join(dir, "fleet-template-"));
        await writeFile(join(cwd, "product.png"), png);
        await writeFile(join(cwd, "template.png"), png);
        const rows = Array.from({ length: 12 }, (_, i) => `r${i},product.png,${i}`);
        await writeFile(join(cwd, "rows.csv"), `id,photo,x\n${rows.join("\n")}\n`);
        await writeFile(
          join(cwd, "edits.json"),
          JSON.stringify({
            layers: [
              {
                type: "layer",
                name: "{{id}}",
                operation: { type: "add", placement: { type: "top" } },
                image: { source: { url: "{{photo}}" } },
                transformMode: "custom",
                transform: {
                  offset: { horizontal: "{{x|number}}", vertical: 2 },
                  dimension: { width: 8, height: 8 },
                },
              },
            ],
          }),
        );
        const out = join(cwd, "out");
        const batch = start(
          [
            ...batchArgs("rows.csv", "composite", "fleet-template", out),
            "--template",
            "template.png",
            "--edits",
            "edits.json",
            "--type",
            "jpeg",
          ],
          cwd,
        );
        const { code } = await batch.done;
        expect(batch.output()).toMatch(/composite: 12 of 12 succeeded, 0 failed/);
        expect(code).toBe(0);
        const files = (await readdir(out)).filter((name) => name.endsWith("-composite.jpg"));
        expect(files.sort()).toEqual(rows.map((row) => `${row.split(",")[0]}-composite.jpg`).sort());
        const entries = await emulator.journal();
        expect(count(entries, "POST", /^\/v2\/create-composite$/, 202)).toBe(12);
        expect(count(entries, "POST", /^\/v2\/create-composite$/, 429)).toBe(0);
      } finally {
        await stopAll(workers);
        await emulator.close();
      }
    },
  );
});
