import type { BatchProgress } from "@psapi/batch";
import { Presets, SingleBar } from "cli-progress";
import type { OutputStream } from "../output.js";

/** Shows a batch's progress: a bar on a terminal, one line per finished input otherwise. */
export interface BatchDisplay {
  update(progress: BatchProgress): void;
  stop(): void;
}

/**
 * A bar with counts, rate and ETA (cli-progress) when `stream` is a terminal; plain lines (one per
 * finished input, one per retry) when it is a pipe or a file, so logs stay readable.
 *
 * @param stream - Where it is drawn (stderr).
 * @example
 * const display = createBatchDisplay(process.stderr);
 * await runBatch({ …, onProgress: display.update });
 */
export function createBatchDisplay(stream: OutputStream & { columns?: number }): BatchDisplay {
  let bar: SingleBar | undefined;
  let failed = 0;
  let total = 0;
  let done = 0;
  if (stream.isTTY === true) {
    bar = new SingleBar(
      {
        // cli-progress writes to a NodeJS.WritableStream; the CLI's stderr is one.
        stream: stream as unknown as NodeJS.WritableStream,
        format: "{bar} {value}/{total} done · {failed} failed · {rate}/min · ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      Presets.shades_classic,
    );
  }
  let startedAt = Date.now();
  let startDone = 0;
  const rate = () => {
    const minutes = (Date.now() - startedAt) / 60_000;
    return minutes > 0 ? Math.round((done - startDone) / minutes) : 0;
  };
  return {
    update(progress) {
      if (progress.type === "start") {
        total = progress.total;
        done = progress.done;
        startDone = done;
        startedAt = Date.now();
        if (bar) bar.start(total, done, { failed, rate: 0 });
        else stream.write(`batch: ${total} inputs, ${done} already done\n`);
        return;
      }
      if (progress.type === "retry") {
        if (!bar) stream.write(`retry ${progress.key} (attempt ${progress.attempt}): ${progress.error}\n`);
        return;
      }
      const { report } = progress;
      if (report.earlierRun) return;
      if (report.status === "failed") failed++;
      done++;
      if (bar) {
        bar.update(done, { failed, rate: rate() });
        return;
      }
      const job = report.jobId === undefined ? "" : ` job ${report.jobId}`;
      const what =
        report.status === "succeeded"
          ? `ok ${report.key}${job}`
          : `FAILED ${report.key}${job}: ${report.error ?? ""}`;
      stream.write(`[${done}/${total}] ${what}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}
