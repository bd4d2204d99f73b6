import type { RedisRateLimiter } from "@psapi/batch";
import type { Logger } from "@psapi/core";
import { usageError } from "../cli-error.js";
import type { Session } from "../session.js";
import type { WorkerOptions } from "./options.js";
import { parseRateLimits } from "./rate-rules.js";
import { redisPassword } from "./reach-redis.js";
import { storageOf } from "./storage.js";

/**
 * `psapi worker --queue`: takes inputs from the fleet's queue until Ctrl-C, sharing with every
 * other worker the token (Redis token store, one IMS request per token lifetime) and the rate
 * limits (windows in Redis).
 */
export async function runWorkerCommand(session: Session, options: WorkerOptions): Promise<void> {
  const batch = await import("@psapi/batch");
  const stop = new AbortController();
  // Ctrl-C or SIGTERM ends the worker's own signal first (this listener comes before the
  // target's, which aborts every request in flight):
  // its jobs then stop as stopped, journaling nothing, instead of each meeting its aborted request as
  // a failure to record, retry and, attempts spent, report failed for good.
  session.context.signal.addEventListener("abort", () => stop.abort(session.context.signal.reason), {
    once: true,
  });
  session.secrets.add(redisPassword(options.queue));
  // A worker's notes are its own lines: the package that logs (`fields.source`) is not shown.
  const logger: Logger = {
    warn: (message) => session.output.note(`warning: ${message}`),
    info: (message) => session.output.note(message),
  };
  const failFast = batch.createFailFastRedis(options.queue.href);
  failFast.on("error", () => {});
  const patient = batch.createPatientRedis(options.queue.href);
  patient.on("error", () => {});
  const rules = await parseRateLimits(options.rateLimits);
  const limiters: RedisRateLimiter[] = [];
  const limiterFor = (clientId: string, ruleList: NonNullable<typeof rules>) => {
    const limiter = batch.createRedisRateLimiter({
      redis: failFast,
      rules: ruleList,
      scope: clientId,
      logger,
    });
    limiters.push(limiter);
    return limiter;
  };
  const target = await session.openTarget({
    baseUrl: options.baseUrl,
    tokenStore: batch.createRedisTokenStore({ redis: failFast, logger }),
    rateLimiter: (_kind, clientId) => (rules === undefined ? undefined : limiterFor(clientId, rules)),
  });
  if (target.kind === "embedded") {
    failFast.disconnect();
    patient.disconnect();
    throw usageError(
      "a fleet needs one API for every worker, and the embedded emulator lives inside one process",
      "serve one (psapi emulator) and pass --base-url http://127.0.0.1:4010, or set credentials for Adobe",
    );
  }
  const worker = batch.startWorker({
    redis: patient,
    concurrency: options.concurrency,
    lockDurationMs: options.lockDuration,
    logger,
    context: {
      client: target.client,
      storage: storageOf(target),
      fetch: (request) => target.network.fetch(request),
      maxAttempts: options.maxAttempts,
      jobTimeoutMs: options.timeout * 1000,
      signal: stop.signal,
      scrub: session.secrets.scrub,
      onProgress: (progress) => {
        if (progress.type === "input" && !progress.report.earlierRun) {
          const { report } = progress;
          session.output.note(
            report.status === "succeeded"
              ? `ok ${report.key}`
              : `FAILED ${report.key}: ${report.error ?? ""}`,
          );
        }
      },
    },
  });
  session.output.note(`worker: taking inputs from ${options.queue.host}`);
  await new Promise<void>((done) => {
    session.context.signal.addEventListener("abort", () => done(), { once: true });
  });
  // Ctrl-C: stop taking inputs; those in flight go back to the fleet once this worker's lock expires.
  await worker.close(true);
  stop.abort(session.context.signal.reason);
  // The slots of the requests just aborted are settled in Redis before the connection goes: left
  // unsettled, each would hold the whole fleet's window for the limiter's in-flight bound (60 s).
  await Promise.all(limiters.map((limiter) => limiter.close()));
  failFast.disconnect();
  patient.disconnect();
  session.output.result("worker stopped", { stopped: true });
}
