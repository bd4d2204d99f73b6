import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnvironment, useEnvironment } from "./harness/environment.js";
import { maskRequest } from "./harness/jobs.js";

const JOBS = 500;
const CONCURRENCY = 32;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MB = 2 ** 20;

/** Heap in use after a full collection (the suite runs with --expose-gc; see vitest.config.ts). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (vitest.config.ts sets execArgv)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `work` for indexes 0…count-1, at most `concurrency` at a time. */
async function pool<T>(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) results[index] = await work(index);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** The soak itself. Returns only numbers, so nothing it built stays reachable for the heap reading. */
async function soak(env: TestEnvironment) {
  const { client, control, recorder } = env;
  const started = performance.now();
  const bodies = await pool(JOBS, CONCURRENCY, async (index) => {
    return (await maskRequest(env, `soak-${index}`, { seed: index })).body;
  });
  const jobIds = await pool(JOBS, CONCURRENCY, async (index) => {
    const body = bodies[index];
    if (!body) throw new Error(`no body for job ${index}`);
    const job = await client.createMask(body);
    expect(await job.wait()).toMatchObject({ status: "succeeded" });
    return job.jobId;
  });
  const seconds = (performance.now() - started) / 1000;

  const submissions = recorder.exchangesOf("createMask");
  const polls = recorder.exchangesOf("getSenseiJobStatus");
  const faulted = [...submissions, ...polls].filter(
    (e) => e.status === undefined || (e.status !== 200 && e.status !== 202),
  );
  // Exactly once: one accepted submission per job, and the emulator ran exactly those jobs.
  expect(submissions.filter((e) => e.status === 202)).toHaveLength(JOBS);
  const jobs = await control.jobs();
  expect(jobs.map((job) => job.status)).toEqual(Array(JOBS).fill("succeeded"));
  expect(new Set(jobs.map((job) => job.jobId))).toEqual(new Set(jobIds));
  // Every output was written and is a PNG.
  const signatures = await pool(JOBS, CONCURRENCY, async (index) => {
    return [...(await control.download(`soak-${index}-output.png`)).subarray(0, 8)];
  });
  expect(signatures).toEqual(Array(JOBS).fill(PNG_SIGNATURE));
  // The faults really were injected, at about the configured rate.
  expect(faulted.length).toBeGreaterThan(0.15 * (submissions.length + polls.length));
  return { seconds, submissions: submissions.length, polls: polls.length, faulted: faulted.length };
}

describe(`bounded soak: ${JOBS} mask jobs, ${CONCURRENCY} at a time, 20% transient faults`, () => {
  const env = useEnvironment(
    {
      emulator: {
        jobs: { pendingMs: 0, runningMs: 0 },
        limits: { maxObjects: 4 * JOBS, maxJobs: 2 * JOBS },
        // Seeded: the same draws on every run (which request gets which draw follows the interleaving).
        faults: {
          seed: 20_261_123,
          rules: [
            { route: "POST /sensei/mask", status: 503, probability: 0.1 },
            { route: "POST /sensei/mask", status: 429, retryAfter: 1, probability: 0.1 / 0.9 },
            { route: "GET /sensei/status/*", status: 502, probability: 0.1 },
            { route: "GET /sensei/status/*", reset: true, probability: 0.1 / 0.9 },
          ],
        },
      },
      // With 20% faults a call fails four times in a row once in 625 calls; the soak is about
      // exactly-once delivery under faults, so it gives the client room (the matrix tests the cap).
      client: { retry: { maxRetries: 8 } },
    },
    { per: "describe" },
  );

  let unhandled = 0;
  const onUnhandled = () => {
    unhandled += 1;
  };
  beforeAll(() => {
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  it("runs every job exactly once, leaks no rejection, and gives its memory back on reset", {
    timeout: 60_000,
  }, async () => {
    const { auth, client, control, recorder } = env();
    // Warm up (module loading, sharp, schema compilation) before the baseline. The reset forgets
    // the token too, so the auth drops it and gets one from the fresh emulator: no 401s in the soak.
    await (await client.createMask((await maskRequest(env(), "warmup")).body)).wait();
    await control.reset();
    await auth.invalidate((await auth.getToken()).accessToken);
    await auth.getToken();
    recorder.forgetExchanges();
    const baseline = heapAfterGc();

    const figures = await soak(env());
    const peak = heapAfterGc();
    await control.reset();
    expect(await control.jobs()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toBe(0);
    // The harness's own record of the run is not the emulator's memory.
    recorder.forgetExchanges();
    const after = heapAfterGc();
    console.log(
      `soak: ${JOBS} jobs in ${figures.seconds.toFixed(1)} s; ${figures.submissions} submissions and ` +
        `${figures.polls} status reads, ${figures.faulted} of them faulted; heap ${(baseline / MB).toFixed(1)} MB ` +
        `before, ${(peak / MB).toFixed(1)} MB after the jobs, ${(after / MB).toFixed(1)} MB after reset`,
    );
    expect(after - baseline).toBeLessThan(8 * MB);
  });
});
