// 4. Job throughput: masks per second through the emulator (submit, run, store the PNG, poll to
// `succeeded`) for a 1 MP and a 12 MP JPEG, with the emulator's job timing at zero delay, and the
// emulator's peak RSS. Reference: the same image work done by sharp alone (lib/sharp-reference.ts),
// on the same core.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchContext } from "./lib/context.js";
import { getToken, presign, putObject, submitMask, waitForJob } from "./lib/emulator-api.js";
import { startEmulator } from "./lib/emulator-process.js";
import { makeJpeg, SIZES } from "./lib/images.js";
import { onCore, SERVER_CORE } from "./lib/proc.js";
import type { BenchOutcome, Figure } from "./lib/report.js";
import { median, ratio, round } from "./lib/stats.js";

const benchDir = new URL(".", import.meta.url).pathname;
const CONCURRENCY = 4;
const POLL_MS = 5;

function referenceRun(jpegPath: string, count: number): Promise<number> {
  const [command, args] = onCore(SERVER_CORE, process.execPath, [
    "--import",
    "tsx",
    join(benchDir, "lib", "sharp-reference.ts"),
    jpegPath,
    String(count),
    String(CONCURRENCY),
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: benchDir, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`sharp-reference exited with ${code}`));
      else resolve((JSON.parse(out) as { seconds: number }).seconds);
    });
  });
}

/** Runs the job-throughput bench. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 2 : 5;
  const jobsPerRun = { "1MP": context.quick ? 8 : 40, "12MP": context.quick ? 2 : 8 } as const;
  const dir = mkdtempSync(join(tmpdir(), "psapi-bench-"));
  const emulator = await startEmulator({ name: "emulator", zeroJobDelay: true });
  try {
    const token = await getToken(emulator.origin);
    const raw: Record<
      string,
      {
        emulatorMasksPerSecond: number[];
        referenceMasksPerSecond: number[];
        peakRssBytes: number;
        inputBytes: number;
      }
    > = {};
    let serial = 0;
    const oneJob = async (inputUrl: string) => {
      serial += 1;
      const output = await presign(emulator.origin, `bench/out-${serial}.png`, "PUT");
      await waitForJob(await submitMask(emulator.origin, token, inputUrl, output), token, POLL_MS);
    };
    for (const [size, { width, height }] of Object.entries(SIZES) as [
      keyof typeof SIZES,
      { width: number; height: number },
    ][]) {
      const jpeg = await makeJpeg(width, height);
      const jpegPath = join(dir, `${size}.jpg`);
      writeFileSync(jpegPath, jpeg);
      await putObject(emulator.origin, `bench/${size}.jpg`, jpeg, "image/jpeg");
      const inputUrl = await presign(emulator.origin, `bench/${size}.jpg`, "GET");
      const count = jobsPerRun[size];
      const entry = {
        emulatorMasksPerSecond: [] as number[],
        referenceMasksPerSecond: [] as number[],
        peakRssBytes: 0,
        inputBytes: jpeg.length,
      };
      raw[size] = entry;
      await oneJob(inputUrl); // warm-up
      for (let i = 0; i < runs; i += 1) {
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < count) {
              next += 1;
              await oneJob(inputUrl);
            }
          }),
        );
        const emulatorRate = count / ((performance.now() - started) / 1000);
        const referenceRate = count / (await referenceRun(jpegPath, count));
        entry.emulatorMasksPerSecond.push(round(emulatorRate, 2));
        entry.referenceMasksPerSecond.push(round(referenceRate, 2));
        context.log(
          `${size} run ${i + 1}/${runs}: emulator ${round(emulatorRate, 1)} masks/s, sharp-only ${round(referenceRate, 1)} masks/s`,
        );
      }
      // VmHWM only grows, so this is the peak up to and including this size's runs.
      entry.peakRssBytes = emulator.peakRss();
    }
    const figures: Figure[] = [];
    const medians: Record<string, unknown> = {};
    for (const [size, entry] of Object.entries(raw)) {
      const ours = median(entry.emulatorMasksPerSecond);
      const reference = median(entry.referenceMasksPerSecond);
      medians[size] = {
        emulatorMasksPerSecond: ours,
        referenceMasksPerSecond: reference,
        peakRssMiB: round(entry.peakRssBytes / 2 ** 20, 1),
      };
      figures.push(
        {
          label: `${size} JPEG (${round(entry.inputBytes / 1024, 0)} KiB): masks per second`,
          value: round(ours, 2),
          unit: "masks/s",
          baseline: { label: "sharp-only reference", value: round(reference, 2) },
          ratio: ratio(ours, reference),
        },
        {
          label: `${size}: emulator peak RSS (after the ${size} runs)`,
          value: round(entry.peakRssBytes / 2 ** 20, 1),
          unit: "MiB",
        },
      );
    }
    return {
      title: "Job throughput: masks per second through the emulator",
      settings: {
        runs,
        jobsPerRun,
        concurrency: CONCURRENCY,
        pollIntervalMs: POLL_MS,
        jobTiming: "pendingMs 0, runningMs 0",
        emulator: emulator.command,
        perJob:
          "presign an output PUT URL, POST /sensei/mask (soft mask), poll GET /sensei/status/{id} until succeeded",
        images: SIZES,
        reference:
          "lib/sharp-reference.ts pinned to the server core: sharp decode with shrink-on-load to 256 px, threshold, nearest-neighbour upscale to full size, 1-channel PNG at zlib level 2, same concurrency; no segmentation, HTTP or storage",
        peakRss: "VmHWM of the emulator process from /proc/<pid>/status",
      },
      raw,
      medians,
      figures,
      notes: [
        "No target is set for job throughput. The sharp-only reference does the same kind of image work with no segmentation, HTTP, validation, storage or polling; it is a yardstick, not a strict floor (the emulator's upscaling path can be cheaper than the reference's).",
      ],
    };
  } finally {
    await emulator.stop();
  }
}
