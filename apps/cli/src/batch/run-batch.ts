import { dirname, resolve } from "node:path";
import type { BatchInput, BatchReport } from "@psapi/batch";
import { CliError, problemOf, usageError } from "../cli-error.js";
import { displayPath } from "../display.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";
import { type InputSource, parseInputArgument } from "../validate.js";
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
  const { cwd } = session.context;
  const template = options.op === "composite" ? await templateBatch(spec, options, cwd) : undefined;
  let operation: ReturnType<typeof batch.operationNamed>;
  if (template) {
    operation = template.operation;
  } else {
    if (options.template !== undefined || options.edits !== undefined) {
      throw usageError(
        "--template and --edits go with --op composite",
        "psapi batch rows.csv --op composite --template banner.psd --edits edits.json",
      );
    }
    try {
      operation = batch.operationNamed(options.op);
    } catch {
      throw usageError(
        `unknown --op ${options.op}`,
        `one of: ${[...Object.keys(batch.OPERATIONS), "composite"].join(", ")}`,
      );
    }
  }
  const outDir = resolve(cwd, options.out);
  const reportPath = resolve(cwd, options.report ?? `${options.out}/report.json`);
  if (options.queue !== undefined) {
    const { runFleetBatch } = await import("./fleet.js");
    await runFleetBatch(session, spec, operation, {
      ...options,
      queue: options.queue,
      outDir,
      reportPath,
      ...(template && { rows: { inputs: template.inputs, settings: template.settings } }),
    });
    return;
  }
  const inputs = template?.inputs ?? (await expand(spec, cwd));
  const rules = await parseRateLimits(options.rateLimits ?? "adobe");
  let limiter: ReturnType<typeof batch.createMemoryRateLimiter> | undefined;
  const target = await session.openTarget({
    baseUrl: options.baseUrl,
    // The embedded emulator has no limits: the client keeps to them there only when asked to.
    rateLimiter: (kind) => {
      if (rules === undefined || (kind === "embedded" && options.rateLimits === undefined)) return undefined;
      limiter = batch.createMemoryRateLimiter({ rules });
      return limiter;
    },
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
  if (limiter && rules) {
    // What an earlier run of this journal sent is still in the service's windows (a run killed a
    // moment ago): count it, or the first requests of this run would meet 429s.
    const longest = Math.max(...rules.map((rule) => rule.windowMs));
    for (const at of journal.recentSubmissions(longest)) limiter.record("POST", operation.submits, at);
  }
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
      scrub: session.secrets.scrub,
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

/**
 * `--op composite`: the CSV's rows as inputs (each the template, with its row's values) and the
 * operation that fills `--edits` from them.
 *
 * @throws {CliError} (usage) For a missing --template or --edits, or a CSV or edits file that cannot serve.
 */
async function templateBatch(spec: string, options: BatchOptions, cwd: string) {
  const batch = await import("@psapi/batch");
  if (options.template === undefined || options.edits === undefined) {
    throw usageError(
      "--op composite needs --template <psd> and --edits <json>",
      "psapi batch rows.csv --op composite --template banner.psd --edits edits.json",
    );
  }
  if (!/\.csv$/i.test(spec))
    throw usageError(
      `--op composite reads a CSV of rows, not ${spec}`,
      "one row per rendition, a header naming the columns",
    );
  const { readEditsFile, DOCUMENT_TYPES } = await import("../document-job.js");
  const { edits } = await readEditsFile(options.edits, cwd);
  let source: BatchInput["source"];
  try {
    source = inputSourceOf(parseInputArgument(resolveTemplate(options.template, cwd)));
  } catch (error) {
    throw usageError(
      `--template ${options.template}: ${(error as Error).message.replace(/\.$/, "")}`,
      "a local PSD or an https URL",
    );
  }
  const csv = resolve(cwd, spec);
  let rows: Awaited<ReturnType<typeof batch.readTemplateRows>>;
  try {
    rows = await batch.readTemplateRows(csv, batch.templateColumns(edits));
  } catch (error) {
    throw usageError(
      problemOf(error) ?? (error as Error).message,
      "the CSV needs a header row naming every {{column}} the edits use, and a different id on each row",
    );
  }
  const type = DOCUMENT_TYPES[options.type ?? "png"];
  const settings = { edits, mediaType: type.mediaType, extension: type.extension, baseDir: dirname(csv) };
  const operation = batch.compositeOperation(settings);
  const inputs: BatchInput[] = rows.map((row) => ({ key: row.key, source, values: row.values }));
  return { operation, inputs, settings };
}

function resolveTemplate(template: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(template) ? template : resolve(cwd, template);
}

function inputSourceOf(input: InputSource): BatchInput["source"] {
  return input.kind === "file" ? { kind: "file", path: input.path } : { kind: "url", url: input.url.href };
}
