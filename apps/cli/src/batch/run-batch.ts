import { resolve } from "node:path";
import type { BatchReport } from "@psapi/batch";
import { CliError, problemOf, usageError } from "../cli-error.js";
import { displayPath } from "../display.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";
import { expand } from "./expand.js";
import { finish } from "./finish.js";
import type { BatchOptions } from "./options.js";
import { createBatchDisplay } from "./progress.js";
import { parseRateLimits } from "./rate-rules.js";
import { storageOf } from "./storage.js";

/**
 * `psapi batch`: expands the inputs, then runs them here (journal file) or, with `--queue`, hands
 * them to a fleet. Ends with a summary on stdout and the JSON report in `--report`; exit code 1
 * unless every input succeeded.
 */
export async function runBatchCommand(session: Session, spec: string, options: BatchOptions): Promise<void> {
  const batch = await import("@psapi/batch");
  let operation: ReturnType<typeof batch.operationNamed>;
  try {
    operation = batch.operationNamed(options.op);
  } catch {
    throw usageError(`unknown --op ${options.op}`, `one of: ${Object.keys(batch.OPERATIONS).join(", ")}`);
  }
  const { cwd } = session.context;
  const outDir = resolve(cwd, options.out);
  const reportPath = resolve(cwd, options.report ?? `${options.out}/report.json`);
  if (options.queue !== undefined) {
    const { runFleetBatch } = await import("./fleet.js");
    await runFleetBatch(session, spec, operation, { ...options, queue: options.queue, outDir, reportPath });
    return;
  }
  const inputs = await expand(spec, cwd);
  const rules = await parseRateLimits(options.rateLimits ?? "adobe");
  const target = await session.openTarget({
    baseUrl: options.baseUrl,
    // The embedded emulator has no limits: the client keeps to them there only when asked to.
    rateLimiter: (kind) =>
      rules === undefined || (kind === "embedded" && options.rateLimits === undefined)
        ? undefined
        : batch.createMemoryRateLimiter({ rules }),
    capacity: inputs.length,
  });
  const storage = storageOf(target);
  try {
    batch.checkInputs(inputs, { operation, storage, outDir });
  } catch (error) {
    throw usageError(problemOf(error) ?? (error as Error).message, "see: psapi batch --help");
  }
  let journal: Awaited<ReturnType<typeof batch.openFileJournal>>;
  const journalPath = resolve(cwd, options.journal ?? `${options.out}/journal.jsonl`);
  try {
    journal = await batch.openFileJournal(journalPath, operation.name);
  } catch (error) {
    throw usageError(problemOf(error) ?? (error as Error).message, "pass another --journal");
  }
  session.output.note(`journal: ${displayPath(journalPath, cwd)}`);
  const display = createBatchDisplay(session.output.stderr);
  let report: BatchReport;
  try {
    report = await batch.runBatch({
      inputs,
      operation,
      client: target.client,
      journal,
      storage,
      outDir,
      // Hosted results and output URLs: through the target's fetch (the embedded emulator's, in process).
      fetch: (request) => target.network.fetch(request),
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      jobTimeoutMs: options.timeout * 1000,
      retryFailed: options.retryFailed === true,
      signal: session.context.signal,
      onProgress: (progress) => display.update(progress),
      now: session.context.now,
    });
  } catch (error) {
    if (session.context.signal.aborted) {
      throw new CliError("interrupted; the journal has every finished step", {
        exitCode: ExitCode.interrupted,
        hint: `run the same command again to go on where it stopped (journal ${displayPath(journalPath, cwd)})`,
      });
    }
    throw error;
  } finally {
    display.stop();
    await journal.close();
  }
  await finish(session, report, reportPath);
}
