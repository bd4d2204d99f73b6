// 6. Batch throughput: images per minute through `psapi worker` fleets of 1, 2 and 4 processes
// running the current contract's remove-background against the emulator with Adobe's documented
// rate limits on, as a ratio to what those limits allow at most (the service's physical ceiling),
// and the 429s the fleet met (target 0). Each fleet has a fresh emulator and a fresh Redis: the
// client-side windows live in Redis, and a shared one would make a fleet wait out the previous
// fleet's requests.
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startRedisServer } from "@psapi/batch/testing";
import { startCli } from "@psapi/cli/testing";
import { ADOBE_RATE_RULES, rateRuleMatcher } from "@psapi/core";
import { createEmulator, type JournalEntry } from "@psapi/mock-server";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { listenEmulator } from "@psapi/mock-server/server";
import sharp from "sharp";
import type { BenchContext } from "./lib/context.js";
import type { BenchOutcome, Figure } from "./lib/report.js";
import { round } from "./lib/stats.js";

/** On top of a clean environment (PATH only). */
const ENV = {
  PHOTOSHOP_CLIENT_ID: "psapi-demo-client",
  PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret",
};
const FLEETS = [1, 2, 4] as const;
/** The operation run, and the request the rate limits count for it. */
const OPERATION = { op: "remove-background", method: "POST", path: "/v2/remove-background" } as const;
const TARGET = 0.9;

/**
 * The earliest time (ms from the first) at which each of `count` requests (`method` `path`) can
 * arrive when every rule that counts them is a sliding window, and nothing else is slow: the ceiling.
 */
export function idealSchedule(
  count: number,
  method: string = OPERATION.method,
  path: string = OPERATION.path,
): number[] {
  const rules = ADOBE_RATE_RULES.filter((rule) => rateRuleMatcher(rule)(method, path));
  const times: number[] = [];
  let now = 0;
  while (times.length < count) {
    let wait = 0;
    for (const rule of rules) {
      const inWindow = times.filter((t) => t > now - rule.windowMs);
      if (inWindow.length >= rule.limit) wait = Math.max(wait, (inWindow[0] ?? now) + rule.windowMs - now);
    }
    if (wait === 0) times.push(now);
    else now += wait;
  }
  return times;
}

function start(
  args: string[],
  cwd: string,
): { child: ChildProcess; done: Promise<number>; output: () => string } {
  const { child, done, output } = startCli(args, { env: ENV, cwd });
  return { child, done: done.then(({ code }) => code), output };
}

