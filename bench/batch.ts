// 6. Batch throughput: images per minute through `psapi worker` fleets of 1, 2 and 4 processes
// against the emulator with Adobe's documented rate limits on, as a ratio to what those limits
// allow at most (the service's physical ceiling), and the 429s the fleet met (target 0).
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "@psapi/batch/testing";
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
const TARGET = 0.9;

/**
 * The earliest time (ms from the first) at which each of `count` POSTs can arrive when every rule
 * that counts `POST /sensei/mask` is a sliding window, and nothing else is slow: the ceiling.
 */
export function idealSchedule(count: number): number[] {
  const rules = ADOBE_RATE_RULES.filter((rule) => rateRuleMatcher(rule)("POST", "/sensei/mask"));
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
  const redis = await startRedisServer();
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
  try {
    for (const workers of FLEETS) {
      // A fresh emulator per fleet: empty windows, as a new minute at Adobe.
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
          "mask",
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
      if (code !== 0) throw new Error(`psapi batch exited with ${code}:\n${batch.output()}`);
      const accepted = entries
        .filter((entry) => entry.method === "POST" && entry.path === "/sensei/mask" && entry.status === 202)
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
    await redis.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    title: "Batch throughput: images per minute through a psapi worker fleet under Adobe's rate limits",
    settings: {
      images,
      fleets: FLEETS,
      workerConcurrency: 8,
      emulator:
        "in-process createEmulator({ rateLimits: true }) served on 127.0.0.1, default job timing (200 ms pending, 800 ms running)",
      limits: ADOBE_RATE_RULES,
      clientLimits:
        "psapi's ADOBE_RATE_RULES (the same windows plus a 50 ms margin, each request counted from its answer), shared through Redis",
      redis: "redis-server on 127.0.0.1, AOF on",
      ceiling:
        "the earliest arrival of each submission if every window were filled the moment it allowed (idealSchedule): for this count, the last one " +
        `${round(idealSpanMs / 1000, 2)} s after the first`,
      measure:
        "accepted POST /sensei/mask arrival times from the emulator's journal; ratio = ideal span / measured span",
    },
    raw,
    medians: { ceilingPerMinute: round(ceilingPerMinute, 1) },
    figures,
    notes: [
      "Masking is limited to 60 requests per minute (and every POST to 16 per 3 s): the ceiling for a run of this length includes the first minute's burst, so images/min exceeds 60 here; the ratio compares like with like.",
    ],
  };
}