/** Runs the batch-throughput bench. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const images = context.quick ? 40 : 130;
  const dir = mkdtempSync(join(tmpdir(), "psapi-bench-batch-"));
  const png = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } },
  })
    .png()
    .toBuffer();
  const ideal = idealSchedule(images);
  const idealSpanMs = (ideal.at(-1) ?? 0) - (ideal[0] ?? 0);
  const ceilingPerMinute = ((images - 1) / idealSpanMs) * 60_000;
  const raw: Record<string, unknown>[] = [];
  const figures: Figure[] = [];
  let current: RedisServer | undefined;
  try {
    for (const workers of FLEETS) {
      // A fresh emulator and a fresh Redis per fleet: empty windows on both sides, as a new minute at
      // Adobe. (With one Redis for all, the second fleet waited out the first fleet's requests in the
      // client-side windows: 0.111x of the ceiling.)
      const redis = await startRedisServer();
      current = redis;
      const app = createEmulator({
        rateLimits: true,
        limits: { maxJobs: 5000, maxObjects: 5000, maxJournalEntries: 100_000 },
      });
      const { url, close } = await listenEmulator(app.fetch);
      const input = join(dir, `in-${workers}`);
      mkdirSync(input);
      for (let i = 0; i < images; i++) writeFileSync(join(input, `p${String(i).padStart(4, "0")}.png`), png);
      const fleet = Array.from({ length: workers }, () =>
        start(["worker", "--queue", redis.url, "--base-url", url, "--concurrency", "8"], dir),
      );
      const startedAt = Date.now();
      const batch = start(
        [
          "batch",
          input,
          "--op",
          OPERATION.op,
          "--queue",
          redis.url,
          "--batch-id",
          `bench-${workers}`,
          "--out",
          join(dir, `out-${workers}`),
        ],
        dir,
      );
      const code = await batch.done;
      const wallMs = Date.now() - startedAt;
      for (const worker of fleet) worker.child.kill("SIGTERM");
      await Promise.all(fleet.map((worker) => worker.done));
      const entries: JournalEntry[] = await createEmulatorControl({
        baseUrl: url,
        fetch: async (request) => app.fetch(request),
      }).journal({ limit: 100_000 });
      await close();
      current = undefined;
      await redis.destroy();
      if (code !== 0) throw new Error(`psapi batch exited with ${code}:\n${batch.output()}`);
      const accepted = entries
        .filter(
          (entry) =>
            entry.method === OPERATION.method && entry.path === OPERATION.path && entry.status === 202,
        )
        .map((entry) => Date.parse(entry.time))
        .sort((a, b) => a - b);
      const tooMany = entries.filter((entry) => entry.status === 429).length;
      const imsRequests = entries.filter((entry) => entry.path.startsWith("/ims/token")).length;
      const spanMs = (accepted.at(-1) ?? 0) - (accepted[0] ?? 0);
      const perMinute = ((accepted.length - 1) / spanMs) * 60_000;
      const ratioToCeiling = round(idealSpanMs / spanMs, 3);
      context.log(
        `${workers} worker(s): ${accepted.length} accepted in ${round(spanMs / 1000, 1)} s (ceiling ${round(idealSpanMs / 1000, 1)} s): ${round(perMinute, 1)} images/min, ${round(ratioToCeiling, 3)}× the ceiling, ${tooMany} × 429, ${imsRequests} IMS request(s), whole batch ${round(wallMs / 1000, 1)} s`,
      );
      raw.push({
        workers,
        accepted: accepted.length,
        spanMs,
        wallMs,
        tooMany,
        imsRequests,
        perMinute: round(perMinute, 2),
      });
      figures.push({
        label: `${workers} worker(s): images per minute (submissions accepted, first to last), 429s: ${tooMany}`,
        value: round(perMinute, 1),
        unit: "images/min",
        baseline: { label: "the rate limits' ceiling for the same count", value: round(ceilingPerMinute, 1) },
        ratio: ratioToCeiling,
        target: `≥ ${TARGET}× the ceiling, 0 × 429`,
        pass: ratioToCeiling >= TARGET && tooMany === 0 && accepted.length === images,
      });
    }
  } finally {
    await current?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    title: "Batch throughput: images per minute through a psapi worker fleet under Adobe's rate limits",
    settings: {
      images,
      fleets: FLEETS,
      workerConcurrency: 8,
      emulator:
        "in-process createEmulator({ rateLimits: true }) served on 127.0.0.1, a fresh one per fleet, default job timing (200 ms pending, 800 ms running)",
      limits: ADOBE_RATE_RULES,
      clientLimits:
        "psapi's ADOBE_RATE_RULES (the same windows plus a 50 ms margin, each request counted from its answer), shared through Redis",
      operation: `${OPERATION.op} (${OPERATION.method} ${OPERATION.path})`,
      redis: "a fresh redis-server on 127.0.0.1 per fleet, AOF on",
      ceiling:
        "the earliest arrival of each submission if every window were filled the moment it allowed (idealSchedule): for this count, the last one " +
        `${round(idealSpanMs / 1000, 2)} s after the first`,
      measure: `accepted ${OPERATION.method} ${OPERATION.path} arrival times from the emulator's journal; ratio = ideal span / measured span`,
    },
    raw,
    medians: { ceilingPerMinute: round(ceilingPerMinute, 1) },
    figures,
    notes: [
      "Remove background is limited to 3 requests per 3 s (and every POST to 16 per 3 s and 320 per minute): a steady 60 per minute after the first burst of 3; the ratio compares like with like.",
    ],
  };
}
